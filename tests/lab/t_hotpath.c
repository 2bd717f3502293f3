/*
 * No kmem allocation per I/O: in steady state, the number of
 * kmem_alloc/kmem_zalloc calls (fc_kmem_alloc_calls) and of objects
 * constructed by kmem caches (fc_kmem_constructs) does not grow with the
 * number of I/Os.  Each path runs twice, with N and with 10 N I/Os after
 * a warm-up; the second run may not allocate more than the first, give
 * or take what time alone explains (the driver's 1 Hz watchdog and the
 * framework's timers): at most one allocation per 100 extra I/Os.
 *
 * Paths: synchronous reads and writes (sd-like, one at a time); packets
 * allocated once and resubmitted from pkt_comp, 2 x the request ring of
 * them (so the driver's wait queue is used); polled commands.
 *
 * And one kick per batch: with pkt_comp called in the interrupt handler
 * (FK_SCSI_COMP_DIRECT, as on illumos), the packets resubmitted while
 * the driver delivers one interrupt's completions share one kick, so 32
 * recycled packets (all in request ring slots: no wait queue to batch
 * them) cost far fewer kicks than I/Os (at most one per four; one per
 * I/O without batching).
 *
 * Topology (tests/lab/suites): hba0 with a raw file disk at target 0 and
 * a null disk at target 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/sunddi.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/scsi/scsi.h>

#include "check.h"
#include "pvscsi.h"
#include "lib/drv.h"
#include "lib/labio.h"
#include "lib/labcheck.h"
#include "lib/devtap.h"

#define	BLK		512
#define	XFER		4096
#define	KICK_QD		32	/* packets in flight for kicks-batched */

static fk_lun_t *lun0, *lun1;
static uchar_t *buf;
static uint_t ring;

typedef struct allocs {
	uint64_t	a_calls;
	uint64_t	a_constructs;
	double		a_secs;
} allocs_t;

typedef void (*load_t)(uint_t, uint_t *);

/* Run load(n) and count what it allocated. */
static void
measure(load_t load, uint_t n, allocs_t *a, uint_t *errors)
{
	fk_counters_t c0, c1;
	double t0 = lio_now();

	fk_counters_get(&c0);
	load(n, errors);
	fk_counters_get(&c1);
	a->a_calls = c1.fc_kmem_alloc_calls - c0.fc_kmem_alloc_calls;
	a->a_constructs = c1.fc_kmem_constructs - c0.fc_kmem_constructs;
	a->a_secs = lio_now() - t0;
}

static void
path_check(const char *name, load_t load, uint_t n)
{
	allocs_t small, big;
	uint_t errors = 0;
	uint64_t slack = (9 * (uint64_t)n) / 100;

	load(n, &errors);			/* warm-up */
	measure(load, n, &small, &errors);
	measure(load, 10 * n, &big, &errors);
	drv_note("%s: %u I/Os: %llu kmem_alloc calls, %llu constructed in "
	    "%.2f s; %u I/Os: %llu, %llu in %.2f s", name, n,
	    (unsigned long long)small.a_calls,
	    (unsigned long long)small.a_constructs, small.a_secs, 10 * n,
	    (unsigned long long)big.a_calls,
	    (unsigned long long)big.a_constructs, big.a_secs);
	CHECK(name, errors == 0 && big.a_calls <= small.a_calls + slack &&
	    big.a_constructs <= small.a_constructs + slack,
	    "expected allocations not to grow with the I/Os (at most %llu "
	    "more for %u more I/Os) and no error; saw %llu -> %llu "
	    "kmem_alloc calls, %llu -> %llu constructions, %u errors",
	    (unsigned long long)slack, 9 * n,
	    (unsigned long long)small.a_calls,
	    (unsigned long long)big.a_calls,
	    (unsigned long long)small.a_constructs,
	    (unsigned long long)big.a_constructs, errors);
}

/* Synchronous writes and reads of the file disk. */
static void
load_sync(uint_t n, uint_t *errors)
{
	for (uint_t i = 0; i < n; i++) {
		uint64_t lba = (i % 1024) * (XFER / BLK);

		if ((i & 1) == 0) {
			if (fk_scsi_write(lun0, lba, XFER / BLK, buf, NULL) != 0)
				(*errors)++;
		} else if (fk_scsi_read(lun0, lba, XFER / BLK, buf, NULL) != 0) {
			(*errors)++;
		}
	}
}

/* Polled reads. */
static void
load_polled(uint_t n, uint_t *errors)
{
	lio_xfer_t x;

	for (uint_t i = 0; i < n; i++) {
		if (lio_rw(lun0, FK_SCSI_DIR_READ, (i % 1024) * (XFER / BLK),
		    buf, XFER, FLAG_NOINTR, 0, &x) != 0)
			(*errors)++;
	}
}

/*
 * Recycled packets: each completion sends its packet again until the
 * run's count is reached.
 */
typedef struct recycle {
	kmutex_t	rc_lock;
	kcondvar_t	rc_cv;
	uint_t		rc_left;	/* submissions still to make */
	uint_t		rc_active;	/* packets in transport */
	uint_t		rc_errors;
} recycle_t;

static recycle_t rc;
static struct scsi_pkt **pkts;
static struct buf *bufs;
static uint_t npkts;

/*
 * A packet at rest is one whose completion found nothing left to do:
 * only then does rc_active drop, so a packet is never sent by a
 * completion and by the next run at once.
 */
static void recycle_comp(struct scsi_pkt *);

static void
recycle_transport(struct scsi_pkt *pkt)
{
	pkt->pkt_comp = recycle_comp;
	pkt->pkt_time = 30;
	pkt->pkt_flags = 0;
	if (scsi_transport(pkt) != TRAN_ACCEPT) {
		mutex_enter(&rc.rc_lock);
		rc.rc_errors++;
		rc.rc_active--;
		cv_broadcast(&rc.rc_cv);
		mutex_exit(&rc.rc_lock);
	}
}

static void
recycle_comp(struct scsi_pkt *pkt)
{
	int again = 0;

	mutex_enter(&rc.rc_lock);
	if (pkt->pkt_reason != CMD_CMPLT ||
	    (*pkt->pkt_scbp & STATUS_MASK) != STATUS_GOOD)
		rc.rc_errors++;
	if (rc.rc_left > 0) {
		rc.rc_left--;
		again = 1;
	} else {
		rc.rc_active--;
		cv_broadcast(&rc.rc_cv);
	}
	mutex_exit(&rc.rc_lock);
	if (again)
		recycle_transport(pkt);
}

static void
recycle_setup(void)
{
	struct scsi_address *ap = &fk_scsi_lun_device(lun1)->sd_address;

	npkts = 2 * ring;
	pkts = calloc(npkts, sizeof (*pkts));
	bufs = calloc(npkts, sizeof (*bufs));
	mutex_init(&rc.rc_lock, NULL, MUTEX_DRIVER, NULL);
	cv_init(&rc.rc_cv, NULL, CV_DRIVER, NULL);
	(void) fk_scsi_set_depth(lun1, npkts);
	for (uint_t i = 0; i < npkts; i++) {
		bioinit(&bufs[i]);
		bufs[i].b_un.b_addr = fk_scsi_buf_alloc(XFER);
		bufs[i].b_bcount = XFER;
		bufs[i].b_flags = B_BUSY | B_READ;
		pkts[i] = scsi_init_pkt(ap, NULL, &bufs[i], CDB_GROUP1,
		    sizeof (struct scsi_arq_status), 0, 0, SLEEP_FUNC, NULL);
		if (pkts[i] == NULL)
			continue;
		pkts[i]->pkt_cdbp[0] = SCMD_READ_G1;
		pkts[i]->pkt_cdbp[5] = (uchar_t)i;
		pkts[i]->pkt_cdbp[8] = XFER / BLK;
	}
}

static void
recycle_teardown(void)
{
	for (uint_t i = 0; i < npkts; i++) {
		if (pkts[i] != NULL)
			scsi_destroy_pkt(pkts[i]);
		fk_scsi_buf_free(bufs[i].b_un.b_addr, XFER);
	}
	free(pkts);
	free(bufs);
	mutex_destroy(&rc.rc_lock);
	cv_destroy(&rc.rc_cv);
}

/* n submissions from the first npk packets, resubmitted from pkt_comp. */
static void
recycle_run(uint_t npk, uint_t n, uint_t *errors)
{
	hrtime_t end = gethrtime() + SEC2NSEC(120);

	mutex_enter(&rc.rc_lock);
	rc.rc_left = n;
	rc.rc_errors = 0;
	mutex_exit(&rc.rc_lock);
	for (uint_t i = 0; i < npk; i++) {
		if (pkts[i] == NULL) {
			(*errors)++;
			continue;
		}
		mutex_enter(&rc.rc_lock);
		if (rc.rc_left == 0) {
			mutex_exit(&rc.rc_lock);
			break;
		}
		rc.rc_left--;
		rc.rc_active++;
		mutex_exit(&rc.rc_lock);
		recycle_transport(pkts[i]);
	}
	mutex_enter(&rc.rc_lock);
	while ((rc.rc_left > 0 || rc.rc_active > 0) && gethrtime() < end) {
		(void) cv_reltimedwait(&rc.rc_cv, &rc.rc_lock,
		    drv_usectohz(100000), TR_CLOCK_TICK);
	}
	if (rc.rc_left > 0 || rc.rc_active > 0)
		(*errors)++;
	*errors += rc.rc_errors;
	mutex_exit(&rc.rc_lock);
}

static void
load_recycle(uint_t n, uint_t *errors)
{
	recycle_run(npkts, n, errors);
}

/* The register set the driver uses: the first memory BAR big enough. */
static uint_t
reg_rnumber(void)
{
	off_t size;
	uint_t rn;

	for (rn = 1; ddi_dev_regsize(fk_pci_hba(0), rn, &size) ==
	    DDI_SUCCESS; rn++) {
		if (size >= PVSCSI_MEM_SPACE_SIZE)
			break;
	}
	return (rn);
}

static void
kicks_check(uint_t n)
{
	int mode = fk_scsi_comp_mode(FK_SCSI_COMP_DIRECT);
	uint_t rn = reg_rnumber(), errors = 0;
	uint64_t k = fk_reg_writes_at(rn, PVSCSI_REG_KICK_RW_IO);

	recycle_run(MIN(KICK_QD, ring), n, &errors);
	k = fk_reg_writes_at(rn, PVSCSI_REG_KICK_RW_IO) - k;
	(void) fk_scsi_comp_mode(mode);
	drv_note("kicks: %llu for %u I/Os resubmitted from pkt_comp, %u in "
	    "flight", (unsigned long long)k, n, MIN(KICK_QD, ring));
	CHECK("kicks-batched", errors == 0 && k * 4 <= n,
	    "expected at most one kick per 4 I/Os and no error, saw %llu "
	    "kicks for %u I/Os, %u errors", (unsigned long long)k, n, errors);
}

int
main(void)
{
	lio_limits_t ll;
	int err;

	dt_start();		/* the ring depth, from SETUP_RINGS */
	drv_start();
	drv_units("discover", &lun0, &lun1);
	(void) lio_limits(lun0, &ll);
	ring = ll.ll_ring;
	buf = fk_scsi_buf_alloc(XFER);

	path_check("no-alloc-per-io-sync", load_sync, 200);
	recycle_setup();
	path_check("no-alloc-per-io-queued", load_recycle, 2000);
	kicks_check(4000);
	recycle_teardown();
	path_check("no-alloc-per-io-polled", load_polled, 200);

	fk_scsi_buf_free(buf, XFER);
	fk_scsi_lun_rele(lun0);
	fk_scsi_lun_rele(lun1);
	lio_check_clean("hotpath");
	err = drv_detach();
	CHECK("detach", err == 0, "expected 0, saw %d", err);
	drv_unload();
	return (check_exit());
}

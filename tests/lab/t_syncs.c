/*
 * The driver's ddi_dma_sync(9F) calls matter: in strict DMA mode (the CPU
 * and the device see separate copies of DMA memory until a sync), leave
 * each sync of an I/O out in turn and show that the I/O then does not
 * succeed with correct data, and that the driver recovers.
 *
 * For each kind of I/O (a READ with data, a WRITE with data, TEST UNIT
 * READY with none, a READ that ends in CHECK CONDITION with sense), the
 * syncs one I/O makes are counted (fk_dma_sync_count), then for every N
 * in that range the N-th is dropped (fk_dma_drop_sync) during a fresh
 * I/O of that kind.  The outcome is one of:
 *
 *   broken	the I/O failed, timed out (the driver's recovery ended
 *		it), or completed with wrong data or sense;
 *   late	it succeeded, but only because the driver's 1 Hz ring
 *		service found what the interrupt handler had missed;
 *   none	no visible effect.
 *
 * Which sync was dropped is printed with its caller (the fakekernel logs
 * a dropped sync with its return address).  "none" is expected only for
 * the syncs that hand the device our consumer indices (QEMU never reads
 * them) and the message producer index when no message is pending; any
 * other sync without effect fails the test.  After each drop, an I/O of
 * the same kind must succeed.
 *
 * Data is checked in pkt_comp, before the packet is destroyed: unbinding
 * a buffer syncs it for the CPU, which would hide a missing sync.  The
 * commands are the test's own packets (scsi_init_pkt(9F)), pkt_time 1 s,
 * the driver's recovery steps 1 s apart (pvscsi_recovery_time), pkt_comp
 * called directly (FK_SCSI_COMP_DIRECT), so that it runs in the thread
 * that completed the packet: the interrupt's, or the ring service's.
 *
 *   t_syncs		4 KiB transfers (one DMA cookie with huge pages)
 *   t_syncs --scatter	the guest's memory scattered first (lab
 *			--hugepages 0): 32 KiB transfers in several cookies,
 *			so the driver's SG list sync is among them; READ
 *			and WRITE only
 *
 * Each run starts just after the ring service's tick, when no other
 * thread syncs, so that the N-th sync from then on is the I/O's.
 *
 * Topology (tests/lab/suites): hba0 with a 64 MiB file disk at target 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>

#include <sys/sunddi.h>
#include <sys/time.h>
#include <sys/scsi/scsi.h>

#include "check.h"
#include "lib/drv.h"
#include "lib/labio.h"
#include "pvscsi.h"

#define	MAXSYNCS	32
#define	WAIT_MS		20000
#define	READ_LBA	2048
#define	WRITE_LBA	4096
#define	FILL		0x5a

typedef enum kind {
	K_READ,
	K_WRITE,
	K_NODATA,
	K_SENSE,
	K_NKINDS
} kind_t;

static const char *kind_name[K_NKINDS] = { "read", "write", "nodata",
	"sense" };

typedef enum outcome {
	O_NONE,
	O_LATE,
	O_BROKEN,
	O_HANG
} outcome_t;

static const char *outcome_name[] = { "none", "late", "broken", "hang" };

/* One command of ours, and what pkt_comp saw. */
typedef struct sio {
	kmutex_t	s_lock;
	kcondvar_t	s_cv;
	int		s_done;
	uchar_t		s_reason;
	uchar_t		s_status;
	uint_t		s_state;
	ssize_t		s_resid;
	uchar_t		s_key;
	uchar_t		s_asc;
	uchar_t		*s_buf;		/* the buffer the device fills */
	uchar_t		*s_seen;	/* its contents in pkt_comp */
	size_t		s_len;
	int		s_intr;		/* pkt_comp from the interrupt */
	hrtime_t	s_start;
	hrtime_t	s_end;
} sio_t;

static fk_lun_t *disk;
static uint_t max_cookies;	/* most cookies a data command had */
static size_t xfer = 4096;
static uint64_t seed = 1000;
static uint64_t capacity;

static void
sio_comp(struct scsi_pkt *pkt)
{
	sio_t *s = *(sio_t **)pkt->pkt_private;
	struct scsi_arq_status *arq = (void *)pkt->pkt_scbp;

	char tname[32] = "";

	/* Completions are direct: this is the interrupt thread or not. */
	(void) prctl(PR_GET_NAME, tname, 0, 0, 0);
	s->s_intr = strncmp(tname, "intr", 4) == 0;
	s->s_end = gethrtime();
	s->s_reason = pkt->pkt_reason;
	s->s_status = *pkt->pkt_scbp;
	s->s_state = pkt->pkt_state;
	s->s_resid = pkt->pkt_resid;
	s->s_key = s->s_asc = 0;
	if (pkt->pkt_state & STATE_ARQ_DONE) {
		uint8_t *sd = (uint8_t *)&arq->sts_sensedata;

		s->s_key = scsi_sense_key(sd);
		s->s_asc = scsi_sense_asc(sd);
	}
	if (s->s_len != 0)
		(void) memcpy(s->s_seen, s->s_buf, s->s_len);
	mutex_enter(&s->s_lock);
	s->s_done = 1;
	cv_broadcast(&s->s_cv);
	mutex_exit(&s->s_lock);
}

static void
cdb10(uchar_t *c, uchar_t op, uint64_t lba, uint32_t nblks)
{
	bzero(c, 10);
	c[0] = op;
	for (int i = 0; i < 4; i++)
		c[2 + i] = (lba >> (24 - 8 * i)) & 0xff;
	c[7] = (nblks >> 8) & 0xff;
	c[8] = nblks & 0xff;
}

/*
 * Allocate a command of a kind: op is its opcode (0: the kind's own).
 */
static struct scsi_pkt *
sio_alloc(sio_t *s, kind_t k, uchar_t op, struct buf *bp)
{
	struct scsi_device *sd = fk_scsi_lun_device(disk);
	struct scsi_pkt *pkt;
	int data = (k != K_NODATA);
	size_t len = (k == K_SENSE) ? 512 : xfer;

	bzero(s, sizeof (*s));
	mutex_init(&s->s_lock, NULL, MUTEX_DRIVER, NULL);
	cv_init(&s->s_cv, NULL, CV_DRIVER, NULL);
	if (data) {
		s->s_buf = fk_scsi_buf_alloc(len);
		s->s_seen = malloc(len);
		s->s_len = (k == K_WRITE) ? 0 : len;
		(void) memset(s->s_buf, FILL, len);
		if (k == K_WRITE)
			lio_fill(s->s_buf, len, WRITE_LBA * 512, seed);
		bioinit(bp);
		bp->b_un.b_addr = (caddr_t)s->s_buf;
		bp->b_bcount = len;
		bp->b_flags = B_BUSY | (k == K_WRITE ? B_WRITE : B_READ);
	}
	pkt = scsi_init_pkt(&sd->sd_address, NULL, data ? bp : NULL,
	    CDB_GROUP1, sizeof (struct scsi_arq_status), sizeof (sio_t *), 0,
	    SLEEP_FUNC, NULL);
	if (pkt == NULL)
		return (NULL);
	*(sio_t **)pkt->pkt_private = s;
	max_cookies = MAX(max_cookies, pkt->pkt_numcookies);
	switch (k) {
	case K_READ:
		cdb10(pkt->pkt_cdbp, SCMD_READ_G1, READ_LBA, len / 512);
		break;
	case K_WRITE:
		cdb10(pkt->pkt_cdbp, SCMD_WRITE_G1, WRITE_LBA, len / 512);
		break;
	case K_NODATA:
		bzero(pkt->pkt_cdbp, CDB_GROUP1);
		pkt->pkt_cdbp[0] = SCMD_TEST_UNIT_READY;
		break;
	default:
		cdb10(pkt->pkt_cdbp, SCMD_READ_G1, capacity + 8, 1);
		break;
	}
	if (op != 0)
		pkt->pkt_cdbp[0] = op;
	pkt->pkt_time = 1;
	pkt->pkt_comp = sio_comp;
	return (pkt);
}

static void
sio_free(sio_t *s, kind_t k)
{
	if (s->s_buf != NULL) {
		fk_scsi_buf_free(s->s_buf, k == K_SENSE ? 512 : xfer);
		free(s->s_seen);
	}
	mutex_destroy(&s->s_lock);
	cv_destroy(&s->s_cv);
}

/* Wait for pkt_comp: 0, or -1 after ms. */
static int
sio_wait(sio_t *s, int ms)
{
	clock_t end = ddi_get_lbolt() + drv_usectohz((clock_t)ms * 1000);
	int done;

	mutex_enter(&s->s_lock);
	while (!s->s_done &&
	    cv_timedwait(&s->s_cv, &s->s_lock, end) != -1)
		continue;
	done = s->s_done;
	mutex_exit(&s->s_lock);
	return (done ? 0 : -1);
}

/*
 * Start when no thread syncs: just after the ring service's tick (it
 * runs once a second), once the sync count has been still for 30 ms.
 */
static void
align_tick(void)
{
	hrtime_t end = gethrtime() + SEC2NSEC(3);
	uint64_t c = fk_dma_sync_count();

	while (fk_dma_sync_count() == c && gethrtime() < end)
		(void) usleep(500);
	for (int still = 0; still < 30 && gethrtime() < end; ) {
		uint64_t now = fk_dma_sync_count();

		(void) usleep(1000);
		still = (fk_dma_sync_count() == now) ? still + 1 : 0;
	}
}

/* Prepare the disk so that stale data or sense cannot pass for fresh. */
static int
prepare(kind_t k)
{
	uchar_t *b;
	int rv = 0;

	seed++;
	if (k == K_READ) {
		b = fk_scsi_buf_alloc(xfer);
		lio_fill(b, xfer, READ_LBA * 512, seed);
		rv = fk_scsi_write(disk, READ_LBA, xfer / 512, b, NULL);
		fk_scsi_buf_free(b, xfer);
	} else if (k == K_WRITE) {
		b = fk_scsi_buf_alloc(xfer);
		rv = fk_scsi_write(disk, WRITE_LBA, xfer / 512, b, NULL);
		fk_scsi_buf_free(b, xfer);
	} else if (k == K_SENSE) {
		/*
		 * An unknown opcode: INVALID COMMAND OPERATION CODE (0x20)
		 * in the sense buffer of the packet the next command gets.
		 */
		struct buf bb;
		struct scsi_pkt *pkt;
		sio_t s;

		if ((pkt = sio_alloc(&s, K_SENSE, 0xff, &bb)) == NULL)
			return (ENOMEM);
		if (scsi_transport(pkt) != TRAN_ACCEPT ||
		    sio_wait(&s, WAIT_MS) != 0) {
			rv = EIO;
		} else {
			rv = (s.s_status == STATUS_CHECK && s.s_asc == 0x20) ?
			    0 : EIO;
			scsi_destroy_pkt(pkt);
		}
		sio_free(&s, K_SENSE);
	}
	return (rv);
}

/* Did the command succeed with the right data or sense? */
static int
sio_good(const sio_t *s, kind_t k)
{
	uchar_t *b;
	int ok;

	switch (k) {
	case K_READ:
		return (s->s_reason == CMD_CMPLT && s->s_status == STATUS_GOOD &&
		    s->s_resid == 0 &&
		    lio_verify(s->s_seen, xfer, READ_LBA * 512, seed) < 0);
	case K_WRITE:
		if (s->s_reason != CMD_CMPLT || s->s_status != STATUS_GOOD ||
		    s->s_resid != 0)
			return (0);
		b = fk_scsi_buf_alloc(xfer);
		ok = fk_scsi_read(disk, WRITE_LBA, xfer / 512, b, NULL) == 0 &&
		    lio_verify(b, xfer, WRITE_LBA * 512, seed) < 0;
		fk_scsi_buf_free(b, xfer);
		return (ok);
	case K_NODATA:
		return (s->s_reason == CMD_CMPLT && s->s_status == STATUS_GOOD);
	default:
		return (s->s_reason == CMD_CMPLT &&
		    s->s_status == STATUS_CHECK &&
		    (s->s_state & STATE_ARQ_DONE) &&
		    s->s_key == KEY_ILLEGAL_REQUEST && s->s_asc == 0x21);
	}
}

/*
 * One I/O of kind k with the drop-th sync left out (0: none).  *nsyncs:
 * the syncs it made.  Returns the outcome; a packet that never completes
 * is left to the driver (O_HANG).
 */
static outcome_t
run_io(kind_t k, uint_t drop, int align, uint64_t *nsyncs, char *desc,
    size_t dlen)
{
	struct buf b;
	struct scsi_pkt *pkt;
	sio_t s;
	uint64_t c0;
	int rv, good;
	hrtime_t lat;

	(void) snprintf(desc, dlen, "?");
	if (prepare(k) != 0)
		drv_note("%s: preparing failed", kind_name[k]);
	if ((pkt = sio_alloc(&s, k, 0, &b)) == NULL) {
		(void) snprintf(desc, dlen, "scsi_init_pkt failed");
		return (O_BROKEN);
	}
	if (align)
		align_tick();
	c0 = fk_dma_sync_count();
	if (drop != 0)
		fk_dma_drop_sync(drop);
	s.s_start = gethrtime();
	rv = scsi_transport(pkt);
	if (rv != TRAN_ACCEPT) {
		fk_dma_drop_sync(0);
		*nsyncs = fk_dma_sync_count() - c0;
		(void) snprintf(desc, dlen, "scsi_transport %d", rv);
		scsi_destroy_pkt(pkt);
		sio_free(&s, k);
		return (O_BROKEN);
	}
	if (sio_wait(&s, WAIT_MS) != 0) {
		fk_dma_drop_sync(0);
		(void) snprintf(desc, dlen, "no completion in %d ms", WAIT_MS);
		return (O_HANG);
	}
	*nsyncs = fk_dma_sync_count() - c0;
	fk_dma_drop_sync(0);
	lat = s.s_end - s.s_start;
	good = sio_good(&s, k);
	(void) snprintf(desc, dlen, "reason %u status 0x%x resid %zd key %u "
	    "asc 0x%x, %s, %lld ms, completed %s", s.s_reason, s.s_status,
	    s.s_resid, s.s_key, s.s_asc, good ? "correct" : "wrong or failed",
	    (long long)NSEC2MSEC(lat), s.s_intr ? "by the interrupt" :
	    "outside the interrupt handler");
	scsi_destroy_pkt(pkt);
	sio_free(&s, k);
	if (!good)
		return (O_BROKEN);
	return (s.s_intr ? O_NONE : O_LATE);
}

/*
 * The dropped sync, from the fakekernel's log line: "dma: sync #n owner
 * TYPE off X len Y DROPPED (...), caller WHERE".
 */
typedef struct dropped {
	char		d_type[12];
	uint64_t	d_off;
	uint64_t	d_len;
	char		d_caller[160];
} dropped_t;

static int
find_dropped(uint_t log0, dropped_t *d)
{
	int i = fk_log_find("DROPPED", log0);
	const char *t, *p;

	bzero(d, sizeof (*d));
	if (i < 0)
		return (-1);
	t = fk_log_get((uint_t)i)->lm_text;
	p = strstr(t, " off ");
	if (p == NULL || sscanf(p, " off %llx len %llx",
	    (unsigned long long *)&d->d_off,
	    (unsigned long long *)&d->d_len) != 2)
		return (-1);
	(void) snprintf(d->d_type, sizeof (d->d_type), "%s",
	    strstr(t, "FORDEV") ? "FORDEV" : strstr(t, "FORCPU") ?
	    "FORCPU" : "FORKERNEL");
	p = strstr(t, "caller ");
	(void) snprintf(d->d_caller, sizeof (d->d_caller), "%s",
	    p != NULL ? p + 7 : "?");
	return (0);
}

/*
 * Syncs whose loss nobody can notice: our consumer indices handed to the
 * device (QEMU never reads them: it does not check the completion ring
 * for room, and reads the message consumer index only to post a
 * message), the message producer index taken when none is pending, and
 * the data of a READ that moved none.
 */
static const char *
harmless(kind_t k, const dropped_t *d)
{
	if (k == K_SENSE && strcmp(d->d_type, "FORCPU") == 0)
		return ("the data of a READ that ended in CHECK CONDITION: "
		    "none came");
	if (d->d_len != 4)
		return (NULL);
	if (strcmp(d->d_type, "FORDEV") == 0 &&
	    d->d_off == offsetof(pvscsi_rings_state_t, prs_cmp_cons))
		return ("completion consumer index: QEMU never reads it");
	if (strcmp(d->d_type, "FORDEV") == 0 &&
	    d->d_off == offsetof(pvscsi_rings_state_t, prs_msg_cons))
		return ("message consumer index: QEMU reads it only to post "
		    "a message");
	if (strcmp(d->d_type, "FORDEV") != 0 &&
	    d->d_off == offsetof(pvscsi_rings_state_t, prs_msg_prod))
		return ("message producer index: no message is pending");
	return (NULL);
}

/* After a drop: the driver settles, and an I/O of the kind succeeds. */
static int
recover(kind_t k)
{
	char desc[160];
	uint64_t n;
	outcome_t o;

	(void) fk_scsi_settle(fk_pci_hba(0), SEC2NSEC(20));
	(void) fk_scsi_tur(disk, NULL);		/* a reset's unit attention */
	o = run_io(k, 0, 0, &n, desc, sizeof (desc));
	if (o != O_NONE)
		drv_note("%s: recovery I/O: %s (%s)", kind_name[k],
		    outcome_name[o], desc);
	return (o == O_NONE || o == O_LATE);
}

static void
run_kind(kind_t k)
{
	char name[96], desc[160];
	uint64_t n, base = UINT64_MAX;
	uint_t counts[3];
	outcome_t o;

	/* The syncs of one I/O: the fewest of three runs. */
	for (int i = 0; i < 3; i++) {
		o = run_io(k, 0, 1, &n, desc, sizeof (desc));
		counts[i] = (uint_t)n;
		if (o == O_NONE && n < base)
			base = n;
	}
	drv_note("%s: syncs per I/O %u, %u, %u", kind_name[k], counts[0],
	    counts[1], counts[2]);
	(void) snprintf(name, sizeof (name), "%s-baseline", kind_name[k]);
	if (!CHECK(name, base != UINT64_MAX && base > 0 && base <= MAXSYNCS,
	    "expected I/Os that succeed with 1 to %d syncs, saw %s", MAXSYNCS,
	    desc))
		return;

	for (uint_t drop = 1; drop <= base; drop++) {
		dropped_t d;
		const char *why = NULL;
		uint_t log0;
		int tries, found, ok;

		/*
		 * A run counts when the sync dropped was the I/O's: if the
		 * I/O went through unharmed, it made exactly its usual
		 * syncs (no other thread's sync came in between).
		 */
		for (tries = 0; ; tries++) {
			log0 = fk_log_count();
			o = run_io(k, drop, 1, &n, desc, sizeof (desc));
			found = find_dropped(log0, &d);
			ok = o == O_HANG || (found == 0 &&
			    (o != O_NONE || n == base));
			if (ok || tries == 2)
				break;
			drv_note("%s sync %u: run again (%s, %llu syncs)",
			    kind_name[k], drop, found == 0 ? "another "
			    "thread synced meanwhile" : "not reached",
			    (unsigned long long)n);
		}
		(void) snprintf(name, sizeof (name), "%s-drop-%u",
		    kind_name[k], drop);
		if (o == O_HANG) {
			check_fail(name, "expected the driver to end the I/O "
			    "(%s)", desc);
			return;
		}
		if (!ok) {
			check_fail(name, "expected sync %u of the I/O dropped "
			    "alone, saw %s (%s)", drop, found == 0 ? "other "
			    "threads' syncs in every run" : "it not reached",
			    desc);
			continue;
		}
		why = harmless(k, &d);
		drv_note("%s sync %u/%u: %s off 0x%llx len 0x%llx, caller %s: "
		    "%s (%s)%s%s", kind_name[k], drop, (uint_t)base, d.d_type,
		    (unsigned long long)d.d_off, (unsigned long long)d.d_len,
		    d.d_caller, outcome_name[o], desc, why != NULL ? "; " : "",
		    why != NULL ? why : "");
		CHECK(name, o != O_NONE || why != NULL,
		    "expected the I/O to fail, time out, see wrong data or "
		    "complete late without sync %u (%s, caller %s), saw it "
		    "succeed (%s)", drop, d.d_type, d.d_caller, desc);
		(void) snprintf(name, sizeof (name), "%s-drop-%u-recovered",
		    kind_name[k], drop);
		CHECK(name, recover(k),
		    "expected an I/O of the kind to succeed afterwards");
	}
}

int
main(int argc, char **argv)
{
	int scatter = argc > 1 && strcmp(argv[1], "--scatter") == 0;
	fk_lun_info_t li;
	int err;

	if (scatter) {
		lio_scatter_memory();
		xfer = 32768;
	}
	drv_start();
	drv_units("unit", &disk, NULL);
	(void) fk_scsi_lun_info(disk, &li);
	capacity = li.li_nblocks;
	(void) drv_tune("pvscsi_recovery_time", 1);
	(void) fk_scsi_comp_mode(FK_SCSI_COMP_DIRECT);
	(void) fk_scsi_tur(disk, NULL);

	run_kind(K_READ);
	run_kind(K_WRITE);
	if (scatter) {
		CHECK("scattered", max_cookies > 1,
		    "expected transfers in several DMA cookies, saw %u",
		    max_cookies);
	} else {
		run_kind(K_NODATA);
		run_kind(K_SENSE);
	}

	fk_scsi_lun_rele(disk);
	err = drv_detach();
	CHECK("detach", err == 0, "expected 0, saw %d", err);
	drv_unload();
	return (check_exit());
}

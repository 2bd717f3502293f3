/*
 * Aborts and resets: tran_abort(9E) of one packet and of everything at an
 * address, tran_reset(9E) at RESET_LUN, RESET_TARGET, RESET_BUS and
 * RESET_ALL.
 *
 * Each on its own first, against packets held by slow disks (null disks
 * that answer after a second): the request ring (its depth as the device
 * was told at SETUP_RINGS, devtap.h) and 8 more, half to each disk, so
 * that the second disk's last 8 wait in the driver for a slot (a driver
 * may refuse those with TRAN_BUSY instead); the action is on the second
 * disk.  Every packet completes exactly once with the pkt_reason and
 * pkt_statistics of tran_abort(9E) and tran_reset(9E): CMD_ABORTED and
 * STAT_ABORTED for an abort, CMD_RESET and STAT_DEV_RESET for a unit or
 * target reset, STAT_BUS_RESET for the bus and the adapter, and packets
 * still waiting for a slot at once with STAT_ABORTED; packets not
 * concerned complete normally; the entry point returns 1 (a unit or bus
 * reset may return 0, failure, as tran_reset(9E) allows for a level the
 * HBA does not do: then nothing is reset), and I/O works afterwards.
 * QEMU's ABORT_CMD and resets wait for the I/O they cancel, during which
 * the device's other requests finish (see expected()).
 *
 * The entry points are called from interrupt context too: a pkt_comp run
 * in the interrupt handler's thread aborts, resets its target and the
 * adapter.
 *
 * Then a storm: cycles of all six at random addresses, under verified
 * read/write load at queue depth 32 on each of two file disks (write a
 * pattern, read back, compare; commands the storm ends are sent again);
 * after it, every region is read back and compared once more, and found
 * in the disk images on the host.  No packet lost or completed twice,
 * every reason with its statistics, no error, no console line, no
 * lock-order report (the witness: lock classes and ndi_devi_enter(9F)),
 * no deadlock.  50 cycles (SOAK=1: 1,000).
 *
 * Then the leaks, in steady state: a detach (its resources the baseline,
 * so that what the first attach made for good is not counted), an
 * attach, a storm of STORM_AGAIN cycles and a detach that must leave no
 * more kmem, threads or fds.  The resets come before any detach, so that
 * a driver whose detach fails is still judged on them.
 *
 * --white adds our driver's design: it queues what the ring cannot hold
 * (so the 8 more are accepted), RESET_ALL is an adapter reset (the
 * register tap shows ADAPTER_RESET followed by SETUP_RINGS,
 * SETUP_MSG_RING and an INTR_MASK write enabling completion and message
 * interrupts; one ADAPTER_RESET per storm cycle), every level returns 1;
 * and RING_PAGES=N sets its request ring to N pages (pvscsi_ring_pages):
 * with 1, 32 entries, the load keeps the wait queue in use.
 *
 * Topology (tests/lab/suites): hba0 with 64 MiB file disks at targets 0
 * and 1, and null disks with 1 s latency at targets 2 and 3; MSI, or
 * FK_INTR=fixed for INTx.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/sunddi.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/scsi/scsi.h>

#include "check.h"
#include "fk_impl.h"
#include "pvscsi.h"
#include "lib/drv.h"
#include "lib/labio.h"
#include "lib/labcheck.h"
#include "lib/labload.h"
#include "lib/devtap.h"
#include "lib/labpkt.h"
#include "lib/labsoak.h"

#define	NWAIT		8		/* packets held waiting for a slot */
#define	QD		32
#define	BLOCKS		16		/* 8 KiB per command */

static fk_lun_t *fast[2], *slow[2];

#define	STORM_AGAIN	5	/* cycles of the second round */
static uint64_t dups;
static uint_t ring;			/* request ring entries */
static int white;

typedef enum action {
	A_ABORT_PKT,
	A_ABORT_ALL,
	A_RESET_LUN,
	A_RESET_TARGET,
	A_RESET_BUS,
	A_RESET_ALL,
	A_NACTIONS
} action_t;

static const char *action_name[] = {
	"abort-packet", "abort-address", "reset-lun", "reset-target",
	"reset-bus", "reset-all"
};

static int
do_action(action_t a, fk_lun_t *lun, struct scsi_pkt *pkt)
{
	struct scsi_address *ap = &fk_scsi_lun_device(lun)->sd_address;

	switch (a) {
	case A_ABORT_PKT:
		return (scsi_abort(ap, pkt));
	case A_ABORT_ALL:
		return (scsi_abort(ap, NULL));
	case A_RESET_LUN:
		return (scsi_reset(ap, RESET_LUN));
	case A_RESET_TARGET:
		return (scsi_reset(ap, RESET_TARGET));
	case A_RESET_BUS:
		return (scsi_reset(ap, RESET_BUS));
	default:
		return (scsi_reset(ap, RESET_ALL));
	}
}

/*
 * tran_reset(9E) may fail (return 0) a level the HBA does not do: a
 * unit, or the bus alone.  Everything else must succeed (--white: every
 * level).
 */
static int
may_fail(action_t a)
{
	return (!white && (a == A_RESET_LUN || a == A_RESET_BUS));
}

/* The register tap saw a complete adapter setup after log index from. */
static void
check_setup_after_reset(const char *name, uint_t from, uint64_t masks0)
{
	uint_t n = dt_ncmds(), i, reset = UINT_MAX, rings = 0, msg = 0;
	uint32_t mask;
	uint64_t masks = dt_mask_writes(&mask);
	dt_cmd_t c;

	for (i = from; i < n; i++) {
		if (dt_cmd(i, &c) != 0)
			continue;
		if (c.dc_cmd == PVSCSI_CMD_ADAPTER_RESET && reset == UINT_MAX)
			reset = i;
		else if (c.dc_cmd == PVSCSI_CMD_SETUP_RINGS && reset != UINT_MAX)
			rings++;
		else if (c.dc_cmd == PVSCSI_CMD_SETUP_MSG_RING &&
		    reset != UINT_MAX && rings > 0)
			msg++;
	}
	CHECK(name, reset != UINT_MAX && rings == 1 && msg == 1 &&
	    masks > masks0 && (mask & (PVSCSI_INTR_CMPL_0 |
	    PVSCSI_INTR_MSG_0)) == (PVSCSI_INTR_CMPL_0 | PVSCSI_INTR_MSG_0),
	    "expected ADAPTER_RESET, then SETUP_RINGS, SETUP_MSG_RING and an "
	    "INTR_MASK write enabling CMPL_0 and MSG_0; saw reset %s, %u "
	    "SETUP_RINGS, %u SETUP_MSG_RING, %llu INTR_MASK writes, last "
	    "0x%x", reset != UINT_MAX ? "yes" : "no", rings, msg,
	    (unsigned long long)(masks - masks0), mask);
}

/*
 * What a held packet must end with after action a on the second slow
 * disk.  QEMU's ABORT_CMD and resets wait for the I/O they cancel to
 * finish, one request or one disk at a time, and meanwhile the device's
 * other requests (the slow disks answer at the same time) finish
 * normally.  So an abort of everything at an address aborts at least one
 * packet the device holds, a bus or adapter reset resets at least one
 * disk's, and the packets the device finished first complete normally
 * (E_EITHER).  Packets waiting for a slot end at once (E_EXACT).
 */
typedef enum expect {
	E_GOOD,		/* CMD_CMPLT, GOOD status, no statistics */
	E_EXACT,	/* reason and statistics */
	E_EITHER	/* reason and statistics, or E_GOOD */
} expect_t;

static expect_t
expected(action_t a, int d, int i, int per, uchar_t *reason, uint_t *stat)
{
	int waiting = d == 1 && i >= per - NWAIT;

	*reason = (a <= A_ABORT_ALL) ? CMD_ABORTED : CMD_RESET;
	*stat = STAT_ABORTED;
	if (a == A_ABORT_PKT)
		return (d == 1 && i == 0 ? E_EXACT : E_GOOD);
	if (d == 0 && a != A_RESET_BUS && a != A_RESET_ALL)
		return (E_GOOD);
	if (waiting)
		return (E_EXACT);
	if (a == A_RESET_LUN || a == A_RESET_TARGET) {
		*stat = STAT_DEV_RESET;
		return (E_EXACT);
	}
	if (a != A_ABORT_ALL)
		*stat = STAT_BUS_RESET;
	return (E_EITHER);
}

/*
 * Fill the request ring and 8 more (NWAIT) with READs to the two slow
 * disks, half each, the second's last 8 waiting for a slot; act on the
 * second; check every packet.
 */
static void
single(action_t a)
{
	int per = ring / 2 + NWAIT / 2, sent = 0, busy = 0, rv, bad = 0;
	int nhit = 0, least = (a == A_ABORT_PKT || a == A_ABORT_ALL) ? 1 :
	    (a == A_RESET_BUS || a == A_RESET_ALL) ? per - NWAIT : per;
	uint_t from = dt_ncmds(), mask = STAT_BUS_RESET | STAT_DEV_RESET |
	    STAT_ABORTED | STAT_TIMEOUT;
	uint64_t masks0 = dt_mask_writes(NULL);
	lp_t *held = calloc(2 * per, sizeof (lp_t));
	int *accepted = calloc(2 * per, sizeof (int));
	char name[96], what[200] = "";

	for (int d = 0; d < 2; d++) {
		for (int i = 0; i < per; i++) {
			rv = lp_send(&held[d * per + i], slow[d], 0,
			    8 * (i % 512), 8, 30, 0);
			accepted[d * per + i] = rv == TRAN_ACCEPT;
			sent += rv == TRAN_ACCEPT;
			busy += rv == TRAN_BUSY;
		}
	}
	(void) snprintf(name, sizeof (name), "%s: packets sent",
	    action_name[a]);
	if (!CHECK(name, sent == 2 * per || (!white && sent >= (int)ring &&
	    sent + busy == 2 * per), "expected %d packets accepted (or the "
	    "ring's %u and the rest refused with TRAN_BUSY), saw %d accepted, "
	    "%d TRAN_BUSY", 2 * per, ring, sent, busy))
		goto out;
	if (busy > 0) {
		drv_note("%s: %d packets beyond the ring refused with "
		    "TRAN_BUSY", action_name[a], busy);
	}
	delay(drv_usectohz(100000));	/* at the device, which holds them */
	rv = do_action(a, slow[1], held[per].lp_pkt);
	(void) snprintf(name, sizeof (name), "%s: returns 1%s",
	    action_name[a], may_fail(a) ? " (or 0: not done)" : "");
	CHECK(name, rv == 1 || (rv == 0 && may_fail(a)), "expected 1, saw %d",
	    rv);
	if (rv == 0 && may_fail(a)) {
		drv_note("%s: the HBA does not do it (0): every packet must "
		    "complete normally", action_name[a]);
		least = 0;
	}

	for (int d = 0; d < 2; d++) {
		for (int i = 0; i < per; i++) {
			lp_t *h = &held[d * per + i];
			struct scsi_pkt *pkt = h->lp_pkt;
			int n, good, match;
			uchar_t reason;
			uint_t stat;
			expect_t e = expected(a, d, i, per, &reason, &stat);

			if (!accepted[d * per + i])
				continue;
			if (rv != 1)
				e = E_GOOD;
			n = lp_wait(h, 30);

			good = pkt->pkt_reason == CMD_CMPLT &&
			    (pkt->pkt_statistics & mask) == 0 &&
			    (*pkt->pkt_scbp & STATUS_MASK) == STATUS_GOOD;
			match = pkt->pkt_reason == reason &&
			    (pkt->pkt_statistics & mask) == stat;
			nhit += n == 1 && e != E_GOOD && match;
			if (n == 1 && ((e == E_GOOD && good) ||
			    (e == E_EXACT && match) ||
			    (e == E_EITHER && (match || good))))
				continue;
			if (bad++ == 0) {
				(void) snprintf(what, sizeof (what), "disk %d "
				    "packet %d: %d completions, reason %u "
				    "statistics 0x%x status 0x%x, expected "
				    "%s reason %u statistics 0x%x", d + 2, i,
				    n, pkt->pkt_reason, pkt->pkt_statistics,
				    *pkt->pkt_scbp, e == E_GOOD ? "GOOD" :
				    e == E_EXACT ? "exactly" : "GOOD or", reason,
				    stat);
			}
		}
	}
	(void) snprintf(name, sizeof (name), "%s: at least %d packet%s %s",
	    action_name[a], least, least > 1 ? "s" : "",
	    a <= A_ABORT_ALL ? "aborted" : "reset");
	CHECK(name, nhit >= least, "saw %d", nhit);
	(void) snprintf(name, sizeof (name), "%s: each packet once, with "
	    "its reason and statistics", action_name[a]);
	CHECK(name, bad == 0, "%d wrong: %s", bad, what);
	if (white && a == A_RESET_ALL) {
		(void) snprintf(name, sizeof (name), "%s: rings set up again",
		    action_name[a]);
		check_setup_after_reset(name, from, masks0);
	}

	/* I/O works afterwards (sd-like: unit attentions retried). */
	bad = 0;
	for (int d = 0; d < 2; d++) {
		uchar_t *buf = fk_scsi_buf_alloc(4096);

		if (fk_scsi_read(slow[d], 0, 8, buf, NULL) != 0 ||
		    fk_scsi_read(fast[d], 0, 8, buf, NULL) != 0)
			bad++;
		fk_scsi_buf_free(buf, 4096);
	}
	(void) snprintf(name, sizeof (name), "%s: I/O works afterwards",
	    action_name[a]);
	CHECK(name, bad == 0, "expected reads of all four disks to work, "
	    "%d failed", bad);
out:
	for (int i = 0; i < 2 * per; i++) {
		/* One that never completes keeps its packet (and the array). */
		if (accepted[i] && lp_wait(&held[i], 30) == 0)
			return;
	}
	for (int i = 0; i < 2 * per; i++)
		lp_free(&held[i]);
	free(held);
	free(accepted);
}

/*
 * tran_abort(9E) and tran_reset(9E) may be called from interrupt context:
 * a pkt_comp delivered in the interrupt handler's thread (completions
 * direct) aborts everything at its address and resets its target and the
 * adapter.
 */
static struct {
	kmutex_t	ic_lock;
	kcondvar_t	ic_cv;
	int		ic_done;
	int		ic_intr;
	int		ic_rv[3];
} ic;

static void
ictx_comp(struct scsi_pkt *pkt)
{
	int intr = fk_in_intr();
	int rv0 = scsi_abort(&pkt->pkt_address, NULL);
	int rv1 = scsi_reset(&pkt->pkt_address, RESET_TARGET);
	int rv2 = scsi_reset(&pkt->pkt_address, RESET_ALL);

	mutex_enter(&ic.ic_lock);
	ic.ic_intr = intr;
	ic.ic_rv[0] = rv0;
	ic.ic_rv[1] = rv1;
	ic.ic_rv[2] = rv2;
	ic.ic_done++;
	cv_broadcast(&ic.ic_cv);
	mutex_exit(&ic.ic_lock);
}

static void
interrupt_context(void)
{
	struct scsi_address *ap = &fk_scsi_lun_device(fast[0])->sd_address;
	struct scsi_pkt *pkt;
	hrtime_t end = gethrtime() + SEC2NSEC(20);
	int old = fk_scsi_comp_mode(FK_SCSI_COMP_DIRECT), rv;

	mutex_init(&ic.ic_lock, NULL, MUTEX_DRIVER, NULL);
	cv_init(&ic.ic_cv, NULL, CV_DRIVER, NULL);
	(void) fk_scsi_tur(fast[0], NULL);
	pkt = scsi_init_pkt(ap, NULL, NULL, CDB_GROUP0,
	    sizeof (struct scsi_arq_status), 0, 0, SLEEP_FUNC, NULL);
	bzero(pkt->pkt_cdbp, CDB_GROUP0);	/* TEST UNIT READY */
	pkt->pkt_time = 30;
	pkt->pkt_comp = ictx_comp;
	rv = scsi_transport(pkt);
	mutex_enter(&ic.ic_lock);
	while (rv == TRAN_ACCEPT && ic.ic_done == 0 && gethrtime() < end) {
		(void) cv_reltimedwait(&ic.ic_cv, &ic.ic_lock,
		    drv_usectohz(100000), TR_CLOCK_TICK);
	}
	mutex_exit(&ic.ic_lock);
	(void) fk_scsi_comp_mode(old);
	CHECK("interrupt context: abort, target reset and adapter reset "
	    "from pkt_comp in the interrupt handler return 1", rv ==
	    TRAN_ACCEPT && ic.ic_done == 1 && ic.ic_intr && ic.ic_rv[0] == 1 &&
	    ic.ic_rv[1] == 1 && ic.ic_rv[2] == 1, "transport %d, %d "
	    "completions, in interrupt context %d, returned %d, %d, %d", rv,
	    ic.ic_done, ic.ic_intr, ic.ic_rv[0], ic.ic_rv[1], ic.ic_rv[2]);
	if (ic.ic_done == 1)
		scsi_destroy_pkt(pkt);
	mutex_destroy(&ic.ic_lock);
	cv_destroy(&ic.ic_cv);
}

/* The regions as the disk images on the host hold them. */
static void
check_images(ll_t **ll)
{
	uint64_t lba, seed;
	size_t len;
	int bad = 0, n = 0, err = 0;

	for (int d = 0; d < 2; d++) {
		for (uint_t i = 0; ll_region(ll[d], i, &lba, &len, &seed) == 0;
		    i++) {
			uchar_t *img = malloc(len);

			if (seed != 0 && (err = lio_image_read(0, d, lba * 512,
			    img, len)) == 0) {
				n++;
				bad += lio_verify(img, len, lba * 512, seed) >= 0;
			}
			free(img);
		}
	}
	CHECK("storm: the disk images hold the last patterns", n == 2 * QD &&
	    bad == 0 && err == 0, "expected %d regions as written, saw %d "
	    "checked, %d differ (error %d)", 2 * QD, n, bad, err);
}

/*
 * The storm: cycles of all six actions under verified load.  whole: the
 * main storm, long enough that every kind of ending must have happened;
 * the short one of the leak round checks the rest.
 */
static void
storm(int cycles, int whole)
{
	ll_t *ll[2];
	ll_stats_t st, sum;
	uint64_t t0r = dt_total(PVSCSI_CMD_ADAPTER_RESET);
	uint64_t t0b = dt_total(PVSCSI_CMD_RESET_BUS);
	uint64_t t0d = dt_total(PVSCSI_CMD_RESET_DEVICE);
	uint64_t t0a = dt_total(PVSCSI_CMD_ABORT_CMD);
	uint_t rnd = 12345;
	int bad_rv = 0, stalled = 0, verify;
	uint_t resets;
	char what[160] = "";
	double t0 = lio_now();

	bzero(&sum, sizeof (sum));
	for (int d = 0; d < 2; d++) {
		(void) fk_scsi_set_depth(fast[d], QD);
		ll[d] = ll_start(fast[d], QD, 1024, BLOCKS, 30);
	}
	for (int c = 0; c < cycles; c++) {
		for (action_t a = 0; a < A_NACTIONS; a++) {
			int d, rv;

			rnd = rnd * 1103515245 + 12345;
			d = (rnd >> 16) & 1;
			if (ll_progress(ll[d], 4, 30) != 0)
				stalled++;
			if (a == A_ABORT_PKT) {
				rv = ll_abort_one(ll[d], rnd >> 8);
				if (rv == -1)
					continue;	/* none in transport */
				/* 0: it completed before it could be aborted */
			} else {
				rv = do_action(a, fast[d], NULL);
			}
			if (rv != 1 && !(rv == 0 && may_fail(a)) &&
			    a != A_ABORT_PKT && bad_rv++ == 0) {
				(void) snprintf(what, sizeof (what), "%s on "
				    "disk %d returned %d", action_name[a], d,
				    rv);
			}
		}
		if ((c + 1) % MAX(cycles / 5, 10) == 0) {
			drv_note("storm: %d cycles, %.1f s", c + 1,
			    lio_now() - t0);
		}
	}
	for (int d = 0; d < 2; d++)
		ll_stop(ll[d]);
	verify = ll_verify(ll[0]) + ll_verify(ll[1]);
	for (int d = 0; d < 2; d++) {
		ll_stats(ll[d], &st);
		ll_stats_add(&sum, &st);
	}
	dups += sum.ls_dups;
	resets = dt_total(PVSCSI_CMD_ADAPTER_RESET) - t0r;
	drv_note("storm: %d cycles in %.1f s: %llu passes, %llu transports, "
	    "%llu completions (%llu CMD_CMPLT, %llu CMD_RESET, %llu "
	    "CMD_ABORTED), %llu retries, %llu unit attentions; %u adapter "
	    "resets, %u bus resets, %u device resets, %u aborts sent",
	    cycles, lio_now() - t0, (unsigned long long)sum.ls_passes,
	    (unsigned long long)sum.ls_transports,
	    (unsigned long long)sum.ls_comps,
	    (unsigned long long)sum.ls_reason[CMD_CMPLT],
	    (unsigned long long)sum.ls_reason[CMD_RESET],
	    (unsigned long long)sum.ls_reason[CMD_ABORTED],
	    (unsigned long long)sum.ls_retries,
	    (unsigned long long)sum.ls_ua, resets,
	    (uint_t)(dt_total(PVSCSI_CMD_RESET_BUS) - t0b),
	    (uint_t)(dt_total(PVSCSI_CMD_RESET_DEVICE) - t0d),
	    (uint_t)(dt_total(PVSCSI_CMD_ABORT_CMD) - t0a));
	CHECK("storm: every entry point returned 1", bad_rv == 0, "%d did "
	    "not: %s", bad_rv, what);
	CHECK("storm: the load progressed between actions", stalled == 0,
	    "%d times no 4 passes within 30 s", stalled);
	if (white) {
		CHECK("storm: adapter resets", resets == (uint_t)cycles,
		    "expected %d ADAPTER_RESET commands, saw %u", cycles,
		    resets);
	}
	CHECK("storm: each packet completed once", sum.ls_transports ==
	    sum.ls_comps && sum.ls_dups == 0 && sum.ls_hangs == 0,
	    "expected completions == transports, no duplicate, no hang; saw "
	    "%llu transports, %llu completions, %llu duplicates, %llu hangs: "
	    "%s", (unsigned long long)sum.ls_transports,
	    (unsigned long long)sum.ls_comps,
	    (unsigned long long)sum.ls_dups,
	    (unsigned long long)sum.ls_hangs, sum.ls_first);
	CHECK("storm: reasons carry their statistics", sum.ls_bad_stat == 0,
	    "%llu did not: %s", (unsigned long long)sum.ls_bad_stat,
	    sum.ls_first);
	if (whole) {
		CHECK("storm: the resets and aborts ended packets",
		    sum.ls_reason[CMD_RESET] > 0 &&
		    sum.ls_reason[CMD_ABORTED] > 0 &&
		    sum.ls_stat_bus > 0 && sum.ls_stat_dev > 0,
		    "expected CMD_RESET (bus and device) and CMD_ABORTED "
		    "completions, saw %llu CMD_RESET (%llu bus, %llu device), "
		    "%llu CMD_ABORTED",
		    (unsigned long long)sum.ls_reason[CMD_RESET],
		    (unsigned long long)sum.ls_stat_bus,
		    (unsigned long long)sum.ls_stat_dev,
		    (unsigned long long)sum.ls_reason[CMD_ABORTED]);
	}
	CHECK("storm: no error", sum.ls_errors == 0 && sum.ls_gone == 0,
	    "saw %llu errors, %llu slots gone: %s",
	    (unsigned long long)sum.ls_errors,
	    (unsigned long long)sum.ls_gone, sum.ls_first);
	CHECK("storm: data verified during and after", verify == 0 &&
	    sum.ls_verify_errors == 0, "%llu mismatches during, %d regions "
	    "after: %s", (unsigned long long)sum.ls_verify_errors, verify,
	    sum.ls_first);
	check_images(ll);
	for (int d = 0; d < 2; d++)
		ll_free(ll[d]);
}

/* The four disks of the topology, held; 0 when one is missing. */
static int
disks_get(void)
{
	char ua[8];

	for (int d = 0; d < 2; d++) {
		(void) snprintf(ua, sizeof (ua), "%d,0", d);
		fast[d] = drv_lun(0, ua, 10);
		(void) snprintf(ua, sizeof (ua), "%d,0", d + 2);
		slow[d] = drv_lun(0, ua, 10);
	}
	return (CHECK("four disks", fast[0] != NULL && fast[1] != NULL &&
	    slow[0] != NULL && slow[1] != NULL, "expected LUNs 0..3,0"));
}

static void
disks_rele(void)
{
	for (int d = 0; d < 2; d++) {
		fk_scsi_lun_rele(fast[d]);
		fk_scsi_lun_rele(slow[d]);
	}
}

/*
 * Detach, checking first that nothing is left in transport and that the
 * interrupts were delivered, and read what the process then holds.
 */
static void
detach_clean(lio_res_t *r)
{
	int err;

	disks_rele();
	lio_check_clean("recover");
	lio_check_intr("recover");
	err = drv_detach();
	CHECK("detach", err == 0, "expected 0, saw %d", err);
	lio_res_get(r);
}

int
main(int argc, char **argv)
{
	const char *soak = getenv("SOAK");
	const char *pages = getenv("RING_PAGES");
	int cycles = (soak != NULL && atoi(soak) != 0) ? 1000 : 50;
	uint_t req, cmp, msg;
	lio_res_t r0, r1;

	white = drv_white(&argc, argv);
	if (pages != NULL && !CHECK("RING_PAGES needs --white", white &&
	    drv_tune("pvscsi_ring_pages", (uint_t)atoi(pages)) == 0,
	    "RING_PAGES sets our driver's tunable: a white-box scenario"))
		return (check_exit());
	dt_start();
	drv_start();
	if (!disks_get())
		return (check_exit());
	dt_ring_pages(&req, &cmp, &msg);
	ring = req * PVSCSI_REQS_PER_PAGE;
	if (!CHECK("ring-depth", ring >= 2 * NWAIT, "expected the request "
	    "ring's pages in a SETUP_RINGS, saw %u entries", ring))
		return (check_exit());
	drv_note("request ring: %u entries (SETUP_RINGS)", ring);

	for (action_t a = 0; a < A_NACTIONS; a++)
		single(a);
	interrupt_context();
	storm(cycles, 1);
	detach_clean(&r0);

	/*
	 * What resets leave behind, in steady state: the first round's
	 * detach is the baseline (what the first attach created for good is
	 * in it); a second attach and a short storm must end with no more.
	 */
	drv_note("again: attach, a storm of %d cycles, detach", STORM_AGAIN);
	(void) drv_attach();
	if (!disks_get())
		return (check_exit());
	storm(STORM_AGAIN, 0);
	detach_clean(&r1);
	soak_report("recover", dups, &r0, &r1);
	drv_unload();
	dt_stop();
	return (check_exit());
}

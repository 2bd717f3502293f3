/*
 * Hot add and hot remove over QMP, under load, and the message ring.
 *
 *   t_hotplug cycles	a file disk at target 3 is added and removed 20
 *			times (SOAK=1: 200) while verified read/write load
 *			runs at queue depth 16 on the disks at targets 0
 *			and 1: each time DEV_ADDED leads to the unit
 *			"3,0" being found with its capacity, written, read
 *			back and compared, and DEV_REMOVED to its
 *			departure, after which I/O to it fails with ENXIO;
 *			the load never fails;
 *   t_hotplug loaded	the disk at target 3 is removed while it is open
 *			(fk_scsi_lun_open: as a file system keeps sd open)
 *			and under load at queue depth 32: every packet sent
 *			to it completes (QEMU cancels what it holds,
 *			ABORTQUEUE: CMD_ABORTED; later ones find no device,
 *			SELTIMEO: CMD_DEV_GONE, or are refused once the unit
 *			is gone), none hangs, every load slot stops for the
 *			unit being gone, I/O to it fails with ENXIO, its
 *			node is gone once it is closed (an HBA whose
 *			ndi_devi_offline(9F) failed with NDI_BUSY while it
 *			was open must try again), and the other disks' load
 *			goes on; then a slow disk added at the same target
 *			is found as a new unit and removed while it holds
 *			32 READs: each ends CMD_ABORTED;
 *   t_hotplug msgring	many messages per interrupt, and a full ring: the
 *			FIXED interrupt's handler (FK_INTR=fixed: only
 *			it touches INTR_STATUS) is held (devtap.h) while QMP
 *			adds and removes disks: 20 messages at once are
 *			taken in one pass; then more than the ring holds
 *			(the device drops the rest, including the last
 *			arrivals) and the driver, finding the ring full,
 *			rescans: the units present afterwards are exactly
 *			the disks QEMU has;
 *   t_hotplug luns	a message about LUN 1 of target 0, which QEMU
 *			cannot send (pvscsi has LUN 0 only), injected into
 *			the message ring, makes the driver rescan that
 *			target's LUNs (scsi_hba_tgtmap_scan_luns(9F): the
 *			framework sends it REPORT LUNS) and not scan the
 *			bus; a ring filled with such messages, while the
 *			device drops a hot add for want of room, makes the
 *			driver scan the bus and find the new disk (the
 *			handler held as in msgring); an
 *			adapter reset then sets the ring up anew and a hot
 *			add is found again.
 *
 * With no argument, all four.  Every packet completed exactly once, no
 * console line, no lock-order report.  Then the leaks in steady state:
 * after a detach (the baseline), an attach, two more add and remove
 * cycles and a detach leave no more kmem, threads or fds.  The hot plug
 * comes before any detach, so that a driver whose detach fails is still
 * judged on it.
 *
 * Topology (tests/lab/suites): hba0 with 64 MiB file disks at targets 0
 * and 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include <sys/sunddi.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/scsi/scsi.h>

#include "check.h"
#include "qmp.h"
#include "pvscsi.h"
#include "lib/drv.h"
#include "lib/labio.h"
#include "lib/labcheck.h"
#include "lib/labload.h"
#include "lib/devtap.h"
#include "lib/labpkt.h"
#include "lib/labsoak.h"

#define	HOT		3	/* the target added and removed */
#define	DISK		"file,size=16M"
#define	WAIT		20	/* seconds for an arrival or departure */
#define	SHORT_WAIT	10	/* for what a working HBA does at once */

static int qfd = -1;
static fk_lun_t *base[2];
static uint64_t dups;

static fk_lun_t *
lun_at(int target, int secs)
{
	char ua[16];

	(void) snprintf(ua, sizeof (ua), "%x,0", target);
	return (drv_lun(0, ua, secs));
}

/* A unit at target,0 other than old, held; NULL after secs. */
static fk_lun_t *
lun_new_at(int target, fk_lun_t *old, int secs)
{
	hrtime_t end = gethrtime() + SEC2NSEC(secs);
	fk_lun_t *lun;

	while ((lun = lun_at(target, 0)) == old || lun == NULL) {
		if (lun != NULL)
			fk_scsi_lun_rele(lun);
		if (gethrtime() > end)
			return (NULL);
		(void) fk_scsi_wait_event(fk_scsi_events(), MSEC2NSEC(100));
	}
	return (lun);
}

/* Wait until unit target,0 is gone (or never was): 1, or 0 on timeout. */
static int
lun_departed(int target, int secs)
{
	char ua[16];

	(void) snprintf(ua, sizeof (ua), "%x,0", target);
	return (drv_lun_departed(0, ua, secs));
}

/* Wait until n slots of a load have stopped for their unit being gone. */
static void
load_gone(ll_t *ll, uint_t n, int secs)
{
	hrtime_t end = gethrtime() + SEC2NSEC(secs);
	ll_stats_t st;

	for (;;) {
		ll_stats(ll, &st);
		if (st.ls_gone >= n || gethrtime() > end)
			return;
		delay(drv_usectohz(100000));
	}
}

static void
load_start(ll_t **ll, int qd)
{
	for (int d = 0; d < 2; d++) {
		(void) fk_scsi_set_depth(base[d], qd);
		ll[d] = ll_start(base[d], qd, 2048, 16, 30);
	}
}

/* Verified I/O to a new unit; 0 or an errno. */
static int
io_check(fk_lun_t *lun, uint64_t seed)
{
	uchar_t *w = fk_scsi_buf_alloc(65536), *r = fk_scsi_buf_alloc(65536);
	int err;

	lio_fill(w, 65536, 0, seed);
	if ((err = fk_scsi_write(lun, 0, 128, w, NULL)) == 0 &&
	    (err = fk_scsi_read(lun, 0, 128, r, NULL)) == 0 &&
	    memcmp(w, r, 65536) != 0)
		err = EIO;
	fk_scsi_buf_free(w, 65536);
	fk_scsi_buf_free(r, 65536);
	return (err);
}

static void
test_cycles(int cycles)
{
	ll_t *ll[2];
	int bad_add = 0, bad_find = 0, bad_io = 0, bad_del = 0, bad_gone = 0;
	int bad_after = 0;
	double t0 = lio_now(), tadd = 0, tdel = 0;
	char what[160] = "";

	load_start(ll, 16);
	for (int c = 0; c < cycles; c++) {
		fk_lun_info_t li;
		fk_lun_t *lun;
		uchar_t *buf;
		double t = lio_now();
		int err;

		if (qmp_disk_add(qfd, 0, HOT, DISK) != 0) {
			if (bad_add++ == 0)
				(void) snprintf(what, sizeof (what), "cycle "
				    "%d: device_add: %s", c, qmp_last_error());
			break;
		}
		if ((lun = lun_at(HOT, WAIT)) == NULL) {
			bad_find++;
		} else {
			tadd += lio_now() - t;
			(void) fk_scsi_lun_info(lun, &li);
			if (!li.li_cap_valid || li.li_nblocks != 32768 ||
			    (err = io_check(lun, c + 1)) != 0)
				bad_io++;
		}
		t = lio_now();
		if (qmp_disk_del(qfd, 0, HOT) != 0) {
			if (bad_del++ == 0)
				(void) snprintf(what, sizeof (what), "cycle "
				    "%d: device_del: %s", c, qmp_last_error());
			break;
		}
		if (!lun_departed(HOT, WAIT))
			bad_gone++;
		tdel += lio_now() - t;
		if (lun != NULL) {
			buf = fk_scsi_buf_alloc(4096);
			if (fk_scsi_read(lun, 0, 8, buf, NULL) != ENXIO)
				bad_after++;
			fk_scsi_buf_free(buf, 4096);
			fk_scsi_lun_rele(lun);
		}
		if ((c + 1) % MAX(cycles / 10, 10) == 0) {
			drv_note("cycles: %d in %.1f s (add to found %.2f s, "
			    "remove to gone %.2f s on average)", c + 1,
			    lio_now() - t0, tadd / (c + 1), tdel / (c + 1));
		}
	}
	CHECK("cycles: QMP device_add and device_del", bad_add == 0 &&
	    bad_del == 0, "%s", what);
	CHECK("cycles: each added disk found", bad_find == 0, "%d of %d not "
	    "found within %d s", bad_find, cycles, WAIT);
	CHECK("cycles: each added disk has its capacity and verified I/O",
	    bad_io == 0, "%d of %d failed", bad_io, cycles);
	CHECK("cycles: each removed disk departs", bad_gone == 0, "%d of %d "
	    "still there after %d s", bad_gone, cycles, WAIT);
	CHECK("cycles: I/O to a departed unit fails with ENXIO",
	    bad_after == 0, "%d did not", bad_after);
	dups += lio_check_load("cycles", ll, 2, 0);
}

/*
 * A slow disk (2 s) removed while it holds 32 READs: QEMU cancels them as
 * it takes the disk away, and each completes once, CMD_ABORTED with
 * STAT_ABORTED, within seconds.
 */
static void
test_loaded_slow(fk_lun_t *old)
{
	static lp_t lp[32];
	fk_lun_t *lun;
	int sent = 0, bad = 0, err;
	char what[160] = "";

	if (qmp_disk_add(qfd, 0, HOT, "null,size=16M,latency=2000000000") !=
	    0) {
		(void) CHECK("loaded-slow: device_add", 0, "%s",
		    qmp_last_error());
		return;
	}
	if ((lun = lun_new_at(HOT, old, SHORT_WAIT)) == NULL) {
		(void) CHECK("loaded-slow: a disk added at the removed one's "
		    "target is found, a new unit", 0, "none within %d s%s",
		    SHORT_WAIT, fk_scsi_lun_gone(old) ? "" : " (the removed "
		    "disk's unit still holds the address)");
		(void) qmp_disk_del(qfd, 0, HOT);
		return;
	}
	(void) fk_scsi_tur(lun, NULL);		/* the power-on attention */
	for (int i = 0; i < 32; i++)
		sent += lp_send(&lp[i], lun, 0, 8 * i, 8, 30, 0) == TRAN_ACCEPT;
	delay(drv_usectohz(200000));
	err = qmp_disk_del(qfd, 0, HOT);
	for (int i = 0; i < 32; i++) {
		struct scsi_pkt *pkt = lp[i].lp_pkt;
		int n = lp_wait(&lp[i], 10);

		if (n == 1 && pkt->pkt_reason == CMD_ABORTED &&
		    (pkt->pkt_statistics & STAT_ABORTED) && lp_secs(&lp[i]) < 5)
			continue;
		if (bad++ == 0) {
			(void) snprintf(what, sizeof (what), "packet %d: %d "
			    "completions, reason %u, statistics 0x%x, after "
			    "%.1f s", i, n, pkt->pkt_reason,
			    pkt->pkt_statistics, lp_secs(&lp[i]));
		}
	}
	CHECK("loaded-slow: packets the removed disk held end CMD_ABORTED, "
	    "once each", sent == 32 && err == 0 && bad == 0, "%d sent, "
	    "device_del %d, %d wrong: %s", sent, err, bad, what);
	CHECK("loaded-slow: the disk departs", lun_departed(HOT, WAIT),
	    "still there after %d s", WAIT);
	for (int i = 0; i < 32; i++)
		lp_free(&lp[i]);
	fk_scsi_lun_rele(lun);
}

/*
 * The disk at HOT, open and under load, is removed.  What illumos
 * requires of the HBA: I/O to the removed disk fails (ENXIO, the device
 * removed), and its node goes once the target driver has closed it (the
 * offline that fails while the disk is open or busy must be retried); a
 * disk added later at the same target is a new unit.
 */
static void
test_loaded(void)
{
	ll_t *ll[3];
	fk_lun_t *lun;
	uchar_t *buf;
	int err, gone, opened;

	if (qmp_disk_add(qfd, 0, HOT, DISK) != 0 ||
	    (lun = lun_at(HOT, WAIT)) == NULL) {
		(void) CHECK("loaded: disk added and found", 0, "%s",
		    qmp_last_error());
		return;
	}
	opened = fk_scsi_lun_open(lun) == 0;
	CHECK("loaded: the disk opens", opened, "ENXIO");
	load_start(ll, 8);
	(void) fk_scsi_set_depth(lun, 32);
	ll[2] = ll_start(lun, 32, 0, 16, 30);
	(void) ll_progress(ll[2], 64, 30);
	err = qmp_disk_del(qfd, 0, HOT);
	CHECK("loaded: device_del of the open, loaded disk", err == 0, "%s",
	    qmp_last_error());
	load_gone(ll[2], 32, WAIT);
	ll_stop(ll[2]);
	buf = fk_scsi_buf_alloc(4096);
	err = fk_scsi_read(lun, 0, 8, buf, NULL);
	fk_scsi_buf_free(buf, 4096);
	if (opened)
		fk_scsi_lun_close(lun);
	gone = lun_departed(HOT, SHORT_WAIT);
	CHECK("loaded: the removed disk's node is gone once closed", gone,
	    "unit 3,0 still there %d s after the close", SHORT_WAIT);
	CHECK("loaded: I/O to the removed disk fails with ENXIO", err == ENXIO,
	    "saw %d", err);
	(void) ll_progress(ll[0], 16, 30);
	dups += lio_check_load("loaded: the removed disk", &ll[2], 1, 32);
	dups += lio_check_load("loaded: the other disks", ll, 2, 0);
	test_loaded_slow(lun);
	fk_scsi_lun_rele(lun);
}

/* Units present among targets 2..15, as a bit mask. */
static uint_t
present(void)
{
	uint_t m = 0;

	for (int t = 2; t < 16; t++) {
		fk_lun_t *lun = lun_at(t, 0);

		if (lun != NULL) {
			m |= 1U << t;
			fk_scsi_lun_rele(lun);
		}
	}
	return (m);
}

/* Wait until the units present are want: 1, or 0 on timeout. */
static int
present_wait(uint_t want, int secs, uint_t *seen)
{
	hrtime_t end = gethrtime() + SEC2NSEC(secs);

	while ((*seen = present()) != want) {
		if (gethrtime() > end)
			return (0);
		(void) fk_scsi_wait_event(fk_scsi_events(), MSEC2NSEC(200));
	}
	return (1);
}

/*
 * Hold the interrupt handler, run QMP operations (add these targets,
 * then add and remove target churn n times), note the message ring's
 * fill, release.
 */
static int
held_ops(const int *adds, int nadds, int churn, int n, uint32_t *fill)
{
	uint32_t prod, cons;
	int err = 0;

	dt_stall(1);
	err |= qmp_disk_add(qfd, 0, adds[0], "null,size=16M");
	if (!dt_stalled(5000)) {
		dt_stall(0);
		return (-1);
	}
	for (int i = 1; i < nadds; i++)
		err |= qmp_disk_add(qfd, 0, adds[i], "null,size=16M");
	for (int i = 0; i < n; i++) {
		err |= qmp_disk_add(qfd, 0, churn, "null,size=16M");
		err |= qmp_disk_del(qfd, 0, churn);
	}
	*fill = dt_msg_indices(&prod, &cons) == 0 ? prod - cons : 0;
	dt_stall(0);
	return (err);
}

static void
test_msgring(void)
{
	static const int first[] = { 4 }, second[] = { 7, 8 };
	uint_t seen, want;
	uint32_t fill = 0;
	int err;

	/* 21 messages in one pass: 4 added, 6 added and removed 10 times. */
	err = held_ops(first, 1, 6, 10, &fill);
	want = 1U << 4;
	/* 20, if the 1 Hz ring service took the first before the handler */
	CHECK("msgring: 21 messages wait in the ring", err == 0 &&
	    (fill == 21 || fill == 20), "QMP %d, ring holds %u", err, fill);
	CHECK("msgring: after them, the units are the disks QEMU has",
	    present_wait(want, WAIT, &seen), "expected 0x%x, saw 0x%x", want,
	    seen);

	/* A full ring: 4 and 6 come and go 20 times, then 7 and 8 come. */
	err = qmp_disk_del(qfd, 0, 4);
	dt_stall(1);
	err |= qmp_disk_add(qfd, 0, 4, "null,size=16M");
	if (!dt_stalled(5000)) {
		(void) CHECK("msgring: handler held", 0, "no interrupt came");
		dt_stall(0);
		return;
	}
	for (int i = 0; i < 20; i++) {
		err |= qmp_disk_add(qfd, 0, 6, "null,size=16M");
		err |= qmp_disk_del(qfd, 0, 6);
	}
	for (int i = 0; i < 2; i++)
		err |= qmp_disk_add(qfd, 0, second[i], "null,size=16M");
	{
		uint32_t prod, cons;

		fill = dt_msg_indices(&prod, &cons) == 0 ? prod - cons : 0;
	}
	dt_stall(0);
	want = (1U << 4) | (1U << 7) | (1U << 8);
	CHECK("msgring: the ring filled (the device dropped messages)",
	    err == 0 && fill == PVSCSI_MSGS_PER_PAGE, "QMP %d, ring holds %u",
	    err, fill);
	CHECK("msgring: after a full ring, the units are the disks QEMU has",
	    present_wait(want, WAIT, &seen), "expected 0x%x, saw 0x%x", want,
	    seen);
	err = qmp_disk_del(qfd, 0, 4) | qmp_disk_del(qfd, 0, 7) |
	    qmp_disk_del(qfd, 0, 8);
	CHECK("msgring: and after removing them, none", err == 0 &&
	    present_wait(0, WAIT, &seen), "QMP %d, saw 0x%x", err, seen);
}

/*
 * REPORT LUNS seen on the way to the driver: the iport's tran_start is
 * wrapped.
 */
static int (*orig_start)(struct scsi_address *, struct scsi_pkt *);
static volatile int report_luns[16];

static int
spy_start(struct scsi_address *ap, struct scsi_pkt *pkt)
{
	char *ua = scsi_device_unit_address(scsi_address_device(ap));
	long t;

	if (pkt->pkt_cdbp[0] == SCMD_REPORT_LUNS && ua != NULL &&
	    ddi_strtol(ua, NULL, 16, &t) == 0 && t >= 0 && t < 16)
		__atomic_fetch_add(&report_luns[t], 1, __ATOMIC_SEQ_CST);
	return (orig_start(ap, pkt));
}

static void
tur_done(fk_scsi_cmd_t *cmd, void *arg)
{
}

/*
 * Hold the interrupt handler on a completion (not a message): a TEST
 * UNIT READY submitted to target 0.  1 when held.
 */
static int
hold_on_completion(fk_scsi_cmd_t *cmd)
{
	bzero(cmd, sizeof (*cmd));
	cmd->sc_cdb[0] = SCMD_TEST_UNIT_READY;
	cmd->sc_cdblen = CDB_GROUP0;
	cmd->sc_done = tur_done;
	dt_stall(1);
	if (fk_scsi_submit(base[0], cmd) != 0 || !dt_stalled(5000)) {
		dt_stall(0);
		return (0);
	}
	return (1);
}

static void
test_luns(void)
{
	scsi_hba_tran_t *tran =
	    fk_scsi_lun_device(base[0])->sd_address.a_hba_tran;
	uint_t from, seen;
	uint64_t kicks;
	hrtime_t end;
	int err, r0, n = 0;
	fk_scsi_cmd_t tur;
	fk_lun_t *lun;

	/* One message about LUN 1 of target 0. */
	orig_start = tran->tran_start;
	tran->tran_start = spy_start;
	delay(drv_usectohz(MICROSEC));		/* anything in flight */
	from = dt_ncmds();
	r0 = report_luns[0];
	kicks = dt_kicks(0);
	err = dt_msg_inject(PVSCSI_MSG_DEV_ADDED, 0, 1);
	end = gethrtime() + SEC2NSEC(5);
	while (report_luns[0] == r0 && gethrtime() < end)
		delay(drv_usectohz(50000));
	delay(drv_usectohz(MICROSEC));
	tran->tran_start = orig_start;
	CHECK("luns: a message for LUN 1 of target 0 makes the framework "
	    "send REPORT LUNS to target 0", err == 0 && report_luns[0] > r0,
	    "inject %d, %d REPORT LUNS", err, report_luns[0] - r0);
	CHECK("luns: and no bus scan", report_luns[1] == 0 &&
	    dt_kicks(0) - kicks < 16 &&
	    dt_count(PVSCSI_CMD_ADAPTER_RESET, from) == 0,
	    "saw %d REPORT LUNS to target 1, %llu non-read/write kicks",
	    report_luns[1], (unsigned long long)(dt_kicks(0) - kicks));
	CHECK("luns: the units stay those QEMU has",
	    present_wait(0, 1, &seen), "saw 0x%x beyond targets 0 and 1",
	    seen);

	/*
	 * A ring full of them, and a hot add the device drops for want of
	 * room: the driver must rescan the bus.
	 */
	if (!CHECK("luns: handler held", hold_on_completion(&tur),
	    "no interrupt came"))
		return;
	while (dt_msg_inject(PVSCSI_MSG_DEV_ADDED, 0, 1) == 0)
		n++;
	err = qmp_disk_add(qfd, 0, 5, "null,size=16M");
	dt_stall(0);
	(void) fk_scsi_drain(base[0], SEC2NSEC(10));
	CHECK("luns: a ring full of LUN messages, then a hot add dropped: "
	    "the new disk is found", n > 0 && err == 0 &&
	    present_wait(1U << 5, WAIT, &seen), "%d injected, device_add %d, "
	    "saw 0x%x", n, err, seen);

	/* QEMU's own index is behind now: reset the adapter. */
	err = scsi_reset(&fk_scsi_lun_device(base[0])->sd_address,
	    RESET_ALL);
	CHECK("luns: adapter reset", err == 1, "saw %d", err);
	err = qmp_disk_add(qfd, 0, 9, "null,size=16M");
	lun = err == 0 ? lun_at(9, WAIT) : NULL;
	CHECK("luns: after the reset, a hot add is found", lun != NULL,
	    "device_add %d (%s)", err, qmp_last_error());
	if (lun != NULL)
		fk_scsi_lun_rele(lun);
	err = qmp_disk_del(qfd, 0, 9) | qmp_disk_del(qfd, 0, 5);
	CHECK("luns: and removals", err == 0 && present_wait(0, WAIT, &seen),
	    "device_del %d, saw 0x%x", err, seen);
}

/* The disks of the topology, held, and the QMP port; 0 on failure. */
static int
setup(void)
{
	base[0] = lun_at(0, 10);
	base[1] = lun_at(1, 10);
	return (CHECK("disks", base[0] != NULL && base[1] != NULL,
	    "expected LUNs 0,0 and 1,0") &&
	    CHECK("QMP port opens", (qfd = qmp_open()) >= 0, "errno %d",
	    errno));
}

/* Detach with nothing left in transport; what the process then holds. */
static void
teardown(lio_res_t *r)
{
	int err;

	qmp_close(qfd);
	for (int d = 0; d < 2; d++)
		fk_scsi_lun_rele(base[d]);
	lio_check_clean("hotplug");
	err = drv_detach();
	CHECK("detach", err == 0, "expected 0, saw %d", err);
	lio_res_get(r);
}

int
main(int argc, char **argv)
{
	const char *soak = getenv("SOAK");
	int cycles = (soak != NULL && atoi(soak) != 0) ? 200 : 20;
	const char *what = argc > 1 ? argv[1] : "all";
	int all = strcmp(what, "all") == 0;
	lio_res_t r0, r1;

	dt_start();
	drv_start();
	if (!setup())
		return (check_exit());
	if (all || strcmp(what, "cycles") == 0)
		test_cycles(cycles);
	if (all || strcmp(what, "loaded") == 0)
		test_loaded();
	if (all || strcmp(what, "msgring") == 0)
		test_msgring();
	if (all || strcmp(what, "luns") == 0)
		test_luns();
	teardown(&r0);

	/*
	 * Leaks in steady state: the first detach is the baseline (what the
	 * first attach made for good is in it); an attach, two hot add and
	 * remove cycles and a detach must leave no more.
	 */
	drv_note("again: attach, 2 hot plug cycles, detach");
	(void) drv_attach();
	if (!setup())
		return (check_exit());
	test_cycles(2);
	teardown(&r1);
	soak_report(all ? "hotplug" : what, dups, &r0, &r1);
	drv_unload();
	dt_stop();
	return (check_exit());
}

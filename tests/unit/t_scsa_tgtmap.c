/*
 * SCSA framework, target maps and LUN discovery: the settle time
 * honoured (and restarted by each change, with a remove and re-add inside
 * it doing nothing), full-set reports compared with what the map holds,
 * set_flush and misuse, the activate/deactivate callbacks (GONE,
 * CFG_FAIL with and without rediscovery), a failed tran_tgt_init removing
 * its node, REPORT LUNS unsupported (LUN 0 only) and peripheral qualifier
 * 3 skipped, scsi_hba_tgtmap_scan_luns adding and removing LUNs (a held,
 * open unit that departs stays safe), REPORTED LUNS DATA HAS CHANGED (3Fh/0Eh)
 * in a completion causing a rescan, a target removed while its packets
 * are outstanding (tran_tgt_free waits for them), the arrival/departure
 * events, and the panics of target map calls in interrupt context.
 */

#include <sys/types.h>
#include <sys/ddi.h>
#include <sys/sunddi.h>
#include <sys/scsi/scsi.h>
#include <fk.h>
#include <fk_impl.h>
#include <fk_scsi.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "lib/expect.h"
#include "lib/loopback.h"

#define	MS		1000000LL
#define	NS_PER_SEC	1000000000LL
#define	SETTLE_US	250000

static lb_t *lb;

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	(void) nanosleep(&ts, NULL);
}

static int
have_lun(lb_t *l, const char *ua)
{
	fk_lun_t *u = fk_scsi_lun_find(l->lb_iport, ua);

	if (u == NULL)
		return (0);
	fk_scsi_lun_rele(u);
	return (1);
}

static hrtime_t
first_event(lb_t *l, char what, const char *addr)
{
	int i;
	hrtime_t t = 0;

	lb_lock(l);
	for (i = 0; i < l->lb_nevents; i++) {
		if (l->lb_events[i].le_what == what &&
		    strcmp(l->lb_events[i].le_addr, addr) == 0) {
			t = l->lb_events[i].le_when;
			break;
		}
	}
	lb_unlock(l);
	return (t);
}

static lb_t *
make(scsi_tgtmap_mode_t mode, int settle_us, int ntgt, int nlun)
{
	lb_config_t cfg;

	lb_config_default(&cfg);
	cfg.lc_mode = mode;
	cfg.lc_settle_usec = settle_us;
	cfg.lc_ntgt = ntgt;
	cfg.lc_nlun = nlun;
	return (lb_create(&cfg));
}

static void
test_settle(void)
{
	hrtime_t t0, ta;
	fk_lun_t *u0, *u0b;
	int d0;

	t0 = gethrtime();
	lb_lun_set(lb, 3, 0, 1, 1024);
	lb_tgt_set(lb, 3, 1);
	(void) lb_report(lb, 3);
	sleep_ms(SETTLE_US / 2000);
	CHECK("tgtmap: nothing happens before the settle time",
	    !have_lun(lb, "3,0") && first_event(lb, 'A', "3") == 0 &&
	    fk_scsi_tgtmap_lookup(lb->lb_tgtmap, "3") == DDI_FAILURE,
	    "expected target 3 not yet active");
	CHECK("tgtmap: settle", fk_scsi_settle(lb->lb_iport, 5 * NS_PER_SEC) == 0,
	    "expected the map to settle within 5 s");
	ta = first_event(lb, 'A', "3");
	CHECK("tgtmap: target activated after the settle time",
	    have_lun(lb, "3,0") && ta - t0 >= SETTLE_US * 1000LL,
	    "expected activation %d ms after the report, saw %lld ms",
	    SETTLE_US / 1000, (long long)((ta - t0) / MS));

	/* Each change restarts the wait. */
	t0 = gethrtime();
	lb_lun_set(lb, 4, 0, 1, 1024);
	lb_tgt_set(lb, 4, 1);
	(void) lb_report(lb, 4);
	sleep_ms(SETTLE_US / 1500);
	lb_lun_set(lb, 5, 0, 1, 1024);
	lb_tgt_set(lb, 5, 1);
	(void) lb_report(lb, 5);
	(void) fk_scsi_settle(lb->lb_iport, 5 * NS_PER_SEC);
	ta = first_event(lb, 'A', "4");
	CHECK("tgtmap: a later change restarts the settle time",
	    ta - t0 >= SETTLE_US * 1000LL + (SETTLE_US / 1500) * MS &&
	    have_lun(lb, "4,0") && have_lun(lb, "5,0"),
	    "expected target 4 activated after %d ms, saw %lld ms",
	    SETTLE_US / 1000 + SETTLE_US / 1500, (long long)((ta - t0) / MS));

	/* Removed and back within the settle time: no change at all. */
	u0 = fk_scsi_lun_find(lb->lb_iport, "0,0");
	d0 = lb_count_events(lb, 'D', NULL, -1);
	lb_tgt_set(lb, 0, 0);
	(void) lb_report(lb, 0);
	sleep_ms(20);
	lb_tgt_set(lb, 0, 1);
	(void) lb_report(lb, 0);
	(void) fk_scsi_settle(lb->lb_iport, 5 * NS_PER_SEC);
	u0b = fk_scsi_lun_find(lb->lb_iport, "0,0");
	CHECK("tgtmap: remove and re-add within settle changes nothing",
	    u0 != NULL && u0 == u0b && !fk_scsi_lun_gone(u0) &&
	    lb_count_events(lb, 'D', NULL, -1) == d0 &&
	    lb_count_events(lb, 'A', "0", -1) == 1,
	    "expected LUN 0,0 untouched, saw %p -> %p, %d deactivations",
	    (void *)u0, (void *)u0b, lb_count_events(lb, 'D', NULL, -1) - d0);
	if (u0 != NULL)
		fk_scsi_lun_rele(u0);
	if (u0b != NULL)
		fk_scsi_lun_rele(u0b);
}

static void
test_peraddr_misuse(void)
{
	CHECK("tgtmap: PERADDR map refuses set_begin",
	    scsi_hba_tgtmap_set_begin(lb->lb_tgtmap) == DDI_FAILURE,
	    "expected DDI_FAILURE");
	CHECK("tgtmap: removing an unknown address fails",
	    scsi_hba_tgtmap_tgt_remove(lb->lb_tgtmap, SCSI_TGT_SCSI_DEVICE,
	    "77") == DDI_FAILURE, "expected DDI_FAILURE");
	CHECK("tgtmap: removing with the wrong type fails",
	    scsi_hba_tgtmap_tgt_remove(lb->lb_tgtmap, SCSI_TGT_SMP_DEVICE,
	    "0") == DDI_FAILURE, "expected DDI_FAILURE");
}

static void
test_fullset(void)
{
	lb_t *f = make(SCSI_TM_FULLSET, 50000, 3, 1);
	char addrs[8][FK_SCSI_ADDRLEN];
	int n;

	if (!CHECK("tgtmap: FULLSET HBA up with 3 targets", f != NULL &&
	    fk_scsi_targets(f->lb_iport, addrs, 8) == 3, "expected 3 targets"))
		return;
	lb_tgt_set(f, 1, 0);
	lb_lun_set(f, 3, 0, 1, 1024);
	lb_tgt_set(f, 3, 1);
	(void) lb_report(f, -1);
	(void) fk_scsi_settle(f->lb_iport, 5 * NS_PER_SEC);
	n = fk_scsi_targets(f->lb_iport, addrs, 8);
	CHECK("tgtmap: FULLSET report diffed: 1 gone, 3 new, 0 and 2 kept",
	    n == 3 && have_lun(f, "0,0") && !have_lun(f, "1,0") &&
	    have_lun(f, "2,0") && have_lun(f, "3,0") &&
	    lb_count_events(f, 'D', "1", SCSI_TGT_DEACT_RSN_GONE) == 1 &&
	    lb_count_events(f, 'A', "3", -1) == 1 &&
	    lb_count_events(f, 'A', "0", -1) == 1 &&
	    lb_count_events(f, 'A', "2", -1) == 1 &&
	    lb_count_events(f, 'D', "0", -1) == 0,
	    "saw %d targets; events A0 %d A2 %d A3 %d D1 %d", n,
	    lb_count_events(f, 'A', "0", -1), lb_count_events(f, 'A', "2", -1),
	    lb_count_events(f, 'A', "3", -1), lb_count_events(f, 'D', "1", -1));

	CHECK("tgtmap: set_add outside a report fails",
	    scsi_hba_tgtmap_set_add(f->lb_tgtmap, SCSI_TGT_SCSI_DEVICE, "5",
	    NULL) == DDI_FAILURE, "expected DDI_FAILURE");
	CHECK("tgtmap: FULLSET map refuses tgt_add",
	    scsi_hba_tgtmap_tgt_add(f->lb_tgtmap, SCSI_TGT_SCSI_DEVICE, "5",
	    NULL) == DDI_FAILURE, "expected DDI_FAILURE");
	CHECK("tgtmap: set_begin, set_add, set_flush",
	    scsi_hba_tgtmap_set_begin(f->lb_tgtmap) == DDI_SUCCESS &&
	    scsi_hba_tgtmap_set_begin(f->lb_tgtmap) == DDI_FAILURE &&
	    scsi_hba_tgtmap_set_add(f->lb_tgtmap, SCSI_TGT_SCSI_DEVICE, "0",
	    NULL) == DDI_SUCCESS &&
	    scsi_hba_tgtmap_set_flush(f->lb_tgtmap) == DDI_SUCCESS &&
	    scsi_hba_tgtmap_set_end(f->lb_tgtmap, 0) == DDI_FAILURE,
	    "expected success, failure, success, success, failure");
	sleep_ms(150);
	(void) fk_scsi_settle(f->lb_iport, 5 * NS_PER_SEC);
	CHECK("tgtmap: a flushed report changes nothing",
	    fk_scsi_targets(f->lb_iport, addrs, 8) == 3 &&
	    lb_count_events(f, 'D', NULL, -1) == 1,
	    "expected 3 targets and 1 deactivation, saw %d and %d",
	    fk_scsi_targets(f->lb_iport, addrs, 8),
	    lb_count_events(f, 'D', NULL, -1));

	/* An empty report removes everything. */
	CHECK("tgtmap: empty report", scsi_hba_tgtmap_set_begin(f->lb_tgtmap)
	    == DDI_SUCCESS && scsi_hba_tgtmap_set_end(f->lb_tgtmap, 0) ==
	    DDI_SUCCESS, "expected success");
	(void) fk_scsi_settle(f->lb_iport, 5 * NS_PER_SEC);
	CHECK("tgtmap: an empty report deactivates every target",
	    fk_scsi_targets(f->lb_iport, addrs, 8) == 0 &&
	    fk_scsi_luns(f->lb_iport, NULL, NULL, 0) == 0 &&
	    f->lb_tgt_live == 0, "saw %d targets, %d live tgt_inits",
	    fk_scsi_targets(f->lb_iport, addrs, 8), f->lb_tgt_live);
	CHECK("tgtmap: FULLSET HBA torn down", lb_destroy(f) == DDI_SUCCESS,
	    "expected DDI_SUCCESS");
	free(f);
}

static void
test_discovery_cases(void)
{
	int d0;

	/* tran_tgt_init fails for LUN 1: its node goes. */
	lb_lun_set(lb, 6, 0, 1, 1024);
	lb_lun_set(lb, 6, 1, 1, 1024);
	lb_lun_set(lb, 6, 2, 1, 1024);
	lb_lock(lb);
	lb->lb_tgts[6].lt_luns[1].ll_fail_tgt_init = 1;
	lb->lb_tgts[6].lt_present = 1;
	lb_unlock(lb);
	(void) lb_report(lb, 6);
	(void) fk_scsi_settle(lb->lb_iport, 5 * NS_PER_SEC);
	CHECK("tgtmap: failed tran_tgt_init leaves no node",
	    have_lun(lb, "6,0") && !have_lun(lb, "6,1") &&
	    have_lun(lb, "6,2") &&
	    fk_devi_find_child(lb->lb_iport, "disk", "6,1") == NULL &&
	    fk_devi_find_child(lb->lb_iport, "probe", NULL) == NULL,
	    "expected 6,0 and 6,2 only, and no probe node left");

	/* REPORT LUNS unsupported: LUN 0 alone. */
	lb_lun_set(lb, 7, 0, 1, 1024);
	lb_lun_set(lb, 7, 1, 1, 1024);
	lb_lock(lb);
	lb->lb_tgts[7].lt_no_report_luns = 1;
	lb->lb_tgts[7].lt_present = 1;
	lb_unlock(lb);
	(void) lb_report(lb, 7);
	(void) fk_scsi_settle(lb->lb_iport, 5 * NS_PER_SEC);
	CHECK("tgtmap: without REPORT LUNS only LUN 0 is configured",
	    have_lun(lb, "7,0") && !have_lun(lb, "7,1"),
	    "expected 7,0 only");

	/* Nothing at LUN 0 (qualifier 3) and no REPORT LUNS: CFG_FAIL. */
	d0 = lb_count_events(lb, 'D', "2", SCSI_TGT_DEACT_RSN_CFG_FAIL);
	lb_lun_set(lb, 2, 0, 0, 0);
	lb_lun_set(lb, 2, 1, 1, 1024);
	lb_lock(lb);
	lb->lb_tgts[2].lt_no_report_luns = 1;
	lb->lb_tgts[2].lt_present = 1;
	lb_unlock(lb);
	(void) lb_report(lb, 2);
	(void) fk_scsi_settle(lb->lb_iport, 5 * NS_PER_SEC);
	CHECK("tgtmap: qualifier 3 skipped; no unit means CFG_FAIL",
	    !have_lun(lb, "2,0") && !have_lun(lb, "2,1") &&
	    lb_count_events(lb, 'D', "2", SCSI_TGT_DEACT_RSN_CFG_FAIL) ==
	    d0 + 1 && fk_scsi_tgtmap_lookup(lb->lb_tgtmap, "2") ==
	    DDI_FAILURE, "expected one CFG_FAIL deactivation, saw %d",
	    lb_count_events(lb, 'D', "2", SCSI_TGT_DEACT_RSN_CFG_FAIL) - d0);

	/* Rediscovery asked for: retried (a bounded number of times). */
	lb->lb_cfg.lc_cfgfail_again = 1;
	(void) scsi_hba_tgtmap_tgt_remove(lb->lb_tgtmap,
	    SCSI_TGT_SCSI_DEVICE, "2");
	(void) fk_scsi_settle(lb->lb_iport, 5 * NS_PER_SEC);
	(void) lb_report(lb, 2);
	(void) fk_scsi_settle(lb->lb_iport, 10 * NS_PER_SEC);
	CHECK("tgtmap: deactivate returning B_TRUE: rediscovery, bounded",
	    lb_count_events(lb, 'D', "2", SCSI_TGT_DEACT_RSN_CFG_FAIL) ==
	    d0 + 1 + 4, "expected 4 more CFG_FAIL deactivations (1 + 3 "
	    "retries), saw %d",
	    lb_count_events(lb, 'D', "2", SCSI_TGT_DEACT_RSN_CFG_FAIL) - d0 -
	    1);
	lb->lb_cfg.lc_cfgfail_again = 0;

	/* The hardware is fixed and the HBA reports it again. */
	lb_lun_set(lb, 2, 0, 1, 1024);
	(void) lb_report(lb, 2);
	(void) fk_scsi_settle(lb->lb_iport, 5 * NS_PER_SEC);
	CHECK("tgtmap: a failed target reported again is configured",
	    have_lun(lb, "2,0"), "expected 2,0");
}

static int watch_arrive, watch_depart;

static void
watcher(void *arg, fk_lun_t *l, int ev)
{
	(void) arg;
	(void) l;
	if (ev == FK_SCSI_EV_ARRIVE)
		__atomic_add_fetch(&watch_arrive, 1, __ATOMIC_SEQ_CST);
	else
		__atomic_add_fetch(&watch_depart, 1, __ATOMIC_SEQ_CST);
}

static void
test_rescan(void)
{
	fk_lun_t *u1;
	uchar_t *b = kmem_zalloc(4096, KM_SLEEP);
	fk_lun_info_t li;
	uint64_t ev;
	void *w;
	int free0, rv;

	w = fk_scsi_watch(watcher, NULL);
	lb_lun_set(lb, 1, 1, 1, 1024);
	lb_lun_set(lb, 1, 2, 1, 1024);
	scsi_hba_tgtmap_scan_luns(lb->lb_tgtmap, "1");
	(void) fk_scsi_settle(lb->lb_iport, 5 * NS_PER_SEC);
	CHECK("tgtmap: scan_luns finds new LUNs",
	    have_lun(lb, "1,0") && have_lun(lb, "1,1") && have_lun(lb, "1,2"),
	    "expected 1,0 1,1 1,2");
	CHECK("tgtmap: watchers told of arrivals", watch_arrive == 2 &&
	    watch_depart == 0, "expected 2 arrivals, saw %d (and %d "
	    "departures)", watch_arrive, watch_depart);

	u1 = fk_scsi_lun_find(lb->lb_iport, "1,1");
	if (u1 != NULL)
		(void) fk_scsi_lun_open(u1);
	free0 = lb->lb_tgt_free;
	lb_lun_set(lb, 1, 1, 0, 0);
	ev = fk_scsi_events();
	scsi_hba_tgtmap_scan_luns(lb->lb_tgtmap, "1");
	rv = fk_scsi_wait_event(ev, 5 * NS_PER_SEC);
	(void) fk_scsi_settle(lb->lb_iport, 5 * NS_PER_SEC);
	CHECK("tgtmap: a LUN that vanished is removed on rescan",
	    rv == 0 && !have_lun(lb, "1,1") && have_lun(lb, "1,0") &&
	    have_lun(lb, "1,2") && lb->lb_tgt_free >= free0 + 1 &&
	    watch_depart == 1, "expected 1,1 gone (event %d, %d frees, %d "
	    "departures)", rv, lb->lb_tgt_free - free0, watch_depart);
	if (u1 != NULL) {
		(void) fk_scsi_lun_info(u1, &li);
		CHECK("tgtmap: a held, open unit that departed is safe",
		    fk_scsi_lun_gone(u1) && li.li_gone && li.li_dip == NULL &&
		    fk_scsi_lun_device(u1) == NULL &&
		    fk_scsi_read(u1, 0, 1, b, NULL) == ENXIO &&
		    fk_scsi_lun_open(u1) == ENXIO &&
		    strcmp(li.li_ua, "1,1") == 0,
		    "expected gone, ENXIO; saw gone %d", li.li_gone);
		fk_scsi_lun_close(u1);
		fk_scsi_lun_rele(u1);
	}
	fk_scsi_unwatch(w);
	kmem_free(b, 4096);
}

static void
test_lunchg(void)
{
	fk_lun_t *u;
	fk_scsi_status_t st;
	uint64_t ev;
	int rv, i;

	lb_lun_set(lb, 1, 4, 1, 1024);
	lb_lock(lb);
	lb->lb_tgts[1].lt_luns[0].ll_ua = 1;
	lb->lb_tgts[1].lt_luns[0].ll_ua_asc = 0x3f;
	lb->lb_tgts[1].lt_luns[0].ll_ua_ascq = 0x0e;
	lb_unlock(lb);
	u = fk_scsi_lun_find(lb->lb_iport, "1,0");
	ev = fk_scsi_events();
	rv = u != NULL ? fk_scsi_tur(u, &st) : -1;
	CHECK("tgtmap: the 3Fh/0Eh unit attention is retried", rv == 0 &&
	    st.ss_retries == 1, "expected success after 1 retry, saw %d", rv);
	for (i = 0; i < 50 && !have_lun(lb, "1,4"); i++)
		(void) fk_scsi_wait_event(ev, 100 * MS);
	(void) fk_scsi_settle(lb->lb_iport, 5 * NS_PER_SEC);
	CHECK("tgtmap: REPORTED LUNS DATA HAS CHANGED rescans the target",
	    have_lun(lb, "1,4"), "expected LUN 1,4 to appear");
	if (u != NULL)
		fk_scsi_lun_rele(u);
}

static int busy_done, busy_err;

static void
busy_cb(fk_scsi_cmd_t *cmd, void *arg)
{
	(void) arg;
	if (cmd->sc_error != 0)
		__atomic_add_fetch(&busy_err, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&busy_done, 1, __ATOMIC_SEQ_CST);
}

static void
test_remove_busy(void)
{
	fk_lun_t *u = fk_scsi_lun_find(lb->lb_iport, "5,0");
	fk_scsi_cmd_t cmds[10];
	uchar_t *b = kmem_zalloc(10 * 512, KM_SLEEP);
	fk_scsi_stats_t st;
	int i, live0, fails = 0;

	if (!CHECK("tgtmap: LUN 5,0 for the busy removal", u != NULL,
	    "no LUN 5,0"))
		return;
	lb_lock(lb);
	lb->lb_hold = 1;
	lb_unlock(lb);
	for (i = 0; i < 10; i++) {
		bzero(&cmds[i], sizeof (cmds[i]));
		fk_scsi_cdb_rw(&cmds[i], FK_SCSI_DIR_READ, i, 1, 512);
		cmds[i].sc_buf = b + i * 512;
		cmds[i].sc_done = busy_cb;
		if (fk_scsi_submit(u, &cmds[i]) != 0)
			fails++;
	}
	live0 = lb->lb_tgt_live;
	lb_tgt_set(lb, 5, 0);
	(void) lb_report(lb, 5);
	sleep_ms(SETTLE_US / 1000 + 300);
	CHECK("tgtmap: removal waits for outstanding packets",
	    fails == 0 && fk_scsi_lun_gone(u) && lb->lb_tgt_live == live0 &&
	    lb_count_events(lb, 'D', "5", -1) == 0 && busy_done == 0 &&
	    lb_queued(lb) == 10,
	    "expected the unit gone but tran_tgt_free not called; saw gone "
	    "%d, live %d -> %d, %d deactivations, %d done, %d queued",
	    fk_scsi_lun_gone(u), live0, lb->lb_tgt_live,
	    lb_count_events(lb, 'D', "5", -1), busy_done, lb_queued(lb));
	CHECK("tgtmap: a departing unit refuses new commands",
	    fk_scsi_tur(u, NULL) == ENXIO, "expected ENXIO");
	lb_release(lb);
	(void) fk_scsi_drain(u, 5 * NS_PER_SEC);
	(void) fk_scsi_settle(lb->lb_iport, 5 * NS_PER_SEC);
	fk_scsi_lun_stats(u, &st);
	CHECK("tgtmap: outstanding packets completed once, then the target "
	    "went", busy_done == 10 && st.st_outstanding == 0 &&
	    st.st_completed == st.st_started &&
	    lb->lb_tgt_live == live0 - 1 &&
	    lb_count_events(lb, 'D', "5", SCSI_TGT_DEACT_RSN_GONE) == 1 &&
	    lb->lb_freed_busy == 0,
	    "saw %d done, %llu outstanding, live %d -> %d, %d deactivations, "
	    "%d freed busy", busy_done, (unsigned long long)st.st_outstanding,
	    live0, lb->lb_tgt_live, lb_count_events(lb, 'D', "5", -1),
	    lb->lb_freed_busy);
	fk_scsi_lun_rele(u);
	kmem_free(b, 10 * 512);
}

/* Deaths: target map calls in interrupt context. */
static void
die_intr(void *arg)
{
	int which = (int)(intptr_t)arg;

	fk_intr_enter(5);
	switch (which) {
	case 0:
		(void) scsi_hba_tgtmap_tgt_add(lb->lb_tgtmap,
		    SCSI_TGT_SCSI_DEVICE, "6", NULL);
		break;
	case 1:
		(void) scsi_hba_tgtmap_tgt_remove(lb->lb_tgtmap,
		    SCSI_TGT_SCSI_DEVICE, "0");
		break;
	case 2:
		scsi_hba_tgtmap_scan_luns(lb->lb_tgtmap, "0");
		break;
	default:
		(void) scsi_hba_tgtmap_set_begin(lb->lb_tgtmap);
		break;
	}
	fk_intr_exit();
}

static void
test_deaths(void)
{
	(void) expect_death("tgtmap: tgt_add in interrupt context panics",
	    die_intr, (void *)0, "scsi_hba_tgtmap_tgt_add in interrupt "
	    "context");
	(void) expect_death("tgtmap: tgt_remove in interrupt context panics",
	    die_intr, (void *)1, "scsi_hba_tgtmap_tgt_remove in interrupt "
	    "context");
	(void) expect_death("tgtmap: scan_luns in interrupt context panics",
	    die_intr, (void *)2, "scsi_hba_tgtmap_scan_luns in interrupt "
	    "context");
	(void) expect_death("tgtmap: set_begin in interrupt context panics",
	    die_intr, (void *)3, "scsi_hba_tgtmap_set_begin in interrupt "
	    "context");
}

int
main(void)
{
	fk_options_t opts = { .fo_platform = "none", .fo_strict_dma = 1,
	    .fo_quiet = 1 };
	fk_counters_t c0, c1;

	if (fk_init(&opts) != 0) {
		printf("FAIL tgtmap: fk_init failed\n");
		return (1);
	}
	fk_counters_get(&c0);
	lb = make(SCSI_TM_PERADDR, SETTLE_US, 2, 1);
	if (!CHECK("tgtmap: PERADDR HBA up", lb != NULL && have_lun(lb,
	    "0,0") && have_lun(lb, "1,0"), "expected LUNs 0,0 and 1,0"))
		return (check_exit());
	test_deaths();
	test_peraddr_misuse();
	test_settle();
	test_fullset();
	test_discovery_cases();
	test_rescan();
	test_lunchg();
	test_remove_busy();
	CHECK("tgtmap: teardown", lb_destroy(lb) == DDI_SUCCESS &&
	    lb->lb_tgt_live == 0 && lb->lb_ctor == lb->lb_dtor,
	    "saw %d live, %d ctor, %d dtor", lb->lb_tgt_live, lb->lb_ctor,
	    lb->lb_dtor);
	free(lb);
	fk_counters_get(&c1);
	CHECK("tgtmap: no kmem leaked", c1.fc_kmem_bytes == c0.fc_kmem_bytes,
	    "expected %lld bytes outstanding, saw %lld",
	    (long long)c0.fc_kmem_bytes, (long long)c1.fc_kmem_bytes);
	{
		fk_counters_t cw;

		fk_counters_get(&cw);
		CHECK("tgtmap: no lock-order (witness) report",
		    cw.fc_witness_reports == 0, "saw %llu reports",
		    (unsigned long long)cw.fc_witness_reports);
	}
	fk_fini();
	return (check_exit());
}

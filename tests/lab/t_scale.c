/*
 * Scale: every target the device offers, several HBAs full of disks under
 * load.  Every PVSCSI function of the guest has file disks at targets 0
 * to 63 (file disks keep what is written: the load verifies it).  QEMU's
 * bus has targets 0 to 64 and its device answers neither CONFIG nor
 * GET_MAX_TARGETS, so the driver must probe all 256 targets a request
 * can name.
 *
 *   fewer	pvscsi_max_targets 1, for a user who wants fewer targets:
 *		each HBA has unit 0,0 only, which reads; note the kmem and
 *		DMA arena bytes per HBA, idle.  This first attach also
 *		starts what the fakekernel creates once, on first use,
 *		before the baseline is taken;
 *   attach	every HBA attaches and every disk is discovered, with its
 *		inquiry data and capacity, and nothing else; each HBA's scan
 *		probed 256 targets.  Notes: discovery time per HBA (from
 *		the start of the attach to the arrival of its last unit)
 *		and in all; the cost of probing a present and an absent
 *		target (from the probes' kicks); the kmem and DMA arena
 *		bytes per HBA, idle;
 *   load	verified read/write load (labload.h) on every LUN at once,
 *		queue depth 1 each (64 per HBA): every LUN makes progress;
 *		note the guest's free memory;
 *   hotplug	under that load: a disk hot-added at target 64 of the last
 *		HBA (the one target free) is found and carries verified
 *		load; the loaded disk at target 48 of the first HBA, then
 *		the hot-added one, are removed: each departs and its load
 *		stops for the unit being gone; target 48 added again is
 *		found; the rest of the load runs on: no error, every packet
 *		completed once, every region verified;
 *   detach	of all HBAs: kmem, threads and fds back to the baseline
 *		(the "# soak:" line, labsoak.h);
 *   ring	pvscsi_ring_pages 32: the device is given 32 request pages
 *		(1,024 requests) and 8 completion pages; 1,024 reads over
 *		the 64 LUNs of the last HBA (16 each), resubmitted as they
 *		complete, first with QEMU throttling those disks to one
 *		read a second each, so that the device holds all 1,024 at
 *		once (its producer indices show it), then at full speed:
 *		each returns the zeroes of a region never written.
 *
 * Every packet completed exactly once, no console line, no lock-order
 * report.
 *
 * Topology (tests/lab/suites: 2 HBAs; make soak, mk/soak.mk: 4):
 * --hba N --disk 0-(N-1):0-63:file,size=16M.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <pthread.h>

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
#include "lib/labsoak.h"
#include "lib/devtap.h"

#define	NTGT		64	/* disks at targets 0..63 of every HBA */
#define	HOT		64	/* the free target: QEMU's bus has 0..64 */
#define	GONE		48	/* the loaded disk removed and added again */
#define	DISK		"file,size=16M"
#define	DISK_BLOCKS	32768
#define	LOAD_BLOCKS	16	/* 8 KiB regions at LBA 0 */
#define	WAIT		30	/* seconds for an arrival or departure */
#define	SCAN		PVSCSI_MAX_TARGETS
#define	RING_PAGES	32
#define	RING_QD		(RING_PAGES * PVSCSI_REQS_PER_PAGE / NTGT)
#define	RING_LBA	8192	/* reads beyond the load's regions */
#define	RING_SECS	3	/* at full speed */

static int nhba;
static int qfd = -1;
static uint64_t dups;

static void
ua_of(char *ua, size_t len, int target)
{
	(void) snprintf(ua, len, "%x,0", target);
}

static fk_lun_t *
lun_at(int hba, int target, int secs)
{
	char ua[16];

	ua_of(ua, sizeof (ua), target);
	return (drv_lun(hba, ua, secs));
}

static int
departed(int hba, int target)
{
	char ua[16];

	ua_of(ua, sizeof (ua), target);
	return (drv_lun_departed(hba, ua, WAIT));
}

/*
 * The probes of discovery: every KICK_NON_RW_IO store, with its thread
 * and time (fk_reg_tap), while the HBAs attach.  Each HBA's discovery
 * thread probes targets 0 to 255 in order, a polled INQUIRY and one kick
 * each, and only then reports to its target map, whose units the
 * framework enumerates a settle time (1 s) later: so the kicks before
 * the first pause of half a second are the scans, one thread each, and
 * the interval after the kick of target t is what probing t cost.
 */
#define	KICKS_MAX	16384

static struct {
	pthread_t	k_tid;
	hrtime_t	k_time;
} kicks[KICKS_MAX];
static uint_t nkicks;

static void
kick_tap(void *arg, uint_t rnumber, uint64_t off, uint64_t val, uint_t size)
{
	uint_t i;

	if (off != PVSCSI_REG_KICK_NON_RW_IO)
		return;
	i = __atomic_fetch_add(&nkicks, 1, __ATOMIC_RELAXED);
	if (i < KICKS_MAX) {
		kicks[i].k_tid = pthread_self();
		kicks[i].k_time = gethrtime();
	}
}

/*
 * Note each scan: its time, and the average cost of probing a present
 * target (those below NTGT) and an absent one.  Returns the number of
 * threads that kicked before the pause, or -1 when one of them did not
 * kick SCAN times.
 */
static int
scans_note(void)
{
	uint_t n = MIN(nkicks, KICKS_MAX), end = 1;
	int scans = 0, odd = 0;

	while (end < n && kicks[end].k_time - kicks[end - 1].k_time <
	    MSEC2NSEC(500))
		end++;
	for (uint_t i = 0; i < end; i++) {
		hrtime_t t[SCAN];
		uint_t k = 0;
		int first = 1;

		for (uint_t j = 0; j < i && first; j++)
			first = !pthread_equal(kicks[j].k_tid, kicks[i].k_tid);
		if (!first)
			continue;
		for (uint_t j = i; j < end; j++) {
			if (!pthread_equal(kicks[j].k_tid, kicks[i].k_tid))
				continue;
			if (k < SCAN)
				t[k] = kicks[j].k_time;
			k++;
		}
		scans++;
		if (k != SCAN) {
			drv_note("scan %d: %u probes, not %d", scans, k, SCAN);
			odd++;
			continue;
		}
		drv_note("scan %d: %d targets in %.1f ms; probing a present "
		    "target took %.0f us, an absent one %.0f us", scans, SCAN,
		    (double)(t[SCAN - 1] - t[0]) / 1e6,
		    (double)(t[NTGT] - t[0]) / NTGT / 1e3,
		    (double)(t[SCAN - 1] - t[NTGT]) / (SCAN - 1 - NTGT) / 1e3);
	}
	return (odd == 0 ? scans : -1);
}

/* Units of HBA h: targets 0..NTGT-1 with inquiry and capacity; or -1. */
static int
hba_units_ok(int h, char *what, size_t len)
{
	for (int t = 0; t < NTGT; t++) {
		fk_lun_t *lun = lun_at(h, t, 0);
		fk_lun_info_t li;
		int ok;

		if (lun == NULL) {
			(void) snprintf(what, len, "hba %d: no unit at target "
			    "%d", h, t);
			return (-1);
		}
		ok = fk_scsi_lun_info(lun, &li) == 0 &&
		    strcmp(li.li_pid, "QEMU HARDDISK") == 0 &&
		    li.li_cap_valid && li.li_nblocks == DISK_BLOCKS;
		fk_scsi_lun_rele(lun);
		if (!ok) {
			(void) snprintf(what, len, "hba %d target %d: '%s', "
			    "%llu blocks", h, t, li.li_pid,
			    (unsigned long long)li.li_nblocks);
			return (-1);
		}
	}
	return (0);
}

static void
mem_note(const char *what, const lio_res_t *r0)
{
	lio_res_t r;

	lio_res_get(&r);
	drv_note("%s: %lld kmem bytes in %lld buffers and %zu DMA arena "
	    "bytes per HBA", what,
	    (long long)(r.lr_kmem_bytes - r0->lr_kmem_bytes) / nhba,
	    (long long)(r.lr_kmem_bufs - r0->lr_kmem_bufs) / nhba,
	    (r.lr_arena_used - r0->lr_arena_used) / (size_t)nhba);
}

static void
test_attach(const lio_res_t *r0)
{
	drv_disc_t dd;
	char what[160] = "";
	int n, bad = 0, units;

	nkicks = 0;
	fk_reg_tap(kick_tap, NULL);
	n = drv_attach_timed(&dd);
	fk_reg_tap(NULL, NULL);
	if (!CHECK("attach: every HBA", n == nhba, "expected %d, saw %d",
	    nhba, n)) {
		(void) check_exit();
		exit(1);
	}
	for (int h = 0; h < nhba; h++) {
		drv_note("discovery: hba %d: %d units, the last %.2f s after "
		    "the start", h, dd.dd_units[h], dd.dd_last[h]);
		if (bad == 0 && hba_units_ok(h, what, sizeof (what)) != 0)
			bad++;
	}
	drv_note("discovery: %d HBAs in %.2f s", nhba, dd.dd_total);
	units = fk_scsi_luns(NULL, NULL, NULL, 0);
	CHECK("attach: every disk discovered with its inquiry data and "
	    "capacity", bad == 0, "%s", what);
	CHECK("attach: and nothing else", units == nhba * NTGT,
	    "expected %d units, saw %d", nhba * NTGT, units);
	n = scans_note();
	CHECK("attach: each HBA's scan probed all 256 targets", n == nhba,
	    "expected %d scans of %d targets, saw %d (%u kicks)", nhba, SCAN,
	    n, nkicks);
	delay(drv_usectohz(2 * MICROSEC));
	mem_note("memory after attach, idle", r0);
}

/* The load: ll[h][t], one slot per LUN; NULL where there is none. */
static ll_t *ll[DRV_HBAS][HOT + 1];

static ll_t *
load_on(int h, int t)
{
	fk_lun_t *lun = lun_at(h, t, 0);
	ll_t *l;

	if (lun == NULL)
		return (NULL);
	l = ll_start(lun, 1, 0, LOAD_BLOCKS, 30);
	fk_scsi_lun_rele(lun);
	return (l);
}

/* Wait for a pass of every load running; the number that made none. */
static int
load_progress(int secs)
{
	int stuck = 0;

	for (int h = 0; h < nhba; h++) {
		for (int t = 0; t <= HOT; t++) {
			if (ll[h][t] != NULL && ll_progress(ll[h][t], 1,
			    secs) != 0)
				stuck++;
		}
	}
	return (stuck);
}

/* Passes of all the load so far. */
static uint64_t
load_passes(void)
{
	uint64_t n = 0;

	for (int h = 0; h < nhba; h++) {
		for (int t = 0; t <= HOT; t++)
			n += ll[h][t] != NULL ? ll_passes(ll[h][t]) : 0;
	}
	return (n);
}

/* The guest's MemAvailable, in MiB (/proc/meminfo), or -1. */
static long
mem_available(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long kb = -1;

	while (f != NULL && fgets(line, sizeof (line), f) != NULL) {
		if (sscanf(line, "MemAvailable: %ld kB", &kb) == 1)
			break;
	}
	if (f != NULL)
		(void) fclose(f);
	return (kb < 0 ? -1 : kb / 1024);
}

static void
test_load(void)
{
	double t0 = lio_now();
	uint64_t p0;
	int stuck;

	for (int h = 0; h < nhba; h++) {
		for (int t = 0; t < NTGT; t++)
			ll[h][t] = load_on(h, t);
	}
	stuck = load_progress(60);
	CHECK("load: every LUN under verified I/O at once", stuck == 0,
	    "%d of %d made no pass within 60 s", stuck, nhba * NTGT);
	p0 = load_passes();
	delay(drv_usectohz(2 * MICROSEC));
	drv_note("load: %d LUNs running %.1f s after the start, %.0f "
	    "write-read-compare passes/s; the guest has %ld MiB available",
	    nhba * NTGT, lio_now() - t0, (double)(load_passes() - p0) / 2,
	    mem_available());
}

/* Remove the loaded disk at target t of HBA h; its load is checked. */
static void
remove_loaded(const char *name, int h, int t)
{
	double t0 = lio_now();
	int err = qmp_disk_del(qfd, h, t), gone = departed(h, t);

	drv_note("%s: departed %.2f s after device_del", name,
	    lio_now() - t0);
	CHECK(name, err == 0 && gone, "device_del %d (%s), departed %d", err,
	    qmp_last_error(), gone);
}

static void
test_hotplug(void)
{
	int last = nhba - 1, err;
	ll_t *gone[2];
	fk_lun_t *lun;
	double t0 = lio_now();

	err = qmp_disk_add(qfd, last, HOT, DISK);
	lun = err == 0 ? lun_at(last, HOT, WAIT) : NULL;
	drv_note("hotplug: target %d of hba %d found %.2f s after "
	    "device_add", HOT, last, lio_now() - t0);
	if (!CHECK("hotplug: a disk added at target 64 under load is found",
	    lun != NULL, "device_add %d (%s), not found within %d s", err,
	    qmp_last_error(), WAIT))
		return;
	fk_scsi_lun_rele(lun);
	ll[last][HOT] = load_on(last, HOT);
	CHECK("hotplug: and carries verified load",
	    ll_progress(ll[last][HOT], 2, WAIT) == 0, "no pass within %d s",
	    WAIT);

	remove_loaded("hotplug: the loaded disk at target 48 of hba 0 is "
	    "removed", 0, GONE);
	remove_loaded("hotplug: the loaded disk at target 64 is removed",
	    last, HOT);
	gone[0] = ll[0][GONE];
	gone[1] = ll[last][HOT];
	ll[0][GONE] = ll[last][HOT] = NULL;
	dups += lio_check_load("hotplug: the removed disks' load", gone, 2,
	    2);

	t0 = lio_now();
	err = qmp_disk_add(qfd, 0, GONE, DISK);
	lun = err == 0 ? lun_at(0, GONE, WAIT) : NULL;
	CHECK("hotplug: target 48 added again is found", lun != NULL,
	    "device_add %d (%s), not found within %d s", err,
	    qmp_last_error(), WAIT);
	drv_note("hotplug: target 48 found again %.2f s after device_add",
	    lio_now() - t0);
	if (lun != NULL)
		fk_scsi_lun_rele(lun);
	CHECK("hotplug: the other LUNs' load goes on", load_progress(WAIT) == 0,
	    "some made no pass within %d s", WAIT);
}

static void
test_load_stop(void)
{
	ll_t **all = calloc((size_t)nhba * (HOT + 1), sizeof (ll_t *));
	int n = 0;

	for (int h = 0; h < nhba; h++) {
		for (int t = 0; t <= HOT; t++) {
			if (ll[h][t] != NULL)
				all[n++] = ll[h][t];
			ll[h][t] = NULL;
		}
	}
	dups += lio_check_load("load", all, n, 0);
	free(all);
}

static void
test_detach(const char *name)
{
	int err = drv_detach();

	CHECK(name, err == 0, "expected 0, saw %d", err);
}

/*
 * pvscsi_max_targets 1: unit 0,0 of each HBA only, and a block read from
 * each.  This first attach and detach also starts what the fakekernel
 * creates once, on first use (its completion threads, the DMA arena's
 * small-object slabs), before the baseline is taken.
 */
static void
test_fewer(void)
{
	uint_t old = drv_tunable("pvscsi_max_targets");
	uchar_t *buf = fk_scsi_buf_alloc(512);
	lio_res_t r;
	int n, units, bad = 0;

	lio_res_get(&r);
	(void) drv_tune("pvscsi_max_targets", 1);
	n = drv_attach();
	nhba = fk_pci_count();
	units = fk_scsi_luns(NULL, NULL, NULL, 0);
	for (int h = 0; h < n; h++) {
		fk_lun_t *lun = lun_at(h, 0, 0);

		if (lun == NULL || fk_scsi_read(lun, 0, 1, buf, NULL) != 0)
			bad++;
		if (lun != NULL)
			fk_scsi_lun_rele(lun);
	}
	if (!CHECK("fewer: with pvscsi_max_targets 1, each HBA has unit 0,0 "
	    "only", n == nhba && nhba >= 1 && nhba <= DRV_HBAS &&
	    units == nhba && bad == 0, "%d of %d HBAs, %d units, %d without "
	    "a readable unit 0,0", n, nhba, units, bad)) {
		(void) check_exit();
		exit(1);
	}
	mem_note("memory with pvscsi_max_targets 1, idle", &r);
	test_detach("fewer: detach");
	(void) drv_tune("pvscsi_max_targets", old);
	fk_scsi_buf_free(buf, 512);
}

/*
 * The ring's depth: reads of 4 KiB, RING_QD per LUN, submitted and
 * resubmitted by this thread as they complete (the callbacks hand them
 * back), each checked to return zeroes.
 */
typedef struct rio {
	fk_scsi_cmd_t	ri_cmd;
	fk_lun_t	*ri_lun;
	uint64_t	ri_lba;
	struct rio	*ri_next;	/* done, to check and resubmit */
} rio_t;

static struct {
	pthread_mutex_t	rr_lock;
	pthread_cond_t	rr_cv;
	rio_t		*rr_done;
} rr = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL };

static void
rio_done(fk_scsi_cmd_t *cmd, void *arg)
{
	rio_t *r = arg;

	(void) pthread_mutex_lock(&rr.rr_lock);
	r->ri_next = rr.rr_done;
	rr.rr_done = r;
	(void) pthread_cond_signal(&rr.rr_cv);
	(void) pthread_mutex_unlock(&rr.rr_lock);
}

static int
rio_submit(rio_t *r)
{
	fk_scsi_cdb_rw(&r->ri_cmd, FK_SCSI_DIR_READ, r->ri_lba, 8, 512);
	r->ri_cmd.sc_timeout = 60;
	r->ri_cmd.sc_done = rio_done;
	r->ri_cmd.sc_arg = r;
	return (fk_scsi_submit(r->ri_lun, &r->ri_cmd));
}

/* Take the completed ones; count them and their errors. */
static rio_t *
rio_take(hrtime_t until, uint64_t *done, uint64_t *bad, char *what,
    size_t len)
{
	struct timespec ts;
	rio_t *list, *r;

	(void) clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 50000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	(void) pthread_mutex_lock(&rr.rr_lock);
	if (rr.rr_done == NULL && gethrtime() < until)
		(void) pthread_cond_timedwait(&rr.rr_cv, &rr.rr_lock, &ts);
	list = rr.rr_done;
	rr.rr_done = NULL;
	(void) pthread_mutex_unlock(&rr.rr_lock);
	for (r = list; r != NULL; r = r->ri_next) {
		(*done)++;
		if (r->ri_cmd.sc_error == 0 && lio_verify(r->ri_cmd.sc_buf,
		    4096, r->ri_lba * 512, 0) < 0)
			continue;
		if ((*bad)++ == 0)
			(void) snprintf(what, len, "LBA %llu: error %d, "
			    "reason %u, status 0x%x",
			    (unsigned long long)r->ri_lba, r->ri_cmd.sc_error,
			    r->ri_cmd.sc_res.ss_reason,
			    r->ri_cmd.sc_res.ss_status);
	}
	return (list);
}

/* QEMU's I/O throttling of the last HBA's disks: iops per disk, 0: none. */
static int
throttle(int iops)
{
	int err = 0;

	for (int t = 0; t < NTGT; t++) {
		err |= qmp_exec(qfd, NULL, 0, "{\"execute\":"
		    "\"block_set_io_throttle\",\"arguments\":{\"id\":"
		    "\"disk-%d-%d\",\"bps\":0,\"bps_rd\":0,\"bps_wr\":0,"
		    "\"iops\":%d,\"iops_rd\":0,\"iops_wr\":0}}", nhba - 1, t,
		    iops);
	}
	return (err);
}

/* The last SETUP_RINGS's request and completion ring pages, or 0s. */
static void
ring_pages(uint32_t *req, uint32_t *cmp)
{
	dt_cmd_t c;

	*req = *cmp = 0;
	for (uint_t i = dt_ncmds(); i-- > 0; ) {
		if (dt_cmd(i, &c) == 0 && c.dc_cmd == PVSCSI_CMD_SETUP_RINGS &&
		    c.dc_ndata >= 2) {
			*req = c.dc_data[0];
			*cmp = c.dc_data[1];
			return;
		}
	}
}

/*
 * 1,024 reads over the last HBA's 64 LUNs, resubmitted as they complete
 * until the end: first with QEMU throttling the disks to one read per
 * second each, so that the device holds all 1,024 at once, then at full
 * speed for RING_SECS.
 */
static void
test_ring(void)
{
	uint_t old = drv_tunable("pvscsi_ring_pages"), nio = NTGT * RING_QD;
	rio_t *rios = calloc(nio, sizeof (rio_t)), *list;
	fk_lun_t *luns[NTGT];
	uint64_t done = 0, bad = 0, peak = 0, inflight = 0;
	uint32_t req, cmp;
	char what[160] = "";
	hrtime_t until, full;
	int n, nluns = 0, err;

	(void) drv_tune("pvscsi_ring_pages", RING_PAGES);
	dt_start();
	n = drv_attach();
	ring_pages(&req, &cmp);
	for (int t = 0; t < NTGT && n == nhba; t++) {
		if ((luns[nluns] = lun_at(nhba - 1, t, 0)) != NULL)
			nluns++;
	}
	if (!CHECK("ring: pvscsi_ring_pages 32 gives the device 32 request "
	    "pages (and 8 completion pages)", n == nhba && nluns == NTGT &&
	    req == RING_PAGES && cmp * PVSCSI_CMPS_PER_PAGE ==
	    RING_PAGES * PVSCSI_REQS_PER_PAGE, "%d HBAs, %d LUNs on the last, "
	    "%u and %u pages", n, nluns, req, cmp))
		goto out;
	err = throttle(1);
	for (uint_t i = 0; i < nio; i++) {
		rio_t *r = &rios[i];

		r->ri_lun = luns[i % NTGT];
		r->ri_lba = RING_LBA + (uint64_t)(i / NTGT) * 8;
		r->ri_cmd.sc_buf = fk_scsi_buf_alloc(4096);
		r->ri_cmd.sc_buflen = 4096;
	}
	for (int t = 0; t < NTGT; t++)
		(void) fk_scsi_set_depth(luns[t], RING_QD);
	for (uint_t i = 0; i < nio; i++)
		inflight += rio_submit(&rios[i]) == 0;
	full = gethrtime() + SEC2NSEC(2);
	until = full + SEC2NSEC(RING_SECS);
	while (inflight > 0) {
		if (full != 0 && dt_ring_indices(&req, &cmp) == 0)
			peak = MAX(peak, req - cmp);
		if (full != 0 && gethrtime() > full) {
			err |= throttle(0);
			full = 0;
		}
		list = rio_take(until + SEC2NSEC(60), &done, &bad, what,
		    sizeof (what));
		for (rio_t *r = list, *next; r != NULL; r = next) {
			next = r->ri_next;
			if (gethrtime() > until || rio_submit(r) != 0)
				inflight--;
		}
		if (list == NULL && gethrtime() > until + SEC2NSEC(60))
			break;
	}
	drv_note("ring: %llu reads at queue depth %u over %d LUNs; the device "
	    "held at most %llu", (unsigned long long)done, nio, NTGT,
	    (unsigned long long)peak);
	CHECK("ring: the device holds 1,024 requests at once", err == 0 &&
	    peak == nio, "throttling %d, saw at most %llu", err,
	    (unsigned long long)peak);
	CHECK("ring: every read completes, with the zeroes of its region",
	    inflight == 0 && bad == 0 && done > nio, "%llu still out, %llu "
	    "bad of %llu: %s", (unsigned long long)inflight,
	    (unsigned long long)bad, (unsigned long long)done, what);
	for (uint_t i = 0; i < nio; i++)
		fk_scsi_buf_free(rios[i].ri_cmd.sc_buf, 4096);
out:
	for (int t = 0; t < nluns; t++)
		fk_scsi_lun_rele(luns[t]);
	test_detach("ring: detach");
	dt_stop();
	(void) drv_tune("pvscsi_ring_pages", old);
	free(rios);
}

int
main(void)
{
	lio_res_t r0, r1;
	int err;

	err = drv_load();
	if (!CHECK("load", err == 0, "expected 0, saw %d", err))
		return (check_exit());
	qfd = qmp_open();
	CHECK("qmp", qfd >= 0, "cannot open $LAB_QMP");
	test_fewer();
	lio_res_get(&r0);
	test_attach(&r0);
	test_load();
	if (qfd >= 0)
		test_hotplug();
	test_load_stop();
	test_detach("detach: every HBA");
	lio_res_get(&r1);
	soak_report("scale", dups, &r0, &r1);
	if (qfd >= 0)
		test_ring();
	lio_check_clean("scale");
	drv_unload();
	return (check_exit());
}

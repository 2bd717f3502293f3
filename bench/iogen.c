/*
 * iogen: the bench's I/O generator, run in the lab guest.
 *
 *	iogen [-x ours|ring] [-l LABEL] [-s] [-q] [-w WARMUP] [-t SECS]
 *	    [-n REP] TEST...
 *
 * TEST is WORKLOAD:SIZE:QD[:MODE]: WORKLOAD randread, randwrite or
 * seqread; SIZE in bytes or with a k suffix; MODE intr (default) or poll.
 * Each test runs WARMUP seconds, then is measured for SECS seconds, and
 * prints one result line (bstat.h) on stdout.
 *
 * -x ours (default): the pvscsi driver iogen is linked with (ours, or
 * another one built by make driver: its result lines say who=LABEL, -l)
 * on the first PVSCSI function (the only one in $LAB_PVSCSI), through
 * the fakekernel's target-side API on LUN 0 of target 0, as sd would
 * drive it:
 *   intr	asynchronous submissions (fk_scsi_submit) with the unit's queue
 *		depth set to QD; each completion callback submits the next
 *		command, so QD commands are always in the HBA's hands.
 *		Completions are delivered directly from the interrupt
 *		handler (FK_SCSI_COMP_DIRECT, as scsi_hba_pkt_comp(9F) does
 *		on illumos) unless FK_SCSI_COMP says otherwise.
 *   poll	the device's interrupts masked (its INTR_MASK register
 *		cleared through a mapping of our own, restored afterwards),
 *		one thread running FLAG_NOINTR commands (fk_scsi_cmd) back
 *		to back and QD - 1 asynchronous ones as in intr: the driver's
 *		polling loop for the FLAG_NOINTR command takes every
 *		completion, and the callbacks resubmit from it.
 * -x ring: no driver; the raw polled ring of ring.c on the same function,
 * the device's ceiling (MODE is ignored: always polled).
 *
 * -s (with -x ours, MODE intr): at scale, every LUN of every PVSCSI
 * function in $LAB_PVSCSI (each with as many), QD commands per HBA,
 * spread evenly over its LUNs.  The attach's discovery time is printed
 * first, one "D" line per HBA and one for all:
 *	D who=ours rep=REP hba=I|all units=N secs=S
 * and the result lines carry hbas= and luns= (per HBA).
 *
 * Exit status 0; 1 when a test fails; 3 when the driver does not come up
 * (its load, attach, LUN 0,0 or the first read fails).
 *
 * -q: count at the device (devcount.h): QEMU's trace of the device model
 * is on for each measured window, whose range in the trace ends its
 * result line (trace=FROM-TO).  Tracing costs time: a counting run.
 *
 * Latency is total: from the submission call to the completion as the
 * caller sees it.  Kicks are writes to KICK_RW_IO and KICK_NON_RW_IO,
 * interrupts the fakekernel's handler invocations, CPU the busy time of
 * all guest CPUs (/proc/stat), all over the measured window.
 *
 * The environment should carry FK_STRICT_DMA=0: strict DMA is a testing
 * mode with a copy per sync.
 */
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <pthread.h>
#include <time.h>

#include <sys/time.h>
#include <sys/sunddi.h>
#include <sys/pci.h>
#include <sys/scsi/scsi.h>

#include "lib/drv.h"
#include "pvscsi.h"
#include "iogen.h"
#include "devcount.h"

#define	PHASE_WARMUP	0
#define	PHASE_MEASURE	1
#define	PHASE_STOP	2

#define	IOGEN_MAXQD	256	/* commands in all */
#define	IOGEN_MAXLUNS	256

/* Exit statuses: a failure; the driver did not come up (ours_open). */
#define	IOGEN_EXIT_FAIL		1
#define	IOGEN_EXIT_NODRIVER	3

static const char *progname = "iogen";
static int die_status = IOGEN_EXIT_FAIL;

static void
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(die_status);
}

/*
 * Block addresses.
 */
void
lba_init(lba_gen_t *g, const test_t *t, uint64_t nblocks, uint32_t blksize)
{
	g->lg_nblocks = nblocks;
	g->lg_blksize = blksize;
	g->lg_nblks = t->t_bs / blksize;
	g->lg_random = t->t_random;
	g->lg_next = 0;
}

uint64_t
lba_next(lba_gen_t *g, uint64_t *seed)
{
	uint64_t slots = g->lg_nblocks / g->lg_nblks, n;

	if (g->lg_random) {
		/* xorshift64* */
		uint64_t x = *seed;
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		*seed = x;
		n = (x * 0x2545F4914F6CDD1DULL) >> 11;
	} else {
		n = __atomic_fetch_add(&g->lg_next, 1, __ATOMIC_RELAXED);
	}
	return ((n % slots) * g->lg_nblks);
}

/*
 * Windows.
 */
int
pvscsi_rnumber(dev_info_t *dip)
{
	int nregs;

	if (ddi_dev_nregs(dip, &nregs) != DDI_SUCCESS)
		return (-1);
	/* as the driver does: the first memory BAR big enough */
	for (int rn = 1; rn < nregs; rn++) {
		off_t size;

		if (ddi_dev_regsize(dip, (uint_t)rn, &size) == DDI_SUCCESS &&
		    size >= PVSCSI_MEM_SPACE_SIZE)
			return (rn);
	}
	return (-1);
}

void
snap_take(snap_t *s, uint_t rn)
{
	fk_counters_t c;

	fk_counters_get(&c);
	s->s_intrs = c.fc_intrs;
	s->s_kicks = fk_reg_writes_at(rn, PVSCSI_REG_KICK_RW_IO) +
	    fk_reg_writes_at(rn, PVSCSI_REG_KICK_NON_RW_IO);
	(void) cpu_snap(&s->s_cpu);
	s->s_ns = now_ns();
}

void
window_open(snap_t *a, uint_t rn, const timing_t *tm)
{
	a->s_trace = -1;
	if (tm->tm_count && (a->s_trace = devcount_on()) < 0)
		die("cannot count at the device");
	snap_take(a, rn);
}

void
window_close(snap_t *b, uint_t rn, const timing_t *tm)
{
	snap_take(b, rn);
	b->s_trace = -1;
	if (tm->tm_count && (b->s_trace = devcount_off()) < 0)
		die("cannot count at the device");
}

void
snap_diff(const snap_t *a, const snap_t *b, bench_result_t *r)
{
	r->br_traced = a->s_trace >= 0 && b->s_trace >= 0;
	r->br_trace_from = a->s_trace;
	r->br_trace_to = b->s_trace;
	r->br_secs = (double)(b->s_ns - a->s_ns) / 1e9;
	r->br_kicks = (double)(b->s_kicks - a->s_kicks);
	r->br_intrs = (double)(b->s_intrs - a->s_intrs);
	r->br_cpu_us = (double)(b->s_cpu.cs_busy_us - a->s_cpu.cs_busy_us);
}

/*
 * Our driver.  One run of one test.
 */
typedef struct run run_t;

typedef struct io {
	fk_scsi_cmd_t	io_cmd;
	run_t		*io_run;
	fk_lun_t	*io_lun;
	uint64_t	io_t0;
	uint64_t	io_seed;
	void		*io_buf;
	struct io	*io_next;	/* parked */
} io_t;

struct run {
	const test_t	*r_test;
	uint_t		r_nio;		/* QD per HBA times the HBAs */
	lba_gen_t	r_lba;
	volatile int	r_phase;
	uint64_t	r_done;		/* in the window */
	uint64_t	r_errors;
	uint64_t	r_parks;
	int		r_fatal;	/* a submission failed for good */
	bench_hist_t	r_hist;
	pthread_mutex_t	r_park_lock;
	pthread_cond_t	r_park_cv;
	io_t		*r_parked;
	io_t		r_io[IOGEN_MAXQD];
};

/*
 * The LUNs driven: o_per of each of o_nhba HBAs, by HBA (one LUN of one
 * HBA but at scale).
 */
typedef struct ours {
	fk_lun_t	*o_luns[IOGEN_MAXLUNS];
	int		o_nhba;
	int		o_per;
	uint64_t	o_nblocks;
	uint32_t	o_blksize;
	uint_t		o_rn;
	dev_info_t	*o_dip;
} ours_t;

static void io_done(fk_scsi_cmd_t *, void *);

static void
io_prep(io_t *io, uint_t flags)
{
	run_t *r = io->io_run;
	const test_t *t = r->r_test;
	fk_scsi_cmd_t *cmd = &io->io_cmd;

	fk_scsi_cdb_rw(cmd, t->t_write ? FK_SCSI_DIR_WRITE : FK_SCSI_DIR_READ,
	    lba_next(&r->r_lba, &io->io_seed), r->r_lba.lg_nblks,
	    r->r_lba.lg_blksize);
	cmd->sc_buf = io->io_buf;
	cmd->sc_flags = flags;
	cmd->sc_timeout = 30;
	cmd->sc_done = io_done;
	cmd->sc_arg = io;
}

/* Count a finished command into the window. */
static void
io_account(run_t *r, const fk_scsi_cmd_t *cmd, uint64_t lat)
{
	if (r->r_phase != PHASE_MEASURE)
		return;
	bh_add(&r->r_hist, lat);
	__atomic_add_fetch(&r->r_done, 1, __ATOMIC_RELAXED);
	if (cmd->sc_error != 0)
		__atomic_add_fetch(&r->r_errors, 1, __ATOMIC_RELAXED);
}

static void
io_park(run_t *r, io_t *io)
{
	(void) pthread_mutex_lock(&r->r_park_lock);
	io->io_next = r->r_parked;
	r->r_parked = io;
	r->r_parks++;
	(void) pthread_cond_signal(&r->r_park_cv);
	(void) pthread_mutex_unlock(&r->r_park_lock);
}

/*
 * Submit the next command on io.  From a completion callback, a
 * submission that cannot proceed at once (EWOULDBLOCK, ENOMEM) parks the
 * io for the main thread.
 */
static void
io_issue(io_t *io)
{
	run_t *r = io->io_run;
	int rv;

	io_prep(io, 0);
	io->io_t0 = now_ns();
	if ((rv = fk_scsi_submit(io->io_lun, &io->io_cmd)) == 0)
		return;
	if (rv != EWOULDBLOCK && rv != ENOMEM && rv != EAGAIN)
		r->r_fatal = rv;
	io_park(r, io);
}

static void
io_done(fk_scsi_cmd_t *cmd, void *arg)
{
	io_t *io = arg;
	run_t *r = io->io_run;

	io_account(r, cmd, now_ns() - io->io_t0);
	if (r->r_phase == PHASE_STOP)
		return;
	io_issue(io);
}

/* Main thread: resubmit parked commands, sleeping on the slot limit. */
static void
run_unpark(run_t *r)
{
	io_t *list;

	(void) pthread_mutex_lock(&r->r_park_lock);
	list = r->r_parked;
	r->r_parked = NULL;
	(void) pthread_mutex_unlock(&r->r_park_lock);
	while (list != NULL) {
		io_t *io = list;

		list = io->io_next;
		if (r->r_phase == PHASE_STOP || r->r_fatal != 0)
			continue;
		io_issue(io);
	}
}

/*
 * Sleep until deadline (CLOCK_MONOTONIC ns), handing parked commands
 * back meanwhile.  The main thread sleeps on a condition variable, so it
 * costs no CPU unless a command is parked.
 */
static void
run_wait(run_t *r, uint64_t deadline)
{
	struct timespec ts = {
		.tv_sec = (time_t)(deadline / 1000000000ULL),
		.tv_nsec = (long)(deadline % 1000000000ULL)
	};

	for (;;) {
		(void) pthread_mutex_lock(&r->r_park_lock);
		while (r->r_parked == NULL && now_ns() < deadline)
			(void) pthread_cond_timedwait(&r->r_park_cv,
			    &r->r_park_lock, &ts);
		(void) pthread_mutex_unlock(&r->r_park_lock);
		if (r->r_parked != NULL)
			run_unpark(r);
		if (now_ns() >= deadline)
			return;
	}
}

static void
run_init(run_t *r, ours_t *o, const test_t *t)
{
	pthread_condattr_t ca;

	memset(r, 0, sizeof (*r));
	r->r_test = t;
	r->r_nio = t->t_qd * (uint_t)o->o_nhba;
	lba_init(&r->r_lba, t, o->o_nblocks, o->o_blksize);
	(void) pthread_mutex_init(&r->r_park_lock, NULL);
	(void) pthread_condattr_init(&ca);
	(void) pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	(void) pthread_cond_init(&r->r_park_cv, &ca);
	(void) pthread_condattr_destroy(&ca);
	for (unsigned i = 0; i < r->r_nio; i++) {
		io_t *io = &r->r_io[i];
		int h = (int)i % o->o_nhba, k = (int)i / o->o_nhba % o->o_per;

		io->io_run = r;
		io->io_lun = o->o_luns[h * o->o_per + k];
		io->io_seed = 0x9E3779B97F4A7C15ULL * (i + 1) ^ now_ns();
		io->io_buf = fk_scsi_buf_alloc(t->t_bs);
	}
}

static void
run_fini(run_t *r)
{
	for (unsigned i = 0; i < r->r_nio; i++)
		fk_scsi_buf_free(r->r_io[i].io_buf, r->r_test->t_bs);
	(void) pthread_cond_destroy(&r->r_park_cv);
	(void) pthread_mutex_destroy(&r->r_park_lock);
}

/* The measured part, common to both modes: warm up, then the window. */
static void
run_window(run_t *r, ours_t *o, const timing_t *tm, bench_result_t *res)
{
	snap_t a, b;

	run_wait(r, now_ns() + (uint64_t)(tm->tm_warmup * 1e9));
	window_open(&a, o->o_rn, tm);
	r->r_phase = PHASE_MEASURE;
	run_wait(r, a.s_ns + (uint64_t)(tm->tm_secs * 1e9));
	r->r_phase = PHASE_STOP;
	window_close(&b, o->o_rn, tm);
	snap_diff(&a, &b, res);
}

static void
run_result(run_t *r, bench_result_t *res)
{
	res->br_ios = (double)r->r_done;
	res->br_errors = (double)r->r_errors;
	res->br_p50_us = (double)bh_pct(&r->r_hist, 0.50) / 1e3;
	res->br_p99_us = (double)bh_pct(&r->r_hist, 0.99) / 1e3;
}

static void
ours_intr(ours_t *o, const test_t *t, const timing_t *tm,
    bench_result_t *res)
{
	run_t *r = calloc(1, sizeof (*r));
	uint_t depth = 0, qd = (t->t_qd + o->o_per - 1) / o->o_per;
	int n = o->o_nhba * o->o_per;

	if (r == NULL)
		die("out of memory");
	run_init(r, o, t);
	for (int i = 0; i < n; i++)
		depth = fk_scsi_set_depth(o->o_luns[i], qd);
	for (unsigned i = 0; i < r->r_nio; i++)
		io_issue(&r->r_io[i]);
	run_window(r, o, tm, res);
	for (int i = 0; i < n; i++) {
		if (fk_scsi_drain(o->o_luns[i], SEC2NSEC(60)) != 0)
			die("%s: commands still outstanding 60 s after the "
			    "run", t->t_wl);
		(void) fk_scsi_set_depth(o->o_luns[i], depth);
	}
	if (r->r_fatal != 0)
		die("%s: a submission failed: %s", t->t_wl,
		    strerror(r->r_fatal));
	run_result(r, res);
	run_fini(r);
	free(r);
}

/*
 * Polled: the poller runs one FLAG_NOINTR command at a time; waiting for
 * it, the driver completes everything the device has finished.
 */
static void *
poll_thread(void *arg)
{
	io_t *io = arg;
	run_t *r = io->io_run;

	while (r->r_phase != PHASE_STOP && r->r_fatal == 0) {
		int rv;

		io_prep(io, FLAG_NOINTR);
		io->io_t0 = now_ns();
		rv = fk_scsi_cmd(io->io_lun, &io->io_cmd);
		io->io_cmd.sc_error = rv;
		io_account(r, &io->io_cmd, now_ns() - io->io_t0);
		if (rv == EINVAL || rv == ENXIO || rv == EFAULT)
			r->r_fatal = rv;
	}
	return (NULL);
}

/* Mask (or restore) the device's interrupts through our own mapping. */
static uint32_t
intr_mask_set(ours_t *o, uint32_t val)
{
	static ddi_device_acc_attr_t attr = {
		.devacc_attr_version = DDI_DEVICE_ATTR_V0,
		.devacc_attr_endian_flags = DDI_STRUCTURE_LE_ACC,
		.devacc_attr_dataorder = DDI_STRICTORDER_ACC
	};
	ddi_acc_handle_t h;
	caddr_t base;
	uint32_t old;

	if (ddi_regs_map_setup(o->o_dip, o->o_rn, &base, 0,
	    PVSCSI_MEM_SPACE_SIZE, &attr, &h) != DDI_SUCCESS)
		die("cannot map the registers");
	old = ddi_get32(h, (uint32_t *)(base + PVSCSI_REG_INTR_MASK));
	ddi_put32(h, (uint32_t *)(base + PVSCSI_REG_INTR_MASK), val);
	ddi_regs_map_free(&h);
	return (old);
}

static void
ours_poll(ours_t *o, const test_t *t, const timing_t *tm,
    bench_result_t *res)
{
	run_t *r = calloc(1, sizeof (*r));
	pthread_t poller;
	uint32_t mask;
	uint_t depth;

	if (r == NULL)
		die("out of memory");
	run_init(r, o, t);
	depth = fk_scsi_set_depth(o->o_luns[0], t->t_qd);
	mask = intr_mask_set(o, 0);
	if (pthread_create(&poller, NULL, poll_thread, &r->r_io[0]) != 0)
		die("cannot create a thread");
	for (unsigned i = 1; i < t->t_qd; i++)
		io_issue(&r->r_io[i]);
	run_window(r, o, tm, res);
	(void) pthread_join(poller, NULL);
	(void) intr_mask_set(o, mask);
	if (fk_scsi_drain(o->o_luns[0], SEC2NSEC(60)) != 0)
		die("%s: commands still outstanding 60 s after the run",
		    t->t_wl);
	(void) fk_scsi_set_depth(o->o_luns[0], depth);
	if (r->r_fatal != 0)
		die("%s: a polled command failed: %s", t->t_wl,
		    strerror(r->r_fatal));
	run_result(r, res);
	run_fini(r);
	free(r);
}

/* Attach, timed; print the discovery lines. */
static int
ours_attach_timed(int rep)
{
	drv_disc_t dd;
	int n = drv_attach_timed(&dd), units = 0;

	for (int h = 0; h < n && h < DRV_HBAS; h++) {
		printf("D who=ours rep=%d hba=%d units=%d secs=%.3f\n", rep, h,
		    dd.dd_units[h], dd.dd_last[h]);
		units += dd.dd_units[h];
	}
	printf("D who=ours rep=%d hba=all units=%d secs=%.3f\n", rep, units,
	    dd.dd_total);
	return (n);
}

/* The LUNs of HBA h into luns (held); how many it has. */
static int
hba_luns(int h, fk_lun_t **luns, int max)
{
	dev_info_t *iports[4];
	int ni = fk_scsi_iports(fk_pci_hba(h), iports, 4), n = 0;

	for (int i = 0; i < ni && i < 4; i++)
		n += fk_scsi_luns(iports[i], NULL, luns + MIN(n, max),
		    MAX(max - n, 0));
	return (n);
}

static void
ours_open(ours_t *o, int scale, int rep)
{
	fk_lun_info_t li;
	const char *comp = getenv("FK_SCSI_COMP");
	int err, n;
	uchar_t *buf;

	memset(o, 0, sizeof (*o));
	die_status = IOGEN_EXIT_NODRIVER;
	if ((err = drv_load()) != 0)
		die("drv_load: %s", strerror(err));
	if (comp == NULL || *comp == '\0')
		(void) fk_scsi_comp_mode(FK_SCSI_COMP_DIRECT);
	n = scale ? ours_attach_timed(rep) : drv_attach();
	if (n < 1 || (!scale && n != 1))
		die("expected the driver on %s, attached %d",
		    scale ? "every HBA" : "1 HBA", n);
	o->o_nhba = n;
	if (!scale) {
		o->o_per = 1;
		if ((o->o_luns[0] = drv_lun(0, "0,0", 10)) == NULL)
			die("no LUN 0,0");
	}
	for (int h = 0; scale && h < n; h++) {
		int k = hba_luns(h, &o->o_luns[h * o->o_per],
		    IOGEN_MAXLUNS - h * o->o_per);

		if (h == 0)
			o->o_per = MIN(k, IOGEN_MAXLUNS / n);
		if (k != o->o_per)
			die("HBA %d has %d LUNs, HBA 0 %d", h, k, o->o_per);
	}
	if (fk_scsi_lun_info(o->o_luns[0], &li) != 0 || !li.li_cap_valid)
		die("LUN 0,0: no capacity");
	o->o_nblocks = li.li_nblocks;
	o->o_blksize = li.li_blksize;
	o->o_dip = fk_pci_hba(0);
	if ((n = pvscsi_rnumber(o->o_dip)) < 0)
		die("no register BAR");
	o->o_rn = (uint_t)n;
	/* one read with sd's retries absorbs any unit attention */
	buf = fk_scsi_buf_alloc(o->o_blksize);
	for (int i = 0; i < o->o_nhba * o->o_per; i++) {
		if ((err = fk_scsi_read(o->o_luns[i], 0, 1, buf, NULL)) != 0)
			die("first read: %s", strerror(err));
	}
	fk_scsi_buf_free(buf, o->o_blksize);
	die_status = IOGEN_EXIT_FAIL;
}

static void
ours_close(ours_t *o)
{
	for (int i = 0; i < o->o_nhba * o->o_per; i++)
		fk_scsi_lun_rele(o->o_luns[i]);
	if (drv_detach() != 0)
		die("detach failed");
	drv_unload();
}

/*
 * The raw ring: no driver, only the fakekernel's DDI.
 */
static ring_t *
ring_setup(void)
{
	fk_options_t opts = { 0 };
	ring_t *rg;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	opts.fo_platform = "vfio";
	opts.fo_strict_dma = -1;
	if ((err = fk_init(&opts)) != 0)
		die("fk_init: %s", strerror(err));
	if ((rg = ring_open(0)) == NULL)
		die("cannot set the raw ring up");
	return (rg);
}

/*
 * Tests.
 */
static int
parse_test(char *spec, test_t *t)
{
	char *wl = strtok(spec, ":"), *bs = strtok(NULL, ":");
	char *qd = strtok(NULL, ":"), *mode = strtok(NULL, ":"), *end;
	unsigned long v;

	memset(t, 0, sizeof (*t));
	if (wl == NULL || bs == NULL || qd == NULL)
		return (-1);
	if (strcmp(wl, "randread") == 0) {
		t->t_random = 1;
	} else if (strcmp(wl, "randwrite") == 0) {
		t->t_random = 1;
		t->t_write = 1;
	} else if (strcmp(wl, "seqread") != 0) {
		return (-1);
	}
	t->t_wl = wl;
	v = strtoul(bs, &end, 10);
	if (*end == 'k' || *end == 'K') {
		v *= 1024;
		end++;
	}
	if (*end != '\0' || v == 0 || v % 512 != 0 || v > 1024 * 1024)
		return (-1);
	t->t_bs = (unsigned)v;
	v = strtoul(qd, &end, 10);
	if (*end != '\0' || v == 0 || v > IOGEN_MAXQD)
		return (-1);
	t->t_qd = (unsigned)v;
	t->t_mode = mode != NULL ? mode : "intr";
	if (strcmp(t->t_mode, "intr") != 0 && strcmp(t->t_mode, "poll") != 0)
		return (-1);
	return (0);
}

static void
usage(void)
{
	fprintf(stderr, "usage: %s [-x ours|ring] [-l LABEL] [-s] [-q] "
	    "[-w WARMUP] [-t SECS] [-n REP] WORKLOAD:SIZE:QD[:intr|poll]...\n",
	    progname);
	exit(2);
}

int
main(int argc, char **argv)
{
	timing_t tm = { .tm_warmup = 1.0, .tm_secs = 3.0, .tm_rep = 1 };
	const char *who = "ours", *label = "ours";
	test_t *tests;
	int c, ntests, scale = 0;

	while ((c = getopt(argc, argv, "x:l:sqw:t:n:")) != -1) {
		switch (c) {
		case 'x':
			who = optarg;
			break;
		case 'l':
			label = optarg;
			break;
		case 's':
			scale = 1;
			break;
		case 'q':
			tm.tm_count = 1;
			break;
		case 'w':
			tm.tm_warmup = atof(optarg);
			break;
		case 't':
			tm.tm_secs = atof(optarg);
			break;
		case 'n':
			tm.tm_rep = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if ((strcmp(who, "ours") != 0 && strcmp(who, "ring") != 0) ||
	    (scale && strcmp(who, "ours") != 0) || optind >= argc ||
	    tm.tm_secs <= 0 || tm.tm_warmup < 0)
		usage();
	ntests = argc - optind;
	if ((tests = calloc((size_t)ntests, sizeof (*tests))) == NULL)
		die("out of memory");
	for (int i = 0; i < ntests; i++) {
		if (parse_test(argv[optind + i], &tests[i]) != 0 ||
		    (scale && strcmp(tests[i].t_mode, "intr") != 0)) {
			fprintf(stderr, "%s: bad test '%s'\n", progname,
			    argv[optind + i]);
			usage();
		}
	}

	if (strcmp(who, "ring") == 0) {
		ring_t *rg = ring_setup();

		for (int i = 0; i < ntests; i++) {
			bench_result_t res = { 0 };

			res.br_who = "ring";
			res.br_mode = "poll";
			res.br_wl = tests[i].t_wl;
			res.br_bs = tests[i].t_bs;
			res.br_qd = tests[i].t_qd;
			res.br_rep = tm.tm_rep;
			if (ring_run(rg, &tests[i], &tm, &res) != 0)
				die("raw ring: %s failed", tests[i].t_wl);
			br_print(&res);
		}
		ring_close(rg);
		fk_fini();
	} else {
		ours_t o;

		ours_open(&o, scale, tm.tm_rep);
		for (int i = 0; i < ntests; i++) {
			const test_t *t = &tests[i];
			bench_result_t res = { 0 };

			if (t->t_qd * (uint_t)o.o_nhba > IOGEN_MAXQD)
				die("QD %u on %d HBAs: more than %d commands",
				    t->t_qd, o.o_nhba, IOGEN_MAXQD);
			res.br_who = label;
			res.br_hbas = scale ? o.o_nhba : 0;
			res.br_luns = scale ? o.o_per : 0;
			res.br_mode = t->t_mode;
			res.br_wl = t->t_wl;
			res.br_bs = t->t_bs;
			res.br_qd = t->t_qd;
			res.br_rep = tm.tm_rep;
			if (strcmp(t->t_mode, "poll") == 0)
				ours_poll(&o, t, &tm, &res);
			else
				ours_intr(&o, t, &tm, &res);
			br_print(&res);
		}
		ours_close(&o);
	}
	free(tests);
	return (0);
}

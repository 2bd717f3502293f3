/*
 * Queue saturation: a target driver keeps far more commands outstanding
 * than the request ring holds (its depth as the device was told at
 * SETUP_RINGS, devtap.h): 4 x the ring and more on one LUN, 4 x the ring
 * spread over four LUNs, 4 x the ring of writes and then reads on a file
 * disk.  Every command completes exactly once, with GOOD status and its
 * data; none is refused with TRAN_BUSY longer than the framework's
 * submitter retries it (fk_scsi_submit: 500 times, a tick apart); no
 * console line, and no notice or warning in the system log either (a
 * default illumos syslog.conf copies kern.notice and above to the
 * console).  How often the driver answered TRAN_BUSY, and how many
 * commands it held at once, are printed.
 *
 * --white: our driver queues what the ring cannot hold (its wait queue),
 * so it holds 4 x the ring at once.
 *
 * Topology (tests/lab/suites): hba0 with a raw file disk at target 0 and
 * four null disks at targets 1-4 whose every request completes a second
 * late (null,latency=1000000000), so that commands pile up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include <sys/cmn_err.h>
#include <sys/sunddi.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/scsi/scsi.h>

#include "check.h"
#include "lib/drv.h"
#include "lib/labio.h"
#include "lib/labcheck.h"
#include "lib/devtap.h"

#define	BLK		512
#define	XFER		4096
#define	NSLOW		4

typedef struct req {
	fk_scsi_cmd_t	r_cmd;
	uchar_t		*r_buf;
	uint64_t	r_lba;
	uint_t		r_done;		/* completions seen */
	int		r_error;
} req_t;

typedef struct run {
	req_t		*ru_reqs;
	uint_t		ru_n;
	uint_t		ru_submit_errors;
	int		ru_first_submit_error;
	uint64_t	ru_peak;	/* most packets the HBA held */
	uint64_t	ru_busy;	/* TRAN_BUSY answers, retried */
	double		ru_secs;
} run_t;

static fk_lun_t *luns[1 + NSLOW];
static int white;

static void
req_done(fk_scsi_cmd_t *cmd, void *arg)
{
	req_t *r = arg;

	r->r_error = cmd->sc_error;
	__atomic_add_fetch(&r->r_done, 1, __ATOMIC_RELEASE);
}

static void
run_init(run_t *ru, uint_t n, uint64_t base_lba)
{
	bzero(ru, sizeof (*ru));
	ru->ru_n = n;
	ru->ru_reqs = calloc(n, sizeof (req_t));
	for (uint_t i = 0; i < n; i++) {
		ru->ru_reqs[i].r_buf = fk_scsi_buf_alloc(XFER);
		ru->ru_reqs[i].r_lba = base_lba + (uint64_t)i * (XFER / BLK);
	}
}

static void
run_fini(run_t *ru)
{
	for (uint_t i = 0; i < ru->ru_n; i++)
		fk_scsi_buf_free(ru->ru_reqs[i].r_buf, XFER);
	free(ru->ru_reqs);
}

static uint64_t
outstanding(void)
{
	fk_scsi_stats_t st;

	fk_scsi_stats(&st);
	return (st.st_outstanding);
}

static uint64_t
busy_answers(void)
{
	fk_scsi_stats_t st;

	fk_scsi_stats(&st);
	return (st.st_busy);
}

/*
 * Submit every request, request i to luns[lun0 + i % nluns], as fast as
 * the per-unit depths allow, then wait for all of them.
 */
static void
run_go(run_t *ru, int dir, int lun0, int nluns)
{
	double t0 = lio_now();
	uint64_t busy0 = busy_answers();

	for (uint_t i = 0; i < ru->ru_n; i++) {
		req_t *r = &ru->ru_reqs[i];
		fk_lun_t *l = luns[lun0 + i % nluns];
		int rv;

		bzero(&r->r_cmd, sizeof (r->r_cmd));
		fk_scsi_cdb_rw(&r->r_cmd, dir, r->r_lba, XFER / BLK, BLK);
		r->r_cmd.sc_buf = r->r_buf;
		r->r_cmd.sc_done = req_done;
		r->r_cmd.sc_arg = r;
		r->r_cmd.sc_timeout = 60;
		r->r_done = 0;
		r->r_error = -1;
		if ((rv = fk_scsi_submit(l, &r->r_cmd)) != 0) {
			if (ru->ru_submit_errors++ == 0)
				ru->ru_first_submit_error = rv;
			r->r_done = 1;		/* never started */
			r->r_error = rv;
		}
		ru->ru_peak = MAX(ru->ru_peak, outstanding());
	}
	for (int k = 0; k < nluns; k++)
		(void) fk_scsi_drain(luns[lun0 + k], SEC2NSEC(120));
	ru->ru_secs = lio_now() - t0;
	ru->ru_busy = busy_answers() - busy0;
}

/*
 * Each completed once, without error, with its data (seed 0: zeroes);
 * none refused beyond the submitter's retries; with --white, want_peak
 * or more held by the HBA at once.
 */
static void
run_check(const char *name, run_t *ru, uint64_t seed, uint64_t want_peak)
{
	uint_t notonce = 0, errors = 0, baddata = 0, first = UINT_MAX;
	char cname[96];

	for (uint_t i = 0; i < ru->ru_n; i++) {
		req_t *r = &ru->ru_reqs[i];
		uint_t d = __atomic_load_n(&r->r_done, __ATOMIC_ACQUIRE);

		if (d != 1)
			notonce++;
		else if (r->r_error != 0)
			errors++;
		else if (r->r_cmd.sc_dir == FK_SCSI_DIR_READ &&
		    lio_verify(r->r_buf, XFER, r->r_lba * BLK, seed) >= 0)
			baddata++;
		else
			continue;
		if (first == UINT_MAX)
			first = i;
	}
	drv_note("%s: %u commands in %.2f s, at most %llu held by the HBA "
	    "at once, %llu TRAN_BUSY answers retried", name, ru->ru_n,
	    ru->ru_secs, (unsigned long long)ru->ru_peak,
	    (unsigned long long)ru->ru_busy);
	(void) snprintf(cname, sizeof (cname), "%s: none refused beyond the "
	    "framework's retries", name);
	CHECK(cname, ru->ru_submit_errors == 0,
	    "expected every submission accepted, saw %u refused (first "
	    "error %d: %s) after %llu TRAN_BUSY answers", ru->ru_submit_errors,
	    ru->ru_first_submit_error, ru->ru_first_submit_error == EAGAIN ?
	    "TRAN_BUSY through every retry" : "not TRAN_BUSY",
	    (unsigned long long)ru->ru_busy);
	CHECK(name, notonce == 0 && errors == 0 && baddata == 0,
	    "expected %u commands completed once each with their data; saw "
	    "%u not completed exactly once, %u errors, %u with bad data "
	    "(first #%u, done %u, error %d, reason %u)", ru->ru_n, notonce,
	    errors, baddata, first,
	    first == UINT_MAX ? 0 : ru->ru_reqs[first].r_done,
	    first == UINT_MAX ? 0 : ru->ru_reqs[first].r_error,
	    first == UINT_MAX ? 0 : ru->ru_reqs[first].r_cmd.sc_res.ss_reason);
	if (white) {
		(void) snprintf(cname, sizeof (cname), "%s: the driver held "
		    "them", name);
		CHECK(cname, ru->ru_peak >= want_peak, "expected %llu or "
		    "more held at once, saw %llu",
		    (unsigned long long)want_peak,
		    (unsigned long long)ru->ru_peak);
	}
}

/* Poison the buffers of a read run. */
static void
run_poison(run_t *ru)
{
	for (uint_t i = 0; i < ru->ru_n; i++)
		(void) memset(ru->ru_reqs[i].r_buf, 0xa5, XFER);
}

/*
 * One slow LUN: 4 x the ring + 64 outstanding, and a ring more as they
 * complete.
 */
static void
one_lun(uint_t ring)
{
	uint_t depth = 4 * ring + 64;
	run_t ru;

	(void) fk_scsi_set_depth(luns[1], depth);
	run_init(&ru, depth + ring, 0);
	run_poison(&ru);
	run_go(&ru, FK_SCSI_DIR_READ, 1, 1);
	run_check("saturate-one-lun", &ru, 0, 4 * ring);
	run_fini(&ru);
}

/* Four slow LUNs, each a ring and a bit deep: 4 x the ring in all. */
static void
four_luns(uint_t ring)
{
	uint_t depth = ring + 16;
	run_t ru;

	for (int k = 1; k <= NSLOW; k++)
		(void) fk_scsi_set_depth(luns[k], depth);
	run_init(&ru, NSLOW * depth + ring, 0);
	run_poison(&ru);
	run_go(&ru, FK_SCSI_DIR_READ, 1, NSLOW);
	run_check("saturate-four-luns", &ru, 0, 4 * ring);
	run_fini(&ru);
}

/*
 * The file disk: 4 x the ring of writes at once, then as many reads;
 * the data is checked in the reads and in the image.
 */
static void
file_lun(uint_t ring)
{
	uint_t n = 4 * ring;
	uint64_t seed = 0x5a7u, base = 4096;
	size_t len = (size_t)n * XFER;
	uchar_t *img = malloc(len);
	run_t wr, rd;
	int rv;
	ssize_t bad;

	(void) fk_scsi_set_depth(luns[0], n);
	run_init(&wr, n, base);
	for (uint_t i = 0; i < n; i++)
		lio_fill(wr.ru_reqs[i].r_buf, XFER, wr.ru_reqs[i].r_lba * BLK,
		    seed);
	run_go(&wr, FK_SCSI_DIR_WRITE, 0, 1);
	run_check("saturate-file-writes", &wr, seed, 0);
	rv = lio_image_read(0, 0, base * BLK, img, len);
	bad = rv == 0 ? lio_verify(img, len, base * BLK, seed) : 0;
	CHECK("saturate-file-image", rv == 0 && bad < 0,
	    "expected the %u writes in the image, error %d, first bad byte "
	    "%lld", n, rv, (long long)bad);
	run_init(&rd, n, base);
	run_poison(&rd);
	run_go(&rd, FK_SCSI_DIR_READ, 0, 1);
	run_check("saturate-file-reads", &rd, seed, 0);
	run_fini(&wr);
	run_fini(&rd);
	free(img);
}

/*
 * A load the target driver may give is no reason to warn: messages of
 * notice severity or worse logged from entry first on, console
 * or log-only ("!").  Log-only is no shelter: illumos's default
 * syslog.conf sends kern.notice and above to /dev/sysmsg, the console,
 * so a warning per refused command floods it all the same.
 */
static void
check_no_warnings(uint_t first)
{
	const fk_logmsg_t *m, *m0 = NULL;
	uint_t n = 0;

	for (uint_t i = first; i < fk_log_count(); i++) {
		if ((m = fk_log_get(i)) == NULL || m->lm_level < CE_NOTE ||
		    m->lm_level > CE_WARN)
			continue;
		if (n++ == 0)
			m0 = m;
	}
	drv_note("saturate: %u notices and warnings logged under the load",
	    n);
	CHECK("saturate: no notice or warning in the system log, log-only "
	    "included", n == 0, "saw %u, the first: %s", n,
	    m0 != NULL ? m0->lm_text : "");
}

int
main(int argc, char **argv)
{
	lio_limits_t ll;
	fk_counters_t c;
	fk_scsi_stats_t st;
	char ua[8];
	int err, found = 0;
	uint_t log0;

	white = drv_white(&argc, argv);
	dt_start();		/* the ring depth, from SETUP_RINGS */
	drv_start();
	for (int k = 0; k <= NSLOW; k++) {
		(void) snprintf(ua, sizeof (ua), "%x,0", k);
		if ((luns[k] = drv_lun(0, ua, 10)) != NULL)
			found++;
	}
	if (!CHECK("discover", found == 1 + NSLOW, "expected %d LUNs, saw %d",
	    1 + NSLOW, found))
		return (check_exit());
	(void) lio_limits(luns[0], &ll);
	if (!CHECK("ring-depth", ll.ll_ring > 0, "expected the request "
	    "ring's pages in a SETUP_RINGS, saw none"))
		return (check_exit());
	drv_note("request ring: %u entries (SETUP_RINGS)", ll.ll_ring);

	log0 = fk_log_count();
	one_lun(ll.ll_ring);
	four_luns(ll.ll_ring);
	file_lun(ll.ll_ring);
	check_no_warnings(log0);

	fk_counters_get(&c);
	fk_scsi_stats(&st);
	drv_note("TRAN_BUSY: %llu answers (fc_tran_busy), %llu counted by "
	    "the framework's units", (unsigned long long)c.fc_tran_busy,
	    (unsigned long long)st.st_busy);
	for (int k = 0; k <= NSLOW; k++)
		fk_scsi_lun_rele(luns[k]);
	lio_check_intr("saturate");
	lio_check_clean("saturate");
	err = drv_detach();
	CHECK("detach", err == 0, "expected 0, saw %d", err);
	drv_unload();
	return (check_exit());
}

/*
 * Polled I/O (FLAG_NOINTR, as in a crash dump): with the HBA's
 * interrupts held back (fk_intr_hold, fk.h: no handler runs, as on a
 * CPU with interrupts disabled, whatever the driver writes to its
 * device), polled reads and writes of several sizes and a polled INQUIRY
 * complete in tran_start(9E) and their data verifies.  Then, interrupts
 * delivered again, polled commands complete while the request ring is
 * full of slow interrupt-driven commands, which all complete too (a
 * polled command the HBA refuses with TRAN_BUSY is sent again, as
 * scsi_poll(9F) does).
 *
 * --white: our driver queues what the ring cannot hold, so the polled
 * command behind the full ring is accepted at once.
 *
 * Topology (tests/lab/suites): hba0 with a raw file disk at target 0 and
 * a null disk at target 1 whose requests complete 200 ms late.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
#define	PAGE		4096

static fk_lun_t *lun0, *lun1;
static double poll_max;		/* slowest polled command, seconds */
static uint_t poll_busy;	/* TRAN_BUSY answers to polled commands */
static int white;		/* --white: our driver's design too */

/* A polled write, the image, a polled read; 0 or a description. */
static const char *
polled_rw(size_t len, size_t off, uint64_t lba, uint64_t seed)
{
	static char why[128];
	size_t alloc = len + 2 * PAGE;
	uchar_t *mem = fk_scsi_buf_alloc(alloc);
	uchar_t *buf = (uchar_t *)P2ROUNDUP((uintptr_t)mem, PAGE) + off;
	uchar_t *img = malloc(len);
	const char *res = NULL;
	lio_xfer_t x;
	double t;
	int rv;

	lio_fill(buf, len, lba * BLK, seed);
	t = lio_now();
	rv = lio_rw(lun0, FK_SCSI_DIR_WRITE, lba, buf, len, FLAG_NOINTR, 0,
	    &x);
	poll_max = MAX(poll_max, lio_now() - t);
	poll_busy += x.lx_busy;
	if (rv != 0 || x.lx_comps != 0) {
		(void) snprintf(why, sizeof (why), "write of %zu: error %d, "
		    "transport %d, reason %u, %u pkt_comp calls", len, rv,
		    x.lx_tran, x.lx_reason, x.lx_comps);
		res = why;
		goto out;
	}
	if (lio_image_read(0, 0, lba * BLK, img, len) != 0 ||
	    lio_verify(img, len, lba * BLK, seed) >= 0) {
		(void) snprintf(why, sizeof (why), "write of %zu: not in the "
		    "image", len);
		res = why;
		goto out;
	}
	(void) memset(buf, 0xa5, len);
	t = lio_now();
	rv = lio_rw(lun0, FK_SCSI_DIR_READ, lba, buf, len, FLAG_NOINTR, 0,
	    &x);
	poll_max = MAX(poll_max, lio_now() - t);
	poll_busy += x.lx_busy;
	if (rv != 0 || lio_verify(buf, len, lba * BLK, seed) >= 0) {
		(void) snprintf(why, sizeof (why), "read of %zu: error %d, "
		    "transport %d, reason %u, or bad data", len, rv, x.lx_tran,
		    x.lx_reason);
		res = why;
	}
out:
	free(img);
	fk_scsi_buf_free(mem, alloc);
	return (res);
}

static void
polled_inquiry(void)
{
	fk_scsi_cmd_t cmd;
	uchar_t *buf = fk_scsi_buf_alloc(96);
	int rv;

	bzero(&cmd, sizeof (cmd));
	cmd.sc_cdb[0] = SCMD_INQUIRY;
	cmd.sc_cdb[4] = 96;
	cmd.sc_cdblen = CDB_GROUP0;
	cmd.sc_buf = buf;
	cmd.sc_buflen = 96;
	cmd.sc_dir = FK_SCSI_DIR_READ;
	cmd.sc_flags = FLAG_NOINTR;
	rv = fk_scsi_cmd(lun0, &cmd);
	CHECK("polled-inquiry", rv == 0 && memcmp(buf + 8, "QEMU", 4) == 0,
	    "expected QEMU's inquiry data, saw error %d, vendor '%.8s'", rv,
	    (char *)buf + 8);
	fk_scsi_buf_free(buf, 96);
}

/*
 * Interrupts held, as a crash dump's CPU runs with them disabled: no
 * handler of the HBA runs, whatever its driver writes to the device;
 * polled commands only.  What fired meanwhile is delivered at the end.
 */
static void
polled_no_intr(size_t max)
{
	static const size_t sizes[] = { BLK, PAGE, 3 * PAGE + BLK, 65536 };
	dev_info_t *hba = fk_pci_hba(0);
	const char *why = NULL;
	uint_t n = 0;

	if (!CHECK("interrupts-held", fk_intr_hold(hba, 1) == 0,
	    "expected the HBA's interrupts held (fk_intr_hold)"))
		return;
	polled_inquiry();
	for (size_t i = 0; i < sizeof (sizes) / sizeof (sizes[0]) &&
	    why == NULL; i++) {
		why = polled_rw(sizes[i], (i * 520) % PAGE, 1000 + i * 256,
		    i + 1);
		n++;
	}
	if (why == NULL) {
		why = polled_rw(max, 8, 4096, 99);
		n++;
	}
	CHECK("polled-io-interrupts-off", why == NULL,
	    "expected polled writes and reads of 512 B to %zu B to verify; "
	    "%s", max, why);
	drv_note("%u polled write/read pairs, slowest command %.3f s", n,
	    poll_max);
	(void) fk_intr_hold(hba, 0);
}

typedef struct slow {
	fk_scsi_cmd_t	s_cmd;
	uchar_t		*s_buf;
	uint_t		s_done;
	int		s_error;
} slow_t;

static void
slow_done(fk_scsi_cmd_t *cmd, void *arg)
{
	slow_t *s = arg;

	s->s_error = cmd->sc_error;
	__atomic_add_fetch(&s->s_done, 1, __ATOMIC_RELEASE);
}

/*
 * Interrupts on: fill the ring (and the driver's queue) with slow reads
 * of LUN 1, then poll LUN 0.
 */
static void
polled_under_load(uint_t ring)
{
	uint_t n = 2 * ring, bad = 0, submitted = 0;
	slow_t *s = calloc(n, sizeof (slow_t));
	const char *why;
	double t;

	(void) fk_scsi_set_depth(lun1, n);
	for (uint_t i = 0; i < n; i++) {
		s[i].s_buf = fk_scsi_buf_alloc(PAGE);
		fk_scsi_cdb_rw(&s[i].s_cmd, FK_SCSI_DIR_READ, i * 8, 8, BLK);
		s[i].s_cmd.sc_buf = s[i].s_buf;
		s[i].s_cmd.sc_done = slow_done;
		s[i].s_cmd.sc_arg = &s[i];
		if (fk_scsi_submit(lun1, &s[i].s_cmd) == 0)
			submitted++;
		else
			s[i].s_done = 1;
	}
	poll_max = 0;
	poll_busy = 0;
	t = lio_now();
	why = polled_rw(65536, 0, 20000, 7);
	t = lio_now() - t;
	CHECK("polled-io-ring-full", why == NULL,
	    "expected a polled write and read to verify behind %u slow "
	    "commands; %s", n, why);
	if (white) {
		CHECK("polled-io-ring-full-queued", poll_busy == 0,
		    "expected no TRAN_BUSY (the wait queue holds what the "
		    "ring cannot), saw %u", poll_busy);
	}
	(void) fk_scsi_drain(lun1, SEC2NSEC(60));
	for (uint_t i = 0; i < n; i++) {
		if (s[i].s_done != 1 || s[i].s_error != 0)
			bad++;
		fk_scsi_buf_free(s[i].s_buf, PAGE);
	}
	drv_note("polled write and read behind %u slow commands: %.3f s, "
	    "%u TRAN_BUSY answers retried", n, t, poll_busy);
	CHECK("slow-commands-complete", submitted == n && bad == 0,
	    "expected %u slow reads completed once each, %u submitted, %u "
	    "not", n, submitted, bad);
	free(s);
}

int
main(int argc, char **argv)
{
	lio_limits_t ll;
	size_t max;
	int err;

	white = drv_white(&argc, argv);
	dt_start();		/* the ring depth, from SETUP_RINGS */
	drv_start();
	drv_units("discover", &lun0, &lun1);
	(void) lio_limits(lun0, &ll);
	max = ll.ll_max;

	polled_no_intr(max);
	polled_under_load(ll.ll_ring);

	fk_scsi_lun_rele(lun0);
	fk_scsi_lun_rele(lun1);
	lio_check_intr("poll");
	lio_check_clean("poll");
	err = drv_detach();
	CHECK("detach", err == 0, "expected 0, saw %d", err);
	drv_unload();
	return (check_exit());
}

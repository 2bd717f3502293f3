/*
 * Detach with I/O in flight: drained cleanly, never a crash.
 *
 * Detaching takes the units down first (fk_scsa_unconfig: as illumos
 * unconfigures a bus, each unit refuses new packets and waits for those
 * in transport), then the iport (the driver destroys its target map once
 * discovery is idle), then the adapter (the driver refuses while any
 * command is pending).  Each round starts I/O, detaches at once, checks,
 * attaches again and checks that I/O works:
 *
 *   busy	64 asynchronous READs and WRITEs (packets of their own, freed
 *		as they complete, as sd's are) in flight on two file disks
 *		and a null disk that answers 3 s late: each completes once,
 *		normally, and the detach succeeds;
 *   discovery	a disk hot-added just before: the detach waits for the
 *		discovery task's polled probes and succeeds;
 *   hung	(--white: our driver's recovery) a packet whose completion
 *		the device loses (devtap.h), with pvscsi_recovery_time 1:
 *		the unit's departure waits while the driver escalates to an
 *		adapter reset, which ends the packet CMD_TIMEOUT; then the
 *		detach succeeds.
 *
 * No console line, no lock-order report, every packet completed once.
 * Resources (kmem, threads, file descriptors) are back after the last
 * detach where they were after the first.
 *
 * Topology (tests/lab/suites): hba0 with 64 MiB file disks at targets 0
 * and 1 and a null disk with 3 s latency at target 2.
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
#include "lib/devtap.h"
#include "lib/labsoak.h"

#define	NASYNC		64
#define	XFER		(64 * 1024)

static struct async {
	fk_scsi_cmd_t	a_cmd;
	void		*a_buf;
	int		a_done;
} as[NASYNC];

static kmutex_t as_lock;
static kcondvar_t as_cv;

static void
as_done(fk_scsi_cmd_t *cmd, void *arg)
{
	struct async *a = arg;

	mutex_enter(&as_lock);
	a->a_done++;
	cv_broadcast(&as_cv);
	mutex_exit(&as_lock);
}

/* Start NASYNC commands over the three disks: how many were accepted. */
static int
as_start(void)
{
	fk_lun_t *lun[3];
	char ua[8];
	int sent = 0;

	for (int d = 0; d < 3; d++) {
		(void) snprintf(ua, sizeof (ua), "%d,0", d);
		lun[d] = drv_lun(0, ua, 10);
		if (lun[d] != NULL)
			(void) fk_scsi_set_depth(lun[d], NASYNC);
	}
	for (int i = 0; i < NASYNC; i++) {
		struct async *a = &as[i];
		fk_lun_t *l = lun[i % 3];
		int write = (i / 3) % 2;

		bzero(&a->a_cmd, sizeof (a->a_cmd));
		a->a_done = 0;
		if (a->a_buf == NULL)
			a->a_buf = fk_scsi_buf_alloc(XFER);
		lio_fill(a->a_buf, XFER, (uint64_t)i * XFER, i + 1);
		fk_scsi_cdb_rw(&a->a_cmd, write ? FK_SCSI_DIR_WRITE :
		    FK_SCSI_DIR_READ, (uint64_t)i * (XFER / 512), XFER / 512,
		    512);
		a->a_cmd.sc_buf = a->a_buf;
		a->a_cmd.sc_timeout = 30;
		a->a_cmd.sc_done = as_done;
		a->a_cmd.sc_arg = a;
		if (l != NULL && fk_scsi_submit(l, &a->a_cmd) == 0)
			sent++;
		else
			a->a_done = -1;		/* never sent */
	}
	for (int d = 0; d < 3; d++) {
		if (lun[d] != NULL)
			fk_scsi_lun_rele(lun[d]);
	}
	return (sent);
}

/* After a detach: how many sent commands did not complete once, GOOD. */
static int
as_check(char *what, size_t len)
{
	int bad = 0;

	mutex_enter(&as_lock);
	for (int i = 0; i < NASYNC; i++) {
		struct async *a = &as[i];

		if (a->a_done == -1 || (a->a_done == 1 &&
		    a->a_cmd.sc_error == 0))
			continue;
		if (bad++ == 0) {
			(void) snprintf(what, len, "command %d: %d "
			    "completions, error %d, reason %u", i, a->a_done,
			    a->a_cmd.sc_error, a->a_cmd.sc_res.ss_reason);
		}
	}
	mutex_exit(&as_lock);
	return (bad);
}

static int
attach_again(const char *tag)
{
	char name[96];
	uchar_t *buf;
	fk_lun_t *lun;
	int n, err = -1;

	n = drv_attach();
	lun = n == 1 ? drv_lun(0, "0,0", 10) : NULL;
	if (lun != NULL) {
		buf = fk_scsi_buf_alloc(4096);
		err = fk_scsi_read(lun, 0, 8, buf, NULL);
		fk_scsi_buf_free(buf, 4096);
		fk_scsi_lun_rele(lun);
	}
	(void) snprintf(name, sizeof (name), "%s: attached again, I/O works",
	    tag);
	return (CHECK(name, n == 1 && err == 0, "attach %d, read %d", n,
	    err));
}

static void
round_busy(void)
{
	char what[160] = "";
	int sent, err, bad;
	double t0;

	sent = as_start();
	t0 = lio_now();
	err = drv_detach();
	CHECK("busy: detach with I/O in flight succeeds", sent == NASYNC &&
	    err == 0, "%d of %d sent, detach %d", sent, NASYNC, err);
	bad = as_check(what, sizeof (what));
	drv_note("busy: detached in %.2f s", lio_now() - t0);
	CHECK("busy: every command in flight completed once, normally",
	    bad == 0, "%d did not: %s", bad, what);
	(void) attach_again("busy");
}

static void
round_discovery(void)
{
	int fd = qmp_open(), err;

	err = fd >= 0 ? qmp_disk_add(fd, 0, 5, "null,size=16M") : -1;
	delay(drv_usectohz(100000));	/* the message, the scan begins */
	err |= drv_detach();
	CHECK("discovery: detach during a scan succeeds", err == 0, "%d (%s)",
	    err, qmp_last_error());
	if (fd >= 0) {
		(void) qmp_disk_del(fd, 0, 5);
		qmp_close(fd);
	}
	(void) attach_again("discovery");
}

static void
round_hung(void)
{
	fk_lun_t *slow = drv_lun(0, "2,0", 10);
	struct async *a = &as[0];
	uint_t from = dt_ncmds();
	int err;

	if (!CHECK("hung: slow disk", slow != NULL, "no LUN 2,0"))
		return;
	(void) fk_scsi_tur(slow, NULL);
	dt_lose_aborted(1);
	bzero(&a->a_cmd, sizeof (a->a_cmd));
	a->a_done = 0;
	fk_scsi_cdb_rw(&a->a_cmd, FK_SCSI_DIR_READ, 0, 8, 512);
	a->a_cmd.sc_buf = a->a_buf;
	a->a_cmd.sc_timeout = 1;
	a->a_cmd.sc_done = as_done;
	a->a_cmd.sc_arg = a;
	err = fk_scsi_submit(slow, &a->a_cmd);
	fk_scsi_lun_rele(slow);
	delay(drv_usectohz(100000));
	if (drv_detach() != 0)
		err = -1;
	dt_lose_aborted(0);
	CHECK("hung: detach waits for recovery and succeeds", err == 0 &&
	    a->a_done == 1 && a->a_cmd.sc_res.ss_reason == CMD_TIMEOUT &&
	    dt_lost() > 0 && dt_count(PVSCSI_CMD_ADAPTER_RESET, from) >= 1,
	    "submit/detach %d, %d completions, reason %u, %u lost, %u "
	    "adapter resets", err, a->a_done, a->a_cmd.sc_res.ss_reason,
	    dt_lost(), dt_count(PVSCSI_CMD_ADAPTER_RESET, from));
	(void) attach_again("hung");
}

int
main(int argc, char **argv)
{
	int white = drv_white(&argc, argv);
	lio_res_t r0, r1;
	int err;

	if (white && !CHECK("tunable: pvscsi_recovery_time",
	    drv_tune("pvscsi_recovery_time", 1) == 0,
	    "expected our driver's tunable"))
		return (check_exit());
	mutex_init(&as_lock, NULL, MUTEX_DRIVER, NULL);
	cv_init(&as_cv, NULL, CV_DRIVER, NULL);
	dt_start();
	drv_start();
	(void) drv_detach();
	lio_res_get(&r0);
	(void) drv_attach();

	round_busy();
	round_discovery();
	if (white)
		round_hung();

	lio_check_clean("detach");
	err = drv_detach();
	for (int i = 0; i < NASYNC; i++)
		fk_scsi_buf_free(as[i].a_buf, XFER);
	CHECK("detach", err == 0, "expected 0, saw %d", err);
	lio_res_get(&r1);
	soak_report("recover-detach", 0, &r0, &r1);
	drv_unload();
	dt_stop();
	return (check_exit());
}

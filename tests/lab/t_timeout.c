/*
 * pkt_time timeouts against a slow backend, and recovery escalation.
 *
 * The slow disk is a null disk that answers every command 3 s late.
 *
 *   expire	8 READs with pkt_time 1: each completes once, CMD_TIMEOUT
 *		with STAT_TIMEOUT (tran_start(9E), scsi_pkt(9S));
 *   no-timeout	pkt_time 0 means none (scsi_pkt(9S)): a READ completes
 *		normally after 3 s, and the device is given no abort or
 *		reset; so does one with pkt_time 5, and a polled one with
 *		pkt_time 0;
 *   polled	FLAG_NOINTR packets time out too: pkt_time 1 ends
 *		CMD_TIMEOUT with STAT_TIMEOUT;
 *   after	I/O works on both disks (written, read back, compared on
 *		the file disk), and a disk hot-added afterwards is
 *		discovered (the message ring works).
 *
 * --white adds our driver's recovery (its step time, pvscsi_recovery_time,
 * lowered to 1 s):
 *
 *   expire	each packet ends with STAT_TIMEOUT and STAT_ABORTED: the
 *		first recovery step is ABORT_CMD (QEMU's waits for the I/O
 *		and completes the command ABORTQUEUE, or finds it finished
 *		already), one ABORT_CMD each and no reset;
 *   escalate	a device that loses the completion of an aborted command
 *		(the register tap rewrites it to a context never issued,
 *		devtap.h): the driver goes on, a step per recovery time,
 *		to RESET_DEVICE of the packet's target, RESET_BUS and an
 *		adapter reset, then sets the rings, message ring and
 *		interrupt mask up again; the packet ends CMD_TIMEOUT with
 *		STAT_TIMEOUT, STAT_ABORTED, STAT_DEV_RESET and
 *		STAT_BUS_RESET.  With four such packets on the target, each
 *		step is taken once for all of them;
 *   polled	a polled packet's timeout ends it after the abort
 *		(STAT_ABORTED too), and with the completion lost the
 *		polling thread escalates to the adapter reset;
 *   after	the hot-added disk is found after the adapter reset;
 *   counted	the driver's kstat pvscsi:N:errors counts every packet that
 *		timed out once, and each recovery command the device was
 *		given (aborts, device, bus and adapter resets).
 *
 * Every packet completed exactly once, no console line, no lock-order
 * report.
 *
 * Topology (tests/lab/suites): hba0 with a 64 MiB file disk at target 0
 * and a null disk with 3 s latency at target 1.
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
#include "lib/labpkt.h"
#include "lib/devtap.h"
#include "lib/labsoak.h"

#define	LATENCY		3.0	/* seconds, the slow disk's */
#define	NEXP		8

#define	RECOVERY	1	/* seconds, --white: pvscsi_recovery_time */

static fk_lun_t *fast, *slow;
static int white;

#define	STAT_ALL	(STAT_BUS_RESET | STAT_DEV_RESET | STAT_ABORTED | \
	STAT_TIMEOUT)

static int
ended(const lp_t *lp, uchar_t reason, uint_t stat)
{
	return (lp->lp_comps == 1 && lp->lp_pkt->pkt_reason == reason &&
	    (lp->lp_pkt->pkt_statistics & STAT_ALL) == stat);
}

static void
describe(char *buf, size_t len, const lp_t *lp)
{
	(void) snprintf(buf, len, "%d completions, reason %u, statistics "
	    "0x%x, status 0x%x, after %.1f s", lp->lp_comps,
	    lp->lp_pkt != NULL ? lp->lp_pkt->pkt_reason : 0,
	    lp->lp_pkt != NULL ? lp->lp_pkt->pkt_statistics : 0,
	    lp->lp_pkt != NULL ? *lp->lp_pkt->pkt_scbp : 0, lp_secs(lp));
}

/* Take the unit attention a reset left, so that packets see none. */
static void
settle_ua(void)
{
	(void) fk_scsi_tur(slow, NULL);
	(void) fk_scsi_tur(fast, NULL);
}

/* A timeout: CMD_TIMEOUT with STAT_TIMEOUT, once. */
static int
timed_out(const lp_t *lp)
{
	return (lp->lp_comps == 1 && lp->lp_pkt->pkt_reason == CMD_TIMEOUT &&
	    (lp->lp_pkt->pkt_statistics & STAT_TIMEOUT) != 0);
}

static void
test_expire(void)
{
	static lp_t lp[NEXP];
	uint_t from = dt_ncmds();
	int bad = 0, sent = 0, notabort = 0;
	char what[200] = "";

	for (int i = 0; i < NEXP; i++)
		sent += lp_send(&lp[i], slow, 0, 8 * i, 8, 1, 0) == TRAN_ACCEPT;
	for (int i = 0; i < NEXP; i++) {
		(void) lp_wait(&lp[i], 20);
		if (!timed_out(&lp[i]) && bad++ == 0)
			describe(what, sizeof (what), &lp[i]);
		notabort += !ended(&lp[i], CMD_TIMEOUT, STAT_TIMEOUT |
		    STAT_ABORTED);
	}
	CHECK("expire: 8 packets with pkt_time 1 end CMD_TIMEOUT with "
	    "STAT_TIMEOUT, once each", sent == NEXP && bad == 0,
	    "%d sent, %d wrong: %s", sent, bad, what);
	if (white) {
		CHECK("expire: each by an abort (STAT_ABORTED, nothing else)",
		    notabort == 0, "%d were not", notabort);
		CHECK("expire: one ABORT_CMD each, no reset",
		    dt_count(PVSCSI_CMD_ABORT_CMD, from) == NEXP &&
		    dt_count(PVSCSI_CMD_RESET_DEVICE, from) == 0 &&
		    dt_count(PVSCSI_CMD_RESET_BUS, from) == 0 &&
		    dt_count(PVSCSI_CMD_ADAPTER_RESET, from) == 0,
		    "saw %u ABORT_CMD, %u RESET_DEVICE, %u RESET_BUS, %u "
		    "ADAPTER_RESET", dt_count(PVSCSI_CMD_ABORT_CMD, from),
		    dt_count(PVSCSI_CMD_RESET_DEVICE, from),
		    dt_count(PVSCSI_CMD_RESET_BUS, from),
		    dt_count(PVSCSI_CMD_ADAPTER_RESET, from));
	}
	for (int i = 0; i < NEXP; i++)
		lp_free(&lp[i]);
}

static void
test_no_timeout(void)
{
	lp_t a, b, c;
	uint_t from = dt_ncmds();
	char wa[128], wb[128], wc[128];

	(void) lp_send(&a, slow, 0, 0, 8, 0, 0);
	(void) lp_send(&b, slow, 0, 8, 8, 5, 0);
	(void) lp_wait(&a, 20);
	(void) lp_wait(&b, 20);
	(void) lp_send(&c, slow, 0, 16, 8, 0, FLAG_NOINTR);
	describe(wa, sizeof (wa), &a);
	describe(wb, sizeof (wb), &b);
	describe(wc, sizeof (wc), &c);
	CHECK("no-timeout: pkt_time 0 completes normally after the latency",
	    ended(&a, CMD_CMPLT, 0) && lp_good(&a) &&
	    lp_secs(&a) > LATENCY - 0.5, "saw %s", wa);
	CHECK("no-timeout: pkt_time 5 completes normally",
	    ended(&b, CMD_CMPLT, 0) && lp_good(&b), "saw %s", wb);
	CHECK("no-timeout: polled, pkt_time 0, completes normally",
	    ended(&c, CMD_CMPLT, 0) && lp_good(&c) &&
	    lp_secs(&c) > LATENCY - 0.5, "saw %s", wc);
	CHECK("no-timeout: no recovery command",
	    dt_count(PVSCSI_CMD_ABORT_CMD, from) == 0 &&
	    dt_count(PVSCSI_CMD_RESET_DEVICE, from) == 0 &&
	    dt_count(PVSCSI_CMD_ADAPTER_RESET, from) == 0,
	    "saw %u ABORT_CMD, %u RESET_DEVICE, %u ADAPTER_RESET",
	    dt_count(PVSCSI_CMD_ABORT_CMD, from),
	    dt_count(PVSCSI_CMD_RESET_DEVICE, from),
	    dt_count(PVSCSI_CMD_ADAPTER_RESET, from));
	lp_free(&a);
	lp_free(&b);
	lp_free(&c);
}

/*
 * The recovery commands written since log index from: their order (one
 * letter each: A abort, D device reset, B bus reset, R adapter reset,
 * S SETUP_RINGS, M SETUP_MSG_RING), and the shortest time between two
 * different steps of A, D, B, R.
 */
static void
steps(uint_t from, char *seq, size_t len, double *gap)
{
	uint_t n = dt_ncmds(), k = 0;
	hrtime_t last = 0;
	char prev = 0;
	dt_cmd_t c;

	*gap = 1e9;
	for (uint_t i = from; i < n && k + 1 < len; i++) {
		char ch;

		if (dt_cmd(i, &c) != 0)
			continue;
		switch (c.dc_cmd) {
		case PVSCSI_CMD_ABORT_CMD:	ch = 'A'; break;
		case PVSCSI_CMD_RESET_DEVICE:	ch = 'D'; break;
		case PVSCSI_CMD_RESET_BUS:	ch = 'B'; break;
		case PVSCSI_CMD_ADAPTER_RESET:	ch = 'R'; break;
		case PVSCSI_CMD_SETUP_RINGS:	ch = 'S'; break;
		case PVSCSI_CMD_SETUP_MSG_RING:	ch = 'M'; break;
		default:			continue;
		}
		if (strchr("ADBR", ch) != NULL) {
			if (prev != 0 && prev != ch && last != 0)
				*gap = MIN(*gap, (c.dc_time - last) / 1e9);
			prev = ch;
			last = c.dc_time;
		}
		seq[k++] = ch;
	}
	seq[k] = '\0';
}

/* A reset-device command's target, from its first data dword. */
static int
device_reset_target(uint_t from)
{
	uint_t n = dt_ncmds();
	dt_cmd_t c;

	for (uint_t i = from; i < n; i++) {
		if (dt_cmd(i, &c) == 0 && c.dc_cmd == PVSCSI_CMD_RESET_DEVICE)
			return (c.dc_ndata > 0 ? (int)c.dc_data[0] : -1);
	}
	return (-1);
}

static void
test_escalate(int npkts, int polled)
{
	lp_t lp[4];
	uint_t from = dt_ncmds(), lost0 = dt_lost();
	uint64_t masks0 = dt_mask_writes(NULL);
	uint32_t mask;
	int bad = 0, sent = 0;
	char what[200] = "", seq[64], name[128];
	const char *want = "ADBRSM";
	const char *tag = polled ? "escalate-polled" : npkts > 1 ?
	    "escalate-4" : "escalate";
	double gap;

	dt_lose_aborted(1);
	for (int i = 0; i < npkts; i++) {
		sent += lp_send(&lp[i], slow, 0, 8 * i, 8, 1,
		    polled ? FLAG_NOINTR : 0) == TRAN_ACCEPT;
	}
	for (int i = 0; i < npkts; i++) {
		(void) lp_wait(&lp[i], 30);
		if (!ended(&lp[i], CMD_TIMEOUT, STAT_ALL) && bad++ == 0)
			describe(what, sizeof (what), &lp[i]);
	}
	dt_lose_aborted(0);
	(void) snprintf(name, sizeof (name), "%s: the packet%s end%s "
	    "CMD_TIMEOUT with STAT_TIMEOUT, ABORTED, DEV_RESET, BUS_RESET",
	    tag, npkts > 1 ? "s" : "", npkts > 1 ? "" : "s");
	CHECK(name, sent == npkts && bad == 0, "%d sent, %d wrong: %s",
	    sent, bad, what);
	(void) snprintf(name, sizeof (name), "%s: the completions were lost",
	    tag);
	CHECK(name, dt_lost() - lost0 == (uint_t)npkts, "expected %d, saw "
	    "%u", npkts, dt_lost() - lost0);

	steps(from, seq, sizeof (seq), &gap);
	if (npkts > 1) {
		/* one abort per packet, then each step once for them all */
		want = "AAAADBRSM";
	}
	(void) snprintf(name, sizeof (name), "%s: abort, device reset, bus "
	    "reset, adapter reset, rings and message ring set up", tag);
	CHECK(name, strcmp(seq, want) == 0, "expected %s, saw %s", want, seq);
	(void) snprintf(name, sizeof (name), "%s: a step per recovery time",
	    tag);
	CHECK(name, gap > 0.8 * RECOVERY, "expected >= %u s between steps, "
	    "saw %.2f s", RECOVERY, gap);
	(void) snprintf(name, sizeof (name), "%s: the device reset is the "
	    "packet's target's", tag);
	CHECK(name, device_reset_target(from) == 1, "expected target 1, saw "
	    "%d", device_reset_target(from));
	(void) snprintf(name, sizeof (name), "%s: interrupt mask written "
	    "after the reset", tag);
	CHECK(name, dt_mask_writes(&mask) > masks0 &&
	    (mask & (PVSCSI_INTR_CMPL_0 | PVSCSI_INTR_MSG_0)) ==
	    (PVSCSI_INTR_CMPL_0 | PVSCSI_INTR_MSG_0), "saw %llu writes, last "
	    "0x%x", (unsigned long long)(dt_mask_writes(NULL) - masks0),
	    mask);
	for (int i = 0; i < npkts; i++)
		lp_free(&lp[i]);
}

static void
test_polled_abort(void)
{
	lp_t lp;
	char what[128];

	(void) lp_send(&lp, slow, 0, 0, 8, 1, FLAG_NOINTR);
	describe(what, sizeof (what), &lp);
	CHECK("polled: pkt_time 1 ends CMD_TIMEOUT with STAT_TIMEOUT",
	    timed_out(&lp), "saw %s", what);
	if (white) {
		CHECK("polled: by an abort (STAT_ABORTED, nothing else)",
		    ended(&lp, CMD_TIMEOUT, STAT_TIMEOUT | STAT_ABORTED),
		    "saw %s", what);
	}
	lp_free(&lp);
}

static void
test_after(void)
{
	uchar_t *w = fk_scsi_buf_alloc(65536), *r = fk_scsi_buf_alloc(65536);
	fk_lun_t *lun;
	int fd, e1, e2, e3;

	lio_fill(w, 65536, 4096 * 512, 77);
	e1 = fk_scsi_write(fast, 4096, 128, w, NULL);
	e2 = fk_scsi_read(fast, 4096, 128, r, NULL);
	e3 = fk_scsi_read(slow, 0, 8, r + 8192, NULL);
	CHECK("after: I/O works on both disks", e1 == 0 && e2 == 0 &&
	    e3 == 0 && memcmp(w, r, 8192) == 0 &&
	    lio_verify(r, 8192, 4096 * 512, 77) < 0,
	    "write %d, read %d, slow read %d", e1, e2, e3);
	fk_scsi_buf_free(w, 65536);
	fk_scsi_buf_free(r, 65536);

	if (!CHECK("after: QMP port opens", (fd = qmp_open()) >= 0,
	    "errno %d", errno))
		return;
	e1 = qmp_disk_add(fd, 0, 5, "null,size=64M");
	lun = e1 == 0 ? drv_lun(0, "5,0", 20) : NULL;
	CHECK("after: a disk hot-added afterwards is found",
	    lun != NULL, "device_add %d (%s), LUN %s", e1, qmp_last_error(),
	    lun != NULL ? "found" : "not found");
	if (lun != NULL)
		fk_scsi_lun_rele(lun);
	(void) qmp_disk_del(fd, 0, 5);
	qmp_close(fd);
}

/* Timed-out packets and recovery commands, as the kstat counts them. */
static void
test_counted(uint64_t resets0)
{
	static const struct {
		const char	*stat;
		uint32_t	cmd;
	} steps[] = {
		{ "aborts",		PVSCSI_CMD_ABORT_CMD },
		{ "device_resets",	PVSCSI_CMD_RESET_DEVICE },
		{ "bus_resets",		PVSCSI_CMD_RESET_BUS },
		{ "adapter_resets",	PVSCSI_CMD_ADAPTER_RESET }
	};
	/* expire, escalate, escalate-4, polled, escalate-polled */
	uint64_t want = NEXP + 1 + 4 + 1 + 1, n = drv_errors(0, "timeouts");
	char name[64];

	CHECK("counted: timeouts", n == want, "expected %llu, saw %llu",
	    (unsigned long long)want, (unsigned long long)n);
	for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
		want = dt_total(steps[i].cmd);
		if (steps[i].cmd == PVSCSI_CMD_ADAPTER_RESET)
			want -= resets0;
		n = drv_errors(0, steps[i].stat);
		(void) snprintf(name, sizeof (name), "counted: %s",
		    steps[i].stat);
		CHECK(name, n == want && n > 0, "expected %llu as given to "
		    "the device, saw %llu", (unsigned long long)want,
		    (unsigned long long)n);
	}
}

int
main(int argc, char **argv)
{
	lio_res_t r0, r1;
	uint64_t resets0;
	int err;

	white = drv_white(&argc, argv);
	if (white && !CHECK("tunable: pvscsi_recovery_time",
	    drv_tune("pvscsi_recovery_time", RECOVERY) == 0,
	    "expected our driver's tunable"))
		return (check_exit());
	dt_start();
	drv_start();
	(void) drv_detach();
	lio_res_get(&r0);
	(void) drv_attach();
	drv_units("disks", &fast, &slow);
	resets0 = dt_total(PVSCSI_CMD_ADAPTER_RESET);	/* the attach's */

	test_expire();
	test_no_timeout();
	if (white) {
		test_escalate(1, 0);
		settle_ua();
		test_escalate(4, 0);
		settle_ua();
	}
	test_polled_abort();
	settle_ua();
	if (white) {
		test_escalate(1, 1);
		settle_ua();
	}
	test_after();
	if (white)
		test_counted(resets0);

	fk_scsi_lun_rele(fast);
	fk_scsi_lun_rele(slow);
	lio_check_clean("timeout");
	err = drv_detach();
	CHECK("detach", err == 0, "expected 0, saw %d", err);
	lio_res_get(&r1);
	soak_report("timeout", 0, &r0, &r1);
	drv_unload();
	dt_stop();
	return (check_exit());
}

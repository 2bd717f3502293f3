/*
 * A hostile device: the test writes what a misbehaving PVSCSI device
 * could write into the driver's rings (the device's view of the DMA
 * memory, fk_dma_devmem) and makes its registers read all-ones, around
 * real I/O to QEMU's device.  The driver must check everything before
 * use, log what it ignores, answer a corrupt ring state with an adapter
 * reset, fail the packets concerned cleanly, complete every packet
 * exactly once, and go on working.
 *
 * The driver tells the device where its rings are with SETUP_RINGS and
 * SETUP_MSG_RING; the register tap of lib/devtap.h reads those commands'
 * data, and counts adapter resets.  The rings are then reached in the
 * device's view, as QEMU writes them.  The contexts a case needs (one
 * completed, one never issued, one wider than any issued) come from what
 * the device saw on the request ring, not from the driver's layout.
 *
 * A completion needs a request the device still holds: a WRITE to a null
 * disk that answers after HOLD_SECS (the data is never read back, so a
 * packet completed by an injected entry before QEMU has read the buffer
 * harms nothing).  The driver finds injected entries by itself: its 1 Hz
 * ring service runs well within HOLD_SECS.  QEMU keeps its own completion
 * counter and stores cmpProdIdx from it: an injected entry for the held
 * request is later overwritten by QEMU's own, at the same index, and the
 * indices agree again; any entry beyond that puts the driver's consumer
 * index ahead of QEMU's producer index, which the driver must take for
 * the corrupt ring state it is and answer with an adapter reset.
 *
 * The driver counts each kind of bad data in its kstat pvscsi:N:errors
 * (read as kstat(8) reads it, fk_kstat_read): each case checks that its
 * kind, and only as many as it injected, were counted.  It also logs
 * them, less and less often: a flood of bad messages gives a few lines.
 *
 *   t_hostile ring	completions: sense length, data length, host status,
 *			contexts zero, unknown, too wide, stale, completed
 *			already; producer index ahead of the ring, behind
 *   t_hostile msg	messages: type, bus, target, LUN out of range, a
 *			flood (rate-limited log), valid messages about
 *			absent and present targets, producer index ahead
 *   t_hostile gone	registers read all-ones: outstanding packets fail
 *			CMD_DEV_GONE, new ones are refused, one console
 *			line; detach, and a new attach works
 *
 * Topology (tests/lab/suites): hba0, a 64 MiB file disk at target 0, a
 * null disk at target 1 with latency HOLD_SECS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/sunddi.h>
#include <sys/time.h>
#include <sys/scsi/scsi.h>

#include "check.h"
#include "lib/devtap.h"
#include "lib/drv.h"
#include "lib/labio.h"
#include "lib/labcheck.h"
#include "pvscsi.h"

#define	HOLD_SECS	3		/* the null disk's latency */
#define	MARK		0x4d41524bU	/* "MARK" in an injected entry's pad */

/* An entry of a ring in the device's view (devtap): there, or the end. */
static void *
dv_must(void *entry, const char *ring, uint32_t idx)
{
	if (entry == NULL) {
		drv_note("no device memory for %s ring entry %u", ring, idx);
		abort();
	}
	return (entry);
}

static uint32_t
dv_get(volatile uint32_t *p)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return (*p);
}

static void
dv_set(volatile uint32_t *p, uint32_t v)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*p = v;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void
msleep(int ms)
{
	(void) usleep((useconds_t)ms * 1000);
}

/*
 * Wait until *p reads v (or until the ring is set up again, when reset is
 * set): 0, or -1 after ms.
 */
static int
dv_wait(volatile uint32_t *p, uint32_t v, int ms, uint64_t *reset)
{
	for (int t = 0; t < ms; t += 10) {
		if (dv_get(p) == v)
			return (0);
		if (reset != NULL && dt_setups() != *reset)
			return (0);
		msleep(10);
	}
	return (-1);
}

/*
 * A request the device holds: a WRITE of 4 KiB to the slow null disk.
 */
typedef struct held {
	fk_scsi_cmd_t	h_cmd;
	void		*h_buf;
	int		h_done;
	int		h_started;
	uint64_t	h_ctx;		/* its context on the request ring */
	uint64_t	h_sense;	/* its sense buffer */
	hrtime_t	h_start;
} held_t;

static void
held_done(fk_scsi_cmd_t *cmd, void *arg)
{
	held_t *h = arg;

	(void) cmd;
	__atomic_store_n(&h->h_done, 1, __ATOMIC_SEQ_CST);
}

/*
 * Submit the held request and find it on the request ring.  The driver
 * publishes its producer index when it kicks, which a thread delivering
 * completions does for it once done (the previous I/O's waiter can run
 * before that thread has finished): wait a moment for the index.
 */
static int
held_start(held_t *h, fk_lun_t *slow)
{
	volatile pvscsi_rings_state_t *st = dt_state();
	uint32_t p0 = dv_get(&st->prs_req_prod);
	pvscsi_req_t *req;
	int err;

	bzero(h, sizeof (*h));
	h->h_buf = fk_scsi_buf_alloc(4096);
	fk_scsi_cdb_rw(&h->h_cmd, FK_SCSI_DIR_WRITE, 0, 8, 512);
	h->h_cmd.sc_buf = h->h_buf;
	h->h_cmd.sc_timeout = 30;
	h->h_cmd.sc_done = held_done;
	h->h_cmd.sc_arg = h;
	h->h_start = gethrtime();
	if ((err = fk_scsi_submit(slow, &h->h_cmd)) != 0) {
		drv_note("submit to the slow disk: %d", err);
		return (-1);
	}
	h->h_started = 1;
	if (dv_wait(&st->prs_req_prod, p0 + 1, 1000, NULL) != 0) {
		drv_note("request producer index %u, expected %u",
		    dv_get(&st->prs_req_prod), p0 + 1);
		return (-1);
	}
	req = dv_must(dt_req(p0), "request", p0);
	if (req->pr_target != 1 || req->pr_cdb[0] != SCMD_WRITE_G1) {
		drv_note("request %u is for target %u, opcode 0x%x", p0,
		    req->pr_target, req->pr_cdb[0]);
		return (-1);
	}
	h->h_ctx = req->pr_context;
	h->h_sense = req->pr_sense_addr;
	return (0);
}

static int
held_wait(held_t *h, int ms)
{
	for (int t = 0; t < ms; t += 10) {
		if (__atomic_load_n(&h->h_done, __ATOMIC_SEQ_CST))
			return (0);
		msleep(10);
	}
	return (__atomic_load_n(&h->h_done, __ATOMIC_SEQ_CST) ? 0 : -1);
}

/* Wait until QEMU has finished the request (then free its buffer). */
static void
held_end(held_t *h)
{
	hrtime_t until = h->h_start + SEC2NSEC(HOLD_SECS) + MSEC2NSEC(500);

	if (h->h_started)
		(void) held_wait(h, 10000);
	while (gethrtime() < until)
		msleep(20);
	if (__atomic_load_n(&h->h_done, __ATOMIC_SEQ_CST) || !h->h_started)
		fk_scsi_buf_free(h->h_buf, 4096);
}

/*
 * Completions.  Write n entries after the device's producer index and
 * move it; returns the first index.
 */
static uint32_t
cmp_inject(const pvscsi_cmp_t *ents, int n)
{
	volatile pvscsi_rings_state_t *st = dt_state();
	uint32_t prod = dv_get(&st->prs_cmp_prod);
	uint32_t cons = dv_get(&st->prs_cmp_cons);

	if (prod != cons)
		drv_note("completion ring not idle: prod %u cons %u", prod,
		    cons);
	for (int i = 0; i < n; i++)
		(void) memcpy(dv_must(dt_cmp(prod + (uint32_t)i), "completion",
		    prod + (uint32_t)i), &ents[i], sizeof (ents[i]));
	dv_set(&st->prs_cmp_prod, prod + (uint32_t)n);
	return (prod);
}

static pvscsi_cmp_t
cmp_make(uint64_t ctx, uint16_t host, uint16_t scsi)
{
	pvscsi_cmp_t c;

	bzero(&c, sizeof (c));
	c.pc_context = ctx;
	c.pc_host_status = host;
	c.pc_scsi_status = scsi;
	c.pc_pad[0] = MARK;
	return (c);
}

/*
 * State shared by the cases.
 */
static fk_lun_t *disk;		/* 0,0: the file disk */
static fk_lun_t *slow;		/* 1,0: the slow null disk */
static uint64_t last_ctx;	/* a context that has completed */
static uint_t nth;		/* pattern seed */

/* The driver still works: write and read back a block of the file disk. */
static void
check_io(const char *name)
{
	uchar_t *w = fk_scsi_buf_alloc(8192), *r = fk_scsi_buf_alloc(8192);
	uint64_t lba = 1000 + 16 * (nth++ % 64);
	int we, re;
	ssize_t bad;

	lio_fill(w, 8192, lba * 512, nth + 77);
	we = fk_scsi_write(disk, lba, 16, w, NULL);
	re = fk_scsi_read(disk, lba, 16, r, NULL);
	bad = lio_verify(r, 8192, lba * 512, nth + 77);
	CHECK(name, we == 0 && re == 0 && bad < 0,
	    "expected a block written and read back, saw write %d, read %d, "
	    "first bad byte %zd", we, re, bad);
	fk_scsi_buf_free(w, 8192);
	fk_scsi_buf_free(r, 8192);
}

/* The count of stat is want more than it was (before). */
static void
check_count(const char *name, const char *stat, uint64_t before,
    uint64_t want)
{
	uint64_t now = drv_errors(0, stat);

	CHECK(name, before != UINT64_MAX && now == before + want,
	    "expected %s to count %llu more than %llu, saw %llu", stat,
	    (unsigned long long)want, (unsigned long long)before,
	    (unsigned long long)now);
}

/*
 * After a reset: discovery has settled, and the disks' unit attentions
 * (a reset is a power-on to them) are taken, so that the next held
 * request is held.
 */
static void
after_reset(void)
{
	msleep(200);
	(void) fk_scsi_settle(fk_pci_hba(0), SEC2NSEC(20));
	(void) fk_scsi_tur(disk, NULL);
	(void) fk_scsi_tur(slow, NULL);
}

/*
 * One completion for the held request, with bad fields: the packet
 * completes as the entry says, within bounds; no reset is needed.
 */
static void
case_fields(const char *name, const char *stat, uint64_t dlen, uint32_t slen,
    uint16_t host, uint16_t scsi)
{
	char n[96];
	held_t h;
	pvscsi_cmp_t c;
	uint64_t setups = dt_setups(), count0 = drv_errors(0, stat);
	uint32_t at;
	fk_scsi_status_t *res = &h.h_cmd.sc_res;

	if (held_start(&h, slow) != 0) {
		(void) snprintf(n, sizeof (n), "%s-start", name);
		check_fail(n, "expected a held request");
		held_end(&h);
		return;
	}
	if (scsi == STATUS_CHECK) {
		uint8_t *sense = fk_dma_devmem(h.h_sense, 256);

		/* Fixed format, ILLEGAL REQUEST, INVALID FIELD IN CDB. */
		for (int i = 0; sense != NULL && i < 256; i++)
			sense[i] = (uint8_t)(0xa5 ^ i);
		if (sense != NULL) {
			sense[0] = 0x70;
			sense[2] = KEY_ILLEGAL_REQUEST;
			sense[7] = 10;
			sense[12] = 0x24;
			sense[13] = 0;
		}
	}
	c = cmp_make(h.h_ctx, host, scsi);
	c.pc_data_len = dlen;
	c.pc_sense_len = slen;
	at = cmp_inject(&c, 1);
	(void) snprintf(n, sizeof (n), "%s-completed", name);
	CHECK(n, held_wait(&h, (HOLD_SECS - 1) * 1000 + 500) == 0,
	    "expected the packet completed by the injected entry within "
	    "%d ms", (HOLD_SECS - 1) * 1000 + 500);
	last_ctx = h.h_ctx;

	/* QEMU's own completion lands on the same index, unseen. */
	(void) dv_wait(&((pvscsi_cmp_t *)dv_must(dt_cmp(at), "completion",
	    at))->pc_pad[0], 0, (HOLD_SECS + 2) * 1000,
	    NULL);
	msleep(300);
	drv_note("%s: reason %u, status 0x%x, resid %zd, sense %u bytes "
	    "key %u asc 0x%x, state 0x%x", name, res->ss_reason,
	    res->ss_status, res->ss_resid, res->ss_senselen, res->ss_key,
	    res->ss_asc, res->ss_state);
	(void) snprintf(n, sizeof (n), "%s-no-reset", name);
	CHECK(n, dt_setups() == setups,
	    "expected the rings kept (no reset), saw %llu new setups",
	    (unsigned long long)(dt_setups() - setups));

	(void) snprintf(n, sizeof (n), "%s-outcome", name);
	if (scsi == STATUS_CHECK) {
		CHECK(n, res->ss_reason == CMD_CMPLT &&
		    res->ss_status == STATUS_CHECK &&
		    res->ss_key == KEY_ILLEGAL_REQUEST && res->ss_asc == 0x24 &&
		    res->ss_senselen <= FK_SCSI_SENSELEN &&
		    h.h_cmd.sc_error == EIO,
		    "expected CHECK CONDITION with key 5 asc 0x24, saw reason "
		    "%u status 0x%x key %u asc 0x%x (%u bytes)",
		    res->ss_reason, res->ss_status, res->ss_key, res->ss_asc,
		    res->ss_senselen);
	} else if (host == PVSCSI_BTSTAT_SUCCESS) {
		CHECK(n, h.h_cmd.sc_error == 0 && res->ss_resid == 0,
		    "expected success with no residue, saw error %d resid %zd",
		    h.h_cmd.sc_error, res->ss_resid);
	} else {
		CHECK(n, res->ss_reason == CMD_TRAN_ERR &&
		    h.h_cmd.sc_error == EIO,
		    "expected CMD_TRAN_ERR, saw reason %u error %d",
		    res->ss_reason, h.h_cmd.sc_error);
	}
	(void) snprintf(n, sizeof (n), "%s-counted", name);
	check_count(n, stat, count0, 1);
	held_end(&h);
	(void) snprintf(n, sizeof (n), "%s-io-after", name);
	check_io(n);
}

/*
 * The bogus contexts, from what the device saw on the request ring (the
 * held request's included): zero, when no request carried it; the first
 * value above the held context that no request carried; a completed
 * context with the highest bit no context had set (a driver that keeps
 * fewer bits than it gives the device would take it for the completed
 * one); a completed context; the held context again.  0 when there is no
 * such value.
 */
typedef enum { CTX_ZERO, CTX_UNKNOWN, CTX_WIDE, CTX_STALE, CTX_DUP } ctx_t;

static int
bogus_context(ctx_t kind, uint64_t held, uint64_t *ctxp)
{
	uint64_t wide = 1ULL << 63, bits = dt_ctx_bits();

	switch (kind) {
	case CTX_ZERO:
		*ctxp = 0;
		return (dt_ctx_seen(0) == 0);
	case CTX_UNKNOWN:
		*ctxp = dt_ctx_unseen(held);
		return (1);
	case CTX_WIDE:
		while (wide != 0 && (bits & wide) != 0)
			wide >>= 1;
		*ctxp = wide | last_ctx;
		return (wide != 0);
	case CTX_STALE:
		*ctxp = last_ctx;
		return (last_ctx != held);
	default:
		*ctxp = held;
		return (1);
	}
}

/*
 * The held request's true completion, then a bogus entry: the bogus one
 * is ignored and logged; QEMU's completion then leaves its producer index
 * one behind the driver's consumer index, which must reset the adapter.
 */
static void
case_context(const char *name, ctx_t kind)
{
	char n[96];
	held_t h;
	pvscsi_cmp_t c[2];
	uint64_t setups = dt_setups(), bogus;
	uint64_t resets = dt_total(PVSCSI_CMD_ADAPTER_RESET);
	uint64_t bad0 = drv_errors(0, "bad_context");
	uint64_t index0 = drv_errors(0, "bad_ring_index");
	int rv;

	if (held_start(&h, slow) != 0) {
		(void) snprintf(n, sizeof (n), "%s-start", name);
		check_fail(n, "expected a held request");
		held_end(&h);
		return;
	}
	(void) snprintf(n, sizeof (n), "%s-value", name);
	if (!CHECK(n, bogus_context(kind, h.h_ctx, &bogus),
	    "expected such a context among those the device saw")) {
		held_end(&h);
		return;
	}
	c[0] = cmp_make(h.h_ctx, PVSCSI_BTSTAT_SUCCESS, STATUS_GOOD);
	c[1] = cmp_make(bogus, PVSCSI_BTSTAT_SUCCESS, STATUS_GOOD);
	drv_note("%s: held context 0x%llx, bogus 0x%llx", name,
	    (unsigned long long)h.h_ctx, (unsigned long long)c[1].pc_context);
	(void) cmp_inject(c, 2);
	rv = held_wait(&h, (HOLD_SECS - 1) * 1000 + 500);
	(void) snprintf(n, sizeof (n), "%s-held-completed-once", name);
	CHECK(n, rv == 0 && h.h_cmd.sc_error == 0,
	    "expected the held packet completed by its entry, saw %s, "
	    "error %d", rv == 0 ? "done" : "not done", h.h_cmd.sc_error);
	(void) snprintf(n, sizeof (n), "%s-counted", name);
	check_count(n, "bad_context", bad0, 1);
	last_ctx = h.h_ctx;

	/* QEMU completes the request: its index is now behind ours. */
	held_end(&h);
	for (int t = 0; t < 3000 && dt_setups() == setups; t += 10)
		msleep(10);
	(void) snprintf(n, sizeof (n), "%s-diverged-reset", name);
	resets = dt_total(PVSCSI_CMD_ADAPTER_RESET) - resets;
	CHECK(n, dt_setups() > setups && resets > 0, "expected an adapter "
	    "reset once the indices diverged, saw %llu resets, %llu setups",
	    (unsigned long long)resets,
	    (unsigned long long)(dt_setups() - setups));
	(void) snprintf(n, sizeof (n), "%s-index-counted", name);
	check_count(n, "bad_ring_index", index0, 1);
	after_reset();
	(void) snprintf(n, sizeof (n), "%s-io-after", name);
	check_io(n);
}

/*
 * The device's producer index jumps: ahead beyond the ring, or behind the
 * driver's consumer index.  The held packet fails with CMD_RESET.
 */
static void
case_prod(const char *name, int32_t delta)
{
	char n[96];
	held_t h;
	volatile pvscsi_rings_state_t *st;
	uint64_t setups = dt_setups();
	uint64_t index0 = drv_errors(0, "bad_ring_index");
	int rv;

	if (held_start(&h, slow) != 0) {
		(void) snprintf(n, sizeof (n), "%s-start", name);
		check_fail(n, "expected a held request");
		held_end(&h);
		return;
	}
	st = dt_state();
	dv_set(&st->prs_cmp_prod, dv_get(&st->prs_cmp_cons) +
	    (uint32_t)delta);
	rv = held_wait(&h, (HOLD_SECS - 1) * 1000 + 500);
	(void) snprintf(n, sizeof (n), "%s-reset", name);
	CHECK(n, dt_setups() > setups,
	    "expected an adapter reset, saw none");
	(void) snprintf(n, sizeof (n), "%s-packet-failed", name);
	CHECK(n, rv == 0 && h.h_cmd.sc_error == EIO &&
	    h.h_cmd.sc_res.ss_reason == CMD_RESET,
	    "expected the held packet to end with CMD_RESET, saw %s, "
	    "reason %u", rv == 0 ? "done" : "not done",
	    h.h_cmd.sc_res.ss_reason);
	(void) snprintf(n, sizeof (n), "%s-counted", name);
	check_count(n, "bad_ring_index", index0, 1);
	held_end(&h);
	after_reset();
	(void) snprintf(n, sizeof (n), "%s-io-after", name);
	check_io(n);
}

static void
run_ring(void)
{
	case_fields("sense-length", "sense_clamped", 0, UINT32_MAX,
	    PVSCSI_BTSTAT_SUCCESS, STATUS_CHECK);
	case_fields("data-length", "bad_data_length", 1ULL << 40, 0,
	    PVSCSI_BTSTAT_SUCCESS, STATUS_GOOD);
	case_fields("host-status", "bad_host_status", 0, 0, 0x7777,
	    STATUS_GOOD);

	case_context("context-zero", CTX_ZERO);
	case_context("context-unknown", CTX_UNKNOWN);
	case_context("context-wide", CTX_WIDE);
	case_context("context-stale", CTX_STALE);
	case_context("context-completed", CTX_DUP);

	case_prod("prod-ahead", 0x10000);
	case_prod("prod-behind", -1);
}

/*
 * Messages.  Write n after the device's producer index and wait until
 * the driver has consumed them.
 */
static int
msg_inject(const pvscsi_msg_dev_t *m, int n)
{
	volatile pvscsi_rings_state_t *st = dt_state();
	uint32_t prod = dv_get(&st->prs_msg_prod);

	for (int i = 0; i < n; i++)
		(void) memcpy(dv_must(dt_msg(prod + (uint32_t)i), "message",
		    prod + (uint32_t)i), &m[i], sizeof (m[i]));
	dv_set(&st->prs_msg_prod, prod + (uint32_t)n);
	return (dv_wait(&st->prs_msg_cons, prod + (uint32_t)n, 3000, NULL));
}

static pvscsi_msg_dev_t
msg_make(uint32_t type, uint32_t bus, uint32_t target, int lunbyte,
    uint8_t lunval)
{
	pvscsi_msg_dev_t m;

	bzero(&m, sizeof (m));
	m.pmd_type = type;
	m.pmd_bus = bus;
	m.pmd_target = target;
	m.pmd_lun[lunbyte] = lunval;
	return (m);
}

static int
count_luns(void)
{
	fk_lun_t *l[16];
	int n = fk_scsi_luns(NULL, NULL, l, 16);

	for (int i = 0; i < n && i < 16; i++)
		fk_scsi_lun_rele(l[i]);
	return (n);
}

static uint_t
count_log(const char *what, uint_t start)
{
	uint_t n = 0;
	int i;

	while ((i = fk_log_find(what, start)) >= 0) {
		n++;
		start = (uint_t)i + 1;
	}
	return (n);
}

static void
case_msg(const char *name, pvscsi_msg_dev_t m, int bad)
{
	char n[96];
	uint64_t setups = dt_setups(), bad0 = drv_errors(0, "bad_message");
	int luns = count_luns(), rv;

	rv = msg_inject(&m, 1);
	(void) snprintf(n, sizeof (n), "%s-consumed", name);
	CHECK(n, rv == 0, "expected the driver to consume the message");
	msleep(300);
	(void) fk_scsi_settle(fk_pci_hba(0), SEC2NSEC(20));
	(void) snprintf(n, sizeof (n), "%s-%s", name, bad ? "counted" :
	    "accepted");
	check_count(n, "bad_message", bad0, bad ? 1 : 0);
	(void) snprintf(n, sizeof (n), "%s-no-reset", name);
	CHECK(n, dt_setups() == setups, "expected no reset, saw %llu",
	    (unsigned long long)(dt_setups() - setups));
	(void) snprintf(n, sizeof (n), "%s-units-kept", name);
	CHECK(n, count_luns() == luns, "expected %d units, saw %d", luns,
	    count_luns());
}

static void
run_msg(void)
{
	pvscsi_msg_dev_t flood[31];
	volatile pvscsi_rings_state_t *st;
	uint64_t setups, bad0, index0;
	uint_t log0, nlog, reqp, cmpp, msgp;

	dt_ring_pages(&reqp, &cmpp, &msgp);
	if (!CHECK("msg-ring-set-up", msgp >= 1,
	    "expected SETUP_MSG_RING, saw %u pages", msgp))
		return;
	case_msg("msg-type", msg_make(7, 0, 0, 1, 0), 1);
	case_msg("msg-type-huge", msg_make(UINT32_MAX, 0, 0, 1, 0), 1);
	case_msg("msg-bus", msg_make(PVSCSI_MSG_DEV_ADDED, 1, 0, 1, 0), 1);
	case_msg("msg-target", msg_make(PVSCSI_MSG_DEV_ADDED, 0, 300, 1, 0),
	    1);
	case_msg("msg-target-huge", msg_make(PVSCSI_MSG_DEV_REMOVED, 0,
	    UINT32_MAX, 1, 0), 1);
	case_msg("msg-lun-level", msg_make(PVSCSI_MSG_DEV_ADDED, 0, 0, 0, 1),
	    1);
	case_msg("msg-lun-high", msg_make(PVSCSI_MSG_DEV_REMOVED, 0, 0, 7,
	    0xff), 1);
	case_msg("msg-added-absent", msg_make(PVSCSI_MSG_DEV_ADDED, 0, 7, 1,
	    0), 0);
	case_msg("msg-removed-present", msg_make(PVSCSI_MSG_DEV_REMOVED, 0,
	    0, 1, 0), 0);
	case_msg("msg-lun-added", msg_make(PVSCSI_MSG_DEV_ADDED, 0, 0, 1, 5),
	    0);
	check_io("msg-io-after-messages");

	/* A flood is counted in full and logged a few times only. */
	for (int i = 0; i < 31; i++)
		flood[i] = msg_make(100 + i, 0, 0, 1, 0);
	log0 = fk_log_count();
	bad0 = drv_errors(0, "bad_message");
	CHECK("msg-flood-consumed", msg_inject(flood, 31) == 0,
	    "expected the driver to consume 31 messages");
	check_count("msg-flood-counted", "bad_message", bad0, 31);
	nlog = count_log("bad_message", log0);
	drv_note("31 bad messages gave %u log lines", nlog);
	CHECK("msg-flood-rate-limited", nlog >= 1 && nlog <= 6,
	    "expected 1 to 6 log lines for 31 bad messages, saw %u", nlog);

	/* The producer index ahead of the ring: reset. */
	st = dt_state();
	setups = dt_setups();
	index0 = drv_errors(0, "bad_ring_index");
	dv_set(&st->prs_msg_prod, dv_get(&st->prs_msg_cons) + 1000);
	for (int t = 0; t < 3000 && dt_setups() == setups; t += 10)
		msleep(10);
	CHECK("msg-prod-ahead-reset", dt_setups() > setups,
	    "expected an adapter reset, saw none");
	check_count("msg-prod-ahead-counted", "bad_ring_index", index0, 1);
	after_reset();
	check_io("msg-prod-ahead-io-after");
}

/*
 * The device is gone: every register reads all-ones.
 */
static void
run_gone(void)
{
	held_t h;
	fk_scsi_cmd_t tur;
	uint_t con0 = drv_console_lines(), log0 = fk_log_count();
	hrtime_t t0;
	int rv, n;

	if (held_start(&h, slow) != 0) {
		check_fail("gone-start", "expected a held request");
		held_end(&h);
		return;
	}
	fk_reg_allones(1);
	rv = held_wait(&h, 2500);
	CHECK("gone-packet-failed", rv == 0 && h.h_cmd.sc_error == EIO &&
	    h.h_cmd.sc_res.ss_reason == CMD_DEV_GONE,
	    "expected the held packet to end with CMD_DEV_GONE, saw %s, "
	    "reason %u", rv == 0 ? "done" : "not done",
	    h.h_cmd.sc_res.ss_reason);

	bzero(&tur, sizeof (tur));
	tur.sc_cdb[0] = SCMD_TEST_UNIT_READY;
	tur.sc_cdblen = CDB_GROUP0;
	t0 = gethrtime();
	rv = fk_scsi_cmd(disk, &tur);
	CHECK("gone-new-packet-refused", rv != 0 &&
	    tur.sc_res.ss_tran == TRAN_FATAL_ERROR &&
	    gethrtime() - t0 < SEC2NSEC(1),
	    "expected TRAN_FATAL_ERROR at once, saw %d, transport %d after "
	    "%lld ms", rv, tur.sc_res.ss_tran,
	    (long long)NSEC2MSEC(gethrtime() - t0));

	/* The ring service goes on; the device is not reported again. */
	msleep(2500);
	n = (int)count_log("not responding", log0);
	CHECK("gone-logged-once", n == 1 && drv_console_lines() == con0 + 1,
	    "expected one console line, saw %d log lines, %u console lines",
	    n, drv_console_lines() - con0);
	held_end(&h);
	fk_scsi_lun_rele(disk);
	fk_scsi_lun_rele(slow);
	disk = slow = NULL;
	rv = drv_detach();
	CHECK("gone-detach", rv == 0, "expected 0, saw %d", rv);

	/* The device is back: a new attach works. */
	fk_reg_allones(0);
	rv = drv_attach();
	CHECK("gone-reattach", rv == 1, "expected 1 HBA, saw %d", rv);
	disk = drv_lun(0, "0,0", 20);
	if (CHECK("gone-reattach-disk", disk != NULL, "expected LUN 0,0"))
		check_io("gone-io-after-reattach");
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "ring";
	uint_t reqp, cmpp, msgp;
	fk_scsi_stats_t st;
	int err;

	if (strcmp(mode, "ring") != 0 && strcmp(mode, "msg") != 0 &&
	    strcmp(mode, "gone") != 0) {
		(void) fprintf(stderr, "usage: t_hostile ring|msg|gone\n");
		return (2);
	}
	dt_start();
	drv_start();
	dt_ring_pages(&reqp, &cmpp, &msgp);
	CHECK("rings-seen", dt_setups() >= 1 && cmpp >= 1 && reqp >= 1,
	    "expected SETUP_RINGS through the tap, saw %llu",
	    (unsigned long long)dt_setups());
	disk = drv_lun(0, "0,0", 10);
	slow = drv_lun(0, "1,0", 10);
	if (!CHECK("units", disk != NULL && slow != NULL,
	    "expected LUNs 0,0 and 1,0"))
		return (check_exit());
	drv_note("rings: %u request pages, %u completion pages, %u message "
	    "pages", reqp, cmpp, msgp);
	after_reset();
	check_io("io-before");

	if (strcmp(mode, "ring") == 0)
		run_ring();
	else if (strcmp(mode, "msg") == 0)
		run_msg();
	else
		run_gone();

	fk_scsi_stats(&st);
	drv_note("%llu packets started, %llu completed, %llu outstanding",
	    (unsigned long long)st.st_started,
	    (unsigned long long)st.st_completed,
	    (unsigned long long)st.st_outstanding);
	if (strcmp(mode, "gone") != 0) {
		lio_check_clean(mode);
	} else {
		CHECK("gone-every-packet-completed-once",
		    st.st_started == st.st_completed &&
		    st.st_outstanding == 0,
		    "expected started == completed, saw %llu, %llu",
		    (unsigned long long)st.st_started,
		    (unsigned long long)st.st_completed);
	}
	if (disk != NULL)
		fk_scsi_lun_rele(disk);
	if (slow != NULL)
		fk_scsi_lun_rele(slow);
	err = drv_detach();
	CHECK("detach", err == 0, "expected 0, saw %d", err);
	dt_stop();
	drv_unload();
	return (check_exit());
}

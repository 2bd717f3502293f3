/*
 * Verified read/write load that rides out recovery (see labload.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <stdarg.h>
#include <pthread.h>

#include <sys/sunddi.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/scsi/scsi.h>

#include "fk_impl.h"
#include "labio.h"
#include "labload.h"
#include "labpkt.h"

#define	LL_BLK		512
#define	LL_MAX_RETRIES	10000
#define	LL_HANG_SECS	60

/* What became of one command. */
typedef enum ll_end {
	LL_OK,
	LL_GONE,
	LL_ERROR,
	LL_HUNG
} ll_end_t;

typedef struct ll_slot {
	ll_t		*sl_ll;
	uint_t		sl_idx;
	uint64_t	sl_lba;
	size_t		sl_len;
	struct buf	sl_wb, sl_rb;
	struct scsi_pkt	*sl_wpkt, *sl_rpkt;
	kmutex_t	sl_lock;
	kcondvar_t	sl_cv;
	struct scsi_pkt	*sl_inflight;	/* in transport */
	int		sl_done;	/* sl_inflight completed */
	uint64_t	sl_seed;	/* pattern on the medium, 0: unknown */
	uint64_t	sl_pass;
	fk_tid_t	sl_tid;
	int		sl_started;
	int		sl_hung;
} ll_slot_t;

struct ll {
	fk_lun_t	*ll_lun;
	uint_t		ll_qd;
	uint_t		ll_blocks;
	int		ll_pkt_time;
	int		ll_stop;
	kmutex_t	ll_lock;	/* ll_st, ll_cv */
	kcondvar_t	ll_cv;
	ll_stats_t	ll_st;
	ll_slot_t	*ll_slots;
};

static void
ll_error(ll_t *ll, const char *fmt, ...) __attribute__((format(printf, 2,
    3)));

static void
ll_error(ll_t *ll, const char *fmt, ...)
{
	va_list ap;

	mutex_enter(&ll->ll_lock);
	if (ll->ll_st.ls_first[0] == '\0') {
		va_start(ap, fmt);
		(void) vsnprintf(ll->ll_st.ls_first,
		    sizeof (ll->ll_st.ls_first), fmt, ap);
		va_end(ap);
	}
	mutex_exit(&ll->ll_lock);
}

#define	LL_INC(ll, field)	do {					\
	mutex_enter(&(ll)->ll_lock);					\
	(ll)->ll_st.field++;						\
	mutex_exit(&(ll)->ll_lock);					\
	} while (0)

static void
ll_comp(struct scsi_pkt *pkt)
{
	ll_slot_t *sl = *(ll_slot_t **)pkt->pkt_private;
	ll_t *ll = sl->sl_ll;
	int dup;

	/* Counted before the slot learns of it, which may end the load. */
	mutex_enter(&sl->sl_lock);
	dup = sl->sl_inflight != pkt || sl->sl_done;
	mutex_enter(&ll->ll_lock);
	ll->ll_st.ls_comps++;
	if (dup)
		ll->ll_st.ls_dups++;
	mutex_exit(&ll->ll_lock);
	if (!dup)
		sl->sl_done = 1;
	cv_broadcast(&sl->sl_cv);
	mutex_exit(&sl->sl_lock);
}

/* Does the packet's statistics word go with its reason? */
static int
ll_stat_ok(uchar_t reason, uint_t stat)
{
	uint_t rst = STAT_BUS_RESET | STAT_DEV_RESET;

	switch (reason) {
	case CMD_CMPLT:
		return ((stat & (rst | STAT_ABORTED | STAT_TIMEOUT)) == 0);
	case CMD_ABORTED:
		return ((stat & STAT_ABORTED) != 0);
	case CMD_RESET:		/* STAT_ABORTED: it waited for a slot */
		return ((stat & (rst | STAT_ABORTED)) != 0);
	case CMD_TIMEOUT:
		return ((stat & STAT_TIMEOUT) != 0);
	default:
		return (1);
	}
}

static void
ll_account(ll_t *ll, struct scsi_pkt *pkt)
{
	uint_t stat = pkt->pkt_statistics;
	int ok = ll_stat_ok(pkt->pkt_reason, stat);

	mutex_enter(&ll->ll_lock);
	ll->ll_st.ls_reason[MIN(pkt->pkt_reason, LL_REASONS - 1)]++;
	ll->ll_st.ls_stat_bus += (stat & STAT_BUS_RESET) != 0;
	ll->ll_st.ls_stat_dev += (stat & STAT_DEV_RESET) != 0;
	ll->ll_st.ls_stat_abort += (stat & STAT_ABORTED) != 0;
	ll->ll_st.ls_stat_tmo += (stat & STAT_TIMEOUT) != 0;
	if (!ok)
		ll->ll_st.ls_bad_stat++;
	mutex_exit(&ll->ll_lock);
	if (!ok) {
		ll_error(ll, "pkt_reason %u with pkt_statistics 0x%x",
		    pkt->pkt_reason, stat);
	}
}

/* 1 when the command should be sent again, as sd would. */
static int
ll_again(ll_t *ll, struct scsi_pkt *pkt)
{
	struct scsi_arq_status *arq = (void *)pkt->pkt_scbp;
	uchar_t st = *pkt->pkt_scbp & STATUS_MASK, key;

	if (pkt->pkt_reason == CMD_RESET || pkt->pkt_reason == CMD_ABORTED ||
	    pkt->pkt_reason == CMD_TIMEOUT)
		return (1);
	if (pkt->pkt_reason != CMD_CMPLT)
		return (0);
	if (st == STATUS_BUSY || st == STATUS_QFULL)
		return (1);
	if (st != STATUS_CHECK || !(pkt->pkt_state & STATE_ARQ_DONE))
		return (0);
	key = scsi_sense_key((uchar_t *)&arq->sts_sensedata);
	if (key == KEY_UNIT_ATTENTION)
		LL_INC(ll, ls_ua);
	return (key == KEY_UNIT_ATTENTION || key == KEY_ABORTED_COMMAND);
}

/* Wait for the slot's packet: 0, or ETIMEDOUT (a hang). */
static int
ll_wait(ll_slot_t *sl, struct scsi_pkt *pkt)
{
	hrtime_t end = gethrtime() + SEC2NSEC(MAX(pkt->pkt_time, 0) +
	    LL_HANG_SECS);
	int done;

	mutex_enter(&sl->sl_lock);
	while (!sl->sl_done && gethrtime() < end) {
		(void) cv_reltimedwait(&sl->sl_cv, &sl->sl_lock,
		    drv_usectohz(MICROSEC), TR_CLOCK_TICK);
	}
	done = sl->sl_done;
	if (done)
		sl->sl_inflight = NULL;
	mutex_exit(&sl->sl_lock);
	return (done ? 0 : ETIMEDOUT);
}

/* Send one command until it succeeds, fails for good or hangs. */
static ll_end_t
ll_cmd(ll_slot_t *sl, struct scsi_pkt *pkt, int write)
{
	ll_t *ll = sl->sl_ll;
	uint_t tries = 0;
	int rv;

	lp_cdb_rw(pkt, write, sl->sl_lba, ll->ll_blocks);
	if (write)
		scsi_sync_pkt(pkt);
	for (;;) {
		pkt->pkt_time = ll->ll_pkt_time;
		pkt->pkt_flags = 0;
		pkt->pkt_comp = ll_comp;
		mutex_enter(&sl->sl_lock);
		sl->sl_inflight = pkt;
		sl->sl_done = 0;
		mutex_exit(&sl->sl_lock);
		rv = scsi_transport(pkt);
		if (rv != TRAN_ACCEPT) {
			mutex_enter(&sl->sl_lock);
			sl->sl_inflight = NULL;
			mutex_exit(&sl->sl_lock);
			if (fk_scsi_lun_gone(ll->ll_lun)) {
				LL_INC(ll, ls_refused);
				return (LL_GONE);
			}
			if (rv == TRAN_BUSY && ++tries < LL_MAX_RETRIES) {
				delay(drv_usectohz(1000));
				continue;
			}
			ll_error(ll, "slot %u: scsi_transport returned %d",
			    sl->sl_idx, rv);
			return (LL_ERROR);
		}
		LL_INC(ll, ls_transports);
		if (ll_wait(sl, pkt) != 0) {
			ll_error(ll, "slot %u: packet %p (CDB 0x%02x) not "
			    "completed %d s after its pkt_time", sl->sl_idx,
			    (void *)pkt, pkt->pkt_cdbp[0], LL_HANG_SECS);
			sl->sl_hung = 1;
			return (LL_HUNG);
		}
		ll_account(ll, pkt);
		if (pkt->pkt_reason == CMD_CMPLT &&
		    (*pkt->pkt_scbp & STATUS_MASK) == STATUS_GOOD &&
		    pkt->pkt_resid == 0)
			return (LL_OK);
		if (pkt->pkt_reason == CMD_DEV_GONE)
			return (LL_GONE);
		if (!ll_again(ll, pkt) || ++tries >= LL_MAX_RETRIES) {
			ll_error(ll, "slot %u: CDB 0x%02x ended reason %u "
			    "status 0x%x resid %ld stat 0x%x", sl->sl_idx,
			    pkt->pkt_cdbp[0], pkt->pkt_reason, *pkt->pkt_scbp,
			    (long)pkt->pkt_resid, pkt->pkt_statistics);
			return (LL_ERROR);
		}
		LL_INC(ll, ls_retries);
	}
}

/* Read the region back and compare it with what was written. */
static ll_end_t
ll_check(ll_slot_t *sl, uint64_t seed)
{
	ll_end_t e = ll_cmd(sl, sl->sl_rpkt, 0);
	ssize_t bad;

	if (e != LL_OK)
		return (e);
	bad = lio_verify(sl->sl_rb.b_un.b_addr, sl->sl_len,
	    sl->sl_lba * LL_BLK, seed);
	if (bad >= 0) {
		LL_INC(sl->sl_ll, ls_verify_errors);
		ll_error(sl->sl_ll, "slot %u: byte %zd of LBA %llu differs "
		    "from the pattern written", sl->sl_idx, bad,
		    (unsigned long long)sl->sl_lba);
		return (LL_ERROR);
	}
	return (LL_OK);
}

static void *
ll_slot_run(void *arg)
{
	ll_slot_t *sl = arg;
	ll_t *ll = sl->sl_ll;
	ll_end_t e = LL_OK;

	while (!__atomic_load_n(&ll->ll_stop, __ATOMIC_ACQUIRE)) {
		uint64_t seed = ((uint64_t)(uintptr_t)ll << 20) ^
		    ((uint64_t)sl->sl_idx << 40) ^ ++sl->sl_pass;

		lio_fill(sl->sl_wb.b_un.b_addr, sl->sl_len,
		    sl->sl_lba * LL_BLK, seed);
		sl->sl_seed = 0;
		if ((e = ll_cmd(sl, sl->sl_wpkt, 1)) != LL_OK)
			break;
		sl->sl_seed = seed;
		if ((e = ll_check(sl, seed)) != LL_OK)
			break;
		mutex_enter(&ll->ll_lock);
		ll->ll_st.ls_passes++;
		cv_broadcast(&ll->ll_cv);
		mutex_exit(&ll->ll_lock);
	}
	if (e == LL_GONE)
		LL_INC(ll, ls_gone);
	else if (e == LL_HUNG)
		LL_INC(ll, ls_hangs);
	else if (e == LL_ERROR)
		LL_INC(ll, ls_errors);
	return (NULL);
}

static struct scsi_pkt *
ll_pkt(ll_slot_t *sl, struct buf *bp, int write)
{
	struct scsi_device *sd = fk_scsi_lun_device(sl->sl_ll->ll_lun);
	struct scsi_pkt *pkt;

	bioinit(bp);
	bp->b_un.b_addr = fk_scsi_buf_alloc(sl->sl_len);
	bp->b_bcount = sl->sl_len;
	bp->b_flags = B_BUSY | (write ? B_WRITE : B_READ);
	if (sd == NULL)
		return (NULL);
	pkt = scsi_init_pkt(&sd->sd_address, NULL, bp, CDB_GROUP1,
	    sizeof (struct scsi_arq_status), sizeof (ll_slot_t *), 0,
	    SLEEP_FUNC, NULL);
	if (pkt != NULL)
		*(ll_slot_t **)pkt->pkt_private = sl;
	return (pkt);
}

ll_t *
ll_start(fk_lun_t *lun, uint_t qd, uint64_t lba, uint_t blocks,
    int pkt_time)
{
	ll_t *ll = calloc(1, sizeof (*ll));
	char name[32];

	fk_scsi_lun_hold(lun);
	ll->ll_lun = lun;
	ll->ll_qd = qd;
	ll->ll_blocks = blocks;
	ll->ll_pkt_time = pkt_time;
	mutex_init(&ll->ll_lock, NULL, MUTEX_DRIVER, NULL);
	cv_init(&ll->ll_cv, NULL, CV_DRIVER, NULL);
	ll->ll_slots = calloc(qd, sizeof (ll_slot_t));
	for (uint_t i = 0; i < qd; i++) {
		ll_slot_t *sl = &ll->ll_slots[i];

		sl->sl_ll = ll;
		sl->sl_idx = i;
		sl->sl_lba = lba + (uint64_t)i * blocks;
		sl->sl_len = (size_t)blocks * LL_BLK;
		mutex_init(&sl->sl_lock, NULL, MUTEX_DRIVER, NULL);
		cv_init(&sl->sl_cv, NULL, CV_DRIVER, NULL);
		sl->sl_wpkt = ll_pkt(sl, &sl->sl_wb, 1);
		sl->sl_rpkt = ll_pkt(sl, &sl->sl_rb, 0);
		if (sl->sl_wpkt == NULL || sl->sl_rpkt == NULL) {
			LL_INC(ll, ls_errors);
			ll_error(ll, "slot %u: scsi_init_pkt failed", i);
			continue;
		}
		(void) snprintf(name, sizeof (name), "load slot %u", i);
		sl->sl_started = fk_thread_create(&sl->sl_tid, name,
		    ll_slot_run, sl) == 0;
	}
	return (ll);
}

void
ll_stop(ll_t *ll)
{
	__atomic_store_n(&ll->ll_stop, 1, __ATOMIC_RELEASE);
	for (uint_t i = 0; i < ll->ll_qd; i++) {
		ll_slot_t *sl = &ll->ll_slots[i];

		if (sl->sl_started)
			(void) fk_thread_join(sl->sl_tid, NULL);
		sl->sl_started = 0;
	}
}

void
ll_stats(ll_t *ll, ll_stats_t *st)
{
	mutex_enter(&ll->ll_lock);
	*st = ll->ll_st;
	mutex_exit(&ll->ll_lock);
}

void
ll_stats_add(ll_stats_t *sum, const ll_stats_t *st)
{
	const uint64_t *s = (const uint64_t *)(const void *)st;
	uint64_t *d = (uint64_t *)(void *)sum;

	for (size_t i = 0; i < offsetof(ll_stats_t, ls_first) / 8; i++)
		d[i] += s[i];
	if (sum->ls_first[0] == '\0')
		(void) strlcpy(sum->ls_first, st->ls_first,
		    sizeof (sum->ls_first));
}

uint64_t
ll_passes(ll_t *ll)
{
	uint64_t n;

	mutex_enter(&ll->ll_lock);
	n = ll->ll_st.ls_passes;
	mutex_exit(&ll->ll_lock);
	return (n);
}

int
ll_progress(ll_t *ll, uint64_t n, int secs)
{
	hrtime_t end = gethrtime() + SEC2NSEC(secs);
	int rv = 0;

	mutex_enter(&ll->ll_lock);
	n += ll->ll_st.ls_passes;
	while (ll->ll_st.ls_passes < n) {
		if (gethrtime() >= end) {
			rv = ETIMEDOUT;
			break;
		}
		(void) cv_reltimedwait(&ll->ll_cv, &ll->ll_lock,
		    drv_usectohz(100000), TR_CLOCK_TICK);
	}
	mutex_exit(&ll->ll_lock);
	return (rv);
}

int
ll_abort_one(ll_t *ll, uint_t rnd)
{
	for (uint_t k = 0; k < ll->ll_qd; k++) {
		ll_slot_t *sl = &ll->ll_slots[(rnd + k) % ll->ll_qd];
		struct scsi_pkt *pkt;

		mutex_enter(&sl->sl_lock);
		pkt = sl->sl_done ? NULL : sl->sl_inflight;
		mutex_exit(&sl->sl_lock);
		if (pkt != NULL)
			return (scsi_abort(&pkt->pkt_address, pkt));
	}
	return (-1);
}

int
ll_verify(ll_t *ll)
{
	int bad = 0;

	for (uint_t i = 0; i < ll->ll_qd; i++) {
		ll_slot_t *sl = &ll->ll_slots[i];

		if (sl->sl_hung || sl->sl_seed == 0 || sl->sl_rpkt == NULL)
			continue;
		if (ll_check(sl, sl->sl_seed) != LL_OK)
			bad++;
	}
	return (bad);
}

int
ll_region(ll_t *ll, uint_t i, uint64_t *lba, size_t *len, uint64_t *seed)
{
	if (i >= ll->ll_qd)
		return (ENOENT);
	*lba = ll->ll_slots[i].sl_lba;
	*len = ll->ll_slots[i].sl_len;
	*seed = ll->ll_slots[i].sl_seed;
	return (0);
}

void
ll_free(ll_t *ll)
{
	ll_stop(ll);
	for (uint_t i = 0; i < ll->ll_qd; i++) {
		if (ll->ll_slots[i].sl_hung)
			return;		/* its packet may still complete */
	}
	for (uint_t i = 0; i < ll->ll_qd; i++) {
		ll_slot_t *sl = &ll->ll_slots[i];

		if (sl->sl_wpkt != NULL)
			scsi_destroy_pkt(sl->sl_wpkt);
		if (sl->sl_rpkt != NULL)
			scsi_destroy_pkt(sl->sl_rpkt);
		fk_scsi_buf_free(sl->sl_wb.b_un.b_addr, sl->sl_len);
		fk_scsi_buf_free(sl->sl_rb.b_un.b_addr, sl->sl_len);
		mutex_destroy(&sl->sl_lock);
		cv_destroy(&sl->sl_cv);
	}
	free(ll->ll_slots);
	mutex_destroy(&ll->ll_lock);
	cv_destroy(&ll->ll_cv);
	fk_scsi_lun_rele(ll->ll_lun);
	free(ll);
}

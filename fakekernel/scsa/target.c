/*
 * The target side of the SCSA framework (fk_scsi.h): the registry of
 * configured units with their arrival and departure events, and the
 * commands a test, the demo or the bench sends to them, built on
 * scsi_init_pkt(9F) and scsi_transport(9F) exactly as a target driver
 * would.
 */

#include <sys/scsi/scsi.h>
#include <sys/cmn_err.h>
#include <sys/debug.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <fk_impl.h>
#include <fk_scsi.h>
#include "scsa_impl.h"

#include <errno.h>
#include <string.h>

#define	FK_BLK_RETRIES	5
#define	FK_MAXWATCH	16

/* The registry: every published unit, in arrival order. */
static fk_lun_t *fk_reg_head, *fk_reg_tail;
static uint64_t fk_reg_events;
static kcondvar_t fk_reg_cv;
static int fk_reg_cv_ready;

typedef struct fk_watch {
	fk_scsi_watch_cb_t	w_cb;
	void			*w_arg;
} fk_watch_t;

static fk_watch_t fk_watches[FK_MAXWATCH];

static void
fk_reg_cv_init(void)
{
	ASSERT(MUTEX_HELD(&fk_scsa_reg_lock));
	if (!fk_reg_cv_ready) {
		cv_init(&fk_reg_cv, NULL, CV_DRIVER, NULL);
		fk_reg_cv_ready = 1;
	}
}

static void
fk_scsa_notify(fk_lun_t *l, int ev)
{
	fk_watch_t w[FK_MAXWATCH];
	int i;

	mutex_enter(&fk_scsa_reg_lock);
	bcopy(fk_watches, w, sizeof (w));
	mutex_exit(&fk_scsa_reg_lock);
	for (i = 0; i < FK_MAXWATCH; i++) {
		if (w[i].w_cb != NULL)
			w[i].w_cb(w[i].w_arg, l, ev);
	}
}

void
fk_scsa_publish(fk_lun_t *l)
{
	fk_lun_hold(l);
	mutex_enter(&fk_scsa_reg_lock);
	fk_reg_cv_init();
	l->l_published = 1;
	l->l_gnext = NULL;
	l->l_gprev = fk_reg_tail;
	if (fk_reg_tail != NULL)
		fk_reg_tail->l_gnext = l;
	else
		fk_reg_head = l;
	fk_reg_tail = l;
	fk_reg_events++;
	cv_broadcast(&fk_reg_cv);
	mutex_exit(&fk_scsa_reg_lock);
	fk_scsa_notify(l, FK_SCSI_EV_ARRIVE);
}

void
fk_scsa_unpublish(fk_lun_t *l)
{
	mutex_enter(&fk_scsa_reg_lock);
	ASSERT(l->l_published);
	if (l->l_gprev != NULL)
		l->l_gprev->l_gnext = l->l_gnext;
	else
		fk_reg_head = l->l_gnext;
	if (l->l_gnext != NULL)
		l->l_gnext->l_gprev = l->l_gprev;
	else
		fk_reg_tail = l->l_gprev;
	l->l_gnext = l->l_gprev = NULL;
	l->l_published = 0;
	fk_reg_events++;
	cv_broadcast(&fk_reg_cv);
	mutex_exit(&fk_scsa_reg_lock);
	fk_scsa_notify(l, FK_SCSI_EV_DEPART);
	fk_lun_rele(l);
}

/*
 * Enumeration and holds.
 */
int
fk_scsi_luns(dev_info_t *iport, const char *target, fk_lun_t **out,
    int max)
{
	fk_lun_t *l;
	int n = 0;

	fk_scsa_init();
	mutex_enter(&fk_scsa_reg_lock);
	for (l = fk_reg_head; l != NULL; l = l->l_gnext) {
		if (iport != NULL && l->l_iport != iport)
			continue;
		if (target != NULL && strcmp(l->l_target, target) != 0)
			continue;
		if (n < max) {
			fk_lun_hold(l);
			out[n] = l;
		}
		n++;
	}
	mutex_exit(&fk_scsa_reg_lock);
	return (n);
}

fk_lun_t *
fk_scsi_lun_find(dev_info_t *iport, const char *ua)
{
	fk_lun_t *l;

	fk_scsa_init();
	mutex_enter(&fk_scsa_reg_lock);
	for (l = fk_reg_head; l != NULL; l = l->l_gnext) {
		if ((iport == NULL || l->l_iport == iport) &&
		    strcmp(l->l_ua, ua) == 0) {
			fk_lun_hold(l);
			break;
		}
	}
	mutex_exit(&fk_scsa_reg_lock);
	return (l);
}

void
fk_scsi_lun_hold(fk_lun_t *l)
{
	fk_lun_hold(l);
}

void
fk_scsi_lun_rele(fk_lun_t *l)
{
	fk_lun_rele(l);
}

int
fk_scsi_lun_gone(fk_lun_t *l)
{
	int gone;

	mutex_enter(&l->l_lock);
	gone = l->l_gone;
	mutex_exit(&l->l_lock);
	return (gone);
}

int
fk_scsi_lun_open(fk_lun_t *l)
{
	int err = 0;

	mutex_enter(&l->l_lock);
	if (l->l_gone)
		err = ENXIO;
	else
		l->l_opens++;
	mutex_exit(&l->l_lock);
	return (err);
}

void
fk_scsi_lun_close(fk_lun_t *l)
{
	mutex_enter(&l->l_lock);
	if (l->l_opens == 0)
		panic("scsa: unit %s closed more often than opened", l->l_ua);
	l->l_opens--;
	mutex_exit(&l->l_lock);
}

struct scsi_device *
fk_scsi_lun_device(fk_lun_t *l)
{
	return (fk_scsi_lun_gone(l) ? NULL : &l->l_sd);
}

static void
fk_inq_string(char *dst, const char *src, size_t len)
{
	size_t i;

	bcopy(src, dst, len);
	dst[len] = '\0';
	for (i = len; i > 0 && (dst[i - 1] == ' ' || dst[i - 1] == '\0'); i--)
		dst[i - 1] = '\0';
}

int
fk_scsi_lun_info(fk_lun_t *l, fk_lun_info_t *li)
{
	const struct scsi_inquiry *inq =
	    (const struct scsi_inquiry *)(const void *)l->l_inq;
	char *ua;

	bzero(li, sizeof (*li));
	li->li_hba = l->l_hba;
	li->li_iport = l->l_iport;
	mutex_enter(&l->l_lock);
	li->li_gone = l->l_gone;
	li->li_dip = l->l_dip;
	li->li_sd = l->l_gone ? NULL : &l->l_sd;
	mutex_exit(&l->l_lock);
	if ((ua = scsi_hba_iport_unit_address(l->l_iport)) != NULL)
		(void) strlcpy(li->li_iport_ua, ua, sizeof (li->li_iport_ua));
	(void) strlcpy(li->li_target, l->l_target,
	    sizeof (li->li_target));
	(void) strlcpy(li->li_ua, l->l_ua, sizeof (li->li_ua));
	(void) strlcpy(li->li_nodename, l->l_nodename,
	    sizeof (li->li_nodename));
	li->li_lun = l->l_lun;
	li->li_dtype = inq->inq_dtype & DTYPE_MASK;
	bcopy(l->l_inq, li->li_inq, FK_SCSI_INQLEN);
	fk_inq_string(li->li_vid, inq->inq_vid, sizeof (inq->inq_vid));
	fk_inq_string(li->li_pid, inq->inq_pid, sizeof (inq->inq_pid));
	fk_inq_string(li->li_rev, inq->inq_revision,
	    sizeof (inq->inq_revision));
	li->li_cap_valid = l->l_cap_valid;
	li->li_nblocks = l->l_nblocks;
	li->li_blksize = l->l_blksize;
	return (0);
}

/*
 * Events.
 */
uint64_t
fk_scsi_events(void)
{
	uint64_t n;

	fk_scsa_init();
	mutex_enter(&fk_scsa_reg_lock);
	n = fk_reg_events;
	mutex_exit(&fk_scsa_reg_lock);
	return (n);
}

int
fk_scsi_wait_event(uint64_t since, hrtime_t timeout)
{
	hrtime_t end = gethrtime() + timeout, now;
	int rv = 0;

	fk_scsa_init();
	mutex_enter(&fk_scsa_reg_lock);
	fk_reg_cv_init();
	while (fk_reg_events <= since) {
		now = gethrtime();
		if (now >= end) {
			rv = ETIMEDOUT;
			break;
		}
		(void) cv_reltimedwait(&fk_reg_cv, &fk_scsa_reg_lock,
		    MAX(drv_usectohz(NSEC2USEC(end - now)), 1), TR_CLOCK_TICK);
	}
	mutex_exit(&fk_scsa_reg_lock);
	return (rv);
}

void *
fk_scsi_watch(fk_scsi_watch_cb_t cb, void *arg)
{
	int i;

	fk_scsa_init();
	mutex_enter(&fk_scsa_reg_lock);
	for (i = 0; i < FK_MAXWATCH; i++) {
		if (fk_watches[i].w_cb == NULL) {
			fk_watches[i].w_cb = cb;
			fk_watches[i].w_arg = arg;
			break;
		}
	}
	mutex_exit(&fk_scsa_reg_lock);
	return (i < FK_MAXWATCH ? &fk_watches[i] : NULL);
}

void
fk_scsi_unwatch(void *h)
{
	fk_watch_t *w = h;

	if (w == NULL)
		return;
	mutex_enter(&fk_scsa_reg_lock);
	w->w_cb = NULL;
	w->w_arg = NULL;
	mutex_exit(&fk_scsa_reg_lock);
}

/*
 * Synchronous commands.
 */
int
fk_scsi_cmd(fk_lun_t *l, fk_scsi_cmd_t *cmd)
{
	if (fk_scsi_lun_gone(l))
		return (ENXIO);
	return (fk_scsa_cmd_once(l, cmd));
}

void
fk_scsi_cdb_rw(fk_scsi_cmd_t *cmd, int dir, uint64_t lba, uint32_t nblks,
    uint32_t blksize)
{
	uchar_t *c = cmd->sc_cdb;
	int i;

	bzero(c, sizeof (cmd->sc_cdb));
	if (lba + nblks <= 0x100000000ull && nblks <= 0xffff) {
		c[0] = dir == FK_SCSI_DIR_READ ? SCMD_READ_G1 : SCMD_WRITE_G1;
		for (i = 0; i < 4; i++)
			c[2 + i] = (lba >> (24 - 8 * i)) & 0xff;
		c[7] = (nblks >> 8) & 0xff;
		c[8] = nblks & 0xff;
		cmd->sc_cdblen = CDB_GROUP1;
	} else {
		c[0] = dir == FK_SCSI_DIR_READ ? SCMD_READ_G4 : SCMD_WRITE_G4;
		for (i = 0; i < 8; i++)
			c[2 + i] = (lba >> (56 - 8 * i)) & 0xff;
		for (i = 0; i < 4; i++)
			c[10 + i] = (nblks >> (24 - 8 * i)) & 0xff;
		cmd->sc_cdblen = CDB_GROUP4;
	}
	cmd->sc_dir = dir;
	cmd->sc_buflen = (size_t)nblks * blksize;
}

static int
fk_blk_check(fk_lun_t *l, uint64_t lba, uint32_t nblks)
{
	if (fk_scsi_lun_gone(l))
		return (ENXIO);
	if (!l->l_cap_valid || l->l_blksize == 0)
		return (ENOTSUP);
	if (nblks == 0 || lba >= l->l_nblocks || nblks > l->l_nblocks - lba)
		return (EINVAL);
	return (0);
}

static int
fk_blk_io(fk_lun_t *l, int dir, uint64_t lba, uint32_t nblks, void *buf,
    fk_scsi_status_t *st)
{
	fk_scsi_cmd_t cmd;
	int rv;

	if ((rv = fk_blk_check(l, lba, nblks)) != 0)
		return (rv);
	bzero(&cmd, sizeof (cmd));
	fk_scsi_cdb_rw(&cmd, dir, lba, nblks, l->l_blksize);
	cmd.sc_buf = buf;
	rv = fk_scsa_cmd_retry(l, &cmd, FK_BLK_RETRIES);
	if (rv == 0 && cmd.sc_res.ss_resid != 0)
		rv = EIO;
	if (st != NULL)
		*st = cmd.sc_res;
	return (rv);
}

int
fk_scsi_read(fk_lun_t *l, uint64_t lba, uint32_t nblks, void *buf,
    fk_scsi_status_t *st)
{
	return (fk_blk_io(l, FK_SCSI_DIR_READ, lba, nblks, buf, st));
}

int
fk_scsi_write(fk_lun_t *l, uint64_t lba, uint32_t nblks, const void *buf,
    fk_scsi_status_t *st)
{
	return (fk_blk_io(l, FK_SCSI_DIR_WRITE, lba, nblks, (void *)buf, st));
}

/* VERIFY (10/16); with a buffer, BYTCHK=1 compares the data sent. */
int
fk_scsi_verify(fk_lun_t *l, uint64_t lba, uint32_t nblks, const void *buf,
    fk_scsi_status_t *st)
{
	fk_scsi_cmd_t cmd;
	uchar_t *c = cmd.sc_cdb;
	int rv, i;

	if ((rv = fk_blk_check(l, lba, nblks)) != 0)
		return (rv);
	bzero(&cmd, sizeof (cmd));
	if (lba + nblks <= 0x100000000ull && nblks <= 0xffff) {
		c[0] = SCMD_VERIFY;
		for (i = 0; i < 4; i++)
			c[2 + i] = (lba >> (24 - 8 * i)) & 0xff;
		c[7] = (nblks >> 8) & 0xff;
		c[8] = nblks & 0xff;
		cmd.sc_cdblen = CDB_GROUP1;
	} else {
		c[0] = SCMD_VERIFY_G4;
		for (i = 0; i < 8; i++)
			c[2 + i] = (lba >> (56 - 8 * i)) & 0xff;
		for (i = 0; i < 4; i++)
			c[10 + i] = (nblks >> (24 - 8 * i)) & 0xff;
		cmd.sc_cdblen = CDB_GROUP4;
	}
	if (buf != NULL) {
		c[1] = 0x02;		/* BYTCHK */
		cmd.sc_buf = (void *)buf;
		cmd.sc_buflen = (size_t)nblks * l->l_blksize;
		cmd.sc_dir = FK_SCSI_DIR_WRITE;
	}
	rv = fk_scsa_cmd_retry(l, &cmd, FK_BLK_RETRIES);
	if (st != NULL)
		*st = cmd.sc_res;
	return (rv);
}

int
fk_scsi_tur(fk_lun_t *l, fk_scsi_status_t *st)
{
	fk_scsi_cmd_t cmd;
	int rv;

	if (fk_scsi_lun_gone(l))
		return (ENXIO);
	bzero(&cmd, sizeof (cmd));
	cmd.sc_cdb[0] = SCMD_TEST_UNIT_READY;
	cmd.sc_cdblen = CDB_GROUP0;
	rv = fk_scsa_cmd_retry(l, &cmd, FK_BLK_RETRIES);
	if (st != NULL)
		*st = cmd.sc_res;
	return (rv);
}

/*
 * Asynchronous commands.
 */
/* What an asynchronous packet carries in pkt_private. */
typedef struct fk_async {
	fk_scsi_cmd_t	*as_cmd;
	struct buf	*as_bp;
	fk_lun_t	*as_lun;
} fk_async_t;

static void
fk_async_done(struct scsi_pkt *pkt)
{
	fk_async_t as = *(fk_async_t *)pkt->pkt_private;
	fk_scsi_cmd_t *cmd = as.as_cmd;
	fk_lun_t *l = as.as_lun;

	fk_scsa_cmd_result(pkt, cmd);
	cmd->sc_error = (cmd->sc_res.ss_reason == CMD_CMPLT &&
	    (cmd->sc_res.ss_status & STATUS_MASK) == STATUS_GOOD) ? 0 : EIO;
	fk_lun_hold(l);
	scsi_destroy_pkt(pkt);
	if (as.as_bp != NULL)
		freerbuf(as.as_bp);
	mutex_enter(&l->l_lock);
	l->l_inflight--;
	l->l_cbactive++;
	cv_broadcast(&l->l_cv);
	mutex_exit(&l->l_lock);
	if (cmd->sc_done != NULL)
		cmd->sc_done(cmd, cmd->sc_arg);
	mutex_enter(&l->l_lock);
	l->l_cbactive--;
	cv_broadcast(&l->l_cv);
	mutex_exit(&l->l_lock);
	fk_lun_rele(l);
}

int
fk_scsi_submit(fk_lun_t *l, fk_scsi_cmd_t *cmd)
{
	struct scsi_pkt *pkt;
	struct buf *bp = NULL;
	fk_async_t *as;
	int nowait = fk_scsa_in_comp() || fk_in_intr();
	int rv, tries;

	if (cmd->sc_cdblen == 0 || cmd->sc_cdblen > sizeof (cmd->sc_cdb) ||
	    (cmd->sc_buflen != 0 && (cmd->sc_buf == NULL ||
	    cmd->sc_dir == FK_SCSI_DIR_NONE)))
		return (EINVAL);
	mutex_enter(&l->l_lock);
	while (!l->l_gone && l->l_inflight >= l->l_depth) {
		if (nowait) {
			mutex_exit(&l->l_lock);
			return (EWOULDBLOCK);
		}
		cv_wait(&l->l_cv, &l->l_lock);
	}
	if (l->l_gone) {
		mutex_exit(&l->l_lock);
		return (ENXIO);
	}
	l->l_inflight++;
	mutex_exit(&l->l_lock);

	bzero(&cmd->sc_res, sizeof (cmd->sc_res));
	cmd->sc_error = 0;
	if (cmd->sc_buflen != 0) {
		bp = getrbuf(nowait ? KM_NOSLEEP : KM_SLEEP);
		if (bp == NULL) {
			rv = ENOMEM;
			goto fail;
		}
		bp->b_un.b_addr = cmd->sc_buf;
		bp->b_bcount = cmd->sc_buflen;
		bp->b_flags = B_BUSY | (cmd->sc_dir == FK_SCSI_DIR_READ ?
		    B_READ : B_WRITE);
	}
	pkt = scsi_init_pkt(&l->l_sd.sd_address, NULL, bp, cmd->sc_cdblen,
	    sizeof (struct scsi_arq_status), sizeof (fk_async_t), 0,
	    nowait ? NULL_FUNC : SLEEP_FUNC, NULL);
	if (pkt == NULL) {
		rv = (bp != NULL && bp->b_error != 0) ? bp->b_error : ENOMEM;
		goto fail;
	}
	if (pkt->pkt_resid != 0) {
		rv = EINVAL;
		goto fail_pkt;
	}
	as = (fk_async_t *)pkt->pkt_private;
	as->as_cmd = cmd;
	as->as_bp = bp;
	as->as_lun = l;
	bcopy(cmd->sc_cdb, pkt->pkt_cdbp, cmd->sc_cdblen);
	pkt->pkt_time = cmd->sc_timeout > 0 ? cmd->sc_timeout : 60;
	pkt->pkt_flags = cmd->sc_flags & ~FLAG_NOINTR;
	pkt->pkt_comp = fk_async_done;
	for (tries = 0; ; tries++) {
		rv = scsi_transport(pkt);
		if (rv != TRAN_BUSY || nowait || tries >= 500)
			break;
		delay(drv_usectohz(1000));
	}
	if (rv == TRAN_ACCEPT)
		return (0);
	rv = rv == TRAN_BUSY ? EAGAIN : (fk_scsi_lun_gone(l) ? ENXIO : EIO);
fail_pkt:
	scsi_destroy_pkt(pkt);
fail:
	if (bp != NULL)
		freerbuf(bp);
	mutex_enter(&l->l_lock);
	l->l_inflight--;
	cv_broadcast(&l->l_cv);
	mutex_exit(&l->l_lock);
	return (rv);
}

int
fk_scsi_drain(fk_lun_t *l, hrtime_t timeout)
{
	hrtime_t end = gethrtime() + timeout, now;
	int rv = 0;

	mutex_enter(&l->l_lock);
	while (l->l_inflight != 0 || l->l_cbactive != 0) {
		now = gethrtime();
		if (now >= end) {
			rv = ETIMEDOUT;
			break;
		}
		(void) cv_reltimedwait(&l->l_cv, &l->l_lock,
		    MAX(drv_usectohz(NSEC2USEC(end - now)), 1), TR_CLOCK_TICK);
	}
	mutex_exit(&l->l_lock);
	return (rv);
}

uint_t
fk_scsi_set_depth(fk_lun_t *l, uint_t depth)
{
	uint_t old;

	mutex_enter(&l->l_lock);
	old = l->l_depth;
	if (depth > 0)
		l->l_depth = depth;
	cv_broadcast(&l->l_cv);
	mutex_exit(&l->l_lock);
	return (old);
}

/*
 * Accounting.
 */
static void
fk_stats_copy(const fk_scsi_stats_t *src, fk_scsi_stats_t *dst)
{
	dst->st_started = FK_ATOMIC_LOAD(&src->st_started);
	dst->st_completed = FK_ATOMIC_LOAD(&src->st_completed);
	dst->st_outstanding = FK_ATOMIC_LOAD(&src->st_outstanding);
	dst->st_busy = FK_ATOMIC_LOAD(&src->st_busy);
	dst->st_retries = FK_ATOMIC_LOAD(&src->st_retries);
	dst->st_errors = FK_ATOMIC_LOAD(&src->st_errors);
}

void
fk_scsi_lun_stats(fk_lun_t *l, fk_scsi_stats_t *st)
{
	fk_stats_copy(&l->l_stats, st);
}

void
fk_scsi_stats(fk_scsi_stats_t *st)
{
	fk_stats_copy(&fk_scsa_stats, st);
}

void *
fk_scsi_buf_alloc(size_t len)
{
	return (kmem_zalloc(len, KM_SLEEP));
}

void
fk_scsi_buf_free(void *buf, size_t len)
{
	kmem_free(buf, len);
}

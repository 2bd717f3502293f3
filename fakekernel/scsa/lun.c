/*
 * SCSA logical units: the scsi_device(9S) of each unit, its child node,
 * tran_tgt_init(9E)/tran_tgt_free(9E), probing (scsi_hba_probe(9F)) and
 * LUN discovery for a target of a target map.
 *
 * Discovery of a target (from the target map's worker thread):
 *   1. REPORT LUNS through LUN 0: the configured LUN 0 when there is one,
 *      else a "probe" node at "target,0" (tran_tgt_init'ed for the
 *      purpose).  If REPORT LUNS fails, a first discovery falls back to
 *      LUN 0 alone; a rescan changes nothing.
 *   2. Each listed LUN not yet configured is probed: INQUIRY through
 *      tran_tgt_probe (or scsi_hba_probe) on a probe node; one whose
 *      peripheral qualifier is not 0 (not connected, or DTYPE_NOTPRESENT)
 *      is skipped.  Probe nodes are torn down (tran_tgt_free) before the
 *      real ones are made, so the HBA never sees two nodes at one
 *      address.
 *   3. Each present LUN gets its node (named from its device type:
 *      "disk" for DTYPE_DIRECT ...) at unit address "target,lun" (lun in
 *      hex) and tran_tgt_init; a failed tran_tgt_init removes the node.
 *      Direct-access units are sized with READ CAPACITY (10, then 16 when
 *      the capacity does not fit), retrying unit attentions as sd does.
 *      Then the unit is published to the target-side API.
 *   4. On a rescan, configured LUNs missing from the report are removed.
 * Removing a unit: it is marked gone (new packets are refused), its
 * packets in transport drain (their completions come from the HBA),
 * then tran_tgt_free, then the node goes.
 *
 * This is illumos's probe-node scheme: each LUN's first tran_tgt_init is
 * for its probe, the second for its node.
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
#include <stddef.h>
#include <string.h>

#define	FK_LUN_MAX		512	/* LUNs per target we consider */
#define	FK_RETRIES		5
#define	FK_DEFAULT_DEPTH	16

CTASSERT(sizeof (struct scsi_inquiry) == FK_SCSI_INQLEN);

/*
 * References and the gate to transport.
 */
void
fk_lun_hold(fk_lun_t *l)
{
	__atomic_add_fetch(&l->l_refs, 1, __ATOMIC_ACQ_REL);
}

void
fk_lun_free(fk_lun_t *l)
{
	if (l->l_sd.sd_inq != NULL)
		kmem_free(l->l_sd.sd_inq, sizeof (struct scsi_inquiry));
	mutex_destroy(&l->l_sd.sd_mutex);
	mutex_destroy(&l->l_lock);
	cv_destroy(&l->l_cv);
	l->l_kind = 0;
	kmem_free(l, sizeof (*l));
}

void
fk_lun_rele(fk_lun_t *l)
{
	uint32_t n = __atomic_sub_fetch(&l->l_refs, 1, __ATOMIC_ACQ_REL);

	if (n == UINT32_MAX)
		panic("scsa: unit %s released more often than held", l->l_ua);
	if (n == 0)
		fk_lun_free(l);
}

/*
 * A packet may go to the HBA: count it, unless the unit is gone.  No
 * lock (every packet passes here): the count goes up before l_gone is
 * read, and fk_lun_destroy() sets l_gone before it reads the count, so
 * one of them sees the other (both sequentially consistent); the last
 * packet out of a departing unit wakes its destroyer under l_lock.
 */
int
fk_lun_enter(fk_lun_t *l)
{
	__atomic_add_fetch(&l->l_outstanding, 1, __ATOMIC_SEQ_CST);
	if (__builtin_expect(__atomic_load_n(&l->l_gone, __ATOMIC_SEQ_CST),
	    0)) {
		fk_lun_exit(l);
		return (0);
	}
	return (1);
}

void
fk_lun_exit(fk_lun_t *l)
{
	uint64_t n = __atomic_sub_fetch(&l->l_outstanding, 1,
	    __ATOMIC_SEQ_CST);

	ASSERT(n != UINT64_MAX);
	if (n == 0 && __atomic_load_n(&l->l_gone, __ATOMIC_SEQ_CST)) {
		mutex_enter(&l->l_lock);
		cv_broadcast(&l->l_cv);
		mutex_exit(&l->l_lock);
	}
}

/*
 * The unit behind a scsi_address: the scsi_device it belongs to
 * (a.a_sd with SCSI_HBA_ADDR_COMPLEX, else the address embedded in it).
 */
fk_lun_t *
fk_lun_from_addr(struct scsi_address *ap)
{
	struct scsi_device *sd;
	fk_lun_t *l;

	if (ap->a_hba_tran->tran_hba_flags & SCSI_HBA_ADDR_COMPLEX)
		sd = ap->a.a_sd;
	else
		sd = (struct scsi_device *)(void *)((char *)ap -
		    offsetof(struct scsi_device, sd_address));
	if (sd == NULL || (l = fk_lun_of_sd(sd))->l_kind != FK_SN_LUN)
		return (NULL);
	return (l);
}

/*
 * SCSI_HBA_ADDR_COMPLEX interfaces (scsi_address_device(9F),
 * scsi_device_hba_private_get(9F), scsi_device_unit_address(9F)).
 */
static void
fk_need_complex(scsi_hba_tran_t *tran, const char *what)
{
	if (tran == NULL || !(tran->tran_hba_flags & SCSI_HBA_ADDR_COMPLEX))
		panic("%s: the HBA did not ask for SCSI_HBA_ADDR_COMPLEX",
		    what);
}

struct scsi_device *
scsi_address_device(struct scsi_address *ap)
{
	fk_need_complex(ap->a_hba_tran, "scsi_address_device");
	return (ap->a.a_sd);
}

void *
scsi_device_hba_private_get(struct scsi_device *sd)
{
	fk_need_complex(sd->sd_address.a_hba_tran,
	    "scsi_device_hba_private_get");
	return (sd->sd_hba_private);
}

void
scsi_device_hba_private_set(struct scsi_device *sd, void *data)
{
	fk_need_complex(sd->sd_address.a_hba_tran,
	    "scsi_device_hba_private_set");
	sd->sd_hba_private = data;
}

char *
scsi_device_unit_address(struct scsi_device *sd)
{
	fk_lun_t *l = fk_lun_of_sd(sd);

	if (l->l_kind != FK_SN_LUN)
		return (NULL);
	return (l->l_ua);
}

/*
 * Node names by peripheral device type (the IEEE 1275 SCSI binding's
 * generic names).
 */
const char *
fk_dtype_nodename(uint_t dtype)
{
	static const char *names[] = {
		"disk", "tape", "printer", "processor", "worm", "cdrom",
		"scanner", "optical-disk", "changer", "comm", NULL, NULL,
		"array-controller", "enclosure", "disk", "card-reader",
		"bridge", "object-store"
	};

	if (dtype < sizeof (names) / sizeof (names[0]) &&
	    names[dtype] != NULL)
		return (names[dtype]);
	return ("device");
}

/*
 * A unit's structure and scsi_device, not yet on a node: tran is the tran
 * its scsi_address names (an HBA's, an iport's or a clone), iport the
 * node its children hang from (the HBA's own node when it has no
 * iports), tgt the target address (hex for a SPI address).
 */
fk_lun_t *
fk_lun_alloc(scsi_hba_tran_t *tran, dev_info_t *iport, dev_info_t *hba,
    const char *tgt, uint64_t lunno, const char *nodename, int probe,
    const uchar_t *inq)
{
	struct scsi_device *sd;
	unsigned long tnum;
	fk_lun_t *l;

	l = kmem_zalloc(sizeof (*l), KM_SLEEP);
	l->l_kind = FK_SN_LUN;
	l->l_tran = tran;
	l->l_iport = iport;
	l->l_hba = hba;
	l->l_lun = lunno;
	l->l_probe = probe;
	l->l_refs = 1;
	l->l_depth = FK_DEFAULT_DEPTH;
	(void) strlcpy(l->l_target, tgt, sizeof (l->l_target));
	(void) snprintf(l->l_ua, sizeof (l->l_ua), "%s,%llx", tgt,
	    (unsigned long long)lunno);
	(void) strlcpy(l->l_nodename, nodename, sizeof (l->l_nodename));
	mutex_init(&l->l_lock, "scsa unit", MUTEX_DRIVER,
	    (void *)(uintptr_t)DDI_IPL_10);
	cv_init(&l->l_cv, NULL, CV_DRIVER, NULL);

	sd = &l->l_sd;
	mutex_init(&sd->sd_mutex, NULL, MUTEX_DRIVER, NULL);
	sd->sd_address.a_hba_tran = tran;
	if (tran->tran_hba_flags & SCSI_HBA_ADDR_COMPLEX) {
		sd->sd_address.a.a_sd = sd;
	} else {
		if (ddi_strtoul(tgt, NULL, 16, &tnum) != 0)
			tnum = 0;
		sd->sd_address.a_target = (ushort_t)tnum;
		sd->sd_address.a_lun = (uchar_t)lunno;
	}
	if (inq != NULL) {
		bcopy(inq, l->l_inq, FK_SCSI_INQLEN);
		sd->sd_inq = kmem_alloc(sizeof (struct scsi_inquiry), KM_SLEEP);
		bcopy(inq, sd->sd_inq, sizeof (struct scsi_inquiry));
	}
	return (l);
}

/*
 * Make a unit of a target map: its scsi_device, its node and
 * tran_tgt_init.  NULL when the node cannot be made or tran_tgt_init
 * fails (the node is removed).
 */
static fk_lun_t *
fk_lun_create(fk_tgtmap_t *tm, fk_tgt_t *t, uint64_t lunno,
    const char *nodename, int probe, const uchar_t *inq)
{
	scsi_hba_tran_t *tran = tm->tm_tran;
	dev_info_t *dip;
	fk_lun_t *l;

	l = fk_lun_alloc(tran, tm->tm_iport, ddi_get_parent(tm->tm_iport),
	    t->t_addr, lunno, nodename, probe, inq);
	l->l_tm = tm;
	l->l_tgt = t;
	if ((dip = fk_devi_alloc(tm->tm_iport, nodename, l->l_ua)) == NULL) {
		fk_lun_free(l);
		return (NULL);
	}
	(void) ddi_prop_update_string(DDI_DEV_T_NONE, dip, "target-port",
	    t->t_addr);
	(void) ddi_prop_update_int64(DDI_DEV_T_NONE, dip, "lun64",
	    (int64_t)lunno);
	(void) ddi_prop_update_int(DDI_DEV_T_NONE, dip, "lun", (int)lunno);
	DEVI(dip)->devi_scsa = l;
	l->l_dip = dip;
	l->l_sd.sd_dev = dip;

	if (tran->tran_tgt_init != NULL && tran->tran_tgt_init(tm->tm_iport,
	    dip, tran, &l->l_sd) != DDI_SUCCESS) {
		DEVI(dip)->devi_scsa = NULL;
		fk_devi_free(dip);
		fk_lun_free(l);
		return (NULL);
	}
	l->l_inited = 1;
	return (l);
}

/*
 * A unit departs: refuse new packets, wait for those in transport, leave
 * the target side, then tran_tgt_free.  Its node stays (the caller's).
 */
void
fk_lun_depart(fk_lun_t *l)
{
	scsi_hba_tran_t *tran = l->l_tran;
	hrtime_t start = gethrtime();
	int warned = 0;

	mutex_enter(&l->l_lock);
	__atomic_store_n(&l->l_gone, 1, __ATOMIC_SEQ_CST);
	cv_broadcast(&l->l_cv);
	while (__atomic_load_n(&l->l_outstanding, __ATOMIC_SEQ_CST) > 0) {
		(void) cv_reltimedwait(&l->l_cv, &l->l_lock,
		    drv_usectohz(MICROSEC), TR_CLOCK_TICK);
		if (!warned && l->l_outstanding > 0 &&
		    gethrtime() - start > SEC2NSEC(30)) {
			cmn_err(CE_WARN, "scsa: unit %s departing: %llu "
			    "packet(s) still in transport after 30 s", l->l_ua,
			    (unsigned long long)l->l_outstanding);
			warned = 1;
		}
	}
	mutex_exit(&l->l_lock);

	if (l->l_published)
		fk_scsa_unpublish(l);
	if (l->l_inited && tran->tran_tgt_free != NULL)
		tran->tran_tgt_free(l->l_iport, l->l_dip, tran, &l->l_sd);
	l->l_inited = 0;
}

/*
 * Start the departure of a unit nobody uses, as a target driver's
 * detach(9E) succeeds only when its unit is closed and has no commands:
 * 1 and the unit marked gone (new packets refused; fk_lun_depart() does
 * the rest), or 0 when it is open or has commands queued or with the
 * HBA.  A command counts until its completion is handed back to the
 * target (st_outstanding drops before pkt_comp runs, as sd's count of
 * commands in the driver drops before the issuer is woken), not until
 * pkt_comp returns (l_outstanding, which a departure drains).  Opens are
 * counted under l_lock, which is held here, so none slips in between.
 */
int
fk_lun_depart_idle(fk_lun_t *l)
{
	int idle;

	mutex_enter(&l->l_lock);
	idle = l->l_opens == 0 && l->l_inflight == 0 &&
	    __atomic_load_n(&l->l_stats.st_outstanding, __ATOMIC_SEQ_CST) ==
	    0;
	if (idle)
		__atomic_store_n(&l->l_gone, 1, __ATOMIC_SEQ_CST);
	mutex_exit(&l->l_lock);
	return (idle);
}

/*
 * Remove a unit of a target map and its node.  Drops the creator's
 * reference.
 */
static void
fk_lun_destroy(fk_lun_t *l)
{
	dev_info_t *dip = l->l_dip;

	fk_lun_depart(l);
	mutex_enter(&l->l_lock);
	l->l_dip = NULL;
	l->l_sd.sd_dev = NULL;
	mutex_exit(&l->l_lock);
	DEVI(dip)->devi_scsa = NULL;
	fk_devi_free(dip);
	fk_lun_rele(l);
}

/*
 * Commands for the framework and the target-side API.
 */
typedef struct fk_waiter {
	kmutex_t	w_lock;
	kcondvar_t	w_cv;
	int		w_done;
} fk_waiter_t;

static void
fk_cmd_done(struct scsi_pkt *pkt)
{
	fk_waiter_t *w = *(fk_waiter_t **)pkt->pkt_private;

	mutex_enter(&w->w_lock);
	w->w_done = 1;
	cv_broadcast(&w->w_cv);
	mutex_exit(&w->w_lock);
}

/* The outcome of a completed packet, into a command. */
void
fk_scsa_cmd_result(struct scsi_pkt *pkt, fk_scsi_cmd_t *cmd)
{
	fk_scsi_status_t *res = &cmd->sc_res;
	struct scsi_arq_status *arq;
	size_t avail, off = offsetof(struct scsi_arq_status, sts_sensedata);
	size_t scblen = fk_pkt_scblen(pkt);

	res->ss_status = (pkt->pkt_scbp != NULL && scblen > 0) ?
	    *pkt->pkt_scbp : 0;
	res->ss_reason = pkt->pkt_reason;
	res->ss_state = pkt->pkt_state;
	res->ss_statistics = pkt->pkt_statistics;
	res->ss_resid = pkt->pkt_resid;
	res->ss_latency = fk_pkt_latency(pkt);
	res->ss_senselen = 0;
	res->ss_key = res->ss_asc = res->ss_ascq = 0;
	if ((pkt->pkt_state & STATE_ARQ_DONE) && pkt->pkt_scbp != NULL &&
	    scblen >= sizeof (struct scsi_arq_status)) {
		arq = (struct scsi_arq_status *)(void *)pkt->pkt_scbp;
		avail = MIN(scblen - off, FK_SCSI_SENSELEN);
		if (arq->sts_rqpkt_resid < avail)
			avail -= arq->sts_rqpkt_resid;
		else
			avail = 0;
		bcopy(&arq->sts_sensedata, res->ss_sense, avail);
		res->ss_senselen = (uint_t)avail;
		if (avail >= 3) {
			res->ss_key = scsi_sense_key(res->ss_sense);
			res->ss_asc = scsi_sense_asc(res->ss_sense);
			res->ss_ascq = scsi_sense_ascq(res->ss_sense);
		}
	}
}

static int
fk_cmd_good(fk_scsi_cmd_t *cmd)
{
	return (cmd->sc_res.ss_reason == CMD_CMPLT &&
	    (cmd->sc_res.ss_status & STATUS_MASK) == STATUS_GOOD);
}

/*
 * One attempt: allocate, transport (riding out TRAN_BUSY for a while),
 * wait, collect, destroy.
 */
int
fk_scsa_cmd_once(fk_lun_t *l, fk_scsi_cmd_t *cmd)
{
	struct scsi_pkt *pkt;
	struct buf b, *bp = NULL;
	fk_waiter_t w;
	hrtime_t start;
	int rv, tries, warned = 0, polled;

	fk_assert_may_block("a synchronous SCSI command");
	if (cmd->sc_cdblen == 0 || cmd->sc_cdblen > sizeof (cmd->sc_cdb) ||
	    (cmd->sc_buflen != 0 && cmd->sc_buf == NULL) ||
	    (cmd->sc_buflen != 0 && cmd->sc_dir == FK_SCSI_DIR_NONE))
		return (EINVAL);
	bzero(&cmd->sc_res, sizeof (cmd->sc_res));
	if (cmd->sc_buflen != 0) {
		bioinit(&b);
		b.b_un.b_addr = cmd->sc_buf;
		b.b_bcount = cmd->sc_buflen;
		b.b_flags = B_BUSY | (cmd->sc_dir == FK_SCSI_DIR_READ ?
		    B_READ : B_WRITE);
		bp = &b;
	}
	pkt = scsi_init_pkt(&l->l_sd.sd_address, NULL, bp, cmd->sc_cdblen,
	    sizeof (struct scsi_arq_status), sizeof (fk_waiter_t *), 0,
	    SLEEP_FUNC, NULL);
	if (pkt == NULL) {
		if (bp != NULL && bp->b_error != 0)
			return (bp->b_error == EINVAL ? EINVAL : EFAULT);
		return (ENOMEM);
	}
	if (pkt->pkt_resid != 0) {
		scsi_destroy_pkt(pkt);
		return (EINVAL);
	}
	mutex_init(&w.w_lock, NULL, MUTEX_DRIVER, NULL);
	cv_init(&w.w_cv, NULL, CV_DRIVER, NULL);
	w.w_done = 0;
	*(fk_waiter_t **)pkt->pkt_private = &w;
	bcopy(cmd->sc_cdb, pkt->pkt_cdbp, cmd->sc_cdblen);
	pkt->pkt_time = cmd->sc_timeout > 0 ? cmd->sc_timeout : 60;
	pkt->pkt_flags = cmd->sc_flags;
	pkt->pkt_comp = fk_cmd_done;
	polled = (cmd->sc_flags & FLAG_NOINTR) != 0;

	for (tries = 0; ; tries++) {
		rv = scsi_transport(pkt);
		cmd->sc_res.ss_tran = rv;
		if (rv != TRAN_BUSY || tries >= 500)
			break;
		delay(drv_usectohz(1000));
	}
	if (rv != TRAN_ACCEPT) {
		scsi_destroy_pkt(pkt);
		mutex_destroy(&w.w_lock);
		cv_destroy(&w.w_cv);
		if (rv == TRAN_BUSY)
			return (EAGAIN);
		if (rv == TRAN_BADPKT)
			return (EINVAL);
		return (fk_scsi_lun_gone(l) ? ENXIO : EIO);
	}
	if (!polled) {
		start = gethrtime();
		mutex_enter(&w.w_lock);
		while (!w.w_done) {
			(void) cv_reltimedwait(&w.w_cv, &w.w_lock,
			    drv_usectohz(MICROSEC), TR_CLOCK_TICK);
			if (!w.w_done && !warned && gethrtime() - start >
			    SEC2NSEC(pkt->pkt_time + 30)) {
				cmn_err(CE_WARN, "scsa: packet %p to %s (CDB "
				    "0x%02x) not completed %d s after its "
				    "pkt_time", (void *)pkt, l->l_ua,
				    cmd->sc_cdb[0], 30);
				warned = 1;
			}
		}
		mutex_exit(&w.w_lock);
	}
	fk_scsa_cmd_result(pkt, cmd);
	scsi_destroy_pkt(pkt);
	mutex_destroy(&w.w_lock);
	cv_destroy(&w.w_cv);
	return (fk_cmd_good(cmd) ? 0 : EIO);
}

/*
 * sd-like retries: unit attentions, BUSY and QUEUE FULL, a unit becoming
 * ready, aborted commands and transport failures, up to max times.
 */
int
fk_scsa_cmd_retry(fk_lun_t *l, fk_scsi_cmd_t *cmd, int max)
{
	fk_scsi_status_t *res = &cmd->sc_res;
	uint_t retries = 0;
	clock_t pause;
	int rv, again;

	for (;;) {
		rv = fk_scsa_cmd_once(l, cmd);
		if (rv != EIO && rv != EAGAIN)
			break;
		again = 0;
		pause = 0;
		if (rv == EAGAIN) {
			again = 1;
		} else if (res->ss_reason == CMD_DEV_GONE) {
			rv = ENXIO;
			break;
		} else if (res->ss_reason != CMD_CMPLT) {
			again = 1;
			pause = drv_usectohz(10000);
		} else if ((res->ss_status & STATUS_MASK) == STATUS_BUSY ||
		    (res->ss_status & STATUS_MASK) == STATUS_QFULL) {
			again = 1;
			pause = drv_usectohz(10000);
		} else if ((res->ss_status & STATUS_MASK) == STATUS_CHECK &&
		    res->ss_senselen >= 3) {
			if (res->ss_key == KEY_UNIT_ATTENTION ||
			    res->ss_key == KEY_ABORTED_COMMAND) {
				again = 1;
			} else if (res->ss_key == KEY_NOT_READY &&
			    res->ss_asc == 0x04 && res->ss_ascq == 0x01) {
				again = 1;
				pause = drv_usectohz(100000);
			}
		}
		if (!again || retries >= (uint_t)max)
			break;
		retries++;
		FK_ATOMIC_INC(&l->l_stats.st_retries);
		FK_ATOMIC_INC(&fk_scsa_stats.st_retries);
		if (pause != 0)
			delay(pause);
	}
	res->ss_retries = retries;
	return (rv);
}

/*
 * scsi_hba_probe(9F): INQUIRY into sd_inq.
 */
int
scsi_hba_probe(struct scsi_device *sd, int (*callback)(void))
{
	fk_lun_t *l;
	struct scsi_inquiry *inq;
	fk_scsi_cmd_t cmd;
	int rv;

	if (sd == NULL || (l = fk_lun_of_sd(sd))->l_kind != FK_SN_LUN)
		return (SCSIPROBE_FAILURE);
	if (sd->sd_inq == NULL) {
		sd->sd_inq = kmem_zalloc(sizeof (struct scsi_inquiry),
		    callback == SLEEP_FUNC ? KM_SLEEP : KM_NOSLEEP);
		if (sd->sd_inq == NULL)
			return (SCSIPROBE_NOMEM);
	}
	inq = sd->sd_inq;
	bzero(&cmd, sizeof (cmd));
	cmd.sc_cdb[0] = SCMD_INQUIRY;
	cmd.sc_cdb[4] = sizeof (struct scsi_inquiry);
	cmd.sc_cdblen = CDB_GROUP0;
	cmd.sc_buf = inq;
	cmd.sc_buflen = sizeof (struct scsi_inquiry);
	cmd.sc_dir = FK_SCSI_DIR_READ;
	cmd.sc_timeout = 10;
	rv = fk_scsa_cmd_retry(l, &cmd, FK_RETRIES);
	switch (rv) {
	case 0:
		break;
	case EAGAIN:
		return (SCSIPROBE_BUSY);
	case ENOMEM:
		return (SCSIPROBE_NOMEM);
	case EIO:
		return (cmd.sc_res.ss_reason == CMD_CMPLT ?
		    SCSIPROBE_FAILURE : SCSIPROBE_NORESP);
	default:
		return (SCSIPROBE_NORESP);
	}
	if (cmd.sc_buflen - cmd.sc_res.ss_resid < 5)
		return (SCSIPROBE_NONCCS);
	if ((inq->inq_dtype & (DPQ_VUNIQ | DPQ_MASK)) != DPQ_POSSIBLE)
		return (SCSIPROBE_NORESP);
	return (SCSIPROBE_EXISTS);
}

int
fk_lun_probe(fk_lun_t *p, uchar_t *inq)
{
	scsi_hba_tran_t *tran = p->l_tran;
	struct scsi_device *sd = &p->l_sd;
	int rv;

	rv = tran->tran_tgt_probe != NULL ?
	    tran->tran_tgt_probe(sd, NULL_FUNC) : scsi_hba_probe(sd, NULL_FUNC);
	if (rv != SCSIPROBE_EXISTS || sd->sd_inq == NULL)
		return (0);
	bcopy(sd->sd_inq, inq, FK_SCSI_INQLEN);
	return (1);
}

/*
 * REPORT LUNS: the LUN numbers, decoded from peripheral or flat
 * single-level addressing.  0, or an errno.
 */
static int
fk_report_luns(fk_lun_t *l, uint64_t *luns, uint_t *np)
{
	fk_scsi_cmd_t cmd;
	uint8_t *buf, *e;
	uint32_t len, alloc = 8 + 8 * FK_LUN_MAX, i, n = 0;
	uint64_t lun;
	int rv;

	buf = kmem_zalloc(alloc, KM_SLEEP);
	bzero(&cmd, sizeof (cmd));
	cmd.sc_cdb[0] = SCMD_REPORT_LUNS;
	cmd.sc_cdb[6] = (alloc >> 24) & 0xff;
	cmd.sc_cdb[7] = (alloc >> 16) & 0xff;
	cmd.sc_cdb[8] = (alloc >> 8) & 0xff;
	cmd.sc_cdb[9] = alloc & 0xff;
	cmd.sc_cdblen = CDB_GROUP5;
	cmd.sc_buf = buf;
	cmd.sc_buflen = alloc;
	cmd.sc_dir = FK_SCSI_DIR_READ;
	cmd.sc_timeout = 10;
	rv = fk_scsa_cmd_retry(l, &cmd, FK_RETRIES);
	if (rv == 0 && alloc - cmd.sc_res.ss_resid < 8)
		rv = EIO;
	if (rv != 0) {
		kmem_free(buf, alloc);
		return (rv);
	}
	len = ((uint32_t)buf[0] << 24) | ((uint32_t)buf[1] << 16) |
	    ((uint32_t)buf[2] << 8) | buf[3];
	len = MIN(len, alloc - 8 - (uint32_t)cmd.sc_res.ss_resid);
	for (i = 0; i < len / 8 && n < FK_LUN_MAX; i++) {
		e = buf + 8 + 8 * i;
		if (e[2] != 0 || e[3] != 0 || e[4] != 0 || e[5] != 0 ||
		    e[6] != 0 || e[7] != 0) {
			cmn_err(CE_NOTE, "!scsa: %s: multi-level LUN "
			    "%02x%02x%02x%02x... ignored", l->l_ua, e[0], e[1],
			    e[2], e[3]);
			continue;
		}
		switch (e[0] >> 6) {
		case 0:		/* peripheral device addressing */
			if ((e[0] & 0x3f) != 0)
				continue;	/* behind a bus: not ours */
			lun = e[1];
			break;
		case 1:		/* flat space addressing */
			lun = ((uint64_t)(e[0] & 0x3f) << 8) | e[1];
			break;
		default:
			continue;
		}
		luns[n++] = lun;
	}
	kmem_free(buf, alloc);
	*np = n;
	return (0);
}

/*
 * READ CAPACITY (10), then (16) when the last LBA does not fit.
 */
void
fk_lun_capacity(fk_lun_t *l)
{
	fk_scsi_cmd_t cmd;
	uint8_t *buf;
	uint64_t last;

	buf = kmem_zalloc(32, KM_SLEEP);
	bzero(&cmd, sizeof (cmd));
	cmd.sc_cdb[0] = SCMD_READ_CAPACITY;
	cmd.sc_cdblen = CDB_GROUP1;
	cmd.sc_buf = buf;
	cmd.sc_buflen = 8;
	cmd.sc_dir = FK_SCSI_DIR_READ;
	cmd.sc_timeout = 10;
	if (fk_scsa_cmd_retry(l, &cmd, FK_RETRIES) != 0 ||
	    cmd.sc_res.ss_resid != 0)
		goto out;
	last = ((uint64_t)buf[0] << 24) | ((uint64_t)buf[1] << 16) |
	    ((uint64_t)buf[2] << 8) | buf[3];
	l->l_blksize = ((uint32_t)buf[4] << 24) | ((uint32_t)buf[5] << 16) |
	    ((uint32_t)buf[6] << 8) | buf[7];
	if (last == 0xffffffffu) {
		bzero(&cmd, sizeof (cmd));
		bzero(buf, 32);
		cmd.sc_cdb[0] = SCMD_SVC_ACTION_IN_G4;
		cmd.sc_cdb[1] = SSVC_ACTION_READ_CAPACITY_G4;
		cmd.sc_cdb[13] = 32;
		cmd.sc_cdblen = CDB_GROUP4;
		cmd.sc_buf = buf;
		cmd.sc_buflen = 32;
		cmd.sc_dir = FK_SCSI_DIR_READ;
		cmd.sc_timeout = 10;
		if (fk_scsa_cmd_retry(l, &cmd, FK_RETRIES) != 0 ||
		    cmd.sc_res.ss_resid > 32 - 12)
			goto out;
		last = ((uint64_t)buf[0] << 56) | ((uint64_t)buf[1] << 48) |
		    ((uint64_t)buf[2] << 40) | ((uint64_t)buf[3] << 32) |
		    ((uint64_t)buf[4] << 24) | ((uint64_t)buf[5] << 16) |
		    ((uint64_t)buf[6] << 8) | buf[7];
		l->l_blksize = ((uint32_t)buf[8] << 24) |
		    ((uint32_t)buf[9] << 16) | ((uint32_t)buf[10] << 8) |
		    buf[11];
	}
	l->l_nblocks = last + 1;
	l->l_cap_valid = 1;
out:
	kmem_free(buf, 32);
}

static fk_lun_t *
fk_tgt_find_lun(fk_tgt_t *t, uint64_t lunno)
{
	fk_lun_t *l;

	for (l = t->t_luns; l != NULL; l = l->l_tnext) {
		if (l->l_lun == lunno)
			return (l);
	}
	return (NULL);
}

static void
fk_tgt_unlink_lun(fk_tgt_t *t, fk_lun_t *l)
{
	fk_lun_t **lp;

	for (lp = &t->t_luns; *lp != NULL; lp = &(*lp)->l_tnext) {
		if (*lp == l) {
			*lp = l->l_tnext;
			l->l_tnext = NULL;
			return;
		}
	}
}

/*
 * Discover (or, with rescan, re-discover) a target's units.  Returns the
 * number of units configured afterwards, or -1 when a rescan could not
 * read the LUN list (nothing changed).
 */
int
fk_tgt_discover(fk_tgtmap_t *tm, fk_tgt_t *t, int rescan)
{
	uint64_t *luns;
	uchar_t (*inqs)[FK_SCSI_INQLEN];
	int *present;
	fk_lun_t *p0 = NULL, *use, *p, *l, *next;
	uint_t n = 0, i, nconf = 0;
	const struct scsi_inquiry *inq;

	luns = kmem_zalloc(FK_LUN_MAX * sizeof (uint64_t), KM_SLEEP);
	inqs = kmem_zalloc(FK_LUN_MAX * FK_SCSI_INQLEN, KM_SLEEP);
	present = kmem_zalloc(FK_LUN_MAX * sizeof (int), KM_SLEEP);

	/* 1. The LUN list, through LUN 0. */
	if ((use = fk_tgt_find_lun(t, 0)) == NULL) {
		p0 = fk_lun_create(tm, t, 0, "probe", 1, NULL);
		use = p0;
	}
	if (use == NULL || fk_report_luns(use, luns, &n) != 0) {
		if (rescan) {
			if (p0 != NULL)
				fk_lun_destroy(p0);
			nconf = (uint_t)-1;
			goto out;
		}
		luns[0] = 0;
		n = 1;
	}

	/* 2. Probe the new ones. */
	for (i = 0; i < n; i++) {
		if (fk_tgt_find_lun(t, luns[i]) != NULL)
			continue;
		if (luns[i] == 0 && p0 != NULL)
			p = p0;
		else
			p = fk_lun_create(tm, t, luns[i], "probe", 1, NULL);
		if (p == NULL)
			continue;
		present[i] = fk_lun_probe(p, inqs[i]);
		if (p != p0)
			fk_lun_destroy(p);
	}
	if (p0 != NULL)
		fk_lun_destroy(p0);

	/* 3. Make the units. */
	for (i = 0; i < n; i++) {
		if (!present[i])
			continue;
		inq = (const struct scsi_inquiry *)(const void *)inqs[i];
		l = fk_lun_create(tm, t, luns[i],
		    fk_dtype_nodename(inq->inq_dtype & DTYPE_MASK), 0, inqs[i]);
		if (l == NULL)
			continue;
		if ((inq->inq_dtype & DTYPE_MASK) == DTYPE_DIRECT)
			fk_lun_capacity(l);
		l->l_tnext = t->t_luns;
		t->t_luns = l;
		fk_scsa_publish(l);
	}

	/* 4. Units the report no longer lists. */
	for (l = t->t_luns; l != NULL; l = next) {
		next = l->l_tnext;
		for (i = 0; i < n; i++) {
			if (luns[i] == l->l_lun)
				break;
		}
		if (i == n && rescan) {
			fk_tgt_unlink_lun(t, l);
			fk_lun_destroy(l);
			continue;
		}
		nconf++;
	}
out:
	kmem_free(luns, FK_LUN_MAX * sizeof (uint64_t));
	kmem_free(inqs, FK_LUN_MAX * FK_SCSI_INQLEN);
	kmem_free(present, FK_LUN_MAX * sizeof (int));
	return ((int)nconf);
}

/* Remove every unit of a target. */
void
fk_tgt_remove_luns(fk_tgtmap_t *tm, fk_tgt_t *t)
{
	fk_lun_t *l;

	(void) tm;
	while ((l = t->t_luns) != NULL) {
		t->t_luns = l->l_tnext;
		l->l_tnext = NULL;
		fk_lun_destroy(l);
	}
}

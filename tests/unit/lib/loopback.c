/*
 * The loopback HBA (see loopback.h): a test double for the SCSA
 * framework.
 */

#include <sys/types.h>
#include <sys/ddi.h>
#include <sys/sunddi.h>
#include <sys/modctl.h>
#include <sys/scsi/scsi.h>
#include <fk_impl.h>
#include <fk.h>
#include <fk_scsi.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loopback.h"

#define	LB_CMD_MAGIC	0x4c42434du
#define	LB_DEV_MAGIC	0x4c424456u

/* What the HBA keeps in pkt_ha_private. */
typedef struct lb_cmd {
	uint32_t	lc_magic;
	int		lc_setup;
	struct scsi_pkt	*lc_pkt;
	lb_t		*lc_lb;
} lb_cmd_t;

/* What it keeps per scsi_device. */
typedef struct lb_dev {
	uint32_t	ld_magic;
	int		ld_tgt;
	int		ld_lun;
	struct scsi_device *ld_sd;
} lb_dev_t;

static lb_t *lb_attaching;
static int lb_node_seq;

#define	LB_INC(p)	__atomic_add_fetch((p), 1, __ATOMIC_SEQ_CST)
#define	LB_DEC(p)	__atomic_sub_fetch((p), 1, __ATOMIC_SEQ_CST)

void
lb_lock(lb_t *lb)
{
	(void) pthread_mutex_lock(&lb->lb_mtx);
}

void
lb_unlock(lb_t *lb)
{
	(void) pthread_mutex_unlock(&lb->lb_mtx);
}

/*
 * Status and data.
 */
static void
lb_good(struct scsi_pkt *pkt)
{
	*pkt->pkt_scbp = STATUS_GOOD;
	pkt->pkt_state |= STATE_GOT_STATUS;
}

static void
lb_status(struct scsi_pkt *pkt, uchar_t status)
{
	*pkt->pkt_scbp = status;
	pkt->pkt_state |= STATE_GOT_STATUS;
}

static void
lb_check(struct scsi_pkt *pkt, uchar_t key, uchar_t asc, uchar_t ascq)
{
	struct scsi_arq_status *arq;
	struct scsi_extended_sense *es;

	pkt->pkt_state |= STATE_GOT_STATUS;
	if (pkt->pkt_scblen < sizeof (struct scsi_arq_status)) {
		*pkt->pkt_scbp = STATUS_CHECK;
		return;
	}
	arq = (struct scsi_arq_status *)(void *)pkt->pkt_scbp;
	bzero(arq, sizeof (*arq));
	*pkt->pkt_scbp = STATUS_CHECK;
	arq->sts_rqpkt_reason = CMD_CMPLT;
	arq->sts_rqpkt_resid = 0;
	arq->sts_rqpkt_state = STATE_GOT_BUS | STATE_GOT_TARGET |
	    STATE_SENT_CMD | STATE_XFERRED_DATA | STATE_GOT_STATUS;
	es = &arq->sts_sensedata;
	es->es_class = CLASS_EXTENDED_SENSE;
	es->es_code = CODE_FMT_FIXED_CURRENT;
	es->es_key = key;
	es->es_add_len = 10;
	es->es_add_code = asc;
	es->es_qual_code = ascq;
	pkt->pkt_state |= STATE_ARQ_DONE;
}

/* Move len bytes between buf and the packet's cookies; bytes moved. */
static size_t
lb_xfer(struct scsi_pkt *pkt, void *buf, size_t len, int to_host)
{
	size_t done = 0, n;
	uint_t i;
	void *dev;

	for (i = 0; i < pkt->pkt_numcookies && done < len; i++) {
		n = pkt->pkt_cookies[i].dmac_size;
		if (n > len - done)
			n = len - done;
		dev = (void *)(uintptr_t)pkt->pkt_cookies[i].dmac_laddress;
		if (to_host)
			bcopy((char *)buf + done, dev, n);
		else
			bcopy(dev, (char *)buf + done, n);
		done += n;
	}
	if (done > 0)
		pkt->pkt_state |= STATE_XFERRED_DATA;
	pkt->pkt_resid = pkt->pkt_dma_len - done;
	return (done);
}

static uint64_t
lb_be(const uchar_t *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return (v);
}

static void
lb_put_be(uchar_t *p, uint64_t v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = v & 0xff;
}

static void
lb_inquiry(struct scsi_pkt *pkt, lb_lun_t *lun, const uchar_t *cdb)
{
	uchar_t inq[96];
	size_t alloc = lb_be(cdb + 3, 2);

	bzero(inq, sizeof (inq));
	if (cdb[1] & 1) {		/* EVPD: not supported */
		lb_check(pkt, KEY_ILLEGAL_REQUEST, 0x24, 0);
		return;
	}
	if (!lun->ll_present) {
		inq[0] = DTYPE_NOTPRESENT;
	} else {
		inq[0] = lun->ll_dtype;
		inq[2] = 5;
		inq[3] = 2;
		inq[4] = sizeof (inq) - 5;
		bcopy("FKLOOP  ", &inq[8], 8);
		bcopy("LOOPBACK DISK   ", &inq[16], 16);
		bcopy("0001", &inq[32], 4);
	}
	(void) lb_xfer(pkt, inq, alloc < sizeof (inq) ? alloc : sizeof (inq),
	    1);
	lb_good(pkt);
}

static void
lb_report_luns_cmd(struct scsi_pkt *pkt, lb_tgt_t *t, const uchar_t *cdb)
{
	uchar_t buf[8 + 8 * LB_MAXLUN];
	size_t alloc = lb_be(cdb + 6, 4), len;
	int i, n = 0;

	if (t->lt_no_report_luns) {
		lb_check(pkt, KEY_ILLEGAL_REQUEST, 0x20, 0);
		return;
	}
	bzero(buf, sizeof (buf));
	for (i = 0; i < LB_MAXLUN; i++) {
		if (t->lt_luns[i].ll_present)
			buf[8 + 8 * n++ + 1] = (uchar_t)i;
	}
	lb_put_be(buf, 8 * n, 4);
	len = 8 + 8 * n;
	(void) lb_xfer(pkt, buf, alloc < len ? alloc : len, 1);
	lb_good(pkt);
}

static void
lb_rw(struct scsi_pkt *pkt, lb_lun_t *lun, const uchar_t *cdb)
{
	uchar_t op = cdb[0];
	uint64_t lba, nblks;
	size_t len, moved;
	int g4 = (op == SCMD_READ_G4 || op == SCMD_WRITE_G4 ||
	    op == SCMD_VERIFY_G4);
	int write = (op == SCMD_WRITE_G1 || op == SCMD_WRITE_G4);
	int verify = (op == SCMD_VERIFY || op == SCMD_VERIFY_G4);
	uchar_t *tmp;

	lba = g4 ? lb_be(cdb + 2, 8) : lb_be(cdb + 2, 4);
	nblks = g4 ? lb_be(cdb + 10, 4) : lb_be(cdb + 7, 2);
	if (lba > lun->ll_nblocks || nblks > lun->ll_nblocks - lba) {
		lb_check(pkt, KEY_ILLEGAL_REQUEST, 0x21, 0);
		return;
	}
	len = nblks * lun->ll_blksize;
	if (verify) {
		if (cdb[1] & 0x02) {		/* BYTCHK: compare */
			tmp = malloc(len);
			moved = lb_xfer(pkt, tmp, len, 0);
			if (moved != len || memcmp(tmp, lun->ll_data +
			    lba * lun->ll_blksize, len) != 0) {
				free(tmp);
				lb_check(pkt, KEY_MISCOMPARE, 0x1d, 0);
				return;
			}
			free(tmp);
		}
		lb_good(pkt);
		return;
	}
	moved = lb_xfer(pkt, lun->ll_data + lba * lun->ll_blksize, len,
	    !write);
	if (moved != len)
		pkt->pkt_resid = (ssize_t)(len - moved);
	lb_good(pkt);
}

static void
lb_capacity(struct scsi_pkt *pkt, lb_lun_t *lun, const uchar_t *cdb)
{
	uchar_t buf[32];
	uint64_t last = lun->ll_nblocks - 1;

	bzero(buf, sizeof (buf));
	if (cdb[0] == SCMD_READ_CAPACITY) {
		lb_put_be(buf, last > 0xffffffffull ? 0xffffffffull : last, 4);
		lb_put_be(buf + 4, lun->ll_blksize, 4);
		(void) lb_xfer(pkt, buf, 8, 1);
	} else {
		lb_put_be(buf, last, 8);
		lb_put_be(buf + 8, lun->ll_blksize, 4);
		(void) lb_xfer(pkt, buf, MIN(32, lb_be(cdb + 10, 4)), 1);
	}
	lb_good(pkt);
}

/* Carry out a command against the simulated hardware. */
static void
lb_exec(lb_t *lb, struct scsi_pkt *pkt)
{
	lb_dev_t *dev;
	lb_tgt_t *t;
	lb_lun_t *lun;
	const uchar_t *cdb = pkt->pkt_cdbp;

	dev = scsi_device_hba_private_get(scsi_address_device(
	    &pkt->pkt_address));
	lb_lock(lb);
	t = &lb->lb_tgts[dev->ld_tgt];
	lun = &t->lt_luns[dev->ld_lun];
	lun->ll_cmds++;
	pkt->pkt_state = STATE_GOT_BUS;
	if (!t->lt_present) {
		pkt->pkt_reason = CMD_DEV_GONE;
		lb_unlock(lb);
		return;
	}
	pkt->pkt_state |= STATE_GOT_TARGET | STATE_SENT_CMD;
	if (cdb[0] == SCMD_INQUIRY) {
		lb_inquiry(pkt, lun, cdb);
	} else if (cdb[0] == SCMD_REPORT_LUNS) {
		lb_report_luns_cmd(pkt, t, cdb);
	} else if (!lun->ll_present) {
		lb_check(pkt, KEY_ILLEGAL_REQUEST, 0x25, 0);
	} else if (lun->ll_ua) {
		lun->ll_ua = 0;
		lb_check(pkt, KEY_UNIT_ATTENTION, lun->ll_ua_asc,
		    lun->ll_ua_ascq);
	} else if (lun->ll_busy_status > 0) {
		lun->ll_busy_status--;
		lb_status(pkt, STATUS_BUSY);
	} else {
		switch (cdb[0]) {
		case SCMD_TEST_UNIT_READY:
			lb_good(pkt);
			break;
		case SCMD_READ_CAPACITY:
			lb_capacity(pkt, lun, cdb);
			break;
		case SCMD_SVC_ACTION_IN_G4:
			if ((cdb[1] & 0x1f) == SSVC_ACTION_READ_CAPACITY_G4)
				lb_capacity(pkt, lun, cdb);
			else
				lb_check(pkt, KEY_ILLEGAL_REQUEST, 0x24, 0);
			break;
		case SCMD_READ_G1:
		case SCMD_WRITE_G1:
		case SCMD_READ_G4:
		case SCMD_WRITE_G4:
		case SCMD_VERIFY:
		case SCMD_VERIFY_G4:
			lb_rw(pkt, lun, cdb);
			break;
		default:
			lb_check(pkt, KEY_ILLEGAL_REQUEST, 0x20, 0);
			break;
		}
	}
	lb_unlock(lb);
}

/*
 * Completions.
 */
static void
lb_complete(lb_t *lb, struct scsi_pkt *pkt, int twice)
{
	if (fk_in_intr())
		LB_INC(&lb->lb_comp_intr);
	LB_INC(&lb->lb_comps);
	scsi_hba_pkt_comp(pkt);
	if (twice)
		scsi_hba_pkt_comp(pkt);
}

static void *
lb_thread(void *arg)
{
	lb_t *lb = arg;
	struct scsi_pkt *pkt;
	int twice;

	for (;;) {
		lb_lock(lb);
		while (!lb->lb_stop && (lb->lb_qlen == 0 || lb->lb_hold))
			(void) pthread_cond_wait(&lb->lb_cv, &lb->lb_mtx);
		if (lb->lb_qlen == 0 || (lb->lb_stop && lb->lb_hold)) {
			lb_unlock(lb);
			break;
		}
		pkt = lb->lb_q[0];
		(void) memmove(lb->lb_q, lb->lb_q + 1,
		    (lb->lb_qlen - 1) * sizeof (*lb->lb_q));
		lb->lb_qlen--;
		twice = lb->lb_double_comp > 0;
		if (twice)
			lb->lb_double_comp--;
		(void) pthread_cond_broadcast(&lb->lb_cv);
		lb_unlock(lb);

		if (lb->lb_comp_delay_us > 0)
			(void) usleep(lb->lb_comp_delay_us);
		lb_exec(lb, pkt);
		if (lb->lb_cfg.lc_comp == LB_COMP_INTR) {
			fk_intr_enter(5);
			lb_complete(lb, pkt, twice);
			fk_intr_exit();
		} else {
			lb_complete(lb, pkt, twice);
		}
	}
	return (NULL);
}

void
lb_release(lb_t *lb)
{
	lb_lock(lb);
	lb->lb_hold = 0;
	(void) pthread_cond_broadcast(&lb->lb_cv);
	lb_unlock(lb);
}

int
lb_queued(lb_t *lb)
{
	int n;

	lb_lock(lb);
	n = lb->lb_qlen;
	lb_unlock(lb);
	return (n);
}

/*
 * tran entry points.
 */
static int
lb_tran_start(struct scsi_address *ap, struct scsi_pkt *pkt)
{
	lb_t *lb = ap->a_hba_tran->tran_hba_private;
	lb_cmd_t *cmd = pkt->pkt_ha_private;
	size_t sum = 0;
	uint_t i;
	int twice;

	if (cmd->lc_magic != LB_CMD_MAGIC || !cmd->lc_setup)
		LB_INC(&lb->lb_not_setup);
	if (pkt->pkt_numcookies > (uint_t)lb->lb_dma_attr.dma_attr_sgllen)
		LB_INC(&lb->lb_bad_cookies);
	for (i = 0; i < pkt->pkt_numcookies; i++)
		sum += pkt->pkt_cookies[i].dmac_size;
	if (sum != pkt->pkt_dma_len)
		LB_INC(&lb->lb_bad_cookies);
	if ((int)pkt->pkt_numcookies > lb->lb_max_cookies)
		lb->lb_max_cookies = pkt->pkt_numcookies;

	lb_lock(lb);
	if (lb->lb_busy_next > 0) {
		lb->lb_busy_next--;
		lb_unlock(lb);
		LB_INC(&lb->lb_busy_returned);
		return (TRAN_BUSY);
	}
	lb_unlock(lb);

	pkt->pkt_reason = CMD_CMPLT;
	pkt->pkt_state = 0;
	pkt->pkt_statistics = 0;
	pkt->pkt_resid = 0;
	LB_INC(&lb->lb_starts);

	if (pkt->pkt_flags & FLAG_NOINTR) {
		LB_INC(&lb->lb_polled);
		lb_exec(lb, pkt);
		return (TRAN_ACCEPT);
	}
	if (lb->lb_cfg.lc_comp == LB_COMP_INLINE) {
		lb_lock(lb);
		twice = lb->lb_double_comp > 0;
		if (twice)
			lb->lb_double_comp--;
		lb_unlock(lb);
		lb_exec(lb, pkt);
		lb_complete(lb, pkt, twice);
		return (TRAN_ACCEPT);
	}
	lb_lock(lb);
	if (lb->lb_qlen == lb->lb_qcap) {
		lb->lb_qcap = lb->lb_qcap == 0 ? 64 : lb->lb_qcap * 2;
		lb->lb_q = realloc(lb->lb_q, lb->lb_qcap * sizeof (*lb->lb_q));
	}
	lb->lb_q[lb->lb_qlen++] = pkt;
	(void) pthread_cond_broadcast(&lb->lb_cv);
	lb_unlock(lb);
	return (TRAN_ACCEPT);
}

static int
lb_tran_abort(struct scsi_address *ap, struct scsi_pkt *pkt)
{
	(void) ap;
	(void) pkt;
	return (0);
}

static int
lb_tran_reset(struct scsi_address *ap, int level)
{
	(void) ap;
	return (level == RESET_TARGET || level == RESET_LUN);
}

static int
lb_tran_getcap(struct scsi_address *ap, char *cap, int whom)
{
	(void) ap;
	(void) whom;
	switch (scsi_hba_lookup_capstr(cap)) {
	case SCSI_CAP_ARQ:
	case SCSI_CAP_TAGGED_QING:
	case SCSI_CAP_UNTAGGED_QING:
		return (1);
	case SCSI_CAP_CDB_LEN:
		return (16);
	default:
		return (-1);
	}
}

static int
lb_tran_setcap(struct scsi_address *ap, char *cap, int value, int whom)
{
	(void) ap;
	(void) value;
	(void) whom;
	switch (scsi_hba_lookup_capstr(cap)) {
	case SCSI_CAP_ARQ:
		return (1);
	case SCSI_CAP_TAGGED_QING:
		return (0);
	default:
		return (-1);
	}
}

static int
lb_pkt_ctor(struct scsi_pkt *pkt, scsi_hba_tran_t *tran, int kmflag)
{
	lb_cmd_t *cmd = pkt->pkt_ha_private;

	(void) kmflag;
	cmd->lc_magic = LB_CMD_MAGIC;
	cmd->lc_setup = 0;
	cmd->lc_pkt = pkt;
	cmd->lc_lb = tran->tran_hba_private;
	LB_INC(&cmd->lc_lb->lb_ctor);
	return (0);
}

static void
lb_pkt_dtor(struct scsi_pkt *pkt, scsi_hba_tran_t *tran)
{
	lb_cmd_t *cmd = pkt->pkt_ha_private;

	(void) tran;
	if (cmd->lc_magic != LB_CMD_MAGIC || cmd->lc_setup)
		cmn_err(CE_PANIC, "loopback: destructing a bad packet");
	LB_INC(&cmd->lc_lb->lb_dtor);
	cmd->lc_magic = 0;
}

static int
lb_setup_pkt(struct scsi_pkt *pkt, int (*cb)(caddr_t), caddr_t arg)
{
	lb_cmd_t *cmd = pkt->pkt_ha_private;
	lb_t *lb = cmd->lc_lb;

	(void) cb;
	(void) arg;
	if (cmd->lc_magic != LB_CMD_MAGIC || cmd->lc_setup)
		cmn_err(CE_PANIC, "loopback: setting up a bad packet");
	if (pkt->pkt_cdblen > lb->lb_cfg.lc_max_cdb)
		return (-1);
	cmd->lc_setup = 1;
	LB_INC(&lb->lb_setup);
	return (0);
}

static void
lb_teardown_pkt(struct scsi_pkt *pkt)
{
	lb_cmd_t *cmd = pkt->pkt_ha_private;

	if (cmd->lc_magic != LB_CMD_MAGIC || !cmd->lc_setup)
		cmn_err(CE_PANIC, "loopback: tearing down a bad packet");
	cmd->lc_setup = 0;
	LB_INC(&cmd->lc_lb->lb_teardown);
}

static int
lb_tgt_init(dev_info_t *hba_dip, dev_info_t *tgt_dip, scsi_hba_tran_t *tran,
    struct scsi_device *sd)
{
	lb_t *lb = tran->tran_hba_private;
	unsigned int t, l;
	char *ua;
	lb_dev_t *dev;
	int fail;

	if (hba_dip != lb->lb_iport || tran != ddi_get_driver_private(hba_dip)
	    || tran->tran_hba_dip != hba_dip || sd->sd_dev != tgt_dip)
		cmn_err(CE_PANIC, "loopback: tran_tgt_init with the wrong "
		    "iport, tran or node");
	if ((ua = scsi_device_unit_address(sd)) == NULL ||
	    sscanf(ua, "%x,%x", &t, &l) != 2 || t >= LB_MAXTGT ||
	    l >= LB_MAXLUN)
		return (DDI_FAILURE);
	lb_lock(lb);
	fail = !lb->lb_tgts[t].lt_present ||
	    lb->lb_tgts[t].lt_luns[l].ll_fail_tgt_init;
	lb_unlock(lb);
	if (fail)
		return (DDI_FAILURE);
	dev = kmem_zalloc(sizeof (*dev), KM_SLEEP);
	dev->ld_magic = LB_DEV_MAGIC;
	dev->ld_tgt = t;
	dev->ld_lun = l;
	dev->ld_sd = sd;
	scsi_device_hba_private_set(sd, dev);
	LB_INC(&lb->lb_tgt_init);
	LB_INC(&lb->lb_tgt_live);
	if (strcmp(ddi_node_name(tgt_dip), "probe") == 0)
		LB_INC(&lb->lb_tgt_init_probe);
	return (DDI_SUCCESS);
}

static void
lb_tgt_free(dev_info_t *hba_dip, dev_info_t *tgt_dip, scsi_hba_tran_t *tran,
    struct scsi_device *sd)
{
	lb_t *lb = tran->tran_hba_private;
	lb_dev_t *dev = scsi_device_hba_private_get(sd);
	int i;

	(void) hba_dip;
	(void) tgt_dip;
	if (dev == NULL || dev->ld_magic != LB_DEV_MAGIC || dev->ld_sd != sd)
		cmn_err(CE_PANIC, "loopback: tran_tgt_free of a device it "
		    "does not know");
	lb_lock(lb);
	for (i = 0; i < lb->lb_qlen; i++) {
		if (scsi_address_device(&lb->lb_q[i]->pkt_address) == sd)
			lb->lb_freed_busy++;
	}
	lb_unlock(lb);
	dev->ld_magic = 0;
	kmem_free(dev, sizeof (*dev));
	scsi_device_hba_private_set(sd, NULL);
	LB_INC(&lb->lb_tgt_free);
	LB_DEC(&lb->lb_tgt_live);
}

/*
 * Target map callbacks.
 */
static void
lb_event(lb_t *lb, char what, const char *addr, int reason)
{
	lb_event_t *e;

	lb_lock(lb);
	if (lb->lb_nevents < LB_MAXEVENTS) {
		e = &lb->lb_events[lb->lb_nevents++];
		e->le_what = what;
		(void) snprintf(e->le_addr, sizeof (e->le_addr), "%s", addr);
		e->le_reason = reason;
		e->le_when = gethrtime();
	}
	lb_unlock(lb);
}

static void
lb_activate(void *priv, char *addr, scsi_tgtmap_tgt_type_t type,
    void **tgt_privp)
{
	lb_t *lb = priv;

	(void) type;
	lb_event(lb, 'A', addr, -1);
	*tgt_privp = lb;
}

static boolean_t
lb_deactivate(void *priv, char *addr, scsi_tgtmap_tgt_type_t type,
    void *tgt_priv, scsi_tgtmap_deact_rsn_t why)
{
	lb_t *lb = priv;

	(void) type;
	if (tgt_priv != lb)
		cmn_err(CE_PANIC, "loopback: deactivate with the wrong "
		    "target private value");
	lb_event(lb, 'D', addr, why);
	return (lb->lb_cfg.lc_cfgfail_again ? B_TRUE : B_FALSE);
}

int
lb_count_events(lb_t *lb, char what, const char *addr, int reason)
{
	int i, n = 0;

	lb_lock(lb);
	for (i = 0; i < lb->lb_nevents; i++) {
		if (lb->lb_events[i].le_what == what &&
		    (addr == NULL || strcmp(lb->lb_events[i].le_addr,
		    addr) == 0) &&
		    (reason < 0 || lb->lb_events[i].le_reason == reason))
			n++;
	}
	lb_unlock(lb);
	return (n);
}

int
lb_report(lb_t *lb, int t)
{
	char addr[16];
	int i, present, rv = DDI_SUCCESS;

	if (lb->lb_tgtmap == NULL)
		return (DDI_FAILURE);
	if (lb->lb_cfg.lc_mode == SCSI_TM_FULLSET) {
		if (scsi_hba_tgtmap_set_begin(lb->lb_tgtmap) != DDI_SUCCESS)
			return (DDI_FAILURE);
		for (i = 0; i < LB_MAXTGT; i++) {
			lb_lock(lb);
			present = lb->lb_tgts[i].lt_present;
			lb_unlock(lb);
			(void) snprintf(addr, sizeof (addr), "%x", i);
			if (present && scsi_hba_tgtmap_set_add(lb->lb_tgtmap,
			    SCSI_TGT_SCSI_DEVICE, addr, NULL) != DDI_SUCCESS)
				rv = DDI_FAILURE;
		}
		if (scsi_hba_tgtmap_set_end(lb->lb_tgtmap, 0) != DDI_SUCCESS)
			rv = DDI_FAILURE;
		return (rv);
	}
	for (i = 0; i < LB_MAXTGT; i++) {
		if (t >= 0 && i != t)
			continue;
		lb_lock(lb);
		present = lb->lb_tgts[i].lt_present;
		lb_unlock(lb);
		(void) snprintf(addr, sizeof (addr), "%x", i);
		if (present) {
			if (scsi_hba_tgtmap_tgt_add(lb->lb_tgtmap,
			    SCSI_TGT_SCSI_DEVICE, addr, NULL) != DDI_SUCCESS)
				rv = DDI_FAILURE;
		} else if (t >= 0) {
			if (scsi_hba_tgtmap_tgt_remove(lb->lb_tgtmap,
			    SCSI_TGT_SCSI_DEVICE, addr) != DDI_SUCCESS)
				rv = DDI_FAILURE;
		}
	}
	return (rv);
}

/* The first report, made late from a thread of its own. */
static void *
lb_late_report(void *arg)
{
	lb_t *lb = arg;

	(void) usleep(lb->lb_cfg.lc_report_delay_ms * 1000);
	(void) lb_report(lb, -1);
	return (NULL);
}

/*
 * attach(9E) and detach(9E), for the HBA node and the iport.
 */
static int
lb_iport_attach(dev_info_t *dip)
{
	scsi_hba_tran_t *tran = ddi_get_driver_private(dip);
	lb_t *lb;

	if (tran == NULL || (lb = tran->tran_hba_private) == NULL)
		return (DDI_FAILURE);
	LB_INC(&lb->lb_iport_attach);
	if (strcmp(scsi_hba_iport_unit_address(dip), "iport0") != 0)
		return (DDI_SUCCESS);	/* no targets behind the others */
	lb->lb_iport = dip;
	if (scsi_hba_tgtmap_create(dip, lb->lb_cfg.lc_mode,
	    lb->lb_cfg.lc_csync_usec, lb->lb_cfg.lc_settle_usec, lb,
	    lb->lb_cfg.lc_callbacks ? lb_activate : NULL,
	    lb->lb_cfg.lc_callbacks ? lb_deactivate : NULL,
	    &lb->lb_tgtmap) != DDI_SUCCESS)
		return (DDI_FAILURE);
	if (lb->lb_cfg.lc_report_delay_ms > 0)
		(void) fk_thread_create(NULL, "loopback report",
		    lb_late_report, lb);
	else
		(void) lb_report(lb, -1);
	return (DDI_SUCCESS);
}

static int
lb_hba_attach(dev_info_t *dip)
{
	lb_t *lb = lb_attaching;
	scsi_hba_tran_t *tran;
	ddi_dma_attr_t *a = &lb->lb_dma_attr;

	lb->lb_dip = dip;
	bzero(a, sizeof (*a));
	a->dma_attr_version = DMA_ATTR_V0;
	a->dma_attr_addr_lo = 0;
	a->dma_attr_addr_hi = UINT64_MAX;
	a->dma_attr_count_max = 0xffffffffull;
	a->dma_attr_align = 1;
	a->dma_attr_burstsizes = 1;
	a->dma_attr_minxfer = 1;
	a->dma_attr_maxxfer = 0xffffffffull;
	a->dma_attr_seg = lb->lb_cfg.lc_seg;
	a->dma_attr_sgllen = lb->lb_cfg.lc_sgllen;
	a->dma_attr_granular = 1;

	if ((tran = scsi_hba_tran_alloc(dip, SCSI_HBA_CANSLEEP)) == NULL)
		return (DDI_FAILURE);
	tran->tran_hba_private = lb;
	tran->tran_tgt_init = lb_tgt_init;
	tran->tran_tgt_free = lb_tgt_free;
	tran->tran_start = lb_tran_start;
	tran->tran_abort = lb_tran_abort;
	tran->tran_reset = lb_tran_reset;
	tran->tran_getcap = lb_tran_getcap;
	tran->tran_setcap = lb_tran_setcap;
	tran->tran_setup_pkt = lb_setup_pkt;
	tran->tran_teardown_pkt = lb_teardown_pkt;
	tran->tran_pkt_constructor = lb_pkt_ctor;
	tran->tran_pkt_destructor = lb_pkt_dtor;
	tran->tran_hba_len = sizeof (lb_cmd_t);
	tran->tran_interconnect_type = INTERCONNECT_PARALLEL;
	if (scsi_hba_attach_setup(dip, a, tran, SCSI_HBA_HBA |
	    SCSI_HBA_TRAN_CDB | SCSI_HBA_TRAN_SCB | SCSI_HBA_ADDR_COMPLEX) !=
	    DDI_SUCCESS) {
		scsi_hba_tran_free(tran);
		return (DDI_FAILURE);
	}
	lb->lb_tran = tran;
	if (fk_thread_create(&lb->lb_thread, "loopback intr", lb_thread,
	    lb) != 0) {
		(void) scsi_hba_detach(dip);
		scsi_hba_tran_free(tran);
		return (DDI_FAILURE);
	}
	lb->lb_thread_running = 1;
	if (scsi_hba_iport_register(dip, "iport0") != DDI_SUCCESS)
		return (DDI_FAILURE);
	return (DDI_SUCCESS);
}

static int
lb_attach(dev_info_t *dip, ddi_attach_cmd_t cmd)
{
	if (cmd != DDI_ATTACH)
		return (DDI_FAILURE);
	if (scsi_hba_iport_unit_address(dip) != NULL)
		return (lb_iport_attach(dip));
	return (lb_hba_attach(dip));
}

static int
lb_detach(dev_info_t *dip, ddi_detach_cmd_t cmd)
{
	scsi_hba_tran_t *tran = ddi_get_driver_private(dip);
	lb_t *lb;

	if (cmd != DDI_DETACH || tran == NULL)
		return (DDI_FAILURE);
	lb = tran->tran_hba_private;
	if (scsi_hba_iport_unit_address(dip) != NULL) {
		if (dip == lb->lb_iport && lb->lb_tgtmap != NULL)
			scsi_hba_tgtmap_destroy(lb->lb_tgtmap);
		lb->lb_tgtmap = NULL;
		LB_INC(&lb->lb_iport_detach);
		return (DDI_SUCCESS);
	}
	if (lb->lb_detach_fail)
		return (DDI_FAILURE);
	if (scsi_hba_detach(dip) != DDI_SUCCESS)
		return (DDI_FAILURE);
	lb_lock(lb);
	lb->lb_stop = 1;
	(void) pthread_cond_broadcast(&lb->lb_cv);
	lb_unlock(lb);
	if (lb->lb_thread_running)
		(void) fk_thread_join(lb->lb_thread, NULL);
	lb->lb_thread_running = 0;
	scsi_hba_tran_free(tran);
	lb->lb_tran = NULL;
	return (DDI_SUCCESS);
}

static struct dev_ops lb_ops = {
	.devo_rev = DEVO_REV,
	.devo_refcnt = 0,
	.devo_getinfo = nodev,
	.devo_identify = nulldev,
	.devo_probe = nulldev,
	.devo_attach = lb_attach,
	.devo_detach = lb_detach,
	.devo_reset = nodev,
	.devo_quiesce = ddi_quiesce_not_needed,
};

static struct modldrv lb_modldrv = {
	.drv_modops = &mod_driverops,
	.drv_linkinfo = "loopback SCSI HBA (tests)",
	.drv_dev_ops = &lb_ops,
};

static struct modlinkage lb_modlinkage = {
	.ml_rev = MODREV_1,
	.ml_linkage = { &lb_modldrv, NULL },
};

static int
lb_modinit(void)
{
	int rv;

	if ((rv = scsi_hba_init(&lb_modlinkage)) != 0)
		return (rv);
	if ((rv = mod_install(&lb_modlinkage)) != 0)
		scsi_hba_fini(&lb_modlinkage);
	return (rv);
}

static int
lb_modfini(void)
{
	int rv;

	if ((rv = mod_remove(&lb_modlinkage)) == 0)
		scsi_hba_fini(&lb_modlinkage);
	return (rv);
}

static int
lb_modinfo(struct modinfo *mip)
{
	return (mod_info(&lb_modlinkage, mip));
}

int
lb_install(void)
{
	if (fk_driver_lookup(LB_DRIVER) != NULL &&
	    fk_driver_lookup(LB_DRIVER)->drv_ops != NULL)
		return (0);
	return (fk_mod_load(LB_DRIVER, lb_modinit, lb_modfini, lb_modinfo));
}

/*
 * Tests' side.
 */
void
lb_config_default(lb_config_t *c)
{
	bzero(c, sizeof (*c));
	c->lc_mode = SCSI_TM_PERADDR;
	c->lc_csync_usec = 2000000;
	c->lc_settle_usec = 20000;
	c->lc_sgllen = 64;
	c->lc_seg = 0xffffffffull;
	c->lc_max_cdb = 16;
	c->lc_comp = LB_COMP_INTR;
	c->lc_callbacks = 1;
	c->lc_ntgt = 2;
	c->lc_nlun = 1;
	c->lc_nblocks = 2048;
}

static void
lb_lun_setup(lb_lun_t *lun, int present, uint64_t nblocks)
{
	free(lun->ll_data);
	bzero(lun, sizeof (*lun));
	if (!present)
		return;
	lun->ll_present = 1;
	lun->ll_dtype = DTYPE_DIRECT;
	lun->ll_blksize = 512;
	lun->ll_nblocks = nblocks;
	lun->ll_data = calloc(nblocks, 512);
}

void
lb_lun_set(lb_t *lb, int t, int l, int present, uint64_t nblocks)
{
	lb_lock(lb);
	lb_lun_setup(&lb->lb_tgts[t].lt_luns[l], present, nblocks);
	lb_unlock(lb);
}

void
lb_tgt_set(lb_t *lb, int t, int present)
{
	lb_lock(lb);
	lb->lb_tgts[t].lt_present = present;
	lb_unlock(lb);
}

lb_t *
lb_create(const lb_config_t *cfg)
{
	lb_t *lb;
	dev_info_t *dip;
	char addr[16];
	int t, l;

	if (lb_install() != 0)
		return (NULL);
	lb = calloc(1, sizeof (*lb));
	lb->lb_cfg = *cfg;
	(void) pthread_mutex_init(&lb->lb_mtx, NULL);
	(void) pthread_cond_init(&lb->lb_cv, NULL);
	for (t = 0; t < cfg->lc_ntgt && t < LB_MAXTGT; t++) {
		lb->lb_tgts[t].lt_present = 1;
		for (l = 0; l < cfg->lc_nlun && l < LB_MAXLUN; l++)
			lb_lun_setup(&lb->lb_tgts[t].lt_luns[l], 1,
			    cfg->lc_nblocks);
	}
	(void) snprintf(addr, sizeof (addr), "%d", lb_node_seq++);
	lb_attaching = lb;
	if ((dip = fk_devi_alloc(NULL, LB_DRIVER, addr)) == NULL)
		goto fail;
	if (fk_devi_bind(dip, LB_DRIVER) != DDI_SUCCESS ||
	    fk_devi_attach(dip) != DDI_SUCCESS) {
		fk_devi_free(dip);
		goto fail;
	}
	lb_attaching = NULL;
	(void) fk_scsa_config(dip);
	return (lb);
fail:
	lb_attaching = NULL;
	free(lb);
	return (NULL);
}

int
lb_destroy(lb_t *lb)
{
	dev_info_t *dip = lb->lb_dip;
	int t, l;

	if (fk_scsa_unconfig(dip) != DDI_SUCCESS)
		return (DDI_FAILURE);
	if (fk_devi_detach(dip) != DDI_SUCCESS)
		return (DDI_FAILURE);
	fk_devi_free(dip);
	for (t = 0; t < LB_MAXTGT; t++) {
		for (l = 0; l < LB_MAXLUN; l++)
			free(lb->lb_tgts[t].lt_luns[l].ll_data);
	}
	free(lb->lb_q);
	lb->lb_q = NULL;
	return (DDI_SUCCESS);
}

/*
 * Single packets of our own (see labpkt.h).
 */
#include <string.h>

#include <sys/sunddi.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/scsi/scsi.h>

#include "labpkt.h"

static void
lp_comp(struct scsi_pkt *pkt)
{
	lp_t *lp = *(lp_t **)pkt->pkt_private;

	mutex_enter(&lp->lp_lock);
	if (lp->lp_comps++ == 0)
		lp->lp_done = gethrtime();
	cv_broadcast(&lp->lp_cv);
	mutex_exit(&lp->lp_lock);
}

void
lp_cdb_rw(struct scsi_pkt *pkt, int write, uint64_t lba, uint_t blocks)
{
	uchar_t *c = pkt->pkt_cdbp;

	bzero(c, CDB_GROUP1);
	c[0] = write ? SCMD_WRITE_G1 : SCMD_READ_G1;
	c[2] = (lba >> 24) & 0xff;
	c[3] = (lba >> 16) & 0xff;
	c[4] = (lba >> 8) & 0xff;
	c[5] = lba & 0xff;
	c[7] = (blocks >> 8) & 0xff;
	c[8] = blocks & 0xff;
}

int
lp_send(lp_t *lp, fk_lun_t *lun, int write, uint64_t lba, uint_t blocks,
    int pkt_time, int flags)
{
	struct scsi_device *sd = fk_scsi_lun_device(lun);
	int rv;

	bzero(lp, sizeof (*lp));
	mutex_init(&lp->lp_lock, NULL, MUTEX_DRIVER, NULL);
	cv_init(&lp->lp_cv, NULL, CV_DRIVER, NULL);
	bioinit(&lp->lp_buf);
	lp->lp_buf.b_un.b_addr = fk_scsi_buf_alloc((size_t)blocks * 512);
	lp->lp_buf.b_bcount = (size_t)blocks * 512;
	lp->lp_buf.b_flags = B_BUSY | (write ? B_WRITE : B_READ);
	if (sd == NULL)
		return (-1);
	lp->lp_pkt = scsi_init_pkt(&sd->sd_address, NULL, &lp->lp_buf,
	    CDB_GROUP1, sizeof (struct scsi_arq_status), sizeof (lp_t *), 0,
	    SLEEP_FUNC, NULL);
	if (lp->lp_pkt == NULL)
		return (-1);
	*(lp_t **)lp->lp_pkt->pkt_private = lp;
	lp_cdb_rw(lp->lp_pkt, write, lba, blocks);
	lp->lp_pkt->pkt_time = pkt_time;
	lp->lp_pkt->pkt_flags = flags;
	lp->lp_pkt->pkt_comp = (flags & FLAG_NOINTR) ? NULL : lp_comp;
	lp->lp_polled = (flags & FLAG_NOINTR) != 0;
	lp->lp_sent = gethrtime();
	rv = scsi_transport(lp->lp_pkt);
	if (rv == TRAN_ACCEPT && lp->lp_polled) {
		lp->lp_comps = 1;
		lp->lp_done = gethrtime();
	}
	return (rv);
}

int
lp_wait(lp_t *lp, int secs)
{
	hrtime_t end = gethrtime() + SEC2NSEC(secs);
	int n;

	mutex_enter(&lp->lp_lock);
	while (lp->lp_comps == 0 && gethrtime() < end) {
		(void) cv_reltimedwait(&lp->lp_cv, &lp->lp_lock,
		    drv_usectohz(100000), TR_CLOCK_TICK);
	}
	mutex_exit(&lp->lp_lock);
	delay(drv_usectohz(10000));	/* a second completion would be late */
	mutex_enter(&lp->lp_lock);
	n = lp->lp_comps;
	mutex_exit(&lp->lp_lock);
	return (n);
}

void
lp_free(lp_t *lp)
{
	if (lp->lp_pkt != NULL)
		scsi_destroy_pkt(lp->lp_pkt);
	fk_scsi_buf_free(lp->lp_buf.b_un.b_addr, lp->lp_buf.b_bcount);
	mutex_destroy(&lp->lp_lock);
	cv_destroy(&lp->lp_cv);
	bzero(lp, sizeof (*lp));
}

int
lp_good(const lp_t *lp)
{
	const struct scsi_pkt *pkt = lp->lp_pkt;

	return (pkt != NULL && pkt->pkt_reason == CMD_CMPLT &&
	    (*pkt->pkt_scbp & STATUS_MASK) == STATUS_GOOD &&
	    pkt->pkt_resid == 0);
}

double
lp_secs(const lp_t *lp)
{
	return ((double)(lp->lp_done - lp->lp_sent) / 1e9);
}

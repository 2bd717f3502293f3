/*
 * rawring: a PVSCSI function's rings driven through the DDI alone (see
 * rawring.h).  Test code, not a driver: it does what the device needs and
 * what strict DMA mode demands, nothing more.
 */

#include <sys/types.h>
#include <sys/ddi.h>
#include <sys/sunddi.h>
#include <sys/ddi_intr.h>
#include <sys/ksynch.h>
#include <sys/sysmacros.h>
#include <fk.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sched.h>

#include "rawring.h"

#define	RR_PAGE		4096
#define	RR_NREQ		(RR_REQ_PAGES * PVSCSI_REQS_PER_PAGE)
#define	RR_NCMP		(RR_CMP_PAGES * PVSCSI_CMPS_PER_PAGE)
#define	RR_NMSG		(RR_MSG_PAGES * PVSCSI_MSGS_PER_PAGE)
#define	RS_OFF(f)	offsetof(pvscsi_rings_state_t, f)

static ddi_device_acc_attr_t rr_acc = {
	.devacc_attr_version = DDI_DEVICE_ATTR_V0,
	.devacc_attr_endian_flags = DDI_STRUCTURE_LE_ACC,
	.devacc_attr_dataorder = DDI_STRICTORDER_ACC,
};

static const ddi_dma_attr_t rr_attr64 = {
	.dma_attr_version = DMA_ATTR_V0,
	.dma_attr_addr_lo = 0,
	.dma_attr_addr_hi = UINT64_MAX,
	.dma_attr_count_max = 0xffffffffULL,
	.dma_attr_align = RR_PAGE,
	.dma_attr_burstsizes = 0x7ff,
	.dma_attr_minxfer = 1,
	.dma_attr_maxxfer = 0xffffffffULL,
	.dma_attr_seg = UINT64_MAX,
	.dma_attr_sgllen = -1,
	.dma_attr_granular = 1,
};

double
rawring_now(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + ts.tv_nsec * 1e-9);
}

/*
 * DMA memory: allocated, bound, zeroed on both sides; the device address
 * of each page noted.
 */
static int
rr_dma_alloc(rawring_t *rr, rr_dma_t *d, size_t len)
{
	const ddi_dma_cookie_t *c;
	size_t real, pg = 0;
	uint64_t a;

	(void) memset(d, 0, sizeof (*d));
	if (ddi_dma_alloc_handle(rr->rr_dip, &rr->rr_attr, DDI_DMA_SLEEP,
	    NULL, &d->rd_h) != DDI_SUCCESS)
		return (-1);
	if (ddi_dma_mem_alloc(d->rd_h, len, &rr_acc, DDI_DMA_CONSISTENT,
	    DDI_DMA_SLEEP, NULL, &d->rd_va, &real, &d->rd_acc) !=
	    DDI_SUCCESS) {
		ddi_dma_free_handle(&d->rd_h);
		return (-1);
	}
	d->rd_len = len;
	(void) memset(d->rd_va, 0, len);
	if (ddi_dma_addr_bind_handle(d->rd_h, NULL, d->rd_va, len,
	    DDI_DMA_RDWR | DDI_DMA_CONSISTENT, DDI_DMA_SLEEP, NULL, NULL,
	    NULL) != DDI_DMA_MAPPED) {
		ddi_dma_mem_free(&d->rd_acc);
		ddi_dma_free_handle(&d->rd_h);
		return (-1);
	}
	d->rd_pa = calloc((len + RR_PAGE - 1) / RR_PAGE, sizeof (uint64_t));
	for (c = ddi_dma_cookie_iter(d->rd_h, NULL); c != NULL;
	    c = ddi_dma_cookie_iter(d->rd_h, c)) {
		for (a = c->dmac_laddress; a < c->dmac_laddress + c->dmac_size;
		    a = (a & ~(uint64_t)(RR_PAGE - 1)) + RR_PAGE)
			d->rd_pa[pg++] = a & ~(uint64_t)(RR_PAGE - 1);
	}
	return (0);
}

static void
rr_dma_free(rr_dma_t *d)
{
	if (d->rd_h == NULL)
		return;
	(void) ddi_dma_unbind_handle(d->rd_h);
	ddi_dma_mem_free(&d->rd_acc);
	ddi_dma_free_handle(&d->rd_h);
	free(d->rd_pa);
	(void) memset(d, 0, sizeof (*d));
}

static uint64_t
rr_pa(const rr_dma_t *d, size_t off)
{
	return (d->rd_pa[off / RR_PAGE] + (off % RR_PAGE));
}

/* A sync, unless the test asked for this one to be left out. */
static void
rr_sync(rawring_t *rr, rr_dma_t *d, size_t off, size_t len, uint_t type,
    rr_fault_t which)
{
	if (rr->rr_fault != RR_FAULT_NONE && rr->rr_fault == which)
		return;
	(void) ddi_dma_sync(d->rd_h, (off_t)off, len, type);
}

static uint32_t
rr_state_get(rawring_t *rr, size_t off)
{
	return (ddi_get32(rr->rr_state.rd_acc,
	    (uint32_t *)(rr->rr_state.rd_va + off)));
}

static void
rr_state_put(rawring_t *rr, size_t off, uint32_t v)
{
	ddi_put32(rr->rr_state.rd_acc, (uint32_t *)(rr->rr_state.rd_va + off),
	    v);
}

uint32_t
rawring_read(rawring_t *rr, uint32_t reg)
{
	return (ddi_get32(rr->rr_regs, (uint32_t *)(rr->rr_base + reg)));
}

void
rawring_write(rawring_t *rr, uint32_t reg, uint32_t v)
{
	ddi_put32(rr->rr_regs, (uint32_t *)(rr->rr_base + reg), v);
}

/* A command and its data dwords; returns COMMAND_STATUS. */
uint32_t
rawring_command(rawring_t *rr, uint32_t cmd, const void *data, size_t len)
{
	uint32_t w;
	size_t i;

	rawring_write(rr, PVSCSI_REG_COMMAND, cmd);
	for (i = 0; i + 4 <= len; i += 4) {
		(void) memcpy(&w, (const uint8_t *)data + i, 4);
		rawring_write(rr, PVSCSI_REG_COMMAND_DATA, w);
	}
	return (rawring_read(rr, PVSCSI_REG_COMMAND_STATUS));
}

int
rawring_open(rawring_t *rr, dev_info_t *dip, const ddi_dma_attr_t *attr)
{
	(void) memset(rr, 0, sizeof (*rr));
	rr->rr_dip = dip;
	rr->rr_attr = attr != NULL ? *attr : rr_attr64;
	mutex_init(&rr->rr_lock, NULL, MUTEX_DRIVER, NULL);
	cv_init(&rr->rr_cv, NULL, CV_DRIVER, NULL);
	if (ddi_regs_map_setup(dip, 1, &rr->rr_base, 0, 0, &rr_acc,
	    &rr->rr_regs) != DDI_SUCCESS) {
		(void) printf("# rawring: cannot map register set 1\n");
		return (-1);
	}
	if (rr_dma_alloc(rr, &rr->rr_state, RR_PAGE) != 0 ||
	    rr_dma_alloc(rr, &rr->rr_req, RR_REQ_PAGES * RR_PAGE) != 0 ||
	    rr_dma_alloc(rr, &rr->rr_cmp, RR_CMP_PAGES * RR_PAGE) != 0 ||
	    rr_dma_alloc(rr, &rr->rr_msg, RR_MSG_PAGES * RR_PAGE) != 0 ||
	    rr_dma_alloc(rr, &rr->rr_sense, RR_SLOTS * RR_SENSE) != 0 ||
	    rr_dma_alloc(rr, &rr->rr_data, RR_SLOTS * RR_DBUF) != 0) {
		(void) printf("# rawring: cannot allocate DMA memory\n");
		rawring_close(rr);
		return (-1);
	}
	return (0);
}

void
rawring_close(rawring_t *rr)
{
	if (rr->rr_regs != NULL) {
		rawring_write(rr, PVSCSI_REG_INTR_MASK, 0);
		(void) rawring_command(rr, PVSCSI_CMD_ADAPTER_RESET, NULL, 0);
	}
	rawring_intr_teardown(rr);
	rr_dma_free(&rr->rr_data);
	rr_dma_free(&rr->rr_sense);
	rr_dma_free(&rr->rr_msg);
	rr_dma_free(&rr->rr_cmp);
	rr_dma_free(&rr->rr_req);
	rr_dma_free(&rr->rr_state);
	if (rr->rr_regs != NULL)
		ddi_regs_map_free(&rr->rr_regs);
	cv_destroy(&rr->rr_cv);
	mutex_destroy(&rr->rr_lock);
}

int
rawring_reset(rawring_t *rr, int msgring)
{
	pvscsi_setup_rings_t sr;
	pvscsi_setup_msg_ring_t mr;
	uint32_t st, reqlog, cmplog, msglog;
	int i;

	(void) rawring_command(rr, PVSCSI_CMD_ADAPTER_RESET, NULL, 0);
	(void) memset(rr->rr_state.rd_va, 0, RR_PAGE);
	(void) memset(rr->rr_req.rd_va, 0, rr->rr_req.rd_len);
	(void) memset(rr->rr_cmp.rd_va, 0, rr->rr_cmp.rd_len);
	(void) memset(rr->rr_msg.rd_va, 0, rr->rr_msg.rd_len);
	(void) ddi_dma_sync(rr->rr_state.rd_h, 0, 0, DDI_DMA_SYNC_FORDEV);
	(void) ddi_dma_sync(rr->rr_req.rd_h, 0, 0, DDI_DMA_SYNC_FORDEV);
	(void) ddi_dma_sync(rr->rr_cmp.rd_h, 0, 0, DDI_DMA_SYNC_FORDEV);
	(void) ddi_dma_sync(rr->rr_msg.rd_h, 0, 0, DDI_DMA_SYNC_FORDEV);

	(void) memset(&sr, 0, sizeof (sr));
	sr.psr_req_pages = RR_REQ_PAGES;
	sr.psr_cmp_pages = RR_CMP_PAGES;
	sr.psr_state_ppn = rr->rr_state.rd_pa[0] >> PVSCSI_PAGE_SHIFT;
	for (i = 0; i < RR_REQ_PAGES; i++)
		sr.psr_req_ppns[i] = rr->rr_req.rd_pa[i] >> PVSCSI_PAGE_SHIFT;
	for (i = 0; i < RR_CMP_PAGES; i++)
		sr.psr_cmp_ppns[i] = rr->rr_cmp.rd_pa[i] >> PVSCSI_PAGE_SHIFT;
	if ((st = rawring_command(rr, PVSCSI_CMD_SETUP_RINGS, &sr,
	    sizeof (sr))) != PVSCSI_STATUS_OK) {
		(void) printf("# rawring: SETUP_RINGS status %#x\n", st);
		return (-1);
	}
	rr->rr_msg_ring = 0;
	if (msgring) {
		(void) memset(&mr, 0, sizeof (mr));
		mr.psm_pages = RR_MSG_PAGES;
		for (i = 0; i < RR_MSG_PAGES; i++) {
			mr.psm_ppns[i] = rr->rr_msg.rd_pa[i] >>
			    PVSCSI_PAGE_SHIFT;
		}
		st = rawring_command(rr, PVSCSI_CMD_SETUP_MSG_RING, &mr,
		    sizeof (mr));
		if (st == PVSCSI_STATUS_FAILED) {
			(void) printf("# rawring: SETUP_MSG_RING failed\n");
			return (-1);
		}
		rr->rr_msg_ring = 1;
	}
	/* The device wrote the ring sizes and zeroed the indices. */
	(void) ddi_dma_sync(rr->rr_state.rd_h, 0, sizeof (pvscsi_rings_state_t),
	    DDI_DMA_SYNC_FORKERNEL);
	reqlog = rr_state_get(rr, RS_OFF(prs_req_log2));
	cmplog = rr_state_get(rr, RS_OFF(prs_cmp_log2));
	msglog = rr_state_get(rr, RS_OFF(prs_msg_log2));
	if ((1U << reqlog) != RR_NREQ || (1U << cmplog) != RR_NCMP ||
	    (msgring && (1U << msglog) != RR_NMSG)) {
		(void) printf("# rawring: ring sizes read back: "
		    "2^%u 2^%u 2^%u\n", reqlog, cmplog, msglog);
		return (-1);
	}
	rr->rr_req_prod = rr_state_get(rr, RS_OFF(prs_req_prod));
	rr->rr_cmp_cons = rr_state_get(rr, RS_OFF(prs_cmp_cons));
	rr->rr_msg_cons = rr_state_get(rr, RS_OFF(prs_msg_cons));
	rawring_write(rr, PVSCSI_REG_INTR_MASK, PVSCSI_INTR_CMPL_MASK |
	    (msgring ? PVSCSI_INTR_MSG_MASK : 0));
	return (0);
}

/*
 * Interrupts: the handler acknowledges the status and wakes the waiter.
 */
static uint_t
rr_isr(caddr_t arg1, caddr_t arg2)
{
	rawring_t *rr = (rawring_t *)arg1;
	uint32_t st;

	(void) arg2;
	st = rawring_read(rr, PVSCSI_REG_INTR_STATUS);
	if (st == 0)
		return (DDI_INTR_UNCLAIMED);
	rawring_write(rr, PVSCSI_REG_INTR_STATUS, st);
	mutex_enter(&rr->rr_lock);
	rr->rr_intr_status |= st;
	rr->rr_intr_seen |= st;
	rr->rr_intrs++;
	cv_broadcast(&rr->rr_cv);
	mutex_exit(&rr->rr_lock);
	return (DDI_INTR_CLAIMED);
}

int
rawring_intr_setup(rawring_t *rr, int type)
{
	int actual = 0, cap = 0;
	uint_t pri = 0;

	if (ddi_intr_alloc(rr->rr_dip, &rr->rr_ih, type, 0, 1, &actual,
	    DDI_INTR_ALLOC_STRICT) != DDI_SUCCESS || actual != 1) {
		(void) printf("# rawring: no interrupt of type %d\n", type);
		return (-1);
	}
	(void) ddi_intr_get_pri(rr->rr_ih, &pri);
	(void) ddi_intr_get_cap(rr->rr_ih, &cap);
	cv_destroy(&rr->rr_cv);
	mutex_destroy(&rr->rr_lock);
	mutex_init(&rr->rr_lock, NULL, MUTEX_DRIVER, DDI_INTR_PRI(pri));
	cv_init(&rr->rr_cv, NULL, CV_DRIVER, NULL);
	if (ddi_intr_add_handler(rr->rr_ih, rr_isr, (caddr_t)rr, NULL) !=
	    DDI_SUCCESS)
		goto fail;
	if (((cap & DDI_INTR_FLAG_BLOCK) != 0 ?
	    ddi_intr_block_enable(&rr->rr_ih, 1) :
	    ddi_intr_enable(rr->rr_ih)) != DDI_SUCCESS) {
		(void) ddi_intr_remove_handler(rr->rr_ih);
		goto fail;
	}
	rr->rr_intr_type = type;
	return (0);
fail:
	(void) ddi_intr_free(rr->rr_ih);
	rr->rr_ih = NULL;
	return (-1);
}

void
rawring_intr_teardown(rawring_t *rr)
{
	int cap = 0;

	if (rr->rr_intr_type == 0)
		return;
	(void) ddi_intr_get_cap(rr->rr_ih, &cap);
	if ((cap & DDI_INTR_FLAG_BLOCK) != 0)
		(void) ddi_intr_block_disable(&rr->rr_ih, 1);
	else
		(void) ddi_intr_disable(rr->rr_ih);
	(void) ddi_intr_remove_handler(rr->rr_ih);
	(void) ddi_intr_free(rr->rr_ih);
	rr->rr_ih = NULL;
	rr->rr_intr_type = 0;
}

/* Wait for the handler (or a little while when polled). */
static void
rr_wait(rawring_t *rr, int ms)
{
	if (rr->rr_intr_type == 0) {
		(void) sched_yield();
		return;
	}
	mutex_enter(&rr->rr_lock);
	if (rr->rr_intr_status == 0) {
		(void) cv_reltimedwait(&rr->rr_cv, &rr->rr_lock,
		    drv_usectohz(ms * 1000), TR_CLOCK_TICK);
	}
	rr->rr_intr_status = 0;
	mutex_exit(&rr->rr_lock);
}

/*
 * I/O.
 */
caddr_t
rawring_slot_data(rawring_t *rr, int slot)
{
	return (rr->rr_data.rd_va + (size_t)slot * RR_DBUF);
}

void
rawring_submit(rawring_t *rr, int slot, int target, const uint8_t *cdb,
    int cdblen, uint32_t len, uint32_t dir)
{
	uint32_t idx = rr->rr_req_prod & (RR_NREQ - 1);
	pvscsi_req_t *req = (pvscsi_req_t *)(rr->rr_req.rd_va +
	    idx * sizeof (pvscsi_req_t));

	(void) memset(req, 0, sizeof (*req));
	req->pr_context = (uint64_t)slot + 1;
	req->pr_data_addr = len > 0 ? rr_pa(&rr->rr_data,
	    (size_t)slot * RR_DBUF) : 0;
	req->pr_data_len = len;
	req->pr_sense_addr = rr_pa(&rr->rr_sense, (size_t)slot * RR_SENSE);
	req->pr_sense_len = RR_SENSE - 4;
	req->pr_flags = dir;
	(void) memcpy(req->pr_cdb, cdb, cdblen);
	req->pr_cdb_len = (uint8_t)cdblen;
	req->pr_tag = PVSCSI_TAG_SIMPLE;
	req->pr_target = (uint8_t)target;
	rr_sync(rr, &rr->rr_req, idx * sizeof (pvscsi_req_t),
	    sizeof (pvscsi_req_t), DDI_DMA_SYNC_FORDEV, RR_FAULT_REQ_FORDEV);
	if (dir == PVSCSI_FLAG_CMD_DIR_TODEVICE && len > 0) {
		rr_sync(rr, &rr->rr_data, (size_t)slot * RR_DBUF, len,
		    DDI_DMA_SYNC_FORDEV, RR_FAULT_NONE);
	}
	rr->rr_req_prod++;
	rr_state_put(rr, RS_OFF(prs_req_prod), rr->rr_req_prod);
	rr_sync(rr, &rr->rr_state, RS_OFF(prs_req_prod), 4,
	    DDI_DMA_SYNC_FORDEV, RR_FAULT_PROD_FORDEV);
}

void
rawring_kick(rawring_t *rr, int rw)
{
	rawring_write(rr, rw ? PVSCSI_REG_KICK_RW_IO :
	    PVSCSI_REG_KICK_NON_RW_IO, 0);
}

int
rawring_reap(rawring_t *rr, rr_cmp_t *out, int max)
{
	uint32_t prod, idx;
	const pvscsi_cmp_t *c;
	int n = 0;

	(void) ddi_dma_sync(rr->rr_state.rd_h, RS_OFF(prs_cmp_prod), 4,
	    DDI_DMA_SYNC_FORKERNEL);
	prod = rr_state_get(rr, RS_OFF(prs_cmp_prod));
	while (rr->rr_cmp_cons != prod && n < max) {
		idx = rr->rr_cmp_cons & (RR_NCMP - 1);
		rr_sync(rr, &rr->rr_cmp, idx * sizeof (pvscsi_cmp_t),
		    sizeof (pvscsi_cmp_t), DDI_DMA_SYNC_FORKERNEL,
		    RR_FAULT_CMP_FORKERNEL);
		c = (const pvscsi_cmp_t *)(rr->rr_cmp.rd_va +
		    idx * sizeof (pvscsi_cmp_t));
		out[n].rc_context = c->pc_context;
		out[n].rc_sense_len = c->pc_sense_len;
		out[n].rc_host_status = c->pc_host_status;
		out[n].rc_scsi_status = c->pc_scsi_status;
		n++;
		rr->rr_cmp_cons++;
	}
	if (n > 0) {
		rr_state_put(rr, RS_OFF(prs_cmp_cons), rr->rr_cmp_cons);
		(void) ddi_dma_sync(rr->rr_state.rd_h, RS_OFF(prs_cmp_cons), 4,
		    DDI_DMA_SYNC_FORDEV);
	}
	return (n);
}

static int
rr_is_rw(uint8_t op)
{
	return (op == 0x08 || op == 0x0a || op == 0x28 || op == 0x2a ||
	    op == 0xa8 || op == 0xaa || op == 0x88 || op == 0x8a);
}

int
rawring_run(rawring_t *rr, int target, const uint8_t *cdb, int cdblen,
    void *buf, uint32_t len, uint32_t dir, rr_cmp_t *cmp, int timeout_ms)
{
	caddr_t data = rawring_slot_data(rr, 0);
	double deadline = rawring_now() + timeout_ms / 1000.0;
	rr_cmp_t c;

	if (len > RR_DBUF)
		return (-3);
	if (len > 0) {
		if (dir == PVSCSI_FLAG_CMD_DIR_TODEVICE)
			(void) memcpy(data, buf, len);
		else
			(void) memset(data, 0, len);
		(void) ddi_dma_sync(rr->rr_data.rd_h, 0, len,
		    DDI_DMA_SYNC_FORDEV);
	}
	rawring_submit(rr, 0, target, cdb, cdblen, len, dir);
	rawring_kick(rr, rr_is_rw(cdb[0]));
	for (;;) {
		if (rawring_reap(rr, &c, 1) == 1)
			break;
		if (rawring_now() > deadline)
			return (-1);
		rr_wait(rr, 10);
	}
	if (cmp != NULL)
		*cmp = c;
	if (c.rc_context != 1)
		return (-2);
	if (dir == PVSCSI_FLAG_CMD_DIR_TOHOST && len > 0) {
		rr_sync(rr, &rr->rr_data, 0, len, DDI_DMA_SYNC_FORKERNEL,
		    RR_FAULT_DATA_FORKERNEL);
		(void) memcpy(buf, data, len);
	}
	return (0);
}

int
rawring_inquiry(rawring_t *rr, int target, uint8_t *buf, rr_cmp_t *cmp)
{
	const uint8_t cdb[6] = { 0x12, 0, 0, 0, 96, 0 };

	return (rawring_run(rr, target, cdb, 6, buf, 96,
	    PVSCSI_FLAG_CMD_DIR_TOHOST, cmp, 5000));
}

/* READ CAPACITY(10), retrying the unit attentions that follow a reset. */
int
rawring_capacity(rawring_t *rr, int target, uint64_t *nblocksp,
    uint32_t *blkszp)
{
	const uint8_t cdb[10] = { 0x25 };
	uint8_t b[8];
	rr_cmp_t c;
	int tries;

	for (tries = 0; tries < 5; tries++) {
		if (rawring_run(rr, target, cdb, 10, b, 8,
		    PVSCSI_FLAG_CMD_DIR_TOHOST, &c, 5000) != 0)
			return (-1);
		if (c.rc_scsi_status == 0 &&
		    (c.rc_host_status == PVSCSI_BTSTAT_SUCCESS ||
		    c.rc_host_status == PVSCSI_BTSTAT_DATARUN))
			break;
	}
	if (tries == 5)
		return (-1);
	*nblocksp = ((uint64_t)b[0] << 24 | (uint64_t)b[1] << 16 |
	    (uint64_t)b[2] << 8 | b[3]) + 1;
	*blkszp = (uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 |
	    (uint32_t)b[6] << 8 | b[7];
	return (0);
}

int
rawring_msgs(rawring_t *rr, pvscsi_msg_dev_t *out, int max, int timeout_ms)
{
	double deadline = rawring_now() + timeout_ms / 1000.0;
	uint32_t prod, idx;
	int n = 0;

	if (!rr->rr_msg_ring)
		return (-1);
	for (;;) {
		(void) ddi_dma_sync(rr->rr_state.rd_h, RS_OFF(prs_msg_prod), 4,
		    DDI_DMA_SYNC_FORKERNEL);
		prod = rr_state_get(rr, RS_OFF(prs_msg_prod));
		while (rr->rr_msg_cons != prod && n < max) {
			idx = rr->rr_msg_cons & (RR_NMSG - 1);
			(void) ddi_dma_sync(rr->rr_msg.rd_h,
			    idx * sizeof (pvscsi_msg_t), sizeof (pvscsi_msg_t),
			    DDI_DMA_SYNC_FORKERNEL);
			(void) memcpy(&out[n++], rr->rr_msg.rd_va +
			    idx * sizeof (pvscsi_msg_t), sizeof (*out));
			rr->rr_msg_cons++;
		}
		if (n > 0) {
			rr_state_put(rr, RS_OFF(prs_msg_cons), rr->rr_msg_cons);
			(void) ddi_dma_sync(rr->rr_state.rd_h,
			    RS_OFF(prs_msg_cons), 4, DDI_DMA_SYNC_FORDEV);
			return (n);
		}
		if (rawring_now() > deadline)
			return (0);
		if (rr->rr_intr_type == 0) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };

			(void) nanosleep(&ts, NULL);
		} else {
			rr_wait(rr, 10);
		}
	}
}

/*
 * The polled benchmark.
 */
static void
rr_read10(uint8_t *cdb, uint32_t lba, uint16_t nblk)
{
	(void) memset(cdb, 0, 10);
	cdb[0] = 0x28;
	cdb[2] = (uint8_t)(lba >> 24);
	cdb[3] = (uint8_t)(lba >> 16);
	cdb[4] = (uint8_t)(lba >> 8);
	cdb[5] = (uint8_t)lba;
	cdb[7] = (uint8_t)(nblk >> 8);
	cdb[8] = (uint8_t)nblk;
}

static uint64_t
rr_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (*s);
}

double
rawring_bench(rawring_t *rr, int target, int qd, double secs,
    uint64_t *errorsp)
{
	uint64_t nblocks, span, seed = 0x9e3779b97f4a7c15ULL, done = 0;
	uint64_t errors = 0;
	rr_cmp_t cmps[RR_SLOTS];
	uint32_t blksz, nblk;
	uint8_t cdb[10];
	double t0, t, end;
	int outstanding = 0, i, n, resub;

	if (qd < 1 || qd > RR_SLOTS || rawring_capacity(rr, target, &nblocks,
	    &blksz) != 0 || blksz == 0 || blksz > RR_DBUF)
		return (-1);
	nblk = RR_DBUF / blksz;
	span = nblocks / nblk;
	if (span > UINT32_MAX / nblk)
		span = UINT32_MAX / nblk;
	for (i = 0; i < qd; i++) {
		rr_read10(cdb, (uint32_t)(rr_rand(&seed) % span) * nblk,
		    (uint16_t)nblk);
		rawring_submit(rr, i, target, cdb, 10, RR_DBUF,
		    PVSCSI_FLAG_CMD_DIR_TOHOST);
		outstanding++;
	}
	rawring_kick(rr, 1);
	t0 = t = rawring_now();
	end = t0 + secs;
	while (outstanding > 0) {
		n = rawring_reap(rr, cmps, RR_SLOTS);
		if (n == 0) {
			if ((t = rawring_now()) > end + 5)
				break;
			continue;
		}
		t = rawring_now();
		resub = 0;
		for (i = 0; i < n; i++) {
			int slot = (int)cmps[i].rc_context - 1;

			done++;
			if (cmps[i].rc_host_status != PVSCSI_BTSTAT_SUCCESS ||
			    cmps[i].rc_scsi_status != 0 || slot < 0 ||
			    slot >= qd)
				errors++;
			if (t >= end || slot < 0 || slot >= qd) {
				outstanding--;
				continue;
			}
			rr_read10(cdb, (uint32_t)(rr_rand(&seed) % span) * nblk,
			    (uint16_t)nblk);
			rawring_submit(rr, slot, target, cdb, 10, RR_DBUF,
			    PVSCSI_FLAG_CMD_DIR_TOHOST);
			resub++;
		}
		if (resub > 0)
			rawring_kick(rr, 1);
	}
	if (errorsp != NULL)
		*errorsp = errors + (uint64_t)outstanding;
	return (outstanding > 0 ? -1 : (double)done / (t - t0));
}

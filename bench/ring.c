/*
 * The device's ceiling: a raw polled ring loop on a PVSCSI function,
 * with no driver, on the lab's rawring library (tests/lab/lib/rawring.h:
 * the rings driven through the DDI alone, with the syncs a driver owes).
 *
 * ring_open() makes a device node with no driver for the function, lets
 * rawring reset the adapter and set the rings up (no message ring), masks
 * the device's interrupts and reads target 0's capacity (rawring retries
 * the unit attention that follows the reset).
 *
 * ring_run() keeps QD requests on the ring: it posts them all and kicks
 * once; then, each time completions arrive, it takes all of them, posts a
 * new request in each freed slot and kicks once for the whole batch.
 * Nothing else runs: no locks, no packets, no DMA binding per I/O, no
 * interrupts.  Timestamps are taken once per batch.
 *
 * rawring's slots hold 4 KiB; a larger I/O (the 128 KiB sequential read)
 * uses a buffer per slot allocated and bound here, described by an SG
 * list, and a request written here into rawring's request ring the way
 * rawring_submit() writes its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/sunddi.h>
#include <sys/scsi/scsi.h>

#include "fk.h"
#include "pvscsi.h"
#include "lib/drv.h"
#include "lib/rawring.h"
#include "iogen.h"

#define	RING_TARGET	0
#define	RING_NREQ	(RR_REQ_PAGES * PVSCSI_REQS_PER_PAGE)
#define	RING_MAXSGE	(PVSCSI_PAGE_SIZE / sizeof (pvscsi_sge_t))
#define	RING_STALL_NS	(10ULL * 1000000000ULL)

/* A slot's own buffer and SG list, for I/Os larger than rawring's. */
typedef struct big_slot {
	rr_dma_t	bs_data;
	rr_dma_t	bs_sgl;
} big_slot_t;

struct ring {
	rawring_t	rg_rr;
	dev_info_t	*rg_dip;
	uint_t		rg_rn;
	uint64_t	rg_nblocks;
	uint32_t	rg_blksize;
	big_slot_t	*rg_big;	/* RR_SLOTS, or NULL */
	uint64_t	rg_t0[RR_SLOTS];
};

static ddi_device_acc_attr_t ring_mem_attr = {
	.devacc_attr_version = DDI_DEVICE_ATTR_V0,
	.devacc_attr_endian_flags = DDI_NEVERSWAP_ACC,
	.devacc_attr_dataorder = DDI_STRICTORDER_ACC
};

/* Data and SG pages: 4 KiB aligned, any number of cookies. */
static ddi_dma_attr_t ring_dma_attr = {
	.dma_attr_version = DMA_ATTR_V0,
	.dma_attr_addr_lo = 0,
	.dma_attr_addr_hi = UINT64_MAX,
	.dma_attr_count_max = UINT32_MAX,
	.dma_attr_align = PVSCSI_PAGE_SIZE,
	.dma_attr_burstsizes = 1,
	.dma_attr_minxfer = 1,
	.dma_attr_maxxfer = UINT32_MAX,
	.dma_attr_seg = UINT64_MAX,
	.dma_attr_sgllen = RING_MAXSGE,
	.dma_attr_granular = 1
};

ring_t *
ring_open(int index)
{
	ring_t *rg = calloc(1, sizeof (*rg));
	int rn;

	if (rg == NULL)
		return (NULL);
	if (fk_pci_claim(drv_aliases) <= index ||
	    (rg->rg_dip = fk_pci_node_create(index, NULL)) == NULL ||
	    (rn = pvscsi_rnumber(rg->rg_dip)) < 0) {
		free(rg);
		return (NULL);
	}
	rg->rg_rn = (uint_t)rn;
	if (rawring_open(&rg->rg_rr, rg->rg_dip, NULL) != 0) {
		fk_pci_node_destroy(rg->rg_dip);
		free(rg);
		return (NULL);
	}
	if (rawring_reset(&rg->rg_rr, 0) != 0 ||
	    (rawring_write(&rg->rg_rr, PVSCSI_REG_INTR_MASK, 0),
	    rawring_capacity(&rg->rg_rr, RING_TARGET, &rg->rg_nblocks,
	    &rg->rg_blksize) != 0) || rg->rg_blksize == 0) {
		ring_close(rg);
		return (NULL);
	}
	return (rg);
}

void
ring_close(ring_t *rg)
{
	if (rg == NULL)
		return;
	rawring_close(&rg->rg_rr);
	fk_pci_node_destroy(rg->rg_dip);
	free(rg);
}

/*
 * Big slots.
 */
static void
big_dma_free(rr_dma_t *d)
{
	if (d->rd_h == NULL)
		return;
	(void) ddi_dma_unbind_handle(d->rd_h);
	ddi_dma_mem_free(&d->rd_acc);
	ddi_dma_free_handle(&d->rd_h);
	memset(d, 0, sizeof (*d));
}

static int
big_dma_alloc(ring_t *rg, rr_dma_t *d, size_t len)
{
	size_t real;

	memset(d, 0, sizeof (*d));
	if (ddi_dma_alloc_handle(rg->rg_dip, &ring_dma_attr, DDI_DMA_SLEEP,
	    NULL, &d->rd_h) != DDI_SUCCESS)
		return (-1);
	if (ddi_dma_mem_alloc(d->rd_h, len, &ring_mem_attr,
	    DDI_DMA_CONSISTENT, DDI_DMA_SLEEP, NULL, &d->rd_va, &real,
	    &d->rd_acc) != DDI_SUCCESS) {
		ddi_dma_free_handle(&d->rd_h);
		return (-1);
	}
	memset(d->rd_va, 0, real);
	if (ddi_dma_addr_bind_handle(d->rd_h, NULL, d->rd_va, len,
	    DDI_DMA_RDWR | DDI_DMA_CONSISTENT, DDI_DMA_SLEEP, NULL, NULL,
	    NULL) != DDI_DMA_MAPPED) {
		ddi_dma_mem_free(&d->rd_acc);
		ddi_dma_free_handle(&d->rd_h);
		memset(d, 0, sizeof (*d));
		return (-1);
	}
	d->rd_len = len;
	return (0);
}

static void
big_free(ring_t *rg)
{
	if (rg->rg_big == NULL)
		return;
	for (int i = 0; i < RR_SLOTS; i++) {
		big_dma_free(&rg->rg_big[i].bs_data);
		big_dma_free(&rg->rg_big[i].bs_sgl);
	}
	free(rg->rg_big);
	rg->rg_big = NULL;
}

/* qd buffers of len bytes, each with its SG list written once. */
static int
big_alloc(ring_t *rg, unsigned qd, size_t len)
{
	if ((rg->rg_big = calloc(RR_SLOTS, sizeof (big_slot_t))) == NULL)
		return (-1);
	for (unsigned i = 0; i < qd; i++) {
		big_slot_t *b = &rg->rg_big[i];
		pvscsi_sge_t *e;
		const ddi_dma_cookie_t *c;
		uint_t n = 0;

		if (big_dma_alloc(rg, &b->bs_data, len) != 0 ||
		    big_dma_alloc(rg, &b->bs_sgl, PVSCSI_PAGE_SIZE) != 0)
			return (-1);
		e = (pvscsi_sge_t *)(void *)b->bs_sgl.rd_va;
		for (c = ddi_dma_cookie_iter(b->bs_data.rd_h, NULL); c != NULL;
		    c = ddi_dma_cookie_iter(b->bs_data.rd_h, c), n++) {
			e[n].psg_addr = c->dmac_laddress;
			e[n].psg_length = (uint32_t)c->dmac_size;
			e[n].psg_flags = 0;
		}
		(void) ddi_dma_sync(b->bs_sgl.rd_h, 0, 0, DDI_DMA_SYNC_FORDEV);
	}
	return (0);
}

/* The device address of a page-divided rawring buffer at off. */
static uint64_t
rr_addr(const rr_dma_t *d, size_t off)
{
	return (d->rd_pa[off / PVSCSI_PAGE_SIZE] + off % PVSCSI_PAGE_SIZE);
}

/* A request on a big slot, published as rawring_submit() does. */
static void
big_submit(ring_t *rg, int slot, const uint8_t *cdb, int cdblen,
    uint32_t len, uint32_t dir)
{
	rawring_t *rr = &rg->rg_rr;
	uint32_t idx = rr->rr_req_prod & (RING_NREQ - 1);
	pvscsi_req_t *req = (pvscsi_req_t *)(void *)(rr->rr_req.rd_va +
	    idx * sizeof (pvscsi_req_t));
	const big_slot_t *b = &rg->rg_big[slot];

	memset(req, 0, sizeof (*req));
	req->pr_context = (uint64_t)slot + 1;
	req->pr_data_addr = ddi_dma_cookie_one(b->bs_sgl.rd_h)->dmac_laddress;
	req->pr_data_len = len;
	req->pr_sense_addr = rr_addr(&rr->rr_sense, (size_t)slot * RR_SENSE);
	req->pr_sense_len = RR_SENSE - 4;
	req->pr_flags = dir | PVSCSI_FLAG_CMD_WITH_SG_LIST;
	memcpy(req->pr_cdb, cdb, (size_t)cdblen);
	req->pr_cdb_len = (uint8_t)cdblen;
	req->pr_tag = PVSCSI_TAG_SIMPLE;
	req->pr_target = RING_TARGET;
	(void) ddi_dma_sync(rr->rr_req.rd_h, (off_t)(idx * sizeof (*req)),
	    sizeof (*req), DDI_DMA_SYNC_FORDEV);
	if (dir == PVSCSI_FLAG_CMD_DIR_TODEVICE)
		(void) ddi_dma_sync(b->bs_data.rd_h, 0, len,
		    DDI_DMA_SYNC_FORDEV);
	rr->rr_req_prod++;
	ddi_put32(rr->rr_state.rd_acc, (uint32_t *)(void *)
	    (rr->rr_state.rd_va + offsetof(pvscsi_rings_state_t,
	    prs_req_prod)), rr->rr_req_prod);
	(void) ddi_dma_sync(rr->rr_state.rd_h,
	    offsetof(pvscsi_rings_state_t, prs_req_prod), 4,
	    DDI_DMA_SYNC_FORDEV);
}

/*
 * The loop.
 */
typedef struct ring_loop {
	const test_t	*rl_test;
	const timing_t	*rl_tm;
	lba_gen_t	rl_lba;
	uint64_t	rl_seed;
	int		rl_phase;	/* 0 warm-up, 1 measured, 2 stop */
	uint64_t	rl_done;
	uint64_t	rl_errors;
	unsigned	rl_outstanding;
	bench_hist_t	rl_hist;
	snap_t		rl_a;
	snap_t		rl_b;
	uint64_t	rl_warm_end;
	uint64_t	rl_secs_ns;
	uint64_t	rl_end;
} ring_loop_t;

static void
slot_post(ring_t *rg, ring_loop_t *rl, int slot, uint64_t now)
{
	const test_t *t = rl->rl_test;
	uint8_t cdb[10] = { t->t_write ? SCMD_WRITE_G1 : SCMD_READ_G1 };
	uint64_t lba = lba_next(&rl->rl_lba, &rl->rl_seed);
	uint32_t nblks = rl->rl_lba.lg_nblks;
	uint32_t dir = t->t_write ? PVSCSI_FLAG_CMD_DIR_TODEVICE :
	    PVSCSI_FLAG_CMD_DIR_TOHOST;

	cdb[2] = (uint8_t)(lba >> 24);
	cdb[3] = (uint8_t)(lba >> 16);
	cdb[4] = (uint8_t)(lba >> 8);
	cdb[5] = (uint8_t)lba;
	cdb[7] = (uint8_t)(nblks >> 8);
	cdb[8] = (uint8_t)nblks;
	if (rg->rg_big != NULL) {
		big_submit(rg, slot, cdb, sizeof (cdb), t->t_bs, dir);
	} else {
		rawring_submit(&rg->rg_rr, slot, RING_TARGET, cdb,
		    sizeof (cdb), t->t_bs, dir);
	}
	rg->rg_t0[slot] = now;
	rl->rl_outstanding++;
}

/* Move through warm-up, window and stop as time passes. */
static void
loop_phase(ring_t *rg, ring_loop_t *rl, uint64_t now)
{
	if (rl->rl_phase == 0 && now >= rl->rl_warm_end) {
		window_open(&rl->rl_a, rg->rg_rn, rl->rl_tm);
		rl->rl_end = rl->rl_a.s_ns + rl->rl_secs_ns;
		rl->rl_phase = 1;
	} else if (rl->rl_phase == 1 && now >= rl->rl_end) {
		rl->rl_phase = 2;
		window_close(&rl->rl_b, rg->rg_rn, rl->rl_tm);
	}
}

/* Take every new completion and refill; the number taken. */
static int
loop_batch(ring_t *rg, ring_loop_t *rl)
{
	rr_cmp_t cmps[RR_SLOTS];
	int n = rawring_reap(&rg->rg_rr, cmps, RR_SLOTS), posted = 0;
	uint64_t now;

	if (n == 0)
		return (0);
	now = now_ns();
	loop_phase(rg, rl, now);
	for (int i = 0; i < n; i++) {
		uint64_t ctx = cmps[i].rc_context;
		int bad = cmps[i].rc_host_status != PVSCSI_BTSTAT_SUCCESS ||
		    cmps[i].rc_scsi_status != STATUS_GOOD;

		if (ctx == 0 || ctx > rl->rl_test->t_qd) {
			rl->rl_errors++;
			continue;
		}
		rl->rl_outstanding--;
		if (rl->rl_phase == 1) {
			bh_add(&rl->rl_hist, now - rg->rg_t0[ctx - 1]);
			rl->rl_done++;
			rl->rl_errors += (uint64_t)bad;
		}
		if (rl->rl_phase != 2) {
			slot_post(rg, rl, (int)ctx - 1, now);
			posted++;
		}
	}
	if (posted != 0)
		rawring_kick(&rg->rg_rr, 1);
	return (n);
}

int
ring_run(ring_t *rg, const test_t *t, const timing_t *tm,
    bench_result_t *res)
{
	ring_loop_t *rl = calloc(1, sizeof (*rl));
	uint64_t now, last;
	unsigned spins = 0;
	int rv = -1;

	if (rl == NULL || t->t_qd > RR_SLOTS ||
	    t->t_bs > RING_MAXSGE * PVSCSI_PAGE_SIZE ||
	    t->t_bs % rg->rg_blksize != 0)
		goto out;
	if (t->t_bs > RR_DBUF && big_alloc(rg, t->t_qd, t->t_bs) != 0)
		goto out;
	rl->rl_test = t;
	rl->rl_tm = tm;
	lba_init(&rl->rl_lba, t, rg->rg_nblocks, rg->rg_blksize);
	rl->rl_seed = 0x9E3779B97F4A7C15ULL ^ now_ns();
	now = last = now_ns();
	rl->rl_warm_end = now + (uint64_t)(tm->tm_warmup * 1e9);
	rl->rl_secs_ns = (uint64_t)(tm->tm_secs * 1e9);
	for (unsigned i = 0; i < t->t_qd; i++)
		slot_post(rg, rl, (int)i, now);
	rawring_kick(&rg->rg_rr, 1);
	while (rl->rl_phase != 2 || rl->rl_outstanding != 0) {
		if (loop_batch(rg, rl) != 0) {
			last = now_ns();
			continue;
		}
		__builtin_ia32_pause();
		if ((++spins & 0xff) != 0)
			continue;
		now = now_ns();
		loop_phase(rg, rl, now);
		if (now - last > RING_STALL_NS) {
			fprintf(stderr, "ring: no completion for 10 s, %u "
			    "outstanding\n", rl->rl_outstanding);
			goto out;
		}
	}
	snap_diff(&rl->rl_a, &rl->rl_b, res);
	res->br_ios = (double)rl->rl_done;
	res->br_errors = (double)rl->rl_errors;
	res->br_p50_us = (double)bh_pct(&rl->rl_hist, 0.50) / 1e3;
	res->br_p99_us = (double)bh_pct(&rl->rl_hist, 0.99) / 1e3;
	rv = 0;
out:
	big_free(rg);
	free(rl);
	return (rv);
}

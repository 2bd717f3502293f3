/*
 * This file and its contents are supplied under the terms of the
 * Common Development and Distribution License ("CDDL"), version 1.0.
 * You may only use this file in accordance with the terms of version
 * 1.0 of the CDDL.
 *
 * A full copy of the text of the CDDL should have accompanied this
 * source.  A copy of the CDDL is also available via the Internet at
 * http://www.illumos.org/license/CDDL.
 */

/*
 * Copyright 2026 The pvscsi project authors
 */

/*
 * pvscsi: VMware paravirtual SCSI host bus adapter driver.
 *
 * Overview
 * --------
 *
 * PVSCSI is an HBA made of shared-memory rings: we post requests on one; the
 * host posts completions on another, and device arrivals and departures on a
 * message ring.  The framework allocates our packets (tran_setup_pkt(9E)) and
 * binds their data.  The adapter is an iport(9) HBA; its iport, "iport0", has a
 * target map naming targets by number in hex, and so LUNs "target,lun" (hex).
 *
 * Hardware interface
 * ------------------
 *
 * A command is an id written to COMMAND, descriptor dwords to COMMAND_DATA,
 * and a read of COMMAND_STATUS.  SETUP_RINGS and SETUP_MSG_RING give the
 * device our ring pages and the rings state page, which holds the free-running
 * ring indices.  Optional commands are tried, and a refusal accepted.  Memory
 * changes hands only by ddi_dma_sync(9F) of the bytes handed over, as the
 * rings state page mixes our fields and the device's: entries, then the
 * producer index, FORDEV before a kick; the producer index, then entries,
 * FORKERNEL before reading; the consumer index FORDEV after.  A packet owns a
 * page, from its constructor, for its SG list (never chained) and sense data.
 * The device never checks the completion ring for room, so we have a slot per
 * request ring entry and a completion ring as large.  A context is a slot and
 * a 16-bit generation (never 0, upper 32 bits clear): lookup is O(1), stale
 * contexts are caught.  Nothing the device writes is trusted: bad contexts and
 * messages are counted, logged now and then, and ignored; a producer index
 * over a ring ahead resets the adapter; lengths are clamped; unknown host
 * statuses are CMD_TRAN_ERR; INTR_STATUS reading all-ones means the device is
 * gone: we stop touching it and fail all commands with CMD_DEV_GONE.
 *
 * Command lifecycle
 * -----------------
 *
 *   tran_start() --- no free slot ---> WAITING (pvs_waitq)
 *        | free slot                     | slot freed      | aborted,
 *        v                               | pvscsi_drain()  | reset
 *   OUTSTANDING (pvs_slots[]) <----------+                 |
 *        | completion, reset or device loss                |
 *        v pvscsi_cmd_done()                               |
 *   DONE, on a done list, under pvs_lock <-----------------+
 *        | pvs_lock dropped
 *        v
 *   scsi_hba_pkt_comp()       (polled: PVSCSI_CMDF_DONE, the poller returns)
 *
 * Only a command in a slot or on the wait queue can complete, and that
 * removes it: each completes once.  The wait queue is unbounded: no packet
 * is refused, and nothing printed, for want of room.
 *
 * Locking and interrupts
 * ----------------------
 *
 * pvs_lock, at interrupt priority, covers all mutable state but pvs_present
 * (the discovery task's).  It is never held across calls out of the driver:
 * completions are collected under it and passed to scsi_hba_pkt_comp() after,
 * so target drivers may resubmit from pkt_comp.  While a thread delivers
 * completions (pvs_delivering), requests queued meanwhile wait for its kick (a
 * poller kicks for its own, an abort or reset first kicks what it must reach):
 * resubmissions cost one register write.  One vector: MSI-X, MSI or FIXED.  On
 * a FIXED line the handler reads INTR_STATUS (0: not ours) and writes it back;
 * a message interrupt needs neither.  It takes all completions and messages,
 * refills freed slots from the wait queue, and kicks once.
 *
 * Timeouts, recovery and polled I/O
 * ---------------------------------
 *
 * pkt_time counts from submission to the device.  A 1 Hz timeout(9F) services
 * the rings (against lost interrupts) and escalates for expired packets, a step
 * per pvscsi_recovery_time: ABORT_CMD, RESET_DEVICE, RESET_BUS, adapter reset,
 * each skipped once the packet has had it (pvc_stat: a reset for one packet
 * counts for all it hits).  The packet ends CMD_TIMEOUT, with STAT_TIMEOUT and
 * the steps' statistics.  tran_abort(9E) and tran_reset(9E) use the same
 * commands; the device completes the packets: ABORTQUEUE as CMD_ABORTED,
 * BUSRESET as CMD_RESET with STAT_DEV_RESET or STAT_BUS_RESET as we reset.
 * Packets waiting for a slot end at once, CMD_ABORTED or CMD_RESET with
 * STAT_ABORTED.  An adapter reset holds pvs_lock throughout: ADAPTER_RESET (the
 * device writes what it cancels to the old completion ring, and may interrupt:
 * the handler waits), reap, fail the rest with CMD_RESET and STAT_BUS_RESET,
 * set the rings up, rewrite INTR_MASK (a reset keeps it), resubmit the wait
 * queue.  FLAG_NOINTR packets jump the wait queue and their submitter services
 * the rings, pausing with drv_usecwait(9F), so dumps work without interrupts;
 * it drives their recovery after pkt_time (or pvscsi_poll_time).
 *
 * Discovery and hotplug
 * ---------------------
 *
 * A task probes targets 0 to the maximum (CONFIG's numPhys, else
 * GET_MAX_TARGETS, else pvscsi_max_targets) with polled INQUIRYs (a
 * selection timeout means absent) and reports the set to a FULLSET target
 * map.  A message about LUN 0 asks for such a scan, one about another LUN
 * for scsi_hba_tgtmap_scan_luns().  Each interrupt takes all messages and
 * dispatches the task once; what comes during a scan causes another.  The
 * device drops messages only when the ring is full: a full ring, like a
 * reset, causes a scan of the current state.
 *
 * Detach and quiesce
 * ------------------
 *
 * pvs_attach records attach steps; pvscsi_cleanup() undoes exactly those.
 * The iport's detach destroys the target map once discovery is idle; the
 * adapter's fails while commands are pending.  quiesce(9E) masks interrupts
 * and resets the adapter.  A virtual bus needs no tran_quiesce(9E).
 *
 * Tunables
 * --------
 *
 * pvscsi_ring_pages	request ring pages (32 requests each), 1 to 32, 2^n
 * pvscsi_max_targets	targets to scan if the device does not say
 * pvscsi_poll_time	seconds for a polled packet without pkt_time
 * pvscsi_recovery_time	seconds between recovery steps
 */

#include <sys/types.h>
#include <sys/ddi.h>
#include <sys/sunddi.h>
#include <sys/sysmacros.h>
#include <sys/byteorder.h>
#include <sys/list.h>
#include <sys/time.h>
#include <sys/kstat.h>
#include <sys/scsi/scsi.h>

#include "pvscsi.h"
#include "pvscsi_var.h"

uint_t pvscsi_ring_pages = 8;
uint_t pvscsi_max_targets = 16;
uint_t pvscsi_poll_time = 30;
uint_t pvscsi_recovery_time = 5;

#define	PVSCSI_PROBE_TIME	5	/* seconds */
#define	PVSCSI_INQ_LEN		36
#define	PVSCSI_POLL_USEC	10

#define	PVSCSI_DONE_INIT(l) list_create((l), sizeof (pvscsi_cmd_t), \
	offsetof(pvscsi_cmd_t, pvc_node))
#define	PVSCSI_STATE(pvs) \
	((pvscsi_rings_state_t *)(void *)(pvs)->pvs_state_dma.pvb_kva)
/* Is cmd for target t and LUN l (< 0: any)? */
#define	PVSCSI_AT(cmd, t, l) ((cmd) != NULL && ((t) < 0 || \
	((cmd)->pvc_target == (t) && ((l) < 0 || (cmd)->pvc_lun == (l)))))
#define	PVSCSI_TGT(ap) \
	((pvscsi_tgt_t *)scsi_device_hba_private_get(scsi_address_device(ap)))
#define	PVSCSI_SYNC_STATE(pvs, field, dir) \
	(void) ddi_dma_sync((pvs)->pvs_state_dma.pvb_dmah, \
	    offsetof(pvscsi_rings_state_t, field), sizeof (uint32_t), (dir))

static ddi_device_acc_attr_t pvscsi_reg_attr = {
	.devacc_attr_version = DDI_DEVICE_ATTR_V1,
	.devacc_attr_endian_flags = DDI_STRUCTURE_LE_ACC,
	.devacc_attr_dataorder = DDI_STRICTORDER_ACC,
	.devacc_attr_access = DDI_DEFAULT_ACC
};

static ddi_device_acc_attr_t pvscsi_mem_attr = {
	.devacc_attr_version = DDI_DEVICE_ATTR_V0,
	.devacc_attr_endian_flags = DDI_NEVERSWAP_ACC,
	.devacc_attr_dataorder = DDI_STRICTORDER_ACC
};

/*
 * Rings and packet pages: 4 KiB pages anywhere, one cookie (PPN) per page.
 */
static ddi_dma_attr_t pvscsi_ctl_dma_attr = {
	.dma_attr_version = DMA_ATTR_V0,
	.dma_attr_addr_hi = UINT64_MAX,
	.dma_attr_count_max = PVSCSI_PAGE_SIZE - 1,
	.dma_attr_align = PVSCSI_PAGE_SIZE,
	.dma_attr_burstsizes = 1,
	.dma_attr_minxfer = 1,
	.dma_attr_maxxfer = PVSCSI_MAX_RING_PAGES * PVSCSI_PAGE_SIZE,
	.dma_attr_seg = PVSCSI_PAGE_SIZE - 1,
	.dma_attr_sgllen = PVSCSI_MAX_RING_PAGES,
	.dma_attr_granular = 1
};

/*
 * Packet data: anywhere, in at most PVSCSI_MAX_SGL 32-bit-long elements.
 */
static ddi_dma_attr_t pvscsi_io_dma_attr = {
	.dma_attr_version = DMA_ATTR_V0,
	.dma_attr_addr_hi = UINT64_MAX,
	.dma_attr_count_max = UINT32_MAX,
	.dma_attr_align = 1,
	.dma_attr_burstsizes = 1,
	.dma_attr_minxfer = 1,
	.dma_attr_maxxfer = PVSCSI_MAX_XFER,
	.dma_attr_seg = UINT64_MAX,
	.dma_attr_sgllen = PVSCSI_MAX_SGL,
	.dma_attr_granular = 1
};

/*
 * How host statuses end packets (CMD_CMPLT: the target ran the command).
 */
static const struct {
	uint16_t	phm_host;
	uchar_t		phm_reason;
	uint_t		phm_stat;
} pvscsi_host_map[] = {
	{ PVSCSI_BTSTAT_SUCCESS,	CMD_CMPLT,	0 },
	{ PVSCSI_BTSTAT_DATA_UNDERRUN,	CMD_CMPLT,	0 },
	{ PVSCSI_BTSTAT_DATARUN,	CMD_CMPLT,	0 },
	{ PVSCSI_BTSTAT_SELTIMEO,	CMD_DEV_GONE,	0 },
	{ PVSCSI_BTSTAT_ABORTQUEUE,	CMD_ABORTED,	STAT_ABORTED },
	{ PVSCSI_BTSTAT_BUSRESET,	CMD_RESET,	STAT_BUS_RESET },
	{ PVSCSI_BTSTAT_SENTRST,	CMD_RESET,	STAT_DEV_RESET },
	{ PVSCSI_BTSTAT_RECVRST,	CMD_RESET,	STAT_BUS_RESET },
	{ PVSCSI_BTSTAT_TAGREJECT,	CMD_TAG_REJECT,	0 },
	{ PVSCSI_BTSTAT_BADMSG,		CMD_BADMSG,	0 },
	{ PVSCSI_BTSTAT_BUSFREE,	CMD_UNX_BUS_FREE,	0 },
	{ PVSCSI_BTSTAT_HATIMEOUT,	CMD_TIMEOUT,	STAT_TIMEOUT },
	{ PVSCSI_BTSTAT_SCSIPARITY,	CMD_TRAN_ERR,	STAT_PERR }
};

static void pvscsi_discover(void *);

/*
 * INTR_STATUS reading all-ones (no legal value) means the device is gone.
 */
static uint32_t
pvscsi_get(pvscsi_softc_t *pvs, uint_t reg)
{
	uint32_t val;

	if (pvs->pvs_gone)
		return (UINT32_MAX);
	val = ddi_get32(pvs->pvs_regh, (void *)(pvs->pvs_regs + reg));
	if (val == UINT32_MAX && reg == PVSCSI_REG_INTR_STATUS) {
		pvs->pvs_gone = B_TRUE;
		dev_err(pvs->pvs_dip, CE_WARN, "device not responding");
	}
	return (val);
}

static void
pvscsi_put(pvscsi_softc_t *pvs, uint_t reg, uint32_t val)
{
	if (!pvs->pvs_gone)
		ddi_put32(pvs->pvs_regh, (void *)(pvs->pvs_regs + reg), val);
}

/*
 * Command descriptors go out as dwords; a 64-bit field low dword first.
 */
static void
pvscsi_dw64(uint32_t *dw, size_t off, uint64_t val)
{
	dw[off / 4] = (uint32_t)val;
	dw[off / 4 + 1] = (uint32_t)(val >> 32);
}

static void
pvscsi_dw_ppns(uint32_t *dw, size_t off, pvscsi_dma_t *d)
{
	for (uint_t i = 0; i < d->pvb_size / PVSCSI_PAGE_SIZE; i++) {
		pvscsi_dw64(dw, off + i * sizeof (uint64_t), ddi_dma_cookie_get(
		    d->pvb_dmah, i)->dmac_laddress >> PVSCSI_PAGE_SHIFT);
	}
}

static uint32_t
pvscsi_command(pvscsi_softc_t *pvs, uint32_t cmd, uint32_t *dw, size_t ndw)
{
	pvscsi_put(pvs, PVSCSI_REG_COMMAND, cmd);
	/* An unknown command fails at once; it must be sent no data. */
	if (ndw != 0 && pvscsi_get(pvs, PVSCSI_REG_COMMAND_STATUS) !=
	    PVSCSI_STATUS_FAILED && !pvs->pvs_gone) {
		ddi_rep_put32(pvs->pvs_regh, dw, (uint32_t *)(pvs->pvs_regs +
		    PVSCSI_REG_COMMAND_DATA), ndw, DDI_DEV_NO_AUTOINCR);
	}
	return (pvscsi_get(pvs, PVSCSI_REG_COMMAND_STATUS));
}

static void
pvscsi_dma_free(pvscsi_dma_t *d)
{
	if (d->pvb_size != 0)
		(void) ddi_dma_unbind_handle(d->pvb_dmah);
	if (d->pvb_acch != NULL)
		ddi_dma_mem_free(&d->pvb_acch);
	if (d->pvb_dmah != NULL)
		ddi_dma_free_handle(&d->pvb_dmah);
	bzero(d, sizeof (*d));
}

static int
pvscsi_dma_alloc(pvscsi_softc_t *pvs, pvscsi_dma_t *d, size_t size,
    int kmflag)
{
	int (*wait)(caddr_t) = (kmflag == KM_SLEEP) ? DDI_DMA_SLEEP :
	    DDI_DMA_DONTWAIT;
	size_t real;

	bzero(d, sizeof (*d));
	if (ddi_dma_alloc_handle(pvs->pvs_dip, &pvscsi_ctl_dma_attr, wait,
	    NULL, &d->pvb_dmah) != DDI_SUCCESS ||
	    ddi_dma_mem_alloc(d->pvb_dmah, size, &pvscsi_mem_attr,
	    DDI_DMA_CONSISTENT, wait, NULL, &d->pvb_kva, &real,
	    &d->pvb_acch) != DDI_SUCCESS)
		goto fail;
	bzero(d->pvb_kva, real);
	if (ddi_dma_addr_bind_handle(d->pvb_dmah, NULL, d->pvb_kva, size,
	    DDI_DMA_RDWR | DDI_DMA_CONSISTENT, wait, NULL, NULL, NULL) !=
	    DDI_DMA_MAPPED)
		goto fail;
	d->pvb_size = size;
	if (ddi_dma_ncookies(d->pvb_dmah) != size / PVSCSI_PAGE_SIZE)
		goto fail;
	d->pvb_pa = ddi_dma_cookie_get(d->pvb_dmah, 0)->dmac_laddress;
	return (DDI_SUCCESS);
fail:
	pvscsi_dma_free(d);
	return (DDI_FAILURE);
}

/*
 * The device wrote something we ignore or correct: count it in its kstat,
 * and log it the first, second, fourth, eighth... time.
 */
static void
pvscsi_device_error(pvscsi_softc_t *pvs, kstat_named_t *kn, uint64_t val)
{
	uint64_t n = ++kn->value.ui64;

	ASSERT(MUTEX_HELD(&pvs->pvs_lock));
	if (ISP2(n)) {
		dev_err(pvs->pvs_dip, CE_WARN, "!%s 0x%llx from the device "
		    "(%llu so far)", kn->name, (u_longlong_t)val,
		    (u_longlong_t)n);
	}
}

/*
 * Describe a packet's CDB and data.  The direction comes from the data
 * binding, which follows the CDB: the device must never be given one that
 * contradicts the CDB, so when in doubt we give none.
 */
static void
pvscsi_req_pkt(pvscsi_cmd_t *cmd, pvscsi_req_t *req)
{
	struct scsi_pkt *pkt = cmd->pvc_pkt;
	pvscsi_sge_t *sge = (void *)cmd->pvc_dma.pvb_kva;
	uint_t n = pkt->pkt_numcookies, dir = pkt->pkt_dma_flags & DDI_DMA_RDWR;
	uint32_t flags = (dir == DDI_DMA_READ) ? PVSCSI_FLAG_CMD_DIR_TOHOST :
	    (dir == DDI_DMA_WRITE) ? PVSCSI_FLAG_CMD_DIR_TODEVICE : 0;

	bcopy(pkt->pkt_cdbp, req->pr_cdb, pkt->pkt_cdblen);
	req->pr_cdb_len = (uint8_t)pkt->pkt_cdblen;
	req->pr_tag = (pkt->pkt_flags & FLAG_HTAG) ? PVSCSI_TAG_HEAD :
	    (pkt->pkt_flags & FLAG_OTAG) ? PVSCSI_TAG_ORDERED :
	    PVSCSI_TAG_SIMPLE;
	cmd->pvc_xfer = 0;
	if (n == 0) {
		req->pr_flags = LE_32(PVSCSI_FLAG_CMD_DIR_NONE);
		return;
	}
	for (uint_t i = 0; i < n; i++) {
		const ddi_dma_cookie_t *c = &pkt->pkt_cookies[i];

		cmd->pvc_xfer += c->dmac_size;
		sge[i].psg_addr = LE_64(c->dmac_laddress);
		sge[i].psg_length = LE_32((uint32_t)c->dmac_size);
		sge[i].psg_flags = 0;
	}
	if (n == 1) {
		req->pr_data_addr = LE_64(pkt->pkt_cookies[0].dmac_laddress);
	} else {
		(void) ddi_dma_sync(cmd->pvc_dma.pvb_dmah, 0,
		    n * sizeof (*sge), DDI_DMA_SYNC_FORDEV);
		req->pr_data_addr = LE_64(cmd->pvc_dma.pvb_pa);
		flags |= PVSCSI_FLAG_CMD_WITH_SG_LIST;
	}
	req->pr_data_len = LE_64((uint64_t)cmd->pvc_xfer);
	req->pr_flags = LE_32(flags);
}

/*
 * Put a command in a free slot and on the request ring; pvscsi_kick()
 * publishes it.  The discovery probe is an INQUIRY into its own page.
 */
static void
pvscsi_submit(pvscsi_softc_t *pvs, pvscsi_cmd_t *cmd)
{
	uint_t idx = pvs->pvs_req_prod++ & (pvs->pvs_nslots - 1);
	pvscsi_req_t *req = (pvscsi_req_t *)(void *)pvs->pvs_req_dma.pvb_kva +
	    idx;
	struct scsi_pkt *pkt = cmd->pvc_pkt;
	uint16_t slot;
	uint8_t op;
	int secs;

	ASSERT(MUTEX_HELD(&pvs->pvs_lock));
	cmd->pvc_flags &= ~PVSCSI_CMDF_QUEUED;
	slot = pvs->pvs_free[--pvs->pvs_nfree];
	pvs->pvs_slots[slot] = cmd;
	if (++pvs->pvs_gen == 0)
		pvs->pvs_gen = 1;
	cmd->pvc_ctx = ((uint32_t)pvs->pvs_gen << PVSCSI_CTX_GEN_SHIFT) | slot;
	cmd->pvc_stat = 0;
	bzero(req, sizeof (*req));
	req->pr_context = LE_64((uint64_t)cmd->pvc_ctx);
	req->pr_target = cmd->pvc_target;
	req->pr_lun[1] = cmd->pvc_lun;
	req->pr_sense_addr = LE_64(cmd->pvc_dma.pvb_pa + PVSCSI_SENSE_OFF);
	req->pr_sense_len = LE_32(PVSCSI_SENSE_LEN);
	if (pkt != NULL) {
		pvscsi_req_pkt(cmd, req);
	} else {
		req->pr_cdb[0] = SCMD_INQUIRY;
		req->pr_cdb[4] = PVSCSI_INQ_LEN;
		req->pr_cdb_len = CDB_GROUP0;
		req->pr_tag = PVSCSI_TAG_SIMPLE;
		req->pr_flags = LE_32(PVSCSI_FLAG_CMD_DIR_TOHOST);
		req->pr_data_addr = LE_64(cmd->pvc_dma.pvb_pa);
		req->pr_data_len = LE_64((uint64_t)PVSCSI_INQ_LEN);
		cmd->pvc_xfer = PVSCSI_INQ_LEN;
	}
	(void) ddi_dma_sync(pvs->pvs_req_dma.pvb_dmah, idx * sizeof (*req),
	    sizeof (*req), DDI_DMA_SYNC_FORDEV);
	op = req->pr_cdb[0];
	if (op != SCMD_READ && op != SCMD_WRITE && op != SCMD_READ_G1 &&
	    op != SCMD_WRITE_G1 && op != SCMD_READ_G4 && op != SCMD_WRITE_G4 &&
	    op != SCMD_READ_G5 && op != SCMD_WRITE_G5)
		pvs->pvs_kick = PVSCSI_REG_KICK_NON_RW_IO;
	else if (pvs->pvs_kick == 0)
		pvs->pvs_kick = PVSCSI_REG_KICK_RW_IO;

	secs = (pkt != NULL) ? MAX(pkt->pkt_time, 0) : PVSCSI_PROBE_TIME;
	if (secs == 0 && (cmd->pvc_flags & PVSCSI_CMDF_POLLED))
		secs = pvscsi_poll_time;
	cmd->pvc_expire = (secs == 0) ? 0 : gethrtime() + SEC2NSEC(secs);
}

/*
 * Publish the new requests and kick the device.  A host that maintains
 * reqCallThreshold works through the ring by itself, and wants a
 * read/write kick only once that many requests wait.
 */
static void
pvscsi_kick(pvscsi_softc_t *pvs)
{
	pvscsi_rings_state_t *st = PVSCSI_STATE(pvs);

	ASSERT(MUTEX_HELD(&pvs->pvs_lock));
	if (pvs->pvs_kick == 0)
		return;
	st->prs_req_prod = LE_32(pvs->pvs_req_prod);
	PVSCSI_SYNC_STATE(pvs, prs_req_prod, DDI_DMA_SYNC_FORDEV);
	if (pvs->pvs_threshold && pvs->pvs_kick == PVSCSI_REG_KICK_RW_IO) {
		PVSCSI_SYNC_STATE(pvs, prs_req_cons, DDI_DMA_SYNC_FORKERNEL);
		PVSCSI_SYNC_STATE(pvs, prs_req_call_threshold,
		    DDI_DMA_SYNC_FORKERNEL);
		if (pvs->pvs_req_prod - LE_32(st->prs_req_cons) <
		    LE_32(st->prs_req_call_threshold))
			pvs->pvs_kick = 0;
	}
	if (pvs->pvs_kick != 0)
		pvscsi_put(pvs, pvs->pvs_kick, 0);
	pvs->pvs_kick = 0;
}

static void
pvscsi_drain(pvscsi_softc_t *pvs)
{
	pvscsi_cmd_t *cmd;

	ASSERT(MUTEX_HELD(&pvs->pvs_lock));
	while (pvs->pvs_nfree > 0 &&
	    (cmd = list_remove_head(&pvs->pvs_waitq)) != NULL)
		pvscsi_submit(pvs, cmd);
}

static int
pvscsi_enqueue(pvscsi_softc_t *pvs, pvscsi_cmd_t *cmd, boolean_t head)
{
	ASSERT(MUTEX_HELD(&pvs->pvs_lock));
	if (pvs->pvs_gone)
		return (TRAN_FATAL_ERROR);
	cmd->pvc_flags |= PVSCSI_CMDF_QUEUED;
	if (head)
		list_insert_head(&pvs->pvs_waitq, cmd);
	else
		list_insert_tail(&pvs->pvs_waitq, cmd);
	pvscsi_drain(pvs);
	if (pvs->pvs_delivering == 0)
		pvscsi_kick(pvs);
	return (TRAN_ACCEPT);
}

static uchar_t
pvscsi_host_reason(uint16_t host, uint_t *statp)
{
	for (uint_t i = 0; i < ARRAY_SIZE(pvscsi_host_map); i++) {
		if (pvscsi_host_map[i].phm_host == host) {
			*statp = pvscsi_host_map[i].phm_stat;
			return (pvscsi_host_map[i].phm_reason);
		}
	}
	*statp = 0;
	return (CMD_TRAN_ERR);
}

static void
pvscsi_arq(pvscsi_cmd_t *cmd, uint32_t slen)
{
	struct scsi_pkt *pkt = cmd->pvc_pkt;
	struct scsi_arq_status *arq = (void *)pkt->pkt_scbp;
	size_t avail, n;

	if (pkt->pkt_scblen < sizeof (*arq) || slen == 0)
		return;
	avail = pkt->pkt_scblen -
	    offsetof(struct scsi_arq_status, sts_sensedata);
	n = MIN(MIN(slen, PVSCSI_SENSE_LEN), avail);
	(void) ddi_dma_sync(cmd->pvc_dma.pvb_dmah, PVSCSI_SENSE_OFF, n,
	    DDI_DMA_SYNC_FORKERNEL);
	bcopy(cmd->pvc_dma.pvb_kva + PVSCSI_SENSE_OFF, &arq->sts_sensedata, n);
	*(uchar_t *)&arq->sts_rqpkt_status = STATUS_GOOD;
	arq->sts_rqpkt_reason = CMD_CMPLT;
	arq->sts_rqpkt_resid = (uchar_t)MIN(avail - n, UINT8_MAX);
	arq->sts_rqpkt_state = STATE_GOT_BUS | STATE_GOT_TARGET |
	    STATE_SENT_CMD | STATE_XFERRED_DATA | STATE_GOT_STATUS;
	arq->sts_rqpkt_statistics = 0;
	pkt->pkt_state |= STATE_ARQ_DONE |
	    (avail > SENSE_LENGTH ? STATE_XARQ_DONE : 0);
}

/*
 * Translate a completion: status and sense whatever the host status (CHECK
 * CONDITION often comes with DATARUN); a data length of 0 (QEMU's) is all of
 * it.  A length over the request or sense buffer, or an unknown host status,
 * is a device error.
 */
static void
pvscsi_cmp_status(pvscsi_softc_t *pvs, pvscsi_cmd_t *cmd,
    const pvscsi_cmp_t *cmp)
{
	struct scsi_pkt *pkt = cmd->pvc_pkt;
	uint8_t ss = (uint8_t)LE_16(cmp->pc_scsi_status);
	uint64_t dl = LE_64(cmp->pc_data_len);
	uint_t stat, rst = cmd->pvc_stat & (STAT_DEV_RESET | STAT_BUS_RESET);
	uchar_t reason;

	cmd->pvc_host = LE_16(cmp->pc_host_status);
	if (pkt == NULL)
		return;
	reason = pvscsi_host_reason(cmd->pvc_host, &stat);
	if (cmd->pvc_host == PVSCSI_BTSTAT_BUSRESET && rst != 0)
		stat = rst;
	pkt->pkt_reason = reason;
	pkt->pkt_statistics |= stat;
	pkt->pkt_state |= STATE_GOT_BUS;
	if (cmd->pvc_host != PVSCSI_BTSTAT_SELTIMEO)
		pkt->pkt_state |= STATE_GOT_TARGET | STATE_SENT_CMD;
	pkt->pkt_resid = cmd->pvc_xfer;
	if (reason == CMD_CMPLT || ss != STATUS_GOOD) {
		if (pkt->pkt_scblen > 0)
			*pkt->pkt_scbp = ss;
		pkt->pkt_state |= STATE_GOT_STATUS;
		if (ss == STATUS_CHECK)
			pvscsi_arq(cmd, LE_32(cmp->pc_sense_len));
	}
	if (reason == CMD_CMPLT && (ss == STATUS_GOOD || dl != 0)) {
		pkt->pkt_resid = (dl != 0 && dl < cmd->pvc_xfer) ?
		    cmd->pvc_xfer - dl : 0;
		if ((size_t)pkt->pkt_resid < cmd->pvc_xfer)
			pkt->pkt_state |= STATE_XFERRED_DATA;
	}
	if (dl > cmd->pvc_xfer) {
		pvscsi_device_error(pvs, &pvs->pvs_stats.pst_bad_data_length,
		    dl);
	}
	if (LE_32(cmp->pc_sense_len) > PVSCSI_SENSE_LEN) {
		pvscsi_device_error(pvs, &pvs->pvs_stats.pst_sense_clamped,
		    LE_32(cmp->pc_sense_len));
	}
	if (reason == CMD_TRAN_ERR && stat == 0) {
		pvscsi_device_error(pvs, &pvs->pvs_stats.pst_bad_host_status,
		    cmd->pvc_host);
	}
}

/*
 * A command has ended: take it from its slot or the wait queue, give its
 * packet reason and stat unless it has an end already, and hand it on.
 */
static void
pvscsi_cmd_done(pvscsi_softc_t *pvs, pvscsi_cmd_t *cmd, uchar_t reason,
    uint_t stat, list_t *done)
{
	struct scsi_pkt *pkt = cmd->pvc_pkt;

	ASSERT(MUTEX_HELD(&pvs->pvs_lock));
	if (cmd->pvc_ctx != 0) {
		pvs->pvs_slots[PVSCSI_CTX_SLOT(cmd->pvc_ctx)] = NULL;
		pvs->pvs_free[pvs->pvs_nfree++] = PVSCSI_CTX_SLOT(cmd->pvc_ctx);
		cmd->pvc_ctx = 0;
	}
	if (cmd->pvc_flags & PVSCSI_CMDF_QUEUED)
		list_remove(&pvs->pvs_waitq, cmd);
	cmd->pvc_flags &= ~PVSCSI_CMDF_QUEUED;
	if (pkt != NULL && pkt->pkt_reason == CMD_CMPLT)
		pkt->pkt_reason = reason;
	if (pkt != NULL && (cmd->pvc_flags & PVSCSI_CMDF_TIMEDOUT)) {
		pkt->pkt_reason = CMD_TIMEOUT;
		stat |= STAT_TIMEOUT | cmd->pvc_stat;
	}
	if (pkt != NULL)
		pkt->pkt_statistics |= stat;
	if (cmd->pvc_flags & PVSCSI_CMDF_POLLED)
		cmd->pvc_flags |= PVSCSI_CMDF_DONE;
	else
		list_insert_tail(done, cmd);
}

static void
pvscsi_fail_all(pvscsi_softc_t *pvs, uchar_t reason, uint_t stat,
    list_t *done)
{
	pvscsi_cmd_t *cmd;

	ASSERT(MUTEX_HELD(&pvs->pvs_lock));
	for (uint_t i = 0; i < pvs->pvs_nslots; i++) {
		if ((cmd = pvs->pvs_slots[i]) != NULL)
			pvscsi_cmd_done(pvs, cmd, reason, stat, done);
	}
}

static void
pvscsi_complete(pvscsi_softc_t *pvs, list_t *done)
{
	pvscsi_cmd_t *cmd;
	boolean_t any = !list_is_empty(done);

	ASSERT(MUTEX_HELD(&pvs->pvs_lock));
	pvs->pvs_delivering += any;
	mutex_exit(&pvs->pvs_lock);
	while ((cmd = list_remove_head(done)) != NULL)
		scsi_hba_pkt_comp(cmd->pvc_pkt);
	list_destroy(done);
	if (!any)
		return;
	mutex_enter(&pvs->pvs_lock);
	if (--pvs->pvs_delivering == 0)
		pvscsi_kick(pvs);
	mutex_exit(&pvs->pvs_lock);
}

static boolean_t
pvscsi_reap(pvscsi_softc_t *pvs, list_t *done)
{
	pvscsi_rings_state_t *st = PVSCSI_STATE(pvs);
	pvscsi_cmp_t *ring = (void *)pvs->pvs_cmp_dma.pvb_kva;
	uint32_t prod, cons = pvs->pvs_cmp_cons;
	pvscsi_cmd_t *cmd;
	pvscsi_cmp_t cmp;
	uint64_t ctx;
	uint_t idx;

	ASSERT(MUTEX_HELD(&pvs->pvs_lock));
	PVSCSI_SYNC_STATE(pvs, prs_cmp_prod, DDI_DMA_SYNC_FORKERNEL);
	prod = LE_32(st->prs_cmp_prod);
	if (prod - cons > pvs->pvs_cmp_entries)
		return (B_FALSE);
	for (; cons != prod; cons++) {
		idx = cons & (pvs->pvs_cmp_entries - 1);
		(void) ddi_dma_sync(pvs->pvs_cmp_dma.pvb_dmah,
		    idx * sizeof (cmp), sizeof (cmp), DDI_DMA_SYNC_FORKERNEL);
		cmp = ring[idx];
		ctx = LE_64(cmp.pc_context);
		cmd = (PVSCSI_CTX_SLOT(ctx) < pvs->pvs_nslots) ?
		    pvs->pvs_slots[PVSCSI_CTX_SLOT(ctx)] : NULL;
		if (cmd == NULL || cmd->pvc_ctx != ctx) {
			pvscsi_device_error(pvs,
			    &pvs->pvs_stats.pst_bad_context, ctx);
			continue;
		}
		pvscsi_cmp_status(pvs, cmd, &cmp);
		pvscsi_cmd_done(pvs, cmd, CMD_CMPLT, 0, done);
	}
	pvs->pvs_cmp_cons = cons;
	st->prs_cmp_cons = LE_32(cons);
	PVSCSI_SYNC_STATE(pvs, prs_cmp_cons, DDI_DMA_SYNC_FORDEV);
	return (B_TRUE);
}

static boolean_t
pvscsi_msgs(pvscsi_softc_t *pvs)
{
	pvscsi_rings_state_t *st = PVSCSI_STATE(pvs);
	pvscsi_msg_dev_t *ring = (void *)pvs->pvs_msg_dma.pvb_kva;
	uint32_t prod, cons = pvs->pvs_msg_cons, tgt;
	pvscsi_msg_dev_t m;
	uint_t idx;
	uint64_t lun;

	ASSERT(MUTEX_HELD(&pvs->pvs_lock));
	if (!pvs->pvs_msg_ring)
		return (B_TRUE);
	PVSCSI_SYNC_STATE(pvs, prs_msg_prod, DDI_DMA_SYNC_FORKERNEL);
	prod = LE_32(st->prs_msg_prod);
	if (prod - cons > PVSCSI_MSG_ENTRIES)
		return (B_FALSE);
	if (prod - cons == PVSCSI_MSG_ENTRIES)	/* some may be lost */
		pvs->pvs_rescan = B_TRUE;
	for (; cons != prod; cons++) {
		idx = cons & (PVSCSI_MSG_ENTRIES - 1);
		(void) ddi_dma_sync(pvs->pvs_msg_dma.pvb_dmah, idx * sizeof (m),
		    sizeof (m), DDI_DMA_SYNC_FORKERNEL);
		m = ring[idx];
		tgt = LE_32(m.pmd_target);
		bcopy(m.pmd_lun, &lun, sizeof (lun));	/* lun[1] only */
		if (LE_32(m.pmd_type) > PVSCSI_MSG_DEV_REMOVED ||
		    LE_32(m.pmd_bus) != 0 || tgt >= pvs->pvs_max_targets ||
		    (LE_64(lun) & ~0xff00ULL) != 0) {
			pvscsi_device_error(pvs,
			    &pvs->pvs_stats.pst_bad_message, tgt);
		} else if (m.pmd_lun[1] == 0) {
			pvs->pvs_rescan = B_TRUE;
		} else {
			pvs->pvs_lunscan_tgt[tgt] = 1;
			pvs->pvs_lunscan = B_TRUE;
		}
	}
	pvs->pvs_msg_cons = cons;
	st->prs_msg_cons = LE_32(cons);
	PVSCSI_SYNC_STATE(pvs, prs_msg_cons, DDI_DMA_SYNC_FORDEV);
	return (B_TRUE);
}

static boolean_t
pvscsi_setup_device(pvscsi_softc_t *pvs)
{
	uint32_t rdw[sizeof (pvscsi_setup_rings_t) / 4];
	uint32_t mdw[sizeof (pvscsi_setup_msg_ring_t) / 4];
	uint32_t enable = 1, status, mstatus;

	ASSERT(MUTEX_HELD(&pvs->pvs_lock));
	bzero(rdw, sizeof (rdw));
	rdw[offsetof(pvscsi_setup_rings_t, psr_req_pages) / 4] =
	    pvs->pvs_req_dma.pvb_size / PVSCSI_PAGE_SIZE;
	rdw[offsetof(pvscsi_setup_rings_t, psr_cmp_pages) / 4] =
	    pvs->pvs_cmp_dma.pvb_size / PVSCSI_PAGE_SIZE;
	pvscsi_dw_ppns(rdw, offsetof(pvscsi_setup_rings_t, psr_state_ppn),
	    &pvs->pvs_state_dma);
	pvscsi_dw_ppns(rdw, offsetof(pvscsi_setup_rings_t, psr_req_ppns),
	    &pvs->pvs_req_dma);
	pvscsi_dw_ppns(rdw, offsetof(pvscsi_setup_rings_t, psr_cmp_ppns),
	    &pvs->pvs_cmp_dma);
	status = pvscsi_command(pvs, PVSCSI_CMD_SETUP_RINGS, rdw,
	    ARRAY_SIZE(rdw));
	pvs->pvs_req_prod = pvs->pvs_cmp_cons = pvs->pvs_msg_cons = 0;
	pvs->pvs_kick = 0;

	bzero(mdw, sizeof (mdw));
	mdw[offsetof(pvscsi_setup_msg_ring_t, psm_pages) / 4] =
	    PVSCSI_MSG_RING_PAGES;
	pvscsi_dw_ppns(mdw, offsetof(pvscsi_setup_msg_ring_t, psm_ppns),
	    &pvs->pvs_msg_dma);
	mstatus = pvscsi_command(pvs, PVSCSI_CMD_SETUP_MSG_RING, mdw,
	    ARRAY_SIZE(mdw));
	pvs->pvs_msg_ring = (mstatus != PVSCSI_STATUS_FAILED &&
	    mstatus != PVSCSI_STATUS_NEED_DATA);
	pvs->pvs_threshold = (pvscsi_command(pvs,
	    PVSCSI_CMD_SETUP_REQCALLTHRESHOLD, &enable, 1) == PVSCSI_STATUS_OK);

	/* The device has reset the indices: take its view of them. */
	(void) ddi_dma_sync(pvs->pvs_state_dma.pvb_dmah, 0,
	    sizeof (pvscsi_rings_state_t), DDI_DMA_SYNC_FORKERNEL);
	pvscsi_put(pvs, PVSCSI_REG_INTR_MASK, PVSCSI_INTR_CMPL_MASK |
	    (pvs->pvs_msg_ring ? PVSCSI_INTR_MSG_MASK : 0));
	return (status == PVSCSI_STATUS_OK);
}

static boolean_t
pvscsi_reset_adapter(pvscsi_softc_t *pvs, list_t *done)
{
	ASSERT(MUTEX_HELD(&pvs->pvs_lock));
	pvs->pvs_stats.pst_adapter_resets.value.ui64++;
	(void) pvscsi_command(pvs, PVSCSI_CMD_ADAPTER_RESET, NULL, 0);
	(void) pvscsi_reap(pvs, done);
	pvscsi_fail_all(pvs, CMD_RESET, STAT_BUS_RESET, done);
	if (!pvscsi_setup_device(pvs) && !pvs->pvs_gone)
		dev_err(pvs->pvs_dip, CE_WARN, "ring setup failed after reset");
	pvs->pvs_rescan = B_TRUE;
	pvscsi_drain(pvs);
	pvscsi_kick(pvs);
	return (!pvs->pvs_gone);
}

static boolean_t
pvscsi_abort_cmd(pvscsi_softc_t *pvs, pvscsi_cmd_t *cmd, list_t *done)
{
	uint32_t dw[sizeof (pvscsi_cmd_abort_t) / 4];

	ASSERT(MUTEX_HELD(&pvs->pvs_lock));
	if (cmd->pvc_flags & PVSCSI_CMDF_QUEUED) {
		pvscsi_cmd_done(pvs, cmd, CMD_ABORTED, STAT_ABORTED, done);
		return (B_TRUE);
	}
	if (cmd->pvc_ctx == 0)
		return (B_FALSE);
	cmd->pvc_stat |= STAT_ABORTED;
	pvs->pvs_stats.pst_aborts.value.ui64++;
	pvscsi_kick(pvs);
	bzero(dw, sizeof (dw));
	pvscsi_dw64(dw, offsetof(pvscsi_cmd_abort_t, pca_context),
	    cmd->pvc_ctx);
	dw[offsetof(pvscsi_cmd_abort_t, pca_target) / 4] = cmd->pvc_target;
	return (pvscsi_command(pvs, PVSCSI_CMD_ABORT_CMD, dw,
	    ARRAY_SIZE(dw)) == PVSCSI_STATUS_OK);
}

/* Commands waiting for a slot for target and lun end now. */
static void
pvscsi_flush(pvscsi_softc_t *pvs, int target, int lun, uchar_t reason,
    list_t *done)
{
	pvscsi_cmd_t *cmd, *next;

	for (cmd = list_head(&pvs->pvs_waitq); cmd != NULL; cmd = next) {
		next = list_next(&pvs->pvs_waitq, cmd);
		if (PVSCSI_AT(cmd, target, lun))
			pvscsi_cmd_done(pvs, cmd, reason, STAT_ABORTED, done);
	}
}

/*
 * Reset a LUN (lun < 0: a target), or with target < 0 the bus.  The device
 * completes the commands concerned with BUSRESET; pvc_stat says which reset
 * they had, and those timed out get a recovery time from then.
 */
static boolean_t
pvscsi_reset(pvscsi_softc_t *pvs, int target, int lun)
{
	uint32_t dw[sizeof (pvscsi_cmd_reset_device_t) / 4];
	boolean_t ok;
	hrtime_t next;

	ASSERT(MUTEX_HELD(&pvs->pvs_lock));
	if (target < 0)
		pvs->pvs_stats.pst_bus_resets.value.ui64++;
	else
		pvs->pvs_stats.pst_device_resets.value.ui64++;
	pvscsi_kick(pvs);
	bzero(dw, sizeof (dw));
	dw[offsetof(pvscsi_cmd_reset_device_t, pcr_target) / 4] = target;
	/* lun[1] is the second byte of the (little-endian) second dword */
	dw[offsetof(pvscsi_cmd_reset_device_t, pcr_lun) / 4] =
	    (uint32_t)MAX(lun, 0) << 8;
	ok = pvscsi_command(pvs, target < 0 ? PVSCSI_CMD_RESET_BUS :
	    PVSCSI_CMD_RESET_DEVICE, dw, target < 0 ? 0 : ARRAY_SIZE(dw)) ==
	    PVSCSI_STATUS_OK;
	next = gethrtime() + SEC2NSEC(pvscsi_recovery_time);
	for (uint_t i = 0; i < pvs->pvs_nslots; i++) {
		pvscsi_cmd_t *cmd = pvs->pvs_slots[i];

		if (!PVSCSI_AT(cmd, target, lun))
			continue;
		cmd->pvc_stat |= (target < 0) ? STAT_BUS_RESET : STAT_DEV_RESET;
		if (cmd->pvc_flags & PVSCSI_CMDF_TIMEDOUT)
			cmd->pvc_expire = next;
	}
	return (ok);
}

/*
 * A command is past its deadline: take the next recovery step it has not had
 * (pvc_stat) that the device accepts, and give it a recovery time from then.  A
 * polled command still waiting for a slot means the device has stalled.
 */
static void
pvscsi_recover(pvscsi_softc_t *pvs, pvscsi_cmd_t *cmd, list_t *done)
{
	uint_t had = cmd->pvc_stat;

	if (cmd->pvc_ctx != 0 && !(cmd->pvc_flags & PVSCSI_CMDF_TIMEDOUT))
		pvs->pvs_stats.pst_timeouts.value.ui64++;
	if (cmd->pvc_ctx != 0)
		cmd->pvc_flags |= PVSCSI_CMDF_TIMEDOUT;
	if (cmd->pvc_ctx != 0 && ((!(had & STAT_ABORTED) &&
	    pvscsi_abort_cmd(pvs, cmd, done)) || (!(had & STAT_DEV_RESET) &&
	    pvscsi_reset(pvs, cmd->pvc_target, cmd->pvc_lun)) ||
	    (!(had & STAT_BUS_RESET) && pvscsi_reset(pvs, -1, -1))))
		cmd->pvc_expire = gethrtime() + SEC2NSEC(pvscsi_recovery_time);
	else
		(void) pvscsi_reset_adapter(pvs, done);
}

static void
pvscsi_discover_dispatch(pvscsi_softc_t *pvs)
{
	ASSERT(MUTEX_HELD(&pvs->pvs_lock));
	if (!pvs->pvs_discovering && pvs->pvs_tgtmap != NULL &&
	    (pvs->pvs_rescan || pvs->pvs_lunscan) &&
	    ddi_taskq_dispatch(pvs->pvs_tq, pvscsi_discover, pvs,
	    DDI_NOSLEEP) == DDI_SUCCESS)
		pvs->pvs_discovering = B_TRUE;
}

static void
pvscsi_service(pvscsi_softc_t *pvs, list_t *done)
{
	ASSERT(MUTEX_HELD(&pvs->pvs_lock));
	if (pvs->pvs_gone) {
		pvscsi_fail_all(pvs, CMD_DEV_GONE, 0, done);
		pvscsi_flush(pvs, -1, -1, CMD_DEV_GONE, done);
		return;
	}
	if (!pvscsi_reap(pvs, done) || !pvscsi_msgs(pvs)) {
		pvscsi_device_error(pvs, &pvs->pvs_stats.pst_bad_ring_index,
		    0);
		(void) pvscsi_reset_adapter(pvs, done);
	}
	pvscsi_drain(pvs);
	pvscsi_kick(pvs);
	pvscsi_discover_dispatch(pvs);
}

static uint_t
pvscsi_intr(caddr_t arg1, caddr_t arg2)
{
	pvscsi_softc_t *pvs = (void *)arg1;
	uint32_t status;
	list_t done;

	mutex_enter(&pvs->pvs_lock);
	if (pvs->pvs_itype == DDI_INTR_TYPE_FIXED) {
		if ((status = pvscsi_get(pvs, PVSCSI_REG_INTR_STATUS)) == 0) {
			mutex_exit(&pvs->pvs_lock);
			return (DDI_INTR_UNCLAIMED);
		}
		pvscsi_put(pvs, PVSCSI_REG_INTR_STATUS, status);
	}
	PVSCSI_DONE_INIT(&done);
	pvscsi_service(pvs, &done);
	pvscsi_complete(pvs, &done);
	return (pvs->pvs_gone ? DDI_INTR_UNCLAIMED : DDI_INTR_CLAIMED);
}

static int
pvscsi_poll(pvscsi_softc_t *pvs, pvscsi_cmd_t *cmd)
{
	list_t done;
	int rv;

	PVSCSI_DONE_INIT(&done);
	mutex_enter(&pvs->pvs_lock);
	cmd->pvc_flags = PVSCSI_CMDF_POLLED;
	cmd->pvc_expire = gethrtime() + SEC2NSEC(pvscsi_poll_time);
	rv = pvscsi_enqueue(pvs, cmd, B_TRUE);
	while (rv == TRAN_ACCEPT) {
		pvscsi_service(pvs, &done);
		if (cmd->pvc_flags & PVSCSI_CMDF_DONE)
			break;
		if (gethrtime() > cmd->pvc_expire)
			pvscsi_recover(pvs, cmd, &done);
		pvscsi_complete(pvs, &done);
		drv_usecwait(PVSCSI_POLL_USEC);
		PVSCSI_DONE_INIT(&done);
		mutex_enter(&pvs->pvs_lock);
	}
	pvscsi_complete(pvs, &done);
	return (rv);
}

static void
pvscsi_watchdog(void *arg)
{
	pvscsi_softc_t *pvs = arg;
	hrtime_t now = gethrtime();
	pvscsi_cmd_t *cmd;
	list_t done;

	PVSCSI_DONE_INIT(&done);
	mutex_enter(&pvs->pvs_lock);
	(void) pvscsi_get(pvs, PVSCSI_REG_INTR_STATUS);
	pvscsi_service(pvs, &done);
	for (uint_t i = 0; i < pvs->pvs_nslots; i++) {
		if ((cmd = pvs->pvs_slots[i]) != NULL &&
		    !(cmd->pvc_flags & PVSCSI_CMDF_POLLED) &&
		    cmd->pvc_expire != 0 && now > cmd->pvc_expire)
			pvscsi_recover(pvs, cmd, &done);
	}
	if (!pvs->pvs_stopping) {
		pvs->pvs_timer = timeout(pvscsi_watchdog, pvs,
		    drv_usectohz(MICROSEC));
	}
	pvscsi_complete(pvs, &done);
}

static void
pvscsi_scan(pvscsi_softc_t *pvs, scsi_hba_tgtmap_t *tm)
{
	pvscsi_cmd_t *cmd = &pvs->pvs_probe;
	char addr[8];
	uint_t t, stat;

	for (t = 0; t < pvs->pvs_max_targets; t++) {
		cmd->pvc_target = (uint8_t)t;
		cmd->pvc_host = PVSCSI_HOST_UNKNOWN;
		if (pvscsi_poll(pvs, cmd) != TRAN_ACCEPT ||
		    cmd->pvc_host == PVSCSI_BTSTAT_SELTIMEO)
			pvs->pvs_present[t] = 0;
		else if (pvscsi_host_reason(cmd->pvc_host, &stat) == CMD_CMPLT)
			pvs->pvs_present[t] = 1;
	}
	if (scsi_hba_tgtmap_set_begin(tm) != DDI_SUCCESS)
		return;
	for (t = 0; t < pvs->pvs_max_targets; t++) {
		(void) snprintf(addr, sizeof (addr), "%x", t);
		if (pvs->pvs_present[t] && scsi_hba_tgtmap_set_add(tm,
		    SCSI_TGT_SCSI_DEVICE, addr, NULL) != DDI_SUCCESS) {
			(void) scsi_hba_tgtmap_set_flush(tm);
			return;
		}
	}
	(void) scsi_hba_tgtmap_set_end(tm, 0);
}

static void
pvscsi_discover(void *arg)
{
	pvscsi_softc_t *pvs = arg;
	uint8_t lunscan[PVSCSI_MAX_TARGETS];
	scsi_hba_tgtmap_t *tm;
	boolean_t full;
	char addr[8];

	mutex_enter(&pvs->pvs_lock);
	while ((tm = pvs->pvs_tgtmap) != NULL &&
	    (pvs->pvs_rescan || pvs->pvs_lunscan)) {
		full = pvs->pvs_rescan;
		pvs->pvs_rescan = pvs->pvs_lunscan = B_FALSE;
		bcopy(pvs->pvs_lunscan_tgt, lunscan, sizeof (lunscan));
		bzero(pvs->pvs_lunscan_tgt, sizeof (pvs->pvs_lunscan_tgt));
		mutex_exit(&pvs->pvs_lock);
		if (full)
			pvscsi_scan(pvs, tm);
		for (uint_t t = 0; t < pvs->pvs_max_targets; t++) {
			(void) snprintf(addr, sizeof (addr), "%x", t);
			if (lunscan[t])
				scsi_hba_tgtmap_scan_luns(tm, addr);
		}
		mutex_enter(&pvs->pvs_lock);
	}
	pvs->pvs_discovering = B_FALSE;
	mutex_exit(&pvs->pvs_lock);
}

static int
pvscsi_tran_start(struct scsi_address *ap, struct scsi_pkt *pkt)
{
	pvscsi_softc_t *pvs = ap->a_hba_tran->tran_hba_private;
	pvscsi_tgt_t *pvt = PVSCSI_TGT(ap);
	pvscsi_cmd_t *cmd = pkt->pkt_ha_private;
	int rv;

	if (pkt->pkt_cdblen > SCSI_CDB_SIZE)
		return (TRAN_BADPKT);
	pkt->pkt_reason = CMD_CMPLT;
	pkt->pkt_resid = pkt->pkt_state = pkt->pkt_statistics = 0;
	cmd->pvc_target = pvt->pvt_target;
	cmd->pvc_lun = pvt->pvt_lun;
	if (pkt->pkt_flags & FLAG_NOINTR)
		return (pvscsi_poll(pvs, cmd));

	mutex_enter(&pvs->pvs_lock);
	cmd->pvc_flags = 0;
	rv = pvscsi_enqueue(pvs, cmd, (pkt->pkt_flags & FLAG_HEAD) != 0);
	mutex_exit(&pvs->pvs_lock);
	return (rv);
}

static int
pvscsi_tran_abort(struct scsi_address *ap, struct scsi_pkt *pkt)
{
	pvscsi_softc_t *pvs = ap->a_hba_tran->tran_hba_private;
	pvscsi_tgt_t *pvt = PVSCSI_TGT(ap);
	int tgt = pvt->pvt_target, lun = pvt->pvt_lun;
	boolean_t ok = B_TRUE;
	list_t done;

	PVSCSI_DONE_INIT(&done);
	mutex_enter(&pvs->pvs_lock);
	if (pkt != NULL)
		ok = pvscsi_abort_cmd(pvs, pkt->pkt_ha_private, &done);
	else
		pvscsi_flush(pvs, tgt, lun, CMD_ABORTED, &done);
	for (uint_t i = 0; pkt == NULL && i < pvs->pvs_nslots; i++) {
		if (PVSCSI_AT(pvs->pvs_slots[i], tgt, lun))
			(void) pvscsi_abort_cmd(pvs, pvs->pvs_slots[i], &done);
	}
	pvscsi_complete(pvs, &done);
	return (ok ? 1 : 0);
}

static int
pvscsi_tran_reset(struct scsi_address *ap, int level)
{
	pvscsi_softc_t *pvs = ap->a_hba_tran->tran_hba_private;
	pvscsi_tgt_t *pvt = PVSCSI_TGT(ap);
	int tgt = (level == RESET_LUN || level == RESET_TARGET) ?
	    pvt->pvt_target : -1;
	int lun = (level == RESET_LUN) ? pvt->pvt_lun : -1;
	boolean_t ok;
	list_t done;

	if (level != RESET_ALL && level != RESET_BUS && tgt < 0)
		return (0);
	PVSCSI_DONE_INIT(&done);
	mutex_enter(&pvs->pvs_lock);
	pvscsi_flush(pvs, tgt, lun, CMD_RESET, &done);
	ok = (level == RESET_ALL) ? pvscsi_reset_adapter(pvs, &done) :
	    pvscsi_reset(pvs, tgt, lun);
	pvscsi_complete(pvs, &done);
	return (ok ? 1 : 0);
}

static int
pvscsi_tran_getcap(struct scsi_address *ap, char *cap, int whom)
{
	switch (cap == NULL ? -1 : scsi_hba_lookup_capstr(cap)) {
	case SCSI_CAP_ARQ:
	case SCSI_CAP_TAGGED_QING:
	case SCSI_CAP_UNTAGGED_QING:
	case SCSI_CAP_LUN_RESET:
		return (1);
	case SCSI_CAP_DMA_MAX:
		return (PVSCSI_MAX_XFER);
	case SCSI_CAP_CDB_LEN:
		return (SCSI_CDB_SIZE);
	case SCSI_CAP_INTERCONNECT_TYPE:
		return (INTERCONNECT_PARALLEL);
	default:
		return (-1);
	}
}

static int
pvscsi_tran_setcap(struct scsi_address *ap, char *cap, int value, int whom)
{
	int cur = pvscsi_tran_getcap(ap, cap, whom);

	return (cur == -1 ? -1 : (cur == 1 && value == 1) ? 1 : 0);
}

static int
pvscsi_tran_tgt_init(dev_info_t *hba_dip, dev_info_t *tgt_dip,
    scsi_hba_tran_t *tran, struct scsi_device *sd)
{
	pvscsi_softc_t *pvs = tran->tran_hba_private;
	char *ua = scsi_device_unit_address(sd), *end;
	pvscsi_tgt_t *pvt;
	long target, lun;

	if (ua == NULL || ddi_strtol(ua, &end, 16, &target) != 0 ||
	    end == ua || *end != ',' || target < 0 ||
	    target >= pvs->pvs_max_targets || ddi_strtol(ua = end + 1, &end,
	    16, &lun) != 0 || end == ua || *end != '\0' || lun < 0 ||
	    lun > UINT8_MAX)
		return (DDI_FAILURE);
	pvt = kmem_zalloc(sizeof (*pvt), KM_SLEEP);
	pvt->pvt_target = (uint8_t)target;
	pvt->pvt_lun = (uint8_t)lun;
	(void) scsi_device_hba_private_set(sd, pvt);
	return (DDI_SUCCESS);
}

static void
pvscsi_tran_tgt_free(dev_info_t *hba_dip, dev_info_t *tgt_dip,
    scsi_hba_tran_t *tran, struct scsi_device *sd)
{
	kmem_free(scsi_device_hba_private_get(sd), sizeof (pvscsi_tgt_t));
	(void) scsi_device_hba_private_set(sd, NULL);
}

static int
pvscsi_pkt_ctor(struct scsi_pkt *pkt, scsi_hba_tran_t *tran, int kmflag)
{
	pvscsi_cmd_t *cmd = pkt->pkt_ha_private;

	bzero(cmd, sizeof (*cmd));
	cmd->pvc_pkt = pkt;
	return (pvscsi_dma_alloc(tran->tran_hba_private, &cmd->pvc_dma,
	    PVSCSI_PAGE_SIZE, kmflag) == DDI_SUCCESS ? 0 : -1);
}

static void
pvscsi_pkt_dtor(struct scsi_pkt *pkt, scsi_hba_tran_t *tran)
{
	pvscsi_dma_free(&((pvscsi_cmd_t *)pkt->pkt_ha_private)->pvc_dma);
}

static int
pvscsi_setup_pkt(struct scsi_pkt *pkt, int (*cb)(caddr_t), caddr_t arg)
{
	return (pkt->pkt_numcookies <= PVSCSI_MAX_SGL ? 0 : -1);
}

static void
pvscsi_teardown_pkt(struct scsi_pkt *pkt)
{
	ASSERT0(((pvscsi_cmd_t *)pkt->pkt_ha_private)->pvc_ctx);
}

/*
 * One interrupt of the best type: the types are bits, MSI-X the highest.
 */
static int
pvscsi_intr_alloc(pvscsi_softc_t *pvs)
{
	int types, count;

	if (ddi_intr_get_supported_types(pvs->pvs_dip, &types) != DDI_SUCCESS)
		return (DDI_FAILURE);
	for (int t = DDI_INTR_TYPE_MSIX; t != 0; t >>= 1) {
		if ((types & t) == 0 || ddi_intr_alloc(pvs->pvs_dip,
		    &pvs->pvs_ihdl, t, 0, 1, &count, DDI_INTR_ALLOC_NORMAL) !=
		    DDI_SUCCESS)
			continue;
		if (ddi_intr_get_pri(pvs->pvs_ihdl, &pvs->pvs_ipri) ==
		    DDI_SUCCESS && ddi_intr_get_cap(pvs->pvs_ihdl,
		    &pvs->pvs_icap) == DDI_SUCCESS) {
			pvs->pvs_itype = t;
			return (DDI_SUCCESS);
		}
		(void) ddi_intr_free(pvs->pvs_ihdl);
	}
	return (DDI_FAILURE);
}

static int
pvscsi_alloc_rings(pvscsi_softc_t *pvs)
{
	uint_t pages = pvscsi_ring_pages, cmp_pages;

	if (pages == 0 || !ISP2(pages) || pages > PVSCSI_MAX_RING_PAGES)
		pages = 8;
	pvs->pvs_nslots = pages * PVSCSI_REQS_PER_PAGE;
	cmp_pages = howmany(pvs->pvs_nslots, PVSCSI_CMPS_PER_PAGE);
	pvs->pvs_cmp_entries = cmp_pages * PVSCSI_CMPS_PER_PAGE;
	pvs->pvs_slots = kmem_zalloc(pvs->pvs_nslots * sizeof (pvscsi_cmd_t *),
	    KM_SLEEP);
	pvs->pvs_free = kmem_alloc(pvs->pvs_nslots * sizeof (uint16_t),
	    KM_SLEEP);
	for (uint_t i = 0; i < pvs->pvs_nslots; i++)
		pvs->pvs_free[i] = (uint16_t)i;
	pvs->pvs_nfree = pvs->pvs_nslots;

	return (pvscsi_dma_alloc(pvs, &pvs->pvs_state_dma, PVSCSI_PAGE_SIZE,
	    KM_SLEEP) == DDI_SUCCESS &&
	    pvscsi_dma_alloc(pvs, &pvs->pvs_req_dma, pages * PVSCSI_PAGE_SIZE,
	    KM_SLEEP) == DDI_SUCCESS &&
	    pvscsi_dma_alloc(pvs, &pvs->pvs_cmp_dma,
	    cmp_pages * PVSCSI_PAGE_SIZE, KM_SLEEP) == DDI_SUCCESS &&
	    pvscsi_dma_alloc(pvs, &pvs->pvs_msg_dma,
	    PVSCSI_MSG_RING_PAGES * PVSCSI_PAGE_SIZE, KM_SLEEP) ==
	    DDI_SUCCESS && pvscsi_dma_alloc(pvs, &pvs->pvs_probe.pvc_dma,
	    PVSCSI_PAGE_SIZE, KM_SLEEP) == DDI_SUCCESS ?
	    DDI_SUCCESS : DDI_FAILURE);
}

/*
 * How many targets to scan: numPhys from the CONFIG controller page (read
 * into the probe's page, still unused), else GET_MAX_TARGETS, else the
 * tunable.  QEMU refuses both commands.
 */
static void
pvscsi_get_max_targets(pvscsi_softc_t *pvs)
{
	uint32_t dw[sizeof (pvscsi_cmd_config_t) / 4];
	pvscsi_dma_t *page = &pvs->pvs_probe.pvc_dma;
	pvscsi_config_controller_t *cp = (void *)page->pvb_kva;
	uint32_t n = 0;

	cp->pcc_header.pch_host_status = LE_16(PVSCSI_BTSTAT_INVPARAM);
	cp->pcc_header.pch_scsi_status = LE_16(STATUS_CHECK);
	(void) ddi_dma_sync(page->pvb_dmah, 0, sizeof (*cp),
	    DDI_DMA_SYNC_FORDEV);
	bzero(dw, sizeof (dw));
	pvscsi_dw64(dw, offsetof(pvscsi_cmd_config_t, pcc_cmp_addr),
	    page->pvb_pa);
	pvscsi_dw64(dw, offsetof(pvscsi_cmd_config_t, pcc_page_addr),
	    (uint64_t)PVSCSI_CONFIG_CONTROLLER_ADDRESS << 32);
	dw[offsetof(pvscsi_cmd_config_t, pcc_page_num) / 4] =
	    PVSCSI_CONFIG_PAGE_CONTROLLER;
	if (pvscsi_command(pvs, PVSCSI_CMD_CONFIG, dw, ARRAY_SIZE(dw)) ==
	    PVSCSI_STATUS_OK) {
		(void) ddi_dma_sync(page->pvb_dmah, 0, sizeof (*cp),
		    DDI_DMA_SYNC_FORKERNEL);
		if (LE_16(cp->pcc_header.pch_host_status) ==
		    PVSCSI_BTSTAT_SUCCESS &&
		    LE_16(cp->pcc_header.pch_scsi_status) == STATUS_GOOD)
			n = LE_32(cp->pcc_num_phys);
	}
	if (n == 0 || n > PVSCSI_MAX_TARGETS)
		n = pvscsi_command(pvs, PVSCSI_CMD_GET_MAX_TARGETS, NULL, 0);
	if (n == 0 || n > PVSCSI_MAX_TARGETS)
		n = MIN(MAX(pvscsi_max_targets, 1), PVSCSI_MAX_TARGETS);
	pvs->pvs_max_targets = n;
}

/*
 * The counts of pvscsi_stats_t, as a virtual named kstat under pvs_lock.
 */
static int
pvscsi_kstat_init(pvscsi_softc_t *pvs)
{
	pvscsi_stats_t *st = &pvs->pvs_stats;

	pvs->pvs_kstat = kstat_create(ddi_driver_name(pvs->pvs_dip),
	    ddi_get_instance(pvs->pvs_dip), "errors", "controller",
	    KSTAT_TYPE_NAMED, sizeof (*st) / sizeof (kstat_named_t),
	    KSTAT_FLAG_VIRTUAL);
	if (pvs->pvs_kstat == NULL)
		return (DDI_FAILURE);
	kstat_named_init(&st->pst_bad_context, "bad_context",
	    KSTAT_DATA_UINT64);
	kstat_named_init(&st->pst_bad_ring_index, "bad_ring_index",
	    KSTAT_DATA_UINT64);
	kstat_named_init(&st->pst_bad_message, "bad_message",
	    KSTAT_DATA_UINT64);
	kstat_named_init(&st->pst_bad_data_length, "bad_data_length",
	    KSTAT_DATA_UINT64);
	kstat_named_init(&st->pst_sense_clamped, "sense_clamped",
	    KSTAT_DATA_UINT64);
	kstat_named_init(&st->pst_bad_host_status, "bad_host_status",
	    KSTAT_DATA_UINT64);
	kstat_named_init(&st->pst_aborts, "aborts", KSTAT_DATA_UINT64);
	kstat_named_init(&st->pst_device_resets, "device_resets",
	    KSTAT_DATA_UINT64);
	kstat_named_init(&st->pst_bus_resets, "bus_resets",
	    KSTAT_DATA_UINT64);
	kstat_named_init(&st->pst_adapter_resets, "adapter_resets",
	    KSTAT_DATA_UINT64);
	kstat_named_init(&st->pst_timeouts, "timeouts", KSTAT_DATA_UINT64);
	pvs->pvs_kstat->ks_data = st;
	pvs->pvs_kstat->ks_lock = &pvs->pvs_lock;
	kstat_install(pvs->pvs_kstat);
	return (DDI_SUCCESS);
}

static boolean_t
pvscsi_undo(pvscsi_softc_t *pvs, pvscsi_attach_state_t step)
{
	boolean_t taken = (pvs->pvs_attach & step) != 0;

	pvs->pvs_attach &= ~step;
	return (taken);
}

static void
pvscsi_cleanup(pvscsi_softc_t *pvs)
{
	if (pvscsi_undo(pvs, PVSCSI_ATTACH_TIMER)) {
		timeout_id_t tid;

		mutex_enter(&pvs->pvs_lock);
		pvs->pvs_stopping = B_TRUE;
		tid = pvs->pvs_timer;
		mutex_exit(&pvs->pvs_lock);
		(void) untimeout(tid);
	}
	if (pvscsi_undo(pvs, PVSCSI_ATTACH_HBA)) {
		(void) scsi_hba_detach(pvs->pvs_dip);
		scsi_hba_tran_free(pvs->pvs_tran);
	}
	if (pvscsi_undo(pvs, PVSCSI_ATTACH_INTR)) {
		pvscsi_put(pvs, PVSCSI_REG_INTR_MASK, 0);
		(void) ((pvs->pvs_icap & DDI_INTR_FLAG_BLOCK) ?
		    ddi_intr_block_disable(&pvs->pvs_ihdl, 1) :
		    ddi_intr_disable(pvs->pvs_ihdl));
		(void) ddi_intr_remove_handler(pvs->pvs_ihdl);
	}
	if (pvscsi_undo(pvs, PVSCSI_ATTACH_DEVICE)) {
		pvscsi_put(pvs, PVSCSI_REG_INTR_MASK, 0);
		(void) pvscsi_command(pvs, PVSCSI_CMD_ADAPTER_RESET, NULL, 0);
	}
	if (pvscsi_undo(pvs, PVSCSI_ATTACH_DMA)) {
		pvscsi_dma_free(&pvs->pvs_probe.pvc_dma);
		pvscsi_dma_free(&pvs->pvs_msg_dma);
		pvscsi_dma_free(&pvs->pvs_cmp_dma);
		pvscsi_dma_free(&pvs->pvs_req_dma);
		pvscsi_dma_free(&pvs->pvs_state_dma);
		kmem_free(pvs->pvs_free, pvs->pvs_nslots * sizeof (uint16_t));
		kmem_free(pvs->pvs_slots,
		    pvs->pvs_nslots * sizeof (pvscsi_cmd_t *));
	}
	if (pvscsi_undo(pvs, PVSCSI_ATTACH_KSTAT))
		kstat_delete(pvs->pvs_kstat);
	if (pvscsi_undo(pvs, PVSCSI_ATTACH_SYNC)) {
		ddi_taskq_destroy(pvs->pvs_tq);
		list_destroy(&pvs->pvs_waitq);
		mutex_destroy(&pvs->pvs_lock);
	}
	if (pvscsi_undo(pvs, PVSCSI_ATTACH_INTR_ALLOC))
		(void) ddi_intr_free(pvs->pvs_ihdl);
	if (pvscsi_undo(pvs, PVSCSI_ATTACH_REGS))
		ddi_regs_map_free(&pvs->pvs_regh);
	VERIFY0(pvs->pvs_attach);
	kmem_free(pvs, sizeof (*pvs));
}

static int
pvscsi_hba_attach(dev_info_t *dip)
{
	pvscsi_softc_t *pvs = kmem_zalloc(sizeof (*pvs), KM_SLEEP);
	scsi_hba_tran_t *tran;
	boolean_t ok;
	uint_t rn;
	off_t size;

	/* The registers are in the first memory BAR large enough. */
	pvs->pvs_dip = dip;
	for (rn = 1; ddi_dev_regsize(dip, rn, &size) == DDI_SUCCESS; rn++) {
		if (size >= PVSCSI_MEM_SPACE_SIZE)
			break;
	}
	if (ddi_regs_map_setup(dip, rn, &pvs->pvs_regs, 0,
	    PVSCSI_MEM_SPACE_SIZE, &pvscsi_reg_attr, &pvs->pvs_regh) !=
	    DDI_SUCCESS)
		goto fail;
	pvs->pvs_attach |= PVSCSI_ATTACH_REGS;
	if (pvscsi_intr_alloc(pvs) != DDI_SUCCESS)
		goto fail;
	pvs->pvs_attach |= PVSCSI_ATTACH_INTR_ALLOC;
	if ((pvs->pvs_tq = ddi_taskq_create(dip, "discover", 1,
	    TASKQ_DEFAULTPRI, 0)) == NULL)
		goto fail;
	mutex_init(&pvs->pvs_lock, NULL, MUTEX_DRIVER,
	    DDI_INTR_PRI(pvs->pvs_ipri));
	PVSCSI_DONE_INIT(&pvs->pvs_waitq);
	pvs->pvs_attach |= PVSCSI_ATTACH_SYNC;
	if (pvscsi_kstat_init(pvs) != DDI_SUCCESS)
		goto fail;
	pvs->pvs_attach |= PVSCSI_ATTACH_KSTAT | PVSCSI_ATTACH_DMA;
	if (pvscsi_alloc_rings(pvs) != DDI_SUCCESS)
		goto fail;

	(void) pvscsi_command(pvs, PVSCSI_CMD_ADAPTER_RESET, NULL, 0);
	pvs->pvs_attach |= PVSCSI_ATTACH_DEVICE;
	pvscsi_get_max_targets(pvs);
	if (ddi_intr_add_handler(pvs->pvs_ihdl, pvscsi_intr, (caddr_t)pvs,
	    NULL) != DDI_SUCCESS)
		goto fail;
	if (((pvs->pvs_icap & DDI_INTR_FLAG_BLOCK) ?
	    ddi_intr_block_enable(&pvs->pvs_ihdl, 1) :
	    ddi_intr_enable(pvs->pvs_ihdl)) != DDI_SUCCESS) {
		(void) ddi_intr_remove_handler(pvs->pvs_ihdl);
		goto fail;
	}
	pvs->pvs_attach |= PVSCSI_ATTACH_INTR;
	mutex_enter(&pvs->pvs_lock);
	ok = pvscsi_setup_device(pvs);
	mutex_exit(&pvs->pvs_lock);
	if (!ok || (tran = scsi_hba_tran_alloc(dip, SCSI_HBA_CANSLEEP)) == NULL)
		goto fail;

	tran->tran_hba_private = pvs;
	tran->tran_tgt_init = pvscsi_tran_tgt_init;
	tran->tran_tgt_free = pvscsi_tran_tgt_free;
	tran->tran_start = pvscsi_tran_start;
	tran->tran_abort = pvscsi_tran_abort;
	tran->tran_reset = pvscsi_tran_reset;
	tran->tran_getcap = pvscsi_tran_getcap;
	tran->tran_setcap = pvscsi_tran_setcap;
	tran->tran_setup_pkt = pvscsi_setup_pkt;
	tran->tran_teardown_pkt = pvscsi_teardown_pkt;
	tran->tran_pkt_constructor = pvscsi_pkt_ctor;
	tran->tran_pkt_destructor = pvscsi_pkt_dtor;
	tran->tran_hba_len = sizeof (pvscsi_cmd_t);
	tran->tran_interconnect_type = INTERCONNECT_PARALLEL;
	if (scsi_hba_attach_setup(dip, &pvscsi_io_dma_attr, tran,
	    SCSI_HBA_HBA | SCSI_HBA_TRAN_CDB | SCSI_HBA_TRAN_SCB |
	    SCSI_HBA_ADDR_COMPLEX) != DDI_SUCCESS) {
		scsi_hba_tran_free(tran);
		goto fail;
	}
	pvs->pvs_tran = tran;
	pvs->pvs_attach |= PVSCSI_ATTACH_HBA;
	if (scsi_hba_iport_register(dip, "iport0") != DDI_SUCCESS)
		goto fail;

	mutex_enter(&pvs->pvs_lock);
	pvs->pvs_timer = timeout(pvscsi_watchdog, pvs, drv_usectohz(MICROSEC));
	mutex_exit(&pvs->pvs_lock);
	pvs->pvs_attach |= PVSCSI_ATTACH_TIMER;
	return (DDI_SUCCESS);
fail:
	dev_err(dip, CE_WARN, "attach failed after steps 0x%x",
	    pvs->pvs_attach);
	pvscsi_cleanup(pvs);
	return (DDI_FAILURE);
}

static int
pvscsi_attach(dev_info_t *dip, ddi_attach_cmd_t cmd)
{
	scsi_hba_tran_t *tran = ddi_get_driver_private(dip);
	pvscsi_softc_t *pvs;
	scsi_hba_tgtmap_t *tm;

	if (cmd != DDI_ATTACH)
		return (DDI_FAILURE);
	if (scsi_hba_iport_unit_address(dip) == NULL)
		return (pvscsi_hba_attach(dip));
	if (tran == NULL || (pvs = tran->tran_hba_private) == NULL ||
	    scsi_hba_tgtmap_create(dip, SCSI_TM_FULLSET, 2 * MICROSEC,
	    MICROSEC, pvs, NULL, NULL, &tm) != DDI_SUCCESS)
		return (DDI_FAILURE);
	mutex_enter(&pvs->pvs_lock);
	pvs->pvs_tgtmap = tm;
	pvs->pvs_rescan = B_TRUE;
	pvscsi_discover_dispatch(pvs);
	mutex_exit(&pvs->pvs_lock);
	return (DDI_SUCCESS);
}

static int
pvscsi_detach(dev_info_t *dip, ddi_detach_cmd_t cmd)
{
	scsi_hba_tran_t *tran = ddi_get_driver_private(dip);
	pvscsi_softc_t *pvs = tran->tran_hba_private;
	boolean_t iport = scsi_hba_iport_unit_address(dip) != NULL, busy;
	scsi_hba_tgtmap_t *tm;

	if (cmd != DDI_DETACH)
		return (DDI_FAILURE);
	mutex_enter(&pvs->pvs_lock);
	busy = pvs->pvs_nfree != pvs->pvs_nslots ||
	    !list_is_empty(&pvs->pvs_waitq);
	tm = pvs->pvs_tgtmap;
	if (iport)
		pvs->pvs_tgtmap = NULL;
	mutex_exit(&pvs->pvs_lock);
	if (iport) {
		ddi_taskq_wait(pvs->pvs_tq);
		if (tm != NULL)
			scsi_hba_tgtmap_destroy(tm);
		return (DDI_SUCCESS);
	}
	if (busy)
		return (DDI_FAILURE);
	pvscsi_cleanup(pvs);
	return (DDI_SUCCESS);
}

static int
pvscsi_quiesce(dev_info_t *dip)
{
	scsi_hba_tran_t *tran = ddi_get_driver_private(dip);
	pvscsi_softc_t *pvs = tran->tran_hba_private;

	if (scsi_hba_iport_unit_address(dip) != NULL)
		return (DDI_SUCCESS);
	pvscsi_put(pvs, PVSCSI_REG_INTR_MASK, 0);
	pvscsi_put(pvs, PVSCSI_REG_COMMAND, PVSCSI_CMD_ADAPTER_RESET);
	return (DDI_SUCCESS);
}

static struct dev_ops pvscsi_dev_ops = {
	.devo_rev = DEVO_REV,
	.devo_getinfo = nodev,
	.devo_identify = nulldev,
	.devo_probe = nulldev,
	.devo_attach = pvscsi_attach,
	.devo_detach = pvscsi_detach,
	.devo_reset = nodev,
	.devo_quiesce = pvscsi_quiesce
};

static struct modldrv pvscsi_modldrv = {
	.drv_modops = &mod_driverops,
	.drv_linkinfo = "VMware PVSCSI",
	.drv_dev_ops = &pvscsi_dev_ops
};

static struct modlinkage pvscsi_modlinkage = {
	.ml_rev = MODREV_1,
	.ml_linkage = { &pvscsi_modldrv, NULL }
};

int
_init(void)
{
	int rv;

	if ((rv = scsi_hba_init(&pvscsi_modlinkage)) != 0)
		return (rv);
	if ((rv = mod_install(&pvscsi_modlinkage)) != 0)
		scsi_hba_fini(&pvscsi_modlinkage);
	return (rv);
}

int
_fini(void)
{
	int rv;

	if ((rv = mod_remove(&pvscsi_modlinkage)) == 0)
		scsi_hba_fini(&pvscsi_modlinkage);
	return (rv);
}

int
_info(struct modinfo *modinfop)
{
	return (mod_info(&pvscsi_modlinkage, modinfop));
}

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
 * The PVSCSI adapter is a handful of registers and three rings in memory
 * that the driver and the device share.  The driver posts requests on the
 * request ring, and the device posts their completions on the completion
 * ring and announces targets that come and go on the message ring.  The
 * driver is an iport(9) HBA of the modern SCSA interface: the framework
 * allocates each packet with the driver's per-command area
 * (tran_setup_pkt(9E)) and binds its data with the driver's DMA attributes,
 * so that tran_start(9E) only has to describe the packet to the device.
 * The adapter has a single iport, "iport0", whose target map names targets
 * by their number in hexadecimal; logical units are thus named
 * "target,lun".
 *
 * Hardware interface
 * ------------------
 *
 * The driver gives the device a command by writing its code to the COMMAND
 * register, then its descriptor one dword at a time to COMMAND_DATA, and
 * reads the outcome from COMMAND_STATUS.  SETUP_RINGS gives the device the
 * pages of the request and completion rings and the rings state page,
 * which holds the producer and consumer index of each ring; SETUP_MSG_RING
 * gives it the message ring.  The indices run freely and are reduced
 * modulo the ring size only to address an entry.  A few commands are
 * optional, and a device that refuses them is used without them.
 *
 * Memory changes hands between the CPU and the device only through
 * ddi_dma_sync(9F) of exactly the bytes handed over.  This matters for the
 * rings state page, where fields the driver writes sit beside fields the
 * device writes.  Before a kick the driver syncs the new request entries
 * and then its producer index for the device.  Before reading a ring it
 * syncs the device's producer index for the CPU and then the entries, and
 * afterwards it syncs its consumer index for the device.  Every packet owns
 * a page from its constructor on, for its scatter-gather list (never
 * chained) and its sense data.
 *
 * Nothing the device writes is trusted.  A completion for a context that is
 * not outstanding, or a message about a target that cannot exist, is
 * counted and ignored.  A producer index that runs ahead of the consumer
 * index by more than the ring holds (or behind it) means the ring state is
 * corrupt, and the adapter is reset.  Lengths beyond what was asked are
 * clamped, and a host status the driver does not know ends the packet with
 * CMD_TRAN_ERR.  These device errors are counted in a kstat and logged now
 * and then (see pvscsi(4D)).  An INTR_STATUS that reads all-ones means the
 * device is gone: from then on the driver touches no register and fails
 * every command with CMD_DEV_GONE.
 *
 * Glossary
 * --------
 *
 * A slot is an entry of pvs_slots, the table of the commands outstanding
 * on the device.  There is one slot per request ring entry, and a command
 * holds a slot from its submission to the device until it completes.  The
 * free slots are kept on a stack, pvs_free.  The device never checks the
 * completion ring for room, so the completion ring has at least as many
 * entries as there are slots.
 *
 * The generation is a 16-bit counter that advances, skipping 0, with every
 * submission.  A command's context, the value that names it to the device
 * and comes back in its completion, is its slot and the generation of its
 * submission.  The slot makes the lookup of a completion O(1); the
 * generation catches a context from an earlier use of the slot.  A
 * context's upper 32 bits are always 0.
 *
 * A kick is the register write that tells the device to look at the
 * request ring again, once the new requests and the producer index have
 * been published.  KICK_RW_IO serves batches of reads and writes only, and
 * a device that maintains reqCallThreshold does not need it until that
 * many requests wait; any other command needs KICK_NON_RW_IO.
 *
 * Delivery is the handing of ended packets to the framework with
 * scsi_hba_pkt_comp(9F).  Packets end under pvs_lock and are collected on
 * a done list, which the thread that collected them delivers after it has
 * dropped the lock (pvscsi_exit_deliver()).
 *
 * The wait queue, pvs_waitq, holds the commands that were accepted while
 * every slot was taken.  It is unbounded: no packet is refused, and nothing
 * is printed, for want of room.  A freed slot goes to the command at its
 * head; polled commands and FLAG_HEAD packets join it at the head.
 *
 * Command lifecycle
 * -----------------
 *
 *   tran_start() --- no free slot ---> WAITING (pvs_waitq)
 *        | free slot                     | slot freed      | aborted,
 *        v                               | (submitted)     | reset
 *   OUTSTANDING (pvs_slots[]) <----------+                 |
 *        | completion, reset or device loss                |
 *        v pvscsi_cmd_done()                               |
 *   ENDED, on a done list, under pvs_lock <----------------+
 *        | pvs_lock dropped
 *        v
 *   scsi_hba_pkt_comp()       (polled: not on a list, the poller returns)
 *
 * Only a command that is waiting or outstanding can end, and ending takes
 * it out of the wait queue or its slot, so that each command ends once.
 *
 * Locking
 * -------
 *
 * One mutex, pvs_lock, at the interrupt's priority, covers the rings and
 * their indices, the slots, the wait queue, the commands while they wait
 * or are outstanding, the requests for discovery, the target map pointer,
 * the watchdog's timeout and the statistics (it is the kstat's ks_lock).
 * What attach sets up before it enables the interrupt is only read
 * afterwards and needs no lock.  Two things are not pvs_lock's: the
 * discovery task's record of the targets present, pvs_present, and the
 * target of its probe command, which only that task uses (one task runs at
 * a time), and which it sets between polls with the lock dropped.
 *
 * Why a single lock: the interrupt handler, the watchdog, submission,
 * polling and recovery all work on the same rings and slots, and a device
 * reset touches all of them at once.  The adapter has one interrupt vector
 * and one completion ring, so there is no parallel work to be gained by
 * splitting the state, only lock ordering to get wrong.  The work done
 * under the lock is short: no allocation, no waiting, one kick per batch,
 * and delivery happens outside it.
 *
 * pvs_lock is dropped before the driver calls into the framework in ways
 * that may come back into the driver or block: scsi_hba_pkt_comp(9F)
 * (target drivers resubmit from pkt_comp), the target map functions,
 * ddi_taskq_wait(9F), untimeout(9F) (the watchdog takes the lock) and
 * kstat_delete(9F).  It is held across calls that neither block nor call
 * back: register access, ddi_dma_sync(9F), list(9F), gethrtime(9F),
 * ddi_taskq_dispatch(9F) with DDI_NOSLEEP, timeout(9F) and dev_err(9F).
 * pvscsi_exit_deliver() is entered with the lock held and returns without
 * it, as its name says.  Every other function returns with the lock as it
 * found it, and those that need it assert that they hold it.
 *
 * While a thread delivers (pvs_delivering counts such threads), requests
 * that others queue, above all those resubmitted from pkt_comp, are put
 * on the ring but not kicked: the last delivering thread kicks once for
 * all of them.  A poller kicks for its own request, and an abort or a
 * reset first kicks every request it must reach.
 *
 * Interrupts
 * ----------
 *
 * The driver uses one vector, MSI-X, MSI or FIXED in that order of
 * preference.  Only a FIXED line may be shared, so only its handler reads
 * INTR_STATUS (0 means the interrupt is another device's) and writes it
 * back to acknowledge it.  The handler takes every completion and message,
 * submits waiting commands to the freed slots, kicks once, and delivers.
 *
 * Timeouts and recovery
 * ---------------------
 *
 * A packet's pkt_time counts from its submission to the device.  A
 * timeout(9F) that fires once a second, the watchdog, services the rings
 * (in case an interrupt was lost) and starts the recovery of packets past
 * their deadline.  Recovery climbs a ladder, one step per
 * pvscsi_recovery_time seconds: ABORT_CMD for the command, RESET_DEVICE
 * for its logical unit, RESET_BUS, then an adapter reset.  A step that a
 * packet has already had is skipped, and as a reset for one packet counts
 * for every packet it hits, packets that time out together climb the
 * ladder together.  The packet ends CMD_TIMEOUT, with STAT_TIMEOUT and the
 * statistics of the steps it had.  tran_abort(9E) and tran_reset(9E) use
 * the same commands.  The kstat counts the packets that time out and every
 * abort and reset the driver asks for.
 *
 * What an abort or a reset does to a command depends on where the command
 * is.  A command outstanding on the device is ended by the device: an
 * aborted one with CMD_ABORTED, one of a reset logical unit or bus with
 * CMD_RESET and STAT_DEV_RESET or STAT_BUS_RESET, as the driver asked
 * (the device says BUSRESET for both).  The device resets logical units,
 * not targets, so a target reset is a reset of the target's logical unit
 * 0, and affects the commands of that logical unit only.  A command still
 * waiting for a slot never reached the device.  When tran_abort(9E) or
 * tran_reset(9E) concerns it, it ends at once, with CMD_ABORTED or
 * CMD_RESET and STAT_ABORTED; the steps of recovery leave it waiting.
 *
 * An adapter reset holds pvs_lock throughout.  The device writes what it
 * cancels to the old completion ring (and may interrupt: the handler waits
 * for the lock), and the driver reaps those completions.  The commands
 * still outstanding then end with CMD_RESET and STAT_BUS_RESET.  The driver
 * sets up the rings again, rewrites INTR_MASK (which a reset keeps), and
 * submits the waiting commands, which did not reach the device and so lose
 * nothing.  A reset also asks for a scan of the targets, since messages
 * may have been lost with the old message ring.
 *
 * Polled I/O
 * ----------
 *
 * A FLAG_NOINTR packet joins the wait queue at its head, and its submitter
 * services the rings itself, pausing with drv_usecwait(9F), until the
 * packet has ended; so polled I/O works without interrupts, as a crash dump
 * needs.  The poller drives the recovery of its own packet, after pkt_time
 * or, without one, after pvscsi_poll_time.
 *
 * Discovery and hotplug
 * ---------------------
 *
 * A task probes every target the adapter accepts with a polled INQUIRY,
 * taking a selection timeout for an absent target, and reports the targets
 * present to the iport's target map.  The adapter says how many targets it
 * accepts in the CONFIG command's numPhys, else in GET_MAX_TARGETS; one that
 * answers neither, as QEMU's does (its bus has targets 0 to 64), is probed
 * for all 256 targets a request can name.  That costs little: the device
 * ends the probe of an absent target at once, as it does for a target beyond
 * its bus.  pvscsi_max_targets limits the scan for those who want fewer
 * targets.  The map is a FULLSET one: each scan reports the whole set, and
 * the framework works out what was added and removed.  So a message the
 * device drops, or sends twice, cannot leave the map wrong, and the messages
 * need only say that something changed.  A message about logical unit 0 of
 * any target the adapter accepts asks for a scan; one about another logical
 * unit asks for scsi_hba_tgtmap_scan_luns(9F) of its target.  The interrupt
 * handler takes all messages and dispatches the task once; messages that
 * come during a scan cause another.  The device drops messages only when
 * the ring is full, and a full ring, like a reset, causes a scan of the
 * current state.
 *
 * Detach and quiesce
 * ------------------
 *
 * pvs_attach records the steps attach has taken, and pvscsi_cleanup()
 * undoes those, in reverse order, whether attach failed or detach called
 * it.  The rings' step is recorded as it begins, and undoing it resets the
 * device, then frees the rings as far as they were allocated.  The iport's
 * detach waits for discovery to end and destroys the target map.  The
 * adapter's detach fails while commands are waiting or outstanding.
 * quiesce(9E) masks the interrupts and resets the adapter.  A virtual bus
 * needs no tran_quiesce(9E).
 *
 * Tunables
 * --------
 *
 * pvscsi_ring_pages	request ring pages (32 requests each), 1 to 32, 2^n
 * pvscsi_max_targets	most targets to scan (default: all it accepts)
 * pvscsi_poll_time	seconds for a polled packet without pkt_time
 * pvscsi_recovery_time	seconds between recovery steps
 */

#include <sys/ddi.h>
#include <sys/sysmacros.h>
#include <sys/byteorder.h>
#include <sys/time.h>

#include "pvscsi_var.h"

uint_t pvscsi_ring_pages = PVSCSI_DEFAULT_RING_PAGES;
uint_t pvscsi_max_targets = PVSCSI_MAX_TARGETS;
uint_t pvscsi_poll_time = 30;
uint_t pvscsi_recovery_time = 5;

#define	PVSCSI_PROBE_TIME	5		/* seconds */
#define	PVSCSI_INQ_LEN		36
#define	PVSCSI_POLL_USEC	10
#define	PVSCSI_WATCHDOG_USEC	MICROSEC
#define	PVSCSI_TGTMAP_SETTLE_USEC	(2 * MICROSEC)
#define	PVSCSI_TGTMAP_CSYNC_USEC	MICROSEC
#define	PVSCSI_ALL		(-1)	/* every target or LUN */

#define	PVSCSI_CMD_LIST_CREATE(l) list_create((l), \
	sizeof (pvscsi_cmd_t), offsetof(pvscsi_cmd_t, pvc_node))
#define	PVSCSI_SYNC_STATE(pvs, field, dir) \
	(void) ddi_dma_sync((pvs)->pvs_state_dma.pvb_dmah, \
	    offsetof(pvscsi_rings_state_t, field), sizeof (uint32_t), (dir))
/* Is cmd for target and lun?  PVSCSI_ALL matches every target or LUN. */
#define	PVSCSI_MATCHES(cmd, t, l) \
	(((t) == PVSCSI_ALL || (cmd)->pvc_target == (t)) && \
	((l) == PVSCSI_ALL || (cmd)->pvc_lun == (l)))
#define	PVSCSI_SOFTC(dip) ((pvscsi_softc_t *)((scsi_hba_tran_t *) \
	ddi_get_driver_private(dip))->tran_hba_private)
#define	PVSCSI_TGT(ap) \
	((pvscsi_tgt_t *)scsi_device_hba_private_get(scsi_address_device(ap)))

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

/*
 * The names of the statistics of pvscsi_stats_t, in its order.
 */
static const char *pvscsi_stat_names[] = {
	"bad_context", "bad_ring_index", "bad_message", "bad_data_length",
	"sense_clamped", "bad_host_status", "timeouts", "aborts",
	"device_resets", "bus_resets", "adapter_resets"
};
CTASSERT(sizeof (pvscsi_stats_t) ==
    ARRAY_SIZE(pvscsi_stat_names) * sizeof (kstat_named_t));

static void pvscsi_discover(void *);

/*
 * Registers.  INTR_STATUS reading all-ones, a value no device gives, means
 * the device is gone: from then on registers are neither read nor written.
 */
static uint32_t
pvscsi_reg_read(pvscsi_softc_t *pvs, uint_t reg)
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
pvscsi_reg_write(pvscsi_softc_t *pvs, uint_t reg, uint32_t val)
{
	if (!pvs->pvs_gone)
		ddi_put32(pvs->pvs_regh, (void *)(pvs->pvs_regs + reg), val);
}

/* The page numbers (PPNs) of DMA memory, for a command's descriptor. */
static void
pvscsi_ppns(uint64_t *ppns, pvscsi_dma_t *d)
{
	for (uint_t i = 0; i < d->pvb_size / PVSCSI_PAGE_SIZE; i++)
		ppns[i] = LE_64(ddi_dma_cookie_get(d->pvb_dmah,
		    i)->dmac_laddress >> PVSCSI_PAGE_SHIFT);
}

/*
 * Give the device a command and its descriptor, len bytes laid out as the
 * device reads them; returns the command's status.  The descriptor goes
 * to COMMAND_DATA a dword at a time.  A command the device does not know
 * fails as soon as it is written, and then takes no descriptor.
 */
static uint32_t
pvscsi_command(pvscsi_softc_t *pvs, uint32_t cmd, const void *desc,
    size_t len)
{
	pvscsi_reg_write(pvs, PVSCSI_REG_COMMAND, cmd);
	if (len != 0 && pvscsi_reg_read(pvs, PVSCSI_REG_COMMAND_STATUS) !=
	    PVSCSI_STATUS_FAILED) {
		for (size_t i = 0; i < len / sizeof (uint32_t); i++)
			pvscsi_reg_write(pvs, PVSCSI_REG_COMMAND_DATA,
			    LE_32(((const uint32_t *)desc)[i]));
	}
	return (pvscsi_reg_read(pvs, PVSCSI_REG_COMMAND_STATUS));
}

/*
 * DMA memory for the device: whole pages, zeroed, one cookie per page.
 * Freeing takes back whatever was allocated, so it undoes a failed
 * allocation as well as a good one.
 */
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
	/* Page-aligned, a page per cookie at most: a cookie per page. */
	ASSERT3U(ddi_dma_ncookies(d->pvb_dmah), ==, size / PVSCSI_PAGE_SIZE);
	d->pvb_pa = ddi_dma_cookie_get(d->pvb_dmah, 0)->dmac_laddress;
	return (DDI_SUCCESS);
fail:
	pvscsi_dma_free(d);
	return (DDI_FAILURE);
}

/*
 * The device wrote something that the driver ignores or corrects: count it
 * in its statistic, and log it the first, second, fourth, eighth... time.
 */
static void
pvscsi_device_error(pvscsi_softc_t *pvs, kstat_named_t *kn, uint64_t val)
{
	uint64_t n = ++kn->value.ui64;

	ASSERT(MUTEX_HELD(&pvs->pvs_lock));
	if (ISP2(n))
		dev_err(pvs->pvs_dip, CE_WARN, "!%s 0x%llx from the device "
		    "(%llu so far)", kn->name, (u_longlong_t)val,
		    (u_longlong_t)n);
}

/*
 * Slots.  A command takes a free slot, and with it a context of the next
 * generation, when it is submitted to the device, and frees the slot when
 * it ends.
 */
static void
pvscsi_slot_take(pvscsi_softc_t *pvs, pvscsi_cmd_t *cmd)
{
	uint16_t slot;

	ASSERT(MUTEX_HELD(&pvs->pvs_lock));
	ASSERT3U(pvs->pvs_nfree, >, 0);
	ASSERT0(cmd->pvc_ctx);
	slot = pvs->pvs_free[--pvs->pvs_nfree];
	ASSERT3P(pvs->pvs_slots[slot], ==, NULL);
	pvs->pvs_slots[slot] = cmd;
	if (++pvs->pvs_gen == 0)
		pvs->pvs_gen = 1;
	cmd->pvc_ctx = ((uint32_t)pvs->pvs_gen << PVSCSI_CTX_GEN_SHIFT) | slot;
}

static void
pvscsi_slot_free(pvscsi_softc_t *pvs, pvscsi_cmd_t *cmd)
{
	uint16_t slot = PVSCSI_CTX_SLOT(cmd->pvc_ctx);

	ASSERT(MUTEX_HELD(&pvs->pvs_lock));
	ASSERT3P(pvs->pvs_slots[slot], ==, cmd);
	ASSERT3U(pvs->pvs_nfree, <, pvs->pvs_nslots);
	pvs->pvs_slots[slot] = NULL;
	pvs->pvs_free[pvs->pvs_nfree++] = slot;
	cmd->pvc_ctx = 0;
}

/*
 * Describe a packet's CDB and data: one cookie is given directly, more as
 * the SG list in the packet's page.  The data direction comes from the
 * binding, which follows the CDB: the device must never be given a
 * direction that contradicts the CDB, so a packet bound both ways gets
 * none.
 */
static void
pvscsi_req_pkt(pvscsi_cmd_t *cmd, pvscsi_req_t *req)
{
	struct scsi_pkt *pkt = cmd->pvc_pkt;
	pvscsi_sge_t *sge = (void *)cmd->pvc_dma.pvb_kva;
	uint_t n = pkt->pkt_numcookies, dir = pkt->pkt_dma_flags & DDI_DMA_RDWR;
	uint32_t flags = 0;

	if (dir == DDI_DMA_READ)
		flags = PVSCSI_FLAG_CMD_DIR_TOHOST;
	else if (dir == DDI_DMA_WRITE)
		flags = PVSCSI_FLAG_CMD_DIR_TODEVICE;
	req->pr_tag = PVSCSI_TAG_SIMPLE;
	if (pkt->pkt_flags & FLAG_HTAG)
		req->pr_tag = PVSCSI_TAG_HEAD;
	else if (pkt->pkt_flags & FLAG_OTAG)
		req->pr_tag = PVSCSI_TAG_ORDERED;
	bcopy(pkt->pkt_cdbp, req->pr_cdb, pkt->pkt_cdblen);
	req->pr_cdb_len = (uint8_t)pkt->pkt_cdblen;
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
 * Submit a command to the device: give it a slot and the next request
 * ring entry, and a deadline (for a polled packet without pkt_time,
 * pvscsi_poll_time; 0 is never).  pvscsi_kick() publishes it, with
 * KICK_RW_IO if the batch has reads and writes only.
 */
static void
pvscsi_submit(pvscsi_softc_t *pvs, pvscsi_cmd_t *cmd)
{
	uint_t idx = pvs->pvs_req_prod & (pvs->pvs_nslots - 1);
	pvscsi_req_t *req = (pvscsi_req_t *)(void *)pvs->pvs_req_dma.pvb_kva +
	    idx;
	int secs = PVSCSI_PROBE_TIME;

	ASSERT(MUTEX_HELD(&pvs->pvs_lock));
	cmd->pvc_flags &= ~PVSCSI_CMDF_QUEUED;
	pvscsi_slot_take(pvs, cmd);
	cmd->pvc_stat = 0;
	bzero(req, sizeof (*req));
	req->pr_context = LE_64((uint64_t)cmd->pvc_ctx);
	req->pr_target = cmd->pvc_target;
	req->pr_lun[1] = cmd->pvc_lun;
	req->pr_sense_addr = LE_64(cmd->pvc_dma.pvb_pa + PVSCSI_SENSE_OFF);
	req->pr_sense_len = LE_32(PVSCSI_SENSE_LEN);
	if (cmd->pvc_pkt != NULL) {
		pvscsi_req_pkt(cmd, req);
		secs = MAX(cmd->pvc_pkt->pkt_time, 0);
	} else {
		/* The discovery probe: an INQUIRY into its own page. */
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
	pvs->pvs_req_prod++;

	switch (req->pr_cdb[0]) {
	case SCMD_READ:
	case SCMD_WRITE:
	case SCMD_READ_G1:
	case SCMD_WRITE_G1:
	case SCMD_READ_G4:
	case SCMD_WRITE_G4:
	case SCMD_READ_G5:
	case SCMD_WRITE_G5:
		if (pvs->pvs_kick == 0)
			pvs->pvs_kick = PVSCSI_REG_KICK_RW_IO;
		break;
	default:
		pvs->pvs_kick = PVSCSI_REG_KICK_NON_RW_IO;
		break;
	}
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
	pvscsi_rings_state_t *st = (void *)pvs->pvs_state_dma.pvb_kva;

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
		pvscsi_reg_write(pvs, pvs->pvs_kick, 0);
	pvs->pvs_kick = 0;
}

/* Submit waiting commands, in order, while slots are free. */
static void
pvscsi_submit_waiting(pvscsi_softc_t *pvs)
{
	pvscsi_cmd_t *cmd;

	ASSERT(MUTEX_HELD(&pvs->pvs_lock));
	while (pvs->pvs_nfree > 0 &&
	    (cmd = list_remove_head(&pvs->pvs_waitq)) != NULL)
		pvscsi_submit(pvs, cmd);
}

/*
 * Accept a command: it waits its turn for a slot, at the head or the tail
 * of the wait queue, and is kicked unless a delivering thread will kick.
 */
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
	pvscsi_submit_waiting(pvs);
	if (pvs->pvs_delivering == 0)
		pvscsi_kick(pvs);
	return (TRAN_ACCEPT);
}

/*
 * How a host status ends a packet: B_FALSE for a status the driver does
 * not know, which ends it CMD_TRAN_ERR.
 */
static boolean_t
pvscsi_host_lookup(uint16_t host, uchar_t *reasonp, uint_t *statp)
{
	for (uint_t i = 0; i < ARRAY_SIZE(pvscsi_host_map); i++) {
		if (pvscsi_host_map[i].phm_host == host) {
			*reasonp = pvscsi_host_map[i].phm_reason;
			*statp = pvscsi_host_map[i].phm_stat;
			return (B_TRUE);
		}
	}
	*reasonp = CMD_TRAN_ERR;
	*statp = 0;
	return (B_FALSE);
}

/*
 * Copy the sense data, at most what the device wrote, into the packet's
 * ARQ status, as if a REQUEST SENSE had run.
 */
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
	pkt->pkt_state |= STATE_ARQ_DONE;
	if (avail > SENSE_LENGTH)
		pkt->pkt_state |= STATE_XARQ_DONE;
}

/*
 * Translate a completion into the packet's reason, statistics and state.
 * An unknown host status, or a length beyond what was asked, is a device
 * error.  The device ends the commands of a LUN or bus reset with
 * BUSRESET: pvc_stat says which reset the driver asked for.  The status
 * byte and sense data count whatever the host status (a CHECK CONDITION
 * often comes with DATARUN).  A data length of 0 (QEMU's) means all of it.
 */
static void
pvscsi_cmp_status(pvscsi_softc_t *pvs, pvscsi_cmd_t *cmd,
    const pvscsi_cmp_t *cmp)
{
	struct scsi_pkt *pkt = cmd->pvc_pkt;
	pvscsi_stats_t *st = &pvs->pvs_stats;
	uint8_t ss = (uint8_t)LE_16(cmp->pc_scsi_status);
	uint64_t dl = LE_64(cmp->pc_data_len);
	uint32_t slen = LE_32(cmp->pc_sense_len);
	uint_t stat, reset = cmd->pvc_stat & (STAT_DEV_RESET | STAT_BUS_RESET);
	uchar_t reason;

	ASSERT(MUTEX_HELD(&pvs->pvs_lock));
	cmd->pvc_host = LE_16(cmp->pc_host_status);
	if (pkt == NULL)
		return;
	if (!pvscsi_host_lookup(cmd->pvc_host, &reason, &stat))
		pvscsi_device_error(pvs, &st->bad_host_status, cmd->pvc_host);
	if (dl > cmd->pvc_xfer)
		pvscsi_device_error(pvs, &st->bad_data_length, dl);
	if (slen > PVSCSI_SENSE_LEN)
		pvscsi_device_error(pvs, &st->sense_clamped, slen);
	if (cmd->pvc_host == PVSCSI_BTSTAT_BUSRESET && reset != 0)
		stat = reset;
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
			pvscsi_arq(cmd, slen);
	}
	if (reason != CMD_CMPLT || (ss != STATUS_GOOD && dl == 0))
		return;
	pkt->pkt_resid = 0;
	if (dl != 0 && dl < cmd->pvc_xfer)
		pkt->pkt_resid = cmd->pvc_xfer - dl;
	if ((size_t)pkt->pkt_resid < cmd->pvc_xfer)
		pkt->pkt_state |= STATE_XFERRED_DATA;
}

/*
 * A command has ended: take it out of its slot or the wait queue, give its
 * packet reason and statistics unless it has an end already, and put it on
 * the done list, unless its poller waits for it.
 */
static void
pvscsi_cmd_done(pvscsi_softc_t *pvs, pvscsi_cmd_t *cmd, uchar_t reason,
    uint_t stat, list_t *done)
{
	struct scsi_pkt *pkt = cmd->pvc_pkt;

	ASSERT(MUTEX_HELD(&pvs->pvs_lock));
	ASSERT(cmd->pvc_ctx != 0 || (cmd->pvc_flags & PVSCSI_CMDF_QUEUED));
	if (cmd->pvc_ctx != 0)
		pvscsi_slot_free(pvs, cmd);
	if (cmd->pvc_flags & PVSCSI_CMDF_QUEUED)
		list_remove(&pvs->pvs_waitq, cmd);
	cmd->pvc_flags &= ~PVSCSI_CMDF_QUEUED;
	if (pkt != NULL) {
		if (pkt->pkt_reason == CMD_CMPLT)
			pkt->pkt_reason = reason;
		if (cmd->pvc_flags & PVSCSI_CMDF_TIMEDOUT) {
			pkt->pkt_reason = CMD_TIMEOUT;
			stat |= STAT_TIMEOUT | cmd->pvc_stat;
		}
		pkt->pkt_statistics |= stat;
	}
	if (!(cmd->pvc_flags & PVSCSI_CMDF_POLLED))
		list_insert_tail(done, cmd);
}

/* End every outstanding command. */
static void
pvscsi_fail_outstanding(pvscsi_softc_t *pvs, uchar_t reason, uint_t stat,
    list_t *done)
{
	pvscsi_cmd_t *cmd;

	ASSERT(MUTEX_HELD(&pvs->pvs_lock));
	for (uint_t i = 0; i < pvs->pvs_nslots; i++) {
		if ((cmd = pvs->pvs_slots[i]) != NULL)
			pvscsi_cmd_done(pvs, cmd, reason, stat, done);
	}
}

/* End the waiting commands of target and lun (PVSCSI_ALL: every one). */
static void
pvscsi_fail_waiting(pvscsi_softc_t *pvs, int target, int lun,
    uchar_t reason, list_t *done)
{
	pvscsi_cmd_t *cmd, *next;

	ASSERT(MUTEX_HELD(&pvs->pvs_lock));
	for (cmd = list_head(&pvs->pvs_waitq); cmd != NULL; cmd = next) {
		next = list_next(&pvs->pvs_waitq, cmd);
		if (PVSCSI_MATCHES(cmd, target, lun))
			pvscsi_cmd_done(pvs, cmd, reason, STAT_ABORTED, done);
	}
}

/*
 * Drop pvs_lock and deliver the commands on done (a list the caller
 * created, destroyed here); then, if this was the last delivering thread,
 * kick for the requests queued meanwhile.  Entered with pvs_lock held,
 * returns without it.
 */
static void
pvscsi_exit_deliver(pvscsi_softc_t *pvs, list_t *done)
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
	ASSERT3U(pvs->pvs_delivering, >, 0);
	if (--pvs->pvs_delivering == 0)
		pvscsi_kick(pvs);
	mutex_exit(&pvs->pvs_lock);
}

/*
 * Take the completions the device has posted.  B_FALSE when its producer
 * index is beyond the ring: the ring state is corrupt.
 */
static boolean_t
pvscsi_reap(pvscsi_softc_t *pvs, list_t *done)
{
	pvscsi_rings_state_t *st = (void *)pvs->pvs_state_dma.pvb_kva;
	pvscsi_cmp_t *ring = (void *)pvs->pvs_cmp_dma.pvb_kva;
	uint32_t prod, cons = pvs->pvs_cmp_cons;
	uint_t n = pvs->pvs_cmp_dma.pvb_size / sizeof (pvscsi_cmp_t);
	pvscsi_cmd_t *cmd;
	pvscsi_cmp_t cmp;
	uint64_t ctx;
	uint_t idx;

	ASSERT(MUTEX_HELD(&pvs->pvs_lock));
	PVSCSI_SYNC_STATE(pvs, prs_cmp_prod, DDI_DMA_SYNC_FORKERNEL);
	prod = LE_32(st->prs_cmp_prod);
	if (prod - cons > n)
		return (B_FALSE);
	for (; cons != prod; cons++) {
		idx = cons & (n - 1);
		(void) ddi_dma_sync(pvs->pvs_cmp_dma.pvb_dmah,
		    idx * sizeof (cmp), sizeof (cmp), DDI_DMA_SYNC_FORKERNEL);
		cmp = ring[idx];
		ctx = LE_64(cmp.pc_context);
		cmd = (PVSCSI_CTX_SLOT(ctx) < pvs->pvs_nslots) ?
		    pvs->pvs_slots[PVSCSI_CTX_SLOT(ctx)] : NULL;
		if (cmd == NULL || cmd->pvc_ctx != ctx) {
			pvscsi_device_error(pvs,
			    &pvs->pvs_stats.bad_context, ctx);
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

/*
 * Take the messages the device has posted, each a request for discovery: a
 * scan for LUN 0, a LUN scan of the target for another LUN.  B_FALSE when
 * its producer index is beyond the ring.
 */
static boolean_t
pvscsi_msgs(pvscsi_softc_t *pvs)
{
	pvscsi_rings_state_t *st = (void *)pvs->pvs_state_dma.pvb_kva;
	pvscsi_msg_dev_t *ring = (void *)pvs->pvs_msg_dma.pvb_kva;
	uint32_t prod, cons = pvs->pvs_msg_cons, tgt;
	pvscsi_msg_dev_t m;
	uint64_t lun;
	uint_t idx;

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
		/* A single-level LUN: lun[1], every other byte 0. */
		bcopy(m.pmd_lun, &lun, sizeof (lun));
		if (LE_32(m.pmd_type) > PVSCSI_MSG_DEV_REMOVED ||
		    LE_32(m.pmd_bus) != 0 || tgt >= pvs->pvs_max_targets ||
		    (LE_64(lun) & ~0xff00ULL) != 0) {
			pvscsi_device_error(pvs,
			    &pvs->pvs_stats.bad_message, tgt);
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

/*
 * Give the device its rings, the message ring and reqCallThreshold (both
 * optional), and unmask its interrupts.  B_FALSE when it refuses the rings.
 */
static boolean_t
pvscsi_setup_device(pvscsi_softc_t *pvs)
{
	pvscsi_setup_rings_t sr;
	pvscsi_setup_msg_ring_t sm;
	uint32_t enable = LE_32(1), status, mstatus;

	ASSERT(MUTEX_HELD(&pvs->pvs_lock));
	bzero(&sr, sizeof (sr));
	sr.psr_req_pages = LE_32(pvs->pvs_req_dma.pvb_size / PVSCSI_PAGE_SIZE);
	sr.psr_cmp_pages = LE_32(pvs->pvs_cmp_dma.pvb_size / PVSCSI_PAGE_SIZE);
	pvscsi_ppns(&sr.psr_state_ppn, &pvs->pvs_state_dma);
	pvscsi_ppns(sr.psr_req_ppns, &pvs->pvs_req_dma);
	pvscsi_ppns(sr.psr_cmp_ppns, &pvs->pvs_cmp_dma);
	status = pvscsi_command(pvs, PVSCSI_CMD_SETUP_RINGS, &sr, sizeof (sr));
	pvs->pvs_req_prod = pvs->pvs_cmp_cons = pvs->pvs_msg_cons = 0;
	pvs->pvs_kick = 0;

	bzero(&sm, sizeof (sm));
	sm.psm_pages = LE_32(PVSCSI_MSG_RING_PAGES);
	pvscsi_ppns(sm.psm_ppns, &pvs->pvs_msg_dma);
	mstatus = pvscsi_command(pvs, PVSCSI_CMD_SETUP_MSG_RING, &sm,
	    sizeof (sm));
	pvs->pvs_msg_ring = (mstatus != PVSCSI_STATUS_FAILED &&
	    mstatus != PVSCSI_STATUS_NEED_DATA);
	pvs->pvs_threshold = (pvscsi_command(pvs,
	    PVSCSI_CMD_SETUP_REQCALLTHRESHOLD, &enable, sizeof (enable)) ==
	    PVSCSI_STATUS_OK);

	/* The device has reset the indices: take its view of them. */
	(void) ddi_dma_sync(pvs->pvs_state_dma.pvb_dmah, 0,
	    sizeof (pvscsi_rings_state_t), DDI_DMA_SYNC_FORKERNEL);
	pvscsi_reg_write(pvs, PVSCSI_REG_INTR_MASK, PVSCSI_INTR_CMPL_MASK |
	    (pvs->pvs_msg_ring ? PVSCSI_INTR_MSG_MASK : 0));
	return (status == PVSCSI_STATUS_OK);
}

/*
 * Reset the adapter, as the theory statement says.  B_FALSE when the
 * device is gone.
 */
static boolean_t
pvscsi_reset_adapter(pvscsi_softc_t *pvs, list_t *done)
{
	ASSERT(MUTEX_HELD(&pvs->pvs_lock));
	pvs->pvs_stats.adapter_resets.value.ui64++;
	(void) pvscsi_command(pvs, PVSCSI_CMD_ADAPTER_RESET, NULL, 0);
	(void) pvscsi_reap(pvs, done);
	pvscsi_fail_outstanding(pvs, CMD_RESET, STAT_BUS_RESET, done);
	if (!pvscsi_setup_device(pvs) && !pvs->pvs_gone)
		dev_err(pvs->pvs_dip, CE_WARN, "ring setup failed after reset");
	pvs->pvs_rescan = B_TRUE;
	pvscsi_submit_waiting(pvs);
	pvscsi_kick(pvs);
	return (!pvs->pvs_gone);
}

/*
 * Ask the device to abort a command, or end it at once if it is waiting
 * for a slot.  B_FALSE when the command is neither, or the device refuses.
 */
static boolean_t
pvscsi_abort_cmd(pvscsi_softc_t *pvs, pvscsi_cmd_t *cmd, list_t *done)
{
	pvscsi_cmd_abort_t ca = {
		.pca_context = LE_64((uint64_t)cmd->pvc_ctx),
		.pca_target = LE_32(cmd->pvc_target)
	};

	ASSERT(MUTEX_HELD(&pvs->pvs_lock));
	if (cmd->pvc_flags & PVSCSI_CMDF_QUEUED) {
		pvscsi_cmd_done(pvs, cmd, CMD_ABORTED, STAT_ABORTED, done);
		return (B_TRUE);
	}
	if (cmd->pvc_ctx == 0)
		return (B_FALSE);
	cmd->pvc_stat |= STAT_ABORTED;
	pvs->pvs_stats.aborts.value.ui64++;
	pvscsi_kick(pvs);
	return (pvscsi_command(pvs, PVSCSI_CMD_ABORT_CMD, &ca, sizeof (ca)) ==
	    PVSCSI_STATUS_OK);
}

/*
 * Reset a LUN, or with target PVSCSI_ALL the bus.  The device ends the
 * commands concerned with BUSRESET; pvc_stat records which reset they had,
 * and those that timed out get a recovery time from now.
 */
static boolean_t
pvscsi_reset(pvscsi_softc_t *pvs, int target, int lun)
{
	pvscsi_cmd_reset_device_t rd = { .pcr_target = LE_32(target) };
	hrtime_t next = gethrtime() + SEC2NSEC(pvscsi_recovery_time);
	uint_t reset = STAT_DEV_RESET;
	uint32_t status;
	pvscsi_cmd_t *cmd;

	ASSERT(MUTEX_HELD(&pvs->pvs_lock));
	pvscsi_kick(pvs);
	if (target == PVSCSI_ALL) {
		reset = STAT_BUS_RESET;
		pvs->pvs_stats.bus_resets.value.ui64++;
		status = pvscsi_command(pvs, PVSCSI_CMD_RESET_BUS, NULL, 0);
	} else {
		pvs->pvs_stats.device_resets.value.ui64++;
		rd.pcr_lun[1] = (uint8_t)lun;
		status = pvscsi_command(pvs, PVSCSI_CMD_RESET_DEVICE, &rd,
		    sizeof (rd));
	}
	for (uint_t i = 0; i < pvs->pvs_nslots; i++) {
		if ((cmd = pvs->pvs_slots[i]) == NULL ||
		    !PVSCSI_MATCHES(cmd, target, lun))
			continue;
		cmd->pvc_stat |= reset;
		if (cmd->pvc_flags & PVSCSI_CMDF_TIMEDOUT)
			cmd->pvc_expire = next;
	}
	return (status == PVSCSI_STATUS_OK);
}

/*
 * A command is past its deadline.  Take the next step of the recovery
 * ladder that it has not had and the device accepts, and give the command
 * pvscsi_recovery_time from now: an abort, a reset of its LUN, a reset of
 * the bus.  Past those, or when the device accepts none, reset the
 * adapter.  A polled command still waiting for a slot past its deadline
 * means that the device has stalled: reset the adapter.
 */
static void
pvscsi_recover(pvscsi_softc_t *pvs, pvscsi_cmd_t *cmd, list_t *done)
{
	ASSERT(MUTEX_HELD(&pvs->pvs_lock));
	if (cmd->pvc_ctx == 0) {
		(void) pvscsi_reset_adapter(pvs, done);
		return;
	}
	if (!(cmd->pvc_flags & PVSCSI_CMDF_TIMEDOUT))
		pvs->pvs_stats.timeouts.value.ui64++;
	cmd->pvc_flags |= PVSCSI_CMDF_TIMEDOUT;
	cmd->pvc_expire = gethrtime() + SEC2NSEC(pvscsi_recovery_time);
	if (!(cmd->pvc_stat & STAT_ABORTED) && pvscsi_abort_cmd(pvs, cmd, done))
		return;
	if (!(cmd->pvc_stat & STAT_DEV_RESET) &&
	    pvscsi_reset(pvs, cmd->pvc_target, cmd->pvc_lun))
		return;
	if (!(cmd->pvc_stat & STAT_BUS_RESET) &&
	    pvscsi_reset(pvs, PVSCSI_ALL, PVSCSI_ALL))
		return;
	(void) pvscsi_reset_adapter(pvs, done);
}

/* Start the discovery task if it is wanted, idle, and has a map. */
static void
pvscsi_discover_dispatch(pvscsi_softc_t *pvs)
{
	ASSERT(MUTEX_HELD(&pvs->pvs_lock));
	if (pvs->pvs_discovering || pvs->pvs_tgtmap == NULL ||
	    (!pvs->pvs_rescan && !pvs->pvs_lunscan))
		return;
	if (ddi_taskq_dispatch(pvs->pvs_tq, pvscsi_discover, pvs,
	    DDI_NOSLEEP) == DDI_SUCCESS)
		pvs->pvs_discovering = B_TRUE;
}

/*
 * Take what the device has posted, submit waiting commands to the slots
 * freed, kick, and start discovery if a message asked for it.  A ring
 * index beyond its ring resets the adapter.  Once the device is gone,
 * every command ends CMD_DEV_GONE.
 */
static void
pvscsi_service(pvscsi_softc_t *pvs, list_t *done)
{
	ASSERT(MUTEX_HELD(&pvs->pvs_lock));
	if (pvs->pvs_gone) {
		pvscsi_fail_outstanding(pvs, CMD_DEV_GONE, 0, done);
		pvscsi_fail_waiting(pvs, PVSCSI_ALL, PVSCSI_ALL, CMD_DEV_GONE,
		    done);
		return;
	}
	if (!pvscsi_reap(pvs, done) || !pvscsi_msgs(pvs)) {
		pvscsi_device_error(pvs, &pvs->pvs_stats.bad_ring_index, 0);
		(void) pvscsi_reset_adapter(pvs, done);
	}
	pvscsi_submit_waiting(pvs);
	pvscsi_kick(pvs);
	pvscsi_discover_dispatch(pvs);
}

static uint_t
pvscsi_intr(caddr_t arg1, caddr_t arg2)
{
	pvscsi_softc_t *pvs = (void *)arg1;
	uint32_t status;
	uint_t rv;
	list_t done;

	mutex_enter(&pvs->pvs_lock);
	if (pvs->pvs_itype == DDI_INTR_TYPE_FIXED) {
		/* A FIXED line may be shared: INTR_STATUS 0 is not ours. */
		status = pvscsi_reg_read(pvs, PVSCSI_REG_INTR_STATUS);
		if (status == 0) {
			mutex_exit(&pvs->pvs_lock);
			return (DDI_INTR_UNCLAIMED);
		}
		pvscsi_reg_write(pvs, PVSCSI_REG_INTR_STATUS, status);
	}
	PVSCSI_CMD_LIST_CREATE(&done);
	pvscsi_service(pvs, &done);
	rv = pvs->pvs_gone ? DDI_INTR_UNCLAIMED : DDI_INTR_CLAIMED;
	pvscsi_exit_deliver(pvs, &done);
	return (rv);
}

/*
 * Submit a polled command and service the rings until it has ended,
 * dropping pvs_lock between looks to deliver what ended meanwhile, and
 * recovering the command past its deadline.
 */
static int
pvscsi_poll(pvscsi_softc_t *pvs, pvscsi_cmd_t *cmd)
{
	list_t done;
	int rv;

	PVSCSI_CMD_LIST_CREATE(&done);
	mutex_enter(&pvs->pvs_lock);
	cmd->pvc_flags = PVSCSI_CMDF_POLLED;
	cmd->pvc_expire = gethrtime() + SEC2NSEC(pvscsi_poll_time);
	rv = pvscsi_enqueue(pvs, cmd, B_TRUE);
	while (rv == TRAN_ACCEPT) {
		pvscsi_service(pvs, &done);
		if (cmd->pvc_ctx == 0 && !(cmd->pvc_flags & PVSCSI_CMDF_QUEUED))
			break;
		if (gethrtime() > cmd->pvc_expire)
			pvscsi_recover(pvs, cmd, &done);
		pvscsi_exit_deliver(pvs, &done);
		drv_usecwait(PVSCSI_POLL_USEC);
		PVSCSI_CMD_LIST_CREATE(&done);
		mutex_enter(&pvs->pvs_lock);
	}
	pvscsi_exit_deliver(pvs, &done);
	return (rv);
}

/*
 * Once a second: service the rings (an interrupt may have been lost, or
 * the device may have gone), and recover the commands past their deadline
 * but those that their pollers recover.
 */
static void
pvscsi_watchdog(void *arg)
{
	pvscsi_softc_t *pvs = arg;
	hrtime_t now = gethrtime();
	pvscsi_cmd_t *cmd;
	list_t done;

	PVSCSI_CMD_LIST_CREATE(&done);
	mutex_enter(&pvs->pvs_lock);
	(void) pvscsi_reg_read(pvs, PVSCSI_REG_INTR_STATUS);
	pvscsi_service(pvs, &done);
	for (uint_t i = 0; i < pvs->pvs_nslots; i++) {
		cmd = pvs->pvs_slots[i];
		if (cmd != NULL && !(cmd->pvc_flags & PVSCSI_CMDF_POLLED) &&
		    cmd->pvc_expire != 0 && now > cmd->pvc_expire)
			pvscsi_recover(pvs, cmd, &done);
	}
	if (pvs->pvs_timer != NULL)	/* not being stopped */
		pvs->pvs_timer = timeout(pvscsi_watchdog, pvs,
		    drv_usectohz(PVSCSI_WATCHDOG_USEC));
	pvscsi_exit_deliver(pvs, &done);
}

/*
 * Probe every target the device accepts, up to pvscsi_max_targets, with the
 * polled INQUIRY of pvs_probe, and report the targets present to the map.
 * A selection timeout means absent; a probe that fails otherwise leaves the
 * target as the last scan found it.
 */
static void
pvscsi_scan(pvscsi_softc_t *pvs, scsi_hba_tgtmap_t *tm)
{
	pvscsi_cmd_t *cmd = &pvs->pvs_probe;
	uint_t n = MIN(pvs->pvs_max_targets, MAX(pvscsi_max_targets, 1));
	char addr[sizeof ("ff")];
	uchar_t reason;
	uint_t t, stat;

	for (t = 0; t < n; t++) {
		cmd->pvc_target = (uint8_t)t;
		cmd->pvc_host = PVSCSI_HOST_UNKNOWN;
		if (pvscsi_poll(pvs, cmd) != TRAN_ACCEPT ||
		    cmd->pvc_host == PVSCSI_BTSTAT_SELTIMEO)
			pvs->pvs_present[t] = 0;
		else if (pvscsi_host_lookup(cmd->pvc_host, &reason, &stat) &&
		    reason == CMD_CMPLT)
			pvs->pvs_present[t] = 1;
	}
	if (scsi_hba_tgtmap_set_begin(tm) != DDI_SUCCESS)
		return;
	for (t = 0; t < n; t++) {
		if (!pvs->pvs_present[t])
			continue;
		(void) snprintf(addr, sizeof (addr), "%x", t);
		if (scsi_hba_tgtmap_set_add(tm, SCSI_TGT_SCSI_DEVICE, addr,
		    NULL) != DDI_SUCCESS) {
			(void) scsi_hba_tgtmap_set_flush(tm);
			return;
		}
	}
	(void) scsi_hba_tgtmap_set_end(tm, 0);
}

/*
 * The discovery task: scans and LUN scans, as long as messages ask for
 * them and the iport has its map.
 */
static void
pvscsi_discover(void *arg)
{
	pvscsi_softc_t *pvs = arg;
	uint8_t lunscan[PVSCSI_MAX_TARGETS];
	char addr[sizeof ("ff")];
	scsi_hba_tgtmap_t *tm;
	boolean_t full;

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
			if (!lunscan[t])
				continue;
			(void) snprintf(addr, sizeof (addr), "%x", t);
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

/*
 * Abort a packet, or with pkt NULL every packet of the LUN.  The device
 * ends the outstanding ones; those waiting for a slot end now.
 */
static int
pvscsi_tran_abort(struct scsi_address *ap, struct scsi_pkt *pkt)
{
	pvscsi_softc_t *pvs = ap->a_hba_tran->tran_hba_private;
	pvscsi_tgt_t *pvt = PVSCSI_TGT(ap);
	int target = pvt->pvt_target, lun = pvt->pvt_lun;
	boolean_t ok = B_TRUE;
	pvscsi_cmd_t *cmd;
	list_t done;

	PVSCSI_CMD_LIST_CREATE(&done);
	mutex_enter(&pvs->pvs_lock);
	if (pkt != NULL) {
		ok = pvscsi_abort_cmd(pvs, pkt->pkt_ha_private, &done);
	} else {
		pvscsi_fail_waiting(pvs, target, lun, CMD_ABORTED, &done);
		for (uint_t i = 0; i < pvs->pvs_nslots; i++) {
			if ((cmd = pvs->pvs_slots[i]) != NULL &&
			    PVSCSI_MATCHES(cmd, target, lun))
				(void) pvscsi_abort_cmd(pvs, cmd, &done);
		}
	}
	pvscsi_exit_deliver(pvs, &done);
	return (ok);
}

/*
 * Reset a LUN, a target, the bus or the adapter.  The commands concerned
 * that wait for a slot end now; the device ends those outstanding.  The
 * device resets LUNs, not targets: a target reset is a reset of LUN 0,
 * where the targets a hypervisor offers keep their state.
 */
static int
pvscsi_tran_reset(struct scsi_address *ap, int level)
{
	pvscsi_softc_t *pvs = ap->a_hba_tran->tran_hba_private;
	pvscsi_tgt_t *pvt = PVSCSI_TGT(ap);
	int target = pvt->pvt_target, lun = pvt->pvt_lun;
	boolean_t ok = B_TRUE;
	list_t done;

	if (level == RESET_TARGET)
		lun = 0;
	else if (level == RESET_BUS || level == RESET_ALL)
		target = lun = PVSCSI_ALL;
	else if (level != RESET_LUN)
		return (0);
	PVSCSI_CMD_LIST_CREATE(&done);
	mutex_enter(&pvs->pvs_lock);
	pvscsi_fail_waiting(pvs, target, lun, CMD_RESET, &done);
	if (level == RESET_ALL)
		ok = pvscsi_reset_adapter(pvs, &done);
	else
		ok = pvscsi_reset(pvs, target, lun);
	pvscsi_exit_deliver(pvs, &done);
	return (ok);
}

static int
pvscsi_tran_getcap(struct scsi_address *ap, char *cap, int whom)
{
	switch (scsi_hba_lookup_capstr(cap)) {
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

/*
 * No capability can be changed: setting one that is on to 1 succeeds, and
 * anything else fails.
 */
static int
pvscsi_tran_setcap(struct scsi_address *ap, char *cap, int value, int whom)
{
	int cur = pvscsi_tran_getcap(ap, cap, whom);

	if (cur == -1)
		return (-1);
	return (cur == 1 && value == 1);
}

/*
 * A LUN's unit address is "target,lun" in hexadecimal: a target the
 * adapter has, and a LUN of one byte.
 */
static int
pvscsi_tran_tgt_init(dev_info_t *hba_dip, dev_info_t *tgt_dip,
    scsi_hba_tran_t *tran, struct scsi_device *sd)
{
	pvscsi_softc_t *pvs = tran->tran_hba_private;
	char *ua = scsi_device_unit_address(sd), *end;
	pvscsi_tgt_t *pvt;
	long target, lun;

	if (ua == NULL || ddi_strtol(ua, &end, 16, &target) != 0 ||
	    end == ua || *end != ',')
		return (DDI_FAILURE);
	ua = end + 1;
	if (ddi_strtol(ua, &end, 16, &lun) != 0 || end == ua || *end != '\0')
		return (DDI_FAILURE);
	if (target < 0 || target >= pvs->pvs_max_targets || lun < 0 ||
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
}

/* A packet's page, for its SG list and sense data, lives as long as it. */
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
	/* The framework bound the data with our DMA attributes. */
	ASSERT3U(pkt->pkt_numcookies, <=, PVSCSI_MAX_SGL);
	return (0);
}

static void
pvscsi_teardown_pkt(struct scsi_pkt *pkt)
{
	ASSERT0(((pvscsi_cmd_t *)pkt->pkt_ha_private)->pvc_ctx);
}

/*
 * One interrupt of the best type the system offers: the types are bits,
 * MSI-X the highest.
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

/*
 * The slots and the rings.  pvscsi_cleanup() frees them as far as they were
 * allocated, so a failure here needs no undoing of its own.
 */
static int
pvscsi_alloc_rings(pvscsi_softc_t *pvs)
{
	uint_t pages = pvscsi_ring_pages, cmp_pages;

	if (pages == 0 || !ISP2(pages) || pages > PVSCSI_MAX_RING_PAGES)
		pages = PVSCSI_DEFAULT_RING_PAGES;
	pvs->pvs_nslots = pages * PVSCSI_REQS_PER_PAGE;
	cmp_pages = howmany(pvs->pvs_nslots, PVSCSI_CMPS_PER_PAGE);
	pvs->pvs_slots = kmem_zalloc(pvs->pvs_nslots * sizeof (pvscsi_cmd_t *),
	    KM_SLEEP);
	pvs->pvs_free = kmem_alloc(pvs->pvs_nslots * sizeof (uint16_t),
	    KM_SLEEP);
	for (uint_t i = 0; i < pvs->pvs_nslots; i++)
		pvs->pvs_free[i] = (uint16_t)i;
	pvs->pvs_nfree = pvs->pvs_nslots;

	if (pvscsi_dma_alloc(pvs, &pvs->pvs_state_dma, PVSCSI_PAGE_SIZE,
	    KM_SLEEP) != DDI_SUCCESS)
		return (DDI_FAILURE);
	if (pvscsi_dma_alloc(pvs, &pvs->pvs_req_dma, pages * PVSCSI_PAGE_SIZE,
	    KM_SLEEP) != DDI_SUCCESS)
		return (DDI_FAILURE);
	if (pvscsi_dma_alloc(pvs, &pvs->pvs_cmp_dma,
	    cmp_pages * PVSCSI_PAGE_SIZE, KM_SLEEP) != DDI_SUCCESS)
		return (DDI_FAILURE);
	if (pvscsi_dma_alloc(pvs, &pvs->pvs_msg_dma,
	    PVSCSI_MSG_RING_PAGES * PVSCSI_PAGE_SIZE, KM_SLEEP) != DDI_SUCCESS)
		return (DDI_FAILURE);
	return (pvscsi_dma_alloc(pvs, &pvs->pvs_probe.pvc_dma,
	    PVSCSI_PAGE_SIZE, KM_SLEEP));
}

/*
 * How many targets the device accepts: numPhys from the CONFIG command's
 * controller page, else GET_MAX_TARGETS, else all 256 that a request can
 * name.  QEMU refuses both commands.  The page is read into the probe's
 * page, still unused and zero, so that a device that does not write it
 * gives numPhys 0.
 */
static void
pvscsi_get_max_targets(pvscsi_softc_t *pvs)
{
	pvscsi_dma_t *page = &pvs->pvs_probe.pvc_dma;
	pvscsi_config_controller_t *cp = (void *)page->pvb_kva;
	pvscsi_cmd_config_t cc = {
		.pcc_cmp_addr = LE_64(page->pvb_pa),
		.pcc_page_addr = LE_64((uint64_t)
		    PVSCSI_CONFIG_CONTROLLER_ADDRESS << 32),
		.pcc_page_num = LE_32(PVSCSI_CONFIG_PAGE_CONTROLLER)
	};
	uint32_t n = 0;

	if (pvscsi_command(pvs, PVSCSI_CMD_CONFIG, &cc, sizeof (cc)) ==
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
		n = PVSCSI_MAX_TARGETS;
	pvs->pvs_max_targets = n;
}

/*
 * Undo the attach steps recorded, last first, and free the soft state.
 * By the time the adapter detaches nothing waits and nothing is
 * outstanding; once the watchdog is stopped no timeout is pending.
 */
static void
pvscsi_cleanup(pvscsi_softc_t *pvs)
{
	timeout_id_t tid;

	if (pvs->pvs_attach & PVSCSI_ATTACH_TIMER) {
		mutex_enter(&pvs->pvs_lock);
		tid = pvs->pvs_timer;
		pvs->pvs_timer = NULL;
		mutex_exit(&pvs->pvs_lock);
		(void) untimeout(tid);
		VERIFY3P(pvs->pvs_timer, ==, NULL);
	}
	if (pvs->pvs_attach & PVSCSI_ATTACH_HBA) {
		(void) scsi_hba_detach(pvs->pvs_dip);
		scsi_hba_tran_free(pvs->pvs_tran);
	}
	if (pvs->pvs_attach & PVSCSI_ATTACH_INTR) {
		pvscsi_reg_write(pvs, PVSCSI_REG_INTR_MASK, 0);
		if (pvs->pvs_icap & DDI_INTR_FLAG_BLOCK)
			(void) ddi_intr_block_disable(&pvs->pvs_ihdl, 1);
		else
			(void) ddi_intr_disable(pvs->pvs_ihdl);
		(void) ddi_intr_remove_handler(pvs->pvs_ihdl);
	}
	if (pvs->pvs_attach & PVSCSI_ATTACH_DMA) {
		VERIFY3U(pvs->pvs_nfree, ==, pvs->pvs_nslots);
		pvscsi_reg_write(pvs, PVSCSI_REG_INTR_MASK, 0);
		(void) pvscsi_command(pvs, PVSCSI_CMD_ADAPTER_RESET, NULL, 0);
		pvscsi_dma_free(&pvs->pvs_probe.pvc_dma);
		pvscsi_dma_free(&pvs->pvs_msg_dma);
		pvscsi_dma_free(&pvs->pvs_cmp_dma);
		pvscsi_dma_free(&pvs->pvs_req_dma);
		pvscsi_dma_free(&pvs->pvs_state_dma);
		kmem_free(pvs->pvs_free, pvs->pvs_nslots * sizeof (uint16_t));
		kmem_free(pvs->pvs_slots,
		    pvs->pvs_nslots * sizeof (pvscsi_cmd_t *));
	}
	if (pvs->pvs_attach & PVSCSI_ATTACH_KSTAT)
		kstat_delete(pvs->pvs_kstat);
	if (pvs->pvs_attach & PVSCSI_ATTACH_SYNC) {
		VERIFY(list_is_empty(&pvs->pvs_waitq));
		ddi_taskq_destroy(pvs->pvs_tq);
		list_destroy(&pvs->pvs_waitq);
		mutex_destroy(&pvs->pvs_lock);
	}
	if (pvs->pvs_attach & PVSCSI_ATTACH_INTR_ALLOC)
		(void) ddi_intr_free(pvs->pvs_ihdl);
	if (pvs->pvs_attach & PVSCSI_ATTACH_REGS)
		ddi_regs_map_free(&pvs->pvs_regh);
	kmem_free(pvs, sizeof (*pvs));
}

/*
 * The iport's attach: its target map, and a first scan.
 */
static int
pvscsi_iport_attach(dev_info_t *dip)
{
	pvscsi_softc_t *pvs = PVSCSI_SOFTC(dip);
	scsi_hba_tgtmap_t *tm;

	if (scsi_hba_tgtmap_create(dip, SCSI_TM_FULLSET,
	    PVSCSI_TGTMAP_SETTLE_USEC, PVSCSI_TGTMAP_CSYNC_USEC, pvs, NULL,
	    NULL, &tm) != DDI_SUCCESS)
		return (DDI_FAILURE);
	mutex_enter(&pvs->pvs_lock);
	pvs->pvs_tgtmap = tm;
	pvs->pvs_rescan = B_TRUE;
	pvscsi_discover_dispatch(pvs);
	mutex_exit(&pvs->pvs_lock);
	return (DDI_SUCCESS);
}

/*
 * Attach the adapter, or an iport.  Each step of the adapter's attach is
 * recorded in pvs_attach as it is taken (the rings' step before its
 * allocations, which pvscsi_cleanup() frees as far as they went), and a
 * failure is reported in words.  The register window is in the first
 * memory BAR large enough.  The statistics are a virtual named kstat of
 * pvs_stats under pvs_lock.  The adapter has a single iport, "iport0".
 */
static int
pvscsi_attach(dev_info_t *dip, ddi_attach_cmd_t cmd)
{
	pvscsi_softc_t *pvs;
	kstat_named_t *kn;
	scsi_hba_tran_t *tran;
	const char *failed;
	boolean_t ok;
	uint_t rn;
	off_t size;

	if (cmd != DDI_ATTACH)
		return (DDI_FAILURE);
	if (scsi_hba_iport_unit_address(dip) != NULL)
		return (pvscsi_iport_attach(dip));
	pvs = kmem_zalloc(sizeof (*pvs), KM_SLEEP);
	pvs->pvs_dip = dip;
	for (rn = 1; ddi_dev_regsize(dip, rn, &size) == DDI_SUCCESS; rn++) {
		if (size >= PVSCSI_MEM_SPACE_SIZE)
			break;
	}
	failed = "cannot map the registers";
	if (ddi_regs_map_setup(dip, rn, &pvs->pvs_regs, 0,
	    PVSCSI_MEM_SPACE_SIZE, &pvscsi_reg_attr, &pvs->pvs_regh) !=
	    DDI_SUCCESS)
		goto fail;
	pvs->pvs_attach |= PVSCSI_ATTACH_REGS;
	failed = "no interrupt";
	if (pvscsi_intr_alloc(pvs) != DDI_SUCCESS)
		goto fail;
	pvs->pvs_attach |= PVSCSI_ATTACH_INTR_ALLOC;
	failed = "cannot create the discovery taskq";
	if ((pvs->pvs_tq = ddi_taskq_create(dip, "discover", 1,
	    TASKQ_DEFAULTPRI, 0)) == NULL)
		goto fail;
	mutex_init(&pvs->pvs_lock, NULL, MUTEX_DRIVER,
	    DDI_INTR_PRI(pvs->pvs_ipri));
	PVSCSI_CMD_LIST_CREATE(&pvs->pvs_waitq);
	pvs->pvs_attach |= PVSCSI_ATTACH_SYNC;

	failed = "cannot create the kstat";
	if ((pvs->pvs_kstat = kstat_create(ddi_driver_name(dip),
	    ddi_get_instance(dip), "errors", "controller", KSTAT_TYPE_NAMED,
	    ARRAY_SIZE(pvscsi_stat_names), KSTAT_FLAG_VIRTUAL)) == NULL)
		goto fail;
	kn = (kstat_named_t *)&pvs->pvs_stats;
	for (uint_t i = 0; i < ARRAY_SIZE(pvscsi_stat_names); i++, kn++)
		kstat_named_init(kn, pvscsi_stat_names[i], KSTAT_DATA_UINT64);
	pvs->pvs_kstat->ks_data = &pvs->pvs_stats;
	pvs->pvs_kstat->ks_lock = &pvs->pvs_lock;
	kstat_install(pvs->pvs_kstat);
	pvs->pvs_attach |= PVSCSI_ATTACH_KSTAT;

	failed = "cannot allocate the rings";
	pvs->pvs_attach |= PVSCSI_ATTACH_DMA;
	if (pvscsi_alloc_rings(pvs) != DDI_SUCCESS)
		goto fail;
	(void) pvscsi_command(pvs, PVSCSI_CMD_ADAPTER_RESET, NULL, 0);
	pvscsi_get_max_targets(pvs);
	failed = "cannot enable the interrupt";
	if (ddi_intr_add_handler(pvs->pvs_ihdl, pvscsi_intr, (caddr_t)pvs,
	    NULL) != DDI_SUCCESS)
		goto fail;
	if (pvs->pvs_icap & DDI_INTR_FLAG_BLOCK)
		ok = ddi_intr_block_enable(&pvs->pvs_ihdl, 1) == DDI_SUCCESS;
	else
		ok = ddi_intr_enable(pvs->pvs_ihdl) == DDI_SUCCESS;
	if (!ok) {
		(void) ddi_intr_remove_handler(pvs->pvs_ihdl);
		goto fail;
	}
	pvs->pvs_attach |= PVSCSI_ATTACH_INTR;
	failed = "the device refused its rings";
	mutex_enter(&pvs->pvs_lock);
	ok = pvscsi_setup_device(pvs);
	mutex_exit(&pvs->pvs_lock);
	if (!ok)
		goto fail;

	failed = "cannot attach to SCSA";
	tran = scsi_hba_tran_alloc(dip, SCSI_HBA_CANSLEEP);
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
	failed = "cannot register the iport";
	if (scsi_hba_iport_register(dip, "iport0") != DDI_SUCCESS)
		goto fail;

	mutex_enter(&pvs->pvs_lock);
	pvs->pvs_timer = timeout(pvscsi_watchdog, pvs,
	    drv_usectohz(PVSCSI_WATCHDOG_USEC));
	mutex_exit(&pvs->pvs_lock);
	pvs->pvs_attach |= PVSCSI_ATTACH_TIMER;
	return (DDI_SUCCESS);
fail:
	dev_err(dip, CE_WARN, "attach failed: %s", failed);
	pvscsi_cleanup(pvs);
	return (DDI_FAILURE);
}

/*
 * The iport's detach: the map goes once the discovery task, which finds
 * no map from now on, has ended.
 */
static int
pvscsi_iport_detach(dev_info_t *dip)
{
	pvscsi_softc_t *pvs = PVSCSI_SOFTC(dip);
	scsi_hba_tgtmap_t *tm;

	mutex_enter(&pvs->pvs_lock);
	tm = pvs->pvs_tgtmap;
	pvs->pvs_tgtmap = NULL;
	mutex_exit(&pvs->pvs_lock);
	ddi_taskq_wait(pvs->pvs_tq);
	scsi_hba_tgtmap_destroy(tm);
	return (DDI_SUCCESS);
}

/*
 * Detach the adapter, or an iport.  The adapter's detach fails while
 * commands wait or are outstanding.
 */
static int
pvscsi_detach(dev_info_t *dip, ddi_detach_cmd_t cmd)
{
	pvscsi_softc_t *pvs = PVSCSI_SOFTC(dip);
	boolean_t busy;

	if (cmd != DDI_DETACH)
		return (DDI_FAILURE);
	if (scsi_hba_iport_unit_address(dip) != NULL)
		return (pvscsi_iport_detach(dip));
	mutex_enter(&pvs->pvs_lock);
	busy = pvs->pvs_nfree != pvs->pvs_nslots ||
	    !list_is_empty(&pvs->pvs_waitq);
	mutex_exit(&pvs->pvs_lock);
	if (busy)
		return (DDI_FAILURE);
	pvscsi_cleanup(pvs);
	return (DDI_SUCCESS);
}

static int
pvscsi_quiesce(dev_info_t *dip)
{
	pvscsi_softc_t *pvs = PVSCSI_SOFTC(dip);

	if (scsi_hba_iport_unit_address(dip) != NULL)
		return (DDI_SUCCESS);
	pvscsi_reg_write(pvs, PVSCSI_REG_INTR_MASK, 0);
	pvscsi_reg_write(pvs, PVSCSI_REG_COMMAND, PVSCSI_CMD_ADAPTER_RESET);
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

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

#ifndef _PVSCSI_VAR_H
#define	_PVSCSI_VAR_H

#include <sys/types.h>
#include <sys/list.h>
#include <sys/ksynch.h>
#include <sys/sunddi.h>
#include <sys/kstat.h>
#include <sys/scsi/scsi.h>

#include "pvscsi.h"

/*
 * A packet's page holds its SG list, then its sense buffer.  The largest
 * transfer needs at most 129 cookies of 4 KiB; the rest of the list
 * absorbs buffers bound in smaller pieces.
 */
#define	PVSCSI_SENSE_LEN	256
#define	PVSCSI_SENSE_OFF	(PVSCSI_PAGE_SIZE - PVSCSI_SENSE_LEN)
#define	PVSCSI_MAX_SGL		240
#define	PVSCSI_MAX_XFER		(512 * 1024)
CTASSERT(PVSCSI_MAX_SGL * sizeof (pvscsi_sge_t) <= PVSCSI_SENSE_OFF);
CTASSERT(PVSCSI_MAX_XFER / PVSCSI_PAGE_SIZE + 1 <= PVSCSI_MAX_SGL);

#define	PVSCSI_DEFAULT_RING_PAGES	8	/* 256 requests */
#define	PVSCSI_MSG_RING_PAGES	1
#define	PVSCSI_MSG_ENTRIES (PVSCSI_MSG_RING_PAGES * PVSCSI_MSGS_PER_PAGE)

/*
 * A context, which names a command to the device and comes back in its
 * completion, is the command's slot in the low 16 bits and the generation
 * of its submission, never 0, in the high 16 bits.
 */
#define	PVSCSI_CTX_SLOT(ctx)	((ctx) & 0xffff)
#define	PVSCSI_CTX_GEN_SHIFT	16

#define	PVSCSI_HOST_UNKNOWN	0xffff	/* no completion seen */

typedef struct pvscsi_dma {
	ddi_dma_handle_t	pvb_dmah;
	ddi_acc_handle_t	pvb_acch;
	caddr_t			pvb_kva;
	size_t			pvb_size;
	uint64_t		pvb_pa;		/* of the first page */
} pvscsi_dma_t;

/* What tran_tgt_init(9E) parsed from a unit address "target,lun". */
typedef struct pvscsi_tgt {
	uint8_t			pvt_target;
	uint8_t			pvt_lun;
} pvscsi_tgt_t;

#define	PVSCSI_CMDF_QUEUED	0x01	/* on pvs_waitq */
#define	PVSCSI_CMDF_POLLED	0x02	/* its submitter waits */
#define	PVSCSI_CMDF_TIMEDOUT	0x04	/* pkt_time expired */

/*
 * A packet's tran_hba_len area, or the discovery probe (pvc_pkt NULL).
 * While the command waits for a slot, is outstanding on the device or
 * ends, its fields belong to pvs_lock; before that, to its submitter.
 */
typedef struct pvscsi_cmd {
	struct scsi_pkt		*pvc_pkt;
	list_node_t		pvc_node;	/* pvs_waitq or done list */
	uint32_t		pvc_ctx;	/* 0 unless it has a slot */
	uint_t			pvc_flags;	/* PVSCSI_CMDF_* */
	uint8_t			pvc_target;
	uint8_t			pvc_lun;
	uint16_t		pvc_host;	/* host status */
	uint_t			pvc_stat;	/* recovery steps had */
	size_t			pvc_xfer;	/* bytes requested */
	hrtime_t		pvc_expire;	/* deadline, or 0 */
	pvscsi_dma_t		pvc_dma;	/* SG list and sense */
} pvscsi_cmd_t;

/*
 * Device errors and recovery steps, counted under pvs_lock and exported
 * as the named kstat pvscsi:<instance>:errors (see pvscsi(4D)).
 */
typedef struct pvscsi_stats {
	kstat_named_t		bad_context;
	kstat_named_t		bad_ring_index;
	kstat_named_t		bad_message;
	kstat_named_t		bad_data_length;
	kstat_named_t		sense_clamped;
	kstat_named_t		bad_host_status;
	kstat_named_t		timeouts;
	kstat_named_t		aborts;
	kstat_named_t		device_resets;
	kstat_named_t		bus_resets;
	kstat_named_t		adapter_resets;
} pvscsi_stats_t;

/*
 * The steps of the adapter's attach, each recorded in pvs_attach as it is
 * taken (the rings' step as it begins), so that pvscsi_cleanup() undoes
 * those and no other.
 */
#define	PVSCSI_ATTACH_REGS	(1 << 0)
#define	PVSCSI_ATTACH_INTR_ALLOC (1 << 1)
#define	PVSCSI_ATTACH_SYNC	(1 << 2)	/* lock, taskq */
#define	PVSCSI_ATTACH_KSTAT	(1 << 3)
#define	PVSCSI_ATTACH_DMA	(1 << 4)	/* and device reset */
#define	PVSCSI_ATTACH_INTR	(1 << 5)
#define	PVSCSI_ATTACH_HBA	(1 << 6)
#define	PVSCSI_ATTACH_TIMER	(1 << 7)

typedef struct pvscsi_softc {
	/*
	 * Set by attach before the interrupt is enabled, then only read.
	 */
	dev_info_t		*pvs_dip;
	uint_t			pvs_attach;	/* PVSCSI_ATTACH_* */
	ddi_acc_handle_t	pvs_regh;
	caddr_t			pvs_regs;
	ddi_intr_handle_t	pvs_ihdl;
	int			pvs_itype;
	int			pvs_icap;
	uint_t			pvs_ipri;
	scsi_hba_tran_t		*pvs_tran;
	ddi_taskq_t		*pvs_tq;
	kstat_t			*pvs_kstat;
	uint_t			pvs_max_targets;
	uint_t			pvs_nslots;	/* request entries */
	pvscsi_dma_t		pvs_state_dma;
	pvscsi_dma_t		pvs_req_dma;
	pvscsi_dma_t		pvs_cmp_dma;
	pvscsi_dma_t		pvs_msg_dma;

	/*
	 * The discovery task's, which runs alone: the targets its last scan
	 * found, and its probe command, which it fills in between polls.
	 */
	uint8_t			pvs_present[PVSCSI_MAX_TARGETS];
	pvscsi_cmd_t		pvs_probe;

	/*
	 * The rest is pvs_lock's.
	 */
	kmutex_t		pvs_lock;
	boolean_t		pvs_gone;	/* registers read all-ones */
	boolean_t		pvs_msg_ring;	/* msg ring set up */
	boolean_t		pvs_threshold;	/* reqCallThreshold on */
	uint_t			pvs_kick;	/* kick register, or 0 */
	uint_t			pvs_delivering;	/* threads */
	uint32_t		pvs_req_prod;	/* published at a kick */
	uint32_t		pvs_cmp_cons;
	uint32_t		pvs_msg_cons;
	uint_t			pvs_nfree;
	uint16_t		pvs_gen;
	pvscsi_cmd_t		**pvs_slots;	/* outstanding */
	uint16_t		*pvs_free;	/* stack of free slots */
	list_t			pvs_waitq;
	scsi_hba_tgtmap_t	*pvs_tgtmap;	/* the iport's */
	boolean_t		pvs_discovering; /* task dispatched */
	boolean_t		pvs_rescan;	/* full scan wanted */
	boolean_t		pvs_lunscan;	/* some lunscan_tgt set */
	uint8_t			pvs_lunscan_tgt[PVSCSI_MAX_TARGETS];
	timeout_id_t		pvs_timer;	/* NULL: stopping */
	pvscsi_stats_t		pvs_stats;	/* pvs_kstat's data */
} pvscsi_softc_t;

#endif /* _PVSCSI_VAR_H */

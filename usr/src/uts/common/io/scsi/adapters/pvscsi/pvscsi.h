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

#ifndef _PVSCSI_H
#define	_PVSCSI_H

/*
 * The VMware paravirtual SCSI (PVSCSI) host bus adapter: its hardware
 * interface.  Everything the device reads or writes is little-endian and
 * laid out with natural alignment, so no structure needs packing.
 */

#include <sys/types.h>
#include <sys/debug.h>
#include <sys/sysmacros.h>

#ifdef __cplusplus
extern "C" {
#endif

#define	PVSCSI_VENDOR_ID		0x15ad
#define	PVSCSI_DEVICE_ID		0x07c0

/*
 * The device's notion of a page: ring pages, page numbers (PPNs) and SG
 * segments are all in units of 4 KiB, whatever the host's page size.
 */
#define	PVSCSI_PAGE_SHIFT		12
#define	PVSCSI_PAGE_SIZE		(1U << PVSCSI_PAGE_SHIFT)

/*
 * The register window: 8 pages of 32-bit registers, in a memory BAR.
 */
#define	PVSCSI_MEM_SPACE_SIZE		(8 * PVSCSI_PAGE_SIZE)

#define	PVSCSI_REG_COMMAND		0x0000
#define	PVSCSI_REG_COMMAND_DATA		0x0004
#define	PVSCSI_REG_COMMAND_STATUS	0x0008
#define	PVSCSI_REG_LAST_STS_0		0x0100
/* INTR_STATUS: writing 1 clears a bit; INTR_MASK: a bit set enables it. */
#define	PVSCSI_REG_INTR_STATUS		0x100c
#define	PVSCSI_REG_INTR_MASK		0x2010
#define	PVSCSI_REG_KICK_NON_RW_IO	0x3014
#define	PVSCSI_REG_DEBUG		0x3018
#define	PVSCSI_REG_KICK_RW_IO		0x4018

#define	PVSCSI_INTR_CMPL_0		(1U << 0)
#define	PVSCSI_INTR_CMPL_1		(1U << 1)
#define	PVSCSI_INTR_CMPL_MASK		0x3
#define	PVSCSI_INTR_MSG_0		(1U << 2)
#define	PVSCSI_INTR_MSG_1		(1U << 3)
#define	PVSCSI_INTR_MSG_MASK		0xc
#define	PVSCSI_INTR_ALL			0xf

/*
 * Commands: write the id to COMMAND, then the descriptor one dword at a
 * time to COMMAND_DATA, then read COMMAND_STATUS.
 */
#define	PVSCSI_CMD_FIRST		0
#define	PVSCSI_CMD_ADAPTER_RESET	1
#define	PVSCSI_CMD_ISSUE_SCSI		2
#define	PVSCSI_CMD_SETUP_RINGS		3
#define	PVSCSI_CMD_RESET_BUS		4
#define	PVSCSI_CMD_RESET_DEVICE		5
#define	PVSCSI_CMD_ABORT_CMD		6
#define	PVSCSI_CMD_CONFIG		7
#define	PVSCSI_CMD_SETUP_MSG_RING	8
#define	PVSCSI_CMD_DEVICE_UNPLUG	9
#define	PVSCSI_CMD_SETUP_REQCALLTHRESHOLD 10
#define	PVSCSI_CMD_GET_MAX_TARGETS	11

#define	PVSCSI_STATUS_OK		0
#define	PVSCSI_STATUS_FAILED		0xffffffffU
#define	PVSCSI_STATUS_NEED_DATA		0xfffffffeU

/*
 * Ring limits.  Ring page counts must be powers of two.
 */
#define	PVSCSI_MAX_RING_PAGES		32
#define	PVSCSI_MAX_MSG_RING_PAGES	16
#define	PVSCSI_REQS_PER_PAGE		32
#define	PVSCSI_CMPS_PER_PAGE		128
#define	PVSCSI_MSGS_PER_PAGE		32
#define	PVSCSI_MAX_SGES_PER_PAGE	256
#define	PVSCSI_MAX_TARGETS		256	/* target: a byte */

typedef struct pvscsi_setup_rings {
	uint32_t	psr_req_pages;
	uint32_t	psr_cmp_pages;
	uint64_t	psr_state_ppn;
	uint64_t	psr_req_ppns[PVSCSI_MAX_RING_PAGES];
	uint64_t	psr_cmp_ppns[PVSCSI_MAX_RING_PAGES];
} pvscsi_setup_rings_t;

typedef struct pvscsi_setup_msg_ring {
	uint32_t	psm_pages;
	uint32_t	psm_pad;
	uint64_t	psm_ppns[PVSCSI_MAX_MSG_RING_PAGES];
} pvscsi_setup_msg_ring_t;

typedef struct pvscsi_cmd_abort {
	uint64_t	pca_context;
	uint32_t	pca_target;
	uint32_t	pca_pad;
} pvscsi_cmd_abort_t;

typedef struct pvscsi_cmd_reset_device {
	uint32_t	pcr_target;
	uint8_t		pcr_lun[8];
} pvscsi_cmd_reset_device_t;

typedef struct pvscsi_cmd_config {
	uint64_t	pcc_cmp_addr;		/* a 4 KiB page */
	uint64_t	pcc_page_addr;
	uint32_t	pcc_page_num;
	uint32_t	pcc_pad;
} pvscsi_cmd_config_t;

#define	PVSCSI_CONFIG_PAGE_CONTROLLER	0x1958
#define	PVSCSI_CONFIG_PAGE_PHY		0x1959
#define	PVSCSI_CONFIG_PAGE_DEVICE	0x195a
#define	PVSCSI_CONFIG_CONTROLLER_ADDRESS 0x2120
#define	PVSCSI_CONFIG_BUSTARGET_ADDRESS	0x2121
#define	PVSCSI_CONFIG_PHY_ADDRESS	0x2122

typedef struct pvscsi_config_header {
	uint32_t	pch_page_num;
	uint16_t	pch_num_dwords;
	uint16_t	pch_host_status;
	uint16_t	pch_scsi_status;
	uint16_t	pch_reserved[3];
} pvscsi_config_header_t;

typedef struct pvscsi_config_controller {
	pvscsi_config_header_t	pcc_header;
	uint64_t	pcc_node_wwn;
	uint16_t	pcc_manufacturer[64];
	uint16_t	pcc_serial_number[64];
	uint16_t	pcc_oprom_version[32];
	uint16_t	pcc_hw_version[32];
	uint16_t	pcc_firmware_version[32];
	uint32_t	pcc_num_phys;		/* the number of targets */
	uint8_t		pcc_use_consecutive_phy_wwns;
	uint8_t		pcc_reserved[3];
} pvscsi_config_controller_t;

/*
 * The rings state page.  Indices are free-running; the slot of index i
 * in a ring of 2^n entries is i & (2^n - 1).  The driver writes the
 * request producer and the completion and message consumers; the device
 * writes everything else, and zeroes all indices at SETUP_RINGS and
 * SETUP_MSG_RING.
 */
typedef struct pvscsi_rings_state {
	uint32_t	prs_req_prod;
	uint32_t	prs_req_cons;
	uint32_t	prs_req_log2;
	uint32_t	prs_cmp_prod;
	uint32_t	prs_cmp_cons;
	uint32_t	prs_cmp_log2;
	uint32_t	prs_req_call_threshold;
	uint8_t		prs_pad[100];
	uint32_t	prs_msg_prod;
	uint32_t	prs_msg_cons;
	uint32_t	prs_msg_log2;
} pvscsi_rings_state_t;

/*
 * Request descriptor.  The context comes back in the completion; the
 * upper 32 bits should be zero.  The LUN is single-level, in lun[1].
 */
typedef struct pvscsi_req {
	uint64_t	pr_context;
	uint64_t	pr_data_addr;	/* buffer or SG list */
	uint64_t	pr_data_len;
	uint64_t	pr_sense_addr;
	uint32_t	pr_sense_len;
	uint32_t	pr_flags;
	uint8_t		pr_cdb[16];
	uint8_t		pr_cdb_len;
	uint8_t		pr_lun[8];
	uint8_t		pr_tag;
	uint8_t		pr_bus;
	uint8_t		pr_target;
	uint8_t		pr_vcpu_hint;
	uint8_t		pr_unused[59];
} pvscsi_req_t;

#define	PVSCSI_FLAG_CMD_WITH_SG_LIST	(1U << 0)
#define	PVSCSI_FLAG_CMD_OUT_OF_BAND_CDB	(1U << 1)
#define	PVSCSI_FLAG_CMD_DIR_NONE	(1U << 2)
#define	PVSCSI_FLAG_CMD_DIR_TOHOST	(1U << 3)
#define	PVSCSI_FLAG_CMD_DIR_TODEVICE	(1U << 4)

#define	PVSCSI_TAG_SIMPLE		0x20
#define	PVSCSI_TAG_HEAD			0x21
#define	PVSCSI_TAG_ORDERED		0x22

/*
 * Scatter/gather element.  A list lives in one page and is never
 * chained (PVSCSI_SGE_FLAG_CHAIN_ELEMENT is not honoured by all hosts).
 */
typedef struct pvscsi_sge {
	uint64_t	psg_addr;
	uint32_t	psg_length;
	uint32_t	psg_flags;
} pvscsi_sge_t;

#define	PVSCSI_SGE_FLAG_CHAIN_ELEMENT	(1U << 0)

typedef struct pvscsi_cmp {
	uint64_t	pc_context;
	uint64_t	pc_data_len;	/* bytes transferred, if known */
	uint32_t	pc_sense_len;
	uint16_t	pc_host_status;
	uint16_t	pc_scsi_status;
	uint32_t	pc_pad[2];
} pvscsi_cmp_t;

/*
 * Message ring entries: a device was added or removed.
 */
typedef struct pvscsi_msg {
	uint32_t	pm_type;
	uint32_t	pm_args[31];
} pvscsi_msg_t;

typedef struct pvscsi_msg_dev {
	uint32_t	pmd_type;
	uint32_t	pmd_bus;
	uint32_t	pmd_target;
	uint8_t		pmd_lun[8];
	uint32_t	pmd_pad[27];
} pvscsi_msg_dev_t;

#define	PVSCSI_MSG_DEV_ADDED		0
#define	PVSCSI_MSG_DEV_REMOVED		1

/*
 * Host (adapter) status of a completed request.
 */
#define	PVSCSI_BTSTAT_SUCCESS		0x00
#define	PVSCSI_BTSTAT_LINKED_COMMAND_COMPLETED		0x0a
#define	PVSCSI_BTSTAT_LINKED_COMMAND_COMPLETED_WITH_FLAG 0x0b
#define	PVSCSI_BTSTAT_DATA_UNDERRUN	0x0c
#define	PVSCSI_BTSTAT_SELTIMEO		0x11
#define	PVSCSI_BTSTAT_DATARUN		0x12
#define	PVSCSI_BTSTAT_BUSFREE		0x13
#define	PVSCSI_BTSTAT_INVPHASE		0x14
#define	PVSCSI_BTSTAT_INVCODE		0x15
#define	PVSCSI_BTSTAT_INVOPCODE		0x16
#define	PVSCSI_BTSTAT_LUNMISMATCH	0x17
#define	PVSCSI_BTSTAT_INVPARAM		0x1a
#define	PVSCSI_BTSTAT_SENSFAILED	0x1b
#define	PVSCSI_BTSTAT_TAGREJECT		0x1c
#define	PVSCSI_BTSTAT_BADMSG		0x1d
#define	PVSCSI_BTSTAT_HAHARDWARE	0x20
#define	PVSCSI_BTSTAT_NORESPONSE	0x21
#define	PVSCSI_BTSTAT_SENTRST		0x22
#define	PVSCSI_BTSTAT_RECVRST		0x23
#define	PVSCSI_BTSTAT_DISCONNECT	0x24
#define	PVSCSI_BTSTAT_BUSRESET		0x25
#define	PVSCSI_BTSTAT_ABORTQUEUE	0x26
#define	PVSCSI_BTSTAT_HASOFTWARE	0x27
#define	PVSCSI_BTSTAT_HATIMEOUT		0x30
#define	PVSCSI_BTSTAT_SCSIPARITY	0x34

CTASSERT(sizeof (pvscsi_setup_rings_t) == 528);
CTASSERT(sizeof (pvscsi_setup_msg_ring_t) == 136);
CTASSERT(sizeof (pvscsi_cmd_abort_t) == 16);
CTASSERT(sizeof (pvscsi_cmd_reset_device_t) == 12);
CTASSERT(sizeof (pvscsi_cmd_config_t) == 24);
CTASSERT(sizeof (pvscsi_config_header_t) == 16);
CTASSERT(sizeof (pvscsi_config_controller_t) == 480);
CTASSERT(offsetof(pvscsi_rings_state_t, prs_msg_prod) == 128);
CTASSERT(sizeof (pvscsi_rings_state_t) == 140);
CTASSERT(sizeof (pvscsi_req_t) == 128);
CTASSERT(offsetof(pvscsi_req_t, pr_target) == 67);
CTASSERT(sizeof (pvscsi_sge_t) == 16);
CTASSERT(sizeof (pvscsi_cmp_t) == 32);
CTASSERT(sizeof (pvscsi_msg_t) == 128);
CTASSERT(sizeof (pvscsi_msg_dev_t) == 128);
CTASSERT(offsetof(pvscsi_msg_dev_t, pmd_lun) == 12);
CTASSERT(PVSCSI_REQS_PER_PAGE * sizeof (pvscsi_req_t) == PVSCSI_PAGE_SIZE);
CTASSERT(PVSCSI_CMPS_PER_PAGE * sizeof (pvscsi_cmp_t) == PVSCSI_PAGE_SIZE);
CTASSERT(PVSCSI_MSGS_PER_PAGE * sizeof (pvscsi_msg_t) == PVSCSI_PAGE_SIZE);

#ifdef __cplusplus
}
#endif

#endif /* _PVSCSI_H */

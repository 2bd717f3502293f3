/*
 * illumos <sys/scsi/scsi_ctl.h>: resets, aborts and capabilities.
 */
#ifndef _FK_SYS_SCSI_SCSI_CTL_H
#define	_FK_SYS_SCSI_SCSI_CTL_H

#include <sys/types.h>
#include <sys/scsi/scsi_address.h>
#include <sys/scsi/scsi_pkt.h>

#ifdef __cplusplus
extern "C" {
#endif

#define	RESET_ALL	0
#define	RESET_TARGET	1
#define	RESET_BUS	2
#define	RESET_LUN	3

#define	SCSI_CAP_DMA_MAX		0
#define	SCSI_CAP_MSG_OUT		1
#define	SCSI_CAP_DISCONNECT		2
#define	SCSI_CAP_SYNCHRONOUS		3
#define	SCSI_CAP_WIDE_XFER		4
#define	SCSI_CAP_PARITY			5
#define	SCSI_CAP_INITIATOR_ID		6
#define	SCSI_CAP_UNTAGGED_QING		7
#define	SCSI_CAP_TAGGED_QING		8
#define	SCSI_CAP_ARQ			9
#define	SCSI_CAP_LINKED_CMDS		10
#define	SCSI_CAP_SECTOR_SIZE		11
#define	SCSI_CAP_TOTAL_SECTORS		12
#define	SCSI_CAP_GEOMETRY		13
#define	SCSI_CAP_RESET_NOTIFICATION	14
#define	SCSI_CAP_QFULL_RETRIES		15
#define	SCSI_CAP_QFULL_RETRY_INTERVAL	16
#define	SCSI_CAP_SCSI_VERSION		17
#define	SCSI_CAP_INTERCONNECT_TYPE	18
#define	SCSI_CAP_LUN_RESET		19
#define	SCSI_CAP_CDB_LEN		20
#define	SCSI_CAP_DMA_MAX_ARCH		21
#define	SCSI_CAP_TRAN_LAYER_RETRIES	22

#define	SCSI_CAP_ASCII							\
	{								\
	    "dma-max", "msg-out", "disconnect", "synchronous",		\
	    "wide-xfer", "parity", "initiator-id", "untagged-qing",	\
	    "tagged-qing", "auto-rqsense", "linked-cmds",		\
	    "sector-size", "total-sectors", "geometry",			\
	    "reset-notification", "qfull-retries",			\
	    "qfull-retry-interval", "scsi-version",			\
	    "interconnect-type", "lun-reset", "max-cdb-length",		\
	    "dma-max-arch", "tran-layer-retries", NULL			\
	}

extern int scsi_ifgetcap(struct scsi_address *, char *, int);
extern int scsi_ifsetcap(struct scsi_address *, char *, int, int);
extern int scsi_reset(struct scsi_address *, int);
extern int scsi_abort(struct scsi_address *, struct scsi_pkt *);
extern int scsi_transport(struct scsi_pkt *);
extern int scsi_poll(struct scsi_pkt *);

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_SCSI_SCSI_CTL_H */

/*
 * illumos scsi_pkt(9S) with the tran_setup_pkt(9E) DMA fields.
 */
#ifndef _FK_SYS_SCSI_SCSI_PKT_H
#define	_FK_SYS_SCSI_SCSI_PKT_H

#include <sys/types.h>
#include <sys/dditypes.h>
#include <sys/scsi/scsi_address.h>

#ifdef __cplusplus
extern "C" {
#endif

struct scsi_pkt {
	opaque_t		pkt_ha_private;
	struct scsi_address	pkt_address;
	opaque_t		pkt_private;
	void			(*pkt_comp)(struct scsi_pkt *);
	uint_t			pkt_flags;
	int			pkt_time;
	uchar_t			*pkt_scbp;
	uchar_t			*pkt_cdbp;
	ssize_t			pkt_resid;
	uint_t			pkt_state;
	uint_t			pkt_statistics;
	uchar_t			pkt_reason;
	uint_t			pkt_cdblen;
	uint_t			pkt_tgtlen;
	uint_t			pkt_scblen;
	ddi_dma_handle_t	pkt_handle;
	uint_t			pkt_numcookies;
	off_t			pkt_dma_offset;
	size_t			pkt_dma_len;
	uint_t			pkt_dma_flags;
	ddi_dma_cookie_t	*pkt_cookies;
	int			pkt_path_instance;
};

/* pkt_flags */
#define	FLAG_NOINTR		0x0001
#define	FLAG_NODISCON		0x0002
#define	FLAG_NOPARITY		0x0008
#define	FLAG_SENSING		0x0400
#define	FLAG_HTAG		0x1000
#define	FLAG_OTAG		0x2000
#define	FLAG_STAG		0x4000
#define	FLAG_TAGMASK		(FLAG_HTAG | FLAG_OTAG | FLAG_STAG)
#define	FLAG_HEAD		0x8000
#define	FLAG_RENEGOTIATE_WIDE_SYNC 0x01000000
#define	FLAG_PKT_PATH_INSTANCE	0x40000000
#define	FLAG_NOQUEUE		0x80000000

/* pkt_reason */
#define	CMD_CMPLT	0
#define	CMD_INCOMPLETE	1
#define	CMD_DMA_DERR	2
#define	CMD_TRAN_ERR	3
#define	CMD_RESET	4
#define	CMD_ABORTED	5
#define	CMD_TIMEOUT	6
#define	CMD_DATA_OVR	7
#define	CMD_CMD_OVR	8
#define	CMD_STS_OVR	9
#define	CMD_BADMSG	10
#define	CMD_NOMSGOUT	11
#define	CMD_XID_FAIL	12
#define	CMD_IDE_FAIL	13
#define	CMD_ABORT_FAIL	14
#define	CMD_REJECT_FAIL	15
#define	CMD_NOP_FAIL	16
#define	CMD_PER_FAIL	17
#define	CMD_BDR_FAIL	18
#define	CMD_ID_FAIL	19
#define	CMD_UNX_BUS_FREE 20
#define	CMD_TAG_REJECT	21
#define	CMD_TERMINATED	22
#define	CMD_DEV_GONE	24

/* pkt_state */
#define	STATE_GOT_BUS		0x01
#define	STATE_GOT_TARGET	0x02
#define	STATE_SENT_CMD		0x04
#define	STATE_XFERRED_DATA	0x08
#define	STATE_GOT_STATUS	0x10
#define	STATE_ARQ_DONE		0x20
#define	STATE_XARQ_DONE		0x40

/* pkt_statistics */
#define	STAT_DISCON		0x01
#define	STAT_SYNC		0x02
#define	STAT_PERR		0x04
#define	STAT_BUS_RESET		0x08
#define	STAT_DEV_RESET		0x10
#define	STAT_ABORTED		0x20
#define	STAT_TIMEOUT		0x40
#define	STAT_TERMINATED		0x80

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_SCSI_SCSI_PKT_H */

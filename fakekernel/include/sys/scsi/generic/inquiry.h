/*
 * illumos <sys/scsi/generic/inquiry.h>: standard INQUIRY data.
 */
#ifndef _FK_SYS_SCSI_GENERIC_INQUIRY_H
#define	_FK_SYS_SCSI_GENERIC_INQUIRY_H

#include <sys/types.h>
#include <sys/isa_defs.h>

#ifdef __cplusplus
extern "C" {
#endif

struct scsi_inquiry {
	uchar_t	inq_dtype;		/* qualifier (DPQ_*), type (DTYPE_*) */
#if defined(_BIT_FIELDS_LTOH)
	uchar_t	inq_qual : 7, inq_rmb : 1;
	uchar_t	inq_ansi : 3, inq_ecma : 3, inq_iso : 2;
	uchar_t	inq_rdf : 4, inq_hisup : 1, inq_normaca : 1, inq_trmiop : 1,
		inq_aenc : 1;
	uchar_t	inq_len;
	uchar_t	inq_protect : 1, inq_5_1 : 1, inq_5_2 : 1, inq_3pc : 1,
		inq_tpgs : 2, inq_acc : 1, inq_sccs : 1;
	uchar_t	inq_addr16 : 1, inq_addr32 : 1, inq_ackqreqq : 1,
		inq_mchngr : 1, inq_dualp : 1, inq_port : 1, inq_encserv : 1,
		inq_bque : 1;
	uchar_t	inq_sftre : 1, inq_cmdque : 1, inq_trandis : 1,
		inq_linked : 1, inq_sync : 1, inq_wbus16 : 1, inq_wbus32 : 1,
		inq_reladdr : 1;
#else
	uchar_t	inq_rmb : 1, inq_qual : 7;
	uchar_t	inq_iso : 2, inq_ecma : 3, inq_ansi : 3;
	uchar_t	inq_aenc : 1, inq_trmiop : 1, inq_normaca : 1, inq_hisup : 1,
		inq_rdf : 4;
	uchar_t	inq_len;
	uchar_t	inq_sccs : 1, inq_acc : 1, inq_tpgs : 2, inq_3pc : 1,
		inq_5_2 : 1, inq_5_1 : 1, inq_protect : 1;
	uchar_t	inq_bque : 1, inq_encserv : 1, inq_port : 1, inq_dualp : 1,
		inq_mchngr : 1, inq_ackqreqq : 1, inq_addr32 : 1,
		inq_addr16 : 1;
	uchar_t	inq_reladdr : 1, inq_wbus32 : 1, inq_wbus16 : 1,
		inq_sync : 1, inq_linked : 1, inq_trandis : 1, inq_cmdque : 1,
		inq_sftre : 1;
#endif
	char	inq_vid[8];
	char	inq_pid[16];
	char	inq_revision[4];
	char	inq_serial[12];
	uchar_t	__inq_48 : 8;
	uchar_t	__inq_49 : 8;
	uchar_t	__inq_50 : 8;
	uchar_t	__inq_51 : 8;
	uchar_t	__inq_52 : 8;
	uchar_t	__inq_53 : 8;
	uchar_t	__inq_54 : 8;
	uchar_t	__inq_55 : 8;
#if defined(_BIT_FIELDS_LTOH)
	uchar_t	inq_ius : 1, inq_qas : 1, inq_clk : 2, __inq_56_4 : 1,
		__inq_56_5 : 1, __inq_56_6 : 1, __inq_56_7 : 1;
#else
	uchar_t	__inq_56_7 : 1, __inq_56_6 : 1, __inq_56_5 : 1,
		__inq_56_4 : 1, inq_clk : 2, inq_qas : 1, inq_ius : 1;
#endif
	uchar_t	__inq_57 : 8;
	struct inq_vd {
		uchar_t	inq_vd_msb;
		uchar_t	inq_vd_lsb;
	} inq_vd[8];			/* version descriptors */
	uchar_t	__inq_74_127[132 - 74];
};

#define	DTYPE_DIRECT		0x00
#define	DTYPE_SEQUENTIAL	0x01
#define	DTYPE_PRINTER		0x02
#define	DTYPE_PROCESSOR		0x03
#define	DTYPE_WORM		0x04
#define	DTYPE_RODIRECT		0x05
#define	DTYPE_SCANNER		0x06
#define	DTYPE_OPTICAL		0x07
#define	DTYPE_CHANGER		0x08
#define	DTYPE_COMM		0x09
#define	DTYPE_ARRAY_CTRL	0x0C
#define	DTYPE_ESI		0x0D
#define	DTYPE_RBC		0x0E
#define	DTYPE_UNKNOWN		0x1F
#define	DTYPE_MASK		0x1F

#define	DPQ_POSSIBLE		0x00
#define	DPQ_SUPPORTED		0x20
#define	DPQ_NEVER		0x60
#define	DPQ_VUNIQ		0x80
#define	DPQ_MASK		0x60
#define	DTYPE_NOTPRESENT	(DPQ_NEVER | DTYPE_UNKNOWN)

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_SCSI_GENERIC_INQUIRY_H */

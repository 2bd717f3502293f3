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
#if defined(_BIT_FIELDS_LTOH)
	uchar_t	inq_dtype	: 5,
		inq_qual	: 3;
	uchar_t	inq_qual2	: 7,
		inq_rmb		: 1;
	uchar_t	inq_ansi	: 3,
		inq_ecma	: 3,
		inq_iso		: 2;
	uchar_t	inq_rdf		: 4,
		inq_hisup	: 1,
		inq_normaca	: 1,
		inq_trmiop	: 1,
		inq_aenc	: 1;
#else
	uchar_t	inq_qual	: 3,
		inq_dtype	: 5;
	uchar_t	inq_rmb		: 1,
		inq_qual2	: 7;
	uchar_t	inq_iso		: 2,
		inq_ecma	: 3,
		inq_ansi	: 3;
	uchar_t	inq_aenc	: 1,
		inq_trmiop	: 1,
		inq_normaca	: 1,
		inq_hisup	: 1,
		inq_rdf		: 4;
#endif
	uchar_t	inq_len;
	uchar_t	inq_byte5;
	uchar_t	inq_byte6;
	uchar_t	inq_byte7;
	char	inq_vid[8];
	char	inq_pid[16];
	char	inq_revision[4];
	uchar_t	inq_vendor_unique[20];
	uchar_t	inq_reserved[40];
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
#define	DPQ_MASK		0x60
#define	DTYPE_NOTPRESENT	(DPQ_NEVER | DTYPE_UNKNOWN)

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_SCSI_GENERIC_INQUIRY_H */

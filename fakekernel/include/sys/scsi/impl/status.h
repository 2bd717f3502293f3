/*
 * illumos <sys/scsi/impl/status.h>: the status block and auto request sense
 * status (struct scsi_arq_status).
 */
#ifndef _FK_SYS_SCSI_IMPL_STATUS_H
#define	_FK_SYS_SCSI_IMPL_STATUS_H

#include <sys/types.h>
#include <sys/isa_defs.h>
#include <sys/scsi/generic/sense.h>

#ifdef __cplusplus
extern "C" {
#endif

struct scsi_status {
#if defined(_BIT_FIELDS_LTOH)
	uchar_t	sts_vu0		: 1,
		sts_chk		: 1,
		sts_cm		: 1,
		sts_busy	: 1,
		sts_is		: 1,
		sts_vu6		: 1,
		sts_vu7		: 1,
		sts_resvd	: 1;
#else
	uchar_t	sts_resvd	: 1,
		sts_vu7		: 1,
		sts_vu6		: 1,
		sts_is		: 1,
		sts_busy	: 1,
		sts_cm		: 1,
		sts_chk		: 1,
		sts_vu0		: 1;
#endif
};

struct scsi_arq_status {
	struct scsi_status	sts_status;
	struct scsi_status	sts_rqpkt_status;
	uchar_t			sts_rqpkt_reason;
	uchar_t			sts_rqpkt_resid;
	uint_t			sts_rqpkt_state;
	uint_t			sts_rqpkt_statistics;
	struct scsi_extended_sense sts_sensedata;
};

#define	SECMDS_STATUS_SIZE	(sizeof (struct scsi_arq_status))

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_SCSI_IMPL_STATUS_H */

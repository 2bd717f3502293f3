/*
 * illumos <sys/scsi/scsi_params.h>.
 */
#ifndef _FK_SYS_SCSI_SCSI_PARAMS_H
#define	_FK_SYS_SCSI_SCSI_PARAMS_H

#define	NTARGETS		8
#define	NLUNS_PER_TARGET	8
#define	NTARGETS_WIDE		16
#define	SCSI_CDB_SIZE		16	/* CDB_GROUP4 */

#define	SCSI_DEFAULT_SELECTION_TIMEOUT	250

#endif /* _FK_SYS_SCSI_SCSI_PARAMS_H */

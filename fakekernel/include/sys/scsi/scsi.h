/*
 * illumos <sys/scsi/scsi.h>: everything a SCSA HBA or target driver needs.
 */
#ifndef _FK_SYS_SCSI_SCSI_H
#define	_FK_SYS_SCSI_SCSI_H

#include <sys/types.h>
#include <sys/param.h>
#include <sys/buf.h>
#include <sys/ddi.h>
#include <sys/sunddi.h>
#include <sys/scsi/scsi_types.h>

#endif /* _FK_SYS_SCSI_SCSI_H */

/*
 * illumos <sys/scsi/scsi_types.h>: pulls in the SCSA definitions in the
 * order the framework defines them.
 */
#ifndef _FK_SYS_SCSI_SCSI_TYPES_H
#define	_FK_SYS_SCSI_SCSI_TYPES_H

#include <sys/types.h>

#define	SLEEP_FUNC	((int (*)())1)
#define	NULL_FUNC	((int (*)())0)

#include <sys/scsi/scsi_params.h>
#include <sys/scsi/scsi_address.h>
#include <sys/scsi/scsi_pkt.h>
#include <sys/scsi/generic/commands.h>
#include <sys/scsi/generic/status.h>
#include <sys/scsi/generic/sense.h>
#include <sys/scsi/generic/inquiry.h>
#include <sys/scsi/generic/message.h>
#include <sys/scsi/impl/commands.h>
#include <sys/scsi/impl/status.h>
#include <sys/scsi/impl/transport.h>
#include <sys/scsi/conf/device.h>
#include <sys/scsi/scsi_ctl.h>
#include <sys/scsi/scsi_resource.h>

#endif /* _FK_SYS_SCSI_SCSI_TYPES_H */

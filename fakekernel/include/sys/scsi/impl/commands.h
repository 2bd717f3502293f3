/*
 * illumos <sys/scsi/impl/commands.h>: CDB layout helpers.
 */
#ifndef _FK_SYS_SCSI_IMPL_COMMANDS_H
#define	_FK_SYS_SCSI_IMPL_COMMANDS_H

#include <sys/types.h>

#define	CDB_SIZE	CDB_GROUP5

#define	GETCMD(cdb)		((cdb)[0] & 0xFF)
#define	GETGROUP(cdb)		(CDB_GROUPID(GETCMD(cdb)))

#endif /* _FK_SYS_SCSI_IMPL_COMMANDS_H */

/*
 * illumos scsi_address(9S).  With SCSI_HBA_ADDR_COMPLEX the address is
 * opaque and reached through scsi_address_device(9F).
 */
#ifndef _FK_SYS_SCSI_SCSI_ADDRESS_H
#define	_FK_SYS_SCSI_SCSI_ADDRESS_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct scsi_hba_tran;
struct scsi_device;

struct scsi_address {
	struct scsi_hba_tran	*a_hba_tran;
	union {
		struct {
			ushort_t	a_target;
			uchar_t		a_lun;
			uchar_t		_a_sublun;
		} spi;
		struct scsi_device	*a_sd;
	} a;
};

#define	a_target	a.spi.a_target
#define	a_lun		a.spi.a_lun
#define	a_sublun	a.spi._a_sublun

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_SCSI_SCSI_ADDRESS_H */

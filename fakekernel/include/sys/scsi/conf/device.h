/*
 * illumos scsi_device(9S).
 */
#ifndef _FK_SYS_SCSI_CONF_DEVICE_H
#define	_FK_SYS_SCSI_CONF_DEVICE_H

#include <sys/types.h>
#include <sys/dditypes.h>
#include <sys/mutex.h>
#include <sys/scsi/scsi_address.h>

#ifdef __cplusplus
extern "C" {
#endif

struct scsi_inquiry;
struct scsi_extended_sense;

struct scsi_device {
	struct scsi_address	sd_address;
	dev_info_t		*sd_dev;
	kmutex_t		sd_mutex;
	void			*sd_hba_private;
	struct scsi_inquiry	*sd_inq;
	struct scsi_extended_sense *sd_sense;
	void			*sd_private;
};

/* scsi_probe(9F) results */
#define	SCSIPROBE_EXISTS	0
#define	SCSIPROBE_NONCCS	1
#define	SCSIPROBE_NORESP	2
#define	SCSIPROBE_NOMEM		3
#define	SCSIPROBE_FAILURE	4
#define	SCSIPROBE_BUSY		5
#define	SCSIPROBE_NOMEM_CB	6

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_SCSI_CONF_DEVICE_H */

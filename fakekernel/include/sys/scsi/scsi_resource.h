/*
 * illumos <sys/scsi/scsi_resource.h>: packet and buffer allocation for
 * target drivers (scsi_init_pkt(9F) and friends).
 */
#ifndef _FK_SYS_SCSI_SCSI_RESOURCE_H
#define	_FK_SYS_SCSI_SCSI_RESOURCE_H

#include <sys/types.h>
#include <sys/buf.h>
#include <sys/scsi/scsi_address.h>
#include <sys/scsi/scsi_pkt.h>

#ifdef __cplusplus
extern "C" {
#endif

#define	PKT_CONSISTENT		0x0001
#define	PKT_DMA_PARTIAL		0x040000
#define	PKT_XARQ		0x080000

extern struct scsi_pkt *scsi_init_pkt(struct scsi_address *,
    struct scsi_pkt *, struct buf *, int, int, int, int,
    int (*)(caddr_t), caddr_t);
extern void scsi_destroy_pkt(struct scsi_pkt *);
extern void scsi_dmafree(struct scsi_pkt *);
extern void scsi_sync_pkt(struct scsi_pkt *);
extern struct buf *scsi_alloc_consistent_buf(struct scsi_address *,
    struct buf *, size_t, uint_t, int (*)(caddr_t), caddr_t);
extern void scsi_free_consistent_buf(struct buf *);

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_SCSI_SCSI_RESOURCE_H */

/*
 * Lab programs: I/O and bookkeeping shared by the driver scenarios.
 *
 *   - data patterns that are a function of the disk offset, so that data
 *     read back, or found in a file disk's image on the host side, can be
 *     checked anywhere;
 *   - commands of our own, as sd(4D) issues them (scsi_init_pkt,
 *     scsi_transport, waiting for pkt_comp), that show the DMA cookies
 *     the HBA was given and follow DMA windows (PKT_DMA_PARTIAL);
 *   - the HBA's limits as a target driver reads them;
 *   - the interrupt type the driver took, from the guest's
 *     /proc/interrupts (the VFIO vectors of its PCI function);
 *   - the resources a process holds (kmem, DMA arena pages, threads,
 *     file descriptors), for leak checks;
 *   - (labcheck.h) the checks every scenario ends with: each packet
 *     completed exactly once, no console line, a clean lock-order
 *     witness; the interrupt type.
 */
#ifndef _LABIO_H
#define	_LABIO_H

#include <sys/types.h>
#include <stdint.h>
#include "fk.h"
#include "fk_scsi.h"

/*
 * Patterns.  lio_fill() writes the pattern of disk bytes [off, off+len)
 * under seed; lio_verify() returns the index of the first byte that
 * differs from it, or -1.  Seed 0 is all zero bytes (a null disk).
 */
extern void lio_fill(void *, size_t, uint64_t, uint64_t);
extern ssize_t lio_verify(const void *, size_t, uint64_t, uint64_t);

/* len bytes at off of the image of file disk hba:target; 0 or errno. */
extern int lio_image_read(int, int, uint64_t, void *, size_t);

/*
 * The HBA's limits for a unit, as a target driver learns them: the
 * "dma-max" capability (scsi_ifgetcap(9F); -1 when the HBA does not
 * define it), and the DMA attributes it gave scsi_hba_attach_setup(9F).
 * ll_max is the largest transfer to send in one command: dma-max, or
 * 64 KiB when the HBA does not define it (as st(4D) assumes), within
 * dma_attr_maxxfer.  The ring depth is the device's account: the request
 * ring's pages in the driver's last SETUP_RINGS (devtap.h; call
 * dt_start() before the attach), 32 requests a page; 0 when unknown.
 */
typedef struct lio_limits {
	int		ll_dma_max;	/* scsi_ifgetcap "dma-max" */
	size_t		ll_max;		/* the largest transfer to send */
	uint64_t	ll_maxxfer;	/* dma_attr_maxxfer */
	int		ll_sgllen;	/* dma_attr_sgllen */
	uint32_t	ll_granular;	/* dma_attr_granular */
	uint_t		ll_ring;	/* request ring entries */
} lio_limits_t;

extern int lio_limits(fk_lun_t *, lio_limits_t *);

/*
 * A block read or write with a packet of our own: READ(16)/WRITE(16) of
 * len bytes (a multiple of 512) at lba, pkt_flags flags (FLAG_NOINTR:
 * polled).  With partial, PKT_DMA_PARTIAL: each DMA window is one
 * command.  A command the HBA refuses with TRAN_BUSY is sent again, 10 ms
 * later, up to LIO_BUSY_TRIES times, as scsi_poll(9F) and sd do
 * (lx_busy counts the refusals).  Returns 0 when every command completed
 * with CMD_CMPLT, GOOD status and no residue; EINVAL when scsi_init_pkt
 * refused the transfer (lx_tran 0) or tran_start said TRAN_BADPKT; EIO
 * otherwise (see lx_*).
 */
#define	LIO_BUSY_TRIES	600
typedef struct lio_xfer {
	int		lx_tran;	/* last scsi_transport() result */
	uchar_t		lx_reason;	/* last pkt_reason */
	uchar_t		lx_status;	/* last SCSI status */
	ssize_t		lx_resid;	/* last pkt_resid */
	uint_t		lx_windows;	/* commands sent */
	uint_t		lx_comps;	/* pkt_comp calls */
	uint_t		lx_cookies;	/* most cookies in one window */
	size_t		lx_badwin;	/* a window not a multiple of 512 */
	uint_t		lx_busy;	/* TRAN_BUSY answers, retried */
} lio_xfer_t;

extern int lio_rw(fk_lun_t *, int, uint64_t, void *, size_t, uint_t, int,
    lio_xfer_t *);

/*
 * The interrupt type of PCI function bdf ("0000:00:03.0") in the guest's
 * /proc/interrupts: "msi", "msix", "intx", or "" when it has no VFIO
 * vector; *countp is the interrupts counted there.  lio_intr_expected()
 * is the type the driver must take under FK_INTR (the best offered:
 * QEMU's PVSCSI has MSI and INTx).  lio_hba_bdf(i) is $LAB_PVSCSI's i-th.
 */
extern const char *lio_intr_seen(const char *, uint64_t *);
extern const char *lio_intr_expected(void);
extern const char *lio_hba_bdf(int);

/*
 * Resources the process holds.  lio_res_get() first flushes kmem's
 * quarantine and frees cached objects (fk_kmem_reap), so that what is
 * left is what someone holds.
 */
typedef struct lio_res {
	int64_t		lr_kmem_bytes;
	int64_t		lr_kmem_bufs;	/* allocations - frees */
	size_t		lr_arena_used;	/* DMA arena bytes in use */
	int		lr_threads;
	int		lr_fds;
} lio_res_t;

extern void lio_res_get(lio_res_t *);

/*
 * Scatter the DMA arena: call before drv_load() in a guest without huge
 * pages (lab --hugepages 0), whose arena is then made of 4 KiB pages.
 * Transparent huge pages are turned off for the process, and the
 * guest's free memory is fragmented (every other page of 96 MiB freed),
 * so that the arena's pages are not physically contiguous and a buffer
 * of n pages reaches the device in n DMA cookies.  The memory stays held
 * until the process exits.
 */
extern void lio_scatter_memory(void);

/* Wall-clock seconds since an arbitrary origin. */
extern double lio_now(void);

#endif /* _LABIO_H */

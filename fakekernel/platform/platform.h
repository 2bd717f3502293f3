/*
 * The platform seam: the only place the fakekernel touches the host's
 * device interfaces.  A backend provides PCI functions (configuration
 * space, BARs, interrupts as file descriptors) and DMA-able memory (a
 * virtual address plus the address the device uses for it).
 *
 * Backends: "vfio" (vfio.c: a real PCI function in the lab guest) and
 * "none" (none.c: no devices; memory from the heap with device address ==
 * virtual address, for host unit tests).  vfio.c keeps its DMA memory in
 * the arena of arena.h, which also feeds kmem.
 */
#ifndef _FK_PLATFORM_H
#define	_FK_PLATFORM_H

#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fk_pdev fk_pdev_t;

typedef struct fk_plat_ops {
	const char	*po_name;
	int		(*po_init)(void);
	void		(*po_fini)(void);

	/* PCI functions, in bus order */
	int		(*po_pdev_count)(void);
	fk_pdev_t	*(*po_pdev_open)(int);
	void		(*po_pdev_close)(fk_pdev_t *);
	const char	*(*po_pdev_name)(fk_pdev_t *);	/* "0000:00:03.0" */
	int		(*po_cfg_read)(fk_pdev_t *, uint32_t, void *, size_t);
	int		(*po_cfg_write)(fk_pdev_t *, uint32_t, const void *,
			    size_t);
	/* BAR n: mapping, size, bus address, flags (PCI_ADDR_* space) */
	int		(*po_bar)(fk_pdev_t *, int, void **, uint64_t *,
			    uint64_t *, uint32_t *);
	/* interrupts: DDI_INTR_TYPE_* mask and vector counts */
	int		(*po_intr_types)(fk_pdev_t *);
	int		(*po_intr_count)(fk_pdev_t *, int);
	/* enable n vectors of a type; fds[i] becomes readable on each */
	int		(*po_intr_enable)(fk_pdev_t *, int, int, int *);
	int		(*po_intr_disable)(fk_pdev_t *, int);
	int		(*po_intx_unmask)(fk_pdev_t *);

	/*
	 * DMA-able memory: len bytes, aligned, with every byte's device
	 * address within [lo, hi].  Returns the virtual address; device
	 * addresses come from po_dma_addr (which also says how many bytes
	 * from va are contiguous in device space).
	 */
	void		*(*po_dma_alloc)(size_t, size_t, uint64_t, uint64_t);
	void		(*po_dma_free)(void *, size_t);
	int		(*po_dma_addr)(const void *, uint64_t *, size_t *);

	/*
	 * Optional (NULL: device address == virtual address): the virtual
	 * address through which the fakekernel, or a test playing the
	 * device, reaches len bytes at device address addr; NULL when that
	 * is not DMA memory of this platform.
	 */
	void		*(*po_dma_va)(uint64_t, size_t);
} fk_plat_ops_t;

/*
 * Details of the PCI and DMA operations (ddi/pci.c, ddi/regs.c, ddi/dma.c
 * and ddi/intr.c rely on them):
 *   po_cfg_read/po_cfg_write: len 1, 2, 4 or 8 at a naturally aligned
 *	offset; 0 or -1.
 *   po_bar(pdev, n, ...): n is the BAR register index (0..5, at config
 *	offset 0x10 + 4n); -1 when that BAR is not implemented (also for
 *	the upper half of a 64-bit BAR); the mapping is NULL when the BAR
 *	cannot be mapped (I/O space); flags is PCI_ADDR_MEM32, PCI_ADDR_MEM64
 *	or PCI_ADDR_IO, plus PCI_REG_PF_M when prefetchable.
 *   po_intr_types/po_intr_count: what the function has, before any
 *	filtering by the FK_INTR option.
 *   po_intr_enable(pdev, type, n, fds): enables vectors 0..n-1 of type
 *	(one type at a time); the backend creates the n descriptors, owns
 *	them, and closes them in po_intr_disable(pdev, type).  Each becomes
 *	readable (an eventfd: read 8 bytes) when its vector fires.  A FIXED
 *	interrupt is masked when it fires until po_intx_unmask().
 *   po_dma_addr(va, &addr, &contig): 0 for DMA memory of this platform,
 *	with contig = the bytes from va on that are contiguous in device
 *	space; -1 for other memory (which ddi/dma.c bounces).
 *   po_dma_alloc memory is contiguous in device space when it can be.
 */

extern const fk_plat_ops_t *fk_platform;
extern const fk_plat_ops_t fk_plat_none;
extern const fk_plat_ops_t fk_plat_vfio;

extern int fk_platform_select(const char *);	/* "none" or "vfio" */
extern void fk_platform_fini(void);

#ifdef __cplusplus
}
#endif

#endif /* _FK_PLATFORM_H */

/*
 * The platform seam: the only way from the fakekernel to the host's
 * devices and memory.  A backend is one table of operations, this file's
 * fk_plat_ops_t, whose layout FK_PLAT_VERSION names: fk_platform_select()
 * refuses a table of another version.  The backend knows devices as PCI
 * functions and memory as pages with device addresses; it knows nothing
 * of drivers (which function a driver binds to is the fakekernel's
 * business, ddi/pci.c, after illumos's driver aliases).
 *
 * Backends: "vfio" (vfio.c: PCI functions bound to vfio-pci in the lab
 * guest, DMA memory pinned in its arena, arena.h) and "none" (none.c: no
 * functions, heap memory whose device address is its virtual address,
 * for host unit tests); tests add their own (tests/unit/lib/fakeplat.c).
 *
 * Who calls what, in which context
 * --------------------------------
 * Unless said otherwise an operation is called from a thread that may
 * block, never in interrupt context, and the backend does its own locking.
 *
 *   po_version		FK_PLAT_VERSION, checked by fk_platform_select().
 *   po_name		the backend's name ("vfio", "none", ...).
 *   po_init		fk_init (ddi/init.c), once, before any other
 *			operation; 0 or an errno value.
 *   po_fini		fk_fini, last; every function and vector the
 *			fakekernel opened is closed and disabled by then.
 *
 * PCI functions.  Candidates are what the backend could claim (vfio: every
 * function bound to vfio-pci); claimed functions are what the fakekernel
 * uses, numbered 0.. in the order they were claimed.
 *   po_pci_probe(i, cand)	candidate i (0..): its name ("0000:00:03.0")
 *			and the first 256 bytes of its configuration space;
 *			0, or -1 past the last.  Called by fk_pci_claim()
 *			(ddi/pci.c), which matches candidates against driver
 *			aliases: the backend is told which to claim.
 *   po_pci_claim(i)	claim candidate i: the backend takes the function
 *			(vfio: its IOMMU group joins the container, and the
 *			DMA memory becomes visible to it); returns its index
 *			among the claimed functions (the same index again for
 *			a function claimed before), or -1.
 *   po_pdev_count()	the number of claimed functions.
 *   po_pdev_open(i), po_pdev_close(pd)	a claimed function, opened for a
 *			device node (ddi/pci.c; opens are counted): its
 *			BARs are mapped and memory space and bus mastering
 *			enabled, as the PCI nexus does before attach.
 *   po_pdev_name(pd)	its name.
 *   po_cfg_read/po_cfg_write(pd, off, buf, len)	configuration space;
 *			len 1, 2, 4 or 8 at a naturally aligned offset; 0
 *			or -1.  ddi/regs.c (pci_config_get*), ddi/pci.c,
 *			ddi/intr.c; any context, including interrupt.
 *   po_bar(pd, n, &va, &size, &busaddr, &flags)	BAR register n (0..5,
 *			at config offset 0x10 + 4n): -1 when not implemented
 *			(also for the upper half of a 64-bit BAR); va NULL
 *			when it cannot be mapped (I/O space); flags is
 *			PCI_ADDR_MEM32, PCI_ADDR_MEM64 or PCI_ADDR_IO, plus
 *			PCI_REG_PF_M when prefetchable.  ddi/pci.c, regs.c.
 *
 * Interrupts (ddi/intr.c).  Vectors 0..n-1 of one type at a time.
 *   po_intr_types(pd), po_intr_count(pd, type)	what the function has
 *			(DDI_INTR_TYPE_* mask; vectors of a type), before any
 *			filtering by the FK_INTR option.
 *   po_intr_enable(pd, type, n), po_intr_disable(pd, type)	from
 *			ddi_intr_enable/disable.  A FIXED interrupt is masked
 *			at the source when it fires, until po_intx_unmask().
 *   po_intr_wait(pd, vec)	called in a loop by vector vec's interrupt
 *			thread (one per enabled vector, not yet in interrupt
 *			context): blocks until the vector fires and returns
 *			FK_PLAT_INTR_FIRED, or returns FK_PLAT_INTR_STOP once
 *			po_intr_post(pd, vec, FK_PLAT_INTR_STOP) was called
 *			(before or during the wait).  Firings that happen
 *			before the thread waits again are delivered as one:
 *			one wake-up per batch, whatever the batch's size.
 *			The thread then runs the handler in interrupt context.
 *			The backend may place the thread (vfio: on the CPU
 *			the vector is delivered to).
 *   po_intr_post(pd, vec, what)	from any thread: FK_PLAT_INTR_FIRED
 *			fires vec in software (ddi_intr_clr_mask delivers a
 *			held-back interrupt so), FK_PLAT_INTR_STOP ends the
 *			waiter's loop (ddi_intr_disable, before it joins the
 *			thread); 0 or -1.
 *   po_intx_unmask(pd)	after a FIXED interrupt's handler returned, on
 *			the interrupt thread.
 *
 * DMA memory (ddi/dma.c; also fk_dma_devmem for tests playing a device).
 *   po_dma_alloc(len, align, lo, hi)	len bytes, aligned, with every
 *			byte's device address within [lo, hi], contiguous in
 *			device space when it can be; NULL when none.
 *   po_dma_free(va, len)	what po_dma_alloc returned.
 *   po_dma_addr(va, &addr, &contig)	0 for DMA memory of this platform,
 *			with contig the bytes from va on that are contiguous
 *			in device space; -1 for other memory (which
 *			ddi/dma.c bounces).  Called per bind, in any context
 *			(a driver may bind in its interrupt handler): it must
 *			not block.
 *   po_dma_va(addr, len)	optional (NULL: device address == virtual
 *			address): the virtual address of len bytes at device
 *			address addr, or NULL when that is not DMA memory.
 *
 * kmem's backing (ddi/kmem.c).
 *   po_kmem_alloc(size), po_kmem_free(p, size)	optional (NULL: the
 *			heap): where kmem's buffers and cache objects come
 *			from, so that any buffer a driver binds is DMA-able,
 *			as in a kernel.  Any context (KM_NOSLEEP allocations
 *			happen in interrupt handlers): they must not block
 *			beyond a short lock.  kmem records the po_kmem_free
 *			of each buffer's backend and calls it even after
 *			po_fini: a backend accepts (and may ignore) frees of
 *			its memory then.  16-byte aligned memory.
 */
#ifndef _FK_PLATFORM_H
#define	_FK_PLATFORM_H

#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define	FK_PLAT_VERSION		2

#define	FK_PLAT_INTR_STOP	0
#define	FK_PLAT_INTR_FIRED	1

#define	FK_PCI_CFG_SIZE		256

typedef struct fk_pdev fk_pdev_t;

typedef struct fk_pci_cand {
	char		pc_name[32];		/* "0000:00:03.0" */
	uint8_t		pc_cfg[FK_PCI_CFG_SIZE];
} fk_pci_cand_t;

typedef struct fk_plat_ops {
	uint32_t	po_version;
	const char	*po_name;
	int		(*po_init)(void);
	void		(*po_fini)(void);

	/* PCI functions */
	int		(*po_pci_probe)(int, fk_pci_cand_t *);
	int		(*po_pci_claim)(int);
	int		(*po_pdev_count)(void);
	fk_pdev_t	*(*po_pdev_open)(int);
	void		(*po_pdev_close)(fk_pdev_t *);
	const char	*(*po_pdev_name)(fk_pdev_t *);
	int		(*po_cfg_read)(fk_pdev_t *, uint32_t, void *, size_t);
	int		(*po_cfg_write)(fk_pdev_t *, uint32_t, const void *,
			    size_t);
	int		(*po_bar)(fk_pdev_t *, int, void **, uint64_t *,
			    uint64_t *, uint32_t *);

	/* interrupts */
	int		(*po_intr_types)(fk_pdev_t *);
	int		(*po_intr_count)(fk_pdev_t *, int);
	int		(*po_intr_enable)(fk_pdev_t *, int, int);
	int		(*po_intr_disable)(fk_pdev_t *, int);
	int		(*po_intr_wait)(fk_pdev_t *, int);
	int		(*po_intr_post)(fk_pdev_t *, int, int);
	int		(*po_intx_unmask)(fk_pdev_t *);

	/* DMA memory */
	void		*(*po_dma_alloc)(size_t, size_t, uint64_t, uint64_t);
	void		(*po_dma_free)(void *, size_t);
	int		(*po_dma_addr)(const void *, uint64_t *, size_t *);
	void		*(*po_dma_va)(uint64_t, size_t);

	/* kmem's backing */
	void		*(*po_kmem_alloc)(size_t);
	void		(*po_kmem_free)(void *, size_t);
} fk_plat_ops_t;

extern const fk_plat_ops_t *fk_platform;
extern const fk_plat_ops_t fk_plat_none;
extern const fk_plat_ops_t fk_plat_vfio;

extern int fk_platform_select(const char *);	/* "none" or "vfio" */
extern void fk_platform_fini(void);

/*
 * Interrupt vectors as event descriptors, for backends whose vectors are
 * eventfds (vfio.c, and the unit tests' fakeplat.c): platform.c keeps
 * po_intr_wait's and po_intr_post's semantics for them.
 * fk_plat_evvec_open(ev, n) makes n blocking eventfds (ev[i].ev_fd);
 * fk_plat_evvec_close(ev, n) closes them; fk_plat_evvec_wait(&ev[vec])
 * and fk_plat_evvec_post(&ev[vec], what) are the two operations.
 */
typedef struct fk_plat_evvec {
	int		ev_fd;
	volatile int	ev_stop;
	int		ev_bound;	/* the backend's: waiter placed */
} fk_plat_evvec_t;

extern int fk_plat_evvec_open(fk_plat_evvec_t *, int);
extern void fk_plat_evvec_close(fk_plat_evvec_t *, int);
extern int fk_plat_evvec_wait(fk_plat_evvec_t *);
extern int fk_plat_evvec_post(fk_plat_evvec_t *, int);

#ifdef __cplusplus
}
#endif

#endif /* _FK_PLATFORM_H */

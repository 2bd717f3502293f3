/*
 * The DMA arena: memory a platform backend has pinned and made reachable
 * by the device, in chunks whose every 4 KiB page has a known device
 * address.  On top of it, a page allocator that honours device-address
 * limits, alignment and contiguity (for ddi_dma_mem_alloc and the bounce
 * buffers of ddi/dma.c), and small-object size classes (for kmem, so that
 * any buffer a driver binds is DMA-able, as in a kernel).
 *
 * Backends: platform/vfio.c (pinned hugetlb or 4 KiB pages mapped in the
 * IOMMU at IOVA == guest-physical address), and unit tests that describe
 * memory with device addresses of their choosing.
 *
 * All functions are thread-safe (one lock).  Device addresses are never
 * below the page they describe: pa[i] is the address of page i's first
 * byte; chunks must be 4 KiB aligned and a multiple of 4 KiB long.
 */
#ifndef _FK_ARENA_H
#define	_FK_ARENA_H

#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define	FK_ARENA_PAGE		4096UL
#define	FK_ARENA_4G		0x100000000ULL

/* fk_arena_alloc flags */
#define	FK_ARENA_CONTIG		0x1	/* one device-contiguous run */
#define	FK_ARENA_TRYCONTIG	0x2	/* contiguous if possible */

/*
 * Called (without the arena lock) when an allocation cannot be met: add
 * at least bytes of memory with device addresses within [lo, hi] if
 * possible.  Returns 0 when it added something.
 */
typedef int (*fk_arena_grow_t)(size_t bytes, uint64_t lo, uint64_t hi);
/* Gives a chunk back to the backend at fk_arena_destroy(). */
typedef void (*fk_arena_release_t)(void *va, size_t len, void *arg);

extern int fk_arena_add(void *, size_t, const uint64_t *,
    fk_arena_release_t, void *);
extern void fk_arena_set_grow(fk_arena_grow_t);
extern void fk_arena_destroy(void);

/* Pages: len rounded up to pages; device addresses of all within [lo, hi] */
extern void *fk_arena_alloc(size_t, size_t, uint64_t, uint64_t, int);
extern void fk_arena_free(void *, size_t);

/* Translation both ways; -1 / NULL for memory outside the arena. */
extern int fk_arena_addr(const void *, uint64_t *, size_t *);
extern void *fk_arena_va(uint64_t, size_t);
extern int fk_arena_contains(const void *, size_t);

/*
 * kmem's backing, for a backend's po_kmem_alloc/po_kmem_free: falls back
 * to the heap when the arena cannot grow; frees of memory given back by
 * fk_arena_destroy() are ignored, heap memory is freed.
 */
extern void *fk_arena_kmem_alloc(size_t);
extern void fk_arena_kmem_free(void *, size_t);

/* Bytes of arena memory (total, free) with device addresses in [lo, hi] */
extern void fk_arena_stats(uint64_t, uint64_t, size_t *, size_t *);

#ifdef __cplusplus
}
#endif

#endif /* _FK_ARENA_H */

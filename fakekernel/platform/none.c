/*
 * The "none" platform: no PCI functions, and DMA-able memory from the
 * heap with device address == virtual address (host unit tests).
 *
 * po_dma_alloc(len, align, lo, hi) returns aligned memory whose every
 * byte's address lies in [lo, hi], or NULL.  The heap rarely sits below
 * 4 GiB, so when it is outside the range, memory is mapped with
 * MAP_32BIT (the first 2 GiB on x86-64) and tried again.
 *
 * All memory is DMA memory here (device address == virtual address), so
 * po_dma_addr(va) succeeds for any va: the bytes contiguous in device
 * space run to the end of the po_dma_alloc allocation holding va or, for
 * any other memory (kmem buffers a driver binds), to the end of va's page,
 * as a kernel's physically scattered pages would be.  po_dma_va(addr) is
 * addr.
 *
 * The functions a PCI backend has fail: -1 (or 0 functions, NULL); there
 * is no candidate to claim.  kmem's backing is the heap (no
 * po_kmem_alloc).
 */

#include <sys/types.h>
#include <sys/param.h>
#include <sys/cmn_err.h>
#include <fk_impl.h>
#include <platform/platform.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* One po_dma_alloc allocation; kept sorted by address. */
typedef struct fk_none_dma {
	uintptr_t	nd_va;
	size_t		nd_len;
	void		*nd_map;	/* mmap'd: the mapping; else NULL */
	size_t		nd_maplen;
} fk_none_dma_t;

static fk_lock_t fk_none_lock = FK_LOCK_INIT;
static fk_none_dma_t *fk_none_dmas;
static size_t fk_none_n;
static size_t fk_none_cap;

static int
fk_none_init(void)
{
	return (0);
}

static void
fk_none_fini(void)
{
}

static int
fk_none_pci_probe(int i, fk_pci_cand_t *pc)
{
	(void) i, (void) pc;
	return (-1);
}

static int
fk_none_pci_claim(int i)
{
	(void) i;
	return (-1);
}

static int
fk_none_pdev_count(void)
{
	return (0);
}

static fk_pdev_t *
fk_none_pdev_open(int i)
{
	(void) i;
	return (NULL);
}

static void
fk_none_pdev_close(fk_pdev_t *pd)
{
	(void) pd;
}

static const char *
fk_none_pdev_name(fk_pdev_t *pd)
{
	(void) pd;
	return ("none");
}

static int
fk_none_cfg_read(fk_pdev_t *pd, uint32_t off, void *buf, size_t len)
{
	(void) pd, (void) off, (void) buf, (void) len;
	return (-1);
}

static int
fk_none_cfg_write(fk_pdev_t *pd, uint32_t off, const void *buf, size_t len)
{
	(void) pd, (void) off, (void) buf, (void) len;
	return (-1);
}

static int
fk_none_bar(fk_pdev_t *pd, int n, void **va, uint64_t *size, uint64_t *addr,
    uint32_t *flags)
{
	(void) pd, (void) n, (void) va, (void) size, (void) addr, (void) flags;
	return (-1);
}

static int
fk_none_intr_types(fk_pdev_t *pd)
{
	(void) pd;
	return (0);
}

static int
fk_none_intr_count(fk_pdev_t *pd, int type)
{
	(void) pd, (void) type;
	return (0);
}

static int
fk_none_intr_enable(fk_pdev_t *pd, int type, int n)
{
	(void) pd, (void) type, (void) n;
	return (-1);
}

static int
fk_none_intr_disable(fk_pdev_t *pd, int type)
{
	(void) pd, (void) type;
	return (-1);
}

static int
fk_none_intr_wait(fk_pdev_t *pd, int vec)
{
	(void) pd, (void) vec;
	return (FK_PLAT_INTR_STOP);
}

static int
fk_none_intr_post(fk_pdev_t *pd, int vec, int what)
{
	(void) pd, (void) vec, (void) what;
	return (-1);
}

static int
fk_none_intx_unmask(fk_pdev_t *pd)
{
	(void) pd;
	return (-1);
}

/* Index of the first allocation whose start is above va (lock held). */
static size_t
fk_none_upper(uintptr_t va)
{
	size_t lo = 0, hi = fk_none_n, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (fk_none_dmas[mid].nd_va <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo);
}

static int
fk_none_track(uintptr_t va, size_t len, void *map, size_t maplen)
{
	fk_none_dma_t *nd;
	size_t i;

	fk_lock_enter(&fk_none_lock);
	if (fk_none_n == fk_none_cap) {
		size_t ncap = fk_none_cap == 0 ? 64 : fk_none_cap * 2;

		if ((nd = realloc(fk_none_dmas, ncap * sizeof (*nd))) ==
		    NULL) {
			fk_lock_exit(&fk_none_lock);
			return (-1);
		}
		fk_none_dmas = nd;
		fk_none_cap = ncap;
	}
	i = fk_none_upper(va);
	(void) memmove(&fk_none_dmas[i + 1], &fk_none_dmas[i],
	    (fk_none_n - i) * sizeof (*nd));
	fk_none_dmas[i].nd_va = va;
	fk_none_dmas[i].nd_len = len;
	fk_none_dmas[i].nd_map = map;
	fk_none_dmas[i].nd_maplen = maplen;
	fk_none_n++;
	fk_lock_exit(&fk_none_lock);
	return (0);
}

static int
fk_none_in_range(uintptr_t va, size_t len, uint64_t lo, uint64_t hi)
{
	return ((uint64_t)va >= lo && (uint64_t)va + len - 1 <= hi &&
	    (uint64_t)va + len - 1 >= (uint64_t)va);
}

/*
 * Map len bytes at an address below 2 GiB, aligned: map more, trim the
 * ends.  Returns the aligned address; *mapp and *maplenp the kept mapping.
 */
static void *
fk_none_map_low(size_t len, size_t align, void **mapp, size_t *maplenp)
{
#ifdef MAP_32BIT
	size_t pg = (size_t)PAGESIZE, maplen, head, tail;
	uintptr_t base, va;
	void *m;

	if (align < pg)
		align = pg;
	maplen = ((len + pg - 1) & ~(pg - 1)) + align;
	m = mmap(NULL, maplen, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (m == MAP_FAILED)
		return (NULL);
	base = (uintptr_t)m;
	va = (base + align - 1) & ~(uintptr_t)(align - 1);
	head = va - base;
	tail = maplen - head - ((len + pg - 1) & ~(pg - 1));
	if (head > 0)
		(void) munmap(m, head);
	if (tail > 0)
		(void) munmap((void *)(base + maplen - tail), tail);
	*mapp = (void *)va;
	*maplenp = maplen - head - tail;
	return ((void *)va);
#else
	(void) len, (void) align, (void) mapp, (void) maplenp;
	return (NULL);
#endif
}

static void *
fk_none_dma_alloc(size_t len, size_t align, uint64_t lo, uint64_t hi)
{
	void *va = NULL, *map = NULL;
	size_t maplen = 0;

	if (len == 0)
		return (NULL);
	if (align < 16)
		align = 16;
	if ((align & (align - 1)) != 0)
		return (NULL);
	if (posix_memalign(&va, align, len) != 0)
		va = NULL;
	if (va != NULL && !fk_none_in_range((uintptr_t)va, len, lo, hi)) {
		free(va);
		va = fk_none_map_low(len, align, &map, &maplen);
		if (va != NULL &&
		    !fk_none_in_range((uintptr_t)va, len, lo, hi)) {
			(void) munmap(map, maplen);
			va = NULL;
		}
	}
	if (va == NULL)
		return (NULL);
	if (fk_none_track((uintptr_t)va, len, map, maplen) != 0) {
		if (map != NULL)
			(void) munmap(map, maplen);
		else
			free(va);
		return (NULL);
	}
	return (va);
}

static void
fk_none_dma_free(void *va, size_t len)
{
	fk_none_dma_t nd;
	size_t i;

	if (va == NULL)
		return;
	fk_lock_enter(&fk_none_lock);
	i = fk_none_upper((uintptr_t)va);
	if (i == 0 || fk_none_dmas[i - 1].nd_va != (uintptr_t)va) {
		fk_lock_exit(&fk_none_lock);
		panic("none platform: po_dma_free(%p, %zu) of memory "
		    "po_dma_alloc did not return", va, len);
	}
	nd = fk_none_dmas[i - 1];
	(void) memmove(&fk_none_dmas[i - 1], &fk_none_dmas[i],
	    (fk_none_n - i) * sizeof (nd));
	fk_none_n--;
	fk_lock_exit(&fk_none_lock);
	if (nd.nd_len != len) {
		panic("none platform: po_dma_free(%p, %zu) of an allocation "
		    "of %zu bytes", va, len, nd.nd_len);
	}
	if (nd.nd_map != NULL)
		(void) munmap(nd.nd_map, nd.nd_maplen);
	else
		free(va);
}

static int
fk_none_dma_addr(const void *va, uint64_t *addrp, size_t *contigp)
{
	uintptr_t v = (uintptr_t)va;
	const fk_none_dma_t *nd;
	size_t i, contig;

	if (va == NULL)
		return (-1);
	fk_lock_enter(&fk_none_lock);
	i = fk_none_upper(v);
	nd = i > 0 ? &fk_none_dmas[i - 1] : NULL;
	if (nd != NULL && v < nd->nd_va + nd->nd_len)
		contig = nd->nd_va + nd->nd_len - v;
	else
		contig = (size_t)PAGESIZE - (v & (PAGESIZE - 1));
	fk_lock_exit(&fk_none_lock);
	*addrp = (uint64_t)v;
	if (contigp != NULL)
		*contigp = contig;
	return (0);
}

static void *
fk_none_dma_va(uint64_t addr, size_t len)
{
	(void) len;
	return (addr == 0 ? NULL : (void *)(uintptr_t)addr);
}

const fk_plat_ops_t fk_plat_none = {
	.po_version = FK_PLAT_VERSION,
	.po_name = "none",
	.po_init = fk_none_init,
	.po_fini = fk_none_fini,
	.po_pci_probe = fk_none_pci_probe,
	.po_pci_claim = fk_none_pci_claim,
	.po_pdev_count = fk_none_pdev_count,
	.po_pdev_open = fk_none_pdev_open,
	.po_pdev_close = fk_none_pdev_close,
	.po_pdev_name = fk_none_pdev_name,
	.po_cfg_read = fk_none_cfg_read,
	.po_cfg_write = fk_none_cfg_write,
	.po_bar = fk_none_bar,
	.po_intr_types = fk_none_intr_types,
	.po_intr_count = fk_none_intr_count,
	.po_intr_enable = fk_none_intr_enable,
	.po_intr_disable = fk_none_intr_disable,
	.po_intr_wait = fk_none_intr_wait,
	.po_intr_post = fk_none_intr_post,
	.po_intx_unmask = fk_none_intx_unmask,
	.po_dma_alloc = fk_none_dma_alloc,
	.po_dma_free = fk_none_dma_free,
	.po_dma_addr = fk_none_dma_addr,
	.po_dma_va = fk_none_dma_va,
};

/*
 * The DMA arena (see arena.h).
 *
 * Chunks
 * ------
 * A backend hands in chunks: a virtually contiguous, 4 KiB aligned range
 * and the device address of each of its pages.  Per page the arena keeps
 * whether it is in use and where its device-contiguous run ends, so a
 * search can skip whole runs.  A sorted table of device-contiguous runs
 * translates device addresses back to virtual ones.
 *
 * Pages
 * -----
 * fk_arena_alloc() looks for npages consecutive free pages of one chunk
 * whose device addresses all lie in [lo, hi], the first aligned as asked,
 * and (FK_ARENA_CONTIG) all in one device-contiguous run.  Chunks entirely
 * above 4 GiB are searched first when the caller can reach them, so that
 * 64-bit capable DMA gets memory above 4 GiB where there is some: that is
 * what proves a driver's 64-bit addressing.  Each chunk is searched
 * next-fit from where the previous allocation ended.  When nothing fits,
 * the backend's grow function may add memory.
 *
 * Lookups
 * -------
 * Translations (fk_arena_addr, fk_arena_va, fk_arena_contains) run on
 * every DMA bind and take no lock: chunks and runs change only when the
 * arena grows or is destroyed, under arena_lock and inside a sequence
 * count (arena_seq, odd while they change); a lookup reads the tables and
 * tries again if the count moved meanwhile.  Tables replaced by a bigger
 * copy are kept (arena_old) until fk_arena_destroy(), so that a lookup
 * never reads freed memory.
 *
 * Objects
 * -------
 * kmem requests of up to 4 KiB come from size classes carved from 16 KiB
 * slabs; bigger ones are page runs, device-contiguous when possible.
 * Objects go back to their class's free list, never to the pages.  When
 * the arena cannot grow any more, kmem falls back to the heap (with one
 * warning): such buffers are not DMA-able and ddi/dma.c bounces them.
 */

#include <sys/types.h>
#include <sys/cmn_err.h>
#include <stdlib.h>
#include <string.h>
#include <fk_impl.h>
#include "arena.h"

#define	PAGE		FK_ARENA_PAGE
#define	SLAB_SIZE	(16 * 1024)
#define	OBJ_MAX		4096

typedef struct arena_chunk {
	char			*ac_va;
	size_t			ac_npages;
	uint64_t		*ac_pa;		/* device address per page */
	uint32_t		*ac_runend;	/* end of page i's run */
	uint8_t			*ac_used;	/* page in use */
	size_t			ac_nfree;
	size_t			ac_hint;	/* next-fit start */
	uint64_t		ac_pamin;	/* lowest device address */
	uint64_t		ac_pamax;	/* highest (last byte) */
	fk_arena_release_t	ac_release;
	void			*ac_arg;
} arena_chunk_t;

typedef struct arena_run {
	uint64_t	ar_pa;
	size_t		ar_len;
	char		*ar_va;
} arena_run_t;

static fk_lock_t arena_lock = FK_LOCK_INIT;
static fk_lock_t arena_grow_lock = FK_LOCK_INIT;
static arena_chunk_t **arena_chunks;	/* sorted by virtual address */
static size_t arena_nchunks;
static arena_run_t *arena_runs;		/* sorted by device address */
static size_t arena_nruns;
static volatile uint32_t arena_seq;	/* odd while the tables change */
static void **arena_old;		/* replaced tables */
static size_t arena_nold;
static fk_arena_grow_t arena_grow;

static const uint32_t arena_class_size[] = {
	16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048,
	3072, 4096
};
#define	NCLASSES	(sizeof (arena_class_size) / sizeof (uint32_t))
static void *arena_class_free[NCLASSES];
static int arena_heap_warned;

/*
 * Chunks given back by fk_arena_destroy(): kmem may still free buffers
 * from them afterwards (its quarantine drains late); those frees are
 * ignored, so backends keep released chunks mapped.
 */
typedef struct arena_retired {
	char	*rt_va;
	size_t	rt_len;
} arena_retired_t;
static arena_retired_t *arena_retired;
static size_t arena_nretired;

/*
 * Chunk registration.
 */
static int
arena_chunk_cmp(const void *a, const void *b)
{
	const arena_chunk_t *ca = *(arena_chunk_t *const *)a;
	const arena_chunk_t *cb = *(arena_chunk_t *const *)b;

	return (ca->ac_va < cb->ac_va ? -1 : ca->ac_va > cb->ac_va);
}

static int
arena_run_cmp(const void *a, const void *b)
{
	const arena_run_t *ra = a, *rb = b;

	return (ra->ar_pa < rb->ar_pa ? -1 : ra->ar_pa > rb->ar_pa);
}

/*
 * The tables' sequence count (see Lookups).  Writers hold arena_lock.
 */
static void
arena_write_begin(void)
{
	__atomic_store_n(&arena_seq, arena_seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void
arena_write_end(void)
{
	__atomic_store_n(&arena_seq, arena_seq + 1, __ATOMIC_RELEASE);
}

static inline uint32_t
arena_read_begin(void)
{
	uint32_t s;

	while (((s = __atomic_load_n(&arena_seq, __ATOMIC_ACQUIRE)) & 1) != 0)
		;
	return (s);
}

static inline int
arena_read_again(uint32_t s)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return (__atomic_load_n(&arena_seq, __ATOMIC_RELAXED) != s);
}

/* A copy of table old (n elements of size) with room for more. */
static void *
arena_grow_table(void *old, size_t n, size_t more, size_t size)
{
	void *nt, **no;

	if ((nt = malloc((n + more) * size)) == NULL)
		return (NULL);
	if (old != NULL) {
		if ((no = realloc(arena_old, (arena_nold + 1) *
		    sizeof (void *))) == NULL) {
			free(nt);
			return (NULL);
		}
		arena_old = no;
		arena_old[arena_nold++] = old;
		(void) memcpy(nt, old, n * size);
	}
	return (nt);
}

/* Adds a chunk's device-contiguous runs to the reverse table. */
static int
arena_add_runs(arena_chunk_t *c)
{
	size_t i, n = 0;
	arena_run_t *nr;

	for (i = 0; i < c->ac_npages; i = c->ac_runend[i])
		n++;
	nr = arena_grow_table(arena_runs, arena_nruns, n,
	    sizeof (arena_run_t));
	if (nr == NULL)
		return (-1);
	n = arena_nruns;
	for (i = 0; i < c->ac_npages; i = c->ac_runend[i]) {
		nr[n].ar_pa = c->ac_pa[i];
		nr[n].ar_len = (c->ac_runend[i] - i) * PAGE;
		nr[n].ar_va = c->ac_va + i * PAGE;
		n++;
	}
	qsort(nr, n, sizeof (arena_run_t), arena_run_cmp);
	arena_runs = nr;
	arena_nruns = n;
	return (0);
}

int
fk_arena_add(void *va, size_t len, const uint64_t *pa,
    fk_arena_release_t release, void *arg)
{
	arena_chunk_t *c, **nc;
	size_t i, n = len / PAGE;

	if (n == 0 || ((uintptr_t)va & (PAGE - 1)) != 0 ||
	    (len & (PAGE - 1)) != 0 || n > UINT32_MAX)
		return (-1);
	if ((c = calloc(1, sizeof (*c))) == NULL)
		return (-1);
	c->ac_va = va;
	c->ac_npages = n;
	c->ac_pa = malloc(n * sizeof (uint64_t));
	c->ac_runend = malloc(n * sizeof (uint32_t));
	c->ac_used = calloc(n, 1);
	if (c->ac_pa == NULL || c->ac_runend == NULL || c->ac_used == NULL)
		goto fail;
	(void) memcpy(c->ac_pa, pa, n * sizeof (uint64_t));
	c->ac_pamin = UINT64_MAX;
	for (i = n; i-- > 0; ) {
		if (i + 1 < n && pa[i + 1] == pa[i] + PAGE)
			c->ac_runend[i] = c->ac_runend[i + 1];
		else
			c->ac_runend[i] = (uint32_t)(i + 1);
		if (pa[i] < c->ac_pamin)
			c->ac_pamin = pa[i];
		if (pa[i] + PAGE - 1 > c->ac_pamax)
			c->ac_pamax = pa[i] + PAGE - 1;
	}
	c->ac_nfree = n;
	c->ac_release = release;
	c->ac_arg = arg;

	fk_lock_enter(&arena_lock);
	arena_write_begin();
	nc = arena_grow_table(arena_chunks, arena_nchunks, 1, sizeof (*nc));
	if (nc == NULL || arena_add_runs(c) != 0) {
		free(nc);
		arena_write_end();
		fk_lock_exit(&arena_lock);
		goto fail;
	}
	nc[arena_nchunks] = c;
	qsort(nc, arena_nchunks + 1, sizeof (*nc), arena_chunk_cmp);
	arena_chunks = nc;
	arena_nchunks++;
	arena_write_end();
	fk_lock_exit(&arena_lock);
	return (0);

fail:
	free(c->ac_pa);
	free(c->ac_runend);
	free(c->ac_used);
	free(c);
	return (-1);
}

void
fk_arena_set_grow(fk_arena_grow_t fn)
{
	arena_grow = fn;
}

/*
 * Gives every chunk back to its backend and forgets everything.  DMA
 * memory handed out before must not be used by a device any more; kmem
 * buffers from it may still be freed (the frees are ignored).
 */
void
fk_arena_destroy(void)
{
	arena_retired_t *nr;
	size_t i;

	fk_lock_enter(&arena_lock);
	arena_write_begin();
	nr = realloc(arena_retired,
	    (arena_nretired + arena_nchunks) * sizeof (*nr));
	if (nr != NULL)
		arena_retired = nr;
	for (i = 0; i < arena_nchunks; i++) {
		arena_chunk_t *c = arena_chunks[i];

		if (nr != NULL) {
			nr[arena_nretired].rt_va = c->ac_va;
			nr[arena_nretired].rt_len = c->ac_npages * PAGE;
			arena_nretired++;
		}

		if (c->ac_release != NULL)
			c->ac_release(c->ac_va, c->ac_npages * PAGE, c->ac_arg);
		free(c->ac_pa);
		free(c->ac_runend);
		free(c->ac_used);
		free(c);
	}
	free(arena_chunks);
	free(arena_runs);
	for (i = 0; i < arena_nold; i++)
		free(arena_old[i]);
	free(arena_old);
	arena_old = NULL;
	arena_nold = 0;
	arena_chunks = NULL;
	arena_runs = NULL;
	arena_nchunks = arena_nruns = 0;
	arena_write_end();
	(void) memset(arena_class_free, 0, sizeof (arena_class_free));
	arena_grow = NULL;
	fk_lock_exit(&arena_lock);
}

/*
 * Lookups: under arena_lock, or inside a read of the sequence count.
 */
static arena_chunk_t *
arena_chunk_of(const void *va)
{
	size_t lo = 0, hi = arena_nchunks;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		arena_chunk_t *c = arena_chunks[mid];

		if ((const char *)va < c->ac_va)
			hi = mid;
		else if ((const char *)va >= c->ac_va + c->ac_npages * PAGE)
			lo = mid + 1;
		else
			return (c);
	}
	return (NULL);
}

static const arena_run_t *
arena_run_of(uint64_t pa)
{
	size_t lo = 0, hi = arena_nruns;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const arena_run_t *r = &arena_runs[mid];

		if (pa < r->ar_pa)
			hi = mid;
		else if (pa - r->ar_pa >= r->ar_len)
			lo = mid + 1;
		else
			return (r);
	}
	return (NULL);
}

/*
 * Page search (arena_lock held).
 */
static inline int
arena_page_ok(const arena_chunk_t *c, size_t i, uint64_t lo, uint64_t hi)
{
	return (!c->ac_used[i] && c->ac_pa[i] >= lo &&
	    c->ac_pa[i] + PAGE - 1 <= hi);
}

/* First fitting start position in [from, to), or -1. */
static ssize_t
arena_chunk_scan(const arena_chunk_t *c, size_t from, size_t to, size_t n,
    size_t align, uint64_t lo, uint64_t hi, int contig)
{
	size_t i = from, j;

	while (i < to && i + n <= c->ac_npages) {
		if (!arena_page_ok(c, i, lo, hi) ||
		    (align > PAGE && (c->ac_pa[i] & (align - 1)) != 0)) {
			i++;
			continue;
		}
		if (contig && c->ac_runend[i] < i + n) {
			i = c->ac_runend[i];
			continue;
		}
		for (j = i + 1; j < i + n; j++) {
			if (!arena_page_ok(c, j, lo, hi))
				break;
		}
		if (j == i + n)
			return ((ssize_t)i);
		i = j + 1;
	}
	return (-1);
}

static void *
arena_chunk_take(arena_chunk_t *c, size_t n, size_t align, uint64_t lo,
    uint64_t hi, int contig)
{
	ssize_t i;
	size_t k;

	if (c->ac_nfree < n || c->ac_pamin > hi || c->ac_pamax < lo)
		return (NULL);
	i = arena_chunk_scan(c, c->ac_hint, c->ac_npages, n, align, lo, hi,
	    contig);
	if (i < 0) {
		i = arena_chunk_scan(c, 0, c->ac_hint, n, align, lo, hi,
		    contig);
	}
	if (i < 0)
		return (NULL);
	for (k = 0; k < n; k++)
		c->ac_used[i + k] = 1;
	c->ac_nfree -= n;
	c->ac_hint = (size_t)i + n < c->ac_npages ? (size_t)i + n : 0;
	return (c->ac_va + (size_t)i * PAGE);
}

/* Chunks above 4 GiB first when the caller reaches them. */
static void *
arena_pages_locked(size_t n, size_t align, uint64_t lo, uint64_t hi,
    int contig)
{
	int pass;
	size_t i;
	void *va;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < arena_nchunks; i++) {
			arena_chunk_t *c = arena_chunks[i];
			int high = c->ac_pamin >= FK_ARENA_4G &&
			    hi >= FK_ARENA_4G;

			if (high != (pass == 0))
				continue;
			va = arena_chunk_take(c, n, align, lo, hi, contig);
			if (va != NULL)
				return (va);
		}
	}
	return (NULL);
}

static void *
arena_pages_try(size_t n, size_t align, uint64_t lo, uint64_t hi, int flags)
{
	void *va;

	fk_lock_enter(&arena_lock);
	va = arena_pages_locked(n, align, lo, hi,
	    (flags & (FK_ARENA_CONTIG | FK_ARENA_TRYCONTIG)) != 0);
	if (va == NULL && (flags & FK_ARENA_CONTIG) == 0)
		va = arena_pages_locked(n, align, lo, hi, 0);
	fk_lock_exit(&arena_lock);
	return (va);
}

void *
fk_arena_alloc(size_t len, size_t align, uint64_t lo, uint64_t hi, int flags)
{
	size_t n = (len + PAGE - 1) / PAGE;
	void *va;

	if (n == 0 || (align & (align - 1)) != 0 || lo > hi)
		return (NULL);
	if ((va = arena_pages_try(n, align, lo, hi, flags)) != NULL)
		return (va);
	if (arena_grow == NULL)
		return (NULL);
	/* One grower at a time; someone else may have grown meanwhile. */
	fk_lock_enter(&arena_grow_lock);
	va = arena_pages_try(n, align, lo, hi, flags);
	if (va == NULL && arena_grow(n * PAGE + (align > PAGE ? align : 0),
	    lo, hi) == 0)
		va = arena_pages_try(n, align, lo, hi, flags);
	fk_lock_exit(&arena_grow_lock);
	return (va);
}

void
fk_arena_free(void *va, size_t len)
{
	size_t n = (len + PAGE - 1) / PAGE, i, k;
	arena_chunk_t *c;

	if (va == NULL)
		return;
	fk_lock_enter(&arena_lock);
	c = arena_chunk_of(va);
	if (c == NULL || ((uintptr_t)va & (PAGE - 1)) != 0)
		panic("fk_arena_free(%p, %zu): not an arena page run", va, len);
	i = (size_t)((char *)va - c->ac_va) / PAGE;
	if (i + n > c->ac_npages)
		panic("fk_arena_free(%p, %zu): past the chunk's end", va, len);
	for (k = 0; k < n; k++) {
		if (!c->ac_used[i + k]) {
			panic("fk_arena_free(%p, %zu): page %zu is free "
			    "already", va, len, k);
		}
		c->ac_used[i + k] = 0;
	}
	c->ac_nfree += n;
	fk_lock_exit(&arena_lock);
}

/*
 * Translation.
 */
int
fk_arena_addr(const void *va, uint64_t *addrp, size_t *contigp)
{
	arena_chunk_t *c;
	uint64_t addr;
	size_t i, off, contig;
	uint32_t s;

	do {
		s = arena_read_begin();
		if ((c = arena_chunk_of(va)) != NULL) {
			off = (size_t)((const char *)va - c->ac_va);
			i = off / PAGE;
			addr = c->ac_pa[i] + (off & (PAGE - 1));
			contig = (size_t)c->ac_runend[i] * PAGE - off;
		}
	} while (arena_read_again(s));
	if (c == NULL)
		return (-1);
	if (addrp != NULL)
		*addrp = addr;
	if (contigp != NULL)
		*contigp = contig;
	return (0);
}

void *
fk_arena_va(uint64_t pa, size_t len)
{
	const arena_run_t *r;
	void *va;
	uint32_t s;

	do {
		s = arena_read_begin();
		va = NULL;
		if ((r = arena_run_of(pa)) != NULL &&
		    (len == 0 || len <= r->ar_len - (pa - r->ar_pa)))
			va = r->ar_va + (pa - r->ar_pa);
	} while (arena_read_again(s));
	return (va);
}

int
fk_arena_contains(const void *va, size_t len)
{
	arena_chunk_t *c;
	uint32_t s;
	int in;

	do {
		s = arena_read_begin();
		c = arena_chunk_of(va);
		in = c != NULL && (len == 0 || len <= (size_t)(c->ac_va +
		    c->ac_npages * PAGE - (const char *)va));
	} while (arena_read_again(s));
	return (in);
}

void
fk_arena_stats(uint64_t lo, uint64_t hi, size_t *totalp, size_t *freep)
{
	size_t i, k, total = 0, nfree = 0;

	fk_lock_enter(&arena_lock);
	for (i = 0; i < arena_nchunks; i++) {
		arena_chunk_t *c = arena_chunks[i];

		for (k = 0; k < c->ac_npages; k++) {
			if (c->ac_pa[k] < lo || c->ac_pa[k] + PAGE - 1 > hi)
				continue;
			total += PAGE;
			if (!c->ac_used[k])
				nfree += PAGE;
		}
	}
	fk_lock_exit(&arena_lock);
	if (totalp != NULL)
		*totalp = total;
	if (freep != NULL)
		*freep = nfree;
}

/*
 * kmem backend.
 */
static int
arena_class_of(size_t size)
{
	int k;

	for (k = 0; k < (int)NCLASSES; k++) {
		if (size <= arena_class_size[k])
			return (k);
	}
	return (-1);
}

/* Carves a slab into objects of class k (arena_lock held). */
static int
arena_class_refill(int k)
{
	size_t sz = arena_class_size[k], off;
	char *slab;

	slab = arena_pages_locked(SLAB_SIZE / PAGE, PAGE, 0, UINT64_MAX, 1);
	if (slab == NULL)
		slab = arena_pages_locked(SLAB_SIZE / PAGE, PAGE, 0,
		    UINT64_MAX, 0);
	if (slab == NULL)
		return (-1);
	for (off = 0; off + sz <= SLAB_SIZE; off += sz) {
		*(void **)(slab + off) = arena_class_free[k];
		arena_class_free[k] = slab + off;
	}
	return (0);
}

static void *
arena_obj_try(int k)
{
	void *obj = NULL;

	fk_lock_enter(&arena_lock);
	if (arena_class_free[k] != NULL || arena_class_refill(k) == 0) {
		obj = arena_class_free[k];
		arena_class_free[k] = *(void **)obj;
	}
	fk_lock_exit(&arena_lock);
	return (obj);
}

static void *
arena_heap_fallback(size_t size)
{
	if (!__atomic_exchange_n(&arena_heap_warned, 1, __ATOMIC_RELAXED)) {
		cmn_err(CE_WARN, "!arena: DMA arena exhausted; kmem memory now "
		    "comes from the heap (bound buffers are bounced)");
	}
	return (malloc(size));
}

void *
fk_arena_kmem_alloc(size_t size)
{
	int k = arena_class_of(size);
	void *p;

	if (size == 0)
		return (NULL);
	if (k < 0) {
		p = fk_arena_alloc(size, PAGE, 0, UINT64_MAX,
		    FK_ARENA_TRYCONTIG);
		return (p != NULL ? p : arena_heap_fallback(size));
	}
	if ((p = arena_obj_try(k)) != NULL)
		return (p);
	if (arena_grow != NULL) {
		fk_lock_enter(&arena_grow_lock);
		if ((p = arena_obj_try(k)) == NULL &&
		    arena_grow(SLAB_SIZE, 0, UINT64_MAX) == 0)
			p = arena_obj_try(k);
		fk_lock_exit(&arena_grow_lock);
	}
	return (p != NULL ? p : arena_heap_fallback(size));
}

static int
arena_is_retired(const void *p)
{
	size_t i;
	int r = 0;

	fk_lock_enter(&arena_lock);
	for (i = 0; i < arena_nretired && !r; i++) {
		r = (const char *)p >= arena_retired[i].rt_va &&
		    (const char *)p < arena_retired[i].rt_va +
		    arena_retired[i].rt_len;
	}
	fk_lock_exit(&arena_lock);
	return (r);
}

void
fk_arena_kmem_free(void *p, size_t size)
{
	int k = arena_class_of(size);

	if (p == NULL)
		return;
	if (!fk_arena_contains(p, 0)) {
		if (!arena_is_retired(p))
			free(p);
		return;
	}
	if (k < 0) {
		fk_arena_free(p, size);
		return;
	}
	fk_lock_enter(&arena_lock);
	*(void **)p = arena_class_free[k];
	arena_class_free[k] = p;
	fk_lock_exit(&arena_lock);
}

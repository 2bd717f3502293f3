/*
 * kmem_alloc(9F) and kmem_cache_create(9F).
 *
 * Buffers
 * -------
 * Every buffer has a hidden 64-byte header in front of it and an 8-byte
 * redzone behind it:
 *
 *	raw -> [ header: size, cache, magic, caller ... ][ buffer ][ redzone ]
 *
 * The magic says what the buffer is (kmem_alloc buffer, freed buffer,
 * cache object in use, cache object free), so that these panic with a
 * report naming the buffer, the sizes and the code involved:
 *	- kmem_free with a size other than the allocation's;
 *	- kmem_free of a freed buffer (double free), of a cache object, of
 *	  memory kmem did not allocate;
 *	- a write past the end of a buffer (redzone), found at free;
 *	- a write to a freed buffer: freed buffers are filled with
 *	  0xdeadbeef and kept in a quarantine (FK_KMEM_QUARANTINE bytes,
 *	  default 8 MiB, 0 for none) before they go back to the backend; a
 *	  changed byte is found when they leave it;
 *	- KM_SLEEP in interrupt context (fk_assert_may_block).
 * New kmem_alloc buffers are filled with 0xbaddcafe, as illumos's
 * kmem_flags debugging does, so code that reads memory it never wrote
 * sees a recognisable pattern rather than lucky zeros.
 *
 * Production configuration: FK_DEBUG=0 in the environment (fk_debug,
 * read once) is what an illumos non-DEBUG kernel with kmem_flags 0 does:
 * no 0xbaddcafe or 0xdeadbeef fills, no redzones (neither written nor
 * checked), no quarantine whatever FK_KMEM_QUARANTINE says.  kmem_alloc
 * takes buffers of up to 4 KiB from caches of its own, kmem_alloc_64 to
 * kmem_alloc_4096, as illumos's kmem_alloc does (and so through their
 * magazines, below); a freed one goes back to its cache, unverified, and
 * bigger ones straight back to the backend.  What stays costs a header
 * store or compare: the header and its magic, so a kmem_free with the
 * wrong size, of a cache object or of memory kmem did not allocate still
 * panics, and so do the cache checks (double kmem_cache_free, another
 * cache's object, leaks at kmem_cache_destroy) and KM_SLEEP in interrupt
 * context.  A double kmem_free is found while the buffer is still free in
 * its cache (or, above 4 KiB, the backend has not handed the memory out
 * again), no longer reliably.  Unset, or any other value, keeps the
 * debugging.
 *
 * Memory comes from the platform's po_kmem_alloc (its DMA-able arena,
 * platform/platform.h), or from the heap when there is no platform or it
 * has no po_kmem_alloc; each header remembers the free function of its
 * backend, so a buffer goes back where it came from, whatever platform
 * is in use when it is freed.  KM_SLEEP waits
 * for memory (and panics after 10 seconds without any); KM_NOSLEEP
 * returns NULL when there is none, and fails on purpose every Nth time
 * with FK_KMEM_FAIL_NOSLEEP=N.
 *
 * Caches
 * ------
 * An object is constructed when the cache creates it, not on every
 * kmem_cache_alloc; kmem_cache_free keeps it, constructed, for the next
 * kmem_cache_alloc.  In front of a cache's free objects (the depot) sits
 * a per-CPU layer, illumos's magazines: each CPU keeps up to two
 * magazines of KMEM_MAG_ROUNDS objects under a lock of its own, so that
 * an allocation or a free takes an uncontended lock and no atomic
 * operation; the layer trades a whole magazine with the depot when it
 * runs empty or full, and gives everything back before objects are
 * destructed.  Objects out are counted per CPU and summed when the cache
 * is destroyed.  Destructors run when the cache gives objects up:
 * fk_kmem_reap() (memory pressure) or kmem_cache_destroy().  A
 * constructor that fails makes kmem_cache_alloc(KM_NOSLEEP) return NULL;
 * under KM_SLEEP the allocation retries (as illumos does for a transient
 * failure), and panics if the constructor fails 1000 times in a row.
 * Objects are aligned as asked (default 8).  kmem_cache_destroy with
 * objects still allocated panics (a leak); so do kmem_cache_free of an
 * object of another cache and double frees.
 *
 * fk_counters: fc_kmem_allocs and fc_kmem_frees count kmem_alloc and
 * kmem_cache_alloc calls that succeeded and their frees; fc_kmem_bytes is
 * the bytes allocated and not yet freed (cache objects count while a
 * client has them).  fc_kmem_alloc_calls counts the kmem_alloc and
 * kmem_zalloc calls alone, and fc_kmem_constructs the objects caches
 * constructed: a path that takes only constructed objects from caches
 * (a hot path) leaves both unchanged.
 */

#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/cmn_err.h>
#include <sys/debug.h>
#include <sys/param.h>
#include <sys/sysmacros.h>
#include <sys/cpuvar.h>
#include <fk_impl.h>
#include <fk.h>
#include <platform/platform.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define	KMEM_HDR_SIZE		64
#define	KMEM_REDZONE		8
#define	KMEM_ALIGN		8

#define	KMEM_MAGIC_ALLOC	0x6b6d656d616c6c6full	/* kmem_alloc */
#define	KMEM_MAGIC_FREE		0x6b6d656d66726565ull	/* freed */
#define	KMEM_MAGIC_CNEW		0x6b6d636e65770000ull	/* constructing */
#define	KMEM_MAGIC_CALLOC	0x6b6d63616c6c6f63ull	/* cache, in use */
#define	KMEM_MAGIC_CFREE	0x6b6d636672656500ull	/* cache, free */

#define	KMEM_UNINIT_PATTERN	0xbaddcafeu
#define	KMEM_FREE_PATTERN	0xdeadbeefu
#define	KMEM_REDZONE_PATTERN	0xfeedfacefeedfaceull

#define	KMEM_QUARANTINE_SLOTS	4096
#define	KMEM_QUARANTINE_DEFAULT	(8UL << 20)
#define	KMEM_QUARANTINE_CHECK	(64UL << 10)	/* bytes verified */
#define	KMEM_SLEEP_TRIES	10000		/* 1 ms apart */
#define	KMEM_CTOR_TRIES		1000

#define	KMEM_CACHE_MAGIC	0x6b6d656d63616368ull
#define	KMEM_CACHE_DEAD		0x646561646361636eull

/*
 * The header.  The allocator's own bookkeeping may overwrite the first
 * 32 bytes of a buffer it takes back, so what a later double free must
 * still read (size, caller, magic) sits in the second half.
 */
typedef struct kmem_hdr {
	void		*kh_raw;		/* what the backend returned */
	size_t		kh_rawsize;
	struct kmem_cache *kh_cache;		/* owning cache or NULL */
	uint64_t	kh_unused;
	void		(*kh_free)(void *, size_t);	/* backend's free */
	size_t		kh_size;		/* the caller's size */
	void		*kh_caller;		/* last alloc or free */
	uint64_t	kh_magic;
} kmem_hdr_t;

CTASSERT(sizeof (kmem_hdr_t) == KMEM_HDR_SIZE);

/*
 * The per-CPU layer of a cache: up to two magazines' worth of free,
 * constructed objects, and the objects this CPU handed out minus those it
 * took back (summed over the CPUs: the objects clients hold).
 */
#define	KMEM_MAG_ROUNDS		16
#define	KMEM_MAXCPU		64

typedef struct kmem_cpu_cache {
	fk_lock_t	cpc_lock;
	int		cpc_nobjs;
	int64_t		cpc_out;
	void		*cpc_objs[2 * KMEM_MAG_ROUNDS];
} __attribute__((aligned(64))) kmem_cpu_cache_t;

struct kmem_cache {
	uint64_t	cc_magic;
	char		cc_name[32];
	size_t		cc_bufsize;
	size_t		cc_align;
	int		(*cc_ctor)(void *, void *, int);
	void		(*cc_dtor)(void *, void *);
	void		(*cc_reclaim)(void *);
	void		*cc_private;
	int		cc_cflags;
	int		cc_class;		/* one of kmem_alloc's */
	fk_lock_t	cc_lock;		/* the depot */
	void		**cc_free;		/* constructed, free */
	size_t		cc_nfree;
	size_t		cc_freecap;
	kmem_cpu_cache_t *cc_cpu;		/* the per-CPU layer */
	int		cc_ncpu;
	struct kmem_cache *cc_next;
};

static void
kmem_heap_free(void *p, size_t size)
{
	(void) size;
	free(p);
}

static fk_once_t kmem_once = FK_ONCE_INIT;
static uint_t kmem_fail_every;
static uint64_t kmem_nosleep_count;
static size_t kmem_quarantine_limit;
static int kmem_debug = 1;		/* FK_DEBUG: fills, redzones, quarantine */

static fk_lock_t kmem_quarantine_lock = FK_LOCK_INIT;
static kmem_hdr_t *kmem_quarantine[KMEM_QUARANTINE_SLOTS];
static size_t kmem_quarantine_head;	/* oldest */
static size_t kmem_quarantine_count;
static size_t kmem_quarantine_bytes;

static fk_lock_t kmem_caches_lock = FK_LOCK_INIT;
static struct kmem_cache *kmem_caches;

/*
 * The production configuration's kmem_alloc caches, by size (the biggest
 * first that fits), as illumos's kmem_alloc_<size> caches.
 */
static const size_t kmem_class_size[] = {
	64, 128, 256, 512, 1024, 2048, 4096
};
#define	KMEM_NCLASS	(sizeof (kmem_class_size) / sizeof (size_t))
static struct kmem_cache *kmem_class[KMEM_NCLASS];

static struct kmem_cache *kmc_create(const char *, size_t, size_t,
    int (*)(void *, void *, int), void (*)(void *, void *),
    void (*)(void *), void *, int);
static void *kmc_get(struct kmem_cache *, int, const char *);
static void kmc_put(struct kmem_cache *, void *);
static int kmem_ncpu(void);

static void
kmem_classes_create(void)
{
	char name[32];
	size_t k;

	for (k = 0; k < KMEM_NCLASS; k++) {
		(void) snprintf(name, sizeof (name), "kmem_alloc_%zu",
		    kmem_class_size[k]);
		kmem_class[k] = kmc_create(name, kmem_class_size[k], 16, NULL,
		    NULL, NULL, NULL, 0);
		kmem_class[k]->cc_class = 1;
	}
}

/* The kmem_alloc cache for size (production only), or NULL. */
static inline struct kmem_cache *
kmem_class_of(size_t size)
{
	size_t k;

	if (kmem_debug)
		return (NULL);
	for (k = 0; k < KMEM_NCLASS; k++) {
		if (size <= kmem_class_size[k])
			return (kmem_class[k]);
	}
	return (NULL);
}

static void
kmem_config(void)
{
	const char *s;

	if ((s = getenv("FK_KMEM_FAIL_NOSLEEP")) != NULL)
		kmem_fail_every = (uint_t)strtoul(s, NULL, 0);
	kmem_quarantine_limit = KMEM_QUARANTINE_DEFAULT;
	if ((s = getenv("FK_KMEM_QUARANTINE")) != NULL)
		kmem_quarantine_limit = (size_t)strtoull(s, NULL, 0);
	if (!FK_DEBUG_ON()) {
		kmem_debug = 0;
		kmem_quarantine_limit = 0;
		kmem_classes_create();
	}
}

static inline void
kmem_init(void)
{
	fk_once(&kmem_once, kmem_config);
}

/*
 * Failure injection for KM_NOSLEEP.  KM_PANIC callers asked for a panic
 * on failure, so they are spared.
 */
int
fk_kmem_nosleep_fail(int kmflag)
{
	uint_t every;

	if ((kmflag & KM_NOSLEEP) == 0 || (kmflag & KM_PANIC) != 0)
		return (0);
	kmem_init();
	every = __atomic_load_n(&kmem_fail_every, __ATOMIC_RELAXED);
	if (every == 0)
		return (0);
	return (__atomic_add_fetch(&kmem_nosleep_count, 1,
	    __ATOMIC_RELAXED) % every == 0);
}

void
fk_kmem_set_fail_nosleep(uint_t every)
{
	kmem_init();
	__atomic_store_n(&kmem_nosleep_count, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&kmem_fail_every, every, __ATOMIC_RELAXED);
}

/*
 * Patterns.
 */
static void
pattern_fill(void *buf, size_t len, uint32_t pat)
{
	uint8_t *p = buf;
	size_t i;

	for (i = 0; i + 4 <= len; i += 4)
		(void) memcpy(p + i, &pat, 4);
	for (; i < len; i++)
		p[i] = (uint8_t)(pat >> (8 * (i & 3)));
}

/* Offset of the first byte that is not the pattern, or -1. */
static ssize_t
pattern_check(const void *buf, size_t len, uint32_t pat)
{
	const uint8_t *p = buf;
	size_t i;
	uint32_t w;

	for (i = 0; i + 4 <= len; i += 4) {
		(void) memcpy(&w, p + i, 4);
		if (w != pat)
			break;
	}
	for (; i < len; i++) {
		if (p[i] != (uint8_t)(pat >> (8 * (i & 3))))
			return ((ssize_t)i);
	}
	return (-1);
}

/*
 * A word read from a structure that holds one of the fill patterns says
 * where the structure's memory came from.
 */
const char *
fk_kmem_pattern_hint(uint64_t v)
{
	if ((uint32_t)v == KMEM_UNINIT_PATTERN)
		return (" (0xbaddcafe: kmem_alloc memory never initialised)");
	if ((uint32_t)v == KMEM_FREE_PATTERN)
		return (" (0xdeadbeef: memory freed with kmem_free)");
	return ("");
}

static inline kmem_hdr_t *
kmem_hdr(const void *buf)
{
	return ((kmem_hdr_t *)((uintptr_t)buf - KMEM_HDR_SIZE));
}

static inline void
redzone_set(void *buf, size_t size)
{
	uint64_t rz = KMEM_REDZONE_PATTERN;

	(void) memcpy((char *)buf + size, &rz, sizeof (rz));
}

static inline int
redzone_ok(const void *buf, size_t size)
{
	uint64_t rz;

	(void) memcpy(&rz, (const char *)buf + size, sizeof (rz));
	return (rz == KMEM_REDZONE_PATTERN);
}

static const char *
kmem_where(void *pc, char (*sym)[160])
{
	fk_symbolize(&pc, 1, sym);
	return (sym[0]);
}

static void
kmem_count(int64_t bytes)
{
	if (bytes > 0) {
		__atomic_add_fetch(&fk_counters.fc_kmem_allocs, 1,
		    __ATOMIC_RELAXED);
	} else {
		__atomic_add_fetch(&fk_counters.fc_kmem_frees, 1,
		    __ATOMIC_RELAXED);
	}
	__atomic_add_fetch(&fk_counters.fc_kmem_bytes, bytes,
	    __ATOMIC_RELAXED);
}

static void
kmem_check_flags(int kmflag, const char *op)
{
	if ((kmflag & ~KM_VMFLAGS) != 0)
		panic("%s: bad kmflag %#x", op, kmflag);
}

/*
 * Memory from the backend, and in *freep the function that gives it
 * back.  KM_SLEEP waits for it.
 */
static void *
kmem_backend_get(size_t rawsize, int kmflag, const char *op, size_t size,
    void (**freep)(void *, size_t))
{
	const fk_plat_ops_t *plat;
	void *raw;
	int tries;

	for (tries = 0; ; tries++) {
		plat = fk_platform;
		if (plat != NULL && plat->po_kmem_alloc != NULL) {
			raw = plat->po_kmem_alloc(rawsize);
			*freep = plat->po_kmem_free;
		} else {
			raw = malloc(rawsize);
			*freep = kmem_heap_free;
		}
		if (raw != NULL)
			return (raw);
		if ((kmflag & KM_PANIC) != 0)
			panic("%s(%zu, KM_PANIC): out of memory", op, size);
		if ((kmflag & KM_NOSLEEP) != 0)
			return (NULL);
		if (tries == KMEM_SLEEP_TRIES) {
			panic("%s(%zu, KM_SLEEP): no memory for %d seconds",
			    op, size, KMEM_SLEEP_TRIES / 1000);
		}
		(void) usleep(1000);
	}
}

/*
 * The quarantine: freed buffers wait here, poisoned, before they go back
 * to the backend.
 */
static void
kmem_release(kmem_hdr_t *kh)
{
	void *buf = (char *)kh + KMEM_HDR_SIZE;
	size_t n = MIN(kh->kh_size, KMEM_QUARANTINE_CHECK);
	char sym[1][160];
	ssize_t off;

	if ((off = pattern_check(buf, n, KMEM_FREE_PATTERN)) >= 0) {
		panic("kmem: buffer %p (size %zu) was written after "
		    "kmem_free: byte %zd is %#x; freed at %s", buf,
		    kh->kh_size, off, ((uint8_t *)buf)[off],
		    kmem_where(kh->kh_caller, sym));
	}
	kh->kh_free(kh->kh_raw, kh->kh_rawsize);
}

static void
kmem_quarantine_put(kmem_hdr_t *kh)
{
	kmem_hdr_t *old[8];
	int nold = 0, i;
	size_t slot;

	kmem_init();
	if (kmem_quarantine_limit == 0 ||
	    kh->kh_size > kmem_quarantine_limit / 4) {
		kmem_release(kh);
		return;
	}
	fk_lock_enter(&kmem_quarantine_lock);
	while (kmem_quarantine_count > 0 && nold < 8 &&
	    (kmem_quarantine_count == KMEM_QUARANTINE_SLOTS ||
	    kmem_quarantine_bytes + kh->kh_size > kmem_quarantine_limit)) {
		old[nold] = kmem_quarantine[kmem_quarantine_head];
		kmem_quarantine_bytes -= old[nold]->kh_size;
		kmem_quarantine_head = (kmem_quarantine_head + 1) %
		    KMEM_QUARANTINE_SLOTS;
		kmem_quarantine_count--;
		nold++;
	}
	if (kmem_quarantine_count < KMEM_QUARANTINE_SLOTS) {
		slot = (kmem_quarantine_head + kmem_quarantine_count) %
		    KMEM_QUARANTINE_SLOTS;
		kmem_quarantine[slot] = kh;
		kmem_quarantine_count++;
		kmem_quarantine_bytes += kh->kh_size;
		kh = NULL;
	}
	fk_lock_exit(&kmem_quarantine_lock);
	for (i = 0; i < nold; i++)
		kmem_release(old[i]);
	if (kh != NULL)
		kmem_release(kh);
}

static void
kmem_quarantine_flush(void)
{
	kmem_hdr_t *kh;

	for (;;) {
		fk_lock_enter(&kmem_quarantine_lock);
		if (kmem_quarantine_count == 0) {
			fk_lock_exit(&kmem_quarantine_lock);
			return;
		}
		kh = kmem_quarantine[kmem_quarantine_head];
		kmem_quarantine_head = (kmem_quarantine_head + 1) %
		    KMEM_QUARANTINE_SLOTS;
		kmem_quarantine_count--;
		kmem_quarantine_bytes -= kh->kh_size;
		fk_lock_exit(&kmem_quarantine_lock);
		kmem_release(kh);
	}
}

/*
 * kmem_alloc(9F).
 */
static void *
kmem_alloc_common(size_t size, int kmflag, int zero, const char *op,
    void *caller)
{
	void (*freefn)(void *, size_t);
	struct kmem_cache *cp;
	kmem_hdr_t *kh;
	void *raw, *buf;

	kmem_check_flags(kmflag, op);
	if (size == 0)
		return (NULL);
	kmem_init();
	if ((kmflag & KM_NOSLEEP) == 0)
		fk_assert_may_block("KM_SLEEP allocation");
	else if (fk_kmem_nosleep_fail(kmflag))
		return (NULL);
	if (size > SIZE_MAX / 2)
		panic("%s(%zu): impossible size", op, size);
	if ((cp = kmem_class_of(size)) != NULL) {
		if ((buf = kmc_get(cp, kmflag, op)) == NULL)
			return (NULL);
		kh = kmem_hdr(buf);
		kh->kh_size = size;
		kh->kh_caller = caller;
		kh->kh_magic = KMEM_MAGIC_ALLOC;
		if (zero)
			(void) memset(buf, 0, size);
		goto out;
	}
	raw = kmem_backend_get(KMEM_HDR_SIZE + size + KMEM_REDZONE, kmflag,
	    op, size, &freefn);
	if (raw == NULL)
		return (NULL);
	kh = raw;
	kh->kh_raw = raw;
	kh->kh_rawsize = KMEM_HDR_SIZE + size + KMEM_REDZONE;
	kh->kh_cache = NULL;
	kh->kh_unused = 0;
	kh->kh_free = freefn;
	kh->kh_size = size;
	kh->kh_caller = caller;
	kh->kh_magic = KMEM_MAGIC_ALLOC;
	buf = (char *)raw + KMEM_HDR_SIZE;
	if (zero)
		(void) memset(buf, 0, size);
	else if (kmem_debug)
		pattern_fill(buf, size, KMEM_UNINIT_PATTERN);
	if (kmem_debug)
		redzone_set(buf, size);
out:
	kmem_count((int64_t)size);
	__atomic_add_fetch(&fk_counters.fc_kmem_alloc_calls, 1,
	    __ATOMIC_RELAXED);
	return (buf);
}

void *
kmem_alloc(size_t size, int kmflag)
{
	return (kmem_alloc_common(size, kmflag, 0, "kmem_alloc",
	    __builtin_return_address(0)));
}

void *
kmem_zalloc(size_t size, int kmflag)
{
	return (kmem_alloc_common(size, kmflag, 1, "kmem_zalloc",
	    __builtin_return_address(0)));
}

static void __attribute__((noreturn, noinline))
kmem_free_bad(const void *buf, size_t size, const kmem_hdr_t *kh,
    void *caller)
{
	char sym[1][160], sym2[1][160];

	(void) kmem_where(caller, sym2);
	switch (kh->kh_magic) {
	case KMEM_MAGIC_FREE:
		panic("kmem_free(%p, %zu): double free: the buffer (size %zu) "
		    "was freed already at %s; freed again at %s", buf, size,
		    kh->kh_size, kmem_where(kh->kh_caller, sym), sym2[0]);
	case KMEM_MAGIC_CALLOC:
	case KMEM_MAGIC_CFREE:
		panic("kmem_free(%p, %zu): the buffer is an object of kmem "
		    "cache \"%s\", to be freed with kmem_cache_free (at %s)",
		    buf, size, kh->kh_cache->cc_name, sym2[0]);
	case KMEM_MAGIC_ALLOC:
		panic("kmem_free(%p, %zu): allocated with size %zu (at %s); "
		    "freed at %s", buf, size, kh->kh_size,
		    kmem_where(kh->kh_caller, sym), sym2[0]);
	default:
		panic("kmem_free(%p, %zu): not a buffer from kmem_alloc, or "
		    "freed long ago (header magic %#llx); at %s", buf, size,
		    (unsigned long long)kh->kh_magic, sym2[0]);
	}
}

void
kmem_free(void *buf, size_t size)
{
	void *caller = __builtin_return_address(0);
	kmem_hdr_t *kh;
	char sym[2][160];

	if (buf == NULL) {
		if (size == 0)
			return;
		panic("kmem_free(NULL, %zu) at %s", size,
		    kmem_where(caller, sym));
	}
	kh = kmem_hdr(buf);
	if (kh->kh_magic != KMEM_MAGIC_ALLOC || kh->kh_size != size)
		kmem_free_bad(buf, size, kh, caller);
	if (kmem_debug && !redzone_ok(buf, size)) {
		panic("kmem_free(%p, %zu): buffer overrun: the bytes just "
		    "past its end were written; allocated at %s, freed at %s",
		    buf, size, kmem_where(kh->kh_caller, sym),
		    kmem_where(caller, sym + 1));
	}
	kh->kh_magic = KMEM_MAGIC_FREE;
	kh->kh_caller = caller;
	kmem_count(-(int64_t)size);
	if (kh->kh_cache != NULL) {
		kmc_put(kh->kh_cache, buf);	/* a kmem_alloc cache's */
		return;
	}
	if (!kmem_debug) {
		kh->kh_free(kh->kh_raw, kh->kh_rawsize);
		return;
	}
	pattern_fill(buf, size, KMEM_FREE_PATTERN);
	kmem_quarantine_put(kh);
}

char *
kmem_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	VERIFY3S(len, >=, 0);
	s = kmem_alloc_common((size_t)len + 1, KM_SLEEP, 0, "kmem_asprintf",
	    __builtin_return_address(0));
	va_start(ap, fmt);
	(void) vsnprintf(s, (size_t)len + 1, fmt, ap);
	va_end(ap);
	return (s);
}

void
strfree(char *s)
{
	kmem_free(s, strlen(s) + 1);
}

/*
 * kmem_cache_create(9F).
 */
static void __attribute__((noreturn, noinline))
kmc_bad_magic(const kmem_cache_t *cp, const char *op)
{
	if (cp->cc_magic == KMEM_CACHE_DEAD) {
		panic("%s(%p): the cache \"%s\" was destroyed", op,
		    (void *)cp, cp->cc_name);
	}
	panic("%s(%p): not a kmem cache", op, (void *)cp);
}

static inline void
kmc_verify(const kmem_cache_t *cp, const char *op)
{
	if (__builtin_expect(cp == NULL || cp->cc_magic != KMEM_CACHE_MAGIC,
	    0)) {
		if (cp == NULL)
			panic("%s(NULL)", op);
		kmc_bad_magic(cp, op);
	}
}

static kmem_cache_t *
kmc_create(const char *name, size_t bufsize, size_t align,
    int (*constructor)(void *, void *, int),
    void (*destructor)(void *, void *), void (*reclaim)(void *),
    void *private, int cflags)
{
	kmem_cache_t *cp;

	if (bufsize == 0 || bufsize > SIZE_MAX / 4)
		panic("kmem_cache_create(\"%s\"): bad size %zu", name, bufsize);
	if (align == 0)
		align = KMEM_ALIGN;
	if (!ISP2(align)) {
		panic("kmem_cache_create(\"%s\"): alignment %zu is not a power "
		    "of two", name, align);
	}
	if ((cp = calloc(1, sizeof (*cp))) == NULL)
		panic("kmem_cache_create(\"%s\"): out of memory", name);
	(void) snprintf(cp->cc_name, sizeof (cp->cc_name), "%s",
	    name != NULL ? name : "(unnamed)");
	cp->cc_bufsize = bufsize;
	cp->cc_align = align;
	cp->cc_ctor = constructor;
	cp->cc_dtor = destructor;
	cp->cc_reclaim = reclaim;
	cp->cc_private = private;
	cp->cc_cflags = cflags;
	fk_lock_init(&cp->cc_lock);
	cp->cc_ncpu = kmem_ncpu();
	if (posix_memalign((void **)&cp->cc_cpu, 64,
	    cp->cc_ncpu * sizeof (kmem_cpu_cache_t)) != 0)
		panic("kmem_cache_create(\"%s\"): out of memory", name);
	(void) memset(cp->cc_cpu, 0, cp->cc_ncpu * sizeof (kmem_cpu_cache_t));
	cp->cc_magic = KMEM_CACHE_MAGIC;
	fk_lock_enter(&kmem_caches_lock);
	cp->cc_next = kmem_caches;
	kmem_caches = cp;
	fk_lock_exit(&kmem_caches_lock);
	return (cp);
}

kmem_cache_t *
kmem_cache_create(char *name, size_t bufsize, size_t align,
    int (*constructor)(void *, void *, int),
    void (*destructor)(void *, void *), void (*reclaim)(void *),
    void *private, vmem_t *vmp, int cflags)
{
	(void) vmp;
	fk_assert_may_block("kmem_cache_create");
	return (kmc_create(name, bufsize, align, constructor, destructor,
	    reclaim, private, cflags));
}

/* The CPUs the per-CPU layers are for. */
static int
kmem_ncpu(void)
{
	long n = sysconf(_SC_NPROCESSORS_CONF);

	return (n < 1 ? 1 : n > KMEM_MAXCPU ? KMEM_MAXCPU : (int)n);
}

/* A new object, constructed; NULL if memory or the constructor failed. */
static void *
kmc_construct(kmem_cache_t *cp, int kmflag)
{
	size_t rawsize = KMEM_HDR_SIZE + cp->cc_bufsize + KMEM_REDZONE +
	    (cp->cc_align > 16 ? cp->cc_align : 0);
	void (*freefn)(void *, size_t);
	kmem_hdr_t *kh;
	void *raw, *buf;

	kmem_init();
	raw = kmem_backend_get(rawsize, kmflag, "kmem_cache_alloc",
	    cp->cc_bufsize, &freefn);
	if (raw == NULL)
		return (NULL);
	buf = (void *)P2ROUNDUP((uintptr_t)raw + KMEM_HDR_SIZE,
	    (uintptr_t)cp->cc_align);
	kh = kmem_hdr(buf);
	kh->kh_raw = raw;
	kh->kh_rawsize = rawsize;
	kh->kh_cache = cp;
	kh->kh_unused = 0;
	kh->kh_free = freefn;
	kh->kh_size = cp->cc_bufsize;
	kh->kh_caller = NULL;
	kh->kh_magic = KMEM_MAGIC_CNEW;
	if (kmem_debug) {
		pattern_fill(buf, cp->cc_bufsize, KMEM_UNINIT_PATTERN);
		redzone_set(buf, cp->cc_bufsize);
	}
	if (cp->cc_ctor != NULL &&
	    cp->cc_ctor(buf, cp->cc_private, kmflag) != 0) {
		kh->kh_magic = 0;
		kh->kh_free(raw, rawsize);
		return (NULL);
	}
	if (!cp->cc_class) {
		__atomic_add_fetch(&fk_counters.fc_kmem_constructs, 1,
		    __ATOMIC_RELAXED);
	}
	return (buf);
}

/* Destruct a free object and give its memory back. */
static void
kmc_destruct(kmem_cache_t *cp, void *buf)
{
	kmem_hdr_t *kh = kmem_hdr(buf);

	if (cp->cc_dtor != NULL)
		cp->cc_dtor(buf, cp->cc_private);
	kh->kh_magic = 0;
	kh->kh_free(kh->kh_raw, kh->kh_rawsize);
}

/*
 * The magazine layer.  An object comes from the calling CPU's layer; an
 * empty layer first takes up to a magazine (KMEM_MAG_ROUNDS objects) from
 * the depot; only an empty depot constructs.  A freed object goes to the
 * CPU's layer; a full one (two magazines) first gives a magazine, its
 * oldest objects, back to the depot.  Locks: a CPU's, then the depot's.
 */
static inline kmem_cpu_cache_t *
kmc_cpu(kmem_cache_t *cp)
{
	int id = CPU->cpu_id;

	return (&cp->cc_cpu[id < cp->cc_ncpu ? id : id % cp->cc_ncpu]);
}

/* Up to a magazine from the depot into an empty CPU layer (its lock). */
static void
kmc_refill(kmem_cache_t *cp, kmem_cpu_cache_t *ccp)
{
	size_t n;

	fk_lock_enter(&cp->cc_lock);
	if ((n = MIN(cp->cc_nfree, KMEM_MAG_ROUNDS)) > 0) {
		cp->cc_nfree -= n;
		(void) memcpy(ccp->cpc_objs, cp->cc_free + cp->cc_nfree,
		    n * sizeof (void *));
	}
	fk_lock_exit(&cp->cc_lock);
	ccp->cpc_nobjs = (int)n;
}

/* n objects into the depot. */
static void
kmc_depot_put(kmem_cache_t *cp, void *const *objs, size_t n)
{
	if (n == 0)
		return;
	fk_lock_enter(&cp->cc_lock);
	if (cp->cc_nfree + n > cp->cc_freecap) {
		size_t cap = cp->cc_freecap == 0 ? 64 : cp->cc_freecap;
		void **nf;

		while (cap < cp->cc_nfree + n)
			cap *= 2;
		if ((nf = realloc(cp->cc_free, cap * sizeof (void *))) == NULL)
			panic("kmem_cache_free: out of memory");
		cp->cc_free = nf;
		cp->cc_freecap = cap;
	}
	(void) memcpy(cp->cc_free + cp->cc_nfree, objs, n * sizeof (void *));
	cp->cc_nfree += n;
	fk_lock_exit(&cp->cc_lock);
}

/* A free, constructed object of cp, counted as out; NULL if none. */
static void *
kmc_get(kmem_cache_t *cp, int kmflag, const char *op)
{
	kmem_cpu_cache_t *ccp = kmc_cpu(cp);
	void *buf = NULL;
	int tries;

	fk_lock_enter(&ccp->cpc_lock);
	if (ccp->cpc_nobjs == 0)
		kmc_refill(cp, ccp);
	if (ccp->cpc_nobjs > 0) {
		buf = ccp->cpc_objs[--ccp->cpc_nobjs];
		ccp->cpc_out++;
	}
	fk_lock_exit(&ccp->cpc_lock);
	if (buf != NULL)
		return (buf);

	for (tries = 0; buf == NULL; tries++) {
		if ((buf = kmc_construct(cp, kmflag)) != NULL)
			break;
		if ((kmflag & KM_NOSLEEP) != 0)
			return (NULL);
		if (tries == KMEM_CTOR_TRIES) {
			panic("%s(\"%s\", KM_SLEEP): the constructor failed %d "
			    "times in a row", op, cp->cc_name, KMEM_CTOR_TRIES);
		}
		(void) usleep(1000);
	}
	ccp = kmc_cpu(cp);
	fk_lock_enter(&ccp->cpc_lock);
	ccp->cpc_out++;
	fk_lock_exit(&ccp->cpc_lock);
	return (buf);
}

/* A free object back to the calling CPU's layer. */
static void
kmc_put(kmem_cache_t *cp, void *buf)
{
	kmem_cpu_cache_t *ccp = kmc_cpu(cp);

	fk_lock_enter(&ccp->cpc_lock);
	if (ccp->cpc_nobjs == 2 * KMEM_MAG_ROUNDS) {
		kmc_depot_put(cp, ccp->cpc_objs, KMEM_MAG_ROUNDS);
		(void) memmove(ccp->cpc_objs, ccp->cpc_objs + KMEM_MAG_ROUNDS,
		    KMEM_MAG_ROUNDS * sizeof (void *));
		ccp->cpc_nobjs = KMEM_MAG_ROUNDS;
	}
	ccp->cpc_objs[ccp->cpc_nobjs++] = buf;
	ccp->cpc_out--;
	fk_lock_exit(&ccp->cpc_lock);
}

/* The objects clients hold. */
static int64_t
kmc_outstanding(kmem_cache_t *cp)
{
	int64_t out = 0;
	int i;

	for (i = 0; i < cp->cc_ncpu; i++) {
		fk_lock_enter(&cp->cc_cpu[i].cpc_lock);
		out += cp->cc_cpu[i].cpc_out;
		fk_lock_exit(&cp->cc_cpu[i].cpc_lock);
	}
	return (out);
}

void *
kmem_cache_alloc(kmem_cache_t *cp, int kmflag)
{
	kmem_hdr_t *kh;
	void *buf;

	kmc_verify(cp, "kmem_cache_alloc");
	kmem_check_flags(kmflag, "kmem_cache_alloc");
	if ((kmflag & KM_NOSLEEP) == 0)
		fk_assert_may_block("KM_SLEEP allocation");
	else if (fk_kmem_nosleep_fail(kmflag))
		return (NULL);
	if ((buf = kmc_get(cp, kmflag, "kmem_cache_alloc")) == NULL)
		return (NULL);
	kh = kmem_hdr(buf);
	kh->kh_magic = KMEM_MAGIC_CALLOC;
	kh->kh_caller = __builtin_return_address(0);
	kmem_count((int64_t)cp->cc_bufsize);
	return (buf);
}

void
kmem_cache_free(kmem_cache_t *cp, void *buf)
{
	void *caller = __builtin_return_address(0);
	char sym[2][160];
	kmem_hdr_t *kh;

	kmc_verify(cp, "kmem_cache_free");
	if (buf == NULL) {
		panic("kmem_cache_free(\"%s\", NULL) at %s", cp->cc_name,
		    kmem_where(caller, sym));
	}
	kh = kmem_hdr(buf);
	if (kh->kh_magic == KMEM_MAGIC_CFREE && kh->kh_cache == cp) {
		panic("kmem_cache_free(\"%s\", %p): double free: the object "
		    "was freed already at %s; freed again at %s", cp->cc_name,
		    buf, kmem_where(kh->kh_caller, sym),
		    kmem_where(caller, sym + 1));
	}
	if (kh->kh_magic == KMEM_MAGIC_ALLOC) {
		panic("kmem_cache_free(\"%s\", %p): the buffer is from "
		    "kmem_alloc, to be freed with kmem_free (at %s)",
		    cp->cc_name, buf, kmem_where(caller, sym));
	}
	if ((kh->kh_magic != KMEM_MAGIC_CALLOC &&
	    kh->kh_magic != KMEM_MAGIC_CFREE) || kh->kh_cache != cp) {
		panic("kmem_cache_free(\"%s\", %p): not an object of this "
		    "cache%s%s%s (at %s)", cp->cc_name, buf,
		    kh->kh_magic == KMEM_MAGIC_CALLOC ? " but of cache \"" : "",
		    kh->kh_magic == KMEM_MAGIC_CALLOC ?
		    kh->kh_cache->cc_name : "",
		    kh->kh_magic == KMEM_MAGIC_CALLOC ? "\"" : "",
		    kmem_where(caller, sym));
	}
	if (kmem_debug && !redzone_ok(buf, cp->cc_bufsize)) {
		panic("kmem_cache_free(\"%s\", %p): buffer overrun: the bytes "
		    "just past the object's %zu were written; freed at %s",
		    cp->cc_name, buf, cp->cc_bufsize, kmem_where(caller, sym));
	}
	kh->kh_magic = KMEM_MAGIC_CFREE;
	kh->kh_caller = caller;
	kmc_put(cp, buf);
	kmem_count(-(int64_t)cp->cc_bufsize);
}

/* Destruct every free object of a cache, its CPUs' first. */
static void
kmc_drain(kmem_cache_t *cp)
{
	kmem_cpu_cache_t *ccp;
	void **objs;
	size_t n, i;
	int c;

	for (c = 0; c < cp->cc_ncpu; c++) {
		ccp = &cp->cc_cpu[c];
		fk_lock_enter(&ccp->cpc_lock);
		kmc_depot_put(cp, ccp->cpc_objs, (size_t)ccp->cpc_nobjs);
		ccp->cpc_nobjs = 0;
		fk_lock_exit(&ccp->cpc_lock);
	}
	fk_lock_enter(&cp->cc_lock);
	objs = cp->cc_free;
	n = cp->cc_nfree;
	cp->cc_free = NULL;
	cp->cc_nfree = cp->cc_freecap = 0;
	fk_lock_exit(&cp->cc_lock);
	for (i = 0; i < n; i++)
		kmc_destruct(cp, objs[i]);
	free(objs);
}

void
kmem_cache_destroy(kmem_cache_t *cp)
{
	kmem_cache_t **pp;
	int64_t out;

	kmc_verify(cp, "kmem_cache_destroy");
	fk_assert_may_block("kmem_cache_destroy");
	if ((out = kmc_outstanding(cp)) != 0) {
		panic("kmem_cache_destroy(\"%s\"): %lld object(s) still "
		    "allocated (leaked)", cp->cc_name, (long long)out);
	}
	fk_lock_enter(&kmem_caches_lock);
	for (pp = &kmem_caches; *pp != NULL; pp = &(*pp)->cc_next) {
		if (*pp == cp) {
			*pp = cp->cc_next;
			break;
		}
	}
	fk_lock_exit(&kmem_caches_lock);
	kmc_drain(cp);
	cp->cc_magic = KMEM_CACHE_DEAD;
	free(cp->cc_cpu);
	free(cp);
}

/*
 * Memory pressure: empty the quarantine, and have every cache reclaim
 * and give its free objects up (their destructors run).
 */
void
fk_kmem_reap(void)
{
	kmem_cache_t *cp;

	kmem_quarantine_flush();
	fk_lock_enter(&kmem_caches_lock);
	for (cp = kmem_caches; cp != NULL; cp = cp->cc_next) {
		if (cp->cc_reclaim != NULL)
			cp->cc_reclaim(cp->cc_private);
		kmc_drain(cp);
	}
	fk_lock_exit(&kmem_caches_lock);
}

/*
 * kmem in its production configuration (FK_DEBUG=0, set before the
 * fakekernel's first use): no fills, no redzones, no quarantine; the
 * header checks that stay (wrong size, double free while the memory is
 * still the backend's, cache misuse, KM_SLEEP in interrupt context)
 * still panic.
 *
 * The backend hook fills what it hands out with 0x11 and, at free, notes
 * what the buffer held, so that the checks see exactly what kmem wrote.
 */

#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/sysmacros.h>
#include <fk.h>
#include <fk_impl.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "lib/expect.h"

#define	HDR		64		/* kmem's header (kmem.c) */
#define	BACKEND_FILL	0x11
#define	USER_FILL	0x5a

static int backend_frees;
static int freed_intact;	/* the last freed buffer held USER_FILL */
static size_t freed_len;	/* its length to check */

static void *
filled_alloc(size_t n)
{
	void *p = malloc(n);

	if (p != NULL)
		(void) memset(p, BACKEND_FILL, n);
	return (p);
}

static int
all_bytes(const void *buf, size_t len, uint8_t v)
{
	const uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] != v)
			return (0);
	}
	return (1);
}

static void
noting_free(void *p, size_t n)
{
	(void) n;
	backend_frees++;
	freed_intact = all_bytes((char *)p + HDR, freed_len, USER_FILL);
	free(p);
}

/* Freed memory stays the backend's: a double free still reads a header. */
static void
holding_free(void *p, size_t n)
{
	(void) p;
	(void) n;
}

static void
use_backend(void (*release)(void *, size_t))
{
	fk_kmem_backend_alloc = filled_alloc;
	fk_kmem_backend_free = release;
}

/* Whether fn(NULL), run in a child, returns normally. */
static int
survives(void (*fn)(void *))
{
	pid_t pid;
	int status;

	fflush(stdout);
	if ((pid = fork()) < 0)
		return (0);
	if (pid == 0) {
		(void) freopen("/dev/null", "w", stderr);
		fn(NULL);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return (0);
	return (WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* One byte past the end: the redzone's place, inside the allocation. */
static void
overrun_free(void *arg)
{
	char *p = kmem_alloc(64, KM_SLEEP);

	(void) arg;
	p[64] = 1;
	kmem_free(p, 64);
}

static void
overrun_cache_free(void *arg)
{
	kmem_cache_t *cp = kmem_cache_create("overrun", 48, 0, NULL, NULL,
	    NULL, NULL, NULL, 0);
	char *o = kmem_cache_alloc(cp, KM_SLEEP);

	(void) arg;
	o[48] = 1;
	kmem_cache_free(cp, o);
	kmem_cache_destroy(cp);
}

static void
test_alloc_free(void)
{
	uint8_t *p, *z;
	int frees;

	use_backend(noting_free);
	p = kmem_alloc(100, KM_SLEEP);
	CHECK("FK_DEBUG=0: kmem_alloc does not fill (no 0xbaddcafe)",
	    p != NULL && all_bytes(p, 100, BACKEND_FILL),
	    "expected the backend's 0x11 bytes, saw %#x", p ? p[0] : 0);
	CHECK("FK_DEBUG=0: no redzone written past the buffer",
	    all_bytes(p + 100, 8, BACKEND_FILL),
	    "expected 8 bytes of 0x11 past the end, saw %#x", p[100]);
	z = kmem_zalloc(40, KM_SLEEP);
	CHECK("FK_DEBUG=0: kmem_zalloc still zeroes", all_bytes(z, 40, 0),
	    "expected 40 zero bytes");
	kmem_free(z, 40);

	(void) memset(p, USER_FILL, 100);
	freed_len = 100;
	frees = backend_frees;
	kmem_free(p, 100);
	CHECK("FK_DEBUG=0: no quarantine: kmem_free returns the buffer at once",
	    backend_frees == frees + 1, "expected 1 backend free, saw %d",
	    backend_frees - frees);
	CHECK("FK_DEBUG=0: a freed buffer is not filled (no 0xdeadbeef)",
	    freed_intact, "expected the caller's 0x5a bytes at the free");
	CHECK("FK_DEBUG=0: kmem_free does not check the redzone",
	    survives(overrun_free), "expected no \"buffer overrun\" panic");
}

static void
test_cache(void)
{
	kmem_cache_t *cp;
	uint8_t *o;

	use_backend(noting_free);
	cp = kmem_cache_create("prod", 48, 0, NULL, NULL, NULL, NULL, NULL,
	    0);
	o = kmem_cache_alloc(cp, KM_SLEEP);
	CHECK("FK_DEBUG=0: a new cache object is not filled, no redzone",
	    all_bytes(o, 48 + 8, BACKEND_FILL),
	    "expected 56 bytes of the backend's 0x11, saw %#x", o[0]);
	kmem_cache_free(cp, o);
	kmem_cache_destroy(cp);
	CHECK("FK_DEBUG=0: kmem_cache_free does not check the redzone",
	    survives(overrun_cache_free),
	    "expected no \"buffer overrun\" panic");
}

/*
 * What stays.
 */
static void
die_wrong_size(void *arg)
{
	void *p = kmem_alloc(64, KM_SLEEP);

	(void) arg;
	kmem_free(p, 32);
}

static void
die_double_free(void *arg)
{
	void *p;

	(void) arg;
	use_backend(holding_free);
	p = kmem_alloc(64, KM_SLEEP);
	kmem_free(p, 64);
	kmem_free(p, 64);
}

static void
die_cache_double_free(void *arg)
{
	kmem_cache_t *cp = kmem_cache_create("twice", 40, 0, NULL, NULL,
	    NULL, NULL, NULL, 0);
	void *o = kmem_cache_alloc(cp, KM_SLEEP);

	(void) arg;
	kmem_cache_free(cp, o);
	kmem_cache_free(cp, o);
}

static void
die_cache_wrong_cache(void *arg)
{
	kmem_cache_t *a = kmem_cache_create("cache a", 40, 0, NULL, NULL,
	    NULL, NULL, NULL, 0);
	kmem_cache_t *b = kmem_cache_create("cache b", 40, 0, NULL, NULL,
	    NULL, NULL, NULL, 0);

	(void) arg;
	kmem_cache_free(b, kmem_cache_alloc(a, KM_SLEEP));
}

static void
die_free_cache_object(void *arg)
{
	kmem_cache_t *cp = kmem_cache_create("objects", 40, 0, NULL, NULL,
	    NULL, NULL, NULL, 0);

	(void) arg;
	kmem_free(kmem_cache_alloc(cp, KM_SLEEP), 40);
}

static void
die_cache_leak(void *arg)
{
	kmem_cache_t *cp = kmem_cache_create("leaky", 40, 0, NULL, NULL,
	    NULL, NULL, NULL, 0);

	(void) arg;
	(void) kmem_cache_alloc(cp, KM_SLEEP);
	kmem_cache_destroy(cp);
}

static void *
intr_alloc(void *arg)
{
	(void) arg;
	fk_intr_enter(5);
	(void) kmem_alloc(16, KM_SLEEP);
	fk_intr_exit();
	return (NULL);
}

static void
die_sleep_in_intr(void *arg)
{
	pthread_t tid;

	(void) arg;
	(void) fk_thread_create(&tid, "test intr", intr_alloc, NULL);
	(void) pthread_join(tid, NULL);
}

static void
test_panics(void)
{
	(void) expect_death("FK_DEBUG=0: kmem_free with the wrong size panics",
	    die_wrong_size, NULL, ", 32): allocated with size 64");
	(void) expect_death("FK_DEBUG=0: kmem_free twice panics",
	    die_double_free, NULL, "double free");
	(void) expect_death("FK_DEBUG=0: kmem_cache_free twice panics",
	    die_cache_double_free, NULL, "double free");
	(void) expect_death("FK_DEBUG=0: kmem_cache_free to another cache "
	    "panics", die_cache_wrong_cache, NULL, "but of cache \"cache a\"");
	(void) expect_death("FK_DEBUG=0: kmem_free of a cache object panics",
	    die_free_cache_object, NULL, "object of kmem cache \"objects\"");
	(void) expect_death("FK_DEBUG=0: kmem_cache_destroy with objects out "
	    "panics", die_cache_leak, NULL, "1 object(s) still allocated");
	(void) expect_death("FK_DEBUG=0: KM_SLEEP in interrupt context panics",
	    die_sleep_in_intr, NULL, "KM_SLEEP allocation in interrupt "
	    "context");
}

int
main(void)
{
	/* Before the fakekernel's first use: kmem reads it once. */
	(void) setenv("FK_DEBUG", "0", 1);
	(void) setenv("FK_QUIET", "1", 1);
	test_alloc_free();
	test_cache();
	test_panics();
	return (check_exit());
}

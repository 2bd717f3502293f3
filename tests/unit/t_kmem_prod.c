/*
 * kmem in its production configuration (FK_DEBUG=0, set before the
 * fakekernel's first use): no fills, no redzones, no quarantine; small
 * kmem_alloc buffers come from kmem_alloc_<size> caches, as on illumos
 * (a freed one is the next one of its size, as it was); the header
 * checks that stay (wrong size, double free while the memory is still
 * kmem's or the backend's, cache misuse, KM_SLEEP in interrupt context)
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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "lib/expect.h"
#include "lib/kmem_cases.h"

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
	kc_use_backing(filled_alloc, release);
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
	uint8_t *p, *q, *z;
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
	kmem_free(p, 100);
	q = kmem_alloc(100, KM_SLEEP);
	CHECK("FK_DEBUG=0: no quarantine: the freed buffer is the next of its "
	    "size (kmem_alloc_128)", q == p, "expected %p again, saw %p",
	    (void *)p, (void *)q);
	CHECK("FK_DEBUG=0: a freed buffer is not filled (no 0xdeadbeef)",
	    all_bytes(q, 100, USER_FILL),
	    "expected the caller's 0x5a bytes, saw %#x", q[0]);
	frees = backend_frees;
	kmem_free(q, 100);
	fk_kmem_reap();
	CHECK("FK_DEBUG=0: the kmem_alloc caches give memory back when reaped",
	    backend_frees > frees, "expected backend frees, saw none");
	p = kmem_alloc(5000, KM_SLEEP);
	(void) memset(p, USER_FILL, 5000);
	freed_len = 5000;
	frees = backend_frees;
	kmem_free(p, 5000);
	CHECK("FK_DEBUG=0: a buffer above the caches' sizes goes back to the "
	    "backend at once, unfilled", backend_frees == frees + 1 &&
	    freed_intact, "expected 1 backend free of the caller's bytes, "
	    "saw %d", backend_frees - frees);
	CHECK("FK_DEBUG=0: kmem_free does not check the redzone",
	    survives(kc_overrun_free),
	    "expected no \"buffer overrun\" panic");
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
 * What stays: the scenarios of lib/kmem_cases.c.  A double free is found
 * only while the memory is still the backend's, which it keeps here.
 */
static void
die_double_free(void *arg)
{
	use_backend(holding_free);
	kc_die_double_free(arg);
}

static void
test_panics(void)
{
	(void) expect_death("FK_DEBUG=0: kmem_free with the wrong size panics",
	    kc_die_wrong_size, NULL, ", 32): allocated with size 64");
	(void) expect_death("FK_DEBUG=0: kmem_free twice panics",
	    die_double_free, NULL, "double free");
	(void) expect_death("FK_DEBUG=0: kmem_cache_free twice panics",
	    kc_die_cache_double_free, NULL, "double free");
	(void) expect_death("FK_DEBUG=0: kmem_cache_free to another cache "
	    "panics", kc_die_cache_wrong_cache, NULL,
	    "but of cache \"cache a\"");
	(void) expect_death("FK_DEBUG=0: kmem_free of a cache object panics",
	    kc_die_free_cache_object, NULL, "object of kmem cache \"objects\"");
	(void) expect_death("FK_DEBUG=0: kmem_cache_destroy with objects out "
	    "panics", kc_die_cache_leak, KC_OBJECTS(1),
	    "1 object(s) still allocated");
	(void) expect_death("FK_DEBUG=0: KM_SLEEP in interrupt context panics",
	    kc_die_sleep_in_intr, KC_INTR_ALLOC, "KM_SLEEP allocation in "
	    "interrupt context");
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

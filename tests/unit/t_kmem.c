/*
 * kmem_alloc(9F) and kmem caches: contents, counters, the backend hooks,
 * KM_NOSLEEP failure injection, constructor/destructor semantics,
 * alignment, and the panics (wrong size, double free, overrun, write
 * after free, leaked cache objects, KM_SLEEP in interrupt context).
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
#include <unistd.h>

#include "check.h"
#include "lib/expect.h"
#include "lib/kmem_cases.h"

static fk_counters_t
counters(void)
{
	fk_counters_t c;

	c.fc_kmem_allocs = __atomic_load_n(&fk_counters.fc_kmem_allocs,
	    __ATOMIC_SEQ_CST);
	c.fc_kmem_frees = __atomic_load_n(&fk_counters.fc_kmem_frees,
	    __ATOMIC_SEQ_CST);
	c.fc_kmem_bytes = __atomic_load_n(&fk_counters.fc_kmem_bytes,
	    __ATOMIC_SEQ_CST);
	return (c);
}

static void
test_alloc(void)
{
	fk_counters_t c0, c1, c2;
	uint8_t *p, *z;
	uint32_t w;
	char *s;
	size_t i;
	int zero = 1;

	c0 = counters();
	p = kmem_alloc(100, KM_SLEEP);
	z = kmem_zalloc(300, KM_SLEEP);
	c1 = counters();
	CHECK("kmem: allocations succeed", p != NULL && z != NULL,
	    "expected two buffers, saw %p %p", (void *)p, (void *)z);
	CHECK("kmem: 16-byte aligned", IS_P2ALIGNED(p, 16) &&
	    IS_P2ALIGNED(z, 16), "expected alignment, saw %p %p", (void *)p,
	    (void *)z);
	for (i = 0; i < 300; i++)
		zero &= z[i] == 0;
	CHECK("kmem: kmem_zalloc zeroes", zero, "expected 300 zero bytes");
	(void) memcpy(&w, p + 4, 4);
	CHECK("kmem: kmem_alloc fills with 0xbaddcafe", w == 0xbaddcafe,
	    "expected 0xbaddcafe, saw %#x", w);
	CHECK("kmem: counters count allocations",
	    c1.fc_kmem_allocs - c0.fc_kmem_allocs == 2 &&
	    c1.fc_kmem_bytes - c0.fc_kmem_bytes == 400,
	    "expected +2 allocations and +400 bytes, saw +%llu and %+lld",
	    (unsigned long long)(c1.fc_kmem_allocs - c0.fc_kmem_allocs),
	    (long long)(c1.fc_kmem_bytes - c0.fc_kmem_bytes));
	(void) memset(p, 0x5a, 100);
	kmem_free(p, 100);
	kmem_free(z, 300);
	c2 = counters();
	CHECK("kmem: counters count frees",
	    c2.fc_kmem_frees - c1.fc_kmem_frees == 2 &&
	    c2.fc_kmem_bytes == c0.fc_kmem_bytes,
	    "expected +2 frees and the bytes back to %lld, saw +%llu and %lld",
	    (long long)c0.fc_kmem_bytes,
	    (unsigned long long)(c2.fc_kmem_frees - c1.fc_kmem_frees),
	    (long long)c2.fc_kmem_bytes);

	CHECK("kmem: kmem_alloc(0) is NULL", kmem_alloc(0, KM_SLEEP) == NULL,
	    "expected NULL");
	kmem_free(NULL, 0);

	s = kmem_asprintf("%s-%d", "pvscsi", 7);
	CHECK("kmem: kmem_asprintf", strcmp(s, "pvscsi-7") == 0,
	    "expected \"pvscsi-7\", saw \"%s\"", s);
	strfree(s);
	CHECK("kmem: strfree frees with the right size",
	    counters().fc_kmem_bytes == c0.fc_kmem_bytes,
	    "expected bytes back to %lld, saw %lld",
	    (long long)c0.fc_kmem_bytes,
	    (long long)counters().fc_kmem_bytes);
}

/* KM_NOSLEEP may fail; injection makes every Nth one fail. */
static void
test_nosleep_injection(void)
{
	void *p[9];
	int i, failed = 0, pattern = 1, sleepers = 1;

	fk_kmem_set_fail_nosleep(3);
	for (i = 0; i < 9; i++) {
		p[i] = kmem_alloc(32, KM_NOSLEEP);
		failed += p[i] == NULL;
		pattern &= (p[i] == NULL) == (i % 3 == 2);
	}
	for (i = 0; i < 9; i++) {
		void *q = kmem_alloc(32, KM_SLEEP);

		sleepers &= q != NULL;
		kmem_free(q, 32);
	}
	fk_kmem_set_fail_nosleep(0);
	for (i = 0; i < 9; i++) {
		if (p[i] != NULL)
			kmem_free(p[i], 32);
	}
	CHECK("kmem: every 3rd KM_NOSLEEP allocation fails",
	    failed == 3 && pattern, "expected the 3rd, 6th, 9th to fail, "
	    "saw %d failures", failed);
	CHECK("kmem: KM_SLEEP never fails", sleepers,
	    "expected 9 KM_SLEEP allocations");
}

/*
 * FK_KMEM_FAIL_NOSLEEP=N in the environment: the program runs itself with
 * it set (kmem reads the environment once, at its first use).
 */
static void
env_child(void)
{
	void *p[4];
	int i;

	for (i = 0; i < 4; i++)
		p[i] = kmem_alloc(8, KM_NOSLEEP);
	CHECK("kmem: FK_KMEM_FAIL_NOSLEEP=2 fails every 2nd KM_NOSLEEP",
	    p[0] != NULL && p[1] == NULL && p[2] != NULL && p[3] == NULL,
	    "expected ok, NULL, ok, NULL; saw %p %p %p %p", p[0], p[1], p[2],
	    p[3]);
	for (i = 0; i < 4; i++) {
		if (p[i] != NULL)
			kmem_free(p[i], 8);
	}
}

static void
test_env_knob(void)
{
	char cmd[128];
	int rc;

	(void) snprintf(cmd, sizeof (cmd), "T_KMEM_ENV_CHILD=1 "
	    "FK_KMEM_FAIL_NOSLEEP=2 /proc/%d/exe", (int)getpid());
	fflush(stdout);
	rc = system(cmd);
	CHECK("kmem: the FK_KMEM_FAIL_NOSLEEP run passed", rc == 0,
	    "expected exit 0, saw %#x", rc);
}

/* A backend that counts; buffers go back to the backend they came from. */
static int backend_allocs, backend_frees;

static void *
counting_alloc(size_t n)
{
	backend_allocs++;
	return (malloc(n));
}

static void
counting_free(void *p, size_t n)
{
	(void) n;
	backend_frees++;
	free(p);
}

static void
test_backend(void)
{
	void *before, *during;

	before = kmem_alloc(64, KM_SLEEP);
	kc_use_backing(counting_alloc, counting_free);
	during = kmem_alloc(64, KM_SLEEP);
	CHECK("kmem: memory comes from the platform's po_kmem_alloc",
	    backend_allocs == 1, "expected 1 backend allocation, saw %d",
	    backend_allocs);
	kc_use_backing(NULL, NULL);
	kmem_free(before, 64);
	kmem_free(during, 64);
	fk_kmem_reap();		/* empties the quarantine */
	CHECK("kmem: a buffer goes back to the backend it came from, "
	    "whatever the platform is now",
	    backend_frees == 1, "expected 1 free through po_kmem_free, saw %d",
	    backend_frees);
}

/*
 * Caches.
 */
typedef struct obj {
	uint64_t	o_magic;	/* constructed state */
	int		o_uses;
	char		o_pad[40];
} obj_t;

static int nctor, ndtor, ctor_fail_left;

static int
obj_ctor(void *buf, void *private, int kmflag)
{
	obj_t *o = buf;

	(void) kmflag;
	if (private != (void *)&nctor)
		return (-1);
	if (ctor_fail_left > 0) {
		ctor_fail_left--;
		return (-1);
	}
	nctor++;
	o->o_magic = 0xc0ffee;
	o->o_uses = 0;
	return (0);
}

static void
obj_dtor(void *buf, void *private)
{
	obj_t *o = buf;

	(void) private;
	if (o->o_magic == 0xc0ffee)
		ndtor++;
	o->o_magic = 0;
}

static void
test_cache(void)
{
	kmem_cache_t *cp;
	obj_t *o[3];
	fk_counters_t c0, c1;
	int i, constructed = 1, reused = 0;

	nctor = ndtor = 0;
	cp = kmem_cache_create("test_obj", sizeof (obj_t), 0, obj_ctor,
	    obj_dtor, NULL, &nctor, NULL, 0);
	c0 = counters();
	for (i = 0; i < 3; i++) {
		o[i] = kmem_cache_alloc(cp, KM_SLEEP);
		constructed &= o[i]->o_magic == 0xc0ffee;
		o[i]->o_uses++;
	}
	c1 = counters();
	CHECK("cache: objects arrive constructed", constructed && nctor == 3,
	    "expected 3 constructor calls, saw %d", nctor);
	CHECK("cache: allocations count",
	    c1.fc_kmem_allocs - c0.fc_kmem_allocs == 3 &&
	    c1.fc_kmem_bytes - c0.fc_kmem_bytes == 3 * (int64_t)sizeof (obj_t),
	    "expected +3 allocations, +%zu bytes", 3 * sizeof (obj_t));
	for (i = 0; i < 3; i++)
		kmem_cache_free(cp, o[i]);
	for (i = 0; i < 3; i++) {
		o[i] = kmem_cache_alloc(cp, KM_SLEEP);
		reused += o[i]->o_uses == 1;
	}
	CHECK("cache: no constructor on reuse", nctor == 3 && ndtor == 0,
	    "expected 3 constructor and 0 destructor calls, saw %d and %d",
	    nctor, ndtor);
	CHECK("cache: freed objects keep their state", reused == 3,
	    "expected 3 objects with o_uses 1, saw %d", reused);
	for (i = 0; i < 3; i++)
		kmem_cache_free(cp, o[i]);
	CHECK("cache: counters back", counters().fc_kmem_bytes ==
	    c0.fc_kmem_bytes, "expected bytes %lld, saw %lld",
	    (long long)c0.fc_kmem_bytes, (long long)counters().fc_kmem_bytes);

	fk_kmem_reap();
	CHECK("cache: reap destructs free objects", ndtor == 3,
	    "expected 3 destructor calls, saw %d", ndtor);
	o[0] = kmem_cache_alloc(cp, KM_SLEEP);
	CHECK("cache: after a reap, objects are constructed anew",
	    nctor == 4 && o[0]->o_magic == 0xc0ffee,
	    "expected 4 constructor calls, saw %d", nctor);
	kmem_cache_free(cp, o[0]);
	kmem_cache_destroy(cp);
	CHECK("cache: destroy destructs the rest", ndtor == 4,
	    "expected 4 destructor calls, saw %d", ndtor);
}

static void
test_cache_ctor_failure(void)
{
	kmem_cache_t *cp;
	obj_t *o;

	nctor = ndtor = 0;
	cp = kmem_cache_create("failing", sizeof (obj_t), 0, obj_ctor,
	    obj_dtor, NULL, &nctor, NULL, 0);
	ctor_fail_left = 1;
	o = kmem_cache_alloc(cp, KM_NOSLEEP);
	CHECK("cache: a failed constructor fails KM_NOSLEEP", o == NULL,
	    "expected NULL, saw %p", (void *)o);
	ctor_fail_left = 2;
	o = kmem_cache_alloc(cp, KM_SLEEP);
	CHECK("cache: KM_SLEEP retries a failed constructor",
	    o != NULL && ctor_fail_left == 0 && nctor == 1,
	    "expected an object after 2 failures, saw %p (%d failures left)",
	    (void *)o, ctor_fail_left);
	kmem_cache_free(cp, o);
	kmem_cache_destroy(cp);
	CHECK("cache: no destructor for failed constructions", ndtor == 1,
	    "expected 1 destructor call, saw %d", ndtor);
}

static void
test_cache_align(void)
{
	static const size_t aligns[] = { 8, 32, 64, 256, 4096 };
	kmem_cache_t *cp;
	void *o[4];
	size_t i;
	int j, ok;

	for (i = 0; i < ARRAY_SIZE(aligns); i++) {
		char name[64];

		(void) snprintf(name, sizeof (name), "cache: align %zu",
		    aligns[i]);
		cp = kmem_cache_create(name, 72, aligns[i], NULL, NULL, NULL,
		    NULL, NULL, 0);
		ok = 1;
		for (j = 0; j < 4; j++) {
			o[j] = kmem_cache_alloc(cp, KM_SLEEP);
			ok &= IS_P2ALIGNED(o[j], aligns[i]);
			(void) memset(o[j], 0xa5, 72);
		}
		for (j = 0; j < 4; j++)
			kmem_cache_free(cp, o[j]);
		kmem_cache_destroy(cp);
		CHECK(name, ok, "expected every object aligned to %zu",
		    aligns[i]);
	}
}

static void *
intr_nosleep(void *arg)
{
	void *p;

	(void) arg;
	fk_intr_enter(5);
	p = kmem_alloc(16, KM_NOSLEEP);
	fk_intr_exit();
	if (p != NULL)
		kmem_free(p, 16);
	return (p != NULL ? arg : NULL);
}

static void
test_nosleep_in_intr(void)
{
	fk_tid_t tid;
	void *rv = NULL;

	(void) fk_thread_create(&tid, "test intr", intr_nosleep, &tid);
	(void) fk_thread_join(tid, &rv);
	CHECK("kmem: KM_NOSLEEP is allowed in interrupt context", rv == &tid,
	    "expected a buffer");
}

/*
 * Panics: the scenarios of lib/kmem_cases.c, and one that only the
 * debugging checks find.
 */
static void
die_write_after_free(void *arg)
{
	char *p = kmem_alloc(64, KM_SLEEP);

	(void) arg;
	kmem_free(p, 64);
	p[10] = 1;
	fk_kmem_reap();		/* the quarantine checks what it releases */
}

static void
test_panics(void)
{
	(void) expect_death("panic: kmem_free with the wrong size",
	    kc_die_wrong_size, NULL, ", 32): allocated with size 64");
	(void) expect_contains("panic: wrong size says who allocated",
	    expect_death_output(), fk_symbolize_lines() ?
	    "kc_die_wrong_size (kmem_cases.c:" : "kc_die_wrong_size+0x");
	(void) expect_death("panic: kmem_free twice", kc_die_double_free,
	    NULL, "double free");
	(void) expect_death("panic: write past the end", kc_overrun_free,
	    NULL, "buffer overrun");
	(void) expect_death("panic: write after free", die_write_after_free,
	    NULL, "was written after kmem_free: byte 10");
	(void) expect_death("panic: kmem_cache_destroy with objects out",
	    kc_die_cache_leak, KC_OBJECTS(2),
	    "\"leaky\"): 2 object(s) still allocated");
	(void) expect_death("panic: kmem_cache_free twice",
	    kc_die_cache_double_free, NULL, "double free");
	(void) expect_death("panic: kmem_cache_free to another cache",
	    kc_die_cache_wrong_cache, NULL, "but of cache \"cache a\"");
	(void) expect_death("panic: kmem_free of a cache object",
	    kc_die_free_cache_object, NULL, "object of kmem cache \"objects\"");
	(void) expect_death("panic: KM_SLEEP kmem_zalloc in interrupt context",
	    kc_die_sleep_in_intr, KC_INTR_ZALLOC,
	    "KM_SLEEP allocation in interrupt context");
	(void) expect_death("panic: KM_SLEEP cache alloc in interrupt context",
	    kc_die_sleep_in_intr, KC_INTR_CACHE,
	    "KM_SLEEP allocation in interrupt context");
}

int
main(void)
{
	(void) setenv("FK_QUIET", "1", 1);
	if (getenv("T_KMEM_ENV_CHILD") != NULL) {
		env_child();
		return (check_exit());
	}
	test_alloc();
	test_env_knob();
	test_nosleep_injection();
	test_backend();
	test_cache();
	test_cache_ctor_failure();
	test_cache_align();
	test_nosleep_in_intr();
	printf("# reports name functions%s\n", fk_symbolize_lines() ?
	    ", with file and line" : " only (no addr2line here)");
	test_panics();
	return (check_exit());
}

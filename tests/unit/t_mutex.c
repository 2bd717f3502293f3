/*
 * mutex(9F): owner tracking, mutual exclusion, the misuse panics, and
 * the lock-order witness (reports, counts, panics on request).
 */

#include <sys/types.h>
#include <sys/ksynch.h>
#include <sys/cmn_err.h>
#include <sys/kmem.h>
#include <fk.h>
#include <fk_impl.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lib/expect.h"
#include "lib/mutex_cases.h"

/*
 * Owner tracking.
 */
static void *
owned_elsewhere(void *arg)
{
	return ((void *)(uintptr_t)mutex_owned(arg));
}

static void *
tryenter_elsewhere(void *arg)
{
	int got = mutex_tryenter(arg);

	if (got)
		mutex_exit(arg);
	return ((void *)(uintptr_t)got);
}

static uintptr_t
on_thread(void *(*fn)(void *), void *arg)
{
	fk_tid_t tid;
	void *rv = NULL;

	if (fk_thread_create(&tid, "probe", fn, arg) != 0)
		return (UINTPTR_MAX);
	(void) fk_thread_join(tid, &rv);
	return ((uintptr_t)rv);
}

static void
test_owner(void)
{
	kmutex_t m;

	mutex_init(&m, NULL, MUTEX_DRIVER, NULL);
	CHECK("owner: not owned before enter", !mutex_owned(&m),
	    "expected mutex_owned 0, saw 1");
	mutex_enter(&m);
	CHECK("owner: owned by the owner", mutex_owned(&m) && MUTEX_HELD(&m),
	    "expected mutex_owned 1, saw 0");
	CHECK("owner: not owned by another thread",
	    on_thread(owned_elsewhere, &m) == 0,
	    "expected mutex_owned 0 on another thread, saw 1");
	CHECK("owner: tryenter fails on another thread",
	    on_thread(tryenter_elsewhere, &m) == 0,
	    "expected mutex_tryenter 0, saw 1");
	mutex_exit(&m);
	CHECK("owner: not owned after exit", MUTEX_NOT_HELD(&m),
	    "expected mutex_owned 0, saw 1");
	CHECK("owner: tryenter succeeds when free",
	    on_thread(tryenter_elsewhere, &m) == 1,
	    "expected mutex_tryenter 1, saw 0");
	CHECK("owner: tryenter takes it", mutex_tryenter(&m) == 1 &&
	    mutex_owned(&m), "expected tryenter 1 and owned");
	mutex_exit(&m);
	mutex_destroy(&m);
}

/*
 * Mutual exclusion under contention.
 */
#define	NTHREADS	4
#define	NLOOPS		100000

static kmutex_t count_lock;
static volatile uint64_t count;

static void *
count_loop(void *arg)
{
	int i;

	(void) arg;
	for (i = 0; i < NLOOPS; i++) {
		mutex_enter(&count_lock);
		count++;
		mutex_exit(&count_lock);
	}
	return (NULL);
}

static void
test_exclusion(void)
{
	fk_tid_t tids[NTHREADS];
	int i;

	mutex_init(&count_lock, "count", MUTEX_DRIVER, NULL);
	for (i = 0; i < NTHREADS; i++)
		(void) fk_thread_create(&tids[i], "counter", count_loop, NULL);
	for (i = 0; i < NTHREADS; i++)
		(void) fk_thread_join(tids[i], NULL);
	CHECK("exclusion: no lost update", count == NTHREADS * NLOOPS,
	    "expected %d, saw %llu", NTHREADS * NLOOPS,
	    (unsigned long long)count);
	mutex_destroy(&count_lock);
}

/*
 * Misuse panics.
 */
static void
die_destroy_held(void *arg)
{
	kmutex_t m;

	(void) arg;
	mutex_init(&m, NULL, MUTEX_DRIVER, NULL);
	mutex_enter(&m);
	mutex_destroy(&m);
}

static void
die_uninit(void *arg)
{
	kmutex_t m;

	(void) arg;
	(void) memset(&m, 0, sizeof (m));
	mutex_enter(&m);
}

static void
die_uninit_kmem(void *arg)
{
	kmutex_t *mp = kmem_alloc(sizeof (kmutex_t), KM_SLEEP);

	(void) arg;
	mutex_enter(mp);
}

static void
die_destroyed(void *arg)
{
	kmutex_t m;

	(void) arg;
	mutex_init(&m, NULL, MUTEX_DRIVER, NULL);
	mutex_destroy(&m);
	mutex_enter(&m);
}

static void
test_misuse(void)
{
	(void) expect_death("panic: recursive mutex_enter", mc_die_recursive,
	    NULL, "recursive mutex_enter");
	(void) expect_contains("panic: recursive enter names the lock",
	    expect_death_output(), "\"recursive\"");
	(void) expect_contains("panic: recursive enter says where",
	    expect_death_output(), "die_recursive");
	(void) expect_death("panic: recursive mutex_tryenter",
	    mc_die_recursive_try, NULL, "mutex_tryenter: recursive");
	(void) expect_death("panic: mutex_exit by a non-owner",
	    mc_die_exit_not_owner, NULL, "mutex_exit by a thread that is not "
	    "the owner");
	(void) expect_death("panic: mutex_exit of a free mutex",
	    mc_die_exit_not_held, NULL, "is not held");
	(void) expect_death("panic: mutex_destroy of a held mutex",
	    die_destroy_held, NULL, "mutex_destroy: mutex");
	(void) expect_death("panic: uninitialised mutex", die_uninit, NULL,
	    "not an initialised mutex");
	(void) expect_death("panic: mutex in uninitialised kmem memory",
	    die_uninit_kmem, NULL, "kmem_alloc memory never initialised");
	(void) expect_death("panic: destroyed mutex", die_destroyed, NULL,
	    "the mutex was destroyed");
}

/*
 * The witness, on the lock-order scenarios of lib/mutex_cases.c.
 */
static void
die_two_cycle(void *arg)
{
	(void) arg;
	(void) setenv("FK_WITNESS_PANIC", "1", 1);
	mc_run_thread("thread-ab", mc_order_ab, NULL);
	mc_run_thread("thread-ba", mc_order_ba, NULL);
}

static void
die_three_cycle(void *arg)
{
	(void) arg;
	(void) setenv("FK_WITNESS_PANIC", "1", 1);
	mc_run_thread("thread-ab", mc_order_ab, NULL);
	mc_run_thread("thread-bc", mc_order_bc, NULL);
	mc_run_thread("thread-ca", mc_order_ca, NULL);
}

/*
 * How a report names a call in function fn of lib/mutex_cases.c:
 * "fn (mutex_cases.c:" where reports carry file and line
 * (fk_symbolize_lines()), "fn+0x" from the symbol table otherwise.
 */
static const char *
site(char *buf, size_t len, const char *fn)
{
	(void) snprintf(buf, len, fk_symbolize_lines() ? "%s (mutex_cases.c:" :
	    "%s+0x", fn);
	return (buf);
}

static void
test_witness_panics(void)
{
	const char *out;
	char s[64];

	(void) expect_death("witness: 2-cycle panics with FK_WITNESS_PANIC=1",
	    die_two_cycle, NULL, "witness: lock order reversal");
	out = expect_death_output();
	(void) expect_contains("witness: 2-cycle counts the classes", out,
	    "a cycle of 2 lock classes");
	(void) expect_contains("witness: report has the new order", out,
	    "new order, thread \"thread-ba\": held \"lock_b\"");
	(void) expect_contains("witness: report has the earlier order", out,
	    "earlier order, thread \"thread-ab\": held \"lock_a\"");
	(void) expect_contains("witness: new order's acquisition site", out,
	    site(s, sizeof (s), "mc_order_ba"));
	(void) expect_contains("witness: earlier order's acquisition site",
	    out, site(s, sizeof (s), "mc_take_two"));
	(void) expect_contains("witness: earlier order's stack", out,
	    site(s, sizeof (s), "mc_order_ab"));
	(void) expect_contains("witness: class init site", out,
	    site(s, sizeof (s), "mutex_init at mc_init_abc"));
	printf("# a witness report, as a driver developer sees it:\n");
	{
		const char *p = out, *nl;

		while ((nl = strchr(p, '\n')) != NULL) {
			if (strstr(p, "witness") != NULL &&
			    strstr(p, "witness") < nl)
				printf("#   %.*s\n", (int)(nl - p), p);
			p = nl + 1;
		}
	}

	(void) expect_death("witness: 3-cycle panics", die_three_cycle, NULL,
	    "a cycle of 3 lock classes");
	out = expect_death_output();
	(void) expect_contains("witness: 3-cycle new edge", out,
	    "new order, thread \"thread-ca\": held \"lock_c\"");
	(void) expect_contains("witness: 3-cycle edge a->b", out,
	    "thread \"thread-ab\": held \"lock_a\"");
	(void) expect_contains("witness: 3-cycle edge b->c", out,
	    "thread \"thread-bc\": held \"lock_b\"");
}

/*
 * Locks of one class (one init site), taken in both orders.  (The barrier
 * keeps mutex_init from being a tail call, which would make the class
 * this function's callers.)
 */
static void __attribute__((noinline))
init_pair(kmutex_t *m)
{
	mutex_init(m, "pair", MUTEX_DRIVER, NULL);
	__asm__ __volatile__("" ::: "memory");
}

static void
test_witness_counts(void)
{
	kmutex_t p1, p2;
	uint64_t before;

	(void) unsetenv("FK_WITNESS_PANIC");
	before = mc_witness_reports();
	mc_run_thread("consistent-1", mc_order_ab, NULL);
	mc_run_thread("consistent-2", mc_order_ab, NULL);
	mc_run_thread("consistent-3", mc_order_bc, NULL);
	CHECK("witness: a consistent order is not reported",
	    mc_witness_reports() == before, "expected %llu reports, saw %llu",
	    (unsigned long long)before,
	    (unsigned long long)mc_witness_reports());

	mc_run_thread("reverse", mc_order_ba, NULL);
	CHECK("witness: a reversal is reported once",
	    mc_witness_reports() == before + 1, "expected %llu reports, saw "
	    "%llu", (unsigned long long)before + 1,
	    (unsigned long long)mc_witness_reports());
	mc_run_thread("reverse-again", mc_order_ba, NULL);
	mc_run_thread("forward-again", mc_order_ab, NULL);
	CHECK("witness: the same cycle is not reported again",
	    mc_witness_reports() == before + 1, "expected %llu reports, saw "
	    "%llu", (unsigned long long)before + 1,
	    (unsigned long long)mc_witness_reports());
	CHECK("witness: the report is in the log",
	    fk_log_find("witness: lock order reversal", 0) >= 0,
	    "expected a logged message, found none");

	init_pair(&p1);
	init_pair(&p2);
	before = mc_witness_reports();
	mc_take_two(&p1, &p2);
	mc_take_two(&p2, &p1);
	CHECK("witness: locks of one class are not ordered",
	    mc_witness_reports() == before, "expected no report, saw %llu",
	    (unsigned long long)(mc_witness_reports() - before));
	mutex_destroy(&p1);
	mutex_destroy(&p2);
}

int
main(void)
{
	(void) setenv("FK_QUIET", "1", 1);
	printf("# reports name functions%s\n", fk_symbolize_lines() ?
	    ", with file and line" : " only (no addr2line here)");
	mc_init_abc();
	test_owner();
	test_exclusion();
	test_misuse();
	test_witness_panics();
	test_witness_counts();
	return (check_exit());
}

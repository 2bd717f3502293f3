/*
 * mutex(9F) in the production configuration (FK_DEBUG=0, set before the
 * fakekernel's first use): the lock-order witness is off (no class, no
 * report, fc_witness_reports stays 0), while owner tracking, the held
 * list and their panics stay.
 */

#include <sys/types.h>
#include <sys/ksynch.h>
#include <sys/cmn_err.h>
#include <fk.h>
#include <fk_impl.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "lib/expect.h"

static kmutex_t lock_a, lock_b, lock_c;

static void
run_thread(const char *name, void *(*fn)(void *), void *arg)
{
	pthread_t tid;

	if (fk_thread_create(&tid, name, fn, arg) != 0) {
		check_fail("thread", "could not create thread %s", name);
		return;
	}
	(void) pthread_join(tid, NULL);
}

static void
take_two(kmutex_t *first, kmutex_t *second)
{
	mutex_enter(first);
	mutex_enter(second);
	mutex_exit(second);
	mutex_exit(first);
}

static void *
order_ab(void *arg)
{
	(void) arg;
	take_two(&lock_a, &lock_b);
	return (NULL);
}

static void *
order_ba(void *arg)
{
	(void) arg;
	take_two(&lock_b, &lock_a);
	return (NULL);
}

static void *
order_bc(void *arg)
{
	(void) arg;
	take_two(&lock_b, &lock_c);
	return (NULL);
}

static void *
order_ca(void *arg)
{
	(void) arg;
	take_two(&lock_c, &lock_a);
	return (NULL);
}

static uint64_t
witness_reports(void)
{
	return (__atomic_load_n(&fk_counters.fc_witness_reports,
	    __ATOMIC_SEQ_CST));
}

/* Cycles of two and three classes, each reported with the witness on. */
static void
test_no_witness(void)
{
	mutex_init(&lock_a, "lock_a", MUTEX_DRIVER, NULL);
	mutex_init(&lock_b, "lock_b", MUTEX_DRIVER, NULL);
	mutex_init(&lock_c, "lock_c", MUTEX_DRIVER, NULL);
	CHECK("FK_DEBUG=0: mutexes get no witness class",
	    lock_a.m_class == 0 && lock_b.m_class == 0 && lock_c.m_class == 0,
	    "expected class 0 for all, saw %u %u %u", lock_a.m_class,
	    lock_b.m_class, lock_c.m_class);

	run_thread("thread-ab", order_ab, NULL);
	run_thread("thread-ba", order_ba, NULL);
	CHECK("FK_DEBUG=0: a 2-class cycle is not reported",
	    witness_reports() == 0, "expected 0 witness reports, saw %llu",
	    (unsigned long long)witness_reports());

	run_thread("thread-bc", order_bc, NULL);
	run_thread("thread-ca", order_ca, NULL);
	CHECK("FK_DEBUG=0: a 3-class cycle is not reported",
	    witness_reports() == 0, "expected 0 witness reports, saw %llu",
	    (unsigned long long)witness_reports());
	CHECK("FK_DEBUG=0: nothing from the witness in the log",
	    fk_log_find("witness:", 0) < 0,
	    "expected no \"witness:\" message, found one");
}

/*
 * Owner tracking stays.
 */
static void *
owned_elsewhere(void *arg)
{
	return ((void *)(uintptr_t)mutex_owned(arg));
}

static void
test_owner(void)
{
	pthread_t tid;
	void *rv = (void *)1;
	kmutex_t m;

	mutex_init(&m, NULL, MUTEX_DRIVER, NULL);
	CHECK("FK_DEBUG=0: MUTEX_NOT_HELD before enter", MUTEX_NOT_HELD(&m),
	    "expected mutex_owned 0, saw 1");
	mutex_enter(&m);
	CHECK("FK_DEBUG=0: MUTEX_HELD by the owner", MUTEX_HELD(&m),
	    "expected mutex_owned 1, saw 0");
	if (fk_thread_create(&tid, "probe", owned_elsewhere, &m) == 0)
		(void) pthread_join(tid, &rv);
	CHECK("FK_DEBUG=0: not held by another thread", rv == NULL,
	    "expected mutex_owned 0 on another thread, saw %p", rv);
	mutex_exit(&m);
	CHECK("FK_DEBUG=0: MUTEX_NOT_HELD after exit", MUTEX_NOT_HELD(&m),
	    "expected mutex_owned 0, saw 1");
	mutex_destroy(&m);
}

static void
die_recursive(void *arg)
{
	kmutex_t m;

	(void) arg;
	mutex_init(&m, "recursive", MUTEX_DRIVER, NULL);
	mutex_enter(&m);
	mutex_enter(&m);
}

static void
die_recursive_try(void *arg)
{
	kmutex_t m;

	(void) arg;
	mutex_init(&m, NULL, MUTEX_DRIVER, NULL);
	mutex_enter(&m);
	(void) mutex_tryenter(&m);
}

static void *
hold_forever(void *arg)
{
	mutex_enter(arg);
	for (;;)
		(void) pause();
	return (NULL);
}

static void
die_exit_not_owner(void *arg)
{
	static kmutex_t m;
	pthread_t tid;

	(void) arg;
	mutex_init(&m, "owned elsewhere", MUTEX_DRIVER, NULL);
	(void) fk_thread_create(&tid, "holder", hold_forever, &m);
	while (__atomic_load_n(&m.m_owner, __ATOMIC_ACQUIRE) == NULL)
		(void) usleep(1000);
	mutex_exit(&m);
}

static void
die_exit_not_held(void *arg)
{
	kmutex_t m;

	(void) arg;
	mutex_init(&m, NULL, MUTEX_DRIVER, NULL);
	mutex_exit(&m);
}

/* The held list stays: blocking with a mutex held is still found. */
static void
die_block_holding(void *arg)
{
	kmutex_t m;

	(void) arg;
	mutex_init(&m, "held", MUTEX_DRIVER, NULL);
	mutex_enter(&m);
	fk_assert_unlocked("blocking");
}

static void
test_misuse(void)
{
	(void) expect_death("FK_DEBUG=0: recursive mutex_enter panics",
	    die_recursive, NULL, "recursive mutex_enter");
	(void) expect_death("FK_DEBUG=0: recursive mutex_tryenter panics",
	    die_recursive_try, NULL, "mutex_tryenter: recursive");
	(void) expect_death("FK_DEBUG=0: mutex_exit by a non-owner panics",
	    die_exit_not_owner, NULL, "mutex_exit by a thread that is not "
	    "the owner");
	(void) expect_death("FK_DEBUG=0: mutex_exit of a free mutex panics",
	    die_exit_not_held, NULL, "is not held");
	(void) expect_death("FK_DEBUG=0: the held list names a held mutex",
	    die_block_holding, NULL, "blocking with a mutex held");
}

int
main(void)
{
	/* Before the fakekernel's first use: mutex_init reads it once. */
	(void) setenv("FK_DEBUG", "0", 1);
	(void) setenv("FK_QUIET", "1", 1);
	test_no_witness();
	test_owner();
	test_misuse();
	return (check_exit());
}

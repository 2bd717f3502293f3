/*
 * mutex(9F) in the production configuration (FK_DEBUG=0, set before the
 * fakekernel's first use): the lock-order witness is off (no class, no
 * report, fc_witness_reports stays 0), and so is the held list, as on a
 * non-DEBUG illumos kernel; owner tracking and its panics stay.
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

#include "check.h"
#include "lib/expect.h"
#include "lib/mutex_cases.h"

/* The cycles of lib/mutex_cases.c (t_mutex sees the witness report them). */
static void
test_no_witness(void)
{
	mc_init_abc();
	CHECK("FK_DEBUG=0: mutexes get no witness class",
	    mc_lock_a.m_class == 0 && mc_lock_b.m_class == 0 &&
	    mc_lock_c.m_class == 0, "expected class 0 for all, saw %u %u %u",
	    mc_lock_a.m_class, mc_lock_b.m_class, mc_lock_c.m_class);

	mc_run_thread("thread-ab", mc_order_ab, NULL);
	mc_run_thread("thread-ba", mc_order_ba, NULL);
	CHECK("FK_DEBUG=0: a 2-class cycle is not reported",
	    mc_witness_reports() == 0, "expected 0 witness reports, saw %llu",
	    (unsigned long long)mc_witness_reports());

	mc_run_thread("thread-bc", mc_order_bc, NULL);
	mc_run_thread("thread-ca", mc_order_ca, NULL);
	CHECK("FK_DEBUG=0: a 3-class cycle is not reported",
	    mc_witness_reports() == 0, "expected 0 witness reports, saw %llu",
	    (unsigned long long)mc_witness_reports());
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
	fk_tid_t tid;
	void *rv = (void *)1;
	kmutex_t m;

	mutex_init(&m, NULL, MUTEX_DRIVER, NULL);
	CHECK("FK_DEBUG=0: MUTEX_NOT_HELD before enter", MUTEX_NOT_HELD(&m),
	    "expected mutex_owned 0, saw 1");
	mutex_enter(&m);
	CHECK("FK_DEBUG=0: MUTEX_HELD by the owner", MUTEX_HELD(&m),
	    "expected mutex_owned 1, saw 0");
	if (fk_thread_create(&tid, "probe", owned_elsewhere, &m) == 0)
		(void) fk_thread_join(tid, &rv);
	CHECK("FK_DEBUG=0: not held by another thread", rv == NULL,
	    "expected mutex_owned 0 on another thread, saw %p", rv);
	mutex_exit(&m);
	CHECK("FK_DEBUG=0: MUTEX_NOT_HELD after exit", MUTEX_NOT_HELD(&m),
	    "expected mutex_owned 0, saw 1");
	mutex_destroy(&m);
}

/*
 * No held list: blocking with a mutex held is not found (a non-DEBUG
 * kernel does not look); the mutex is still owned.
 */
static void
test_no_held_list(void)
{
	kmutex_t m;

	mutex_init(&m, "held", MUTEX_DRIVER, NULL);
	mutex_enter(&m);
	fk_assert_unlocked("blocking");
	CHECK("FK_DEBUG=0: no held list, no check of locks held at a block",
	    fk_curthread()->t_nheld == 0 && MUTEX_HELD(&m),
	    "expected no held list and the mutex owned, saw %d held",
	    fk_curthread()->t_nheld);
	mutex_exit(&m);
	mutex_destroy(&m);
}

static void
test_misuse(void)
{
	(void) expect_death("FK_DEBUG=0: recursive mutex_enter panics",
	    mc_die_recursive, NULL, "recursive mutex_enter");
	(void) expect_death("FK_DEBUG=0: recursive mutex_tryenter panics",
	    mc_die_recursive_try, NULL, "mutex_tryenter: recursive");
	(void) expect_death("FK_DEBUG=0: mutex_exit by a non-owner panics",
	    mc_die_exit_not_owner, NULL, "mutex_exit by a thread that is not "
	    "the owner");
	(void) expect_death("FK_DEBUG=0: mutex_exit of a free mutex panics",
	    mc_die_exit_not_held, NULL, "is not held");
}

int
main(void)
{
	/* Before the fakekernel's first use: mutex_init reads it once. */
	(void) setenv("FK_DEBUG", "0", 1);
	(void) setenv("FK_QUIET", "1", 1);
	test_no_witness();
	test_owner();
	test_no_held_list();
	test_misuse();
	return (check_exit());
}

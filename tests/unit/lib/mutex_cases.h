/*
 * mutex(9F) scenarios that hold in every configuration of the
 * fakekernel, shared by t_mutex (the default, FK_DEBUG=1) and
 * t_mutex_prod (FK_DEBUG=0).
 *
 * Lock order: three locks named "lock_a", "lock_b" and "lock_c", each of
 * its own class (one init site each, in mc_init_abc()), and thread bodies
 * that take two of them in an order: mc_order_ab and mc_order_bc through
 * mc_take_two(), mc_order_ba and mc_order_ca directly, so that a report
 * of the reversal they close names them as the acquisition site.  Every
 * one of these is a function of its own (noinline) for the reports to
 * name; mc_run_thread() runs one on a named fakekernel thread.
 *
 * Misuse: functions for expect_death() (lib/expect.h) that must panic
 * with or without the debugging checks:
 *   mc_die_recursive		mutex_enter of a mutex the thread holds
 *				(named "recursive")
 *   mc_die_recursive_try	mutex_tryenter of one the thread holds
 *   mc_die_exit_not_owner	mutex_exit of one another thread holds
 *   mc_die_exit_not_held	mutex_exit of a free one
 */
#ifndef _TESTS_UNIT_LIB_MUTEX_CASES_H
#define	_TESTS_UNIT_LIB_MUTEX_CASES_H

#include <sys/types.h>
#include <sys/ksynch.h>
#include <fk_impl.h>
#include <pthread.h>

#include "check.h"

extern kmutex_t mc_lock_a, mc_lock_b, mc_lock_c;

extern void mc_init_abc(void);
extern void mc_take_two(kmutex_t *, kmutex_t *);
extern void *mc_order_ab(void *);
extern void *mc_order_ba(void *);
extern void *mc_order_bc(void *);
extern void *mc_order_ca(void *);
extern uint64_t mc_witness_reports(void);

extern void mc_die_recursive(void *);
extern void mc_die_recursive_try(void *);
extern void mc_die_exit_not_owner(void *);
extern void mc_die_exit_not_held(void *);

/* Run fn(arg) on a fakekernel thread called name and wait for it. */
static inline void
mc_run_thread(const char *name, void *(*fn)(void *), void *arg)
{
	fk_tid_t tid;

	if (fk_thread_create(&tid, name, fn, arg) != 0) {
		check_fail("thread", "could not create thread %s", name);
		return;
	}
	(void) fk_thread_join(tid, NULL);
}

#endif /* _TESTS_UNIT_LIB_MUTEX_CASES_H */

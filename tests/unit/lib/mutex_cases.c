/*
 * mutex(9F) scenarios of every configuration (see mutex_cases.h).
 */

#include <sys/types.h>
#include <sys/ksynch.h>
#include <fk.h>
#include <fk_impl.h>

#include <pthread.h>
#include <unistd.h>

#include "mutex_cases.h"

kmutex_t mc_lock_a, mc_lock_b, mc_lock_c;

/*
 * Lock order.  (The barrier keeps the last mutex_init from being a tail
 * call, which would make the class of lock_c this function's caller.)
 */
void __attribute__((noinline))
mc_init_abc(void)
{
	mutex_init(&mc_lock_a, "lock_a", MUTEX_DRIVER, NULL);
	mutex_init(&mc_lock_b, "lock_b", MUTEX_DRIVER, NULL);
	mutex_init(&mc_lock_c, "lock_c", MUTEX_DRIVER, NULL);
	__asm__ __volatile__("" ::: "memory");
}

void __attribute__((noinline))
mc_take_two(kmutex_t *first, kmutex_t *second)
{
	mutex_enter(first);
	mutex_enter(second);
	mutex_exit(second);
	mutex_exit(first);
}

void *__attribute__((noinline))
mc_order_ab(void *arg)
{
	(void) arg;
	mc_take_two(&mc_lock_a, &mc_lock_b);
	return (NULL);
}

void *__attribute__((noinline))
mc_order_ba(void *arg)
{
	(void) arg;
	mutex_enter(&mc_lock_b);
	mutex_enter(&mc_lock_a);
	mutex_exit(&mc_lock_a);
	mutex_exit(&mc_lock_b);
	return (NULL);
}

void *__attribute__((noinline))
mc_order_bc(void *arg)
{
	(void) arg;
	mc_take_two(&mc_lock_b, &mc_lock_c);
	return (NULL);
}

void *__attribute__((noinline))
mc_order_ca(void *arg)
{
	(void) arg;
	mutex_enter(&mc_lock_c);
	mutex_enter(&mc_lock_a);
	mutex_exit(&mc_lock_a);
	mutex_exit(&mc_lock_c);
	return (NULL);
}

uint64_t
mc_witness_reports(void)
{
	return (__atomic_load_n(&fk_counters.fc_witness_reports,
	    __ATOMIC_SEQ_CST));
}

/*
 * Misuse.
 */
void
mc_die_recursive(void *arg)
{
	kmutex_t m;

	(void) arg;
	mutex_init(&m, "recursive", MUTEX_DRIVER, NULL);
	mutex_enter(&m);
	mutex_enter(&m);
}

void
mc_die_recursive_try(void *arg)
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

void
mc_die_exit_not_owner(void *arg)
{
	static kmutex_t m;
	fk_tid_t tid;

	(void) arg;
	mutex_init(&m, "owned elsewhere", MUTEX_DRIVER, NULL);
	(void) fk_thread_create(&tid, "holder", hold_forever, &m);
	while (__atomic_load_n(&m.m_owner, __ATOMIC_ACQUIRE) == NULL)
		(void) usleep(1000);
	mutex_exit(&m);
}

void
mc_die_exit_not_held(void *arg)
{
	kmutex_t m;

	(void) arg;
	mutex_init(&m, NULL, MUTEX_DRIVER, NULL);
	mutex_exit(&m);
}

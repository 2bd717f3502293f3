/*
 * Threads and contexts: per-thread structures and names, interrupt
 * context marking and nesting, CPU, and the panics (a handler returning
 * with a lock held, a thread returning with one, a blocking call in
 * interrupt context, fk_intr_exit outside interrupt context); and the
 * host locks under them (fk_host.h): exclusion under contention,
 * condition variables with and without deadlines, fk_once.
 */

#define	_GNU_SOURCE	/* sched_getcpu, pthread_setname_np */

#include <sys/types.h>
#include <sys/ksynch.h>
#include <sys/cpuvar.h>
#include <sys/time.h>
#include <fk.h>
#include <fk_impl.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "lib/expect.h"

static void *
self(void *arg)
{
	(void) arg;
	return (fk_curthread());
}

typedef struct seen {
	char	s_name[32];
	int	s_same;
} seen_t;

static void *
record_name(void *arg)
{
	seen_t *s = arg;
	fk_thread_t *t = fk_curthread();

	(void) strcpy(s->s_name, t->t_name);
	s->s_same = fk_curthread() == t && t->t_tid == fk_thread_self();
	return (NULL);
}

static void *
foreign(void *arg)
{
	(void) pthread_setname_np(pthread_self(), "foreigner");
	return (record_name(arg));
}

static void
test_threads(void)
{
	fk_thread_t *me = fk_curthread();
	fk_tid_t tid;
	pthread_t ptid;
	void *other = NULL;
	seen_t s;

	CHECK("thread: the main thread is \"main\"",
	    strcmp(me->t_name, "main") == 0, "expected \"main\", saw \"%s\"",
	    me->t_name);
	CHECK("thread: fk_curthread is stable", fk_curthread() == me,
	    "expected the same structure");
	(void) fk_thread_create(&tid, "worker", self, NULL);
	(void) fk_thread_join(tid, &other);
	CHECK("thread: another thread has its own", other != NULL &&
	    other != me, "expected a different structure");

	(void) memset(&s, 0, sizeof (s));
	(void) fk_thread_create(&tid, "named worker", record_name, &s);
	(void) fk_thread_join(tid, NULL);
	CHECK("thread: fk_thread_create names the thread",
	    strcmp(s.s_name, "named worker") == 0 && s.s_same,
	    "expected \"named worker\", saw \"%s\"", s.s_name);

	(void) memset(&s, 0, sizeof (s));
	(void) pthread_create(&ptid, NULL, foreign, &s);
	(void) pthread_join(ptid, NULL);
	CHECK("thread: a foreign thread is adopted with its name",
	    strcmp(s.s_name, "foreigner") == 0 && s.s_same,
	    "expected \"foreigner\", saw \"%s\"", s.s_name);
}

static void
test_intr(void)
{
	kmutex_t m;
	int outside, inside, nested, after;

	mutex_init(&m, NULL, MUTEX_DRIVER, NULL);
	outside = fk_in_intr();
	fk_assert_may_block("test");		/* fine outside */
	fk_intr_enter(4);
	inside = fk_in_intr() && fk_curthread()->t_intr_pri == 4;
	mutex_enter(&m);			/* mutexes are fine inside */
	fk_intr_enter(6);
	nested = fk_in_intr() && fk_curthread()->t_intr_pri == 6;
	fk_intr_exit();
	mutex_exit(&m);
	fk_intr_exit();
	after = fk_in_intr();
	CHECK("intr: not in interrupt context by default", !outside,
	    "expected 0");
	CHECK("intr: fk_intr_enter marks the thread", inside,
	    "expected in interrupt context at priority 4");
	CHECK("intr: entries nest", nested, "expected priority 6 nested");
	CHECK("intr: fk_intr_exit ends it", !after, "expected 0 after");
	mutex_destroy(&m);
}

static void
test_cpu(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	cpu_t *c = CPU, *d = CPU;

	CHECK("CPU->cpu_id is a CPU", c != NULL && c->cpu_id >= 0 &&
	    c->cpu_id < ncpu, "expected 0..%ld, saw %d", ncpu - 1,
	    c != NULL ? c->cpu_id : -1);
	CHECK("CPU is one structure per CPU",
	    c->cpu_id != d->cpu_id || c == d, "expected a stable pointer");
}

/*
 * Panics.
 */
static kmutex_t lk;

static void *
handler_keeps_lock(void *arg)
{
	(void) arg;
	fk_intr_enter(5);
	mutex_enter(&lk);
	fk_intr_exit();
	return (NULL);
}

static void *
thread_keeps_lock(void *arg)
{
	(void) arg;
	mutex_enter(&lk);
	return (NULL);
}

static void *
blocking_in_intr(void *arg)
{
	fk_intr_enter(5);
	fk_assert_may_block(arg);
	fk_intr_exit();
	return (NULL);
}

static void
run(void *(*fn)(void *), void *arg)
{
	fk_tid_t tid;

	mutex_init(&lk, "kept", MUTEX_DRIVER, NULL);
	(void) fk_thread_create(&tid, "test intr", fn, arg);
	(void) fk_thread_join(tid, NULL);
}

static void
die_handler_keeps_lock(void *arg)
{
	(void) arg;
	run(handler_keeps_lock, NULL);
}

static void
die_thread_keeps_lock(void *arg)
{
	(void) arg;
	run(thread_keeps_lock, NULL);
}

static void
die_taskq_wait_in_intr(void *arg)
{
	(void) arg;
	run(blocking_in_intr, "ddi_taskq_wait");
}

static void
die_exit_without_enter(void *arg)
{
	(void) arg;
	fk_intr_exit();
}

static void
test_panics(void)
{
	(void) expect_death("panic: handler returns holding a mutex",
	    die_handler_keeps_lock, NULL,
	    "interrupt handler returned holding a mutex");
	(void) expect_contains("panic: names the mutex", expect_death_output(),
	    "\"kept\"");
	(void) expect_death("panic: thread returns holding a mutex",
	    die_thread_keeps_lock, NULL, "thread return with a mutex held");
	(void) expect_death("panic: blocking call in interrupt context",
	    die_taskq_wait_in_intr, NULL,
	    "ddi_taskq_wait in interrupt context (thread \"test intr\", "
	    "interrupt priority 5");
	(void) expect_death("panic: fk_intr_exit outside interrupt context",
	    die_exit_without_enter, NULL, "is not in interrupt context");
}

/*
 * Host locks.
 */
#define	NLOCKERS	4
#define	NROUNDS		20000

static fk_lock_t hl_lock = FK_LOCK_INIT;
static fk_cond_t hl_cv = FK_COND_INIT;
static uint64_t hl_count;
static int hl_ready;
static int hl_onces;

static void *
count_locked(void *arg)
{
	int i;

	(void) arg;
	for (i = 0; i < NROUNDS; i++) {
		fk_lock_enter(&hl_lock);
		hl_count++;		/* not atomic: the lock makes it so */
		fk_lock_exit(&hl_lock);
	}
	return (NULL);
}

static void *
set_ready(void *arg)
{
	(void) arg;
	(void) usleep(20000);
	fk_lock_enter(&hl_lock);
	hl_ready = 1;
	fk_cond_broadcast(&hl_cv);
	fk_lock_exit(&hl_lock);
	return (NULL);
}

static void
once_fn(void)
{
	(void) usleep(10000);
	__atomic_add_fetch(&hl_onces, 1, __ATOMIC_SEQ_CST);
}

static fk_once_t hl_once = FK_ONCE_INIT;

static void *
run_once(void *arg)
{
	(void) arg;
	fk_once(&hl_once, once_fn);
	return ((void *)(uintptr_t)__atomic_load_n(&hl_onces,
	    __ATOMIC_SEQ_CST));
}

static void
test_host_locks(void)
{
	fk_tid_t tids[NLOCKERS];
	hrtime_t t0, deadline;
	void *rv;
	int i, rc, seen = 1;

	for (i = 0; i < NLOCKERS; i++)
		(void) fk_thread_create(&tids[i], "locker", count_locked, NULL);
	for (i = 0; i < NLOCKERS; i++)
		(void) fk_thread_join(tids[i], NULL);
	CHECK("host lock: excludes under contention",
	    hl_count == (uint64_t)NLOCKERS * NROUNDS, "expected %d, saw %llu",
	    NLOCKERS * NROUNDS, (unsigned long long)hl_count);
	CHECK("host lock: tryenter of a free lock takes it",
	    fk_lock_tryenter(&hl_lock), "expected 1");
	CHECK("host lock: tryenter of a held lock fails",
	    !fk_lock_tryenter(&hl_lock), "expected 0");
	fk_lock_exit(&hl_lock);

	fk_lock_enter(&hl_lock);
	t0 = gethrtime();
	deadline = t0 + MSEC2NSEC(30);
	rc = fk_cond_wait(&hl_cv, &hl_lock, deadline);
	CHECK("host cv: a deadline with no signal times out",
	    rc == ETIMEDOUT && gethrtime() >= deadline,
	    "expected ETIMEDOUT at or after the deadline, saw %d after "
	    "%lld ns", rc, (long long)(gethrtime() - t0));
	fk_cond_signal(&hl_cv);		/* nobody waits: nothing happens */
	(void) fk_thread_create(&tids[0], "ready", set_ready, NULL);
	while (!hl_ready)
		(void) fk_cond_wait(&hl_cv, &hl_lock, 0);
	fk_lock_exit(&hl_lock);
	(void) fk_thread_join(tids[0], NULL);
	CHECK("host cv: a broadcast wakes the waiter", hl_ready == 1,
	    "expected the flag set");

	for (i = 0; i < NLOCKERS; i++)
		(void) fk_thread_create(&tids[i], "once", run_once, NULL);
	for (i = 0; i < NLOCKERS; i++) {
		(void) fk_thread_join(tids[i], &rv);
		seen &= rv == (void *)1;
	}
	CHECK("host once: runs once, and every caller returns after it",
	    hl_onces == 1 && seen, "expected 1 run seen by all, saw %d",
	    hl_onces);
}

int
main(void)
{
	(void) setenv("FK_QUIET", "1", 1);
	test_threads();
	test_intr();
	test_cpu();
	test_host_locks();
	test_panics();
	return (check_exit());
}

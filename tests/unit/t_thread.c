/*
 * Threads and contexts: per-thread structures and names, interrupt
 * context marking and nesting, CPU, and the panics (a handler returning
 * with a lock held, a thread returning with one, a blocking call in
 * interrupt context, fk_intr_exit outside interrupt context).
 */

#define	_GNU_SOURCE	/* sched_getcpu, pthread_setname_np */

#include <sys/types.h>
#include <sys/ksynch.h>
#include <sys/cpuvar.h>
#include <fk.h>
#include <fk_impl.h>

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
	s->s_same = fk_curthread() == t && pthread_equal(t->t_tid,
	    pthread_self());
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
	pthread_t tid;
	void *other = NULL;
	seen_t s;

	CHECK("thread: the main thread is \"main\"",
	    strcmp(me->t_name, "main") == 0, "expected \"main\", saw \"%s\"",
	    me->t_name);
	CHECK("thread: fk_curthread is stable", fk_curthread() == me,
	    "expected the same structure");
	(void) fk_thread_create(&tid, "worker", self, NULL);
	(void) pthread_join(tid, &other);
	CHECK("thread: another thread has its own", other != NULL &&
	    other != me, "expected a different structure");

	(void) memset(&s, 0, sizeof (s));
	(void) fk_thread_create(&tid, "named worker", record_name, &s);
	(void) pthread_join(tid, NULL);
	CHECK("thread: fk_thread_create names the thread",
	    strcmp(s.s_name, "named worker") == 0 && s.s_same,
	    "expected \"named worker\", saw \"%s\"", s.s_name);

	(void) memset(&s, 0, sizeof (s));
	(void) pthread_create(&tid, NULL, foreign, &s);
	(void) pthread_join(tid, NULL);
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
	pthread_t tid;

	mutex_init(&lk, "kept", MUTEX_DRIVER, NULL);
	(void) fk_thread_create(&tid, "test intr", fn, arg);
	(void) pthread_join(tid, NULL);
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

int
main(void)
{
	(void) setenv("FK_QUIET", "1", 1);
	test_threads();
	test_intr();
	test_cpu();
	test_panics();
	return (check_exit());
}

/*
 * condvar(9F): wakeups, timeouts (within generous bounds), the mutex
 * after a wait, and the misuse panics (waits in interrupt context, waits
 * without the mutex, two mutexes, destroy with waiters).
 */

#include <sys/types.h>
#include <sys/ksynch.h>
#include <sys/ddi.h>
#include <sys/time.h>
#include <fk.h>
#include <fk_impl.h>

#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "lib/expect.h"

typedef struct box {
	kmutex_t	b_lock;
	kcondvar_t	b_cv;
	int		b_value;
	int		b_woken;
} box_t;

static void
box_init(box_t *b)
{
	mutex_init(&b->b_lock, "box", MUTEX_DRIVER, NULL);
	cv_init(&b->b_cv, NULL, CV_DRIVER, NULL);
	b->b_value = 0;
	b->b_woken = 0;
}

static void
box_fini(box_t *b)
{
	cv_destroy(&b->b_cv);
	mutex_destroy(&b->b_lock);
}

static hrtime_t
now_ns(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((hrtime_t)ts.tv_sec * NANOSEC + ts.tv_nsec);
}

/*
 * A waiter: waits until b_value is set, counts itself woken.
 */
static void *
waiter(void *arg)
{
	box_t *b = arg;

	mutex_enter(&b->b_lock);
	while (b->b_value == 0)
		cv_wait(&b->b_cv, &b->b_lock);
	if (mutex_owned(&b->b_lock))
		b->b_woken++;
	mutex_exit(&b->b_lock);
	return (NULL);
}

static void
test_signal(void)
{
	box_t b;
	fk_tid_t tid;

	box_init(&b);
	(void) fk_thread_create(&tid, "waiter", waiter, &b);
	(void) usleep(20000);
	mutex_enter(&b.b_lock);
	b.b_value = 1;
	cv_signal(&b.b_cv);
	mutex_exit(&b.b_lock);
	(void) fk_thread_join(tid, NULL);
	CHECK("cv_signal wakes the waiter, which owns the mutex",
	    b.b_woken == 1, "expected 1 woken owner, saw %d", b.b_woken);
	box_fini(&b);
}

#define	NWAITERS	4

static void
test_broadcast(void)
{
	fk_tid_t tids[NWAITERS];
	box_t b;
	int i;

	box_init(&b);
	for (i = 0; i < NWAITERS; i++)
		(void) fk_thread_create(&tids[i], "waiter", waiter, &b);
	(void) usleep(20000);
	mutex_enter(&b.b_lock);
	b.b_value = 1;
	cv_broadcast(&b.b_cv);
	mutex_exit(&b.b_lock);
	for (i = 0; i < NWAITERS; i++)
		(void) fk_thread_join(tids[i], NULL);
	CHECK("cv_broadcast wakes every waiter", b.b_woken == NWAITERS,
	    "expected %d woken, saw %d", NWAITERS, b.b_woken);
	box_fini(&b);
}

static void
test_timedwait(void)
{
	box_t b;
	clock_t rv, ticks = drv_usectohz(100000);
	hrtime_t t0, dt;

	box_init(&b);
	mutex_enter(&b.b_lock);
	t0 = now_ns();
	rv = cv_timedwait(&b.b_cv, &b.b_lock, ddi_get_lbolt() + ticks);
	dt = now_ns() - t0;
	CHECK("cv_timedwait: -1 on timeout", rv == -1,
	    "expected -1, saw %ld", (long)rv);
	CHECK("cv_timedwait: waited about 100 ms",
	    dt >= MSEC2NSEC(90) && dt < MSEC2NSEC(2000),
	    "expected 90..2000 ms, saw %lld ms", (long long)NSEC2MSEC(dt));
	CHECK("cv_timedwait: mutex held after", mutex_owned(&b.b_lock),
	    "expected the caller to own the mutex");

	t0 = now_ns();
	rv = cv_timedwait(&b.b_cv, &b.b_lock, ddi_get_lbolt() - 1);
	dt = now_ns() - t0;
	CHECK("cv_timedwait: a past time returns -1 at once",
	    rv == -1 && dt < MSEC2NSEC(50), "expected -1 within 50 ms, saw "
	    "%ld after %lld ms", (long)rv, (long long)NSEC2MSEC(dt));

	t0 = now_ns();
	rv = cv_reltimedwait(&b.b_cv, &b.b_lock, ticks, TR_CLOCK_TICK);
	dt = now_ns() - t0;
	CHECK("cv_reltimedwait: -1 on timeout after about 100 ms",
	    rv == -1 && dt >= MSEC2NSEC(90) && dt < MSEC2NSEC(2000),
	    "expected -1 after 90..2000 ms, saw %ld after %lld ms", (long)rv,
	    (long long)NSEC2MSEC(dt));
	mutex_exit(&b.b_lock);
	box_fini(&b);
}

/* Sets the value and signals after 30 ms. */
static void *
late_signaller(void *arg)
{
	box_t *b = arg;

	(void) usleep(30000);
	mutex_enter(&b->b_lock);
	b->b_value = 1;
	cv_signal(&b->b_cv);
	mutex_exit(&b->b_lock);
	return (NULL);
}

static void
test_timedwait_signalled(void)
{
	box_t b;
	fk_tid_t tid;
	clock_t rv = 0;
	hrtime_t t0, dt;

	box_init(&b);
	mutex_enter(&b.b_lock);
	(void) fk_thread_create(&tid, "signaller", late_signaller, &b);
	t0 = now_ns();
	while (b.b_value == 0 && rv != -1) {
		rv = cv_reltimedwait(&b.b_cv, &b.b_lock, drv_usectohz(5000000),
		    TR_CLOCK_TICK);
	}
	dt = now_ns() - t0;
	mutex_exit(&b.b_lock);
	(void) fk_thread_join(tid, NULL);
	CHECK("cv_reltimedwait: signalled returns > 0 early",
	    rv > 0 && b.b_value == 1 && dt < MSEC2NSEC(2000),
	    "expected > 0 within 2 s, saw %ld after %lld ms", (long)rv,
	    (long long)NSEC2MSEC(dt));

	b.b_value = 0;
	mutex_enter(&b.b_lock);
	(void) fk_thread_create(&tid, "signaller", late_signaller, &b);
	rv = 0;
	while (b.b_value == 0 && rv != -1) {
		rv = cv_timedwait(&b.b_cv, &b.b_lock,
		    ddi_get_lbolt() + drv_usectohz(5000000));
	}
	mutex_exit(&b.b_lock);
	(void) fk_thread_join(tid, NULL);
	CHECK("cv_timedwait: signalled returns > 0", rv > 0 && b.b_value == 1,
	    "expected > 0, saw %ld", (long)rv);

	b.b_value = 0;
	mutex_enter(&b.b_lock);
	(void) fk_thread_create(&tid, "signaller", late_signaller, &b);
	rv = 1;
	while (b.b_value == 0)
		rv = cv_wait_sig(&b.b_cv, &b.b_lock);
	mutex_exit(&b.b_lock);
	(void) fk_thread_join(tid, NULL);
	CHECK("cv_wait_sig: woken returns > 0", rv > 0,
	    "expected > 0, saw %ld", (long)rv);
	box_fini(&b);
}

/*
 * Misuse.  Interrupt context is entered on a thread of the test's own.
 */
typedef void (*cv_op_t)(box_t *);

static void
op_wait(box_t *b)
{
	cv_wait(&b->b_cv, &b->b_lock);
}

static void
op_timedwait(box_t *b)
{
	(void) cv_timedwait(&b->b_cv, &b->b_lock, ddi_get_lbolt() + 100);
}

static void
op_reltimedwait(box_t *b)
{
	(void) cv_reltimedwait(&b->b_cv, &b->b_lock, 100, TR_CLOCK_TICK);
}

static void *
intr_thread(void *arg)
{
	cv_op_t op = (cv_op_t)arg;
	static box_t b;

	box_init(&b);
	fk_intr_enter(5);
	mutex_enter(&b.b_lock);
	op(&b);
	mutex_exit(&b.b_lock);
	fk_intr_exit();
	return (NULL);
}

static void
die_in_intr(void *arg)
{
	fk_tid_t tid;

	(void) fk_thread_create(&tid, "test intr", intr_thread, arg);
	(void) fk_thread_join(tid, NULL);
}

static void
die_not_held(void *arg)
{
	box_t b;

	(void) arg;
	box_init(&b);
	cv_wait(&b.b_cv, &b.b_lock);
}

static box_t shared;

static void *
wait_on_shared(void *arg)
{
	(void) arg;
	mutex_enter(&shared.b_lock);
	cv_wait(&shared.b_cv, &shared.b_lock);
	mutex_exit(&shared.b_lock);
	return (NULL);
}

static void
die_two_mutexes(void *arg)
{
	kmutex_t other;
	fk_tid_t tid;

	(void) arg;
	box_init(&shared);
	(void) fk_thread_create(&tid, "waiter", wait_on_shared, NULL);
	while (__atomic_load_n(&shared.b_cv.cv_waiters, __ATOMIC_SEQ_CST) == 0)
		(void) usleep(1000);
	mutex_init(&other, NULL, MUTEX_DRIVER, NULL);
	mutex_enter(&other);
	cv_wait(&shared.b_cv, &other);
}

static void
die_destroy_waited(void *arg)
{
	fk_tid_t tid;

	(void) arg;
	box_init(&shared);
	(void) fk_thread_create(&tid, "waiter", wait_on_shared, NULL);
	while (__atomic_load_n(&shared.b_cv.cv_waiters, __ATOMIC_SEQ_CST) == 0)
		(void) usleep(1000);
	cv_destroy(&shared.b_cv);
}

static void
die_uninit(void *arg)
{
	kcondvar_t cv = { 0 };

	(void) arg;
	cv_signal(&cv);
}

static void
test_misuse(void)
{
	(void) expect_death("panic: cv_wait in interrupt context",
	    die_in_intr, (void *)op_wait, "cv_wait in interrupt context");
	(void) expect_contains("panic: cv_wait in intr names the thread",
	    expect_death_output(), "thread \"test intr\"");
	(void) expect_contains("panic: cv_wait in intr lists the held lock",
	    expect_death_output(), "\"box\"");
	(void) expect_death("panic: cv_timedwait in interrupt context",
	    die_in_intr, (void *)op_timedwait,
	    "cv_timedwait in interrupt context");
	(void) expect_death("panic: cv_reltimedwait in interrupt context",
	    die_in_intr, (void *)op_reltimedwait,
	    "cv_reltimedwait in interrupt context");
	(void) expect_death("panic: cv_wait without the mutex", die_not_held,
	    NULL, "does not hold the mutex");
	(void) expect_death("panic: one cv, two mutexes", die_two_mutexes,
	    NULL, "other threads wait on this condition variable");
	(void) expect_death("panic: cv_destroy with a waiter",
	    die_destroy_waited, NULL, "still waiting");
	(void) expect_death("panic: uninitialised cv", die_uninit, NULL,
	    "not an initialised condition variable");
}

int
main(void)
{
	(void) setenv("FK_QUIET", "1", 1);
	test_signal();
	test_broadcast();
	test_timedwait();
	test_timedwait_signalled();
	test_misuse();
	return (check_exit());
}

/*
 * timeout(9F), untimeout(9F), ddi_periodic_add(9F), ddi_periodic_delete(9F).
 *
 * One callout thread ("callout") runs every callback when its time comes,
 * against CLOCK_MONOTONIC.  Pending callouts sit on a list sorted by
 * deadline; the thread sleeps until the first one is due.
 *
 * Contexts.  timeout(9F) says its callback "must adhere to the same
 * restrictions as a driver soft interrupt handler", so the callback runs
 * in interrupt context (fk_intr_enter at FK_CALLOUT_PIL): anything that
 * may block panics there.  A periodic runs in kernel context at level 0,
 * in interrupt context at its level otherwise.  A callback that returns
 * holding a mutex panics.
 *
 * Identifiers are a 64-bit count that never repeats, so an untimeout() of
 * an id that has fired (or a stale one) is harmless and returns -1.
 *
 * untimeout() of a callback that is running waits for it to finish, as
 * illumos does (so the caller must not hold a lock the callback takes:
 * after FK_CALLOUT_WARN_S seconds of waiting a warning says which locks
 * the waiter holds).  A callback that cancels its own id does not wait:
 * it returns -1 at once.  ddi_periodic_delete() likewise waits for a
 * running callback; calling it from the callback itself is a programming
 * error the man page says panics, and here it does.
 *
 * A fork()ed child (a death test) gets its own callout thread on its
 * first call here; callouts pending at the fork fire in both processes.
 */

#include <sys/types.h>
#include <sys/ddi.h>
#include <sys/sunddi.h>
#include <sys/systm.h>
#include <sys/time.h>
#include <sys/cmn_err.h>
#include <sys/debug.h>
#include <fk_impl.h>
#include <fk.h>

#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define	FK_TICK_NS		(NANOSEC / FK_HZ)
#define	FK_CALLOUT_PIL		1
#define	FK_CALLOUT_WARN_S	5
#define	FK_PERIODIC_RES		MSEC2NSEC(10)

typedef struct fk_callout {
	uint64_t		co_id;
	hrtime_t		co_when;
	void			(*co_func)(void *);
	void			*co_arg;
	hrtime_t		co_interval;	/* periodic: > 0 */
	int			co_level;	/* periodic: DDI_IPL_* */
	int			co_deleted;	/* periodic being deleted */
	struct fk_callout	*co_next;
} fk_callout_t;

static fk_lock_t fk_co_lock = FK_LOCK_INIT;
static fk_cond_t fk_co_work_cv;	/* the thread: new first deadline */
static fk_cond_t fk_co_done_cv;	/* waiters: a callback finished */
static fk_once_t fk_co_once = FK_ONCE_INIT;
static fk_tid_t fk_co_thread;
static volatile pid_t fk_co_pid;	/* process the thread runs in */
static fk_callout_t *fk_co_pending;	/* sorted by co_when */
static fk_callout_t *fk_co_running;
static uint64_t fk_co_next_id = 1;

static void *fk_callout_main(void *);

static void
fk_callout_cv_init(void)
{
	fk_cond_init(&fk_co_work_cv);
	fk_cond_init(&fk_co_done_cv);
}

/*
 * fork(): the child has no callout thread.  Hold the lock across the
 * fork so the child's copy is consistent; in the child, forget the
 * callback that was running (it is not running there) and fresh
 * condition variables (the parent's waiters do not exist); the next call
 * starts a thread, and pending callouts fire in the child too.
 */
static void
fk_callout_prefork(void)
{
	fk_lock_enter(&fk_co_lock);
}

static void
fk_callout_postfork_parent(void)
{
	fk_lock_exit(&fk_co_lock);
}

static void
fk_callout_postfork_child(void)
{
	fk_co_running = NULL;
	fk_co_pid = 0;
	fk_callout_cv_init();
	fk_lock_exit(&fk_co_lock);
}

static void
fk_callout_once(void)
{
	fk_callout_cv_init();
	fk_atfork(fk_callout_prefork, fk_callout_postfork_parent,
	    fk_callout_postfork_child);
}

/* Make sure this process has a callout thread. */
static void
fk_callout_init(void)
{
	pid_t me = getpid();
	int err;

	if (__builtin_expect(fk_co_pid == me, 1))
		return;
	fk_once(&fk_co_once, fk_callout_once);
	fk_lock_enter(&fk_co_lock);
	if (fk_co_pid != me) {
		if ((err = fk_thread_create(&fk_co_thread, "callout",
		    fk_callout_main, NULL)) != 0)
			panic("timeout: cannot start the callout thread "
			    "(error %d)", err);
		fk_co_pid = me;
	}
	fk_lock_exit(&fk_co_lock);
}

/* Insert in deadline order (after others due at the same time). */
static void
fk_callout_insert(fk_callout_t *co)
{
	fk_callout_t **pp;

	for (pp = &fk_co_pending; *pp != NULL; pp = &(*pp)->co_next) {
		if ((*pp)->co_when > co->co_when)
			break;
	}
	co->co_next = *pp;
	*pp = co;
	if (fk_co_pending == co)
		fk_cond_signal(&fk_co_work_cv);
}

/* Take an id off the pending list; NULL if it is not there. */
static fk_callout_t *
fk_callout_unlink(fk_callout_t **head, uint64_t id)
{
	fk_callout_t **pp, *co;

	for (pp = head; (co = *pp) != NULL; pp = &co->co_next) {
		if (co->co_id == id) {
			*pp = co->co_next;
			co->co_next = NULL;
			return (co);
		}
	}
	return (NULL);
}

/* Run one callback in its context (called without fk_co_lock). */
static void
fk_callout_call(fk_callout_t *co)
{
	int intr = co->co_interval == 0 || co->co_level > 0;

	if (intr) {
		fk_intr_enter(co->co_interval == 0 ? FK_CALLOUT_PIL :
		    (uint_t)co->co_level);
	}
	co->co_func(co->co_arg);
	if (intr)
		fk_intr_exit();
	else
		fk_assert_unlocked("ddi_periodic callback return");
}

/*
 * After a periodic has run: its next deadline, skipping the intervals
 * that passed while it ran (as the man page says).
 */
static void
fk_periodic_rearm(fk_callout_t *co, hrtime_t now)
{
	co->co_when += co->co_interval;
	if (co->co_when <= now) {
		co->co_when += ((now - co->co_when) / co->co_interval + 1) *
		    co->co_interval;
	}
	fk_callout_insert(co);
}

static void *
fk_callout_main(void *arg)
{
	fk_callout_t *co;
	hrtime_t now;

	(void) arg;
	fk_lock_enter(&fk_co_lock);
	for (;;) {
		if ((co = fk_co_pending) == NULL) {
			(void) fk_cond_wait(&fk_co_work_cv, &fk_co_lock, 0);
			continue;
		}
		if (co->co_when > (now = gethrtime())) {
			(void) fk_cond_wait(&fk_co_work_cv, &fk_co_lock,
			    co->co_when);
			continue;
		}
		fk_co_pending = co->co_next;
		co->co_next = NULL;
		fk_co_running = co;
		fk_lock_exit(&fk_co_lock);

		fk_callout_call(co);
		if (co->co_interval == 0) {
			__atomic_fetch_add(&fk_counters.fc_timeouts_fired, 1,
			    __ATOMIC_RELAXED);
		}

		fk_lock_enter(&fk_co_lock);
		fk_co_running = NULL;
		if (co->co_interval == 0)
			free(co);
		else if (!co->co_deleted)
			fk_periodic_rearm(co, gethrtime());
		fk_cond_broadcast(&fk_co_done_cv);
	}
	/* NOTREACHED */
	return (NULL);
}

static int
fk_on_callout_thread(void)
{
	return (fk_thread_self() == fk_co_thread);
}

/*
 * Wait (fk_co_lock held) until the callout with this id is not running.
 * Waiting long enough to look like a deadlock earns one warning.
 */
static void
fk_callout_wait_done(uint64_t id, const char *what)
{
	hrtime_t warn_at = gethrtime() + SEC2NSEC(FK_CALLOUT_WARN_S);
	char held[1024];
	int warned = 0;

	while (fk_co_running != NULL && fk_co_running->co_id == id) {
		if (fk_cond_wait(&fk_co_done_cv, &fk_co_lock,
		    warn_at) == ETIMEDOUT && !warned) {
			warned = 1;
			(void) fk_held_describe(fk_curthread(), held,
			    sizeof (held));
			cmn_err(CE_WARN, "%s: waited %d s for a running "
			    "callback to finish; the waiting thread \"%s\" "
			    "holds %s", what, FK_CALLOUT_WARN_S,
			    fk_curthread()->t_name, held);
		}
	}
}

timeout_id_t
timeout(void (*func)(void *), void *arg, clock_t ticks)
{
	fk_callout_t *co;
	timeout_id_t id;

	if (func == NULL)
		panic("timeout: NULL function");
	fk_callout_init();
	if ((co = calloc(1, sizeof (*co))) == NULL)
		panic("timeout: out of memory");
	co->co_func = func;
	co->co_arg = arg;
	co->co_when = gethrtime() + (ticks > 0 ? (hrtime_t)ticks : 0) *
	    FK_TICK_NS;

	fk_lock_enter(&fk_co_lock);
	co->co_id = fk_co_next_id++;
	id = (timeout_id_t)(uintptr_t)co->co_id;
	fk_callout_insert(co);
	fk_lock_exit(&fk_co_lock);
	return (id);
}

clock_t
untimeout(timeout_id_t tid)
{
	uint64_t id = (uint64_t)(uintptr_t)tid;
	fk_callout_t *co;
	hrtime_t left;

	if (id == 0)
		return (-1);
	fk_callout_init();
	fk_lock_enter(&fk_co_lock);
	if ((co = fk_callout_unlink(&fk_co_pending, id)) != NULL &&
	    co->co_interval == 0) {
		fk_lock_exit(&fk_co_lock);
		left = co->co_when - gethrtime();
		free(co);
		return (left <= 0 ? 0 :
		    (clock_t)((left + FK_TICK_NS - 1) / FK_TICK_NS));
	}
	if (co != NULL) {
		/* A periodic's id is not a timeout id: put it back. */
		fk_callout_insert(co);
	} else if (fk_co_running != NULL && fk_co_running->co_id == id &&
	    fk_co_running->co_interval == 0 && !fk_on_callout_thread()) {
		fk_callout_wait_done(id, "untimeout");
	}
	fk_lock_exit(&fk_co_lock);
	return (-1);
}

ddi_periodic_t
ddi_periodic_add(void (*func)(void *), void *arg, hrtime_t interval,
    int level)
{
	fk_callout_t *co;
	ddi_periodic_t id;

	if (func == NULL)
		panic("ddi_periodic_add: NULL function");
	if (level < DDI_IPL_0 || level > DDI_IPL_10)
		panic("ddi_periodic_add: level %d is not in 0..10", level);
	if (interval <= 0)
		panic("ddi_periodic_add: interval %lld ns is not positive",
		    (long long)interval);
	if (interval % FK_PERIODIC_RES != 0) {
		cmn_err(CE_WARN, "ddi_periodic_add: interval %lld ns is not "
		    "a multiple of 10 ms; rounded up", (long long)interval);
		interval += FK_PERIODIC_RES - interval % FK_PERIODIC_RES;
	}
	fk_callout_init();
	if ((co = calloc(1, sizeof (*co))) == NULL)
		panic("ddi_periodic_add: out of memory");
	co->co_func = func;
	co->co_arg = arg;
	co->co_interval = interval;
	co->co_level = level;
	co->co_when = gethrtime() + interval;

	fk_lock_enter(&fk_co_lock);
	co->co_id = fk_co_next_id++;
	id = (ddi_periodic_t)(uintptr_t)co->co_id;
	fk_callout_insert(co);
	fk_lock_exit(&fk_co_lock);
	return (id);
}

void
ddi_periodic_delete(ddi_periodic_t req)
{
	uint64_t id = (uint64_t)(uintptr_t)req;
	fk_callout_t *co;

	fk_assert_may_block("ddi_periodic_delete");
	fk_callout_init();
	fk_lock_enter(&fk_co_lock);
	if (fk_co_running != NULL && fk_co_running->co_id == id) {
		if (fk_on_callout_thread()) {
			fk_lock_exit(&fk_co_lock);
			panic("ddi_periodic_delete: called from the periodic "
			    "callback itself");
		}
		co = fk_co_running;
		co->co_deleted = 1;
		fk_callout_wait_done(id, "ddi_periodic_delete");
	} else if ((co = fk_callout_unlink(&fk_co_pending, id)) == NULL ||
	    co->co_interval == 0) {
		if (co != NULL)
			fk_callout_insert(co);
		fk_lock_exit(&fk_co_lock);
		panic("ddi_periodic_delete: %p is not a live periodic "
		    "request", (void *)req);
	}
	fk_lock_exit(&fk_co_lock);
	free(co);
}

/*
 * For fk_fini: cancel what is still pending and say how many there were
 * (timeouts and periodics a driver left behind).
 */
int
fk_callout_cancel_all(void)
{
	fk_callout_t *co;
	int n = 0;

	if (fk_co_pid == 0)
		return (0);
	fk_lock_enter(&fk_co_lock);
	while ((co = fk_co_pending) != NULL) {
		fk_co_pending = co->co_next;
		free(co);
		n++;
	}
	fk_lock_exit(&fk_co_lock);
	return (n);
}

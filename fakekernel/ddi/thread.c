/*
 * Threads, contexts, and the host's threads and locks (fk_host.h): the
 * only file of the fakekernel that calls pthreads or futexes.
 *
 * Host locks
 * ----------
 * fk_lock_t is a futex word: 0 free, 1 held, 2 held and somebody may
 * sleep on it.  Taking a free lock is one compare-and-swap, releasing an
 * uncontended one one exchange; only a contended lock costs system calls
 * (the sleeper marks the word 2, the releaser of a 2 wakes one sleeper).
 * fk_cond_t counts its waiters and carries a sequence number that moves
 * on every signal: a waiter reads it under the lock, gives the lock up
 * and sleeps on the futex only while the number is unchanged, so a signal
 * between the two is never lost; signal and broadcast with no waiter do
 * no system call.  Deadlines are CLOCK_MONOTONIC (gethrtime()) times.
 *
 * Threads
 * -------
 * Every thread that enters the fakekernel has an fk_thread_t, reached
 * through a thread-local pointer.  Threads the fakekernel creates
 * (fk_thread_create: interrupt threads, taskq workers, timeout threads)
 * get one with their name before they run; any other thread (the test's
 * main thread, a thread a test starts itself) gets one the first time it
 * calls in, named after its pthread name.  The structure is freed when
 * the thread exits.
 *
 * Interrupt context is a property of the thread: fk_intr_enter() before a
 * handler runs, fk_intr_exit() after.  Calls the man pages forbid in
 * interrupt context (KM_SLEEP allocation, cv_wait, taskq_wait, ...) call
 * fk_assert_may_block(), which panics there and says which locks the
 * thread holds.  A handler that returns with a mutex it took still held
 * panics in fk_intr_exit(); a thread created by fk_thread_create() that
 * returns holding one panics too.  The held list these checks read is
 * kept in the debug configuration only (ddi/mutex.c): with FK_DEBUG=0
 * they find nothing, as a non-DEBUG illumos kernel checks nothing there.
 *
 * CPU (<sys/cpuvar.h>) is the CPU the thread runs on now, per
 * sched_getcpu(); each CPU has one cpu_t, so the pointer is stable.
 */

/* pthread_*name_np, sched_getcpu */
#define	_GNU_SOURCE

#include <sys/types.h>
#include <sys/cmn_err.h>
#include <sys/cpuvar.h>
#include <sys/mutex.h>
#include <sys/debug.h>
#include <sys/time.h>
#include <fk_impl.h>

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

CTASSERT(sizeof (pthread_t) == sizeof (fk_tid_t));

#define	FK_MAXCPU	1024

/*
 * Host locks and condition variables.
 */
static long
fk_futex(volatile uint32_t *word, int op, uint32_t val,
    const struct timespec *ts, uint32_t mask)
{
	return (syscall(SYS_futex, word, op, val, ts, NULL, mask));
}

void
fk_lock_init(fk_lock_t *lp)
{
	__atomic_store_n(&lp->fl_word, 0, __ATOMIC_RELEASE);
}

/* fk_lock_enter found the lock held: mark it 2, sleep until free. */
void
fk_lock_wait(fk_lock_t *lp)
{
	uint32_t c = __atomic_exchange_n(&lp->fl_word, 2, __ATOMIC_ACQUIRE);

	while (c != 0) {
		(void) fk_futex(&lp->fl_word, FUTEX_WAIT_PRIVATE, 2, NULL, 0);
		c = __atomic_exchange_n(&lp->fl_word, 2, __ATOMIC_ACQUIRE);
	}
}

int
fk_lock_tryenter(fk_lock_t *lp)
{
	uint32_t c = 0;

	return (__atomic_compare_exchange_n(&lp->fl_word, &c, 1, 0,
	    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED));
}

/* fk_lock_exit released a lock somebody may sleep on: wake one. */
void
fk_lock_wake(fk_lock_t *lp)
{
	(void) fk_futex(&lp->fl_word, FUTEX_WAKE_PRIVATE, 1, NULL, 0);
}

void
fk_cond_init(fk_cond_t *cv)
{
	cv->fcv_seq = 0;
	__atomic_store_n(&cv->fcv_waiters, 0, __ATOMIC_RELEASE);
}

int
fk_cond_wait(fk_cond_t *cv, fk_lock_t *lp, int64_t deadline)
{
	uint32_t seq = __atomic_load_n(&cv->fcv_seq, __ATOMIC_SEQ_CST);
	struct timespec ts;
	int timedout = 0;
	long rc;

	if (deadline != 0) {
		ts.tv_sec = (time_t)(deadline / NANOSEC);
		ts.tv_nsec = (long)(deadline % NANOSEC);
	}
	__atomic_add_fetch(&cv->fcv_waiters, 1, __ATOMIC_SEQ_CST);
	fk_lock_exit(lp);
	/* Absolute CLOCK_MONOTONIC deadline: FUTEX_WAIT_BITSET. */
	rc = fk_futex(&cv->fcv_seq, FUTEX_WAIT_BITSET_PRIVATE, seq,
	    deadline != 0 ? &ts : NULL, FUTEX_BITSET_MATCH_ANY);
	if (rc != 0 && errno == ETIMEDOUT)
		timedout = 1;
	__atomic_sub_fetch(&cv->fcv_waiters, 1, __ATOMIC_SEQ_CST);
	fk_lock_enter(lp);
	return (timedout ? ETIMEDOUT : 0);
}

static void
fk_cond_wake(fk_cond_t *cv, int n)
{
	if (__atomic_load_n(&cv->fcv_waiters, __ATOMIC_SEQ_CST) == 0)
		return;
	__atomic_add_fetch(&cv->fcv_seq, 1, __ATOMIC_SEQ_CST);
	(void) fk_futex(&cv->fcv_seq, FUTEX_WAKE_PRIVATE, (uint32_t)n, NULL,
	    0);
}

void
fk_cond_signal(fk_cond_t *cv)
{
	fk_cond_wake(cv, 1);
}

void
fk_cond_broadcast(fk_cond_t *cv)
{
	fk_cond_wake(cv, INT_MAX);
}

/* fk_once's first calls (fk_host.h). */
void
fk_once_run(fk_once_t *op, void (*fn)(void))
{
	fk_lock_enter(&op->fo_lock);
	if (!op->fo_done) {
		fn();
		__atomic_store_n(&op->fo_done, 1, __ATOMIC_RELEASE);
	}
	fk_lock_exit(&op->fo_lock);
}

void
fk_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void))
{
	VERIFY0(pthread_atfork(prepare, parent, child));
}

/*
 * Threads.
 */
__thread fk_thread_t *fk_self;
static pthread_key_t fk_thread_key;
static pthread_once_t fk_thread_once = PTHREAD_ONCE_INIT;

static cpu_t fk_cpus[FK_MAXCPU];
static fk_once_t fk_cpu_once = FK_ONCE_INIT;

typedef struct fk_thread_start {
	char	ts_name[32];
	void	*(*ts_func)(void *);
	void	*ts_arg;
} fk_thread_start_t;

/*
 * Thread exit: the key's destructor frees the structure.  A thread that
 * ends holding a mutex leaves it owned by a dead thread: say so.
 */
static void
fk_thread_dtor(void *arg)
{
	fk_thread_t *t = arg;

	if (t->t_nheld != 0 || t->t_untracked != 0)
		fk_assert_unlocked("thread exit");
	fk_self = NULL;
	free(t->t_owned);
	free(t);
}

static void
fk_thread_key_init(void)
{
	VERIFY0(pthread_key_create(&fk_thread_key, fk_thread_dtor));
}

static fk_thread_t *
fk_thread_alloc(const char *name)
{
	fk_thread_t *t;

	(void) pthread_once(&fk_thread_once, fk_thread_key_init);
	if ((t = calloc(1, sizeof (*t))) == NULL) {
		(void) fprintf(stderr, "fakekernel: out of memory for a "
		    "thread structure\n");
		abort();
	}
	t->t_tid = fk_thread_self();
	t->t_lwp = (pid_t)syscall(SYS_gettid);
	t->t_cpu = -1;
	if (name != NULL) {
		(void) snprintf(t->t_name, sizeof (t->t_name), "%s", name);
	} else if (t->t_lwp == getpid()) {
		(void) snprintf(t->t_name, sizeof (t->t_name), "main");
	} else if (pthread_getname_np((pthread_t)t->t_tid, t->t_name,
	    sizeof (t->t_name)) != 0 || t->t_name[0] == '\0') {
		(void) snprintf(t->t_name, sizeof (t->t_name), "lwp %d",
		    (int)t->t_lwp);
	}
	fk_self = t;
	VERIFY0(pthread_setspecific(fk_thread_key, t));
	return (t);
}

/* fk_curthread() of a thread that has no fk_thread_t yet (fk_impl.h). */
fk_thread_t *
fk_thread_adopt(void)
{
	return (fk_thread_alloc(NULL));
}

/*
 * Name the calling thread (for reports, and for ps/top/gdb: Linux keeps
 * 15 characters of it).
 */
void
fk_thread_setname(const char *name)
{
	fk_thread_t *t = fk_curthread();
	char shortname[16];

	(void) snprintf(t->t_name, sizeof (t->t_name), "%s", name);
	(void) snprintf(shortname, sizeof (shortname), "%s", name);
	(void) pthread_setname_np(pthread_self(), shortname);
}

/*
 * Run the calling thread on one CPU only (an interrupt thread on the CPU
 * its interrupt is delivered to: the platform's choice).  0 or an errno
 * value.
 */
int
fk_thread_bind_cpu(int cpu)
{
	cpu_set_t set;

	if (cpu < 0 || cpu >= CPU_SETSIZE)
		return (EINVAL);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return (pthread_setaffinity_np(pthread_self(), sizeof (set), &set));
}

static void *
fk_thread_trampoline(void *arg)
{
	fk_thread_start_t ts = *(fk_thread_start_t *)arg;
	void *rv;

	free(arg);
	(void) fk_thread_alloc(ts.ts_name);
	fk_thread_setname(ts.ts_name);
	rv = ts.ts_func(ts.ts_arg);
	fk_assert_unlocked("thread return");
	return (rv);
}

/*
 * Start a named thread.  Returns 0 or an errno value, as pthread_create.
 * With tidp NULL nobody will join the thread: it is detached.
 */
int
fk_thread_create(fk_tid_t *tidp, const char *name, void *(*func)(void *),
    void *arg)
{
	fk_thread_start_t *ts;
	pthread_t tid;
	int err;

	if ((ts = malloc(sizeof (*ts))) == NULL)
		return (ENOMEM);
	(void) snprintf(ts->ts_name, sizeof (ts->ts_name), "%s",
	    name != NULL ? name : "fk thread");
	ts->ts_func = func;
	ts->ts_arg = arg;
	if ((err = pthread_create(&tid, NULL, fk_thread_trampoline, ts)) !=
	    0) {
		free(ts);
		return (err);
	}
	if (tidp != NULL)
		*tidp = (fk_tid_t)tid;
	else
		(void) pthread_detach(tid);
	return (0);
}

/* End the calling thread (its key destructor frees its fk_thread_t). */
void
fk_thread_exit(void)
{
	pthread_exit(NULL);
}

/* Wait for a thread fk_thread_create() started with a tidp to return. */
int
fk_thread_join(fk_tid_t tid, void **rvp)
{
	return (pthread_join((pthread_t)tid, rvp));
}

fk_tid_t
fk_thread_self(void)
{
	return ((fk_tid_t)pthread_self());
}

/*
 * Interrupt context.  Entries nest (a depth count); the priority is the
 * innermost one's.  The locks held when the outermost entry began must be
 * exactly the locks held when it ends.
 */
void
fk_intr_enter(uint_t pri)
{
	fk_thread_t *t = fk_curthread();

	if (t->t_intr++ == 0)
		t->t_intr_nheld = t->t_nheld;
	t->t_intr_pri = pri;
}

void
fk_intr_exit(void)
{
	fk_thread_t *t = fk_curthread();
	char held[1024];

	if (t->t_intr <= 0)
		panic("fk_intr_exit: thread \"%s\" is not in interrupt "
		    "context", t->t_name);
	if (t->t_intr == 1 && t->t_nheld != t->t_intr_nheld) {
		(void) fk_held_describe(t, held, sizeof (held));
		panic("interrupt handler returned holding a mutex "
		    "(thread \"%s\", held %d at entry, %d now: %s)",
		    t->t_name, t->t_intr_nheld, t->t_nheld, held);
	}
	if (--t->t_intr == 0)
		t->t_intr_pri = 0;
}

int
fk_in_intr(void)
{
	return (fk_curthread()->t_intr > 0);
}

/*
 * "what" is the operation: "cv_wait", "KM_SLEEP allocation", ...; the
 * panic reads "<what> in interrupt context".
 */
void
fk_assert_may_block(const char *what)
{
	fk_thread_t *t = fk_curthread();
	char held[1024];

	if (__builtin_expect(t->t_intr == 0, 1))
		return;
	(void) fk_held_describe(t, held, sizeof (held));
	panic("%s in interrupt context (thread \"%s\", interrupt priority "
	    "%u; holding %s)", what, t->t_name, t->t_intr_pri, held);
}

void
fk_assert_unlocked(const char *what)
{
	fk_thread_t *t = fk_curthread();
	char held[1024];

	if (__builtin_expect(t->t_nheld == 0 && t->t_untracked == 0, 1))
		return;
	(void) fk_held_describe(t, held, sizeof (held));
	panic("%s with a mutex held (thread \"%s\"): %s", what, t->t_name,
	    held);
}

/*
 * The locks a thread holds, as text: "lock (taken at where), ...".
 */
size_t
fk_held_describe(fk_thread_t *t, char *buf, size_t len)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	if (!FK_DEBUG_ON())
		return (snprintf(buf, len, "(no held list with FK_DEBUG=0)"));
	if (t->t_nheld == 0 && t->t_untracked == 0)
		return (snprintf(buf, len, "no mutex"));
	for (i = 0; i < t->t_nheld && off < len; i++) {
		off += snprintf(buf + off, len - off, "%s", i > 0 ? "; " : "");
		if (off < len) {
			off += fk_mutex_describe(t->t_held[i],
			    t->t_held_pc[i], buf + off, len - off);
		}
	}
	if (t->t_untracked != 0 && off < len) {
		off += snprintf(buf + off, len - off, "; %d more",
		    t->t_untracked);
	}
	return (off < len ? off : len - 1);
}

static void
fk_cpu_init(void)
{
	int i;

	for (i = 0; i < FK_MAXCPU; i++)
		fk_cpus[i].cpu_id = i;
}

cpu_t *
fk_cpu(void)
{
	int id;

	fk_once(&fk_cpu_once, fk_cpu_init);
	id = sched_getcpu();
	if (id < 0)
		id = 0;
	return (&fk_cpus[id % FK_MAXCPU]);
}


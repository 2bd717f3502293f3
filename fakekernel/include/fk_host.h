/*
 * The host's threads and locks, as the fakekernel uses them: its one way
 * to them.  ddi/thread.c implements this header and is the only file of
 * the fakekernel that calls the host's thread library (pthreads) or its
 * futexes; kmutex_t, kcondvar_t and krwlock_t (ddi/mutex.c, condvar.c,
 * rwlock.c) are built on fk_lock_t and fk_cond_t, and the fakekernel's
 * own state (device tree, callouts, taskqs, the platform backends ...)
 * uses them directly.  It sits beside the illumos headers, not among
 * them, because those three embed its types.
 *
 * fk_lock_t is a plain mutual-exclusion lock: no owner, no checks, not
 * recursive; a 32-bit word (0 free, 1 held, 2 held with waiters) that
 * sleeps in the kernel only when contended.  FK_LOCK_INIT initialises
 * one statically, fk_lock_init() at run time (and in a fork()ed child, for
 * a lock some other thread of the parent held).
 *
 * fk_cond_t is a condition variable used with one fk_lock_t at a time.
 * fk_cond_wait(cv, lock, deadline) gives the lock up and sleeps until
 * fk_cond_signal/fk_cond_broadcast, or until gethrtime() reaches
 * deadline (0: no deadline), and takes the lock back; 0, or ETIMEDOUT
 * once the deadline passed.  Wake-ups may be spurious: callers loop on
 * their condition.  Signalling a condition nobody waits on costs a load.
 *
 * fk_once(once, fn) runs fn exactly once per FK_ONCE_INIT (others wait
 * until it has returned).  fk_atfork(prepare, parent, child) registers
 * fork handlers, as pthread_atfork(3).
 *
 * Threads: fk_thread_create() (fk_impl.h) starts a named thread with an
 * fk_thread_t; tidp receives its fk_tid_t for fk_thread_join(tid, &rv)
 * (NULL: detached).  fk_thread_self() is the calling thread's fk_tid_t.
 */
#ifndef _FK_HOST_H
#define	_FK_HOST_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fk_lock {
	volatile uint32_t	fl_word;
} fk_lock_t;

#define	FK_LOCK_INIT	{ 0 }

typedef struct fk_cond {
	volatile uint32_t	fcv_seq;	/* moves on every wake-up */
	volatile uint32_t	fcv_waiters;
} fk_cond_t;

#define	FK_COND_INIT	{ 0, 0 }

typedef struct fk_once {
	volatile uint32_t	fo_done;
	fk_lock_t		fo_lock;
} fk_once_t;

#define	FK_ONCE_INIT	{ 0, FK_LOCK_INIT }

typedef uintptr_t fk_tid_t;

extern void fk_lock_init(fk_lock_t *);
extern void fk_lock_wait(fk_lock_t *);
extern void fk_lock_wake(fk_lock_t *);
extern int fk_lock_tryenter(fk_lock_t *);

/*
 * The uncontended cases inline (every mutex_enter and mutex_exit comes
 * here): a compare-and-swap to take a free lock, an exchange to release
 * one nobody waits for; ddi/thread.c sleeps and wakes otherwise.
 */
static inline void
fk_lock_enter(fk_lock_t *lp)
{
	uint32_t c = 0;

	if (__builtin_expect(!__atomic_compare_exchange_n(&lp->fl_word, &c, 1,
	    0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED), 0))
		fk_lock_wait(lp);
}

static inline void
fk_lock_exit(fk_lock_t *lp)
{
	if (__builtin_expect(__atomic_exchange_n(&lp->fl_word, 0,
	    __ATOMIC_RELEASE) == 2, 0))
		fk_lock_wake(lp);
}

extern void fk_cond_init(fk_cond_t *);
extern int fk_cond_wait(fk_cond_t *, fk_lock_t *, int64_t);
extern void fk_cond_signal(fk_cond_t *);
extern void fk_cond_broadcast(fk_cond_t *);

extern void fk_once_run(fk_once_t *, void (*)(void));

/* Done already: one load (callers sit on hot paths). */
static inline void
fk_once(fk_once_t *op, void (*fn)(void))
{
	if (__builtin_expect(!__atomic_load_n(&op->fo_done, __ATOMIC_ACQUIRE),
	    0))
		fk_once_run(op, fn);
}
extern void fk_atfork(void (*)(void), void (*)(void), void (*)(void));

extern int fk_thread_join(fk_tid_t, void **);
extern fk_tid_t fk_thread_self(void);

#ifdef __cplusplus
}
#endif

#endif /* _FK_HOST_H */

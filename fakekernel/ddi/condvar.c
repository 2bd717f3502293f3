/*
 * condvar(9F).
 *
 * A kcondvar_t is a host condition variable (fk_host.h), used with the
 * kmutex_t's own host lock, so that giving the mutex up and sleeping is
 * atomic.  Around the sleep the mutex's owner, the thread's
 * held list and the witness follow (the reacquisition is an acquisition:
 * waiting on one mutex while holding another is a lock order like any).
 *
 * Stricter than illumos, each of these panics:
 *	- any wait in interrupt context (fk_assert_may_block);
 *	- waiting with a mutex the caller does not hold;
 *	- waiters on one condition variable using two different mutexes;
 *	- cv_destroy with waiters; use of an uninitialised or destroyed cv.
 *
 * Times: cv_timedwait takes an absolute lbolt (ddi_get_lbolt(9F), hz
 * ticks a second), cv_reltimedwait a number of ticks; both return -1 when
 * the time passed, and otherwise the ticks that were left (at least 1).
 * The fakekernel's threads take no signals: cv_wait_sig and friends
 * behave as their plain forms, as the man page says for threads that
 * cannot receive signals.
 */

#include <sys/types.h>
#include <sys/condvar.h>
#include <sys/mutex.h>
#include <sys/cmn_err.h>
#include <sys/ddi.h>
#include <sys/debug.h>
#include <sys/time.h>
#include <fk_impl.h>

#include <errno.h>

#define	CV_MAGIC	0x43564152u	/* "CVAR" */
#define	CV_DEAD		0x63766172u	/* "cvar": destroyed */

static void __attribute__((noreturn, noinline))
cv_bad_magic(const kcondvar_t *cvp, const char *op)
{
	if (cvp->cv_magic == CV_DEAD) {
		panic("%s(%p): the condition variable was destroyed "
		    "(cv_destroy)", op, (void *)cvp);
	}
	panic("%s(%p): not an initialised condition variable (magic %#x%s); "
	    "cv_init() was not called", op, (void *)cvp, cvp->cv_magic,
	    fk_kmem_pattern_hint(cvp->cv_magic));
}

static inline void
cv_verify(const kcondvar_t *cvp, const char *op)
{
	if (__builtin_expect(cvp->cv_magic != CV_MAGIC, 0))
		cv_bad_magic(cvp, op);
}

void
cv_init(kcondvar_t *cvp, char *name, kcv_type_t type, void *arg)
{
	(void) name;
	(void) arg;
	if (type != CV_DEFAULT && type != CV_DRIVER)
		panic("cv_init(%p): bad type %d", (void *)cvp, (int)type);
	fk_cond_init(&cvp->cv_cond);
	cvp->cv_waiters = 0;
	cvp->cv_mutex = NULL;
	__atomic_store_n(&cvp->cv_magic, CV_MAGIC, __ATOMIC_RELEASE);
}

void
cv_destroy(kcondvar_t *cvp)
{
	cv_verify(cvp, "cv_destroy");
	if (__atomic_load_n(&cvp->cv_waiters, __ATOMIC_ACQUIRE) != 0) {
		panic("cv_destroy(%p): %u thread(s) still waiting", (void *)cvp,
		    cvp->cv_waiters);
	}
	cvp->cv_magic = CV_DEAD;
}

/*
 * The wait itself.  deadline is a gethrtime() time or 0 (none).  Returns
 * 0 when woken, ETIMEDOUT when the deadline passed.
 */
static int
cv_block(kcondvar_t *cvp, kmutex_t *mp, hrtime_t deadline, const char *op,
    void *pc)
{
	fk_thread_t *t = fk_curthread();
	int rc;

	cv_verify(cvp, op);
	fk_mutex_verify(mp, op);
	if (mp->m_owner != t) {
		panic("%s(%p, %p): thread \"%s\" does not hold the mutex", op,
		    (void *)cvp, (void *)mp, t->t_name);
	}
	if (cvp->cv_waiters != 0 && cvp->cv_mutex != mp) {
		panic("%s(%p, %p): other threads wait on this condition "
		    "variable with mutex %p", op, (void *)cvp, (void *)mp,
		    (void *)cvp->cv_mutex);
	}
	cvp->cv_mutex = mp;
	__atomic_add_fetch(&cvp->cv_waiters, 1, __ATOMIC_RELEASE);
	fk_mutex_wait_release(mp, t);
	rc = fk_cond_wait(&cvp->cv_cond, &mp->m_lock, deadline);
	fk_mutex_wait_reacquire(mp, t, pc);
	__atomic_sub_fetch(&cvp->cv_waiters, 1, __ATOMIC_RELEASE);
	return (rc == ETIMEDOUT ? ETIMEDOUT : 0);
}

/* Wait at most "ticks" ticks; -1 on timeout, else the ticks left. */
static clock_t
cv_wait_ticks(kcondvar_t *cvp, kmutex_t *mp, clock_t ticks, const char *op,
    void *pc)
{
	clock_t start, left;

	if (ticks <= 0) {
		cv_verify(cvp, op);
		fk_mutex_verify(mp, op);
		return (-1);
	}
	start = ddi_get_lbolt();
	if (cv_block(cvp, mp, gethrtime() + (hrtime_t)ticks * (NANOSEC / FK_HZ),
	    op, pc) == ETIMEDOUT)
		return (-1);
	left = start + ticks - ddi_get_lbolt();
	return (left > 0 ? left : 1);
}

void
cv_wait(kcondvar_t *cvp, kmutex_t *mp)
{
	fk_assert_may_block("cv_wait");
	(void) cv_block(cvp, mp, 0, "cv_wait", __builtin_return_address(0));
}

int
cv_wait_sig(kcondvar_t *cvp, kmutex_t *mp)
{
	fk_assert_may_block("cv_wait_sig");
	(void) cv_block(cvp, mp, 0, "cv_wait_sig",
	    __builtin_return_address(0));
	return (1);
}

clock_t
cv_timedwait(kcondvar_t *cvp, kmutex_t *mp, clock_t abstime)
{
	fk_assert_may_block("cv_timedwait");
	return (cv_wait_ticks(cvp, mp, abstime - ddi_get_lbolt(),
	    "cv_timedwait", __builtin_return_address(0)));
}

clock_t
cv_reltimedwait(kcondvar_t *cvp, kmutex_t *mp, clock_t delta,
    time_res_t res)
{
	fk_assert_may_block("cv_reltimedwait");
	if ((int)res < TR_NANOSEC || res >= TR_COUNT) {
		panic("cv_reltimedwait(%p): bad time resolution %d",
		    (void *)cvp, (int)res);
	}
	return (cv_wait_ticks(cvp, mp, delta, "cv_reltimedwait",
	    __builtin_return_address(0)));
}

void
cv_signal(kcondvar_t *cvp)
{
	cv_verify(cvp, "cv_signal");
	fk_cond_signal(&cvp->cv_cond);
}

void
cv_broadcast(kcondvar_t *cvp)
{
	cv_verify(cvp, "cv_broadcast");
	fk_cond_broadcast(&cvp->cv_cond);
}

/*
 * rwlock(9F).
 *
 * State under rw_mutex: the writer (a thread, or NULL), the number of
 * readers and the number of writers waiting; rw_cv wakes every waiter on
 * each change that could let one in.  As in illumos, RW_READER waits
 * behind a waiting writer (so a thread that takes a read lock twice can
 * deadlock against a writer, as it would in the kernel), and
 * RW_READER_STARVEWRITER does not.
 *
 * The writer is tracked, readers are counted: rw_write_held() is true for
 * the writer only, rw_read_held() when anyone holds the lock as reader,
 * rw_lock_held() when anyone holds it at all (the illumos meanings).
 * Panics: rw_enter by the writer (recursion), rw_exit of a lock the
 * caller cannot hold, rw_downgrade by a non-writer, rw_tryupgrade of a
 * lock not read-held, rw_destroy of a held lock, use of an uninitialised
 * or destroyed lock.
 */

#include <sys/types.h>
#include <sys/rwlock.h>
#include <sys/cmn_err.h>
#include <sys/debug.h>
#include <fk_impl.h>


#define	RW_MAGIC	0x52574c4bu	/* "RWLK" */
#define	RW_DEAD		0x72776c6bu	/* "rwlk": destroyed */

static void __attribute__((noreturn, noinline))
rw_bad_magic(const krwlock_t *rwlp, const char *op)
{
	if (rwlp->rw_magic == RW_DEAD) {
		panic("%s(%p): the rwlock was destroyed (rw_destroy)", op,
		    (void *)rwlp);
	}
	panic("%s(%p): not an initialised rwlock (magic %#x%s); rw_init() "
	    "was not called", op, (void *)rwlp, rwlp->rw_magic,
	    fk_kmem_pattern_hint(rwlp->rw_magic));
}

static inline void
rw_verify(const krwlock_t *rwlp, const char *op)
{
	if (__builtin_expect(rwlp->rw_magic != RW_MAGIC, 0))
		rw_bad_magic(rwlp, op);
}

static const char *
rw_type_name(krw_t type)
{
	switch (type) {
	case RW_WRITER:
		return ("RW_WRITER");
	case RW_READER:
		return ("RW_READER");
	case RW_READER_STARVEWRITER:
		return ("RW_READER_STARVEWRITER");
	}
	return ("bad type");
}

void
rw_init(krwlock_t *rwlp, char *name, krw_type_t type, void *arg)
{
	(void) name;
	(void) arg;
	if (type != RW_DRIVER && type != RW_DEFAULT)
		panic("rw_init(%p): bad type %d", (void *)rwlp, (int)type);
	fk_lock_init(&rwlp->rw_mutex);
	fk_cond_init(&rwlp->rw_cv);
	rwlp->rw_writer = NULL;
	rwlp->rw_readers = 0;
	rwlp->rw_wwait = 0;
	__atomic_store_n(&rwlp->rw_magic, RW_MAGIC, __ATOMIC_RELEASE);
}

void
rw_destroy(krwlock_t *rwlp)
{
	rw_verify(rwlp, "rw_destroy");
	if (rwlp->rw_writer != NULL || rwlp->rw_readers != 0) {
		panic("rw_destroy(%p): the lock is held (%s)", (void *)rwlp,
		    rwlp->rw_writer != NULL ? "by a writer" : "by readers");
	}
	rwlp->rw_magic = RW_DEAD;
}

/* Under rw_mutex: may the lock be taken as "type" now? */
static int
rw_can_enter(const krwlock_t *rwlp, krw_t type)
{
	if (rwlp->rw_writer != NULL)
		return (0);
	switch (type) {
	case RW_WRITER:
		return (rwlp->rw_readers == 0);
	case RW_READER:
		return (rwlp->rw_wwait == 0);
	default:
		return (1);
	}
}

static void
rw_take(krwlock_t *rwlp, krw_t type, fk_thread_t *t)
{
	if (type == RW_WRITER)
		rwlp->rw_writer = t;
	else
		rwlp->rw_readers++;
}

static fk_thread_t *
rw_check_enter(krwlock_t *rwlp, krw_t type, const char *op)
{
	fk_thread_t *t = fk_curthread();

	rw_verify(rwlp, op);
	if (type != RW_WRITER && type != RW_READER &&
	    type != RW_READER_STARVEWRITER)
		panic("%s(%p): bad type %d", op, (void *)rwlp, (int)type);
	if (rwlp->rw_writer == t) {
		panic("%s(%p, %s): thread \"%s\" holds this lock as writer",
		    op, (void *)rwlp, rw_type_name(type), t->t_name);
	}
	return (t);
}

void
rw_enter(krwlock_t *rwlp, krw_t type)
{
	fk_thread_t *t = rw_check_enter(rwlp, type, "rw_enter");

	fk_lock_enter(&rwlp->rw_mutex);
	if (type == RW_WRITER)
		rwlp->rw_wwait++;
	while (!rw_can_enter(rwlp, type))
		(void) fk_cond_wait(&rwlp->rw_cv, &rwlp->rw_mutex, 0);
	if (type == RW_WRITER)
		rwlp->rw_wwait--;
	rw_take(rwlp, type, t);
	fk_lock_exit(&rwlp->rw_mutex);
}

int
rw_tryenter(krwlock_t *rwlp, krw_t type)
{
	fk_thread_t *t = rw_check_enter(rwlp, type, "rw_tryenter");
	int ok;

	fk_lock_enter(&rwlp->rw_mutex);
	if ((ok = rw_can_enter(rwlp, type)) != 0)
		rw_take(rwlp, type, t);
	fk_lock_exit(&rwlp->rw_mutex);
	return (ok);
}

void
rw_exit(krwlock_t *rwlp)
{
	fk_thread_t *t = fk_curthread();

	rw_verify(rwlp, "rw_exit");
	fk_lock_enter(&rwlp->rw_mutex);
	if (rwlp->rw_writer == t) {
		rwlp->rw_writer = NULL;
	} else if (rwlp->rw_writer != NULL) {
		panic("rw_exit(%p): thread \"%s\" releases a lock held as "
		    "writer by thread \"%s\"", (void *)rwlp, t->t_name,
		    rwlp->rw_writer->t_name);
	} else if (rwlp->rw_readers == 0) {
		panic("rw_exit(%p): the lock is not held", (void *)rwlp);
	} else {
		rwlp->rw_readers--;
	}
	fk_cond_broadcast(&rwlp->rw_cv);
	fk_lock_exit(&rwlp->rw_mutex);
}

void
rw_downgrade(krwlock_t *rwlp)
{
	fk_thread_t *t = fk_curthread();

	rw_verify(rwlp, "rw_downgrade");
	fk_lock_enter(&rwlp->rw_mutex);
	if (rwlp->rw_writer != t) {
		panic("rw_downgrade(%p): thread \"%s\" does not hold the lock "
		    "as writer", (void *)rwlp, t->t_name);
	}
	rwlp->rw_writer = NULL;
	rwlp->rw_readers = 1;
	fk_cond_broadcast(&rwlp->rw_cv);
	fk_lock_exit(&rwlp->rw_mutex);
}

/*
 * Succeeds only for the sole reader with no writer waiting; it never
 * waits.
 */
int
rw_tryupgrade(krwlock_t *rwlp)
{
	fk_thread_t *t = fk_curthread();
	int ok = 0;

	rw_verify(rwlp, "rw_tryupgrade");
	fk_lock_enter(&rwlp->rw_mutex);
	if (rwlp->rw_writer != NULL || rwlp->rw_readers == 0) {
		panic("rw_tryupgrade(%p): thread \"%s\": the lock is not "
		    "held as reader", (void *)rwlp, t->t_name);
	}
	if (rwlp->rw_readers == 1 && rwlp->rw_wwait == 0) {
		rwlp->rw_readers = 0;
		rwlp->rw_writer = t;
		ok = 1;
	}
	fk_lock_exit(&rwlp->rw_mutex);
	return (ok);
}

int
rw_read_held(krwlock_t *rwlp)
{
	rw_verify(rwlp, "rw_read_held");
	return (__atomic_load_n(&rwlp->rw_readers, __ATOMIC_ACQUIRE) != 0);
}

int
rw_write_held(krwlock_t *rwlp)
{
	rw_verify(rwlp, "rw_write_held");
	return (rwlp->rw_writer == fk_curthread());
}

int
rw_lock_held(krwlock_t *rwlp)
{
	rw_verify(rwlp, "rw_lock_held");
	return (rwlp->rw_writer != NULL ||
	    __atomic_load_n(&rwlp->rw_readers, __ATOMIC_ACQUIRE) != 0);
}

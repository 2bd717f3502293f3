/*
 * rwlock(9F): shared readers, exclusive writers, writer preference,
 * downgrade and upgrade, the *_held queries, and the misuse panics.
 */

#include <sys/types.h>
#include <sys/ksynch.h>
#include <fk.h>
#include <fk_impl.h>

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "lib/expect.h"

static krwlock_t rw;
static volatile int step;

static uintptr_t
on_thread(void *(*fn)(void *), void *arg)
{
	fk_tid_t tid;
	void *rv = NULL;

	if (fk_thread_create(&tid, "probe", fn, arg) != 0)
		return (UINTPTR_MAX);
	(void) fk_thread_join(tid, &rv);
	return ((uintptr_t)rv);
}

static void *
try_reader(void *arg)
{
	int ok = rw_tryenter(&rw, (krw_t)(uintptr_t)arg);

	if (ok)
		rw_exit(&rw);
	return ((void *)(uintptr_t)ok);
}

static void *
query_write_held(void *arg)
{
	(void) arg;
	return ((void *)(uintptr_t)rw_write_held(&rw));
}

static void
test_basic(void)
{
	rw_init(&rw, NULL, RW_DRIVER, NULL);
	CHECK("rw: free lock is not held", !rw_lock_held(&rw) &&
	    !rw_read_held(&rw) && !rw_write_held(&rw),
	    "expected no *_held, saw some");

	rw_enter(&rw, RW_READER);
	CHECK("rw: read_held and lock_held as reader",
	    rw_read_held(&rw) && rw_lock_held(&rw) && !rw_write_held(&rw),
	    "expected read_held, lock_held, not write_held");
	CHECK("rw: a second reader gets in",
	    on_thread(try_reader, (void *)RW_READER) == 1,
	    "expected rw_tryenter(RW_READER) 1 on another thread, saw 0");
	CHECK("rw: a writer does not",
	    on_thread(try_reader, (void *)RW_WRITER) == 0,
	    "expected rw_tryenter(RW_WRITER) 0, saw 1");
	CHECK("rw: tryupgrade by the only reader", rw_tryupgrade(&rw) == 1 &&
	    rw_write_held(&rw), "expected 1 and write_held");
	CHECK("rw: write_held is the writer's only",
	    on_thread(query_write_held, NULL) == 0,
	    "expected rw_write_held 0 on another thread, saw 1");
	CHECK("rw: no reader while written",
	    on_thread(try_reader, (void *)RW_READER) == 0,
	    "expected rw_tryenter(RW_READER) 0, saw 1");
	rw_downgrade(&rw);
	CHECK("rw: downgrade leaves a read lock", rw_read_held(&rw) &&
	    !rw_write_held(&rw), "expected read_held and not write_held");
	CHECK("rw: readers get in after downgrade",
	    on_thread(try_reader, (void *)RW_READER) == 1,
	    "expected rw_tryenter(RW_READER) 1, saw 0");
	rw_exit(&rw);
	CHECK("rw: free after exit", !rw_lock_held(&rw),
	    "expected not held");

	CHECK("rw: tryenter writer on a free lock",
	    rw_tryenter(&rw, RW_WRITER) == 1 && rw_write_held(&rw),
	    "expected 1 and write_held");
	rw_exit(&rw);
	rw_destroy(&rw);
}

/* Two readers; tryupgrade must fail while the other holds. */
static void *
hold_read(void *arg)
{
	(void) arg;
	rw_enter(&rw, RW_READER);
	__atomic_store_n(&step, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&step, __ATOMIC_SEQ_CST) != 2)
		(void) usleep(1000);
	rw_exit(&rw);
	return (NULL);
}

static void
test_upgrade_fails(void)
{
	fk_tid_t tid;
	int ok;

	rw_init(&rw, NULL, RW_DRIVER, NULL);
	step = 0;
	(void) fk_thread_create(&tid, "reader", hold_read, NULL);
	while (__atomic_load_n(&step, __ATOMIC_SEQ_CST) != 1)
		(void) usleep(1000);
	rw_enter(&rw, RW_READER);
	ok = rw_tryupgrade(&rw);
	CHECK("rw: tryupgrade fails with another reader", ok == 0,
	    "expected 0, saw %d", ok);
	rw_exit(&rw);
	__atomic_store_n(&step, 2, __ATOMIC_SEQ_CST);
	(void) fk_thread_join(tid, NULL);
	rw_destroy(&rw);
}

/*
 * Writer preference: with a reader in and a writer waiting, RW_READER
 * waits and RW_READER_STARVEWRITER gets in.
 */
static void *
writer(void *arg)
{
	(void) arg;
	rw_enter(&rw, RW_WRITER);
	rw_exit(&rw);
	return (NULL);
}

static void
test_writer_preference(void)
{
	fk_tid_t tid;
	int reader, starver;

	rw_init(&rw, NULL, RW_DRIVER, NULL);
	rw_enter(&rw, RW_READER);
	(void) fk_thread_create(&tid, "writer", writer, NULL);
	while (__atomic_load_n(&rw.rw_wwait, __ATOMIC_SEQ_CST) == 0)
		(void) usleep(1000);
	reader = (int)on_thread(try_reader, (void *)RW_READER);
	starver = (int)on_thread(try_reader,
	    (void *)RW_READER_STARVEWRITER);
	CHECK("rw: RW_READER waits behind a waiting writer", reader == 0,
	    "expected rw_tryenter 0, saw %d", reader);
	CHECK("rw: RW_READER_STARVEWRITER does not", starver == 1,
	    "expected rw_tryenter 1, saw %d", starver);
	rw_exit(&rw);
	(void) fk_thread_join(tid, NULL);
	CHECK("rw: the writer got in and left", !rw_lock_held(&rw),
	    "expected a free lock");
	rw_destroy(&rw);
}

/* Writers exclude each other. */
#define	NWRITERS	4
#define	NLOOPS		20000
static volatile uint64_t wcount;

static void *
count_writer(void *arg)
{
	int i;

	(void) arg;
	for (i = 0; i < NLOOPS; i++) {
		rw_enter(&rw, i % 3 == 0 ? RW_READER : RW_WRITER);
		if (rw_write_held(&rw))
			wcount++;
		rw_exit(&rw);
	}
	return (NULL);
}

static void
test_exclusion(void)
{
	fk_tid_t tids[NWRITERS];
	uint64_t expect = 0;
	int i;

	rw_init(&rw, NULL, RW_DRIVER, NULL);
	for (i = 0; i < NLOOPS; i++)
		expect += i % 3 != 0;
	for (i = 0; i < NWRITERS; i++)
		(void) fk_thread_create(&tids[i], "rw", count_writer, NULL);
	for (i = 0; i < NWRITERS; i++)
		(void) fk_thread_join(tids[i], NULL);
	CHECK("rw: writers exclude each other", wcount == NWRITERS * expect,
	    "expected %llu, saw %llu", (unsigned long long)NWRITERS * expect,
	    (unsigned long long)wcount);
	rw_destroy(&rw);
}

/*
 * Misuse.
 */
static void
die_recursive_writer(void *arg)
{
	(void) arg;
	rw_init(&rw, NULL, RW_DRIVER, NULL);
	rw_enter(&rw, RW_WRITER);
	rw_enter(&rw, RW_READER);
}

static void
die_exit_free(void *arg)
{
	(void) arg;
	rw_init(&rw, NULL, RW_DRIVER, NULL);
	rw_exit(&rw);
}

static void
die_downgrade_reader(void *arg)
{
	(void) arg;
	rw_init(&rw, NULL, RW_DRIVER, NULL);
	rw_enter(&rw, RW_READER);
	rw_downgrade(&rw);
}

static void
die_destroy_held(void *arg)
{
	(void) arg;
	rw_init(&rw, NULL, RW_DRIVER, NULL);
	rw_enter(&rw, RW_READER);
	rw_destroy(&rw);
}

static void
die_uninit(void *arg)
{
	static krwlock_t zero;

	(void) arg;
	rw_enter(&zero, RW_READER);
}

static void
test_misuse(void)
{
	(void) expect_death("panic: rw_enter by the writer",
	    die_recursive_writer, NULL, "holds this lock as writer");
	(void) expect_death("panic: rw_exit of a free lock", die_exit_free,
	    NULL, "the lock is not held");
	(void) expect_death("panic: rw_downgrade by a reader",
	    die_downgrade_reader, NULL, "does not hold the lock as writer");
	(void) expect_death("panic: rw_destroy of a held lock",
	    die_destroy_held, NULL, "rw_destroy");
	(void) expect_death("panic: uninitialised rwlock", die_uninit, NULL,
	    "not an initialised rwlock");
}

int
main(void)
{
	(void) setenv("FK_QUIET", "1", 1);
	test_basic();
	test_upgrade_fails();
	test_writer_preference();
	test_exclusion();
	test_misuse();
	return (check_exit());
}

/*
 * id32: ids are never 0 and distinct, look up their pointer, stale ids
 * (freed, even after their slot is reused) look up NULL, KM_NOSLEEP can
 * fail, and the panics (freeing an id twice, KM_SLEEP in interrupt
 * context).
 */

#include <sys/types.h>
#include <sys/id32.h>
#include <sys/kmem.h>
#include <fk.h>
#include <fk_impl.h>

#include <pthread.h>
#include <stdlib.h>

#include "check.h"
#include "lib/expect.h"

#define	NIDS	5000

static uint32_t ids[NIDS];
static int objs[NIDS];

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x < y ? -1 : x > y);
}

static void
test_basic(void)
{
	uint32_t sorted[NIDS];
	int i, nonzero = 1, found = 1, distinct = 1;

	for (i = 0; i < NIDS; i++) {
		ids[i] = id32_alloc(&objs[i], KM_SLEEP);
		nonzero &= ids[i] != 0;
	}
	for (i = 0; i < NIDS; i++)
		found &= id32_lookup(ids[i]) == &objs[i];
	for (i = 0; i < NIDS; i++)
		sorted[i] = ids[i];
	qsort(sorted, NIDS, sizeof (uint32_t), cmp_u32);
	for (i = 1; i < NIDS; i++)
		distinct &= sorted[i] != sorted[i - 1];
	CHECK("id32: ids are never 0", nonzero, "expected no 0 id");
	CHECK("id32: ids are distinct", distinct, "expected %d ids", NIDS);
	CHECK("id32: lookup finds each pointer", found,
	    "expected every lookup to match");
	CHECK("id32: lookup of 0 is NULL", id32_lookup(0) == NULL,
	    "expected NULL");
	CHECK("id32: lookup of a never-allocated id is NULL",
	    id32_lookup(0x3ffff) == NULL && id32_lookup(0xffffffff) == NULL,
	    "expected NULL");
	for (i = 0; i < NIDS; i++)
		id32_free(ids[i]);
}

static void
test_stale(void)
{
	uint32_t first, id;
	int i, stale = 1, live = 1;

	first = id32_alloc(&objs[0], KM_SLEEP);
	id32_free(first);
	CHECK("id32: a freed id looks up NULL", id32_lookup(first) == NULL,
	    "expected NULL, saw %p", id32_lookup(first));
	/* Churn through every slot many times; the old id stays dead. */
	for (i = 0; i < 20 * NIDS; i++) {
		id = id32_alloc(&objs[i % NIDS], KM_SLEEP);
		live &= id32_lookup(id) == &objs[i % NIDS];
		stale &= id32_lookup(first) == NULL;
		id32_free(id);
	}
	CHECK("id32: a stale id stays NULL after its slot is reused", stale,
	    "expected NULL throughout");
	CHECK("id32: reused slots give working ids", live,
	    "expected every new id to look up its pointer");
}

static void
test_nosleep(void)
{
	uint32_t id[4];
	int i, zeros = 0;

	fk_kmem_set_fail_nosleep(2);
	for (i = 0; i < 4; i++) {
		id[i] = id32_alloc(&objs[i], KM_NOSLEEP);
		zeros += id[i] == 0;
	}
	fk_kmem_set_fail_nosleep(0);
	CHECK("id32: KM_NOSLEEP failure returns 0", zeros == 2 &&
	    id[1] == 0 && id[3] == 0, "expected ids 2 and 4 to be 0, saw "
	    "%#x %#x %#x %#x", id[0], id[1], id[2], id[3]);
	for (i = 0; i < 4; i++) {
		if (id[i] != 0)
			id32_free(id[i]);
	}
}

static void
die_double_free(void *arg)
{
	uint32_t id = id32_alloc(arg, KM_SLEEP);

	id32_free(id);
	id32_free(id);
}

static void *
intr_alloc(void *arg)
{
	fk_intr_enter(5);
	(void) id32_alloc(arg, KM_SLEEP);
	fk_intr_exit();
	return (NULL);
}

static void
die_sleep_in_intr(void *arg)
{
	fk_tid_t tid;

	(void) fk_thread_create(&tid, "test intr", intr_alloc, arg);
	(void) fk_thread_join(tid, NULL);
}

int
main(void)
{
	(void) setenv("FK_QUIET", "1", 1);
	test_basic();
	test_stale();
	test_nosleep();
	(void) expect_death("panic: id32_free twice", die_double_free,
	    &objs[0], "not an allocated id");
	(void) expect_death("panic: KM_SLEEP id32_alloc in interrupt context",
	    die_sleep_in_intr, &objs[0], "in interrupt context");
	return (check_exit());
}

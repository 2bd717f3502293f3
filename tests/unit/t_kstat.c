/*
 * kstat: kstat_create(9F), kstat_install(9F), kstat_delete(9F),
 * kstat_named_init(9F), kstat_named_setstr(9F), and fk_kstat_read(), the
 * reader lab programs use as kstat(8).  What is checked: a new kstat is
 * invisible until installed, its data zeroed; the name defaults to
 * module and instance; the refusals (type, record count, persistent
 * virtual, variable-size physical, a name in use); virtual kstats; the
 * provider's ks_lock held around ks_update; values of every integer type
 * widened; strings copied by the default snapshot; persistence across
 * delete; a delete waits for a read in progress; the panics; and the
 * leak warning of fk_fini().
 */

#include <sys/types.h>
#include <sys/kstat.h>
#include <sys/ksynch.h>
#include <sys/cmn_err.h>
#include <fk.h>
#include <fk_impl.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "lib/expect.h"

/* A warning containing what was logged since n0. */
static int
warned(const char *what, uint_t n0)
{
	int i = fk_log_find(what, n0);

	return (i >= 0 && fk_log_get((uint_t)i)->lm_level == CE_WARN);
}

static void
test_named(void)
{
	kstat_t *ksp, *other;
	kstat_named_t *kn;
	uint64_t v = 7;
	int zero = 1, before;

	ksp = kstat_create("tmod", 3, "counts", "misc", KSTAT_TYPE_NAMED, 6, 0);
	if (!CHECK("kstat_create: a named kstat", ksp != NULL,
	    "expected a kstat, saw NULL"))
		return;
	kn = KSTAT_NAMED_PTR(ksp);
	for (size_t i = 0; i < ksp->ks_data_size; i++)
		zero &= ((uchar_t *)ksp->ks_data)[i] == 0;
	CHECK("kstat_create: header and zeroed data section",
	    strcmp(ksp->ks_module, "tmod") == 0 && ksp->ks_instance == 3 &&
	    strcmp(ksp->ks_name, "counts") == 0 &&
	    strcmp(ksp->ks_class, "misc") == 0 &&
	    ksp->ks_type == KSTAT_TYPE_NAMED && ksp->ks_ndata == 6 &&
	    ksp->ks_data_size == 6 * sizeof (kstat_named_t) && zero &&
	    ksp->ks_crtime > 0 && ksp->ks_lock == NULL &&
	    ksp->ks_update != NULL && ksp->ks_snapshot != NULL,
	    "expected tmod:3:counts, class misc, 6 zeroed records");
	CHECK("kstat_create: invalid until installed",
	    (ksp->ks_flags & KSTAT_FLAG_INVALID) != 0, "flags 0x%x",
	    ksp->ks_flags);

	kstat_named_init(&kn[0], "neg", KSTAT_DATA_INT32);
	kstat_named_init(&kn[1], "u32", KSTAT_DATA_UINT32);
	kstat_named_init(&kn[2], "i64", KSTAT_DATA_INT64);
	kstat_named_init(&kn[3], "u64", KSTAT_DATA_UINT64);
	kstat_named_init(&kn[4], "ulong", KSTAT_DATA_ULONG);
	kstat_named_init(&kn[5], "a_name_longer_than_thirty_characters",
	    KSTAT_DATA_CHAR);
	CHECK("kstat_named_init: name truncated to KSTAT_STRLEN - 1",
	    strcmp(kn[5].name, "a_name_longer_than_thirty_char") == 0 &&
	    kn[5].data_type == KSTAT_DATA_CHAR, "saw \"%.31s\"", kn[5].name);
	kn[0].value.i32 = -5;
	kn[1].value.ui32 = UINT32_MAX;
	kn[2].value.i64 = -(1LL << 40);
	kn[3].value.ui64 = 1ULL << 63;
	kn[4].value.ul = 12345;

	before = fk_kstat_read("tmod", 3, "counts", "u32", &v);
	kstat_install(ksp);
	CHECK("fk_kstat_read: nothing before kstat_install",
	    before == ENOENT, "expected ENOENT, saw %d", before);
	CHECK("kstat_install: clears KSTAT_FLAG_INVALID",
	    (ksp->ks_flags & KSTAT_FLAG_INVALID) == 0, "flags 0x%x",
	    ksp->ks_flags);
	CHECK("fk_kstat_read: INT32 sign-extended",
	    fk_kstat_read("tmod", 3, "counts", "neg", &v) == 0 &&
	    v == (uint64_t)-5LL, "saw 0x%llx", (unsigned long long)v);
	CHECK("fk_kstat_read: UINT32",
	    fk_kstat_read("tmod", 3, "counts", "u32", &v) == 0 &&
	    v == UINT32_MAX, "saw 0x%llx", (unsigned long long)v);
	CHECK("fk_kstat_read: INT64",
	    fk_kstat_read("tmod", 3, "counts", "i64", &v) == 0 &&
	    v == (uint64_t)-(1LL << 40), "saw 0x%llx", (unsigned long long)v);
	CHECK("fk_kstat_read: UINT64",
	    fk_kstat_read("tmod", 3, "counts", "u64", &v) == 0 &&
	    v == 1ULL << 63, "saw 0x%llx", (unsigned long long)v);
	CHECK("fk_kstat_read: ULONG",
	    fk_kstat_read("tmod", 3, "counts", "ulong", &v) == 0 &&
	    v == 12345, "saw %llu", (unsigned long long)v);
	CHECK("fk_kstat_read: a CHAR statistic is EINVAL",
	    fk_kstat_read("tmod", 3, "counts",
	    "a_name_longer_than_thirty_char", &v) == EINVAL, "expected EINVAL");
	CHECK("fk_kstat_read: unknown statistic, instance, name, module",
	    fk_kstat_read("tmod", 3, "counts", "nope", &v) == ENOENT &&
	    fk_kstat_read("tmod", 4, "counts", "u32", &v) == ENOENT &&
	    fk_kstat_read("tmod", 3, "count", "u32", &v) == ENOENT &&
	    fk_kstat_read("tmo", 3, "counts", "u32", &v) == ENOENT,
	    "expected ENOENT for each");

	/* The same name elsewhere is another kstat; here it collides. */
	uint_t n0 = fk_log_count();
	other = kstat_create("tmod", 4, "counts", "misc", KSTAT_TYPE_NAMED, 1,
	    0);
	CHECK("kstat_create: another instance is another kstat",
	    other != NULL && other != ksp && other->ks_kid != ksp->ks_kid,
	    "expected a second kstat with its own KID");
	CHECK("kstat_create: a name in use fails with a warning",
	    kstat_create("tmod", 3, "counts", "misc", KSTAT_TYPE_NAMED, 1,
	    0) == NULL && warned("namespace collision", n0),
	    "expected NULL and a warning");
	if (other != NULL)
		kstat_delete(other);

	kstat_delete(ksp);
	CHECK("kstat_delete: the kstat is gone",
	    fk_kstat_read("tmod", 3, "counts", "u32", &v) == ENOENT,
	    "expected ENOENT");
	ksp = kstat_create("tmod", 3, "counts", "misc", KSTAT_TYPE_NAMED, 1, 0);
	CHECK("kstat_delete: the name can be used again", ksp != NULL,
	    "expected a kstat");
	if (ksp != NULL)
		kstat_delete(ksp);
}

static void
test_create_refusals(void)
{
	kstat_t *ksp;
	uint_t n0 = fk_log_count();

	ksp = kstat_create("tmod", 0, NULL, "misc", KSTAT_TYPE_RAW, 16, 0);
	CHECK("kstat_create: no name is module and instance",
	    ksp != NULL && strcmp(ksp->ks_name, "tmod0") == 0 &&
	    ksp->ks_data_size == 16, "saw \"%s\"",
	    ksp != NULL ? ksp->ks_name : "NULL");
	if (ksp != NULL)
		kstat_delete(ksp);
	ksp = kstat_create("tmod", 0, "io", "disk", KSTAT_TYPE_IO, 1, 0);
	CHECK("kstat_create: an I/O kstat holds one kstat_io_t",
	    ksp != NULL && ksp->ks_data_size == sizeof (kstat_io_t),
	    "expected %zu bytes", sizeof (kstat_io_t));
	if (ksp != NULL)
		kstat_delete(ksp);

	CHECK("kstat_create: an unknown type fails with a warning",
	    kstat_create("tmod", 0, "t", "misc", KSTAT_NUM_TYPES, 1, 0) ==
	    NULL && warned("invalid kstat type", n0), "expected NULL");
	n0 = fk_log_count();
	CHECK("kstat_create: an interrupt kstat of two records fails",
	    kstat_create("tmod", 0, "t", "misc", KSTAT_TYPE_INTR, 2, 0) ==
	    NULL && kstat_create("tmod", 0, "t", "misc", KSTAT_TYPE_IO, 0,
	    0) == NULL && warned("ks_ndata out of range", n0),
	    "expected NULL");
	n0 = fk_log_count();
	CHECK("kstat_create: a persistent virtual kstat fails",
	    kstat_create("tmod", 0, "t", "misc", KSTAT_TYPE_NAMED, 1,
	    KSTAT_FLAG_PERSISTENT | KSTAT_FLAG_VIRTUAL) == NULL &&
	    warned("cannot be virtual", n0), "expected NULL");
	n0 = fk_log_count();
	CHECK("kstat_create: a variable-size physical kstat fails",
	    kstat_create("tmod", 0, "t", "misc", KSTAT_TYPE_NAMED, 1,
	    KSTAT_FLAG_VAR_SIZE) == NULL && warned("must be virtual", n0),
	    "expected NULL");
}

/* A provider: native counters, copied into the kstat under its lock. */
typedef struct prov {
	kmutex_t	p_lock;
	uint64_t	p_count;
	int		p_locked;	/* p_lock held in every update */
	int		p_last_rw;
	int		p_fail;
	int		p_sleep_ms;	/* in ks_update */
	volatile int	p_in_update;
} prov_t;

static int
prov_update(kstat_t *ksp, int rw)
{
	prov_t *p = ksp->ks_private;
	kstat_named_t *kn = KSTAT_NAMED_PTR(ksp);

	p->p_locked &= mutex_owned(&p->p_lock);
	p->p_last_rw = rw;
	if (p->p_fail)
		return (EIO);
	p->p_in_update = 1;
	if (p->p_sleep_ms != 0)
		(void) usleep((useconds_t)p->p_sleep_ms * 1000);
	if (rw == KSTAT_WRITE)
		p->p_count = kn[0].value.ui64;
	else
		kn[0].value.ui64 = p->p_count;
	p->p_in_update = 0;
	return (0);
}

static kstat_t *
prov_create(prov_t *p, uchar_t flags)
{
	kstat_t *ksp = kstat_create("tprov", 0, "stats", "misc",
	    KSTAT_TYPE_NAMED, 1, flags);

	if (ksp == NULL)
		return (NULL);
	kstat_named_init(KSTAT_NAMED_PTR(ksp), "count", KSTAT_DATA_UINT64);
	ksp->ks_lock = &p->p_lock;
	ksp->ks_private = p;
	ksp->ks_update = prov_update;
	kstat_install(ksp);
	return (ksp);
}

static void
test_update_lock(void)
{
	prov_t p = { .p_count = 41, .p_locked = 1 };
	kstat_t *ksp;
	uint64_t v = 0;

	mutex_init(&p.p_lock, NULL, MUTEX_DRIVER, NULL);
	ksp = prov_create(&p, 0);
	if (!CHECK("ks_update: a provider's kstat", ksp != NULL,
	    "expected a kstat"))
		return;
	p.p_count = 42;
	CHECK("ks_update: a read updates first, with ks_lock held",
	    fk_kstat_read("tprov", 0, "stats", "count", &v) == 0 && v == 42 &&
	    p.p_locked && p.p_last_rw == KSTAT_READ,
	    "saw %llu, lock held %d", (unsigned long long)v, p.p_locked);
	p.p_fail = 1;
	CHECK("ks_update: a failing update makes the read EIO",
	    fk_kstat_read("tprov", 0, "stats", "count", &v) == EIO,
	    "expected EIO");
	p.p_fail = 0;
	kstat_delete(ksp);
	mutex_destroy(&p.p_lock);
}

static void
test_virtual(void)
{
	kstat_named_t mine[2];
	kstat_t *ksp;
	uint64_t v = 0;

	ksp = kstat_create("tvirt", 1, "v", "misc", KSTAT_TYPE_NAMED, 2,
	    KSTAT_FLAG_VIRTUAL);
	if (!CHECK("KSTAT_FLAG_VIRTUAL: no data section", ksp != NULL &&
	    ksp->ks_data == NULL && ksp->ks_data_size == sizeof (mine),
	    "expected ks_data NULL, size %zu", sizeof (mine)))
		return;
	kstat_named_init(&mine[0], "a", KSTAT_DATA_UINT32);
	kstat_named_init(&mine[1], "b", KSTAT_DATA_UINT32);
	mine[1].value.ui32 = 99;
	ksp->ks_data = mine;
	kstat_install(ksp);
	CHECK("KSTAT_FLAG_VIRTUAL: reads the provider's data",
	    fk_kstat_read("tvirt", 1, "v", "b", &v) == 0 && v == 99,
	    "saw %llu", (unsigned long long)v);
	mine[1].value.ui32 = 100;
	CHECK("KSTAT_FLAG_VIRTUAL: as it changes",
	    fk_kstat_read("tvirt", 1, "v", "b", &v) == 0 && v == 100,
	    "saw %llu", (unsigned long long)v);
	kstat_delete_byname("tvirt", 1, "v");
	CHECK("kstat_delete_byname: deletes it",
	    fk_kstat_read("tvirt", 1, "v", "b", &v) == ENOENT,
	    "expected ENOENT");
}

static void
test_strings(void)
{
	kstat_t *ksp;
	kstat_named_t *kn, *snap;
	char *buf;
	uint64_t v;
	size_t want = 2 * sizeof (kstat_named_t) + sizeof ("hello");

	ksp = kstat_create("tstr", 0, "s", "misc", KSTAT_TYPE_NAMED, 2, 0);
	if (ksp == NULL) {
		check_fail("KSTAT_DATA_STRING: a kstat", "expected a kstat");
		return;
	}
	kn = KSTAT_NAMED_PTR(ksp);
	kstat_named_init(&kn[0], "str", KSTAT_DATA_STRING);
	CHECK("kstat_named_init: a string starts NULL",
	    KSTAT_NAMED_STR_PTR(&kn[0]) == NULL &&
	    KSTAT_NAMED_STR_BUFLEN(&kn[0]) == 0, "expected NULL, 0");
	kstat_named_init(&kn[1], "n", KSTAT_DATA_UINT32);
	kstat_named_setstr(&kn[0], "hello");
	CHECK("kstat_named_setstr: pointer and length with the NUL",
	    strcmp(KSTAT_NAMED_STR_PTR(&kn[0]), "hello") == 0 &&
	    KSTAT_NAMED_STR_BUFLEN(&kn[0]) == 6, "saw length %u",
	    KSTAT_NAMED_STR_BUFLEN(&kn[0]));
	kstat_install(ksp);
	(void) ksp->ks_update(ksp, KSTAT_READ);
	CHECK("kstat_install: a named kstat with strings has LONGSTRINGS, "
	    "its size the records and the strings",
	    (ksp->ks_flags & KSTAT_FLAG_LONGSTRINGS) &&
	    ksp->ks_data_size == want, "flags 0x%x, size %zu, expected %zu",
	    ksp->ks_flags, ksp->ks_data_size, want);
	buf = calloc(1, ksp->ks_data_size);
	(void) ksp->ks_snapshot(ksp, buf, KSTAT_READ);
	snap = (kstat_named_t *)(void *)buf;
	CHECK("ks_snapshot: copies each string after the records",
	    KSTAT_NAMED_STR_PTR(&snap[0]) == buf + 2 * sizeof (kstat_named_t) &&
	    strcmp(KSTAT_NAMED_STR_PTR(&snap[0]), "hello") == 0,
	    "expected the copy at the end of the buffer");
	CHECK("ks_snapshot: KSTAT_WRITE to a kstat not writable is EACCES",
	    ksp->ks_snapshot(ksp, buf, KSTAT_WRITE) == EACCES,
	    "expected EACCES");
	free(buf);
	CHECK("fk_kstat_read: a string statistic is EINVAL",
	    fk_kstat_read("tstr", 0, "s", "str", &v) == EINVAL,
	    "expected EINVAL");
	kstat_delete(ksp);

	ksp = kstat_create("tstr", 0, "raw", "misc", KSTAT_TYPE_RAW, 8, 0);
	if (ksp != NULL) {
		kstat_install(ksp);
		CHECK("fk_kstat_read: a raw kstat is EINVAL",
		    fk_kstat_read("tstr", 0, "raw", "x", &v) == EINVAL,
		    "expected EINVAL");
		kstat_delete(ksp);
	}
}

static void
test_persistent(void)
{
	prov_t p = { .p_count = 5, .p_locked = 1 };
	kstat_t *ksp, *again;
	uint64_t v = 0;
	int rw;

	mutex_init(&p.p_lock, NULL, MUTEX_DRIVER, NULL);
	ksp = prov_create(&p, KSTAT_FLAG_PERSISTENT);
	if (!CHECK("KSTAT_FLAG_PERSISTENT: a kstat", ksp != NULL,
	    "expected a kstat"))
		return;
	p.p_count = 77;
	kstat_delete(ksp);
	p.p_count = 0;
	CHECK("KSTAT_FLAG_PERSISTENT: after delete, dormant with the last "
	    "values", (ksp->ks_flags & KSTAT_FLAG_DORMANT) &&
	    ksp->ks_lock == NULL && ksp->ks_private == NULL &&
	    fk_kstat_read("tprov", 0, "stats", "count", &v) == 0 && v == 77,
	    "flags 0x%x, saw %llu", ksp->ks_flags, (unsigned long long)v);
	again = kstat_create("tprov", 0, "stats", "misc", KSTAT_TYPE_NAMED, 1,
	    KSTAT_FLAG_PERSISTENT);
	CHECK("KSTAT_FLAG_PERSISTENT: create returns the dormant kstat, "
	    "invalid", again == ksp && (ksp->ks_flags & KSTAT_FLAG_INVALID),
	    "expected the same kstat");
	if (again != ksp)
		return;
	ksp->ks_lock = &p.p_lock;
	ksp->ks_private = &p;
	ksp->ks_update = prov_update;
	kstat_install(ksp);
	rw = p.p_last_rw;
	CHECK("KSTAT_FLAG_PERSISTENT: install gives the provider the kept "
	    "values (KSTAT_WRITE)", rw == KSTAT_WRITE && p.p_count == 77 &&
	    !(ksp->ks_flags & (KSTAT_FLAG_DORMANT | KSTAT_FLAG_INVALID)),
	    "rw %d, count %llu", rw, (unsigned long long)p.p_count);
	CHECK("KSTAT_FLAG_PERSISTENT: a different type does not revive it",
	    kstat_create("tprov", 0, "stats", "misc", KSTAT_TYPE_RAW, 1,
	    0) == NULL, "expected NULL");
	kstat_delete(ksp);
	mutex_destroy(&p.p_lock);
}

static void *
reader(void *arg)
{
	uint64_t v;

	(void) fk_kstat_read("tprov", 0, "stats", "count", &v);
	return (arg);
}

static void
test_delete_waits(void)
{
	prov_t p = { .p_locked = 1, .p_sleep_ms = 300 };
	kstat_t *ksp;
	pthread_t tid;
	int in_update;

	mutex_init(&p.p_lock, NULL, MUTEX_DRIVER, NULL);
	if ((ksp = prov_create(&p, 0)) == NULL) {
		check_fail("kstat_delete: a kstat", "expected a kstat");
		return;
	}
	(void) pthread_create(&tid, NULL, reader, NULL);
	while (!p.p_in_update)
		(void) usleep(1000);
	kstat_delete(ksp);
	in_update = p.p_in_update;
	(void) pthread_join(tid, NULL);
	CHECK("kstat_delete: waits for a read in progress", in_update == 0,
	    "expected the update finished when delete returned");
	mutex_destroy(&p.p_lock);
}

static void
die_delete_locked(void *arg)
{
	prov_t p = { .p_locked = 1 };
	kstat_t *ksp;

	mutex_init(&p.p_lock, NULL, MUTEX_DRIVER, NULL);
	ksp = prov_create(&p, 0);
	mutex_enter(&p.p_lock);
	kstat_delete(ksp);
}

static void
die_setstr(void *arg)
{
	kstat_named_t kn;

	kstat_named_init(&kn, "n", KSTAT_DATA_UINT32);
	kstat_named_setstr(&kn, "x");
}

static void
die_var_size_unlocked(void *arg)
{
	static kstat_named_t kn[1];
	kstat_t *ksp = kstat_create("tdie", 0, "v", "misc", KSTAT_TYPE_NAMED,
	    1, KSTAT_FLAG_VIRTUAL | KSTAT_FLAG_VAR_SIZE);

	ksp->ks_data = kn;
	kstat_install(ksp);
}

static void
die_writable_strings(void *arg)
{
	kstat_t *ksp = kstat_create("tdie", 0, "w", "misc", KSTAT_TYPE_NAMED,
	    1, KSTAT_FLAG_WRITABLE);

	kstat_named_init(KSTAT_NAMED_PTR(ksp), "s", KSTAT_DATA_STRING);
	kstat_install(ksp);
}

static void *
intr_create(void *arg)
{
	fk_intr_enter(5);
	(void) kstat_create("tdie", 0, "i", "misc", KSTAT_TYPE_NAMED, 1, 0);
	fk_intr_exit();
	return (arg);
}

static void
die_create_in_intr(void *arg)
{
	pthread_t tid;

	(void) fk_thread_create(&tid, "test intr", intr_create, arg);
	(void) pthread_join(tid, NULL);
}

static void
die_delete_null(void *arg)
{
	kstat_delete(NULL);
}

static void
test_leak_report(void)
{
	fk_options_t o = { .fo_platform = "none", .fo_quiet = 1 };
	kstat_t *ksp;
	uint_t n0;
	uint64_t v;

	(void) fk_init(&o);
	ksp = kstat_create("tleak", 2, "forgotten", "misc", KSTAT_TYPE_NAMED,
	    1, 0);
	if (ksp != NULL)
		kstat_install(ksp);
	n0 = fk_log_count();
	fk_fini();
	CHECK("fk_fini: warns of a kstat never deleted, and frees it",
	    warned("kstat leak: tleak:2:forgotten", n0) &&
	    fk_kstat_read("tleak", 2, "forgotten", "x", &v) == ENOENT,
	    "expected a warning naming tleak:2:forgotten");
}

int
main(void)
{
	(void) setenv("FK_QUIET", "1", 1);
	test_named();
	test_create_refusals();
	test_update_lock();
	test_virtual();
	test_strings();
	test_persistent();
	test_delete_waits();
	(void) expect_death("panic: kstat_delete with ks_lock held",
	    die_delete_locked, NULL, "the caller holds ks_lock");
	(void) expect_death("panic: kstat_delete(NULL)", die_delete_null,
	    NULL, "kstat_delete(NULL)");
	(void) expect_death("panic: kstat_named_setstr on a number",
	    die_setstr, NULL, "not a KSTAT_DATA_STRING");
	(void) expect_death("panic: a variable-size kstat without ks_lock",
	    die_var_size_unlocked, NULL, "needs ks_lock");
	(void) expect_death("panic: a writable kstat with strings and the "
	    "default snapshot", die_writable_strings, NULL,
	    "needs its own ks_snapshot");
	(void) expect_death("panic: kstat_create in interrupt context",
	    die_create_in_intr, NULL, "in interrupt context");
	test_leak_report();
	return (check_exit());
}

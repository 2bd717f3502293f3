/*
 * Kernel statistics: kstat_create(9F), kstat_install(9F),
 * kstat_delete(9F), kstat_named_init(9F), kstat_named_setstr(9F), and
 * fk_kstat_read() (fk.h), the reader lab programs use in place of
 * kstat(8).
 *
 * The framework keeps every kstat from kstat_create() to kstat_delete()
 * on one chain, named by (module, instance, name); a name in use makes
 * kstat_create() fail with a warning.  A kstat is invisible to readers
 * while KSTAT_FLAG_INVALID is set: from its creation until
 * kstat_install().  A read happens as a reader of /dev/kstat makes it:
 * with ks_lock held (when the provider set one), ks_update(KSTAT_READ),
 * then ks_snapshot() into the reader's buffer.  A read in progress holds
 * the kstat: kstat_delete() waits for it.
 *
 * The data section of a physical kstat is allocated with the header,
 * zeroed, ks_ndata records of the type's size; a virtual one
 * (KSTAT_FLAG_VIRTUAL) has ks_data NULL until the provider points it at
 * its own data.  The default ks_update recomputes ks_data_size for named
 * kstats with strings (which kstat_install() marks
 * KSTAT_FLAG_LONGSTRINGS); the default ks_snapshot copies the data (the
 * named records, then each string, its pointer made to point at the
 * copy) or, for KSTAT_WRITE, copies the buffer back if the kstat is
 * writable.  A persistent kstat (KSTAT_FLAG_PERSISTENT) survives
 * kstat_delete() as a dormant one, still readable with its last values;
 * kstat_create() of the same name returns it, and kstat_install() hands
 * the old values to the provider with ks_update(KSTAT_WRITE).
 *
 * Strictness, as illumos panics or refuses:
 *	- kstat_create() refuses an unknown type, a record count out of the
 *	  type's range (interrupt and I/O kstats have exactly one), a
 *	  persistent virtual kstat and a variable-size physical one;
 *	- kstat_install() panics for a variable-size kstat without ks_lock,
 *	  and for a writable named kstat with strings that keeps the default
 *	  snapshot (which cannot write strings back);
 *	- kstat_delete() panics when the caller holds ks_lock (a reader
 *	  could be waiting for it) and for NULL;
 *	- kstat_named_setstr() panics on a record that is not a string;
 *	- create, install and delete panic in interrupt context.
 * fk_fini() reports, as a WARNING each, the kstats a driver created and
 * never deleted (dormant ones excepted), then frees them all.
 *
 * The I/O kstat's queue accounting (kstat_waitq_enter(9F) and friends)
 * and event timers are not provided: a driver that needs them does not
 * link.
 */

#include <sys/types.h>
#include <sys/kstat.h>
#include <sys/ksynch.h>
#include <sys/cmn_err.h>
#include <sys/debug.h>
#include <sys/systm.h>
#include <fk_impl.h>
#include <fk.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A kstat and what the framework keeps beside it; ks is first. */
typedef struct fk_kstat {
	kstat_t			k_ks;
	struct fk_kstat		*k_next;
	uint_t			k_holds;	/* reads in progress */
} fk_kstat_t;

/* The chain, the KIDs, the holds: all under fk_kstat_lock. */
static fk_lock_t fk_kstat_lock = FK_LOCK_INIT;
static fk_cond_t fk_kstat_released = FK_COND_INIT;
static fk_kstat_t *fk_kstats;
static kid_t fk_kstat_next_kid = 1;

/* Each type's record size and the record counts it allows. */
static const struct {
	size_t	kt_size;
	uint_t	kt_min;
	uint_t	kt_max;
} fk_kstat_types[KSTAT_NUM_TYPES] = {
	[KSTAT_TYPE_RAW] = { 1, 0, INT_MAX },
	[KSTAT_TYPE_NAMED] = { sizeof (kstat_named_t), 0, INT_MAX },
	[KSTAT_TYPE_INTR] = { sizeof (kstat_intr_t), 1, 1 },
	[KSTAT_TYPE_IO] = { sizeof (kstat_io_t), 1, 1 },
	[KSTAT_TYPE_TIMER] = { sizeof (kstat_timer_t), 0, INT_MAX }
};

/* A kstat string: at most KSTAT_STRLEN - 1 characters, zero-filled. */
static void
fk_kstat_setstr(char *dst, const char *src)
{
	(void) memset(dst, 0, KSTAT_STRLEN);
	(void) memcpy(dst, src, strnlen(src, KSTAT_STRLEN - 1));
}

/* The kstat of that name, installed or not (fk_kstat_lock held). */
static fk_kstat_t *
fk_kstat_find(const char *module, int instance, const char *name)
{
	char m[KSTAT_STRLEN], n[KSTAT_STRLEN];
	fk_kstat_t *k;

	fk_kstat_setstr(m, module);
	fk_kstat_setstr(n, name);
	for (k = fk_kstats; k != NULL; k = k->k_next) {
		if (k->k_ks.ks_instance == instance &&
		    strcmp(k->k_ks.ks_module, m) == 0 &&
		    strcmp(k->k_ks.ks_name, n) == 0)
			return (k);
	}
	return (NULL);
}

/* Is ksp on the chain (fk_kstat_lock held)? */
static int
fk_kstat_on_chain(const kstat_t *ksp)
{
	fk_kstat_t *k;

	for (k = fk_kstats; k != NULL; k = k->k_next) {
		if (&k->k_ks == ksp)
			return (1);
	}
	return (0);
}

static int
fk_kstat_default_update(kstat_t *ksp, int rw)
{
	kstat_named_t *knp = KSTAT_NAMED_PTR(ksp);
	size_t len = 0;

	if (ksp->ks_type != KSTAT_TYPE_NAMED || knp == NULL ||
	    (ksp->ks_flags & (KSTAT_FLAG_VAR_SIZE |
	    KSTAT_FLAG_LONGSTRINGS)) == 0)
		return (0);
	for (uint_t i = 0; i < ksp->ks_ndata; i++) {
		if (knp[i].data_type == KSTAT_DATA_STRING)
			len += KSTAT_NAMED_STR_BUFLEN(&knp[i]);
	}
	ksp->ks_data_size = ksp->ks_ndata * sizeof (kstat_named_t) + len;
	return (0);
}

static int
fk_kstat_default_snapshot(kstat_t *ksp, void *buf, int rw)
{
	size_t named = ksp->ks_ndata * sizeof (kstat_named_t);
	kstat_named_t *knp = buf;
	char *str;

	ksp->ks_snaptime = gethrtime();
	if (rw == KSTAT_WRITE) {
		if ((ksp->ks_flags & KSTAT_FLAG_WRITABLE) == 0)
			return (EACCES);
		(void) memcpy(ksp->ks_data, buf, ksp->ks_data_size);
		return (0);
	}
	if (ksp->ks_type != KSTAT_TYPE_NAMED || ksp->ks_data_size <= named) {
		(void) memcpy(buf, ksp->ks_data, ksp->ks_data_size);
		return (0);
	}
	/* Named records, then their strings, each pointer to its copy. */
	(void) memcpy(buf, ksp->ks_data, named);
	str = (char *)buf + named;
	for (uint_t i = 0; i < ksp->ks_ndata; i++) {
		if (knp[i].data_type != KSTAT_DATA_STRING ||
		    KSTAT_NAMED_STR_PTR(&knp[i]) == NULL)
			continue;
		(void) memcpy(str, KSTAT_NAMED_STR_PTR(&knp[i]),
		    KSTAT_NAMED_STR_BUFLEN(&knp[i]));
		KSTAT_NAMED_STR_PTR(&knp[i]) = str;
		str += KSTAT_NAMED_STR_BUFLEN(&knp[i]);
	}
	return (0);
}

/* The reasons kstat_create() refuses, before any name lookup. */
static const char *
fk_kstat_create_check(uchar_t type, uint_t ndata, uchar_t flags)
{
	if (type >= KSTAT_NUM_TYPES)
		return ("invalid kstat type");
	if (ndata < fk_kstat_types[type].kt_min ||
	    ndata > fk_kstat_types[type].kt_max)
		return ("ks_ndata out of range for the type");
	if ((flags & KSTAT_FLAG_PERSISTENT) && (flags & KSTAT_FLAG_VIRTUAL))
		return ("a persistent kstat cannot be virtual");
	if ((flags & KSTAT_FLAG_VAR_SIZE) && !(flags & KSTAT_FLAG_VIRTUAL))
		return ("a variable-size kstat must be virtual");
	return (NULL);
}

/*
 * A dormant persistent kstat of the same name comes back, marked invalid
 * until kstat_install(), if its class, type and size agree.
 */
static kstat_t *
fk_kstat_revive(fk_kstat_t *k, const char *class, uchar_t type,
    uint_t ndata, uchar_t flags)
{
	kstat_t *ksp = &k->k_ks;
	char c[KSTAT_STRLEN];

	fk_kstat_setstr(c, class);
	if (!(ksp->ks_flags & KSTAT_FLAG_DORMANT))
		return (NULL);
	if (strcmp(ksp->ks_class, c) != 0 || ksp->ks_type != type ||
	    ksp->ks_ndata != ndata || (flags & KSTAT_FLAG_VIRTUAL))
		return (NULL);
	ksp->ks_flags |= KSTAT_FLAG_INVALID;
	return (ksp);
}

kstat_t *
kstat_create(const char *module, int instance, const char *name,
    const char *class, uchar_t type, uint_t ndata, uchar_t flags)
{
	char namebuf[KSTAT_STRLEN + 16];
	size_t size;
	const char *why;
	fk_kstat_t *k, *old;
	kstat_t *ksp;

	fk_assert_may_block("kstat_create");
	if (module == NULL || class == NULL) {
		cmn_err(CE_WARN, "kstat_create: no module or class");
		return (NULL);
	}
	if (name == NULL) {
		char m[KSTAT_STRLEN];

		fk_kstat_setstr(m, module);
		(void) snprintf(namebuf, sizeof (namebuf), "%s%d", m, instance);
		name = namebuf;
	}
	if ((why = fk_kstat_create_check(type, ndata, flags)) != NULL) {
		cmn_err(CE_WARN, "kstat_create('%s', %d, '%s'): %s", module,
		    instance, name, why);
		return (NULL);
	}
	size = fk_kstat_types[type].kt_size * ndata;
	k = calloc(1, sizeof (*k) + ((flags & KSTAT_FLAG_VIRTUAL) ? 0 : size));
	if (k == NULL)
		return (NULL);
	ksp = &k->k_ks;
	ksp->ks_crtime = ksp->ks_snaptime = gethrtime();
	fk_kstat_setstr(ksp->ks_module, module);
	ksp->ks_instance = instance;
	fk_kstat_setstr(ksp->ks_name, name);
	ksp->ks_type = type;
	fk_kstat_setstr(ksp->ks_class, class);
	ksp->ks_flags = flags | KSTAT_FLAG_INVALID;
	ksp->ks_data = (flags & KSTAT_FLAG_VIRTUAL) ? NULL : (void *)(k + 1);
	ksp->ks_ndata = ndata;
	ksp->ks_data_size = size;
	ksp->ks_update = fk_kstat_default_update;
	ksp->ks_snapshot = fk_kstat_default_snapshot;

	fk_lock_enter(&fk_kstat_lock);
	if ((old = fk_kstat_find(module, instance, name)) != NULL) {
		kstat_t *back = fk_kstat_revive(old, class, type, ndata, flags);

		why = (old->k_ks.ks_flags & KSTAT_FLAG_DORMANT) ?
		    "invalid reactivation of a dormant kstat" :
		    "namespace collision";
		fk_lock_exit(&fk_kstat_lock);
		free(k);
		if (back == NULL) {
			cmn_err(CE_WARN, "kstat_create('%s', %d, '%s'): %s",
			    module, instance, name, why);
		}
		return (back);
	}
	ksp->ks_kid = fk_kstat_next_kid++;
	k->k_next = fk_kstats;
	fk_kstats = k;
	fk_lock_exit(&fk_kstat_lock);
	return (ksp);
}

/* Does a writable named kstat have strings it cannot write back? */
static void
fk_kstat_check_strings(kstat_t *ksp)
{
	kstat_named_t *knp = KSTAT_NAMED_PTR(ksp);

	if (ksp->ks_type != KSTAT_TYPE_NAMED || knp == NULL)
		return;
	for (uint_t i = 0; i < ksp->ks_ndata; i++) {
		if (knp[i].data_type == KSTAT_DATA_STRING)
			ksp->ks_flags |= KSTAT_FLAG_LONGSTRINGS;
	}
	if ((ksp->ks_flags & KSTAT_FLAG_LONGSTRINGS) &&
	    (ksp->ks_flags & KSTAT_FLAG_WRITABLE) &&
	    ksp->ks_snapshot == fk_kstat_default_snapshot) {
		panic("kstat_install('%s', %d, '%s'): a writable named kstat "
		    "with strings needs its own ks_snapshot", ksp->ks_module,
		    ksp->ks_instance, ksp->ks_name);
	}
}

void
kstat_install(kstat_t *ksp)
{
	kmutex_t *lp;
	int on;

	fk_assert_may_block("kstat_install");
	fk_lock_enter(&fk_kstat_lock);
	on = ksp != NULL && fk_kstat_on_chain(ksp);
	fk_lock_exit(&fk_kstat_lock);
	if (!on) {
		cmn_err(CE_WARN, "kstat_install(%p): no such kstat",
		    (void *)ksp);
		return;
	}
	if ((ksp->ks_flags & KSTAT_FLAG_VAR_SIZE) && ksp->ks_lock == NULL) {
		panic("kstat_install('%s', %d, '%s'): a variable-size kstat "
		    "needs ks_lock", ksp->ks_module, ksp->ks_instance,
		    ksp->ks_name);
	}
	fk_kstat_check_strings(ksp);
	if (ksp->ks_flags & KSTAT_FLAG_DORMANT) {
		/* The provider takes the values the kstat kept. */
		lp = ksp->ks_lock;
		if (lp != NULL && !mutex_owned(lp)) {
			mutex_enter(lp);
			(void) ksp->ks_update(ksp, KSTAT_WRITE);
			mutex_exit(lp);
		} else {
			(void) ksp->ks_update(ksp, KSTAT_WRITE);
		}
		ksp->ks_flags &= ~KSTAT_FLAG_DORMANT;
	}
	fk_lock_enter(&fk_kstat_lock);
	ksp->ks_flags &= ~KSTAT_FLAG_INVALID;
	fk_lock_exit(&fk_kstat_lock);
}

/* Unlink k (fk_kstat_lock held). */
static void
fk_kstat_unlink(fk_kstat_t *k)
{
	fk_kstat_t **pp;

	for (pp = &fk_kstats; *pp != k; pp = &(*pp)->k_next)
		;
	*pp = k->k_next;
}

/* A persistent kstat's last update, then dormancy with the defaults. */
static void
fk_kstat_make_dormant(kstat_t *ksp)
{
	kmutex_t *lp = ksp->ks_lock;

	if (lp != NULL)
		mutex_enter(lp);
	(void) ksp->ks_update(ksp, KSTAT_READ);
	if (lp != NULL)
		mutex_exit(lp);
	ksp->ks_flags |= KSTAT_FLAG_DORMANT;
	ksp->ks_lock = NULL;
	ksp->ks_update = fk_kstat_default_update;
	ksp->ks_private = NULL;
	ksp->ks_snapshot = fk_kstat_default_snapshot;
}

void
kstat_delete(kstat_t *ksp)
{
	fk_kstat_t *k = (fk_kstat_t *)ksp;

	fk_assert_may_block("kstat_delete");
	if (ksp == NULL)
		panic("kstat_delete(NULL)");
	if (ksp->ks_lock != NULL && mutex_owned(ksp->ks_lock)) {
		panic("kstat_delete('%s', %d, '%s'): the caller holds ks_lock",
		    ksp->ks_module, ksp->ks_instance, ksp->ks_name);
	}
	fk_lock_enter(&fk_kstat_lock);
	if (!fk_kstat_on_chain(ksp)) {
		fk_lock_exit(&fk_kstat_lock);
		cmn_err(CE_WARN, "kstat_delete(%p): no such kstat",
		    (void *)ksp);
		return;
	}
	while (k->k_holds != 0)
		(void) fk_cond_wait(&fk_kstat_released, &fk_kstat_lock, 0);
	if (ksp->ks_flags & KSTAT_FLAG_PERSISTENT) {
		k->k_holds++;
		fk_lock_exit(&fk_kstat_lock);
		fk_kstat_make_dormant(ksp);
		fk_lock_enter(&fk_kstat_lock);
		k->k_holds--;
		fk_cond_broadcast(&fk_kstat_released);
		fk_lock_exit(&fk_kstat_lock);
		return;
	}
	fk_kstat_unlink(k);
	fk_lock_exit(&fk_kstat_lock);
	free(k);
}

void
kstat_delete_byname(const char *module, int instance, const char *name)
{
	fk_kstat_t *k;

	fk_lock_enter(&fk_kstat_lock);
	k = fk_kstat_find(module, instance, name);
	fk_lock_exit(&fk_kstat_lock);
	if (k != NULL)
		kstat_delete(&k->k_ks);
}

void
kstat_named_init(kstat_named_t *knp, const char *name, uchar_t data_type)
{
	fk_kstat_setstr(knp->name, name);
	knp->data_type = data_type;
	if (data_type == KSTAT_DATA_STRING)
		kstat_named_setstr(knp, NULL);
}

void
kstat_named_setstr(kstat_named_t *knp, const char *src)
{
	if (knp->data_type != KSTAT_DATA_STRING) {
		panic("kstat_named_setstr('%s'): not a KSTAT_DATA_STRING "
		    "record", knp->name);
	}
	KSTAT_NAMED_STR_PTR(knp) = (char *)src;
	KSTAT_NAMED_STR_BUFLEN(knp) = (src == NULL) ? 0 :
	    (uint32_t)strlen(src) + 1;
}

/* A numeric named value, widened to 64 bits: 0, or EINVAL. */
static int
fk_kstat_named_value(const kstat_named_t *knp, uint64_t *valp)
{
	switch (knp->data_type) {
	case KSTAT_DATA_INT32:
		*valp = (uint64_t)(int64_t)knp->value.i32;
		return (0);
	case KSTAT_DATA_UINT32:
		*valp = knp->value.ui32;
		return (0);
	case KSTAT_DATA_INT64:
	case KSTAT_DATA_LONG:
		*valp = (uint64_t)knp->value.i64;
		return (0);
	case KSTAT_DATA_UINT64:
	case KSTAT_DATA_ULONG:
		*valp = knp->value.ui64;
		return (0);
	default:
		return (EINVAL);
	}
}

/*
 * Take a snapshot of an installed kstat into a new buffer, as a read of
 * /dev/kstat does: 0 (*hdr the header, *bufp the data, for the caller to
 * free), ENOENT when no such kstat is installed, or EIO.
 */
static int
fk_kstat_snapshot(const char *module, int instance, const char *name,
    kstat_t *hdr, void **bufp)
{
	fk_kstat_t *k;
	kstat_t *ksp;
	kmutex_t *lp;
	void *buf = NULL;
	int err;

	fk_lock_enter(&fk_kstat_lock);
	k = fk_kstat_find(module, instance, name);
	if (k == NULL || (k->k_ks.ks_flags & KSTAT_FLAG_INVALID)) {
		fk_lock_exit(&fk_kstat_lock);
		return (ENOENT);
	}
	k->k_holds++;
	fk_lock_exit(&fk_kstat_lock);

	ksp = &k->k_ks;
	if ((lp = ksp->ks_lock) != NULL)
		mutex_enter(lp);
	err = ksp->ks_update(ksp, KSTAT_READ);
	if (err == 0 && (buf = calloc(1, ksp->ks_data_size + 1)) == NULL)
		err = ENOMEM;
	if (err == 0)
		err = ksp->ks_snapshot(ksp, buf, KSTAT_READ);
	*hdr = *ksp;
	if (lp != NULL)
		mutex_exit(lp);

	fk_lock_enter(&fk_kstat_lock);
	k->k_holds--;
	fk_cond_broadcast(&fk_kstat_released);
	fk_lock_exit(&fk_kstat_lock);
	if (err != 0) {
		free(buf);
		return (EIO);
	}
	*bufp = buf;
	return (0);
}

int
fk_kstat_read(const char *module, int instance, const char *name,
    const char *statistic, uint64_t *valp)
{
	kstat_t hdr;
	kstat_named_t *knp;
	void *buf;
	int err;

	if ((err = fk_kstat_snapshot(module, instance, name, &hdr, &buf)) != 0)
		return (err);
	err = ENOENT;
	if (hdr.ks_type != KSTAT_TYPE_NAMED)
		err = EINVAL;
	knp = buf;
	for (uint_t i = 0; err == ENOENT && i < hdr.ks_ndata; i++) {
		if (strncmp(knp[i].name, statistic, KSTAT_STRLEN) == 0)
			err = fk_kstat_named_value(&knp[i], valp);
	}
	free(buf);
	return (err);
}

void
fk_kstat_fini(void)
{
	fk_kstat_t *k;

	fk_lock_enter(&fk_kstat_lock);
	while ((k = fk_kstats) != NULL) {
		fk_kstats = k->k_next;
		if (!(k->k_ks.ks_flags & KSTAT_FLAG_DORMANT)) {
			cmn_err(CE_WARN, "fakekernel: kstat leak: %s:%d:%s "
			    "was never deleted", k->k_ks.ks_module,
			    k->k_ks.ks_instance, k->k_ks.ks_name);
		}
		free(k);
	}
	fk_lock_exit(&fk_kstat_lock);
}

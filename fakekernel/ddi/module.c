/*
 * Loadable modules: mod_install(9F), mod_remove(9F), mod_info(9F), and
 * the lab's fk_mod_load()/fk_mod_unload(), which stand in for modload and
 * modunload.
 *
 * A driver's _init, _fini and _info are renamed at build time (they would
 * collide with the C runtime's); the lab passes them to fk_mod_load(name,
 * ...).  While _init runs, mod_install() registers each modldrv's dev_ops
 * as the driver "name" (the module's name, as illumos names a driver
 * after its module); modlmisc linkages are accepted and need nothing.
 * The SCSA framework hooks in through scsi_hba_init(), which the driver's
 * _init calls with the same modlinkage.
 *
 * Driver records (struct fk_driver) live for the life of the process, as
 * illumos's major numbers do: mod_remove() only clears drv_ops, so nodes
 * stay bound, keep their instance numbers, and attach again once the
 * module is loaded again.  fk_driver_lookup() finds installed drivers
 * only.
 *
 * mod_remove() fails with EBUSY while any node bound to the driver is
 * attached (or attaching or detaching).
 */

#include <sys/types.h>
#include <sys/modctl.h>
#include <sys/sysmacros.h>
#include <sys/sunddi.h>
#include <sys/cmn_err.h>
#include <fk_impl.h>
#include <fk.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A modlinkage's linkage slots (fewer than mod_info's MODMAXLINK). */
#define	FK_MODLINKS	((int)ARRAY_SIZE(((struct modlinkage *)NULL)->ml_linkage))

/* The module kinds: known by their addresses (no operation is called). */
struct mod_ops mod_driverops;
struct mod_ops mod_miscops;

typedef struct fk_module {
	char			*mod_name;
	int			(*mod_init)(void);
	int			(*mod_fini)(void);
	int			(*mod_info)(struct modinfo *);
	struct modlinkage	*mod_linkage;	/* set by mod_install */
	struct fk_module	*mod_next;
} fk_module_t;

/* fk_mod_lock: the module and driver lists.  Loads are serialized. */
static fk_lock_t fk_mod_lock = FK_LOCK_INIT;
static fk_lock_t fk_mod_load_lock = FK_LOCK_INIT;
static fk_module_t *fk_modules;
static struct fk_driver *fk_drivers;

/* The module whose _init or _fini this thread is running. */
static __thread fk_module_t *fk_mod_current;

static fk_module_t *
fk_mod_find_locked(const char *name)
{
	fk_module_t *m;

	for (m = fk_modules; m != NULL; m = m->mod_next) {
		if (strcmp(m->mod_name, name) == 0)
			return (m);
	}
	return (NULL);
}

static struct fk_driver *
fk_driver_find_locked(const char *name)
{
	struct fk_driver *d;

	for (d = fk_drivers; d != NULL; d = d->drv_next) {
		if (strcmp(d->drv_name, name) == 0)
			return (d);
	}
	return (NULL);
}

struct fk_driver *
fk_driver_lookup(const char *name)
{
	struct fk_driver *d;

	fk_lock_enter(&fk_mod_lock);
	d = fk_driver_find_locked(name);
	if (d != NULL && d->drv_ops == NULL)
		d = NULL;
	fk_lock_exit(&fk_mod_lock);
	return (d);
}

/* Register dev_ops as driver "name" for linkage ml. */
static int
fk_driver_register(const char *name, struct dev_ops *ops,
    struct modlinkage *ml)
{
	struct fk_driver *d;
	char *dup;

	fk_lock_enter(&fk_mod_lock);
	if ((d = fk_driver_find_locked(name)) != NULL) {
		if (d->drv_ops != NULL) {
			fk_lock_exit(&fk_mod_lock);
			return (EEXIST);
		}
	} else {
		if ((d = calloc(1, sizeof (*d))) == NULL ||
		    (dup = strdup(name)) == NULL) {
			fk_lock_exit(&fk_mod_lock);
			free(d);
			return (ENOMEM);
		}
		d->drv_name = dup;
		d->drv_next = fk_drivers;
		fk_drivers = d;
	}
	d->drv_ops = ops;
	d->drv_linkage = ml;
	fk_lock_exit(&fk_mod_lock);
	return (0);
}

/* Unregister every driver of linkage ml. */
static void
fk_driver_unregister(struct modlinkage *ml)
{
	struct fk_driver *d;

	fk_lock_enter(&fk_mod_lock);
	for (d = fk_drivers; d != NULL; d = d->drv_next) {
		if (d->drv_linkage == ml) {
			d->drv_ops = NULL;
			d->drv_linkage = NULL;
		}
	}
	fk_lock_exit(&fk_mod_lock);
}

static int
fk_linkage_check(struct modlinkage *ml, const char *fn)
{
	int i;

	if (ml == NULL || ml->ml_rev != MODREV_1) {
		cmn_err(CE_WARN, "%s: bad modlinkage (%s)", fn,
		    ml == NULL ? "NULL" : "ml_rev is not MODREV_1");
		return (EINVAL);
	}
	for (i = 0; i < FK_MODLINKS && ml->ml_linkage[i] != NULL; i++) {
		struct mod_ops *ops = *(struct mod_ops **)ml->ml_linkage[i];

		if (ops != &mod_driverops && ops != &mod_miscops) {
			cmn_err(CE_WARN, "%s: linkage %d has unknown mod_ops",
			    fn, i);
			return (EINVAL);
		}
	}
	return (0);
}

int
mod_install(struct modlinkage *ml)
{
	fk_module_t *m = fk_mod_current;
	struct modldrv *md;
	int i, err;

	if ((err = fk_linkage_check(ml, "mod_install")) != 0)
		return (err);
	if (m == NULL) {
		cmn_err(CE_WARN, "mod_install: not called from a module's "
		    "_init (load drivers with fk_mod_load)");
		return (EINVAL);
	}
	for (i = 0; i < FK_MODLINKS && ml->ml_linkage[i] != NULL; i++) {
		md = ml->ml_linkage[i];
		if (md->drv_modops != &mod_driverops)
			continue;
		if (md->drv_dev_ops == NULL ||
		    md->drv_dev_ops->devo_rev != DEVO_REV) {
			cmn_err(CE_WARN, "mod_install(%s): %s", m->mod_name,
			    md->drv_dev_ops == NULL ? "no dev_ops" :
			    "dev_ops has the wrong devo_rev");
			fk_driver_unregister(ml);
			return (EINVAL);
		}
		if ((err = fk_driver_register(m->mod_name, md->drv_dev_ops,
		    ml)) != 0) {
			cmn_err(CE_WARN, "mod_install(%s): cannot register "
			    "the driver (error %d)", m->mod_name, err);
			fk_driver_unregister(ml);
			return (err);
		}
	}
	m->mod_linkage = ml;
	return (0);
}

/* Is a driver of linkage ml in use (a bound node attached)? */
static int
fk_linkage_busy(struct modlinkage *ml)
{
	struct fk_driver *d, *busy[16];
	int n = 0, i, rv = 0;

	fk_lock_enter(&fk_mod_lock);
	for (d = fk_drivers; d != NULL && n < 16; d = d->drv_next) {
		if (d->drv_linkage == ml)
			busy[n++] = d;
	}
	fk_lock_exit(&fk_mod_lock);
	for (i = 0; i < n && rv == 0; i++)
		rv = fk_devi_driver_in_use(busy[i]);
	return (rv);
}

int
mod_remove(struct modlinkage *ml)
{
	int err;

	if ((err = fk_linkage_check(ml, "mod_remove")) != 0)
		return (err);
	if (fk_linkage_busy(ml))
		return (EBUSY);
	fk_driver_unregister(ml);
	if (fk_mod_current != NULL && fk_mod_current->mod_linkage == ml)
		fk_mod_current->mod_linkage = NULL;
	return (0);
}

/* mod_info(9F): non-zero on success. */
int
mod_info(struct modlinkage *ml, struct modinfo *mip)
{
	fk_module_t *m;
	int i;

	if (mip == NULL || fk_linkage_check(ml, "mod_info") != 0)
		return (0);
	(void) memset(mip, 0, sizeof (*mip));
	mip->mi_rev = ml->ml_rev;
	fk_lock_enter(&fk_mod_lock);
	for (m = fk_modules; m != NULL; m = m->mod_next) {
		if (m->mod_linkage == ml)
			break;
	}
	if (m == NULL)
		m = fk_mod_current;
	if (m != NULL) {
		(void) snprintf(mip->mi_name, sizeof (mip->mi_name), "%s",
		    m->mod_name);
	}
	fk_lock_exit(&fk_mod_lock);
	for (i = 0; i < FK_MODLINKS && ml->ml_linkage[i] != NULL; i++) {
		/* modldrv and modlmisc both begin ops, linkinfo. */
		struct modlmisc *mm = ml->ml_linkage[i];

		(void) snprintf(mip->mi_msinfo[i].msi_linkinfo,
		    sizeof (mip->mi_msinfo[i].msi_linkinfo), "%s",
		    mm->misc_linkinfo != NULL ? mm->misc_linkinfo : "");
	}
	return (1);
}

/*
 * Load: run _init with mod_install registering under "name"; _info (if
 * given) must then answer.  Returns 0 or an errno value (_init's own).
 */
int
fk_mod_load(const char *name, int (*init)(void), int (*fini)(void),
    int (*info)(struct modinfo *))
{
	struct modinfo mi;
	fk_module_t *m;
	int rv;

	if (name == NULL || init == NULL || fini == NULL)
		return (EINVAL);
	fk_assert_may_block("fk_mod_load");
	fk_lock_enter(&fk_mod_load_lock);
	fk_lock_enter(&fk_mod_lock);
	m = fk_mod_find_locked(name);
	fk_lock_exit(&fk_mod_lock);
	if (m != NULL) {
		fk_lock_exit(&fk_mod_load_lock);
		return (EEXIST);
	}
	if ((m = calloc(1, sizeof (*m))) == NULL ||
	    (m->mod_name = strdup(name)) == NULL) {
		fk_lock_exit(&fk_mod_load_lock);
		free(m);
		return (ENOMEM);
	}
	m->mod_init = init;
	m->mod_fini = fini;
	m->mod_info = info;

	fk_mod_current = m;
	rv = init();
	fk_mod_current = NULL;
	if (rv == 0 && m->mod_linkage == NULL) {
		cmn_err(CE_WARN, "fk_mod_load(%s): _init returned 0 without "
		    "mod_install", name);
		rv = EINVAL;
	}
	if (rv == 0 && info != NULL && info(&mi) == 0) {
		cmn_err(CE_WARN, "fk_mod_load(%s): _info failed", name);
		(void) fini();
		rv = EINVAL;
	}
	if (rv != 0) {
		if (m->mod_linkage != NULL)
			fk_driver_unregister(m->mod_linkage);
		fk_lock_exit(&fk_mod_load_lock);
		free(m->mod_name);
		free(m);
		return (rv);
	}
	fk_lock_enter(&fk_mod_lock);
	m->mod_next = fk_modules;
	fk_modules = m;
	fk_lock_exit(&fk_mod_lock);
	fk_lock_exit(&fk_mod_load_lock);
	cmn_err(CE_CONT, "!loaded module %s\n", name);
	return (0);
}

/*
 * Unload: run _fini; a non-zero return (EBUSY while attached) leaves the
 * module loaded and is returned.
 */
int
fk_mod_unload(const char *name)
{
	fk_module_t *m, **mp;
	struct modlinkage *ml;
	int rv;

	if (name == NULL)
		return (EINVAL);
	fk_assert_may_block("fk_mod_unload");
	fk_lock_enter(&fk_mod_load_lock);
	fk_lock_enter(&fk_mod_lock);
	m = fk_mod_find_locked(name);
	fk_lock_exit(&fk_mod_lock);
	if (m == NULL) {
		fk_lock_exit(&fk_mod_load_lock);
		return (ENOENT);
	}
	ml = m->mod_linkage;
	fk_mod_current = m;
	rv = m->mod_fini();
	fk_mod_current = NULL;
	if (rv != 0) {
		m->mod_linkage = ml;
		fk_lock_exit(&fk_mod_load_lock);
		return (rv);
	}
	if (m->mod_linkage != NULL) {
		cmn_err(CE_WARN, "fk_mod_unload(%s): _fini returned 0 without "
		    "mod_remove", name);
		fk_driver_unregister(m->mod_linkage);
	}
	fk_lock_enter(&fk_mod_lock);
	for (mp = &fk_modules; *mp != NULL; mp = &(*mp)->mod_next) {
		if (*mp == m) {
			*mp = m->mod_next;
			break;
		}
	}
	fk_lock_exit(&fk_mod_lock);
	fk_lock_exit(&fk_mod_load_lock);
	free(m->mod_name);
	free(m);
	cmn_err(CE_CONT, "!unloaded module %s\n", name);
	return (0);
}

/*
 * Modules: fk_mod_load running _init and mod_install registering the
 * driver under the module's name, mod_info, loading twice, _init
 * failures, bad linkages and dev_ops, mod_install outside a load,
 * misc modules, mod_remove refused (EBUSY) while a node is attached,
 * unload/reload keeping nodes bound and their instances, and a _fini
 * that forgets mod_remove.
 */

#include <sys/types.h>
#include <sys/ddi.h>
#include <sys/sunddi.h>
#include <sys/modctl.h>
#include <fk.h>
#include <fk_impl.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tdrv.h"

/* A module whose _init fails after installing. */
static int
failing_init(void)
{
	int rv;

	if ((rv = mod_install(&tdrv_modlinkage)) != 0)
		return (rv);
	(void) mod_remove(&tdrv_modlinkage);
	return (EIO);
}

/* A driver with the wrong dev_ops revision. */
static struct dev_ops old_ops = {
	.devo_rev = 3,
	.devo_attach = tdrv_attach,
	.devo_detach = tdrv_detach,
};
static struct modldrv old_modldrv = { &mod_driverops, "old", &old_ops };
static struct modlinkage old_linkage = { MODREV_1, { &old_modldrv, NULL } };

static int
old_init(void)
{
	return (mod_install(&old_linkage));
}

static int
old_fini(void)
{
	return (mod_remove(&old_linkage));
}

/* A misc module (no dev_ops). */
static struct modlmisc misc_modlmisc = { &mod_miscops, "misc helpers" };
static struct modlinkage misc_linkage = { MODREV_1,
	{ &misc_modlmisc, NULL } };

static int
misc_init(void)
{
	return (mod_install(&misc_linkage));
}

static int
misc_fini(void)
{
	return (mod_remove(&misc_linkage));
}

static int
misc_info(struct modinfo *mip)
{
	return (mod_info(&misc_linkage, mip));
}

/* A _fini that forgets mod_remove. */
static int
forgetful_fini(void)
{
	return (0);
}

static void
test_load(void)
{
	struct modinfo mi;
	struct modlinkage bad = { 2, { &tdrv_modldrv, NULL } };

	CHECK("mod_install: refused outside a module load",
	    mod_install(&tdrv_modlinkage) == EINVAL &&
	    fk_driver_lookup("tdrv") == NULL, "expected EINVAL");
	CHECK("fk_mod_load: a failing _init is returned, nothing stays",
	    fk_mod_load("tdrv", failing_init, tdrv_fini, tdrv_info) == EIO &&
	    fk_driver_lookup("tdrv") == NULL, "expected EIO and no driver");
	CHECK("fk_mod_load: loads the driver",
	    fk_mod_load("tdrv", tdrv_init, tdrv_fini, tdrv_info) == 0,
	    "expected 0");
	CHECK("mod_install: registers the dev_ops under the module's name",
	    fk_driver_lookup("tdrv") != NULL &&
	    fk_driver_lookup("tdrv")->drv_ops == &tdrv_ops,
	    "expected the driver with tdrv_ops");
	CHECK("fk_mod_load: a loaded module cannot load again",
	    fk_mod_load("tdrv", tdrv_init, tdrv_fini, tdrv_info) == EEXIST,
	    "expected EEXIST");
	(void) memset(&mi, 0, sizeof (mi));
	CHECK("mod_info: succeeds with the module's name and linkinfo",
	    tdrv_info(&mi) != 0 && strcmp(mi.mi_name, "tdrv") == 0 &&
	    strcmp(mi.mi_msinfo[0].msi_linkinfo, "unit test driver") == 0,
	    "expected \"tdrv\", \"unit test driver\", saw \"%s\", \"%s\"",
	    mi.mi_name, mi.mi_msinfo[0].msi_linkinfo);
	CHECK("mod_info: a bad linkage fails", mod_info(&bad, &mi) == 0,
	    "expected 0");
	CHECK("fk_mod_load: dev_ops of another revision are refused",
	    fk_mod_load("old", old_init, old_fini, NULL) == EINVAL &&
	    fk_driver_lookup("old") == NULL, "expected EINVAL");
	CHECK("fk_mod_load: a misc module loads and unloads",
	    fk_mod_load("misc", misc_init, misc_fini, misc_info) == 0 &&
	    fk_driver_lookup("misc") == NULL && fk_mod_unload("misc") == 0,
	    "expected 0, no driver, 0");
	CHECK("fk_mod_unload: an unknown module is ENOENT",
	    fk_mod_unload("nosuch") == ENOENT, "expected ENOENT");
}

static void
test_remove(void)
{
	dev_info_t *a, *b;

	a = fk_devi_alloc(NULL, "tdrv", "10");
	b = fk_devi_alloc(NULL, "tdrv", "11");
	(void) fk_devi_bind(a, "tdrv");
	(void) fk_devi_bind(b, "tdrv");
	CHECK("fk_devi_bind: instances numbered per driver",
	    ddi_get_instance(a) == 0 && ddi_get_instance(b) == 1,
	    "expected 0 and 1, saw %d and %d", ddi_get_instance(a),
	    ddi_get_instance(b));
	(void) fk_devi_attach(a);
	CHECK("mod_remove: EBUSY while a node is attached",
	    fk_mod_unload("tdrv") == EBUSY && fk_driver_lookup("tdrv") != NULL,
	    "expected EBUSY and the driver still there");
	CHECK("fk_mod_unload: the module stays loaded after EBUSY",
	    fk_mod_load("tdrv", tdrv_init, tdrv_fini, tdrv_info) == EEXIST,
	    "expected EEXIST");
	(void) fk_devi_detach(a);
	CHECK("mod_remove: succeeds once nothing is attached",
	    fk_mod_unload("tdrv") == 0 && fk_driver_lookup("tdrv") == NULL,
	    "expected 0 and no driver");
	CHECK("fk_devi_attach: fails while the driver is unloaded",
	    fk_devi_attach(a) == DDI_FAILURE, "expected DDI_FAILURE");
	CHECK("fk_mod_load: the driver loads again",
	    fk_mod_load("tdrv", tdrv_init, tdrv_fini, tdrv_info) == 0,
	    "expected 0");
	tdrv_reset();
	CHECK("fk_devi_attach: bound nodes attach after the reload, same "
	    "instance", fk_devi_attach(a) == DDI_SUCCESS &&
	    ddi_get_instance(a) == 0 && tdrv.td_nattach == 1,
	    "expected DDI_SUCCESS, instance 0");
	(void) fk_devi_detach(a);
	CHECK("fk_mod_unload: after the reload", fk_mod_unload("tdrv") == 0,
	    "expected 0");

	CHECK("fk_mod_load: with a _fini that forgets mod_remove",
	    fk_mod_load("tdrv", tdrv_init, forgetful_fini, NULL) == 0,
	    "expected 0");
	CHECK("fk_mod_unload: a _fini without mod_remove is reported and "
	    "the driver removed", fk_mod_unload("tdrv") == 0 &&
	    fk_log_find("_fini returned 0 without mod_remove", 0) >= 0 &&
	    fk_driver_lookup("tdrv") == NULL, "expected the warning");
	fk_devi_free(a);
	fk_devi_free(b);
}

int
main(void)
{
	fk_options_t o = { .fo_platform = "none", .fo_quiet = 1 };

	CHECK("fk_init: starts", fk_init(&o) == 0, "expected 0");
	test_load();
	test_remove();
	fk_fini();
	return (check_exit());
}

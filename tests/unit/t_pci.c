/*
 * Driver aliases and PCI claims (fk_add_drv, fk_rem_drv, fk_pci_claim,
 * fk_pci_attach_all) over the unit tests' platform, whose one candidate
 * function is 15ad:07c0 rev 2, subsystem 15ad:07c0, class 010000
 * (lib/fakeplat.h): nothing is claimed until an alias asks for it; the
 * add_drv -i syntax; a node binds to the driver of the first of its
 * compatible names that is an alias; one alias, one driver.
 */

#include <sys/types.h>
#include <sys/sunddi.h>
#include <fk.h>
#include <fk_impl.h>

#include <errno.h>
#include <string.h>

#include "check.h"
#include "tdrv.h"
#include "lib/fakeplat.h"

static void
test_claims(void)
{
	CHECK("claim: nothing is claimed before an alias asks",
	    fk_pci_count() == 0 && fk_pci_node_create(0, NULL) == NULL,
	    "expected 0 functions and no node, saw %d", fk_pci_count());
	CHECK("claim: a name the function does not have claims nothing",
	    fk_pci_claim("\"pci1234,5678\" pciclass,0200") == 0 &&
	    fk_pci_count() == 0, "expected 0 claimed, saw %d",
	    fk_pci_count());
	CHECK("claim: malformed lists are refused",
	    fk_pci_claim("\"pci15ad,7c0") == -1 && fk_pci_claim("") == -1 &&
	    fk_pci_claim("pci15ad\"7c0\"") == -1 && fk_pci_claim(NULL) == -1 &&
	    fk_pci_count() == 0, "expected -1 each and nothing claimed");
	CHECK("claim: the class name claims the function",
	    fk_pci_claim("  \"pciclass,010000\"\t") == 1 &&
	    fk_pci_count() == 1, "expected 1 claimed, saw %d",
	    fk_pci_count());
	CHECK("claim: claiming it again changes nothing",
	    fk_pci_claim("pci15ad,7c0") == 1 && fk_pci_count() == 1,
	    "expected 1 claimed, saw %d", fk_pci_count());
}

static void
test_aliases(void)
{
	int n;

	CHECK("add_drv: a malformed alias list is EINVAL",
	    fk_add_drv("tdrv", "\"pci15ad,7c0") == EINVAL &&
	    fk_add_drv("tdrv", "") == EINVAL && fk_add_drv("", "pci1,2") ==
	    EINVAL, "expected EINVAL each");
	CHECK("add_drv: two drivers' aliases",
	    fk_add_drv("other", "\"pciclass,010000\"") == 0 &&
	    fk_add_drv("tdrv", "\"pciex15ad,7c0\" \"pci15ad,7c0\"") == 0,
	    "expected 0 each");
	CHECK("add_drv: an alias of another driver is EEXIST",
	    fk_add_drv("third", "pci15ad,7c0") == EEXIST,
	    "expected EEXIST");
	CHECK("add_drv: a driver added again keeps its aliases",
	    fk_add_drv("tdrv", "\"pci15ad,7c0\" pciex15ad,7c0") == 0,
	    "expected 0");

	n = fk_pci_attach_all("other");
	CHECK("bind: the first compatible name with an alias wins (pci15ad,7c0 "
	    "before pciclass,010000)", n == 0 && tdrv.td_nattach == 0,
	    "expected nothing attached for \"other\", saw %d", n);
	n = fk_pci_attach_all("tdrv");
	CHECK("bind: the driver of that alias attaches", n == 1 &&
	    tdrv.td_nattach == 1 && fk_pci_hba(0) != NULL &&
	    strcmp(ddi_driver_name(fk_pci_hba(0)), "tdrv") == 0,
	    "expected tdrv on one node, saw %d", n);
	n = fk_pci_attach_all("tdrv");
	CHECK("bind: a function with a node gets no second one", n == 0 &&
	    tdrv.td_nattach == 1, "expected 0 more, saw %d", n);
	CHECK("bind: detach", fk_pci_detach_all() == DDI_SUCCESS &&
	    fk_pci_hba(0) == NULL, "expected the node gone");

	fk_rem_drv("tdrv");
	n = fk_pci_attach_all("other");
	CHECK("rem_drv: without tdrv's aliases the class alias binds",
	    n == 1 && strcmp(ddi_driver_name(fk_pci_hba(0)), "other") == 0,
	    "expected \"other\" on one node, saw %d", n);
	(void) fk_pci_detach_all();
	fk_rem_drv("other");
	CHECK("rem_drv: then nothing binds", fk_pci_attach_all("other") == 0 &&
	    fk_pci_attach_all("tdrv") == 0, "expected no node");
}

int
main(void)
{
	fk_options_t o = { .fo_platform = "none", .fo_quiet = 1 };

	if (fk_init(&o) != 0) {
		check_fail("fk_init", "expected 0");
		return (check_exit());
	}
	fakeplat_install();
	if (fk_mod_load("tdrv", tdrv_init, tdrv_fini, tdrv_info) != 0 ||
	    fk_mod_load("other", tdrv_init, tdrv_fini, tdrv_info) != 0) {
		check_fail("fk_mod_load", "expected 0");
		return (check_exit());
	}
	test_claims();
	test_aliases();
	(void) fk_mod_unload("tdrv");
	(void) fk_mod_unload("other");
	fk_fini();
	return (check_exit());
}

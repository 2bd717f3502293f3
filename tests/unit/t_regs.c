/*
 * PCI nodes (ddi/pci.c) and register access (ddi/regs.c) on the unit
 * tests' fake PCI function (lib/fakeplat.h): the node's properties, "reg"
 * numbering, ddi_regs_map_setup's offset and length checks, the access
 * widths and byte order, the repeated accessors, write counting, and
 * configuration space through pci_config_setup and rnumber 0.
 */

#include <sys/types.h>
#include <sys/sunddi.h>
#include <sys/pci.h>
#include <fk.h>
#include <fk_impl.h>

#include <string.h>

#include "check.h"
#include "lib/expect.h"
#include "lib/fakeplat.h"

static dev_info_t *dip;

static ddi_device_acc_attr_t acc_le = {
	.devacc_attr_version = DDI_DEVICE_ATTR_V0,
	.devacc_attr_endian_flags = DDI_STRUCTURE_LE_ACC,
	.devacc_attr_dataorder = DDI_STRICTORDER_ACC,
};

static ddi_device_acc_attr_t acc_be = {
	.devacc_attr_version = DDI_DEVICE_ATTR_V0,
	.devacc_attr_endian_flags = DDI_STRUCTURE_BE_ACC,
	.devacc_attr_dataorder = DDI_STRICTORDER_ACC,
};

static void
test_node(void)
{
	int *reg, nregs = 0, v;
	uint_t n = 0;
	char **compat;
	off_t size = 0;

	CHECK("pci: node name from the subsystem ids",
	    strcmp(ddi_node_name(dip), "pci15ad,7c0") == 0,
	    "expected pci15ad,7c0, saw %s", ddi_node_name(dip));
	CHECK("pci: unit address is the device number",
	    strcmp(ddi_get_name_addr(dip), "3") == 0, "expected 3, saw %s",
	    ddi_get_name_addr(dip));
	v = ddi_prop_get_int(DDI_DEV_T_ANY, dip, DDI_PROP_DONTPASS,
	    "vendor-id", -1);
	CHECK("pci: vendor-id", v == 0x15ad, "expected 0x15ad, saw %#x", v);
	v = ddi_prop_get_int(DDI_DEV_T_ANY, dip, DDI_PROP_DONTPASS,
	    "device-id", -1);
	CHECK("pci: device-id", v == 0x7c0, "expected 0x7c0, saw %#x", v);
	v = ddi_prop_get_int(DDI_DEV_T_ANY, dip, DDI_PROP_DONTPASS,
	    "revision-id", -1);
	CHECK("pci: revision-id", v == 2, "expected 2, saw %d", v);
	v = ddi_prop_get_int(DDI_DEV_T_ANY, dip, DDI_PROP_DONTPASS,
	    "subsystem-id", -1);
	CHECK("pci: subsystem-id", v == 0x7c0, "expected 0x7c0, saw %#x", v);
	v = ddi_prop_get_int(DDI_DEV_T_ANY, dip, DDI_PROP_DONTPASS,
	    "interrupts", -1);
	CHECK("pci: interrupts (pin A)", v == 1, "expected 1, saw %d", v);
	if (ddi_prop_lookup_int_array(DDI_DEV_T_ANY, dip, DDI_PROP_DONTPASS,
	    "reg", &reg, &n) == DDI_PROP_SUCCESS) {
		CHECK("pci: reg: config space, then BAR0 (MEM32 at 0x10)",
		    n == 10 && (reg[0] & PCI_REG_ADDR_M) == PCI_ADDR_CONFIG &&
		    PCI_REG_DEV_G(reg[0]) == 3 &&
		    (reg[5] & PCI_REG_ADDR_M) == PCI_ADDR_MEM32 &&
		    PCI_REG_REG_G(reg[5]) == PCI_CONF_BASE0 &&
		    reg[9] == FP_BAR0_SIZE, "expected 2 entries, saw %u ints",
		    n);
		ddi_prop_free(reg);
	} else {
		check_fail("pci: reg", "expected the property");
	}
	if (ddi_prop_lookup_int_array(DDI_DEV_T_ANY, dip, DDI_PROP_DONTPASS,
	    "assigned-addresses", &reg, &n) == DDI_PROP_SUCCESS) {
		CHECK("pci: assigned-addresses holds BAR0's address",
		    n == 5 && (uint_t)reg[2] == FP_BAR0_BUS &&
		    (reg[0] & PCI_REG_REL_M) != 0, "expected one entry at %#x",
		    FP_BAR0_BUS);
		ddi_prop_free(reg);
	} else {
		check_fail("pci: assigned-addresses", "expected the property");
	}
	if (ddi_prop_lookup_string_array(DDI_DEV_T_ANY, dip,
	    DDI_PROP_DONTPASS, "compatible", &compat, &n) ==
	    DDI_PROP_SUCCESS) {
		CHECK("pci: compatible, most specific first", n == 7 &&
		    strcmp(compat[0], "pci15ad,7c0.15ad.7c0.2") == 0 &&
		    strcmp(compat[4], "pci15ad,7c0") == 0 &&
		    strcmp(compat[5], "pciclass,010000") == 0,
		    "expected the PCI binding's list, saw %u entries", n);
		ddi_prop_free(compat);
	}
	CHECK("regs: ddi_dev_nregs", ddi_dev_nregs(dip, &nregs) ==
	    DDI_SUCCESS && nregs == 2, "expected 2, saw %d", nregs);
	CHECK("regs: ddi_dev_regsize of BAR0 (rnumber 1)",
	    ddi_dev_regsize(dip, 1, &size) == DDI_SUCCESS &&
	    size == FP_BAR0_SIZE, "expected %#x, saw %#llx", FP_BAR0_SIZE,
	    (long long)size);
	CHECK("regs: ddi_dev_regsize of a missing rnumber fails",
	    ddi_dev_regsize(dip, 2, &size) == DDI_FAILURE,
	    "expected DDI_FAILURE");
}

static void
test_map(void)
{
	ddi_acc_handle_t h;
	caddr_t base;
	ddi_device_acc_attr_t bad = acc_le;

	CHECK("regs: map beyond the register set fails",
	    ddi_regs_map_setup(dip, 1, &base, FP_BAR0_SIZE, 0, &acc_le, &h) ==
	    DDI_FAILURE, "expected DDI_FAILURE");
	CHECK("regs: map longer than the register set fails",
	    ddi_regs_map_setup(dip, 1, &base, 0x1000, FP_BAR0_SIZE, &acc_le,
	    &h) == DDI_FAILURE, "expected DDI_FAILURE");
	CHECK("regs: map of a missing rnumber fails",
	    ddi_regs_map_setup(dip, 5, &base, 0, 0, &acc_le, &h) ==
	    DDI_FAILURE, "expected DDI_FAILURE");
	bad.devacc_attr_version = 7;
	CHECK("regs: map with a bad attribute version fails",
	    ddi_regs_map_setup(dip, 1, &base, 0, 0, &bad, &h) == DDI_FAILURE,
	    "expected DDI_FAILURE");
	CHECK("regs: map at an offset", ddi_regs_map_setup(dip, 1, &base,
	    0x1000, 0x100, &acc_le, &h) == DDI_SUCCESS &&
	    base == (caddr_t)fakeplat_bar + 0x1000, "expected the BAR + 4K");
	ddi_put32(h, (uint32_t *)(base + 0x10), 0xa5a5a5a5);
	CHECK("regs: writes land at the mapped offset",
	    *(uint32_t *)(fakeplat_bar + 0x1010) == 0xa5a5a5a5,
	    "expected 0xa5a5a5a5");
	CHECK("regs: writes are counted at the register-set offset",
	    fk_reg_writes_at(1, 0x1010) == 1, "expected 1, saw %llu",
	    (unsigned long long)fk_reg_writes_at(1, 0x1010));
	ddi_regs_map_free(&h);
	CHECK("regs: ddi_regs_map_free clears the handle", h == NULL,
	    "expected NULL");
}

static void
test_access(void)
{
	ddi_acc_handle_t h, hb;
	caddr_t base, bb;
	fk_counters_t c0, c1;
	uint32_t buf[4] = { 1, 2, 3, 4 }, in[4];
	uint64_t k0;

	(void) ddi_regs_map_setup(dip, 1, &base, 0, 0, &acc_le, &h);
	(void) ddi_regs_map_setup(dip, 1, &bb, 0, 0, &acc_be, &hb);
	fk_counters_get(&c0);
	k0 = fk_reg_writes_at(1, 0x4018);
	ddi_put8(h, (uint8_t *)base + 1, 0x12);
	ddi_put16(h, (uint16_t *)(base + 2), 0x3456);
	ddi_put32(h, (uint32_t *)(base + 0x4018), 0);
	ddi_put64(h, (uint64_t *)(base + 8), 0x0102030405060708ULL);
	CHECK("regs: 8/16/64-bit accesses", fakeplat_bar[1] == 0x12 &&
	    *(uint16_t *)(fakeplat_bar + 2) == 0x3456 &&
	    ddi_get64(h, (uint64_t *)(base + 8)) == 0x0102030405060708ULL &&
	    ddi_get8(h, (uint8_t *)base + 1) == 0x12,
	    "expected the values written");
	CHECK("regs: DDI_STRUCTURE_BE_ACC swaps bytes",
	    ddi_get32(hb, (uint32_t *)(bb + 8)) == 0x08070605 &&
	    ddi_get16(hb, (uint16_t *)(bb + 2)) == 0x5634,
	    "expected swapped values");
	ddi_put32(hb, (uint32_t *)(bb + 0x20), 0x11223344);
	CHECK("regs: a big-endian write lands swapped",
	    *(uint32_t *)(fakeplat_bar + 0x20) == 0x44332211,
	    "expected 0x44332211");
	CHECK("regs: a kick is counted once", fk_reg_writes_at(1, 0x4018) ==
	    k0 + 1, "expected %llu", (unsigned long long)(k0 + 1));

	ddi_rep_put32(h, buf, (uint32_t *)(base + 0x100), 4, DDI_DEV_AUTOINCR);
	CHECK("regs: rep_put32 with DDI_DEV_AUTOINCR",
	    memcmp(fakeplat_bar + 0x100, buf, sizeof (buf)) == 0,
	    "expected 1 2 3 4");
	ddi_rep_put32(h, buf, (uint32_t *)(base + 0x200), 4,
	    DDI_DEV_NO_AUTOINCR);
	CHECK("regs: rep_put32 with DDI_DEV_NO_AUTOINCR writes one register",
	    *(uint32_t *)(fakeplat_bar + 0x200) == 4 &&
	    *(uint32_t *)(fakeplat_bar + 0x204) == 0 &&
	    fk_reg_writes_at(1, 0x200) == 4, "expected 4 writes of 4 at 0x200");
	ddi_rep_get32(h, in, (uint32_t *)(base + 0x100), 4, DDI_DEV_AUTOINCR);
	CHECK("regs: rep_get32", memcmp(in, buf, sizeof (buf)) == 0,
	    "expected 1 2 3 4");
	fk_counters_get(&c1);
	CHECK("regs: fc_reg_writes counts every write",
	    c1.fc_reg_writes - c0.fc_reg_writes == 13, "expected 13, saw %llu",
	    (unsigned long long)(c1.fc_reg_writes - c0.fc_reg_writes));
	ddi_regs_map_free(&hb);
	ddi_regs_map_free(&h);
}

static void
test_config(void)
{
	ddi_acc_handle_t h, h0;
	caddr_t base;
	uint16_t cmd;

	CHECK("pci: pci_config_setup", pci_config_setup(dip, &h) ==
	    DDI_SUCCESS, "expected DDI_SUCCESS");
	CHECK("pci: config vendor and device", pci_config_get16(h,
	    PCI_CONF_VENID) == 0x15ad && pci_config_get16(h, PCI_CONF_DEVID) ==
	    0x07c0 && pci_config_get32(h, PCI_CONF_VENID) == 0x07c015ad,
	    "expected 15ad 07c0");
	cmd = pci_config_get16(h, PCI_CONF_COMM);
	pci_config_put16(h, PCI_CONF_COMM, cmd | PCI_COMM_ME);
	CHECK("pci: config writes reach the function",
	    (fakeplat_cfg[PCI_CONF_COMM] & PCI_COMM_ME) != 0,
	    "expected bus master set");
	CHECK("pci: get64 reads two dwords", pci_config_get64(h,
	    PCI_CONF_VENID) == ((uint64_t)pci_config_get32(h, 4) << 32 |
	    0x07c015ad), "expected the first 8 bytes");
	pci_config_teardown(&h);

	CHECK("regs: rnumber 0 maps configuration space",
	    ddi_regs_map_setup(dip, 0, &base, 0, 0, &acc_le, &h0) ==
	    DDI_SUCCESS && ddi_get8(h0, (uint8_t *)base + PCI_CONF_REVID) == 2,
	    "expected revision 2");
	ddi_regs_map_free(&h0);
}

static void
die_outside(void *arg)
{
	ddi_acc_handle_t h;
	caddr_t base;

	(void) arg;
	(void) ddi_regs_map_setup(dip, 1, &base, 0, 0x100, &acc_le, &h);
	(void) ddi_get32(h, (uint32_t *)(base + 0x100));
}

static void
die_config_as_regs(void *arg)
{
	ddi_acc_handle_t h;
	caddr_t base;

	(void) arg;
	(void) ddi_regs_map_setup(dip, 1, &base, 0, 0, &acc_le, &h);
	(void) pci_config_get16(h, 0);
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
	(void) fk_pci_claim("pci15ad,7c0");
	dip = fk_pci_node_create(0, NULL);
	CHECK("pci: fk_pci_node_create", dip != NULL && fk_pci_count() == 1,
	    "expected a node");
	if (dip == NULL)
		return (check_exit());
	test_node();
	test_map();
	test_access();
	test_config();
	expect_death("regs: an access past the mapping panics", die_outside,
	    NULL, "outside the handle's mapping");
	expect_death("pci: pci_config_get16 on a BAR handle panics",
	    die_config_as_regs, NULL, "is not a configuration space handle");
	fk_pci_node_destroy(dip);
	fk_fini();
	return (check_exit());
}

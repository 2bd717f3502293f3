/*
 * PCI: configuration space access (pci_config_setup(9F) and
 * pci_config_get8(9F) and friends, over the access handles of regs.c),
 * and the device nodes of the platform's PCI functions, with the
 * properties the illumos PCI nexus gives its children (pci(4)).
 *
 * "reg" has five integers per entry (pci_regspec_t): entry 0 is
 * configuration space (size 0), then one entry per implemented BAR, in
 * BAR order, with the space (PCI_ADDR_MEM32, MEM64 or IO), the bus,
 * device and function, and the BAR's configuration offset in
 * PCI_REG_REG; so rnumber 1 is the first implemented BAR, exactly as
 * ddi_regs_map_setup(9F) numbers them on illumos x86.
 * "assigned-addresses" has the same entries for the BARs, with the
 * non-relocatable bit and the addresses the firmware assigned.
 *
 * Functions: the platform offers candidates (po_pci_probe) with their
 * configuration headers; fk_pci_claim_names() builds each one's
 * "compatible" names and has the platform claim those with one of the
 * names asked for (fk_add_drv's aliases, or fk_pci_claim's).  A claimed
 * function binds to the driver of the first of its compatible names that
 * is an alias (ddi/drvalias.c), as illumos binds.
 *
 * Nodes made by fk_pci_attach_all() are listed by fk_pci_hba(); all
 * nodes hold the platform's function in devi_pdev (opened at creation,
 * closed at removal).
 */

#include <sys/types.h>
#include <sys/sunddi.h>
#include <sys/cmn_err.h>
#include <sys/pci.h>
#include <stdio.h>
#include <string.h>
#include <fk_impl.h>
#include <fk.h>
#include "fk_dev.h"

#define	FK_PCI_MAX		16
#define	PCI_CONF_HDR_SIZE	256
#define	PCIE_CONF_HDR_SIZE	4096

static fk_lock_t fk_pci_lock = FK_LOCK_INIT;
static dev_info_t *fk_pci_hbas[FK_PCI_MAX];	/* by attach order */
static int fk_pci_nhbas;

/*
 * Configuration space through the platform, for node creation.
 */
static uint32_t
fk_pci_cfg(fk_pdev_t *pd, uint32_t off, size_t len)
{
	uint32_t v = 0;

	if (FK_PLAT()->po_cfg_read(pd, off, &v, len) != 0)
		return (len == 1 ? 0xff : len == 2 ? 0xffff : 0xffffffffU);
	return (v);
}

static void fk_pci_read_cfg(fk_pdev_t *, uint8_t *);
static int fk_pci_has_pcie(const uint8_t *);

/* PCI Express capability present: 4 KiB configuration space. */
size_t
fk_pci_cfg_size(dev_info_t *dip)
{
	fk_pdev_t *pd = DEVI(dip)->devi_pdev;
	uint8_t cfg[FK_PCI_CFG_SIZE];

	if (pd == NULL)
		return (0);
	fk_pci_read_cfg(pd, cfg);
	return (fk_pci_has_pcie(cfg) ? PCIE_CONF_HDR_SIZE : PCI_CONF_HDR_SIZE);
}

int
fk_pci_regspec(dev_info_t *dip, uint_t rnumber, pci_regspec_t *rs)
{
	int *ints;
	uint_t n;

	if (ddi_prop_lookup_int_array(DDI_DEV_T_ANY, dip, DDI_PROP_DONTPASS,
	    "reg", &ints, &n) != DDI_PROP_SUCCESS)
		return (-1);
	if ((uint64_t)rnumber * 5 + 5 > n) {
		ddi_prop_free(ints);
		return (-1);
	}
	rs->pci_phys_hi = (uint_t)ints[rnumber * 5];
	rs->pci_phys_mid = (uint_t)ints[rnumber * 5 + 1];
	rs->pci_phys_low = (uint_t)ints[rnumber * 5 + 2];
	rs->pci_size_hi = (uint_t)ints[rnumber * 5 + 3];
	rs->pci_size_low = (uint_t)ints[rnumber * 5 + 4];
	ddi_prop_free(ints);
	return (0);
}

/*
 * pci_config_setup(9F) and the accessors: configuration space is
 * register set 0.
 */
int
pci_config_setup(dev_info_t *dip, ddi_acc_handle_t *handlep)
{
	ddi_device_acc_attr_t attr = {
		.devacc_attr_version = DDI_DEVICE_ATTR_V0,
		.devacc_attr_endian_flags = DDI_STRUCTURE_LE_ACC,
		.devacc_attr_dataorder = DDI_STRICTORDER_ACC,
		.devacc_attr_access = DDI_DEFAULT_ACC,
	};
	pci_regspec_t rs;
	caddr_t base;

	if (dip == NULL || handlep == NULL ||
	    fk_pci_regspec(dip, 0, &rs) != 0 ||
	    (rs.pci_phys_hi & PCI_REG_ADDR_M) != PCI_ADDR_CONFIG)
		return (DDI_FAILURE);
	return (ddi_regs_map_setup(dip, 0, &base, 0, 0, &attr, handlep) ==
	    DDI_SUCCESS ? DDI_SUCCESS : DDI_FAILURE);
}

void
pci_config_teardown(ddi_acc_handle_t *handlep)
{
	ddi_regs_map_free(handlep);
}

static void
fk_pci_check_handle(ddi_acc_handle_t h, const char *op)
{
	if (h == NULL || FK_ACC(h)->ah_kind != FK_ACC_CONFIG)
		panic("%s: %p is not a configuration space handle", op,
		    (void *)h);
}

#define	FK_PCI_CFG_ADDR(h, off)	(FK_ACC(h)->ah_base + (off))

uint8_t
pci_config_get8(ddi_acc_handle_t h, off_t off)
{
	fk_pci_check_handle(h, "pci_config_get8");
	return (ddi_get8(h, (uint8_t *)FK_PCI_CFG_ADDR(h, off)));
}

uint16_t
pci_config_get16(ddi_acc_handle_t h, off_t off)
{
	fk_pci_check_handle(h, "pci_config_get16");
	return (ddi_get16(h, (uint16_t *)FK_PCI_CFG_ADDR(h, off)));
}

uint32_t
pci_config_get32(ddi_acc_handle_t h, off_t off)
{
	fk_pci_check_handle(h, "pci_config_get32");
	return (ddi_get32(h, (uint32_t *)FK_PCI_CFG_ADDR(h, off)));
}

uint64_t
pci_config_get64(ddi_acc_handle_t h, off_t off)
{
	fk_pci_check_handle(h, "pci_config_get64");
	return (ddi_get64(h, (uint64_t *)FK_PCI_CFG_ADDR(h, off)));
}

void
pci_config_put8(ddi_acc_handle_t h, off_t off, uint8_t v)
{
	fk_pci_check_handle(h, "pci_config_put8");
	ddi_put8(h, (uint8_t *)FK_PCI_CFG_ADDR(h, off), v);
}

void
pci_config_put16(ddi_acc_handle_t h, off_t off, uint16_t v)
{
	fk_pci_check_handle(h, "pci_config_put16");
	ddi_put16(h, (uint16_t *)FK_PCI_CFG_ADDR(h, off), v);
}

void
pci_config_put32(ddi_acc_handle_t h, off_t off, uint32_t v)
{
	fk_pci_check_handle(h, "pci_config_put32");
	ddi_put32(h, (uint32_t *)FK_PCI_CFG_ADDR(h, off), v);
}

void
pci_config_put64(ddi_acc_handle_t h, off_t off, uint64_t v)
{
	fk_pci_check_handle(h, "pci_config_put64");
	ddi_put64(h, (uint64_t *)FK_PCI_CFG_ADDR(h, off), v);
}

/*
 * Identity: a function's name and configuration header, as the platform
 * gives a candidate or as an open function reads.
 */
typedef struct fk_pci_id {
	uint_t	pi_bus, pi_dev, pi_func;
	uint_t	pi_ven, pi_did, pi_rev, pi_subven, pi_subsys, pi_class;
	uint_t	pi_ipin;
	int	pi_pcie;		/* a PCI Express capability */
} fk_pci_id_t;

#define	FK_PCI_MAXCOMPAT	13

static uint_t
fk_pci_le(const uint8_t *cfg, uint_t off, uint_t len)
{
	uint_t v = 0;

	while (len-- > 0)
		v = (v << 8) | cfg[off + len];
	return (v);
}

static int
fk_pci_has_pcie(const uint8_t *cfg)
{
	uint_t ptr;
	int n;

	if ((fk_pci_le(cfg, PCI_CONF_STAT, 2) & PCI_STAT_CAP) == 0)
		return (0);
	ptr = cfg[PCI_CONF_CAP_PTR] & 0xfc;
	for (n = 0; ptr >= 0x40 && ptr < FK_PCI_CFG_SIZE - 1 && n < 48; n++) {
		if (cfg[ptr] == PCI_CAP_ID_PCI_E)
			return (1);
		ptr = cfg[ptr + 1] & 0xfc;
	}
	return (0);
}

static void
fk_pci_identify(const char *name, const uint8_t *cfg, fk_pci_id_t *id)
{
	uint_t dom;

	(void) memset(id, 0, sizeof (*id));
	if (name == NULL || sscanf(name, "%x:%x:%x.%x", &dom, &id->pi_bus,
	    &id->pi_dev, &id->pi_func) != 4)
		(void) sscanf(name != NULL ? name : "", "%x:%x.%x",
		    &id->pi_bus, &id->pi_dev, &id->pi_func);
	id->pi_ven = fk_pci_le(cfg, PCI_CONF_VENID, 2);
	id->pi_did = fk_pci_le(cfg, PCI_CONF_DEVID, 2);
	id->pi_rev = cfg[PCI_CONF_REVID];
	id->pi_subven = fk_pci_le(cfg, PCI_CONF_SUBVENID, 2);
	id->pi_subsys = fk_pci_le(cfg, PCI_CONF_SUBSYSID, 2);
	id->pi_class = fk_pci_le(cfg, PCI_CONF_REVID, 4) >> 8;
	id->pi_ipin = cfg[PCI_CONF_IPIN];
	id->pi_pcie = fk_pci_has_pcie(cfg);
}

/* An open function's header, through the platform. */
static void
fk_pci_read_cfg(fk_pdev_t *pd, uint8_t *cfg)
{
	uint_t off;

	for (off = 0; off < FK_PCI_CFG_SIZE; off += 4) {
		uint32_t v = fk_pci_cfg(pd, off, 4);

		cfg[off] = (uint8_t)v;
		cfg[off + 1] = (uint8_t)(v >> 8);
		cfg[off + 2] = (uint8_t)(v >> 16);
		cfg[off + 3] = (uint8_t)(v >> 24);
	}
}

/*
 * The "compatible" names, most specific first, as the illumos PCI
 * binding lists them: for a PCI Express function the "pciex" forms, then
 * for every function the "pci" forms.  Returns their number.
 */
static int
fk_pci_compatible_names(const fk_pci_id_t *id,
    char (*names)[FK_ALIAS_LEN])
{
	const char *pfx[2] = { "pciex", "pci" };
	int n = 0, p;

	for (p = id->pi_pcie ? 0 : 1; p < 2; p++) {
		if (id->pi_subven != 0) {
			(void) snprintf(names[n++], FK_ALIAS_LEN,
			    "%s%x,%x.%x.%x.%x", pfx[p], id->pi_ven, id->pi_did,
			    id->pi_subven, id->pi_subsys, id->pi_rev);
			(void) snprintf(names[n++], FK_ALIAS_LEN,
			    "%s%x,%x.%x.%x", pfx[p], id->pi_ven, id->pi_did,
			    id->pi_subven, id->pi_subsys);
			if (p == 1) {
				(void) snprintf(names[n++], FK_ALIAS_LEN,
				    "pci%x,%x", id->pi_subven, id->pi_subsys);
			}
		}
		(void) snprintf(names[n++], FK_ALIAS_LEN, "%s%x,%x.%x", pfx[p],
		    id->pi_ven, id->pi_did, id->pi_rev);
		(void) snprintf(names[n++], FK_ALIAS_LEN, "%s%x,%x", pfx[p],
		    id->pi_ven, id->pi_did);
		(void) snprintf(names[n++], FK_ALIAS_LEN, "%sclass,%06x",
		    pfx[p], id->pi_class);
		(void) snprintf(names[n++], FK_ALIAS_LEN, "%sclass,%04x",
		    pfx[p], id->pi_class >> 8);
	}
	return (n);
}

/*
 * Claims.
 */
static int
fk_pci_names_match(char (*compat)[FK_ALIAS_LEN], int ncompat,
    char (*names)[FK_ALIAS_LEN], int n)
{
	int i, j;

	for (i = 0; i < ncompat; i++) {
		for (j = 0; j < n; j++) {
			if (strcmp(compat[i], names[j]) == 0)
				return (1);
		}
	}
	return (0);
}

int
fk_pci_claim_names(char (*names)[FK_ALIAS_LEN], int n)
{
	char compat[FK_PCI_MAXCOMPAT][FK_ALIAS_LEN];
	fk_pci_cand_t cand;
	fk_pci_id_t id;
	int i, nc, claimed = 0;

	if (FK_PLAT() == NULL)
		return (0);
	for (i = 0; FK_PLAT()->po_pci_probe(i, &cand) == 0; i++) {
		fk_pci_identify(cand.pc_name, cand.pc_cfg, &id);
		nc = fk_pci_compatible_names(&id, compat);
		if (!fk_pci_names_match(compat, nc, names, n))
			continue;
		if (FK_PLAT()->po_pci_claim(i) < 0) {
			cmn_err(CE_WARN, "pci: the platform could not claim %s",
			    cand.pc_name);
			continue;
		}
		claimed++;
	}
	return (claimed);
}

int
fk_pci_claim(const char *aliases)
{
	char names[32][FK_ALIAS_LEN];
	int n;

	if ((n = fk_alias_parse(aliases, names, 32)) < 0)
		return (-1);
	return (fk_pci_claim_names(names, n));
}

/*
 * Device nodes.
 */
/* "reg" and "assigned-addresses" from the platform's BARs. */
static void
fk_pci_reg_props(dev_info_t *dip, fk_pdev_t *pd, const fk_pci_id_t *id)
{
	int reg[5 * 7], aa[5 * 6];
	uint_t nreg = 0, naa = 0, bdf;
	uint64_t size, bus;
	uint32_t flags;
	void *va;
	int n;

	bdf = (id->pi_bus << PCI_REG_BUS_SHIFT) |
	    (id->pi_dev << PCI_REG_DEV_SHIFT) |
	    (id->pi_func << PCI_REG_FUNC_SHIFT);
	(void) memset(reg, 0, sizeof (reg));
	(void) memset(aa, 0, sizeof (aa));
	reg[nreg] = (int)(bdf | PCI_ADDR_CONFIG);
	nreg += 5;
	for (n = 0; n < 6; n++) {
		uint_t hi;

		if (FK_PLAT()->po_bar(pd, n, &va, &size, &bus, &flags) != 0)
			continue;
		hi = bdf | (flags & (PCI_REG_ADDR_M | PCI_REG_PF_M)) |
		    (uint_t)(PCI_CONF_BASE0 + 4 * n);
		reg[nreg] = (int)hi;
		reg[nreg + 3] = (int)(uint32_t)(size >> 32);
		reg[nreg + 4] = (int)(uint32_t)size;
		nreg += 5;
		aa[naa] = (int)(hi | PCI_REG_REL_M);
		aa[naa + 1] = (int)(uint32_t)(bus >> 32);
		aa[naa + 2] = (int)(uint32_t)bus;
		aa[naa + 3] = (int)(uint32_t)(size >> 32);
		aa[naa + 4] = (int)(uint32_t)size;
		naa += 5;
	}
	(void) ddi_prop_update_int_array(DDI_DEV_T_NONE, dip, "reg", reg,
	    nreg);
	if (naa > 0) {
		(void) ddi_prop_update_int_array(DDI_DEV_T_NONE, dip,
		    "assigned-addresses", aa, naa);
	}
}

static void
fk_pci_compatible(dev_info_t *dip, const fk_pci_id_t *id)
{
	char names[FK_PCI_MAXCOMPAT][FK_ALIAS_LEN];
	char *list[FK_PCI_MAXCOMPAT];
	int n = fk_pci_compatible_names(id, names), i;

	for (i = 0; i < n; i++)
		list[i] = names[i];
	(void) ddi_prop_update_string_array(DDI_DEV_T_NONE, dip, "compatible",
	    list, (uint_t)n);
}

dev_info_t *
fk_pci_node_create(int index, const char *name)
{
	char nodename[32], addr[16];
	uint8_t cfg[FK_PCI_CFG_SIZE];
	fk_pci_id_t id;
	dev_info_t *dip;
	fk_pdev_t *pd;

	if (FK_PLAT() == NULL || index < 0 ||
	    index >= FK_PLAT()->po_pdev_count())
		return (NULL);
	if ((pd = FK_PLAT()->po_pdev_open(index)) == NULL)
		return (NULL);
	fk_pci_read_cfg(pd, cfg);
	fk_pci_identify(FK_PLAT()->po_pdev_name(pd), cfg, &id);
	if (name == NULL) {
		if (id.pi_subven != 0) {
			(void) snprintf(nodename, sizeof (nodename), "pci%x,%x",
			    id.pi_subven, id.pi_subsys);
		} else {
			(void) snprintf(nodename, sizeof (nodename), "pci%x,%x",
			    id.pi_ven, id.pi_did);
		}
		name = nodename;
	}
	if (id.pi_func != 0) {
		(void) snprintf(addr, sizeof (addr), "%x,%x", id.pi_dev,
		    id.pi_func);
	} else {
		(void) snprintf(addr, sizeof (addr), "%x", id.pi_dev);
	}
	if ((dip = fk_devi_alloc(fk_root_node(), name, addr)) == NULL) {
		FK_PLAT()->po_pdev_close(pd);
		return (NULL);
	}
	DEVI(dip)->devi_pdev = pd;
	fk_pci_reg_props(dip, pd, &id);
	(void) ddi_prop_update_int(DDI_DEV_T_NONE, dip, "vendor-id",
	    (int)id.pi_ven);
	(void) ddi_prop_update_int(DDI_DEV_T_NONE, dip, "device-id",
	    (int)id.pi_did);
	(void) ddi_prop_update_int(DDI_DEV_T_NONE, dip, "revision-id",
	    (int)id.pi_rev);
	(void) ddi_prop_update_int(DDI_DEV_T_NONE, dip, "class-code",
	    (int)id.pi_class);
	if (id.pi_subven != 0) {
		(void) ddi_prop_update_int(DDI_DEV_T_NONE, dip,
		    "subsystem-vendor-id", (int)id.pi_subven);
		(void) ddi_prop_update_int(DDI_DEV_T_NONE, dip, "subsystem-id",
		    (int)id.pi_subsys);
	}
	if (id.pi_ipin != 0) {
		(void) ddi_prop_update_int(DDI_DEV_T_NONE, dip, "interrupts",
		    (int)id.pi_ipin);
	}
	fk_pci_compatible(dip, &id);
	return (dip);
}

void
fk_pci_node_destroy(dev_info_t *dip)
{
	fk_pdev_t *pd;

	if (dip == NULL)
		return;
	pd = DEVI(dip)->devi_pdev;
	fk_intr_devi_gone(dip);
	DEVI(dip)->devi_pdev = NULL;
	fk_devi_free(dip);
	if (pd != NULL && FK_PLAT() != NULL)
		FK_PLAT()->po_pdev_close(pd);
}

int
fk_pci_count(void)
{
	return (FK_PLAT() == NULL ? 0 : FK_PLAT()->po_pdev_count());
}

/*
 * Whether claimed function index binds to driver (the driver of the first
 * of its compatible names that is an alias) and has no node of
 * fk_pci_attach_all's yet.
 */
static int
fk_pci_binds_to(int index, const char *driver)
{
	char compat[FK_PCI_MAXCOMPAT][FK_ALIAS_LEN], bound[FK_DRVNAME_LEN];
	uint8_t cfg[FK_PCI_CFG_SIZE];
	fk_pci_id_t id;
	fk_pdev_t *pd;
	int i, n, yes;

	if ((pd = FK_PLAT()->po_pdev_open(index)) == NULL)
		return (0);
	fk_pci_read_cfg(pd, cfg);
	fk_pci_identify(FK_PLAT()->po_pdev_name(pd), cfg, &id);
	n = fk_pci_compatible_names(&id, compat);
	yes = fk_alias_driver(compat, n, bound) == 0 &&
	    strcmp(bound, driver) == 0;
	fk_lock_enter(&fk_pci_lock);
	for (i = 0; i < fk_pci_nhbas && yes; i++)
		yes = DEVI(fk_pci_hbas[i])->devi_pdev != pd;
	fk_lock_exit(&fk_pci_lock);
	FK_PLAT()->po_pdev_close(pd);
	return (yes);
}

int
fk_pci_attach_all(const char *driver)
{
	int i, n, attached = 0;
	dev_info_t *dip;

	fk_assert_may_block("fk_pci_attach_all");
	n = fk_pci_count();
	for (i = 0; i < n; i++) {
		fk_lock_enter(&fk_pci_lock);
		if (fk_pci_nhbas == FK_PCI_MAX) {
			fk_lock_exit(&fk_pci_lock);
			break;
		}
		fk_lock_exit(&fk_pci_lock);
		if (!fk_pci_binds_to(i, driver))
			continue;
		if ((dip = fk_pci_node_create(i, NULL)) == NULL) {
			cmn_err(CE_WARN, "fk_pci_attach_all: no node for PCI "
			    "function %d", i);
			continue;
		}
		if (fk_devi_bind(dip, driver) != DDI_SUCCESS ||
		    fk_devi_attach(dip) != DDI_SUCCESS) {
			cmn_err(CE_WARN, "fk_pci_attach_all: %s did not attach "
			    "to %s@%s", driver, ddi_node_name(dip),
			    ddi_get_name_addr(dip));
			fk_pci_node_destroy(dip);
			continue;
		}
		fk_lock_enter(&fk_pci_lock);
		fk_pci_hbas[fk_pci_nhbas++] = dip;
		fk_lock_exit(&fk_pci_lock);
		attached++;
	}
	return (attached);
}

dev_info_t *
fk_pci_hba(int i)
{
	dev_info_t *dip = NULL;

	fk_lock_enter(&fk_pci_lock);
	if (i >= 0 && i < fk_pci_nhbas)
		dip = fk_pci_hbas[i];
	fk_lock_exit(&fk_pci_lock);
	return (dip);
}

int
fk_pci_detach_all(void)
{
	int rv = DDI_SUCCESS;
	dev_info_t *dip;
	int i;

	fk_assert_may_block("fk_pci_detach_all");
	fk_lock_enter(&fk_pci_lock);
	for (i = fk_pci_nhbas - 1; i >= 0; i--) {
		dip = fk_pci_hbas[i];
		fk_lock_exit(&fk_pci_lock);
		if (fk_devi_detach(dip) != DDI_SUCCESS) {
			rv = DDI_FAILURE;
			fk_lock_enter(&fk_pci_lock);
			continue;
		}
		fk_pci_node_destroy(dip);
		fk_lock_enter(&fk_pci_lock);
		(void) memmove(&fk_pci_hbas[i], &fk_pci_hbas[i + 1],
		    (fk_pci_nhbas - i - 1) * sizeof (dev_info_t *));
		fk_pci_nhbas--;
	}
	fk_lock_exit(&fk_pci_lock);
	return (rv);
}

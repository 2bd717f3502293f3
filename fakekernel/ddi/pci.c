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
#include <pthread.h>
#include <fk_impl.h>
#include <fk.h>
#include "fk_dev.h"

#define	FK_PCI_MAX		16
#define	PCI_CONF_HDR_SIZE	256
#define	PCIE_CONF_HDR_SIZE	4096

static pthread_mutex_t fk_pci_lock = PTHREAD_MUTEX_INITIALIZER;
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

/* PCI Express capability present: 4 KiB configuration space. */
static size_t
fk_pci_cfg_size_pdev(fk_pdev_t *pd)
{
	uint32_t ptr;
	int n;

	if ((fk_pci_cfg(pd, PCI_CONF_STAT, 2) & PCI_STAT_CAP) == 0)
		return (PCI_CONF_HDR_SIZE);
	ptr = fk_pci_cfg(pd, PCI_CONF_CAP_PTR, 1) & 0xfc;
	for (n = 0; ptr >= 0x40 && ptr < 0x100 && n < 48; n++) {
		if (fk_pci_cfg(pd, ptr, 1) == PCI_CAP_ID_PCI_E)
			return (PCIE_CONF_HDR_SIZE);
		ptr = fk_pci_cfg(pd, ptr + 1, 1) & 0xfc;
	}
	return (PCI_CONF_HDR_SIZE);
}

size_t
fk_pci_cfg_size(dev_info_t *dip)
{
	fk_pdev_t *pd = DEVI(dip)->devi_pdev;

	return (pd == NULL ? 0 : fk_pci_cfg_size_pdev(pd));
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
 * Device nodes.
 */
typedef struct fk_pci_id {
	uint_t	pi_bus, pi_dev, pi_func;
	uint_t	pi_ven, pi_did, pi_rev, pi_subven, pi_subsys, pi_class;
	uint_t	pi_ipin;
} fk_pci_id_t;

static void
fk_pci_identify(fk_pdev_t *pd, fk_pci_id_t *id)
{
	const char *name = FK_PLAT()->po_pdev_name(pd);
	uint_t dom;

	(void) memset(id, 0, sizeof (*id));
	if (name == NULL || sscanf(name, "%x:%x:%x.%x", &dom, &id->pi_bus,
	    &id->pi_dev, &id->pi_func) != 4)
		(void) sscanf(name != NULL ? name : "", "%x:%x.%x",
		    &id->pi_bus, &id->pi_dev, &id->pi_func);
	id->pi_ven = fk_pci_cfg(pd, PCI_CONF_VENID, 2);
	id->pi_did = fk_pci_cfg(pd, PCI_CONF_DEVID, 2);
	id->pi_rev = fk_pci_cfg(pd, PCI_CONF_REVID, 1);
	id->pi_subven = fk_pci_cfg(pd, PCI_CONF_SUBVENID, 2);
	id->pi_subsys = fk_pci_cfg(pd, PCI_CONF_SUBSYSID, 2);
	id->pi_class = fk_pci_cfg(pd, PCI_CONF_REVID, 4) >> 8;
	id->pi_ipin = fk_pci_cfg(pd, PCI_CONF_IPIN, 1);
}

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

/* "compatible", most specific first, as the PCI binding lists it. */
static void
fk_pci_compatible(dev_info_t *dip, const fk_pci_id_t *id)
{
	char names[7][48];
	char *list[7];
	uint_t n = 0, i;

	if (id->pi_subven != 0) {
		(void) snprintf(names[n++], 48, "pci%x,%x.%x.%x.%x",
		    id->pi_ven, id->pi_did, id->pi_subven, id->pi_subsys,
		    id->pi_rev);
		(void) snprintf(names[n++], 48, "pci%x,%x.%x.%x", id->pi_ven,
		    id->pi_did, id->pi_subven, id->pi_subsys);
		(void) snprintf(names[n++], 48, "pci%x,%x", id->pi_subven,
		    id->pi_subsys);
	}
	(void) snprintf(names[n++], 48, "pci%x,%x.%x", id->pi_ven, id->pi_did,
	    id->pi_rev);
	(void) snprintf(names[n++], 48, "pci%x,%x", id->pi_ven, id->pi_did);
	(void) snprintf(names[n++], 48, "pciclass,%06x", id->pi_class);
	(void) snprintf(names[n++], 48, "pciclass,%04x", id->pi_class >> 8);
	for (i = 0; i < n; i++)
		list[i] = names[i];
	(void) ddi_prop_update_string_array(DDI_DEV_T_NONE, dip, "compatible",
	    list, n);
}

dev_info_t *
fk_pci_node_create(int index, const char *name)
{
	char nodename[32], addr[16];
	fk_pci_id_t id;
	dev_info_t *dip;
	fk_pdev_t *pd;

	if (FK_PLAT() == NULL || index < 0 ||
	    index >= FK_PLAT()->po_pdev_count())
		return (NULL);
	if ((pd = FK_PLAT()->po_pdev_open(index)) == NULL)
		return (NULL);
	fk_pci_identify(pd, &id);
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

int
fk_pci_attach_all(const char *driver)
{
	int i, n, attached = 0;
	dev_info_t *dip;

	fk_assert_may_block("fk_pci_attach_all");
	n = fk_pci_count();
	for (i = 0; i < n; i++) {
		(void) pthread_mutex_lock(&fk_pci_lock);
		if (fk_pci_nhbas == FK_PCI_MAX) {
			(void) pthread_mutex_unlock(&fk_pci_lock);
			break;
		}
		(void) pthread_mutex_unlock(&fk_pci_lock);
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
		(void) pthread_mutex_lock(&fk_pci_lock);
		fk_pci_hbas[fk_pci_nhbas++] = dip;
		(void) pthread_mutex_unlock(&fk_pci_lock);
		attached++;
	}
	return (attached);
}

dev_info_t *
fk_pci_hba(int i)
{
	dev_info_t *dip = NULL;

	(void) pthread_mutex_lock(&fk_pci_lock);
	if (i >= 0 && i < fk_pci_nhbas)
		dip = fk_pci_hbas[i];
	(void) pthread_mutex_unlock(&fk_pci_lock);
	return (dip);
}

int
fk_pci_detach_all(void)
{
	int rv = DDI_SUCCESS;
	dev_info_t *dip;
	int i;

	fk_assert_may_block("fk_pci_detach_all");
	(void) pthread_mutex_lock(&fk_pci_lock);
	for (i = fk_pci_nhbas - 1; i >= 0; i--) {
		dip = fk_pci_hbas[i];
		(void) pthread_mutex_unlock(&fk_pci_lock);
		if (fk_devi_detach(dip) != DDI_SUCCESS) {
			rv = DDI_FAILURE;
			(void) pthread_mutex_lock(&fk_pci_lock);
			continue;
		}
		fk_pci_node_destroy(dip);
		(void) pthread_mutex_lock(&fk_pci_lock);
		(void) memmove(&fk_pci_hbas[i], &fk_pci_hbas[i + 1],
		    (fk_pci_nhbas - i - 1) * sizeof (dev_info_t *));
		fk_pci_nhbas--;
	}
	(void) pthread_mutex_unlock(&fk_pci_lock);
	return (rv);
}

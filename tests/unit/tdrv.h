/*
 * A tiny driver for unit tests of the device tree, modules, properties
 * and messages: it records which of its entry points ran, in what order
 * and in what context, and returns what the test sets in tdrv.
 *
 *	fk_mod_load("tdrv", tdrv_init, tdrv_fini, tdrv_info);
 */
#ifndef _TESTS_UNIT_TDRV_H
#define	_TESTS_UNIT_TDRV_H

#include <sys/types.h>
#include <sys/ddi.h>
#include <sys/sunddi.h>
#include <sys/modctl.h>
#include <fk_impl.h>

#include <string.h>

typedef struct tdrv {
	int	td_probe_rv;		/* what probe(9E) returns */
	int	td_attach_rv;
	int	td_detach_rv;
	int	td_nprobe;		/* calls */
	int	td_nattach;
	int	td_ndetach;
	int	td_nquiesce;
	int	td_quiesce_intr;	/* quiesce ran in interrupt context */
	char	td_order[64];		/* "p" probe, "a" attach, "d" detach */
	void	(*td_attach_hook)(dev_info_t *);
} tdrv_t;

static tdrv_t tdrv = { .td_probe_rv = DDI_PROBE_SUCCESS };

static __attribute__((unused)) void
tdrv_reset(void)
{
	(void) memset(&tdrv, 0, sizeof (tdrv));
	tdrv.td_probe_rv = DDI_PROBE_SUCCESS;
}

static void
tdrv_note(char c)
{
	size_t n = strlen(tdrv.td_order);

	if (n + 1 < sizeof (tdrv.td_order)) {
		tdrv.td_order[n] = c;
		tdrv.td_order[n + 1] = '\0';
	}
}

static int
tdrv_probe(dev_info_t *dip)
{
	(void) dip;
	__atomic_fetch_add(&tdrv.td_nprobe, 1, __ATOMIC_SEQ_CST);
	tdrv_note('p');
	return (tdrv.td_probe_rv);
}

static int
tdrv_attach(dev_info_t *dip, ddi_attach_cmd_t cmd)
{
	if (cmd != DDI_ATTACH)
		return (DDI_FAILURE);
	__atomic_fetch_add(&tdrv.td_nattach, 1, __ATOMIC_SEQ_CST);
	tdrv_note('a');
	if (tdrv.td_attach_hook != NULL)
		tdrv.td_attach_hook(dip);
	return (tdrv.td_attach_rv);
}

static int
tdrv_detach(dev_info_t *dip, ddi_detach_cmd_t cmd)
{
	(void) dip;
	if (cmd != DDI_DETACH)
		return (DDI_FAILURE);
	__atomic_fetch_add(&tdrv.td_ndetach, 1, __ATOMIC_SEQ_CST);
	tdrv_note('d');
	return (tdrv.td_detach_rv);
}

static int
tdrv_quiesce(dev_info_t *dip)
{
	(void) dip;
	tdrv.td_nquiesce++;
	tdrv.td_quiesce_intr = fk_in_intr();
	return (DDI_SUCCESS);
}

static struct dev_ops tdrv_ops = {
	.devo_rev = DEVO_REV,
	.devo_refcnt = 0,
	.devo_getinfo = nodev,
	.devo_identify = nulldev,
	.devo_probe = tdrv_probe,
	.devo_attach = tdrv_attach,
	.devo_detach = tdrv_detach,
	.devo_reset = nodev,
	.devo_quiesce = tdrv_quiesce,
};

static struct modldrv tdrv_modldrv = {
	.drv_modops = &mod_driverops,
	.drv_linkinfo = "unit test driver",
	.drv_dev_ops = &tdrv_ops,
};

static struct modlinkage tdrv_modlinkage = {
	.ml_rev = MODREV_1,
	.ml_linkage = { &tdrv_modldrv, NULL },
};

static int
tdrv_init(void)
{
	return (mod_install(&tdrv_modlinkage));
}

static int
tdrv_fini(void)
{
	return (mod_remove(&tdrv_modlinkage));
}

static int
tdrv_info(struct modinfo *mip)
{
	return (mod_info(&tdrv_modlinkage, mip));
}

/* Load tdrv, then make, bind and (optionally) attach a node for it. */
static __attribute__((unused)) dev_info_t *
tdrv_node(dev_info_t *parent, const char *addr, int attach)
{
	dev_info_t *dip;

	if (fk_driver_lookup("tdrv") == NULL &&
	    fk_mod_load("tdrv", tdrv_init, tdrv_fini, tdrv_info) != 0)
		return (NULL);
	if ((dip = fk_devi_alloc(parent, "tdrv", addr)) == NULL)
		return (NULL);
	if (fk_devi_bind(dip, "tdrv") != DDI_SUCCESS ||
	    (attach && fk_devi_attach(dip) != DDI_SUCCESS))
		return (NULL);
	return (dip);
}

#endif /* _TESTS_UNIT_TDRV_H */

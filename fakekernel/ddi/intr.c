/*
 * Interrupts: ddi_intr_get_supported_types(9F), ddi_intr_alloc(9F),
 * ddi_intr_add_handler(9F), ddi_intr_enable(9F) and the rest of the
 * ddi_intr family, over the platform's vectors (po_intr_*, platform.h).
 *
 * Types: what the PCI function has, filtered by the FK_INTR option
 * (fk_intr_types: "any", or only "msi", "msix" or "fixed").  One type at a
 * time per node, as on illumos.
 * Capabilities are those the illumos PCI code reports: FIXED is
 * LEVEL | MASKABLE | PENDING; MSI is EDGE, plus MSI64 for a 64-bit
 * capability, plus MASKABLE | PENDING with per-vector masking or else
 * BLOCK (block enable); MSI-X is EDGE | MASKABLE | PENDING | MSI64.  The
 * priority is 5 (DDI_IPL_5, what illumos gives a SCSI controller) unless
 * ddi_intr_set_pri changes it before the handler is added.
 *
 * Handles follow illumos's states: allocated, handler added, enabled.
 * Calls in the wrong state return DDI_EINVAL (ddi_intr_free before
 * ddi_intr_remove_handler, ddi_intr_remove_handler before
 * ddi_intr_disable, ...).  alloc, free, add/remove_handler and
 * enable/disable must not be called in interrupt context.
 *
 * Delivery: each enabled vector has an interrupt thread ("intr <node>
 * <type> <inum>") that waits in the platform's po_intr_wait and calls the
 * handler in interrupt context (fk_intr_enter at the handle's priority):
 * one wake-up and one handler call for whatever fired since the last.
 * fc_intrs counts the calls, fc_intrs_claimed those that returned
 * DDI_INTR_CLAIMED.  A FIXED interrupt (level-triggered INTx, masked at
 * the source when it fires) is unmasked after the handler returns.
 * ddi_intr_disable stops the thread (po_intr_post, FK_PLAT_INTR_STOP) and
 * so waits for a running handler to return.  ddi_intr_set_mask holds
 * deliveries back (they become pending; a masked FIXED interrupt stays
 * masked at the source) until ddi_intr_clr_mask.
 *
 * fk_intr_call(dip, inum) (fk.h) delivers an enabled vector in the
 * calling thread, as its interrupt thread would, and returns when the
 * handler has: for tests that play the device and need to know that the
 * handler has seen what they wrote.  fk_intr_hold(dip, 1) holds every
 * delivery of the node back as a mask would, but out of its driver's
 * reach (ddi_intr_clr_mask does not end it), as when the CPUs run with
 * interrupts disabled; fk_intr_hold(dip, 0) delivers what is pending.
 */

#include <sys/types.h>
#include <sys/sunddi.h>
#include <sys/ddi_intr.h>
#include <sys/cmn_err.h>
#include <sys/pci.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fk_impl.h>
#include <fk.h>
#include "fk_dev.h"

#define	FK_INTR_MAXVEC		32
#define	FK_INTR_HDL_MAGIC	0x494e5448U	/* "INTH" */
#define	FK_INTR_DEFAULT_PRI	5
#define	FK_INTR_LOCK_LEVEL	10

#define	PCI_MSI_CTRL		2
#define	PCI_MSI_64BIT		0x0080
#define	PCI_MSI_PVM		0x0100

typedef enum {
	FK_IH_ALLOC = 1,
	FK_IH_ADDED,
	FK_IH_ENABLED
} fk_ih_state_t;

struct fk_intr_hdl;

/* A node's interrupts. */
typedef struct fk_intr_dev {
	dev_info_t		*id_dip;
	fk_pdev_t		*id_pdev;
	int			id_type;	/* allocated type, or 0 */
	int			id_nalloc;
	struct fk_intr_hdl	*id_hdl[FK_INTR_MAXVEC];	/* by inum */
	int			id_nenabled;
	int			id_plat_on;	/* platform vectors enabled */
	int			id_held;	/* fk_intr_hold; atomic */
	struct fk_intr_dev	*id_next;
} fk_intr_dev_t;

typedef struct fk_intr_hdl {
	uint32_t		ih_magic;
	fk_intr_dev_t		*ih_dev;
	int			ih_type;
	int			ih_inum;
	uint_t			ih_pri;
	int			ih_cap;
	fk_ih_state_t		ih_state;
	ddi_intr_handler_t	*ih_handler;
	caddr_t			ih_arg1;
	caddr_t			ih_arg2;
	fk_tid_t		ih_thread;
	fk_lock_t		ih_lock;	/* mask and pending */
	int			ih_masked;
	int			ih_pending;
	char			ih_name[32];
} fk_intr_hdl_t;

/* Guards the node list, the handles' states and the platform calls. */
static fk_lock_t fk_intr_lock = FK_LOCK_INIT;
static fk_intr_dev_t *fk_intr_devs;

static fk_intr_hdl_t *
fk_ih(ddi_intr_handle_t h, const char *op)
{
	fk_intr_hdl_t *ih = (fk_intr_hdl_t *)h;

	if (ih == NULL || ih->ih_magic != FK_INTR_HDL_MAGIC)
		panic("%s: %p is not an interrupt handle", op, (void *)h);
	return (ih);
}

static int
fk_intr_type_valid(int type)
{
	return (type == DDI_INTR_TYPE_FIXED || type == DDI_INTR_TYPE_MSI ||
	    type == DDI_INTR_TYPE_MSIX);
}

static const char *
fk_intr_type_name(int type)
{
	return (type == DDI_INTR_TYPE_FIXED ? "fixed" :
	    type == DDI_INTR_TYPE_MSI ? "msi" : "msix");
}

/* The types offered: the function's, filtered by FK_INTR. */
static int
fk_intr_offered(dev_info_t *dip)
{
	fk_pdev_t *pd = dip != NULL ? DEVI(dip)->devi_pdev : NULL;
	const char *want = fk_intr_types != NULL ? fk_intr_types : "any";
	int types;

	if (pd == NULL || FK_PLAT() == NULL)
		return (0);
	types = FK_PLAT()->po_intr_types(pd);
	if (strcmp(want, "msi") == 0)
		types &= DDI_INTR_TYPE_MSI;
	else if (strcmp(want, "msix") == 0)
		types &= DDI_INTR_TYPE_MSIX;
	else if (strcmp(want, "fixed") == 0)
		types &= DDI_INTR_TYPE_FIXED;
	return (types);
}

static int
fk_intr_nvec(dev_info_t *dip, int type)
{
	int n;

	if (!(fk_intr_offered(dip) & type))
		return (0);
	n = FK_PLAT()->po_intr_count(DEVI(dip)->devi_pdev, type);
	return (n > FK_INTR_MAXVEC ? FK_INTR_MAXVEC : n);
}

/* The MSI capability's control word, or -1. */
static int
fk_intr_msi_ctrl(fk_pdev_t *pd)
{
	uint32_t stat = 0, ptr = 0, id = 0, ctrl = 0;
	int n;

	if (FK_PLAT()->po_cfg_read(pd, PCI_CONF_STAT, &stat, 2) != 0 ||
	    (stat & PCI_STAT_CAP) == 0 ||
	    FK_PLAT()->po_cfg_read(pd, PCI_CONF_CAP_PTR, &ptr, 1) != 0)
		return (-1);
	for (n = 0, ptr &= 0xfc; ptr >= 0x40 && n < 48; n++) {
		if (FK_PLAT()->po_cfg_read(pd, ptr, &id, 1) != 0)
			return (-1);
		if (id == PCI_CAP_ID_MSI) {
			return (FK_PLAT()->po_cfg_read(pd, ptr + PCI_MSI_CTRL,
			    &ctrl, 2) == 0 ? (int)ctrl : -1);
		}
		if (FK_PLAT()->po_cfg_read(pd, ptr + 1, &ptr, 1) != 0)
			return (-1);
		ptr &= 0xfc;
	}
	return (-1);
}

static int
fk_intr_caps(fk_pdev_t *pd, int type)
{
	int ctrl, cap = 0;

	switch (type) {
	case DDI_INTR_TYPE_FIXED:
		return (DDI_INTR_FLAG_LEVEL | DDI_INTR_FLAG_MASKABLE |
		    DDI_INTR_FLAG_PENDING);
	case DDI_INTR_TYPE_MSI:
		if ((ctrl = fk_intr_msi_ctrl(pd)) >= 0 &&
		    (ctrl & PCI_MSI_64BIT) != 0)
			cap |= DDI_INTR_FLAG_MSI64;
		if (ctrl >= 0 && (ctrl & PCI_MSI_PVM) != 0)
			cap |= DDI_INTR_FLAG_MASKABLE | DDI_INTR_FLAG_PENDING;
		else
			cap |= DDI_INTR_FLAG_BLOCK;
		return (cap | DDI_INTR_FLAG_EDGE);
	default:
		return (DDI_INTR_FLAG_EDGE | DDI_INTR_FLAG_MASKABLE |
		    DDI_INTR_FLAG_PENDING | DDI_INTR_FLAG_MSI64);
	}
}

/* The node's record, created on demand (fk_intr_lock held). */
static fk_intr_dev_t *
fk_intr_dev(dev_info_t *dip, int create)
{
	fk_intr_dev_t *id;

	for (id = fk_intr_devs; id != NULL; id = id->id_next) {
		if (id->id_dip == dip)
			return (id);
	}
	if (!create || (id = calloc(1, sizeof (*id))) == NULL)
		return (NULL);
	id->id_dip = dip;
	id->id_pdev = DEVI(dip)->devi_pdev;
	id->id_next = fk_intr_devs;
	fk_intr_devs = id;
	return (id);
}

/*
 * Queries.
 */
int
ddi_intr_get_supported_types(dev_info_t *dip, int *typesp)
{
	int types;

	if (dip == NULL || typesp == NULL)
		return (DDI_EINVAL);
	if ((types = fk_intr_offered(dip)) == 0)
		return (DDI_INTR_NOTFOUND);
	*typesp = types;
	return (DDI_SUCCESS);
}

int
ddi_intr_get_nintrs(dev_info_t *dip, int type, int *nintrsp)
{
	if (dip == NULL || nintrsp == NULL)
		return (DDI_EINVAL);
	*nintrsp = 0;
	if (!fk_intr_type_valid(type) || !(fk_intr_offered(dip) & type))
		return (DDI_EINVAL);
	if ((*nintrsp = fk_intr_nvec(dip, type)) == 0)
		return (DDI_INTR_NOTFOUND);
	return (DDI_SUCCESS);
}

int
ddi_intr_get_navail(dev_info_t *dip, int type, int *navailp)
{
	return (ddi_intr_get_nintrs(dip, type, navailp));
}

uint_t
ddi_intr_get_hilevel_pri(void)
{
	return (FK_INTR_LOCK_LEVEL);
}

/*
 * Allocation.
 */
int
ddi_intr_alloc(dev_info_t *dip, ddi_intr_handle_t *h_array, int type,
    int inum, int count, int *actualp, int behavior)
{
	fk_intr_dev_t *id;
	fk_intr_hdl_t *ih;
	int nvec, n, i;
	char node[48];

	if (dip == NULL || h_array == NULL || actualp == NULL || inum < 0 ||
	    count < 1 || !fk_intr_type_valid(type) ||
	    (behavior != DDI_INTR_ALLOC_NORMAL &&
	    behavior != DDI_INTR_ALLOC_STRICT))
		return (DDI_EINVAL);
	*actualp = 0;
	fk_assert_may_block("ddi_intr_alloc");
	if (!(fk_intr_offered(dip) & type))
		return (DDI_EINVAL);
	if ((nvec = fk_intr_nvec(dip, type)) == 0 || inum >= nvec)
		return (DDI_INTR_NOTFOUND);
	n = MIN(count, nvec - inum);
	if (n < count && behavior == DDI_INTR_ALLOC_STRICT)
		return (DDI_EAGAIN);

	fk_lock_enter(&fk_intr_lock);
	if ((id = fk_intr_dev(dip, 1)) == NULL) {
		fk_lock_exit(&fk_intr_lock);
		return (DDI_FAILURE);
	}
	if (id->id_type != 0 && id->id_type != type) {
		fk_lock_exit(&fk_intr_lock);
		cmn_err(CE_WARN, "ddi_intr_alloc: %s interrupts are allocated "
		    "already; one type at a time", fk_intr_type_name(
		    id->id_type));
		return (DDI_EINVAL);
	}
	for (i = inum; i < inum + n; i++) {
		if (id->id_hdl[i] != NULL) {
			fk_lock_exit(&fk_intr_lock);
			return (DDI_EINVAL);
		}
	}
	if (ddi_get_instance(dip) >= 0 && ddi_driver_name(dip) != NULL) {
		(void) snprintf(node, sizeof (node), "%s%d",
		    ddi_driver_name(dip), ddi_get_instance(dip));
	} else {
		(void) snprintf(node, sizeof (node), "%s", ddi_node_name(dip));
	}
	for (i = 0; i < n; i++) {
		ih = kmem_zalloc(sizeof (*ih), KM_SLEEP);
		ih->ih_magic = FK_INTR_HDL_MAGIC;
		ih->ih_dev = id;
		ih->ih_type = type;
		ih->ih_inum = inum + i;
		ih->ih_pri = FK_INTR_DEFAULT_PRI;
		ih->ih_cap = fk_intr_caps(id->id_pdev, type);
		ih->ih_state = FK_IH_ALLOC;
		fk_lock_init(&ih->ih_lock);
		(void) snprintf(ih->ih_name, sizeof (ih->ih_name),
		    "intr %.16s %s %d", node, fk_intr_type_name(type),
		    inum + i);
		id->id_hdl[inum + i] = ih;
		h_array[i] = (ddi_intr_handle_t)ih;
	}
	id->id_type = type;
	id->id_nalloc += n;
	fk_lock_exit(&fk_intr_lock);
	*actualp = n;
	return (DDI_SUCCESS);
}

static void
fk_intr_hdl_destroy(fk_intr_hdl_t *ih)
{
	fk_intr_dev_t *id = ih->ih_dev;

	id->id_hdl[ih->ih_inum] = NULL;
	if (--id->id_nalloc == 0)
		id->id_type = 0;
	ih->ih_magic = 0;
	kmem_free(ih, sizeof (*ih));
}

int
ddi_intr_free(ddi_intr_handle_t h)
{
	fk_intr_hdl_t *ih = fk_ih(h, "ddi_intr_free");

	fk_assert_may_block("ddi_intr_free");
	fk_lock_enter(&fk_intr_lock);
	if (ih->ih_state != FK_IH_ALLOC) {
		fk_lock_exit(&fk_intr_lock);
		return (DDI_EINVAL);
	}
	fk_intr_hdl_destroy(ih);
	fk_lock_exit(&fk_intr_lock);
	return (DDI_SUCCESS);
}

/*
 * Attributes.
 */
int
ddi_intr_get_cap(ddi_intr_handle_t h, int *flagsp)
{
	fk_intr_hdl_t *ih = fk_ih(h, "ddi_intr_get_cap");

	if (flagsp == NULL)
		return (DDI_EINVAL);
	*flagsp = ih->ih_cap;
	return (DDI_SUCCESS);
}

/* Only the trigger mode the interrupt has can be "set". */
int
ddi_intr_set_cap(ddi_intr_handle_t h, int flags)
{
	fk_intr_hdl_t *ih = fk_ih(h, "ddi_intr_set_cap");

	if (flags != DDI_INTR_FLAG_LEVEL && flags != DDI_INTR_FLAG_EDGE)
		return (DDI_EINVAL);
	if (ih->ih_state != FK_IH_ALLOC)
		return (DDI_EINVAL);
	return ((ih->ih_cap & flags) != 0 ? DDI_SUCCESS : DDI_ENOTSUP);
}

int
ddi_intr_get_pri(ddi_intr_handle_t h, uint_t *prip)
{
	fk_intr_hdl_t *ih = fk_ih(h, "ddi_intr_get_pri");

	if (prip == NULL)
		return (DDI_EINVAL);
	*prip = ih->ih_pri;
	return (DDI_SUCCESS);
}

int
ddi_intr_set_pri(ddi_intr_handle_t h, uint_t pri)
{
	fk_intr_hdl_t *ih = fk_ih(h, "ddi_intr_set_pri");
	int rv = DDI_SUCCESS;

	if (pri < DDI_INTR_PRI_MIN || pri > DDI_INTR_PRI_MAX)
		return (DDI_EINVAL);
	fk_lock_enter(&fk_intr_lock);
	if (ih->ih_state != FK_IH_ALLOC)
		rv = DDI_EINVAL;
	else
		ih->ih_pri = pri;
	fk_lock_exit(&fk_intr_lock);
	return (rv);
}

/*
 * Handlers.
 */
int
ddi_intr_add_handler(ddi_intr_handle_t h, ddi_intr_handler_t *handler,
    void *arg1, void *arg2)
{
	fk_intr_hdl_t *ih = fk_ih(h, "ddi_intr_add_handler");
	int rv = DDI_SUCCESS;

	if (handler == NULL)
		return (DDI_EINVAL);
	fk_assert_may_block("ddi_intr_add_handler");
	fk_lock_enter(&fk_intr_lock);
	if (ih->ih_state != FK_IH_ALLOC) {
		rv = DDI_EINVAL;
	} else {
		ih->ih_handler = handler;
		ih->ih_arg1 = arg1;
		ih->ih_arg2 = arg2;
		ih->ih_state = FK_IH_ADDED;
	}
	fk_lock_exit(&fk_intr_lock);
	return (rv);
}

int
ddi_intr_remove_handler(ddi_intr_handle_t h)
{
	fk_intr_hdl_t *ih = fk_ih(h, "ddi_intr_remove_handler");
	int rv = DDI_SUCCESS;

	fk_assert_may_block("ddi_intr_remove_handler");
	fk_lock_enter(&fk_intr_lock);
	if (ih->ih_state != FK_IH_ADDED) {
		rv = DDI_EINVAL;
	} else {
		ih->ih_handler = NULL;
		ih->ih_arg1 = ih->ih_arg2 = NULL;
		ih->ih_state = FK_IH_ALLOC;
	}
	fk_lock_exit(&fk_intr_lock);
	return (rv);
}

/*
 * Delivery.
 */
static void
fk_intr_deliver(fk_intr_hdl_t *ih)
{
	uint_t r;

	fk_lock_enter(&ih->ih_lock);
	if (ih->ih_masked ||
	    __atomic_load_n(&ih->ih_dev->id_held, __ATOMIC_SEQ_CST)) {
		ih->ih_pending = 1;
		fk_lock_exit(&ih->ih_lock);
		return;
	}
	ih->ih_pending = 0;
	fk_lock_exit(&ih->ih_lock);

	fk_intr_enter(ih->ih_pri);
	r = ih->ih_handler(ih->ih_arg1, ih->ih_arg2);
	fk_intr_exit();
	__atomic_fetch_add(&fk_counters.fc_intrs, 1, __ATOMIC_RELAXED);
	if (r == DDI_INTR_CLAIMED) {
		__atomic_fetch_add(&fk_counters.fc_intrs_claimed, 1,
		    __ATOMIC_RELAXED);
	}
	if (ih->ih_type == DDI_INTR_TYPE_FIXED)
		(void) FK_PLAT()->po_intx_unmask(ih->ih_dev->id_pdev);
}

int
fk_intr_call(dev_info_t *dip, int inum)
{
	fk_intr_dev_t *id;
	fk_intr_hdl_t *ih = NULL;

	fk_lock_enter(&fk_intr_lock);
	if ((id = fk_intr_dev(dip, 0)) != NULL && inum >= 0 &&
	    inum < FK_INTR_MAXVEC && (ih = id->id_hdl[inum]) != NULL &&
	    ih->ih_state != FK_IH_ENABLED)
		ih = NULL;
	fk_lock_exit(&fk_intr_lock);
	if (ih == NULL)
		return (-1);
	fk_intr_deliver(ih);
	return (0);
}

static void *
fk_intr_thread(void *arg)
{
	fk_intr_hdl_t *ih = arg;
	fk_pdev_t *pd = ih->ih_dev->id_pdev;

	while (FK_PLAT()->po_intr_wait(pd, ih->ih_inum) == FK_PLAT_INTR_FIRED)
		fk_intr_deliver(ih);
	return (NULL);
}

/* Platform vectors for every allocated inum (fk_intr_lock held). */
static int
fk_intr_plat_on(fk_intr_dev_t *id)
{
	int n = 0, i;

	if (id->id_plat_on)
		return (0);
	for (i = 0; i < FK_INTR_MAXVEC; i++) {
		if (id->id_hdl[i] != NULL)
			n = i + 1;
	}
	if (FK_PLAT()->po_intr_enable(id->id_pdev, id->id_type, n) != 0)
		return (-1);
	id->id_plat_on = 1;
	return (0);
}

static int
fk_intr_enable_one(fk_intr_hdl_t *ih)
{
	fk_intr_dev_t *id = ih->ih_dev;

	if (ih->ih_state != FK_IH_ADDED)
		return (DDI_EINVAL);
	if (fk_intr_plat_on(id) != 0)
		return (DDI_FAILURE);
	ih->ih_masked = ih->ih_pending = 0;
	if (fk_thread_create(&ih->ih_thread, ih->ih_name, fk_intr_thread,
	    ih) != 0) {
		if (id->id_nenabled == 0) {
			(void) FK_PLAT()->po_intr_disable(id->id_pdev,
			    id->id_type);
			id->id_plat_on = 0;
		}
		return (DDI_FAILURE);
	}
	ih->ih_state = FK_IH_ENABLED;
	id->id_nenabled++;
	return (DDI_SUCCESS);
}

/* Stops the thread, waiting for a running handler (fk_intr_lock held). */
static int
fk_intr_disable_one(fk_intr_hdl_t *ih)
{
	fk_intr_dev_t *id = ih->ih_dev;

	if (ih->ih_state != FK_IH_ENABLED)
		return (DDI_EINVAL);
	if (FK_PLAT()->po_intr_post(id->id_pdev, ih->ih_inum,
	    FK_PLAT_INTR_STOP) != 0)
		panic("ddi_intr_disable: cannot stop \"%s\"", ih->ih_name);
	(void) fk_thread_join(ih->ih_thread, NULL);
	ih->ih_state = FK_IH_ADDED;
	if (--id->id_nenabled == 0 && id->id_plat_on) {
		(void) FK_PLAT()->po_intr_disable(id->id_pdev, id->id_type);
		id->id_plat_on = 0;
	}
	return (DDI_SUCCESS);
}

int
ddi_intr_enable(ddi_intr_handle_t h)
{
	fk_intr_hdl_t *ih = fk_ih(h, "ddi_intr_enable");
	int rv;

	fk_assert_may_block("ddi_intr_enable");
	fk_lock_enter(&fk_intr_lock);
	rv = fk_intr_enable_one(ih);
	fk_lock_exit(&fk_intr_lock);
	return (rv);
}

int
ddi_intr_disable(ddi_intr_handle_t h)
{
	fk_intr_hdl_t *ih = fk_ih(h, "ddi_intr_disable");
	int rv;

	fk_assert_may_block("ddi_intr_disable");
	fk_lock_enter(&fk_intr_lock);
	rv = fk_intr_disable_one(ih);
	fk_lock_exit(&fk_intr_lock);
	return (rv);
}

/* The handles of a block: same node and type, block-capable, added. */
static int
fk_intr_block_check(ddi_intr_handle_t *h_array, int count, const char *op)
{
	fk_intr_hdl_t *first;
	int i;

	if (h_array == NULL || count < 1)
		return (DDI_EINVAL);
	first = fk_ih(h_array[0], op);
	for (i = 0; i < count; i++) {
		fk_intr_hdl_t *ih = fk_ih(h_array[i], op);

		if (ih->ih_dev != first->ih_dev ||
		    ih->ih_type != first->ih_type ||
		    (ih->ih_cap & DDI_INTR_FLAG_BLOCK) == 0)
			return (DDI_EINVAL);
	}
	return (DDI_SUCCESS);
}

int
ddi_intr_block_enable(ddi_intr_handle_t *h_array, int count)
{
	int i, rv;

	fk_assert_may_block("ddi_intr_block_enable");
	if ((rv = fk_intr_block_check(h_array, count,
	    "ddi_intr_block_enable")) != DDI_SUCCESS)
		return (rv);
	fk_lock_enter(&fk_intr_lock);
	for (i = 0; i < count; i++) {
		if (((fk_intr_hdl_t *)h_array[i])->ih_state != FK_IH_ADDED) {
			fk_lock_exit(&fk_intr_lock);
			return (DDI_EINVAL);
		}
	}
	for (i = 0; i < count; i++) {
		if ((rv = fk_intr_enable_one((fk_intr_hdl_t *)h_array[i])) !=
		    DDI_SUCCESS) {
			while (i-- > 0)
				(void) fk_intr_disable_one(
				    (fk_intr_hdl_t *)h_array[i]);
			break;
		}
	}
	fk_lock_exit(&fk_intr_lock);
	return (rv);
}

int
ddi_intr_block_disable(ddi_intr_handle_t *h_array, int count)
{
	int i, rv;

	fk_assert_may_block("ddi_intr_block_disable");
	if ((rv = fk_intr_block_check(h_array, count,
	    "ddi_intr_block_disable")) != DDI_SUCCESS)
		return (rv);
	fk_lock_enter(&fk_intr_lock);
	for (i = 0; i < count; i++) {
		if (((fk_intr_hdl_t *)h_array[i])->ih_state != FK_IH_ENABLED) {
			fk_lock_exit(&fk_intr_lock);
			return (DDI_EINVAL);
		}
	}
	for (i = 0; i < count; i++)
		(void) fk_intr_disable_one((fk_intr_hdl_t *)h_array[i]);
	fk_lock_exit(&fk_intr_lock);
	return (DDI_SUCCESS);
}

/*
 * Holding a node's interrupts back, whatever its driver does.  The hold
 * is set before each vector's pending flag is read under its lock, and
 * fk_intr_deliver reads the hold under the same lock, so an interrupt
 * that fires as the hold ends is either delivered or found pending.
 */
int
fk_intr_hold(dev_info_t *dip, int hold)
{
	fk_intr_dev_t *id;
	fk_intr_hdl_t *ih;
	int redeliver, rv = 0;

	fk_lock_enter(&fk_intr_lock);
	if ((id = fk_intr_dev(dip, 0)) == NULL) {
		fk_lock_exit(&fk_intr_lock);
		return (-1);
	}
	__atomic_store_n(&id->id_held, hold != 0, __ATOMIC_SEQ_CST);
	for (int i = 0; i < FK_INTR_MAXVEC && !hold; i++) {
		if ((ih = id->id_hdl[i]) == NULL ||
		    ih->ih_state != FK_IH_ENABLED)
			continue;
		fk_lock_enter(&ih->ih_lock);
		redeliver = ih->ih_pending && !ih->ih_masked;
		fk_lock_exit(&ih->ih_lock);
		if (redeliver && FK_PLAT()->po_intr_post(id->id_pdev,
		    ih->ih_inum, FK_PLAT_INTR_FIRED) != 0)
			rv = -1;
	}
	fk_lock_exit(&fk_intr_lock);
	return (rv);
}

/*
 * Masking.
 */
int
ddi_intr_set_mask(ddi_intr_handle_t h)
{
	fk_intr_hdl_t *ih = fk_ih(h, "ddi_intr_set_mask");

	if ((ih->ih_cap & DDI_INTR_FLAG_MASKABLE) == 0)
		return (DDI_ENOTSUP);
	if (ih->ih_state != FK_IH_ENABLED)
		return (DDI_EINVAL);
	fk_lock_enter(&ih->ih_lock);
	ih->ih_masked = 1;
	fk_lock_exit(&ih->ih_lock);
	return (DDI_SUCCESS);
}

int
ddi_intr_clr_mask(ddi_intr_handle_t h)
{
	fk_intr_hdl_t *ih = fk_ih(h, "ddi_intr_clr_mask");
	int redeliver;

	if ((ih->ih_cap & DDI_INTR_FLAG_MASKABLE) == 0)
		return (DDI_ENOTSUP);
	if (ih->ih_state != FK_IH_ENABLED)
		return (DDI_EINVAL);
	fk_lock_enter(&ih->ih_lock);
	ih->ih_masked = 0;
	redeliver = ih->ih_pending;
	fk_lock_exit(&ih->ih_lock);
	/* A held-back interrupt fires now, on its thread. */
	if (redeliver && FK_PLAT()->po_intr_post(ih->ih_dev->id_pdev,
	    ih->ih_inum, FK_PLAT_INTR_FIRED) != 0)
		return (DDI_FAILURE);
	return (DDI_SUCCESS);
}

int
ddi_intr_get_pending(ddi_intr_handle_t h, int *pendingp)
{
	fk_intr_hdl_t *ih = fk_ih(h, "ddi_intr_get_pending");
	uint32_t stat = 0;

	if (pendingp == NULL)
		return (DDI_EINVAL);
	if ((ih->ih_cap & DDI_INTR_FLAG_PENDING) == 0)
		return (DDI_ENOTSUP);
	fk_lock_enter(&ih->ih_lock);
	*pendingp = ih->ih_pending;
	fk_lock_exit(&ih->ih_lock);
	/* INTx: the function's interrupt status bit says it too. */
	if (ih->ih_type == DDI_INTR_TYPE_FIXED &&
	    FK_PLAT()->po_cfg_read(ih->ih_dev->id_pdev, PCI_CONF_STAT, &stat,
	    2) == 0 && (stat & PCI_STAT_INTR) != 0)
		*pendingp = 1;
	return (DDI_SUCCESS);
}

/*
 * A node going away: report and release what its driver left.
 */
void
fk_intr_devi_gone(dev_info_t *dip)
{
	fk_intr_dev_t *id, **pp;
	int i, left = 0;

	fk_lock_enter(&fk_intr_lock);
	for (pp = &fk_intr_devs; (id = *pp) != NULL; pp = &id->id_next) {
		if (id->id_dip == dip)
			break;
	}
	if (id == NULL) {
		fk_lock_exit(&fk_intr_lock);
		return;
	}
	for (i = 0; i < FK_INTR_MAXVEC; i++) {
		fk_intr_hdl_t *ih = id->id_hdl[i];

		if (ih == NULL)
			continue;
		left++;
		if (ih->ih_state == FK_IH_ENABLED)
			(void) fk_intr_disable_one(ih);
		fk_intr_hdl_destroy(ih);
	}
	*pp = id->id_next;
	fk_lock_exit(&fk_intr_lock);
	free(id);
	if (left > 0) {
		cmn_err(CE_WARN, "intr: %s@%s removed with %d interrupt "
		    "handle(s) still allocated", ddi_node_name(dip),
		    ddi_get_name_addr(dip) != NULL ? ddi_get_name_addr(dip) :
		    "", left);
	}
}

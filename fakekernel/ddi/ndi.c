/*
 * The nexus driver interfaces a bus driver uses on its children
 * (<sys/sunndi.h>): ndi_devi_alloc(9F), ndi_devi_free(9F),
 * ndi_devi_online(9F), ndi_devi_offline(9F), ndi_devi_enter(9F),
 * ndi_prop_update(9F), ndi_busop_bus_config; and ddi_deviname(9F),
 * i_ddi_devi_attached, devfs_clean.
 *
 * A child node is made without a unit address (its bus gives it one when
 * it comes online) and with no driver.  Bringing it online is the bus's
 * business: the SCSA framework's hook (fk_impl.h; scsa/child.c)
 * initialises it for its HBA and attaches the target side to it; a child
 * of any other node cannot come online (the fakekernel has no other
 * bus).  An online child counts as attached: its parent does not detach
 * before it goes offline.  Offline with NDI_DEVI_REMOVE also removes the
 * node; ndi_devi_free removes an offline one.
 *
 * ndi_devi_enter holds a node busy (its children are not changed by
 * anyone else) and nests for the thread that holds it.  It is a mutex of
 * the lock-order witness (one class for every node), so a driver that
 * holds its own lock while entering the node in one path and enters the
 * node before its lock in another is reported, as a lock-order cycle.
 * ndi_devi_exit by a thread that does not hold the node panics.
 */

#include <sys/types.h>
#include <sys/sunddi.h>
#include <sys/sunndi.h>
#include <sys/fs/dv_node.h>
#include <sys/cmn_err.h>
#include <fk_impl.h>

#include <stdio.h>
#include <string.h>

#pragma weak fk_ndi_online_hook
#pragma weak fk_ndi_offline_hook

int
ndi_devi_alloc(dev_info_t *parent, const char *name, pnode_t nodeid,
    dev_info_t **dipp)
{
	dev_info_t *dip;

	(void) nodeid;
	fk_assert_may_block("ndi_devi_alloc");
	if (parent == NULL || name == NULL || name[0] == '\0' ||
	    dipp == NULL)
		return (NDI_FAILURE);
	if ((dip = fk_devi_alloc(parent, name, NULL)) == NULL)
		return (NDI_FAILURE);
	*dipp = dip;
	return (NDI_SUCCESS);
}

int
ndi_devi_free(dev_info_t *dip)
{
	if (dip == NULL)
		return (NDI_FAILURE);
	if (DEVI(dip)->devi_online || DEVI(dip)->devi_child != NULL) {
		dev_err(ddi_get_parent(dip), CE_WARN, "ndi_devi_free: %s is "
		    "%s", ddi_node_name(dip), DEVI(dip)->devi_online ? "online" :
		    "a parent");
		return (NDI_FAILURE);
	}
	fk_devi_free(dip);
	return (NDI_SUCCESS);
}

int
ndi_devi_online(dev_info_t *dip, uint_t flags)
{
	dev_info_t *parent;
	int rv;

	(void) flags;
	fk_assert_may_block("ndi_devi_online");
	if (dip == NULL || (parent = ddi_get_parent(dip)) == NULL)
		return (NDI_FAILURE);
	ndi_devi_enter(parent);
	if (DEVI(dip)->devi_online) {
		ndi_devi_exit(parent);
		return (NDI_SUCCESS);
	}
	if (&fk_ndi_online_hook == NULL || fk_ndi_online_hook == NULL) {
		cmn_err(CE_WARN, "ndi_devi_online: no bus brings %s online",
		    ddi_node_name(dip));
		rv = NDI_FAILURE;
	} else {
		rv = fk_ndi_online_hook(dip);
	}
	if (rv == NDI_SUCCESS) {
		DEVI(dip)->devi_online = 1;
		DEVI(dip)->devi_attached = 1;
	}
	ndi_devi_exit(parent);
	return (rv);
}

int
ndi_devi_offline(dev_info_t *dip, uint_t flags)
{
	dev_info_t *parent;
	int rv = NDI_SUCCESS;

	fk_assert_may_block("ndi_devi_offline");
	if (dip == NULL || (parent = ddi_get_parent(dip)) == NULL)
		return (NDI_FAILURE);
	ndi_devi_enter(parent);
	if (DEVI(dip)->devi_online) {
		if (&fk_ndi_offline_hook != NULL &&
		    fk_ndi_offline_hook != NULL)
			rv = fk_ndi_offline_hook(dip);
		if (rv == NDI_SUCCESS) {
			DEVI(dip)->devi_online = 0;
			DEVI(dip)->devi_attached = 0;
		}
	}
	if (rv == NDI_SUCCESS && (flags & NDI_DEVI_REMOVE))
		rv = ndi_devi_free(dip);
	ndi_devi_exit(parent);
	return (rv);
}

/*
 * Busy ownership.
 */
void
ndi_devi_enter(dev_info_t *dip)
{
	fk_thread_t *self = fk_curthread();

	fk_assert_may_block("ndi_devi_enter");
	if (__atomic_load_n(&DEVI(dip)->devi_ndi_owner, __ATOMIC_ACQUIRE) !=
	    self) {
		mutex_enter(&DEVI(dip)->devi_ndi_lock);
		__atomic_store_n(&DEVI(dip)->devi_ndi_owner, self,
		    __ATOMIC_RELEASE);
	}
	DEVI(dip)->devi_ndi_depth++;
}

void
ndi_devi_exit(dev_info_t *dip)
{
	if (!fk_ndi_busy_owned(dip))
		panic("ndi_devi_exit(%s): the thread did not enter the node",
		    ddi_node_name(dip));
	if (--DEVI(dip)->devi_ndi_depth == 0) {
		__atomic_store_n(&DEVI(dip)->devi_ndi_owner, NULL,
		    __ATOMIC_RELEASE);
		mutex_exit(&DEVI(dip)->devi_ndi_lock);
	}
}

/*
 * The same, as illumos had them before 15483 (2023): the circular count
 * is the holder's nesting depth, and ndi_devi_exit ignores it (sys/sunndi.h
 * with FK_NDI_CIRCULAR binds the old names here).
 */
void
fk_ndi_devi_enter_circular(dev_info_t *dip, int *circp)
{
	ndi_devi_enter(dip);
	*circp = DEVI(dip)->devi_ndi_depth;
}

void
fk_ndi_devi_exit_circular(dev_info_t *dip, int circ)
{
	(void) circ;
	ndi_devi_exit(dip);
}

int
fk_ndi_busy_owned(dev_info_t *dip)
{
	return (__atomic_load_n(&DEVI(dip)->devi_ndi_owner, __ATOMIC_ACQUIRE) ==
	    fk_curthread());
}

int
i_ddi_devi_attached(dev_info_t *dip)
{
	return (DEVI(dip)->devi_attached);
}

/*
 * The generic bus configuration: bring a child online by its name
 * ("node@address", BUS_CONFIG_ONE; *childp gets it) or every child
 * (BUS_CONFIG_ALL, BUS_CONFIG_DRIVER).
 */
int
ndi_busop_bus_config(dev_info_t *pdip, uint_t flags, ddi_bus_config_op_t op,
    void *arg, dev_info_t **childp, clock_t reset_delay)
{
	char name[MAXNAMELEN], *at;
	dev_info_t *c;
	int rv = NDI_SUCCESS;

	(void) reset_delay;
	ndi_devi_enter(pdip);
	switch (op) {
	case BUS_CONFIG_ONE:
		(void) strlcpy(name, arg != NULL ? (char *)arg : "",
		    sizeof (name));
		if ((at = strchr(name, '@')) != NULL)
			*at++ = '\0';
		for (c = ddi_get_child(pdip); c != NULL;
		    c = ddi_get_next_sibling(c)) {
			if (strcmp(ddi_node_name(c), name) == 0 &&
			    at != NULL && ddi_get_name_addr(c) != NULL &&
			    strcmp(ddi_get_name_addr(c), at) == 0)
				break;
		}
		if (c == NULL || ndi_devi_online(c, flags) != NDI_SUCCESS)
			rv = NDI_FAILURE;
		else if (childp != NULL)
			*childp = c;
		break;
	case BUS_CONFIG_ALL:
	case BUS_CONFIG_DRIVER:
		for (c = ddi_get_child(pdip); c != NULL;
		    c = ddi_get_next_sibling(c))
			(void) ndi_devi_online(c, flags);
		break;
	default:
		rv = NDI_FAILURE;
		break;
	}
	ndi_devi_exit(pdip);
	return (rv);
}

/*
 * ndi_prop_update(9F): as ddi_prop_update, for the node's bus.
 */
int
ndi_prop_update_int(dev_t dev, dev_info_t *dip, char *name, int v)
{
	return (ddi_prop_update_int(dev, dip, name, v));
}

int
ndi_prop_update_int64(dev_t dev, dev_info_t *dip, char *name, int64_t v)
{
	return (ddi_prop_update_int64(dev, dip, name, v));
}

int
ndi_prop_update_int_array(dev_t dev, dev_info_t *dip, char *name, int *v,
    uint_t n)
{
	return (ddi_prop_update_int_array(dev, dip, name, v, n));
}

int
ndi_prop_update_string(dev_t dev, dev_info_t *dip, char *name, char *v)
{
	return (ddi_prop_update_string(dev, dip, name, v));
}

int
ndi_prop_update_string_array(dev_t dev, dev_info_t *dip, char *name,
    char **v, uint_t n)
{
	return (ddi_prop_update_string_array(dev, dip, name, v, n));
}

int
ndi_prop_update_byte_array(dev_t dev, dev_info_t *dip, char *name,
    uchar_t *v, uint_t n)
{
	return (ddi_prop_update_byte_array(dev, dip, name, v, n));
}

int
ndi_prop_remove(dev_t dev, dev_info_t *dip, char *name)
{
	return (ddi_prop_remove(dev, dip, name));
}

void
ndi_prop_remove_all(dev_info_t *dip)
{
	ddi_prop_remove_all(dip);
}

/*
 * ddi_deviname(9F): "/node@address" ("/node" without an address, "" for
 * the root), in name, which it returns.
 */
char *
ddi_deviname(dev_info_t *dip, char *name)
{
	char *addr;

	if (ddi_get_parent(dip) == NULL) {
		name[0] = '\0';
		return (name);
	}
	addr = ddi_get_name_addr(dip);
	(void) snprintf(name, MAXNAMELEN, "/%s%s%s", ddi_node_name(dip),
	    addr != NULL && addr[0] != '\0' ? "@" : "",
	    addr != NULL ? addr : "");
	return (name);
}

/* No devfs: nothing cached to clean. */
int
devfs_clean(dev_info_t *dip, char *devnm, uint_t flags)
{
	(void) dip;
	(void) devnm;
	(void) flags;
	return (0);
}

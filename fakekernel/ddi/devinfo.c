/*
 * The device tree: dev_info nodes, binding to drivers, instance numbers,
 * attach(9E)/detach(9E)/quiesce(9E) calls, and the node accessors of
 * section 9F (ddi_get_parent, ddi_driver_name, ddi_pathname, ...).
 *
 * The root node ("/", node name "root") always exists and counts as
 * attached.  The lab and the SCSA framework add nodes with
 * fk_devi_alloc(parent, "pvscsi", "3"), bind them to a driver with
 * fk_devi_bind() and attach them with fk_devi_attach().  A node without
 * a driver (a "pci" nexus placeholder, say) is just structure.
 *
 * Instances.  Binding gives a node the next instance number of its
 * driver, except that a node at a path the driver has had before gets
 * the instance it had there (illumos's path_to_inst), unless a live node
 * holds it.  So an iport or disk that is removed and comes back keeps
 * its number.
 *
 * Locking.  One tree lock (fk_tree_lock, a plain host lock, never
 * held across driver code) covers the links, names, binding, instance
 * numbers (struct fk_driver's drv_next_instance included) and the
 * attached/busy state.  Attach and detach of one node are serialized by
 * its devi_busy flag: a second caller waits for the first to finish.
 * The tree changes from any thread (taskq threads discover disks while
 * I/O runs).  devi_lock is the per-node property lock (props.c).
 *
 * After a successful attach(9E), fk_devi_attach() calls the SCSA
 * framework's post-attach hook when it is linked in (fk_impl.h).
 *
 * Strictness: attach(9E) and detach(9E) run in kernel context
 * (interrupt context panics) and must return with no more mutexes held
 * than at their call; detach of a node that has an attached child fails;
 * freeing a node that is attached or has children panics.
 */

#include <sys/types.h>
#include <sys/sunddi.h>
#include <sys/cmn_err.h>
#include <sys/debug.h>
#include <fk_impl.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One remembered (driver, path) -> instance. */
typedef struct fk_inst {
	char		*in_driver;
	char		*in_path;
	int		in_instance;
	struct fk_inst	*in_next;
} fk_inst_t;

#pragma weak fk_devi_post_attach_hook

static fk_lock_t fk_tree_lock = FK_LOCK_INIT;
static fk_cond_t fk_tree_cv = FK_COND_INIT;
static fk_once_t fk_root_once = FK_ONCE_INIT;
static dev_info_t *fk_root;
static fk_inst_t *fk_insts;

static dev_info_t *
fk_devi_new(const char *name, const char *addr)
{
	dev_info_t *dip;

	if ((dip = calloc(1, sizeof (struct dev_info))) == NULL ||
	    (DEVI(dip)->devi_node_name = strdup(name)) == NULL ||
	    (addr != NULL && (DEVI(dip)->devi_addr = strdup(addr)) == NULL))
		panic("fk_devi_alloc: out of memory");
	DEVI(dip)->devi_instance = -1;
	fk_lock_init(&DEVI(dip)->devi_lock);
	mutex_init(&DEVI(dip)->devi_ndi_lock, "ndi_devi_enter", MUTEX_DRIVER,
	    NULL);
	return (dip);
}

static void
fk_root_create(void)
{
	fk_root = fk_devi_new("root", NULL);
	DEVI(fk_root)->devi_attached = 1;
}

dev_info_t *
fk_root_node(void)
{
	fk_once(&fk_root_once, fk_root_create);
	return (fk_root);
}

/*
 * The path of a node, "/pci@0,0/pvscsi@3"; "/" for the root.  Called
 * with the tree lock held.
 */
static void
fk_devi_path_locked(dev_info_t *dip, char *buf, size_t len)
{
	dev_info_t *stack[64];
	int n = 0;
	size_t off = 0;

	buf[0] = '\0';
	while (dip != NULL && DEVI(dip)->devi_parent != NULL && n < 64) {
		stack[n++] = dip;
		dip = DEVI(dip)->devi_parent;
	}
	if (n == 0) {
		(void) snprintf(buf, len, "/");
		return;
	}
	while (n-- > 0 && off < len) {
		struct dev_info *d = DEVI(stack[n]);

		off += snprintf(buf + off, len - off, "/%s%s%s",
		    d->devi_node_name,
		    d->devi_addr != NULL && d->devi_addr[0] != '\0' ? "@" : "",
		    d->devi_addr != NULL ? d->devi_addr : "");
	}
}

static int
fk_same_addr(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == b);
	return (strcmp(a, b) == 0);
}

/* A child by node name and unit address (NULL: any); tree lock held. */
static dev_info_t *
fk_devi_child_locked(dev_info_t *parent, const char *name, const char *addr)
{
	dev_info_t *c;

	for (c = DEVI(parent)->devi_child; c != NULL;
	    c = DEVI(c)->devi_sibling) {
		if (strcmp(DEVI(c)->devi_node_name, name) == 0 &&
		    (addr == NULL || fk_same_addr(DEVI(c)->devi_addr, addr)))
			break;
	}
	return (c);
}

dev_info_t *
fk_devi_alloc(dev_info_t *parent, const char *name, const char *addr)
{
	dev_info_t *dip, **pp;

	if (name == NULL || name[0] == '\0')
		panic("fk_devi_alloc: a node needs a name");
	if (parent == NULL)
		parent = fk_root_node();
	dip = fk_devi_new(name, addr);

	fk_lock_enter(&fk_tree_lock);
	if (addr != NULL && fk_devi_child_locked(parent, name, addr) != NULL) {
		fk_lock_exit(&fk_tree_lock);
		cmn_err(CE_WARN, "fk_devi_alloc: %s@%s exists already", name,
		    addr);
		fk_devi_free(dip);
		return (NULL);
	}
	for (pp = &DEVI(parent)->devi_child; *pp != NULL;
	    pp = &DEVI(*pp)->devi_sibling)
		continue;
	DEVI(dip)->devi_parent = parent;
	*pp = dip;
	fk_lock_exit(&fk_tree_lock);
	return (dip);
}

void
fk_devi_free(dev_info_t *dip)
{
	dev_info_t **pp;
	char path[MAXPATHLEN];

	if (dip == NULL)
		return;
	fk_lock_enter(&fk_tree_lock);
	fk_devi_path_locked(dip, path, sizeof (path));
	if (dip == fk_root)
		panic("fk_devi_free: the root node");
	if (DEVI(dip)->devi_child != NULL)
		panic("fk_devi_free(%s): the node has children", path);
	if (DEVI(dip)->devi_attached || DEVI(dip)->devi_busy)
		panic("fk_devi_free(%s): the node is attached", path);
	pp = DEVI(dip)->devi_parent != NULL ?
	    &DEVI(DEVI(dip)->devi_parent)->devi_child : NULL;
	while (pp != NULL && *pp != NULL && *pp != dip)
		pp = &DEVI(*pp)->devi_sibling;
	if (pp != NULL && *pp == dip)
		*pp = DEVI(dip)->devi_sibling;
	fk_lock_exit(&fk_tree_lock);
	fk_prop_destroy_all(dip);
	mutex_destroy(&DEVI(dip)->devi_ndi_lock);
	free(DEVI(dip)->devi_node_name);
	free(DEVI(dip)->devi_addr);
	free(dip);
}

/* A child by node name and unit address (NULL address: any). */
dev_info_t *
fk_devi_find_child(dev_info_t *parent, const char *name, const char *addr)
{
	dev_info_t *c;

	if (parent == NULL)
		parent = fk_root_node();
	fk_lock_enter(&fk_tree_lock);
	c = fk_devi_child_locked(parent, name, addr);
	fk_lock_exit(&fk_tree_lock);
	return (c);
}

/*
 * Visit every node below (and including) dip; stop when fn returns
 * non-zero and return that.  Tree lock held.
 */
static int
fk_devi_walk_locked(dev_info_t *dip, int (*fn)(dev_info_t *, void *),
    void *arg)
{
	dev_info_t *c;
	int rv;

	if ((rv = fn(dip, arg)) != 0)
		return (rv);
	for (c = DEVI(dip)->devi_child; c != NULL; c = DEVI(c)->devi_sibling) {
		if ((rv = fk_devi_walk_locked(c, fn, arg)) != 0)
			return (rv);
	}
	return (0);
}

typedef struct fk_inst_probe {
	struct fk_driver	*ip_driver;
	int			ip_instance;
} fk_inst_probe_t;

static int
fk_devi_has_instance(dev_info_t *dip, void *arg)
{
	fk_inst_probe_t *ip = arg;

	return (DEVI(dip)->devi_driver == ip->ip_driver &&
	    DEVI(dip)->devi_instance == ip->ip_instance);
}

static int
fk_devi_in_use(dev_info_t *dip, void *arg)
{
	return (DEVI(dip)->devi_driver == arg &&
	    (DEVI(dip)->devi_attached || DEVI(dip)->devi_busy));
}

/* Is any node bound to drv attached (or attaching/detaching)? */
int
fk_devi_driver_in_use(struct fk_driver *drv)
{
	int rv;

	fk_lock_enter(&fk_tree_lock);
	rv = fk_devi_walk_locked(fk_root_node(), fk_devi_in_use, drv);
	fk_lock_exit(&fk_tree_lock);
	return (rv);
}

/*
 * The instance for a node of drv at path (tree lock held): the one the
 * path had, if no live node holds it, else the driver's next.
 */
static int
fk_instance_assign(struct fk_driver *drv, const char *path)
{
	fk_inst_probe_t ip;
	fk_inst_t *in;

	for (in = fk_insts; in != NULL; in = in->in_next) {
		if (strcmp(in->in_driver, drv->drv_name) != 0 ||
		    strcmp(in->in_path, path) != 0)
			continue;
		ip.ip_driver = drv;
		ip.ip_instance = in->in_instance;
		if (!fk_devi_walk_locked(fk_root, fk_devi_has_instance, &ip))
			return (in->in_instance);
		break;
	}
	if ((in = calloc(1, sizeof (*in))) == NULL ||
	    (in->in_driver = strdup(drv->drv_name)) == NULL ||
	    (in->in_path = strdup(path)) == NULL)
		panic("fk_devi_bind: out of memory");
	in->in_instance = drv->drv_next_instance++;
	in->in_next = fk_insts;
	fk_insts = in;
	return (in->in_instance);
}

int
fk_devi_bind(dev_info_t *dip, const char *name)
{
	struct fk_driver *drv;
	char path[MAXPATHLEN];

	if (dip == NULL || dip == fk_root_node() || name == NULL)
		return (DDI_FAILURE);
	if ((drv = fk_driver_lookup(name)) == NULL) {
		cmn_err(CE_WARN, "fk_devi_bind: no driver \"%s\" is installed",
		    name);
		return (DDI_FAILURE);
	}
	fk_lock_enter(&fk_tree_lock);
	if (DEVI(dip)->devi_driver != NULL) {
		int same = DEVI(dip)->devi_driver == drv;

		fk_lock_exit(&fk_tree_lock);
		return (same ? DDI_SUCCESS : DDI_FAILURE);
	}
	fk_devi_path_locked(dip, path, sizeof (path));
	DEVI(dip)->devi_instance = fk_instance_assign(drv, path);
	DEVI(dip)->devi_driver = drv;
	fk_lock_exit(&fk_tree_lock);
	fk_prop_conf_apply(dip, drv->drv_name);
	return (DDI_SUCCESS);
}

/*
 * Serialize attach/detach of one node: wait while it is busy, then mark
 * it busy.  Returns the attached state found.
 */
static int
fk_devi_enter(dev_info_t *dip)
{
	int attached;

	fk_lock_enter(&fk_tree_lock);
	while (DEVI(dip)->devi_busy)
		(void) fk_cond_wait(&fk_tree_cv, &fk_tree_lock, 0);
	DEVI(dip)->devi_busy = 1;
	attached = DEVI(dip)->devi_attached;
	fk_lock_exit(&fk_tree_lock);
	return (attached);
}

static void
fk_devi_exit(dev_info_t *dip, int attached)
{
	fk_lock_enter(&fk_tree_lock);
	DEVI(dip)->devi_attached = attached;
	DEVI(dip)->devi_busy = 0;
	fk_cond_broadcast(&fk_tree_cv);
	fk_lock_exit(&fk_tree_lock);
}

static void
fk_devi_check_unlocked(dev_info_t *dip, const char *entry, int before)
{
	fk_thread_t *t = fk_curthread();
	char path[MAXPATHLEN], held[1024];

	if (t->t_nheld + t->t_untracked <= before)
		return;
	(void) ddi_pathname(dip, path);
	(void) fk_held_describe(t, held, sizeof (held));
	panic("%s(9E) of %s returned holding a mutex: %s", entry, path, held);
}

/* The driver's dev_ops, or NULL (with a warning) if it cannot be used. */
static struct dev_ops *
fk_devi_ops(dev_info_t *dip, const char *what)
{
	struct fk_driver *drv = DEVI(dip)->devi_driver;
	struct dev_ops *ops;
	char path[MAXPATHLEN];

	(void) ddi_pathname(dip, path);
	if (drv == NULL) {
		cmn_err(CE_WARN, "%s %s: the node is not bound to a driver",
		    what, path);
		return (NULL);
	}
	if ((ops = drv->drv_ops) == NULL) {
		cmn_err(CE_WARN, "%s %s: driver %s is not installed", what,
		    path, drv->drv_name);
		return (NULL);
	}
	if (ops->devo_rev != DEVO_REV) {
		cmn_err(CE_WARN, "%s %s: driver %s has devo_rev %d, not %d",
		    what, path, drv->drv_name, ops->devo_rev, DEVO_REV);
		return (NULL);
	}
	return (ops);
}

/*
 * A node attaches under a parent that is attached (or attaching: a nexus
 * may attach children from its own attach(9E)), or that has no driver.
 */
static int
fk_devi_parent_ready(dev_info_t *dip)
{
	dev_info_t *p;
	int ready;

	fk_lock_enter(&fk_tree_lock);
	p = DEVI(dip)->devi_parent;
	ready = p == NULL || DEVI(p)->devi_driver == NULL ||
	    DEVI(p)->devi_attached || DEVI(p)->devi_busy;
	fk_lock_exit(&fk_tree_lock);
	return (ready);
}

/*
 * probe(9E) unless it is nulldev, then attach(9E) with DDI_ATTACH.
 */
int
fk_devi_attach(dev_info_t *dip)
{
	struct dev_ops *ops;
	int rv, nheld;

	if (dip == NULL)
		return (DDI_FAILURE);
	fk_assert_may_block("attach");
	if (fk_devi_enter(dip)) {
		fk_devi_exit(dip, 1);
		return (DDI_SUCCESS);
	}
	if (!fk_devi_parent_ready(dip)) {
		cmn_err(CE_WARN, "attach %s%d: the parent is not attached",
		    ddi_driver_name(dip), ddi_get_instance(dip));
		fk_devi_exit(dip, 0);
		return (DDI_FAILURE);
	}
	if ((ops = fk_devi_ops(dip, "attach")) == NULL ||
	    ops->devo_attach == NULL) {
		fk_devi_exit(dip, 0);
		return (DDI_FAILURE);
	}
	nheld = fk_curthread()->t_nheld + fk_curthread()->t_untracked;
	if (ops->devo_probe != NULL && ops->devo_probe != nulldev) {
		rv = ops->devo_probe(dip);
		fk_devi_check_unlocked(dip, "probe", nheld);
		if (rv != DDI_PROBE_SUCCESS && rv != DDI_PROBE_DONTCARE) {
			fk_devi_exit(dip, 0);
			return (DDI_FAILURE);
		}
	}
	rv = ops->devo_attach(dip, DDI_ATTACH);
	fk_devi_check_unlocked(dip, "attach", nheld);
	fk_devi_exit(dip, rv == DDI_SUCCESS);
	if (rv != DDI_SUCCESS)
		return (DDI_FAILURE);
	if (&fk_devi_post_attach_hook != NULL &&
	    fk_devi_post_attach_hook != NULL)
		fk_devi_post_attach_hook(dip);
	return (DDI_SUCCESS);
}

static int
fk_devi_child_attached(dev_info_t *dip, dev_info_t **childp)
{
	dev_info_t *c;

	fk_lock_enter(&fk_tree_lock);
	for (c = DEVI(dip)->devi_child; c != NULL; c = DEVI(c)->devi_sibling) {
		if (DEVI(c)->devi_attached || DEVI(c)->devi_busy)
			break;
	}
	fk_lock_exit(&fk_tree_lock);
	*childp = c;
	return (c != NULL);
}

/*
 * detach(9E) with DDI_DETACH.  A node that is not attached detaches
 * trivially; one with an attached child does not detach.
 */
int
fk_devi_detach(dev_info_t *dip)
{
	struct dev_ops *ops;
	dev_info_t *child;
	char path[MAXPATHLEN];
	int rv, nheld;

	if (dip == NULL || dip == fk_root_node())
		return (DDI_FAILURE);
	fk_assert_may_block("detach");
	if (!fk_devi_enter(dip)) {
		fk_devi_exit(dip, 0);
		return (DDI_SUCCESS);
	}
	if (fk_devi_child_attached(dip, &child)) {
		(void) ddi_pathname(child, path);
		cmn_err(CE_WARN, "detach %s%d refused: child %s is attached",
		    ddi_driver_name(dip), ddi_get_instance(dip), path);
		fk_devi_exit(dip, 1);
		return (DDI_FAILURE);
	}
	if ((ops = fk_devi_ops(dip, "detach")) == NULL ||
	    ops->devo_detach == NULL) {
		fk_devi_exit(dip, 1);
		return (DDI_FAILURE);
	}
	nheld = fk_curthread()->t_nheld + fk_curthread()->t_untracked;
	rv = ops->devo_detach(dip, DDI_DETACH);
	fk_devi_check_unlocked(dip, "detach", nheld);
	fk_devi_exit(dip, rv != DDI_SUCCESS);
	return (rv == DDI_SUCCESS ? DDI_SUCCESS : DDI_FAILURE);
}

/*
 * quiesce(9E): runs as at fast reboot, where it must not block; here in
 * interrupt context so that anything that would block panics.
 */
int
fk_devi_quiesce(dev_info_t *dip)
{
	struct dev_ops *ops;
	int rv;

	if (dip == NULL || !DEVI(dip)->devi_attached)
		return (DDI_SUCCESS);
	if ((ops = fk_devi_ops(dip, "quiesce")) == NULL)
		return (DDI_FAILURE);
	if (ops->devo_quiesce == NULL) {
		cmn_err(CE_WARN, "quiesce %s%d: the driver has no quiesce(9E)",
		    ddi_driver_name(dip), ddi_get_instance(dip));
		return (DDI_FAILURE);
	}
	fk_intr_enter(DDI_IPL_10);
	rv = ops->devo_quiesce(dip);
	fk_intr_exit();
	return (rv == DDI_SUCCESS ? DDI_SUCCESS : DDI_FAILURE);
}

/*
 * Accessors (9F).
 */
dev_info_t *
ddi_get_parent(dev_info_t *dip)
{
	dev_info_t *p;

	fk_lock_enter(&fk_tree_lock);
	p = DEVI(dip)->devi_parent;
	fk_lock_exit(&fk_tree_lock);
	return (p);
}

dev_info_t *
ddi_get_child(dev_info_t *dip)
{
	dev_info_t *c;

	fk_lock_enter(&fk_tree_lock);
	c = DEVI(dip)->devi_child;
	fk_lock_exit(&fk_tree_lock);
	return (c);
}

dev_info_t *
ddi_get_next_sibling(dev_info_t *dip)
{
	dev_info_t *s;

	fk_lock_enter(&fk_tree_lock);
	s = DEVI(dip)->devi_sibling;
	fk_lock_exit(&fk_tree_lock);
	return (s);
}

int
ddi_get_instance(dev_info_t *dip)
{
	return (DEVI(dip)->devi_instance);
}

void *
ddi_get_driver_private(dev_info_t *dip)
{
	return (__atomic_load_n(&DEVI(dip)->devi_driver_private,
	    __ATOMIC_ACQUIRE));
}

void
ddi_set_driver_private(dev_info_t *dip, void *data)
{
	__atomic_store_n(&DEVI(dip)->devi_driver_private, data,
	    __ATOMIC_RELEASE);
}

/* The bound driver's name; an unbound node answers with its node name. */
const char *
ddi_driver_name(dev_info_t *dip)
{
	struct fk_driver *drv = DEVI(dip)->devi_driver;

	return (drv != NULL ? drv->drv_name : DEVI(dip)->devi_node_name);
}

char *
ddi_node_name(dev_info_t *dip)
{
	return (DEVI(dip)->devi_node_name);
}

/* Nodes here bind by driver name, so the binding name is that name. */
char *
ddi_binding_name(dev_info_t *dip)
{
	return ((char *)ddi_driver_name(dip));
}

char *
ddi_get_name(dev_info_t *dip)
{
	return (ddi_binding_name(dip));
}

char *
ddi_get_name_addr(dev_info_t *dip)
{
	char *a;

	fk_lock_enter(&fk_tree_lock);
	a = DEVI(dip)->devi_addr;
	fk_lock_exit(&fk_tree_lock);
	return (a);
}

void
ddi_set_name_addr(dev_info_t *dip, char *name)
{
	char *n = NULL, *old;

	if (name != NULL && (n = strdup(name)) == NULL)
		panic("ddi_set_name_addr: out of memory");
	fk_lock_enter(&fk_tree_lock);
	old = DEVI(dip)->devi_addr;
	DEVI(dip)->devi_addr = n;
	fk_lock_exit(&fk_tree_lock);
	free(old);
}

/* buf must hold MAXPATHLEN bytes, as in illumos. */
char *
ddi_pathname(dev_info_t *dip, char *buf)
{
	fk_lock_enter(&fk_tree_lock);
	fk_devi_path_locked(dip, buf, MAXPATHLEN);
	fk_lock_exit(&fk_tree_lock);
	return (buf);
}

/* "?pvscsi0 at pci0: unit-address 3", to the log (console if verbose). */
void
ddi_report_dev(dev_info_t *dip)
{
	dev_info_t *p = ddi_get_parent(dip);
	char *addr = ddi_get_name_addr(dip);

	if (p == NULL)
		return;
	cmn_err(CE_CONT, "?%s%d at %s%d: unit-address %s\n",
	    ddi_driver_name(dip), ddi_get_instance(dip), ddi_driver_name(p),
	    ddi_get_instance(p) < 0 ? 0 : ddi_get_instance(p),
	    addr != NULL ? addr : "none");
}

/* Every node here is enumerated by its bus: self-identifying. */
int
ddi_dev_is_sid(dev_info_t *dip)
{
	(void) dip;
	return (DDI_SUCCESS);
}

int
nodev(void)
{
	return (ENXIO);
}

int
nulldev(void)
{
	return (0);
}

int
ddi_quiesce_not_needed(dev_info_t *dip)
{
	(void) dip;
	return (DDI_SUCCESS);
}

int
ddi_quiesce_not_supported(dev_info_t *dip)
{
	(void) dip;
	return (DDI_FAILURE);
}

/*
 * Device numbers (<sys/ddi.h>), in illumos's 64-bit layout: 32 bits of
 * major above 32 bits of minor.
 */
#define	FK_NBITSMINOR	32
#define	FK_MAXMIN	0xffffffffUL

dev_t
makedevice(major_t maj, minor_t min)
{
	return (((dev_t)maj << FK_NBITSMINOR) | ((dev_t)min & FK_MAXMIN));
}

major_t
getmajor(dev_t dev)
{
	return ((major_t)(dev >> FK_NBITSMINOR));
}

minor_t
getminor(dev_t dev)
{
	return ((minor_t)(dev & FK_MAXMIN));
}

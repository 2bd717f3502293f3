/*
 * The device tree, driven with the test driver of tdrv.h: paths, names
 * and navigation, binding and instance numbers (with reuse by path),
 * probe then attach, detach refused while a child is attached, failing
 * probe/attach/detach, quiesce in interrupt context, driver private data,
 * soft state, ddi_report_dev, concurrent tree changes, and the panics
 * (attach returning with a mutex, freeing an attached node).
 */

#include <sys/types.h>
#include <sys/ddi.h>
#include <sys/sunddi.h>
#include <sys/ksynch.h>
#include <fk.h>
#include <fk_impl.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lib/expect.h"
#include "tdrv.h"

static void
test_paths(void)
{
	dev_info_t *root = fk_root_node(), *pci, *hba, *iport, *disk;
	char path[MAXPATHLEN];

	CHECK("ddi_pathname: the root is \"/\"",
	    strcmp(ddi_pathname(root, path), "/") == 0,
	    "expected \"/\", saw \"%s\"", path);
	pci = fk_devi_alloc(root, "pci", "0,0");
	hba = fk_devi_alloc(pci, "tdrv", "3");
	iport = fk_devi_alloc(hba, "iport", "iport0");
	disk = fk_devi_alloc(iport, "disk", "1,0");
	CHECK("ddi_pathname: names every level with its unit address",
	    strcmp(ddi_pathname(disk, path),
	    "/pci@0,0/tdrv@3/iport@iport0/disk@1,0") == 0,
	    "expected \"/pci@0,0/tdrv@3/iport@iport0/disk@1,0\", saw \"%s\"",
	    path);
	CHECK("ddi_get_parent/child: navigate the tree",
	    ddi_get_parent(disk) == iport && ddi_get_child(pci) == hba &&
	    ddi_get_parent(pci) == root && ddi_get_parent(root) == NULL,
	    "expected the links as built");
	CHECK("ddi_node_name/ddi_get_name_addr: as allocated",
	    strcmp(ddi_node_name(iport), "iport") == 0 &&
	    strcmp(ddi_get_name_addr(iport), "iport0") == 0,
	    "expected iport, iport0");
	CHECK("ddi_driver_name: an unbound node answers with its node name",
	    strcmp(ddi_driver_name(pci), "pci") == 0 &&
	    ddi_get_instance(pci) == -1, "expected \"pci\", -1");
	ddi_set_name_addr(disk, "2,0");
	CHECK("ddi_set_name_addr: changes the unit address and path",
	    strcmp(ddi_pathname(disk, path),
	    "/pci@0,0/tdrv@3/iport@iport0/disk@2,0") == 0,
	    "expected disk@2,0, saw \"%s\"", path);
	ddi_set_name_addr(disk, NULL);
	CHECK("ddi_set_name_addr: NULL clears the address",
	    ddi_get_name_addr(disk) == NULL &&
	    strcmp(ddi_pathname(disk, path),
	    "/pci@0,0/tdrv@3/iport@iport0/disk") == 0,
	    "expected no address, saw \"%s\"", path);
	CHECK("fk_devi_find_child: by name and address",
	    fk_devi_find_child(pci, "tdrv", "3") == hba &&
	    fk_devi_find_child(pci, "tdrv", NULL) == hba &&
	    fk_devi_find_child(pci, "tdrv", "4") == NULL,
	    "expected the node, then NULL");
	CHECK("fk_devi_alloc: refuses a second node at the same address",
	    fk_devi_alloc(pci, "tdrv", "3") == NULL, "expected NULL");
	fk_devi_free(disk);
	fk_devi_free(iport);
	fk_devi_free(hba);
	CHECK("fk_devi_free: unlinks the node", ddi_get_child(pci) == NULL,
	    "expected no child");
	fk_devi_free(pci);
}

static void
test_bind_attach(void)
{
	dev_info_t *pci, *a, *b, *c;

	pci = fk_devi_alloc(NULL, "pci", "0,0");
	a = fk_devi_alloc(pci, "tdrv", "3");
	CHECK("fk_devi_bind: fails before the driver is loaded",
	    fk_devi_bind(a, "tdrv") == DDI_FAILURE, "expected DDI_FAILURE");
	CHECK("fk_mod_load: loads the test driver",
	    fk_mod_load("tdrv", tdrv_init, tdrv_fini, tdrv_info) == 0,
	    "expected 0");
	b = fk_devi_alloc(pci, "tdrv", "4");
	CHECK("fk_devi_bind: binds and numbers instances from 0",
	    fk_devi_bind(a, "tdrv") == DDI_SUCCESS &&
	    fk_devi_bind(b, "tdrv") == DDI_SUCCESS &&
	    ddi_get_instance(a) == 0 && ddi_get_instance(b) == 1,
	    "expected instances 0 and 1, saw %d and %d", ddi_get_instance(a),
	    ddi_get_instance(b));
	CHECK("ddi_driver_name: the bound driver",
	    strcmp(ddi_driver_name(a), "tdrv") == 0 &&
	    strcmp(ddi_get_name(a), "tdrv") == 0 &&
	    strcmp(ddi_binding_name(a), "tdrv") == 0, "expected \"tdrv\"");
	CHECK("fk_devi_bind: binding again to the same driver is fine",
	    fk_devi_bind(a, "tdrv") == DDI_SUCCESS &&
	    ddi_get_instance(a) == 0, "expected DDI_SUCCESS, instance 0");

	tdrv_reset();
	CHECK("fk_devi_attach: succeeds", fk_devi_attach(a) == DDI_SUCCESS,
	    "expected DDI_SUCCESS");
	CHECK("fk_devi_attach: probe(9E) runs, then attach(9E)",
	    strcmp(tdrv.td_order, "pa") == 0, "expected \"pa\", saw \"%s\"",
	    tdrv.td_order);
	CHECK("fk_devi_attach: an attached node is not attached again",
	    fk_devi_attach(a) == DDI_SUCCESS && tdrv.td_nattach == 1,
	    "expected one attach, saw %d", tdrv.td_nattach);

	tdrv.td_probe_rv = DDI_PROBE_FAILURE;
	CHECK("fk_devi_attach: a failing probe(9E) fails the attach",
	    fk_devi_attach(b) == DDI_FAILURE && tdrv.td_nattach == 1,
	    "expected DDI_FAILURE and no attach call");
	tdrv.td_probe_rv = DDI_PROBE_DONTCARE;
	tdrv.td_attach_rv = DDI_FAILURE;
	CHECK("fk_devi_attach: a failing attach(9E) leaves the node "
	    "detached", fk_devi_attach(b) == DDI_FAILURE &&
	    fk_devi_detach(b) == DDI_SUCCESS && tdrv.td_ndetach == 0,
	    "expected failure, then a trivial detach");
	tdrv.td_attach_rv = DDI_SUCCESS;
	CHECK("fk_devi_attach: DDI_PROBE_DONTCARE lets attach run",
	    fk_devi_attach(b) == DDI_SUCCESS, "expected DDI_SUCCESS");

	c = fk_devi_alloc(a, "tdrv", "child");
	(void) fk_devi_bind(c, "tdrv");
	CHECK("fk_devi_attach: a child of an attached node attaches",
	    fk_devi_attach(c) == DDI_SUCCESS && ddi_get_instance(c) == 2,
	    "expected DDI_SUCCESS, instance 2, saw %d", ddi_get_instance(c));
	tdrv.td_ndetach = 0;
	CHECK("fk_devi_detach: refused while a child is attached",
	    fk_devi_detach(a) == DDI_FAILURE && tdrv.td_ndetach == 0,
	    "expected DDI_FAILURE without a detach(9E) call");
	CHECK("fk_devi_detach: says which child", fk_log_find(
	    "child /pci@0,0/tdrv@3/tdrv@child is attached", 0) >= 0,
	    "expected the log line");
	tdrv.td_detach_rv = DDI_FAILURE;
	CHECK("fk_devi_detach: a failing detach(9E) leaves it attached",
	    fk_devi_detach(c) == DDI_FAILURE && tdrv.td_ndetach == 1 &&
	    fk_devi_detach(a) == DDI_FAILURE, "expected failures");
	tdrv.td_detach_rv = DDI_SUCCESS;
	CHECK("fk_devi_detach: child first, then parent",
	    fk_devi_detach(c) == DDI_SUCCESS &&
	    fk_devi_detach(a) == DDI_SUCCESS, "expected DDI_SUCCESS twice");

	tdrv.td_nquiesce = 0;
	CHECK("fk_devi_quiesce: calls quiesce(9E) in interrupt context",
	    fk_devi_quiesce(b) == DDI_SUCCESS && tdrv.td_nquiesce == 1 &&
	    tdrv.td_quiesce_intr == 1, "expected one call in interrupt "
	    "context, saw %d (intr %d)", tdrv.td_nquiesce,
	    tdrv.td_quiesce_intr);
	CHECK("fk_devi_quiesce: a detached node needs nothing",
	    fk_devi_quiesce(a) == DDI_SUCCESS && tdrv.td_nquiesce == 1,
	    "expected no call");

	ddi_set_driver_private(b, &tdrv);
	CHECK("ddi_get_driver_private: returns what was set",
	    ddi_get_driver_private(b) == &tdrv &&
	    ddi_get_driver_private(a) == NULL, "expected &tdrv, NULL");

	{
		uint_t n0 = fk_log_count();

		ddi_report_dev(b);
		CHECK("ddi_report_dev: logs the node and its parent",
		    fk_log_find("tdrv1 at pci0: unit-address 4", n0) >= 0 &&
		    fk_log_get(fk_log_find("tdrv1 at pci0", n0))->lm_console ==
		    0, "expected a log-only line");
	}

	(void) fk_devi_detach(b);
	fk_devi_free(c);
	fk_devi_free(a);
	a = fk_devi_alloc(pci, "tdrv", "3");
	(void) fk_devi_bind(a, "tdrv");
	c = fk_devi_alloc(pci, "tdrv", "9");
	(void) fk_devi_bind(c, "tdrv");
	CHECK("fk_devi_bind: a node back at a known path gets its instance",
	    ddi_get_instance(a) == 0, "expected 0, saw %d",
	    ddi_get_instance(a));
	CHECK("fk_devi_bind: a new path gets the next instance",
	    ddi_get_instance(c) == 3, "expected 3, saw %d",
	    ddi_get_instance(c));
	fk_devi_free(c);
	fk_devi_free(a);
	fk_devi_free(b);
	fk_devi_free(pci);
}

static void
test_misc(void)
{
	dev_info_t *root = fk_root_node();

	CHECK("nodev: returns ENXIO, nulldev 0", nodev() == ENXIO &&
	    nulldev() == 0, "expected ENXIO and 0");
	CHECK("ddi_quiesce_not_needed/not_supported",
	    ddi_quiesce_not_needed(root) == DDI_SUCCESS &&
	    ddi_quiesce_not_supported(root) == DDI_FAILURE,
	    "expected DDI_SUCCESS, DDI_FAILURE");
	CHECK("ddi_dev_is_sid: nodes are self-identifying",
	    ddi_dev_is_sid(root) == DDI_SUCCESS, "expected DDI_SUCCESS");
}

typedef struct soft {
	int	s_a;
	char	s_b[100];
} soft_t;

static void
test_soft_state(void)
{
	void *ss = NULL;
	soft_t *s0, *s9;
	fk_counters_t c0, c1;
	int fini_ok;

	fk_counters_get(&c0);
	CHECK("ddi_soft_state_init: succeeds",
	    ddi_soft_state_init(&ss, sizeof (soft_t), 1) == 0 && ss != NULL,
	    "expected 0 and a state");
	CHECK("ddi_soft_state_init: refuses size 0",
	    ddi_soft_state_init(&ss, 0, 1) == EINVAL, "expected EINVAL");
	CHECK("ddi_soft_state_zalloc: allocates items, growing the set",
	    ddi_soft_state_zalloc(ss, 0) == DDI_SUCCESS &&
	    ddi_soft_state_zalloc(ss, 9) == DDI_SUCCESS,
	    "expected DDI_SUCCESS twice");
	s0 = ddi_get_soft_state(ss, 0);
	s9 = ddi_get_soft_state(ss, 9);
	CHECK("ddi_get_soft_state: returns zeroed, distinct items",
	    s0 != NULL && s9 != NULL && s0 != s9 && s9->s_a == 0 &&
	    s9->s_b[99] == 0, "expected two zeroed items");
	CHECK("ddi_get_soft_state: NULL for items never allocated",
	    ddi_get_soft_state(ss, 5) == NULL &&
	    ddi_get_soft_state(ss, 1000) == NULL &&
	    ddi_get_soft_state(ss, -1) == NULL, "expected NULL");
	CHECK("ddi_soft_state_zalloc: fails for an item in use",
	    ddi_soft_state_zalloc(ss, 9) == DDI_FAILURE &&
	    ddi_get_soft_state(ss, 9) == s9, "expected DDI_FAILURE");
	ddi_soft_state_free(ss, 9);
	CHECK("ddi_soft_state_free: the item is gone",
	    ddi_get_soft_state(ss, 9) == NULL, "expected NULL");
	ddi_soft_state_fini(&ss);
	fini_ok = ss == NULL;
	fk_counters_get(&c1);
	CHECK("ddi_soft_state_fini: frees the rest and clears the pointer",
	    fini_ok && c1.fc_kmem_bytes == c0.fc_kmem_bytes,
	    "expected NULL and no kmem outstanding, saw %lld bytes",
	    (long long)(c1.fc_kmem_bytes - c0.fc_kmem_bytes));
}

/*
 * Many threads adding, attaching, detaching and freeing nodes under one
 * parent at once.
 */
typedef struct churn {
	dev_info_t	*ch_parent;
	int		ch_id;
	int		ch_errors;
} churn_t;

static void *
churn(void *arg)
{
	churn_t *ch = arg;
	dev_info_t *dip;
	char addr[32];
	int i;

	for (i = 0; i < 50; i++) {
		(void) snprintf(addr, sizeof (addr), "%d,%d", ch->ch_id, i);
		if ((dip = fk_devi_alloc(ch->ch_parent, "tdrv", addr)) ==
		    NULL) {
			ch->ch_errors++;
			continue;
		}
		if (fk_devi_bind(dip, "tdrv") != DDI_SUCCESS ||
		    fk_devi_attach(dip) != DDI_SUCCESS ||
		    fk_devi_detach(dip) != DDI_SUCCESS)
			ch->ch_errors++;
		fk_devi_free(dip);
	}
	return (NULL);
}

static void
test_concurrency(void)
{
	dev_info_t *parent = fk_devi_alloc(NULL, "bus", "1");
	churn_t ch[4];
	fk_tid_t tid[4];
	int i, errors = 0;

	tdrv_reset();
	for (i = 0; i < 4; i++) {
		ch[i].ch_parent = parent;
		ch[i].ch_id = i;
		ch[i].ch_errors = 0;
		(void) fk_thread_create(&tid[i], "churn", churn, &ch[i]);
	}
	for (i = 0; i < 4; i++) {
		(void) fk_thread_join(tid[i], NULL);
		errors += ch[i].ch_errors;
	}
	CHECK("devinfo: concurrent add/attach/detach/free from threads",
	    errors == 0 && tdrv.td_nattach == 200 && tdrv.td_ndetach == 200 &&
	    ddi_get_child(parent) == NULL, "expected 200 clean cycles, saw "
	    "%d errors, %d attaches, %d detaches", errors, tdrv.td_nattach,
	    tdrv.td_ndetach);
	fk_devi_free(parent);
}

/*
 * Deaths.
 */
static kmutex_t attach_lock;

static void
take_lock(dev_info_t *dip)
{
	(void) dip;
	mutex_enter(&attach_lock);
}

static void
die_attach_holding(void *arg)
{
	(void) arg;
	mutex_init(&attach_lock, NULL, MUTEX_DRIVER, NULL);
	tdrv.td_attach_hook = take_lock;
	(void) tdrv_node(NULL, "holding", 1);
}

static void
die_free_attached(void *arg)
{
	(void) arg;
	fk_devi_free(tdrv_node(NULL, "attached", 1));
}

static void
test_deaths(void)
{
	tdrv_reset();
	expect_death("fk_devi_attach: attach(9E) returning with a mutex "
	    "panics", die_attach_holding, NULL, "attach(9E) of /tdrv@holding "
	    "returned holding a mutex");
	expect_death("fk_devi_free: of an attached node panics",
	    die_free_attached, NULL, "fk_devi_free(/tdrv@attached): the node "
	    "is attached");
}

int
main(void)
{
	fk_options_t o = { .fo_platform = "none", .fo_quiet = 1 };

	CHECK("fk_init: starts", fk_init(&o) == 0, "expected 0");
	test_paths();
	test_bind_attach();
	test_misc();
	test_soft_state();
	test_concurrency();
	test_deaths();
	return (check_exit());
}

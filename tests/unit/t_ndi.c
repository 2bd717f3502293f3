/*
 * The nexus interfaces and the small DDI/DKI pieces drivers of the gate
 * use: ndi_devi_alloc/free, ndi_devi_online/offline with no bus behind
 * the parent, ndi_devi_enter/exit (nesting, DEVI_BUSY_OWNED, the
 * witness, exit by another thread), ndi_prop_update_*,
 * ndi_busop_bus_config, ddi_deviname, devfs_clean, ddi_prop_op,
 * nochpoll, ddi_no_info, min/max, thread_create, ncpus, SEC_TO_TICK and
 * the header facts (__packed from <sys/types.h>, the queue-tag messages
 * from <sys/scsi/scsi.h>, membars from <sys/atomic.h>).
 */

#include <sys/types.h>
#include <sys/ddi.h>
#include <sys/sunddi.h>
#include <sys/sunndi.h>
#include <sys/atomic.h>
#include <sys/thread.h>
#include <sys/cpuvar.h>
#include <sys/time.h>
#include <sys/fs/dv_node.h>
#include <sys/scsi/scsi.h>
#include <fk.h>
#include <fk_impl.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "lib/expect.h"

static dev_info_t *parent;

static void
test_alloc_online(void)
{
	dev_info_t *c = NULL;
	char name[MAXNAMELEN];
	uint_t start = fk_log_count();

	CHECK("ndi: ndi_devi_alloc makes a child with no address",
	    ndi_devi_alloc(parent, "disk", DEVI_SID_NODEID, &c) ==
	    NDI_SUCCESS && c != NULL && ddi_get_parent(c) == parent &&
	    ddi_get_name_addr(c) == NULL && strcmp(ddi_node_name(c),
	    "disk") == 0, "no child");
	CHECK("ndi: ndi_devi_online with no SCSI HBA (no bus) behind the "
	    "parent fails, saying so", ndi_devi_online(c, NDI_ONLINE_ATTACH) == NDI_FAILURE &&
	    fk_log_find("ndi_devi_online", start) >= 0 &&
	    !i_ddi_devi_attached(c), "expected NDI_FAILURE and a warning");
	ddi_set_name_addr(c, "3,0");
	(void) ddi_deviname(c, name);
	CHECK("ndi: ddi_deviname is /node@address", strcmp(name,
	    "/disk@3,0") == 0, "saw %s", name);
	(void) ddi_deviname(fk_root_node(), name);
	CHECK("ndi: ddi_deviname of the root is empty", name[0] == '\0',
	    "saw %s", name);
	CHECK("ndi: devfs_clean has nothing to clean", devfs_clean(parent,
	    name, DV_CLEAN_FORCE) == 0, "non-zero");
	CHECK("ndi: ndi_busop_bus_config(BUS_CONFIG_ONE) of a child that "
	    "cannot come online fails", ndi_busop_bus_config(parent, 0,
	    BUS_CONFIG_ONE, "disk@3,0", NULL, 0) == NDI_FAILURE &&
	    ndi_busop_bus_config(parent, 0, BUS_CONFIG_ONE, "tape@0,0", NULL,
	    0) == NDI_FAILURE, "succeeded");
	CHECK("ndi: ndi_devi_offline(NDI_DEVI_REMOVE) of an offline child "
	    "removes it", ndi_devi_offline(c, NDI_DEVI_REMOVE) ==
	    NDI_SUCCESS && ddi_get_child(parent) == NULL, "still there");
	(void) ndi_devi_alloc(parent, "disk", DEVI_SID_NODEID, &c);
	CHECK("ndi: ndi_devi_free of an offline child", ndi_devi_free(c) ==
	    NDI_SUCCESS && ddi_get_child(parent) == NULL, "still there");
}

static void
test_props(void)
{
	dev_info_t *c;
	int iv[2] = { 4, 5 }, *ia;
	char *sv[2] = { "a", "bc" }, **sa, *s;
	uchar_t bv[3] = { 1, 2, 3 }, *ba;
	uint_t n = 0, nb = 0, ni = 0;
	int ok;

	(void) ndi_devi_alloc(parent, "disk", DEVI_SID_NODEID, &c);
	ok = ndi_prop_update_int(DDI_DEV_T_NONE, c, "target", 7) ==
	    DDI_PROP_SUCCESS &&
	    ndi_prop_update_int64(DDI_DEV_T_NONE, c, "lun64", 1LL << 40) ==
	    DDI_PROP_SUCCESS &&
	    ndi_prop_update_int_array(DDI_DEV_T_NONE, c, "ia", iv, 2) ==
	    DDI_PROP_SUCCESS &&
	    ndi_prop_update_string(DDI_DEV_T_NONE, c, "device-type", "scsi") ==
	    DDI_PROP_SUCCESS &&
	    ndi_prop_update_string_array(DDI_DEV_T_NONE, c, "compatible", sv,
	    2) == DDI_PROP_SUCCESS &&
	    ndi_prop_update_byte_array(DDI_DEV_T_NONE, c, "ba", bv, 3) ==
	    DDI_PROP_SUCCESS;
	ok = ok && ddi_prop_get_int(DDI_DEV_T_ANY, c, DDI_PROP_DONTPASS,
	    "target", -1) == 7 && ddi_prop_get_int64(DDI_DEV_T_ANY, c,
	    DDI_PROP_DONTPASS, "lun64", -1) == 1LL << 40;
	ok = ok && ddi_prop_lookup_int_array(DDI_DEV_T_ANY, c,
	    DDI_PROP_DONTPASS, "ia", &ia, &ni) == DDI_PROP_SUCCESS &&
	    ni == 2 && ia[1] == 5;
	if (ni > 0)
		ddi_prop_free(ia);
	ok = ok && ddi_prop_lookup_string(DDI_DEV_T_ANY, c, DDI_PROP_DONTPASS,
	    "device-type", &s) == DDI_PROP_SUCCESS && strcmp(s, "scsi") == 0;
	if (ok)
		ddi_prop_free(s);
	ok = ok && ddi_prop_lookup_string_array(DDI_DEV_T_ANY, c,
	    DDI_PROP_DONTPASS, "compatible", &sa, &n) == DDI_PROP_SUCCESS &&
	    n == 2 && strcmp(sa[1], "bc") == 0;
	if (n > 0)
		ddi_prop_free(sa);
	ok = ok && ddi_prop_lookup_byte_array(DDI_DEV_T_ANY, c,
	    DDI_PROP_DONTPASS, "ba", &ba, &nb) == DDI_PROP_SUCCESS &&
	    nb == 3 && ba[2] == 3;
	if (nb > 0)
		ddi_prop_free(ba);
	CHECK("ndi: ndi_prop_update_int/int64/int_array/string/"
	    "string_array/byte_array make the node's properties", ok,
	    "a property is missing or wrong");
	CHECK("ndi: ndi_prop_remove, ndi_prop_remove_all",
	    ndi_prop_remove(DDI_DEV_T_NONE, c, "target") == DDI_PROP_SUCCESS &&
	    !ddi_prop_exists(DDI_DEV_T_ANY, c, DDI_PROP_DONTPASS, "target") &&
	    (ndi_prop_remove_all(c), !ddi_prop_exists(DDI_DEV_T_ANY, c,
	    DDI_PROP_DONTPASS, "ba")), "a property survived");
	(void) ndi_devi_free(c);
}

static void
test_prop_op(void)
{
	int len = 0, v;
	char buf[2], *abuf = NULL;
	int rv;

	(void) ddi_prop_update_int(DDI_DEV_T_NONE, parent, "width", 32);
	CHECK("ndi: ddi_prop_op(PROP_LEN) gives the value's length",
	    ddi_prop_op(DDI_DEV_T_ANY, parent, PROP_LEN, 0, "width", NULL,
	    &len) == DDI_PROP_SUCCESS && len == sizeof (int), "len %d", len);
	len = sizeof (buf);
	rv = ddi_prop_op(DDI_DEV_T_ANY, parent, PROP_LEN_AND_VAL_BUF, 0,
	    "width", buf, &len);
	CHECK("ndi: ddi_prop_op(PROP_LEN_AND_VAL_BUF) into a small buffer: "
	    "DDI_PROP_BUF_TOO_SMALL", rv == DDI_PROP_BUF_TOO_SMALL, "rv %d",
	    rv);
	len = sizeof (v);
	rv = ddi_prop_op(DDI_DEV_T_ANY, parent, PROP_LEN_AND_VAL_BUF, 0,
	    "width", (caddr_t)&v, &len);
	CHECK("ndi: ddi_prop_op(PROP_LEN_AND_VAL_BUF) copies the value",
	    rv == DDI_PROP_SUCCESS && v == 32, "rv %d v %d", rv, v);
	rv = ddi_prop_op(DDI_DEV_T_ANY, parent, PROP_LEN_AND_VAL_ALLOC,
	    DDI_PROP_CANSLEEP, "width", (caddr_t)&abuf, &len);
	CHECK("ndi: ddi_prop_op(PROP_LEN_AND_VAL_ALLOC) allocates a copy",
	    rv == DDI_PROP_SUCCESS && abuf != NULL && len == sizeof (int) &&
	    *(int *)(void *)abuf == 32, "rv %d", rv);
	if (abuf != NULL)
		kmem_free(abuf, len);
	CHECK("ndi: ddi_prop_op of a missing property: DDI_PROP_NOT_FOUND",
	    ddi_prop_op(DDI_DEV_T_ANY, parent, PROP_EXISTS, 0, "nope", NULL,
	    &len) == DDI_PROP_NOT_FOUND, "found");
	CHECK("ndi: nochpoll is ENXIO, ddi_no_info DDI_FAILURE",
	    nochpoll(0, 0, 0, NULL, NULL) == ENXIO &&
	    ddi_no_info(parent, DDI_INFO_DEVT2INSTANCE, NULL, NULL) ==
	    DDI_FAILURE, "wrong");
}

/* Busy ownership. */
static kmutex_t drv_lock;

static void *
enter_then_lock(void *arg)
{
	(void) arg;
	ndi_devi_enter(parent);
	mutex_enter(&drv_lock);
	mutex_exit(&drv_lock);
	ndi_devi_exit(parent);
	return (NULL);
}

static void
test_enter(void)
{
	int c1, c2, owned, nested;
	fk_counters_t before, after;
	pthread_t t;

	ndi_devi_enter(parent);
	ndi_devi_enter(parent);
	nested = DEVI_BUSY_OWNED(parent);
	ndi_devi_exit(parent);
	owned = DEVI_BUSY_OWNED(parent);
	ndi_devi_exit(parent);
	(void) CHECK("ndi: ndi_devi_enter nests for its holder "
	    "(DEVI_BUSY_OWNED until the outer exit)", nested && owned &&
	    !DEVI_BUSY_OWNED(parent), "nested %d owned %d after %d", nested,
	    owned, DEVI_BUSY_OWNED(parent));

	/* The form before illumos 15483: the nesting depth comes back. */
	fk_ndi_devi_enter_circular(parent, &c1);
	fk_ndi_devi_enter_circular(parent, &c2);
	fk_ndi_devi_exit_circular(parent, c2);
	owned = DEVI_BUSY_OWNED(parent);
	fk_ndi_devi_exit_circular(parent, c1);
	(void) CHECK("ndi: the circular form (FK_NDI_CIRCULAR) nests the same",
	    c1 == 1 && c2 == 2 && owned && !DEVI_BUSY_OWNED(parent),
	    "circ %d, %d; owned %d after %d", c1, c2, owned,
	    DEVI_BUSY_OWNED(parent));

	/* The driver's lock under the node here, the node under it there. */
	mutex_init(&drv_lock, "driver lock", MUTEX_DRIVER, NULL);
	fk_counters_get(&before);
	(void) pthread_create(&t, NULL, enter_then_lock, NULL);
	(void) pthread_join(t, NULL);
	mutex_enter(&drv_lock);
	ndi_devi_enter(parent);
	ndi_devi_exit(parent);
	mutex_exit(&drv_lock);
	fk_counters_get(&after);
	CHECK("ndi: a node entered under a driver lock that is taken under "
	    "the node elsewhere: the witness reports the cycle",
	    after.fc_witness_reports == before.fc_witness_reports + 1,
	    "%llu new reports", (unsigned long long)
	    (after.fc_witness_reports - before.fc_witness_reports));
	mutex_destroy(&drv_lock);
}

static void
die_exit_unowned(void *arg)
{
	(void) arg;
	ndi_devi_exit(parent);
}

/* thread_create. */
static kmutex_t kt_lock;
static kcondvar_t kt_cv;
static int kt_ran;

static void
kt_proc(void *arg)
{
	mutex_enter(&kt_lock);
	kt_ran = (int)(uintptr_t)arg;
	cv_broadcast(&kt_cv);
	mutex_exit(&kt_lock);
	thread_exit();
}

static void
test_misc(void)
{
	struct __attribute__((unused)) pk {
		uint8_t		a;
		uint32_t	b;
	} __packed;
	volatile uint32_t x = 0;
	kthread_t *kt;

	(void) CHECK("ndi: min(9F), max(9F)", min(-3, 2) == -3 && max(-3, 2) == 2 &&
	    min(5, 5) == 5, "wrong");
	(void) CHECK("ndi: SEC_TO_TICK at hz", SEC_TO_TICK(2) == 2 * hz &&
	    TICK_TO_SEC(SEC_TO_TICK(3)) == 3 && MSEC_TO_TICK(1000) == hz,
	    "wrong");
	(void) CHECK("ndi: <sys/types.h> brings __packed (<sys/ccompile.h>)",
	    sizeof (struct pk) == 5, "size %zu", sizeof (struct pk));
	(void) CHECK("ndi: <sys/scsi/scsi.h> brings the queue-tag messages",
	    MSG_SIMPLE_QTAG == 0x20 && MSG_HEAD_QTAG == 0x21 &&
	    MSG_ORDERED_QTAG == 0x22, "wrong values");
	membar_producer();
	x = 1;
	membar_consumer();
	CHECK("ndi: ncpus counts the CPUs online", ncpus >= 1 && x == 1,
	    "ncpus %d", ncpus);

	mutex_init(&kt_lock, NULL, MUTEX_DRIVER, NULL);
	cv_init(&kt_cv, NULL, CV_DRIVER, NULL);
	kt = thread_create(NULL, 0, kt_proc, (void *)(uintptr_t)42, 0, &p0,
	    TS_RUN, minclsyspri);
	mutex_enter(&kt_lock);
	while (kt_ran == 0)
		(void) cv_reltimedwait(&kt_cv, &kt_lock, SEC_TO_TICK(5),
		    TR_CLOCK_TICK);
	mutex_exit(&kt_lock);
	CHECK("ndi: thread_create(TS_RUN) runs proc(arg) on a thread of its "
	    "own, which thread_exit ends", kt != NULL && kt_ran == 42,
	    "ran %d", kt_ran);
}

int
main(void)
{
	fk_options_t opts = { .fo_platform = "none", .fo_strict_dma = 1,
	    .fo_quiet = 1 };

	if (fk_init(&opts) != 0) {
		printf("FAIL ndi: fk_init failed\n");
		return (1);
	}
	parent = fk_devi_alloc(NULL, "bus", "0");
	test_alloc_online();
	test_props();
	test_prop_op();
	test_enter();
	expect_death("ndi: ndi_devi_exit by a thread that did not enter "
	    "panics", die_exit_unowned, NULL, "did not enter the node");
	test_misc();
	fk_devi_free(parent);
	fk_fini();
	return (check_exit());
}

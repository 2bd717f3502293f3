/*
 * Properties: update and lookup of every type, private copies freed by
 * ddi_prop_free, ddi_prop_get_int defaults and booleans, type mismatch,
 * DDI_PROP_DONTPASS against the walk to the parents, dev_t matching,
 * invalid arguments, remove/remove_all, driver.conf properties from
 * fk_prop_conf_set (and their place below the node's own), no kmem left
 * behind, and the panics (bad frees, lookups in interrupt context).
 */

#include <sys/types.h>
#include <sys/ddi.h>
#include <sys/sunddi.h>
#include <fk.h>
#include <fk_impl.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lib/expect.h"
#include "tdrv.h"

static dev_info_t *parent, *node;

static void
test_types(void)
{
	int ints[3] = { 7, -1, 1 << 30 }, *ip;
	int64_t i64[2] = { 1LL << 40, -5 }, *lp;
	char *strs[3] = { "alpha", "", "gamma" }, **sp, *s;
	uchar_t bytes[5] = { 1, 2, 3, 254, 255 }, *bp;
	uint_t n;
	int rv;

	CHECK("ddi_prop_update_int_array: succeeds",
	    ddi_prop_update_int_array(DDI_DEV_T_NONE, node, "ints", ints, 3) ==
	    DDI_PROP_SUCCESS, "expected DDI_PROP_SUCCESS");
	rv = ddi_prop_lookup_int_array(DDI_DEV_T_ANY, node, DDI_PROP_DONTPASS,
	    "ints", &ip, &n);
	CHECK("ddi_prop_lookup_int_array: returns the values and count",
	    rv == DDI_PROP_SUCCESS && n == 3 && ip[0] == 7 && ip[1] == -1 &&
	    ip[2] == 1 << 30, "expected 7,-1,2^30, saw rv %d n %u", rv, n);
	ip[0] = 99;
	ddi_prop_free(ip);
	CHECK("ddi_prop_lookup_int_array: returns a private copy",
	    ddi_prop_get_int(DDI_DEV_T_ANY, node, 0, "ints", 0) == 7,
	    "expected the property unchanged at 7");

	(void) ddi_prop_update_int64_array(DDI_DEV_T_NONE, node, "i64", i64,
	    2);
	rv = ddi_prop_lookup_int64_array(DDI_DEV_T_ANY, node, 0, "i64", &lp,
	    &n);
	CHECK("ddi_prop_lookup_int64_array: round trip",
	    rv == DDI_PROP_SUCCESS && n == 2 && lp[0] == 1LL << 40 &&
	    lp[1] == -5, "expected 2^40,-5, saw rv %d", rv);
	if (rv == DDI_PROP_SUCCESS)
		ddi_prop_free(lp);
	CHECK("ddi_prop_get_int64: the first value",
	    ddi_prop_get_int64(DDI_DEV_T_ANY, node, 0, "i64", 0) == 1LL << 40,
	    "expected 2^40");

	(void) ddi_prop_update_string_array(DDI_DEV_T_NONE, node, "strs", strs,
	    3);
	rv = ddi_prop_lookup_string_array(DDI_DEV_T_ANY, node, 0, "strs", &sp,
	    &n);
	CHECK("ddi_prop_lookup_string_array: an argv-like vector",
	    rv == DDI_PROP_SUCCESS && n == 3 && strcmp(sp[0], "alpha") == 0 &&
	    strcmp(sp[1], "") == 0 && strcmp(sp[2], "gamma") == 0 &&
	    sp[3] == NULL, "expected alpha,\"\",gamma,NULL, saw rv %d", rv);
	if (rv == DDI_PROP_SUCCESS)
		ddi_prop_free(sp);
	rv = ddi_prop_lookup_string(DDI_DEV_T_ANY, node, 0, "strs", &s);
	CHECK("ddi_prop_lookup_string: the first string of an array",
	    rv == DDI_PROP_SUCCESS && strcmp(s, "alpha") == 0,
	    "expected \"alpha\", saw rv %d", rv);
	if (rv == DDI_PROP_SUCCESS)
		ddi_prop_free(s);
	(void) ddi_prop_update_string(DDI_DEV_T_NONE, node, "model", "PVSCSI");
	rv = ddi_prop_lookup_string(DDI_DEV_T_ANY, node, 0, "model", &s);
	CHECK("ddi_prop_update_string: round trip",
	    rv == DDI_PROP_SUCCESS && strcmp(s, "PVSCSI") == 0,
	    "expected \"PVSCSI\", saw rv %d", rv);
	if (rv == DDI_PROP_SUCCESS)
		ddi_prop_free(s);

	(void) ddi_prop_update_byte_array(DDI_DEV_T_NONE, node, "bytes",
	    bytes, 5);
	rv = ddi_prop_lookup_byte_array(DDI_DEV_T_ANY, node, 0, "bytes", &bp,
	    &n);
	CHECK("ddi_prop_lookup_byte_array: round trip",
	    rv == DDI_PROP_SUCCESS && n == 5 && memcmp(bp, bytes, 5) == 0,
	    "expected 5 bytes, saw rv %d n %u", rv, n);
	if (rv == DDI_PROP_SUCCESS)
		ddi_prop_free(bp);
	rv = ddi_prop_lookup_byte_array(DDI_DEV_T_ANY, node, 0, "ints", &bp,
	    &n);
	CHECK("ddi_prop_lookup_byte_array: any property's raw bytes",
	    rv == DDI_PROP_SUCCESS && n == 3 * sizeof (int),
	    "expected %zu bytes, saw rv %d n %u", 3 * sizeof (int), rv, n);
	if (rv == DDI_PROP_SUCCESS)
		ddi_prop_free(bp);

	CHECK("ddi_prop_lookup: another type cannot be decoded",
	    ddi_prop_lookup_int_array(DDI_DEV_T_ANY, node, 0, "model", &ip,
	    &n) == DDI_PROP_CANNOT_DECODE &&
	    ddi_prop_lookup_string(DDI_DEV_T_ANY, node, 0, "ints", &s) ==
	    DDI_PROP_CANNOT_DECODE, "expected DDI_PROP_CANNOT_DECODE");
	CHECK("ddi_prop_get_int: a property that is not an int gives the "
	    "default", ddi_prop_get_int(DDI_DEV_T_ANY, node, 0, "model", 42) ==
	    42, "expected 42");
	CHECK("ddi_prop_lookup: a missing property is DDI_PROP_NOT_FOUND",
	    ddi_prop_lookup_int_array(DDI_DEV_T_ANY, node, 0, "nope", &ip,
	    &n) == DDI_PROP_NOT_FOUND &&
	    ddi_prop_get_int(DDI_DEV_T_ANY, node, 0, "nope", -3) == -3,
	    "expected DDI_PROP_NOT_FOUND and the default");
	CHECK("ddi_prop_exists: says which exist",
	    ddi_prop_exists(DDI_DEV_T_ANY, node, 0, "bytes") == 1 &&
	    ddi_prop_exists(DDI_DEV_T_ANY, node, 0, "nope") == 0,
	    "expected 1 then 0");

	(void) ddi_prop_update_int(DDI_DEV_T_NONE, node, "ints", 5);
	rv = ddi_prop_lookup_int_array(DDI_DEV_T_ANY, node, 0, "ints", &ip,
	    &n);
	CHECK("ddi_prop_update_int: replaces the old value",
	    rv == DDI_PROP_SUCCESS && n == 1 && ip[0] == 5,
	    "expected one value 5, saw rv %d n %u", rv, n);
	if (rv == DDI_PROP_SUCCESS)
		ddi_prop_free(ip);
	(void) ddi_prop_update_int_array(DDI_DEV_T_NONE, node, "bool", NULL, 0);
	CHECK("ddi_prop_get_int: a boolean property is 1",
	    ddi_prop_get_int(DDI_DEV_T_ANY, node, 0, "bool", 0) == 1,
	    "expected 1");
	CHECK("ddi_prop_lookup_int_array: a boolean has no data",
	    ddi_prop_lookup_int_array(DDI_DEV_T_ANY, node, 0, "bool", &ip,
	    &n) == DDI_PROP_END_OF_DATA, "expected DDI_PROP_END_OF_DATA");
}

static void
test_search(void)
{
	int *ip;
	uint_t n;

	(void) ddi_prop_update_int(DDI_DEV_T_NONE, parent, "bus-speed", 33);
	CHECK("ddi_prop_get_int: without DONTPASS the parent is searched",
	    ddi_prop_get_int(DDI_DEV_T_ANY, node, 0, "bus-speed", 0) == 33,
	    "expected 33");
	CHECK("ddi_prop_get_int: DDI_PROP_DONTPASS stops at the node",
	    ddi_prop_get_int(DDI_DEV_T_ANY, node, DDI_PROP_DONTPASS,
	    "bus-speed", -1) == -1, "expected the default");
	CHECK("ddi_prop_lookup_int_array: DONTPASS stops at the node",
	    ddi_prop_lookup_int_array(DDI_DEV_T_ANY, node, DDI_PROP_DONTPASS,
	    "bus-speed", &ip, &n) == DDI_PROP_NOT_FOUND,
	    "expected DDI_PROP_NOT_FOUND");
	(void) ddi_prop_update_int(DDI_DEV_T_NONE, node, "bus-speed", 66);
	CHECK("ddi_prop_get_int: the node's own value comes first",
	    ddi_prop_get_int(DDI_DEV_T_ANY, node, 0, "bus-speed", 0) == 66,
	    "expected 66");

	(void) ddi_prop_update_int(makedevice(7, 1), node, "per-dev", 1);
	CHECK("ddi_prop_get_int: a property made for a dev_t matches it and "
	    "DDI_DEV_T_ANY", ddi_prop_get_int(makedevice(7, 1), node, 0,
	    "per-dev", 0) == 1 && ddi_prop_get_int(DDI_DEV_T_ANY, node, 0,
	    "per-dev", 0) == 1, "expected 1 twice");
	CHECK("ddi_prop_get_int: but not another dev_t",
	    ddi_prop_get_int(makedevice(7, 2), node, 0, "per-dev", 0) == 0,
	    "expected the default");

	CHECK("ddi_prop_lookup: DDI_DEV_T_NONE, NULL or empty names are "
	    "invalid", ddi_prop_lookup_int_array(DDI_DEV_T_NONE, node, 0,
	    "bus-speed", &ip, &n) == DDI_PROP_INVAL_ARG &&
	    ddi_prop_lookup_int_array(DDI_DEV_T_ANY, node, 0, "", &ip, &n) ==
	    DDI_PROP_INVAL_ARG && ddi_prop_lookup_int_array(DDI_DEV_T_ANY,
	    node, 0, NULL, &ip, &n) == DDI_PROP_INVAL_ARG,
	    "expected DDI_PROP_INVAL_ARG");
	CHECK("ddi_prop_update: DDI_DEV_T_ANY is invalid",
	    ddi_prop_update_int(DDI_DEV_T_ANY, node, "x", 1) ==
	    DDI_PROP_INVAL_ARG, "expected DDI_PROP_INVAL_ARG");

	CHECK("ddi_prop_remove: removes the node's property",
	    ddi_prop_remove(DDI_DEV_T_NONE, node, "bus-speed") ==
	    DDI_PROP_SUCCESS && ddi_prop_get_int(DDI_DEV_T_ANY, node, 0,
	    "bus-speed", 0) == 33, "expected the parent's 33 to show again");
	CHECK("ddi_prop_remove: a missing property is DDI_PROP_NOT_FOUND",
	    ddi_prop_remove(DDI_DEV_T_NONE, node, "bus-speed") ==
	    DDI_PROP_NOT_FOUND, "expected DDI_PROP_NOT_FOUND");
	ddi_prop_remove_all(node);
	CHECK("ddi_prop_remove_all: removes every property of the node",
	    ddi_prop_exists(DDI_DEV_T_ANY, node, DDI_PROP_DONTPASS, "ints") ==
	    0 && ddi_prop_exists(DDI_DEV_T_ANY, node, DDI_PROP_DONTPASS,
	    "model") == 0 && ddi_prop_exists(DDI_DEV_T_ANY, parent, 0,
	    "bus-speed") == 1, "expected the node bare, the parent intact");
}

static void
test_conf(void)
{
	dev_info_t *early, *dip;
	int *ip;
	char *s, **sp;
	uint_t n;
	int rv;

	early = tdrv_node(parent, "early", 0);
	CHECK("fk_prop_conf_set: accepts driver.conf lines",
	    fk_prop_conf_set("tdrv", "targets=1,2,0x10") == 0 &&
	    fk_prop_conf_set("tdrv", "name=\"pv scsi\"") == 0 &&
	    fk_prop_conf_set("tdrv", "words=\"a\",\"b,c\"") == 0 &&
	    fk_prop_conf_set("tdrv", "fast") == 0 &&
	    fk_prop_conf_set("tdrv", "big=0x100000000") == 0 &&
	    fk_prop_conf_set("tdrv", "queue-depth=64") == 0 &&
	    fk_prop_conf_set("other", "queue-depth=1") == 0,
	    "expected 0 for each");
	CHECK("fk_prop_conf_set: rejects malformed lines",
	    fk_prop_conf_set("tdrv", "=3") == EINVAL &&
	    fk_prop_conf_set("tdrv", "x=\"open") == EINVAL &&
	    fk_prop_conf_set("tdrv", "x=\"a\"b") == EINVAL,
	    "expected EINVAL");
	CHECK("fk_prop_conf_set: a replaced line keeps its latest value",
	    fk_prop_conf_set("tdrv", "queue-depth=32") == 0, "expected 0");

	dip = tdrv_node(parent, "conf", 0);
	rv = ddi_prop_lookup_int_array(DDI_DEV_T_ANY, dip, DDI_PROP_DONTPASS,
	    "targets", &ip, &n);
	CHECK("fk_prop_conf_set: an int list becomes an int array",
	    rv == DDI_PROP_SUCCESS && n == 3 && ip[0] == 1 && ip[1] == 2 &&
	    ip[2] == 16, "expected 1,2,16, saw rv %d n %u", rv, n);
	if (rv == DDI_PROP_SUCCESS)
		ddi_prop_free(ip);
	rv = ddi_prop_lookup_string(DDI_DEV_T_ANY, dip, DDI_PROP_DONTPASS,
	    "name", &s);
	CHECK("fk_prop_conf_set: a quoted value becomes a string",
	    rv == DDI_PROP_SUCCESS && strcmp(s, "pv scsi") == 0,
	    "expected \"pv scsi\", saw rv %d", rv);
	if (rv == DDI_PROP_SUCCESS)
		ddi_prop_free(s);
	rv = ddi_prop_lookup_string_array(DDI_DEV_T_ANY, dip,
	    DDI_PROP_DONTPASS, "words", &sp, &n);
	CHECK("fk_prop_conf_set: quoted values keep their commas",
	    rv == DDI_PROP_SUCCESS && n == 2 && strcmp(sp[0], "a") == 0 &&
	    strcmp(sp[1], "b,c") == 0, "expected a, \"b,c\", saw rv %d", rv);
	if (rv == DDI_PROP_SUCCESS)
		ddi_prop_free(sp);
	CHECK("fk_prop_conf_set: a bare name is a boolean",
	    ddi_prop_get_int(DDI_DEV_T_ANY, dip, 0, "fast", 0) == 1,
	    "expected 1");
	CHECK("fk_prop_conf_set: a value beyond an int is an int64",
	    ddi_prop_get_int64(DDI_DEV_T_ANY, dip, 0, "big", 0) ==
	    0x100000000LL, "expected 2^32");
	CHECK("fk_prop_conf_set: only the named driver's nodes, latest value",
	    ddi_prop_get_int(DDI_DEV_T_ANY, dip, 0, "queue-depth", 0) == 32,
	    "expected 32, saw %d", ddi_prop_get_int(DDI_DEV_T_ANY, dip, 0,
	    "queue-depth", 0));
	CHECK("fk_prop_conf_set: nodes bound earlier do not change",
	    ddi_prop_exists(DDI_DEV_T_ANY, early, DDI_PROP_DONTPASS,
	    "targets") == 0, "expected no property");

	(void) ddi_prop_update_int(DDI_DEV_T_NONE, dip, "queue-depth", 8);
	CHECK("driver.conf: the node's own property comes first",
	    ddi_prop_get_int(DDI_DEV_T_ANY, dip, 0, "queue-depth", 0) == 8,
	    "expected 8");
	(void) ddi_prop_remove(DDI_DEV_T_NONE, dip, "queue-depth");
	CHECK("driver.conf: ddi_prop_remove leaves the driver.conf value",
	    ddi_prop_get_int(DDI_DEV_T_ANY, dip, 0, "queue-depth", 0) == 32,
	    "expected 32");
	ddi_prop_remove_all(dip);
	CHECK("driver.conf: ddi_prop_remove_all leaves it too",
	    ddi_prop_get_int(DDI_DEV_T_ANY, dip, 0, "queue-depth", 0) == 32,
	    "expected 32");
	fk_prop_conf_clear("tdrv");
	fk_devi_free(dip);
	dip = tdrv_node(parent, "cleared", 0);
	CHECK("fk_prop_conf_clear: later nodes get nothing",
	    ddi_prop_exists(DDI_DEV_T_ANY, dip, DDI_PROP_DONTPASS,
	    "targets") == 0, "expected no property");
	fk_prop_conf_clear(NULL);
	fk_devi_free(dip);
	fk_devi_free(early);
}

/*
 * Deaths.
 */
static void
die_free_foreign(void *arg)
{
	int x[8] = { 0 };

	(void) arg;
	ddi_prop_free(&x[4]);
}

static void
die_free_twice(void *arg)
{
	int *ip;
	uint_t n;

	(void) ddi_prop_update_int(DDI_DEV_T_NONE, arg, "twice", 1);
	(void) ddi_prop_lookup_int_array(DDI_DEV_T_ANY, arg, 0, "twice", &ip,
	    &n);
	ddi_prop_free(ip);
	ddi_prop_free(ip);
}

static void
die_lookup_in_intr(void *arg)
{
	char *s;

	fk_intr_enter(5);
	(void) ddi_prop_lookup_string(DDI_DEV_T_ANY, arg, 0, "model", &s);
}

int
main(void)
{
	fk_options_t o = { .fo_platform = "none", .fo_quiet = 1 };
	fk_counters_t c0, c1;

	CHECK("fk_init: starts", fk_init(&o) == 0, "expected 0");
	parent = fk_devi_alloc(NULL, "pci", "0,0");
	node = tdrv_node(parent, "3", 0);
	if (!CHECK("props: a bound node for the tests", node != NULL,
	    "expected a node"))
		return (check_exit());
	fk_counters_get(&c0);
	test_types();
	test_search();
	test_conf();
	fk_counters_get(&c1);
	CHECK("ddi_prop_free: every value handed out was freed",
	    c1.fc_kmem_bytes == c0.fc_kmem_bytes, "expected no kmem "
	    "outstanding, saw %lld bytes",
	    (long long)(c1.fc_kmem_bytes - c0.fc_kmem_bytes));
	expect_death("ddi_prop_free: of memory it did not hand out panics",
	    die_free_foreign, NULL, "not a value from ddi_prop_lookup");
	expect_death("ddi_prop_free: twice panics", die_free_twice, node,
	    "freed twice");
	expect_death("ddi_prop_lookup: panics in interrupt context",
	    die_lookup_in_intr, node,
	    "ddi_prop_lookup_string in interrupt context");
	fk_devi_free(node);
	fk_devi_free(parent);
	return (check_exit());
}

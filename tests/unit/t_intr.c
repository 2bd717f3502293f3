/*
 * Interrupts (ddi/intr.c) on the unit tests' fake PCI function
 * (lib/fakeplat.h), which has FIXED and two MSI vectors and fires them
 * as the platform's po_intr_post does: types offered and the FK_INTR filter,
 * capabilities and priorities, the handle states, delivery on interrupt
 * threads in interrupt context with the counters, INTx unmasking after the
 * handler, masking with pending interrupts, holding a node's interrupts
 * out of its driver's reach (fk_intr_hold), and ddi_intr_disable waiting
 * for a running handler.
 */

#include <sys/types.h>
#include <sys/sunddi.h>
#include <sys/ddi_intr.h>
#include <fk.h>
#include <fk_impl.h>

#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "lib/fakeplat.h"

static dev_info_t *dip;

typedef struct hstate {
	int		hs_calls;
	int		hs_in_intr;
	uint_t		hs_pri;
	void		*hs_arg2;
	int		hs_sleep_ms;
	int		hs_running;
	int		hs_done;
	uint_t		hs_ret;
	char		hs_thread[32];
} hstate_t;

static uint_t
handler(caddr_t arg1, caddr_t arg2)
{
	hstate_t *hs = (hstate_t *)arg1;
	fk_thread_t *t = fk_curthread();

	__atomic_store_n(&hs->hs_running, 1, __ATOMIC_SEQ_CST);
	hs->hs_in_intr = fk_in_intr();
	hs->hs_pri = t->t_intr_pri;
	hs->hs_arg2 = arg2;
	(void) snprintf(hs->hs_thread, sizeof (hs->hs_thread), "%s",
	    t->t_name);
	if (hs->hs_sleep_ms > 0)
		(void) usleep(hs->hs_sleep_ms * 1000);
	__atomic_add_fetch(&hs->hs_calls, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&hs->hs_done, 1, __ATOMIC_SEQ_CST);
	return (hs->hs_ret);
}

/* Waits up to 2 s for *p to reach v. */
static int
wait_for(int *p, int v)
{
	int i;

	for (i = 0; i < 2000; i++) {
		if (__atomic_load_n(p, __ATOMIC_SEQ_CST) >= v)
			return (1);
		(void) usleep(1000);
	}
	return (0);
}

static void
test_types(void)
{
	int types = 0, n = 0;

	CHECK("intr: supported types: FIXED and MSI",
	    ddi_intr_get_supported_types(dip, &types) == DDI_SUCCESS &&
	    types == (DDI_INTR_TYPE_FIXED | DDI_INTR_TYPE_MSI),
	    "expected 3, saw %d", types);
	fk_intr_types = "msi";
	(void) ddi_intr_get_supported_types(dip, &types);
	CHECK("intr: FK_INTR=msi offers MSI only", types == DDI_INTR_TYPE_MSI,
	    "expected 2, saw %d", types);
	fk_intr_types = "fixed";
	(void) ddi_intr_get_supported_types(dip, &types);
	CHECK("intr: FK_INTR=fixed offers FIXED only",
	    types == DDI_INTR_TYPE_FIXED, "expected 1, saw %d", types);
	CHECK("intr: nintrs of a type not offered is DDI_EINVAL",
	    ddi_intr_get_nintrs(dip, DDI_INTR_TYPE_MSI, &n) == DDI_EINVAL,
	    "expected DDI_EINVAL");
	fk_intr_types = "msix";
	CHECK("intr: FK_INTR=msix on a function without MSI-X: none",
	    ddi_intr_get_supported_types(dip, &types) == DDI_INTR_NOTFOUND,
	    "expected DDI_INTR_NOTFOUND");
	fk_intr_types = "any";
	CHECK("intr: nintrs MSI", ddi_intr_get_nintrs(dip, DDI_INTR_TYPE_MSI,
	    &n) == DDI_SUCCESS && n == 2, "expected 2, saw %d", n);
	CHECK("intr: navail FIXED", ddi_intr_get_navail(dip,
	    DDI_INTR_TYPE_FIXED, &n) == DDI_SUCCESS && n == 1,
	    "expected 1, saw %d", n);
	CHECK("intr: hilevel priority is LOCK_LEVEL",
	    ddi_intr_get_hilevel_pri() == 10, "expected 10");
}

static void
test_msi(void)
{
	ddi_intr_handle_t h[4];
	hstate_t hs0 = { .hs_ret = DDI_INTR_CLAIMED };
	hstate_t hs1 = { .hs_ret = DDI_INTR_UNCLAIMED };
	fk_counters_t c0, c1;
	int actual = 0, cap = 0, rv;
	uint_t pri = 0;

	CHECK("intr: STRICT alloc of more than there are: DDI_EAGAIN",
	    ddi_intr_alloc(dip, h, DDI_INTR_TYPE_MSI, 0, 4, &actual,
	    DDI_INTR_ALLOC_STRICT) == DDI_EAGAIN, "expected DDI_EAGAIN");
	rv = ddi_intr_alloc(dip, h, DDI_INTR_TYPE_MSI, 0, 4, &actual,
	    DDI_INTR_ALLOC_NORMAL);
	CHECK("intr: NORMAL alloc gets what there is", rv == DDI_SUCCESS &&
	    actual == 2, "expected 2, saw %d (rv %d)", actual, rv);
	CHECK("intr: another type while MSI is allocated: DDI_EINVAL",
	    ddi_intr_alloc(dip, &h[2], DDI_INTR_TYPE_FIXED, 0, 1, &actual,
	    DDI_INTR_ALLOC_NORMAL) == DDI_EINVAL, "expected DDI_EINVAL");
	CHECK("intr: an inum allocated twice: DDI_EINVAL",
	    ddi_intr_alloc(dip, &h[2], DDI_INTR_TYPE_MSI, 1, 1, &actual,
	    DDI_INTR_ALLOC_NORMAL) == DDI_EINVAL, "expected DDI_EINVAL");
	(void) ddi_intr_get_cap(h[0], &cap);
	CHECK("intr: MSI caps: EDGE, MSI64, BLOCK (no per-vector masking)",
	    cap == (DDI_INTR_FLAG_EDGE | DDI_INTR_FLAG_MSI64 |
	    DDI_INTR_FLAG_BLOCK), "expected %#x, saw %#x",
	    DDI_INTR_FLAG_EDGE | DDI_INTR_FLAG_MSI64 | DDI_INTR_FLAG_BLOCK,
	    cap);
	CHECK("intr: default priority 5", ddi_intr_get_pri(h[0], &pri) ==
	    DDI_SUCCESS && pri == 5, "expected 5, saw %u", pri);
	CHECK("intr: set_pri 13 is DDI_EINVAL", ddi_intr_set_pri(h[1], 13) ==
	    DDI_EINVAL, "expected DDI_EINVAL");
	CHECK("intr: set_pri 6 before add_handler",
	    ddi_intr_set_pri(h[1], 6) == DDI_SUCCESS, "expected DDI_SUCCESS");
	CHECK("intr: enable before add_handler is DDI_EINVAL",
	    ddi_intr_enable(h[0]) == DDI_EINVAL, "expected DDI_EINVAL");

	(void) ddi_intr_add_handler(h[0], handler, &hs0, (void *)0x1234);
	(void) ddi_intr_add_handler(h[1], handler, &hs1, NULL);
	CHECK("intr: set_pri after add_handler is DDI_EINVAL",
	    ddi_intr_set_pri(h[0], 7) == DDI_EINVAL, "expected DDI_EINVAL");
	CHECK("intr: free with a handler is DDI_EINVAL",
	    ddi_intr_free(h[0]) == DDI_EINVAL, "expected DDI_EINVAL");
	CHECK("intr: block_enable", ddi_intr_block_enable(h, 2) ==
	    DDI_SUCCESS && fakeplat_enabled_type == DDI_INTR_TYPE_MSI &&
	    fakeplat_enabled_n == 2, "expected both vectors on");
	CHECK("intr: set_mask on MSI without masking is DDI_ENOTSUP",
	    ddi_intr_set_mask(h[0]) == DDI_ENOTSUP, "expected DDI_ENOTSUP");

	fk_counters_get(&c0);
	(void) fakeplat_fire(0);
	CHECK("intr: vector 0 fires its handler", wait_for(&hs0.hs_calls, 1),
	    "expected a call within 2 s");
	CHECK("intr: the handler runs in interrupt context at its priority",
	    hs0.hs_in_intr && hs0.hs_pri == 5 && hs0.hs_arg2 ==
	    (void *)0x1234 && strncmp(hs0.hs_thread, "intr ", 5) == 0,
	    "expected intr context, pri 5, arg2 0x1234, an intr thread; saw "
	    "%d %u %p \"%s\"", hs0.hs_in_intr, hs0.hs_pri, hs0.hs_arg2,
	    hs0.hs_thread);
	(void) fakeplat_fire(1);
	(void) wait_for(&hs1.hs_calls, 1);
	CHECK("intr: vector 1 at its own priority", hs1.hs_calls == 1 &&
	    hs1.hs_pri == 6, "expected one call at 6, saw %d at %u",
	    hs1.hs_calls, hs1.hs_pri);
	(void) usleep(10000);
	fk_counters_get(&c1);
	CHECK("intr: fc_intrs and fc_intrs_claimed",
	    c1.fc_intrs - c0.fc_intrs == 2 &&
	    c1.fc_intrs_claimed - c0.fc_intrs_claimed == 1,
	    "expected 2 and 1, saw %llu and %llu",
	    (unsigned long long)(c1.fc_intrs - c0.fc_intrs),
	    (unsigned long long)(c1.fc_intrs_claimed - c0.fc_intrs_claimed));
	CHECK("intr: remove_handler while enabled is DDI_EINVAL",
	    ddi_intr_remove_handler(h[0]) == DDI_EINVAL,
	    "expected DDI_EINVAL");

	/* ddi_intr_block_disable waits for the running handler. */
	hs0.hs_sleep_ms = 300;
	hs0.hs_running = hs0.hs_done = 0;
	(void) fakeplat_fire(0);
	(void) wait_for(&hs0.hs_running, 1);
	rv = ddi_intr_block_disable(h, 2);
	CHECK("intr: block_disable returns after the running handler",
	    rv == DDI_SUCCESS && hs0.hs_done == 1, "expected the handler "
	    "done, saw %d (rv %d)", hs0.hs_done, rv);
	CHECK("intr: the last disable turns the vectors off",
	    fakeplat_enabled_type == 0, "expected none enabled");
	CHECK("intr: disable of a disabled handle is DDI_EINVAL",
	    ddi_intr_disable(h[0]) == DDI_EINVAL, "expected DDI_EINVAL");
	rv = ddi_intr_remove_handler(h[0]) | ddi_intr_remove_handler(h[1]);
	rv |= ddi_intr_free(h[0]) | ddi_intr_free(h[1]);
	CHECK("intr: remove_handler and free", rv == DDI_SUCCESS,
	    "expected DDI_SUCCESS");
}

static void
test_fixed(void)
{
	hstate_t hs = { .hs_ret = DDI_INTR_CLAIMED };
	ddi_intr_handle_t h;
	int actual = 0, cap = 0, pending = 0;
	uint64_t u0;

	(void) ddi_intr_alloc(dip, &h, DDI_INTR_TYPE_FIXED, 0, 1, &actual,
	    DDI_INTR_ALLOC_STRICT);
	(void) ddi_intr_get_cap(h, &cap);
	CHECK("intr: FIXED caps: LEVEL, MASKABLE, PENDING", cap ==
	    (DDI_INTR_FLAG_LEVEL | DDI_INTR_FLAG_MASKABLE |
	    DDI_INTR_FLAG_PENDING), "expected %#x, saw %#x",
	    DDI_INTR_FLAG_LEVEL | DDI_INTR_FLAG_MASKABLE |
	    DDI_INTR_FLAG_PENDING, cap);
	(void) ddi_intr_add_handler(h, handler, &hs, NULL);
	CHECK("intr: enable FIXED", ddi_intr_enable(h) == DDI_SUCCESS &&
	    fakeplat_enabled_type == DDI_INTR_TYPE_FIXED, "expected INTx on");
	u0 = __atomic_load_n(&fakeplat_unmasks, __ATOMIC_SEQ_CST);
	(void) fakeplat_fire(0);
	(void) wait_for(&hs.hs_calls, 1);
	(void) usleep(10000);
	CHECK("intr: INTx is unmasked after the handler", hs.hs_calls == 1 &&
	    __atomic_load_n(&fakeplat_unmasks, __ATOMIC_SEQ_CST) == u0 + 1,
	    "expected one call and one unmask");

	CHECK("intr: set_mask", ddi_intr_set_mask(h) == DDI_SUCCESS,
	    "expected DDI_SUCCESS");
	(void) fakeplat_fire(0);
	(void) usleep(50000);
	CHECK("intr: a masked interrupt is held back", hs.hs_calls == 1,
	    "expected no call, saw %d", hs.hs_calls - 1);
	CHECK("intr: and pending", ddi_intr_get_pending(h, &pending) ==
	    DDI_SUCCESS && pending == 1, "expected pending 1, saw %d",
	    pending);
	CHECK("intr: clr_mask delivers it", ddi_intr_clr_mask(h) ==
	    DDI_SUCCESS && wait_for(&hs.hs_calls, 2), "expected a second call");

	CHECK("intr: fk_intr_hold", fk_intr_hold(dip, 1) == 0, "failed");
	(void) fakeplat_fire(0);
	(void) usleep(50000);
	(void) ddi_intr_set_mask(h);
	(void) ddi_intr_clr_mask(h);
	(void) usleep(50000);
	CHECK("intr: a held interrupt stays back, set_mask and clr_mask "
	    "notwithstanding", hs.hs_calls == 2 && fk_intr_call(dip, 0) == 0 &&
	    hs.hs_calls == 2, "expected no call, saw %d", hs.hs_calls - 2);
	CHECK("intr: fk_intr_hold(0) delivers it", fk_intr_hold(dip, 0) == 0 &&
	    wait_for(&hs.hs_calls, 3), "expected a third call");
	(void) ddi_intr_disable(h);
	(void) ddi_intr_remove_handler(h);
	(void) ddi_intr_free(h);
}

int
main(void)
{
	fk_options_t o = { .fo_platform = "none", .fo_quiet = 1 };
	ddi_intr_handle_t h;
	uint_t start;
	int actual;

	if (fk_init(&o) != 0) {
		check_fail("fk_init", "expected 0");
		return (check_exit());
	}
	fakeplat_install();
	if (fk_pci_claim("pci15ad,7c0") != 1 ||
	    (dip = fk_pci_node_create(0, NULL)) == NULL) {
		check_fail("pci: fk_pci_node_create", "expected a node");
		return (check_exit());
	}
	test_types();
	test_msi();
	test_fixed();

	/* A node removed with an interrupt left allocated. */
	(void) ddi_intr_alloc(dip, &h, DDI_INTR_TYPE_MSI, 0, 1, &actual,
	    DDI_INTR_ALLOC_NORMAL);
	start = fk_log_count();
	fk_pci_node_destroy(dip);
	CHECK("intr: a node removed with interrupts allocated is reported",
	    fk_log_find("still allocated", start) >= 0,
	    "expected an \"intr:\" warning");
	fk_fini();
	return (check_exit());
}

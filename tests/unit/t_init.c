/*
 * Starting and stopping: fk_init options and their environment
 * fallbacks, bad options, a second fk_init, the counters snapshot, the
 * kmem leak report of fk_fini, platform selection, and the "none"
 * backend's DMA memory (alignment, address limits, device addresses and
 * contiguity) and its panic on a bad free.
 */

#include <sys/types.h>
#include <sys/param.h>
#include <sys/kmem.h>
#include <sys/cmn_err.h>
#include <fk.h>
#include <fk_impl.h>
#include <platform/platform.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lib/expect.h"

static void
test_options(void)
{
	fk_options_t o;
	fk_counters_t c;

	(void) unsetenv("FK_PLATFORM");
	(void) unsetenv("FK_STRICT_DMA");
	(void) unsetenv("FK_INTR");
	CHECK("fk_platform: none before fk_init", fk_platform == NULL,
	    "expected NULL");
	(void) memset(&o, 0, sizeof (o));
	o.fo_quiet = 1;
	o.fo_intr = "msi-or-so";
	CHECK("fk_init: an unknown interrupt type is EINVAL",
	    fk_init(&o) == EINVAL && fk_platform == NULL, "expected EINVAL");
	o.fo_intr = NULL;
	o.fo_platform = "bogus";
	CHECK("fk_init: an unknown platform is EINVAL",
	    fk_init(&o) == EINVAL && fk_log_find("unknown platform \"bogus\"",
	    0) >= 0, "expected EINVAL and a warning");

	o.fo_platform = "none";
	o.fo_strict_dma = 1;
	o.fo_intr = "fixed";
	CHECK("fk_init: starts with options", fk_init(&o) == 0, "expected 0");
	CHECK("fk_init: selects the platform",
	    fk_platform == &fk_plat_none &&
	    strcmp(fk_platform->po_name, "none") == 0, "expected \"none\"");
	CHECK("fk_init: options set strict DMA and interrupt types",
	    fk_strict_dma == 1 && strcmp(fk_intr_types, "fixed") == 0,
	    "expected 1 and \"fixed\", saw %d and \"%s\"", fk_strict_dma,
	    fk_intr_types);
	CHECK("fk_init: twice is EALREADY", fk_init(&o) == EALREADY,
	    "expected EALREADY");
	CHECK("system_taskq: made by fk_init", system_taskq != NULL,
	    "expected non-NULL");

	__atomic_fetch_add(&fk_counters.fc_reg_writes, 5, __ATOMIC_RELAXED);
	__atomic_fetch_add(&fk_counters.fc_timeouts_fired, 2,
	    __ATOMIC_RELAXED);
	fk_counters_get(&c);
	CHECK("fk_counters_get: a snapshot of the counters",
	    c.fc_reg_writes == fk_counters.fc_reg_writes &&
	    c.fc_reg_writes >= 5 && c.fc_timeouts_fired >= 2 &&
	    memcmp(&c, &fk_counters, sizeof (c)) == 0,
	    "expected the same values");
	fk_fini();
	CHECK("fk_fini: stops the platform and system_taskq",
	    fk_platform == NULL && system_taskq == NULL, "expected NULL");
	fk_fini();

	(void) setenv("FK_PLATFORM", "none", 1);
	(void) setenv("FK_STRICT_DMA", "1", 1);
	(void) setenv("FK_INTR", "msi", 1);
	CHECK("fk_init: NULL options read the environment",
	    fk_init(NULL) == 0 && fk_strict_dma == 1 &&
	    strcmp(fk_intr_types, "msi") == 0 && fk_platform == &fk_plat_none,
	    "expected strict DMA and \"msi\", saw %d and \"%s\"",
	    fk_strict_dma, fk_intr_types);
	fk_fini();
	(void) memset(&o, 0, sizeof (o));
	o.fo_strict_dma = -1;
	o.fo_quiet = 1;
	CHECK("fk_init: an option overrides the environment",
	    fk_init(&o) == 0 && fk_strict_dma == 0, "expected strict DMA off");
	fk_fini();
	(void) unsetenv("FK_PLATFORM");
	(void) unsetenv("FK_STRICT_DMA");
	(void) unsetenv("FK_INTR");
	(void) memset(&o, 0, sizeof (o));
	o.fo_quiet = 1;
	CHECK("fk_init: defaults are none, strict DMA off, any interrupt",
	    fk_init(&o) == 0 && fk_platform == &fk_plat_none &&
	    fk_strict_dma == 0 && strcmp(fk_intr_types, "any") == 0,
	    "expected the defaults");
}

static void
test_leaks(void)
{
	fk_options_t o = { .fo_platform = "none", .fo_quiet = 1 };
	void *p = kmem_alloc(100, KM_SLEEP);
	uint_t n0 = fk_log_count();
	int at;

	fk_fini();
	at = fk_log_find("kmem leak: ", n0);
	CHECK("fk_fini: reports outstanding kmem as a warning",
	    at >= 0 && fk_log_get(at)->lm_level == CE_WARN &&
	    strstr(fk_log_get(at)->lm_text, "100 bytes in 1 allocations") !=
	    NULL, "expected \"100 bytes in 1 allocations\", saw \"%s\"",
	    at >= 0 ? fk_log_get(at)->lm_text : "no line");
	kmem_free(p, 100);
	(void) fk_init(&o);
	n0 = fk_log_count();
	fk_fini();
	CHECK("fk_fini: says so when nothing leaked",
	    fk_log_find("no kmem outstanding", n0) >= 0 &&
	    fk_log_find("kmem leak", n0) == -1, "expected the quiet line");
}

static void
test_none(void)
{
	const fk_plat_ops_t *p = &fk_plat_none;
	char *va, *low, onpage[64];
	uint64_t addr = 0;
	size_t contig = 0;
	int rv;

	CHECK("none: no PCI functions", p->po_pdev_count() == 0 &&
	    p->po_pdev_open(0) == NULL, "expected 0 and NULL");
	va = p->po_dma_alloc(8192, 4096, 0, UINT64_MAX);
	CHECK("none: DMA memory with the alignment asked",
	    va != NULL && ((uintptr_t)va & 4095) == 0,
	    "expected 4 KiB alignment, saw %p", (void *)va);
	if (va == NULL)
		return;
	rv = p->po_dma_addr(va + 100, &addr, &contig);
	CHECK("none: the device address is the virtual address",
	    rv == 0 && addr == (uint64_t)(uintptr_t)(va + 100),
	    "expected %p, saw %#llx", (void *)(va + 100),
	    (unsigned long long)addr);
	CHECK("none: an allocation is contiguous to its end",
	    contig == 8192 - 100, "expected %d, saw %zu", 8192 - 100, contig);
	CHECK("none: po_dma_va is the identity",
	    p->po_dma_va(addr, 16) == va + 100, "expected %p",
	    (void *)(va + 100));
	rv = p->po_dma_addr(onpage, &addr, &contig);
	CHECK("none: other memory is contiguous to the end of its page",
	    rv == 0 && contig == PAGESIZE - ((uintptr_t)onpage & PAGEOFFSET),
	    "expected %lu, saw %zu",
	    PAGESIZE - ((uintptr_t)onpage & PAGEOFFSET), contig);
	p->po_dma_free(va, 8192);

	low = p->po_dma_alloc(4096, 64, 0x1000, 0xFFFFFFFFULL);
	CHECK("none: memory below 4 GiB when the limit asks for it",
	    low != NULL && (uintptr_t)low >= 0x1000 &&
	    (uintptr_t)low + 4095 <= 0xFFFFFFFFULL,
	    "expected an address under 4 GiB, saw %p", (void *)low);
	if (low != NULL) {
		low[0] = 1;
		low[4095] = 2;
		p->po_dma_free(low, 4096);
	}
	CHECK("none: an impossible range gives NULL",
	    p->po_dma_alloc(4096, 4096, 0, 0xFFF) == NULL, "expected NULL");
	CHECK("none: a non-power-of-two alignment gives NULL",
	    p->po_dma_alloc(4096, 3000, 0, UINT64_MAX) == NULL,
	    "expected NULL");
}

static void
die_bad_dma_free(void *arg)
{
	(void) arg;
	fk_plat_none.po_dma_free(&arg, 8);
}

int
main(void)
{
	test_options();
	test_leaks();
	test_none();
	expect_death("none: freeing memory it did not allocate panics",
	    die_bad_dma_free, NULL, "of memory po_dma_alloc did not return");
	return (check_exit());
}

/*
 * The page sizes as a module sees them (<sys/param.h>: variables in
 * illumos) and btop(9F), btopr(9F), ptob(9F).  (hz: t_time.)
 */

#include <sys/types.h>
#include <sys/param.h>
#include <sys/ddi.h>
#include <sys/sunddi.h>

#include "check.h"

static void
test_page_sizes(void)
{
	CHECK("PAGESIZE: a power of two, 1 << PAGESHIFT",
	    PAGESIZE != 0 && (PAGESIZE & (PAGESIZE - 1)) == 0 &&
	    PAGESIZE == 1UL << PAGESHIFT,
	    "expected PAGESIZE == 1 << %u, saw %lu", PAGESHIFT, PAGESIZE);
	CHECK("PAGEOFFSET and PAGEMASK: the offset and page bits",
	    PAGEOFFSET == PAGESIZE - 1 && (PAGEMASK & PAGEOFFSET) == 0 &&
	    (PAGEMASK | PAGEOFFSET) == ~0ULL,
	    "expected %lx and ~%lx, saw %lx and %llx", PAGESIZE - 1,
	    PAGESIZE - 1, PAGEOFFSET, PAGEMASK);
	CHECK("MMU_PAGESIZE: the MMU's page is the kernel's",
	    MMU_PAGESIZE == PAGESIZE && MMU_PAGESHIFT == PAGESHIFT &&
	    MMU_PAGEOFFSET == PAGEOFFSET && MMU_PAGEMASK == ~PAGEOFFSET,
	    "expected %lu, saw %lu", PAGESIZE, MMU_PAGESIZE);
	CHECK("mmu_btop, mmu_btopr, mmu_ptob: as btop, btopr, ptob",
	    mmu_btop(3 * PAGESIZE + 1) == 3 &&
	    mmu_btopr(3 * PAGESIZE + 1) == 4 &&
	    mmu_ptob(5UL) == 5 * PAGESIZE, "expected 3, 4 and 5 pages");
}

static void
test_btop(void)
{
	CHECK("btop: rounds down", btop(0) == 0 && btop(PAGESIZE - 1) == 0 &&
	    btop(PAGESIZE) == 1 && btop(2 * PAGESIZE + 7) == 2,
	    "expected 0 0 1 2, saw %lu %lu %lu %lu", btop(0),
	    btop(PAGESIZE - 1), btop(PAGESIZE), btop(2 * PAGESIZE + 7));
	CHECK("btopr: rounds up", btopr(0) == 0 && btopr(1) == 1 &&
	    btopr(PAGESIZE) == 1 && btopr(PAGESIZE + 1) == 2,
	    "expected 0 1 1 2, saw %lu %lu %lu %lu", btopr(0), btopr(1),
	    btopr(PAGESIZE), btopr(PAGESIZE + 1));
	CHECK("ptob: pages to bytes", ptob(0) == 0 && ptob(1) == PAGESIZE &&
	    ptob(1UL << 20) == (1UL << 20) * PAGESIZE,
	    "expected 0, %lu, %lu, saw %lu %lu %lu", PAGESIZE,
	    (1UL << 20) * PAGESIZE, ptob(0), ptob(1), ptob(1UL << 20));
	CHECK("ptob and btop: inverse on whole pages",
	    btop(ptob(12345)) == 12345 && btopr(ptob(12345)) == 12345,
	    "expected 12345");
}

int
main(void)
{
	test_page_sizes();
	test_btop();
	return (check_exit());
}

/*
 * The kernel's parameters a module reads from <sys/param.h> (hz and the
 * page sizes: variables, as a module of an illumos kernel sees them), the
 * tick lengths of <sys/time.h>'s conversions, and
 * btop(9F), btopr(9F), ptob(9F).  Pages are 4 KiB, as the lab's guests
 * and the DMA platform (platform/) have them.
 */

#include <sys/types.h>
#include <sys/param.h>
#include <sys/ddi.h>
#include <sys/time.h>
#include <fk_impl.h>

#define	FK_PAGESHIFT	12

int hz = FK_HZ;
int tick_per_msec = FK_HZ / MILLISEC;
int msec_per_tick = MILLISEC / FK_HZ;
int usec_per_tick = MICROSEC / FK_HZ;
int nsec_per_tick = NANOSEC / FK_HZ;
const unsigned int _pageshift = FK_PAGESHIFT;
const unsigned long _pagesize = 1UL << FK_PAGESHIFT;
const unsigned long _pageoffset = (1UL << FK_PAGESHIFT) - 1;
const unsigned long long _pagemask = ~((1ULL << FK_PAGESHIFT) - 1);
const unsigned int _mmu_pageshift = FK_PAGESHIFT;
const unsigned long _mmu_pagesize = 1UL << FK_PAGESHIFT;
const unsigned long _mmu_pageoffset = (1UL << FK_PAGESHIFT) - 1;
const unsigned long _mmu_pagemask = ~((1UL << FK_PAGESHIFT) - 1);

/* Bytes to pages, rounded down. */
unsigned long
btop(unsigned long bytes)
{
	return (bytes >> PAGESHIFT);
}

/* Bytes to pages, rounded up. */
unsigned long
btopr(unsigned long bytes)
{
	return ((bytes + PAGEOFFSET) >> PAGESHIFT);
}

/* Pages to bytes. */
unsigned long
ptob(unsigned long pages)
{
	return (pages << PAGESHIFT);
}

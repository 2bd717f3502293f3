/*
 * illumos <sys/param.h>: glibc's plus the clock rate and the page-size
 * family, which a module sees as variables (ddi/param.c defines them).
 */
#ifndef _FK_SYS_PARAM_H
#define	_FK_SYS_PARAM_H

#include_next <sys/param.h>
#include <sys/types.h>

extern int hz;
extern const unsigned long _pagesize;
extern const unsigned int _pageshift;
extern const unsigned long _pageoffset;
extern const unsigned long long _pagemask;
extern const unsigned long _mmu_pagesize;
extern const unsigned int _mmu_pageshift;
extern const unsigned long _mmu_pageoffset;
extern const unsigned long _mmu_pagemask;

#define	MAXNAMELEN	256	/* a node or file name, NUL included */

#define	PAGESIZE	_pagesize
#define	PAGESHIFT	_pageshift
#define	PAGEOFFSET	_pageoffset
#define	PAGEMASK	_pagemask
#define	MMU_PAGESIZE	_mmu_pagesize
#define	MMU_PAGESHIFT	_mmu_pageshift
#define	MMU_PAGEOFFSET	_mmu_pageoffset
#define	MMU_PAGEMASK	_mmu_pagemask

#define	mmu_ptob(x)	((x) << MMU_PAGESHIFT)
#define	mmu_btop(x)	((x) >> MMU_PAGESHIFT)
#define	mmu_btopr(x)	(((x) + MMU_PAGEOFFSET) >> MMU_PAGESHIFT)

#endif /* _FK_SYS_PARAM_H */

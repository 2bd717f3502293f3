/*
 * illumos <sys/param.h>: glibc's plus the page-size family.
 */
#ifndef _FK_SYS_PARAM_H
#define	_FK_SYS_PARAM_H

#include_next <sys/param.h>
#include <sys/types.h>

#define	MAXNAMELEN	256	/* a node or file name, NUL included */

#define	PAGESHIFT	12
#define	PAGESIZE	(1UL << PAGESHIFT)
#define	PAGEOFFSET	(PAGESIZE - 1)
#define	PAGEMASK	(~PAGEOFFSET)
#define	MMU_PAGESHIFT	PAGESHIFT
#define	MMU_PAGESIZE	PAGESIZE
#define	MMU_PAGEOFFSET	PAGEOFFSET
#define	MMU_PAGEMASK	PAGEMASK

#define	btop(x)		(((x) >> PAGESHIFT))
#define	btopr(x)	((((x) + PAGEOFFSET) >> PAGESHIFT))
#define	ptob(x)		((x) << PAGESHIFT)
#define	mmu_btop(x)	btop(x)
#define	mmu_btopr(x)	btopr(x)
#define	mmu_ptob(x)	ptob(x)

#endif /* _FK_SYS_PARAM_H */

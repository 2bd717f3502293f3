/*
 * buf(9S) helpers target drivers and the SCSA framework use:
 * getrbuf(9F), freerbuf(9F), bioinit(9F), biofini(9F), bioerror(9F),
 * geterror(9F), bp_mapin(9F), bp_mapout(9F).  Buffers here always have
 * a kernel virtual address (b_un.b_addr), so mapping is a no-op; a
 * B_PAGEIO buffer, which would need one, is refused loudly.
 */

#include <sys/types.h>
#include <sys/buf.h>
#include <sys/kmem.h>
#include <sys/cmn_err.h>
#include <sys/debug.h>
#include <sys/systm.h>

#include <errno.h>

void
bioinit(struct buf *bp)
{
	bzero(bp, sizeof (*bp));
}

void
biofini(struct buf *bp)
{
	(void) bp;
}

struct buf *
getrbuf(int kmflag)
{
	struct buf *bp;

	if ((bp = kmem_alloc(sizeof (*bp), kmflag)) == NULL)
		return (NULL);
	bioinit(bp);
	return (bp);
}

void
freerbuf(struct buf *bp)
{
	biofini(bp);
	kmem_free(bp, sizeof (*bp));
}

void
bioerror(struct buf *bp, int error)
{
	ASSERT(bp != NULL);
	ASSERT(error >= 0);
	if (error != 0)
		bp->b_flags |= B_ERROR;
	else
		bp->b_flags &= ~B_ERROR;
	bp->b_error = error;
}

int
geterror(struct buf *bp)
{
	if (bp->b_flags & B_ERROR)
		return (bp->b_error != 0 ? bp->b_error : EIO);
	return (0);
}

void
bp_mapin(struct buf *bp)
{
	if (bp->b_flags & B_PAGEIO)
		panic("bp_mapin(%p): B_PAGEIO buffers are not supported by "
		    "the fakekernel", (void *)bp);
}

void
bp_mapout(struct buf *bp)
{
	(void) bp;
}

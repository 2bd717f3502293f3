/*
 * illumos buf(9S): the block I/O request, as target drivers hand it to
 * scsi_init_pkt(9F) and ddi_dma_buf_bind_handle(9F).
 */
#ifndef _FK_SYS_BUF_H
#define	_FK_SYS_BUF_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct buf {
	int		b_flags;
	struct buf	*b_forw;
	struct buf	*b_back;
	struct buf	*av_forw;
	struct buf	*av_back;
	size_t		b_bcount;
	union {
		caddr_t		b_addr;
		struct fs	*b_fs;
		struct cg	*b_cg;
		struct dinode	*b_dino;
		daddr32_t	*b_daddr;
	} b_un;
	size_t		b_resid;
	size_t		b_bufsize;
	int		(*b_iodone)(struct buf *);
	int		b_error;
	void		*b_private;
} buf_t;

#define	B_BUSY		0x0001
#define	B_DONE		0x0002
#define	B_ERROR		0x0004
#define	B_PAGEIO	0x0010
#define	B_PHYS		0x0020
#define	B_READ		0x0040
#define	B_WRITE		0x0100
#define	B_REMAPPED	0x4000
#define	B_SHADOW	0x200000

extern void bioinit(struct buf *);
extern void biofini(struct buf *);
extern struct buf *getrbuf(int);
extern void freerbuf(struct buf *);
extern void bp_mapin(struct buf *);
extern void bp_mapout(struct buf *);
extern int geterror(struct buf *);
extern void bioerror(struct buf *, int);

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_BUF_H */

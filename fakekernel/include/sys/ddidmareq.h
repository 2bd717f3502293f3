/*
 * illumos <sys/ddidmareq.h>: DMA attributes, flags and return values
 * (ddi_dma_attr(9S), ddi_dma_addr_bind_handle(9F), ddi_dma_sync(9F)).
 */
#ifndef _FK_SYS_DDIDMAREQ_H
#define	_FK_SYS_DDIDMAREQ_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ddi_dma_attr {
	uint_t		dma_attr_version;
	uint64_t	dma_attr_addr_lo;
	uint64_t	dma_attr_addr_hi;
	uint64_t	dma_attr_count_max;
	uint64_t	dma_attr_align;
	uint_t		dma_attr_burstsizes;
	uint32_t	dma_attr_minxfer;
	uint64_t	dma_attr_maxxfer;
	uint64_t	dma_attr_seg;
	int		dma_attr_sgllen;
	uint32_t	dma_attr_granular;
	uint_t		dma_attr_flags;
} ddi_dma_attr_t;

#define	DMA_ATTR_V0		0
#define	DMA_ATTR_VERSION	DMA_ATTR_V0

/* dma_attr_flags */
#define	DDI_DMA_FORCE_PHYSICAL	0x0100
#define	DDI_DMA_FLAGERR		0x0200
#define	DDI_DMA_RELAXED_ORDERING 0x0400

/* bind and memory-allocation flags */
#define	DDI_DMA_WRITE		0x0001
#define	DDI_DMA_READ		0x0002
#define	DDI_DMA_RDWR		(DDI_DMA_READ | DDI_DMA_WRITE)
#define	DDI_DMA_REDZONE		0x0004
#define	DDI_DMA_PARTIAL		0x0008
#define	DDI_DMA_CONSISTENT	0x0010
#define	DDI_DMA_EXCLUSIVE	0x0020
#define	DDI_DMA_STREAMING	0x0040

/* results */
#define	DDI_DMA_MAPPED		0
#define	DDI_DMA_MAPOK		0
#define	DDI_DMA_PARTIAL_MAP	1
#define	DDI_DMA_DONE		2
#define	DDI_DMA_NORESOURCES	-1
#define	DDI_DMA_NOMAPPING	-2
#define	DDI_DMA_TOOBIG		-3
#define	DDI_DMA_TOOSMALL	-4
#define	DDI_DMA_LOCKED		-5
#define	DDI_DMA_BADLIMITS	-6
#define	DDI_DMA_STALE		-7
#define	DDI_DMA_BADATTR		-8
#define	DDI_DMA_INUSE		-9

/* ddi_dma_sync(9F) */
#define	DDI_DMA_SYNC_FORDEV	0x0
#define	DDI_DMA_SYNC_FORCPU	0x1
#define	DDI_DMA_SYNC_FORKERNEL	0x2

/* wait callbacks */
#define	DDI_DMA_SLEEP		((int (*)(caddr_t))1)
#define	DDI_DMA_DONTWAIT	((int (*)(caddr_t))0)

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_DDIDMAREQ_H */

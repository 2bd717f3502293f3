/*
 * illumos <sys/ddi_intr.h>: ddi_intr_alloc(9F) and friends.
 */
#ifndef _FK_SYS_DDI_INTR_H
#define	_FK_SYS_DDI_INTR_H

#include <sys/types.h>
#include <sys/dditypes.h>

#ifdef __cplusplus
extern "C" {
#endif

#define	DDI_INTR_TYPE_FIXED	0x1
#define	DDI_INTR_TYPE_MSI	0x2
#define	DDI_INTR_TYPE_MSIX	0x4

#define	DDI_INTR_ALLOC_NORMAL	0
#define	DDI_INTR_ALLOC_STRICT	1

#define	DDI_INTR_FLAG_LEVEL	0x0001
#define	DDI_INTR_FLAG_EDGE	0x0002
#define	DDI_INTR_FLAG_MASKABLE	0x0010
#define	DDI_INTR_FLAG_PENDING	0x0020
#define	DDI_INTR_FLAG_BLOCK	0x0100
#define	DDI_INTR_FLAG_MSI64	0x0200

#define	DDI_INTR_NOTFOUND	1	/* no interrupt of that kind */

#define	DDI_INTR_CLAIMED	1
#define	DDI_INTR_UNCLAIMED	0

#define	DDI_INTR_PRI_MIN	1
#define	DDI_INTR_PRI_MAX	12
#define	DDI_INTR_SOFTPRI_MIN	1
#define	DDI_INTR_SOFTPRI_MAX	9

#define	DDI_INTR_PRI(pri)	((void *)(uintptr_t)(pri))

typedef uint_t (ddi_intr_handler_t)(caddr_t, caddr_t);

extern int ddi_intr_get_supported_types(dev_info_t *, int *);
extern int ddi_intr_get_nintrs(dev_info_t *, int, int *);
extern int ddi_intr_get_navail(dev_info_t *, int, int *);
extern int ddi_intr_alloc(dev_info_t *, ddi_intr_handle_t *, int, int, int,
    int *, int);
extern int ddi_intr_free(ddi_intr_handle_t);
extern int ddi_intr_get_cap(ddi_intr_handle_t, int *);
extern int ddi_intr_set_cap(ddi_intr_handle_t, int);
extern int ddi_intr_get_pri(ddi_intr_handle_t, uint_t *);
extern int ddi_intr_set_pri(ddi_intr_handle_t, uint_t);
extern uint_t ddi_intr_get_hilevel_pri(void);
extern int ddi_intr_add_handler(ddi_intr_handle_t, ddi_intr_handler_t *,
    void *, void *);
extern int ddi_intr_remove_handler(ddi_intr_handle_t);
extern int ddi_intr_enable(ddi_intr_handle_t);
extern int ddi_intr_disable(ddi_intr_handle_t);
extern int ddi_intr_block_enable(ddi_intr_handle_t *, int);
extern int ddi_intr_block_disable(ddi_intr_handle_t *, int);
extern int ddi_intr_set_mask(ddi_intr_handle_t);
extern int ddi_intr_clr_mask(ddi_intr_handle_t);
extern int ddi_intr_get_pending(ddi_intr_handle_t, int *);

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_DDI_INTR_H */

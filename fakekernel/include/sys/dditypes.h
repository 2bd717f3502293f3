/*
 * illumos <sys/dditypes.h>: the DDI's handle and attribute types.
 */
#ifndef _FK_SYS_DDITYPES_H
#define	_FK_SYS_DDITYPES_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct __dev_info *dev_info_t;
typedef struct __ddi_acc_handle *ddi_acc_handle_t;
typedef struct __ddi_dma_handle *ddi_dma_handle_t;
typedef struct __ddi_intr_handle *ddi_intr_handle_t;
typedef struct __ddi_softint_handle *ddi_softint_handle_t;
typedef struct __ddi_periodic *ddi_periodic_t;
typedef struct __ddi_iblock_cookie *ddi_iblock_cookie_t;
typedef struct ddi_taskq ddi_taskq_t;
typedef struct ddi_event_cookie *ddi_eventcookie_t;
typedef struct ddi_event_callbacks *ddi_callback_id_t;

/*
 * A DMA cookie: one physically contiguous run of a binding.
 */
typedef struct {
	union {
		uint64_t	_dmac_ll;
		uint32_t	_dmac_la[2];
	} _dmu;
	size_t		dmac_size;
	uint_t		dmac_type;
} ddi_dma_cookie_t;

#define	dmac_laddress	_dmu._dmac_ll
#ifdef _LITTLE_ENDIAN
#define	dmac_address	_dmu._dmac_la[0]
#else
#define	dmac_address	_dmu._dmac_la[1]
#endif
#define	dmac_notused	_dmu._dmac_la[1]

/*
 * Device access attributes.
 */
typedef struct ddi_device_acc_attr {
	ushort_t	devacc_attr_version;
	uchar_t		devacc_attr_endian_flags;
	uchar_t		devacc_attr_dataorder;
	uchar_t		devacc_attr_access;
} ddi_device_acc_attr_t;

#define	DDI_DEVICE_ATTR_V0	0x0001
#define	DDI_DEVICE_ATTR_V1	0x0002

#define	DDI_NEVERSWAP_ACC	0x00
#define	DDI_STRUCTURE_LE_ACC	0x01
#define	DDI_STRUCTURE_BE_ACC	0x02

#define	DDI_STRICTORDER_ACC	0x00
#define	DDI_UNORDERED_OK_ACC	0x01
#define	DDI_MERGING_OK_ACC	0x02
#define	DDI_LOADCACHING_OK_ACC	0x03
#define	DDI_STORECACHING_OK_ACC	0x04

#define	DDI_DEFAULT_ACC		0x01
#define	DDI_FLAGERR_ACC		0x02
#define	DDI_CAUTIOUS_ACC	0x03

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_DDITYPES_H */

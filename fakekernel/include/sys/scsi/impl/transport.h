/*
 * illumos <sys/scsi/impl/transport.h>: scsi_hba_tran(9S) and the HBA
 * framework interfaces (scsi_hba_*(9F), iport(9), target maps).
 */
#ifndef _FK_SYS_SCSI_IMPL_TRANSPORT_H
#define	_FK_SYS_SCSI_IMPL_TRANSPORT_H

#include <sys/types.h>
#include <sys/dditypes.h>
#include <sys/ddidmareq.h>
#include <sys/modctl.h>
#include <sys/kmem.h>
#include <sys/sunndi.h>
#include <sys/scsi/scsi_address.h>
#include <sys/scsi/scsi_pkt.h>

#ifdef __cplusplus
extern "C" {
#endif

struct scsi_device;
struct scsi_inquiry;
typedef struct scsi_hba_tran scsi_hba_tran_t;
typedef struct __scsi_tgtmap scsi_hba_tgtmap_t;
typedef struct __scsi_iportmap scsi_hba_iportmap_t;

struct scsi_hba_tran {
	dev_info_t	*tran_hba_dip;
	void		*tran_hba_private;
	void		*tran_tgt_private;
	struct scsi_device *tran_sd;

	int		(*tran_tgt_init)(dev_info_t *, dev_info_t *,
			    scsi_hba_tran_t *, struct scsi_device *);
	int		(*tran_tgt_probe)(struct scsi_device *, int (*)(void));
	void		(*tran_tgt_free)(dev_info_t *, dev_info_t *,
			    scsi_hba_tran_t *, struct scsi_device *);

	int		(*tran_start)(struct scsi_address *,
			    struct scsi_pkt *);
	int		(*tran_reset)(struct scsi_address *, int);
	int		(*tran_abort)(struct scsi_address *,
			    struct scsi_pkt *);
	int		(*tran_getcap)(struct scsi_address *, char *, int);
	int		(*tran_setcap)(struct scsi_address *, char *, int,
			    int);
	struct scsi_pkt	*(*tran_init_pkt)(struct scsi_address *,
			    struct scsi_pkt *, struct buf *, int, int, int,
			    int, int (*)(caddr_t), caddr_t);
	void		(*tran_destroy_pkt)(struct scsi_address *,
			    struct scsi_pkt *);
	void		(*tran_dmafree)(struct scsi_address *,
			    struct scsi_pkt *);
	void		(*tran_sync_pkt)(struct scsi_address *,
			    struct scsi_pkt *);
	int		(*tran_reset_notify)(struct scsi_address *, int,
			    void (*)(caddr_t), caddr_t);
	int		(*tran_get_bus_addr)(struct scsi_device *, char *,
			    int);
	int		(*tran_get_name)(struct scsi_device *, char *, int);
	int		(*tran_clear_aca)(struct scsi_address *);
	int		(*tran_clear_task_set)(struct scsi_address *);
	int		(*tran_terminate_task)(struct scsi_address *,
			    struct scsi_pkt *);
	int		(*tran_get_eventcookie)(dev_info_t *, dev_info_t *,
			    char *, ddi_eventcookie_t *);
	int		(*tran_add_eventcall)(dev_info_t *, dev_info_t *,
			    ddi_eventcookie_t, void (*)(dev_info_t *,
			    ddi_eventcookie_t, void *, void *), void *,
			    ddi_callback_id_t *);
	int		(*tran_remove_eventcall)(dev_info_t *,
			    ddi_callback_id_t);
	int		(*tran_post_event)(dev_info_t *, dev_info_t *,
			    ddi_eventcookie_t, void *);
	int		(*tran_quiesce)(dev_info_t *);
	int		(*tran_unquiesce)(dev_info_t *);
	int		(*tran_bus_reset)(dev_info_t *, int);
	int		tran_hba_flags;		/* set by the framework */
	int		(*tran_bus_config)(dev_info_t *, uint_t,
			    ddi_bus_config_op_t, void *, dev_info_t **);
	int		(*tran_bus_unconfig)(dev_info_t *, uint_t,
			    ddi_bus_config_op_t, void *);
	int		tran_interconnect_type;

	int		(*tran_pkt_constructor)(struct scsi_pkt *,
			    scsi_hba_tran_t *, int);
	void		(*tran_pkt_destructor)(struct scsi_pkt *,
			    scsi_hba_tran_t *);
	kmem_cache_t	*tran_pkt_cache_ptr;	/* set by the framework */
	uint_t		tran_hba_len;
	int		(*tran_setup_pkt)(struct scsi_pkt *,
			    int (*)(caddr_t), caddr_t);
	void		(*tran_teardown_pkt)(struct scsi_pkt *);

	/* Set by the framework. */
	ddi_dma_attr_t	tran_dma_attr;
	dev_info_t	*tran_iport_dip;
	scsi_hba_tgtmap_t *tran_tgtmap;
};

/* scsi_hba_tran_alloc(9F) */
#define	SCSI_HBA_CANSLEEP	0x01

/* scsi_hba_attach_setup(9F) */
#define	SCSI_HBA_TRAN_CLONE	0x01
#define	SCSI_HBA_TRAN_CDB	0x04
#define	SCSI_HBA_TRAN_SCB	0x08
#define	SCSI_HBA_HBA		0x10
#define	SCSI_HBA_ADDR_SPI	0x20
#define	SCSI_HBA_ADDR_COMPLEX	0x40

/* tran_start(9E) */
#define	TRAN_ACCEPT		1
#define	TRAN_BUSY		0
#define	TRAN_BADPKT		-1
#define	TRAN_FATAL_ERROR	-2

/* tran_interconnect_type */
#define	INTERCONNECT_PARALLEL	1
#define	INTERCONNECT_FIBRE	2
#define	INTERCONNECT_1394	3
#define	INTERCONNECT_SSA	4
#define	INTERCONNECT_FABRIC	5
#define	INTERCONNECT_USB	6
#define	INTERCONNECT_ATAPI	7
#define	INTERCONNECT_ISCSI	8
#define	INTERCONNECT_IBSRP	9
#define	INTERCONNECT_SATA	10
#define	INTERCONNECT_SAS	11
#define	INTERCONNECT_MAX	12

/* target maps */
typedef enum { SCSI_TM_FULLSET = 0, SCSI_TM_PERADDR } scsi_tgtmap_mode_t;
typedef enum {
	SCSI_TGT_SCSI_DEVICE = 0,
	SCSI_TGT_SMP_DEVICE,
	SCSI_TGT_NTYPES
} scsi_tgtmap_tgt_type_t;
typedef enum {
	SCSI_TGT_DEACT_RSN_GONE = 0,
	SCSI_TGT_DEACT_RSN_CFG_FAIL,
	SCSI_TGT_DEACT_RSN_UNSTBL
} scsi_tgtmap_deact_rsn_t;

typedef void (*scsi_tgt_activate_cb_t)(void *, char *,
    scsi_tgtmap_tgt_type_t, void **);
typedef boolean_t (*scsi_tgt_deactivate_cb_t)(void *, char *,
    scsi_tgtmap_tgt_type_t, void *, scsi_tgtmap_deact_rsn_t);

extern int scsi_hba_init(struct modlinkage *);
extern void scsi_hba_fini(struct modlinkage *);
extern scsi_hba_tran_t *scsi_hba_tran_alloc(dev_info_t *, int);
extern void scsi_hba_tran_free(scsi_hba_tran_t *);
extern int scsi_hba_attach_setup(dev_info_t *, ddi_dma_attr_t *,
    scsi_hba_tran_t *, int);
extern int scsi_hba_detach(dev_info_t *);
extern void scsi_hba_pkt_comp(struct scsi_pkt *);
extern int scsi_hba_lookup_capstr(char *);
extern int scsi_hba_probe(struct scsi_device *, int (*)(void));

/* The HBA allocating its own packets (tran_init_pkt). */
extern struct scsi_pkt *scsi_hba_pkt_alloc(dev_info_t *,
    struct scsi_address *, int, int, int, int, int (*)(caddr_t), caddr_t);
extern void scsi_hba_pkt_free(struct scsi_address *, struct scsi_pkt *);
extern size_t scsi_pkt_size();
extern void scsi_size_clean(dev_info_t *);

/* Children the HBA makes itself (tran_bus_config). */
extern void scsi_hba_nodename_compatible_get(struct scsi_inquiry *, char *,
    int, char *, char **, char ***, int *);
extern void scsi_hba_nodename_compatible_free(char *, char **);

/* The HBA node's devctl entry points (cb_ops(9S)). */
extern int scsi_hba_open(dev_t *, int, int, cred_t *);
extern int scsi_hba_close(dev_t, int, int, cred_t *);
extern int scsi_hba_ioctl(dev_t, int, intptr_t, int, cred_t *, int *);

extern int scsi_hba_iport_register(dev_info_t *, char *);
extern char *scsi_hba_iport_unit_address(dev_info_t *);

extern int scsi_hba_tgtmap_create(dev_info_t *, scsi_tgtmap_mode_t, int,
    int, void *, scsi_tgt_activate_cb_t, scsi_tgt_deactivate_cb_t,
    scsi_hba_tgtmap_t **);
extern void scsi_hba_tgtmap_destroy(scsi_hba_tgtmap_t *);
extern int scsi_hba_tgtmap_set_begin(scsi_hba_tgtmap_t *);
extern int scsi_hba_tgtmap_set_add(scsi_hba_tgtmap_t *,
    scsi_tgtmap_tgt_type_t, char *, void *);
extern int scsi_hba_tgtmap_set_end(scsi_hba_tgtmap_t *, uint_t);
extern int scsi_hba_tgtmap_set_flush(scsi_hba_tgtmap_t *);
extern int scsi_hba_tgtmap_tgt_add(scsi_hba_tgtmap_t *,
    scsi_tgtmap_tgt_type_t, char *, void *);
extern int scsi_hba_tgtmap_tgt_remove(scsi_hba_tgtmap_t *,
    scsi_tgtmap_tgt_type_t, char *);
extern void scsi_hba_tgtmap_scan_luns(scsi_hba_tgtmap_t *, char *);

extern struct scsi_device *scsi_address_device(struct scsi_address *);
extern void *scsi_device_hba_private_get(struct scsi_device *);
extern void scsi_device_hba_private_set(struct scsi_device *, void *);
extern char *scsi_device_unit_address(struct scsi_device *);

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_SCSI_IMPL_TRANSPORT_H */

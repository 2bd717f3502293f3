/*
 * illumos <sys/sunddi.h>: the Solaris DDI.  Signatures and values follow
 * the illumos man pages (section 9F) and headers.
 */
#ifndef _FK_SYS_SUNDDI_H
#define	_FK_SYS_SUNDDI_H

#include <sys/types.h>
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/debug.h>
#include <sys/note.h>
#include <sys/isa_defs.h>
#include <sys/dditypes.h>
#include <sys/ddidmareq.h>
#include <sys/ddipropdefs.h>
#include <sys/ddi_intr.h>
#include <sys/devops.h>
#include <sys/conf.h>
#include <sys/modctl.h>
#include <sys/cmn_err.h>
#include <sys/kmem.h>
#include <sys/ksynch.h>
#include <sys/taskq.h>

#ifdef __cplusplus
extern "C" {
#endif

#define	DDI_SUCCESS		0
#define	DDI_FAILURE		-1
#define	DDI_NOT_WELL_FORMED	-2
#define	DDI_EAGAIN		-3
#define	DDI_EINVAL		-4
#define	DDI_ENOTSUP		-5
#define	DDI_EPENDING		-6
#define	DDI_EALREADY		-7

#define	DDI_SLEEP		0
#define	DDI_NOSLEEP		1

#define	DDI_DEV_NO_AUTOINCR	0x0000
#define	DDI_DEV_AUTOINCR	0x0001

#define	DDI_IPL_0	(0)
#define	DDI_IPL_1	(1)
#define	DDI_IPL_2	(2)
#define	DDI_IPL_3	(3)
#define	DDI_IPL_4	(4)
#define	DDI_IPL_5	(5)
#define	DDI_IPL_6	(6)
#define	DDI_IPL_7	(7)
#define	DDI_IPL_8	(8)
#define	DDI_IPL_9	(9)
#define	DDI_IPL_10	(10)

/* device tree */
extern dev_info_t *ddi_get_parent(dev_info_t *);
extern dev_info_t *ddi_get_child(dev_info_t *);
extern dev_info_t *ddi_get_next_sibling(dev_info_t *);
extern int ddi_get_instance(dev_info_t *);
extern void *ddi_get_driver_private(dev_info_t *);
extern void ddi_set_driver_private(dev_info_t *, void *);
extern const char *ddi_driver_name(dev_info_t *);
extern char *ddi_node_name(dev_info_t *);
extern char *ddi_get_name(dev_info_t *);
extern char *ddi_binding_name(dev_info_t *);
extern char *ddi_get_name_addr(dev_info_t *);
extern void ddi_set_name_addr(dev_info_t *, char *);
extern char *ddi_pathname(dev_info_t *, char *);
extern char *ddi_deviname(dev_info_t *, char *);
extern void ddi_report_dev(dev_info_t *);
extern int ddi_dev_is_sid(dev_info_t *);

/* soft state */
extern int ddi_soft_state_init(void **, size_t, size_t);
extern void ddi_soft_state_fini(void **);
extern int ddi_soft_state_zalloc(void *, int);
extern void *ddi_get_soft_state(void *, int);
extern void ddi_soft_state_free(void *, int);

/* properties */
extern int ddi_prop_lookup_int_array(dev_t, dev_info_t *, uint_t, char *,
    int **, uint_t *);
extern int ddi_prop_lookup_int64_array(dev_t, dev_info_t *, uint_t, char *,
    int64_t **, uint_t *);
extern int ddi_prop_lookup_string(dev_t, dev_info_t *, uint_t, char *,
    char **);
extern int ddi_prop_lookup_string_array(dev_t, dev_info_t *, uint_t, char *,
    char ***, uint_t *);
extern int ddi_prop_lookup_byte_array(dev_t, dev_info_t *, uint_t, char *,
    uchar_t **, uint_t *);
extern void ddi_prop_free(void *);
extern int ddi_prop_get_int(dev_t, dev_info_t *, uint_t, char *, int);
extern int64_t ddi_prop_get_int64(dev_t, dev_info_t *, uint_t, char *,
    int64_t);
extern int ddi_prop_exists(dev_t, dev_info_t *, uint_t, char *);
extern int ddi_prop_update_int(dev_t, dev_info_t *, char *, int);
extern int ddi_prop_update_int64(dev_t, dev_info_t *, char *, int64_t);
extern int ddi_prop_update_int_array(dev_t, dev_info_t *, char *, int *,
    uint_t);
extern int ddi_prop_update_int64_array(dev_t, dev_info_t *, char *,
    int64_t *, uint_t);
extern int ddi_prop_update_string(dev_t, dev_info_t *, char *, char *);
extern int ddi_prop_update_string_array(dev_t, dev_info_t *, char *,
    char **, uint_t);
extern int ddi_prop_update_byte_array(dev_t, dev_info_t *, char *,
    uchar_t *, uint_t);
extern int ddi_prop_remove(dev_t, dev_info_t *, char *);
extern void ddi_prop_remove_all(dev_info_t *);

/* registers */
extern int ddi_dev_nregs(dev_info_t *, int *);
extern int ddi_dev_regsize(dev_info_t *, uint_t, off_t *);
extern int ddi_regs_map_setup(dev_info_t *, uint_t, caddr_t *, offset_t,
    offset_t, const ddi_device_acc_attr_t *, ddi_acc_handle_t *);
extern void ddi_regs_map_free(ddi_acc_handle_t *);
extern uint8_t ddi_get8(ddi_acc_handle_t, uint8_t *);
extern uint16_t ddi_get16(ddi_acc_handle_t, uint16_t *);
extern uint32_t ddi_get32(ddi_acc_handle_t, uint32_t *);
extern uint64_t ddi_get64(ddi_acc_handle_t, uint64_t *);
extern void ddi_put8(ddi_acc_handle_t, uint8_t *, uint8_t);
extern void ddi_put16(ddi_acc_handle_t, uint16_t *, uint16_t);
extern void ddi_put32(ddi_acc_handle_t, uint32_t *, uint32_t);
extern void ddi_put64(ddi_acc_handle_t, uint64_t *, uint64_t);
extern void ddi_rep_get8(ddi_acc_handle_t, uint8_t *, uint8_t *, size_t,
    uint_t);
extern void ddi_rep_get16(ddi_acc_handle_t, uint16_t *, uint16_t *, size_t,
    uint_t);
extern void ddi_rep_get32(ddi_acc_handle_t, uint32_t *, uint32_t *, size_t,
    uint_t);
extern void ddi_rep_get64(ddi_acc_handle_t, uint64_t *, uint64_t *, size_t,
    uint_t);
extern void ddi_rep_put8(ddi_acc_handle_t, uint8_t *, uint8_t *, size_t,
    uint_t);
extern void ddi_rep_put16(ddi_acc_handle_t, uint16_t *, uint16_t *, size_t,
    uint_t);
extern void ddi_rep_put32(ddi_acc_handle_t, uint32_t *, uint32_t *, size_t,
    uint_t);
extern void ddi_rep_put64(ddi_acc_handle_t, uint64_t *, uint64_t *, size_t,
    uint_t);

/* PCI configuration space (pci_config_setup(9F)) */
extern int pci_config_setup(dev_info_t *, ddi_acc_handle_t *);
extern void pci_config_teardown(ddi_acc_handle_t *);
extern uint8_t pci_config_get8(ddi_acc_handle_t, off_t);
extern uint16_t pci_config_get16(ddi_acc_handle_t, off_t);
extern uint32_t pci_config_get32(ddi_acc_handle_t, off_t);
extern uint64_t pci_config_get64(ddi_acc_handle_t, off_t);
extern void pci_config_put8(ddi_acc_handle_t, off_t, uint8_t);
extern void pci_config_put16(ddi_acc_handle_t, off_t, uint16_t);
extern void pci_config_put32(ddi_acc_handle_t, off_t, uint32_t);
extern void pci_config_put64(ddi_acc_handle_t, off_t, uint64_t);

/* DMA */
struct as;
struct buf;
extern int ddi_dma_alloc_handle(dev_info_t *, const ddi_dma_attr_t *,
    int (*)(caddr_t), caddr_t, ddi_dma_handle_t *);
extern void ddi_dma_free_handle(ddi_dma_handle_t *);
extern int ddi_dma_mem_alloc(ddi_dma_handle_t, size_t,
    const ddi_device_acc_attr_t *, uint_t, int (*)(caddr_t), caddr_t, caddr_t *,
    size_t *, ddi_acc_handle_t *);
extern void ddi_dma_mem_free(ddi_acc_handle_t *);
extern int ddi_dma_addr_bind_handle(ddi_dma_handle_t, struct as *, caddr_t,
    size_t, uint_t, int (*)(caddr_t), caddr_t, ddi_dma_cookie_t *, uint_t *);
extern int ddi_dma_buf_bind_handle(ddi_dma_handle_t, struct buf *, uint_t,
    int (*)(caddr_t), caddr_t, ddi_dma_cookie_t *, uint_t *);
extern int ddi_dma_unbind_handle(ddi_dma_handle_t);
extern int ddi_dma_sync(ddi_dma_handle_t, off_t, size_t, uint_t);
extern void ddi_dma_nextcookie(ddi_dma_handle_t, ddi_dma_cookie_t *);
extern int ddi_dma_numwin(ddi_dma_handle_t, uint_t *);
extern int ddi_dma_getwin(ddi_dma_handle_t, uint_t, off_t *, size_t *,
    ddi_dma_cookie_t *, uint_t *);
extern int ddi_dma_ncookies(ddi_dma_handle_t);
extern const ddi_dma_cookie_t *ddi_dma_cookie_iter(ddi_dma_handle_t,
    const ddi_dma_cookie_t *);
extern const ddi_dma_cookie_t *ddi_dma_cookie_get(ddi_dma_handle_t, uint_t);
extern const ddi_dma_cookie_t *ddi_dma_cookie_one(ddi_dma_handle_t);

/* task queues */
extern ddi_taskq_t *ddi_taskq_create(dev_info_t *, const char *, int, pri_t,
    uint_t);
extern void ddi_taskq_destroy(ddi_taskq_t *);
extern int ddi_taskq_dispatch(ddi_taskq_t *, void (*)(void *), void *,
    uint_t);
extern void ddi_taskq_wait(ddi_taskq_t *);
extern void ddi_taskq_suspend(ddi_taskq_t *);
extern boolean_t ddi_taskq_suspended(ddi_taskq_t *);
extern void ddi_taskq_resume(ddi_taskq_t *);

/* periodics */
extern ddi_periodic_t ddi_periodic_add(void (*)(void *), void *, hrtime_t,
    int);
extern void ddi_periodic_delete(ddi_periodic_t);

/* strings */
extern int ddi_strtol(const char *, char **, int, long *);
extern int ddi_strtoul(const char *, char **, int, unsigned long *);
extern int ddi_strtoll(const char *, char **, int, longlong_t *);
extern int ddi_strtoull(const char *, char **, int, u_longlong_t *);
extern int ddi_ffs(long);
extern int ddi_fls(long);

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_SUNDDI_H */

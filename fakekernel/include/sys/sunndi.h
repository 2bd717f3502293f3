/*
 * illumos <sys/sunndi.h>: the nexus driver interfaces a bus driver (here:
 * an HBA that makes its own children) uses on its child nodes: making
 * and freeing them (ndi_devi_alloc(9F), ndi_devi_free(9F)), bringing them
 * online and offline (ndi_devi_online(9F), ndi_devi_offline(9F)), holding
 * the node busy while its children change (ndi_devi_enter(9F)) and their
 * properties (ndi_prop_update(9F)); and the bus configuration operations
 * (bus_config(9E)).
 */
#ifndef _FK_SYS_SUNNDI_H
#define	_FK_SYS_SUNNDI_H

#include <sys/types.h>
#include <sys/sunddi.h>

#ifdef __cplusplus
extern "C" {
#endif

#define	NDI_SUCCESS	DDI_SUCCESS
#define	NDI_FAILURE	DDI_FAILURE
#define	NDI_NOMEM	-2
#define	NDI_BADHANDLE	-3
#define	NDI_FAULT	-4
#define	NDI_BUSY	-5
#define	NDI_UNBOUND	-6

/* ndi_devi_online/offline, bus_config flags */
#define	NDI_DEVI_REMOVE		0x00000001
#define	NDI_ONLINE_ATTACH	0x00000002
#define	NDI_MDI_FALLBACK	0x00000004
#define	NDI_CONFIG		0x00000008
#define	NDI_DEVI_BIND		0x00000020
#define	NDI_DEVI_PERSIST	0x00000040
#define	NDI_DEVFS_CLEAN		0x00001000
#define	NDI_AUTODETACH		0x00002000
#define	NDI_NO_EVENT		0x00004000
#define	NDI_DEVI_ONLINE		0x00020000
#define	NDI_DEVI_OFFLINE	0x00040000
#define	NDI_NOSLEEP		0x00100000
#define	NDI_SLEEP		0x00000000

/* ndi_devi_alloc's nodeid */
typedef int phandle_t;
typedef phandle_t pnode_t;
#define	DEVI_PSEUDO_NODEID	((pnode_t)-1)
#define	DEVI_SID_NODEID		((pnode_t)-2)
#define	DEVI_SID_HIDDEN_NODEID	((pnode_t)-3)

/* bus_config(9E) operations */
typedef enum {
	BUS_ENUMERATE = 0,
	BUS_CONFIG_ONE,
	BUS_CONFIG_ALL,
	BUS_CONFIG_AP,
	BUS_CONFIG_DRIVER,
	BUS_UNCONFIG_ONE,
	BUS_UNCONFIG_DRIVER,
	BUS_UNCONFIG_ALL,
	BUS_UNCONFIG_AP,
	BUS_CONFIG_OBP_ARGS
} ddi_bus_config_op_t;

extern int ndi_devi_alloc(dev_info_t *, const char *, pnode_t,
    dev_info_t **);
extern int ndi_devi_free(dev_info_t *);
extern int ndi_devi_online(dev_info_t *, uint_t);
extern int ndi_devi_offline(dev_info_t *, uint_t);
#ifndef	FK_NDI_CIRCULAR
extern void ndi_devi_enter(dev_info_t *);
extern void ndi_devi_exit(dev_info_t *);
#else
/*
 * illumos before 15483 (2023) passed a "circular" count through
 * ndi_devi_enter and back to ndi_devi_exit; drivers of that time are
 * built with -DFK_NDI_CIRCULAR (make driver DRIVER_NDI=circular).
 */
extern void ndi_devi_enter(dev_info_t *, int *)
    __asm__("fk_ndi_devi_enter_circular");
extern void ndi_devi_exit(dev_info_t *, int)
    __asm__("fk_ndi_devi_exit_circular");
#endif
extern int ndi_busop_bus_config(dev_info_t *, uint_t, ddi_bus_config_op_t,
    void *, dev_info_t **, clock_t);

extern int ndi_prop_update_int(dev_t, dev_info_t *, char *, int);
extern int ndi_prop_update_int64(dev_t, dev_info_t *, char *, int64_t);
extern int ndi_prop_update_int_array(dev_t, dev_info_t *, char *, int *,
    uint_t);
extern int ndi_prop_update_string(dev_t, dev_info_t *, char *, char *);
extern int ndi_prop_update_string_array(dev_t, dev_info_t *, char *,
    char **, uint_t);
extern int ndi_prop_update_byte_array(dev_t, dev_info_t *, char *,
    uchar_t *, uint_t);
extern int ndi_prop_remove(dev_t, dev_info_t *, char *);
extern void ndi_prop_remove_all(dev_info_t *);

/* <sys/ddi_impldefs.h>, <sys/ddi_implfuncs.h> */
extern int fk_ndi_busy_owned(dev_info_t *);
#define	DEVI_BUSY_OWNED(dip)	fk_ndi_busy_owned(dip)
extern int i_ddi_devi_attached(dev_info_t *);

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_SUNNDI_H */

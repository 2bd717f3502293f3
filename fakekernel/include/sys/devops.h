/*
 * illumos dev_ops(9S) and cb_ops(9S).
 */
#ifndef _FK_SYS_DEVOPS_H
#define	_FK_SYS_DEVOPS_H

#include <sys/types.h>
#include <sys/dditypes.h>
#include <sys/cred.h>
#include <errno.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
	DDI_ATTACH = 0,
	DDI_RESUME = 1,
	DDI_PM_RESUME = 2
} ddi_attach_cmd_t;

typedef enum {
	DDI_DETACH = 0,
	DDI_SUSPEND = 1,
	DDI_PM_SUSPEND = 2,
	DDI_HOTPLUG_DETACH = 3
} ddi_detach_cmd_t;

typedef enum {
	DDI_INFO_DEVT2DEVINFO = 0,
	DDI_INFO_DEVT2INSTANCE = 1
} ddi_info_cmd_t;

typedef enum {
	DDI_RESET_FORCE = 0
} ddi_reset_cmd_t;

/* prop_op(9E) requests */
typedef enum {
	PROP_LEN = 0,
	PROP_LEN_AND_VAL_BUF = 1,
	PROP_LEN_AND_VAL_ALLOC = 2,
	PROP_EXISTS = 3
} ddi_prop_op_t;

typedef void *devmap_cookie_t;
struct buf;
struct uio;
struct as;
struct pollhead;
struct streamtab;
struct aio_req;
struct bus_ops;

/* cb_ops(9S): a character or block driver's entry points. */
struct cb_ops {
	int		(*cb_open)(dev_t *, int, int, cred_t *);
	int		(*cb_close)(dev_t, int, int, cred_t *);
	int		(*cb_strategy)(struct buf *);
	int		(*cb_print)(dev_t, char *);
	int		(*cb_dump)(dev_t, caddr_t, daddr_t, int);
	int		(*cb_read)(dev_t, struct uio *, cred_t *);
	int		(*cb_write)(dev_t, struct uio *, cred_t *);
	int		(*cb_ioctl)(dev_t, int, intptr_t, int, cred_t *,
			    int *);
	int		(*cb_devmap)(dev_t, devmap_cookie_t, offset_t, size_t,
			    size_t *, uint_t);
	int		(*cb_mmap)(dev_t, off_t, int);
	int		(*cb_segmap)(dev_t, off_t, struct as *, caddr_t *,
			    off_t, unsigned int, unsigned int, unsigned int,
			    cred_t *);
	int		(*cb_chpoll)(dev_t, short, int, short *,
			    struct pollhead **);
	int		(*cb_prop_op)(dev_t, dev_info_t *, ddi_prop_op_t, int,
			    char *, caddr_t, int *);
	struct streamtab *cb_str;
	int		cb_flag;
	int		cb_rev;
	int		(*cb_aread)(dev_t, struct aio_req *, cred_t *);
	int		(*cb_awrite)(dev_t, struct aio_req *, cred_t *);
};

/* cb_flag */
#define	D_NEW		0x00
#define	D_HOTPLUG	0x04
#define	D_MTSAFE	0x20
#define	D_MP		D_MTSAFE
#define	D_DEVMAP	0x100
#define	D_64BIT		0x200

struct dev_ops {
	int		devo_rev;
	int		devo_refcnt;
	int		(*devo_getinfo)(dev_info_t *, ddi_info_cmd_t, void *,
			    void **);
	int		(*devo_identify)(dev_info_t *);
	int		(*devo_probe)(dev_info_t *);
	int		(*devo_attach)(dev_info_t *, ddi_attach_cmd_t);
	int		(*devo_detach)(dev_info_t *, ddi_detach_cmd_t);
	int		(*devo_reset)(dev_info_t *, ddi_reset_cmd_t);
	struct cb_ops	*devo_cb_ops;
	struct bus_ops	*devo_bus_ops;
	int		(*devo_power)(dev_info_t *, int, int);
	int		(*devo_quiesce)(dev_info_t *);
};

#define	DEVO_REV	4
#define	CB_REV		1

/* probe(9E) results */
#define	DDI_PROBE_FAILURE	ENXIO
#define	DDI_PROBE_DONTCARE	0
#define	DDI_PROBE_PARTIAL	1
#define	DDI_PROBE_SUCCESS	2

extern int nodev();
extern int nulldev();
extern int nochpoll(dev_t, short, int, short *, struct pollhead **);
extern int ddi_no_info(dev_info_t *, ddi_info_cmd_t, void *, void **);
extern int ddi_prop_op(dev_t, dev_info_t *, ddi_prop_op_t, int, char *,
    caddr_t, int *);
extern int ddi_quiesce_not_needed(dev_info_t *);
extern int ddi_quiesce_not_supported(dev_info_t *);

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_DEVOPS_H */

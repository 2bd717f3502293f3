/*
 * illumos <sys/fs/dv_node.h>: devfs_clean(), which drops devfs's cached
 * /devices nodes below a node before the node goes.  The fakekernel has
 * no devfs: nothing is cached, so there is nothing to clean.
 */
#ifndef _FK_SYS_FS_DV_NODE_H
#define	_FK_SYS_FS_DV_NODE_H

#include <sys/types.h>
#include <sys/dditypes.h>

#ifdef __cplusplus
extern "C" {
#endif

#define	DV_CLEAN_FORCE	0x01	/* clean even nodes in use */
#define	DV_RESET_PERM	0x02

extern int devfs_clean(dev_info_t *, char *, uint_t);

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_FS_DV_NODE_H */

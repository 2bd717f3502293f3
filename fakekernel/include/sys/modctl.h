/*
 * illumos module linkage: modlinkage(9S), modldrv(9S), mod_install(9F).
 */
#ifndef _FK_SYS_MODCTL_H
#define	_FK_SYS_MODCTL_H

#include <sys/types.h>
#include <sys/devops.h>

#ifdef __cplusplus
extern "C" {
#endif

struct mod_ops {
	int		(*modm_install)();
	int		(*modm_remove)();
	int		(*modm_info)();
};

extern struct mod_ops mod_driverops;
extern struct mod_ops mod_miscops;

struct modldrv {
	struct mod_ops	*drv_modops;
	char		*drv_linkinfo;
	struct dev_ops	*drv_dev_ops;
};

struct modlmisc {
	struct mod_ops	*misc_modops;
	char		*misc_linkinfo;
};

#define	MODREV_1	1
#define	MODMAXLINK	10

struct modlinkage {
	int		ml_rev;
	void		*ml_linkage[7];
};

#define	MODMAXNAMELEN	32
#define	MODMAXLINKINFOLEN 32

struct modinfo {
	int		mi_info;
	int		mi_state;
	int		mi_id;
	int		mi_nextid;
	caddr_t		mi_base;
	size_t		mi_size;
	int		mi_rev;
	int		mi_loadcnt;
	char		mi_name[MODMAXNAMELEN];
	struct modspecific_info {
		char	msi_linkinfo[MODMAXLINKINFOLEN];
		int	msi_p0;
	} mi_msinfo[MODMAXLINK];
};

extern int mod_install(struct modlinkage *);
extern int mod_remove(struct modlinkage *);
extern int mod_info(struct modlinkage *, struct modinfo *);

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_MODCTL_H */

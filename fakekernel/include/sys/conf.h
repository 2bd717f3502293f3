/*
 * illumos <sys/conf.h>.
 */
#ifndef _FK_SYS_CONF_H
#define	_FK_SYS_CONF_H

#include <sys/devops.h>

#endif /* _FK_SYS_CONF_H */

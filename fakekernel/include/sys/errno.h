/*
 * illumos <sys/errno.h>: the error numbers, the C library's here.
 */
#ifndef _FK_SYS_ERRNO_H
#define	_FK_SYS_ERRNO_H

#include <errno.h>

#endif /* _FK_SYS_ERRNO_H */

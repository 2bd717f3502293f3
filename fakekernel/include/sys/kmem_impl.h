/*
 * illumos <sys/kmem_impl.h>: the allocator's internals.  Drivers that
 * include it use only what <sys/kmem.h> declares.
 */
#ifndef _FK_SYS_KMEM_IMPL_H
#define	_FK_SYS_KMEM_IMPL_H

#include <sys/kmem.h>

#endif /* _FK_SYS_KMEM_IMPL_H */

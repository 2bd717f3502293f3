/*
 * illumos <sys/ksynch.h>: the kernel synchronisation primitives.
 */
#ifndef _FK_SYS_KSYNCH_H
#define	_FK_SYS_KSYNCH_H

#include <sys/mutex.h>
#include <sys/condvar.h>
#include <sys/rwlock.h>

#endif /* _FK_SYS_KSYNCH_H */

/*
 * illumos <sys/proc.h>: the process a kernel thread belongs to.  Kernel
 * threads belong to p0, the kernel's own process.
 */
#ifndef _FK_SYS_PROC_H
#define	_FK_SYS_PROC_H

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque here: a module passes &p0 and looks inside no process. */
typedef struct proc proc_t;

extern proc_t p0;

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_PROC_H */

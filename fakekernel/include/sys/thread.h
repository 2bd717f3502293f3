/*
 * illumos <sys/thread.h>: thread_create(9F)'s kernel threads.
 */
#ifndef _FK_SYS_THREAD_H
#define	_FK_SYS_THREAD_H

#include <sys/types.h>
#include <sys/proc.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _kthread kthread_t;

/* thread_create()'s state argument */
#define	TS_FREE		0x00
#define	TS_SLEEP	0x01
#define	TS_RUN		0x02
#define	TS_ONPROC	0x04
#define	TS_ZOMB		0x08
#define	TS_STOPPED	0x10

extern kthread_t *thread_create(caddr_t, size_t, void (*)(), void *,
    size_t, proc_t *, int, pri_t);
extern void thread_exit(void) __NORETURN;

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_THREAD_H */

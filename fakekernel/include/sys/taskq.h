/*
 * illumos taskq_create(9F)-family: system task queues.
 */
#ifndef _FK_SYS_TASKQ_H
#define	_FK_SYS_TASKQ_H

#include <sys/types.h>
#include <sys/thread.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct taskq taskq_t;
typedef uintptr_t taskqid_t;
typedef void (task_func_t)(void *);

#define	TASKQ_DEFAULTPRI	-1
#define	TASKQ_PREPOPULATE	0x0001
#define	TASKQ_CPR_SAFE		0x0002
#define	TASKQ_DYNAMIC		0x0004
#define	TASKQ_THREADS_CPU_PCT	0x0008
#define	TASKQ_DC_BATCH		0x0010

#define	TQ_SLEEP	0x00
#define	TQ_NOSLEEP	0x01
#define	TQ_NOQUEUE	0x02
#define	TQ_NOALLOC	0x04
#define	TQ_FRONT	0x08

extern pri_t minclsyspri;
extern pri_t maxclsyspri;

extern taskq_t *system_taskq;

extern taskq_t *taskq_create(const char *, int, pri_t, int, int, uint_t);
extern taskqid_t taskq_dispatch(taskq_t *, task_func_t, void *, uint_t);
extern void taskq_wait(taskq_t *);
extern void taskq_destroy(taskq_t *);
extern int taskq_member(taskq_t *, kthread_t *);

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_TASKQ_H */

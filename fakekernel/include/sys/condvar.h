/*
 * illumos condvar(9F).
 */
#ifndef _FK_SYS_CONDVAR_H
#define	_FK_SYS_CONDVAR_H

#include <sys/types.h>
#include <sys/mutex.h>
#include <fk_host.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _kcondvar {
	fk_cond_t	cv_cond;
	uint32_t	cv_magic;
	uint32_t	cv_waiters;
	kmutex_t	*cv_mutex;	/* the waiters' mutex */
} kcondvar_t;

typedef enum {
	CV_DEFAULT,
	CV_DRIVER
} kcv_type_t;

typedef enum {
	TR_NANOSEC,
	TR_MICROSEC,
	TR_MILLISEC,
	TR_SEC,
	TR_CLOCK_TICK,
	TR_COUNT
} time_res_t;

extern void cv_init(kcondvar_t *, char *, kcv_type_t, void *);
extern void cv_destroy(kcondvar_t *);
extern void cv_wait(kcondvar_t *, kmutex_t *);
extern int cv_wait_sig(kcondvar_t *, kmutex_t *);
extern clock_t cv_timedwait(kcondvar_t *, kmutex_t *, clock_t);
extern clock_t cv_reltimedwait(kcondvar_t *, kmutex_t *, clock_t, time_res_t);
extern void cv_signal(kcondvar_t *);
extern void cv_broadcast(kcondvar_t *);

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_CONDVAR_H */

/*
 * illumos mutex(9F).  The fakekernel's kmutex_t tracks its owner so that
 * mutex_owned() and MUTEX_HELD() mean something, and feeds the lock-order
 * witness.
 */
#ifndef _FK_SYS_MUTEX_H
#define	_FK_SYS_MUTEX_H

#include <sys/types.h>
#include <fk_host.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
	MUTEX_ADAPTIVE = 0,
	MUTEX_SPIN = 1,
	MUTEX_DRIVER = 4,
	MUTEX_DEFAULT = 6
} kmutex_type_t;

struct fk_thread;

typedef struct mutex {
	fk_lock_t		m_lock;
	struct fk_thread	*volatile m_owner;
	uint32_t		m_magic;
	uint32_t		m_class;	/* witness lock class */
	uintptr_t		m_pri;		/* interrupt priority or 0 */
	const char		*m_name;
	void			*m_init_pc;	/* mutex_init's caller */
	void			*m_enter_pc;	/* where the owner took it */
} kmutex_t;

extern void mutex_init(kmutex_t *, char *, kmutex_type_t, void *);
extern void mutex_destroy(kmutex_t *);
extern void mutex_enter(kmutex_t *);
extern int mutex_tryenter(kmutex_t *);
extern void mutex_exit(kmutex_t *);
extern int mutex_owned(const kmutex_t *);

#define	MUTEX_HELD(x)		(mutex_owned(x))
#define	MUTEX_NOT_HELD(x)	(!mutex_owned(x))

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_MUTEX_H */

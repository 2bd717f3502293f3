/*
 * illumos rwlock(9F).
 */
#ifndef _FK_SYS_RWLOCK_H
#define	_FK_SYS_RWLOCK_H

#include <sys/types.h>
#include <fk_host.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
	RW_DRIVER = 2,
	RW_DEFAULT = 4
} krw_type_t;

typedef enum {
	RW_WRITER,
	RW_READER,
	RW_READER_STARVEWRITER
} krw_t;

struct fk_thread;

/*
 * A host lock and condition variable rather than a host rwlock: illumos
 * rwlocks downgrade and upgrade, and RW_READER waits behind waiting
 * writers (RW_READER_STARVEWRITER does not).
 */
typedef struct _krwlock {
	fk_lock_t		rw_mutex;
	fk_cond_t		rw_cv;
	struct fk_thread	*volatile rw_writer;
	volatile uint32_t	rw_readers;
	uint32_t		rw_wwait;	/* writers waiting */
	uint32_t		rw_magic;
} krwlock_t;

extern void rw_init(krwlock_t *, char *, krw_type_t, void *);
extern void rw_destroy(krwlock_t *);
extern void rw_enter(krwlock_t *, krw_t);
extern int rw_tryenter(krwlock_t *, krw_t);
extern void rw_exit(krwlock_t *);
extern void rw_downgrade(krwlock_t *);
extern int rw_tryupgrade(krwlock_t *);
extern int rw_read_held(krwlock_t *);
extern int rw_write_held(krwlock_t *);
extern int rw_lock_held(krwlock_t *);

#define	RW_READ_HELD(x)		(rw_read_held((x)))
#define	RW_WRITE_HELD(x)	(rw_write_held((x)))
#define	RW_LOCK_HELD(x)		(rw_lock_held((x)))

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_RWLOCK_H */

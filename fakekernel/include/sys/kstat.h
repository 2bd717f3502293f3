/*
 * illumos <sys/kstat.h>: kernel statistics, kstat(9S), kstat_named(9S),
 * kstat_create(9F) and friends.  The structures have illumos's layout;
 * the functions declared are those ddi/kstat.c implements.  Lab programs
 * read an installed kstat with fk_kstat_read() (fk.h), as kstat(8) reads
 * one by module, instance and name.
 */
#ifndef _FK_SYS_KSTAT_H
#define	_FK_SYS_KSTAT_H

#include <sys/types.h>
#include <sys/time.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int	kid_t;

#define	KSTAT_STRLEN	31	/* 30 characters and the NUL */

typedef struct kstat {
	hrtime_t	ks_crtime;
	struct kstat	*ks_next;
	kid_t		ks_kid;
	char		ks_module[KSTAT_STRLEN];
	uchar_t		ks_resv;
	int		ks_instance;
	char		ks_name[KSTAT_STRLEN];
	uchar_t		ks_type;
	char		ks_class[KSTAT_STRLEN];
	uchar_t		ks_flags;
	void		*ks_data;
	uint_t		ks_ndata;
	size_t		ks_data_size;
	hrtime_t	ks_snaptime;
	int		(*ks_update)(struct kstat *, int);
	void		*ks_private;
	int		(*ks_snapshot)(struct kstat *, void *, int);
	void		*ks_lock;	/* a kmutex_t *, or NULL */
} kstat_t;

/* ks_type; ks_ndata counts records of the type's size. */
#define	KSTAT_TYPE_RAW		0	/* bytes */
#define	KSTAT_TYPE_NAMED	1	/* kstat_named_t */
#define	KSTAT_TYPE_INTR		2	/* one kstat_intr_t */
#define	KSTAT_TYPE_IO		3	/* one kstat_io_t */
#define	KSTAT_TYPE_TIMER	4	/* kstat_timer_t */
#define	KSTAT_NUM_TYPES		5

/* ks_flags: the first four from the creator, the rest the framework's. */
#define	KSTAT_FLAG_VIRTUAL	0x01
#define	KSTAT_FLAG_VAR_SIZE	0x02
#define	KSTAT_FLAG_WRITABLE	0x04
#define	KSTAT_FLAG_PERSISTENT	0x08
#define	KSTAT_FLAG_DORMANT	0x10
#define	KSTAT_FLAG_INVALID	0x20
#define	KSTAT_FLAG_LONGSTRINGS	0x40

/* The rw argument of ks_update and ks_snapshot. */
#define	KSTAT_READ	0
#define	KSTAT_WRITE	1

typedef struct kstat_named {
	char	name[KSTAT_STRLEN];
	uchar_t	data_type;
	union {
		char		c[16];
		int32_t		i32;
		uint32_t	ui32;
		struct {
			union {
				char	*ptr;
#if defined(_KERNEL) && defined(_MULTI_DATAMODEL)
				caddr32_t ptr32;
#endif
				char	__pad[8];
			} addr;
			uint32_t	len;	/* strlen + 1 */
		} str;
		int64_t		i64;
		uint64_t	ui64;
		long		l;
		ulong_t		ul;
		longlong_t	ll;
		u_longlong_t	ull;
		float		f;
		double		d;
	} value;
} kstat_named_t;

#define	KSTAT_DATA_CHAR		0
#define	KSTAT_DATA_INT32	1
#define	KSTAT_DATA_UINT32	2
#define	KSTAT_DATA_INT64	3
#define	KSTAT_DATA_UINT64	4
#define	KSTAT_DATA_FLOAT	5
#define	KSTAT_DATA_DOUBLE	6
#define	KSTAT_DATA_LONG		7	/* the kernel's, LP64 */
#define	KSTAT_DATA_ULONG	8
#define	KSTAT_DATA_STRING	9
#define	KSTAT_DATA_LONGLONG	KSTAT_DATA_INT64
#define	KSTAT_DATA_ULONGLONG	KSTAT_DATA_UINT64

#define	KSTAT_NAMED_PTR(kptr)	((kstat_named_t *)(kptr)->ks_data)
#define	KSTAT_NAMED_STR_PTR(knptr)	((knptr)->value.str.addr.ptr)
#define	KSTAT_NAMED_STR_BUFLEN(knptr)	((knptr)->value.str.len)

#define	KSTAT_INTR_HARD		0
#define	KSTAT_INTR_SOFT		1
#define	KSTAT_INTR_WATCHDOG	2
#define	KSTAT_INTR_SPURIOUS	3
#define	KSTAT_INTR_MULTSVC	4
#define	KSTAT_NUM_INTRS		5

typedef struct kstat_intr {
	uint_t	intrs[KSTAT_NUM_INTRS];
} kstat_intr_t;

#define	KSTAT_INTR_PTR(kptr)	((kstat_intr_t *)(kptr)->ks_data)

typedef struct kstat_io {
	u_longlong_t	nread;
	u_longlong_t	nwritten;
	uint_t		reads;
	uint_t		writes;
	hrtime_t	wtime;
	hrtime_t	wlentime;
	hrtime_t	wlastupdate;
	hrtime_t	rtime;
	hrtime_t	rlentime;
	hrtime_t	rlastupdate;
	uint_t		wcnt;
	uint_t		rcnt;
} kstat_io_t;

#define	KSTAT_IO_PTR(kptr)	((kstat_io_t *)(kptr)->ks_data)

typedef struct kstat_timer {
	char		name[KSTAT_STRLEN];
	uchar_t		resv;
	u_longlong_t	num_events;
	hrtime_t	elapsed_time;
	hrtime_t	min_time;
	hrtime_t	max_time;
	hrtime_t	start_time;
	hrtime_t	stop_time;
} kstat_timer_t;

#define	KSTAT_TIMER_PTR(kptr)	((kstat_timer_t *)(kptr)->ks_data)

extern kstat_t *kstat_create(const char *, int, const char *, const char *,
    uchar_t, uint_t, uchar_t);
extern void kstat_install(kstat_t *);
extern void kstat_delete(kstat_t *);
extern void kstat_delete_byname(const char *, int, const char *);
extern void kstat_named_init(kstat_named_t *, const char *, uchar_t);
extern void kstat_named_setstr(kstat_named_t *, const char *);

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_KSTAT_H */

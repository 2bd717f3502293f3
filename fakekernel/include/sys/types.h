/*
 * illumos <sys/types.h> for the fakekernel: glibc's definitions plus the
 * types illumos adds.  Lab code may still include Linux headers.
 */
#ifndef _FK_SYS_TYPES_H
#define	_FK_SYS_TYPES_H

#include_next <sys/types.h>
#include <sys/isa_defs.h>
#include <sys/ccompile.h>
#include <stdint.h>
#include <stddef.h>
#include <limits.h>

typedef unsigned char		uchar_t;
typedef unsigned short		ushort_t;
typedef unsigned int		uint_t;
typedef unsigned long		ulong_t;
typedef long long		longlong_t;
typedef unsigned long long	u_longlong_t;
typedef longlong_t		offset_t;
typedef u_longlong_t		u_offset_t;
typedef longlong_t		hrtime_t;
typedef u_longlong_t		diskaddr_t;
typedef uint_t			major_t;
typedef uint_t			minor_t;
typedef int			processorid_t;
typedef short			pri_t;
typedef void			*opaque_t;
typedef void			*timeout_id_t;
typedef void			*bufcall_id_t;
typedef int32_t			daddr32_t;
typedef uint32_t		caddr32_t;	/* illumos's <sys/types32.h> */
typedef ulong_t			pgcnt_t;
typedef ulong_t			pfn_t;

#ifndef __daddr_t_defined
typedef char			*caddr_t;
#endif

typedef enum { B_FALSE = 0, B_TRUE = 1 } boolean_t;

#endif /* _FK_SYS_TYPES_H */

/*
 * illumos <sys/ccompile.h>: the compiler's attributes under the names
 * illumos code uses (<sys/types.h> brings it, as in illumos).
 * __unused and __used are left out: glibc's <spawn.h>, which lab
 * programs may include, has a member of that name.
 */
#ifndef _FK_SYS_CCOMPILE_H
#define	_FK_SYS_CCOMPILE_H

#ifdef __cplusplus
extern "C" {
#endif

#define	__sun_attr__(x)		__attribute__(x)

#define	__packed		__attribute__((__packed__))
#define	__aligned(x)		__sun_attr__((__aligned__(x)))
#define	__NORETURN		__sun_attr__((__noreturn__))
#define	__CONST			__sun_attr__((__const__))
#define	__PURE			__sun_attr__((__pure__))
#define	__HIDDEN		__attribute__((visibility("hidden")))
#define	__GNU_INLINE		__inline__ __sun_attr__((__gnu_inline__))
#define	__PRINTFLIKE(n)		__sun_attr__((__format__(__printf__, n, \
				    (n) + 1)))
#define	__VPRINTFLIKE(n)	__sun_attr__((__format__(__printf__, n, 0)))
/* The kernel's cmn_err(9F) formats are printf's plus %b: not checked. */
#define	__KPRINTFLIKE(n)
#define	__KVPRINTFLIKE(n)

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_CCOMPILE_H */

/*
 * illumos <sys/debug.h>: ASSERT, VERIFY and friends.  The fakekernel is
 * always built as DEBUG: ASSERTs are live and a failure panics.
 */
#ifndef _FK_SYS_DEBUG_H
#define	_FK_SYS_DEBUG_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

extern void assfail(const char *, const char *, int);
extern void assfail3(const char *, uintmax_t, const char *, uintmax_t,
    const char *, int);

#define	VERIFY(EX)	((void)((EX) || (assfail(#EX, __FILE__, __LINE__), 0)))
#define	VERIFY3_IMPL(x, op, y, type) do {				\
	const type __left = (type)(x);					\
	const type __right = (type)(y);					\
	if (!(__left op __right))					\
		assfail3(#x " " #op " " #y, (uintmax_t)__left, #op,	\
		    (uintmax_t)__right, __FILE__, __LINE__);		\
} while (0)
#define	VERIFY3S(x, y, z)	VERIFY3_IMPL(x, y, z, int64_t)
#define	VERIFY3U(x, y, z)	VERIFY3_IMPL(x, y, z, uint64_t)
#define	VERIFY3P(x, y, z)	VERIFY3_IMPL(x, y, z, uintptr_t)
#define	VERIFY0(x)		VERIFY3_IMPL(x, ==, 0, uintmax_t)

#ifdef DEBUG
#define	ASSERT(EX)		VERIFY(EX)
#define	ASSERT3S(x, y, z)	VERIFY3S(x, y, z)
#define	ASSERT3U(x, y, z)	VERIFY3U(x, y, z)
#define	ASSERT3P(x, y, z)	VERIFY3P(x, y, z)
#define	ASSERT0(x)		VERIFY0(x)
#else
#define	ASSERT(x)		((void)0)
#define	ASSERT3S(x, y, z)	((void)0)
#define	ASSERT3U(x, y, z)	((void)0)
#define	ASSERT3P(x, y, z)	((void)0)
#define	ASSERT0(x)		((void)0)
#endif

#define	IMPLY(A, B)	ASSERT(!(A) || (B))
#define	EQUIV(A, B)	ASSERT(!!(A) == !!(B))

#define	CTASSERT(x)	_Static_assert((x), #x)

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_DEBUG_H */

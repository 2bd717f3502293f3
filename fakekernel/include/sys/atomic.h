/*
 * illumos atomic_ops(9F) and membar_ops(9F), on the compiler's builtins.
 */
#ifndef _FK_SYS_ATOMIC_H
#define	_FK_SYS_ATOMIC_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define	FK_ATOMIC_FAMILY(sfx, type)					\
static inline void atomic_inc_##sfx(volatile type *t)			\
	{ (void) __atomic_add_fetch(t, 1, __ATOMIC_SEQ_CST); }		\
static inline void atomic_dec_##sfx(volatile type *t)			\
	{ (void) __atomic_sub_fetch(t, 1, __ATOMIC_SEQ_CST); }		\
static inline type atomic_inc_##sfx##_nv(volatile type *t)		\
	{ return (__atomic_add_fetch(t, 1, __ATOMIC_SEQ_CST)); }	\
static inline type atomic_dec_##sfx##_nv(volatile type *t)		\
	{ return (__atomic_sub_fetch(t, 1, __ATOMIC_SEQ_CST)); }	\
static inline void atomic_or_##sfx(volatile type *t, type v)		\
	{ (void) __atomic_or_fetch(t, v, __ATOMIC_SEQ_CST); }		\
static inline type atomic_or_##sfx##_nv(volatile type *t, type v)	\
	{ return (__atomic_or_fetch(t, v, __ATOMIC_SEQ_CST)); }		\
static inline void atomic_and_##sfx(volatile type *t, type v)		\
	{ (void) __atomic_and_fetch(t, v, __ATOMIC_SEQ_CST); }		\
static inline type atomic_and_##sfx##_nv(volatile type *t, type v)	\
	{ return (__atomic_and_fetch(t, v, __ATOMIC_SEQ_CST)); }	\
static inline type atomic_swap_##sfx(volatile type *t, type v)		\
	{ return (__atomic_exchange_n(t, v, __ATOMIC_SEQ_CST)); }	\
static inline type atomic_cas_##sfx(volatile type *t, type c, type n)	\
{									\
	(void) __atomic_compare_exchange_n(t, &c, n, 0,			\
	    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);			\
	return (c);							\
}

#define	FK_ATOMIC_ADD(sfx, type, dtype)					\
static inline void atomic_add_##sfx(volatile type *t, dtype d)		\
	{ (void) __atomic_add_fetch(t, (type)d, __ATOMIC_SEQ_CST); }	\
static inline type atomic_add_##sfx##_nv(volatile type *t, dtype d)	\
	{ return (__atomic_add_fetch(t, (type)d, __ATOMIC_SEQ_CST)); }

FK_ATOMIC_FAMILY(8, uint8_t)
FK_ATOMIC_FAMILY(uchar, uchar_t)
FK_ATOMIC_FAMILY(16, uint16_t)
FK_ATOMIC_FAMILY(ushort, ushort_t)
FK_ATOMIC_FAMILY(32, uint32_t)
FK_ATOMIC_FAMILY(uint, uint_t)
FK_ATOMIC_FAMILY(ulong, ulong_t)
FK_ATOMIC_FAMILY(64, uint64_t)
FK_ATOMIC_ADD(8, uint8_t, int8_t)
FK_ATOMIC_ADD(char, uchar_t, signed char)
FK_ATOMIC_ADD(16, uint16_t, int16_t)
FK_ATOMIC_ADD(short, ushort_t, short)
FK_ATOMIC_ADD(32, uint32_t, int32_t)
FK_ATOMIC_ADD(int, uint_t, int)
FK_ATOMIC_ADD(long, ulong_t, long)
FK_ATOMIC_ADD(64, uint64_t, int64_t)

static inline void *
atomic_swap_ptr(volatile void *t, void *v)
{
	return (__atomic_exchange_n((void *volatile *)t, v, __ATOMIC_SEQ_CST));
}

static inline void *
atomic_cas_ptr(volatile void *t, void *c, void *n)
{
	(void) __atomic_compare_exchange_n((void *volatile *)t, &c, n, 0,
	    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	return (c);
}

static inline void
atomic_add_ptr(volatile void *t, ssize_t d)
{
	(void) __atomic_add_fetch((char *volatile *)t, d, __ATOMIC_SEQ_CST);
}

static inline void membar_enter(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
static inline void membar_exit(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
static inline void membar_producer(void) { __atomic_thread_fence(__ATOMIC_RELEASE); }
static inline void membar_consumer(void) { __atomic_thread_fence(__ATOMIC_ACQUIRE); }

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_ATOMIC_H */

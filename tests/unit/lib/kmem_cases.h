/*
 * kmem_alloc(9F) and kmem cache misuse that the fakekernel finds in every
 * configuration, shared by t_kmem (the default, FK_DEBUG=1) and
 * t_kmem_prod (FK_DEBUG=0).  Each is a function for expect_death()
 * (lib/expect.h); the panic it must cause:
 *
 *   kc_die_wrong_size		kmem_free(p, 32) of a 64-byte buffer:
 *				", 32): allocated with size 64"
 *   kc_die_double_free		kmem_free twice: "double free" (with
 *				FK_DEBUG=0 only while the backend still
 *				holds the memory)
 *   kc_die_cache_leak		kmem_cache_destroy of cache "leaky" with
 *				objects out: "N object(s) still allocated";
 *				its argument is N, KC_OBJECTS(N)
 *   kc_die_cache_double_free	kmem_cache_free twice: "double free"
 *   kc_die_cache_wrong_cache	an object of "cache a" freed to "cache b":
 *				"but of cache \"cache a\""
 *   kc_die_free_cache_object	kmem_free of an object of cache "objects":
 *				"object of kmem cache \"objects\""
 *   kc_die_sleep_in_intr	a KM_SLEEP allocation in interrupt context,
 *				by the KC_INTR_* its argument names:
 *				"KM_SLEEP allocation in interrupt context"
 *
 * and one the debugging checks alone find:
 *
 *   kc_overrun_free		one byte written past a 64-byte buffer,
 *				then kmem_free: "buffer overrun" where
 *				redzones are checked, nothing otherwise
 */
#ifndef _TESTS_UNIT_LIB_KMEM_CASES_H
#define	_TESTS_UNIT_LIB_KMEM_CASES_H

#include <stddef.h>
#include <stdint.h>

/* kc_die_cache_leak()'s argument: how many objects are left out. */
#define	KC_OBJECTS(n)		((void *)(uintptr_t)(n))

/* kc_die_sleep_in_intr()'s argument: how it allocates. */
#define	KC_INTR_ALLOC		((void *)0)	/* kmem_alloc */
#define	KC_INTR_ZALLOC		((void *)1)	/* kmem_zalloc */
#define	KC_INTR_CACHE		((void *)2)	/* kmem_cache_alloc */

extern void kc_die_wrong_size(void *);
extern void kc_die_double_free(void *);
extern void kc_die_cache_leak(void *);
extern void kc_die_cache_double_free(void *);
extern void kc_die_cache_wrong_cache(void *);
extern void kc_die_free_cache_object(void *);
extern void kc_die_sleep_in_intr(void *);
extern void kc_overrun_free(void *);

/*
 * kc_use_backing(alloc, free) makes the platform one with this kmem
 * backing (po_kmem_alloc, po_kmem_free; the rest is the "none"
 * platform's); kc_use_backing(NULL, NULL) puts the platform back.
 */
extern void kc_use_backing(void *(*)(size_t), void (*)(void *, size_t));

#endif /* _TESTS_UNIT_LIB_KMEM_CASES_H */

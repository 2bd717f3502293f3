/*
 * kmem misuse of every configuration (see kmem_cases.h).
 */

#include <sys/types.h>
#include <sys/kmem.h>
#include <fk.h>
#include <fk_impl.h>
#include <platform/platform.h>

#include <pthread.h>

#include "kmem_cases.h"

void
kc_die_wrong_size(void *arg)
{
	void *p = kmem_alloc(64, KM_SLEEP);

	(void) arg;
	kmem_free(p, 32);
}

void
kc_die_double_free(void *arg)
{
	void *p = kmem_alloc(64, KM_SLEEP);

	(void) arg;
	kmem_free(p, 64);
	kmem_free(p, 64);
}

void
kc_overrun_free(void *arg)
{
	char *p = kmem_alloc(64, KM_SLEEP);

	(void) arg;
	p[64] = 1;
	kmem_free(p, 64);
}

/* A cache of 40-byte objects without constructor or destructor. */
static kmem_cache_t *
plain_cache(char *name)
{
	return (kmem_cache_create(name, 40, 0, NULL, NULL, NULL, NULL, NULL,
	    0));
}

void
kc_die_cache_leak(void *nobjs)
{
	kmem_cache_t *cp = plain_cache("leaky");
	uintptr_t i;

	for (i = 0; i < (uintptr_t)nobjs; i++)
		(void) kmem_cache_alloc(cp, KM_SLEEP);
	kmem_cache_destroy(cp);
}

void
kc_die_cache_double_free(void *arg)
{
	kmem_cache_t *cp = plain_cache("twice");
	void *o = kmem_cache_alloc(cp, KM_SLEEP);

	(void) arg;
	kmem_cache_free(cp, o);
	kmem_cache_free(cp, o);
}

void
kc_die_cache_wrong_cache(void *arg)
{
	kmem_cache_t *a = plain_cache("cache a");
	kmem_cache_t *b = plain_cache("cache b");

	(void) arg;
	kmem_cache_free(b, kmem_cache_alloc(a, KM_SLEEP));
}

void
kc_die_free_cache_object(void *arg)
{
	kmem_cache_t *cp = plain_cache("objects");

	(void) arg;
	kmem_free(kmem_cache_alloc(cp, KM_SLEEP), 40);
}

/* The interrupt thread: one KM_SLEEP allocation, as ia_how says. */
typedef struct intr_alloc {
	void		*ia_how;	/* KC_INTR_* */
	kmem_cache_t	*ia_cache;	/* for KC_INTR_CACHE */
} intr_alloc_t;

static void *
intr_alloc(void *arg)
{
	intr_alloc_t *ia = arg;

	fk_intr_enter(5);
	if (ia->ia_how == KC_INTR_CACHE)
		(void) kmem_cache_alloc(ia->ia_cache, KM_SLEEP);
	else if (ia->ia_how == KC_INTR_ZALLOC)
		(void) kmem_zalloc(16, KM_SLEEP);
	else
		(void) kmem_alloc(16, KM_SLEEP);
	fk_intr_exit();
	return (NULL);
}

void
kc_die_sleep_in_intr(void *how)
{
	intr_alloc_t ia = { how, NULL };
	fk_tid_t tid;

	if (how == KC_INTR_CACHE)
		ia.ia_cache = plain_cache("intr cache");
	(void) fk_thread_create(&tid, "test intr", intr_alloc, &ia);
	(void) fk_thread_join(tid, NULL);
}

void
kc_use_backing(void *(*alloc)(size_t), void (*release)(void *, size_t))
{
	static const fk_plat_ops_t *saved;
	static fk_plat_ops_t backed;

	if (alloc == NULL) {
		fk_platform = saved;
		return;
	}
	if (fk_platform != &backed)
		saved = fk_platform;
	backed = fk_plat_none;
	backed.po_name = "kmem test";
	backed.po_kmem_alloc = alloc;
	backed.po_kmem_free = release;
	fk_platform = &backed;
}

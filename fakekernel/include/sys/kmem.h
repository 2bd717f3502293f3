/*
 * illumos kmem_alloc(9F) and kmem_cache_create(9F).
 */
#ifndef _FK_SYS_KMEM_H
#define	_FK_SYS_KMEM_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define	KM_SLEEP	0x0000
#define	KM_NOSLEEP	0x0001
#define	KM_PANIC	0x0002
#define	KM_PUSHPAGE	0x0004
#define	KM_NORMALPRI	0x0008
#define	KM_NOSLEEP_LAZY	(KM_NOSLEEP | KM_NORMALPRI)
#define	KM_VMFLAGS	0x00ff
#define	KM_FLAGS	0xffff

#define	KMC_NOTOUCH	0x00010000
#define	KMC_NODEBUG	0x00020000
#define	KMC_NOMAGAZINE	0x00040000
#define	KMC_NOHASH	0x00080000
#define	KMC_QCACHE	0x00100000
#define	KMC_KMEM_ALLOC	0x00200000

typedef struct vmem vmem_t;
typedef struct kmem_cache kmem_cache_t;

extern void *kmem_alloc(size_t, int);
extern void *kmem_zalloc(size_t, int);
extern void kmem_free(void *, size_t);
extern char *kmem_asprintf(const char *, ...);
extern void strfree(char *);

extern kmem_cache_t *kmem_cache_create(char *, size_t, size_t,
    int (*)(void *, void *, int), void (*)(void *, void *),
    void (*)(void *), void *, vmem_t *, int);
extern void kmem_cache_destroy(kmem_cache_t *);
extern void *kmem_cache_alloc(kmem_cache_t *, int);
extern void kmem_cache_free(kmem_cache_t *, void *);

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_KMEM_H */

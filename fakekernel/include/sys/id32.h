/*
 * illumos <sys/id32.h>: 32-bit handles for pointers.  A freed id looks up
 * NULL.
 */
#ifndef _FK_SYS_ID32_H
#define	_FK_SYS_ID32_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

extern uint32_t id32_alloc(void *, int);
extern void id32_free(uint32_t);
extern void *id32_lookup(uint32_t);

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_ID32_H */

/*
 * illumos <sys/systm.h>: the kernel's string and memory helpers, timeout(9F)
 * and the clock.
 */
#ifndef _FK_SYS_SYSTM_H
#define	_FK_SYS_SYSTM_H

#include <sys/types.h>
#include <string.h>
#include <strings.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

extern char *volatile panicstr;

extern timeout_id_t timeout(void (*)(void *), void *, clock_t);
extern clock_t untimeout(timeout_id_t);
extern void delay(clock_t);
extern hrtime_t gethrtime(void);

extern size_t strlcpy(char *, const char *, size_t);
extern size_t strlcat(char *, const char *, size_t);

/* the kernel's signed int min() and max(); sys/ddi.h makes them macros */
#ifndef	min
extern int min(int, int);
#endif
#ifndef	max
extern int max(int, int);
#endif

#ifdef __cplusplus
}
#endif

#endif /* _FK_SYS_SYSTM_H */

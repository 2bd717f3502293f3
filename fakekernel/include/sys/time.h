/*
 * illumos <sys/time.h>: glibc's plus hrtime_t units and gethrtime().
 */
#ifndef _FK_SYS_TIME_H
#define	_FK_SYS_TIME_H

#include_next <sys/time.h>
#include <sys/types.h>
#include <sys/param.h>
#include <sys/ddi.h>

#define	SEC		1
#define	MILLISEC	1000
#define	MICROSEC	1000000
#define	NANOSEC		1000000000LL

#define	MSEC2NSEC(m)	((hrtime_t)(m) * (NANOSEC / MILLISEC))
#define	NSEC2MSEC(n)	((n) / (NANOSEC / MILLISEC))
#define	USEC2NSEC(m)	((hrtime_t)(m) * (NANOSEC / MICROSEC))
#define	NSEC2USEC(n)	((n) / (NANOSEC / MICROSEC))
#define	SEC2NSEC(m)	((hrtime_t)(m) * NANOSEC)
#define	NSEC2SEC(n)	((n) / NANOSEC)

/*
 * Clock ticks (lbolt units) from and to time, through the kernel's
 * variables (ddi/param.c), as illumos's macros go.
 */
extern int tick_per_msec;	/* ticks per millisecond (may be zero) */
extern int msec_per_tick;	/* milliseconds per tick (may be zero) */
extern int usec_per_tick;
extern int nsec_per_tick;

#define	TICK_TO_SEC(tick)	((tick) / hz)
#define	SEC_TO_TICK(sec)	((sec) * hz)
#define	TICK_TO_MSEC(tick)	\
	(msec_per_tick ? (tick) * msec_per_tick : (tick) / tick_per_msec)
#define	MSEC_TO_TICK(msec)	\
	(msec_per_tick ? (msec) / msec_per_tick : (msec) * tick_per_msec)
#define	MSEC_TO_TICK_ROUNDUP(msec)	\
	(msec_per_tick ? \
	((msec) == 0 ? 0 : ((msec) - 1) / msec_per_tick + 1) : \
	(msec) * tick_per_msec)
#define	TICK_TO_USEC(tick)	((tick) * usec_per_tick)
#define	USEC_TO_TICK(usec)	((usec) / usec_per_tick)
#define	USEC_TO_TICK_ROUNDUP(usec)	\
	((usec) == 0 ? 0 : USEC_TO_TICK((usec) - 1) + 1)
#define	TICK_TO_NSEC(tick)	((hrtime_t)(tick) * nsec_per_tick)
#define	NSEC_TO_TICK(nsec)	((nsec) / nsec_per_tick)
#define	NSEC_TO_TICK_ROUNDUP(nsec)	\
	((nsec) == 0 ? 0 : NSEC_TO_TICK((nsec) - 1) + 1)

extern hrtime_t gethrtime(void);

#endif /* _FK_SYS_TIME_H */

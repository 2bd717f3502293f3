/*
 * illumos <sys/time.h>: glibc's plus hrtime_t units and gethrtime().
 */
#ifndef _FK_SYS_TIME_H
#define	_FK_SYS_TIME_H

#include_next <sys/time.h>
#include <sys/types.h>
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

/* Clock ticks (lbolt units) from and to time, at HZ (<sys/ddi.h>). */
#define	SEC_TO_TICK(sec)	((clock_t)(sec) * HZ)
#define	MSEC_TO_TICK(msec)	((clock_t)(msec) * HZ / MILLISEC)
#define	USEC_TO_TICK(usec)	((clock_t)(usec) * HZ / MICROSEC)
#define	NSEC_TO_TICK(nsec)	((clock_t)((nsec) * HZ / NANOSEC))
#define	TICK_TO_SEC(tick)	((tick) / HZ)
#define	TICK_TO_MSEC(tick)	((tick) * (MILLISEC / HZ))
#define	TICK_TO_USEC(tick)	((tick) * (MICROSEC / HZ))

extern hrtime_t gethrtime(void);

#endif /* _FK_SYS_TIME_H */

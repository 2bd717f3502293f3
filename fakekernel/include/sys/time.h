/*
 * illumos <sys/time.h>: glibc's plus hrtime_t units and gethrtime().
 */
#ifndef _FK_SYS_TIME_H
#define	_FK_SYS_TIME_H

#include_next <sys/time.h>
#include <sys/types.h>

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

extern hrtime_t gethrtime(void);

#endif /* _FK_SYS_TIME_H */

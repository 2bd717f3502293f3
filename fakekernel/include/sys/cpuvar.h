/*
 * illumos <sys/cpuvar.h>: CPU->cpu_id names the CPU the thread runs on.
 */
#ifndef _FK_SYS_CPUVAR_H
#define	_FK_SYS_CPUVAR_H

#include <sys/types.h>

typedef struct cpu {
	processorid_t	cpu_id;
} cpu_t;

extern struct cpu *curcpup(void);
#define	CPU	(curcpup())

#endif /* _FK_SYS_CPUVAR_H */

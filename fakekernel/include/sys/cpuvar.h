/*
 * illumos <sys/cpuvar.h>: CPU->cpu_id names the CPU the thread runs on.
 */
#ifndef _FK_SYS_CPUVAR_H
#define	_FK_SYS_CPUVAR_H

#include <sys/types.h>

typedef struct cpu {
	processorid_t	cpu_id;
} cpu_t;

extern cpu_t *fk_cpu(void);
#define	CPU	(fk_cpu())

#endif /* _FK_SYS_CPUVAR_H */

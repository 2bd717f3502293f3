/*
 * illumos <sys/cpuvar.h>: CPU->cpu_id names the CPU the thread runs on;
 * ncpus is the number of CPUs online.
 */
#ifndef _FK_SYS_CPUVAR_H
#define	_FK_SYS_CPUVAR_H

#include <sys/types.h>
#include <sys/thread.h>

typedef struct cpu {
	processorid_t	cpu_id;
} cpu_t;

extern int ncpus;
extern cpu_t *fk_cpu(void);
#define	CPU	(fk_cpu())

#endif /* _FK_SYS_CPUVAR_H */

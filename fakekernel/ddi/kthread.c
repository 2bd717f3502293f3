/*
 * thread_create(9F) and thread_exit: kernel threads, each a thread of the
 * fakekernel (fk_thread_create) named after its function, that runs
 * proc(arg) and is gone when it returns or calls thread_exit.  Only
 * TS_RUN (start at once) is offered, as illumos's man page asks of
 * drivers; the stack, process and priority arguments have no meaning
 * here.  ncpus: the CPUs online; p0: the kernel's process.
 */
#include <sys/types.h>
#include <sys/thread.h>
#include <sys/cpuvar.h>
#include <sys/cmn_err.h>
#include <fk_impl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The kernel's process; nothing in the fakekernel looks inside it. */
struct proc {
	pid_t	p_ppid;
};
proc_t p0;
int ncpus = 1;

static void __attribute__((constructor))
fk_ncpus_init(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	ncpus = n > 0 ? (int)n : 1;
}

typedef struct fk_kthread {
	void	(*kt_proc)(void *);
	void	*kt_arg;
} fk_kthread_t;

/* The thread's kthread_t lives as long as the thread (t_owned). */
static void *
fk_kthread_run(void *arg)
{
	fk_kthread_t *kt = arg;

	fk_curthread()->t_owned = kt;
	kt->kt_proc(kt->kt_arg);
	return (NULL);
}

kthread_t *
thread_create(caddr_t stk, size_t stksize, void (*proc)(), void *arg,
    size_t len, proc_t *pp, int state, pri_t pri)
{
	fk_kthread_t *kt;
	char name[32], sym[1][160];
	void *pc = (void *)proc;

	(void) stk;
	(void) stksize;
	(void) len;
	(void) pp;
	(void) pri;
	if (state != TS_RUN)
		panic("thread_create: state %d (only TS_RUN is offered to "
		    "drivers)", state);
	fk_assert_may_block("thread_create");
	if ((kt = malloc(sizeof (*kt))) == NULL)
		panic("thread_create: out of memory");
	kt->kt_proc = (void (*)(void *))proc;
	kt->kt_arg = arg;
	fk_symbolize(&pc, 1, sym);
	sym[0][strcspn(sym[0], " +")] = '\0';
	(void) strlcpy(name, sym[0], sizeof (name));
	if (fk_thread_create(NULL, name, fk_kthread_run, kt) != 0)
		panic("thread_create: no thread");
	return ((kthread_t *)kt);
}

void
thread_exit(void)
{
	fk_thread_exit();
}

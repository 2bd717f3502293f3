/*
 * Task queues: taskq_create(9F) and friends, ddi_taskq_create(9F) and
 * friends, and system_taskq.
 *
 * A taskq is a FIFO of (function, argument) entries served by a fixed set
 * of named worker threads ("tq:<name>").  Entries are allocated with
 * kmem_alloc: a DDI_NOSLEEP / TQ_NOSLEEP dispatch fails only when that
 * allocation fails (which the kmem failure injector can arrange), a
 * sleeping dispatch never fails.  TQ_FRONT queues at the head; TQ_NOQUEUE
 * fails unless a worker is idle.
 *
 * Strictness, per the man pages:
 *	- a sleeping dispatch, taskq_wait, ddi_taskq_wait, suspend and
 *	  destroy panic in interrupt context;
 *	- waiting for or destroying a taskq from one of its own tasks
 *	  (which would never return) panics;
 *	- a task that returns holding a mutex panics;
 *	- dispatch to a taskq being destroyed panics.
 * ddi_taskq_suspend() stops workers from starting queued tasks and waits
 * for running ones; dispatch still queues.  Destroy resumes a suspended
 * taskq, runs everything queued, then joins the workers.
 *
 * fork(): a child process has none of the workers.  The first call on a
 * taskq in a new process (a death test's child) starts a fresh set there;
 * tasks queued at the fork run in both processes, tasks running at the
 * fork run only in the parent.
 */

#include <sys/types.h>
#include <sys/sunddi.h>
#include <sys/taskq.h>
#include <sys/kmem.h>
#include <sys/cmn_err.h>
#include <sys/debug.h>
#include <fk_impl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define	FK_TASKQ_NAMELEN	64
#define	FK_SYSTEM_TASKQ_THREADS	4

/* The system scheduling class's priorities (illumos's defaults). */
pri_t minclsyspri = 60;
pri_t maxclsyspri = 99;

typedef struct fk_task {
	task_func_t	*tk_func;
	void		*tk_arg;
	struct fk_task	*tk_next;
} fk_task_t;

struct taskq {
	char		tq_name[FK_TASKQ_NAMELEN];
	fk_lock_t	tq_lock;
	fk_cond_t	tq_work_cv;	/* workers: a task, or exit */
	fk_cond_t	tq_done_cv;	/* waiters: a task finished */
	fk_task_t	*tq_head;
	fk_task_t	*tq_tail;
	int		tq_nqueued;
	int		tq_nactive;	/* tasks running now */
	int		tq_nthreads;
	int		tq_nstarted;	/* workers that have begun */
	int		tq_suspended;
	int		tq_exiting;
	fk_tid_t	*tq_threads;
	fk_thread_t	**tq_members;	/* each worker's fk_thread_t */
	uint64_t	tq_ndispatched;
	pid_t		tq_pid;		/* process the workers run in */
};

struct ddi_taskq {
	struct taskq	dtq_tq;
};

taskq_t *system_taskq;

static void fk_taskq_fork_check(taskq_t *);

/* Every entry point: a taskq, with workers in this process. */
static void
fk_taskq_check(taskq_t *tq, const char *op)
{
	if (tq == NULL)
		panic("%s: NULL taskq (system_taskq exists after fk_init)", op);
	fk_taskq_fork_check(tq);
}

static int
fk_taskq_is_member(taskq_t *tq, fk_thread_t *t)
{
	int i;

	for (i = 0; i < tq->tq_nthreads; i++) {
		if (tq->tq_members[i] == t)
			return (1);
	}
	return (0);
}

static void *
fk_taskq_worker(void *arg)
{
	taskq_t *tq = arg;
	fk_task_t *tk;
	int slot;

	fk_lock_enter(&tq->tq_lock);
	slot = tq->tq_nstarted++;
	tq->tq_members[slot] = fk_curthread();
	fk_cond_broadcast(&tq->tq_done_cv);
	for (;;) {
		while ((tq->tq_head == NULL || tq->tq_suspended) &&
		    !tq->tq_exiting)
			(void) fk_cond_wait(&tq->tq_work_cv, &tq->tq_lock, 0);
		if ((tk = tq->tq_head) == NULL)
			break;		/* exiting, and nothing left */
		if ((tq->tq_head = tk->tk_next) == NULL)
			tq->tq_tail = NULL;
		tq->tq_nqueued--;
		tq->tq_nactive++;
		fk_lock_exit(&tq->tq_lock);

		tk->tk_func(tk->tk_arg);
		fk_assert_unlocked("taskq task return");
		kmem_free(tk, sizeof (*tk));

		fk_lock_enter(&tq->tq_lock);
		tq->tq_nactive--;
		fk_cond_broadcast(&tq->tq_done_cv);
	}
	fk_lock_exit(&tq->tq_lock);
	return (NULL);
}

/* Tear down a taskq whose workers have all been joined (or never ran). */
static void
fk_taskq_free(taskq_t *tq)
{
	free(tq->tq_threads);
	free(tq->tq_members);
}

/*
 * Start tq_nthreads workers and wait for them to register (so that
 * taskq_member() is exact).  Returns 0 or an errno value, with no worker
 * left running.
 */
static int
fk_taskq_spawn(taskq_t *tq)
{
	char tname[FK_TASKQ_NAMELEN + 4];
	int i, err = 0;

	(void) snprintf(tname, sizeof (tname), "tq:%s", tq->tq_name);
	tq->tq_nstarted = 0;
	for (i = 0; i < tq->tq_nthreads; i++) {
		err = fk_thread_create(&tq->tq_threads[i], tname,
		    fk_taskq_worker, tq);
		if (err != 0)
			break;
	}
	fk_lock_enter(&tq->tq_lock);
	if (err != 0) {
		tq->tq_exiting = 1;
		fk_cond_broadcast(&tq->tq_work_cv);
	}
	while (tq->tq_nstarted < i)
		(void) fk_cond_wait(&tq->tq_done_cv, &tq->tq_lock, 0);
	fk_lock_exit(&tq->tq_lock);
	if (err != 0) {
		while (i-- > 0)
			(void) fk_thread_join(tq->tq_threads[i], NULL);
	}
	tq->tq_pid = getpid();
	return (err);
}

static void
fk_taskq_sync_init(taskq_t *tq)
{
	fk_lock_init(&tq->tq_lock);
	fk_cond_init(&tq->tq_work_cv);
	fk_cond_init(&tq->tq_done_cv);
}

/*
 * Lay out *tq and start its workers.  Returns 0 or an errno value (with
 * nothing left allocated).
 */
static int
fk_taskq_setup(taskq_t *tq, const char *name, int nthreads)
{
	int err;

	(void) snprintf(tq->tq_name, sizeof (tq->tq_name), "%s", name);
	fk_taskq_sync_init(tq);
	tq->tq_nthreads = nthreads;
	tq->tq_threads = calloc((size_t)nthreads, sizeof (fk_tid_t));
	tq->tq_members = calloc((size_t)nthreads, sizeof (fk_thread_t *));
	if (tq->tq_threads == NULL || tq->tq_members == NULL) {
		fk_taskq_free(tq);
		return (ENOMEM);
	}
	if ((err = fk_taskq_spawn(tq)) != 0)
		fk_taskq_free(tq);
	return (err);
}

/*
 * In a process other than the one the workers run in (a fork()ed child),
 * start fresh workers.  The parent's lock and condition variables may
 * have been in any state at the fork: new ones replace them.
 */
static fk_lock_t fk_taskq_fork_lock = FK_LOCK_INIT;

static void
fk_taskq_fork_check(taskq_t *tq)
{
	if (__builtin_expect(tq->tq_pid == getpid(), 1))
		return;
	fk_lock_enter(&fk_taskq_fork_lock);
	if (tq->tq_pid != getpid()) {
		fk_taskq_sync_init(tq);
		tq->tq_nactive = 0;
		(void) memset(tq->tq_members, 0,
		    (size_t)tq->tq_nthreads * sizeof (fk_thread_t *));
		if (!tq->tq_exiting && fk_taskq_spawn(tq) != 0)
			panic("taskq %s: cannot start workers in a new process",
			    tq->tq_name);
	}
	fk_lock_exit(&fk_taskq_fork_lock);
}

static int
fk_ncpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return (n > 0 ? (int)n : 1);
}

taskq_t *
taskq_create(const char *name, int nthreads, pri_t pri, int minalloc,
    int maxalloc, uint_t flags)
{
	taskq_t *tq;
	int err;

	(void) pri;
	(void) minalloc;
	(void) maxalloc;
	fk_assert_may_block("taskq_create");
	if (flags & TASKQ_THREADS_CPU_PCT)
		nthreads = fk_ncpus() * nthreads / 100;
	if (nthreads < 1)
		nthreads = 1;
	if ((tq = calloc(1, sizeof (*tq))) == NULL)
		panic("taskq_create(%s): out of memory", name);
	if ((err = fk_taskq_setup(tq, name != NULL ? name : "taskq",
	    nthreads)) != 0)
		panic("taskq_create(%s): cannot start threads (error %d)",
		    name, err);
	return (tq);
}

/*
 * Queue one task; returns 0 when the entry could not be allocated or
 * TQ_NOQUEUE found no idle worker.
 */
taskqid_t
taskq_dispatch(taskq_t *tq, task_func_t func, void *arg, uint_t flags)
{
	fk_task_t *tk;
	taskqid_t id;
	int sleep = (flags & (TQ_NOSLEEP | TQ_NOQUEUE | TQ_NOALLOC)) == 0;

	fk_taskq_check(tq, "taskq_dispatch");
	if (func == NULL)
		panic("taskq_dispatch(%s): NULL function", tq->tq_name);
	if (sleep)
		fk_assert_may_block("taskq_dispatch(TQ_SLEEP)");
	if ((tk = kmem_alloc(sizeof (*tk), sleep ? KM_SLEEP : KM_NOSLEEP)) ==
	    NULL)
		return (0);
	tk->tk_func = func;
	tk->tk_arg = arg;
	tk->tk_next = NULL;

	fk_lock_enter(&tq->tq_lock);
	if (tq->tq_exiting) {
		fk_lock_exit(&tq->tq_lock);
		panic("taskq_dispatch(%s): the taskq is being destroyed",
		    tq->tq_name);
	}
	if ((flags & TQ_NOQUEUE) && (tq->tq_suspended ||
	    tq->tq_nactive + tq->tq_nqueued >= tq->tq_nthreads)) {
		fk_lock_exit(&tq->tq_lock);
		kmem_free(tk, sizeof (*tk));
		return (0);
	}
	if (flags & TQ_FRONT) {
		tk->tk_next = tq->tq_head;
		tq->tq_head = tk;
		if (tq->tq_tail == NULL)
			tq->tq_tail = tk;
	} else {
		if (tq->tq_tail != NULL)
			tq->tq_tail->tk_next = tk;
		else
			tq->tq_head = tk;
		tq->tq_tail = tk;
	}
	tq->tq_nqueued++;
	id = (taskqid_t)++tq->tq_ndispatched;
	fk_cond_signal(&tq->tq_work_cv);
	fk_lock_exit(&tq->tq_lock);
	return (id);
}

/* Wait until nothing is queued or running. */
void
taskq_wait(taskq_t *tq)
{
	fk_taskq_check(tq, "taskq_wait");
	fk_assert_may_block("taskq_wait");
	fk_lock_enter(&tq->tq_lock);
	if (fk_taskq_is_member(tq, fk_curthread())) {
		fk_lock_exit(&tq->tq_lock);
		panic("taskq_wait(%s) from one of its own tasks would never "
		    "return", tq->tq_name);
	}
	while (tq->tq_nqueued > 0 || tq->tq_nactive > 0)
		(void) fk_cond_wait(&tq->tq_done_cv, &tq->tq_lock, 0);
	fk_lock_exit(&tq->tq_lock);
}

void
taskq_destroy(taskq_t *tq)
{
	int i;

	fk_taskq_check(tq, "taskq_destroy");
	fk_assert_may_block("taskq_destroy");
	fk_lock_enter(&tq->tq_lock);
	if (fk_taskq_is_member(tq, fk_curthread())) {
		fk_lock_exit(&tq->tq_lock);
		panic("taskq_destroy(%s) from one of its own tasks",
		    tq->tq_name);
	}
	if (tq->tq_exiting) {
		fk_lock_exit(&tq->tq_lock);
		panic("taskq_destroy(%s): destroyed twice", tq->tq_name);
	}
	tq->tq_exiting = 1;
	tq->tq_suspended = 0;
	fk_cond_broadcast(&tq->tq_work_cv);
	fk_lock_exit(&tq->tq_lock);
	for (i = 0; i < tq->tq_nthreads; i++)
		(void) fk_thread_join(tq->tq_threads[i], NULL);
	VERIFY3S(tq->tq_nqueued, ==, 0);
	fk_taskq_free(tq);
	free(tq);
}

/*
 * Is thread one of tq's workers?  A kthread_t here is the thread's
 * fk_thread_t (fk_curthread(), which stands for curthread).
 */
int
taskq_member(taskq_t *tq, kthread_t *thread)
{
	int rv;

	fk_taskq_check(tq, "taskq_member");
	fk_lock_enter(&tq->tq_lock);
	rv = fk_taskq_is_member(tq, (fk_thread_t *)thread);
	fk_lock_exit(&tq->tq_lock);
	return (rv);
}

/*
 * ddi_taskq_create(9F): the name becomes "<driver><instance>_<name>" when
 * a dev_info_t is given.  Returns NULL on failure.
 */
ddi_taskq_t *
ddi_taskq_create(dev_info_t *dip, const char *name, int nthreads, pri_t pri,
    uint_t cflags)
{
	struct ddi_taskq *dtq;
	char full[FK_TASKQ_NAMELEN];

	(void) pri;
	fk_assert_may_block("ddi_taskq_create");
	if (name == NULL || nthreads < 1 || cflags != 0) {
		cmn_err(CE_WARN, "ddi_taskq_create: invalid arguments (name "
		    "%s, %d threads, flags %#x)", name != NULL ? name : "NULL",
		    nthreads, cflags);
		return (NULL);
	}
	if (dip != NULL) {
		(void) snprintf(full, sizeof (full), "%s%d_%s",
		    ddi_driver_name(dip), ddi_get_instance(dip), name);
	} else {
		(void) snprintf(full, sizeof (full), "%s", name);
	}
	if ((dtq = calloc(1, sizeof (*dtq))) == NULL)
		return (NULL);
	if (fk_taskq_setup(&dtq->dtq_tq, full, nthreads) != 0) {
		free(dtq);
		return (NULL);
	}
	return (dtq);
}

void
ddi_taskq_destroy(ddi_taskq_t *dtq)
{
	fk_taskq_check((taskq_t *)dtq, "ddi_taskq_destroy");
	taskq_destroy(&dtq->dtq_tq);
}

/*
 * Returns DDI_SUCCESS, or DDI_FAILURE when a DDI_NOSLEEP entry could not
 * be allocated.
 */
int
ddi_taskq_dispatch(ddi_taskq_t *dtq, void (*func)(void *), void *arg,
    uint_t dflags)
{
	uint_t flags;

	fk_taskq_check((taskq_t *)dtq, "ddi_taskq_dispatch");
	if (dflags != DDI_SLEEP && dflags != DDI_NOSLEEP)
		panic("ddi_taskq_dispatch(%s): flags %#x are neither "
		    "DDI_SLEEP nor DDI_NOSLEEP", dtq->dtq_tq.tq_name, dflags);
	if (dflags == DDI_SLEEP)
		fk_assert_may_block("ddi_taskq_dispatch(DDI_SLEEP)");
	flags = dflags == DDI_NOSLEEP ? TQ_NOSLEEP : TQ_SLEEP;
	return (taskq_dispatch(&dtq->dtq_tq, func, arg, flags) != 0 ?
	    DDI_SUCCESS : DDI_FAILURE);
}

void
ddi_taskq_wait(ddi_taskq_t *dtq)
{
	fk_taskq_check((taskq_t *)dtq, "ddi_taskq_wait");
	fk_assert_may_block("ddi_taskq_wait");
	taskq_wait(&dtq->dtq_tq);
}

void
ddi_taskq_suspend(ddi_taskq_t *dtq)
{
	taskq_t *tq = (taskq_t *)dtq;

	fk_taskq_check(tq, "ddi_taskq_suspend");
	fk_assert_may_block("ddi_taskq_suspend");
	fk_lock_enter(&tq->tq_lock);
	if (fk_taskq_is_member(tq, fk_curthread())) {
		fk_lock_exit(&tq->tq_lock);
		panic("ddi_taskq_suspend(%s) from one of its own tasks would "
		    "never return", tq->tq_name);
	}
	tq->tq_suspended = 1;
	while (tq->tq_nactive > 0)
		(void) fk_cond_wait(&tq->tq_done_cv, &tq->tq_lock, 0);
	fk_lock_exit(&tq->tq_lock);
}

boolean_t
ddi_taskq_suspended(ddi_taskq_t *dtq)
{
	taskq_t *tq = (taskq_t *)dtq;
	boolean_t rv;

	fk_taskq_check(tq, "ddi_taskq_suspended");
	fk_lock_enter(&tq->tq_lock);
	rv = tq->tq_suspended ? B_TRUE : B_FALSE;
	fk_lock_exit(&tq->tq_lock);
	return (rv);
}

void
ddi_taskq_resume(ddi_taskq_t *dtq)
{
	taskq_t *tq = (taskq_t *)dtq;

	fk_taskq_check(tq, "ddi_taskq_resume");
	fk_lock_enter(&tq->tq_lock);
	tq->tq_suspended = 0;
	fk_cond_broadcast(&tq->tq_work_cv);
	fk_lock_exit(&tq->tq_lock);
}

/*
 * system_taskq, for fk_init and fk_fini.
 */
void
fk_taskq_init(void)
{
	if (system_taskq == NULL) {
		system_taskq = taskq_create("system_taskq",
		    FK_SYSTEM_TASKQ_THREADS, minclsyspri, 0, 0, 0);
	}
}

void
fk_taskq_fini(void)
{
	taskq_t *tq = system_taskq;

	if (tq != NULL) {
		system_taskq = NULL;
		taskq_destroy(tq);
	}
}

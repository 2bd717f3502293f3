/*
 * Task queues: FIFO order, named workers, parallel workers, ddi_taskq
 * names from the node, DDI_NOSLEEP dispatch failing only when its
 * allocation fails, suspend/resume, wait, destroy draining the queue,
 * TQ_FRONT and TQ_NOQUEUE, taskq_member, system_taskq, a taskq used in a
 * fork()ed child, and the panics (waits and sleeping dispatch in
 * interrupt context, waiting from a task, a task returning with a mutex).
 */

#include <sys/types.h>
#include <sys/ddi.h>
#include <sys/sunddi.h>
#include <sys/taskq.h>
#include <sys/ksynch.h>
#include <sys/kmem.h>
#include <sys/time.h>
#include <fk.h>
#include <fk_impl.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "lib/expect.h"
#include "tdrv.h"

#define	NTASKS	100

static int seq[NTASKS];
static volatile int nseq;
static char worker_name[32];

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	(void) nanosleep(&ts, NULL);
}

static void
record(void *arg)
{
	int i = __atomic_fetch_add(&nseq, 1, __ATOMIC_SEQ_CST);

	if (i < NTASKS)
		seq[i] = (int)(intptr_t)arg;
	(void) strcpy(worker_name, fk_curthread()->t_name);
}

static void
test_fifo(void)
{
	ddi_taskq_t *tq;
	int i, inorder = 1, ok = 1;

	tq = ddi_taskq_create(NULL, "fifo", 1, TASKQ_DEFAULTPRI, 0);
	if (!CHECK("ddi_taskq_create: returns a taskq", tq != NULL,
	    "expected non-NULL"))
		return;
	nseq = 0;
	for (i = 0; i < NTASKS; i++) {
		ok &= ddi_taskq_dispatch(tq, record, (void *)(intptr_t)i,
		    DDI_SLEEP) == DDI_SUCCESS;
	}
	ddi_taskq_wait(tq);
	for (i = 0; i < NTASKS; i++)
		inorder &= seq[i] == i;
	CHECK("ddi_taskq_dispatch: DDI_SLEEP dispatches succeed", ok,
	    "expected DDI_SUCCESS");
	CHECK("ddi_taskq_wait: returns when every task has run",
	    nseq == NTASKS, "expected %d, saw %d", NTASKS, nseq);
	CHECK("ddi_taskq: one worker runs tasks in FIFO order", inorder,
	    "expected 0..%d in order", NTASKS - 1);
	CHECK("ddi_taskq: workers are named after the taskq",
	    strcmp(worker_name, "tq:fifo") == 0,
	    "expected \"tq:fifo\", saw \"%s\"", worker_name);
	ddi_taskq_destroy(tq);
}

static volatile int running_now, running_max;

static void
overlap(void *arg)
{
	int n = __atomic_add_fetch(&running_now, 1, __ATOMIC_SEQ_CST);
	int m;

	(void) arg;
	while ((m = running_max) < n &&
	    !__atomic_compare_exchange_n(&running_max, &m, n, 0,
	    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		continue;
	sleep_ms(50);
	(void) __atomic_sub_fetch(&running_now, 1, __ATOMIC_SEQ_CST);
}

static void
test_parallel(void)
{
	ddi_taskq_t *tq;
	dev_info_t *dip;
	hrtime_t t0, t1;
	int i;

	tq = ddi_taskq_create(NULL, "par", 4, TASKQ_DEFAULTPRI, 0);
	running_now = running_max = 0;
	t0 = gethrtime();
	for (i = 0; i < 8; i++)
		(void) ddi_taskq_dispatch(tq, overlap, NULL, DDI_SLEEP);
	ddi_taskq_wait(tq);
	t1 = gethrtime();
	ddi_taskq_destroy(tq);
	CHECK("ddi_taskq: several workers run tasks at once",
	    running_max >= 2 && running_max <= 4,
	    "expected 2..4 at once, saw %d", running_max);
	CHECK("ddi_taskq: parallel tasks finish sooner than in series",
	    t1 - t0 < MSEC2NSEC(8 * 50), "expected < 400 ms, saw %lld ns",
	    (long long)(t1 - t0));

	dip = tdrv_node(NULL, "1", 0);
	tq = ddi_taskq_create(dip, "disc", 1, TASKQ_DEFAULTPRI, 0);
	(void) ddi_taskq_dispatch(tq, record, NULL, DDI_SLEEP);
	ddi_taskq_wait(tq);
	ddi_taskq_destroy(tq);
	CHECK("ddi_taskq_create: names the taskq after the node",
	    strcmp(worker_name, "tq:tdrv0_disc") == 0,
	    "expected \"tq:tdrv0_disc\", saw \"%s\"", worker_name);
	CHECK("ddi_taskq_create: refuses flags and zero threads",
	    ddi_taskq_create(NULL, "bad", 1, TASKQ_DEFAULTPRI, 1) == NULL &&
	    ddi_taskq_create(NULL, "bad", 0, TASKQ_DEFAULTPRI, 0) == NULL,
	    "expected NULL");
}

typedef struct nosleep {
	ddi_taskq_t	*ns_tq;
	int		ns_rv;
} nosleep_t;

static void *
dispatch_in_intr(void *arg)
{
	nosleep_t *ns = arg;

	fk_intr_enter(5);
	ns->ns_rv = ddi_taskq_dispatch(ns->ns_tq, record, NULL, DDI_NOSLEEP);
	fk_intr_exit();
	return (NULL);
}

static void
test_nosleep(void)
{
	nosleep_t ns;
	fk_tid_t tid;
	int rv;

	ns.ns_tq = ddi_taskq_create(NULL, "nosleep", 1, TASKQ_DEFAULTPRI, 0);
	ns.ns_rv = -99;
	nseq = 0;
	(void) fk_thread_create(&tid, "intr", dispatch_in_intr, &ns);
	(void) fk_thread_join(tid, NULL);
	ddi_taskq_wait(ns.ns_tq);
	CHECK("ddi_taskq_dispatch: DDI_NOSLEEP works in interrupt context",
	    ns.ns_rv == DDI_SUCCESS && nseq == 1,
	    "expected DDI_SUCCESS and a run, saw %d, %d runs", ns.ns_rv,
	    nseq);

	fk_kmem_set_fail_nosleep(1);
	rv = ddi_taskq_dispatch(ns.ns_tq, record, NULL, DDI_NOSLEEP);
	fk_kmem_set_fail_nosleep(0);
	CHECK("ddi_taskq_dispatch: DDI_NOSLEEP fails when its allocation "
	    "fails", rv == DDI_FAILURE, "expected DDI_FAILURE, saw %d", rv);
	fk_kmem_set_fail_nosleep(1);
	rv = ddi_taskq_dispatch(ns.ns_tq, record, NULL, DDI_SLEEP);
	fk_kmem_set_fail_nosleep(0);
	CHECK("ddi_taskq_dispatch: DDI_SLEEP does not fail",
	    rv == DDI_SUCCESS, "expected DDI_SUCCESS, saw %d", rv);
	ddi_taskq_destroy(ns.ns_tq);
}

static volatile int slow_started, slow_done;

static void
slow_task(void *arg)
{
	(void) arg;
	slow_started = 1;
	sleep_ms((int)(intptr_t)arg);
	slow_done = 1;
}

static void
test_suspend(void)
{
	ddi_taskq_t *tq = ddi_taskq_create(NULL, "susp", 2,
	    TASKQ_DEFAULTPRI, 0);

	slow_started = slow_done = 0;
	(void) ddi_taskq_dispatch(tq, slow_task, (void *)(intptr_t)200,
	    DDI_SLEEP);
	while (!slow_started)
		sleep_ms(1);
	ddi_taskq_suspend(tq);
	CHECK("ddi_taskq_suspend: waits for running tasks", slow_done == 1,
	    "expected the running task finished");
	CHECK("ddi_taskq_suspended: true after suspend",
	    ddi_taskq_suspended(tq) == B_TRUE, "expected B_TRUE");
	nseq = 0;
	CHECK("ddi_taskq_dispatch: still queues while suspended",
	    ddi_taskq_dispatch(tq, record, NULL, DDI_SLEEP) == DDI_SUCCESS,
	    "expected DDI_SUCCESS");
	sleep_ms(100);
	CHECK("ddi_taskq_suspend: queued tasks do not start", nseq == 0,
	    "expected 0 runs, saw %d", nseq);
	ddi_taskq_resume(tq);
	ddi_taskq_wait(tq);
	CHECK("ddi_taskq_resume: queued tasks run", nseq == 1 &&
	    ddi_taskq_suspended(tq) == B_FALSE, "expected 1 run, saw %d",
	    nseq);

	nseq = 0;
	ddi_taskq_suspend(tq);
	(void) ddi_taskq_dispatch(tq, record, NULL, DDI_SLEEP);
	ddi_taskq_destroy(tq);
	CHECK("ddi_taskq_destroy: runs what a suspended taskq had queued",
	    nseq == 1, "expected 1 run, saw %d", nseq);
}

static void
test_destroy(void)
{
	ddi_taskq_t *tq = ddi_taskq_create(NULL, "drain", 1,
	    TASKQ_DEFAULTPRI, 0);
	int i;

	nseq = 0;
	for (i = 0; i < 10; i++) {
		(void) ddi_taskq_dispatch(tq, slow_task, (void *)(intptr_t)10,
		    DDI_SLEEP);
		(void) ddi_taskq_dispatch(tq, record, NULL, DDI_SLEEP);
	}
	ddi_taskq_destroy(tq);
	CHECK("ddi_taskq_destroy: waits for every queued task", nseq == 10,
	    "expected 10 runs, saw %d", nseq);
}

static kmutex_t gate_lock;
static kcondvar_t gate_cv;
static int gate_open;
static volatile int gate_waiting;

static void
gate(void *arg)
{
	(void) arg;
	mutex_enter(&gate_lock);
	gate_waiting = 1;
	while (!gate_open)
		cv_wait(&gate_cv, &gate_lock);
	mutex_exit(&gate_lock);
}

static int member_in_task;

static void
member_check(void *arg)
{
	member_in_task = taskq_member(arg, (kthread_t *)fk_curthread());
}

static void
test_taskq(void)
{
	taskq_t *tq = taskq_create("plain", 1, minclsyspri, 1, 1, 0);
	taskqid_t id;

	mutex_init(&gate_lock, NULL, MUTEX_DRIVER, NULL);
	cv_init(&gate_cv, NULL, CV_DRIVER, NULL);
	gate_open = 0;
	gate_waiting = 0;
	(void) taskq_dispatch(tq, gate, NULL, TQ_SLEEP);
	while (!gate_waiting)
		sleep_ms(1);
	nseq = 0;
	(void) taskq_dispatch(tq, record, (void *)1, TQ_SLEEP);
	(void) taskq_dispatch(tq, record, (void *)2, TQ_SLEEP);
	id = taskq_dispatch(tq, record, (void *)3, TQ_SLEEP | TQ_FRONT);
	CHECK("taskq_dispatch: returns a non-zero id", id != 0,
	    "expected non-zero");
	CHECK("taskq_dispatch: TQ_NOQUEUE fails with no idle worker",
	    taskq_dispatch(tq, record, (void *)4, TQ_NOQUEUE) == 0,
	    "expected 0");
	mutex_enter(&gate_lock);
	gate_open = 1;
	cv_broadcast(&gate_cv);
	mutex_exit(&gate_lock);
	taskq_wait(tq);
	CHECK("taskq_dispatch: TQ_FRONT goes to the head of the queue",
	    nseq == 3 && seq[0] == 3 && seq[1] == 1 && seq[2] == 2,
	    "expected 3, 1, 2, saw %d runs: %d %d %d", nseq, seq[0], seq[1],
	    seq[2]);
	CHECK("taskq_dispatch: TQ_NOQUEUE succeeds with an idle worker",
	    taskq_dispatch(tq, record, (void *)4, TQ_NOQUEUE) != 0,
	    "expected non-zero");
	taskq_wait(tq);

	(void) taskq_dispatch(tq, member_check, tq, TQ_SLEEP);
	taskq_wait(tq);
	CHECK("taskq_member: true for a worker", member_in_task == 1,
	    "expected 1");
	CHECK("taskq_member: false for another thread",
	    taskq_member(tq, (kthread_t *)fk_curthread()) == 0, "expected 0");
	taskq_destroy(tq);
	cv_destroy(&gate_cv);
	mutex_destroy(&gate_lock);

	nseq = 0;
	CHECK("system_taskq: exists after fk_init", system_taskq != NULL,
	    "expected non-NULL");
	(void) taskq_dispatch(system_taskq, record, NULL, TQ_SLEEP);
	taskq_wait(system_taskq);
	CHECK("system_taskq: runs tasks", nseq == 1, "expected 1 run, saw %d",
	    nseq);
}

/*
 * Deaths, and a child using a taskq its parent made.
 */
static ddi_taskq_t *shared_tq;

static void
child_uses_taskq(void *arg)
{
	(void) arg;
	nseq = 0;
	(void) ddi_taskq_dispatch(shared_tq, record, NULL, DDI_SLEEP);
	ddi_taskq_wait(shared_tq);
	if (nseq == 1)
		panic("child ran the task");
}

static void
die_wait_in_intr(void *arg)
{
	fk_intr_enter(5);
	ddi_taskq_wait(arg);
}

static void
die_taskq_wait_in_intr(void *arg)
{
	(void) arg;
	fk_intr_enter(5);
	taskq_wait(system_taskq);
}

static void
die_sleep_dispatch_in_intr(void *arg)
{
	fk_intr_enter(5);
	(void) ddi_taskq_dispatch(arg, record, NULL, DDI_SLEEP);
}

static void
wait_own(void *arg)
{
	ddi_taskq_wait(arg);
}

static void
die_wait_from_task(void *arg)
{
	(void) ddi_taskq_dispatch(arg, wait_own, arg, DDI_SLEEP);
	sleep_ms(5000);
}

static kmutex_t leak_lock;

static void
keep_lock(void *arg)
{
	(void) arg;
	mutex_enter(&leak_lock);
}

static void
die_task_holding(void *arg)
{
	mutex_init(&leak_lock, NULL, MUTEX_DRIVER, NULL);
	(void) ddi_taskq_dispatch(arg, keep_lock, NULL, DDI_SLEEP);
	sleep_ms(5000);
}

static void
test_deaths(void)
{
	shared_tq = ddi_taskq_create(NULL, "shared", 1, TASKQ_DEFAULTPRI, 0);
	expect_death("taskq: a fork()ed child gets workers of its own",
	    child_uses_taskq, NULL, "child ran the task");
	expect_death("ddi_taskq_wait: panics in interrupt context",
	    die_wait_in_intr, shared_tq, "ddi_taskq_wait in interrupt context");
	expect_death("taskq_wait: panics in interrupt context",
	    die_taskq_wait_in_intr, NULL, "taskq_wait in interrupt context");
	expect_death("ddi_taskq_dispatch: DDI_SLEEP panics in interrupt "
	    "context", die_sleep_dispatch_in_intr, shared_tq,
	    "ddi_taskq_dispatch(DDI_SLEEP) in interrupt context");
	expect_death("ddi_taskq_wait: from one of its own tasks panics",
	    die_wait_from_task, shared_tq, "from one of its own tasks would "
	    "never return");
	expect_death("taskq: a task returning with a mutex held panics",
	    die_task_holding, shared_tq, "taskq task return with a mutex "
	    "held");
	ddi_taskq_destroy(shared_tq);
}

int
main(void)
{
	fk_options_t o = { .fo_platform = "none", .fo_quiet = 1 };

	(void) alarm(120);
	CHECK("fk_init: starts", fk_init(&o) == 0, "expected 0");
	test_fifo();
	test_parallel();
	test_nosleep();
	test_suspend();
	test_destroy();
	test_taskq();
	test_deaths();
	return (check_exit());
}

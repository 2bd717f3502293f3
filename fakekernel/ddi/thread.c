/*
 * Threads and contexts.
 *
 * Every thread that enters the fakekernel has an fk_thread_t, reached
 * through a thread-local pointer.  Threads the fakekernel creates
 * (fk_thread_create: interrupt threads, taskq workers, timeout threads)
 * get one with their name before they run; any other thread (the test's
 * main thread, a thread a test starts itself) gets one the first time it
 * calls in, named after its pthread name.  The structure is freed when
 * the thread exits.
 *
 * Interrupt context is a property of the thread: fk_intr_enter() before a
 * handler runs, fk_intr_exit() after.  Calls the man pages forbid in
 * interrupt context (KM_SLEEP allocation, cv_wait, taskq_wait, ...) call
 * fk_assert_may_block(), which panics there and says which locks the
 * thread holds.  A handler that returns with a mutex it took still held
 * panics in fk_intr_exit(); a thread created by fk_thread_create() that
 * returns holding one panics too.
 *
 * CPU (<sys/cpuvar.h>) is the CPU the thread runs on now, per
 * sched_getcpu(); each CPU has one cpu_t, so the pointer is stable.
 *
 * fk_symbolize() turns code addresses into text for reports (witness,
 * panics).  It asks addr2line for function, file and line when the
 * program has debug information (the build uses -g), and falls back to
 * dladdr().  FK_SYMBOLIZE=0 in the environment skips addr2line.
 */

#define	_GNU_SOURCE	/* pthread_*name_np, sched_getcpu, dladdr */

#include <sys/types.h>
#include <sys/cmn_err.h>
#include <sys/cpuvar.h>
#include <sys/mutex.h>
#include <sys/debug.h>
#include <fk_impl.h>

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>

#define	FK_MAXCPU	1024

static __thread fk_thread_t *fk_self;
static pthread_key_t fk_thread_key;
static pthread_once_t fk_thread_once = PTHREAD_ONCE_INIT;

static cpu_t fk_cpus[FK_MAXCPU];
static pthread_once_t fk_cpu_once = PTHREAD_ONCE_INIT;

typedef struct fk_thread_start {
	char	ts_name[32];
	void	*(*ts_func)(void *);
	void	*ts_arg;
} fk_thread_start_t;

/*
 * Thread exit: the key's destructor frees the structure.  A thread that
 * ends holding a mutex leaves it owned by a dead thread: say so.
 */
static void
fk_thread_dtor(void *arg)
{
	fk_thread_t *t = arg;

	if (t->t_nheld != 0 || t->t_untracked != 0)
		fk_assert_unlocked("thread exit");
	fk_self = NULL;
	free(t);
}

static void
fk_thread_key_init(void)
{
	VERIFY0(pthread_key_create(&fk_thread_key, fk_thread_dtor));
}

static fk_thread_t *
fk_thread_alloc(const char *name)
{
	fk_thread_t *t;

	(void) pthread_once(&fk_thread_once, fk_thread_key_init);
	if ((t = calloc(1, sizeof (*t))) == NULL) {
		(void) fprintf(stderr, "fakekernel: out of memory for a "
		    "thread structure\n");
		abort();
	}
	t->t_tid = pthread_self();
	t->t_lwp = (pid_t)syscall(SYS_gettid);
	t->t_cpu = -1;
	if (name != NULL) {
		(void) snprintf(t->t_name, sizeof (t->t_name), "%s", name);
	} else if (t->t_lwp == getpid()) {
		(void) snprintf(t->t_name, sizeof (t->t_name), "main");
	} else if (pthread_getname_np(t->t_tid, t->t_name,
	    sizeof (t->t_name)) != 0 || t->t_name[0] == '\0') {
		(void) snprintf(t->t_name, sizeof (t->t_name), "lwp %d",
		    (int)t->t_lwp);
	}
	fk_self = t;
	VERIFY0(pthread_setspecific(fk_thread_key, t));
	return (t);
}

fk_thread_t *
fk_curthread(void)
{
	fk_thread_t *t = fk_self;

	if (__builtin_expect(t == NULL, 0))
		t = fk_thread_alloc(NULL);
	return (t);
}

/*
 * Name the calling thread (for reports, and for ps/top/gdb: Linux keeps
 * 15 characters of it).
 */
void
fk_thread_setname(const char *name)
{
	fk_thread_t *t = fk_curthread();
	char shortname[16];

	(void) snprintf(t->t_name, sizeof (t->t_name), "%s", name);
	(void) snprintf(shortname, sizeof (shortname), "%s", name);
	(void) pthread_setname_np(pthread_self(), shortname);
}

static void *
fk_thread_trampoline(void *arg)
{
	fk_thread_start_t ts = *(fk_thread_start_t *)arg;
	void *rv;

	free(arg);
	(void) fk_thread_alloc(ts.ts_name);
	fk_thread_setname(ts.ts_name);
	rv = ts.ts_func(ts.ts_arg);
	fk_assert_unlocked("thread return");
	return (rv);
}

/*
 * Start a named thread.  Returns 0 or an errno value, as pthread_create.
 * With tidp NULL nobody will join the thread: it is detached.
 */
int
fk_thread_create(pthread_t *tidp, const char *name, void *(*func)(void *),
    void *arg)
{
	fk_thread_start_t *ts;
	pthread_t tid;
	int err;

	if ((ts = malloc(sizeof (*ts))) == NULL)
		return (ENOMEM);
	(void) snprintf(ts->ts_name, sizeof (ts->ts_name), "%s",
	    name != NULL ? name : "fk thread");
	ts->ts_func = func;
	ts->ts_arg = arg;
	if ((err = pthread_create(&tid, NULL, fk_thread_trampoline, ts)) !=
	    0) {
		free(ts);
		return (err);
	}
	if (tidp != NULL)
		*tidp = tid;
	else
		(void) pthread_detach(tid);
	return (0);
}

/*
 * Interrupt context.  Entries nest (a depth count); the priority is the
 * innermost one's.  The locks held when the outermost entry began must be
 * exactly the locks held when it ends.
 */
void
fk_intr_enter(uint_t pri)
{
	fk_thread_t *t = fk_curthread();

	if (t->t_intr++ == 0)
		t->t_intr_nheld = t->t_nheld;
	t->t_intr_pri = pri;
}

void
fk_intr_exit(void)
{
	fk_thread_t *t = fk_curthread();
	char held[1024];

	if (t->t_intr <= 0)
		panic("fk_intr_exit: thread \"%s\" is not in interrupt "
		    "context", t->t_name);
	if (t->t_intr == 1 && t->t_nheld != t->t_intr_nheld) {
		(void) fk_held_describe(t, held, sizeof (held));
		panic("interrupt handler returned holding a mutex "
		    "(thread \"%s\", held %d at entry, %d now: %s)",
		    t->t_name, t->t_intr_nheld, t->t_nheld, held);
	}
	if (--t->t_intr == 0)
		t->t_intr_pri = 0;
}

int
fk_in_intr(void)
{
	return (fk_curthread()->t_intr > 0);
}

/*
 * "what" is the operation: "cv_wait", "KM_SLEEP allocation", ...; the
 * panic reads "<what> in interrupt context".
 */
void
fk_assert_may_block(const char *what)
{
	fk_thread_t *t = fk_curthread();
	char held[1024];

	if (__builtin_expect(t->t_intr == 0, 1))
		return;
	(void) fk_held_describe(t, held, sizeof (held));
	panic("%s in interrupt context (thread \"%s\", interrupt priority "
	    "%u; holding %s)", what, t->t_name, t->t_intr_pri, held);
}

void
fk_assert_unlocked(const char *what)
{
	fk_thread_t *t = fk_curthread();
	char held[1024];

	if (__builtin_expect(t->t_nheld == 0 && t->t_untracked == 0, 1))
		return;
	(void) fk_held_describe(t, held, sizeof (held));
	panic("%s with a mutex held (thread \"%s\"): %s", what, t->t_name,
	    held);
}

/*
 * The locks a thread holds, as text: "lock (taken at where), ...".
 */
size_t
fk_held_describe(fk_thread_t *t, char *buf, size_t len)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	if (t->t_nheld == 0 && t->t_untracked == 0)
		return (snprintf(buf, len, "no mutex"));
	for (i = 0; i < t->t_nheld && off < len; i++) {
		off += snprintf(buf + off, len - off, "%s", i > 0 ? "; " : "");
		if (off < len) {
			off += fk_mutex_describe(t->t_held[i],
			    t->t_held_pc[i], buf + off, len - off);
		}
	}
	if (t->t_untracked != 0 && off < len) {
		off += snprintf(buf + off, len - off, "; %d more",
		    t->t_untracked);
	}
	return (off < len ? off : len - 1);
}

static void
fk_cpu_init(void)
{
	int i;

	for (i = 0; i < FK_MAXCPU; i++)
		fk_cpus[i].cpu_id = i;
}

cpu_t *
fk_cpu(void)
{
	int id;

	(void) pthread_once(&fk_cpu_once, fk_cpu_init);
	id = sched_getcpu();
	if (id < 0)
		id = 0;
	return (&fk_cpus[id % FK_MAXCPU]);
}

/*
 * Symbolization.
 */

/* The load address of the main program, to name it /proc/<pid>/exe. */
static void *
fk_main_base(void)
{
	static void *base;
	Dl_info info;

	if (base == NULL && dladdr((void *)getauxval(AT_PHDR), &info) != 0)
		base = info.dli_fbase;
	return (base);
}

typedef struct fk_sym {
	Dl_info		s_info;
	int		s_found;	/* dladdr knew the address */
	int		s_done;		/* out[] has the final text */
	unsigned long	s_addr;		/* for addr2line */
} fk_sym_t;

/* What dladdr alone can say: "symbol+0x1c" or "object(+0x1234)". */
static void
fk_sym_dladdr(void *pc, fk_sym_t *sp, char *out, size_t len)
{
	const Elf64_Ehdr *eh;
	const char *obj;

	sp->s_found = pc != NULL && dladdr((char *)pc - 1, &sp->s_info) != 0;
	if (!sp->s_found) {
		if (pc == NULL)
			(void) snprintf(out, len, "(unknown)");
		else
			(void) snprintf(out, len, "%p", pc);
		sp->s_done = 1;
		return;
	}
	eh = sp->s_info.dli_fbase;
	sp->s_addr = (uintptr_t)pc - 1;
	if (eh->e_type == ET_DYN)
		sp->s_addr -= (uintptr_t)sp->s_info.dli_fbase;
	if (sp->s_info.dli_sname != NULL) {
		(void) snprintf(out, len, "%s+0x%lx", sp->s_info.dli_sname,
		    (unsigned long)((uintptr_t)pc -
		    (uintptr_t)sp->s_info.dli_saddr));
		return;
	}
	obj = sp->s_info.dli_fname != NULL ?
	    strrchr(sp->s_info.dli_fname, '/') : NULL;
	obj = obj != NULL ? obj + 1 : sp->s_info.dli_fname;
	(void) snprintf(out, len, "%s(+0x%lx)", obj != NULL ? obj : "?",
	    (unsigned long)((uintptr_t)pc - (uintptr_t)sp->s_info.dli_fbase));
}

/*
 * One addr2line run for every address of the object syms[first] is in:
 * "function (file:line)" where the debug information has it.
 */
static void
fk_sym_addr2line(fk_sym_t *syms, int n, int first, char (*out)[160])
{
	void *fbase = syms[first].s_info.dli_fbase;
	char cmd[4096], fn[256], where[512], exe[32];
	const char *path, *file;
	int i, nq = 0, *q;
	size_t off;
	FILE *fp;

	(void) snprintf(exe, sizeof (exe), "/proc/%d/exe", (int)getpid());
	path = fbase == fk_main_base() ? exe : syms[first].s_info.dli_fname;
	if (path == NULL || strchr(path, '\'') != NULL ||
	    (q = malloc((size_t)n * sizeof (int))) == NULL)
		return;
	off = (size_t)snprintf(cmd, sizeof (cmd),
	    "/usr/bin/addr2line -f -e '%s'", path);
	for (i = first; i < n && off < sizeof (cmd) - 64; i++) {
		if (!syms[i].s_found || syms[i].s_done ||
		    syms[i].s_info.dli_fbase != fbase)
			continue;
		syms[i].s_done = 1;
		q[nq++] = i;
		off += (size_t)snprintf(cmd + off, sizeof (cmd) - off,
		    " 0x%lx", syms[i].s_addr);
	}
	(void) snprintf(cmd + off, sizeof (cmd) - off, " 2>/dev/null");
	if ((fp = popen(cmd, "r")) == NULL) {
		free(q);
		return;
	}
	for (i = 0; i < nq; i++) {
		if (fgets(fn, sizeof (fn), fp) == NULL ||
		    fgets(where, sizeof (where), fp) == NULL)
			break;
		fn[strcspn(fn, "\n")] = '\0';
		where[strcspn(where, "\n ")] = '\0';
		if (strcmp(fn, "??") == 0 || strncmp(where, "??", 2) == 0)
			continue;
		file = strrchr(where, '/');
		if (snprintf(out[q[i]], sizeof (out[q[i]]), "%s (%s)", fn,
		    file != NULL ? file + 1 : where) >= (int)sizeof (out[q[i]]))
			out[q[i]][sizeof (out[q[i]]) - 1] = '\0';
	}
	(void) pclose(fp);
	free(q);
}

/*
 * pcs[0..n) as text in out[0..n).  Return addresses: the line reported
 * is the call's.
 */
void
fk_symbolize(void *const *pcs, int n, char (*out)[160])
{
	const char *env = getenv("FK_SYMBOLIZE");
	fk_sym_t *syms;
	int i;

	if ((syms = calloc((size_t)(n > 0 ? n : 1), sizeof (*syms))) == NULL) {
		for (i = 0; i < n; i++)
			(void) snprintf(out[i], sizeof (out[i]), "%p", pcs[i]);
		return;
	}
	for (i = 0; i < n; i++)
		fk_sym_dladdr(pcs[i], &syms[i], out[i], sizeof (out[i]));
	if ((env == NULL || strcmp(env, "0") != 0) &&
	    access("/usr/bin/addr2line", X_OK) == 0) {
		for (i = 0; i < n; i++) {
			if (syms[i].s_found && !syms[i].s_done)
				fk_sym_addr2line(syms, n, i, out);
		}
	}
	free(syms);
}

/*
 * cmn_err(9F), dev_err(9F), panic and assertion failures.
 *
 * Destinations
 * ------------
 * A message's first character chooses where it goes, as in illumos:
 *	"!"	the log only;
 *	"^"	the console only;
 *	"?"	the log, and the console too when the system was booted
 *		verbose (FK_VERBOSE=1 in the environment);
 *	other	both.
 * The fakekernel's log is an in-memory list every message lands in
 * (console-only ones too, flagged as such) with its level and the time:
 * tests read it through fk_log_count(), fk_log_get(), fk_log_find().  The
 * "console" is standard error, unless FK_QUIET=1.
 *
 * Levels
 * ------
 * CE_NOTE and CE_WARN are whole lines; the console shows them as
 * "NOTICE: ..." and "WARNING: ...".  CE_CONT text is printed as it is and
 * continues the current line: fragments accumulate (per thread) until a
 * newline ends the line, which then becomes one log entry.  A CE_NOTE or
 * CE_WARN ends any pending fragment first.  CE_IGNORE prints nothing.
 * CE_PANIC panics.  A log entry's text carries no level word, no control
 * character and no trailing newline; dev_err's "driver0: " prefix is
 * part of it.
 *
 * Panic
 * -----
 * panic(), vpanic(), cmn_err(CE_PANIC), assfail() and assfail3() print
 * "panic: <message>", the thread's name and the stack to standard error
 * (always, quiet or not) and abort().  panicstr holds the message while
 * that happens.  The stack is symbolized (fk_symbolize: function and
 * line) unless FK_SYMBOLIZE=0, in which case, and for a panic inside a
 * panic, it is execinfo's backtrace_symbols_fd() output.  A second thread
 * that panics meanwhile prints its message and waits for the first to
 * end the process.
 *
 * Traps
 * -----
 * A wild memory access, an illegal instruction or an arithmetic fault in
 * any thread (SIGSEGV, SIGBUS, SIGILL, SIGFPE) is a panic too, as
 * illumos's "BAD TRAP" is: "panic: BAD TRAP: SIGSEGV (address 0x...) in
 * <the faulting function>" and the faulting thread's stack (fk_trap_init, called by fk_init; not
 * under AddressSanitizer, which reports these itself).
 */

#define	_GNU_SOURCE	/* asprintf, vasprintf; REG_RIP */

#include <sys/types.h>
#include <sys/cmn_err.h>
#include <sys/debug.h>
#include <sys/sunddi.h>
#include <sys/systm.h>
#include <sys/time.h>
#include <fk_impl.h>
#include <fk.h>

#include <errno.h>
#include <signal.h>
#include <ucontext.h>
#include <execinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define	FK_LOG_MAX	(1U << 22)	/* entries kept; later ones dropped */
#define	FK_CONT_MAX	1024		/* a pending CE_CONT line */
#define	FK_PANIC_FRAMES	32

char *volatile panicstr;

static fk_lock_t fk_log_lock = FK_LOCK_INIT;
static fk_logmsg_t **fk_log_msgs;
static uint_t fk_log_n;
static uint_t fk_log_cap;
static uint_t fk_log_nconsole;
static uint64_t fk_log_dropped;

/* A CE_CONT line in progress on this thread. */
static __thread char fk_cont_buf[FK_CONT_MAX];
static __thread size_t fk_cont_len;
static __thread int fk_cont_console;

static fk_lock_t fk_panic_lock = FK_LOCK_INIT;
static __thread int fk_panicking;
static char fk_panic_msg[1024];

/*
 * FK_QUIET and FK_VERBOSE: fk_init() sets these; before it, the
 * environment decides.
 */
static int
fk_env_flag(const char *name)
{
	const char *v = getenv(name);

	return (v != NULL && v[0] != '\0' && strcmp(v, "0") != 0);
}

static int
fk_console_quiet(void)
{
	if (fk_quiet < 0)
		fk_quiet = fk_env_flag("FK_QUIET");
	return (fk_quiet);
}

static int
fk_console_verbose(void)
{
	if (fk_verbose < 0)
		fk_verbose = fk_env_flag("FK_VERBOSE");
	return (fk_verbose);
}

/*
 * The console: standard error, one write per piece so that lines from
 * different threads interleave whole.
 */
static void
fk_console_write(int level, const char *text, int newline)
{
	const char *word = "";
	char *line;
	int n;

	if (fk_console_quiet())
		return;
	if (level == CE_NOTE)
		word = "NOTICE: ";
	else if (level == CE_WARN)
		word = "WARNING: ";
	n = asprintf(&line, "%s%s%s", word, text, newline ? "\n" : "");
	if (n < 0)
		return;
	(void) write(STDERR_FILENO, line, (size_t)n);
	free(line);
}

static int
fk_log_grow(void)
{
	fk_logmsg_t **nm;
	uint_t ncap;

	ncap = fk_log_cap == 0 ? 256 : fk_log_cap * 2;
	if ((nm = realloc(fk_log_msgs, ncap * sizeof (*nm))) == NULL)
		return (-1);
	fk_log_msgs = nm;
	fk_log_cap = ncap;
	return (0);
}

/*
 * Keep one complete message.  Entries are never moved or freed, so the
 * pointers fk_log_get() hands out stay valid.
 */
static void
fk_log_store(int level, int console, const char *text)
{
	fk_logmsg_t *m;
	size_t len = strlen(text);

	if ((m = malloc(sizeof (*m) + len + 1)) == NULL)
		return;
	(void) memcpy((char *)(m + 1), text, len + 1);
	m->lm_level = level;
	m->lm_console = console;
	m->lm_text = (const char *)(m + 1);
	m->lm_time = gethrtime();

	fk_lock_enter(&fk_log_lock);
	if (fk_log_n >= FK_LOG_MAX ||
	    (fk_log_n == fk_log_cap && fk_log_grow() != 0)) {
		fk_log_dropped++;
		fk_lock_exit(&fk_log_lock);
		free(m);
		return;
	}
	fk_log_msgs[fk_log_n++] = m;
	if (console)
		fk_log_nconsole++;
	fk_lock_exit(&fk_log_lock);
}

/*
 * A complete message from anywhere in the fakekernel: into the log, and
 * to the console when "console" says so.
 */
void
fk_log_append(int level, int console, const char *text)
{
	fk_log_store(level, console, text);
	if (console)
		fk_console_write(level, text, 1);
}

/* End this thread's pending CE_CONT line, if any, as a log entry. */
static void
fk_cont_flush(void)
{
	if (fk_cont_len == 0)
		return;
	fk_cont_buf[fk_cont_len] = '\0';
	fk_log_store(CE_CONT, fk_cont_console, fk_cont_buf);
	fk_cont_len = 0;
}

/*
 * CE_CONT: the text goes to the console as it is; in the log it joins the
 * pending line, and each newline ends a log entry.
 */
static void
fk_cont_add(int tolog, int console, const char *text)
{
	const char *p;
	size_t n;

	if (console)
		fk_console_write(CE_CONT, text, 0);
	if (!tolog && !console)
		return;
	for (p = text; *p != '\0'; p += n) {
		n = strcspn(p, "\n");
		if (fk_cont_len == 0)
			fk_cont_console = console;
		if (n > FK_CONT_MAX - 1 - fk_cont_len) {
			/* An overlong line is cut into entries. */
			size_t room = FK_CONT_MAX - 1 - fk_cont_len;

			(void) memcpy(fk_cont_buf + fk_cont_len, p, room);
			fk_cont_len += room;
			fk_cont_flush();
			n = room;
			continue;
		}
		(void) memcpy(fk_cont_buf + fk_cont_len, p, n);
		fk_cont_len += n;
		if (p[n] == '\n') {
			if (fk_cont_len == 0) {
				/* An empty line is still a line. */
				fk_log_store(CE_CONT, console, "");
			}
			fk_cont_flush();
			n++;
		}
	}
}

/*
 * Where a message goes, from its first character; *textp skips it.
 */
static void
fk_destination(const char **textp, int *tolog, int *console)
{
	const char *t = *textp;

	*tolog = 1;
	*console = 1;
	switch (t[0]) {
	case '!':
		*console = 0;
		t++;
		break;
	case '^':
		*tolog = 0;
		t++;
		break;
	case '?':
		*console = fk_console_verbose();
		t++;
		break;
	default:
		break;
	}
	*textp = t;
}

/*
 * One formatted message (control character included) at a level.
 */
static void
fk_message(int level, const char *msg)
{
	const char *text = msg;
	int tolog, console;
	size_t len;
	char *copy;

	if (level == CE_IGNORE)
		return;
	if (level == CE_PANIC)
		panic("%s", msg[0] == '!' || msg[0] == '^' || msg[0] == '?' ?
		    msg + 1 : msg);
	fk_destination(&text, &tolog, &console);
	if (level == CE_CONT) {
		fk_cont_add(tolog, console, text);
		return;
	}
	fk_cont_flush();
	/* A line's trailing newline is the line's end, not text. */
	len = strlen(text);
	while (len > 0 && text[len - 1] == '\n')
		len--;
	if ((copy = strndup(text, len)) == NULL)
		return;
	fk_log_store(level, console, copy);
	if (console)
		fk_console_write(level, copy, 1);
	free(copy);
}

void
vcmn_err(int level, const char *fmt, va_list ap)
{
	char *msg;

	if (level < CE_CONT || level > CE_IGNORE)
		panic("cmn_err: bad level %d (format \"%s\")", level, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		return;
	fk_message(level, msg);
	free(msg);
}

void
cmn_err(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcmn_err(level, fmt, ap);
	va_end(ap);
}

/*
 * dev_err(9F): the message is prefixed "<driver><instance>: "; a leading
 * control character keeps its meaning and stays in front.
 */
void
vdev_err(dev_info_t *dip, int level, const char *fmt, va_list ap)
{
	char *body, *msg;
	const char *text;
	char ctl[2] = { '\0', '\0' };

	if (dip == NULL)
		panic("dev_err: NULL dev_info_t (format \"%s\")", fmt);
	if (vasprintf(&body, fmt, ap) < 0)
		return;
	text = body;
	if (text[0] == '!' || text[0] == '^' || text[0] == '?')
		ctl[0] = *text++;
	if (asprintf(&msg, "%s%s%d: %s", ctl, ddi_driver_name(dip),
	    ddi_get_instance(dip), text) >= 0) {
		if (level < CE_CONT || level > CE_IGNORE)
			panic("dev_err: bad level %d (%s)", level, msg);
		fk_message(level, msg);
		free(msg);
	}
	free(body);
}

void
dev_err(dev_info_t *dip, int level, char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdev_err(dip, level, fmt, ap);
	va_end(ap);
}

/*
 * The log, for tests.
 */
uint_t
fk_log_count(void)
{
	uint_t n;

	fk_lock_enter(&fk_log_lock);
	n = fk_log_n;
	fk_lock_exit(&fk_log_lock);
	return (n);
}

uint_t
fk_log_console_count(void)
{
	uint_t n;

	fk_lock_enter(&fk_log_lock);
	n = fk_log_nconsole;
	fk_lock_exit(&fk_log_lock);
	return (n);
}

const fk_logmsg_t *
fk_log_get(uint_t i)
{
	const fk_logmsg_t *m = NULL;

	fk_lock_enter(&fk_log_lock);
	if (i < fk_log_n)
		m = fk_log_msgs[i];
	fk_lock_exit(&fk_log_lock);
	return (m);
}

/* The first entry at or after "start" whose text contains "what". */
int
fk_log_find(const char *what, uint_t start)
{
	int found = -1;
	uint_t i;

	fk_lock_enter(&fk_log_lock);
	for (i = start; i < fk_log_n; i++) {
		if (strstr(fk_log_msgs[i]->lm_text, what) != NULL) {
			found = (int)i;
			break;
		}
	}
	fk_lock_exit(&fk_log_lock);
	return (found);
}

/* Entries the log had no room for (fk_fini reports them). */
uint64_t
fk_log_dropped_count(void)
{
	uint64_t n;

	fk_lock_enter(&fk_log_lock);
	n = fk_log_dropped;
	fk_lock_exit(&fk_log_lock);
	return (n);
}

/* End the calling thread's pending CE_CONT line. */
void
fk_log_flush(void)
{
	fk_cont_flush();
}

/*
 * Panic.
 */
static void
fk_panic_puts(const char *s)
{
	size_t len = strlen(s);
	ssize_t n;

	while (len > 0) {
		n = write(STDERR_FILENO, s, len);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return;
		}
		s += n;
		len -= (size_t)n;
	}
}

static void
fk_panic_stack(int raw)
{
	void *pcs[FK_PANIC_FRAMES];
	char (*sym)[160];
	char line[200];
	int n, i;
	const char *env = getenv("FK_SYMBOLIZE");

	/* Frame 0 is this function: leave it out. */
	n = backtrace(pcs, FK_PANIC_FRAMES) - 1;
	fk_panic_puts("stack:\n");
	if (raw || (env != NULL && strcmp(env, "0") == 0) ||
	    (sym = calloc((size_t)n, sizeof (*sym))) == NULL) {
		backtrace_symbols_fd(pcs + 1, n, STDERR_FILENO);
		return;
	}
	fk_symbolize(pcs + 1, n, sym);
	for (i = 0; i < n; i++) {
		(void) snprintf(line, sizeof (line), "\t#%d %s\n", i, sym[i]);
		fk_panic_puts(line);
	}
	free(sym);
}

void
vpanic(const char *fmt, va_list ap)
{
	char msg[1024];
	char line[1200];
	fk_thread_t *t;

	(void) vsnprintf(msg, sizeof (msg), fmt, ap);
	if (fk_panicking++ != 0) {
		/* A panic while reporting a panic: say it plainly, stop. */
		(void) snprintf(line, sizeof (line), "panic: (recursive) %s\n",
		    msg);
		fk_panic_puts(line);
		fk_panic_stack(1);
		abort();
	}
	if (!fk_lock_tryenter(&fk_panic_lock)) {
		(void) snprintf(line, sizeof (line), "panic: (while another "
		    "thread panics) %s\n", msg);
		fk_panic_puts(line);
		fk_lock_enter(&fk_panic_lock);
		abort();
	}
	(void) snprintf(fk_panic_msg, sizeof (fk_panic_msg), "%s", msg);
	panicstr = fk_panic_msg;
	t = fk_curthread();
	(void) snprintf(line, sizeof (line), "\npanic: %s\nthread: \"%s\"%s\n",
	    msg, t->t_name, t->t_intr > 0 ? " (in interrupt context)" : "");
	fk_panic_puts(line);
	fk_panic_stack(0);
	abort();
}

/*
 * Traps.  The handler runs on the faulting thread's stack; the panic it
 * raises ends the process, so what it calls need not be async-signal
 * safe (as illumos's trap handler, it only has to report).
 */
static void *
fk_trap_pc(const ucontext_t *uc)
{
#if defined(__x86_64__)
	return ((void *)uc->uc_mcontext.gregs[REG_RIP]);
#elif defined(__aarch64__)
	return ((void *)uc->uc_mcontext.pc);
#else
	return (NULL);
#endif
}

static void
fk_trap(int sig, siginfo_t *si, void *uc)
{
	const char *name = sig == SIGSEGV ? "SIGSEGV" : sig == SIGBUS ?
	    "SIGBUS" : sig == SIGILL ? "SIGILL" : "SIGFPE";
	void *pc = fk_trap_pc(uc);
	char where[1][160];

	(void) signal(sig, SIG_DFL);	/* a fault in here ends it plainly */
	/* fk_symbolize reads return addresses (it looks 1 byte back) */
	pc = (char *)pc + 1;
	fk_symbolize(&pc, 1, where);
	panic("BAD TRAP: %s (address %p) in %s", name, si->si_addr,
	    where[0]);
}

void
fk_trap_init(void)
{
#ifndef __SANITIZE_ADDRESS__
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE };
	struct sigaction sa;

	(void) memset(&sa, 0, sizeof (sa));
	sa.sa_sigaction = fk_trap;
	sa.sa_flags = SA_SIGINFO;
	(void) sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof (sigs) / sizeof (sigs[0]); i++)
		(void) sigaction(sigs[i], &sa, NULL);
#endif
}

void
panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpanic(fmt, ap);
	/* NOTREACHED */
}

void
assfail(const char *expr, const char *file, int line)
{
	panic("assertion failed: %s, file: %s, line: %d", expr, file, line);
}

void
assfail3(const char *expr, uintmax_t left, const char *op, uintmax_t right,
    const char *file, int line)
{
	panic("assertion failed: %s (0x%jx %s 0x%jx), file: %s, line: %d",
	    expr, left, op, right, file, line);
}

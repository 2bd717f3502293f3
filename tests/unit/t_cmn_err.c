/*
 * cmn_err(9F) and dev_err(9F): levels and their console words, the "!",
 * "^" and "?" destinations, CE_CONT line continuation, dev_err's prefix,
 * the in-memory log, quiet mode; and panics (CE_PANIC, panic, ASSERT,
 * VERIFY3U) with their report and stack.
 */

#include <sys/types.h>
#include <sys/cmn_err.h>
#include <sys/debug.h>
#include <sys/sunddi.h>
#include <sys/systm.h>
#include <fk.h>
#include <fk_impl.h>

#include <elf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "lib/expect.h"
#include "tdrv.h"

/*
 * Capturing standard error around a few calls.
 */
static int cap_saved = -1;
static FILE *cap_file;
static char cap_buf[4096];

static void
cap_start(void)
{
	(void) fflush(stderr);
	cap_file = tmpfile();
	cap_saved = dup(STDERR_FILENO);
	(void) dup2(fileno(cap_file), STDERR_FILENO);
}

static const char *
cap_end(void)
{
	size_t n;

	(void) fflush(stderr);
	(void) dup2(cap_saved, STDERR_FILENO);
	(void) close(cap_saved);
	rewind(cap_file);
	n = fread(cap_buf, 1, sizeof (cap_buf) - 1, cap_file);
	cap_buf[n] = '\0';
	(void) fclose(cap_file);
	return (cap_buf);
}

/* The newest log entry. */
static const fk_logmsg_t *
last(void)
{
	uint_t n = fk_log_count();

	return (n == 0 ? NULL : fk_log_get(n - 1));
}

static void
test_levels(void)
{
	const fk_logmsg_t *m;
	const char *out;
	uint_t n0 = fk_log_count(), c0 = fk_log_console_count();

	cap_start();
	cmn_err(CE_NOTE, "hello %d", 1);
	out = cap_end();
	m = last();
	CHECK("cmn_err: CE_NOTE is logged with its level and text",
	    fk_log_count() == n0 + 1 && m->lm_level == CE_NOTE &&
	    strcmp(m->lm_text, "hello 1") == 0 && m->lm_console == 1,
	    "expected one CE_NOTE \"hello 1\", saw %u new, \"%s\"",
	    fk_log_count() - n0, m != NULL ? m->lm_text : "");
	CHECK("cmn_err: CE_NOTE reads NOTICE: on the console",
	    strcmp(out, "NOTICE: hello 1\n") == 0,
	    "expected \"NOTICE: hello 1\\n\", saw \"%s\"", out);
	CHECK("cmn_err: console messages are counted",
	    fk_log_console_count() == c0 + 1, "expected %u, saw %u", c0 + 1,
	    fk_log_console_count());

	cap_start();
	cmn_err(CE_WARN, "disk %s is gone\n", "sd3");
	out = cap_end();
	m = last();
	CHECK("cmn_err: CE_WARN reads WARNING: on the console",
	    strcmp(out, "WARNING: disk sd3 is gone\n") == 0,
	    "expected \"WARNING: disk sd3 is gone\\n\", saw \"%s\"", out);
	CHECK("cmn_err: a trailing newline is not part of the logged text",
	    m->lm_level == CE_WARN && strcmp(m->lm_text, "disk sd3 is gone") ==
	    0, "expected \"disk sd3 is gone\", saw \"%s\"", m->lm_text);

	n0 = fk_log_count();
	cap_start();
	cmn_err(CE_IGNORE, "nothing");
	out = cap_end();
	CHECK("cmn_err: CE_IGNORE prints and logs nothing",
	    fk_log_count() == n0 && out[0] == '\0',
	    "expected nothing, saw %u entries, \"%s\"", fk_log_count() - n0,
	    out);
}

static void
test_destinations(void)
{
	const fk_logmsg_t *m;
	const char *out;
	uint_t c0 = fk_log_console_count();

	cap_start();
	cmn_err(CE_WARN, "!log only %d", 2);
	out = cap_end();
	m = last();
	CHECK("cmn_err: \"!\" messages are logged",
	    m != NULL && strcmp(m->lm_text, "log only 2") == 0 &&
	    m->lm_console == 0, "expected \"log only 2\" off console, saw "
	    "\"%s\" console %d", m != NULL ? m->lm_text : "",
	    m != NULL ? m->lm_console : -1);
	CHECK("cmn_err: \"!\" messages stay off the console",
	    out[0] == '\0' && fk_log_console_count() == c0,
	    "expected no output, saw \"%s\"", out);

	cap_start();
	cmn_err(CE_NOTE, "^console only");
	out = cap_end();
	m = last();
	CHECK("cmn_err: \"^\" messages reach the console",
	    strcmp(out, "NOTICE: console only\n") == 0,
	    "expected \"NOTICE: console only\\n\", saw \"%s\"", out);
	CHECK("cmn_err: \"^\" messages are marked console in the log",
	    strcmp(m->lm_text, "console only") == 0 && m->lm_console == 1,
	    "expected \"console only\" on console, saw \"%s\" %d",
	    m->lm_text, m->lm_console);

	cap_start();
	cmn_err(CE_CONT, "?boot detail\n");
	out = cap_end();
	m = last();
	CHECK("cmn_err: \"?\" messages are log-only when not verbose",
	    out[0] == '\0' && strcmp(m->lm_text, "boot detail") == 0 &&
	    m->lm_console == 0, "expected log only, saw \"%s\" and \"%s\" %d",
	    out, m->lm_text, m->lm_console);

	fk_verbose = 1;
	cap_start();
	cmn_err(CE_CONT, "?verbose detail\n");
	out = cap_end();
	fk_verbose = 0;
	CHECK("cmn_err: \"?\" messages reach the console when verbose",
	    strcmp(out, "verbose detail\n") == 0,
	    "expected \"verbose detail\\n\", saw \"%s\"", out);

	fk_quiet = 1;
	c0 = fk_log_console_count();
	cap_start();
	cmn_err(CE_WARN, "quietly");
	out = cap_end();
	fk_quiet = 0;
	m = last();
	CHECK("cmn_err: quiet mode keeps console messages off stderr but "
	    "in the log", out[0] == '\0' && m->lm_console == 1 &&
	    strcmp(m->lm_text, "quietly") == 0 &&
	    fk_log_console_count() == c0 + 1,
	    "expected silence and a console entry, saw \"%s\"", out);
}

static void
test_cont(void)
{
	const fk_logmsg_t *m;
	const char *out;
	uint_t n0 = fk_log_count();

	cap_start();
	cmn_err(CE_CONT, "abc");
	cmn_err(CE_CONT, "def %d", 1);
	cmn_err(CE_CONT, "\n");
	out = cap_end();
	m = last();
	CHECK("cmn_err: CE_CONT fragments make one line in the log",
	    fk_log_count() == n0 + 1 && m->lm_level == CE_CONT &&
	    strcmp(m->lm_text, "abcdef 1") == 0,
	    "expected one entry \"abcdef 1\", saw %u, \"%s\"",
	    fk_log_count() - n0, m->lm_text);
	CHECK("cmn_err: CE_CONT text reaches the console as it is",
	    strcmp(out, "abcdef 1\n") == 0, "expected \"abcdef 1\\n\", saw "
	    "\"%s\"", out);

	n0 = fk_log_count();
	cmn_err(CE_CONT, "!one\ntwo\n");
	CHECK("cmn_err: each newline in CE_CONT text ends a log entry",
	    fk_log_count() == n0 + 2 &&
	    strcmp(fk_log_get(n0)->lm_text, "one") == 0 &&
	    strcmp(fk_log_get(n0 + 1)->lm_text, "two") == 0,
	    "expected \"one\", \"two\", saw %u entries", fk_log_count() - n0);

	n0 = fk_log_count();
	cmn_err(CE_CONT, "!pending");
	cmn_err(CE_NOTE, "!next");
	CHECK("cmn_err: a CE_NOTE ends a pending CE_CONT line",
	    fk_log_count() == n0 + 2 &&
	    strcmp(fk_log_get(n0)->lm_text, "pending") == 0 &&
	    fk_log_get(n0)->lm_level == CE_CONT &&
	    strcmp(fk_log_get(n0 + 1)->lm_text, "next") == 0,
	    "expected \"pending\" then \"next\", saw %u entries",
	    fk_log_count() - n0);
}

static void
test_dev_err(void)
{
	const fk_logmsg_t *m;
	const char *out;
	dev_info_t *dip = tdrv_node(NULL, "0", 0);

	if (!CHECK("dev_err: a bound node for the test", dip != NULL,
	    "expected a tdrv node"))
		return;
	cap_start();
	dev_err(dip, CE_WARN, "ring %d stalled", 3);
	out = cap_end();
	m = last();
	CHECK("dev_err: the message is prefixed with driver and instance",
	    strcmp(m->lm_text, "tdrv0: ring 3 stalled") == 0,
	    "expected \"tdrv0: ring 3 stalled\", saw \"%s\"", m->lm_text);
	CHECK("dev_err: the console line has the level word and prefix",
	    strcmp(out, "WARNING: tdrv0: ring 3 stalled\n") == 0,
	    "expected \"WARNING: tdrv0: ring 3 stalled\\n\", saw \"%s\"", out);

	cap_start();
	dev_err(dip, CE_NOTE, "!only in the log");
	out = cap_end();
	m = last();
	CHECK("dev_err: a leading \"!\" still means log only",
	    out[0] == '\0' && m->lm_console == 0 &&
	    strcmp(m->lm_text, "tdrv0: only in the log") == 0,
	    "expected \"tdrv0: only in the log\" off console, saw \"%s\" "
	    "\"%s\"", out, m->lm_text);
	CHECK("fk_log_find: finds a message by substring",
	    fk_log_find("only in the log", 0) == (int)fk_log_count() - 1 &&
	    fk_log_find("only in the log", fk_log_count()) == -1 &&
	    fk_log_find("no such message anywhere", 0) == -1,
	    "expected index %u then -1, saw %d", fk_log_count() - 1,
	    fk_log_find("only in the log", 0));
	CHECK("fk_log_get: out of range is NULL",
	    fk_log_get(fk_log_count()) == NULL, "expected NULL");
	CHECK("fk_log: entries carry nondecreasing times",
	    fk_log_get(0)->lm_time <= last()->lm_time &&
	    last()->lm_time <= gethrtime(), "expected ordered times");
}

/*
 * Panics, each in a child.
 */
static void
die_cmn_panic(void *arg)
{
	(void) arg;
	cmn_err(CE_PANIC, "boom %d", 7);
}

static void
die_panic(void *arg)
{
	(void) arg;
	panic("the sky %s", "fell");
}

static void
die_assert(void *arg)
{
	volatile int one = 1;

	(void) arg;
	ASSERT(one == 2);
}

static void
die_verify3(void *arg)
{
	volatile uint64_t a = 1, b = 2;

	(void) arg;
	VERIFY3U(a, ==, b);
}

static void
die_dev_panic(void *arg)
{
	dev_err(arg, CE_PANIC, "fatal %s", "state");
}

static void
show_panicstr(int sig)
{
	const char *p = panicstr != NULL ? panicstr : "(null)";

	(void) sig;
	(void) write(STDERR_FILENO, "panicstr=[", 10);
	(void) write(STDERR_FILENO, p, strlen(p));
	(void) write(STDERR_FILENO, "]\n", 2);
	_exit(3);
}

static void
die_panicstr(void *arg)
{
	(void) arg;
	(void) signal(SIGABRT, show_panicstr);
	panic("recorded %d", 42);
}

static void
die_raw_stack(void *arg)
{
	(void) arg;
	(void) setenv("FK_SYMBOLIZE", "0", 1);
	panic("raw stack");
}

/* A wild access: a trap, which fk_init made a panic. */
static void
die_wild(void *arg)
{
	volatile int *wild = (volatile int *)(uintptr_t)arg;

	*wild = 1;
}

static void
test_panics(void)
{
	dev_info_t *dip = fk_devi_find_child(NULL, "tdrv", "0");

	expect_death("panic: CE_PANIC stops with \"panic: <message>\"",
	    die_cmn_panic, NULL, "panic: boom 7");
	expect_contains("panic: the report has a symbolized stack",
	    expect_death_output(), fk_symbolize_lines() ?
	    " cmn_err (cmn_err.c:" : " cmn_err+0x");
	expect_contains("panic: the report names the thread",
	    expect_death_output(), "thread: \"main\"");
	expect_death("panic: panic() formats its message", die_panic, NULL,
	    "panic: the sky fell");
	expect_death("panic: ASSERT failure reports expression, file, line",
	    die_assert, NULL, "assertion failed: one == 2, file: "
	    "tests/unit/t_cmn_err.c, line: ");
	expect_death("panic: VERIFY3U failure reports both values",
	    die_verify3, NULL, "assertion failed: a == b (0x1 == 0x2), file: ");
	expect_death("panic: dev_err(CE_PANIC) keeps the prefix",
	    die_dev_panic, dip, "panic: tdrv0: fatal state");
	expect_death("panic: panicstr holds the message while panicking",
	    die_panicstr, NULL, "panicstr=[recorded 42]");
	expect_death("panic: FK_SYMBOLIZE=0 gives execinfo's raw stack",
	    die_raw_stack, NULL, "stack:\n");
	expect_contains("panic: the raw stack has addresses",
	    expect_death_output(), "[0x");
	expect_death("panic: a wild access is a BAD TRAP", die_wild,
	    (void *)(uintptr_t)0x10, "panic: BAD TRAP: SIGSEGV (address 0x10)");
	expect_contains("panic: the trap names the faulting function",
	    expect_death_output(), fk_symbolize_lines() ?
	    "(address 0x10) in die_wild (t_cmn_err.c:" :
	    "(address 0x10) in die_wild+0x");
}

/* The ELF machine of a program file, or -1. */
static int
elf_machine(const char *path)
{
	Elf64_Ehdr eh;
	FILE *fp = fopen(path, "r");
	int m = -1;

	if (fp == NULL)
		return (-1);
	if (fread(&eh, sizeof (eh), 1, fp) == 1 &&
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0)
		m = eh.e_machine;
	(void) fclose(fp);
	return (m);
}

/*
 * Reports carry file and line exactly where addr2line is a program for
 * this machine (not on an aarch64 guest, whose /usr/bin is an x86
 * host's): what the panic and witness checks expect depends on it.
 */
static void
test_symbolize_lines(void)
{
	int here = elf_machine("/proc/self/exe");
	int tool = elf_machine("/usr/bin/addr2line");

	printf("# reports name functions%s\n", fk_symbolize_lines() ?
	    ", with file and line" : " only (no addr2line here)");
	CHECK("symbolize: file and line wherever addr2line runs",
	    fk_symbolize_lines() == (here != -1 && here == tool),
	    "expected fk_symbolize_lines() %d (machine %d, addr2line's %d), "
	    "saw %d", here != -1 && here == tool, here, tool,
	    fk_symbolize_lines());
}

int
main(void)
{
	fk_options_t o = { .fo_platform = "none", .fo_quiet = -1 };

	(void) unsetenv("FK_VERBOSE");
	(void) unsetenv("FK_SYMBOLIZE");
	CHECK("fk_init: starts", fk_init(&o) == 0, "expected 0");
	fk_verbose = 0;
	test_levels();
	test_destinations();
	test_cont();
	test_dev_err();
	test_symbolize_lines();
	test_panics();
	fk_quiet = 1;
	return (check_exit());
}

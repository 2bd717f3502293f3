/*
 * Death tests (see expect.h).
 */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "expect.h"

#define	EXPECT_TIMEOUT_MS	20000
#define	EXPECT_MAXOUT		(64 * 1024)

static char expect_out[EXPECT_MAXOUT + 1];

const char *
expect_death_output(void)
{
	return (expect_out);
}

/* The captured output, each line as a "# " comment. */
static void
expect_dump(void)
{
	const char *p = expect_out, *nl;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		printf("#   | %.*s\n", (int)(nl - p), p);
		p = *nl == '\n' ? nl + 1 : nl;
	}
	fflush(stdout);
}

static void
expect_child(int fd, void (*fn)(void *), void *arg)
{
	struct rlimit rl = { 0, 0 };

	(void) dup2(fd, STDOUT_FILENO);
	(void) dup2(fd, STDERR_FILENO);
	(void) close(fd);
	(void) setrlimit(RLIMIT_CORE, &rl);
	fn(arg);
	fflush(stdout);
	fflush(stderr);
	_exit(0);
}

static long
expect_now_ms(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* Read the child's output until EOF or the deadline; 0 on timeout. */
static int
expect_collect(int fd)
{
	long deadline = expect_now_ms() + EXPECT_TIMEOUT_MS, left;
	size_t len = 0;
	struct pollfd pfd;
	ssize_t n;
	char junk[4096];

	expect_out[0] = '\0';
	for (;;) {
		left = deadline - expect_now_ms();
		if (left <= 0)
			return (0);
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			return (1);
		}
		if (len < EXPECT_MAXOUT)
			n = read(fd, expect_out + len, EXPECT_MAXOUT - len);
		else
			n = read(fd, junk, sizeof (junk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return (1);
		if (len < EXPECT_MAXOUT) {
			len += (size_t)n;
			expect_out[len] = '\0';
		}
	}
}

int
expect_death_run(const char *name, void (*fn)(void *), void *arg,
    const char *substring)
{
	int pfd[2], status, finished;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	if (pipe(pfd) != 0 || (pid = fork()) < 0) {
		check_fail(name, "could not start a child: %s",
		    strerror(errno));
		return (0);
	}
	if (pid == 0) {
		(void) close(pfd[0]);
		expect_child(pfd[1], fn, arg);
	}
	(void) close(pfd[1]);
	finished = expect_collect(pfd[0]);
	(void) close(pfd[0]);
	if (!finished)
		(void) kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;

	if (!finished) {
		check_fail(name, "expected a panic with \"%s\", saw the "
		    "child still running after %d s (killed)", substring,
		    EXPECT_TIMEOUT_MS / 1000);
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		check_fail(name, "expected a panic with \"%s\", saw the "
		    "child return normally", substring);
	} else if (WIFSIGNALED(status) && WTERMSIG(status) != SIGABRT) {
		check_fail(name, "expected a panic with \"%s\", saw the "
		    "child killed by signal %d (%s)", substring,
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	} else if (strstr(expect_out, substring) == NULL) {
		check_fail(name, "expected a panic with \"%s\", saw a "
		    "death without it", substring);
	} else {
		check_pass(name);
		return (1);
	}
	expect_dump();
	return (0);
}

int
expect_contains_run(const char *name, const char *text,
    const char *substring)
{
	if (text != NULL && strstr(text, substring) != NULL) {
		check_pass(name);
		return (1);
	}
	check_fail(name, "expected text containing \"%s\", saw \"%.300s\"",
	    substring, text != NULL ? text : "(null)");
	return (0);
}

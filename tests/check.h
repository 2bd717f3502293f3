/*
 * The result protocol of every test program: one line per check,
 * "PASS name" or "FAIL name: what was expected, what was seen".  Other
 * output lines start with "# ".  A program exits non-zero when any check
 * failed.  tests/run.sh counts the lines.
 */
#ifndef _TESTS_CHECK_H
#define	_TESTS_CHECK_H

#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>

static int check_failures;

static inline void __attribute__((format(printf, 2, 3)))
check_fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("FAIL %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	check_failures++;
}

static inline void
check_pass(const char *name)
{
	printf("PASS %s\n", name);
	fflush(stdout);
}

/* CHECK(name, condition, "expected ..., saw ...", args) */
#define	CHECK(name, cond, ...)						\
	((cond) ? (check_pass(name), 1) : (check_fail(name, __VA_ARGS__), 0))

static inline int
check_exit(void)
{
	fflush(stdout);
	return (check_failures == 0 ? 0 : 1);
}

#endif /* _TESTS_CHECK_H */

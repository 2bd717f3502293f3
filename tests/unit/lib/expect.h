/*
 * Death tests: run a function in a forked child and check that it dies
 * (a panic aborts: SIGABRT, or any non-zero exit) with a report that
 * contains a given text.  The child's stdout and stderr are captured; on
 * failure the FAIL line says what was expected and what happened, and the
 * capture follows as "# " lines.  A child still alive after 20 seconds is
 * killed and the check fails.
 *
 *	expect_death("mutex: recursive enter", recurse, &m,
 *	    "recursive mutex_enter");
 *
 * expect_death() prints PASS or FAIL (tests/check.h) and returns 1 on
 * PASS; a FAIL counts in the program's check_exit().
 * expect_death_output() is the last child's captured output, for further
 * checks; expect_contains() checks a text for a substring the same way.
 */
#ifndef _TESTS_EXPECT_H
#define	_TESTS_EXPECT_H

#include "check.h"

extern int expect_death_run(const char *, void (*)(void *), void *,
    const char *);
extern int expect_contains_run(const char *, const char *, const char *);
extern const char *expect_death_output(void);

static inline int
expect_death(const char *name, void (*fn)(void *), void *arg,
    const char *substring)
{
	int ok = expect_death_run(name, fn, arg, substring);

	if (!ok)
		check_failures++;
	return (ok);
}

static inline int
expect_contains(const char *name, const char *text, const char *substring)
{
	int ok = expect_contains_run(name, text, substring);

	if (!ok)
		check_failures++;
	return (ok);
}

#endif /* _TESTS_EXPECT_H */

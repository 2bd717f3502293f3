/*
 * ddi_strtol(9F) family (return values, *endptr, untouched *result on
 * error, limits), ddi_ffs/ddi_fls, strlcpy/strlcat.
 */

#include <sys/types.h>
#include <sys/sunddi.h>
#include <sys/systm.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

/*
 * One ddi_strtol case: input, base, expected return, value (when 0) and
 * how many characters *endptr is past the start.
 */
typedef struct lcase {
	const char	*lc_str;
	int		lc_base;
	int		lc_rc;
	long		lc_value;
	int		lc_end;
} lcase_t;

static const lcase_t lcases[] = {
	{ "123", 10, 0, 123, 3 },
	{ "  -42abc", 10, 0, -42, 5 },
	{ "\t\n+7 ", 10, 0, 7, 4 },
	{ "0x1f", 0, 0, 31, 4 },
	{ "0X1F", 16, 0, 31, 4 },
	{ "1f", 16, 0, 31, 2 },
	{ "0x", 16, 0, 0, 1 },
	{ "0xg", 0, 0, 0, 1 },
	{ "077", 0, 0, 63, 3 },
	{ "08", 0, 0, 0, 1 },
	{ "z", 36, 0, 35, 1 },
	{ "Z", 36, 0, 35, 1 },
	{ "101", 2, 0, 5, 3 },
	{ "9223372036854775807", 10, 0, LONG_MAX, 19 },
	{ "-9223372036854775808", 10, 0, LONG_MIN, 20 },
	{ "9223372036854775808", 10, ERANGE, 0, 19 },
	{ "-9223372036854775809x", 10, ERANGE, 0, 20 },
	{ "", 10, EINVAL, 0, 0 },
	{ "   ", 10, EINVAL, 0, 0 },
	{ "abc", 10, EINVAL, 0, 0 },
	{ "-", 10, EINVAL, 0, 0 },
	{ "2", 2, EINVAL, 0, 0 },
	{ "12", 1, EINVAL, 0, 0 },
	{ "12", 37, EINVAL, 0, 0 },
	{ "12", -1, EINVAL, 0, 0 },
};

/* A string for a check's name: control characters as escapes. */
static const char *
printable(const char *str)
{
	static char buf[64];
	size_t off = 0;

	for (; *str != '\0' && off < sizeof (buf) - 3; str++) {
		if (*str == '\t' || *str == '\n') {
			buf[off++] = '\\';
			buf[off++] = *str == '\t' ? 't' : 'n';
		} else {
			buf[off++] = *str;
		}
	}
	buf[off] = '\0';
	return (buf);
}

static void
test_strtol(void)
{
	const lcase_t *c;
	char name[96], *end;
	long v;
	size_t i;
	int rc;

	for (i = 0; i < sizeof (lcases) / sizeof (lcases[0]); i++) {
		c = &lcases[i];
		v = 0x5eed;
		end = NULL;
		rc = ddi_strtol(c->lc_str, &end, c->lc_base, &v);
		(void) snprintf(name, sizeof (name), "ddi_strtol(\"%s\", %d)",
		    printable(c->lc_str), c->lc_base);
		CHECK(name, rc == c->lc_rc &&
		    v == (c->lc_rc == 0 ? c->lc_value : 0x5eed) &&
		    end == c->lc_str + c->lc_end,
		    "expected rc %d value %ld end +%d, saw rc %d value %ld "
		    "end +%d", c->lc_rc, c->lc_rc == 0 ? c->lc_value : 0x5eed,
		    c->lc_end, rc, v, (int)(end - c->lc_str));
	}
	rc = ddi_strtol("55", NULL, 10, &v);
	CHECK("ddi_strtol: endptr may be NULL", rc == 0 && v == 55,
	    "expected 0 and 55, saw %d and %ld", rc, v);
}

static void
test_strtoul(void)
{
	unsigned long ul = 7;
	longlong_t ll = 7;
	u_longlong_t ull = 7;
	char *end;
	int rc;

	rc = ddi_strtoul("18446744073709551615", &end, 10, &ul);
	CHECK("ddi_strtoul: ULONG_MAX", rc == 0 && ul == ULONG_MAX &&
	    *end == '\0', "expected 0 and ULONG_MAX, saw %d and %lu", rc, ul);
	ul = 7;
	rc = ddi_strtoul("18446744073709551616", &end, 10, &ul);
	CHECK("ddi_strtoul: overflow is ERANGE, result untouched",
	    rc == ERANGE && ul == 7 && *end == '\0',
	    "expected ERANGE and 7, saw %d and %lu", rc, ul);
	rc = ddi_strtoul("-1", NULL, 10, &ul);
	CHECK("ddi_strtoul: \"-1\" negates", rc == 0 && ul == ULONG_MAX,
	    "expected ULONG_MAX, saw %d and %lu", rc, ul);
	rc = ddi_strtoul("0xdeadBEEF", &end, 0, &ul);
	CHECK("ddi_strtoul: hex", rc == 0 && ul == 0xdeadbeefUL,
	    "expected 0xdeadbeef, saw %d and %#lx", rc, ul);

	rc = ddi_strtoll("-9223372036854775808", NULL, 10, &ll);
	CHECK("ddi_strtoll: LLONG_MIN", rc == 0 && ll == LLONG_MIN,
	    "expected LLONG_MIN, saw %d and %lld", rc, ll);
	ll = 7;
	rc = ddi_strtoll("9223372036854775808", NULL, 10, &ll);
	CHECK("ddi_strtoll: overflow", rc == ERANGE && ll == 7,
	    "expected ERANGE and 7, saw %d and %lld", rc, ll);
	rc = ddi_strtoull("0777", NULL, 0, &ull);
	CHECK("ddi_strtoull: octal", rc == 0 && ull == 0777,
	    "expected 511, saw %d and %llu", rc, ull);
	ull = 7;
	rc = ddi_strtoull("x", &end, 0, &ull);
	CHECK("ddi_strtoull: no digits", rc == EINVAL && ull == 7 &&
	    strcmp(end, "x") == 0, "expected EINVAL, saw %d", rc);
}

static void
test_bits(void)
{
	CHECK("ddi_ffs", ddi_ffs(0) == 0 && ddi_ffs(1) == 1 &&
	    ddi_ffs(0x80) == 8 && ddi_ffs(0x6) == 2 && ddi_ffs(LONG_MIN) == 64,
	    "expected 0 1 8 2 64, saw %d %d %d %d %d", ddi_ffs(0), ddi_ffs(1),
	    ddi_ffs(0x80), ddi_ffs(0x6), ddi_ffs(LONG_MIN));
	CHECK("ddi_fls", ddi_fls(0) == 0 && ddi_fls(1) == 1 &&
	    ddi_fls(0x80) == 8 && ddi_fls(0x6) == 3 && ddi_fls(-1) == 64,
	    "expected 0 1 8 3 64, saw %d %d %d %d %d", ddi_fls(0), ddi_fls(1),
	    ddi_fls(0x80), ddi_fls(0x6), ddi_fls(-1));
}

static void
test_strlcpy(void)
{
	char buf[8];
	size_t n;

	n = strlcpy(buf, "hello", sizeof (buf));
	CHECK("strlcpy: fits", n == 5 && strcmp(buf, "hello") == 0,
	    "expected 5 \"hello\", saw %zu \"%s\"", n, buf);
	n = strlcpy(buf, "hello world", sizeof (buf));
	CHECK("strlcpy: truncates, returns the full length",
	    n == 11 && strcmp(buf, "hello w") == 0,
	    "expected 11 \"hello w\", saw %zu \"%s\"", n, buf);
	buf[0] = 'x';
	n = strlcpy(buf, "abc", 0);
	CHECK("strlcpy: size 0 writes nothing", n == 3 && buf[0] == 'x',
	    "expected 3 and buf untouched");
	(void) strlcpy(buf, "ab", sizeof (buf));
	n = strlcat(buf, "cd", sizeof (buf));
	CHECK("strlcat: fits", n == 4 && strcmp(buf, "abcd") == 0,
	    "expected 4 \"abcd\", saw %zu \"%s\"", n, buf);
	n = strlcat(buf, "efghij", sizeof (buf));
	CHECK("strlcat: truncates, returns the full length",
	    n == 10 && strcmp(buf, "abcdefg") == 0,
	    "expected 10 \"abcdefg\", saw %zu \"%s\"", n, buf);
	(void) memset(buf, 'z', sizeof (buf));
	n = strlcat(buf, "q", sizeof (buf));
	CHECK("strlcat: an unterminated buffer", n == sizeof (buf) + 1,
	    "expected %zu, saw %zu", sizeof (buf) + 1, n);
}

int
main(void)
{
	test_strtol();
	test_strtoul();
	test_bits();
	test_strlcpy();
	return (check_exit());
}

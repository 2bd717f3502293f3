/*
 * ddi_strtol(9F) and its siblings, ddi_ffs(9F)/ddi_fls(9F), and the
 * strlcpy/strlcat the kernel has (glibc before 2.38 does not).
 *
 * ddi_strto*: leading white space (' ', '\t', '\n', '\r', '\f'), an
 * optional sign, an optional "0x"/"0X" for base 16 (or base 0, which also
 * takes a leading 0 as octal), then digits of the base.  They return 0 and
 * store the value; EINVAL for a bad base or when no digits form a number
 * (*endptr is then str); ERANGE when the value does not fit (*endptr is
 * past all the digits).  On error *result is not changed.  The unsigned
 * forms accept a minus sign and negate, as strtoul does.
 */

#include <sys/types.h>
#include <sys/systm.h>
#include <sys/sunddi.h>
#include <errno.h>
#include <limits.h>

static int
strto_space(int c)
{
	return (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f');
}

/* The value of digit c, or 36 when c is not a digit of any base. */
static int
strto_digit(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'z')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'Z')
		return (c - 'A' + 10);
	return (36);
}

/*
 * The common part: the magnitude and the sign.  A positive value may be
 * at most poslimit, a negative one's magnitude at most neglimit.
 */
static int
strto_common(const char *str, char **endptr, int base, uint64_t poslimit,
    uint64_t neglimit, uint64_t *magp, int *negp)
{
	const unsigned char *s = (const unsigned char *)str;
	uint64_t mag = 0, limit;
	int neg = 0, overflow = 0, d;

	if (endptr != NULL)
		*endptr = (char *)str;
	if (str == NULL || base < 0 || base == 1 || base > 36)
		return (EINVAL);
	while (strto_space(*s))
		s++;
	if (*s == '-' || *s == '+')
		neg = (*s++ == '-');
	if (base == 0) {
		if (s[0] != '0')
			base = 10;
		else if (s[1] == 'x' || s[1] == 'X')
			base = 16;
		else
			base = 8;
	}
	if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
	    strto_digit(s[2]) < 16)
		s += 2;
	if (strto_digit(*s) >= base)
		return (EINVAL);

	limit = neg ? neglimit : poslimit;
	for (; (d = strto_digit(*s)) < base; s++) {
		if (overflow)
			continue;
		if (mag > (limit - (uint64_t)d) / (uint64_t)base)
			overflow = 1;
		else
			mag = mag * (uint64_t)base + (uint64_t)d;
	}
	if (endptr != NULL)
		*endptr = (char *)s;
	if (overflow)
		return (ERANGE);
	*magp = mag;
	*negp = neg;
	return (0);
}

int
ddi_strtol(const char *str, char **endptr, int base, long *result)
{
	uint64_t mag;
	int neg, rc;

	rc = strto_common(str, endptr, base, LONG_MAX,
	    (uint64_t)LONG_MAX + 1, &mag, &neg);
	if (rc == 0)
		*result = neg ? (long)(0 - mag) : (long)mag;
	return (rc);
}

int
ddi_strtoul(const char *str, char **endptr, int base, unsigned long *result)
{
	uint64_t mag;
	int neg, rc;

	rc = strto_common(str, endptr, base, ULONG_MAX, ULONG_MAX, &mag, &neg);
	if (rc == 0)
		*result = neg ? (unsigned long)(0 - mag) : (unsigned long)mag;
	return (rc);
}

int
ddi_strtoll(const char *str, char **endptr, int base, longlong_t *result)
{
	uint64_t mag;
	int neg, rc;

	rc = strto_common(str, endptr, base, LLONG_MAX,
	    (uint64_t)LLONG_MAX + 1, &mag, &neg);
	if (rc == 0)
		*result = neg ? (longlong_t)(0 - mag) : (longlong_t)mag;
	return (rc);
}

int
ddi_strtoull(const char *str, char **endptr, int base, u_longlong_t *result)
{
	uint64_t mag;
	int neg, rc;

	rc = strto_common(str, endptr, base, ULLONG_MAX, ULLONG_MAX, &mag,
	    &neg);
	if (rc == 0)
		*result = neg ? (u_longlong_t)(0 - mag) : (u_longlong_t)mag;
	return (rc);
}

/* The lowest set bit, counting from 1; 0 when none is set. */
int
ddi_ffs(long mask)
{
	if (mask == 0)
		return (0);
	return (__builtin_ctzl((unsigned long)mask) + 1);
}

/* The highest set bit, counting from 1; 0 when none is set. */
int
ddi_fls(long mask)
{
	if (mask == 0)
		return (0);
	return ((int)(sizeof (long) * 8) -
	    __builtin_clzl((unsigned long)mask));
}

/*
 * strlcpy/strlcat: copy or append, always terminating when there is room
 * for a terminator; return the length the result would have had.
 */
size_t
strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size != 0) {
		size_t n = len < size - 1 ? len : size - 1;

		(void) memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return (len);
}

size_t
strlcat(char *dst, const char *src, size_t size)
{
	size_t dlen = strnlen(dst, size);

	if (dlen == size)
		return (size + strlen(src));
	return (dlen + strlcpy(dst + dlen, src, size - dlen));
}

/*
 * This file and its contents are supplied under the terms of the
 * Common Development and Distribution License ("CDDL"), version 1.0.
 */

/*
 * A sample in illumos style that cstyle must accept: every rule's
 * correct form, and the traps (comment-like text in strings, "?:"
 * split over lines, continuation lines, CSTYLED escapes).
 *
 * Pictures in a column-0 comment may use spaces:
 *	+-------+        +-------+
 *	| req   | -----> | cmp   |
 *	+-------+        +-------+
 */

#include <sys/types.h>
#include <sys/sunddi.h>

#define	SAMPLE_MAX	16
#define	SAMPLE_SQ(x)	((x) * (x))

typedef struct sample {
	int		s_count;	/* a trailing comment */
	const char	*s_name;
} sample_t;

static const char *sample_url = "http://example.org/a//b/*c*/";
static const char sample_quote = '"';

static int sample_helper(sample_t *, int);

/*ARGSUSED*/
static int
sample_helper(sample_t *sp, int flags)
{
	int i, total = 0;

	for (i = 0; i < SAMPLE_MAX; i++) {
		if (i == 3) {
			continue;
		} else if (i > 10) {
			break;
		} else {
			total += SAMPLE_SQ(i);
		}
	}
	while (total > 100)
		total -= 100;
	switch (flags) {
	case 0:
		total++;
		break;
	default:
		break;
	}
	do {
		total--;
	} while (total > 50);
	return (total + sp->s_count);
}

/*
 * A function whose header is too long for one line continues with four
 * spaces, as do long statements.
 */
static size_t
sample_long_function_name(sample_t *sp, const char *a_long_argument_name,
    size_t another_long_argument)
{
	size_t n = sizeof (sample_t) + sizeof (*sp) +
	    another_long_argument;

	n = (a_long_argument_name != NULL) ? strlen(a_long_argument_name) :
	    n;
	if (sp == NULL)
		return (0);
	if (n == 0)
		return;
	return (n);
}

void
sample_void(void)
{
	/* CSTYLED */
	int x=sizeof(int);

	/* BEGIN CSTYLED */
	if(x) return x;
	/* END CSTYLED */
	(void) x;
	(void) sample_url;
	(void) sample_quote;
}

static int
sample_initializers(void)
{
	static const int types[] = {
	    1, 2, 3
	};

	return (types[0]);
}

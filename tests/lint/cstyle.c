/*
 * cstyle: check C sources against the illumos cstyle rules that matter
 * most for a new driver.
 *
 *	cstyle [-l] file ...
 *
 * Each finding is one line, "file:line: rule: message", sorted by line.
 * The exit status is 0 when no file has a finding, 1 when some file
 * has one, 2 when a file cannot be read or the usage is wrong.  -l lists
 * the rules, one a line, and exits.
 *
 * Rules (the names are what the findings and the tests use):
 *
 *	width		a line longer than 80 columns (a tab is 8)
 *	trailing	whitespace at the end of a line
 *	indent		indentation by spaces: a space before a tab, eight
 *			spaces in a row, or a statement indented by spaces
 *			(continuation lines are tabs and then four spaces)
 *	comment		block comment form: "/" "*" alone on the first line
 *			of a multi-line comment, " * " on each line in
 *			between, " *" "/" alone on the last; a blank after
 *			the opening and before the closing of a one-line
 *			comment
 *	cxxcomment	a "//" comment
 *	return		"return" with an expression that is not in
 *			parentheses, as "return (x);"
 *	sizeof		"sizeof" not followed by one space and "(", as
 *			"sizeof (x)"
 *	keyword		"if", "for", "while", "switch" or "return" not
 *			followed by exactly one space before "("
 *	funcdef		function definition layout: the return type on a
 *			line of its own, the name at column 0, the body's
 *			"{" alone on the next line at column 0
 *	else		"} else {" not on one line, or missing blanks
 *			around "else"
 *	define		"#define" followed by a space instead of a tab
 *
 * As with illumos cstyle, a comment "CSTYLED" exempts the next line, and
 * "BEGIN CSTYLED" ... "END CSTYLED" a region.
 *
 * The checker works on a copy of the file in which comments are blanked
 * and the contents of string and character literals are masked, so that
 * code rules never fire on text and comment rules never fire on code.
 */

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define	MAXCOL		80
#define	TABSTOP		8

typedef struct line {
	size_t		l_off;		/* offset of its first byte */
	size_t		l_len;		/* length without the newline */
	int		l_cpp;		/* part of a preprocessor directive */
	int		l_skip;		/* exempt from checks (CSTYLED) */
} line_t;

typedef struct comment {
	size_t		c_start;	/* offset of the opening slash */
	size_t		c_end;		/* offset just past the closing */
	int		c_block;	/* block comment, not "//" */
} comment_t;

typedef struct finding {
	size_t		f_line;		/* 1-based */
	int		f_rule;
	char		f_msg[160];
} finding_t;

typedef struct src {
	const char	*s_path;
	char		*s_text;	/* the file as read */
	char		*s_code;	/* comments blanked, literals masked */
	size_t		s_len;
	line_t		*s_lines;
	size_t		s_nlines;
	comment_t	*s_comments;
	size_t		s_ncomments;
	finding_t	*s_findings;
	size_t		s_nfindings;
} src_t;

enum {
	R_WIDTH,
	R_TRAILING,
	R_INDENT,
	R_COMMENT,
	R_CXXCOMMENT,
	R_RETURN,
	R_SIZEOF,
	R_KEYWORD,
	R_FUNCDEF,
	R_ELSE,
	R_DEFINE,
	R_NRULES
};

static const char *rule_names[R_NRULES] = {
	[R_WIDTH] = "width",
	[R_TRAILING] = "trailing",
	[R_INDENT] = "indent",
	[R_COMMENT] = "comment",
	[R_CXXCOMMENT] = "cxxcomment",
	[R_RETURN] = "return",
	[R_SIZEOF] = "sizeof",
	[R_KEYWORD] = "keyword",
	[R_FUNCDEF] = "funcdef",
	[R_ELSE] = "else",
	[R_DEFINE] = "define",
};

static void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n == 0 ? 1 : n);

	if (q == NULL) {
		(void) fprintf(stderr, "cstyle: out of memory\n");
		exit(2);
	}
	return (q);
}

/*
 * Findings.
 */
static size_t
line_of(const src_t *s, size_t off)
{
	size_t lo = 0, hi = s->s_nlines;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->s_lines[mid].l_off <= off)
			lo = mid;
		else
			hi = mid;
	}
	return (lo);
}

static void __attribute__((format(printf, 4, 5)))
report(src_t *s, size_t li, int rule, const char *fmt, ...)
{
	finding_t *f;
	va_list ap;

	if (li >= s->s_nlines || s->s_lines[li].l_skip)
		return;
	s->s_findings = xrealloc(s->s_findings,
	    (s->s_nfindings + 1) * sizeof (finding_t));
	f = &s->s_findings[s->s_nfindings++];
	f->f_line = li + 1;
	f->f_rule = rule;
	va_start(ap, fmt);
	(void) vsnprintf(f->f_msg, sizeof (f->f_msg), fmt, ap);
	va_end(ap);
}

static int
finding_cmp(const void *a, const void *b)
{
	const finding_t *fa = a, *fb = b;

	if (fa->f_line != fb->f_line)
		return (fa->f_line < fb->f_line ? -1 : 1);
	return (fa->f_rule - fb->f_rule);
}

/*
 * Reading and splitting the file.
 */
static int
src_read(src_t *s, const char *path)
{
	FILE *fp;
	size_t cap = 0, n;
	char buf[8192];

	(void) memset(s, 0, sizeof (*s));
	s->s_path = path;
	if ((fp = fopen(path, "r")) == NULL) {
		(void) fprintf(stderr, "cstyle: %s: %s\n", path,
		    strerror(errno));
		return (-1);
	}
	while ((n = fread(buf, 1, sizeof (buf), fp)) > 0) {
		if (s->s_len + n + 1 > cap) {
			cap = (s->s_len + n + 1) * 2;
			s->s_text = xrealloc(s->s_text, cap);
		}
		(void) memcpy(s->s_text + s->s_len, buf, n);
		s->s_len += n;
	}
	(void) fclose(fp);
	s->s_text = xrealloc(s->s_text, s->s_len + 1);
	s->s_text[s->s_len] = '\0';
	return (0);
}

static void
src_split(src_t *s)
{
	size_t off = 0;

	while (off < s->s_len) {
		const char *nl = memchr(s->s_text + off, '\n', s->s_len - off);
		size_t len = nl == NULL ? s->s_len - off :
		    (size_t)(nl - (s->s_text + off));

		s->s_lines = xrealloc(s->s_lines,
		    (s->s_nlines + 1) * sizeof (line_t));
		s->s_lines[s->s_nlines].l_off = off;
		s->s_lines[s->s_nlines].l_len = len;
		s->s_lines[s->s_nlines].l_cpp = 0;
		s->s_lines[s->s_nlines].l_skip = 0;
		s->s_nlines++;
		off += len + 1;
	}
}

static void
add_comment(src_t *s, size_t start, size_t end, int block)
{
	s->s_comments = xrealloc(s->s_comments,
	    (s->s_ncomments + 1) * sizeof (comment_t));
	s->s_comments[s->s_ncomments].c_start = start;
	s->s_comments[s->s_ncomments].c_end = end;
	s->s_comments[s->s_ncomments].c_block = block;
	s->s_ncomments++;
}

/*
 * Build s_code: a copy of the text in which comments become blanks and
 * the contents of literals become 'x', newlines kept, and record where
 * each comment is.
 */
static void
src_lex(src_t *s)
{
	enum { CODE, BLOCK, LINE, STR, CHR } st = CODE;
	size_t i, start = 0;
	char *c;

	c = s->s_code = xrealloc(NULL, s->s_len + 1);
	(void) memcpy(c, s->s_text, s->s_len + 1);
	for (i = 0; i < s->s_len; i++) {
		char ch = s->s_text[i];
		char nx = i + 1 < s->s_len ? s->s_text[i + 1] : '\0';

		switch (st) {
		case CODE:
			if (ch == '/' && nx == '*') {
				st = BLOCK;
				start = i;
				c[i] = c[i + 1] = ' ';
				i++;
			} else if (ch == '/' && nx == '/') {
				st = LINE;
				start = i;
				c[i] = ' ';
			} else if (ch == '"') {
				st = STR;
			} else if (ch == '\'') {
				st = CHR;
			}
			break;
		case BLOCK:
			if (ch == '*' && nx == '/') {
				c[i] = c[i + 1] = ' ';
				add_comment(s, start, i + 2, 1);
				st = CODE;
				i++;
			} else if (ch != '\n') {
				c[i] = ' ';
			}
			break;
		case LINE:
			if (ch == '\n') {
				add_comment(s, start, i, 0);
				st = CODE;
			} else {
				c[i] = ' ';
			}
			break;
		case STR:
		case CHR:
			if (ch == '\\' && nx != '\0' && nx != '\n') {
				c[i] = c[i + 1] = 'x';
				i++;
			} else if ((st == STR && ch == '"') ||
			    (st == CHR && ch == '\'')) {
				st = CODE;
			} else if (ch == '\n') {
				st = CODE;	/* unterminated: give up */
			} else if (ch != '\\') {
				c[i] = 'x';
			}
			break;
		}
	}
	if (st == LINE)
		add_comment(s, start, s->s_len, 0);
}

/*
 * Mark preprocessor lines (with their backslash continuations) and the
 * lines exempted by CSTYLED comments.
 */
static int
line_starts_with(const src_t *s, const char *buf, size_t li, char ch)
{
	const line_t *l = &s->s_lines[li];
	size_t k;

	for (k = 0; k < l->l_len; k++) {
		char c = buf[l->l_off + k];

		if (c != ' ' && c != '\t')
			return (c == ch);
	}
	return (0);
}

static int
line_continues(const src_t *s, size_t li)
{
	const line_t *l = &s->s_lines[li];

	return (l->l_len > 0 && s->s_text[l->l_off + l->l_len - 1] == '\\');
}

static void
mark_cpp(src_t *s)
{
	size_t li;
	int cont = 0;

	for (li = 0; li < s->s_nlines; li++) {
		if (cont || line_starts_with(s, s->s_code, li, '#')) {
			s->s_lines[li].l_cpp = 1;
			cont = line_continues(s, li);
		}
	}
}

/* The text of a block comment, trimmed, compared with word. */
static int
comment_is(const src_t *s, const comment_t *cm, const char *word)
{
	size_t a = cm->c_start + 2, b = cm->c_end - 2, n = strlen(word);

	if (!cm->c_block || b < a)
		return (0);
	while (a < b && isspace((unsigned char)s->s_text[a]))
		a++;
	while (b > a && isspace((unsigned char)s->s_text[b - 1]))
		b--;
	return (b - a == n && strncmp(s->s_text + a, word, n) == 0);
}

static void
mark_skips(src_t *s)
{
	size_t k, li;

	for (k = 0; k < s->s_ncomments; k++) {
		const comment_t *cm = &s->s_comments[k];
		size_t first = line_of(s, cm->c_start);

		if (comment_is(s, cm, "CSTYLED")) {
			if (first + 1 < s->s_nlines)
				s->s_lines[first + 1].l_skip = 1;
		} else if (comment_is(s, cm, "BEGIN CSTYLED")) {
			size_t j, last = s->s_nlines - 1;

			for (j = k + 1; j < s->s_ncomments; j++) {
				if (comment_is(s, &s->s_comments[j],
				    "END CSTYLED")) {
					last = line_of(s,
					    s->s_comments[j].c_start);
					break;
				}
			}
			for (li = first; li <= last; li++)
				s->s_lines[li].l_skip = 1;
		}
	}
}

/*
 * Line rules: width, trailing whitespace, indentation, #define.
 */
static int
in_block_comment(const src_t *s, size_t off)
{
	size_t k;

	for (k = 0; k < s->s_ncomments; k++) {
		const comment_t *cm = &s->s_comments[k];

		if (cm->c_block && cm->c_start < off && off < cm->c_end)
			return (1);
	}
	return (0);
}

/* Whether a line holds nothing but blanks in the code copy. */
static int
code_blank(const src_t *s, size_t li)
{
	const line_t *l = &s->s_lines[li];
	size_t k;

	for (k = 0; k < l->l_len; k++) {
		if (!isspace((unsigned char)s->s_code[l->l_off + k]))
			return (0);
	}
	return (1);
}

/* The last non-blank character of a line in the code copy, or 0. */
static char
code_last(const src_t *s, size_t li)
{
	const line_t *l = &s->s_lines[li];
	size_t k = l->l_len;

	while (k > 0 && isspace((unsigned char)s->s_code[l->l_off + k - 1]))
		k--;
	return (k == 0 ? '\0' : s->s_code[l->l_off + k - 1]);
}

/*
 * Whether a line ending in ":" is a label ("case x:", "default:",
 * "name:") rather than the middle of a "?:" split over lines.
 */
static int
is_label(const src_t *s, size_t li)
{
	const line_t *l = &s->s_lines[li];
	const char *c = s->s_code + l->l_off;
	size_t k = 0;

	while (k < l->l_len && isspace((unsigned char)c[k]))
		k++;
	if (l->l_len - k >= 4 && strncmp(c + k, "case", 4) == 0)
		return (1);
	while (k < l->l_len && (isalnum((unsigned char)c[k]) || c[k] == '_'))
		k++;
	while (k < l->l_len && isspace((unsigned char)c[k]))
		k++;
	return (k < l->l_len && c[k] == ':');
}

/*
 * Whether a line ending in "{" opens an initializer ("= {"), whose
 * contents may be continuation lines.
 */
static int
opens_initializer(const src_t *s, size_t li)
{
	const line_t *l = &s->s_lines[li];
	const char *c = s->s_code + l->l_off;
	size_t k = l->l_len;

	while (k > 0 && isspace((unsigned char)c[k - 1]))
		k--;
	if (k == 0 || c[k - 1] != '{')
		return (0);
	k--;
	while (k > 0 && isspace((unsigned char)c[k - 1]))
		k--;
	return (k > 0 && c[k - 1] == '=');
}

static void
check_width(src_t *s, size_t li)
{
	const line_t *l = &s->s_lines[li];
	size_t k, col = 0;

	for (k = 0; k < l->l_len; k++) {
		if (s->s_text[l->l_off + k] == '\t')
			col = (col / TABSTOP + 1) * TABSTOP;
		else
			col++;
	}
	if (col > MAXCOL) {
		report(s, li, R_WIDTH, "line is %zu columns long (at most %d)",
		    col, MAXCOL);
	}
}

static void
check_trailing(src_t *s, size_t li)
{
	const line_t *l = &s->s_lines[li];
	char last;

	if (l->l_len == 0)
		return;
	last = s->s_text[l->l_off + l->l_len - 1];
	if (last == ' ' || last == '\t' || last == '\r')
		report(s, li, R_TRAILING, "whitespace at the end of the line");
}

static void
check_indent(src_t *s, size_t li, size_t prev)
{
	const line_t *l = &s->s_lines[li];
	const char *t = s->s_text + l->l_off;
	size_t k, run = 0;
	int space = 0;

	for (k = 0; k < l->l_len && (t[k] == ' ' || t[k] == '\t'); k++) {
		if (t[k] == '\t' && space) {
			report(s, li, R_INDENT, "space before tab in the "
			    "indentation");
			return;
		}
		space = t[k] == ' ';
		run = space ? run + 1 : 0;
		if (run == TABSTOP) {
			report(s, li, R_INDENT, "%d spaces in the indentation "
			    "instead of a tab", TABSTOP);
			return;
		}
	}
	if (!space || k == l->l_len || in_block_comment(s, l->l_off + k) ||
	    l->l_cpp || prev == (size_t)-1)
		return;
	/*
	 * The indentation ends in spaces: fine for a continuation line, not
	 * for a line that starts a statement, that is one after a line
	 * ending a statement, opening or closing a block, or a label.
	 */
	switch (code_last(s, prev)) {
	case ':':
		if (!is_label(s, prev))
			break;
		/* FALLTHROUGH */
	case '{':
		if (code_last(s, prev) == '{' && opens_initializer(s, prev))
			break;
		/* FALLTHROUGH */
	case ';':
	case '}':
		report(s, li, R_INDENT, "statement indented with spaces");
		break;
	default:
		break;
	}
}

static void
check_define(src_t *s, size_t li)
{
	const line_t *l = &s->s_lines[li];

	if (l->l_len > 8 && strncmp(s->s_code + l->l_off, "#define ", 8) == 0)
		report(s, li, R_DEFINE, "#define followed by a space, not a "
		    "tab");
}

static void
check_lines(src_t *s)
{
	size_t li, prev = (size_t)-1;

	for (li = 0; li < s->s_nlines; li++) {
		check_width(s, li);
		check_trailing(s, li);
		check_indent(s, li, prev);
		check_define(s, li);
		if (!code_blank(s, li) && !s->s_lines[li].l_cpp)
			prev = li;
	}
}

/*
 * Comment rules.
 */
static int
lint_word(const src_t *s, const comment_t *cm)
{
	static const char *words[] = { "ARGSUSED", "NOTREACHED", "LINTED",
	    "FALLTHRU", "FALLTHROUGH", "CONSTCOND", "LINTLIBRARY", "EMPTY",
	    "VARARGS", "PRINTFLIKE", NULL };
	size_t a = cm->c_start + 2;
	int k;

	for (k = 0; words[k] != NULL; k++) {
		if (strncmp(s->s_text + a, words[k], strlen(words[k])) == 0)
			return (1);
	}
	return (0);
}

/* Whether text[a, b) is all blanks. */
static int
blank_span(const src_t *s, size_t a, size_t b)
{
	for (; a < b; a++) {
		if (s->s_text[a] != ' ' && s->s_text[a] != '\t')
			return (0);
	}
	return (1);
}

static void
check_one_line_comment(src_t *s, const comment_t *cm, size_t li)
{
	char after = s->s_text[cm->c_start + 2];
	char before = s->s_text[cm->c_end - 3];

	if (cm->c_end - cm->c_start <= 4 || lint_word(s, cm))
		return;
	if (after != ' ' && after != '\t' && after != '*')
		report(s, li, R_COMMENT, "no blank after the opening of a "
		    "comment");
	if (before != ' ' && before != '\t' && before != '*')
		report(s, li, R_COMMENT, "no blank before the closing of a "
		    "comment");
}

/* Whether a line inside a block comment starts as " * " should. */
static int
comment_line_ok(const src_t *s, size_t li, const char *ind, size_t n)
{
	const line_t *l = &s->s_lines[li];
	const char *t = s->s_text + l->l_off;

	if (l->l_len < n + 2 || memcmp(t, ind, n) != 0 ||
	    t[n] != ' ' || t[n + 1] != '*')
		return (0);
	return (l->l_len == n + 2 || t[n + 2] == ' ' || t[n + 2] == '\t');
}

static void
check_block_comment(src_t *s, const comment_t *cm)
{
	size_t first = line_of(s, cm->c_start);
	size_t last = line_of(s, cm->c_end - 1);
	const line_t *fl = &s->s_lines[first], *ll = &s->s_lines[last];
	const char *ind = s->s_text + fl->l_off;
	size_t n = cm->c_start - fl->l_off, li;

	if (first == last) {
		check_one_line_comment(s, cm, first);
		return;
	}
	/* A comment that follows code on its first line is left alone. */
	if (!blank_span(s, fl->l_off, cm->c_start))
		return;
	if (!blank_span(s, cm->c_start + 2, fl->l_off + fl->l_len))
		report(s, first, R_COMMENT, "text after the opening of a "
		    "multi-line comment: put it alone on its line");
	for (li = first + 1; li < last; li++) {
		if (!comment_line_ok(s, li, ind, n))
			report(s, li, R_COMMENT, "a line inside a block "
			    "comment should start with \" * \" under the "
			    "opening");
	}
	if (cm->c_end - 2 != ll->l_off + n + 1 ||
	    memcmp(s->s_text + ll->l_off, ind, n) != 0 ||
	    s->s_text[ll->l_off + n] != ' ' ||
	    !blank_span(s, cm->c_end, ll->l_off + ll->l_len))
		report(s, last, R_COMMENT, "the closing of a multi-line "
		    "comment should be alone on its line, as \" */\" under "
		    "the opening");
}

static void
check_comments(src_t *s)
{
	size_t k;

	for (k = 0; k < s->s_ncomments; k++) {
		const comment_t *cm = &s->s_comments[k];

		if (cm->c_block)
			check_block_comment(s, cm);
		else
			report(s, line_of(s, cm->c_start), R_CXXCOMMENT,
			    "// comment: use /* */");
	}
}

/*
 * Token rules on the code copy: keywords, return, sizeof, else.
 */
static int
off_in_cpp(const src_t *s, size_t off)
{
	return (s->s_lines[line_of(s, off)].l_cpp);
}

static int
is_ident(char c)
{
	return (isalnum((unsigned char)c) || c == '_');
}

/* Whether code[off] starts the word w, standing alone. */
static int
word_at(const src_t *s, size_t off, const char *w)
{
	size_t n = strlen(w);

	if (off + n > s->s_len || strncmp(s->s_code + off, w, n) != 0)
		return (0);
	if (off > 0 && is_ident(s->s_code[off - 1]))
		return (0);
	return (off + n == s->s_len || !is_ident(s->s_code[off + n]));
}

static size_t
skip_space(const src_t *s, size_t off)
{
	while (off < s->s_len && isspace((unsigned char)s->s_code[off]))
		off++;
	return (off);
}

/* The offset just past the parenthesis matching the one at off. */
static size_t
match_paren(const src_t *s, size_t off)
{
	int depth = 0;

	for (; off < s->s_len; off++) {
		if (s->s_code[off] == '(')
			depth++;
		else if (s->s_code[off] == ')' && --depth == 0)
			return (off + 1);
	}
	return (s->s_len);
}

static void
check_keyword_paren(src_t *s, size_t off, const char *w)
{
	size_t a = off + strlen(w), b = a;

	while (b < s->s_len && (s->s_code[b] == ' ' || s->s_code[b] == '\t'))
		b++;
	if (b >= s->s_len || s->s_code[b] != '(')
		return;
	if (b == a)
		report(s, line_of(s, off), R_KEYWORD, "no space between "
		    "\"%s\" and \"(\"", w);
	else if (b - a != 1 || s->s_code[a] != ' ')
		report(s, line_of(s, off), R_KEYWORD, "use one space between "
		    "\"%s\" and \"(\"", w);
}

static void
check_return(src_t *s, size_t off)
{
	size_t a = skip_space(s, off + strlen("return")), b;

	if (a >= s->s_len || s->s_code[a] == ';')
		return;
	if (s->s_code[a] == '(') {
		b = skip_space(s, match_paren(s, a));
		if (b < s->s_len && s->s_code[b] == ';')
			return;
	}
	report(s, line_of(s, off), R_RETURN, "return expression not in "
	    "parentheses: \"return (x);\"");
}

static void
check_sizeof(src_t *s, size_t off)
{
	size_t a = off + strlen("sizeof");

	if (a + 1 < s->s_len && s->s_code[a] == ' ' && s->s_code[a + 1] == '(')
		return;
	if (a < s->s_len && s->s_code[a] == '(')
		report(s, line_of(s, off), R_SIZEOF, "no space between "
		    "\"sizeof\" and \"(\"");
	else
		report(s, line_of(s, off), R_SIZEOF, "sizeof without one "
		    "space and parentheses: \"sizeof (x)\"");
}

static void
check_else(src_t *s, size_t off)
{
	size_t li = line_of(s, off), a, b;

	/* What precedes: "} else" on one line, one space between. */
	b = off;
	while (b > 0 && (s->s_code[b - 1] == ' ' || s->s_code[b - 1] == '\t'))
		b--;
	if (b > 0 && s->s_code[b - 1] == '}' && b == off) {
		report(s, li, R_ELSE, "no space between \"}\" and \"else\"");
	} else if (b > 0 && s->s_code[b - 1] == '\n') {
		a = b - 1;
		while (a > 0 && isspace((unsigned char)s->s_code[a - 1]))
			a--;
		if (a > 0 && s->s_code[a - 1] == '}')
			report(s, li, R_ELSE, "\"else\" on the line after "
			    "\"}\": write \"} else {\"");
	}
	/* What follows: "else {" or "else if", on the same line. */
	a = off + strlen("else");
	if (a < s->s_len && s->s_code[a] == '{') {
		report(s, li, R_ELSE, "no space between \"else\" and \"{\"");
		return;
	}
	b = skip_space(s, a);
	if (b < s->s_len && s->s_code[b] == '{' &&
	    line_of(s, b) != li)
		report(s, li, R_ELSE, "\"{\" on the line after \"else\": "
		    "write \"} else {\"");
}

static void
check_tokens(src_t *s)
{
	static const char *kw[] = { "if", "for", "while", "switch", "return",
	    NULL };
	size_t off;
	int k;

	for (off = 0; off < s->s_len; off++) {
		if (!isalpha((unsigned char)s->s_code[off]) ||
		    (off > 0 && is_ident(s->s_code[off - 1])))
			continue;
		for (k = 0; kw[k] != NULL; k++) {
			if (word_at(s, off, kw[k]))
				check_keyword_paren(s, off, kw[k]);
		}
		if (word_at(s, off, "return"))
			check_return(s, off);
		else if (word_at(s, off, "sizeof"))
			check_sizeof(s, off);
		else if (word_at(s, off, "else") && !off_in_cpp(s, off))
			check_else(s, off);
	}
}

/*
 * Function definitions: at file scope, a declaration that has
 * parentheses, no initializer, and is followed by "{" is a function
 * definition.
 */

/*
 * The start of the identifier that ends just before off (blanks
 * skipped), or (size_t)-1 when there is none.
 */
static size_t
ident_before(const src_t *s, size_t start, size_t off)
{
	while (off > start && isspace((unsigned char)s->s_code[off - 1]))
		off--;
	if (off == start || !is_ident(s->s_code[off - 1]))
		return ((size_t)-1);
	while (off > start && is_ident(s->s_code[off - 1]))
		off--;
	return (off);
}

static void
check_definition(src_t *s, size_t start, size_t brace)
{
	size_t k, last = (size_t)-1, name = (size_t)-1, nl, bl;
	int depth = 0;
	const line_t *l;

	for (k = start; k < brace; k++) {
		char c = s->s_code[k];

		if (off_in_cpp(s, k) || isspace((unsigned char)c))
			continue;
		last = k;
		if (c == '(' && depth++ == 0 && name == (size_t)-1) {
			/* The name is the identifier before the "(". */
			size_t n = ident_before(s, start, k);

			if (n != (size_t)-1 &&
			    !word_at(s, n, "__attribute__"))
				name = n;
		} else if (c == ')') {
			depth--;
		} else if (c == '=' && depth == 0) {
			return;		/* an initializer */
		}
	}
	if (name == (size_t)-1 || last == (size_t)-1 || s->s_code[last] != ')')
		return;
	nl = line_of(s, name);
	l = &s->s_lines[nl];
	if (name != l->l_off) {
		if (blank_span(s, l->l_off, name))
			report(s, nl, R_FUNCDEF, "function name not at "
			    "column 0");
		else
			report(s, nl, R_FUNCDEF, "return type on the line of "
			    "the function name: put it on the line above");
	}
	bl = line_of(s, brace);
	l = &s->s_lines[bl];
	if (brace != l->l_off ||
	    !blank_span(s, brace + 1, l->l_off + l->l_len))
		report(s, bl, R_FUNCDEF, "the \"{\" of a function body should "
		    "be alone on the next line, at column 0");
}

static void
check_functions(src_t *s)
{
	size_t off, start = 0;
	int depth = 0;

	for (off = 0; off < s->s_len; off++) {
		char c = s->s_code[off];

		if (c != '{' && c != '}' && c != ';')
			continue;
		if (off_in_cpp(s, off))
			continue;
		if (c == '{') {
			if (depth++ == 0)
				check_definition(s, start, off);
		} else if (c == '}') {
			if (depth > 0)
				depth--;
			if (depth == 0)
				start = off + 1;
		} else if (depth == 0) {
			start = off + 1;
		}
	}
}

static void
src_free(src_t *s)
{
	free(s->s_text);
	free(s->s_code);
	free(s->s_lines);
	free(s->s_comments);
	free(s->s_findings);
}

static int
check_file(const char *path)
{
	src_t s;
	size_t k;
	int bad;

	if (src_read(&s, path) != 0)
		return (2);
	src_split(&s);
	src_lex(&s);
	mark_cpp(&s);
	mark_skips(&s);
	check_lines(&s);
	check_comments(&s);
	check_tokens(&s);
	check_functions(&s);
	qsort(s.s_findings, s.s_nfindings, sizeof (finding_t), finding_cmp);
	for (k = 0; k < s.s_nfindings; k++) {
		(void) printf("%s:%zu: %s: %s\n", path, s.s_findings[k].f_line,
		    rule_names[s.s_findings[k].f_rule], s.s_findings[k].f_msg);
	}
	bad = s.s_nfindings > 0;
	src_free(&s);
	return (bad);
}

int
main(int argc, char **argv)
{
	int i, rc = 0;

	if (argc == 2 && strcmp(argv[1], "-l") == 0) {
		for (i = 0; i < R_NRULES; i++)
			(void) printf("%s\n", rule_names[i]);
		return (0);
	}
	if (argc < 2) {
		(void) fprintf(stderr, "usage: cstyle [-l] file ...\n");
		return (2);
	}
	for (i = 1; i < argc; i++) {
		int r = check_file(argv[i]);

		if (r > rc)
			rc = r;
	}
	return (rc);
}

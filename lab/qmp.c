/*
 * qmp.c: QMP client for programs running inside the lab guest; see qmp.h.
 */

#define _GNU_SOURCE
#include "qmp.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define	QMP_MAX_LINE	(16 * 1024 * 1024)
#define	QMP_MAX_RULES	32

/* ------------------------------------------------------------------ */
/* Error text                                                          */
/* ------------------------------------------------------------------ */

static char qmp_err[512];

static void
seterr(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void) vsnprintf(qmp_err, sizeof (qmp_err), fmt, ap);
	va_end(ap);
}

const char *
qmp_last_error(void)
{
	return (qmp_err);
}

/* ------------------------------------------------------------------ */
/* Growable string                                                     */
/* ------------------------------------------------------------------ */

typedef struct sbuf {
	char	*sb_p;
	size_t	sb_len;
	size_t	sb_cap;
	int	sb_oom;
} sbuf_t;

static void
sb_add(sbuf_t *sb, const char *s, size_t n)
{
	if (sb->sb_oom)
		return;
	if (sb->sb_len + n + 1 > sb->sb_cap) {
		size_t cap = sb->sb_cap ? sb->sb_cap : 256;
		char *p;

		while (cap < sb->sb_len + n + 1)
			cap *= 2;
		if ((p = realloc(sb->sb_p, cap)) == NULL) {
			sb->sb_oom = 1;
			return;
		}
		sb->sb_p = p;
		sb->sb_cap = cap;
	}
	memcpy(sb->sb_p + sb->sb_len, s, n);
	sb->sb_len += n;
	sb->sb_p[sb->sb_len] = '\0';
}

static void __attribute__((format(printf, 2, 3)))
sb_printf(sbuf_t *sb, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		sb->sb_oom = 1;
		return;
	}
	sb_add(sb, s, (size_t)n);
	free(s);
}

/* Appends s as a JSON string literal. */
static void
sb_json_str(sbuf_t *sb, const char *s)
{
	sb_add(sb, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			sb_printf(sb, "\\%c", c);
		else if (c < 0x20)
			sb_printf(sb, "\\u%04x", c);
		else
			sb_add(sb, s, 1);
	}
	sb_add(sb, "\"", 1);
}

static void
sb_free(sbuf_t *sb)
{
	free(sb->sb_p);
	memset(sb, 0, sizeof (*sb));
}

/* ------------------------------------------------------------------ */
/* Minimal JSON scanning                                               */
/* ------------------------------------------------------------------ */

static const char *
js_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return (p);
}

/* p points at '"'; returns the position after the closing quote. */
static const char *
js_skip_string(const char *p)
{
	for (p++; *p != '\0' && *p != '"'; p++) {
		if (*p == '\\' && *++p == '\0')
			return (NULL);
	}
	return (*p == '"' ? p + 1 : NULL);
}

static const char *
js_skip_value(const char *p, int depth)
{
	const char *s;
	char close;

	p = js_ws(p);
	if (depth > 64)
		return (NULL);
	switch (*p) {
	case '"':
		return (js_skip_string(p));
	case '{':
	case '[':
		close = (*p == '{') ? '}' : ']';
		p = js_ws(p + 1);
		if (*p == close)
			return (p + 1);
		for (;;) {
			if (close == '}') {
				if (*p != '"' || (p = js_skip_string(p)) == NULL)
					return (NULL);
				p = js_ws(p);
				if (*p++ != ':')
					return (NULL);
			}
			if ((p = js_skip_value(p, depth + 1)) == NULL)
				return (NULL);
			p = js_ws(p);
			if (*p == ',') {
				p = js_ws(p + 1);
				continue;
			}
			return (*p == close ? p + 1 : NULL);
		}
	case '\0':
		return (NULL);
	default:
		for (s = p; *p != '\0' && strchr(",}] \t\r\n", *p) == NULL; p++)
			;
		return (p == s ? NULL : p);
	}
}

/* Returns the value of member key (keylen bytes) of object obj. */
static const char *
js_member(const char *obj, const char *key, size_t keylen)
{
	const char *p = js_ws(obj), *k, *e;

	if (*p != '{')
		return (NULL);
	p = js_ws(p + 1);
	if (*p == '}')
		return (NULL);
	for (;;) {
		if (*p != '"' || (e = js_skip_string(p)) == NULL)
			return (NULL);
		k = p + 1;
		p = js_ws(e);
		if (*p != ':')
			return (NULL);
		p = js_ws(p + 1);
		if ((size_t)(e - 1 - k) == keylen && memcmp(k, key, keylen) == 0)
			return (p);
		if ((p = js_skip_value(p, 0)) == NULL)
			return (NULL);
		p = js_ws(p);
		if (*p != ',')
			return (NULL);
		p = js_ws(p + 1);
	}
}

static void
put_utf8(char **o, char *end, unsigned cp)
{
	char tmp[4];
	int n, i;

	if (cp < 0x80) {
		tmp[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		tmp[0] = (char)(0xc0 | (cp >> 6));
		tmp[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else {
		tmp[0] = (char)(0xe0 | (cp >> 12));
		tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		tmp[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	}
	for (i = 0; i < n && *o < end; i++)
		*(*o)++ = tmp[i];
}

/* Decodes the string literal at p into out (always NUL-terminated). */
static int
js_unescape(const char *p, char *out, size_t outlen)
{
	char *o = out, *end = out + outlen - 1;
	unsigned cp;

	if (*p++ != '"')
		return (-1);
	while (*p != '"') {
		if (*p == '\0')
			return (-1);
		if (*p != '\\') {
			if (o < end)
				*o++ = *p;
			p++;
			continue;
		}
		switch (*++p) {
		case 'n': cp = '\n'; break;
		case 't': cp = '\t'; break;
		case 'r': cp = '\r'; break;
		case 'b': cp = '\b'; break;
		case 'f': cp = '\f'; break;
		case 'u':
			if (sscanf(p + 1, "%4x", &cp) != 1)
				return (-1);
			p += 4;
			break;
		case '\0':
			return (-1);
		default: cp = (unsigned char)*p; break;
		}
		put_utf8(&o, end, cp);
		p++;
	}
	*o = '\0';
	return (0);
}

int
qmp_json_get(const char *json, const char *path, char *out, size_t outlen)
{
	const char *v = json, *seg = path, *dot, *e;
	size_t n;

	if (outlen == 0)
		return (-1);
	for (;;) {
		dot = strchr(seg, '.');
		n = dot ? (size_t)(dot - seg) : strlen(seg);
		if ((v = js_member(v, seg, n)) == NULL)
			return (-1);
		if (dot == NULL)
			break;
		seg = dot + 1;
	}
	if (*v == '"')
		return (js_unescape(v, out, outlen));
	if ((e = js_skip_value(v, 0)) == NULL)
		return (-1);
	n = (size_t)(e - v);
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, v, n);
	out[n] = '\0';
	return (0);
}

/* ------------------------------------------------------------------ */
/* Connection state                                                    */
/* ------------------------------------------------------------------ */

static struct {
	int		c_fd;
	char		*c_buf;		/* bytes read but not yet consumed */
	size_t		c_len;
	size_t		c_cap;
	unsigned	c_seq;
	char		*c_ev[QMP_EVENT_SLOTS];	/* oldest first */
	unsigned	c_nev;
	int		c_timeout;
} qc = { .c_fd = -1, .c_timeout = QMP_DEFAULT_TIMEOUT_MS };

void
qmp_set_timeout(int ms)
{
	qc.c_timeout = ms > 0 ? ms : QMP_DEFAULT_TIMEOUT_MS;
}

static long long
now_ms(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static void
ev_push(char *line)
{
	if (qc.c_nev == QMP_EVENT_SLOTS) {
		free(qc.c_ev[0]);
		memmove(qc.c_ev, qc.c_ev + 1,
		    (QMP_EVENT_SLOTS - 1) * sizeof (qc.c_ev[0]));
		qc.c_nev--;
	}
	qc.c_ev[qc.c_nev++] = line;
}

static void
ev_clear(void)
{
	while (qc.c_nev > 0)
		free(qc.c_ev[--qc.c_nev]);
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t r;

	while (n > 0) {
		if ((r = write(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		p += r;
		n -= (size_t)r;
	}
	return (0);
}

/*
 * Returns the next non-empty line (malloc'd, without the newline), or
 * NULL with errno set once the deadline (CLOCK_MONOTONIC ms) has passed.
 */
static char *
read_line(int fd, long long deadline)
{
	for (;;) {
		char *nl, *line;
		struct pollfd pfd;
		long long left;
		ssize_t r;
		size_t n;

		while ((nl = memchr(qc.c_buf, '\n', qc.c_len)) != NULL) {
			n = (size_t)(nl - qc.c_buf);
			line = (n > 0) ? strndup(qc.c_buf, n) : NULL;
			qc.c_len -= n + 1;
			memmove(qc.c_buf, nl + 1, qc.c_len);
			if (n > 0 && line == NULL)
				return (NULL);
			if (line != NULL && *js_ws(line) != '\0')
				return (line);
			free(line);
		}
		if (qc.c_len >= QMP_MAX_LINE) {
			seterr("QMP line longer than %d bytes", QMP_MAX_LINE);
			errno = EMSGSIZE;
			return (NULL);
		}
		if (qc.c_cap - qc.c_len < 4096) {
			size_t cap = qc.c_cap ? qc.c_cap * 2 : 65536;
			char *p = realloc(qc.c_buf, cap);

			if (p == NULL)
				return (NULL);
			qc.c_buf = p;
			qc.c_cap = cap;
		}
		left = deadline - now_ms();
		if (left <= 0) {
			seterr("timed out waiting for QMP");
			errno = ETIMEDOUT;
			return (NULL);
		}
		pfd.fd = fd;
		pfd.events = POLLIN;
		r = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			seterr("poll %s: %s", getenv("LAB_QMP"), strerror(errno));
			return (NULL);
		}
		if (r == 0)
			continue;
		r = read(fd, qc.c_buf + qc.c_len, qc.c_cap - qc.c_len);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			seterr("read %s: %s", getenv("LAB_QMP"), strerror(errno));
			return (NULL);
		}
		if (r == 0) {
			seterr("QMP relay is not connected");
			errno = ECONNRESET;
			return (NULL);
		}
		qc.c_len += (size_t)r;
	}
}

int
qmp_open(void)
{
	const char *path = getenv("LAB_QMP");
	int fd;

	qmp_err[0] = '\0';
	if (qc.c_fd >= 0) {
		seterr("a QMP connection is already open in this process");
		errno = EBUSY;
		return (-1);
	}
	if (path == NULL || *path == '\0') {
		seterr("LAB_QMP is not set (not running inside the lab?)");
		errno = ENOENT;
		return (-1);
	}
	if ((fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
		int e = errno;

		seterr("open %s: %s", path, strerror(e));
		errno = e;
		return (-1);
	}
	qc.c_fd = fd;
	qc.c_len = 0;
	/*
	 * The reply to this command follows anything an earlier user of the
	 * port left behind; qmp_exec() skips all of that by its id.
	 */
	if (qmp_exec(fd, NULL, 0, "{\"execute\":\"query-version\"}") != 0) {
		int e = errno;

		qmp_close(fd);
		errno = e;
		return (-1);
	}
	ev_clear();
	return (fd);
}

void
qmp_close(int fd)
{
	if (fd >= 0)
		(void) close(fd);
	if (fd == qc.c_fd) {
		qc.c_fd = -1;
		qc.c_len = 0;
		ev_clear();
	}
}

static int
reply_status(const char *line, char *resp, size_t resplen)
{
	char desc[400];

	if (resp != NULL && resplen > 0) {
		(void) strncpy(resp, line, resplen - 1);
		resp[resplen - 1] = '\0';
	}
	if (js_member(line, "return", 6) != NULL)
		return (0);
	if (js_member(line, "error", 5) != NULL) {
		if (qmp_json_get(line, "error.desc", desc, sizeof (desc)) != 0)
			(void) strcpy(desc, "(no description)");
		seterr("%s", desc);
		errno = EREMOTEIO;
		return (-1);
	}
	seterr("unexpected QMP reply: %.200s", line);
	errno = EPROTO;
	return (-1);
}

int
qmp_exec(int fd, char *resp, size_t resplen, const char *fmt, ...)
{
	char id[64], got[64], *user, *line, *p;
	long long deadline;
	sbuf_t cmd = { 0 };
	va_list ap;
	int n, rc;

	if (resp != NULL && resplen > 0)
		resp[0] = '\0';
	va_start(ap, fmt);
	n = vasprintf(&user, fmt, ap);
	va_end(ap);
	if (n < 0)
		return (-1);
	for (p = user; *p != '\0'; p++) {
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	}
	p = (char *)js_ws(user);
	if (*p != '{') {
		seterr("QMP command is not a JSON object: %.100s", user);
		free(user);
		errno = EINVAL;
		return (-1);
	}
	(void) snprintf(id, sizeof (id), "lab-%ld-%u", (long)getpid(),
	    ++qc.c_seq);
	sb_printf(&cmd, "{\"id\":\"%s\"%s%s\n", id,
	    *js_ws(p + 1) == '}' ? "" : ",", p + 1);
	free(user);
	if (cmd.sb_oom) {
		sb_free(&cmd);
		errno = ENOMEM;
		return (-1);
	}
	if (write_all(fd, cmd.sb_p, cmd.sb_len) != 0) {
		int e = errno;

		seterr("write %s: %s", getenv("LAB_QMP"), strerror(e));
		sb_free(&cmd);
		errno = e;
		return (-1);
	}
	sb_free(&cmd);

	deadline = now_ms() + qc.c_timeout;
	for (;;) {
		if ((line = read_line(fd, deadline)) == NULL)
			return (-1);
		if (qmp_json_get(line, "id", got, sizeof (got)) == 0) {
			if (strcmp(got, id) == 0)
				break;
			free(line);	/* a stale reply to someone else */
		} else if (js_member(line, "event", 5) != NULL) {
			ev_push(line);
		} else {
			free(line);
		}
	}
	rc = reply_status(line, resp, resplen);
	free(line);
	return (rc);
}

static int
event_matches(const char *line, const char *name, const char *match)
{
	char buf[256];
	const char *eq;
	size_t plen;
	char path[128];

	if (qmp_json_get(line, "event", buf, sizeof (buf)) != 0 ||
	    strcmp(buf, name) != 0)
		return (0);
	if (match == NULL)
		return (1);
	if ((eq = strchr(match, '=')) == NULL ||
	    (plen = (size_t)(eq - match)) >= sizeof (path))
		return (0);
	memcpy(path, match, plen);
	path[plen] = '\0';
	return (qmp_json_get(line, path, buf, sizeof (buf)) == 0 &&
	    strcmp(buf, eq + 1) == 0);
}

int
qmp_wait_event(int fd, const char *name, const char *match, int timeout_ms,
    char *buf, size_t buflen)
{
	long long deadline;
	char *line;
	unsigned i;

	for (i = 0; i < qc.c_nev; i++) {
		if (event_matches(qc.c_ev[i], name, match)) {
			line = qc.c_ev[i];
			memmove(qc.c_ev + i, qc.c_ev + i + 1,
			    (qc.c_nev - i - 1) * sizeof (qc.c_ev[0]));
			qc.c_nev--;
			goto found;
		}
	}
	deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : qc.c_timeout);
	for (;;) {
		if ((line = read_line(fd, deadline)) == NULL) {
			if (errno == ETIMEDOUT)
				seterr("timed out waiting for event %s%s%s",
				    name, match ? " with " : "",
				    match ? match : "");
			return (-1);
		}
		if (js_member(line, "event", 5) == NULL) {
			free(line);
			continue;
		}
		if (event_matches(line, name, match))
			break;
		ev_push(line);
	}
found:
	if (buf != NULL && buflen > 0) {
		(void) strncpy(buf, line, buflen - 1);
		buf[buflen - 1] = '\0';
	}
	free(line);
	return (0);
}

/* ------------------------------------------------------------------ */
/* Disk specs                                                          */
/* ------------------------------------------------------------------ */

typedef enum { DK_NULL, DK_FILE, DK_BLKDEBUG } disk_kind_t;

typedef struct disk_spec {
	disk_kind_t	ds_kind;
	long long	ds_size;	/* -1: not given */
	long long	ds_latency;	/* -1: not given */
	char		ds_path[PATH_MAX];
	char		ds_config[PATH_MAX];
	int		ds_direct;
	char		ds_aio[16];
	long long	ds_lbs;
	long long	ds_rerr[QMP_MAX_RULES];
	int		ds_nrerr;
	long long	ds_werr[QMP_MAX_RULES];
	int		ds_nwerr;
	long long	ds_errno;
	int		ds_once;
} disk_spec_t;

static int
parse_num(const char *s, long long *v, int suffixes)
{
	unsigned long long n, mul = 1;
	char *end;

	if (*s < '0' || *s > '9')
		return (-1);
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0)
		return (-1);
	if (suffixes && *end != '\0' && end[1] == '\0') {
		switch (*end) {
		case 'k': case 'K': mul = 1ULL << 10; end++; break;
		case 'm': case 'M': mul = 1ULL << 20; end++; break;
		case 'g': case 'G': mul = 1ULL << 30; end++; break;
		case 't': case 'T': mul = 1ULL << 40; end++; break;
		default: break;
		}
	}
	if (*end != '\0' || n > (unsigned long long)LLONG_MAX / mul)
		return (-1);
	*v = (long long)(n * mul);
	return (0);
}

static int
parse_bool(const char *s, int *v)
{
	if (strcmp(s, "on") == 0 || strcmp(s, "true") == 0 ||
	    strcmp(s, "1") == 0 || strcmp(s, "yes") == 0)
		*v = 1;
	else if (strcmp(s, "off") == 0 || strcmp(s, "false") == 0 ||
	    strcmp(s, "0") == 0 || strcmp(s, "no") == 0)
		*v = 0;
	else
		return (-1);
	return (0);
}

/*
 * Splits the next comma-separated item off *sp into buf (",," stands for
 * a literal comma).  Returns 0 at the end of the string.
 */
static int
next_item(const char **sp, char *buf, size_t len)
{
	const char *s = *sp;
	size_t n = 0;

	if (s == NULL)
		return (0);
	for (; *s != '\0'; s++) {
		if (*s == ',') {
			if (s[1] != ',')
				break;
			s++;
		}
		if (n + 1 < len)
			buf[n++] = *s;
	}
	buf[n] = '\0';
	*sp = (*s == ',') ? s + 1 : NULL;
	return (1);
}

static const char *
kind_name(disk_kind_t k)
{
	return (k == DK_NULL ? "null" : k == DK_FILE ? "file" : "blkdebug");
}

static int
parse_spec(const char *spec, disk_spec_t *ds)
{
	char item[PATH_MAX + 32], *val;
	const char *s = spec;
	int b;

	memset(ds, 0, sizeof (*ds));
	ds->ds_size = ds->ds_latency = -1;
	ds->ds_direct = -1;
	ds->ds_errno = 5;	/* EIO */

	if (!next_item(&s, item, sizeof (item)) || item[0] == '\0') {
		seterr("missing disk kind (file, null or blkdebug)");
		return (-1);
	}
	if (strcmp(item, "null") == 0) {
		ds->ds_kind = DK_NULL;
	} else if (strcmp(item, "file") == 0) {
		ds->ds_kind = DK_FILE;
	} else if (strcmp(item, "blkdebug") == 0) {
		ds->ds_kind = DK_BLKDEBUG;
	} else {
		seterr("unknown disk kind '%s' (file, null or blkdebug)", item);
		return (-1);
	}

	while (next_item(&s, item, sizeof (item))) {
		disk_kind_t k = ds->ds_kind;
		int ok = 1;

		if ((val = strchr(item, '=')) == NULL) {
			seterr("'%s' is not opt=value", item);
			return (-1);
		}
		*val++ = '\0';
		if (strcmp(item, "size") == 0) {
			ok = parse_num(val, &ds->ds_size, 1) == 0 &&
			    ds->ds_size > 0 && ds->ds_size % 512 == 0;
		} else if (strcmp(item, "lbs") == 0) {
			ok = parse_num(val, &ds->ds_lbs, 0) == 0 &&
			    (ds->ds_lbs == 512 || ds->ds_lbs == 4096);
		} else if (strcmp(item, "latency") == 0 && k == DK_NULL) {
			ok = parse_num(val, &ds->ds_latency, 0) == 0;
		} else if (strcmp(item, "path") == 0 && k != DK_NULL) {
			ok = *val != '\0' && strlen(val) < sizeof (ds->ds_path);
			if (ok)
				(void) strcpy(ds->ds_path, val);
		} else if (strcmp(item, "direct") == 0 && k == DK_FILE) {
			ok = parse_bool(val, &ds->ds_direct) == 0;
		} else if (strcmp(item, "aio") == 0 && k == DK_FILE) {
			ok = strcmp(val, "threads") == 0 ||
			    strcmp(val, "native") == 0 ||
			    strcmp(val, "io_uring") == 0;
			if (ok)
				(void) strcpy(ds->ds_aio, val);
		} else if ((strcmp(item, "rerr") == 0 ||
		    strcmp(item, "werr") == 0) && k == DK_BLKDEBUG) {
			int w = item[0] == 'w';
			int *np = w ? &ds->ds_nwerr : &ds->ds_nrerr;
			long long *v = w ? ds->ds_werr : ds->ds_rerr;

			ok = *np < QMP_MAX_RULES &&
			    parse_num(val, &v[*np], 0) == 0;
			if (ok)
				(*np)++;
		} else if (strcmp(item, "errno") == 0 && k == DK_BLKDEBUG) {
			ok = parse_num(val, &ds->ds_errno, 0) == 0 &&
			    ds->ds_errno > 0 && ds->ds_errno < 4096;
		} else if (strcmp(item, "once") == 0 && k == DK_BLKDEBUG) {
			ok = parse_bool(val, &b) == 0;
			if (ok)
				ds->ds_once = b;
		} else if (strcmp(item, "config") == 0 && k == DK_BLKDEBUG) {
			ok = *val != '\0' && strlen(val) < sizeof (ds->ds_config);
			if (ok)
				(void) strcpy(ds->ds_config, val);
		} else {
			seterr("option '%s' is not valid for a %s disk",
			    item, kind_name(k));
			return (-1);
		}
		if (!ok) {
			seterr("bad value '%s' for %s", val, item);
			return (-1);
		}
	}
	if (ds->ds_lbs != 0 && ds->ds_size > 0 && ds->ds_size % ds->ds_lbs) {
		seterr("size is not a multiple of lbs=%lld", ds->ds_lbs);
		return (-1);
	}
	if (strcmp(ds->ds_aio, "native") == 0 && ds->ds_direct != 1) {
		seterr("aio=native needs direct=on");
		return (-1);
	}
	return (0);
}

/* Resolves or creates the image file of a file/blkdebug disk. */
static int
prepare_image(int hba, int target, disk_spec_t *ds)
{
	char path[PATH_MAX], real[PATH_MAX];
	const char *out;
	struct stat st;
	int fd;

	if (ds->ds_path[0] != '\0') {
		(void) strcpy(path, ds->ds_path);
	} else {
		if ((out = getenv("LAB_OUT")) == NULL || *out == '\0') {
			seterr("no path= given and LAB_OUT is not set");
			errno = EINVAL;
			return (-1);
		}
		(void) snprintf(path, sizeof (path), "%s/disk-%d-%d.img",
		    out, hba, target);
		if (ds->ds_size < 0)
			ds->ds_size = 64LL << 20;
	}
	if (stat(path, &st) != 0) {
		if (errno != ENOENT || ds->ds_size < 0) {
			int e = errno;

			seterr("%s: %s", path, strerror(e));
			errno = e;
			return (-1);
		}
		fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0 || ftruncate(fd, ds->ds_size) != 0) {
			int e = errno;

			seterr("cannot create %s: %s", path, strerror(e));
			if (fd >= 0)
				(void) close(fd);
			errno = e;
			return (-1);
		}
		(void) close(fd);
	}
	if (realpath(path, real) == NULL) {
		int e = errno;

		seterr("%s: %s", path, strerror(e));
		errno = e;
		return (-1);
	}
	(void) strcpy(ds->ds_path, real);
	if (ds->ds_config[0] != '\0') {
		if (realpath(ds->ds_config, real) == NULL) {
			int e = errno;

			seterr("%s: %s", ds->ds_config, strerror(e));
			errno = e;
			return (-1);
		}
		(void) strcpy(ds->ds_config, real);
	}
	return (0);
}

static void
add_rules(sbuf_t *sb, const char *iotype, const long long *sec, int n,
    const disk_spec_t *ds, int *first)
{
	int i;

	for (i = 0; i < n; i++) {
		sb_printf(sb, "%s{\"event\":\"none\",\"iotype\":\"%s\","
		    "\"sector\":%lld,\"errno\":%lld,\"once\":%s}",
		    *first ? "" : ",", iotype, sec[i], ds->ds_errno,
		    ds->ds_once ? "true" : "false");
		*first = 0;
	}
}

static int
copy_out(const sbuf_t *sb, char *out, size_t len)
{
	if (sb->sb_oom) {
		seterr("out of memory");
		errno = ENOMEM;
		return (-1);
	}
	if (sb->sb_len >= len) {
		seterr("JSON does not fit in %zu bytes", len);
		errno = ENOSPC;
		return (-1);
	}
	(void) memcpy(out, sb->sb_p, sb->sb_len + 1);
	return (0);
}

int
qmp_disk_check(const char *kind_opts)
{
	disk_spec_t *ds;
	int rc;

	qmp_err[0] = '\0';
	if ((ds = malloc(sizeof (*ds))) == NULL)
		return (-1);
	rc = parse_spec(kind_opts, ds);
	free(ds);
	if (rc != 0)
		errno = EINVAL;
	return (rc);
}

int
qmp_disk_json(int hba, int target, const char *kind_opts, char *blockdev,
    size_t blen, char *device, size_t dlen)
{
	sbuf_t bd = { 0 }, dev = { 0 };
	disk_spec_t *ds;
	int rc = -1, first = 1;

	qmp_err[0] = '\0';
	if (hba < 0 || hba > 63 || target < 0 || target > 64) {
		seterr("hba must be 0..63 and target 0..64");
		errno = EINVAL;
		return (-1);
	}
	if ((ds = malloc(sizeof (*ds))) == NULL)
		return (-1);
	if (parse_spec(kind_opts, ds) != 0) {
		errno = EINVAL;
		goto out;
	}
	if (ds->ds_kind != DK_NULL && prepare_image(hba, target, ds) != 0)
		goto out;

	switch (ds->ds_kind) {
	case DK_NULL:
		sb_printf(&bd, "{\"driver\":\"null-co\",\"node-name\":"
		    "\"node-%d-%d\",\"size\":%lld,\"read-zeroes\":true",
		    hba, target, ds->ds_size > 0 ? ds->ds_size : 1LL << 30);
		if (ds->ds_latency >= 0)
			sb_printf(&bd, ",\"latency-ns\":%lld", ds->ds_latency);
		sb_add(&bd, "}", 1);
		break;
	case DK_FILE:
		sb_printf(&bd, "{\"driver\":\"file\",\"node-name\":"
		    "\"node-%d-%d\",\"filename\":", hba, target);
		sb_json_str(&bd, ds->ds_path);
		if (ds->ds_aio[0] != '\0')
			sb_printf(&bd, ",\"aio\":\"%s\"", ds->ds_aio);
		if (ds->ds_direct >= 0)
			sb_printf(&bd, ",\"cache\":{\"direct\":%s}",
			    ds->ds_direct ? "true" : "false");
		sb_add(&bd, "}", 1);
		break;
	case DK_BLKDEBUG:
		sb_printf(&bd, "{\"driver\":\"blkdebug\",\"node-name\":"
		    "\"node-%d-%d\",\"image\":{\"driver\":\"file\","
		    "\"node-name\":\"node-%d-%d-file\",\"filename\":",
		    hba, target, hba, target);
		sb_json_str(&bd, ds->ds_path);
		sb_add(&bd, "}", 1);
		if (ds->ds_config[0] != '\0') {
			sb_add(&bd, ",\"config\":", 10);
			sb_json_str(&bd, ds->ds_config);
		}
		if (ds->ds_nrerr + ds->ds_nwerr > 0) {
			sb_add(&bd, ",\"inject-error\":[", 17);
			add_rules(&bd, "read", ds->ds_rerr, ds->ds_nrerr, ds,
			    &first);
			add_rules(&bd, "write", ds->ds_werr, ds->ds_nwerr, ds,
			    &first);
			sb_add(&bd, "]", 1);
		}
		sb_add(&bd, "}", 1);
		break;
	}

	sb_printf(&dev, "{\"driver\":\"scsi-hd\",\"id\":\"disk-%d-%d\","
	    "\"drive\":\"node-%d-%d\",\"bus\":\"hba%d.0\",\"scsi-id\":%d,"
	    "\"lun\":0", hba, target, hba, target, hba, target);
	if (ds->ds_lbs != 0)
		sb_printf(&dev, ",\"logical_block_size\":%lld,"
		    "\"physical_block_size\":%lld", ds->ds_lbs, ds->ds_lbs);
	sb_add(&dev, "}", 1);

	if (copy_out(&bd, blockdev, blen) == 0 &&
	    copy_out(&dev, device, dlen) == 0)
		rc = 0;
out:
	sb_free(&bd);
	sb_free(&dev);
	free(ds);
	return (rc);
}

int
qmp_disk_add(int fd, int hba, int target, const char *kind_opts)
{
	char bd[8192], dev[1024], err[sizeof (qmp_err)];
	int e;

	if (qmp_disk_json(hba, target, kind_opts, bd, sizeof (bd), dev,
	    sizeof (dev)) != 0)
		return (-1);
	if (qmp_exec(fd, NULL, 0,
	    "{\"execute\":\"blockdev-add\",\"arguments\":%s}", bd) != 0)
		return (-1);
	if (qmp_exec(fd, NULL, 0,
	    "{\"execute\":\"device_add\",\"arguments\":%s}", dev) == 0)
		return (0);
	e = errno;
	(void) strcpy(err, qmp_err);
	(void) qmp_exec(fd, NULL, 0, "{\"execute\":\"blockdev-del\","
	    "\"arguments\":{\"node-name\":\"node-%d-%d\"}}", hba, target);
	(void) strcpy(qmp_err, err);
	errno = e;
	return (-1);
}

int
qmp_disk_del(int fd, int hba, int target)
{
	char match[64];

	if (qmp_exec(fd, NULL, 0, "{\"execute\":\"device_del\","
	    "\"arguments\":{\"id\":\"disk-%d-%d\"}}", hba, target) != 0)
		return (-1);
	(void) snprintf(match, sizeof (match), "data.device=disk-%d-%d",
	    hba, target);
	if (qmp_wait_event(fd, "DEVICE_DELETED", match, 0, NULL, 0) != 0)
		return (-1);
	return (qmp_exec(fd, NULL, 0, "{\"execute\":\"blockdev-del\","
	    "\"arguments\":{\"node-name\":\"node-%d-%d\"}}", hba, target));
}

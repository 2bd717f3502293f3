/*
 * qmp.c: QMP client for programs running inside the lab guest; see qmp.h.
 * JSON is json-c's (Debian's libjson-c-dev): commands and disk arguments
 * are built as json-c objects, every line read is parsed by it.  What this
 * file adds is QMP's: the connection, ids, events, timeouts, errors.
 */

#define _GNU_SOURCE
#include "qmp.h"

#include <json-c/json.h>

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
/* JSON (json-c)                                                       */
/* ------------------------------------------------------------------ */

/* QMP's own values nest a few levels; the schema's deepest, a dozen. */
#define	QMP_JSON_DEPTH	64
/* What we send and copy out: compact, "/" unescaped. */
#define	QMP_JSON_FLAGS	\
	(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* Parses a whole text as one JSON value, or returns NULL. */
static json_object *
js_parse(const char *text)
{
	json_tokener *tok = json_tokener_new_ex(QMP_JSON_DEPTH);
	json_object *o;
	size_t len = strlen(text);

	if (tok == NULL)
		return (NULL);
	o = json_tokener_parse_ex(tok, text, (int)len);
	if (o != NULL && (json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len)) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return (o);
}

/* The value at a dotted path of object members ("data.device"), or NULL. */
static json_object *
js_path(json_object *o, const char *path)
{
	char seg[128];
	const char *dot;
	size_t n;

	for (;;) {
		dot = strchr(path, '.');
		n = dot != NULL ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof (seg))
			return (NULL);
		(void) memcpy(seg, path, n);
		seg[n] = '\0';
		if (!json_object_is_type(o, json_type_object) ||
		    !json_object_object_get_ex(o, seg, &o))
			return (NULL);
		if (dot == NULL)
			return (o);
		path = dot + 1;
	}
}

/* A value as text: a string's characters, anything else as JSON. */
static const char *
js_text(json_object *v)
{
	return (json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) :
	    json_object_to_json_string_ext(v, QMP_JSON_FLAGS));
}

static int
js_has(json_object *o, const char *member)
{
	return (json_object_object_get_ex(o, member, NULL));
}

int
qmp_json_get(const char *json, const char *path, char *out, size_t outlen)
{
	json_object *o, *v;
	int rc = -1;

	if (outlen == 0 || (o = js_parse(json)) == NULL)
		return (-1);
	if ((v = js_path(o, path)) != NULL) {
		(void) snprintf(out, outlen, "%s", js_text(v));
		rc = 0;
	}
	json_object_put(o);
	return (rc);
}

/* Serializes o, compactly, into out; takes o's reference. */
static int
js_copy_out(json_object *o, char *out, size_t len)
{
	const char *text;
	int rc = -1;

	if (o == NULL || (text = json_object_to_json_string_ext(o,
	    QMP_JSON_FLAGS)) == NULL) {
		seterr("out of memory");
		errno = ENOMEM;
	} else if (strlen(text) >= len) {
		seterr("JSON does not fit in %zu bytes", len);
		errno = ENOSPC;
	} else {
		(void) strcpy(out, text);
		rc = 0;
	}
	json_object_put(o);
	return (rc);
}

static void
js_add_str(json_object *o, const char *key, const char *val)
{
	(void) json_object_object_add(o, key, json_object_new_string(val));
}

static void
js_add_int(json_object *o, const char *key, long long val)
{
	(void) json_object_object_add(o, key, json_object_new_int64(val));
}

static void
js_add_bool(json_object *o, const char *key, int val)
{
	(void) json_object_object_add(o, key, json_object_new_boolean(val));
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
			if (line != NULL && line[strspn(line, " \t\r")] != '\0')
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

/* The status of our reply (parsed as o); the line goes to resp. */
static int
reply_status(const char *line, json_object *o, char *resp, size_t resplen)
{
	json_object *desc;

	if (resp != NULL && resplen > 0)
		(void) snprintf(resp, resplen, "%s", line);
	if (js_has(o, "return"))
		return (0);
	if (js_has(o, "error")) {
		desc = js_path(o, "error.desc");
		seterr("%s", desc != NULL ? js_text(desc) :
		    "(no description)");
		errno = EREMOTEIO;
		return (-1);
	}
	seterr("unexpected QMP reply: %.200s", line);
	errno = EPROTO;
	return (-1);
}

/*
 * The command line to send: the caller's object with our id added, as
 * one line of JSON; NULL with errno EINVAL when it is not an object
 * (or has an id of its own), ENOMEM.
 */
static char *
command_line(const char *user, const char *id)
{
	json_object *o = js_parse(user);
	const char *text;
	char *line = NULL;

	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    js_has(o, "id")) {
		seterr("QMP command is not a JSON object without an id: "
		    "%.100s", user);
		json_object_put(o);
		errno = EINVAL;
		return (NULL);
	}
	js_add_str(o, "id", id);
	if ((text = json_object_to_json_string_ext(o,
	    QMP_JSON_FLAGS)) == NULL ||
	    asprintf(&line, "%s\n", text) < 0) {
		line = NULL;
		errno = ENOMEM;
	}
	json_object_put(o);
	return (line);
}

/* Whether o is the reply to the command with this id. */
static int
is_reply_to(json_object *o, const char *id)
{
	json_object *got;

	return (json_object_object_get_ex(o, "id", &got) &&
	    json_object_is_type(got, json_type_string) &&
	    strcmp(json_object_get_string(got), id) == 0);
}

int
qmp_exec(int fd, char *resp, size_t resplen, const char *fmt, ...)
{
	char id[64], *user, *cmd, *line;
	long long deadline;
	json_object *o;
	va_list ap;
	int n, rc, e;

	if (resp != NULL && resplen > 0)
		resp[0] = '\0';
	va_start(ap, fmt);
	n = vasprintf(&user, fmt, ap);
	va_end(ap);
	if (n < 0)
		return (-1);
	(void) snprintf(id, sizeof (id), "lab-%ld-%u", (long)getpid(),
	    ++qc.c_seq);
	cmd = command_line(user, id);
	free(user);
	if (cmd == NULL)
		return (-1);
	if (write_all(fd, cmd, strlen(cmd)) != 0) {
		e = errno;
		seterr("write %s: %s", getenv("LAB_QMP"), strerror(e));
		free(cmd);
		errno = e;
		return (-1);
	}
	free(cmd);

	deadline = now_ms() + qc.c_timeout;
	for (;;) {
		if ((line = read_line(fd, deadline)) == NULL)
			return (-1);
		if ((o = js_parse(line)) != NULL && is_reply_to(o, id))
			break;
		if (o != NULL && !js_has(o, "id") && js_has(o, "event"))
			ev_push(line);	/* kept for qmp_wait_event */
		else
			free(line);	/* noise, or a stale reply */
		json_object_put(o);
	}
	rc = reply_status(line, o, resp, resplen);
	json_object_put(o);
	free(line);
	return (rc);
}

/*
 * Whether an event line is event name, and when match ("path=value") is
 * given, has value at path.
 */
static int
event_matches(const char *line, const char *name, const char *match)
{
	json_object *o = js_parse(line), *v;
	const char *eq;
	char path[128];
	size_t plen;
	int yes = 0;

	if (o == NULL)
		return (0);
	if ((v = js_path(o, "event")) != NULL &&
	    strcmp(js_text(v), name) == 0) {
		if (match == NULL) {
			yes = 1;
		} else if ((eq = strchr(match, '=')) != NULL &&
		    (plen = (size_t)(eq - match)) < sizeof (path)) {
			(void) memcpy(path, match, plen);
			path[plen] = '\0';
			yes = (v = js_path(o, path)) != NULL &&
			    strcmp(js_text(v), eq + 1) == 0;
		}
	}
	json_object_put(o);
	return (yes);
}

static int
is_event(const char *line)
{
	json_object *o = js_parse(line);
	int yes = o != NULL && js_has(o, "event");

	json_object_put(o);
	return (yes);
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
		if (!is_event(line)) {
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

/* blkdebug's inject-error rules for one I/O type. */
static void
add_rules(json_object *arr, const char *iotype, const long long *sec, int n,
    const disk_spec_t *ds)
{
	json_object *rule;
	int i;

	for (i = 0; i < n; i++) {
		rule = json_object_new_object();
		js_add_str(rule, "event", "none");
		js_add_str(rule, "iotype", iotype);
		js_add_int(rule, "sector", sec[i]);
		js_add_int(rule, "errno", ds->ds_errno);
		js_add_bool(rule, "once", ds->ds_once);
		(void) json_object_array_add(arr, rule);
	}
}

/* blockdev-add's arguments for a parsed (and prepared) spec. */
static json_object *
blockdev_args(int hba, int target, const disk_spec_t *ds)
{
	json_object *bd = json_object_new_object(), *sub, *rules;
	char node[64];

	(void) snprintf(node, sizeof (node), "node-%d-%d", hba, target);
	js_add_str(bd, "driver", ds->ds_kind == DK_NULL ? "null-co" :
	    ds->ds_kind == DK_FILE ? "file" : "blkdebug");
	js_add_str(bd, "node-name", node);
	switch (ds->ds_kind) {
	case DK_NULL:
		js_add_int(bd, "size", ds->ds_size > 0 ? ds->ds_size :
		    1LL << 30);
		js_add_bool(bd, "read-zeroes", 1);
		if (ds->ds_latency >= 0)
			js_add_int(bd, "latency-ns", ds->ds_latency);
		break;
	case DK_FILE:
		js_add_str(bd, "filename", ds->ds_path);
		if (ds->ds_aio[0] != '\0')
			js_add_str(bd, "aio", ds->ds_aio);
		if (ds->ds_direct >= 0) {
			sub = json_object_new_object();
			js_add_bool(sub, "direct", ds->ds_direct);
			(void) json_object_object_add(bd, "cache", sub);
		}
		break;
	case DK_BLKDEBUG:
		sub = json_object_new_object();
		js_add_str(sub, "driver", "file");
		(void) snprintf(node, sizeof (node), "node-%d-%d-file", hba,
		    target);
		js_add_str(sub, "node-name", node);
		js_add_str(sub, "filename", ds->ds_path);
		(void) json_object_object_add(bd, "image", sub);
		if (ds->ds_config[0] != '\0')
			js_add_str(bd, "config", ds->ds_config);
		if (ds->ds_nrerr + ds->ds_nwerr > 0) {
			rules = json_object_new_array();
			add_rules(rules, "read", ds->ds_rerr, ds->ds_nrerr, ds);
			add_rules(rules, "write", ds->ds_werr, ds->ds_nwerr,
			    ds);
			(void) json_object_object_add(bd, "inject-error",
			    rules);
		}
		break;
	}
	return (bd);
}

/* device_add's arguments. */
static json_object *
device_args(int hba, int target, const disk_spec_t *ds)
{
	json_object *dev = json_object_new_object();
	char buf[64];

	js_add_str(dev, "driver", "scsi-hd");
	(void) snprintf(buf, sizeof (buf), "disk-%d-%d", hba, target);
	js_add_str(dev, "id", buf);
	(void) snprintf(buf, sizeof (buf), "node-%d-%d", hba, target);
	js_add_str(dev, "drive", buf);
	(void) snprintf(buf, sizeof (buf), "hba%d.0", hba);
	js_add_str(dev, "bus", buf);
	js_add_int(dev, "scsi-id", target);
	js_add_int(dev, "lun", 0);
	if (ds->ds_lbs != 0) {
		js_add_int(dev, "logical_block_size", ds->ds_lbs);
		js_add_int(dev, "physical_block_size", ds->ds_lbs);
	}
	return (dev);
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
	disk_spec_t *ds;
	int rc = -1;

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
	if (js_copy_out(blockdev_args(hba, target, ds), blockdev, blen) == 0 &&
	    js_copy_out(device_args(hba, target, ds), device, dlen) == 0)
		rc = 0;
out:
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

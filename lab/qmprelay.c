/*
 * qmprelay.c: host side of the lab.  It starts QEMU and, while QEMU runs,
 *
 *  - relays QMP between QEMU's monitor and the guest's "lab.qmp"
 *    virtio-serial port: each line the guest writes is forwarded to the
 *    monitor; each line from the monitor (replies and asynchronous events)
 *    is forwarded to the guest.  The relay itself performs the
 *    qmp_capabilities handshake, so the guest never sees the greeting
 *    (json-c parses each line from QEMU: greeting, reply or event);
 *  - copies the guest's "lab.out" port (the command's stdout and stderr)
 *    to its own stdout as it arrives, and acknowledges the end marker the
 *    guest sends after the command, so that the guest powers off only
 *    once all output has reached the host;
 *  - enforces the run's timeout, and makes sure QEMU does not outlive it.
 *
 * usage: qmprelay [-v] [-t SECONDS] [-m NONCE] [-l QMPLOG] [-e QEMULOG]
 *                 [-D SOCKDIR] -q QMPSOCK -p PORTSOCK -o OUTSOCK
 *                 -- PROGRAM [ARGS...]
 *
 * The relay listens on the three unix sockets; PROGRAM (QEMU) connects to
 * them as a client.  With -D, the (then empty) directory SOCKDIR is
 * removed at exit, even if the launcher is gone.  Exit status: PROGRAM's exit status; 124 on timeout;
 * 128+N when terminated by signal N; 125 on a relay failure.
 */

#define _GNU_SOURCE
#include <json-c/json.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define	EXIT_TIMEOUT	124
#define	EXIT_RELAY	125
#define	KILL_GRACE_MS	3000
#define	DRAIN_MS	2000
#define	EVENT_QUEUE_MAX	(1024 * 1024)
#define	LINE_MAX_BYTES	(16 * 1024 * 1024)
#define	ACK		"\001LABACK\n"

typedef struct buf {
	char	*b_p;
	size_t	b_len;
	size_t	b_cap;
} buf_t;

typedef enum { Q_GREETING, Q_CAPS, Q_READY } qmp_state_t;

typedef struct conn {
	const char	*c_name;
	const char	*c_path;
	int		c_listen;
	int		c_fd;
	buf_t		c_in;		/* partial input line */
} conn_t;

static conn_t qmp = { .c_name = "qmp", .c_listen = -1, .c_fd = -1 };
static conn_t port = { .c_name = "port", .c_listen = -1, .c_fd = -1 };
static conn_t out = { .c_name = "out", .c_listen = -1, .c_fd = -1 };

static qmp_state_t qstate = Q_GREETING;
static buf_t port_q;		/* bytes waiting to be written to the port */
static buf_t pending;		/* guest lines waiting for Q_READY */
static int verbose;
static FILE *qlog;
static char marker[96];
static size_t marker_len, marker_pos;
static int stdout_ok = 1;
static struct timespec t0;

static void __attribute__((format(printf, 1, 2)))
logmsg(const char *fmt, ...)
{
	struct timespec ts;
	va_list ap;

	if (qlog == NULL)
		return;
	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	(void) fprintf(qlog, "%8.3f ", (double)(ts.tv_sec - t0.tv_sec) +
	    (double)(ts.tv_nsec - t0.tv_nsec) / 1e9);
	va_start(ap, fmt);
	(void) vfprintf(qlog, fmt, ap);
	va_end(ap);
	(void) fputc('\n', qlog);
	(void) fflush(qlog);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	(void) fputs("qmprelay: ", stderr);
	va_start(ap, fmt);
	(void) vfprintf(stderr, fmt, ap);
	va_end(ap);
	(void) fputc('\n', stderr);
	exit(EXIT_RELAY);
}

static long long
now_ms(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static void
buf_add(buf_t *b, const char *p, size_t n)
{
	if (b->b_len + n > b->b_cap) {
		size_t cap = b->b_cap ? b->b_cap : 4096;

		while (cap < b->b_len + n)
			cap *= 2;
		if ((b->b_p = realloc(b->b_p, cap)) == NULL)
			die("out of memory");
		b->b_cap = cap;
	}
	memcpy(b->b_p + b->b_len, p, n);
	b->b_len += n;
}

static void
buf_consume(buf_t *b, size_t n)
{
	b->b_len -= n;
	memmove(b->b_p, b->b_p + n, b->b_len);
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t r;

	while (n > 0) {
		if ((r = write(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd pfd = { .fd = fd, .events = POLLOUT };

				(void) poll(&pfd, 1, 100);
				continue;
			}
			return (-1);
		}
		p += r;
		n -= (size_t)r;
	}
	return (0);
}

static void
to_stdout(const char *p, size_t n)
{
	if (stdout_ok && n > 0 && write_all(STDOUT_FILENO, p, n) != 0)
		stdout_ok = 0;	/* reader went away; keep the run going */
}

static int
listen_on(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof (sa.sun_path))
		die("socket path too long: %s", path);
	(void) strcpy(sa.sun_path, path);
	(void) unlink(path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof (sa)) != 0 ||
	    listen(fd, 1) != 0)
		die("%s: %s", path, strerror(errno));
	return (fd);
}

static void
close_conn(conn_t *c)
{
	if (c->c_fd >= 0) {
		(void) close(c->c_fd);
		c->c_fd = -1;
		logmsg("%s: closed", c->c_name);
	}
	c->c_in.b_len = 0;
}

/* ------------------------------------------------------------------ */
/* QMP side                                                            */
/* ------------------------------------------------------------------ */

static void
qmp_send(const char *line, size_t n)
{
	if (qmp.c_fd < 0)
		return;
	logmsg("> %.*s", (int)n, line);
	if (verbose)
		(void) fprintf(stderr, "qmp: > %.*s\n", (int)n, line);
	if (write_all(qmp.c_fd, line, n) != 0 ||
	    write_all(qmp.c_fd, "\n", 1) != 0)
		close_conn(&qmp);
}

static void
port_queue(const char *line, size_t n, int is_event)
{
	if (port.c_fd < 0)
		return;
	if (is_event && port_q.b_len + n > EVENT_QUEUE_MAX) {
		logmsg("port: queue full, event dropped");
		return;
	}
	buf_add(&port_q, line, n);
	buf_add(&port_q, "\n", 1);
}

static void
flush_pending(void)
{
	char *nl;

	while ((nl = memchr(pending.b_p, '\n', pending.b_len)) != NULL) {
		qmp_send(pending.b_p, (size_t)(nl - pending.b_p));
		buf_consume(&pending, (size_t)(nl - pending.b_p) + 1);
	}
}

/* The top-level members of a QMP line that the relay looks at. */
#define	QL_EVENT	0x1
#define	QL_GREETING	0x2	/* "QMP" */
#define	QL_RETURN	0x4

static int
qmp_line_kind(const char *line, size_t n)
{
	json_tokener *tok = json_tokener_new();
	json_object *o = NULL;
	int kind = 0;

	if (tok != NULL)
		o = json_tokener_parse_ex(tok, line, (int)n);
	if (json_object_is_type(o, json_type_object)) {
		if (json_object_object_get_ex(o, "event", NULL))
			kind |= QL_EVENT;
		if (json_object_object_get_ex(o, "QMP", NULL))
			kind |= QL_GREETING;
		if (json_object_object_get_ex(o, "return", NULL))
			kind |= QL_RETURN;
	}
	json_object_put(o);
	if (tok != NULL)
		json_tokener_free(tok);
	return (kind);
}

static void
qmp_line(const char *line, size_t n)
{
	int kind = qmp_line_kind(line, n);
	int is_event = (kind & QL_EVENT) != 0;

	logmsg("< %.*s", (int)n, line);
	if (verbose)
		(void) fprintf(stderr, "qmp: < %.*s\n", (int)n, line);
	switch (qstate) {
	case Q_GREETING:
		if ((kind & QL_GREETING) != 0) {
			qstate = Q_CAPS;
			qmp_send("{\"execute\":\"qmp_capabilities\"}", 30);
		}
		break;
	case Q_CAPS:
		if ((kind & QL_RETURN) != 0) {
			qstate = Q_READY;
			flush_pending();
		} else if (!is_event) {
			die("qmp_capabilities failed: %.*s", (int)n, line);
		}
		break;
	case Q_READY:
		port_queue(line, n, is_event);
		break;
	}
}

/* Guest to QEMU: one command per line. */
static void
port_line(const char *line, size_t n)
{
	if (n == 0)
		return;
	if (qstate == Q_READY) {
		qmp_send(line, n);
	} else {
		buf_add(&pending, line, n);
		buf_add(&pending, "\n", 1);
	}
}

/* Reads from a line-oriented connection; returns -1 on EOF/error. */
static int
read_lines(conn_t *c, void (*fn)(const char *, size_t))
{
	char tmp[65536], *nl;
	size_t off = 0;
	ssize_t r;

	r = read(c->c_fd, tmp, sizeof (tmp));
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return (0);
	if (r <= 0)
		return (-1);
	buf_add(&c->c_in, tmp, (size_t)r);
	while ((nl = memchr(c->c_in.b_p + off, '\n',
	    c->c_in.b_len - off)) != NULL) {
		size_t n = (size_t)(nl - (c->c_in.b_p + off));

		if (n > 0 && nl[-1] == '\r')
			n--;
		fn(c->c_in.b_p + off, n);
		off = (size_t)(nl - c->c_in.b_p) + 1;
	}
	buf_consume(&c->c_in, off);
	if (c->c_in.b_len > LINE_MAX_BYTES) {
		logmsg("%s: line too long, discarded", c->c_name);
		c->c_in.b_len = 0;
	}
	return (0);
}

/* ------------------------------------------------------------------ */
/* Output side                                                         */
/* ------------------------------------------------------------------ */

/*
 * Copies guest output to stdout, removing the end marker
 * "\001LABEND:<nonce>\n" and answering it.  '\001' occurs only as the
 * marker's first byte, so a mismatch can simply restart the match.
 */
static int
read_output(void)
{
	char tmp[65536], o[65536 + sizeof (marker)];
	size_t n = 0;
	ssize_t r, i;

	r = read(out.c_fd, tmp, sizeof (tmp));
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return (0);
	if (r <= 0)
		return (-1);
	for (i = 0; i < r; i++) {
		char c = tmp[i];

		if (marker_len > 0 && c == marker[marker_pos]) {
			if (++marker_pos == marker_len) {
				marker_pos = 0;
				to_stdout(o, n);
				n = 0;
				logmsg("out: end marker received");
				(void) write_all(out.c_fd, ACK, sizeof (ACK) - 1);
			}
			continue;
		}
		if (marker_pos > 0) {
			memcpy(o + n, marker, marker_pos);
			n += marker_pos;
			marker_pos = 0;
			if (c == marker[0]) {
				marker_pos = 1;
				continue;
			}
		}
		o[n++] = c;
	}
	to_stdout(o, n);
	return (0);
}

static void
flush_marker_prefix(void)
{
	to_stdout(marker, marker_pos);
	marker_pos = 0;
}

/* ------------------------------------------------------------------ */
/* Main                                                                */
/* ------------------------------------------------------------------ */

static pid_t
spawn(char **argv, const char *errlog, const sigset_t *oldmask)
{
	pid_t parent = getpid(), pid;
	int fd;

	if ((pid = fork()) < 0)
		die("fork: %s", strerror(errno));
	if (pid > 0)
		return (pid);

	/* Child: QEMU must not outlive the relay. */
	(void) prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(EXIT_RELAY);
	(void) sigprocmask(SIG_SETMASK, oldmask, NULL);
	(void) signal(SIGPIPE, SIG_DFL);
	if ((fd = open("/dev/null", O_RDONLY)) >= 0) {
		(void) dup2(fd, STDIN_FILENO);
		(void) close(fd);
	}
	if (errlog != NULL) {
		fd = open(errlog, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			(void) dup2(fd, STDOUT_FILENO);
			(void) dup2(fd, STDERR_FILENO);
			(void) close(fd);
		}
	}
	execvp(argv[0], argv);
	(void) fprintf(stderr, "qmprelay: %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static void
usage(void)
{
	(void) fputs("usage: qmprelay [-v] [-t SECONDS] [-m NONCE] "
	    "[-l QMPLOG] [-e QEMULOG]\n"
	    "                [-D SOCKDIR] -q QMPSOCK -p PORTSOCK -o OUTSOCK\n"
	    "                -- PROGRAM [ARGS...]\n", stderr);
	exit(EXIT_RELAY);
}

int
main(int argc, char **argv)
{
	const char *qmplog = NULL, *errlog = NULL, *sockdir = NULL;
	long long deadline = -1, kill_at = -1, drain_until = -1;
	int opt, sfd, status = 0, exit_code = -1, reaped = 0, timed_out = 0;
	int term_sig = 0;
	sigset_t mask, oldmask;
	pid_t child;

	(void) clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((opt = getopt(argc, argv, "+vt:m:l:e:D:q:p:o:")) != -1) {
		switch (opt) {
		case 'v':
			verbose = 1;
			break;
		case 't':
			deadline = now_ms() + atoll(optarg) * 1000;
			break;
		case 'm':
			(void) snprintf(marker, sizeof (marker),
			    "\001LABEND:%s\n", optarg);
			marker_len = strlen(marker);
			break;
		case 'l':
			qmplog = optarg;
			break;
		case 'e':
			errlog = optarg;
			break;
		case 'D':
			sockdir = optarg;
			break;
		case 'q':
			qmp.c_path = optarg;
			break;
		case 'p':
			port.c_path = optarg;
			break;
		case 'o':
			out.c_path = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc || !qmp.c_path || !port.c_path || !out.c_path)
		usage();
	if (qmplog != NULL && (qlog = fopen(qmplog, "a")) == NULL)
		die("%s: %s", qmplog, strerror(errno));

	/* Die with the launcher; QEMU then dies with us (PDEATHSIG). */
	(void) prctl(PR_SET_PDEATHSIG, SIGTERM);
	(void) signal(SIGPIPE, SIG_IGN);
	/*
	 * A shell starts background jobs with SIGINT ignored; an ignored
	 * signal never reaches the signalfd, so restore the defaults first.
	 */
	(void) signal(SIGINT, SIG_DFL);
	(void) signal(SIGHUP, SIG_DFL);
	(void) signal(SIGTERM, SIG_DFL);
	(void) sigemptyset(&mask);
	(void) sigaddset(&mask, SIGCHLD);
	(void) sigaddset(&mask, SIGTERM);
	(void) sigaddset(&mask, SIGINT);
	(void) sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, &oldmask) != 0 ||
	    (sfd = signalfd(-1, &mask, SFD_CLOEXEC)) < 0)
		die("signalfd: %s", strerror(errno));

	qmp.c_listen = listen_on(qmp.c_path);
	port.c_listen = listen_on(port.c_path);
	out.c_listen = listen_on(out.c_path);

	child = spawn(argv + optind, errlog, &oldmask);
	logmsg("started %s, pid %ld", argv[optind], (long)child);

	for (;;) {
		conn_t *conns[3] = { &qmp, &port, &out };
		struct pollfd pfd[8];
		int n = 0, i, tmo = -1, idx[3];
		long long now = now_ms();

		if (reaped && (out.c_fd < 0 || now >= drain_until))
			break;
		if (!reaped && !timed_out && !term_sig && deadline >= 0 &&
		    now >= deadline) {
			timed_out = 1;
			logmsg("timeout: terminating pid %ld", (long)child);
			(void) kill(child, SIGTERM);
			kill_at = now + KILL_GRACE_MS;
		}
		if (!reaped && kill_at >= 0 && now >= kill_at) {
			(void) kill(child, SIGKILL);
			kill_at = -1;
		}

		pfd[n].fd = sfd;
		pfd[n++].events = POLLIN;
		for (i = 0; i < 3; i++) {
			conn_t *c = conns[i];

			idx[i] = n;
			if (c->c_fd >= 0) {
				pfd[n].fd = c->c_fd;
				pfd[n].events = POLLIN;
				if (c == &port && port_q.b_len > 0)
					pfd[n].events |= POLLOUT;
				n++;
			} else if (c->c_listen >= 0) {
				pfd[n].fd = c->c_listen;
				pfd[n++].events = POLLIN;
			} else {
				idx[i] = -1;
			}
		}

		if (!reaped && !timed_out && !term_sig && deadline >= 0)
			tmo = (int)(deadline - now);
		if (!reaped && kill_at >= 0)
			tmo = (int)(kill_at - now);
		if (reaped)
			tmo = (int)(drain_until - now);
		if (tmo < 0 && tmo != -1)
			tmo = 0;

		if (poll(pfd, (nfds_t)n, tmo) < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}

		if (pfd[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof (si)) == sizeof (si) &&
			    si.ssi_signo != SIGCHLD && !term_sig && !reaped) {
				term_sig = (int)si.ssi_signo;
				logmsg("signal %d: terminating pid %ld",
				    term_sig, (long)child);
				(void) kill(child, SIGTERM);
				kill_at = now_ms() + KILL_GRACE_MS;
			}
			if (!reaped && waitpid(child, &status, WNOHANG) ==
			    child) {
				reaped = 1;
				drain_until = now_ms() + DRAIN_MS;
				logmsg("pid %ld exited, status 0x%x",
				    (long)child, status);
			}
		}

		for (i = 0; i < 3; i++) {
			conn_t *c = conns[i];
			short re;

			if (idx[i] < 0 || (re = pfd[idx[i]].revents) == 0)
				continue;
			if (c->c_fd < 0) {
				c->c_fd = accept4(c->c_listen, NULL, NULL,
				    SOCK_CLOEXEC);
				if (c->c_fd >= 0) {
					(void) close(c->c_listen);
					c->c_listen = -1;
					(void) unlink(c->c_path);
					logmsg("%s: connected", c->c_name);
					if (c == &port)
						(void) fcntl(c->c_fd, F_SETFL,
						    O_NONBLOCK);
				}
				continue;
			}
			if (c == &port && (re & POLLOUT) && port_q.b_len > 0) {
				ssize_t w = write(c->c_fd, port_q.b_p,
				    port_q.b_len);

				if (w > 0)
					buf_consume(&port_q, (size_t)w);
				else if (w < 0 && errno != EAGAIN &&
				    errno != EINTR)
					close_conn(c);
			}
			if (c->c_fd < 0 || !(re & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (c == &out) {
				if (read_output() != 0) {
					flush_marker_prefix();
					close_conn(c);
				}
			} else if (read_lines(c, c == &qmp ? qmp_line :
			    port_line) != 0) {
				close_conn(c);
				if (c == &port)
					port_q.b_len = 0;
			}
		}
	}
	flush_marker_prefix();

	if (timed_out)
		exit_code = EXIT_TIMEOUT;
	else if (term_sig)
		exit_code = 128 + term_sig;
	else if (WIFEXITED(status))
		exit_code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		exit_code = 128 + WTERMSIG(status);
	logmsg("exit %d", exit_code);
	(void) unlink(qmp.c_path);
	(void) unlink(port.c_path);
	(void) unlink(out.c_path);
	if (sockdir != NULL)
		(void) rmdir(sockdir);
	return (exit_code);
}

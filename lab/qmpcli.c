/*
 * qmpcli.c: the "qmp" command, for shell scripts running inside the lab
 * guest.  It talks to QEMU's QMP monitor through $LAB_QMP (see qmp.h).
 *
 *   qmp [-t SECONDS] [-q] JSON-OBJECT
 *   qmp [-t SECONDS] [-q] COMMAND [ARGUMENTS-JSON]
 *   qmp [-t SECONDS] disk-add HBA TARGET KIND[,opt=val...]
 *   qmp [-t SECONDS] disk-del HBA TARGET
 *   qmp [-t SECONDS] [-q] wait-event NAME [PATH=VALUE]
 *   qmp disk-json HBA TARGET KIND[,opt=val...]
 *   qmp disk-json -n KIND[,opt=val...]
 *
 * Exit status: 0 success, 1 QMP error reply, 2 usage or bad disk spec,
 * 3 connection or I/O failure (including timeouts).
 */

#include "qmp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define	RESP_MAX	(4 * 1024 * 1024)

static const char *usage_text =
"usage: qmp [-t SECONDS] [-q] JSON-OBJECT\n"
"       qmp [-t SECONDS] [-q] COMMAND [ARGUMENTS-JSON]\n"
"       qmp [-t SECONDS] disk-add HBA TARGET KIND[,opt=val...]\n"
"       qmp [-t SECONDS] disk-del HBA TARGET\n"
"       qmp [-t SECONDS] [-q] wait-event NAME [PATH=VALUE]\n"
"       qmp disk-json HBA TARGET KIND[,opt=val...]\n"
"       qmp disk-json -n KIND[,opt=val...]\n"
"Sends QMP commands to QEMU from inside the lab guest (through $LAB_QMP)\n"
"and prints the reply line.  disk-json prints the blockdev-add and\n"
"device_add arguments for a disk spec without contacting QEMU (-n: only\n"
"check the spec).\n"
"Exit: 0 ok, 1 QMP error, 2 usage, 3 I/O error or timeout.\n";

static void
usage(void)
{
	(void) fputs(usage_text, stderr);
	exit(2);
}

static int
parse_int(const char *s, const char *what, int max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < 0 || v > max) {
		(void) fprintf(stderr, "qmp: bad %s '%s' (0..%d)\n", what, s,
		    max);
		exit(2);
	}
	return ((int)v);
}

/* Exit status for a failed qmp_* call. */
static int
fail(void)
{
	int e = errno;

	(void) fprintf(stderr, "qmp: %s\n", *qmp_last_error() ?
	    qmp_last_error() : strerror(e));
	if (e == EREMOTEIO)
		return (1);
	if (e == EINVAL)
		return (2);
	return (3);
}

static int
disk_json(int argc, char **argv)
{
	static char bd[65536], dev[4096];
	int hba, target;

	if (argc == 3 && strcmp(argv[1], "-n") == 0)
		return (qmp_disk_check(argv[2]) == 0 ? 0 : fail());
	if (argc != 4)
		usage();
	hba = parse_int(argv[1], "HBA", 63);
	target = parse_int(argv[2], "TARGET", 64);
	if (qmp_disk_json(hba, target, argv[3], bd, sizeof (bd), dev,
	    sizeof (dev)) != 0)
		return (fail());
	(void) printf("%s\n%s\n", bd, dev);
	return (0);
}

int
main(int argc, char **argv)
{
	int quiet = 0, opt, fd, rc, hba = 0, target = 0;
	char *resp;

	while ((opt = getopt(argc, argv, "+qt:h")) != -1) {
		switch (opt) {
		case 'q':
			quiet = 1;
			break;
		case 't':
			qmp_set_timeout(parse_int(optarg, "timeout", 86400) *
			    1000);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();

	if (strcmp(argv[0], "disk-json") == 0)
		return (disk_json(argc, argv));

	/* Check the arguments before connecting. */
	if (strcmp(argv[0], "disk-add") == 0) {
		if (argc != 4)
			usage();
	} else if (strcmp(argv[0], "disk-del") == 0) {
		if (argc != 3)
			usage();
	} else if (strcmp(argv[0], "wait-event") == 0) {
		if (argc < 2 || argc > 3)
			usage();
	} else if (argc > (argv[0][0] == '{' ? 1 : 2)) {
		usage();
	}
	if (strncmp(argv[0], "disk-", 5) == 0) {
		hba = parse_int(argv[1], "HBA", 63);
		target = parse_int(argv[2], "TARGET", 64);
	}

	if ((resp = malloc(RESP_MAX)) == NULL) {
		perror("qmp");
		return (3);
	}
	*resp = '\0';
	if ((fd = qmp_open()) < 0) {
		free(resp);
		return (fail());
	}

	if (strcmp(argv[0], "disk-add") == 0) {
		rc = qmp_disk_add(fd, hba, target, argv[3]);
	} else if (strcmp(argv[0], "disk-del") == 0) {
		rc = qmp_disk_del(fd, hba, target);
	} else if (strcmp(argv[0], "wait-event") == 0) {
		rc = qmp_wait_event(fd, argv[1], argc == 3 ? argv[2] : NULL,
		    0, resp, RESP_MAX);
	} else if (argv[0][0] == '{') {
		rc = qmp_exec(fd, resp, RESP_MAX, "%s", argv[0]);
	} else {
		rc = qmp_exec(fd, resp, RESP_MAX,
		    "{\"execute\":\"%s\",\"arguments\":%s}", argv[0],
		    argc == 2 ? argv[1] : "{}");
	}

	if (rc != 0) {
		rc = fail();
		if (!quiet && *resp != '\0')
			(void) printf("%s\n", resp);
	} else if (!quiet && *resp != '\0') {
		(void) printf("%s\n", resp);
	}
	qmp_close(fd);
	free(resp);
	return (rc);
}

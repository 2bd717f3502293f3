/*
 * moddisc: the discovery time of Linux's driver, for the bench: load a
 * kernel module and wait until each PCI function named has its disks.
 *
 *	moddisc MODULE.ko UNITS REP BDF...
 *
 * Loads MODULE.ko (finit_module(2)); then, every 5 ms, counts the block
 * devices of each function (/sys/bus/pci/devices/BDF/host*, then
 * target*, a SCSI device, block/NAME: the disks of /sys/block it
 * holds) until each has UNITS of them, or 60 s have passed.  Prints, per
 * function and for all, the seconds from the start of the load to the
 * arrival of the last disk:
 *
 *	D who=linux rep=REP hba=I units=N secs=S
 *	D who=linux rep=REP hba=all units=N secs=S
 *
 * Exit status 1 when a function fell short (its line says how many it
 * had), 2 for bad arguments or a module that would not load.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "bstat.h"

#define	MODDISC_MAX	16
#define	MODDISC_POLL_NS	5000000L
#define	MODDISC_SECS	60

static int
disks_of(const char *bdf)
{
	char pat[256];
	glob_t g;
	int n;

	(void) snprintf(pat, sizeof (pat),
	    "/sys/bus/pci/devices/%s/host*/target*/*/block/*", bdf);
	if (glob(pat, 0, NULL, &g) != 0)
		return (0);
	n = (int)g.gl_pathc;
	globfree(&g);
	return (n);
}

int
main(int argc, char **argv)
{
	struct timespec pause = { 0, MODDISC_POLL_NS };
	uint64_t t0, last[MODDISC_MAX] = { 0 }, lastall = 0, end;
	int have[MODDISC_MAX] = { 0 }, units, nf, fd, left, total = 0;
	const char *rep;

	if (argc < 5 || (units = atoi(argv[2])) <= 0 ||
	    (nf = argc - 4) > MODDISC_MAX) {
		fprintf(stderr, "usage: moddisc MODULE.ko UNITS REP BDF...\n");
		return (2);
	}
	rep = argv[3];
	if ((fd = open(argv[1], O_RDONLY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "moddisc: %s: %s\n", argv[1], strerror(errno));
		return (2);
	}
	t0 = now_ns();
	if (syscall(SYS_finit_module, fd, "", 0) != 0) {
		fprintf(stderr, "moddisc: loading %s: %s\n", argv[1],
		    strerror(errno));
		return (2);
	}
	(void) close(fd);
	end = t0 + MODDISC_SECS * 1000000000ULL;
	for (left = nf; left > 0 && now_ns() < end; ) {
		(void) nanosleep(&pause, NULL);
		for (int i = 0; i < nf; i++) {
			int n = have[i] >= units ? have[i] :
			    disks_of(argv[4 + i]);

			if (n > have[i])
				last[i] = now_ns();
			if (n >= units && have[i] < units)
				left--;
			have[i] = n;
		}
	}
	for (int i = 0; i < nf; i++) {
		printf("D who=linux rep=%s hba=%d units=%d secs=%.3f\n", rep,
		    i, have[i], have[i] > 0 ? (double)(last[i] - t0) / 1e9 : 0);
		total += have[i];
		if (last[i] > lastall)
			lastall = last[i];
	}
	printf("D who=linux rep=%s hba=all units=%d secs=%.3f\n", rep, total,
	    total > 0 ? (double)(lastall - t0) / 1e9 : 0);
	return (left == 0 ? 0 : 1);
}

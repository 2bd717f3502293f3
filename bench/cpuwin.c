/*
 * cpuwin: the guest's CPU time and interrupts over a window, for runs of
 * programs that cannot measure themselves (fio).
 *
 *	cpuwin [-q] DELAY SECS [IRQNAME]
 *
 * Sleeps DELAY seconds (a warm-up), takes /proc/stat and /proc/interrupts,
 * sleeps SECS seconds, takes them again and prints
 *
 *	W secs=S cpu_us=U irqs=N
 *
 * U is the busy time of all CPUs (everything but idle and iowait) and N
 * the sum over all CPUs of the /proc/interrupts lines naming IRQNAME.
 * With IRQNAME, DELAY counts from its first interrupt (the I/O has
 * begun: a program can take seconds to start under TCG), waited for at
 * most CPUWIN_START seconds.  -q: counted at the device as well
 * (devcount.h), from that first interrupt to the end of the window (a
 * QMP command can take a while when the guest is busy: counting from the
 * start keeps the count inside the I/O, and what the device counts is
 * per request, so the warm-up counts alike); the line ends with the range
 * in QEMU's trace, trace=FROM-TO.
 */
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <time.h>

#include "bstat.h"
#include "devcount.h"

#define	CPUWIN_START	30

static void
sleep_secs(double s)
{
	struct timespec ts;

	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		continue;
}

int
main(int argc, char **argv)
{
	int count = argc > 1 && strcmp(argv[1], "-q") == 0;
	const char *irq;
	cpu_snap_t a, b;
	uint64_t ia = 0, ib = 0, ta, tb;
	long long from = -1, to = -1;
	double delay, secs;

	argc -= count;
	argv += count;
	irq = argc > 3 ? argv[3] : NULL;
	if (argc < 3 || (delay = atof(argv[1])) < 0 ||
	    (secs = atof(argv[2])) <= 0) {
		fprintf(stderr, "usage: cpuwin [-q] DELAY SECS [IRQNAME]\n");
		return (2);
	}
	if (irq != NULL) {
		uint64_t i0 = irq_count(irq), end = now_ns() +
		    CPUWIN_START * 1000000000ULL;

		while (irq_count(irq) == i0 && now_ns() < end)
			sleep_secs(0.01);
	}
	if (count && (from = devcount_on()) < 0)
		return (1);
	sleep_secs(delay);
	if (irq != NULL)
		ia = irq_count(irq);
	if (cpu_snap(&a) != 0) {
		fprintf(stderr, "cpuwin: cannot read /proc/stat\n");
		return (1);
	}
	ta = now_ns();
	sleep_secs(secs);
	(void) cpu_snap(&b);
	tb = now_ns();
	if (irq != NULL)
		ib = irq_count(irq);
	if (count && (to = devcount_off()) < 0)
		return (1);
	printf("W secs=%.3f cpu_us=%llu irqs=%llu", (double)(tb - ta) / 1e9,
	    (unsigned long long)(b.cs_busy_us - a.cs_busy_us),
	    (unsigned long long)(ib - ia));
	if (count)
		printf(" trace=%lld-%lld", from, to);
	printf("\n");
	return (0);
}

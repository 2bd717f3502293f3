/*
 * Counting at the device (devcount.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>

#include "qmp.h"
#include "devcount.h"

/*
 * The events counted (QEMU's hw/scsi/trace-events), as
 * bench/devcount.awk reads them, in three patterns (a QMP command costs
 * about 0.1 s in the lab): every register read and write (pvscsi_io_read
 * and pvscsi_io_write, the kicks among them, and their _unknown
 * variants), the interrupt line's level and each MSI sent
 * (pvscsi_update_irq_level, pvscsi_update_irq_msi), and each request the
 * device completes.
 */
static const char *const devcount_events[] = {
	"pvscsi_io_*",
	"pvscsi_update_irq_*",
	"pvscsi_complete_request"
};

#define	DEVCOUNT_NEVENTS	\
	(sizeof (devcount_events) / sizeof (devcount_events[0]))

static int devcount_fd = -1;

/* The trace file's size, or -1. */
static long long
devcount_size(void)
{
	const char *out = getenv("LAB_OUT");
	char path[4096];
	struct stat st;

	if (out == NULL) {
		fprintf(stderr, "devcount: no LAB_OUT: not in a lab guest\n");
		return (-1);
	}
	(void) snprintf(path, sizeof (path), "%s/trace.log", out);
	if (stat(path, &st) != 0) {
		fprintf(stderr, "devcount: %s: %s (run the lab with --trace)\n",
		    path, strerror(errno));
		return (-1);
	}
	return ((long long)st.st_size);
}

/* Switch every counted event on or off; 0 or -1. */
static int
devcount_switch(int on)
{
	if (devcount_fd < 0 && (devcount_fd = qmp_open()) < 0) {
		fprintf(stderr, "devcount: cannot open QMP: %s\n",
		    strerror(errno));
		return (-1);
	}
	for (size_t i = 0; i < DEVCOUNT_NEVENTS; i++) {
		if (qmp_exec(devcount_fd, NULL, 0, "{\"execute\":"
		    "\"trace-event-set-state\",\"arguments\":{\"name\":\"%s\","
		    "\"enable\":%s}}", devcount_events[i],
		    on ? "true" : "false") != 0) {
			fprintf(stderr, "devcount: trace-event-set-state %s: "
			    "%s\n", devcount_events[i], qmp_last_error());
			return (-1);
		}
	}
	return (0);
}

long long
devcount_on(void)
{
	long long size = devcount_size();

	if (size < 0 || devcount_switch(1) != 0)
		return (-1);
	return (size);
}

long long
devcount_off(void)
{
	if (devcount_switch(0) != 0)
		return (-1);
	return (devcount_size());
}

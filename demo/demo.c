/*
 * The pvscsi demo (make demo): the illumos PVSCSI driver, its source
 * unchanged, runs on the fakekernel in a lab guest and drives QEMU's
 * pvscsi device through VFIO.  In under a minute it
 *
 *   1. loads the driver and attaches it to the PVSCSI function;
 *   2. prints the topology the driver discovered (target, LUN, vendor,
 *      product, capacity);
 *   3. runs a verified read/write load, with a live progress line: every
 *      write to the file disk is read back and compared, every read of a
 *      null disk must return zeroes;
 *   4. hot-adds a disk through QEMU's monitor (QMP, from inside the
 *      guest) and shows it discovered, then hot-removes it and shows it
 *      gone;
 *   5. resets the bus under load (scsi_reset(9F), RESET_BUS) and shows
 *      every command completed;
 *   6. detaches and prints a summary.
 *
 * It exits 0 when no I/O failed, every packet completed exactly once and
 * the driver printed nothing on the console.
 *
 * Lab topology (mk/demo.mk): hba0 with a raw file disk at target 0 and
 * null disks at targets 1 and 2; target 3 is hot-added.
 */
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <sys/sunddi.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/scsi/scsi.h>

#include "fk.h"
#include "fk_scsi.h"
#include "qmp.h"

/* The driver's module entry points, renamed at build time. */
extern int pvscsi__init(void);
extern int pvscsi__fini(void);
extern int pvscsi__info(struct modinfo *);

#define	BLK		512
#define	MAXBLKS		128		/* 64 KiB per command at most */
#define	MAXLUNS		8
#define	LOAD_SECS	6.0
#define	RESET_SECS	3.0
#define	HOTPLUG_TARGET	3
#define	NWRITERS	4		/* on the file disk */
#define	NREADERS	2		/* on each null disk */

static dev_info_t *hba;
static int failures;

/*
 * Output.
 */
static double
now(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

static void __attribute__((format(printf, 1, 2)))
say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void) vprintf(fmt, ap);
	va_end(ap);
	(void) fflush(stdout);
}

static void __attribute__((format(printf, 1, 2)))
fail(const char *fmt, ...)
{
	va_list ap;

	failures++;
	(void) printf("  ERROR: ");
	va_start(ap, fmt);
	(void) vprintf(fmt, ap);
	va_end(ap);
	(void) printf("\n");
	(void) fflush(stdout);
}

static void
step(const char *title)
{
	say("\n== %s\n", title);
}

static const char *
human(uint64_t bytes, char *buf, size_t len)
{
	static const char *unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	(void) snprintf(buf, len, v == (double)(uint64_t)v ? "%.0f %s" :
	    "%.1f %s", v, unit[u]);
	return (buf);
}

/*
 * The interrupt type the driver took: the guest's /proc/interrupts
 * names the VFIO vectors of the PCI function.
 */
static const char *
intr_type(void)
{
	const char *bdfs = getenv("LAB_PVSCSI");
	char bdf[32], line[512];
	const char *type = "unknown";
	FILE *f;

	if (bdfs == NULL || sscanf(bdfs, "%31s", bdf) != 1 ||
	    (f = fopen("/proc/interrupts", "r")) == NULL)
		return (type);
	while (fgets(line, sizeof (line), f) != NULL) {
		if (strstr(line, bdf) == NULL)
			continue;
		if (strstr(line, "vfio-msix") != NULL)
			type = "MSI-X";
		else if (strstr(line, "vfio-msi") != NULL)
			type = "MSI";
		else if (strstr(line, "vfio-intx") != NULL)
			type = "INTx";
	}
	(void) fclose(f);
	return (type);
}

/*
 * Units.
 */
static fk_lun_t *
lun_find(const char *ua)
{
	dev_info_t *iports[4];
	int n = fk_scsi_iports(hba, iports, 4);

	for (int i = 0; i < n && i < 4; i++) {
		fk_lun_t *l = fk_scsi_lun_find(iports[i], ua);

		if (l != NULL)
			return (l);
	}
	return (NULL);
}

static fk_lun_t *
lun_wait(const char *ua, double secs)
{
	double end = now() + secs;
	fk_lun_t *l;

	while ((l = lun_find(ua)) == NULL && now() < end)
		(void) fk_scsi_wait_event(fk_scsi_events(), MSEC2NSEC(100));
	return (l);
}

static void
table_head(void)
{
	say("  %-6s %-4s %-8s %-16s %-5s %10s %12s\n", "TARGET", "LUN",
	    "VENDOR", "PRODUCT", "REV", "CAPACITY", "BLOCKS");
}

static void
table_row(fk_lun_t *l)
{
	fk_lun_info_t li;
	char cap[32];

	(void) fk_scsi_lun_info(l, &li);
	say("  %-6s %-4llu %-8s %-16s %-5s %10s %12llu\n", li.li_target,
	    (unsigned long long)li.li_lun, li.li_vid, li.li_pid, li.li_rev,
	    li.li_cap_valid ? human(li.li_nblocks * li.li_blksize, cap,
	    sizeof (cap)) : "?", (unsigned long long)li.li_nblocks);
}

/*
 * The load: writers own a region of the file disk each, and write a
 * pattern that names the block, the writer and the pass, then read it
 * back; readers read null disks, which return zeroes.
 */
typedef struct worker {
	pthread_t	w_tid;
	fk_lun_t	*w_lun;
	int		w_write;
	uint64_t	w_base, w_nblks;	/* region */
	uint32_t	w_rand;
	uint64_t	w_pass;
} worker_t;

static worker_t workers[NWRITERS + NREADERS * 2];
static int nworkers;
static volatile int stopping;
static uint64_t io_count, io_bytes, io_errors, data_errors;

static uint32_t
rnd(worker_t *w)
{
	w->w_rand ^= w->w_rand << 13;
	w->w_rand ^= w->w_rand >> 17;
	w->w_rand ^= w->w_rand << 5;
	return (w->w_rand);
}

static void
pattern(uint64_t *p, uint32_t nblks, uint64_t lba, uint64_t tag)
{
	for (uint32_t i = 0; i < nblks * BLK / 8; i++)
		p[i] = ((lba + i / (BLK / 8)) << 24) ^ (tag << 8) ^ (i % 64);
}

static void
count(uint32_t nblks, int err)
{
	__atomic_add_fetch(&io_count, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&io_bytes, (uint64_t)nblks * BLK,
	    __ATOMIC_RELAXED);
	if (err != 0)
		__atomic_add_fetch(&io_errors, 1, __ATOMIC_RELAXED);
}

static void *
worker_run(void *arg)
{
	worker_t *w = arg;
	size_t len = MAXBLKS * BLK;
	uint64_t *out = fk_scsi_buf_alloc(len), *in = fk_scsi_buf_alloc(len);
	uint64_t *want = malloc(len);

	while (!stopping) {
		uint32_t nblks = 8 * (1 + rnd(w) % (MAXBLKS / 8));
		uint64_t lba = w->w_base + 8 * (rnd(w) % ((w->w_nblks -
		    nblks) / 8));
		uint64_t tag = ((uint64_t)(w - workers) << 32) | w->w_pass++;
		int err;

		if (w->w_write) {
			pattern(out, nblks, lba, tag);
			err = fk_scsi_write(w->w_lun, lba, nblks, out, NULL);
			count(nblks, err);
			if (err != 0)
				continue;
			(void) memcpy(want, out, (size_t)nblks * BLK);
		} else {
			(void) memset(want, 0, (size_t)nblks * BLK);
		}
		(void) memset(in, 0xa5, (size_t)nblks * BLK);
		err = fk_scsi_read(w->w_lun, lba, nblks, in, NULL);
		count(nblks, err);
		if (err == 0 && memcmp(in, want, (size_t)nblks * BLK) != 0)
			__atomic_add_fetch(&data_errors, 1, __ATOMIC_RELAXED);
	}
	fk_scsi_buf_free(out, len);
	fk_scsi_buf_free(in, len);
	free(want);
	return (NULL);
}

static void
load_start(fk_lun_t **luns, int nluns)
{
	fk_lun_info_t li;

	stopping = 0;
	nworkers = 0;
	for (int k = 0; k < nluns; k++) {
		int writer = k == 0, n = writer ? NWRITERS : NREADERS;

		(void) fk_scsi_lun_info(luns[k], &li);
		for (int i = 0; i < n; i++) {
			worker_t *w = &workers[nworkers++];

			bzero(w, sizeof (*w));
			w->w_lun = luns[k];
			w->w_write = writer;
			w->w_nblks = MIN(li.li_nblocks / n, 65536);
			w->w_base = w->w_nblks * i;
			w->w_rand = 0x9e3779b9u * (uint32_t)(nworkers + 1);
			(void) pthread_create(&w->w_tid, NULL, worker_run, w);
		}
	}
}

static void
load_stop(void)
{
	stopping = 1;
	for (int i = 0; i < nworkers; i++)
		(void) pthread_join(workers[i].w_tid, NULL);
}

/* Watch the load for secs, updating a progress line. */
static void
progress(const char *what, double secs, void (*at)(void), double at_secs)
{
	double t0 = now(), t;
	uint64_t c0 = io_count, b0 = io_bytes;
	int done_at = at == NULL;

	do {
		(void) usleep(200000);
		t = now() - t0;
		if (!done_at && t >= at_secs) {
			say("\n");
			at();
			done_at = 1;
		}
		say("\r  %-8s %5.1f s  %8llu I/Os  %7.0f IOPS  %6.1f MB/s  "
		    "errors %llu ", what, t,
		    (unsigned long long)(io_count - c0),
		    (double)(io_count - c0) / t,
		    (double)(io_bytes - b0) / t / 1e6,
		    (unsigned long long)(io_errors + data_errors));
	} while (t < secs);
	say("\n");
}

/*
 * Hot plug.
 */
static void
hotplug(int qfd)
{
	char ua[16];
	fk_lun_t *l;
	double t;

	(void) snprintf(ua, sizeof (ua), "%x,0", HOTPLUG_TARGET);
	say("  adding a 4 GiB null disk at target %d (QMP blockdev-add, "
	    "device_add)\n", HOTPLUG_TARGET);
	t = now();
	if (qmp_disk_add(qfd, 0, HOTPLUG_TARGET, "null,size=4G") != 0) {
		fail("qmp_disk_add: %s", qmp_last_error());
		return;
	}
	if ((l = lun_wait(ua, 30)) == NULL) {
		fail("target %d was not discovered in 30 s", HOTPLUG_TARGET);
		return;
	}
	say("  discovered in %.1f s:\n", now() - t);
	table_head();
	table_row(l);
	say("  removing it (QMP device_del, blockdev-del)\n");
	t = now();
	if (qmp_disk_del(qfd, 0, HOTPLUG_TARGET) != 0) {
		fail("qmp_disk_del: %s", qmp_last_error());
		fk_scsi_lun_rele(l);
		return;
	}
	while (!fk_scsi_lun_gone(l) && now() - t < 30)
		(void) fk_scsi_wait_event(fk_scsi_events(), MSEC2NSEC(100));
	if (!fk_scsi_lun_gone(l))
		fail("target %d still there 30 s after removal",
		    HOTPLUG_TARGET);
	else
		say("  gone in %.1f s; the topology is back to %d LUNs\n",
		    now() - t, fk_scsi_luns(NULL, NULL, NULL, 0));
	fk_scsi_lun_rele(l);
}

/*
 * The bus reset, from the middle of a load.
 */
static fk_lun_t *reset_lun;
static int reset_rv;
static fk_scsi_stats_t reset_before;

static void
reset_bus(void)
{
	fk_scsi_stats(&reset_before);
	say("  RESET_BUS with %llu command%s in flight\n",
	    (unsigned long long)reset_before.st_outstanding,
	    reset_before.st_outstanding == 1 ? "" : "s");
	reset_rv = scsi_reset(&fk_scsi_lun_device(reset_lun)->sd_address,
	    RESET_BUS);
}

int
main(void)
{
	fk_options_t opts = { 0 };
	const char *s = getenv("FK_STRICT_DMA");
	fk_lun_t *luns[MAXLUNS];
	fk_scsi_stats_t st;
	double t0 = now(), t_load = 0, t;
	uint64_t ios_load, retries;
	int n, qfd, nluns;

	say("pvscsi demo: the illumos PVSCSI driver, unchanged, on QEMU's "
	    "pvscsi device\n");

	step("1. Load and attach");
	opts.fo_platform = "vfio";
	opts.fo_strict_dma = (s != NULL && strcmp(s, "0") == 0) ? -1 : 1;
	if (fk_init(&opts) != 0 || fk_mod_load("pvscsi", pvscsi__init,
	    pvscsi__fini, pvscsi__info) != 0 ||
	    fk_add_drv("pvscsi", DRV_ALIASES) != 0) {
		say("cannot start the fakekernel or load the driver\n");
		return (1);
	}
	if ((n = fk_pci_attach_all("pvscsi")) != 1 ||
	    (hba = fk_pci_hba(0)) == NULL) {
		say("attach failed (%d HBAs)\n", n);
		return (1);
	}
	(void) fk_scsa_config_all();
	(void) fk_scsi_settle(hba, SEC2NSEC(30));
	say("  pvscsi%d attached at %s, %s interrupts, strict DMA %s "
	    "(%.1f s)\n", ddi_get_instance(hba), getenv("LAB_PVSCSI") != NULL ?
	    getenv("LAB_PVSCSI") : "?", intr_type(),
	    opts.fo_strict_dma > 0 ? "on" : "off", now() - t0);

	step("2. Topology");
	for (int i = 0; i < 3; i++) {
		char ua[8];

		(void) snprintf(ua, sizeof (ua), "%x,0", i);
		if ((luns[i] = lun_wait(ua, 10)) == NULL) {
			say("  LUN %s was not discovered\n", ua);
			return (1);
		}
	}
	nluns = 3;
	table_head();
	for (int i = 0; i < nluns; i++)
		table_row(luns[i]);

	step("3. Verified read/write load");
	say("  %d writers on target 0 (each write read back and compared), "
	    "%d readers on each null disk\n", NWRITERS, NREADERS);
	load_start(luns, nluns);
	t = now();
	progress("load", LOAD_SECS, NULL, 0);
	load_stop();
	t_load += now() - t;

	step("4. Hot plug");
	if ((qfd = qmp_open()) < 0) {
		fail("cannot open QMP: %s", strerror(errno));
	} else {
		hotplug(qfd);
		qmp_close(qfd);
	}

	step("5. Bus reset under load");
	reset_lun = luns[0];
	fk_scsi_stats(&st);
	retries = st.st_retries;
	load_start(luns, nluns);
	t = now();
	progress("reset", RESET_SECS, reset_bus, 1.0);
	load_stop();
	t_load += now() - t;
	fk_scsi_stats(&st);
	if (reset_rv != 1)
		fail("scsi_reset(RESET_BUS) returned %d", reset_rv);
	say("  after the reset: %llu retried, %llu outstanding; every "
	    "command completed\n", (unsigned long long)(st.st_retries -
	    retries), (unsigned long long)st.st_outstanding);

	step("6. Detach");
	for (int i = 0; i < nluns; i++)
		fk_scsi_lun_rele(luns[i]);
	fk_scsi_stats(&st);
	ios_load = io_count;
	if (fk_scsa_unconfig(hba) != DDI_SUCCESS ||
	    fk_pci_detach_all() != DDI_SUCCESS)
		fail("detach failed");
	else
		say("  detached\n");

	if (io_errors + data_errors != 0)
		fail("%llu I/O errors, %llu data mismatches",
		    (unsigned long long)io_errors,
		    (unsigned long long)data_errors);
	if (st.st_started != st.st_completed || st.st_outstanding != 0)
		fail("%llu packets started, %llu completed",
		    (unsigned long long)st.st_started,
		    (unsigned long long)st.st_completed);
	if (fk_log_console_count() != 0)
		fail("%u console messages", fk_log_console_count());

	step("Summary");
	say("  %llu I/Os (%.1f MB) in %.1f s of load: %.0f IOPS\n",
	    (unsigned long long)ios_load, (double)io_bytes / 1e6, t_load,
	    (double)ios_load / t_load);
	say("  %llu packets started, %llu completed exactly once; errors "
	    "%llu; data verified; console messages %u\n",
	    (unsigned long long)st.st_started,
	    (unsigned long long)st.st_completed,
	    (unsigned long long)(io_errors + data_errors),
	    fk_log_console_count());
	say("  %s in %.1f s\n", failures == 0 ? "PASSED" : "FAILED",
	    now() - t0);
	(void) fk_mod_unload("pvscsi");
	fk_fini();
	return (failures == 0 ? 0 : 1);
}

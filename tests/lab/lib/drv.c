/*
 * Bringing the pvscsi driver up and down in a lab program.
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
#include <sys/time.h>

#include "check.h"
#include "drv.h"

/* The driver's module entry points, renamed at build time. */
extern int pvscsi__init(void);
extern int pvscsi__fini(void);
extern int pvscsi__info(struct modinfo *);

static const char drv_name[] = "pvscsi";

/* As the package manifest lists them (the Makefile's DRV_ALIASES). */
const char drv_aliases[] = DRV_ALIASES;

/*
 * Our driver's tunables, weak: a program linked with another pvscsi
 * driver, which may lack them, still links (its white-box checks are
 * not run there).
 */
extern uint_t pvscsi_ring_pages __attribute__((weak));
extern uint_t pvscsi_recovery_time __attribute__((weak));
extern uint_t pvscsi_max_targets __attribute__((weak));

static uint_t *
drv_tunable_var(const char *name)
{
	if (strcmp(name, "pvscsi_ring_pages") == 0)
		return (&pvscsi_ring_pages);
	if (strcmp(name, "pvscsi_recovery_time") == 0)
		return (&pvscsi_recovery_time);
	if (strcmp(name, "pvscsi_max_targets") == 0)
		return (&pvscsi_max_targets);
	return (NULL);
}

int
drv_load(void)
{
	fk_options_t opts = { 0 };
	const char *s = getenv("FK_STRICT_DMA");
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	opts.fo_platform = "vfio";
	opts.fo_strict_dma = (s != NULL && strcmp(s, "0") == 0) ? -1 : 1;
	if ((err = fk_init(&opts)) != 0)
		return (err);
	if ((err = fk_mod_load(drv_name, pvscsi__init, pvscsi__fini,
	    pvscsi__info)) != 0)
		return (err);
	return (fk_add_drv(drv_name, drv_aliases));
}

/*
 * The attach's deadline: a thread of the lab's own (it calls nothing of
 * the fakekernel) that ends the program when the attach overruns.
 */
static struct {
	pthread_mutex_t	lock;
	pthread_cond_t	cv;
	int		done;
} drv_dl = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0 };

static void *
drv_deadline(void *arg)
{
	struct timespec end;
	int done;

	(void) clock_gettime(CLOCK_REALTIME, &end);
	end.tv_sec += DRV_ATTACH_SECS;
	(void) pthread_mutex_lock(&drv_dl.lock);
	while (!drv_dl.done && pthread_cond_timedwait(&drv_dl.cv,
	    &drv_dl.lock, &end) == 0)
		;
	done = drv_dl.done;
	(void) pthread_mutex_unlock(&drv_dl.lock);
	if (!done) {
		(void) printf("FAIL attach: the attach and the first "
		    "configuration of the bus did not end within %d s "
		    "(SCSI_POLL_TIMEOUT)\n", DRV_ATTACH_SECS);
		(void) fflush(stdout);
		_exit(1);
	}
	return (NULL);
}

int
drv_attach(void)
{
	pthread_t t;
	int n;

	drv_dl.done = 0;
	if (pthread_create(&t, NULL, drv_deadline, NULL) != 0)
		return (-1);
	if ((n = fk_pci_attach_all(drv_name)) > 0) {
		(void) fk_scsa_config_all();
		for (int i = 0; i < n; i++)
			(void) fk_scsi_settle(fk_pci_hba(i), SEC2NSEC(30));
	}
	(void) pthread_mutex_lock(&drv_dl.lock);
	drv_dl.done = 1;
	(void) pthread_cond_signal(&drv_dl.cv);
	(void) pthread_mutex_unlock(&drv_dl.lock);
	(void) pthread_join(t, NULL);
	return (n);
}

/*
 * Arrivals by HBA, for drv_attach_timed.  Static: fk_scsi_unwatch does not
 * wait for a callback already under way.
 */
static struct {
	pthread_mutex_t	da_lock;
	dev_info_t	*da_hba[DRV_HBAS];
	hrtime_t	da_last[DRV_HBAS];
	int		da_units[DRV_HBAS];
} drv_arr = { .da_lock = PTHREAD_MUTEX_INITIALIZER };

static void
drv_arrived(void *arg, fk_lun_t *lun, int ev)
{
	fk_lun_info_t li;
	int i;

	if (ev != FK_SCSI_EV_ARRIVE || fk_scsi_lun_info(lun, &li) != 0)
		return;
	(void) pthread_mutex_lock(&drv_arr.da_lock);
	for (i = 0; i < DRV_HBAS; i++) {
		if (drv_arr.da_hba[i] == li.li_hba || drv_arr.da_hba[i] == NULL)
			break;
	}
	if (i < DRV_HBAS) {
		drv_arr.da_hba[i] = li.li_hba;
		drv_arr.da_last[i] = gethrtime();
		drv_arr.da_units[i]++;
	}
	(void) pthread_mutex_unlock(&drv_arr.da_lock);
}

int
drv_attach_timed(drv_disc_t *dd)
{
	hrtime_t start;
	void *w;
	int n;

	bzero(dd, sizeof (*dd));
	(void) pthread_mutex_lock(&drv_arr.da_lock);
	bzero(drv_arr.da_hba, sizeof (drv_arr.da_hba));
	bzero(drv_arr.da_units, sizeof (drv_arr.da_units));
	(void) pthread_mutex_unlock(&drv_arr.da_lock);
	w = fk_scsi_watch(drv_arrived, NULL);
	start = gethrtime();
	n = drv_attach();
	dd->dd_total = (double)(gethrtime() - start) / NANOSEC;
	fk_scsi_unwatch(w);
	(void) pthread_mutex_lock(&drv_arr.da_lock);
	for (int i = 0; i < n && i < DRV_HBAS; i++) {
		for (int k = 0; k < DRV_HBAS; k++) {
			if (drv_arr.da_hba[k] != fk_pci_hba(i))
				continue;
			dd->dd_last[i] = (double)(drv_arr.da_last[k] - start) /
			    NANOSEC;
			dd->dd_units[i] = drv_arr.da_units[k];
		}
	}
	(void) pthread_mutex_unlock(&drv_arr.da_lock);
	return (n);
}

int
drv_detach(void)
{
	dev_info_t *dip;
	int rv = 0;

	for (int i = 0; (dip = fk_pci_hba(i)) != NULL; i++) {
		if (fk_scsa_unconfig(dip) != DDI_SUCCESS)
			rv = -1;
	}
	if (fk_pci_detach_all() != DDI_SUCCESS)
		rv = -1;
	return (rv);
}

void
drv_unload(void)
{
	(void) fk_mod_unload(drv_name);
	fk_fini();
}

fk_lun_t *
drv_lun(int hba, const char *ua, int secs)
{
	hrtime_t end = gethrtime() + SEC2NSEC(secs);
	dev_info_t *iports[4];

	for (;;) {
		dev_info_t *dip = fk_pci_hba(hba);
		int n = dip == NULL ? 0 : fk_scsi_iports(dip, iports, 4);

		/* An HBA without iports has its units as children. */
		if (n == 0 && dip != NULL) {
			iports[0] = dip;
			n = 1;
		}
		for (int i = 0; i < n && i < 4; i++) {
			fk_lun_t *lun = fk_scsi_lun_find(iports[i], ua);
			if (lun != NULL)
				return (lun);
		}
		if (gethrtime() > end)
			return (NULL);
		(void) fk_scsi_wait_event(fk_scsi_events(), MSEC2NSEC(100));
	}
}

int
drv_lun_departed(int hba, const char *ua, int secs)
{
	hrtime_t end = gethrtime() + SEC2NSEC(secs);
	fk_lun_t *lun;

	while ((lun = drv_lun(hba, ua, 0)) != NULL) {
		fk_scsi_lun_rele(lun);
		if (gethrtime() > end)
			return (0);
		(void) fk_scsi_wait_event(fk_scsi_events(), MSEC2NSEC(100));
	}
	return (1);
}

/*
 * The checks of drv_start and drv_units count in this file's tally, not
 * the program's, so a failed one ends the program here, with the status
 * check_exit() would give it.
 */
static void
drv_exit_unless(int passed)
{
	if (!passed) {
		(void) check_exit();
		exit(1);
	}
}

void
drv_start(void)
{
	int err, n;

	err = drv_load();
	drv_exit_unless(CHECK("load", err == 0, "expected 0, saw %d", err));
	n = drv_attach();
	drv_exit_unless(CHECK("attach", n == 1, "expected 1 HBA, saw %d", n));
	n = fk_scsi_luns(NULL, NULL, NULL, 0);
	drv_exit_unless(CHECK("units", n > 0, "expected the attach to find "
	    "the topology's disks, saw %d units", n));
}

void
drv_units(const char *name, fk_lun_t **lun0p, fk_lun_t **lun1p)
{
	*lun0p = drv_lun(0, "0,0", 10);
	if (lun1p == NULL) {
		drv_exit_unless(CHECK(name, *lun0p != NULL,
		    "expected LUN 0,0"));
		return;
	}
	*lun1p = drv_lun(0, "1,0", 10);
	drv_exit_unless(CHECK(name, *lun0p != NULL && *lun1p != NULL,
	    "expected LUNs 0,0 and 1,0"));
}

uint64_t
drv_errors(int hba, const char *stat)
{
	dev_info_t *dip = fk_pci_hba(hba);
	uint64_t v;
	int err = ENXIO;

	if (dip != NULL && (err = fk_kstat_read(drv_name,
	    ddi_get_instance(dip), "errors", stat, &v)) == 0)
		return (v);
	drv_note("kstat %s:%d:errors:%s: error %d", drv_name,
	    dip != NULL ? ddi_get_instance(dip) : -1, stat, err);
	return (UINT64_MAX);
}

int
drv_white(int *argcp, char **argv)
{
	int white = 0, n = 1;

	for (int i = 1; i < *argcp; i++) {
		if (strcmp(argv[i], "--white") == 0)
			white = 1;
		else
			argv[n++] = argv[i];
	}
	argv[n] = NULL;
	*argcp = n;
	return (white);
}

int
drv_tune(const char *name, uint_t value)
{
	uint_t *var = drv_tunable_var(name);

	if (var == NULL) {
		drv_note("%s: not a tunable of the driver linked in", name);
		return (ENOENT);
	}
	*var = value;
	return (0);
}

uint_t
drv_tunable(const char *name)
{
	uint_t *var = drv_tunable_var(name);

	return (var != NULL ? *var : 0);
}

uint_t
drv_console_lines(void)
{
	return (fk_log_console_count());
}

void
drv_note(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

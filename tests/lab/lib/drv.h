/*
 * Lab programs: bring the pvscsi driver up on the guest's PVSCSI functions
 * and take it down again, as the system would (load the module, attach
 * the PCI nodes, configure the iports, let discovery settle).
 *
 * Strict DMA mode is on unless FK_STRICT_DMA=0 is in the environment;
 * FK_INTR chooses the interrupt types offered ("msi", "fixed", "any").
 */
#ifndef _DRV_H
#define	_DRV_H

#include <sys/types.h>
#include <sys/dditypes.h>
#include "fk.h"
#include "fk_scsi.h"

/*
 * The driver's aliases, in add_drv -i syntax, as its package manifest
 * lists them: programs that drive a PVSCSI function without the driver
 * (the raw ring) claim the functions with fk_pci_claim(drv_aliases).
 */
extern const char drv_aliases[];

/*
 * fk_init, load the driver module and register it with its aliases
 * (fk_add_drv: the platform claims its functions); 0 or an errno.
 */
extern int drv_load(void);
/*
 * Attach every PVSCSI function and let its first configuration of the
 * bus settle; the number of HBAs attached.  The attach and that first
 * configuration get DRV_ATTACH_SECS: the time scsi_poll(9F) gives one
 * polled command (SCSI_POLL_TIMEOUT), past which a probe has failed on
 * a real system too.  When they take longer the program ends there
 * ("FAIL attach: ...", exit status 1): nothing could be tested.
 */
#define	DRV_ATTACH_SECS	60
extern int drv_attach(void);
/*
 * drv_attach, timed: how long discovery took, as a target driver sees
 * it.  dd_total is drv_attach's seconds (every HBA attached, every
 * iport's target map settled); for the i-th HBA attached, dd_last[i] is
 * the seconds from the start to the arrival of its last unit (0: none
 * arrived), dd_units[i] the units that arrived (fk_scsi_watch).  Returns
 * what drv_attach returns.
 */
#define	DRV_HBAS	16

typedef struct drv_disc {
	double		dd_total;
	double		dd_last[DRV_HBAS];
	int		dd_units[DRV_HBAS];
} drv_disc_t;

extern int drv_attach_timed(drv_disc_t *);
/* take every HBA down (children first); 0 or -1 when a detach failed. */
extern int drv_detach(void);
/* unload the module and fk_fini. */
extern void drv_unload(void);

/* the LUN at "target,lun" of HBA i (held), waiting up to secs for it. */
extern fk_lun_t *drv_lun(int, const char *, int);
/* wait up to secs until HBA i has no LUN at "target,lun": 1, or 0. */
extern int drv_lun_departed(int, const char *, int);

/*
 * The start of a scenario with one HBA: drv_load and drv_attach, checked
 * (tests/check.h) as "load" and "attach", and the units the attach found
 * ("units": every scenario has a disk).  When a check fails the program
 * ends there, with exit status 1.
 */
extern void drv_start(void);
/*
 * The units "0,0" and, when lun1p is not NULL, "1,0" of HBA 0 (held),
 * waiting up to 10 s for each, checked together as name.  When one is
 * missing the program ends there, with exit status 1.
 */
extern void drv_units(const char *, fk_lun_t **, fk_lun_t **);
/*
 * A count of HBA i's kstat pvscsi:<instance>:errors (device errors and
 * recovery steps, pvscsi(4D)), read as kstat(8) reads it; UINT64_MAX,
 * with a note, when it cannot be read.
 */
extern uint64_t drv_errors(int, const char *);
/*
 * Black-box and white-box checks.  A scenario's checks use SCSA, the
 * DDI, the device and QMP only, so that any pvscsi driver can be judged
 * by them (kind black in tests/lab/suites), unless its program is given
 * --white (kind white): then it also checks our driver's internals, its
 * tunables, kstats and design choices, and may set it up through its
 * tunables.  drv_white(&argc, argv) is 1 for --white, which it takes out
 * of argv.  drv_tune(name, value) sets one of our driver's tunables
 * (pvscsi_ring_pages, pvscsi_recovery_time) before the attach, as
 * /etc/system would: 0, or ENOENT (with a note) when the driver linked
 * in has no such variable.  drv_tunable(name) reads one (0 when absent).
 */
extern int drv_white(int *, char **);
extern int drv_tune(const char *, uint_t);
extern uint_t drv_tunable(const char *);

/* console lines printed so far by anyone (the driver must print none). */
extern uint_t drv_console_lines(void);
/* a printf to stdout, flushed (output streams live from the guest). */
extern void drv_note(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif /* _DRV_H */

/*
 * The fakekernel's own interface for lab programs (tests, demo, bench):
 * start and stop it, load a driver, read its log and counters, and choose
 * its strictness.  Drivers never include this.
 */
#ifndef _FK_H
#define	_FK_H

#include <sys/types.h>
#include <sys/modctl.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Options, from the environment unless set before fk_init():
 *   FK_PLATFORM	"vfio" (the lab guest) or "none" (host unit tests)
 *   FK_STRICT_DMA	1: CPU and device views of DMA memory are separate
 *   FK_INTR		"any" (default), "msi", "fixed": interrupt types
 *			offered to drivers
 *   FK_QUIET		1: do not echo console messages to stderr
 *
 * Other settings read from the environment where they act (each file's
 * block comment says more):
 *   FK_DEBUG		0: the production configuration, as an illumos
 *			non-DEBUG kernel: no kmem fills, redzones or
 *			quarantine, kmem_alloc from kmem_alloc_<size>
 *			caches, mutexes with an owner and nothing else (no
 *			witness, no held list); read once (ddi/init.c;
 *			acts in ddi/kmem.c, ddi/mutex.c)
 *   FK_WITNESS_PANIC	1: a lock-order report panics (ddi/mutex.c)
 *   FK_KMEM_QUARANTINE	bytes of freed buffers kept back (ddi/kmem.c)
 *   FK_KMEM_FAIL_NOSLEEP N: every N-th KM_NOSLEEP allocation fails
 *			(ddi/kmem.c)
 *   FK_DMA_DROP_SYNC	N: the N-th ddi_dma_sync does nothing (ddi/dma.c)
 *   FK_DMA_SYNC_LOG	1: every ddi_dma_sync is logged (ddi/dma.c)
 *   FK_SCSI_COMP	where pkt_comp runs: direct, intr (default),
 *			always, mixed (scsa/pkt.c)
 *   FK_SYMBOLIZE	0: stack reports without addr2line (ddi/thread.c)
 */
typedef struct fk_options {
	const char	*fo_platform;
	int		fo_strict_dma;
	const char	*fo_intr;
	int		fo_quiet;
} fk_options_t;

extern int fk_init(const fk_options_t *);
extern void fk_fini(void);

/* Load and unload a driver whose _init/_fini/_info were renamed. */
extern int fk_mod_load(const char *, int (*)(void), int (*)(void),
    int (*)(struct modinfo *));
extern int fk_mod_unload(const char *);

/* Log of every message (console and "!" log-only). */
typedef struct fk_logmsg {
	int		lm_level;	/* CE_* */
	int		lm_console;	/* would reach the console */
	const char	*lm_text;	/* prefix ("pvscsi0: ") included */
	hrtime_t	lm_time;
} fk_logmsg_t;

extern uint_t fk_log_count(void);
extern const fk_logmsg_t *fk_log_get(uint_t);
extern uint_t fk_log_console_count(void);
extern int fk_log_find(const char *, uint_t);	/* index >= start, or -1 */

/* Counters every part of the fakekernel keeps. */
typedef struct fk_counters {
	uint64_t	fc_kmem_allocs;		/* kmem_alloc + cache allocs */
	uint64_t	fc_kmem_frees;
	int64_t		fc_kmem_bytes;		/* outstanding */
	uint64_t	fc_reg_writes;
	uint64_t	fc_intrs;		/* handler invocations */
	uint64_t	fc_intrs_claimed;
	uint64_t	fc_dma_syncs;
	uint64_t	fc_dma_binds;
	uint64_t	fc_pkt_starts;		/* tran_start calls */
	uint64_t	fc_tran_busy;		/* TRAN_BUSY returns */
	uint64_t	fc_pkt_comps;		/* scsi_hba_pkt_comp calls */
	uint64_t	fc_witness_reports;
	uint64_t	fc_timeouts_fired;
	uint64_t	fc_dma_conflicts;	/* strict DMA: both changed */
	uint64_t	fc_kmem_alloc_calls;	/* kmem_alloc + kmem_zalloc */
	uint64_t	fc_kmem_constructs;	/* objects caches constructed */
} fk_counters_t;

extern void fk_counters_get(fk_counters_t *);
extern fk_counters_t fk_counters;	/* updated atomically */

/*
 * Device tree and modules.  fk_prop_conf_set(driver, spec) plays a line of
 * the driver's driver.conf: spec is "name=value[,value...]" (integers,
 * decimal or 0x hex, make an int array, or int64 when one does not fit
 * in an int; "quoted" or other words make a string array) or "name" (a
 * boolean).  Nodes bound to the driver afterwards carry it, below their
 * own properties.  Returns 0 or EINVAL.  fk_prop_conf_clear(driver)
 * forgets the driver's lines (NULL: every driver's).
 */
extern int fk_prop_conf_set(const char *, const char *);
extern void fk_prop_conf_clear(const char *);

/*
 * Drivers and the devices they bind to (ddi/drvalias.c), as add_drv(8)
 * and /etc/driver_aliases have it on illumos.  fk_add_drv(driver,
 * aliases) registers the driver's aliases, written as add_drv -i takes
 * them (names separated by white space, each optionally in double quotes:
 * "\"pciex15ad,7c0\" \"pci15ad,7c0\""), and has the platform claim every
 * PCI function with one of them among its compatible names; a node binds
 * to the driver of the first of its compatible names that is an alias.
 * Returns 0, EINVAL for a malformed list, EEXIST when an alias belongs to
 * another driver.  Adding a driver again replaces its aliases;
 * fk_rem_drv(driver) drops them.  Aliases outlive fk_fini, claims do not.
 *
 * PCI (ddi/pci.c).  The platform offers candidate functions (vfio: those
 * bound to vfio-pci) and claims the ones asked for: fk_add_drv() asks for
 * a driver's, fk_pci_claim(aliases) for functions a program drives
 * through the DDI itself (it returns how many of them are claimed, or -1
 * for a malformed list).  fk_pci_count() is the number of functions
 * claimed, numbered 0.. in claim order.  fk_pci_attach_all(driver) makes
 * a device node for each claimed function bound to the driver (under the
 * root; node name from the subsystem ids, e.g. "pci15ad,7c0"; unit
 * address "dev" or "dev,func" in hex, as illumos names PCI children;
 * properties reg, assigned-addresses, vendor-id, device-id, revision-id,
 * subsystem-id, subsystem-vendor-id, class-code, interrupts, compatible)
 * and attaches it.  It returns the number of nodes attached; a node whose
 * attach fails is removed.  fk_pci_hba(i) is the i-th attached node (NULL
 * past the end).  fk_pci_detach_all() detaches and removes them, last
 * first: DDI_FAILURE if a driver refused (its node stays).
 * fk_pci_node_create(index, name) and fk_pci_node_destroy() make and
 * remove a node with no driver for claimed function index (name NULL:
 * the default node name).
 */
extern int fk_add_drv(const char *, const char *);
extern void fk_rem_drv(const char *);
extern int fk_pci_claim(const char *);
extern int fk_pci_count(void);
extern int fk_pci_attach_all(const char *);
extern int fk_pci_detach_all(void);
extern dev_info_t *fk_pci_hba(int);
extern dev_info_t *fk_pci_node_create(int, const char *);
extern void fk_pci_node_destroy(dev_info_t *);

/*
 * Registers (ddi/regs.c).  fk_reg_writes_at(rnumber, offset) counts the
 * ddi_put and ddi_rep_put writes to that offset of register set rnumber
 * (summed over all nodes): the kicks; fc_reg_writes counts them all.
 */
extern uint64_t fk_reg_writes_at(uint_t, uint64_t);

/*
 * Register taps and faults, for tests that play or perturb a device.
 * fk_reg_tap(fn, arg) installs fn (NULL: none): after every store to a
 * register set (ddi_put, and each element of ddi_rep_put; not
 * configuration space), fn(arg, rnumber, offset, value, size) is called
 * in the storing thread, which may hold driver locks or be in interrupt
 * context: fn must not block or call into the driver.  fk_reg_allones(1)
 * makes every register set act as a device that has gone away: loads
 * return all-ones, stores are dropped (counted, not tapped); 0 ends it.
 */
typedef void (*fk_reg_tap_t)(void *, uint_t, uint64_t, uint64_t, uint_t);
extern void fk_reg_tap(fk_reg_tap_t, void *);
extern void fk_reg_allones(int);

/*
 * Interrupts (ddi/intr.c).  fk_intr_call(dip, inum) delivers dip's
 * enabled vector inum in the calling thread, as its interrupt thread
 * would (interrupt context, counted in fc_intrs), and returns once the
 * handler has returned: 0, or -1 when no such vector is enabled.  Not
 * while the driver disables it.
 */
extern int fk_intr_call(dev_info_t *, int);

/*
 * fk_intr_hold(dip, 1) keeps every interrupt handler of dip from running,
 * whatever its driver does (masks, clears, enables), as when the CPUs
 * run with interrupts disabled: the polled I/O of a crash dump.  What
 * fires meanwhile is pending; fk_intr_hold(dip, 0) has it delivered on
 * the vectors' threads.  0, or -1 when dip has no interrupts.
 */
extern int fk_intr_hold(dev_info_t *, int);

/*
 * DMA (ddi/dma.c).  fk_dma_devmem(addr, len): the device's view of len
 * bytes of DMA memory at device address addr (a cookie's address), for
 * tests that play the device or write what a device would; NULL when it
 * is not DMA memory.  In strict mode (FK_STRICT_DMA) it differs from the
 * driver's view until ddi_dma_sync(9F).  Counters: fc_dma_binds,
 * fc_dma_syncs, and fc_dma_conflicts (strict-mode FORCPU/FORKERNEL syncs
 * that found bytes both the CPU and the device had changed; each also
 * logs a "dma: " warning).
 *
 * Fault injection: FK_DMA_DROP_SYNC=N in the environment makes the N-th
 * ddi_dma_sync call of the process do nothing; fk_dma_drop_sync(N) does
 * the same for the N-th call from now on (0: none).  FK_DMA_SYNC_LOG=1
 * logs every ddi_dma_sync with its number and caller.
 * fk_dma_sync_count() is the number of ddi_dma_sync calls so far.
 */
extern void *fk_dma_devmem(uint64_t, size_t);
extern void fk_dma_drop_sync(uint64_t);
extern uint64_t fk_dma_sync_count(void);

/*
 * Kernel statistics (ddi/kstat.c), read as kstat(8) reads them:
 * fk_kstat_read(module, instance, name, statistic, &value) takes a
 * snapshot of the installed named kstat module:instance:name (under its
 * ks_lock, after its ks_update(KSTAT_READ), as a reader of /dev/kstat
 * does) and stores the statistic's value, widened to 64 bits (signed
 * types sign-extended).  Returns 0; ENOENT when no such kstat is
 * installed or it has no such statistic; EINVAL when the kstat is not
 * KSTAT_TYPE_NAMED or the statistic is not an integer; EIO when the
 * provider's ks_update or ks_snapshot failed.
 */
extern int fk_kstat_read(const char *, int, const char *, const char *,
    uint64_t *);

#ifdef __cplusplus
}
#endif

#endif /* _FK_H */

/*
 * Private to the fakekernel: the structures and hooks its parts share.
 * Nothing under usr/src includes this; lab programs use fk.h.
 *
 * Ownership (one file owns each fact):
 *   host threads and locks (fk_host.h)	ddi/thread.c, the only caller
 *						of pthreads and futexes
 *   threads, interrupt context, witness	ddi/thread.c, ddi/mutex.c
 *   code addresses as text			ddi/symbolize.c
 *   device tree, properties, modules		ddi/devinfo.c, ddi/props.c,
 *						ddi/module.c
 *   driver aliases (which driver binds)	ddi/drvalias.c
 *   registers, DMA, interrupts, PCI		ddi/regs.c, ddi/dma.c,
 *						ddi/intr.c, ddi/pci.c over
 *						platform/platform.h
 *   SCSA					scsa/ (every file)
 */
#ifndef _FK_IMPL_H
#define	_FK_IMPL_H

#include <sys/types.h>
#include <sys/sunddi.h>
#include <fk_host.h>
#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The clock ticks FK_HZ times a second (hz, the kernel's variable, has
 * this value): ddi/time.c owns lbolt and the tick conversions.
 */
#define	FK_HZ	100

/*
 * Threads.  Every thread that enters the fakekernel gets an fk_thread_t
 * (lazily for threads the fakekernel did not create).  Interrupt handlers
 * run on threads marked t_intr (fk_intr_enter/fk_intr_exit around each
 * handler call); DDI calls the man pages forbid in interrupt context call
 * fk_assert_may_block("what"), which panics there with "what in interrupt
 * context" and the locks the thread holds.  fk_assert_unlocked("what")
 * panics when the calling thread holds any kmutex_t (for the end of a
 * callback, a taskq job, a thread).
 *
 * fk_thread_create(&tid, name, func, arg) starts a named thread (tid
 * NULL: detached); 0 or an errno value.  fk_thread_bind_cpu(cpu) keeps
 * the calling thread on one CPU (0 or an errno value).  fk_thread_exit()
 * ends the calling thread (its t_owned, memory of the thread's creator,
 * is freed with its fk_thread_t, at its end however it ends).
 *
 * t_held lists the kmutex_t the thread holds, in acquisition order, each
 * with the return address of the mutex_enter that took it: the witness
 * (ddi/mutex.c) reads it.
 */
#define	FK_MAXHELD	32

typedef struct fk_thread {
	fk_tid_t	t_tid;
	pid_t		t_lwp;			/* Linux thread id */
	char		t_name[32];
	int		t_intr;			/* interrupt nesting depth */
	uint_t		t_intr_pri;
	int		t_intr_nheld;		/* t_nheld at fk_intr_enter */
	int		t_cpu;
	int		t_nheld;		/* entries in t_held */
	int		t_untracked;		/* held beyond FK_MAXHELD */
	void		*t_owned;		/* freed when the thread ends */
	struct mutex	*t_held[FK_MAXHELD];	/* for the witness */
	void		*t_held_pc[FK_MAXHELD];	/* where each was taken */
} fk_thread_t;

extern __thread fk_thread_t *fk_self;
extern fk_thread_t *fk_thread_adopt(void);

/* The calling thread's structure: a thread-local load, inline. */
static inline fk_thread_t *
fk_curthread(void)
{
	fk_thread_t *t = fk_self;

	if (__builtin_expect(t == NULL, 0))
		t = fk_thread_adopt();
	return (t);
}

extern int fk_thread_create(fk_tid_t *, const char *, void *(*)(void *),
    void *);
extern void fk_thread_setname(const char *);
extern int fk_thread_bind_cpu(int);
extern void fk_thread_exit(void) __attribute__((noreturn));
extern void fk_intr_enter(uint_t);
extern void fk_intr_exit(void);
extern int fk_in_intr(void);
extern void fk_assert_may_block(const char *);
extern void fk_assert_unlocked(const char *);
extern size_t fk_held_describe(fk_thread_t *, char *, size_t);

/*
 * Mutex internals shared by ddi/mutex.c and ddi/condvar.c: a cv_wait
 * gives the mutex up and takes it back (owner, held list and witness
 * follow); fk_mutex_describe() names a mutex and where it was taken.
 */
extern void fk_mutex_wait_release(struct mutex *, fk_thread_t *);
extern void fk_mutex_wait_reacquire(struct mutex *, fk_thread_t *, void *);
extern void fk_mutex_verify(const struct mutex *, const char *);
extern size_t fk_mutex_describe(const struct mutex *, void *, char *,
    size_t);

/*
 * Code addresses as text for reports (ddi/symbolize.c): "function
 * (file.c:123)" when addr2line can read the debug information,
 * "function+0x1c" from the symbol tables otherwise, "object(+0x1234)"
 * without a symbol.
 * fk_symbolize_lines() is 1 when reports carry file and line here.
 */
extern void fk_symbolize(void *const *, int, char (*)[160]);
extern int fk_symbolize_lines(void);

/*
 * Device tree (ddi/devinfo.c, ddi/props.c, ddi/softstate.c).  The links,
 * names, binding, instance numbers, devi_attached and devi_busy (attach
 * or detach in progress) belong to devinfo.c's tree lock: read them
 * through the ddi_get_*() accessors.  devi_lock guards devi_props.
 * fk_devi_driver_in_use() is true while a node bound to the driver is
 * attached or busy (mod_remove's test).  At bind, fk_prop_conf_apply()
 * copies the driver's driver.conf properties (fk_prop_conf_set) onto the
 * node; fk_prop_destroy_all() drops every property of a node being freed.
 */
struct fk_prop;
struct fk_driver;

/*
 * A dev_info_t * is opaque (illumos's struct __dev_info **): it points at
 * the node, a struct dev_info, which DEVI() makes of it, as in illumos.
 */
#define	DEVI(dip)	((struct dev_info *)(void *)(dip))

struct dev_info {
	char			*devi_node_name;
	char			*devi_addr;
	struct fk_driver	*devi_driver;
	int			devi_instance;
	dev_info_t		*devi_parent;
	dev_info_t		*devi_child;
	dev_info_t		*devi_sibling;
	void			*devi_driver_private;
	struct fk_prop		*devi_props;
	int			devi_attached;
	int			devi_busy;	/* attach/detach running */
	void			*devi_pdev;	/* platform PCI function */
	void			*devi_scsa;	/* SCSA per-node state */
	fk_lock_t		devi_lock;
	/* ndi.c: ndi_devi_enter(9F)'s holder, and the online state */
	kmutex_t		devi_ndi_lock;
	void			*devi_ndi_owner;	/* fk_thread_t */
	int			devi_ndi_depth;
	int			devi_online;
};

extern dev_info_t *fk_root_node(void);
extern dev_info_t *fk_devi_alloc(dev_info_t *, const char *, const char *);
extern void fk_devi_free(dev_info_t *);
extern int fk_devi_bind(dev_info_t *, const char *);
extern int fk_devi_attach(dev_info_t *);
extern int fk_devi_detach(dev_info_t *);
extern int fk_devi_quiesce(dev_info_t *);
extern dev_info_t *fk_devi_find_child(dev_info_t *, const char *,
    const char *);
extern int fk_devi_driver_in_use(struct fk_driver *);
extern void fk_prop_conf_apply(dev_info_t *, const char *);
extern void fk_prop_destroy_all(dev_info_t *);

/*
 * The post-attach hook: when the SCSA framework is linked in, it defines
 * fk_devi_post_attach_hook (scsa/hba.c), and fk_devi_attach() calls it
 * after a driver's attach(9E) of a node succeeds, the node already marked
 * attached (so an HBA's iports attach as illumos attaches them when the
 * HBA's attach returns).  devinfo.c references it weakly: programs
 * without SCSA have no hook.
 */
extern void (*fk_devi_post_attach_hook)(dev_info_t *);

/*
 * The bus side of ndi_devi_online(9F) and ndi_devi_offline(9F): the
 * SCSA framework, when linked in, defines these (scsa/child.c) to
 * initialise a child of an HBA (tran_tgt_init) and attach the target
 * side to it, and to take that down again (NDI_SUCCESS or NDI_FAILURE).
 * ndi.c references them weakly.
 */
extern int (*fk_ndi_online_hook)(dev_info_t *);
extern int (*fk_ndi_offline_hook)(dev_info_t *);
/* ndi_devi_enter/exit of illumos before 15483 (sys/sunndi.h) */
extern void fk_ndi_devi_enter_circular(dev_info_t *, int *);
extern void fk_ndi_devi_exit_circular(dev_info_t *, int);

/*
 * Modules.  fk_mod_load() runs a driver's _init (renamed at build time);
 * mod_install() called from it registers the dev_ops under that name.
 * Driver records are never freed: mod_remove() sets drv_ops to NULL and
 * fk_driver_lookup() finds installed drivers only.  drv_next_instance
 * belongs to devinfo.c's tree lock.
 */
struct fk_driver {
	const char		*drv_name;
	struct dev_ops		*drv_ops;
	struct modlinkage	*drv_linkage;
	int			drv_next_instance;
	struct fk_driver	*drv_next;
};

extern struct fk_driver *fk_driver_lookup(const char *);

/*
 * Driver aliases (ddi/drvalias.c) and PCI claims (ddi/pci.c).
 * fk_alias_parse(list, names, max) splits an add_drv -i list: the number
 * of names, or -1 when malformed.  fk_alias_driver(compat, n, driver)
 * copies to driver[FK_DRVNAME_LEN] the driver of the first of n compatible
 * names that is an alias: 0, or -1 when none is.  FK_DRVNAME_LEN bounds
 * a driver's name.  fk_pci_claim_names()
 * has the platform claim the candidate functions with one of n names
 * among their compatible names; it returns how many it claimed.
 */
#define	FK_ALIAS_LEN	48
#define	FK_DRVNAME_LEN	32

extern int fk_alias_parse(const char *, char (*)[FK_ALIAS_LEN], int);
extern int fk_alias_driver(char (*)[FK_ALIAS_LEN], int, char *);
extern int fk_pci_claim_names(char (*)[FK_ALIAS_LEN], int);

/*
 * Memory.  kmem draws from the platform's po_kmem_alloc when it has one
 * (its DMA-able arena: any buffer a driver binds is DMA-able, as in a
 * kernel), else from the heap (ddi/kmem.c).
 *
 * fk_kmem_nosleep_fail(kmflag) is the failure injector every KM_NOSLEEP
 * allocation consults (FK_KMEM_FAIL_NOSLEEP=N in the environment, or
 * fk_kmem_set_fail_nosleep(N): every Nth KM_NOSLEEP allocation fails; 0
 * turns it off).  fk_kmem_reap() destructs every free object of every
 * kmem cache, as memory pressure would in illumos.  fk_kmem_pattern_hint()
 * explains a value that is one of kmem's fill patterns (for reports of
 * corrupt structures), or returns "".
 */
extern int fk_kmem_nosleep_fail(int);
extern void fk_kmem_set_fail_nosleep(uint_t);
extern void fk_kmem_reap(void);
extern const char *fk_kmem_pattern_hint(uint64_t);

/*
 * Logging (ddi/cmn_err.c): every cmn_err/dev_err message lands here.
 * fk_log_append(level, console, text) adds one complete message (no
 * control character, no trailing newline) and, if console, echoes it to
 * standard error unless quiet.  fk_log_flush() ends the calling thread's
 * unfinished CE_CONT line.  The log keeps at most 4M entries;
 * fk_log_dropped_count() says how many more there were.
 */
extern void fk_log_append(int, int, const char *);
extern void fk_log_flush(void);
extern uint64_t fk_log_dropped_count(void);

/*
 * Core (ddi/init.c, time.c, timeout.c, taskq.c).
 * Options fk_init() resolved, for the other parts:
 *   fk_strict_dma	1: separate CPU and device copies of DMA memory
 *   fk_intr_types	"any", "msi", "msix" or "fixed": interrupt types
 *			offered to drivers
 *   fk_quiet, fk_verbose  console echo off / "?" messages on the console
 *			(-1 before fk_init: the environment decides)
 * fk_time_boot() is the gethrtime() at which lbolt was 0;
 * fk_sleep_until(t) sleeps until gethrtime() >= t.  fk_taskq_init/fini
 * create and destroy system_taskq.  fk_callout_cancel_all() drops every
 * pending timeout and periodic and returns how many there were.
 */
extern int fk_strict_dma;
extern const char *fk_intr_types;

/*
 * FK_DEBUG (ddi/init.c): FK_DEBUG_ON() is 1 in the debug configuration,
 * 0 in the production one (FK_DEBUG=0); read once, at the first use.
 */
extern int fk_debug;
extern int fk_debug_resolve(void);
#define	FK_DEBUG_ON()	\
	(__builtin_expect(fk_debug >= 0, 1) ? fk_debug : fk_debug_resolve())
extern int fk_quiet;
extern int fk_verbose;

extern void fk_time_init(void);
extern void fk_trap_init(void);		/* ddi/cmn_err.c: traps panic */
extern hrtime_t fk_time_boot(void);
extern void fk_sleep_until(hrtime_t);
extern void fk_taskq_init(void);
extern void fk_taskq_fini(void);
extern int fk_callout_cancel_all(void);

/*
 * Kernel statistics (ddi/kstat.c).  fk_kstat_fini() warns of each kstat
 * still installed (a driver that never deleted it) and frees them all.
 */
extern void fk_kstat_fini(void);

#ifdef __cplusplus
}
#endif

#endif /* _FK_IMPL_H */

/*
 * Private to the fakekernel: the structures and hooks its parts share.
 * Nothing under usr/src includes this; lab programs use fk.h.
 *
 * Ownership (one file owns each fact):
 *   threads, interrupt context, witness	ddi/thread.c, ddi/mutex.c
 *   device tree, properties, modules		ddi/devinfo.c, ddi/props.c,
 *						ddi/module.c
 *   registers, DMA, interrupts, PCI		ddi/regs.c, ddi/dma.c,
 *						ddi/intr.c, ddi/pci.c over
 *						platform/platform.h
 *   SCSA					scsa/*.c
 */
#ifndef _FK_IMPL_H
#define	_FK_IMPL_H

#include <sys/types.h>
#include <sys/sunddi.h>
#include <pthread.h>
#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Threads.  Every thread that enters the fakekernel gets an fk_thread_t
 * (lazily for threads the fakekernel did not create).  Interrupt handlers
 * run on threads marked t_intr; DDI calls the man pages forbid in
 * interrupt context call fk_assert_may_block(), which panics there.
 */
#define	FK_MAXHELD	32

typedef struct fk_thread {
	pthread_t	t_tid;
	char		t_name[32];
	int		t_intr;			/* in an interrupt handler */
	uint_t		t_intr_pri;
	int		t_cpu;
	int		t_nheld;
	struct kmutex	*t_held[FK_MAXHELD];	/* for the witness */
	const char	*t_held_file[FK_MAXHELD];
	int		t_held_line[FK_MAXHELD];
} fk_thread_t;

extern fk_thread_t *fk_curthread(void);
extern int fk_thread_create(pthread_t *, const char *, void *(*)(void *),
    void *);
extern void fk_intr_enter(uint_t);
extern void fk_intr_exit(void);
extern int fk_in_intr(void);
extern void fk_assert_may_block(const char *);

/*
 * Device tree.
 */
struct fk_prop;
struct fk_driver;

struct dev_info {
	char			*devi_node_name;
	char			*devi_addr;
	struct fk_driver	*devi_driver;
	int			devi_instance;
	struct dev_info		*devi_parent;
	struct dev_info		*devi_child;
	struct dev_info		*devi_sibling;
	void			*devi_driver_private;
	struct fk_prop		*devi_props;
	int			devi_attached;
	void			*devi_pdev;	/* platform PCI function */
	void			*devi_scsa;	/* SCSA per-node state */
	pthread_mutex_t		devi_lock;
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

/*
 * Modules.  fk_mod_load() runs a driver's _init (renamed at build time);
 * mod_install() called from it registers the dev_ops under that name.
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
 * Memory.  kmem draws from the platform's DMA-able arena when one exists
 * (so any buffer a driver binds is DMA-able, as in a kernel); the platform
 * installs these hooks.  Defaults are malloc/free.
 */
extern void *(*fk_kmem_backend_alloc)(size_t);
extern void (*fk_kmem_backend_free)(void *, size_t);

/*
 * Logging: every cmn_err/dev_err message lands here.
 */
extern void fk_log_append(int, int, const char *);

#ifdef __cplusplus
}
#endif

#endif /* _FK_IMPL_H */

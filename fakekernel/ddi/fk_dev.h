/*
 * Private to the device-facing parts of the fakekernel: ddi/pci.c,
 * ddi/regs.c, ddi/dma.c and ddi/intr.c, over platform/platform.h.
 *
 * Access handles (ddi_acc_handle_t) come from three places and all work
 * with ddi_get/put(9F):
 *   FK_ACC_REGS	a BAR mapped by ddi_regs_map_setup (regs.c); writes
 *			are counted per register-set offset
 *   FK_ACC_CONFIG	configuration space (rnumber 0, pci_config_setup);
 *			"addresses" are ah_base + offset and every access
 *			goes through the platform's po_cfg_read/write
 *   FK_ACC_MEM		memory from ddi_dma_mem_alloc (dma.c)
 * An access outside the handle's range panics.
 */
#ifndef _FK_DEV_H
#define	_FK_DEV_H

#include <sys/types.h>
#include <sys/sunddi.h>
#include <sys/pci.h>
#include <fk_impl.h>
#include <platform/platform.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum fk_acc_kind {
	FK_ACC_REGS = 1,
	FK_ACC_CONFIG,
	FK_ACC_MEM
} fk_acc_kind_t;

typedef struct fk_acc {
	fk_acc_kind_t		ah_kind;
	dev_info_t		*ah_dip;
	fk_pdev_t		*ah_pdev;
	uint_t			ah_rnumber;
	caddr_t			ah_base;	/* first mapped byte */
	size_t			ah_len;
	uint64_t		ah_regoff;	/* ah_base's register offset */
	int			ah_swap;	/* big-endian: swap bytes */
	uint64_t		*ah_wcounts;	/* REGS: writes per offset */
	size_t			ah_nwcounts;
	void			*ah_private;	/* MEM: dma.c's record */
	ddi_device_acc_attr_t	ah_attr;
} fk_acc_t;

#define	FK_ACC(h)	((fk_acc_t *)(h))

/*
 * PCI nodes (pci.c): the "reg" entry rnumber of a node, and the size of
 * its configuration space (256, or 4096 for PCI Express).
 */
extern int fk_pci_regspec(dev_info_t *, uint_t, pci_regspec_t *);
extern size_t fk_pci_cfg_size(dev_info_t *);

/* Access attributes check (regs.c): 0 if usable. */
extern int fk_acc_attr_check(const ddi_device_acc_attr_t *);

/*
 * Interrupt state of a node (intr.c), dropped when pci.c removes the
 * node; handles still allocated are reported.
 */
extern void fk_intr_devi_gone(dev_info_t *);

/* The platform in use (never NULL once fk_init succeeded). */
#define	FK_PLAT()	(fk_platform)

#ifdef __cplusplus
}
#endif

#endif /* _FK_DEV_H */

/*
 * The unit tests' platform backend (see fakeplat.h).
 */

#include <sys/types.h>
#include <sys/ddi_intr.h>
#include <sys/pci.h>
#include <sys/cmn_err.h>
#include <fk_impl.h>
#include <platform/platform.h>
#include <platform/arena.h>

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "fakeplat.h"

#define	FP_PAGE		4096UL
#define	FP_MAXVEC	4

struct fk_pdev {
	int	fp_dummy;
};

uint8_t fakeplat_cfg[256];
uint8_t *fakeplat_bar;
int fakeplat_intr_types = DDI_INTR_TYPE_FIXED | DDI_INTR_TYPE_MSI;
uint64_t fakeplat_unmasks;
int fakeplat_enabled_type;
int fakeplat_enabled_n;

static struct fk_pdev fp_pdev;
static fk_plat_evvec_t fp_vec[FP_MAXVEC];
static int fp_claimed;

static void
fp_cfg_init(void)
{
	uint8_t *c = fakeplat_cfg;

	(void) memset(c, 0, sizeof (fakeplat_cfg));
	c[0x00] = 0xad; c[0x01] = 0x15;		/* vendor */
	c[0x02] = 0xc0; c[0x03] = 0x07;		/* device */
	c[0x06] = PCI_STAT_CAP;			/* status */
	c[0x08] = 0x02;				/* revision */
	c[0x0b] = 0x01;				/* class: mass storage, SCSI */
	c[0x10] = 0x00; c[0x11] = 0x00;		/* BAR0, 32-bit memory */
	c[0x12] = 0xbf; c[0x13] = 0xfe;
	c[0x2c] = 0xad; c[0x2d] = 0x15;		/* subsystem vendor */
	c[0x2e] = 0xc0; c[0x2f] = 0x07;		/* subsystem */
	c[0x34] = 0x40;				/* capabilities */
	c[0x3d] = 0x01;				/* pin A */
	c[0x40] = PCI_CAP_ID_MSI;		/* MSI: 64-bit, 2 vectors */
	c[0x41] = 0x00;
	c[0x42] = 0x82; c[0x43] = 0x00;
}

/* Arena chunks with chosen device addresses. */
static void
fp_chunk(size_t npages, uint64_t (*addr)(size_t))
{
	uint64_t *pa = malloc(npages * sizeof (uint64_t));
	void *va;
	size_t i;

	va = mmap(NULL, npages * FP_PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (va == MAP_FAILED || pa == NULL)
		panic("fakeplat: no memory");
	for (i = 0; i < npages; i++)
		pa[i] = addr(i);
	if (fk_arena_add(va, npages * FP_PAGE, pa, NULL, NULL) != 0)
		panic("fakeplat: fk_arena_add failed");
	free(pa);
}

static uint64_t
fp_low(size_t i)
{
	return (FP_LOW + i * FP_PAGE);
}

static uint64_t
fp_scat(size_t i)
{
	return (FP_SCAT + (FP_SCAT_PAGES - 1 - i) * 2 * FP_PAGE);
}

static uint64_t
fp_seg(size_t i)
{
	return (FP_SEG + i * FP_PAGE);
}

static uint64_t
fp_high(size_t i)
{
	return (FP_HIGH + i * FP_PAGE);
}

static int
fp_init(void)
{
	return (0);
}

static void
fp_fini(void)
{
	fk_arena_destroy();
}

static int
fp_pci_probe(int i, fk_pci_cand_t *pc)
{
	if (i != 0)
		return (-1);
	(void) strlcpy(pc->pc_name, "0000:00:03.0", sizeof (pc->pc_name));
	(void) memcpy(pc->pc_cfg, fakeplat_cfg, sizeof (pc->pc_cfg));
	return (0);
}

static int
fp_pci_claim(int i)
{
	if (i != 0)
		return (-1);
	fp_claimed = 1;
	return (0);
}

static int
fp_pdev_count(void)
{
	return (fp_claimed);
}

static fk_pdev_t *
fp_pdev_open(int i)
{
	return (i == 0 && fp_claimed ? &fp_pdev : NULL);
}

static void
fp_pdev_close(fk_pdev_t *pd)
{
	(void) pd;
}

static const char *
fp_pdev_name(fk_pdev_t *pd)
{
	(void) pd;
	return ("0000:00:03.0");
}

static int
fp_cfg_read(fk_pdev_t *pd, uint32_t off, void *buf, size_t len)
{
	(void) pd;
	if ((len != 1 && len != 2 && len != 4 && len != 8) ||
	    off + len > sizeof (fakeplat_cfg))
		return (-1);
	(void) memcpy(buf, fakeplat_cfg + off, len);
	return (0);
}

static int
fp_cfg_write(fk_pdev_t *pd, uint32_t off, const void *buf, size_t len)
{
	(void) pd;
	if ((len != 1 && len != 2 && len != 4 && len != 8) ||
	    off + len > sizeof (fakeplat_cfg))
		return (-1);
	(void) memcpy(fakeplat_cfg + off, buf, len);
	return (0);
}

static int
fp_bar(fk_pdev_t *pd, int n, void **va, uint64_t *size, uint64_t *bus,
    uint32_t *flags)
{
	(void) pd;
	if (n != 0)
		return (-1);
	*va = fakeplat_bar;
	*size = FP_BAR0_SIZE;
	*bus = FP_BAR0_BUS;
	*flags = PCI_ADDR_MEM32;
	return (0);
}

static int
fp_intr_types(fk_pdev_t *pd)
{
	(void) pd;
	return (fakeplat_intr_types);
}

static int
fp_intr_count(fk_pdev_t *pd, int type)
{
	(void) pd;
	return (type == DDI_INTR_TYPE_FIXED ? 1 :
	    type == DDI_INTR_TYPE_MSI ? 2 : 0);
}

static int
fp_intr_enable(fk_pdev_t *pd, int type, int n)
{
	(void) pd;
	if (fakeplat_enabled_type != 0 || n < 1 || n > FP_MAXVEC ||
	    fk_plat_evvec_open(fp_vec, n) != 0)
		return (-1);
	fakeplat_enabled_type = type;
	fakeplat_enabled_n = n;
	return (0);
}

static int
fp_intr_disable(fk_pdev_t *pd, int type)
{
	(void) pd;
	(void) type;
	fk_plat_evvec_close(fp_vec, fakeplat_enabled_n);
	fakeplat_enabled_type = 0;
	fakeplat_enabled_n = 0;
	return (0);
}

static int
fp_intr_wait(fk_pdev_t *pd, int vec)
{
	(void) pd;
	return (fk_plat_evvec_wait(&fp_vec[vec]));
}

static int
fp_intr_post(fk_pdev_t *pd, int vec, int what)
{
	(void) pd;
	return (fk_plat_evvec_post(&fp_vec[vec], what));
}

static int
fp_intx_unmask(fk_pdev_t *pd)
{
	(void) pd;
	__atomic_fetch_add(&fakeplat_unmasks, 1, __ATOMIC_SEQ_CST);
	return (0);
}

static void *
fp_dma_alloc(size_t len, size_t align, uint64_t lo, uint64_t hi)
{
	return (fk_arena_alloc(len, align, lo, hi, FK_ARENA_TRYCONTIG));
}

static const fk_plat_ops_t fp_ops = {
	.po_version = FK_PLAT_VERSION,
	.po_name = "fakeplat",
	.po_init = fp_init,
	.po_fini = fp_fini,
	.po_pci_probe = fp_pci_probe,
	.po_pci_claim = fp_pci_claim,
	.po_pdev_count = fp_pdev_count,
	.po_pdev_open = fp_pdev_open,
	.po_pdev_close = fp_pdev_close,
	.po_pdev_name = fp_pdev_name,
	.po_cfg_read = fp_cfg_read,
	.po_cfg_write = fp_cfg_write,
	.po_bar = fp_bar,
	.po_intr_types = fp_intr_types,
	.po_intr_count = fp_intr_count,
	.po_intr_enable = fp_intr_enable,
	.po_intr_disable = fp_intr_disable,
	.po_intr_wait = fp_intr_wait,
	.po_intr_post = fp_intr_post,
	.po_intx_unmask = fp_intx_unmask,
	.po_dma_alloc = fp_dma_alloc,
	.po_dma_free = fk_arena_free,
	.po_dma_addr = fk_arena_addr,
	.po_dma_va = fk_arena_va,
};

void
fakeplat_install(void)
{
	fp_cfg_init();
	if (fakeplat_bar == NULL)
		fakeplat_bar = calloc(1, FP_BAR0_SIZE);
	fp_chunk(FP_LOW_PAGES, fp_low);
	fp_chunk(FP_SCAT_PAGES, fp_scat);
	fp_chunk(FP_SEG_PAGES, fp_seg);
	fp_chunk(FP_HIGH_PAGES, fp_high);
	fp_claimed = 0;
	fk_platform = &fp_ops;
}

int
fakeplat_fire(int inum)
{
	if (inum < 0 || inum >= fakeplat_enabled_n)
		return (-1);
	return (fk_plat_evvec_post(&fp_vec[inum], FK_PLAT_INTR_FIRED));
}

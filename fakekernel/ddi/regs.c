/*
 * Register access: ddi_dev_nregs(9F), ddi_dev_regsize(9F),
 * ddi_regs_map_setup(9F), ddi_regs_map_free(9F), ddi_get8(9F) ...
 * ddi_put64(9F), ddi_rep_get8(9F) ... ddi_rep_put64(9F).
 *
 * rnumber indexes the node's "reg" property (pci.c): 0 is configuration
 * space, reached through the platform's po_cfg_read/write; 1.. are the
 * implemented BARs, mapped by the platform (a BAR it cannot map, such as
 * I/O space, fails to map here).  With len 0 the mapping runs from
 * offset to the end of the register set; offset and len must lie within
 * it.
 *
 * Every access is a single volatile load or store of exactly the width
 * asked for (QEMU's pvscsi, for one, accepts 4-byte accesses only), byte
 * swapped for DDI_STRUCTURE_BE_ACC; DDI_STRUCTURE_LE_ACC and
 * DDI_NEVERSWAP_ACC access as is on this little-endian host.  An access
 * outside the handle's mapping panics.  The same accessors work on
 * ddi_dma_mem_alloc(9F) memory handles.
 *
 * Register writes are counted: fk_counters.fc_reg_writes, and per offset
 * of each register set number (fk_reg_writes_at), for the first
 * FK_REGW_MAX bytes of the set, in one table per rnumber shared by all
 * nodes.
 *
 * Tests that play or perturb the device (fk.h): fk_reg_tap() installs a
 * function called after every store to a register set (not configuration
 * space) with the register set number, offset and value stored, e.g. to
 * learn what a driver tells its device through a command register;
 * fk_reg_allones(1) makes the register sets behave as a device that has
 * gone away: every load returns all-ones and stores are dropped (still
 * counted, not tapped).
 */

#include <sys/types.h>
#include <sys/sunddi.h>
#include <sys/cmn_err.h>
#include <sys/pci.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <fk_impl.h>
#include <fk.h>
#include "fk_dev.h"

#define	FK_REGW_RNUMBERS	8
#define	FK_REGW_MAX		(1UL << 20)
#define	FK_CFG_WINDOW		4096

static fk_lock_t fk_regw_lock = FK_LOCK_INIT;
static fk_reg_tap_t fk_reg_tap_fn;
static void *fk_reg_tap_arg;
static int fk_reg_gone;
static uint64_t *fk_regw[FK_REGW_RNUMBERS];
static size_t fk_regw_len[FK_REGW_RNUMBERS];

/* Configuration handles' base: a page no access may touch directly. */
static caddr_t fk_cfg_base;
static fk_once_t fk_cfg_once = FK_ONCE_INIT;

static void
fk_cfg_base_init(void)
{
	void *p = mmap(NULL, FK_CFG_WINDOW, PROT_NONE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		panic("regs: cannot reserve the configuration space window");
	fk_cfg_base = p;
}

uint64_t
fk_reg_writes_at(uint_t rnumber, uint64_t offset)
{
	uint64_t n = 0;

	fk_lock_enter(&fk_regw_lock);
	if (rnumber < FK_REGW_RNUMBERS && offset < fk_regw_len[rnumber])
		n = __atomic_load_n(&fk_regw[rnumber][offset],
		    __ATOMIC_RELAXED);
	fk_lock_exit(&fk_regw_lock);
	return (n);
}

void
fk_reg_tap(fk_reg_tap_t fn, void *arg)
{
	fk_lock_enter(&fk_regw_lock);
	__atomic_store_n(&fk_reg_tap_fn, NULL, __ATOMIC_SEQ_CST);
	fk_reg_tap_arg = arg;
	__atomic_store_n(&fk_reg_tap_fn, fn, __ATOMIC_SEQ_CST);
	fk_lock_exit(&fk_regw_lock);
}

void
fk_reg_allones(int on)
{
	__atomic_store_n(&fk_reg_gone, on != 0, __ATOMIC_SEQ_CST);
}

/* After a store to a register set: the test's tap, if any. */
static void
fk_reg_tapped(const fk_acc_t *ah, const void *addr, uint64_t v, uint_t sz)
{
	fk_reg_tap_t fn = __atomic_load_n(&fk_reg_tap_fn, __ATOMIC_ACQUIRE);

	if (fn != NULL) {
		fn(fk_reg_tap_arg, ah->ah_rnumber, ah->ah_regoff +
		    ((uintptr_t)addr - (uintptr_t)ah->ah_base), v, sz);
	}
}

/* The per-offset write table of a register set, at least len long. */
static uint64_t *
fk_regw_table(uint_t rnumber, size_t len, size_t *lenp)
{
	uint64_t *t;

	*lenp = 0;
	if (rnumber >= FK_REGW_RNUMBERS)
		return (NULL);
	if (len > FK_REGW_MAX)
		len = FK_REGW_MAX;
	fk_lock_enter(&fk_regw_lock);
	if (fk_regw_len[rnumber] < len) {
		/*
		 * Tables only grow and are never freed: handles keep them.
		 * The word before a table points to the one it replaced, so
		 * that all stay reachable (no leak to report).
		 */
		if ((t = calloc(len + 1, sizeof (uint64_t))) != NULL) {
			t[0] = (uint64_t)(uintptr_t)(fk_regw[rnumber] != NULL ?
			    fk_regw[rnumber] - 1 : NULL);
			t++;
			if (fk_regw[rnumber] != NULL) {
				(void) memcpy(t, fk_regw[rnumber],
				    fk_regw_len[rnumber] * sizeof (uint64_t));
			}
			fk_regw[rnumber] = t;
			fk_regw_len[rnumber] = len;
		}
	}
	t = fk_regw[rnumber];
	*lenp = fk_regw_len[rnumber];
	fk_lock_exit(&fk_regw_lock);
	return (t);
}

int
fk_acc_attr_check(const ddi_device_acc_attr_t *a)
{
	if (a == NULL)
		return (-1);
	if (a->devacc_attr_version != DDI_DEVICE_ATTR_V0 &&
	    a->devacc_attr_version != DDI_DEVICE_ATTR_V1)
		return (-1);
	if (a->devacc_attr_endian_flags != DDI_NEVERSWAP_ACC &&
	    a->devacc_attr_endian_flags != DDI_STRUCTURE_LE_ACC &&
	    a->devacc_attr_endian_flags != DDI_STRUCTURE_BE_ACC)
		return (-1);
	if (a->devacc_attr_dataorder > DDI_STORECACHING_OK_ACC)
		return (-1);
	return (0);
}

/*
 * ddi_dev_nregs(9F), ddi_dev_regsize(9F).
 */
int
ddi_dev_nregs(dev_info_t *dip, int *resultp)
{
	int *ints;
	uint_t n;

	if (dip == NULL || resultp == NULL ||
	    ddi_prop_lookup_int_array(DDI_DEV_T_ANY, dip, DDI_PROP_DONTPASS,
	    "reg", &ints, &n) != DDI_PROP_SUCCESS)
		return (DDI_FAILURE);
	ddi_prop_free(ints);
	*resultp = (int)(n / 5);
	return (DDI_SUCCESS);
}

int
ddi_dev_regsize(dev_info_t *dip, uint_t rnumber, off_t *resultp)
{
	pci_regspec_t rs;

	if (dip == NULL || resultp == NULL ||
	    fk_pci_regspec(dip, rnumber, &rs) != 0)
		return (DDI_FAILURE);
	*resultp = (off_t)(((uint64_t)rs.pci_size_hi << 32) | rs.pci_size_low);
	return (DDI_SUCCESS);
}

/*
 * ddi_regs_map_setup(9F).
 */
int
ddi_regs_map_setup(dev_info_t *dip, uint_t rnumber, caddr_t *addrp,
    offset_t offset, offset_t len, const ddi_device_acc_attr_t *accattrp,
    ddi_acc_handle_t *handlep)
{
	pci_regspec_t rs;
	fk_pdev_t *pd;
	fk_acc_t *ah;
	uint64_t size, bus;
	uint32_t flags;
	caddr_t base;
	void *va;
	int config;

	fk_assert_may_block("ddi_regs_map_setup");
	if (dip == NULL || addrp == NULL || handlep == NULL ||
	    fk_acc_attr_check(accattrp) != 0)
		return (DDI_FAILURE);
	if ((pd = DEVI(dip)->devi_pdev) == NULL || FK_PLAT() == NULL ||
	    fk_pci_regspec(dip, rnumber, &rs) != 0)
		return (DDI_FAILURE);
	config = (rs.pci_phys_hi & PCI_REG_ADDR_M) == PCI_ADDR_CONFIG;
	if (config) {
		fk_once(&fk_cfg_once, fk_cfg_base_init);
		size = fk_pci_cfg_size(dip);
		base = fk_cfg_base;
	} else {
		int bar = ((int)PCI_REG_REG_G(rs.pci_phys_hi) -
		    PCI_CONF_BASE0) / 4;

		if (FK_PLAT()->po_bar(pd, bar, &va, &size, &bus, &flags) != 0 ||
		    va == NULL)
			return (DDI_FAILURE);
		base = va;
	}
	if (offset < 0 || len < 0 || (uint64_t)offset >= size ||
	    (uint64_t)len > size - (uint64_t)offset)
		return (DDI_FAILURE);
	if (len == 0)
		len = (offset_t)(size - (uint64_t)offset);

	ah = kmem_zalloc(sizeof (*ah), KM_SLEEP);
	ah->ah_kind = config ? FK_ACC_CONFIG : FK_ACC_REGS;
	ah->ah_dip = dip;
	ah->ah_pdev = pd;
	ah->ah_rnumber = rnumber;
	ah->ah_base = base + offset;
	ah->ah_len = (size_t)len;
	ah->ah_regoff = (uint64_t)offset;
	ah->ah_swap = accattrp->devacc_attr_endian_flags ==
	    DDI_STRUCTURE_BE_ACC;
	ah->ah_attr = *accattrp;
	if (!config) {
		ah->ah_wcounts = fk_regw_table(rnumber,
		    (size_t)(offset + len), &ah->ah_nwcounts);
	}
	*addrp = ah->ah_base;
	*handlep = (ddi_acc_handle_t)ah;
	return (DDI_SUCCESS);
}

void
ddi_regs_map_free(ddi_acc_handle_t *handlep)
{
	fk_acc_t *ah;

	if (handlep == NULL || (ah = FK_ACC(*handlep)) == NULL)
		return;
	if (ah->ah_kind != FK_ACC_REGS && ah->ah_kind != FK_ACC_CONFIG) {
		panic("ddi_regs_map_free: %p is not a register mapping",
		    (void *)ah);
	}
	ah->ah_kind = 0;
	kmem_free(ah, sizeof (*ah));
	*handlep = NULL;
}

/*
 * The accessors.
 */
static void __attribute__((noreturn))
fk_acc_bad(const fk_acc_t *ah, const void *addr, size_t sz, const char *op)
{
	if (ah == NULL)
		panic("%s: NULL access handle", op);
	panic("%s: %zu bytes at %p are outside the handle's mapping "
	    "[%p, %p)%s", op, sz, addr, (void *)ah->ah_base,
	    (void *)(ah->ah_base + ah->ah_len),
	    ah->ah_kind == 0 ? " (a freed handle)" : "");
}

static inline void
fk_acc_check(const fk_acc_t *ah, const void *addr, size_t sz, const char *op)
{
	uintptr_t off;

	if (ah == NULL || ah->ah_kind == 0)
		fk_acc_bad(ah, addr, sz, op);
	off = (uintptr_t)addr - (uintptr_t)ah->ah_base;
	if (off > ah->ah_len || ah->ah_len - off < sz)
		fk_acc_bad(ah, addr, sz, op);
}

static uint64_t
fk_cfg_get(const fk_acc_t *ah, const void *addr, size_t sz)
{
	uint64_t v = 0;
	uint32_t off = (uint32_t)((uintptr_t)addr - (uintptr_t)fk_cfg_base);

	if (FK_PLAT()->po_cfg_read(ah->ah_pdev, off, &v, sz) != 0)
		v = sz == 8 ? UINT64_MAX : (1ULL << (8 * sz)) - 1;
	return (v);
}

static void
fk_cfg_put(const fk_acc_t *ah, void *addr, uint64_t v, size_t sz)
{
	uint32_t off = (uint32_t)((uintptr_t)addr - (uintptr_t)fk_cfg_base);

	(void) FK_PLAT()->po_cfg_write(ah->ah_pdev, off, &v, sz);
}

static inline void
fk_acc_count(const fk_acc_t *ah, const void *addr)
{
	uint64_t idx;

	__atomic_fetch_add(&fk_counters.fc_reg_writes, 1, __ATOMIC_RELAXED);
	idx = ah->ah_regoff + ((uintptr_t)addr - (uintptr_t)ah->ah_base);
	if (idx < ah->ah_nwcounts)
		__atomic_fetch_add(&ah->ah_wcounts[idx], 1, __ATOMIC_RELAXED);
}

/*
 * One accessor pair per width; the swap is a no-op for 8 bits.
 */
#define	FK_SWAP8(v)	(v)
#define	FK_SWAP16(v)	__builtin_bswap16(v)
#define	FK_SWAP32(v)	__builtin_bswap32(v)
#define	FK_SWAP64(v)	__builtin_bswap64(v)

#define	FK_ACC_FUNCS(bits)						\
static inline uint##bits##_t						\
fk_get##bits(const fk_acc_t *ah, uint##bits##_t *addr, const char *op)	\
{									\
	uint##bits##_t v;						\
									\
	fk_acc_check(ah, addr, sizeof (v), op);				\
	if (ah->ah_kind == FK_ACC_CONFIG)				\
		v = (uint##bits##_t)fk_cfg_get(ah, addr, sizeof (v));	\
	else if (ah->ah_kind == FK_ACC_REGS &&				\
	    __atomic_load_n(&fk_reg_gone, __ATOMIC_RELAXED))		\
		v = (uint##bits##_t)~0ULL;				\
	else								\
		v = *(volatile uint##bits##_t *)addr;			\
	return (ah->ah_swap ? FK_SWAP##bits(v) : v);			\
}									\
									\
static inline void							\
fk_put##bits(const fk_acc_t *ah, uint##bits##_t *addr,		\
    uint##bits##_t v, const char *op)					\
{									\
	fk_acc_check(ah, addr, sizeof (v), op);				\
	if (ah->ah_swap)						\
		v = FK_SWAP##bits(v);					\
	if (ah->ah_kind == FK_ACC_CONFIG) {				\
		fk_cfg_put(ah, addr, v, sizeof (v));			\
		return;							\
	}								\
	if (ah->ah_kind != FK_ACC_REGS) {				\
		*(volatile uint##bits##_t *)addr = v;			\
		return;							\
	}								\
	fk_acc_count(ah, addr);						\
	if (__atomic_load_n(&fk_reg_gone, __ATOMIC_RELAXED))		\
		return;							\
	*(volatile uint##bits##_t *)addr = v;				\
	fk_reg_tapped(ah, addr, v, sizeof (v));				\
}									\
									\
uint##bits##_t								\
ddi_get##bits(ddi_acc_handle_t h, uint##bits##_t *addr)		\
{									\
	return (fk_get##bits(FK_ACC(h), addr, "ddi_get" #bits));	\
}									\
									\
void									\
ddi_put##bits(ddi_acc_handle_t h, uint##bits##_t *addr,		\
    uint##bits##_t v)							\
{									\
	fk_put##bits(FK_ACC(h), addr, v, "ddi_put" #bits);		\
}									\
									\
void									\
ddi_rep_get##bits(ddi_acc_handle_t h, uint##bits##_t *host,		\
    uint##bits##_t *dev, size_t count, uint_t flags)			\
{									\
	const fk_acc_t *ah = FK_ACC(h);					\
	size_t i;							\
									\
	for (i = 0; i < count; i++) {					\
		host[i] = fk_get##bits(ah, dev, "ddi_rep_get" #bits);	\
		if (flags == DDI_DEV_AUTOINCR)				\
			dev++;						\
	}								\
}									\
									\
void									\
ddi_rep_put##bits(ddi_acc_handle_t h, uint##bits##_t *host,		\
    uint##bits##_t *dev, size_t count, uint_t flags)			\
{									\
	const fk_acc_t *ah = FK_ACC(h);					\
	size_t i;							\
									\
	for (i = 0; i < count; i++) {					\
		fk_put##bits(ah, dev, host[i], "ddi_rep_put" #bits);	\
		if (flags == DDI_DEV_AUTOINCR)				\
			dev++;						\
	}								\
}

FK_ACC_FUNCS(8)
FK_ACC_FUNCS(16)
FK_ACC_FUNCS(32)
FK_ACC_FUNCS(64)

/*
 * DMA: ddi_dma_alloc_handle(9F), ddi_dma_mem_alloc(9F),
 * ddi_dma_addr_bind_handle(9F), ddi_dma_buf_bind_handle(9F),
 * ddi_dma_unbind_handle(9F), ddi_dma_sync(9F), ddi_dma_getwin(9F),
 * ddi_dma_cookie_iter(9F) and friends, after ddi_dma_attr(9S).
 *
 * Attributes
 * ----------
 * ddi_dma_alloc_handle() refuses, with DDI_DMA_BADATTR, what the illumos
 * x86 root nexus refuses: addr_hi <= addr_lo, seg or count_max below a
 * page minus one, seg not ending in 0xfff, granular 0 or above a page,
 * maxxfer below a page, sgllen 0.  A bind then honours every field:
 *   - addr_lo/addr_hi: memory with a byte outside the range is bounced
 *     into a copy buffer inside it (illumos's copy buffer), as is memory
 *     that is not DMA memory of the platform at all (a heap buffer);
 *   - cookies end where device addresses stop being contiguous, never
 *     cross a (seg + 1) boundary, and hold at most count_max + 1 bytes
 *     (and at most maxxfer), rounded down to a multiple of granular;
 *   - granular: every cookie but the last is a multiple of it (a buffer
 *     whose device address is not granular-aligned and that needs more
 *     than one cookie is bounced), and so is every window but the last;
 *   - sgllen and maxxfer bound a window's cookies and bytes: a bind that
 *     needs more fails with DDI_DMA_TOOBIG unless DDI_DMA_PARTIAL was
 *     given, when it returns DDI_DMA_PARTIAL_MAP with windows
 *     (ddi_dma_numwin, ddi_dma_getwin);
 *   - align: ddi_dma_mem_alloc memory's device address is aligned to
 *     max(align, minxfer) and its real_length rounded up to that, as on
 *     illumos x86; a bind takes the buffer where it is, as illumos's
 *     root nexus does (align constrains allocations, not binds).
 * ddi_dma_mem_alloc memory that would need more cookies than sgllen
 * fails.  A bind of a handle already bound returns DDI_DMA_INUSE;
 * ddi_dma_free_handle of a bound handle and ddi_dma_mem_free of bound
 * memory panic.  A bind callback other than DDI_DMA_SLEEP is treated as
 * DDI_DMA_DONTWAIT (no callback is ever scheduled).
 *
 * Strict DMA mode (fk_strict_dma)
 * -------------------------------
 * The CPU's and the device's views of DMA memory are separate copies, as
 * on a machine without DMA coherency: ddi_dma_mem_alloc gives the driver a
 * CPU copy while the device (and the cookies) see platform memory, and
 * every bind of other memory gets a device copy of its own (illumos's copy
 * buffer).  A third copy, the snapshot, holds each byte as last synced.
 * ddi_dma_sync(FORDEV) copies to the device the bytes of the range that
 * the CPU changed since (cpu != snapshot); FORCPU/FORKERNEL copies to the
 * CPU the bytes the device changed (device != snapshot) and reports a
 * conflict, where the CPU changed the same byte to something else, with a
 * "dma: " warning and fc_dma_conflicts (the device's value wins, as a
 * cache invalidate would have it).  Bytes are tracked one by one, not by
 * cache line, so fields the driver writes next to fields the device
 * writes sync correctly.  A bind with DDI_DMA_WRITE syncs FORDEV, an
 * unbind with DDI_DMA_READ syncs FORCPU (the implicit syncs of
 * ddi_dma_sync(9F)); changing windows syncs the old window FORCPU (READ)
 * and the new one FORDEV (WRITE).  A missing sync therefore leaves stale
 * data on one side.
 *
 * Without strict mode, ddi_dma_mem_alloc memory and bound DMA memory are
 * the device's memory itself (no copies); only bounced binds copy (whole
 * ranges, on bind, sync and unbind).  New ddi_dma_mem_alloc memory is
 * filled with 0xbaddcafe in both modes: it is not zeroed on illumos
 * either.
 *
 * Fault injection: FK_DMA_DROP_SYNC / fk_dma_drop_sync() make one
 * ddi_dma_sync call do nothing; FK_DMA_SYNC_LOG=1 logs every call with
 * its caller (see fk.h).
 */

#include <sys/types.h>
#include <sys/sunddi.h>
#include <sys/cmn_err.h>
#include <sys/buf.h>
#include <sys/sysmacros.h>
#include <stdlib.h>
#include <string.h>
#include <fk_impl.h>
#include <fk.h>
#include "fk_dev.h"

#define	FK_DMA_PAGE		4096UL
#define	FK_DMA_HDL_MAGIC	0x444d4148U	/* "DMAH" */
#define	FK_DMA_FILL		0xbaddcafeU

/*
 * A device copy of CPU memory: strict mode's separate views, or a bounce
 * (copy) buffer.  dv_snap is NULL for a plain bounce buffer.
 */
typedef struct fk_dma_view {
	caddr_t		dv_cpu;
	caddr_t		dv_dev;		/* platform DMA memory */
	uint8_t		*dv_snap;	/* strict: bytes as last synced */
	size_t		dv_len;
	size_t		dv_devlen;	/* for po_dma_free */
	fk_lock_t	dv_lock;
} fk_dma_view_t;

/* ddi_dma_mem_alloc memory; its access handle comes first. */
typedef struct fk_dma_mem {
	fk_acc_t	dm_acc;
	caddr_t		dm_kaddr;	/* what the driver got */
	size_t		dm_len;		/* real_length */
	caddr_t		dm_dev;		/* platform memory */
	size_t		dm_devlen;
	fk_dma_view_t	*dm_view;	/* strict: CPU and device copies */
	uint_t		dm_binds;	/* handles bound to it */
} fk_dma_mem_t;

typedef struct fk_dma_win {
	off_t		dw_off;
	size_t		dw_len;
	uint_t		dw_first;	/* into dh_cookies */
	uint_t		dw_ncookies;
} fk_dma_win_t;

typedef struct fk_dma_hdl {
	uint32_t	dh_magic;
	dev_info_t	*dh_dip;
	ddi_dma_attr_t	dh_attr;
	uint64_t	dh_maxcookie;	/* bytes in one cookie at most */
	uint64_t	dh_maxxfer;	/* bytes in one window at most */
	int		dh_bound;
	uint_t		dh_flags;
	caddr_t		dh_addr;	/* the object, driver's view */
	size_t		dh_len;
	fk_dma_mem_t	*dh_mem;	/* the object is in this memory */
	fk_dma_view_t	*dh_view;	/* device copy, or NULL */
	size_t		dh_viewoff;	/* the object's offset in it */
	int		dh_view_own;	/* a copy of this bind's own */
	ddi_dma_cookie_t *dh_cookies;
	uint_t		dh_ncookies;	/* all windows */
	uint_t		dh_cookies_cap;
	fk_dma_win_t	*dh_wins;
	uint_t		dh_nwins;
	uint_t		dh_wins_cap;
	uint_t		dh_curwin;
	uint_t		dh_curcookie;	/* ddi_dma_nextcookie's position */
} fk_dma_hdl_t;

/*
 * ddi_dma_mem_alloc memory by driver address, for binds to find: entries
 * sorted by start.  Every bind looks here, and most binds (buffers a
 * driver was handed) find nothing: that look takes no lock.  The table
 * changes under fk_dma_mem_lock inside a sequence count (odd while it
 * changes); a look reads the table and tries again if the count moved.
 * A table replaced by a bigger copy is kept (fk_dma_regs_old), so that a
 * look never reads freed memory.  Finding an entry, a bind takes the lock
 * to count itself (dm_binds).
 */
typedef struct fk_dma_reg {
	uintptr_t	dr_start;
	uintptr_t	dr_end;
	fk_dma_mem_t	*dr_dm;
} fk_dma_reg_t;

static fk_lock_t fk_dma_mem_lock = FK_LOCK_INIT;
static fk_dma_reg_t *fk_dma_regs;
static size_t fk_dma_nregs, fk_dma_regs_cap;
static volatile uint32_t fk_dma_regs_seq;
static fk_dma_reg_t **fk_dma_regs_old;
static size_t fk_dma_nregs_old;

/* Sync accounting and fault injection. */
static uint64_t fk_dma_drop_at;		/* 0: none */
static int fk_dma_log_syncs;
static fk_once_t fk_dma_env_once = FK_ONCE_INIT;

static void
fk_dma_env_init(void)
{
	const char *s;

	if ((s = getenv("FK_DMA_DROP_SYNC")) != NULL && *s != '\0')
		fk_dma_drop_at = strtoull(s, NULL, 0);
	if ((s = getenv("FK_DMA_SYNC_LOG")) != NULL && *s != '\0' &&
	    strcmp(s, "0") != 0)
		fk_dma_log_syncs = 1;
}

void
fk_dma_drop_sync(uint64_t n)
{
	fk_once(&fk_dma_env_once, fk_dma_env_init);
	__atomic_store_n(&fk_dma_drop_at, n == 0 ? 0 :
	    __atomic_load_n(&fk_counters.fc_dma_syncs, __ATOMIC_RELAXED) + n,
	    __ATOMIC_RELAXED);
}

uint64_t
fk_dma_sync_count(void)
{
	return (__atomic_load_n(&fk_counters.fc_dma_syncs, __ATOMIC_RELAXED));
}

void *
fk_dma_devmem(uint64_t addr, size_t len)
{
	if (FK_PLAT() == NULL)
		return (NULL);
	if (FK_PLAT()->po_dma_va == NULL)
		return ((void *)(uintptr_t)addr);
	return (FK_PLAT()->po_dma_va(addr, len));
}

static fk_dma_hdl_t *
fk_dma_hdl(ddi_dma_handle_t h, const char *op)
{
	fk_dma_hdl_t *dh = (fk_dma_hdl_t *)h;

	if (dh == NULL || dh->dh_magic != FK_DMA_HDL_MAGIC)
		panic("%s: %p is not a DMA handle", op, (void *)h);
	return (dh);
}

static const char *
fk_dma_owner(const fk_dma_hdl_t *dh, char *buf, size_t len)
{
	if (dh->dh_dip == NULL)
		(void) snprintf(buf, len, "(no node)");
	else if (ddi_get_instance(dh->dh_dip) >= 0 &&
	    ddi_driver_name(dh->dh_dip) != NULL)
		(void) snprintf(buf, len, "%s%d", ddi_driver_name(dh->dh_dip),
		    ddi_get_instance(dh->dh_dip));
	else
		(void) snprintf(buf, len, "%s", ddi_node_name(dh->dh_dip));
	return (buf);
}

static void
fk_dma_fill(void *p, size_t len)
{
	uint32_t pat = FK_DMA_FILL;
	size_t i;

	for (i = 0; i < len; i++)
		((uint8_t *)p)[i] = ((uint8_t *)&pat)[i & 3];
}

/*
 * The registry of ddi_dma_mem_alloc memory.
 */
static size_t
fk_dma_reg_upper(const fk_dma_reg_t *regs, size_t n, uintptr_t a)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (regs[mid].dr_start <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo);
}

static void
fk_dma_reg_change(int ending)
{
	if (!ending) {
		__atomic_store_n(&fk_dma_regs_seq, fk_dma_regs_seq + 1,
		    __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	} else {
		__atomic_store_n(&fk_dma_regs_seq, fk_dma_regs_seq + 1,
		    __ATOMIC_RELEASE);
	}
}

/* Room for one more entry (fk_dma_mem_lock held); 0 or -1. */
static int
fk_dma_reg_room(void)
{
	size_t cap = fk_dma_regs_cap == 0 ? 64 : fk_dma_regs_cap * 2;
	fk_dma_reg_t *n, **old;

	if (fk_dma_nregs < fk_dma_regs_cap)
		return (0);
	if ((n = malloc(cap * sizeof (*n))) == NULL)
		return (-1);
	if (fk_dma_regs != NULL) {
		if ((old = realloc(fk_dma_regs_old, (fk_dma_nregs_old + 1) *
		    sizeof (*old))) == NULL) {
			free(n);
			return (-1);
		}
		fk_dma_regs_old = old;
		fk_dma_regs_old[fk_dma_nregs_old++] = fk_dma_regs;
		(void) memcpy(n, fk_dma_regs, fk_dma_nregs * sizeof (*n));
	}
	__atomic_store_n(&fk_dma_regs, n, __ATOMIC_RELEASE);
	fk_dma_regs_cap = cap;
	return (0);
}

static int
fk_dma_mem_register(fk_dma_mem_t *dm)
{
	uintptr_t start = (uintptr_t)dm->dm_kaddr;
	size_t i;

	fk_lock_enter(&fk_dma_mem_lock);
	if (fk_dma_reg_room() != 0) {
		fk_lock_exit(&fk_dma_mem_lock);
		return (-1);
	}
	fk_dma_reg_change(0);
	i = fk_dma_reg_upper(fk_dma_regs, fk_dma_nregs, start);
	(void) memmove(&fk_dma_regs[i + 1], &fk_dma_regs[i],
	    (fk_dma_nregs - i) * sizeof (fk_dma_reg_t));
	fk_dma_regs[i].dr_start = start;
	fk_dma_regs[i].dr_end = start + dm->dm_len;
	fk_dma_regs[i].dr_dm = dm;
	fk_dma_nregs++;
	fk_dma_reg_change(1);
	fk_lock_exit(&fk_dma_mem_lock);
	return (0);
}

static void
fk_dma_mem_unregister(fk_dma_mem_t *dm)
{
	size_t i;

	fk_lock_enter(&fk_dma_mem_lock);
	i = fk_dma_reg_upper(fk_dma_regs, fk_dma_nregs,
	    (uintptr_t)dm->dm_kaddr);
	if (i > 0 && fk_dma_regs[i - 1].dr_dm == dm) {
		fk_dma_reg_change(0);
		(void) memmove(&fk_dma_regs[i - 1], &fk_dma_regs[i],
		    (fk_dma_nregs - i) * sizeof (fk_dma_reg_t));
		fk_dma_nregs--;
		fk_dma_reg_change(1);
	}
	fk_lock_exit(&fk_dma_mem_lock);
}

/* Whether [addr, addr + len) lies in registered memory: no lock. */
static int
fk_dma_mem_any(uintptr_t addr, size_t len)
{
	const fk_dma_reg_t *regs;
	uint32_t seq;
	size_t i;
	int in;

	do {
		while (((seq = __atomic_load_n(&fk_dma_regs_seq,
		    __ATOMIC_ACQUIRE)) & 1) != 0)
			;
		regs = __atomic_load_n(&fk_dma_regs, __ATOMIC_ACQUIRE);
		i = fk_dma_reg_upper(regs, __atomic_load_n(&fk_dma_nregs,
		    __ATOMIC_RELAXED), addr);
		in = i > 0 && addr < regs[i - 1].dr_end &&
		    len <= regs[i - 1].dr_end - addr;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while (__atomic_load_n(&fk_dma_regs_seq, __ATOMIC_RELAXED) != seq);
	return (in);
}

/* The memory holding [addr, addr + len), counted as bound; or NULL. */
static fk_dma_mem_t *
fk_dma_mem_hold(caddr_t addr, size_t len)
{
	fk_dma_mem_t *dm = NULL;
	size_t i;

	if (!fk_dma_mem_any((uintptr_t)addr, len))
		return (NULL);
	fk_lock_enter(&fk_dma_mem_lock);
	i = fk_dma_reg_upper(fk_dma_regs, fk_dma_nregs, (uintptr_t)addr);
	if (i > 0 && (uintptr_t)addr < fk_dma_regs[i - 1].dr_end &&
	    len <= fk_dma_regs[i - 1].dr_end - (uintptr_t)addr) {
		dm = fk_dma_regs[i - 1].dr_dm;
		dm->dm_binds++;
	}
	fk_lock_exit(&fk_dma_mem_lock);
	return (dm);
}

static void
fk_dma_mem_rele(fk_dma_mem_t *dm)
{
	fk_lock_enter(&fk_dma_mem_lock);
	dm->dm_binds--;
	fk_lock_exit(&fk_dma_mem_lock);
}

/*
 * Views: copies and per-byte syncs.
 */
static fk_dma_view_t *
fk_dma_view_new(caddr_t cpu, size_t len, const ddi_dma_attr_t *attr,
    int strict)
{
	fk_dma_view_t *dv;
	size_t align = attr->dma_attr_align > FK_DMA_PAGE &&
	    ISP2(attr->dma_attr_align) ? attr->dma_attr_align : FK_DMA_PAGE;

	if ((dv = calloc(1, sizeof (*dv))) == NULL)
		return (NULL);
	dv->dv_cpu = cpu;
	dv->dv_len = len;
	dv->dv_devlen = len;
	dv->dv_dev = FK_PLAT()->po_dma_alloc(len, align,
	    attr->dma_attr_addr_lo, attr->dma_attr_addr_hi);
	if (dv->dv_dev == NULL)
		goto fail;
	if (strict && (dv->dv_snap = malloc(len)) == NULL)
		goto fail;
	fk_lock_init(&dv->dv_lock);
	if (cpu != NULL) {
		(void) memcpy(dv->dv_dev, cpu, len);
		if (dv->dv_snap != NULL)
			(void) memcpy(dv->dv_snap, cpu, len);
	}
	return (dv);

fail:
	if (dv->dv_dev != NULL)
		FK_PLAT()->po_dma_free(dv->dv_dev, dv->dv_devlen);
	free(dv);
	return (NULL);
}

static void
fk_dma_view_free(fk_dma_view_t *dv)
{
	FK_PLAT()->po_dma_free(dv->dv_dev, dv->dv_devlen);
	free(dv->dv_snap);
	free(dv);
}

/* Bytes [off, off + len) the CPU changed go to the device. */
static void
fk_dma_view_fordev(fk_dma_view_t *dv, size_t off, size_t len)
{
	const uint8_t *cpu = (uint8_t *)dv->dv_cpu + off;
	uint8_t *dev = (uint8_t *)dv->dv_dev + off;
	uint8_t *snap;
	size_t i, j;

	if (dv->dv_snap == NULL) {
		(void) memcpy(dev, cpu, len);
		return;
	}
	snap = dv->dv_snap + off;
	for (i = 0; i < len; ) {
		if (len - i >= 64 && memcmp(cpu + i, snap + i, 64) == 0) {
			i += 64;
			continue;
		}
		if (cpu[i] == snap[i]) {
			i++;
			continue;
		}
		/* A run of changed bytes: only those are stored. */
		for (j = i; j < len && cpu[j] != snap[j]; j++)
			;
		(void) memcpy(dev + i, cpu + i, j - i);
		(void) memcpy(snap + i, cpu + i, j - i);
		i = j;
	}
}

typedef struct fk_dma_conflict {
	size_t		dc_count;
	size_t		dc_first;
	uint8_t		dc_cpu, dc_dev;
} fk_dma_conflict_t;

/* Bytes [off, off + len) the device changed go to the CPU. */
static void
fk_dma_view_forcpu(fk_dma_view_t *dv, size_t off, size_t len,
    fk_dma_conflict_t *dc)
{
	uint8_t *cpu = (uint8_t *)dv->dv_cpu + off;
	const volatile uint8_t *dev = (uint8_t *)dv->dv_dev + off;
	uint8_t *snap, d;
	size_t i;

	if (dv->dv_snap == NULL) {
		(void) memcpy(cpu, (const uint8_t *)dev, len);
		return;
	}
	snap = dv->dv_snap + off;
	for (i = 0; i < len; i++) {
		if (len - i >= 64 && (i & 7) == 0 &&
		    memcmp((const uint8_t *)dev + i, snap + i, 64) == 0) {
			i += 63;
			continue;
		}
		d = dev[i];
		if (d == snap[i])
			continue;
		if (cpu[i] != snap[i] && cpu[i] != d) {
			if (dc->dc_count++ == 0) {
				dc->dc_first = off + i;
				dc->dc_cpu = cpu[i];
				dc->dc_dev = d;
			}
		}
		cpu[i] = d;
		snap[i] = d;
	}
}

static void
fk_dma_view_sync(fk_dma_hdl_t *dh, size_t off, size_t len, uint_t type,
    void *caller)
{
	fk_dma_view_t *dv = dh->dh_view;
	fk_dma_conflict_t dc = { 0 };
	char who[64], sym[1][160];

	fk_lock_enter(&dv->dv_lock);
	if (type == DDI_DMA_SYNC_FORDEV)
		fk_dma_view_fordev(dv, dh->dh_viewoff + off, len);
	else
		fk_dma_view_forcpu(dv, dh->dh_viewoff + off, len, &dc);
	fk_lock_exit(&dv->dv_lock);
	if (dc.dc_count == 0)
		return;
	__atomic_fetch_add(&fk_counters.fc_dma_conflicts, 1, __ATOMIC_RELAXED);
	sym[0][0] = '\0';
	if (caller != NULL)
		fk_symbolize(&caller, 1, sym);
	cmn_err(CE_WARN, "dma: %s: ddi_dma_sync(%s) of [%#zx, %#zx) found %zu "
	    "byte(s) changed by both the CPU and the device since the last "
	    "sync, first at object offset %#zx (CPU %#x, device %#x; the "
	    "device's value is kept)%s%s", fk_dma_owner(dh, who, sizeof (who)),
	    type == DDI_DMA_SYNC_FORCPU ? "FORCPU" : "FORKERNEL", off,
	    off + len, dc.dc_count, dc.dc_first - dh->dh_viewoff, dc.dc_cpu,
	    dc.dc_dev, caller != NULL ? "; caller " : "", sym[0]);
}

/*
 * Handles.
 */
static int
fk_dma_attr_valid(const ddi_dma_attr_t *a)
{
	if (a->dma_attr_seg < FK_DMA_PAGE - 1 ||
	    a->dma_attr_count_max < FK_DMA_PAGE - 1 ||
	    a->dma_attr_granular == 0 || a->dma_attr_granular > FK_DMA_PAGE ||
	    a->dma_attr_maxxfer < FK_DMA_PAGE)
		return (0);
	if (a->dma_attr_addr_hi <= a->dma_attr_addr_lo)
		return (0);
	if ((a->dma_attr_seg & (FK_DMA_PAGE - 1)) != FK_DMA_PAGE - 1 ||
	    a->dma_attr_sgllen == 0)
		return (0);
	return (1);
}

static uint64_t
fk_dma_round_gran(uint64_t v, uint32_t gran)
{
	return (gran > 1 && v >= gran ? v - v % gran : v);
}

int
ddi_dma_alloc_handle(dev_info_t *dip, const ddi_dma_attr_t *attr,
    int (*waitfp)(caddr_t), caddr_t arg, ddi_dma_handle_t *handlep)
{
	fk_dma_hdl_t *dh;
	uint64_t cmax;

	(void) arg;
	if (attr == NULL || handlep == NULL)
		return (DDI_DMA_BADATTR);
	if (!fk_dma_attr_valid(attr))
		return (DDI_DMA_BADATTR);
	if (waitfp == DDI_DMA_SLEEP) {
		fk_assert_may_block("ddi_dma_alloc_handle(DDI_DMA_SLEEP)");
		dh = kmem_zalloc(sizeof (*dh), KM_SLEEP);
	} else if ((dh = kmem_zalloc(sizeof (*dh), KM_NOSLEEP)) == NULL) {
		return (DDI_DMA_NORESOURCES);
	}
	dh->dh_magic = FK_DMA_HDL_MAGIC;
	dh->dh_dip = dip;
	dh->dh_attr = *attr;
	cmax = attr->dma_attr_count_max + 1;
	if (cmax == 0)
		cmax = UINT64_MAX;
	dh->dh_maxxfer = fk_dma_round_gran(attr->dma_attr_maxxfer,
	    attr->dma_attr_granular);
	dh->dh_maxcookie = MIN(fk_dma_round_gran(cmax,
	    attr->dma_attr_granular), dh->dh_maxxfer);
	*handlep = (ddi_dma_handle_t)dh;
	return (DDI_SUCCESS);
}

void
ddi_dma_free_handle(ddi_dma_handle_t *handlep)
{
	fk_dma_hdl_t *dh;

	if (handlep == NULL || *handlep == NULL)
		return;
	dh = fk_dma_hdl(*handlep, "ddi_dma_free_handle");
	/*
	 * ddi_dma_free_handle(9F): unbind first.  illumos's root nexus
	 * ASSERTs it, so a DEBUG kernel panics; a non-DEBUG one frees the
	 * handle with its binding, which here is dropped first (the
	 * production configuration, FK_DEBUG=0).
	 */
	if (dh->dh_bound && FK_DEBUG_ON()) {
		panic("ddi_dma_free_handle: handle %p is still bound "
		    "(ddi_dma_unbind_handle first)", (void *)dh);
	}
	if (dh->dh_bound)
		(void) ddi_dma_unbind_handle(*handlep);
	free(dh->dh_cookies);
	free(dh->dh_wins);
	dh->dh_magic = 0;
	kmem_free(dh, sizeof (*dh));
	*handlep = NULL;
}

/*
 * Cookies.
 */
static int
fk_dma_cookie_add(fk_dma_hdl_t *dh, uint64_t addr, uint64_t size)
{
	if (dh->dh_ncookies == dh->dh_cookies_cap) {
		uint_t cap = dh->dh_cookies_cap == 0 ? 16 :
		    dh->dh_cookies_cap * 2;
		ddi_dma_cookie_t *n = realloc(dh->dh_cookies,
		    cap * sizeof (*n));

		if (n == NULL)
			return (-1);
		dh->dh_cookies = n;
		dh->dh_cookies_cap = cap;
	}
	(void) memset(&dh->dh_cookies[dh->dh_ncookies], 0,
	    sizeof (ddi_dma_cookie_t));
	dh->dh_cookies[dh->dh_ncookies].dmac_laddress = addr;
	dh->dh_cookies[dh->dh_ncookies].dmac_size = (size_t)size;
	dh->dh_ncookies++;
	return (0);
}

/* Splits one device-contiguous run at seg boundaries and maxcookie. */
static int
fk_dma_run_cookies(fk_dma_hdl_t *dh, uint64_t addr, uint64_t len)
{
	uint64_t seg = dh->dh_attr.dma_attr_seg, sz, toseg;

	while (len > 0) {
		sz = MIN(len, dh->dh_maxcookie);
		if (seg != UINT64_MAX) {
			toseg = (addr | seg) - addr + 1;
			sz = MIN(sz, toseg);
		}
		if (fk_dma_cookie_add(dh, addr, sz) != 0)
			return (-1);
		addr += sz;
		len -= sz;
	}
	return (0);
}

/*
 * The cookies of device memory [va, va + len): runs of contiguous device
 * addresses, each checked against [addr_lo, addr_hi].  -1 if a byte is
 * not DMA memory or outside the range (the caller bounces), -2 when out
 * of memory.
 */
static int
fk_dma_build_cookies(fk_dma_hdl_t *dh, caddr_t va, size_t len)
{
	uint64_t addr, runaddr = 0, runlen = 0;
	size_t off = 0, contig, n;

	dh->dh_ncookies = 0;
	while (off < len) {
		if (FK_PLAT()->po_dma_addr(va + off, &addr, &contig) != 0 ||
		    contig == 0)
			return (-1);
		n = MIN(contig, len - off);
		if (addr < dh->dh_attr.dma_attr_addr_lo ||
		    addr + n - 1 > dh->dh_attr.dma_attr_addr_hi ||
		    addr + n - 1 < addr)
			return (-1);
		if (runlen > 0 && runaddr + runlen == addr) {
			runlen += n;
		} else {
			if (runlen > 0 &&
			    fk_dma_run_cookies(dh, runaddr, runlen) != 0)
				return (-2);
			runaddr = addr;
			runlen = n;
		}
		off += n;
	}
	if (runlen > 0 && fk_dma_run_cookies(dh, runaddr, runlen) != 0)
		return (-2);
	return (0);
}

/* More than one cookie from a start that is not granular-aligned. */
static int
fk_dma_granular_bad(const fk_dma_hdl_t *dh)
{
	uint32_t g = dh->dh_attr.dma_attr_granular;
	uint_t i;

	if (g <= 1 || dh->dh_ncookies <= 1)
		return (0);
	for (i = 0; i + 1 < dh->dh_ncookies; i++) {
		if (dh->dh_cookies[i].dmac_size % g != 0)
			return (1);
	}
	return (0);
}

static int
fk_dma_win_add(fk_dma_hdl_t *dh, off_t off, uint_t first)
{
	if (dh->dh_nwins == dh->dh_wins_cap) {
		uint_t cap = dh->dh_wins_cap == 0 ? 4 : dh->dh_wins_cap * 2;
		fk_dma_win_t *n = realloc(dh->dh_wins, cap * sizeof (*n));

		if (n == NULL)
			return (-1);
		dh->dh_wins = n;
		dh->dh_wins_cap = cap;
	}
	dh->dh_wins[dh->dh_nwins].dw_off = off;
	dh->dh_wins[dh->dh_nwins].dw_len = 0;
	dh->dh_wins[dh->dh_nwins].dw_first = first;
	dh->dh_wins[dh->dh_nwins].dw_ncookies = 0;
	dh->dh_nwins++;
	return (0);
}

/* One window of every cookie: 0, or -1 when out of memory. */
static int
fk_dma_one_window(fk_dma_hdl_t *dh, size_t len)
{
	dh->dh_nwins = 0;
	if (fk_dma_win_add(dh, 0, 0) != 0)
		return (-1);
	dh->dh_wins[0].dw_len = len;
	dh->dh_wins[0].dw_ncookies = dh->dh_ncookies;
	return (0);
}

/*
 * The fast path of a bind: memory of the platform that is contiguous in
 * device space for len bytes, inside the attributes' range, and one
 * cookie by the attributes (seg, count_max, maxxfer) is one cookie and
 * one window, straight from the platform's translation; there is nothing
 * to split, bounce or check for granularity.  1 when it applied.
 */
static int
fk_dma_bind_one(fk_dma_hdl_t *dh, caddr_t va, size_t len)
{
	const ddi_dma_attr_t *a = &dh->dh_attr;
	uint64_t addr, last;
	size_t contig;

	if (FK_PLAT()->po_dma_addr(va, &addr, &contig) != 0 || contig < len ||
	    len > dh->dh_maxcookie)
		return (0);
	last = addr + len - 1;
	if (addr < a->dma_attr_addr_lo || last > a->dma_attr_addr_hi ||
	    last < addr || (addr | a->dma_attr_seg) != (last | a->dma_attr_seg))
		return (0);
	dh->dh_ncookies = 0;
	if (fk_dma_cookie_add(dh, addr, len) != 0)
		return (0);
	return (fk_dma_one_window(dh, len) == 0);
}

/*
 * Windows: at most sgllen cookies and maxxfer bytes each.  A cookie that
 * would overflow maxxfer is split (maxxfer and all full windows are
 * multiples of granular).  Rebuilds dh_cookies in window order, unless
 * the bind fits one window: then the cookies stay as built.
 */
static int
fk_dma_build_windows(fk_dma_hdl_t *dh, size_t len)
{
	ddi_dma_cookie_t *in = dh->dh_cookies, c;
	uint_t nin = dh->dh_ncookies, i;
	int sgl = dh->dh_attr.dma_attr_sgllen;
	fk_dma_win_t *w;
	off_t off = 0;
	int rv = -1;

	if ((sgl < 0 || nin <= (uint_t)sgl) && len <= dh->dh_maxxfer)
		return (fk_dma_one_window(dh, len));

	dh->dh_cookies = NULL;
	dh->dh_ncookies = dh->dh_cookies_cap = 0;
	dh->dh_nwins = 0;
	if (fk_dma_win_add(dh, 0, 0) != 0)
		goto out;
	for (i = 0; i < nin; ) {
		w = &dh->dh_wins[dh->dh_nwins - 1];
		c = in[i];
		if ((sgl > 0 && w->dw_ncookies == (uint_t)sgl) ||
		    w->dw_len == dh->dh_maxxfer) {
			if (fk_dma_win_add(dh, off, dh->dh_ncookies) != 0)
				goto out;
			continue;
		}
		if (w->dw_len + c.dmac_size > dh->dh_maxxfer) {
			c.dmac_size = (size_t)(dh->dh_maxxfer - w->dw_len);
			in[i].dmac_laddress += c.dmac_size;
			in[i].dmac_size -= c.dmac_size;
		} else {
			i++;
		}
		if (fk_dma_cookie_add(dh, c.dmac_laddress, c.dmac_size) != 0)
			goto out;
		w->dw_ncookies++;
		w->dw_len += c.dmac_size;
		off += (off_t)c.dmac_size;
	}
	rv = 0;
out:
	free(in);
	return (rv);
}

/*
 * Binding.
 */
static int
fk_dma_bind_common(fk_dma_hdl_t *dh, caddr_t addr, size_t len, uint_t flags,
    int (*waitfp)(caddr_t), ddi_dma_cookie_t *cookiep, uint_t *ccountp,
    const char *op)
{
	int strict = fk_strict_dma, rv, bounce = 0;
	fk_dma_mem_t *dm;
	fk_dma_view_t *dv = NULL;
	caddr_t devva;

	if (dh->dh_bound)
		return (DDI_DMA_INUSE);
	if (addr == NULL || len == 0)
		return (DDI_DMA_NOMAPPING);
	if (waitfp == DDI_DMA_SLEEP)
		fk_assert_may_block(op);
	if ((flags & DDI_DMA_RDWR) == 0)
		flags |= DDI_DMA_RDWR;

	dm = fk_dma_mem_hold(addr, len);
	dh->dh_mem = dm;
	dh->dh_view = NULL;
	dh->dh_view_own = 0;
	dh->dh_viewoff = 0;
	if (dm != NULL && dm->dm_view != NULL) {
		dh->dh_view = dm->dm_view;
		dh->dh_viewoff = (size_t)(addr - dm->dm_kaddr);
		devva = dm->dm_dev + dh->dh_viewoff;
	} else if (strict) {
		bounce = 1;
	} else {
		devva = addr;
	}
	if (!bounce && fk_dma_bind_one(dh, devva, len))
		goto bound;
	if (!bounce) {
		rv = fk_dma_build_cookies(dh, devva, len);
		if (rv == -2)
			goto noresources;
		bounce = rv != 0 || fk_dma_granular_bad(dh);
	}
	if (bounce) {
		/* The copy buffer, inside the attributes' range. */
		dv = fk_dma_view_new(addr, len, &dh->dh_attr, strict);
		if (dv == NULL)
			goto noresources;
		dh->dh_view = dv;
		dh->dh_view_own = 1;
		dh->dh_viewoff = 0;
		if (fk_dma_build_cookies(dh, dv->dv_dev, len) != 0)
			goto noresources;
	}
	if (fk_dma_build_windows(dh, len) != 0)
		goto noresources;
	if (dh->dh_nwins > 1 && (flags & DDI_DMA_PARTIAL) == 0) {
		rv = DDI_DMA_TOOBIG;
		goto fail;
	}

bound:
	dh->dh_bound = 1;
	dh->dh_flags = flags;
	dh->dh_addr = addr;
	dh->dh_len = len;
	dh->dh_curwin = 0;
	dh->dh_curcookie = 1;
	if (dh->dh_view != NULL && !dh->dh_view_own &&
	    (flags & DDI_DMA_WRITE) != 0)
		fk_dma_view_sync(dh, 0, len, DDI_DMA_SYNC_FORDEV, NULL);
	__atomic_fetch_add(&fk_counters.fc_dma_binds, 1, __ATOMIC_RELAXED);
	if (cookiep != NULL)
		*cookiep = dh->dh_cookies[0];
	if (ccountp != NULL)
		*ccountp = dh->dh_wins[0].dw_ncookies;
	return (dh->dh_nwins > 1 ? DDI_DMA_PARTIAL_MAP : DDI_DMA_MAPPED);

noresources:
	rv = DDI_DMA_NORESOURCES;
fail:
	if (dh->dh_view_own)
		fk_dma_view_free(dh->dh_view);
	dh->dh_view = NULL;
	dh->dh_view_own = 0;
	if (dm != NULL)
		fk_dma_mem_rele(dm);
	dh->dh_mem = NULL;
	dh->dh_ncookies = dh->dh_nwins = 0;
	return (rv);
}

int
ddi_dma_addr_bind_handle(ddi_dma_handle_t h, struct as *as, caddr_t addr,
    size_t len, uint_t flags, int (*waitfp)(caddr_t), caddr_t arg,
    ddi_dma_cookie_t *cookiep, uint_t *ccountp)
{
	(void) as;
	(void) arg;
	return (fk_dma_bind_common(fk_dma_hdl(h, "ddi_dma_addr_bind_handle"),
	    addr, len, flags, waitfp, cookiep, ccountp,
	    "ddi_dma_addr_bind_handle"));
}

int
ddi_dma_buf_bind_handle(ddi_dma_handle_t h, struct buf *bp, uint_t flags,
    int (*waitfp)(caddr_t), caddr_t arg, ddi_dma_cookie_t *cookiep,
    uint_t *ccountp)
{
	fk_dma_hdl_t *dh = fk_dma_hdl(h, "ddi_dma_buf_bind_handle");

	(void) arg;
	if (bp == NULL)
		return (DDI_DMA_NOMAPPING);
	if ((flags & DDI_DMA_RDWR) == 0) {
		flags |= (bp->b_flags & B_READ) != 0 ? DDI_DMA_READ :
		    DDI_DMA_WRITE;
	}
	return (fk_dma_bind_common(dh, bp->b_un.b_addr, bp->b_bcount, flags,
	    waitfp, cookiep, ccountp, "ddi_dma_buf_bind_handle"));
}

int
ddi_dma_unbind_handle(ddi_dma_handle_t h)
{
	fk_dma_hdl_t *dh = fk_dma_hdl(h, "ddi_dma_unbind_handle");

	if (!dh->dh_bound)
		return (DDI_FAILURE);
	if (dh->dh_view != NULL && (dh->dh_flags & DDI_DMA_READ) != 0)
		fk_dma_view_sync(dh, 0, dh->dh_len, DDI_DMA_SYNC_FORCPU, NULL);
	if (dh->dh_view_own)
		fk_dma_view_free(dh->dh_view);
	if (dh->dh_mem != NULL)
		fk_dma_mem_rele(dh->dh_mem);
	dh->dh_view = NULL;
	dh->dh_view_own = 0;
	dh->dh_mem = NULL;
	dh->dh_bound = 0;
	dh->dh_ncookies = dh->dh_nwins = 0;
	dh->dh_curwin = dh->dh_curcookie = 0;
	return (DDI_SUCCESS);
}

/*
 * ddi_dma_sync(9F).
 */
static void
fk_dma_sync_log(uint64_t n, const fk_dma_hdl_t *dh, off_t off, size_t len,
    uint_t type, void *caller, int dropped)
{
	char sym[1][160], who[64];

	fk_symbolize(&caller, 1, sym);
	cmn_err(CE_NOTE, "dma: sync #%llu %s %s off %#llx len %#zx%s, "
	    "caller %s",
	    (unsigned long long)n, fk_dma_owner(dh, who, sizeof (who)),
	    type == DDI_DMA_SYNC_FORDEV ? "FORDEV" :
	    type == DDI_DMA_SYNC_FORCPU ? "FORCPU" : "FORKERNEL",
	    (long long)off, len, dropped ? " DROPPED (FK_DMA_DROP_SYNC)" : "",
	    sym[0]);
}

int
ddi_dma_sync(ddi_dma_handle_t h, off_t off, size_t len, uint_t type)
{
	fk_dma_hdl_t *dh = fk_dma_hdl(h, "ddi_dma_sync");
	void *caller = __builtin_return_address(0);
	uint64_t n, drop;

	fk_once(&fk_dma_env_once, fk_dma_env_init);
	n = __atomic_add_fetch(&fk_counters.fc_dma_syncs, 1, __ATOMIC_RELAXED);
	drop = __atomic_load_n(&fk_dma_drop_at, __ATOMIC_RELAXED);
	if (fk_dma_log_syncs || n == drop)
		fk_dma_sync_log(n, dh, off, len, type, caller, n == drop);
	if (n == drop)
		return (DDI_SUCCESS);

	if (!dh->dh_bound || off < 0 || (size_t)off > dh->dh_len)
		return (DDI_FAILURE);
	if (type != DDI_DMA_SYNC_FORDEV && type != DDI_DMA_SYNC_FORCPU &&
	    type != DDI_DMA_SYNC_FORKERNEL)
		return (DDI_FAILURE);
	if (len == 0)
		len = dh->dh_len - (size_t)off;
	else if (len > dh->dh_len - (size_t)off)
		return (DDI_FAILURE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (dh->dh_view != NULL && len > 0)
		fk_dma_view_sync(dh, (size_t)off, len, type, caller);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return (DDI_SUCCESS);
}

/*
 * Windows and cookies.
 */
int
ddi_dma_numwin(ddi_dma_handle_t h, uint_t *nwinp)
{
	fk_dma_hdl_t *dh = fk_dma_hdl(h, "ddi_dma_numwin");

	if (!dh->dh_bound || nwinp == NULL)
		return (DDI_FAILURE);
	*nwinp = dh->dh_nwins;
	return (DDI_SUCCESS);
}

int
ddi_dma_getwin(ddi_dma_handle_t h, uint_t win, off_t *offp, size_t *lenp,
    ddi_dma_cookie_t *cookiep, uint_t *ccountp)
{
	fk_dma_hdl_t *dh = fk_dma_hdl(h, "ddi_dma_getwin");
	fk_dma_win_t *w;

	if (!dh->dh_bound || win >= dh->dh_nwins)
		return (DDI_FAILURE);
	if (win != dh->dh_curwin && dh->dh_view != NULL) {
		w = &dh->dh_wins[dh->dh_curwin];
		if ((dh->dh_flags & DDI_DMA_READ) != 0) {
			fk_dma_view_sync(dh, (size_t)w->dw_off, w->dw_len,
			    DDI_DMA_SYNC_FORCPU, NULL);
		}
		w = &dh->dh_wins[win];
		if ((dh->dh_flags & DDI_DMA_WRITE) != 0) {
			fk_dma_view_sync(dh, (size_t)w->dw_off, w->dw_len,
			    DDI_DMA_SYNC_FORDEV, NULL);
		}
	}
	w = &dh->dh_wins[win];
	dh->dh_curwin = win;
	dh->dh_curcookie = 1;
	if (offp != NULL)
		*offp = w->dw_off;
	if (lenp != NULL)
		*lenp = w->dw_len;
	if (cookiep != NULL)
		*cookiep = dh->dh_cookies[w->dw_first];
	if (ccountp != NULL)
		*ccountp = w->dw_ncookies;
	return (DDI_SUCCESS);
}

int
ddi_dma_ncookies(ddi_dma_handle_t h)
{
	fk_dma_hdl_t *dh = fk_dma_hdl(h, "ddi_dma_ncookies");

	return (dh->dh_bound ? (int)dh->dh_wins[dh->dh_curwin].dw_ncookies : 0);
}

const ddi_dma_cookie_t *
ddi_dma_cookie_get(ddi_dma_handle_t h, uint_t index)
{
	fk_dma_hdl_t *dh = fk_dma_hdl(h, "ddi_dma_cookie_get");
	const fk_dma_win_t *w;

	if (!dh->dh_bound)
		return (NULL);
	w = &dh->dh_wins[dh->dh_curwin];
	return (index < w->dw_ncookies ? &dh->dh_cookies[w->dw_first + index] :
	    NULL);
}

const ddi_dma_cookie_t *
ddi_dma_cookie_iter(ddi_dma_handle_t h, const ddi_dma_cookie_t *prev)
{
	fk_dma_hdl_t *dh = fk_dma_hdl(h, "ddi_dma_cookie_iter");
	const fk_dma_win_t *w;
	const ddi_dma_cookie_t *first;

	if (!dh->dh_bound)
		return (NULL);
	w = &dh->dh_wins[dh->dh_curwin];
	first = &dh->dh_cookies[w->dw_first];
	if (prev == NULL)
		return (first);
	if (prev < first || prev >= first + w->dw_ncookies)
		return (NULL);
	return (prev + 1 < first + w->dw_ncookies ? prev + 1 : NULL);
}

const ddi_dma_cookie_t *
ddi_dma_cookie_one(ddi_dma_handle_t h)
{
	fk_dma_hdl_t *dh = fk_dma_hdl(h, "ddi_dma_cookie_one");

	if (!dh->dh_bound || dh->dh_wins[dh->dh_curwin].dw_ncookies != 1) {
		panic("ddi_dma_cookie_one: handle %p has %u cookies, not one",
		    (void *)dh, ddi_dma_ncookies(h));
	}
	return (&dh->dh_cookies[dh->dh_wins[dh->dh_curwin].dw_first]);
}

void
ddi_dma_nextcookie(ddi_dma_handle_t h, ddi_dma_cookie_t *cookiep)
{
	fk_dma_hdl_t *dh = fk_dma_hdl(h, "ddi_dma_nextcookie");
	const fk_dma_win_t *w;

	if (!dh->dh_bound)
		panic("ddi_dma_nextcookie: handle %p is not bound", (void *)dh);
	w = &dh->dh_wins[dh->dh_curwin];
	if (dh->dh_curcookie >= w->dw_ncookies) {
		panic("ddi_dma_nextcookie: called more times than the %u "
		    "cookies of handle %p", w->dw_ncookies, (void *)dh);
	}
	*cookiep = dh->dh_cookies[w->dw_first + dh->dh_curcookie++];
}

/*
 * ddi_dma_mem_alloc(9F), ddi_dma_mem_free(9F).
 */

/*
 * Memory the device could not take in one bind with the handle's
 * attributes (more cookies than sgllen) is of no use to the driver.  The
 * cookies are counted in a scratch handle: dh may be bound.
 */
static int
fk_dma_mem_fits(const fk_dma_hdl_t *dh, caddr_t dev, size_t len)
{
	fk_dma_hdl_t tmp;
	int fits;

	(void) memset(&tmp, 0, sizeof (tmp));
	tmp.dh_attr = dh->dh_attr;
	tmp.dh_maxcookie = dh->dh_maxcookie;
	tmp.dh_maxxfer = dh->dh_maxxfer;
	fits = fk_dma_build_cookies(&tmp, dev, len) == 0 &&
	    (tmp.dh_attr.dma_attr_sgllen < 0 ||
	    tmp.dh_ncookies <= (uint_t)tmp.dh_attr.dma_attr_sgllen);
	free(tmp.dh_cookies);
	return (fits);
}

int
ddi_dma_mem_alloc(ddi_dma_handle_t h, size_t length,
    const ddi_device_acc_attr_t *accattrp, uint_t flags,
    int (*waitfp)(caddr_t),
    caddr_t arg, caddr_t *kaddrp, size_t *real_length,
    ddi_acc_handle_t *handlep)
{
	fk_dma_hdl_t *dh = fk_dma_hdl(h, "ddi_dma_mem_alloc");
	const ddi_dma_attr_t *a = &dh->dh_attr;
	fk_dma_mem_t *dm;
	uint64_t iomin;
	size_t len, cpualign;

	(void) flags;
	(void) arg;
	if (length == 0 || kaddrp == NULL || handlep == NULL ||
	    fk_acc_attr_check(accattrp) != 0)
		return (DDI_FAILURE);
	if (a->dma_attr_minxfer == 0 || a->dma_attr_align == 0 ||
	    !ISP2(a->dma_attr_align) || !ISP2(a->dma_attr_minxfer))
		return (DDI_FAILURE);
	if (waitfp == DDI_DMA_SLEEP)
		fk_assert_may_block("ddi_dma_mem_alloc(DDI_DMA_SLEEP)");
	iomin = MAX(a->dma_attr_minxfer, a->dma_attr_align);
	len = (size_t)P2ROUNDUP((uint64_t)length, iomin);

	if ((dm = calloc(1, sizeof (*dm))) == NULL)
		return (DDI_FAILURE);
	dm->dm_len = len;
	dm->dm_devlen = len;
	dm->dm_dev = FK_PLAT()->po_dma_alloc(len, (size_t)MAX(iomin, 16),
	    a->dma_attr_addr_lo, a->dma_attr_addr_hi);
	if (dm->dm_dev == NULL)
		goto fail;
	fk_dma_fill(dm->dm_dev, len);
	if (!fk_dma_mem_fits(dh, dm->dm_dev, len))
		goto fail;
	if (fk_strict_dma) {
		cpualign = MIN(MAX(iomin, 16), FK_DMA_PAGE);
		if ((dm->dm_view = calloc(1, sizeof (fk_dma_view_t))) == NULL ||
		    posix_memalign((void **)&dm->dm_view->dv_cpu, cpualign,
		    len) != 0 || (dm->dm_view->dv_snap = malloc(len)) == NULL)
			goto fail;
		dm->dm_view->dv_dev = dm->dm_dev;
		dm->dm_view->dv_len = len;
		dm->dm_view->dv_devlen = len;
		fk_lock_init(&dm->dm_view->dv_lock);
		(void) memcpy(dm->dm_view->dv_cpu, dm->dm_dev, len);
		(void) memcpy(dm->dm_view->dv_snap, dm->dm_dev, len);
		dm->dm_kaddr = dm->dm_view->dv_cpu;
	} else {
		dm->dm_kaddr = dm->dm_dev;
	}
	if (fk_dma_mem_register(dm) != 0)
		goto fail;
	dm->dm_acc.ah_kind = FK_ACC_MEM;
	dm->dm_acc.ah_dip = dh->dh_dip;
	dm->dm_acc.ah_base = dm->dm_kaddr;
	dm->dm_acc.ah_len = len;
	dm->dm_acc.ah_swap = accattrp->devacc_attr_endian_flags ==
	    DDI_STRUCTURE_BE_ACC;
	dm->dm_acc.ah_attr = *accattrp;
	dm->dm_acc.ah_private = dm;
	*kaddrp = dm->dm_kaddr;
	if (real_length != NULL)
		*real_length = len;
	*handlep = (ddi_acc_handle_t)&dm->dm_acc;
	return (DDI_SUCCESS);

fail:
	if (dm->dm_view != NULL) {
		free(dm->dm_view->dv_cpu);
		free(dm->dm_view->dv_snap);
		free(dm->dm_view);
	}
	if (dm->dm_dev != NULL)
		FK_PLAT()->po_dma_free(dm->dm_dev, dm->dm_devlen);
	free(dm);
	return (DDI_FAILURE);
}

void
ddi_dma_mem_free(ddi_acc_handle_t *handlep)
{
	fk_dma_mem_t *dm;

	if (handlep == NULL || *handlep == NULL)
		return;
	if (FK_ACC(*handlep)->ah_kind != FK_ACC_MEM)
		panic("ddi_dma_mem_free: %p is not a DMA memory handle",
		    (void *)*handlep);
	dm = FK_ACC(*handlep)->ah_private;
	fk_lock_enter(&fk_dma_mem_lock);
	if (dm->dm_binds != 0) {
		fk_lock_exit(&fk_dma_mem_lock);
		panic("ddi_dma_mem_free: memory %p is still bound by %u "
		    "handle(s) (ddi_dma_unbind_handle first)",
		    (void *)dm->dm_kaddr, dm->dm_binds);
	}
	fk_lock_exit(&fk_dma_mem_lock);
	fk_dma_mem_unregister(dm);
	dm->dm_acc.ah_kind = 0;
	if (dm->dm_view != NULL) {
		free(dm->dm_view->dv_cpu);
		free(dm->dm_view->dv_snap);
		free(dm->dm_view);
	}
	FK_PLAT()->po_dma_free(dm->dm_dev, dm->dm_devlen);
	free(dm);
	*handlep = NULL;
}

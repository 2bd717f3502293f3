/*
 * The "vfio" platform: real PCI functions bound to vfio-pci in the lab
 * guest, behind the guest's (emulated) IOMMU.
 *
 * Functions
 * ---------
 * The candidates (po_pci_probe) are the functions sysfs shows bound to
 * vfio-pci, in bus order, with the configuration header sysfs gives; the
 * fakekernel claims those its drivers' aliases match (po_pci_claim).  A
 * claimed function's IOMMU group joins the one VFIO container (type 1
 * v2); the first group sets the container's IOMMU up, and the DMA memory
 * pinned so far is mapped into it then.  Opening a function gets its
 * device descriptor, maps its memory BARs and sets memory space and bus
 * master enable in its command register, as the PCI nexus does before a
 * driver attaches (a device may drop its DMA without bus mastering;
 * QEMU's pvscsi, for one, does).  Configuration space is read and
 * written through the VFIO config region.  Interrupts (INTx, MSI, MSI-X)
 * are blocking eventfds given to VFIO_DEVICE_SET_IRQS (platform.c's
 * fk_plat_evvec_*); VFIO masks INTx when it fires, and po_intx_unmask()
 * unmasks it.  A vector's interrupt thread runs on the CPU Linux delivers
 * the vector's IRQ to (found in /proc/interrupts, where vfio-pci names
 * it after the function), as an illumos interrupt thread runs on the CPU
 * that took the interrupt: the IRQ handler's wake-up of the thread then
 * stays on that CPU, with no inter-processor interrupt to wake another.
 *
 * DMA memory
 * ----------
 * A device model may read and write some of its DMA at raw guest-physical
 * addresses, bypassing the IOMMU (QEMU's pvscsi does so for its
 * descriptors, S/G lists and sense buffers; only data buffers and its
 * rings-state page go through the IOMMU).  So every page of DMA memory is
 * pinned and mapped into the IOMMU at IOVA == its guest-physical address
 * (from /proc/self/pagemap), and a DMA cookie carries that address.  The
 * memory lives in the arena of arena.h, which also backs kmem
 * (po_kmem_alloc).  It comes in
 * chunks: 2 MiB hugetlb pages when the guest reserved some (MAP_HUGETLB),
 * else 4 KiB pages (MAP_LOCKED | MAP_POPULATE); each chunk is mapped once,
 * run by device-contiguous run, and its pagemap is read again after
 * pinning to make sure no page moved.  The arena starts at FK_ARENA_MB
 * (default 32) MiB and grows on demand up to FK_ARENA_MAX_MB (default
 * 1024) MiB.
 *
 * Memory below 4 GiB: in a guest with RAM above 4 GiB, Linux hands user
 * space memory from above 4 GiB first (zone Normal before DMA32), so a
 * request limited to 32-bit addresses (dma_attr_addr_hi 0xFFFFFFFF) may
 * find nothing in the arena.  The arena then grows with 4 KiB pages, and
 * if those are high too, it raises vm.nr_hugepages for a moment so that
 * the hugetlb pool absorbs zone Normal, takes its hugetlb pages (now
 * from below 4 GiB), and puts vm.nr_hugepages back.
 */

#include <sys/types.h>
#include <sys/cmn_err.h>
#include <sys/ddi_intr.h>
#include <sys/pci.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <errno.h>
#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/vfio.h>
#include <fk_impl.h>
#include "platform.h"
#include "arena.h"

#define	VFIO_MAXDEV		16
#define	VFIO_MAXCAND		32
#define	VFIO_MAXGROUP		16
#define	VFIO_MAXVEC		32
#define	VFIO_MAXCHUNK		128
#define	HUGE_SIZE		(2UL << 20)
#define	MIB			(1UL << 20)

typedef struct vfio_bar {
	void		*vb_va;		/* mmap of the region, or NULL */
	uint64_t	vb_size;
	uint64_t	vb_busaddr;
	uint32_t	vb_flags;	/* PCI_ADDR_*, PCI_REG_PF_M */
	int		vb_impl;
} vfio_bar_t;

struct fk_pdev {
	int		pd_index;
	char		pd_bdf[32];
	int		pd_groupfd;
	int		pd_refs;
	int		pd_devfd;
	uint64_t	pd_cfg_off;
	uint64_t	pd_cfg_size;
	vfio_bar_t	pd_bar[6];
	int		pd_irq_count[VFIO_PCI_NUM_IRQS];
	int		pd_irq_index;	/* enabled VFIO index, or -1 */
	int		pd_nvec;
	fk_plat_evvec_t	pd_vec[VFIO_MAXVEC];
};

/* Pinned memory, remembered so that it can be mapped for a first group. */
typedef struct vfio_chunk {
	char		*vc_va;
	size_t		vc_npages;
	uint64_t	*vc_pa;
} vfio_chunk_t;

static struct {
	fk_lock_t	v_lock;
	int		v_container;
	int		v_ngroups;
	int		v_groupno[VFIO_MAXGROUP];
	int		v_groupfd[VFIO_MAXGROUP];
	int		v_ncand;	/* candidates, sorted by name */
	char		v_cand[VFIO_MAXCAND][32];
	int		v_npdev;	/* claimed, in claim order */
	fk_pdev_t	v_pdev[VFIO_MAXDEV];
	int		v_nchunks;
	vfio_chunk_t	v_chunks[VFIO_MAXCHUNK];
	int		v_pagemap;
	size_t		v_arena_bytes;	/* mapped so far */
	size_t		v_arena_max;
	int		v_hugetlb_ok;	/* last hugetlb mmap worked */
} vf = {
	.v_lock = FK_LOCK_INIT,
	.v_container = -1,
	.v_pagemap = -1,
};

static size_t
vfio_env_mb(const char *name, size_t dflt)
{
	const char *s = getenv(name);
	char *end;
	unsigned long v;

	if (s == NULL || *s == '\0')
		return (dflt);
	v = strtoul(s, &end, 10);
	return (*end == '\0' && v > 0 ? v : dflt);
}

/*
 * Candidates: the functions bound to vfio-pci, in bus order.
 */
static int
vfio_bound_to_vfio(const char *bdf)
{
	char path[256], link[256];
	ssize_t n;
	const char *base;

	(void) snprintf(path, sizeof (path),
	    "/sys/bus/pci/devices/%.64s/driver", bdf);
	if ((n = readlink(path, link, sizeof (link) - 1)) < 0)
		return (0);
	link[n] = '\0';
	base = strrchr(link, '/');
	return (strcmp(base != NULL ? base + 1 : link, "vfio-pci") == 0);
}

static int
vfio_bdf_cmp(const void *a, const void *b)
{
	return (strcmp(a, b));
}

/* Rescans sysfs (v_lock held). */
static void
vfio_scan(void)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	if ((d = opendir("/sys/bus/pci/devices")) != NULL) {
		while ((de = readdir(d)) != NULL && n < VFIO_MAXCAND) {
			if (de->d_name[0] == '.' ||
			    !vfio_bound_to_vfio(de->d_name))
				continue;
			(void) snprintf(vf.v_cand[n++], 32, "%.31s",
			    de->d_name);
		}
		(void) closedir(d);
	}
	qsort(vf.v_cand, n, 32, vfio_bdf_cmp);
	vf.v_ncand = n;
}

/* Candidate i, its configuration header from sysfs; a scan at i == 0. */
static int
vfio_pci_probe(int i, fk_pci_cand_t *pc)
{
	char path[256];
	ssize_t n = -1;
	int fd, rv = -1;

	fk_lock_enter(&vf.v_lock);
	if (i == 0)
		vfio_scan();
	if (i >= 0 && i < vf.v_ncand) {
		(void) snprintf(pc->pc_name, sizeof (pc->pc_name), "%s",
		    vf.v_cand[i]);
		(void) snprintf(path, sizeof (path),
		    "/sys/bus/pci/devices/%.64s/config", vf.v_cand[i]);
		(void) memset(pc->pc_cfg, 0xff, sizeof (pc->pc_cfg));
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
			n = pread(fd, pc->pc_cfg, sizeof (pc->pc_cfg), 0);
			(void) close(fd);
		}
		rv = n >= 64 ? 0 : -1;
		if (rv != 0) {
			cmn_err(CE_WARN, "vfio: %s: cannot read its "
			    "configuration header from sysfs", vf.v_cand[i]);
		}
	}
	fk_lock_exit(&vf.v_lock);
	return (rv);
}

/*
 * Container and groups.
 */
static int vfio_map_chunks(void);

static int
vfio_group_of(const char *bdf)
{
	char path[256], link[256];
	const char *base;
	ssize_t n;

	(void) snprintf(path, sizeof (path),
	    "/sys/bus/pci/devices/%.64s/iommu_group", bdf);
	if ((n = readlink(path, link, sizeof (link) - 1)) < 0)
		return (-1);
	link[n] = '\0';
	base = strrchr(link, '/');
	return (atoi(base != NULL ? base + 1 : link));
}

static int
vfio_container_open(void)
{
	int fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		cmn_err(CE_WARN, "vfio: cannot open /dev/vfio/vfio: %s",
		    strerror(errno));
		return (-1);
	}
	if (ioctl(fd, VFIO_GET_API_VERSION) != VFIO_API_VERSION ||
	    ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) != 1) {
		cmn_err(CE_WARN, "vfio: no VFIO type 1 v2 IOMMU support");
		(void) close(fd);
		return (-1);
	}
	vf.v_container = fd;
	return (0);
}

/* Opens a function's group and adds it to the container (once). */
static int
vfio_group_add(const char *bdf)
{
	struct vfio_group_status gs = { .argsz = sizeof (gs) };
	char path[64];
	int g, i, fd;

	if ((g = vfio_group_of(bdf)) < 0) {
		cmn_err(CE_WARN, "vfio: %s has no IOMMU group", bdf);
		return (-1);
	}
	for (i = 0; i < vf.v_ngroups; i++) {
		if (vf.v_groupno[i] == g)
			return (vf.v_groupfd[i]);
	}
	if (vf.v_ngroups == VFIO_MAXGROUP)
		return (-1);
	(void) snprintf(path, sizeof (path), "/dev/vfio/%d", g);
	if ((fd = open(path, O_RDWR | O_CLOEXEC)) < 0) {
		cmn_err(CE_WARN, "vfio: cannot open %s for %s: %s", path, bdf,
		    strerror(errno));
		return (-1);
	}
	if (ioctl(fd, VFIO_GROUP_GET_STATUS, &gs) != 0 ||
	    (gs.flags & VFIO_GROUP_FLAGS_VIABLE) == 0) {
		cmn_err(CE_WARN, "vfio: group %d of %s is not viable (are all "
		    "its functions bound to vfio-pci?)", g, bdf);
		(void) close(fd);
		return (-1);
	}
	if (ioctl(fd, VFIO_GROUP_SET_CONTAINER, &vf.v_container) != 0) {
		cmn_err(CE_WARN, "vfio: group %d: SET_CONTAINER: %s", g,
		    strerror(errno));
		(void) close(fd);
		return (-1);
	}
	if (vf.v_ngroups == 0 &&
	    ioctl(vf.v_container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) != 0) {
		cmn_err(CE_WARN, "vfio: SET_IOMMU: %s", strerror(errno));
		(void) close(fd);
		return (-1);
	}
	vf.v_groupno[vf.v_ngroups] = g;
	vf.v_groupfd[vf.v_ngroups] = fd;
	if (vf.v_ngroups++ == 0 && vfio_map_chunks() != 0)
		return (-1);
	return (fd);
}

/*
 * Claim candidate i (v_lock held for the scan it comes from): the
 * container opens with the first claim, the function's group joins it.
 */
static int
vfio_pci_claim(int i)
{
	fk_pdev_t *pd;
	int k, rv = -1;

	fk_lock_enter(&vf.v_lock);
	if (i < 0 || i >= vf.v_ncand)
		goto out;
	for (k = 0; k < vf.v_npdev; k++) {
		if (strcmp(vf.v_pdev[k].pd_bdf, vf.v_cand[i]) == 0) {
			rv = k;
			goto out;
		}
	}
	if (vf.v_npdev == VFIO_MAXDEV) {
		cmn_err(CE_WARN, "vfio: %s: no room for more than %d functions",
		    vf.v_cand[i], VFIO_MAXDEV);
		goto out;
	}
	if (vf.v_container < 0 && vfio_container_open() != 0)
		goto out;
	pd = &vf.v_pdev[vf.v_npdev];
	(void) memset(pd, 0, sizeof (*pd));
	pd->pd_index = vf.v_npdev;
	pd->pd_devfd = -1;
	pd->pd_irq_index = -1;
	(void) strlcpy(pd->pd_bdf, vf.v_cand[i], sizeof (pd->pd_bdf));
	if ((pd->pd_groupfd = vfio_group_add(pd->pd_bdf)) < 0)
		goto out;
	rv = vf.v_npdev++;
out:
	fk_lock_exit(&vf.v_lock);
	return (rv);
}

/*
 * DMA memory.
 */
static int
vfio_pagemap(const char *va, size_t npages, uint64_t *pa)
{
	size_t i;
	uint64_t *ent;
	ssize_t want = (ssize_t)(npages * sizeof (uint64_t));

	if ((ent = malloc(want)) == NULL)
		return (-1);
	if (pread(vf.v_pagemap, ent, want,
	    (off_t)((uintptr_t)va / FK_ARENA_PAGE * sizeof (uint64_t))) !=
	    want) {
		free(ent);
		return (-1);
	}
	for (i = 0; i < npages; i++) {
		uint64_t pfn = ent[i] & ((1ULL << 55) - 1);

		if ((ent[i] & (1ULL << 63)) == 0 || pfn == 0) {
			free(ent);
			return (-1);
		}
		pa[i] = pfn * FK_ARENA_PAGE;
	}
	free(ent);
	return (0);
}

static int
vfio_map_dma(void *va, uint64_t iova, uint64_t len)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof (m),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)va,
		.iova = iova,
		.size = len,
	};

	if (vf.v_container < 0 || vf.v_ngroups == 0)
		return (0);		/* no device: pinned memory only */
	if (ioctl(vf.v_container, VFIO_IOMMU_MAP_DMA, &m) != 0) {
		cmn_err(CE_WARN, "vfio: MAP_DMA va %p iova %#llx len %#llx: %s",
		    va, (unsigned long long)iova, (unsigned long long)len,
		    strerror(errno));
		return (-1);
	}
	return (0);
}

static void
vfio_unmap_dma(uint64_t iova, uint64_t len)
{
	struct vfio_iommu_type1_dma_unmap u = {
		.argsz = sizeof (u),
		.iova = iova,
		.size = len,
	};

	if (vf.v_container >= 0 && vf.v_ngroups > 0)
		(void) ioctl(vf.v_container, VFIO_IOMMU_UNMAP_DMA, &u);
}

/* Undoes vfio_map_runs for the first npages pages. */
static void
vfio_unmap_runs(size_t npages, const uint64_t *pa)
{
	size_t i = 0, j;

	while (i < npages) {
		for (j = i + 1; j < npages &&
		    pa[j] == pa[j - 1] + FK_ARENA_PAGE; j++)
			;
		vfio_unmap_dma(pa[i], (j - i) * FK_ARENA_PAGE);
		i = j;
	}
}

/* Maps each device-contiguous run at IOVA == guest-physical address. */
static int
vfio_map_runs(char *va, size_t npages, const uint64_t *pa)
{
	size_t i = 0, j;

	while (i < npages) {
		for (j = i + 1; j < npages &&
		    pa[j] == pa[j - 1] + FK_ARENA_PAGE; j++)
			;
		if (vfio_map_dma(va + i * FK_ARENA_PAGE, pa[i],
		    (j - i) * FK_ARENA_PAGE) != 0) {
			vfio_unmap_runs(i, pa);
			return (-1);
		}
		i = j;
	}
	return (0);
}

/*
 * Chunks are never unmapped from the process: kmem may still free buffers
 * from them after fk_fini (see fk_arena_destroy); closing the container
 * unpins them.
 */
static void
vfio_chunk_release(void *va, size_t len, void *arg)
{
	(void) va;
	(void) len;
	(void) arg;
}

static size_t
vfio_count_in(const uint64_t *pa, size_t npages, uint64_t lo, uint64_t hi)
{
	size_t i, n = 0;

	for (i = 0; i < npages; i++) {
		if (pa[i] >= lo && pa[i] + FK_ARENA_PAGE - 1 <= hi)
			n++;
	}
	return (n);
}

/*
 * Maps a chunk's runs into the IOMMU (when a group is in the container)
 * and checks that no page moved meanwhile; v_lock held.
 */
static int
vfio_chunk_pin(char *va, size_t npages, const uint64_t *pa)
{
	uint64_t *now;
	int rv = 0;

	if (vf.v_container < 0 || vf.v_ngroups == 0)
		return (0);		/* no device yet: mapped at the first */
	if ((now = malloc(npages * sizeof (uint64_t))) == NULL ||
	    vfio_map_runs(va, npages, pa) != 0) {
		free(now);
		return (-1);
	}
	if (vfio_pagemap(va, npages, now) != 0 ||
	    memcmp(pa, now, npages * sizeof (uint64_t)) != 0) {
		cmn_err(CE_WARN, "vfio: pages moved while being pinned");
		vfio_unmap_runs(npages, pa);
		rv = -1;
	}
	free(now);
	return (rv);
}

/* The first group is in: map every chunk pinned so far (v_lock held). */
static int
vfio_map_chunks(void)
{
	int i;

	for (i = 0; i < vf.v_nchunks; i++) {
		vfio_chunk_t *vc = &vf.v_chunks[i];

		if (vfio_chunk_pin(vc->vc_va, vc->vc_npages, vc->vc_pa) != 0)
			return (-1);
	}
	return (0);
}

/*
 * Maps len bytes (hugetlb or 4 KiB pages), pins them in the IOMMU and
 * gives them to the arena.  With need > 0, the chunk is kept only if at
 * least need pages have device addresses within [lo, hi].  Returns 0 when
 * the chunk was added.
 */
static int
vfio_chunk_add(size_t len, int huge, uint64_t lo, uint64_t hi, size_t need)
{
	size_t npages = len / FK_ARENA_PAGE;
	uint64_t *pa = NULL;
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE | MAP_LOCKED;
	vfio_chunk_t *vc;
	char *va;

	if (vf.v_arena_bytes + len > vf.v_arena_max ||
	    vf.v_nchunks == VFIO_MAXCHUNK)
		return (-1);
	va = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    flags | (huge ? MAP_HUGETLB : 0), -1, 0);
	if (va == MAP_FAILED)
		return (-1);
	pa = malloc(npages * sizeof (uint64_t));
	if (pa == NULL || vfio_pagemap(va, npages, pa) != 0)
		goto fail;
	if (need > 0 && vfio_count_in(pa, npages, lo, hi) < need)
		goto fail;
	fk_lock_enter(&vf.v_lock);
	if (vfio_chunk_pin(va, npages, pa) != 0) {
		fk_lock_exit(&vf.v_lock);
		goto fail;
	}
	vc = &vf.v_chunks[vf.v_nchunks++];
	vc->vc_va = va;
	vc->vc_npages = npages;
	vc->vc_pa = pa;
	fk_lock_exit(&vf.v_lock);
	if (fk_arena_add(va, len, pa, vfio_chunk_release, NULL) != 0)
		return (-1);		/* pinned; kept, unused */
	vf.v_arena_bytes += len;
	cmn_err(CE_CONT, "!vfio: DMA arena +%zu MiB of %s pages (%zu of "
	    "%zu below 4 GiB)\n", len / MIB, huge ? "2 MiB" : "4 KiB",
	    vfio_count_in(pa, npages, 0, FK_ARENA_4G - 1), npages);
	return (0);

fail:
	free(pa);
	(void) munmap(va, len);
	return (-1);
}

static long
vfio_read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f != NULL) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		(void) fclose(f);
	}
	return (v);
}

static int
vfio_write_long(const char *path, long v)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (f == NULL)
		return (-1);
	ok = fprintf(f, "%ld\n", v) > 0;
	return (fclose(f) == 0 && ok ? 0 : -1);
}

/* Free pages of the zones Linux prefers to DMA32 (Normal, Movable). */
static long
vfio_high_zone_free(void)
{
	FILE *f = fopen("/proc/zoneinfo", "r");
	char line[256], zone[32] = "";
	long total = 0, v;

	if (f == NULL)
		return (-1);
	while (fgets(line, sizeof (line), f) != NULL) {
		if (sscanf(line, "Node %*d, zone %31s", zone) == 1)
			continue;
		if (sscanf(line, " pages free %ld", &v) == 1 &&
		    (strcmp(zone, "Normal") == 0 ||
		    strcmp(zone, "Movable") == 0))
			total += v;
	}
	(void) fclose(f);
	return (total);
}

/*
 * Memory below 4 GiB when Linux keeps handing out memory above it: the
 * hugetlb pool absorbs the high zones for a moment (see the top).
 */
static int
vfio_grow_low(size_t len, uint64_t lo, uint64_t hi)
{
	const char *nr = "/proc/sys/vm/nr_hugepages";
	long orig = vfio_read_long(nr), highfree = vfio_high_zone_free();
	size_t hlen = (len + HUGE_SIZE - 1) & ~(HUGE_SIZE - 1);
	int rc;

	if (orig < 0 || highfree <= 0)
		return (-1);
	if (vfio_write_long(nr, orig + highfree / 512 +
	    (long)(hlen / HUGE_SIZE) + 8) != 0)
		return (-1);
	rc = vfio_chunk_add(hlen, 1, lo, hi, hlen / FK_ARENA_PAGE);
	(void) vfio_write_long(nr, orig);
	cmn_err(CE_CONT, "!vfio: memory below 4 GiB through the hugetlb pool: "
	    "%s\n", rc == 0 ? "got it" : "failed");
	return (rc);
}

/*
 * The arena's grow function: a chunk of hugetlb pages, else of 4 KiB
 * pages; for a request limited to addresses below 4 GiB that neither
 * satisfies, the hugetlb pool trick.
 */
static int
vfio_grow(size_t bytes, uint64_t lo, uint64_t hi)
{
	size_t len = bytes < 16 * MIB ? 16 * MIB : bytes;
	size_t need = 0;

	len = (len + HUGE_SIZE - 1) & ~(HUGE_SIZE - 1);
	if (lo > 0 || hi < UINT64_MAX)
		need = (bytes + FK_ARENA_PAGE - 1) / FK_ARENA_PAGE;
	if (vf.v_hugetlb_ok && vfio_chunk_add(len, 1, lo, hi, need) == 0)
		return (0);
	if (vfio_chunk_add(len, 0, lo, hi, need) == 0)
		return (0);
	if (need > 0 && hi < FK_ARENA_4G)
		return (vfio_grow_low(bytes, lo, hi));
	return (-1);
}

static int
vfio_arena_init(void)
{
	size_t len = vfio_env_mb("FK_ARENA_MB", 32) * MIB;

	len = (len + HUGE_SIZE - 1) & ~(HUGE_SIZE - 1);
	vf.v_arena_max = vfio_env_mb("FK_ARENA_MAX_MB", 1024) * MIB;
	if (vf.v_arena_max < len)
		vf.v_arena_max = len;
	vf.v_arena_bytes = 0;
	vf.v_pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (vf.v_pagemap < 0) {
		cmn_err(CE_WARN, "vfio: cannot open /proc/self/pagemap: %s",
		    strerror(errno));
		return (-1);
	}
	vf.v_hugetlb_ok = vfio_chunk_add(len, 1, 0, UINT64_MAX, 0) == 0;
	if (!vf.v_hugetlb_ok && vfio_chunk_add(len, 0, 0, UINT64_MAX, 0) != 0) {
		cmn_err(CE_WARN, "vfio: cannot pin %zu MiB of DMA memory (is "
		    "this root?)", len / MIB);
		return (-1);
	}
	fk_arena_set_grow(vfio_grow);
	return (0);
}

/*
 * Backend operations.
 */
static void vfio_fini(void);

/* The DMA memory; functions come with claims. */
static int
vfio_init(void)
{
	if (vfio_arena_init() != 0) {
		vfio_fini();
		return (-1);
	}
	return (0);
}

static void vfio_pdev_shut(fk_pdev_t *);

static void
vfio_fini(void)
{
	int i;

	for (i = 0; i < vf.v_npdev; i++) {
		if (vf.v_pdev[i].pd_refs > 0)
			vfio_pdev_shut(&vf.v_pdev[i]);
		vf.v_pdev[i].pd_refs = 0;
	}
	fk_arena_destroy();
	for (i = 0; i < vf.v_nchunks; i++)
		free(vf.v_chunks[i].vc_pa);
	vf.v_nchunks = 0;
	for (i = 0; i < vf.v_ngroups; i++)
		(void) close(vf.v_groupfd[i]);
	vf.v_ngroups = 0;
	vf.v_npdev = 0;
	vf.v_ncand = 0;
	if (vf.v_container >= 0)
		(void) close(vf.v_container);
	vf.v_container = -1;
	if (vf.v_pagemap >= 0)
		(void) close(vf.v_pagemap);
	vf.v_pagemap = -1;
}

static int
vfio_pdev_count(void)
{
	return (vf.v_npdev);
}

static const char *
vfio_pdev_name(fk_pdev_t *pd)
{
	return (pd->pd_bdf);
}

static int
vfio_cfg_read(fk_pdev_t *pd, uint32_t off, void *buf, size_t len)
{
	if (len == 8) {
		return (vfio_cfg_read(pd, off, buf, 4) != 0 ||
		    vfio_cfg_read(pd, off + 4, (char *)buf + 4, 4) != 0 ?
		    -1 : 0);
	}
	if ((len != 1 && len != 2 && len != 4) || (off & (len - 1)) != 0 ||
	    off + len > pd->pd_cfg_size)
		return (-1);
	return (pread(pd->pd_devfd, buf, len, (off_t)(pd->pd_cfg_off + off)) ==
	    (ssize_t)len ? 0 : -1);
}

static int
vfio_cfg_write(fk_pdev_t *pd, uint32_t off, const void *buf, size_t len)
{
	if (len == 8) {
		return (vfio_cfg_write(pd, off, buf, 4) != 0 ||
		    vfio_cfg_write(pd, off + 4, (const char *)buf + 4, 4) !=
		    0 ? -1 : 0);
	}
	if ((len != 1 && len != 2 && len != 4) || (off & (len - 1)) != 0 ||
	    off + len > pd->pd_cfg_size)
		return (-1);
	return (pwrite(pd->pd_devfd, buf, len,
	    (off_t)(pd->pd_cfg_off + off)) == (ssize_t)len ? 0 : -1);
}

/* BAR n's type from its register, and its VFIO region. */
static void
vfio_bar_setup(fk_pdev_t *pd, int n, int *skip_next)
{
	struct vfio_region_info ri = { .argsz = sizeof (ri), .index = n };
	vfio_bar_t *b = &pd->pd_bar[n];
	uint32_t reg = 0, hi = 0;

	(void) memset(b, 0, sizeof (*b));
	if (*skip_next) {
		*skip_next = 0;
		return;
	}
	if (ioctl(pd->pd_devfd, VFIO_DEVICE_GET_REGION_INFO, &ri) != 0 ||
	    ri.size == 0)
		return;
	(void) vfio_cfg_read(pd, PCI_CONF_BASE0 + 4 * n, &reg, 4);
	b->vb_impl = 1;
	b->vb_size = ri.size;
	if ((reg & PCI_BASE_SPACE_M) == PCI_BASE_SPACE_IO) {
		b->vb_flags = PCI_ADDR_IO;
		b->vb_busaddr = reg & ~0x3U;
	} else {
		if ((reg & PCI_BASE_TYPE_M) == PCI_BASE_TYPE_ALL) {
			b->vb_flags = PCI_ADDR_MEM64;
			if (n < 5) {
				(void) vfio_cfg_read(pd,
				    PCI_CONF_BASE0 + 4 * (n + 1), &hi, 4);
			}
			*skip_next = 1;
		} else {
			b->vb_flags = PCI_ADDR_MEM32;
		}
		if ((reg & PCI_BASE_PREF_M) != 0)
			b->vb_flags |= PCI_REG_PF_M;
		b->vb_busaddr = ((uint64_t)hi << 32) | (reg & ~0xfU);
	}
	if ((ri.flags & VFIO_REGION_INFO_FLAG_MMAP) != 0) {
		b->vb_va = mmap(NULL, ri.size, PROT_READ | PROT_WRITE,
		    MAP_SHARED, pd->pd_devfd, (off_t)ri.offset);
		if (b->vb_va == MAP_FAILED)
			b->vb_va = NULL;
	}
}

static int
vfio_irq_info(fk_pdev_t *pd, int index)
{
	struct vfio_irq_info ii = { .argsz = sizeof (ii), .index = index };

	if (ioctl(pd->pd_devfd, VFIO_DEVICE_GET_IRQ_INFO, &ii) != 0)
		return (0);
	return ((int)ii.count);
}

static fk_pdev_t *
vfio_pdev_open(int i)
{
	struct vfio_device_info di = { .argsz = sizeof (di) };
	struct vfio_region_info cfg = {
		.argsz = sizeof (cfg),
		.index = VFIO_PCI_CONFIG_REGION_INDEX,
	};
	fk_pdev_t *pd;
	uint16_t cmd;
	int n, skip = 0, io = 0;

	if (i < 0 || i >= vf.v_npdev)
		return (NULL);
	pd = &vf.v_pdev[i];
	fk_lock_enter(&vf.v_lock);
	if (pd->pd_refs++ > 0) {
		fk_lock_exit(&vf.v_lock);
		return (pd);
	}
	pd->pd_devfd = ioctl(pd->pd_groupfd, VFIO_GROUP_GET_DEVICE_FD,
	    pd->pd_bdf);
	if (pd->pd_devfd < 0) {
		cmn_err(CE_WARN, "vfio: %s: GET_DEVICE_FD: %s", pd->pd_bdf,
		    strerror(errno));
		goto fail;
	}
	if (ioctl(pd->pd_devfd, VFIO_DEVICE_GET_INFO, &di) != 0 ||
	    (di.flags & VFIO_DEVICE_FLAGS_PCI) == 0 ||
	    ioctl(pd->pd_devfd, VFIO_DEVICE_GET_REGION_INFO, &cfg) != 0) {
		cmn_err(CE_WARN, "vfio: %s: not a VFIO PCI device", pd->pd_bdf);
		goto fail;
	}
	pd->pd_cfg_off = cfg.offset;
	pd->pd_cfg_size = cfg.size;
	for (n = 0; n < 6; n++) {
		vfio_bar_setup(pd, n, &skip);
		if (pd->pd_bar[n].vb_impl &&
		    (pd->pd_bar[n].vb_flags & PCI_REG_ADDR_M) == PCI_ADDR_IO)
			io = 1;
	}
	for (n = 0; n < VFIO_PCI_NUM_IRQS; n++) {
		pd->pd_irq_count[n] = n < (int)di.num_irqs ?
		    vfio_irq_info(pd, n) : 0;
	}
	/* Memory (and I/O) decoding and bus mastering, as the nexus sets. */
	if (vfio_cfg_read(pd, PCI_CONF_COMM, &cmd, 2) != 0)
		goto fail;
	cmd |= PCI_COMM_MAE | PCI_COMM_ME | (io ? PCI_COMM_IO : 0);
	if (vfio_cfg_write(pd, PCI_CONF_COMM, &cmd, 2) != 0)
		goto fail;
	fk_lock_exit(&vf.v_lock);
	return (pd);

fail:
	vfio_pdev_shut(pd);
	pd->pd_refs = 0;
	fk_lock_exit(&vf.v_lock);
	return (NULL);
}

static int vfio_intr_disable(fk_pdev_t *, int);

static void
vfio_pdev_shut(fk_pdev_t *pd)
{
	int n;

	if (pd->pd_irq_index >= 0)
		(void) vfio_intr_disable(pd, 0);
	for (n = 0; n < 6; n++) {
		if (pd->pd_bar[n].vb_va != NULL) {
			(void) munmap(pd->pd_bar[n].vb_va,
			    pd->pd_bar[n].vb_size);
		}
		pd->pd_bar[n].vb_va = NULL;
	}
	if (pd->pd_devfd >= 0)
		(void) close(pd->pd_devfd);
	pd->pd_devfd = -1;
}

static void
vfio_pdev_close(fk_pdev_t *pd)
{
	fk_lock_enter(&vf.v_lock);
	if (pd->pd_refs > 0 && --pd->pd_refs == 0)
		vfio_pdev_shut(pd);
	fk_lock_exit(&vf.v_lock);
}

static int
vfio_bar(fk_pdev_t *pd, int n, void **vap, uint64_t *sizep,
    uint64_t *busp, uint32_t *flagsp)
{
	vfio_bar_t *b;

	if (n < 0 || n >= 6 || !pd->pd_bar[n].vb_impl)
		return (-1);
	b = &pd->pd_bar[n];
	if (vap != NULL)
		*vap = b->vb_va;
	if (sizep != NULL)
		*sizep = b->vb_size;
	if (busp != NULL)
		*busp = b->vb_busaddr;
	if (flagsp != NULL)
		*flagsp = b->vb_flags;
	return (0);
}

static int
vfio_index_of(int type)
{
	switch (type) {
	case DDI_INTR_TYPE_FIXED:
		return (VFIO_PCI_INTX_IRQ_INDEX);
	case DDI_INTR_TYPE_MSI:
		return (VFIO_PCI_MSI_IRQ_INDEX);
	case DDI_INTR_TYPE_MSIX:
		return (VFIO_PCI_MSIX_IRQ_INDEX);
	default:
		return (-1);
	}
}

static int
vfio_intr_types(fk_pdev_t *pd)
{
	int types = 0;

	if (pd->pd_irq_count[VFIO_PCI_INTX_IRQ_INDEX] > 0)
		types |= DDI_INTR_TYPE_FIXED;
	if (pd->pd_irq_count[VFIO_PCI_MSI_IRQ_INDEX] > 0)
		types |= DDI_INTR_TYPE_MSI;
	if (pd->pd_irq_count[VFIO_PCI_MSIX_IRQ_INDEX] > 0)
		types |= DDI_INTR_TYPE_MSIX;
	return (types);
}

static int
vfio_intr_count(fk_pdev_t *pd, int type)
{
	int index = vfio_index_of(type);

	return (index < 0 ? 0 : pd->pd_irq_count[index]);
}

static int
vfio_intr_enable(fk_pdev_t *pd, int type, int n)
{
	char buf[sizeof (struct vfio_irq_set) + VFIO_MAXVEC * sizeof (int)];
	struct vfio_irq_set *s = (struct vfio_irq_set *)buf;
	int index = vfio_index_of(type), i, *fds;

	if (index < 0 || n < 1 || n > VFIO_MAXVEC ||
	    n > pd->pd_irq_count[index] || pd->pd_irq_index >= 0)
		return (-1);
	if (fk_plat_evvec_open(pd->pd_vec, n) != 0)
		return (-1);
	s->argsz = sizeof (*s) + n * sizeof (int);
	s->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	s->index = index;
	s->start = 0;
	s->count = n;
	fds = (int *)(void *)s->data;
	for (i = 0; i < n; i++)
		fds[i] = pd->pd_vec[i].ev_fd;
	if (ioctl(pd->pd_devfd, VFIO_DEVICE_SET_IRQS, s) != 0) {
		cmn_err(CE_WARN, "vfio: %s: SET_IRQS (index %d, %d vectors): "
		    "%s", pd->pd_bdf, index, n, strerror(errno));
		fk_plat_evvec_close(pd->pd_vec, n);
		return (-1);
	}
	pd->pd_irq_index = index;
	pd->pd_nvec = n;
	return (0);
}

static int
vfio_intr_disable(fk_pdev_t *pd, int type)
{
	struct vfio_irq_set s = {
		.argsz = sizeof (s),
		.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
		.start = 0,
		.count = 0,
	};

	(void) type;
	if (pd->pd_irq_index < 0)
		return (-1);
	s.index = pd->pd_irq_index;
	(void) ioctl(pd->pd_devfd, VFIO_DEVICE_SET_IRQS, &s);
	fk_plat_evvec_close(pd->pd_vec, pd->pd_nvec);
	pd->pd_nvec = 0;
	pd->pd_irq_index = -1;
	return (0);
}

/*
 * The CPU Linux delivers vector vec's IRQ to, from the IRQ vfio-pci
 * named after the function in /proc/interrupts; -1 if unknown.
 */
static int
vfio_irq_cpu(const fk_pdev_t *pd, int vec)
{
	char name[64], line[512], path[80];
	const char *aff[] = { "effective_affinity_list", "smp_affinity_list" };
	size_t n, k;
	int irq = -1, cpu = -1;
	FILE *f;

	if (pd->pd_irq_index == VFIO_PCI_INTX_IRQ_INDEX) {
		(void) snprintf(name, sizeof (name), "vfio-intx(%s)",
		    pd->pd_bdf);
	} else {
		(void) snprintf(name, sizeof (name), "vfio-%s[%d](%s)",
		    pd->pd_irq_index == VFIO_PCI_MSI_IRQ_INDEX ? "msi" : "msix",
		    vec, pd->pd_bdf);
	}
	if ((f = fopen("/proc/interrupts", "r")) == NULL)
		return (-1);
	while (irq < 0 && fgets(line, sizeof (line), f) != NULL) {
		n = strcspn(line, "\n");
		while (n > 0 && line[n - 1] == ' ')
			n--;
		line[n] = '\0';
		if (n >= strlen(name) && strcmp(line + n - strlen(name),
		    name) == 0 && sscanf(line, " %d:", &irq) != 1)
			irq = -1;
	}
	(void) fclose(f);
	for (k = 0; irq >= 0 && cpu < 0 && k < 2; k++) {
		(void) snprintf(path, sizeof (path), "/proc/irq/%d/%s", irq,
		    aff[k]);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fscanf(f, "%d", &cpu) != 1)
			cpu = -1;
		(void) fclose(f);
	}
	return (cpu);
}

/*
 * The interrupt thread's first wait binds it to the CPU its vector is
 * delivered to (see the top).
 */
static int
vfio_intr_wait(fk_pdev_t *pd, int vec)
{
	fk_plat_evvec_t *ev = &pd->pd_vec[vec];
	int cpu;

	if (!ev->ev_bound) {
		ev->ev_bound = 1;
		if ((cpu = vfio_irq_cpu(pd, vec)) >= 0)
			(void) fk_thread_bind_cpu(cpu);
	}
	return (fk_plat_evvec_wait(ev));
}

static int
vfio_intr_post(fk_pdev_t *pd, int vec, int what)
{
	return (fk_plat_evvec_post(&pd->pd_vec[vec], what));
}

static int
vfio_intx_unmask(fk_pdev_t *pd)
{
	struct vfio_irq_set s = {
		.argsz = sizeof (s),
		.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK,
		.index = VFIO_PCI_INTX_IRQ_INDEX,
		.start = 0,
		.count = 1,
	};

	return (ioctl(pd->pd_devfd, VFIO_DEVICE_SET_IRQS, &s) == 0 ? 0 : -1);
}

static void *
vfio_dma_alloc(size_t len, size_t align, uint64_t lo, uint64_t hi)
{
	return (fk_arena_alloc(len, align, lo, hi, FK_ARENA_TRYCONTIG));
}

static void
vfio_dma_free(void *va, size_t len)
{
	fk_arena_free(va, len);
}

static int
vfio_dma_addr(const void *va, uint64_t *addrp, size_t *contigp)
{
	return (fk_arena_addr(va, addrp, contigp));
}

static void *
vfio_dma_va(uint64_t addr, size_t len)
{
	return (fk_arena_va(addr, len));
}

const fk_plat_ops_t fk_plat_vfio = {
	.po_version = FK_PLAT_VERSION,
	.po_name = "vfio",
	.po_init = vfio_init,
	.po_fini = vfio_fini,
	.po_pci_probe = vfio_pci_probe,
	.po_pci_claim = vfio_pci_claim,
	.po_pdev_count = vfio_pdev_count,
	.po_pdev_open = vfio_pdev_open,
	.po_pdev_close = vfio_pdev_close,
	.po_pdev_name = vfio_pdev_name,
	.po_cfg_read = vfio_cfg_read,
	.po_cfg_write = vfio_cfg_write,
	.po_bar = vfio_bar,
	.po_intr_types = vfio_intr_types,
	.po_intr_count = vfio_intr_count,
	.po_intr_enable = vfio_intr_enable,
	.po_intr_disable = vfio_intr_disable,
	.po_intr_wait = vfio_intr_wait,
	.po_intr_post = vfio_intr_post,
	.po_intx_unmask = vfio_intx_unmask,
	.po_dma_alloc = vfio_dma_alloc,
	.po_dma_free = vfio_dma_free,
	.po_dma_addr = vfio_dma_addr,
	.po_dma_va = vfio_dma_va,
	.po_kmem_alloc = fk_arena_kmem_alloc,
	.po_kmem_free = fk_arena_kmem_free,
};

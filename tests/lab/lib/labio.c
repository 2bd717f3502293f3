/*
 * I/O and bookkeeping shared by the driver scenarios (see labio.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <dirent.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include <sys/sunddi.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/scsi/scsi.h>

#include "fk_impl.h"
#include "platform/arena.h"
#include "pvscsi.h"
#include "drv.h"
#include "devtap.h"
#include "labio.h"

/* The driver's tunable: request ring pages. */

#define	LIO_BLK		512

/*
 * Patterns: each 8-byte word of the disk is a hash of its index and the
 * seed.  Disk offsets are multiples of 512, so words never straddle.
 */
static uint64_t
lio_word(uint64_t idx, uint64_t seed)
{
	uint64_t z;

	if (seed == 0)
		return (0);
	z = idx * 0x9e3779b97f4a7c15ULL + seed;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31));
}

void
lio_fill(void *buf, size_t len, uint64_t off, uint64_t seed)
{
	uchar_t *p = buf;

	for (size_t i = 0; i < len; i += 8) {
		uint64_t w = lio_word((off + i) / 8, seed);

		(void) memcpy(p + i, &w, MIN(8, len - i));
	}
}

ssize_t
lio_verify(const void *buf, size_t len, uint64_t off, uint64_t seed)
{
	const uchar_t *p = buf;

	for (size_t i = 0; i < len; i += 8) {
		uint64_t w = lio_word((off + i) / 8, seed);
		size_t n = MIN(8, len - i);

		if (memcmp(p + i, &w, n) != 0) {
			for (size_t j = 0; j < n; j++) {
				if (p[i + j] != ((uchar_t *)&w)[j])
					return ((ssize_t)(i + j));
			}
		}
	}
	return (-1);
}

int
lio_image_read(int hba, int target, uint64_t off, void *buf, size_t len)
{
	const char *out = getenv("LAB_OUT");
	char path[512];
	ssize_t n;
	int fd, err = 0;

	(void) snprintf(path, sizeof (path), "%s/disk-%d-%d.img",
	    out != NULL ? out : ".", hba, target);
	if ((fd = open(path, O_RDONLY)) < 0)
		return (errno);
	n = pread(fd, buf, len, (off_t)off);
	if (n < 0)
		err = errno;
	else if ((size_t)n < len)
		(void) memset((char *)buf + n, 0, len - n);	/* sparse end */
	(void) close(fd);
	return (err);
}

int
lio_limits(fk_lun_t *lun, lio_limits_t *ll)
{
	struct scsi_device *sd = fk_scsi_lun_device(lun);
	struct scsi_address *ap;
	ddi_dma_attr_t *attr;
	uint_t req, cmp, msg;

	bzero(ll, sizeof (*ll));
	if (sd == NULL)
		return (ENXIO);
	ap = &sd->sd_address;
	attr = &ap->a_hba_tran->tran_dma_attr;
	ll->ll_dma_max = scsi_ifgetcap(ap, "dma-max", 0);
	ll->ll_maxxfer = attr->dma_attr_maxxfer;
	ll->ll_max = MIN(ll->ll_dma_max > 0 ? (size_t)ll->ll_dma_max :
	    64 * 1024, ll->ll_maxxfer);
	ll->ll_sgllen = attr->dma_attr_sgllen;
	ll->ll_granular = attr->dma_attr_granular;
	dt_ring_pages(&req, &cmp, &msg);
	ll->ll_ring = req * PVSCSI_REQS_PER_PAGE;
	return (0);
}

/*
 * Our own commands.
 */
typedef struct lio_wait {
	kmutex_t	lw_lock;
	kcondvar_t	lw_cv;
	uint_t		lw_done;
} lio_wait_t;

static void
lio_comp(struct scsi_pkt *pkt)
{
	lio_wait_t *w = *(lio_wait_t **)pkt->pkt_private;

	mutex_enter(&w->lw_lock);
	w->lw_done++;
	cv_broadcast(&w->lw_cv);
	mutex_exit(&w->lw_lock);
}

static void
lio_cdb16(uchar_t *c, int dir, uint64_t lba, uint32_t nblks)
{
	bzero(c, CDB_GROUP4);
	c[0] = dir == FK_SCSI_DIR_READ ? SCMD_READ_G4 : SCMD_WRITE_G4;
	for (int i = 0; i < 8; i++)
		c[2 + i] = (lba >> (56 - 8 * i)) & 0xff;
	for (int i = 0; i < 4; i++)
		c[10 + i] = (nblks >> (24 - 8 * i)) & 0xff;
}

static void
lio_note_cookies(struct scsi_pkt *pkt, lio_xfer_t *x)
{
	x->lx_cookies = MAX(x->lx_cookies, pkt->pkt_numcookies);
}

/*
 * Send the current window, wlen bytes at byte offset off of the transfer,
 * and wait for it; 0 or an errno.  The window is what scsi_init_pkt(9F)
 * mapped: as sd does, the caller takes it from pkt_resid (the bytes left
 * unmapped), never from the packet's private DMA fields.
 */
static int
lio_window(struct scsi_pkt *pkt, int dir, uint64_t lba, size_t off,
    size_t wlen, uint_t flags, lio_wait_t *w, lio_xfer_t *x)
{
	hrtime_t end;
	uint_t want;
	int rv;

	if (wlen == 0 || wlen % LIO_BLK != 0) {
		x->lx_badwin = wlen;
		return (EINVAL);
	}
	lio_note_cookies(pkt, x);
	lio_cdb16(pkt->pkt_cdbp, dir, lba + off / LIO_BLK,
	    (uint32_t)(wlen / LIO_BLK));
	pkt->pkt_time = 30;
	pkt->pkt_flags = flags;
	pkt->pkt_comp = (flags & FLAG_NOINTR) ? NULL : lio_comp;
	mutex_enter(&w->lw_lock);
	want = w->lw_done + 1;
	mutex_exit(&w->lw_lock);
	x->lx_windows++;
	for (int tries = 1; (rv = scsi_transport(pkt)) == TRAN_BUSY &&
	    tries < LIO_BUSY_TRIES; tries++) {
		x->lx_busy++;
		drv_usecwait(10000);
	}
	x->lx_tran = rv;
	if (rv != TRAN_ACCEPT)
		return (rv == TRAN_BADPKT ? EINVAL : EIO);
	if (!(flags & FLAG_NOINTR)) {
		end = gethrtime() + SEC2NSEC(90);
		mutex_enter(&w->lw_lock);
		while (w->lw_done < want && gethrtime() < end) {
			(void) cv_reltimedwait(&w->lw_cv, &w->lw_lock,
			    drv_usectohz(100000), TR_CLOCK_TICK);
		}
		x->lx_comps = w->lw_done;
		mutex_exit(&w->lw_lock);
		if (x->lx_comps < want)
			return (ETIMEDOUT);
	}
	x->lx_reason = pkt->pkt_reason;
	x->lx_status = pkt->pkt_scbp != NULL ? *pkt->pkt_scbp : 0;
	x->lx_resid = pkt->pkt_resid;
	return (pkt->pkt_reason == CMD_CMPLT &&
	    (x->lx_status & STATUS_MASK) == STATUS_GOOD &&
	    pkt->pkt_resid == 0 ? 0 : EIO);
}

int
lio_rw(fk_lun_t *lun, int dir, uint64_t lba, void *buf, size_t len,
    uint_t flags, int partial, lio_xfer_t *x)
{
	struct scsi_device *sd = fk_scsi_lun_device(lun);
	struct scsi_address *ap;
	struct scsi_pkt *pkt;
	struct buf b;
	lio_wait_t w;
	int rv;

	bzero(x, sizeof (*x));
	if (sd == NULL)
		return (ENXIO);
	ap = &sd->sd_address;
	bioinit(&b);
	b.b_un.b_addr = buf;
	b.b_bcount = len;
	b.b_flags = B_BUSY | (dir == FK_SCSI_DIR_READ ? B_READ : B_WRITE);
	pkt = scsi_init_pkt(ap, NULL, &b, CDB_GROUP4,
	    sizeof (struct scsi_arq_status), sizeof (lio_wait_t *),
	    partial ? PKT_DMA_PARTIAL : 0, SLEEP_FUNC, NULL);
	if (pkt == NULL)
		return (EINVAL);
	mutex_init(&w.lw_lock, NULL, MUTEX_DRIVER, NULL);
	cv_init(&w.lw_cv, NULL, CV_DRIVER, NULL);
	w.lw_done = 0;
	*(lio_wait_t **)pkt->pkt_private = &w;
	for (size_t done = 0; ; ) {
		/* pkt_resid: what this window left unmapped (scsi_init_pkt) */
		size_t unmapped = MIN((size_t)pkt->pkt_resid, len - done);
		size_t wlen = len - done - unmapped;

		if ((rv = lio_window(pkt, dir, lba, done, wlen, flags, &w,
		    x)) != 0)
			break;
		if ((done += wlen) >= len)
			break;
		if (scsi_init_pkt(ap, pkt, &b, 0, 0, 0, 0, SLEEP_FUNC,
		    NULL) == NULL) {
			rv = EIO;
			break;
		}
	}
	if (rv != ETIMEDOUT) {
		/* A packet still in transport must not be destroyed. */
		scsi_destroy_pkt(pkt);
		mutex_destroy(&w.lw_lock);
		cv_destroy(&w.lw_cv);
	}
	return (rv);
}

/*
 * Interrupts.
 */
const char *
lio_hba_bdf(int i)
{
	static char bdf[16][32];
	const char *s = getenv("LAB_PVSCSI");

	if (s == NULL || i < 0 || i >= 16)
		return (NULL);
	for (int k = 0; *s != '\0'; k++) {
		size_t n;

		while (*s == ' ')
			s++;
		n = strcspn(s, " ");
		if (n == 0)
			break;
		if (k == i) {
			(void) snprintf(bdf[i], sizeof (bdf[i]), "%.*s",
			    (int)n, s);
			return (bdf[i]);
		}
		s += n;
	}
	return (NULL);
}

/*
 * A VFIO vector reads "  NN:  c0  c1 ...  chip  hwirq  vfio-msi[0](bdf)"
 * (or vfio-msix[i], vfio-intx).
 */
const char *
lio_intr_seen(const char *bdf, uint64_t *countp)
{
	char line[512], name[64];
	const char *type = "";
	FILE *f = fopen("/proc/interrupts", "r");

	*countp = 0;
	if (f == NULL || bdf == NULL) {
		if (f != NULL)
			(void) fclose(f);
		return (type);
	}
	(void) snprintf(name, sizeof (name), "(%s)", bdf);
	while (fgets(line, sizeof (line), f) != NULL) {
		char *p = strchr(line, ':'), *end;

		if (p == NULL || strstr(line, name) == NULL ||
		    strstr(line, "vfio-") == NULL)
			continue;
		if (strstr(line, "vfio-msix") != NULL)
			type = "msix";
		else if (strstr(line, "vfio-msi") != NULL)
			type = "msi";
		else if (strstr(line, "vfio-intx") != NULL)
			type = "intx";
		for (p++; ; p = end) {
			unsigned long long v = strtoull(p, &end, 10);

			if (end == p)
				break;
			*countp += v;
		}
	}
	(void) fclose(f);
	return (type);
}

const char *
lio_intr_expected(void)
{
	const char *s = getenv("FK_INTR");

	if (s != NULL && strcmp(s, "fixed") == 0)
		return ("intx");
	if (s != NULL && strcmp(s, "msix") == 0)
		return ("msix");
	return ("msi");
}

/*
 * Resources.
 */
static int
lio_count_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return (-1);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] != '.')
			n++;
	}
	(void) closedir(d);
	return (n);
}

/*
 * Threads and fds as /proc lists them, once the lists settle: a thread
 * whose end pthread_join() has already seen can still be listed for a
 * while (the kernel wakes the joiner before it removes the task; under
 * emulation, long enough to be seen).  So read every LIO_RES_STEP_MS
 * until LIO_RES_STEADY reads in a row agree, for LIO_RES_WAIT_MS at
 * most; a count that stays higher is what the caller gets.
 */
#define	LIO_RES_STEP_MS		10
#define	LIO_RES_WAIT_MS		2000
#define	LIO_RES_STEADY		5

static void
lio_res_proc(lio_res_t *r)
{
	int threads, fds, agree = 1, ms;

	r->lr_threads = lio_count_dir("/proc/self/task");
	r->lr_fds = lio_count_dir("/proc/self/fd") - 1;	/* opendir's */
	for (ms = 0; agree < LIO_RES_STEADY && ms < LIO_RES_WAIT_MS;
	    ms += LIO_RES_STEP_MS) {
		(void) usleep(LIO_RES_STEP_MS * 1000);
		threads = lio_count_dir("/proc/self/task");
		fds = lio_count_dir("/proc/self/fd") - 1;
		if (threads == r->lr_threads && fds == r->lr_fds) {
			agree++;
			continue;
		}
		r->lr_threads = threads;
		r->lr_fds = fds;
		agree = 1;
	}
}

void
lio_res_get(lio_res_t *r)
{
	fk_counters_t c;
	size_t total = 0, nfree = 0;

	fk_kmem_reap();
	fk_counters_get(&c);
	fk_arena_stats(0, UINT64_MAX, &total, &nfree);
	r->lr_kmem_bytes = c.fc_kmem_bytes;
	r->lr_kmem_bufs = (int64_t)(c.fc_kmem_allocs - c.fc_kmem_frees);
	r->lr_arena_used = total - nfree;
	lio_res_proc(r);
}

void
lio_scatter_memory(void)
{
	size_t len = 96UL << 20;
	char *p;

	(void) prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED)
		return;
	for (size_t off = 0; off < len; off += 2 * PAGESIZE)
		(void) madvise(p + off, PAGESIZE, MADV_DONTNEED);
}

double
lio_now(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

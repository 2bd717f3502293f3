/*
 * SCSA packets for tran_setup_pkt(9E) HBAs: scsi_init_pkt(9F),
 * scsi_destroy_pkt(9F), scsi_transport(9F), scsi_hba_pkt_comp(9F),
 * scsi_poll(9F), scsi_sync_pkt(9F), scsi_dmafree(9F), consistent buffers
 * and the sense-data helpers.
 *
 * Layout.  Each HBA tran gets a kmem cache whose objects are
 *
 *	[ fk_pkt_t (scsi_pkt first) ][ tran_hba_len ][ CDB 16 ][ private 8 ]
 *	[ status sizeof (struct scsi_arq_status) ][ cookie slots ]
 *
 * (each part 16-byte aligned).  The constructor points pkt_ha_private,
 * pkt_cdbp (SCSI_HBA_TRAN_CDB), pkt_private and pkt_scbp
 * (SCSI_HBA_TRAN_SCB) at their parts, sets the lengths, allocates the
 * packet's DMA handle with the HBA's attributes, and then calls
 * tran_pkt_constructor; the destructor undoes it.  Larger CDB, private
 * or status areas than the defaults are allocated per packet.
 *
 * scsi_init_pkt follows illumos's order: a new packet is set up by
 * tran_setup_pkt first, then the data is bound (so an HBA must look at
 * pkt_cookies in tran_start, as tran_setup_pkt(9E) says).  Unlike
 * illumos, a bind failure unwinds the new packet (tran_teardown_pkt,
 * back to the cache) rather than leaking it.
 *
 * Strictness.  Each packet has a state (free, idle, in transport,
 * completing, done) and these panic with a report naming the packet:
 * scsi_hba_pkt_comp of a packet completed already ("completed twice"),
 * never started, or destroyed; scsi_hba_pkt_comp of a FLAG_NOINTR packet
 * (tran_start completes those); scsi_transport of a packet already in
 * transport; scsi_destroy_pkt of a packet in transport or destroyed
 * already ("destroyed twice"); a bind with more cookies than the HBA's
 * dma_attr_sgllen.
 *
 * Completion.  scsi_hba_pkt_comp syncs the data of a READ for the CPU,
 * notices REPORTED LUNS DATA HAS CHANGED (unit attention 3Fh/0Eh in the
 * auto-request-sense data) and has the target map rescan the target, and
 * calls pkt_comp directly or from a framework completion thread (see
 * fk_scsi_comp_mode in fk_scsi.h).
 */

#include <sys/scsi/scsi.h>
#include <sys/cmn_err.h>
#include <sys/debug.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <fk_impl.h>
#include <fk.h>
#include <fk_scsi.h>
#include "scsa_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define	FK_PKT_MAGIC		0x504b5453u	/* "STKP" */
#define	FK_PKT_DEAD		0x64656164u

#define	DEFAULT_CDBLEN		16
#define	DEFAULT_PRIVLEN		8
#define	DEFAULT_SCBLEN		(sizeof (struct scsi_arq_status))
#define	FK_INLINE_COOKIES	16
#define	FK_ALIGN(x)		P2ROUNDUP((x), 16)

/* Packet states. */
#define	FP_FREE		0	/* in the cache */
#define	FP_IDLE		1	/* allocated, never started */
#define	FP_STARTED	2	/* handed to tran_start */
#define	FP_COMPLETING	3	/* completed, pkt_comp pending */
#define	FP_DONE		4	/* completed */

/* fp_flags */
#define	FPF_EXT_CDB	0x01
#define	FPF_EXT_PRIV	0x02
#define	FPF_EXT_SCB	0x04
#define	FPF_BOUND	0x08
#define	FPF_EXT_COOKIE	0x10

typedef struct fk_pkt {
	struct scsi_pkt	fp_pkt;		/* first */
	uint32_t	fp_magic;
	uint32_t	fp_state;	/* FP_*, atomic */
	fk_pktcache_t	*fp_pc;
	fk_lun_t	*fp_lun;
	struct buf	*fp_bp;
	uint_t		fp_flags;
	uint_t		fp_nwin;
	uint_t		fp_curwin;	/* next window to load */
	size_t		fp_xfer;	/* bytes covered by windows so far */
	ddi_dma_cookie_t *fp_cookies;	/* inline slots */
	ddi_dma_cookie_t *fp_ext;	/* when more cookies than slots */
	uint_t		fp_next_n;
	struct fk_pkt	*fp_next;	/* completion queue */
	hrtime_t	fp_start;	/* scsi_transport */
	hrtime_t	fp_stop;	/* completion */
} fk_pkt_t;

static const char *fk_pkt_state_name[] = {
	"free", "idle", "in transport", "completing", "done"
};

/*
 * Completion delivery.
 */
static int fk_comp_mode = -1;
static uint32_t fk_comp_flip;
static kmutex_t fk_compq_lock;
static kcondvar_t fk_compq_cv;
static fk_pkt_t *fk_compq_head, *fk_compq_tail;
static int fk_compq_started;
static int fk_compq_atfork;
static fk_lock_t fk_compq_start_lock = FK_LOCK_INIT;
static __thread int fk_in_comp;		/* running a pkt_comp */

#define	FK_COMP_THREADS	2

fk_scsi_stats_t fk_scsa_stats;

static void *fk_comp_thread(void *);

/*
 * A fork()ed child (a death test) has none of the completion threads:
 * it starts its own on its first deferred completion; completions queued
 * at the fork are the parent's.
 */
static void
fk_compq_child(void)
{
	fk_compq_started = 0;
	fk_compq_head = fk_compq_tail = NULL;
	fk_lock_init(&fk_compq_start_lock);
}

/*
 * The completion threads: started with the first HBA's registration
 * (scsi_hba_attach_setup), as illumos's framework threads exist before
 * any driver uses them, so that none appears later, in the middle of a
 * driver's life (where a count of threads would call it a leak).
 */
void
fk_compq_start(void)
{
	char name[32];
	int i;

	fk_lock_enter(&fk_compq_start_lock);
	if (!fk_compq_started) {
		if (!fk_compq_atfork) {
			fk_atfork(NULL, NULL, fk_compq_child);
			fk_compq_atfork = 1;
		}
		mutex_init(&fk_compq_lock, "scsa completion queue",
		    MUTEX_DRIVER, (void *)(uintptr_t)DDI_IPL_10);
		cv_init(&fk_compq_cv, NULL, CV_DRIVER, NULL);
		for (i = 0; i < FK_COMP_THREADS; i++) {
			(void) snprintf(name, sizeof (name), "scsa comp %d",
			    i);
			if (fk_thread_create(NULL, name, fk_comp_thread,
			    NULL) != 0)
				panic("scsa: cannot start a completion thread");
		}
		__atomic_store_n(&fk_compq_started, 1, __ATOMIC_RELEASE);
	}
	fk_lock_exit(&fk_compq_start_lock);
}

static int
fk_comp_mode_get(void)
{
	const char *e;
	int m = __atomic_load_n(&fk_comp_mode, __ATOMIC_RELAXED);

	if (m >= 0)
		return (m);
	m = FK_SCSI_COMP_INTR;
	if ((e = getenv("FK_SCSI_COMP")) != NULL) {
		if (strcmp(e, "direct") == 0)
			m = FK_SCSI_COMP_DIRECT;
		else if (strcmp(e, "always") == 0)
			m = FK_SCSI_COMP_ALWAYS;
		else if (strcmp(e, "mixed") == 0)
			m = FK_SCSI_COMP_MIXED;
	}
	__atomic_store_n(&fk_comp_mode, m, __ATOMIC_RELAXED);
	return (m);
}

int
fk_scsi_comp_mode(int mode)
{
	int old = fk_comp_mode_get();

	if (mode >= FK_SCSI_COMP_DIRECT && mode <= FK_SCSI_COMP_MIXED)
		__atomic_store_n(&fk_comp_mode, mode, __ATOMIC_RELAXED);
	return (old);
}

int
fk_scsa_in_comp(void)
{
	return (fk_in_comp);
}

static inline fk_pkt_t *
fk_pkt_of(struct scsi_pkt *pkt, const char *op)
{
	fk_pkt_t *fp = (fk_pkt_t *)pkt;

	if (pkt == NULL)
		panic("scsa: %s(NULL)", op);
	if (fp->fp_magic != FK_PKT_MAGIC) {
		panic("scsa: %s(%p): not a live packet of the framework "
		    "(destroyed twice, or never allocated by scsi_init_pkt)",
		    op, (void *)pkt);
	}
	return (fp);
}

static inline int
fk_tran_legacy(scsi_hba_tran_t *tran)
{
	return (tran->tran_setup_pkt == NULL);
}

/*
 * From scsi_transport to the completion, in ns: 0 for a packet that has
 * not completed.
 */
hrtime_t
fk_pkt_latency(struct scsi_pkt *pkt)
{
	fk_pkt_t *fp = (fk_pkt_t *)pkt;

	if (fk_tran_legacy(pkt->pkt_address.a_hba_tran))
		return (fk_legacy_latency(pkt));
	if (fp->fp_stop == 0)
		return (0);
	return (fp->fp_stop - fp->fp_start);
}

/*
 * The length of pkt's status area as its target driver knows it:
 * pkt_scblen when set (the framework's own packets have it), else the
 * statuslen the target gave scsi_init_pkt(9F).  An HBA that allocates
 * its packets itself in tran_init_pkt(9E) must give that much but need
 * not fill in pkt_scblen, and sd never reads it: it takes the status
 * from *pkt_scbp and the sense of STATE_ARQ_DONE from the area it asked
 * for.
 */
size_t
fk_pkt_scblen(struct scsi_pkt *pkt)
{
	if (pkt->pkt_scblen > 0 ||
	    !fk_tran_legacy(pkt->pkt_address.a_hba_tran))
		return (pkt->pkt_scblen);
	return (fk_legacy_scblen(pkt));
}

/*
 * The packet cache.
 */
static int
fk_pkt_ctor(void *buf, void *arg, int kmflag)
{
	fk_pktcache_t *pc = arg;
	scsi_hba_tran_t *tran = pc->pc_tran;
	fk_pkt_t *fp = buf;
	struct scsi_pkt *pkt = &fp->fp_pkt;
	char *base = buf;
	int (*waitfp)(caddr_t);

	bzero(buf, pc->pc_size);
	fp->fp_pc = pc;
	fp->fp_state = FP_FREE;
	fp->fp_cookies = (ddi_dma_cookie_t *)(base + pc->pc_cookie_off);
	pkt->pkt_address.a_hba_tran = tran;
	pkt->pkt_ha_private = base + pc->pc_hba_off;
	if (pc->pc_flags & SCSI_HBA_TRAN_CDB) {
		pkt->pkt_cdbp = (uchar_t *)(base + pc->pc_cdb_off);
		pkt->pkt_cdblen = DEFAULT_CDBLEN;
	}
	pkt->pkt_private = base + pc->pc_priv_off;
	pkt->pkt_tgtlen = DEFAULT_PRIVLEN;
	if (pc->pc_flags & SCSI_HBA_TRAN_SCB) {
		pkt->pkt_scbp = (uchar_t *)(base + pc->pc_scb_off);
		pkt->pkt_scblen = DEFAULT_SCBLEN;
	}
	waitfp = (kmflag & KM_NOSLEEP) ? DDI_DMA_DONTWAIT : DDI_DMA_SLEEP;
	if (ddi_dma_alloc_handle(tran->tran_hba_dip, &tran->tran_dma_attr,
	    waitfp, NULL, &pkt->pkt_handle) != DDI_SUCCESS)
		return (-1);
	if (tran->tran_pkt_constructor != NULL &&
	    tran->tran_pkt_constructor(pkt, tran, kmflag) != 0) {
		ddi_dma_free_handle(&pkt->pkt_handle);
		return (-1);
	}
	fp->fp_magic = FK_PKT_MAGIC;
	return (0);
}

static void
fk_pkt_dtor(void *buf, void *arg)
{
	fk_pktcache_t *pc = arg;
	scsi_hba_tran_t *tran = pc->pc_tran;
	fk_pkt_t *fp = buf;
	struct scsi_pkt *pkt = &fp->fp_pkt;

	if (fp->fp_state != FP_FREE)
		panic("scsa: destructing packet %p in state %s", buf,
		    fk_pkt_state_name[fp->fp_state]);
	/* The constructor's view, as tran_pkt_destructor expects it. */
	pkt->pkt_address.a_hba_tran = tran;
	if (tran->tran_pkt_destructor != NULL)
		tran->tran_pkt_destructor(pkt, tran);
	ddi_dma_free_handle(&pkt->pkt_handle);
	fp->fp_magic = FK_PKT_DEAD;
}

fk_pktcache_t *
fk_pktcache_create(dev_info_t *dip, scsi_hba_tran_t *tran, int flags)
{
	fk_pktcache_t *pc;
	size_t off;
	char name[32];

	pc = kmem_zalloc(sizeof (*pc), KM_SLEEP);
	pc->pc_tran = tran;
	pc->pc_flags = flags;
	off = FK_ALIGN(sizeof (fk_pkt_t));
	pc->pc_hba_off = off;
	off += FK_ALIGN(tran->tran_hba_len);
	pc->pc_cdb_off = off;
	off += FK_ALIGN(DEFAULT_CDBLEN);
	pc->pc_priv_off = off;
	off += FK_ALIGN(DEFAULT_PRIVLEN);
	pc->pc_scb_off = off;
	off += FK_ALIGN(DEFAULT_SCBLEN);
	pc->pc_cookie_off = off;
	pc->pc_ncookies = MIN((uint_t)tran->tran_dma_attr.dma_attr_sgllen,
	    FK_INLINE_COOKIES);
	off += pc->pc_ncookies * sizeof (ddi_dma_cookie_t);
	pc->pc_size = FK_ALIGN(off);
	(void) snprintf(name, sizeof (name), "%s%d_pkt_cache",
	    ddi_driver_name(dip), ddi_get_instance(dip));
	pc->pc_cache = kmem_cache_create(name, pc->pc_size, 16, fk_pkt_ctor,
	    fk_pkt_dtor, NULL, pc, NULL, 0);
	if (pc->pc_cache == NULL) {
		kmem_free(pc, sizeof (*pc));
		return (NULL);
	}
	return (pc);
}

void
fk_pktcache_destroy(fk_pktcache_t *pc)
{
	if (pc == NULL)
		return;
	kmem_cache_destroy(pc->pc_cache);
	kmem_free(pc, sizeof (*pc));
}

/*
 * Extra areas beyond the inline defaults, and their release.
 */
static void
fk_pkt_free_areas(fk_pkt_t *fp)
{
	struct scsi_pkt *pkt = &fp->fp_pkt;
	fk_pktcache_t *pc = fp->fp_pc;
	char *base = (char *)fp;

	if (fp->fp_flags & FPF_EXT_CDB) {
		kmem_free(pkt->pkt_cdbp, pkt->pkt_cdblen);
		fp->fp_flags &= ~FPF_EXT_CDB;
	}
	if (fp->fp_flags & FPF_EXT_PRIV) {
		kmem_free(pkt->pkt_private, pkt->pkt_tgtlen);
		fp->fp_flags &= ~FPF_EXT_PRIV;
	}
	if (fp->fp_flags & FPF_EXT_SCB) {
		kmem_free(pkt->pkt_scbp, pkt->pkt_scblen);
		fp->fp_flags &= ~FPF_EXT_SCB;
	}
	if (fp->fp_flags & FPF_EXT_COOKIE) {
		kmem_free(fp->fp_ext, fp->fp_next_n * sizeof (*fp->fp_ext));
		fp->fp_ext = NULL;
		fp->fp_next_n = 0;
		fp->fp_flags &= ~FPF_EXT_COOKIE;
	}
	/* Back to the constructor's view. */
	pkt->pkt_cdbp = (pc->pc_flags & SCSI_HBA_TRAN_CDB) ?
	    (uchar_t *)(base + pc->pc_cdb_off) : NULL;
	pkt->pkt_cdblen = (pc->pc_flags & SCSI_HBA_TRAN_CDB) ?
	    DEFAULT_CDBLEN : 0;
	pkt->pkt_private = base + pc->pc_priv_off;
	pkt->pkt_tgtlen = DEFAULT_PRIVLEN;
	pkt->pkt_scbp = (pc->pc_flags & SCSI_HBA_TRAN_SCB) ?
	    (uchar_t *)(base + pc->pc_scb_off) : NULL;
	pkt->pkt_scblen = (pc->pc_flags & SCSI_HBA_TRAN_SCB) ?
	    DEFAULT_SCBLEN : 0;
}

static int
fk_pkt_areas(fk_pkt_t *fp, int cmdlen, int statuslen, int pplen, int kf)
{
	struct scsi_pkt *pkt = &fp->fp_pkt;
	fk_pktcache_t *pc = fp->fp_pc;
	char *base = (char *)fp;

	pkt->pkt_cdblen = cmdlen;
	if (pc->pc_flags & SCSI_HBA_TRAN_CDB) {
		if (cmdlen > DEFAULT_CDBLEN) {
			if ((pkt->pkt_cdbp = kmem_alloc(cmdlen, kf)) == NULL)
				goto fail;
			fp->fp_flags |= FPF_EXT_CDB;
		}
	} else {
		pkt->pkt_cdbp = NULL;
	}
	pkt->pkt_tgtlen = pplen;
	if (pplen > DEFAULT_PRIVLEN) {
		if ((pkt->pkt_private = kmem_alloc(pplen, kf)) == NULL)
			goto fail;
		fp->fp_flags |= FPF_EXT_PRIV;
	} else if (pplen == 0) {
		pkt->pkt_private = NULL;
	} else {
		pkt->pkt_private = base + pc->pc_priv_off;
	}
	pkt->pkt_scblen = statuslen;
	if (pc->pc_flags & SCSI_HBA_TRAN_SCB) {
		if ((size_t)statuslen > DEFAULT_SCBLEN) {
			if ((pkt->pkt_scbp = kmem_alloc(statuslen, kf)) == NULL)
				goto fail;
			fp->fp_flags |= FPF_EXT_SCB;
		}
	} else {
		pkt->pkt_scbp = NULL;
	}
	return (0);
fail:
	/* fk_pkt_free_areas() frees only what the flags say was taken. */
	if (!(fp->fp_flags & FPF_EXT_CDB))
		pkt->pkt_cdblen = 0;
	if (!(fp->fp_flags & FPF_EXT_PRIV))
		pkt->pkt_tgtlen = 0;
	if (!(fp->fp_flags & FPF_EXT_SCB))
		pkt->pkt_scblen = 0;
	fk_pkt_free_areas(fp);
	return (-1);
}

/*
 * DMA: bind, windows, unbind.
 */
static int
fk_pkt_load_window(fk_pkt_t *fp, uint_t win, ddi_dma_cookie_t *first,
    uint_t n, int kf)
{
	struct scsi_pkt *pkt = &fp->fp_pkt;
	scsi_hba_tran_t *tran = fp->fp_pc->pc_tran;
	ddi_dma_cookie_t *arr;
	size_t len = 0;
	uint_t i;

	if (n > (uint_t)tran->tran_dma_attr.dma_attr_sgllen) {
		panic("scsa: packet %p: the DMA layer bound %u cookies, more "
		    "than the HBA's dma_attr_sgllen %d", (void *)pkt, n,
		    tran->tran_dma_attr.dma_attr_sgllen);
	}
	if (fp->fp_flags & FPF_EXT_COOKIE) {
		kmem_free(fp->fp_ext, fp->fp_next_n * sizeof (*arr));
		fp->fp_ext = NULL;
		fp->fp_next_n = 0;
		fp->fp_flags &= ~FPF_EXT_COOKIE;
	}
	if (n > fp->fp_pc->pc_ncookies) {
		if ((arr = kmem_alloc(n * sizeof (*arr), kf)) == NULL)
			return (-1);
		fp->fp_ext = arr;
		fp->fp_next_n = n;
		fp->fp_flags |= FPF_EXT_COOKIE;
	} else {
		arr = fp->fp_cookies;
	}
	if (n > 0)
		arr[0] = *first;
	for (i = 1; i < n; i++)
		ddi_dma_nextcookie(pkt->pkt_handle, &arr[i]);
	for (i = 0; i < n; i++)
		len += arr[i].dmac_size;
	pkt->pkt_cookies = arr;
	pkt->pkt_numcookies = n;
	pkt->pkt_dma_len = len;
	fp->fp_curwin = win + 1;
	fp->fp_xfer += len;
	return (0);
}

static void
fk_pkt_unbind(fk_pkt_t *fp)
{
	struct scsi_pkt *pkt = &fp->fp_pkt;

	if (fp->fp_flags & FPF_BOUND) {
		if (ddi_dma_unbind_handle(pkt->pkt_handle) != DDI_SUCCESS)
			cmn_err(CE_WARN, "scsa: packet %p: unbind failed",
			    (void *)pkt);
		fp->fp_flags &= ~FPF_BOUND;
	}
	if (fp->fp_flags & FPF_EXT_COOKIE) {
		kmem_free(fp->fp_ext, fp->fp_next_n * sizeof (*fp->fp_ext));
		fp->fp_ext = NULL;
		fp->fp_next_n = 0;
		fp->fp_flags &= ~FPF_EXT_COOKIE;
	}
	pkt->pkt_numcookies = 0;
	pkt->pkt_cookies = NULL;
	pkt->pkt_dma_len = 0;
	pkt->pkt_dma_offset = 0;
	fp->fp_bp = NULL;
	fp->fp_nwin = fp->fp_curwin = 0;
	fp->fp_xfer = 0;
}

static int
fk_pkt_bind(fk_pkt_t *fp, struct buf *bp, int flags, int sleep, int kf)
{
	struct scsi_pkt *pkt = &fp->fp_pkt;
	ddi_dma_cookie_t cookie;
	uint_t n = 0, dma_flags;
	off_t off;
	size_t len;
	int rv;

	dma_flags = (bp->b_flags & B_READ) ? DDI_DMA_READ : DDI_DMA_WRITE;
	if (flags & PKT_CONSISTENT)
		dma_flags |= DDI_DMA_CONSISTENT;
	if (flags & PKT_DMA_PARTIAL)
		dma_flags |= DDI_DMA_PARTIAL;
	rv = ddi_dma_buf_bind_handle(pkt->pkt_handle, bp, dma_flags,
	    sleep ? DDI_DMA_SLEEP : DDI_DMA_DONTWAIT, NULL, &cookie, &n);
	switch (rv) {
	case DDI_DMA_MAPPED:
		fp->fp_nwin = 1;
		break;
	case DDI_DMA_PARTIAL_MAP:
		if (ddi_dma_numwin(pkt->pkt_handle, &fp->fp_nwin) !=
		    DDI_SUCCESS) {
			(void) ddi_dma_unbind_handle(pkt->pkt_handle);
			bp->b_error = 0;
			return (-1);
		}
		break;
	case DDI_DMA_NORESOURCES:
		bp->b_error = 0;
		return (-1);
	case DDI_DMA_TOOBIG:
		bioerror(bp, EINVAL);
		return (-1);
	default:
		bioerror(bp, EFAULT);
		return (-1);
	}
	fp->fp_flags |= FPF_BOUND;
	fp->fp_bp = bp;
	fp->fp_curwin = 0;
	fp->fp_xfer = 0;
	pkt->pkt_dma_flags = dma_flags & ~DDI_DMA_PARTIAL;
	pkt->pkt_dma_offset = 0;
	if (rv == DDI_DMA_PARTIAL_MAP) {
		if (ddi_dma_getwin(pkt->pkt_handle, 0, &off, &len, &cookie,
		    &n) != DDI_SUCCESS)
			goto fail;
		pkt->pkt_dma_offset = off;
	}
	if (fk_pkt_load_window(fp, 0, &cookie, n, kf) != 0)
		goto fail;
	return (0);
fail:
	fk_pkt_unbind(fp);
	bp->b_error = 0;
	return (-1);
}

static int
fk_pkt_next_window(fk_pkt_t *fp, int kf)
{
	struct scsi_pkt *pkt = &fp->fp_pkt;
	ddi_dma_cookie_t cookie;
	off_t off;
	size_t len;
	uint_t n;

	if (ddi_dma_getwin(pkt->pkt_handle, fp->fp_curwin, &off, &len,
	    &cookie, &n) != DDI_SUCCESS)
		return (-1);
	pkt->pkt_dma_offset = off;
	return (fk_pkt_load_window(fp, fp->fp_curwin, &cookie, n, kf));
}

/*
 * Return a packet that never reached its caller to the cache.
 */
static void
fk_pkt_discard(fk_pkt_t *fp, int setup)
{
	struct scsi_pkt *pkt = &fp->fp_pkt;
	fk_lun_t *lun = fp->fp_lun;

	if (setup)
		pkt->pkt_address.a_hba_tran->tran_teardown_pkt(pkt);
	fk_pkt_unbind(fp);
	fk_pkt_free_areas(fp);
	fp->fp_lun = NULL;
	__atomic_store_n(&fp->fp_state, FP_FREE, __ATOMIC_RELEASE);
	kmem_cache_free(fp->fp_pc->pc_cache, fp);
	if (lun != NULL)
		fk_lun_rele(lun);
}

/*
 * scsi_init_pkt(9F).
 */
struct scsi_pkt *
scsi_init_pkt(struct scsi_address *ap, struct scsi_pkt *in_pkt,
    struct buf *bp, int cmdlen, int statuslen, int pplen, int flags,
    int (*callback)(caddr_t), caddr_t arg)
{
	scsi_hba_tran_t *tran;
	fk_scsa_tran_t *st;
	struct scsi_pkt *pkt;
	fk_pkt_t *fp;
	fk_lun_t *lun = NULL;
	int sleep = (callback == SLEEP_FUNC);
	int kf = sleep ? KM_SLEEP : KM_NOSLEEP;
	int fresh = 0;
	uint32_t state;

	(void) arg;
	if (sleep)
		fk_assert_may_block("scsi_init_pkt(SLEEP_FUNC)");
	if (ap == NULL || (tran = ap->a_hba_tran) == NULL)
		panic("scsi_init_pkt: no scsi_address or no tran");
	if (fk_tran_legacy(tran)) {
		return (fk_legacy_init_pkt(ap, in_pkt, bp, cmdlen, statuslen,
		    pplen, flags, sleep ? SLEEP_FUNC : NULL_FUNC));
	}
	if (cmdlen < 0 || statuslen < 0 || pplen < 0)
		return (NULL);

	if (in_pkt == NULL) {
		st = FK_TRAN_ST(tran);
		if (st == NULL || st->st_pc == NULL)
			panic("scsi_init_pkt: tran %p has no packet cache "
			    "(scsi_hba_attach_setup)", (void *)tran);
		if ((lun = fk_lun_from_addr(ap)) == NULL) {
			cmn_err(CE_WARN, "scsi_init_pkt: address %p is not a "
			    "scsi_device's", (void *)ap);
			return (NULL);
		}
		if ((fp = kmem_cache_alloc(st->st_pc->pc_cache, kf)) == NULL)
			return (NULL);
		if (fp->fp_magic != FK_PKT_MAGIC || fp->fp_state != FP_FREE)
			panic("scsa: the packet cache returned %p in state %s",
			    (void *)fp, fp->fp_magic == FK_PKT_MAGIC ?
			    fk_pkt_state_name[fp->fp_state] : "(bad magic)");
		pkt = &fp->fp_pkt;
		pkt->pkt_address = *ap;
		pkt->pkt_comp = NULL;
		pkt->pkt_flags = 0;
		pkt->pkt_time = 0;
		pkt->pkt_resid = 0;
		pkt->pkt_state = 0;
		pkt->pkt_statistics = 0;
		pkt->pkt_reason = 0;
		pkt->pkt_numcookies = 0;
		pkt->pkt_cookies = NULL;
		pkt->pkt_dma_offset = 0;
		pkt->pkt_dma_len = 0;
		pkt->pkt_dma_flags = 0;
		fp->fp_start = fp->fp_stop = 0;
		pkt->pkt_path_instance = 0;
		fp->fp_flags = 0;
		fp->fp_bp = NULL;
		fp->fp_nwin = fp->fp_curwin = 0;
		fp->fp_xfer = 0;
		fp->fp_next = NULL;
		if (fk_pkt_areas(fp, cmdlen, statuslen, pplen, kf) != 0) {
			kmem_cache_free(st->st_pc->pc_cache, fp);
			return (NULL);
		}
		fk_lun_hold(lun);
		fp->fp_lun = lun;
		__atomic_store_n(&fp->fp_state, FP_IDLE, __ATOMIC_RELEASE);
		if (tran->tran_setup_pkt(pkt, sleep ? SLEEP_FUNC : NULL_FUNC,
		    NULL) != 0) {
			fk_pkt_discard(fp, 0);
			return (NULL);
		}
		if (cmdlen > 0 && pkt->pkt_cdbp == NULL)
			panic("scsa: tran_setup_pkt left pkt_cdbp NULL for a "
			    "%d-byte CDB (without SCSI_HBA_TRAN_CDB the HBA "
			    "allocates it)", cmdlen);
		if (statuslen > 0 && pkt->pkt_scbp == NULL)
			panic("scsa: tran_setup_pkt left pkt_scbp NULL for a "
			    "%d-byte status block (without SCSI_HBA_TRAN_SCB "
			    "the HBA allocates it)", statuslen);
		if (cmdlen > 0)
			bzero(pkt->pkt_cdbp, cmdlen);
		if (pplen > 0)
			bzero(pkt->pkt_private, pplen);
		if (statuslen > 0)
			bzero(pkt->pkt_scbp, statuslen);
		fresh = 1;
	} else {
		fp = fk_pkt_of(in_pkt, "scsi_init_pkt");
		pkt = in_pkt;
		state = __atomic_load_n(&fp->fp_state, __ATOMIC_ACQUIRE);
		if (state == FP_FREE)
			panic("scsi_init_pkt(%p): the packet was destroyed",
			    (void *)pkt);
		if (state == FP_STARTED || state == FP_COMPLETING)
			panic("scsi_init_pkt(%p): the packet is in transport",
			    (void *)pkt);
	}

	if (bp != NULL && bp->b_bcount != 0) {
		if (!(fp->fp_flags & FPF_BOUND)) {
			if (fk_pkt_bind(fp, bp, flags, sleep, kf) != 0) {
				if (fresh)
					fk_pkt_discard(fp, 1);
				return (NULL);
			}
		} else if (fp->fp_curwin < fp->fp_nwin) {
			if (fk_pkt_next_window(fp, kf) != 0)
				return (NULL);
		}
		pkt->pkt_resid = fp->fp_bp->b_bcount - fp->fp_xfer;
	} else {
		pkt->pkt_resid = 0;
	}
	return (pkt);
}

/*
 * scsi_destroy_pkt(9F).
 */
void
scsi_destroy_pkt(struct scsi_pkt *pkt)
{
	scsi_hba_tran_t *tran;
	fk_pkt_t *fp;
	uint32_t state;

	if (pkt == NULL || (tran = pkt->pkt_address.a_hba_tran) == NULL)
		panic("scsi_destroy_pkt(%p): no packet or no tran",
		    (void *)pkt);
	if (fk_tran_legacy(tran)) {
		fk_legacy_destroy_pkt(pkt);
		return;
	}
	fp = fk_pkt_of(pkt, "scsi_destroy_pkt");
	state = __atomic_load_n(&fp->fp_state, __ATOMIC_ACQUIRE);
	if (state == FP_FREE)
		panic("scsa: packet %p destroyed twice", (void *)pkt);
	if (state == FP_STARTED || state == FP_COMPLETING)
		panic("scsa: packet %p destroyed while in transport (state "
		    "%s)", (void *)pkt, fk_pkt_state_name[state]);
	fk_pkt_discard(fp, 1);
}

/*
 * scsi_dmafree(9F), scsi_sync_pkt(9F).
 */
void
scsi_dmafree(struct scsi_pkt *pkt)
{
	scsi_hba_tran_t *tran = pkt->pkt_address.a_hba_tran;
	fk_pkt_t *fp;

	if (fk_tran_legacy(tran)) {
		if (tran->tran_dmafree != NULL)
			tran->tran_dmafree(&pkt->pkt_address, pkt);
		return;
	}
	fp = fk_pkt_of(pkt, "scsi_dmafree");
	if (fp->fp_state == FP_STARTED || fp->fp_state == FP_COMPLETING)
		panic("scsi_dmafree(%p): the packet is in transport",
		    (void *)pkt);
	fk_pkt_unbind(fp);
}

void
scsi_sync_pkt(struct scsi_pkt *pkt)
{
	scsi_hba_tran_t *tran = pkt->pkt_address.a_hba_tran;

	if (fk_tran_legacy(tran)) {
		if (tran->tran_sync_pkt != NULL)
			tran->tran_sync_pkt(&pkt->pkt_address, pkt);
		return;
	}
	(void) fk_pkt_of(pkt, "scsi_sync_pkt");
	if (pkt->pkt_numcookies == 0 ||
	    (pkt->pkt_dma_flags & (DDI_DMA_READ | DDI_DMA_WRITE)) == 0)
		return;
	(void) ddi_dma_sync(pkt->pkt_handle, pkt->pkt_dma_offset,
	    pkt->pkt_dma_len, (pkt->pkt_dma_flags & DDI_DMA_WRITE) ?
	    DDI_DMA_SYNC_FORDEV : DDI_DMA_SYNC_FORCPU);
}

/*
 * Accounting at start and completion.
 */
void
fk_pkt_started(fk_lun_t *lun)
{
	FK_ATOMIC_INC(&lun->l_stats.st_started);
	FK_ATOMIC_INC(&lun->l_stats.st_outstanding);
	FK_ATOMIC_INC(&fk_scsa_stats.st_started);
	FK_ATOMIC_INC(&fk_scsa_stats.st_outstanding);
}

void
fk_pkt_completed(fk_lun_t *lun, struct scsi_pkt *pkt)
{
	int bad = pkt->pkt_reason != CMD_CMPLT || (pkt->pkt_scbp != NULL &&
	    fk_pkt_scblen(pkt) > 0 && (*pkt->pkt_scbp & STATUS_MASK) !=
	    STATUS_GOOD);

	FK_ATOMIC_INC(&lun->l_stats.st_completed);
	FK_ATOMIC_DEC(&lun->l_stats.st_outstanding);
	FK_ATOMIC_INC(&fk_scsa_stats.st_completed);
	FK_ATOMIC_DEC(&fk_scsa_stats.st_outstanding);
	if (bad) {
		FK_ATOMIC_INC(&lun->l_stats.st_errors);
		FK_ATOMIC_INC(&fk_scsa_stats.st_errors);
	}
}

/* tran_start refused a counted packet (lun NULL: an uncounted one). */
void
fk_pkt_refused(fk_lun_t *lun, int rv)
{
	if (rv == TRAN_BUSY)
		__atomic_add_fetch(&fk_counters.fc_tran_busy, 1,
		    __ATOMIC_RELAXED);
	if (lun == NULL)
		return;
	FK_ATOMIC_DEC(&lun->l_stats.st_started);
	FK_ATOMIC_DEC(&lun->l_stats.st_outstanding);
	FK_ATOMIC_DEC(&fk_scsa_stats.st_started);
	FK_ATOMIC_DEC(&fk_scsa_stats.st_outstanding);
	if (rv == TRAN_BUSY) {
		FK_ATOMIC_INC(&lun->l_stats.st_busy);
		FK_ATOMIC_INC(&fk_scsa_stats.st_busy);
	}
}

/*
 * scsi_transport(9F).  The unit must not have departed; it counts the
 * packet as outstanding until its completion has been delivered.
 */
int
scsi_transport(struct scsi_pkt *pkt)
{
	scsi_hba_tran_t *tran;
	fk_pkt_t *fp;
	fk_lun_t *lun;
	uint32_t state, expect;
	int rv, polled;

	if (pkt == NULL || (tran = pkt->pkt_address.a_hba_tran) == NULL)
		panic("scsi_transport(%p): no packet or no tran",
		    (void *)pkt);
	if (fk_tran_legacy(tran))
		return (fk_legacy_transport(pkt));
	fp = fk_pkt_of(pkt, "scsi_transport");
	lun = fp->fp_lun;
	state = __atomic_load_n(&fp->fp_state, __ATOMIC_ACQUIRE);
	if (state != FP_IDLE && state != FP_DONE)
		panic("scsa: scsi_transport(%p): the packet is %s",
		    (void *)pkt, fk_pkt_state_name[state]);
	if (!fk_lun_enter(lun))
		return (TRAN_FATAL_ERROR);

	polled = (pkt->pkt_flags & FLAG_NOINTR) != 0;
	fp->fp_start = gethrtime();
	fp->fp_stop = 0;
	__atomic_store_n(&fp->fp_state, FP_STARTED, __ATOMIC_RELEASE);
	fk_pkt_started(lun);
	__atomic_add_fetch(&fk_counters.fc_pkt_starts, 1, __ATOMIC_RELAXED);

	rv = tran->tran_start(&pkt->pkt_address, pkt);

	if (rv != TRAN_ACCEPT) {
		expect = FP_STARTED;
		if (!__atomic_compare_exchange_n(&fp->fp_state, &expect,
		    state, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			panic("scsa: packet %p completed although tran_start "
			    "returned %d (a packet the HBA refuses must not "
			    "complete)", (void *)pkt, rv);
		}
		fk_pkt_refused(lun, rv);
		fk_lun_exit(lun);
		return (rv);
	}
	if (polled) {
		/* tran_start(9E) returns a FLAG_NOINTR packet complete. */
		state = FP_STARTED;
		if (!__atomic_compare_exchange_n(&fp->fp_state, &state,
		    FP_DONE, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			panic("scsa: polled packet %p in state %s after "
			    "tran_start", (void *)pkt,
			    fk_pkt_state_name[state]);
		fp->fp_stop = gethrtime();
		if ((pkt->pkt_dma_flags & DDI_DMA_READ) &&
		    pkt->pkt_numcookies != 0)
			(void) ddi_dma_sync(pkt->pkt_handle,
			    pkt->pkt_dma_offset, pkt->pkt_dma_len,
			    DDI_DMA_SYNC_FORCPU);
		fk_pkt_completed(lun, pkt);
		fk_lun_exit(lun);
	}
	return (rv);
}

/*
 * Deliver one completion: the packet is done (it may be restarted or
 * destroyed from pkt_comp), then the unit's count drops.
 */
/* Run a completion callback, marked as one (fk_scsa_in_comp). */
void
fk_scsa_run_comp(struct scsi_pkt *pkt, void (*comp)(struct scsi_pkt *))
{
	int was = fk_in_comp;

	fk_in_comp = 1;
	comp(pkt);
	fk_in_comp = was;
}

static void
fk_pkt_deliver(fk_pkt_t *fp)
{
	struct scsi_pkt *pkt = &fp->fp_pkt;
	fk_lun_t *lun = fp->fp_lun;
	void (*comp)(struct scsi_pkt *) = pkt->pkt_comp;

	fk_lun_hold(lun);
	fk_pkt_completed(lun, pkt);
	__atomic_store_n(&fp->fp_state, FP_DONE, __ATOMIC_RELEASE);
	if (comp != NULL)
		fk_scsa_run_comp(pkt, comp);
	fk_lun_exit(lun);
	fk_lun_rele(lun);
}

static void *
fk_comp_thread(void *arg)
{
	fk_pkt_t *fp;

	(void) arg;
	for (;;) {
		mutex_enter(&fk_compq_lock);
		while ((fp = fk_compq_head) == NULL)
			cv_wait(&fk_compq_cv, &fk_compq_lock);
		if ((fk_compq_head = fp->fp_next) == NULL)
			fk_compq_tail = NULL;
		fp->fp_next = NULL;
		mutex_exit(&fk_compq_lock);
		fk_pkt_deliver(fp);
		fk_assert_unlocked("pkt_comp callback");
	}
	return (NULL);
}

static int
fk_comp_defer(void)
{
	switch (fk_comp_mode_get()) {
	case FK_SCSI_COMP_DIRECT:
		return (0);
	case FK_SCSI_COMP_ALWAYS:
		return (1);
	case FK_SCSI_COMP_MIXED:
		return ((__atomic_add_fetch(&fk_comp_flip, 1,
		    __ATOMIC_RELAXED) & 1) != 0);
	default:
		return (fk_in_intr());
	}
}

/*
 * REPORTED LUNS DATA HAS CHANGED (ASC/ASCQ 3Fh/0Eh, SPC-4) in a
 * completion's sense data?
 */
#define	FK_ASC_LUNS_CHANGED	0x3f
#define	FK_ASCQ_LUNS_CHANGED	0x0e

static int
fk_pkt_lunchg(struct scsi_pkt *pkt)
{
	struct scsi_arq_status *arq;
	uint8_t *sense;

	if (pkt->pkt_reason != CMD_CMPLT ||
	    !(pkt->pkt_state & STATE_ARQ_DONE) || pkt->pkt_scbp == NULL ||
	    fk_pkt_scblen(pkt) < sizeof (struct scsi_arq_status))
		return (0);
	arq = (struct scsi_arq_status *)(void *)pkt->pkt_scbp;
	if ((*pkt->pkt_scbp & STATUS_MASK) != STATUS_CHECK ||
	    arq->sts_rqpkt_reason != CMD_CMPLT)
		return (0);
	sense = (uint8_t *)&arq->sts_sensedata;
	return (scsi_sense_key(sense) == KEY_UNIT_ATTENTION &&
	    scsi_sense_asc(sense) == FK_ASC_LUNS_CHANGED &&
	    scsi_sense_ascq(sense) == FK_ASCQ_LUNS_CHANGED);
}

/*
 * scsi_hba_pkt_comp(9F).
 */
void
scsi_hba_pkt_comp(struct scsi_pkt *pkt)
{
	scsi_hba_tran_t *tran;
	fk_pkt_t *fp;
	uint32_t state = FP_STARTED;

	if (pkt == NULL || (tran = pkt->pkt_address.a_hba_tran) == NULL)
		panic("scsi_hba_pkt_comp(%p): no packet or no tran",
		    (void *)pkt);
	__atomic_add_fetch(&fk_counters.fc_pkt_comps, 1, __ATOMIC_RELAXED);
	if (fk_tran_legacy(tran)) {
		fk_legacy_pkt_comp(pkt);
		return;
	}
	fp = (fk_pkt_t *)pkt;
	if (fp->fp_magic != FK_PKT_MAGIC)
		panic("scsa: packet %p completed, but it is not a live packet "
		    "(destroyed, or never allocated by scsi_init_pkt)",
		    (void *)pkt);
	if (!__atomic_compare_exchange_n(&fp->fp_state, &state,
	    FP_COMPLETING, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		if (state == FP_COMPLETING || state == FP_DONE)
			panic("scsa: packet %p completed twice (the HBA called "
			    "scsi_hba_pkt_comp for it again)", (void *)pkt);
		if (state == FP_IDLE)
			panic("scsa: packet %p completed but never started "
			    "(scsi_transport was not called for it)",
			    (void *)pkt);
		panic("scsa: packet %p completed after it was destroyed "
		    "(a packet is destroyed only out of transport: completed "
		    "twice, or never started)", (void *)pkt);
	}
	if (pkt->pkt_flags & FLAG_NOINTR)
		panic("scsa: packet %p has FLAG_NOINTR: tran_start(9E) must "
		    "complete it before returning, without scsi_hba_pkt_comp",
		    (void *)pkt);
	fp->fp_stop = gethrtime();

	/* The data of a read, for the CPU, before the target sees it. */
	if ((pkt->pkt_dma_flags & DDI_DMA_READ) && pkt->pkt_numcookies != 0)
		(void) ddi_dma_sync(pkt->pkt_handle, pkt->pkt_dma_offset,
		    pkt->pkt_dma_len, DDI_DMA_SYNC_FORCPU);

	if (fk_pkt_lunchg(pkt))
		fk_tgtmap_lunchg(fp->fp_lun);

	if (fk_comp_defer()) {
		if (!__atomic_load_n(&fk_compq_started, __ATOMIC_ACQUIRE))
			fk_compq_start();
		mutex_enter(&fk_compq_lock);
		fp->fp_next = NULL;
		if (fk_compq_tail != NULL)
			fk_compq_tail->fp_next = fp;
		else
			fk_compq_head = fp;
		fk_compq_tail = fp;
		cv_signal(&fk_compq_cv);
		mutex_exit(&fk_compq_lock);
		return;
	}
	fk_pkt_deliver(fp);
}

/*
 * scsi_poll(9F): run a command to completion with FLAG_NOINTR.  A busy
 * HBA is retried for a while.  0 when the command completed with GOOD
 * status, -1 otherwise.
 */
#define	SCSI_POLL_TIMEOUT	60

int
scsi_poll(struct scsi_pkt *pkt)
{
	int rv, tries, saved = pkt->pkt_flags;
	void (*comp)(struct scsi_pkt *) = pkt->pkt_comp;

	if (pkt->pkt_time == 0)
		pkt->pkt_time = SCSI_POLL_TIMEOUT;
	pkt->pkt_flags |= FLAG_NOINTR;
	pkt->pkt_comp = NULL;
	for (tries = 0; ; tries++) {
		rv = scsi_transport(pkt);
		if (rv != TRAN_BUSY || tries >= 600)
			break;
		drv_usecwait(10000);
	}
	pkt->pkt_flags = saved;
	pkt->pkt_comp = comp;
	if (rv != TRAN_ACCEPT || pkt->pkt_reason != CMD_CMPLT)
		return (-1);
	if (pkt->pkt_scbp != NULL && fk_pkt_scblen(pkt) > 0 &&
	    (*pkt->pkt_scbp & STATUS_MASK) != STATUS_GOOD)
		return (-1);
	return (0);
}

/*
 * scsi_alloc_consistent_buf(9F), scsi_free_consistent_buf(9F): a buf
 * with DMA-able memory of its own (kmem is DMA-able in the fakekernel).
 */
struct buf *
scsi_alloc_consistent_buf(struct scsi_address *ap, struct buf *in_bp,
    size_t datalen, uint_t bflags, int (*callback)(caddr_t), caddr_t arg)
{
	int kf = (callback == SLEEP_FUNC) ? KM_SLEEP : KM_NOSLEEP;
	struct buf *bp;

	(void) ap;
	(void) arg;
	if (in_bp == NULL) {
		if ((bp = getrbuf(kf)) == NULL)
			return (NULL);
	} else {
		bp = in_bp;
		bp->b_flags &= ~(B_PAGEIO | B_PHYS | B_REMAPPED | B_SHADOW);
	}
	ASSERT((bflags & ~(B_READ | B_WRITE)) == 0);
	bflags &= (B_READ | B_WRITE);
	bp->b_un.b_addr = NULL;
	bp->b_bufsize = 0;
	if (datalen != 0) {
		if ((bp->b_un.b_addr = kmem_zalloc(datalen, kf)) == NULL) {
			if (in_bp == NULL)
				freerbuf(bp);
			return (NULL);
		}
		bp->b_bufsize = datalen;
		bp->b_flags |= bflags;
	}
	bp->b_bcount = datalen;
	bp->b_resid = 0;
	return (bp);
}

void
scsi_free_consistent_buf(struct buf *bp)
{
	if (bp == NULL)
		return;
	if (bp->b_un.b_addr != NULL)
		kmem_free(bp->b_un.b_addr, bp->b_bufsize);
	freerbuf(bp);
}

/*
 * Sense data, fixed or descriptor format (scsi_sense_key(9F)).
 */
static int
fk_sense_descr(const uint8_t *s)
{
	uint8_t code = s[0] & 0x7f;

	return (code == 0x72 || code == 0x73);
}

uint8_t
scsi_sense_key(uint8_t *s)
{
	return (fk_sense_descr(s) ? (s[1] & 0x0f) : (s[2] & 0x0f));
}

uint8_t
scsi_sense_asc(uint8_t *s)
{
	if (fk_sense_descr(s))
		return (s[2]);
	return (s[7] >= 5 ? s[12] : 0);
}

uint8_t
scsi_sense_ascq(uint8_t *s)
{
	if (fk_sense_descr(s))
		return (s[3]);
	return (s[7] >= 6 ? s[13] : 0);
}

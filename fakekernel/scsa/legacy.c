/*
 * SCSA packets of tran_init_pkt(9E) HBAs, the model before
 * tran_setup_pkt: the HBA allocates and frees its packets itself.
 * scsi_init_pkt(9F) calls tran_init_pkt (a new packet, or resources for
 * an existing one, the next DMA window of a partial transfer);
 * scsi_destroy_pkt(9F) tran_destroy_pkt; scsi_dmafree(9F) tran_dmafree;
 * scsi_sync_pkt(9F) tran_sync_pkt.  scsi_hba_pkt_alloc(9F) and
 * scsi_hba_pkt_free(9F) are the allocator such an HBA may use
 * (scsi_pkt_size(9F) sizes it), as are its own kmem caches.
 *
 * The framework keeps the same watch over these packets as over its own
 * (pkt.c): a record per packet scsi_init_pkt returned, until
 * scsi_destroy_pkt, with its state (idle, in transport, completing,
 * done) and its unit; these panic, naming the packet:
 *   - scsi_transport, scsi_destroy_pkt or scsi_hba_pkt_comp of a packet
 *     scsi_init_pkt never returned (or destroyed already);
 *   - scsi_transport of a packet in transport, scsi_destroy_pkt of one;
 *   - a completion (scsi_hba_pkt_comp or pkt_comp) of a packet completed
 *     already ("completed twice") or never started; scsi_hba_pkt_comp of
 *     one with FLAG_NOINTR (tran_start completes those before it
 *     returns).
 * Packets made for a unit of the framework (the scsi_device of a child,
 * child.c) are counted as pkt.c counts its own (fk_scsi.h's stats), and
 * a unit that departs waits for them.  A packet made for any other
 * address (the HBA's own commands, on an address of its making) has no
 * unit and is not counted.  pkt_comp runs in the context of the HBA's
 * call (scsi_hba_pkt_comp, or pkt_comp itself, which the framework
 * interposes on while the packet is in transport).
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


#define	FL_IDLE		1	/* allocated, or completed and delivered */
#define	FL_STARTED	2	/* handed to tran_start */
#define	FL_COMPLETING	3	/* being completed */

static const char *fk_lpkt_state_name[] = {
	"?", "idle", "in transport", "completing"
};

typedef struct fk_lpkt {
	struct scsi_pkt	*lp_pkt;
	fk_lun_t	*lp_lun;	/* held; NULL: the HBA's own */
	uint32_t	lp_state;	/* FL_*, under fk_lpkt_lock */
	void		(*lp_comp)(struct scsi_pkt *);	/* the target's */
	hrtime_t	lp_start;	/* scsi_transport */
	hrtime_t	lp_stop;	/* completion; 0 before */
	size_t		lp_scblen;	/* the statuslen asked for */
	struct fk_lpkt	*lp_next;	/* hash chain */
} fk_lpkt_t;

#define	FK_LPKT_HASH	1024

static void fk_legacy_comp(struct scsi_pkt *);

static fk_lock_t fk_lpkt_lock = FK_LOCK_INIT;
static fk_lpkt_t *fk_lpkt_hash[FK_LPKT_HASH];

static fk_lpkt_t **
fk_lpkt_bucket(struct scsi_pkt *pkt)
{
	return (&fk_lpkt_hash[((uintptr_t)pkt >> 4) % FK_LPKT_HASH]);
}

/* The record of pkt (fk_lpkt_lock held); panics if there is none. */
static fk_lpkt_t *
fk_lpkt_find(struct scsi_pkt *pkt, const char *op)
{
	fk_lpkt_t *lp;

	for (lp = *fk_lpkt_bucket(pkt); lp != NULL; lp = lp->lp_next) {
		if (lp->lp_pkt == pkt)
			return (lp);
	}
	fk_lock_exit(&fk_lpkt_lock);
	panic("scsa: %s(%p): not a live packet of scsi_init_pkt (destroyed "
	    "already, or never returned by it)", op, (void *)pkt);
	return (NULL);
}

/* Move pkt from state from to state to; panic (naming op) otherwise. */
static fk_lpkt_t *
fk_lpkt_move(struct scsi_pkt *pkt, uint32_t from, uint32_t to,
    const char *op)
{
	fk_lpkt_t *lp;
	uint32_t was;

	fk_lock_enter(&fk_lpkt_lock);
	lp = fk_lpkt_find(pkt, op);
	if ((was = lp->lp_state) != from) {
		fk_lock_exit(&fk_lpkt_lock);
		if (to == FL_COMPLETING && was == FL_IDLE)
			panic("scsa: packet %p completed but not in transport "
			    "(completed twice, or never started)",
			    (void *)pkt);
		if (to == FL_COMPLETING)
			panic("scsa: packet %p completed twice (the HBA called "
			    "scsi_hba_pkt_comp for it again)", (void *)pkt);
		panic("scsa: %s(%p): the packet is %s", op, (void *)pkt,
		    fk_lpkt_state_name[was]);
	}
	lp->lp_state = to;
	fk_lock_exit(&fk_lpkt_lock);
	return (lp);
}

struct scsi_pkt *
fk_legacy_init_pkt(struct scsi_address *ap, struct scsi_pkt *in_pkt,
    struct buf *bp, int cmdlen, int statuslen, int pplen, int flags,
    int (*callback)(caddr_t))
{
	scsi_hba_tran_t *tran = ap->a_hba_tran;
	struct scsi_pkt *pkt;
	fk_lpkt_t *lp, **bucket;

	if (in_pkt != NULL)
		(void) fk_lpkt_move(in_pkt, FL_IDLE, FL_IDLE, "scsi_init_pkt");
	pkt = tran->tran_init_pkt(ap, in_pkt, bp, cmdlen, statuslen, pplen,
	    flags, callback, NULL);
	if (pkt == NULL || in_pkt != NULL)
		return (pkt);

	lp = kmem_zalloc(sizeof (*lp), callback == SLEEP_FUNC ? KM_SLEEP :
	    KM_NOSLEEP);
	if (lp == NULL) {
		tran->tran_destroy_pkt(ap, pkt);
		return (NULL);
	}
	lp->lp_pkt = pkt;
	lp->lp_lun = fk_child_lun_of(ap);
	lp->lp_scblen = (size_t)MAX(statuslen, 0);
	lp->lp_state = FL_IDLE;
	fk_lock_enter(&fk_lpkt_lock);
	bucket = fk_lpkt_bucket(pkt);
	lp->lp_next = *bucket;
	*bucket = lp;
	fk_lock_exit(&fk_lpkt_lock);
	return (pkt);
}

/* From scsi_transport to the completion of pkt, in ns; 0 before it. */
hrtime_t
fk_legacy_latency(struct scsi_pkt *pkt)
{
	fk_lpkt_t *lp;
	hrtime_t ns;

	fk_lock_enter(&fk_lpkt_lock);
	lp = fk_lpkt_find(pkt, "fk_pkt_latency");
	ns = lp->lp_stop != 0 ? lp->lp_stop - lp->lp_start : 0;
	fk_lock_exit(&fk_lpkt_lock);
	return (ns);
}

/* The statuslen the target driver gave scsi_init_pkt for pkt. */
size_t
fk_legacy_scblen(struct scsi_pkt *pkt)
{
	fk_lpkt_t *lp;
	size_t len;

	fk_lock_enter(&fk_lpkt_lock);
	lp = fk_lpkt_find(pkt, "fk_pkt_scblen");
	len = lp->lp_scblen;
	fk_lock_exit(&fk_lpkt_lock);
	return (len);
}

void
fk_legacy_destroy_pkt(struct scsi_pkt *pkt)
{
	scsi_hba_tran_t *tran = pkt->pkt_address.a_hba_tran;
	fk_lpkt_t *lp, **lpp;

	fk_lock_enter(&fk_lpkt_lock);
	lp = fk_lpkt_find(pkt, "scsi_destroy_pkt");
	if (lp->lp_state != FL_IDLE) {
		fk_lock_exit(&fk_lpkt_lock);
		panic("scsa: packet %p destroyed while %s", (void *)pkt,
		    fk_lpkt_state_name[lp->lp_state]);
	}
	for (lpp = fk_lpkt_bucket(pkt); *lpp != lp; lpp = &(*lpp)->lp_next)
		continue;
	*lpp = lp->lp_next;
	fk_lock_exit(&fk_lpkt_lock);
	tran->tran_destroy_pkt(&pkt->pkt_address, pkt);
	if (lp->lp_lun != NULL)
		fk_lun_rele(lp->lp_lun);
	kmem_free(lp, sizeof (*lp));
}

int
fk_legacy_transport(struct scsi_pkt *pkt)
{
	scsi_hba_tran_t *tran = pkt->pkt_address.a_hba_tran;
	int polled = (pkt->pkt_flags & FLAG_NOINTR) != 0;
	fk_lpkt_t *lp;
	fk_lun_t *lun;
	int rv;

	lp = fk_lpkt_move(pkt, FL_IDLE, FL_STARTED, "scsi_transport");
	if (!polled) {
		lp->lp_comp = pkt->pkt_comp;
		pkt->pkt_comp = fk_legacy_comp;
	}
	if ((lun = lp->lp_lun) != NULL && !fk_lun_enter(lun)) {
		if (!polled)
			pkt->pkt_comp = lp->lp_comp;
		(void) fk_lpkt_move(pkt, FL_STARTED, FL_IDLE,
		    "scsi_transport");
		return (TRAN_FATAL_ERROR);
	}
	lp->lp_start = gethrtime();
	lp->lp_stop = 0;
	if (lun != NULL)
		fk_pkt_started(lun);
	__atomic_add_fetch(&fk_counters.fc_pkt_starts, 1, __ATOMIC_RELAXED);

	rv = tran->tran_start(&pkt->pkt_address, pkt);

	if (rv != TRAN_ACCEPT) {
		(void) fk_lpkt_move(pkt, FL_STARTED, FL_IDLE,
		    "tran_start refused it, yet it completed: scsi_transport");
		if (!polled)
			pkt->pkt_comp = lp->lp_comp;
		fk_pkt_refused(lun, rv);
		if (lun != NULL)
			fk_lun_exit(lun);
		return (rv);
	}
	if (polled) {
		/* tran_start(9E) returns a FLAG_NOINTR packet complete. */
		(void) fk_lpkt_move(pkt, FL_STARTED, FL_IDLE,
		    "polled packet after tran_start: scsi_transport");
		lp->lp_stop = gethrtime();
		if (lun != NULL) {
			fk_pkt_completed(lun, pkt);
			fk_lun_exit(lun);
		}
	}
	return (rv);
}

/*
 * The completion of a packet in transport.  A legacy HBA may call
 * pkt_comp itself rather than scsi_hba_pkt_comp(9F), as illumos lets it:
 * while a packet is in transport its pkt_comp is this function (the
 * target's is kept in the record and put back before it runs).
 */
static void
fk_legacy_comp(struct scsi_pkt *pkt)
{
	void (*comp)(struct scsi_pkt *);
	fk_lpkt_t *lp;
	fk_lun_t *lun;

	lp = fk_lpkt_move(pkt, FL_STARTED, FL_COMPLETING, "pkt_comp");
	comp = lp->lp_comp;
	pkt->pkt_comp = comp;
	lp->lp_stop = gethrtime();
	if ((lun = lp->lp_lun) != NULL) {
		fk_lun_hold(lun);
		fk_pkt_completed(lun, pkt);
	}
	(void) fk_lpkt_move(pkt, FL_COMPLETING, FL_IDLE, "pkt_comp");
	if (comp != NULL)
		fk_scsa_run_comp(pkt, comp);
	if (lun != NULL) {
		fk_lun_exit(lun);
		fk_lun_rele(lun);
	}
}

void
fk_legacy_pkt_comp(struct scsi_pkt *pkt)
{
	if (pkt->pkt_flags & FLAG_NOINTR)
		panic("scsa: packet %p has FLAG_NOINTR: tran_start(9E) must "
		    "complete it before returning, without scsi_hba_pkt_comp",
		    (void *)pkt);
	fk_legacy_comp(pkt);
}

/*
 * scsi_hba_pkt_alloc(9F), scsi_hba_pkt_free(9F), scsi_pkt_size(9F),
 * scsi_size_clean(9F).  One allocation: the scsi_pkt, then hbalen bytes
 * of HBA private data (pkt_ha_private), then the CDB, target private and
 * status areas of at least the sizes asked (the defaults when smaller).
 */
#define	HPA_ALIGN(x)	P2ROUNDUP((size_t)(x), 16)
#define	HPA_CDB		16
#define	HPA_PRIV	8
#define	HPA_SCB		(sizeof (struct scsi_arq_status))

typedef struct fk_hba_pkt {
	size_t		hp_size;	/* the whole allocation */
	uint64_t	hp_pad;
	struct scsi_pkt	hp_pkt;
} fk_hba_pkt_t;

struct scsi_pkt *
scsi_hba_pkt_alloc(dev_info_t *dip, struct scsi_address *ap, int cmdlen,
    int statuslen, int tgtlen, int hbalen, int (*callback)(caddr_t),
    caddr_t arg)
{
	size_t cdb = MAX(cmdlen, HPA_CDB), priv = MAX(tgtlen, HPA_PRIV);
	size_t scb = MAX((size_t)statuslen, HPA_SCB), off, size;
	fk_hba_pkt_t *hp;
	struct scsi_pkt *pkt;
	char *base;

	(void) dip;
	(void) arg;
	if (cmdlen < 0 || statuslen < 0 || tgtlen < 0 || hbalen < 0)
		return (NULL);
	off = HPA_ALIGN(sizeof (fk_hba_pkt_t));
	size = off + HPA_ALIGN(hbalen) + HPA_ALIGN(cdb) + HPA_ALIGN(priv) +
	    HPA_ALIGN(scb);
	if (callback == SLEEP_FUNC)
		fk_assert_may_block("scsi_hba_pkt_alloc(SLEEP_FUNC)");
	hp = kmem_zalloc(size, callback == SLEEP_FUNC ? KM_SLEEP : KM_NOSLEEP);
	if (hp == NULL)
		return (NULL);
	hp->hp_size = size;
	pkt = &hp->hp_pkt;
	base = (char *)hp;
	pkt->pkt_ha_private = hbalen > 0 ? base + off : NULL;
	off += HPA_ALIGN(hbalen);
	pkt->pkt_cdbp = (uchar_t *)base + off;
	off += HPA_ALIGN(cdb);
	pkt->pkt_private = base + off;
	off += HPA_ALIGN(priv);
	pkt->pkt_scbp = (uchar_t *)base + off;
	pkt->pkt_cdblen = cmdlen;
	pkt->pkt_tgtlen = tgtlen;
	pkt->pkt_scblen = statuslen;
	pkt->pkt_address = *ap;
	return (pkt);
}

void
scsi_hba_pkt_free(struct scsi_address *ap, struct scsi_pkt *pkt)
{
	fk_hba_pkt_t *hp;

	(void) ap;
	if (pkt == NULL)
		return;
	hp = (fk_hba_pkt_t *)(void *)((char *)pkt -
	    offsetof(fk_hba_pkt_t, hp_pkt));
	kmem_free(hp, hp->hp_size);
}

size_t
scsi_pkt_size(void)
{
	return (sizeof (struct scsi_pkt));
}

/*
 * The HBA promises to allocate packets of scsi_pkt_size() bytes, so that
 * illumos may grow scsi_pkt behind it.  The fakekernel's scsi_pkt has one
 * size: nothing depends on the promise.
 */
void
scsi_size_clean(dev_info_t *dip)
{
	(void) dip;
}

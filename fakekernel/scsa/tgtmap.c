/*
 * SCSA target maps (scsi_hba_tgtmap_create(9F), tgtmap in iport(9)).
 *
 * A map holds the targets an iport's HBA reports, either address by
 * address (SCSI_TM_PERADDR: tgt_add/tgt_remove) or as complete sets
 * (SCSI_TM_FULLSET: set_begin, set_add..., set_end; set_flush drops a
 * report in progress), which the framework compares with what it has.
 * Reports only record what the HBA said; a worker thread per map applies
 * them once they have been quiet for settle_usec (each change restarts
 * the wait):
 *   - a target that left: its units are removed (packets drain,
 *     tran_tgt_free, nodes go), then deactivate_cb(..., GONE);
 *   - a target that arrived: activate_cb (which may replace the target's
 *     private value), then LUN discovery (lun.c).  When no unit could be
 *     configured, deactivate_cb(..., CFG_FAIL); if it returns B_TRUE the
 *     worker tries again after the settle time (at most FK_CFG_RETRIES
 *     times), otherwise the target stays failed until the HBA reports
 *     it anew.
 *   - scsi_hba_tgtmap_scan_luns(), and a completion that carries
 *     REPORTED LUNS DATA HAS CHANGED, make the worker rediscover a
 *     target's units at once.
 * csync_usec bounds fk_scsa_config()'s wait for the initial enumeration
 * (counted from the map's creation; the wait ends early once the HBA
 * has reported and the map has applied the reports).
 * Destroying a map deactivates every target it holds (GONE).
 *
 * The reporting functions, scan_luns, create and destroy panic in
 * interrupt context (the man page says to use a taskq or timeout(9F)).
 * SCSI_TGT_SMP_DEVICE targets get their callbacks but no discovery.
 */

#include <sys/scsi/scsi.h>
#include <sys/cmn_err.h>
#include <sys/debug.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <fk_impl.h>
#include <fk_scsi.h>
#include "scsa_impl.h"

#include <errno.h>
#include <string.h>

#define	FK_CFG_RETRIES		3
#define	FK_RETRY_MIN_NS		MSEC2NSEC(100)

static void *fk_tgtmap_worker(void *);

static fk_tgtmap_t *
fk_tm(scsi_hba_tgtmap_t *tm, const char *op)
{
	if (tm == NULL || tm->tm_magic != FK_TGTMAP_MAGIC)
		panic("%s: %p is not a live target map", op, (void *)tm);
	return (tm);
}

static fk_tgt_t *
fk_tgt_lookup(fk_tgtmap_t *tm, scsi_tgtmap_tgt_type_t type,
    const char *addr)
{
	fk_tgt_t *t;

	ASSERT(MUTEX_HELD(&tm->tm_lock));
	for (t = tm->tm_tgts; t != NULL; t = t->t_next) {
		if (t->t_type == type && strcmp(t->t_addr, addr) == 0)
			return (t);
	}
	return (NULL);
}

static fk_tgt_t *
fk_tgt_new(fk_tgtmap_t *tm, scsi_tgtmap_tgt_type_t type, const char *addr,
    void *priv)
{
	fk_tgt_t *t;

	ASSERT(MUTEX_HELD(&tm->tm_lock));
	t = kmem_zalloc(sizeof (*t), KM_SLEEP);
	t->t_addr = kmem_asprintf("%s", addr);
	t->t_type = type;
	t->t_priv = priv;
	t->t_next = tm->tm_tgts;
	tm->tm_tgts = t;
	return (t);
}

static void
fk_tgt_free(fk_tgt_t *t)
{
	ASSERT(t->t_luns == NULL);
	strfree(t->t_addr);
	kmem_free(t, sizeof (*t));
}

/* A report changed what the map should hold: restart the settle wait. */
static void
fk_tgtmap_changed(fk_tgtmap_t *tm)
{
	ASSERT(MUTEX_HELD(&tm->tm_lock));
	tm->tm_reports++;
	tm->tm_dirty = 1;
	tm->tm_deadline = gethrtime() + USEC2NSEC(tm->tm_settle_usec);
	cv_broadcast(&tm->tm_cv);
}

/* A target the HBA may report: a known type, a usable unit address. */
static int
fk_report_ok(scsi_tgtmap_tgt_type_t type, const char *addr)
{
	return (type < SCSI_TGT_NTYPES && addr != NULL && addr[0] != '\0' &&
	    strlen(addr) < FK_SCSI_ADDRLEN - 20 && strchr(addr, ',') == NULL &&
	    strchr(addr, '/') == NULL && strchr(addr, '@') == NULL);
}

/* The target (re)arrived or configured: forget earlier failures. */
static void
fk_tgt_unfail(fk_tgt_t *t)
{
	t->t_failed = 0;
	t->t_retries = 0;
	t->t_retry_at = 0;
}

/*
 * The start of a full-set call: the map reports full sets and is (with
 * inreport) or is not (without) between set_begin and set_end.  On
 * DDI_SUCCESS the map's lock is held.
 */
static int
fk_set_enter(fk_tgtmap_t *tm, int inreport)
{
	if (tm->tm_mode != SCSI_TM_FULLSET)
		return (DDI_FAILURE);
	mutex_enter(&tm->tm_lock);
	if ((tm->tm_inreport != 0) != (inreport != 0)) {
		mutex_exit(&tm->tm_lock);
		return (DDI_FAILURE);
	}
	return (DDI_SUCCESS);
}

/* An active target's units are to be discovered again (lock held). */
static void
fk_tgt_rescan(fk_tgtmap_t *tm, fk_tgt_t *t)
{
	ASSERT(MUTEX_HELD(&tm->tm_lock));
	if (t != NULL && t->t_active) {
		t->t_rescan = 1;
		cv_broadcast(&tm->tm_cv);
	}
}

/* The map's last step, once its worker is gone. */
static void
fk_tgtmap_free(fk_tgtmap_t *tm)
{
	tm->tm_magic = 0;
	mutex_destroy(&tm->tm_lock);
	cv_destroy(&tm->tm_cv);
	cv_destroy(&tm->tm_idle_cv);
	kmem_free(tm, sizeof (*tm));
}

/* A target leaves: its units go, then deactivate_cb(..., GONE). */
static void
fk_tgt_gone(fk_tgtmap_t *tm, fk_tgt_t *t)
{
	fk_tgt_remove_luns(tm, t);
	if (tm->tm_deact != NULL)
		(void) tm->tm_deact(tm->tm_priv, t->t_addr, t->t_type,
		    t->t_priv, SCSI_TGT_DEACT_RSN_GONE);
}

/*
 * scsi_hba_tgtmap_create(9F).
 */
int
scsi_hba_tgtmap_create(dev_info_t *dip, scsi_tgtmap_mode_t mode,
    int csync_usec, int settle_usec, void *priv,
    scsi_tgt_activate_cb_t activate_cb,
    scsi_tgt_deactivate_cb_t deactivate_cb, scsi_hba_tgtmap_t **tmp)
{
	fk_scsa_iport_t *ip;
	fk_tgtmap_t *tm;
	char name[32];

	fk_scsa_init();
	fk_assert_may_block("scsi_hba_tgtmap_create");
	if (tmp == NULL)
		return (DDI_FAILURE);
	*tmp = NULL;
	if ((ip = fk_scsa_iport_of(dip)) == NULL) {
		if (dip != NULL)
			dev_err(dip, CE_WARN, "scsi_hba_tgtmap_create: target "
			    "maps are only supported on iports");
		return (DDI_FAILURE);
	}
	if (mode != SCSI_TM_FULLSET && mode != SCSI_TM_PERADDR)
		return (DDI_FAILURE);
	if (ip->ip_tgtmap != NULL) {
		dev_err(dip, CE_WARN, "scsi_hba_tgtmap_create: the iport has "
		    "a target map already");
		return (DDI_FAILURE);
	}
	if (ddi_get_driver_private(dip) == NULL) {
		dev_err(dip, CE_WARN, "scsi_hba_tgtmap_create: the iport has "
		    "no scsi_hba_tran");
		return (DDI_FAILURE);
	}

	tm = kmem_zalloc(sizeof (*tm), KM_SLEEP);
	tm->tm_iport = dip;
	tm->tm_ip = ip;
	tm->tm_tran = ddi_get_driver_private(dip);
	tm->tm_mode = mode;
	tm->tm_csync_usec = MAX(csync_usec, 0);
	tm->tm_settle_usec = MAX(settle_usec, 0);
	tm->tm_priv = priv;
	tm->tm_act = activate_cb;
	tm->tm_deact = deactivate_cb;
	tm->tm_created = gethrtime();
	mutex_init(&tm->tm_lock, "scsa tgtmap", MUTEX_DRIVER, NULL);
	cv_init(&tm->tm_cv, NULL, CV_DRIVER, NULL);
	cv_init(&tm->tm_idle_cv, NULL, CV_DRIVER, NULL);
	tm->tm_magic = FK_TGTMAP_MAGIC;

	(void) snprintf(name, sizeof (name), "tgtmap %s%d", ddi_driver_name(
	    ddi_get_parent(dip)), ddi_get_instance(ddi_get_parent(dip)));
	tm->tm_running = 1;
	if (fk_thread_create(&tm->tm_thread, name, fk_tgtmap_worker, tm) !=
	    0) {
		fk_tgtmap_free(tm);
		return (DDI_FAILURE);
	}
	tm->tm_tran->tran_tgtmap = tm;
	ip->ip_tgtmap = tm;
	mutex_enter(&fk_scsa_reg_lock);
	tm->tm_next = fk_scsa_tgtmaps;
	fk_scsa_tgtmaps = tm;
	mutex_exit(&fk_scsa_reg_lock);
	*tmp = tm;
	return (DDI_SUCCESS);
}

/*
 * scsi_hba_tgtmap_destroy(9F): stop the worker, deactivate everything.
 */
void
scsi_hba_tgtmap_destroy(scsi_hba_tgtmap_t *tmh)
{
	fk_tgtmap_t *tm = fk_tm(tmh, "scsi_hba_tgtmap_destroy"), **tmpp;
	fk_tgt_t *t;

	fk_assert_may_block("scsi_hba_tgtmap_destroy");
	if (fk_thread_self() == tm->tm_thread)
		panic("scsi_hba_tgtmap_destroy: called from the map's own "
		    "callback");
	mutex_enter(&tm->tm_lock);
	tm->tm_stop = 1;
	cv_broadcast(&tm->tm_cv);
	mutex_exit(&tm->tm_lock);
	if (tm->tm_running)
		VERIFY0(fk_thread_join(tm->tm_thread, NULL));
	tm->tm_running = 0;

	mutex_enter(&fk_scsa_reg_lock);
	tmpp = &fk_scsa_tgtmaps;
	for (; *tmpp != NULL; tmpp = &(*tmpp)->tm_next) {
		if (*tmpp == tm) {
			*tmpp = tm->tm_next;
			break;
		}
	}
	mutex_exit(&fk_scsa_reg_lock);

	while ((t = tm->tm_tgts) != NULL) {
		tm->tm_tgts = t->t_next;
		if (t->t_active)
			fk_tgt_gone(tm, t);
		fk_tgt_free(t);
	}
	if (tm->tm_ip->ip_tgtmap == tm)
		tm->tm_ip->ip_tgtmap = NULL;
	if (tm->tm_tran->tran_tgtmap == tm)
		tm->tm_tran->tran_tgtmap = NULL;
	mutex_enter(&tm->tm_lock);
	cv_broadcast(&tm->tm_idle_cv);
	mutex_exit(&tm->tm_lock);
	fk_tgtmap_free(tm);
}

/*
 * Per-address reports.
 */
int
scsi_hba_tgtmap_tgt_add(scsi_hba_tgtmap_t *tmh, scsi_tgtmap_tgt_type_t type,
    char *addr, void *priv)
{
	fk_tgtmap_t *tm = fk_tm(tmh, "scsi_hba_tgtmap_tgt_add");
	fk_tgt_t *t;

	fk_assert_may_block("scsi_hba_tgtmap_tgt_add");
	if (tm->tm_mode != SCSI_TM_PERADDR || !fk_report_ok(type, addr))
		return (DDI_FAILURE);
	mutex_enter(&tm->tm_lock);
	if ((t = fk_tgt_lookup(tm, type, addr)) == NULL)
		t = fk_tgt_new(tm, type, addr, priv);
	if (!t->t_reported || t->t_failed) {
		if (!t->t_active)
			t->t_priv = priv;
		t->t_reported = 1;
		fk_tgt_unfail(t);
		fk_tgtmap_changed(tm);
	}
	mutex_exit(&tm->tm_lock);
	return (DDI_SUCCESS);
}

int
scsi_hba_tgtmap_tgt_remove(scsi_hba_tgtmap_t *tmh,
    scsi_tgtmap_tgt_type_t type, char *addr)
{
	fk_tgtmap_t *tm = fk_tm(tmh, "scsi_hba_tgtmap_tgt_remove");
	fk_tgt_t *t;

	fk_assert_may_block("scsi_hba_tgtmap_tgt_remove");
	if (tm->tm_mode != SCSI_TM_PERADDR || addr == NULL)
		return (DDI_FAILURE);
	mutex_enter(&tm->tm_lock);
	if ((t = fk_tgt_lookup(tm, type, addr)) == NULL || !t->t_reported) {
		mutex_exit(&tm->tm_lock);
		return (DDI_FAILURE);
	}
	t->t_reported = 0;
	fk_tgtmap_changed(tm);
	mutex_exit(&tm->tm_lock);
	return (DDI_SUCCESS);
}

/*
 * Full-set reports.
 */
int
scsi_hba_tgtmap_set_begin(scsi_hba_tgtmap_t *tmh)
{
	fk_tgtmap_t *tm = fk_tm(tmh, "scsi_hba_tgtmap_set_begin");
	fk_tgt_t *t;

	fk_assert_may_block("scsi_hba_tgtmap_set_begin");
	if (fk_set_enter(tm, 0) != DDI_SUCCESS)
		return (DDI_FAILURE);
	tm->tm_inreport = 1;
	for (t = tm->tm_tgts; t != NULL; t = t->t_next)
		t->t_inset = 0;
	mutex_exit(&tm->tm_lock);
	return (DDI_SUCCESS);
}

int
scsi_hba_tgtmap_set_add(scsi_hba_tgtmap_t *tmh, scsi_tgtmap_tgt_type_t type,
    char *addr, void *priv)
{
	fk_tgtmap_t *tm = fk_tm(tmh, "scsi_hba_tgtmap_set_add");
	fk_tgt_t *t;

	fk_assert_may_block("scsi_hba_tgtmap_set_add");
	if (!fk_report_ok(type, addr) || fk_set_enter(tm, 1) != DDI_SUCCESS)
		return (DDI_FAILURE);
	if ((t = fk_tgt_lookup(tm, type, addr)) == NULL)
		t = fk_tgt_new(tm, type, addr, priv);
	else if (!t->t_inset && !t->t_active && !t->t_reported)
		t->t_priv = priv;
	t->t_inset = 1;
	mutex_exit(&tm->tm_lock);
	return (DDI_SUCCESS);
}

int
scsi_hba_tgtmap_set_end(scsi_hba_tgtmap_t *tmh, uint_t flags)
{
	fk_tgtmap_t *tm = fk_tm(tmh, "scsi_hba_tgtmap_set_end");
	fk_tgt_t *t;

	(void) flags;
	fk_assert_may_block("scsi_hba_tgtmap_set_end");
	if (fk_set_enter(tm, 1) != DDI_SUCCESS)
		return (DDI_FAILURE);
	tm->tm_inreport = 0;
	for (t = tm->tm_tgts; t != NULL; t = t->t_next) {
		/* Arrived (again): a failed one may be retried. */
		if (t->t_inset && !t->t_reported)
			fk_tgt_unfail(t);
		t->t_reported = t->t_inset;
		t->t_inset = 0;
	}
	fk_tgtmap_changed(tm);
	mutex_exit(&tm->tm_lock);
	return (DDI_SUCCESS);
}

int
scsi_hba_tgtmap_set_flush(scsi_hba_tgtmap_t *tmh)
{
	fk_tgtmap_t *tm = fk_tm(tmh, "scsi_hba_tgtmap_set_flush");
	fk_tgt_t *t;

	fk_assert_may_block("scsi_hba_tgtmap_set_flush");
	if (fk_set_enter(tm, 1) != DDI_SUCCESS)
		return (DDI_FAILURE);
	tm->tm_inreport = 0;
	for (t = tm->tm_tgts; t != NULL; t = t->t_next)
		t->t_inset = 0;
	cv_broadcast(&tm->tm_cv);	/* entries of the report go */
	mutex_exit(&tm->tm_lock);
	return (DDI_SUCCESS);
}

/*
 * fk_scsi_tgtmap_lookup: DDI_SUCCESS when the address is an active
 * (configured) SCSI target of the map.
 */
int
fk_scsi_tgtmap_lookup(scsi_hba_tgtmap_t *tmh, char *addr)
{
	fk_tgtmap_t *tm = fk_tm(tmh, "fk_scsi_tgtmap_lookup");
	fk_tgt_t *t;
	int rv;

	if (addr == NULL)
		return (DDI_FAILURE);
	mutex_enter(&tm->tm_lock);
	t = fk_tgt_lookup(tm, SCSI_TGT_SCSI_DEVICE, addr);
	rv = (t != NULL && t->t_active) ? DDI_SUCCESS : DDI_FAILURE;
	mutex_exit(&tm->tm_lock);
	return (rv);
}

/*
 * scsi_hba_tgtmap_scan_luns(9F).
 */
void
scsi_hba_tgtmap_scan_luns(scsi_hba_tgtmap_t *tmh, char *addr)
{
	fk_tgtmap_t *tm = fk_tm(tmh, "scsi_hba_tgtmap_scan_luns");

	fk_assert_may_block("scsi_hba_tgtmap_scan_luns");
	if (addr == NULL)
		return;
	mutex_enter(&tm->tm_lock);
	fk_tgt_rescan(tm, fk_tgt_lookup(tm, SCSI_TGT_SCSI_DEVICE, addr));
	mutex_exit(&tm->tm_lock);
}

/*
 * A completion reported REPORTED LUNS DATA HAS CHANGED: rescan the
 * unit's target.  Any context (interrupt included); allocates nothing.
 */
void
fk_tgtmap_lunchg(fk_lun_t *l)
{
	fk_tgtmap_t *tm = l->l_tm;
	fk_tgt_t *t = l->l_tgt;

	if (tm == NULL || t == NULL)
		return;
	mutex_enter(&tm->tm_lock);
	fk_tgt_rescan(tm, t);
	mutex_exit(&tm->tm_lock);
}

/*
 * The worker.
 */

/* Is there work now?  If not, *waitp is when there may be (0: never). */
static int
fk_tgtmap_due(fk_tgtmap_t *tm, hrtime_t now, hrtime_t *waitp)
{
	fk_tgt_t *t;
	hrtime_t next = 0;
	int work = 0;

	ASSERT(MUTEX_HELD(&tm->tm_lock));
	*waitp = 0;
	if (tm->tm_held)
		return (0);
	if (tm->tm_dirty) {
		if (now >= tm->tm_deadline)
			work = 1;
		else
			next = tm->tm_deadline;
	}
	for (t = tm->tm_tgts; t != NULL; t = t->t_next) {
		if (t->t_rescan && t->t_active && t->t_reported)
			work = 1;
		if (!t->t_reported && !t->t_active && !t->t_inset)
			work = 1;		/* garbage */
		if (t->t_failed && t->t_reported && t->t_retry_at != 0) {
			if (now >= t->t_retry_at)
				work = 1;
			else if (next == 0 || t->t_retry_at < next)
				next = t->t_retry_at;
		}
	}
	*waitp = next;
	return (work);
}

/* Nothing reported and not applied, nothing to do or being done. */
static int
fk_tgtmap_idle(fk_tgtmap_t *tm)
{
	fk_tgt_t *t;

	ASSERT(MUTEX_HELD(&tm->tm_lock));
	if (tm->tm_dirty || tm->tm_busy)
		return (0);
	for (t = tm->tm_tgts; t != NULL; t = t->t_next) {
		if (t->t_rescan && t->t_active)
			return (0);
		if (t->t_failed && t->t_reported && t->t_retry_at != 0)
			return (0);
	}
	return (1);
}

/*
 * Choose what to do, under the lock: mark each target's t_op and drop
 * targets nobody needs any more.  Settled reports are taken only when
 * their settle time has passed.
 */
static void
fk_tgtmap_plan(fk_tgtmap_t *tm, hrtime_t now)
{
	fk_tgt_t *t, **tp;
	int settled = tm->tm_dirty && now >= tm->tm_deadline;

	ASSERT(MUTEX_HELD(&tm->tm_lock));
	if (settled)
		tm->tm_dirty = 0;
	for (tp = &tm->tm_tgts; (t = *tp) != NULL; ) {
		t->t_op = FK_TOP_NONE;
		if (!t->t_reported && !t->t_active && !t->t_inset) {
			*tp = t->t_next;
			fk_tgt_free(t);
			continue;
		}
		if (t->t_active && !t->t_reported && settled) {
			t->t_op = FK_TOP_DEACT;
		} else if (!t->t_active && t->t_reported && settled &&
		    !t->t_failed) {
			t->t_op = FK_TOP_ACTIVATE;
		} else if (!t->t_active && t->t_reported && t->t_failed &&
		    t->t_retry_at != 0 && now >= t->t_retry_at) {
			t->t_op = FK_TOP_ACTIVATE;
			t->t_retry_at = 0;
		} else if (t->t_active && t->t_reported && t->t_rescan) {
			t->t_op = FK_TOP_RESCAN;
		}
		if (t->t_op == FK_TOP_RESCAN || t->t_op == FK_TOP_DEACT)
			t->t_rescan = 0;
		tp = &t->t_next;
	}
}

static void
fk_tgt_activate(fk_tgtmap_t *tm, fk_tgt_t *t)
{
	void *priv = t->t_priv;
	boolean_t again = B_FALSE;
	int n = 1;

	if (tm->tm_act != NULL)
		tm->tm_act(tm->tm_priv, t->t_addr, t->t_type, &priv);
	if (t->t_type == SCSI_TGT_SCSI_DEVICE)
		n = fk_tgt_discover(tm, t, 0);
	if (n <= 0 && tm->tm_deact != NULL)
		again = tm->tm_deact(tm->tm_priv, t->t_addr, t->t_type, priv,
		    SCSI_TGT_DEACT_RSN_CFG_FAIL);

	mutex_enter(&tm->tm_lock);
	t->t_priv = priv;
	if (n > 0) {
		t->t_active = 1;
		fk_tgt_unfail(t);
	} else {
		t->t_failed = 1;
		if (again && t->t_retries < FK_CFG_RETRIES) {
			t->t_retries++;
			t->t_retry_at = gethrtime() + MAX(FK_RETRY_MIN_NS,
			    USEC2NSEC(tm->tm_settle_usec));
		} else {
			t->t_retry_at = 0;
		}
	}
	mutex_exit(&tm->tm_lock);
}

static void
fk_tgt_deactivate(fk_tgtmap_t *tm, fk_tgt_t *t)
{
	fk_tgt_gone(tm, t);
	mutex_enter(&tm->tm_lock);
	t->t_active = 0;
	mutex_exit(&tm->tm_lock);
}

/* Carry out the plan, without the lock (the list only grows at its head). */
static void
fk_tgtmap_apply(fk_tgtmap_t *tm, fk_tgt_t *head)
{
	fk_tgt_t *t;

	for (t = head; t != NULL; t = t->t_next) {
		if (t->t_op == FK_TOP_DEACT)
			fk_tgt_deactivate(tm, t);
	}
	for (t = head; t != NULL; t = t->t_next) {
		switch (t->t_op) {
		case FK_TOP_ACTIVATE:
			fk_tgt_activate(tm, t);
			break;
		case FK_TOP_RESCAN:
			(void) fk_tgt_discover(tm, t, 1);
			break;
		default:
			break;
		}
		t->t_op = FK_TOP_NONE;
	}
}

static void *
fk_tgtmap_worker(void *arg)
{
	fk_tgtmap_t *tm = arg;
	fk_tgt_t *head;
	hrtime_t now, next;
	clock_t ticks;

	mutex_enter(&tm->tm_lock);
	while (!tm->tm_stop) {
		now = gethrtime();
		if (!fk_tgtmap_due(tm, now, &next)) {
			if (fk_tgtmap_idle(tm))
				cv_broadcast(&tm->tm_idle_cv);
			if (next == 0) {
				cv_wait(&tm->tm_cv, &tm->tm_lock);
			} else {
				ticks = drv_usectohz(NSEC2USEC(next - now) + 1);
				(void) cv_reltimedwait(&tm->tm_cv, &tm->tm_lock,
				    MAX(ticks, 1), TR_CLOCK_TICK);
			}
			continue;
		}
		fk_tgtmap_plan(tm, now);
		head = tm->tm_tgts;
		tm->tm_busy = 1;
		mutex_exit(&tm->tm_lock);
		fk_tgtmap_apply(tm, head);
		fk_assert_unlocked("a target map callback");
		mutex_enter(&tm->tm_lock);
		tm->tm_busy = 0;
		cv_broadcast(&tm->tm_idle_cv);
	}
	mutex_exit(&tm->tm_lock);
	return (NULL);
}

/*
 * Unconfiguration: stop applying reports (wait for the worker to finish
 * what it is doing), and start again.
 */
void
fk_tgtmap_hold(fk_tgtmap_t *tm)
{
	mutex_enter(&tm->tm_lock);
	tm->tm_held = 1;
	while (tm->tm_busy)
		cv_wait(&tm->tm_idle_cv, &tm->tm_lock);
	mutex_exit(&tm->tm_lock);
}

void
fk_tgtmap_unhold(fk_tgtmap_t *tm)
{
	fk_tgt_t *t;

	mutex_enter(&tm->tm_lock);
	tm->tm_held = 0;
	for (t = tm->tm_tgts; t != NULL; t = t->t_next) {
		if (t->t_active)
			t->t_rescan = 1;
	}
	cv_broadcast(&tm->tm_cv);
	mutex_exit(&tm->tm_lock);
}

/*
 * Wait until the map is idle (with reported, once the HBA has reported
 * something) or held, until end: 0, or ETIMEDOUT.
 */
static int
fk_tgtmap_wait(fk_tgtmap_t *tm, hrtime_t end, int reported)
{
	hrtime_t now;
	int rv = 0;

	mutex_enter(&tm->tm_lock);
	while (!((!reported || tm->tm_reports > 0) && fk_tgtmap_idle(tm)) &&
	    !tm->tm_held) {
		now = gethrtime();
		if (now >= end) {
			rv = ETIMEDOUT;
			break;
		}
		(void) cv_reltimedwait(&tm->tm_idle_cv, &tm->tm_lock,
		    MAX(drv_usectohz(NSEC2USEC(end - now)), 1), TR_CLOCK_TICK);
	}
	mutex_exit(&tm->tm_lock);
	return (rv);
}

/* Wait until the map is idle: 0, or ETIMEDOUT. */
int
fk_tgtmap_sync(fk_tgtmap_t *tm, hrtime_t timeout)
{
	return (fk_tgtmap_wait(tm, gethrtime() + timeout, 0));
}

/*
 * The initial enumeration: wait until the HBA has reported something and
 * the map has applied it, but no longer than csync_usec after the map
 * was made (an HBA with nothing to report is done when that passes).
 */
int
fk_tgtmap_csync(fk_tgtmap_t *tm)
{
	return (fk_tgtmap_wait(tm, tm->tm_created +
	    USEC2NSEC(tm->tm_csync_usec), 1));
}

int
fk_scsi_settle(dev_info_t *iport, hrtime_t timeout)
{
	fk_tgtmap_t *maps[64], *tm;
	hrtime_t end = gethrtime() + timeout, now;
	int i, n = 0, rv = 0;

	fk_scsa_init();
	/* Hold the registry only to collect; a map outlives this call. */
	mutex_enter(&fk_scsa_reg_lock);
	for (tm = fk_scsa_tgtmaps; tm != NULL && n < 64; tm = tm->tm_next) {
		if (iport == NULL || tm->tm_iport == iport)
			maps[n++] = tm;
	}
	mutex_exit(&fk_scsa_reg_lock);
	for (i = 0; i < n && rv == 0; i++) {
		now = gethrtime();
		rv = fk_tgtmap_sync(maps[i], now < end ? end - now : 0);
	}
	return (rv);
}

int
fk_scsi_targets(dev_info_t *iport, char (*addrs)[FK_SCSI_ADDRLEN], int max)
{
	fk_scsa_iport_t *ip = fk_scsa_iport_of(iport);
	fk_tgtmap_t *tm;
	fk_tgt_t *t;
	int n = 0;

	if (ip == NULL || (tm = ip->ip_tgtmap) == NULL)
		return (0);
	mutex_enter(&tm->tm_lock);
	for (t = tm->tm_tgts; t != NULL; t = t->t_next) {
		if (!t->t_active)
			continue;
		if (n < max)
			(void) strlcpy(addrs[n], t->t_addr, FK_SCSI_ADDRLEN);
		n++;
	}
	mutex_exit(&tm->tm_lock);
	return (n);
}

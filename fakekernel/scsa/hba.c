/*
 * SCSA: HBA registration (scsi_hba_attach_setup(9F), scsi_hba_tran_alloc
 * (9F)), iports (iport(9), scsi_hba_iport_register(9F)), bringing an
 * HBA's children up and down, and the capability, reset and abort entry
 * points a target driver calls.
 *
 * iports.  scsi_hba_iport_register() creates the iport node at once (node
 * name "iport", unit address the given name) and leaves it pending; the
 * iport attaches, through the HBA's own dev_ops, when the HBA's attach
 * has returned: from the device tree's post-attach hook, or from
 * fk_scsa_config().  Before the driver's attach(9E) runs for it, the
 * iport gets its own scsi_hba_tran: a copy of the HBA's (same private
 * data and entry points) whose tran_hba_dip and tran_iport_dip are the
 * iport, as its driver private data.  An iport registered after the HBA
 * has attached attaches at once.
 */

#include <sys/scsi/scsi.h>
#include <sys/cmn_err.h>
#include <sys/debug.h>
#include <sys/time.h>
#include <fk_impl.h>
#include <fk_scsi.h>
#include "scsa_impl.h"

#include <errno.h>
#include <string.h>

kmutex_t fk_scsa_reg_lock;		/* HBAs, target maps, the registry */
static kmutex_t fk_scsa_config_lock;	/* one configuration at a time */
fk_scsa_hba_t *fk_scsa_hbas;
fk_tgtmap_t *fk_scsa_tgtmaps;

static fk_once_t fk_scsa_once = FK_ONCE_INIT;

static void fk_scsa_post_attach(dev_info_t *);

/*
 * The device tree calls this after a driver's attach(9E) of a node
 * succeeds (fk_impl.h); for an HBA it attaches the registered iports.
 */
void (*fk_devi_post_attach_hook)(dev_info_t *) = fk_scsa_post_attach;

static void
fk_scsa_init_once(void)
{
	mutex_init(&fk_scsa_reg_lock, "scsa registry", MUTEX_DRIVER, NULL);
	mutex_init(&fk_scsa_config_lock, "scsa config", MUTEX_DRIVER, NULL);
}

void
fk_scsa_init(void)
{
	fk_once(&fk_scsa_once, fk_scsa_init_once);
}

/*
 * Per-node state.
 */
fk_scsa_hba_t *
fk_scsa_hba_of(dev_info_t *dip)
{
	fk_scsa_hba_t *h;

	if (dip == NULL || (h = DEVI(dip)->devi_scsa) == NULL ||
	    h->h_kind != FK_SN_HBA)
		return (NULL);
	return (h);
}

fk_scsa_iport_t *
fk_scsa_iport_of(dev_info_t *dip)
{
	fk_scsa_iport_t *ip;

	if (dip == NULL || (ip = DEVI(dip)->devi_scsa) == NULL ||
	    ip->ip_kind != FK_SN_IPORT)
		return (NULL);
	return (ip);
}

fk_lun_t *
fk_scsa_lun_of(dev_info_t *dip)
{
	fk_lun_t *l;

	if (dip == NULL || (l = DEVI(dip)->devi_scsa) == NULL ||
	    l->l_kind != FK_SN_LUN)
		return (NULL);
	return (l);
}

/*
 * scsi_hba_init(9F) and scsi_hba_fini(9F): the module hooks.  illumos
 * installs its bus_ops in the driver's dev_ops here; the fakekernel's
 * device tree needs none.
 */
int
scsi_hba_init(struct modlinkage *modlp)
{
	fk_scsa_init();
	if (modlp == NULL)
		return (EINVAL);
	return (0);
}

void
scsi_hba_fini(struct modlinkage *modlp)
{
	(void) modlp;
}

/*
 * scsi_hba_tran_alloc(9F), scsi_hba_tran_free(9F).
 */
scsi_hba_tran_t *
scsi_hba_tran_alloc(dev_info_t *dip, int flags)
{
	fk_tran_t *ft;

	(void) dip;
	fk_scsa_init();
	ft = kmem_zalloc(sizeof (*ft),
	    (flags & SCSI_HBA_CANSLEEP) ? KM_SLEEP : KM_NOSLEEP);
	if (ft == NULL)
		return (NULL);
	ft->ft_tran.tran_interconnect_type = INTERCONNECT_PARALLEL;
	return (&ft->ft_tran);
}

void
scsi_hba_tran_free(scsi_hba_tran_t *tran)
{
	fk_scsa_hba_t *h;

	if (tran == NULL)
		return;
	mutex_enter(&fk_scsa_reg_lock);
	for (h = fk_scsa_hbas; h != NULL; h = h->h_next) {
		if (h->h_tran == tran) {
			mutex_exit(&fk_scsa_reg_lock);
			panic("scsi_hba_tran_free: tran %p is still attached "
			    "to %s%d (scsi_hba_detach first)", (void *)tran,
			    ddi_driver_name(h->h_dip),
			    ddi_get_instance(h->h_dip));
		}
	}
	mutex_exit(&fk_scsa_reg_lock);
	kmem_free(tran, sizeof (fk_tran_t));
}

/*
 * Give a tran the framework state scsi_hba_attach_setup() records: its
 * node, DMA attributes and flags, and (for tran_setup_pkt HBAs) a packet
 * cache.
 */
static int
fk_tran_setup(dev_info_t *dip, ddi_dma_attr_t *attr, scsi_hba_tran_t *tran,
    int flags)
{
	fk_scsa_tran_t *st;

	/*
	 * SCSI_HBA_TRAN_CLONE: each child gets a copy of the tran (child.c).
	 * SCSI_HBA_TRAN_CDB and SCSI_HBA_TRAN_SCB ask the framework for the
	 * CDB and status areas of the packets it allocates; a tran_init_pkt
	 * HBA allocates its own, so they change nothing there.
	 */
	if (tran->tran_setup_pkt == NULL && tran->tran_init_pkt == NULL) {
		dev_err(dip, CE_WARN, "scsi_hba_attach_setup: the tran has "
		    "neither tran_setup_pkt nor tran_init_pkt");
		return (DDI_FAILURE);
	}
	if (tran->tran_setup_pkt != NULL && (tran->tran_start == NULL ||
	    tran->tran_teardown_pkt == NULL)) {
		dev_err(dip, CE_WARN, "scsi_hba_attach_setup: tran_setup_pkt "
		    "needs tran_teardown_pkt and tran_start");
		return (DDI_FAILURE);
	}
	if (attr->dma_attr_sgllen <= 0) {
		dev_err(dip, CE_WARN, "scsi_hba_attach_setup: DMA attributes "
		    "with dma_attr_sgllen %d", attr->dma_attr_sgllen);
		return (DDI_FAILURE);
	}

	tran->tran_hba_dip = dip;
	tran->tran_dma_attr = *attr;
	tran->tran_hba_flags = flags;
	if (tran->tran_setup_pkt != NULL) {
		if ((st = kmem_zalloc(sizeof (*st), KM_SLEEP)) == NULL)
			return (DDI_FAILURE);
		st->st_owner = tran;
		if ((st->st_pc = fk_pktcache_create(dip, tran, flags)) ==
		    NULL) {
			kmem_free(st, sizeof (*st));
			return (DDI_FAILURE);
		}
		FK_TRAN_ST(tran) = st;
		tran->tran_pkt_cache_ptr = st->st_pc->pc_cache;
	}
	return (DDI_SUCCESS);
}

static void
fk_tran_unsetup(scsi_hba_tran_t *tran)
{
	fk_scsa_tran_t *st = FK_TRAN_ST(tran);

	if (st == NULL || st->st_owner != tran)
		return;
	fk_pktcache_destroy(st->st_pc);
	kmem_free(st, sizeof (*st));
	FK_TRAN_ST(tran) = NULL;
	tran->tran_pkt_cache_ptr = NULL;
}

/*
 * Integer properties scsi_hba_attach_setup(9F) attaches unless the node
 * has them: reset recovery and selection timeouts, in milliseconds.
 */
static void
fk_hba_props(dev_info_t *dip)
{
	if (!ddi_prop_exists(DDI_DEV_T_ANY, dip, DDI_PROP_DONTPASS,
	    "scsi-reset-delay"))
		(void) ddi_prop_update_int(DDI_DEV_T_NONE, dip,
		    "scsi-reset-delay", 3000);
	if (!ddi_prop_exists(DDI_DEV_T_ANY, dip, DDI_PROP_DONTPASS,
	    "scsi-selection-timeout"))
		(void) ddi_prop_update_int(DDI_DEV_T_NONE, dip,
		    "scsi-selection-timeout", SCSI_DEFAULT_SELECTION_TIMEOUT);
}

/*
 * scsi_hba_attach_setup(9F).  On an HBA node: register the tran and make
 * it the node's driver private data.  On an iport (a driver that sets up
 * its own tran there): that tran replaces the framework's copy.
 */
int
scsi_hba_attach_setup(dev_info_t *dip, ddi_dma_attr_t *attr,
    scsi_hba_tran_t *tran, int flags)
{
	fk_scsa_hba_t *h;
	fk_scsa_iport_t *ip;

	fk_scsa_init();
	fk_assert_may_block("scsi_hba_attach_setup");
	if (dip == NULL || attr == NULL || tran == NULL)
		return (DDI_FAILURE);

	if ((ip = fk_scsa_iport_of(dip)) != NULL) {
		if (fk_tran_setup(dip, attr, tran, flags) != DDI_SUCCESS)
			return (DDI_FAILURE);
		tran->tran_iport_dip = dip;
		ip->ip_tran = tran;
		ddi_set_driver_private(dip, tran);
		return (DDI_SUCCESS);
	}
	if (fk_scsa_hba_of(dip) != NULL) {
		dev_err(dip, CE_WARN, "scsi_hba_attach_setup: already "
		    "attached (scsi_hba_detach first)");
		return (DDI_FAILURE);
	}
	if (fk_tran_setup(dip, attr, tran, flags) != DDI_SUCCESS)
		return (DDI_FAILURE);
	tran->tran_iport_dip = NULL;

	fk_compq_start();
	h = kmem_zalloc(sizeof (*h), KM_SLEEP);
	h->h_kind = FK_SN_HBA;
	h->h_dip = dip;
	h->h_tran = tran;
	h->h_flags = flags;
	fk_hba_props(dip);
	ddi_set_driver_private(dip, tran);

	mutex_enter(&fk_scsa_reg_lock);
	DEVI(dip)->devi_scsa = h;
	h->h_next = fk_scsa_hbas;
	fk_scsa_hbas = h;
	mutex_exit(&fk_scsa_reg_lock);
	return (DDI_SUCCESS);
}

/*
 * scsi_hba_detach(9F).  The HBA's iports must be detached first (as the
 * device tree requires of any nexus); pending ones are removed.
 */
int
scsi_hba_detach(dev_info_t *dip)
{
	fk_scsa_hba_t *h, **hp;
	fk_scsa_iport_t *ip;
	scsi_hba_tran_t *tran;

	fk_scsa_init();
	fk_assert_may_block("scsi_hba_detach");
	if ((ip = fk_scsa_iport_of(dip)) != NULL) {
		/* An iport that set up its own tran. */
		if (ip->ip_tran != NULL && FK_TRAN_ST(ip->ip_tran) != NULL &&
		    FK_TRAN_ST(ip->ip_tran)->st_owner == ip->ip_tran)
			fk_tran_unsetup(ip->ip_tran);
		return (DDI_SUCCESS);
	}
	if ((h = fk_scsa_hba_of(dip)) == NULL) {
		dev_err(dip, CE_WARN, "scsi_hba_detach: not attached");
		return (DDI_FAILURE);
	}
	for (ip = h->h_iports; ip != NULL; ip = ip->ip_next) {
		if (ip->ip_state == FK_IPORT_ATTACHED) {
			dev_err(dip, CE_WARN, "scsi_hba_detach: iport %s is "
			    "still attached (fk_scsa_unconfig first)",
			    ip->ip_name);
			return (DDI_FAILURE);
		}
	}
	while ((ip = h->h_iports) != NULL) {
		h->h_iports = ip->ip_next;
		DEVI(ip->ip_dip)->devi_scsa = NULL;
		fk_devi_free(ip->ip_dip);
		strfree(ip->ip_name);
		kmem_free(ip, sizeof (*ip));
	}

	mutex_enter(&fk_scsa_reg_lock);
	for (hp = &fk_scsa_hbas; *hp != NULL; hp = &(*hp)->h_next) {
		if (*hp == h) {
			*hp = h->h_next;
			break;
		}
	}
	DEVI(dip)->devi_scsa = NULL;
	mutex_exit(&fk_scsa_reg_lock);

	tran = h->h_tran;
	fk_tran_unsetup(tran);
	kmem_free(h, sizeof (*h));
	return (DDI_SUCCESS);
}

/*
 * iports.
 */
static int
fk_iport_attach(fk_scsa_iport_t *ip)
{
	fk_scsa_hba_t *h = ip->ip_hba;
	scsi_hba_tran_t *tran;
	fk_tran_t *ft;
	dev_info_t *dip = ip->ip_dip;

	if (ip->ip_state == FK_IPORT_ATTACHED)
		return (DDI_SUCCESS);
	if (ip->ip_tran == NULL) {
		ft = kmem_zalloc(sizeof (*ft), KM_SLEEP);
		ft->ft_tran = *h->h_tran;
		ft->ft_st = FK_TRAN_ST(h->h_tran);
		tran = &ft->ft_tran;
		tran->tran_hba_dip = dip;
		tran->tran_iport_dip = dip;
		tran->tran_tgtmap = NULL;
		tran->tran_sd = NULL;
		ip->ip_tran = tran;
	}
	ddi_set_driver_private(dip, ip->ip_tran);
	if (fk_devi_bind(dip, ddi_driver_name(h->h_dip)) != DDI_SUCCESS ||
	    fk_devi_attach(dip) != DDI_SUCCESS) {
		dev_err(h->h_dip, CE_WARN, "iport %s failed to attach",
		    ip->ip_name);
		ip->ip_state = FK_IPORT_FAILED;
		return (DDI_FAILURE);
	}
	ip->ip_state = FK_IPORT_ATTACHED;
	return (DDI_SUCCESS);
}

int
scsi_hba_iport_register(dev_info_t *dip, char *name)
{
	fk_scsa_hba_t *h;
	fk_scsa_iport_t *ip, **ipp;
	dev_info_t *child;

	fk_scsa_init();
	fk_assert_may_block("scsi_hba_iport_register");
	if ((h = fk_scsa_hba_of(dip)) == NULL || name == NULL ||
	    name[0] == '\0') {
		if (dip != NULL)
			dev_err(dip, CE_WARN, "scsi_hba_iport_register: "
			    "not an HBA (scsi_hba_attach_setup first)");
		return (DDI_FAILURE);
	}
	if ((h->h_flags & SCSI_HBA_HBA) == 0) {
		dev_err(dip, CE_WARN, "scsi_hba_iport_register: the HBA was "
		    "not set up with SCSI_HBA_HBA");
		return (DDI_FAILURE);
	}
	mutex_enter(&fk_scsa_config_lock);
	for (ip = h->h_iports; ip != NULL; ip = ip->ip_next) {
		if (strcmp(ip->ip_name, name) == 0) {
			mutex_exit(&fk_scsa_config_lock);
			return (DDI_FAILURE);
		}
	}
	if ((child = fk_devi_alloc(dip, "iport", name)) == NULL) {
		mutex_exit(&fk_scsa_config_lock);
		return (DDI_FAILURE);
	}
	ip = kmem_zalloc(sizeof (*ip), KM_SLEEP);
	ip->ip_kind = FK_SN_IPORT;
	ip->ip_hba = h;
	ip->ip_dip = child;
	ip->ip_name = kmem_asprintf("%s", name);
	ip->ip_state = FK_IPORT_PENDING;
	(void) ddi_prop_update_string(DDI_DEV_T_NONE, child, "scsi-iport",
	    name);
	DEVI(child)->devi_scsa = ip;
	for (ipp = &h->h_iports; *ipp != NULL; ipp = &(*ipp)->ip_next)
		;
	*ipp = ip;
	mutex_exit(&fk_scsa_config_lock);

	/* Registered after the HBA attached: attach it now. */
	if (DEVI(dip)->devi_attached) {
		mutex_enter(&fk_scsa_config_lock);
		(void) fk_iport_attach(ip);
		mutex_exit(&fk_scsa_config_lock);
	}
	return (DDI_SUCCESS);
}

char *
scsi_hba_iport_unit_address(dev_info_t *dip)
{
	fk_scsa_iport_t *ip = fk_scsa_iport_of(dip);

	return (ip != NULL ? ip->ip_name : NULL);
}

/*
 * Attach an HBA's pending iports.
 */
static int
fk_scsa_attach_iports(fk_scsa_hba_t *h)
{
	fk_scsa_iport_t *ip;
	int rv = DDI_SUCCESS;

	mutex_enter(&fk_scsa_config_lock);
	for (ip = h->h_iports; ip != NULL; ip = ip->ip_next) {
		if (ip->ip_state != FK_IPORT_PENDING)
			continue;
		if (fk_iport_attach(ip) != DDI_SUCCESS)
			rv = DDI_FAILURE;
	}
	mutex_exit(&fk_scsa_config_lock);
	return (rv);
}

static void
fk_scsa_post_attach(dev_info_t *dip)
{
	fk_scsa_hba_t *h;

	fk_scsa_init();
	if ((h = fk_scsa_hba_of(dip)) != NULL)
		(void) fk_scsa_attach_iports(h);
}

int
fk_scsa_config(dev_info_t *dip)
{
	fk_scsa_hba_t *h;
	fk_scsa_iport_t *ip;
	int rv;

	fk_scsa_init();
	fk_assert_may_block("fk_scsa_config");
	if ((h = fk_scsa_hba_of(dip)) == NULL)
		return (DDI_FAILURE);
	rv = fk_scsa_attach_iports(h);
	if (h->h_iports == NULL && fk_child_config(h) != DDI_SUCCESS)
		rv = DDI_FAILURE;
	for (ip = h->h_iports; ip != NULL; ip = ip->ip_next) {
		if (ip->ip_state == FK_IPORT_FAILED)
			rv = DDI_FAILURE;
		if (ip->ip_state == FK_IPORT_ATTACHED &&
		    ip->ip_tgtmap != NULL)
			(void) fk_tgtmap_csync(ip->ip_tgtmap);
	}
	return (rv);
}

int
fk_scsa_config_all(void)
{
	dev_info_t *dips[64];
	int i, n, rv = DDI_SUCCESS;

	n = fk_scsi_hbas(dips, 64);
	for (i = 0; i < n && i < 64; i++) {
		if (fk_scsa_config(dips[i]) != DDI_SUCCESS)
			rv = DDI_FAILURE;
	}
	return (rv);
}

/*
 * Take an HBA's iports down: units first, then the iport's detach(9E).
 */
static int
fk_iport_unconfig(fk_scsa_iport_t *ip)
{
	fk_tgtmap_t *tm = ip->ip_tgtmap;
	fk_tgt_t *t;

	if (tm != NULL) {
		fk_tgtmap_hold(tm);
		for (t = tm->tm_tgts; t != NULL; t = t->t_next)
			fk_tgt_remove_luns(tm, t);
	}
	if (fk_devi_detach(ip->ip_dip) != DDI_SUCCESS) {
		dev_err(ip->ip_hba->h_dip, CE_WARN, "iport %s failed to "
		    "detach", ip->ip_name);
		if (ip->ip_tgtmap != NULL)
			fk_tgtmap_unhold(ip->ip_tgtmap);
		return (DDI_FAILURE);
	}
	if (ip->ip_tgtmap != NULL) {
		dev_err(ip->ip_hba->h_dip, CE_WARN, "iport %s detached "
		    "without scsi_hba_tgtmap_destroy", ip->ip_name);
		scsi_hba_tgtmap_destroy(ip->ip_tgtmap);
	}
	return (DDI_SUCCESS);
}

int
fk_scsa_unconfig(dev_info_t *dip)
{
	fk_scsa_hba_t *h;
	fk_scsa_iport_t *ip;
	scsi_hba_tran_t *tran;

	fk_scsa_init();
	fk_assert_may_block("fk_scsa_unconfig");
	if ((h = fk_scsa_hba_of(dip)) == NULL)
		return (DDI_FAILURE);
	if (fk_child_unconfig(h) != DDI_SUCCESS)
		return (DDI_FAILURE);
	mutex_enter(&fk_scsa_config_lock);
	while ((ip = h->h_iports) != NULL) {
		if (ip->ip_state == FK_IPORT_ATTACHED &&
		    fk_iport_unconfig(ip) != DDI_SUCCESS) {
			mutex_exit(&fk_scsa_config_lock);
			return (DDI_FAILURE);
		}
		h->h_iports = ip->ip_next;
		tran = ip->ip_tran;
		DEVI(ip->ip_dip)->devi_scsa = NULL;
		ddi_set_driver_private(ip->ip_dip, NULL);
		fk_devi_free(ip->ip_dip);
		if (tran != NULL && FK_TRAN_ST(tran) != NULL &&
		    FK_TRAN_ST(tran)->st_owner == tran) {
			/* The driver's own tran: the driver frees it. */
			fk_tran_unsetup(tran);
		} else if (tran != NULL) {
			kmem_free(tran, sizeof (fk_tran_t));
		}
		strfree(ip->ip_name);
		kmem_free(ip, sizeof (*ip));
	}
	mutex_exit(&fk_scsa_config_lock);
	return (DDI_SUCCESS);
}

int
fk_scsi_hbas(dev_info_t **dips, int max)
{
	fk_scsa_hba_t *h;
	int n = 0;

	fk_scsa_init();
	mutex_enter(&fk_scsa_reg_lock);
	for (h = fk_scsa_hbas; h != NULL; h = h->h_next) {
		if (n < max)
			dips[n] = h->h_dip;
		n++;
	}
	mutex_exit(&fk_scsa_reg_lock);
	return (n);
}

int
fk_scsi_iports(dev_info_t *dip, dev_info_t **dips, int max)
{
	fk_scsa_hba_t *h;
	fk_scsa_iport_t *ip;
	int n = 0;

	fk_scsa_init();
	if ((h = fk_scsa_hba_of(dip)) == NULL)
		return (0);
	mutex_enter(&fk_scsa_config_lock);
	for (ip = h->h_iports; ip != NULL; ip = ip->ip_next) {
		if (ip->ip_state != FK_IPORT_ATTACHED)
			continue;
		if (n < max)
			dips[n] = ip->ip_dip;
		n++;
	}
	mutex_exit(&fk_scsa_config_lock);
	return (n);
}

/*
 * scsi_hba_lookup_capstr(9F): the index of a capability name in
 * SCSI_CAP_ASCII, or -1.
 */
static char *fk_scsa_capstr[] = SCSI_CAP_ASCII;

int
scsi_hba_lookup_capstr(char *capstr)
{
	int i;

	if (capstr == NULL)
		return (-1);
	for (i = 0; fk_scsa_capstr[i] != NULL; i++) {
		if (strcmp(fk_scsa_capstr[i], capstr) == 0)
			return (i);
	}
	return (-1);
}

/*
 * scsi_ifgetcap(9F), scsi_ifsetcap(9F), scsi_reset(9F), scsi_abort(9F):
 * straight to the HBA.  A capability the HBA cannot answer is -1
 * (undefined); a reset or abort it has no entry point for fails (0).
 */
int
scsi_ifgetcap(struct scsi_address *ap, char *cap, int whom)
{
	scsi_hba_tran_t *tran;

	if (ap == NULL || (tran = ap->a_hba_tran) == NULL || cap == NULL ||
	    tran->tran_getcap == NULL)
		return (-1);
	return (tran->tran_getcap(ap, cap, whom));
}

int
scsi_ifsetcap(struct scsi_address *ap, char *cap, int value, int whom)
{
	scsi_hba_tran_t *tran;

	if (ap == NULL || (tran = ap->a_hba_tran) == NULL || cap == NULL ||
	    tran->tran_setcap == NULL)
		return (-1);
	return (tran->tran_setcap(ap, cap, value, whom));
}

int
scsi_reset(struct scsi_address *ap, int level)
{
	scsi_hba_tran_t *tran;

	if (ap == NULL || (tran = ap->a_hba_tran) == NULL ||
	    tran->tran_reset == NULL)
		return (0);
	if (level != RESET_ALL && level != RESET_TARGET &&
	    level != RESET_BUS && level != RESET_LUN)
		return (0);
	return (tran->tran_reset(ap, level));
}

int
scsi_abort(struct scsi_address *ap, struct scsi_pkt *pkt)
{
	scsi_hba_tran_t *tran;

	if (ap == NULL || (tran = ap->a_hba_tran) == NULL ||
	    tran->tran_abort == NULL)
		return (0);
	return (tran->tran_abort(ap, pkt));
}

/*
 * scsi_hba_open(9F), scsi_hba_close(9F), scsi_hba_ioctl(9F): the HBA
 * node's devctl minor (instance << 6, illumos's layout) opens while that
 * HBA is attached; the fakekernel has no devctl commands (ENOTTY, so a
 * driver's own ioctl(9E) can take over).
 */
#define	FK_HBA_MINOR_SHIFT	6

int
scsi_hba_open(dev_t *devp, int flags, int otyp, cred_t *credp)
{
	fk_scsa_hba_t *h;
	int inst = (int)(getminor(*devp) >> FK_HBA_MINOR_SHIFT);

	(void) flags;
	(void) otyp;
	(void) credp;
	fk_scsa_init();
	mutex_enter(&fk_scsa_reg_lock);
	for (h = fk_scsa_hbas; h != NULL; h = h->h_next) {
		if (ddi_get_instance(h->h_dip) == inst)
			break;
	}
	mutex_exit(&fk_scsa_reg_lock);
	return (h != NULL ? 0 : ENXIO);
}

int
scsi_hba_close(dev_t dev, int flag, int otyp, cred_t *credp)
{
	(void) dev;
	(void) flag;
	(void) otyp;
	(void) credp;
	return (0);
}

int
scsi_hba_ioctl(dev_t dev, int cmd, intptr_t arg, int mode, cred_t *credp,
    int *rvalp)
{
	(void) dev;
	(void) cmd;
	(void) arg;
	(void) mode;
	(void) credp;
	(void) rvalp;
	return (ENOTTY);
}

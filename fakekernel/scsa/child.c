/*
 * SCSA: children an HBA makes itself, the model before iports and target
 * maps.  Such an HBA sets tran_bus_config; the framework calls it to
 * configure the bus (BUS_CONFIG_ALL from fk_scsa_config(), as the boot
 * and devfsadm do in illumos), and the driver makes a node per target
 * with ndi_devi_alloc(9F), gives it "target" and "lun" properties
 * (ndi_prop_update(9F)) and brings it online (ndi_devi_online(9F)).
 *
 * Online (ndi.c's bus hook), as illumos's scsi_hba_bus_ctl INITCHILD and
 * then a target driver's probe(9E) and attach(9E) do:
 *   1. the unit address "target,lun" (hex) from the properties: a child
 *      without "target", or at an address a sibling holds, stays offline
 *      (said in the system log only: illumos's SCSA framework prints
 *      nothing on the console for either);
 *   2. its scsi_device, whose scsi_address names the HBA's tran, or with
 *      SCSI_HBA_TRAN_CLONE a copy of it made for this child (tran_sd
 *      pointing at the scsi_device), then tran_tgt_init(9E);
 *   3. the target side probes it (tran_tgt_probe(9E), or scsi_hba_probe
 *      (9F)): a unit that does not answer INQUIRY is taken down again
 *      (tran_tgt_free) and the child stays offline;
 *   4. a direct-access unit is sized (READ CAPACITY), and the unit is
 *      published to the target-side API (fk_scsi.h).
 * Offline undoes it: new packets are refused, those in transport drain,
 * the unit leaves the target side, tran_tgt_free(9E), the clone goes.
 * Unless the unit is busy (open, or with commands: fk_scsi_lun_open in
 * fk_scsi.h): then, as the target driver's detach(9E) refuses in
 * illumos, ndi_devi_offline(9F) fails with NDI_BUSY and nothing changes;
 * the HBA driver keeps the node and may try again later.
 *
 * The units made here are also the only ones a legacy packet
 * (scsi_init_pkt through tran_init_pkt, legacy.c) can be charged to:
 * fk_child_lun_of() finds the unit whose scsi_address a packet was made
 * for, NULL for any other address (the HBA's own commands).
 */

#include <sys/scsi/scsi.h>
#include <sys/sunndi.h>
#include <sys/cmn_err.h>
#include <sys/debug.h>
#include <fk_impl.h>
#include <fk_scsi.h>
#include "scsa_impl.h"

#include <stdio.h>
#include <string.h>

static kmutex_t fk_child_lock;		/* fk_child_luns */
static fk_lun_t *fk_child_luns;		/* through l_tnext */
static fk_once_t fk_child_once = FK_ONCE_INIT;

static int fk_scsa_child_online(dev_info_t *);
static int fk_scsa_child_offline(dev_info_t *);

int (*fk_ndi_online_hook)(dev_info_t *) = fk_scsa_child_online;
int (*fk_ndi_offline_hook)(dev_info_t *) = fk_scsa_child_offline;

static void
fk_child_init(void)
{
	mutex_init(&fk_child_lock, "scsa children", MUTEX_DRIVER, NULL);
}

/* The unit made for this scsi_address, held; NULL if none. */
fk_lun_t *
fk_child_lun_of(struct scsi_address *ap)
{
	fk_lun_t *l;

	fk_once(&fk_child_once, fk_child_init);
	mutex_enter(&fk_child_lock);
	for (l = fk_child_luns; l != NULL; l = l->l_tnext) {
		if (&l->l_sd.sd_address == ap)
			break;
	}
	if (l != NULL)
		fk_lun_hold(l);
	mutex_exit(&fk_child_lock);
	return (l);
}

static void
fk_child_link(fk_lun_t *l, int add)
{
	fk_lun_t **lp;

	fk_once(&fk_child_once, fk_child_init);
	mutex_enter(&fk_child_lock);
	if (add) {
		l->l_tnext = fk_child_luns;
		fk_child_luns = l;
	} else {
		for (lp = &fk_child_luns; *lp != NULL; lp = &(*lp)->l_tnext) {
			if (*lp == l) {
				*lp = l->l_tnext;
				break;
			}
		}
		l->l_tnext = NULL;
	}
	mutex_exit(&fk_child_lock);
}

/* A sibling of dip already online at unit address ua? */
static int
fk_child_addr_taken(dev_info_t *parent, dev_info_t *dip, const char *ua)
{
	dev_info_t *c;

	for (c = ddi_get_child(parent); c != NULL;
	    c = ddi_get_next_sibling(c)) {
		if (c != dip && DEVI(c)->devi_online &&
		    ddi_get_name_addr(c) != NULL &&
		    strcmp(ddi_get_name_addr(c), ua) == 0 &&
		    strcmp(ddi_node_name(c), ddi_node_name(dip)) == 0)
			return (1);
	}
	return (0);
}

/* Undo steps 1 and 2: the clone, the unit, the address. */
static void
fk_child_undo(fk_lun_t *l, dev_info_t *dip)
{
	scsi_hba_tran_t *tran = l->l_tran;
	int clone = tran->tran_sd == &l->l_sd;

	DEVI(dip)->devi_scsa = NULL;
	l->l_dip = NULL;
	l->l_sd.sd_dev = NULL;
	ddi_set_name_addr(dip, NULL);
	fk_lun_rele(l);
	if (clone)
		kmem_free(tran, sizeof (*tran));
}

static int
fk_scsa_child_online(dev_info_t *dip)
{
	dev_info_t *hba = ddi_get_parent(dip);
	fk_scsa_hba_t *h = hba != NULL ? fk_scsa_hba_of(hba) : NULL;
	scsi_hba_tran_t *tran;
	char ua[FK_SCSI_ADDRLEN], tgt[FK_SCSI_ADDRLEN];
	uchar_t inq[FK_SCSI_INQLEN];
	int target, lun;
	fk_lun_t *l;

	if (h == NULL) {
		cmn_err(CE_WARN, "ndi_devi_online: %s's parent is no SCSI "
		    "HBA (the fakekernel has no other bus)",
		    ddi_node_name(dip));
		return (NDI_FAILURE);
	}
	target = ddi_prop_get_int(DDI_DEV_T_ANY, dip, DDI_PROP_DONTPASS,
	    "target", -1);
	lun = ddi_prop_get_int(DDI_DEV_T_ANY, dip, DDI_PROP_DONTPASS, "lun",
	    0);
	if (target < 0 || lun < 0) {
		dev_err(hba, CE_WARN, "!ndi_devi_online: child %s has no "
		    "\"target\" property", ddi_node_name(dip));
		return (NDI_FAILURE);
	}
	(void) snprintf(tgt, sizeof (tgt), "%x", target);
	(void) snprintf(ua, sizeof (ua), "%x,%x", target, lun);
	if (fk_child_addr_taken(hba, dip, ua)) {
		dev_err(hba, CE_WARN, "!ndi_devi_online: %s@%s is online "
		    "already", ddi_node_name(dip), ua);
		return (NDI_FAILURE);
	}
	ddi_set_name_addr(dip, ua);

	/* 2. The scsi_device, its tran (a clone), tran_tgt_init. */
	tran = h->h_tran;
	if (tran->tran_hba_flags & SCSI_HBA_TRAN_CLONE) {
		tran = kmem_alloc(sizeof (*tran), KM_SLEEP);
		*tran = *h->h_tran;
	}
	l = fk_lun_alloc(tran, hba, hba, tgt, (uint64_t)lun,
	    ddi_node_name(dip), 0, NULL);
	if (tran != h->h_tran)
		tran->tran_sd = &l->l_sd;
	l->l_dip = dip;
	l->l_sd.sd_dev = dip;
	DEVI(dip)->devi_scsa = l;
	if (tran->tran_tgt_init != NULL && tran->tran_tgt_init(hba, dip,
	    tran, &l->l_sd) != DDI_SUCCESS) {
		fk_child_undo(l, dip);
		return (NDI_FAILURE);
	}
	l->l_inited = 1;
	fk_child_link(l, 1);

	/* 3. Probe, 4. size and publish. */
	if (!fk_lun_probe(l, inq)) {
		fk_child_link(l, 0);
		fk_lun_depart(l);
		fk_child_undo(l, dip);
		return (NDI_FAILURE);
	}
	bcopy(inq, l->l_inq, FK_SCSI_INQLEN);
	if ((inq[0] & DTYPE_MASK) == DTYPE_DIRECT)
		fk_lun_capacity(l);
	fk_scsa_publish(l);
	return (NDI_SUCCESS);
}

static int
fk_scsa_child_offline(dev_info_t *dip)
{
	fk_lun_t *l = DEVI(dip)->devi_scsa;

	if (l == NULL || l->l_kind != FK_SN_LUN)
		return (NDI_SUCCESS);
	if (!fk_lun_depart_idle(l))
		return (NDI_BUSY);
	fk_lun_depart(l);
	fk_child_link(l, 0);
	fk_child_undo(l, dip);
	return (NDI_SUCCESS);
}

/*
 * Bus configuration of an HBA that makes its own children: all of them
 * (fk_scsa_config), or taking them all down (fk_scsa_unconfig: offline
 * and removed, as illumos's bus unconfiguration removes self-identifying
 * nodes).
 */
int
fk_child_config(fk_scsa_hba_t *h)
{
	scsi_hba_tran_t *tran = h->h_tran;

	if (tran->tran_bus_config == NULL)
		return (DDI_SUCCESS);
	return (tran->tran_bus_config(h->h_dip, NDI_CONFIG | NDI_NO_EVENT,
	    BUS_CONFIG_ALL, NULL, NULL) == NDI_SUCCESS ? DDI_SUCCESS :
	    DDI_FAILURE);
}

int
fk_child_unconfig(fk_scsa_hba_t *h)
{
	dev_info_t *c, *next;
	int rv = DDI_SUCCESS;

	ndi_devi_enter(h->h_dip);
	for (c = ddi_get_child(h->h_dip); c != NULL; c = next) {
		next = ddi_get_next_sibling(c);
		if (fk_scsa_iport_of(c) != NULL)
			continue;
		if (ndi_devi_offline(c, NDI_DEVI_REMOVE) != NDI_SUCCESS)
			rv = DDI_FAILURE;
	}
	ndi_devi_exit(h->h_dip);
	return (rv);
}

/*
 * scsi_hba_nodename_compatible_get(9F): the node name and "compatible"
 * forms of a unit from its INQUIRY data, most specific first:
 *	[compat0,] scsiclass,DD.vVENDOR.pPRODUCT.rREV,
 *	scsiclass,DD.vVENDOR.pPRODUCT, scsiclass,DD, scsiclass
 * (DD the device type in hex; blanks inside the fields become '_',
 * trailing ones go).  The node name is the generic name of the device
 * type ("disk", "tape", ...); NULL for DTYPE_UNKNOWN, which nothing
 * binds to.  scsi_hba_nodename_compatible_free(9F) frees both.
 */
#define	FK_COMPAT_MAX	5
#define	FK_COMPAT_LEN	64

typedef struct fk_compat {
	size_t	fc_size;
	char	*fc_ptrs[FK_COMPAT_MAX + 1];	/* NULL-terminated */
	char	fc_str[FK_COMPAT_MAX][FK_COMPAT_LEN];
} fk_compat_t;

static void
fk_inq_field(char *dst, const char *src, size_t len)
{
	size_t i, end = 0;

	for (i = 0; i < len && src[i] != '\0'; i++) {
		dst[i] = (src[i] == ' ') ? '_' : src[i];
		if (src[i] != ' ')
			end = i + 1;
	}
	dst[end] = '\0';
}

void
scsi_hba_nodename_compatible_get(struct scsi_inquiry *inq,
    char *binding_set, int dtype_node, char *compat0, char **nodenamep,
    char ***compatiblep, int *ncompatiblep)
{
	char vid[9], pid[17], rev[5];
	const char *name;
	fk_compat_t *c;
	int dtype = dtype_node & DTYPE_MASK, n = 0;

	(void) binding_set;
	*nodenamep = NULL;
	*compatiblep = NULL;
	*ncompatiblep = 0;
	c = kmem_zalloc(sizeof (*c), KM_SLEEP);
	c->fc_size = sizeof (*c);
	fk_inq_field(vid, inq->inq_vid, sizeof (inq->inq_vid));
	fk_inq_field(pid, inq->inq_pid, sizeof (inq->inq_pid));
	fk_inq_field(rev, inq->inq_revision, sizeof (inq->inq_revision));
	if (compat0 != NULL)
		(void) strlcpy(c->fc_str[n++], compat0, FK_COMPAT_LEN);
	(void) snprintf(c->fc_str[n++], FK_COMPAT_LEN,
	    "scsiclass,%02x.v%s.p%s.r%s", dtype, vid, pid, rev);
	(void) snprintf(c->fc_str[n++], FK_COMPAT_LEN, "scsiclass,%02x.v%s.p%s",
	    dtype, vid, pid);
	(void) snprintf(c->fc_str[n++], FK_COMPAT_LEN, "scsiclass,%02x",
	    dtype);
	(void) strlcpy(c->fc_str[n++], "scsiclass", FK_COMPAT_LEN);
	for (int i = 0; i < n; i++)
		c->fc_ptrs[i] = c->fc_str[i];
	*compatiblep = c->fc_ptrs;
	*ncompatiblep = n;
	if (dtype != DTYPE_UNKNOWN) {
		name = fk_dtype_nodename((uint_t)dtype);
		*nodenamep = kmem_alloc(strlen(name) + 1, KM_SLEEP);
		(void) strcpy(*nodenamep, name);
	}
}

void
scsi_hba_nodename_compatible_free(char *nodename, char **compatible)
{
	fk_compat_t *c;

	if (nodename != NULL)
		kmem_free(nodename, strlen(nodename) + 1);
	if (compatible != NULL) {
		c = (fk_compat_t *)(void *)((char *)compatible -
		    offsetof(fk_compat_t, fc_ptrs));
		kmem_free(c, c->fc_size);
	}
}

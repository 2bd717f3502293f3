/*
 * SCSA framework, the model before tran_setup_pkt and target maps, with a
 * test-double HBA ("fklegacy") that allocates its packets with
 * scsi_hba_pkt_alloc in tran_init_pkt, sets SCSI_HBA_TRAN_CLONE, and
 * makes its children itself in tran_bus_config (ndi_devi_alloc,
 * ndi_prop_update, ndi_devi_online) for each target that answers
 * INQUIRY:
 *   - configuration: tran_bus_config at fk_scsa_config, children online
 *     at "target,lun" with tran_tgt_init on a clone of the tran whose
 *     tran_sd is the child's scsi_device, tran_tgt_probe, the units
 *     published with their INQUIRY data and capacity;
 *   - packets: scsi_init_pkt through tran_init_pkt (a partial transfer
 *     window by window with ddi_dma_getwin), scsi_sync_pkt, scsi_dmafree,
 *     scsi_destroy_pkt through the tran's entry points; data through the
 *     cookies; completions by scsi_hba_pkt_comp and by pkt_comp called
 *     directly, counted once each;
 *   - the panics: a completion twice, a destroy in transport, a transport
 *     of a packet scsi_init_pkt never returned;
 *   - a child going offline (tran_tgt_free, the clone freed), a new one
 *     coming online, unconfiguration removing the nodes; a busy child
 *     (its unit open, or a packet in transport) refusing, NDI_BUSY;
 *   - a medium error's status and sense seen by the target side, also
 *     when the HBA leaves pkt_scblen 0 (sd never reads it);
 *   - scsi_hba_pkt_alloc/free, scsi_pkt_size, scsi_hba_nodename_
 *     compatible_get/free.
 * Strict DMA mode throughout: the double syncs what it moves.
 */

#include <sys/types.h>
#include <sys/ddi.h>
#include <sys/sunddi.h>
#include <sys/sunndi.h>
#include <sys/scsi/scsi.h>
#include <fk.h>
#include <fk_impl.h>
#include <fk_scsi.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "lib/expect.h"

#define	LG_DRIVER	"fklegacy"
#define	LG_NTGT		4
#define	LG_NBLOCKS	256
#define	LG_MAXCOOKIES	4

/* The hardware and what the double saw. */
static struct {
	dev_info_t	*dip;
	scsi_hba_tran_t	*tran;
	ddi_dma_attr_t	attr;
	int		present[LG_NTGT];
	uchar_t		disk[LG_NTGT][LG_NBLOCKS * 512];
	int		comp_direct;	/* call pkt_comp, not scsi_hba_... */
	int		double_comp;	/* complete the next one twice */
	int		hold;		/* complete nothing (in transport) */
	int		bad_lba;	/* READ of it: MEDIUM ERROR (-1: none) */
	int		no_scblen;	/* leave pkt_scblen 0, as an HBA */
					/* with its own allocator may */
	int		tgt_init, tgt_free, clone_ok, bus_config;
	int		init_pkt, destroy_pkt, dmafree, sync_pkt, starts;
	int		windows;	/* ddi_dma_getwin calls */
} lg;

typedef struct lg_cmd {
	ddi_dma_handle_t c_h;
	int		c_bound;
	uint_t		c_nwin, c_win;
	size_t		c_done;		/* bytes of earlier windows */
	ddi_dma_cookie_t c_cookies[LG_MAXCOOKIES];
	uint_t		c_ncookies;
	size_t		c_winlen;
} lg_cmd_t;

#define	LG_CMD(pkt)	((lg_cmd_t *)(pkt)->pkt_ha_private)

static int
lg_tgt_init(dev_info_t *hba, dev_info_t *tgt, scsi_hba_tran_t *tran,
    struct scsi_device *sd)
{
	(void) hba;
	(void) tgt;
	lg.tgt_init++;
	if (tran != lg.tran && tran->tran_sd == sd &&
	    sd->sd_address.a_hba_tran == tran)
		lg.clone_ok++;
	return (sd->sd_address.a_target < LG_NTGT ? DDI_SUCCESS :
	    DDI_FAILURE);
}

static void
lg_tgt_free(dev_info_t *hba, dev_info_t *tgt, scsi_hba_tran_t *tran,
    struct scsi_device *sd)
{
	(void) hba;
	(void) tgt;
	(void) tran;
	(void) sd;
	lg.tgt_free++;
}

/* Load the cookies of the current window. */
static int
lg_load_window(lg_cmd_t *c)
{
	ddi_dma_cookie_t ck;
	off_t off;
	uint_t n, i;

	if (ddi_dma_getwin(c->c_h, c->c_win, &off, &c->c_winlen, &ck, &n) !=
	    DDI_SUCCESS || n > LG_MAXCOOKIES)
		return (-1);
	lg.windows++;
	c->c_cookies[0] = ck;
	for (i = 1; i < n; i++)
		ddi_dma_nextcookie(c->c_h, &c->c_cookies[i]);
	c->c_ncookies = n;
	return (0);
}

static struct scsi_pkt *
lg_init_pkt(struct scsi_address *ap, struct scsi_pkt *pkt, struct buf *bp,
    int cmdlen, int statuslen, int tgtlen, int flags, int (*cb)(caddr_t),
    caddr_t arg)
{
	lg_cmd_t *c;
	uint_t dflags;
	int rv;

	lg.init_pkt++;
	if (pkt == NULL) {
		pkt = scsi_hba_pkt_alloc(lg.dip, ap, cmdlen, statuslen, tgtlen,
		    sizeof (lg_cmd_t), cb, arg);
		if (pkt == NULL)
			return (NULL);
		c = LG_CMD(pkt);
		if (ddi_dma_alloc_handle(lg.dip, &lg.attr, DDI_DMA_SLEEP, NULL,
		    &c->c_h) != DDI_SUCCESS) {
			scsi_hba_pkt_free(ap, pkt);
			return (NULL);
		}
		if (lg.no_scblen)
			pkt->pkt_scblen = 0;
	}
	c = LG_CMD(pkt);
	if (bp == NULL || bp->b_bcount == 0)
		return (pkt);
	if (c->c_bound) {
		/* The next window of a partial transfer. */
		if (c->c_win + 1 >= c->c_nwin)
			return (NULL);
		c->c_done += c->c_winlen;
		c->c_win++;
	} else {
		dflags = ((bp->b_flags & B_READ) ? DDI_DMA_READ :
		    DDI_DMA_WRITE) | ((flags & PKT_DMA_PARTIAL) ?
		    DDI_DMA_PARTIAL : 0);
		rv = ddi_dma_buf_bind_handle(c->c_h, bp, dflags, DDI_DMA_SLEEP,
		    NULL, &c->c_cookies[0], &c->c_ncookies);
		if (rv != DDI_DMA_MAPPED && rv != DDI_DMA_PARTIAL_MAP)
			return (NULL);
		c->c_bound = 1;
		c->c_nwin = 1;
		c->c_win = 0;
		c->c_done = 0;
		(void) ddi_dma_numwin(c->c_h, &c->c_nwin);
	}
	if (lg_load_window(c) != 0)
		return (NULL);
	pkt->pkt_resid = bp->b_bcount - c->c_done - c->c_winlen;
	return (pkt);
}

static void
lg_dmafree(struct scsi_address *ap, struct scsi_pkt *pkt)
{
	lg_cmd_t *c = LG_CMD(pkt);

	(void) ap;
	lg.dmafree++;
	if (c->c_bound)
		(void) ddi_dma_unbind_handle(c->c_h);
	c->c_bound = 0;
}

static void
lg_destroy_pkt(struct scsi_address *ap, struct scsi_pkt *pkt)
{
	lg_cmd_t *c = LG_CMD(pkt);

	lg.destroy_pkt++;
	if (c->c_bound)
		(void) ddi_dma_unbind_handle(c->c_h);
	ddi_dma_free_handle(&c->c_h);
	scsi_hba_pkt_free(ap, pkt);
}

static void
lg_sync_pkt(struct scsi_address *ap, struct scsi_pkt *pkt)
{
	(void) ap;
	lg.sync_pkt++;
	(void) ddi_dma_sync(LG_CMD(pkt)->c_h, 0, 0, DDI_DMA_SYNC_FORCPU);
}

/* Move len bytes between buf and the window's cookies. */
static void
lg_move(lg_cmd_t *c, uchar_t *buf, size_t len, int to_host)
{
	size_t off = 0, n;
	uint_t i;

	if (!to_host)
		(void) ddi_dma_sync(c->c_h, 0, 0, DDI_DMA_SYNC_FORDEV);
	for (i = 0; i < c->c_ncookies && off < len; i++) {
		uchar_t *dev = fk_dma_devmem(c->c_cookies[i].dmac_laddress,
		    c->c_cookies[i].dmac_size);

		n = MIN(len - off, c->c_cookies[i].dmac_size);
		if (to_host)
			bcopy(buf + off, dev, n);
		else
			bcopy(dev, buf + off, n);
		off += n;
	}
	if (to_host)
		(void) ddi_dma_sync(c->c_h, 0, 0, DDI_DMA_SYNC_FORCPU);
}

/* CHECK CONDITION with MEDIUM ERROR (03h/11h/00h) sense, by ARQ. */
static void
lg_medium_error(struct scsi_pkt *pkt)
{
	struct scsi_arq_status *arq = (void *)pkt->pkt_scbp;
	uint8_t *sense = (uint8_t *)&arq->sts_sensedata;

	bzero(arq, sizeof (*arq));
	*pkt->pkt_scbp = STATUS_CHECK;
	arq->sts_rqpkt_reason = CMD_CMPLT;
	arq->sts_rqpkt_state = STATE_GOT_BUS | STATE_GOT_TARGET |
	    STATE_SENT_CMD | STATE_XFERRED_DATA | STATE_GOT_STATUS;
	sense[0] = 0x70;
	sense[2] = KEY_MEDIUM_ERROR;
	sense[7] = 10;
	sense[12] = 0x11;
	pkt->pkt_state |= STATE_ARQ_DONE;
}

static void
lg_exec(struct scsi_pkt *pkt)
{
	int t = pkt->pkt_address.a_target;
	lg_cmd_t *c = LG_CMD(pkt);
	uchar_t *cdb = pkt->pkt_cdbp, buf[96];
	uint32_t lba;

	pkt->pkt_reason = CMD_CMPLT;
	pkt->pkt_state = STATE_GOT_BUS | STATE_GOT_TARGET | STATE_SENT_CMD |
	    STATE_GOT_STATUS;
	*pkt->pkt_scbp = STATUS_GOOD;
	if (t >= LG_NTGT || !lg.present[t]) {
		pkt->pkt_reason = CMD_INCOMPLETE;
		pkt->pkt_state = STATE_GOT_BUS;
		return;
	}
	bzero(buf, sizeof (buf));
	switch (cdb[0]) {
	case SCMD_INQUIRY:
		buf[0] = DTYPE_DIRECT;
		buf[2] = 5;
		buf[4] = sizeof (buf) - 5;
		bcopy("LEGACY  LEGACY DISK     1.0 ", buf + 8, 28);
		lg_move(c, buf, MIN(c->c_winlen, sizeof (buf)), 1);
		break;
	case SCMD_READ_CAPACITY:
		buf[2] = (LG_NBLOCKS - 1) >> 8;
		buf[3] = (LG_NBLOCKS - 1) & 0xff;
		buf[6] = 2;		/* 512 */
		lg_move(c, buf, 8, 1);
		break;
	case SCMD_READ_G1:
	case SCMD_WRITE_G1:
		lba = ((uint32_t)cdb[2] << 24) | (cdb[3] << 16) |
		    (cdb[4] << 8) | cdb[5];
		if (cdb[0] == SCMD_READ_G1 && (int)lba == lg.bad_lba) {
			lg_medium_error(pkt);
			return;
		}
		lg_move(c, lg.disk[t] + (size_t)lba * 512, c->c_winlen,
		    cdb[0] == SCMD_READ_G1);
		break;
	default:
		break;
	}
	pkt->pkt_state |= STATE_XFERRED_DATA;
}

static void
lg_complete(struct scsi_pkt *pkt)
{
	if (lg.comp_direct)
		pkt->pkt_comp(pkt);
	else
		scsi_hba_pkt_comp(pkt);
}

static int
lg_start(struct scsi_address *ap, struct scsi_pkt *pkt)
{
	(void) ap;
	lg.starts++;
	lg_exec(pkt);
	if ((pkt->pkt_flags & FLAG_NOINTR) || lg.hold)
		return (TRAN_ACCEPT);
	lg_complete(pkt);
	if (lg.double_comp) {
		lg.double_comp = 0;
		lg_complete(pkt);
	}
	return (TRAN_ACCEPT);
}

static int
lg_getcap(struct scsi_address *ap, char *cap, int whom)
{
	(void) ap;
	(void) cap;
	(void) whom;
	return (-1);
}

/* tran_bus_config: a child per target that answers INQUIRY. */
static int
lg_bus_config(dev_info_t *pdip, uint_t flags, ddi_bus_config_op_t op,
    void *arg, dev_info_t **childp)
{
	char *nodename, **compat;
	dev_info_t *child;
	int ncompat, t;
	struct scsi_inquiry inq;

	lg.bus_config++;
	ndi_devi_enter(pdip);
	for (t = 0; t < LG_NTGT; t++) {
		if (!lg.present[t])
			continue;
		bzero(&inq, sizeof (inq));
		inq.inq_dtype = DTYPE_DIRECT;
		bcopy("LEGACY  ", inq.inq_vid, 8);
		scsi_hba_nodename_compatible_get(&inq, NULL, inq.inq_dtype,
		    NULL, &nodename, &compat, &ncompat);
		if (ndi_devi_alloc(pdip, nodename, DEVI_SID_NODEID, &child) !=
		    NDI_SUCCESS)
			continue;
		(void) ndi_prop_update_int(DDI_DEV_T_NONE, child, "target", t);
		(void) ndi_prop_update_int(DDI_DEV_T_NONE, child, "lun", 0);
		(void) ndi_prop_update_string_array(DDI_DEV_T_NONE, child,
		    "compatible", compat, ncompat);
		if (ndi_devi_online(child, NDI_ONLINE_ATTACH) != NDI_SUCCESS)
			(void) ndi_devi_free(child);
		scsi_hba_nodename_compatible_free(nodename, compat);
	}
	ndi_devi_exit(pdip);
	return (ndi_busop_bus_config(pdip, flags, op, arg, childp, 0));
}

static int
lg_attach(dev_info_t *dip, ddi_attach_cmd_t cmd)
{
	scsi_hba_tran_t *tran;

	if (cmd != DDI_ATTACH)
		return (DDI_FAILURE);
	lg.dip = dip;
	lg.attr = (ddi_dma_attr_t){ .dma_attr_version = DMA_ATTR_V0,
	    .dma_attr_addr_hi = UINT64_MAX, .dma_attr_count_max = 0xffff,
	    .dma_attr_align = 1, .dma_attr_minxfer = 1,
	    .dma_attr_maxxfer = 0xffffffffu, .dma_attr_seg = 0xfff,
	    .dma_attr_sgllen = LG_MAXCOOKIES, .dma_attr_granular = 512 };
	scsi_size_clean(dip);
	tran = scsi_hba_tran_alloc(dip, SCSI_HBA_CANSLEEP);
	tran->tran_tgt_init = lg_tgt_init;
	tran->tran_tgt_free = lg_tgt_free;
	tran->tran_tgt_probe = scsi_hba_probe;
	tran->tran_start = lg_start;
	tran->tran_getcap = lg_getcap;
	tran->tran_init_pkt = lg_init_pkt;
	tran->tran_destroy_pkt = lg_destroy_pkt;
	tran->tran_dmafree = lg_dmafree;
	tran->tran_sync_pkt = lg_sync_pkt;
	tran->tran_bus_config = lg_bus_config;
	if (scsi_hba_attach_setup(dip, &lg.attr, tran, SCSI_HBA_TRAN_CLONE |
	    SCSI_HBA_TRAN_CDB | SCSI_HBA_TRAN_SCB) != DDI_SUCCESS) {
		scsi_hba_tran_free(tran);
		return (DDI_FAILURE);
	}
	lg.tran = tran;
	return (DDI_SUCCESS);
}

static int
lg_detach(dev_info_t *dip, ddi_detach_cmd_t cmd)
{
	if (cmd != DDI_DETACH || scsi_hba_detach(dip) != DDI_SUCCESS)
		return (DDI_FAILURE);
	scsi_hba_tran_free(lg.tran);
	lg.tran = NULL;
	return (DDI_SUCCESS);
}

static struct cb_ops lg_cb_ops = {
	.cb_open = scsi_hba_open, .cb_close = scsi_hba_close,
	.cb_strategy = nodev, .cb_print = nodev, .cb_dump = nodev,
	.cb_read = nodev, .cb_write = nodev, .cb_ioctl = scsi_hba_ioctl,
	.cb_devmap = nodev, .cb_mmap = nodev, .cb_segmap = nodev,
	.cb_chpoll = nochpoll, .cb_prop_op = ddi_prop_op, .cb_str = NULL,
	.cb_flag = D_MP, .cb_rev = CB_REV, .cb_aread = nodev,
	.cb_awrite = nodev
};

static struct dev_ops lg_ops = {
	.devo_rev = DEVO_REV, .devo_getinfo = ddi_no_info,
	.devo_identify = nulldev, .devo_probe = nulldev,
	.devo_attach = lg_attach, .devo_detach = lg_detach,
	.devo_reset = nodev, .devo_cb_ops = &lg_cb_ops,
	.devo_quiesce = ddi_quiesce_not_needed
};

static struct modldrv lg_modldrv = { &mod_driverops, "legacy HBA (tests)",
	&lg_ops };
static struct modlinkage lg_modlinkage = { MODREV_1, { &lg_modldrv, NULL } };

static int
lg_modinit(void)
{
	int rv;

	if ((rv = scsi_hba_init(&lg_modlinkage)) != 0)
		return (rv);
	if ((rv = mod_install(&lg_modlinkage)) != 0)
		scsi_hba_fini(&lg_modlinkage);
	return (rv);
}

static int
lg_modfini(void)
{
	int rv;

	if ((rv = mod_remove(&lg_modlinkage)) == 0)
		scsi_hba_fini(&lg_modlinkage);
	return (rv);
}

static int
lg_modinfo(struct modinfo *mip)
{
	return (mod_info(&lg_modlinkage, mip));
}

/*
 * The tests.
 */
static fk_lun_t *
unit(const char *ua)
{
	return (fk_scsi_lun_find(lg.dip, ua));
}

static void
test_config(void)
{
	fk_lun_info_t li;
	fk_lun_t *l;
	char path[MAXPATHLEN];

	CHECK("legacy: tran_bus_config ran at configuration",
	    lg.bus_config == 1, "ran %d times", lg.bus_config);
	CHECK("legacy: tran_tgt_init on each target's clone of the tran "
	    "(tran_sd the child's scsi_device)", lg.tgt_init == 2 &&
	    lg.clone_ok == 2, "%d tgt_init, %d with a proper clone",
	    lg.tgt_init, lg.clone_ok);
	l = unit("2,0");
	if (!CHECK("legacy: the child at target 2 is published as unit 2,0",
	    l != NULL && unit("0,0") != NULL && unit("1,0") == NULL,
	    "expected units 0,0 and 2,0 only"))
		return;
	(void) fk_scsi_lun_info(l, &li);
	(void) ddi_pathname(li.li_dip, path);
	CHECK("legacy: the unit's node, INQUIRY data and capacity",
	    strcmp(li.li_nodename, "disk") == 0 &&
	    strcmp(li.li_vid, "LEGACY") == 0 && li.li_cap_valid &&
	    li.li_nblocks == LG_NBLOCKS && li.li_blksize == 512 &&
	    strstr(path, "/disk@2,0") != NULL,
	    "saw %s '%s' %llu blocks valid %d at %s", li.li_nodename,
	    li.li_vid, (unsigned long long)li.li_nblocks, li.li_cap_valid,
	    path);
	fk_scsi_lun_rele(l);
}

static void
test_io(void)
{
	fk_lun_t *l = unit("0,0");
	uchar_t *w = fk_scsi_buf_alloc(8 * 512), *r = fk_scsi_buf_alloc(8 *
	    512);
	fk_scsi_stats_t st;
	int rv;

	for (int i = 0; i < 8 * 512; i++)
		w[i] = (uchar_t)(i * 7 + 3);
	lg.comp_direct = 0;
	rv = fk_scsi_write(l, 16, 8, w, NULL);
	lg.comp_direct = 1;
	rv |= fk_scsi_read(l, 16, 8, r, NULL);
	lg.comp_direct = 0;
	CHECK("legacy: data through tran_init_pkt packets, completed by "
	    "scsi_hba_pkt_comp and by pkt_comp called directly",
	    rv == 0 && memcmp(w, r, 8 * 512) == 0 &&
	    memcmp(lg.disk[0] + 16 * 512, w, 8 * 512) == 0,
	    "rv %d, data %s", rv, memcmp(w, r, 8 * 512) ? "differs" : "same");
	fk_scsi_lun_stats(l, &st);
	CHECK("legacy: each packet counted once, none outstanding",
	    st.st_started == st.st_completed && st.st_outstanding == 0 &&
	    st.st_started >= 2, "started %llu completed %llu outstanding %llu",
	    (unsigned long long)st.st_started,
	    (unsigned long long)st.st_completed,
	    (unsigned long long)st.st_outstanding);
	CHECK("legacy: tran_init_pkt and tran_destroy_pkt for each packet",
	    lg.init_pkt >= 2 && lg.destroy_pkt >= 2, "init %d destroy %d",
	    lg.init_pkt, lg.destroy_pkt);
	fk_scsi_buf_free(w, 8 * 512);
	fk_scsi_buf_free(r, 8 * 512);
	fk_scsi_lun_rele(l);
}

static int comps;

static void
count_comp(struct scsi_pkt *pkt)
{
	(void) pkt;
	comps++;
}

/* A 32 KiB read in DMA windows of at most 4 cookies of a page. */
static void
test_partial(void)
{
	fk_lun_t *l = unit("0,0");
	struct scsi_device *sd = fk_scsi_lun_device(l);
	struct buf *bp = scsi_alloc_consistent_buf(&sd->sd_address, NULL,
	    64 * 512, B_READ, SLEEP_FUNC, NULL);
	struct scsi_pkt *pkt;
	int n = 0, wins0 = lg.windows, syncs0 = lg.sync_pkt;
	int free0 = lg.dmafree;

	for (int i = 0; i < 64 * 512; i++)
		lg.disk[0][i] = (uchar_t)(i ^ 0x5a);
	pkt = scsi_init_pkt(&sd->sd_address, NULL, bp, CDB_GROUP1,
	    sizeof (struct scsi_arq_status), 0, PKT_DMA_PARTIAL, SLEEP_FUNC,
	    NULL);
	comps = 0;
	while (pkt != NULL) {
		size_t done = 64 * 512 - pkt->pkt_resid -
		    LG_CMD(pkt)->c_winlen;

		bzero(pkt->pkt_cdbp, CDB_GROUP1);
		pkt->pkt_cdbp[0] = SCMD_READ_G1;
		pkt->pkt_cdbp[5] = (uchar_t)(done / 512);
		pkt->pkt_comp = count_comp;
		if (scsi_transport(pkt) != TRAN_ACCEPT)
			break;
		n++;
		if (pkt->pkt_resid == 0)
			break;
		if (scsi_init_pkt(&sd->sd_address, pkt, bp, 0, 0, 0, 0,
		    SLEEP_FUNC, NULL) == NULL)
			break;
	}
	scsi_sync_pkt(pkt);
	CHECK("legacy: a partial transfer window by window (ddi_dma_getwin), "
	    "scsi_sync_pkt through tran_sync_pkt",
	    n >= 2 && comps == n && lg.windows - wins0 == n &&
	    lg.sync_pkt == syncs0 + 1 &&
	    memcmp(bp->b_un.b_addr, lg.disk[0], 64 * 512) == 0,
	    "%d transfers, %d completions, %d windows, data %s", n, comps,
	    lg.windows - wins0, memcmp(bp->b_un.b_addr, lg.disk[0],
	    64 * 512) ? "differs" : "same");
	scsi_dmafree(pkt);
	CHECK("legacy: scsi_dmafree through tran_dmafree",
	    lg.dmafree == free0 + 1, "tran_dmafree ran %d times",
	    lg.dmafree - free0);
	scsi_destroy_pkt(pkt);
	scsi_free_consistent_buf(bp);
	fk_scsi_lun_rele(l);
}

/* Death tests, in a child process. */
static void
die_double_comp(void *arg)
{
	fk_lun_t *l = unit("0,0");
	uchar_t *r = fk_scsi_buf_alloc(512);

	(void) arg;
	lg.double_comp = 1;
	(void) fk_scsi_read(l, 0, 1, r, NULL);
}

/* A one-block READ for the unit at ua, and its buffer in *bpp. */
static struct scsi_pkt *
unit_read_pkt(const char *ua, struct buf **bpp)
{
	fk_lun_t *l = unit(ua);
	struct scsi_device *sd = fk_scsi_lun_device(l);
	struct buf *bp = scsi_alloc_consistent_buf(&sd->sd_address, NULL,
	    512, B_READ, SLEEP_FUNC, NULL);
	struct scsi_pkt *pkt = scsi_init_pkt(&sd->sd_address, NULL, bp,
	    CDB_GROUP1, 1, 0, 0, SLEEP_FUNC, NULL);

	pkt->pkt_cdbp[0] = SCMD_READ_G1;
	pkt->pkt_cdbp[8] = 1;
	fk_scsi_lun_rele(l);
	*bpp = bp;
	return (pkt);
}

static struct scsi_pkt *
read_pkt(void)
{
	struct buf *bp;

	return (unit_read_pkt("0,0", &bp));
}

static void
die_destroy_in_transport(void *arg)
{
	struct scsi_pkt *pkt = read_pkt();

	(void) arg;
	lg.hold = 1;
	pkt->pkt_comp = count_comp;
	(void) scsi_transport(pkt);
	scsi_destroy_pkt(pkt);
}

static void
die_foreign(void *arg)
{
	static struct scsi_pkt fake;

	(void) arg;
	fake.pkt_address.a_hba_tran = lg.tran;
	(void) scsi_transport(&fake);
}

static void
test_deaths(void)
{
	expect_death("legacy: a packet completed twice panics",
	    die_double_comp, NULL, "completed");
	expect_death("legacy: scsi_transport of a packet scsi_init_pkt never "
	    "returned panics", die_foreign, NULL, "not a live packet");
	expect_death("legacy: scsi_destroy_pkt of a packet in transport "
	    "panics", die_destroy_in_transport, NULL, "destroyed while in "
	    "transport");
}

/* ndi_devi_offline(NDI_DEVI_REMOVE) of c, entering its parent first. */
static int
offline(dev_info_t *c)
{
	int rv;

	ndi_devi_enter(lg.dip);
	rv = ndi_devi_offline(c, NDI_DEVI_REMOVE);
	ndi_devi_exit(lg.dip);
	return (rv);
}

/* A busy unit's node stays: open, then with a packet in transport. */
static void
test_offline_busy(fk_lun_t *l, dev_info_t *c)
{
	int frees = lg.tgt_free, rv;
	struct scsi_pkt *pkt;
	struct buf *bp;

	CHECK("legacy: fk_scsi_lun_open of a unit", fk_scsi_lun_open(l) == 0,
	    "failed");
	rv = offline(c);
	CHECK("legacy: ndi_devi_offline of an open unit's child fails with "
	    "NDI_BUSY and changes nothing", rv == NDI_BUSY &&
	    !fk_scsi_lun_gone(l) && lg.tgt_free == frees &&
	    fk_devi_find_child(lg.dip, "disk", "2,0") == c, "saw %d, gone %d, "
	    "tgt_free %d", rv, fk_scsi_lun_gone(l), lg.tgt_free - frees);
	fk_scsi_lun_close(l);

	pkt = unit_read_pkt("2,0", &bp);
	pkt->pkt_comp = count_comp;
	lg.hold = 1;
	(void) scsi_transport(pkt);
	rv = offline(c);
	CHECK("legacy: ndi_devi_offline of a child with a packet in "
	    "transport fails with NDI_BUSY", rv == NDI_BUSY &&
	    !fk_scsi_lun_gone(l), "saw %d", rv);
	lg.hold = 0;
	lg_complete(pkt);
	scsi_destroy_pkt(pkt);
	scsi_free_consistent_buf(bp);
}

/*
 * A medium error comes back to the target side as sd sees it, whether
 * or not the HBA filled pkt_scblen: the status from *pkt_scbp, the sense
 * from the area the target asked for.
 */
static void
test_medium_error(void)
{
	fk_lun_t *l = unit("0,0");
	uchar_t *r = fk_scsi_buf_alloc(512);
	fk_scsi_status_t st;
	int err;

	lg.bad_lba = 7;
	for (int no_scblen = 0; no_scblen <= 1; no_scblen++) {
		lg.no_scblen = no_scblen;
		err = fk_scsi_read(l, 7, 1, r, &st);
		CHECK(no_scblen ? "legacy: a medium error, pkt_scblen left 0 "
		    "by the HBA: EIO, CHECK CONDITION, its sense" : "legacy: a "
		    "medium error: EIO, CHECK CONDITION, its sense",
		    err == EIO && (st.ss_status & STATUS_MASK) == STATUS_CHECK &&
		    st.ss_key == KEY_MEDIUM_ERROR && st.ss_asc == 0x11,
		    "saw %d, status 0x%x, key 0x%x asc 0x%x", err, st.ss_status,
		    st.ss_key, st.ss_asc);
	}
	lg.no_scblen = 0;
	lg.bad_lba = -1;
	fk_scsi_buf_free(r, 512);
	fk_scsi_lun_rele(l);
}

/*
 * A packet whose completion the target is still running (its pkt_comp
 * has not returned) is no longer the target's command in the HBA: sd's
 * count drops before the issuer wakes.  An offline then succeeds; it
 * waits for pkt_comp to return before tran_tgt_free.
 */
static int slow_entered, slow_release;
static struct buf *slow_bp;

static void
slow_comp(struct scsi_pkt *pkt)
{
	__atomic_store_n(&slow_entered, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&slow_release, __ATOMIC_SEQ_CST))
		(void) usleep(1000);
	scsi_destroy_pkt(pkt);
	scsi_free_consistent_buf(slow_bp);
}

static void *
complete_it(void *arg)
{
	lg_complete(arg);
	return (NULL);
}

static void *
offline_it(void *arg)
{
	return ((void *)(intptr_t)offline(arg));
}

static void
test_offline_in_comp(fk_lun_t *l, dev_info_t *c)
{
	struct scsi_pkt *pkt = unit_read_pkt("2,0", &slow_bp);
	fk_tid_t ta, tb;
	void *rv = NULL;

	pkt->pkt_comp = slow_comp;
	lg.hold = 1;
	(void) scsi_transport(pkt);
	lg.hold = 0;
	(void) fk_thread_create(&ta, "completer", complete_it, pkt);
	while (!__atomic_load_n(&slow_entered, __ATOMIC_SEQ_CST))
		(void) usleep(1000);
	(void) fk_thread_create(&tb, "offliner", offline_it, c);
	(void) usleep(50000);
	__atomic_store_n(&slow_release, 1, __ATOMIC_SEQ_CST);
	(void) fk_thread_join(ta, NULL);
	(void) fk_thread_join(tb, &rv);
	CHECK("legacy: ndi_devi_offline of a child whose last completion is "
	    "still in pkt_comp succeeds, once pkt_comp returns",
	    (intptr_t)rv == NDI_SUCCESS && fk_scsi_lun_gone(l), "saw %d, "
	    "gone %d", (int)(intptr_t)rv, fk_scsi_lun_gone(l));
}

static void
test_offline(void)
{
	dev_info_t *c;
	fk_lun_t *l = unit("2,0");
	int frees, inits = lg.tgt_init;

	c = fk_scsi_lun_device(l)->sd_dev;
	test_offline_busy(l, c);
	test_offline_in_comp(l, c);
	fk_scsi_lun_rele(l);
	lg.present[0] = lg.present[2] = 1;
	(void) lg_bus_config(lg.dip, 0, BUS_CONFIG_ALL, NULL, NULL);
	l = unit("2,0");
	c = fk_scsi_lun_device(l)->sd_dev;
	frees = lg.tgt_free;
	ndi_devi_enter(lg.dip);
	CHECK("legacy: ndi_devi_offline(NDI_DEVI_REMOVE) of a child: "
	    "tran_tgt_free, the unit gone, the node removed",
	    ndi_devi_offline(c, NDI_DEVI_REMOVE) == NDI_SUCCESS &&
	    lg.tgt_free == frees + 1 && fk_scsi_lun_gone(l) &&
	    fk_devi_find_child(lg.dip, "disk", "2,0") == NULL,
	    "tgt_free %d, gone %d", lg.tgt_free - frees,
	    fk_scsi_lun_gone(l));
	ndi_devi_exit(lg.dip);
	CHECK("legacy: a departed unit cannot be opened",
	    fk_scsi_lun_open(l) == ENXIO, "it could");
	fk_scsi_lun_rele(l);

	lg.present[2] = 0;
	lg.present[1] = 1;
	(void) lg_bus_config(lg.dip, 0, BUS_CONFIG_ALL, NULL, NULL);
	l = unit("1,0");
	CHECK("legacy: a target that appears comes online at the next "
	    "bus configuration", l != NULL && lg.tgt_init > inits,
	    "no unit 1,0");
	if (l != NULL)
		fk_scsi_lun_rele(l);
}

static void
test_pkt_alloc(void)
{
	struct scsi_address ap = { .a_hba_tran = lg.tran, .a_target = 0 };
	struct scsi_pkt *p = scsi_hba_pkt_alloc(lg.dip, &ap, 32, 64, 24, 100,
	    SLEEP_FUNC, NULL);
	char *nn, **compat;
	int n;
	struct scsi_inquiry inq;

	CHECK("legacy: scsi_hba_pkt_alloc: areas of the sizes asked, the "
	    "address copied", p != NULL && p->pkt_ha_private != NULL &&
	    p->pkt_cdbp != NULL && p->pkt_scbp != NULL &&
	    p->pkt_private != NULL && p->pkt_address.a_hba_tran == lg.tran &&
	    (char *)p->pkt_cdbp >= (char *)p->pkt_ha_private + 100 &&
	    (char *)p->pkt_private >= (char *)p->pkt_cdbp + 32 &&
	    (char *)p->pkt_scbp >= (char *)p->pkt_private + 24,
	    "bad layout");
	memset(p->pkt_cdbp, 1, 32);
	memset(p->pkt_scbp, 2, 64);
	memset(p->pkt_private, 3, 24);
	memset(p->pkt_ha_private, 4, 100);
	scsi_hba_pkt_free(&ap, p);
	CHECK("legacy: scsi_pkt_size is sizeof (struct scsi_pkt)",
	    scsi_pkt_size() == sizeof (struct scsi_pkt), "%zu",
	    scsi_pkt_size());

	bzero(&inq, sizeof (inq));
	inq.inq_dtype = DTYPE_DIRECT;
	bcopy("VMware  ", inq.inq_vid, 8);
	bcopy("Virtual disk    ", inq.inq_pid, 16);
	bcopy("1.0 ", inq.inq_revision, 4);
	scsi_hba_nodename_compatible_get(&inq, NULL, inq.inq_dtype, NULL, &nn,
	    &compat, &n);
	CHECK("legacy: scsi_hba_nodename_compatible_get: \"disk\" and the "
	    "compatible forms, most specific first", nn != NULL &&
	    strcmp(nn, "disk") == 0 && n == 4 && compat[4] == NULL &&
	    strcmp(compat[0], "scsiclass,00.vVMware.pVirtual_disk.r1.0") ==
	    0 && strcmp(compat[2], "scsiclass,00") == 0 &&
	    strcmp(compat[3], "scsiclass") == 0, "saw %s, %d: %s",
	    nn != NULL ? nn : "NULL", n, n > 0 ? compat[0] : "");
	scsi_hba_nodename_compatible_free(nn, compat);
	inq.inq_dtype = DTYPE_UNKNOWN;
	scsi_hba_nodename_compatible_get(&inq, NULL, inq.inq_dtype, NULL, &nn,
	    &compat, &n);
	CHECK("legacy: no node name for DTYPE_UNKNOWN", nn == NULL,
	    "saw %s", nn);
	scsi_hba_nodename_compatible_free(nn, compat);
}

static void
test_unconfig(void)
{
	fk_lun_t *l = unit("0,0");
	int frees = lg.tgt_free;

	(void) fk_scsi_lun_open(l);
	CHECK("legacy: unconfiguration fails while a child's unit is open",
	    fk_scsa_unconfig(lg.dip) == DDI_FAILURE && !fk_scsi_lun_gone(l),
	    "it did not");
	fk_scsi_lun_close(l);
	fk_scsi_lun_rele(l);

	CHECK("legacy: unconfiguration offlines and removes every child",
	    fk_scsa_unconfig(lg.dip) == DDI_SUCCESS &&
	    ddi_get_child(lg.dip) == NULL && lg.tgt_free == frees + 2,
	    "tgt_free %d, children left %d", lg.tgt_free - frees,
	    ddi_get_child(lg.dip) != NULL);
	CHECK("legacy: the HBA detaches then", fk_devi_detach(lg.dip) ==
	    DDI_SUCCESS, "detach failed");
}

int
main(void)
{
	fk_options_t opts = { .fo_platform = "none", .fo_strict_dma = 1,
	    .fo_quiet = 1 };
	dev_info_t *dip;
	fk_counters_t cw;

	if (fk_init(&opts) != 0 ||
	    fk_mod_load(LG_DRIVER, lg_modinit, lg_modfini, lg_modinfo) != 0) {
		printf("FAIL legacy: setup failed\n");
		return (1);
	}
	lg.present[0] = lg.present[2] = 1;
	lg.bad_lba = -1;
	dip = fk_devi_alloc(NULL, LG_DRIVER, "0");
	if (dip == NULL || fk_devi_bind(dip, LG_DRIVER) != DDI_SUCCESS ||
	    fk_devi_attach(dip) != DDI_SUCCESS) {
		printf("FAIL legacy: the HBA did not attach\n");
		return (1);
	}
	CHECK("legacy: fk_scsa_config of an HBA without iports",
	    fk_scsa_config(dip) == DDI_SUCCESS, "failed");
	test_config();
	test_io();
	test_partial();
	test_deaths();
	test_medium_error();
	test_offline();
	test_pkt_alloc();
	test_unconfig();
	fk_devi_free(dip);
	fk_counters_get(&cw);
	CHECK("legacy: no lock-order (witness) report",
	    cw.fc_witness_reports == 0, "saw %llu reports",
	    (unsigned long long)cw.fc_witness_reports);
	(void) fk_mod_unload(LG_DRIVER);
	fk_fini();
	return (check_exit());
}

/*
 * SCSA framework, HBA side: scsi_hba_attach_setup with iports (the iport
 * attaches through the HBA's dev_ops with its own copy of the tran),
 * scsi_hba_iport_unit_address, the target map's first enumeration within
 * csync, discovery (probe nodes, node names and unit addresses,
 * tran_tgt_init per LUN, READ CAPACITY), the ADDR_COMPLEX interfaces,
 * capabilities, resets and aborts, the target-side enumeration API, and
 * tearing it all down without leaks.
 */

#include <sys/types.h>
#include <sys/ddi.h>
#include <sys/sunddi.h>
#include <sys/scsi/scsi.h>
#include <fk.h>
#include <fk_impl.h>
#include <fk_scsi.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lib/expect.h"
#include "lib/loopback.h"

#define	NS_PER_SEC	1000000000LL

static void
test_bringup(void)
{
	lb_config_t cfg;
	lb_t *lb;
	dev_info_t *hbas[8], *iports[4], *dip;
	scsi_hba_tran_t *itran;
	char addrs[8][FK_SCSI_ADDRLEN];
	fk_lun_t *luns[8];
	fk_lun_info_t li;
	fk_counters_t c0, c1;
	int n, i, nh0;

	fk_counters_get(&c0);
	nh0 = fk_scsi_hbas(hbas, 8);
	lb_config_default(&cfg);
	cfg.lc_ntgt = 2;
	cfg.lc_nlun = 2;
	cfg.lc_nblocks = 4096;
	lb = lb_create(&cfg);
	if (!CHECK("hba: loopback HBA attaches", lb != NULL,
	    "expected an attached HBA, saw NULL"))
		return;

	n = fk_scsi_hbas(hbas, 8);
	CHECK("hba: fk_scsi_hbas lists it", n == nh0 + 1,
	    "expected %d HBAs, saw %d", nh0 + 1, n);
	CHECK("hba: driver private of the HBA node is its tran",
	    ddi_get_driver_private(lb->lb_dip) == lb->lb_tran,
	    "expected %p, saw %p", (void *)lb->lb_tran,
	    ddi_get_driver_private(lb->lb_dip));
	CHECK("hba: iport unit address is NULL on the HBA node",
	    scsi_hba_iport_unit_address(lb->lb_dip) == NULL,
	    "expected NULL, saw \"%s\"",
	    scsi_hba_iport_unit_address(lb->lb_dip));
	CHECK("hba: tran records DMA attributes and flags",
	    lb->lb_tran->tran_hba_dip == lb->lb_dip &&
	    lb->lb_tran->tran_dma_attr.dma_attr_sgllen == cfg.lc_sgllen &&
	    lb->lb_tran->tran_hba_flags == (SCSI_HBA_HBA | SCSI_HBA_TRAN_CDB |
	    SCSI_HBA_TRAN_SCB | SCSI_HBA_ADDR_COMPLEX),
	    "expected dip %p sgllen %d, saw dip %p sgllen %d flags 0x%x",
	    (void *)lb->lb_dip, cfg.lc_sgllen,
	    (void *)lb->lb_tran->tran_hba_dip,
	    lb->lb_tran->tran_dma_attr.dma_attr_sgllen,
	    lb->lb_tran->tran_hba_flags);

	n = fk_scsi_iports(lb->lb_dip, iports, 4);
	CHECK("hba: one iport attached", n == 1 && lb->lb_iport_attach == 1,
	    "expected 1 iport attached once, saw %d (attach ran %d times)", n,
	    lb->lb_iport_attach);
	if (n != 1)
		return;
	dip = iports[0];
	CHECK("hba: iport node is iport@iport0 under the HBA",
	    strcmp(ddi_node_name(dip), "iport") == 0 &&
	    strcmp(ddi_get_name_addr(dip), "iport0") == 0 &&
	    ddi_get_parent(dip) == lb->lb_dip,
	    "expected iport@iport0, saw %s@%s", ddi_node_name(dip),
	    ddi_get_name_addr(dip));
	CHECK("hba: iport bound to the HBA's driver",
	    strcmp(ddi_driver_name(dip), LB_DRIVER) == 0,
	    "expected %s, saw %s", LB_DRIVER, ddi_driver_name(dip));
	CHECK("hba: iport unit address on the iport",
	    scsi_hba_iport_unit_address(dip) != NULL &&
	    strcmp(scsi_hba_iport_unit_address(dip), "iport0") == 0,
	    "expected \"iport0\", saw %s", scsi_hba_iport_unit_address(dip) ?
	    scsi_hba_iport_unit_address(dip) : "NULL");
	itran = ddi_get_driver_private(dip);
	CHECK("hba: iport has its own tran, a copy of the HBA's",
	    itran != NULL && itran != lb->lb_tran &&
	    itran->tran_hba_private == lb &&
	    itran->tran_start == lb->lb_tran->tran_start &&
	    itran->tran_hba_dip == dip && itran->tran_iport_dip == dip,
	    "expected a copy with hba_dip/iport_dip = iport, saw %p "
	    "(hba_dip %p iport_dip %p)", (void *)itran,
	    itran ? (void *)itran->tran_hba_dip : NULL,
	    itran ? (void *)itran->tran_iport_dip : NULL);
	CHECK("hba: tran_tgtmap set on the iport's tran",
	    itran != NULL && itran->tran_tgtmap == lb->lb_tgtmap,
	    "expected %p, saw %p", (void *)lb->lb_tgtmap,
	    itran ? (void *)itran->tran_tgtmap : NULL);

	/* The initial enumeration is complete when fk_scsa_config returns. */
	n = fk_scsi_targets(dip, addrs, 8);
	CHECK("hba: both targets active after config (csync)",
	    n == 2 && fk_scsi_tgtmap_lookup(lb->lb_tgtmap, "0") ==
	    DDI_SUCCESS && fk_scsi_tgtmap_lookup(lb->lb_tgtmap, "1") ==
	    DDI_SUCCESS && fk_scsi_tgtmap_lookup(lb->lb_tgtmap, "2") ==
	    DDI_FAILURE, "expected targets 0 and 1, saw %d", n);
	n = fk_scsi_luns(dip, NULL, luns, 8);
	CHECK("hba: four LUNs discovered", n == 4,
	    "expected 4, saw %d", n);
	CHECK("hba: tran_tgt_init once per probe and once per LUN",
	    lb->lb_tgt_live == 4 && lb->lb_tgt_init_probe == 4 &&
	    lb->lb_tgt_init == 8 && lb->lb_tgt_free == 4,
	    "expected 4 live, 4 probes, 8 inits, 4 frees; saw %d live, %d "
	    "probes, %d inits, %d frees", lb->lb_tgt_live,
	    lb->lb_tgt_init_probe, lb->lb_tgt_init, lb->lb_tgt_free);
	CHECK("hba: activate callback per target",
	    lb_count_events(lb, 'A', "0", -1) == 1 &&
	    lb_count_events(lb, 'A', "1", -1) == 1 &&
	    lb_count_events(lb, 'D', NULL, -1) == 0,
	    "expected one activation each, no deactivation; saw %d, %d, %d",
	    lb_count_events(lb, 'A', "0", -1),
	    lb_count_events(lb, 'A', "1", -1),
	    lb_count_events(lb, 'D', NULL, -1));

	for (i = 0; i < n && i < 8; i++) {
		struct scsi_device *sd = fk_scsi_lun_device(luns[i]);
		char name[96];

		(void) fk_scsi_lun_info(luns[i], &li);
		if (strcmp(li.li_ua, "1,1") == 0) {
			CHECK("hba: LUN node disk@1,1 under the iport",
			    li.li_dip != NULL &&
			    strcmp(ddi_node_name(li.li_dip), "disk") == 0 &&
			    strcmp(ddi_get_name_addr(li.li_dip), "1,1") == 0 &&
			    ddi_get_parent(li.li_dip) == dip,
			    "expected disk@1,1, saw %s@%s",
			    li.li_dip ? ddi_node_name(li.li_dip) : "-",
			    li.li_dip ? ddi_get_name_addr(li.li_dip) : "-");
			CHECK("hba: LUN info from INQUIRY and READ CAPACITY",
			    li.li_dtype == DTYPE_DIRECT &&
			    strcmp(li.li_vid, "FKLOOP") == 0 &&
			    strcmp(li.li_pid, "LOOPBACK DISK") == 0 &&
			    strcmp(li.li_rev, "0001") == 0 &&
			    li.li_cap_valid && li.li_nblocks == 4096 &&
			    li.li_blksize == 512 && li.li_lun == 1 &&
			    strcmp(li.li_target, "1") == 0 &&
			    strcmp(li.li_iport_ua, "iport0") == 0,
			    "saw dtype %d vid \"%s\" pid \"%s\" rev \"%s\" "
			    "cap %d %llu x %u lun %llu target %s iport %s",
			    li.li_dtype, li.li_vid, li.li_pid, li.li_rev,
			    li.li_cap_valid, (unsigned long long)li.li_nblocks,
			    li.li_blksize, (unsigned long long)li.li_lun,
			    li.li_target, li.li_iport_ua);
			CHECK("hba: scsi_device: address, unit address, "
			    "private",
			    sd != NULL && sd->sd_address.a_hba_tran == itran &&
			    sd->sd_address.a.a_sd == sd &&
			    scsi_address_device(&sd->sd_address) == sd &&
			    strcmp(scsi_device_unit_address(sd), "1,1") == 0 &&
			    scsi_device_hba_private_get(sd) != NULL &&
			    sd->sd_dev == li.li_dip && sd->sd_inq != NULL &&
			    sd->sd_inq->inq_dtype == DTYPE_DIRECT,
			    "scsi_device %p not as tran_tgt_init saw it",
			    (void *)sd);
			CHECK("hba: LUN node properties",
			    ddi_prop_get_int(DDI_DEV_T_ANY, li.li_dip,
			    DDI_PROP_DONTPASS, "lun", -1) == 1,
			    "expected lun=1, saw %d",
			    ddi_prop_get_int(DDI_DEV_T_ANY, li.li_dip,
			    DDI_PROP_DONTPASS, "lun", -1));
			(void) ddi_pathname(li.li_dip, name);
			printf("# LUN path %s\n", name);
		}
	}

	/* Capabilities, reset, abort, through the iport's tran. */
	if (n > 0) {
		struct scsi_address *ap =
		    &fk_scsi_lun_device(luns[0])->sd_address;

		CHECK("hba: scsi_ifgetcap reaches tran_getcap",
		    scsi_ifgetcap(ap, "auto-rqsense", 1) == 1 &&
		    scsi_ifgetcap(ap, "max-cdb-length", 1) == 16 &&
		    scsi_ifgetcap(ap, "no-such-cap", 1) == -1,
		    "expected 1, 16, -1; saw %d, %d, %d",
		    scsi_ifgetcap(ap, "auto-rqsense", 1),
		    scsi_ifgetcap(ap, "max-cdb-length", 1),
		    scsi_ifgetcap(ap, "no-such-cap", 1));
		CHECK("hba: scsi_ifsetcap reaches tran_setcap",
		    scsi_ifsetcap(ap, "auto-rqsense", 1, 1) == 1 &&
		    scsi_ifsetcap(ap, "tagged-qing", 1, 1) == 0 &&
		    scsi_ifsetcap(ap, "geometry", 1, 1) == -1,
		    "expected 1, 0, -1");
		CHECK("hba: scsi_reset and scsi_abort reach the HBA",
		    scsi_reset(ap, RESET_TARGET) == 1 &&
		    scsi_reset(ap, RESET_ALL) == 0 &&
		    scsi_reset(ap, 77) == 0 && scsi_abort(ap, NULL) == 0,
		    "expected 1, 0, 0, 0");
	}
	for (i = 0; i < n && i < 8; i++)
		fk_scsi_lun_rele(luns[i]);

	CHECK("hba: a second scsi_hba_attach_setup fails",
	    scsi_hba_attach_setup(lb->lb_dip, &lb->lb_dma_attr, lb->lb_tran,
	    SCSI_HBA_HBA) == DDI_FAILURE, "expected DDI_FAILURE");
	CHECK("hba: duplicate iport name refused",
	    scsi_hba_iport_register(lb->lb_dip, "iport0") == DDI_FAILURE,
	    "expected DDI_FAILURE");
	CHECK("hba: tgtmap only on iports",
	    scsi_hba_tgtmap_create(lb->lb_dip, SCSI_TM_PERADDR, 0, 0, NULL,
	    NULL, NULL, (scsi_hba_tgtmap_t **)&dip) == DDI_FAILURE,
	    "expected DDI_FAILURE on the HBA node");
	CHECK("hba: scsi_hba_detach refused while iports are attached",
	    scsi_hba_detach(lb->lb_dip) == DDI_FAILURE,
	    "expected DDI_FAILURE");

	/* A late iport attaches at once. */
	n = scsi_hba_iport_register(lb->lb_dip, "iport1");
	CHECK("hba: iport registered after attach attaches at once",
	    n == DDI_SUCCESS && fk_scsi_iports(lb->lb_dip, iports, 4) == 2,
	    "expected 2 iports, saw %d",
	    fk_scsi_iports(lb->lb_dip, iports, 4));

	CHECK("hba: teardown", lb_destroy(lb) == DDI_SUCCESS,
	    "expected DDI_SUCCESS");
	CHECK("hba: every tran_tgt_init matched by tran_tgt_free",
	    lb->lb_tgt_live == 0 && lb->lb_tgt_init == lb->lb_tgt_free,
	    "saw %d live, %d inits, %d frees", lb->lb_tgt_live,
	    lb->lb_tgt_init, lb->lb_tgt_free);
	CHECK("hba: every packet constructed was destructed",
	    lb->lb_ctor == lb->lb_dtor && lb->lb_setup == lb->lb_teardown &&
	    lb->lb_ctor > 0,
	    "saw %d ctor, %d dtor, %d setup, %d teardown", lb->lb_ctor,
	    lb->lb_dtor, lb->lb_setup, lb->lb_teardown);
	CHECK("hba: deactivate callbacks (GONE) at teardown",
	    lb_count_events(lb, 'D', NULL, SCSI_TGT_DEACT_RSN_GONE) == 2,
	    "expected 2, saw %d",
	    lb_count_events(lb, 'D', NULL, SCSI_TGT_DEACT_RSN_GONE));
	CHECK("hba: unregistered", fk_scsi_hbas(hbas, 8) == nh0,
	    "expected %d HBAs, saw %d", nh0, fk_scsi_hbas(hbas, 8));
	fk_counters_get(&c1);
	CHECK("hba: no kmem leaked", c1.fc_kmem_bytes == c0.fc_kmem_bytes,
	    "expected %lld bytes outstanding, saw %lld",
	    (long long)c0.fc_kmem_bytes, (long long)c1.fc_kmem_bytes);
	free(lb);
}

static void
test_capstr(void)
{
	CHECK("hba: scsi_hba_lookup_capstr",
	    scsi_hba_lookup_capstr("untagged-qing") == SCSI_CAP_UNTAGGED_QING &&
	    scsi_hba_lookup_capstr("tagged-qing") == SCSI_CAP_TAGGED_QING &&
	    scsi_hba_lookup_capstr("auto-rqsense") == SCSI_CAP_ARQ &&
	    scsi_hba_lookup_capstr("dma-max") == SCSI_CAP_DMA_MAX &&
	    scsi_hba_lookup_capstr("max-cdb-length") == SCSI_CAP_CDB_LEN &&
	    scsi_hba_lookup_capstr("tran-layer-retries") ==
	    SCSI_CAP_TRAN_LAYER_RETRIES &&
	    scsi_hba_lookup_capstr("bogus") == -1 &&
	    scsi_hba_lookup_capstr(NULL) == -1,
	    "expected 7, 8, 9, 0, 20, 22, -1, -1; saw %d, %d, %d",
	    scsi_hba_lookup_capstr("untagged-qing"),
	    scsi_hba_lookup_capstr("tagged-qing"),
	    scsi_hba_lookup_capstr("auto-rqsense"));
}

/* struct scsi_inquiry lays out standard INQUIRY data as SPC has it. */
static void
test_inquiry(void)
{
	union {
		struct scsi_inquiry	inq;
		uchar_t			b[sizeof (struct scsi_inquiry)];
	} u;

	bzero(&u, sizeof (u));
	u.b[0] = DPQ_NEVER | DTYPE_UNKNOWN;
	u.b[1] = 0x80;			/* RMB */
	u.b[2] = 0x05;			/* SPC-3 */
	u.b[3] = 0x12;			/* HISUP, response data format 2 */
	u.b[7] = 0x02;			/* CMDQUE */
	u.b[8] = 'V';
	u.b[16] = 'P';
	u.b[32] = 'R';
	(void) CHECK("scsi_inquiry: SPC's byte offsets, 132 bytes",
	    sizeof (struct scsi_inquiry) == 132 &&
	    offsetof(struct scsi_inquiry, inq_vid) == 8 &&
	    offsetof(struct scsi_inquiry, inq_pid) == 16 &&
	    offsetof(struct scsi_inquiry, inq_revision) == 32 &&
	    offsetof(struct scsi_inquiry, inq_serial) == 36 &&
	    offsetof(struct scsi_inquiry, inq_vd) == 58,
	    "saw size %zu, inq_vd at %zu", sizeof (struct scsi_inquiry),
	    offsetof(struct scsi_inquiry, inq_vd));
	CHECK("scsi_inquiry: the bit fields of bytes 0 to 7",
	    u.inq.inq_dtype == DTYPE_NOTPRESENT &&
	    (u.inq.inq_dtype & DPQ_MASK) == DPQ_NEVER && u.inq.inq_rmb == 1 &&
	    u.inq.inq_qual == 0 && u.inq.inq_ansi == 5 &&
	    u.inq.inq_hisup == 1 && u.inq.inq_rdf == 2 &&
	    u.inq.inq_cmdque == 1 && u.inq.inq_sync == 0 &&
	    u.inq.inq_vid[0] == 'V' && u.inq.inq_pid[0] == 'P' &&
	    u.inq.inq_revision[0] == 'R',
	    "saw dtype %x rmb %u ansi %u rdf %u cmdque %u", u.inq.inq_dtype,
	    u.inq.inq_rmb, u.inq.inq_ansi, u.inq.inq_rdf, u.inq.inq_cmdque);
}

static void
test_sense(void)
{
	uint8_t fixed[18] = { 0x70, 0, 0x06, 0, 0, 0, 0, 10, 0, 0, 0, 0,
	    0x3f, 0x0e };
	uint8_t descr[8] = { 0x72, 0x05, 0x24, 0x01 };

	CHECK("hba: sense helpers, fixed format",
	    scsi_sense_key(fixed) == KEY_UNIT_ATTENTION &&
	    scsi_sense_asc(fixed) == 0x3f && scsi_sense_ascq(fixed) == 0x0e,
	    "saw %x/%x/%x", scsi_sense_key(fixed), scsi_sense_asc(fixed),
	    scsi_sense_ascq(fixed));
	CHECK("hba: sense helpers, descriptor format",
	    scsi_sense_key(descr) == KEY_ILLEGAL_REQUEST &&
	    scsi_sense_asc(descr) == 0x24 && scsi_sense_ascq(descr) == 0x01,
	    "saw %x/%x/%x", scsi_sense_key(descr), scsi_sense_asc(descr),
	    scsi_sense_ascq(descr));
}

static void
test_bufs(void)
{
	struct buf *bp = getrbuf(KM_SLEEP);

	CHECK("hba: getrbuf zeroed", bp != NULL && bp->b_flags == 0 &&
	    bp->b_bcount == 0 && geterror(bp) == 0, "expected a clean buf");
	bioerror(bp, EIO);
	CHECK("hba: bioerror/geterror", geterror(bp) == EIO &&
	    (bp->b_flags & B_ERROR), "expected EIO");
	bioerror(bp, 0);
	CHECK("hba: bioerror(0) clears", geterror(bp) == 0 &&
	    !(bp->b_flags & B_ERROR), "expected 0");
	freerbuf(bp);
}

/*
 * fk_scsa_config waits for the initial enumeration: until a late first
 * report has been applied, or csync_usec when nothing is reported.
 */
static void
test_csync(void)
{
	lb_config_t cfg;
	lb_t *l;
	hrtime_t t0, dt;

	lb_config_default(&cfg);
	cfg.lc_report_delay_ms = 150;
	cfg.lc_csync_usec = 3000000;
	t0 = gethrtime();
	l = lb_create(&cfg);
	dt = gethrtime() - t0;
	CHECK("hba: config waits for a late first report to be applied",
	    l != NULL && fk_scsi_luns(l->lb_iport, NULL, NULL, 0) == 2 &&
	    dt >= 150 * 1000000LL && dt < 2 * NS_PER_SEC,
	    "expected 2 LUNs after 150 ms to 2 s, saw %d after %lld ms",
	    l ? fk_scsi_luns(l->lb_iport, NULL, NULL, 0) : -1,
	    (long long)(dt / 1000000));
	if (l != NULL) {
		(void) lb_destroy(l);
		free(l);
	}

	lb_config_default(&cfg);
	cfg.lc_ntgt = 0;
	cfg.lc_csync_usec = 300000;
	t0 = gethrtime();
	l = lb_create(&cfg);
	dt = gethrtime() - t0;
	CHECK("hba: with nothing reported, config waits csync_usec",
	    l != NULL && fk_scsi_luns(l->lb_iport, NULL, NULL, 0) == 0 &&
	    dt >= 300 * 1000000LL && dt < 2 * NS_PER_SEC,
	    "expected no LUNs after 300 ms to 2 s, saw %lld ms",
	    (long long)(dt / 1000000));
	if (l != NULL) {
		(void) lb_destroy(l);
		free(l);
	}
}

int
main(void)
{
	fk_options_t opts = { .fo_platform = "none", .fo_strict_dma = 1,
	    .fo_quiet = 1 };

	if (fk_init(&opts) != 0) {
		printf("FAIL hba: fk_init failed\n");
		return (1);
	}
	test_capstr();
	test_inquiry();
	test_sense();
	test_bufs();
	test_bringup();
	test_csync();
	{
		fk_counters_t cw;

		fk_counters_get(&cw);
		CHECK("hba: no lock-order (witness) report",
		    cw.fc_witness_reports == 0, "saw %llu reports",
		    (unsigned long long)cw.fc_witness_reports);
	}
	fk_fini();
	return (check_exit());
}

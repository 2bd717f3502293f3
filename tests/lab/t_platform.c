/*
 * The vfio platform against QEMU's pvscsi, in the lab guest, through the
 * DDI alone (tests/lab/lib/rawring.h; no driver), in strict DMA mode:
 *
 *   t_platform msi|fixed|poll [high]	the function found and bound, its
 *	configuration space and BAR, an adapter reset, rings, INQUIRY, READ
 *	CAPACITY, WRITE and READ back, with MSI, INTx or polling; then one
 *	ddi_dma_sync left out at a time, which must break the I/O; then the
 *	DMA attributes (32-bit limits give memory below 4 GiB; with "high",
 *	in a guest with RAM above 4 GiB, 64-bit attributes give memory above
 *	it and the rings work there; kmem buffers are DMA memory, above 4 GiB
 *	there).  The first disk (target 0) must be a
 *	64 MiB file disk.
 *   t_platform hotplug		QMP device_add/device_del of a disk at
 *	target 5 produce DEV_ADDED and DEV_REMOVED in the message ring
 *	(with MSI).
 */

#include <sys/types.h>
#include <sys/sunddi.h>
#include <sys/pci.h>
#include <sys/ddi_intr.h>
#include <fk.h>
#include <fk_impl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "qmp.h"
#include "lib/drv.h"
#include "lib/rawring.h"

#define	G4		0x100000000ULL
#define	DISK0_BYTES	(64ULL << 20)

static dev_info_t *dip;
static int high;

static const ddi_dma_attr_t attr32 = {
	.dma_attr_version = DMA_ATTR_V0,
	.dma_attr_addr_lo = 0,
	.dma_attr_addr_hi = 0xffffffffULL,
	.dma_attr_count_max = 0xffffffffULL,
	.dma_attr_align = 4096,
	.dma_attr_burstsizes = 0x7ff,
	.dma_attr_minxfer = 1,
	.dma_attr_maxxfer = 0xffffffffULL,
	.dma_attr_seg = 0xffffffffULL,
	.dma_attr_sgllen = -1,
	.dma_attr_granular = 1,
};

static ddi_device_acc_attr_t acc_le = {
	.devacc_attr_version = DDI_DEVICE_ATTR_V0,
	.devacc_attr_endian_flags = DDI_STRUCTURE_LE_ACC,
	.devacc_attr_dataorder = DDI_STRICTORDER_ACC,
};

static void
test_function(void)
{
	ddi_acc_handle_t cfg, regs;
	caddr_t base;
	uint16_t cmd;
	off_t size = 0;
	int nregs = 0;
	uint32_t st;

	CHECK("platform: pci_config_setup", pci_config_setup(dip, &cfg) ==
	    DDI_SUCCESS, "expected DDI_SUCCESS");
	CHECK("platform: vendor 15ad, device 07c0, revision 2",
	    pci_config_get16(cfg, PCI_CONF_VENID) == 0x15ad &&
	    pci_config_get16(cfg, PCI_CONF_DEVID) == 0x07c0 &&
	    pci_config_get8(cfg, PCI_CONF_REVID) == 2,
	    "expected 15ad:07c0 rev 2, saw %04x:%04x rev %u",
	    pci_config_get16(cfg, PCI_CONF_VENID),
	    pci_config_get16(cfg, PCI_CONF_DEVID),
	    pci_config_get8(cfg, PCI_CONF_REVID));
	cmd = pci_config_get16(cfg, PCI_CONF_COMM);
	CHECK("platform: memory space and bus master enabled at open",
	    (cmd & (PCI_COMM_MAE | PCI_COMM_ME)) == (PCI_COMM_MAE |
	    PCI_COMM_ME), "expected MAE|ME in %#x", cmd);
	pci_config_teardown(&cfg);

	CHECK("platform: reg has config space and BAR0",
	    ddi_dev_nregs(dip, &nregs) == DDI_SUCCESS && nregs >= 2,
	    "expected >= 2 register sets, saw %d", nregs);
	CHECK("platform: BAR0 is the 32 KiB register window",
	    ddi_dev_regsize(dip, 1, &size) == DDI_SUCCESS &&
	    size == PVSCSI_MEM_SPACE_SIZE, "expected %#x, saw %#llx",
	    PVSCSI_MEM_SPACE_SIZE, (long long)size);
	CHECK("platform: BAR0 mapped", ddi_regs_map_setup(dip, 1, &base, 0,
	    0, &acc_le, &regs) == DDI_SUCCESS, "expected DDI_SUCCESS");
	ddi_put32(regs, (uint32_t *)(base + PVSCSI_REG_COMMAND),
	    PVSCSI_CMD_ADAPTER_RESET);
	st = ddi_get32(regs, (uint32_t *)(base + PVSCSI_REG_COMMAND_STATUS));
	CHECK("platform: registers: ADAPTER_RESET status 0", st == 0,
	    "expected 0, saw %#x", st);
	ddi_put32(regs, (uint32_t *)(base + PVSCSI_REG_COMMAND),
	    PVSCSI_CMD_SETUP_MSG_RING);
	st = ddi_get32(regs, (uint32_t *)(base + PVSCSI_REG_COMMAND_STATUS));
	CHECK("platform: registers: a command waiting for data reads -2",
	    st == PVSCSI_STATUS_NEED_DATA, "expected %#x, saw %#x",
	    PVSCSI_STATUS_NEED_DATA, st);
	(void) ddi_get32(regs, (uint32_t *)(base + PVSCSI_REG_COMMAND_STATUS));
	ddi_put32(regs, (uint32_t *)(base + PVSCSI_REG_COMMAND),
	    PVSCSI_CMD_ADAPTER_RESET);
	CHECK("platform: register writes are counted per offset",
	    fk_reg_writes_at(1, PVSCSI_REG_COMMAND) >= 3,
	    "expected >= 3, saw %llu",
	    (unsigned long long)fk_reg_writes_at(1, PVSCSI_REG_COMMAND));
	ddi_regs_map_free(&regs);
}

static int
inquiry_ok(rawring_t *rr, int target, const char *what)
{
	uint8_t inq[96];
	rr_cmp_t c;
	int rv;

	rv = rawring_inquiry(rr, target, inq, &c);
	return (CHECK(what, rv == 0 && c.rc_scsi_status == 0 &&
	    memcmp(inq + 8, "QEMU    ", 8) == 0 &&
	    memcmp(inq + 16, "QEMU HARDDISK", 13) == 0,
	    "expected QEMU HARDDISK, saw rv %d host %#x scsi %#x vendor "
	    "'%.8s'", rv, c.rc_host_status, c.rc_scsi_status, inq + 8));
}

/* A command, retried on CHECK CONDITION (a reset's unit attention). */
static int
run_retry(rawring_t *rr, const uint8_t *cdb, void *buf, uint32_t dir,
    rr_cmp_t *c)
{
	int rv = -1, tries;

	for (tries = 0; tries < 3; tries++) {
		rv = rawring_run(rr, 0, cdb, 10, buf, 4096, dir, c, 5000);
		if (rv != 0 || c->rc_scsi_status != 2)
			break;
	}
	return (rv);
}

/* WRITE(10) a pattern at lba, READ(10) it back. */
static int
write_read(rawring_t *rr, uint32_t lba, uint8_t seed)
{
	uint8_t cdb[10] = { 0x2a }, out[4096], in[4096];
	rr_cmp_t c;
	int i, rv;

	for (i = 0; i < 4096; i++)
		out[i] = (uint8_t)(seed + i * 13);
	cdb[2] = (uint8_t)(lba >> 24);
	cdb[3] = (uint8_t)(lba >> 16);
	cdb[4] = (uint8_t)(lba >> 8);
	cdb[5] = (uint8_t)lba;
	cdb[8] = 8;
	rv = run_retry(rr, cdb, out, PVSCSI_FLAG_CMD_DIR_TODEVICE, &c);
	if (rv != 0 || c.rc_host_status != 0 || c.rc_scsi_status != 0) {
		(void) printf("# WRITE(10): run %d, host %#x, scsi %#x\n", rv,
		    c.rc_host_status, c.rc_scsi_status);
		return (-1);
	}
	cdb[0] = 0x28;
	rv = run_retry(rr, cdb, in, PVSCSI_FLAG_CMD_DIR_TOHOST, &c);
	if (rv != 0 || c.rc_host_status != 0 || c.rc_scsi_status != 0) {
		(void) printf("# READ(10): run %d, host %#x, scsi %#x\n", rv,
		    c.rc_host_status, c.rc_scsi_status);
		return (-1);
	}
	for (i = 0; i < 4096 && in[i] == out[i]; i++)
		;
	if (i < 4096) {
		(void) printf("# READ(10): byte %d is %#x, not %#x\n", i,
		    in[i], out[i]);
		return (-2);
	}
	return (0);
}

static void
test_io(rawring_t *rr, const char *mode)
{
	fk_counters_t c0, c1;
	uint64_t nblocks = 0;
	uint32_t blksz = 0;
	char name[96];
	int i;

	fk_counters_get(&c0);
	(void) snprintf(name, sizeof (name), "platform: INQUIRY (%s)", mode);
	(void) inquiry_ok(rr, 0, name);
	CHECK("platform: READ CAPACITY: the 64 MiB disk",
	    rawring_capacity(rr, 0, &nblocks, &blksz) == 0 &&
	    nblocks * blksz == DISK0_BYTES, "expected 64 MiB, saw %llu "
	    "blocks of %u", (unsigned long long)nblocks, blksz);
	CHECK("platform: WRITE(10) then READ(10) return the data",
	    write_read(rr, 16, 0x5a) == 0, "expected the pattern back");
	/*
	 * The interrupt thread counts a claimed interrupt after the handler
	 * returns, and the handler's completion may wake us first: give the
	 * count up to a second to follow.
	 */
	for (i = 0; i < 100; i++) {
		fk_counters_get(&c1);
		if (rr->rr_intr_type == 0 ||
		    c1.fc_intrs_claimed > c0.fc_intrs_claimed)
			break;
		(void) usleep(10000);
	}
	(void) printf("# %s: %llu interrupts, %llu syncs, %llu register "
	    "writes\n", mode, (unsigned long long)rr->rr_intrs,
	    (unsigned long long)(c1.fc_dma_syncs - c0.fc_dma_syncs),
	    (unsigned long long)(c1.fc_reg_writes - c0.fc_reg_writes));
	if (rr->rr_intr_type != 0) {
		CHECK("platform: completions raise interrupts the handler "
		    "claims", rr->rr_intrs > 0 && c1.fc_intrs_claimed >
		    c0.fc_intrs_claimed && (rr->rr_intr_seen &
		    PVSCSI_INTR_CMPL_0) != 0, "expected claimed interrupts, "
		    "saw %llu", (unsigned long long)rr->rr_intrs);
	}
	CHECK("platform: strict DMA saw no conflict",
	    c1.fc_dma_conflicts == c0.fc_dma_conflicts,
	    "expected none, saw %llu",
	    (unsigned long long)(c1.fc_dma_conflicts - c0.fc_dma_conflicts));
}

/* Each left-out sync breaks the I/O; a reset and the sync make it work. */
static void
test_missing_syncs(rawring_t *rr)
{
	static const struct {
		rr_fault_t	fault;
		const char	*what;
	} faults[] = {
		{ RR_FAULT_REQ_FORDEV, "request descriptor FORDEV" },
		{ RR_FAULT_PROD_FORDEV, "request producer FORDEV" },
		{ RR_FAULT_CMP_FORKERNEL, "completion FORKERNEL" },
		{ RR_FAULT_DATA_FORKERNEL, "data FORKERNEL" },
	};
	const uint8_t cdb[6] = { 0x12, 0, 0, 0, 96, 0 };
	char name[128];
	uint8_t inq[96];
	rr_cmp_t c;
	size_t i;
	int rv, good;

	for (i = 0; i < sizeof (faults) / sizeof (faults[0]); i++) {
		rr->rr_fault = faults[i].fault;
		(void) memset(inq, 0, sizeof (inq));
		(void) memset(&c, 0, sizeof (c));
		rv = rawring_run(rr, 0, cdb, 6, inq, 96,
		    PVSCSI_FLAG_CMD_DIR_TOHOST, &c, 1500);
		good = rv == 0 && c.rc_scsi_status == 0 &&
		    memcmp(inq + 8, "QEMU    ", 8) == 0;
		(void) printf("# without the %s sync: run %d, context %llu, "
		    "vendor '%.8s'\n", faults[i].what, rv,
		    (unsigned long long)c.rc_context, inq + 8);
		(void) snprintf(name, sizeof (name), "platform: INQUIRY "
		    "without the %s sync fails", faults[i].what);
		CHECK(name, !good, "expected stale data or a timeout, saw a "
		    "good INQUIRY");
		rr->rr_fault = RR_FAULT_NONE;
		(void) snprintf(name, sizeof (name), "platform: after a reset, "
		    "with the %s sync, INQUIRY works", faults[i].what);
		if (!CHECK(name, rawring_reset(rr, 0) == 0 &&
		    rawring_inquiry(rr, 0, inq, &c) == 0 &&
		    memcmp(inq + 8, "QEMU    ", 8) == 0,
		    "expected QEMU, saw '%.8s'", inq + 8))
			break;
	}
}

/* All cookies of h within [lo, hi]; the first one's address in *firstp. */
static int
cookies_in(ddi_dma_handle_t h, uint64_t lo, uint64_t hi, uint64_t *firstp)
{
	const ddi_dma_cookie_t *c;
	int ok = 1;

	*firstp = ddi_dma_cookie_iter(h, NULL)->dmac_laddress;
	for (c = ddi_dma_cookie_iter(h, NULL); c != NULL;
	    c = ddi_dma_cookie_iter(h, c)) {
		ok &= c->dmac_laddress >= lo &&
		    c->dmac_laddress + c->dmac_size - 1 <= hi;
	}
	return (ok);
}

/*
 * The check "platform: what: which in range": h's cookies lie within
 * [lo, hi]; the first cookie's address noted as "what: note cookie".
 */
static void
check_cookies_in(ddi_dma_handle_t h, uint64_t lo, uint64_t hi,
    const char *what, const char *which, const char *note)
{
	uint64_t first = 0;
	char name[128];

	(void) snprintf(name, sizeof (name), "platform: %s: %s in range",
	    what, which);
	CHECK(name, cookies_in(h, lo, hi, &first), "expected [%#llx, %#llx], "
	    "first cookie %#llx", (unsigned long long)lo,
	    (unsigned long long)hi, (unsigned long long)first);
	(void) printf("# %s: %s cookie at %#llx\n", what, note,
	    (unsigned long long)first);
}

/* mem_alloc'd memory and a kmem buffer bound with attr: their cookies. */
static void
dma_attr_check(const ddi_dma_attr_t *attr, uint64_t lo, uint64_t hi,
    const char *what)
{
	ddi_dma_attr_t a = *attr;
	ddi_dma_handle_t h, hk;
	ddi_acc_handle_t acc;
	caddr_t va, kbuf;
	size_t real;

	(void) ddi_dma_alloc_handle(dip, &a, DDI_DMA_SLEEP, NULL, &h);
	(void) ddi_dma_mem_alloc(h, 65536, &acc_le, DDI_DMA_CONSISTENT,
	    DDI_DMA_SLEEP, NULL, &va, &real, &acc);
	(void) ddi_dma_addr_bind_handle(h, NULL, va, 65536, DDI_DMA_RDWR,
	    DDI_DMA_SLEEP, NULL, NULL, NULL);
	check_cookies_in(h, lo, hi, what, "ddi_dma_mem_alloc memory",
	    "mem_alloc");

	kbuf = kmem_alloc(16384, KM_SLEEP);
	a.dma_attr_align = 1;
	(void) ddi_dma_alloc_handle(dip, &a, DDI_DMA_SLEEP, NULL, &hk);
	(void) ddi_dma_addr_bind_handle(hk, NULL, kbuf, 16384, DDI_DMA_RDWR,
	    DDI_DMA_SLEEP, NULL, NULL, NULL);
	check_cookies_in(hk, lo, hi, what, "a bound kmem buffer",
	    "kmem buffer");
	(void) ddi_dma_unbind_handle(hk);
	ddi_dma_free_handle(&hk);
	kmem_free(kbuf, 16384);
	(void) ddi_dma_unbind_handle(h);
	ddi_dma_mem_free(&acc);
	ddi_dma_free_handle(&h);
}

/*
 * kmem memory comes from the DMA arena: without strict mode (where every
 * bind gets a device copy) a bound kmem buffer is DMA memory as it is.
 */
static void
test_kmem_is_dma(const ddi_dma_attr_t *attr)
{
	ddi_dma_attr_t a = *attr;
	const ddi_dma_cookie_t *c;
	ddi_dma_handle_t h;
	caddr_t kbuf;
	int strict = fk_strict_dma;

	fk_strict_dma = 0;
	a.dma_attr_align = 1;
	kbuf = kmem_alloc(16384, KM_SLEEP);
	(void) ddi_dma_alloc_handle(dip, &a, DDI_DMA_SLEEP, NULL, &h);
	(void) ddi_dma_addr_bind_handle(h, NULL, kbuf, 16384, DDI_DMA_RDWR,
	    DDI_DMA_SLEEP, NULL, NULL, NULL);
	c = ddi_dma_cookie_iter(h, NULL);
	CHECK("platform: a kmem buffer is DMA memory itself (not bounced)",
	    c != NULL && fk_dma_devmem(c->dmac_laddress, 0) == kbuf &&
	    (!high || c->dmac_laddress >= G4), "expected the buffer's own "
	    "address%s, saw %#llx", high ? " above 4 GiB" : "",
	    c != NULL ? (unsigned long long)c->dmac_laddress : 0ULL);
	(void) ddi_dma_unbind_handle(h);
	ddi_dma_free_handle(&h);
	kmem_free(kbuf, 16384);
	fk_strict_dma = strict;
}

static void
test_dma_attrs(rawring_t *rr)
{
	ddi_dma_attr_t a64 = attr32;
	rawring_t rr32;

	a64.dma_attr_addr_hi = UINT64_MAX;
	a64.dma_attr_count_max = UINT64_MAX;
	a64.dma_attr_seg = UINT64_MAX;
	dma_attr_check(&attr32, 0, G4 - 1, "32-bit attributes");
	test_kmem_is_dma(&a64);
	if (high) {
		dma_attr_check(&a64, G4, UINT64_MAX, "64-bit attributes, RAM "
		    "above 4 GiB");
		CHECK("platform: the rings that worked lie above 4 GiB",
		    rr->rr_state.rd_pa[0] >= G4 && rr->rr_req.rd_pa[0] >= G4 &&
		    rr->rr_cmp.rd_pa[0] >= G4 && rr->rr_data.rd_pa[0] >= G4,
		    "expected addresses >= 4 GiB, saw state %#llx",
		    (unsigned long long)rr->rr_state.rd_pa[0]);
	}
	/* The device with everything below 4 GiB. */
	rawring_close(rr);
	if (!CHECK("platform: rings with 32-bit attributes",
	    rawring_open(&rr32, dip, &attr32) == 0 &&
	    rawring_reset(&rr32, 0) == 0, "expected the rings set up"))
		return;
	CHECK("platform: rings below 4 GiB", rr32.rr_state.rd_pa[0] < G4 &&
	    rr32.rr_data.rd_pa[0] < G4, "expected < 4 GiB, saw %#llx",
	    (unsigned long long)rr32.rr_state.rd_pa[0]);
	(void) inquiry_ok(&rr32, 0, "platform: INQUIRY with everything below "
	    "4 GiB");
	CHECK("platform: WRITE/READ with everything below 4 GiB",
	    write_read(&rr32, 24, 0x33) == 0, "expected the pattern back");
	rawring_close(&rr32);
}

static void
test_hotplug(rawring_t *rr)
{
	pvscsi_msg_dev_t m[4];
	uint8_t inq[96];
	rr_cmp_t c;
	int fd, n;

	if (!CHECK("hotplug: QMP port opens", (fd = qmp_open()) >= 0,
	    "expected a descriptor"))
		return;
	CHECK("hotplug: device_add of a disk at target 5",
	    qmp_disk_add(fd, 0, 5, "null,size=64M") == 0, "expected 0: %s",
	    qmp_last_error());
	n = rawring_msgs(rr, m, 4, 10000);
	CHECK("hotplug: DEV_ADDED for target 5 in the message ring",
	    n >= 1 && m[0].pmd_type == PVSCSI_MSG_DEV_ADDED &&
	    m[0].pmd_target == 5 && m[0].pmd_lun[1] == 0,
	    "expected one DEV_ADDED target 5, saw %d messages (type %u "
	    "target %u)", n, n > 0 ? m[0].pmd_type : 99,
	    n > 0 ? m[0].pmd_target : 99);
	for (n = 0; n < 200 && (rr->rr_intr_seen & PVSCSI_INTR_MSG_0) == 0;
	    n++)
		(void) usleep(10000);
	CHECK("hotplug: the message raised a message interrupt",
	    (rr->rr_intr_seen & PVSCSI_INTR_MSG_0) != 0,
	    "expected MSG_0 in %#x (%llu interrupts)", rr->rr_intr_seen,
	    (unsigned long long)rr->rr_intrs);
	(void) inquiry_ok(rr, 5, "hotplug: INQUIRY of the new disk");
	CHECK("hotplug: device_del", qmp_disk_del(fd, 0, 5) == 0,
	    "expected 0: %s", qmp_last_error());
	n = rawring_msgs(rr, m, 4, 10000);
	CHECK("hotplug: DEV_REMOVED for target 5 in the message ring",
	    n >= 1 && m[0].pmd_type == PVSCSI_MSG_DEV_REMOVED &&
	    m[0].pmd_target == 5, "expected DEV_REMOVED target 5, saw %d "
	    "messages (type %u)", n, n > 0 ? m[0].pmd_type : 99);
	(void) rawring_inquiry(rr, 5, inq, &c);
	CHECK("hotplug: the removed target times out on selection",
	    c.rc_host_status == PVSCSI_BTSTAT_SELTIMEO,
	    "expected host status %#x, saw %#x", PVSCSI_BTSTAT_SELTIMEO,
	    c.rc_host_status);
	qmp_close(fd);
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "msi";
	int hotplug = strcmp(mode, "hotplug") == 0;
	fk_options_t o = { .fo_platform = "vfio", .fo_strict_dma = 1 };
	int type = 0, i;
	rawring_t rr;

	for (i = 2; i < argc; i++)
		high |= strcmp(argv[i], "high") == 0;
	if (strcmp(mode, "msi") == 0 || hotplug) {
		o.fo_intr = "msi";
		type = DDI_INTR_TYPE_MSI;
	} else if (strcmp(mode, "fixed") == 0) {
		o.fo_intr = "fixed";
		type = DDI_INTR_TYPE_FIXED;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!CHECK("platform: fk_init(vfio, strict DMA)", fk_init(&o) == 0,
	    "expected 0"))
		return (check_exit());
	if (!CHECK("platform: a PVSCSI function is claimed",
	    fk_pci_claim(drv_aliases) >= 1 && fk_pci_count() >= 1,
	    "expected >= 1, saw %d", fk_pci_count()) ||
	    !CHECK("platform: its node", (dip = fk_pci_node_create(0,
	    NULL)) != NULL, "expected a node"))
		return (check_exit());

	if (!hotplug)
		test_function();
	if (!CHECK("platform: rings set up", rawring_open(&rr, dip, NULL) ==
	    0 && rawring_reset(&rr, hotplug) == 0, "expected success"))
		return (check_exit());
	if (type != 0) {
		(void) CHECK("platform: interrupt set up",
		    rawring_intr_setup(&rr, type) == 0, "expected success");
	}
	if (hotplug) {
		test_hotplug(&rr);
		rawring_close(&rr);
	} else {
		test_io(&rr, mode);
		test_missing_syncs(&rr);
		test_dma_attrs(&rr);
	}
	fk_pci_node_destroy(dip);
	fk_fini();
	return (check_exit());
}

/*
 * Polled I/O (FLAG_NOINTR, as in a crash dump): with the device's
 * interrupts disabled, polled reads and writes of several sizes and a
 * polled INQUIRY complete in tran_start(9E) and their data verifies,
 * and no interrupt handler runs meanwhile.  Then, interrupts enabled,
 * polled commands complete while the request ring is full of slow
 * interrupt-driven commands, which all complete too.
 *
 * Interrupts are disabled at the device: the test maps the HBA's
 * registers itself and clears INTR_MASK (the driver is not told), and
 * puts the driver's value back afterwards.
 *
 * Topology (tests/lab/suites): hba0 with a raw file disk at target 0 and
 * a null disk at target 1 whose requests complete 200 ms late.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/sunddi.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/scsi/scsi.h>

#include "check.h"
#include "lib/drv.h"
#include "lib/labio.h"
#include "lib/labcheck.h"
#include "lib/devtap.h"
#include "pvscsi.h"

#define	BLK		512
#define	PAGE		4096

static fk_lun_t *lun0, *lun1;
static double poll_max;		/* slowest polled command, seconds */

static ddi_device_acc_attr_t reg_attr = {
	.devacc_attr_version = DDI_DEVICE_ATTR_V1,
	.devacc_attr_endian_flags = DDI_STRUCTURE_LE_ACC,
	.devacc_attr_dataorder = DDI_STRICTORDER_ACC,
	.devacc_attr_access = DDI_DEFAULT_ACC
};

/* The HBA's register BAR, as the driver finds it; 0 or -1. */
static int
regs_map(dev_info_t *dip, caddr_t *regs, ddi_acc_handle_t *h)
{
	off_t size;
	uint_t rn;

	for (rn = 1; ddi_dev_regsize(dip, rn, &size) == DDI_SUCCESS &&
	    size < PVSCSI_MEM_SPACE_SIZE; rn++)
		continue;
	return (ddi_regs_map_setup(dip, rn, regs, 0, PVSCSI_MEM_SPACE_SIZE,
	    &reg_attr, h) == DDI_SUCCESS ? 0 : -1);
}

static uint64_t
intrs(void)
{
	fk_counters_t c;

	fk_counters_get(&c);
	return (c.fc_intrs);
}

/* A polled write, the image, a polled read; 0 or a description. */
static const char *
polled_rw(size_t len, size_t off, uint64_t lba, uint64_t seed)
{
	static char why[128];
	size_t alloc = len + 2 * PAGE;
	uchar_t *mem = fk_scsi_buf_alloc(alloc);
	uchar_t *buf = (uchar_t *)P2ROUNDUP((uintptr_t)mem, PAGE) + off;
	uchar_t *img = malloc(len);
	const char *res = NULL;
	lio_xfer_t x;
	double t;
	int rv;

	lio_fill(buf, len, lba * BLK, seed);
	t = lio_now();
	rv = lio_rw(lun0, FK_SCSI_DIR_WRITE, lba, buf, len, FLAG_NOINTR, 0,
	    &x);
	poll_max = MAX(poll_max, lio_now() - t);
	if (rv != 0 || x.lx_comps != 0) {
		(void) snprintf(why, sizeof (why), "write of %zu: error %d, "
		    "reason %u, %u pkt_comp calls", len, rv, x.lx_reason,
		    x.lx_comps);
		res = why;
		goto out;
	}
	if (lio_image_read(0, 0, lba * BLK, img, len) != 0 ||
	    lio_verify(img, len, lba * BLK, seed) >= 0) {
		(void) snprintf(why, sizeof (why), "write of %zu: not in the "
		    "image", len);
		res = why;
		goto out;
	}
	(void) memset(buf, 0xa5, len);
	t = lio_now();
	rv = lio_rw(lun0, FK_SCSI_DIR_READ, lba, buf, len, FLAG_NOINTR, 0,
	    &x);
	poll_max = MAX(poll_max, lio_now() - t);
	if (rv != 0 || lio_verify(buf, len, lba * BLK, seed) >= 0) {
		(void) snprintf(why, sizeof (why), "read of %zu: error %d, "
		    "reason %u, or bad data", len, rv, x.lx_reason);
		res = why;
	}
out:
	free(img);
	fk_scsi_buf_free(mem, alloc);
	return (res);
}

static void
polled_inquiry(void)
{
	fk_scsi_cmd_t cmd;
	uchar_t *buf = fk_scsi_buf_alloc(96);
	int rv;

	bzero(&cmd, sizeof (cmd));
	cmd.sc_cdb[0] = SCMD_INQUIRY;
	cmd.sc_cdb[4] = 96;
	cmd.sc_cdblen = CDB_GROUP0;
	cmd.sc_buf = buf;
	cmd.sc_buflen = 96;
	cmd.sc_dir = FK_SCSI_DIR_READ;
	cmd.sc_flags = FLAG_NOINTR;
	rv = fk_scsi_cmd(lun0, &cmd);
	CHECK("polled-inquiry", rv == 0 && memcmp(buf + 8, "QEMU", 4) == 0,
	    "expected QEMU's inquiry data, saw error %d, vendor '%.8s'", rv,
	    (char *)buf + 8);
	fk_scsi_buf_free(buf, 96);
}

/* Interrupts off at the device; polled commands only. */
static void
polled_no_intr(size_t max)
{
	static const size_t sizes[] = { BLK, PAGE, 3 * PAGE + BLK, 65536 };
	ddi_acc_handle_t h;
	caddr_t regs;
	uint32_t *mask;
	uint32_t saved;
	uint64_t i0, i1;
	const char *why = NULL;
	uint_t n = 0;

	if (!CHECK("map-registers", regs_map(fk_pci_hba(0), &regs, &h) == 0,
	    "expected the register BAR mapped"))
		return;
	mask = (uint32_t *)(void *)(regs + PVSCSI_REG_INTR_MASK);
	saved = ddi_get32(h, mask);
	ddi_put32(h, mask, 0);
	(void) usleep(200000);		/* one in flight may still arrive */
	i0 = intrs();

	polled_inquiry();
	for (size_t i = 0; i < sizeof (sizes) / sizeof (sizes[0]) &&
	    why == NULL; i++) {
		why = polled_rw(sizes[i], (i * 520) % PAGE, 1000 + i * 256,
		    i + 1);
		n++;
	}
	if (why == NULL) {
		why = polled_rw(max, 8, 4096, 99);
		n++;
	}
	CHECK("polled-io-interrupts-off", why == NULL,
	    "expected polled writes and reads of 512 B to %zu B to verify; "
	    "%s", max, why);
	i1 = intrs();
	drv_note("%u polled write/read pairs, slowest command %.3f s; "
	    "interrupt mask was %#x", n, poll_max, saved);
	CHECK("no-interrupt-while-polling", i1 == i0,
	    "expected no interrupt handler call with interrupts disabled, "
	    "saw %llu", (unsigned long long)(i1 - i0));
	ddi_put32(h, mask, saved);
	ddi_regs_map_free(&h);
}

typedef struct slow {
	fk_scsi_cmd_t	s_cmd;
	uchar_t		*s_buf;
	uint_t		s_done;
	int		s_error;
} slow_t;

static void
slow_done(fk_scsi_cmd_t *cmd, void *arg)
{
	slow_t *s = arg;

	s->s_error = cmd->sc_error;
	__atomic_add_fetch(&s->s_done, 1, __ATOMIC_RELEASE);
}

/*
 * Interrupts on: fill the ring (and the driver's queue) with slow reads
 * of LUN 1, then poll LUN 0.
 */
static void
polled_under_load(uint_t ring)
{
	uint_t n = 2 * ring, bad = 0, submitted = 0;
	slow_t *s = calloc(n, sizeof (slow_t));
	const char *why;
	double t;

	(void) fk_scsi_set_depth(lun1, n);
	for (uint_t i = 0; i < n; i++) {
		s[i].s_buf = fk_scsi_buf_alloc(PAGE);
		fk_scsi_cdb_rw(&s[i].s_cmd, FK_SCSI_DIR_READ, i * 8, 8, BLK);
		s[i].s_cmd.sc_buf = s[i].s_buf;
		s[i].s_cmd.sc_done = slow_done;
		s[i].s_cmd.sc_arg = &s[i];
		if (fk_scsi_submit(lun1, &s[i].s_cmd) == 0)
			submitted++;
		else
			s[i].s_done = 1;
	}
	poll_max = 0;
	t = lio_now();
	why = polled_rw(65536, 0, 20000, 7);
	t = lio_now() - t;
	CHECK("polled-io-ring-full", why == NULL,
	    "expected a polled write and read to verify behind %u slow "
	    "commands; %s", n, why);
	(void) fk_scsi_drain(lun1, SEC2NSEC(60));
	for (uint_t i = 0; i < n; i++) {
		if (s[i].s_done != 1 || s[i].s_error != 0)
			bad++;
		fk_scsi_buf_free(s[i].s_buf, PAGE);
	}
	drv_note("polled write and read behind %u slow commands: %.3f s",
	    n, t);
	CHECK("slow-commands-complete", submitted == n && bad == 0,
	    "expected %u slow reads completed once each, %u submitted, %u "
	    "not", n, submitted, bad);
	free(s);
}

int
main(void)
{
	lio_limits_t ll;
	size_t max;
	int err;

	dt_start();		/* the ring depth, from SETUP_RINGS */
	drv_start();
	drv_units("discover", &lun0, &lun1);
	(void) lio_limits(lun0, &ll);
	max = ll.ll_max;

	polled_no_intr(max);
	polled_under_load(ll.ll_ring);

	fk_scsi_lun_rele(lun0);
	fk_scsi_lun_rele(lun1);
	lio_check_intr("poll");
	lio_check_clean("poll");
	err = drv_detach();
	CHECK("detach", err == 0, "expected 0, saw %d", err);
	drv_unload();
	return (check_exit());
}

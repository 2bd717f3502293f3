/*
 * DMA above 4 GiB: in a guest whose RAM reaches past 4 GiB (lab --mem
 * 6144), the DMA arena lies above 4 GiB, and so do the rings the driver
 * gave the device and the data addresses of its requests; the data of
 * writes and reads of several sizes verifies (an address cut to 32 bits
 * would land elsewhere).
 *
 * The addresses are the device's own account: QEMU's trace of
 * SETUP_RINGS (run with --trace pvscsi_tx_rings_ppn; the trace is in
 * $LAB_OUT/trace.log) for the rings, and the requests on the request
 * ring at each kick (devtap.h) for the data.
 *
 * Topology (tests/lab/suites): hba0 with a raw file disk at target 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/sunddi.h>
#include <sys/sysmacros.h>
#include <sys/scsi/scsi.h>

#include "check.h"
#include "fk_impl.h"
#include "platform/arena.h"
#include "lib/drv.h"
#include "lib/labio.h"
#include "lib/labcheck.h"
#include "lib/devtap.h"

#define	BLK		512
#define	PAGE		4096
#define	GIB4		0x100000000ULL

/*
 * The pages of the last SETUP_RINGS in QEMU's trace: "pvscsi_tx_rings_ppn
 * Rings State page: 0x...", then the request and completion ("Confirm")
 * ring pages.  Returns the number of pages; lowest address in *lop.
 */
static int
traced_rings(uint64_t *lop)
{
	const char *out = getenv("LAB_OUT");
	char path[512], line[256];
	int n = 0;
	FILE *f;

	*lop = UINT64_MAX;
	(void) snprintf(path, sizeof (path), "%s/trace.log",
	    out != NULL ? out : ".");
	if ((f = fopen(path, "r")) == NULL)
		return (-1);
	while (fgets(line, sizeof (line), f) != NULL) {
		char *p = strstr(line, "pvscsi_tx_rings_ppn");
		char *q = p != NULL ? strstr(p, "page: 0x") : NULL;
		uint64_t addr;

		if (q == NULL)
			continue;
		addr = strtoull(q + 8, NULL, 16) << 12;
		if (strstr(p, "Rings State") != NULL) {
			n = 0;			/* a new SETUP_RINGS */
			*lop = UINT64_MAX;
		}
		*lop = MIN(*lop, addr);
		n++;
	}
	(void) fclose(f);
	return (n);
}

int
main(void)
{
	static const size_t sizes[] = { BLK, PAGE, 12 * PAGE + BLK, 65536,
	    256 * 1024 };
	lio_limits_t ll;
	fk_lun_t *lun;
	size_t low_total, low_free, high_total, high_free, max;
	uint64_t rings_lo, data_lo, data_hi, lba = 4096;
	uint_t sges;
	uint_t xfers = 0, good = 0;
	int err, nrings;

	dt_start();		/* the requests' data addresses */
	drv_start();
	drv_units("discover-0,0", &lun, NULL);

	fk_arena_stats(0, GIB4 - 1, &low_total, &low_free);
	fk_arena_stats(GIB4, UINT64_MAX, &high_total, &high_free);
	drv_note("DMA arena: %zu KiB below 4 GiB (%zu in use), %zu KiB above "
	    "(%zu in use)", low_total >> 10, (low_total - low_free) >> 10,
	    high_total >> 10, (high_total - high_free) >> 10);
	CHECK("arena-above-4g", high_total > 0 && high_total - high_free > 0,
	    "expected DMA memory in use above 4 GiB (lab --mem 6144), saw "
	    "%zu bytes, %zu free", high_total, high_free);

	nrings = traced_rings(&rings_lo);
	drv_note("SETUP_RINGS (QEMU's trace): %d pages, lowest at %#llx",
	    nrings, (unsigned long long)rings_lo);
	CHECK("rings-above-4g", nrings >= 3 && rings_lo >= GIB4,
	    "expected the rings state, request and completion ring pages "
	    "above 4 GiB in $LAB_OUT/trace.log (--trace pvscsi_tx_rings_ppn), "
	    "saw %d pages, lowest %#llx", nrings,
	    (unsigned long long)rings_lo);

	(void) lio_limits(lun, &ll);
	max = ll.ll_max;
	for (size_t i = 0; i <= sizeof (sizes) / sizeof (sizes[0]); i++) {
		size_t len = i < sizeof (sizes) / sizeof (sizes[0]) ?
		    sizes[i] : max;
		size_t alloc = len + 2 * PAGE, off = (i * 1032) % PAGE;
		uchar_t *mem = fk_scsi_buf_alloc(alloc);
		uchar_t *buf = (uchar_t *)P2ROUNDUP((uintptr_t)mem, PAGE) + off;
		uchar_t *img = malloc(len);
		lio_xfer_t w, r;

		if (len > max) {
			fk_scsi_buf_free(mem, alloc);
			free(img);
			continue;
		}
		xfers++;
		lio_fill(buf, len, lba * BLK, i + 1);
		if (lio_rw(lun, FK_SCSI_DIR_WRITE, lba, buf, len, 0, 0,
		    &w) == 0 && lio_image_read(0, 0, lba * BLK, img, len) ==
		    0 && lio_verify(img, len, lba * BLK, i + 1) < 0) {
			(void) memset(buf, 0xa5, len);
			if (lio_rw(lun, FK_SCSI_DIR_READ, lba, buf, len, 0, 0,
			    &r) == 0 && lio_verify(buf, len, lba * BLK,
			    i + 1) < 0)
				good++;
		}
		lba += len / BLK + 8;
		free(img);
		fk_scsi_buf_free(mem, alloc);
	}
	dt_data_span(&data_lo, &data_hi, &sges);
	drv_note("%u transfers of 512 B to %zu B; the device was given data "
	    "at %#llx to %#llx", xfers, max, (unsigned long long)data_lo,
	    (unsigned long long)data_hi);
	CHECK("io-above-4g-verifies", good == xfers && xfers > 0,
	    "expected %u writes found in the image and read back, saw %u",
	    xfers, good);
	CHECK("data-above-4g", data_lo >= GIB4 && data_lo != UINT64_MAX,
	    "expected every data address the device was given above 4 GiB, "
	    "saw %#llx", (unsigned long long)data_lo);

	fk_scsi_lun_rele(lun);
	lio_check_intr("dma-high");
	lio_check_clean("dma-high");
	err = drv_detach();
	CHECK("detach", err == 0, "expected 0, saw %d", err);
	drv_unload();
	return (check_exit());
}

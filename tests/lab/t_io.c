/*
 * Data integrity: writes and reads through the driver of every size from
 * 512 bytes to 64 KiB in 512-byte steps, and of sizes around each power
 * of two up to the HBA's maximum transfer (its "dma-max" capability, or
 * 64 KiB where it defines none, as st(4D) assumes, within its DMA
 * attributes), from buffers at several offsets within a page.  Each
 * write is found, byte for byte, in the file disk's image on the host
 * side, and read back.  With PKT_DMA_PARTIAL a transfer of twice the
 * maximum and more goes through, in DMA windows; where the HBA defines
 * dma-max, the same transfer without it is refused cleanly by
 * scsi_init_pkt(9F), and the windows are at most dma-max.  A CDB longer
 * than PVSCSI's 16 bytes is refused (scsi_init_pkt, or TRAN_BADPKT),
 * and an HBA that answers "max-cdb-length" answers at most 16.
 *
 * Options: --many-cookies scatters the DMA arena's pages first
 * (lio_scatter_memory) and requires that the largest transfers reached
 * the HBA in a cookie per page (run with FK_STRICT_DMA=0, so the driver
 * sees the buffers' own pages, and --hugepages 0).  --white adds our
 * driver's own limits: dma-max defined and equal to dma_attr_maxxfer,
 * a multiple of 4 KiB of 64 KiB or more, with an SG list for it at any
 * page offset, and "max-cdb-length" 16.
 *
 * Topology (tests/lab/suites): hba0 with a raw file disk at target 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include <sys/sunddi.h>
#include <sys/sysmacros.h>
#include <sys/scsi/scsi.h>

#include "check.h"
#include "lib/drv.h"
#include "lib/labio.h"
#include "lib/labcheck.h"

#define	BLK		512
#define	PAGE		4096

/* Page offsets of the buffers, in turn. */
static const size_t offsets[] = { 0, 512, 8, 2052, 4095 };
#define	NOFFSETS	(sizeof (offsets) / sizeof (offsets[0]))

typedef struct tally {
	uint_t		t_xfers;
	uint_t		t_bad_write, t_bad_image, t_bad_read;
	char		t_first[160];	/* the first failure */
	uint_t		t_cookies;	/* most cookies in one transfer */
	size_t		t_cookies_len;	/* its size */
	uint64_t	t_bytes;
} tally_t;

static fk_lun_t *lun;
static uint64_t disk_blocks;
static lio_limits_t ll;
static int white;
static uint64_t next_lba = 2048;

static void
tally_fail(tally_t *t, uint_t *what, const char *fmt, size_t len,
    size_t off, int a, long long b)
{
	(*what)++;
	if (t->t_first[0] == '\0') {
		(void) snprintf(t->t_first, sizeof (t->t_first), fmt, len, off,
		    a, b);
	}
}

/* Disk space for len bytes: consecutive, wrapping before the end. */
static uint64_t
lba_for(size_t len)
{
	uint64_t lba;

	if (next_lba + len / BLK >= disk_blocks)
		next_lba = 2048;
	lba = next_lba;
	next_lba += len / BLK;
	return (lba);
}

/*
 * One transfer: write a fresh pattern from a buffer at page offset off,
 * find it in the image, read it back into a poisoned buffer.
 */
static void
xfer(tally_t *t, size_t len, size_t off, uint64_t seed)
{
	size_t alloc = len + 2 * PAGE;
	uchar_t *mem = fk_scsi_buf_alloc(alloc);
	uchar_t *buf = (uchar_t *)P2ROUNDUP((uintptr_t)mem, PAGE) + off;
	uchar_t *img = malloc(len);
	uint64_t lba = lba_for(len);
	lio_xfer_t x;
	ssize_t bad;
	int rv;

	t->t_xfers++;
	t->t_bytes += 2 * len;
	lio_fill(buf, len, lba * BLK, seed);
	rv = lio_rw(lun, FK_SCSI_DIR_WRITE, lba, buf, len, 0, 0, &x);
	if (rv != 0) {
		tally_fail(t, &t->t_bad_write, "write of %zu at offset %zu: "
		    "error %d, reason %lld", len, off, rv, x.lx_reason);
		goto out;
	}
	if (x.lx_cookies > t->t_cookies) {
		t->t_cookies = x.lx_cookies;
		t->t_cookies_len = len;
	}
	rv = lio_image_read(0, 0, lba * BLK, img, len);
	bad = rv == 0 ? lio_verify(img, len, lba * BLK, seed) : 0;
	if (bad >= 0) {
		tally_fail(t, &t->t_bad_image, "write of %zu at offset %zu: "
		    "image error %d, first bad byte %lld", len, off, rv,
		    (long long)bad);
	}
	(void) memset(buf, 0xa5, len);
	rv = lio_rw(lun, FK_SCSI_DIR_READ, lba, buf, len, 0, 0, &x);
	bad = rv == 0 ? lio_verify(buf, len, lba * BLK, seed) : 0;
	if (rv != 0 || bad >= 0) {
		tally_fail(t, &t->t_bad_read, "read of %zu at offset %zu: "
		    "error %d, first bad byte %lld", len, off, rv,
		    (long long)bad);
	}
out:
	free(img);
	fk_scsi_buf_free(mem, alloc);
}

static void
report(const char *name, const tally_t *t, uint_t bad, const char *what)
{
	CHECK(name, bad == 0 && t->t_xfers > 0,
	    "expected every %s of %u to verify, %u did not; first: %s", what,
	    t->t_xfers, bad, t->t_first);
}

static void
sizes_test(size_t max, int many_cookies)
{
	tally_t t;
	uint64_t seed = 1;
	double t0 = lio_now();
	size_t big[] = { 64 * 1024 + BLK, 128 * 1024 - BLK, 128 * 1024,
	    128 * 1024 + BLK, 192 * 1024 + 7 * BLK, 256 * 1024 - BLK,
	    256 * 1024, 256 * 1024 + BLK, 384 * 1024, max - PAGE, max - BLK,
	    max };
	uint_t n = 0;

	bzero(&t, sizeof (t));
	/* Every size up to 64 KiB, the offsets in turn. */
	for (size_t len = BLK; len <= MIN(64 * 1024, max); len += BLK)
		xfer(&t, len, offsets[n++ % NOFFSETS], seed++);
	/* Larger sizes up to the maximum, from every offset. */
	for (size_t i = 0; i < sizeof (big) / sizeof (big[0]); i++) {
		if (big[i] > max || big[i] <= 64 * 1024)
			continue;
		for (size_t k = 0; k < NOFFSETS; k++)
			xfer(&t, big[i], offsets[k], seed++);
	}
	drv_note("%u transfers (%llu MiB moved) of 512 B to %zu B in %.1f s; "
	    "at most %u DMA cookies (a %zu-byte transfer)", t.t_xfers,
	    (unsigned long long)(t.t_bytes >> 20), max, lio_now() - t0,
	    t.t_cookies, t.t_cookies_len);
	report("write-512-to-max", &t, t.t_bad_write, "write");
	report("image-matches-writes", &t, t.t_bad_image, "image check");
	report("read-back-512-to-max", &t, t.t_bad_read, "read");
	if (many_cookies) {
		CHECK("many-cookies", t.t_cookies >= max / PAGE,
		    "expected a transfer in %zu cookies or more, saw at most "
		    "%u", max / PAGE, t.t_cookies);
	}
}

/*
 * Beyond the maximum: in windows with PKT_DMA_PARTIAL; where the HBA
 * defines dma-max, refused without it (and nothing is started), and in
 * windows of at most dma-max with it.
 */
static void
beyond_max_test(size_t max)
{
	size_t len = 2 * max + 3 * PAGE, alloc = len + 2 * PAGE;
	uchar_t *mem = fk_scsi_buf_alloc(alloc);
	uchar_t *buf = (uchar_t *)P2ROUNDUP((uintptr_t)mem, PAGE) + 512;
	uint64_t lba = lba_for(len), seed = 0xb16b00b5;
	fk_scsi_stats_t s0, s1;
	lio_xfer_t x;
	ssize_t bad;
	int rv;

	uint_t least = ll.ll_dma_max > 0 ? 3 : 1;

	if (ll.ll_dma_max > 0) {
		fk_scsi_stats(&s0);
		lio_fill(buf, max + BLK, lba * BLK, seed);
		rv = lio_rw(lun, FK_SCSI_DIR_WRITE, lba, buf, max + BLK, 0, 0,
		    &x);
		fk_scsi_stats(&s1);
		CHECK("beyond-max-refused", rv == EINVAL &&
		    x.lx_windows == 0 && s1.st_started == s0.st_started,
		    "expected scsi_init_pkt to refuse %zu bytes, saw error %d "
		    "after %u commands", max + BLK, rv, x.lx_windows);
		rv = fk_scsi_write(lun, lba, (uint32_t)((max + BLK) / BLK),
		    buf, NULL);
		CHECK("beyond-max-refused-sync", rv == EINVAL,
		    "expected EINVAL from fk_scsi_write of %zu bytes, saw %d",
		    max + BLK, rv);
	} else {
		drv_note("no dma-max: a transfer beyond %zu bytes need not "
		    "be refused", max);
	}

	lio_fill(buf, len, lba * BLK, seed);
	rv = lio_rw(lun, FK_SCSI_DIR_WRITE, lba, buf, len, 0, 1, &x);
	CHECK("beyond-max-partial-write", rv == 0 && x.lx_windows >= least &&
	    x.lx_comps == x.lx_windows,
	    "expected %zu bytes in %u or more windows, saw error %d after %u "
	    "windows (%u completions, bad window %zu, reason %u)", len, least,
	    rv, x.lx_windows, x.lx_comps, x.lx_badwin, x.lx_reason);
	(void) memset(buf, 0x5a, len);
	rv = lio_rw(lun, FK_SCSI_DIR_READ, lba, buf, len, 0, 1, &x);
	bad = rv == 0 ? lio_verify(buf, len, lba * BLK, seed) : 0;
	CHECK("beyond-max-partial-read", rv == 0 && bad < 0 &&
	    x.lx_windows >= least,
	    "expected %zu bytes back in %u or more windows, saw error %d, "
	    "first bad byte %lld, %u windows", len, least, rv, (long long)bad,
	    x.lx_windows);
	fk_scsi_buf_free(mem, alloc);
}

/*
 * A 32-byte CDB: a PVSCSI request carries at most 16 bytes of CDB, so
 * scsi_init_pkt or tran_start must refuse it (TRAN_BADPKT), and nothing
 * completes; an HBA that answers "max-cdb-length" answers at most 16
 * (ours, --white: exactly 16).
 */
static volatile int long_cdb_done;

static void
long_cdb_comp(struct scsi_pkt *pkt)
{
	long_cdb_done++;
}

static void
long_cdb_test(void)
{
	struct scsi_address *ap = &fk_scsi_lun_device(lun)->sd_address;
	struct scsi_pkt *pkt;
	int cdblen = scsi_ifgetcap(ap, "max-cdb-length", 0), rv = -1;

	pkt = scsi_init_pkt(ap, NULL, NULL, 32,
	    sizeof (struct scsi_arq_status), 0, 0, SLEEP_FUNC, NULL);
	if (pkt != NULL) {
		pkt->pkt_cdbp[0] = 0x7f;	/* variable length */
		pkt->pkt_cdbp[7] = 24;		/* additional length */
		pkt->pkt_time = 30;
		pkt->pkt_comp = long_cdb_comp;
		rv = scsi_transport(pkt);
		for (int i = 0; rv == TRAN_ACCEPT && !long_cdb_done &&
		    i < 300; i++)
			delay(drv_usectohz(100000));
		if (rv != TRAN_ACCEPT || long_cdb_done)
			scsi_destroy_pkt(pkt);
	}
	CHECK("long-cdb-refused", cdblen <= 16 &&
	    (pkt == NULL || rv == TRAN_BADPKT) && !long_cdb_done,
	    "expected max-cdb-length 16 or less (or undefined) and a 32-byte "
	    "CDB refused, saw %d, scsi_init_pkt %s, scsi_transport %d, %d "
	    "completions", cdblen, pkt != NULL ? "accepted" : "refused", rv,
	    long_cdb_done);
	if (white) {
		CHECK("max-cdb-length-16", cdblen == 16, "expected 16, saw %d",
		    cdblen);
	}
}

int
main(int argc, char **argv)
{
	int many_cookies;
	fk_lun_info_t li;
	size_t max;
	int err;

	white = drv_white(&argc, argv);
	many_cookies = argc > 1 && strcmp(argv[1], "--many-cookies") == 0;
	if (many_cookies)
		lio_scatter_memory();
	drv_start();
	drv_units("discover-0,0", &lun, NULL);
	(void) fk_scsi_lun_info(lun, &li);
	disk_blocks = li.li_nblocks;

	(void) lio_limits(lun, &ll);
	max = ll.ll_max;
	drv_note("HBA limits: dma-max %d, dma_attr_maxxfer %llu, sgllen %d, "
	    "granular %u: transfers up to %zu bytes; strict DMA %s",
	    ll.ll_dma_max, (unsigned long long)ll.ll_maxxfer, ll.ll_sgllen,
	    ll.ll_granular, max, getenv("FK_STRICT_DMA") != NULL &&
	    strcmp(getenv("FK_STRICT_DMA"), "0") == 0 ? "off" : "on");
	if (white) {
		CHECK("max-transfer", max >= 64 * 1024 && max % PAGE == 0 &&
		    ll.ll_dma_max > 0 &&
		    (uint64_t)ll.ll_dma_max == ll.ll_maxxfer &&
		    (uint64_t)ll.ll_sgllen >= max / PAGE + 1,
		    "expected dma-max == maxxfer, a multiple of 4 KiB of at "
		    "least 64 KiB, and an SG list for it unaligned; saw %d, "
		    "%llu, sgllen %d", ll.ll_dma_max,
		    (unsigned long long)ll.ll_maxxfer, ll.ll_sgllen);
	}
	if (max < 64 * 1024 || max > 64 * 1024 * 1024)
		max = 64 * 1024;

	sizes_test(max, many_cookies);
	beyond_max_test(max);
	long_cdb_test();

	fk_scsi_lun_rele(lun);
	lio_check_intr("io");
	lio_check_clean("io");
	err = drv_detach();
	CHECK("detach", err == 0, "expected 0, saw %d", err);
	drv_unload();
	return (check_exit());
}

/*
 * DMA (ddi/dma.c) on the unit tests' platform (lib/fakeplat.h), whose
 * arena has device addresses chosen for the purpose: attribute validation,
 * every ddi_dma_attr_t field obeyed by ddi_dma_mem_alloc and the binds
 * (addr_hi, sgllen, seg, align, count_max, maxxfer, granular), the
 * documented failures, bounce buffers, windows, the cookie accessors,
 * strict DMA mode's per-byte semantics, and sync fault injection (the
 * environment variables are tested in a re-executed child).
 */

#include <sys/types.h>
#include <sys/sunddi.h>
#include <sys/sysmacros.h>
#include <sys/buf.h>
#include <fk.h>
#include <fk_impl.h>
#include <platform/arena.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "check.h"
#include "lib/expect.h"
#include "lib/fakeplat.h"

#define	PG	4096
#define	G4	0x100000000ULL

static dev_info_t *dip;
static const char *self_path;

static ddi_device_acc_attr_t acc_le = {
	.devacc_attr_version = DDI_DEVICE_ATTR_V0,
	.devacc_attr_endian_flags = DDI_STRUCTURE_LE_ACC,
	.devacc_attr_dataorder = DDI_STRICTORDER_ACC,
};

/* 64-bit, byte-aligned, unlimited: each test narrows what it tests. */
static ddi_dma_attr_t
attr_any(void)
{
	ddi_dma_attr_t a = {
		.dma_attr_version = DMA_ATTR_V0,
		.dma_attr_addr_lo = 0,
		.dma_attr_addr_hi = UINT64_MAX,
		.dma_attr_count_max = UINT64_MAX,
		.dma_attr_align = 1,
		.dma_attr_burstsizes = 0x7ff,
		.dma_attr_minxfer = 1,
		.dma_attr_maxxfer = UINT64_MAX,
		.dma_attr_seg = UINT64_MAX,
		.dma_attr_sgllen = -1,
		.dma_attr_granular = 1,
		.dma_attr_flags = 0,
	};
	return (a);
}

/* Device addresses within [lo, hi]: select an arena region. */
static ddi_dma_attr_t
attr_range(uint64_t lo, uint64_t hi)
{
	ddi_dma_attr_t a = attr_any();

	a.dma_attr_addr_lo = lo;
	a.dma_attr_addr_hi = hi;
	return (a);
}

static ddi_dma_handle_t
hdl(ddi_dma_attr_t a)
{
	ddi_dma_handle_t h = NULL;

	if (ddi_dma_alloc_handle(dip, &a, DDI_DMA_SLEEP, NULL, &h) !=
	    DDI_SUCCESS)
		return (NULL);
	return (h);
}

typedef struct dmabuf {
	ddi_dma_handle_t	db_h;
	ddi_acc_handle_t	db_acc;
	caddr_t			db_va;
	size_t			db_len;
} dmabuf_t;

static int
mem(dmabuf_t *db, ddi_dma_attr_t a, size_t len)
{
	(void) memset(db, 0, sizeof (*db));
	if ((db->db_h = hdl(a)) == NULL)
		return (-1);
	if (ddi_dma_mem_alloc(db->db_h, len, &acc_le, DDI_DMA_CONSISTENT,
	    DDI_DMA_SLEEP, NULL, &db->db_va, &db->db_len, &db->db_acc) !=
	    DDI_SUCCESS) {
		ddi_dma_free_handle(&db->db_h);
		return (-1);
	}
	return (0);
}

static void
mem_free(dmabuf_t *db)
{
	(void) ddi_dma_unbind_handle(db->db_h);
	ddi_dma_mem_free(&db->db_acc);
	ddi_dma_free_handle(&db->db_h);
}

static int
bind(ddi_dma_handle_t h, void *va, size_t len, uint_t flags)
{
	return (ddi_dma_addr_bind_handle(h, NULL, va, len, flags,
	    DDI_DMA_SLEEP, NULL, NULL, NULL));
}

/* The device's view of a bound handle's first cookie. */
static uint8_t *
dev0(ddi_dma_handle_t h)
{
	const ddi_dma_cookie_t *c = ddi_dma_cookie_iter(h, NULL);

	return (c == NULL ? NULL : fk_dma_devmem(c->dmac_laddress,
	    c->dmac_size));
}

/* All cookies of the current window within [lo, hi]. */
static int
cookies_within(ddi_dma_handle_t h, uint64_t lo, uint64_t hi)
{
	const ddi_dma_cookie_t *c;

	for (c = ddi_dma_cookie_iter(h, NULL); c != NULL;
	    c = ddi_dma_cookie_iter(h, c)) {
		if (c->dmac_laddress < lo ||
		    c->dmac_laddress + c->dmac_size - 1 > hi)
			return (0);
	}
	return (1);
}

static void
test_badattr(void)
{
	static const struct {
		const char	*name;
		int		field;
		uint64_t	value;
	} bad[] = {
		{ "addr_hi <= addr_lo", 0, 0 },
		{ "seg below a page", 1, 0x7ff },
		{ "seg not ending in 0xfff", 1, 0x10000 },
		{ "count_max below a page", 2, 0x100 },
		{ "granular 0", 3, 0 },
		{ "granular above a page", 3, 8192 },
		{ "maxxfer below a page", 4, 2048 },
		{ "sgllen 0", 5, 0 },
	};
	ddi_dma_handle_t h;
	char name[96];
	size_t i;
	int rv;

	for (i = 0; i < sizeof (bad) / sizeof (bad[0]); i++) {
		ddi_dma_attr_t a = attr_any();

		switch (bad[i].field) {
		case 0:
			a.dma_attr_addr_lo = 0x1000;
			a.dma_attr_addr_hi = 0x1000;
			break;
		case 1:
			a.dma_attr_seg = bad[i].value;
			break;
		case 2:
			a.dma_attr_count_max = bad[i].value;
			break;
		case 3:
			a.dma_attr_granular = (uint32_t)bad[i].value;
			break;
		case 4:
			a.dma_attr_maxxfer = bad[i].value;
			break;
		default:
			a.dma_attr_sgllen = (int)bad[i].value;
			break;
		}
		h = NULL;
		rv = ddi_dma_alloc_handle(dip, &a, DDI_DMA_SLEEP, NULL, &h);
		(void) snprintf(name, sizeof (name),
		    "dma: alloc_handle: %s is DDI_DMA_BADATTR", bad[i].name);
		CHECK(name, rv == DDI_DMA_BADATTR, "expected %d, saw %d",
		    DDI_DMA_BADATTR, rv);
		if (rv == DDI_SUCCESS)
			ddi_dma_free_handle(&h);
	}
	h = hdl(attr_any());
	CHECK("dma: alloc_handle: valid attributes", h != NULL,
	    "expected a handle");
	if (h != NULL)
		ddi_dma_free_handle(&h);
}

static void
test_mem_alloc(void)
{
	ddi_dma_attr_t a = attr_any();
	dmabuf_t db;
	uint32_t w;
	int rv;

	a.dma_attr_align = 64;
	CHECK("dma: mem_alloc: succeeds", mem(&db, a, 100) == 0,
	    "expected DDI_SUCCESS");
	CHECK("dma: mem_alloc: real_length rounded up to align", db.db_len ==
	    128, "expected 128, saw %zu", db.db_len);
	(void) memcpy(&w, db.db_va, 4);
	CHECK("dma: mem_alloc: memory is filled, not zeroed",
	    w == 0xbaddcafe, "expected 0xbaddcafe, saw %#x", w);
	ddi_put32(db.db_acc, (uint32_t *)db.db_va, 0x11223344);
	CHECK("dma: mem_alloc: ddi_get32/put32 on the access handle",
	    ddi_get32(db.db_acc, (uint32_t *)db.db_va) == 0x11223344,
	    "expected 0x11223344");
	mem_free(&db);

	a = attr_any();
	a.dma_attr_minxfer = 512;
	(void) mem(&db, a, 100);
	CHECK("dma: mem_alloc: real_length rounded up to minxfer",
	    db.db_len == 512, "expected 512, saw %zu", db.db_len);
	mem_free(&db);

	a = attr_any();
	a.dma_attr_align = 3;
	CHECK("dma: mem_alloc: align not a power of two fails",
	    mem(&db, a, 100) != 0, "expected DDI_FAILURE");

	a = attr_range(0, 0xffffffffULL);
	a.dma_attr_align = 0x8000;
	rv = mem(&db, a, 3 * PG);
	CHECK("dma: mem_alloc: aligned memory", rv == 0, "expected success");
	if (rv == 0) {
		rv = bind(db.db_h, db.db_va, db.db_len, DDI_DMA_RDWR);
		CHECK("dma: mem_alloc: first cookie aligned to dma_attr_align",
		    rv == DDI_DMA_MAPPED &&
		    (ddi_dma_cookie_one(db.db_h)->dmac_laddress & 0x7fff) == 0,
		    "expected a 32 KiB aligned single cookie");
		mem_free(&db);
	}

	/* sgllen 1 asks for one cookie: scattered memory cannot be it. */
	a = attr_range(FP_SCAT, FP_SCAT_END - 1);
	a.dma_attr_sgllen = 1;
	CHECK("dma: mem_alloc: sgllen 1 refuses scattered pages",
	    mem(&db, a, 2 * PG) != 0, "expected DDI_FAILURE");
}

static void
test_addr_limits(void)
{
	ddi_dma_attr_t a32 = attr_range(0, 0xffffffffULL);
	dmabuf_t lo, hi;
	ddi_dma_handle_t h;
	uint8_t *dev;
	char *heap;
	int rv, i, same = 1;

	(void) mem(&lo, a32, 2 * PG);
	(void) bind(lo.db_h, lo.db_va, lo.db_len, DDI_DMA_RDWR);
	CHECK("dma: addr_hi 0xffffffff: memory below 4 GiB",
	    cookies_within(lo.db_h, 0, G4 - 1), "expected cookies < 4 GiB");
	mem_free(&lo);

	(void) mem(&hi, attr_any(), 2 * PG);
	(void) bind(hi.db_h, hi.db_va, hi.db_len, DDI_DMA_RDWR);
	CHECK("dma: 64-bit attributes prefer memory above 4 GiB",
	    cookies_within(hi.db_h, G4, UINT64_MAX),
	    "expected cookies >= 4 GiB, saw %#llx",
	    (unsigned long long)ddi_dma_cookie_iter(hi.db_h, NULL)->
	    dmac_laddress);
	(void) ddi_dma_unbind_handle(hi.db_h);

	/* Memory above 4 GiB bound by a 32-bit device is bounced. */
	for (i = 0; i < 2 * PG; i++)
		hi.db_va[i] = (char)(i * 7);
	h = hdl(a32);
	rv = bind(h, hi.db_va, 2 * PG, DDI_DMA_RDWR);
	CHECK("dma: bind out of range: bounced below 4 GiB",
	    rv == DDI_DMA_MAPPED && cookies_within(h, 0, G4 - 1),
	    "expected DDI_DMA_MAPPED below 4 GiB, saw %d", rv);
	dev = dev0(h);
	for (i = 0; dev != NULL && i < PG; i++)
		same &= dev[i] == (uint8_t)(i * 7);
	CHECK("dma: bounce: the bind copies the data to the device",
	    dev != NULL && same, "expected the CPU's bytes");
	if (dev != NULL)
		(void) memset(dev, 0x5a, 16);
	(void) ddi_dma_sync(h, 0, 16, DDI_DMA_SYNC_FORKERNEL);
	CHECK("dma: bounce: FORKERNEL copies the device's bytes back",
	    (uint8_t)hi.db_va[15] == 0x5a, "expected 0x5a, saw %#x",
	    (uint8_t)hi.db_va[15]);
	(void) ddi_dma_unbind_handle(h);
	ddi_dma_free_handle(&h);
	mem_free(&hi);

	/* Memory the platform cannot reach at all (the heap). */
	heap = malloc(3000);
	(void) memset(heap, 0x33, 3000);
	h = hdl(attr_any());
	rv = bind(h, heap, 3000, DDI_DMA_WRITE);
	dev = rv == DDI_DMA_MAPPED ? dev0(h) : NULL;
	CHECK("dma: bind of heap memory: bounced into DMA memory",
	    dev != NULL && dev != (uint8_t *)heap && dev[2999] == 0x33,
	    "expected a copy in the arena (bind %d)", rv);
	(void) ddi_dma_unbind_handle(h);
	ddi_dma_free_handle(&h);
	free(heap);
}

/* 8 scattered pages: 8 cookies with unlimited attributes. */
static int
scattered(dmabuf_t *db, size_t npages)
{
	return (mem(db, attr_range(FP_SCAT, FP_SCAT_END - 1), npages * PG));
}

static void
test_sgllen_windows(void)
{
	ddi_dma_attr_t a = attr_range(FP_SCAT, FP_SCAT_END - 1);
	ddi_dma_cookie_t c0, cn;
	dmabuf_t db;
	ddi_dma_handle_t h;
	uint_t n, nwin, cnt;
	off_t off;
	size_t len;
	int rv;

	(void) scattered(&db, 8);
	rv = bind(db.db_h, db.db_va, db.db_len, DDI_DMA_RDWR);
	CHECK("dma: scattered pages: one cookie per page",
	    rv == DDI_DMA_MAPPED && ddi_dma_ncookies(db.db_h) == 8,
	    "expected 8 cookies, saw %u (bind %d)", ddi_dma_ncookies(db.db_h),
	    rv);
	(void) ddi_dma_unbind_handle(db.db_h);

	a.dma_attr_sgllen = 4;
	h = hdl(a);
	rv = bind(h, db.db_va, db.db_len, DDI_DMA_RDWR);
	CHECK("dma: sgllen exceeded without DDI_DMA_PARTIAL: DDI_DMA_TOOBIG",
	    rv == DDI_DMA_TOOBIG, "expected %d, saw %d", DDI_DMA_TOOBIG, rv);
	rv = ddi_dma_addr_bind_handle(h, NULL, db.db_va, db.db_len,
	    DDI_DMA_RDWR | DDI_DMA_PARTIAL, DDI_DMA_SLEEP, NULL, &c0, &cnt);
	CHECK("dma: sgllen exceeded with DDI_DMA_PARTIAL: partial map",
	    rv == DDI_DMA_PARTIAL_MAP && cnt == 4, "expected %d with 4 "
	    "cookies, saw %d with %u", DDI_DMA_PARTIAL_MAP, rv, cnt);
	CHECK("dma: partial map: two windows", ddi_dma_numwin(h, &nwin) ==
	    DDI_SUCCESS && nwin == 2, "expected 2 windows, saw %u", nwin);
	rv = ddi_dma_getwin(h, 1, &off, &len, &cn, &cnt);
	CHECK("dma: getwin 1: second half, 4 cookies", rv == DDI_SUCCESS &&
	    off == 4 * PG && len == 4 * PG && cnt == 4 &&
	    ddi_dma_ncookies(h) == 4, "expected offset 16K, 16K, 4 cookies; "
	    "saw %lld %zu %u", (long long)off, len, cnt);
	CHECK("dma: getwin beyond the last window fails",
	    ddi_dma_getwin(h, 2, &off, &len, &cn, &cnt) == DDI_FAILURE,
	    "expected DDI_FAILURE");
	(void) ddi_dma_unbind_handle(h);
	ddi_dma_free_handle(&h);

	/* The cookie accessors agree. */
	(void) ddi_dma_addr_bind_handle(db.db_h, NULL, db.db_va, db.db_len,
	    DDI_DMA_RDWR, DDI_DMA_SLEEP, NULL, &c0, &cnt);
	{
		const ddi_dma_cookie_t *c;
		int agree = 1;

		for (n = 0, c = ddi_dma_cookie_iter(db.db_h, NULL); c != NULL;
		    c = ddi_dma_cookie_iter(db.db_h, c), n++) {
			agree &= c == ddi_dma_cookie_get(db.db_h, n);
			if (n > 0) {
				ddi_dma_nextcookie(db.db_h, &cn);
				agree &= cn.dmac_laddress == c->dmac_laddress;
			} else {
				agree &= c0.dmac_laddress == c->dmac_laddress;
			}
		}
		CHECK("dma: cookie_iter, cookie_get and nextcookie agree",
		    agree && n == 8 && cnt == 8 &&
		    ddi_dma_cookie_get(db.db_h, 8) == NULL,
		    "expected 8 matching cookies, saw %u", n);
		CHECK("dma: cookie_iter with a foreign cookie returns NULL",
		    ddi_dma_cookie_iter(db.db_h, &c0) == NULL,
		    "expected NULL");
	}
	rv = bind(db.db_h, db.db_va, db.db_len, DDI_DMA_RDWR);
	CHECK("dma: bind of a bound handle: DDI_DMA_INUSE",
	    rv == DDI_DMA_INUSE, "expected %d, saw %d", DDI_DMA_INUSE, rv);
	(void) ddi_dma_unbind_handle(db.db_h);
	CHECK("dma: ncookies of an unbound handle is 0",
	    ddi_dma_ncookies(db.db_h) == 0 &&
	    ddi_dma_cookie_iter(db.db_h, NULL) == NULL, "expected 0 cookies");
	mem_free(&db);
}

/* FP_SEG from its 5th page: 8 pages from there cross the boundary. */
#define	SEG_LO	(FP_SEG + 4 * PG)
#define	SEG_HI	(FP_SEG + FP_SEG_PAGES * PG - 1)

static void
test_seg_countmax_maxxfer(void)
{
	ddi_dma_attr_t a = attr_range(SEG_LO, SEG_HI);
	const ddi_dma_cookie_t *c;
	ddi_dma_handle_t h;
	dmabuf_t db;
	uint_t nwin = 0;
	int rv, ok;

	/* 32 KiB, contiguous, across a 64 KiB boundary. */
	rv = mem(&db, a, 8 * PG);
	(void) bind(db.db_h, db.db_va, db.db_len, DDI_DMA_RDWR);
	c = ddi_dma_cookie_iter(db.db_h, NULL);
	CHECK("dma: contiguous memory is one cookie", rv == 0 &&
	    ddi_dma_ncookies(db.db_h) == 1 &&
	    c->dmac_laddress < FP_SEG_BOUNDARY &&
	    c->dmac_laddress + c->dmac_size > FP_SEG_BOUNDARY,
	    "expected one cookie across the boundary");
	(void) ddi_dma_unbind_handle(db.db_h);

	a.dma_attr_seg = 0xffff;
	h = hdl(a);
	rv = bind(h, db.db_va, db.db_len, DDI_DMA_RDWR);
	c = ddi_dma_cookie_iter(h, NULL);
	CHECK("dma: seg 0xffff splits at the 64 KiB boundary",
	    rv == DDI_DMA_MAPPED && ddi_dma_ncookies(h) == 2 &&
	    c->dmac_laddress + c->dmac_size == FP_SEG_BOUNDARY,
	    "expected 2 cookies split at %#llx",
	    (unsigned long long)FP_SEG_BOUNDARY);
	(void) ddi_dma_unbind_handle(h);
	ddi_dma_free_handle(&h);

	a = attr_range(SEG_LO, SEG_HI);
	a.dma_attr_count_max = 0x1fff;
	h = hdl(a);
	rv = bind(h, db.db_va, db.db_len, DDI_DMA_RDWR);
	ok = rv == DDI_DMA_MAPPED && ddi_dma_ncookies(h) == 4;
	for (c = ddi_dma_cookie_iter(h, NULL); c != NULL;
	    c = ddi_dma_cookie_iter(h, c))
		ok &= c->dmac_size <= 0x2000;
	CHECK("dma: count_max 0x1fff: cookies of at most 8 KiB", ok,
	    "expected 4 cookies of 8 KiB, saw %u", ddi_dma_ncookies(h));
	(void) ddi_dma_unbind_handle(h);
	ddi_dma_free_handle(&h);

	a = attr_range(SEG_LO, SEG_HI);
	a.dma_attr_maxxfer = 0x4000;
	h = hdl(a);
	rv = bind(h, db.db_va, db.db_len, DDI_DMA_RDWR);
	CHECK("dma: maxxfer exceeded without DDI_DMA_PARTIAL: DDI_DMA_TOOBIG",
	    rv == DDI_DMA_TOOBIG, "expected %d, saw %d", DDI_DMA_TOOBIG, rv);
	rv = bind(h, db.db_va, db.db_len, DDI_DMA_RDWR | DDI_DMA_PARTIAL);
	(void) ddi_dma_numwin(h, &nwin);
	CHECK("dma: maxxfer 16 KiB with DDI_DMA_PARTIAL: windows of 16 KiB",
	    rv == DDI_DMA_PARTIAL_MAP && nwin == 2 &&
	    ddi_dma_cookie_iter(h, NULL)->dmac_size == 0x4000,
	    "expected 2 windows of 16 KiB, saw %d, %u", rv, nwin);
	(void) ddi_dma_unbind_handle(h);
	ddi_dma_free_handle(&h);
	mem_free(&db);
}

static void
test_granular(void)
{
	ddi_dma_attr_t a = attr_range(FP_SCAT, FP_SCAT_END - 1);
	const ddi_dma_cookie_t *c;
	ddi_dma_handle_t h;
	dmabuf_t db;
	size_t total = 0;
	uint_t n = 0;
	int rv, ok = 1;

	(void) scattered(&db, 4);
	a.dma_attr_granular = 512;
	a.dma_attr_addr_lo = 0;
	a.dma_attr_addr_hi = G4 - 1;
	h = hdl(a);
	/* 3 pages from byte 100 of scattered memory. */
	rv = bind(h, db.db_va + 100, 3 * PG, DDI_DMA_RDWR);
	for (c = ddi_dma_cookie_iter(h, NULL); c != NULL;
	    c = ddi_dma_cookie_iter(h, c), n++) {
		total += c->dmac_size;
		if (ddi_dma_cookie_iter(h, c) != NULL)
			ok &= c->dmac_size % 512 == 0;
	}
	CHECK("dma: granular 512: every cookie but the last a multiple",
	    rv == DDI_DMA_MAPPED && ok && total == 3 * PG,
	    "expected multiples of 512 (bind %d, %u cookies)", rv, n);
	(void) ddi_dma_unbind_handle(h);
	ddi_dma_free_handle(&h);

	a = attr_range(FP_SCAT, FP_SCAT_END - 1);
	a.dma_attr_granular = 1536;
	a.dma_attr_count_max = 0x1fff;
	a.dma_attr_maxxfer = 0x1fff;
	h = hdl(a);
	rv = bind(h, db.db_va, 4 * PG, DDI_DMA_RDWR | DDI_DMA_PARTIAL);
	c = ddi_dma_cookie_iter(h, NULL);
	CHECK("dma: granular 1536, maxxfer 8K-1: windows of 7680 bytes",
	    rv == DDI_DMA_PARTIAL_MAP && ddi_dma_getwin(h, 0, NULL, NULL,
	    NULL, NULL) == DDI_SUCCESS && c != NULL,
	    "expected a partial map, saw %d", rv);
	{
		off_t off;
		size_t len;
		uint_t nwin = 0, w;

		(void) ddi_dma_numwin(h, &nwin);
		ok = nwin > 1;
		for (w = 0; w + 1 < nwin; w++) {
			(void) ddi_dma_getwin(h, w, &off, &len, NULL, NULL);
			ok &= len % 1536 == 0 && len <= 0x1fff;
		}
		CHECK("dma: granular: every window but the last a multiple",
		    ok, "expected windows of multiples of 1536 (%u windows)",
		    nwin);
	}
	(void) ddi_dma_unbind_handle(h);
	ddi_dma_free_handle(&h);
	mem_free(&db);
}

static void
test_align_bind(void)
{
	ddi_dma_attr_t a = attr_any();
	ddi_dma_handle_t h;
	dmabuf_t db;
	uint_t start = fk_log_count();
	int rv;

	(void) mem(&db, attr_any(), PG);
	a.dma_attr_align = 64;
	h = hdl(a);
	rv = bind(h, db.db_va + 8, 64, DDI_DMA_WRITE);
	CHECK("dma: bind of a buffer less aligned than dma_attr_align: bound, "
	    "no console line (align constrains allocations only)",
	    rv == DDI_DMA_MAPPED && fk_log_count() == start,
	    "expected DDI_DMA_MAPPED and no message, saw %d and %u line(s)",
	    rv, fk_log_count() - start);
	(void) ddi_dma_unbind_handle(h);
	ddi_dma_free_handle(&h);
	mem_free(&db);
}

static void
test_buf_bind(void)
{
	ddi_dma_handle_t h = hdl(attr_any());
	char *data = kmem_alloc(2048, KM_SLEEP);
	struct buf b;
	int rv;

	(void) memset(&b, 0, sizeof (b));
	b.b_un.b_addr = data;
	b.b_bcount = 2048;
	b.b_flags = B_READ;
	rv = ddi_dma_buf_bind_handle(h, &b, 0, DDI_DMA_SLEEP, NULL, NULL,
	    NULL);
	CHECK("dma: buf_bind_handle maps the buffer", rv == DDI_DMA_MAPPED &&
	    ddi_dma_ncookies(h) >= 1, "expected DDI_DMA_MAPPED, saw %d", rv);
	(void) ddi_dma_unbind_handle(h);
	CHECK("dma: unbind of an unbound handle fails",
	    ddi_dma_unbind_handle(h) == DDI_FAILURE, "expected DDI_FAILURE");
	CHECK("dma: sync of an unbound handle fails",
	    ddi_dma_sync(h, 0, 0, DDI_DMA_SYNC_FORDEV) == DDI_FAILURE,
	    "expected DDI_FAILURE");
	ddi_dma_free_handle(&h);
	kmem_free(data, 2048);
}

/*
 * Strict mode.
 */
static void
test_strict(void)
{
	fk_counters_t c0, c1;
	dmabuf_t db;
	uint8_t *dev;
	uint_t start;
	int rv;

	fk_strict_dma = 1;
	(void) mem(&db, attr_any(), 256);
	(void) memset(db.db_va, 0, 256);
	rv = bind(db.db_h, db.db_va, 256, DDI_DMA_RDWR);
	dev = dev0(db.db_h);
	CHECK("strict: the driver's memory is not the device's",
	    rv == DDI_DMA_MAPPED && dev != NULL && dev != (uint8_t *)db.db_va,
	    "expected separate copies");
	CHECK("strict: bind (DDI_DMA_WRITE) syncs for the device",
	    dev != NULL && dev[0] == 0 && dev[255] == 0,
	    "expected the zeroes the CPU wrote before the bind");

	db.db_va[0] = 0x11;
	CHECK("strict: a CPU change is invisible to the device before FORDEV",
	    dev[0] == 0, "expected 0, saw %#x", dev[0]);
	(void) ddi_dma_sync(db.db_h, 0, 0, DDI_DMA_SYNC_FORDEV);
	CHECK("strict: FORDEV shows it", dev[0] == 0x11,
	    "expected 0x11, saw %#x", dev[0]);

	dev[1] = 0x22;
	CHECK("strict: a device change is invisible to the CPU before "
	    "FORKERNEL", db.db_va[1] == 0, "expected 0, saw %#x",
	    (uint8_t)db.db_va[1]);
	(void) ddi_dma_sync(db.db_h, 0, 0, DDI_DMA_SYNC_FORKERNEL);
	CHECK("strict: FORKERNEL shows it", (uint8_t)db.db_va[1] == 0x22,
	    "expected 0x22, saw %#x", (uint8_t)db.db_va[1]);

	/* Neighbouring fields: the driver's A, the device's B. */
	fk_counters_get(&c0);
	db.db_va[8] = 0xaa;
	db.db_va[9] = 0xab;
	dev[10] = 0xbb;
	dev[11] = 0xbc;
	(void) ddi_dma_sync(db.db_h, 8, 4, DDI_DMA_SYNC_FORDEV);
	(void) ddi_dma_sync(db.db_h, 8, 4, DDI_DMA_SYNC_FORKERNEL);
	fk_counters_get(&c1);
	CHECK("strict: adjacent fields written by each side both survive",
	    dev[8] == 0xaa && dev[9] == 0xab && dev[10] == 0xbb &&
	    dev[11] == 0xbc && (uint8_t)db.db_va[10] == 0xbb &&
	    (uint8_t)db.db_va[11] == 0xbc && (uint8_t)db.db_va[8] == 0xaa,
	    "expected aa ab bb bc on both sides");
	CHECK("strict: adjacent fields are no conflict",
	    c1.fc_dma_conflicts == c0.fc_dma_conflicts,
	    "expected no conflict, saw %llu",
	    (unsigned long long)(c1.fc_dma_conflicts - c0.fc_dma_conflicts));

	/* The same byte changed by both. */
	start = fk_log_count();
	db.db_va[20] = 0x01;
	dev[20] = 0x02;
	(void) ddi_dma_sync(db.db_h, 0, 0, DDI_DMA_SYNC_FORCPU);
	fk_counters_get(&c1);
	CHECK("strict: a byte both sides changed is a conflict",
	    c1.fc_dma_conflicts == c0.fc_dma_conflicts + 1 &&
	    fk_log_find("dma: ", start) >= 0, "expected one conflict and a "
	    "\"dma:\" warning, saw %llu",
	    (unsigned long long)(c1.fc_dma_conflicts - c0.fc_dma_conflicts));
	CHECK("strict: the conflict keeps the device's value",
	    (uint8_t)db.db_va[20] == 0x02, "expected 0x02, saw %#x",
	    (uint8_t)db.db_va[20]);

	/* Only the synced range is reconciled. */
	db.db_va[30] = 0x30;
	db.db_va[100] = 0x64;
	(void) ddi_dma_sync(db.db_h, 0, 50, DDI_DMA_SYNC_FORDEV);
	CHECK("strict: FORDEV moves only its range", dev[30] == 0x30 &&
	    dev[100] == 0, "expected 0x30 and 0, saw %#x and %#x", dev[30],
	    dev[100]);
	dev[40] = 0x40;
	dev[200] = 0xc8;
	(void) ddi_dma_sync(db.db_h, 0, 50, DDI_DMA_SYNC_FORKERNEL);
	CHECK("strict: FORKERNEL moves only its range",
	    (uint8_t)db.db_va[40] == 0x40 && db.db_va[200] == 0,
	    "expected 0x40 and 0");
	CHECK("strict: a sync past the object's end fails",
	    ddi_dma_sync(db.db_h, 200, 100, DDI_DMA_SYNC_FORDEV) ==
	    DDI_FAILURE, "expected DDI_FAILURE");
	mem_free(&db);
	fk_strict_dma = 0;
}

static void
test_strict_bind(void)
{
	ddi_dma_handle_t h;
	char *buf;
	uint8_t *dev;
	int rv;

	fk_strict_dma = 1;
	buf = kmem_zalloc(1024, KM_SLEEP);
	buf[0] = 0x77;
	h = hdl(attr_any());
	rv = bind(h, buf, 1024, DDI_DMA_RDWR);
	dev = rv == DDI_DMA_MAPPED ? dev0(h) : NULL;
	CHECK("strict: a bound buffer gets a device copy at bind",
	    dev != NULL && dev != (uint8_t *)buf && dev[0] == 0x77,
	    "expected a copy holding 0x77");
	if (dev != NULL) {
		buf[1] = 0x01;
		CHECK("strict: bound buffer: no CPU change before FORDEV",
		    dev[1] == 0, "expected 0, saw %#x", dev[1]);
		dev[2] = 0x02;
		(void) ddi_dma_unbind_handle(h);
		CHECK("strict: unbind (DDI_DMA_READ) brings the device's bytes",
		    buf[2] == 0x02 && buf[1] == 0x01, "expected 01 02, saw "
		    "%#x %#x", (uint8_t)buf[1], (uint8_t)buf[2]);
	}
	ddi_dma_free_handle(&h);
	kmem_free(buf, 1024);
	fk_strict_dma = 0;
}

static void
test_drop_sync(void)
{
	dmabuf_t db;
	uint8_t *dev;
	uint64_t n0;

	fk_strict_dma = 1;
	(void) mem(&db, attr_any(), 64);
	(void) memset(db.db_va, 0, 64);
	(void) bind(db.db_h, db.db_va, 64, DDI_DMA_RDWR);
	dev = dev0(db.db_h);
	n0 = fk_dma_sync_count();
	fk_dma_drop_sync(2);
	db.db_va[0] = 1;
	(void) ddi_dma_sync(db.db_h, 0, 0, DDI_DMA_SYNC_FORDEV);
	db.db_va[1] = 2;
	(void) ddi_dma_sync(db.db_h, 0, 1, DDI_DMA_SYNC_FORDEV);
	CHECK("drop sync: the 2nd sync from now does nothing",
	    dev[0] == 1 && dev[1] == 0, "expected 1 0, saw %u %u", dev[0],
	    dev[1]);
	(void) ddi_dma_sync(db.db_h, 0, 0, DDI_DMA_SYNC_FORDEV);
	CHECK("drop sync: the next one works again", dev[1] == 2,
	    "expected 2, saw %u", dev[1]);
	CHECK("drop sync: every call counts", fk_dma_sync_count() == n0 + 3,
	    "expected %llu, saw %llu", (unsigned long long)(n0 + 3),
	    (unsigned long long)fk_dma_sync_count());
	fk_dma_drop_sync(0);
	mem_free(&db);
	fk_strict_dma = 0;
}

/*
 * Deaths.
 */
static void
die_cookie_one(void *arg)
{
	dmabuf_t db;

	(void) arg;
	(void) scattered(&db, 2);
	(void) bind(db.db_h, db.db_va, db.db_len, DDI_DMA_RDWR);
	(void) ddi_dma_cookie_one(db.db_h);
}

static void
die_free_bound(void *arg)
{
	dmabuf_t db;

	(void) arg;
	(void) mem(&db, attr_any(), 64);
	(void) bind(db.db_h, db.db_va, 64, DDI_DMA_RDWR);
	ddi_dma_free_handle(&db.db_h);
}

static void
die_mem_free_bound(void *arg)
{
	dmabuf_t db;

	(void) arg;
	(void) mem(&db, attr_any(), 64);
	(void) bind(db.db_h, db.db_va, 64, DDI_DMA_RDWR);
	ddi_dma_mem_free(&db.db_acc);
}

static void
die_nextcookie(void *arg)
{
	ddi_dma_cookie_t c;
	dmabuf_t db;

	(void) arg;
	(void) mem(&db, attr_any(), 64);
	(void) bind(db.db_h, db.db_va, 64, DDI_DMA_RDWR);
	ddi_dma_nextcookie(db.db_h, &c);
}

/*
 * In the production configuration (a non-DEBUG kernel, whose root nexus
 * does not ASSERT), freeing a bound handle frees it with its binding:
 * the memory it was bound to can then be freed.  In a child, so that the
 * configuration can change there.
 */
static void
test_free_bound_nondebug(void)
{
	pid_t pid = fork();
	int st = -1;

	if (pid == 0) {
		dmabuf_t db;

		fk_debug = 0;
		(void) mem(&db, attr_any(), 64);
		(void) bind(db.db_h, db.db_va, 64, DDI_DMA_RDWR);
		ddi_dma_free_handle(&db.db_h);
		ddi_dma_mem_free(&db.db_acc);
		_exit(db.db_h == NULL ? 0 : 1);
	}
	(void) waitpid(pid, &st, 0);
	CHECK("dma: FK_DEBUG=0: free_handle of a bound handle frees it and "
	    "its binding", pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "expected the child to exit 0, status %#x", st);
}

static void
test_deaths(void)
{
	expect_death("dma: cookie_one with two cookies panics",
	    die_cookie_one, NULL, "has 2 cookies, not one");
	expect_death("dma: free_handle of a bound handle panics",
	    die_free_bound, NULL, "is still bound");
	test_free_bound_nondebug();
	expect_death("dma: mem_free of bound memory panics",
	    die_mem_free_bound, NULL, "is still bound by 1 handle");
	expect_death("dma: nextcookie past the last cookie panics",
	    die_nextcookie, NULL, "called more times than the 1 cookies");
}

/*
 * The environment variables, in a re-executed child.  Not inlined: the
 * sync log names it as the caller, from the symbol table where there is
 * no addr2line.
 */
static int __attribute__((noinline))
child_env(void)
{
	dmabuf_t db;
	uint8_t *dev;

	fk_strict_dma = 1;
	(void) mem(&db, attr_any(), 64);
	(void) bind(db.db_h, db.db_va, 64, DDI_DMA_RDWR);
	dev = dev0(db.db_h);
	db.db_va[0] = 0x42;
	(void) ddi_dma_sync(db.db_h, 0, 0, DDI_DMA_SYNC_FORDEV);
	CHECK("FK_DMA_DROP_SYNC=1: the process's first sync does nothing",
	    dev[0] != 0x42, "expected the old byte, saw %#x", dev[0]);
	(void) ddi_dma_sync(db.db_h, 0, 0, DDI_DMA_SYNC_FORDEV);
	CHECK("FK_DMA_DROP_SYNC=1: the second works", dev[0] == 0x42,
	    "expected 0x42, saw %#x", dev[0]);
	CHECK("FK_DMA_SYNC_LOG=1: each sync is logged with its caller",
	    fk_log_find("dma: sync #2 ", 0) >= 0 &&
	    fk_log_find("caller child_env", 0) >= 0,
	    "expected \"dma: sync #2 ... caller child_env\" in the log");
	CHECK("FK_DMA_DROP_SYNC: the dropped sync is logged as such",
	    fk_log_find("DROPPED", 0) >= 0, "expected DROPPED in the log");
	mem_free(&db);
	return (check_exit());
}

static void
test_env(void)
{
	pid_t pid;
	int status = -1;

	(void) fflush(stdout);
	if ((pid = fork()) == 0) {
		(void) setenv("FK_DMA_DROP_SYNC", "1", 1);
		(void) setenv("FK_DMA_SYNC_LOG", "1", 1);
		(void) execl(self_path, self_path, "env-child", (char *)NULL);
		_exit(127);
	}
	(void) waitpid(pid, &status, 0);
	CHECK("dma: environment child passed", WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0, "expected exit 0, saw status %#x",
	    status);
}

int
main(int argc, char **argv)
{
	fk_options_t o = { .fo_platform = "none", .fo_quiet = 1,
	    .fo_strict_dma = -1 };
	int child = argc > 1 && strcmp(argv[1], "env-child") == 0;

	self_path = "/proc/self/exe";
	if (fk_init(&o) != 0) {
		check_fail("fk_init", "expected 0");
		return (check_exit());
	}
	fakeplat_install();
	dip = fk_devi_alloc(NULL, "tdma", "0");
	if (child)
		return (child_env());
	test_badattr();
	test_mem_alloc();
	test_addr_limits();
	test_sgllen_windows();
	test_seg_countmax_maxxfer();
	test_granular();
	test_align_bind();
	test_buf_bind();
	test_strict();
	test_strict_bind();
	test_drop_sync();
	test_deaths();
	test_env();
	fk_devi_free(dip);
	fk_fini();
	return (check_exit());
}

/*
 * SCSA framework, packets: scsi_init_pkt with tran_setup_pkt (areas,
 * constructor, setup order, CDB longer than the HBA takes, extended
 * status and private areas, DMA binding and cookies, sgllen exceeded,
 * partial DMA windows, consistent buffers), scsi_transport (TRAN_BUSY,
 * FLAG_NOINTR), scsi_hba_pkt_comp (read data synced for the CPU in strict
 * DMA mode, deferral to another thread, the completion-mode knob), sd-like
 * retries (unit attention, BUSY), asynchronous submission with a bounded
 * depth and exact accounting, and the panics: a packet destroyed twice,
 * completed twice, completed but never started, destroyed or transported
 * while in transport, and FLAG_NOINTR completed through
 * scsi_hba_pkt_comp.
 */

#include <sys/types.h>
#include <sys/ddi.h>
#include <sys/sunddi.h>
#include <sys/scsi/scsi.h>
#include <fk.h>
#include <fk_impl.h>
#include <fk_scsi.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "lib/expect.h"
#include "lib/loopback.h"

#define	NS_PER_SEC	1000000000LL

static lb_t *lb;
static fk_lun_t *lun;
static struct scsi_device *sd;

static lb_t *
make_hba(int sgllen, uint_t max_cdb, int comp)
{
	lb_config_t cfg;

	lb_config_default(&cfg);
	if (sgllen < 16)
		cfg.lc_seg = 0xfff;	/* a cookie per page */
	cfg.lc_ntgt = 1;
	cfg.lc_nlun = 1;
	cfg.lc_sgllen = sgllen;
	cfg.lc_max_cdb = max_cdb;
	cfg.lc_comp = comp;
	return (lb_create(&cfg));
}

static void
fill(uchar_t *p, size_t n, unsigned seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uchar_t)(seed * 131 + i * 7 + (i >> 9));
}

static void
test_data(void)
{
	size_t len = 64 * 512;
	uchar_t *wb = kmem_alloc(len, KM_SLEEP);
	uchar_t *rb = kmem_zalloc(len, KM_SLEEP);
	fk_scsi_status_t st;
	fk_scsi_cmd_t cmd;
	int rv;

	fill(wb, len, 1);
	rv = fk_scsi_write(lun, 100, 64, wb, &st);
	CHECK("pkt: WRITE(10) of 64 blocks", rv == 0 &&
	    st.ss_status == STATUS_GOOD && st.ss_resid == 0,
	    "expected 0, saw %d (status 0x%x reason %d)", rv, st.ss_status,
	    st.ss_reason);
	rv = fk_scsi_read(lun, 100, 64, rb, &st);
	CHECK("pkt: READ(10) returns what was written (strict DMA)",
	    rv == 0 && memcmp(wb, rb, len) == 0,
	    "expected the data back, saw rv %d, %s", rv,
	    memcmp(wb, rb, len) == 0 ? "same data" : "different data");
	CHECK("pkt: loopback saw the data through the cookies",
	    memcmp(lb->lb_tgts[0].lt_luns[0].ll_data + 100 * 512, wb, len) ==
	    0, "expected the medium to hold the data");

	/* READ(16) through a raw CDB. */
	bzero(rb, len);
	bzero(&cmd, sizeof (cmd));
	cmd.sc_cdb[0] = SCMD_READ_G4;
	cmd.sc_cdb[9] = 100;
	cmd.sc_cdb[13] = 8;
	cmd.sc_cdblen = CDB_GROUP4;
	cmd.sc_buf = rb;
	cmd.sc_buflen = 8 * 512;
	cmd.sc_dir = FK_SCSI_DIR_READ;
	rv = fk_scsi_cmd(lun, &cmd);
	CHECK("pkt: raw READ(16)", rv == 0 && memcmp(wb, rb, 8 * 512) == 0,
	    "expected 0 and the data, saw %d", rv);

	rv = fk_scsi_verify(lun, 100, 64, wb, &st);
	CHECK("pkt: VERIFY with BYTCHK matches", rv == 0,
	    "expected 0, saw %d", rv);
	wb[513] ^= 0xff;
	rv = fk_scsi_verify(lun, 100, 64, wb, &st);
	CHECK("pkt: VERIFY with BYTCHK miscompares, sense reported",
	    rv == EIO && st.ss_status == STATUS_CHECK &&
	    st.ss_key == KEY_MISCOMPARE && st.ss_asc == 0x1d &&
	    (st.ss_state & STATE_ARQ_DONE) && st.ss_senselen >= 14,
	    "expected EIO with MISCOMPARE/1D, saw %d status 0x%x key %x asc "
	    "%x", rv, st.ss_status, st.ss_key, st.ss_asc);
	rv = fk_scsi_verify(lun, 0, 16, NULL, &st);
	CHECK("pkt: VERIFY of the medium", rv == 0, "expected 0, saw %d", rv);

	/* Out of range: an error the HBA reports, no retries. */
	bzero(&cmd, sizeof (cmd));
	fk_scsi_cdb_rw(&cmd, FK_SCSI_DIR_READ, 2040, 16, 512);
	cmd.sc_buf = rb;
	rv = fk_scsi_cmd(lun, &cmd);
	CHECK("pkt: READ past the end: CHECK, ILLEGAL REQUEST 21h",
	    rv == EIO && cmd.sc_res.ss_key == KEY_ILLEGAL_REQUEST &&
	    cmd.sc_res.ss_asc == 0x21,
	    "expected EIO 5/21, saw %d %x/%x", rv, cmd.sc_res.ss_key,
	    cmd.sc_res.ss_asc);
	CHECK("pkt: block API refuses a range past the capacity",
	    fk_scsi_read(lun, 2040, 16, rb, NULL) == EINVAL,
	    "expected EINVAL");
	kmem_free(wb, len);
	kmem_free(rb, len);
}

static void
test_retries(void)
{
	uchar_t *b = kmem_zalloc(4096, KM_SLEEP);
	fk_scsi_status_t st;
	fk_counters_t c0, c1;
	fk_scsi_stats_t s0, s1;
	int rv;

	lb_lock(lb);
	lb->lb_tgts[0].lt_luns[0].ll_ua = 1;
	lb->lb_tgts[0].lt_luns[0].ll_ua_asc = 0x29;	/* power on, reset */
	lb->lb_tgts[0].lt_luns[0].ll_ua_ascq = 0;
	lb_unlock(lb);
	rv = fk_scsi_read(lun, 0, 8, b, &st);
	CHECK("pkt: unit attention retried", rv == 0 && st.ss_retries == 1,
	    "expected success after 1 retry, saw %d after %u", rv,
	    st.ss_retries);

	lb_lock(lb);
	lb->lb_tgts[0].lt_luns[0].ll_busy_status = 2;
	lb_unlock(lb);
	rv = fk_scsi_read(lun, 0, 8, b, &st);
	CHECK("pkt: BUSY status retried", rv == 0 && st.ss_retries == 2,
	    "expected success after 2 retries, saw %d after %u", rv,
	    st.ss_retries);

	fk_counters_get(&c0);
	fk_scsi_lun_stats(lun, &s0);
	lb_lock(lb);
	lb->lb_busy_next = 3;
	lb_unlock(lb);
	rv = fk_scsi_read(lun, 0, 8, b, &st);
	fk_counters_get(&c1);
	fk_scsi_lun_stats(lun, &s1);
	CHECK("pkt: TRAN_BUSY ridden out and counted", rv == 0 &&
	    c1.fc_tran_busy - c0.fc_tran_busy == 3 &&
	    s1.st_busy - s0.st_busy == 3 &&
	    c1.fc_pkt_starts - c0.fc_pkt_starts == 4 &&
	    s1.st_started - s0.st_started == 1,
	    "expected 3 busy, 4 tran_start calls, 1 started; saw rv %d, %llu "
	    "busy, %llu starts, %llu started", rv,
	    (unsigned long long)(c1.fc_tran_busy - c0.fc_tran_busy),
	    (unsigned long long)(c1.fc_pkt_starts - c0.fc_pkt_starts),
	    (unsigned long long)(s1.st_started - s0.st_started));

	lb_lock(lb);
	lb->lb_tgts[0].lt_luns[0].ll_busy_status = 100;
	lb_unlock(lb);
	rv = fk_scsi_read(lun, 0, 8, b, &st);
	CHECK("pkt: retries are bounded", rv == EIO &&
	    st.ss_status == STATUS_BUSY && st.ss_retries == 5,
	    "expected EIO BUSY after 5 retries, saw %d 0x%x after %u", rv,
	    st.ss_status, st.ss_retries);
	lb_lock(lb);
	lb->lb_tgts[0].lt_luns[0].ll_busy_status = 0;
	lb_unlock(lb);
	kmem_free(b, 4096);
}

static int comp_calls;

/* pkt_comp of a READ: the data must be there already, before any unbind. */
typedef struct incb {
	uchar_t		*ic_expect;
	uchar_t		*ic_buf;
	size_t		ic_len;
	volatile int	ic_done;
	int		ic_same;
} incb_t;

static void
incb_comp(struct scsi_pkt *pkt)
{
	incb_t *ic = *(incb_t **)pkt->pkt_private;

	ic->ic_same = memcmp(ic->ic_expect, ic->ic_buf, ic->ic_len) == 0;
	__atomic_store_n(&ic->ic_done, 1, __ATOMIC_SEQ_CST);
}

static void
test_read_sync(void)
{
	size_t len = 16 * 512;
	uchar_t *wb = kmem_alloc(len, KM_SLEEP);
	uchar_t *rb = kmem_zalloc(len, KM_SLEEP);
	struct scsi_pkt *pkt;
	struct buf *bp = getrbuf(KM_SLEEP);
	incb_t ic = { wb, rb, len, 0, 0 };
	int i, rv;

	fill(wb, len, 9);
	rv = fk_scsi_write(lun, 300, 16, wb, NULL);
	bp->b_un.b_addr = (caddr_t)rb;
	bp->b_bcount = len;
	bp->b_flags = B_READ;
	pkt = scsi_init_pkt(&sd->sd_address, NULL, bp, CDB_GROUP1,
	    sizeof (struct scsi_arq_status), sizeof (incb_t *), 0, SLEEP_FUNC,
	    NULL);
	if (pkt != NULL) {
		*(incb_t **)pkt->pkt_private = &ic;
		pkt->pkt_cdbp[0] = SCMD_READ_G1;
		pkt->pkt_cdbp[4] = 300 >> 8;
		pkt->pkt_cdbp[5] = 300 & 0xff;
		pkt->pkt_cdbp[8] = 16;
		pkt->pkt_comp = incb_comp;
		pkt->pkt_time = 10;
		(void) scsi_transport(pkt);
		for (i = 0; i < 5000 && !ic.ic_done; i++)
			(void) usleep(1000);
	}
	CHECK("pkt: read data synced for the CPU before pkt_comp",
	    rv == 0 && pkt != NULL && ic.ic_done && ic.ic_same,
	    "expected the data in pkt_comp, saw done %d same %d", ic.ic_done,
	    ic.ic_same);
	if (pkt != NULL)
		scsi_destroy_pkt(pkt);
	freerbuf(bp);
	kmem_free(wb, len);
	kmem_free(rb, len);
}

static void
count_comp(struct scsi_pkt *pkt)
{
	(void) pkt;
	__atomic_add_fetch(&comp_calls, 1, __ATOMIC_SEQ_CST);
}

static void
test_packets(void)
{
	struct scsi_address *ap = &sd->sd_address;
	struct scsi_pkt *pkt;
	struct buf *bp;
	uchar_t *mem;
	size_t sum;
	uint_t i;
	int setup0, rv, polled0;
	fk_counters_t c0, c1;

	setup0 = lb->lb_setup;
	pkt = scsi_init_pkt(ap, NULL, NULL, CDB_GROUP1, 1, 0, 0, SLEEP_FUNC,
	    NULL);
	CHECK("pkt: scsi_init_pkt without data", pkt != NULL &&
	    pkt->pkt_ha_private != NULL && pkt->pkt_cdbp != NULL &&
	    pkt->pkt_scbp != NULL && pkt->pkt_cdblen == CDB_GROUP1 &&
	    pkt->pkt_scblen == 1 && pkt->pkt_tgtlen == 0 &&
	    pkt->pkt_private == NULL && pkt->pkt_numcookies == 0 &&
	    pkt->pkt_resid == 0 && lb->lb_setup == setup0 + 1 &&
	    pkt->pkt_address.a_hba_tran == ap->a_hba_tran,
	    "packet %p not set up as asked", (void *)pkt);
	if (pkt != NULL)
		scsi_destroy_pkt(pkt);
	CHECK("pkt: scsi_destroy_pkt tears down",
	    lb->lb_teardown == lb->lb_setup, "saw %d setups, %d teardowns",
	    lb->lb_setup, lb->lb_teardown);

	pkt = scsi_init_pkt(ap, NULL, NULL, 32, 1, 0, 0, SLEEP_FUNC, NULL);
	CHECK("pkt: a CDB longer than the HBA takes fails",
	    pkt == NULL && lb->lb_setup == lb->lb_teardown,
	    "expected NULL (tran_setup_pkt refuses), saw %p", (void *)pkt);

	pkt = scsi_init_pkt(ap, NULL, NULL, CDB_GROUP1,
	    sizeof (struct scsi_arq_status) + 200, 64, PKT_XARQ, SLEEP_FUNC,
	    NULL);
	if (pkt != NULL) {
		for (i = 0, sum = 0; i < pkt->pkt_scblen; i++)
			sum += pkt->pkt_scbp[i];
		for (i = 0; i < pkt->pkt_tgtlen; i++)
			sum += ((uchar_t *)pkt->pkt_private)[i];
	}
	CHECK("pkt: large status and private areas, zeroed", pkt != NULL &&
	    pkt->pkt_scblen == sizeof (struct scsi_arq_status) + 200 &&
	    pkt->pkt_tgtlen == 64 && pkt->pkt_private != NULL && sum == 0,
	    "expected 232-byte status and 64-byte private, zeroed");
	if (pkt != NULL) {
		bzero(pkt->pkt_cdbp, CDB_GROUP1);
		pkt->pkt_cdbp[0] = SCMD_TEST_UNIT_READY;
		rv = scsi_poll(pkt);
		CHECK("pkt: scsi_poll of TEST UNIT READY", rv == 0,
		    "expected 0, saw %d", rv);
		scsi_destroy_pkt(pkt);
	}

	/* Data: cookies and DMA flags. */
	mem = kmem_zalloc(3 * 4096, KM_SLEEP);
	bp = getrbuf(KM_SLEEP);
	bp->b_un.b_addr = (caddr_t)mem + 100;
	bp->b_bcount = 2 * 4096;
	bp->b_flags = B_READ;
	pkt = scsi_init_pkt(ap, NULL, bp, CDB_GROUP1,
	    sizeof (struct scsi_arq_status), 0, 0, SLEEP_FUNC, NULL);
	sum = 0;
	if (pkt != NULL) {
		for (i = 0; i < pkt->pkt_numcookies; i++)
			sum += pkt->pkt_cookies[i].dmac_size;
	}
	CHECK("pkt: bound data: cookies cover the buffer, READ flags",
	    pkt != NULL && pkt->pkt_numcookies >= 1 && sum == 2 * 4096 &&
	    pkt->pkt_dma_len == 2 * 4096 && pkt->pkt_resid == 0 &&
	    pkt->pkt_dma_flags == DDI_DMA_READ && pkt->pkt_handle != NULL,
	    "saw %u cookies, %zu bytes, flags 0x%x",
	    pkt ? pkt->pkt_numcookies : 0, sum,
	    pkt ? pkt->pkt_dma_flags : 0);
	if (pkt != NULL) {
		scsi_dmafree(pkt);
		CHECK("pkt: scsi_dmafree unbinds", pkt->pkt_numcookies == 0,
		    "saw %u cookies", pkt->pkt_numcookies);
		scsi_destroy_pkt(pkt);
	}

	/* Polled: tran_start completes it, pkt_comp is not called. */
	bp->b_un.b_addr = (caddr_t)mem;
	bp->b_bcount = 512;
	bp->b_flags = B_READ;
	pkt = scsi_init_pkt(ap, NULL, bp, CDB_GROUP1,
	    sizeof (struct scsi_arq_status), 0, 0, SLEEP_FUNC, NULL);
	if (pkt != NULL) {
		fk_counters_get(&c0);
		polled0 = lb->lb_polled;
		comp_calls = 0;
		pkt->pkt_cdbp[0] = SCMD_READ_G1;
		pkt->pkt_cdbp[8] = 1;
		pkt->pkt_flags = FLAG_NOINTR;
		pkt->pkt_comp = count_comp;
		pkt->pkt_time = 10;
		rv = scsi_transport(pkt);
		fk_counters_get(&c1);
		CHECK("pkt: FLAG_NOINTR completes in tran_start, no pkt_comp",
		    rv == TRAN_ACCEPT && lb->lb_polled == polled0 + 1 &&
		    comp_calls == 0 && pkt->pkt_reason == CMD_CMPLT &&
		    c1.fc_pkt_comps == c0.fc_pkt_comps,
		    "saw rv %d, polled %d, %d pkt_comp calls", rv,
		    lb->lb_polled - polled0, comp_calls);
		/* The same packet again, interrupt-driven. */
		pkt->pkt_flags = 0;
		rv = scsi_transport(pkt);
		for (i = 0; i < 5000 && __atomic_load_n(&comp_calls,
		    __ATOMIC_SEQ_CST) == 0; i++)
			(void) usleep(1000);
		CHECK("pkt: a completed packet can be transported again",
		    rv == TRAN_ACCEPT && comp_calls == 1,
		    "saw rv %d, %d pkt_comp calls", rv, comp_calls);
		scsi_destroy_pkt(pkt);
	}

	/* Consistent buffers. */
	freerbuf(bp);
	bp = scsi_alloc_consistent_buf(ap, NULL, 1024, B_READ, SLEEP_FUNC,
	    NULL);
	CHECK("pkt: scsi_alloc_consistent_buf", bp != NULL &&
	    bp->b_un.b_addr != NULL && bp->b_bcount == 1024 &&
	    (bp->b_flags & B_READ), "expected a 1024-byte B_READ buf");
	pkt = scsi_init_pkt(ap, NULL, bp, CDB_GROUP1,
	    sizeof (struct scsi_arq_status), 0, PKT_CONSISTENT, SLEEP_FUNC,
	    NULL);
	CHECK("pkt: PKT_CONSISTENT sets DDI_DMA_CONSISTENT", pkt != NULL &&
	    pkt->pkt_dma_flags == (DDI_DMA_READ | DDI_DMA_CONSISTENT),
	    "saw flags 0x%x", pkt ? pkt->pkt_dma_flags : 0);
	if (pkt != NULL)
		scsi_destroy_pkt(pkt);
	scsi_free_consistent_buf(bp);
	kmem_free(mem, 3 * 4096);
}

/* An HBA that takes two cookies per packet: TOOBIG, then windows. */
static void
test_sgllen(void)
{
	lb_t *lb2 = make_hba(2, 16, LB_COMP_INTR);
	fk_lun_t *l2;
	struct scsi_address *ap;
	struct scsi_pkt *pkt;
	struct buf *bp;
	uchar_t *mem;
	size_t total = 0, len = 6 * 4096;
	int wins = 0, ok = 1;

	if (!CHECK("pkt: second HBA (sgllen 2)", lb2 != NULL, "no HBA"))
		return;
	l2 = fk_scsi_lun_find(lb2->lb_iport, "0,0");
	if (!CHECK("pkt: its LUN", l2 != NULL, "no LUN 0,0"))
		return;
	ap = &fk_scsi_lun_device(l2)->sd_address;
	mem = kmem_zalloc(len + 4096, KM_SLEEP);
	bp = getrbuf(KM_SLEEP);
	bp->b_un.b_addr = (caddr_t)mem + 512;
	bp->b_bcount = len;
	bp->b_flags = B_WRITE;
	pkt = scsi_init_pkt(ap, NULL, bp, CDB_GROUP1,
	    sizeof (struct scsi_arq_status), 0, 0, SLEEP_FUNC, NULL);
	CHECK("pkt: more cookies than sgllen fails with EINVAL",
	    pkt == NULL && (bp->b_flags & B_ERROR) && bp->b_error == EINVAL,
	    "expected NULL and EINVAL, saw %p, error %d", (void *)pkt,
	    bp->b_error);
	CHECK("pkt: the failed packet was unwound",
	    lb2->lb_setup == lb2->lb_teardown, "saw %d setups, %d teardowns",
	    lb2->lb_setup, lb2->lb_teardown);
	if (pkt != NULL)
		scsi_destroy_pkt(pkt);

	bioerror(bp, 0);
	pkt = scsi_init_pkt(ap, NULL, bp, CDB_GROUP1,
	    sizeof (struct scsi_arq_status), 0, PKT_DMA_PARTIAL, SLEEP_FUNC,
	    NULL);
	while (pkt != NULL && wins < 16) {
		wins++;
		total += pkt->pkt_dma_len;
		if (pkt->pkt_numcookies > 2 || pkt->pkt_numcookies == 0 ||
		    pkt->pkt_resid != (ssize_t)(len - total))
			ok = 0;
		if (pkt->pkt_resid == 0)
			break;
		if (scsi_init_pkt(ap, pkt, bp, 0, 0, 0, 0, SLEEP_FUNC,
		    NULL) != pkt)
			ok = 0;
	}
	CHECK("pkt: PKT_DMA_PARTIAL: windows of at most 2 cookies cover it",
	    pkt != NULL && ok && total == len && wins > 1,
	    "saw %d windows, %zu of %zu bytes, ok %d", wins, total, len, ok);
	if (pkt != NULL)
		scsi_destroy_pkt(pkt);
	freerbuf(bp);
	kmem_free(mem, len + 4096);
	fk_scsi_lun_rele(l2);
	CHECK("pkt: second HBA torn down", lb_destroy(lb2) == DDI_SUCCESS &&
	    lb2->lb_ctor == lb2->lb_dtor, "saw %d ctor, %d dtor",
	    lb2->lb_ctor, lb2->lb_dtor);
	free(lb2);
}

/*
 * Asynchronous load: bounded depth, every packet completed exactly once.
 */
typedef struct load {
	int		ld_done;
	int		ld_errors;
	int		ld_intr;
	int		ld_max_out;
	pthread_t	ld_threads[4];
	int		ld_nthreads;
} load_t;

static void
load_done(fk_scsi_cmd_t *cmd, void *arg)
{
	load_t *ld = arg;
	fk_scsi_stats_t st;
	int n;

	if (cmd->sc_error != 0)
		__atomic_add_fetch(&ld->ld_errors, 1, __ATOMIC_SEQ_CST);
	if (fk_in_intr())
		__atomic_add_fetch(&ld->ld_intr, 1, __ATOMIC_SEQ_CST);
	fk_scsi_lun_stats(lun, &st);
	n = (int)st.st_outstanding;
	if (n > __atomic_load_n(&ld->ld_max_out, __ATOMIC_SEQ_CST))
		__atomic_store_n(&ld->ld_max_out, n, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&ld->ld_done, 1, __ATOMIC_SEQ_CST);
}

static void
run_load(load_t *ld, int n, uint_t depth)
{
	fk_scsi_cmd_t *cmds = calloc(n, sizeof (*cmds));
	uchar_t *bufs = kmem_zalloc((size_t)n * 4096, KM_SLEEP);
	int i, rv, fails = 0;

	(void) fk_scsi_set_depth(lun, depth);
	for (i = 0; i < n; i++) {
		fk_scsi_cdb_rw(&cmds[i], (i & 1) ? FK_SCSI_DIR_READ :
		    FK_SCSI_DIR_WRITE, (i * 8) % 2000, 8, 512);
		cmds[i].sc_buf = bufs + (size_t)i * 4096;
		cmds[i].sc_done = load_done;
		cmds[i].sc_arg = ld;
		if ((rv = fk_scsi_submit(lun, &cmds[i])) != 0)
			fails++;
	}
	(void) fk_scsi_drain(lun, 20 * NS_PER_SEC);
	CHECK("pkt: async submissions accepted", fails == 0,
	    "expected all %d accepted, %d refused", n, fails);
	kmem_free(bufs, (size_t)n * 4096);
	free(cmds);
}

static void
test_async(void)
{
	load_t ld;
	fk_scsi_stats_t s0, s1, g0, g1;
	fk_counters_t c0, c1;
	int old;

	old = fk_scsi_comp_mode(FK_SCSI_COMP_INTR);
	bzero(&ld, sizeof (ld));
	fk_scsi_lun_stats(lun, &s0);
	fk_scsi_stats(&g0);
	fk_counters_get(&c0);
	run_load(&ld, 300, 4);
	fk_scsi_lun_stats(lun, &s1);
	fk_scsi_stats(&g1);
	fk_counters_get(&c1);
	CHECK("pkt: every async command completed once", ld.ld_done == 300 &&
	    ld.ld_errors == 0, "expected 300 done, 0 errors; saw %d, %d",
	    ld.ld_done, ld.ld_errors);
	CHECK("pkt: queue depth bounded", ld.ld_max_out <= 4 &&
	    ld.ld_max_out >= 1, "expected at most 4 outstanding, saw %d",
	    ld.ld_max_out);
	CHECK("pkt: accounting: started = completed, none outstanding",
	    s1.st_started - s0.st_started == 300 &&
	    s1.st_completed - s0.st_completed == 300 &&
	    s1.st_outstanding == 0 && g1.st_outstanding == 0 &&
	    g1.st_completed - g0.st_completed == 300 &&
	    c1.fc_pkt_comps - c0.fc_pkt_comps == 300,
	    "saw %llu started, %llu completed, %llu outstanding, %llu "
	    "scsi_hba_pkt_comp calls",
	    (unsigned long long)(s1.st_started - s0.st_started),
	    (unsigned long long)(s1.st_completed - s0.st_completed),
	    (unsigned long long)s1.st_outstanding,
	    (unsigned long long)(c1.fc_pkt_comps - c0.fc_pkt_comps));
	CHECK("pkt: HBA completes in interrupt context, pkt_comp deferred",
	    lb->lb_comp_intr > 0 && ld.ld_intr == 0,
	    "expected interrupt-context completions delivered elsewhere; "
	    "saw %d in interrupt context", ld.ld_intr);

	(void) fk_scsi_comp_mode(FK_SCSI_COMP_DIRECT);
	bzero(&ld, sizeof (ld));
	run_load(&ld, 50, 8);
	CHECK("pkt: FK_SCSI_COMP_DIRECT calls pkt_comp in the HBA's "
	    "interrupt context", ld.ld_done == 50 && ld.ld_intr == 50,
	    "expected 50 in interrupt context, saw %d of %d", ld.ld_intr,
	    ld.ld_done);
	(void) fk_scsi_comp_mode(FK_SCSI_COMP_MIXED);
	bzero(&ld, sizeof (ld));
	run_load(&ld, 50, 8);
	CHECK("pkt: FK_SCSI_COMP_MIXED defers some",
	    ld.ld_done == 50 && ld.ld_intr > 0 && ld.ld_intr < 50,
	    "expected some of 50 in interrupt context, saw %d", ld.ld_intr);
	(void) fk_scsi_comp_mode(old);
}

/*
 * Deaths, each in a child with an HBA of its own.
 */
static void
die_destroy_twice(void *arg)
{
	struct scsi_pkt *pkt;

	(void) arg;
	pkt = scsi_init_pkt(&sd->sd_address, NULL, NULL, CDB_GROUP0, 1, 0, 0,
	    SLEEP_FUNC, NULL);
	scsi_destroy_pkt(pkt);
	scsi_destroy_pkt(pkt);
}

static void
die_comp_twice(void *arg)
{
	lb_t *l = make_hba(16, 16, (int)(intptr_t)arg);
	fk_lun_t *u = fk_scsi_lun_find(l->lb_iport, "0,0");

	lb_lock(l);
	l->lb_double_comp = 1;
	lb_unlock(l);
	(void) fk_scsi_tur(u, NULL);
	(void) sleep(5);
}

static void
die_comp_unstarted(void *arg)
{
	struct scsi_pkt *pkt;

	(void) arg;
	pkt = scsi_init_pkt(&sd->sd_address, NULL, NULL, CDB_GROUP0, 1, 0, 0,
	    SLEEP_FUNC, NULL);
	scsi_hba_pkt_comp(pkt);
}

/*
 * In a child the parent's loopback thread does not run: a packet handed
 * to that HBA stays in transport.
 */
static void
die_comp_polled(void *arg)
{
	struct scsi_pkt *pkt;

	(void) arg;
	pkt = scsi_init_pkt(&sd->sd_address, NULL, NULL, CDB_GROUP0, 1, 0, 0,
	    SLEEP_FUNC, NULL);
	(void) scsi_transport(pkt);
	/* As an HBA would that completed a polled packet this way. */
	pkt->pkt_flags |= FLAG_NOINTR;
	scsi_hba_pkt_comp(pkt);
}

static void
die_destroy_busy(void *arg)
{
	struct scsi_pkt *pkt;

	pkt = scsi_init_pkt(&sd->sd_address, NULL, NULL, CDB_GROUP0, 1, 0, 0,
	    SLEEP_FUNC, NULL);
	(void) scsi_transport(pkt);
	if ((intptr_t)arg)
		(void) scsi_transport(pkt);
	scsi_destroy_pkt(pkt);
}

static void
test_deaths(void)
{
	(void) expect_death("pkt: destroying a packet twice panics",
	    die_destroy_twice, NULL, "destroyed twice");
	/*
	 * From interrupt context the first completion is delivered on a
	 * framework thread, which may have delivered it, and the target
	 * destroyed the packet, before the second arrives: "completed
	 * twice" or "completed after it was destroyed".
	 */
	(void) expect_death("pkt: completing a packet twice panics "
	    "(interrupt context)", die_comp_twice,
	    (void *)(intptr_t)LB_COMP_INTR, "scsa: packet");
	(void) expect_contains("pkt: the second completion is named",
	    expect_death_output(), " completed ");
	(void) expect_death("pkt: completing a packet twice panics "
	    "(inline)", die_comp_twice, (void *)(intptr_t)LB_COMP_INLINE,
	    "completed twice");
	(void) expect_death("pkt: completing a packet never started panics",
	    die_comp_unstarted, NULL, "never started");
	(void) expect_death("pkt: scsi_hba_pkt_comp of a FLAG_NOINTR packet "
	    "panics", die_comp_polled, NULL, "FLAG_NOINTR");
	(void) expect_death("pkt: destroying a packet in transport panics",
	    die_destroy_busy, (void *)0, "destroyed while in transport");
	(void) expect_death("pkt: transporting a packet in transport panics",
	    die_destroy_busy, (void *)1, "the packet is in transport");
}

int
main(void)
{
	fk_options_t opts = { .fo_platform = "none", .fo_strict_dma = 1,
	    .fo_quiet = 1 };
	fk_counters_t c0, c1;

	if (fk_init(&opts) != 0) {
		printf("FAIL pkt: fk_init failed\n");
		return (1);
	}
	fk_counters_get(&c0);
	lb = make_hba(64, 16, LB_COMP_INTR);
	if (!CHECK("pkt: HBA up", lb != NULL, "no HBA"))
		return (check_exit());
	lun = fk_scsi_lun_find(lb->lb_iport, "0,0");
	if (!CHECK("pkt: LUN 0,0 found", lun != NULL, "no LUN"))
		return (check_exit());
	sd = fk_scsi_lun_device(lun);
	test_data();
	test_read_sync();
	test_retries();
	test_packets();
	test_sgllen();
	test_async();
	test_deaths();
	CHECK("pkt: HBA checks held (setup before start, cookies, no busy "
	    "tgt_free)", lb->lb_not_setup == 0 && lb->lb_bad_cookies == 0 &&
	    lb->lb_freed_busy == 0, "saw %d not set up, %d bad cookie lists, "
	    "%d busy frees", lb->lb_not_setup, lb->lb_bad_cookies,
	    lb->lb_freed_busy);
	fk_scsi_lun_rele(lun);
	CHECK("pkt: teardown", lb_destroy(lb) == DDI_SUCCESS &&
	    lb->lb_ctor == lb->lb_dtor, "saw %d ctor, %d dtor", lb->lb_ctor,
	    lb->lb_dtor);
	free(lb);
	fk_counters_get(&c1);
	CHECK("pkt: no kmem leaked", c1.fc_kmem_bytes == c0.fc_kmem_bytes,
	    "expected %lld bytes outstanding, saw %lld",
	    (long long)c0.fc_kmem_bytes, (long long)c1.fc_kmem_bytes);
	{
		fk_counters_t cw;

		fk_counters_get(&cw);
		CHECK("pkt: no lock-order (witness) report",
		    cw.fc_witness_reports == 0, "saw %llu reports",
		    (unsigned long long)cw.fc_witness_reports);
	}
	fk_fini();
	return (check_exit());
}

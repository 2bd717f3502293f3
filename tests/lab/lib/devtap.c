/*
 * What the driver tells the device, and device faults (see devtap.h).
 */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <pthread.h>
#include <time.h>

#include <sys/types.h>
#include <sys/sysmacros.h>
#include <sys/time.h>

#include "fk.h"
#include "pvscsi.h"
#include "devtap.h"

/* Data dwords of each command (0: none or unknown). */
static const uint_t dt_ndw[] = {
	[PVSCSI_CMD_SETUP_RINGS] = sizeof (pvscsi_setup_rings_t) / 4,
	[PVSCSI_CMD_RESET_DEVICE] = sizeof (pvscsi_cmd_reset_device_t) / 4,
	[PVSCSI_CMD_ABORT_CMD] = sizeof (pvscsi_cmd_abort_t) / 4,
	[PVSCSI_CMD_CONFIG] = sizeof (pvscsi_cmd_config_t) / 4,
	[PVSCSI_CMD_SETUP_MSG_RING] = sizeof (pvscsi_setup_msg_ring_t) / 4,
	[PVSCSI_CMD_SETUP_REQCALLTHRESHOLD] = 1
};

#define	DW_STATE_PPN	(offsetof(pvscsi_setup_rings_t, psr_state_ppn) / 4)
#define	DW_REQ_PAGES	(offsetof(pvscsi_setup_rings_t, psr_req_pages) / 4)
#define	DW_REQ_PPNS	(offsetof(pvscsi_setup_rings_t, psr_req_ppns) / 4)
#define	DW_CMP_PAGES	(offsetof(pvscsi_setup_rings_t, psr_cmp_pages) / 4)
#define	DW_CMP_PPNS	(offsetof(pvscsi_setup_rings_t, psr_cmp_ppns) / 4)
#define	DW_MSG_PAGES	(offsetof(pvscsi_setup_msg_ring_t, psm_pages) / 4)
#define	DW_MSG_PPNS	(offsetof(pvscsi_setup_msg_ring_t, psm_ppns) / 4)

#define	CTX_SLOTS	(2 * DT_CTX_MAX)	/* open addressing, half full */

static struct {
	pthread_mutex_t	lock;
	pthread_cond_t	cv;
	dt_cmd_t	log[DT_LOG_MAX];
	uint_t		nlog;
	uint64_t	total[16];	/* commands written, by id */
	uint32_t	cur;		/* command being written */
	uint32_t	data[sizeof (pvscsi_setup_rings_t) / 4];
	uint_t		ndata;
	uint64_t	stores;
	uint64_t	masks;
	uint32_t	mask;
	uint64_t	kicks[2];	/* non-RW, RW */
	/* from SETUP_RINGS and SETUP_MSG_RING */
	uint64_t	setups;
	uint64_t	state_pa;
	uint64_t	req_pa[PVSCSI_MAX_RING_PAGES];
	uint_t		req_pages;
	uint64_t	cmp_pa[PVSCSI_MAX_RING_PAGES];
	uint_t		cmp_pages;
	uint64_t	msg_pa[PVSCSI_MAX_MSG_RING_PAGES];
	uint_t		msg_pages;
	/* contexts and data addresses seen on the request ring */
	uint32_t	req_seen;	/* requests looked at */
	uint64_t	ctx[CTX_SLOTS];
	uint8_t		ctx_used[CTX_SLOTS];
	uint_t		nctx;
	int		ctx_full;
	uint64_t	ctx_bits;
	uint64_t	data_lo, data_hi;
	uint_t		data_sges;
	int		lose;
	uint_t		lost;
	int		stall;		/* armed */
	int		stalled;	/* a handler is blocked */
} dt = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cv = PTHREAD_COND_INITIALIZER,
	.data_lo = UINT64_MAX
};

static uint64_t
dt_dw64(const uint32_t *dw, uint_t i)
{
	return ((uint64_t)dw[i] | ((uint64_t)dw[i + 1] << 32));
}

static volatile uint32_t *
dt_dev32(uint64_t pa)
{
	return (fk_dma_devmem(pa, sizeof (uint32_t)));
}

/* The device's view of entry idx of a ring of pages of per entries. */
static void *
dt_entry(const uint64_t *pa, uint_t pages, uint_t per, size_t size,
    uint32_t idx)
{
	uint32_t n = pages * per, i;

	if (n == 0)
		return (NULL);
	i = idx & (n - 1);
	return (fk_dma_devmem(pa[i / per] + (i % per) * size, size));
}

pvscsi_req_t *
dt_req(uint32_t idx)
{
	return (dt_entry(dt.req_pa, dt.req_pages, PVSCSI_REQS_PER_PAGE,
	    sizeof (pvscsi_req_t), idx));
}

pvscsi_cmp_t *
dt_cmp(uint32_t idx)
{
	return (dt_entry(dt.cmp_pa, dt.cmp_pages, PVSCSI_CMPS_PER_PAGE,
	    sizeof (pvscsi_cmp_t), idx));
}

pvscsi_msg_dev_t *
dt_msg(uint32_t idx)
{
	return (dt_entry(dt.msg_pa, dt.msg_pages, PVSCSI_MSGS_PER_PAGE,
	    sizeof (pvscsi_msg_dev_t), idx));
}

volatile pvscsi_rings_state_t *
dt_state(void)
{
	if (dt.state_pa == 0)
		return (NULL);
	return (fk_dma_devmem(dt.state_pa, sizeof (pvscsi_rings_state_t)));
}

void
dt_ring_pages(uint_t *req, uint_t *cmp, uint_t *msg)
{
	(void) pthread_mutex_lock(&dt.lock);
	*req = dt.req_pages;
	*cmp = dt.cmp_pages;
	*msg = dt.msg_pages;
	(void) pthread_mutex_unlock(&dt.lock);
}

uint64_t
dt_setups(void)
{
	return (__atomic_load_n(&dt.setups, __ATOMIC_SEQ_CST));
}

/*
 * Contexts (dt.lock held).
 */
static size_t
dt_ctx_slot(uint64_t ctx)
{
	size_t h = (size_t)((ctx * 0x9e3779b97f4a7c15ULL) >> 40) %
	    CTX_SLOTS;

	while (dt.ctx_used[h] && dt.ctx[h] != ctx)
		h = (h + 1) % CTX_SLOTS;
	return (h);
}

static void
dt_ctx_add(uint64_t ctx)
{
	size_t h = dt_ctx_slot(ctx);

	dt.ctx_bits |= ctx;
	if (dt.ctx_used[h])
		return;
	if (dt.nctx == DT_CTX_MAX) {
		dt.ctx_full = 1;
		return;
	}
	dt.ctx[h] = ctx;
	dt.ctx_used[h] = 1;
	dt.nctx++;
}

static void
dt_data_add(uint64_t addr, uint64_t len)
{
	if (len == 0)
		return;
	dt.data_lo = MIN(dt.data_lo, addr);
	dt.data_hi = MAX(dt.data_hi, addr + len - 1);
}

/*
 * The data of one request, as the device reads it: its buffer, or each
 * element of its SG list (one page, never chained).
 */
static void
dt_data_of(const pvscsi_req_t *req)
{
	pvscsi_sge_t *sg;
	uint64_t left;
	uint_t k;

	if (req->pr_data_len == 0)
		return;
	if ((req->pr_flags & PVSCSI_FLAG_CMD_WITH_SG_LIST) == 0) {
		dt_data_add(req->pr_data_addr, req->pr_data_len);
		return;
	}
	sg = fk_dma_devmem(req->pr_data_addr, PVSCSI_PAGE_SIZE);
	left = req->pr_data_len;
	for (k = 0; sg != NULL && left > 0 &&
	    k < PVSCSI_PAGE_SIZE / sizeof (*sg); k++) {
		dt_data_add(sg[k].psg_addr, sg[k].psg_length);
		left -= MIN(left, sg[k].psg_length);
	}
	dt.data_sges = MAX(dt.data_sges, k);
}

/*
 * At a kick: the requests the device has not looked at yet (their
 * contexts and their data).
 */
static void
dt_scan_requests(void)
{
	volatile pvscsi_rings_state_t *st = dt_state();
	uint32_t n = dt.req_pages * PVSCSI_REQS_PER_PAGE, prod;
	pvscsi_req_t *req;

	if (st == NULL || n == 0)
		return;
	prod = st->prs_req_prod;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (prod - dt.req_seen > n)
		dt.req_seen = prod - n;
	for (; dt.req_seen != prod; dt.req_seen++) {
		if ((req = dt_req(dt.req_seen)) == NULL)
			continue;
		dt_ctx_add(req->pr_context);
		dt_data_of(req);
	}
}

int
dt_ctx_seen(uint64_t ctx)
{
	int rv;

	(void) pthread_mutex_lock(&dt.lock);
	rv = dt.ctx_used[dt_ctx_slot(ctx)] ? 1 : dt.ctx_full ? -1 : 0;
	(void) pthread_mutex_unlock(&dt.lock);
	return (rv);
}

uint64_t
dt_ctx_unseen(uint64_t v)
{
	(void) pthread_mutex_lock(&dt.lock);
	do {
		v++;
	} while (dt.ctx_used[dt_ctx_slot(v)]);
	(void) pthread_mutex_unlock(&dt.lock);
	return (v);
}

uint64_t
dt_ctx_bits(void)
{
	uint64_t b;

	(void) pthread_mutex_lock(&dt.lock);
	b = dt.ctx_bits;
	(void) pthread_mutex_unlock(&dt.lock);
	return (b);
}

static void
dt_pause_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	(void) nanosleep(&ts, NULL);
}

/*
 * The completion of context ctx, once the device has written it, gets a
 * context never issued.  Called with no lock of ours held, in the
 * aborting thread (which holds the driver's): nothing reaps meanwhile.
 */
static void
dt_lose(uint64_t ctx)
{
	uint64_t never = dt_ctx_unseen(ctx);
	volatile uint32_t *prod = dt_dev32(dt.state_pa +
	    offsetof(pvscsi_rings_state_t, prs_cmp_prod));
	volatile uint32_t *cons = dt_dev32(dt.state_pa +
	    offsetof(pvscsi_rings_state_t, prs_cmp_cons));

	for (int waited = 0; waited < 20000 && prod != NULL; waited++) {
		uint32_t p = *prod;

		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		for (uint32_t i = *cons; i != p; i++) {
			pvscsi_cmp_t *c = dt_cmp(i);

			if (c != NULL && c->pc_context == ctx) {
				c->pc_context = never;
				__atomic_fetch_add(&dt.lost, 1,
				    __ATOMIC_SEQ_CST);
				return;
			}
		}
		dt_pause_ms(1);
	}
}

/* A ring's pages from a setup command's data. */
static uint_t
dt_ring_setup(uint64_t *pa, uint_t max, uint_t dw_pages, uint_t dw_ppns)
{
	uint_t n = MIN(dt.data[dw_pages], max);

	for (uint_t i = 0; i < n; i++)
		pa[i] = dt_dw64(dt.data, dw_ppns + 2 * i) << PVSCSI_PAGE_SHIFT;
	return (n);
}

static void
dt_setup_done(uint32_t cmd)
{
	if (cmd == PVSCSI_CMD_SETUP_RINGS) {
		dt.state_pa = dt_dw64(dt.data, DW_STATE_PPN) <<
		    PVSCSI_PAGE_SHIFT;
		dt.req_pages = dt_ring_setup(dt.req_pa, PVSCSI_MAX_RING_PAGES,
		    DW_REQ_PAGES, DW_REQ_PPNS);
		dt.cmp_pages = dt_ring_setup(dt.cmp_pa, PVSCSI_MAX_RING_PAGES,
		    DW_CMP_PAGES, DW_CMP_PPNS);
		dt.req_seen = 0;
		__atomic_add_fetch(&dt.setups, 1, __ATOMIC_SEQ_CST);
	} else if (cmd == PVSCSI_CMD_SETUP_MSG_RING) {
		dt.msg_pages = dt_ring_setup(dt.msg_pa,
		    PVSCSI_MAX_MSG_RING_PAGES, DW_MSG_PAGES, DW_MSG_PPNS);
	}
}

static void
dt_tap(void *arg, uint_t rnumber, uint64_t off, uint64_t val, uint_t size)
{
	dt_cmd_t *c;
	uint64_t lose = UINT64_MAX;
	int stall = 0;

	(void) pthread_mutex_lock(&dt.lock);
	dt.stores++;
	c = dt.nlog > 0 ? &dt.log[(dt.nlog - 1) % DT_LOG_MAX] : NULL;
	switch (off) {
	case PVSCSI_REG_COMMAND:
		dt.cur = (uint32_t)val;
		dt.ndata = 0;
		c = &dt.log[dt.nlog++ % DT_LOG_MAX];
		bzero(c, sizeof (*c));
		c->dc_cmd = (uint32_t)val;
		c->dc_seq = dt.stores;
		c->dc_time = gethrtime();
		dt.total[val & 15]++;
		break;
	case PVSCSI_REG_COMMAND_DATA:
		if (dt.ndata < ARRAY_SIZE(dt.data))
			dt.data[dt.ndata] = (uint32_t)val;
		dt.ndata++;
		if (c != NULL && c->dc_ndata < DT_DATA_MAX)
			c->dc_data[c->dc_ndata] = (uint32_t)val;
		if (c != NULL)
			c->dc_ndata++;
		if (dt.cur < ARRAY_SIZE(dt_ndw) && dt.ndata == dt_ndw[dt.cur]) {
			dt_setup_done(dt.cur);
			if (dt.cur == PVSCSI_CMD_ABORT_CMD && dt.lose)
				lose = dt_dw64(dt.data, 0);
		}
		break;
	case PVSCSI_REG_INTR_MASK:
		dt.masks++;
		dt.mask = (uint32_t)val;
		break;
	case PVSCSI_REG_INTR_STATUS:
		stall = dt.stall;
		break;
	case PVSCSI_REG_KICK_NON_RW_IO:
		dt.kicks[0]++;
		dt_scan_requests();
		break;
	case PVSCSI_REG_KICK_RW_IO:
		dt.kicks[1]++;
		dt_scan_requests();
		break;
	default:
		break;
	}
	if (stall) {
		dt.stalled = 1;
		(void) pthread_cond_broadcast(&dt.cv);
		while (dt.stall)
			(void) pthread_cond_wait(&dt.cv, &dt.lock);
		dt.stalled = 0;
	}
	(void) pthread_mutex_unlock(&dt.lock);
	if (lose != UINT64_MAX)
		dt_lose(lose);
}

void
dt_start(void)
{
	(void) pthread_mutex_lock(&dt.lock);
	dt.nlog = 0;
	dt.stores = dt.masks = 0;
	bzero(dt.total, sizeof (dt.total));
	bzero(dt.ctx_used, sizeof (dt.ctx_used));
	dt.nctx = 0;
	dt.ctx_full = 0;
	dt.ctx_bits = 0;
	(void) pthread_mutex_unlock(&dt.lock);
	fk_reg_tap(dt_tap, NULL);
}

void
dt_stop(void)
{
	fk_reg_tap(NULL, NULL);
}

uint_t
dt_ncmds(void)
{
	uint_t n;

	(void) pthread_mutex_lock(&dt.lock);
	n = dt.nlog;
	(void) pthread_mutex_unlock(&dt.lock);
	return (n);
}

int
dt_cmd(uint_t i, dt_cmd_t *c)
{
	int rv = 0;

	(void) pthread_mutex_lock(&dt.lock);
	if (i >= dt.nlog || dt.nlog - i > DT_LOG_MAX)
		rv = ENOENT;
	else
		*c = dt.log[i % DT_LOG_MAX];
	(void) pthread_mutex_unlock(&dt.lock);
	return (rv);
}

uint_t
dt_count(uint32_t cmd, uint_t from)
{
	uint_t n = 0;

	(void) pthread_mutex_lock(&dt.lock);
	if (dt.nlog > DT_LOG_MAX && from < dt.nlog - DT_LOG_MAX)
		from = dt.nlog - DT_LOG_MAX;
	for (uint_t i = from; i < dt.nlog; i++)
		n += dt.log[i % DT_LOG_MAX].dc_cmd == cmd;
	(void) pthread_mutex_unlock(&dt.lock);
	return (n);
}

uint64_t
dt_total(uint32_t cmd)
{
	uint64_t n;

	(void) pthread_mutex_lock(&dt.lock);
	n = cmd < ARRAY_SIZE(dt.total) ? dt.total[cmd] : 0;
	(void) pthread_mutex_unlock(&dt.lock);
	return (n);
}

uint64_t
dt_stores(void)
{
	return (__atomic_load_n(&dt.stores, __ATOMIC_SEQ_CST));
}

uint64_t
dt_mask_writes(uint32_t *last)
{
	uint64_t n;

	(void) pthread_mutex_lock(&dt.lock);
	n = dt.masks;
	if (last != NULL)
		*last = dt.mask;
	(void) pthread_mutex_unlock(&dt.lock);
	return (n);
}

uint64_t
dt_kicks(int rw)
{
	uint64_t n;

	(void) pthread_mutex_lock(&dt.lock);
	n = dt.kicks[rw != 0];
	(void) pthread_mutex_unlock(&dt.lock);
	return (n);
}

void
dt_data_span(uint64_t *lo, uint64_t *hi, uint_t *most)
{
	(void) pthread_mutex_lock(&dt.lock);
	*lo = dt.data_lo;
	*hi = dt.data_hi;
	*most = dt.data_sges;
	(void) pthread_mutex_unlock(&dt.lock);
}

void
dt_lose_aborted(int on)
{
	(void) pthread_mutex_lock(&dt.lock);
	dt.lose = on;
	(void) pthread_mutex_unlock(&dt.lock);
}

uint_t
dt_lost(void)
{
	return (__atomic_load_n(&dt.lost, __ATOMIC_SEQ_CST));
}

void
dt_stall(int on)
{
	(void) pthread_mutex_lock(&dt.lock);
	dt.stall = on;
	(void) pthread_cond_broadcast(&dt.cv);
	(void) pthread_mutex_unlock(&dt.lock);
}

int
dt_stalled(int ms)
{
	struct timespec end;
	int rv;

	(void) clock_gettime(CLOCK_REALTIME, &end);
	end.tv_sec += ms / 1000;
	end.tv_nsec += (ms % 1000) * 1000000L;
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	(void) pthread_mutex_lock(&dt.lock);
	while (!dt.stalled && pthread_cond_timedwait(&dt.cv, &dt.lock,
	    &end) == 0)
		;
	rv = dt.stalled;
	(void) pthread_mutex_unlock(&dt.lock);
	return (rv);
}

/* Two 32-bit fields of the device's view of the rings state page. */
static int
dt_state_pair(size_t off1, size_t off2, uint32_t *v1, uint32_t *v2)
{
	volatile uint32_t *p, *c;

	if (dt.state_pa == 0)
		return (ENXIO);
	p = dt_dev32(dt.state_pa + off1);
	c = dt_dev32(dt.state_pa + off2);
	if (p == NULL || c == NULL)
		return (ENXIO);
	*v1 = *p;
	*v2 = *c;
	return (0);
}

int
dt_msg_indices(uint32_t *prod, uint32_t *cons)
{
	if (dt.msg_pages == 0)
		return (ENXIO);
	return (dt_state_pair(offsetof(pvscsi_rings_state_t, prs_msg_prod),
	    offsetof(pvscsi_rings_state_t, prs_msg_cons), prod, cons));
}

int
dt_ring_indices(uint32_t *req, uint32_t *cmp)
{
	return (dt_state_pair(offsetof(pvscsi_rings_state_t, prs_req_prod),
	    offsetof(pvscsi_rings_state_t, prs_cmp_prod), req, cmp));
}

int
dt_msg_inject(uint32_t type, uint32_t target, uint8_t lun)
{
	uint32_t prod, cons, n = dt.msg_pages * PVSCSI_MSGS_PER_PAGE;
	pvscsi_msg_dev_t *m;
	int rv;

	if ((rv = dt_msg_indices(&prod, &cons)) != 0)
		return (rv);
	if (n == 0)
		return (ENXIO);
	if (prod - cons >= n)
		return (EAGAIN);
	if ((m = dt_msg(prod)) == NULL)
		return (ENXIO);
	bzero(m, sizeof (*m));
	m->pmd_type = type;
	m->pmd_target = target;
	m->pmd_lun[1] = lun;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	*dt_dev32(dt.state_pa + offsetof(pvscsi_rings_state_t,
	    prs_msg_prod)) = prod + 1;
	return (0);
}

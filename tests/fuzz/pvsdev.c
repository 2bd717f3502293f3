/*
 * pvsdev: a PVSCSI device made of memory (see pvsdev.h).
 */
#include <sys/types.h>
#include <sys/scsi/scsi.h>
#include <string.h>
#include <pthread.h>

#include "fk.h"
#include "fakeplat.h"
#include "pvsdev.h"

pd_t pd;
static pthread_mutex_t pd_mutex = PTHREAD_MUTEX_INITIALIZER;

#define	PD_REG(off)	((volatile uint32_t *)(void *)(fakeplat_bar + (off)))

void
pd_lock(void)
{
	(void) pthread_mutex_lock(&pd_mutex);
}

void
pd_unlock(void)
{
	(void) pthread_mutex_unlock(&pd_mutex);
}

static void *
pd_page(uint64_t ppn)
{
	return (fk_dma_devmem(ppn << PVSCSI_PAGE_SHIFT, PVSCSI_PAGE_SIZE));
}

volatile pvscsi_rings_state_t *
pd_state(void)
{
	return (pd_page(pd.pd_setup.psr_state_ppn));
}

uint32_t
pd_cmp_entries(void)
{
	return (pd.pd_setup.psr_cmp_pages * PVSCSI_CMPS_PER_PAGE);
}

uint32_t
pd_msg_entries(void)
{
	return (pd.pd_msgsetup.psm_pages * PVSCSI_MSGS_PER_PAGE);
}

static void *
pd_entry(const uint64_t *ppns, uint32_t n, uint32_t per, size_t size,
    uint32_t idx)
{
	uint32_t i = idx & (n - 1);

	return ((uint8_t *)pd_page(ppns[i / per]) + (i % per) * size);
}

pvscsi_cmp_t *
pd_cmp(uint32_t idx)
{
	return (pd_entry(pd.pd_setup.psr_cmp_ppns, pd_cmp_entries(),
	    PVSCSI_CMPS_PER_PAGE, sizeof (pvscsi_cmp_t), idx));
}

pvscsi_msg_dev_t *
pd_msg(uint32_t idx)
{
	return (pd_entry(pd.pd_msgsetup.psm_ppns, pd_msg_entries(),
	    PVSCSI_MSGS_PER_PAGE, sizeof (pvscsi_msg_dev_t), idx));
}

static pvscsi_req_t *
pd_req(uint32_t idx)
{
	return (pd_entry(pd.pd_setup.psr_req_ppns,
	    pd.pd_setup.psr_req_pages * PVSCSI_REQS_PER_PAGE,
	    PVSCSI_REQS_PER_PAGE, sizeof (pvscsi_req_t), idx));
}

void
pd_set_cmp_prod(uint32_t v)
{
	pd.pd_cmp_prod = v;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (pd.pd_rings)
		pd_state()->prs_cmp_prod = v;
}

void
pd_set_msg_prod(uint32_t v)
{
	pd.pd_msg_prod = v;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (pd.pd_msgs)
		pd_state()->prs_msg_prod = v;
}

void
pd_set_intr(uint32_t v)
{
	pd.pd_intr = v;
	*PD_REG(PVSCSI_REG_INTR_STATUS) = v;
}

/* The MSI fires whenever an enabled status bit is set. */
static void
pd_eval(void)
{
	if (pd.pd_intr & *PD_REG(PVSCSI_REG_INTR_MASK)) {
		pd.pd_fires++;
		(void) fakeplat_fire(0);
	}
}

void
pd_raise(uint32_t bits)
{
	pd_set_intr(pd.pd_intr | bits);
	pd_eval();
}

/* A completion on the ring; the interrupt is the caller's to raise. */
void
pd_complete(uint64_t ctx, uint16_t host, uint16_t scsi)
{
	pvscsi_cmp_t c;

	if (!pd.pd_rings)
		return;
	bzero(&c, sizeof (c));
	c.pc_context = ctx;
	c.pc_host_status = host;
	c.pc_scsi_status = scsi;
	(void) memcpy(pd_cmp(pd.pd_cmp_prod), &c, sizeof (c));
	pd_set_cmp_prod(pd.pd_cmp_prod + 1);
}

static void
pd_end_held(uint16_t host)
{
	for (int i = 0; i < pd.pd_nheld; i++)
		pd_complete(pd.pd_held[i].ph_ctx, host, STATUS_GOOD);
	pd.pd_nheld = 0;
}

void
pd_release_held(void)
{
	int n = pd.pd_nheld;

	pd_end_held(PVSCSI_BTSTAT_SUCCESS);
	if (n != 0)
		pd_raise(PVSCSI_INTR_CMPL_0);
}

/*
 * Data to a request's buffer: one segment, or its SG list (in one page).
 */
static uint64_t
pd_data_in(const pvscsi_req_t *req, const void *src, uint64_t len)
{
	uint64_t done = 0, n;
	pvscsi_sge_t *sg;
	uint8_t *dst;

	len = MIN(len, req->pr_data_len);
	if (len == 0)
		return (0);
	if (!(req->pr_flags & PVSCSI_FLAG_CMD_WITH_SG_LIST)) {
		if ((dst = fk_dma_devmem(req->pr_data_addr, len)) == NULL)
			return (0);
		(void) memcpy(dst, src, len);
		return (len);
	}
	sg = fk_dma_devmem(req->pr_data_addr, PVSCSI_MAX_SGES_PER_PAGE *
	    sizeof (*sg));
	for (int i = 0; sg != NULL && done < len &&
	    i < PVSCSI_MAX_SGES_PER_PAGE; i++) {
		n = MIN(sg[i].psg_length, len - done);
		if (n != 0 && (dst = fk_dma_devmem(sg[i].psg_addr, n)) != NULL)
			(void) memcpy(dst, (const uint8_t *)src + done, n);
		done += n;
	}
	return (done);
}

static void
pd_check(const pvscsi_req_t *req, uint8_t asc)
{
	uint8_t sense[18];
	uint8_t *dst;
	pvscsi_cmp_t c;
	uint32_t n = MIN(sizeof (sense), req->pr_sense_len);

	bzero(sense, sizeof (sense));
	sense[0] = 0x70;
	sense[2] = KEY_ILLEGAL_REQUEST;
	sense[7] = 10;
	sense[12] = asc;
	if (n != 0 && (dst = fk_dma_devmem(req->pr_sense_addr, n)) != NULL)
		(void) memcpy(dst, sense, n);
	bzero(&c, sizeof (c));
	c.pc_context = req->pr_context;
	c.pc_sense_len = n;
	c.pc_host_status = PVSCSI_BTSTAT_SUCCESS;
	c.pc_scsi_status = STATUS_CHECK;
	(void) memcpy(pd_cmp(pd.pd_cmp_prod), &c, sizeof (c));
	pd_set_cmp_prod(pd.pd_cmp_prod + 1);
}

static void
pd_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* The disk at target 0. */
static void
pd_disk(const pvscsi_req_t *req)
{
	const uint8_t *cdb = req->pr_cdb;
	uint8_t d[36];
	size_t len = 0;

	bzero(d, sizeof (d));
	switch (cdb[0]) {
	case SCMD_TEST_UNIT_READY:
		break;
	case SCMD_INQUIRY:
		if (cdb[1] & 1) {
			pd_check(req, 0x24);
			return;
		}
		d[0] = req->pr_lun[1] == 0 ? DTYPE_DIRECT : 0x7f;
		d[2] = 5;
		d[3] = 2;
		d[4] = sizeof (d) - 5;
		d[7] = 0x02;		/* CmdQue */
		(void) memcpy(d + 8, "FUZZ    PVSCSI MODEL    1.0 ", 28);
		len = sizeof (d);
		break;
	case SCMD_REPORT_LUNS:
		d[3] = 8;
		len = 16;
		break;
	case SCMD_READ_CAPACITY:
		pd_be32(d, PD_BLOCKS - 1);
		pd_be32(d + 4, 512);
		len = 8;
		break;
	case SCMD_SVC_ACTION_IN_G4:
		pd_be32(d + 4, PD_BLOCKS - 1);
		pd_be32(d + 8, 512);
		len = 32;
		break;
	default:
		pd_check(req, 0x20);
		return;
	}
	if (req->pr_lun[1] != 0 && cdb[0] != SCMD_INQUIRY) {
		pd_check(req, 0x25);
		return;
	}
	(void) pd_data_in(req, d, len);
	pd_complete(req->pr_context, PVSCSI_BTSTAT_SUCCESS, STATUS_GOOD);
}

static void
pd_request(const pvscsi_req_t *req)
{
	uint8_t op = req->pr_cdb[0];
	int other = 0;

	pd.pd_trace[pd.pd_requests++ % 64] = req->pr_context |
	    ((uint64_t)op << 56);
	for (int i = 0; i < 8; i++)
		other |= (i == 1) ? 0 : req->pr_lun[i];
	if (req->pr_target != 0 || other != 0 || req->pr_bus != 0) {
		pd_complete(req->pr_context, PVSCSI_BTSTAT_SELTIMEO, 0);
		return;
	}
	if ((op == SCMD_READ_G1 || op == SCMD_WRITE_G1 || op == PD_OP_HOLD) &&
	    pd.pd_nheld < PD_MAXHELD) {
		pd_held_t *h = &pd.pd_held[pd.pd_nheld++];

		h->ph_ctx = req->pr_context;
		h->ph_sense = req->pr_sense_addr;
		h->ph_sense_len = req->pr_sense_len;
		h->ph_op = op;
		return;
	}
	pd_disk(req);
}

/* A kick: every request published, with QEMU's guard of 1024. */
static void
pd_kick(void)
{
	volatile pvscsi_rings_state_t *st;
	uint32_t prod, done = 0;
	pvscsi_req_t req;

	if (!pd.pd_rings)
		return;
	if (pd.pd_frozen) {
		pd.pd_kicked = 1;
		return;
	}
	st = pd_state();
	prod = st->prs_req_prod;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	while (prod != pd.pd_req_cons && prod - pd.pd_req_cons < 1024) {
		(void) memcpy(&req, pd_req(pd.pd_req_cons), sizeof (req));
		pd.pd_req_cons++;
		pd_request(&req);
		done++;
	}
	st->prs_req_cons = pd.pd_req_cons;
	if (done != 0)
		pd_raise(PVSCSI_INTR_CMPL_0);
}

void
pd_freeze(void)
{
	pd.pd_frozen = 1;
}

void
pd_thaw(void)
{
	pd.pd_frozen = 0;
	if (pd.pd_kicked) {
		pd.pd_kicked = 0;
		pd_kick();
	}
}

static int
pd_ppns_ok(const uint64_t *ppns, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (pd_page(ppns[i]) == NULL)
			return (0);
	}
	return (1);
}

static uint32_t
pd_setup_rings(void)
{
	pvscsi_setup_rings_t setup, *s = &setup;
	volatile pvscsi_rings_state_t *st;

	(void) memcpy(s, pd.pd_dw, sizeof (*s));

	if (s->psr_req_pages == 0 || s->psr_req_pages > 32 ||
	    s->psr_cmp_pages == 0 || s->psr_cmp_pages > 32 ||
	    !ISP2(s->psr_req_pages) || !ISP2(s->psr_cmp_pages) ||
	    pd_page(s->psr_state_ppn) == NULL ||
	    !pd_ppns_ok(s->psr_req_ppns, s->psr_req_pages) ||
	    !pd_ppns_ok(s->psr_cmp_ppns, s->psr_cmp_pages))
		return (PVSCSI_STATUS_FAILED);
	pd.pd_setup = *s;
	pd.pd_rings = 1;
	pd.pd_msgs = 0;
	pd.pd_req_cons = pd.pd_cmp_prod = 0;
	st = pd_state();
	st->prs_req_prod = st->prs_req_cons = 0;
	st->prs_cmp_prod = st->prs_cmp_cons = 0;
	st->prs_req_log2 = (uint32_t)__builtin_ctz(s->psr_req_pages *
	    PVSCSI_REQS_PER_PAGE);
	st->prs_cmp_log2 = (uint32_t)__builtin_ctz(s->psr_cmp_pages *
	    PVSCSI_CMPS_PER_PAGE);
	return (PVSCSI_STATUS_OK);
}

static uint32_t
pd_setup_msgs(void)
{
	pvscsi_setup_msg_ring_t setup, *s = &setup;
	volatile pvscsi_rings_state_t *st;

	(void) memcpy(s, pd.pd_dw, sizeof (*s));

	if (!pd.pd_rings || s->psm_pages == 0 || s->psm_pages > 16 ||
	    !ISP2(s->psm_pages) || !pd_ppns_ok(s->psm_ppns, s->psm_pages))
		return (PVSCSI_STATUS_FAILED);
	pd.pd_msgsetup = *s;
	pd.pd_msgs = 1;
	pd.pd_msg_prod = 0;
	st = pd_state();
	st->prs_msg_prod = st->prs_msg_cons = 0;
	st->prs_msg_log2 = (uint32_t)__builtin_ctz(s->psm_pages *
	    PVSCSI_MSGS_PER_PAGE);
	return (sizeof (*s) / 4);	/* as QEMU answers */
}

static void
pd_adapter_reset(void)
{
	pd.pd_resets++;
	pd_end_held(PVSCSI_BTSTAT_BUSRESET);
	pd_raise(PVSCSI_INTR_CMPL_0);
	pd.pd_rings = pd.pd_msgs = 0;
	pd_set_intr(0);
}

static uint32_t
pd_abort(uint64_t ctx)
{
	for (int i = 0; i < pd.pd_nheld; i++) {
		if (pd.pd_held[i].ph_ctx != ctx)
			continue;
		pd_complete(ctx, PVSCSI_BTSTAT_ABORTQUEUE, STATUS_GOOD);
		pd.pd_held[i] = pd.pd_held[--pd.pd_nheld];
		pd_raise(PVSCSI_INTR_CMPL_0);
		break;
	}
	return (PVSCSI_STATUS_OK);
}

/* A command with all its data. */
static uint32_t
pd_run(uint32_t cmd)
{
	switch (cmd) {
	case PVSCSI_CMD_ADAPTER_RESET:
		pd_adapter_reset();
		return (PVSCSI_STATUS_OK);
	case PVSCSI_CMD_SETUP_RINGS:
		return (pd_setup_rings());
	case PVSCSI_CMD_SETUP_MSG_RING:
		return (pd_setup_msgs());
	case PVSCSI_CMD_ABORT_CMD:
		return (pd_abort(pd.pd_dw[0] | (uint64_t)pd.pd_dw[1] << 32));
	case PVSCSI_CMD_RESET_DEVICE:
		if (pd.pd_dw[0] != 0)
			return (PVSCSI_STATUS_FAILED);
		/* FALLTHROUGH */
	case PVSCSI_CMD_RESET_BUS:
		pd_end_held(PVSCSI_BTSTAT_BUSRESET);
		pd_raise(PVSCSI_INTR_CMPL_0);
		return (PVSCSI_STATUS_OK);
	default:
		return (PVSCSI_STATUS_FAILED);
	}
}

/* Dwords of data each command takes (0: none, runs at once). */
static uint32_t
pd_datalen(uint32_t cmd)
{
	switch (cmd) {
	case PVSCSI_CMD_SETUP_RINGS:
		return (sizeof (pvscsi_setup_rings_t) / 4);
	case PVSCSI_CMD_RESET_DEVICE:
		return (sizeof (pvscsi_cmd_reset_device_t) / 4);
	case PVSCSI_CMD_ABORT_CMD:
		return (sizeof (pvscsi_cmd_abort_t) / 4);
	case PVSCSI_CMD_CONFIG:
		return (sizeof (pvscsi_cmd_config_t) / 4);
	case PVSCSI_CMD_SETUP_MSG_RING:
		return (sizeof (pvscsi_setup_msg_ring_t) / 4);
	default:
		return (0);
	}
}

static void
pd_command(uint32_t cmd)
{
	uint32_t status;

	pd.pd_cmd = cmd;
	pd.pd_ndw = 0;
	pd.pd_need = pd_datalen(cmd);
	if (pd.pd_need != 0)
		status = PVSCSI_STATUS_NEED_DATA;
	else if (cmd == PVSCSI_CMD_ADAPTER_RESET ||
	    cmd == PVSCSI_CMD_RESET_BUS)
		status = pd_run(cmd);
	else
		status = PVSCSI_STATUS_FAILED;
	*PD_REG(PVSCSI_REG_COMMAND_STATUS) = status;
}

static void
pd_command_data(uint32_t dw)
{
	if (pd.pd_ndw >= pd.pd_need)
		return;
	pd.pd_dw[pd.pd_ndw++] = dw;
	if (pd.pd_ndw == pd.pd_need)
		*PD_REG(PVSCSI_REG_COMMAND_STATUS) = pd_run(pd.pd_cmd);
}

static void
pd_tap(void *arg, uint_t rn, uint64_t off, uint64_t val, uint_t size)
{
	if (rn != 1 || size != 4)
		return;
	pd_lock();
	switch (off) {
	case PVSCSI_REG_COMMAND:
		pd_command((uint32_t)val);
		break;
	case PVSCSI_REG_COMMAND_DATA:
		pd_command_data((uint32_t)val);
		break;
	case PVSCSI_REG_INTR_STATUS:
		pd_set_intr(pd.pd_intr & ~(uint32_t)val);
		pd_eval();
		break;
	case PVSCSI_REG_INTR_MASK:
		pd_eval();
		break;
	case PVSCSI_REG_KICK_RW_IO:
	case PVSCSI_REG_KICK_NON_RW_IO:
		pd_kick();
		break;
	default:
		break;
	}
	pd_unlock();
	(void) arg;
}

void
pd_install(void)
{
	bzero(&pd, sizeof (pd));
	fk_reg_tap(pd_tap, NULL);
}

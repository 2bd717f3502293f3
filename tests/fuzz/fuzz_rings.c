/*
 * A coverage-guided fuzzer (libFuzzer) of the pvscsi driver's completion
 * and message processing, on the host: the driver attached to pvsdev (a
 * PVSCSI device made of memory, pvsdev.h) on the unit tests' platform, in
 * strict DMA mode.
 *
 * Each input is what a device could do between two interrupts: start a
 * few requests through the target API (the device holds them), write
 * completion and message entries of the input's choosing into the rings,
 * set the producer indices (consistent, a little off, or anything), and
 * raise the interrupt, whose handler runs in this thread (fk_intr_call).
 * Then the device completes whatever it still holds, and the input ends
 * with the checks: every packet started was completed exactly once (the
 * framework panics on a second completion), and the driver comes to rest
 * holding no slot and no queued command.  AddressSanitizer and
 * UndefinedBehaviorSanitizer watch every access.
 *
 * Input (little-endian; bytes past the end read as 0), in this order:
 *   u8	flags: bits 0-2 requests to start (at most MAX_HELD), bit 3 an
 *	INTR_STATUS value follows (else CMPL_0 | MSG_0; all-ones becomes
 *	ALL, below)
 *   u8	per request: its kind (mod 3: READ 4 KiB, WRITE 4 KiB, no data)
 *   u8	completion entries, u8 messages (mod 48)
 *   u8	completion producer mode, u8 message producer mode: & 3: 0 after
 *	the entries, 1 that + s8, 2 u32 as is, 3 behind the consumer by
 *	u8 + 1 (the operand follows the entries)
 *   [u32 INTR_STATUS]
 *   the completions, each u8 how, u8 which held request, then the fields
 *	how asks for:
 *	how & 7: the context: 0 and 6 a held request's (two entries for one
 *	complete it twice), 1 the same with another generation, 2 u64 as
 *	is, 3 zero, 4 a held one's with u16 of high bits, 5 a slot (u16)
 *	under the latest generation, 7 u32 as is
 *	bit 3 u64 dataLen, bit 4 u32 senseLen, bit 5 u16 hostStatus, bit 6
 *	u16 scsiStatus (else 0: SUCCESS and GOOD), bit 7 8 sense bytes
 *	written into the sense buffer of the held request whose context
 *	the entry carries
 *   the completion producer's operand
 *   the messages, each u8 how and the fields it asks for (msg_read)
 *   the message producer's operand
 *
 * While the test writes the rings, the device serves no kick (pd_freeze):
 * see pvsdev.h.
 *
 * The device's register reads all-ones (a device gone) is not fuzzed: it
 * is permanent for the driver instance; the lab's hostile-gone covers it.
 */
#include <sys/types.h>
#include <sys/sunddi.h>
#include <sys/time.h>
#include <sys/scsi/scsi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fk.h"
#include "fk_scsi.h"
#include "fakeplat.h"
#include "pvsdev.h"
#include "pvscsi_var.h"

#define	MAX_HELD	6
#define	XFER		4096

extern int pvscsi__init(void);
extern int pvscsi__fini(void);
extern int pvscsi__info(struct modinfo *);
extern uint_t pvscsi_max_targets;

int LLVMFuzzerInitialize(int *, char ***);
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static dev_info_t *hba;
static pvscsi_softc_t *pvs;
static fk_lun_t *lun;
static int verbose;		/* FUZZ_VERBOSE=1: a line per input */

/*
 * Reading the input.
 */
typedef struct rd {
	const uint8_t	*r_p;
	size_t		r_n;
} rd_t;

static uint64_t
rd(rd_t *r, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes; i++) {
		if (r->r_n > 0) {
			v |= (uint64_t)*r->r_p << (8 * i);
			r->r_p++;
			r->r_n--;
		}
	}
	return (v);
}

static void
die(const char *what)
{
	(void) fprintf(stderr, "fuzz_rings: %s\n", what);
	if (pvs != NULL) {
		(void) fprintf(stderr, "fuzz_rings: driver: discovering %d "
		    "rescan %d lunscan %d, %u of %u slots free, wait queue "
		    "%s, gone %d, req_prod %u cmp_cons %u msg_cons %u\n",
		    pvs->pvs_discovering, pvs->pvs_rescan, pvs->pvs_lunscan,
		    pvs->pvs_nfree, pvs->pvs_nslots,
		    list_is_empty(&pvs->pvs_waitq) ? "empty" : "not empty",
		    pvs->pvs_gone, pvs->pvs_req_prod, pvs->pvs_cmp_cons,
		    pvs->pvs_msg_cons);
		for (uint_t i = 0; i < pvs->pvs_nslots; i++) {
			pvscsi_cmd_t *c = pvs->pvs_slots[i];

			if (c != NULL) {
				(void) fprintf(stderr, "fuzz_rings: slot %u: "
				    "ctx 0x%x flags 0x%x target %u pkt %p "
				    "op 0x%x\n", i, c->pvc_ctx, c->pvc_flags,
				    c->pvc_target, (void *)c->pvc_pkt,
				    c->pvc_pkt != NULL ?
				    c->pvc_pkt->pkt_cdbp[0] : 0);
			}
		}
		(void) fprintf(stderr, "fuzz_rings: device: rings %d msgs %d, "
		    "req_cons %u cmp_prod %u msg_prod %u, %d held, intr 0x%x\n",
		    pd.pd_rings, pd.pd_msgs, pd.pd_req_cons, pd.pd_cmp_prod,
		    pd.pd_msg_prod, pd.pd_nheld, pd.pd_intr);
		for (int i = 0; i < 64; i++) {
			(void) fprintf(stderr, "fuzz_rings: request %llu: "
			    "0x%llx\n", (unsigned long long)(pd.pd_requests -
			    64 + i), (unsigned long long)pd.pd_trace[
			    (pd.pd_requests + i) % 64]);
		}
	}
	abort();
}

/*
 * Between inputs the driver must come to rest: no discovery task, no
 * command in a slot or waiting.  Rescans after resets and messages run
 * their polled probes against the device meanwhile.
 */
static void
quiesce(void)
{
	int busy = 1;

	for (int i = 0; i < 4000 && busy; i++) {
		mutex_enter(&pvs->pvs_lock);
		busy = pvs->pvs_discovering ||
		    pvs->pvs_nfree != pvs->pvs_nslots ||
		    !list_is_empty(&pvs->pvs_waitq);
		mutex_exit(&pvs->pvs_lock);
		if (busy)
			(void) usleep(500);
	}
	if (busy)
		die("the driver did not come to rest in 2 s");
}

/* A request the device holds. */
typedef struct held {
	fk_scsi_cmd_t	h_cmd;
	void		*h_buf;
	int		h_done;
} held_t;

static void
held_done(fk_scsi_cmd_t *cmd, void *arg)
{
	held_t *h = arg;

	(void) cmd;
	if (__atomic_add_fetch(&h->h_done, 1, __ATOMIC_SEQ_CST) != 1)
		die("a packet completed twice");
}

static int
held_start(held_t *h, uint8_t kind)
{
	bzero(h, sizeof (*h));
	switch (kind % 3) {
	case 0:
	case 1:
		h->h_buf = fk_scsi_buf_alloc(XFER);
		fk_scsi_cdb_rw(&h->h_cmd, kind % 3 == 0 ? FK_SCSI_DIR_READ :
		    FK_SCSI_DIR_WRITE, 8, XFER / 512, 512);
		h->h_cmd.sc_buf = h->h_buf;
		break;
	default:
		h->h_cmd.sc_cdb[0] = PD_OP_HOLD;
		h->h_cmd.sc_cdblen = CDB_GROUP0;
		break;
	}
	h->h_cmd.sc_done = held_done;
	h->h_cmd.sc_arg = h;
	return (fk_scsi_submit(lun, &h->h_cmd));
}

/*
 * A completion entry as the input describes it.
 */
static void
cmp_read(rd_t *r, pvscsi_cmp_t *c, const uint64_t *ctx, int n)
{
	uint8_t how = (uint8_t)rd(r, 1);
	uint64_t any = n > 0 ? ctx[rd(r, 1) % (uint64_t)n] : 0;
	pd_held_t *h = NULL;

	bzero(c, sizeof (*c));
	switch (how & 7) {
	case 0:
	case 6:
		c->pc_context = any;
		break;
	case 1:
		c->pc_context = any ^ (1ULL << PVSCSI_CTX_GEN_SHIFT);
		break;
	case 2:
		c->pc_context = rd(r, 8);
		break;
	case 3:
		break;
	case 4:
		c->pc_context = any | (rd(r, 2) << 32);
		break;
	case 5:
		c->pc_context = ((uint64_t)pvs->pvs_gen <<
		    PVSCSI_CTX_GEN_SHIFT) | rd(r, 2);
		break;
	default:
		c->pc_context = rd(r, 4);
		break;
	}
	if (how & 0x08)
		c->pc_data_len = rd(r, 8);
	if (how & 0x10)
		c->pc_sense_len = (uint32_t)rd(r, 4);
	if (how & 0x20)
		c->pc_host_status = (uint16_t)rd(r, 2);
	if (how & 0x40)
		c->pc_scsi_status = (uint16_t)rd(r, 2);
	for (int i = 0; i < pd.pd_nheld; i++) {
		if (pd.pd_held[i].ph_ctx == c->pc_context)
			h = &pd.pd_held[i];
	}
	if (how & 0x80) {
		uint64_t s = rd(r, 8);
		uint8_t *dst = h != NULL ? fk_dma_devmem(h->ph_sense, 8) :
		    NULL;

		if (dst != NULL)
			(void) memcpy(dst, &s, 8);
	}
}

/*
 * A message: how bit 0: type u32 (else bit 1 picks ADDED or REMOVED);
 * bit 2: bus u32 (else 0); bit 3: target u32 (else u8); bit 4: the LUN's
 * 8 bytes (else lun[1] from a u8).
 */
static void
msg_read(rd_t *r, pvscsi_msg_dev_t *m)
{
	uint8_t how = (uint8_t)rd(r, 1);
	uint64_t lun;

	bzero(m, sizeof (*m));
	m->pmd_type = (how & 1) ? (uint32_t)rd(r, 4) : (how >> 1) & 1;
	m->pmd_bus = (how & 4) ? (uint32_t)rd(r, 4) : 0;
	m->pmd_target = (uint32_t)rd(r, (how & 8) ? 4 : 1);
	if (how & 0x10) {
		lun = rd(r, 8);
		(void) memcpy(m->pmd_lun, &lun, 8);
	} else {
		m->pmd_lun[1] = (uint8_t)rd(r, 1);
	}
}

static uint32_t
prod_read(rd_t *r, uint8_t mode, uint32_t cons, uint32_t n)
{
	switch (mode & 3) {
	case 0:
		return (cons + n);
	case 1:
		return (cons + n + (uint32_t)(int32_t)(int8_t)rd(r, 1));
	case 2:
		return ((uint32_t)rd(r, 4));
	default:
		return (cons - 1 - (uint32_t)rd(r, 1));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rd_t r = { data, size };
	held_t held[MAX_HELD];
	uint64_t ctx[MAX_HELD];
	uint8_t flags, ncmp, nmsg, cmode, mmode;
	uint32_t intr, cons, mcons;
	int nheld, started = 0, nctx;
	fk_scsi_stats_t st;

	quiesce();
	flags = (uint8_t)rd(&r, 1);
	nheld = MIN(flags & 7, MAX_HELD);
	for (int i = 0; i < nheld; i++) {
		if (held_start(&held[started], (uint8_t)rd(&r, 1)) == 0)
			started++;
	}
	ncmp = (uint8_t)rd(&r, 1);
	nmsg = (uint8_t)(rd(&r, 1) % 48);
	cmode = (uint8_t)rd(&r, 1);
	mmode = (uint8_t)rd(&r, 1);
	intr = (flags & 8) ? (uint32_t)rd(&r, 4) :
	    PVSCSI_INTR_CMPL_0 | PVSCSI_INTR_MSG_0;
	if (intr == UINT32_MAX)
		intr = PVSCSI_INTR_ALL;

	/*
	 * The device writes the rings, once the driver has taken every
	 * completion the device made before (the framework's commands may
	 * still be running): an input moving the producer index back must
	 * not take back a completion the driver has not seen, which the
	 * driver could only find missing by its timeout.  And once the
	 * device holds the requests just started: a thread of the driver's
	 * that is delivering completions kicks for them when it is done.
	 */
	for (int t = 0; ; t++) {
		pd_lock();
		if (!pd.pd_rings || (pd_state()->prs_cmp_cons ==
		    pd.pd_cmp_prod && pd.pd_nheld >= started))
			break;
		pd_unlock();
		if (t == 2000)
			die("the driver does not take the device's completions "
			    "or does not kick for its requests");
		(void) fk_intr_call(hba, 0);
		(void) usleep(100);
	}
	pd_freeze();
	nctx = pd.pd_nheld;
	for (int i = 0; i < nctx; i++)
		ctx[i] = pd.pd_held[i].ph_ctx;
	if (pd.pd_rings) {
		cons = pd.pd_cmp_prod;
		for (int i = 0; i < ncmp && (uint32_t)i < pd_cmp_entries();
		    i++) {
			pvscsi_cmp_t c;

			cmp_read(&r, &c, ctx, nctx);
			(void) memcpy(pd_cmp(cons + (uint32_t)i), &c,
			    sizeof (c));
		}
		pd_set_cmp_prod(prod_read(&r, cmode, cons, ncmp));
	}
	if (pd.pd_msgs) {
		mcons = pd.pd_msg_prod;
		for (int i = 0; i < nmsg && (uint32_t)i < pd_msg_entries();
		    i++) {
			pvscsi_msg_dev_t m;

			msg_read(&r, &m);
			(void) memcpy(pd_msg(mcons + (uint32_t)i), &m,
			    sizeof (m));
		}
		pd_set_msg_prod(prod_read(&r, mmode, mcons, nmsg));
	}
	pd_set_intr(intr);
	pd_unlock();
	if (fk_intr_call(hba, 0) != 0)
		die("no interrupt to deliver");

	/* The device completes what it still holds, and serves kicks. */
	pd_lock();
	pd_release_held();
	pd_thaw();
	pd_unlock();
	(void) fk_intr_call(hba, 0);
	for (int t = 0; t < 2000; t++) {
		int done = 1;

		for (int i = 0; i < started; i++)
			done &= __atomic_load_n(&held[i].h_done,
			    __ATOMIC_SEQ_CST) != 0;
		if (done)
			break;
		if (t == 1999)
			die("a packet the device completed never completed");
		(void) usleep(1000);
	}
	for (int i = 0; i < started; i++) {
		if (held[i].h_buf != NULL)
			fk_scsi_buf_free(held[i].h_buf, XFER);
	}
	quiesce();

	/* The framework's own commands (rescans) complete too. */
	for (int t = 0; ; t++) {
		fk_scsi_stats(&st);
		if (st.st_started == st.st_completed &&
		    st.st_outstanding == 0)
			break;
		if (t == 2000)
			die("packets started and completed differ");
		(void) usleep(1000);
	}
	if (verbose) {
		(void) fprintf(stderr, "fuzz_rings: %d held, %u entries, %u "
		    "messages; device: %llu requests, %llu resets; %u log "
		    "lines\n", started, ncmp, nmsg,
		    (unsigned long long)pd.pd_requests,
		    (unsigned long long)pd.pd_resets, fk_log_count());
	}
	return (0);
}

static fk_lun_t *
find_lun(void)
{
	dev_info_t *ip[4];
	int n = fk_scsi_iports(hba, ip, 4);

	for (int i = 0; i < n && i < 4; i++) {
		fk_lun_t *l = fk_scsi_lun_find(ip[i], "0,0");

		if (l != NULL)
			return (l);
	}
	return (NULL);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fk_options_t o = { .fo_platform = "none", .fo_strict_dma = 1,
	    .fo_intr = "msi", .fo_quiet = 1 };
	scsi_hba_tran_t *tran;

	(void) argc;
	(void) argv;
	verbose = getenv("FUZZ_VERBOSE") != NULL;
	if (fk_init(&o) != 0)
		die("fk_init failed");
	fakeplat_install();
	pd_install();
	(void) fk_scsi_comp_mode(FK_SCSI_COMP_DIRECT);
	/*
	 * pvsdev has target 0 only: a bus scan (which any message about
	 * LUN 0 of a target below 256 asks for) probes 16 targets, not all
	 * 256, so that the inputs' time goes to the rings.
	 */
	pvscsi_max_targets = 16;
	if (fk_mod_load("pvscsi", pvscsi__init, pvscsi__fini,
	    pvscsi__info) != 0)
		die("the driver did not load");
	if (fk_pci_attach_all("pvscsi") != 1 || (hba = fk_pci_hba(0)) == NULL)
		die("the driver did not attach");
	(void) fk_scsa_config_all();
	(void) fk_scsi_settle(hba, SEC2NSEC(30));
	if ((lun = find_lun()) == NULL)
		die("no LUN 0,0");
	(void) fk_scsi_set_depth(lun, 16);
	tran = ddi_get_driver_private(hba);
	pvs = tran->tran_hba_private;
	return (0);
}

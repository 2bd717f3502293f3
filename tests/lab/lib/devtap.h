/*
 * Lab programs: what the driver tells the device, and faults a real
 * device might commit that QEMU's never does.  Built on the fakekernel's
 * register tap (fk_reg_tap) and the device's view of DMA memory
 * (fk_dma_devmem); one HBA per program (with several, the rings are those
 * of the last one set up).
 *
 *   - a log of the PVSCSI commands written to the COMMAND register, with
 *     their data, and counts of INTR_MASK writes; from SETUP_RINGS and
 *     SETUP_MSG_RING, where the rings are: the device's view of the rings
 *     state page and of every ring entry, as QEMU reads and writes them;
 *   - the contexts the driver gave its requests, as the device saw them
 *     on the request ring at each kick: a test that needs a context
 *     value (one issued, one never issued) takes it from there, never
 *     from the driver's private layout;
 *   - lost completions: while armed, the completion of a command the
 *     driver aborts (ABORT_CMD) is lost, as if the device had dropped
 *     it: the tap waits, in the aborting thread, for that completion to
 *     reach the completion ring and rewrites its context to one never
 *     issued (dt_ctx_unseen), so the command stays outstanding for the
 *     driver;
 *   - a stalled interrupt handler: while armed, the handler's write to
 *     INTR_STATUS blocks (with the driver's lock held) until released,
 *     so that the device can fill the message ring meanwhile.  Only a
 *     FIXED interrupt's handler acknowledges INTR_STATUS (an MSI's
 *     touches no register first): run such tests with FK_INTR=fixed;
 *   - messages the device never sends (a LUN other than 0), written into
 *     the device's view of the message ring.  QEMU keeps its own
 *     producer index, so an injected message makes it overwrite the
 *     slot of its next real one: reset the adapter (scsi_reset
 *     RESET_ALL) after injecting, which sets the ring up anew.
 */
#ifndef _DEVTAP_H
#define	_DEVTAP_H

#include <sys/types.h>
#include <stdint.h>
#include "pvscsi.h"

#define	DT_LOG_MAX	4096	/* commands remembered */
#define	DT_DATA_MAX	4	/* data dwords remembered per command */

typedef struct dt_cmd {
	uint32_t	dc_cmd;			/* PVSCSI_CMD_* */
	uint32_t	dc_ndata;		/* data dwords written */
	uint32_t	dc_data[DT_DATA_MAX];	/* the first of them */
	uint64_t	dc_seq;			/* register stores before */
	hrtime_t	dc_time;		/* when it was written */
} dt_cmd_t;

/* Install the tap (and clear the log); remove it. */
extern void dt_start(void);
extern void dt_stop(void);

/* Commands logged so far; the i-th (0 or ENOENT). */
extern uint_t dt_ncmds(void);
extern int dt_cmd(uint_t, dt_cmd_t *);
/*
 * How many times cmd was written, from log index from on (within the
 * last DT_LOG_MAX commands); dt_total(cmd): since dt_start().
 */
extern uint_t dt_count(uint32_t, uint_t);
extern uint64_t dt_total(uint32_t);
/*
 * Register stores so far; INTR_MASK writes so far (with the last value);
 * kicks so far (KICK_NON_RW_IO, or KICK_RW_IO).
 */
extern uint64_t dt_stores(void);
extern uint64_t dt_mask_writes(uint32_t *);
extern uint64_t dt_kicks(int);

/*
 * The rings, from the last SETUP_RINGS and SETUP_MSG_RING given in full
 * (dt_setups() counts the former: a reset sets the rings up again): the
 * device's view of the rings state page (NULL before), and of the entry
 * at index idx of each ring (idx taken modulo the ring's size).
 * dt_ring_pages() gives each ring's pages (0 before its setup).
 */
extern uint64_t dt_setups(void);
extern volatile pvscsi_rings_state_t *dt_state(void);
extern pvscsi_req_t *dt_req(uint32_t);
extern pvscsi_cmp_t *dt_cmp(uint32_t);
extern pvscsi_msg_dev_t *dt_msg(uint32_t);
extern void dt_ring_pages(uint_t *, uint_t *, uint_t *);

/*
 * Contexts on the request ring, as the device saw them when the driver
 * kicked (the first DT_CTX_MAX distinct ones).  dt_ctx_seen(ctx): 1 when
 * a request carried it, 0 when none did, -1 when too many were seen to
 * tell.  dt_ctx_unseen(v): the first value above v no request carried (a
 * context the driver never issued); dt_ctx_bits(): every seen context
 * ORed together.
 */
#define	DT_CTX_MAX	65536

extern int dt_ctx_seen(uint64_t);
extern uint64_t dt_ctx_unseen(uint64_t);
extern uint64_t dt_ctx_bits(void);

/*
 * The data addresses the driver gave the device: at each kick, the new
 * requests on the request ring (the device's view) are read, and the
 * lowest and highest address of their data (the buffer, or each element
 * of an SG list) kept, with the most SG elements in one request.
 * dt_data_span(&lo, &hi, &most): the requests so far (lo UINT64_MAX
 * when none carried data).
 */
extern void dt_data_span(uint64_t *, uint64_t *, uint_t *);

/* Lost completions of aborted commands: arm (1) or disarm (0). */
extern void dt_lose_aborted(int);
extern uint_t dt_lost(void);		/* completions made lost so far */

/*
 * A stalled interrupt handler.  dt_stall(1) arms; the next INTR_STATUS
 * write blocks.  dt_stalled(ms) waits up to ms for a handler to block
 * (1 when one has).  dt_stall(0) releases it and disarms.
 */
extern void dt_stall(int);
extern int dt_stalled(int);

/*
 * The device's view of the rings state page's message indices, and a
 * message written into the message ring: 0, or ENXIO before
 * SETUP_MSG_RING, EAGAIN when the ring is full.
 */
extern int dt_msg_indices(uint32_t *, uint32_t *);
/*
 * The device's view of the request and completion producer indices: the
 * requests published and not yet completed are req - cmp.  0, or ENXIO
 * before SETUP_RINGS.
 */
extern int dt_ring_indices(uint32_t *, uint32_t *);
extern int dt_msg_inject(uint32_t, uint32_t, uint8_t);

#endif /* _DEVTAP_H */

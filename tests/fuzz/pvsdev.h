/*
 * pvsdev: a PVSCSI device made of memory, on the unit tests' platform
 * (tests/unit/lib/fakeplat.h), for the fuzzer.
 *
 * The BAR is fakeplat's memory; a register tap (fk_reg_tap) sees every
 * store the driver makes and plays the device's side: commands with their
 * data (ADAPTER_RESET, SETUP_RINGS, SETUP_MSG_RING, ABORT_CMD,
 * RESET_DEVICE, RESET_BUS; the others fail, as QEMU's CONFIG and
 * GET_MAX_TARGETS do), COMMAND_STATUS, INTR_STATUS (write 1 to clear),
 * INTR_MASK, and the kicks, which consume the request ring.  The rings are
 * reached in the device's view of DMA memory (fk_dma_devmem).
 *
 * Target 0 LUN 0 is a disk of PD_BLOCKS blocks that answers INQUIRY,
 * REPORT LUNS, READ CAPACITY (10, 16) and TEST UNIT READY at once, in the
 * kick; any other opcode gets CHECK CONDITION, ILLEGAL REQUEST.  Other
 * targets time out (SELTIMEO).  READ(10), WRITE(10) and PD_OP_HOLD are
 * held: the device keeps them (pd.pd_held) until the test completes them
 * or a reset, abort or ADAPTER_RESET ends them as QEMU's device would
 * (ABORTQUEUE, BUSRESET).  A completion raises CMPL_0 and, when enabled
 * in INTR_MASK, fires the MSI (fakeplat_fire).
 *
 * The test writes the rings itself under pd_lock(): entries at the
 * device's producer indices, then pd_set_*_prod() (the device's counters
 * follow: the test is the device).  pd_freeze() holds kicks back until
 * pd_thaw(), so that no request is completed while the ring holds what
 * the test wrote and the driver has not seen yet: a completion written
 * behind a producer index the test moved back would be lost to the
 * driver, which could find it missing only by its timeout.  pd_lock() must not be held across a
 * call into the driver (the tap takes it, with the driver's lock held).
 */
#ifndef _PVSDEV_H
#define	_PVSDEV_H

#include <sys/types.h>
#include <stdint.h>
#include "pvscsi.h"

#define	PD_MAXHELD	16
#define	PD_BLOCKS	0x10000
#define	PD_OP_HOLD	0xc1		/* a vendor opcode without data */

typedef struct pd_held {
	uint64_t	ph_ctx;
	uint64_t	ph_sense;	/* sense buffer */
	uint32_t	ph_sense_len;
	uint8_t		ph_op;
} pd_held_t;

typedef struct pd {
	int		pd_rings;	/* SETUP_RINGS accepted */
	int		pd_msgs;	/* SETUP_MSG_RING accepted */
	pvscsi_setup_rings_t	pd_setup;
	pvscsi_setup_msg_ring_t	pd_msgsetup;
	uint32_t	pd_req_cons;	/* the device's counters */
	uint32_t	pd_cmp_prod;
	uint32_t	pd_msg_prod;
	uint32_t	pd_intr;	/* INTR_STATUS */
	uint32_t	pd_cmd;		/* command being given */
	uint32_t	pd_ndw;		/* its data so far, and needed */
	uint32_t	pd_need;
	uint32_t	pd_dw[160];
	int		pd_frozen;	/* kicks wait for pd_thaw() */
	int		pd_kicked;
	int		pd_nheld;
	pd_held_t	pd_held[PD_MAXHELD];
	uint64_t	pd_trace[64];	/* contexts of the latest requests */
	uint64_t	pd_requests;	/* counters */
	uint64_t	pd_resets;
	uint64_t	pd_fires;
} pd_t;

extern pd_t pd;

extern void pd_install(void);		/* after fakeplat_install() */
extern void pd_lock(void);
extern void pd_unlock(void);

/* Under pd_lock(). */
extern volatile pvscsi_rings_state_t *pd_state(void);
extern pvscsi_cmp_t *pd_cmp(uint32_t);
extern pvscsi_msg_dev_t *pd_msg(uint32_t);
extern uint32_t pd_cmp_entries(void);
extern uint32_t pd_msg_entries(void);
extern void pd_set_cmp_prod(uint32_t);
extern void pd_set_msg_prod(uint32_t);
extern void pd_complete(uint64_t, uint16_t, uint16_t);
extern void pd_raise(uint32_t);		/* INTR_STATUS bits; fire */
extern void pd_set_intr(uint32_t);	/* INTR_STATUS as is, no fire */
extern void pd_release_held(void);	/* all held: SUCCESS, GOOD */
extern void pd_freeze(void);		/* kicks wait (commands do not) */
extern void pd_thaw(void);		/* and are served now */

#endif /* _PVSDEV_H */

/*
 * rawring: drives a PVSCSI function's rings directly, with no driver,
 * through the DDI only (pci_config_setup, ddi_regs_map_setup, ddi_dma_*,
 * ddi_intr_*): the lab's platform tests use it to prove the fakekernel's
 * PCI, register, DMA and interrupt layers against QEMU's device, and its
 * polled loop of 4 KiB READs measures the device's ceiling for the
 * benchmarks.
 *
 * Layout: one page of rings state, RR_REQ_PAGES of requests,
 * RR_CMP_PAGES of completions, one of messages, and per slot (RR_SLOTS)
 * a 256-byte sense buffer and a RR_DBUF-byte data buffer.  A slot's
 * request context is slot + 1.  Every transfer between the CPU and the
 * device is bracketed by the ddi_dma_sync(9F) calls a driver must make,
 * so the code works in strict DMA mode; rr_fault leaves one kind of sync
 * out, for tests that show a missing sync breaks the I/O.
 *
 * Not thread-safe: one thread submits and reaps; the interrupt handler
 * only acknowledges and wakes it.
 */
#ifndef _TESTS_LAB_RAWRING_H
#define	_TESTS_LAB_RAWRING_H

#include <sys/types.h>
#include <sys/sunddi.h>
#include <sys/ksynch.h>
#include "pvscsi.h"

#define	RR_REQ_PAGES	4			/* 128 requests */
#define	RR_CMP_PAGES	2			/* 256 completions */
#define	RR_MSG_PAGES	1
#define	RR_SLOTS	128
#define	RR_DBUF		4096
#define	RR_SENSE	256

/* The sync a test leaves out (rr_fault). */
typedef enum rr_fault {
	RR_FAULT_NONE = 0,
	RR_FAULT_REQ_FORDEV,		/* the request descriptor */
	RR_FAULT_PROD_FORDEV,		/* the request producer index */
	RR_FAULT_CMP_FORKERNEL,		/* the completion descriptor */
	RR_FAULT_DATA_FORKERNEL		/* data read from the device */
} rr_fault_t;

typedef struct rr_dma {
	ddi_dma_handle_t	rd_h;
	ddi_acc_handle_t	rd_acc;
	caddr_t			rd_va;
	size_t			rd_len;
	uint64_t		*rd_pa;		/* per 4 KiB page */
} rr_dma_t;

typedef struct rr_cmp {
	uint64_t	rc_context;
	uint32_t	rc_sense_len;
	uint16_t	rc_host_status;
	uint16_t	rc_scsi_status;
} rr_cmp_t;

typedef struct rawring {
	dev_info_t		*rr_dip;
	ddi_acc_handle_t	rr_regs;
	caddr_t			rr_base;
	ddi_dma_attr_t		rr_attr;
	rr_dma_t		rr_state;
	rr_dma_t		rr_req;
	rr_dma_t		rr_cmp;
	rr_dma_t		rr_msg;
	rr_dma_t		rr_sense;
	rr_dma_t		rr_data;
	uint32_t		rr_req_prod;	/* shadows of our indices */
	uint32_t		rr_cmp_cons;
	uint32_t		rr_msg_cons;
	int			rr_msg_ring;	/* set up by rawring_reset */
	rr_fault_t		rr_fault;
	/* interrupts */
	int			rr_intr_type;	/* 0: polled */
	ddi_intr_handle_t	rr_ih;
	kmutex_t		rr_lock;
	kcondvar_t		rr_cv;
	uint32_t		rr_intr_status;	/* accumulated by the handler */
	uint32_t		rr_intr_seen;	/* every status bit seen */
	uint64_t		rr_intrs;
} rawring_t;

/*
 * Setup: rawring_open maps register set 1 (BAR0) and allocates the DMA
 * memory with attr (NULL: 64-bit, page aligned); rawring_reset resets
 * the adapter and sets up the rings, and the message ring if msgring.
 * Both return 0 or -1 (with a "# " line saying why).
 */
extern int rawring_open(rawring_t *, dev_info_t *, const ddi_dma_attr_t *);
extern void rawring_close(rawring_t *);
extern int rawring_reset(rawring_t *, int);
extern int rawring_intr_setup(rawring_t *, int);	/* DDI_INTR_TYPE_* */
extern void rawring_intr_teardown(rawring_t *);

extern uint32_t rawring_read(rawring_t *, uint32_t);
extern void rawring_write(rawring_t *, uint32_t, uint32_t);
extern uint32_t rawring_command(rawring_t *, uint32_t, const void *,
    size_t);

/*
 * I/O.  rawring_submit fills slot's request (data in the slot's buffer,
 * len bytes, dir PVSCSI_FLAG_CMD_DIR_*) and publishes it; rawring_kick
 * tells the device; rawring_reap collects up to max completions.
 * rawring_run does one command synchronously on slot 0 (data copied
 * in/out of buf), waiting at most timeout_ms (by interrupt if set up):
 * 0 on a completion with the right context, -1 on a timeout, -2 on a
 * wrong context.
 */
extern void rawring_submit(rawring_t *, int, int, const uint8_t *, int,
    uint32_t, uint32_t);
extern void rawring_kick(rawring_t *, int);
extern int rawring_reap(rawring_t *, rr_cmp_t *, int);
extern caddr_t rawring_slot_data(rawring_t *, int);
extern int rawring_run(rawring_t *, int, const uint8_t *, int, void *,
    uint32_t, uint32_t, rr_cmp_t *, int);

/* Helpers on top: INQUIRY (96 bytes), READ CAPACITY(10) with retries. */
extern int rawring_inquiry(rawring_t *, int, uint8_t *, rr_cmp_t *);
extern int rawring_capacity(rawring_t *, int, uint64_t *, uint32_t *);

/* Messages (DEV_ADDED/REMOVED): up to max, waiting up to timeout_ms. */
extern int rawring_msgs(rawring_t *, pvscsi_msg_dev_t *, int, int);

/*
 * The polled benchmark: 4 KiB READ(10)s at random LBAs of target, qd
 * outstanding, for secs seconds; returns I/Os per second (< 0 on error)
 * and the errors seen.
 */
extern double rawring_bench(rawring_t *, int, int, double, uint64_t *);

extern double rawring_now(void);

#endif /* _TESTS_LAB_RAWRING_H */

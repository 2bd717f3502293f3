/*
 * Lab programs: single packets of our own, for scenarios that need the
 * packet itself (to abort it, to watch its pkt_reason, pkt_statistics
 * and completions, with any pkt_time and pkt_flags).
 *
 * lp_send(lp, lun, write, lba, blocks, pkt_time, flags) allocates a
 * READ(10) or WRITE(10) of blocks 512-byte blocks at lba (a WRITE sends
 * zeroes) and transports it: the scsi_transport(9F) result, TRAN_ACCEPT
 * when sent (TRAN_BUSY is 0), or -1 when no packet could be allocated.  With FLAG_NOINTR the packet has
 * completed when lp_send returns.  lp_wait(lp, secs) waits up to secs
 * for the first completion, then a moment for a second one, and returns
 * the number of pkt_comp calls (a polled packet: 1 once transported).
 * lp_free() destroys the packet (not while it may still complete).
 * lp_cdb_rw(pkt, write, lba, blocks) writes that READ(10) or WRITE(10)
 * CDB into any packet.
 */
#ifndef _LABPKT_H
#define	_LABPKT_H

#include <sys/types.h>
#include <sys/ksynch.h>
#include <sys/scsi/scsi.h>
#include "fk_scsi.h"

typedef struct lp {
	struct scsi_pkt	*lp_pkt;
	struct buf	lp_buf;
	kmutex_t	lp_lock;
	kcondvar_t	lp_cv;
	int		lp_comps;
	int		lp_polled;
	hrtime_t	lp_sent;
	hrtime_t	lp_done;	/* first completion */
} lp_t;

extern void lp_cdb_rw(struct scsi_pkt *, int, uint64_t, uint_t);
extern int lp_send(lp_t *, fk_lun_t *, int, uint64_t, uint_t, int, int);
extern int lp_wait(lp_t *, int);
extern void lp_free(lp_t *);

/* The packet ended CMD_CMPLT with GOOD status and no residue. */
extern int lp_good(const lp_t *);
/* Seconds from transport to the first completion. */
extern double lp_secs(const lp_t *);

#endif /* _LABPKT_H */

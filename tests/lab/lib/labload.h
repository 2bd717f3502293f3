/*
 * Lab programs: verified read/write load on a unit, that rides out
 * resets, aborts, timeouts and the unit's departure, and accounts for
 * every packet.
 *
 * ll_start(lun, qd, ...) starts qd slots on the unit, each a thread with
 * a region of its own (lba + i * blocks, blocks long) and two packets of
 * its own, allocated once (scsi_init_pkt(9F)) and reused: write the
 * region with a new pattern, read it back, compare, and again.  A
 * command that ends CMD_RESET, CMD_ABORTED or CMD_TIMEOUT, or with a
 * unit attention, ABORTED COMMAND, BUSY or QUEUE FULL, is sent again (as
 * sd would); CMD_DEV_GONE, or a transport refusal once the unit is gone,
 * stops the slot (ls_gone); anything else is an error.  A data mismatch
 * is a verify error.  A packet that has not completed 60 s after its
 * pkt_time is a hang: its slot stops and keeps the packet.
 *
 * Every completion is checked against its transport (each exactly once)
 * and its pkt_reason against its pkt_statistics: CMD_ABORTED must carry
 * STAT_ABORTED, CMD_RESET STAT_BUS_RESET or STAT_DEV_RESET (or
 * STAT_ABORTED, when it never left the HBA), CMD_TIMEOUT
 * STAT_TIMEOUT, and CMD_CMPLT none of them (ls_bad_stat counts the
 * others, the first is described in ls_first).
 *
 * ll_abort_one() calls scsi_abort(9F) for one packet in transport (its
 * return value, or -1 when none was in transport).  ll_verify() reads
 * each slot's region back once the load has stopped and compares it
 * with the last pattern written (the number of regions that differ);
 * ll_region(ll, i, &lba, &len, &seed) tells slot i's region and the
 * pattern last written there (seed 0: not known), or ENOENT.
 * ll_stop() stops the slots and waits for them; ll_free() frees it all
 * (nothing when a slot hung: its packet may still complete).
 */
#ifndef _LABLOAD_H
#define	_LABLOAD_H

#include <sys/types.h>
#include <stdint.h>
#include "fk_scsi.h"

#define	LL_REASONS	32

typedef struct ll_stats {
	uint64_t	ls_passes;	/* write, read, compare rounds */
	uint64_t	ls_transports;	/* scsi_transport() accepted */
	uint64_t	ls_comps;	/* pkt_comp calls */
	uint64_t	ls_dups;	/* completions never transported */
	uint64_t	ls_retries;
	uint64_t	ls_reason[LL_REASONS];	/* completions by pkt_reason */
	uint64_t	ls_stat_bus, ls_stat_dev, ls_stat_abort, ls_stat_tmo;
	uint64_t	ls_bad_stat;
	uint64_t	ls_ua;		/* unit attentions */
	uint64_t	ls_verify_errors;
	uint64_t	ls_errors;
	uint64_t	ls_hangs;
	uint64_t	ls_gone;	/* slots stopped: unit gone */
	uint64_t	ls_refused;	/* transports refused (unit gone) */
	char		ls_first[200];	/* the first error or bad stat */
} ll_stats_t;

typedef struct ll ll_t;

extern ll_t *ll_start(fk_lun_t *, uint_t, uint64_t, uint_t, int);
extern void ll_stop(ll_t *);
extern void ll_stats(ll_t *, ll_stats_t *);
extern void ll_stats_add(ll_stats_t *, const ll_stats_t *);
extern uint64_t ll_passes(ll_t *);
extern int ll_abort_one(ll_t *, uint_t);
extern int ll_verify(ll_t *);
extern int ll_region(ll_t *, uint_t, uint64_t *, size_t *, uint64_t *);
extern void ll_free(ll_t *);

/* Wait up to secs for n more passes, in all (0, or ETIMEDOUT). */
extern int ll_progress(ll_t *, uint64_t, int);

#endif /* _LABLOAD_H */

/*
 * The bench's I/O generator (iogen.c) and its raw ring engine (ring.c):
 * what they share.
 */
#ifndef _IOGEN_H
#define	_IOGEN_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/dditypes.h>

#include "bstat.h"

/* One test: a workload at a queue depth, in one mode. */
typedef struct test {
	const char	*t_wl;		/* randread, randwrite, seqread */
	int		t_write;
	int		t_random;
	unsigned	t_bs;		/* bytes, a multiple of the block */
	unsigned	t_qd;
	const char	*t_mode;	/* intr, poll (ours); poll (ring) */
} test_t;

/* How long to run: warm-up, then the measured window. */
typedef struct timing {
	double		tm_warmup;	/* seconds */
	double		tm_secs;
	int		tm_rep;		/* repetition number, for the report */
	int		tm_count;	/* -q: count the window at the device */
} timing_t;

/*
 * Block addresses: random (aligned to the I/O size) or sequential
 * (shared, wrapping), over the disk's nblocks blocks of blksize.
 */
typedef struct lba_gen {
	uint64_t	lg_nblocks;
	uint32_t	lg_blksize;
	uint32_t	lg_nblks;	/* blocks per I/O */
	int		lg_random;
	uint64_t	lg_next;	/* sequential: next I/O number */
} lba_gen_t;

extern void lba_init(lba_gen_t *, const test_t *, uint64_t, uint32_t);
extern uint64_t lba_next(lba_gen_t *, uint64_t *);	/* per-thread seed */

/*
 * The counters of a measured window: time, guest CPU, interrupts taken by
 * the fakekernel, and writes to the kick registers of register set
 * kick_rnumber.
 */
typedef struct snap {
	uint64_t	s_ns;
	cpu_snap_t	s_cpu;
	uint64_t	s_kicks;
	uint64_t	s_intrs;
	long long	s_trace;	/* QEMU's trace there, or -1 */
} snap_t;

extern void snap_take(snap_t *, uint_t);
/*
 * A window's edges: the snapshots, and with tm_count the device's
 * counting switched on before the first and off after the last
 * (devcount.h).
 */
extern void window_open(snap_t *, uint_t, const timing_t *);
extern void window_close(snap_t *, uint_t, const timing_t *);
/* fill r's window fields from two snapshots */
extern void snap_diff(const snap_t *, const snap_t *, bench_result_t *);

/* The register set (rnumber) holding PVSCSI's registers, or -1. */
extern int pvscsi_rnumber(dev_info_t *);

/* Raw polled ring on PCI function index (ring.c). */
typedef struct ring ring_t;
extern ring_t *ring_open(int);
extern int ring_run(ring_t *, const test_t *, const timing_t *,
    bench_result_t *);
extern void ring_close(ring_t *);

#endif /* _IOGEN_H */

/*
 * Measurements shared by the bench programs: a latency histogram,
 * the guest's CPU time and interrupt counts over a window (from /proc),
 * and the one-line result format the report reads.
 */
#ifndef _BSTAT_H
#define	_BSTAT_H

#include <stdint.h>

/*
 * Latency histogram, log-linear: exact below 64 ns, then 32 buckets per
 * power of two (about 3 % wide).  Safe to add to from many threads.
 */
#define	BH_SUB		32
#define	BH_BUCKETS	(64 + (64 - 6) * BH_SUB)

typedef struct bench_hist {
	uint64_t	bh_count[BH_BUCKETS];
} bench_hist_t;

extern void bh_reset(bench_hist_t *);
extern void bh_add(bench_hist_t *, uint64_t);
extern uint64_t bh_total(const bench_hist_t *);
/* the value (ns) below which the fraction p (0..1) of samples lie */
extern uint64_t bh_pct(const bench_hist_t *, double);

/*
 * CPU time of the whole guest (all CPUs): busy = everything but idle and
 * iowait, from the "cpu" line of /proc/stat, in microseconds.
 */
typedef struct cpu_snap {
	uint64_t	cs_busy_us;
	uint64_t	cs_total_us;
} cpu_snap_t;

extern int cpu_snap(cpu_snap_t *);

/* The sum of all CPUs' counts of /proc/interrupts lines naming name. */
extern uint64_t irq_count(const char *);

/* Monotonic time in nanoseconds. */
extern uint64_t now_ns(void);

/*
 * One measurement, printed as a single line
 *	R who=... mode=... wl=... bs=... qd=... rep=... iops=... ...
 * (at scale, ending hbas=... luns=...) that bench/report.awk collects.  A negative value prints as "-" (not
 * measured).
 */
typedef struct bench_result {
	const char	*br_who;	/* ours, linux, ring */
	const char	*br_mode;	/* intr, poll, none, mq-deadline ... */
	const char	*br_wl;		/* randread, randwrite, seqread */
	unsigned	br_bs;		/* bytes */
	unsigned	br_qd;
	int		br_rep;
	double		br_secs;	/* measured window */
	double		br_ios;		/* I/Os in the window */
	double		br_errors;
	double		br_p50_us;
	double		br_p99_us;
	double		br_kicks;	/* in the window */
	double		br_intrs;
	double		br_cpu_us;	/* guest busy time in the window */
	int		br_traced;	/* counted at the device: */
	long long	br_trace_from;	/* the window in QEMU's trace */
	long long	br_trace_to;	/* (bench/devcount.h) */
	int		br_hbas;	/* at scale: HBAs (0: one LUN) */
	int		br_luns;	/* at scale: LUNs per HBA */
} bench_result_t;

extern void br_print(const bench_result_t *);

#endif /* _BSTAT_H */

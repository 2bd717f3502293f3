/*
 * Measurements for the bench programs (bstat.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bstat.h"

/*
 * Histogram.
 */
void
bh_reset(bench_hist_t *h)
{
	memset(h, 0, sizeof (*h));
}

static unsigned
bh_index(uint64_t v)
{
	unsigned b;

	if (v < 64)
		return ((unsigned)v);
	b = 63 - (unsigned)__builtin_clzll(v);		/* >= 6 */
	return (64 + (b - 6) * BH_SUB +
	    (unsigned)((v >> (b - 5)) & (BH_SUB - 1)));
}

/* The middle of bucket i. */
static uint64_t
bh_value(unsigned i)
{
	unsigned b, sub;
	uint64_t lo, width;

	if (i < 64)
		return (i);
	b = (i - 64) / BH_SUB + 6;
	sub = (i - 64) % BH_SUB;
	width = 1ULL << (b - 5);
	lo = (1ULL << b) + sub * width;
	return (lo + width / 2);
}

void
bh_add(bench_hist_t *h, uint64_t v)
{
	__atomic_add_fetch(&h->bh_count[bh_index(v)], 1, __ATOMIC_RELAXED);
}

uint64_t
bh_total(const bench_hist_t *h)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < BH_BUCKETS; i++)
		n += h->bh_count[i];
	return (n);
}

uint64_t
bh_pct(const bench_hist_t *h, double p)
{
	uint64_t n = bh_total(h), want, seen = 0;

	if (n == 0)
		return (0);
	want = (uint64_t)(p * (double)n);
	if (want >= n)
		want = n - 1;
	for (unsigned i = 0; i < BH_BUCKETS; i++) {
		seen += h->bh_count[i];
		if (seen > want)
			return (bh_value(i));
	}
	return (bh_value(BH_BUCKETS - 1));
}

/*
 * /proc.
 */
int
cpu_snap(cpu_snap_t *cs)
{
	unsigned long long v[10] = { 0 };
	double us_per_tick = 1e6 / (double)sysconf(_SC_CLK_TCK);
	uint64_t total = 0, idle;
	FILE *f = fopen("/proc/stat", "r");
	int n;

	memset(cs, 0, sizeof (*cs));
	if (f == NULL)
		return (-1);
	/* cpu user nice system idle iowait irq softirq steal guest gnice */
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
	    &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8],
	    &v[9]);
	(void) fclose(f);
	if (n < 5)
		return (-1);
	/* guest and guest_nice are already counted in user and nice */
	for (int i = 0; i < 8; i++)
		total += v[i];
	idle = v[3] + v[4];
	cs->cs_total_us = (uint64_t)((double)total * us_per_tick);
	cs->cs_busy_us = (uint64_t)((double)(total - idle) * us_per_tick);
	return (0);
}

uint64_t
irq_count(const char *name)
{
	char line[1024];
	uint64_t sum = 0;
	FILE *f = fopen("/proc/interrupts", "r");

	if (f == NULL)
		return (0);
	while (fgets(line, sizeof (line), f) != NULL) {
		char *p = strchr(line, ':'), *end;

		if (p == NULL || strstr(line, name) == NULL)
			continue;
		/* the per-CPU counts follow the colon */
		for (p++; ; p = end) {
			unsigned long long c = strtoull(p, &end, 10);
			if (end == p)
				break;
			sum += c;
		}
	}
	(void) fclose(f);
	return (sum);
}

uint64_t
now_ns(void)
{
	struct timespec ts;

	(void) clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec);
}

/*
 * Result lines.
 */
static void
br_field(const char *name, double v, int prec)
{
	if (v < 0)
		printf(" %s=-", name);
	else
		printf(" %s=%.*f", name, prec, v);
}

void
br_print(const bench_result_t *r)
{
	double ios = r->br_ios > 0 ? r->br_ios : 0;
	double per = ios > 0 ? 1.0 / ios : 0;

	printf("R who=%s mode=%s wl=%s bs=%u qd=%u rep=%d", r->br_who,
	    r->br_mode, r->br_wl, r->br_bs, r->br_qd, r->br_rep);
	br_field("secs", r->br_secs, 3);
	br_field("ios", ios, 0);
	br_field("errors", r->br_errors, 0);
	br_field("iops", r->br_secs > 0 ? ios / r->br_secs : 0, 0);
	br_field("mbps", r->br_secs > 0 ?
	    ios * r->br_bs / r->br_secs / 1e6 : 0, 1);
	br_field("p50", r->br_p50_us, 1);
	br_field("p99", r->br_p99_us, 1);
	br_field("kicks", r->br_kicks < 0 ? -1 : r->br_kicks * per, 3);
	br_field("intrs", r->br_intrs < 0 ? -1 : r->br_intrs * per, 3);
	br_field("cpu", r->br_cpu_us < 0 ? -1 : r->br_cpu_us * per, 2);
	if (r->br_hbas > 0)
		printf(" hbas=%d luns=%d", r->br_hbas, r->br_luns);
	if (r->br_traced)
		printf(" trace=%lld-%lld", r->br_trace_from, r->br_trace_to);
	printf("\n");
	(void) fflush(stdout);
}

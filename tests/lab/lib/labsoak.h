/*
 * The summary line of the recovery and hotplug scenarios, which `make
 * soak` (mk/soak.mk) adds up:
 *
 *   # soak: NAME: N lost, N duplicated, N witness reports, N leaked kmem
 *   bytes in N buffers
 *
 * lost: packets started and never completed (fk_scsi_stats); duplicated:
 * completions of packets not in transport, as the scenario's own
 * bookkeeping saw them (the framework also panics on any); witness
 * reports: lock-order cycles; leaked: kmem held after the last detach
 * beyond what was held after a first attach and detach (r0, r1 from
 * lio_res_get).  A check that there is no leak is made too.
 *
 * Include after check.h, drv.h and labio.h.
 */
#ifndef _LABSOAK_H
#define	_LABSOAK_H

#include <stdio.h>

static inline void
soak_report(const char *name, uint64_t dups, const lio_res_t *r0,
    const lio_res_t *r1)
{
	char check[96];
	fk_scsi_stats_t st;
	fk_counters_t c;
	int64_t bytes = r1->lr_kmem_bytes - r0->lr_kmem_bytes;
	int64_t bufs = r1->lr_kmem_bufs - r0->lr_kmem_bufs;

	fk_scsi_stats(&st);
	fk_counters_get(&c);
	printf("# soak: %s: %llu lost, %llu duplicated, %llu witness reports, "
	    "%lld leaked kmem bytes in %lld buffers\n", name,
	    (unsigned long long)(st.st_started - st.st_completed),
	    (unsigned long long)dups,
	    (unsigned long long)c.fc_witness_reports, (long long)bytes,
	    (long long)bufs);
	(void) snprintf(check, sizeof (check), "%s-no-leak", name);
	/*
	 * A leak is growth.  The baseline, taken after a heavy first round,
	 * can hold a little that the second round's end does not (seen in
	 * arm64 guests: 3 threads, 2 fds and 38 buffers still there at the
	 * first detach of t_recover), so the second round may end with
	 * less, never with more.
	 */
	CHECK(check, bytes <= 0 && bufs <= 0 && r1->lr_threads <=
	    r0->lr_threads && r1->lr_fds <= r0->lr_fds, "expected no more "
	    "kmem, threads and fds than at the first detach, saw %lld more "
	    "bytes in %lld buffers, %d more threads, %d more fds",
	    (long long)bytes,
	    (long long)bufs, r1->lr_threads - r0->lr_threads,
	    r1->lr_fds - r0->lr_fds);
}

#endif /* _LABSOAK_H */

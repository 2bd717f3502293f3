/*
 * The checks every driver scenario makes (tests/check.h protocol), as
 * inline functions so that they count in the calling program's tally:
 *
 *   lio_check_clean(prefix)	every packet that was started completed
 *				(fk_scsi_stats: started == completed, none
 *				outstanding), no console line, no witness
 *				report;
 *   lio_check_intr(prefix)	interrupts were delivered and claimed, and
 *				the guest saw them on VFIO vectors of the
 *				type the driver must take under FK_INTR;
 *   lio_check_load(tag, ll, n, want_gone)
 *				stops n loads (labload.h), checks them and
 *				frees them: each packet completed once and
 *				none hung, every reason with its statistics,
 *				and either no error and every region verified
 *				(want_gone 0) or want_gone slots in all
 *				stopped for their unit being gone; returns
 *				the duplicated completions seen.
 *
 * Include after check.h, drv.h and labio.h.
 */
#ifndef _LABCHECK_H
#define	_LABCHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/scsi/scsi.h>
#include "labload.h"

static inline void
lio_check_clean(const char *prefix)
{
	char name[96];
	fk_scsi_stats_t st;
	fk_counters_t c;
	uint_t nc = drv_console_lines();

	fk_scsi_stats(&st);
	fk_counters_get(&c);
	drv_note("%s: %llu packets started, %llu completed, %llu "
	    "outstanding, %llu TRAN_BUSY, %llu errors", prefix,
	    (unsigned long long)st.st_started,
	    (unsigned long long)st.st_completed,
	    (unsigned long long)st.st_outstanding,
	    (unsigned long long)st.st_busy, (unsigned long long)st.st_errors);
	(void) snprintf(name, sizeof (name), "%s-every-packet-completed-once",
	    prefix);
	CHECK(name, st.st_started == st.st_completed &&
	    st.st_outstanding == 0,
	    "expected started == completed and none outstanding, saw %llu "
	    "started, %llu completed, %llu outstanding",
	    (unsigned long long)st.st_started,
	    (unsigned long long)st.st_completed,
	    (unsigned long long)st.st_outstanding);
	(void) snprintf(name, sizeof (name), "%s-no-console-lines", prefix);
	if (!CHECK(name, nc == 0, "expected none, saw %u", nc)) {
		for (uint_t i = 0, k = 0; i < fk_log_count() && k < 10; i++) {
			const fk_logmsg_t *m = fk_log_get(i);

			if (m != NULL && m->lm_console) {
				drv_note("console: %s", m->lm_text);
				k++;
			}
		}
	}
	(void) snprintf(name, sizeof (name), "%s-witness-clean", prefix);
	CHECK(name, c.fc_witness_reports == 0,
	    "expected no lock-order report, saw %llu",
	    (unsigned long long)c.fc_witness_reports);
}

static inline void
lio_check_intr(const char *prefix)
{
	char name[96];
	fk_counters_t c;
	uint64_t n;
	const char *bdf = lio_hba_bdf(0);
	const char *type = lio_intr_seen(bdf, &n);
	const char *want = lio_intr_expected();
	const char *fkintr = getenv("FK_INTR");

	fk_counters_get(&c);
	drv_note("%s: %llu interrupt handler calls, %llu claimed; the guest "
	    "counted %llu on %s vectors of %s", prefix,
	    (unsigned long long)c.fc_intrs,
	    (unsigned long long)c.fc_intrs_claimed, (unsigned long long)n,
	    *type != '\0' ? type : "no", bdf != NULL ? bdf : "(no HBA)");
	(void) snprintf(name, sizeof (name), "%s-interrupts", prefix);
	CHECK(name, c.fc_intrs > 0 && c.fc_intrs_claimed > 0,
	    "expected handler calls that claimed, saw %llu calls, %llu "
	    "claimed", (unsigned long long)c.fc_intrs,
	    (unsigned long long)c.fc_intrs_claimed);
	(void) snprintf(name, sizeof (name), "%s-interrupt-type-%s", prefix,
	    want);
	CHECK(name, strcmp(type, want) == 0 && n > 0,
	    "expected %s vectors that fired (FK_INTR=%s), saw '%s' with %llu",
	    want, fkintr != NULL ? fkintr : "any", type,
	    (unsigned long long)n);
}

static inline uint64_t
lio_check_load(const char *tag, ll_t **ll, int n, int want_gone)
{
	ll_stats_t st, sum;
	char name[96];
	int bad = 0;

	bzero(&sum, sizeof (sum));
	for (int d = 0; d < n; d++)
		ll_stop(ll[d]);
	for (int d = 0; d < n; d++) {
		if (!want_gone)
			bad += ll_verify(ll[d]);
		ll_stats(ll[d], &st);
		ll_stats_add(&sum, &st);
	}
	drv_note("%s: %llu passes, %llu transports, %llu completions, %llu "
	    "retries, %llu CMD_ABORTED, %llu CMD_DEV_GONE, %llu refused, "
	    "%llu slots gone", tag, (unsigned long long)sum.ls_passes,
	    (unsigned long long)sum.ls_transports,
	    (unsigned long long)sum.ls_comps,
	    (unsigned long long)sum.ls_retries,
	    (unsigned long long)sum.ls_reason[CMD_ABORTED],
	    (unsigned long long)sum.ls_reason[CMD_DEV_GONE],
	    (unsigned long long)sum.ls_refused,
	    (unsigned long long)sum.ls_gone);
	(void) snprintf(name, sizeof (name), "%s: each packet completed "
	    "once, none hung", tag);
	CHECK(name, sum.ls_transports == sum.ls_comps && sum.ls_dups == 0 &&
	    sum.ls_hangs == 0, "saw %llu transports, %llu completions, %llu "
	    "duplicates, %llu hangs: %s",
	    (unsigned long long)sum.ls_transports,
	    (unsigned long long)sum.ls_comps,
	    (unsigned long long)sum.ls_dups,
	    (unsigned long long)sum.ls_hangs, sum.ls_first);
	(void) snprintf(name, sizeof (name), "%s: reasons carry their "
	    "statistics", tag);
	CHECK(name, sum.ls_bad_stat == 0, "%llu did not: %s",
	    (unsigned long long)sum.ls_bad_stat, sum.ls_first);
	(void) snprintf(name, sizeof (name), "%s: %s", tag, want_gone ?
	    "every slot stopped for the unit being gone, no other error" :
	    "no error, data verified");
	CHECK(name, sum.ls_errors == 0 && sum.ls_verify_errors == 0 &&
	    bad == 0 && sum.ls_passes > 0 && (want_gone ?
	    sum.ls_gone == (uint64_t)want_gone : sum.ls_gone == 0),
	    "saw %llu errors, %llu mismatches, %d regions bad, %llu slots "
	    "gone (expected %d), %llu passes: %s",
	    (unsigned long long)sum.ls_errors,
	    (unsigned long long)sum.ls_verify_errors, bad,
	    (unsigned long long)sum.ls_gone, want_gone,
	    (unsigned long long)sum.ls_passes, sum.ls_first);
	for (int d = 0; d < n; d++)
		ll_free(ll[d]);
	return (sum.ls_dups);
}


#endif /* _LABCHECK_H */

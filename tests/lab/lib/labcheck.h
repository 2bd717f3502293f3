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
 *				type the driver must take under FK_INTR.
 *
 * Include after check.h, drv.h and labio.h.
 */
#ifndef _LABCHECK_H
#define	_LABCHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

#endif /* _LABCHECK_H */

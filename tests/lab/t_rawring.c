/*
 * The device's ceiling: a raw, polled PVSCSI ring loop (tests/lab/lib/
 * rawring.h, DDI only, no driver) doing 4 KiB READ(10)s at random LBAs,
 * at QD1 and QD32, with DMA strictness off (the device's memory is the
 * driver's, as on x86).  Prints "# rawring qd=N iops=..." lines for the
 * benchmarks; checks only that every I/O completed without error.
 *
 *   t_rawring [poll|msi|fixed] [target] [seconds]
 * With msi or fixed, one INQUIRY first goes through an interrupt; the
 * loop itself always polls, with the device's interrupts masked.
 */

#include <sys/types.h>
#include <sys/sunddi.h>
#include <sys/ddi_intr.h>
#include <fk.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lib/drv.h"
#include "lib/rawring.h"

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "poll";
	int target = argc > 2 ? atoi(argv[2]) : 0;
	double secs = argc > 3 ? atof(argv[3]) : 3.0;
	fk_options_t o = { .fo_platform = "vfio", .fo_strict_dma = -1 };
	static const int qds[] = { 1, 32 };
	fk_counters_t c0, c1;
	uint64_t errors = 0;
	uint8_t inq[96];
	dev_info_t *dip;
	rr_cmp_t c;
	rawring_t rr;
	double iops;
	char name[64];
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(mode, "msi") == 0)
		o.fo_intr = "msi";
	else if (strcmp(mode, "fixed") == 0)
		o.fo_intr = "fixed";
	if (!CHECK("rawring: fk_init(vfio)", fk_init(&o) == 0, "expected 0") ||
	    !CHECK("rawring: a PVSCSI function", fk_pci_claim(drv_aliases) >=
	    1 && (dip = fk_pci_node_create(0, NULL)) != NULL,
	    "expected a node") ||
	    !CHECK("rawring: rings set up", rawring_open(&rr, dip, NULL) == 0 &&
	    rawring_reset(&rr, 0) == 0, "expected success"))
		return (check_exit());
	if (o.fo_intr != NULL) {
		CHECK("rawring: INQUIRY by interrupt", rawring_intr_setup(&rr,
		    strcmp(mode, "msi") == 0 ? DDI_INTR_TYPE_MSI :
		    DDI_INTR_TYPE_FIXED) == 0 && rawring_inquiry(&rr, target,
		    inq, &c) == 0 && rr.rr_intrs > 0, "expected a completion "
		    "and an interrupt");
	}
	rawring_write(&rr, PVSCSI_REG_INTR_MASK, 0);
	for (i = 0; i < sizeof (qds) / sizeof (qds[0]); i++) {
		fk_counters_get(&c0);
		iops = rawring_bench(&rr, target, qds[i], secs, &errors);
		fk_counters_get(&c1);
		(void) printf("# rawring qd=%d iops=%.0f kicks=%llu "
		    "syncs=%llu\n", qds[i], iops,
		    (unsigned long long)(c1.fc_reg_writes - c0.fc_reg_writes),
		    (unsigned long long)(c1.fc_dma_syncs - c0.fc_dma_syncs));
		(void) snprintf(name, sizeof (name), "rawring: qd=%d: every "
		    "I/O completes without error", qds[i]);
		CHECK(name, iops > 0 && errors == 0, "expected no error, saw "
		    "%llu (iops %.0f)", (unsigned long long)errors, iops);
	}
	rawring_close(&rr);
	fk_pci_node_destroy(dip);
	fk_fini();
	return (check_exit());
}

#!/bin/sh
# bench/profile.sh: where the guest's time goes during one bench test.
#
#	sh bench/profile.sh [-x ours|ring] [-e VAR=VALUE]... TEST...
#
# Boots the lab with one PVSCSI controller and a null-co disk, and runs
# build/bench/iogen on each TEST (WORKLOAD:SIZE:QD[:intr|poll], as iogen
# takes them) under the guest's perf (the host's binary; software clock
# sampling of both vCPUs, with call graphs).  For each test it prints
# iogen's result line, the time per thread and the functions with the
# most samples.  Under TCG a register access runs QEMU's device model on
# the vCPU that made it, so the device's work shows up in the guest
# instruction that kicked it (ddi_put32, ddi_get32).
#
# -e VAR=VALUE sets a variable for iogen (FK_SCSI_COMP=intr, ...);
# BENCH_IOGEN names another iogen binary (an experimental build).

set -u
if [ "${1:-}" != --guest ]; then
	cd "$(dirname "$0")/.." || exit 1
	exec lab/lab --hba 1 --disk 0:0:null --timeout 600 -- \
	    sh bench/profile.sh --guest "$@"
fi
shift

who=ours
while [ $# -gt 0 ]; do
	case $1 in
	-x) who=$2; shift 2 ;;
	-e) export "$2"; shift 2 ;;
	*) break ;;
	esac
done
export FK_STRICT_DMA=0 FK_DEBUG=0
echo 0 >/proc/sys/kernel/kptr_restrict
echo -1 >/proc/sys/kernel/perf_event_paranoid
for t in "$@"; do
	echo "== $who $t"
	perf record -q -a -e cpu-clock -F 1999 -g -o /tmp/perf.data -- \
	    "${BENCH_IOGEN:-build/bench/iogen}" -x "$who" -w 0.5 -t 4 "$t" 2>&1 | grep -v '^\['
	echo "-- time by thread"
	perf report -i /tmp/perf.data --stdio --no-children --sort comm \
	    -g none 2>/dev/null | grep '%' | head -8
	echo "-- functions (self time, all threads)"
	perf report -i /tmp/perf.data --stdio --no-children --sort sym \
	    -g none 2>/dev/null | grep '%' | head -30
	# the busiest thread other than the idle loop, by layer
	perf report -i /tmp/perf.data --stdio --no-children -t ';' \
	    --sort comm,dso,sym -g none --percent-limit 0 2>/dev/null |
	    grep '%' | awk -f bench/layers.awk
done

#!/bin/sh
# lab/selftest/timing.sh [N]: measures N lab runs (default 5) and prints the
# median and range of (1) boot to command: from starting lab/lab to the
# first line of the command's output on the host, and (2) a full
# "lab/lab true" cycle.  Not part of run.sh; the numbers go to README.md.
. "$(dirname "$0")/common.sh"
n=${1:-5}
tmp=$TBUILD/timing.$$
trap 'rm -f "$tmp".*' EXIT

"$LAB" "$ARCH_OPT" true || exit 1		# warm the caches and build the tools
: >"$tmp.first"
: >"$tmp.cycle"
i=0
while [ "$i" -lt "$n" ]; do
	start=$(now)
	"$LAB" "$ARCH_OPT" echo ready | while IFS= read -r l; do now; done |
	    awk -v s="$start" 'NR == 1 { printf "%.2f\n", $1 - s }' >>"$tmp.first"
	start=$(now)
	"$LAB" "$ARCH_OPT" true
	awk -v s="$start" -v e="$(now)" 'BEGIN { printf "%.2f\n", e - s }' \
	    >>"$tmp.cycle"
	i=$((i + 1))
done

stats() {
	sort -n "$1" | awk -v what="$2" '{ v[NR] = $1 }
	    END { printf "%-26s median %.2f s  (min %.2f, max %.2f, %d runs)\n",
	    what, v[int((NR + 1) / 2)], v[1], v[NR], NR }'
}
stats "$tmp.first" "boot to first output line"
stats "$tmp.cycle" "full 'lab/lab true' cycle"

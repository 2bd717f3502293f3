#!/bin/sh
# compare/compare.sh: make compare.  Our driver and the other pvscsi
# drivers in PEERS (each subdirectory of PEERS holding a pvscsi.c), each
# built unmodified against the fakekernel (make driver, through
# tests/run.sh --driver), run through the same black-box scenarios
# (tests/run.sh --kind black), with strict DMA and with coherent DMA
# (FK_STRICT_DMA=0); then a short bench of all of them and Linux's
# vmw_pvscsi in one guest (bench/bench.sh with those contenders), with
# what each asks of the device counted at the device.
#
#	sh compare/compare.sh [PEERS]
#
# Writes, under build/compare/:
#	results.md	the report: both tables (also printed on stdout)
#	summary		its gist and the verdict, for make patch's Testing
#	scenarios.txt	the verdict on each scenario (compare/classify.awk)
#	runs/D-M.out	tests/run.sh's output for driver D, DMA mode M
#	logs/D-M/	the scenarios' logs
#	bench/		the bench (bench/bench.sh): raw.txt, bench.png, ...
#
# Exit status: the verdict (compare/verdict.awk): 0 when our driver
# passes every black-box scenario in both modes, gave bench results, and
# every driver builds; 1 otherwise.  A peer's failures are findings.
#
# Time: the whole run is meant to take at most COMPARE_BUDGET seconds
# (default 1500, 25 minutes, for ours and two peers on 2 cores).  Our
# driver's runs are never cut short (each scenario has its own timeout
# in tests/lab/suites).  Each peer first runs the attach scenario alone
# in each mode; when it does not come up there (attach failed or hung,
# or no units), the other scenarios of that mode are "not run" rather
# than each failing the same way after its own wait.  The runs that did
# come up then share what is left, once ours are done and the bench's
# time is set aside, equally and in turn (a run that needs less leaves
# the rest to the next), each stopped when its share is spent: a peer
# that hangs in scenario after scenario cannot take the time of the
# others, and the scenarios it did not reach are reported "not run".
#
# COMPARE_K=PATTERN runs only the scenarios whose name contains PATTERN,
# COMPARE_BENCH=0 no bench.  Progress goes to stderr.

set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo" || exit 2
out=build/compare
modes="strict coherent"

say() {
	echo "compare: $*" >&2
}

peers=${1:-}
if [ -n "$peers" ] && [ ! -d "$peers" ]; then
	say "PEERS=$peers: no such directory"
	exit 2
fi
peers=${peers:+$(cd "$peers" && pwd)}
rm -rf "$out"
mkdir -p "$out/runs" "$out/logs"

# The drivers: ours, then each peer (NAME DIR).
drivers=ours
for d in ${peers:+"$peers"/*/}; do
	[ -f "$d/pvscsi.c" ] && drivers="$drivers $(basename "$d")"
done

budget=${COMPARE_BUDGET:-1500}
case $budget in
'' | *[!0-9]*) say "COMPARE_BUDGET=$budget: not a number of seconds"; exit 2 ;;
esac
# What the bench takes (about 160 s for ours, two peers and Linux's),
# set aside from the peers' shares; a peer's run gets at least a minute.
bench_reserve=240
share_min=60

# The black-box scenarios (name | kind | lab options | command), those
# COMPARE_K names.
black=$(awk -F '|' -v k="${COMPARE_K:-}" '{
	n = $1; t = $2
	gsub(/^[ \t]+|[ \t]+$/, "", n)
	gsub(/^[ \t]+|[ \t]+$/, "", t)
	if (n !~ /^#/ && t == "black" && (k == "" || index("lab/" n, k)))
		print n
    }' tests/lab/suites | tr '\n' ' ')

t0=$(date +%s)
start=$(date -u '+%Y-%m-%d %H:%M UTC')
load0=$(cut -d' ' -f1-3 /proc/loadavg)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD 2>/dev/null || commit="$commit (with changes)"

# attaches D M ARGS...: 0 when peer D comes up in DMA mode M in the
# attach scenario (run alone first, ARGS as for tests/run.sh).  A peer
# whose attach fails there (its attach or the units it finds: drv_start)
# or hangs would fail every other scenario the same way, each after its
# own wait: those are then not run, and the attach scenario's verdict
# stands for the mode.
attaches() {
	d=$1 m=$2
	shift 2
	sh tests/run.sh "$@" -k lab/attach >"$out/runs/$d-$m.attach.out" 2>&1
	logs=build/test-logs/drivers/$d
	mkdir -p "$out/logs/$d-$m"
	cp "$logs"/lab_attach.log "$out/logs/$d-$m/" 2>/dev/null
	v=$(awk -v driver="$d" -v mode="$m" -v logs="$out/logs/$d-$m" \
	    -v expect=attach -f compare/classify.awk \
	    "$out/runs/$d-$m.attach.out")
	case $(echo "$v" | cut -f4-5) in
	HANG* | "FAIL	attach:"* | "FAIL	units:"*) ;;
	*) return 0 ;;
	esac
	echo "$v" >>"$out/scenarios.txt"
	for n in $black; do
		[ "$n" = attach ] && continue
		printf '%s\t%s\t%s\tNOTRUN\t%s\n' "$d" "$m" "$n" \
		    "it did not come up in the attach scenario" \
		    >>"$out/scenarios.txt"
	done
	say "$d, $m DMA: it did not come up in the attach scenario" \
	    "($(echo "$v" | cut -f4-5 | tr '\t' ' ' | cut -c1-100))"
	return 1
}

# scenarios D M [SECS|probe]: the black-box scenarios for driver D with
# DMA mode M, stopped after SECS seconds when given; their verdicts go to
# scenarios.txt.  With "probe", only whether D comes up in mode M
# (attaches: 0 when it does).
scenarios() {
	d=$1 m=$2 limit=${3:-}
	set -- --kind black
	[ "$d" = ours ] || set -- "$@" --driver "$peers/$d"
	[ "$m" = coherent ] && set -- "$@" --env FK_STRICT_DMA=0
	if [ "$limit" = probe ]; then
		attaches "$d" "$m" "$@"
		return
	fi
	[ -n "${COMPARE_K:-}" ] && set -- "$@" -k "$COMPARE_K"
	ts=$(date +%s)
	if [ -n "$limit" ]; then
		timeout -k 10 "$limit" sh tests/run.sh "$@" \
		    >"$out/runs/$d-$m.out" 2>&1
	else
		sh tests/run.sh "$@" >"$out/runs/$d-$m.out" 2>&1
	fi
	rc=$?
	logs=build/test-logs
	[ "$d" = ours ] || logs=$logs/drivers/$d
	mkdir -p "$out/logs/$d-$m"
	cp "$logs"/lab_*.log "$out/logs/$d-$m/" 2>/dev/null
	cut=
	[ -n "$limit" ] && [ "$rc" = 124 ] &&
		cut="its share of the time, $limit s, was spent"
	awk -v driver="$d" -v mode="$m" -v logs="$out/logs/$d-$m" \
	    -v expect="$black" -v cut="$cut" \
	    -f compare/classify.awk "$out/runs/$d-$m.out" >>"$out/scenarios.txt"
	if [ "$rc" = 2 ]; then
		say "tests/run.sh $*: $(tail -n 1 "$out/runs/$d-$m.out")"
		exit 2
	fi
	say "$d, $m DMA: $(grep -c "^$d	$m	.*	PASS	" \
	    "$out/scenarios.txt") of $(grep -c "^$d	$m	" \
	    "$out/scenarios.txt") scenarios pass ($(( $(date +%s) - ts ))" \
	    "s${limit:+ of $limit s})"
}

: >"$out/scenarios.txt"
for m in $modes; do
	scenarios ours "$m"
done
# The peers' runs that come up (COMPARE_K: all, unprobed), then each
# an equal share of the time left.
runs=
for m in $modes; do
	for d in $drivers; do
		[ "$d" = ours ] && continue
		if [ -n "${COMPARE_K:-}" ] || scenarios "$d" "$m" probe; then
			runs="$runs $d:$m"
		fi
	done
done
runs_left=$(echo $runs | wc -w)
for r in $runs; do
	left=$(( t0 + budget - bench_reserve - $(date +%s) ))
	share=$(( left / runs_left ))
	[ "$share" -ge "$share_min" ] || share=$share_min
	scenarios "${r%:*}" "${r#*:}" "$share"
	runs_left=$((runs_left - 1))
done
t1=$(date +%s)

# The bench: every driver that builds, interrupt-driven, and Linux's.
contenders=
bench_drivers=
for d in $drivers; do
	grep -q "^$d	[a-z]*	-	BUILD	" "$out/scenarios.txt" && continue
	if [ "$d" != ours ] && [ ! -x "build/drivers/$d/bench/iogen" ]; then
		say "$d: no build/drivers/$d/bench/iogen: not in the bench"
		continue
	fi
	contenders="$contenders $d:intr"
	bench_drivers="$bench_drivers $d"
done
if [ "${COMPARE_BENCH:-1}" != 0 ]; then
	say "the bench:$contenders linux:none"
	BENCH_OUT=$out/bench BENCH_QUICK=1 BENCH_SCALE=0 \
	    BENCH_CONTENDERS="${contenders# } linux:none" \
	    BENCH_TITLE="our driver, the drivers it replaces, Linux's" \
	    sh bench/bench.sh >/dev/null ||
		say "the bench failed (see $out/bench/raw.txt)"
fi
t2=$(date +%s)
bench_ours=0
grep -q '^R who=ours ' "$out/bench/raw.txt" 2>/dev/null && bench_ours=1

load1=$(cut -d' ' -f1-3 /proc/loadavg)
qemu=$(qemu-system-x86_64 --version | sed -n '1s/.*version \([^ ]*\).*/\1/p')
awk -F '\t' -v modes="$modes" -v bench_ours="$bench_ours" \
    -f compare/verdict.awk "$out/scenarios.txt" >"$out/verdict"
status=$?

{
	echo "# \`make compare\`: our driver and the pvscsi drivers it replaces"
	echo
	echo "Run $start, commit $commit, $((t2 - t0)) s (scenarios" \
	    "$((t1 - t0)) s, bench $((t2 - t1)) s); QEMU $qemu (TCG) on" \
	    "$(nproc) host cores, host load average $load0 before, $load1" \
	    "after.  Drivers: ours (\`usr/src\`)$(for d in $drivers; do
		[ "$d" = ours ] || printf ', %s (`%s`)' "$d" "$peers/$d"
	    done), each built unmodified against the fakekernel."
	echo
	echo "## Black-box scenarios"
	echo
	echo "Every scenario of kind black (\`tests/lab/suites\`), with" \
	    "strict DMA (only \`ddi_dma_sync(9F)\` moves data between the" \
	    "CPU's and the device's view, the DDI's contract) and with" \
	    "coherent DMA (\`FK_STRICT_DMA=0\`, as x86 hardware behaves);" \
	    "one verdict where both agree.  Logs: \`$out/logs/\`."
	echo
	awk -F '\t' -f compare/table.awk "$out/scenarios.txt"
	echo
	sed 's/^/    /' "$out/verdict"
	echo
	echo "## Bench"
	echo
	if [ -f "$out/bench/raw.txt" ]; then
		echo "One guest, one round, 0.5 s warm-up and a 2 s window per" \
		    "test (\`make bench BENCH_QUICK=1\`), every driver on the" \
		    "same controller in turn, interrupt-driven, Linux's" \
		    "vmw_pvscsi (fio, scheduler none) on the second.  Kicks," \
		    "interrupts and register accesses (MMIO) are counted at" \
		    "the device (QEMU's trace) per request it completed, in" \
		    "a counting run after the timed ones.  Plot:" \
		    "\`$out/bench/bench.png\`."
		echo
		awk -v drivers="$bench_drivers" -f bench/results.awk \
		    -f compare/bench.awk "$out/bench/raw.txt"
		awk -v failures=1 -f bench/results.awk -f compare/bench.awk \
		    "$out/bench/raw.txt" >"$out/bench/failures"
		if [ -s "$out/bench/failures" ]; then
			echo
			echo "What failed in the bench (\`$out/bench/raw.txt\`):"
			echo
			sed 's/^/    /' "$out/bench/failures"
		fi
	else
		echo "Not run."
	fi
} >"$out/results.md"

{
	echo "$start, commit $commit, $((t2 - t0)) s, host load $load0" \
	    "before, $load1 after"
	cat "$out/verdict"
	[ -f "$out/bench/raw.txt" ] &&
		awk -v drivers="$bench_drivers" -v headline=1 \
		    -f bench/results.awk -f compare/bench.awk \
		    "$out/bench/raw.txt"
} >"$out/summary"

cat "$out/results.md"
exit "$status"

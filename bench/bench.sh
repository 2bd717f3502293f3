#!/bin/sh
# bench/bench.sh: `make bench`.  One lab guest with two PVSCSI controllers
# and identical null-co disks: our driver (interrupt-driven and polled) and
# the raw polled ring take turns on controller A, Linux's vmw_pvscsi with
# fio drives controller B (bench/guest.sh).  Then the row at scale: a
# second guest with 2 x 4 controllers of 16 null-co disks, 4 for our
# driver and 4 for Linux's, 4 KiB random reads at QD32 per controller
# (BENCH_SCALE=HBAS:LUNS changes the size, 0 skips it).  The first guest
# also counts, at the device, what each contender asks of it (QEMU's
# trace, bench/devcount.h).  Writes, under build/bench/ (BENCH_OUT):
#	raw.txt		the guest's output (one "R" line per measurement,
#			one "K" line per count at the device)
#	results.md	the Markdown report (also printed on stdout)
#	bench.png	IOPS and CPU per I/O by queue depth
#	plot.dat	the plot's data; plot.gp its gnuplot script
#
# BENCH_QUICK=1: one round of shorter runs (about 4 minutes instead of
# about 14).  BENCH_TESTS, BENCH_REPS, BENCH_WARMUP, BENCH_SECS,
# BENCH_CONTENDERS and BENCH_COUNT_SECS override (bench/guest.sh); make
# compare runs it with its own contenders, BENCH_OUT and BENCH_TITLE (the
# plot's).  BENCH_BASE=PATH adds another build's iogen (an earlier
# commit's: a before-and-after in one run) as the contender "base", right
# after ours.  fio and gnuplot-nox are installed with apt-get when
# missing.  Progress goes to stderr.

set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo" || exit 1
out=${BENCH_OUT:-build/bench}
mkdir -p "$out"

say() {
	echo "bench: $*" >&2
}

die() {
	say "$*"
	exit 1
}

# need COMMAND PACKAGE: install PACKAGE when COMMAND is missing.
need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	say "installing $2 (log: $out/apt.log)"
	{
		[ -n "${apt_updated:-}" ] || apt-get update
		apt_updated=1
		DEBIAN_FRONTEND=noninteractive apt-get install -y "$2"
	} >>"$out/apt.log" 2>&1 </dev/null
	command -v "$1" >/dev/null 2>&1 || die "cannot install $2"
}

need fio fio
need gnuplot gnuplot-nox
for f in build/bench/iogen build/bench/cpuwin build/bench/moddisc \
    ${BENCH_BASE:+"$BENCH_BASE"}; do
	[ -x "$f" ] || die "$f is missing (run make bench)"
done
base=${BENCH_BASE:+$(cd "$(dirname "$BENCH_BASE")" && pwd)/$(basename "$BENCH_BASE")}

case ${BENCH_QUICK:-0} in
'' | 0 | no)
	reps=3 warm=1 secs=4 budget=1500 ;;
*)
	reps=1 warm=0.5 secs=2 budget=480 ;;
esac
reps=${BENCH_REPS:-$reps}
warm=${BENCH_WARMUP:-$warm}
secs=${BENCH_SECS:-$secs}
tests=${BENCH_TESTS:-randread:4k:1,randread:4k:32,randread:4k:128,\
randwrite:4k:1,randwrite:4k:32,randwrite:4k:128,seqread:128k:8}
scale=${BENCH_SCALE:-4:16}
case $scale in
0 | [1-8]:[1-9] | [1-8]:[1-5][0-9] | [1-8]:6[0-4]) ;;
*) die "BENCH_SCALE=$scale: not HBAS:LUNS (1..8 HBAs a side, 1..64 LUNs)" ;;
esac

load0=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date '+%Y-%m-%d %H:%M')
t0=$(date +%s)
say "$reps round(s) of: $(echo "$tests" | tr , ' ')"

# The guest's output goes to raw.txt; its progress lines to stderr.
{
	lab/lab --hba 2 --disk 0:0:null --disk 1:0:null --timeout "$budget" \
	    --trace 'pvscsi_*' \
	    --env "BENCH_TESTS=$tests" --env "BENCH_REPS=$reps" \
	    --env "BENCH_WARMUP=$warm" --env "BENCH_SECS=$secs" \
	    --env "BENCH_CONTENDERS=${BENCH_CONTENDERS:-}" \
	    --env "BENCH_COUNT_SECS=${BENCH_COUNT_SECS:-}" \
	    ${base:+--env "BENCH_BASE=$base"} -- sh bench/guest.sh
	echo $? >"$out/status"
} 2>&1 | tee "$out/raw.txt" | sed -u -e '/^[RIK] /d' -e 's/^# /bench: /' >&2
status=$(cat "$out/status")
[ "$status" = 0 ] || die "the lab run failed (status $status); see $out/raw.txt"
grep -q '^R ' "$out/raw.txt" || die "no results in $out/raw.txt"

# The row at scale, in a guest of its own: controllers 0..HBAS-1 for our
# driver, HBAS..2*HBAS-1 for Linux's.
if [ "$scale" != 0 ]; then
	h=${scale%%:*}
	l=${scale#*:}
	say "at scale: $h HBAs x $l disks a side, randread:4k:32"
	{
		lab/lab --hba $((2 * h)) --disk "0-$((2 * h - 1)):0-$((l - 1)):null" \
		    --timeout "$budget" --env "BENCH_SCALE=$scale" \
		    --env "BENCH_TESTS=randread:4k:32" --env "BENCH_REPS=$reps" \
		    --env "BENCH_WARMUP=$warm" --env "BENCH_SECS=$secs" \
		    -- sh bench/guest.sh
		echo $? >"$out/status"
	} 2>&1 | tee -a "$out/raw.txt" |
	    sed -u -e '/^[RDI] /d' -e 's/^# /bench: /' >&2
	status=$(cat "$out/status")
	[ "$status" = 0 ] ||
		die "the lab run at scale failed (status $status); see $out/raw.txt"
fi

load1=$(cut -d' ' -f1-3 /proc/loadavg)
qemu=$(qemu-system-x86_64 --version | sed -n '1s/.*version \([^ ]*\).*/\1/p')
meta="Run $start, $(( $(date +%s) - t0 )) s, QEMU $qemu (TCG) on \
$(nproc) host cores; host load average $load0 before, $load1 after (the \
host is shared: absolute numbers move, ratios within a round less)."

awk -v plot="$out/plot.dat" -v meta="$meta" -f bench/results.awk \
    -f bench/report.awk "$out/raw.txt" >"$out/results.md" ||
	die "report failed"

# The plot: IOPS and CPU per I/O by queue depth, 4 KiB random I/O.
title=${BENCH_TITLE:-ours vs Linux vmw_pvscsi vs the raw ring}
{
	cat <<-EOF
	set terminal pngcairo size 1400,1000 font ",11" noenhanced
	set output "$out/bench.png"
	set multiplot layout 2,2 title "PVSCSI under QEMU/TCG: $title (medians)"
	set logscale x 2
	set xtics (1, 4, 8, 16, 32, 64, 128)
	set xrange [0.8:160]
	set grid
	set key outside bottom center horizontal font ",9"
	set format y "%.0s%c"
	set style data linespoints
	set linetype 1 lc rgb "#1f4e9c" pt 7
	set linetype 2 lc rgb "#6fa8dc" pt 5 dt 2
	set linetype 3 lc rgb "#c0392b" pt 9
	set linetype 4 lc rgb "#e69138" pt 11 dt 2
	set linetype 5 lc rgb "#222222" pt 13
	EOF
	n=0
	labels=
	while IFS= read -r l; do
		n=$((n + 1))
		labels="$labels \"$l\""
	done <"$out/plot.dat.labels"
	echo "array L[$n] = [$(echo "$labels" | sed 's/^ //; s/" "/", "/g')]"
	echo "N = $n"
	for w in 0 1; do
		name=$( [ $w = 0 ] && echo "4 KiB random read" ||
		    echo "4 KiB random write")
		cat <<-EOF
		set title "$name: IOPS"
		set logscale y
		set xlabel "queue depth"
		set ylabel "IOPS"
		plot for [i=1:N] "$out/plot.dat" index $w using 1:(column(2*i)) title L[i] lw 2
		set title "$name: guest CPU per I/O"
		set ylabel "µs per I/O (both vCPUs)"
		plot for [i=1:N] "$out/plot.dat" index $w using 1:(column(2*i+1)) title L[i] lw 2
		EOF
	done
	echo "unset multiplot"
} >"$out/plot.gp"
gnuplot "$out/plot.gp" 2>"$out/gnuplot.log" ||
	say "gnuplot failed; see $out/gnuplot.log"

cat "$out/results.md"
echo
echo "Plot: $out/bench.png; raw data: $out/raw.txt"

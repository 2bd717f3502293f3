#!/bin/sh
# bench/guest.sh: the benchmark's guest side, run by bench/bench.sh as
#	lab/lab --hba 2 --disk 0:0:null --disk 1:0:null ... -- sh bench/guest.sh
# and, for the row at scale (BENCH_SCALE=HBAS:LUNS, see scale_main), as
#	lab/lab --hba 8 --disk 0-7:0-15:null ... -- sh bench/guest.sh
#
# Controller A (the first PVSCSI function) stays on vfio-pci for the
# fakekernel: our driver (build/bench/iogen -x ours), other drivers built
# by make driver (build/drivers/NAME/bench/iogen) and the raw ring (iogen
# -x ring) take turns on it.  Controller B goes to Linux's own
# vmw_pvscsi, driven by fio.  For each repetition and each test, the
# contenders of BENCH_CONTENDERS in turn, by default ours (interrupts,
# then polled), Linux (scheduler none, then the default), the raw ring.
# Every measurement is one "R ..." line on stdout (bench/bstat.h); "I
# key=value" lines describe the setup; "# " lines report progress.
#
# Then, when the lab traces QEMU (lab/lab --trace 'pvscsi_*', which
# bench.sh gives; the trace is switched off for the timed runs), a
# counting pass: each test by each contender once more, briefly, its
# window counted at the device (bench/devcount.h): one "K ..." line each
# (bench/devcount.awk), kicks, interrupts and register accesses against
# the requests the device completed.
#
# Environment (from bench.sh): BENCH_TESTS (comma-separated
# WORKLOAD:SIZE:QD), BENCH_REPS, BENCH_WARMUP and BENCH_SECS (seconds),
# BENCH_CONTENDERS (space-separated WHO:MODE: ours or a driver's NAME
# with intr or poll, base with intr or poll, linux with a scheduler or
# "default", ring:poll), BENCH_COUNT_SECS (the counting pass's window; 0:
# no counting pass), BENCH_SCALE; BENCH_BASE, another build's iogen (an
# earlier commit's: a before-and-after in one run), the contender "base",
# by default run right after ours.

set -u

tests=${BENCH_TESTS:-randread:4k:32}
reps=${BENCH_REPS:-1}
warm=${BENCH_WARMUP:-1}
secs=${BENCH_SECS:-3}
contenders=${BENCH_CONTENDERS:-ours:intr ours:poll \
${BENCH_BASE:+base:intr base:poll} linux:none linux:default ring:poll}
count_secs=${BENCH_COUNT_SECS:-1.5}
given_up=
bin=$LAB_REPO/build/bench
tmp=/tmp/bench
mkdir -p "$tmp"

note() {
	echo "# $*"
}

die() {
	echo "bench: $*" >&2
	exit 1
}

# Every contender's I/O generator is there and its mode is one it has.
for c in $contenders; do
	case $c in
	ours:intr | ours:poll | linux:?* | ring:poll) ;;
	base:intr | base:poll)
		[ -x "${BENCH_BASE:-}" ] ||
			die "$c: BENCH_BASE is not an I/O generator" ;;
	*:intr | *:poll)
		[ -x "$LAB_REPO/build/drivers/${c%%:*}/bench/iogen" ] ||
			die "$c: no build/drivers/${c%%:*}/bench/iogen" \
			    "(make driver)" ;;
	*) die "BENCH_CONTENDERS: '$c' is not WHO:MODE" ;;
	esac
done

# --- controllers to Linux's vmw_pvscsi -------------------------------------

# linux_take BDF: unbind from vfio-pci and switch the IOMMU group to
# identity (QEMU's pvscsi bypasses the IOMMU for descriptors: Linux's
# driver crashes in a translated domain).
linux_take() {
	dev=/sys/bus/pci/devices/$1
	[ -e "$dev/driver" ] && echo "$1" >"$dev/driver/unbind"
	echo >"$dev/driver_override"
	group=$(readlink "$dev/iommu_group")
	group=${group##*/}
	echo identity >"/sys/kernel/iommu_groups/$group/type" ||
		die "cannot switch IOMMU group $group to identity"
	read -r type <"/sys/kernel/iommu_groups/$group/type"
	[ "$type" = identity ] || die "IOMMU group $group is $type"
}

# linux_stack [MODULE]: load the SCSI stack from $LAB_MODULES in order,
# up to (not including) MODULE.
linux_stack() {
	while read -r m; do
		[ "$m" = "${1:-}" ] && return 0
		insmod "$LAB_MODULES/$m" || die "insmod $m failed"
	done <"$LAB_MODULES/order"
}

# linux_disks BDF: the names of the function's disks in /sys/block.
linux_disks() {
	for b in /sys/bus/pci/devices/"$1"/host*/target*/*/block/*; do
		[ -e "$b" ] && echo "${b##*/}"
	done
}

# linux_attach BDF: the function to Linux, with its SCSI stack; sets disk.
linux_attach() {
	linux_take "$1"
	linux_stack
	disk=
	for i in $(seq 50); do
		disk=$(linux_disks "$1" | tail -n 1)
		[ -n "$disk" ] && [ -b "/dev/$disk" ] && return 0
		sleep 0.2
	done
	die "no disk appeared on $1"
}

# The scheduler in brackets in /sys/block/DISK/queue/scheduler.
default_sched() {
	for s in $(cat "/sys/block/$1/queue/scheduler"); do
		case $s in
		\[*\]) s=${s#\[}; echo "${s%\]}"; return ;;
		esac
	done
}

# The schedulers to run: none, then DEFAULT when it is another.
sched_list() {
	echo none
	[ -n "$1" ] && [ "$1" != none ] && echo "$1"
}

# --- one measurement each --------------------------------------------------

# The pass's timing: warm-up and window (seconds); pass_count is -q in
# the counting pass, when every window is counted at the device
# (bench/devcount.h).
pass_warm=$warm pass_secs=$secs pass_count=

# iogen_of WHO: the I/O generator linked with driver WHO: ours, or
# another driver built by make driver.
iogen_of() {
	if [ "$1" = ours ]; then
		echo "$bin/iogen"
	else
		echo "$LAB_REPO/build/drivers/$1/bench/iogen"
	fi
}

# run_driver WHO MODE TEST: a driver through iogen, stopped when it
# overruns its time by a minute (a driver that hangs).  A driver that
# did not come up (iogen's status 3) or hung is not run again; one that
# failed after its result (on its way down) keeps the result.
run_driver() {
	case " $given_up " in
	*" $1 "*) note "$1: $3:$2 not run (the driver failed before)"
		return ;;
	esac
	limit=$(awk -v w="$pass_warm" -v s="$pass_secs" \
	    'BEGIN { print int(w + s + 60) }')
	# shellcheck disable=SC2086
	timeout -k 5 "$limit" "$(iogen_of "$1")" -x ours -l "$1" $pass_count \
	    -n "$rep" -w "$pass_warm" -t "$pass_secs" "$3:$2" >"$tmp/iogen"
	rc=$?
	cat "$tmp/iogen"
	[ "$rc" = 0 ] && return
	if grep -q '^R ' "$tmp/iogen"; then
		note "$1: $3:$2 failed after its result (status $rc)"
		return
	fi
	note "$1: $3:$2 failed (status $rc)"
	case $rc in
	3 | 124 | 137) given_up="$given_up $1" ;;
	esac
}

# run_base MODE TEST: another build's iogen (BENCH_BASE), its results
# relabelled "base".  It may predate -l and -q, so it takes only the
# options every iogen has, and stays out of the counting pass.
run_base() {
	[ -z "$pass_count" ] || return
	"$BENCH_BASE" -x ours -n "$rep" -w "$pass_warm" -t "$pass_secs" \
	    "$2:$1" | sed 's/^R who=ours /R who=base /' ||
		note "base: $2:$1 failed"
}

run_ring() {
	# shellcheck disable=SC2086
	"$bin/iogen" -x ring $pass_count -n "$rep" -w "$pass_warm" \
	    -t "$pass_secs" "$1" ||
		note "ring: $1 failed (status $?)"
}

# run_fio SCHED TEST: fio on Linux's disks ($fio_disks), as the job
# options in $fio_jobs say (one job per --name); guest CPU and
# vmw_pvscsi's interrupts come from cpuwin over a window inside fio's
# measured time (in the counting pass, counted at the device too).  The
# result line ends with $fio_tag.
run_fio() {
	sched=$1
	wl=${2%%:*}
	qd=${2##*:}
	size=${2#*:}
	size=${size%:*}
	case $wl in
	randread | randwrite) rw=$wl ;;
	seqread) rw=read ;;
	*) die "unknown workload $wl" ;;
	esac
	bytes=$(awk -v s="$size" 'BEGIN { n = s + 0;
	    if (s ~ /[kK]$/) n *= 1024; print n }')
	# the window: from 0.6 s into the measured time to 0.4 s before its end
	set -- $(awk -v w="$pass_warm" -v s="$pass_secs" 'BEGIN {
	    d = w + 0.6; t = s - 1.0; if (t < 0.5) t = 0.5; print d, t }')
	for d in $fio_disks; do
		echo "$sched" >"/sys/block/$d/queue/scheduler"
	done
	# shellcheck disable=SC2086
	"$bin/cpuwin" $pass_count "$1" "$2" vmw_pvscsi >"$tmp/win" &
	winpid=$!
	# shellcheck disable=SC2086
	fio --rw="$rw" --bs="$bytes" --iodepth="$qd" --direct=1 \
	    --ioengine=io_uring --time_based --ramp_time="$pass_warm" \
	    --runtime="$pass_secs" --norandommap --randrepeat=0 \
	    --file_service_type=roundrobin --group_reporting \
	    --lat_percentiles=1 --percentile_list=50:99 \
	    --output-format=json $fio_jobs >"$tmp/fio.json" 2>"$tmp/fio.err" ||
		note "fio: $sched $wl:$size:$qd failed: $(cat "$tmp/fio.err")"
	wait "$winpid"
	{
		awk -f "$LAB_REPO/bench/fio.awk" "$tmp/fio.json"
		cat "$tmp/win"
	} | awk -v who=linux -v mode="$sched" -v wl="$wl" -v bs="$bytes" \
	    -v qd="$qd" -v rep="$rep" -v tag="$fio_tag" '
	    { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
	    END {
		ios = v["iops"] * v["secs"]
		printf "R who=%s mode=%s wl=%s bs=%d qd=%d rep=%d secs=%s " \
		    "ios=%.0f errors=%d iops=%s mbps=%s p50=%s p99=%s kicks=- " \
		    "intrs=%.3f cpu=%.2f%s%s\n", who, mode, wl, bs, qd, rep,
		    v["secs"], ios, v["errors"], v["iops"], v["mbps"],
		    v["p50"], v["p99"], (ios > 0 ? v["irqs"] / ios : 0),
		    (ios > 0 ? v["cpu_us"] / ios : 0), tag,
		    (v["trace"] != "" ? " trace=" v["trace"] : "")
	    }'
}

# --- the passes ---------------------------------------------------------------

# run_pass NAME: every test, each run by every contender in turn.
run_pass() {
	n=0
	for t in $(echo "$tests" | tr , ' '); do
		n=$((n + 1))
		note "$1, test $n/$ntests: $t"
		for c in $contenders; do
			who=${c%%:*}
			mode=${c#*:}
			case $who:$mode in
			linux:default)
				[ -n "$def" ] && [ "$def" != none ] &&
					run_fio "$def" "$t" ;;
			linux:*) run_fio "$mode" "$t" ;;
			ring:*) run_ring "$t" ;;
			base:*) run_base "$mode" "$t" ;;
			*) run_driver "$who" "$mode" "$t" ;;
			esac
		done
	done
}

# devcount_lines FILE: for each result line of FILE counted at the device
# (trace=FROM-TO), a "K ..." line: what bench/devcount.awk counts in that
# range of QEMU's trace.
devcount_lines() {
	sed -n 's/^\(R .*\) trace=\([0-9]*\)-\([0-9]*\).*/\2 \3 \1/p' "$1" |
	    while read -r from to line; do
		tail -c +"$((from + 1))" "$LAB_OUT/trace.log" |
		    head -c "$((to - from))" |
		    awk -v r="$line" -f "$LAB_REPO/bench/devcount.awk"
	done
}

# --- at scale -----------------------------------------------------------------

# scale_main HBAS LUNS: the first HBAS controllers of $LAB_PVSCSI to our
# driver, the next HBAS to Linux's, each with LUNS disks; each round and
# test, QD per controller over all of them: ours (iogen -s: it attaches,
# which gives the discovery time, "D" lines), then Linux's driver loaded
# (moddisc: the time from its load to all its disks in /sys/block),
# fio with one job per controller over its disks (round robin), with
# each scheduler, and the driver unloaded again.
scale_main() {
	n=$1
	luns=$2
	set -- $LAB_PVSCSI
	[ $# -eq $((2 * n)) ] || die "need $((2 * n)) PVSCSI functions, have $#"
	ours=
	i=0
	for b; do
		i=$((i + 1))
		[ $i -le "$n" ] && ours="$ours $b" && continue
		linux_take "$b"
		theirs="${theirs:-} $b"
	done
	linux_stack vmw_pvscsi.ko
	echo "I scale_hbas=$n scale_luns=$luns"
	export LAB_PVSCSI="${ours# }" FK_STRICT_DMA=0 FK_DEBUG=0
	fio_tag=" hbas=$n luns=$luns"
	for rep in $(seq "$reps"); do
		for t in $(echo "$tests" | tr , ' '); do
			note "at scale: round $rep/$reps: $t"
			"$bin/iogen" -x ours -s -n "$rep" -w "$warm" -t "$secs" \
			    "$t:intr" || note "ours: $t failed (status $?)"
			# shellcheck disable=SC2086
			"$bin/moddisc" "$LAB_MODULES/vmw_pvscsi.ko" "$luns" \
			    "$rep" $theirs || note "Linux: not every disk came"
			fio_disks= fio_jobs=
			i=0
			for b in $theirs; do
				d=$(linux_disks "$b")
				fio_disks="$fio_disks $d"
				fio_jobs="$fio_jobs --name=hba$i --filename=$(echo \
				    "$d" | sed 's|^|/dev/|' | paste -sd: -)"
				i=$((i + 1))
			done
			# shellcheck disable=SC2086
			set -- $fio_disks
			for s in $(sched_list "$(default_sched "$1")"); do
				run_fio "$s" "$t"
			done
			rmmod vmw_pvscsi || die "rmmod vmw_pvscsi failed"
		done
	done
	note "done"
}

# --- main --------------------------------------------------------------------

if [ -n "${BENCH_SCALE:-}" ]; then
	scale_main "${BENCH_SCALE%%:*}" "${BENCH_SCALE#*:}"
	exit 0
fi

set -- $LAB_PVSCSI
[ $# -ge 2 ] || die "need two PVSCSI functions, have: $*"
ctl_a=$1
ctl_b=$2
linux_attach "$ctl_b"
fio_disks=$disk fio_jobs="--name=bench --filename=/dev/$disk" fio_tag=
def=$(default_sched "$disk")
echo "I controller_ours=$ctl_a controller_linux=$ctl_b linux_disk=$disk"
echo "I default_sched=$def kernel=$(uname -r) cpus=$(nproc)"
echo "I fio=$(fio --version) reps=$reps warmup=$warm secs=$secs"
[ -n "${BENCH_BASE:-}" ] && echo "I base=$BENCH_BASE"

# The fakekernel sees controller A only (B is no longer bound to
# vfio-pci, so its platform cannot claim it); DMA strictness is for tests,
# and it runs in its production configuration (FK_DEBUG=0: no kmem
# debugging, no lock-order witness), as an illumos non-DEBUG kernel does.
export LAB_PVSCSI="$ctl_a" FK_STRICT_DMA=0 FK_DEBUG=0

# Tracing is for the counting pass only.
if [ -f "$LAB_OUT/trace.log" ]; then
	qmp -q '{"execute":"trace-event-set-state",
	    "arguments":{"name":"pvscsi_*","enable":false}}' ||
		die "cannot switch QEMU's trace off"
fi

ntests=$(echo "$tests" | tr , '\n' | grep -c .)
for rep in $(seq "$reps"); do
	run_pass "round $rep/$reps"
done
if [ "$count_secs" != 0 ] && [ -f "$LAB_OUT/trace.log" ]; then
	pass_warm=0.5 pass_secs=$count_secs pass_count=-q rep=1
	run_pass "counting at the device" >"$tmp/count"
	grep -v '^R ' "$tmp/count"
	devcount_lines "$tmp/count"
elif [ "$count_secs" != 0 ]; then
	note "no trace (lab/lab --trace): nothing counted at the device"
fi
note "done"

#!/bin/sh
# Run every test: lint, the fuzzer, the tests of make compare's
# judgement (tests/compare), the host unit tests (build/tests/unit/*),
# the lab's own self-test, and the lab scenarios listed in
# tests/lab/suites, each of which boots a guest.  Every program speaks the protocol of
# tests/check.h; this script counts its PASS and FAIL lines and ends with
# "N passed, N failed".  A whole run (no option) writes its counts, the
# date, the host and the QEMU version to build/check-summary.
#
#   sh tests/run.sh [-u] [-l] [-k PATTERN] [--kind KIND] [--driver DIR]
#	[--env K=V]...
#	-u	unit tests only		-l	lab tests only
#	-k P	only suites/programs whose name contains P
#	--kind KIND	only the lab scenarios of that kind (implies -l):
#		black (SCSA, DDI, the device and QMP only: any pvscsi
#		driver must pass them), white (checks of our driver's
#		internals) or lab (the lab's platform and the device, no
#		driver)
#	--driver DIR	the lab scenarios with the pvscsi driver whose source
#		is in DIR (pvscsi.c, pvscsi.h, pvscsi_var.h) in place of ours,
#		built by make driver (implies -l; no aarch64 subset, no
#		scenario of kind lab); logs in build/test-logs/drivers/NAME/
#	--env K=V	K=V in every scenario's environment (after the
#		suite's own settings, so it wins: --env FK_STRICT_DMA=0)
#
# A scenario that the lab stopped at its timeout prints "FAIL NAME: HANG
# ...", one that panicked "FAIL NAME: PANIC" with the fakekernel's panic
# line, each followed by the end of its log.
set -u
cd "$(dirname "$0")/.." || exit 2
top=$(pwd)
logdir=$top/build/test-logs
unit=1 lab=1 pat="" kind="" driver="" extra=""
usage() {
	echo "usage: tests/run.sh [-u] [-l] [-k pattern] [--kind" \
	    "black|white|lab] [--driver dir] [--env K=V]..." >&2
	exit 2
}
# The long options first (getopts takes only short ones).
while [ $# -gt 0 ]; do
	case $1 in
	--driver) [ $# -ge 2 ] || usage; driver=$2; shift 2 ;;
	--kind)
		[ $# -ge 2 ] || usage
		case $2 in black|white|lab) ;; *)
			echo "tests/run.sh: --kind $2: not black, white" \
			    "or lab" >&2
			exit 2 ;;
		esac
		kind=$2 unit=0; shift 2 ;;
	--env)
		[ $# -ge 2 ] || usage
		case $2 in *=*) ;; *) usage ;; esac
		extra="$extra --env $2"; shift 2 ;;
	-u|-l) [ "$1" = -u ] && lab=0; [ "$1" = -l ] && unit=0; shift ;;
	-k) [ $# -ge 2 ] || usage; pat=$2; shift 2 ;;
	-k?*) pat=${1#-k}; shift ;;
	*) usage ;;
	esac
done
if [ -n "$driver" ]; then
	if [ ! -f "$driver/pvscsi.c" ]; then
		echo "tests/run.sh: --driver $driver: no pvscsi.c there" >&2
		exit 2
	fi
	unit=0
	dname=$(basename "$(cd "$driver" && pwd)")
	dbuild=build/drivers/$dname
	logdir=$logdir/drivers/$dname
fi
mkdir -p "$logdir"

passed=0 failed=0
failures=""

# run NAME CMD...: run one program, echo its result lines, count them.
run() {
	name=$1; shift
	case $name in *"$pat"*) ;; *) return 0 ;; esac
	log=$logdir/$(echo "$name" | tr '/ ' '__').log
	start=$(date +%s)
	"$@" >"$log" 2>&1
	rc=$?
	# A guest that never ran the program (the lab's 124 timeout or 125
	# guest failure, with no result line) is the lab's failure, not the
	# test's: say so and run it once more.
	if { [ "$rc" -eq 124 ] || [ "$rc" -eq 125 ]; } &&
	    ! grep -qE '^(PASS|FAIL) ' "$log"; then
		echo "  [$name] # the guest did not run it (exit $rc); once more"
		mv "$log" "$log.first"
		"$@" >"$log" 2>&1
		rc=$?
	fi
	dur=$(( $(date +%s) - start ))
	p=$(grep -c '^PASS ' "$log")
	f=$(grep -c '^FAIL ' "$log")
	grep -E '^(PASS|FAIL) ' "$log" | sed "s|^|  [$name] |"
	if [ "$rc" -eq 124 ] && grep -q '^lab: timeout after' "$log"; then
		echo "  [$name] FAIL $name: HANG: $(grep -m 1 \
		    '^lab: timeout after' "$log" | sed 's/^lab: //') (log: $log)"
		tail -n 15 "$log" | sed 's/^/      /'
		f=$((f + 1))
	elif [ "$rc" -ne 0 ] && grep -q '^panic: ' "$log"; then
		echo "  [$name] FAIL $name: PANIC: $(grep -m 1 '^panic: ' \
		    "$log" | sed 's/^panic: //') (log: $log)"
		grep -A 8 -m 1 '^panic: ' "$log" | tail -n +2 | \
		    sed 's/^/      /'
		f=$((f + 1))
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "  [$name] FAIL $name: exited $rc with no FAIL line (log: $log)"
		tail -n 15 "$log" | sed 's/^/      /'
		f=1
	elif [ "$f" -ne 0 ]; then
		echo "  [$name] log: $log"
	fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		echo "  [$name] FAIL $name: ran no check (log: $log)"
		f=1
	fi
	echo "$name: $p passed, $f failed (${dur}s)"
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$f" -ne 0 ] && failures="$failures $name"
	return 0
}

if [ "$unit" = 1 ]; then
	run lint make -s --no-print-directory lint
	run fuzz make -s --no-print-directory fuzz-check
	run compare sh tests/compare/t_compare.sh
	for t in build/tests/unit/*; do
		[ -x "$t" ] && [ -f "$t" ] || continue
		case $t in *.o) continue ;; esac
		run "unit/$(basename "$t")" "$t"
	done
fi

# --driver: build the driver and the lab programs with it; each program
# that does not link (it needs our driver's own symbols) is reported
# where its scenario would run.
if [ -n "$driver" ]; then
	# Built afresh, so that pvscsi.o stands for this build's success
	# (make would take the programs of an earlier build as up to date).
	rm -rf "$dbuild"
	mkdir -p "$dbuild"
	make -k -s --no-print-directory driver DRIVER_DIR="$driver" \
	    >"$dbuild/build.log" 2>&1
	# A driver of illumos before 15483 (2023) passes ndi_devi_enter(9F)
	# a "circular" argument: build it against that interface.
	if [ ! -f "$dbuild/pvscsi.o" ] &&
	    grep -q 'ndi_devi_enter' "$dbuild/build.log"; then
		echo "# $driver: built against illumos's NDI before 15483" \
		    "(ndi_devi_enter with a circular argument)"
		make -k -s --no-print-directory driver DRIVER_DIR="$driver" \
		    DRIVER_NDI=circular >"$dbuild/build.log" 2>&1
	fi
	if [ ! -f "$dbuild/pvscsi.o" ]; then
		echo "FAIL build: $driver does not build (log: $dbuild/build.log)"
		grep -E 'error' "$dbuild/build.log" | head -n 15 | sed 's/^/      /'
		echo "0 passed, 1 failed"
		exit 1
	fi
fi

# lab_prog CMD: the program of a suite's command, with --driver the one
# linked with that driver.
lab_prog() {
	if [ -n "$driver" ]; then
		echo "$1" | sed "s|^build/tests/lab/|$dbuild/tests/lab/|"
	else
		echo "$1"
	fi
}

# not_linked NAME PROG: a scenario whose program did not link with
# --driver's driver: say which of our driver's symbols it needs.
not_linked() {
	syms=$(grep -F "$(basename "$2").c" "$dbuild/build.log" |
	    sed -n "s/.*undefined reference to .\(.*\)'.*/\1/p" |
	    sort -u | tr '\n' ' ')
	echo "  [$1] FAIL $1: not linked with $driver (needs our" \
	    "driver's symbols: ${syms:-see $dbuild/build.log})"
	echo "$1: 0 passed, 1 failed (0s)"
	failed=$((failed + 1))
	failures="$failures $1"
}

if [ "$lab" = 1 ]; then
	if [ -x lab/selftest/run.sh ] && [ -z "$driver" ] && [ -z "$kind" ]; then
		run "lab/selftest" sh lab/selftest/run.sh
	fi
	if [ -f tests/lab/suites ]; then
		# name | kind | lab options | command (relative to the top)
		line=0
		while IFS='|' read -r name skind opts cmd; do
			line=$((line + 1))
			name=$(echo "$name" | sed 's/^ *//;s/ *$//')
			case $name in ''|'#'*) continue ;; esac
			skind=$(echo "$skind" | sed 's/^ *//;s/ *$//')
			case $skind in black|white|lab) ;; *)
				echo "tests/run.sh: tests/lab/suites:$line:" \
				    "$name: kind '$skind' is not black, white" \
				    "or lab" >&2
				exit 2 ;;
			esac
			[ -z "$kind" ] || [ "$skind" = "$kind" ] || continue
			# A scenario of kind lab runs no driver.
			[ -z "$driver" ] || [ "$skind" != lab ] || continue
			case "lab/$name" in *"$pat"*) ;; *) continue ;; esac
			cmd=$(echo "$cmd" | sed 's/^ *//')
			prog=$(lab_prog "${cmd%% *}")
			args=${cmd#"${cmd%% *}"}
			if [ -n "$driver" ] && [ ! -x "$prog" ]; then
				not_linked "lab/$name" "$prog"
				continue
			fi
			# shellcheck disable=SC2086
			run "lab/$name" lab/lab $opts $extra -- $prog $args \
			    </dev/null
		done < tests/lab/suites
	fi
	# A representative subset on the emulated arm64 machine: discovery,
	# integrity, saturation, hot plug, resets under load (make
	# check-aarch64 runs them all).
	if [ -f tests/arch-suites.sh ] && [ -d build/aarch64 ] &&
	    [ -z "$driver" ] && [ -z "$extra" ] && [ -z "$kind" ]; then
		run "lab/aarch64" sh tests/arch-suites.sh -a aarch64 \
		    -k attach -k io-msi -k saturate-msi -k platform-hotplug \
		    -k recover-msi
	fi
fi

[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
# A whole run (make check) leaves its summary for make patch's Testing.
if [ "$unit$lab" = 11 ] && [ -z "$pat" ]; then
	{
		echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
		echo "host: $(uname -srm), $(nproc) cores"
		echo "qemu: $(qemu-system-x86_64 --version 2>/dev/null | head -1)"
		echo "passed: $passed"
		echo "failed: $failed"
		echo "failures:$failures"
	} >"$top/build/check-summary"
fi
[ "$failed" -eq 0 ]

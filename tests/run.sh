#!/bin/sh
# Run every test: the host unit tests (build/tests/unit/*), the lab's own
# self-test, and the lab scenarios listed in tests/lab/suites, each of
# which boots a guest.  Every program speaks the protocol of
# tests/check.h; this script counts its PASS and FAIL lines and ends with
# "N passed, N failed".  A whole run (no option) writes its counts, the
# date, the host and the QEMU version to build/check-summary.
#
#   sh tests/run.sh [-u] [-l] [-k PATTERN]
#	-u	unit tests only		-l	lab tests only
#	-k P	only suites/programs whose name contains P
set -u
cd "$(dirname "$0")/.." || exit 2
top=$(pwd)
logdir=$top/build/test-logs
mkdir -p "$logdir"
unit=1 lab=1 pat=""
while getopts ulk: o; do
	case $o in
	u) lab=0 ;;
	l) unit=0 ;;
	k) pat=$OPTARG ;;
	*) echo "usage: tests/run.sh [-u] [-l] [-k pattern]" >&2; exit 2 ;;
	esac
done

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
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
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
	for t in build/tests/unit/*; do
		[ -x "$t" ] && [ -f "$t" ] || continue
		case $t in *.o) continue ;; esac
		run "unit/$(basename "$t")" "$t"
	done
fi

if [ "$lab" = 1 ]; then
	if [ -x lab/tests/run.sh ]; then
		run "lab/selftest" sh lab/tests/run.sh
	fi
	if [ -f tests/lab/suites ]; then
		# name | lab options | command (relative to the repo top)
		while IFS='|' read -r name opts cmd; do
			name=$(echo "$name" | sed 's/^ *//;s/ *$//')
			case $name in ''|'#'*) continue ;; esac
			# shellcheck disable=SC2086
			run "lab/$name" lab/lab $opts -- $cmd </dev/null
		done < tests/lab/suites
	fi
	# A representative subset on the emulated arm64 machine: discovery,
	# integrity, saturation, hot plug, resets under load (make
	# check-aarch64 runs them all).
	if [ -f lab/tests/suites.sh ] && [ -d build/aarch64 ]; then
		run "lab/aarch64" sh lab/tests/suites.sh -a aarch64 \
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

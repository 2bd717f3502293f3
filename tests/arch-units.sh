#!/bin/sh
# tests/arch-units.sh [-a ARCH] [-k PATTERN]: runs the host unit tests
# built for ARCH (default aarch64; build/ARCH/tests/unit/t_*, see
# mk/ARCH.mk) inside one lab guest of that architecture, so that they
# meet its ABI (unsigned char, weaker memory ordering, static linking).
# Passes each program's check lines through as "PASS ARCH/PROGRAM: check"
# (FAIL likewise), adds a FAIL line for a program that failed without one,
# and ends with "N passed, N failed"; exits non-zero on any failure.  -k
# runs only the programs whose name contains PATTERN.
set -u
arch=aarch64 pat=
while getopts a:k: o; do
	case $o in
	a) arch=$OPTARG ;;
	k) pat=$OPTARG ;;
	*) echo "usage: tests/arch-units.sh [-a ARCH] [-k PATTERN]" >&2; exit 2 ;;
	esac
done
cd "$(dirname "$0")/.." || exit 2
dir=build/$arch/tests/unit
# Every tests/unit/t_*.c must have an up-to-date program.
set --
unbuilt=0
for src in tests/unit/t_*.c; do
	t=${src##*/}
	t=${t%.c}
	case $t in *"$pat"*) ;; *) continue ;; esac
	if [ ! -x "$dir/$t" ] || [ -n "$(find "$src" -newer "$dir/$t")" ]; then
		echo "FAIL $arch/$t: expected $dir/$t built from $src, saw it missing or older (make $arch-unit)"
		unbuilt=$((unbuilt + 1))
		continue
	fi
	set -- "$@" "$t"
done
if [ $# -eq 0 ]; then
	[ "$unbuilt" -gt 0 ] ||
		echo "FAIL $arch/units: expected programs in $dir, saw none (make $arch-unit)"
	echo "0 passed, $((unbuilt > 0 ? unbuilt : 1)) failed"
	exit 1
fi
log=build/$arch/test-logs/units.log
mkdir -p "${log%/*}" || exit 2

# In the guest (busybox sh): each program's output, its lines prefixed
# with its name, then "# NAME exit STATUS".
# shellcheck disable=SC2016
script='d=$1; shift
for t; do
	"$d/$t" >"$LAB_OUT/$t.out" 2>&1
	rc=$?
	sed "s|^|[$t] |" "$LAB_OUT/$t.out"
	echo "# $t exit $rc"
done'
lab/lab --arch "$arch" --timeout 900 sh -c "$script" units "$dir" "$@" \
    </dev/null >"$log" 2>&1
rc=$?
sed -n -E "s#^\[([^]]*)\] (PASS|FAIL) #\2 $arch/\1: #p" "$log"
failed=$unbuilt
for t; do
	st=$(sed -n "s/^# $t exit //p" "$log")
	if [ -z "$st" ]; then
		echo "FAIL $arch/$t: expected it to run, saw no exit status (lab exit $rc, log: $log)"
		failed=$((failed + 1))
	elif [ "$st" -ne 0 ] && ! grep -q "^\[$t\] FAIL " "$log"; then
		echo "FAIL $arch/$t: expected exit status 0, saw $st and no FAIL line (log: $log)"
		failed=$((failed + 1))
	fi
done
passed=$(grep -c '^\[[^]]*\] PASS ' "$log")
failed=$((failed + $(grep -c '^\[[^]]*\] FAIL ' "$log")))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

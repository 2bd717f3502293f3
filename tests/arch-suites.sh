#!/bin/sh
# tests/arch-suites.sh [-a ARCH] [-k PATTERN]: runs the lab scenarios of
# tests/lab/suites ("name | kind | lab options | command") on a guest of
# architecture ARCH (default aarch64): each as
#
#	lab/lab --arch ARCH OPTIONS -- build/ARCH/PROGRAM ARGS...
#
# where the suite's command is build/PROGRAM ARGS... (the programs of
# mk/ARCH.mk).  -k runs only the suites whose name contains PATTERN (-k
# may be repeated: any of them).  Passes each program's check lines
# through as "PASS ARCH/SUITE: check" (FAIL likewise), adds a FAIL line for
# a run that failed without one (or checked nothing), prints "# " lines
# per suite, and ends with "N passed, N failed"; exits non-zero on any
# failure.  Logs go to build/ARCH/test-logs/.
set -u
arch=aarch64 pats=
nl='
'
while getopts a:k: o; do
	case $o in
	a) arch=$OPTARG ;;
	k) pats="$pats$OPTARG$nl" ;;
	*) echo "usage: tests/arch-suites.sh [-a ARCH] [-k PATTERN]" >&2; exit 2 ;;
	esac
done
cd "$(dirname "$0")/.." || exit 2
logs=build/$arch/test-logs
mkdir -p "$logs" || exit 2
passed=0 failed=0

# suite NAME OPTIONS COMMAND: runs one scenario and counts its lines.
suite() {
	log=$logs/$1.log
	start=$(date +%s)
	prog=${3%% *}
	if [ ! -x "$prog" ]; then
		echo "FAIL $arch/$1: expected the program $prog, saw none (make $arch-lab)"
		failed=$((failed + 1))
		return
	fi
	# shellcheck disable=SC2086
	lab/lab --arch "$arch" $2 -- $3 </dev/null >"$log" 2>&1
	rc=$?
	p=$(grep -c '^PASS ' "$log")
	f=$(grep -c '^FAIL ' "$log")
	sed -n -E "s#^(PASS|FAIL) #\1 $arch/$1: #p" "$log"
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $arch/$1: expected exit status 0, saw $rc and no FAIL line (log: $log)"
		f=1
	elif [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $arch/$1: expected checks, saw none (log: $log)"
		f=1
	fi
	echo "# $arch/$1: $p passed, $f failed ($(($(date +%s) - start)) s)"
	passed=$((passed + p))
	failed=$((failed + f))
}

while IFS='|' read -r name kind opts cmd; do
	name=$(echo "$name" | sed 's/^ *//;s/ *$//')
	case $name in '' | '#'*) continue ;; esac
	if [ -n "$pats" ]; then
		want=
		while IFS= read -r p; do
			case $name in *"$p"*) [ -n "$p" ] && want=1 ;; esac
		done <<EOF
$pats
EOF
		[ -n "$want" ] || continue
	fi
	cmd=$(echo "$cmd" | sed 's/^ *//')
	case $cmd in
	build/*) cmd=build/$arch/${cmd#build/} ;;
	esac
	suite "$name" "$opts" "$cmd"
done <tests/lab/suites

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

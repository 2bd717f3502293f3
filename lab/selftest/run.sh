#!/bin/sh
# lab/selftest/run.sh [-a ARCH]: the lab's self-tests, on an x86_64 guest or
# (-a aarch64) on another guest architecture.  Prints one line per check
# and a summary; exits non-zero if any check failed.  The timeout test
# mostly waits, so it runs alongside the others (which also checks that
# lab runs can overlap).
while getopts a: o; do
	case $o in
	a) LAB_TEST_ARCH=$OPTARG; export LAB_TEST_ARCH ;;
	*) echo "usage: lab/selftest/run.sh [-a ARCH]" >&2; exit 2 ;;
	esac
done
dir=$(cd "$(dirname "$0")" && pwd -P)
out=$(mktemp -d "${TMPDIR:-/tmp}/labtest.XXXXXX") || exit 1
trap 'rm -rf "$out"' EXIT

# result NAME FILE STATUS: prints a test's lines, and a FAIL line of its
# own if the script failed without saying so.
result() {
	cat "$2"
	if [ "$3" -ne 0 ] && ! grep -q '^FAIL ' "$2"; then
		echo "FAIL $1: expected exit status 0, saw $3"
	fi
}

"$dir/t_timeout.sh" >"$out/t_timeout" 2>&1 &
bg=$!
for t in "$dir"/t_*.sh; do
	name=$(basename "$t" .sh)
	[ "$name" = t_timeout ] && continue
	"$t" >"$out/$name" 2>&1
	result "$name" "$out/$name" $? | tee -a "$out/all"
done
wait "$bg"
result t_timeout "$out/t_timeout" $? | tee -a "$out/all"

passed=$(grep -c '^PASS ' "$out/all")
failed=$(grep -c '^FAIL ' "$out/all")
echo "lab self-test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

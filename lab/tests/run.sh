#!/bin/sh
# lab/tests/run.sh: the lab's self-tests.  Prints one line per check and a
# summary; exits non-zero if any check failed.  The timeout test mostly
# waits, so it runs alongside the others (which also checks that lab runs
# can overlap).
dir=$(cd "$(dirname "$0")" && pwd -P)
out=$(mktemp -d "${TMPDIR:-/tmp}/labtest.XXXXXX") || exit 1
trap 'rm -rf "$out"' EXIT

"$dir/t_timeout.sh" >"$out/t_timeout" 2>&1 &
bg=$!
for t in "$dir"/t_*.sh; do
	[ "$t" = "$dir/t_timeout.sh" ] && continue
	"$t" 2>&1 | tee -a "$out/all"
done
wait "$bg"
tee -a "$out/all" <"$out/t_timeout"

passed=$(grep -c '^PASS ' "$out/all")
failed=$(grep -c '^FAIL ' "$out/all")
echo "lab self-test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

# lab/tests/common.sh: helpers for the lab's self-tests (sourced).
# Each test prints "PASS name" or "FAIL name: expected ..., saw ...".

LAB_TESTS=$(cd "$(dirname "$0")" && pwd -P)
REPO=$(cd "$LAB_TESTS/../.." && pwd -P)
LAB=$REPO/lab/lab
TBUILD=$REPO/build/lab/tests
RUNS=$REPO/build/lab/runs
mkdir -p "$TBUILD" "$RUNS"
failed=0

pass() {
	printf 'PASS %s\n' "$1"
}

fail() {
	printf 'FAIL %s: %s\n' "$1" "$2"
	failed=1
}

# check NAME EXPECTED SAW
check() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "expected $2, saw $3"
	fi
}

# Seconds since the epoch, with fractions.
now() {
	date +%s.%N
}

# Prints the lines of a file joined with '|' (for compact messages).
joined() {
	tr '\n' '|' <"$1" | sed 's/|$//'
}

# Passes the guest's own PASS/FAIL lines through; fails NAME if the run
# failed without saying why.  Usage: guest_result NAME RC OUTFILE
guest_result() {
	cat "$3"
	grep -q '^FAIL ' "$3" && failed=1
	if [ "$2" -ne 0 ] && ! grep -q '^FAIL ' "$3"; then
		fail "$1" "expected lab exit status 0, saw $2"
	fi
}

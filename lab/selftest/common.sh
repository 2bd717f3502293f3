# lab/selftest/common.sh: helpers for the lab's self-tests (sourced).
# Each test prints "PASS name" or "FAIL name: expected ..., saw ...".

LAB_TESTS=$(cd "$(dirname "$0")" && pwd -P)
REPO=$(cd "$LAB_TESTS/../.." && pwd -P)
LAB=$REPO/lab/lab
TBUILD=$REPO/build/lab/selftest
RUNS=$REPO/build/lab/runs

# The guest architecture under test: LAB_TEST_ARCH on the host (run.sh -a
# sets it), the guest's own LAB_ARCH inside it.  Tests run "$LAB"
# "$ARCH_OPT" ...; programs for the guest live in TBIN.
LAB_TEST_ARCH=${LAB_TEST_ARCH:-${LAB_ARCH:-x86_64}}
ARCH_OPT=--arch=$LAB_TEST_ARCH
case $LAB_TEST_ARCH in
x86_64) TBIN=$TBUILD ;;
*) TBIN=$REPO/build/$LAB_TEST_ARCH/lab/selftest ;;
esac
if [ -z "${LAB_OUT:-}" ]; then		# not in the guest: / is read-only there
	mkdir -p "$TBUILD" "$TBIN" "$RUNS"
fi
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

#!/bin/sh
# (a) exit status and output streaming.
. "$(dirname "$0")/common.sh"
tmp=$TBUILD/exit.$$
trap 'rm -f "$tmp".*' EXIT

"$LAB" "$ARCH_OPT" true >"$tmp.out" 2>&1
rc=$?
check exit-true "status 0, 0 bytes of output" \
	"status $rc, $(wc -c <"$tmp.out") bytes of output"

"$LAB" "$ARCH_OPT" sh -c 'exit 7' >"$tmp.out" 2>"$tmp.err"
check exit-7 7 $?
run=$(sed -n 's/^lab: run directory kept: //p' "$tmp.err")
check exit-7-run-kept "a run directory" "${run:+a run directory}"
[ -n "$run" ] && rm -rf "$run"

"$LAB" "$ARCH_OPT" sh -c 'echo out-line; echo err-line >&2; printf no-newline' \
	>"$tmp.out" 2>/dev/null
check output "out-line|err-line|no-newline" "$(joined "$tmp.out")"

# Binary output, written just before the command exits, arrives intact
# (it contains \001 bytes, the first byte of the guest's end marker).
head -c 4000000 /dev/urandom >"$tmp.bin"
"$LAB" "$ARCH_OPT" cat "$tmp.bin" >"$tmp.got" 2>/dev/null
check output-binary "$(sha256sum <"$tmp.bin")" "$(sha256sum <"$tmp.got")"

# Lines must arrive while the command runs, not at its end.
"$LAB" "$ARCH_OPT" sh -c 'echo first; sleep 3; echo second' | while IFS= read -r l; do
	printf '%s %s\n' "$(now)" "$l"
done >"$tmp.times"
gap=$(awk 'NR == 1 { a = $1 } NR == 2 { printf "%.1f", $1 - a }' "$tmp.times")
if awk -v g="${gap:-0}" 'BEGIN { exit !(g >= 2.5) }'; then
	pass streaming
else
	fail streaming "expected the lines 3 s apart, saw ${gap:-no} s ($(joined "$tmp.times"))"
fi
# A guest of another architecture refuses the host's programs instead of
# letting its shell run them as scripts.
if [ "$LAB_TEST_ARCH" != "$(uname -m)" ]; then
	"$LAB" "$ARCH_OPT" "$REPO/build/lab/qmp" >"$tmp.out" 2>&1
	rc=$?
	if grep -q '^lab: .* is a program for another architecture' "$tmp.out"
	then
		msg=refused
	else
		msg="'$(joined "$tmp.out")'"
	fi
	check foreign-program "status 126, refused" "status $rc, $msg"
	run=$(sed -n 's/^lab: run directory kept: //p' "$tmp.out")
	[ -n "$run" ] && rm -rf "$run"
fi
exit $failed

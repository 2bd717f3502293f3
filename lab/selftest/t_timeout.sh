#!/bin/sh
# (b) --timeout: exit 124, one message, no QEMU left behind.
. "$(dirname "$0")/common.sh"
tmp=$TBUILD/timeout.$$
trap 'rm -f "$tmp".*' EXIT

start=$(date +%s)
"$LAB" "$ARCH_OPT" --timeout 20 sh -c 'echo started; sleep 600' >"$tmp.out" 2>"$tmp.err"
rc=$?
elapsed=$(($(date +%s) - start))
check timeout-status 124 "$rc"
check timeout-message "lab: timeout after 20 s" "$(head -n 1 "$tmp.err")"
check timeout-output started "$(joined "$tmp.out")"
if [ "$elapsed" -ge 20 ] && [ "$elapsed" -le 35 ]; then
	pass timeout-duration
else
	fail timeout-duration "expected 20..35 s, saw $elapsed s"
fi

run=$(sed -n 's/^lab: run directory kept: //p' "$tmp.err")
pid=$(sed -n 's/.* started .*, pid \([0-9]*\)$/\1/p' "$run/qmp.log" 2>/dev/null)
if [ -z "$pid" ]; then
	fail timeout-no-qemu "expected the QEMU pid in $run/qmp.log, saw none"
elif kill -0 "$pid" 2>/dev/null; then
	fail timeout-no-qemu "expected QEMU (pid $pid) gone, saw it running"
else
	pass timeout-no-qemu
fi
[ -n "$run" ] && rm -rf "$run"
exit $failed

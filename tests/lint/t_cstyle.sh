#!/bin/sh
# Tests of the style checker (tests/lint/cstyle.c) on the samples in
# tests/lint/samples: the good*.c samples must pass untouched; each
# bad-RULE.c must produce exactly the findings listed in bad-RULE.expect
# ("line rule" a line), and every rule the checker knows must fire in
# the sample named after it.
# Speaks the protocol of tests/check.h.
#
#   sh tests/lint/t_cstyle.sh path/to/cstyle
set -u
cstyle=${1:?usage: t_cstyle.sh path/to/cstyle}
dir=$(cd "$(dirname "$0")/samples" && pwd)
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=tests/check.sh
. "$(dirname "$0")/../check.sh"
# findings FILE: the "line rule" pairs cstyle reports for FILE, sorted.
findings() {
	"$cstyle" "$1" | sed -n 's/^[^:]*:\([0-9]*\): \([a-z]*\): .*/\1 \2/p' |
	    sort -u
}

# The good samples: no finding, exit 0.
for c in "$dir"/good*.c; do
	name=cstyle-$(basename "$c" .c)
	out=$("$cstyle" "$c")
	rc=$?
	if [ "$rc" -eq 0 ] && [ -z "$out" ]; then
		pass "$name"
	else
		fail "$name" "expected no finding and exit 0, saw exit $rc:
$(echo "$out" | sed 's/^/# /')"
	fi
done

# Each bad sample: exactly its expected findings, exit 1.
for c in "$dir"/bad-*.c; do
	name=$(basename "$c" .c)
	findings "$c" >"$tmp/saw"
	sort -u "${c%.c}.expect" >"$tmp/want"
	"$cstyle" "$c" >/dev/null
	rc=$?
	if [ "$rc" -ne 1 ]; then
		fail "cstyle-$name" "expected exit 1, saw $rc"
	elif cmp -s "$tmp/want" "$tmp/saw"; then
		pass "cstyle-$name"
	else
		fail "cstyle-$name" "expected findings [$(tr '\n' ',' \
		    <"$tmp/want")], saw [$(tr '\n' ',' <"$tmp/saw")]"
	fi
done

# Every rule the checker lists fires in the sample named after it.
for rule in $("$cstyle" -l); do
	if [ -f "$dir/bad-$rule.c" ] &&
	    findings "$dir/bad-$rule.c" | grep -q " $rule\$"; then
		pass "cstyle-rule-fires-$rule"
	else
		fail "cstyle-rule-fires-$rule" \
		    "expected a $rule finding in bad-$rule.c, saw none"
	fi
done

# Usage errors and unreadable files exit 2.
"$cstyle" >/dev/null 2>&1
rc1=$?
"$cstyle" "$tmp/no-such-file.c" >/dev/null 2>&1
rc2=$?
if [ "$rc1" -eq 2 ] && [ "$rc2" -eq 2 ]; then
	pass cstyle-usage-errors
else
	fail cstyle-usage-errors "expected exit 2 and 2, saw $rc1 and $rc2"
fi

exit "$failed"

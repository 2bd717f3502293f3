#!/bin/sh
# The "Testing" section of make patch's commit message, from the last
# results in build/ (a result that is not there is "not run"):
#   make check	build/check-summary (tests/run.sh writes it after a
#		whole run): counts, date, host, QEMU version
#   make compare	build/compare/summary: its lines, quoted
#   make bench	build/bench/results.md: its run line and headline
#
#   sh tests/lint/testing.sh [BUILD]	(BUILD: build/ of the repository)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
sum=$build/check-summary
cmp=$build/compare/summary
bench=$build/bench/results.md

# field NAME: the value of "NAME: value" in the check summary.
field() {
	sed -n "s/^$1: *//p" "$sum" | head -1
}

echo "Testing"
echo
if [ -f "$sum" ]; then
	line="make check, $(field date): $(field passed) passed,"
	line="$line $(field failed) failed"
	names=$(field failures)
	[ -n "$names" ] && line="$line ($names)"
	echo "$line."
	echo "  Host $(field host); $(field qemu), TCG."
	cat <<-'EOF'
	  The driver's source, unchanged, compiled on Linux against a
	  userspace DDI/SCSA and run in a QEMU guest against QEMU's PVSCSI
	  device model (through VFIO): attach, I/O and data integrity, hot
	  plug, resets and aborts under load, a misbehaving device, and an
	  aarch64 guest; the host's unit tests, lint (cstyle, mandoc,
	  cppcheck, the driver built for amd64 and aarch64 against
	  headers matched with illumos-gate's) and a fuzzer over the
	  completion and message paths.
	EOF
else
	echo "make check: not run."
fi
echo
if [ -f "$cmp" ]; then
	echo "make compare:"
	sed 's/^/  /' "$cmp"
else
	echo "make compare: not run."
fi
echo
if [ -f "$bench" ]; then
	# The run line (third) and the headline table's rows, as text.
	awk '
		NR == 3 { print "make bench: " $0; next }
		/^## Headline/ { on = 1; print "  " substr($0, 4) ":"; next }
		/^## / { on = 0 }
		on && /^\| / && !/^\| ratio/ {
			n = split($0, c, "|")
			for (i = 2; i < n; i++) {
				sub(/^ +/, "", c[i])
				sub(/ +$/, "", c[i])
			}
			printf "  %s: %s (goal %s, %s)\n", c[2], c[3], c[4], c[5]
		}' "$bench" | fold -s -w 72 | sed -e 's/ *$//' -e '1!s/^\([^ ]\)/  \1/'
else
	echo "make bench: not run."
fi

# tests/check.sh: tests/check.h's protocol for the shell tests, sourced
# by them (". tests/check.sh" from the top, or with the path they know).
#
#	pass NAME		prints "PASS NAME"
#	fail NAME WHY		prints "FAIL NAME: WHY"; failed becomes 1
#	check NAME EXP SAW	pass when EXP and SAW are the same text, else
#				fail, saying both
#
# A test ends with "exit $failed".

failed=0

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; failed=1; }

check() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "expected '$2', saw '$3'"
	fi
}

#!/bin/sh
# The gate's own pre-integration checks (usr/src/tools/scripts/git-pbchk.py
# with the gate's cstyle) over a patch make patch wrote, in a scratch
# repository: the gate's HEAD versions of the files the patch touches and
# of its tools, the patch committed on top.  One PASS/FAIL line per check
# (tests/check.h).
#
#   sh tests/lint/pbchk.sh GATE PATCH
#
# Run: copyright, cstyle, hdrchk, keywords, mapfilechk, shelllint,
# winnames, wscheck.  Not run, and why: manlint (a host mandoc does not
# know illumos's manual sections; make lint runs mandoc -Tlint without
# that complaint), pkgfmt (pkg(5)'s pkgfmt is not on this host), comchk
# (it asks the illumos bug database), jstyle (no Java).
set -u
gate=${1:?usage: pbchk.sh GATE PATCH}
patch=${2:?usage: pbchk.sh GATE PATCH}
checks="copyright cstyle hdrchk keywords mapfilechk shelllint winnames
    wscheck"
failed=0

fail() {
	echo "FAIL $1: $2"
	failed=1
}

command -v python3 >/dev/null 2>&1 || { fail gate-pbchk "no python3"; exit 1; }
command -v perl >/dev/null 2>&1 || { fail gate-pbchk "no perl"; exit 1; }
[ -f "$gate/usr/src/tools/scripts/git-pbchk.py" ] ||
    { fail gate-pbchk "$gate has no usr/src/tools/scripts/git-pbchk.py"; exit 1; }
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
repo=$tmp/repo
mkdir -p "$repo" "$tmp/bin"

# The files the patch touches (those HEAD has) and the tools.
sed -n 's|^diff --git a/\([^ ]*\) b/.*|\1|p' "$patch" >"$tmp/paths"
echo usr/src/tools/onbld >>"$tmp/paths"
echo usr/src/tools/scripts >>"$tmp/paths"
# shellcheck disable=SC2046
git -C "$gate" ls-tree -r --name-only HEAD -- $(cat "$tmp/paths") \
    >"$tmp/have" || { fail gate-pbchk "cannot read $gate's HEAD"; exit 1; }
# shellcheck disable=SC2046
git -C "$gate" archive HEAD -- $(cat "$tmp/have") 2>/dev/null |
    tar -x -C "$repo" || { fail gate-pbchk "cannot read $gate's files"; exit 1; }
g() {
	git -C "$repo" -c user.name=pbchk -c user.email=pbchk@localhost \
	    -c commit.gpgsign=false "$@"
}
{
	g init -q -b base &&
	g add -A &&
	g commit -q -m base &&
	g checkout -q -b pvscsi &&
	g am -q "$patch"
} >"$tmp/git.log" 2>&1 || {
	fail gate-pbchk "the patch does not apply to $gate's HEAD"
	sed 's/^/# /' "$tmp/git.log"
	exit 1
}

# git-pbchk runs "cstyle": the gate's.
printf '#!/bin/sh\nexec perl %s "$@"\n' \
    "$repo/usr/src/tools/scripts/cstyle.pl" >"$tmp/bin/cstyle"
chmod +x "$tmp/bin/cstyle"
for c in $checks; do
	(cd "$repo" && PATH=$tmp/bin:$PATH python3 \
	    usr/src/tools/scripts/git-pbchk.py -p base -c "$c") \
	    >"$tmp/$c.log" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ] && ! grep -q . "$tmp/$c.log"; then
		echo "PASS gate-pbchk-$c"
	else
		fail "gate-pbchk-$c" "git-pbchk -c $c reports (exit $rc)"
		sed 's/^/# /' "$tmp/$c.log"
	fi
done
exit "$failed"

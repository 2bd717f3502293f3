#!/bin/sh
# The change `make export` makes to an illumos-gate, as a git
# format-patch file against the gate's HEAD, with an illumos-style
# commit message whose Testing section comes from the last results in
# build/: make check (build/check-summary), make compare
# (build/compare/summary) and make bench (build/bench/results.md).
#
#   sh tests/lint/patch.sh GATE OUT "SYNOPSIS"	(make patch GATE=...)
#
# The gate is not touched: its HEAD's versions of the files the export
# reads or writes (export.sh --paths) are exported in a scratch copy, and
# the commit is made in a scratch object directory that borrows the
# gate's objects.  The author is PATCH_AUTHOR ("Name <address>") or the
# git identity of this repository.  Then the gate's own checks run over
# the patch (tests/lint/pbchk.sh: PASS/FAIL lines); the exit status is
# theirs.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
gate=${1:-}
out=${2:-$top/build/pvscsi.patch}
synopsis=${3:-}

die() {
	echo "patch: $*" >&2
	exit 1
}

[ -n "$gate" ] || die "no gate given: make patch GATE=/path/to/illumos-gate"
[ -d "$gate" ] || die "$gate: no such directory"
[ -n "$synopsis" ] || die "no synopsis (make patch SYNOPSIS=\"NNNNN what\")"
git -C "$gate" rev-parse --verify -q HEAD >/dev/null 2>&1 ||
    die "$gate is not a git checkout with a HEAD"
gate=$(cd "$gate" && pwd)
case $out in /*) ;; *) out=$(pwd)/$out ;; esac

author=${PATCH_AUTHOR:-$(git -C "$top" config user.name) <$(git -C "$top" \
    config user.email)>}
case $author in
?*" <"?*@?*">") ;;
*) die "no author: set PATCH_AUTHOR=\"Name <address>\" (or git's user.name and user.email)" ;;
esac

tmp=$(mktemp -d) || die "cannot make a temporary directory"
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/gate" "$tmp/objects"

# The scratch copy: HEAD's versions of what the export reads or writes.
sh "$top/tests/lint/export.sh" --paths >"$tmp/paths" ||
    die "cannot list the export's paths"
# shellcheck disable=SC2046
git -C "$gate" ls-tree -r --name-only HEAD -- $(cat "$tmp/paths") \
    >"$tmp/existing" || die "cannot read $gate's HEAD"
if [ -s "$tmp/existing" ]; then
	# shellcheck disable=SC2046
	git -C "$gate" archive HEAD -- $(cat "$tmp/existing") 2>/dev/null |
	    tar -x -C "$tmp/gate" || die "cannot read $gate's HEAD files"
fi
# (The export looks for the manifests directory, whatever it holds.)
[ -n "$(git -C "$gate" ls-tree HEAD usr/src/pkg/manifests)" ] &&
    mkdir -p "$tmp/gate/usr/src/pkg/manifests"
sh "$top/tests/lint/export.sh" "$tmp/gate" >"$tmp/export.log" ||
    die "the export failed: $(cat "$tmp/export.log")"
sed 's/^/# /' "$tmp/export.log"

# The commit: HEAD's tree with the scratch copy's files.
GIT_OBJECT_DIRECTORY=$tmp/objects
GIT_ALTERNATE_OBJECT_DIRECTORIES=$(git -C "$gate" rev-parse \
    --path-format=absolute --git-path objects)
GIT_INDEX_FILE=$tmp/index
export GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_INDEX_FILE
g() { git -C "$gate" "$@"; }
g read-tree HEAD || die "cannot read $gate's HEAD tree"
(cd "$tmp/gate" && find . -type f | sed 's|^\./||') |
    cat - "$tmp/existing" | LC_ALL=C sort -u >"$tmp/touched"
while read -r rel; do
	if [ -f "$tmp/gate/$rel" ]; then
		mode=100644
		[ -x "$tmp/gate/$rel" ] && mode=100755
		blob=$(g hash-object -w "$tmp/gate/$rel") ||
		    die "cannot store $rel"
		g update-index --add --cacheinfo "$mode,$blob,$rel" ||
		    die "cannot stage $rel"
	else
		g update-index --force-remove "$rel" || die "cannot remove $rel"
	fi
done <"$tmp/touched"
tree=$(g write-tree) || die "cannot write the tree"
if [ "$tree" = "$(g rev-parse 'HEAD^{tree}')" ]; then
	echo "patch: $gate's HEAD has the change already: no patch written"
	exit 0
fi

# The message.
log=$tmp/export.log
arch="x86"
grep -q '^export: copied usr/src/uts/aarch64/' "$log" && arch="x86 and aarch64"
{
	echo "$synopsis"
	echo
	cat <<-EOF
	pvscsi is rewritten on modern SCSA: the framework allocates and
	binds packets (tran_setup_pkt(9E)), and the adapter is an iport(9)
	HBA whose iport tracks its targets with a target map.  The theory
	statement at the top of pvscsi.c says how it works, pvscsi(4D)
	what it offers.  The driver is common code, built for $arch.
	EOF
	if grep -q '^export: removed .*THIRDPARTYLICENSE' "$log"; then
		echo
		cat <<-'EOF'
		pvscsi.h is new, written under the CDDL from the device's
		interface: no VMware text remains, so THIRDPARTYLICENSE and
		THIRDPARTYLICENSE.descrip go, with the manifest's licence
		action for them.
		EOF
	fi
	if grep -q 'the manifest says variant.arch' "$log"; then
		echo
		echo "The manifest keeps variant.arch (this gate's publish"
		echo "transform does not know org.illumos.for-arch)."
	elif grep -q '^export: copied usr/src/uts/aarch64/' "$log"; then
		echo
		echo "The package and pvscsi.4d (aarch64_MANFILES) are"
		echo "delivered on aarch64 too (org.illumos.for-arch)."
	fi
	echo
	sh "$top/tests/lint/testing.sh"
} >"$tmp/msg" || die "cannot write the message"

name=${author% <*}
mail=${author##*<}
mail=${mail%>}
commit=$(GIT_AUTHOR_NAME=$name GIT_AUTHOR_EMAIL=$mail \
    GIT_COMMITTER_NAME=$name GIT_COMMITTER_EMAIL=$mail \
    g commit-tree "$tree" -p HEAD -F "$tmp/msg") ||
    die "cannot make the commit"
mkdir -p "$(dirname "$out")" || die "cannot create $(dirname "$out")"
g format-patch -1 --stdout "$commit" >"$out" || die "cannot write $out"
g diff --stat HEAD "$commit" | sed 's/^/# /'
echo "patch: wrote $out (against $(g rev-parse --short=10 HEAD))"

# The gate's own checks over it.
unset GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_INDEX_FILE
sh "$top/tests/lint/pbchk.sh" "$gate" "$out"

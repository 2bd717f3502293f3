#!/bin/sh
# Tests of `make export` (tests/lint/export.sh) and `make patch`
# (tests/lint/patch.sh, tests/lint/testing.sh) on small synthetic trees
# with the shape of illumos-gate, built here in a temporary directory:
#  - "old": a gate whose pvscsi is the x86-only driver (PVSCSI_OBJS in
#    uts/intel/Makefile.files, lint rules still in Makefile.rules, the
#    driver's THIRDPARTYLICENSE files), pvscsi.4d in the common man page
#    list, with the arm64 port's traits: an aarch64 port that lists
#    pvscsi commented out, man page lists laid out as the port has them
#    (MANFILES, i386_MANFILES, aarch64_MANFILES) and a publish transform
#    that knows org.illumos.for-arch;
#  - "new": a gate that has never heard of pvscsi, without lint rules,
#    without an aarch64 port, whose publish transform knows only
#    variant.arch (upstream's traits).
# After the export each tree must build the module (with stand-in build
# machinery that echoes the commands), list everything exactly once and
# in the right lists, carry a current copyright line in each file
# edited, and a second export must change nothing.  make patch must
# write the same change as a patch against the gate's HEAD without
# touching the gate.  Refusals of paths that are not a gate are checked
# too.  Speaks the protocol of tests/check.h.
#
#   sh tests/lint/t_export.sh
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
export_sh=$top/tests/lint/export.sh
patch_sh=$top/tests/lint/patch.sh
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
MAKE=${MAKE:-make}
year=$(date +%Y)
# Isolate the make runs here from any make that runs this test.
unset MAKEFLAGS MFLAGS MAKELEVEL

# shellcheck source=tests/check.sh
. "$top/tests/check.sh"

# mvar DIR MAKEFILE VAR [MAKE-ARGS]: the value of VAR once MAKEFILE (in
# DIR) is read by make, words one per line.
mvar() {
	d=$1 mf=$2 v=$3
	shift 3
	printf 'print-var:\n\t@echo $(%s)\n' "$v" >"$tmp/print.mk"
	(cd "$d" && $MAKE -s -f "$mf" -f "$tmp/print.mk" "$@" print-var) |
	    tr ' \t' '\n\n' | sed '/^$/d'
}

# tree_sum DIR: one checksum line per file (git's own excepted).
tree_sum() {
	(cd "$1" && find . -path ./.git -prune -o -type f -print | sort |
	    xargs cksum)
}

# A gate's common files: the parts export touches, in the gate's form.
make_common() {
	g=$1
	mkdir -p "$g/usr/src/uts/common" "$g/usr/src/uts/intel" \
	    "$g/usr/src/man/man4d" "$g/usr/src/pkg/manifests" \
	    "$g/usr/src/pkg/transforms"
	printf '# Makefile.master\n' >"$g/usr/src/Makefile.master"
	printf '# Makefile.man\n' >"$g/usr/src/man/Makefile.man"
	printf 'set name=pkg.fmri value=pkg:/driver/storage/other\n' \
	    >"$g/usr/src/pkg/manifests/driver-storage-other.p5m"
	cat >"$g/usr/src/uts/common/Makefile.files" <<'EOF'
#
# Copyright 2019 Someone Else
#

#
#	Driver modules
#
SD_OBJS += sd.o sd_xbuf.o

SMRT_OBJS =	smrt.o		\
		smrt_device.o

VIOSCSI_OBJS = vioscsi.o

ZFS_OBJS += zfs.o
EOF
	cat >"$g/usr/src/uts/common/Makefile.rules" <<'EOF'
#
#	Section 1a: C objects build rules
#
$(OBJS_DIR)/%.o:		$(UTSBASE)/common/io/scsi/adapters/smrt/%.c
	$(COMPILE.c) -o $@ $<
	$(CTFCONVERT_O)

$(OBJS_DIR)/%.o:		$(UTSBASE)/common/io/vioscsi/%.c
	$(COMPILE.c) -o $@ $<
	$(CTFCONVERT_O)
EOF
	# Stand-in build machinery: echo what the gate's would run.
	cat >"$g/usr/src/uts/intel/Makefile.intel" <<'EOF'
#
# Copyright 2020 Someone Else
#
-include $(UTSBASE)/intel/Makefile.files
include $(UTSBASE)/common/Makefile.files
OBJS_DIR	= obj64
BINARY		= $(OBJS_DIR)/$(MODULE)
ROOT_DRV_DIR	= $(ROOT)/kernel/drv/amd64
ALL_DEPS	= $(ALL_TARGET)
INSTALL_DEPS	= $(INSTALL_TARGET)
COMPILE.c	= echo COMPILE
CTFCONVERT_O	= echo CTFCONVERT $@

DRV_KMODS	+= aac
DRV_KMODS	+= ptm
DRV_KMODS	+= pts
DRV_KMODS	+= qlge
DRV_KMODS	+= sd
EOF
	cat >"$g/usr/src/uts/intel/Makefile.targ" <<'EOF'
include $(UTSBASE)/common/Makefile.rules
$(BINARY): $(OBJECTS)
	@echo LINK $@ $(OBJECTS) $(LDFLAGS)
$(ROOTMODULE): $(BINARY)
	@echo INSTALL $(BINARY) $@
EOF
}

# The "old" gate: an x86-only pvscsi, lint rules, the arm64 port.
make_old() {
	g=$1
	make_common "$g"
	printf 'PVSCSI_OBJS += pvscsi.o\n' >"$g/usr/src/uts/intel/Makefile.files"
	cat >>"$g/usr/src/uts/common/Makefile.rules" <<'EOF'

#
#	Section 1b: Lint `objects'
#
$(LINTS_DIR)/%.ln:		$(UTSBASE)/common/io/scsi/adapters/smrt/%.c
	@($(LHEAD) $(LINT.c) $< $(LTAIL))

$(LINTS_DIR)/%.ln:		$(UTSBASE)/common/io/vioscsi/%.c
	@($(LHEAD) $(LINT.c) $< $(LTAIL))
EOF
	sed -i 's/^DRV_KMODS	+= pts$/&\nDRV_KMODS	+= pvscsi/' \
	    "$g/usr/src/uts/intel/Makefile.intel"
	cat >"$g/usr/src/man/man4d/Makefile" <<'EOF'
#
# Copyright 2011, Someone
# Copyright 2024 Someone Else
#

include		$(SRC)/Makefile.master

MANSECT=	4d

MANFILES=	aac.4d		\
		blkdev.4d	\
		lmrc.4d		\
		pvscsi.4d	\
		sd.4d		\
		zero.4d

i386_MANFILES=	ahci.4d		\
		vioscsi.4d

aarch64_MANFILES=	ahci.4d		\
			nvme.4d		\
			pcn.4d		\
			qede.4d		\
			virtio.4d

MANFILES +=	$($(MACH)_MANFILES)

include		$(SRC)/man/Makefile.man
EOF
	printf '<transform set name=org.illumos.for-arch -> drop>\n' \
	    >"$g/usr/src/pkg/transforms/publish"
	mkdir -p "$g/usr/src/uts/aarch64" \
	    "$g/usr/src/uts/common/io/scsi/adapters/pvscsi"
	: >"$g/usr/src/uts/aarch64/Makefile.files"
	cat >"$g/usr/src/uts/aarch64/Makefile.aarch64" <<'EOF'
# Copyright 2022 Someone Else
-include $(UTSBASE)/aarch64/Makefile.files
include $(UTSBASE)/common/Makefile.files
OBJS_DIR	= obj64
BINARY		= $(OBJS_DIR)/$(MODULE)
ROOT_DRV_DIR	= $(ROOT)/kernel/drv/aarch64
ALL_DEPS	= $(ALL_TARGET)
INSTALL_DEPS	= $(INSTALL_TARGET)
COMPILE.c	= echo COMPILE
CTFCONVERT_O	= echo CTFCONVERT $@

DRV_KMODS	+= ahci
DRV_KMODS	+= nvme
#DRV_KMODS	+= pvscsi
DRV_KMODS	+= sd
EOF
	cp "$g/usr/src/uts/intel/Makefile.targ" \
	    "$g/usr/src/uts/aarch64/Makefile.targ"
	d=$g/usr/src/uts/common/io/scsi/adapters/pvscsi
	printf 'license text of an older driver\n' >"$d/THIRDPARTYLICENSE"
	printf 'an older driver\n' >"$d/THIRDPARTYLICENSE.descrip"
	printf 'license of another driver\n' \
	    >"$g/usr/src/uts/common/THIRDPARTYLICENSE"
	printf 'set name=pkg.fmri value=pkg:/driver/storage/pvscsi\n' \
	    >"$g/usr/src/pkg/manifests/driver-storage-pvscsi.p5m"
}

# The "new" gate: no pvscsi at all, upstream's conventions.
make_new() {
	g=$1
	make_common "$g"
	cat >"$g/usr/src/man/man4d/Makefile" <<'EOF'
include		$(SRC)/Makefile.master

MANSECT=	4d

_MANFILES=	aac.4d		\
		blkdev.4d	\
		lmrc.4d		\
		sd.4d		\
		zero.4d

i386_MANFILES=	ahci.4d		\
		vioscsi.4d

MANFILES=	$(_MANFILES) $($(MACH)_MANFILES)

include		$(SRC)/man/Makefile.man
EOF
	printf '<transform set name=variant.arch value=^(?!$(ARCH)).+$ -> abort>\n' \
	    >"$g/usr/src/pkg/transforms/publish"
}

# The driver source must exist for the stand-in build; until it is
# written, a placeholder in the synthetic gate stands in for it.
drv=usr/src/uts/common/io/scsi/adapters/pvscsi/pvscsi.c
placeholder_driver() {
	if [ ! -f "$top/$drv" ]; then
		echo "# $drv is not written yet: a placeholder stands in"
		mkdir -p "$(dirname "$1/$drv")"
		: >"$1/$drv"
	fi
}

# The files export must copy: all of usr/src (but the aarch64 build
# files when the gate has no aarch64 port).
expected_files() {
	(cd "$top" && find usr/src -type f ! -name '.*' ! -name '*~' | sort) |
	    if [ "$1" = 1 ]; then cat; else grep -v '^usr/src/uts/aarch64/'; fi
}

# usr/src holds gate files only: the export's fragments live elsewhere.
check "export-usr-src-gate-files-only" "" "$(cd "$top" &&
    find usr/src -name '*.pvscsi' | sort | xargs)"

# Refusals: no argument, no such directory, a directory that is not a
# gate (empty, or with only some of the gate's files).
# refuse NAME PATTERN [ARGS]: export ARGS must fail with one line on
# stderr that matches PATTERN, and nothing on stdout.
refuse() {
	name=$1 pat=$2
	shift 2
	sh "$export_sh" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne 0 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
	    [ ! -s "$tmp/out" ] && grep -q "$pat" "$tmp/err"; then
		pass "$name"
	else
		fail "$name" "expected a non-zero exit and one line saying \
\"$pat\", saw exit $rc, stderr [$(cat "$tmp/err")]"
	fi
}
refuse export-refuses-no-gate "no gate given"
refuse export-refuses-missing-dir "no such directory" "$tmp/nowhere"
mkdir -p "$tmp/empty" "$tmp/partial/usr/src/uts/common"
: >"$tmp/partial/usr/src/uts/common/Makefile.files"
refuse export-refuses-empty-dir "not an illumos-gate tree" "$tmp/empty"
refuse export-refuses-partial-tree "not an illumos-gate tree" "$tmp/partial"
check export-refusal-leaves-dir-alone "" "$(ls -A "$tmp/empty")"

holder=$(sed -n 's/^# Copyright [0-9]* //p' \
    "$top/usr/src/uts/intel/pvscsi/Makefile" | head -1)
gitc() {
	git -C "$1" -c user.name=t -c user.email=t@example.com \
	    -c commit.gpgsign=false commit -q -m "$2"
}
for v in old new; do
	g=$tmp/gate-$v
	make_$v "$g"
	{ git -C "$g" init -q && git -C "$g" add -A && gitc "$g" base; } ||
	    fail "export-$v-git" "cannot make the gate a git repository"
	arm=0
	[ "$v" = old ] && arm=1

	# make patch first: it must leave the gate as it is.
	tree_sum "$g" >"$tmp/sum0"
	head0=$(git -C "$g" rev-parse HEAD)
	PATCH_AUTHOR="T Tester <t@example.com>" sh "$patch_sh" "$g" \
	    "$tmp/$v.patch" "12345 pvscsi test" >"$tmp/patch-$v" 2>&1
	tree_sum "$g" >"$tmp/sum1"
	if cmp -s "$tmp/sum0" "$tmp/sum1" &&
	    [ "$(git -C "$g" rev-parse HEAD)" = "$head0" ] &&
	    [ -z "$(git -C "$g" status --porcelain)" ]; then
		pass "patch-$v-gate-untouched"
	else
		fail "patch-$v-gate-untouched" "the gate changed"
	fi
	check "patch-$v-subject" "Subject: [PATCH] 12345 pvscsi test" \
	    "$(grep '^Subject:' "$tmp/$v.patch" 2>/dev/null)"
	check "patch-$v-testing" "Testing make-check make-compare make-bench" \
	    "$(sed -n '/^Testing$/,/^---$/p' "$tmp/$v.patch" 2>/dev/null |
	    awk '
		/^Testing$/ { printf "Testing" }
		/^make (check|compare|bench)/ {
			w = $2
			sub(/[,:]$/, "", w)
			printf " make-%s", w
		}')"
	# The gate's own checks cannot run here (no usr/src/tools): said so.
	check "patch-$v-pbchk-refused" "1" "$(grep -c \
	    '^FAIL gate-pbchk: .*no usr/src/tools/scripts/git-pbchk.py' \
	    "$tmp/patch-$v")"
	[ -f "$tmp/$v.patch" ] || sed 's/^/# /' "$tmp/patch-$v"

	sh "$export_sh" "$g" >"$tmp/out-$v" 2>"$tmp/err-$v"
	rc=$?
	check "export-$v-exit-status" "0 []" "$rc [$(cat "$tmp/err-$v")]"
	sed 's/^/# /' "$tmp/out-$v"

	# The patch is the export's change.
	(cd "$g" && git add -A && git diff --cached HEAD) >"$tmp/diff-$v"
	sed -n '/^diff --git/,$p' "$tmp/$v.patch" 2>/dev/null |
	    sed '/^-- $/,$d' >"$tmp/pdiff-$v"
	if cmp -s "$tmp/diff-$v" "$tmp/pdiff-$v"; then
		pass "patch-$v-is-the-export"
	else
		fail "patch-$v-is-the-export" "the patch and the export differ"
		diff "$tmp/pdiff-$v" "$tmp/diff-$v" | head -20 | sed 's/^/# /'
	fi

	# Copies: every file, identical (the manifest but its arch line).
	missing=""
	for rel in $(expected_files $arm); do
		case $rel in */driver-storage-pvscsi.p5m) continue ;; esac
		cmp -s "$top/$rel" "$g/$rel" || missing="$missing $rel"
	done
	check "export-$v-copies-usr-src" "" "$missing"
	[ "$arm" = 0 ] && check "export-$v-no-aarch64-without-port" "" \
	    "$([ -e "$g/usr/src/uts/aarch64" ] && echo uts/aarch64)"

	# The manifest: the gate's form of its architectures.
	mf=usr/src/pkg/manifests/driver-storage-pvscsi.p5m
	if [ "$v" = old ]; then
		want="set name=org.illumos.for-arch value=aarch64 value=i386"
	else
		want="set name=variant.arch value=i386"
	fi
	check "export-$v-manifest-arch" "$want" \
	    "$(grep -E '^set name=(variant\.arch|org\.illumos\.for-arch) ' \
	    "$g/$mf")"
	check "export-$v-manifest-rest" "" "$(diff "$top/$mf" "$g/$mf" |
	    grep '^[<>]' | grep -v 'name=\(variant.arch\|org.illumos.for-arch\)')"

	# Files of an older driver the manifest no longer delivers are gone;
	# other files stay.
	d=usr/src/uts/common/io/scsi/adapters/pvscsi
	check "export-$v-driver-dir-only-ours" "$(cd "$top" && ls "$d" | xargs)" \
	    "$(cd "$g" && ls "$d" | xargs)"
	[ "$v" = old ] && check "export-$v-other-licences-stay" "yes" \
	    "$([ -f "$g/usr/src/uts/common/THIRDPARTYLICENSE" ] && echo yes)"

	# Objects: defined once, in common.
	uts=$g/usr/src/uts
	check "export-$v-pvscsi-objs" "pvscsi.o" "$(mvar "$uts/intel" \
	    Makefile.intel PVSCSI_OBJS UTSBASE="$uts")"
	check "export-$v-objs-only-in-common" "1" "$(cat \
	    "$uts/intel/Makefile.files" "$uts/common/Makefile.files" \
	    2>/dev/null | grep -c '^PVSCSI_OBJS')"

	# Rules: one object rule; a lint rule only where lint rules are.
	check "export-$v-object-rule" "1" "$(grep -c \
	    '^$(OBJS_DIR)/%.o:.*common/io/scsi/adapters/pvscsi/%\.c' \
	    "$uts/common/Makefile.rules")"
	check "export-$v-lint-rule" "$arm" "$(grep -c \
	    '^$(LINTS_DIR)/%.ln:.*common/io/scsi/adapters/pvscsi/%\.c' \
	    "$uts/common/Makefile.rules")"

	# Module lists: once each, in alphabetical place.
	check "export-$v-intel-kmods" "aac ptm pts pvscsi qlge sd" "$(mvar \
	    "$uts/intel" Makefile.intel DRV_KMODS UTSBASE="$uts" | xargs)"
	if [ "$arm" = 1 ]; then
		check "export-$v-aarch64-kmods" "ahci nvme pvscsi sd" "$(mvar \
		    "$uts/aarch64" Makefile.aarch64 DRV_KMODS \
		    UTSBASE="$uts" | xargs)"
	fi

	# The man page: in the lists of the architectures that have the
	# driver and in no other, in alphabetical place; the lists still
	# parse and keep their layout (the backslash in its column).
	man=$g/usr/src/man/man4d
	for m in i386 aarch64 sparc; do
		case $m:$arm in
		i386:*|aarch64:1) want=1 ;;
		*) want=0 ;;
		esac
		check "export-$v-manfiles-$m" "$want" "$(mvar "$man" Makefile \
		    MANFILES SRC="$g/usr/src" MACH=$m | grep -c '^pvscsi\.4d$')"
	done
	check "export-$v-manfiles-i386-order" "ahci.4d pvscsi.4d vioscsi.4d" \
	    "$(mvar "$man" Makefile i386_MANFILES SRC="$g/usr/src" | xargs)"
	check "export-$v-manfiles-layout" "" "$(grep 'pvscsi\.4d' \
	    "$man/Makefile" | expand | awk '
		!/^ +pvscsi\.4d +\\$/ { print; next }
		index($0, "\\") != 33 && index($0, "\\") != 41 { print }')"

	# Copyright: each gate file edited names the current year.
	for f in usr/src/uts/common/Makefile.files usr/src/man/man4d/Makefile \
	    usr/src/uts/aarch64/Makefile.aarch64; do
		[ -f "$g/$f" ] || continue
		git -C "$g" diff --cached --quiet HEAD -- "$f" && continue
		check "export-$v-copyright-$(basename "$f")" "1" "$(grep -c \
		    "^# Copyright $year $holder\$" "$g/$f")"
	done

	# A second export changes nothing.
	tree_sum "$g" >"$tmp/sum1"
	sh "$export_sh" "$g" >"$tmp/out2-$v" 2>&1
	rc=$?
	tree_sum "$g" >"$tmp/sum2"
	if [ "$rc" -eq 0 ] && cmp -s "$tmp/sum1" "$tmp/sum2" &&
	    grep -q 'nothing changed' "$tmp/out2-$v"; then
		pass "export-$v-idempotent"
	else
		fail "export-$v-idempotent" "expected exit 0, no change and \
\"nothing changed\", saw exit $rc: $(tr '\n' ' ' <"$tmp/out2-$v")"
	fi

	# make patch against the exported gate: nothing left to change.
	gitc "$g" exported
	PATCH_AUTHOR="T Tester <t@example.com>" sh "$patch_sh" "$g" \
	    "$tmp/$v-2.patch" "12345 pvscsi test" >"$tmp/patch2-$v" 2>&1
	check "patch-$v-nothing-left" "1 no" "$(grep -c \
	    'has the change already: no patch written' "$tmp/patch2-$v") $(
	    [ -e "$tmp/$v-2.patch" ] && echo yes || echo no)"

	# The module builds with the gate's machinery (stand-in).
	placeholder_driver "$g"
	for m in intel aarch64; do
		[ "$m" = aarch64 ] && [ "$arm" = 0 ] && continue
		out=$(cd "$uts/$m/pvscsi" && $MAKE -s SRC="$g/usr/src" \
		    ROOT="$tmp/proto" install 2>&1)
		want="COMPILE -o obj64/pvscsi.o"
		src_seen=$(echo "$out" | grep -c "^$want .*common/io/scsi/adapters/pvscsi/pvscsi\.c$")
		link_seen=$(echo "$out" | grep -c '^LINK obj64/pvscsi obj64/pvscsi.o -Nmisc/scsi$')
		inst_seen=$(echo "$out" | grep -c "^INSTALL obj64/pvscsi $tmp/proto/kernel/drv/[a-z0-9]*/pvscsi$")
		check "export-$v-$m-module-builds" "1 1 1" \
		    "$src_seen $link_seen $inst_seen"
		[ "$src_seen $link_seen $inst_seen" = "1 1 1" ] ||
		    echo "$out" | sed 's/^/# /'
	done
done

# The Testing section: from build/ results, "not run" for the others.
b=$tmp/build
mkdir -p "$b/bench"
printf 'date: 2026-01-02 03:04 UTC\nhost: Linux 6.1 x86_64, 2 cores\nqemu: QEMU emulator version 7.2.0\npassed: 321\nfailed: 1\nfailures: lab/hostile-gone\n' \
    >"$b/check-summary"
printf '# title\n\nRun 2026-01-01 10:00, 700 s, QEMU 7.2.0 (TCG).\n\n## Headline: 4 KiB random read at QD32\n\n| ratio | value | goal | verdict |\n|---|---:|---|---|\n| IOPS, ours / Linux | 4.2 | >= 5 | missed |\n\n## All results\n\n| x | y |\n' \
    >"$b/bench/results.md"
sh "$top/tests/lint/testing.sh" "$b" >"$tmp/testing"
check "testing-check" \
    "make check, 2026-01-02 03:04 UTC: 321 passed, 1 failed (lab/hostile-gone)." \
    "$(grep '^make check' "$tmp/testing")"
check "testing-host" \
    "  Host Linux 6.1 x86_64, 2 cores; QEMU emulator version 7.2.0, TCG." \
    "$(grep '^  Host' "$tmp/testing")"
check "testing-compare-not-run" "make compare: not run." \
    "$(grep '^make compare' "$tmp/testing")"
check "testing-bench" \
    "make bench: Run 2026-01-01 10:00, 700 s, QEMU 7.2.0 (TCG).|  IOPS, ours / Linux: 4.2 (goal >= 5, missed)" \
    "$(grep -e '^make bench' -e 'IOPS' "$tmp/testing" | paste -sd '|')"
mkdir -p "$b/compare"
printf 'pvscsi 2026 vs 2022: 2.0x IOPS\n' >"$b/compare/summary"
rm "$b/check-summary"
sh "$top/tests/lint/testing.sh" "$b" >"$tmp/testing"
check "testing-compare-and-check-not-run" \
    "make check: not run.|make compare:|  pvscsi 2026 vs 2022: 2.0x IOPS" \
    "$(grep -e '^make c' -e 'pvscsi 2026' "$tmp/testing" | paste -sd '|')"

exit "$failed"

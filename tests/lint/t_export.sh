#!/bin/sh
# Tests of `make export` (tests/lint/export.sh) on small synthetic trees
# with the shape of illumos-gate, built here in a temporary directory:
#  - "old": a gate whose pvscsi is the x86-only driver (PVSCSI_OBJS in
#    uts/intel/Makefile.files, pvscsi.4d in i386_MANFILES, lint rules
#    still in Makefile.rules), with an aarch64 port that lists pvscsi
#    commented out;
#  - "new": a gate that has never heard of pvscsi, without lint rules
#    and without an aarch64 port.
# After the export each tree must build the module (with stand-in build
# machinery that echoes the commands), list everything exactly once,
# and a second export must change nothing.  Refusals of paths that are
# not a gate are checked too.  Speaks the protocol of tests/check.h.
#
#   sh tests/lint/t_export.sh
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
export_sh=$top/tests/lint/export.sh
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
failed=0
MAKE=${MAKE:-make}
# Isolate the make runs here from any make that runs this test.
unset MAKEFLAGS MFLAGS MAKELEVEL

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; failed=1; }

# check NAME "expected" "saw": pass when both are equal.
check() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "expected [$2], saw [$3]"
	fi
}

# mvar DIR MAKEFILE VAR [MAKE-ARGS]: the value of VAR once MAKEFILE (in
# DIR) is read by make, words one per line.
mvar() {
	d=$1 mf=$2 v=$3
	shift 3
	printf 'print-var:\n\t@echo $(%s)\n' "$v" >"$tmp/print.mk"
	(cd "$d" && $MAKE -s -f "$mf" -f "$tmp/print.mk" "$@" print-var) |
	    tr ' \t' '\n\n' | sed '/^$/d'
}

# tree_sum DIR: one checksum line per file, to compare trees.
tree_sum() {
	(cd "$1" && find . -type f | sort | xargs cksum)
}

# A gate's common files: the parts export touches, in the gate's form.
make_common() {
	g=$1
	mkdir -p "$g/usr/src/uts/common" "$g/usr/src/uts/intel" \
	    "$g/usr/src/man/man4d" "$g/usr/src/pkg/manifests"
	printf '# Makefile.master\n' >"$g/usr/src/Makefile.master"
	printf '# Makefile.man\n' >"$g/usr/src/man/Makefile.man"
	cat >"$g/usr/src/uts/common/Makefile.files" <<'EOF'
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
}

# The "old" gate: an x86-only pvscsi, lint rules, an aarch64 port.
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
	sed -i 's/^\(i386_MANFILES=	ahci.4d		\\\)$/\1\n		pvscsi.4d	\\/' \
	    "$g/usr/src/man/man4d/Makefile"
	mkdir -p "$g/usr/src/uts/aarch64" \
	    "$g/usr/src/uts/common/io/scsi/adapters/pvscsi"
	: >"$g/usr/src/uts/aarch64/Makefile.files"
	cat >"$g/usr/src/uts/aarch64/Makefile.aarch64" <<'EOF'
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
	printf 'license text of an older driver\n' \
	    >"$g/usr/src/uts/common/io/scsi/adapters/pvscsi/THIRDPARTYLICENSE"
	printf 'set name=pkg.fmri value=pkg:/driver/storage/pvscsi\n' \
	    >"$g/usr/src/pkg/manifests/driver-storage-pvscsi.p5m"
}

make_new() {
	make_common "$1"
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

# The files export must copy: all of usr/src but the two fragments
# (and the aarch64 build files when the gate has no aarch64 port).
expected_files() {
	(cd "$top" && find usr/src -type f ! -name '.*' ! -name '*~' | sort) |
	    grep -v '^usr/src/uts/common/Makefile\.\(files\|rules\)\.pvscsi$' |
	    if [ "$1" = 1 ]; then cat; else grep -v '^usr/src/uts/aarch64/'; fi
}

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

for v in old new; do
	g=$tmp/gate-$v
	make_$v "$g"
	arm=0
	[ "$v" = old ] && arm=1
	sh "$export_sh" "$g" >"$tmp/out-$v" 2>"$tmp/err-$v"
	rc=$?
	check "export-$v-exit-status" "0 []" "$rc [$(cat "$tmp/err-$v")]"
	sed 's/^/# /' "$tmp/out-$v"

	# Copies: every file, identical; no fragment.
	missing=""
	for rel in $(expected_files $arm); do
		cmp -s "$top/$rel" "$g/$rel" || missing="$missing $rel"
	done
	check "export-$v-copies-usr-src" "" "$missing"
	check "export-$v-no-fragments" "" "$(cd "$g" &&
	    ls usr/src/uts/common/Makefile.*.pvscsi 2>/dev/null)"
	[ "$arm" = 0 ] && check "export-$v-no-aarch64-without-port" "" \
	    "$([ -e "$g/usr/src/uts/aarch64" ] && echo uts/aarch64)"

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

	# The man page: in the common list only; the lists still parse.
	man=$g/usr/src/man/man4d
	check "export-$v-manfiles-common" \
	    "aac.4d blkdev.4d lmrc.4d pvscsi.4d sd.4d zero.4d" \
	    "$(mvar "$man" Makefile _MANFILES SRC="$g/usr/src" | xargs)"
	check "export-$v-manfiles-i386" "ahci.4d vioscsi.4d" \
	    "$(mvar "$man" Makefile i386_MANFILES SRC="$g/usr/src" | xargs)"

	check "export-$v-manifest" "same" "$(cmp -s \
	    "$top/usr/src/pkg/manifests/driver-storage-pvscsi.p5m" \
	    "$g/usr/src/pkg/manifests/driver-storage-pvscsi.p5m" &&
	    echo same)"

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

grep -q 'note: usr/src/uts/common/io/scsi/adapters/pvscsi/THIRDPARTYLICENSE' \
    "$tmp/out-old" && pass export-notes-older-files ||
    fail export-notes-older-files "expected a note on THIRDPARTYLICENSE"

exit "$failed"

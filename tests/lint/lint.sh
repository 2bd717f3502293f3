#!/bin/sh
# make lint: the checks that usr/src is fit for illumos-gate, and the
# tests of the tools that make them.  One line per check in the protocol
# of tests/check.h ("PASS name" / "FAIL name: ..."; details as "# "
# lines); exits non-zero when a check failed.
#
#   sh tests/lint/lint.sh path/to/cstyle
#
# The checks:
#  - the style checker's and the export's own tests (t_cstyle, t_export);
#  - cstyle on every .c and .h of the driver (and on the checker itself);
#  - mandoc -Tlint on the man page; two messages are ignored because
#    they are about the Linux machine, not the page: "referenced manual
#    not found" (the illumos pages are not installed here) and "unknown
#    manual section" for illumos sections such as 4D, which illumos's
#    mandoc knows and Debian's does not;
#  - cppcheck on the driver (flags below);
#  - the driver compiled for amd64 and, with Debian's cross compiler, for
#    aarch64, with -Wall -Wextra -Werror -Wno-unused-parameter against
#    the fakekernel's illumos headers only;
#  - the size of pvscsi.c and pvscsi_var.h: their code lines (non-blank
#    lines outside comments) and comment lines (non-blank lines with no
#    code) are printed, and more code lines than the budget fail;
#  - the manifest, the build Makefiles and the man page agree;
#  - the fakekernel's headers declare what illumos's do (headers.sh);
#  - with GATE: the export as a patch and the gate's own checks over it
#    (patch.sh, pbchk.sh), and the driver compiled against the gate's
#    headers (amd64, and aarch64 with the port; DEBUG and not);
#  - the driver uses illumos interfaces only: every #include names an
#    illumos header that fakekernel/include provides (or the driver's
#    own), no code is conditional on the lab or on Linux, and every
#    external symbol the object needs is declared in fakekernel/include
#    or is one of the libc-style functions the illumos kernel also has.
set -u
cd "$(dirname "$0")/../.." || exit 2
cstyle=${1:?usage: lint.sh path/to/cstyle}
drv=${LINT_DRV:-usr/src/uts/common/io/scsi/adapters/pvscsi}
man=usr/src/man/man4d/pvscsi.4d
out=build/lint
mkdir -p "$out" || exit 2
passed=0 failed=0

pass() {
	echo "PASS $1"
	passed=$((passed + 1))
}

# fail NAME WHAT [FILE]: a FAIL line, then FILE's lines as "# " lines.
fail() {
	echo "FAIL $1: $2"
	failed=$((failed + 1))
	if [ $# -gt 2 ] && [ -s "$3" ]; then
		sed 's/^/# /' "$3"
	fi
}

# run_tests NAME CMD...: a test program whose PASS/FAIL lines count here.
run_tests() {
	name=$1
	shift
	"$@" >"$out/$name.log" 2>&1
	rc=$?
	cat "$out/$name.log"
	p=$(grep -c '^PASS ' "$out/$name.log")
	f=$(grep -c '^FAIL ' "$out/$name.log")
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		fail "$name" "exited $rc with no FAIL line"
	fi
}

sh tests/lint/deps.sh || fail lint-deps "could not install the lint tools"

run_tests t_cstyle sh tests/lint/t_cstyle.sh "$cstyle"
run_tests t_export sh tests/lint/t_export.sh
# The fakekernel's headers declare what illumos's do (against GATE when
# one is given, else against the recorded lists).
run_tests headers sh tests/lint/headers.sh ${GATE:+"$GATE"}
# With a gate: the export as a patch (make patch), and the gate's own
# checks over it (tests/lint/pbchk.sh).
if [ -n "${GATE:-}" ]; then
	run_tests gate-patch env PATCH_AUTHOR="make lint <lint@localhost>" \
	    sh tests/lint/patch.sh "$GATE" "$out/pvscsi.patch" \
	    "lint: the change make export makes"
fi

# The driver's sources.
srcs=$(ls "$drv"/*.c "$drv"/*.h 2>/dev/null)
csrc=$(ls "$drv"/*.c 2>/dev/null)
if [ -z "$csrc" ]; then
	fail driver-sources "expected the driver in $drv, saw no .c file"
fi

# Style.
for f in $srcs tests/lint/cstyle.c; do
	name=cstyle-$(basename "$f")
	if "$cstyle" "$f" >"$out/$name.log" 2>&1; then
		pass "$name"
	else
		fail "$name" "$(wc -l <"$out/$name.log") finding(s)" \
		    "$out/$name.log"
	fi
done

# The man page.
if [ ! -f "$man" ]; then
	fail mandoc-lint "expected $man, saw none"
elif ! command -v mandoc >/dev/null 2>&1; then
	fail mandoc-lint "mandoc is not installed (apt-get install mandoc)"
else
	mandoc -Tlint "$man" 2>&1 |
	    grep -v -e 'referenced manual not found' \
	    -e 'unknown manual section: Dt [^ ]* [1-9][A-Z]*$' >"$out/mandoc.log"
	if [ -s "$out/mandoc.log" ]; then
		fail mandoc-lint "mandoc -Tlint has messages" "$out/mandoc.log"
	else
		pass mandoc-lint
	fi
fi

# cppcheck.  Flags: the fakekernel's illumos headers stand in for the
# kernel's (-Ifakekernel/include, -D_KERNEL -DDEBUG so that ASSERT and
# friends are defined); the system headers they layer on are not parsed
# (missingIncludeSystem); "warning", "style", "performance" and
# "portability" checks, less "variableScope" (illumos style declares a
# function's variables at its top, which that check would move into
# inner blocks); --inline-suppr so that a justified exception can be
# written next to the code it concerns.
if [ -z "$csrc" ]; then
	fail cppcheck "no driver source to check"
elif ! command -v cppcheck >/dev/null 2>&1; then
	fail cppcheck "cppcheck is not installed (apt-get install cppcheck)"
elif cppcheck --quiet --std=c99 --enable=warning,style,performance,portability \
    -D_KERNEL -DDEBUG -Ifakekernel/include -I"$drv" \
    --suppress=missingIncludeSystem --suppress=variableScope \
    --inline-suppr --error-exitcode=1 \
    --template='{file}:{line}: {severity}: {id}: {message}' \
    $csrc >"$out/cppcheck.log" 2>&1; then
	pass cppcheck
else
	fail cppcheck "cppcheck has findings" "$out/cppcheck.log"
fi

# Compiles: amd64 and aarch64, the gate's warnings as errors, against
# the fakekernel's illumos headers only.
CCFLAGS="-std=gnu99 -O2 -Wall -Wextra -Werror -Wno-unused-parameter
    -Werror=implicit-function-declaration -D_KERNEL -DDEBUG
    -Ifakekernel/include -I$drv"
for arch in amd64 aarch64; do
	case $arch in
	amd64) cc=${CC:-gcc} ;;
	aarch64) cc=aarch64-linux-gnu-gcc ;;
	esac
	if [ -z "$csrc" ]; then
		fail "compile-$arch" "no driver source to compile"
		continue
	fi
	if ! command -v "$cc" >/dev/null 2>&1; then
		fail "compile-$arch" "$cc is not installed"
		continue
	fi
	ok=1
	: >"$out/compile-$arch.log"
	for c in $csrc; do
		# shellcheck disable=SC2086
		$cc $CCFLAGS -c "$c" -o "$out/$(basename "$c" .c)-$arch.o" \
		    >>"$out/compile-$arch.log" 2>&1 || ok=0
	done
	if [ "$ok" = 1 ]; then
		pass "compile-$arch"
	else
		fail "compile-$arch" "$cc failed" "$out/compile-$arch.log"
	fi
done

# Size.  Comments are free; code lines have a budget.  Comments are
# blanked out, their newlines kept, before lines are counted.
budget=1450
sized="$drv/pvscsi.c $drv/pvscsi_var.h"
if ! cat $sized >/dev/null 2>&1; then
	fail code-lines "expected $sized"
else
	nonblank=$(cat $sized | grep -c '[^[:space:]]')
	code=$(cat $sized | perl -0777 -pe \
	    's{/\*.*?\*/}{ my $c = $&; $c =~ tr/\n//cd; $c }gse' |
	    grep -c '[^[:space:]]')
	echo "# pvscsi.c + pvscsi_var.h: $code code lines (budget $budget)," \
	    "$((nonblank - code)) comment lines"
	if [ "$code" -le "$budget" ]; then
		pass code-lines
	else
		fail code-lines "$code code lines, over the budget of $budget"
	fi
fi

# With a gate: the driver compiled against the gate's own headers, as
# uts/Makefile.uts compiles a module (-nostdinc, the ISA's and the common
# headers, the same defines), DEBUG and not, our warnings as errors but
# two the host compilers raise where illumos's gcc does not: the cmn_err
# format it knows (the compiles above check printf formats) and Sun
# pragmas.
if [ -n "${GATE:-}" ] && [ -n "$csrc" ]; then
	uts=$GATE/usr/src/uts
	for arch in amd64 aarch64; do
		case $arch in
		amd64) cc=${CC:-gcc} isa=intel
		    mflags="-mcmodel=kernel -mno-red-zone" ;;
		aarch64) cc=aarch64-linux-gnu-gcc isa=aarch64 mflags="" ;;
		esac
		[ -d "$uts/$isa" ] || continue
		for debug in -DDEBUG ""; do
			name=gate-compile-$arch${debug:+-debug}
			# shellcheck disable=SC2086
			if $cc -std=gnu99 -O2 -Wall -Wextra -Werror \
			    -Wno-unused-parameter -Wno-format \
			    -Wno-unknown-pragmas -ffreestanding -fno-pic \
			    $mflags -nostdinc -I"$uts/$isa" -I"$uts/common" \
			    -D_KERNEL -D_SYSCALL32 -D_SYSCALL32_IMPL -D_ELF64 \
			    -D_DDI_STRICT -Dsun -D__sun -D__SVR4 $debug \
			    -I"$drv" -c $csrc -o "$out/$name.o" \
			    >"$out/$name.log" 2>&1; then
				pass "$name"
			else
				fail "$name" "$cc against $uts failed" \
				    "$out/$name.log"
			fi
		done
	done
fi

# The gate files agree with each other: the manifest delivers the module
# both build Makefiles make and the man page, which names both.
mf=usr/src/pkg/manifests/driver-storage-pvscsi.p5m
: >"$out/gate-files.log"
for want in \
    "driver name=pvscsi class=scsi-self-identifying alias=pci15ad,7c0" \
    'file path=kernel/drv/$(ARCH64)/pvscsi group=sys' \
    'file path=usr/share/man/man4d/pvscsi.4d' \
    'set name=org.illumos.for-arch value=aarch64 value=i386'; do
	grep -qxF "$want" "$mf" || echo "$mf: no line \"$want\""
done >>"$out/gate-files.log"
for m in usr/src/uts/intel/pvscsi/Makefile usr/src/uts/aarch64/pvscsi/Makefile; do
	grep -qE '^MODULE[[:space:]]*=[[:space:]]*pvscsi$' "$m" &&
	    grep -qF '$(PVSCSI_OBJS:%=$(OBJS_DIR)/%)' "$m" ||
	    echo "$m: does not build module pvscsi from PVSCSI_OBJS"
done >>"$out/gate-files.log"
for p in /kernel/drv/amd64/pvscsi /kernel/drv/aarch64/pvscsi; do
	grep -qF ".It Pa $p" "$man" 2>/dev/null || echo "$man: FILES lacks $p"
done >>"$out/gate-files.log"
if [ -s "$out/gate-files.log" ]; then
	fail gate-files-agree "the gate files disagree" "$out/gate-files.log"
else
	pass gate-files-agree
fi

# Interfaces.  Includes: illumos headers (as fakekernel/include has them)
# or the driver's own.
: >"$out/includes.log"
for f in $srcs; do
	sed -n 's/^[[:blank:]]*#[[:blank:]]*include[[:blank:]]*\([<"]\)\([^>"]*\)[>"].*/\1 \2/p' \
	    "$f" | while read -r kind h; do
		case $kind in
		'<') [ -f "fakekernel/include/$h" ] ||
		    echo "$f: <$h> is not an illumos header of fakekernel/include" ;;
		'"') [ -f "$drv/$h" ] ||
		    echo "$f: \"$h\" is not a header of the driver" ;;
		esac
	done >>"$out/includes.log"
done
if [ -z "$srcs" ]; then
	fail ddi-includes "no driver source to check"
elif [ -s "$out/includes.log" ]; then
	fail ddi-includes "headers from outside illumos" "$out/includes.log"
else
	pass ddi-includes
fi

# Nothing in usr/src may depend on the lab or on Linux.
grep -rnE '__linux__|__linux|__GLIBC__|_FAKE_KERNEL|FAKEKERNEL|fakekernel|\bFK_|\bfk_' \
    usr/src >"$out/lab-free.log" 2>/dev/null
if [ -s "$out/lab-free.log" ]; then
	fail usr-src-lab-free "usr/src refers to the lab or to Linux" \
	    "$out/lab-free.log"
else
	pass usr-src-lab-free
fi

# Symbols.  Compile without optimisation or builtins so that every call
# stays a call, and ask gcc where each function is declared (-aux-info);
# then every undefined symbol of the object must be declared by
# fakekernel/include, or be a libc-style function that the illumos
# kernel provides as well.
KLIBC="bcmp bcopy bzero memchr memcmp memcpy memmove memset snprintf
    sprintf strcasecmp strcat strchr strcmp strcpy strcspn strlcat strlcpy
    strlen strncasecmp strncat strncmp strncpy strnlen strrchr strspn strstr
    vsnprintf vsprintf"
KLIBC=" $(echo $KLIBC) "
if [ -n "$csrc" ]; then
	: >"$out/ddi-symbols.log"
	for c in $csrc; do
		o=$out/$(basename "$c" .c)-sym.o
		aux=$out/$(basename "$c" .c).aux
		# shellcheck disable=SC2086
		if ! ${CC:-gcc} -std=gnu99 -O0 -fno-builtin \
		    -Werror=implicit-function-declaration -D_KERNEL -DDEBUG \
		    -Ifakekernel/include -I"$drv" -aux-info "$aux" -c "$c" \
		    -o "$o" >>"$out/ddi-symbols.log" 2>&1; then
			echo "$c: does not compile" >>"$out/ddi-symbols.log"
			continue
		fi
		for sym in $(nm -u "$o" | awk '{ print $NF }'); do
			decl=$(grep -E "^/\\* [^ ]+:[0-9]+:[A-Z]+ \\*/ .*[ *]$sym \\(" \
			    "$aux" | head -1 | sed 's|^/\* \([^:]*\):.*|\1|')
			case $decl in
			fakekernel/include/*) continue ;;
			"")
				# Not a function: data, declared extern by an
				# illumos header.
				grep -rqwE "extern[^;]*\\b$sym\\b" \
				    fakekernel/include && continue
				echo "$c: $sym: not declared by an illumos header" ;;
			*)
				case $KLIBC in
				*" $sym "*) continue ;;
				esac
				echo "$c: $sym: declared by $decl, not by an" \
				    "illumos header" ;;
			esac
		done >>"$out/ddi-symbols.log"
	done
	if [ -s "$out/ddi-symbols.log" ]; then
		fail ddi-symbols "interfaces from outside illumos" \
		    "$out/ddi-symbols.log"
	else
		pass ddi-symbols
	fi
else
	fail ddi-symbols "no driver source to check"
fi

# What the gate checks and make lint does not replace.
if [ -z "${GATE:-}" ]; then
	echo "# not run without a gate (make lint GATE=/path/to/illumos-gate" \
	    "runs them): the gate's cstyle -cpP, hdrchk, copyright, keywords" \
	    "and whitespace checks (git-pbchk) over the exported change, the" \
	    "driver compiled against the gate's headers, and the header" \
	    "comparison against the gate itself (here: against the recorded" \
	    "lists)"
fi
echo "# not replaced (run in the gate): a nightly build with the gate's" \
    "compilers and flags (DEBUG and non-DEBUG), smatch and ctfconvert;" \
    "the gate's mandoc (it knows section 4D); pkgfmt, the package" \
    "build and protocmp; findunref; comchk against the bug database"
echo "# lint: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

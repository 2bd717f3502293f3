#!/bin/sh
# The declarations a driver can see through fakekernel/include, or,
# given a gate, through the same headers of illumos-gate: one per line
# in a canonical form, sorted, so that two lists compare with diff.
#
#   sh tests/lint/decls.sh [-a amd64|aarch64] [-g GATE]
#
# The translation unit includes every header of fakekernel/include (by
# its illumos name), compiled by clang as a driver is: for the
# fakekernel with -D_KERNEL -DDEBUG -Ifakekernel/include over the host
# C library, for the gate as uts/Makefile.uts compiles a module
# (-nostdinc, uts/intel or uts/aarch64 then uts/common, -D_KERNEL
# -D_DDI_STRICT ... -DDEBUG).  Listed are the declarations made in those
# headers (for the fakekernel also the host C library's types and
# functions, marked "libc", so that they can be compared where the gate
# declares the same name):
#
#   func NAME TYPE [format(...)]	a prototype: types as written
#   var NAME TYPE			extern data
#   typedef NAME SPELLED = CANONICAL
#   record struct|union TAG {MEMBER TYPE; ...}	members in order
#   const NAME = VALUE (SIZE)		an object-like macro or enum constant
#					with an integer value, and its size
#   macro NAME TEXT			any other object-like macro
#   fmacro NAME(PARAMS)		a function-like macro (its body is
#					the implementation's own)
#
# A header the gate does not have is listed as "noheader PATH".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
arch=amd64 gate=""
while getopts a:g: o; do
	case $o in
	a) arch=$OPTARG ;;
	g) gate=$OPTARG ;;
	*) echo "usage: decls.sh [-a amd64|aarch64] [-g GATE]" >&2; exit 2 ;;
	esac
done
case $arch in
amd64) triple=x86_64 isa=intel ;;
aarch64) triple=aarch64 isa=aarch64 ;;
*) echo "decls: unknown architecture $arch (amd64, aarch64)" >&2; exit 2 ;;
esac
CLANG=${CLANG:-clang}
command -v "$CLANG" >/dev/null 2>&1 ||
    { echo "decls: $CLANG is not installed" >&2; exit 2; }

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

(cd "$top/fakekernel/include" && find . -name '*.h' | sed 's|^\./||' |
    LC_ALL=C sort) >"$tmp/headers"
if [ -n "$gate" ]; then
	uts=$(cd "$gate/usr/src/uts" 2>/dev/null && pwd) ||
	    { echo "decls: $gate has no usr/src/uts" >&2; exit 2; }
	[ -d "$uts/$isa" ] ||
	    { echo "decls: $gate has no uts/$isa" >&2; exit 2; }
	# Headers a gate build generates (sys/priv_names.h, from
	# priv_defs): empty ones do for the declarations compared here.
	mkdir -p "$tmp/gen/sys"
	: >"$tmp/gen/sys/priv_names.h"
	# What Makefile.uts passes a 64-bit module, and the DEBUG build.
	flags="--target=$triple-unknown-illumos -nostdinc -I$uts/$isa
	    -I$uts/common -I$tmp/gen -D_KERNEL -D_SYSCALL32 -D_SYSCALL32_IMPL -D_ELF64
	    -D_DDI_STRICT -Dsun -D__sun -D__SVR4 -DDEBUG"
	root="$uts/$isa/ $uts/common/"
	while read -r h; do
		if [ -f "$uts/$isa/$h" ] || [ -f "$uts/common/$h" ]; then
			echo "$h"
		else
			echo "noheader $h" >>"$tmp/out"
		fi
	done <"$tmp/headers" >"$tmp/have"
	mv "$tmp/have" "$tmp/headers"
else
	flags="--target=$triple-linux-gnu -D_KERNEL -DDEBUG
	    -I$top/fakekernel/include"
	root="$top/fakekernel/include/"
fi
sed 's/.*/#include <&>/' "$tmp/headers" >"$tmp/tu.c"

# shellcheck disable=SC2086
cc_() { "$CLANG" $flags -w -ferror-limit=0 "$@"; }

cc_ -fsyntax-only -Xclang -ast-dump -fno-color-diagnostics "$tmp/tu.c" \
    >"$tmp/ast" 2>"$tmp/ast.err" ||
    { echo "decls: the headers do not compile:" >&2
      head -20 "$tmp/ast.err" >&2; exit 1; }
cc_ -E -dD "$tmp/tu.c" >"$tmp/pp" 2>"$tmp/pp.err" ||
    { echo "decls: the headers do not preprocess" >&2; exit 1; }

# Is file F under one of the (space-separated) directories or files of
# root?  Both programs below start with it.
AWK_INROOT='
	function inroot(f,   n, i, r) {
		n = split(root, r, " ")
		for (i = 1; i <= n; i++)
			if (index(f, r[i]) == 1)
				return 1
		return 0
	}'

# AST -> func, var, typedef and record lines, and the names of the enum
# constants (to the file named by "enums", for the values below).  A
# node's depth is the column of its kind; a declaration belongs to the
# file of its first location (the dump names a file only where it
# changes from the last location printed).
awk -v root="$root" -v enums="$tmp/enums" "$AWK_INROOT"'
	# Track the file: every location outside quoted types names it or
	# keeps it; declfile is the one of the first location.
	function locate(s,   t, f, first) {
		gsub(/\047[^\047]*\047/, "Q", s)
		first = 1
		declfile = cur
		while (match(s, /[^ <>,=]+:[0-9]+:[0-9]+|col:[0-9]+/)) {
			t = substr(s, RSTART, RLENGTH)
			s = substr(s, RSTART + RLENGTH)
			f = t
			sub(/:[0-9]+:[0-9]+$/, "", f)
			if (t !~ /^col:/ && f != "line")
				cur = f
			if (first)
				declfile = cur
			first = 0
		}
	}
	# The i-th quoted string of the line (a type).
	function quoted(i,   s, k) {
		s = $0
		for (k = 1; k <= i; k++) {
			if (!match(s, /\047[^\047]*\047/))
				return ""
			if (k == i)
				return substr(s, RSTART + 1, RLENGTH - 2)
			s = substr(s, RSTART + RLENGTH)
		}
	}
	# The declared name: the word before the first quoted type.
	function name(   s) {
		s = $0
		sub(/ \047.*/, "", s)
		sub(/.* /, "", s)
		return s
	}
	function unnamed(s) {
		gsub(/\((anonymous|unnamed)[^)]* at [^)]*\)/, "(anon)", s)
		return s
	}
	# Close the records at depth d or deeper.
	# A member: "NAME TYPE;" or, a bit-field, "NAME TYPE:WIDTH;" (an
	# unnamed one has no NAME).
	function end_member() {
		if (nrec > 0 && rlast[nrec] != "")
			rbody[nrec] = rbody[nrec] rlast[nrec] "; "
		rlast[nrec] = ""
	}
	function close_records(d,   body) {
		while (nrec > 0 && rdep[nrec] >= d) {
			end_member()
			body = rkind[nrec] " {" rbody[nrec] "}"
			if (nrec > 1)
				inner = body
			else if (rname[1] != "")
				print "record " rkind[1] " " rname[1] " {" \
				    rbody[1] "}"
			else
				anon = body
			nrec--
		}
	}
	function end_func() {
		if (fline != "")
			print fline fattr
		fline = ""
	}
	{
		match($0, /[A-Za-z]/)
		depth = (RSTART - 1) / 2
		kind = substr($0, RSTART)
		sub(/ .*/, "", kind)
		locate($0)
		close_records(depth)
	}
	depth == 1 {
		end_func()
		if (kind != "TypedefDecl")
			anon = ""
		lib = inroot(declfile) ? "" : "libc "
		inenum = 0
	}
	depth == 2 && kind == "FormatAttr" && fline != "" {
		s = $0
		sub(/.*FormatAttr [^ ]* <[^>]*> (Implicit |Inherited )?/, "", s)
		split(s, a, " ")
		# The illumos compiler checks the cmn_err format (the printf
		# format and %b); a host compiler knows the printf format.
		fattr = " format(" (a[1] == "cmn_err" ? "printf" : a[1]) \
		    "," a[2] "," a[3] ")"
		next
	}
	depth == 2 && kind == "EnumConstantDecl" && inenum {
		print name() >enums
		next
	}
	kind == "RecordDecl" && / definition$/ &&
	    ((depth == 1 && lib == "") || (nrec > 0 && depth == rdep[nrec] + 1)) {
		nrec++
		rdep[nrec] = depth
		rbody[nrec] = ""
		rlast[nrec] = ""
		rkind[nrec] = ($0 ~ / union /) ? "union" : "struct"
		s = $0
		sub(/ definition$/, "", s)
		rname[nrec] = ""
		if (match(s, / (struct|union) [A-Za-z_][A-Za-z0-9_]*$/))
			rname[nrec] = substr(s, RSTART + length(rkind[nrec]) + 2)
		next
	}
	kind == "FieldDecl" && nrec > 0 && depth == rdep[nrec] + 1 {
		end_member()
		t = quoted(1)
		if (t ~ /\((unnamed|anonymous) /) {
			t = inner
			inner = ""
		}
		n = name()
		rlast[nrec] = (n ~ /:/ ? "" : n " ") t
		next
	}
	kind == "value:" && nrec > 0 && depth == rdep[nrec] + 3 &&
	    rlast[nrec] != "" {
		rlast[nrec] = rlast[nrec] ":" $NF
		next
	}
	depth != 1 { next }
	kind == "FunctionDecl" && !/ implicit / {
		fline = lib "func " name() " " unnamed(quoted(1))
		fattr = ""
		next
	}
	kind == "TypedefDecl" {
		t = quoted(1)
		c = quoted(2)
		if (c == "")
			c = t
		if (anon != "") {
			t = anon
			c = anon
			anon = ""
		}
		print lib "typedef " name() " " unnamed(t) " = " unnamed(c)
		next
	}
	lib != "" { next }
	kind == "VarDecl" { print "var " name() " " unnamed(quoted(1)); next }
	kind == "EnumDecl" { inenum = 1; next }
	END { end_func(); close_records(0) }
' "$tmp/ast" >>"$tmp/out"

# Macros: function-like ones listed with their parameters; object-like
# ones to "$tmp/objs" with their text, to be valued below.
awk -v root="$root" -v objs="$tmp/objs" "$AWK_INROOT"'
	/^# [0-9]+ "/ {
		f = $3
		gsub(/"/, "", f)
		here = inroot(f)
		next
	}
	/^#undef / { delete def[$2]; next }
	!/^#define / || !here { next }
	{
		s = substr($0, 9)
		if (match(s, /^[A-Za-z_][A-Za-z0-9_]*\([^)]*\)/)) {
			n = substr(s, 1, RLENGTH)
			gsub(/[ \t]/, "", n)
			name = n
			sub(/\(.*/, "", name)
			# How many parameters: their names and the body are
			# for the implementation.
			sub(/^[^(]*\(/, "", n)
			sub(/\)$/, "", n)
			def[name] = "fmacro " name "(" \
			    (n == "" ? 0 : split(n, a, ",")) ")"
		} else {
			name = s
			sub(/[ \t].*/, "", name)
			t = substr(s, length(name) + 1)
			gsub(/[ \t]+/, " ", t)
			sub(/^ /, "", t)
			sub(/ $/, "", t)
			def[name] = name " " t
		}
	}
	END {
		for (name in def)
			if (def[name] ~ /^fmacro /)
				print def[name]
			else
				print def[name] >objs
	}
' "$tmp/pp" >>"$tmp/out"

# Values: every object-like macro and enum constant that is an integer
# constant expression, and its size; a macro that is none keeps its text.
: >>"$tmp/objs"
: >>"$tmp/enums"
{
	cat "$tmp/tu.c"
	awk '{ print $1 }' "$tmp/objs" "$tmp/enums" | LC_ALL=C sort -u |
	    sed 's/.*/const long long __dv_&[2] = { (long long)(&), sizeof (&) };/'
} >"$tmp/v.c"
# Lines in error are not integer constants: drop them and try again.
# shellcheck disable=SC2034
for try in 1 2 3; do
	cc_ -S -O0 -o "$tmp/v.s" "$tmp/v.c" 2>"$tmp/v.err" && break
	sed -n 's/^[^ ]*v\.c:\([0-9]*\):[0-9]*: error:.*/\1/p' "$tmp/v.err" |
	    sort -un >"$tmp/bad"
	awk 'NR == FNR { bad[$1] = 1; next } !(FNR in bad)' "$tmp/bad" \
	    "$tmp/v.c" >"$tmp/v2.c"
	mv "$tmp/v2.c" "$tmp/v.c"
	rm -f "$tmp/v.s"
done
[ -f "$tmp/v.s" ] ||
    { echo "decls: cannot compute the constants' values:" >&2
      head -5 "$tmp/v.err" >&2; exit 1; }
awk '
	/^__dv_[A-Za-z0-9_]*:/ {
		n = substr($1, 6, length($1) - 6)
		k = 0
		next
	}
	n != "" && $1 ~ /^\.(quad|xword|8byte)$/ {
		v[++k] = $2
		if (k == 2) {
			if (v[1] v[2] ~ /^-?[0-9]+-?[0-9]+$/)
				print n, v[1], v[2]
			n = ""
		}
	}
' "$tmp/v.s" >"$tmp/values"
awk -v out="$tmp/out" '
	FILENAME ~ /values$/ { val[$1] = $2 " (" $3 ")"; next }
	FILENAME ~ /enums$/ {
		if ($1 in val)
			print "const " $1 " = " val[$1]
		next
	}
	{
		if ($1 in val)
			print "const " $1 " = " val[$1]
		else
			print "macro " $0
	}
' "$tmp/values" "$tmp/enums" "$tmp/objs" >>"$tmp/out"

LC_ALL=C sort -u "$tmp/out"
exit 0

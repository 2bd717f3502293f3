#!/bin/sh
# The fakekernel's headers declare what illumos's do: every prototype,
# type, structure, constant and macro that fakekernel/include offers a
# driver must be the gate's own, as tests/lint/decls.sh lists them (so
# that a driver that compiles in the lab compiles in the gate).
#
#   sh tests/lint/headers.sh [GATE]	compare, for amd64 and aarch64
#   sh tests/lint/headers.sh -r GATE	record GATE's declarations
#
# The reference is GATE when one is given (its uts/intel for amd64, its
# uts/aarch64, when it has the arm64 port, for aarch64), else the lists
# recorded from a gate in tests/lint/gate-decls.amd64 and .aarch64: the
# gate's declarations of the names the fakekernel declares, facts only
# (signatures, members, values), and "absent NAME" for a name illumos
# does not have.  With a gate, a recorded list that no longer matches it
# fails too (record it again with make gate-decls GATE=...).
#
# One PASS/FAIL line per architecture (tests/check.h); each difference
# follows as a "# " line.  Names of the fakekernel's own (fk_, FK_,
# _FK_, records and enums so tagged included) are not compared: no
# driver may use them (lint's usr-src-lab-free check).  A record must
# have all the members illumos gives it unless tests/lint/headers.known
# calls it "partial", and their contents must
# be illumos's unless it says "contents", and a macro's expansion (one
# that is no constant) must be illumos's unless it says "expansion" (with
# the reason each time); those are reported as notes.
# Declarations the host C library makes (the fakekernel's headers sit
# on glibc's) are compared by canonical type and reported as one note.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
record=0
if [ "${1:-}" = -r ]; then
	record=1
	shift
fi
gate=${1:-}
lint=$top/tests/lint
known=$lint/headers.known
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
failed=0

if [ -n "$gate" ]; then
	[ -d "$gate/usr/src/uts/common/sys" ] || {
		echo "FAIL headers: $gate is not an illumos-gate tree" \
		    "(no usr/src/uts/common/sys)"
		exit 1
	}
	gate=$(cd "$gate" && pwd)
	rev=$(git -C "$gate" rev-parse --short=10 HEAD 2>/dev/null ||
	    echo unknown)
fi
[ "$record" = 0 ] || [ -n "$gate" ] || {
	echo "headers: record from which gate? headers.sh -r GATE" >&2
	exit 2
}

# keys FILE: "KEY<TAB>LINE" for each line of a decls.sh list; the key is
# the name (a record's is "struct TAG"), prefixed by "libc " for the
# host C library's.
keys() {
	awk '{
		lib = ($1 == "libc")
		if (lib)
			$0 = substr($0, 6)
		k = ($1 == "record") ? $2 " " $3 : $2
		sub(/\(.*/, "", k)
		print (lib ? "libc " : "") k "\t" $0
	}' "$1"
}

# restrict FK-KEYS GATE-LIST: the gate's lines for the fakekernel's keys,
# "absent KEY" where the gate has none; the libc keys by the gate's
# line, where it has one.
restrict() {
	keys "$1" >"$tmp/fk.keys"
	keys "$2" >"$tmp/gk"
	awk -F '\t' '
		NR == FNR {
			# (Not "g[k] = (k in g) ? ...": the left side exists
			# before the right one is evaluated.)
			if ($1 in g)
				g[$1] = g[$1] "\n" $2
			else
				g[$1] = $2
			next
		}
		{
			lib = ($1 ~ /^libc /)
			k = lib ? substr($1, 6) : $1
			if (k ~ /^((struct|union|enum) )?(fk_|FK_|_FK_)/ ||
			    seen[$1]++)
				next
			if (k in g) {
				n = split(g[k], l, "\n")
				for (i = 1; i <= n; i++)
					print (lib ? "libc " : "") l[i]
			} else if (!lib) {
				print "absent " k
			}
		}' "$tmp/gk" "$tmp/fk.keys" | LC_ALL=C sort -u
}

# compare ARCH FK-LIST REFERENCE REF-NAME: PASS or FAIL headers-ARCH.
compare() {
	keys "$2" >"$tmp/fk.keys"
	awk -F '\t' -v known="$known" -v name="headers-$1" -v ref="$4" '
		BEGIN {
			while ((getline l < known) > 0) {
				if (l ~ /^#/ || l == "")
					continue
				split(l, kf, "\t")
				kind[kf[1]] = kf[2]
				why[kf[1]] = kf[3]
			}
		}
		# oneof(LINE, LINES): LINE is one of the newline-separated LINES
		# (illumos may declare a name both as a macro and a function).
		function oneof(l, ls,   n, i, a) {
			n = split(ls, a, "\n")
			for (i = 1; i <= n; i++)
				if (a[i] == l)
					return 1
			return 0
		}
		# members(RECORD, M): split a record line into its members,
		# M[1..n]; braces of nested records kept whole.
		function members(r, m,   n, i, c, d, cur) {
			sub(/^[^{]*\{/, "", r)
			sub(/\}[^}]*$/, "", r)
			n = 0
			d = 0
			cur = ""
			for (i = 1; i <= length(r); i++) {
				c = substr(r, i, 1)
				if (c == "{")
					d++
				else if (c == "}")
					d--
				if (c == ";" && d == 0) {
					m[++n] = cur
					cur = ""
					i++
					continue
				}
				cur = cur c
			}
			return n
		}
		# subrecord(FK, GATE): "" when every member of the fakekernel
		# record is one of illumos, in the same order and of the same
		# type, and it has them all or headers.known says "partial"
		# (the framework allocates it; a driver names its members);
		# else what differs.
		function subrecord(f, g,   nf, ng, fm, gm, i, j) {
			nf = members(f, fm)
			ng = members(g, gm)
			j = 1
			for (i = 1; i <= nf; i++) {
				while (j <= ng && gm[j] != fm[i])
					j++
				if (j > ng)
					return "member \"" fm[i] "\" is not one of" \
					    " illumos, or not in its order:\n#\t" g
				j++
			}
			if (nf == ng)
				return ""
			if (kind[k] != "partial")
				return "has " nf " of the " ng " members of" \
				    " illumos:\n#\t" g
			partial = partial " " k "(" nf "/" ng ")"
			used[k] = 1
			return ""
		}
		NR == FNR {
			if ($0 ~ /^#/)
				next
			if ($0 ~ /^absent /) {
				absent[substr($0, 8)] = 1
				next
			}
			lib = ($0 ~ /^libc /)
			line = lib ? substr($0, 6) : $0
			split(line, f, " ")
			k = (f[1] == "record") ? f[2] " " f[3] : f[2]
			sub(/\(.*/, "", k)
			k = (lib ? "libc " : "") k
			if (k in g)
				g[k] = g[k] "\n" line
			else
				g[k] = line
			next
		}
		{
			k = $1
			line = $2
			if (k ~ /^(libc )?((struct|union|enum) )?(fk_|FK_|_FK_)/ ||
			    done[k]++)
				next
			if (k ~ /^libc /) {
				if (!(k in g))
					next
				c = line
				gc = g[k]
				if (line ~ /^typedef /) {
					sub(/.* = /, "", c)
					sub(/.* = /, "", gc)
				}
				if (c != gc && line ~ /^func /)
					libc = libc " " substr(k, 6)
				else if (c != gc)
					libctypes++
				next
			}
			msg = ""
			if (k in absent)
				msg = "illumos has no " k ": " line
			else if (!(k in g))
				msg = "not in " ref " (record it: make" \
				    " gate-decls GATE=/path/to/illumos-gate): " line
			else if (line ~ /^record / && g[k] ~ /^record /) {
				msg = subrecord(line, g[k])
				if (msg != "")
					msg = k ": " msg
			} else if (!oneof(line, g[k])) {
				gl = g[k]
				gsub(/\n/, "\n#\t", gl)
				msg = k ": the fakekernel has\n#\t" line \
				    "\n#   illumos has\n#\t" gl
			}
			if (msg == "")
				next
			if ((kind[k] == "contents" && line ~ /^record /) ||
			    (kind[k] == "expansion" && line ~ /^macro /)) {
				notes = notes "\n# known: " k ": " why[k]
				used[k] = 1
				next
			}
			bad = bad "\n# " msg
			nbad++
		}
		END {
			for (k in why)
				if (!(k in used) && !(k in done))
					stale = stale " " k
			if (nbad)
				printf "FAIL %s: %d declaration(s) differ from %s%s\n",
				    name, nbad, ref, bad
			else
				printf "PASS %s\n", name
			if (stale != "")
				print "# headers.known lists what no longer " \
				    "differs or exists:" stale
			if (notes != "")
				print substr(notes, 2)
			if (partial != "")
				print "# note: partial records (members/" \
				    "illumos), as headers.known says:" partial
			if (libc != "" || libctypes)
				print "# note: the host C library declares" \
				    " these functions and " libctypes \
				    " types differently from illumos (a" \
				    " driver uses only what lint" \
				    " ddi-symbols allows):" libc
			exit (nbad > 0)
		}' "$3" "$tmp/fk.keys"
}

for arch in amd64 aarch64; do
	case $arch in
	amd64) isa=intel ;;
	aarch64) isa=aarch64 ;;
	esac
	rec=$lint/gate-decls.$arch
	if ! sh "$lint/decls.sh" -a "$arch" >"$tmp/fk.$arch" \
	    2>"$tmp/err"; then
		echo "FAIL headers-$arch: the fakekernel's headers do not" \
		    "compile for $arch: $(head -1 "$tmp/err")"
		failed=1
		continue
	fi
	live=0
	if [ -n "$gate" ] && [ -d "$gate/usr/src/uts/$isa" ]; then
		if ! sh "$lint/decls.sh" -a "$arch" -g "$gate" \
		    >"$tmp/gate.$arch" 2>"$tmp/err"; then
			echo "FAIL headers-$arch: the gate's headers do not" \
			    "compile for $arch: $(head -1 "$tmp/err")"
			failed=1
			continue
		fi
		{
			echo "# illumos-gate $rev, uts/$isa and uts/common:" \
			    "the declarations of the names"
			echo "# fakekernel/include declares (tests/lint/decls.sh)." \
			    "make gate-decls GATE=... writes it."
			restrict "$tmp/fk.$arch" "$tmp/gate.$arch"
		} >"$tmp/ref.$arch"
		live=1
	fi
	if [ "$record" = 1 ]; then
		if [ "$live" = 1 ]; then
			cp "$tmp/ref.$arch" "$rec" && echo "# recorded $rec"
		else
			echo "# $gate has no uts/$isa: $rec kept"
		fi
		continue
	fi
	if [ "$live" = 1 ]; then
		compare "$arch" "$tmp/fk.$arch" "$tmp/ref.$arch" \
		    "illumos-gate $rev" || failed=1
		grep -v '^#' "$tmp/ref.$arch" >"$tmp/new"
		grep -v '^#' "$rec" 2>/dev/null >"$tmp/old"
		if ! cmp -s "$tmp/new" "$tmp/old"; then
			echo "FAIL headers-$arch-recorded: $rec is not what" \
			    "$gate declares; make gate-decls GATE=$gate"
			diff "$tmp/old" "$tmp/new" | sed 's/^/# /' | head -20
			failed=1
		else
			echo "PASS headers-$arch-recorded"
		fi
	elif [ -f "$rec" ]; then
		compare "$arch" "$tmp/fk.$arch" "$rec" \
		    "the recorded list $(basename "$rec")" || failed=1
	else
		echo "FAIL headers-$arch: no gate with uts/$isa given and" \
		    "no $rec"
		failed=1
	fi
done
exit "$failed"

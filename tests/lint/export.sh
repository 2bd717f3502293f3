#!/bin/sh
# Copy this repository's illumos-gate files (usr/src) into an
# illumos-gate checkout and hook the pvscsi module into the gate's build,
# following the gate's own conventions.
#
#   sh tests/lint/export.sh /path/to/illumos-gate	(make export GATE=...)
#   sh tests/lint/export.sh --paths	the gate files it reads or writes
#
# What it does to the gate:
#  - copies every file under usr/src (but hidden and backup files),
#    except usr/src/uts/aarch64 when the gate has no aarch64 port
#    (uts/aarch64/Makefile.aarch64);
#  - removes the files of the driver's own directories (its source
#    directory, uts/intel/io/scsi/adapters/pvscsi of older gates) that
#    usr/src does not have: an older driver's THIRDPARTYLICENSE and
#    THIRDPARTYLICENSE.descrip, whose licence action the manifest no
#    longer has (pvscsi.h carries no third-party text);
#  - the manifest: usr/src names the architectures with
#    org.illumos.for-arch; a gate whose publish transform does not know
#    that action (upstream, 2025) gets variant.arch instead, as its
#    pkg README asks; either lists only the architectures the gate has;
#  - uts/common/Makefile.files: adds the PVSCSI_OBJS line of
#    tests/lint/gate/Makefile.files.pvscsi, and takes any PVSCSI_OBJS
#    definition out of uts/intel and uts/aarch64 Makefile.files (the
#    driver is common code);
#  - uts/common/Makefile.rules: adds the object rule of
#    tests/lint/gate/Makefile.rules.pvscsi, and its lint rule when that
#    file still has lint rules;
#  - uts/intel/Makefile.intel and uts/aarch64/Makefile.aarch64: adds
#    "DRV_KMODS += pvscsi" in alphabetical place (or uncomments it);
#  - man/man4d/Makefile: lists pvscsi.4d in i386_MANFILES and, with the
#    port, aarch64_MANFILES, and in no other list (the gate installs the
#    pages of an architecture's list only there, and packages them only
#    where the driver is);
#  - every gate file it edits gets a copyright line for the current year
#    (the gate's pbchk asks for one), with the holder of usr/src's files
#    (COPYRIGHT_HOLDER overrides).
# Each step first looks whether its change is already there, so running
# the script again changes nothing.  A path that is not an illumos-gate
# tree is refused with a one-line error and exit status 1.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
frag_files=$top/tests/lint/gate/Makefile.files.pvscsi
frag_rules=$top/tests/lint/gate/Makefile.rules.pvscsi
manifest=usr/src/pkg/manifests/driver-storage-pvscsi.p5m
# The driver's own directories: everything in them is the export's.
own_dirs="usr/src/uts/common/io/scsi/adapters/pvscsi
    usr/src/uts/intel/io/scsi/adapters/pvscsi usr/src/uts/intel/pvscsi
    usr/src/uts/aarch64/pvscsi"
# The gate files that tell a gate (all must exist) and those edited.
gate_marks="usr/src/Makefile.master usr/src/uts/common/Makefile.files
    usr/src/uts/common/Makefile.rules usr/src/uts/intel/Makefile.intel
    usr/src/man/man4d/Makefile"
gate_edits="usr/src/uts/intel/Makefile.files
    usr/src/uts/aarch64/Makefile.files usr/src/uts/aarch64/Makefile.aarch64
    usr/src/pkg/transforms/publish"

die() {
	echo "export: $*" >&2
	exit 1
}

say() {
	echo "export: $*"
}

# The files of usr/src that go into a gate.
src_files() {
	(cd "$top" && find usr/src -type f ! -name '.*' ! -name '*~' |
	    LC_ALL=C sort) || die "cannot list $top/usr/src"
}

if [ "${1:-}" = --paths ]; then
	for p in $gate_marks $gate_edits $own_dirs; do
		echo "$p"
	done
	src_files
	exit 0
fi

gate=${1:-}
changes=0
[ -n "$gate" ] || die "no gate given: make export GATE=/path/to/illumos-gate"
[ -d "$gate" ] || die "$gate: no such directory"
for f in $gate_marks usr/src/pkg/manifests; do
	[ -e "$gate/$f" ] || die "$gate is not an illumos-gate tree (no $f)"
done
gate=$(cd "$gate" && pwd)
[ "$gate" != "$top" ] || die "$gate is this repository, not an illumos-gate"

uts=$gate/usr/src/uts
# A POSIX awk: on illumos /usr/bin/awk is the old one, nawk the POSIX one.
AWK=${AWK:-$(command -v nawk || command -v gawk || command -v mawk ||
    echo awk)}
arm=0
[ -f "$uts/aarch64/Makefile.aarch64" ] && arm=1
year=$(date +%Y)
holder=${COPYRIGHT_HOLDER:-$(sed -n \
    's/^# Copyright [0-9][0-9]* \(.*\)$/\1/p' \
    "$top/usr/src/uts/intel/pvscsi/Makefile" | head -1)}
[ -n "$holder" ] || die "no copyright holder in usr/src/uts/intel/pvscsi/Makefile"

# body FRAGMENT: a fragment without its leading comment block (all up
# to the first blank line).
body() {
	$AWK 'started { print; next } /^$/ { started = 1 }' "$1"
}

# block FRAGMENT PREFIX: the block of a fragment's body whose first line
# starts with PREFIX (blocks are separated by blank lines).
block() {
	body "$1" | $AWK -v p="$2" '
		/^$/ { on = 0; next }
		!on && !seen && index($0, p) == 1 { on = 1; seen = 1 }
		on { print }'
}

# install_file SRC DST REL: copy SRC over DST when they differ.
install_file() {
	if [ -f "$2" ] && cmp -s "$1" "$2"; then
		return 0
	fi
	mkdir -p "$(dirname "$2")" || die "cannot create $(dirname "$2")"
	cp "$1" "$2" || die "cannot copy $3"
	say "copied $3"
	changes=$((changes + 1))
}

# Insert "# Copyright YEAR HOLDER" after the last copyright line of the
# leading comment (at the top when there is none) when no copyright line
# names the current year (the gate's pbchk copyright check: any
# "Copyright ... YEAR" line will do).
AWK_COPYRIGHT='
	BEGIN { year = ENVIRON["P_YEAR"]; holder = ENVIRON["P_HOLDER"] }
	{ line[NR] = $0 }
	$0 ~ "Copyright.*[^0-9]" year "([^0-9]|$)" { current = 1 }
	/^#/ && !code && /Copyright / && !/Copyright \[yyyy\]/ { last = NR }
	!/^#/ && !/^$/ { code = 1 }
	END {
		new = "# Copyright " year " " holder
		if (!current && !last)
			print new
		for (i = 1; i <= NR; i++) {
			print line[i]
			if (!current && i == last)
				print new
		}
	}'

# rewrite FILE WHAT PROGRAM: run the awk PROGRAM over FILE and replace
# FILE by its output when that differs; an edited file then gets its
# copyright line.  Programs take their parameters from the environment
# (P_*), which keeps regular expressions free of awk's -v escape
# processing.
rewrite() {
	f=$1 what=$2
	$AWK "$3" "$f" >"$f.export-tmp" || {
		rm -f "$f.export-tmp"
		die "cannot edit ${f#"$gate"/}"
	}
	if cmp -s "$f" "$f.export-tmp"; then
		rm -f "$f.export-tmp"
		return 0
	fi
	P_YEAR=$year P_HOLDER=$holder $AWK "$AWK_COPYRIGHT" \
	    "$f.export-tmp" >"$f.export-tmp2" &&
	    cat "$f.export-tmp2" >"$f" || die "cannot edit ${f#"$gate"/}"
	rm -f "$f.export-tmp" "$f.export-tmp2"
	say "patched ${f#"$gate"/} ($what)"
	changes=$((changes + 1))
}

# The manifest for this gate: the for-arch line names the gate's
# architectures (aarch64 only with the port) and becomes variant.arch
# where the gate's publish transform does not know org.illumos.for-arch.
AWK_MANIFEST='
	BEGIN { arm = ENVIRON["P_ARM"]; forarch = ENVIRON["P_FORARCH"] }
	/^set name=org\.illumos\.for-arch / {
		s = forarch ? "set name=org.illumos.for-arch" : \
		    "set name=variant.arch"
		n = split($0, w, " ")
		for (i = 3; i <= n; i++)
			if (w[i] != "value=aarch64" || arm)
				s = s " " w[i]
		print s
		next
	}
	{ print }'

copy_tree() {
	src_files >"$tmp/files"
	forarch=0
	grep -q 'org\.illumos\.for-arch' \
	    "$gate/usr/src/pkg/transforms/publish" 2>/dev/null && forarch=1
	while read -r rel; do
		src=$top/$rel
		case $rel in
		usr/src/uts/aarch64/*)
			[ "$arm" = 1 ] || continue ;;
		"$manifest")
			P_ARM=$arm P_FORARCH=$forarch $AWK "$AWK_MANIFEST" \
			    "$src" >"$tmp/manifest" ||
			    die "cannot write the manifest"
			src=$tmp/manifest ;;
		esac
		install_file "$src" "$gate/$rel" "$rel"
	done <"$tmp/files"
	if [ "$arm" = 0 ]; then
		say "no aarch64 port in this gate (no" \
		    "uts/aarch64/Makefile.aarch64): aarch64 files skipped"
	fi
	if [ "$forarch" = 0 ]; then
		say "the gate's publish transform has no" \
		    "org.illumos.for-arch: the manifest says variant.arch"
	fi
}

# Remove what the driver's own directories hold and usr/src does not.
remove_orphans() {
	for d in $own_dirs; do
		[ -d "$gate/$d" ] || continue
		(cd "$gate" && find "$d" -type f | LC_ALL=C sort) |
		    while read -r rel; do
			[ -f "$top/$rel" ] && continue
			case $rel in
			usr/src/uts/aarch64/*) [ "$arm" = 1 ] || continue ;;
			esac
			rm -f "$gate/$rel" || die "cannot remove $rel"
			say "removed $rel"
		done
		rmdir "$gate/$d" 2>/dev/null && say "removed $d"
	done
}

# Insert the lines of file INS after the logical line (with backslash
# continuations) that starts with the first of the space-separated
# ANCHORS found; at the end when none is.  Nothing happens when a line
# matching HAVE (a regular expression) exists.
AWK_INSERT_AFTER='
	BEGIN {
		while ((getline l < ENVIRON["P_INS"]) > 0)
			add[++nadd] = l
		na = split(ENVIRON["P_ANCHORS"], anc, " ")
		have = ENVIRON["P_HAVE"]
	}
	{ line[NR] = $0 }
	$0 ~ have { found = 1 }
	END {
		if (found) {
			for (i = 1; i <= NR; i++)
				print line[i]
			exit
		}
		at = 0
		for (a = 1; a <= na && !at; a++) {
			for (i = 1; i <= NR; i++) {
				if (index(line[i], anc[a]) == 1) {
					at = i
					while (at < NR && line[at] ~ /\\$/)
						at++
					break
				}
			}
		}
		for (i = 1; i <= NR; i++) {
			print line[i]
			if (i == at)
				for (k = 1; k <= nadd; k++)
					print add[k]
		}
		if (!at) {
			if (NR > 0 && line[NR] != "")
				print ""
			for (k = 1; k <= nadd; k++)
				print add[k]
		}
	}'

# Delete every assignment (a logical line) to the variable P_VAR.
AWK_DELETE_LOGICAL='
	BEGIN { re = "^" ENVIRON["P_VAR"] "[ \t]*[+:]?=" }
	skip { skip = ($0 ~ /\\$/); next }
	$0 ~ re {
		skip = ($0 ~ /\\$/)
		next
	}
	{ print }'

# Insert the rule block in file INS after the rule block whose first
# line matches the first of ANCHORS (a "|"-separated list of regular
# expressions) found; at the end when none is.  Nothing happens when a
# line matching HAVE exists, or when ONLYIF is set and no line matches it.
AWK_INSERT_RULE='
	BEGIN {
		while ((getline l < ENVIRON["P_INS"]) > 0)
			add[++nadd] = l
		na = split(ENVIRON["P_ANCHORS"], anc, "|")
		have = ENVIRON["P_HAVE"]
		onlyif = ENVIRON["P_ONLYIF"]
	}
	{ line[NR] = $0 }
	$0 ~ have { found = 1 }
	onlyif != "" && $0 ~ onlyif { allowed = 1 }
	END {
		if (onlyif == "")
			allowed = 1
		if (found || !allowed || nadd == 0) {
			for (i = 1; i <= NR; i++)
				print line[i]
			exit
		}
		at = 0
		for (a = 1; a <= na && !at; a++) {
			for (i = NR; i >= 1; i--) {
				if (line[i] ~ anc[a]) {
					at = i
					while (at < NR && line[at + 1] ~ /^\t/)
						at++
					break
				}
			}
		}
		for (i = 1; i <= NR; i++) {
			print line[i]
			if (i == at) {
				print ""
				for (k = 1; k <= nadd; k++)
					print add[k]
			}
		}
		if (!at) {
			if (NR > 0 && line[NR] != "")
				print ""
			for (k = 1; k <= nadd; k++)
				print add[k]
		}
	}'

# Add MOD to the DRV_KMODS list: nothing when an uncommented DRV_KMODS
# line names it; uncomment "#DRV_KMODS += MOD" when there is one; else
# insert "DRV_KMODS<tab>+= MOD" before the first single-module line that
# sorts after MOD and follows one that sorts before it, else after the
# last DRV_KMODS line.
AWK_KMODS='
	BEGIN { mod = ENVIRON["P_MOD"] }
	function mods(s) {
		sub(/^DRV_KMODS[ \t]*\+=[ \t]*/, "", s)
		sub(/[ \t]*#.*$/, "", s)
		return s
	}
	{ line[NR] = $0 }
	/^DRV_KMODS[ \t]*\+=/ {
		n = split(mods($0), w, /[ \t]+/)
		for (k = 1; k <= n; k++)
			if (w[k] == mod)
				have = 1
		single[NR] = (n == 1) ? w[1] : ""
		last = NR
	}
	$0 ~ "^#[ \t]*DRV_KMODS[ \t]*\\+=[ \t]*" mod "[ \t]*$" { com = NR }
	END {
		at = 0
		for (i = 2; i <= NR && !have && !com; i++) {
			if (single[i] != "" && single[i] > mod &&
			    single[i - 1] != "" && single[i - 1] < mod) {
				at = i
				break
			}
		}
		new = "DRV_KMODS\t+= " mod
		for (i = 1; i <= NR; i++) {
			if (!have && i == at)
				print new
			if (!have && i == com)
				print new
			else
				print line[i]
			if (!have && !com && !at && i == last)
				print new
		}
		if (!have && !com && !at && !last)
			print new
	}'

# Put ITEM in each list variable of TARGETS (space-separated; lists are
# backslash-continued, one item a line, alphabetical) that exists, and
# take it out of every other *MANFILES list.  A new line is laid out as
# its neighbour: the same indentation, the backslash in the same column.
AWK_MANLIST='
	function col(s,   i, c) {
		c = 0
		for (i = 1; i <= length(s); i++)
			c = (substr(s, i, 1) == "\t") ? c - c % 8 + 8 : c + 1
		return c
	}
	function trim(s) {
		sub(/^[A-Za-z0-9_]*MANFILES[ \t]*=/, "", s)
		sub(/^[ \t]+/, "", s)
		sub(/[ \t]*\\?[ \t]*$/, "", s)
		return s
	}
	function repl(s, a, b,   k) {
		k = index(s, a)
		return (k ? substr(s, 1, k - 1) b substr(s, k + length(a)) : s)
	}
	function nobs(s) {
		sub(/[ \t]*\\$/, "", s)
		return s
	}
	# The column of line L'"'"'s backslash (0: none).
	function bscol(l) {
		return (l ~ /\\$/ ? col(substr(l, 1, length(l) - 1)) : 0)
	}
	# TEXT with the indentation of line L, and a backslash in column B
	# (none when B is 0).
	function lay(l, text, b,   s) {
		s = l
		sub(/[^ \t].*/, "", s)
		s = s text
		if (!b)
			return s
		do
			s = s "\t"
		while (col(s) < b)
		return s "\\"
	}
	BEGIN {
		item = ENVIRON["P_ITEM"]
		nt = split(ENVIRON["P_TARGETS"], tl, " ")
		for (i = 1; i <= nt; i++)
			target[tl[i]] = 1
	}
	{ line[NR] = $0 }
	END {
		for (i = 1; i <= NR; i++) {
			if (cont) {
				var[i] = cur
			} else if (line[i] ~ /^[A-Za-z0-9_]*MANFILES[ \t]*=/) {
				cur = line[i]
				sub(/[ \t]*=.*/, "", cur)
				var[i] = cur
				head[cur] = i
			} else {
				cur = ""
			}
			cont = (cur != "" && line[i] ~ /\\$/)
			if (cur != "") {
				tail[cur] = i
				if (trim(line[i]) == item)
					where[cur] = i
			}
		}
		# Out of the lists that are not targets.
		for (v in where) {
			if (v in target)
				continue
			i = where[v]
			if (i == head[v] && tail[v] > i) {
				# The next item moves up to the head line.
				line[i] = repl(line[i], item, trim(line[i + 1]))
				if (line[i + 1] !~ /\\$/)
					line[i] = nobs(line[i])
				drop[i + 1] = 1
			} else if (i == head[v]) {
				line[i] = repl(line[i], item, "")
			} else {
				drop[i] = 1
				if (i == tail[v])
					line[i - 1] = nobs(line[i - 1])
			}
		}
		# Into the targets that do not have it, in alphabetical place,
		# the backslash in the column of the list'"'"'s others.
		for (v in target) {
			if (!(v in head) || (v in where))
				continue
			at = 0
			for (i = head[v] + 1; i <= tail[v] && !at; i++)
				if (trim(line[i]) > item)
					at = i
			b = bscol(line[head[v]])
			for (i = head[v] + 1; i < tail[v]; i++)
				b = bscol(line[i])
			if (at) {
				before[at] = lay(line[at], item, b)
			} else if (tail[v] > head[v]) {
				i = tail[v]
				after[i] = lay(line[i], item, 0)
				line[i] = lay(line[i], trim(line[i]), b)
			} else {
				line[head[v]] = line[head[v]] " \\"
				after[head[v]] = "\t\t" item
			}
		}
		for (i = 1; i <= NR; i++) {
			if (i in before)
				print before[i]
			if (!drop[i])
				print line[i]
			if (i in after)
				print after[i]
		}
	}'

tmp=$(mktemp -d) || die "cannot make a temporary directory"
trap 'rm -rf "$tmp"' EXIT
body "$frag_files" >"$tmp/objs"
block "$frag_rules" '$(OBJS_DIR)' >"$tmp/rule"
block "$frag_rules" '$(LINTS_DIR)' >"$tmp/lint"
[ -s "$tmp/objs" ] && [ -s "$tmp/rule" ] ||
    die "empty fragment in tests/lint/gate"

copy_tree
remove_orphans

# Objects: common Makefile.files, none in the architecture ones.
export P_INS P_ANCHORS P_HAVE P_ONLYIF P_VAR P_MOD P_ITEM P_TARGETS
P_INS=$tmp/objs
P_ANCHORS="VIOSCSI_OBJS SMRT_OBJS SMARTPQI_OBJS"
P_HAVE='^PVSCSI_OBJS[ \t]*[+:]?='
rewrite "$uts/common/Makefile.files" PVSCSI_OBJS "$AWK_INSERT_AFTER"
P_VAR=PVSCSI_OBJS
for m in intel aarch64; do
	[ -f "$uts/$m/Makefile.files" ] || continue
	rewrite "$uts/$m/Makefile.files" "PVSCSI_OBJS moved to uts/common" \
	    "$AWK_DELETE_LOGICAL"
done

# Rules: the object rule, and the lint rule where lint rules remain.
src='[ \t]*\$\(UTSBASE\)/common/io/scsi/adapters/pvscsi/%\.c'
obj='^\$\(OBJS_DIR\)/%\.o:'
lint='^\$\(LINTS_DIR\)/%\.ln:'
P_INS=$tmp/rule
P_ANCHORS="$obj.*/io/scsi/adapters/smrt/%\.c|$obj.*/io/scsi/adapters/smartpqi/"
P_HAVE=$obj$src
P_ONLYIF=
rewrite "$uts/common/Makefile.rules" "pvscsi object rule" "$AWK_INSERT_RULE"
P_INS=$tmp/lint
P_ANCHORS="$lint.*/io/scsi/adapters/smrt/%\.c|$lint"
P_HAVE=$lint$src
P_ONLYIF=$lint
rewrite "$uts/common/Makefile.rules" "pvscsi lint rule" "$AWK_INSERT_RULE"

# Module lists.
P_MOD=pvscsi
rewrite "$uts/intel/Makefile.intel" "DRV_KMODS += pvscsi" "$AWK_KMODS"
if [ "$arm" = 1 ]; then
	rewrite "$uts/aarch64/Makefile.aarch64" "DRV_KMODS += pvscsi" \
	    "$AWK_KMODS"
fi

# The man page, where the driver is.
man4d=$gate/usr/src/man/man4d/Makefile
P_ITEM=pvscsi.4d
P_TARGETS=i386_MANFILES
[ "$arm" = 1 ] && P_TARGETS="$P_TARGETS aarch64_MANFILES"
for t in $P_TARGETS; do
	grep -q "^${t}[ 	]*=" "$man4d" ||
	    say "note: man/man4d/Makefile has no $t list; pvscsi.4d not" \
	    "listed there"
done
rewrite "$man4d" "pvscsi.4d in $(echo "$P_TARGETS" | sed 's/ / and /')" \
    "$AWK_MANLIST"

if [ "$changes" -eq 0 ]; then
	say "$gate is up to date: nothing changed"
else
	say "done"
fi
exit 0

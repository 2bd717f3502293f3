#!/bin/sh
# Copy this repository's illumos-gate files (usr/src) into an
# illumos-gate checkout and hook the pvscsi module into the gate's build.
#
#   sh tests/lint/export.sh /path/to/illumos-gate	(make export GATE=...)
#
# What it does to the gate:
#  - copies every file under usr/src (but hidden and backup files),
#    except the two Makefile fragments
#    (usr/src/uts/common/Makefile.{files,rules}.pvscsi), and except
#    usr/src/uts/aarch64 when the gate has no aarch64 port;
#  - uts/common/Makefile.files: adds the fragment's PVSCSI_OBJS line, and
#    takes any PVSCSI_OBJS definition out of uts/intel/Makefile.files and
#    uts/aarch64/Makefile.files (the driver is common code now);
#  - uts/common/Makefile.rules: adds the fragment's object rule, and its
#    lint rule when that file still has lint rules;
#  - uts/intel/Makefile.intel and uts/aarch64/Makefile.aarch64: adds
#    "DRV_KMODS += pvscsi" in alphabetical place (or uncomments it);
#  - man/man4d/Makefile: lists pvscsi.4d in the common _MANFILES list and
#    in no per-architecture list (the driver is for x86 and aarch64).
# Each step first looks whether its change is already there, so running
# the script again changes nothing.  A path that is not an illumos-gate
# tree is refused with a one-line error and exit status 1.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
gate=${1:-}
changes=0

die() {
	echo "export: $*" >&2
	exit 1
}

say() {
	echo "export: $*"
}

[ -n "$gate" ] || die "no gate given: make export GATE=/path/to/illumos-gate"
[ -d "$gate" ] || die "$gate: no such directory"
for f in usr/src/Makefile.master usr/src/uts/common/Makefile.files \
    usr/src/uts/common/Makefile.rules usr/src/uts/intel/Makefile.intel \
    usr/src/man/man4d/Makefile usr/src/pkg/manifests; do
	[ -e "$gate/$f" ] || die "$gate is not an illumos-gate tree (no $f)"
done
gate=$(cd "$gate" && pwd)
[ "$gate" != "$top" ] || die "$gate is this repository, not an illumos-gate"

uts=$gate/usr/src/uts
# A POSIX awk: on illumos /usr/bin/awk is the old one, nawk the POSIX one.
AWK=${AWK:-$(command -v nawk || command -v gawk || command -v mawk ||
    echo awk)}
frag_files=$top/usr/src/uts/common/Makefile.files.pvscsi
frag_rules=$top/usr/src/uts/common/Makefile.rules.pvscsi
arm=0
[ -f "$uts/aarch64/Makefile.aarch64" ] && arm=1

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

# rewrite FILE WHAT PROGRAM: run the awk PROGRAM over FILE and replace
# FILE by its output when that differs.  Programs take their parameters
# from the environment (P_*), which keeps regular expressions free of
# awk's -v escape processing.
rewrite() {
	f=$1 what=$2
	$AWK "$3" "$f" >"$f.export-tmp" || {
		rm -f "$f.export-tmp"
		die "cannot edit ${f#"$gate"/}"
	}
	if cmp -s "$f" "$f.export-tmp"; then
		rm -f "$f.export-tmp"
	else
		cat "$f.export-tmp" >"$f" && rm -f "$f.export-tmp"
		say "patched ${f#"$gate"/} ($what)"
		changes=$((changes + 1))
	fi
}

copy_tree() {
	(cd "$top" && find usr/src -type f ! -name '.*' ! -name '*~' |
	    sort) >"$tmp/files" || die "cannot list $top/usr/src"
	while read -r rel; do
		case $rel in
		usr/src/uts/common/Makefile.files.pvscsi | \
		    usr/src/uts/common/Makefile.rules.pvscsi)
			continue ;;
		usr/src/uts/aarch64/*)
			[ "$arm" = 1 ] || continue ;;
		esac
		install_file "$top/$rel" "$gate/$rel" "$rel"
	done <"$tmp/files"
	if [ "$arm" = 0 ]; then
		say "no aarch64 port in this gate (no" \
		    "uts/aarch64/Makefile.aarch64): aarch64 files skipped"
	fi
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

# Put ITEM in the list variable TARGET (backslash-continued, one item a
# line, alphabetical) and take it out of every other *MANFILES list.
AWK_MANLIST='
	function pad(s,   c) {
		c = 16 + length(s)
		return (c < 24 ? "\t\t" : (c < 32 ? "\t" : " "))
	}
	function trim(s) {
		sub(/^[ \t]+/, "", s)
		sub(/[ \t]*\\?[ \t]*$/, "", s)
		return s
	}
	BEGIN { item = ENVIRON["P_ITEM"]; target = ENVIRON["P_TARGET"] }
	{ line[NR] = $0 }
	END {
		# Find the lists: var[i] is the list line i belongs to.
		for (i = 1; i <= NR; i++) {
			if (cont) {
				var[i] = cur
			} else if (match(line[i], /^[A-Za-z0-9_]*MANFILES[ \t]*=/)) {
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
				t = trim(i == head[cur] ? substr(line[i], \
				    index(line[i], "=") + 1) : line[i])
				if (t == item)
					where[cur] = i
			}
		}
		if (!(target in head))
			target = "MANFILES"
		if (!(target in head)) {
			print "export: no " target " list" > "/dev/stderr"
			exit 1
		}
		# Remove ITEM from the other lists.
		for (v in where) {
			if (v == target)
				continue
			i = where[v]
			if (i == head[v]) {
				# First item: pull the next line up.
				line[i] = v "=\t"
				if (tail[v] > i) {
					line[i] = line[i] trim(line[i + 1]) \
					    (line[i + 1] ~ /\\$/ ? \
					    pad(trim(line[i + 1])) "\\" : "")
					drop[i + 1] = 1
				}
			} else {
				drop[i] = 1
				if (i == tail[v]) {
					sub(/[ \t]*\\$/, "", line[i - 1])
				}
			}
		}
		# Add ITEM to the target list.
		at = 0
		if (!(target in where)) {
			for (i = head[target] + 1; i <= tail[target]; i++) {
				if (trim(line[i]) > item) {
					at = i
					break
				}
			}
			if (!at) {
				i = tail[target]
				if (i == head[target])
					line[i] = line[i] " \\"
				else
					line[i] = "\t\t" trim(line[i]) \
					    pad(trim(line[i])) "\\"
				after = i
			}
		}
		for (i = 1; i <= NR; i++) {
			if (i == at)
				print "\t\t" item pad(item) "\\"
			if (!drop[i])
				print line[i]
			if (i == after)
				print "\t\t" item
		}
	}'

tmp=$(mktemp -d) || die "cannot make a temporary directory"
trap 'rm -rf "$tmp"' EXIT
body "$frag_files" >"$tmp/objs"
block "$frag_rules" '$(OBJS_DIR)' >"$tmp/rule"
block "$frag_rules" '$(LINTS_DIR)' >"$tmp/lint"
[ -s "$tmp/objs" ] && [ -s "$tmp/rule" ] ||
    die "empty fragment in usr/src/uts/common"

copy_tree

# Objects: common Makefile.files, none in the architecture ones.
export P_INS P_ANCHORS P_HAVE P_ONLYIF P_VAR P_MOD P_ITEM P_TARGET
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

# The man page, for every architecture.
P_ITEM=pvscsi.4d
P_TARGET=_MANFILES
rewrite "$gate/usr/src/man/man4d/Makefile" "pvscsi.4d in _MANFILES" \
    "$AWK_MANLIST"

# Files of an older pvscsi that this tree does not have are left alone.
for d in usr/src/uts/common/io/scsi/adapters/pvscsi \
    usr/src/uts/intel/io/scsi/adapters/pvscsi; do
	[ -d "$gate/$d" ] || continue
	(cd "$gate" && find "$d" -type f | sort) | while read -r rel; do
		[ -f "$top/$rel" ] || say "note: $rel is not in this tree;" \
		    "left alone"
	done
done

if [ "$changes" -eq 0 ]; then
	say "$gate is up to date: nothing changed"
else
	say "done"
fi
exit 0

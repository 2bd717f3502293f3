#!/bin/sh
# (c) bad options: one line "lab: ...", exit 2, no output, QEMU not started.
. "$(dirname "$0")/common.sh"
tmp=$TBUILD/badopts.$$

# A run that gets as far as starting QEMU first makes its socket
# directory in TMPDIR; with a private TMPDIR, none may appear.
sockdirs=$tmp.sock
mkdir -p "$sockdirs"
trap 'rm -rf "$tmp".*' EXIT

# bad NAME ARGS...
bad() {
	name=$1
	shift
	TMPDIR=$sockdirs "$LAB" "$ARCH_OPT" "$@" >"$tmp.out" 2>"$tmp.err"
	rc=$?
	made=$(ls "$sockdirs" | wc -l)
	lines=$(wc -l <"$tmp.err")
	first=$(head -n 1 "$tmp.err")
	if [ "$rc" -ne 2 ]; then
		fail "$name" "expected exit 2, saw $rc ($(joined "$tmp.err"))"
	elif [ "$lines" -ne 1 ] || [ "${first#lab: }" = "$first" ]; then
		fail "$name" "expected one 'lab: ...' line, saw '$(joined "$tmp.err")'"
	elif [ -s "$tmp.out" ]; then
		fail "$name" "expected no stdout, saw '$(joined "$tmp.out")'"
	elif [ "$made" -ne 0 ]; then
		fail "$name" "expected no run started, saw $made socket directories"
		rm -rf "$sockdirs"/*
	else
		pass "$name"
	fi
}

bad bad-hba --hba x true
bad bad-disk-target --disk 0:zz:file true
bad bad-option --frobnicate true
bad bad-disk-kind --disk 0:1:bogus true
bad bad-disk-opt --disk 0:1:null,path=/x true
bad bad-disk-size --disk 0:1:file,size=12Q true
bad bad-disk-hba --hba 1 --disk 1:0:null true
bad dup-disk --disk 0:1:null --disk 0:1:file true
bad bad-disk-range --hba 4 --disk 3-1:0:null true
bad dup-disk-range --disk 0:0-7:null --disk 0:5:file true
bad bad-timeout --timeout soon true
bad bad-env --env 1X=2 true
bad bad-arch --arch sparc true
bad no-command --hba 1
bad missing-value --mem
exit $failed

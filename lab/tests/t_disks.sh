#!/bin/sh
# (f) every --disk kind is accepted by QEMU and shows up as asked.
. "$(dirname "$0")/common.sh"
tmp=$TBUILD/disks.$$
trap 'rm -f "$tmp".*' EXIT

cd "$REPO" || exit 1
img=$tmp.img
truncate -s 32M "$img"
"$LAB" "$ARCH_OPT" --hba 2 --disk 0:0:file --disk "0:1:file,path=$img" \
	--disk 0:2:null,latency=1000 --disk 1:64:null,size=4G,lbs=4096 \
	--disk 1:3:blkdebug,size=16M,rerr=8 --disk 1:10-12:null,size=16M \
	sh lab/tests/guest_disks.sh "$img" >"$tmp.out" 2>&1
guest_result disks $? "$tmp.out"
exit $failed

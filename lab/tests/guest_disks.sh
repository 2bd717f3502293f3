#!/bin/sh
# Runs inside the guest (lab/tests/t_disks.sh): the --disk kinds.
# Usage: guest_disks.sh GIVEN-IMAGE
. "$(dirname "$0")/common.sh"

# One line per block device of query-block.
qmp query-block | sed 's/}, {"io-status"/\n/g' >"$LAB_OUT/blocks"

# disk NAME NODE SIZE [TEXT]: NODE is attached to its scsi-hd with SIZE
disk() {
	line=$(grep "\"qdev\": \"disk-${2#node-}\"" "$LAB_OUT/blocks")
	case $line in
	*"\"node-name\": \"$2\""*"\"virtual-size\": $3,"* | \
	*"\"virtual-size\": $3,"*"\"node-name\": \"$2\""*) ;;
	*) fail "$1" "expected $2 of $3 bytes, saw '${line:-nothing}'"; return ;;
	esac
	case $line in
	*"$4"*) pass "$1" ;;
	*) fail "$1" "expected '$4' in '$line'" ;;
	esac
}

disk disk-file-created node-0-0 67108864 "$LAB_OUT/disk-0-0.img"
disk disk-file-given node-0-1 33554432 "$1"
disk disk-null-latency node-0-2 1073741824 '"drv": "null-co"'
disk disk-null-4k node-1-64 4294967296 '"drv": "null-co"'
disk disk-blkdebug node-1-3 16777216 '"drv": "blkdebug"'
for t in 10 11 12; do
	disk "disk-range-1-$t" "node-1-$t" 16777216 '"drv": "null-co"'
done

# blkdebug,rerr=8: reading sector 8 fails, sector 0 does not.  HMP's
# qemu-io prints to QEMU's log, which is in the run directory.
for c in 'read 0 512' 'read 4096 512'; do
	qmp -q human-monitor-command \
	    "{\"command-line\":\"qemu-io -d disk-1-3 \\\"$c\\\"\"}"
done
log=$(cat "$LAB_OUT/qemu.log")
case $log in
*"read 512/512 bytes at offset 0"*"read failed: Input/output error"*)
	pass blkdebug-read-error ;;
*) fail blkdebug-read-error "expected sector 0 read and sector 8 EIO, saw '$log'" ;;
esac
exit $failed

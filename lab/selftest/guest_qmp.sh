#!/bin/sh
# Runs inside the guest (lab/selftest/t_qmp.sh): hot plug through the qmp
# command, then the C API test.
. "$(dirname "$0")/common.sh"

peripheral() {
	qmp qom-list '{"path":"/machine/peripheral"}'
}

qmp disk-add 0 3 null
check qmp-disk-add 0 $?
blk=$(qmp query-block)
case $blk in
*'"node-name": "node-0-3"'*'"qdev": "disk-0-3"'*) pass qmp-query-block ;;
*) fail qmp-query-block "expected node-0-3 on disk-0-3, saw $blk" ;;
esac
case $(peripheral) in
*'"name": "disk-0-3", "type": "child<scsi-hd>"'*) pass qmp-qom-list ;;
*) fail qmp-qom-list "expected disk-0-3 (scsi-hd), saw $(peripheral)" ;;
esac
case $(qmp qom-get '{"path":"/machine/peripheral/disk-0-3","property":"scsi-id"}') in
*'"return": 3'*) pass qmp-scsi-id ;;
*) fail qmp-scsi-id "expected scsi-id 3, saw something else" ;;
esac

qmp disk-del 0 3
check qmp-disk-del 0 $?
case $(peripheral) in
*disk-0-3*) fail qmp-disk-gone "expected no disk-0-3, saw $(peripheral)" ;;
*) pass qmp-disk-gone ;;
esac
case $(qmp query-block) in
*node-0-3*) fail qmp-node-gone "expected no node-0-3 in query-block" ;;
*) pass qmp-node-gone ;;
esac

qmp -q no-such-command 2>/dev/null
check qmp-error-status 1 $?
qmp disk-add 0 3 bogus 2>/dev/null
check qmp-bad-spec-status 2 $?
case $(qmp '{"execute":"query-status"}') in
*'"status": "running"'*) pass qmp-raw-json ;;
*) fail qmp-raw-json "expected status running" ;;
esac

"$TBIN/qmp_api" || failed=1
exit $failed

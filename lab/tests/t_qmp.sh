#!/bin/sh
# (e) QMP from inside the guest: the qmp command and the qmp.h API.
. "$(dirname "$0")/common.sh"
tmp=$TBUILD/qmp.$$
trap 'rm -f "$tmp".*' EXIT

cd "$REPO" || exit 1
if ! { make -s -f lab/lab.mk build/lab/libqmp.a &&
    ${CC:-cc} -O2 -g -Wall -Wextra -Werror -fno-strict-aliasing -Ilab \
    lab/tests/qmp_api.c build/lab/libqmp.a -o "$TBUILD/qmp_api"; } \
    >"$tmp.build" 2>&1; then
	fail qmp-api-build "expected a clean build, saw $(joined "$tmp.build")"
	exit 1
fi
"$LAB" sh lab/tests/guest_qmp.sh >"$tmp.out" 2>&1
guest_result qmp $? "$tmp.out"
exit $failed

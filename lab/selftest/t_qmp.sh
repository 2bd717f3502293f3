#!/bin/sh
# (e) QMP from inside the guest: the qmp command and the qmp.h API.
. "$(dirname "$0")/common.sh"
tmp=$TBUILD/qmp.$$
trap 'rm -f "$tmp".*' EXIT

cd "$REPO" || exit 1
# The API test is a guest program: static for a guest of another
# architecture (see lab/lab.mk).
case $LAB_TEST_ARCH in
x86_64) cc=${CC:-cc} lib=build/lab/libqmp.a libs=lab-qmp-libs ;;
aarch64) cc="aarch64-linux-gnu-gcc -static" lib=build/aarch64/lab/libqmp.a
	libs=lab-qmp-libs-aarch64 ;;
esac
if ! { make -s -f lab/lab.mk "$lib" &&
    $cc -O2 -g -Wall -Wextra -Werror -fno-strict-aliasing -Ilab \
    lab/selftest/qmp_api.c "$lib" $(make -s -f lab/lab.mk $libs) \
    -o "$TBIN/qmp_api"; } \
    >"$tmp.build" 2>&1; then
	fail qmp-api-build "expected a clean build, saw $(joined "$tmp.build")"
	exit 1
fi
"$LAB" "$ARCH_OPT" sh lab/selftest/guest_qmp.sh >"$tmp.out" 2>&1
guest_result qmp $? "$tmp.out"
exit $failed

#!/bin/sh
# Runs inside the guest (lab/selftest/t_guest.sh): environment and vfio-pci.
# Usage: guest_env.sh NUMBER-OF-HBAS ARCH
. "$(dirname "$0")/common.sh"

n=$1 arch=$2
set -- $LAB_PVSCSI
check pvscsi-count "$n BDFs" "$# BDFs"
sorted=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
check pvscsi-bus-order "$sorted" "$(printf '%s ' "$@")"
for bdf; do
	dev=/sys/bus/pci/devices/$bdf
	drv=$(readlink "$dev/driver")
	check "vfio-driver-$bdf" vfio-pci "${drv##*/}"
	group=$(readlink "$dev/iommu_group")
	group=${group##*/}
	if [ -c "/dev/vfio/$group" ]; then
		pass "vfio-group-$bdf"
	else
		fail "vfio-group-$bdf" "expected /dev/vfio/$group, saw $(ls /dev/vfio | tr '\n' ' ')"
	fi
done

if [ -c "$LAB_QMP" ]; then
	pass env-qmp-port
else
	fail env-qmp-port "expected LAB_QMP to be a character device, saw '$LAB_QMP'"
fi
if echo probe >"$LAB_OUT/probe" && [ "$(cat "$LAB_OUT/probe")" = probe ]; then
	pass env-out-writable
else
	fail env-out-writable "expected a writable LAB_OUT, saw '$LAB_OUT'"
fi
check env-arch "$arch" "$LAB_ARCH"
check env-cwd "$REPO" "$(pwd -P)"
check env-user-var "a b" "${LAB_TEST_VAR:-}"
hp=$(awk '/^HugePages_Total:/ { print $2 }' /proc/meminfo)
check env-hugepages 16 "$hp"
# Debian's arm64 kernel has no vmw_pvscsi: LAB_MODULES is empty there.
case $arch in
x86_64) want=vmw_pvscsi.ko ;;
*) want= ;;
esac
if [ -f "$LAB_MODULES/order" ] && { [ -z "$want" ] ||
    { [ -s "$LAB_MODULES/order" ] && [ -f "$LAB_MODULES/$want" ]; }; }; then
	pass env-modules
else
	fail env-modules "expected ${want:+$want and }order in LAB_MODULES, saw '$(ls "$LAB_MODULES" 2>&1 | tr '\n' ' ')'"
fi
# The guest's programs are the guest architecture's.
case $(uname -m) in
"$arch") pass env-uname ;;
*) fail env-uname "expected $arch, saw $(uname -m)" ;;
esac
if echo x >/tmp/lab-probe && [ "$(cat /tmp/lab-probe)" = x ]; then
	pass env-tmp-writable
else
	fail env-tmp-writable "expected a writable /tmp, saw a failure"
fi
exit $failed

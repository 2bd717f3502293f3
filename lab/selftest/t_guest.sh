#!/bin/sh
# (d) inside the guest: LAB_PVSCSI lists the controllers, each bound to
# vfio-pci with its /dev/vfio group; the rest of the environment.
. "$(dirname "$0")/common.sh"
tmp=$TBUILD/guest.$$
trap 'rm -f "$tmp".*' EXIT

cd "$REPO" || exit 1
"$LAB" "$ARCH_OPT" --hba 2 --hugepages 16 --env 'LAB_TEST_VAR=a b' \
	sh lab/selftest/guest_env.sh 2 "$LAB_TEST_ARCH" >"$tmp.out" 2>&1
guest_result guest-env $? "$tmp.out"
exit $failed

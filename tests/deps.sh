#!/bin/sh
# Install what building and testing need, from Debian's packages, when
# missing.  Quiet when everything is present.
set -u
need=""
have() { command -v "$1" >/dev/null 2>&1; }
pkg_for() {
	case "$1" in
	cc|gcc) echo gcc ;;
	make) echo make ;;
	ar) echo binutils ;;
	qemu-system-x86_64) echo qemu-system-x86 ;;
	cpio) echo cpio ;;
	depmod) echo kmod ;;
	clang) echo "clang libclang-rt-14-dev" ;;
	esac
}
for c in gcc make ar qemu-system-x86_64 cpio depmod clang; do
	have "$c" || need="$need $(pkg_for "$c")"
done
[ -x /bin/busybox ] || need="$need busybox-static"
[ -f /usr/include/json-c/json.h ] || need="$need libjson-c-dev"
[ -z "$need" ] && exit 0
echo "deps: installing$need"
if [ "$(id -u)" != 0 ]; then
	echo "deps: need root to install:$need" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || { echo "deps: apt-get update failed" >&2; exit 1; }
# shellcheck disable=SC2086
apt-get install -y -qq $need >/dev/null 2>&1 ||
    { echo "deps: apt-get install$need failed" >&2; exit 1; }

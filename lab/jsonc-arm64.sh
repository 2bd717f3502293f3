#!/bin/sh
# lab/jsonc-arm64.sh DIR: json-c for the aarch64 guest programs, which are
# static arm64 binaries (mk/aarch64.mk) and link lab/qmp.c's json-c.
# Downloads Debian's libjson-c-dev for arm64 through apt's private state
# for that architecture (lab_apt_foreign: the host's dpkg architectures
# stay as they are) into the lab's cache,
#
#   ${XDG_CACHE_HOME:-$HOME/.cache}/pvscsi-lab/aarch64/debs/
#
# and unpacks it into DIR: DIR/usr/include/json-c/ and
# DIR/usr/lib/aarch64-linux-gnu/libjson-c.a.
set -eu

LAB_SRC=$(cd "$(dirname "$0")" && pwd)
. "$LAB_SRC/lib.sh"

[ $# -eq 1 ] || lab_die "usage: jsonc-arm64.sh DIR" 2
dest=$1
lab_arch_config aarch64
cache=${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/pvscsi-lab/$LAB_ARCH
mkdir -p "$cache/debs" || lab_die "cannot create cache directory $cache"
LAB_APT_LOG=$cache/apt.log
lab_need flock:util-linux dpkg-deb:dpkg apt-get:apt

exec 9>"$cache/.lock"
flock 9
lab_apt_foreign "$LAB_DEB_ARCH" "$cache/apt"
deb=$(ls "$cache/debs"/libjson-c-dev_*_arm64.deb 2>/dev/null | tail -n 1)
if [ -z "$deb" ]; then
	apt-get update >>"$LAB_APT_LOG" 2>&1 ||
		lab_die "apt-get update for arm64 failed (see $LAB_APT_LOG)"
	(cd "$cache/debs" && apt-get download libjson-c-dev) \
	    >>"$LAB_APT_LOG" 2>&1 ||
		lab_die "cannot download libjson-c-dev for arm64 (see $LAB_APT_LOG)"
	deb=$(ls "$cache/debs"/libjson-c-dev_*_arm64.deb | tail -n 1)
fi
rm -rf "$dest.tmp"
mkdir -p "$dest.tmp"
dpkg-deb -x "$deb" "$dest.tmp" || lab_die "cannot unpack $deb"
[ -f "$dest.tmp/usr/lib/aarch64-linux-gnu/libjson-c.a" ] &&
    [ -f "$dest.tmp/usr/include/json-c/json.h" ] ||
	lab_die "$deb has no libjson-c.a or json.h"
rm -rf "$dest"
mv "$dest.tmp" "$dest"

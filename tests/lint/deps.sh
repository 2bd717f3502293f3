#!/bin/sh
# Install what `make lint` needs, from Debian's packages, when missing:
# mandoc (man page lint), cppcheck, the aarch64 cross compiler, and
# clang (the header comparison reads its syntax tree).
# Quiet when everything is present.
set -u
need=""
have() { command -v "$1" >/dev/null 2>&1; }
have mandoc || need="$need mandoc"
have cppcheck || need="$need cppcheck"
have aarch64-linux-gnu-gcc || need="$need gcc-aarch64-linux-gnu"
have nm || need="$need binutils"
have clang || need="$need clang"
[ -z "$need" ] && exit 0
echo "# lint deps: installing$need"
if [ "$(id -u)" != 0 ]; then
	echo "# lint deps: need root to install:$need" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 ||
    { echo "# lint deps: apt-get update failed" >&2; exit 1; }
# shellcheck disable=SC2086
apt-get install -y -qq $need >/dev/null 2>&1 ||
    { echo "# lint deps: apt-get install$need failed" >&2; exit 1; }

#!/bin/sh
# lab/build.sh [--arch ARCH]: builds the lab's guest kernel and initramfs
# once and prints the directory that holds them:
#
#   ${XDG_CACHE_HOME:-$HOME/.cache}/pvscsi-lab/ARCH/KEY/
#     vmlinuz              kernel from Debian's linux-image-6.1.0-N package
#     kernel               what QEMU boots: the ELF vmlinux extracted from
#                          vmlinuz (PVH entry), or a link to vmlinuz
#     initramfs.cpio.gz    busybox, /init (lab/init.sh), kernel modules
#     kernel-package       name and version of the kernel package used
#     modules/             the modules in the initramfs (boot/, extra/)
#     ok                   written last: the directory is complete
#   ${XDG_CACHE_HOME:-$HOME/.cache}/pvscsi-lab/ARCH/debs/   downloaded .debs
#
# KEY is a hash of the scripts that shape the image (this file, lib.sh,
# init.sh), so changing one of them builds a new directory.  Concurrent
# builds are serialized with flock; a directory appears only when complete.
set -eu

LAB_SRC=$(cd "$(dirname "$0")" && pwd)
. "$LAB_SRC/lib.sh"

arch=x86_64
while [ $# -gt 0 ]; do
	case $1 in
	--arch) [ $# -ge 2 ] || lab_die "--arch needs a value" 2
		arch=$2; shift 2 ;;
	--arch=*) arch=${1#--arch=}; shift ;;
	*) lab_die "build.sh: unknown argument '$1'" 2 ;;
	esac
done
lab_arch_config "$arch" || lab_die "unsupported architecture '$arch'" 2

cache=${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/pvscsi-lab/$LAB_ARCH
key=$(lab_hash "$LAB_SRC/build.sh" "$LAB_SRC/lib.sh" "$LAB_SRC/init.sh")
dest=$cache/$key
if [ -f "$dest/ok" ]; then
	printf '%s\n' "$dest"
	exit 0
fi

mkdir -p "$cache/debs" || lab_die "cannot create cache directory $cache"
LAB_APT_LOG=$cache/apt.log
: >"$LAB_APT_LOG"
lab_need flock:util-linux depmod:kmod cpio:cpio gzip:gzip \
	dpkg-deb:dpkg apt-get:apt sha256sum:coreutils xz:xz-utils

exec 9>"$cache/.lock"
flock 9
if [ -f "$dest/ok" ]; then		# built by someone else meanwhile
	printf '%s\n' "$dest"
	exit 0
fi

work=$(mktemp -d "$cache/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM HUP

# --- resolve and download the packages -------------------------------
# A foreign architecture's packages come through apt's private state for
# it (lab_apt_foreign).
if [ "$LAB_DEB_ARCH" != "$(dpkg --print-architecture)" ]; then
	lab_apt_foreign "$LAB_DEB_ARCH" "$cache/apt"
fi

# Updates the package lists (the private ones for a foreign architecture).
apt_update() {
	if [ -n "${APT_CONFIG:-}" ]; then
		[ -z "${apt_updated:-}" ] || return 0
		apt_updated=1
		apt-get update >>"$LAB_APT_LOG" 2>&1
	else
		lab_apt_update
	fi
}

resolve_kernel() {
	apt-cache depends "$LAB_KPKG_META" 2>/dev/null |
	    sed -n 's/^ *Depends: *//p' | grep -E "$LAB_KPKG_RE" | head -n 1 |
	    grep . && return 0
	apt-cache search --names-only "$LAB_KPKG_RE" 2>/dev/null |
	    cut -d' ' -f1 | sort -V | tail -n 1 | grep .
}
kpkg=$(resolve_kernel) || {
	apt_update
	kpkg=$(resolve_kernel)
} || lab_die "no Debian 6.1 kernel package ($LAB_KPKG_RE) known to apt"

# fetch PACKAGE: prints the path of its .deb in the download cache,
# downloading it if needed.
fetch() {
	_deb=$(ls "$cache/debs/$1"_*.deb 2>/dev/null | tail -n 1)
	if [ -z "$_deb" ]; then
		(cd "$cache/debs" && apt-get download "$1") \
		    >>"$LAB_APT_LOG" 2>&1 || return 1
		_deb=$(ls "$cache/debs/$1"_*.deb 2>/dev/null | tail -n 1)
	fi
	[ -n "$_deb" ] && printf '%s\n' "$_deb"
}
# With stale package lists the kernel they name may be gone from the
# archive: update, resolve again, retry.
if ! kdeb=$(fetch "$kpkg") || ! bbdeb=$(fetch busybox-static); then
	apt_update
	kpkg=$(resolve_kernel) ||
		lab_die "no Debian 6.1 kernel package ($LAB_KPKG_RE) known to apt"
	kdeb=$(fetch "$kpkg") ||
		lab_die "cannot download Debian package $kpkg (see $LAB_APT_LOG)"
	bbdeb=$(fetch busybox-static) ||
		lab_die "cannot download Debian package busybox-static (see $LAB_APT_LOG)"
fi

# --- kernel and modules -------------------------------------------------
dpkg-deb -x "$kdeb" "$work/kpkg" || lab_die "cannot unpack $kdeb"
dpkg-deb -x "$bbdeb" "$work/bb" || lab_die "cannot unpack $bbdeb"
kver=$(ls "$work/kpkg/lib/modules" | head -n 1)
[ -n "$kver" ] || lab_die "$kpkg has no /lib/modules"
# The .deb ships no modules.dep; generate it.
depmod -b "$work/kpkg" "$kver" || lab_die "depmod failed for $kver"

# modorder MODULE...: prints the module files (relative to the modules
# directory) needed to load the given modules, dependencies first, each
# once.  modules.dep lists a module's full dependency closure, in an order
# that loads correctly when read backwards.  A module built into the
# kernel (modules.builtin; e.g. virtio on arm64) needs nothing.
modorder() {
	awk -v want="$*" '
	function base(p) { sub(/.*\//, "", p); sub(/\.ko(\.[a-z]+)?$/, "", p)
		gsub(/-/, "_", p); return p }
	function emit(p) { if (!(p in done)) { done[p] = 1; print p } }
	FILENAME ~ /modules\.builtin$/ { builtin[base($1)] = 1; next }
	{
		sub(/:$/, "", $1); path[base($1)] = $1
		deps[base($1)] = ""
		for (i = NF; i >= 2; i--) deps[base($1)] = deps[base($1)] " " $i
	}
	END {
		n = split(want, w, /[ \t\n]+/)
		for (i = 1; i <= n; i++) {
			if (w[i] == "") continue
			m = w[i]; gsub(/-/, "_", m)
			if (m in builtin) continue
			if (!(m in path)) { print "missing module " w[i] > "/dev/stderr"; exit 1 }
			k = split(deps[m], d, " ")
			for (j = 1; j <= k; j++) emit(d[j])
			emit(path[m])
		}
	}' "$work/kpkg/lib/modules/$kver/modules.builtin" \
	    "$work/kpkg/lib/modules/$kver/modules.dep"
}
modorder $LAB_BOOT_MODULES >"$work/boot.list" ||
	lab_die "kernel $kver lacks a boot module"
modorder $LAB_EXTRA_MODULES >"$work/extra.all" ||
	lab_die "kernel $kver lacks an extra module"
grep -v -x -F -f "$work/boot.list" "$work/extra.all" >"$work/extra.list" || :

# extract_elf BZIMAGE OUT: finds the xz stream in a bzImage and unpacks
# the ELF vmlinux inside.
extract_elf() {
	for _off in $(grep -abo 7zXZ "$1" | cut -d: -f1); do
		# The stream magic is FD 37 7A 58 5A 00; "7zXZ" is at offset 1.
		tail -c +"$_off" "$1" | xz -dc >"$2" 2>/dev/null
		[ "$(head -c 4 "$2" | od -An -c | tr -d ' ')" = 177ELF ] &&
			return 0
	done
	rm -f "$2"
	return 1
}

# --- initramfs ------------------------------------------------------------
root=$work/root
mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys" "$root/host" \
	"$root/etc" "$root/lib/modules/boot" "$root/lib/modules/extra"
cp "$work/bb/bin/busybox" "$root/bin/busybox"
cp "$LAB_SRC/init.sh" "$root/init"
chmod 755 "$root/init" "$root/bin/busybox"
for set in boot extra; do
	while read -r m; do
		cp "$work/kpkg/lib/modules/$kver/$m" "$root/lib/modules/$set/"
		basename "$m"
	done <"$work/$set.list" >"$root/lib/modules/$set/order"
done
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) |
	gzip -1 >"$work/initramfs.cpio.gz" || lab_die "cannot pack the initramfs"

# --- publish ----------------------------------------------------------------
out=$work/out
mkdir -p "$out"
set -- $work/kpkg/$LAB_KERNEL_FILE
[ -f "$1" ] || lab_die "$kpkg has no $LAB_KERNEL_FILE"
cp "$1" "$out/vmlinuz"
# Booting the uncompressed ELF through its PVH entry point skips the
# firmware's real-mode kernel setup and the (slow under TCG) in-guest xz
# decompression: about 3 s less per boot.  Fall back to vmlinuz.
if [ "$LAB_KERNEL_BOOT" = pvh ] && extract_elf "$1" "$work/vmlinux"; then
	mv "$work/vmlinux" "$out/kernel"
else
	ln -s vmlinuz "$out/kernel"
fi
mv "$work/initramfs.cpio.gz" "$out/"
mv "$root/lib/modules" "$out/modules"
printf '%s %s\n' "$(basename "$kdeb")" "$kver" >"$out/kernel-package"
: >"$out/ok"
mv "$out" "$dest"
printf '%s\n' "$dest"

#!/bin/busybox sh
# /init of the lab guest (busybox sh, in the initramfs built by build.sh).
#
# Loads the boot modules, mounts the host's root read-only over virtio-9p
# at /host and the run directory (writable) at its own path inside it,
# mounts the usual pseudo file systems inside /host, then runs the run's
# guest script (lab/guest.sh, copied into the run directory) chrooted into
# /host, and powers off.
#
# Kernel parameters: lab.run=DIR (the run directory, host path),
# optionally lab.cwd=DIR (the launcher's working directory) and
# lab.userland=busybox: the host's programs cannot run here (another
# architecture), so this busybox, copied to /run/lab/bin with all its
# applets, covers the host's /bin/sh and comes first in PATH.  Messages
# from here go to the console (the run's console.log).

/bin/busybox --install -s /bin
export PATH=/bin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

say() {
	read -r up _ </proc/uptime
	echo "lab-init: [$up] $*"
}

fail() {
	say "$*"
	poweroff -f
}

say "started"
run= cwd= userland=host
for arg in $(cat /proc/cmdline); do
	case $arg in
	lab.run=*) run=${arg#lab.run=} ;;
	lab.cwd=*) cwd=${arg#lab.cwd=} ;;
	lab.userland=*) userland=${arg#lab.userland=} ;;
	esac
done
[ -n "$run" ] || fail "no lab.run= on the kernel command line"

while read -r mod; do
	insmod "/lib/modules/boot/$mod" || fail "insmod $mod failed"
done </lib/modules/boot/order
say "modules loaded"

# /dev/virtio-ports/NAME links, as udev would make them.  The ports appear
# once QEMU has announced them over virtio-console's control queue.
mkdir -p /dev/virtio-ports
tries=0
until [ -e /dev/virtio-ports/lab.qmp ] && [ -e /dev/virtio-ports/lab.out ]; do
	[ $tries -lt 500 ] || fail "the virtio-serial ports did not appear"
	tries=$((tries + 1))
	for p in /sys/class/virtio-ports/vport*; do
		name=
		[ -e "$p/name" ] && read -r name <"$p/name"
		[ -n "$name" ] && ln -sf "../${p##*/}" "/dev/virtio-ports/$name"
	done
	usleep 10000
done

opts=trans=virtio,version=9p2000.L,msize=524288
mount -t 9p -o "$opts,ro,cache=loose" hostroot /host ||
	fail "cannot mount the host root over 9p"

# The host's /tmp is read-only here, so /tmp gets a tmpfs.  Directories
# under the host's /tmp that the run needs (the repository, the working
# directory) are bound back from the 9p view.
mkdir -p /hosttmp
mount --bind /host/tmp /hosttmp
mount -t tmpfs -o mode=1777 tmpfs /host/tmp
for dir in "${run%/build/lab/runs/*}" "$cwd"; do
	case $dir in
	/tmp/*)
		mkdir -p "/host$dir"
		mount --bind "/hosttmp${dir#/tmp}" "/host$dir" ||
			say "cannot expose $dir"
		;;
	esac
done

mount -t 9p -o "$opts" labout "/host$run" ||
	fail "cannot mount the run directory $run over 9p"

mount -t proc proc /host/proc
mount -t sysfs sysfs /host/sys
mount -t devtmpfs devtmpfs /host/dev
mkdir -p /host/dev/pts /host/dev/shm /host/dev/hugepages
mount -t devpts devpts /host/dev/pts
mount -t tmpfs -o mode=1777 tmpfs /host/dev/shm
mount -t hugetlbfs hugetlbfs /host/dev/hugepages
mount -t tmpfs -o mode=755 tmpfs /host/run
mount -t tmpfs -o mode=1777 tmpfs /host/var/tmp
mkdir -p /host/run/lab/modules
mount --bind /lib/modules/extra /host/run/lab/modules

# A busybox userland: hard links in a tmpfs (no symbolic link can point
# back at a host binary), and busybox mounted over the file the host's
# /bin/sh leads to, so "#!/bin/sh" scripts and "sh" run it as ash.
if [ "$userland" = busybox ]; then
	mkdir -p /host/run/lab/bin
	cp /bin/busybox /host/run/lab/bin/busybox
	chroot /host /run/lab/bin/busybox --install /run/lab/bin ||
		fail "cannot install busybox in /run/lab/bin"
	mount --bind /host/run/lab/bin/busybox /host/bin/sh ||
		fail "cannot put busybox over /bin/sh"
fi

say "starting the guest script"
chroot /host /bin/sh "$run/guest.sh" "$run"
say "guest script exited with status $?"
poweroff -f

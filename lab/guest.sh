#!/bin/sh
# lab/guest.sh RUNDIR: runs inside the lab guest, chrooted into the host's
# root (so /bin/sh is the host's, or busybox's in a busybox userland),
# started by init.sh.  The launcher copies
# it into the run directory with a "config" file beside it.
#
# Reserves huge pages, binds every PVSCSI function (15ad:07c0) to vfio-pci,
# sets up the environment, runs the command with its stdout and stderr on
# the "lab.out" virtio-serial port, records the exit status in
# RUNDIR/status, and hands the end marker to the host relay so that all
# output has left the guest before init.sh powers off.

run=$1
. "$run/config" || exit 1

# Only shell builtins below: every program started here would be loaded
# over 9p, at some 40 ms each under TCG.
exec 3<>/dev/virtio-ports/lab.out || {
	echo "lab-guest: cannot open the lab.out port"
	exit 1
}

status=
fail() {
	printf 'lab: %s\n' "$*" >&3
	status=125
}

# --- huge pages -------------------------------------------------------
if [ "$LAB_HUGEPAGES" -gt 0 ]; then
	echo "$LAB_HUGEPAGES" >/proc/sys/vm/nr_hugepages
	# Not "read </proc/sys/vm/nr_hugepages": the shell reads byte by
	# byte, and sysctl files give EOF to any read past offset 0.
	got=0
	while read -r key val _; do
		[ "$key" = HugePages_Total: ] && got=$val
	done </proc/meminfo
	[ "$got" -ge "$LAB_HUGEPAGES" ] ||
		printf 'lab: warning: only %s of %s huge pages reserved\n' \
		    "$got" "$LAB_HUGEPAGES" >&3
fi

# --- PVSCSI functions to vfio-pci, in bus order -------------------------
pvscsi=
for dev in /sys/bus/pci/devices/*; do
	read -r vendor <"$dev/vendor"
	read -r device <"$dev/device"
	[ "$vendor:$device" = 0x15ad:0x07c0 ] || continue
	bdf=${dev##*/}
	echo vfio-pci >"$dev/driver_override"
	[ -e "$dev/driver" ] && echo "$bdf" >"$dev/driver/unbind"
	echo "$bdf" >/sys/bus/pci/drivers_probe
	group=none
	for g in /sys/kernel/iommu_groups/*/devices/"$bdf"; do
		[ -e "$g" ] || continue
		g=${g%/devices/*}
		group=${g##*/}
	done
	if [ ! -e "/sys/bus/pci/drivers/vfio-pci/$bdf" ]; then
		fail "cannot bind $bdf to vfio-pci"
	elif [ ! -c "/dev/vfio/$group" ]; then
		fail "no /dev/vfio/$group for $bdf"
	fi
	pvscsi="$pvscsi $bdf"
done

# --- environment --------------------------------------------------------
export LAB_PVSCSI="${pvscsi# }"
export LAB_QMP=/dev/virtio-ports/lab.qmp
export LAB_OUT="$run"
export LAB_ARCH LAB_REPO
export LAB_BIN
export LAB_MODULES=/run/lab/modules
path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# A busybox userland (another architecture than the host's): its applets
# come before the host's programs (see init.sh).
[ "$LAB_USERLAND" = busybox ] && path=/run/lab/bin:$path
export PATH="$LAB_BIN:$path"
export HOME=/root USER=root LOGNAME=root SHELL=/bin/sh

# --- the command -----------------------------------------------------------
# foreign_elf FILE: FILE is an ELF program for another machine than
# LAB_ELF_MACHINE (e_machine: the 16-bit little-endian field at offset 18).
foreign_elf() {
	[ -f "$1" ] || return 1
	# shellcheck disable=SC2046
	set -- $(od -An -tu1 -N20 "$1" 2>/dev/null)
	[ $# -eq 20 ] && [ "$1 $2 $3 $4" = "127 69 76 70" ] &&
	    [ $((${19} + 256 * ${20})) -ne "$LAB_ELF_MACHINE" ]
}

# foreign COMMAND: COMMAND is a program for another machine, or a script
# whose "#!" interpreter is one.  Only asked in a busybox userland, where
# the host's programs are visible but cannot run (and the shell would run
# such a file as a shell script).
foreign() {
	_f=$(command -v "$1") || return 1
	foreign_elf "$_f" && return 0
	IFS= read -r _l <"$_f" 2>/dev/null || return 1
	case $_l in
	'#!'*) ;;
	*) return 1 ;;
	esac
	# shellcheck disable=SC2086
	set -- ${_l#??}
	[ $# -gt 0 ] && foreign_elf "$1"
}

read -r up _ </proc/uptime
echo "lab-guest: [$up] running the command"
if [ -z "$status" ] && [ "$LAB_USERLAND" = busybox ] && (cd "$LAB_CWD" &&
    foreign "$1"); then
	printf 'lab: %s is a program for another architecture than %s (%s)\n' \
	    "$1" "$LAB_ARCH" "build it for $LAB_ARCH, see README.md" >&3
	status=126
fi
if [ -z "$status" ]; then
	if cd "$LAB_CWD" 2>/dev/null; then
		(lab_env; exec "$@") </dev/null >&3 2>&3 3>&-
		status=$?
	else
		fail "cannot change to $LAB_CWD in the guest"
	fi
fi

read -r up _ </proc/uptime
echo "lab-guest: [$up] the command exited with status $status"
echo "$status" >"$run/status"
# The relay answers the marker once everything before it has reached the
# host; only then may init.sh power off.
printf '\001LABEND:%s\n' "$LAB_MARK" >&3
read -r ack <&3
exit 0

# lab/lib.sh: shell functions shared by lab/lab and lab/build.sh.
# POSIX sh; sourced, never run.  Expects LAB_SRC (the lab/ directory).

# One line on stderr, then exit (default status 1).
lab_die() {
	printf 'lab: %s\n' "$1" >&2
	exit "${2:-1}"
}

# ---------------------------------------------------------------------
# Architecture-specific settings: everything that differs between guest
# architectures lives here.  Adding one means adding a case below.
# ---------------------------------------------------------------------
lab_arch_config() {
	case "$1" in
	x86_64)
		LAB_DEB_ARCH=amd64
		LAB_QEMU=qemu-system-x86_64
		LAB_QEMU_PKG=qemu-system-x86
		# Newest Debian 6.1 kernel: what linux-image-amd64 depends on,
		# else the highest linux-image-6.1.0-N-amd64 known to apt.
		LAB_KPKG_META=linux-image-amd64
		LAB_KPKG_RE='^linux-image-6\.1\.0-[0-9][0-9]*-amd64$'
		LAB_KERNEL_FILE='boot/vmlinuz-*'
		LAB_KERNEL_BOOT=pvh
		LAB_CONSOLE=ttyS0
		LAB_CLOCK_ARGS='clocksource=tsc tsc=reliable'
		# no_timer_check: under a loaded host the IO-APIC timer check
		# can fail and panic the guest at boot.
		LAB_KERNEL_ARGS='intel_iommu=on no_timer_check'
		# Machine, accelerator, CPU and vIOMMU; the pvscsi functions
		# sit behind the emulated Intel IOMMU so vfio-pci can own them.
		LAB_QEMU_MACHINE='-machine q35,kernel-irqchip=split
			-accel tcg,thread=multi -cpu max
			-device intel-iommu,intremap=on,caching-mode=on'
		# The guest runs the host's own userland.
		LAB_USERLAND=host
		LAB_EXTRA_MODULES='scsi_common scsi_mod sd_mod vmw_pvscsi'
		# Where the guest's tools (qmp) are built, under the repository.
		LAB_GUEST_BIN=build/lab
		LAB_ELF_MACHINE=62		# EM_X86_64
		LAB_NEED_CROSS=
		;;
	aarch64)
		LAB_DEB_ARCH=arm64
		LAB_QEMU=qemu-system-aarch64
		LAB_QEMU_PKG=qemu-system-arm
		LAB_KPKG_META=linux-image-arm64
		LAB_KPKG_RE='^linux-image-6\.1\.0-[0-9][0-9]*-arm64$'
		# arm64's vmlinuz is an uncompressed Image: QEMU boots it as is.
		LAB_KERNEL_FILE='boot/vmlinuz-*'
		LAB_KERNEL_BOOT=image
		LAB_CONSOLE=ttyAMA0
		LAB_CLOCK_ARGS=
		LAB_KERNEL_ARGS='lab.userland=busybox'
		# virt with GICv3 (its ITS delivers MSIs) and an SMMUv3 in
		# front of the PCIe root complex.  cortex-a57 rather than max:
		# max's pointer authentication (QARMA) is slow under TCG.
		LAB_QEMU_MACHINE='-machine virt,gic-version=3,iommu=smmuv3
			-accel tcg,thread=multi -cpu cortex-a57'
		# The host's binaries are x86_64: the guest's own busybox
		# stands in for the host's /bin/sh and comes first in PATH;
		# programs must be static aarch64 binaries (mk/aarch64.mk).
		LAB_USERLAND=busybox
		# Debian's arm64 kernel has no vmw_pvscsi.
		LAB_EXTRA_MODULES=
		LAB_GUEST_BIN=build/aarch64/lab
		LAB_ELF_MACHINE=183		# EM_AARCH64
		LAB_NEED_CROSS='aarch64-linux-gnu-gcc:gcc-aarch64-linux-gnu
			/usr/aarch64-linux-gnu/lib/libc.a:libc6-dev-arm64-cross'
		;;
	*)
		return 1
		;;
	esac
	LAB_ARCH=$1
}

# The architectures lab_arch_config knows.
LAB_ARCHES='x86_64 aarch64'

# Kernel modules loaded at boot, in the order asked for; build.sh adds
# their dependencies (from modules.dep) in front of each.
LAB_BOOT_MODULES='netfs fscache 9pnet virtio_ring virtio
	virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci 9pnet_virtio 9p
	virtio_console
	irqbypass vfio vfio_iommu_type1 vfio_virqfd vfio-pci-core vfio-pci'

# Modules shipped in the initramfs but not loaded (LAB_EXTRA_MODULES, per
# architecture above): a benchmark loads Linux's own PVSCSI driver on
# demand (see README.md, "Guest environment").

# ---------------------------------------------------------------------
# Debian packages
# ---------------------------------------------------------------------

# Runs "apt-get update" at most once per lab invocation (children inherit
# LAB_APT_UPDATED).
lab_apt_update() {
	[ -n "${LAB_APT_UPDATED:-}" ] && return 0
	LAB_APT_UPDATED=1
	export LAB_APT_UPDATED
	apt-get update >"${LAB_APT_LOG:-/dev/null}" 2>&1
}

# lab_apt_foreign DEB_ARCH DIR: apt for a foreign architecture, with a
# private state (package lists, cache, an empty dpkg status) under DIR,
# selected by APT_CONFIG (exported): the host's dpkg and apt
# configuration are not touched.  The sources are the host's.  Callers
# hold the lock of DIR's cache (lab/build.sh, lab/jsonc-arm64.sh).
lab_apt_foreign() {
	mkdir -p "$2/lists/partial" "$2/cache/archives/partial" ||
		lab_die "cannot create $2"
	[ -f "$2/status" ] || : >"$2/status"
	cat >"$2/apt.conf" <<EOF
Dir::State::Lists "$2/lists";
Dir::Cache "$2/cache";
Dir::State::status "$2/status";
APT::Architecture "$1";
APT::Architectures { "$1"; };
EOF
	APT_CONFIG=$2/apt.conf
	export APT_CONFIG
}

# lab_need CMD:PACKAGE ... installs the packages whose command is missing.
# A PACKAGE given as /path:PACKAGE is checked by file instead.
lab_need() {
	_missing=
	for _pair in "$@"; do
		_what=${_pair%%:*}
		_pkg=${_pair#*:}
		case $_what in
		/*) [ -e "$_what" ] && continue ;;
		*) command -v "$_what" >/dev/null 2>&1 && continue ;;
		esac
		case " $_missing " in
		*" $_pkg "*) ;;
		*) _missing="$_missing $_pkg" ;;
		esac
	done
	[ -z "$_missing" ] && return 0
	command -v apt-get >/dev/null 2>&1 ||
		lab_die "missing packages:$_missing (and no apt-get to install them)"
	_log=${LAB_APT_LOG:-/dev/null}
	# shellcheck disable=SC2086
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q $_missing \
	    >>"$_log" 2>&1; then
		lab_apt_update
		# shellcheck disable=SC2086
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q $_missing \
		    >>"$_log" 2>&1 ||
			lab_die "cannot install packages:$_missing (apt-get install failed)"
	fi
}

# SHA-256 of the given files' contents, first 16 hex digits.
lab_hash() {
	cat "$@" | sha256sum | cut -c1-16
}

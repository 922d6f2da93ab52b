#!/usr/bin/env bash
# bench/linux-guest.sh — the Linux baseline for bench/http: Debian's own
# kernel and a busybox initramfs whose /init brings up eth0 as QEMU's user
# networking expects (10.0.2.15/24, gateway 10.0.2.2) and execs one static
# program, as gorump boots it.  Nothing is installed on the host: the
# packages come from `apt-get download` and are unpacked with `dpkg-deb -x`
# under build/bench/linux (kept between runs; delete it to refetch).
#
#   bench/linux-guest.sh PROGRAM [INITRD]
#   LINUX_GUEST_MOUNT=/PATH   also loads virtio_blk, and /init mounts the
#                             first disk's ext2 file system (/dev/vda,
#                             noatime, as gorump keeps no access times)
#                             at /PATH before the program starts
#
# Arguments after "--" on the kernel's command line reach the program.
#
# Writes build/bench/linux/vmlinuz and the initramfs, to INITRD or by
# default build/bench/linux/initramfs.cpio.gz (each replaced whole, so a
# guest booting meanwhile reads the old or the new one), and prints three
# lines for the caller: "kernel PATH", "initrd PATH" and "machine M ..."
# (the -M value and why).  Several may run at once.  The kernel is linux-image-cloud-amd64's, or
# linux-image-amd64's when the cloud flavour is not available.
set -euo pipefail
cd "$(dirname "$0")/.."

BENCH=bench/linux-guest.sh
OUT=build/bench/linux
# shellcheck source=bench/lib.sh
. bench/lib.sh

# The virtio-net and virtio-console drivers and what they need; virtio_pci too, so the same
# initramfs boots on q35.
MODULES=(virtio_mmio virtio_pci virtio_net virtio_console)

# kernel_package: the versioned image package a metapackage stands for.
kernel_package() {
    local meta
    for meta in linux-image-cloud-amd64 linux-image-amd64; do
        apt-cache depends "$meta" 2>/dev/null |
            awk '/Depends: linux-image-[0-9]/ { print $2; found = 1; exit }
                 END { exit !found }' && return 0
    done
    die "neither linux-image-cloud-amd64 nor linux-image-amd64 is known" \
        "to apt (apt-get update?)"
}

# fetch: downloads and unpacks the kernel and busybox-static once (under
# a lock, as another run may be doing the same).
fetch() {
    local pkg deb
    mkdir -p build/bench
    exec 9>build/bench/linux.lock
    flock 9
    [ -f "$OUT/kernel/.done" ] && [ -f "$OUT/busybox/.done" ] && return 0
    if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
        die "needs apt-get and dpkg-deb (a Debian host)"
    fi
    pkg=$(kernel_package)
    rm -rf "$OUT" && mkdir -p "$OUT/debs"
    echo "$BENCH: fetching $pkg and busybox-static" >&2
    (cd "$OUT/debs" && apt-get download -o APT::Sandbox::User=root \
        "$pkg" busybox-static >&2) || die "apt-get download failed"
    for deb in "$OUT"/debs/*.deb; do
        case $deb in
        */busybox-static_*) dpkg-deb -x "$deb" "$OUT/busybox" ;;
        *) dpkg-deb -x "$deb" "$OUT/kernel" ;;
        esac
    done
    touch "$OUT/kernel/.done" "$OUT/busybox/.done"
}

# config NAME: the kernel's CONFIG_NAME value (y, m, or empty).
config() {
    sed -n "s/^CONFIG_$1=//p" "$OUT"/kernel/boot/config-*
}

# machine: microvm when the kernel can drive virtio-mmio.  Debian's
# kernels lack VIRTIO_MMIO_CMDLINE_DEVICES, so the devices must come from
# ACPI: microvm with acpi=on (gorump boots it with acpi=off).
machine() {
    if [ -z "$(config VIRTIO_MMIO)" ]; then
        echo "machine q35 (the kernel has no virtio-mmio driver)"
    elif [ "$(config VIRTIO_MMIO_CMDLINE_DEVICES)" = y ]; then
        echo "machine microvm,acpi=off (virtio-mmio from the command line)"
    else
        echo "machine microvm,acpi=on (virtio-mmio from ACPI: the kernel" \
            "has no VIRTIO_MMIO_CMDLINE_DEVICES)"
    fi
}

# module_path NAME: the .ko file of module NAME, if it is one.
module_path() {
    find "$OUT"/kernel/lib/modules -name "$1.ko" | head -n1
}

# add_module NAME: NAME's dependencies, then NAME, into the load order
# (the .modinfo "depends=" field; there is no modules.dep in the package).
add_module() {
    local path dep
    [ -z "${loaded[$1]:-}" ] || return 0
    loaded[$1]=1
    path=$(module_path "$1")
    [ -n "$path" ] || return 0 # built in
    for dep in $(tr '\0' '\n' <"$path" | sed -n 's/^depends=//p' | tr ',' ' '); do
        add_module "$dep"
    done
    cp "$path" "$root/lib/modules/"
    echo "$1" >>"$root/modules"
}

write_init() {
    cat >"$root/init" <<'EOF'
#!/bin/busybox sh
# The bench/http baseline: drivers, eth0 as QEMU user networking wants it,
# then the program (bench/linux-guest.sh).
bb=/bin/busybox
$bb mount -t proc proc /proc
$bb mount -t sysfs sys /sys
for m in $($bb cat /modules); do $bb insmod /lib/modules/$m.ko; done
$bb ip link set lo up
$bb ip link set eth0 up
$bb ip addr add 10.0.2.15/24 dev eth0
$bb ip route add default via 10.0.2.2
if [ -s /mountpoint ]; then
    mnt=$($bb cat /mountpoint)
    $bb mount -t devtmpfs devtmpfs /dev
    $bb mkdir -p "$mnt"
    $bb mount -t ext4 -o noatime /dev/vda "$mnt" || echo "linux-guest: mount failed"
fi
echo "linux-guest: eth0 up, starting /prog"
exec /prog "$@"
EOF
    chmod 755 "$root/init"
}

# initramfs PROGRAM INITRD: busybox, the modules, /init and PROGRAM as
# /prog, into INITRD.
initramfs() {
    local m
    root=$(mktemp -d "$OUT/root.XXXXXX")
    declare -gA loaded=()
    mkdir -p "$root"/{bin,dev,proc,sys,lib/modules}
    : >"$root/modules"
    cp "$OUT/busybox/bin/busybox" "$root/bin/"
    for m in "${MODULES[@]}"; do add_module "$m"; done
    : >"$root/mountpoint"
    if [ -n "${LINUX_GUEST_MOUNT:-}" ]; then
        add_module virtio_blk
        echo "$LINUX_GUEST_MOUNT" >"$root/mountpoint"
    fi
    write_init
    cp "$1" "$root/prog"
    (cd "$root" && find . | ../busybox/bin/busybox cpio -o -H newc 2>/dev/null) |
        gzip -1 >"$root.gz"
    mv "$root.gz" "$2"
    rm -rf "$root"
}

main() {
    local initrd=${2:-$OUT/initramfs.cpio.gz}
    [ $# = 1 ] || [ $# = 2 ] ||
        die "usage: bench/linux-guest.sh PROGRAM [INITRD]"
    [ -f "$1" ] || die "$1: no such program"
    fetch
    [ -n "$(config VIRTIO_NET)" ] || die "the kernel has no virtio-net driver"
    if [ ! -f "$OUT/vmlinuz" ]; then
        cp "$OUT"/kernel/boot/vmlinuz-* "$OUT/vmlinuz.new"
        mv "$OUT/vmlinuz.new" "$OUT/vmlinuz"
    fi
    initramfs "$1" "$initrd"
    echo "kernel $OUT/vmlinuz"
    echo "initrd $initrd"
    machine
}

main "$@"

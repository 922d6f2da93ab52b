#!/usr/bin/env bash
# tests/guest/bootdisk.sh — boots a disk made by `gorump build --format`
# from the disk alone and checks what the program said on the serial port.
#
#   bootdisk.sh FORMAT FIRMWARE BUS PROGRAM [ARG...]
#     FORMAT    raw, qcow2, vmdk, gce (the tar is unpacked first) or
#               containerdisk (the OCI archive checked and unpacked by
#               tests/guest/ocicheck.py with skopeo and umoci, and the
#               qcow2 from it booted)
#     FIRMWARE  bios (SeaBIOS, QEMU's default) or uefi (Debian's OVMF)
#     BUS       virtio (virtio-blk-pci), nvme or scsi (a scsi-hd on a
#               virtio-scsi-pci adapter, as GCE attaches its disks)
#
# The machine is q35 with nothing but the disk, the serial port and
# isa-debug-exit (so the run ends when the kernel is done; a cloud has no
# such device and the guest halts instead).  Passes (exit 0) when the
# program's stdout, decoded from the console framing (include/gorump/
# console.h), has a line SUCCESS and the exit record says status 0.
# GORUMP, BOOTDISK_TIMEOUT (seconds, 120) and OVMF_DIR may be set, and:
#   BOOTDISK_EXPECT   a line the program's stdout must have too
#   BOOTDISK_MANGLE   a command run with the built disk's path (raw only)
#                     before the boot, to break it on purpose
#   BOOTDISK_STATUS   the exit status wanted instead of 0 (SUCCESS is
#                     then not asked for)
#   BOOTDISK_KMSG     text the kernel's messages must have
set -uo pipefail
[ $# -ge 4 ] || { echo "usage: $0 FORMAT FIRMWARE BUS PROGRAM [ARG...]" >&2; exit 2; }
fmt=$1 fw=$2 bus=$3
shift 3
GORUMP=${GORUMP:-build/gorump}
OVMF_DIR=${OVMF_DIR:-/usr/share/OVMF}
tmo=${BOOTDISK_TIMEOUT:-120}
work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT

out=$work/disk.$fmt
"$GORUMP" build --format "$fmt" -o "$out" "$@" || {
    echo "bootdisk: gorump build --format $fmt failed" >&2
    exit 1
}
qfmt=$fmt
if [ -n "${BOOTDISK_MANGLE:-}" ]; then
    [ "$fmt" = raw ] || { echo "bootdisk: BOOTDISK_MANGLE needs raw" >&2; exit 2; }
    $BOOTDISK_MANGLE "$out" >"$work/mangle.log" 2>&1 ||
        { cat "$work/mangle.log" >&2; exit 1; }
fi
case $fmt in
gce) tar -xzf "$out" -C "$work" && out=$work/disk.raw && qfmt=raw || exit 1 ;;
containerdisk)
    out=$("$(dirname "$0")/ocicheck.py" "$out" "$work") && qfmt=qcow2 || exit 1 ;;
esac
args=(-M q35 -accel tcg -cpu max -m 256M -nodefaults -no-user-config
    -display none -no-reboot -serial "file:$work/serial"
    -device isa-debug-exit,iobase=0x501,iosize=1
    -drive "file=$out,format=$qfmt,if=none,id=d0,readonly=on")
case $bus in
virtio) args+=(-device virtio-blk-pci,drive=d0) ;;
nvme) args+=(-device nvme,drive=d0,serial=gorump-boot) ;;
scsi) args+=(-device virtio-scsi-pci,id=scsi0
    -device scsi-hd,bus=scsi0.0,drive=d0,serial=gorump-boot) ;;
*) echo "bootdisk: unknown bus $bus" >&2; exit 2 ;;
esac
case $fw in
bios) ;;
uefi)
    cp "$OVMF_DIR/OVMF_VARS_4M.fd" "$work/vars.fd" || exit 2
    args+=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_DIR/OVMF_CODE_4M.fd"
        -drive "if=pflash,format=raw,unit=1,file=$work/vars.fd") ;;
*) echo "bootdisk: unknown firmware $fw" >&2; exit 2 ;;
esac
timeout -k 5 "$tmo" qemu-system-x86_64 "${args[@]}" </dev/null
# The console's framing: DLE '1' stdout, DLE '2' stderr, DLE 'k' kernel,
# DLE DLE a DLE, DLE 'x' S the exit status.  Bytes before the kernel's
# first record (the firmware's, GRUB's) count as the kernel's stream.
python3 - "$work/serial" "${BOOTDISK_EXPECT:-}" "${BOOTDISK_STATUS:-0}" \
    "${BOOTDISK_KMSG:-}" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
expect, want_status, kmsg = sys.argv[2], int(sys.argv[3]), sys.argv[4]
out, kout, cur, status, i = bytearray(), bytearray(), "k", None, 0
while i < len(data):
    b = data[i]
    if b == 0x10 and i + 1 < len(data):
        c = chr(data[i + 1])
        if c == "\x10":
            if cur == "1":
                out.append(0x10)
        elif c == "x" and i + 2 < len(data):
            status = data[i + 2]
            i += 1
        elif c in "12k":
            cur = c
        i += 2
        continue
    if cur == "1":
        out.append(b)
    elif cur == "k":
        kout.append(b)
    i += 1
text = out.decode("utf-8", "replace")
ktext = kout.decode("utf-8", "replace")
sys.stdout.write(text)
lines = text.splitlines()
bad = []
if status != want_status:
    bad.append("exit status %r, not %d" % (status, want_status))
if want_status == 0 and "SUCCESS" not in lines:
    bad.append("no SUCCESS line")
if expect and expect not in lines:
    bad.append("no line %r" % expect)
if kmsg and kmsg not in ktext:
    bad.append("the kernel did not say %r" % kmsg)
if bad:
    sys.stderr.write("bootdisk: %s\n" % "; ".join(bad))
    sys.stderr.write(data.decode("latin-1")[-2000:] + "\n")
    sys.exit(1)
PY

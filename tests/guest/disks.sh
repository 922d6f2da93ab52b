#!/usr/bin/env bash
# tests/guest/disks.sh — `make check-disks`: bootable disks
# (docs/DEPLOY.md) booted from the disk alone by tests/guest/bootdisk.sh.
#
#   disks.sh BUILD FORMAT...
#
# 1. hello, in each FORMAT, under SeaBIOS and OVMF, on virtio-blk, NVMe
#    and virtio-scsi.
# 2. big: tests/go/selfhash with 17 MiB of random bytes appended (as
#    tests/guest/bigprog.sh makes it), a program of 16 MiB or more, so the
#    image's disk of large files is a partition of the bootable disk
#    (docs/IMAGE.md, "On a bootable disk"): raw and qcow2, each firmware
#    and bus; the guest hashes its own file, which must be the host's.
# 3. big-backup: that disk (raw, SeaBIOS) with its primary GPT header
#    broken (tests/guest/gptbreak.sh): the kernel reads the backup table.
# 4. big-nopart: that disk with its files' partition given another unique
#    GUID (a valid table that lacks the partition the image names): the
#    kernel must refuse to boot (status 126) and say why.
set -uo pipefail
[ $# -ge 1 ] || { echo "usage: $0 BUILD FORMAT..." >&2; exit 2; }
d=$1/_disks
shift
here=$PWD
mkdir -p "$d" || exit 2
for p in hello selfhash; do
    (cd "tests/go/$p" && CGO_ENABLED=0 go build -o "$here/$d/$p" .) || exit 2
done
cp "$d/selfhash" "$d/big" &&
    head -c $((17 << 20)) <(openssl enc -aes-128-ctr -nosalt -pass pass:15 \
        -in /dev/zero 2>/dev/null) >>"$d/big" || exit 2
want="size $(stat -c %s "$d/big") sha256 $(sha256sum <"$d/big" | cut -d' ' -f1)"

pass=0 failed=0
# one NAME COMMAND...: runs a case, its output in $d/NAME.log.
one() {
    local name=$1
    shift
    if "$@" >"$d/$name.log" 2>&1; then
        echo "ok   disk/$name"
        pass=$((pass + 1))
    else
        echo "FAIL disk/$name"
        tail -n 20 "$d/$name.log"
        failed=$((failed + 1))
    fi
}

for f in "$@"; do
    for fw in bios uefi; do
        for bus in virtio nvme scsi; do
            one "$f-$fw-$bus" tests/guest/bootdisk.sh "$f" "$fw" "$bus" \
                "$d/hello"
        done
    done
done
for f in raw qcow2; do
    for fw in bios uefi; do
        for bus in virtio nvme scsi; do
            BOOTDISK_EXPECT=$want one "big-$f-$fw-$bus" \
                tests/guest/bootdisk.sh "$f" "$fw" "$bus" "$d/big"
        done
    done
done
BOOTDISK_EXPECT=$want BOOTDISK_MANGLE=tests/guest/gptbreak.sh \
    one big-backup tests/guest/bootdisk.sh raw bios virtio "$d/big"
BOOTDISK_MANGLE="sgdisk -u 3:R" BOOTDISK_STATUS=126 \
    BOOTDISK_KMSG="vda: no such partition" one big-nopart \
    tests/guest/bootdisk.sh raw bios virtio "$d/big"
echo "$pass passed, $failed failed"
[ "$failed" = 0 ]

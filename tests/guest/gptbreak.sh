#!/bin/sh
# tests/guest/gptbreak.sh DISK — breaks DISK's primary GPT header (LBA 1)
# by changing a byte of the disk GUID (offset 56-71 of the header, under
# its CRC-32), so readers must take the backup at the last sector (UEFI
# 2.10 §5.3.2).  SeaBIOS's GRUB does; OVMF does not find its ESP then,
# so only the BIOS boot is tested this way.
set -eu
printf '\377' | dd of="$1" bs=1 seek=$((512 + 60)) conv=notrunc status=none

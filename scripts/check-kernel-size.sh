#!/bin/sh
# Prints the kernel's file size and loaded size (text+data+bss), and fails
# when the file exceeds the 512 KiB budget (docs/PERFORMANCE.md).
file=$(stat -c %s "$1")
loaded=$(size "$1" | awk 'NR == 2 { print $4 }')
echo "  SIZE    $1: $((file / 1024)) KiB file, $((loaded / 1024)) KiB loaded"
if [ "$file" -gt $((512 * 1024)) ]; then
    echo "check-kernel-size: $1 is over 512 KiB" >&2
    exit 1
fi

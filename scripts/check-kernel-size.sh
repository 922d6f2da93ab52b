#!/bin/sh
# Prints the kernel's loaded size; a reminder of the 512 KiB budget.
size=$(stat -c %s "$1")
echo "  SIZE    $1: $((size / 1024)) KiB"

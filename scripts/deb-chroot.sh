#!/usr/bin/env bash
# scripts/deb-chroot.sh — the clean Debian 12 root that `make check-deb`
# installs the package into: debootstrap's minbase from this machine's own
# Debian mirror (scripts/debian-uri.sh), made once and cached, since it
# takes minutes; tests/deb/check.sh never changes it (it works on an
# overlay or a copy).  Prints the root's path.  As root.
#
#   GORUMP_CHROOT_CACHE=/var/cache/gorump/chroot   where it is kept
#   scripts/deb-chroot.sh --check                  exit 1 if not made yet
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${GORUMP_CHROOT_CACHE:-/var/cache/gorump/chroot}
root=$cache/bookworm

if [ "${1:-}" = "--check" ]; then
    [ -f "$root/.gorump-complete" ]
    exit
fi
if [ ! -f "$root/.gorump-complete" ]; then
    command -v debootstrap >/dev/null || {
        echo "deb-chroot.sh: debootstrap is missing (scripts/deps.sh installs it)" >&2
        exit 1
    }
    uri=$("$top/scripts/debian-uri.sh")
    mkdir -p "$cache"
    rm -rf "$root.tmp"
    echo "deb-chroot.sh: debootstrap --variant=minbase bookworm into $root (once)" >&2
    debootstrap --variant=minbase bookworm "$root.tmp" "$uri" \
        >"$cache/debootstrap.log" 2>&1 || {
        tail -n 20 "$cache/debootstrap.log" >&2
        exit 1
    }
    # debootstrap leaves no package lists: apt in the root needs them.
    chroot "$root.tmp" apt-get update -qq >>"$cache/debootstrap.log" 2>&1
    chroot "$root.tmp" apt-get clean
    touch "$root.tmp/.gorump-complete"
    rm -rf "$root"
    mv "$root.tmp" "$root"
fi
echo "$root"

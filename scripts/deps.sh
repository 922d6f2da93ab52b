#!/usr/bin/env bash
# scripts/deps.sh — install everything gorump needs to build and test, on a
# Debian 12 machine, as root. Idempotent: it does nothing when all is there.
#
#   scripts/deps.sh          install missing packages and Go toolchains
#                            (the tests' newest Go is scripts/go-newest.sh's)
#   scripts/deps.sh --check  exit 1 (and say what) if something is missing
#
# The bookworm-backports suite (for a newer Go) and deb-src entries (for
# lwIP's source) are derived from the machine's own Debian apt entry, so no
# mirror is named here.
set -euo pipefail

PKGS="wrk iproute2 gcc make binutils qemu-system-x86 golang-go dpkg-dev clang clang-format
      libclang-rt-14-dev curl python3 tzdata golang-github-coreos-bbolt-dev
      musl-tools libsqlite3-dev golang-github-mattn-go-sqlite3-dev
      gdb lintian debootstrap man-db
      gdisk mtools grub-common grub-pc-bin grub-efi-amd64-bin ovmf qemu-utils
      skopeo umoci"
top=$(cd "$(dirname "$0")/.." && pwd)

# The newest Go the package lists offer (bookworm-backports carries
# golang-1.21-go and later; bookworm itself only 1.19).
newest_go() {
    apt-cache search --names-only '^golang-1\.[0-9]+-go$' 2>/dev/null |
        awk '{ print $1 }' | sort -V | tail -n1
}

# A Go newer than Debian's default is installed (any golang-1.2x-go).
have_backport_go() {
    ls -d /usr/lib/go-1.2[0-9]* >/dev/null 2>&1
}

missing_pkgs() {
    local p
    have_backport_go || echo "${GO_PKG:-golang-backports-go}"
    for p in $PKGS; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
            grep -q 'install ok installed' || echo "$p"
    done
}

# The URI of the first Debian entry that serves the main bookworm suite.
debian_uri() { "$top/scripts/debian-uri.sh" bookworm 2>/dev/null || true; }

add_sources() {
    local out=/etc/apt/sources.list.d/gorump.sources uri
    [ -f "$out" ] && return 0
    uri=$(debian_uri | head -n1)
    if [ -z "$uri" ]; then
        echo "deps.sh: no Debian bookworm entry found in apt's sources" >&2
        exit 1
    fi
    cat >"$out" <<SRC
# Added by gorump's scripts/deps.sh, derived from this machine's Debian entry.
Types: deb deb-src
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: $uri
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
}

lwip_dir() { echo "$top/third_party/lwip"; }

fetch_lwip() {
    local dir tmp
    dir=$(lwip_dir)
    [ -f "$dir/src/core/tcp.c" ] && return 0
    tmp=$(mktemp -d)
    # Pinned to bookworm's release (2.1.3), the one the port is written
    # against: other deb-src suites on the machine may offer newer ones.
    (cd "$tmp" && apt-get source --download-only lwip/bookworm >/dev/null &&
        dpkg-source -x --no-check ./lwip_*.dsc src >/dev/null)
    mkdir -p "$top/third_party"
    rm -rf "$dir"
    mv "$tmp/src" "$dir"
    rm -rf "$tmp"
}

if [ "${1:-}" = "--check" ]; then
    m=$(missing_pkgs | tr '\n' ' ')
    [ -z "$m" ] || { echo "missing packages: $m"; exit 1; }
    [ -f "$(lwip_dir)/src/core/tcp.c" ] || { echo "missing lwIP source"; exit 1; }
    exit 0
fi

if [ -n "$(missing_pkgs)" ] || [ ! -f "$(lwip_dir)/src/core/tcp.c" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "deps.sh: missing: $(missing_pkgs | tr '\n' ' ') — run as root" >&2
        exit 1
    fi
    add_sources
    export DEBIAN_FRONTEND=noninteractive
    # A failed refresh (a mirror away for a moment) leaves the old lists,
    # which still serve what is asked below; the errors say so if not.
    apt-get update -qq || echo "deps.sh: apt-get update failed; using the old package lists" >&2
    GO_PKG=$(newest_go)
    m=$(missing_pkgs)
    [ -z "$m" ] || apt-get install -y -qq --no-install-recommends $m
    fetch_lwip
fi

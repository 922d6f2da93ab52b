#!/usr/bin/env bash
# scripts/go-newest.sh — build the newest Go releases that Debian carries
# only as source packages (golang-1.24 in trixie, golang-1.27 in sid) into a
# cache outside the repository, so the tests run with the Go users run.
#
#   scripts/go-newest.sh           build what is missing (as root: adds the
#                                  deb-src entries it needs)
#   scripts/go-newest.sh --check   exit 1 if a toolchain is missing
#   scripts/go-newest.sh --list    print the cached toolchains' go binaries
#
# A source package's orig tarball is Go's own release; it is built with
# src/make.bash, each release bootstrapped by the one before it (1.24 by
# the newest bookworm-backports Go, 1.27 by 1.24), about ten minutes each on
# two cores.  GORUMP_GO_CACHE (default /var/cache/gorump/go) holds
# go-1.N/, which CI and later runs reuse.  GORUMP_NEWEST_GO="1.24 1.27"
# chooses the releases; GORUMP_NEWEST_GO=none skips them.
set -euo pipefail

cache=${GORUMP_GO_CACHE:-/var/cache/gorump/go}
want=${GORUMP_NEWEST_GO:-1.24 1.27}
[ "$want" = none ] && want=

built() { [ -x "$cache/go-$1/bin/go" ] && [ -f "$cache/go-$1/.gorump-ok" ]; }

if [ "${1:-}" = --list ]; then
    for v in $want; do built "$v" && echo "$cache/go-$v/bin/go"; done
    exit 0
fi
if [ "${1:-}" = --check ]; then
    for v in $want; do
        built "$v" || { echo "missing Go $v in $cache"; exit 1; }
    done
    exit 0
fi

# The URI of the machine's Debian archive entry (the one serving bookworm).
debian_uri() { "$(dirname "$0")/debian-uri.sh" bookworm 2>/dev/null || true; }

add_sources() {
    local out=/etc/apt/sources.list.d/gorump-newgo.sources uri
    [ -f "$out" ] && return 0
    uri=$(debian_uri | head -n1)
    [ -n "$uri" ] || { echo "go-newest.sh: no Debian entry in apt's sources" >&2; exit 1; }
    cat >"$out" <<SRC
# Added by gorump's scripts/go-newest.sh, derived from this machine's
# Debian entry: source packages of newer Go releases.
Types: deb-src
URIs: $uri
Suites: trixie sid
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    apt-get update -qq
}

# The Go that bootstraps release $1: the previous one built here, else the
# newest installed Debian toolchain.
bootstrap_for() {
    local prev=""
    for v in $want; do
        [ "$v" = "$1" ] && break
        prev=$v
    done
    if [ -n "$prev" ]; then
        echo "$cache/go-$prev"
    else
        ls -d /usr/lib/go-1.2[0-9] 2>/dev/null | sort -V | tail -n1
    fi
}

# fetch_source V DIR: golang-V's orig tarball into DIR, the newest version
# the lists name that the archive still has (a mirror may lag its lists).
fetch_source() {
    local ver
    for ver in $(apt-cache showsrc "golang-$1" 2>/dev/null |
        awk '/^Version:/ { print $2 }' | sort -rV | uniq); do
        (cd "$2" && apt-get source --download-only --tar-only \
            "golang-$1=$ver" >/dev/null 2>&1) && return 0
    done
    return 1
}

build_one() {
    local v=$1 boot tmp tarball
    boot=$(bootstrap_for "$v")
    [ -x "$boot/bin/go" ] || { echo "go-newest.sh: no Go to bootstrap $v" >&2; exit 1; }
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' RETURN
    echo "go-newest.sh: building Go $v (bootstrap $boot), about 10 minutes" >&2
    fetch_source "$v" "$tmp" || {
        apt-get update -qq || true
        fetch_source "$v" "$tmp"
    } || {
        echo "go-newest.sh: no version of golang-$v's source can be downloaded" >&2
        exit 1
    }
    tarball=$(ls "$tmp"/golang-"$v"_*.orig.tar.* | head -n1)
    mkdir -p "$tmp/src" "$cache"
    tar -xf "$tarball" -C "$tmp/src"
    rm -rf "$cache/go-$v"
    mv "$tmp/src/go" "$cache/go-$v"
    (cd "$cache/go-$v/src" && GOROOT_BOOTSTRAP=$boot GOTOOLCHAIN=local \
        ./make.bash >"$cache/go-$v.build.log" 2>&1) || {
        echo "go-newest.sh: building Go $v failed, see $cache/go-$v.build.log" >&2
        exit 1
    }
    touch "$cache/go-$v/.gorump-ok"
}

missing=
for v in $want; do built "$v" || missing="$missing $v"; done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "go-newest.sh: missing Go$missing — run as root" >&2
    exit 1
fi
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9 # one build at a time; a second caller waits, then finds it done
add_sources
for v in $want; do built "$v" || build_one "$v"; done

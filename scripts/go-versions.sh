#!/usr/bin/env bash
# scripts/go-versions.sh — print the Go toolchains the guest tests use, one
# path per line, oldest first: Go 1.19 (the oldest we support) and the newest
# /usr/lib/go-1.N installed (Debian's golang-1.N-go packages).  Versions sort
# numerically, so 1.100 would come after 1.23.  Exits 1 if there is none.
set -euo pipefail

# "MINOR PATH" for each installed toolchain, numerically sorted.
all=$(for go in /usr/lib/go-1.*/bin/go; do
    [ -x "$go" ] || continue
    minor=${go#/usr/lib/go-1.}
    echo "${minor%%/*} $go"
done | sort -n)

if [ -z "$all" ]; then
    echo "go-versions.sh: no Go toolchain in /usr/lib/go-1.*" >&2
    exit 1
fi
{
    echo "$all" | awk '$1 == 19 { print $2 }'
    echo "$all" | tail -n1 | cut -d' ' -f2
} | awk '!seen[$0]++'

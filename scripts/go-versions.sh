#!/usr/bin/env bash
# scripts/go-versions.sh — print the Go toolchains the guest tests use, one
# path per line, oldest first: Go 1.19 (the oldest we support) and the
# newest one there is, whether a Debian package (/usr/lib/go-1.N, from
# golang-1.N-go) or a release scripts/go-newest.sh built into its cache.
# Versions sort numerically, so 1.100 would come after 1.27.  GOS="PATH..."
# overrides the list.  Exits 1 if there is none.
set -euo pipefail

if [ -n "${GOS:-}" ]; then
    printf '%s\n' $GOS
    exit 0
fi
here=$(dirname "$0")
# "MINOR PATH" for each toolchain, numerically sorted.
all=$(for go in /usr/lib/go-1.*/bin/go $("$here/go-newest.sh" --list); do
    [ -x "$go" ] || continue
    minor=$(basename "$(dirname "$(dirname "$go")")")
    minor=${minor#go-1.}
    echo "${minor%%.*} $go"
done | sort -n)

if [ -z "$all" ]; then
    echo "go-versions.sh: no Go toolchain in /usr/lib/go-1.* or the cache" >&2
    exit 1
fi
{
    echo "$all" | awk '$1 == 19 { print $2 }'
    echo "$all" | tail -n1 | cut -d' ' -f2
} | awk '!seen[$0]++'

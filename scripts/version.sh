#!/usr/bin/env bash
# scripts/version.sh — prints gorump's version, the one place it comes
# from: VERSION's release number, and in a git clone "+gitN.HASH" after it
# (N commits, HASH the commit; ".dirty" with uncommitted changes), so each
# commit's build says which it is and later commits sort later, as a
# Debian version (deb-version(7)) must.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
base=$(tr -d ' \n' <"$top/VERSION")
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
    n=$(git -C "$top" rev-list --count HEAD)
    hash=$(git -C "$top" rev-parse --short=7 HEAD)
    dirty=
    git -C "$top" diff --quiet HEAD -- 2>/dev/null || dirty=.dirty
    echo "$base+git$n.$hash$dirty"
else
    echo "$base"
fi

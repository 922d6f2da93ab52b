#!/usr/bin/env bash
# tests/deb/check.sh BUILD — `make check-deb`: the Debian package that
# scripts/mkdeb.sh made in BUILD passes lintian, holds exactly the files
# it should, its manual page renders and lists every option of the help
# texts, and, installed with apt into a clean Debian root (made once by
# scripts/deb-chroot.sh, used through an overlay so it stays clean), it
# brings QEMU as its dependency and its /usr/bin/gorump runs a static Go
# hello with the right output and exit status.  As root; the root's mounts
# live in a mount namespace of their own.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
deb=$(ls "$build"/gorump_*_amd64.deb 2>/dev/null | head -n1)
work=$build/deb-test
passed=0 failed=0

ok() { echo "ok   deb/$1"; passed=$((passed + 1)); }
bad() {
    echo "FAIL deb/$1: $2"
    failed=$((failed + 1))
}
# check NAME COMMAND...: COMMAND's success is the case's.
check() {
    local name=$1
    shift
    if "$@" >"$work/$name.log" 2>&1; then ok "$name"; else bad "$name" "$(tail -n 15 "$work/$name.log")"; fi
}

[ -n "$deb" ] || { echo "check.sh: no $build/gorump_*_amd64.deb (make deb)" >&2; exit 2; }
rm -rf --one-file-system "$work"
mkdir -p "$work"

# --- the package as a file ---------------------------------------------------

lintian_clean() { lintian --fail-on error,warning "$deb"; }

# What the package must hold, no more and no less.
expected_files() {
    local f
    printf '%s\n' usr/bin/gorump usr/lib/gorump/kernel.elf \
        usr/lib/gorump/kernel.debug.elf usr/share/man/man1/gorump.1.gz \
        usr/share/doc/gorump/copyright \
        usr/share/doc/gorump/changelog.Debian.gz \
        usr/share/doc/gorump/README.md.gz usr/share/lintian/overrides/gorump
    for f in "$top"/docs/*.md; do
        echo "usr/share/doc/gorump/docs/${f##*/}.gz"
    done
}

contents_exact() {
    dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { print $6 }' | sed 's|^\./||' |
        sort >"$work/files"
    expected_files | sort >"$work/expected"
    diff "$work/expected" "$work/files"
}

# The page renders without a warning and names every option of
# `gorump run --help` and `gorump build --help`.
manpage() {
    local page=$work/x/usr/share/man/man1/gorump.1.gz opt
    dpkg-deb -x "$deb" "$work/x" || return 1
    MANWIDTH=80 man --warnings -l "$page" 2>"$work/man.warnings" |
        col -b >"$work/man.txt" || return 1
    [ ! -s "$work/man.warnings" ] || { cat "$work/man.warnings"; return 1; }
    for opt in $({ "$build/gorump" run --help; "$build/gorump" build --help; } |
        grep -oE '^ +(-[a-z], )?--[a-z-]+' | grep -oE -- '--[a-z-]+' | sort -u); do
        grep -q -- "$opt" "$work/man.txt" || { echo "no $opt in the page"; return 1; }
    done
}

# QEMU is needed to run anything; e2fsprogs for volumes (gorump volume,
# -v FILE), so it is recommended; the disk formats' tools are suggested.
control_fields() {
    dpkg-deb -f "$deb" Depends | tee /dev/stderr |
        grep -Eq '^libc6 \(>= [0-9.]+\), qemu-system-x86$' &&
        [ "$(dpkg-deb -f "$deb" Recommends)" = e2fsprogs ] &&
        dpkg-deb -f "$deb" Suggests | grep -q 'qemu-utils.*skopeo'
}

check lintian lintian_clean
check contents contents_exact
check manpage manpage
check depends control_fields

# --- installed into a clean root ---------------------------------------------

hello=$work/hello
(cd "$top/examples/hello" && CGO_ENABLED=0 GOOS=linux GOARCH=amd64 \
    "${GO:-go}" build -o "$hello" .) >"$work/go-build.log" 2>&1 ||
    bad build-hello "$(cat "$work/go-build.log")"

base=$("$top/scripts/deb-chroot.sh") || { bad chroot "no Debian root"; base=; }
archives=${GORUMP_CHROOT_CACHE:-/var/cache/gorump/chroot}/archives

# In the namespace: the root as an overlay on the cached one (a copy
# where overlayfs is refused), /proc, /dev, and apt's downloads cached
# across runs.
in_root() {
    local r=$work/root
    mkdir -p "$r" "$work/upper" "$work/ovl" "$archives/partial"
    mount -t overlay overlay \
        -o "lowerdir=$base,upperdir=$work/upper,workdir=$work/ovl" "$r" ||
        cp -a "$base/." "$r"
    mount -t proc proc "$r/proc"
    mount --rbind /dev "$r/dev"
    mount --bind "$archives" "$r/var/cache/apt/archives"
    cp "$deb" "$hello" "$r/tmp/"
    chroot "$r" /bin/bash -s "/tmp/${deb##*/}" <"$top/tests/deb/in-root.sh"
}
export -f in_root
if [ -n "$base" ] && [ -x "$hello" ]; then
    work=$work base=$base archives=$archives deb=$deb hello=$hello top=$top \
        timeout -s KILL 900 unshare --mount --propagation private \
        bash -c in_root >"$work/root.log" 2>&1
    echo "status $?" >>"$work/root.log"
    # Each line "ok NAME" or "FAIL NAME: why" from in-root.sh is a case.
    while read -r verdict name; do
        case $verdict in
        ok) ok "root/$name" ;;
        FAIL) bad "root/${name%%:*}" "${name#*: }" ;;
        esac
    done < <(grep -E '^(ok|FAIL) ' "$work/root.log")
    grep -q '^ok run-hello$' "$work/root.log" ||
        bad root "hello never ran; see $work/root.log: $(tail -n 20 "$work/root.log")"
    # The namespace's mounts went with it; nothing of the host is below.
    rm -rf --one-file-system "$work/root" "$work/upper" "$work/ovl"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]

#!/usr/bin/env bash
# tests/guest/debian.sh — programs exactly as Debian 12 ships them, run
# through `gorump run` and compared byte for byte with the same binary run
# natively.  Each package is fetched with `apt-get download` (the package
# lists must be current: it runs apt-get update once if the download
# fails) and unpacked into build/debian/PKG, never installed.  `make
# check-debian` runs it; it needs the network the first time.
#
#   GORUMP=build/gorump    the tool under test
#   GUEST_TIMEOUT=120      --timeout for every run, in seconds
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 2
GORUMP=${GORUMP:-build/gorump}
GUEST_TIMEOUT=${GUEST_TIMEOUT:-120}
TOP=$PWD/build/debian
passed=0
failed=0

# fetch PKG: build/debian/PKG holds the unpacked package.
fetch() {
    local pkg=$1 deb
    [ -d "$TOP/$pkg/usr" ] && return 0
    mkdir -p "$TOP/debs" && cd "$TOP/debs" || return 1
    apt-get download "$pkg" >/dev/null 2>&1 ||
        { apt-get update >/dev/null 2>&1 && apt-get download "$pkg" >/dev/null; } ||
        { cd - >/dev/null; return 1; }
    deb=$(ls -t "$pkg"_*.deb | head -n1)
    cd - >/dev/null || return 1
    rm -rf "$TOP/$pkg" && dpkg-deb -x "$TOP/debs/$deb" "$TOP/$pkg"
}

# compare NAME PROG [ARG...]: PROG natively, then through gorump with
# every absolute ARG naming a file packed at its own path.
compare() {
    local name=$1 dir=$TOP/_out/$1 a opts=()
    shift
    rm -rf "$dir" && mkdir -p "$dir"
    for a in "${@:2}"; do
        [[ $a == /* && -f $a ]] && opts+=(--file "$a:$a")
    done
    env -i "$@" >"$dir/native.out" 2>"$dir/native.err"
    echo $? >"$dir/native.status"
    timeout -s KILL $((GUEST_TIMEOUT + 30)) "$GORUMP" run --net none \
        --timeout "$GUEST_TIMEOUT" "${opts[@]}" "$@" >"$dir/guest.out" \
        2>"$dir/guest.err"
    echo $? >"$dir/guest.status"
    if cmp -s "$dir/native.out" "$dir/guest.out" &&
        cmp -s "$dir/native.status" "$dir/guest.status" &&
        [ ! -s "$dir/guest.err" ] && [ -s "$dir/native.out" ]; then
        passed=$((passed + 1))
        echo "ok   debian/$name"
    else
        failed=$((failed + 1))
        echo "FAIL debian/$name: status $(cat "$dir/native.status") natively," \
            "$(cat "$dir/guest.status") in the guest; see $dir"
        tail -n 5 "$dir/guest.err" | sed 's/^/    stderr| /'
        diff "$dir/native.out" "$dir/guest.out" | head -n 10 | sed 's/^/    diff| /'
    fi
}

# gron (a Go program Debian builds with cgo: dynamically linked against
# glibc) flattens JSON.
t_gron() {
    local json=$TOP/_out/in.json
    if ! fetch gron; then
        failed=$((failed + 1))
        echo "FAIL debian/gron: cannot download the gron package"
        return
    fi
    mkdir -p "$TOP/_out"
    printf '{"name":"gorump","list":[1,2,{"a":null,"b":true}],"nested":%s}\n' \
        '{"x":"ünï\"code","y":1.5e3,"z":[[],{}]}' >"$json"
    compare gron "$TOP/gron/usr/bin/gron" "$json"
    compare gron-ungron "$TOP/gron/usr/bin/gron" --ungron \
        "$PWD/tests/guest/debian-ungron.txt"
}

if [ ! -x "$GORUMP" ]; then
    echo "debian.sh: $GORUMP is missing: run make" >&2
    exit 2
fi
t_gron
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]

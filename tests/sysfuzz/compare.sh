#!/usr/bin/env bash
# tests/sysfuzz/compare.sh — `make fuzz-compare`: runs the fd matrix
# natively and inside gorump and prints, per (call, fd kind), where the
# two kernels' answers differ: "CALL[BUFFER] KIND LINUX GORUMP", then a
# count per call.  docs/SECURITY.md explains the differences by design.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
. tests/sysfuzz/pending.sh
out=build/sysfuzz/compare
mkdir -p "$out"
fuzz=$PWD/build/sysfuzz/sysfuzz
# The native run calls fchmod, fchown, ftruncate and the rest on every fd
# kind, /dev/null among them, as root: it runs in a mount namespace of its
# own, with a fresh /dev and /tmp, so the host's files are never touched.
native_sandbox() {
    mount -t tmpfs -o mode=755 gorump-dev /dev &&
        mknod -m 666 /dev/null c 1 3 && mknod -m 666 /dev/zero c 1 5 &&
        mknod -m 666 /dev/urandom c 1 9 && mknod -m 600 /dev/console c 5 1 &&
        mount -t tmpfs gorump-tmp /tmp && cd /tmp || exit 2
    SYSFUZZ_NATIVE=1 exec timeout 120 "$@"
}
export -f native_sandbox
unshare --mount --propagation private --fork \
    bash -c 'native_sandbox "$@"' native "$fuzz" matrix \
    "${SYSFUZZ_MATRIX_EXCLUDE[@]}" >"$out/native" 2>"$out/native.err" ||
    { echo "native run failed (it needs root and unshare)"; tail -n 3 "$out/native.err"; exit 1; }
build/gorump run --net none --timeout 120 "$fuzz" matrix \
    "${SYSFUZZ_MATRIX_EXCLUDE[@]}" >"$out/gorump" 2>"$out/gorump.err" ||
    { echo "gorump run failed"; tail "$out/gorump.err"; exit 1; }
rows() { grep -av '^#\|^sysfuzz' "$1" | awk 'NF == 3 { print $1 "|" $2, $3 }' |
    sort; }
join -j1 <(rows "$out/native") <(rows "$out/gorump") |
    awk '$2 != $3 { split($1, k, "|"); print k[1], k[2], $2, $3 }' \
        >"$out/diff"
column -t "$out/diff"
echo
echo "differences per call:"
awk '{ sub(/\[.*/, "", $1); n[$1]++ } END { for (c in n) print n[c], c }' \
    "$out/diff" | sort -rn
echo "$(wc -l <"$out/diff") of $(rows "$out/gorump" | wc -l) cases differ"

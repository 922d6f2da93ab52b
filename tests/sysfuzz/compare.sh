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
(cd /tmp && timeout 120 "$fuzz" matrix "${SYSFUZZ_MATRIX_EXCLUDE[@]}") \
    >"$out/native" 2>/dev/null || { echo "native run failed"; exit 1; }
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

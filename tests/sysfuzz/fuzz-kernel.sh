#!/usr/bin/env bash
# tests/sysfuzz/fuzz-kernel.sh SECONDS — `make fuzz-kernel`: runs the
# syscall fuzzer inside gorump with new random seeds until SECONDS have
# passed; stops at the first run that does not end with the fuzzer's
# summary (a kernel panic, a hang, the fuzzer killed) and prints how to
# replay it.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
. tests/sysfuzz/pending.sh
limit=${1:-300}
iters=${SYSFUZZ_ITERATIONS:-50000}
out=build/sysfuzz/run
mkdir -p "$out"
end=$((SECONDS + limit))
runs=0
while [ "$SECONDS" -lt "$end" ]; do
    seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
    build/gorump run --net none --timeout 300 build/sysfuzz/sysfuzz \
        "$seed" "$iters" "${SYSFUZZ_RANDOM_SKIP[@]}" \
        >"$out/stdout" 2>"$out/stderr"
    status=$?
    if [ "$status" != 0 ] || grep -q 'kernel panic' "$out/stderr" ||
        ! grep -q "^sysfuzz: seed $seed: .* all returned" "$out/stdout"; then
        echo "fuzz-kernel: seed $seed failed (status $status):"
        tail -n 20 "$out/stderr"
        echo "replay: build/gorump run --net none build/sysfuzz/sysfuzz" \
            "$seed $iters ${SYSFUZZ_RANDOM_SKIP[*]} -v"
        exit 1
    fi
    runs=$((runs + 1))
    tail -n 1 "$out/stdout"
done
echo "fuzz-kernel: $runs runs of $iters calls, no panic, no hang"

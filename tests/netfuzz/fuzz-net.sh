#!/usr/bin/env bash
# tests/netfuzz/fuzz-net.sh [SECONDS] — `make fuzz-net`: runs netfuzz with
# random seeds, 30 s of frames each, until SECONDS (default 300) have
# passed.  Each run boots tests/go/netfuzzd in gorump on a stream netdev
# (GORUMP_TEST_NETDEV, set by netfuzz).  A failing seed is printed with
# the command that replays it; the logs stay in build/netfuzz/.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
total=${1:-300}
out=build/netfuzz
go=$(ls -d /usr/lib/go-1.* 2>/dev/null | sort -V | tail -n 1)/bin/go
mkdir -p "$out"
(cd tests/go/netfuzzd && CGO_ENABLED=0 "$go" build -o "../../../$out/netfuzzd" .) ||
    exit 2
end=$((SECONDS + total)) runs=0 failed=0
while [ "$SECONDS" -lt "$end" ]; do
    seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
    left=$((end - SECONDS)) t=30
    [ "$left" -lt 40 ] && t=$((left > 5 ? left - 5 : 1))
    cmd=("$out/netfuzz" -s "$seed" -t "$t" -- build/gorump run --timeout 300
        --ip 10.0.9.2/24 --gateway 10.0.9.1 "$out/netfuzzd")
    runs=$((runs + 1))
    if "${cmd[@]}" >"$out/seed-$seed.log" 2>&1; then
        grep -h '^netfuzz: seed .* frames' "$out/seed-$seed.log"
        rm -f "$out/seed-$seed.log"
    else
        failed=$((failed + 1))
        echo "FAIL: seed $seed (log: $out/seed-$seed.log); replay: ${cmd[*]}"
        grep -a 'netfuzz: FAIL\|panic\|lwIP assertion' "$out/seed-$seed.log"
    fi
done
echo "fuzz-net: $runs runs, $failed failed"
[ "$failed" -eq 0 ]

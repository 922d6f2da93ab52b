# bench/lib.sh — helpers the bench/ scripts share; sourced, not run.
# Times come from bash's $EPOCHREALTIME, which costs no fork.
# shellcheck shell=bash

# die MESSAGE...: "NAME: MESSAGE" on stderr (NAME is $BENCH), exit 1.
die() {
    echo "$BENCH: $*" >&2
    exit 1
}

# now_us: wall clock in microseconds.
now_us() {
    local t=${EPOCHREALTIME/[.,]/}
    echo "${t#0}"
}

# ms US: microseconds as milliseconds with one decimal.
ms() { awk -v us="$1" 'BEGIN { printf "%.1f ms", us / 1000 }'; }

# summary FILE: "median min max" of the numbers in FILE, one per line.
summary() {
    sort -n "$1" | awk '{ v[NR] = $1 }
        END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
              print m, v[1], v[NR] }'
}

# go_newest: the newest Go toolchain scripts/go-versions.sh knows.
go_newest() { scripts/go-versions.sh | tail -n1; }

# go_build OUT PACKAGE: a static linux/amd64 build with that toolchain.
go_build() {
    env -u GOROOT CGO_ENABLED=0 GOOS=linux GOARCH=amd64 GOTOOLCHAIN=local \
        GOPROXY=off "$(go_newest)" build -o "$1" "$2"
}

# write_doc FILE: puts FILE between <!-- $BENCH --> and <!-- /$BENCH --> in
# docs/PERFORMANCE.md, creating the file or the markers if missing.
write_doc() {
    local doc=docs/PERFORMANCE.md begin="<!-- $BENCH -->" end="<!-- /$BENCH -->"
    mkdir -p "$(dirname "$doc")"
    [ -f "$doc" ] || printf '%s\n\n%s\n' "# Performance" \
        "Measured by the scripts in bench/; each rewrites its own section." >"$doc"
    grep -qxF "$begin" "$doc" || printf '\n%s\n%s\n' "$begin" "$end" >>"$doc"
    awk -v begin="$begin" -v end="$end" -v body="$1" '
        $0 == begin { print; while ((getline l < body) > 0) print l; skip = 1; next }
        $0 == end { skip = 0 }
        !skip' "$doc" >"$doc.new"
    mv "$doc.new" "$doc"
    echo "$BENCH: wrote $doc" >&2
}

# in_netns TAP HOST_IP ARG...: this script ($0) again with ARG inside a
# new network namespace holding the tap device TAP (host side
# HOST_IP/24), with BENCH_NETNS set there; the namespace is removed
# afterwards whatever happens.  Does not return.
in_netns() {
    local tap=$1 host_ip=$2 ns=gorump-bench-$$ st=0
    shift 2
    [ "$(id -u)" = 0 ] || die "a tap needs root (a network namespace and a tap)"
    command -v ip >/dev/null || die "a tap needs ip (apt-get install -y iproute2)"
    ip netns add "$ns" || die "cannot create network namespace $ns"
    trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
    if ! { ip -n "$ns" link set lo up &&
        ip -n "$ns" tuntap add dev "$tap" mode tap &&
        ip -n "$ns" addr add "$host_ip/24" dev "$tap" &&
        ip -n "$ns" link set "$tap" up; }; then
        die "cannot set up $tap in $ns"
    fi
    BENCH_NETNS=$ns ip netns exec "$ns" "$0" "$@" || st=$?
    exit "$st"
}

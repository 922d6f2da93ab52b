#!/usr/bin/env bash
# scripts/demo.sh — `make demo`: builds gorump and examples/httpd, boots the
# web server as a unikernel with its port 3000 forwarded to the host's
# 127.0.0.1:3000, waits until `curl http://127.0.0.1:3000/fast` answers,
# shows the answer and how to try it, then stops the guest.  It ends by
# itself, so it also runs without a terminal (`make demo </dev/null`).
#
#   DEMO_KEEP=1    leave the server running after the answer, until Ctrl-C
#   DEMO_PORT=N    the host port to use (default 3000)
#   DEMO_WAIT=S    how long to wait for the first answer (default 60 s)
#   GORUMP=build/gorump   the tool to run
set -euo pipefail
cd "$(dirname "$0")/.."

GORUMP=${GORUMP:-build/gorump}
port=${DEMO_PORT:-3000}
wait_s=${DEMO_WAIT:-60}
keep=${DEMO_KEEP:-0}
bin=build/demo/httpd
url=http://127.0.0.1:$port/fast
pid=

say() { echo "demo: $*" >&2; }
die() {
    say "$*"
    exit 1
}

# Stops the guest if it still runs: gorump stops QEMU and cleans up.
stop_guest() {
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=
}
trap stop_guest EXIT
# A background job of a script ignores Ctrl-C, so pass it on ourselves.
trap 'stop_guest; exit 130' INT
trap 'stop_guest; exit 143' TERM

build() {
    local go
    # `make demo` has built gorump already; run directly, build it here.
    [ -n "${MAKELEVEL:-}" ] || make all
    [ -x "$GORUMP" ] || die "$GORUMP is missing: run make"
    command -v curl >/dev/null || die "curl is missing (apt-get install curl)"
    go=$(scripts/go-versions.sh | tail -n1)
    say "building examples/httpd with $("$go" env GOVERSION)"
    mkdir -p build/demo
    env -u GOROOT CGO_ENABLED=0 GOOS=linux GOARCH=amd64 GOTOOLCHAIN=local \
        GOPROXY=off "$go" build -o "$bin" ./examples/httpd
}

# Polls $url until it answers (0), gorump ends (1), or $wait_s pass (2).
# A request sent before the guest listens waits for QEMU's user networking
# to retry its SYN to the guest (1 s or more): give up on it after 1 s.
await_answer() {
    local deadline=$((SECONDS + wait_s))
    while [ "$SECONDS" -lt "$deadline" ]; do
        answer=$(curl -fsS -m 1 "$url" 2>/dev/null) && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.2
    done
    return 2
}

guest_failed() {
    local status=0
    wait "$pid" || status=$?
    pid=
    if [ "$status" = 125 ]; then
        die "gorump refused to start (above); if port $port is taken," \
            "try DEMO_PORT=$((port + 1)) make demo"
    fi
    die "the guest stopped (gorump exit status $status) before answering"
}

main() {
    local start r=0
    [[ $port =~ ^[0-9]+$ ]] || die "DEMO_PORT=$port: want a port number"
    [[ $wait_s =~ ^[0-9]+$ ]] || die "DEMO_WAIT=$wait_s: want seconds"
    build
    say "booting: $GORUMP run -p $port:3000 $bin"
    start=$EPOCHREALTIME
    "$GORUMP" run -p "$port:3000" "$bin" </dev/null &
    pid=$!
    say "waiting for $url (up to $wait_s s)"
    await_answer || r=$?
    [ "$r" != 1 ] || guest_failed
    [ "$r" = 0 ] || die "no answer from $url after $wait_s s"
    say "curl $url answered $(awk -v s="$start" -v e="$EPOCHREALTIME" \
        'BEGIN { printf "%.1f", e - s }') s after gorump run started:"
    printf '%s\n' "$answer"
    say "try it yourself:"
    say "    $GORUMP run -p $port:3000 examples/httpd"
    say "    curl $url       (from another shell)"
    if [ "$keep" = 1 ]; then
        say "DEMO_KEEP=1: the server keeps running; Ctrl-C stops it"
        wait "$pid" || true
        pid=
        return 0
    fi
    say "stopping the guest (DEMO_KEEP=1 make demo leaves it running)"
    stop_guest
}

main "$@"

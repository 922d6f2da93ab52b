# bench/wrk.sh — how bench/http and bench/smp/run load examples/httpd: the
# first answer of a booting guest (curl) and wrk's requests/s and latency
# percentiles.  Sourced after bench/lib.sh, not run.  The caller sets
# $tmp (its scratch directory), $pid (the guest running in the background,
# a child of the script), $ADDR (the address to reach it at) and
# FIRST_ANSWER_S (how long a guest may take to answer).
# shellcheck shell=bash disable=SC2154

# first_answer PORT T0: microseconds from T0 to the first answer to
# `curl http://ADDR:PORT/fast`, or fails if the guest stopped or
# FIRST_ANSWER_S passed.  A new curl starts every 25 ms without waiting
# for the last: a request made before the guest listens waits for QEMU's
# user networking to retry its SYN to the guest (1 s and more), so one
# curl at a time would measure slirp's timers, not the guest.
first_answer() {
    local limit=$(($2 + FIRST_ANSWER_S * 1000000)) i=0 got=""
    rm -f "$tmp"/answer.*
    while [ -z "$got" ] && [ "$(now_us)" -lt "$limit" ]; do
        { curl -fs -m 5 -o /dev/null "http://$ADDR:$1/fast" &&
            now_us >"$tmp/answer.$i"; } &
        i=$((i + 1))
        sleep 0.025
        got=$(cat "$tmp"/answer.* 2>/dev/null | sort -n | head -n1)
        kill -0 "$pid" 2>/dev/null || break
    done
    wait_curls
    got=$(cat "$tmp"/answer.* 2>/dev/null | sort -n | head -n1)
    [ -n "$got" ] || return 1
    echo $((got - $2))
}

# wait_curls: waits for first_answer's curls (each ends within 5 s), not
# for the guest, which is also a child.
wait_curls() {
    local j
    for j in $(jobs -p); do [ "$j" = "$pid" ] || wait "$j" 2>/dev/null || true; done
}

# wrk_load THREADS CONNECTIONS SECONDS PORT OUT: wrk's report on
# http://ADDR:PORT/fast, with latency percentiles, in OUT.
wrk_load() {
    echo "$BENCH: wrk -t$1 -c$2 -d$3s on port $4" >&2
    wrk -t"$1" -c"$2" -d"$3s" --latency "http://$ADDR:$4/fast" >"$5" 2>&1 ||
        die "wrk failed: $(tail -n 3 "$5")"
}

# wrk_value FILE WHAT: requests/s ("rps"), a latency percentile ("50%"...)
# or the socket error summary ("errors") from a wrk report; "-" if absent.
wrk_value() {
    local v=""
    [ -s "$1" ] || { echo "-"; return; }
    case $2 in
    rps) v=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$1") ;;
    errors) v=$(sed -n 's/^ *Socket errors: //p' "$1")
        [ -n "$v" ] || v=none ;;
    *) v=$(awk -v p="$2" '$1 == p { print $2 }' "$1") ;;
    esac
    echo "${v:--}"
}

# to_ms VALUE: wrk's "1.23ms", "850.00us" or "1.20s" in milliseconds.
to_ms() {
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) printf "%.2f\n", v / 1000; else if (v ~ /ms$/) printf "%.2f\n", v + 0;
        else if (v ~ /s$/) printf "%.2f\n", v * 1000; else print "-" }'
}

# widen_build: build/bench/widen (bench/widen.c), which gives a QEMU's
# host forwarding the listen backlog `gorump run` gives its own
# (tool/hostfwd.h): QEMU listens with a backlog of 1.
widen_build() {
    mkdir -p build/bench
    cc -O2 -D_GNU_SOURCE -Itool -o build/bench/widen bench/widen.c tool/hostfwd.c ||
        die "cannot build bench/widen.c"
}

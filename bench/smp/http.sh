# bench/smp/http.sh — bench/smp/run's HTTP part: examples/httpd under
# wrk with one CPU and with two, in gorump (`--cpus N`) and in the Debian
# Linux guest (`-smp N`), each round booting the four and loading each
# in turn the way bench/http does (bench/wrk.sh: the first answer by
# curl, then wrk on /fast through QEMU's user networking, the listener
# widened for both).  Sourced by bench/smp/run after bench/lib.sh,
# bench/guest.sh and bench/wrk.sh, not run.
# shellcheck shell=bash disable=SC2154,SC2034

HTTP_THREADS=2 HTTP_CONNS=50

http_setup() {
    command -v curl >/dev/null || die "curl is missing (apt-get install -y curl)"
    command -v wrk >/dev/null || die "wrk is missing (apt-get install -y wrk)"
    go_build build/bench/httpd ./examples/httpd
    widen_build
    linux_prepare build/bench/httpd "$tmp/httpd.cpio.gz"
    ADDR=127.0.0.1 FIRST_ANSWER_S=120 pid=
}

# http_start_gorump CPUS PORT LOG / http_start_linux: boots httpd in the
# background with CPUS CPUs, forwarding 127.0.0.1:PORT; sets $pid.
http_start_gorump() {
    GORUMP_ACCEL=$ACCEL "$GORUMP" run --cpus "$1" -m "${mem}M" -p "$2:3000" \
        build/bench/httpd >"$3" 2>&1 </dev/null &
    pid=$!
}

http_start_linux() {
    LINUX_CPUS=$1 linux_argv "$mem" "$tmp/httpd.cpio.gz" "tcp:127.0.0.1:$2-:3000"
    "${LINUX_ARGV[@]}" >"$3" 2>&1 </dev/null &
    pid=$!
    build/bench/widen "$pid" "$2" >>"$3" 2>&1 || true
}

http_stop() {
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=
}

# http_measure KIND CPUS: one boot loaded by wrk; requests/s, p50 and p99
# (ms) appended to $tmp/http.KIND.CPUS.{rps,p50,p99}.
http_measure() {
    local kind=$1 cpus=$2 port t0 log=$tmp/http.$1.$2.log w=$tmp/http.$1.$2.wrk
    port=$(free_port)
    t0=$(now_us)
    "http_start_$kind" "$cpus" "$port" "$log"
    first_answer "$port" "$t0" >/dev/null || {
        http_stop
        die "$kind --cpus $cpus: no answer within $FIRST_ANSWER_S s: $(tail -n 5 "$log")"
    }
    wrk_load "$HTTP_THREADS" "$HTTP_CONNS" "$secs" "$port" "$w"
    http_stop
    wrk_value "$w" rps >>"$tmp/http.$kind.$cpus.rps"
    to_ms "$(wrk_value "$w" 50%)" >>"$tmp/http.$kind.$cpus.p50"
    to_ms "$(wrk_value "$w" 99%)" >>"$tmp/http.$kind.$cpus.p99"
    echo "$BENCH: $kind --cpus $cpus: $(tail -n1 "$tmp/http.$kind.$cpus.rps")" \
        "requests/s, p99 $(tail -n1 "$tmp/http.$kind.$cpus.p99") ms," \
        "socket errors: $(wrk_value "$w" errors)" >&2
}

http_part() {
    local i
    http_setup
    for ((i = 1; i <= runs; i++)); do
        http_measure gorump 1
        http_measure gorump 2
        http_measure linux 1
        http_measure linux 2
    done
    http_report
}

# http_med KIND.CPUS WHAT: the median of a figure.
http_med() { summary "$tmp/http.$1.$2" | cut -d' ' -f1; }

# http_row KIND CPUS: one line of the table.
http_row() {
    local name=gorump m lo hi cells=() w
    [ "$1" != linux ] || name="Linux guest"
    for w in rps p50 p99; do
        read -r m lo hi < <(summary "$tmp/http.$1.$2.$w")
        cells+=("$m ($lo–$hi)")
    done
    echo "| $name | $2 | ${cells[0]} | ${cells[1]} | ${cells[2]} |"
}

http_report() {
    local g1 g2 l1 l2
    g1=$(http_med gorump.1 rps) g2=$(http_med gorump.2 rps)
    l1=$(http_med linux.1 rps) l2=$(http_med linux.2 rps)
    BENCH_VCPUS="1 and 2 vCPUs" bench_header "SMP: \`examples/httpd\` on one CPU and on two"
    echo "- gorump: \`gorump run --cpus N -m ${mem}M -p PORT:3000" \
        "build/bench/httpd\`, microvm (acpi=off); --cpus 2 adds \`-smp 2\`" \
        "and \`-accel tcg,thread=multi\` (tool/qemu.c)"
    linux_header "${mem} MiB, the same binary as its program," \
        "\`hostfwd=tcp:127.0.0.1:PORT-:3000\`, its listener widened as" \
        "gorump's (bench/widen.c); \`-smp 2\` and \`-accel tcg,thread=multi\`" \
        "for two CPUs (bench/guest.sh)"
    echo "- load: bench/http's method (bench/wrk.sh): curl until the first" \
        "answer, then \`wrk -t$HTTP_THREADS -c$HTTP_CONNS -d${secs}s --latency\`" \
        "on \`/fast\` through QEMU's user networking; $runs rounds, each" \
        "booting the four in turn; medians (min–max)"
    echo
    echo "| guest | CPUs | requests/s | latency p50 (ms) | latency p99 (ms) |"
    echo "| --- | ---: | ---: | ---: | ---: |"
    http_row gorump 1
    http_row gorump 2
    http_row linux 1
    http_row linux 2
    echo
    echo "Speed-up from one CPU to two (median requests/s): gorump" \
        "$(ratio "$g2" "$g1"), the Linux guest $(ratio "$l2" "$l1")." \
        "p99 at two CPUs, gorump ÷ Linux:" \
        "$(ratio "$(http_med gorump.2 p99)" "$(http_med linux.2 p99)")."
    echo
    target "HTTP requests/s with 2 CPUs at least 1.5x the Linux guest's (\`-smp 2\`)" \
        "$g2 against $l2" "$(ratio "$g2" "$l2")" \
        "$(awk -v g="$g2" -v l="$l2" 'BEGIN { print (g >= 1.5 * l) }')"
    target "HTTP requests/s with \`--cpus 2\` at least 1.3x \`--cpus 1\`'s" \
        "$g2 against $g1" "$(ratio "$g2" "$g1")" \
        "$(awk -v a="$g2" -v b="$g1" 'BEGIN { print (a >= 1.3 * b) }')" \
        "gorump's with one CPU"
}

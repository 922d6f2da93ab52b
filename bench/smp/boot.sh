# bench/smp/boot.sh — bench/smp/run's boot part: what each CPU adds to
# starting a program.  examples/hello under `gorump run --cpus N --net
# none` for N = 1, 2 and 8, in turn in each round; per boot, the kernel's
# own figures (GORUMP_KERNEL_ARGS=gorump.stats: the `boot-us` steps from
# the PVH entry to the program's exec, among them `smp` and `smp-wait`,
# which start the APs and wait for them, and `first-output-us`) and the
# host's clock from starting `gorump run` to its exit.  Sourced by bench/smp/run after
# bench/lib.sh and bench/guest.sh, not run.
# shellcheck shell=bash disable=SC2154

BOOT_CPUS=(1 2 8)
BOOT_TARGET_US=3000 # "a few milliseconds" per added CPU

# boot_once CPUS: one boot; its figures appended to $tmp/boot.CPUS.*.
boot_once() {
    local c=$1 o=$tmp/boot.out t0 t1 line
    t0=$(now_us)
    gorump_run 60 --cpus "$c" --net none build/bench/hello >"$o" 2>"$o.err" ||
        die "--cpus $c: $(tail -n 5 "$o.err")"
    t1=$(now_us)
    grep -qx 'hello from gorump' "$o" || die "--cpus $c: no greeting: $(tail -n 5 "$o")"
    line=$(grep 'gorump: stats: boot-us' "$o.err") ||
        die "--cpus $c: no boot-us stats line"
    echo $((t1 - t0)) >>"$tmp/boot.$c.wall"
    sed -n 's/.*gorump: stats: first-output-us=\([0-9]*\).*/\1/p' "$o.err" \
        >>"$tmp/boot.$c.first"
    # The steps before the program's exec (the last, "program", is its run).
    echo "$line" | tr ' ' '\n' | awk -F= '$1 != "program" && NF == 2 { s += $2 }
        END { print s }' >>"$tmp/boot.$c.kernel"
    echo "$line" | tr ' ' '\n' | awk -F= '$1 ~ /^smp(-wait)?$/ { s += $2 }
        END { print s }' >>"$tmp/boot.$c.smp"
}

boot_part() {
    local i c
    boot_once 1 # warm-up, not counted
    rm -f "$tmp"/boot.1.*
    for ((i = 1; i <= boots; i++)); do
        for c in "${BOOT_CPUS[@]}"; do boot_once "$c"; done
    done
    echo "$BENCH: $boots boots with each of --cpus ${BOOT_CPUS[*]}" >&2
    boot_report
}

# boot_med CPUS WHAT: a figure's median, in microseconds.
boot_med() { summary "$tmp/boot.$1.$2" | cut -d' ' -f1; }

# boot_cell CPUS WHAT: "median (min–max)" in milliseconds.
boot_cell() {
    local m lo hi
    read -r m lo hi < <(summary "$tmp/boot.$1.$2")
    echo "$(ms "$m") ($(ms "$lo")–$(ms "$hi"))"
}

# per_cpu WHAT N: the median's growth from 1 CPU to N, per added CPU, in
# microseconds.
per_cpu() {
    awk -v a="$(boot_med 1 "$1")" -v b="$(boot_med "$2" "$1")" -v n="$2" \
        'BEGIN { printf "%.0f\n", (b - a) / (n - 1) }'
}

boot_report() {
    local c k2 k8
    k2=$(per_cpu kernel 2) k8=$(per_cpu kernel 8)
    BENCH_VCPUS="1, 2 and 8 vCPUs" bench_header "SMP: boot time with 1, 2 and 8 CPUs"
    echo "- gorump: \`GORUMP_KERNEL_ARGS=gorump.stats gorump run --cpus N" \
        "--net none build/bench/hello\` (examples/hello), microvm" \
        "(acpi=off), 256 MiB; N > 1 adds \`-smp N\` and" \
        "\`-accel tcg,thread=multi\` (tool/qemu.c)"
    echo "- $boots rounds of the three boots after one warm-up; medians" \
        "(min–max). Guest clock: the kernel's \`boot-us\` steps from the" \
        "PVH entry to the program's exec, and among them the \`smp\` and" \
        "\`smp-wait\` steps (finding and starting the APs; waiting for" \
        "those not up yet); \`first-output-us\` adds the Go" \
        "runtime's start. Host clock: \`gorump run\` to its exit"
    echo
    echo "| CPUs | kernel boot (guest) | its smp steps | first output (guest) | \`gorump run\` to exit (host) |"
    echo "| ---: | ---: | ---: | ---: | ---: |"
    for c in "${BOOT_CPUS[@]}"; do
        echo "| $c | $(boot_cell "$c" kernel) | $(boot_cell "$c" smp) |" \
            "$(boot_cell "$c" first) | $(boot_cell "$c" wall) |"
    done
    echo
    echo "Per added CPU (growth of the medians from 1 CPU): kernel boot" \
        "$(ms "$k2") to 2 CPUs, $(ms "$k8") each to 8; first output" \
        "$(ms "$(per_cpu first 2)"), $(ms "$(per_cpu first 8)"); \`gorump run\`" \
        "to exit $(ms "$(per_cpu wall 2)"), $(ms "$(per_cpu wall 8)")."
    echo
    target "each added CPU adds at most $(ms "$BOOT_TARGET_US") of kernel boot" \
        "$(ms "$k2") (1 to 2), $(ms "$k8") each (1 to 8)" - \
        "$(awk -v a="$k2" -v b="$k8" -v t="$BOOT_TARGET_US" 'BEGIN { print (a <= t && b <= t) }')"
}

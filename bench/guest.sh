# bench/guest.sh — how bench/boot, bench/memory and bench/syscall-run boot
# the two guests they compare: gorump through its tool, and the Debian
# Linux baseline of bench/linux-guest.sh through QEMU directly, with the
# accelerator, CPU model, virtio-net device and user networking gorump
# uses.  Sourced after bench/lib.sh, not run; callers set $BENCH and make
# their scratch directory $tmp with guest_scratch.  bench/run uses the
# helpers at the end to report.
# shellcheck shell=bash disable=SC2154

GORUMP=${GORUMP:-build/gorump}
QEMU=qemu-system-x86_64

# guest_accel: what gorump picks (tool/qemu.c), so both guests get it.
guest_accel() {
    case ${GORUMP_ACCEL:-} in
    kvm | tcg) echo "$GORUMP_ACCEL" ;;
    *) if [ -e /sys/module/kvm_pvm ] || [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]
        then echo tcg; else echo kvm; fi ;;
    esac
}

# guest_scratch: makes $tmp, and removes it and stops any guest still
# running in the background when the script ends, on a signal too
# (bench/run's timeout sends TERM).
guest_scratch() {
    tmp=$(mktemp -d)
    trap guest_cleanup EXIT
    trap 'exit 143' TERM INT
}

guest_cleanup() {
    local j
    for j in $(jobs -p); do kill -TERM "$j" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$tmp"
}

# guest_timeout SECONDS CMD...: CMD, stopped after SECONDS.  --foreground
# keeps it in the caller's process group, where bench/run's timeout and
# Ctrl-C reach it.
guest_timeout() {
    local s=$1
    shift
    timeout --foreground -k 5 "$s" "$@"
}

# guest_setup: builds hello, reads the accelerator and the TSC rate
# gorump's kernel measures; the Linux guest is told that rate
# (tsc_early_khz=), as bench/http does: on microvm its own calibration
# against the PIT can hang under TCG on a busy host.
guest_setup() {
    [ -x "$GORUMP" ] || die "$GORUMP is missing: run make"
    ACCEL=$(guest_accel)
    mkdir -p build/bench
    go_build build/bench/hello ./examples/hello
    TSC_KHZ=$(GORUMP_ACCEL=$ACCEL GORUMP_KERNEL_ARGS=gorump.stats \
        guest_timeout 60 "$GORUMP" run --net none build/bench/hello 2>&1 >/dev/null |
        sed -n 's/.*gorump: stats: .*tsc-khz=\([0-9]*\).*/\1/p' | head -n1)
    [ -n "$TSC_KHZ" ] || die "gorump's kernel reported no tsc-khz stat"
}

# linux_prepare PROGRAM INITRD: the Linux guest for PROGRAM, its
# initramfs copied to INITRD (bench/linux-guest.sh rewrites one shared
# file) and its kernel to $tmp/vmlinuz.  Sets LINUX_MACHINE (the -M
# value), LINUX_WHY and LINUX_PACKAGE.
linux_prepare() {
    local kind value
    LINUX_MACHINE=
    while read -r kind value; do
        case $kind in
        kernel) cp "$value" "$tmp/vmlinuz" ;;
        initrd) cp "$value" "$2" ;;
        machine) LINUX_MACHINE=${value%% *} LINUX_WHY=$value ;;
        esac
    done < <(bench/linux-guest.sh "$1")
    [ -n "$LINUX_MACHINE" ] || die "bench/linux-guest.sh $1 failed"
    LINUX_PACKAGE=$(basename build/bench/linux/debs/linux-image-*.deb .deb)
}

# linux_add_dev INITRD: appends /dev/null and /dev/zero to INITRD, as a
# second cpio archive (the kernel unpacks concatenated archives in turn):
# the guest's /init mounts no devtmpfs, and gorump's kernel has both.
linux_add_dev() {
    local d bb=$PWD/build/bench/linux/busybox/bin/busybox
    d=$(mktemp -d "$tmp/dev.XXXXXX")
    mkdir "$d/dev"
    mknod -m 666 "$d/dev/null" c 1 3
    mknod -m 666 "$d/dev/zero" c 1 5
    (cd "$d" && find dev | "$bb" cpio -o -H newc 2>/dev/null) |
        gzip -1 >>"$1"
}

# linux_argv MEM_MIB INITRD [HOSTFWD [APPEND]]: sets LINUX_ARGV to the
# QEMU command that boots the Linux guest, its console on stdout.  The
# program's exit panics the kernel (it is init), and panic=-1 with
# -no-reboot ends QEMU.  reboot=t resets by triple fault at once: the
# default order (ACPI, then the keyboard controller microvm lacks) hung
# about one boot in ten under TCG.  HOSTFWD is a hostfwd= rule or empty;
# APPEND adds kernel parameters.  With LINUX_CPUS=N (default 1) above 1,
# the guest gets -smp N and, under TCG, thread=multi: one host thread per
# vCPU, as tool/qemu.c gives gorump's --cpus N.  LINUX_MTTCG=1 asks for
# thread=multi with one vCPU too.
linux_argv() {
    local cpu=max dev=virtio-net-device net=user,id=net0 accel=$ACCEL smp=()
    local global=(-global virtio-mmio.force-legacy=false)
    [ "$ACCEL" = tcg ] || cpu=host,-arch-capabilities
    if [ "${LINUX_CPUS:-1}" -gt 1 ]; then
        smp=(-smp "$LINUX_CPUS")
        [ "$ACCEL" != tcg ] || accel=tcg,thread=multi
    fi
    [ "${LINUX_MTTCG:-0}" = 0 ] || [ "$ACCEL" != tcg ] || accel=tcg,thread=multi
    if [[ $LINUX_MACHINE == q35* ]]; then
        dev=virtio-net-pci,romfile=
        global=()
    fi
    [ -z "${3:-}" ] || net+=",hostfwd=$3"
    LINUX_ARGV=("$QEMU" -M "$LINUX_MACHINE" -accel "$accel" -cpu "$cpu"
        -m "$1M" "${smp[@]}" -nodefaults -no-user-config -display none -no-reboot
        -kernel "$tmp/vmlinuz" -initrd "$2"
        -append "console=ttyS0 quiet panic=-1 reboot=t tsc_early_khz=$TSC_KHZ ${4:-}"
        -chardev "stdio,id=con,signal=off" -serial chardev:con
        "${global[@]}" -netdev "$net" -device "$dev,netdev=net0")
}

# linux_run SECONDS MEM_MIB INITRD [HOSTFWD [APPEND]]: boots the Linux
# guest of linux_argv in the foreground, for at most SECONDS.
linux_run() {
    local s=$1
    shift
    linux_argv "$@"
    guest_timeout "$s" "${LINUX_ARGV[@]}" </dev/null
}

# gorump_run SECONDS ARG...: `gorump run ARG...` with the stats on, for
# at most SECONDS.
gorump_run() {
    local s=$1
    shift
    GORUMP_ACCEL=$ACCEL GORUMP_KERNEL_ARGS=gorump.stats \
        guest_timeout "$((s + 5))" "$GORUMP" run --timeout "$s" "$@" </dev/null
}

# free_port: a random port nothing listens on at 127.0.0.1, below the
# range the host picks clients' ports from (32768 and up by default).
free_port() {
    local p i
    for ((i = 0; i < 50; i++)); do
        p=$((20000 + RANDOM % 12000))
        (: </dev/tcp/127.0.0.1/"$p") 2>/dev/null || { echo "$p"; return 0; }
    done
    die "no free port found"
}

# ratio A B: A/B to three significant digits and an x, or "-".
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a + 0 > 0 && b + 0 > 0) printf "%.3gx\n", a / b; else print "-" }'
}

# kib BYTES: "N KiB" (one decimal below 10).
kib() { awk -v b="$1" 'BEGIN { printf(b < 10240 ? "%.1f KiB" : "%.0f KiB", b / 1024) }'; }

# verdict OK: "met" or "**missed**".
verdict() { if [ "$1" = 1 ]; then echo "met"; else echo "**missed**"; fi; }

# target DESC RESULT RATIO OK [BASE]: the section's verdict on one target
# of the performance issue, RATIO (gorump ÷ BASE, by default the Linux
# guest's, or "-") included; with
# $BENCH_TARGETS naming a file, also a row of bench/run's summary there.
target() {
    local r="" base="the Linux guest's"
    [ -z "${5:-}" ] || base=$5
    [ "${3:--}" = - ] || r=", $3 $base"
    echo "Target: $1: $(verdict "$4") ($2$r)."
    [ -z "${BENCH_TARGETS:-}" ] ||
        echo "| $1 | $2 | ${3:--} | $(verdict "$4") |" >>"$BENCH_TARGETS"
}

# bench_header TITLE: the section's heading and what was measured on
# ($BENCH_VCPUS says how many vCPUs the guests had, 1 by default;
# $BENCH_CMD names the command when $BENCH names a section instead).
bench_header() {
    echo "### $1"
    echo
    echo "- command: \`${BENCH_CMD:-$BENCH}${args:+ $args}\`"
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- QEMU: $($QEMU --version | head -n1), accelerator $ACCEL, ${BENCH_VCPUS:-1 vCPU}"
    echo "- Go: $("$(go_newest)" env GOVERSION)"
    echo "- host: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo |
        head -n1), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
}

# linux_header [MORE...]: what the Linux guest is, and MORE about it.
linux_header() {
    echo "- Linux guest: $LINUX_PACKAGE, busybox initramfs whose /init loads" \
        "the virtio modules, configures eth0 and execs the program" \
        "(bench/linux-guest.sh); $LINUX_WHY${TSC_KHZ:+; \`tsc_early_khz=$TSC_KHZ\`}${*:+; $*}"
}

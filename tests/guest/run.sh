#!/usr/bin/env bash
# tests/guest/run.sh — the guest test suite: builds every tests/go program
# (and examples/) with each Go toolchain from scripts/go-versions.sh, runs
# them through `gorump run`, and checks exit status, stdout and stderr.
# Also checks the tool's own error handling.  `make check-guest` runs it.
#
#   GORUMP=build/gorump    the tool under test
#   GUEST_TIMEOUT=120      --timeout passed to every run, in seconds
#   JOBS=2                 cases run in parallel
#   GUEST_FILTER=REGEX     run only cases whose name matches (go1.23/hello)
#   GUEST_CPUS=N           every guest gets --cpus N unless its case says
#   GORUMP_NATIVE=1        run the programs on the host instead of through
#                          gorump (tool cases skipped): checks the tests
#
# Adding a case: write a Go program in tests/go/NAME that prints SUCCESS
# when all its checks pass, then register it below with `go_case NAME`.  If
# it needs options, arguments or other checks, give it a function `c_NAME`
# that calls `run [gorump options] PROGRAM [ARG...]` and then expect_*.
# Per-case output stays in build/_guest/CASE/{stdout,stderr,status}.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 2
GORUMP=${GORUMP:-build/gorump}
GUEST_TIMEOUT=${GUEST_TIMEOUT:-120}
JOBS=${JOBS:-2}
GUEST_FILTER=${GUEST_FILTER:-}
GUEST_CPUS=${GUEST_CPUS:-}
NATIVE=${GORUMP_NATIVE:-0}
# A leading underscore hides the scratch packages from `go build ./...`.
WORK=build/_guest
# Disks of big programs are cached here, not in the home directory.
export GORUMP_CACHE_DIR=${GORUMP_CACHE_DIR:-$PWD/build/disk-cache}

# --- the case table ----------------------------------------------------------
# go_case NAME [FUNCTION [ARG...]]: NAME runs with each toolchain as goV/NAME;
# FUNCTION defaults to c_NAME (dashes as underscores) if defined, else to
# running tests/go/NAME without arguments and expecting SUCCESS.
# tool_case NAME: tool/NAME runs c_NAME once, with the newest toolchain.
# dyn_case NAME [FUNCTION [ARG...]]: dyn/NAME, a dynamically linked program
# (C with glibc or musl, Go with cgo, Debian's own), compared with its
# native run.

register_cases() {
    go_case hello
    go_case hello-noenv
    go_case env-clear
    # The defaults are the tool's: natively the program gets what env -i
    # gives.
    if [ "$NATIVE" != 1 ]; then
        go_case env-default
        go_case env-override
    fi
    go_case example-hello
    [ "$NATIVE" = 1 ] || go_case example-hello-4m
    [ "$NATIVE" = 1 ] || go_case stats-boot
    go_case goroutines
    go_case gcchurn
    go_case timers
    go_case preempt
    go_case preempt-gomaxprocs1
    go_case panic
    local n
    for n in 0 1 3 42 127 200 255; do go_case "exit-$n" c_exit "$n"; done
    go_case nilderef
    go_case procs
    go_case procs-env
    go_case enosys
    go_case stdio
    # The same over the serial port alone (GORUMP_CONSOLE=serial).
    go_case stdio-serial
    go_case files
    go_case signals
    go_case spawn
    # Pipes, files and sockets shared between processes (tests/go/spawnshare).
    go_case spawnshare
    go_case timeout
    go_case hostile
    go_case fs
    go_case xattr
    go_case inotify
    go_case selectpoll
    go_case netloop
    go_case portshare
    go_case sockopts
    go_case routes
    go_case packtimes
    go_case udpcmsg
    go_case tcprecvq
    go_case sendmem
    [ "$NATIVE" = 1 ] || go_case sendreclaim
    go_case net-http
    go_case net-fetch
    go_case net-echo-1m c_net_echo $((1 << 20))
    go_case net-echo-16m c_net_echo $((16 << 20))
    go_case net-q35
    go_case net-udp
    go_case net-concurrent
    go_case net-exit-flush
    go_case net-send-pieces
    # The guest's own network configuration has no native counterpart.
    if [ "$NATIVE" != 1 ]; then
        go_case net-dns-user
        go_case net-dns-static
        go_case net-none
        go_case net-static
        go_case net-static-other
        go_case net-user-static
        go_case net-dhcp
    fi
    # Host directories shared over virtio-9p (-v), at the same path
    # natively and in the guest.
    go_case share-write
    go_case share-write-q35 c_share_write --machine q35
    go_case share-read
    go_case share-ro
    go_case share-cross
    go_case share-special
    # ext2 volumes (-v FILE), tests/guest/volume.sh.
    register_volume_cases
    go_case mmap
    go_case mmap-big
    # A packed file larger than the guest's memory, on the image's disk
    # (docs/FILESYSTEM.md); the 1 GiB run takes 40 s under TCG, so it is
    # `make check-bigfile`'s (BIGFILE_1G=1), not make check's.
    go_case bigfile c_bigfile $((512 << 20)) 128M 97
    [ "${BIGFILE_1G:-0}" != 1 ] || go_case bigfile-1g c_bigfile $((1 << 30)) 256M 97
    # The same over virtio-pci (q35), with a partial last page.
    go_case bigfile-q35 c_bigfile $((96 << 20 | 1000)) 64M 13 --machine q35
    # The disk failing one page: EIO and SIGBUS, with no native counterpart.
    [ "$NATIVE" = 1 ] || go_case bigfile-eio
    go_case execmap
    go_case exec-bigdata
    go_case tz-packed
    # Natively the host's own zone data is always there.
    [ "$NATIVE" = 1 ] || go_case tz-none
    go_case wallclock
    go_case q35
    # The CPUs a program sees agree (natively too); under gorump --cpus N
    # starts all N (tests/go/smp), on both machines, and a program's
    # output and exit status stay what they were.
    go_case smp
    # Threads run on all of them: CPU-bound work spreads over the CPUs,
    # wake-ups across CPUs are not lost, and a page-table change reaches
    # every CPU before munmap, mprotect or madvise returns.
    go_case smpwork
    go_case smpmm
    if [ "$NATIVE" != 1 ]; then
        for n in 2 4 16; do
            go_case "smp-$n" c_smp_cpus "$n" microvm
            go_case "smp-$n-q35" c_smp_cpus "$n" q35
        done
        go_case smp-exit c_smp_exit
        for n in 2 4; do
            go_case "smpwork-$n" c_smp_with "$n" smpwork "$n"
            go_case "smpmm-$n" c_smp_with "$n" smpmm 3
            go_case "preempt-cpus$n" c_smp_with "$n" preempt
        done
        # Every wait for the kernel lock halts (gorump.bkl-halt) until the
        # holder's release wakes it: a lost wake-up hangs the case.
        go_case smpwork-bklhalt c_smpwork_bklhalt
    fi
    # Exhausting guest memory natively would exhaust the host's.
    [ "$NATIVE" = 1 ] || go_case oom
    [ "$NATIVE" = 1 ] || go_case oom-sparse c_oom -sparse
    [ "$NATIVE" = 1 ] || go_case oom-child c_oom_child
    go_case overcommit
    # Fault injection (gorump.failslab/failpage) has no native counterpart.
    if [ "$NATIVE" != 1 ]; then
        for n in fs goroutines mmap netloop; do go_case "fail-$n" c_fail "$n"; done
        # 2% of pages failing ends a Go program before it reaches the
        # network; these reach it: kmalloc failing (seed 1 hung in a TCP
        # send before sends waited for memory), and lwIP's own
        # allocations failing.
        go_case fail-netloop-slab c_fail netloop gorump.failslab=3,1
        go_case fail-netloop-net c_fail netloop gorump.failnet=5,1
    fi

    # C programs (tests/cpu), run once: what a program can do to the CPU.
    local m
    for m in handler-noncanonical handler-kernel return-noncanonical \
        return-kernel return-rsp return-altstack; do
        cpu_case "sigframe-$m" c_sigframe "$m"
    done
    cpu_case flags
    # A signal to a thread spinning in user mode on another CPU is
    # delivered at once: the sender interrupts that CPU (an IPI).
    cpu_case sigipi c_cpus2
    # Three CPU-bound threads on two CPUs rotate over both run queues.
    cpu_case fairshare c_fairshare
    # sched_setaffinity moves another thread, running or queued; getcpu.
    cpu_case affinity c_cpus2
    # The vDSO's clocks agree with the system calls'.
    cpu_case vdso
    # AVX state across signals and switches; natively where the host has
    # AVX.
    if [ "$NATIVE" != 1 ] || grep -qw avx /proc/cpuinfo; then
        cpu_case xstate
        cpu_case xstate-smp c_cpu_default --cpus 2 xstate
        cpu_case xstate-altstack c_xstate_altstack
    fi
    # Natively only where the host CPU has UMIP.
    [ "$NATIVE" = 1 ] && ! grep -qw umip /proc/cpuinfo || cpu_case umip

    tool_case package-dir
    tool_case image-cache
    tool_case leave-early
    tool_case no-program
    tool_case missing-file
    tool_case not-elf
    tool_case dynamic
    tool_case elf32
    tool_case bad-package
    tool_case unknown-option
    tool_case unknown-command
    tool_case bad-memory
    tool_case bad-timeout
    tool_case bad-cpus
    tool_case kernel-panic
    tool_case kernel-panic-cpu1
    tool_case kernel-stack-overflow
    tool_case kernel-user-access
    tool_case kernel-bad-iret
    tool_case net-port-busy
    tool_case net-tap
    tool_case big-memory
    tool_case graceful-stop
    tool_case reload-signals
    tool_case stop-timeout
    tool_case httpd-stop
    tool_case httpd-8m
    tool_case stop-early
    tool_case console-slow-reader
    tool_case console-slow-reader-q35
    tool_case stdin-pass
    tool_case stdin-closed
    tool_case stop-stdin
    tool_case net-bad-publish
    tool_case net-fuzz
    tool_case net-synflood
    tool_case missing-lib
    tool_case bad-interp
    tool_case blk-selftest
    tool_case blk-selftest-q35-ro
    tool_case blk-ioerr
    tool_case blk-selftest-nvme
    tool_case blk-ioerr-nvme
    tool_case blk-selftest-scsi
    tool_case blk-selftest-scsi-q35-ro
    tool_case blk-ioerr-scsi
    tool_case disk-bus-bad
    tool_case bigfile-image
    tool_case bigfile-too-big
    tool_case gdb
    tool_case gdb-pie
    tool_case gdb-bad-addr
    tool_case gdb-port-busy
    tool_case share-bad
    tool_case share-exec
    tool_case volume-create
    tool_case ext2-selftest
    tool_case volume-check
    tool_case fc-hello
    tool_case fc-bigfile
    tool_case ch-hello
    tool_case vmm-bad
    tool_case disk-raw-bios
    tool_case disk-qcow2-uefi-nvme
    tool_case disk-scsi
    tool_case disk-containerdisk-bios
    tool_case disk-bad
    tool_case disk-big
    tool_case disk-containerdisk-bad

    dyn_case c-glibc c_c_dynlink gcc
    dyn_case c-musl c_c_dynlink musl-gcc
    dyn_case libdir-glibc c_libdir gcc
    dyn_case libdir-musl c_libdir musl-gcc
    dyn_case auxv-pie c_auxv gcc
    dyn_case auxv-nopie c_auxv gcc -no-pie
    dyn_case auxv-static-pie c_auxv gcc -static-pie
    dyn_case auxv-static c_auxv gcc -static
    dyn_case auxv-musl c_auxv musl-gcc
    dyn_case auxv-musl-static c_auxv musl-gcc -static
    dyn_case sharedpage c_sharedpage
    dyn_case spawn-glibc c_spawn_c gcc
    dyn_case spawn-musl c_spawn_c musl-gcc
    dyn_case spawn-static c_spawn_c gcc -static
    dyn_case fork-glibc c_fork_c gcc
    dyn_case fork-musl c_fork_c musl-gcc
    dyn_case fork-static c_fork_c gcc -static
    dyn_case fork-cpus2 c_fork_cpus2
    dyn_case fork-oom
    dyn_case mapsnames c_mapsnames gcc
    dyn_case mapsnames-musl c_mapsnames musl-gcc
    dyn_case debian-sort
    local v
    for v in "${VERSIONS[@]}"; do dyn_case "cgo-go$v" c_cgo "$v"; done
    dyn_case cgo-sqlite
    tool_case sysfuzz-matrix
    tool_case sysfuzz-random
    tool_case sysfuzz-random-date
    tool_case sysfuzz-seed-2
    tool_case sysfuzz-regress
    tool_case sysfuzz-signals

    register_real_cases
    register_bigprog_cases
}

# --- C programs (tests/cpu) ---------------------------------------------------

c_cpu_default() {
    B=build/cpu run "$@"
    expect_success
}

c_sigframe() {
    B=build/cpu run sigframe "$1"
    if [ "$1" = return-rsp ]; then
        expect_status 139 # no stack for the SIGSEGV frame: killed
    else
        expect_success
    fi
    reject_err 'kernel panic'
}

# Two CPUs whatever GUEST_CPUS says (the later --cpus wins).
c_cpus2() {
    B=build/cpu run --cpus 2 "$1"
    expect_success
    reject_err 'kernel panic'
}

# Two CPUs whatever GUEST_CPUS says; the threads' rotation is the CPUs
# taking threads from each other's queue (steals, in the stats).
c_fairshare() {
    if [ "$NATIVE" = 1 ]; then
        B=build/cpu run fairshare
    else
        GORUMP_KERNEL_ARGS="gorump gorump.stats" B=build/cpu run --cpus 2 fairshare
        expect_err '^gorump: stats: bkl-enters=.* steals=[1-9][0-9]*$'
    fi
    expect_success
    reject_err 'kernel panic'
}

c_xstate_altstack() {
    B=build/cpu run xstate altstack-overflow
    expect_status 139 # SIGSEGV, the nested frame not written
    expect_out 'XCR0'
    reject_out 'FAIL'
    reject_err 'kernel panic'
}

# --- cases run with every Go toolchain ---------------------------------------

# A tests/go program run without arguments, checking itself.
c_default() {
    run "$1"
    expect_success
}

c_hello() {
    run -e "GORUMP_TEST=a=b c" hello one "two words" "" "ünïcode"
    expect_success
    expect_out_line "argc: 5" "arg[1]=one" "arg[2]=two words" "arg[3]=" \
        "arg[4]=ünïcode" "GORUMP_TEST=a=b c"
}

c_hello_noenv() {
    run --env-clear hello
    expect_success
    expect_out_line "argc: 1" "GORUMP_TEST unset"
    reject_out '^arg\['
}

# A program starts with a container's environment.
c_env_default() {
    run environ
    expect_success
    expect_out_line "3 vars" HOME=/root HOSTNAME=gorump \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
}

# -e replaces a default or adds a variable; -e KEY copies ours.
c_env_override() {
    local -x GORUMP_FROM_HOST="host value"
    run -e HOME=/tmp -e PATH=/bin -e X=1 -e GORUMP_FROM_HOST environ
    expect_success
    expect_out_line "5 vars" HOME=/tmp PATH=/bin X=1 HOSTNAME=gorump \
        "GORUMP_FROM_HOST=host value"
}

# --env-clear: only the -e variables.
c_env_clear() {
    run --env-clear -e A=b environ
    expect_success
    expect_out_line "1 vars" A=b
}

c_example_hello() {
    run -e GREETING=hi examples/hello x
    expect_status 0
    expect_out_line "hello from gorump" 'args: ["x"]' 'GREETING="hi"'
}

# The image cache (docs/IMAGE.md, "The image cache"): the same program
# with the same image contents boots the image made before; a program
# rewritten in place (same inode and size), another argument, another
# environment variable or a packed file rewritten in place makes a new one,
# never the old one.
image_entries() { (cd "$1" 2>/dev/null && ls -- *.img 2>/dev/null); }

c_image_cache() {
    local c=$PWD/$dir/cache p=$PWD/$dir/prog h=$PWD/$dir/hello
    local f=$PWD/$dir/data e ino
    export GORUMP_CACHE_DIR=$c
    { cp "$B/selfhash" "$p" && printf AAAAAAAA >>"$p" &&
        cp "$B/examples/hello" "$h" && printf 'one\n' >"$f"; } ||
        fail "cannot make the inputs"
    sleep 2 # an input changed within the last 2 s keeps an image out
    run "$p" one
    expect_selfhash "$p" one
    e=$(image_entries "$c")
    [ "$(echo "$e" | wc -w)" = 1 ] || fail "want one image, have: $e"
    ino=$(stat -c %i "$c/$e")
    run -m 128M "$p" one # -m changes nothing in the image
    expect_selfhash "$p" one
    [ "$(image_entries "$c")" = "$e" ] && [ "$(stat -c %i "$c/$e")" = "$ino" ] ||
        fail "the second run did not boot the cached image"
    run "$p" two
    expect_selfhash "$p" two
    [ "$(image_entries "$c" | wc -l)" = 2 ] || fail "another argument, no image"
    # Rewritten in place with its mtime put back, and run at once: the new
    # bytes (the ctime tells).
    touch -r "$p" "$dir/stamp"
    printf BBBBBBBB | dd of="$p" bs=1 seek=$(($(stat -c %s "$p") - 8)) \
        conv=notrunc 2>/dev/null && touch -r "$dir/stamp" "$p" ||
        fail "cannot rewrite $p"
    run "$p" two
    expect_selfhash "$p" two
    run -e GREETING=a "$h"
    expect_out_line 'GREETING="a"'
    run -e GREETING=b "$h"
    expect_out_line 'GREETING="b"'
    # Twice: the first read moves the file's atime, which the image holds.
    run --file "$f:/data" /bin/cat /data
    run --file "$f:/data" /bin/cat /data
    expect_status 0
    expect_out_line one
    touch -r "$f" "$dir/stamp"
    printf 'two\n' >"$f" && touch -r "$dir/stamp" "$f" # inode, size, mtime
    run --file "$f:/data" /bin/cat /data
    expect_status 0
    expect_out_line two
    reject_out '^one$'
    sleep 2 # for the program rewritten above to be cached
    cache_evict_off "$c" image_entries img "$p" three four
    unset GORUMP_CACHE_DIR
}

# Once the exit record is in, gorump returns without waiting for QEMU's
# own teardown (tool/supervise.h), unless QEMU holds something a next run
# may want at once: a forwarded host port here.  The stand-in QEMU stays
# up for a second after the real one exits (gorump waits 2 s at most)
# unless the test releases it.
c_leave_early() {
    local q=$PWD/$dir/qemu m=$PWD/$dir/released d=$PWD/$dir/done
    printf '#!/bin/sh\nqemu-system-x86_64 "$@"; st=$?\nfor i in $(seq 10); do [ -e %s ] && break; sleep 0.1; done\n: >%s; exit $st\n' \
        "$m" "$d" >"$q" && chmod +x "$q" || fail "cannot make $q"
    GORUMP_QEMU=$q run examples/hello x
    expect_status 0
    expect_out_line 'args: ["x"]'
    [ ! -e "$d" ] || fail "gorump waited for QEMU's exit"
    : >"$m"
    rm -f "$m" "$d"
    GORUMP_QEMU=$q run -p "$(free_port):80" examples/hello y
    expect_status 0
    expect_out_line 'args: ["y"]'
    [ -e "$d" ] || fail "with a forwarded port, gorump did not wait for QEMU"
}

# gorump.stats times the boot's steps, from the kernel's first instruction
# to exec, then the program's run to its exit (docs/PERFORMANCE.md).
c_stats_boot() {
    GORUMP_KERNEL_ARGS="gorump gorump.stats" run examples/hello
    expect_status 0
    expect_err '^gorump: stats: boot-us early=[0-9]+ memory=[0-9]+ clock=[0-9]+ .* exec=[0-9]+ program=[0-9]+$'
    # With two CPUs, the lock's counts: every kernel entry takes it.
    GORUMP_KERNEL_ARGS="gorump gorump.stats" run --cpus 2 examples/hello
    expect_status 0
    expect_err '^gorump: stats: bkl-enters=[1-9][0-9]* bkl-contended=[0-9]+ bkl-spins=[0-9]+ bkl-halts=[0-9]+ tlb-flushes=[0-9]+ shootdowns=[0-9]+ shot-cpus=[0-9]+ resched-ipis=[0-9]+ steals=[0-9]+$'
}

# hello in 4 MiB of RAM: its 2 MB go on the image's disk, as more than an
# eighth of the RAM (docs/IMAGE.md, "A program on the disk").
c_example_hello_4m() {
    run -m 4M -e GREETING=hi examples/hello x
    expect_status 0
    expect_out_line "hello from gorump" 'args: ["x"]' 'GREETING="hi"'
}

c_gcchurn() {
    run -m 128M gcchurn
    expect_success
    expect_out '^allocated 1[0-9]{3} MiB'
}

# Child processes (tests/go/spawn), then nothing left of them at the end:
# every child reaped, so only the program's own process remains.
c_spawn() {
    if [ "$NATIVE" = 1 ]; then
        run spawn
    else
        GORUMP_KERNEL_ARGS="gorump gorump.stats" run spawn
        expect_err '^gorump: stats: .* threads=[0-9]+ processes=1 '
    fi
    expect_status 0
    expect_out_line "SUCCESS"
}

c_procs_env() {
    run -e GOMAXPROCS=3 procs
    expect_success
    expect_out_line "GOMAXPROCS: 3"
}

c_preempt_gomaxprocs1() {
    run -e GOMAXPROCS=1 preempt
    expect_success
    expect_out '^default: GOMAXPROCS=1,'
}

c_panic() {
    run panic
    expect_status 2
    expect_err '^panic: boom' '^goroutine 1 \[running\]'
    expect_out_exact <<<"before panic"
}

c_exit() {
    run exit "$1"
    expect_status "$1"
    expect_out_line "exiting with $1"
}

c_enosys() {
    run enosys
    expect_success
    expect_out_line continued
    # The kernel names an unimplemented syscall once, on stderr.
    [ "$NATIVE" = 1 ] ||
        expect_err_count 1 'unimplemented syscall 183 \(afs_syscall\)'
}

c_stdio() {
    local i
    run stdio
    expect_status 0
    {
        printf 'out %d\n' 1 2 3
        printf 'dle[\020]out\n'
        for i in $(seq 0 255); do
            # shellcheck disable=SC2059 # the format is the octal escape
            printf "\\$(printf %03o "$i")"
        done
        printf '\n'
        # shellcheck disable=SC2046 # one argument per number
        printf 'bulk %05d\n' $(seq 1 4000)
        printf 'out end\nSUCCESS\n'
    } | expect_out_exact
    expect_err_line "err 1" "err 2" "err 3" "err end" "$(printf 'dle[\020]err')"
    reject_err '^out ' '^bulk' SUCCESS
}

c_stdio_serial() {
    local -x GORUMP_CONSOLE=serial
    c_stdio
    unset GORUMP_CONSOLE
    [ "$NATIVE" = 1 ] || {
        GORUMP_CONSOLE=bogus run hello
        expect_tool_error "GORUMP_CONSOLE=bogus: want virtio or serial"
    }
}

c_fs() {
    # Filling the file system natively would fill the host's /tmp.
    if [ "$NATIVE" = 1 ]; then run fs; else run -m 128M fs -enospc; fi
    expect_success
    [ "$NATIVE" = 1 ] || expect_out '^ENOSPC after [0-9]+ MiB, data intact: ok'
}

# A --dir tree and a --file whose mtimes and atimes differ (directories'
# set after their contents), at the same paths natively and in the guest.
c_packtimes() {
    local t=$PWD/$dir/tree f=$PWD/$dir/single.txt args=() spec p m a
    rm -rf "$t" && mkdir -p "$t/sub" || return
    echo alpha >"$t/a.txt" && echo bravo >"$t/sub/b" && echo one >"$f"
    ln -s a.txt "$t/l"
    for spec in "$t/a.txt 1600000000.123456789 1500000000.000000005" \
        "$t/l 1400000000.999999999 1400000001.000000001" \
        "$t/sub/b 1300000000.500000000 1650000000.250000000" \
        "$t/sub 1200000000.000000042 1210000000.000000043" \
        "$t 1100000000.111111111 1110000000.222222222" \
        "$f 1000000000.333333333 1700000000.444444444"; do
        read -r p m a <<<"$spec"
        touch -h -m -d "@$m" "$p" && touch -h -a -d "@$a" "$p" || return
        args+=("$p=$m,$a")
    done
    run --dir "$t:$t" --file "$f:$f" packtimes "$t" "${args[@]}"
    expect_success
}

# share_dir: a new empty directory $share for a share case.
share_dir() {
    share=$PWD/$dir/share
    rm -rf "$share" && mkdir -p "$share"
}

# tests/go/share write, then the host looks at what the guest left.
c_share_write() {
    local share
    share_dir || return
    run "$@" -v "$share:$share" share write "$share"
    expect_success
    python3 - "$share" >>"$dir/fail" <<'PY'
import os, sys
d = sys.argv[1]
def pattern(n, seed):
    return bytes(((i * 7 + i // 4096) & 255) ^ seed for i in range(n))
def read(p):
    with open(os.path.join(d, p), "rb") as f:
        return f.read()
def want(ok, what):
    if not ok:
        print("host: " + what)
st = lambda p: os.lstat(os.path.join(d, p))
want(read("big") == pattern((1 << 20) + 123, 1)[:5000], "big is not its first 5000 bytes")
want(read("d1/f1moved") == pattern(100 << 10, 2), "d1/f1moved differs from f1")
want(st("d1/f1moved").st_mode & 0o7777 == 0o600, "d1/f1moved is not 0600")
want(st("hard").st_ino == st("d1/f1moved").st_ino and st("hard").st_nlink == 2,
     "hard is not a second link of d1/f1moved")
want(os.readlink(os.path.join(d, "lnk")) == "f1", "lnk does not point at f1")
want(read("d3/inner.txt") == b"inner\n", "d3/inner.txt")
want(st("d3/inner.txt").st_mode & 0o777 == 0o600, "d3/inner.txt is not 0600")
want(read("app") == b"ab" + bytes(8), "app is not ab and 8 zeros")
want(st("app").st_mtime_ns == 1600000000123456789, "app's mtime")
want(st("sparse").st_size == (3 << 20) + 5 and read("sparse")[-5:] == b"tail!", "sparse")
want(read("y") == b"xx", "y does not hold x's bytes")
shm = read("shm")
want(len(shm) == 8192 and shm[100:107] == b"written" and
     shm[4000:4026] == b"stored through the mapping", "shm lacks the mapped store")
want(sorted(os.listdir(d)) == "app big d1 d3 hard lnk many shm sparse y".split(),
     "listing %s" % sorted(os.listdir(d)))
want(os.listdir(os.path.join(d, "many")) == [], "many is not empty")
PY
}

# tests/go/share read: files the host made, with their sizes, modes, times
# and contents in MANIFEST.
c_share_read() {
    local share
    share_dir || return
    python3 - "$share" <<'PY' || fail "cannot make the files"
import hashlib, os, sys
d = sys.argv[1]
os.makedirs(os.path.join(d, "sub/b"))
files = {"plain": (b"plain text\n", 0o640), "exec": (b"#!/bin/sh\n", 0o755),
         "empty": (b"", 0o600), "sub/a": (b"a", 0o444),
         "big": (bytes((i * 13) & 255 for i in range(3 << 20)), 0o644)}
for name, (data, mode) in files.items():
    p = os.path.join(d, name)
    with open(p, "wb") as f:
        f.write(data)
    os.chmod(p, mode)
os.symlink("plain", os.path.join(d, "link"))
os.chmod(os.path.join(d, "sub/b"), 0o700)
lines = []
for i, name in enumerate(list(files) + ["link", "sub/b", "sub"]):
    p = os.path.join(d, name)
    t = 1500000000 * 10**9 + i * 10**9 + 123456789 + i
    os.utime(p, ns=(t, t), follow_symlinks=False)
    st = os.lstat(p)
    if name == "link":
        extra = "plain"
    elif name in files:
        extra = hashlib.sha256(files[name][0]).hexdigest()
    else:
        extra = "-"
    lines.append("%s %d %o %d %s" % (name, st.st_size, st.st_mode, st.st_mtime_ns, extra))
with open(os.path.join(d, "MANIFEST"), "w") as f:
    f.write("\n".join(lines) + "\n")
PY
    run -v "$share:$share" share read "$share"
    expect_success
}

# tests/go/share ro on a read-only share; natively a read-only bind mount
# in a mount namespace of its own.
c_share_ro() {
    local share
    share_dir || return
    echo hello >"$share/f" && mkdir "$share/d" && ln -s f "$share/l"
    if [ "$NATIVE" = 1 ]; then
        capture unshare --mount sh -c 'mount --bind "$1" "$1" &&
            mount -o remount,bind,ro "$1" && exec "$2" ro "$1"' sh \
            "$share" "$PWD/$B/share"
    else
        run -v "$share:$share:ro" share ro "$share"
    fi
    expect_success
    [ "$(ls "$share")" = "$(printf 'd\nf\nl')" ] && [ "$(cat "$share/f")" = hello ] ||
        fail "host: the read-only share changed"
}

c_share_cross() {
    local share
    share_dir || return
    echo f >"$share/f"
    if [ "$NATIVE" = 1 ]; then
        run share cross "$share"
    else
        run -v "$share:$share" share cross "$share" guest
    fi
    expect_success
}

# tests/go/share special: FIFOs and sockets on a share (in the guest
# those the server will not make are regular files on the host that the
# guest shows as special; natively real ones); the host finds the two
# left behind.
c_share_special() {
    local share
    share_dir || return
    run -v "$share:$share" share special "$share"
    expect_success
    python3 - "$share" "$NATIVE" >>"$dir/fail" <<'PY'
import os, stat, sys
d, native = sys.argv[1], sys.argv[2] == "1"
names = sorted(os.listdir(d))
if names != ["leftfifo", "leftsock"]:
    print("host: listing %s" % names)
for n, real in (("leftfifo", stat.S_ISFIFO), ("leftsock", stat.S_ISSOCK)):
    st = os.lstat(os.path.join(d, n))
    ok = real(st.st_mode) or (not native and stat.S_ISREG(st.st_mode) and st.st_size == 0)
    if not ok:
        print("host: %s has mode %o" % (n, st.st_mode))
PY
}

# -v's mistakes: each refused with a message and status 125.
c_share_bad() {
    local d=$PWD/$dir i many=()
    mkdir -p "$d/ok" && echo x >"$d/file"
    run_tool run -v "$d/nope:/mnt" "$B/hello"
    expect_tool_error "nope: No such file"
    run_tool run -v "$d/ok:mnt" "$B/hello"
    expect_tool_error "'mnt'"
    run_tool run -v "$d/ok:/a" -v "$d/ok:/a/" "$B/hello"
    expect_tool_error "/a is already mounted"
    run_tool run -v "$d/ok:/proc/x" "$B/hello"
    expect_tool_error "cannot be in /proc or /dev"
    run_tool run -v "$d/ok:/dev" "$B/hello"
    expect_tool_error "cannot be in /proc or /dev"
    run_tool run -v "$d/ok:/" "$B/hello"
    expect_tool_error "cannot be /"
    run_tool run -v "$d/ok" "$B/hello"
    expect_tool_error "want -v HOSTDIR:GUESTPATH"
    for i in 1 2 3 4 5 6 7 8 9; do many+=(-v "$d/ok:/m$i"); done
    run_tool run "${many[@]}" "$B/hello"
    expect_tool_error "too many shares"
    run_tool run -v "$d/file:/data" "$B/hello"
    expect_tool_error "file:/data: .*file: not an ext2 file system"
    # The kernel's side: a share whose device is not there stops the guest.
    GORUMP_KERNEL_ARGS="gorump gorump.share=nosuch:/data" run_tool run \
        --net none "$B/hello"
    expect_status 125
    expect_err "gorump.share=nosuch:/data: cannot mount it .*no 9p device"
    reject_out SUCCESS
}

# gorump exec shares the module read-only at its own path: a test binary
# run in its package directory reads ../testdata, and cannot write there.
c_share_exec() {
    local m=$PWD/$dir/mod
    rm -rf "$m" && mkdir -p "$m/pkg" "$m/testdata" || return
    printf 'module example.com/m\n\ngo 1.19\n' >"$m/go.mod"
    echo data >"$m/testdata/x.txt"
    cat >"$m/pkg/p_test.go" <<'GO'
package pkg

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestTestdata(t *testing.T) {
	b, err := os.ReadFile("../testdata/x.txt")
	if err != nil || string(b) != "data\n" {
		t.Fatalf("../testdata/x.txt: %q %v", b, err)
	}
	wd, _ := os.Getwd()
	if filepath.Base(wd) != "pkg" || wd != os.Getenv("PWD") {
		t.Fatalf("cwd %s, PWD %s", wd, os.Getenv("PWD"))
	}
	err = os.WriteFile("../testdata/y", nil, 0644)
	if !errors.Is(err, syscall.EROFS) {
		t.Fatalf("writing the module: %v, want EROFS", err)
	}
	// TMPDIR inside the module: the host's, writable.
	d := t.TempDir()
	if err := os.WriteFile(filepath.Join(d, "t"), []byte("t"), 0644); err != nil {
		t.Fatalf("writing in TMPDIR %s: %v", d, err)
	}
	if err := os.WriteFile(filepath.Join(os.TempDir(), "kept"), nil, 0644); err != nil {
		t.Fatalf("writing in TMPDIR: %v", err)
	}
}
GO
    (cd "$m" && env -u GOROOT CGO_ENABLED=0 GOTOOLCHAIN=local GOPROXY=off \
        "${GO_OF[${VERSIONS[-1]}]}" test -c -o "$m/p.test" ./pkg) \
        2>"$dir/build.log" || { fail "go test -c: $(head -c 300 "$dir/build.log")"; return; }
    mkdir -p "$m/tmp"
    capture env -C "$m/pkg" TMPDIR="$m/tmp" "$PWD/$GORUMP" exec \
        --timeout "$GUEST_TIMEOUT" "$m/p.test" -test.v
    expect_status 0
    expect_out '^--- PASS: TestTestdata'
    [ ! -e "$m/testdata/y" ] || fail "the test wrote into the module"
    [ -e "$m/tmp/kept" ] || fail "the test's file in TMPDIR is not on the host"
}

# Packed files of pattern bytes (tests/go/mmap's pattern), at the same
# path natively and in the guest; the last page partial: one of 5 pages,
# one of 20 for the fault-around window's checks, packed before the other
# so that image bytes follow its last page.
c_mmap() {
    local f=$PWD/$dir/packed.bin g=$PWD/$dir/around.bin n
    for n in 5 20; do
        python3 -c 'import sys; n = int(sys.argv[1]) * 4096 + 123
sys.stdout.buffer.write(bytes((i * 7 + i // 4096) & 255 for i in range(n)))' \
            "$n" >"$([ "$n" = 5 ] && echo "$f" || echo "$g")"
    done
    run --file "$g:$g" --file "$f:$f" mmap "$f" "$g"
    expect_success
}

# A program embedding 24 MiB as a []byte (writable data, which exec maps
# copy-on-write from the image): every 8-byte word holds its own index, so
# a page mapped from the wrong place, or zeros, shows; a write to it is
# the program's own; /proc/self/maps names the program for it.  Built here
# with the case's toolchain, since the data is made here.
c_exec_bigdata() {
    local src=$PWD/$dir/src go=${GO_OF[${B#build/go}]}
    mkdir -p "$src"
    perl -e 'print pack("Q<*", 0 .. (3 << 20) - 1)' >"$src/blob.bin"
    printf 'module bigdata\n\ngo 1.19\n' >"$src/go.mod"
    cat >"$src/main.go" <<'EOF2'
package main

import (
	_ "embed"
	"encoding/binary"
	"fmt"
	"os"
	"strings"
	"unsafe"
)

//go:embed blob.bin
var blob []byte

func main() {
	bad := 0
	for i := 0; i+8 <= len(blob); i += 8 {
		if binary.LittleEndian.Uint64(blob[i:]) != uint64(i/8) {
			bad++
		}
	}
	blob[len(blob)/2] ^= 0xff
	blob[len(blob)/2] ^= 0xff
	exe, _ := os.Readlink("/proc/self/exe")
	maps, _ := os.ReadFile("/proc/self/maps")
	named := false
	p := uint64(uintptr(unsafe.Pointer(&blob[len(blob)/2])))
	for _, l := range strings.Split(string(maps), "\n") {
		var lo, hi uint64
		if _, err := fmt.Sscanf(l, "%x-%x", &lo, &hi); err == nil &&
			lo <= p && p < hi {
			named = strings.HasSuffix(l, " "+exe)
		}
	}
	fmt.Printf("%d MiB, %d bad words, mapping named: %v\n", len(blob)>>20, bad, named)
	if bad == 0 && len(blob) == 24<<20 && named {
		fmt.Println("SUCCESS")
	}
}
EOF2
    (cd "$src" && env -u GOROOT CGO_ENABLED=0 GOTOOLCHAIN=local GOPROXY=off \
        "$go" build -o ../bigdata .) 2>"$dir/build.log" ||
        { fail "go build: $(head -c 300 "$dir/build.log")"; return; }
    rm -f "$src/blob.bin"
    run "$PWD/$dir/bigdata"
    expect_success
    expect_out_line "24 MiB, 0 bad words, mapping named: true"
    rm -f "$PWD/$dir/bigdata"
}

# 48 MiB mapped in a 128 MiB guest: the image holds it already; a copy
# would not fit in what the file system may use (half the RAM).
c_mmap_big() {
    local f=$PWD/$dir/big.bin
    head -c $((48 << 20)) /dev/urandom >"$f"
    run -m 128M --file "$f:$f" mmap -big "$f" "$(sha256sum <"$f" | cut -c1-64)"
    expect_success
    expect_out_line "mapped 48 MiB"
    rm -f "$f"
}

c_tz_packed() {
    local zone=/usr/share/zoneinfo/Europe/Paris
    run --file "$zone:$zone" -e TZ=Europe/Paris tz packed
    expect_success
}

c_tz_none() {
    run tz none
    expect_success
}

c_netloop() {
    run -m 256M netloop
    expect_success
}

# With gorump.failnet on the command line, /proc/gorump/failnet lets the
# program make the network run out of memory when it chooses (natively
# the memory cases are skipped).
c_sendmem() {
    GORUMP_KERNEL_ARGS="gorump gorump.failnet=0" run sendmem
    expect_success
}

# A TCP send while the free memory is all in the page cache (a 24 MiB
# file on the image's disk read first, then memory touched until it is
# gone): the send, copied inside lwIP with reclaim paused, has the cache
# give pages back and goes on instead of waiting for memory (net/tcp.c).
# Without that the 4 MiB did not arrive in 80 s: a page per wait.
c_sendreclaim() {
    local f=$PWD/$dir/cache.bin
    head -c $((24 << 20)) /dev/urandom >"$f" || fail "cannot make $f"
    run -m 48M --net none --file "$f:$f" sendreclaim "$f" $((4 << 20))
    expect_success
    rm -f "$f"
}

c_wallclock() {
    local start=$EPOCHREALTIME
    run wallclock
    expect_success
    # Only a lower bound: a slow host may take longer, never less.
    awk -v s="$start" -v e="$EPOCHREALTIME" 'BEGIN { exit !(e - s >= 1.45) }' ||
        fail "guest slept 1.5 s in less host time: its clock runs fast"
}

c_q35() {
    run --machine q35 signals
    expect_success
}

# c_smp_cpus N MACHINE: N CPUs, all started and online (tests/go/smp).
# On q35 this is also the test that the APs start only after the PCI
# devices are configured: before, QEMU 7.2 crashed in 6 of 55 boots
# with 16 vCPUs (docs/ARCHITECTURE.md, "When the APs start").
c_smp_cpus() {
    run --cpus "$1" --machine "$2" smp "$1"
    expect_success
    expect_out_line "online $1 present $1 possible $1 cpuinfo $1 NumCPU $1 GOMAXPROCS $1"
    reject_err 'did not start'
}

# c_smp_with N PROGRAM [ARG...]: PROGRAM with N CPUs.
c_smp_with() {
    local n=$1
    shift
    run --cpus "$n" "$@"
    expect_success
    reject_err 'kernel panic'
}

c_smpwork_bklhalt() {
    GORUMP_KERNEL_ARGS="gorump gorump.stats gorump.bkl-halt" \
        run --cpus 4 smpwork 4
    expect_success
    expect_err '^gorump: stats: bkl-enters=.* bkl-halts=[1-9][0-9]* '
    reject_err 'kernel panic'
}

c_smp_exit() {
    run --cpus 4 exit 42
    expect_status 42
    expect_out_line "exiting with 42"
}

c_oom() {
    run -m 64M oom "$@"
    expect_status 137
    expect_out_line "128 TiB mmap: ENOMEM"
    expect_out_line "1 TiB mmap: mapped"
    expect_err 'out of memory: no free page for address'
    reject_err 'kernel panic'
}

# A child that runs the guest out of memory is killed, twice in a row, and
# its parent's Wait sees SIGKILL; the parent goes on and allocates again.
c_oom_child() {
    run -m 64M oom -child
    expect_success
    expect_out_line "child 0: signal: killed"
    expect_out_line "child 1: signal: killed"
    expect_out_line "SUCCESS"
    expect_err 'out of memory: no free page for address .* process [0-9]+ \(oom\) killed'
    reject_err 'kernel panic'
}

# Far more memory mapped than the guest has, a few pages used: 16 MiB of
# RAM (natively, the host's).
c_overcommit() {
    run -m 16M overcommit
    expect_success
}

# c_fail PROGRAM [KNOBS]: PROGRAM run with 3% of kmalloc and 2% of page
# allocations failing, or with the fault-injection words KNOBS (seeds
# fixed, so a failure can be repeated): it may fail (1), die of ENOMEM in
# the Go runtime (2) or be OOM-killed (137), but the kernel must not
# panic (123) or hang (124), and must reach its exit report.
c_fail() {
    local knobs=${2:-"gorump.failslab=3,7 gorump.failpage=2,11"} st mem=()
    [ "$1" = netloop ] && mem=(-m 256M) # as c_netloop
    GORUMP_KERNEL_ARGS="gorump gorump.stats $knobs" run "${mem[@]}" "$1"
    st=$(cat "$dir/status" 2>/dev/null)
    case $st in 0 | 1 | 2 | 137) ;; *) fail "status $st" ;; esac
    expect_err '^gorump: fault injection: [35]% fail' \
        '^gorump: stats: free-pages=.* injected-failures=[1-9]'
    reject_err 'kernel panic' '^FAIL: LOST'
}

# --timeout stops a program that would sleep an hour: 5 s, so that a boot
# slowed by a loaded host still prints "sleeping" first (1 s was flaky).
c_timeout() {
    run --timeout 5 sleep
    expect_status 124
    expect_out_line sleeping
}

# --- network cases -------------------------------------------------------------
# A guest server runs in the background while the host side talks to it:
# curl, or tests/go/nethost (built with the rest, run on the host).  Ports
# are random free ones, so cases run in parallel, and the guest port has
# the host port's number, so the same cases run natively.  Everything is
# bounded: the guest by --timeout, nethost by its own deadline and
# `timeout`.

# start_guest ARG...: `run ARG...` in the background, as $guest.
start_guest() {
    run "$@" &
    guest=$!
}

# await_out REGEX [FILE]: 0 once a line of the guest's stdout (or FILE)
# matches REGEX, 1 (and the case fails) if the guest ended first or 60 s
# passed.  await_err: the same for its stderr.
await_out() {
    local i file=${2:-$dir/stdout}
    for ((i = 0; i < 600; i++)); do
        grep -Eq -- "$1" "$file" 2>/dev/null && return 0
        kill -0 "$guest" 2>/dev/null || break
        sleep 0.1
    done
    fail "the guest never printed a line matching /$1/ (${file##*/})"
    return 1
}
await_err() { await_out "$1" "$dir/stderr"; }

# await_listening: await_out for the servers' "listening on" line.
await_listening() { await_out '^listening on'; }

# nethost CMD ARG...: runs $B/nethost on the host, output in $dir/host.
nethost() {
    timeout -k 5 120 "$B/nethost" "$@" >>"$dir/host" 2>&1 ||
        fail "nethost $1 failed: $(tail -n 2 "$dir/host" | tr '\n' ' ')"
}

# free_port: prints a free port of the host's 127.0.0.1, or fails the case.
free_port() {
    "$B/nethost" free-port 2>>"$dir/host" || fail "no free host port"
}

# served_port: the port `nethost serve` printed into $dir/port, waiting
# for it up to 10 s; fails the case if none came.
served_port() {
    local i port
    for ((i = 0; i < 100; i++)); do
        port=$(head -n1 "$dir/port" 2>/dev/null)
        [ -z "$port" ] || { echo "$port"; return 0; }
        sleep 0.1
    done
    fail "the host's HTTP server did not start"
    return 1
}

# The guest's own address for the host's 127.0.0.1 (QEMU user networking).
host_from_guest() { if [ "$NATIVE" = 1 ]; then echo 127.0.0.1; else echo 10.0.2.2; fi; }

c_net_http() {
    local port url
    port=$(free_port) || return
    url=http://127.0.0.1:$port
    start_guest -p "$port:$port" httpserve "$port"
    if await_listening; then
        curl -fsS -m 60 -o "$dir/hello" "$url/hello" 2>>"$dir/host" ||
            fail "curl $url/hello failed"
        echo "hello from the guest" | cmp -s - "$dir/hello" ||
            fail "/hello answered '$(head -c 80 "$dir/hello" | printable)'"
        curl -fsS -m 60 -o "$dir/big" "$url/big" 2>>"$dir/host" ||
            fail "curl $url/big failed"
        "$B/nethost" pattern $((1 << 20)) | cmp -s - "$dir/big" ||
            fail "/big differs from the pattern ($(wc -c <"$dir/big") bytes)"
        # The answer may be cut off as the guest stops (c_net_exit_flush).
        curl -sS -m 60 -o /dev/null "$url/quit" 2>>"$dir/host"
    fi
    wait "$guest"
    expect_success
}

# fetch_from_host [GORUMP OPTION]...: the guest fetches a file from an
# HTTP server on the host's 127.0.0.1 and checks its bytes.
fetch_from_host() {
    local server port sum size=300000
    mkdir -p "$dir/www"
    head -c "$size" /dev/urandom >"$dir/www/file"
    sum=$(sha256sum "$dir/www/file" | cut -d' ' -f1)
    "$B/nethost" serve "$dir/www" $((GUEST_TIMEOUT + 30)) >"$dir/port" \
        2>>"$dir/host" &
    server=$!
    if port=$(served_port); then
        run "$@" httpfetch "http://$(host_from_guest):$port/file" "$size" "$sum"
    fi
    kill "$server" 2>/dev/null
    wait "$server"
    expect_success
}

c_net_fetch() { fetch_from_host; }

c_net_echo() {
    local port
    port=$(free_port) || return
    start_guest -p "$port:$port" tcpecho "$port" 1
    ! await_listening || nethost echo "127.0.0.1:$port" "$1"
    wait "$guest"
    expect_success
    expect_out_line "echoed 1 connections, $1 bytes"
}

# The same over virtio-net on PCI with MSI-X (q35), not virtio-mmio.
c_net_q35() {
    local port
    port=$(free_port) || return
    start_guest --machine q35 -p "$port:$port" tcpecho "$port" 1
    ! await_listening || nethost echo "127.0.0.1:$port" $((1 << 20))
    wait "$guest"
    expect_success
    expect_out_line "echoed 1 connections, $((1 << 20)) bytes"
}

c_net_udp() {
    local port
    port=$(free_port) || return
    start_guest -p "$port:$port/udp" udpecho "$port"
    ! await_listening || nethost udp "127.0.0.1:$port"
    wait "$guest"
    expect_success
}

c_net_concurrent() {
    local port
    port=$(free_port) || return
    start_guest -p "$port:$port" tcpecho "$port" 200
    ! await_listening || nethost concurrent "127.0.0.1:$port" 200
    wait "$guest"
    expect_success
    # nethost sends "conn I;" 100 times on connection I, 0 to 199.
    expect_out_line "echoed 200 connections, $(((10 * 7 + 90 * 8 + 100 * 9) * 100)) bytes"
}

# What a program wrote before it exited reaches the peer, as on Linux.
c_net_exit_flush() {
    local port size=$((256 << 10))
    port=$(free_port) || return
    start_guest -p "$port:$port" tcpsend "$port" "$size"
    ! await_listening || nethost recv "127.0.0.1:$port" "$size"
    wait "$guest"
    expect_success
}

# Small odd writes at odd offsets, joined into segments whose checksums
# the kernel sums as it copies them from the program (net/tcp.c): QEMU's
# user networking checks every TCP checksum and drops a wrong one.
c_net_send_pieces() {
    local port size=$((256 << 10))
    port=$(free_port) || return
    start_guest -p "$port:$port" tcpsend "$port" "$size" pieces
    ! await_listening || nethost recv "127.0.0.1:$port" "$size"
    wait "$guest"
    expect_success
}

c_net_dns_user() {
    run resolv 10.0.2.3
    expect_success
}

c_net_dns_static() {
    run --dns 192.0.2.53 resolv 192.0.2.53
    expect_success
}

# No device: only loopback, and no DHCP wait (it would take 5 s).
# No DHCP wait either: that wait ends by printing "gorump: net: no DHCP
# answer", which reject_err sees (a check by behaviour, not by the clock,
# which a loaded host stretches past any bound).
c_net_none() {
    GORUMP_KERNEL_ARGS="gorump gorump.verbose" run --net none netnone
    expect_success
    reject_err 'gorump: net:' 'DHCP'
}

c_net_static() {
    GORUMP_KERNEL_ARGS="gorump gorump.verbose" fetch_from_host \
        --ip 10.0.2.15/24 --gateway 10.0.2.2 --dns 10.0.2.3
    expect_out '^fetched .* from local address 10\.0\.2\.15:'
    expect_err_line "gorump: net: virtio-net0 10.0.2.15/24 gw 10.0.2.2"
}

# --net user: the guest is told QEMU's fixed addresses, with no DHCP.
c_net_user_static() {
    GORUMP_KERNEL_ARGS="gorump gorump.verbose" fetch_from_host
    expect_out '^fetched .* from local address 10\.0\.2\.15:'
    expect_err_line "gorump: net: virtio-net0 10.0.2.15/24 gw 10.0.2.2"
}

# --ip dhcp: the same addresses, from QEMU's DHCP server.
c_net_dhcp() {
    GORUMP_KERNEL_ARGS="gorump gorump.verbose" fetch_from_host --ip dhcp
    expect_out '^fetched .* from local address 10\.0\.2\.15:'
    expect_err_line "gorump: net: virtio-net0 10.0.2.15/24 gw 10.0.2.2 (dhcp)"
}

# An address DHCP would not give: proves the static one is used.
c_net_static_other() {
    fetch_from_host --ip 10.0.2.99/24 --gateway 10.0.2.2
    expect_out '^fetched .* from local address 10\.0\.2\.99:'
}

# --- cases for the tool itself (skipped with GORUMP_NATIVE=1) ----------------

c_package_dir() {
    run_tool run --timeout "$GUEST_TIMEOUT" tests/go/hello x
    expect_success
    expect_out_line "argc: 2" "arg[1]=x"
}

c_no_program() {
    run_tool run
    expect_tool_error 'program|usage'
}

c_missing_file() {
    run_tool run "$dir/no-such-program"
    expect_tool_error 'no-such-program'
}

c_not_elf() {
    echo "just text" >"$dir/text.txt"
    run_tool run "$dir/text.txt"
    expect_tool_error 'text\.txt.*elf'
}

# Debian's own /bin/echo, dynamically linked against glibc, as shipped;
# then from an image, which carries its loader and libraries.
c_dynamic() {
    run_tool run --timeout "$GUEST_TIMEOUT" --net none /bin/echo hello \
        "two  words"
    expect_status 0
    printf 'hello two  words\n' | expect_out_exact
    reject_err .
    run_tool build -o "$dir/echo.img" /bin/echo from the image
    expect_status 0
    run_tool run --timeout "$GUEST_TIMEOUT" --net none "$dir/echo.img"
    expect_status 0
    printf 'from the image\n' | expect_out_exact
    reject_err .
}

# A library that is nowhere: gorump names it and what it searched.
c_missing_lib() {
    printf 'int gone(void) { return 0; }\n' >"$dir/gone.c"
    printf 'int gone(void);\nint main(void) { return gone(); }\n' >"$dir/m.c"
    gcc -shared -fPIC -o "$dir/libgone.so" "$dir/gone.c" &&
        gcc -o "$dir/needsgone" "$dir/m.c" -L"$dir" -lgone ||
        fail "cannot build the test program"
    rm -f "$dir/libgone.so"
    run_tool run "$dir/needsgone"
    expect_tool_error 'needsgone: needs libgone\.so, not found \(searched /etc/ld\.so\.cache, /lib/x86_64-linux-gnu'
}

# A bare ELF32 header: class 1 (32-bit), little endian, ET_EXEC, EM_386.
c_elf32() {
    {
        printf '\177ELF\001\001\001\000\000\000\000\000\000\000\000\000'
        printf '\002\000\003\000\001\000\000\000\000\200\004\010'
        printf '\000\000\000\000\000\000\000\000\000\000\000\000'
        printf '\064\000\040\000\000\000\050\000\000\000\000\000'
    } >"$dir/small.bin"
    run_tool run "$dir/small.bin"
    expect_tool_error 'small\.bin.*(32|class|64)'
}

c_bad_package() {
    mkdir -p "$dir/badpkg"
    printf 'package main\n\nfunc main() {\n' >"$dir/badpkg/main.go"
    run_tool run "$dir/badpkg"
    expect_tool_error 'syntax error'
}

c_unknown_option() {
    run_tool run --no-such-option "$B/hello"
    expect_tool_error 'no-such-option'
}

c_unknown_command() {
    run_tool frobnicate
    expect_tool_error 'frobnicate'
}

c_bad_cpus() {
    local n
    for n in 0 65 abc; do
        run_tool run --cpus "$n" "$B/hello"
        expect_tool_error "invalid number of CPUs '$n' \(want 1 to 64\)"
    done
}

c_bad_memory() {
    run_tool run -m 12Q "$B/hello"
    expect_tool_error '12Q'
}

# --- the syscall fuzzer (tests/sysfuzz): nothing a program does may panic
# or hang the kernel.  tests/sysfuzz/pending.sh leaves out the known bugs
# whose fix is on its way.
. tests/sysfuzz/pending.sh
SYSFUZZ=build/sysfuzz/sysfuzz

# run_sysfuzz ARG...: the fuzzer in gorump, with no network to spray.
run_sysfuzz() {
    run_tool run --net none --timeout "$GUEST_TIMEOUT" "$SYSFUZZ" "$@"
    reject_err 'kernel panic'
}

c_sysfuzz_matrix() {
    run_sysfuzz matrix "${SYSFUZZ_MATRIX_EXCLUDE[@]}"
    expect_status 0
    expect_out '^sysfuzz: matrix: [0-9]+ cases, .* all returned$'
}

# sysfuzz_random SEED N: N random calls from SEED, all returned.
sysfuzz_random() {
    run_sysfuzz "$1" "$2" "${SYSFUZZ_RANDOM_SKIP[@]}"
    expect_status 0
    expect_out "^sysfuzz: seed $1: $2 iterations, .* all returned\$"
}

c_sysfuzz_random() { sysfuzz_random 1 20000; }

# PR_GET_NAME padding, lseek overflow, timeouts that saturate, one datagram
# per readv/writev, passed fds never leaked (tests/sysfuzz/regress.c).
c_sysfuzz_regress() {
    run_sysfuzz regress
    expect_status 0
    expect_out_line SUCCESS
}

# A new seed every day ("seed: N" in the case's stdout, to replay it).
c_sysfuzz_random_date() {
    local seed
    seed=$(date +%Y%m%d)
    sysfuzz_random "$seed" 20000
}

# Seed 2 sent 0 bytes on a listening TCP socket: lwIP asserted (a panic)
# in tcp_output; Linux says EPIPE.
c_sysfuzz_seed_2() { sysfuzz_random 2 9000; }

# Each bad signal delivery kills the program, so each is its own run: on
# Linux as here the program dies of SIGSEGV (139) and the kernel lives.
# frame-eflags sets TF among others: SIGTRAP (133) on both.  frame-cs:
# Linux kills with SIGSEGV; gorump ignores the frame's segments (it only
# ever returns to user mode with the user's), so the program goes on.
c_sysfuzz_signals() {
    local c want got
    for c in handler-noncanon handler-noncanon-hi handler-kernel \
        handler-unmapped segv-handler-noncanon restorer-noncanon \
        restorer-kernel altstack-kernel altstack-noncanon \
        frame-rip-noncanon frame-rip-kernel frame-rsp-noncanon \
        frame-rsp-kernel frame-fpregs frame-eflags frame-cs; do
        want=139
        [ "$c" = frame-eflags ] && want=133
        [ "$c" = frame-cs ] && want=0
        run_sysfuzz signal "$c"
        got=$(cat "$dir/status")
        [ "$got" = "$want" ] ||
            fail "signal case $c: status $got, want $want"
        [ "$want" != 139 ] || expect_err 'killed by signal 11 \(SIGSEGV\)'
    done
}

# Faults only the kernel can make (gorump.test-fault, proc/crashtest.c):
# each is contained or reported for what it is.
c_kernel_stack_overflow() {
    GORUMP_KERNEL_ARGS="gorump gorump.test-fault=stack" run_tool run "$B/hello"
    expect_status 123
    expect_err '^gorump: kernel panic: kernel stack overflow in thread 1 ' \
        'recurse'
}

c_kernel_user_access() {
    GORUMP_KERNEL_ARGS="gorump gorump.test-fault=uaccess" \
        run_tool run "$B/hello"
    expect_status 123
    expect_err '^gorump: kernel panic: kernel bug: access to user address'
    reject_out SUCCESS
}

c_kernel_bad_iret() {
    GORUMP_KERNEL_ARGS="gorump gorump.test-fault=iret" run_tool run "$B/hello"
    expect_status 139
    expect_err_line "gorump: program killed by signal 11 (SIGSEGV)"
    reject_err 'kernel panic'
}

c_kernel_panic() {
    GORUMP_KERNEL_ARGS=gorump.test-panic run_tool run "$B/hello"
    expect_status 123
    expect_err '^gorump: kernel panic: requested' 'kmain\+0x'
}

# A panic on another CPU than the boot one stops the others before it
# prints, and still gives a backtrace and the panic status.
c_kernel_panic_cpu1() {
    GORUMP_KERNEL_ARGS="gorump gorump.test-fault=panic-cpu1" \
        run_tool run --cpus 4 "$B/hello"
    expect_status 123
    expect_err_line 'gorump: kernel panic: test-fault on CPU 1' \
        'gorump: on CPU 1; 3 of 3 other CPUs stopped'
    expect_err '^  at [0-9a-f]+ panic\+0x'
    reject_out SUCCESS
}

# The block driver's boot self-test (drv/blktest.c) on a 1 MiB disk whose
# sector s starts with "sector %08u\n"; blk_disk makes it in $dir.
blk_disk() { blk_disk_bytes >"$dir/disk.raw"; }

# blk_expect RESULT...: the self-test's lines for vda (or $blk_dev), in
# its order.
blk_expect() {
    local l
    for l; do expect_err_line "blktest: ${blk_dev:-vda}: $l"; done
    reject_err 'wrong bytes|other error|device disabled|controller disabled'
}

# The whole self-test on a writable disk (microvm, virtio-blk); the host
# finds the guest's write in the file.
c_blk_selftest() { blk_selftest_full vda; }

# blk_selftest_full DEVICE [OPTION...]: the whole self-test on a writable
# disk, which the device's own errors answer for unchecked requests.
blk_selftest_full() {
    local dev=$1
    shift
    blk_disk
    GORUMP_KERNEL_ARGS="gorump gorump.blktest" \
        GORUMP_TEST_DISK=$PWD/$dir/disk.raw run_tool run "$@" \
        --net none "$B/hello"
    expect_status 0
    expect_err_line "blktest: $dev: 2048 sectors, id 'gorump-test', read-only 0, flush 1"
    blk_dev=$dev blk_expect "read sectors 5-20: ok" \
        "write, flush, read back: ok" "read past the end: EIO" \
        "device asked to read past the end: EIO" "unknown request type: EIO" \
        "piece of 100 bytes: EINVAL" "sector 1000: ok" \
        "again, read sectors 5-20: ok"
    tail -c 4096 "$dir/disk.raw" | head -c 17 | grep -qx 'written 00002040' ||
        fail "the guest's write is not in the disk file"
}

# On q35 (virtio-pci), a read-only disk: writes are refused.
c_blk_selftest_q35_ro() { blk_selftest_ro vda --machine q35; }

# blk_selftest_ro DEVICE [OPTION...]: the self-test on a read-only disk.
blk_selftest_ro() {
    local dev=$1
    shift
    blk_disk
    GORUMP_KERNEL_ARGS="gorump gorump.blktest" \
        GORUMP_TEST_DISK=$PWD/$dir/disk.raw,ro \
        run_tool run "$@" --net none "$B/hello"
    expect_status 0
    expect_err_line "blktest: $dev: 2048 sectors, id 'gorump-test', read-only 1, flush 1"
    blk_dev=$dev blk_expect "read sectors 5-20: ok" \
        "write to a read-only device: EROFS" "sector 1000: ok" \
        "again, read sectors 5-20: ok"
    cmp -s "$dir/disk.raw" <(blk_disk_bytes) || fail "a read-only disk changed"
}

blk_disk_bytes() {
    perl -e 'for $s (0..2047) { print pack("a512", sprintf("sector %08u\n", $s)) }'
}

# QEMU's blkdebug fails every read of sector 1000 with EIO: the device
# answers with an error (virtio-blk's IOERR, an NVMe error status), the
# driver gives -EIO for that request and the device goes on working.
# blk_ioerr DEVICE [OPTION...]
blk_ioerr() {
    local dev=$1
    shift
    blk_disk
    printf '[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "1000"\n' \
        >"$dir/blkdebug.conf"
    GORUMP_KERNEL_ARGS="gorump gorump.blktest" \
        GORUMP_TEST_DISK=blkdebug:$PWD/$dir/blkdebug.conf:$PWD/$dir/disk.raw \
        run_tool run "$@" --net none "$B/hello"
    expect_status 0
    expect_err_line "blktest: $dev: read sectors 5-20: ok" \
        "blktest: $dev: sector 1000: EIO" \
        "blktest: $dev: again, read sectors 5-20: ok"
    reject_err 'device disabled|controller disabled|wrong bytes'
}

c_blk_ioerr() { blk_ioerr vda; }

# The same self-test on an NVMe controller (drv/nvme.c): q35 is chosen
# for it; the serial number is the disk's id; unchecked requests get the
# controller's own errors (LBA out of range, invalid opcode).
c_blk_selftest_nvme() { blk_selftest_full nvme0n1 --disk-bus nvme; }

c_blk_ioerr_nvme() { blk_ioerr nvme0n1 --disk-bus nvme; }

# The self-test on a SCSI disk (drv/virtio_scsi.c) on a virtio-scsi
# adapter over virtio-mmio (microvm): the unit serial number is the id,
# QEMU's WCE bit the flush; unchecked requests get the disk's own CHECK
# CONDITION (LBA out of range, invalid operation code).
c_blk_selftest_scsi() { blk_selftest_full sda --disk-bus scsi; }

# On q35 (virtio-scsi-pci), read-only: MODE SENSE's write-protect bit.
c_blk_selftest_scsi_q35_ro() {
    blk_selftest_ro sda --disk-bus scsi --machine q35
}

# A medium error (CHECK CONDITION with sense data) is -EIO for that
# request alone.
c_blk_ioerr_scsi() { blk_ioerr sda --disk-bus scsi; }

c_disk_bus_bad() {
    run_tool run --disk-bus ide "$B/hello"
    expect_tool_error "--disk-bus: unknown bus 'ide' \(want virtio, scsi or nvme\)"
    run_tool run --disk-bus nvme --machine microvm "$B/hello"
    expect_tool_error "--disk-bus nvme needs --machine q35"
    run_tool run --disk-bus nvme --vmm firecracker "$B/hello"
    expect_tool_error "--vmm firecracker: --disk-bus nvme .* is QEMU's only"
    run_tool run --disk-bus scsi --vmm cloud-hypervisor "$B/hello"
    expect_tool_error "--vmm cloud-hypervisor: --disk-bus scsi .* is QEMU's only"
}

# bigfile_make FILE SIZE STRIDE: a sparse file of SIZE bytes whose every
# STRIDE-th page and last page hold tests/go/bigfile's pattern.
bigfile_make() {
    rm -f "$1" && truncate -s "$2" "$1" || return
    perl -e '
my ($f, $size, $stride) = @ARGV;
open(my $h, "+<", $f) or die "$f: $!";
binmode $h;
my $np = int(($size + 4095) / 4096);
for (my $p = 0; $p < $np; $p++) {
    next unless $p % $stride == 0 || $p == $np - 1;
    my $d = pack("Q<*", map { (($p << 20) | $_) ^ 0x9e3779b97f4a7c15 } 0 .. 511);
    my $n = $size - $p * 4096;
    $n = 4096 if $n > 4096;
    seek($h, $p * 4096, 0);
    print $h substr($d, 0, $n);
}
close($h) or die "$f: $!";' "$1" "$2" "$3"
}

# c_bigfile SIZE MEMORY STRIDE [OPTION...]: the file mapped and read whole
# in a guest with less memory than the file (the program writes to it: a
# fresh copy each run, removed after).
c_bigfile() {
    local f=$PWD/$dir/big.bin
    bigfile_make "$f" "$1" "$3" || fail "cannot make $f"
    GORUMP_KERNEL_ARGS="gorump gorump.stats" \
        run -m "$2" --net none "${@:4}" --file "$f:$f" bigfile "$f" "$1" "$3"
    expect_success
    expect_out_line "mapped and read $(($1 >> 20)) MiB"
    # Clean pages were given back (the file does not fit otherwise).
    [ "$NATIVE" = 1 ] ||
        expect_err '^gorump: stats: disk-cached=[0-9]+ disk-reclaimed=[1-9]'
    rm -f "$f"
}

# The disk fails every read of page 10 of the file (QEMU's blkdebug,
# through a QEMU wrapper that puts it under the image's disk).
c_bigfile_eio() {
    local f=$PWD/$dir/big.bin q=$PWD/$dir/qemu
    bigfile_make "$f" $((32 << 20)) 97 || fail "cannot make $f"
    printf '[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "%d"\n' \
        $((10 * 8)) >"$dir/blkdebug.conf"
    {
        echo '#!/usr/bin/env bash'
        echo 'args=()'
        echo 'for a; do'
        echo "    case \$a in file=*.disk,*) a=file=blkdebug:$PWD/$dir/blkdebug.conf:\${a#file=} ;; esac"
        echo '    args+=("$a")'
        echo 'done'
        echo 'exec qemu-system-x86_64 "${args[@]}"'
    } >"$q"
    chmod +x "$q"
    GORUMP_QEMU=$q run --net none --file "$f:$f" bigfile -eio "$f" 10
    expect_success
    reject_err 'kernel panic|device disabled'
    rm -f "$f"
}

# An image built with a large file has its disk beside it: booted as it
# is, rewritten by an override (the disk copied), and refused when the
# disk is missing or not its own.
# A file past what the kernel can page (2 GiB less 8 KiB) is refused by
# the tool, naming it, rather than missing in the guest; the kernel places
# the largest one that fits (sparse) without a word.
c_bigfile_too_big() {
    local max=$(((((4 << 20) - 16) / 8) * 4096)) f=$PWD/$dir/huge.bin
    truncate -s $((max + 4096)) "$f" || fail "cannot make $f"
    run_tool run --net none --file "$f:/huge.bin" "$B/hello"
    expect_tool_error "huge.bin: $((max + 4096)) bytes: a packed file may have at most $max"
    truncate -s $max "$f"
    run_tool run --net none -m 256M --file "$f:/huge.bin" "$B/hello"
    expect_success
    reject_err 'cannot place'
    rm -f "$f" "$f".*
}

# The kernel's ext2 code on a real disk (gorump.ext2test, kernel/fs/ext2/
# ext2test.c): a volume made by mke2fs -d, read, changed and unmounted by
# the guest, then clean for e2fsck and holding the guest's changes.
c_ext2_selftest() {
    local src=$PWD/$dir/src v=$PWD/$dir/v.img
    mkdir -p "$src/dir"
    printf 'hello from the host\n' >"$src/hello.txt"
    echo bye >"$src/remove-me"
    echo inner >"$src/dir/inner.txt"
    rm -f "$v"
    truncate -s 16M "$v"
    /sbin/mke2fs -q -F -t ext2 -b 4096 -m 0 -d "$src" \
        -O none,ext_attr,resize_inode,dir_index,filetype,sparse_super,large_file \
        "$v" || fail "cannot make $v"
    GORUMP_KERNEL_ARGS="gorump gorump.ext2test" GORUMP_TEST_DISK=$v \
        run_tool run --net none "$B/hello"
    expect_status 0
    expect_err_line "ext2test: mount: 0" "ext2test: / has 6 entries (0)" \
        "ext2test: hello.txt: 20 bytes: hello from the host" \
        "ext2test: write: 0" "ext2test: unmount: 0"
    /sbin/e2fsck -fn "$v" >"$dir/fsck" 2>&1 ||
        fail "e2fsck: $(grep -v '^Pass' "$dir/fsck" | head -5)"
    [ "$(/sbin/debugfs -R 'cat /moved/new.txt' "$v" 2>/dev/null)" = \
        "written by the guest" ] || fail "moved/new.txt is not the guest's"
    [ "$(/sbin/debugfs -R 'cat /moved/inner.txt' "$v" 2>/dev/null)" = inner ] ||
        fail "moved/inner.txt is lost"
    /sbin/debugfs -R 'cat /big.bin' "$v" 2>/dev/null >"$dir/big.bin"
    perl -e 'print pack("C*", map { $_ % 251 } 0 .. 300 * 1024 - 1)' |
        cmp -s - "$dir/big.bin" || fail "big.bin differs"
    /sbin/debugfs -R 'stat /remove-me' "$v" 2>&1 | grep -q 'File not found' ||
        fail "remove-me is still there"
}

# gorump volume create: an ext2 volume with exactly the kernel's features
# (include/gorump/ext2.h), clean; an existing file, a bad size, a missing
# directory or mke2fs refused with status 125 and no file left behind.
c_volume_create() {
    local v=$PWD/$dir/v.img sz
    run_tool volume create "$v" 64M
    expect_status 0
    [ "$(stat -c %s "$v")" = $((64 << 20)) ] || fail "not 64 MiB"
    /sbin/dumpe2fs -h "$v" 2>/dev/null | grep -qx 'Filesystem features: *has_journal ext_attr resize_inode dir_index filetype sparse_super large_file' ||
        fail "features: $(/sbin/dumpe2fs -h "$v" 2>&1 | grep features)"
    # The journal: 1024 blocks, jbd2's format without checksums.
    /sbin/dumpe2fs -h "$v" 2>/dev/null | grep -qx 'Total journal blocks: *1024' ||
        fail "journal: $(/sbin/dumpe2fs -h "$v" 2>&1 | grep -i journal)"
    /sbin/dumpe2fs -h "$v" 2>/dev/null | grep -qx 'Journal features: *(none)' ||
        fail "journal features: $(/sbin/dumpe2fs -h "$v" 2>&1 | grep 'Journal feat')"
    /sbin/dumpe2fs -h "$v" 2>/dev/null | grep -qx 'Block size: *4096' ||
        fail "not 4 KiB blocks"
    /sbin/e2fsck -fn "$v" >/dev/null 2>&1 || fail "e2fsck finds errors"
    cp "$v" "$v.copy"
    run_tool volume create "$v" 1G
    expect_tool_error "v.img: file exists \\(volume create never overwrites\\)"
    cmp -s "$v" "$v.copy" || fail "an existing file was changed"
    for sz in 12X 0 1023K 16T 64MB -1M ""; do
        run_tool volume create "$v.new" "$sz"
        expect_tool_error "bad size '$sz'"
        [ ! -e "$v.new" ] || fail "size '$sz' left a file"
    done
    run_tool volume create "$PWD/$dir/no/such/dir/v.img" 64M
    expect_tool_error 'no such file or directory'
    run_tool volume create "$v.new"
    expect_tool_error 'usage: gorump volume create FILE SIZE'
    run_tool volume create "$v.1m" 1M
    expect_status 0
    # Under 16 MiB, no journal (it would take a quarter or more).
    /sbin/dumpe2fs -h "$v.1m" 2>/dev/null | grep -qx 'Filesystem features: *ext_attr resize_inode dir_index filetype sparse_super large_file' ||
        fail "1M features: $(/sbin/dumpe2fs -h "$v.1m" 2>&1 | grep features)"
    # Without mke2fs (hidden in a mount namespace of our own, if we may).
    if unshare --mount true 2>/dev/null; then
        capture unshare --mount sh -c 'for f in /usr/sbin/mke2fs /sbin/mke2fs; do
                [ -e "$f" ] && mount --bind /dev/null "$f"; done
            PATH=/usr/bin:/bin exec "$0" volume create "$1" 64M' \
            "$GORUMP" "$v.new"
        expect_tool_error 'mke2fs not found \(install e2fsprogs\)'
        [ ! -e "$v.new" ] || fail "a failed create left a file"
    fi
    rm -f "$v" "$v".*
}

# gorump volume check: 0 for a clean volume, 1 with the reason for one
# e2fsck finds broken or with features the kernel lacks, 125 for what
# cannot be checked.
c_volume_check() {
    local v=$PWD/$dir/v.img
    "$GORUMP" volume create "$v" 16M || fail "cannot create $v"
    run_tool volume check "$v"
    expect_status 0
    expect_out 'v.img: 11/[0-9]+ files'
    # lost+found's link count wrong.
    cp "$v" "$v.bad"
    /sbin/debugfs -w -R 'sif <11> links_count 5' "$v.bad" >/dev/null 2>&1
    run_tool volume check "$v.bad"
    expect_status 1
    expect_err 'v.img.bad: e2fsck found errors \(status 4\); repair with e2fsck -fy'
    truncate -s 16M "$v.e4"
    /sbin/mke2fs -q -t ext4 "$v.e4" || fail "cannot make ext4"
    run_tool volume check "$v.e4"
    expect_status 1
    expect_err_line "gorump: $v.e4: features the kernel cannot read: extent 64bit flex_bg"
    truncate -s 16M "$v.zero"
    run_tool volume check "$v.zero"
    expect_status 1
    expect_err 'not an ext2 file system'
    run_tool volume check "$v.missing"
    expect_tool_error 'v.img.missing: no such file or directory'
    run_tool volume check
    expect_tool_error 'usage: gorump volume'
    rm -f "$v" "$v".*
}

c_bigfile_image() {
    local f=$PWD/$dir/big.bin img=$PWD/$dir/big.img size=$((24 << 20))
    bigfile_make "$f" $size 97 || fail "cannot make $f"
    run_tool build -o "$img" --file "$f:/big.bin" "$B/bigfile" /big.bin $size 97
    expect_status 0
    [ -f "$img.disk" ] && [ "$(stat -c %s "$img.disk")" = $size ] ||
        fail "no disk of $size bytes beside the image"
    [ "$(od -An -tu4 -j8 -N4 "$img" | tr -d ' ')" = 2 ] ||
        fail "an image with a disk is not version 2"
    run_tool run --net none "$img"
    expect_success
    run_tool run --net none -e X=1 "$img"
    expect_success
    truncate -s $((size - 4096)) "$img.disk"
    run_tool run --net none "$img"
    expect_tool_error "big.img.disk: the image's disk of large files is not the one"
    rm -f "$img.disk"
    run_tool run --net none "$img"
    expect_tool_error "big.img.disk: the image's disk of large files: no such file"
    rm -f "$f" "$img"
}

# --vmm firecracker on a machine without KVM: tests/guest/fake-firecracker
# checks the configuration file and the kernel against Firecracker's
# contract and boots them on QEMU's microvm laid out like Firecracker's
# machine: no RTC, no ACPI, no isa-debug-exit, the device named on the
# command line in Firecracker's format.
vmm_fake() {
    mkdir -p "$dir/bin" &&
        ln -sf "$PWD/tests/guest/fake-$1" "$dir/bin/$1"
}

c_fc_hello() {
    vmm_fake firecracker
    PATH=$PWD/$dir/bin:$PATH run_tool run --vmm firecracker \
        --timeout "$GUEST_TIMEOUT" "$B/hello"
    expect_status 0
    expect_out_line SUCCESS
    expect_err_line "gorump: no usable RTC: the wall clock starts at 1970"
}

# The image's disk of large files as Firecracker's one virtio-mmio drive,
# which has no id: the kernel is told its name (gorump.filesdisk=vda).
c_fc_bigfile() {
    local f=$PWD/$dir/big.bin img=$PWD/$dir/big.img size=$((20 << 20))
    vmm_fake firecracker
    bigfile_make "$f" $size 61 || fail "cannot make $f"
    run_tool build -o "$img" --file "$f:/big.bin" "$B/bigfile" /big.bin $size 61
    expect_status 0
    PATH=$PWD/$dir/bin:$PATH run_tool run --vmm firecracker \
        --timeout "$GUEST_TIMEOUT" "$img"
    expect_success
    rm -f "$f" "$img" "$img.disk"
}

# --vmm cloud-hypervisor: tests/guest/fake-cloud-hypervisor takes the
# options the tool gives in cloud-hypervisor's syntax and boots them on
# q35 (virtio over PCI, the console on the UART), with the image's disk.
c_ch_hello() {
    local f=$PWD/$dir/big.bin img=$PWD/$dir/big.img size=$((20 << 20))
    vmm_fake cloud-hypervisor
    bigfile_make "$f" $size 61 || fail "cannot make $f"
    run_tool build -o "$img" --file "$f:/big.bin" "$B/bigfile" /big.bin $size 61
    expect_status 0
    PATH=$PWD/$dir/bin:$PATH run_tool run --vmm cloud-hypervisor \
        --timeout "$GUEST_TIMEOUT" "$img"
    expect_success
    rm -f "$f" "$img" "$img.disk"
}

# What --vmm cannot do is refused before anything is built.
c_vmm_bad() {
    PATH=/nonexistent:/usr/bin:/bin run_tool run --vmm firecracker "$B/hello"
    expect_tool_error "firecracker: not found on \\\$PATH"
    PATH=/nonexistent:/usr/bin:/bin run_tool run --vmm cloud-hypervisor \
        "$B/hello"
    expect_tool_error "cloud-hypervisor: not found on \\\$PATH"
    run_tool run --vmm xen "$B/hello"
    expect_tool_error "--vmm: unknown monitor 'xen'"
    vmm_fake firecracker
    PATH=$PWD/$dir/bin:$PATH run_tool run --vmm firecracker -v /tmp:/t \
        "$B/hello"
    expect_tool_error "--vmm firecracker: -v .* is QEMU's only"
    PATH=$PWD/$dir/bin:$PATH run_tool run --vmm firecracker -p 8080:80 \
        "$B/hello"
    expect_tool_error "--vmm firecracker: -p .* is QEMU's only"
    PATH=$PWD/$dir/bin:$PATH run_tool run --vmm firecracker --machine q35 \
        "$B/hello"
    expect_tool_error "--vmm firecracker: --machine .* is QEMU's only"
}

# gorump build --format: a disk that boots by itself (tests/guest/
# bootdisk.sh boots it on q35 from the disk alone and reads the serial
# port).  Two of the matrix here; `make check-disks` runs all of it.
c_disk_raw_bios() {
    capture tests/guest/bootdisk.sh raw bios virtio "$B/hello" one two
    expect_status 0
    expect_out_line SUCCESS "arg[1]=one" "arg[2]=two"
}

c_disk_qcow2_uefi_nvme() {
    capture tests/guest/bootdisk.sh qcow2 uefi nvme "$B/hello"
    expect_status 0
    expect_out_line SUCCESS
}

# On virtio-scsi, as GCE attaches boot disks: SeaBIOS and OVMF each boot
# from it through their own virtio-scsi drivers, then the kernel finds it.
c_disk_scsi() {
    capture tests/guest/bootdisk.sh raw bios scsi "$B/hello" s1
    expect_status 0
    expect_out_line SUCCESS "arg[1]=s1"
    capture tests/guest/bootdisk.sh qcow2 uefi scsi "$B/hello" s2
    expect_status 0
    expect_out_line SUCCESS "arg[1]=s2"
}

# The qcow2 in an OCI image archive for KubeVirt: checked by hand and by
# skopeo and umoci (tests/guest/ocicheck.py), then the disk unpacked from
# it booted under SeaBIOS, KubeVirt's default firmware.
c_disk_containerdisk_bios() {
    capture tests/guest/bootdisk.sh containerdisk bios virtio "$B/hello" kv
    expect_status 0
    expect_out_line SUCCESS "arg[1]=kv"
}

# What cannot make a disk is refused with 125 before anything is written.
c_disk_bad() {
    run_tool build --format iso -o "$dir/x" "$B/hello"
    expect_tool_error "--format: unknown format 'iso'"
    run_tool build --format raw -o "$dir/no/such/dir/x.raw" "$B/hello"
    expect_tool_error "x.raw: cannot create a temporary file beside it"
    # A $PATH with timeout (for run_tool) and then the disk tools alone.
    mkdir -p "$dir/bin"
    ln -sf "$(command -v timeout)" "$dir/bin/timeout"
    PATH=$PWD/$dir/bin run_tool build --format raw -o "$dir/x.raw" "$B/hello"
    expect_tool_error "sgdisk: not found \(apt-get install gdisk\)"
    local c
    for c in sgdisk mformat mmd mcopy; do
        ln -sf "$(command -v $c)" "$dir/bin/$c"
    done
    PATH=$PWD/$dir/bin run_tool build --format raw -o "$dir/x.raw" "$B/hello"
    expect_tool_error "grub-mkimage: not found \(apt-get install grub-common\)"
    [ ! -e "$dir/x.raw" ] || fail "a refused build left $dir/x.raw"
}

# A program of 16 MiB or more on a bootable disk: the image's disk of
# large files is a partition of it, which the kernel finds in the GPT
# (docs/IMAGE.md, "On a bootable disk"); the guest hashes its own file.
# Then with its primary GPT header broken (tests/guest/gptbreak.sh): the
# kernel reads the backup table.  Then with that partition given another
# unique GUID (a valid table without the partition the image names):
# refused, with 126 and the reason for each disk.
c_disk_big() {
    local p=$PWD/$dir/big
    bigprog_make "$p" || fail "cannot make $p"
    capture tests/guest/bootdisk.sh raw uefi nvme "$p" w
    expect_selfhash "$p" w
    BOOTDISK_MANGLE=tests/guest/gptbreak.sh \
        capture tests/guest/bootdisk.sh raw bios virtio "$p" b
    expect_selfhash "$p" b
    BOOTDISK_MANGLE="sgdisk -u 3:R" BOOTDISK_STATUS=126 \
        BOOTDISK_KMSG="nvme0n1: no such partition" \
        capture tests/guest/bootdisk.sh raw bios nvme "$p"
    expect_status 0
    # The image from such a disk's ESP (LBA 4096) names a partition:
    # gorump run refuses it, as it has no disk of its own.
    run_tool build --format raw -o "$dir/big.raw" "$p"
    expect_status 0
    mcopy -i "$dir/big.raw@@$((4096 * 512))" ::/gorump/image "$dir/esp.img" ||
        fail "no gorump/image in the ESP"
    run_tool run "$dir/esp.img"
    expect_tool_error "esp.img: its large files are in a partition of the bootable disk"
    rm -f "$p" "$dir/big.raw"
}

# containerdisk's refusals, each with 125 and nothing left behind: an
# output that cannot be written (no such directory; a directory), no
# qemu-img, and no BIOS or UEFI GRUB (hidden by an empty tmpfs in a
# private mount namespace: the host's files are untouched).
c_disk_containerdisk_bad() {
    local out=$dir/x.oci.tar c
    run_tool build --format containerdisk -o "$dir/no/such/x.oci.tar" "$B/hello"
    expect_tool_error "x.oci.tar: cannot create a temporary file beside it"
    mkdir -p "$dir/adir/sub"
    run_tool build --format containerdisk -o "$dir/adir" "$B/hello"
    expect_tool_error "adir: cannot write the image: (Is a directory|Directory not empty)"
    mkdir -p "$dir/bin"
    for c in timeout sgdisk mformat mmd mcopy grub-mkimage; do
        ln -sf "$(command -v $c)" "$dir/bin/$c"
    done
    PATH=$PWD/$dir/bin run_tool build --format containerdisk -o "$out" "$B/hello"
    expect_tool_error "qemu-img: not found \(apt-get install qemu-utils\)"
    for c in /usr/lib/grub/i386-pc:"no BIOS boot loader \(apt-get install grub-pc-bin\)" \
        /usr/lib/grub/x86_64-efi:"no UEFI boot loader \(apt-get install grub-efi-amd64-bin\)"; do
        capture unshare --mount sh -c 'mount -t tmpfs none "$1" && shift &&
            exec "$@"' sh "${c%%:*}" "$GORUMP" build --format containerdisk \
            -o "$out" "$B/hello"
        expect_tool_error "${c#*:}"
    done
    # Neither the output nor a temporary file beside it (.NAME.XXXXXX).
    c=$(ls -A "$dir" "$dir/adir" | grep 'oci\.tar\|^\.adir\.')
    [ -z "$c" ] || fail "a refused build left $c"
}

# --net tap:IFNAME with a static address: a tap device of our own on a
# random private /24, the host at .1, the guest at .2; 4 MiB echoed to the
# guest's address with no QEMU forwarding in the path.  Needs root (as the
# whole suite does on a fresh machine) and /dev/net/tun.
c_net_tap() {
    local tap=gtap$$ net port err
    net=10.$((RANDOM % 100 + 100)).$((RANDOM % 250 + 1))
    port=$(free_port) || return
    if ! err=$(ip tuntap add dev "$tap" mode tap 2>&1); then
        fail "cannot create tap device $tap (needs root and /dev/net/tun): $err"
        return
    fi
    ip addr add "$net.1/24" dev "$tap" && ip link set "$tap" up ||
        fail "cannot configure tap device $tap"
    # QEMU offers the segmentation offloads with a tap too: the host's
    # large segments come in whole and are cut by the driver (GUEST_TSO).
    GORUMP_KERNEL_ARGS="gorump gorump.stats" start_guest --net "tap:$tap" \
        --ip "$net.2/24" --gateway "$net.1" tcpecho "$port" 1
    ! await_listening || nethost echo "$net.2:$port" $((4 << 20))
    wait "$guest"
    expect_success
    expect_out_line "echoed 1 connections, $((4 << 20)) bytes"
    expect_err '^gorump: stats: virtio-net0 .* rx-gso=[1-9][0-9]* rx-gso-segs=[1-9]'
    # QEMU offers checksum offloads with a tap: TCP to the guest's own
    # address on it then goes out with no checksum and comes back in
    # through the loop queue, which must not check it (net/loop.c).
    run --net "tap:$tap" --ip "$net.2/24" --gateway "$net.1" netloop
    expect_success
    # TSO: QEMU offers HOST_TSO4 with a tap, so one large write leaves as
    # joined segments (drv/tso.h) the host cuts again; the host checks
    # every byte.  The same with gorump.no-tso: nothing joined.
    local args size=$((4 << 20))
    for args in "gorump gorump.stats" "gorump gorump.stats gorump.no-tso"; do
        : >"$dir/stdout"
        GORUMP_KERNEL_ARGS=$args start_guest --net "tap:$tap" \
            --ip "$net.2/24" --gateway "$net.1" tcpsend "$port" "$size"
        ! await_listening || nethost recv "$net.2:$port" "$size"
        wait "$guest"
        expect_success
        case $args in
        *no-tso) expect_err '^gorump: stats: virtio-net0 .* tx-tso=0 .* rx-gso=0 ' ;;
        *) expect_err '^gorump: stats: virtio-net0 .* tx-tso=[1-9][0-9]* tx-tso-segs=[1-9]' ;;
        esac
    done
    ip link del "$tap" 2>/dev/null
}

# Hostile frames from tests/netfuzz through QEMU's stream netdev, a bounded
# slice with a fixed seed (`make fuzz-net` runs more): the guest server
# still answers, lwIP's memory comes back, no assertion, no panic, and
# 200 small writes sent into a closed window arrive whole.
c_net_fuzz() {
    capture timeout -s KILL $((GUEST_TIMEOUT + 60)) build/netfuzz/netfuzz \
        -s 1 -t 6 -- "$GORUMP" run --timeout "$GUEST_TIMEOUT" \
        --ip 10.0.9.2/24 --gateway 10.0.9.1 "$B/netfuzzd"
    expect_success
    reject_err 'netfuzz: FAIL|kernel panic|lwIP assertion'
    grep -q '^netfuzz: seed 1 passed' "$dir/stderr" ||
        fail "netfuzz did not pass"
}

# 4000 SYNs from 1000 ports of 4 neighbours: the server answers a client
# in the middle of the flood, its half-open connections stay within its
# backlog (255 pcbs, not 4000), and lwIP's memory comes back after.
c_net_synflood() {
    capture timeout -s KILL $((GUEST_TIMEOUT + 60)) build/netfuzz/netfuzz \
        -s 1 -n 0 -f 4000 -- "$GORUMP" run --timeout "$GUEST_TIMEOUT" \
        --ip 10.0.9.2/24 --gateway 10.0.9.1 "$B/netfuzzd"
    expect_success
    reject_err 'netfuzz: FAIL|kernel panic|lwIP assertion'
    grep -q '^netfuzz: syn-flood: a client in the flood' "$dir/stderr" ||
        fail "no answer during the flood"
    grep -q '^netfuzz: seed 1 passed' "$dir/stderr" ||
        fail "netfuzz did not pass"
}

# descendant PID NAME: the first process whose comm is NAME below PID.
descendant() {
    local c
    for c in $(pgrep -P "$1"); do
        if [ "$(cat "/proc/$c/comm" 2>/dev/null)" = "$2" ]; then
            echo "$c"
            return 0
        fi
        descendant "$c" "$2" && return 0
    done
    return 1
}

# Guest RAM is not touched before the program uses it: QEMU's peak
# resident memory with a 4 GiB guest running `sleep` stays far below it.
# (Writing a free-list link into every 4 MiB block at boot made the host
# back each with a 2 MiB huge page: 2 GiB resident, seconds of boot.)
c_big_memory() {
    local qemu="" hwm
    start_guest -m 4G sleep
    await_out '^sleeping' || return
    qemu=$(descendant "$guest" qemu-system-x86) ||
        fail "no QEMU process found under the guest's gorump"
    hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$qemu/status" 2>/dev/null)
    kill -TERM "$(ps -o ppid= -p "$qemu")" 2>/dev/null
    wait "$guest"
    expect_status 143
    expect_out_line sleeping
    [ -n "$hwm" ] && [ "$hwm" -lt $((512 * 1024)) ] ||
        fail "QEMU's peak resident memory for a 4 GiB guest: ${hwm:-?} kB (want < 512 MiB)"
}

# signal_tool SIG: sends SIG to the gorump process running the guest.
signal_tool() {
    local tool
    tool=$(descendant "$guest" gorump) || {
        fail "no gorump process found"
        return 1
    }
    kill "-$1" "$tool"
}

# SIGTERM to gorump reaches the program, which stops by itself.
c_graceful_stop() {
    start_guest graceful
    ! await_out '^ready$' || signal_tool TERM
    wait "$guest"
    expect_status 3
    expect_out_line ready "got terminated, cleaning up"
}

# A signal while the guest boots is not lost (the UART's set-up clears what
# arrived before it): the program stops by it at once, by its default
# action or its handler, without waiting out GORUMP_STOP_TIMEOUT.
c_stop_early() {
    local -x GORUMP_STOP_TIMEOUT=60
    local i qemu=""
    start_guest graceful
    for ((i = 0; i < 1000; i++)); do
        qemu=$(descendant "$guest" qemu-system-x86) && break
        sleep 0.01
    done
    if [ -n "$qemu" ]; then
        kill -TERM "$(ps -o ppid= -p "$qemu")"
    else
        fail "QEMU did not start"
    fi
    wait "$guest"
    case $(cat "$dir/status" 2>/dev/null) in
    143 | 3) ;;
    *) fail "status $(cat "$dir/status" 2>/dev/null), want 143 or 3" ;;
    esac
    reject_err 'did not exit within'
}

# -i passes gorump's stdin to the program byte for byte (0x10 included,
# which the serial framing escapes), also when the program reads late and
# the input has to wait in the host.
# 12 MiB on stdout through a reader that stops for 3 s at first: the
# console's port fills and the program is held back until the host reads
# (QEMU drops what a virtconsole port cannot write at once, which lost
# all but 27 of 64 MiB), and every byte arrives, in order, with the
# stderr lines the program wrote between.
c_console_slow_reader() {
    local n=12582912 want
    want=$("$B/conbulk" "$n" 2>/dev/null | sha256sum | cut -c1-64)
    (
        timeout -s KILL $((GUEST_TIMEOUT + 30)) "$GORUMP" run "$@" \
            --timeout "$GUEST_TIMEOUT" "$B/conbulk" "$n" \
            2>"$dir/stderr" | { sleep 3; cat; } >"$dir/stdout"
        echo "${PIPESTATUS[0]}" >"$dir/status"
    )
    expect_status 0
    [ "$(sha256sum <"$dir/stdout" | cut -c1-64)" = "$want" ] ||
        fail "stdout ($(stat -c %s "$dir/stdout") bytes) differs from the" \
            "native run's $n bytes"
    [ "$(grep -c '^conbulk: [0-9]* MiB$' "$dir/stderr")" = 12 ] ||
        fail "stderr lacks some of the 12 MiB lines"
    expect_err_line SUCCESS
}

c_console_slow_reader_q35() { c_console_slow_reader --machine q35; }

c_stdin_pass() {
    local want
    head -c 65536 /dev/urandom >"$dir/in"
    printf '\020\020e\020s\017' >>"$dir/in"
    want=$(sha256sum <"$dir/in" | cut -c1-64)
    (
        timeout -s KILL $((GUEST_TIMEOUT + 30)) "$GORUMP" run -i \
            --timeout "$GUEST_TIMEOUT" "$B/stdin" slow <"$dir/in" \
            >"$dir/stdout" 2>"$dir/stderr"
        echo $? >"$dir/status"
    )
    expect_success
    expect_out_line "stdin: 65542 bytes, sha256 $want"
}

# With -i and input the program never reads, a signal still gets through:
# gorump keeps no more unread stdin in flight than the kernel holds.
c_stop_stdin() {
    local -x GORUMP_STOP_TIMEOUT=60
    head -c 200000 /dev/zero >"$dir/in"
    (
        timeout -s KILL $((GUEST_TIMEOUT + 30)) "$GORUMP" run -i \
            --timeout "$GUEST_TIMEOUT" "$B/graceful" <"$dir/in" \
            >"$dir/stdout" 2>"$dir/stderr"
        echo $? >"$dir/status"
    ) &
    guest=$!
    ! await_out '^ready$' || signal_tool TERM
    wait "$guest"
    expect_status 3
    expect_out_line "got terminated, cleaning up"
}

# Without -i the program's stdin is at its end at once, whatever gorump's.
c_stdin_closed() {
    (
        echo "not for the guest" | timeout -s KILL $((GUEST_TIMEOUT + 30)) \
            "$GORUMP" run --timeout "$GUEST_TIMEOUT" "$B/stdin" \
            >"$dir/stdout" 2>"$dir/stderr"
        echo $? >"$dir/status"
    )
    expect_success
    expect_out_line "stdin: 0 bytes, sha256 $(printf '' | sha256sum | cut -c1-64)"
}

# examples/httpd answers through -p, then stops gracefully on SIGTERM.
c_httpd_stop() {
    local port
    port=$(free_port) || return
    start_guest "$@" -p "$port:3000" examples/httpd
    if await_err 'httpd: listening on :3000'; then
        curl -fsS -m 30 -o "$dir/fast" "http://127.0.0.1:$port/fast" 2>>"$dir/host" ||
            fail "curl /fast failed"
        grep -qx 'hello from gorump' "$dir/fast" 2>/dev/null ||
            fail "/fast answered '$(head -c 80 "$dir/fast" | printable)'"
        signal_tool TERM
    fi
    wait "$guest"
    expect_status 0
    expect_err 'httpd: terminated: shutting down' 'httpd: stopped'
}

# The same in 8 MiB (13 MiB were needed before): the program (7 MB) is on
# the image's disk, paged in as touched, and the network's buffers are
# sized to the RAM.  It works in 4 MiB too, but there its code pages are
# read again and again (docs/PERFORMANCE.md, "Memory"): too slow for a
# loaded host.
c_httpd_8m() { c_httpd_stop -m 8M; }

# SIGHUP and SIGUSR1 reach the program as plain signals: no stop timer
# starts (the program outlives a short GORUMP_STOP_TIMEOUT after them),
# and SIGTERM still stops it gracefully.
c_reload_signals() {
    local -x GORUMP_STOP_TIMEOUT=0.5
    start_guest reload
    ! await_out '^ready$' || signal_tool HUP
    ! await_out '^reload 1$' || signal_tool HUP
    ! await_out '^reload 2$' || signal_tool USR1
    ! await_out '^usr1$' || sleep 1
    signal_tool TERM
    wait "$guest"
    expect_status 0
    expect_out_line ready "reload 1" "reload 2" usr1 \
        "stopping after 2 reloads"
    reject_err 'did not exit'
}

# A program that ignores the signal is stopped after GORUMP_STOP_TIMEOUT.
c_stop_timeout() {
    local -x GORUMP_STOP_TIMEOUT=0.5
    start_guest graceful ignore
    ! await_out '^ready$' || signal_tool TERM
    wait "$guest"
    expect_status 143
    expect_err 'the program did not exit within 0.5 s of SIGTERM; stopping it'
}

# busy_port_run ARG...: runs gorump with each {PORT} in the ARGs replaced
# by a port the host's HTTP server listens on meanwhile (in $port).
busy_port_run() {
    local server
    mkdir -p "$dir/www"
    "$B/nethost" serve "$dir/www" 60 >"$dir/port" 2>/dev/null &
    server=$!
    port=$(served_port) && run_tool "${@//\{PORT\}/$port}"
    kill "$server" 2>/dev/null
    wait "$server"
}

# A -p host port something else listens on: QEMU refuses it, gorump says
# which and why.
c_net_port_busy() {
    local port
    busy_port_run run --timeout "$GUEST_TIMEOUT" -p "{PORT}:80" "$B/hello"
    expect_tool_error "^gorump: -p $port:80: host port $port is in use"
    reject_err 'qemu'
}

c_net_bad_publish() {
    run_tool run -p 80 "$B/hello"
    expect_tool_error '-p 80: want \[HOSTIP:\]HOSTPORT:GUESTPORT'
}

# --- gorump run --gdb (docs/DEBUGGING.md) ----------------------------------

# A TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# gdb_session BREAK PROGRAM [ARG...]: runs PROGRAM with --gdb on a free
# port and, once gorump has printed its gdb command, runs that very
# command in batch mode: break at BREAK, continue, bt, then continue to
# the program's exit.  gdb's output is in $dir/gdb.out; gorump's as usual.
gdb_session() {
    local brk=$1 port cmd i
    shift
    port=$(free_port) || { fail "no free port"; return 1; }
    run_tool run --timeout "$GUEST_TIMEOUT" --gdb "127.0.0.1:$port" "$@" &
    local tool=$!
    for ((i = 0; i < 300; i++)); do
        cmd=$(sed -n 's/^  \(gdb .*\)$/\1/p' "$dir/stderr" 2>/dev/null)
        [ -n "$cmd" ] && break
        sleep 0.1
    done
    if [ -z "$cmd" ]; then
        fail "gorump printed no gdb command"
    else
        eval "timeout -s KILL 120 $cmd -nx -batch -ex 'break $brk'" \
            "-ex continue -ex bt -ex continue" >"$dir/gdb.out" 2>&1 </dev/null
    fi
    wait "$tool"
    expect_err "^gorump: the guest waits for gdb on 127.0.0.1:$port"
}

# Stops at main.main of a static Go program, with a backtrace naming it,
# and the program then runs to its normal end.
c_gdb() {
    gdb_session main.main "$B/examples/hello" x
    expect_status 0
    expect_out_line "hello from gorump" 'args: ["x"]'
    grep -Eq '^Breakpoint 1, main\.main \(\)' "$dir/gdb.out" ||
        fail "gdb did not stop at main.main (see $dir/gdb.out)"
    grep -Eq '^#0 +main\.main \(\)' "$dir/gdb.out" ||
        fail "no backtrace naming main.main (see $dir/gdb.out)"
    grep -Eq '^#1 .* in runtime\.main \(\)' "$dir/gdb.out" ||
        fail "the backtrace does not reach runtime.main"
}

# A static PIE is loaded at GORUMP_PIE_BASE: its symbols must be there.
c_gdb_pie() {
    cc_build gcc auxv auxv.c -g -static-pie || return
    gdb_session main "$PWD/$dir/auxv"
    expect_success
    expect_err "add-symbol-file [^ ]*/auxv -o 0x555555554000'"
    grep -Eq '^Breakpoint 1, (0x[0-9a-f]+ in )?main \(' "$dir/gdb.out" ||
        fail "gdb did not stop at main (see $dir/gdb.out)"
    grep -Eq '^#0 +(0x[0-9a-f]+ in )?main \(' "$dir/gdb.out" ||
        fail "no backtrace naming main (see $dir/gdb.out)"
}

c_gdb_bad_addr() {
    run_tool run --gdb 127.0.0.1:70000 "$B/hello"
    expect_tool_error "--gdb: invalid address '127.0.0.1:70000'"
    run_tool run --gdb 'a b:1234' "$B/hello"
    expect_tool_error "--gdb: invalid address 'a b:1234'"
}

c_gdb_port_busy() {
    local port
    busy_port_run run --gdb "{PORT}" "$B/hello"
    expect_tool_error "^gorump: --gdb 127.0.0.1:$port: port $port is in use"
    reject_err 'qemu'
}

c_bad_timeout() {
    run_tool run --timeout soon "$B/hello"
    expect_tool_error 'soon'
}

# The kernel refuses an interpreter that is not a program of its own (a
# later --file replaced it): status 126 and the reason.
c_bad_interp() {
    local ld=/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
    run_tool run --timeout "$GUEST_TIMEOUT" --net none \
        --file "/etc/hostname:$ld" /bin/true
    expect_status 126
    expect_err 'its interpreter /lib64/ld-linux-x86-64\.so\.2: not an ELF file'
    run_tool run --timeout "$GUEST_TIMEOUT" --net none --file "/bin/true:$ld" \
        /bin/true
    expect_status 126
    expect_err 'its interpreter /lib64/ld-linux-x86-64\.so\.2 has an interpreter'
}

# --- dynamically linked programs (skipped with GORUMP_NATIVE=1: each
# case runs its program natively itself and compares) ------------------------

# cc_build CC OUT SRC [FLAG...]: compiles tests/c/SRC into $dir/OUT.
cc_build() {
    local cc=$1 out=$2 src=$3
    shift 3
    if ! command -v "$cc" >/dev/null; then
        fail "$cc is missing (scripts/deps.sh installs it)"
        return 1
    fi
    "$cc" -O2 -Wall -Werror "$@" -o "$dir/$out" "tests/c/$src" \
        2>>"$dir/build.log" && return 0
    fail "$cc $* tests/c/$src failed: $(head -c 300 "$dir/build.log")"
    return 1
}

# run_native PROG [ARG...]: runs PROG (an absolute path) natively in $dir
# with an empty environment, into $dir/native.{out,err,status}; it must
# succeed.
run_native() {
    (cd "$dir" && timeout -k 5 "$GUEST_TIMEOUT" env -i "$@" \
        >native.out 2>native.err </dev/null; echo $? >native.status)
    [ "$(cat "$dir/native.status")" = 0 ] ||
        fail "the native run failed: $(head -c 300 "$dir/native.out" "$dir/native.err")"
}

# native_then_guest [GORUMP-OPTION...] -- PROG [ARG...]: run_native, then
# the same through gorump; the case then compares.
native_then_guest() {
    local opts=()
    while [ "$1" != -- ]; do opts+=("$1"); shift; done
    shift
    run_native "$@"
    run_tool run --timeout "$GUEST_TIMEOUT" --net none "${opts[@]}" "$@"
}

# tests/c/dynlink.c with CC: threads, TLS, NSS, dlopen of a library
# beside it (found through DT_RUNPATH $ORIGIN; --lib packs it).  Stdout as
# native, byte for byte, and nothing on stderr (no unimplemented call).
c_c_dynlink() {
    cc_build "$1" libgreet.so greet.c -shared -fPIC || return
    cc_build "$1" dynlink dynlink.c -pthread "-Wl,-rpath,\$ORIGIN" || return
    native_then_guest --lib "$PWD/$dir/libgreet.so" -- "$PWD/$dir/dynlink"
    expect_success
    expect_out_exact <"$dir/native.out"
    reject_err .
}

# tests/c/libdir.c with CC, linked against lib/libgreet.so without a run
# path: natively it runs with LD_LIBRARY_PATH=lib, in gorump with --lib
# lib (the directory, or the library itself), which must make the guest's
# loader find it too: the same output, LD_LIBRARY_PATH included.  An -e
# LD_LIBRARY_PATH keeps its directories after --lib's; an image built with
# --lib stores the variable, and --lib given again does not repeat it.
c_libdir() {
    local lib=$PWD/$dir/lib prog=$PWD/$dir/libdir
    mkdir -p "$dir/lib"
    cc_build "$1" lib/libgreet.so greet.c -shared -fPIC || return
    cc_build "$1" libdir libdir.c -Wl,--no-as-needed -L"$dir/lib" -lgreet ||
        return
    run_native "LD_LIBRARY_PATH=$lib" "$prog"
    local want=$dir/native.out run=(run --timeout "$GUEST_TIMEOUT" --net none)
    run_tool "${run[@]}" --lib "$lib" "$prog"
    expect_success
    expect_out_exact <"$want"
    run_tool "${run[@]}" --lib "$lib/libgreet.so" "$prog"
    expect_success
    expect_out_exact <"$want"
    run_tool "${run[@]}" -e LD_LIBRARY_PATH=/opt/x --lib "$lib" "$prog"
    expect_success
    expect_out_line "LD_LIBRARY_PATH=$lib:/opt/x"
    run_tool build -o "$dir/libdir.img" --lib "$lib" "$prog"
    expect_status 0
    run_tool "${run[@]}" "$dir/libdir.img"
    expect_success
    expect_out_exact <"$want"
    run_tool "${run[@]}" --lib "$lib" "$dir/libdir.img"
    expect_success
    expect_out_exact <"$want"
    # Without --lib the loader cannot find it, natively or here.
    run_tool "${run[@]}" "$prog"
    expect_status 125
    expect_err "needs libgreet.so, not found"
}

# tests/c/sharedpage.S: two segments sharing a page, mapped as Linux maps
# them (the gorump of before refused the program).
c_sharedpage() {
    cc_build gcc sharedpage sharedpage.S -nostdlib -static -no-pie \
        -Wl,--build-id=none -Wl,-T,tests/c/sharedpage.ld || return
    native_then_guest -- "$PWD/$dir/sharedpage"
    expect_success
    expect_out_exact <"$dir/native.out"
}

# tests/c/mapsnames.c built by CC: the files /proc/self/maps names (the
# program, its interpreter by its real path, its libraries), as natively.
c_mapsnames() {
    cc_build "$1" mapsnames mapsnames.c || return
    native_then_guest -- "$PWD/$dir/mapsnames"
    expect_success
    expect_out_exact <"$dir/native.out"
}

# c_as_native NAME CC [FLAG...]: tests/c/NAME.c built by CC with FLAGs
# succeeds and prints what it prints natively.
c_as_native() {
    local name=$1 cc=$2
    shift 2
    cc_build "$cc" "$name" "$name.c" "$@" || return 1
    native_then_guest -- "$PWD/$dir/$name"
    expect_success
    expect_out_exact <"$dir/native.out"
}

# tests/c/auxv.c built by CC with FLAGs (PIE or not, static or not):
# the auxiliary vector agrees with what the program sees of itself.
c_auxv() { c_as_native auxv "$@"; }

# tests/c/spawn.c built by CC with FLAGs: posix_spawn, vfork, waitpid,
# waitid and kill between processes, pidfds, process groups and sessions,
# SIGCHLD ignored, as natively, and no message.
c_spawn_c() { c_as_native spawn "$@" && reject_err .; }

# tests/c/fork.c built by CC with FLAGs: fork's copy-on-write copies,
# shared mappings, pipes, a grandchild, 200 forks without memory kept, as
# natively, and no message.
c_fork_c() { c_as_native fork "$@" -pthread && reject_err .; }

# The same on two CPUs (its thread writes on one while the other forks),
# and every child reaped at the end.
c_fork_cpus2() {
    cc_build gcc fork fork.c -pthread || return 1
    GORUMP_KERNEL_ARGS="gorump gorump.stats" \
        native_then_guest --cpus 2 -- "$PWD/$dir/fork"
    expect_success
    expect_out_exact <"$dir/native.out"
    expect_err '^gorump: stats: .* processes=1 '
    reject_err 'unimplemented|panic'
}

# tests/c/forkoom.c in 64 MiB: two fork children in turn run out of
# memory, each is killed with its own message, and the parent goes on.
c_fork_oom() {
    cc_build gcc forkoom forkoom.c -static || return 1
    run_tool run --timeout "$GUEST_TIMEOUT" --net none -m 64M \
        "$PWD/$dir/forkoom"
    expect_success
    expect_err_count 2 '^gorump: out of memory: no free page'
}

# Debian's /usr/bin/sort over a packed file, as the host sorts it.
c_debian_sort() {
    local f=$PWD/$dir/words
    printf '%s\n' pear apple "zebra crossing" Apple 10 9 banana "" >"$f"
    native_then_guest --file "$f:$f" -- /usr/bin/sort -f "$f"
    expect_status 0
    expect_out_exact <"$dir/native.out"
    reject_err .
}

# tests/cgo/threads built with cgo by Go VERSION: C threads, C TLS,
# LockOSThread, a signal on a C thread, os/user and the cgo resolver (a
# name from a packed /etc/hosts too); the debug lines say cgo answered.
c_cgo() {
    local go=${GO_OF[$1]} prog=$PWD/$dir/threads
    CGO_ENABLED=1 GOTOOLCHAIN=local GOPROXY=off "$go" build -o "$prog" \
        ./tests/cgo/threads 2>"$dir/build.log" ||
        { fail "go build: $(head -c 300 "$dir/build.log")"; return; }
    # Natively the host's /etc/hosts is not ours: no extra name there.
    run_native GODEBUG=netdns=cgo+2 "$prog"
    printf '127.0.0.1 localhost\n192.0.2.7 gorump-cgo-test\n' >"$dir/hosts"
    run_tool run --timeout "$GUEST_TIMEOUT" --net none \
        -e GODEBUG=netdns=cgo+2 --file "$dir/hosts:/etc/hosts" "$prog" \
        gorump-cgo-test=192.0.2.7
    expect_success
    expect_out_line "cgo resolver: gorump-cgo-test has 192.0.2.7" \
        "os/user through libc: ok" "C threads called back into Go: ok"
    expect_err_line "go package net: hostLookupOrder(gorump-cgo-test) = cgo"
    reject_err '^gorump:'
}

# tests/cgo/sqlite: github.com/mattn/go-sqlite3 as Debian packages it,
# over libsqlite3, its database file in the guest's /tmp.
c_cgo_sqlite() {
    local prog=$PWD/$dir/sqlite
    env -u GOROOT GO111MODULE=off GOPATH=/usr/share/gocode CGO_ENABLED=1 \
        GOTOOLCHAIN=local GOPROXY=off "${GO_OF[${VERSIONS[-1]}]}" build \
        -o "$prog" ./tests/cgo/sqlite 2>"$dir/build.log" ||
        { fail "go build: $(head -c 300 "$dir/build.log")"; return; }
    native_then_guest -- "$prog" "$PWD/$dir"
    expect_success
    expect_out_exact <"$dir/native.out"
}

# --- running -----------------------------------------------------------------

# run [-m SIZE] [-e K=V]... [--timeout S] PROGRAM [ARG...]: runs $B/PROGRAM
# through gorump, or natively with exactly the -e variables as environment.
run() {
    local opts=() envs=() libs=() timeout=$GUEST_TIMEOUT
    [ -n "$GUEST_CPUS" ] && opts+=(--cpus "$GUEST_CPUS") # a later --cpus wins
    while [ $# -gt 0 ]; do
        case $1 in
        -m | --machine | --disk-bus | --dir | --file | --cwd | -p | --net | --ip | \
            --gateway | --dns | -v | --cpus) opts+=("$1" "$2"); shift 2 ;;
        -e) opts+=("$1" "$2"); envs+=("$2"); shift 2 ;;
        --lib) opts+=("$1" "$2"); libs+=("$2"); shift 2 ;; # a directory
        --env-clear) opts+=("$1"); shift ;; # natively env -i clears

        --timeout) timeout=$2; shift 2 ;;
        *) break ;;
        esac
    done
    local prog=$B/$1
    [[ $1 == /* ]] && prog=$1 # a program outside the build (real.sh)
    shift
    if [ "$NATIVE" = 1 ]; then
        [ ${#libs[@]} = 0 ] || envs+=("LD_LIBRARY_PATH=$(IFS=:; echo "${libs[*]}")")
        capture timeout -k 5 "$timeout" env -i "${envs[@]}" "$prog" "$@"
    else
        capture_tool run --timeout "$timeout" "${opts[@]}" "$prog" "$@"
    fi
}

# run_tool ARG...: runs `gorump ARG...` exactly as given.
run_tool() { capture_tool "$@"; }

# The host-side timeout only guards against a gorump that ignores its own.
# (Judged by time, not status: 137 is also a program killed for OOM.)
capture_tool() {
    local start=$SECONDS limit=$((GUEST_TIMEOUT + 30))
    capture timeout -s KILL "$limit" "$GORUMP" "$@"
    [ $((SECONDS - start)) -lt "$limit" ] ||
        fail "gorump did not stop by itself after ${GUEST_TIMEOUT}s; killed"
}

# The subshell sends bash's "Killed" notice to /dev/null, not the report.
capture() {
    (
        "$@" >"$dir/stdout" 2>"$dir/stderr" </dev/null
        echo $? >"$dir/status"
    ) 2>/dev/null
}

# --- checks, called by cases after `run` -------------------------------------
# Each failed check appends one line to $dir/fail; a case passes when none
# did.  $dir is the case's scratch directory, $B its toolchain's build dir.

fail() { echo "$*" >>"$dir/fail"; }

expect_status() {
    local got
    got=$(cat "$dir/status" 2>/dev/null || echo none)
    [ "$got" = "$1" ] || fail "expected status $1, got $got"
}

# expect_{out,err}_line LINE...: each LINE is a whole line of the stream.
expect_out_line() {
    local l
    for l; do grep -Fxq -- "$l" "$dir/stdout" || fail "no stdout line '$l'"; done
}
expect_err_line() {
    local l
    for l; do grep -Fxq -- "$l" "$dir/stderr" || fail "no stderr line '$l'"; done
}

# expect_{out,err} REGEX...: each extended regex matches some line.
expect_out() {
    local r
    for r; do grep -Eq -- "$r" "$dir/stdout" || fail "stdout lacks /$r/"; done
}
expect_err() {
    local r
    for r; do grep -Eq -- "$r" "$dir/stderr" || fail "stderr lacks /$r/"; done
}

# reject_{out,err} REGEX...: no line matches.
reject_out() {
    local r
    for r; do ! grep -Eq -- "$r" "$dir/stdout" || fail "stdout has /$r/"; done
}
reject_err() {
    local r
    for r; do ! grep -Eq -- "$r" "$dir/stderr" || fail "stderr has /$r/"; done
}

# expect_err_count N REGEX: exactly N lines of stderr match.
expect_err_count() {
    local got
    got=$(grep -Ec -- "$2" "$dir/stderr")
    [ "$got" = "$1" ] || fail "stderr has /$2/ $got times, want $1"
}

# expect_out_exact < EXPECTED: stdout is byte for byte what stdin holds.
expect_out_exact() {
    cat >"$dir/expected"
    cmp -s "$dir/expected" "$dir/stdout" ||
        fail "stdout differs from $dir/expected:" \
            "$(cmp "$dir/expected" "$dir/stdout" 2>&1 |
                sed 's/^cmp: //; s/.*differ: //')"
}

# A tests/go program that checks itself: status 0, SUCCESS, no FAIL line.
expect_success() {
    expect_status 0
    expect_out_line SUCCESS
    reject_err '^FAIL'
}

# A refusal by the tool: status 125, nothing on stdout, and stderr naming
# the problem (extended regex, any case).  Patterns expect the house style
# "gorump: PATH: what failed", so the path comes before the reason.
expect_tool_error() {
    expect_status 125
    [ ! -s "$dir/stdout" ] || fail "stdout is not empty"
    grep -Eiq -- "$1" "$dir/stderr" || fail "stderr lacks /$1/ (any case)"
}

# --- registering cases -------------------------------------------------------

declare -a CASES=()       # case names, in order
declare -A CASE_CMD=()    # name -> "function arg..."
declare -A CASE_GO=()     # name -> Go version whose build dir it uses

go_case() {
    local name=$1 fn=${2:-} v
    shift $(($# > 1 ? 2 : 1))
    if [ -z "$fn" ]; then
        fn=c_${name//-/_}
        declare -F "$fn" >/dev/null || fn="c_default $name"
    elif ! declare -F "$fn" >/dev/null; then
        echo "run.sh: case $name: no function $fn" >&2
        exit 2
    fi
    for v in "${VERSIONS[@]}"; do
        add_case "go$v/$name" "$v" "$fn $*"
    done
}

# cpu_case NAME [FUNCTION [ARG...]]: build/cpu/NAME (tests/cpu/NAME.c) runs
# once as cpu/NAME, natively too; FUNCTION defaults as for go_case.
cpu_case() {
    local name=$1 fn=${2:-c_cpu_default}
    shift $(($# > 1 ? 2 : 1))
    add_case "cpu/$name" "${VERSIONS[-1]}" "$fn ${*:-$name}"
}

tool_case() {
    [ "$NATIVE" = 1 ] && return
    add_case "tool/$1" "${VERSIONS[-1]}" "c_${1//-/_}"
}

# dyn_case NAME [FUNCTION [ARG...]]: dyn/NAME runs FUNCTION (default
# c_NAME) once; skipped with GORUMP_NATIVE=1, since these cases run their
# program natively themselves and compare.
dyn_case() {
    [ "$NATIVE" = 1 ] && return
    local name=$1 fn=${2:-c_${1//-/_}}
    shift $(($# > 1 ? 2 : 1))
    add_case "dyn/$name" "${VERSIONS[-1]}" "$fn $*"
}

add_case() {
    [[ $1 =~ $GUEST_FILTER ]] || return 0
    CASES+=("$1")
    CASE_GO[$1]=$2
    CASE_CMD[$1]=$3
}

# --- building ----------------------------------------------------------------

# build GO VERSION: builds tests/go/* into build/goVERSION/ and examples/*
# into build/goVERSION/examples/ (go build skips what is up to date), as the
# case goVERSION/build, whose stderr is the compiler's.
build() {
    local go=$1 out=build/go$2 pkg dest start
    start=$(date +%s%N)
    dir=$WORK/go$2/build
    rm -rf "$dir" && mkdir -p "$dir" "$out/examples"
    make --no-print-directory -s cpu-tests >>"$dir/stderr" 2>&1 ||
        fail "make cpu-tests failed"
    for pkg in tests/go/*/ examples/*/; do
        pkg=${pkg%/}
        dest=$out/${pkg##*/}
        [[ $pkg == examples/* ]] && dest=$out/examples/${pkg##*/}
        env -u GOROOT CGO_ENABLED=0 GOOS=linux GOARCH=amd64 \
            GOTOOLCHAIN=local GOPROXY=off \
            "$go" build -o "$dest" "./$pkg" 2>>"$dir/stderr" ||
            fail "go build ./$pkg failed"
    done
    secs "$start" >"$dir/secs"
}

# shellcheck source=tests/guest/real.sh
. tests/guest/real.sh
# shellcheck source=tests/guest/bigprog.sh
. tests/guest/bigprog.sh
# shellcheck source=tests/guest/volume.sh
. tests/guest/volume.sh

# --- the driver --------------------------------------------------------------

passed=0
failed=0

# secs START_NS: elapsed seconds since START_NS, one decimal.
secs() {
    local ms=$((($(date +%s%N) - $1) / 1000000))
    printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100))
}

# printable: control characters (but tabs) shown as '?'.
printable() { sed 's/[^[:print:]\t]/?/g'; }

# tail_of FILE LABEL: the last lines of FILE, made printable.
tail_of() {
    [ -s "$1" ] || return 0
    tail -n 12 "$1" | printable | sed "s/^/    $2| /"
}

run_case() {
    local cmd start
    start=$(date +%s%N)
    dir=$WORK/$1
    B=build/go${CASE_GO[$1]}
    rm -rf "$dir" && mkdir -p "$dir"
    read -ra cmd <<<"${CASE_CMD[$1]}"
    "${cmd[@]}"
    [ -f "$dir/status" ] || fail "the case ran nothing"
    secs "$start" >"$dir/secs"
}

# report NAME: one line per case, and the output tails on failure.
report() {
    local d=$WORK/$1
    # No secs: the case's shell stopped before its end (an error under
    # set -u, say), so its checks did not all run.
    [ -f "$d/secs" ] || echo "the case stopped before its end" >>"$d/fail"
    if [ -s "$d/fail" ]; then
        failed=$((failed + 1))
        echo "FAIL $1: $(head -n1 "$d/fail" | printable)"
        tail -n +2 "$d/fail" | printable | sed 's/^/     also: /'
        tail_of "$d/stdout" stdout
        tail_of "$d/stderr" stderr
    else
        passed=$((passed + 1))
        echo "ok   $1 ($(cat "$d/secs" 2>/dev/null)s)"
    fi
}

main() {
    if ((BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] < 501)); then
        echo "run.sh: needs bash 5.1 or newer (wait -n -p)" >&2
        exit 2
    fi
    if ! [[ $JOBS =~ ^[1-9][0-9]*$ ]]; then
        echo "run.sh: JOBS=$JOBS: want a positive number" >&2
        exit 2
    fi
    if [ "$NATIVE" != 1 ] && [ ! -x "$GORUMP" ]; then
        echo "run.sh: $GORUMP is missing: run make (or GORUMP_NATIVE=1)" >&2
        exit 2
    fi
    local gos go v
    mapfile -t gos < <(scripts/go-versions.sh)
    [ "${#gos[@]}" -gt 0 ] || exit 2
    declare -gA GO_OF=()
    VERSIONS=()
    for go in "${gos[@]}"; do
        v=$("$go" env GOVERSION | sed 's/^go\([0-9]*\.[0-9]*\).*/\1/')
        VERSIONS+=("$v")
        GO_OF[$v]=$go
    done
    register_cases
    mkdir -p "$WORK"
    if [ "$NATIVE" = 1 ]; then
        echo "GORUMP_NATIVE=1: running on the host, tool cases skipped"
    fi

    # Build with each toolchain that some selected case uses.
    local name
    declare -A used=()
    for name in "${CASES[@]}"; do used[${CASE_GO[$name]}]=1; done
    for v in "${VERSIONS[@]}"; do
        [ -n "${used[$v]:-}" ] || continue
        build "${GO_OF[$v]}" "$v"
        report "go$v/build"
    done

    # Run the cases, JOBS at a time, reporting each as it finishes.
    declare -A pid_case=()
    local running=0 pid
    reap() {
        wait -n -p pid
        report "${pid_case[$pid]}"
        running=$((running - 1))
    }
    for name in "${CASES[@]}"; do
        while [ "$running" -ge "$JOBS" ]; do reap; done
        run_case "$name" &
        pid_case[$!]=$name
        running=$((running + 1))
    done
    while [ "$running" -gt 0 ]; do reap; done

    echo "$passed passed, $failed failed"
    [ "$failed" = 0 ]
}

main "$@"

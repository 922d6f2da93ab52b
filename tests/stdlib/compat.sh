#!/usr/bin/env bash
# tests/stdlib/compat.sh — which Go package tests pass inside gorump: runs
# `go test -short` of each package with every Go toolchain, in gorump and
# natively on the host, and reports per package and toolchain what passed,
# which tests failed and why (tests/stdlib/compat_report.py).
#
#   tests/stdlib/compat.sh [--write | --record | --check] [-l FILE] [PKG...]
#
#   PKG...     import paths, or package directories (a package of another
#              module: its directory), default: tests/stdlib/packages.txt
#   -l FILE    read the packages from FILE (packages.txt's format)
#   --write    record the result: write docs/COMPATIBILITY.md and update
#              tests/stdlib/expected.txt (`make compat`)
#   --record   update only tests/stdlib/expected.txt's lines of the packages
#              run (given, or from -l), in gorump and natively; the doc
#              shows them from the next `make compat`
#   --check    regression check, in gorump only, of tests/stdlib/subset.txt
#              unless packages are given: exits 1 when a test fails that
#              tests/stdlib/expected.txt does not list for its package and
#              Go version (`make compat COMPAT_SUBSET=1`)
#
#   GOS="/usr/lib/go-1.23/bin/go ..."
#                           toolchains (default: scripts/go-versions.sh)
#   JOBS=2                  runs in parallel
#   GORUMP=build/gorump     the tool under test
#   COMPAT_TIMEOUT=300      default seconds per package (packages.txt: timeout=)
#   COMPAT_RUN=REGEX        passed as -test.run
#   COMPAT_SKIP=REGEX       passed as -test.skip (Go 1.20 and later)
#   COMPAT_OUT=build/compat where the binaries, logs and the report go
#
# Each package's test binary is built with `go test -c`, its source
# directory packed into the guest at the same path and made the working
# directory (tests read ./testdata), and it runs with -test.short -test.v;
# natively the same binary runs with the same flags and environment.
# Everything lands in $COMPAT_OUT/GOVERSION/PKG.*: .test, .build (compiler
# output), .gorump.log and .native.log (stdout and stderr merged, so the
# kernel's `unimplemented syscall` lines sit between the tests that ran),
# .gorump.status/.native.status and .gorump.time/.native.time (seconds).
# The report is $COMPAT_OUT/COMPATIBILITY.md (with --write, docs/).  Ends
# with `N passed, N failed`, counting package runs in gorump; exits 0
# unless --check found a regression (or nothing could run).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
top=$PWD

GORUMP=${GORUMP:-build/gorump}
JOBS=${JOBS:-2}
TIMEOUT=${COMPAT_TIMEOUT:-300}
OUT=${COMPAT_OUT:-build/compat}
case $OUT in /*) abs=$OUT ;; *) abs=$top/$OUT ;; esac
LIST=tests/stdlib/packages.txt
SUBSET=tests/stdlib/subset.txt
EXPECTED=tests/stdlib/expected.txt
DOC=docs/COMPATIBILITY.md
REPORT=tests/stdlib/compat_report.py

die() {
    echo "compat.sh: $*" >&2
    exit 2
}

# --- the package list --------------------------------------------------------
# opts[PKG] holds a package's options ("pack=src/unicode timeout=900");
# pkgs the packages to run, in order.

declare -A opts=()
pkgs=()

# read_list FILE ADD: loads FILE's options (a package listed without any
# keeps those it has); with ADD=1 also runs its packages.
read_list() {
    local pkg rest
    [ -r "$1" ] || die "$1: cannot read"
    while read -r pkg rest; do
        case $pkg in '' | '#'*) continue ;; esac
        [ -z "$rest" ] || opts[$pkg]=$rest
        [ "$2" = 0 ] || pkgs+=("$pkg")
    done <"$1"
}

# opt PKG KEY DEFAULT: the last KEY= option of PKG, or DEFAULT.
opt() {
    local o v=$3
    for o in ${opts[$1]:-}; do
        case $o in "$2="*) v=${o#*=} ;; esac
    done
    echo "$v"
}

# packs PKG GOROOT VERSION: the files and directories PKG's pack= options
# add, one a line (pack=DIR@go1.19 only for versions that start with go1.19).
packs() {
    local o d only
    for o in ${opts[$1]:-}; do
        case $o in pack=*) d=${o#pack=} ;; *) continue ;; esac
        only=
        case $d in *@*) only=${d#*@} d=${d%@*} ;; esac
        case $3 in "$only"*) ;; *) continue ;; esac
        case $d in /*) ;; *) d=$2/$d ;; esac
        echo "$d"
    done
}

# --- one package with one toolchain ------------------------------------------

# test_args SECONDS [RUN]: the flags every run of a test binary gets; RUN
# replaces COMPAT_RUN.
test_args() {
    local a=(-test.short -test.v -test.timeout="$1s") run=${2:-${COMPAT_RUN:-}}
    [ -z "$run" ] || a+=(-test.run="$run")
    [ -z "${COMPAT_SKIP:-}" ] || a+=(-test.skip="$COMPAT_SKIP")
    printf '%s\n' "${a[@]}"
}

# A package named PKG@volume or PKG@share is PKG's tests with TMPDIR (where
# t.TempDir, os.CreateTemp and os.MkdirTemp write, and the directory most
# tests chdir into) on a new ext2 volume (gorump volume create, then
# -v FILE:/mnt/volume) or a new 9p share of an empty host directory (-v
# DIR:/mnt/share); after a run the host's e2fsck -fn must find the volume
# clean.  PKG@cpusN is PKG's tests in a guest with N CPUs (gorump run
# --cpus N), so that the test binary's threads run on several at once.
# Natively each is PKG's run.

# mount_of PKG: volume or share for such a name, else nothing.
mount_of() {
    case $1 in *@volume | *@share) echo "${1##*@}" ;; esac
}

# cpus_of PKG: N for PKG@cpusN, else nothing (gorump's default, one).
cpus_of() {
    case $1 in *@cpus[1-9]*) echo "${1##*@cpus}" ;; esac
}

# real PKG: the package PKG runs the tests of.
real() {
    case $1 in
    *@volume | *@share | *@cpus[1-9]*) echo "${1%@*}" ;;
    *) echo "$1" ;;
    esac
}

# scratch PKG VERSION: a new volume file or share directory for PKG's run,
# its absolute path on stdout.
scratch() {
    local f
    f=$abs/$2/$(name "$1").$(mount_of "$1")
    rm -rf "$f"
    case $(mount_of "$1") in
    volume) "$GORUMP" volume create "$f" "$(opt "$1" size 1G)" >/dev/null ;;
    share) mkdir "$f" ;;
    esac && echo "$f"
}

# fsck_clean VOLUME: nothing, or a failing pseudo-test with e2fsck's words
# and status 1 when e2fsck -fn finds the volume unclean or broken.
fsck_clean() {
    local out
    out=$(/sbin/e2fsck -fn "$1" 2>&1) && return 0
    echo "--- FAIL: VolumeFsck (0.00s)"
    echo "$out" | grep -v '^Pass\|^e2fsck' | head -20 | sed 's/^/    /'
    echo FAIL
    return 1
}

# where GO PKG: the directory to run go commands for PKG in, and the
# argument that names PKG there.  A standard package builds in GOROOT/src,
# the std module: in another module, that module's go line would choose
# the package's GODEBUG defaults (net/http's mux, for one).  A directory
# builds in itself, so another module's package builds in its own module.
where() {
    local src pkg
    pkg=$(real "$2")
    if [ -d "$pkg" ]; then
        echo "$pkg ."
        return
    fi
    src=$("$1" env GOROOT)/src
    if [ "$(cd "$src" && GOTOOLCHAIN=local "$1" list -f '{{.Standard}}' \
        "$pkg" 2>/dev/null)" = true ]; then
        echo "$src $pkg"
    else
        echo ". $pkg"
    fi
}

# build GO PKG BIN: `go test -c` (packages.txt: tags=).
build() {
    local go=$1 pkg=$2 bin=$3 dir arg
    read -r dir arg < <(where "$go" "$pkg")
    (cd "$dir" && env CGO_ENABLED=0 GOOS=linux GOARCH=amd64 \
        GOTOOLCHAIN=local "$go" test -c -o "$bin" \
        -tags="$(opt "$pkg" tags "")" "$arg")
}

# srcdir GO PKG: the package's source directory.
srcdir() {
    local dir arg
    read -r dir arg < <(where "$1" "$2")
    (cd "$dir" && GOTOOLCHAIN=local "$1" list -f '{{.Dir}}' "$arg")
}

# The runs: run_MODE BIN SRC GOROOT VERSION PKG [RUN] runs test binary BIN
# in SRC, only the tests RUN matches if given, with its output on stdout.

# run_gorump: in the guest.
run_gorump() {
    local bin=$1 src=$2 goroot=$3 ver=$4 pkg=$5 t args extra=() d tmp=/tmp st
    local m n vol=
    t=$(opt "$pkg" timeout "$TIMEOUT")
    n=$(cpus_of "$pkg")
    [ -z "$n" ] || extra+=(--cpus "$n")
    m=$(mount_of "$pkg")
    if [ -n "$m" ]; then
        d=$(scratch "$pkg" "$ver") || return 125
        tmp=/mnt/$m
        extra+=(-v "$d:$tmp")
        [ "$m" = share ] || vol=$d
    fi
    mapfile -t args < <(test_args "$t" "${6:-}")
    # At the path the test uses, even where the host's is a link.
    while read -r d; do
        if [ -f "$d" ]; then
            extra+=(--file "$(realpath "$d"):$d")
        else
            extra+=(--dir "$(realpath "$d"):$d")
        fi
    done < <(packs "$pkg" "$goroot" "$ver")
    "$GORUMP" run -m "$(opt "$pkg" mem 1G)" --net "$(opt "$pkg" net user)" \
        --timeout $((t + 60)) --dir "$src" --cwd "$src" "${extra[@]}" \
        -e GOROOT="$goroot" -e HOME=/root -e TMPDIR="$tmp" \
        "$bin" "${args[@]}" 2>&1
    st=$?
    [ -z "$vol" ] || fsck_clean "$vol" || st=1
    return $st
}

# run_native: on the host, in the same environment plus a PATH (tests that
# exec the go command find it).
run_native() {
    local bin=$1 src=$2 goroot=$3 pkg=$5 t args
    t=$(opt "$pkg" timeout "$TIMEOUT")
    mapfile -t args < <(test_args "$t" "${6:-}")
    (cd "$src" && timeout -k 10 $((t + 60)) env -i \
        PATH="$goroot/bin:/usr/bin:/bin" GOROOT="$goroot" GOTOOLCHAIN=local \
        HOME="${HOME:-/root}" TMPDIR=/tmp \
        "$bin" "${args[@]}") 2>&1
}

# unstarted BIN LOG: a -test.run regex for the tests of BIN that LOG does
# not show starting, or nothing if there are none.
unstarted() {
    local started
    started=$(sed -n 's/^=== RUN   \([^/]*\)$/\1/p' "$2" | sort -u)
    "$1" -test.list "${COMPAT_RUN:-.}" 2>/dev/null | grep -E '^[A-Za-z_]\w*$' |
        sort -u | comm -23 - <(echo "$started") |
        paste -sd'|' | sed 's/.\{1,\}/^(&)$/'
}

# run MODE BASE BIN SRC GOROOT VERSION PKG: run_MODE into BASE.MODE.log,
# its status and seconds into BASE.MODE.{status,time}.  A run that ends
# before the testing package's final PASS or FAIL (a panic, a crash, a
# timeout) goes on with the tests that had not started, up to 10 times, so
# that one broken test does not hide the rest; the first status is kept.
run() {
    local mode=$1 base=$2 bin=$3 start=$SECONDS st first n=0 re log
    log=$base.$mode.log
    shift 3
    "run_$mode" "$bin" "$@" >"$log"
    st=$?
    first=$st
    while [ $n -lt 10 ] && { [ "$st" -gt 1 ] ||
        { [ "$st" = 1 ] && [ "$(tail -n1 "$log")" != FAIL ]; }; }; do
        re=$(unstarted "$bin" "$log")
        [ -n "$re" ] || break
        echo "### compat.sh: status $st; running the tests not yet started" \
            >>"$log"
        "run_$mode" "$bin" "$@" "$re" >>"$log"
        st=$?
        n=$((n + 1))
    done
    echo "### compat.sh: status $st (end)" >>"$log"
    echo "$first" >"$base.$mode.status"
    echo $((SECONDS - start)) >"$base.$mode.time"
}

# task GO VERSION PKG MODES: build, then run in each of MODES (gorump,
# native); prints one line per run.
task() {
    local go=$1 ver=$2 pkg=$3 modes=$4 goroot base bin src mode st word
    goroot=$("$go" env GOROOT)
    base=$OUT/$ver/$(name "$pkg")
    bin=$abs/$ver/$(name "$pkg").test
    rm -f "$base".test "$base".build "$base".src "$base".gorump.* \
        "$base".native.*
    if ! build "$go" "$pkg" "$bin" >"$base.build" 2>&1; then
        echo "FAIL  $ver $pkg: go test -c failed (see $base.build)"
        return
    fi
    src=$(srcdir "$go" "$pkg") || src=$PWD
    echo "$src" >"$base.src"
    for mode in $modes; do
        run "$mode" "$base" "$bin" "$src" "$goroot" "$ver" "$pkg"
        st=$(cat "$base.$mode.status")
        # The check judges by expected.txt, not by the status: say only
        # that it ran.
        if [ "$check" = 1 ]; then word=ran; elif [ "$st" = 0 ]; then word=ok
        else word=FAIL; fi
        printf '%-5s %s %s %s (%ss, status %s)\n' "$word" "$ver" "$pkg" \
            "$mode" "$(cat "$base.$mode.time")" "$st"
    done
}

# name PKG: a file name for PKG (net/http -> net_http, ./x/y -> x_y).
name() {
    local n=${1#./}
    n=${n%/}
    n=${n//\//_}
    echo "${n:-root}"
}

# --- all of them ------------------------------------------------------------

# run_all MODES: every package with every toolchain, JOBS at a time, the
# packages that took longest last time first.
run_all() {
    local line go ver pkg
    while read -r _ go ver pkg; do
        while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
        task "$go" "$ver" "$pkg" "$1" &
    done < <(for line in "${plan[@]}"; do
        read -r go ver pkg <<<"$line"
        t=$(cat "$OUT/$ver/$(name "$pkg").gorump.time" 2>/dev/null ||
            echo 9999)
        echo "$t $go $ver $pkg"
    done | sort -s -k1,1nr)
    wait
}

# plan: the runs, "GO VERSION PKG" in plan[]; the manifest tells the report
# the same, with each run's files and the packed paths.
plan() {
    local go ver goroot pkg
    plan=()
    mkdir -p "$OUT"
    : >"$manifest"
    for go in "${gos[@]}"; do
        ver=$("$go" env GOVERSION) || die "$go: not a Go toolchain"
        goroot=$("$go" env GOROOT)
        mkdir -p "$OUT/$ver"
        for pkg in "${pkgs[@]}"; do
            # go=newest: only with the newest toolchain.
            [ "$(opt "$pkg" go all)" = newest ] && [ "$go" != "${gos[-1]}" ] &&
                continue
            plan+=("$go $ver $pkg")
            printf '%s\t%s\t%s\t%s\t%s\n' "$ver" "$pkg" \
                "$OUT/$ver/$(name "$pkg")" "$goroot" \
                "$(packs "$pkg" "$goroot" "$ver" | tr '\n' ' ')" >>"$manifest"
        done
    done
    rm -f "$OUT"/*/*.first.*
}

# check_retry: the regression check.  A new failure is run once more before
# it counts: under emulation a timing-sensitive test can fail once; only a
# failure that repeats is a regression (a flaky one is named, not counted).
check_retry() {
    local kind ver pkg go line base f retry=()
    "${report[@]}" check >"$OUT/check" && { cat "$OUT/check"; return 0; }
    while read -r kind ver pkg _; do
        [ "$kind" = NEW ] || continue
        for go in "${gos[@]}"; do
            [ "$("$go" env GOVERSION)" = "$ver" ] && retry+=("$go|$ver|$pkg")
        done
    done <"$OUT/check"
    [ ${#retry[@]} -gt 0 ] || { cat "$OUT/check"; return 1; }
    for line in $(printf '%s\n' "${retry[@]}" | sort -u); do
        IFS='|' read -r go ver pkg <<<"$line"
        base=$OUT/$ver/$(name "$pkg")
        for f in log status time; do
            mv "$base.gorump.$f" "$base.first.$f"
        done
        echo "retrying $ver $pkg"
        task "$go" "$ver" "$pkg" gorump
    done
    "${report[@]}" --retried check
}

mode=report
check=0
lists=()
while [ $# -gt 0 ]; do
    case $1 in
    --write) mode="write"; shift ;;
    --record) mode=record; shift ;;
    --check) mode=check check=1; shift ;;
    -l) [ $# -ge 2 ] || die "-l needs a FILE"; lists+=("$2"); shift 2 ;;
    -h | --help)
        sed -n '2,/^set -uo/{/^set -uo/d;s/^# \{0,1\}//;p}' "$0"
        exit 0
        ;;
    -*) die "unknown option $1 (try --help)" ;;
    *) break ;;
    esac
done
if [ "$mode" = write ] && { [ $# -gt 0 ] || [ ${#lists[@]} -gt 0 ]; }; then
    die "--write records the whole list: give no packages"
fi
if [ "$mode" = record ] && [ $# = 0 ] && [ ${#lists[@]} = 0 ]; then
    die "--record updates the packages given: give some (or -l FILE)"
fi

read_list "$LIST" 0
for l in "${lists[@]}"; do read_list "$l" 1; done
pkgs+=("$@")
if [ ${#pkgs[@]} = 0 ]; then
    if [ "$mode" = check ]; then l=$SUBSET; else l=$LIST; fi
    read_list "$l" 1
fi
[ -x "$GORUMP" ] || die "$GORUMP: not built (make all)"
read -r -a gos <<<"${GOS:-$(scripts/go-versions.sh | tr '\n' ' ')}"
[ ${#gos[@]} -gt 0 ] || die "no Go toolchain"

manifest=$OUT/manifest.tsv
plan
start=$SECONDS
if [ "$mode" = check ]; then run_all gorump; else run_all "gorump native"; fi
took=$((SECONDS - start))

report=(python3 "$REPORT" --manifest "$manifest" --took "$took"
    --jobs "$JOBS" --gorump "$GORUMP" --expected "$EXPECTED")
case $mode in
report) "${report[@]}" --markdown "$OUT/COMPATIBILITY.md" summary ;;
record)
    "${report[@]}" --markdown "$OUT/COMPATIBILITY.md" summary &&
        echo "updating $EXPECTED" && "${report[@]}" record
    ;;
write)
    echo "writing $DOC and $EXPECTED"
    "${report[@]}" record &&
        "${report[@]}" --markdown "$DOC" --command "make compat" summary
    ;;
check) check_retry ;;
esac

#!/usr/bin/env bash
# tests/stdlib/run.sh — runs Go standard-library package tests inside
# gorump: each package's test binary is built with `go test -c`, its source
# directory is packed into the guest at the same path and made the working
# directory (tests read ./testdata), and the binary runs with -test.short.
#
#   tests/stdlib/run.sh [PKG...]         default: os io/fs path/filepath
#   GOS="/usr/lib/go-1.23/bin/go ..."    toolchains (default: scripts/go-versions.sh)
#   STDLIB_RUN=REGEX / STDLIB_SKIP=REGEX passed as -test.run / -test.skip
#   STDLIB_TIMEOUT=600                   seconds per package
#
# Prints one line per package and toolchain, the failing tests' names, and
# ends with `N passed, N failed`.  Output is kept in build/stdlib/.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2

GORUMP=${GORUMP:-build/gorump}
TIMEOUT=${STDLIB_TIMEOUT:-600}
OUT=build/stdlib
[ $# -gt 0 ] || set -- os io/fs path/filepath
read -r -a gos <<<"${GOS:-$(scripts/go-versions.sh | tr '\n' ' ')}"

passed=0 failed=0
for go in "${gos[@]}"; do
    ver=$("$go" env GOVERSION)
    goroot=$("$go" env GOROOT)
    for pkg in "$@"; do
        name=${pkg//\//_}
        dir=$OUT/$ver
        mkdir -p "$dir"
        bin=$dir/$name.test
        if ! env CGO_ENABLED=0 GOOS=linux GOARCH=amd64 GOTOOLCHAIN=local \
            "$go" test -c -o "$bin" "$pkg" >"$dir/$name.build" 2>&1; then
            echo "FAIL $ver $pkg: go test -c failed (see $dir/$name.build)"
            failed=$((failed + 1))
            continue
        fi
        src=$("$go" list -f '{{.Dir}}' "$pkg")
        args=(-test.short -test.timeout="${TIMEOUT}s" -test.v)
        [ -z "${STDLIB_RUN:-}" ] || args+=(-test.run="$STDLIB_RUN")
        [ -z "${STDLIB_SKIP:-}" ] || args+=(-test.skip="$STDLIB_SKIP")
        start=$SECONDS
        "$GORUMP" run -m 1G --timeout $((TIMEOUT + 60)) \
            --dir "$src" --cwd "$src" -e GOROOT="$goroot" -e HOME=/root \
            "$bin" "${args[@]}" >"$dir/$name.out" 2>&1
        status=$?
        took=$((SECONDS - start))
        if [ $status = 0 ]; then
            echo "ok   $ver $pkg (${took}s)"
            passed=$((passed + 1))
        else
            echo "FAIL $ver $pkg: status $status (${took}s), output in $dir/$name.out"
            grep -E '^\s*--- FAIL' "$dir/$name.out" | sed 's/^/    /' | head -n 40
            failed=$((failed + 1))
        fi
    done
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]

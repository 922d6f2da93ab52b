#!/usr/bin/env bash
# scripts/demo.sh — `make demo`: builds examples/hello with the newest Go and
# boots it under gorump, showing argv and the environment arriving.
#
# TODO: once the kernel has networking (virtio-net + lwIP), boot
# examples/httpd instead, on a tap device with a static address like the
# seed project's demo, and show `curl http://ADDRESS:3000/fast` answering.
set -euo pipefail
cd "$(dirname "$0")/.."

GORUMP=${GORUMP:-build/gorump}
go=$(scripts/go-versions.sh | tail -n1)
bin=build/demo/hello

mkdir -p build/demo
env -u GOROOT CGO_ENABLED=0 GOOS=linux GOARCH=amd64 GOTOOLCHAIN=local \
    GOPROXY=off "$go" build -o "$bin" ./examples/hello
set -x
"$GORUMP" run -e GREETING="hello, unikernel" "$bin" one "two words"

# tests/guest/real.sh — cases with programs no one here wrote: Go programs
# exactly as Debian 12 ships them (dynamically linked, built with cgo),
# downloaded as .debs and unpacked under build/real/root, and programs of
# ours built on Go libraries from Debian's golang-*-dev packages.  Each
# output is compared byte for byte with the same program's native run.
# Sourced by run.sh, which calls register_real_cases; the cases are named
# real/NAME and run once, with the newest Go where they build something.

REAL=build/real
REAL_ROOT=$PWD/$REAL/root

register_real_cases() {
    real_case gron
    real_case gron-ungron
    real_case age-decrypt
    real_case age-encrypt
    real_case bbolt
    real_case bbolt-crash
    real_case sqlite-crash
    real_case sqlite-wal-crash
    real_case restic
    real_case caddy
    real_case etcd
    real_case prometheus
    real_case syncthing
    real_case hugo
}

real_case() { add_case "real/$1" "${VERSIONS[-1]}" "c_real_${1//-/_}"; }

# debian_pkg PKG...: unpacks each package's files under $REAL_ROOT, once;
# parallel cases wait for each other on a lock.
debian_pkg() {
    local p deb
    mkdir -p "$REAL/debs" "$REAL_ROOT"
    (
        flock 9
        for p; do
            [ -f "$REAL/debs/$p.done" ] && continue
            # Old package lists may name a version the archive has
            # dropped: then refresh them once and try again.
            (cd "$REAL/debs" && { apt-get download -q "$p" >/dev/null 2>&1 ||
                { apt-get update -qq >/dev/null 2>&1 &&
                    apt-get download -q "$p" >/dev/null 2>&1; }; }) || {
                echo "cannot download Debian package $p" >&2
                exit 1
            }
            deb=$(ls "$REAL/debs/${p}"_*.deb | head -n1)
            dpkg-deb -x "$deb" "$REAL_ROOT" && touch "$REAL/debs/$p.done"
        done
    ) 9>"$REAL/lock" 2>>"$dir/setup" || fail "setup: $(cat "$dir/setup")"
}

# share FILE...: packs each host file at its own absolute path, so the
# program's arguments are the same in the guest and natively.
share() {
    local f
    SHARE=()
    for f; do SHARE+=(--file "$PWD/$f:$PWD/$f"); done
}

# signal_program SIG NAME PATTERN: SIG to the running server: through the
# tool in gorump (signal_tool), natively to the process NAME started by
# the case (else the one whose command line matches PATTERN).
signal_program() {
    if [ "$NATIVE" = 1 ]; then
        kill "-$1" "$(pgrep -P "$guest" -x "$2" || pgrep -f "$3" | head -n1)"
    else
        signal_tool "$1"
    fi
}

# native_out CMD...: the program's native stdout, into $dir/native.out.
native_out() { "$@" >"$dir/native.out" 2>"$dir/native.err" </dev/null; }

# make_json FILE N: a JSON document of N items (2000: about 400 KB) with
# nesting, arrays, numbers, escapes and nulls.
make_json() {
    python3 - "$2" >"$1" <<'PY'
import json, sys
items = [{"id": i, "name": "item %d \u00e9" % i, "tags": ["a", "b", str(i % 7)],
          "price": i * 1.25, "ok": i % 3 == 0,
          "nested": {"x": [1, 2, {"y": None}], "s": "q\"uote\\d"}}
         for i in range(int(sys.argv[1]))]
print(json.dumps({"items": items, "count": len(items)}, indent=1))
PY
}

# gron flattens JSON into assignments (a 400 KB document, ~900 KB of output).
c_real_gron() {
    debian_pkg gron
    make_json "$dir/in.json" 2000
    share "$dir/in.json"
    native_out "$REAL_ROOT/usr/bin/gron" "$PWD/$dir/in.json"
    run "${SHARE[@]}" "$REAL_ROOT/usr/bin/gron" "$PWD/$dir/in.json"
    expect_status 0
    expect_out_exact <"$dir/native.out"
}

# gron -u turns the assignments back into JSON (slow: a smaller document).
c_real_gron_ungron() {
    debian_pkg gron
    make_json "$dir/in.json" 150
    "$REAL_ROOT/usr/bin/gron" "$dir/in.json" >"$dir/in.gron"
    share "$dir/in.gron"
    native_out "$REAL_ROOT/usr/bin/gron" -u "$PWD/$dir/in.gron"
    run "${SHARE[@]}" "$REAL_ROOT/usr/bin/gron" -u "$PWD/$dir/in.gron"
    expect_status 0
    expect_out_exact <"$dir/native.out"
}

# age decrypts, in the guest, a file encrypted natively to a key made
# natively (X25519 and ChaCha20-Poly1305 from Go's crypto).
c_real_age_decrypt() {
    debian_pkg age
    local bin=$REAL_ROOT/usr/bin
    head -c 300000 /dev/urandom >"$dir/plain"
    "$bin/age-keygen" -o "$dir/key.txt" 2>/dev/null
    "$bin/age" -r "$("$bin/age-keygen" -y "$dir/key.txt")" \
        -o "$dir/msg.age" "$dir/plain"
    share "$dir/key.txt" "$dir/msg.age"
    run "${SHARE[@]}" "$bin/age" -d -i "$PWD/$dir/key.txt" "$PWD/$dir/msg.age"
    expect_status 0
    expect_out_exact <"$dir/plain"
}

# age encrypts in the guest (armored, to stdout); the native age decrypts.
c_real_age_encrypt() {
    debian_pkg age
    local bin=$REAL_ROOT/usr/bin
    seq 1 20000 >"$dir/plain"
    "$bin/age-keygen" -o "$dir/key.txt" 2>/dev/null
    share "$dir/plain"
    run "${SHARE[@]}" "$bin/age" -a \
        -r "$("$bin/age-keygen" -y "$dir/key.txt")" "$PWD/$dir/plain"
    expect_status 0
    expect_out '^-----BEGIN AGE ENCRYPTED FILE-----$'
    "$bin/age" -d -i "$dir/key.txt" "$dir/stdout" >"$dir/decrypted" 2>&1 ||
        fail "the native age cannot decrypt the guest's output"
    cmp -s "$dir/plain" "$dir/decrypted" ||
        fail "what the guest encrypted decrypts to something else"
}

# bbolt (etcd's database, from golang-go.etcd-io-bbolt-dev) writes, closes
# and reopens a database with mmap'd pages, in one guest run.
c_real_bbolt() {
    local go=${GO_OF[${VERSIONS[-1]}]} prog=$PWD/$REAL/bbolt-test
    [ -d /usr/share/gocode/src/go.etcd.io/bbolt ] ||
        { fail "setup: golang-go.etcd-io-bbolt-dev is not installed"; return; }
    env -u GOROOT GO111MODULE=off GOPATH=/usr/share/gocode CGO_ENABLED=0 \
        GOTOOLCHAIN=local \
        "$go" build -o "$prog" ./tests/real/_bbolt 2>"$dir/build.err" ||
        { fail "setup: go build tests/real/_bbolt: $(head -n3 "$dir/build.err")"; return; }
    run "$prog" /tmp/bolt.db 3000
    expect_success
    expect_out_line "reopened: 3000 keys, checksum ok"
}

# db_crash PROG WRITE_ARG...: a database on a volume survives its guest
# being killed in the middle of a transaction.  Four rounds: PROG write
# commits numbered transactions and prints each one committed; after a
# random 2-5 s, QEMU gets SIGKILL (natively, the program); then PROG check
# N, in a new guest on the same volume (which gorump run repairs with
# e2fsck -p first), runs the database's integrity check and wants every
# transaction up to the last printed one.  At the end the volume must be
# clean (gorump volume check).
db_crash() {
    local prog=$1 round want=0 got victim vol=$PWD/$dir/vol.img db=/data/db
    shift
    if [ "$NATIVE" = 1 ]; then
        db=$PWD/$dir/db
    else
        "$GORUMP" volume create "$vol" 256M >/dev/null 2>"$dir/setup" ||
            { fail "setup: gorump volume create: $(head -n2 "$dir/setup")"; return; }
    fi
    for round in 1 2 3 4; do
        start_guest -v "$vol:/data" "$prog" write "$db" "$@"
        await_out '^committed ' || return
        sleep "$((2 + RANDOM % 3)).$((RANDOM % 10))"
        if [ "$NATIVE" = 1 ]; then
            victim=$(descendant "$guest" "${prog##*/}")
        else
            victim=$(descendant "$guest" qemu-system-x86)
        fi || { fail "round $round: the writer was gone before the kill"; return; }
        kill -KILL "$victim"
        wait "$guest"
        cp "$dir/stdout" "$dir/write$round.out"
        cp "$dir/stderr" "$dir/write$round.err"
        reject_out '^FAIL'
        got=$(sed -n 's/^committed //p' "$dir/stdout" | tail -n1)
        [ "${got:-0}" -gt "$want" ] ||
            { fail "round $round: no transaction after $want"; return; }
        want=$got
        run -v "$vol:/data" "$prog" check "$db" "$want"
        cp "$dir/stdout" "$dir/check$round.out"
        cp "$dir/stderr" "$dir/check$round.err"
        expect_success
        [ ! -s "$dir/fail" ] || { fail "round $round: check $want failed"; return; }
    done
    [ "$NATIVE" = 1 ] || "$GORUMP" volume check "$vol" >"$dir/fsck" 2>&1 ||
        fail "the volume is not clean after the last check: $(tail -n3 "$dir/fsck")"
}

# db_build PROG PACKAGE CGO: builds tests/real/_PROG in GOPATH mode over
# Debian's golang-*-dev sources into $REAL/PROG.
db_build() {
    [ -d "/usr/share/gocode/src/$2" ] ||
        { fail "setup: $2 is not installed (scripts/deps.sh)"; return 1; }
    env -u GOROOT GO111MODULE=off GOPATH=/usr/share/gocode CGO_ENABLED="$3" \
        GOTOOLCHAIN=local GOPROXY=off "${GO_OF[${VERSIONS[-1]}]}" build \
        -o "$PWD/$dir/$1" "./tests/real/_$1" 2>"$dir/build.err" ||
        { fail "setup: go build tests/real/_$1: $(head -n3 "$dir/build.err")"; return 1; }
}

# bbolt (golang-go.etcd-io-bbolt-dev), killed mid-transaction: tx.Check
# and every committed transaction (tests/real/_boltcrash).
c_real_bbolt_crash() {
    db_build boltcrash go.etcd.io/bbolt 0 || return
    db_crash "$PWD/$dir/boltcrash"
}

# SQLite (go-sqlite3 over libsqlite3, cgo) with its rollback journal and
# with its write-ahead log (the -shm file mapped shared), killed
# mid-transaction: PRAGMA integrity_check and every committed transaction
# (tests/real/_sqlitecrash).
c_real_sqlite_crash() {
    db_build sqlitecrash github.com/mattn/go-sqlite3 1 || return
    db_crash "$PWD/$dir/sqlitecrash" delete
}
c_real_sqlite_wal_crash() {
    db_build sqlitecrash github.com/mattn/go-sqlite3 1 || return
    db_crash "$PWD/$dir/sqlitecrash" wal
}

# restic (Debian's, as shipped) backs up a packed tree into a packed
# repository made natively; its JSON summary must count every file and
# byte.  restic lists each file's extended attributes (listxattr), takes
# its cache under $HOME, and hashes with Go's crypto.
c_real_restic() {
    debian_pkg restic
    local bin=$REAL_ROOT/usr/bin/restic i nfiles=0 nbytes=0
    mkdir -p "$dir/data/sub/deeper"
    for i in $(seq 1 40); do
        head -c $((i * 997)) /dev/urandom >"$dir/data/f$i"
        seq 1 $((i * 50)) >"$dir/data/sub/s$i.txt"
    done
    echo small >"$dir/data/sub/deeper/leaf"
    ln -s ../f1 "$dir/data/sub/link"
    nfiles=$(find "$dir/data" -type f | wc -l)
    nbytes=$(find "$dir/data" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
    RESTIC_PASSWORD=pw "$bin" -q -r "$dir/repo" init >/dev/null 2>"$dir/init.err" ||
        { fail "setup: restic init: $(head -n2 "$dir/init.err")"; return; }
    run -m 512M -e RESTIC_PASSWORD=pw --dir "$PWD/$dir/repo" \
        --dir "$PWD/$dir/data" \
        "$bin" -r "$PWD/$dir/repo" backup --json "$PWD/$dir/data"
    expect_status 0
    expect_out '"message_type":"summary"' "\"total_files_processed\":$nfiles," \
        "\"total_bytes_processed\":$nbytes,"
    # The guest's default environment has HOME (natively env -i has none).
    [ "$NATIVE" = 1 ] || reject_err 'unable to open cache'
}

# hugo (Debian's, dynamically linked) with libsass1 unpacked beside it
# rather than installed, so that only --lib finds libsass.so.1, as
# LD_LIBRARY_PATH does natively: it builds a small site (Markdown,
# templates, tags, the sitemap and feeds) into the shared directory, and
# every page comes out as the native build's.
c_real_hugo() {
    debian_pkg hugo libsass1
    local site=$PWD/$dir/site lib=$REAL_ROOT/usr/lib/x86_64-linux-gnu i
    mkdir -p "$site/layouts/_default" "$site/content/posts"
    printf 'baseURL = "http://example.test/"\ntitle = "gorump"\n' \
        >"$site/config.toml"
    echo '<ul>{{ range .Site.RegularPages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Params.tags }}</li>{{ end }}</ul>' \
        >"$site/layouts/index.html"
    echo '<h1>{{ .Title }}</h1>{{ .Content }}{{ .WordCount }}' \
        >"$site/layouts/_default/single.html"
    echo '{{ range .Pages }}{{ .Title }};{{ end }}' \
        >"$site/layouts/_default/list.html"
    for i in 1 2 3 4 5; do
        printf -- '---\ntitle: "Post %s"\ndate: 2026-01-0%sT10:00:00Z\ntags: ["t%s", "all"]\n---\n# Part %s\n\nSome *text* with `code` and a [link](/posts/p1/).\n\n- one\n- two\n' \
            "$i" "$i" $((i % 2)) "$i" >"$site/content/posts/p$i.md"
    done
    LD_LIBRARY_PATH=$lib "$REAL_ROOT/usr/bin/hugo" --quiet -s "$site" \
        -d "$site/native" >"$dir/native.out" 2>&1 ||
        { fail "setup: native hugo: $(head -n3 "$dir/native.out")"; return; }
    run -v "$site:$site" --lib "$lib" "$REAL_ROOT/usr/bin/hugo" --quiet \
        -s "$site" -d "$site/guest"
    expect_status 0
    [ -s "$site/guest/posts/p3/index.html" ] || fail "no page for post 3"
    diff -r "$site/native" "$site/guest" >"$dir/diff" 2>&1 ||
        fail "the pages differ from the native build's: $(head -c 300 "$dir/diff")"
}

# caddy (Debian's, as shipped) serves a static response, takes a new
# configuration through its admin API (POST /load), serves the new one,
# and exits 0 on SIGTERM after its graceful shutdown.
c_real_caddy() {
    debian_pkg caddy
    local web admin a
    web=$(free_port) && admin=$(free_port) || return
    for a in one two; do
        printf '{"admin":{"listen":"0.0.0.0:%s"},"apps":{"http":{"servers":{"s":{"listen":[":%s"],"routes":[{"handle":[{"handler":"static_response","body":"%s\\n"}]}]}}}}}\n' \
            "$admin" "$web" "$a" >"$dir/$a.json"
    done
    share "$dir/one.json"
    # caddy keeps state under $HOME (natively there is none: it would use
    # the working directory, the repository).
    start_guest "${SHARE[@]}" -e "HOME=$PWD/$dir/home" -p "$web:$web" -p "$admin:$admin" \
        "$REAL_ROOT/usr/bin/caddy" run --config "$PWD/$dir/one.json"
    if await_err '"msg":"serving initial configuration"'; then
        curl -fsS -m 30 "http://127.0.0.1:$web/" >"$dir/got1" 2>>"$dir/host" ||
            fail "GET before the reload failed"
        curl -fsS -m 60 -X POST -H 'Content-Type: application/json' \
            --data-binary "@$dir/two.json" "http://127.0.0.1:$admin/load" \
            >>"$dir/host" 2>&1 || fail "POST /load failed"
        curl -fsS -m 30 "http://127.0.0.1:$web/" >"$dir/got2" 2>>"$dir/host" ||
            fail "GET after the reload failed"
        [ "$(cat "$dir/got1")" = one ] || fail "before the reload: '$(head -c 80 "$dir/got1")'"
        [ "$(cat "$dir/got2")" = two ] || fail "after the reload: '$(head -c 80 "$dir/got2")'"
        signal_program TERM caddy "caddy run --config $PWD/$dir/one.json"
    fi
    wait "$guest"
    expect_status 0
    expect_err '"msg":"shutdown complete","signal":"SIGTERM","exit_code":0'
}

# etcd (Debian's etcd-server, as shipped): a single-member cluster whose
# bbolt store is mmap'd; keys are put, listed by prefix and deleted through
# its v3 JSON gateway, then SIGTERM stops it after its clean-up.
c_real_etcd() {
    debian_pkg etcd-server
    local client peer url out
    client=$(free_port) && peer=$(free_port) || return
    url=http://127.0.0.1:$client
    start_guest -m 512M -p "$client:$client" -p "$peer:$peer" \
        "$REAL_ROOT/usr/bin/etcd" --data-dir "$PWD/$dir/etcd" \
        --listen-client-urls "http://0.0.0.0:$client" --advertise-client-urls "$url" \
        --listen-peer-urls "http://0.0.0.0:$peer" \
        --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
        --initial-cluster "default=http://127.0.0.1:$peer"
    if await_err 'ready to serve client requests'; then
        # keys and values are base64: "k/1".."k/3" = "v1".."v3", "zz" = "x"
        for kv in ay8x:djE= ay8y:djI= ay8z:djM= eno=:eA==; do
            curl -fsS -m 30 -X POST "$url/v3/kv/put" \
                -d "{\"key\":\"${kv%%:*}\",\"value\":\"${kv#*:}\"}" \
                >>"$dir/host" 2>&1 || fail "put ${kv%%:*} failed"
        done
        curl -fsS -m 30 -X POST "$url/v3/kv/deleterange" -d '{"key":"ay8y"}' \
            >>"$dir/host" 2>&1 || fail "delete failed"
        # range_end "k0" ends the prefix "k/"
        out=$(curl -fsS -m 30 -X POST "$url/v3/kv/range" \
            -d '{"key":"ay8=","range_end":"azA=","keys_only":false}' 2>>"$dir/host")
        echo "$out" >>"$dir/host"
        [[ $out == *'"count":"2"'* && $out == *'"value":"djE="'* &&
            $out == *'"value":"djM="'* && $out != *'djI='* ]] ||
            fail "range of k/: $out"
        signal_program TERM etcd "etcd --data-dir $PWD/$dir/etcd"
    fi
    wait "$guest"
    # etcd re-raises the signal after cleaning up, except as pid 1 (a
    # container's init, as the program is in gorump), where it exits 0.
    if [ "$NATIVE" = 1 ]; then expect_status 143; else expect_status 0; fi
    expect_err 'received terminated signal, shutting down'
}

# syncthing (Debian's, as shipped) is its own monitor by default: the
# first process starts itself again as a child (os/exec, STMONITORED=yes)
# and starts a new one when that child exits with status 3.  Its REST API
# answers from the child; a restart through the API ends that child and
# the monitor starts another, with the same device ID, whose API answers
# again; a shutdown ends both, the monitor with status 0.
c_real_syncthing() {
    debian_pkg syncthing
    local port key=gorump-test-key url id1 id2 i
    port=$(free_port) || return
    url=http://127.0.0.1:$port/rest/system
    start_guest -m 512M -p "$port:$port" -e STNODEFAULTFOLDER=1 -e HOME="$PWD/$dir" \
        "$REAL_ROOT/usr/bin/syncthing" serve --home="$PWD/$dir/home" \
        --no-browser --gui-address="http://0.0.0.0:$port" --gui-apikey="$key"
    if await_out 'GUI and API listening on'; then
        id1=$(syncthing_get "$url/status" | grep -o '"myID": *"[A-Z0-9-]*"')
        [ -n "$id1" ] || fail "no device ID from /rest/system/status"
        syncthing_get "$url/restart" -X POST | grep -q restarting ||
            fail "restart not accepted"
        for ((i = 0; i < 600; i++)); do
            [ "$(grep -c 'GUI and API listening on' "$dir/stdout")" -ge 2 ] && break
            kill -0 "$guest" 2>/dev/null || break
            sleep 0.1
        done
        expect_out '^\[monitor\] .*Syncthing exited: exit status 3$'
        id2=$(syncthing_get "$url/status" | grep -o '"myID": *"[A-Z0-9-]*"')
        [ "$id2" = "$id1" ] || fail "after the restart: device '$id2', before '$id1'"
        syncthing_get "$url/shutdown" -X POST | grep -q 'shutting down' ||
            fail "shutdown not accepted"
    fi
    wait "$guest"
    expect_status 0
    [ "$(grep -c 'INFO: Exiting$' "$dir/stdout")" = 2 ] ||
        fail "want two children to have ended: $(grep -c 'INFO: Exiting$' "$dir/stdout")"
}

# syncthing_get URL [CURL-ARG...]: the API's answer, with the test's key.
syncthing_get() {
    local url=$1
    shift
    curl -fsS -m 30 -H "X-API-Key: gorump-test-key" "$@" "$url" 2>>"$dir/host" |
        tee -a "$dir/host"
}

# prometheus (Debian's, as shipped) scrapes itself once a second into its
# TSDB (mmap'd chunk files, a query log), answers a PromQL query, reloads
# its configuration on SIGHUP without stopping, and exits 0 on SIGTERM.
c_real_prometheus() {
    debian_pkg prometheus
    local port out i
    port=$(free_port) || return
    printf 'global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: self\n    static_configs:\n      - targets: ["127.0.0.1:%s"]\n' \
        "$port" >"$dir/prometheus.yml"
    share "$dir/prometheus.yml"
    start_guest -m 512M "${SHARE[@]}" -p "$port:$port" \
        "$REAL_ROOT/usr/bin/prometheus" --config.file="$PWD/$dir/prometheus.yml" \
        --storage.tsdb.path="$PWD/$dir/data" --web.listen-address=":$port"
    if await_err 'Server is ready to receive web requests'; then
        for ((i = 0; i < 60; i++)); do
            out=$(curl -fsS -m 30 "http://127.0.0.1:$port/api/v1/query?query=up" 2>>"$dir/host")
            [[ $out == *'"job":"self"'*'"1"]'* ]] && break
            sleep 1
        done
        echo "$out" >>"$dir/host"
        [[ $out == *'"job":"self"'*'"1"]'* ]] || fail "up{job=self} never 1: $out"
        signal_program HUP prometheus "prometheus --config.file=$PWD/$dir"
        # the second "Completed loading" is the reload's
        for ((i = 0; i < 100; i++)); do
            [ "$(grep -c 'Completed loading of configuration file' "$dir/stderr")" -ge 2 ] && break
            sleep 0.1
        done
        [ "$(grep -c 'Completed loading of configuration file' "$dir/stderr")" -ge 2 ] ||
            fail "SIGHUP did not reload the configuration"
        curl -fsS -m 30 "http://127.0.0.1:$port/-/healthy" >>"$dir/host" 2>&1 ||
            fail "not healthy after the reload"
        signal_program TERM prometheus "prometheus --config.file=$PWD/$dir"
    fi
    wait "$guest"
    expect_status 0
    expect_err 'See you next time!'
}

# tests/guest/bigprog.sh — programs of 16 MiB or more, which gorump puts
# on the image's disk instead of in the image (docs/IMAGE.md, "The
# disk"), and the disk cache that lets `gorump run` boot such a program
# again without writing its disk anew ("The disk cache").  Sourced by
# run.sh, which calls register_bigprog_cases.
#
# The big program is tests/go/selfhash with 17 MiB of random bytes
# appended (the loader ignores them; the file is then big enough): it
# hashes its own file in the guest, which must match the host's hash.

register_bigprog_cases() {
    go_case selfhash
    tool_case bigprog
    tool_case bigprog-image
    tool_case bigprog-nvme
    tool_case bigprog-scsi
    tool_case disk-cache
    tool_case image-memory
}

# bigprog_make OUT [SEED]: selfhash plus 17 MiB of bytes from SEED.
bigprog_make() {
    cp "$B/selfhash" "$1" &&
        head -c $((17 << 20)) <(openssl enc -aes-128-ctr -nosalt \
            -pass "pass:${2:-1}" -in /dev/zero 2>/dev/null) >>"$1"
}

# expect_selfhash FILE WORDS: the guest's output names FILE's bytes.
expect_selfhash() {
    expect_success
    expect_out_line "size $(stat -c %s "$1") sha256 $(sha256sum <"$1" | cut -d' ' -f1)" \
        "words $2"
}

c_bigprog() {
    local p=$PWD/$dir/big
    bigprog_make "$p" || fail "cannot make $p"
    GORUMP_CACHE=off run "$p" a b
    expect_selfhash "$p" "a b"
    # Through the cache as well, and with less memory than the program.
    GORUMP_CACHE_DIR=$PWD/$dir/cache run -m 16M "$p" c
    expect_selfhash "$p" c
    rm -rf "$p" "$dir/cache"
}

# The program's disk on an NVMe controller instead of virtio-blk.
c_bigprog_nvme() { bigprog_bus nvme 3; }

# The same on a SCSI disk of a virtio-scsi adapter (microvm: over
# virtio-mmio): the kernel finds the disk (sda) by its serial number.
c_bigprog_scsi() { bigprog_bus scsi 4; }

# bigprog_bus BUS SEED: the big program with its disk on --disk-bus BUS.
bigprog_bus() {
    local p=$PWD/$dir/big
    bigprog_make "$p" "$2" || fail "cannot make $p"
    GORUMP_CACHE=off run --disk-bus "$1" "$p" "$1"
    expect_selfhash "$p" "$1"
    rm -f "$p"
}

# `gorump build` of a big program: a small image, the program in its
# disk; booted as it is, rewritten with overrides, and rebuilt.
c_bigprog_image() {
    local p=$PWD/$dir/big img=$PWD/$dir/big.img
    bigprog_make "$p" 2 || fail "cannot make $p"
    run_tool build -o "$img" "$p" x
    expect_status 0
    [ "$(stat -c %s "$img")" -lt 65536 ] ||
        fail "the image holds the program ($(stat -c %s "$img") bytes)"
    [ "$(stat -c %s "$img.disk")" -ge "$(stat -c %s "$p")" ] ||
        fail "the disk does not hold the program"
    run_tool run --net none "$img"
    expect_selfhash "$p" x
    GORUMP_CACHE_DIR=$PWD/$dir/cache run_tool run --net none -e K=V "$img" y
    expect_selfhash "$p" y
    run_tool build -o "$img.2" "$img" z
    expect_status 0
    [ "$(stat -c %s "$img.2.disk")" = "$(stat -c %s "$img.disk")" ] ||
        fail "rebuilding the image changed its disk's size (program twice?)"
    rm -f "$img.disk"
    run_tool run --net none "$img.2"
    expect_selfhash "$p" z
    run_tool run --net none "$img"
    expect_tool_error "big.img.disk: the image's disk of large files"
    rm -rf "$p" "$img"* "$dir/cache"
}

# cache_entries DIR: the names of the cache's entries, one per line.
cache_entries() { (cd "$1" 2>/dev/null && ls -- *.disk 2>/dev/null); }

# cache_evict_off DIR LIST EXT PROG WORD1 WORD2: over GORUMP_CACHE_MAX,
# the entries (DIR/*.EXT, listed by LIST) not used for a minute go, PROG
# WORD1's own kept; then with GORUMP_CACHE=off nothing is added (DIR
# removed first).
cache_evict_off() {
    local c=$1 list=$2 ext=$3 p=$4
    touch -d '2 hours ago' "$c"/*."$ext"
    GORUMP_CACHE_MAX=1K run "$p" "$5"
    expect_selfhash "$p" "$5"
    [ "$("$list" "$c" | wc -l)" = 1 ] ||
        fail "eviction kept $("$list" "$c" | wc -l) entries, want 1"
    rm -rf "$c"
    GORUMP_CACHE=off run "$p" "$6"
    expect_selfhash "$p" "$6"
    [ ! -e "$c" ] || fail "GORUMP_CACHE=off wrote to the cache"
}

c_disk_cache() {
    local p=$PWD/$dir/big c=$PWD/$dir/cache e ino
    export GORUMP_CACHE_DIR=$c
    bigprog_make "$p" 3 || fail "cannot make $p"
    run "$p" one
    expect_selfhash "$p" one
    e=$(cache_entries "$c")
    [ "$(echo "$e" | wc -w)" = 1 ] || fail "want one cache entry, have: $e"
    [ "$(stat -c %s "$c/$e")" -ge "$(stat -c %s "$p")" ] ||
        fail "the entry is smaller than the program"
    ino=$(stat -c %i "$c/$e")
    # The same program again: the same entry, not written again.
    run "$p" two
    expect_selfhash "$p" two
    [ "$(cache_entries "$c")" = "$e" ] && [ "$(stat -c %i "$c/$e")" = "$ino" ] ||
        fail "the second run did not boot the cached disk"
    # The file rewritten in place (same inode, same size, other bytes):
    # a new entry, and the guest sees the new bytes.
    bigprog_make "$dir/new" 4 && cat "$dir/new" >"$p" && rm -f "$dir/new"
    run "$p" three
    expect_selfhash "$p" three
    [ "$(cache_entries "$c" | wc -l)" = 2 ] ||
        fail "a rewritten program did not get an entry of its own"
    # An entry of the wrong size (a half-written disk) is made again.
    for e in $(cache_entries "$c"); do truncate -s 4096 "$c/$e"; done
    run "$p" four
    expect_selfhash "$p" four
    cache_evict_off "$c" cache_entries disk "$p" five six
    # Nor does `gorump exec` add (go test's binaries are new each time).
    run_tool exec "$p" seven
    expect_selfhash "$p" seven
    [ ! -e "$c" ] || fail "GORUMP_CACHE=off or exec wrote to the cache"
    unset GORUMP_CACHE_DIR
    rm -rf "$p" "$c"
}

# An image that does not fit the guest's memory: refused by the tool when
# QEMU could not even place it, by the kernel (status 126, no panic) when
# its 60,000 files' nodes do not fit.
c_image_memory() {
    local d=$PWD/$dir/many
    mkdir -p "$d" && (cd "$d" && seq 1 60000 | xargs touch) ||
        fail "cannot make $d"
    run_tool run --net none -m 4M --dir "$d:/many" "$B/hello"
    expect_tool_error "the guest needs at least -m [0-9]+M"
    run_tool run --net none -m 16M --dir "$d:/many" "$B/hello"
    expect_status 126
    expect_err_line "gorump: image: its files need more memory than the guest has (use a larger -m)"
    reject_err "panic"
    rm -rf "$d"
}

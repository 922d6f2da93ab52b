# tests/guest/volume.sh — ext2 volumes mounted in the guest with
# `gorump run -v FILE:GUESTPATH[:ro]` (docs/STORAGE.md, "Volumes"): a
# round trip through two runs with the host's e2fsck and debugfs looking
# between, read-only volumes, a full volume, the tool's refusals, the
# lock, and the crash test (QEMU killed at random points while a program
# appends and fsyncs; every record it saw synced must be there after).
# Sourced by run.sh, which calls register_volume_cases.  The program is
# tests/go/volume; natively it runs on a plain directory (a read-only
# bind mount for ro, a 16 MiB tmpfs for enospc).

register_volume_cases() {
    go_case volume-roundtrip
    go_case volume-roundtrip-q35 c_volume_roundtrip --machine q35
    go_case volume-roundtrip-nvme c_volume_roundtrip --disk-bus nvme
    go_case volume-roundtrip-scsi c_volume_roundtrip_scsi
    go_case volume-roundtrip-ext2 c_volume_roundtrip_ext2
    go_case volume-ro
    go_case volume-enospc
    go_case volume-cache
    go_case volume-mapbig
    tool_case volume-bad
    tool_case volume-lock
    tool_case volume-fsck-fails
    tool_case volume-crash
    tool_case volume-exits
    tool_case volume-build
    tool_case volume-build-override
    tool_case volume-build-missing
}

# volbuild_image: $img, built from tests/go/volcount with a volume at
# /data and a share at /sh recorded (-v), the volume's path given relative
# and through a symbolic link: the image holds it absolute and resolved.
volbuild_image() {
    v=$PWD/$dir/v.img sh=$PWD/$dir/sh img=$PWD/$dir/app.img
    volume_new "$v" 16M
    rm -rf "$sh" && mkdir "$sh" && ln -sf v.img "$dir/link.img"
    run_tool build -o "$img" -v "$dir/link.img:/data" -v "$sh:/sh" \
        "$B/volcount" -mounts /data:ext2 /sh:9p
    expect_status 0
    [ "$(od -An -tu4 -j8 -N4 "$img" | tr -d ' ')" = 3 ] ||
        fail "an image with volumes is not version 3"
    v=$(realpath "$v") sh=$(realpath "$sh")
    strings -n 8 "$img" | grep -Fx -- "$v" >/dev/null ||
        fail "the image does not hold the volume's resolved path $v"
}

# gorump build -v: the image mounts its volume and share in every run
# (tests/go/volcount counts runs in both), with no -v at run time; the
# host finds the counts in the share and, through debugfs, the volume.
c_volume_build() {
    local v sh img
    volbuild_image
    run_tool run --net none "$img"
    expect_success
    expect_out_line "count 1"
    run_tool run --net none "$img"
    expect_success
    expect_out_line "count 2"
    volume_clean "$v"
    [ "$(volume_cat "$v" /count)" = 2 ] || fail "the volume's count is not 2"
    [ "$(cat "$sh/count")" = 2 ] || fail "the share's count is not 2"
    # Rebuilt from the image, the record stays; -v there replaces it.
    run_tool build -o "$img.2" -e X=1 "$img"
    expect_status 0
    run_tool run --net none "$img.2"
    expect_success
    expect_out_line "count 3"
    volume_new "$dir/v3.img" 16M
    rm -rf "$dir/sh3" && mkdir "$dir/sh3"
    run_tool build -o "$img.3" -v "$dir/v3.img:/data" -v "$dir/sh3:/sh" "$img"
    expect_status 0
    run_tool run --net none "$img.3"
    expect_success
    expect_out_line "count 1"
    [ "$(volume_cat "$v" /count)" = 3 ] || fail "the rebuilt image used the volume"
    # A bootable disk cannot name volumes.
    run_tool build --format raw -o "$dir/disk.raw" -v "$v:/data" "$B/volcount"
    expect_tool_error "a bootable disk \(--format\) cannot name volumes"
    [ ! -e "$dir/disk.raw" ] || fail "a disk was written"
    # Nor can another monitor attach them, recorded or typed.
    run_tool run --vmm firecracker "$img"
    expect_tool_error "--vmm firecracker: -v \(virtio-9p shares\) is QEMU's only"
    rm -f "$v" "$dir/v3.img" "$img" "$img.2" "$img.3"
}

# gorump run -v at a recorded guest path replaces the image's: the
# recorded volume and share are left alone.
c_volume_build_override() {
    local v sh img sum
    volbuild_image
    run_tool run --net none "$img"
    expect_out_line "count 1"
    sum=$(sha256sum <"$v")
    volume_new "$dir/v2.img" 16M
    rm -rf "$dir/sh2" && mkdir "$dir/sh2"
    run_tool run --net none -v "$dir/v2.img:/data" -v "$dir/sh2:/sh" "$img"
    expect_success
    expect_out_line "count 1"
    [ "$(sha256sum <"$v")" = "$sum" ] || fail "the recorded volume changed"
    [ "$(cat "$sh/count")" = 1 ] || fail "the recorded share changed"
    [ "$(volume_cat "$dir/v2.img" /count)" = 1 ] || fail "v2.img has no count 1"
    [ "$(cat "$dir/sh2/count")" = 1 ] || fail "sh2 has no count 1"
    # A kind may change: a share where the image has a volume.
    rm -f "$dir/sh2/count"
    run_tool run --net none -v "$dir/sh2:/data" "$img"
    expect_status 1
    expect_out "FAIL: /data is mounted as \"9p\", not \"ext2\""
    rm -f "$v" "$dir/v2.img" "$img"
}

# A recorded volume or share missing at run time: status 125 naming it
# (and saying where it came from), nothing booted, the rest untouched.
c_volume_build_missing() {
    local v sh img sum
    volbuild_image
    sum=$(sha256sum <"$v")
    mv "$v" "$v.away"
    run_tool run --net none "$img"
    expect_volume_refused "$sum" "$v.away" \
        "-v $v:/data \(recorded in the image\): $v: no such file"
    [ ! -e "$sh/count" ] || fail "the share was written"
    mv "$v.away" "$v"
    rmdir "$sh"
    run_tool run --net none "$img"
    expect_volume_refused "$sum" "$v" "-v $sh:/sh \(recorded in the image\): $sh: no such file"
    # Given at run time, the missing one is not needed.
    mkdir "$dir/sh3"
    run_tool run --net none -v "$dir/sh3:/sh" "$img"
    expect_success
    # At build time, a -v naming nothing is refused too.
    run_tool build -o "$dir/x.img" -v "$dir/nosuch.img:/data" "$B/volcount"
    expect_tool_error "nosuch.img: no such file"
    [ ! -e "$dir/x.img" ] || fail "an image was written"
    rm -f "$v" "$img"
}

# volume_new FILE SIZE: a new volume, as gorump volume create makes it.
volume_new() {
    rm -f "$1"
    "$GORUMP" volume create "$1" "$2" >/dev/null || fail "cannot create $1"
}

# volume_clean FILE: the host's e2fsck -fn finds nothing wrong.
volume_clean() {
    /sbin/e2fsck -fn "$1" >"$dir/fsck" 2>&1 ||
        fail "e2fsck -fn $1: $(grep -v '^Pass\|^e2fsck' "$dir/fsck" | head -5)"
}

# volume_cat FILE PATH: PATH's contents in the volume, by debugfs.
volume_cat() {
    /sbin/debugfs -R "cat $2" "$1" 2>/dev/null
}

# volume_journal FILE yes|no: whether FILE has a journal (has_journal),
# and that its unmount left it empty (no needs_recovery, s_start 0).
volume_journal() {
    /sbin/dumpe2fs -h "$1" >"$dir/dumpe2fs" 2>/dev/null
    if [ "$2" = no ]; then
        grep -q 'has_journal' "$dir/dumpe2fs" && fail "$1 has a journal"
        return
    fi
    grep -q '^Filesystem features:.*has_journal' "$dir/dumpe2fs" ||
        fail "$1 has no journal"
    grep -q 'needs_recovery' "$dir/dumpe2fs" && fail "$1 still needs recovery"
    grep -Eq '^Journal start: +0$' "$dir/dumpe2fs" ||
        fail "$1: the journal is not empty: $(grep '^Journal start' "$dir/dumpe2fs")"
}

# The round trip on a volume without a journal (ext2 as before: ordered
# writes and e2fsck -p).
c_volume_roundtrip_ext2() {
    VOLUME_JOURNAL=no c_volume_roundtrip
}

# tests/go/volume write in one run and read in the next; between them
# the host checks the volume and reads the files with debugfs.  The
# volume has a journal (gorump volume create's), or none with
# VOLUME_JOURNAL=no.
c_volume_roundtrip() {
    local v=$PWD/$dir/v.img d=/data j=${VOLUME_JOURNAL:-yes}
    if [ "$NATIVE" = 1 ]; then
        d=$PWD/$dir/nat && rm -rf "$d" && mkdir -p "$d"
        run volume write "$d" && expect_success
        run volume read "$d" && expect_success
        return
    fi
    volume_new "$v" 48M
    [ "$j" = no ] && /sbin/tune2fs -O ^has_journal "$v" >/dev/null 2>&1
    run "$@" -v "$v:$d" volume write "$d" guest
    expect_success
    volume_clean "$v"
    volume_journal "$v" "$j"
    /sbin/debugfs -R 'ls -l /' "$v" >"$dir/ls" 2>/dev/null
    local f
    for f in big cfg d1 fast slow linked map mapexit sync-osync; do
        grep -Eq " $f\$" "$dir/ls" || fail "debugfs ls: no $f"
    done
    grep -Eq ' gone(-at-exit)?$' "$dir/ls" && fail "debugfs ls: an unlinked file is there"
    [ "$(volume_cat "$v" /cfg)" = new ] || fail "cfg is not the renamed file's"
    [ "$(volume_cat "$v" /d1/d2/d3/deep.txt)" = deep ] || fail "deep.txt"
    [ "$(volume_cat "$v" /sync-odsync)" = "synced by odsync" ] || fail "sync-odsync"
    [ "$(/sbin/debugfs -R 'stat /slow' "$v" 2>/dev/null | grep -c 'Fast link')" = 0 ] ||
        fail "slow is a fast link"
    volume_cat "$v" /mapexit | cmp -s - <(python3 -c '
import sys
sys.stdout.buffer.write(bytes(((i * 7 + i // 4096) & 255) ^ 9 for i in range(3 * 4096)))') ||
        fail "mapexit lacks what its mapping stored before the exit"
    volume_cat "$v" /big | sha256sum >"$dir/big.sum"
    run "$@" -v "$v:$d" volume read "$d" guest
    expect_success
    volume_clean "$v"
    volume_journal "$v" "$j"
}

# The round trip on virtio-scsi as GCE attaches disks (q35, a scsi-hd on
# each target), another volume first: the volume is the adapter's second
# disk, found by its serial number (VPD page 80h), not by its place.
c_volume_roundtrip_scsi() {
    [ "$NATIVE" = 1 ] || volume_new "$PWD/$dir/other.img" 16M
    c_volume_roundtrip --machine q35 --disk-bus scsi \
        -v "$PWD/$dir/other.img:/other"
}

# A read-only volume: every change EROFS, the file unchanged; a volume
# with a feature the kernel cannot write is refused without :ro and
# mounted with it.
c_volume_ro() {
    local v=$PWD/$dir/v.img d=$PWD/$dir/nat
    if [ "$NATIVE" = 1 ]; then
        rm -rf "$d" && mkdir -p "$d" && echo new >"$d/cfg"
        capture unshare --mount sh -c 'mount --bind "$1" "$1" &&
            mount -o remount,bind,ro "$1" && exec "$2" ro "$1"' sh \
            "$d" "$PWD/$B/volume"
        expect_success
        return
    fi
    mkdir -p "$dir/src" && echo new >"$dir/src/cfg"
    rm -f "$v" && truncate -s 16M "$v"
    /sbin/mke2fs -q -F -t ext2 -b 4096 -d "$dir/src" \
        -O none,ext_attr,resize_inode,dir_index,filetype,sparse_super,large_file,dir_nlink \
        "$v" || fail "cannot make $v"
    local sum
    sum=$(sha256sum <"$v")
    run -v "$v:/data" volume ro /data
    expect_tool_error "v.img:/data: .*cannot write.*dir_nlink; attach it with :ro"
    run -v "$v:/data:ro" volume ro /data
    expect_success
    [ "$(sha256sum <"$v")" = "$sum" ] || fail "the read-only volume changed"
}

c_volume_enospc() {
    local v=$PWD/$dir/v.img
    if [ "$NATIVE" = 1 ]; then
        mkdir -p "$dir/nat"
        capture unshare --mount sh -c 'mount -t tmpfs -o size=16M none "$1" &&
            exec "$2" enospc "$1"' sh "$PWD/$dir/nat" "$PWD/$B/volume"
        expect_success
        return
    fi
    volume_new "$v" 16M
    run -v "$v:/data" volume enospc /data
    expect_success
    volume_clean "$v"
    [ "$(volume_cat "$v" /again | wc -c)" = $((1 << 20)) ] || fail "again is not 1 MiB"
}

# volume_native MODE ARG...: natively, tests/go/volume MODE on a scratch
# directory of the host, expecting SUCCESS.
volume_native() {
    local mode=$1
    shift
    mkdir -p "$dir/nat"
    run volume "$mode" "$PWD/$dir/nat" "$@"
    expect_success
    rm -rf "$dir/nat"
}

# The page cache: a file read is resident; 48 MiB read twice in a guest
# of 32 MiB (natively: the host's page cache, a directory); in the guest,
# /proc/diskstats shows the disk asked for runs of blocks, not a request
# per block.
c_volume_cache() {
    local v=$PWD/$dir/v.img
    [ "$NATIVE" = 1 ] && { volume_native cache 48; return; }
    volume_new "$v" 64M
    run -m 32M -v "$v:/data" volume cache /data 48 guest
    expect_success
    volume_clean "$v"
    rm -f "$v"
}

# A shared mapping of a file twice the guest's memory, written whole:
# dirty pages are written back and taken back as the program goes, and
# stores after a write-back are kept.  A second boot checks the bytes.
c_volume_mapbig() {
    local v=$PWD/$dir/v.img
    [ "$NATIVE" = 1 ] && { volume_native mapbig 16; return; }
    volume_new "$v" 96M
    run -m 32M -v "$v:/data" volume mapbig /data 64
    expect_success
    expect_out_line "mapped 64 MiB"
    volume_clean "$v"
    run -m 32M -v "$v:/data" volume mapcheck /data 64
    expect_success
    volume_clean "$v"
    rm -f "$v"
}

# volume_unmounted FILE: the superblock says clean (the guest unmounted
# it), and e2fsck -fn agrees.
volume_unmounted() {
    /sbin/dumpe2fs -h "$1" 2>/dev/null | grep -Eq '^Filesystem state: +clean$' ||
        fail "$1 was not unmounted: $(/sbin/dumpe2fs -h "$1" 2>/dev/null | grep state)"
    volume_clean "$1"
}

# Every way the program ends unmounts the volume: a normal exit, fatal
# signals (SIGKILL, SIGTERM, SIGINT sent to itself), the kernel's
# out-of-memory kill, a Go panic; what was written without a sync is
# there after each.
c_volume_exits() {
    local v=$PWD/$dir/v.img sig
    volume_new "$v" 16M
    run_tool run --net none -v "$v:/data" "$B/volume" write /data guest
    expect_success
    volume_unmounted "$v"
    run_tool run --net none -v "$v:/data" "$B/volume" read /data guest
    expect_success
    volume_unmounted "$v"
    for sig in 9 15 2; do
        run_tool run --net none -v "$v:/data" "$B/volume" kill /data $sig
        expect_status $((128 + sig))
        volume_unmounted "$v"
        [ "$(volume_cat "$v" /killed)" = "by $sig" ] || fail "killed by $sig: lost"
    done
    run_tool run --net none -m 64M -v "$v:/data" "$B/oom"
    expect_status 137
    expect_err 'out of memory: no free page for address'
    volume_unmounted "$v"
    run_tool run --net none -v "$v:/data" "$B/panic"
    expect_status 2
    volume_unmounted "$v"
}

# expect_volume_refused SUM FILE REGEX: status 125, stderr matching, and
# FILE's bytes still SUM.
expect_volume_refused() {
    expect_tool_error "$3"
    [ ! -e "$2" ] || [ "$(sha256sum <"$2")" = "$1" ] || fail "$2 changed"
}

# What the tool refuses before anything boots, each with status 125 and
# the volume's bytes unchanged.
c_volume_bad() {
    local v=$PWD/$dir/v.img d=$PWD/$dir sum
    volume_new "$v" 16M
    sum=$(sha256sum <"$v")
    run_tool run -v "$d/missing.img:/data" "$B/hello"
    expect_volume_refused "$sum" "$d/missing.img" "missing.img: no such file"
    run_tool run -v "$v:data" "$B/hello"
    expect_volume_refused "$sum" "$v" "'data'"
    run_tool run -v "$v:/data" -v "$v:/data" "$B/hello"
    expect_volume_refused "$sum" "$v" "/data is already mounted"
    run_tool run -v "$d:/data" -v "$v:/data/" "$B/hello"
    expect_volume_refused "$sum" "$v" "/data is already mounted"
    run_tool run -v "$v:/proc/v" "$B/hello"
    expect_volume_refused "$sum" "$v" "cannot be in /proc"
    head -c $((16 << 20)) /dev/zero >"$d/zero.img"
    sum=$(sha256sum <"$d/zero.img")
    run_tool run -v "$d/zero.img:/data" "$B/hello"
    expect_volume_refused "$sum" "$d/zero.img" "zero.img: not an ext2 file system"
    rm -f "$d/e4.img" && truncate -s 16M "$d/e4.img"
    /sbin/mke2fs -q -t ext4 "$d/e4.img" || fail "cannot make ext4"
    sum=$(sha256sum <"$d/e4.img")
    run_tool run -v "$d/e4.img:/data:ro" "$B/hello"
    expect_volume_refused "$sum" "$d/e4.img" "e4.img: features the kernel cannot read: extent 64bit flex_bg"
    # The kernel's side: a volume whose disk is not there stops the guest.
    GORUMP_KERNEL_ARGS="gorump gorump.volume=nosuch:/data" run_tool run \
        --net none "$B/hello"
    expect_status 125
    expect_err "gorump.volume=nosuch:/data: cannot mount it .*no disk with that id"
    reject_out SUCCESS
    rm -f "$d"/*.img
}

# Two runs cannot both have a volume: the second is refused while the
# first holds it (a read-only one too, since the first writes).
c_volume_lock() {
    local v=$PWD/$dir/v.img sum
    volume_new "$v" 16M
    (
        exec 9<"$v"
        flock -x 9
        sum=$(sha256sum <"$v")
        run_tool run -v "$v:/data" "$B/hello"
        expect_volume_refused "$sum" "$v" "v.img is in use \(another gorump run"
        run_tool run -v "$v:/data:ro" "$B/hello"
        expect_volume_refused "$sum" "$v" "v.img is in use"
    )
    # A run holds the lock until it ends (tests/go/sleep sleeps until the
    # timeout stops it).  The second run starts only once the first holds
    # the lock (or has ended: then its own words say why), whatever the
    # host's load.
    "$GORUMP" run --net none --timeout 4 -v "$v:/data" "$B/sleep" \
        >/dev/null 2>"$dir/first.err" &
    local bg=$! i held=
    for i in $(seq 600); do
        flock -n "$v" true || { held=1 && break; }
        kill -0 $bg 2>/dev/null || break
        sleep 0.05
    done
    if [ -z "$held" ]; then
        fail "the first run never held the volume's lock; its stderr: $(head -c 2000 "$dir/first.err")"
        wait $bg
        return
    fi
    run_tool run -v "$v:/data" "$B/hello"
    expect_tool_error "v.img is in use"
    wait $bg
    [ $? = 124 ] || fail "the first run did not time out; its stderr: $(head -c 2000 "$dir/first.err")"
    run_tool run -v "$v:/data" "$B/hello"
    expect_success
}

# A volume e2fsck -p cannot repair by itself (the root is not a
# directory): refused, with e2fsck's words.
c_volume_fsck_fails() {
    local v=$PWD/$dir/v.img
    volume_new "$v" 16M
    /sbin/debugfs -w -R 'sif <2> mode 0100644' "$v" >/dev/null 2>&1
    /sbin/debugfs -w -R 'ssv state 0' "$v" >/dev/null 2>&1
    run_tool run -v "$v:/data" "$B/hello"
    expect_tool_error "v.img:/data: e2fsck -p cannot repair .*v.img \(status [0-9]+\); repair it with e2fsck -f"
}

# volume_crash_run K: one run of tests/go/volume crash in the background,
# QEMU killed at a random point once the first record is synced; checks
# that every record the last run saw synced was found.  Sets last.
volume_crash_run() {
    local out=$dir/crash$1 bg gp qp i
    (
        "$GORUMP" run --net none --timeout 60 -v "$v:/data" "$B/volume" \
            crash /data 1000000 >"$out" 2>"$out.err"
        echo $? >"$out.status"
    ) &
    bg=$!
    for i in $(seq 400); do
        grep -q '^synced' "$out" 2>/dev/null && break
        sleep 0.05
    done
    # 0 to 600 ms into the appends: each kill lands somewhere else.
    sleep "0.$(printf %03d $((RANDOM % 600)))"
    gp=$(pgrep -P "$bg" -x gorump)
    qp=$(pgrep -P "$gp" 2>/dev/null | head -1)
    [ -n "$qp" ] && kill -KILL "$qp"
    wait "$bg"
    local found
    found=$(sed -n 's/^found //p' "$out")
    [ -n "$found" ] && [ "$found" -ge "$last" ] ||
        fail "run $1: found '${found}' records, $last were synced before: $(head -3 "$out.err")"
    grep -q '^FAIL' "$out.err" && fail "run $1: $(grep '^FAIL' "$out.err" | head -3)"
    last=$(sed -n 's/^synced //p' "$out" | tail -1)
    last=${last:-$found}
    # What e2fsck -p leaves is clean (on a copy: the next run repairs
    # the volume itself), replaying the journal the kill left.
    cp "$v" "$dir/copy.img"
    /sbin/dumpe2fs -h "$dir/copy.img" 2>/dev/null | grep -q needs_recovery &&
        recovers=$((recovers + 1))
    /sbin/e2fsck -p "$dir/copy.img" >/dev/null 2>&1
    [ $? -le 1 ] || fail "run $1: e2fsck -p cannot repair the volume"
    /sbin/e2fsck -fn "$dir/copy.img" >/dev/null 2>&1 ||
        fail "run $1: not clean after e2fsck -p"
}

# The crash test: 20 kills at random points, each restart through the
# tool (so e2fsck -p runs first); then a run that ends normally.
c_volume_crash() {
    local v=$PWD/$dir/v.img last=0 k recovers=0
    volume_new "$v" 16M
    volume_journal "$v" yes
    for k in $(seq 20); do
        volume_crash_run "$k"
        [ -s "$dir/fail" ] && break
    done
    # Killed while mounted, the volume's journal was left to e2fsck.
    [ -s "$dir/fail" ] || [ "$recovers" -ge 10 ] ||
        fail "only $recovers of 20 kills left the journal to recover"
    run_tool run --net none -v "$v:/data" "$B/volume" crash /data $((last + 5))
    expect_success
    local found
    found=$(sed -n 's/^found //p' "$dir/stdout")
    [ "${found:-0}" -ge "$last" ] || fail "the last run found $found records, $last synced"
    volume_clean "$v"
    rm -f "$dir/copy.img"
}

#!/usr/bin/env python3
# tests/guest/ocicheck.py — checks an archive from `gorump build --format
# containerdisk` as KubeVirt's containerDisk wants it (docs/DEPLOY.md,
# "Kubernetes (KubeVirt)") and prints the path of the disk it unpacked.
#
#   ocicheck.py ARCHIVE WORKDIR
#
# By hand, against the OCI image spec: the archive is a tar of an image
# layout (oci-layout, index.json, blobs/sha256/*), every blob's name is
# the SHA-256 of its bytes, every descriptor's size and media type is
# right, the config's diff_id is the layer's uncompressed digest, and the
# layer holds exactly disk/ and disk/disk.qcow2, owned by 107:107, the
# disk readable by all and a qcow2.  Then by Debian's tools: `skopeo
# inspect` (amd64, linux, one layer), `skopeo copy` into an OCI layout
# (which checks every digest again) and `umoci unpack` of that copy; the
# unpacked disk, with the same owner and mode, is the one printed, to be
# booted.  Exit 1 with a message on stderr when anything is wrong.
import hashlib, io, json, os, subprocess, sys, tarfile

MT = "application/vnd.oci.image."


def die(msg):
    sys.stderr.write("ocicheck: %s\n" % msg)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        die(msg)


def run(*argv):
    r = subprocess.run(argv, capture_output=True, text=True)
    check(r.returncode == 0, "%s failed: %s" % (" ".join(argv), r.stderr))
    return r.stdout


def blob(files, desc, media_type):
    check(desc.get("mediaType") == media_type,
          "media type %r, want %r" % (desc.get("mediaType"), media_type))
    algo, _, hexd = desc["digest"].partition(":")
    check(algo == "sha256", "digest %s is not sha256" % desc["digest"])
    data = files.get("blobs/sha256/" + hexd)
    check(data is not None, "no blob for %s" % desc["digest"])
    check(hashlib.sha256(data).hexdigest() == hexd,
          "blob %s does not hash to its name" % hexd)
    check(len(data) == desc["size"], "blob %s: size %d, descriptor says %d"
          % (hexd, len(data), desc["size"]))
    return data


def check_layer(data):
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as t:
        members = t.getmembers()
        names = [m.name.rstrip("/") for m in members]
        check(names == ["disk", "disk/disk.qcow2"],
              "layer holds %s, want disk/ and disk/disk.qcow2" % names)
        d, f = members
        check(d.isdir() and f.isreg(), "disk/ or disk.qcow2 of wrong type")
        for m in members:
            check((m.uid, m.gid) == (107, 107),
                  "%s owned by %d:%d, want 107:107" % (m.name, m.uid, m.gid))
        check(f.mode & 0o444 == 0o444 and d.mode & 0o555 == 0o555,
              "modes %o and %o: not readable by all" % (d.mode, f.mode))
        head = t.extractfile(f).read(4)
        check(head == b"QFI\xfb", "disk.qcow2 is not a qcow2 (%r)" % head)


def check_archive(path):
    files = {}
    with tarfile.open(path, mode="r:") as t:
        for m in t.getmembers():
            if m.isreg():
                files[m.name] = t.extractfile(m).read()
    layout = json.loads(files.get("oci-layout", b"null"))
    check(layout == {"imageLayoutVersion": "1.0.0"}, "oci-layout: %r" % layout)
    index = json.loads(files["index.json"])
    check(index.get("schemaVersion") == 2, "index.json: no schemaVersion 2")
    check(len(index["manifests"]) == 1, "index.json: not one manifest")
    desc = index["manifests"][0]
    check(desc.get("annotations", {}).get(
        "org.opencontainers.image.ref.name") == "latest", "no tag latest")
    manifest = json.loads(blob(files, desc, MT + "manifest.v1+json"))
    check(manifest.get("schemaVersion") == 2, "manifest: no schemaVersion 2")
    config = json.loads(blob(files, manifest["config"],
                             MT + "config.v1+json"))
    check((config.get("architecture"), config.get("os")) == ("amd64", "linux"),
          "config: not amd64 linux")
    check(len(manifest["layers"]) == 1, "not one layer")
    layer = blob(files, manifest["layers"][0], MT + "layer.v1.tar")
    check(config["rootfs"] == {"type": "layers", "diff_ids": [
        "sha256:" + hashlib.sha256(layer).hexdigest()]},
        "config: diff_ids %r are not the layer's" % config["rootfs"])
    check_layer(layer)
    check(len(files) == 5, "archive holds %d files, want 5" % len(files))


def unpack(path, work):
    info = json.loads(run("skopeo", "inspect", "oci-archive:" + path))
    check((info["Architecture"], info["Os"]) == ("amd64", "linux"),
          "skopeo inspect: %s/%s" % (info["Architecture"], info["Os"]))
    check(len(info["Layers"]) == 1, "skopeo inspect: not one layer")
    copy = os.path.join(work, "oci")
    run("skopeo", "copy", "oci-archive:" + path, "oci:%s:disk" % copy)
    bundle = os.path.join(work, "bundle")
    rootless = ["--rootless"] if os.getuid() != 0 else []
    run("umoci", "unpack", *rootless, "--image", copy + ":disk", bundle)
    disk = os.path.join(bundle, "rootfs", "disk", "disk.qcow2")
    check(sorted(os.listdir(os.path.join(bundle, "rootfs"))) == ["disk"],
          "the image's root holds more than disk/")
    st = os.stat(disk)
    if not rootless:
        check((st.st_uid, st.st_gid) == (107, 107),
              "unpacked disk owned by %d:%d" % (st.st_uid, st.st_gid))
    check(st.st_mode & 0o444 == 0o444, "unpacked disk not readable by all")
    return disk


if len(sys.argv) != 3:
    die("usage: ocicheck.py ARCHIVE WORKDIR")
check_archive(sys.argv[1])
print(unpack(sys.argv[1], sys.argv[2]))

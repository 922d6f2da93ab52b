#!/usr/bin/env bash
# scripts/mkdeb.sh BUILD — builds BUILD/gorump_VERSION_amd64.deb from the
# tool and kernel `make` built in BUILD, with dpkg's own tools: the tree is
# laid out in BUILD/deb/debian/gorump, dpkg-shlibdeps finds the C library the tool
# needs, dpkg-deb packs it.  Prints the package's path.
#
#   /usr/bin/gorump                       the tool, stripped
#   /usr/lib/gorump/kernel.elf            where the tool looks for it
#                                         (../lib/gorump from its directory)
#   /usr/lib/gorump/kernel.debug.elf      its debugging twin, for run --gdb
#   /usr/share/man/man1/gorump.1.gz       from the help texts (gen-man.sh)
#   /usr/share/doc/gorump/                copyright, changelog.Debian.gz,
#                                         README.md.gz, docs/*.md.gz
#   /usr/share/lintian/overrides/gorump   why lintian's remarks do not apply
#
# The version is scripts/version.sh's, with Debian revision 1; the
# maintainer is $DEBFULLNAME <$DEBEMAIL>, else the last commit's author.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$1" && pwd)
version=$("$top/scripts/version.sh")-1
stage=$build/deb/debian/gorump
doc=$stage/usr/share/doc/gorump

# Dates from the commit, so the same commit packs the same package.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$top" log -1 --format=%ct 2>/dev/null || date +%s)}
when=$(date -u -d "@$SOURCE_DATE_EPOCH" -R)

maintainer() {
    if [ -n "${DEBEMAIL:-}" ]; then
        echo "${DEBFULLNAME:-gorump} <$DEBEMAIL>"
    else
        git -C "$top" log -1 --format='%an <%ae>'
    fi
}

lay_out() {
    rm -rf "$build/deb"
    install -D -m 755 "$build/gorump" "$stage/usr/bin/gorump"
    strip --strip-unneeded --remove-section=.comment --remove-section=.note \
        "$stage/usr/bin/gorump"
    # The kernel's symbol table is of no use to it (its panics read the
    # table built into it, scripts/gen-ksyms.sh): gdb has the twin's.
    install -D -m 644 "$build/kernel.elf" "$stage/usr/lib/gorump/kernel.elf"
    strip --strip-all "$stage/usr/lib/gorump/kernel.elf"
    install -m 644 "$build/kernel.debug.elf" "$stage/usr/lib/gorump/"
    mkdir -p "$stage/usr/share/man/man1" "$doc/docs"
    "$top/scripts/gen-man.sh" "$build/gorump" "${version%-1}" \
        "$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)" |
        gzip -9n >"$stage/usr/share/man/man1/gorump.1.gz"
    install -m 644 "$top/debian/copyright" "$doc/copyright"
    gzip -9n <"$top/README.md" >"$doc/README.md.gz"
    local f
    for f in "$top"/docs/*.md; do
        gzip -9n <"$f" >"$doc/docs/${f##*/}.gz"
    done
    changelog | gzip -9n >"$doc/changelog.Debian.gz"
    install -D -m 644 "$top/debian/lintian-overrides" \
        "$stage/usr/share/lintian/overrides/gorump"
    find "$stage" -type d -exec chmod 755 {} +
    find "$stage" -type f -exec chmod go-w {} +
}

changelog() {
    local subject
    subject=$(git -C "$top" log -1 --format=%s 2>/dev/null | cut -c1-60 || echo build)
    cat <<LOG
gorump ($version) unstable; urgency=medium

  * Built from $(git -C "$top" rev-parse --short=7 HEAD 2>/dev/null || echo a source tree):
    ${subject:-build}

 -- $(maintainer)  $when
LOG
}

# libc6 (>= N): what dpkg-shlibdeps makes of the tool's symbol versions.
# It reads debian/control, so it runs in BUILD/deb, which has one.
shlibs() {
    printf 'Source: gorump\n\nPackage: gorump\nArchitecture: amd64\n' \
        >"$build/deb/debian/control"
    (cd "$build/deb" && dpkg-shlibdeps -O "-e$stage/usr/bin/gorump") |
        sed -n 's/^shlibs:Depends=//p'
}

control() {
    local size deps
    size=$(du -sk --apparent-size "$stage/usr" | cut -f1)
    mkdir -p "$stage/DEBIAN" # how dpkg-shlibdeps finds the package's root
    deps=$(shlibs)
    [ -n "$deps" ] || { echo "mkdeb.sh: dpkg-shlibdeps found no dependency" >&2; exit 1; }
    mkdir -p "$stage/DEBIAN"
    sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$size/" \
        -e "s/@SHLIBS@/$deps/" -e "s|@MAINTAINER@|$(maintainer)|" \
        "$top/debian/control.in" >"$stage/DEBIAN/control"
    (cd "$stage" && find usr -type f -print0 | sort -z | xargs -0 md5sum) \
        >"$stage/DEBIAN/md5sums"
    chmod 644 "$stage/DEBIAN/control" "$stage/DEBIAN/md5sums"
}

lay_out
control
out=$build/gorump_${version}_amd64.deb
rm -f "$build"/gorump_*_amd64.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$out" >/dev/null
echo "$out"

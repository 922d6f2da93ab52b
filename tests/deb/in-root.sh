# tests/deb/in-root.sh DEB — run by tests/deb/check.sh with bash inside
# the clean Debian root: installs DEB with apt (which brings QEMU), then
# checks the installed gorump.  Prints "ok NAME" or "FAIL NAME: why" per
# check.
set -u
deb=$1
export DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin
ok() { echo "ok $1"; }
bad() { echo "FAIL $1: $2"; }

install_deb() {
    apt-get install -y -q --no-install-recommends "$deb" && return 0
    # Package lists older than the mirror's files: refresh, try again.
    apt-get update -q && apt-get install -y -q --no-install-recommends "$deb"
}
if install_deb; then ok install; else bad install "apt-get install failed"; exit 1; fi

[ -x /usr/bin/qemu-system-x86_64 ] && ok qemu-dependency ||
    bad qemu-dependency "qemu-system-x86 was not installed with gorump"
v=$(dpkg-query -W -f='${Version}' gorump)
[ "$(gorump version)" = "gorump ${v%-*}" ] && ok version ||
    bad version "gorump version says '$(gorump version)', the package $v"

gorump run --timeout 120 /tmp/hello deb "two words" >/tmp/out 2>/tmp/err
status=$?
cat /tmp/out /tmp/err
if [ "$status" = 0 ] && grep -Fxq 'hello from gorump' /tmp/out &&
    grep -Fxq 'args: ["deb" "two words"]' /tmp/out; then
    ok run-hello
else
    bad run-hello "status $status, stdout $(head -c 300 /tmp/out)"
fi

# --gdb names the installed kernel's debugging twin.
gorump run --timeout 2 --gdb 127.0.0.1:47123 /tmp/hello >/dev/null 2>/tmp/gdb.err
status=$?
cat /tmp/gdb.err
if [ "$status" = 124 ] &&
    grep -q "^  gdb '/usr/lib/gorump/kernel.debug.elf' .*add-symbol-file /tmp/hello -o 0'" /tmp/gdb.err; then
    ok gdb-command
else
    bad gdb-command "status $status: $(head -c 300 /tmp/gdb.err)"
fi

#!/usr/bin/env bash
# scripts/gen-man.sh GORUMP VERSION DATE — prints the manual page gorump(1)
# in roff (man(7)), made from the tool's own help texts (`gorump --help`,
# `gorump run --help`, `gorump build --help`), so the page says exactly
# what the tool does.  The texts' layout becomes roff: a line "Heading:"
# a subsection, an indented "TAG  description" an indented paragraph
# (.TP), a deeper-indented line its continuation, other lines text.
set -euo pipefail

gorump=$1 version=$2 date=$3

# roff-escape: backslashes, minus signs, and a leading dot or quote.
to_roff() {
    awk '
    function esc(s) {
        gsub(/\\/, "\\e", s)
        gsub(/-/, "\\-", s)
        if (s ~ /^[.\x27]/) s = "\\&" s
        return s
    }
    NR == 1 && /^Usage:/ { next }           # the SYNOPSIS says it
    /^$/ { if (!intp) print ".PP"; next }
    /^[A-Z][A-Za-z ]*:$/ { print ".SS " esc(substr($0, 1, length($0) - 1)); intp = 0; next }
    /^  [^ ]/ || /^      --/ {
        line = $0
        sub(/^ +/, "", line)
        tag = line; desc = ""
        if (match(line, /  +/)) {
            tag = substr(line, 1, RSTART - 1)
            desc = substr(line, RSTART + RLENGTH)
        }
        print ".TP"
        print ".B " esc(tag)
        if (desc != "") print esc(desc)
        intp = 1
        next
    }
    /^   / { line = $0; sub(/^ +/, "", line); print esc(line); next }
    { if (intp) { print ".PP"; intp = 0 } print esc($0) }
    '
}

cat <<HEAD
.\" Made by scripts/gen-man.sh from gorump's help texts; do not edit.
.TH GORUMP 1 "$date" "gorump $version" "User Commands"
.SH NAME
gorump \- run Linux x86\-64 programs as unikernels under QEMU
.SH SYNOPSIS
.B gorump run
[\fIOPTION\fR]... \fIPROGRAM\fR [\fIARG\fR]...
.br
.B gorump build
[\fIOPTION\fR]... \fIPROGRAM\fR [\fIARG\fR]...
.br
.B gorump version
.br
.B gorump help
.SH DESCRIPTION
HEAD
"$gorump" --help | to_roff
echo '.SH "GORUMP RUN"'
"$gorump" run --help | to_roff
echo '.SH "GORUMP BUILD"'
"$gorump" build --help | to_roff
cat <<'TAIL'
.SH FILES
.TP
.I /usr/lib/gorump/kernel.elf
the kernel gorump boots (found as ../lib/gorump/kernel.elf from the
directory of the gorump executable)
.TP
.I /usr/lib/gorump/kernel.debug.elf
the same kernel with its debugging information, for
.B run \-\-gdb
.SH "SEE ALSO"
.BR qemu\-system\-x86_64 (1),
.BR gdb (1);
/usr/share/doc/gorump/README.md.gz and /usr/share/doc/gorump/docs/
TAIL

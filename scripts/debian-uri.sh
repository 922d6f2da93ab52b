#!/usr/bin/env bash
# scripts/debian-uri.sh — prints the URI of this machine's Debian mirror:
# the first apt entry (deb822 .sources or one-line sources.list) that
# serves the main bookworm suite.  Scripts derive every other Debian
# location from it, so no mirror is named in the repository.  Exit 1 when
# there is none.
set -euo pipefail

suite=${1:-bookworm}

from_sources() {
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk -v want="$suite" '
            /^[ \t]*$/ { if (uri && suite) { print uri; exit } uri = ""; suite = 0; next }
            /^URIs:/ { uri = $2 }
            /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == want) suite = 1 }
            END { if (uri && suite) print uri }' "$f" | head -n1
    done
    if [ -f /etc/apt/sources.list ]; then
        awk -v want="$suite" '$1 == "deb" && $3 == want { print $2; exit }' \
            /etc/apt/sources.list
    fi
}

uri=$(from_sources | head -n1)
[ -n "$uri" ] || { echo "debian-uri.sh: no Debian $suite entry in apt's sources" >&2; exit 1; }
echo "$uri"

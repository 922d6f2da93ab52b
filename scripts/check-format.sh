#!/bin/sh
# Fails when a tracked C file differs from what clang-format would write.
bad=0
for f in $(git ls-files '*.c' '*.h'); do
    if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
        echo "check-format: $f is not formatted (run 'make format')" >&2
        bad=1
    fi
done
exit $bad

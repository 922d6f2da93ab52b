# tests/sysfuzz/pending.sh — sourced by the scripts that run the fuzzer:
# the kernel bugs the fuzzer knows of whose fix is on its way, left out
# of the runs until it lands (then delete the lines, and the runs cover
# them again).  Each entry names the bug.

# poll, ppoll and select on a regular file, a directory, an O_PATH fd or a
# /proc file call a NULL poll operation (kernel panic; Linux says
# POLLIN|POLLOUT): fixed by the default poll mask of every file kind.
SYSFUZZ_MATRIX_EXCLUDE=()
for c in poll ppoll select; do
    for k in file file-ro dir opath opath-link proc; do
        SYSFUZZ_MATRIX_EXCLUDE+=(-x "$c:$k")
    done
done
# The same bug from random arguments: poll (7) and ppoll (271).
SYSFUZZ_RANDOM_SKIP=(-s 7 -s 271)

# tests/sysfuzz/pending.sh — sourced by the scripts that run the fuzzer:
# the kernel bugs the fuzzer knows of whose fix is on its way, left out
# of the runs until it lands (then delete the lines, and the runs cover
# them again).  Each entry names the bug.  None is pending now.
SYSFUZZ_MATRIX_EXCLUDE=()
SYSFUZZ_RANDOM_SKIP=()

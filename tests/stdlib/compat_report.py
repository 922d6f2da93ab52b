#!/usr/bin/env python3
"""tests/stdlib/compat_report.py — reads what tests/stdlib/compat.sh left in
build/compat and reports it; compat.sh calls it, with the run's manifest
(one line per package and Go version: VERSION PKG BASE GOROOT PACKED-DIRS,
tab-separated; BASE.{gorump,native}.{log,status,time} are the runs).

  compat_report.py --manifest M [--markdown FILE] summary
      one line per package run, the markdown report, `N passed, N failed`
  compat_report.py --manifest M --expected FILE record
      replace the runs' entries in the expected-failures file
  compat_report.py --manifest M --expected FILE [--retried] check
      NEW/FIXED/UNRECORDED/FLAKY lines; exit 1 on a new failure

A log is the test binary's -test.v output with the kernel's messages in
between (stdout and stderr merged), so a line like `gorump: unimplemented
syscall 434 (pidfd_open)` belongs to the test that ran last.  Why a test
failed comes from tests/stdlib/reasons.txt when a person wrote it down
there, else from what its output shows (see classify()).
"""

import argparse
import datetime
import fnmatch
import os
import platform
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REASONS = os.path.join(HERE, "reasons.txt")

# What -test.v prints (Go 1.19 to 1.23): a test starting, resuming and
# ending, and the kernel's one-time messages.
RUN_RE = re.compile(r"^=== (RUN|CONT|NAME|PAUSE)\s+(\S+)")
END_RE = re.compile(r"^(\s*)--- (PASS|FAIL|SKIP): (\S+) \(")
SYSCALL_RE = re.compile(r"gorump: unimplemented syscall (\d+) \((\w+)\)")
FORK_RE = re.compile(r"gorump: a new process .*not supported")
MARK_RE = re.compile(r"^### compat\.sh: status (\d+)")
LOGLINE_RE = re.compile(r"^\s+\S+\.go:\d+: \S")
# Words that mark a logged line as the error rather than a note.
ERROR_RE = re.compile(r"(?i)err|fail|unexpected|got|want|expect|invalid|"
                      r"not supported|no such|denied|timed? ?out|panic|"
                      r"mismatch|cannot|can't|missing|not implemented")

# Reason categories: heading and what they mean (the report's legend).
CATEGORIES = {
    "syscall": ("missing syscall",
                "the kernel does not implement a system call the test "
                "needs (ENOSYS; the kernel names it once on stderr and the "
                "report attributes it to the test that was running)"),
    "errno": ("errno difference",
              "a system call fails, or succeeds, with another errno than "
              "Linux gives"),
    "behaviour": ("behaviour difference",
                  "a system call or a kernel-provided file behaves "
                  "differently than on Linux"),
    "exec": ("process start",
             "the test starts a program that is not in the guest (the go "
             "tool, /bin/sh, pwd: host programs are not packed), or starts "
             "a process in a way the kernel does not support yet (fork "
             "with copy-on-write, pidfds: docs/PROCESSES.md)"),
    "internet": ("by design: internet",
                 "the test needs hosts outside the machine"),
    "files": ("by design: files not packed",
              "the test reads files outside the package directory and "
              "what packages.txt packs for it"),
    "env": ("environment",
            "the guest differs from the host in something that is not a "
            "kernel bug: one CPU, the emulator's speed, a different "
            "machine setup"),
    "native": ("fails natively too",
               "the test fails on the host as well: not gorump's doing"),
    "unknown": ("unknown",
                "not yet understood; the log has the details"),
}


class Run:
    """One test binary's run: its results parsed from the log."""

    def __init__(self, base, mode):
        self.log = f"{base}.{mode}.log"
        self.guest = mode != "native"  # "first": a retried run's first go
        self.ran = os.path.exists(f"{base}.{mode}.status")
        self.status = read_int(f"{base}.{mode}.status")
        self.took = read_int(f"{base}.{mode}.time")
        self.results = {}     # test name (subtests too) -> PASS/FAIL/SKIP
        self.output = {}      # test name -> its output lines
        self.syscalls = {}    # syscall name -> test running when named
        self.fork_test = None  # test running when fork was refused
        self.pseudo = []      # package-level failures, as "[...]" names
        self.panic = None     # the first "panic:" line
        self.timeout_tests = []  # tests running when -test.timeout hit
        if self.ran:
            self._parse()

    def _parse(self):
        cur = None
        seg_panic = None      # the current segment's first "panic:" line
        in_timeout = False
        started = []          # tests started in the current segment
        with open(self.log, errors="replace") as f:
            for line in f:
                line = line.rstrip("\n")
                m = MARK_RE.match(line)
                if m:
                    self._segment_end(int(m.group(1)), started, seg_panic)
                    cur, seg_panic, in_timeout, started = None, None, False, []
                    continue
                m = SYSCALL_RE.search(line)
                if m:
                    self.syscalls.setdefault(m.group(2), cur)
                    self.output.setdefault(cur, []).append(line)
                    continue
                if FORK_RE.search(line):
                    self.fork_test = self.fork_test or cur or "-"
                    self.output.setdefault(cur, []).append(line)
                    continue
                m = RUN_RE.match(line)
                if m:
                    if m.group(1) != "PAUSE":
                        cur = m.group(2)
                    if m.group(1) == "RUN":
                        started.append(cur)
                    continue
                m = END_RE.match(line)
                if m:
                    self.results[m.group(3)] = m.group(2)
                    cur = m.group(3)
                    continue
                if line.startswith("panic: ") and seg_panic is None:
                    seg_panic = line
                    self.panic = self.panic or line
                    in_timeout = "test timed out" in line
                elif in_timeout and line.startswith("\t"):
                    self.timeout_tests.append(line.split()[0])
                elif in_timeout and line and not line.startswith("running"):
                    in_timeout = False
                self.output.setdefault(cur, []).append(line)

    def _segment_end(self, st, started, panic):
        """A segment of the run ended with status ST: the tests it left
        unfinished failed, or the run itself did if none was running."""
        open_tests = [t for t in started if t not in self.results]
        if st in (0, 1) and not open_tests:
            return
        if st == 124:
            why = "timeout: the run was stopped"
        elif st == 123 and self.guest:
            why = "the kernel panicked"
        elif st > 128:
            why = f"killed by signal {st - 128}"
        elif panic:
            why = panic
        else:
            why = f"exit status {st}"
        for t in open_tests:
            self.results[t] = "FAIL"
            self.output.setdefault(t, []).append("did not finish: " + why)
        if open_tests:
            return
        if panic and "test timed out" in panic:
            self.pseudo.append("[test-timeout]")
        elif st == 124:
            self.pseudo.append("[timeout]")
        elif st == 123 and self.guest:
            self.pseudo.append("[kernel-panic]")
        elif st > 128:
            self.pseudo.append(f"[signal-{st - 128}]")
        elif not self.failed():
            self.pseudo.append("[panic]" if panic else f"[exit-{st}]")

    def top(self):
        return {t: r for t, r in self.results.items() if "/" not in t}

    def failed(self):
        return sorted(t for t, r in self.top().items() if r == "FAIL")

    def failures(self):
        """Failing top-level tests plus package-level failures."""
        return self.failed() + self.pseudo

    def counts(self):
        rs = list(self.top().values())
        return rs.count("PASS"), rs.count("FAIL"), rs.count("SKIP")

    def ok(self):
        return self.status == 0

    def lines(self, test):
        """Output of TEST and its subtests, in order."""
        out = []
        for t, ls in self.output.items():
            if t is not None and (t == test or t.startswith(test + "/")):
                out.extend(ls)
        if test.startswith("[") and self.panic:
            out.append(self.panic)
        return out

    def failed_subtests(self, test):
        return [t for t, r in self.results.items()
                if r == "FAIL" and t.startswith(test + "/")]

    def cell(self):
        if not self.ran:
            return "—"
        p, f, s = self.counts()
        word = "ok" if self.ok() else "**FAIL**"
        if self.pseudo:
            word = "**" + " ".join(x.strip("[]") for x in self.pseudo) + "**"
        took = f" ({self.took}s)" if self.took is not None else ""
        return f"{word} {p}/{f}/{s}{took}"


def read_int(path):
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


class Entry:
    """One package with one Go version: its gorump and native runs."""

    def __init__(self, fields):
        self.ver, self.pkg, self.base, self.goroot = fields[:4]
        self.packs = fields[4].split() if len(fields) > 4 else []
        self.minor = ".".join(self.ver.split(".")[:2])
        self.build_failed = not os.path.exists(self.base + ".test")
        try:
            with open(self.base + ".src") as f:
                self.src = f.read().strip()
        except OSError:
            self.src = ""
        self.g = Run(self.base, "gorump")
        self.n = Run(self.base, "native")
        if self.build_failed:
            self.g.pseudo = ["[build]"]

    def gorump_failures(self):
        return self.g.failures()


def load_manifest(path):
    with open(path) as f:
        return [Entry(line.rstrip("\n").split("\t"))
                for line in f if line.strip()]


# --- why a test failed -------------------------------------------------------

def load_reasons():
    """reasons.txt as rules (PKG, TEST, PATTERN, CATEGORY, TEXT), @NAMEs
    resolved; a pattern rule has PKG and TEST None, the others PATTERN."""
    named, rs = {}, []
    if not os.path.exists(REASONS):
        return rs

    def bad(n):
        sys.exit(f"{REASONS}:{n}: not a rule, an @NAME not defined above, "
                 f"or a category not among {', '.join(CATEGORIES)}")
    with open(REASONS) as f:
        for n, line in enumerate(f, 1):
            fs = line.split(None, 3)
            if not fs or fs[0].startswith("#"):
                continue
            if fs[0].startswith("@"):
                named[fs[0]] = line.split(None, 2)[1:]
                if len(named[fs[0]]) != 2 or fs[1] not in CATEGORIES:
                    bad(n)
                continue
            if fs[0].startswith("~"):
                pat, _, ref = line[1:].strip().rpartition(" ")
                if ref not in named:
                    bad(n)
                rule = (None, None, re.compile(pat)) + tuple(named[ref])
            elif len(fs) == 3 and fs[2] in named:
                rule = (fs[0], fs[1], None) + tuple(named[fs[2]])
            elif len(fs) == 4 and fs[2] in CATEGORIES:
                rule = (fs[0], fs[1], None, fs[2], fs[3])
            else:
                bad(n)
            rs.append(rule[:4] + (rule[4].strip(),))
    return rs


def curated(reasons, e, test):
    """The first rule of reasons.txt for TEST: per-test lines first."""
    text = "\n".join(e.g.lines(test))
    for p, t, pat, cat, why in sorted(reasons, key=lambda r: r[0] is None):
        if pat is not None:
            if pat.search(text):
                return cat, why
            continue
        name, _, only = t.partition("@")
        # A rule for PKG holds for its variants (PKG@share, PKG@cpus2).
        if p in (e.pkg, e.pkg.split("@")[0]) and \
                fnmatch.fnmatchcase(test, name) and \
                (not only or e.ver.startswith(only)):
            return cat, why
    return None


def evidence(e, test, run=None):
    """The first error a test printed, for the reader and for the rules."""
    run = run or e.g
    lines = [x for x in run.lines(test) if x.strip()]
    logged = [x for x in lines if LOGLINE_RE.match(x)]
    errors = [x for x in logged if ERROR_RE.search(x.split(": ", 1)[-1])]
    first = (errors or logged or
             [x for x in lines if not x.startswith("gorump:")] or
             lines or [""])[0].strip()
    if test == "[test-timeout]" and run.timeout_tests:
        first = "still running: " + ", ".join(run.timeout_tests[:4])
    elif test.startswith("[") and run.panic:
        first = run.panic
    # Paths that differ between checkouts and runs would churn the report.
    first = first.replace(os.getcwd() + "/", "")
    return re.sub(r"/tmp/[0-9]+/", "/tmp/N/", first)


def packed(e, path):
    dirs = [os.path.realpath(d) for d in e.packs + [e.src] if d]
    real = os.path.realpath(path)
    return any(real == d or real.startswith(d + "/") for d in dirs)


def missing_program(text):
    """Why a test that starts a process failed: the program it runs, when
    that is a host program the guest does not have."""
    m = re.search(r'exec: "([^"]+)": executable file not found', text) or \
        re.search(r"fork/exec (/[^\s:]+): no such file or directory", text)
    if m:
        return f"runs {m.group(1)}, a host program not in the guest"
    return "starts a process"


def classify(e, test, reasons):
    """(category, text) for a test that failed in gorump."""
    if test in e.n.failed() or (test.startswith("[") and test in e.n.pseudo):
        return "native", evidence(e, test, e.n)
    c = curated(reasons, e, test)
    if c:
        return c
    text = "\n".join(e.g.lines(test))
    if e.g.fork_test == test or FORK_RE.search(text) or \
            re.search(r"fork/exec|os\.StartProcess|exec: \"", text):
        return "exec", missing_program(text)
    calls = sorted(s for s, t in e.g.syscalls.items()
                   if t == test or (t or "").startswith(test + "/"))
    if calls:
        return "syscall", ", ".join(calls)
    if "function not implemented" in text:
        return "syscall", "a call failed with ENOSYS"
    for m in re.finditer(r" (/[^\s:]+): no such file or directory", text):
        p = m.group(1)
        if os.path.exists(p) and not packed(e, p):
            return "files", f"reads {p}"
    if re.search(r"lookup \S+\.(com|org|net)\b|network is unreachable", text):
        return "internet", "reaches for a host outside the machine"
    if test == "[build]":
        return "unknown", f"go test -c failed: see {e.base}.build"
    return "unknown", f"see {e.g.log}"


def reason(cat, text):
    """How the report writes a reason."""
    sep = " — " if cat == "unknown" else ": "
    return CATEGORIES[cat][0] + (sep + text if text else "")


# --- output ------------------------------------------------------------------

def md_escape(s, limit=160):
    s = s.replace("|", "\\|").replace("`", "'")
    return s if len(s) <= limit else s[:limit - 1] + "…"


def tool_versions(gorump):
    def first_line(cmd):
        try:
            out = subprocess.run(cmd, capture_output=True, text=True,
                                 timeout=30).stdout
            return out.splitlines()[0] if out else "?"
        except (OSError, subprocess.SubprocessError):
            return "?"
    accel = os.environ.get("GORUMP_ACCEL")
    if not accel:
        kvm = os.access("/dev/kvm", os.R_OK | os.W_OK) and \
            not os.path.exists("/sys/module/kvm_pvm")
        accel = "kvm" if kvm else "tcg"
    return {
        "gorump": first_line([gorump, "version"]),
        "qemu": first_line(["qemu-system-x86_64", "--version"]),
        "accel": accel.upper(),
    }


def summary_lines(entries):
    for e in entries:
        g, n = e.g, e.n
        word = "ok  " if (g.ok() and not e.build_failed) else "FAIL"
        nat = "" if not n.ran else \
            (" (native: ok)" if n.ok() else " (native: FAIL)")
        fails = " ".join(e.gorump_failures()[:8])
        more = len(e.gorump_failures()) - 8
        if more > 0:
            fails += f" +{more}"
        yield f"{word} {e.ver} {e.pkg}{nat}{': ' + fails if fails else ''}"


def failure_rows(entries, reasons):
    """{pkg: {(test, category, text): [entries it fails in]}}, in order."""
    rows = {}
    for e in entries:
        for t in e.gorump_failures():
            cat, text = classify(e, t, reasons)
            rows.setdefault(e.pkg, {}).setdefault((t, cat, text), []).append(e)
    return rows


def md_head(w, entries, args):
    tv = tool_versions(args.gorump)
    vers = list(dict.fromkeys(e.ver for e in entries))
    w("# Go package tests in gorump\n")
    w("Which standard-library tests pass when their test binary runs in "
      "gorump, next to the same binary run natively on the host.  "
      f"Generated by `{args.command}` (tests/stdlib/compat.sh); do not "
      "edit: the reasons come from tests/stdlib/reasons.txt, the package "
      "list from tests/stdlib/packages.txt, the closing sections on "
      "dynamically linked programs, on shared directories and on two "
      "CPUs from tests/stdlib/dynamic.md, tests/stdlib/shares.md and "
      "tests/stdlib/smp.md.\n")
    w(f"- date: {datetime.date.today().isoformat()}")
    w(f"- gorump: `{tv['gorump']}`, guest run by {tv['qemu']}, {tv['accel']}")
    w("- Go: " + ", ".join(vers))
    w(f"- host: {platform.system()} {platform.release()}, "
      f"{os.cpu_count()} CPUs; {args.jobs} runs at a time, "
      f"{args.took} s in all\n")
    w("Each run: `go test -c` with `CGO_ENABLED=0` (in GOROOT/src for a "
      "standard package), then the binary with `-test.short -test.v`: in "
      "gorump with `-m 1G`, the package directory packed at its own path "
      "as the working directory, `GOROOT`, `HOME=/root` and `TMPDIR=/tmp`; "
      "natively in the same directory and environment.  packages.txt adds "
      "files, build tags and options per package.  `PKG@volume` and "
      "`PKG@share` are PKG's tests with `TMPDIR` (where `t.TempDir` and "
      "`os.CreateTemp` write and most tests chdir) on a new 1 GiB ext2 "
      "volume (`gorump volume create`, `-v FILE:/mnt/volume`; afterwards "
      "the host's `e2fsck -fn` must find it clean, else `VolumeFsck` "
      "fails) or a new 9p share of an empty host directory "
      "(`-v DIR:/mnt/share`).  `PKG@cpus2` is PKG's tests in a guest "
      "with two CPUs (`--cpus 2`).  The native run of each is PKG's.  "
      "A run that stops early "
      "(a panic, a crash, a timeout) goes on with the tests that had not "
      "started.\n")


def md_summary(w, entries):
    vers = list(dict.fromkeys(e.ver for e in entries))
    by = {(e.pkg, e.ver): e for e in entries}
    native = any(e.n.ran for e in entries)
    w("## Summary\n")
    w("Each cell: the result, passed/failed/skipped top-level tests "
      "(examples included) and the run's wall time.  A failure that is not "
      "a test's (a timeout, a crash) is named instead of FAIL.\n")
    head = ["package"]
    for v in vers:
        head += [f"{v} gorump"] + ([f"{v} native"] if native else [])
    w("| " + " | ".join(head) + " |")
    w("|" + "---|" * len(head))
    for p in dict.fromkeys(e.pkg for e in entries):
        row = [p]
        for v in vers:
            e = by.get((p, v))
            row.append("" if not e else "**build failed**" if e.build_failed
                       else e.g.cell())
            if native:
                row.append(e.n.cell() if e else "")
        w("| " + " | ".join(row) + " |")
    ok = sum(1 for e in entries if e.g.ok() and not e.build_failed)
    nat_ok = sum(1 for e in entries if e.n.ran and e.n.ok())
    w(f"\n{ok} of {len(entries)} package runs pass in gorump"
      + (f", {nat_ok} natively." if native else "."))


def md_reasons(w, rows):
    cats = {}
    for p in rows:
        for (t, cat, text) in rows[p]:
            cats[cat] = cats.get(cat, 0) + 1
    w("\n## Failures by reason\n")
    w("Failing tests, each counted once however many Go versions it fails "
      "with:\n")
    w("| reason | tests |")
    w("|---|---|")
    for c in CATEGORIES:
        if c in cats:
            w(f"| {CATEGORIES[c][0]} | {cats[c]} |")
    kernel = {}
    for p in rows:
        for (t, cat, text), es in rows[p].items():
            if cat in ("syscall", "errno", "behaviour"):
                kernel.setdefault((cat, text), []).append(
                    f"{p}.{t} ({', '.join(e.minor for e in es)})")
    if kernel:
        w("\nWhat the kernel does differently, with the tests it fails:\n")
        for (cat, text), tests in sorted(kernel.items()):
            w(f"- {md_escape(reason(cat, text), 300)} — " + ", ".join(tests))


def md_failures(w, rows):
    w("\n## Failing tests\n")
    w("Per package: the test, the Go versions it fails with in gorump, "
      "why, and the first error it printed (from the first version's "
      "log).\n")
    for p, tests in rows.items():
        w(f"### {p}\n")
        w("| test | Go | reason | first error |")
        w("|---|---|---|---|")
        for (t, cat, text), es in tests.items():
            e = es[0]
            ev = evidence(e, t)
            subs = e.g.failed_subtests(t)
            if subs:
                ev += " (subtests: " + ", ".join(
                    x.split("/", 1)[1] for x in subs[:3])
                ev += f", +{len(subs) - 3})" if len(subs) > 3 else ")"
            vs = ", ".join(x.minor for x in es)
            w(f"| {t} | {vs} | {md_escape(reason(cat, text), 300)} | "
              f"`{md_escape(ev)}` |")
        w("")


def md_syscalls(w, entries):
    seen = {}
    for e in entries:
        for call, test in e.g.syscalls.items():
            seen.setdefault(call, []).append(
                f"{e.pkg}.{test or '(before any test)'} ({e.minor})")
    if not seen:
        return
    w("## Unimplemented system calls seen\n")
    w("Named by the kernel (once per run, so only the first test to make "
      "the call is known); a test that copes with `ENOSYS` still passes.\n")
    for call in sorted(seen):
        w(f"- `{call}`: " + ", ".join(seen[call]))
    w("")


def md_skips(w, entries):
    rows = []
    for e in entries:
        for t, r in e.g.results.items():
            if r == "SKIP" and e.n.results.get(t) == "PASS":
                ls = [x.strip() for x in e.g.output.get(t, []) if x.strip()]
                rows.append((e.pkg, t, e.minor, ls[-1] if ls else ""))
    if not rows:
        return
    w("## Skipped in gorump, passed natively\n")
    w("| package | test | Go | skip message |")
    w("|---|---|---|---|")
    for p, t, v, msg in rows:
        w(f"| {p} | {t} | {v} | `{md_escape(msg)}` |")
    w("")


def md_legend(w):
    w("## Reason categories\n")
    for c, (label, desc) in CATEGORIES.items():
        w(f"- **{label}** — {desc}.")
    w("\nA `[name]` in place of a test is a failure of the whole run that "
      "no test can be blamed for: `[timeout]` the run was stopped, "
      "`[test-timeout]` the binary's own `-test.timeout` expired, "
      "`[kernel-panic]` the kernel panicked, `[signal-N]` the program was "
      "killed by signal N, `[panic]` it panicked outside a test, `[exit-N]` "
      "it exited N with no test failing, `[build]` `go test -c` failed.  A "
      "test a crash or timeout cut short fails with \"did not finish\".\n")
    w("## Regenerating\n")
    w("`make compat` runs the whole list and rewrites this file and "
      "tests/stdlib/expected.txt, the failures the regression check "
      "`make compat COMPAT_SUBSET=1` (`tests/stdlib/compat.sh --check`, the "
      "packages of tests/stdlib/subset.txt, in gorump only) accepts.  Any "
      "package, yours too: `tests/stdlib/compat.sh PKG...` or `-l FILE` "
      "(see its header); logs are in build/compat/GOVERSION/.")


# Hand-written sections the report carries at its end.
CLOSING_MD = [os.path.join(os.path.dirname(os.path.abspath(__file__)), name)
              for name in ("dynamic.md", "shares.md", "smp.md")]


def md_dynamic(w):
    for path in CLOSING_MD:
        with open(path) as f:
            w("\n" + f.read().rstrip("\n"))


def markdown(entries, args, reasons):
    out = []
    w = out.append
    rows = failure_rows(entries, reasons)
    md_head(w, entries, args)
    md_summary(w, entries)
    if rows:
        md_reasons(w, rows)
        md_failures(w, rows)
    md_syscalls(w, entries)
    md_skips(w, entries)
    md_legend(w)
    md_dynamic(w)
    return "\n".join(out) + "\n"


def cmd_summary(args, entries):
    for line in summary_lines(entries):
        print(line)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(markdown(entries, args, load_reasons()))
    ok = sum(1 for e in entries if e.g.ok() and not e.build_failed)
    print(f"{ok} passed, {len(entries) - ok} failed")
    return 0


# --- expected failures -------------------------------------------------------

EXPECTED_HEAD = """\
# tests/stdlib/expected.txt — the tests that failed in gorump when
# docs/COMPATIBILITY.md was last recorded (`make compat`, which rewrites the
# lines of the packages it ran).  `make compat COMPAT_SUBSET=1` fails when a
# test fails that is not listed here for its package and Go version.
#
# GO PKG TEST     one known failure ("[name]": the whole run, see the doc)
# GO PKG -        recorded with no failure
"""


def load_expected(path):
    exp = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                fs = line.split()
                if len(fs) >= 3 and not fs[0].startswith("#"):
                    s = exp.setdefault((fs[0], fs[1]), set())
                    if fs[2] != "-":
                        s.add(fs[2])
    return exp


def cmd_record(args, entries):
    exp = load_expected(args.expected)
    for e in entries:
        exp[(e.minor, e.pkg)] = set(e.gorump_failures())
    with open(args.expected, "w") as f:
        f.write(EXPECTED_HEAD)
        for key in sorted(exp, key=lambda k: (k[1], k[0])):
            for t in sorted(exp[key]) or ["-"]:
                f.write(f"{key[0]} {key[1]} {t}\n")
    return 0


def cmd_check(args, entries):
    exp = load_expected(args.expected)
    bad = ok = 0
    for e in entries:
        key = (e.minor, e.pkg)
        fails = set(e.gorump_failures())
        if key not in exp:
            # No record for this Go version: it passes only with no
            # failure at all, since none can be a known one.
            print(f"UNRECORDED {e.ver} {e.pkg} (not in {args.expected}; "
                  f"failing: {' '.join(sorted(fails)) or 'none'})")
            if fails:
                for t in sorted(fails):
                    print(f"    {t}: {evidence(e, t)}  ({e.g.log})")
                bad += 1
            else:
                ok += 1
            continue
        new = fails - exp[key]
        if args.retried and new and os.path.exists(e.base + ".first.log"):
            first = Run(e.base, "first")
            flaky = new - set(first.failures())
            new -= flaky
            if flaky:
                print(f"FLAKY {e.ver} {e.pkg} {' '.join(sorted(flaky))} "
                      "(failed in one of two runs)")
        fixed = {t for t in exp[key] - fails
                 if e.g.results.get(t) == "PASS"}
        if fixed:
            print(f"FIXED {e.ver} {e.pkg} {' '.join(sorted(fixed))} "
                  "(now passes: record with make compat)")
        if new:
            print(f"NEW {e.ver} {e.pkg} {' '.join(sorted(new))}")
            for t in sorted(new):
                print(f"    {t}: {evidence(e, t)}  ({e.g.log})")
            bad += 1
        else:
            known = len(fails & exp[key])
            print(f"ok  {e.ver} {e.pkg}"
                  + (f" ({known} known failure{'s' * (known > 1)})"
                     if known else ""))
            ok += 1
    print(f"{ok} passed, {bad} failed (against {args.expected})")
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--markdown")
    ap.add_argument("--expected", default=os.path.join(HERE, "expected.txt"))
    ap.add_argument("--retried", action="store_true")
    ap.add_argument("--command", default="tests/stdlib/compat.sh")
    ap.add_argument("--gorump", default="build/gorump")
    ap.add_argument("--took", default="?")
    ap.add_argument("--jobs", default="2")
    ap.add_argument("action", choices=["summary", "record", "check"])
    args = ap.parse_args()
    entries = load_manifest(args.manifest)
    return {"summary": cmd_summary, "record": cmd_record,
            "check": cmd_check}[args.action](args, entries)


if __name__ == "__main__":
    sys.exit(main())

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

// statFields is /proc/PID/stat after the name: state, ppid, ...
func statFields(pid int) (name string, rest []string) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		fail("read /proc/%d/stat: %v", pid, err)
	}
	s := string(data)
	open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || close < open || s[:open] != strconv.Itoa(pid)+" " {
		fail("/proc/%d/stat: %q", pid, s)
	}
	return s[open+1 : close], strings.Fields(s[close+1:])
}

// statusField is the value of KEY in /proc/PID/status.
func statusField(pid int, key string) string {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		fail("read /proc/%d/status: %v", pid, err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, key+":") {
			return strings.TrimSpace(line[len(key)+1:])
		}
	}
	fail("/proc/%d/status has no %s: %q", pid, key, data)
	return ""
}

// procPids is the pids /proc lists.
func procPids() map[int]bool {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		fail("ReadDir /proc: %v", err)
	}
	pids := map[int]bool{}
	for _, e := range ents {
		if pid, err := strconv.Atoi(e.Name()); err == nil && e.IsDir() {
			pids[pid] = true
		}
	}
	return pids
}

// procfs: a child's /proc/PID read from its parent (its name, parent,
// state, command line, program, fds and mappings), /proc listing both,
// the child as a zombie (Z) once killed, and its directory gone once
// waited for.
func procfs() {
	cmd := exec.Command(self, "sleep", "procfs-arg")
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		fail("start sleep: %v", err)
	}
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "ready\n" {
		fail("sleep child said %q", line)
	}
	pid, me := cmd.Process.Pid, os.Getpid()
	dir := "/proc/" + strconv.Itoa(pid)
	comm := filepath.Base(self)
	if len(comm) > 15 {
		comm = comm[:15]
	}
	if name, rest := statFields(pid); name != comm || rest[1] != strconv.Itoa(me) ||
		(rest[0] != "S" && rest[0] != "R") {
		fail("%s/stat: name %q state %s ppid %s, want %q S %d", dir, name,
			rest[0], rest[1], comm, me)
	}
	if n := statusField(pid, "Name"); n != comm {
		fail("%s/status: Name %q, want %q", dir, n, comm)
	}
	if p := statusField(pid, "PPid"); p != strconv.Itoa(me) {
		fail("%s/status: PPid %s, want %d", dir, p, me)
	}
	if p := statusField(pid, "Pid"); p != strconv.Itoa(pid) {
		fail("%s/status: Pid %s, want %d", dir, p, pid)
	}
	if p := statusField(me, "PPid"); p == strconv.Itoa(me) {
		fail("/proc/%d/status: PPid is its own pid", me)
	}
	data, err := os.ReadFile(dir + "/cmdline")
	if want := self + "\x00sleep\x00procfs-arg\x00"; err != nil || string(data) != want {
		fail("%s/cmdline: %q (%v), want %q", dir, data, err, want)
	}
	if data, err = os.ReadFile(dir + "/comm"); err != nil || string(data) != comm+"\n" {
		fail("%s/comm: %q (%v)", dir, data, err)
	}
	if exe, err := os.Readlink(dir + "/exe"); err != nil || exe != self {
		fail("%s/exe: %q (%v), want %q", dir, exe, err, self)
	}
	if data, err = os.ReadFile(dir + "/maps"); err != nil || !bytes.Contains(data, []byte(self)) {
		fail("%s/maps does not name %s (%v): %q", dir, self, err, data)
	}
	if t, err := os.Readlink(dir + "/fd/1"); err != nil || !strings.HasPrefix(t, "pipe:") {
		fail("%s/fd/1: %q (%v), want the pipe", dir, t, err)
	}
	if ents, err := os.ReadDir(dir + "/task"); err != nil || len(ents) == 0 {
		fail("%s/task: %d entries (%v)", dir, len(ents), err)
	}
	if self, err := os.Readlink("/proc/self"); err != nil || self != strconv.Itoa(me) {
		fail("/proc/self: %q (%v), want %d", self, err, me)
	}
	if pids := procPids(); !pids[me] || !pids[pid] {
		fail("/proc lists %v, not both %d and %d", pids, me, pid)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	state := ""
	for i := 0; i < 500 && state != "Z"; i++ {
		_, rest := statFields(pid)
		state = rest[0]
		time.Sleep(10 * time.Millisecond)
	}
	if s := statusField(pid, "State"); state != "Z" || !strings.HasPrefix(s, "Z") {
		fail("%s of a killed child: state %s, status State %q", dir, state, s)
	}
	cmd.Wait()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		fail("%s after wait: %v", dir, err)
	}
	if _, err := os.ReadFile(dir + "/status"); !os.IsNotExist(err) {
		fail("%s/status after wait: %v", dir, err)
	}
	if pids := procPids(); pids[pid] || !pids[me] {
		fail("/proc lists %v after wait", pids)
	}
	fmt.Println("proc of a child")
}

// credentials: children started with SysProcAttr.Credential (setgroups,
// setgid and setuid to this process's own ids, then without setgroups),
// and the keep-capabilities flag set on every thread and read back
// (os/exec's and os/signal's own tests do both).
func credentials() {
	for _, noGroups := range []bool{false, true} {
		cmd := exec.Command(self, "exit", "0")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{
			Uid: uint32(os.Getuid()), Gid: uint32(os.Getgid()),
			NoSetGroups: noGroups}}
		if err := cmd.Run(); err != nil {
			fail("child with credentials (NoSetGroups %v): %v", noGroups, err)
		}
	}
	const getKeepCaps, setKeepCaps = 7, 8
	for _, v := range []uintptr{1, 0} {
		if _, _, e := syscall.AllThreadsSyscall(syscall.SYS_PRCTL, setKeepCaps, v, 0); e != 0 {
			fail("PR_SET_KEEPCAPS %d on every thread: %v", v, e)
		}
		if r, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, getKeepCaps, 0, 0); e != 0 || r != v {
			fail("PR_GET_KEEPCAPS: %d (%v), want %d", r, e, v)
		}
	}
	fmt.Println("credentials: own ids, keepcaps")
}

// prctlName: PR_SET_NAME renames the calling thread (in gorump, its
// process), and its /proc/self/task/TID/comm and PR_GET_NAME say so.
func prctlName() {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	path := fmt.Sprintf("/proc/self/task/%d/comm", syscall.Gettid())
	old, err := os.ReadFile(path)
	if err != nil {
		fail("read %s: %v", path, err)
	}
	set := func(name string) {
		b := append([]byte(name), 0)
		if _, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_NAME,
			uintptr(unsafe.Pointer(&b[0])), 0); e != 0 {
			fail("PR_SET_NAME %q: %v", name, e)
		}
	}
	set("renamed")
	var got [16]byte
	syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_GET_NAME,
		uintptr(unsafe.Pointer(&got[0])), 0)
	if data, err := os.ReadFile(path); err != nil || string(data) != "renamed\n" ||
		string(got[:8]) != "renamed\x00" {
		fail("%s after PR_SET_NAME: %q (%v), PR_GET_NAME %q", path, data, err, got)
	}
	set(strings.TrimSuffix(string(old), "\n"))
	fmt.Println("PR_SET_NAME: comm")
}

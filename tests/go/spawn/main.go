// tests/go/spawn — processes: the program runs itself as a child through
// os/exec (clone with CLONE_VM|CLONE_VFORK, execve, wait4; from Go 1.23
// CLONE_PIDFD, waitid(P_PIDFD) and pidfd_send_signal): data through
// stdin and stdout pipes, exit codes, children killed by signals, exec
// errors (ENOENT, ENOEXEC, EACCES) returned to the parent, a chain of
// three processes with their parent pids, process groups and sessions
// (SysProcAttr's Setpgid, Pgid and Setsid; kill of a group, of 0 and of
// -1), the children's CPU time, a child's /proc/PID read by its parent
// (procfs.go), children started with credentials, and 200 short-lived
// children without growth in the kernel's memory (/proc/meminfo).
package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"
)

var self string

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

// child runs in the processes the test starts.
func child(args []string) {
	switch args[0] {
	case "echo": // stdin back to stdout, each byte plus one
		data, err := io.ReadAll(os.Stdin)
		if err != nil {
			os.Exit(10)
		}
		for i := range data {
			data[i]++
		}
		os.Stdout.Write(data)
	case "exit":
		n, _ := strconv.Atoi(args[1])
		os.Exit(n)
	case "sleep":
		fmt.Println("ready")
		time.Sleep(time.Hour)
	case "chain": // chain N: N more levels below this one
		n, _ := strconv.Atoi(args[1])
		fmt.Printf("level pid=%d ppid=%d\n", os.Getpid(), os.Getppid())
		if n > 0 {
			cmd := exec.Command(self, "chain", strconv.Itoa(n-1))
			cmd.Stdout = os.Stdout
			if err := cmd.Run(); err != nil {
				os.Exit(11)
			}
		}
	case "reexec": // this process, with its threads, runs "exit N"
		err := syscall.Exec(self, []string{self, "exit", args[1]}, os.Environ())
		fmt.Fprintf(os.Stderr, "FAIL: exec: %v\n", err)
		os.Exit(12)
	case "success": // the first process after its own exec: same pid
		if strconv.Itoa(os.Getpid()) != args[1] {
			fail("pid %d after exec, was %s", os.Getpid(), args[1])
		}
		fmt.Println("SUCCESS")
	case "kill0": // kill(0): this process's group, which it leads
		syscall.Kill(0, syscall.SIGTERM)
		time.Sleep(10 * time.Second)
		os.Exit(13)
	case "spin": // 200 ms of CPU time
		for start := time.Now(); time.Since(start) < 200*time.Millisecond; {
		}
	case "quick":
	}
	os.Exit(0)
}

func echo() {
	cmd := exec.Command(self, "echo")
	in, err := cmd.StdinPipe()
	if err != nil {
		fail("StdinPipe: %v", err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		fail("StdoutPipe: %v", err)
	}
	if err := cmd.Start(); err != nil {
		fail("start echo: %v", err)
	}
	data := make([]byte, 100000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	go func() {
		in.Write(data)
		in.Close()
	}()
	got, err := io.ReadAll(out)
	if err != nil {
		fail("read echo: %v", err)
	}
	if err := cmd.Wait(); err != nil {
		fail("echo child: %v", err)
	}
	if len(got) != len(data) {
		fail("echo: %d bytes back, want %d", len(got), len(data))
	}
	for i := range data {
		if got[i] != data[i]+1 {
			fail("echo: byte %d is %d, want %d", i, got[i], data[i]+1)
		}
	}
	fmt.Println("echo: 100000 bytes through the child")
}

// sigchld: the parent hears of its child's end.
func sigchld() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGCHLD)
	if err := exec.Command(self, "quick").Run(); err != nil {
		fail("quick: %v", err)
	}
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		fail("no SIGCHLD")
	}
	signal.Stop(ch)
	fmt.Println("SIGCHLD")
}

func exitCodes() {
	for _, code := range []int{0, 1, 3, 255} {
		err := exec.Command(self, "exit", strconv.Itoa(code)).Run()
		var ee *exec.ExitError
		switch {
		case code == 0 && err != nil:
			fail("exit 0: %v", err)
		case code != 0 && !errors.As(err, &ee):
			fail("exit %d: %v, want an ExitError", code, err)
		case code != 0 && ee.ExitCode() != code:
			fail("exit %d: ExitCode %d", code, ee.ExitCode())
		}
	}
	var ee *exec.ExitError
	err := exec.Command(self, "reexec", "5").Run()
	if !errors.As(err, &ee) || ee.ExitCode() != 5 {
		fail("a child that execs with its threads: %v", err)
	}
	fmt.Println("exit codes: 0 1 3 255, and 5 after an exec")
}

// sleeper starts a child that sleeps (with attributes attr) and returns
// once it is ready.
func sleeper(attr *syscall.SysProcAttr) *exec.Cmd {
	cmd := exec.Command(self, "sleep")
	cmd.SysProcAttr = attr
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		fail("start sleep (%+v): %v", attr, err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "ready\n" {
		fail("sleep child said %q", line)
	}
	return cmd
}

// waitKilled waits for cmd, which must die by signal want ("signal:
// killed").
func waitKilled(cmd *exec.Cmd, want string) {
	if err := cmd.Wait(); err == nil || err.Error() != want {
		fail("child %d: %v, want %s", cmd.Process.Pid, err, want)
	}
}

func killed(sig syscall.Signal, want string) {
	cmd := sleeper(nil)
	if err := cmd.Process.Signal(sig); err != nil {
		fail("signal %v: %v", sig, err)
	}
	err := cmd.Wait()
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if err == nil || err.Error() != want || !ok || !ws.Signaled() ||
		ws.Signal() != sig {
		fail("child sent %v: %v (status %#x)", sig, err, ws)
	}
	fmt.Printf("%v\n", err)
}

func execErrors() {
	dir, err := os.MkdirTemp("", "spawn")
	if err != nil {
		fail("MkdirTemp: %v", err)
	}
	notElf := filepath.Join(dir, "text")
	noExec := filepath.Join(dir, "noexec")
	os.WriteFile(notElf, []byte("just text, no ELF\n"), 0755)
	os.WriteFile(noExec, []byte("x"), 0644)
	for _, c := range []struct {
		path string
		want error
	}{
		{"/nonexistent/program", syscall.ENOENT},
		{notElf, syscall.ENOEXEC},
		{noExec, syscall.EACCES},
		{dir, syscall.EACCES},
	} {
		err := exec.Command(c.path).Run()
		if !errors.Is(err, c.want) {
			fail("exec %s: %v, want %v", c.path, err, c.want)
		}
	}
	os.RemoveAll(dir)
	fmt.Println("exec errors: ENOENT ENOEXEC EACCES EACCES")
}

// groups: Setpgid, Pgid and Setsid (setpgid and setsid in the vfork
// child before its exec), kill of a group, kill(0) from a group leader,
// and in the guest, where this is the first process, kill(-1).
func groups() {
	a := sleeper(&syscall.SysProcAttr{Setpgid: true})
	pg := a.Process.Pid
	b := sleeper(&syscall.SysProcAttr{Setpgid: true, Pgid: pg})
	for _, c := range []*exec.Cmd{a, b} {
		if got, err := syscall.Getpgid(c.Process.Pid); err != nil || got != pg {
			fail("Setpgid: child %d in group %d (%v), want %d",
				c.Process.Pid, got, err, pg)
		}
	}
	if mine, _ := syscall.Getpgid(0); mine == pg {
		fail("Setpgid: the parent is in the child's group %d", pg)
	}
	if err := syscall.Kill(-pg, syscall.SIGTERM); err != nil {
		fail("kill(-%d): %v", pg, err)
	}
	waitKilled(a, "signal: terminated")
	waitKilled(b, "signal: terminated")
	if err := syscall.Kill(-pg, 0); err != syscall.ESRCH {
		fail("kill of an empty group: %v", err)
	}

	s := sleeper(&syscall.SysProcAttr{Setsid: true})
	sid, _, e := syscall.RawSyscall(syscall.SYS_GETSID, uintptr(s.Process.Pid), 0, 0)
	if e != 0 || int(sid) != s.Process.Pid {
		fail("Setsid: session %d (%v), want %d", sid, e, s.Process.Pid)
	}
	s.Process.Kill()
	waitKilled(s, "signal: killed")

	k := exec.Command(self, "kill0")
	k.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	k.Start()
	waitKilled(k, "signal: terminated")

	if os.Getpid() == 1 {
		a, b := sleeper(nil), sleeper(nil)
		if err := syscall.Kill(-1, syscall.SIGKILL); err != nil {
			fail("kill(-1): %v", err)
		}
		waitKilled(a, "signal: killed")
		waitKilled(b, "signal: killed")
	}
	fmt.Println("groups: Setpgid, Pgid, Setsid, kill(-pgid), kill(0), kill(-1)")
}

// pidfds: from Go 1.23 os/exec keeps a pidfd for each child, and waits
// and signals through it; os.FindProcess opens one (pidfd_open).
func pidfds() {
	var minor int
	fmt.Sscanf(runtime.Version(), "go1.%d", &minor)
	cmd := sleeper(nil)
	n := 0
	fds, _ := os.ReadDir("/proc/self/fd")
	for _, fd := range fds {
		if l, _ := os.Readlink("/proc/self/fd/" + fd.Name()); l == "anon_inode:[pidfd]" {
			n++
		}
	}
	if minor >= 23 && n == 0 {
		fail("Go 1.%d: no pidfd for the child", minor)
	}
	p, err := os.FindProcess(cmd.Process.Pid)
	if err != nil || p.Signal(syscall.Signal(0)) != nil {
		fail("FindProcess(%d): %v", cmd.Process.Pid, err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		fail("Signal: %v", err)
	}
	waitKilled(cmd, "signal: terminated")
	if err := cmd.Process.Signal(syscall.SIGTERM); err != os.ErrProcessDone {
		fail("Signal after Wait: %v", err)
	}
	p.Release()
	fmt.Printf("pidfds: Signal, Wait (%d pidfds)\n", n)
}

// cpuTime: a child's CPU time reaches its parent's wait and
// getrusage(RUSAGE_CHILDREN); this process's own is not zero either.
func cpuTime() {
	cmd := exec.Command(self, "spin")
	if err := cmd.Run(); err != nil {
		fail("spin: %v", err)
	}
	if t := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(); t <= 0 {
		fail("a child that spun 200 ms used %v of CPU", t)
	}
	var ch, me syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ch)
	syscall.Getrusage(syscall.RUSAGE_SELF, &me)
	if ch.Utime.Nano()+ch.Stime.Nano() <= 0 || me.Utime.Nano()+me.Stime.Nano() <= 0 {
		fail("getrusage: children %+v, self %+v", ch, me)
	}
	fmt.Println("CPU time of the children")
}

func chain() {
	out, err := exec.Command(self, "chain", "2").Output()
	if err != nil {
		fail("chain: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 3 {
		fail("chain: %q", out)
	}
	parent := os.Getpid()
	for i, l := range lines {
		var pid, ppid int
		if _, err := fmt.Sscanf(l, "level pid=%d ppid=%d", &pid, &ppid); err != nil {
			fail("chain line %q", l)
		}
		if ppid != parent || pid == parent {
			fail("chain level %d: pid %d ppid %d, parent %d", i, pid, ppid,
				parent)
		}
		parent = pid
	}
	fmt.Println("chain: three processes, each the child of the one before")
}

// meminfo gives /proc/meminfo's MemFree and Slab, and this process's
// resident memory (/proc/self/statm), in kB.
func meminfo() (free, slab, rss int) {
	statm, err := os.ReadFile("/proc/self/statm")
	if f := strings.Fields(string(statm)); err != nil || len(f) < 2 {
		fail("statm: %v", err)
	} else {
		rss, _ = strconv.Atoi(f[1])
		rss *= 4
	}
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		fail("meminfo: %v", err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		n, _ := strconv.Atoi(f[1])
		switch f[0] {
		case "MemFree:":
			free = n
		case "Slab:":
			slab = n
		}
	}
	return
}

func many() {
	run := func(n int) {
		for i := 0; i < n; i++ {
			if err := exec.Command(self, "quick").Run(); err != nil {
				fail("child %d: %v", i, err)
			}
		}
		debug.FreeOSMemory()
	}
	run(20)
	free0, slab0, rss0 := meminfo()
	run(200)
	free1, slab1, rss1 := meminfo()
	// What the kernel kept: the free memory that went, less what this
	// process's own memory grew by (its heap settling).  A page per child
	// would be 800 kB; a struct proc per child 400 kB of heap.
	kept := free0 - free1 - (rss1 - rss0)
	fmt.Println("200 children")
	if version, _ := os.ReadFile("/proc/version"); !bytes.Contains(version, []byte("gorump")) {
		return // another kernel's memory comes and goes
	}
	if kept > 100 || slab1-slab0 > 32 {
		fail("the kernel's memory grew with 200 children: MemFree %d -> %d kB "+
			"(this process's %d -> %d), Slab %d -> %d kB",
			free0, free1, rss0, rss1, slab0, slab1)
	}
}

func main() {
	var err error
	if self, err = os.Executable(); err != nil {
		fail("Executable: %v", err)
	}
	if len(os.Args) > 1 {
		child(os.Args[1:])
	}
	if err := syscall.Kill(os.Getpid(), 0); err != nil {
		fail("kill(self, 0): %v", err)
	}
	var ws syscall.WaitStatus
	if _, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil); err != syscall.ECHILD {
		fail("wait4 without children: %v", err)
	}
	echo()
	sigchld()
	exitCodes()
	killed(syscall.SIGKILL, "signal: killed")
	killed(syscall.SIGTERM, "signal: terminated")
	execErrors()
	chain()
	procfs()
	prctlName()
	credentials()
	groups()
	pidfds()
	cpuTime()
	many()
	var buf bytes.Buffer
	cmd := exec.Command(self, "chain", "0")
	cmd.Stdout = &buf
	if err := cmd.Run(); err != nil || !strings.HasPrefix(buf.String(), "level") {
		fail("last child: %v %q", err, buf.String())
	}
	// This process itself, with its threads, becomes "success".
	pid := strconv.Itoa(os.Getpid())
	err = syscall.Exec(self, []string{self, "success", pid}, os.Environ())
	fail("exec of the first process: %v", err)
}

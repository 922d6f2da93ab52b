// Command storage measures a file system on a disk the way bench/storage
// runs it, in gorump and in the Linux guest alike, so that the numbers
// compare the kernels:
//
//	storage write DIR SEQ_MIB RAND_MIB SYNCS
//	storage read DIR READS
//
// write: DIR/seq written from start to end in 1 MiB writes and fsync'd
// (sequential write throughput, the fsync included); DIR/rand written
// the same way, untimed, for the next boot's random reads; then SYNCS
// durable appends to DIR/log, each a 4 KiB write and an fsync, as a
// database commits (the fsync's latency); then sync(2).
//
// read, in a new boot so that no cache holds the files: READS preads of
// 4 KiB at random 4 KiB-aligned offsets of DIR/rand (IOPS), then DIR/seq
// read from start to end in 1 MiB reads (sequential read throughput).
//
// Each result is one line "result NAME VALUE UNIT".  Where /proc/diskstats
// exists, the device requests that the sequential write and read took,
// per MiB, are results too (seq-write-reqs, seq-read-reqs).
package main

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const mib = 1 << 20

func fatal(format string, args ...interface{}) {
	fmt.Printf("FAIL "+format+"\n", args...)
	os.Exit(1)
}

func result(name string, value float64, unit string) {
	fmt.Printf("result %s %.1f %s\n", name, value, unit)
}

// fill writes n MiB of a pattern to path and fsyncs it; it returns how long
// that took.
func fill(path string, n int) time.Duration {
	buf := make([]byte, mib)
	for i := range buf {
		buf[i] = byte(i * 7)
	}
	t0 := time.Now()
	f, err := os.Create(path)
	if err != nil {
		fatal("%v", err)
	}
	for i := 0; i < n; i++ {
		buf[0] = byte(i)
		if _, err := f.Write(buf); err != nil {
			fatal("write %s: %v", path, err)
		}
	}
	if err := f.Sync(); err != nil {
		fatal("fsync %s: %v", path, err)
	}
	d := time.Since(t0)
	f.Close()
	return d
}

// appends makes n durable 4 KiB appends to path; it returns each one's
// write and fsync time, sorted.
func appends(path string, n int) []time.Duration {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0644)
	if err != nil {
		fatal("%v", err)
	}
	buf := make([]byte, 4096)
	ds := make([]time.Duration, n)
	for i := range ds {
		buf[0] = byte(i)
		t0 := time.Now()
		if _, err := f.Write(buf); err != nil {
			fatal("append: %v", err)
		}
		if err := f.Sync(); err != nil {
			fatal("fsync: %v", err)
		}
		ds[i] = time.Since(t0)
	}
	f.Close()
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds
}

// requests returns the read and the write requests every disk has
// answered (/proc/diskstats: the first and fifth counts after the name),
// or ok false.
func requests() (reads, writes int64, ok bool) {
	b, err := os.ReadFile("/proc/diskstats")
	if err != nil {
		return 0, 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 8 {
			continue
		}
		r, err1 := strconv.ParseInt(f[3], 10, 64)
		w, err2 := strconv.ParseInt(f[7], 10, 64)
		if err1 != nil || err2 != nil {
			return 0, 0, false
		}
		reads += r
		writes += w
	}
	return reads, writes, true
}

// perMiB reports the requests of one kind since before (reads or writes)
// per MiB moved.
func perMiB(name string, write bool, before [2]int64, miB float64) {
	r, w, ok := requests()
	if !ok {
		return
	}
	n := r - before[0]
	if write {
		n = w - before[1]
	}
	result(name, float64(n)/miB, "req/MiB")
}

func snapshot() [2]int64 {
	r, w, _ := requests()
	return [2]int64{r, w}
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

func write(dir string, seqMiB, randMiB, syncs int) {
	before := snapshot()
	d := fill(filepath.Join(dir, "seq"), seqMiB)
	result("seq-write", float64(seqMiB)/d.Seconds(), "MiB/s")
	perMiB("seq-write-reqs", true, before, float64(seqMiB))
	fill(filepath.Join(dir, "rand"), randMiB)
	ds := appends(filepath.Join(dir, "log"), syncs)
	result("fsync-median", us(ds[len(ds)/2]), "us")
	result("fsync-p90", us(ds[len(ds)*9/10]), "us")
	syscall.Sync()
}

func randomReads(path string, n int) {
	f, err := os.Open(path)
	if err != nil {
		fatal("%v", err)
	}
	st, err := f.Stat()
	if err != nil {
		fatal("%v", err)
	}
	blocks := st.Size() / 4096
	r := rand.New(rand.NewSource(1))
	buf := make([]byte, 4096)
	t0 := time.Now()
	for i := 0; i < n; i++ {
		off := r.Int63n(blocks) * 4096
		if k, err := f.ReadAt(buf, off); k != len(buf) {
			fatal("pread at %d: %d bytes, %v", off, k, err)
		}
	}
	result("rand-read", float64(n)/time.Since(t0).Seconds(), "IOPS")
	f.Close()
}

func seqRead(path string) {
	f, err := os.Open(path)
	if err != nil {
		fatal("%v", err)
	}
	buf := make([]byte, mib)
	var total int64
	before := snapshot()
	t0 := time.Now()
	for {
		k, err := f.Read(buf)
		total += int64(k)
		if k == 0 || err != nil {
			break
		}
	}
	d := time.Since(t0)
	f.Close()
	result("seq-read", float64(total)/mib/d.Seconds(), "MiB/s")
	perMiB("seq-read-reqs", false, before, float64(total)/mib)
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		fatal("%q: want a positive number", s)
	}
	return n
}

func main() {
	switch {
	case len(os.Args) == 6 && os.Args[1] == "write":
		write(os.Args[2], atoi(os.Args[3]), atoi(os.Args[4]), atoi(os.Args[5]))
	case len(os.Args) == 4 && os.Args[1] == "read":
		randomReads(filepath.Join(os.Args[2], "rand"), atoi(os.Args[3]))
		seqRead(filepath.Join(os.Args[2], "seq"))
	default:
		fmt.Fprintln(os.Stderr, "usage: storage write DIR SEQ_MIB RAND_MIB SYNCS | storage read DIR READS")
		os.Exit(2)
	}
	fmt.Println("done")
}

// boltcrash: a bbolt database (Debian's golang-go.etcd-io-bbolt-dev) that
// must survive its machine being killed in the middle of a transaction.
//
//	boltcrash write PATH   commits transactions 1, 2, 3, ... (after the
//	                       highest one already in PATH), printing
//	                       "committed N" after each Update returns, until
//	                       killed
//	boltcrash check PATH N opens PATH, runs bbolt's consistency check
//	                       (tx.Check) and verifies that transactions 1..M
//	                       are all there, whole, for some M >= N; prints
//	                       "highest M" and SUCCESS
//
// Transaction n puts key n with a value whose size varies (40 bytes to
// about 6 KiB, so pages split, overflow, are freed and reused and the
// file grows and is mapped again), deletes the filler key of n-7, adds
// its own, and sets "last" to n: every one of those changes is there or
// none is.
package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

var (
	numbers = []byte("numbers")
	filler  = []byte("filler")
	meta    = []byte("meta")
	last    = []byte("last")
)

func key(n uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], n)
	return k[:]
}

// value is transaction n's deterministic value.
func value(n uint64) []byte {
	v := make([]byte, 40+(n*2654435761)%6000)
	for i := range v {
		v[i] = byte(n*31 + uint64(i)*7)
	}
	return v
}

func fatal(format string, args ...interface{}) {
	fmt.Printf("FAIL "+format+"\n", args...)
	os.Exit(1)
}

// highest is the "last" key: the number of the newest transaction.
func highest(tx *bolt.Tx) uint64 {
	b := tx.Bucket(meta)
	if b == nil {
		return 0
	}
	v := b.Get(last)
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

func commit(tx *bolt.Tx, n uint64) error {
	nb, err := tx.CreateBucketIfNotExists(numbers)
	if err != nil {
		return err
	}
	fb, err := tx.CreateBucketIfNotExists(filler)
	if err != nil {
		return err
	}
	mb, err := tx.CreateBucketIfNotExists(meta)
	if err != nil {
		return err
	}
	if err := nb.Put(key(n), value(n)); err != nil {
		return err
	}
	if n > 7 {
		if err := fb.Delete(key(n - 7)); err != nil {
			return err
		}
	}
	if err := fb.Put(key(n), bytes.Repeat([]byte{byte(n)}, 2000)); err != nil {
		return err
	}
	return mb.Put(last, key(n))
}

func write(path string) {
	db, err := bolt.Open(path, 0600, nil)
	if err != nil {
		fatal("open: %v", err)
	}
	var n uint64
	db.View(func(tx *bolt.Tx) error { n = highest(tx); return nil })
	fmt.Printf("resuming after %d\n", n)
	for {
		n++
		if err := db.Update(func(tx *bolt.Tx) error { return commit(tx, n) }); err != nil {
			fatal("transaction %d: %v", n, err)
		}
		fmt.Printf("committed %d\n", n)
	}
}

// verify checks everything transactions 1..last left, in one view.
func verify(tx *bolt.Tx, want uint64) error {
	for e := range tx.Check() {
		return fmt.Errorf("tx.Check: %v", e)
	}
	top := highest(tx)
	if top < want {
		return fmt.Errorf("last is %d, but %d was committed", top, want)
	}
	nb, fb := tx.Bucket(numbers), tx.Bucket(filler)
	if top > 0 && (nb == nil || fb == nil) {
		return fmt.Errorf("buckets missing")
	}
	if top == 0 {
		return nil
	}
	if got := nb.Stats().KeyN; uint64(got) != top {
		return fmt.Errorf("%d numbers for last %d", got, top)
	}
	for n := uint64(1); n <= top; n++ {
		if !bytes.Equal(nb.Get(key(n)), value(n)) {
			return fmt.Errorf("transaction %d: value missing or wrong", n)
		}
	}
	first := uint64(1)
	if top > 7 {
		first = top - 6
	}
	if got := fb.Stats().KeyN; uint64(got) != top-first+1 {
		return fmt.Errorf("%d filler keys, want %d", got, top-first+1)
	}
	for n := first; n <= top; n++ {
		if !bytes.Equal(fb.Get(key(n)), bytes.Repeat([]byte{byte(n)}, 2000)) {
			return fmt.Errorf("filler %d missing or wrong", n)
		}
	}
	fmt.Printf("highest %d\n", top)
	return nil
}

func check(path string, want uint64) {
	db, err := bolt.Open(path, 0600, nil)
	if err != nil {
		fatal("open: %v", err)
	}
	if err := db.View(func(tx *bolt.Tx) error { return verify(tx, want) }); err != nil {
		fatal("%v", err)
	}
	if err := db.Close(); err != nil {
		fatal("close: %v", err)
	}
	fmt.Println("SUCCESS")
}

func main() {
	switch {
	case len(os.Args) == 3 && os.Args[1] == "write":
		write(os.Args[2])
	case len(os.Args) == 4 && os.Args[1] == "check":
		n, err := strconv.ParseUint(os.Args[3], 10, 64)
		if err != nil {
			fatal("check: %v", err)
		}
		check(os.Args[2], n)
	default:
		fmt.Fprintln(os.Stderr, "usage: boltcrash write PATH | boltcrash check PATH N")
		os.Exit(2)
	}
}

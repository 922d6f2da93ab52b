// bbolt: etcd's key/value store (Debian's golang-github-coreos-bbolt-dev)
// run as a real program would: the database file is mmap'd shared and
// read-only, written with pwrite and fdatasync, grown and re-mapped as it
// fills.  It writes N keys in many transactions, checks the tree, closes,
// reopens and checks that every key and value came back.
//
//	bbolt PATH N
package main

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"os"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

var failed bool

func check(ok bool, format string, args ...interface{}) {
	if !ok {
		failed = true
		fmt.Fprintf(os.Stderr, "FAIL "+format+"\n", args...)
	}
}

// value is a key's deterministic value: a few dozen to a few hundred bytes.
func value(i int) []byte {
	v := make([]byte, 40+i%300)
	for j := range v {
		v[j] = byte(i*7 + j)
	}
	return v
}

func key(i int) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], uint64(i)*2654435761%1000003)
	return k[:]
}

func sum(db *bolt.DB) (int, [32]byte, error) {
	h := sha256.New()
	n := 0
	err := db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("data"))
		if b == nil {
			return fmt.Errorf("bucket missing")
		}
		return b.ForEach(func(k, v []byte) error {
			h.Write(k)
			h.Write(v)
			n++
			return nil
		})
	})
	var s [32]byte
	copy(s[:], h.Sum(nil))
	return n, s, err
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: bbolt PATH N")
		os.Exit(2)
	}
	path := os.Args[1]
	n, _ := strconv.Atoi(os.Args[2])
	os.Remove(path)

	db, err := bolt.Open(path, 0600, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL open:", err)
		os.Exit(1)
	}
	for start := 0; start < n; start += 250 {
		err = db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("data"))
			if err != nil {
				return err
			}
			for i := start; i < start+250 && i < n; i++ {
				if err := b.Put(key(i), value(i)); err != nil {
					return err
				}
			}
			return nil
		})
		check(err == nil, "update from %d: %v", start, err)
	}
	// Delete and rewrite some keys so pages are freed and reused.
	err = db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("data"))
		for i := 0; i < n; i += 3 {
			if err := b.Delete(key(i)); err != nil {
				return err
			}
		}
		for i := 0; i < n; i += 3 {
			if err := b.Put(key(i), value(i)); err != nil {
				return err
			}
		}
		return nil
	})
	check(err == nil, "rewrite: %v", err)
	err = db.View(func(tx *bolt.Tx) error {
		for e := range tx.Check() {
			return e
		}
		return nil
	})
	check(err == nil, "consistency check: %v", err)
	count, before, err := sum(db)
	check(err == nil && count == n, "before close: %d keys, %v", count, err)
	check(db.Close() == nil, "close")

	st, err := os.Stat(path)
	check(err == nil && st.Size() > 0, "stat after close: %v", err)
	fmt.Printf("file: %d bytes\n", st.Size())

	db, err = bolt.Open(path, 0600, &bolt.Options{ReadOnly: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL reopen:", err)
		os.Exit(1)
	}
	count, after, err := sum(db)
	check(err == nil && count == n, "after reopen: %d keys, %v", count, err)
	check(before == after, "checksum differs after reopen")
	err = db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("data"))
		for i := 0; i < n; i += 97 {
			v := b.Get(key(i))
			if string(v) != string(value(i)) {
				return fmt.Errorf("key %d: wrong value", i)
			}
		}
		return nil
	})
	check(err == nil, "lookups: %v", err)
	check(db.Close() == nil, "close after reopen")
	if failed {
		os.Exit(1)
	}
	fmt.Printf("reopened: %d keys, checksum ok\n", count)
	fmt.Println("SUCCESS")
}

// sqlitecrash: an SQLite database (github.com/mattn/go-sqlite3 as Debian
// packages it, over the system's libsqlite3) that must survive its
// machine being killed in the middle of a transaction.
//
//	sqlitecrash write PATH MODE   commits transactions 1, 2, 3, ... (after
//	                              the highest one already in PATH),
//	                              printing "committed N" after each COMMIT
//	                              returns, until killed; MODE is the
//	                              journal mode (delete, wal)
//	sqlitecrash check PATH N      opens PATH, runs PRAGMA integrity_check
//	                              and verifies that transactions 1..M are
//	                              all there, whole, for some M >= N;
//	                              prints "highest M" and SUCCESS
//
// Transaction n inserts row n with a blob whose size varies (40 bytes to
// about 6 KiB, so some rows overflow their page), deletes the filler row
// of n-7, inserts its own, and sets the meta row to n: every one of those
// changes is there or none is.  synchronous=FULL: a COMMIT that returned
// is on the disk.
//
// Build in GOPATH mode: GO111MODULE=off GOPATH=/usr/share/gocode
// CGO_ENABLED=1.
package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"strconv"

	_ "github.com/mattn/go-sqlite3"
)

func value(n int64) []byte {
	v := make([]byte, 40+(n*2654435761)%6000)
	for i := range v {
		v[i] = byte(n*31 + int64(i)*7)
	}
	return v
}

func fillerOf(n int64) []byte { return bytes.Repeat([]byte{byte(n)}, 2000) }

func fatal(format string, args ...interface{}) {
	fmt.Printf("FAIL "+format+"\n", args...)
	os.Exit(1)
}

func open(path string) *sql.DB {
	db, err := sql.Open("sqlite3", "file:"+path+"?_sync=FULL")
	if err != nil {
		fatal("open: %v", err)
	}
	// One connection: the pragmas and every statement share it.
	db.SetMaxOpenConns(1)
	return db
}

func exec(db *sql.DB, q string, args ...interface{}) {
	if _, err := db.Exec(q, args...); err != nil {
		fatal("%s: %v", q, err)
	}
}

func commit(db *sql.DB, n int64) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec("INSERT INTO numbers VALUES (?, ?)", n, value(n)); err != nil {
		return err
	}
	if _, err := tx.Exec("DELETE FROM filler WHERE n = ?", n-7); err != nil {
		return err
	}
	if _, err := tx.Exec("INSERT INTO filler VALUES (?, ?)", n, fillerOf(n)); err != nil {
		return err
	}
	if _, err := tx.Exec("UPDATE meta SET last = ?", n); err != nil {
		return err
	}
	return tx.Commit()
}

func write(path, mode string) {
	db := open(path)
	var jm string
	if err := db.QueryRow("PRAGMA journal_mode = " + mode).Scan(&jm); err != nil || jm != mode {
		fatal("journal_mode %s: got %q, %v", mode, jm, err)
	}
	exec(db, "PRAGMA synchronous = FULL")
	exec(db, "CREATE TABLE IF NOT EXISTS numbers (n INTEGER PRIMARY KEY, v BLOB NOT NULL)")
	exec(db, "CREATE TABLE IF NOT EXISTS filler (n INTEGER PRIMARY KEY, v BLOB NOT NULL)")
	exec(db, "CREATE TABLE IF NOT EXISTS meta (last INTEGER NOT NULL)")
	exec(db, "INSERT INTO meta SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM meta)")
	var n int64
	if err := db.QueryRow("SELECT last FROM meta").Scan(&n); err != nil {
		fatal("last: %v", err)
	}
	fmt.Printf("resuming after %d (journal_mode %s)\n", n, jm)
	for {
		n++
		if err := commit(db, n); err != nil {
			fatal("transaction %d: %v", n, err)
		}
		fmt.Printf("committed %d\n", n)
	}
}

func integrity(db *sql.DB) error {
	rows, err := db.Query("PRAGMA integrity_check")
	if err != nil {
		return err
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		lines = append(lines, s)
	}
	if len(lines) != 1 || lines[0] != "ok" {
		return fmt.Errorf("integrity_check: %q", lines)
	}
	return rows.Err()
}

func verify(db *sql.DB, want int64) error {
	if err := integrity(db); err != nil {
		return err
	}
	var top, count, countF int64
	if err := db.QueryRow("SELECT last FROM meta").Scan(&top); err != nil {
		return fmt.Errorf("last: %v", err)
	}
	if top < want {
		return fmt.Errorf("last is %d, but %d was committed", top, want)
	}
	db.QueryRow("SELECT count(*) FROM numbers").Scan(&count)
	if count != top {
		return fmt.Errorf("%d numbers for last %d", count, top)
	}
	for n := int64(1); n <= top; n++ {
		var v []byte
		if err := db.QueryRow("SELECT v FROM numbers WHERE n = ?", n).Scan(&v); err != nil ||
			!bytes.Equal(v, value(n)) {
			return fmt.Errorf("transaction %d: value missing or wrong (%v)", n, err)
		}
	}
	first := int64(1)
	if top > 7 {
		first = top - 6
	}
	db.QueryRow("SELECT count(*) FROM filler").Scan(&countF)
	if countF != top-first+1 {
		return fmt.Errorf("%d filler rows, want %d", countF, top-first+1)
	}
	for n := first; n <= top; n++ {
		var v []byte
		if err := db.QueryRow("SELECT v FROM filler WHERE n = ?", n).Scan(&v); err != nil ||
			!bytes.Equal(v, fillerOf(n)) {
			return fmt.Errorf("filler %d missing or wrong (%v)", n, err)
		}
	}
	fmt.Printf("highest %d\n", top)
	return nil
}

func main() {
	switch {
	case len(os.Args) == 4 && os.Args[1] == "write":
		write(os.Args[2], os.Args[3])
	case len(os.Args) == 4 && os.Args[1] == "check":
		n, err := strconv.ParseInt(os.Args[3], 10, 64)
		if err != nil {
			fatal("check: %v", err)
		}
		db := open(os.Args[2])
		if err := verify(db, n); err != nil {
			fatal("%v", err)
		}
		if err := db.Close(); err != nil {
			fatal("close: %v", err)
		}
		fmt.Println("SUCCESS")
	default:
		fmt.Fprintln(os.Stderr, "usage: sqlitecrash write PATH MODE | sqlitecrash check PATH N")
		os.Exit(2)
	}
}

// Command sqlite uses github.com/mattn/go-sqlite3 as Debian packages it
// (golang-github-mattn-go-sqlite3-dev, over the system's libsqlite3): it
// creates a table in a database file, inserts rows in a transaction,
// queries them, closes the database, opens the file again and checks that
// the rows are still there.  The database goes in the directory given as
// the first argument (default /tmp).  Prints SUCCESS when all checks pass.
// Build in GOPATH mode: GO111MODULE=off GOPATH=/usr/share/gocode
// CGO_ENABLED=1.
package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	_ "github.com/mattn/go-sqlite3"
)

func fail(format string, args ...any) {
	fmt.Printf("FAIL "+format+"\n", args...)
	os.Exit(1)
}

func count(db *sql.DB) (n int, sum int) {
	if err := db.QueryRow("SELECT count(*), sum(score) FROM people").Scan(&n, &sum); err != nil {
		fail("query: %v", err)
	}
	return n, sum
}

func fill(db *sql.DB) {
	if _, err := db.Exec("CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score INTEGER)"); err != nil {
		fail("create table: %v", err)
	}
	tx, err := db.Begin()
	if err != nil {
		fail("begin: %v", err)
	}
	stmt, err := tx.Prepare("INSERT INTO people (name, score) VALUES (?, ?)")
	if err != nil {
		fail("prepare: %v", err)
	}
	for i := 1; i <= 100; i++ {
		if _, err := stmt.Exec(fmt.Sprintf("person-%03d", i), i); err != nil {
			fail("insert %d: %v", i, err)
		}
	}
	stmt.Close()
	if err := tx.Commit(); err != nil {
		fail("commit: %v", err)
	}
}

func main() {
	dir := "/tmp"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	path := filepath.Join(dir, "gorump-sqlite-test.db")
	os.Remove(path)
	defer os.Remove(path)

	db, err := sql.Open("sqlite3", path)
	if err != nil {
		fail("open: %v", err)
	}
	fill(db)
	var name string
	if err := db.QueryRow("SELECT name FROM people WHERE score = ?", 42).Scan(&name); err != nil || name != "person-042" {
		fail("select 42: %q %v", name, err)
	}
	var version string
	db.QueryRow("SELECT sqlite_version()").Scan(&version)
	if n, sum := count(db); n != 100 || sum != 5050 {
		fail("before close: %d rows, sum %d", n, sum)
	}
	if err := db.Close(); err != nil {
		fail("close: %v", err)
	}

	db, err = sql.Open("sqlite3", path)
	if err != nil {
		fail("reopen: %v", err)
	}
	defer db.Close()
	if n, sum := count(db); n != 100 || sum != 5050 {
		fail("after reopening: %d rows, sum %d", n, sum)
	}
	if _, err := db.Exec("DELETE FROM people WHERE score > 50"); err != nil {
		fail("delete: %v", err)
	}
	if n, sum := count(db); n != 50 || sum != 1275 {
		fail("after delete: %d rows, sum %d", n, sum)
	}
	if st, err := os.Stat(path); err != nil || st.Size() == 0 {
		fail("database file: %v", err)
	}
	if version == "" {
		fail("no sqlite_version()")
	}
	fmt.Println("100 rows written, read back after reopening")
	fmt.Println("SUCCESS")
}

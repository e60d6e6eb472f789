// bookmarks: a tiny bookmark store on SQLite.
//
//	bookmarks [-db FILE] add URL TITLE...
//	bookmarks [-db FILE] find WORD
//	bookmarks demo          (an in-memory round trip)
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"example.com/bookmarks/internal/store"
)

func main() {
	dbPath := flag.String("db", envOr("BOOKMARKS_DB", "/var/lib/bookmarks/bookmarks.db"), "database file")
	flag.Parse()
	args := flag.Args()
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: bookmarks [-db FILE] add URL TITLE... | find WORD | demo")
		os.Exit(2)
	}
	if args[0] == "demo" {
		*dbPath = ":memory:"
	}
	db, err := store.Open(*dbPath)
	check(err)
	defer db.Close()

	switch args[0] {
	case "add":
		if len(args) < 3 {
			check(fmt.Errorf("add wants URL TITLE"))
		}
		check(db.Add(args[1], strings.Join(args[2:], " ")))
	case "find":
		if len(args) != 2 {
			check(fmt.Errorf("find wants WORD"))
		}
		list(db, args[1])
	case "demo":
		fmt.Printf("sqlite %s (cgo, system library)\n", store.LibVersion())
		check(db.Add("https://go.dev/doc/", "Go documentation"))
		check(db.Add("https://sqlite.org/lang.html", "SQL as understood by SQLite"))
		check(db.Add("https://go.dev/doc/", "The Go documentation"))
		list(db, "https://")
	default:
		check(fmt.Errorf("unknown command %q", args[0]))
	}
}

func list(db *store.DB, q string) {
	rows, err := db.Search(q)
	check(err)
	for _, b := range rows {
		fmt.Printf("%d\t%s\t%s\n", b.ID, b.URL, b.Title)
	}
	fmt.Printf("%d found\n", len(rows))
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bookmarks:", err)
		os.Exit(1)
	}
}

// Package store keeps bookmarks in SQLite, through the system's libsqlite3 (cgo).
package store

/*
#cgo pkg-config: sqlite3
#include <sqlite3.h>
#include <stdlib.h>

static int bind_text(sqlite3_stmt *st, int i, const char *s) {
	return sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"
)

// DB is an open SQLite database.
type DB struct{ db *C.sqlite3 }

// LibVersion reports the version of the linked SQLite library.
func LibVersion() string { return C.GoString(C.sqlite3_libversion()) }

// Open opens (or creates) the database at path; ":memory:" is a private in-memory one.
func Open(path string) (*DB, error) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var db *C.sqlite3
	if rc := C.sqlite3_open(cpath, &db); rc != C.SQLITE_OK {
		msg := C.GoString(C.sqlite3_errmsg(db))
		C.sqlite3_close(db)
		return nil, fmt.Errorf("open %s: %s", path, msg)
	}
	d := &DB{db: db}
	return d, d.Exec(`CREATE TABLE IF NOT EXISTS bookmark (
		id INTEGER PRIMARY KEY, url TEXT NOT NULL UNIQUE, title TEXT NOT NULL)`)
}

// Close closes the database.
func (d *DB) Close() error {
	if rc := C.sqlite3_close(d.db); rc != C.SQLITE_OK {
		return errors.New("close: database busy")
	}
	return nil
}

func (d *DB) err(what string) error {
	return fmt.Errorf("%s: %s", what, C.GoString(C.sqlite3_errmsg(d.db)))
}

// Exec runs one SQL statement without results.
func (d *DB) Exec(sql string) error {
	csql := C.CString(sql)
	defer C.free(unsafe.Pointer(csql))
	if rc := C.sqlite3_exec(d.db, csql, nil, nil, nil); rc != C.SQLITE_OK {
		return d.err("exec")
	}
	return nil
}

// Add stores a bookmark, replacing the title of an existing URL.
func (d *DB) Add(url, title string) error {
	csql := C.CString(`INSERT INTO bookmark(url, title) VALUES(?, ?)
		ON CONFLICT(url) DO UPDATE SET title = excluded.title`)
	defer C.free(unsafe.Pointer(csql))
	var st *C.sqlite3_stmt
	if C.sqlite3_prepare_v2(d.db, csql, -1, &st, nil) != C.SQLITE_OK {
		return d.err("prepare")
	}
	defer C.sqlite3_finalize(st)
	cu, ct := C.CString(url), C.CString(title)
	defer C.free(unsafe.Pointer(cu))
	defer C.free(unsafe.Pointer(ct))
	C.bind_text(st, 1, cu)
	C.bind_text(st, 2, ct)
	if C.sqlite3_step(st) != C.SQLITE_DONE {
		return d.err("insert")
	}
	return nil
}

// Bookmark is one stored row.
type Bookmark struct {
	ID         int64
	URL, Title string
}

// Search returns the bookmarks whose title or URL contains q, in id order.
func (d *DB) Search(q string) ([]Bookmark, error) {
	csql := C.CString(`SELECT id, url, title FROM bookmark
		WHERE instr(lower(title), lower(?1)) > 0 OR instr(url, ?1) > 0 ORDER BY id`)
	defer C.free(unsafe.Pointer(csql))
	var st *C.sqlite3_stmt
	if C.sqlite3_prepare_v2(d.db, csql, -1, &st, nil) != C.SQLITE_OK {
		return nil, d.err("prepare")
	}
	defer C.sqlite3_finalize(st)
	cq := C.CString(q)
	defer C.free(unsafe.Pointer(cq))
	C.bind_text(st, 1, cq)
	var out []Bookmark
	for {
		switch C.sqlite3_step(st) {
		case C.SQLITE_ROW:
			out = append(out, Bookmark{
				ID:    int64(C.sqlite3_column_int64(st, 0)),
				URL:   C.GoString((*C.char)(unsafe.Pointer(C.sqlite3_column_text(st, 1)))),
				Title: C.GoString((*C.char)(unsafe.Pointer(C.sqlite3_column_text(st, 2)))),
			})
		case C.SQLITE_DONE:
			return out, nil
		default:
			return nil, d.err("select")
		}
	}
}

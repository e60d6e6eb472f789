package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"
)

// thLine is the header line of a page, which holds its date.
var thLine = regexp.MustCompile(`(?m)^\.TH .*$`)

// TestPagesAreCurrent generates the pages and compares them with
// docs/man, but for their dates: a flag or help text changed without
// "make man" fails here.
func TestPagesAreCurrent(t *testing.T) {
	dir := t.TempDir()
	if err := write(dir, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	committed := filepath.Join("..", "..", "docs", "man")
	got, _ := filepath.Glob(filepath.Join(dir, "*.1"))
	want, _ := filepath.Glob(filepath.Join(committed, "*.1"))
	names := func(paths []string) []string {
		var n []string
		for _, p := range paths {
			n = append(n, filepath.Base(p))
		}
		return n
	}
	if !slices.Equal(names(got), names(want)) {
		t.Fatalf("docs/man has %v, the commands make %v: run make man", names(want), names(got))
	}
	if len(got) < 8 {
		t.Fatalf("only %d pages: %v", len(got), names(got))
	}
	for _, p := range got {
		g, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		w, err := os.ReadFile(filepath.Join(committed, filepath.Base(p)))
		if err != nil {
			t.Fatal(err)
		}
		if string(thLine.ReplaceAll(g, nil)) != string(thLine.ReplaceAll(w, nil)) {
			t.Errorf("docs/man/%s is out of date: run make man", filepath.Base(p))
		}
	}
}

func TestPageDate(t *testing.T) {
	now := time.Date(2026, 12, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		flag, epoch, want string
		err               bool
	}{
		{"2026-11-30", "1700000000", "2026-11-30", false},
		{"", "1764547200", "2025-12-01", false},
		{"", "", "2026-12-02", false},
		{"30/11/2026", "", "", true},
		{"", "x", "", true},
	} {
		d, err := pageDate(tc.flag, tc.epoch, now)
		if (err != nil) != tc.err {
			t.Errorf("pageDate(%q, %q): error %v", tc.flag, tc.epoch, err)
			continue
		}
		if err == nil && d.Format(time.DateOnly) != tc.want {
			t.Errorf("pageDate(%q, %q) = %s, want %s", tc.flag, tc.epoch, d.Format(time.DateOnly), tc.want)
		}
	}
}

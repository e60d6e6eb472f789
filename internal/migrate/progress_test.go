package migrate

import (
	"bytes"
	"testing"
)

func TestProgress(t *testing.T) {
	var buf bytes.Buffer
	p := NewProgress(&buf, true)
	p.Update(3, 12, map[Status]int{Changed: 2, Failed: 1})
	want := "\r\033[K[======                  ] 3/12 repositories: 2 changed, 0 unchanged, 0 skipped, 1 failed"
	if buf.String() != want {
		t.Errorf("progress line %q, want %q", buf.String(), want)
	}
	buf.Reset()
	p.Clear()
	p.Clear() // once drawn, cleared once
	if buf.String() != "\r\033[K" {
		t.Errorf("clear wrote %q", buf.String())
	}

	// Not a terminal: nothing at all.
	buf.Reset()
	quiet := NewProgress(&buf, false)
	quiet.Update(1, 1, map[Status]int{})
	quiet.Clear()
	if buf.Len() != 0 {
		t.Errorf("progress wrote %q to a non-terminal", buf.String())
	}
}

// Command dockmend-man writes the man pages of dockmend and of each of its
// commands (section 1) from the command line's own help, so that they say
// what --help says. Run it with:
//
//	go run ./cmd/dockmend-man -out docs/man     # make man
//
// The pages are dated -date (YYYY-MM-DD; default: SOURCE_DATE_EPOCH, else
// today), the only part that is not derived from the commands.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra/doc"

	"github.com/dockmend/dockmend/internal/cli"
)

func main() {
	out := flag.String("out", "docs/man", "write the pages into `DIR`")
	date := flag.String("date", "", "date the pages `YYYY-MM-DD` (default: SOURCE_DATE_EPOCH, else today)")
	flag.Parse()
	d, err := pageDate(*date, os.Getenv("SOURCE_DATE_EPOCH"), time.Now())
	if err == nil {
		err = write(*out, d)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "dockmend-man:", err)
		os.Exit(2)
	}
}

// pageDate returns the pages' date: flag, else the epoch, else now.
func pageDate(flag, epoch string, now time.Time) (time.Time, error) {
	switch {
	case flag != "":
		return time.Parse(time.DateOnly, flag)
	case epoch != "":
		s, err := strconv.ParseInt(epoch, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH %q: %w", epoch, err)
		}
		return time.Unix(s, 0).UTC(), nil
	}
	return now.UTC(), nil
}

// write writes the pages into dir, which it creates.
func write(dir string, date time.Time) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	root := cli.NewRoot(&cli.Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard})
	root.DisableAutoGenTag = true
	return doc.GenManTree(root, &doc.GenManHeader{Title: "DOCKMEND", Section: "1", Date: &date, Source: "dockmend", Manual: "dockmend manual"}, dir)
}

package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWriteRefusesEditDuringWrite changes the file after the new content
// has been written to the temporary file and synced, just before the
// rename: the edit must survive, and Write must report the file as
// changed during the run.
func TestWriteRefusesEditDuringWrite(t *testing.T) {
	tests := []struct {
		name string
		edit func(t *testing.T, path string)
	}{
		{"appended", func(t *testing.T, path string) {
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteString("RUN edit\n"); err != nil {
				t.Fatal(err)
			}
			f.Close()
		}},
		{"same size and time", func(t *testing.T, path string) {
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, path, "FROM z\n", 0o644)
			if err := os.Chtimes(path, fi.ModTime(), fi.ModTime()); err != nil {
				t.Fatal(err)
			}
		}},
		{"replaced by an editor's rename", func(t *testing.T, path string) {
			// Same content and time, another file: what an editor that
			// saves by renaming leaves. Its next save would be lost.
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			other := path + ".new"
			writeFile(t, other, "FROM a\n", 0o644)
			if err := os.Chtimes(other, fi.ModTime(), fi.ModTime()); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(other, path); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "Dockerfile")
			writeFile(t, path, "FROM a\n", 0o644)
			_, st, err := Read(path)
			if err != nil {
				t.Fatal(err)
			}
			var edited string
			err = write(path, []byte("FROM b\n"), st, func(tmp string) error {
				if got := readFile(t, tmp); got != "FROM b\n" {
					t.Errorf("temporary file holds %q before the rename", got)
				}
				tt.edit(t, path)
				edited = readFile(t, path)
				return nil
			})
			if !errors.Is(err, ErrChanged) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "changed during the run") {
				t.Fatalf("write error = %v, want ErrChanged naming %s", err, path)
			}
			if got := readFile(t, path); got != edited {
				t.Errorf("content = %q, want the concurrent edit %q kept", got, edited)
			}
			wantNames(t, dir, "Dockerfile")
		})
	}
}

func TestReadEmpty(t *testing.T) {
	path := filepath.Join(t.TempDir(), "Dockerfile")
	writeFile(t, path, "", 0o644)
	data, st, err := Read(path)
	if err != nil || len(data) != 0 || !st.valid {
		t.Fatalf("Read of an empty file = %q, %+v, %v; want no data and no error", data, st, err)
	}
	if err := Write(path, []byte("FROM b\n"), st); err != nil {
		t.Fatalf("Write over the empty file: %v", err)
	}
}

func TestReadMax(t *testing.T) {
	path := filepath.Join(t.TempDir(), "Dockerfile")
	writeFile(t, path, "FROM a\n", 0o644)
	if data, _, err := ReadMax(path, 7); err != nil || string(data) != "FROM a\n" {
		t.Errorf("ReadMax at the limit = %q, %v", data, err)
	}
	_, _, err := ReadMax(path, 6)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "7 bytes") || !strings.Contains(err.Error(), "6") {
		t.Errorf("ReadMax over the limit: error = %v, want ErrTooLarge naming the path, the size and the limit", err)
	}
}

// TestReadFIFO checks that a FIFO is refused at once: opening one for
// reading would otherwise wait for a writer, for ever.
func TestReadFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "Dockerfile")
	if err := mkfifo(path); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		_, _, err := Read(path)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file (a FIFO)") || !strings.Contains(err.Error(), path) {
			t.Errorf("Read of a FIFO: error = %v, want one naming it as a FIFO", err)
		}
	case <-time.After(time.Minute):
		// Not a timing assertion: Read is blocked, and would stay so.
		// Open the write end to let it go, and fail.
		if f, err := os.OpenFile(path, os.O_WRONLY, 0); err == nil {
			f.Close()
		}
		<-done
		t.Fatal("Read blocked on a FIFO")
	}
}

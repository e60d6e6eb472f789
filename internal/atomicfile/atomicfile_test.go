package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, path, data string, perm fs.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil { // not subject to the umask
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// names lists a directory.
func names(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var ns []string
	for _, e := range es {
		ns = append(ns, e.Name())
	}
	return ns
}

// wantNames checks that dir holds exactly the given names: nothing left
// behind by a temporary file.
func wantNames(t *testing.T, dir string, want ...string) {
	t.Helper()
	slices.Sort(want)
	if got := names(t, dir); !slices.Equal(got, want) {
		t.Errorf("%s holds %q, want %q", dir, got, want)
	}
}

func TestWriteKeepsPermissions(t *testing.T) {
	perms := []fs.FileMode{0o640, 0o755, 0o600, 0o444, 0o777}
	if runtime.GOOS != "windows" {
		perms = append(perms, 0o755|fs.ModeSetgid)
	}
	for _, perm := range perms {
		t.Run(perm.String(), func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "Dockerfile")
			writeFile(t, path, "FROM a\n", perm)
			data, st, err := Read(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(data) != "FROM a\n" {
				t.Fatalf("Read = %q", data)
			}
			if err := Write(path, []byte("FROM b\n"), st); err != nil {
				t.Fatal(err)
			}
			if got := readFile(t, path); got != "FROM b\n" {
				t.Errorf("content = %q, want the new one", got)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode(); got != perm {
				t.Errorf("mode = %v, want %v", got, perm)
			}
			wantNames(t, dir, "Dockerfile")
		})
	}
}

func TestWriteThroughSymlink(t *testing.T) {
	tests := []struct {
		name  string
		links map[string]string // link path -> link text, relative to the temp dir
		path  string            // what is read and written
	}{
		{"relative link", map[string]string{"app/Dockerfile": "../shared/Dockerfile"}, "app/Dockerfile"},
		{"absolute link", map[string]string{"app/Dockerfile": "@/shared/Dockerfile"}, "app/Dockerfile"},
		{"chain of links", map[string]string{"app/Dockerfile": "Dockerfile.link", "app/Dockerfile.link": "../shared/Dockerfile"}, "app/Dockerfile"},
		{"linked directory", map[string]string{"app/build": "../shared"}, "app/build/Dockerfile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			for _, d := range []string{"app", "shared"} {
				if err := os.Mkdir(filepath.Join(root, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			target := filepath.Join(root, "shared", "Dockerfile")
			writeFile(t, target, "FROM a\n", 0o640)
			for link, text := range tt.links {
				if rest, ok := strings.CutPrefix(text, "@"); ok {
					text = filepath.Join(root, rest)
				}
				if err := os.Symlink(text, filepath.Join(root, link)); err != nil {
					t.Fatal(err)
				}
			}
			path := filepath.Join(root, tt.path)

			_, st, err := Read(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := Write(path, []byte("FROM b\n"), st); err != nil {
				t.Fatal(err)
			}
			if got := readFile(t, target); got != "FROM b\n" {
				t.Errorf("target content = %q, want the new one", got)
			}
			for link, text := range tt.links {
				got, err := os.Readlink(filepath.Join(root, link))
				if err != nil {
					t.Errorf("%s is no longer a link: %v", link, err)
				} else if want := strings.Replace(text, "@", root, 1); got != want {
					t.Errorf("%s points to %q, want %q", link, got, want)
				}
			}
			if fi, err := os.Stat(target); err != nil || fi.Mode() != 0o640 {
				t.Errorf("target mode = %v (%v), want 0640", fi.Mode(), err)
			}
			var appNames []string
			for link := range tt.links {
				appNames = append(appNames, filepath.Base(link))
			}
			wantNames(t, filepath.Join(root, "app"), appNames...)
			wantNames(t, filepath.Join(root, "shared"), "Dockerfile")
		})
	}
}

func TestWriteRelativePath(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, "Dockerfile", "FROM a\n", 0o644)
	_, st, err := Read("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	if err := Write("Dockerfile", []byte("FROM b\n"), st); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, "Dockerfile"); got != "FROM b\n" {
		t.Errorf("content = %q, want the new one", got)
	}
	wantNames(t, dir, "Dockerfile")
}

func TestWriteRefusesChangedFile(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, path string)
		detail string
	}{
		{"size", func(t *testing.T, path string) {
			writeFile(t, path, "FROM a\nRUN x\n", 0o644)
		}, "size"},
		{"mtime", func(t *testing.T, path string) {
			later := time.Now().Add(time.Hour)
			if err := os.Chtimes(path, later, later); err != nil {
				t.Fatal(err)
			}
		}, "modified"},
		{"content with the same size and mtime", func(t *testing.T, path string) {
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, path, "FROM z\n", 0o644)
			if err := os.Chtimes(path, fi.ModTime(), fi.ModTime()); err != nil {
				t.Fatal(err)
			}
		}, "content"},
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
			tt.change(t, path)
			changed := readFile(t, path)

			err = Write(path, []byte("FROM b\n"), st)
			if !errors.Is(err, ErrChanged) {
				t.Fatalf("Write error = %v, want ErrChanged", err)
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.detail) {
				t.Errorf("error %q should name %s and say what changed (%s)", err, path, tt.detail)
			}
			if got := readFile(t, path); got != changed {
				t.Errorf("content = %q, want the changed file left alone (%q)", got, changed)
			}
			wantNames(t, dir, "Dockerfile")
		})
	}
}

func TestWriteRefusesZeroStat(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "Dockerfile")
	writeFile(t, path, "", 0o644)
	if err := Write(path, []byte("FROM b\n"), Stat{}); !errors.Is(err, ErrChanged) {
		t.Errorf("Write with a zero Stat: error = %v, want ErrChanged", err)
	}
	if got := readFile(t, path); got != "" {
		t.Errorf("content = %q, want the file left alone", got)
	}
}

func TestWriteFailureRemovesTemp(t *testing.T) {
	tests := []struct {
		name   string
		hook   func(t *testing.T, path, tmp string) error
		errMsg string
		check  func(t *testing.T, path string)
	}{
		{
			name:   "failure before the rename",
			hook:   func(*testing.T, string, string) error { return errors.New("injected failure") },
			errMsg: "injected failure",
			check: func(t *testing.T, path string) {
				if got := readFile(t, path); got != "FROM a\n" {
					t.Errorf("content = %q, want the original", got)
				}
			},
		},
		{
			name: "rename onto a directory put in the file's place",
			hook: func(t *testing.T, path, tmp string) error {
				if _, err := os.Stat(tmp); err != nil {
					t.Errorf("temporary file missing before the rename: %v", err)
				}
				if err := os.Remove(path); err != nil {
					t.Fatal(err)
				}
				if err := os.MkdirAll(filepath.Join(path, "sub"), 0o755); err != nil {
					t.Fatal(err)
				}
				return nil
			},
			errMsg: "Dockerfile",
			check: func(t *testing.T, path string) {
				if fi, err := os.Stat(path); err != nil || !fi.IsDir() {
					t.Errorf("the directory in the file's place was disturbed: %v", err)
				}
			},
		},
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
			err = write(path, []byte("FROM b\n"), st, func(tmp string) error { return tt.hook(t, path, tmp) })
			if err == nil || !strings.Contains(err.Error(), tt.errMsg) || !strings.Contains(err.Error(), path) {
				t.Fatalf("write error = %v, want one naming %s and containing %q", err, path, tt.errMsg)
			}
			tt.check(t, path)
			wantNames(t, dir, "Dockerfile")
		})
	}
}

func TestWriteRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "Dockerfile")
	writeFile(t, path, "FROM a\n", 0o644)
	_, st, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}

	// A directory now stands where the file was.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	err = Write(path, []byte("FROM b\n"), st)
	if err == nil || !strings.Contains(err.Error(), "not a regular file") || !strings.Contains(err.Error(), path) {
		t.Errorf("Write over a directory: error = %v, want a refusal naming the path", err)
	}
	wantNames(t, dir, "Dockerfile")

	// A link to a device.
	if _, err := os.Stat(os.DevNull); err != nil || runtime.GOOS == "windows" {
		return
	}
	link := filepath.Join(dir, "null.Dockerfile")
	if err := os.Symlink(os.DevNull, link); err != nil {
		t.Fatal(err)
	}
	if err := Write(link, []byte("FROM b\n"), st); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("Write through a link to %s: error = %v, want a refusal", os.DevNull, err)
	}
}

func TestWriteMissingFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "Dockerfile")
	writeFile(t, path, "FROM a\n", 0o644)
	_, st, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	err = Write(path, []byte("FROM b\n"), st)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Errorf("Write to a removed file: error = %v, want fs.ErrNotExist naming the path", err)
	}
	wantNames(t, dir)
}

func TestRead(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "Dockerfile")
	writeFile(t, file, "FROM a\r\nRUN b", 0o644)
	tests := []struct {
		name     string
		path     string
		want     string
		wantErr  string
		is       error
		unixOnly bool
	}{
		{name: "file", path: file, want: "FROM a\r\nRUN b"},
		{name: "directory", path: dir, wantErr: "not a regular file"},
		{name: "missing", path: filepath.Join(dir, "nope"), wantErr: "nope", is: fs.ErrNotExist},
		{name: "device", path: os.DevNull, wantErr: "not a regular file", unixOnly: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.unixOnly && runtime.GOOS == "windows" {
				t.Skip("no Unix devices")
			}
			data, st, err := Read(tt.path)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if string(data) != tt.want || !st.valid || st.size != int64(len(tt.want)) {
					t.Errorf("Read = %q, %+v", data, st)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), tt.path) {
				t.Errorf("Read error = %v, want one naming %s and containing %q", err, tt.path, tt.wantErr)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("Read error = %v, want it to wrap %v", err, tt.is)
			}
		})
	}
}

func TestReadSizeChanged(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "Dockerfile")
	writeFile(t, path, "FROM a\n", 0o644)
	for _, size := range []int64{3, 100} { // the file shrank, the file grew
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		_, err = readSized(f, path, size)
		f.Close()
		if err == nil || !strings.Contains(err.Error(), "size changed during reading") || !strings.Contains(err.Error(), path) {
			t.Errorf("readSized with size %d: error = %v, want a size-changed error naming the path", size, err)
		}
	}
}

package config

import (
	"errors"
	"path"
	"path/filepath"
	"strings"
)

// Excluded reports whether file (a path relative to the working directory,
// or absolute) matches one of the Exclude patterns. Patterns are matched
// against the file's path relative to Dir, with forward slashes:
//
//   - a pattern without a slash matches any single path element, so
//     "testdata" excludes every file under a directory named testdata and
//     "*.dev.Dockerfile" excludes files of that name anywhere;
//   - a pattern with a slash is anchored at Dir and matches the whole path
//     or a leading directory of it, so "legacy/" and "legacy" alike exclude
//     everything under Dir/legacy; "**" matches any number of directories.
//
// Elements are matched with path.Match. A file outside Dir matches nothing.
func (c *Config) Excluded(file string) bool {
	if len(c.Exclude) == 0 {
		return false
	}
	rel, ok := relTo(c.Dir, file)
	if !ok {
		return false
	}
	elems := strings.Split(rel, "/")
	for _, p := range c.Exclude {
		if matchPattern(p, elems) {
			return true
		}
	}
	return false
}

// relTo returns file relative to dir with forward slashes, and false when
// file is not inside dir.
func relTo(dir, file string) (string, bool) {
	absDir, err1 := filepath.Abs(dir)
	absFile, err2 := filepath.Abs(file)
	if err1 != nil || err2 != nil {
		return "", false
	}
	rel, err := filepath.Rel(absDir, absFile)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

func matchPattern(pattern string, elems []string) bool {
	pattern = strings.Trim(pattern, "/")
	if !strings.Contains(pattern, "/") && pattern != "**" {
		for _, e := range elems {
			if ok, _ := path.Match(pattern, e); ok {
				return true
			}
		}
		return false
	}
	pat := strings.Split(pattern, "/")
	for n := 1; n <= len(elems); n++ {
		if matchElems(pat, elems[:n]) {
			return true
		}
	}
	return false
}

// matchElems matches a split pattern against split path elements; a "**"
// element matches zero or more path elements.
func matchElems(pat, elems []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := 0; i <= len(elems); i++ {
				if matchElems(pat[1:], elems[i:]) {
					return true
				}
			}
			return false
		}
		if len(elems) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], elems[0]); !ok {
			return false
		}
		pat, elems = pat[1:], elems[1:]
	}
	return len(elems) == 0
}

// checkPattern reports a malformed exclude pattern.
func checkPattern(p string) error {
	if strings.Trim(p, "/") == "" {
		return errors.New("matches nothing")
	}
	for _, e := range strings.Split(strings.Trim(p, "/"), "/") {
		if _, err := path.Match(e, ""); err != nil {
			return err
		}
	}
	return nil
}

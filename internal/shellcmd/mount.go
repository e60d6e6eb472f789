package shellcmd

import (
	"encoding/csv"
	"path"
	"strings"

	"github.com/dockmend/dockmend/internal/source"
)

// Mount is one --mount flag of a RUN instruction.
type Mount struct {
	// Type is the mount type in lower case: "bind" when not given,
	// "cache", "tmpfs", "secret", "ssh".
	Type string
	// Target is the mount point as written (target=, dst= or
	// destination=); "" when absent.
	Target string
}

// Mounts returns the --mount flags of in, read like buildkit reads them:
// comma-separated key=value fields, possibly CSV-quoted, keys in any order
// and case.
func Mounts(in *source.Instruction) []Mount {
	var ms []Mount
	for _, f := range in.Flags {
		if f.Name != "mount" {
			continue
		}
		r := csv.NewReader(strings.NewReader(f.Value))
		r.LazyQuotes = true
		fields, err := r.Read()
		if err != nil {
			continue
		}
		m := Mount{Type: "bind"}
		for _, field := range fields {
			key, value, _ := strings.Cut(field, "=")
			switch strings.ToLower(strings.TrimSpace(key)) {
			case "type":
				m.Type = strings.ToLower(value)
			case "target", "dst", "destination":
				m.Target = value
			}
		}
		ms = append(ms, m)
	}
	return ms
}

// CacheCovers reports whether in has a cache or tmpfs mount over dir (the
// mount point is dir or one of its parents), so that what the command
// writes there does not end up in the image. A mount point that uses a
// variable counts as covering, since it cannot be told apart.
func CacheCovers(in *source.Instruction, dir string) bool {
	for _, m := range Mounts(in) {
		if m.Type != "cache" && m.Type != "tmpfs" {
			continue
		}
		if strings.Contains(m.Target, "$") {
			return true
		}
		if Covers(m.Target, dir) {
			return true
		}
	}
	return false
}

// Covers reports whether the absolute path p is dir or lies under it.
func Covers(dir, p string) bool {
	if !strings.HasPrefix(dir, "/") {
		return false
	}
	dir, p = path.Clean(dir), path.Clean(p)
	return dir == p || dir == "/" || strings.HasPrefix(p, dir+"/")
}

// Removes reports whether c is an rm whose literal operands remove one of
// dirs, its contents ("dir/*"), or a directory above it.
func (c *Command) Removes(dirs ...string) bool {
	if c.Name() != "rm" {
		return false
	}
	for _, i := range c.Parse().Operands {
		w := c.Args[i]
		if !w.Literal {
			continue
		}
		p := strings.TrimRight(strings.TrimSuffix(w.Value, "*"), "/")
		if p == "" {
			p = "/"
		}
		for _, d := range dirs {
			if Covers(p, d) {
				return true
			}
		}
	}
	return false
}

// ImageStage reports whether what in leaves on disk ends up in an image:
// in belongs to the last stage, or to a stage that a later FROM builds on,
// or is an ONBUILD trigger (which runs in whatever builds on this image).
// Files of other stages reach an image only through COPY --from, which
// names the files it takes.
func ImageStage(in *source.Instruction) bool {
	if in.Parent != nil {
		return true
	}
	s := in.Stage
	if s == nil {
		return false
	}
	return s.IsFinal() || s.Reused()
}

package diff

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/dockmend/dockmend/internal/gitcmd"
)

// QuotePath returns path as git writes it in a patch: unchanged, or, when
// it holds a double quote, a backslash, a control character or a byte
// outside ASCII, in double quotes with C escapes, as git's quote_c_style
// does with the default core.quotePath (gitcmd.QuotePath). Such a path
// cannot break the line it is written on.
func QuotePath(path string) string { return gitcmd.QuotePath(path) }

// headerName returns a file label as the "---" and "+++" lines carry it,
// as git writes them: quoted by QuotePath when needed, and followed by a
// tab when it holds a space, for the tab is where git apply and patch end
// an unquoted name. A label that ends in a space is quoted as well: GNU
// patch would drop the space.
func headerName(label string) string {
	name := QuotePath(label)
	if name == label && strings.HasSuffix(label, " ") {
		name = gitcmd.Quote(label)
	}
	if strings.Contains(label, " ") {
		name += "\t"
	}
	return name
}

// PatchPath returns the path of a file in a patch: relative to the
// working directory when possible, with forward slashes. An absolute path
// outside it loses its leading slash, as in git's patches, so that the
// labels read a/tmp/x rather than a//tmp/x.
func PatchPath(path string) string {
	if filepath.IsAbs(path) {
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(wd, path); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				path = rel
			}
		}
	}
	return strings.TrimLeft(filepath.ToSlash(path), "/")
}

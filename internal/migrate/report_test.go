package migrate

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockmend/dockmend/internal/regfile"
)

// TestReadReportSpecial: a report larger than MaxReportSize, or not a
// regular file, is refused without being read.
func TestReadReportSpecial(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.json")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxReportSize + 1); err != nil { // sparse: nothing written
		t.Fatal(err)
	}
	f.Close()
	if _, err := ReadReport(big); !errors.Is(err, regfile.ErrTooLarge) || !strings.HasPrefix(err.Error(), big+": ") {
		t.Errorf("ReadReport(big): %v", err)
	}
	if _, err := ReadReport(dir); !errors.Is(err, regfile.ErrNotRegular) {
		t.Errorf("ReadReport(directory): %v", err)
	}
}

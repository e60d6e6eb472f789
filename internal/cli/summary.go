package cli

import (
	"fmt"

	"github.com/dockmend/dockmend/internal/driver"
	"github.com/dockmend/dockmend/internal/plural"
)

// fixSummary counts what diff and fix did.
type fixSummary struct {
	fixed     int // fixes applied
	changed   int // files changed
	unchanged int // files processed and left as they were
	failed    int // files, arguments or settings that failed
}

func (s *fixSummary) add(out driver.Outcome) {
	if out.Result.Changed() {
		s.changed++
		s.fixed += out.Result.Fixed
	} else {
		s.unchanged++
	}
}

// String returns "VERB N issues in M files (K files unchanged)", with
// ", E errors" inside the parentheses when there were errors.
func (s fixSummary) String(verb string) string {
	errs := ""
	if s.failed > 0 {
		errs = ", " + plural.Of(s.failed, "error")
	}
	return fmt.Sprintf("%s %s in %s (%s unchanged%s)", verb, plural.Of(s.fixed, "issue"), plural.Of(s.changed, "file"), plural.Of(s.unchanged, "file"), errs)
}

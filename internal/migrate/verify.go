package migrate

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Verification is what dockmend verify found for one Dockerfile of a
// repository (migrate --verify): whether its unsafe fixes held when the
// file was built before and after them.
type Verification struct {
	// Path is relative to the repository, with forward slashes.
	Path string `json:"path"`
	// Status is "verified", "dropped", "unchanged" (no unsafe fix) or
	// "error" (the file could not be verified; see Error).
	Status string `json:"status"`
	// Kept are the rules whose unsafe fixes held and were committed.
	Kept []string `json:"kept,omitempty"`
	// Dropped maps each rule whose unsafe fixes were left out to why.
	Dropped map[string]string `json:"dropped,omitempty"`
	Error   string            `json:"error,omitempty"`
}

// verifyNote sums up a repository's verifications for the Markdown
// report: "verify: 1 verified, 1 dropped (multistage)".
func verifyNote(r *Repository) string {
	if len(r.Verified) == 0 {
		return ""
	}
	counts := map[string]int{}
	var dropped []string
	for _, v := range r.Verified {
		counts[v.Status]++
		for rule := range v.Dropped {
			if !slices.Contains(dropped, rule) {
				dropped = append(dropped, rule)
			}
		}
	}
	var parts []string
	for _, s := range slices.Sorted(maps.Keys(counts)) {
		p := fmt.Sprintf("%d %s", counts[s], s)
		if s == "dropped" {
			slices.Sort(dropped)
			p += " (" + strings.Join(dropped, ", ") + ")"
		}
		parts = append(parts, p)
	}
	return "verify: " + strings.Join(parts, ", ")
}

// Package plural writes counts of things in English, the one way every
// message and summary of dockmend does: "1 file", "2 files",
// "3 repositories".
package plural

import (
	"strconv"
	"strings"
)

// Of returns n and the noun, in the plural unless n is 1: Of(2, "file")
// is "2 files".
func Of(n int, noun string) string { return strconv.Itoa(n) + " " + Noun(n, noun) }

// Noun returns noun in the plural unless n is 1: "files",
// "repositories" (a consonant and y become ies), "keys", "fixes" (after
// s, x, ch and sh, es).
func Noun(n int, noun string) string {
	if n == 1 {
		return noun
	}
	for _, end := range []string{"s", "x", "ch", "sh"} {
		if strings.HasSuffix(noun, end) {
			return noun + "es"
		}
	}
	if stem, ok := strings.CutSuffix(noun, "y"); ok && stem != "" && !strings.ContainsAny(stem[len(stem)-1:], "aeiou") {
		return stem + "ies"
	}
	return noun + "s"
}

// List joins words as prose: "a", "a and b", "a, b and c".
func List(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

package diff

import "fmt"

// UseColor decides whether diff output is coloured (Options.Color) for a
// --color MODE. "always" and
// "never" are obeyed. "auto" colours a terminal unless NO_COLOR is set or
// TERM is dumb; FORCE_COLOR or CLICOLOR_FORCE (set, and not "0") colour
// anything unless NO_COLOR is set.
// isTerminal says whether standard output is a terminal.
func UseColor(mode string, getenv func(string) string, isTerminal bool) (bool, error) {
	switch mode {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto":
	default:
		return false, fmt.Errorf("--color %q: want auto, always or never", mode)
	}
	set := func(k string) bool { v := getenv(k); return v != "" && v != "0" }
	switch {
	case getenv("NO_COLOR") != "":
		return false, nil
	case set("FORCE_COLOR") || set("CLICOLOR_FORCE"):
		return true, nil
	case getenv("TERM") == "dumb":
		return false, nil
	}
	return isTerminal, nil
}

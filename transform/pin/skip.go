package pin

import (
	"fmt"
	"strings"
)

// skipKind classifies why a reference is not pinned.
type skipKind int

const (
	skipInvalid       skipKind = iota // not a valid image reference
	skipPartArg                       // a variable is only part of it
	skipNoValue                       // an ARG it needs has no value
	skipPlatformArg                   // it reads a platform ARG the build sets
	skipBuildArg                      // its ARG is given with --build-arg
	skipArgRedeclared                 // its ARG is declared more than once
	skipArgNotLiteral                 // its ARG's default uses variables
	skipArgShared                     // its ARG is used elsewhere too
	skipFlagVar                       // a variable in --from or from=
	skipNotEditable                   // the source cannot be edited there
	numSkipKinds
)

// String returns a short name for counting.
func (k skipKind) String() string {
	return [...]string{
		"invalid reference",
		"ARG is part of the reference",
		"ARG without a value",
		"platform ARG",
		"set by --build-arg",
		"ARG declared twice",
		"ARG default uses variables",
		"ARG used by several references",
		"variable in --from",
		"not editable",
	}[k]
}

// skip is the reason a reference is not pinned, or not fixed.
type skip struct {
	kind   skipKind
	detail string
}

// reason says why, as a clause: "ARG V has no value".
func (s *skip) reason() string {
	switch s.kind {
	case skipInvalid:
		return s.detail
	case skipPartArg:
		return fmt.Sprintf("it is built from %s; only a reference that is a whole ARG can be pinned", nameList("ARG", s.detail))
	case skipNoValue:
		return fmt.Sprintf("ARG %s has no value (give it a default or --build-arg)", s.detail)
	case skipPlatformArg:
		return fmt.Sprintf("it depends on %s, which the build sets", s.detail)
	case skipBuildArg:
		return fmt.Sprintf("ARG %s is set with --build-arg, so its default is not what is built", s.detail)
	case skipArgRedeclared:
		return fmt.Sprintf("ARG %s is declared more than once before the first FROM", s.detail)
	case skipArgNotLiteral:
		return fmt.Sprintf("the default of ARG %s uses other variables", s.detail)
	case skipArgShared:
		name, n, _ := strings.Cut(s.detail, "|")
		return fmt.Sprintf("ARG %s is used %s times; a digest written into it would apply to all of them", name, n)
	case skipFlagVar:
		return "buildkit does not expand variables there"
	case skipNotEditable:
		return s.detail
	}
	return s.detail
}

// nameList returns "ARG X" or, for a comma-separated list, "ARGs X,Y".
func nameList(word, list string) string {
	if strings.Contains(list, ",") {
		return word + "s " + list
	}
	return word + " " + list
}

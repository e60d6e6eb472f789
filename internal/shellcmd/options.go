package shellcmd

import (
	"slices"
	"strings"

	"github.com/dockmend/dockmend/internal/edit"
)

// Option is one option of a command line, as the command would read it.
type Option struct {
	// Name is the option with its dashes: "-y", "--yes". A cluster of
	// short options ("-qy") gives one Option per letter.
	Name string
	// Value is the option's value: after '=' ("--opt=v", "-q=2"), the
	// rest of a short cluster ("-oFoo"), or the next word for options
	// that take one. HasValue reports whether there is one.
	Value    string
	HasValue bool
	// Index is the index in Command.Args of the word the option is in.
	Index int
	// ValueIndex is the index of the word that holds the value: the next
	// word for "-o value", Index otherwise.
	ValueIndex int
}

// Line is a command line split into options and operands.
type Line struct {
	// Options are the options in order.
	Options []Option
	// Operands are the indexes in Command.Args of the words that are not
	// options or option values: the subcommand, package names, paths.
	// A word with an expansion is an operand.
	Operands []int
	// DoubleDash is the index in Command.Args of the "--" that ends the
	// options, or 0 when there is none (Args[0] is the command's name).
	// The words after it are operands even when they start with '-'.
	DoubleDash int
}

// Parse splits c.Args[1:] into options and operands the way getopt-style
// tools read them. takesValue names the options whose value may be the
// next word ("-o", "--option"); "--" ends the options.
func (c *Command) Parse(takesValue ...string) Line {
	return Getopt(len(c.Args), func(i int) (string, bool) {
		return c.Args[i].Value, c.Args[i].Literal
	}, takesValue...)
}

// Getopt is Parse over any list of words: word(i) returns the text of
// word i and whether it is known (a word whose text is not known is an
// operand). Word 0 is the command's name and is skipped; n is the number
// of words.
func Getopt(n int, word func(i int) (text string, known bool), takesValue ...string) Line {
	var l Line
	if n > 1 {
		// Room for every word as an operand: one allocation, where
		// appending one by one makes several for most command lines.
		l.Operands = make([]int, 0, n-1)
	}
	for i := 1; i < n; i++ {
		v, known := word(i)
		if !known || len(v) < 2 || v[0] != '-' {
			l.Operands = append(l.Operands, i)
			continue
		}
		if v == "--" {
			l.DoubleDash = i
			for j := i + 1; j < n; j++ {
				l.Operands = append(l.Operands, j)
			}
			break
		}
		if strings.HasPrefix(v, "--") {
			name, value, ok := strings.Cut(v, "=")
			o := Option{Name: name, Value: value, HasValue: ok, Index: i, ValueIndex: i}
			if !ok && slices.Contains(takesValue, name) && i+1 < n {
				i++
				o.Value, _ = word(i)
				o.HasValue, o.ValueIndex = true, i
			}
			l.Options = append(l.Options, o)
			continue
		}
		// A cluster of short options: "-qy", "-q=2", "-oAPT::X=1".
		for k := 1; k < len(v); k++ {
			name := v[:2] // the first letter's name is in the word
			if k > 1 {
				name = "-" + v[k:k+1]
			}
			o := Option{Name: name, Index: i, ValueIndex: i}
			if k+1 < len(v) && v[k+1] == '=' {
				o.Value, o.HasValue = v[k+2:], true
				l.Options = append(l.Options, o)
				break
			}
			if slices.Contains(takesValue, name) {
				switch {
				case k+1 < len(v):
					o.Value, o.HasValue = v[k+1:], true
				case i+1 < n:
					i++
					o.Value, _ = word(i)
					o.HasValue, o.ValueIndex = true, i
				}
				l.Options = append(l.Options, o)
				break
			}
			l.Options = append(l.Options, o)
		}
	}
	return l
}

// InsertOption returns an edit that adds an option after word i of c, l
// being c's parsed line: text holds the option with its leading space
// (" -y"). When a "--" before word i ends the options ("apk -- add"), an
// option after word i would be read as an operand (a package named "-y"),
// so the option goes right before the "--" instead ("apk --no-cache --
// add"). That suits tools that read options anywhere before "--" and take
// the option there: getopt_long, Python's argparse, apt's parser, and
// global options of tools whose own parser stops at the subcommand (pip).
func (c *Command) InsertOption(l Line, i int, text string) edit.Edit {
	if l.DoubleDash > 0 && l.DoubleDash < i {
		i = l.DoubleDash - 1
	}
	return c.InsertAfter(i, text)
}

// Has reports whether the line has any of the named options.
func (l Line) Has(names ...string) bool {
	for _, o := range l.Options {
		if slices.Contains(names, o.Name) {
			return true
		}
	}
	return false
}

// Count returns how many times the named option occurs ("-qq" counts 2).
func (l Line) Count(name string) int {
	n := 0
	for _, o := range l.Options {
		if o.Name == name {
			n++
		}
	}
	return n
}

// Values returns the values of the named options.
func (l Line) Values(names ...string) []string {
	var vs []string
	for _, o := range l.Options {
		if slices.Contains(names, o.Name) && o.HasValue {
			vs = append(vs, o.Value)
		}
	}
	return vs
}

// Operand returns the index in Command.Args of the n-th operand (0-based),
// or -1.
func (l Line) Operand(n int) int {
	if n < len(l.Operands) {
		return l.Operands[n]
	}
	return -1
}

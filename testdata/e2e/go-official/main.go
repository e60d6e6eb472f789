// titlecase prints its arguments in title case, following the rules of a language (-lang).
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
)

func main() {
	lang := flag.String("lang", "en", "BCP 47 language tag")
	flag.Parse()
	tag, err := language.Parse(*lang)
	if err != nil {
		fmt.Fprintln(os.Stderr, "titlecase:", err)
		os.Exit(2)
	}
	fmt.Println(cases.Title(tag).String(strings.Join(flag.Args(), " ")))
}

// idgen prints identifiers: random (v4) UUIDs, or name-based (v5) UUIDs with -name.
package main

import (
	"flag"
	"fmt"

	"github.com/google/uuid"
)

func main() {
	n := flag.Int("n", 1, "how many random UUIDs to print")
	name := flag.String("name", "", "print the name-based (SHA-1, URL namespace) UUID of this name instead")
	flag.Parse()
	if *name != "" {
		fmt.Println(uuid.NewSHA1(uuid.NameSpaceURL, []byte(*name)))
		return
	}
	for i := 0; i < *n; i++ {
		fmt.Println(uuid.New())
	}
}

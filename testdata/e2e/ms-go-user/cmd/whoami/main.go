// Command whoami prints the user it runs as, its home directory, and
// whether its data directory is writable.
package main

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
)

func main() {
	u, err := user.Current()
	if err != nil {
		fmt.Println("whoami: error:", err)
		os.Exit(1)
	}
	fmt.Printf("whoami: %s (uid %s)\n", u.Username, u.Uid)
	fmt.Printf("home: %s\n", u.HomeDir)
	dir := "/var/lib/whoami"
	if err := os.WriteFile(filepath.Join(dir, "probe"), []byte("ok"), 0o600); err != nil {
		fmt.Println("data dir not writable:", err)
		os.Exit(1)
	}
	fmt.Println("data dir writable:", dir)
}

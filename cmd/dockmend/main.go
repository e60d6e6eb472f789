// Command dockmend fixes Dockerfiles to follow Docker's container security
// best practices: pinned base images, package-manager cleanup and more.
//
// Run "dockmend --help" for the commands; internal/cli implements them.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/dockmend/dockmend/internal/cli"
)

func main() {
	// An interrupt, a kill or the terminal closing stops the work: files
	// are never left half-written, and migrate finishes or undoes the
	// repositories in progress.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	code := cli.Main(ctx, os.Args[1:], cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	os.Exit(code)
}

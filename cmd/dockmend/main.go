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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	stop()
	os.Exit(code)
}

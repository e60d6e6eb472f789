// Package cli implements dockmend's command line: one file per
// subcommand, each reading its flags and calling a library to do the work
// (internal/session), then printing.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/dockmend/dockmend/internal/flaggroup"
	"github.com/dockmend/dockmend/internal/redact"
	"github.com/dockmend/dockmend/internal/session"
	"github.com/dockmend/dockmend/internal/version"
)

// Exit codes, as gofmt and ruff use them; a run that meets several
// conditions exits with the highest.
const (
	// ExitOK means no findings and no errors.
	ExitOK = 0
	// ExitFindings means check found something, or diff --exit-code
	// printed a diff.
	ExitFindings = 1
	// ExitError means a file or an argument could not be processed.
	ExitError = 2
)

// Env is what the command line reads and writes besides files.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Getenv reads an environment variable; nil means os.Getenv.
	Getenv func(string) string
}

func (e *Env) getenv(k string) string {
	if e.Getenv == nil {
		return os.Getenv(k)
	}
	return e.Getenv(k)
}

// stdoutIsTerminal reports whether standard output is a terminal.
func (e *Env) stdoutIsTerminal() bool {
	f, ok := e.Stdout.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// stderrIsTerminal reports whether standard error is a terminal.
func (e *Env) stderrIsTerminal() bool {
	f, ok := e.Stderr.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// exitStatus is an error that only carries an exit code: its reason has
// been printed already.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// usageError is a wrong command line; it exits with ExitError.
type usageError = session.UsageError

// usageErr returns err as a usageError.
func usageErr(err error) error { return usageError{Err: err} }

// Main runs the command line args (without the program name) and returns
// the process exit code.
func Main(ctx context.Context, args []string, env Env) int {
	root := NewRoot(&env)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	var st exitStatus
	var ue usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &st):
		return int(st)
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(env.Stderr, "dockmend: interrupted")
		return ExitError
	case errors.As(err, &ue) || cmd == nil || cmd == root:
		fmt.Fprintf(env.Stderr, "dockmend: %s\n", redact.String(err.Error()))
		if cmd != nil {
			fmt.Fprintf(env.Stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
		}
		return ExitError
	default:
		fmt.Fprintf(env.Stderr, "dockmend: %s\n", redact.String(err.Error()))
		return ExitError
	}
}

// NewRoot returns the dockmend command and its subcommands, reading and
// writing env (man pages are generated from it: cmd/dockmend-man).
func NewRoot(env *Env) *cobra.Command {
	root := &cobra.Command{
		Use:           "dockmend",
		Short:         "Fix Dockerfiles to follow container security best practices",
		Long:          helpText("dockmend"),
		Example:       helpText("dockmend.example"),
		Version:       version.String(),
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmd.Help()
		},
	}
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr(err) })
	root.SetUsageFunc(flaggroup.Usage)
	root.AddCommand(
		newBase(env),
		newCheck(env),
		newDiff(env),
		newFix(env),
		newMigrate(env),
		newReport(env),
		newRules(env),
		newVersion(env),
		newVerify(env),
	)
	root.SetHelpCommand(newHelp(root, env))
	for _, c := range root.Commands() {
		complete(c)
	}
	return root
}

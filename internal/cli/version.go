package cli

import (
	"fmt"

	"github.com/dockmend/dockmend/internal/version"
	"github.com/spf13/cobra"
)

func newVersion(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print dockmend's version",
		Long: `Version prints the module version dockmend was built from, the version
control revision when the build recorded one, and the Go version.`,
		Example: "  dockmend version",
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(env.Stdout, version.String())
			return err
		},
	}
}

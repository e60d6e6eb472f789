package flaggroup

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func TestUsage(t *testing.T) {
	cmd := &cobra.Command{Use: "tool [flags] PATH", Example: "  tool .", Run: func(*cobra.Command, []string) {}}
	out := pflag.NewFlagSet("output", pflag.ContinueOnError)
	out.String("format", "text", "write `FORMAT`")
	Add(cmd, "Output", out)
	git := pflag.NewFlagSet("git", pflag.ContinueOnError)
	git.String("push", "", "push to `REMOTE`")
	git.Lookup("push").NoOptDefVal = "origin"
	Add(cmd, "Git", git)
	cmd.Flags().Bool("loose", false, "in no group")
	var b strings.Builder
	cmd.SetOut(&b)
	cmd.SetErr(&b)
	if err := Usage(cmd); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	order := []string{"Usage:\n  tool [flags] PATH", "Examples:\n  tool .", "Output:\n      --format FORMAT", "Git:\n      --push[=REMOTE]", "Other flags:", "--loose"}
	at := 0
	for _, w := range order {
		i := strings.Index(got[at:], w)
		if i < 0 {
			t.Fatalf("usage lacks %q after byte %d:\n%s", w, at, got)
		}
		at += i + len(w)
	}
}

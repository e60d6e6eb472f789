package pkgmgr_test

import (
	"testing"

	"github.com/dockmend/dockmend/internal/shellcmd"
	"github.com/dockmend/dockmend/internal/transformtest"
	"github.com/dockmend/dockmend/transform"
	"github.com/dockmend/dockmend/transform/internal/pkgmgr"
)

// pm is a package manager made up for the kit's own cases.
var pm = &pkgmgr.Manager{
	Names:        []string{"pm"},
	Mentions:     []string{"pm"},
	ValueOptions: []string{"--root"},
	Asks:         []string{"install", "remove"},
	Fills:        []string{"install", "refresh"},
	Cleans:       []string{"clean"},
	CacheDirs:    []string{"/var/cache/pm"},
	Confirmed:    func(l shellcmd.Line, _ int) bool { return l.Has("-y") },
	Prompt: func(c pkgmgr.Call) (string, string, transform.Edit, string) {
		return "", "pm " + c.Subcommand() + " asks", c.InsertOption(c.Line, c.Sub, " -y"), "add -y"
	},
	Leftover: func(c pkgmgr.Call) (string, string, string) {
		return "", "pm " + c.Subcommand() + " leaves its cache", c.Invocation() + " clean"
	},
}

func TestCheck(t *testing.T) {
	transformtest.Run(t, "testdata", &transform.Transformer{Name: "pm", Doc: "pm: a made-up package manager", Run: pm.Check})
}

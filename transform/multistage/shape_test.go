package multistage

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/dockmend/dockmend/internal/shellcmd"
	"github.com/dockmend/dockmend/internal/source"
)

// installRE is the one package install a final stage may run.
var installRE = regexp.MustCompile(`^apt-get update && (DEBIAN_FRONTEND=noninteractive )?apt-get install -y --no-install-recommends( [^ &|;$` + "`" + `]+)+ && rm -rf /var/lib/apt/lists/\*$`)

// userCommands create users and groups.
var userCommands = map[string]bool{"useradd": true, "adduser": true, "groupadd": true, "addgroup": true, "usermod": true, "groupmod": true}

// checkFinalStage checks the shape of a rewrite's final stage: its RUNs are
// at most one package install by name, the commands that create users, and
// ldconfig; nothing else, no generated shell logic.
func checkFinalStage(f *source.File) error {
	s := f.Stages[len(f.Stages)-1]
	installs := 0
	for _, in := range s.Instructions {
		if !in.Is("RUN") {
			continue
		}
		text := strings.Join(strings.Fields(in.Args()), " ")
		switch {
		case installRE.MatchString(text):
			installs++
			if installs > 1 {
				return fmt.Errorf("line %d: a second package install", in.StartLine)
			}
		case text == "ldconfig":
		default:
			sc, err := in.Script()
			if err != nil {
				return fmt.Errorf("line %d: %v", in.StartLine, err)
			}
			for _, c := range shellcmd.Commands(sc) {
				if !userCommands[c.Name()] {
					return fmt.Errorf("line %d: RUN %s is neither the package install nor a command that creates users", in.StartLine, text)
				}
			}
			if strings.ContainsAny(text, ";|`") || strings.Contains(text, "$(") {
				return fmt.Errorf("line %d: RUN %s is more than a list of commands", in.StartLine, text)
			}
		}
	}
	return nil
}

// TestGoldenShape checks every golden's final stage (see checkFinalStage),
// and that the shell of its RUNs is one that sh -n accepts where a POSIX sh
// is installed: they are generated text, and a syntax error would only
// show in a real build.
func TestGoldenShape(t *testing.T) {
	sh, _ := exec.LookPath("sh")
	files, _ := filepath.Glob("testdata/*.txtar")
	more, _ := filepath.Glob("testdata/*/*.txtar")
	files = append(files, more...)
	checked := 0
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, sec := range ar.Files {
			if sec.Name != "Dockerfile.golden" {
				continue
			}
			data := []byte(strings.ReplaceAll(strings.ReplaceAll(string(sec.Data), "<CR>", "\r"), "<NOEOL>\n", ""))
			f, err := source.Parse(file, data)
			if err != nil {
				t.Errorf("%s: %v", file, err)
				continue
			}
			if len(f.Stages) < 2 {
				continue // another rule's change
			}
			checked++
			if err := checkFinalStage(f); err != nil {
				t.Errorf("%s: %v", file, err)
			}
			for _, in := range f.Stages[len(f.Stages)-1].Instructions {
				if !in.Is("RUN") || sh == "" {
					continue
				}
				s, err := in.Script()
				if err != nil {
					t.Errorf("%s:%d: %v", file, in.StartLine, err)
					continue
				}
				if out, err := exec.Command(sh, "-n", "-c", s.Text).CombinedOutput(); err != nil {
					t.Errorf("%s:%d: sh -n: %v\n%s", file, in.StartLine, err, out)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no rewrite found in the goldens")
	}
}

// TestCheckFinalStage checks that the shape check fails on what it must
// reject.
func TestCheckFinalStage(t *testing.T) {
	for _, tc := range []struct {
		df string
		ok bool
	}{
		{"FROM a AS build\nFROM b\nRUN apt-get update && apt-get install -y --no-install-recommends libx1 && rm -rf /var/lib/apt/lists/*\nRUN useradd -m app && groupadd g\nRUN ldconfig\n", true},
		{"FROM a AS build\nFROM b\nRUN apt-get update && apt-get install -y --no-install-recommends $(cat /p) && rm -rf /var/lib/apt/lists/*\n", false},
		{"FROM a AS build\nFROM b\nRUN apt-get update && apt-get install -y --no-install-recommends a && rm -rf /var/lib/apt/lists/*\nRUN apt-get update && apt-get install -y --no-install-recommends b && rm -rf /var/lib/apt/lists/*\n", false},
		{"FROM a AS build\nFROM b\nRUN while read -r p; do echo $p; done < /x\n", false},
		{"FROM a AS build\nFROM b\nRUN useradd app; chown app /x\n", false},
	} {
		f, err := source.Parse("Dockerfile", []byte(tc.df))
		if err != nil {
			t.Fatal(err)
		}
		if err := checkFinalStage(f); (err == nil) != tc.ok {
			t.Errorf("checkFinalStage(%q) = %v", tc.df, err)
		}
	}
}

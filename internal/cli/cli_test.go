package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMainInterrupted(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	code := Main(ctx, []string{"fix", dir}, Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr})
	if code != ExitError || stderr.String() != "dockmend: interrupted\n" || stdout.Len() != 0 {
		t.Errorf("exit %d, stdout %q, stderr %q; want 2 and only \"interrupted\"", code, stdout.String(), stderr.String())
	}
}

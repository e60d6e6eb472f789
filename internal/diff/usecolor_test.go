package diff

import (
	"strings"
	"testing"
)

func TestUseColor(t *testing.T) {
	tests := []struct {
		mode string
		env  string // space-separated K=V
		tty  bool
		want bool
	}{
		{"always", "NO_COLOR=1", false, true},
		{"never", "FORCE_COLOR=1", true, false},
		{"auto", "", true, true},
		{"auto", "", false, false},
		{"auto", "NO_COLOR=1", true, false},
		{"auto", "TERM=dumb", true, false},
		{"auto", "FORCE_COLOR=1", false, true},
		{"auto", "FORCE_COLOR=0", false, false},
		{"auto", "CLICOLOR_FORCE=1 TERM=dumb", false, true},
		{"auto", "NO_COLOR=1 FORCE_COLOR=1", true, false},
	}
	for _, tt := range tests {
		vars := map[string]string{}
		for _, kv := range strings.Fields(tt.env) {
			k, v, _ := strings.Cut(kv, "=")
			vars[k] = v
		}
		got, err := UseColor(tt.mode, func(k string) string { return vars[k] }, tt.tty)
		if err != nil || got != tt.want {
			t.Errorf("UseColor(%q, %q, tty=%v) = %v, %v; want %v", tt.mode, tt.env, tt.tty, got, err, tt.want)
		}
	}
	if _, err := UseColor("sometimes", func(string) string { return "" }, true); err == nil {
		t.Error("--color sometimes: no error")
	}
}

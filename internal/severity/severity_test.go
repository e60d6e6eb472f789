package severity

import (
	"encoding/json"
	"testing"
)

func TestParseAndOrder(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Level
	}{
		{"error", Error}, {"WARNING", Warning}, {" info ", Info}, {"style", Style}, {"none", None}, {"ignore", None},
	} {
		got, err := Parse(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if back, _ := Parse(got.String()); back != got {
			t.Errorf("%v does not round-trip", got)
		}
	}
	if _, err := Parse("fatal"); err == nil {
		t.Error("Parse(fatal) succeeded")
	}
	if !(Error > Warning && Warning > Info && Info > Style && Style > None) {
		t.Error("levels out of order")
	}
}

func TestFails(t *testing.T) {
	for _, tc := range []struct {
		l, threshold Level
		want         bool
	}{
		{Error, Warning, true}, {Warning, Warning, true}, {Info, Warning, false},
		{Error, None, false}, {Style, Style, true}, {None, Style, false},
	} {
		if got := tc.l.Fails(tc.threshold); got != tc.want {
			t.Errorf("%v.Fails(%v) = %v, want %v", tc.l, tc.threshold, got, tc.want)
		}
	}
}

func TestSARIFAndJSON(t *testing.T) {
	want := map[Level]string{Error: "error", Warning: "warning", Info: "note", Style: "note", None: "none"}
	for l, s := range want {
		if l.SARIF() != s {
			t.Errorf("%v.SARIF() = %q, want %q", l, l.SARIF(), s)
		}
	}
	b, err := json.Marshal(struct{ L Level }{Warning})
	if err != nil || string(b) != `{"L":"warning"}` {
		t.Errorf("json: %s %v", b, err)
	}
	var v struct{ L Level }
	if err := json.Unmarshal([]byte(`{"L":"error"}`), &v); err != nil || v.L != Error {
		t.Errorf("unmarshal: %v %v", v.L, err)
	}
}

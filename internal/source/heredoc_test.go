package source

import (
	"testing"
)

func TestHeredocs(t *testing.T) {
	type doc struct {
		name          string
		fd            uint
		expand, chomp bool
		content       string
	}
	tests := []struct {
		name  string
		src   string
		inst  int // index in Walk order
		lines [2]int
		text  string // Data[Start:End] of the instruction
		docs  []doc
		next  string // Logical of the next instruction in Walk order
	}{
		{
			name:  "one",
			src:   "FROM a\nRUN <<EOF\necho one\necho two\nEOF\nRUN b\n",
			inst:  1,
			lines: [2]int{2, 5},
			text:  "RUN <<EOF\necho one\necho two\nEOF",
			docs:  []doc{{"EOF", 0, true, false, "echo one\necho two\n"}},
			next:  "RUN b",
		},
		{
			name:  "two, the first quoted",
			src:   "FROM a\nRUN <<'A' bash && cat <<B\nset -e\nA\nhello $X\nB\nRUN c\n",
			inst:  1,
			lines: [2]int{2, 6},
			docs:  []doc{{"A", 0, false, false, "set -e\n"}, {"B", 0, true, false, "hello $X\n"}},
			next:  "RUN c",
		},
		{
			name:  "double-quoted",
			src:   "FROM a\nRUN <<\"EOT\"\necho $HOME\nEOT\n",
			inst:  1,
			lines: [2]int{2, 4},
			docs:  []doc{{"EOT", 0, false, false, "echo $HOME\n"}},
		},
		{
			name:  "<<- keeps the tabs in the body and strips them from the terminator",
			src:   "FROM a\nCOPY <<-EOT /app/conf\n\tkey=value\n\t\tnested\n\tEOT\nRUN b\n",
			inst:  1,
			lines: [2]int{2, 5},
			text:  "COPY <<-EOT /app/conf\n\tkey=value\n\t\tnested\n\tEOT",
			docs:  []doc{{"EOT", 0, true, true, "\tkey=value\n\t\tnested\n"}},
			next:  "RUN b",
		},
		{
			name:  "CRLF",
			src:   "FROM a\r\nRUN <<EOF\r\necho hi\r\nEOF\r\nRUN b\r\n",
			inst:  1,
			lines: [2]int{2, 4},
			text:  "RUN <<EOF\r\necho hi\r\nEOF",
			docs:  []doc{{"EOF", 0, true, false, "echo hi\r\n"}},
			next:  "RUN b",
		},
		{
			name:  "COPY",
			src:   "FROM a\nCOPY --chmod=644 <<CONF /etc/app.conf\nport=80\nCONF\n",
			inst:  1,
			lines: [2]int{2, 4},
			docs:  []doc{{"CONF", 0, true, false, "port=80\n"}},
		},
		{
			name:  "file descriptor",
			src:   "FROM a\nRUN 3<<X cat /proc/self/fd/3\nhello\nX\n",
			inst:  1,
			lines: [2]int{2, 4},
			docs:  []doc{{"X", 3, true, false, "hello\n"}},
		},
		{
			name:  "comment and blank lines are body text",
			src:   "FROM a\nRUN <<EOF\n# not dropped\n\n  \necho \\\nEOF\n",
			inst:  1,
			lines: [2]int{2, 7},
			docs:  []doc{{"EOF", 0, true, false, "# not dropped\n\n  \necho \\\n"}},
		},
		{
			name:  "empty body",
			src:   "FROM a\nRUN <<EOF\nEOF\nRUN b\n",
			inst:  1,
			lines: [2]int{2, 3},
			docs:  []doc{{"EOF", 0, true, false, ""}},
			next:  "RUN b",
		},
		{
			name:  "continued instruction line",
			src:   "FROM a\nRUN --network=none \\\n  # why\n  <<EOF\necho hi\nEOF\n",
			inst:  1,
			lines: [2]int{2, 6},
			docs:  []doc{{"EOF", 0, true, false, "echo hi\n"}},
		},
		{
			name:  "terminator with trailing blanks is body text",
			src:   "FROM a\nRUN <<EOF\nEOF \nEOF\n",
			inst:  1,
			lines: [2]int{2, 4},
			docs:  []doc{{"EOF", 0, true, false, "EOF \n"}},
		},
		{
			name:  "no final newline after the terminator",
			src:   "FROM a\nRUN <<EOF\necho\nEOF",
			inst:  1,
			lines: [2]int{2, 4},
			text:  "RUN <<EOF\necho\nEOF",
			docs:  []doc{{"EOF", 0, true, false, "echo\n"}},
		},
		{
			name:  "ONBUILD: buildkit gives the bodies to ONBUILD",
			src:   "FROM a\nONBUILD RUN <<EOF\necho\nEOF\nRUN b\n",
			inst:  1,
			lines: [2]int{2, 4},
			text:  "ONBUILD RUN <<EOF\necho\nEOF",
			docs:  []doc{{"EOF", 0, true, false, "echo\n"}},
			next:  "RUN <<EOF", // the trigger, without bodies
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustParse(t, tt.src)
			for _, e := range mapErrors(f) {
				t.Error(e)
			}
			insts := walked(f)
			in := insts[tt.inst]
			if in.StartLine != tt.lines[0] || in.EndLine != tt.lines[1] {
				t.Errorf("lines %d-%d, want %d-%d", in.StartLine, in.EndLine, tt.lines[0], tt.lines[1])
			}
			if tt.text != "" && string(f.Data[in.Start:in.End]) != tt.text {
				t.Errorf("Data[Start:End] = %q, want %q", f.Data[in.Start:in.End], tt.text)
			}
			if len(in.Heredocs) != len(tt.docs) {
				t.Fatalf("%d heredocs, want %d", len(in.Heredocs), len(tt.docs))
			}
			for i, w := range tt.docs {
				h := in.Heredocs[i]
				if h.Name != w.name || h.FileDescriptor != w.fd || h.Expand != w.expand || h.Chomp != w.chomp || h.Content != w.content {
					t.Errorf("heredoc %d = %s fd %d expand %v chomp %v %q, want %s fd %d expand %v chomp %v %q",
						i, h.Name, h.FileDescriptor, h.Expand, h.Chomp, h.Content, w.name, w.fd, w.expand, w.chomp, w.content)
				}
				if h.MapErr != nil {
					t.Errorf("heredoc %d: %v", i, h.MapErr)
				} else if got := string(f.Data[h.Start:h.End]); got != w.content {
					t.Errorf("heredoc %d: file bytes %q, want %q", i, got, w.content)
				}
			}
			if tt.next != "" {
				if tt.inst+1 >= len(insts) || insts[tt.inst+1].Logical != tt.next {
					t.Errorf("the instruction after the heredoc is not %q", tt.next)
				}
			}
		})
	}
}

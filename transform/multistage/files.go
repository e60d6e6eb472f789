package multistage

import (
	"strings"
)

// fileCommand records what general file commands write: copies, links,
// directories, downloads, extractions, in-place edits; and forgets what rm
// deletes.
func (a *analysis) fileCommand(r *runCtx, name string, args []word) {
	switch name {
	case "cp", "mv", "install", "ln", "rsync":
		l := parseLine(args, "-t", "--target-directory", "-m", "--mode", "-o", "--owner", "-g", "--group", "-S", "--suffix", "-e", "--exclude", "--chown", "--chmod")
		if t, ok := l.value("-t", "--target-directory"); ok {
			a.outWord(r, t)
			return
		}
		if name == "install" && l.has("-d", "--directory") {
			for _, op := range l.operands {
				a.outWord(r, op)
			}
			return
		}
		if len(l.operands) >= 2 || name == "ln" && len(l.operands) == 1 {
			dest := l.operands[len(l.operands)-1]
			if name == "ln" && len(l.operands) == 1 {
				dest = word{v: strings.TrimRight(r.cwd, "/") + "/" + lastElem(l.operands[0].v), ok: l.operands[0].ok}
			}
			a.outWord(r, dest)
		}
	case "mkdir", "touch":
		l := parseLine(args, "-m", "--mode", "-d", "--date", "-r", "--reference", "-t")
		for _, op := range l.operands {
			a.outWord(r, op)
		}
	case "chmod", "chown", "chgrp", "setcap":
		l := parseLine(args, "--reference", "--from")
		ops := l.operands
		if len(ops) > 0 && !l.has("--reference") {
			ops = ops[1:] // the mode or owner
		}
		for _, op := range ops {
			if p := r.path(op); p != "" && !a.covered(p) {
				a.output(r.in, p)
			}
		}
	case "curl":
		l := parseLine(args, "-o", "--output", "-H", "--header", "-d", "--data", "-u", "--user", "-A", "--user-agent", "-X", "--request", "-w", "--write-out", "--retry", "-m", "--max-time", "--connect-timeout", "-e", "--referer", "-x", "--proxy", "--cacert", "-E", "--cert", "--key", "-b", "--cookie", "-c", "--cookie-jar", "-r", "--range", "--output-dir", "--create-dirs")
		if o, ok := l.value("-o", "--output"); ok {
			if o.v != "-" {
				a.write(r, o.v)
			}
		} else if l.has("-O", "--remote-name") {
			a.fetched(r, r.cwd)
		}
	case "wget":
		l := parseLine(args, "-O", "--output-document", "-P", "--directory-prefix", "-o", "--output-file", "-a", "-t", "--tries", "-T", "--timeout", "--header", "-U", "--user-agent", "-e")
		if o, ok := l.value("-O", "--output-document"); ok {
			if o.v != "-" {
				a.write(r, o.v)
			}
		} else if p, ok := l.value("-P", "--directory-prefix"); ok {
			a.outWord(r, p)
		} else {
			a.fetched(r, r.cwd)
		}
	case "tar", "bsdtar":
		l := parseLine(args, "-C", "--directory", "-f", "--file", "-T", "--files-from", "-X", "--exclude-from", "--strip-components", "--exclude", "--owner", "--group", "--mode", "-b", "--transform")
		extract := l.has("-x", "--extract", "--get")
		if !extract && len(l.operands) > 0 && !strings.HasPrefix(args[0].v, "-") && strings.Contains(args[0].v, "x") {
			extract = true
		}
		if !extract {
			return
		}
		if d, ok := l.value("-C", "--directory"); ok {
			a.outWord(r, d)
		} else {
			a.fetched(r, r.cwd)
		}
	case "unzip":
		l := parseLine(args, "-d", "-x")
		if d, ok := l.value("-d"); ok {
			a.outWord(r, d)
		} else {
			a.fetched(r, r.cwd)
		}
	case "sed", "perl":
		if l := parseLine(args, "-e", "--expression", "-f", "--file"); l.has("-i", "--in-place") || hasInPlace(args) {
			ops := l.operands
			if !l.has("-e", "--expression", "-f", "--file") && len(ops) > 0 {
				ops = ops[1:] // the script
			}
			for _, op := range ops {
				if p := r.path(op); p != "" && !a.covered(p) {
					a.output(r.in, p)
				}
			}
		}
	case "tee":
		for _, op := range parseLine(args).operands {
			if op.ok {
				a.write(r, op.v)
			}
		}
	case "rm", "rmdir":
		for _, op := range parseLine(args).operands {
			if p := r.path(op); p != "" {
				a.removeOutputs(p)
			}
		}
	case "git":
		l := parseLine(args, "-C", "-c", "--depth", "-b", "--branch", "--origin", "-o", "--jobs", "-j", "--filter", "--reference")
		if l.operand(0) == "clone" && len(l.operands) >= 3 {
			// Sources, not artifacts: a build inside adds its directory.
			return
		}
	case "update-ca-certificates":
		a.output(r.in, "/usr/local/share/ca-certificates")
	}
}

// fetched records a download or an extraction into dir under a name the
// command does not give. In / (no WORKDIR) that is most often source to
// build and delete, which is not an artifact: it is not copied.
func (a *analysis) fetched(r *runCtx, dir string) {
	if dir == "/" || dir == "" {
		return
	}
	a.output(r.in, dir)
}

// covered reports whether p lies in an artifact already recorded.
func (a *analysis) covered(p string) bool {
	for _, o := range a.outputs {
		if covers(o, p) {
			return true
		}
	}
	return false
}

func hasInPlace(args []word) bool {
	for _, w := range args {
		if w.ok && (strings.HasPrefix(w.v, "-i") || strings.HasPrefix(w.v, "--in-place")) {
			return true
		}
		if w.ok && strings.HasPrefix(w.v, "-") && !strings.HasPrefix(w.v, "--") && strings.Contains(w.v, "i") && len(w.v) <= 4 {
			return true
		}
	}
	return false
}

func lastElem(p string) string {
	p = strings.TrimRight(p, "/")
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

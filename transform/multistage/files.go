package multistage

import (
	"fmt"
	"path"
	"regexp"
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
			a.into(r, t, l.operands)
			return
		}
		if name == "install" && l.has("-d", "--directory") {
			for _, op := range l.operands {
				a.outWord(r, op)
			}
			return
		}
		switch {
		case name == "ln" && len(l.operands) == 1:
			a.into(r, word{v: r.cwd, ok: r.cwd != ""}, l.operands)
		case len(l.operands) >= 2:
			dest := l.operands[len(l.operands)-1]
			srcs := l.operands[:len(l.operands)-1]
			if p := r.path(dest); p != "" && (strings.HasSuffix(dest.v, "/") || len(srcs) > 1 || knownDir(p)) && !l.has("-T", "--no-target-directory") {
				a.into(r, dest, srcs)
				return
			}
			a.outWord(r, dest)
		}
	case "mkdir", "touch":
		l := parseLine(args, "-m", "--mode", "-d", "--date", "-r", "--reference", "-t")
		for _, op := range l.operands {
			a.outWord(r, op)
			if p := r.path(op); p != "" && r.st.user != "" && a.owners[p] == "" {
				a.owners[p] = r.st.user // made by the build's user
			}
		}
	case "chmod", "chown", "chgrp", "setcap":
		l := parseLine(args, "--reference", "--from")
		ops := l.operands
		if len(ops) > 0 && !l.has("--reference") {
			if name == "chown" && ops[0].ok {
				for _, op := range ops[1:] {
					if p := r.path(op); p != "" {
						a.owners[p] = ops[0].v
					}
				}
			}
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
		args = tarArgs(args)
		l := parseLine(args, "-C", "--directory", "-f", "--file", "-T", "--files-from", "-X", "--exclude-from", "--strip-components", "--strip", "--exclude", "--owner", "--group", "--mode", "-b", "--transform", "--xform", "-I", "--use-compress-program")
		if !l.has("-x", "--extract", "--get") {
			return
		}
		dir, explicit := l.value("-C", "--directory")
		strip := 0
		if v, ok := l.value("--strip-components", "--strip"); ok { // GNU tar takes abbreviations
			fmt.Sscan(v.v, &strip)
		}
		a.extracted(r, dir, explicit, l.operands, strip, l.has("--transform", "--xform", "-T", "--files-from"))
	case "unzip":
		l := parseLine(args, "-d", "-x")
		dir, explicit := l.value("-d")
		var members []word
		if len(l.operands) > 1 {
			members = l.operands[1:]
		}
		a.extracted(r, dir, explicit, members, 0, false)
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

// knownDir reports whether p is a directory in every image, so that a copy
// into it (cp x /usr/local/bin) puts the file inside.
func knownDir(p string) bool {
	if sharedDirs[p] {
		return true
	}
	switch p {
	case "/usr/local", "/usr/local/bin", "/usr/local/sbin", "/usr/local/lib", "/usr/local/share", "/usr/local/include", "/usr/local/etc",
		"/opt", "/srv", "/home", "/root", "/tmp", "/var/tmp", "/var/log", "/var/www", "/etc/ssl/certs", "/usr/local/share/ca-certificates":
		return true
	}
	return false
}

// into records files copied into the directory dir, named after their
// sources; sources it cannot name (globs, variables) make the whole
// directory the artifact, unless it is a system directory.
func (a *analysis) into(r *runCtx, dir word, srcs []word) {
	d := r.path(dir)
	if d == "" {
		a.outWord(r, dir)
		return
	}
	for _, src := range srcs {
		b := lastElem(src.v)
		if !src.ok || b == "" || b == "." || b == ".." || strings.ContainsAny(b, "*?[") {
			if sharedDirs[d] {
				a.problem("line %d: cannot name the files %s puts into %s", r.in.StartLine, src.raw, d)
			} else {
				a.output(r.in, d)
			}
			continue
		}
		a.output(r.in, path.Join(d, b))
	}
}

// extracted records what an archive extraction writes into dir: the
// members named on the command line (less strip leading components), or
// the whole directory, unless it is a system directory, where the files
// cannot be named ("tar xJC /usr/bin"): that is a problem.
func (a *analysis) extracted(r *runCtx, dir word, explicit bool, members []word, strip int, renamed bool) {
	if !explicit {
		if r.cwd == "/" || r.cwd == "" {
			return // into / or an unknown directory: most often sources to build and delete
		}
		dir = word{v: r.cwd, ok: true}
	}
	d := r.path(dir)
	if d == "" {
		a.outWord(r, dir)
		return
	}
	named := len(members) > 0 && !renamed
	for _, m := range members {
		if !m.ok || strings.ContainsAny(m.v, "*?[") {
			named = false
		}
	}
	if named {
		for _, m := range members {
			parts := strings.Split(strings.Trim(path.Clean(m.v), "/"), "/")
			if strip >= len(parts) {
				continue
			}
			a.output(r.in, path.Join(append([]string{d}, parts[strip:]...)...))
		}
		return
	}
	if sharedDirs[d] {
		a.problem("line %d: extracts an archive into %s, whose files cannot be named", r.in.StartLine, d)
		return
	}
	a.fetched(r, d)
}

// tarArgs turns tar's old-style first argument ("xzf", "xJC") into
// options: its letters are options, and those that take a value take the
// next words in order ("tar xJfC a.txz /usr/bin").
func tarArgs(args []word) []word {
	if len(args) == 0 || !args[0].ok || strings.HasPrefix(args[0].v, "-") || !tarClusterRE.MatchString(args[0].v) {
		return args
	}
	var opts []word
	rest := args[1:]
	for _, c := range args[0].v {
		opts = append(opts, word{v: "-" + string(c), ok: true, raw: "-" + string(c)})
		if strings.ContainsRune("fCTXbgKLNV", c) && len(rest) > 0 {
			opts = append(opts, rest[0])
			rest = rest[1:]
		}
	}
	return append(opts, rest...)
}

var tarClusterRE = regexp.MustCompile(`^[A-Za-z]*[xtcru][A-Za-z]*$`)

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

package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dockmend/dockmend/internal/atomicfile"
	"github.com/dockmend/dockmend/internal/base"
	"github.com/dockmend/dockmend/internal/config"
	"github.com/dockmend/dockmend/internal/diff"
	"github.com/dockmend/dockmend/internal/driver"
	"github.com/dockmend/dockmend/internal/gitcmd"
	"github.com/dockmend/dockmend/internal/migrate"
	"github.com/dockmend/dockmend/internal/redact"
	"github.com/dockmend/dockmend/internal/report"
	"github.com/dockmend/dockmend/internal/ruleset"
	"github.com/dockmend/dockmend/transform/pin"
)

// migrateFlags are migrate's own flags.
type migrateFlags struct {
	reposFrom  string
	root       string
	maxDepth   int
	branch     string
	base       string
	conflict   string
	push       string
	dryRun     bool
	author     string
	jobs       int
	reportFile string
	onlyFailed string
	skipDone   string
	shard      string
	baseReport bool
}

const migrateLong = `Migrate applies the fixes to many git repositories at once, one reviewed
branch per repository. For each repository it checks the base commit (HEAD,
or --base) out into a temporary git worktree, runs the rules there as
"dockmend fix" would (each repository's .dockmend.yaml applies), and when
something changed, commits it to a new branch with one commit that lists
the files and fixes. Your checkout is never touched: uncommitted changes,
the index and the current branch stay as they are, and the worktree is
removed afterwards. Commit hooks run as usual.

Repositories are named as arguments, one a line in --repos-from FILE, or
found under --root DIR. A repository whose branch exists already is
skipped (--conflict replace moves the branch instead). A repository that
fails (not a git repository, a configuration that cannot be used or names
a file outside the repository, a failing hook, a rejected push) gets no
branch, and the others go on. A Dockerfile that cannot be fixed is listed
as the repository's problem, and its other files are still committed.
Nothing leaves the machine without --push. Ctrl-C finishes or undoes the
repositories in progress; a later run removes the temporary worktrees
that a killed one left.

Each image reference is looked up once for the whole run; with --lockfile,
the digests are recorded and later runs (or other machines) reuse them,
with --offline without any registry.

Standard output gets a Markdown summary (after the diffs, with --dry-run);
--report FILE writes the same as JSON. --only-failed and --skip-done take
such a report to re-run what failed or what is not done, and --shard I/N
takes a stable share of the repositories, so that N machines can split a
fleet; "dockmend report merge" joins their reports. Migrate exits with 2
when a repository failed or has a Dockerfile that could not be fixed.`

const migrateExample = `  dockmend migrate --dry-run --root ~/src            # what would change, as one patch
  dockmend migrate --select pin,apt --root ~/src      # branch dockmend/pin-apt in each repository
  dockmend migrate --repos-from repos.txt --push --report report.json
  dockmend migrate --only-failed report.json --report retry.json
  dockmend migrate --root /fleet --shard 2/8 --offline --lockfile fleet.lock`

func newMigrate(env *Env) *cobra.Command {
	var o options
	var m migrateFlags
	var v verifyFlags
	cmd := &cobra.Command{
		Use:     "migrate [flags] [REPOSITORY...]",
		Short:   "Fix the Dockerfiles of many git repositories, one branch each",
		Long:    migrateLong,
		Example: migrateExample,
		Args:    cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMigrate(cmd, env, &o, &m, &v, args)
		},
	}
	repos := pflag.NewFlagSet("repositories", pflag.ContinueOnError)
	repos.StringVar(&m.reposFrom, "repos-from", "", "read repository paths from `FILE`, one a line (- for standard input)")
	repos.StringVar(&m.root, "root", "", "migrate every git repository below `DIR`")
	repos.IntVar(&m.maxDepth, "max-depth", 3, "look for repositories at most `N` directories below --root")
	repos.StringVar(&m.shard, "shard", "", "take only shard `I/N` of the repositories (1 <= I <= N), a stable choice by path")
	repos.StringVar(&m.onlyFailed, "only-failed", "", "migrate only the repositories that failed, or kept files that could not be fixed, in `REPORT` (JSON)")
	repos.StringVar(&m.skipDone, "skip-done", "", "skip the repositories that `REPORT` (JSON) lists as changed or unchanged")
	addGroup(cmd, "Repositories", repos)

	git := pflag.NewFlagSet("git", pflag.ContinueOnError)
	git.StringVar(&m.branch, "branch", "", "commit the fixes to branch `NAME` (default dockmend/ and the rules' names)")
	git.StringVar(&m.base, "base", "HEAD", "start the branch from commit `REF`")
	git.StringVar(&m.conflict, "conflict", "skip", "when the branch exists, `MODE` skip leaves the repository alone, replace moves the branch")
	git.StringVar(&m.author, "author", "", "author and committer `\"NAME <EMAIL>\"` (default: each repository's configured user)")
	git.StringVar(&m.push, "push", "", "push the branch to origin, or to `REMOTE` with --push=REMOTE")
	git.Lookup("push").NoOptDefVal = "origin"
	addGroup(cmd, "Branches and commits", git)

	run := pflag.NewFlagSet("run", pflag.ContinueOnError)
	run.BoolVar(&m.dryRun, "dry-run", false, "print the changes as one patch and create nothing")
	run.IntVar(&m.jobs, "jobs", runtime.GOMAXPROCS(0), "migrate `N` repositories at once")
	run.StringVar(&m.reportFile, "report", "", "write the outcome of every repository to `FILE` as JSON")
	run.BoolVar(&m.baseReport, "base-report", false, "add each repository's base images (dockmend base: size, release, support, findings) to --report")
	addGroup(cmd, "Run", run)

	o.registerRules(cmd)
	o.registerPin(cmd)
	v.register(cmd, "migrate")
	return cmd
}

func runMigrate(cmd *cobra.Command, env *Env, o *options, m *migrateFlags, v *verifyFlags, args []string) error {
	ctx := cmd.Context()
	started := time.Now()
	opts := migrate.Options{Base: m.base, DryRun: m.dryRun, Jobs: m.jobs, Version: versionString()}
	switch m.conflict {
	case "skip":
	case "replace":
		opts.Replace = true
	default:
		return usageError{fmt.Errorf("--conflict %q: want skip or replace", m.conflict)}
	}
	if m.jobs < 1 {
		return usageError{fmt.Errorf("--jobs: must be at least 1, not %d", m.jobs)}
	}
	if m.author != "" {
		id, err := gitcmd.ParseIdentity(m.author)
		if err != nil {
			return usageError{fmt.Errorf("--author %w", err)}
		}
		opts.Author = &id
	}
	if m.dryRun && m.push != "" {
		return usageError{errors.New("--dry-run and --push cannot be used together")}
	}
	opts.Remote = m.push
	var shard *migrate.Shard
	if m.shard != "" {
		s, err := migrate.ParseShard(m.shard)
		if err != nil {
			return usageError{err}
		}
		shard = &s
	}
	// The flags are checked once here, so that a wrong one is one usage
	// error; each repository gets fresh settings from these (fixTree).
	reg := newRegistries(o.pin)
	// A repository whose references the offline lock file does not all
	// know fails, as for a failed lookup: no branch pins part of it.
	reg.offlineMissFails = true
	defer reg.close()
	s, err := o.newSettings(env, reg)
	if err != nil {
		return err
	}
	opts.Branch = m.branch
	if opts.Branch == "" {
		opts.Branch, err = defaultBranch(s)
		if err != nil {
			return usageError{err}
		}
	}
	if err := gitcmd.CheckBranchName(ctx, opts.Branch); err != nil {
		return usageError{err}
	}

	targets, x, err := m.targets(ctx, env, args, shard)
	if err != nil {
		return err
	}
	var mv *migrateVerify
	if v.verify {
		mv = &migrateVerify{flags: v, env: env, configFile: o.configFile}
		if mv.build, err = v.build(o); err != nil {
			return err
		}
		if mv.builder, err = v.findBuilder(ctx, env); err != nil {
			return err
		}
	}
	progress := newProgress(env)
	opts.Progress = func(done int, counts map[migrate.Status]int) { progress.update(done, len(targets), counts) }
	opts.Fix = func(ctx context.Context, req migrate.FixRequest) (*migrate.FixResult, error) {
		res, err := fixTree(ctx, s.fresh(req.Dir), req, mv)
		if err == nil && m.baseReport {
			res.BaseImages, err = baseSummary(ctx, s, req)
		}
		return res, err
	}
	opts.Emit = func(r *migrate.Repository, fix *migrate.FixResult) error {
		// The report and the messages below say what went wrong, never
		// with a credential in it.
		r.Reason = redact.String(r.Reason)
		for i, e := range r.Errors {
			r.Errors[i] = redact.String(e)
		}
		if len(r.Warnings) > 0 {
			progress.clear()
			for _, w := range r.Warnings {
				fmt.Fprintf(env.Stderr, "%s: warning: %s\n", r.Path, w)
			}
		}
		if r.Status == migrate.Failed || len(r.Errors) > 0 {
			progress.clear()
			if r.Status == migrate.Failed {
				fmt.Fprintf(env.Stderr, "%s: %s\n", r.Path, r.Reason)
			} else {
				fmt.Fprintf(env.Stderr, "%s: %s; the other files were fixed\n", r.Path, plural(len(r.Errors), "problem"))
			}
			for _, e := range r.Errors {
				fmt.Fprintf(env.Stderr, "  %s\n", e)
			}
			x.raise(ExitError)
		}
		if !m.dryRun || fix == nil || r.Status != migrate.Changed {
			return nil
		}
		for _, f := range fix.Files {
			label := patchPath(filepath.Join(r.Path, filepath.FromSlash(f.Path)))
			if err := diff.Write(env.Stdout, "a/"+label, "b/"+label, f.Before, f.After, diff.Options{Context: diff.DefaultContext}); err != nil {
				return err
			}
		}
		return nil
	}
	repos, err := migrate.Run(ctx, targets, opts)
	progress.clear()
	if err != nil {
		return err
	}
	// The lock file records the digests looked up, in a dry run too: it
	// is how a fleet's digests are resolved once, before the real runs.
	for _, err := range reg.save() {
		x.fail(env, "", err)
	}
	if repos == nil {
		repos = []*migrate.Repository{} // [] in the JSON report, not null
	}
	rep := &migrate.Report{
		Version: migrate.ReportVersion, Dockmend: versionString(),
		Started: started.UTC(), Finished: time.Now().UTC(),
		Branch: opts.Branch, DryRun: m.dryRun, Repositories: repos,
	}
	if shard != nil {
		rep.Shard = shard.String()
	}
	rep.Count()
	if m.reportFile != "" {
		if err := rep.Save(m.reportFile); err != nil {
			x.fail(env, m.reportFile, err)
		}
	}
	if m.dryRun && rep.Counts[migrate.Changed] > 0 {
		fmt.Fprintln(env.Stdout)
	}
	if err := rep.WriteMarkdown(env.Stdout); err != nil {
		return err
	}
	return exitCode(x.code)
}

// defaultBranch is "dockmend/" and the names of the rules the flags
// select, joined with "-".
func defaultBranch(s *settings) (string, error) {
	selected, err := ruleset.Select(s.known, s.over.Select, s.over.Ignore)
	if err != nil {
		return "", err
	}
	var names []string
	for _, t := range selected {
		names = append(names, t.Name)
	}
	if len(names) == 0 {
		return "", errors.New("no rules selected")
	}
	return "dockmend/" + strings.Join(names, "-"), nil
}

// targets collects the repositories from the arguments, --repos-from and
// --root, then applies --only-failed, --skip-done and --shard. Problems
// finding repositories are printed and recorded in the execution.
func (m *migrateFlags) targets(ctx context.Context, env *Env, args []string, shard *migrate.Shard) ([]migrate.Target, *execution, error) {
	x := &execution{}
	var ts []migrate.Target
	for _, a := range args {
		p := filepath.Clean(a)
		ts = append(ts, migrate.Target{Path: p, ShardKey: filepath.ToSlash(p)})
	}
	if m.reposFrom != "" {
		var r io.Reader = env.Stdin
		if m.reposFrom != "-" {
			f, err := os.Open(m.reposFrom)
			if err != nil {
				return nil, nil, usageError{pathError(err)}
			}
			defer f.Close()
			r = f
		}
		list, err := migrate.ReadList(r)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", m.reposFrom, err)
		}
		ts = append(ts, list...)
	}
	if m.root != "" {
		found, errs := migrate.FindRepositories(ctx, m.root, m.maxDepth)
		for _, err := range errs {
			x.fail(env, m.root, pathError(err))
		}
		ts = append(ts, found...)
	}
	given := len(args) > 0 || m.reposFrom != "" || m.root != ""
	if m.onlyFailed != "" {
		prev, err := migrate.ReadReport(m.onlyFailed)
		if err != nil {
			return nil, nil, usageError{pathError(err)}
		}
		if !given {
			for _, r := range prev.Repositories {
				ts = append(ts, migrate.Target{Path: r.Path, ShardKey: filepath.ToSlash(r.Path)})
			}
		}
		ts = filterTargets(ts, func(t migrate.Target) bool {
			r, ok := prev.Lookup(t.Path)
			return ok && r.Failed()
		})
		given = true
	}
	if m.skipDone != "" {
		prev, err := migrate.ReadReport(m.skipDone)
		if err != nil {
			return nil, nil, usageError{pathError(err)}
		}
		if !given {
			for _, r := range prev.Repositories {
				ts = append(ts, migrate.Target{Path: r.Path, ShardKey: filepath.ToSlash(r.Path)})
			}
			given = true
		}
		ts = filterTargets(ts, func(t migrate.Target) bool {
			r, ok := prev.Lookup(t.Path)
			return !ok || !r.Done()
		})
	}
	if !given {
		return nil, nil, usageError{errors.New("no repositories: name them, or give --repos-from, --root or --only-failed")}
	}
	ts = migrate.Dedupe(ts)
	if shard != nil {
		ts = filterTargets(ts, shard.Has)
	}
	return ts, x, nil
}

func filterTargets(ts []migrate.Target, keep func(migrate.Target) bool) []migrate.Target {
	var out []migrate.Target
	for _, t := range ts {
		if keep(t) {
			out = append(out, t)
		}
	}
	return out
}

// fixTree runs the rules over the Dockerfiles in a repository's worktree,
// as "dockmend fix" does, and writes the changed files when asked. Files
// are named after the repository's path, not the temporary worktree.
func fixTree(ctx context.Context, s *settings, req migrate.FixRequest, mv *migrateVerify) (*migrate.FixResult, error) {
	reg := s.reg
	p := &plan{reg: reg, pins: map[*driver.File]*pin.Options{}}
	if err := s.discover(ctx, p, []string{req.Dir}); err != nil {
		return nil, err
	}
	// Messages name the repository as the user gave it, not the
	// worktree (which configuration files may show relative to the
	// working directory).
	dirs := []string{req.Dir}
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, req.Dir); err == nil && !strings.HasPrefix(rel, "..") {
			dirs = append(dirs, rel)
		}
	}
	rename := func(msg string) string {
		for _, d := range dirs {
			msg = strings.ReplaceAll(msg, d, filepath.Clean(req.Name))
		}
		return msg
	}
	res := &migrate.FixResult{Found: len(p.files)}
	for _, w := range s.finder.Warnings() {
		res.Warnings = append(res.Warnings, rename(w.String()))
	}
	// A problem with the settings (a configuration file, the lock file
	// it names) fails the repository: the rules cannot run as it asks.
	// A problem with one file is that file's: the others go on.
	var fatal []error
	for _, err := range p.errs {
		if errors.As(err, new(settingsError)) {
			fatal = append(fatal, errors.New(rename(err.Error())))
			continue
		}
		res.Errors = append(res.Errors, rename(err.Error()))
	}
	if len(fatal) > 0 {
		return res, errors.Join(fatal...)
	}
	// A Dockerfile may be a symbolic link. fix writes through links, so
	// the change lands in the link's target: that target must lie in the
	// worktree (the commit then holds it, under its own path), never
	// outside, where it would be the user's file or no one's.
	realDir, err := filepath.EvalSymlinks(req.Dir)
	if err != nil {
		return nil, err
	}
	target := map[*driver.File]string{} // the file to commit, relative to the worktree
	files := p.files[:0]
	for _, f := range p.files {
		rel, err := filepath.Rel(req.Dir, f.Path)
		if err != nil {
			return nil, err
		}
		f.Name = filepath.Join(req.Name, rel)
		real, err := filepath.EvalSymlinks(f.Path)
		if err != nil {
			res.Errors = append(res.Errors, fmt.Sprintf("%s: %v", f.Name, rename(err.Error())))
			continue
		}
		realRel, err := filepath.Rel(realDir, real)
		if err != nil || realRel == ".." || strings.HasPrefix(realRel, ".."+string(filepath.Separator)) {
			res.Errors = append(res.Errors, fmt.Sprintf("%s: a symbolic link to %s, outside the repository: not fixed (exclude it in .dockmend.yaml)", f.Name, rename(real)))
			continue
		}
		target[f] = realRel
		files = append(files, f)
	}
	p.files = files
	dopts := driver.Options{
		Jobs:    1, // repositories run in parallel already
		Prepare: prefetch(p.pins),
		Emit: func(out driver.Outcome) error {
			if out.Err != nil {
				res.Errors = append(res.Errors, rename(out.Err.Error()))
				return nil
			}
			if failed := out.Result.Failed(); len(failed) > 0 {
				var b strings.Builder
				if err := report.Text(&b, report.File{Path: out.Result.Path, Data: out.Result.Output, Findings: failed}); err != nil {
					return err
				}
				for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
					res.Errors = append(res.Errors, line)
				}
				return nil
			}
			if !out.Result.Changed() {
				return nil
			}
			res.Files = append(res.Files, migrate.FixedFile{
				Path: filepath.ToSlash(target[out.File]), Fixes: out.Result.FixedByRule,
				Before: out.Result.Input, After: out.Result.Output,
			})
			return nil
		},
	}
	if req.Write {
		dopts.Write = atomicfile.Write
	}
	if mv != nil {
		if err := mv.tree(ctx, p, req, res, target, rename); err != nil {
			return nil, err
		}
	} else if err := driver.Run(ctx, p.files, dopts); err != nil {
		return nil, err
	}
	// Lock files the repository configures inside itself are part of its
	// change; they go with the worktree.
	inside := func(path string) bool {
		rel, err := filepath.Rel(req.Dir, path)
		return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
	}
	defer reg.forget(inside)
	if req.Write {
		saved, errs := reg.saveWhere(inside)
		for _, err := range errs {
			res.Errors = append(res.Errors, rename(err.Error()))
		}
		for _, path := range saved {
			// The file written: the target of a lock file that is a
			// symbolic link (the settings checked it is in the worktree).
			rel, ok, err := atomicfile.Within(req.Dir, path)
			if err != nil || !ok {
				return res, fmt.Errorf("%s: written outside the repository (%v)", rename(path), err)
			}
			res.Other = append(res.Other, rel)
		}
	}
	return res, nil
}

// progress draws one status line on a terminal's standard error.
// Updates come from the workers and messages from the main goroutine:
// a mutex keeps their lines whole.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	enabled bool
	drawn   bool
}

func newProgress(env *Env) *progress {
	return &progress{w: env.Stderr, enabled: env.stderrIsTerminal()}
}

func (p *progress) update(done, total int, counts map[migrate.Status]int) {
	if !p.enabled {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	const width = 24
	filled := 0
	if total > 0 {
		filled = done * width / total
	}
	bar := strings.Repeat("=", filled) + strings.Repeat(" ", width-filled)
	fmt.Fprintf(p.w, "\r\033[K[%s] %d/%d repositories: %d changed, %d unchanged, %d skipped, %d failed",
		bar, done, total, counts[migrate.Changed], counts[migrate.Unchanged], counts[migrate.Skipped], counts[migrate.Failed])
	p.drawn = true
}

// clear erases the status line, so that a message can be printed.
func (p *progress) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
}

// baseSummary inspects the base images of a repository's work tree for
// migrate --base-report, through the run's registry settings.
func baseSummary(ctx context.Context, s *settings, req migrate.FixRequest) (*base.Summary, error) {
	res, err := s.reg.resolver(config.Merge(nil, s.over))
	if err != nil {
		return nil, err
	}
	return base.SummarizeDir(ctx, req.Dir, base.Options{Registry: res, Variants: true})
}

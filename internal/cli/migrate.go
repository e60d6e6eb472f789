package cli

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dockmend/dockmend/internal/gitcmd"
	"github.com/dockmend/dockmend/internal/migrate"
	"github.com/dockmend/dockmend/internal/session"
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
	cmd := &cobra.Command{
		Use:     "migrate [flags] [REPOSITORY...]",
		Short:   "Fix the Dockerfiles of many git repositories, one branch each",
		Long:    migrateLong,
		Example: migrateExample,
		Args:    cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMigrate(cmd, env, &o, &m, args)
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
	return cmd
}

func runMigrate(cmd *cobra.Command, env *Env, o *options, m *migrateFlags, args []string) error {
	ctx := cmd.Context()
	opts := migrate.Options{Base: m.base, DryRun: m.dryRun, Jobs: m.jobs, Version: versionString()}
	switch m.conflict {
	case "skip":
	case "replace":
		opts.Replace = true
	default:
		return usageErr(fmt.Errorf("--conflict %q: want skip or replace", m.conflict))
	}
	if m.jobs < 1 {
		return usageErr(fmt.Errorf("--jobs: must be at least 1, not %d", m.jobs))
	}
	if m.author != "" {
		id, err := gitcmd.ParseIdentity(m.author)
		if err != nil {
			return usageErr(fmt.Errorf("--author %w", err))
		}
		opts.Author = &id
	}
	if m.dryRun && m.push != "" {
		return usageErr(errors.New("--dry-run and --push cannot be used together"))
	}
	opts.Remote = m.push
	var shard *migrate.Shard
	if m.shard != "" {
		s, err := migrate.ParseShard(m.shard)
		if err != nil {
			return usageErr(err)
		}
		shard = &s
	}
	// The flags are checked once here, so that a wrong one is one usage
	// error; each repository gets fresh settings from these. A repository
	// whose references the offline lock file does not all know fails, as
	// for a failed lookup: no branch pins part of it.
	s, err := o.session(env, true)
	if err != nil {
		return err
	}
	defer s.Close()
	opts.Branch = m.branch
	res, err := s.Migrate(ctx, session.MigrateOptions{
		Options:   opts,
		Selection: migrate.Selection{Paths: args, Root: m.root, MaxDepth: m.maxDepth, Shard: shard},
		ReposFrom: m.reposFrom, OnlyFailed: m.onlyFailed, SkipDone: m.skipDone, Stdin: env.Stdin,
		BaseReport: m.baseReport, ReportFile: m.reportFile,
		Stdout: env.Stdout, Progress: env.stderrIsTerminal(),
	})
	if err != nil {
		return err
	}
	return status(res, ExitOK)
}

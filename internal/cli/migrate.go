package cli

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dockmend/dockmend/internal/builder"
	"github.com/dockmend/dockmend/internal/flaggroup"
	"github.com/dockmend/dockmend/internal/gitcmd"
	"github.com/dockmend/dockmend/internal/migrate"
	"github.com/dockmend/dockmend/internal/session"
	"github.com/dockmend/dockmend/internal/version"
)

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
	var mo session.MigrateOptions
	var conflict, author, shard string
	var v verifyFlags
	cmd := &cobra.Command{
		Use:     "migrate [flags] [REPOSITORY...]",
		Short:   "Fix the Dockerfiles of many git repositories, one branch each",
		Long:    migrateLong,
		Example: migrateExample,
		Args:    cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch conflict {
			case "skip":
			case "replace":
				mo.Replace = true
			default:
				return usageErr(fmt.Errorf("--conflict %q: want skip or replace", conflict))
			}
			if mo.Jobs < 1 {
				return usageErr(fmt.Errorf("--jobs: must be at least 1, not %d", mo.Jobs))
			}
			if author != "" {
				id, err := gitcmd.ParseIdentity(author)
				if err != nil {
					return usageErr(fmt.Errorf("--author %w", err))
				}
				mo.Author = &id
			}
			if mo.DryRun && mo.Remote != "" {
				return usageErr(errors.New("--dry-run and --push cannot be used together"))
			}
			if shard != "" {
				sh, err := migrate.ParseShard(shard)
				if err != nil {
					return usageErr(err)
				}
				mo.Selection.Shard = &sh
			}
			// The flags are checked once here, so that a wrong one is one
			// usage error; each repository gets fresh settings from these.
			// A repository whose references the offline lock file does not
			// all know fails, as for a failed lookup: no branch pins part
			// of it.
			s, err := o.session(env, true)
			if err != nil {
				return err
			}
			defer s.Close()
			mo.Version, mo.Selection.Paths, mo.Stdin, mo.Stdout = version.String(), args, env.Stdin, env.Stdout
			mo.Progress = env.stderrIsTerminal()
			if v.verify {
				mo.Verify = v.session(env, &o, nil, new(builder.Builder))
			}
			res, err := s.Migrate(cmd.Context(), mo)
			if err != nil {
				return err
			}
			return status(res, ExitOK)
		},
	}
	repos := pflag.NewFlagSet("repositories", pflag.ContinueOnError)
	repos.StringVar(&mo.ReposFrom, "repos-from", "", "read repository paths from `FILE`, one a line (- for standard input)")
	repos.StringVar(&mo.Selection.Root, "root", "", "migrate every git repository below `DIR`")
	repos.IntVar(&mo.Selection.MaxDepth, "max-depth", 3, "look for repositories at most `N` directories below --root")
	repos.StringVar(&shard, "shard", "", "take only shard `I/N` of the repositories (1 <= I <= N), a stable choice by path")
	repos.StringVar(&mo.OnlyFailed, "only-failed", "", "migrate only the repositories that failed, or kept files that could not be fixed, in `REPORT` (JSON)")
	repos.StringVar(&mo.SkipDone, "skip-done", "", "skip the repositories that `REPORT` (JSON) lists as changed or unchanged")
	flaggroup.Add(cmd, "Repositories", repos)

	git := pflag.NewFlagSet("git", pflag.ContinueOnError)
	git.StringVar(&mo.Branch, "branch", "", "commit the fixes to branch `NAME` (default dockmend/ and the rules' names)")
	git.StringVar(&mo.Base, "base", "HEAD", "start the branch from commit `REF`")
	git.StringVar(&conflict, "conflict", "skip", "when the branch exists, `MODE` skip leaves the repository alone, replace moves the branch")
	git.StringVar(&author, "author", "", "author and committer `\"NAME <EMAIL>\"` (default: each repository's configured user)")
	git.StringVar(&mo.Remote, "push", "", "push the branch to origin, or to `REMOTE` with --push=REMOTE")
	git.Lookup("push").NoOptDefVal = "origin"
	flaggroup.Add(cmd, "Branches and commits", git)

	run := pflag.NewFlagSet("run", pflag.ContinueOnError)
	run.BoolVar(&mo.DryRun, "dry-run", false, "print the changes as one patch and create nothing")
	run.IntVar(&mo.Jobs, "jobs", runtime.GOMAXPROCS(0), "migrate `N` repositories at once")
	run.StringVar(&mo.ReportFile, "report", "", "write the outcome of every repository to `FILE` as JSON")
	run.BoolVar(&mo.BaseReport, "base-report", false, "add each repository's base images (dockmend base: size, release, support, findings) to --report")
	flaggroup.Add(cmd, "Run", run)

	o.registerRules(cmd)
	o.registerPin(cmd)
	v.register(cmd, "migrate")
	return cmd
}

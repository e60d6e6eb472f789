package cli

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dockmend/dockmend/internal/flaggroup"
	"github.com/dockmend/dockmend/internal/gitcmd"
	"github.com/dockmend/dockmend/internal/migrate"
	"github.com/dockmend/dockmend/internal/session"
	"github.com/dockmend/dockmend/internal/version"
)

func newMigrate(env *Env) *cobra.Command {
	var o options
	var mo session.MigrateOptions
	var conflict, author, shard string
	var v verifyFlags
	cmd := &cobra.Command{
		Use:     "migrate [flags] [REPOSITORY...]",
		Short:   "Fix the Dockerfiles of many git repositories, one branch each",
		Long:    helpText("migrate"),
		Example: helpText("migrate.example"),
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
				build, err := v.build(&o)
				if err != nil {
					return err
				}
				mo.Verify = v.session(env, build, nil)
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

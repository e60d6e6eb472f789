package cli

import (
	"context"
	"path/filepath"

	"github.com/dockmend/dockmend/internal/atomicfile"
	"github.com/dockmend/dockmend/internal/builder"
	"github.com/dockmend/dockmend/internal/config"
	"github.com/dockmend/dockmend/internal/driver"
	"github.com/dockmend/dockmend/internal/migrate"
	"github.com/dockmend/dockmend/internal/verify"
)

// migrateVerify is migrate --verify: each repository's Dockerfiles are
// verified in its worktree, and only the unsafe fixes that hold are
// committed; the verdicts go into the report.
type migrateVerify struct {
	flags      *verifyFlags
	builder    builder.Builder
	build      verify.Build
	env        *Env
	configFile string
}

// tree verifies the files of p, in the worktree of req, as fixTree would
// fix them, and records what changed and the verdicts in res. Files are
// named after the repository (target gives each one's path in it).
func (mv *migrateVerify) tree(ctx context.Context, p *plan, req migrate.FixRequest, res *migrate.FixResult, target map[*driver.File]string, rename func(string) string) error {
	finder := config.NewFinder()
	var files []*verify.File
	var loaded []driver.Loaded
	for _, f := range p.files {
		vf := verify.NewFile(f.Path, f.Options, finder, mv.configFile, mv.build)
		vf.Name = f.Name
		files = append(files, vf)
		if data, _, err := atomicfile.Read(f.Path); err == nil {
			loaded = append(loaded, driver.Loaded{File: f, Data: data})
		}
	}
	if err := prefetch(p.pins)(ctx, loaded); err != nil {
		return err
	}
	opts := mv.flags.options(mv.env, mv.builder)
	opts.Progress = nil // migrate draws its own
	if req.Write {
		opts.Write = atomicfile.Write
	}
	i := 0
	opts.Emit = func(r *verify.Result) error {
		f := p.files[i]
		i++
		path := filepath.ToSlash(target[f])
		v := migrate.Verification{Path: path, Status: string(r.Status), Kept: r.Kept(), Error: rename(r.Error)}
		for _, rule := range r.Rules {
			if !rule.Kept {
				if v.Dropped == nil {
					v.Dropped = map[string]string{}
				}
				v.Dropped[rule.Name] = rename(rule.Reason)
			}
		}
		res.Verified = append(res.Verified, v)
		if r.Output == nil {
			// The rules could not run: an error of the file, as fix has.
			res.Errors = append(res.Errors, rename(r.Error))
			return nil
		}
		if len(r.Failed) > 0 {
			// A failed lookup fails the repository, as without --verify.
			for _, f := range r.Failed {
				res.Errors = append(res.Errors, rename(f))
			}
			return nil
		}
		if string(r.Output) != string(r.Input) {
			res.Files = append(res.Files, migrate.FixedFile{Path: path, Fixes: r.Fixed, Before: r.Input, After: r.Output})
		}
		return nil
	}
	return verify.Run(ctx, files, opts)
}

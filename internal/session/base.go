package session

import (
	"context"
	"fmt"
	"io"

	"github.com/dockmend/dockmend/internal/base"
	"github.com/dockmend/dockmend/internal/regfile"
	"github.com/dockmend/dockmend/internal/source"
)

// Base runs "dockmend base" (internal/base) over the files of in, found
// as check finds them (exclusions included), each judged with the
// registry settings, build args and platform of its configuration: the
// flags' over its .dockmend.yaml. Reports go to stdout; it returns base's
// exit code, or an error that stopped it (a UsageError for wrong paths).
// The lock file plays no part: base needs manifests and blobs that a lock
// file does not hold.
func (s *Session) Base(ctx context.Context, in Input, cfg base.Config, stdout io.Writer) (int, error) {
	stderr := s.opts.Stderr
	if err := cfg.Check(); err != nil || (cfg.UpdateDB && len(in.Paths) == 0) {
		return base.Run(ctx, cfg, stdout, stderr), nil // says what is wrong, or only updates
	}
	p, err := s.Plan(ctx, in)
	if err != nil {
		return 0, err
	}
	for _, w := range p.Warnings {
		fmt.Fprintf(stderr, "%s: warning: %s\n", w.Path, w.Message)
	}
	for _, sk := range p.Skipped {
		fmt.Fprintln(stderr, sk)
	}
	cfg.Files, cfg.FileErrors = []base.File{}, p.Errs
	for _, f := range p.Files {
		data := f.Data
		if data == nil {
			if data, err = regfile.Read(f.Path, source.MaxFileSize); err != nil {
				cfg.FileErrors = append(cfg.FileErrors, err)
				continue
			}
		}
		m := p.configs[f]
		reg, err := s.reg.resolver(m)
		if err != nil {
			cfg.FileErrors = append(cfg.FileErrors, err)
			continue
		}
		name := f.Name
		if name == "" {
			name = f.Path
		}
		cfg.Files = append(cfg.Files, base.File{Path: name, Data: data,
			Settings: &base.Settings{Registry: reg, Platform: m.Platform, BuildArgs: m.BuildArgs}})
	}
	if cfg.Options.Registry == nil && len(cfg.Files) > 0 {
		cfg.Options.Registry = cfg.Files[0].Settings.Registry
	}
	return base.Run(ctx, cfg, stdout, stderr), nil
}

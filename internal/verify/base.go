package verify

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/shell"

	"github.com/dockmend/dockmend/internal/source"
)

// finalBase returns the image the built stage (target, or the last stage)
// starts from, following FROM lines that name earlier stages, with the
// global ARGs expanded as the build expands them; "" for scratch.
func finalBase(path string, data []byte, target string, buildArgs map[string]string, platform string) (string, error) {
	f, err := source.Parse(path, data)
	if err != nil {
		return "", err
	}
	if len(f.Stages) == 0 {
		return "", fmt.Errorf("%s: no FROM", path)
	}
	st := f.Stages[len(f.Stages)-1]
	if target != "" {
		if st = f.StageByName(target); st == nil {
			return "", fmt.Errorf("%s: no stage %q (--target)", path, target)
		}
	}
	vals := globalArgs(f, buildArgs, platform)
	lex := shell.NewLex(f.Escape)
	for hops := 0; hops <= len(f.Stages); hops++ {
		res, err := lex.ProcessWordWithMatches(st.Base.Text, source.MapEnv(vals))
		if err != nil {
			return "", fmt.Errorf("%s:%d: FROM %s: %v", path, st.From.Line(), st.Base.Text, err)
		}
		name := res.Result
		if parent := f.StageByName(strings.ToLower(name)); parent != nil && parent.Index < st.Index {
			st = parent
			continue
		}
		if strings.EqualFold(name, "scratch") {
			return "", nil
		}
		return name, nil
	}
	return "", fmt.Errorf("%s: FROM lines that loop", path)
}

// globalArgs returns the values of the ARGs before the first FROM: the
// platform ARGs buildkit sets, then each default, replaced by a build arg
// of the same name.
func globalArgs(f *source.File, buildArgs map[string]string, platform string) map[string]string {
	os, arch, variant := "linux", runtime.GOARCH, ""
	if platform != "" {
		parts := strings.Split(platform, "/")
		os = parts[0]
		if len(parts) > 1 {
			arch = parts[1]
		}
		if len(parts) > 2 {
			variant = parts[2]
		}
	}
	target := os + "/" + arch
	if variant != "" {
		target += "/" + variant
	}
	vals := map[string]string{
		"BUILDPLATFORM": "linux/" + runtime.GOARCH, "BUILDOS": "linux", "BUILDARCH": runtime.GOARCH,
		"TARGETPLATFORM": target, "TARGETOS": os, "TARGETARCH": arch, "TARGETVARIANT": variant,
	}
	lex := shell.NewLex(f.Escape)
	for _, a := range f.GlobalArgs {
		if v, ok := buildArgs[a.Name]; ok {
			vals[a.Name] = v
			continue
		}
		if !a.HasValue {
			continue
		}
		if res, err := lex.ProcessWordWithMatches(a.Inst.Logical[a.ValueStart:a.ValueEnd], source.MapEnv(vals)); err == nil {
			vals[a.Name] = res.Result
		}
	}
	return vals
}

// lastStage reports whether target names the last stage of the
// Dockerfile data.
func lastStage(path string, data []byte, target string) bool {
	f, err := source.Parse(path, data)
	if err != nil || len(f.Stages) == 0 {
		return false
	}
	return strings.EqualFold(f.Stages[len(f.Stages)-1].Name, target)
}

package imagediff

import (
	"archive/tar"
	"fmt"
	"maps"
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// compareConfig compares the run configurations.
func (c *Comparison) compareConfig(old, new Side) {
	oc, nc := old.Image.Config.Config, new.Image.Config.Config
	var ob, nb v1.Config
	baseKnown := old.BaseConfig != nil && new.BaseConfig != nil
	if old.BaseConfig != nil {
		ob = *old.BaseConfig
	}
	if new.BaseConfig != nil {
		nb = *new.BaseConfig
	}
	// inherited explains a value each image took from its own base.
	inherited := func(ov, nv, obv, nbv any) string {
		if baseKnown && reflect.DeepEqual(ov, obv) && reflect.DeepEqual(nv, nbv) && !reflect.DeepEqual(obv, nbv) {
			return fmt.Sprintf("inherited from the base image, %s before and %s after", nameOr(old.Base), nameOr(new.Base))
		}
		return ""
	}
	field := func(name string, ov, nv, obv, nbv any) {
		if reflect.DeepEqual(ov, nv) {
			return
		}
		c.add(Difference{Kind: KindConfig, Subject: name, Before: show(ov), After: show(nv), Expected: inherited(ov, nv, obv, nbv)})
	}
	field("Entrypoint", oc.Entrypoint, nc.Entrypoint, ob.Entrypoint, nb.Entrypoint)
	field("Cmd", oc.Cmd, nc.Cmd, ob.Cmd, nb.Cmd)
	field("User", oc.User, nc.User, ob.User, nb.User)
	field("WorkingDir", oc.WorkingDir, nc.WorkingDir, ob.WorkingDir, nb.WorkingDir)
	field("Healthcheck", oc.Healthcheck, nc.Healthcheck, ob.Healthcheck, nb.Healthcheck)
	field("StopSignal", oc.StopSignal, nc.StopSignal, ob.StopSignal, nb.StopSignal)
	field("Shell", oc.Shell, nc.Shell, ob.Shell, nb.Shell)
	keys := func(name string, o, n, obm, nbm map[string]string) {
		for _, k := range slices.Sorted(maps.Keys(union(o, n))) {
			ov, oOK := o[k]
			nv, nOK := n[k]
			if oOK == nOK && ov == nv {
				continue
			}
			obv, obOK := obm[k]
			nbv, nbOK := nbm[k]
			d := Difference{Kind: KindConfig, Subject: name + " " + k}
			if oOK {
				d.Before = strconv.Quote(ov)
			}
			if nOK {
				d.After = strconv.Quote(nv)
			} else {
				d.After = "unset"
			}
			d.Expected = inherited([2]any{ov, oOK}, [2]any{nv, nOK}, [2]any{obv, obOK}, [2]any{nbv, nbOK})
			if d.Expected == "" && name == "Env" && k == "PATH" && oOK && nOK {
				d.Expected = samePath(new.Image, ov, nv)
			}
			c.add(d)
		}
	}
	keys("Env", envMap(oc.Env), envMap(nc.Env), envMap(ob.Env), envMap(nb.Env))
	keys("Label", oc.Labels, nc.Labels, ob.Labels, nb.Labels)
	keys("ExposedPorts", setMap(oc.ExposedPorts), setMap(nc.ExposedPorts), setMap(ob.ExposedPorts), setMap(nb.ExposedPorts))
	keys("Volumes", setMap(oc.Volumes), setMap(nc.Volumes), setMap(ob.Volumes), setMap(nb.Volumes))
}

// samePath explains a changed PATH that finds the same commands in img
// (the rewritten image): the two lists differ only in directories img
// does not have, such as a toolchain's (/usr/local/go/bin). It returns ""
// otherwise.
func samePath(img *Image, old, new string) string {
	has := func(dir string) bool {
		f := img.Files[img.canonical(dir)]
		return f != nil && f.Type == tar.TypeDir
	}
	present := func(dirs []string) []string {
		var out []string
		for _, d := range dirs {
			if has(d) {
				out = append(out, path.Clean(d))
			}
		}
		return out
	}
	oldDirs, newDirs := strings.Split(old, ":"), strings.Split(new, ":")
	if !slices.Equal(present(oldDirs), present(newDirs)) {
		return ""
	}
	var gone []string
	for _, d := range oldDirs {
		if d != "" && !has(d) && !slices.Contains(newDirs, d) {
			gone = append(gone, d)
		}
	}
	if len(gone) == 0 {
		return ""
	}
	return "the same search path in the rewritten image, which does not have " + strings.Join(gone, ", ")
}

func nameOr(s string) string {
	if s == "" {
		return "scratch"
	}
	return s
}

func show(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case []string:
		if x == nil {
			return "unset"
		}
		q := make([]string, len(x))
		for i, s := range x {
			q[i] = strconv.Quote(s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	case *v1.HealthConfig:
		if x == nil {
			return "unset"
		}
		return fmt.Sprintf("%v every %s", x.Test, x.Interval)
	}
	return fmt.Sprint(v)
}

func union(a, b map[string]string) map[string]string {
	m := map[string]string{}
	maps.Copy(m, a)
	maps.Copy(m, b)
	return m
}

func envMap(env []string) map[string]string {
	m := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

func setMap(s map[string]struct{}) map[string]string {
	m := map[string]string{}
	for k := range s {
		m[k] = ""
	}
	return m
}

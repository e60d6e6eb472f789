package source

import "sort"

// MapEnv is a buildkit shell.EnvGetter over a map of variables, for
// expanding words of a Dockerfile with ProcessWord: the ARG values known
// at a FROM line, say.
type MapEnv map[string]string

// Get returns the value of k.
func (e MapEnv) Get(k string) (string, bool) { v, ok := e[k]; return v, ok }

// Keys returns the names of the variables, sorted.
func (e MapEnv) Keys() []string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

package resolve

import (
	"sync"

	"golang.org/x/sync/singleflight"
)

// memo caches values by key and lets concurrent callers share one
// computation.
type memo[T any] struct {
	mu sync.Mutex
	m  map[string]T
	sf singleflight.Group
}

// do returns the cached value for key, or computes it with f; f's second
// result says whether to keep the value.
func (c *memo[T]) do(key string, f func() (T, bool)) T {
	if v, ok := c.peek(key); ok {
		return v
	}
	v, _, _ := c.sf.Do(key, func() (any, error) {
		if v, ok := c.peek(key); ok {
			return v, nil
		}
		v, keep := f()
		if keep {
			c.mu.Lock()
			if c.m == nil {
				c.m = map[string]T{}
			}
			c.m[key] = v
			c.mu.Unlock()
		}
		return v, nil
	})
	return v.(T)
}

func (c *memo[T]) peek(key string) (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[key]
	return v, ok
}

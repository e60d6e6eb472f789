package pin

import (
	"context"
	"sync"
)

// Cache wraps r so that each distinct question is asked once: answers and
// failures are kept, and concurrent callers of the same question wait for
// the first. Cache(nil) answers every question with an error saying that
// no registry access is configured; a Cache is returned as is.
func Cache(r Resolver) Resolver {
	switch r := r.(type) {
	case nil:
		r = noResolver{}
	case *cache:
		return r
	}
	return &cache{r: r, m: map[question]*answer{}}
}

type cache struct {
	r  Resolver
	mu sync.Mutex
	m  map[question]*answer
}

type question struct {
	describe   bool
	ref, extra string // ref and platform, or repo and digest
}

type answer struct {
	done chan struct{}
	d    Descriptor
	err  error
}

func (c *cache) ask(ctx context.Context, q question, f func() (Descriptor, error)) (Descriptor, error) {
	c.mu.Lock()
	a, ok := c.m[q]
	if !ok {
		a = &answer{done: make(chan struct{})}
		c.m[q] = a
		c.mu.Unlock()
		a.d, a.err = f()
		close(a.done)
		return a.d, a.err
	}
	c.mu.Unlock()
	select {
	case <-a.done:
		return a.d, a.err
	case <-ctx.Done():
		return Descriptor{}, ctx.Err()
	}
}

func (c *cache) Resolve(ctx context.Context, ref, platform string) (Descriptor, error) {
	return c.ask(ctx, question{ref: ref, extra: platform}, func() (Descriptor, error) {
		return c.r.Resolve(ctx, ref, platform)
	})
}

func (c *cache) Describe(ctx context.Context, repo, digest string) (Descriptor, error) {
	return c.ask(ctx, question{describe: true, ref: repo, extra: digest}, func() (Descriptor, error) {
		return c.r.Describe(ctx, repo, digest)
	})
}

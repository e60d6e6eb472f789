// Package ordered runs work in parallel and hands the results out in
// order, as gofmt's sequencer does: the driver runs files so, and migrate
// repositories.
package ordered

import (
	"context"
	"runtime"
	"sync"
)

// Run calls work(ctx, i) for every i in [0, n), at most jobs at once (0
// means GOMAXPROCS), and emit(i) for every i in order, from the calling
// goroutine, once work(i) has returned. When ctx is done no more work
// starts and nothing more is emitted. An error from emit cancels the
// context the work sees and is returned; otherwise Run returns ctx's
// error. Run returns once every work it started has returned.
func Run(ctx context.Context, n, jobs int, work func(ctx context.Context, i int), emit func(i int) error) error {
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make([]chan struct{}, n)
	for i := range done {
		done[i] = make(chan struct{})
	}
	// jobs workers take the indexes in order: a goroutine per item would
	// grow a new stack for each (the rules recurse deeply), which cost
	// 4 % of a diff over many files.
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(jobs, n) {
		wg.Go(func() {
			for i := range next {
				func() {
					defer close(done[i])
					work(ctx, i)
				}()
			}
		})
	}
	go func() {
		defer close(next)
		for i := range n {
			select {
			case next <- i:
			case <-ctx.Done():
				for _, d := range done[i:] {
					close(d)
				}
				return
			}
		}
	}()
	var emitErr error
	for i := range n {
		<-done[i]
		if emitErr == nil && ctx.Err() == nil {
			if emitErr = emit(i); emitErr != nil {
				cancel()
			}
		}
	}
	wg.Wait()
	if emitErr != nil {
		return emitErr
	}
	return ctx.Err()
}

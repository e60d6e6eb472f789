package ordered

import (
	"context"
	"errors"
	"math/rand"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunEmitsInOrder(t *testing.T) {
	const n = 50
	var running, most atomic.Int32
	var got []int
	err := Run(context.Background(), n, 3, func(_ context.Context, i int) {
		if r := running.Add(1); r > most.Load() {
			most.Store(r)
		}
		time.Sleep(time.Duration(rand.Intn(300)) * time.Microsecond)
		running.Add(-1)
	}, func(i int) error {
		got = append(got, i)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if i >= len(got) || got[i] != i {
			t.Fatalf("emitted %v, want 0..%d in order", got, n-1)
		}
	}
	if most.Load() > 3 {
		t.Errorf("%d at once, want at most 3", most.Load())
	}
}

func TestRunEmitErrorStops(t *testing.T) {
	stop := errors.New("stop")
	emitted := 0
	var unaware atomic.Int32 // work that ran on after the emit error
	err := Run(context.Background(), 100, 1, func(ctx context.Context, i int) {
		if i == 0 {
			return
		}
		// The rest wait for the cancel the emit error brings.
		select {
		case <-ctx.Done():
		case <-time.After(time.Minute):
			unaware.Add(1)
		}
	}, func(i int) error {
		emitted++
		return stop
	})
	if !errors.Is(err, stop) || emitted != 1 {
		t.Errorf("Run = %v after %d emits; want the emit error after 1", err, emitted)
	}
	if unaware.Load() > 0 {
		t.Error("work was not cancelled after emit failed")
	}
}

func TestRunCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	emitted := 0
	err := Run(ctx, 10, 2, func(context.Context, int) {}, func(int) error { emitted++; return nil })
	if !errors.Is(err, context.Canceled) || emitted != 0 {
		t.Errorf("Run = %v after %d emits; want context.Canceled and none", err, emitted)
	}
}

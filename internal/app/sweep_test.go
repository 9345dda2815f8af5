package app

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

// countingStore counts the expiry sweeps it is asked for and the time they
// forget before.
type countingStore struct {
	store.Store
	sweeps atomic.Int32
	before atomic.Int64
}

func (c *countingStore) DeleteExpiredSessions(ctx context.Context, before time.Time) (int, error) {
	c.sweeps.Add(1)
	c.before.Store(before.Unix())
	return c.Store.DeleteExpiredSessions(ctx, before)
}

func TestSweepRunsUntilCancelled(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	cfg := Defaults()
	cfg.DB, cfg.Now = "memory", func() time.Time { return now }
	a, err := Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	cs := &countingStore{Store: a.Store}
	a.Service.Store = cs

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.sweep(ctx, time.Millisecond)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for cs.sweeps.Load() < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the sweeper did not sweep twice in 10s")
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the sweeper did not stop with its context")
	}
	// The sweep reads the service's clock (and keeps a day of grace for
	// access tokens that outlive their session's refresh token).
	if got, want := cs.before.Load(), now.Add(-24*time.Hour).Unix(); got != want {
		t.Errorf("swept before %v, want %v", time.Unix(got, 0).UTC(), time.Unix(want, 0).UTC())
	}
}

package sqlstore_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/store/sqlite"
	"github.com/cognitod/cognitod/internal/store/sqlstore"
)

var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func open(t *testing.T) *sqlstore.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "batch.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.CreateUserPool(t.Context(), store.UserPool{ID: "p", Name: "p", Created: t0}); err != nil {
		t.Fatal(err)
	}
	return s
}

func user(i int) store.User {
	name := fmt.Sprintf("u%03d", i)
	return store.User{PoolID: "p", Sub: "sub-" + name, Username: name, UsernameKey: name, Created: t0, Modified: t0,
		Doc: []byte(`{"n":0}`), Search: map[string]string{"username": name}, Aliases: []store.Alias{{Kind: "email", Key: name + "@example.com"}}}
}

// TestGroupCommitIsolation runs writes that succeed and writes that fail at
// once: they share database transactions, but each fails or succeeds alone.
func TestGroupCommitIsolation(t *testing.T) {
	s := open(t)
	ctx := t.Context()
	const n = 100
	for i := range n {
		if err := s.CreateUser(ctx, user(i)); err != nil {
			t.Fatal(err)
		}
	}
	errBoom := errors.New("boom")
	errs := make([]error, 3*n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 3 * n {
		wg.Go(func() {
			<-start
			u := i % n
			switch i / n {
			case 0: // succeeds
				_, errs[i] = s.UpdateUser(ctx, "p", user(u).Sub, func(cur store.User) (store.User, error) {
					cur.Doc = []byte(`{"n":1}`)
					return cur, nil
				})
			case 1: // fails after writing: its writes must be undone
				_, errs[i] = s.UpdateUser(ctx, "p", user(u).Sub, func(cur store.User) (store.User, error) {
					cur.Status = "WRITTEN"
					return cur, errBoom
				})
			case 2: // a conflict on a taken alias, or a new user
				nu := user(n + u)
				if u%2 == 0 {
					nu.Aliases = []store.Alias{{Kind: "email", Key: user(u).Aliases[0].Key}}
				}
				errs[i] = s.CreateUser(ctx, nu)
			}
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		u := i % n
		switch {
		case i < n:
			if err != nil {
				t.Errorf("%d: %v", i, err)
			}
		case i < 2*n:
			if !errors.Is(err, errBoom) {
				t.Errorf("%d: %v, want boom", i, err)
			}
		case u%2 == 0:
			var ce *store.ConflictError
			if !errors.As(err, &ce) || ce.Field != "alias:email" {
				t.Errorf("%d: %v, want an alias conflict", i, err)
			}
		default:
			if err != nil {
				t.Errorf("%d: %v", i, err)
			}
		}
	}
	for u := range n {
		got, err := s.GetUserBySub(ctx, "p", user(u).Sub)
		if err != nil || got.Status != "" {
			t.Errorf("user %d: status %q, %v: a failed update was kept", u, got.Status, err)
		}
		if string(got.Doc) != `{"n":1}` {
			t.Errorf("user %d: doc %s: a successful update was lost", u, got.Doc)
		}
		_, err = s.GetUserBySub(ctx, "p", user(n+u).Sub)
		if (err == nil) != (u%2 == 1) {
			t.Errorf("new user %d: %v", n+u, err)
		}
	}
	requests, batches := sqlstore.BatchStats(s)
	t.Logf("%d write transactions in %d database transactions", requests, batches)
	if batches >= requests {
		t.Errorf("%d write transactions in %d database transactions: no group commit", requests, batches)
	}
}

// TestGroupCommitPanic: a panic in an update function reaches its caller,
// and the store and the other writers go on.
func TestGroupCommitPanic(t *testing.T) {
	s := open(t)
	ctx := t.Context()
	if err := s.CreateUser(ctx, user(0)); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var recovered any
	for i := range 20 {
		wg.Go(func() {
			if i == 10 {
				defer func() { recovered = recover() }()
				s.UpdateUser(ctx, "p", user(0).Sub, func(cur store.User) (store.User, error) {
					cur.Status = "PANICKED"
					panic("update panics")
				})
				return
			}
			if err := s.CreateUser(ctx, user(i+1)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if recovered != "update panics" {
		t.Errorf("recovered %v, want the update's panic", recovered)
	}
	got, err := s.GetUserBySub(ctx, "p", user(0).Sub)
	if err != nil || got.Status != "" {
		t.Errorf("user after the panicking update: %q, %v", got.Status, err)
	}
	if n, err := s.CountUsers(ctx, "p"); err != nil || n != 20 {
		t.Errorf("CountUsers = %d, %v; want 20", n, err)
	}
}

// TestCloseWithQueuedWrites: Close lets queued writes finish, and later
// writes fail instead of waiting for ever.
func TestCloseWithQueuedWrites(t *testing.T) {
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "close.db"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := s.CreateUserPool(ctx, store.UserPool{ID: "p", Name: "p", Created: t0}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 50)
	for i := range errs {
		wg.Go(func() { errs[i] = s.CreateUser(ctx, user(i)) })
	}
	time.Sleep(time.Millisecond)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil && !errors.Is(err, sqlstore.ErrClosed) {
			t.Errorf("write %d: %v", i, err)
		}
	}
	if err := s.CreateUser(ctx, user(99)); !errors.Is(err, sqlstore.ErrClosed) {
		t.Errorf("write after Close: %v, want %v", err, sqlstore.ErrClosed)
	}
}

package sqlite_test

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

// TestUseOnceTwoStores is two processes on one database file using the same
// single-use values at once: of each id's concurrent uses, from either
// store, exactly one succeeds.
func TestUseOnceTwoStores(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "once.db")
	a := openFile(t, path)
	b := openFile(t, path)
	stores := []*sqlstore.Store{a, b}
	const ids, callers = 5, 100
	expires := time.Now().Add(time.Hour)
	for id := range ids {
		errs := make([]error, callers)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range callers {
			wg.Go(func() {
				<-start
				errs[i] = stores[i%2].UseOnce(ctx, "us-east-1_once", fmt.Sprintf("id-%d", id), expires)
			})
		}
		close(start)
		wg.Wait()
		winners := 0
		for i, err := range errs {
			switch {
			case err == nil:
				winners++
			case !errors.Is(err, store.ErrAlreadyExists):
				t.Errorf("id %d, caller %d (store %d): %v", id, i, i%2, err)
			}
		}
		if winners != 1 {
			t.Errorf("id %d: %d of %d uses from two stores succeeded, want 1", id, winners, callers)
		}
	}
	// What one store forgets the other may use again.
	if _, err := b.DeleteExpiredSessions(ctx, expires.Add(time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if err := a.UseOnce(ctx, "us-east-1_once", "id-0", expires); err != nil {
		t.Errorf("UseOnce after the other store forgot the id: %v", err)
	}
}

// TestUseOnceExpiredUntilForgotten pins down sqlstore's reading of the
// contract: UseOnce does not judge expiry by the real clock, which the
// service's (injected) clock need not follow; a recorded id is refused until
// DeleteExpiredSessions, given the service's time, forgets it.
func TestUseOnceExpiredUntilForgotten(t *testing.T) {
	ctx := t.Context()
	s := openFile(t, filepath.Join(t.TempDir(), "expired.db"))
	// A service whose clock says 2024: its value expires long before the
	// real present.
	serviceNow := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	must(t, s.UseOnce(ctx, "p", "challenge", serviceNow.Add(3*time.Minute)))
	if err := s.UseOnce(ctx, "p", "challenge", serviceNow.Add(4*time.Minute)); !errors.Is(err, store.ErrAlreadyExists) {
		t.Fatalf("replay within the value's life by the service's clock: %v, want ErrAlreadyExists", err)
	}
	// Forgetting by the service's clock: not yet expired, still refused.
	_, err := s.DeleteExpiredSessions(ctx, serviceNow.Add(3*time.Minute))
	must(t, err)
	if err := s.UseOnce(ctx, "p", "challenge", serviceNow.Add(4*time.Minute)); !errors.Is(err, store.ErrAlreadyExists) {
		t.Fatalf("replay after a purge that had nothing to forget: %v, want ErrAlreadyExists", err)
	}
	_, err = s.DeleteExpiredSessions(ctx, serviceNow.Add(3*time.Minute+time.Millisecond))
	must(t, err)
	must(t, s.UseOnce(ctx, "p", "challenge", serviceNow.Add(10*time.Minute)))
}

// TestDeleteExpiredSessionsInBatches purges more rows than one batch
// deletes, in both tables, and counts the sessions right.
func TestDeleteExpiredSessionsInBatches(t *testing.T) {
	ctx := t.Context()
	s := openFile(t, filepath.Join(t.TempDir(), "purge.db"))
	const expired, live = 2500, 7
	cutoff := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	// Straight into the tables, in one transaction: thousands of
	// CreateSession calls would only test group commit again.
	tx, err := s.W.BeginTx(ctx, nil)
	must(t, err)
	for i := range expired + live {
		exp := cutoff - 1 - int64(i)
		if i >= expired {
			exp = cutoff + int64(i-expired)
		}
		pool := fmt.Sprintf("us-east-1_p%d", i%3)
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (pool_id, id, sub, client_id, created_ms, expires_ms, revoked, doc) VALUES (?, ?, 's', 'c', 0, ?, 0, X'')`,
			pool, fmt.Sprintf("s%05d", i), exp); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO single_use (pool_id, id, expires_ms) VALUES (?, ?, ?)`, pool, fmt.Sprintf("u%05d", i), exp); err != nil {
			t.Fatal(err)
		}
	}
	must(t, tx.Commit())

	n, err := s.DeleteExpiredSessions(ctx, time.UnixMilli(cutoff))
	if err != nil || n != expired {
		t.Fatalf("DeleteExpiredSessions = %d, %v; want %d", n, err, expired)
	}
	for _, table := range []string{"sessions", "single_use"} {
		if got := count(t, s, "SELECT COUNT(*) FROM "+table); got != live {
			t.Errorf("%s: %d rows left, want the %d unexpired", table, got, live)
		}
		if got := count(t, s, "SELECT COUNT(*) FROM "+table+" WHERE expires_ms < ?", cutoff); got != 0 {
			t.Errorf("%s: %d expired rows left", table, got)
		}
	}
	if n, err := s.DeleteExpiredSessions(ctx, time.UnixMilli(cutoff)); err != nil || n != 0 {
		t.Errorf("DeleteExpiredSessions again = %d, %v; want 0", n, err)
	}
}

// TestSessionsUpgrade opens a database of the schema before sessions (steps
// 1–3) that holds a user: the sessions step is applied and works.
func TestSessionsUpgrade(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "before-sessions.db")
	old, err := sqlite.OpenWith(ctx, path, func(f *sqlstore.Flavor) { f.Migrations = f.Migrations[:3] })
	must(t, err)
	must(t, old.CreateUserPool(ctx, store.UserPool{ID: "us-east-1_old", Name: "old", Created: time.Now()}))
	must(t, old.CreateUser(ctx, store.User{PoolID: "us-east-1_old", Sub: "s", Username: "u", UsernameKey: "u", Created: time.Now(), Modified: time.Now()}))
	must(t, old.Close())

	s := openFile(t, path)
	sess := store.Session{PoolID: "us-east-1_old", ID: "sid", Sub: "s", ClientID: "c", Created: time.Now(), Expires: time.Now().Add(time.Hour)}
	must(t, s.CreateSession(ctx, sess))
	if got, err := s.GetSession(ctx, "us-east-1_old", "sid"); err != nil || got.Sub != "s" {
		t.Errorf("session in the upgraded database: %+v, %v", got, err)
	}
	must(t, s.UseOnce(ctx, "us-east-1_old", "v", time.Now().Add(time.Hour)))
}

package storetest

import (
	"errors"
	"testing"

	"github.com/cognitod/cognitod/internal/store"
)

// testPoolVersion: a pool's Version starts at 1 and grows with every update;
// CreateUser with a PoolVersion stores the user only while the pool still has
// that version.
func testPoolVersion(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	if err := s.CreateUserPool(ctx, store.UserPool{ID: "p", Name: "p", Created: t0, Doc: []byte(`{}`), Version: 99}); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetUserPool(ctx, "p")
	if err != nil || got.Version != 1 {
		t.Fatalf("new pool: version %d, %v", got.Version, err)
	}
	up, err := s.UpdateUserPool(ctx, "p", func(p store.UserPool) (store.UserPool, error) {
		p.Version = 42 // ignored
		return p, nil
	})
	if err != nil || up.Version != 2 {
		t.Fatalf("UpdateUserPool returned version %d, %v", up.Version, err)
	}
	if got, _ := s.GetUserPool(ctx, "p"); got.Version != 2 {
		t.Fatalf("after one update: version %d", got.Version)
	}
	pools, _, err := s.ListUserPools(ctx, store.Page{Limit: 10})
	if err != nil || len(pools) != 1 || pools[0].Version != 2 {
		t.Fatalf("ListUserPools: %+v, %v", pools, err)
	}

	stale := user("p", "stale")
	stale.PoolVersion = 1
	if err := s.CreateUser(ctx, stale); !errors.Is(err, store.ErrStalePool) {
		t.Fatalf("CreateUser with an old pool version: %v, want ErrStalePool", err)
	}
	if _, err := s.GetUserByKey(ctx, "p", stale.UsernameKey); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the refused user was stored: %v", err)
	}
	current := user("p", "current")
	current.PoolVersion = 2
	if err := s.CreateUser(ctx, current); err != nil {
		t.Fatalf("CreateUser with the current pool version: %v", err)
	}
	got2, err := s.GetUserByKey(ctx, "p", current.UsernameKey)
	if err != nil || got2.PoolVersion != 0 {
		t.Fatalf("stored user: PoolVersion %d, %v", got2.PoolVersion, err)
	}
	// Without a PoolVersion the version is not checked.
	if err := s.CreateUser(ctx, user("p", "unchecked")); err != nil {
		t.Fatal(err)
	}
	// A missing pool is still "pool" not found, whatever the version.
	gone := user("nopool", "x")
	gone.PoolVersion = 1
	var nf *store.NotFoundError
	if err := s.CreateUser(ctx, gone); !errors.As(err, &nf) || nf.What != "pool" {
		t.Fatalf("CreateUser in a missing pool: %v", err)
	}
}

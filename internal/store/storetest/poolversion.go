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
	if err != nil || got.Version <= 0 || got.Version == 99 {
		t.Fatalf("new pool: version %d, %v", got.Version, err)
	}
	v1 := got.Version
	up, err := s.UpdateUserPool(ctx, "p", func(p store.UserPool) (store.UserPool, error) {
		p.Version = 42 // ignored
		return p, nil
	})
	if err != nil || up.Version != v1+1 {
		t.Fatalf("UpdateUserPool returned version %d, %v (was %d)", up.Version, err, v1)
	}
	if got, _ := s.GetUserPool(ctx, "p"); got.Version != v1+1 {
		t.Fatalf("after one update: version %d", got.Version)
	}
	if v, err := s.UserPoolVersion(ctx, "p"); err != nil || v != v1+1 {
		t.Fatalf("UserPoolVersion: %d, %v", v, err)
	}
	// Made again under the same id, a pool starts from another version
	// (drawn at random: equal by chance once in 2^62).
	if err := s.CreateUserPool(ctx, store.UserPool{ID: "again", Name: "again", Created: t0, Doc: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	first, _ := s.UserPoolVersion(ctx, "again")
	if err := s.DeleteUserPool(ctx, "again"); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUserPool(ctx, store.UserPool{ID: "again", Name: "again", Created: t0, Doc: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if second, _ := s.UserPoolVersion(ctx, "again"); second == first {
		t.Fatalf("the pool made again has the old pool's version %d", first)
	}
	if _, err := s.UserPoolVersion(ctx, "nopool"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UserPoolVersion of a missing pool: %v", err)
	}
	pools, _, err := s.ListUserPools(ctx, store.Page{Limit: 10})
	if err != nil || len(pools) != 2 || pools[0].Version != v1+1 {
		t.Fatalf("ListUserPools: %+v, %v", pools, err)
	}

	stale := user("p", "stale")
	stale.PoolVersion = v1
	if err := s.CreateUser(ctx, stale); !errors.Is(err, store.ErrStalePool) {
		t.Fatalf("CreateUser with an old pool version: %v, want ErrStalePool", err)
	}
	if _, err := s.GetUserByKey(ctx, "p", stale.UsernameKey); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the refused user was stored: %v", err)
	}
	current := user("p", "current")
	current.PoolVersion = v1 + 1
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

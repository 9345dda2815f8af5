package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

func testUserPools(t *testing.T, open Opener) {
	t.Run("CreateGetList", func(t *testing.T) {
		s := open(t)
		want := store.UserPool{
			ID:      "us-east-1_AbC123xyz",
			Name:    "Pööl ✓ 池 with spaces",
			Created: time.Date(2024, 2, 29, 13, 14, 15, 123456789, time.FixedZone("X", 5*3600+1800)),
			Doc:     []byte(`{"Policies":{"PasswordPolicy":{"MinimumLength":8}}}`),
		}
		must(t, s.CreateUserPool(t.Context(), want))
		checkPool(t, "GetUserPool", getPool(t, s, want.ID), want)
		list := allPools(t, s)
		if len(list) != 1 {
			t.Fatalf("ListUserPools: %d pools, want 1", len(list))
		}
		checkPool(t, "ListUserPools", list[0], want)
	})

	t.Run("NamesAreNotUnique", func(t *testing.T) {
		// Cognito allows several pools with one name; only ids are keys.
		s := open(t)
		must(t, s.CreateUserPool(t.Context(), pool("us-east-1_one", "same")))
		must(t, s.CreateUserPool(t.Context(), pool("us-east-1_two", "same")))
		if n := len(allPools(t, s)); n != 2 {
			t.Errorf("%d pools, want 2", n)
		}
	})

	t.Run("IDsAreCaseSensitive", func(t *testing.T) {
		s := open(t)
		lower, upper := pool("us-east-1_abc", "lower"), pool("us-east-1_ABC", "upper")
		must(t, s.CreateUserPool(t.Context(), lower))
		must(t, s.CreateUserPool(t.Context(), upper))
		checkPool(t, "lower", getPool(t, s, lower.ID), lower)
		checkPool(t, "upper", getPool(t, s, upper.ID), upper)
		_, err := s.GetUserPool(t.Context(), "US-EAST-1_ABC")
		wantErr(t, "GetUserPool with other case", err, store.ErrNotFound)
	})

	t.Run("Update", func(t *testing.T) {
		s := open(t)
		orig := store.UserPool{ID: "us-east-1_upd", Name: "before", Created: time.Date(2023, 1, 2, 3, 4, 5, 678900000, time.UTC), Doc: []byte(`{"v":1}`)}
		other := pool("us-east-1_other", "other")
		must(t, s.CreateUserPool(t.Context(), orig))
		must(t, s.CreateUserPool(t.Context(), other))

		calls := 0
		got, err := s.UpdateUserPool(t.Context(), orig.ID, func(cur store.UserPool) (store.UserPool, error) {
			calls++
			checkPool(t, "fn argument", cur, orig)
			cur.Name = "after"
			cur.Doc = []byte(`{"v":2}`)
			// The store keeps the key and the creation time whatever fn does.
			cur.ID = "us-east-1_hijack"
			cur.Created = time.Unix(0, 0)
			return cur, nil
		})
		must(t, err)
		if calls == 0 {
			t.Error("fn was not called")
		}
		want := orig
		want.Name, want.Doc = "after", []byte(`{"v":2}`)
		checkPool(t, "UpdateUserPool result", got, want)
		checkPool(t, "GetUserPool after update", getPool(t, s, orig.ID), want)
		_, err = s.GetUserPool(t.Context(), "us-east-1_hijack")
		wantErr(t, "GetUserPool(id set by fn)", err, store.ErrNotFound)
		checkPool(t, "untouched pool", getPool(t, s, other.ID), other)

		// A second update sees the first one's result.
		_, err = s.UpdateUserPool(t.Context(), orig.ID, func(cur store.UserPool) (store.UserPool, error) {
			checkPool(t, "fn argument of second update", cur, want)
			return cur, nil
		})
		must(t, err)
		checkPool(t, "after no-op update", getPool(t, s, orig.ID), want)
	})

	t.Run("UpdateFnError", func(t *testing.T) {
		s := open(t)
		orig := pool("us-east-1_err", "name")
		must(t, s.CreateUserPool(t.Context(), orig))
		errBoom := errors.New("boom")
		for _, fnErr := range []error{errBoom, fmt.Errorf("wrapped: %w", errBoom), &customErr{"custom"}} {
			_, err := s.UpdateUserPool(t.Context(), orig.ID, func(cur store.UserPool) (store.UserPool, error) {
				cur.Name = "written?"
				cur.Doc = []byte("written?")
				return cur, fnErr
			})
			if !errors.Is(err, fnErr) {
				t.Errorf("UpdateUserPool: error %v, want fn's error %v", err, fnErr)
			}
			checkPool(t, "after failed update", getPool(t, s, orig.ID), orig)
		}
	})

	t.Run("Delete", func(t *testing.T) {
		s := open(t)
		a, b := pool("us-east-1_a", "a"), pool("us-east-1_b", "b")
		must(t, s.CreateUserPool(t.Context(), a))
		must(t, s.CreateUserPool(t.Context(), b))
		must(t, s.DeleteUserPool(t.Context(), a.ID))
		_, err := s.GetUserPool(t.Context(), a.ID)
		wantErr(t, "GetUserPool after delete", err, store.ErrNotFound)
		wantErr(t, "second DeleteUserPool", s.DeleteUserPool(t.Context(), a.ID), store.ErrNotFound)
		checkPool(t, "other pool", getPool(t, s, b.ID), b)
		if list := allPools(t, s); len(list) != 1 || list[0].ID != b.ID {
			t.Errorf("ListUserPools after delete: %d pools, want only %q", len(list), b.ID)
		}
		// The id can be used again.
		a2 := pool(a.ID, "a again")
		must(t, s.CreateUserPool(t.Context(), a2))
		checkPool(t, "recreated pool", getPool(t, s, a.ID), a2)
	})

	t.Run("DeleteRemovesClients", func(t *testing.T) {
		s := open(t)
		a, b := pool("us-east-1_a", "a"), pool("us-east-1_b", "b")
		must(t, s.CreateUserPool(t.Context(), a))
		must(t, s.CreateUserPool(t.Context(), b))
		for i := range 3 {
			must(t, s.CreateClient(t.Context(), client(a.ID, fmt.Sprintf("a-client-%d", i), "x")))
		}
		bc := client(b.ID, "b-client", "y")
		must(t, s.CreateClient(t.Context(), bc))

		must(t, s.DeleteUserPool(t.Context(), a.ID))
		for i := range 3 {
			id := fmt.Sprintf("a-client-%d", i)
			_, err := s.FindClient(t.Context(), id)
			wantErr(t, "FindClient of deleted pool's client", err, store.ErrNotFound)
			_, err = s.GetClient(t.Context(), a.ID, id)
			wantErr(t, "GetClient of deleted pool's client", err, store.ErrNotFound)
		}
		checkClient(t, "other pool's client", getClient(t, s, b.ID, bc.ClientID), bc)
		if n := count(t, s, b.ID); n != 1 {
			t.Errorf("CountClients(other pool) = %d, want 1", n)
		}

		// A new pool with the old id starts without clients, and the
		// deleted clients' ids are free again.
		must(t, s.CreateUserPool(t.Context(), a))
		if n := count(t, s, a.ID); n != 0 {
			t.Errorf("CountClients(recreated pool) = %d, want 0", n)
		}
		if list := allClients(t, s, a.ID); len(list) != 0 {
			t.Errorf("ListClients(recreated pool): %d clients, want 0", len(list))
		}
		must(t, s.CreateClient(t.Context(), client(b.ID, "a-client-0", "reused id")))
	})

	t.Run("DocIsCopied", func(t *testing.T) {
		// The store must not keep or hand out the caller's slices.
		s := open(t)
		in := pool("us-east-1_copy", "copy")
		in.Doc = []byte(`{"a":"original"}`)
		want := in
		want.Doc = append([]byte(nil), in.Doc...)
		must(t, s.CreateUserPool(t.Context(), in))
		copy(in.Doc, "XXXXXXXX")
		got := getPool(t, s, in.ID)
		checkPool(t, "after changing the created slice", got, want)
		copy(got.Doc, "YYYYYYYY")
		checkPool(t, "after changing a read slice", getPool(t, s, in.ID), want)

		upd, err := s.UpdateUserPool(t.Context(), in.ID, func(cur store.UserPool) (store.UserPool, error) {
			copy(cur.Doc, "ZZZZZZZZ") // fn may scribble on its argument
			cur.Doc = []byte(`{"a":"updated"}`)
			return cur, nil
		})
		must(t, err)
		want.Doc = []byte(`{"a":"updated"}`)
		copy(upd.Doc, "WWWWWWWW")
		checkPool(t, "after changing the update's result", getPool(t, s, in.ID), want)
	})
}

type customErr struct{ s string }

func (e *customErr) Error() string { return e.s }

func testClients(t *testing.T, open Opener) {
	t.Run("CreateGetFindListCount", func(t *testing.T) {
		s := open(t)
		p := pool("us-east-1_pool", "pool")
		must(t, s.CreateUserPool(t.Context(), p))
		if n := count(t, s, p.ID); n != 0 {
			t.Errorf("CountClients of a new pool = %d, want 0", n)
		}
		want := store.Client{
			PoolID:   p.ID,
			ClientID: "1example23456789abcdefghij",
			Name:     "App ✓ 客户端",
			Created:  time.Date(2024, 12, 31, 23, 59, 59, 999999999, time.FixedZone("Y", -7*3600)),
			Doc:      []byte(`{"ExplicitAuthFlows":["ALLOW_USER_SRP_AUTH"]}`),
		}
		must(t, s.CreateClient(t.Context(), want))
		checkClient(t, "GetClient", getClient(t, s, p.ID, want.ClientID), want)
		found, err := s.FindClient(t.Context(), want.ClientID)
		must(t, err)
		checkClient(t, "FindClient", found, want)
		list := allClients(t, s, p.ID)
		if len(list) != 1 {
			t.Fatalf("ListClients: %d clients, want 1", len(list))
		}
		checkClient(t, "ListClients", list[0], want)
		if n := count(t, s, p.ID); n != 1 {
			t.Errorf("CountClients = %d, want 1", n)
		}
		must(t, s.CreateClient(t.Context(), client(p.ID, "second", "second")))
		if n := count(t, s, p.ID); n != 2 {
			t.Errorf("CountClients = %d, want 2", n)
		}
	})

	t.Run("PoolsAreSeparate", func(t *testing.T) {
		s := open(t)
		a, b := pool("us-east-1_a", "a"), pool("us-east-1_b", "b")
		must(t, s.CreateUserPool(t.Context(), a))
		must(t, s.CreateUserPool(t.Context(), b))
		ca := []store.Client{client(a.ID, "a1", "same name"), client(a.ID, "a2", "same name")}
		cb := []store.Client{client(b.ID, "b1", "same name")}
		for _, c := range append(append([]store.Client(nil), ca...), cb...) {
			must(t, s.CreateClient(t.Context(), c))
		}
		for _, tc := range []struct {
			pool string
			want []store.Client
		}{{a.ID, ca}, {b.ID, cb}} {
			if n := count(t, s, tc.pool); n != len(tc.want) {
				t.Errorf("CountClients(%q) = %d, want %d", tc.pool, n, len(tc.want))
			}
			got := allClients(t, s, tc.pool)
			if len(got) != len(tc.want) {
				t.Errorf("ListClients(%q): %d clients, want %d", tc.pool, len(got), len(tc.want))
				continue
			}
			for i := range got {
				checkClient(t, "ListClients", got[i], tc.want[i])
			}
		}
		found, err := s.FindClient(t.Context(), "b1")
		must(t, err)
		checkClient(t, "FindClient", found, cb[0])
	})

	t.Run("Update", func(t *testing.T) {
		s := open(t)
		p := pool("us-east-1_pool", "pool")
		must(t, s.CreateUserPool(t.Context(), p))
		orig := store.Client{PoolID: p.ID, ClientID: "cl1", Name: "before", Created: time.Date(2022, 6, 7, 8, 9, 10, 111222333, time.UTC), Doc: []byte(`{"v":1}`)}
		other := client(p.ID, "cl2", "other")
		must(t, s.CreateClient(t.Context(), orig))
		must(t, s.CreateClient(t.Context(), other))

		calls := 0
		got, err := s.UpdateClient(t.Context(), p.ID, orig.ClientID, func(cur store.Client) (store.Client, error) {
			calls++
			checkClient(t, "fn argument", cur, orig)
			cur.Name = "after"
			cur.Doc = []byte(`{"v":2}`)
			cur.PoolID = "us-east-1_elsewhere"
			cur.ClientID = "hijack"
			cur.Created = time.Unix(0, 0)
			return cur, nil
		})
		must(t, err)
		if calls == 0 {
			t.Error("fn was not called")
		}
		want := orig
		want.Name, want.Doc = "after", []byte(`{"v":2}`)
		checkClient(t, "UpdateClient result", got, want)
		checkClient(t, "GetClient after update", getClient(t, s, p.ID, orig.ClientID), want)
		found, err := s.FindClient(t.Context(), orig.ClientID)
		must(t, err)
		checkClient(t, "FindClient after update", found, want)
		_, err = s.FindClient(t.Context(), "hijack")
		wantErr(t, "FindClient(id set by fn)", err, store.ErrNotFound)
		checkClient(t, "untouched client", getClient(t, s, p.ID, other.ClientID), other)
		if n := count(t, s, p.ID); n != 2 {
			t.Errorf("CountClients = %d, want 2", n)
		}

		_, err = s.UpdateClient(t.Context(), p.ID, orig.ClientID, func(cur store.Client) (store.Client, error) {
			checkClient(t, "fn argument of second update", cur, want)
			return cur, nil
		})
		must(t, err)
		checkClient(t, "after no-op update", getClient(t, s, p.ID, orig.ClientID), want)
	})

	t.Run("UpdateFnError", func(t *testing.T) {
		s := open(t)
		p := pool("us-east-1_pool", "pool")
		must(t, s.CreateUserPool(t.Context(), p))
		orig := client(p.ID, "cl", "name")
		must(t, s.CreateClient(t.Context(), orig))
		errBoom := errors.New("boom")
		for _, fnErr := range []error{errBoom, fmt.Errorf("wrapped: %w", errBoom), &customErr{"custom"}} {
			_, err := s.UpdateClient(t.Context(), p.ID, orig.ClientID, func(cur store.Client) (store.Client, error) {
				cur.Name = "written?"
				cur.Doc = []byte("written?")
				return cur, fnErr
			})
			if !errors.Is(err, fnErr) {
				t.Errorf("UpdateClient: error %v, want fn's error %v", err, fnErr)
			}
			checkClient(t, "after failed update", getClient(t, s, p.ID, orig.ClientID), orig)
		}
	})

	t.Run("Delete", func(t *testing.T) {
		s := open(t)
		p := pool("us-east-1_pool", "pool")
		must(t, s.CreateUserPool(t.Context(), p))
		a, b := client(p.ID, "ca", "a"), client(p.ID, "cb", "b")
		must(t, s.CreateClient(t.Context(), a))
		must(t, s.CreateClient(t.Context(), b))
		must(t, s.DeleteClient(t.Context(), p.ID, a.ClientID))
		_, err := s.GetClient(t.Context(), p.ID, a.ClientID)
		wantErr(t, "GetClient after delete", err, store.ErrNotFound)
		_, err = s.FindClient(t.Context(), a.ClientID)
		wantErr(t, "FindClient after delete", err, store.ErrNotFound)
		wantErr(t, "second DeleteClient", s.DeleteClient(t.Context(), p.ID, a.ClientID), store.ErrNotFound)
		if n := count(t, s, p.ID); n != 1 {
			t.Errorf("CountClients after delete = %d, want 1", n)
		}
		if list := allClients(t, s, p.ID); len(list) != 1 || list[0].ClientID != b.ClientID {
			t.Errorf("ListClients after delete: %d clients, want only %q", len(list), b.ClientID)
		}
		checkPool(t, "pool after DeleteClient", getPool(t, s, p.ID), p)
		a2 := client(p.ID, a.ClientID, "a again")
		must(t, s.CreateClient(t.Context(), a2))
		checkClient(t, "recreated client", getClient(t, s, p.ID, a.ClientID), a2)
	})

	t.Run("DocIsCopied", func(t *testing.T) {
		s := open(t)
		p := pool("us-east-1_pool", "pool")
		must(t, s.CreateUserPool(t.Context(), p))
		in := client(p.ID, "cl", "copy")
		in.Doc = []byte(`{"a":"original"}`)
		want := in
		want.Doc = append([]byte(nil), in.Doc...)
		must(t, s.CreateClient(t.Context(), in))
		copy(in.Doc, "XXXXXXXX")
		got := getClient(t, s, p.ID, in.ClientID)
		checkClient(t, "after changing the created slice", got, want)
		copy(got.Doc, "YYYYYYYY")
		found, err := s.FindClient(t.Context(), in.ClientID)
		must(t, err)
		checkClient(t, "after changing a read slice", found, want)
		copy(found.Doc, "VVVVVVVV")
		checkClient(t, "after changing a found slice", getClient(t, s, p.ID, in.ClientID), want)
	})
}

// testNotFound checks ErrNotFound for every method that names a record, with
// the record missing, its pool missing, or the record in another pool.
func testNotFound(t *testing.T, open Opener) {
	const (
		poolA   = "us-east-1_A"
		poolB   = "us-east-1_B"
		clientA = "client-of-a"
		nopool  = "us-east-1_missing"
		noclnt  = "missing-client"
	)
	updPool := func(t *testing.T) func(store.UserPool) (store.UserPool, error) {
		return func(p store.UserPool) (store.UserPool, error) {
			t.Error("fn called for a missing pool")
			return p, nil
		}
	}
	updClient := func(t *testing.T) func(store.Client) (store.Client, error) {
		return func(c store.Client) (store.Client, error) {
			t.Error("fn called for a missing client")
			return c, nil
		}
	}
	cases := []struct {
		name string
		call func(t *testing.T, s store.Store) error
	}{
		{"GetUserPool", func(t *testing.T, s store.Store) error {
			_, err := s.GetUserPool(t.Context(), nopool)
			return err
		}},
		{"GetUserPool/empty id", func(t *testing.T, s store.Store) error {
			_, err := s.GetUserPool(t.Context(), "")
			return err
		}},
		{"UpdateUserPool", func(t *testing.T, s store.Store) error {
			_, err := s.UpdateUserPool(t.Context(), nopool, updPool(t))
			return err
		}},
		{"DeleteUserPool", func(t *testing.T, s store.Store) error {
			return s.DeleteUserPool(t.Context(), nopool)
		}},
		{"CreateClient/missing pool", func(t *testing.T, s store.Store) error {
			return s.CreateClient(t.Context(), client(nopool, "new-client", "x"))
		}},
		{"GetClient/missing client", func(t *testing.T, s store.Store) error {
			_, err := s.GetClient(t.Context(), poolA, noclnt)
			return err
		}},
		{"GetClient/missing pool", func(t *testing.T, s store.Store) error {
			_, err := s.GetClient(t.Context(), nopool, clientA)
			return err
		}},
		{"GetClient/other pool", func(t *testing.T, s store.Store) error {
			_, err := s.GetClient(t.Context(), poolB, clientA)
			return err
		}},
		{"FindClient", func(t *testing.T, s store.Store) error {
			_, err := s.FindClient(t.Context(), noclnt)
			return err
		}},
		{"UpdateClient/missing client", func(t *testing.T, s store.Store) error {
			_, err := s.UpdateClient(t.Context(), poolA, noclnt, updClient(t))
			return err
		}},
		{"UpdateClient/missing pool", func(t *testing.T, s store.Store) error {
			_, err := s.UpdateClient(t.Context(), nopool, clientA, updClient(t))
			return err
		}},
		{"UpdateClient/other pool", func(t *testing.T, s store.Store) error {
			_, err := s.UpdateClient(t.Context(), poolB, clientA, updClient(t))
			return err
		}},
		{"DeleteClient/missing client", func(t *testing.T, s store.Store) error {
			return s.DeleteClient(t.Context(), poolA, noclnt)
		}},
		{"DeleteClient/missing pool", func(t *testing.T, s store.Store) error {
			return s.DeleteClient(t.Context(), nopool, clientA)
		}},
		{"DeleteClient/other pool", func(t *testing.T, s store.Store) error {
			return s.DeleteClient(t.Context(), poolB, clientA)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			a, b := pool(poolA, "a"), pool(poolB, "b")
			ca := client(poolA, clientA, "c")
			must(t, s.CreateUserPool(t.Context(), a))
			must(t, s.CreateUserPool(t.Context(), b))
			must(t, s.CreateClient(t.Context(), ca))

			wantErr(t, tc.name, tc.call(t, s), store.ErrNotFound)

			// Nothing changed.
			checkPool(t, "pool A", getPool(t, s, poolA), a)
			checkPool(t, "pool B", getPool(t, s, poolB), b)
			checkClient(t, "client of A", getClient(t, s, poolA, clientA), ca)
			if n := len(allPools(t, s)); n != 2 {
				t.Errorf("%d pools, want 2", n)
			}
			if n := count(t, s, poolA); n != 1 {
				t.Errorf("CountClients(A) = %d, want 1", n)
			}
			if n := count(t, s, poolB); n != 0 {
				t.Errorf("CountClients(B) = %d, want 0", n)
			}
			_, err := s.FindClient(t.Context(), "new-client")
			wantErr(t, "FindClient of the client created into a missing pool", err, store.ErrNotFound)
		})
	}
}

// testAlreadyExists checks that keys are unique: pool ids, and client ids
// across all pools. The failed create must leave the existing record alone.
func testAlreadyExists(t *testing.T, open Opener) {
	const (
		poolA   = "us-east-1_A"
		poolB   = "us-east-1_B"
		clientA = "client-of-a"
	)
	cases := []struct {
		name string
		call func(t *testing.T, s store.Store) error
	}{
		{"UserPool", func(t *testing.T, s store.Store) error {
			return s.CreateUserPool(t.Context(), store.UserPool{ID: poolA, Name: "other name", Created: t0.Add(time.Hour), Doc: []byte("other")})
		}},
		{"Client/same pool", func(t *testing.T, s store.Store) error {
			return s.CreateClient(t.Context(), store.Client{PoolID: poolA, ClientID: clientA, Name: "other name", Created: t0.Add(time.Hour), Doc: []byte("other")})
		}},
		{"Client/other pool", func(t *testing.T, s store.Store) error {
			return s.CreateClient(t.Context(), store.Client{PoolID: poolB, ClientID: clientA, Name: "other name", Created: t0.Add(time.Hour), Doc: []byte("other")})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			a, b := pool(poolA, "a"), pool(poolB, "b")
			ca := client(poolA, clientA, "c")
			must(t, s.CreateUserPool(t.Context(), a))
			must(t, s.CreateUserPool(t.Context(), b))
			must(t, s.CreateClient(t.Context(), ca))

			wantErr(t, tc.name, tc.call(t, s), store.ErrAlreadyExists)

			checkPool(t, "pool A", getPool(t, s, poolA), a)
			checkPool(t, "pool B", getPool(t, s, poolB), b)
			checkClient(t, "client", getClient(t, s, poolA, clientA), ca)
			found, err := s.FindClient(t.Context(), clientA)
			must(t, err)
			checkClient(t, "FindClient", found, ca)
			if n := len(allPools(t, s)); n != 2 {
				t.Errorf("%d pools, want 2", n)
			}
			if n := count(t, s, poolA); n != 1 {
				t.Errorf("CountClients(A) = %d, want 1", n)
			}
			if n := count(t, s, poolB); n != 0 {
				t.Errorf("CountClients(B) = %d, want 0", n)
			}
			// The store is still usable for other keys.
			must(t, s.CreateUserPool(t.Context(), pool("us-east-1_C", "c")))
			must(t, s.CreateClient(t.Context(), client(poolB, "client-of-b", "d")))
		})
	}
}

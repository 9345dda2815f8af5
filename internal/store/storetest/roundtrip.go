package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

// docCases are documents that must come back byte for byte. The store never
// interprets Doc, so it must not assume JSON, text or UTF-8. A nil and an
// empty Doc are the same (empty) document.
func docCases() []struct {
	name string
	doc  []byte
} {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	big := make([]byte, 256<<10)
	x := uint32(2463534242)
	for i := range big { // xorshift: incompressible, deterministic
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		big[i] = byte(x)
	}
	return []struct {
		name string
		doc  []byte
	}{
		{"nil", nil},
		{"empty", []byte{}},
		{"JSON", []byte(`{"a":[1,2,3],"b":"ü€𝄞","c":null}`)},
		{"invalid UTF-8", []byte{0xff, 0xfe, 0xc3, 0x28, 0x80, 0xed, 0xa0, 0x80}},
		{"NUL bytes", []byte("a\x00b\x00\x00")},
		{"only NUL", []byte{0}},
		{"every byte", all},
		{"trailing spaces", []byte("doc  \n\t ")},
		{"256 KiB", big},
	}
}

func testDocs(t *testing.T, open Opener) {
	for _, tc := range docCases() {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			ctx := t.Context()

			p := pool("us-east-1_doc", "doc")
			p.Doc = tc.doc
			must(t, s.CreateUserPool(ctx, p))
			checkPool(t, "GetUserPool", getPool(t, s, p.ID), p)
			if list := allPools(t, s); len(list) == 1 {
				checkPool(t, "ListUserPools", list[0], p)
			} else {
				t.Errorf("ListUserPools: %d pools, want 1", len(list))
			}

			c := client(p.ID, "doc-client", "doc")
			c.Doc = tc.doc
			must(t, s.CreateClient(ctx, c))
			checkClient(t, "GetClient", getClient(t, s, p.ID, c.ClientID), c)
			found, err := s.FindClient(ctx, c.ClientID)
			must(t, err)
			checkClient(t, "FindClient", found, c)
			if list := allClients(t, s, p.ID); len(list) == 1 {
				checkClient(t, "ListClients", list[0], c)
			} else {
				t.Errorf("ListClients: %d clients, want 1", len(list))
			}

			u := user(p.ID, "doc-user")
			u.Doc = tc.doc
			must(t, s.CreateUser(ctx, u))
			checkUser(t, "GetUserBySub", getUser(t, s, p.ID, u.Sub), u)
			g := group(p.ID, "doc-group")
			g.Doc = tc.doc
			must(t, s.CreateGroup(ctx, g))
			checkGroup(t, "GetGroup", getGroup(t, s, p.ID, g.Name), g)
			if list := allGroups(t, s, p.ID); len(list) == 1 {
				checkGroup(t, "ListGroups", list[0], g)
			}
			if list := allUsers(t, s, p.ID, store.UserQuery{}, 1); len(list) == 1 {
				checkUser(t, "ListUsers", list[0], u)
			}

			// Through Update: set a plain doc, then the case's doc again.
			for _, doc := range [][]byte{[]byte("plain"), tc.doc} {
				p.Doc = doc
				got, err := s.UpdateUserPool(ctx, p.ID, func(cur store.UserPool) (store.UserPool, error) {
					cur.Doc = doc
					return cur, nil
				})
				must(t, err)
				checkPool(t, "UpdateUserPool result", got, p)
				checkPool(t, "GetUserPool after update", getPool(t, s, p.ID), p)

				c.Doc = doc
				gotc, err := s.UpdateClient(ctx, p.ID, c.ClientID, func(cur store.Client) (store.Client, error) {
					cur.Doc = doc
					return cur, nil
				})
				must(t, err)
				checkClient(t, "UpdateClient result", gotc, c)
				checkClient(t, "GetClient after update", getClient(t, s, p.ID, c.ClientID), c)

				u.Doc = doc
				gotu, err := s.UpdateUser(ctx, p.ID, u.Sub, func(cur store.User) (store.User, error) {
					cur.Doc = doc
					return cur, nil
				})
				must(t, err)
				checkUser(t, "UpdateUser result", gotu, u)
				checkUser(t, "GetUserBySub after update", getUser(t, s, p.ID, u.Sub), u)

				g.Doc = doc
				gotg, err := s.UpdateGroup(ctx, p.ID, g.Name, func(cur store.Group) (store.Group, error) {
					cur.Doc = doc
					return cur, nil
				})
				must(t, err)
				checkGroup(t, "UpdateGroup result", gotg, g)
				checkGroup(t, "GetGroup after update", getGroup(t, s, p.ID, g.Name), g)
			}
		})
	}
}

// testCreated checks that creation times come back at millisecond precision
// (truncated, not rounded) and in UTC, whatever zone they were stored in, and
// that updates do not move them.
func testCreated(t *testing.T, open Opener) {
	cases := []struct {
		name string
		at   time.Time
	}{
		{"sub-millisecond in another zone", time.Date(2024, 2, 29, 23, 59, 59, 999999999, time.FixedZone("UTC+5:30", 5*3600+1800))},
		{"whole milliseconds", time.Date(2021, 7, 1, 0, 0, 0, 5000000, time.UTC)},
		{"just below a millisecond", time.Date(2021, 7, 1, 0, 0, 0, 999999, time.UTC)},
		{"local zone with monotonic clock", time.Now()},
		{"Unix epoch", time.Unix(0, 0)},
		{"far future", time.Date(2999, 12, 31, 23, 59, 59, 123000000, time.UTC)},
	}
	s := open(t)
	ctx := t.Context()
	must(t, s.CreateUserPool(ctx, pool("us-east-1_created", "created")))
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := pool(fmt.Sprintf("us-east-1_c%d", i), tc.name)
			p.Created = tc.at
			must(t, s.CreateUserPool(ctx, p))
			checkPool(t, "GetUserPool", getPool(t, s, p.ID), p)
			got, err := s.UpdateUserPool(ctx, p.ID, func(cur store.UserPool) (store.UserPool, error) {
				cur.Name = "updated"
				return cur, nil
			})
			must(t, err)
			checkCreated(t, "UpdateUserPool result", got.Created, tc.at)
			checkCreated(t, "GetUserPool after update", getPool(t, s, p.ID).Created, tc.at)

			c := client("us-east-1_created", fmt.Sprintf("created-%d", i), tc.name)
			c.Created = tc.at
			must(t, s.CreateClient(ctx, c))
			checkClient(t, "GetClient", getClient(t, s, c.PoolID, c.ClientID), c)
			found, err := s.FindClient(ctx, c.ClientID)
			must(t, err)
			checkClient(t, "FindClient", found, c)
			gotc, err := s.UpdateClient(ctx, c.PoolID, c.ClientID, func(cur store.Client) (store.Client, error) {
				cur.Name = "updated"
				return cur, nil
			})
			must(t, err)
			checkCreated(t, "UpdateClient result", gotc.Created, tc.at)
			checkCreated(t, "GetClient after update", getClient(t, s, c.PoolID, c.ClientID).Created, tc.at)
		})
	}
	t.Run("List", func(t *testing.T) {
		pools := allPools(t, s)
		if len(pools) != len(cases)+1 {
			t.Fatalf("%d pools, want %d", len(pools), len(cases)+1)
		}
		for i, tc := range cases {
			checkCreated(t, "ListUserPools "+tc.name, pools[i+1].Created, tc.at)
		}
		clients := allClients(t, s, "us-east-1_created")
		if len(clients) != len(cases) {
			t.Fatalf("%d clients, want %d", len(clients), len(cases))
		}
		for i, tc := range cases {
			checkCreated(t, "ListClients "+tc.name, clients[i].Created, tc.at)
		}
	})
}

func testReset(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	for i := range 3 {
		p := pool(fmt.Sprintf("us-east-1_r%d", i), "r")
		must(t, s.CreateUserPool(ctx, p))
		for j := range 2 {
			must(t, s.CreateClient(ctx, client(p.ID, fmt.Sprintf("r%d-c%d", i, j), "c")))
		}
	}
	must(t, s.Reset(ctx))

	if n := len(allPools(t, s)); n != 0 {
		t.Errorf("after Reset: %d pools, want 0", n)
	}
	for i := range 3 {
		id := fmt.Sprintf("us-east-1_r%d", i)
		_, err := s.GetUserPool(ctx, id)
		wantErr(t, "GetUserPool after Reset", err, store.ErrNotFound)
		for j := range 2 {
			_, err := s.FindClient(ctx, fmt.Sprintf("r%d-c%d", i, j))
			wantErr(t, "FindClient after Reset", err, store.ErrNotFound)
		}
	}

	// Usable afterwards, with the same keys.
	p := pool("us-east-1_r0", "after reset")
	must(t, s.CreateUserPool(ctx, p))
	c := client(p.ID, "r1-c1", "after reset")
	must(t, s.CreateClient(ctx, c))
	checkPool(t, "pool after Reset", getPool(t, s, p.ID), p)
	checkClient(t, "client after Reset", getClient(t, s, p.ID, c.ClientID), c)
	if n := count(t, s, p.ID); n != 1 {
		t.Errorf("CountClients after Reset = %d, want 1", n)
	}
	if list := allPools(t, s); len(list) != 1 {
		t.Errorf("ListUserPools after Reset: %d pools, want 1", len(list))
	}
	if _, err := s.UpdateUserPool(ctx, p.ID, func(cur store.UserPool) (store.UserPool, error) { return cur, nil }); err != nil {
		t.Errorf("UpdateUserPool after Reset: %v", err)
	}

	// Reset of an empty store, twice.
	must(t, s.Reset(ctx))
	must(t, s.Reset(ctx))
	if n := len(allPools(t, s)); n != 0 {
		t.Errorf("after second Reset: %d pools, want 0", n)
	}
}

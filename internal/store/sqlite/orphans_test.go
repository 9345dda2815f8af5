package sqlite_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/store/sqlstore"
)

// TestNoOrphanRows checks what the conformance suite cannot see through the
// interface: that the index rows (search values, aliases, memberships) are
// exactly those of the records that exist, that sessions and single-use
// values go with their user and pool, after updates and deletions of
// every kind, and that deleting everything or Reset leaves every table empty.
func TestNoOrphanRows(t *testing.T) {
	ctx := t.Context()
	s := openFile(t, filepath.Join(t.TempDir(), "orphans.db"))
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	pools := []string{"us-east-1_a", "us-east-1_b"}

	fill := func() {
		for _, p := range pools {
			must(t, s.CreateUserPool(ctx, store.UserPool{ID: p, Name: p, Created: t0}))
			must(t, s.CreateClient(ctx, store.Client{PoolID: p, ClientID: "client-" + p, Name: "c", Created: t0}))
			for g := range 3 {
				must(t, s.CreateGroup(ctx, store.Group{PoolID: p, Name: fmt.Sprintf("g%d", g), Created: t0}))
			}
			for i := range 10 {
				u := store.User{PoolID: p, Sub: fmt.Sprintf("sub-%d", i), Username: fmt.Sprintf("u%d", i), UsernameKey: fmt.Sprintf("u%d", i),
					Created: t0, Modified: t0, Search: map[string]string{"username": fmt.Sprintf("u%d", i), "sub": fmt.Sprintf("sub-%d", i)},
					Aliases: []store.Alias{{Kind: "email", Key: fmt.Sprintf("u%d@example.com", i)}}}
				for j := range i % 4 {
					u.Search[fmt.Sprintf("attr%d", j)] = fmt.Sprintf("v%d", i)
					u.Aliases = append(u.Aliases, store.Alias{Kind: fmt.Sprintf("kind%d", j), Key: fmt.Sprintf("k%d", i)})
				}
				must(t, s.CreateUser(ctx, u))
				for g := range i % 4 {
					must(t, s.AddUserToGroup(ctx, p, fmt.Sprintf("g%d", g), u.Sub))
				}
				for j := range i % 3 {
					must(t, s.CreateSession(ctx, store.Session{PoolID: p, ID: fmt.Sprintf("session-%d-%d", i, j), Sub: u.Sub, ClientID: "client-" + p,
						Created: t0, Expires: t0.Add(time.Hour)}))
				}
			}
			must(t, s.UseOnce(ctx, p, "challenge", t0.Add(time.Hour)))
			_, err := s.AppendMessage(ctx, store.Message{PoolID: p, Username: "u0", Created: t0})
			must(t, err)
		}
	}
	fill()
	checkIndexRows(t, s, pools)

	// Updates that add, change and drop index values.
	for i := range 10 {
		_, err := s.UpdateUser(ctx, pools[0], fmt.Sprintf("sub-%d", i), func(u store.User) (store.User, error) {
			switch i % 3 {
			case 0:
				u.Search, u.Aliases = nil, nil
			case 1:
				u.Search["attr0"] = "changed"
				u.Search["new"] = "x"
				delete(u.Search, "username")
				u.Aliases = append(u.Aliases[1:], store.Alias{Kind: "email", Key: fmt.Sprintf("changed%d@example.com", i)})
			case 2:
				u.Aliases = append(u.Aliases, store.Alias{Kind: "phone", Key: fmt.Sprint(i)})
			}
			return u, nil
		})
		must(t, err)
	}
	checkIndexRows(t, s, pools)

	for i := range 5 {
		must(t, s.DeleteUser(ctx, pools[0], fmt.Sprintf("sub-%d", i*2)))
	}
	must(t, s.DeleteGroup(ctx, pools[0], "g1"))
	must(t, s.RemoveUserFromGroup(ctx, pools[0], "g0", "sub-3"))
	checkIndexRows(t, s, pools)

	must(t, s.DeleteUserPool(ctx, pools[1]))
	checkIndexRows(t, s, pools[:1])

	// Deleting everything else one by one leaves only the pool.
	users, _, err := s.ListUsers(ctx, pools[0], store.UserQuery{}, store.Page{Limit: 100})
	must(t, err)
	for _, u := range users {
		must(t, s.DeleteUser(ctx, pools[0], u.Sub))
	}
	groups, _, err := s.ListGroups(ctx, pools[0], store.Page{Limit: 100})
	must(t, err)
	for _, g := range groups {
		must(t, s.DeleteGroup(ctx, pools[0], g.Name))
	}
	must(t, s.DeleteUserPool(ctx, pools[0]))
	checkEmpty(t, s)

	fill()
	must(t, s.Reset(ctx))
	checkEmpty(t, s)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func count(t *testing.T, s *sqlstore.Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.R.QueryRowContext(t.Context(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// checkIndexRows compares the index tables with the records of the pools.
func checkIndexRows(t *testing.T, s *sqlstore.Store, pools []string) {
	t.Helper()
	ctx := t.Context()
	var search, aliases, members int
	for _, p := range pools {
		users, _, err := s.ListUsers(ctx, p, store.UserQuery{}, store.Page{Limit: 1000})
		must(t, err)
		for _, u := range users {
			search += len(u.Search)
			aliases += len(u.Aliases)
		}
		groups, _, err := s.ListGroups(ctx, p, store.Page{Limit: 1000})
		must(t, err)
		for _, g := range groups {
			m, _, err := s.ListUsersInGroup(ctx, p, g.Name, store.Page{Limit: 1000})
			must(t, err)
			members += len(m)
		}
	}
	for _, c := range []struct {
		table string
		want  int
	}{{"user_search", search}, {"user_aliases", aliases}, {"group_members", members}} {
		if n := count(t, s, "SELECT COUNT(*) FROM "+c.table); n != c.want {
			t.Errorf("%s: %d rows, want %d", c.table, n, c.want)
		}
	}
	// Every index row points at a user of its own pool.
	for _, q := range []string{
		`SELECT COUNT(*) FROM user_search s LEFT JOIN users u ON u.seq = s.user_seq WHERE u.seq IS NULL OR u.pool_id <> s.pool_id`,
		`SELECT COUNT(*) FROM user_aliases a LEFT JOIN users u ON u.seq = a.user_seq WHERE u.seq IS NULL OR u.pool_id <> a.pool_id`,
		`SELECT COUNT(*) FROM group_members m LEFT JOIN users u ON u.seq = m.user_seq LEFT JOIN user_groups g ON g.seq = m.group_seq WHERE u.seq IS NULL OR g.seq IS NULL OR u.pool_id <> g.pool_id`,
		// Every session belongs to a user of its pool, every single-use
		// row to a pool that exists (the test uses none of other pools).
		`SELECT COUNT(*) FROM sessions x LEFT JOIN users u ON u.pool_id = x.pool_id AND u.sub = x.sub WHERE u.seq IS NULL`,
		`SELECT COUNT(*) FROM single_use x LEFT JOIN user_pools p ON p.id = x.pool_id WHERE p.seq IS NULL`,
	} {
		if n := count(t, s, q); n != 0 {
			t.Errorf("%d orphan rows: %s", n, q)
		}
	}
}

// checkEmpty checks that every table but the migration record is empty.
func checkEmpty(t *testing.T, s *sqlstore.Store) {
	t.Helper()
	rows, err := s.R.QueryContext(t.Context(), `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name <> 'schema_migrations'`)
	must(t, err)
	var tables []string
	for rows.Next() {
		var name string
		must(t, rows.Scan(&name))
		tables = append(tables, name)
	}
	must(t, rows.Err())
	rows.Close()
	if len(tables) < 10 {
		t.Errorf("only tables %q", tables)
	}
	for _, table := range tables {
		if n := count(t, s, "SELECT COUNT(*) FROM "+table); n != 0 {
			t.Errorf("table %s: %d rows left", table, n)
		}
	}
}

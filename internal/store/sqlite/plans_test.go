package sqlite_test

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/store/sqlstore"
)

// TestQueryPlans checks that no query of the store reads a whole table or
// sorts: each one searches an index (the lists of users by a search value,
// the prefix range included, start at the cursor in the index), so that
// their cost depends on the page, not on the pool's size.
func TestQueryPlans(t *testing.T) {
	s := openFile(t, filepath.Join(t.TempDir(), "plans.db"))
	allowed := regexp.MustCompile(`^SCAN \d+-ROW VALUES CLAUSE$|^SCAN CONSTANT ROW$`)
	for _, q := range sqlstore.Queries() {
		rows, err := s.R.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+q, make([]any, strings.Count(q, "?"))...)
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN ") && !allowed.MatchString(step) || strings.Contains(step, "TEMP B-TREE") {
				t.Errorf("%s\n\tplan: %s", q, strings.Join(plan, "; "))
				break
			}
		}
	}
}

// TestListUsersPlansWithData checks the plans of ListUsers' filtered queries
// on a pool with users and the statistics ANALYZE gathers, which the planner
// weighs where an empty database gives it nothing: the filters still search
// user_search's primary key from the filter's value (and the cursor), and
// fetch each user by its sequence number, so no step reads the pool.
func TestListUsersPlansWithData(t *testing.T) {
	s := openFile(t, filepath.Join(t.TempDir(), "plans.db"))
	ctx := t.Context()
	if err := s.CreateUserPool(ctx, store.UserPool{ID: benchPool, Name: "bench", Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	users := make([]store.User, 0, 2000)
	for i := range cap(users) {
		users = append(users, benchUser(benchPool, i))
	}
	if err := s.CreateUsers(ctx, benchPool, users); err != nil {
		t.Fatal(err)
	}
	if _, err := s.W.ExecContext(ctx, "ANALYZE"); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"s.value = ?": {
			"SEARCH s USING PRIMARY KEY (pool_id=? AND attr=? AND value=? AND user_seq>?)",
			"SEARCH u USING INTEGER PRIMARY KEY (rowid=?)",
		},
		"s.value < ?": {
			"SEARCH s USING PRIMARY KEY (pool_id=? AND attr=? AND (value,user_seq)>(?,?) AND value<?)",
			"SEARCH u USING INTEGER PRIMARY KEY (rowid=?)",
		},
		"(s.value, s.user_seq) > (?, ?) ORDER": { // a prefix without an end (empty)
			"SEARCH s USING PRIMARY KEY (pool_id=? AND attr=? AND (value,user_seq)>(?,?))",
			"SEARCH u USING INTEGER PRIMARY KEY (rowid=?)",
		},
	}
	found := 0
	for _, q := range sqlstore.Queries() {
		if !strings.Contains(q, "FROM user_search s JOIN users u") {
			continue
		}
		var plan []string
		for key, steps := range want {
			if strings.Contains(q, key) {
				plan = steps
			}
		}
		if plan == nil {
			t.Errorf("no expected plan for %s", q)
			continue
		}
		found++
		// Real arguments: the planner may look at them.
		args := []any{benchPool, "email", "user0001", int64(0), "user0002", int64(61)}
		if strings.Contains(q, "s.value = ?") {
			args = []any{benchPool, "email", "user000100@example.com", int64(0), int64(61)}
		} else if !strings.Contains(q, "s.value < ?") {
			args = []any{benchPool, "email", "", int64(0), int64(61)}
		}
		rows, err := s.R.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		var got []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			got = append(got, detail)
		}
		rows.Close()
		if !slices.Equal(got, plan) {
			t.Errorf("%s\n\tplan: %q\n\twant: %q", q, got, plan)
		}
	}
	if found != len(want) {
		t.Errorf("checked %d filtered queries, want %d", found, len(want))
	}
}

package sqlite_test

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

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

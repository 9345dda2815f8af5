package storetest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cognitod/cognitod/internal/store"
)

// searchValues are values of one attribute, one user each (in this order of
// creation, so that creation order and value order differ). They include
// what LIKE would get wrong (% _ \ and case), multi-byte characters,
// characters next to the edges of UTF-8's encodings (U+007F/U+0080,
// U+D7FF before the surrogates, U+FFFF, U+10FFFF the last code point), and a
// duplicate value.
var searchValues = []string{
	"abc", "ab", "abd", "a", "ab%", "ab_", "abX", "a%c", "a_c", "a%", "a_", "%", "_", "%abc",
	"é", "éa", "e", "ea", "f", "日本", "日本語", "日", "本",
	"\u007f", "\u007fz", "\u0080", "\u00ff", "\u0100",
	"\ud7ff", "\ud7ffx", "\ue000", "\uffff", "\U00010000",
	"\U0010ffff", "\U0010ffffa", "a\U0010ffff", "a\U0010ffffb", "b",
	"", "ABC", "abc", `a\c`, "a'c", "a[c]", "a*c", "a c", "ab\u0301",
}

var searchPrefixes = []string{
	"", "a", "ab", "abc", "ab%", "ab_", "a%", "a_", "%", "_", `a\`, "a[", "a*", "A", "AB",
	"é", "e", "日", "日本", "\u007f", "\u0080", "\ud7ff", "\uffff", "\U0010ffff", "a\U0010ffff",
	"zz", "ab\u0301", "\U00010000",
}

func testSearch(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	p, other := pool("us-east-1_search", "search"), pool("us-east-1_search2", "search2")
	must(t, s.CreateUserPool(ctx, p))
	must(t, s.CreateUserPool(ctx, other))

	// given_name takes each value once; family_name takes the values of
	// every third user, reversed, so that attributes are seen apart; a few
	// users have no given_name; the other pool has every value too.
	type rec struct {
		name  string
		value string
		seq   int
	}
	var given []rec
	family := map[string]string{}
	for i, v := range searchValues {
		name := fmt.Sprintf("u%02d", i)
		u := user(p.ID, name)
		u.Search["given_name"] = v
		if i%3 == 0 {
			fv := searchValues[len(searchValues)-1-i]
			u.Search["family_name"] = fv
			family[name] = fv
		}
		must(t, s.CreateUser(ctx, u))
		given = append(given, rec{name, v, i})
		o := user(other.ID, fmt.Sprintf("o%02d", i))
		o.Search["given_name"] = v
		must(t, s.CreateUser(ctx, o))
		if i%10 == 0 {
			must(t, s.CreateUser(ctx, user(p.ID, fmt.Sprintf("none%02d", i))))
		}
	}

	expect := func(op, value string) []string {
		var m []rec
		for _, r := range given {
			if op == store.OpEqual && r.value == value || op == store.OpPrefix && strings.HasPrefix(r.value, value) {
				m = append(m, r)
			}
		}
		// Value order (bytes), then creation order.
		slices.SortStableFunc(m, func(a, b rec) int { return cmp.Compare(a.value, b.value) })
		var names []string
		for _, r := range m {
			names = append(names, r.name)
		}
		return names
	}
	check := func(t *testing.T, op, value string) {
		t.Helper()
		want := expect(op, value)
		for _, limit := range []int{2, 100} {
			got := usernames(allUsers(t, s, p.ID, store.UserQuery{Attr: "given_name", Op: op, Value: value}, limit))
			if !slices.Equal(got, want) {
				t.Errorf("given_name %s %+q (limit %d): %q, want %q", op, value, limit, got, want)
			}
		}
	}

	t.Run("Equal", func(t *testing.T) {
		for _, v := range append(slices.Clone(searchValues), "zz", "AB", "a%%", "ab\u0300", "\U0010fffe") {
			check(t, store.OpEqual, v)
		}
	})
	t.Run("Prefix", func(t *testing.T) {
		for _, v := range searchPrefixes {
			check(t, store.OpPrefix, v)
		}
		// Every value is a prefix of itself.
		for _, v := range searchValues {
			check(t, store.OpPrefix, v)
		}
	})
	t.Run("AttributesAreSeparate", func(t *testing.T) {
		for _, v := range []string{"", "a", "é", "\U0010ffff"} {
			var want []string
			for name, fv := range family {
				if strings.HasPrefix(fv, v) {
					want = append(want, name)
				}
			}
			got := usersWhere(t, s, p.ID, "family_name", store.OpPrefix, v)
			if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))) {
				t.Errorf("family_name ^= %+q: %q, want %q", v, got, want)
			}
		}
		if got := usersWhere(t, s, p.ID, "middle_name", store.OpPrefix, ""); len(got) != 0 {
			t.Errorf("middle_name ^= \"\": %q, want none (nobody has it)", got)
		}
	})
	t.Run("NoValidUTF8", func(t *testing.T) {
		// No stored value can start with byte 0xFF (it never occurs in
		// UTF-8): no match, and no error.
		for _, v := range []string{"\xff", "a\xff", "\xf4\x90\x80\x80", "\xed\xa0\x80"} {
			for _, op := range []string{store.OpEqual, store.OpPrefix} {
				if got := usersWhere(t, s, p.ID, "given_name", op, v); len(got) != 0 {
					t.Errorf("given_name %s %+q: %q, want none", op, v, got)
				}
			}
		}
	})
	t.Run("OtherPool", func(t *testing.T) {
		got := usersWhere(t, s, other.ID, "given_name", store.OpPrefix, "")
		if len(got) != len(searchValues) {
			t.Errorf("other pool: %d users, want %d", len(got), len(searchValues))
		}
		for _, name := range got {
			if !strings.HasPrefix(name, "o") {
				t.Errorf("other pool lists %q", name)
			}
		}
	})
}

// testUserCursors checks that a filtered list's cursor works only with the
// query that made it.
func testUserCursors(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	p := pool("us-east-1_cur", "cur")
	must(t, s.CreateUserPool(ctx, p))
	for i := range 6 {
		u := user(p.ID, fmt.Sprintf("abc%d", i))
		u.Search["email"] = fmt.Sprintf("abc%d@example.com", i%2)
		must(t, s.CreateUser(ctx, u))
	}
	queries := []store.UserQuery{
		{},
		{Attr: "username", Op: store.OpPrefix, Value: "abc"},
		{Attr: "username", Op: store.OpPrefix, Value: "ab"},
		{Attr: "email", Op: store.OpPrefix, Value: "abc"},
		{Attr: "email", Op: store.OpEqual, Value: "abc0@example.com"},
		{Attr: "email", Op: store.OpEqual, Value: "abc1@example.com"},
	}
	cursors := make([]string, len(queries))
	for i, q := range queries {
		_, next, err := s.ListUsers(ctx, p.ID, q, store.Page{Limit: 1})
		must(t, err)
		if next == "" {
			t.Fatalf("%+v: no second page", q)
		}
		cursors[i] = next
	}
	for i, q := range queries {
		for j, c := range cursors {
			_, _, err := s.ListUsers(ctx, p.ID, q, store.Page{Cursor: c, Limit: 1})
			if i == j {
				must(t, err)
				continue
			}
			wantErr(t, fmt.Sprintf("ListUsers(%+v) with the cursor of %+v", q, queries[j]), err, store.ErrBadCursor)
		}
	}
}

package storetest

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

// user is a user named name in the pool: UsernameKey is the lower-cased
// name (a case-insensitive pool), Sub is derived from the name, and Search
// holds the values the service would index. No aliases.
func user(poolID, name string) store.User {
	key := strings.ToLower(name)
	return store.User{
		PoolID:      poolID,
		Sub:         subOf(name),
		Username:    name,
		UsernameKey: key,
		Status:      "CONFIRMED",
		Enabled:     true,
		Created:     t0,
		Modified:    t0.Add(time.Second),
		Doc:         []byte(`{"user":"` + name + `"}`),
		Search: map[string]string{
			"username":            key,
			"sub":                 subOf(name),
			"cognito:user_status": "CONFIRMED",
			"status":              "Enabled",
		},
	}
}

func alias(kind, key string) store.Alias { return store.Alias{Kind: kind, Key: key} }

// subOf is a stable stand-in for a UUID; the store does not check the form.
func subOf(name string) string { return "sub-" + strings.ToLower(name) }

func group(poolID, name string) store.Group {
	return store.Group{PoolID: poolID, Name: name, Created: t0, Modified: t0.Add(time.Minute), Doc: []byte(`{"group":"` + name + `"}`)}
}

// normAliases is how the store returns aliases: sorted by kind then key,
// without duplicates, nil when there are none.
func normAliases(a []store.Alias) []store.Alias {
	a = slices.Clone(a)
	slices.SortFunc(a, func(x, y store.Alias) int {
		if c := strings.Compare(x.Kind, y.Kind); c != 0 {
			return c
		}
		return strings.Compare(x.Key, y.Key)
	})
	a = slices.Compact(a)
	if len(a) == 0 {
		return nil
	}
	return a
}

// checkTime is checkCreated for any stored time.
func checkTime(t *testing.T, what, field string, got, stored time.Time) {
	t.Helper()
	want := wantCreated(stored)
	if !got.Equal(want) {
		t.Errorf("%s: %s %v, want %v", what, field, got.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
	}
	if got.Location() != time.UTC {
		t.Errorf("%s: %s in %v, want UTC", what, field, got.Location())
	}
}

// checkUser compares a user read back from the store with what was stored.
// Nil and empty Doc, Search and Aliases are the same; aliases come back
// sorted and without duplicates.
func checkUser(t *testing.T, what string, got, want store.User) {
	t.Helper()
	for _, f := range []struct{ name, got, want string }{
		{"PoolID", got.PoolID, want.PoolID},
		{"Sub", got.Sub, want.Sub},
		{"Username", got.Username, want.Username},
		{"UsernameKey", got.UsernameKey, want.UsernameKey},
		{"Status", got.Status, want.Status},
	} {
		if f.got != f.want {
			t.Errorf("%s: %s %q, want %q", what, f.name, f.got, f.want)
		}
	}
	if got.Enabled != want.Enabled {
		t.Errorf("%s: Enabled %v, want %v", what, got.Enabled, want.Enabled)
	}
	checkTime(t, what, "Created", got.Created, want.Created)
	checkTime(t, what, "Modified", got.Modified, want.Modified)
	if !bytes.Equal(got.Doc, want.Doc) {
		t.Errorf("%s: Doc %s, want %s", what, short(got.Doc), short(want.Doc))
	}
	if !maps.Equal(got.Search, want.Search) {
		t.Errorf("%s: Search %q, want %q", what, got.Search, want.Search)
	}
	if w := normAliases(want.Aliases); !slices.Equal(got.Aliases, w) {
		t.Errorf("%s: Aliases %q, want %q", what, got.Aliases, w)
	}
}

func checkGroup(t *testing.T, what string, got, want store.Group) {
	t.Helper()
	if got.PoolID != want.PoolID || got.Name != want.Name {
		t.Errorf("%s: group %q/%q, want %q/%q", what, got.PoolID, got.Name, want.PoolID, want.Name)
	}
	checkTime(t, what, "Created", got.Created, want.Created)
	checkTime(t, what, "Modified", got.Modified, want.Modified)
	if !bytes.Equal(got.Doc, want.Doc) {
		t.Errorf("%s: Doc %s, want %s", what, short(got.Doc), short(want.Doc))
	}
}

func getUser(t *testing.T, s store.Store, poolID, sub string) store.User {
	t.Helper()
	u, err := s.GetUserBySub(t.Context(), poolID, sub)
	if err != nil {
		t.Fatalf("GetUserBySub(%q, %q): %v", poolID, sub, err)
	}
	return u
}

func getGroup(t *testing.T, s store.Store, poolID, name string) store.Group {
	t.Helper()
	g, err := s.GetGroup(t.Context(), poolID, name)
	if err != nil {
		t.Fatalf("GetGroup(%q, %q): %v", poolID, name, err)
	}
	return g
}

func countUsers(t *testing.T, s store.Store, poolID string) int {
	t.Helper()
	n, err := s.CountUsers(t.Context(), poolID)
	if err != nil {
		t.Fatalf("CountUsers(%q): %v", poolID, err)
	}
	return n
}

// wantConflict checks that err is a *store.ConflictError for field that
// errors.Is ErrAlreadyExists.
func wantConflict(t *testing.T, what string, err error, field string) {
	t.Helper()
	var ce *store.ConflictError
	switch {
	case !errors.As(err, &ce):
		t.Errorf("%s: error %v, want a *store.ConflictError{Field: %q}", what, err, field)
	case ce.Field != field:
		t.Errorf("%s: conflict on %q, want %q", what, ce.Field, field)
	case !errors.Is(err, store.ErrAlreadyExists):
		t.Errorf("%s: errors.Is(%v, ErrAlreadyExists) is false", what, err)
	}
}

// wantNotFound checks that err is a *store.NotFoundError for what that
// errors.Is ErrNotFound.
func wantNotFound(t *testing.T, call string, err error, what string) {
	t.Helper()
	var nf *store.NotFoundError
	switch {
	case !errors.As(err, &nf):
		t.Errorf("%s: error %v, want a *store.NotFoundError{What: %q}", call, err, what)
	case nf.What != what:
		t.Errorf("%s: %q not found, want %q", call, nf.What, what)
	case !errors.Is(err, store.ErrNotFound):
		t.Errorf("%s: errors.Is(%v, ErrNotFound) is false", call, err)
	}
}

// usernames maps users to their usernames, for comparing lists.
func usernames(users []store.User) []string {
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = u.Username
	}
	return out
}

func groupNames(groups []store.Group) []string {
	out := make([]string, len(groups))
	for i, g := range groups {
		out[i] = g.Name
	}
	return out
}

// allUsers lists every user that q selects, page by page.
func allUsers(t *testing.T, s store.Store, poolID string, q store.UserQuery, limit int) []store.User {
	t.Helper()
	var out []store.User
	pages, err := walk(t.Context(), limit, func(ctx context.Context, p store.Page) (int, string, error) {
		page, next, err := s.ListUsers(ctx, poolID, q, p)
		out = append(out, page...)
		return len(page), next, err
	})
	if err != nil {
		t.Fatalf("ListUsers(%q, %+v): %v (after %d pages)", poolID, q, err, pages)
	}
	return out
}

func allGroups(t *testing.T, s store.Store, poolID string) []store.Group {
	t.Helper()
	var out []store.Group
	pages, err := walk(t.Context(), 4, func(ctx context.Context, p store.Page) (int, string, error) {
		page, next, err := s.ListGroups(ctx, poolID, p)
		out = append(out, page...)
		return len(page), next, err
	})
	if err != nil {
		t.Fatalf("ListGroups(%q): %v (after %d pages)", poolID, err, pages)
	}
	return out
}

func groupsOf(t *testing.T, s store.Store, poolID, sub string) []string {
	t.Helper()
	var out []store.Group
	pages, err := walk(t.Context(), 2, func(ctx context.Context, p store.Page) (int, string, error) {
		page, next, err := s.ListGroupsForUser(ctx, poolID, sub, p)
		out = append(out, page...)
		return len(page), next, err
	})
	if err != nil {
		t.Fatalf("ListGroupsForUser(%q, %q): %v (after %d pages)", poolID, sub, err, pages)
	}
	return groupNames(out)
}

func membersOf(t *testing.T, s store.Store, poolID, name string) []string {
	t.Helper()
	var out []store.User
	pages, err := walk(t.Context(), 2, func(ctx context.Context, p store.Page) (int, string, error) {
		page, next, err := s.ListUsersInGroup(ctx, poolID, name, p)
		out = append(out, page...)
		return len(page), next, err
	})
	if err != nil {
		t.Fatalf("ListUsersInGroup(%q, %q): %v (after %d pages)", poolID, name, err, pages)
	}
	return usernames(out)
}

// usersWhere is ListUsers with a filter, all pages, as usernames.
func usersWhere(t *testing.T, s store.Store, poolID, attr, op, value string) []string {
	t.Helper()
	return usernames(allUsers(t, s, poolID, store.UserQuery{Attr: attr, Op: op, Value: value}, 3))
}

func messages(t *testing.T, s store.Store, q store.MessageQuery) []store.Message {
	t.Helper()
	m, err := s.ListMessages(t.Context(), q)
	if err != nil {
		t.Fatalf("ListMessages(%+v): %v", q, err)
	}
	return m
}

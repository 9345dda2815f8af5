package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

func testGroups(t *testing.T, open Opener) {
	t.Run("CreateGetListCountUpdateDelete", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		p, q := pool("us-east-1_g", "g"), pool("us-east-1_h", "h")
		must(t, s.CreateUserPool(ctx, p))
		must(t, s.CreateUserPool(ctx, q))
		want := store.Group{
			PoolID:   p.ID,
			Name:     "Admins ✓ 管理者",
			Created:  time.Date(2024, 12, 31, 23, 59, 59, 999999999, time.FixedZone("Y", -7*3600)),
			Modified: time.Date(2025, 1, 1, 0, 0, 0, 1500000, time.UTC),
			Doc:      []byte(`{"Precedence":1}`),
		}
		must(t, s.CreateGroup(ctx, want))
		checkGroup(t, "GetGroup", getGroup(t, s, p.ID, want.Name), want)
		// Names are case-sensitive and per pool.
		lower := group(p.ID, "admins ✓ 管理者")
		elsewhere := group(q.ID, want.Name)
		must(t, s.CreateGroup(ctx, lower))
		must(t, s.CreateGroup(ctx, elsewhere))
		wantConflict(t, "CreateGroup with a taken name", s.CreateGroup(ctx, group(p.ID, want.Name)), "group")
		checkGroup(t, "group after refused create", getGroup(t, s, p.ID, want.Name), want)
		_, err := s.GetGroup(ctx, p.ID, "ADMINS ✓ 管理者")
		wantNotFound(t, "GetGroup with other case", err, "group")

		list := allGroups(t, s, p.ID)
		if got := groupNames(list); !slices.Equal(got, []string{want.Name, lower.Name}) {
			t.Fatalf("ListGroups: %q", got)
		}
		checkGroup(t, "ListGroups", list[0], want)
		for _, c := range []struct {
			pool string
			n    int
		}{{p.ID, 2}, {q.ID, 1}, {"us-east-1_none", 0}} {
			if n, err := s.CountGroups(ctx, c.pool); err != nil || n != c.n {
				t.Errorf("CountGroups(%q) = %d, %v; want %d", c.pool, n, err, c.n)
			}
		}

		later := t0.Add(72 * time.Hour)
		calls := 0
		got, err := s.UpdateGroup(ctx, p.ID, want.Name, func(cur store.Group) (store.Group, error) {
			calls++
			checkGroup(t, "fn argument", cur, want)
			cur.Doc, cur.Modified = []byte(`{"Precedence":2}`), later
			cur.PoolID, cur.Name, cur.Created = q.ID, "hijack", time.Unix(0, 0)
			return cur, nil
		})
		must(t, err)
		if calls == 0 {
			t.Error("fn was not called")
		}
		want.Doc, want.Modified = []byte(`{"Precedence":2}`), later
		checkGroup(t, "UpdateGroup result", got, want)
		checkGroup(t, "GetGroup after update", getGroup(t, s, p.ID, want.Name), want)
		checkGroup(t, "other pool's group", getGroup(t, s, q.ID, want.Name), elsewhere)
		_, err = s.GetGroup(ctx, p.ID, "hijack")
		wantNotFound(t, "GetGroup(name set by fn)", err, "group")

		errBoom := errors.New("boom")
		_, err = s.UpdateGroup(ctx, p.ID, want.Name, func(cur store.Group) (store.Group, error) {
			cur.Doc = []byte("written?")
			return cur, fmt.Errorf("wrapped: %w", errBoom)
		})
		if !errors.Is(err, errBoom) {
			t.Errorf("UpdateGroup: error %v, want fn's error", err)
		}
		checkGroup(t, "after failed update", getGroup(t, s, p.ID, want.Name), want)

		must(t, s.DeleteGroup(ctx, p.ID, want.Name))
		_, err = s.GetGroup(ctx, p.ID, want.Name)
		wantNotFound(t, "GetGroup after delete", err, "group")
		wantNotFound(t, "second DeleteGroup", s.DeleteGroup(ctx, p.ID, want.Name), "group")
		checkGroup(t, "other pool's group after delete", getGroup(t, s, q.ID, want.Name), elsewhere)
		if got := groupNames(allGroups(t, s, p.ID)); !slices.Equal(got, []string{lower.Name}) {
			t.Errorf("ListGroups after delete: %q", got)
		}
		again := group(p.ID, want.Name)
		must(t, s.CreateGroup(ctx, again))
		checkGroup(t, "recreated group", getGroup(t, s, p.ID, want.Name), again)
		// Recreated groups come last: creation order.
		if got := groupNames(allGroups(t, s, p.ID)); !slices.Equal(got, []string{lower.Name, want.Name}) {
			t.Errorf("ListGroups after recreating: %q", got)
		}
	})

	t.Run("Memberships", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		p := pool("us-east-1_m", "m")
		must(t, s.CreateUserPool(ctx, p))
		users := []string{"u0", "u1", "u2", "u3"}
		groups := []string{"g0", "g1", "g2"}
		for _, u := range users {
			must(t, s.CreateUser(ctx, user(p.ID, u)))
		}
		for _, g := range groups {
			must(t, s.CreateGroup(ctx, group(p.ID, g)))
		}
		// Added in reverse: lists are in creation order of what they list.
		for _, g := range []string{"g2", "g0"} {
			for _, u := range []string{"u3", "u1", "u0"} {
				must(t, s.AddUserToGroup(ctx, p.ID, g, subOf(u)))
				must(t, s.AddUserToGroup(ctx, p.ID, g, subOf(u))) // idempotent
			}
		}
		for u, want := range map[string][]string{"u0": {"g0", "g2"}, "u1": {"g0", "g2"}, "u2": nil, "u3": {"g0", "g2"}} {
			if got := groupsOf(t, s, p.ID, subOf(u)); !slices.Equal(got, want) {
				t.Errorf("ListGroupsForUser(%s): %q, want %q", u, got, want)
			}
		}
		for g, want := range map[string][]string{"g0": {"u0", "u1", "u3"}, "g1": nil, "g2": {"u0", "u1", "u3"}} {
			if got := membersOf(t, s, p.ID, g); !slices.Equal(got, want) {
				t.Errorf("ListUsersInGroup(%s): %q, want %q", g, got, want)
			}
		}
		members, _, err := s.ListUsersInGroup(ctx, p.ID, "g0", store.Page{Limit: 1})
		must(t, err)
		if len(members) == 1 {
			checkUser(t, "ListUsersInGroup", members[0], user(p.ID, "u0"))
		}
		gs, _, err := s.ListGroupsForUser(ctx, p.ID, subOf("u0"), store.Page{Limit: 1})
		must(t, err)
		if len(gs) == 1 {
			checkGroup(t, "ListGroupsForUser", gs[0], group(p.ID, "g0"))
		}

		must(t, s.RemoveUserFromGroup(ctx, p.ID, "g0", subOf("u1")))
		must(t, s.RemoveUserFromGroup(ctx, p.ID, "g0", subOf("u1"))) // idempotent
		must(t, s.RemoveUserFromGroup(ctx, p.ID, "g1", subOf("u2"))) // never a member
		if got := membersOf(t, s, p.ID, "g0"); !slices.Equal(got, []string{"u0", "u3"}) {
			t.Errorf("ListUsersInGroup(g0) after remove: %q", got)
		}
		if got := groupsOf(t, s, p.ID, subOf("u1")); !slices.Equal(got, []string{"g2"}) {
			t.Errorf("ListGroupsForUser(u1) after remove: %q", got)
		}

		// Deleting a group ends its memberships; a new group of that
		// name starts empty.
		must(t, s.DeleteGroup(ctx, p.ID, "g2"))
		for _, u := range users {
			if got := groupsOf(t, s, p.ID, subOf(u)); slices.Contains(got, "g2") {
				t.Errorf("ListGroupsForUser(%s) lists deleted group: %q", u, got)
			}
		}
		must(t, s.CreateGroup(ctx, group(p.ID, "g2")))
		if got := membersOf(t, s, p.ID, "g2"); len(got) != 0 {
			t.Errorf("recreated group has members %q", got)
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		p, q := pool("us-east-1_nf", "nf"), pool("us-east-1_nf2", "nf2")
		must(t, s.CreateUserPool(ctx, p))
		must(t, s.CreateUserPool(ctx, q))
		must(t, s.CreateUser(ctx, user(p.ID, "u")))
		must(t, s.CreateGroup(ctx, group(p.ID, "g")))
		must(t, s.AddUserToGroup(ctx, p.ID, "g", subOf("u")))
		noUser, noGroup := subOf("nobody"), "nogroup"
		for _, tc := range []struct {
			name string
			err  error
			what string
		}{
			{"CreateGroup/missing pool", s.CreateGroup(ctx, group("us-east-1_missing", "g")), "pool"},
			{"CreateUser/missing pool", s.CreateUser(ctx, user("us-east-1_missing", "u")), "pool"},
			{"DeleteGroup", s.DeleteGroup(ctx, p.ID, noGroup), "group"},
			{"DeleteGroup/other pool", s.DeleteGroup(ctx, q.ID, "g"), "group"},
			{"DeleteUser/other pool", s.DeleteUser(ctx, q.ID, subOf("u")), "user"},
			{"AddUserToGroup/missing user", s.AddUserToGroup(ctx, p.ID, "g", noUser), "user"},
			{"AddUserToGroup/missing group", s.AddUserToGroup(ctx, p.ID, noGroup, subOf("u")), "group"},
			{"AddUserToGroup/both missing", s.AddUserToGroup(ctx, p.ID, noGroup, noUser), "user"},
			{"AddUserToGroup/other pool", s.AddUserToGroup(ctx, q.ID, "g", subOf("u")), "user"},
			{"RemoveUserFromGroup/missing user", s.RemoveUserFromGroup(ctx, p.ID, "g", noUser), "user"},
			{"RemoveUserFromGroup/missing group", s.RemoveUserFromGroup(ctx, p.ID, noGroup, subOf("u")), "group"},
			{"GetGroup", func() error { _, err := s.GetGroup(ctx, p.ID, noGroup); return err }(), "group"},
			{"UpdateGroup", func() error {
				_, err := s.UpdateGroup(ctx, p.ID, noGroup, func(g store.Group) (store.Group, error) {
					t.Error("fn called for a missing group")
					return g, nil
				})
				return err
			}(), "group"},
			{"UpdateUser", func() error {
				_, err := s.UpdateUser(ctx, p.ID, noUser, func(u store.User) (store.User, error) {
					t.Error("fn called for a missing user")
					return u, nil
				})
				return err
			}(), "user"},
			{"ListGroupsForUser", func() error {
				_, _, err := s.ListGroupsForUser(ctx, p.ID, noUser, store.Page{Limit: 5})
				return err
			}(), "user"},
			{"ListGroupsForUser/other pool", func() error {
				_, _, err := s.ListGroupsForUser(ctx, q.ID, subOf("u"), store.Page{Limit: 5})
				return err
			}(), "user"},
			{"ListUsersInGroup", func() error {
				_, _, err := s.ListUsersInGroup(ctx, p.ID, noGroup, store.Page{Limit: 5})
				return err
			}(), "group"},
		} {
			wantNotFound(t, tc.name, tc.err, tc.what)
		}
		// Nothing changed.
		if got := membersOf(t, s, p.ID, "g"); !slices.Equal(got, []string{"u"}) {
			t.Errorf("members of g: %q", got)
		}
		if n := countUsers(t, s, p.ID) + countUsers(t, s, q.ID); n != 1 {
			t.Errorf("%d users, want 1", n)
		}
		if got := groupNames(allGroups(t, s, q.ID)); len(got) != 0 {
			t.Errorf("groups of the other pool: %q", got)
		}
		// An empty group and a user without groups are no error.
		must(t, s.CreateGroup(ctx, group(p.ID, "empty")))
		must(t, s.CreateUser(ctx, user(p.ID, "loner")))
		if got := membersOf(t, s, p.ID, "empty"); len(got) != 0 {
			t.Errorf("members of a new group: %q", got)
		}
		if got := groupsOf(t, s, p.ID, subOf("loner")); len(got) != 0 {
			t.Errorf("groups of a new user: %q", got)
		}
	})
}

func testMessages(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	a, b := "us-east-1_a", "us-east-1_b"
	in := []store.Message{
		{PoolID: a, Username: "alice", Sub: "sub-alice", Medium: "EMAIL", Destination: "alice@example.com", Kind: "SIGN_UP_CODE",
			Subject: "Your code ✓", Body: "Your code is 123456\nBye", Code: "123456", Created: time.Date(2024, 1, 2, 3, 4, 5, 6789012, time.FixedZone("Z", 3600))},
		{PoolID: b, Username: "alice", Sub: "sub-alice-b", Medium: "SMS", Destination: "+15550100", Kind: "MFA_CODE", Body: "654321", Code: "654321", Created: t0},
		{PoolID: a, Username: "bob", Sub: "sub-bob", Medium: "EMAIL", Destination: "bob@example.com", Kind: "INVITATION", Subject: "Welcome", Body: "user bob, password Xy1!", Created: t0},
		{PoolID: a, Username: "alice", Sub: "sub-alice", Medium: "EMAIL", Destination: "alice@example.com", Kind: "FORGOT_PASSWORD_CODE", Code: "111111", Created: t0},
		{PoolID: a, Username: "Alice", Kind: "VERIFY_ATTRIBUTE_CODE", Created: t0}, // another username (exact comparison)
	}
	var stored []store.Message
	var last int64
	for i, m := range in {
		m.Seq = 999 // ignored
		got, err := s.AppendMessage(ctx, m)
		must(t, err)
		if got.Seq <= last {
			t.Errorf("message %d: Seq %d after %d, want increasing", i, got.Seq, last)
		}
		last = got.Seq
		want := m
		want.Seq = got.Seq
		checkMessage(t, fmt.Sprintf("AppendMessage %d result", i), got, want)
		stored = append(stored, want)
	}
	pick := func(idx ...int) []store.Message {
		var out []store.Message
		for _, i := range idx {
			out = append(out, stored[i])
		}
		return out
	}
	for _, tc := range []struct {
		name string
		q    store.MessageQuery
		want []store.Message
	}{
		{"all", store.MessageQuery{}, stored},
		{"pool", store.MessageQuery{PoolID: a}, pick(0, 2, 3, 4)},
		{"username", store.MessageQuery{Username: "alice"}, pick(0, 1, 3)},
		{"pool and username", store.MessageQuery{PoolID: a, Username: "alice"}, pick(0, 3)},
		{"after", store.MessageQuery{AfterSeq: stored[1].Seq}, pick(2, 3, 4)},
		{"after the last", store.MessageQuery{AfterSeq: stored[4].Seq}, nil},
		{"after, pool", store.MessageQuery{PoolID: a, AfterSeq: stored[0].Seq}, pick(2, 3, 4)},
		{"limit", store.MessageQuery{Limit: 2}, pick(0, 1)},
		{"limit, after, pool", store.MessageQuery{PoolID: a, AfterSeq: stored[0].Seq, Limit: 1}, pick(2)},
		{"negative limit", store.MessageQuery{Limit: -1}, stored},
		{"negative after", store.MessageQuery{AfterSeq: -5}, stored},
		{"missing pool", store.MessageQuery{PoolID: "us-east-1_none"}, nil},
		{"missing username", store.MessageQuery{Username: "carol"}, nil},
	} {
		got := messages(t, s, tc.q)
		if len(got) != len(tc.want) {
			t.Errorf("%s: %d messages, want %d", tc.name, len(got), len(tc.want))
			continue
		}
		for i := range got {
			checkMessage(t, tc.name, got[i], tc.want[i])
		}
	}

	// Following: poll after the last seq seen.
	seen := stored[len(stored)-1].Seq
	if got := messages(t, s, store.MessageQuery{AfterSeq: seen}); len(got) != 0 {
		t.Errorf("nothing new: %d messages", len(got))
	}
	m, err := s.AppendMessage(ctx, store.Message{PoolID: a, Username: "dave", Kind: "SIGN_UP_CODE", Code: "1", Created: t0})
	must(t, err)
	if got := messages(t, s, store.MessageQuery{AfterSeq: seen}); len(got) != 1 || got[0].Seq != m.Seq {
		t.Errorf("follow: %+v, want the new message", got)
	}

	for _, bad := range []store.Message{{Body: "a\x00b"}, {Code: "\xff"}, {Username: "\xc3"}} {
		_, err := s.AppendMessage(ctx, bad)
		wantErr(t, fmt.Sprintf("AppendMessage(%+v)", bad), err, store.ErrInvalid)
	}
}

func checkMessage(t *testing.T, what string, got, want store.Message) {
	t.Helper()
	gotC, wantC := got.Created, want.Created
	got.Created, want.Created = time.Time{}, time.Time{}
	if got != want {
		t.Errorf("%s: %+v, want %+v", what, got, want)
	}
	checkTime(t, what, "Created", gotC, wantC)
}

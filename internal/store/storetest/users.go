package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

func testUsers(t *testing.T, open Opener) {
	t.Run("CreateGetFindListCount", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		p := pool("us-east-1_users", "users")
		must(t, s.CreateUserPool(ctx, p))
		if n := countUsers(t, s, p.ID); n != 0 {
			t.Errorf("CountUsers of a new pool = %d, want 0", n)
		}
		want := store.User{
			PoolID:      p.ID,
			Sub:         "2f1c5a9e-7b1d-4c51-9c3e-0d6f1b2a3c4d",
			Username:    "Jöhn.Dœ+✓@例え",
			UsernameKey: "jöhn.dœ+✓@例え",
			Status:      "FORCE_CHANGE_PASSWORD",
			Enabled:     false,
			Created:     time.Date(2024, 2, 29, 13, 14, 15, 123456789, time.FixedZone("X", 5*3600+1800)),
			Modified:    time.Date(2024, 3, 1, 1, 2, 3, 999999999, time.FixedZone("Y", -3600)),
			Doc:         []byte(`{"Attributes":[{"Name":"email","Value":"john@example.com"}]}`),
			Search: map[string]string{
				"username":    "jöhn.dœ+✓@例え",
				"email":       "john@example.com",
				"given_name":  "Jöhn",
				"family_name": "",
			},
			// Unsorted, with a duplicate: the store sorts and deduplicates.
			Aliases: []store.Alias{alias("preferred_username", "jd"), alias("email", "john@example.com"), alias("preferred_username", "jd")},
		}
		must(t, s.CreateUser(ctx, want))

		byKey, err := s.GetUserByKey(ctx, p.ID, want.UsernameKey)
		must(t, err)
		checkUser(t, "GetUserByKey", byKey, want)
		checkUser(t, "GetUserBySub", getUser(t, s, p.ID, want.Sub), want)
		for _, a := range want.Aliases {
			found, err := s.FindUserByAlias(ctx, p.ID, a.Kind, a.Key)
			must(t, err)
			checkUser(t, "FindUserByAlias "+a.Kind, found, want)
		}
		list := allUsers(t, s, p.ID, store.UserQuery{}, 10)
		if len(list) != 1 {
			t.Fatalf("ListUsers: %d users, want 1", len(list))
		}
		checkUser(t, "ListUsers", list[0], want)
		for attr, v := range want.Search {
			for _, op := range []string{store.OpEqual, store.OpPrefix} {
				got := allUsers(t, s, p.ID, store.UserQuery{Attr: attr, Op: op, Value: v}, 10)
				if len(got) != 1 {
					t.Errorf("ListUsers %s %s %q: %d users, want 1", attr, op, v, len(got))
					continue
				}
				checkUser(t, "ListUsers "+attr+" "+op, got[0], want)
			}
		}
		if n := countUsers(t, s, p.ID); n != 1 {
			t.Errorf("CountUsers = %d, want 1", n)
		}
		must(t, s.CreateUser(ctx, user(p.ID, "second")))
		if n := countUsers(t, s, p.ID); n != 2 {
			t.Errorf("CountUsers = %d, want 2", n)
		}

		// No index values at all.
		bare := store.User{PoolID: p.ID, Sub: "bare-sub", Username: "bare", UsernameKey: "bare", Created: t0, Modified: t0}
		must(t, s.CreateUser(ctx, bare))
		checkUser(t, "user without Doc, Search and Aliases", getUser(t, s, p.ID, bare.Sub), bare)
	})

	t.Run("KeysAreExact", func(t *testing.T) {
		// The store compares keys byte for byte; case folding is the
		// service's (it passes UsernameKey).
		s := open(t)
		ctx := t.Context()
		p := pool("us-east-1_exact", "exact")
		must(t, s.CreateUserPool(ctx, p))
		upper := user(p.ID, "Bob")
		upper.UsernameKey, upper.Sub = "Bob", "sub-upper"
		upper.Aliases = []store.Alias{alias("email", "Bob@example.com")}
		lower := user(p.ID, "bob")
		lower.Sub = "sub-lower"
		lower.Aliases = []store.Alias{alias("email", "bob@example.com")}
		must(t, s.CreateUser(ctx, upper))
		must(t, s.CreateUser(ctx, lower))
		for key, want := range map[string]store.User{"Bob": upper, "bob": lower} {
			got, err := s.GetUserByKey(ctx, p.ID, key)
			must(t, err)
			checkUser(t, "GetUserByKey("+key+")", got, want)
		}
		_, err := s.GetUserByKey(ctx, p.ID, "BOB")
		wantNotFound(t, "GetUserByKey(BOB)", err, "user")
		_, err = s.GetUserBySub(ctx, p.ID, "SUB-UPPER")
		wantNotFound(t, "GetUserBySub(SUB-UPPER)", err, "user")
		_, err = s.FindUserByAlias(ctx, p.ID, "email", "BOB@example.com")
		wantNotFound(t, "FindUserByAlias(BOB@…)", err, "user")
		_, err = s.FindUserByAlias(ctx, p.ID, "Email", "bob@example.com")
		wantNotFound(t, "FindUserByAlias(kind Email)", err, "user")
		if got := usersWhere(t, s, p.ID, "username", store.OpEqual, "Bob"); len(got) != 0 {
			t.Errorf("ListUsers username = Bob: %q, want none (Search holds the key, bob)", got)
		}
		if got := usersWhere(t, s, p.ID, "Username", store.OpPrefix, ""); len(got) != 0 {
			t.Errorf("ListUsers on attribute Username: %q, want none (attributes are exact too)", got)
		}
	})

	t.Run("PoolsAreSeparate", func(t *testing.T) {
		// Username, sub, aliases and search values are per pool.
		s := open(t)
		ctx := t.Context()
		a, b := pool("us-east-1_a", "a"), pool("us-east-1_b", "b")
		must(t, s.CreateUserPool(ctx, a))
		must(t, s.CreateUserPool(ctx, b))
		ua, ub := user(a.ID, "same"), user(b.ID, "same")
		ua.Aliases = []store.Alias{alias("email", "same@example.com")}
		ub.Aliases = ua.Aliases
		ub.Doc = []byte(`{"pool":"b"}`)
		must(t, s.CreateUser(ctx, ua))
		must(t, s.CreateUser(ctx, ub))
		must(t, s.CreateUser(ctx, user(a.ID, "only-a")))
		for _, tc := range []struct {
			pool string
			want store.User
			n    int
		}{{a.ID, ua, 2}, {b.ID, ub, 1}} {
			got, err := s.GetUserByKey(ctx, tc.pool, "same")
			must(t, err)
			checkUser(t, "GetUserByKey in "+tc.pool, got, tc.want)
			checkUser(t, "GetUserBySub in "+tc.pool, getUser(t, s, tc.pool, tc.want.Sub), tc.want)
			got, err = s.FindUserByAlias(ctx, tc.pool, "email", "same@example.com")
			must(t, err)
			checkUser(t, "FindUserByAlias in "+tc.pool, got, tc.want)
			if n := countUsers(t, s, tc.pool); n != tc.n {
				t.Errorf("CountUsers(%q) = %d, want %d", tc.pool, n, tc.n)
			}
			for _, q := range []store.UserQuery{{}, {Attr: "username", Op: store.OpEqual, Value: "same"}, {Attr: "username", Op: store.OpPrefix, Value: "s"}} {
				for _, u := range allUsers(t, s, tc.pool, q, 1) {
					if u.PoolID != tc.pool {
						t.Errorf("ListUsers(%q, %+v) lists a user of %q", tc.pool, q, u.PoolID)
					}
				}
			}
		}
		_, err := s.GetUserByKey(ctx, b.ID, "only-a")
		wantNotFound(t, "GetUserByKey of another pool's user", err, "user")
		_, err = s.GetUserBySub(ctx, b.ID, subOf("only-a"))
		wantNotFound(t, "GetUserBySub of another pool's user", err, "user")
	})

	t.Run("Update", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		p := pool("us-east-1_upd", "upd")
		must(t, s.CreateUserPool(ctx, p))
		orig := user(p.ID, "alice")
		orig.Search["email"] = "alice@old.example"
		orig.Aliases = []store.Alias{alias("email", "alice@old.example"), alias("preferred_username", "ally")}
		other := user(p.ID, "other")
		must(t, s.CreateUser(ctx, orig))
		must(t, s.CreateUser(ctx, other))

		later := t0.Add(48*time.Hour + 1234567*time.Nanosecond)
		calls := 0
		got, err := s.UpdateUser(ctx, p.ID, orig.Sub, func(cur store.User) (store.User, error) {
			calls++
			checkUser(t, "fn argument", cur, orig)
			cur.Status = "RESET_REQUIRED"
			cur.Enabled = false
			cur.Modified = later
			cur.Doc = []byte(`{"v":2}`)
			cur.Search["email"] = "alice@new.example"
			delete(cur.Search, "status")
			cur.Search["given_name"] = "Alice"
			cur.Aliases = []store.Alias{alias("phone_number", "+15550100"), alias("email", "alice@new.example")}
			// The store keeps the keys and the creation time.
			cur.PoolID, cur.Sub, cur.Username, cur.UsernameKey = "us-east-1_other", "hijack", "mallory", "mallory"
			cur.Created = time.Unix(0, 0)
			return cur, nil
		})
		must(t, err)
		if calls == 0 {
			t.Error("fn was not called")
		}
		want := orig
		want.Status, want.Enabled, want.Modified, want.Doc = "RESET_REQUIRED", false, later, []byte(`{"v":2}`)
		want.Search = map[string]string{"username": "alice", "sub": orig.Sub, "cognito:user_status": "CONFIRMED", "email": "alice@new.example", "given_name": "Alice"}
		want.Aliases = []store.Alias{alias("email", "alice@new.example"), alias("phone_number", "+15550100")}
		checkUser(t, "UpdateUser result", got, want)
		checkUser(t, "GetUserBySub after update", getUser(t, s, p.ID, orig.Sub), want)
		byKey, err := s.GetUserByKey(ctx, p.ID, "alice")
		must(t, err)
		checkUser(t, "GetUserByKey after update", byKey, want)
		_, err = s.GetUserByKey(ctx, p.ID, "mallory")
		wantNotFound(t, "GetUserByKey(username set by fn)", err, "user")
		_, err = s.GetUserBySub(ctx, p.ID, "hijack")
		wantNotFound(t, "GetUserBySub(sub set by fn)", err, "user")
		checkUser(t, "untouched user", getUser(t, s, p.ID, other.Sub), other)

		// The indexes follow: new values match, old ones do not.
		for _, tc := range []struct {
			attr, op, value string
			want            []string
		}{
			{"email", store.OpEqual, "alice@new.example", []string{"alice"}},
			{"email", store.OpEqual, "alice@old.example", nil},
			{"email", store.OpPrefix, "alice@", []string{"alice"}},
			{"given_name", store.OpEqual, "Alice", []string{"alice"}},
			{"status", store.OpEqual, "Enabled", []string{"other"}},
			{"username", store.OpPrefix, "", []string{"alice", "other"}},
		} {
			if got := usersWhere(t, s, p.ID, tc.attr, tc.op, tc.value); !slices.Equal(got, tc.want) {
				t.Errorf("ListUsers %s %s %q after update: %q, want %q", tc.attr, tc.op, tc.value, got, tc.want)
			}
		}
		for _, a := range want.Aliases {
			found, err := s.FindUserByAlias(ctx, p.ID, a.Kind, a.Key)
			must(t, err)
			checkUser(t, "FindUserByAlias(new "+a.Kind+")", found, want)
		}
		for _, a := range orig.Aliases {
			_, err := s.FindUserByAlias(ctx, p.ID, a.Kind, a.Key)
			wantNotFound(t, "FindUserByAlias(dropped "+a.Kind+")", err, "user")
		}
		// A dropped alias is free for another user.
		_, err = s.UpdateUser(ctx, p.ID, other.Sub, func(cur store.User) (store.User, error) {
			cur.Aliases = []store.Alias{alias("preferred_username", "ally")}
			return cur, nil
		})
		must(t, err)
		found, err := s.FindUserByAlias(ctx, p.ID, "preferred_username", "ally")
		must(t, err)
		if found.Sub != other.Sub {
			t.Errorf("FindUserByAlias(ally) = %q, want %q", found.Username, other.Username)
		}

		// A second update sees the first one's result; keeping an alias
		// is not a conflict with oneself.
		_, err = s.UpdateUser(ctx, p.ID, orig.Sub, func(cur store.User) (store.User, error) {
			checkUser(t, "fn argument of second update", cur, want)
			return cur, nil
		})
		must(t, err)
		checkUser(t, "after no-op update", getUser(t, s, p.ID, orig.Sub), want)

		// Dropping every index value.
		_, err = s.UpdateUser(ctx, p.ID, orig.Sub, func(cur store.User) (store.User, error) {
			cur.Search, cur.Aliases = nil, nil
			return cur, nil
		})
		must(t, err)
		want.Search, want.Aliases = nil, nil
		checkUser(t, "after dropping the index values", getUser(t, s, p.ID, orig.Sub), want)
		if got := usersWhere(t, s, p.ID, "username", store.OpPrefix, ""); !slices.Equal(got, []string{"other"}) {
			t.Errorf("ListUsers username ^= \"\": %q, want only other", got)
		}
		if got := usernames(allUsers(t, s, p.ID, store.UserQuery{}, 5)); !slices.Equal(got, []string{"alice", "other"}) {
			t.Errorf("ListUsers: %q, want both users", got)
		}
	})

	t.Run("UpdateFnError", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		p := pool("us-east-1_err", "err")
		must(t, s.CreateUserPool(ctx, p))
		orig := user(p.ID, "u")
		orig.Aliases = []store.Alias{alias("email", "u@example.com")}
		must(t, s.CreateUser(ctx, orig))
		errBoom := errors.New("boom")
		for _, fnErr := range []error{errBoom, fmt.Errorf("wrapped: %w", errBoom), &customErr{"custom"}} {
			_, err := s.UpdateUser(ctx, p.ID, orig.Sub, func(cur store.User) (store.User, error) {
				cur.Doc = []byte("written?")
				cur.Search["email"] = "written@example.com"
				cur.Aliases = []store.Alias{alias("email", "written@example.com")}
				return cur, fnErr
			})
			if !errors.Is(err, fnErr) {
				t.Errorf("UpdateUser: error %v, want fn's error %v", err, fnErr)
			}
			checkUser(t, "after failed update", getUser(t, s, p.ID, orig.Sub), orig)
		}
		if got := usersWhere(t, s, p.ID, "email", store.OpPrefix, ""); len(got) != 0 {
			t.Errorf("ListUsers email: %q after failed updates, want none", got)
		}
		_, err := s.FindUserByAlias(ctx, p.ID, "email", "written@example.com")
		wantNotFound(t, "alias of a failed update", err, "user")
	})

	t.Run("UpdateFnPanic", func(t *testing.T) {
		// A panic in fn reaches the caller, changes nothing, and leaves
		// the store usable (no transaction left open).
		s := open(t)
		ctx := t.Context()
		p := pool("us-east-1_panic", "panic")
		must(t, s.CreateUserPool(ctx, p))
		orig := user(p.ID, "u")
		must(t, s.CreateUser(ctx, orig))
		for _, update := range []func(){
			func() {
				s.UpdateUser(ctx, p.ID, orig.Sub, func(cur store.User) (store.User, error) {
					cur.Doc = []byte("written?")
					panic("fn panics")
				})
			},
			func() {
				s.UpdateUserPool(ctx, p.ID, func(cur store.UserPool) (store.UserPool, error) {
					cur.Name = "written?"
					panic("fn panics")
				})
			},
		} {
			func() {
				defer func() {
					if v := recover(); v != "fn panics" {
						t.Errorf("recovered %v, want fn's panic", v)
					}
				}()
				update()
			}()
		}
		checkUser(t, "user after the panic", getUser(t, s, p.ID, orig.Sub), orig)
		checkPool(t, "pool after the panic", getPool(t, s, p.ID), p)
		done := make(chan error, 1)
		go func() { done <- s.CreateUser(ctx, user(p.ID, "after")) }()
		select {
		case err := <-done:
			must(t, err)
		case <-time.After(10 * time.Second):
			t.Fatal("CreateUser after a panicking update does not return: a transaction was left open")
		}
	})

	t.Run("UpdateAliasCollision", func(t *testing.T) {
		// An update whose new alias another user has fails as a whole.
		s := open(t)
		ctx := t.Context()
		p := pool("us-east-1_coll", "coll")
		must(t, s.CreateUserPool(ctx, p))
		owner := user(p.ID, "owner")
		owner.Aliases = []store.Alias{alias("email", "taken@example.com"), alias("phone_number", "+15550199")}
		b := user(p.ID, "b")
		b.Search["email"] = "b@example.com"
		b.Aliases = []store.Alias{alias("email", "b@example.com"), alias("preferred_username", "bee")}
		must(t, s.CreateUser(ctx, owner))
		must(t, s.CreateUser(ctx, b))
		for _, taken := range owner.Aliases {
			_, err := s.UpdateUser(ctx, p.ID, b.Sub, func(cur store.User) (store.User, error) {
				cur.Status = "CHANGED"
				cur.Doc = []byte(`{"changed":true}`)
				cur.Search["email"] = "new@example.com"
				cur.Search["given_name"] = "New"
				// A free new alias, the taken one, and no more "bee".
				cur.Aliases = []store.Alias{alias("preferred_username", "free"), taken}
				return cur, nil
			})
			wantConflict(t, "UpdateUser with "+taken.Kind+" of another user", err, "alias:"+taken.Kind)
			checkUser(t, "user after failed update", getUser(t, s, p.ID, b.Sub), b)
			checkUser(t, "owner after failed update", getUser(t, s, p.ID, owner.Sub), owner)
			found, err := s.FindUserByAlias(ctx, p.ID, taken.Kind, taken.Key)
			must(t, err)
			checkUser(t, "owner of the taken alias", found, owner)
			found, err = s.FindUserByAlias(ctx, p.ID, "preferred_username", "bee")
			must(t, err)
			checkUser(t, "kept alias", found, b)
			_, err = s.FindUserByAlias(ctx, p.ID, "preferred_username", "free")
			wantNotFound(t, "alias of the failed update", err, "user")
			if got := usersWhere(t, s, p.ID, "email", store.OpEqual, "b@example.com"); !slices.Equal(got, []string{"b"}) {
				t.Errorf("ListUsers by the old email: %q, want b", got)
			}
			for _, q := range [][2]string{{"email", "new@example.com"}, {"given_name", "New"}} {
				if got := usersWhere(t, s, p.ID, q[0], store.OpEqual, q[1]); len(got) != 0 {
					t.Errorf("ListUsers %s = %s: %q after the failed update, want none", q[0], q[1], got)
				}
			}
		}
	})

	t.Run("Delete", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		p := pool("us-east-1_del", "del")
		must(t, s.CreateUserPool(ctx, p))
		doomed := user(p.ID, "doomed")
		doomed.Search["email"] = "doomed@example.com"
		doomed.Aliases = []store.Alias{alias("email", "doomed@example.com")}
		keep := user(p.ID, "keep")
		must(t, s.CreateUser(ctx, doomed))
		must(t, s.CreateUser(ctx, keep))
		must(t, s.CreateGroup(ctx, group(p.ID, "g1")))
		must(t, s.CreateGroup(ctx, group(p.ID, "g2")))
		for _, g := range []string{"g1", "g2"} {
			must(t, s.AddUserToGroup(ctx, p.ID, g, doomed.Sub))
			must(t, s.AddUserToGroup(ctx, p.ID, g, keep.Sub))
		}

		must(t, s.DeleteUser(ctx, p.ID, doomed.Sub))
		_, err := s.GetUserBySub(ctx, p.ID, doomed.Sub)
		wantNotFound(t, "GetUserBySub after delete", err, "user")
		_, err = s.GetUserByKey(ctx, p.ID, doomed.UsernameKey)
		wantNotFound(t, "GetUserByKey after delete", err, "user")
		_, err = s.FindUserByAlias(ctx, p.ID, "email", "doomed@example.com")
		wantNotFound(t, "FindUserByAlias after delete", err, "user")
		wantNotFound(t, "second DeleteUser", s.DeleteUser(ctx, p.ID, doomed.Sub), "user")
		if n := countUsers(t, s, p.ID); n != 1 {
			t.Errorf("CountUsers after delete = %d, want 1", n)
		}
		for _, q := range []store.UserQuery{{}, {Attr: "email", Op: store.OpEqual, Value: "doomed@example.com"}, {Attr: "username", Op: store.OpPrefix, Value: ""}} {
			if got := usernames(allUsers(t, s, p.ID, q, 2)); slices.Contains(got, "doomed") {
				t.Errorf("ListUsers(%+v) after delete: %q", q, got)
			}
		}
		for _, g := range []string{"g1", "g2"} {
			if got := membersOf(t, s, p.ID, g); !slices.Equal(got, []string{"keep"}) {
				t.Errorf("ListUsersInGroup(%s) after delete: %q, want only keep", g, got)
			}
		}
		_, _, err = s.ListGroupsForUser(ctx, p.ID, doomed.Sub, store.Page{Limit: 10})
		wantNotFound(t, "ListGroupsForUser of a deleted user", err, "user")
		checkUser(t, "other user", getUser(t, s, p.ID, keep.Sub), keep)
		if got := groupsOf(t, s, p.ID, keep.Sub); !slices.Equal(got, []string{"g1", "g2"}) {
			t.Errorf("ListGroupsForUser(keep): %q", got)
		}

		// Username, sub and aliases are free again, and the new user
		// starts without groups.
		again := doomed
		again.Doc = []byte(`{"again":true}`)
		must(t, s.CreateUser(ctx, again))
		checkUser(t, "recreated user", getUser(t, s, p.ID, doomed.Sub), again)
		if got := groupsOf(t, s, p.ID, doomed.Sub); len(got) != 0 {
			t.Errorf("recreated user is in groups %q", got)
		}
		if got := membersOf(t, s, p.ID, "g1"); !slices.Equal(got, []string{"keep"}) {
			t.Errorf("ListUsersInGroup(g1) after recreating: %q, want only keep", got)
		}
	})

	t.Run("DocIsCopied", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		p := pool("us-east-1_copy", "copy")
		must(t, s.CreateUserPool(ctx, p))
		in := user(p.ID, "copy")
		in.Aliases = []store.Alias{alias("email", "copy@example.com")}
		want := in
		want.Doc = slices.Clone(in.Doc)
		want.Search = map[string]string{}
		for k, v := range in.Search {
			want.Search[k] = v
		}
		want.Aliases = slices.Clone(in.Aliases)
		must(t, s.CreateUser(ctx, in))
		copy(in.Doc, "XXXXXXXX")
		in.Search["username"] = "changed"
		in.Aliases[0].Key = "changed"
		got := getUser(t, s, p.ID, in.Sub)
		checkUser(t, "after changing the created user", got, want)
		copy(got.Doc, "YYYYYYYY")
		got.Search["username"] = "changed again"
		got.Aliases[0].Key = "changed again"
		checkUser(t, "after changing a read user", getUser(t, s, p.ID, in.Sub), want)
		upd, err := s.UpdateUser(ctx, p.ID, in.Sub, func(cur store.User) (store.User, error) {
			copy(cur.Doc, "ZZZZZZZZ") // fn may scribble on its argument
			cur.Search["username"] = "scribbled"
			cur.Aliases[0].Key = "scribbled"
			cur.Doc = slices.Clone(want.Doc)
			cur.Search = map[string]string{"username": "copy"}
			cur.Aliases = slices.Clone(want.Aliases)
			return cur, nil
		})
		must(t, err)
		want.Search = map[string]string{"username": "copy"}
		copy(upd.Doc, "WWWWWWWW")
		checkUser(t, "after changing the update's result", getUser(t, s, p.ID, in.Sub), want)
		if got := usersWhere(t, s, p.ID, "username", store.OpEqual, "scribbled"); len(got) != 0 {
			t.Errorf("the scribbled search value is indexed: %q", got)
		}
	})

	t.Run("Invalid", func(t *testing.T) {
		// Text that PostgreSQL cannot store is refused by every backend,
		// and lookups with it find nothing.
		s := open(t)
		ctx := t.Context()
		p := pool("us-east-1_inv", "inv")
		must(t, s.CreateUserPool(ctx, p))
		good := user(p.ID, "good")
		must(t, s.CreateUser(ctx, good))
		bad := []struct {
			name   string
			change func(u *store.User)
			// inUpdate: UpdateUser refuses it too (it ignores changes to
			// the keys).
			inUpdate bool
		}{
			{"empty sub", func(u *store.User) { u.Sub = "" }, false},
			{"empty username", func(u *store.User) { u.Username = "" }, false},
			{"empty username key", func(u *store.User) { u.UsernameKey = "" }, false},
			{"NUL in username key", func(u *store.User) { u.UsernameKey = "a\x00b" }, false},
			{"invalid UTF-8 sub", func(u *store.User) { u.Sub = "\xff" }, false},
			{"invalid UTF-8 search value", func(u *store.User) { u.Search["email"] = "a\xffb" }, true},
			{"NUL in search value", func(u *store.User) { u.Search["email"] = "a\x00" }, true},
			{"empty search attribute", func(u *store.User) { u.Search[""] = "x" }, true},
			{"invalid UTF-8 alias", func(u *store.User) { u.Aliases = []store.Alias{alias("email", "\xc3(")} }, true},
			{"empty alias kind", func(u *store.User) { u.Aliases = []store.Alias{alias("", "x")} }, true},
			{"empty alias key", func(u *store.User) { u.Aliases = []store.Alias{alias("email", "")} }, true},
			{"NUL in status", func(u *store.User) { u.Status = "\x00" }, true},
		}
		for i, tc := range bad {
			u := user(p.ID, fmt.Sprintf("bad%d", i))
			tc.change(&u)
			wantErr(t, "CreateUser with "+tc.name, s.CreateUser(ctx, u), store.ErrInvalid)
			if !tc.inUpdate {
				continue
			}
			_, err := s.UpdateUser(ctx, p.ID, good.Sub, func(cur store.User) (store.User, error) {
				tc.change(&cur)
				return cur, nil
			})
			wantErr(t, "UpdateUser with "+tc.name, err, store.ErrInvalid)
		}
		checkUser(t, "user after refused updates", getUser(t, s, p.ID, good.Sub), good)
		if n := countUsers(t, s, p.ID); n != 1 {
			t.Errorf("CountUsers = %d after refused creates, want 1", n)
		}
		for _, key := range []string{"\xff", "good\x00", "\xc3"} {
			_, err := s.GetUserByKey(ctx, p.ID, key)
			wantNotFound(t, fmt.Sprintf("GetUserByKey(%q)", key), err, "user")
			_, err = s.GetUserBySub(ctx, p.ID, key)
			wantNotFound(t, fmt.Sprintf("GetUserBySub(%q)", key), err, "user")
			_, err = s.FindUserByAlias(ctx, p.ID, "email", key)
			wantNotFound(t, fmt.Sprintf("FindUserByAlias(%q)", key), err, "user")
			for _, op := range []string{store.OpEqual, store.OpPrefix} {
				users, next, err := s.ListUsers(ctx, p.ID, store.UserQuery{Attr: "username", Op: op, Value: key}, store.Page{Limit: 10})
				if err != nil || len(users) != 0 || next != "" {
					t.Errorf("ListUsers username %s %q: %d users, cursor %q, %v; want none", op, key, len(users), next, err)
				}
			}
		}
		for _, op := range []string{"==", "starts", "^", "!="} {
			_, _, err := s.ListUsers(ctx, p.ID, store.UserQuery{Attr: "username", Op: op, Value: "good"}, store.Page{Limit: 10})
			wantErr(t, "ListUsers with operator "+op, err, store.ErrInvalid)
		}
	})
}

// testUserConflicts checks that usernames, subs and aliases are unique in a
// pool and that the error names which one is taken.
func testUserConflicts(t *testing.T, open Opener) {
	s := open(t)
	ctx := t.Context()
	p := pool("us-east-1_conf", "conf")
	must(t, s.CreateUserPool(ctx, p))
	existing := user(p.ID, "Existing")
	existing.Aliases = []store.Alias{alias("email", "e@example.com"), alias("phone_number", "+15550123"), alias("preferred_username", "ex")}
	must(t, s.CreateUser(ctx, existing))

	fresh := func(name string) store.User {
		u := user(p.ID, name)
		u.Aliases = []store.Alias{alias("email", name+"@example.com"), alias("phone_number", "+1555"+name), alias("preferred_username", name+"-pref")}
		return u
	}
	cases := []struct {
		name   string
		change func(u *store.User)
		field  string
	}{
		{"same username key", func(u *store.User) { u.UsernameKey = existing.UsernameKey }, "username"},
		{"same username key, other display name", func(u *store.User) { u.Username, u.UsernameKey = "EXISTING", "existing" }, "username"},
		{"same sub", func(u *store.User) { u.Sub = existing.Sub }, "sub"},
		{"same email", func(u *store.User) { u.Aliases[0].Key = "e@example.com" }, "alias:email"},
		{"same phone", func(u *store.User) { u.Aliases[1].Key = "+15550123" }, "alias:phone_number"},
		{"same preferred username", func(u *store.User) { u.Aliases[2].Key = "ex" }, "alias:preferred_username"},
		// Several taken: username before sub before aliases (by kind).
		{"username and sub", func(u *store.User) { u.UsernameKey, u.Sub = existing.UsernameKey, existing.Sub }, "username"},
		{"sub and alias", func(u *store.User) { u.Sub, u.Aliases[2].Key = existing.Sub, "ex" }, "sub"},
		{"two aliases", func(u *store.User) { u.Aliases[2].Key, u.Aliases[1].Key = "ex", "+15550123" }, "alias:phone_number"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			u := fresh(fmt.Sprintf("new%d", i))
			tc.change(&u)
			wantConflict(t, "CreateUser", s.CreateUser(ctx, u), tc.field)

			// Nothing of the refused user was stored.
			checkUser(t, "existing user", getUser(t, s, p.ID, existing.Sub), existing)
			if n := countUsers(t, s, p.ID); n != 1 {
				t.Errorf("CountUsers = %d, want 1", n)
			}
			if u.Sub != existing.Sub {
				_, err := s.GetUserBySub(ctx, p.ID, u.Sub)
				wantNotFound(t, "GetUserBySub of the refused user", err, "user")
			}
			if u.UsernameKey != existing.UsernameKey {
				_, err := s.GetUserByKey(ctx, p.ID, u.UsernameKey)
				wantNotFound(t, "GetUserByKey of the refused user", err, "user")
			}
			for _, a := range u.Aliases {
				found, err := s.FindUserByAlias(ctx, p.ID, a.Kind, a.Key)
				if err == nil && found.Sub != existing.Sub {
					t.Errorf("alias %s %q of the refused user was stored", a.Kind, a.Key)
				}
			}
			if got := usersWhere(t, s, p.ID, "username", store.OpPrefix, ""); !slices.Equal(got, []string{"Existing"}) {
				t.Errorf("ListUsers by username: %q, want only Existing (search values of the refused user stored?)", got)
			}
		})
	}
	t.Run("then free values work", func(t *testing.T) {
		must(t, s.CreateUser(ctx, fresh("free")))
		if n := countUsers(t, s, p.ID); n != 2 {
			t.Errorf("CountUsers = %d, want 2", n)
		}
		// Aliases of different kinds may share a key.
		u := fresh("samekey")
		u.Aliases = []store.Alias{alias("email", "ex"), alias("preferred_username", "samekey")}
		must(t, s.CreateUser(ctx, u))
	})
}

package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

// session is a session of the user named name (user's Sub) with a client,
// created at t0 and valid for thirty days.
func session(poolID, id, name string) store.Session {
	return store.Session{
		PoolID:   poolID,
		ID:       id,
		Sub:      subOf(name),
		ClientID: "client-" + poolID,
		Created:  t0,
		Expires:  t0.Add(30 * 24 * time.Hour),
		Doc:      []byte(`{"session":"` + id + `"}`),
	}
}

// checkSession compares a session read back from the store with what was
// stored: times at millisecond precision in UTC, nil and empty Doc the same.
func checkSession(t *testing.T, what string, got, want store.Session) {
	t.Helper()
	for _, f := range []struct{ name, got, want string }{
		{"PoolID", got.PoolID, want.PoolID},
		{"ID", got.ID, want.ID},
		{"Sub", got.Sub, want.Sub},
		{"ClientID", got.ClientID, want.ClientID},
	} {
		if f.got != f.want {
			t.Errorf("%s: %s %q, want %q", what, f.name, f.got, f.want)
		}
	}
	checkTime(t, what, "Created", got.Created, want.Created)
	checkTime(t, what, "Expires", got.Expires, want.Expires)
	if got.Revoked != want.Revoked {
		t.Errorf("%s: Revoked %v, want %v", what, got.Revoked, want.Revoked)
	}
	if !bytes.Equal(got.Doc, want.Doc) {
		t.Errorf("%s: Doc %s, want %s", what, short(got.Doc), short(want.Doc))
	}
}

func getSession(t *testing.T, s store.Store, poolID, id string) store.Session {
	t.Helper()
	got, err := s.GetSession(t.Context(), poolID, id)
	if err != nil {
		t.Fatalf("GetSession(%q, %q): %v", poolID, id, err)
	}
	return got
}

// sessionGone checks that a session is not found.
func sessionGone(t *testing.T, s store.Store, what, poolID, id string) {
	t.Helper()
	_, err := s.GetSession(t.Context(), poolID, id)
	wantNotFound(t, what+": GetSession("+poolID+", "+id+")", err, "session")
}

// sessionsPool makes a pool with users alice and bob.
func sessionsPool(t *testing.T, s store.Store, poolID string) {
	t.Helper()
	must(t, s.CreateUserPool(t.Context(), pool(poolID, "sessions")))
	for _, name := range []string{"alice", "bob"} {
		must(t, s.CreateUser(t.Context(), user(poolID, name)))
	}
}

func testSessions(t *testing.T, open Opener) {
	const p, q = "us-east-1_sess", "us-east-1_other"

	t.Run("RoundTrip", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		sessionsPool(t, s, p)
		zone := time.FixedZone("UTC+5:30", 5*3600+1800)
		cases := []store.Session{
			{PoolID: p, ID: "full", Sub: subOf("alice"), ClientID: "client-1",
				Created: time.Date(2024, 2, 29, 23, 59, 59, 999_999_999, zone), Expires: time.Date(2025, 1, 2, 3, 4, 5, 678_901_234, zone),
				Doc: []byte("\x00\xff{binary}\n")},
			{PoolID: p, ID: "revoked-at-birth", Sub: subOf("bob"), ClientID: "client-2", Created: t0, Expires: t0, Revoked: true, Doc: []byte(`{}`)},
			{PoolID: p, ID: "nil doc", Sub: subOf("alice"), ClientID: "client-1", Created: t0, Expires: t0.Add(time.Hour)},
			{PoolID: p, ID: "ünïcødé ✓ 🔑", Sub: subOf("alice"), ClientID: "client-1", Created: t0, Expires: t0.Add(time.Hour), Doc: []byte(`{"a":1}`)},
		}
		for _, want := range cases {
			must(t, s.CreateSession(ctx, want))
		}
		for _, want := range cases {
			checkSession(t, "GetSession "+want.ID, getSession(t, s, p, want.ID), want)
		}
		// A doc larger than a database page.
		big := session(p, "big", "bob")
		big.Doc = bytes.Repeat([]byte("0123456789abcdef"), 4096)
		must(t, s.CreateSession(ctx, big))
		checkSession(t, "big doc", getSession(t, s, p, "big"), big)
	})

	t.Run("NotFound", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		sessionsPool(t, s, p)
		must(t, s.CreateUserPool(ctx, pool(q, "other")))
		must(t, s.CreateSession(ctx, session(p, "exists", "alice")))

		// Creating: the pool is checked first, then the user.
		for _, tc := range []struct {
			name     string
			sess     store.Session
			notFound string
		}{
			{"missing pool", session("us-east-1_missing", "s1", "alice"), "pool"},
			{"missing pool and user", session("us-east-1_missing", "s1", "nobody"), "pool"},
			{"missing user", session(p, "s1", "nobody"), "user"},
			{"user of another pool", session(q, "s1", "alice"), "user"},
		} {
			wantNotFound(t, "CreateSession with "+tc.name, s.CreateSession(ctx, tc.sess), tc.notFound)
		}

		// Reading and updating: always "session". fn is never called.
		update := func(t *testing.T) func(store.Session) (store.Session, error) {
			return func(cur store.Session) (store.Session, error) {
				t.Error("fn called for a missing session")
				return cur, nil
			}
		}
		for _, tc := range []struct{ name, pool, id string }{
			{"missing id", p, "missing"},
			{"missing pool", "us-east-1_missing", "exists"},
			{"other pool", q, "exists"},
			{"empty id", p, ""},
			{"empty pool", "", "exists"},
			{"case differs", p, "EXISTS"},
			{"NUL in id", p, "exists\x00"},
			{"invalid UTF-8 in id", p, "exists\xff"},
			{"NUL in pool", p + "\x00", "exists"},
		} {
			_, err := s.GetSession(ctx, tc.pool, tc.id)
			wantNotFound(t, "GetSession with "+tc.name, err, "session")
			_, err = s.UpdateSession(ctx, tc.pool, tc.id, update(t))
			wantNotFound(t, "UpdateSession with "+tc.name, err, "session")
		}
		checkSession(t, "the existing session", getSession(t, s, p, "exists"), session(p, "exists", "alice"))
	})

	t.Run("Invalid", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		sessionsPool(t, s, p)
		for _, tc := range []struct {
			name string
			edit func(*store.Session)
		}{
			{"empty id", func(x *store.Session) { x.ID = "" }},
			{"empty sub", func(x *store.Session) { x.Sub = "" }},
			{"empty client id", func(x *store.Session) { x.ClientID = "" }},
			{"NUL in id", func(x *store.Session) { x.ID = "a\x00b" }},
			{"invalid UTF-8 in id", func(x *store.Session) { x.ID = "a\xc3" }},
			{"NUL in client id", func(x *store.Session) { x.ClientID = "c\x00" }},
			{"invalid UTF-8 in sub", func(x *store.Session) { x.Sub = subOf("alice") + "\xff" }},
		} {
			x := session(p, "valid-id", "alice")
			tc.edit(&x)
			wantErr(t, "CreateSession with "+tc.name, s.CreateSession(ctx, x), store.ErrInvalid)
		}
		sessionGone(t, s, "after the refused creates", p, "valid-id")
	})

	t.Run("Conflict", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		sessionsPool(t, s, p)
		sessionsPool(t, s, q)
		first := session(p, "dup", "alice")
		must(t, s.CreateSession(ctx, first))
		for _, tc := range []struct {
			name string
			sess store.Session
		}{
			{"same session again", first},
			{"same id, other user", session(p, "dup", "bob")},
			{"same id, other client and times", func() store.Session {
				x := session(p, "dup", "alice")
				x.ClientID, x.Created, x.Doc = "other-client", t0.Add(time.Hour), []byte(`{"second":true}`)
				return x
			}()},
		} {
			wantConflict(t, "CreateSession with "+tc.name, s.CreateSession(ctx, tc.sess), "session")
		}
		checkSession(t, "the first session", getSession(t, s, p, "dup"), first)
		// Ids are unique per pool only; one differing in case is another.
		must(t, s.CreateSession(ctx, session(q, "dup", "alice")))
		must(t, s.CreateSession(ctx, session(p, "DUP", "alice")))
		checkSession(t, "the other pool's", getSession(t, s, q, "dup"), session(q, "dup", "alice"))
	})

	t.Run("Update", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		sessionsPool(t, s, p)
		orig := session(p, "u", "alice")
		must(t, s.CreateSession(ctx, orig))

		newExpires := time.Date(2025, 6, 7, 8, 9, 10, 123_456_789, time.FixedZone("x", -7*3600))
		got, err := s.UpdateSession(ctx, p, "u", func(cur store.Session) (store.Session, error) {
			checkSession(t, "fn's argument", cur, orig)
			// fn may change Expires and Doc; the keys and Created are the
			// store's.
			cur.Expires, cur.Doc = newExpires, []byte(`{"rotated":1}`)
			cur.PoolID, cur.ID, cur.Sub, cur.ClientID, cur.Created = q, "other", subOf("bob"), "other-client", t0.Add(time.Hour)
			return cur, nil
		})
		must(t, err)
		want := orig
		want.Expires, want.Doc = newExpires, []byte(`{"rotated":1}`)
		checkSession(t, "UpdateSession's result", got, want)
		checkSession(t, "after UpdateSession", getSession(t, s, p, "u"), want)
		sessionGone(t, s, "the id fn tried", p, "other")

		// fn's error aborts the update and comes back as it was.
		errFn := errors.New("fn says no")
		_, err = s.UpdateSession(ctx, p, "u", func(cur store.Session) (store.Session, error) {
			cur.Revoked, cur.Doc = true, []byte(`{"aborted":1}`)
			return cur, errFn
		})
		if err != errFn {
			t.Errorf("UpdateSession with a failing fn: %v, want fn's error unchanged", err)
		}
		checkSession(t, "after the aborted update", getSession(t, s, p, "u"), want)

		// Revoked goes from false to true, and stays true.
		got, err = s.UpdateSession(ctx, p, "u", func(cur store.Session) (store.Session, error) {
			cur.Revoked = true
			return cur, nil
		})
		must(t, err)
		want.Revoked = true
		checkSession(t, "revoked by UpdateSession", got, want)
		got, err = s.UpdateSession(ctx, p, "u", func(cur store.Session) (store.Session, error) {
			if !cur.Revoked {
				t.Error("fn got a revoked session as not revoked")
			}
			cur.Revoked, cur.Doc = false, nil
			return cur, nil
		})
		must(t, err)
		want.Doc = nil
		checkSession(t, "un-revoke attempt's result", got, want)
		checkSession(t, "after the un-revoke attempt", getSession(t, s, p, "u"), want)
	})

	t.Run("UpdateCounter", func(t *testing.T) {
		// Concurrent read-modify-write of one session through
		// UpdateSession loses no update (50 goroutines).
		s := open(t)
		ctx := t.Context()
		sessionsPool(t, s, p)
		x := session(p, "counter", "alice")
		x.Doc = []byte(`{"n":0}`)
		must(t, s.CreateSession(ctx, x))
		counter(t, []store.Store{s}, 50, 4, func(s store.Store, bump func([]byte) ([]byte, error)) ([]byte, error) {
			got, err := s.UpdateSession(ctx, p, "counter", func(cur store.Session) (store.Session, error) {
				doc, err := bump(cur.Doc)
				cur.Doc = doc
				return cur, err
			})
			return got.Doc, err
		}, func(s store.Store) ([]byte, error) {
			got, err := s.GetSession(ctx, p, "counter")
			return got.Doc, err
		})
	})

	t.Run("RevokeDuringUpdates", func(t *testing.T) {
		// A revocation racing updates that try to clear it still holds.
		s := open(t)
		ctx := t.Context()
		sessionsPool(t, s, p)
		must(t, s.CreateSession(ctx, session(p, "r", "alice")))
		const n = 20
		revoked := make([]int, n)
		errs := make([]error, n)
		parallel(n, func(i int) {
			if i == n/2 {
				revoked[i], errs[i] = s.RevokeUserSessions(ctx, p, subOf("alice"))
				return
			}
			_, errs[i] = s.UpdateSession(ctx, p, "r", func(cur store.Session) (store.Session, error) {
				cur.Revoked = false
				cur.Doc = []byte(fmt.Sprintf(`{"writer":%d}`, i))
				return cur, nil
			})
		})
		for i, err := range errs {
			if err != nil {
				t.Errorf("caller %d: %v", i, err)
			}
		}
		if revoked[n/2] != 1 {
			t.Errorf("RevokeUserSessions = %d, want 1", revoked[n/2])
		}
		if got := getSession(t, s, p, "r"); !got.Revoked {
			t.Error("an update cleared the revocation")
		}
	})

	t.Run("RevokeUserSessions", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		sessionsPool(t, s, p)
		sessionsPool(t, s, q)
		mine := []store.Session{session(p, "a1", "alice"), session(p, "a2", "alice"), session(p, "a3", "alice")}
		mine[2].Revoked = true
		others := []store.Session{session(p, "b1", "bob"), session(q, "a1", "alice"), session(q, "qa2", "alice")}
		for _, x := range append(append([]store.Session(nil), mine...), others...) {
			must(t, s.CreateSession(ctx, x))
		}
		for _, tc := range []struct {
			name, pool, sub string
			want            int
		}{
			{"alice", p, subOf("alice"), 2},
			{"alice again", p, subOf("alice"), 0},
			{"a user without sessions", p, subOf("carol"), 0},
			{"a missing pool", "us-east-1_missing", subOf("alice"), 0},
			{"an invalid sub", p, "\xff", 0},
		} {
			n, err := s.RevokeUserSessions(ctx, tc.pool, tc.sub)
			if err != nil || n != tc.want {
				t.Errorf("RevokeUserSessions for %s = %d, %v; want %d", tc.name, n, err, tc.want)
			}
		}
		for _, x := range mine {
			want := x
			want.Revoked = true
			checkSession(t, "alice's "+x.ID, getSession(t, s, p, x.ID), want)
		}
		for _, x := range others {
			checkSession(t, "untouched "+x.PoolID+"/"+x.ID, getSession(t, s, x.PoolID, x.ID), x)
		}
		if n, err := s.RevokeUserSessions(ctx, q, subOf("alice")); err != nil || n != 2 {
			t.Errorf("RevokeUserSessions in the other pool = %d, %v; want 2", n, err)
		}
	})

	t.Run("DeleteExpiredSessions", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		sessionsPool(t, s, p)
		sessionsPool(t, s, q)
		type key struct{ pool, id string }
		expires := map[key]time.Time{}
		for i, pid := range []string{p, q} {
			for h := 1; h <= 3; h++ {
				x := session(pid, fmt.Sprintf("h%d", h), "alice")
				x.Expires = t0.Add(time.Duration(h)*time.Hour + time.Duration(i)*time.Minute)
				x.Revoked = h == 3 // revoked or not, expiry alone decides
				expires[key{pid, x.ID}] = x.Expires
				must(t, s.CreateSession(ctx, x))
			}
		}
		for _, tc := range []struct {
			name   string
			before time.Time
			want   int
			gone   []key
		}{
			{"before all", t0.Add(time.Hour), 0, nil},
			// Strictly before: the session expiring at t0+1h is gone once
			// before passes it; q's expire a minute after p's.
			{"past the first", t0.Add(time.Hour + time.Millisecond), 1, []key{{p, "h1"}}},
			{"past the first of both pools", t0.Add(2 * time.Hour), 1, []key{{p, "h1"}, {q, "h1"}}},
			{"past all but q's last", t0.Add(3*time.Hour + 30*time.Second), 3, []key{{p, "h1"}, {q, "h1"}, {p, "h2"}, {q, "h2"}, {p, "h3"}}},
			{"again", t0.Add(3*time.Hour + 30*time.Second), 0, []key{{p, "h1"}, {q, "h1"}, {p, "h2"}, {q, "h2"}, {p, "h3"}}},
		} {
			n, err := s.DeleteExpiredSessions(ctx, tc.before)
			if err != nil || n != tc.want {
				t.Errorf("DeleteExpiredSessions(%s) = %d, %v; want %d", tc.name, n, err, tc.want)
			}
			for k, exp := range expires {
				_, err := s.GetSession(ctx, k.pool, k.id)
				switch {
				case slices.Contains(tc.gone, k):
					wantNotFound(t, tc.name+": expired "+k.pool+"/"+k.id, err, "session")
				case err != nil:
					t.Errorf("%s: %s/%s (expires %v): %v", tc.name, k.pool, k.id, exp, err)
				}
			}
		}
		// A forgotten id may be used again.
		must(t, s.CreateSession(ctx, session(p, "h1", "bob")))
	})

	t.Run("DeleteUserCascade", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		sessionsPool(t, s, p)
		sessionsPool(t, s, q)
		for _, x := range []store.Session{session(p, "a1", "alice"), session(p, "a2", "alice"), session(p, "b1", "bob"), session(q, "a1", "alice")} {
			must(t, s.CreateSession(ctx, x))
		}
		must(t, s.DeleteUser(ctx, p, subOf("alice")))
		sessionGone(t, s, "after DeleteUser", p, "a1")
		sessionGone(t, s, "after DeleteUser", p, "a2")
		checkSession(t, "bob's", getSession(t, s, p, "b1"), session(p, "b1", "bob"))
		checkSession(t, "alice's in the other pool", getSession(t, s, q, "a1"), session(q, "a1", "alice"))
		if n, err := s.RevokeUserSessions(ctx, p, subOf("alice")); err != nil || n != 0 {
			t.Errorf("RevokeUserSessions of the deleted user = %d, %v", n, err)
		}
		wantNotFound(t, "CreateSession for the deleted user", s.CreateSession(ctx, session(p, "a3", "alice")), "user")
		// A new user with the same sub starts without sessions, and the
		// deleted ones' ids are free.
		must(t, s.CreateUser(ctx, user(p, "alice")))
		if n, err := s.RevokeUserSessions(ctx, p, subOf("alice")); err != nil || n != 0 {
			t.Errorf("RevokeUserSessions of the new user = %d, %v; want 0", n, err)
		}
		must(t, s.CreateSession(ctx, session(p, "a1", "alice")))
	})

	t.Run("DeleteUserPoolCascade", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		sessionsPool(t, s, p)
		sessionsPool(t, s, q)
		for _, pid := range []string{p, q} {
			must(t, s.CreateSession(ctx, session(pid, "s1", "alice")))
			must(t, s.CreateSession(ctx, session(pid, "s2", "bob")))
			must(t, s.UseOnce(ctx, pid, "challenge", time.Now().Add(time.Hour)))
		}
		must(t, s.DeleteUserPool(ctx, p))
		sessionGone(t, s, "after DeleteUserPool", p, "s1")
		sessionGone(t, s, "after DeleteUserPool", p, "s2")
		checkSession(t, "the other pool's", getSession(t, s, q, "s1"), session(q, "s1", "alice"))
		wantErr(t, "UseOnce in the other pool", s.UseOnce(ctx, q, "challenge", time.Now().Add(time.Hour)), store.ErrAlreadyExists)
		// The pool made again has none of them.
		sessionsPool(t, s, p)
		sessionGone(t, s, "in the new pool", p, "s1")
		must(t, s.UseOnce(ctx, p, "challenge", time.Now().Add(time.Hour)))
		must(t, s.CreateSession(ctx, session(p, "s1", "alice")))
	})

	t.Run("Reset", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		sessionsPool(t, s, p)
		must(t, s.CreateSession(ctx, session(p, "s1", "alice")))
		must(t, s.UseOnce(ctx, p, "challenge", time.Now().Add(time.Hour)))
		must(t, s.UseOnce(ctx, "us-east-1_nopool", "challenge", time.Now().Add(time.Hour)))
		must(t, s.Reset(ctx))
		sessionGone(t, s, "after Reset", p, "s1")
		sessionsPool(t, s, p)
		sessionGone(t, s, "in the new pool after Reset", p, "s1")
		must(t, s.CreateSession(ctx, session(p, "s1", "alice")))
		must(t, s.UseOnce(ctx, p, "challenge", time.Now().Add(time.Hour)))
		must(t, s.UseOnce(ctx, "us-east-1_nopool", "challenge", time.Now().Add(time.Hour)))
	})
}

// testUseOnce checks single-use values. Expiry is given relative to the
// real clock here: the contract does not say which clock a backend judges
// expiry by, so a value valid for an hour from now is unexpired by any, and
// one that expired an hour ago is expired by any once DeleteExpiredSessions
// has been told the present.
func testUseOnce(t *testing.T, open Opener) {
	const p, q = "us-east-1_once", "us-east-1_twice"
	later := func() time.Time { return time.Now().Add(time.Hour) }

	t.Run("Basic", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		// The pool need not exist.
		must(t, s.UseOnce(ctx, p, "v1", later()))
		for _, tc := range []struct {
			name, pool, id string
			want           error
		}{
			{"the same again", p, "v1", store.ErrAlreadyExists},
			{"the same with another expiry", p, "v1", store.ErrAlreadyExists},
			{"another id", p, "v2", nil},
			{"another id again", p, "v2", store.ErrAlreadyExists},
			{"the id in another pool", q, "v1", nil},
			{"an id differing in case", p, "V1", nil},
			{"an id with unicode", p, "ünï ✓", nil},
			{"an id with unicode again", p, "ünï ✓", store.ErrAlreadyExists},
			{"an empty pool id", "", "v1", nil},
			{"an empty id", p, "", store.ErrInvalid},
			{"NUL in the id", p, "v\x00", store.ErrInvalid},
			{"invalid UTF-8 in the id", p, "v\xff", store.ErrInvalid},
			{"NUL in the pool id", p + "\x00", "v1", store.ErrInvalid},
		} {
			// Each with its own expiry: a refused use is refused whatever
			// expiry it asks for.
			err := s.UseOnce(ctx, tc.pool, tc.id, later().Add(time.Duration(len(tc.name))*time.Minute))
			if tc.want == nil {
				if err != nil {
					t.Errorf("UseOnce with %s: %v", tc.name, err)
				}
				continue
			}
			wantErr(t, "UseOnce with "+tc.name, err, tc.want)
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		// Of 100 concurrent uses of one id exactly one succeeds; the
		// others are refused with ErrAlreadyExists. Twice: also when the
		// id's pool exists.
		s := open(t)
		ctx := t.Context()
		must(t, s.CreateUserPool(ctx, pool(q, "twice")))
		for _, pid := range []string{p, q} {
			const n = 100
			errs := make([]error, n)
			parallel(n, func(i int) { errs[i] = s.UseOnce(ctx, pid, "contended", later()) })
			winners := 0
			for i, err := range errs {
				switch {
				case err == nil:
					winners++
				case !errors.Is(err, store.ErrAlreadyExists):
					t.Errorf("%s: caller %d: %v, want nil or ErrAlreadyExists", pid, i, err)
				}
			}
			if winners != 1 {
				t.Errorf("%s: %d of %d concurrent UseOnce calls succeeded, want 1", pid, winners, n)
			}
		}
	})

	t.Run("Expiry", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		now := time.Now()
		must(t, s.UseOnce(ctx, p, "expired", now.Add(-time.Hour)))
		must(t, s.UseOnce(ctx, p, "valid", now.Add(time.Hour)))
		// Forgetting what expired before now does not forget what has not.
		if _, err := s.DeleteExpiredSessions(ctx, now); err != nil {
			t.Fatal(err)
		}
		wantErr(t, "UseOnce of an unexpired id after DeleteExpiredSessions", s.UseOnce(ctx, p, "valid", now.Add(time.Hour)), store.ErrAlreadyExists)
		// An expired id may be used again; once used, it is refused again
		// until its new expiry.
		must(t, s.UseOnce(ctx, p, "expired", now.Add(time.Hour)))
		wantErr(t, "UseOnce of the re-used id", s.UseOnce(ctx, p, "expired", now.Add(time.Hour)), store.ErrAlreadyExists)
		if _, err := s.DeleteExpiredSessions(ctx, now); err != nil {
			t.Fatal(err)
		}
		wantErr(t, "UseOnce of the re-used id after DeleteExpiredSessions", s.UseOnce(ctx, p, "expired", now.Add(time.Hour)), store.ErrAlreadyExists)
	})
}

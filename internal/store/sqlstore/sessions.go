package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

// Sessions are rows of sessions, unique by (pool_id, id), found for a user
// through the (pool_id, sub) index and for the purge through expires_ms.
// They name their user by sub, not by users.seq: sub is the user's key in
// every method, and DeleteUser deletes the user's sessions in the same
// transaction, so a later user with the same sub (subs are UUIDs; the store
// does not forbid reuse) never inherits them.
//
// Single-use values are rows of single_use, keyed (pool_id, id). UseOnce is
// one INSERT … ON CONFLICT DO NOTHING: whichever transaction inserts first
// wins, and the others insert nothing and are refused. That needs no lock
// of its own: SQLite has one writer (also across processes: write
// transactions BEGIN IMMEDIATE), and PostgreSQL makes a concurrent insert
// of the same key wait for the first one's outcome.
//
// The store has no clock of its own that agrees with the service's (which
// tests move by hand, often to dates months away from the real one), so
// UseOnce does not judge expiry: a recorded id is refused until
// DeleteExpiredSessions forgets it, with the caller's time. Judging by the
// store's wall clock would accept a replay whenever the service's clock runs
// behind the real one by more than the value's lifetime. Callers reject
// expired values themselves (store.Store), so refusing an expired id a while
// longer changes nothing they can see; the id is free again once forgotten.

const sessionCols = `seq, pool_id, id, sub, client_id, created_ms, expires_ms, revoked, doc`

var (
	qInsertSession = reg(`INSERT INTO sessions (pool_id, id, sub, client_id, created_ms, expires_ms, revoked, doc)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	qSession            = reg(`SELECT ` + sessionCols + ` FROM sessions WHERE pool_id = ? AND id = ?`)
	qSessionForUpdate   = reg(`SELECT ` + sessionCols + ` FROM sessions WHERE pool_id = ? AND id = ? /*FOR UPDATE*/`)
	qUpdateSession      = reg(`UPDATE sessions SET expires_ms = ?, revoked = ?, doc = ? WHERE seq = ?`)
	qRevokeUserSessions = reg(`UPDATE sessions SET revoked = 1 WHERE pool_id = ? AND sub = ? AND revoked = 0`)
	qDeleteUserSessions = reg(`DELETE FROM sessions WHERE pool_id = ? AND sub = ?`)
	// The purge deletes a batch that a subquery picks. The outer WHERE
	// repeats the expiry test because PostgreSQL, when a picked row was
	// changed by a concurrent transaction (UpdateSession extending it),
	// waits for that one and then re-checks only the outer conditions on
	// the row's new version. (A batch so cut short ends the purge early;
	// the next one takes the rest.) Single-use rows are named by row value
	// (SQLite ≥ 3.15, PostgreSQL): they have no other key.
	qDeleteExpiredSession   = reg(`DELETE FROM sessions WHERE seq IN (SELECT seq FROM sessions WHERE expires_ms < ? LIMIT ?) AND expires_ms < ?`)
	qDeleteExpiredSingleUse = reg(`DELETE FROM single_use WHERE (pool_id, id) IN (SELECT pool_id, id FROM single_use WHERE expires_ms < ? LIMIT ?) AND expires_ms < ?`)
	qInsertSingleUse        = reg(`INSERT INTO single_use (pool_id, id, expires_ms) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`)
)

// purgeBatch is how many expired rows one transaction of
// DeleteExpiredSessions deletes. A purge of a large backlog then holds the
// write lock (and, on SQLite, the batch of everyone's writes) for a few
// milliseconds at a time rather than for the whole backlog.
const purgeBatch = 1000

func notFoundSession() error { return &store.NotFoundError{What: "session"} }

func scanSession(row scanner) (store.Session, int64, error) {
	var s store.Session
	var seq, created, expires, revoked int64
	if err := row.Scan(&seq, &s.PoolID, &s.ID, &s.Sub, &s.ClientID, &created, &expires, &revoked, &s.Doc); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return s, 0, notFoundSession()
		}
		return s, 0, err
	}
	s.Created, s.Expires = fromMS(created), fromMS(expires)
	s.Revoked = revoked != 0
	return s, seq, nil
}

func (s *Store) CreateSession(ctx context.Context, sess store.Session) error {
	switch {
	case sess.ID == "" || sess.Sub == "" || sess.ClientID == "":
		return invalid("session without id, sub or client id")
	case !validText(sess.PoolID, sess.ID, sess.Sub, sess.ClientID):
		return invalid("session %q: pool id, id, sub or client id is not valid UTF-8 or contains NUL", sess.ID)
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.poolExists(ctx, tx, sess.PoolID); err != nil {
			return err
		}
		// FOR KEY SHARE on PostgreSQL: a concurrent DeleteUser (which
		// locks the user FOR UPDATE) waits for this transaction and then
		// deletes the session with the user, or this one waits for it
		// and finds no user.
		var userSeq int64
		if err := s.txRow(ctx, tx, qUserSeqBySub, sess.PoolID, sess.Sub).Scan(&userSeq); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return notFoundUser()
			}
			return err
		}
		res, err := s.txExec(ctx, tx, qInsertSession, sess.PoolID, sess.ID, sess.Sub, sess.ClientID,
			ms(sess.Created), ms(sess.Expires), boolInt(sess.Revoked), doc(sess.Doc))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		// The only unique key is (pool_id, id): DO NOTHING means it is
		// taken, without aborting a PostgreSQL transaction.
		return &store.ConflictError{Field: "session"}
	})
}

func (s *Store) GetSession(ctx context.Context, poolID, id string) (store.Session, error) {
	if !validText(poolID, id) {
		return store.Session{}, notFoundSession()
	}
	sess, _, err := scanSession(s.readRow(ctx, qSession, poolID, id))
	return sess, err
}

func (s *Store) UpdateSession(ctx context.Context, poolID, id string, fn func(store.Session) (store.Session, error)) (store.Session, error) {
	if !validText(poolID, id) {
		return store.Session{}, notFoundSession()
	}
	var out store.Session
	err := s.tx(ctx, func(tx *sql.Tx) error {
		old, seq, err := scanSession(s.txRow(ctx, tx, qSessionForUpdate, poolID, id))
		if err != nil {
			return err
		}
		sess, err := fn(old)
		if err != nil {
			return err
		}
		sess.PoolID, sess.ID, sess.Sub, sess.ClientID, sess.Created = old.PoolID, old.ID, old.Sub, old.ClientID, old.Created
		// Revocation is for good: the row lock (FOR UPDATE on PostgreSQL,
		// the write lock on SQLite) keeps RevokeUserSessions from slipping
		// in between the read and this write, so old.Revoked is current.
		sess.Revoked = sess.Revoked || old.Revoked
		if _, err := s.txExec(ctx, tx, qUpdateSession, ms(sess.Expires), boolInt(sess.Revoked), doc(sess.Doc), seq); err != nil {
			return err
		}
		sess.Expires = fromMS(ms(sess.Expires))
		out = sess
		return nil
	})
	return out, err
}

func (s *Store) RevokeUserSessions(ctx context.Context, poolID, sub string) (int, error) {
	if !validText(poolID, sub) {
		return 0, nil // no such user, so no sessions
	}
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := s.txExec(ctx, tx, qRevokeUserSessions, poolID, sub)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// DeleteExpiredSessions also forgets the single-use values that expired
// before t (see the top of this file); those are not counted.
func (s *Store) DeleteExpiredSessions(ctx context.Context, before time.Time) (int, error) {
	n, err := s.purge(ctx, qDeleteExpiredSession, ms(before))
	if err != nil {
		return n, err
	}
	_, err = s.purge(ctx, qDeleteExpiredSingleUse, ms(before))
	return n, err
}

// purge runs an expiry purge, purgeBatch rows per transaction, and returns
// how many rows it deleted.
func (s *Store) purge(ctx context.Context, query string, beforeMS int64) (int, error) {
	total := 0
	for {
		var n int64
		err := s.tx(ctx, func(tx *sql.Tx) error {
			res, err := s.txExec(ctx, tx, query, beforeMS, purgeBatch, beforeMS)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return total, err // (n counts rows that were rolled back)
		}
		total += int(n)
		if n < purgeBatch {
			return total, nil
		}
	}
}

func (s *Store) UseOnce(ctx context.Context, poolID, id string, expires time.Time) error {
	switch {
	case id == "":
		return invalid("empty single-use id")
	case !validText(poolID, id):
		return invalid("single-use id %q: pool id or id is not valid UTF-8 or contains NUL", id)
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := s.txExec(ctx, tx, qInsertSingleUse, poolID, id, ms(expires))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		return store.ErrAlreadyExists
	})
}

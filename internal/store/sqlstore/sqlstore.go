// Package sqlstore implements store.Store once, in SQL that both SQLite and
// PostgreSQL accept. A small Flavor rewrites placeholders and tells which
// errors are worth a retry; the sqlite and postgres packages open the
// connections and choose the flavor.
package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

// Flavor is what differs between the SQL dialects.
type Flavor struct {
	Name string
	// Dollar placeholders ($1, $2…) instead of '?'.
	Dollar bool
	// IsUniqueViolation reports a unique-constraint failure.
	IsUniqueViolation func(error) bool
	// IsRetryable reports a serialization failure or deadlock after which
	// the whole transaction may be run again.
	IsRetryable func(error) bool
	// Migrations are the schema steps, applied in order, one transaction each.
	Migrations []string
}

// Store is the shared SQL implementation. Writes go through W, reads through R
// (the same *sql.DB where the backend has one pool).
type Store struct {
	W, R   *sql.DB
	Flavor Flavor
}

// New wraps open databases and applies the schema migrations.
func New(ctx context.Context, w, r *sql.DB, f Flavor) (*Store, error) {
	s := &Store{W: w, R: r, Flavor: f}
	if err := s.migrate(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Store) q(query string) string {
	if !s.Flavor.Dollar {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

const maxRetries = 20

// tx runs fn in a write transaction, again when the database reports a
// serialization failure.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	var err error
	for attempt := 0; attempt < maxRetries; attempt++ {
		err = s.tryTx(ctx, fn)
		if err == nil || s.Flavor.IsRetryable == nil || !s.Flavor.IsRetryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * time.Millisecond):
		}
	}
	return err
}

func (s *Store) tryTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

func (s *Store) migrate(ctx context.Context) error {
	// In a write transaction, with retries, like every other write: as a
	// bare autocommit statement it was not retried, and on SQLite two
	// processes opening a new database file at once could fail here with
	// SQLITE_BUSY (the statement takes a read lock and then upgrades it, and
	// SQLite answers BUSY without waiting when the upgrade could deadlock;
	// BEGIN IMMEDIATE takes the write lock first, which does wait).
	err := s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_ms BIGINT NOT NULL)`)
		return err
	})
	if err != nil && (s.Flavor.IsUniqueViolation == nil || !s.Flavor.IsUniqueViolation(err)) {
		// (A unique violation means another process created it first.)
		return fmt.Errorf("migrations table: %w", err)
	}
	for i, step := range s.Flavor.Migrations {
		version := i + 1
		err := s.tx(ctx, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, step); err != nil {
				return fmt.Errorf("migration %d: %w", version, err)
			}
			_, err := tx.ExecContext(ctx, s.q(`INSERT INTO schema_migrations (version, applied_ms) VALUES (?, ?)`), version, time.Now().UnixMilli())
			return err
		})
		if err != nil {
			if s.Flavor.IsUniqueViolation != nil && s.Flavor.IsUniqueViolation(err) {
				continue // another process applied it first
			}
			return err
		}
	}
	return nil
}

func (s *Store) conflict(err error) error {
	if err != nil && s.Flavor.IsUniqueViolation != nil && s.Flavor.IsUniqueViolation(err) {
		return store.ErrAlreadyExists
	}
	return err
}

// Cursors are the sequence number of the last row of the previous page.
func encodeCursor(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(seq, 10)))
}

func decodeCursor(c string) (int64, error) {
	if c == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, store.ErrBadCursor
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || n < 0 {
		return 0, store.ErrBadCursor
	}
	return n, nil
}

func ms(t time.Time) int64 { return t.UnixMilli() }

// doc is what to store for a Doc: a nil Doc is the empty document. Drivers
// bind a nil []byte as NULL, which the NOT NULL doc columns reject, so
// storing a pool or client with a nil Doc used to fail.
func doc(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

func fromMS(n int64) time.Time { return time.UnixMilli(n).UTC() }

// ---- user pools ----

func (s *Store) CreateUserPool(ctx context.Context, p store.UserPool) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO user_pools (id, name, created_ms, doc) VALUES (?, ?, ?, ?)`),
			p.ID, p.Name, ms(p.Created), doc(p.Doc))
		return s.conflict(err)
	})
}

func scanPool(row interface{ Scan(...any) error }) (store.UserPool, int64, error) {
	var p store.UserPool
	var seq, created int64
	if err := row.Scan(&seq, &p.ID, &p.Name, &created, &p.Doc); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return p, 0, store.ErrNotFound
		}
		return p, 0, err
	}
	p.Created = fromMS(created)
	return p, seq, nil
}

const poolCols = `seq, id, name, created_ms, doc`

func (s *Store) GetUserPool(ctx context.Context, id string) (store.UserPool, error) {
	p, _, err := scanPool(s.R.QueryRowContext(ctx, s.q(`SELECT `+poolCols+` FROM user_pools WHERE id = ?`), id))
	return p, err
}

func (s *Store) UpdateUserPool(ctx context.Context, id string, fn func(store.UserPool) (store.UserPool, error)) (store.UserPool, error) {
	var out store.UserPool
	err := s.tx(ctx, func(tx *sql.Tx) error {
		old, _, err := scanPool(tx.QueryRowContext(ctx, s.q(`SELECT `+poolCols+` FROM user_pools WHERE id = ?`+s.forUpdate()), id))
		if err != nil {
			return err
		}
		p, err := fn(old)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE user_pools SET name = ?, doc = ? WHERE id = ?`), p.Name, doc(p.Doc), id); err != nil {
			return s.conflict(err)
		}
		p.ID, p.Created = old.ID, old.Created
		out = p
		return nil
	})
	return out, err
}

func (s *Store) forUpdate() string {
	if s.Flavor.Dollar {
		return " FOR UPDATE"
	}
	return ""
}

func (s *Store) DeleteUserPool(ctx context.Context, id string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM user_pool_clients WHERE pool_id = ?`), id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM user_pools WHERE id = ?`), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.ErrNotFound
		}
		return nil
	})
}

func (s *Store) ListUserPools(ctx context.Context, page store.Page) ([]store.UserPool, string, error) {
	after, err := decodeCursor(page.Cursor)
	if err != nil {
		return nil, "", err
	}
	limit := max(page.Limit, 1)
	rows, err := s.R.QueryContext(ctx, s.q(`SELECT `+poolCols+` FROM user_pools WHERE seq > ? ORDER BY seq LIMIT ?`), after, limit+1)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []store.UserPool
	var seqs []int64
	for rows.Next() {
		p, seq, err := scanPool(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, p)
		seqs = append(seqs, seq)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	if len(out) > limit {
		return out[:limit], encodeCursor(seqs[limit-1]), nil
	}
	return out, "", nil
}

// ---- app clients ----

const clientCols = `seq, pool_id, client_id, name, created_ms, doc`

func scanClient(row interface{ Scan(...any) error }) (store.Client, int64, error) {
	var c store.Client
	var seq, created int64
	if err := row.Scan(&seq, &c.PoolID, &c.ClientID, &c.Name, &created, &c.Doc); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return c, 0, store.ErrNotFound
		}
		return c, 0, err
	}
	c.Created = fromMS(created)
	return c, seq, nil
}

func (s *Store) CreateClient(ctx context.Context, c store.Client) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM user_pools WHERE id = ?`), c.PoolID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return store.ErrNotFound
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO user_pool_clients (pool_id, client_id, name, created_ms, doc) VALUES (?, ?, ?, ?, ?)`),
			c.PoolID, c.ClientID, c.Name, ms(c.Created), doc(c.Doc))
		return s.conflict(err)
	})
}

func (s *Store) GetClient(ctx context.Context, poolID, clientID string) (store.Client, error) {
	c, _, err := scanClient(s.R.QueryRowContext(ctx, s.q(`SELECT `+clientCols+` FROM user_pool_clients WHERE pool_id = ? AND client_id = ?`), poolID, clientID))
	return c, err
}

func (s *Store) FindClient(ctx context.Context, clientID string) (store.Client, error) {
	c, _, err := scanClient(s.R.QueryRowContext(ctx, s.q(`SELECT `+clientCols+` FROM user_pool_clients WHERE client_id = ?`), clientID))
	return c, err
}

func (s *Store) UpdateClient(ctx context.Context, poolID, clientID string, fn func(store.Client) (store.Client, error)) (store.Client, error) {
	var out store.Client
	err := s.tx(ctx, func(tx *sql.Tx) error {
		old, _, err := scanClient(tx.QueryRowContext(ctx, s.q(`SELECT `+clientCols+` FROM user_pool_clients WHERE pool_id = ? AND client_id = ?`+s.forUpdate()), poolID, clientID))
		if err != nil {
			return err
		}
		c, err := fn(old)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE user_pool_clients SET name = ?, doc = ? WHERE pool_id = ? AND client_id = ?`), c.Name, doc(c.Doc), poolID, clientID); err != nil {
			return s.conflict(err)
		}
		c.PoolID, c.ClientID, c.Created = old.PoolID, old.ClientID, old.Created
		out = c
		return nil
	})
	return out, err
}

func (s *Store) DeleteClient(ctx context.Context, poolID, clientID string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM user_pool_clients WHERE pool_id = ? AND client_id = ?`), poolID, clientID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.ErrNotFound
		}
		return nil
	})
}

func (s *Store) ListClients(ctx context.Context, poolID string, page store.Page) ([]store.Client, string, error) {
	after, err := decodeCursor(page.Cursor)
	if err != nil {
		return nil, "", err
	}
	limit := max(page.Limit, 1)
	rows, err := s.R.QueryContext(ctx, s.q(`SELECT `+clientCols+` FROM user_pool_clients WHERE pool_id = ? AND seq > ? ORDER BY seq LIMIT ?`), poolID, after, limit+1)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []store.Client
	var seqs []int64
	for rows.Next() {
		c, seq, err := scanClient(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, c)
		seqs = append(seqs, seq)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	if len(out) > limit {
		return out[:limit], encodeCursor(seqs[limit-1]), nil
	}
	return out, "", nil
}

func (s *Store) CountClients(ctx context.Context, poolID string) (int, error) {
	var n int
	err := s.R.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM user_pool_clients WHERE pool_id = ?`), poolID).Scan(&n)
	return n, err
}

// Reset empties every table but the migration record.
func (s *Store) Reset(ctx context.Context) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, t := range []string{"user_pool_clients", "user_pools"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Store) Close() error {
	err := s.W.Close()
	if s.R != s.W {
		err = errors.Join(err, s.R.Close())
	}
	return err
}

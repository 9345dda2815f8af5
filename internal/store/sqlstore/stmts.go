package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"
)

// Prepared statements. A query is prepared on a pool (W or R) the first
// time it runs there and kept: database/sql then prepares it once on each
// connection of the pool that runs it, and the SQLite driver keeps the
// compiled statement, so a hot query is not parsed and planned on every call
// (without, GetUserByKey took 60% more CPU, a ListUsers by e-mail three
// times as much, CreateUser 30% more; sqlite's benchmarks). Transactions
// use the write pool's statement through Tx.StmtContext, which finds the one
// already prepared on the transaction's connection.
//
// Preparing on a pool needs a connection of the pool. SQLite's write pool has
// a single one, which a transaction holds: a statement first met inside a
// transaction therefore runs unprepared there and is prepared after the
// transaction (prepareLater). Statements are not all prepared up front
// because that costs more than most short-lived stores (tests) ever run.
//
// Query texts are the constants registered with reg (and the multi-row
// INSERTs for up to preparedRows rows), in SQLite's form; q turns them into
// the flavor's. The cache takes at most maxStmts texts per store.

const maxStmts = 512

var registry []string

// reg registers a query (Queries lists them for tests) and returns it.
func reg(query string) string {
	registry = append(registry, query)
	return query
}

// Queries returns every registered query, in SQLite's form (placeholders '?'
// and lock comments), so that a backend's tests can check their plans.
func Queries() []string { return append([]string(nil), registry...) }

type stmtKey struct {
	db    *sql.DB
	query string
}

type stmtCache struct {
	m sync.Map // stmtKey → *sql.Stmt
	n atomic.Int32

	mu      sync.Mutex // guards the fields below and the stores into m
	closed  bool
	pending map[string]bool // write-pool queries met inside transactions
}

func (s *Store) cached(db *sql.DB, query string) *sql.Stmt {
	if st, ok := s.stmts.m.Load(stmtKey{db, query}); ok {
		return st.(*sql.Stmt)
	}
	return nil
}

// prepare prepares query on db and caches it. It returns nil (run the query
// unprepared) when the cache is full or closed, or preparing failed: the
// query itself then reports the error. The lock is not held while preparing,
// which waits for a connection: a transaction holding the connection may
// need the lock (prepareLater).
func (s *Store) prepare(ctx context.Context, db *sql.DB, query string) *sql.Stmt {
	if s.stmts.n.Load() >= maxStmts {
		return nil
	}
	st, err := db.PrepareContext(ctx, s.q(query))
	if err != nil {
		return nil
	}
	s.stmts.mu.Lock()
	defer s.stmts.mu.Unlock()
	if s.stmts.closed {
		st.Close()
		return nil
	}
	if old, loaded := s.stmts.m.LoadOrStore(stmtKey{db, query}, st); loaded {
		st.Close() // prepared concurrently
		return old.(*sql.Stmt)
	}
	s.stmts.n.Add(1)
	return st
}

// prepareLater notes a write-pool query that ran unprepared in a
// transaction.
func (s *Store) prepareLater(query string) {
	if s.stmts.n.Load() >= maxStmts {
		return
	}
	s.stmts.mu.Lock()
	if s.stmts.pending == nil {
		s.stmts.pending = map[string]bool{}
	}
	s.stmts.pending[query] = true
	s.stmts.mu.Unlock()
}

// preparePending prepares the noted queries; tx calls it after each
// transaction, when the write connection is free again.
func (s *Store) preparePending(ctx context.Context) {
	s.stmts.mu.Lock()
	pending := s.stmts.pending
	s.stmts.pending = nil
	s.stmts.mu.Unlock()
	for query := range pending {
		s.prepare(ctx, s.W, query)
	}
}

func (s *Store) closeStmts() error {
	s.stmts.mu.Lock()
	defer s.stmts.mu.Unlock()
	s.stmts.closed = true
	var err error
	s.stmts.m.Range(func(k, v any) bool {
		err = errors.Join(err, v.(*sql.Stmt).Close())
		s.stmts.m.Delete(k)
		return true
	})
	return err
}

// scanner is a row to scan: *sql.Row, *sql.Rows or errRow.
type scanner interface{ Scan(...any) error }

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// quiet is the context statements run with: the caller's values without its
// cancellation. Every query of the store is short (index-bounded, at most a
// page), and the SQLite driver watches a cancellable context with a
// goroutine per statement and a progress callback every thousand VM steps,
// which made a primary-key SELECT take 70% longer. Methods check the
// caller's context before they start (reads) or when they get the write
// connection (tx), so a cancelled request stops there; only a running
// statement, or a wait for another process's write lock, is not
// interrupted.
func quiet(ctx context.Context) context.Context {
	if ctx.Done() == nil {
		return ctx
	}
	return context.WithoutCancel(ctx)
}

// readStmt is the read pool's statement for query, or nil. Reads never run
// inside a transaction of the store, so preparing may wait for a connection
// (also where R and W are one single-connection pool).
func (s *Store) readStmt(ctx context.Context, query string) *sql.Stmt {
	if st := s.cached(s.R, query); st != nil {
		return st
	}
	return s.prepare(ctx, s.R, query)
}

// readRow runs a query that returns at most one row on the read pool.
func (s *Store) readRow(ctx context.Context, query string, args ...any) scanner {
	if err := ctx.Err(); err != nil {
		return errRow{err}
	}
	ctx = quiet(ctx)
	if st := s.readStmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return s.R.QueryRowContext(ctx, s.q(query), args...)
}

// read runs a query on the read pool.
func (s *Store) read(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ctx = quiet(ctx)
	if st := s.readStmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return s.R.QueryContext(ctx, s.q(query), args...)
}

// txStmt is the transaction's handle of the write pool's statement, or nil
// when it is not prepared yet.
func (s *Store) txStmt(ctx context.Context, tx *sql.Tx, query string) *sql.Stmt {
	if st := s.cached(s.W, query); st != nil {
		return tx.StmtContext(ctx, st)
	}
	s.prepareLater(query)
	return nil
}

func (s *Store) txRow(ctx context.Context, tx *sql.Tx, query string, args ...any) scanner {
	ctx = quiet(ctx)
	if st := s.txStmt(ctx, tx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, s.q(query), args...)
}

func (s *Store) txExec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	ctx = quiet(ctx)
	if st := s.txStmt(ctx, tx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, s.q(query), args...)
}

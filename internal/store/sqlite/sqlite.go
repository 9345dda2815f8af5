// Package sqlite is the embedded, zero-set-up backend: one database file in the
// data folder (or a private in-memory database), through the pure-Go
// modernc.org/sqlite driver so that `go run` needs no C toolchain.
package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/cognitod/cognitod/internal/store/sqlstore"
)

// migrations are the schema, one step per entry; never edit a step that has
// shipped, add a new one.
var migrations = []string{
	`CREATE TABLE user_pools (
		seq INTEGER PRIMARY KEY AUTOINCREMENT,
		id TEXT NOT NULL UNIQUE,
		name TEXT NOT NULL,
		created_ms INTEGER NOT NULL,
		doc BLOB NOT NULL
	);
	CREATE TABLE user_pool_clients (
		seq INTEGER PRIMARY KEY AUTOINCREMENT,
		pool_id TEXT NOT NULL,
		client_id TEXT NOT NULL UNIQUE,
		name TEXT NOT NULL,
		created_ms INTEGER NOT NULL,
		doc BLOB NOT NULL
	);
	CREATE INDEX user_pool_clients_pool ON user_pool_clients (pool_id, seq);`,
}

func flavor() sqlstore.Flavor {
	return sqlstore.Flavor{
		Name:              "sqlite",
		IsUniqueViolation: isCode(sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY),
		IsRetryable:       isCode(sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_BUSY_SNAPSHOT),
		Migrations:        migrations,
	}
}

func isCode(codes ...int) func(error) bool {
	return func(err error) bool {
		var se *sqlite.Error
		if !errors.As(err, &se) {
			return false
		}
		for _, c := range codes {
			if se.Code() == c || se.Code()&0xff == c {
				return true
			}
		}
		return false
	}
}

// Open opens (creating if needed) the database file at path. The file is in
// WAL mode: readers never wait for the writer, and a write is on disk (in the
// log) before it is acknowledged, so a killed process loses nothing it
// answered. Writes use one connection: SQLite has one writer anyway, and
// queueing in Go avoids SQLITE_BUSY.
func Open(ctx context.Context, path string) (*sqlstore.Store, error) {
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + pragmas("_txlock=immediate")
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite", dsn)
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(8)
	s, err := sqlstore.New(ctx, w, r, flavor())
	if err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	return s, nil
}

// OpenMemory opens a private in-memory database, gone when closed.
func OpenMemory(ctx context.Context) (*sqlstore.Store, error) {
	var b [8]byte
	_, _ = rand.Read(b[:])
	name := "cognitod-" + hex.EncodeToString(b[:])
	dsn := "file:" + name + "?mode=memory&cache=shared&" + pragmas("_txlock=immediate")
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	// One connection keeps the database alive and serialises access.
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	db.SetConnMaxLifetime(0)
	s, err := sqlstore.New(ctx, db, db, flavor())
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// pragmas is the DSN query. modernc.org/sqlite (checked in v1.61.1:
// applyQueryParams, called from newConn, and tx.go) runs every _pragma on each
// new connection of the pool, busy_timeout first whatever the order here, and
// honours _txlock=immediate by starting write transactions with BEGIN
// IMMEDIATE (read-only ones with plain BEGIN). With a "file:" name the whole
// query also reaches SQLite, which ignores the underscore keys.
// sqlite_test.go checks these settings on several connections of both pools.
//
// Across processes (several Store values on one file) the writers are in
// different pools: BEGIN IMMEDIATE then waits up to busy_timeout for the
// other's write lock, and the SQLITE_BUSY answers that SQLite gives without
// waiting are retried by sqlstore (IsRetryable).
func pragmas(extra ...string) string {
	p := []string{
		"_pragma=journal_mode(WAL)",
		"_pragma=synchronous(NORMAL)",
		"_pragma=busy_timeout(10000)",
		"_pragma=foreign_keys(ON)",
	}
	return strings.Join(append(p, extra...), "&")
}

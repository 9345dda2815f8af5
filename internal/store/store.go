// Package store is cognitod's persistence boundary: one interface that every
// backend (SQLite embedded, PostgreSQL for several processes) implements, and
// that the storetest conformance suite checks.
//
// Records are documents plus the columns queries need: the service owns the
// document (JSON in Doc) and the store owns keys, uniqueness and ordering. The
// store never interprets Doc.
package store

import (
	"context"
	"errors"
	"time"
)

var (
	// ErrNotFound means the record does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrAlreadyExists means a record with the same key or unique value exists.
	ErrAlreadyExists = errors.New("store: already exists")
	// ErrBadCursor means a page cursor that the store did not make.
	ErrBadCursor = errors.New("store: bad cursor")
)

// UserPool is one user pool.
type UserPool struct {
	ID      string
	Name    string
	Created time.Time
	Doc     []byte
}

// Client is one app client of a user pool.
type Client struct {
	PoolID   string
	ClientID string
	Name     string
	Created  time.Time
	Doc      []byte
}

// Page asks for one page of a list. Cursor is what the previous page returned
// (empty for the first page); Limit is at least 1.
type Page struct {
	Cursor string
	Limit  int
}

// Store is implemented by every backend. Every method is safe for concurrent
// use, also by several processes sharing one database.
//
// Update methods apply fn to the current record inside one transaction and
// store what it returns (compare-and-swap): fn may run more than once when a
// concurrent writer wins, so it must not have side effects. fn's error aborts
// the update and is returned unchanged.
type Store interface {
	CreateUserPool(ctx context.Context, p UserPool) error
	GetUserPool(ctx context.Context, id string) (UserPool, error)
	UpdateUserPool(ctx context.Context, id string, fn func(UserPool) (UserPool, error)) (UserPool, error)
	// DeleteUserPool removes the pool and everything that belongs to it.
	DeleteUserPool(ctx context.Context, id string) error
	// ListUserPools lists pools in creation order. The returned cursor is
	// empty on the last page.
	ListUserPools(ctx context.Context, page Page) ([]UserPool, string, error)

	CreateClient(ctx context.Context, c Client) error
	GetClient(ctx context.Context, poolID, clientID string) (Client, error)
	// FindClient finds a client by its id alone: client ids are unique across
	// pools, and the public operations name only the client.
	FindClient(ctx context.Context, clientID string) (Client, error)
	UpdateClient(ctx context.Context, poolID, clientID string, fn func(Client) (Client, error)) (Client, error)
	DeleteClient(ctx context.Context, poolID, clientID string) error
	// ListClients lists a pool's clients in creation order.
	ListClients(ctx context.Context, poolID string, page Page) ([]Client, string, error)
	// CountClients counts a pool's clients (quota checks).
	CountClients(ctx context.Context, poolID string) (int, error)

	// Reset deletes every record: test suites reset between tests.
	Reset(ctx context.Context) error
	// Close releases the database. In-flight calls finish first.
	Close() error
}

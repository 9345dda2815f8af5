package sqlstore

import (
	"context"
	"errors"
	"time"

	"github.com/cognitod/cognitod/internal/store"
)

// errNotYet marks the session methods that are being written.
var errNotYet = errors.New("sqlstore: sessions are not implemented yet")

func (s *Store) CreateSession(ctx context.Context, sess store.Session) error { return errNotYet }

func (s *Store) GetSession(ctx context.Context, poolID, id string) (store.Session, error) {
	return store.Session{}, errNotYet
}

func (s *Store) UpdateSession(ctx context.Context, poolID, id string, fn func(store.Session) (store.Session, error)) (store.Session, error) {
	return store.Session{}, errNotYet
}

func (s *Store) RevokeUserSessions(ctx context.Context, poolID, sub string) (int, error) {
	return 0, errNotYet
}

func (s *Store) DeleteExpiredSessions(ctx context.Context, before time.Time) (int, error) {
	return 0, errNotYet
}

func (s *Store) UseOnce(ctx context.Context, poolID, id string, expires time.Time) error {
	return errNotYet
}

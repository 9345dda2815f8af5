package sqlstore

import (
	"context"
	"database/sql"
	"math"

	"github.com/cognitod/cognitod/internal/store"
)

// The outbox is the messages table, in seq order. A follower polls with the
// last seq it has seen. On SQLite, seq order is commit order (one writer).
// On PostgreSQL an identity value is taken at INSERT, so a transaction can
// commit a lower seq after a higher one is visible, and a follower polling
// in between would step over it: the PostgreSQL backend should serialise
// AppendMessage (pg_advisory_xact_lock) or have followers re-read a short
// window behind their last seq.

const messageCols = `seq, pool_id, username, sub, medium, destination, kind, subject, body, code, created_ms`

var (
	qInsertMessage = reg(`INSERT INTO messages (pool_id, username, sub, medium, destination, kind, subject, body, code, created_ms)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`)
	// qListMessages[pool filter][username filter]; without a filter the
	// primary key, with one its index (pool_id, seq) or (username, seq).
	qListMessages = [2][2]string{
		{reg(listMessages(``)), reg(listMessages(` AND username = ?`))},
		{reg(listMessages(` AND pool_id = ?`)), reg(listMessages(` AND pool_id = ? AND username = ?`))},
	}
)

func listMessages(filter string) string {
	return `SELECT ` + messageCols + ` FROM messages WHERE seq > ?` + filter + ` ORDER BY seq LIMIT ?`
}

func (s *Store) AppendMessage(ctx context.Context, m store.Message) (store.Message, error) {
	if !validText(m.PoolID, m.Username, m.Sub, m.Medium, m.Destination, m.Kind, m.Subject, m.Body, m.Code) {
		return store.Message{}, invalid("message field not valid UTF-8 or contains NUL")
	}
	var seq int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		return s.txRow(ctx, tx, qInsertMessage, m.PoolID, m.Username, m.Sub, m.Medium, m.Destination, m.Kind,
			m.Subject, m.Body, m.Code, ms(m.Created)).Scan(&seq)
	})
	if err != nil {
		return store.Message{}, err
	}
	m.Seq = seq
	m.Created = fromMS(ms(m.Created))
	return m, nil
}

func (s *Store) ListMessages(ctx context.Context, q store.MessageQuery) ([]store.Message, error) {
	// Both dialects take a number as LIMIT, neither the same "no limit".
	limit := int64(math.MaxInt64)
	if q.Limit > 0 {
		limit = int64(q.Limit)
	}
	args := []any{max(q.AfterSeq, 0)}
	byPool, byUser := 0, 0
	if q.PoolID != "" {
		byPool = 1
		args = append(args, q.PoolID)
	}
	if q.Username != "" {
		byUser = 1
		args = append(args, q.Username)
	}
	if !validText(q.PoolID, q.Username) {
		return nil, nil
	}
	rows, err := s.read(ctx, qListMessages[byPool][byUser], append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Message
	for rows.Next() {
		var m store.Message
		var created int64
		if err := rows.Scan(&m.Seq, &m.PoolID, &m.Username, &m.Sub, &m.Medium, &m.Destination, &m.Kind,
			&m.Subject, &m.Body, &m.Code, &created); err != nil {
			return nil, err
		}
		m.Created = fromMS(created)
		out = append(out, m)
	}
	return out, rows.Err()
}

package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/cognitod/cognitod/internal/store"
)

// Groups are rows of user_groups, unique by (pool_id, name); memberships are
// rows of group_members (group_seq, user_seq), whose primary key lists a
// group's members in the users' creation order and whose second index
// (user_seq, group_seq) lists a user's groups in the groups' creation order.
// Memberships name the rows by seq, so they carry no pool id: they go with
// the group or the user.

const groupCols = `g.seq, g.pool_id, g.name, g.created_ms, g.modified_ms, g.doc`

var (
	qInsertGroup        = reg(`INSERT INTO user_groups (pool_id, name, created_ms, modified_ms, doc) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	qGroup              = reg(`SELECT ` + groupCols + ` FROM user_groups g WHERE g.pool_id = ? AND g.name = ?`)
	qGroupForUpdate     = reg(`SELECT ` + groupCols + ` FROM user_groups g WHERE g.pool_id = ? AND g.name = ? /*FOR UPDATE*/`)
	qGroupSeq           = reg(`SELECT seq FROM user_groups WHERE pool_id = ? AND name = ? /*FOR KEY SHARE*/`)
	qGroupSeqForUpdate  = reg(`SELECT seq FROM user_groups WHERE pool_id = ? AND name = ? /*FOR UPDATE*/`)
	qUpdateGroup        = reg(`UPDATE user_groups SET modified_ms = ?, doc = ? WHERE seq = ?`)
	qDeleteGroupMembers = reg(`DELETE FROM group_members WHERE group_seq = ?`)
	qDeleteGroup        = reg(`DELETE FROM user_groups WHERE seq = ?`)
	qListGroups         = reg(`SELECT ` + groupCols + ` FROM user_groups g WHERE g.pool_id = ? AND g.seq > ? ORDER BY g.seq LIMIT ?`)
	qCountGroups        = reg(`SELECT COUNT(*) FROM user_groups WHERE pool_id = ?`)
	qAddMember          = reg(`INSERT INTO group_members (group_seq, user_seq) VALUES (?, ?) ON CONFLICT DO NOTHING`)
	qRemoveMember       = reg(`DELETE FROM group_members WHERE group_seq = ? AND user_seq = ?`)
	qUserExists         = reg(`SELECT 1 FROM users WHERE pool_id = ? AND sub = ?`)
	qGroupExists        = reg(`SELECT 1 FROM user_groups WHERE pool_id = ? AND name = ?`)
	qListGroupsForUser  = reg(`SELECT ` + groupCols + ` FROM users u JOIN group_members m ON m.user_seq = u.seq JOIN user_groups g ON g.seq = m.group_seq WHERE u.pool_id = ? AND u.sub = ? AND m.group_seq > ? ORDER BY m.group_seq LIMIT ?`)
	qListUsersInGroup   = reg(`SELECT ` + userCols + ` FROM user_groups g JOIN group_members m ON m.group_seq = g.seq JOIN users u ON u.seq = m.user_seq WHERE g.pool_id = ? AND g.name = ? AND m.user_seq > ? ORDER BY m.user_seq LIMIT ?`)
)

func notFoundGroup() error { return &store.NotFoundError{What: "group"} }

func scanGroup(row scanner) (store.Group, int64, error) {
	var g store.Group
	var seq, created, modified int64
	if err := row.Scan(&seq, &g.PoolID, &g.Name, &created, &modified, &g.Doc); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return g, 0, notFoundGroup()
		}
		return g, 0, err
	}
	g.Created, g.Modified = fromMS(created), fromMS(modified)
	return g, seq, nil
}

func (s *Store) CreateGroup(ctx context.Context, g store.Group) error {
	if g.Name == "" || !validText(g.PoolID, g.Name) {
		return invalid("group name %q: empty, not valid UTF-8 or contains NUL", g.Name)
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.poolExists(ctx, tx, g.PoolID); err != nil {
			return err
		}
		res, err := s.txExec(ctx, tx, qInsertGroup, g.PoolID, g.Name, ms(g.Created), ms(g.Modified), doc(g.Doc))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		return &store.ConflictError{Field: "group"}
	})
}

func (s *Store) GetGroup(ctx context.Context, poolID, name string) (store.Group, error) {
	if !validText(poolID, name) {
		return store.Group{}, notFoundGroup()
	}
	g, _, err := scanGroup(s.readRow(ctx, qGroup, poolID, name))
	return g, err
}

func (s *Store) UpdateGroup(ctx context.Context, poolID, name string, fn func(store.Group) (store.Group, error)) (store.Group, error) {
	if !validText(poolID, name) {
		return store.Group{}, notFoundGroup()
	}
	var out store.Group
	err := s.tx(ctx, func(tx *sql.Tx) error {
		old, seq, err := scanGroup(s.txRow(ctx, tx, qGroupForUpdate, poolID, name))
		if err != nil {
			return err
		}
		g, err := fn(old)
		if err != nil {
			return err
		}
		if _, err := s.txExec(ctx, tx, qUpdateGroup, ms(g.Modified), doc(g.Doc), seq); err != nil {
			return err
		}
		g.PoolID, g.Name, g.Created, g.Modified = old.PoolID, old.Name, old.Created, fromMS(ms(g.Modified))
		out = g
		return nil
	})
	return out, err
}

func (s *Store) DeleteGroup(ctx context.Context, poolID, name string) error {
	if !validText(poolID, name) {
		return notFoundGroup()
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		var seq int64
		if err := s.txRow(ctx, tx, qGroupSeqForUpdate, poolID, name).Scan(&seq); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return notFoundGroup()
			}
			return err
		}
		if _, err := s.txExec(ctx, tx, qDeleteGroupMembers, seq); err != nil {
			return err
		}
		_, err := s.txExec(ctx, tx, qDeleteGroup, seq)
		return err
	})
}

func (s *Store) ListGroups(ctx context.Context, poolID string, page store.Page) ([]store.Group, string, error) {
	after, err := decodeCursor(page.Cursor)
	if err != nil {
		return nil, "", err
	}
	limit := max(page.Limit, 1)
	rows, err := s.read(ctx, qListGroups, poolID, after, limit+1)
	if err != nil {
		return nil, "", err
	}
	return collect(rows, limit, scanGroup)
}

func (s *Store) CountGroups(ctx context.Context, poolID string) (int, error) {
	var n int
	err := s.readRow(ctx, qCountGroups, poolID).Scan(&n)
	return n, err
}

// memberKeys finds the rows of a membership inside a write transaction, and
// on PostgreSQL keeps them from being deleted until it ends.
func (s *Store) memberKeys(ctx context.Context, tx *sql.Tx, poolID, groupName, sub string) (groupSeq, userSeq int64, err error) {
	if !validText(poolID, sub) {
		return 0, 0, notFoundUser()
	}
	if err := s.txRow(ctx, tx, qUserSeqBySub, poolID, sub).Scan(&userSeq); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, 0, notFoundUser()
		}
		return 0, 0, err
	}
	if !validText(groupName) {
		return 0, 0, notFoundGroup()
	}
	if err := s.txRow(ctx, tx, qGroupSeq, poolID, groupName).Scan(&groupSeq); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, 0, notFoundGroup()
		}
		return 0, 0, err
	}
	return groupSeq, userSeq, nil
}

func (s *Store) AddUserToGroup(ctx context.Context, poolID, groupName, sub string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		g, u, err := s.memberKeys(ctx, tx, poolID, groupName, sub)
		if err != nil {
			return err
		}
		_, err = s.txExec(ctx, tx, qAddMember, g, u)
		return err
	})
}

func (s *Store) RemoveUserFromGroup(ctx context.Context, poolID, groupName, sub string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		g, u, err := s.memberKeys(ctx, tx, poolID, groupName, sub)
		if err != nil {
			return err
		}
		_, err = s.txExec(ctx, tx, qRemoveMember, g, u)
		return err
	})
}

func (s *Store) ListGroupsForUser(ctx context.Context, poolID, sub string, page store.Page) ([]store.Group, string, error) {
	after, err := decodeCursor(page.Cursor)
	if err != nil {
		return nil, "", err
	}
	if !validText(poolID, sub) {
		return nil, "", notFoundUser()
	}
	limit := max(page.Limit, 1)
	rows, err := s.read(ctx, qListGroupsForUser, poolID, sub, after, limit+1)
	if err != nil {
		return nil, "", err
	}
	out, next, err := collect(rows, limit, scanGroup)
	if err == nil && len(out) == 0 {
		// One query in the common case; tell "no groups" from "no user"
		// only when nothing came back.
		err = s.exists(ctx, qUserExists, notFoundUser, poolID, sub)
	}
	return out, next, err
}

func (s *Store) ListUsersInGroup(ctx context.Context, poolID, groupName string, page store.Page) ([]store.User, string, error) {
	after, err := decodeCursor(page.Cursor)
	if err != nil {
		return nil, "", err
	}
	if !validText(poolID, groupName) {
		return nil, "", notFoundGroup()
	}
	limit := max(page.Limit, 1)
	rows, err := s.read(ctx, qListUsersInGroup, poolID, groupName, after, limit+1)
	if err != nil {
		return nil, "", err
	}
	out, next, err := collect(rows, limit, scanUserRow)
	if err == nil && len(out) == 0 {
		err = s.exists(ctx, qGroupExists, notFoundGroup, poolID, groupName)
	}
	return out, next, err
}

// exists runs a SELECT 1 query and returns notFound() when it finds no row.
func (s *Store) exists(ctx context.Context, query string, notFound func() error, args ...any) error {
	var one int
	err := s.readRow(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound()
	}
	return err
}

package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cognitod/cognitod/internal/store"
)

// Users are rows of users: the keys (username_key, sub) in unique indexes,
// the document, and the indexed values again (search, aliases), so
// that one SELECT returns the whole store.User and updates know which index
// rows to replace. The index rows are in user_search (pool_id, attr, value,
// user_seq), whose primary key serves both ListUsers filters, and in
// user_aliases (pool_id, kind, alias_key) → user_seq, whose primary key
// makes aliases unique. Both point at users.seq, the creation order.
//
// Unique values are inserted with ON CONFLICT DO NOTHING (SQLite ≥ 3.24 and
// PostgreSQL) and a missing row or a short row count tells the conflict:
// unlike a unique violation, that does not abort a PostgreSQL transaction,
// so the store can then look up which value was taken and say so.

const userCols = `u.seq, u.pool_id, u.sub, u.username, u.username_key, u.status, u.enabled, u.created_ms, u.modified_ms, u.doc, u.search, u.aliases`

var (
	qInsertUser = reg(`INSERT INTO users (pool_id, sub, username, username_key, status, enabled, created_ms, modified_ms, doc, search, aliases)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING seq`)
	qUserByKey          = reg(`SELECT ` + userCols + ` FROM users u WHERE u.pool_id = ? AND u.username_key = ?`)
	qUserBySub          = reg(`SELECT ` + userCols + ` FROM users u WHERE u.pool_id = ? AND u.sub = ?`)
	qUserBySubForUpdate = reg(`SELECT ` + userCols + ` FROM users u WHERE u.pool_id = ? AND u.sub = ? /*FOR UPDATE*/`)
	qUserByAlias        = reg(`SELECT ` + userCols + ` FROM user_aliases a JOIN users u ON u.seq = a.user_seq WHERE a.pool_id = ? AND a.kind = ? AND a.alias_key = ?`)
	qUserSeqBySub       = reg(`SELECT seq FROM users WHERE pool_id = ? AND sub = ? /*FOR KEY SHARE*/`)
	qUserKeyTaken       = reg(`SELECT 1 FROM users WHERE pool_id = ? AND username_key = ?`)
	qUserSubTaken       = reg(`SELECT 1 FROM users WHERE pool_id = ? AND sub = ?`)
	qAliasOwner         = reg(`SELECT user_seq FROM user_aliases WHERE pool_id = ? AND kind = ? AND alias_key = ?`)
	qUpdateUser         = reg(`UPDATE users SET status = ?, enabled = ?, modified_ms = ?, doc = ?, search = ?, aliases = ? WHERE seq = ?`)
	qDeleteSearch       = reg(`DELETE FROM user_search WHERE pool_id = ? AND attr = ? AND value = ? AND user_seq = ?`)
	qDeleteAlias        = reg(`DELETE FROM user_aliases WHERE pool_id = ? AND kind = ? AND alias_key = ? AND user_seq = ?`)
	qDeleteUserGroups   = reg(`DELETE FROM group_members WHERE user_seq = ?`)
	qDeleteUser         = reg(`DELETE FROM users WHERE seq = ?`)
	qCountUsers         = reg(`SELECT COUNT(*) FROM users WHERE pool_id = ?`)

	// The lists. Unfiltered: creation order, from the (pool_id, seq)
	// index. Filtered: the primary key of user_search, in (value,
	// user_seq) order, joined to users by primary key; a page reads limit+1
	// index entries and as many users, whatever the pool's size.
	//
	// The prefix range starts at the cursor with a row-value comparison
	// (SQLite ≥ 3.15, PostgreSQL), which both use as the start of the index
	// range (checked by sqlite's TestQueryPlans), and ends below the least
	// string greater than every string with the prefix (prefixEnd), not
	// with LIKE, which has wildcards to escape, is case-insensitive in
	// SQLite, and needs a collation-specific index in PostgreSQL.
	qListUsers          = reg(`SELECT ` + userCols + ` FROM users u WHERE u.pool_id = ? AND u.seq > ? ORDER BY u.seq LIMIT ?`)
	qListUsersEqual     = reg(`SELECT ` + userCols + `, s.value FROM user_search s JOIN users u ON u.seq = s.user_seq WHERE s.pool_id = ? AND s.attr = ? AND s.value = ? AND s.user_seq > ? ORDER BY s.user_seq LIMIT ?`)
	qListUsersPrefix    = reg(`SELECT ` + userCols + `, s.value FROM user_search s JOIN users u ON u.seq = s.user_seq WHERE s.pool_id = ? AND s.attr = ? AND (s.value, s.user_seq) > (?, ?) AND s.value < ? ORDER BY s.value, s.user_seq LIMIT ?`)
	qListUsersPrefixAll = reg(`SELECT ` + userCols + `, s.value FROM user_search s JOIN users u ON u.seq = s.user_seq WHERE s.pool_id = ? AND s.attr = ? AND (s.value, s.user_seq) > (?, ?) ORDER BY s.value, s.user_seq LIMIT ?`)
)

// Multi-row INSERTs of index rows, one statement per user however many
// values it has. The texts for up to preparedRows rows are made once (and
// registered, for TestQueryPlans); longer ones on each call.
const preparedRows = 16

var (
	qInsertSearch  = multiInserts(`INSERT INTO user_search (pool_id, attr, value, user_seq) VALUES `, 4, ``)
	qInsertAliases = multiInserts(`INSERT INTO user_aliases (pool_id, kind, alias_key, user_seq) VALUES `, 4, ` ON CONFLICT DO NOTHING`)
)

func multiInserts(head string, cols int, tail string) func(n int) string {
	texts := make([]string, preparedRows+1)
	build := func(n int) string {
		var b strings.Builder
		b.WriteString(head)
		row := "(" + strings.Repeat("?, ", cols-1) + "?)"
		for i := range n {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(row)
		}
		b.WriteString(tail)
		return b.String()
	}
	for n := 1; n <= preparedRows; n++ {
		texts[n] = reg(build(n))
	}
	return func(n int) string {
		if n <= preparedRows {
			return texts[n]
		}
		return build(n)
	}
}

// validText reports whether a string can be a key or an indexed value: valid
// UTF-8 (PostgreSQL rejects anything else in text columns, and prefix ranges
// rely on it, see prefixEnd) without NUL (which PostgreSQL text cannot hold).
func validText(ss ...string) bool {
	for _, s := range ss {
		if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
			return false
		}
	}
	return true
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{store.ErrInvalid}, args...)...)
}

// checkIndexed checks what a user record asks the store to index, and
// returns the search values sorted by attribute and the aliases sorted and
// without duplicates.
func checkIndexed(u *store.User) ([]searchValue, []store.Alias, error) {
	if !validText(u.Status) {
		return nil, nil, invalid("user status is not valid UTF-8 or contains NUL")
	}
	search := make([]searchValue, 0, len(u.Search))
	for attr, v := range u.Search {
		if attr == "" {
			return nil, nil, invalid("empty search attribute")
		}
		if !validText(attr, v) {
			return nil, nil, invalid("search attribute %q: not valid UTF-8 or contains NUL", attr)
		}
		search = append(search, searchValue{attr, v})
	}
	slices.SortFunc(search, func(a, b searchValue) int { return strings.Compare(a.attr, b.attr) })
	aliases := slices.Clone(u.Aliases)
	for _, a := range aliases {
		if a.Kind == "" || a.Key == "" {
			return nil, nil, invalid("alias %q %q: empty kind or key", a.Kind, a.Key)
		}
		if !validText(a.Kind, a.Key) {
			return nil, nil, invalid("alias %q: not valid UTF-8 or contains NUL", a.Kind)
		}
	}
	slices.SortFunc(aliases, compareAlias)
	aliases = slices.Compact(aliases)
	if len(aliases) == 0 {
		aliases = nil
	}
	return search, aliases, nil
}

func compareAlias(a, b store.Alias) int {
	if c := strings.Compare(a.Kind, b.Kind); c != 0 {
		return c
	}
	return strings.Compare(a.Key, b.Key)
}

type searchValue struct{ attr, value string }

// The search and aliases columns hold their pairs as one string each: the
// parts (attribute, value, attribute, value … or kind, key …) separated by
// NUL, which validText keeps out of every part. Reading them is one
// allocation and a scan, several times cheaper than JSON, which mattered:
// decoding was half the time of a page of ListUsers. The columns are BLOBs
// (BYTEA in PostgreSQL, whose text cannot hold NUL).

func encodeSearch(search []searchValue) []byte {
	var b []byte
	for i, sv := range search {
		if i > 0 {
			b = append(b, 0)
		}
		b = append(append(append(b, sv.attr...), 0), sv.value...)
	}
	return nonNil(b)
}

func encodeAliases(aliases []store.Alias) []byte {
	var b []byte
	for i, a := range aliases {
		if i > 0 {
			b = append(b, 0)
		}
		b = append(append(append(b, a.Kind...), 0), a.Key...)
	}
	return nonNil(b)
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// pairs splits an encoded column into its parts, which must come in pairs.
func pairs(b []byte) ([]string, error) {
	if len(b) == 0 {
		return nil, nil
	}
	all := string(b) // one allocation; the parts share it
	parts := strings.Split(all, "\x00")
	if len(parts)%2 != 0 {
		return nil, fmt.Errorf("odd number of parts (%d)", len(parts))
	}
	return parts, nil
}

func decodeIndexed(u *store.User, search, aliases []byte) error {
	parts, err := pairs(search)
	if err != nil {
		return fmt.Errorf("user %q: search column: %w", u.Sub, err)
	}
	u.Search = nil
	if len(parts) > 0 {
		u.Search = make(map[string]string, len(parts)/2)
		for i := 0; i < len(parts); i += 2 {
			u.Search[parts[i]] = parts[i+1]
		}
	}
	if parts, err = pairs(aliases); err != nil {
		return fmt.Errorf("user %q: aliases column: %w", u.Sub, err)
	}
	u.Aliases = nil
	if len(parts) > 0 {
		u.Aliases = make([]store.Alias, len(parts)/2)
		for i := range u.Aliases {
			u.Aliases[i] = store.Alias{Kind: parts[2*i], Key: parts[2*i+1]}
		}
	}
	return nil
}

// scanUser scans userCols, then extra.
func scanUser(row scanner, extra ...any) (store.User, int64, error) {
	var u store.User
	var seq, created, modified, enabled int64
	var search, aliases []byte
	dest := append([]any{&seq, &u.PoolID, &u.Sub, &u.Username, &u.UsernameKey, &u.Status, &enabled, &created, &modified, &u.Doc, &search, &aliases}, extra...)
	if err := row.Scan(dest...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return u, 0, &store.NotFoundError{What: "user"}
		}
		return u, 0, err
	}
	u.Enabled = enabled != 0
	u.Created, u.Modified = fromMS(created), fromMS(modified)
	return u, seq, decodeIndexed(&u, search, aliases)
}

func scanUserRow(row scanner) (store.User, int64, error) { return scanUser(row) }

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func (s *Store) CreateUser(ctx context.Context, u store.User) error {
	nu, err := prepareNewUser(u)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		v, err := s.poolVersion(ctx, tx, u.PoolID)
		if err != nil {
			return err
		}
		if u.PoolVersion != 0 && u.PoolVersion != v {
			return store.ErrStalePool
		}
		return s.insertUser(ctx, tx, nu)
	})
}

// CreateUsers creates many users of one pool in one transaction (a user
// import, a benchmark's data): all of them, or none and the error of the
// first that CreateUser would refuse. It is not part of store.Store.
func (s *Store) CreateUsers(ctx context.Context, poolID string, users []store.User) error {
	nus := make([]newUser, len(users))
	for i, u := range users {
		if u.PoolID != poolID {
			return invalid("user %q of pool %q in a batch for %q", u.Sub, u.PoolID, poolID)
		}
		var err error
		if nus[i], err = prepareNewUser(u); err != nil {
			return err
		}
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.poolExists(ctx, tx, poolID); err != nil {
			return err
		}
		for _, nu := range nus {
			if err := s.insertUser(ctx, tx, nu); err != nil {
				return err
			}
		}
		return nil
	})
}

// newUser is a checked user with its index values in storable form.
type newUser struct {
	u                     store.User
	search                []searchValue
	aliases               []store.Alias
	searchCol, aliasesCol []byte
}

func prepareNewUser(u store.User) (newUser, error) {
	switch {
	case u.Sub == "" || u.Username == "" || u.UsernameKey == "":
		return newUser{}, invalid("user without sub, username or username key")
	case !validText(u.PoolID, u.Sub, u.Username, u.UsernameKey):
		return newUser{}, invalid("user %q: pool id, sub, username or username key is not valid UTF-8 or contains NUL", u.Sub)
	}
	nu := newUser{u: u}
	var err error
	if nu.search, nu.aliases, err = checkIndexed(&u); err != nil {
		return newUser{}, err
	}
	nu.searchCol, nu.aliasesCol = encodeSearch(nu.search), encodeAliases(nu.aliases)
	return nu, nil
}

// insertUser inserts a user and its index rows: three statements.
func (s *Store) insertUser(ctx context.Context, tx *sql.Tx, nu newUser) error {
	u := nu.u
	var seq int64
	err := s.txRow(ctx, tx, qInsertUser, u.PoolID, u.Sub, u.Username, u.UsernameKey, u.Status, boolInt(u.Enabled),
		ms(u.Created), ms(u.Modified), doc(u.Doc), nu.searchCol, nu.aliasesCol).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return s.userConflict(ctx, tx, u)
	}
	if err != nil {
		return err
	}
	if err := s.insertSearch(ctx, tx, u.PoolID, seq, nu.search); err != nil {
		return err
	}
	return s.insertAliases(ctx, tx, u.PoolID, seq, nu.aliases)
}

// userConflict names the unique value of u that another user has.
func (s *Store) userConflict(ctx context.Context, tx *sql.Tx, u store.User) error {
	for _, c := range []struct{ query, key, field string }{
		{qUserKeyTaken, u.UsernameKey, "username"},
		{qUserSubTaken, u.Sub, "sub"},
	} {
		var one int
		err := s.txRow(ctx, tx, c.query, u.PoolID, c.key).Scan(&one)
		if err == nil {
			return &store.ConflictError{Field: c.field}
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	return errRetry
}

func (s *Store) insertSearch(ctx context.Context, tx *sql.Tx, poolID string, seq int64, search []searchValue) error {
	if len(search) == 0 {
		return nil
	}
	args := make([]any, 0, 4*len(search))
	for _, sv := range search {
		args = append(args, poolID, sv.attr, sv.value, seq)
	}
	_, err := s.txExec(ctx, tx, qInsertSearch(len(search)), args...)
	return err
}

// insertAliases inserts the aliases of user seq, or fails with a
// *ConflictError naming the first one that another user has.
func (s *Store) insertAliases(ctx context.Context, tx *sql.Tx, poolID string, seq int64, aliases []store.Alias) error {
	if len(aliases) == 0 {
		return nil
	}
	args := make([]any, 0, 4*len(aliases))
	for _, a := range aliases {
		args = append(args, poolID, a.Kind, a.Key, seq)
	}
	res, err := s.txExec(ctx, tx, qInsertAliases(len(aliases)), args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == int64(len(aliases)) {
		return err
	}
	for _, a := range aliases {
		var owner int64
		if err := s.txRow(ctx, tx, qAliasOwner, poolID, a.Kind, a.Key).Scan(&owner); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			return err
		}
		if owner != seq {
			return &store.ConflictError{Field: "alias:" + a.Kind}
		}
	}
	return errRetry
}

func notFoundUser() error { return &store.NotFoundError{What: "user"} }

func (s *Store) GetUserByKey(ctx context.Context, poolID, usernameKey string) (store.User, error) {
	if !validText(poolID, usernameKey) {
		return store.User{}, notFoundUser()
	}
	u, _, err := scanUser(s.readRow(ctx, qUserByKey, poolID, usernameKey))
	return u, err
}

func (s *Store) GetUserBySub(ctx context.Context, poolID, sub string) (store.User, error) {
	if !validText(poolID, sub) {
		return store.User{}, notFoundUser()
	}
	u, _, err := scanUser(s.readRow(ctx, qUserBySub, poolID, sub))
	return u, err
}

func (s *Store) FindUserByAlias(ctx context.Context, poolID, kind, key string) (store.User, error) {
	if !validText(poolID, kind, key) {
		return store.User{}, notFoundUser()
	}
	u, _, err := scanUser(s.readRow(ctx, qUserByAlias, poolID, kind, key))
	return u, err
}

func (s *Store) UpdateUser(ctx context.Context, poolID, sub string, fn func(store.User) (store.User, error)) (store.User, error) {
	if !validText(poolID, sub) {
		return store.User{}, notFoundUser()
	}
	var out store.User
	err := s.tx(ctx, func(tx *sql.Tx) error {
		old, seq, err := scanUser(s.txRow(ctx, tx, qUserBySubForUpdate, poolID, sub))
		if err != nil {
			return err
		}
		arg := old
		arg.Search = maps.Clone(old.Search)
		arg.Aliases = slices.Clone(old.Aliases)
		u, err := fn(arg)
		if err != nil {
			return err
		}
		u.PoolID, u.Sub, u.Username, u.UsernameKey, u.Created = old.PoolID, old.Sub, old.Username, old.UsernameKey, old.Created
		search, aliases, err := checkIndexed(&u)
		if err != nil {
			return err
		}

		// Index rows that change: delete the old, insert the new. Aliases
		// are deleted first so that a user may swap values between kinds.
		var addSearch []searchValue
		for _, sv := range search {
			if ov, ok := old.Search[sv.attr]; !ok || ov != sv.value {
				addSearch = append(addSearch, sv)
			}
		}
		for attr, ov := range old.Search {
			if nv, ok := u.Search[attr]; !ok || nv != ov {
				if _, err := s.txExec(ctx, tx, qDeleteSearch, poolID, attr, ov, seq); err != nil {
					return err
				}
			}
		}
		var addAliases []store.Alias
		for _, a := range aliases {
			if _, found := slices.BinarySearchFunc(old.Aliases, a, compareAlias); !found {
				addAliases = append(addAliases, a)
			}
		}
		for _, a := range old.Aliases {
			if _, found := slices.BinarySearchFunc(aliases, a, compareAlias); !found {
				if _, err := s.txExec(ctx, tx, qDeleteAlias, poolID, a.Kind, a.Key, seq); err != nil {
					return err
				}
			}
		}
		if err := s.insertSearch(ctx, tx, poolID, seq, addSearch); err != nil {
			return err
		}
		if err := s.insertAliases(ctx, tx, poolID, seq, addAliases); err != nil {
			return err
		}
		if _, err := s.txExec(ctx, tx, qUpdateUser, u.Status, boolInt(u.Enabled), ms(u.Modified), doc(u.Doc), encodeSearch(search), encodeAliases(aliases), seq); err != nil {
			return err
		}
		u.Modified = fromMS(ms(u.Modified))
		u.Aliases = aliases
		if len(u.Search) == 0 {
			u.Search = nil
		}
		out = u
		return nil
	})
	return out, err
}

func (s *Store) DeleteUser(ctx context.Context, poolID, sub string) error {
	if !validText(poolID, sub) {
		return notFoundUser()
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		old, seq, err := scanUser(s.txRow(ctx, tx, qUserBySubForUpdate, poolID, sub))
		if err != nil {
			return err
		}
		for attr, v := range old.Search {
			if _, err := s.txExec(ctx, tx, qDeleteSearch, poolID, attr, v, seq); err != nil {
				return err
			}
		}
		for _, a := range old.Aliases {
			if _, err := s.txExec(ctx, tx, qDeleteAlias, poolID, a.Kind, a.Key, seq); err != nil {
				return err
			}
		}
		if _, err := s.txExec(ctx, tx, qDeleteUserGroups, seq); err != nil {
			return err
		}
		if _, err := s.txExec(ctx, tx, qDeleteUserSessions, poolID, sub); err != nil {
			return err
		}
		_, err = s.txExec(ctx, tx, qDeleteUser, seq)
		return err
	})
}

func (s *Store) CountUsers(ctx context.Context, poolID string) (int, error) {
	var n int
	err := s.readRow(ctx, qCountUsers, poolID).Scan(&n)
	return n, err
}

func (s *Store) ListUsers(ctx context.Context, poolID string, q store.UserQuery, page store.Page) ([]store.User, string, error) {
	limit := max(page.Limit, 1)
	switch q.Op {
	case store.OpAll:
		after, err := decodeCursor(page.Cursor)
		if err != nil {
			return nil, "", err
		}
		rows, err := s.read(ctx, qListUsers, poolID, after, limit+1)
		if err != nil {
			return nil, "", err
		}
		return collect(rows, limit, scanUserRow)
	case store.OpEqual, store.OpPrefix:
	default:
		return nil, "", invalid("ListUsers operator %q", q.Op)
	}

	// Filtered lists are in (value, seq) order and their cursors name both.
	afterSeq, afterValue := int64(0), q.Value
	if page.Cursor != "" {
		var err error
		afterSeq, afterValue, err = decodeValueCursor(q, page.Cursor)
		if err != nil {
			return nil, "", err
		}
		// (Also a forged cursor must stay in the filter's range.)
		if q.Op == store.OpEqual && afterValue != q.Value || q.Op == store.OpPrefix && !strings.HasPrefix(afterValue, q.Value) || !validText(afterValue) {
			return nil, "", store.ErrBadCursor
		}
	}
	if !validText(poolID, q.Attr, q.Value) {
		return nil, "", nil // stored values are valid text: none matches
	}
	var rows *sql.Rows
	var err error
	switch end, bounded := prefixEnd(q.Value); {
	case q.Op == store.OpEqual:
		rows, err = s.read(ctx, qListUsersEqual, poolID, q.Attr, q.Value, afterSeq, limit+1)
	case bounded:
		rows, err = s.read(ctx, qListUsersPrefix, poolID, q.Attr, afterValue, afterSeq, end, limit+1)
	default:
		rows, err = s.read(ctx, qListUsersPrefixAll, poolID, q.Attr, afterValue, afterSeq, limit+1)
	}
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []store.User
	var lastSeq int64
	var lastValue string
	for rows.Next() {
		if len(out) == limit {
			return out, encodeValueCursor(q, lastSeq, lastValue), rows.Close()
		}
		u, seq, err := scanUser(rows, &lastValue)
		if err != nil {
			return nil, "", err
		}
		out = append(out, u)
		lastSeq = seq
	}
	return out, "", rows.Err()
}

// prefixEnd returns the least string that is greater, in byte order, than
// every string that starts with p, and false when there is none (p is
// empty or only U+10FFFF). It increments the last code point, dropping
// trailing U+10FFFF first and skipping the surrogates (U+D7FF is followed by
// U+E000), so that the bound is valid UTF-8 as PostgreSQL requires. UTF-8
// orders code points like their bytes and no encoding is a prefix of
// another, so for valid UTF-8 values (the only ones stored),
// value >= p AND value < prefixEnd(p) holds exactly when value starts with
// p. p must be valid UTF-8 (ListUsers checks).
func prefixEnd(p string) (string, bool) {
	rs := []rune(p)
	for len(rs) > 0 {
		last := rs[len(rs)-1]
		if last == utf8.MaxRune {
			rs = rs[:len(rs)-1]
			continue
		}
		last++
		if last == 0xD800 {
			last = 0xE000
		}
		rs[len(rs)-1] = last
		return string(rs), true
	}
	return "", false
}

// Filtered cursors are "v<query hash>:<seq>:<value>", the position after
// the last user of the previous page, base64url-encoded. The hash (FNV-1a,
// 32 bits, of the query) keeps a cursor from being used with another
// filter, where it would name a position in another order. Unfiltered
// cursors are only the sequence number (decodeCursor), so neither passes
// for the other.
func queryHash(q store.UserQuery) string {
	h := fnv.New32a()
	h.Write([]byte(q.Attr + "\x00" + q.Op + "\x00" + q.Value))
	return strconv.FormatUint(uint64(h.Sum32()), 36)
}

func encodeValueCursor(q store.UserQuery, seq int64, value string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("v" + queryHash(q) + ":" + strconv.FormatInt(seq, 10) + ":" + value))
}

func decodeValueCursor(q store.UserQuery, c string) (int64, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) == 0 || b[0] != 'v' {
		return 0, "", store.ErrBadCursor
	}
	hash, rest, ok := strings.Cut(string(b[1:]), ":")
	if !ok || hash != queryHash(q) {
		return 0, "", store.ErrBadCursor
	}
	num, value, ok := strings.Cut(rest, ":")
	if !ok {
		return 0, "", store.ErrBadCursor
	}
	seq, err := strconv.ParseInt(num, 10, 64)
	if err != nil || seq < 0 {
		return 0, "", store.ErrBadCursor
	}
	return seq, value, nil
}

package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/store/sqlite"
	"github.com/cognitod/cognitod/internal/store/sqlstore"
	"github.com/cognitod/cognitod/internal/store/storetest"
)

func openFile(t *testing.T, path string) *sqlstore.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open(%q): %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// template is a database file with the whole schema, made once: copying it
// is much cheaper than running the migrations for every sub-test (the race
// detector makes SQLite's parser slow). TestPersistence and
// TestTwoStoresOneFile migrate new files.
var template = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "cognitod-template")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "template.db")
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		return nil, err
	}
	if err := s.Close(); err != nil { // checkpoints the log into the file
		return nil, err
	}
	return os.ReadFile(path)
})

// TestConformanceFile runs the suite on a new database file per sub-test.
func TestConformanceFile(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) store.Store {
		b, err := template()
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "cognitod.db")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return openFile(t, path)
	})
}

// TestConformanceMemory runs the suite on one in-memory store, Reset between
// sub-tests (which the Opener contract allows): this also checks that Reset
// leaves nothing that a later sub-test could see.
func TestConformanceMemory(t *testing.T) {
	t.Parallel()
	s, err := sqlite.OpenMemory(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	storetest.Run(t, func(t *testing.T) store.Store {
		if err := s.Reset(t.Context()); err != nil {
			t.Fatal(err)
		}
		return s
	})
	// And once on a new one.
	t.Run("New", func(t *testing.T) {
		s, err := sqlite.OpenMemory(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		storetest.Counter(t, []store.Store{s}, 4, 4)
	})
}

// TestMemoryIsPrivate checks that two in-memory stores do not share data.
func TestMemoryIsPrivate(t *testing.T) {
	ctx := t.Context()
	a, err := sqlite.OpenMemory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := sqlite.OpenMemory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := a.CreateUserPool(ctx, store.UserPool{ID: "us-east-1_a", Name: "a", Created: time.Now(), Doc: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.GetUserPool(ctx, "us-east-1_a"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("other memory store: %v, want %v", err, store.ErrNotFound)
	}
}

func TestPersistence(t *testing.T) {
	ctx := t.Context()
	// Characters that mean something in a URI must not break the path.
	dir := filepath.Join(t.TempDir(), "data dir?x=1#frag%20")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "cognitod.db")
	created := time.Date(2024, 1, 2, 3, 4, 5, 6789000, time.UTC)
	pool := store.UserPool{ID: "us-east-1_persist", Name: "persist", Created: created, Doc: []byte{0xff, 0x00, '{', '}'}}
	client := store.Client{PoolID: pool.ID, ClientID: "persistclient", Name: "c", Created: created, Doc: []byte(`{"x":1}`)}

	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUserPool(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateClient(ctx, client); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateUserPool(ctx, pool.ID, func(p store.UserPool) (store.UserPool, error) {
		p.Name = "persist 2"
		return p, nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file not at the path given: %v", err)
	}

	for round := range 2 { // reopening twice also re-runs the migrations twice
		s := openFile(t, path)
		p, err := s.GetUserPool(ctx, pool.ID)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if p.Name != "persist 2" || string(p.Doc) != string(pool.Doc) || !p.Created.Equal(created.Truncate(time.Millisecond)) {
			t.Errorf("round %d: pool %+v after reopen", round, p)
		}
		c, err := s.FindClient(ctx, client.ClientID)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if c.PoolID != pool.ID || string(c.Doc) != string(client.Doc) {
			t.Errorf("round %d: client %+v after reopen", round, c)
		}
		var n int
		if err := s.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != len(sqlite.MigrationSteps) {
			t.Errorf("round %d: %d migration records, want %d", round, n, len(sqlite.MigrationSteps))
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestTwoStoresOneFile is two processes on one database file: each sees the
// other's writes, and contended writes from both lose nothing.
func TestTwoStoresOneFile(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "shared.db")

	// Both start at once on a file that does not exist yet (migrations race).
	stores := make([]*sqlstore.Store, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range stores {
		wg.Go(func() { stores[i], errs[i] = sqlite.Open(ctx, path) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
		t.Cleanup(func() { stores[i].Close() })
	}
	a, b := stores[0], stores[1]

	now := time.Now()
	if err := a.CreateUserPool(ctx, store.UserPool{ID: "us-east-1_a", Name: "a", Created: now, Doc: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	if p, err := b.GetUserPool(ctx, "us-east-1_a"); err != nil || p.Name != "a" {
		t.Errorf("B reads A's pool: %+v, %v", p, err)
	}
	if err := b.CreateClient(ctx, store.Client{PoolID: "us-east-1_a", ClientID: "fromb", Name: "b", Created: now, Doc: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	if c, err := a.FindClient(ctx, "fromb"); err != nil || c.Name != "b" {
		t.Errorf("A reads B's client: %+v, %v", c, err)
	}
	if _, err := b.UpdateUserPool(ctx, "us-east-1_a", func(p store.UserPool) (store.UserPool, error) {
		p.Name = "renamed by b"
		return p, nil
	}); err != nil {
		t.Fatal(err)
	}
	if p, err := a.GetUserPool(ctx, "us-east-1_a"); err != nil || p.Name != "renamed by b" {
		t.Errorf("A reads B's update: %+v, %v", p, err)
	}
	if err := a.CreateUserPool(ctx, store.UserPool{ID: "us-east-1_b", Name: "b", Created: now, Doc: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	if err := b.CreateUserPool(ctx, store.UserPool{ID: "us-east-1_b", Name: "dup", Created: now, Doc: []byte("{}")}); !errors.Is(err, store.ErrAlreadyExists) {
		t.Errorf("B creates A's pool id: %v, want %v", err, store.ErrAlreadyExists)
	}
	if err := a.DeleteUserPool(ctx, "us-east-1_a"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.FindClient(ctx, "fromb"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("B finds a client of a pool A deleted: %v", err)
	}
	if err := a.Reset(ctx); err != nil {
		t.Fatal(err)
	}

	storetest.Counter(t, []store.Store{a, b}, 50, 20)
}

// TestConnectionSettings checks that the DSN settings reach every connection
// of both pools, not only the first one, and that write transactions take the
// write lock at BEGIN (_txlock=immediate).
func TestConnectionSettings(t *testing.T) {
	ctx := t.Context()
	s := openFile(t, filepath.Join(t.TempDir(), "settings.db"))
	for name, db := range map[string]*sql.DB{"W": s.W, "R": s.R} {
		// Hold several connections at once so that the pool must open new ones.
		var conns []*sql.Conn
		for range min(3, db.Stats().MaxOpenConnections) {
			c, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			conns = append(conns, c)
		}
		for i, c := range conns {
			for pragma, want := range map[string]string{
				"journal_mode": "wal",
				"busy_timeout": "10000",
				"foreign_keys": "1",
				"synchronous":  "1", // NORMAL
				"temp_store":   "2", // MEMORY
				"mmap_size":    "1073741824",
			} {
				var got string
				if err := c.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Errorf("%s connection %d: %s = %s, want %s", name, i, pragma, got, want)
				}
			}
		}
		for _, c := range conns {
			c.Close()
		}
	}

	// A write transaction that has not written yet already holds the write
	// lock: a second connection (no busy wait) cannot start one.
	tx, err := s.W.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	other, err := s.R.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.ExecContext(ctx, "PRAGMA busy_timeout = 0"); err != nil {
		t.Fatal(err)
	}
	defer other.ExecContext(context.Background(), "PRAGMA busy_timeout = 10000")
	_, err = other.ExecContext(ctx, "BEGIN IMMEDIATE")
	if err == nil {
		other.ExecContext(ctx, "ROLLBACK")
		t.Fatal("BEGIN IMMEDIATE succeeded while a store transaction was open: _txlock=immediate is not in effect")
	}
	var se *msqlite.Error
	if !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY {
		t.Errorf("BEGIN IMMEDIATE: %v, want SQLITE_BUSY", err)
	}
}

// TestUpgrade opens a database that an older cognitod made (schema step 1
// only, with data): the new steps are applied and the old data stays.
func TestUpgrade(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_ms BIGINT NOT NULL)`,
		sqlite.MigrationSteps[0],
		`INSERT INTO schema_migrations (version, applied_ms) VALUES (1, 0)`,
		`INSERT INTO user_pools (id, name, created_ms, doc) VALUES ('us-east-1_old', 'old', 0, X'7B7D')`,
		`INSERT INTO user_pool_clients (pool_id, client_id, name, created_ms, doc) VALUES ('us-east-1_old', 'oldclient', 'c', 0, X'')`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s := openFile(t, path)
	if p, err := s.GetUserPool(ctx, "us-east-1_old"); err != nil || p.Name != "old" {
		t.Fatalf("old pool after upgrade: %+v, %v", p, err)
	}
	if c, err := s.FindClient(ctx, "oldclient"); err != nil || c.PoolID != "us-east-1_old" {
		t.Fatalf("old client after upgrade: %+v, %v", c, err)
	}
	var n int
	if err := s.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(sqlite.MigrationSteps) {
		t.Errorf("%d migration records, want %d", n, len(sqlite.MigrationSteps))
	}
	u := store.User{PoolID: "us-east-1_old", Sub: "s", Username: "u", UsernameKey: "u", Created: time.Now(), Modified: time.Now(),
		Search: map[string]string{"username": "u"}, Aliases: []store.Alias{{Kind: "email", Key: "u@example.com"}}}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if got, err := s.FindUserByAlias(ctx, u.PoolID, "email", "u@example.com"); err != nil || got.Sub != "s" {
		t.Errorf("user in the upgraded database: %+v, %v", got, err)
	}
	if err := s.DeleteUserPool(ctx, "us-east-1_old"); err != nil {
		t.Fatal(err)
	}
}

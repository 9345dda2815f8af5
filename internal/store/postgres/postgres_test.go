package postgres_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/store/postgres"
	"github.com/cognitod/cognitod/internal/store/postgres/pgtest"
	"github.com/cognitod/cognitod/internal/store/sqlstore"
	"github.com/cognitod/cognitod/internal/store/storetest"
)

// env is the test binary's cluster, started once by TestMain: a cluster
// costs seconds, a database or a schema on it milliseconds. Set before any
// test runs and not changed after.
var env struct {
	cluster *pgtest.Cluster
	skip    string // why the PostgreSQL tests skip; "" when they run
}

func TestMain(m *testing.M) {
	c, err := pgtest.Start(context.Background())
	switch {
	case errors.Is(err, pgtest.ErrUnavailable):
		env.skip = err.Error()
		fmt.Fprintf(os.Stderr, "SKIPPING the PostgreSQL tests: %v\n", err)
	case err != nil:
		fmt.Fprintf(os.Stderr, "starting the PostgreSQL test cluster: %v\n", err)
		os.Exit(1)
	default:
		env.cluster = c
	}
	code := m.Run()
	if env.cluster != nil {
		if err := env.cluster.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "stopping the PostgreSQL test cluster: %v\n", err)
			code = max(code, 1)
		}
	}
	os.Exit(code)
}

func cluster(t *testing.T) *pgtest.Cluster {
	t.Helper()
	if env.skip != "" {
		t.Skip("SKIPPING PostgreSQL test: " + env.skip)
	}
	return env.cluster
}

// newDB returns the URL of a new, empty database.
func newDB(t *testing.T) string {
	t.Helper()
	c := cluster(t)
	name, err := c.NewDatabase(t.Context())
	if err != nil {
		t.Fatalf("create database: %v", err)
	}
	return c.DSN(name)
}

func open(t *testing.T, dsn string) *sqlstore.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// TestConformance runs the suite on a new schema per sub-test (the DSN's
// search_path names it, so the store migrates it from nothing every time):
// a new database costs three times as much, and the suite opens hundreds.
func TestConformance(t *testing.T) {
	t.Parallel()
	dsn := newDB(t)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	n := 0
	storetest.Run(t, func(t *testing.T) store.Store {
		n++ // the suite's sub-tests run one at a time
		schema := fmt.Sprintf("s%d", n)
		if _, err := admin.ExecContext(t.Context(), `CREATE SCHEMA `+schema); err != nil {
			t.Fatal(err)
		}
		return open(t, dsn+"&search_path="+schema)
	})
}

// TestConformanceReset runs the suite on one store, Reset between sub-tests:
// Reset must leave nothing a later sub-test could see.
func TestConformanceReset(t *testing.T) {
	t.Parallel()
	s := open(t, newDB(t))
	storetest.Run(t, func(t *testing.T) store.Store {
		if err := s.Reset(t.Context()); err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestTwoStores is two processes on one database: concurrent
// compare-and-swap updates through both lose nothing.
func TestTwoStores(t *testing.T) {
	t.Parallel()
	dsn := newDB(t)
	a, b := open(t, dsn), open(t, dsn)
	storetest.Counter(t, []store.Store{a, b}, 8, 10)
}

// TestConcurrentMigrations starts several stores at once on an empty
// database: every one must come up (the advisory lock serialises the
// steps), and each step is recorded once.
func TestConcurrentMigrations(t *testing.T) {
	t.Parallel()
	dsn := newDB(t)
	const n = 6
	var wg sync.WaitGroup
	errs := make([]error, n)
	stores := make([]*sqlstore.Store, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = postgres.Open(t.Context(), dsn)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("store %d: %v", i, err)
			continue
		}
		defer stores[i].Close()
	}
	if t.Failed() {
		return
	}
	var rows, distinct int
	if err := stores[0].R.QueryRowContext(t.Context(), `SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations`).Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	if want := postgres.MigrationCount(); rows != want || distinct != want {
		t.Errorf("schema_migrations: %d rows, %d versions; want %d of each", rows, distinct, want)
	}
	storetest.Counter(t, []store.Store{stores[0], stores[1]}, 2, 2)
}

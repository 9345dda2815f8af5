package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/store/postgres/pgtest"
)

// TestOpenPostgres opens the app with --db postgres://… on a throw-away
// cluster (a cluster of its own: this is the package's only PostgreSQL test)
// and checks that the store is PostgreSQL's and works.
func TestOpenPostgres(t *testing.T) {
	c, err := pgtest.Start(t.Context())
	if errors.Is(err, pgtest.ErrUnavailable) {
		t.Skip("SKIPPING PostgreSQL test: " + err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Errorf("stopping the cluster: %v", err)
		}
	})
	name, err := c.NewDatabase(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	cfg := Defaults()
	cfg.DB = c.DSN(name)
	cfg.DataDir = t.TempDir()
	if got := cfg.StoreDescription(); got != "PostgreSQL "+cfg.DB {
		t.Errorf("StoreDescription = %q", got)
	}
	// Without a key every process would make its own: refused.
	if _, err := Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil))); err == nil || !strings.Contains(err.Error(), "--secret-key") {
		t.Fatalf("PostgreSQL without a secret key: %v", err)
	}
	cfg.SecretKey = "the key every node of this test shares"
	a, err := Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	p := store.UserPool{ID: "us-east-1_pg", Name: "pg", Created: time.Now(), Doc: []byte("{}")}
	if err := a.Store.CreateUserPool(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Store.GetUserPool(t.Context(), p.ID); err != nil {
		t.Fatal(err)
	}
}

func TestStoreDescriptionHidesPassword(t *testing.T) {
	cfg := Config{DB: "postgres://u:secret@db.example/cognitod"}
	if got := cfg.StoreDescription(); got != "PostgreSQL postgres://u:xxxxx@db.example/cognitod" {
		t.Errorf("StoreDescription = %q", got)
	}
}

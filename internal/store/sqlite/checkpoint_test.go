package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/store/sqlite"
	"github.com/cognitod/cognitod/internal/store/sqlstore"
)

// The store copies the log back into the database from its own goroutine
// (commits do not), and empties the log file once it has grown past the
// limit: under a steady load it stays bounded, and nothing written is lost.
func TestBackgroundCheckpointBoundsTheLog(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "c.db")
	st, err := sqlite.OpenWith(ctx, path, func(f *sqlstore.Flavor) { f.CheckpointTruncateFrames = 64 })
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateUserPool(ctx, store.UserPool{ID: "p", Name: "p", Created: time.Now(), Doc: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	const n = 400
	for i := range n {
		u := store.User{PoolID: "p", Sub: fmt.Sprintf("sub-%d", i), Username: fmt.Sprintf("u%d", i), UsernameKey: fmt.Sprintf("u%d", i),
			Status: "CONFIRMED", Enabled: true, Created: time.Now(), Modified: time.Now(), Doc: make([]byte, 2000),
			Search: map[string]string{"email": fmt.Sprintf("u%d@example.com", i)}}
		if err := st.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	// 400 users of 2 kB are far more than 64 pages of log: the checkpointer
	// must have emptied the file (polled, not slept: it runs every 50 ms).
	deadline := time.Now().Add(10 * time.Second)
	for {
		fi, err := os.Stat(path + "-wal")
		if err == nil && fi.Size() < 64*4096 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the log is still %d bytes", fi.Size())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if n2, err := again.CountUsers(ctx, "p"); err != nil || n2 != n {
		t.Fatalf("after reopening: %d users, %v", n2, err)
	}
}

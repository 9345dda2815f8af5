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

// Commits never copy the log back (automatic checkpoints are off); the
// store's checkpointer does, and starts the log over once it has grown past
// its limit, so the log file stops growing; nothing written is lost.
func TestBackgroundCheckpointBoundsTheLog(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "c.db")
	st, err := sqlite.OpenWith(ctx, path, func(f *sqlstore.Flavor) {
		f.CheckpointRestartFrames = 64
		f.CheckpointEvery = time.Hour // this test runs the rounds itself
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateUserPool(ctx, store.UserPool{ID: "p", Name: "p", Created: time.Now(), Doc: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	write := func(from, n int) {
		for i := from; i < from+n; i++ {
			u := store.User{PoolID: "p", Sub: fmt.Sprintf("sub-%d", i), Username: fmt.Sprintf("u%d", i), UsernameKey: fmt.Sprintf("u%d", i),
				Status: "CONFIRMED", Enabled: true, Created: time.Now(), Modified: time.Now(), Doc: make([]byte, 2000),
				Search: map[string]string{"email": fmt.Sprintf("u%d@example.com", i)}}
			if err := st.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
	}
	walSize := func() int64 {
		fi, err := os.Stat(path + "-wal")
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	write(0, 300)
	first := walSize()
	write(300, 300)
	if grown := walSize(); grown < first*3/2 {
		t.Fatalf("without a checkpoint the log should grow: %d then %d bytes", first, grown)
	}
	st.Checkpoint()
	full := walSize()
	write(600, 300)
	if after := walSize(); after > full {
		t.Fatalf("after a checkpoint the log was started over, yet the file grew from %d to %d bytes", full, after)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if n, err := again.CountUsers(ctx, "p"); err != nil || n != 900 {
		t.Fatalf("after reopening: %d users, %v", n, err)
	}
}

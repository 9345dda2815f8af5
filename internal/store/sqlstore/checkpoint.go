package sqlstore

import (
	"context"
	"log/slog"
	"time"
)

// checkpointer copies the write-ahead log back into the database file from
// its own goroutine and connection (SQLite). Left to SQLite, the commit that
// fills the log past its threshold does that copy itself, with the write lock
// held: every write queued behind it waits, and with the group commit that
// is every write. A PASSIVE checkpoint runs beside the writer without
// blocking it, so the single writer only appends to the log.
type checkpointer struct {
	quit  chan struct{}
	ended chan struct{}
}

// checkpointEvery is how often the log is copied back. At a few thousand
// writes a second the log stays at a few megabytes.
const checkpointEvery = 50 * time.Millisecond

func (s *Store) startCheckpointer() {
	c := &checkpointer{quit: make(chan struct{}), ended: make(chan struct{})}
	s.checkpoints = c
	go func() {
		defer close(c.ended)
		every := s.Flavor.CheckpointEvery
		if every <= 0 {
			every = checkpointEvery
		}
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-c.quit:
				return
			case <-t.C:
				s.Checkpoint()
			}
		}
	}()
}

// defaultRestartFrames is the log size, in pages, past which a checkpoint
// also makes the log start again from its beginning. A PASSIVE checkpoint
// copies pages back but cannot restart the log while writes keep coming (the
// log only wraps when a writer finds it all copied back), so under a steady
// load the file would grow without end. RESTART waits for the writer and for
// readers of old pages — briefly, since the PASSIVE checkpoints have copied
// nearly everything — and the file then stays at about this size.
// (TRUNCATE, which also gives the space back, cost a quarter of
// AdminCreateUser's throughput: the file is then extended again at every
// commit.)
const defaultRestartFrames = 8192 // 32 MiB of 4 KiB pages

// Checkpoint runs one round of the background checkpointer now (tests).
func (s *Store) Checkpoint() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var busy, logFrames, copied int64
	err := s.R.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logFrames, &copied)
	limit := int64(s.Flavor.CheckpointRestartFrames)
	if limit <= 0 {
		limit = defaultRestartFrames
	}
	if err == nil && logFrames >= limit {
		err = s.R.QueryRowContext(ctx, "PRAGMA wal_checkpoint(RESTART)").Scan(&busy, &logFrames, &copied)
	}
	if err != nil {
		slog.Default().Warn("sqlite checkpoint failed", "err", err)
	}
}

func (s *Store) stopCheckpointer() {
	if s.checkpoints == nil {
		return
	}
	close(s.checkpoints.quit)
	<-s.checkpoints.ended
	s.checkpoints = nil
}

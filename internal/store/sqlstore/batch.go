package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Group commit. SQLite has one writer, and a large part of the cost of a
// small write transaction is fixed: BEGIN, COMMIT, and writing every page it
// changed to the log (a new user changes about 16 pages: the table, its
// indexes, the search and alias indexes), however little changed on each. With
// Flavor.GroupCommit, write transactions queue for one goroutine that runs
// the queued ones together in one database transaction, each inside its own
// SAVEPOINT: a transaction whose fn fails is rolled back to its savepoint
// without touching the others, the others are committed together, and pages
// that several of them changed are written once. Requests keep their order,
// and each fn sees the effects of the ones before it, exactly as if they
// had run one after the other. No request waits for company: a batch is
// what queued while the previous one ran, so a lone writer runs alone.
//
// A request's errors are its own: an fn error that asks for a retry
// (errRetry, Flavor.IsRetryable) is not retried inside a batch, which is
// right for SQLite, where neither happens once the write lock is held;
// PostgreSQL, where they do, has no use for group commit. Errors that end
// the whole transaction (begin, savepoints, commit) run the batch again,
// with tx's retries.
//
// Measured on 2 cores (sqlite's BenchmarkCreateUser*): a lone CreateUser
// costs about 320 µs of CPU; from 32 goroutines, about 140 µs each, and
// about 8,000 users/s instead of 3,000.

const maxBatch = 64

var (
	qSavepoint  = reg(`SAVEPOINT b`)
	qRelease    = reg(`RELEASE b`)
	qRollbackTo = reg(`ROLLBACK TO b`)
)

// ErrClosed is returned by writes after Close.
var ErrClosed = errors.New("sqlstore: store closed")

type txReq struct {
	ctx      context.Context
	fn       func(*sql.Tx) error
	err      error
	panicked bool
	panicVal any
	done     chan struct{}
}

type batcher struct {
	queue chan *txReq
	quit  chan struct{} // closed by stopBatcher, after closed is set
	ended chan struct{} // closed when the goroutine has returned

	mu     sync.RWMutex // held shared while queueing, so that stop waits for those
	closed bool

	requests, batches atomic.Int64 // for tests
}

func (s *Store) startBatcher() {
	s.batch = &batcher{queue: make(chan *txReq, maxBatch), quit: make(chan struct{}), ended: make(chan struct{})}
	go s.runBatcher()
}

// stopBatcher lets the queued transactions finish and stops the goroutine.
func (s *Store) stopBatcher() {
	b := s.batch
	if b == nil {
		return
	}
	b.mu.Lock()
	already := b.closed
	b.closed = true
	b.mu.Unlock()
	if !already {
		close(b.quit)
	}
	<-b.ended
}

// batched queues fn and waits for its outcome. A request whose ctx ends
// while it is queued is not run; once running, it finishes (its statements
// do not watch ctx anyway, see quiet), and the caller waits for it because
// fn writes the caller's variables.
func (s *Store) batched(ctx context.Context, fn func(*sql.Tx) error) error {
	req := &txReq{ctx: ctx, fn: fn, done: make(chan struct{})}
	b := s.batch
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return ErrClosed
	}
	select {
	case b.queue <- req:
		b.mu.RUnlock()
	case <-ctx.Done():
		b.mu.RUnlock()
		return ctx.Err()
	}
	<-req.done
	if req.panicked {
		panic(req.panicVal) // in the caller's goroutine, where the service recovers it
	}
	return req.err
}

func (s *Store) runBatcher() {
	defer close(s.batch.ended)
	for {
		var first *txReq
		select {
		case first = <-s.batch.queue:
		case <-s.batch.quit:
			// Finish what was queued before Close.
			for {
				select {
				case req := <-s.batch.queue:
					s.runBatch([]*txReq{req})
				default:
					return
				}
			}
		}
		batch := []*txReq{first}
	fill:
		for len(batch) < maxBatch {
			select {
			case req := <-s.batch.queue:
				batch = append(batch, req)
			default:
				break fill
			}
		}
		s.runBatch(batch)
	}
}

// runBatch runs the requests, with the retries of tx for a transaction that
// could not begin or commit, and answers each of them.
func (s *Store) runBatch(batch []*txReq) {
	live := batch[:0:0]
	for _, req := range batch {
		if err := req.ctx.Err(); err != nil {
			req.err = err
			close(req.done)
			continue
		}
		live = append(live, req)
	}
	if len(live) == 0 {
		return
	}
	s.batch.requests.Add(int64(len(live)))
	s.batch.batches.Add(1)
	var err error
	for attempt := 0; attempt < maxRetries; attempt++ {
		if err = s.tryBatch(live); err == nil || s.Flavor.IsRetryable == nil || !s.Flavor.IsRetryable(err) {
			break
		}
		time.Sleep(time.Duration(attempt+1) * time.Millisecond)
	}
	for _, req := range live {
		if err != nil && !req.panicked {
			req.err = err
		}
		close(req.done)
	}
}

// tryBatch runs the requests in one transaction. It returns the error of
// the transaction (begin, savepoints, commit); each request's own outcome
// is in the request.
func (s *Store) tryBatch(batch []*txReq) error {
	ctx := context.Background()
	tx, err := s.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if len(batch) == 1 {
		// Alone: no savepoint needed, its failure rolls back the whole.
		req := batch[0]
		if req.err = call(req, tx); req.err != nil {
			_ = tx.Rollback()
			return nil
		}
		return tx.Commit()
	}
	for _, req := range batch {
		if _, err := s.txExec(ctx, tx, qSavepoint); err != nil {
			_ = tx.Rollback()
			return err
		}
		if req.err = call(req, tx); req.err != nil {
			if _, err := s.txExec(ctx, tx, qRollbackTo); err != nil {
				_ = tx.Rollback()
				return err
			}
		}
		if _, err := s.txExec(ctx, tx, qRelease); err != nil {
			_ = tx.Rollback()
			return err
		}
	}
	return tx.Commit()
}

// call runs the request's fn, turning a panic into an error for the batch
// and a panic for the caller.
func call(req *txReq, tx *sql.Tx) (err error) {
	req.panicked, req.panicVal = false, nil
	defer func() {
		if v := recover(); v != nil {
			req.panicked, req.panicVal = true, v
			err = fmt.Errorf("sqlstore: transaction panicked: %v", v)
		}
	}()
	return req.fn(tx)
}

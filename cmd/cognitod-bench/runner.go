package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// opStats is what one label collected: latencies of the 2xx answers only,
// and the failures by error type with one message of each.
type opStats struct {
	op       string
	hist     Histogram
	ok       uint64
	errs     map[string]uint64
	messages map[string]string
}

func newOpStats(op string) *opStats {
	return &opStats{op: op, errs: map[string]uint64{}, messages: map[string]string{}}
}

func (s *opStats) merge(o *opStats) {
	s.hist.Merge(&o.hist)
	s.ok += o.ok
	for k, v := range o.errs {
		s.errs[k] += v
		if _, ok := s.messages[k]; !ok {
			s.messages[k] = o.messages[k]
		}
	}
}

func (s *opStats) failures() uint64 {
	var n uint64
	for _, v := range s.errs {
		n += v
	}
	return n
}

// Worker is one closed-loop client: it sends a request, waits for the whole
// answer, and sends the next. Its statistics are its own (no locks on the
// hot path); the runner merges them at the end.
type Worker struct {
	ID     int
	client *apiClient
	buf    bytes.Buffer
	hdr    map[string]http.Header
	stats  map[string]*opStats
	// measuring is set by the run loop for each iteration: calls made in the
	// warm-up (or after the deadline) are not recorded.
	measuring bool
	lastEnd   time.Time
}

func newWorker(id int, c *apiClient) *Worker {
	return &Worker{ID: id, client: c, hdr: map[string]http.Header{}, stats: map[string]*opStats{}}
}

// Call sends one request, times it with the monotonic clock, and records it
// when the worker is measuring: a 2xx answer is a success with its latency,
// anything else a failure counted by its __type. Scenario generators use it
// for the extra calls a workload needs (a new pool when one is full), which
// the report then lists under their own operation.
func (w *Worker) Call(ctx context.Context, req Request) (Response, error) {
	h, ok := w.hdr[req.Op]
	if !ok {
		h = w.client.header(req.Op)
		w.hdr[req.Op] = h
	}
	start := time.Now()
	resp, err := w.client.do(ctx, h, req, &w.buf)
	elapsed := time.Since(start)
	if !w.measuring {
		return resp, err
	}
	if err != nil && ctx.Err() != nil {
		// Cut short by the end of the run (an abort or a signal), not the
		// server's doing: not a sample.
		return resp, err
	}
	label := req.label()
	s := w.stats[label]
	if s == nil {
		s = newOpStats(req.Op)
		w.stats[label] = s
	}
	if err == nil {
		s.ok++
		s.hist.Record(elapsed)
	} else {
		typ, msg := errTransport, err.Error()
		var ae *APIError
		if errors.As(err, &ae) {
			typ, msg = ae.Type, ae.Message
		}
		s.errs[typ]++
		if _, seen := s.messages[typ]; !seen {
			s.messages[typ] = msg
		}
	}
	if end := start.Add(elapsed); end.After(w.lastEnd) {
		w.lastEnd = end
	}
	return resp, err
}

// Generator makes a worker's next request. It is called from every worker at
// once, so it must be safe for concurrent use; it may call the server through
// the worker for the requests a workload needs besides the measured one.
type Generator func(ctx context.Context, w *Worker) (Request, error)

// loadConfig is one measured phase.
type loadConfig struct {
	concurrency int
	warmup      time.Duration
	duration    time.Duration // the measured time, when requests is 0
	requests    int64         // the number of measured calls of the main loop, when > 0
	serverPID   int           // a process whose CPU use to report, 0 for none
}

// loadResult is what one phase measured.
type loadResult struct {
	window time.Duration // from the end of the warm-up to the last measured answer
	stats  map[string]*opStats
	// clientCPU and serverCPU are cores used on average over the measured
	// window (CPU seconds / wall seconds); negative when unknown.
	clientCPU float64
	serverCPU float64
	// machineCPU is every process's CPU use, the load tool's and the
	// server's included: the rest is other work on the machine.
	machineCPU float64
	// aborted is the generator's error that ended the phase early.
	aborted error
}

// runLoad drives gen from cfg.concurrency workers: a warm-up that is not
// recorded, then the measured window. All workers share one clock: the
// warm-up's end and the deadline are instants of the monotonic clock fixed
// before the first request.
func runLoad(ctx context.Context, c *apiClient, gen Generator, cfg loadConfig) *loadResult {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	warmEnd := start.Add(cfg.warmup)
	var deadline time.Time
	if cfg.requests <= 0 {
		deadline = warmEnd.Add(cfg.duration)
	}
	var remaining atomic.Int64
	remaining.Store(cfg.requests)

	var (
		abortOnce sync.Once
		aborted   error
	)
	abort := func(err error) {
		abortOnce.Do(func() { aborted = err; cancel() })
	}

	// The CPU clocks are read at the warm-up's end and after the last answer.
	var cpu0 cpuSample
	cpuTaken := make(chan struct{})
	go func() {
		defer close(cpuTaken)
		t := time.NewTimer(time.Until(warmEnd))
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		}
		cpu0 = takeCPUSample(cfg.serverPID)
	}()

	workers := make([]*Worker, cfg.concurrency)
	var wg sync.WaitGroup
	for i := range workers {
		w := newWorker(i, c)
		workers[i] = w
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				now := time.Now()
				w.measuring = !now.Before(warmEnd)
				if !deadline.IsZero() && !now.Before(deadline) {
					return
				}
				if deadline.IsZero() && w.measuring && remaining.Add(-1) < 0 {
					return
				}
				req, err := gen(ctx, w)
				if err != nil {
					if ctx.Err() == nil {
						abort(err)
					}
					return
				}
				_, _ = w.Call(ctx, req)
			}
		}()
	}
	wg.Wait()
	cancel()
	<-cpuTaken
	cpu1 := takeCPUSample(cfg.serverPID)

	res := &loadResult{stats: map[string]*opStats{}, aborted: aborted, clientCPU: -1, serverCPU: -1, machineCPU: -1}
	var lastEnd time.Time
	for _, w := range workers {
		for label, s := range w.stats {
			m := res.stats[label]
			if m == nil {
				m = newOpStats(s.op)
				res.stats[label] = m
			}
			m.merge(s)
		}
		if w.lastEnd.After(lastEnd) {
			lastEnd = w.lastEnd
		}
	}
	if lastEnd.After(warmEnd) {
		res.window = lastEnd.Sub(warmEnd)
	}
	if wall := cpu1.at.Sub(cpu0.at).Seconds(); wall > 0 && !cpu0.at.IsZero() {
		if cpu0.self >= 0 && cpu1.self >= 0 {
			res.clientCPU = (cpu1.self - cpu0.self).Seconds() / wall
		}
		if cpu0.server >= 0 && cpu1.server >= 0 {
			res.serverCPU = (cpu1.server - cpu0.server).Seconds() / wall
		}
		if cpu0.machine >= 0 && cpu1.machine >= 0 {
			res.machineCPU = (cpu1.machine - cpu0.machine).Seconds() / wall
		}
	}
	return res
}

// labels returns the labels of a result, main first and the rest sorted.
func (r *loadResult) labels(main string) []string {
	var out []string
	for l := range r.stats {
		if l != main {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	if _, ok := r.stats[main]; ok {
		out = append([]string{main}, out...)
	}
	return out
}

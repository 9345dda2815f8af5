package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Scenario is one workload: a setup that prepares the server (pools, users)
// and returns the request generator that is then measured. Adding one is
// adding a value to allScenarios.
type Scenario struct {
	Name string
	// Op is the operation the scenario measures; the report puts it first
	// and compares it with the ceiling.
	Op string
	// Summary says in a line what it does, for --list and the report.
	Summary string
	// Default scenarios run when --scenario is not given: those the server
	// implements today. The others wait for their operations (they end with
	// NotImplementedException on cognitod until then).
	Default bool
	// DefaultUsers is the number of users the setup creates when --users is 0.
	DefaultUsers int
	Setup        func(ctx context.Context, env *Env) (*Workload, error)
}

// Workload is a scenario ready to run.
type Workload struct {
	Next Generator
	// Sample is one request of the measured operation, as Next makes them:
	// the ceiling server is sent it over and over.
	Sample Request
	// Setup describes what the setup made (for the report).
	Setup string
	// Check, when set, looks at the answers to the first requests (not the
	// measured ones): an answer that is a 2xx but not what the operation
	// should answer is reported as a warning, since it would flatter the
	// figures.
	Check func(req Request, body []byte) error
}

// Env is what a setup works with.
type Env struct {
	Client      *apiClient
	Concurrency int
	// SetupConcurrency is how many calls parallel makes at once: setups
	// are not measured, and creating 100,000 users goes faster from more
	// callers than the measured concurrency (cognitod commits the writes
	// that queue together).
	SetupConcurrency int
	Users            int    // users to create, already resolved from --users and the scenario's default
	RunID            string // distinguishes this run's names from earlier runs' on the same server
	Logger           *slog.Logger

	mu    sync.Mutex
	pools []string // pools the run created, deleted at the end with --cleanup
}

// call sends one unrecorded request (setup and cleanup).
func (e *Env) call(ctx context.Context, req Request) ([]byte, error) {
	w := newWorker(-1, e.Client)
	resp, err := w.Call(ctx, req)
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), resp.Body...), nil
}

// createPool creates a user pool through w (a measuring worker records it)
// or unrecorded when w is nil, and returns its id.
func (e *Env) createPool(ctx context.Context, w *Worker, name string) (string, error) {
	req := Request{Op: "CreateUserPool", Body: mustJSON(map[string]any{"PoolName": name})}
	var body []byte
	if w == nil {
		b, err := e.call(ctx, req)
		if err != nil {
			return "", err
		}
		body = b
	} else {
		resp, err := w.Call(ctx, req)
		if err != nil {
			return "", err
		}
		body = resp.Body
	}
	var out struct {
		UserPool struct{ Id string }
	}
	if err := json.Unmarshal(body, &out); err != nil || out.UserPool.Id == "" {
		return "", fmt.Errorf("CreateUserPool: no UserPool.Id in the answer %.200q", body)
	}
	e.mu.Lock()
	e.pools = append(e.pools, out.UserPool.Id)
	e.mu.Unlock()
	return out.UserPool.Id, nil
}

// cleanup deletes the pools the run created, best effort.
func (e *Env) cleanup(ctx context.Context) {
	e.mu.Lock()
	pools := e.pools
	e.pools = nil
	e.mu.Unlock()
	for _, id := range pools {
		if _, err := e.call(ctx, Request{Op: "DeleteUserPool", Body: mustJSON(map[string]any{"UserPoolId": id})}); err != nil {
			e.Logger.Debug("cleanup", "pool", id, "err", err)
		}
	}
}

// parallel runs fn for i in [0, n) on e.SetupConcurrency goroutines (else
// e.Concurrency) and stops at
// the first error; it logs progress every few seconds.
func (e *Env) parallel(ctx context.Context, what string, n int, fn func(ctx context.Context, w *Worker, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next, done atomic.Int64
		once       sync.Once
		first      error
		wg         sync.WaitGroup
	)
	stopProgress := make(chan struct{})
	go func() {
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				e.Logger.Info("setup", "step", what, "done", done.Load(), "of", n)
			case <-stopProgress:
				return
			}
		}
	}()
	workers := e.SetupConcurrency
	if workers < 1 {
		workers = e.Concurrency
	}
	for range max(1, workers) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := newWorker(-1, e.Client)
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(ctx, w, i); err != nil {
					once.Do(func() { first = err; cancel() })
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	close(stopProgress)
	if first != nil {
		return first
	}
	return ctx.Err()
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only maps of strings and numbers are marshalled here
	}
	return b
}

// selectScenarios resolves a comma list of names ("all" for every one,
// "default" for the default set).
func selectScenarios(list string) ([]Scenario, error) {
	all := allScenarios()
	byName := map[string]Scenario{}
	for _, s := range all {
		byName[s.Name] = s
	}
	var out []Scenario
	seen := map[string]bool{}
	add := func(s Scenario) {
		if !seen[s.Name] {
			seen[s.Name] = true
			out = append(out, s)
		}
	}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		switch name {
		case "":
		case "all":
			for _, s := range all {
				add(s)
			}
		case "default":
			for _, s := range all {
				if s.Default {
					add(s)
				}
			}
		default:
			s, ok := byName[name]
			if !ok {
				var names []string
				for _, s := range all {
					names = append(names, s.Name)
				}
				return nil, fmt.Errorf("unknown scenario %q; scenarios: %s, all, default", name, strings.Join(names, ", "))
			}
			add(s)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no scenario selected")
	}
	return out, nil
}

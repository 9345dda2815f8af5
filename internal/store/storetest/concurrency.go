package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/cognitod/cognitod/internal/store"
)

func testConcurrency(t *testing.T, open Opener) {
	t.Run("UpdateUserPoolCounter", func(t *testing.T) {
		Counter(t, []store.Store{open(t)}, 50, 20)
	})

	t.Run("UpdateClientCounter", func(t *testing.T) {
		s := open(t)
		must(t, s.CreateUserPool(t.Context(), pool("us-east-1_p", "p")))
		must(t, s.CreateClient(t.Context(), store.Client{PoolID: "us-east-1_p", ClientID: "counter", Name: "counter", Created: t0, Doc: []byte(`{"n":0}`)}))
		stores := []store.Store{s}
		counter(t, stores, 20, 10, func(s store.Store, bump func([]byte) ([]byte, error)) ([]byte, error) {
			c, err := s.UpdateClient(t.Context(), "us-east-1_p", "counter", func(c store.Client) (store.Client, error) {
				doc, err := bump(c.Doc)
				c.Doc = doc
				return c, err
			})
			return c.Doc, err
		}, func(s store.Store) ([]byte, error) {
			c, err := s.FindClient(t.Context(), "counter")
			return c.Doc, err
		})
	})

	t.Run("SamePoolID", func(t *testing.T) {
		// Exactly one of many concurrent creates of one id wins.
		s := open(t)
		const n = 100
		errs := make([]error, n)
		parallel(n, func(i int) {
			errs[i] = s.CreateUserPool(t.Context(), pool("us-east-1_race", fmt.Sprintf("creator-%d", i)))
		})
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil && winner < 0:
				winner = i
			case err == nil:
				t.Errorf("creators %d and %d both succeeded", winner, i)
			case !errors.Is(err, store.ErrAlreadyExists):
				t.Errorf("creator %d: %v, want %v", i, err, store.ErrAlreadyExists)
			}
		}
		if winner < 0 {
			t.Fatal("no creator succeeded")
		}
		if got := getPool(t, s, "us-east-1_race"); got.Name != fmt.Sprintf("creator-%d", winner) {
			t.Errorf("stored pool is %q, but creator-%d succeeded", got.Name, winner)
		}
		if n := len(allPools(t, s)); n != 1 {
			t.Errorf("%d pools, want 1", n)
		}
	})

	t.Run("SameClientIDAcrossPools", func(t *testing.T) {
		// Client ids are unique across pools, also under concurrency.
		s := open(t)
		const n = 20
		for i := range n {
			must(t, s.CreateUserPool(t.Context(), pool(fmt.Sprintf("us-east-1_p%02d", i), "p")))
		}
		errs := make([]error, n)
		parallel(n, func(i int) {
			errs[i] = s.CreateClient(t.Context(), client(fmt.Sprintf("us-east-1_p%02d", i), "shared-id", "c"))
		})
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil && winner < 0:
				winner = i
			case err == nil:
				t.Errorf("creators %d and %d both succeeded", winner, i)
			case !errors.Is(err, store.ErrAlreadyExists):
				t.Errorf("creator %d: %v, want %v", i, err, store.ErrAlreadyExists)
			}
		}
		if winner < 0 {
			t.Fatal("no creator succeeded")
		}
		found, err := s.FindClient(t.Context(), "shared-id")
		must(t, err)
		if want := fmt.Sprintf("us-east-1_p%02d", winner); found.PoolID != want {
			t.Errorf("client is in pool %q, but the create into %q succeeded", found.PoolID, want)
		}
		total := 0
		for i := range n {
			total += count(t, s, fmt.Sprintf("us-east-1_p%02d", i))
		}
		if total != 1 {
			t.Errorf("%d clients in all pools, want 1", total)
		}
	})

	t.Run("DistinctCreates", func(t *testing.T) {
		// Concurrent creates of different records all land, once each, and
		// each goroutine's records are listed in the order it made them.
		s := open(t)
		const (
			workers = 8
			each    = 10
		)
		pools := []string{"us-east-1_x", "us-east-1_y"}
		for _, p := range pools {
			must(t, s.CreateUserPool(t.Context(), pool(p, "p")))
		}
		errs := make([]error, workers)
		parallel(workers, func(w int) {
			for i := range each {
				id := fmt.Sprintf("w%02d-%03d", w, i)
				if err := s.CreateClient(t.Context(), client(pools[(w+i)%2], "c-"+id, id)); err != nil {
					errs[w] = err
					return
				}
				if err := s.CreateUserPool(t.Context(), pool("us-east-1_"+id, id)); err != nil {
					errs[w] = err
					return
				}
			}
		})
		for w, err := range errs {
			if err != nil {
				t.Errorf("worker %d: %v", w, err)
			}
		}
		var gotPools []string
		for _, p := range allPools(t, s)[len(pools):] {
			gotPools = append(gotPools, p.Name)
		}
		checkInterleaving(t, "ListUserPools", gotPools, workers, each)

		var gotClients []string
		for _, p := range pools {
			list := allClients(t, s, p)
			if n := count(t, s, p); n != len(list) {
				t.Errorf("CountClients(%q) = %d, but ListClients lists %d", p, n, len(list))
			}
			for _, c := range list {
				if c.PoolID != p {
					t.Errorf("ListClients(%q) lists a client of %q", p, c.PoolID)
				}
				gotClients = append(gotClients, c.Name)
			}
		}
		// Each goroutine alternates pools, so merge by name before checking
		// completeness; order is checked per pool below.
		checkComplete(t, "ListClients", gotClients, workers, each)
		for _, p := range pools {
			var names []string
			for _, c := range allClients(t, s, p) {
				names = append(names, c.Name)
			}
			checkOrderPerWorker(t, "ListClients("+p+")", names)
		}
	})

	t.Run("DeletePoolRacingCreateClient", func(t *testing.T) {
		// A client create racing the deletion of its pool either fails
		// with ErrNotFound or is removed with the pool: no client outlives
		// its pool.
		s := open(t)
		const (
			rounds   = 8
			creators = 6
			each     = 4
		)
		for r := range rounds {
			pid := fmt.Sprintf("us-east-1_del%02d", r)
			must(t, s.CreateUserPool(t.Context(), pool(pid, "doomed")))
			errs := make([]error, creators+1)
			parallel(creators+1, func(w int) {
				if w == creators {
					errs[w] = s.DeleteUserPool(t.Context(), pid)
					return
				}
				for i := range each {
					err := s.CreateClient(t.Context(), client(pid, fmt.Sprintf("r%02d-w%d-%d", r, w, i), "c"))
					if err != nil && !errors.Is(err, store.ErrNotFound) {
						errs[w] = err
						return
					}
				}
			})
			for w, err := range errs {
				if err != nil {
					t.Fatalf("round %d, goroutine %d: %v", r, w, err)
				}
			}
			for w := range creators {
				for i := range each {
					id := fmt.Sprintf("r%02d-w%d-%d", r, w, i)
					if c, err := s.FindClient(t.Context(), id); !errors.Is(err, store.ErrNotFound) {
						t.Errorf("round %d: client %q of deleted pool %q: %+v, %v; want %v", r, id, c.PoolID, c.Name, err, store.ErrNotFound)
					}
				}
			}
			must(t, s.CreateUserPool(t.Context(), pool(pid, "reborn")))
			if n := count(t, s, pid); n != 0 {
				t.Errorf("round %d: recreated pool has %d clients, want 0", r, n)
			}
		}
	})
}

// Counter checks that compare-and-swap updates lose nothing under
// contention: workers goroutines each increment a counter kept in the Doc of
// pool "us-east-1_counter" (which Counter creates through stores[0]) each
// times with UpdateUserPool. The workers are spread over stores round-robin,
// so a backend can pass several Store values on one database, as several
// processes would have. Every update must succeed, the values the updates
// return must be exactly 1…workers*each, and every store must read the final
// count.
func Counter(t *testing.T, stores []store.Store, workers, each int) {
	t.Helper()
	const id = "us-east-1_counter"
	must(t, stores[0].CreateUserPool(t.Context(), store.UserPool{ID: id, Name: "counter", Created: t0, Doc: []byte(`{"n":0}`)}))
	counter(t, stores, workers, each, func(s store.Store, bump func([]byte) ([]byte, error)) ([]byte, error) {
		p, err := s.UpdateUserPool(t.Context(), id, func(p store.UserPool) (store.UserPool, error) {
			doc, err := bump(p.Doc)
			p.Doc = doc
			return p, err
		})
		return p.Doc, err
	}, func(s store.Store) ([]byte, error) {
		p, err := s.GetUserPool(t.Context(), id)
		return p.Doc, err
	})
}

type counterDoc struct {
	N int `json:"n"`
}

func counter(t *testing.T, stores []store.Store, workers, each int,
	update func(s store.Store, bump func([]byte) ([]byte, error)) ([]byte, error),
	get func(s store.Store) ([]byte, error),
) {
	t.Helper()
	bump := func(doc []byte) ([]byte, error) {
		var d counterDoc
		if err := json.Unmarshal(doc, &d); err != nil {
			return nil, fmt.Errorf("counter doc %q: %w", doc, err)
		}
		d.N++
		return json.Marshal(d)
	}
	seen := make([][]int, workers)
	errs := make([]error, workers)
	parallel(workers, func(w int) {
		s := stores[w%len(stores)]
		for range each {
			doc, err := update(s, bump)
			if err != nil {
				errs[w] = err
				return
			}
			var d counterDoc
			if err := json.Unmarshal(doc, &d); err != nil {
				errs[w] = fmt.Errorf("update returned doc %q: %w", doc, err)
				return
			}
			seen[w] = append(seen[w], d.N)
		}
	})
	for w, err := range errs {
		if err != nil {
			t.Errorf("worker %d (store %d): %v", w, w%len(stores), err)
		}
	}
	total := workers * each
	all := slices.Concat(seen...)
	slices.Sort(all)
	for i, n := range all {
		if n != i+1 {
			t.Errorf("updates returned counter values %v…; want each of 1…%d exactly once", all[max(0, i-2):min(len(all), i+3)], total)
			break
		}
	}
	for i, s := range stores {
		doc, err := get(s)
		if err != nil {
			t.Fatalf("store %d: %v", i, err)
		}
		var d counterDoc
		if err := json.Unmarshal(doc, &d); err != nil {
			t.Fatalf("store %d: counter doc %q: %v", i, doc, err)
		}
		if d.N != total {
			t.Errorf("store %d: counter %d, want %d (lost %d updates)", i, d.N, total, total-d.N)
		}
	}
}

// parallel runs f(0)…f(n-1) in n goroutines released together.
func parallel(n int, f func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			f(i)
		})
	}
	close(start)
	wg.Wait()
}

// checkInterleaving checks names of the form wWW-III made by workers
// goroutines, each making each records in order: all present once, each
// worker's in its order.
func checkInterleaving(t *testing.T, what string, names []string, workers, each int) {
	t.Helper()
	checkComplete(t, what, names, workers, each)
	checkOrderPerWorker(t, what, names)
}

func checkComplete(t *testing.T, what string, names []string, workers, each int) {
	t.Helper()
	var want []string
	for w := range workers {
		for i := range each {
			want = append(want, fmt.Sprintf("w%02d-%03d", w, i))
		}
	}
	got := slices.Sorted(slices.Values(names))
	if !slices.Equal(got, want) {
		t.Errorf("%s: %d records, want %d, each once (missing or repeated records)", what, len(got), len(want))
	}
}

func checkOrderPerWorker(t *testing.T, what string, names []string) {
	t.Helper()
	last := map[string]string{}
	for _, n := range names {
		w := n[:3]
		if prev, ok := last[w]; ok && prev >= n {
			t.Errorf("%s: %q listed after %q, but was created before it", what, n, prev)
		}
		last[w] = n
	}
}

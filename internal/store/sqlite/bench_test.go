package sqlite_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/store/sqlite"
	"github.com/cognitod/cognitod/internal/store/sqlstore"
)

// Benchmarks of the user operations on a database file, as the server runs
// them. The ones named …100k read a pool of 100,000 users, built once per
// process (a few seconds, in transactions of 1,000 users) in a temporary
// folder that TestMain removes; they only run with -bench, like every
// benchmark:
//
//	go test -run '^$' -bench . -benchtime 2s ./internal/store/sqlite

const benchUsers = 100_000

var benchDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

var givenNames = []string{"Ada", "Alan", "Barbara", "Claude", "Donald", "Edsger", "Frances", "Grace", "Ken", "Margaret"}

// benchUser is a user as the service would store it: seven search values,
// an e-mail alias and a document of about 600 bytes.
func benchUser(poolID string, i int) store.User {
	name := fmt.Sprintf("user%06d", i)
	email := name + "@example.com"
	sub := fmt.Sprintf("%08x-1c2d-4e5f-8a9b-%012x", i, i*7919)
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second)
	given := givenNames[i%len(givenNames)]
	return store.User{
		PoolID: poolID, Sub: sub, Username: name, UsernameKey: name,
		Status: "CONFIRMED", Enabled: true, Created: now, Modified: now,
		Doc: []byte(fmt.Sprintf(`{"Attributes":{"email":%q,"email_verified":"true","given_name":%q,"family_name":"Hopper","sub":%q},`+
			`"Password":{"Hash":"$argon2id$v=19$m=65536,t=3,p=2$c29tZXNhbHRzb21lc2FsdA$RdescudvJCsgt3ub+b+dWRWJTmaaJObG","Salt":"c29tZXNhbHQ=",`+
			`"SRPVerifier":"9f3c0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7"},`+
			`"MFA":{"Preferred":"","Settings":[]},"Devices":[],"FailedAttempts":0}`, email, given, sub)),
		Search: map[string]string{
			"username": name, "email": email, "sub": sub, "given_name": given, "family_name": "Hopper",
			"cognito:user_status": "CONFIRMED", "status": "Enabled",
		},
		Aliases: []store.Alias{{Kind: "email", Key: email}},
	}
}

const benchPool = "us-east-1_bench"

// benchContext is a context that can be cancelled, like a request's: the
// driver does more work for those (it watches them to interrupt SQLite).
func benchContext(b *testing.B) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	return ctx
}

// cpuTime is the CPU time the process has used (all threads, user and
// system): per operation it does not depend on what else the machine runs,
// unlike the wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time per operation since start.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64((cpuTime()-start).Microseconds())/float64(b.N), "cpu-µs/op")
}

func newBenchStore(b *testing.B, path string) *sqlstore.Store {
	b.Helper()
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// bench100k is the store with 100,000 users, built once.
var bench100k = sync.OnceValues(func() (*sqlstore.Store, error) {
	dir, err := os.MkdirTemp("", "cognitod-bench")
	if err != nil {
		return nil, err
	}
	benchDir = dir
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(dir, "bench.db"))
	if err != nil {
		return nil, err
	}
	if err := s.CreateUserPool(ctx, store.UserPool{ID: benchPool, Name: "bench", Created: time.Now()}); err != nil {
		return nil, err
	}
	start := time.Now()
	const batch = 1000
	users := make([]store.User, 0, batch)
	for i := 0; i < benchUsers; i += batch {
		users = users[:0]
		for j := i; j < i+batch; j++ {
			users = append(users, benchUser(benchPool, j))
		}
		if err := s.CreateUsers(ctx, benchPool, users); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(os.Stderr, "built %d users in %v\n", benchUsers, time.Since(start).Round(time.Millisecond))
	return s, nil
})

func load100k(b *testing.B) *sqlstore.Store {
	b.Helper()
	s, err := bench100k()
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkCreateUser creates users one by one (one transaction each) in a
// pool that grows from empty.
func BenchmarkCreateUser(b *testing.B) {
	s := newBenchStore(b, filepath.Join(b.TempDir(), "create.db"))
	defer s.Close()
	ctx := benchContext(b)
	if err := s.CreateUserPool(ctx, store.UserPool{ID: benchPool, Name: "bench", Created: time.Now()}); err != nil {
		b.Fatal(err)
	}
	i := 0
	cpu := cpuTime()
	for b.Loop() {
		if err := s.CreateUser(ctx, benchUser(benchPool, i)); err != nil {
			b.Fatal(err)
		}
		i++
	}
	reportCPU(b, cpu)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "users/s")
}

// BenchmarkCreateUserParallel is CreateUser from many goroutines, as
// concurrent requests would: SQLite has one writer, and the store commits
// the users that queued while it wrote together (group commit).
func BenchmarkCreateUserParallel(b *testing.B) {
	s := newBenchStore(b, filepath.Join(b.TempDir(), "create.db"))
	defer s.Close()
	ctx := benchContext(b)
	if err := s.CreateUserPool(ctx, store.UserPool{ID: benchPool, Name: "bench", Created: time.Now()}); err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	b.SetParallelism(16) // concurrent requests: 32 on 2 cores
	cpu := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := s.CreateUser(ctx, benchUser(benchPool, int(next.Add(1)))); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportCPU(b, cpu)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "users/s")
}

// BenchmarkGetUserByKey100k reads random users of the 100k pool.
func BenchmarkGetUserByKey100k(b *testing.B) {
	s := load100k(b)
	ctx := benchContext(b)
	r := rand.New(rand.NewPCG(1, 2))
	cpu := cpuTime()
	for b.Loop() {
		key := fmt.Sprintf("user%06d", r.IntN(benchUsers))
		if _, err := s.GetUserByKey(ctx, benchPool, key); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
}

// BenchmarkGetUserByKeyParallel100k is GetUserByKey from many goroutines.
func BenchmarkGetUserByKeyParallel100k(b *testing.B) {
	s := load100k(b)
	ctx := benchContext(b)
	var seed atomic.Uint64
	b.SetParallelism(4)
	cpu := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		r := rand.New(rand.NewPCG(seed.Add(1), 2))
		for pb.Next() {
			key := fmt.Sprintf("user%06d", r.IntN(benchUsers))
			if _, err := s.GetUserByKey(ctx, benchPool, key); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportCPU(b, cpu)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reads/s")
}

// listBench runs ListUsers with a query made per iteration and reports the
// median and 99th percentile latency besides the mean.
func listBench(b *testing.B, page store.Page, query func(r *rand.Rand) store.UserQuery, want func(n int) bool) {
	s := load100k(b)
	ctx := benchContext(b)
	r := rand.New(rand.NewPCG(3, 4))
	var lat []time.Duration
	cpu := cpuTime()
	for b.Loop() {
		q := query(r)
		start := time.Now()
		users, _, err := s.ListUsers(ctx, benchPool, q, page)
		lat = append(lat, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		if !want(len(users)) {
			b.Fatalf("%+v: %d users", q, len(users))
		}
	}
	reportCPU(b, cpu)
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkListUsersPrefix100k: username ^= "userNNNN", 100 matches, one
// page of 60 (ListUsers' largest).
func BenchmarkListUsersPrefix100k(b *testing.B) {
	listBench(b, store.Page{Limit: 60}, func(r *rand.Rand) store.UserQuery {
		return store.UserQuery{Attr: "username", Op: store.OpPrefix, Value: fmt.Sprintf("user%04d", r.IntN(benchUsers/100))}
	}, func(n int) bool { return n == 60 })
}

// BenchmarkListUsersPrefixWide100k: given_name ^= "A" matches 20,000 users;
// the first page of 60 costs what a narrow prefix costs.
func BenchmarkListUsersPrefixWide100k(b *testing.B) {
	listBench(b, store.Page{Limit: 60}, func(r *rand.Rand) store.UserQuery {
		return store.UserQuery{Attr: "given_name", Op: store.OpPrefix, Value: "A"}
	}, func(n int) bool { return n == 60 })
}

// BenchmarkListUsersEqual100k: email = one user's address.
func BenchmarkListUsersEqual100k(b *testing.B) {
	listBench(b, store.Page{Limit: 60}, func(r *rand.Rand) store.UserQuery {
		return store.UserQuery{Attr: "email", Op: store.OpEqual, Value: fmt.Sprintf("user%06d@example.com", r.IntN(benchUsers))}
	}, func(n int) bool { return n == 1 })
}

// BenchmarkListUsersDeepPage100k: the page of 60 after 10,000 users of a
// wide prefix, through its cursor: keyset pagination costs the same deep
// in the list.
func BenchmarkListUsersDeepPage100k(b *testing.B) {
	s := load100k(b)
	ctx := benchContext(b)
	q := store.UserQuery{Attr: "family_name", Op: store.OpPrefix, Value: "Hop"}
	_, cursor, err := s.ListUsers(ctx, benchPool, q, store.Page{Limit: 10_000})
	if err != nil || cursor == "" {
		b.Fatal(cursor, err)
	}
	listBench(b, store.Page{Limit: 60}, func(*rand.Rand) store.UserQuery { return q }, func(n int) bool { return n == 60 })
	_ = cursor
}

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
// them. The ones named …100k read a pool of 100,000 users, and
// BenchmarkListUsersScale compares pools of 10,000 and 100,000: each pool is
// built once per process (a few seconds for 100k, in transactions of 1,000
// users) in a temporary folder that TestMain removes; they only run with
// -bench, like every benchmark:
//
//	go test -run '^$' -bench . -benchtime 2s ./internal/store/sqlite
//	go test -run '^$' -bench 'ListUsersScale|ScanReference' ./internal/store/sqlite

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

var benchDirOnce = sync.OnceValue(func() error {
	dir, err := os.MkdirTemp("", "cognitod-bench")
	benchDir = dir
	return err
})

// buildBenchStore builds a database file with a pool of n users (benchUser
// 0 … n-1).
func buildBenchStore(n int) (*sqlstore.Store, error) {
	if err := benchDirOnce(); err != nil {
		return nil, err
	}
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(benchDir, fmt.Sprintf("bench-%d.db", n)))
	if err != nil {
		return nil, err
	}
	if err := s.CreateUserPool(ctx, store.UserPool{ID: benchPool, Name: "bench", Created: time.Now()}); err != nil {
		return nil, err
	}
	start := time.Now()
	const batch = 1000
	users := make([]store.User, 0, batch)
	for i := 0; i < n; i += batch {
		users = users[:0]
		for j := i; j < min(i+batch, n); j++ {
			users = append(users, benchUser(benchPool, j))
		}
		if err := s.CreateUsers(ctx, benchPool, users); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(os.Stderr, "built %d users in %v\n", n, time.Since(start).Round(time.Millisecond))
	return s, nil
}

// benchStores are the pools of 10k and 100k users, each built once.
var benchStores = map[int]func() (*sqlstore.Store, error){
	10_000:     sync.OnceValues(func() (*sqlstore.Store, error) { return buildBenchStore(10_000) }),
	benchUsers: sync.OnceValues(func() (*sqlstore.Store, error) { return buildBenchStore(benchUsers) }),
}

func loadN(b *testing.B, n int) *sqlstore.Store {
	b.Helper()
	s, err := benchStores[n]()
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func load100k(b *testing.B) *sqlstore.Store { b.Helper(); return loadN(b, benchUsers) }

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
func listBench(b *testing.B, s *sqlstore.Store, page store.Page, query func(r *rand.Rand) store.UserQuery, want func(n int) bool) {
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
	listBench(b, load100k(b), store.Page{Limit: 60}, func(r *rand.Rand) store.UserQuery {
		return store.UserQuery{Attr: "username", Op: store.OpPrefix, Value: fmt.Sprintf("user%04d", r.IntN(benchUsers/100))}
	}, func(n int) bool { return n == 60 })
}

// BenchmarkListUsersPrefixWide100k: given_name ^= "A" matches 20,000 users;
// the first page of 60 costs what a narrow prefix costs.
func BenchmarkListUsersPrefixWide100k(b *testing.B) {
	listBench(b, load100k(b), store.Page{Limit: 60}, func(r *rand.Rand) store.UserQuery {
		return store.UserQuery{Attr: "given_name", Op: store.OpPrefix, Value: "A"}
	}, func(n int) bool { return n == 60 })
}

// BenchmarkListUsersEqual100k: email = one user's address.
func BenchmarkListUsersEqual100k(b *testing.B) {
	listBench(b, load100k(b), store.Page{Limit: 60}, func(r *rand.Rand) store.UserQuery {
		return store.UserQuery{Attr: "email", Op: store.OpEqual, Value: fmt.Sprintf("user%06d@example.com", r.IntN(benchUsers))}
	}, func(n int) bool { return n == 1 })
}

// BenchmarkListUsersDeepPage100k: the page of 60 after 10,000 users of a
// wide prefix, through its cursor: keyset pagination costs the same deep
// in the list.
func BenchmarkListUsersDeepPage100k(b *testing.B) {
	s := load100k(b)
	ctx := benchContext(b)
	q := store.UserQuery{Attr: "family_name", Op: store.OpPrefix, Value: "hop"}
	_, cursor, err := s.ListUsers(ctx, benchPool, q, store.Page{Limit: 10_000})
	if err != nil || cursor == "" {
		b.Fatal(cursor, err)
	}
	listBench(b, s, store.Page{Cursor: cursor, Limit: 60}, func(*rand.Rand) store.UserQuery { return q }, func(n int) bool { return n == 60 })
}

// BenchmarkListUsersScale runs the equality and prefix filters of ListUsers
// on pools of 10,000 and 100,000 users: with the index, a page costs the
// same in both (a B-tree search is logarithmic: 100k is a level deeper at
// most), where a full scan (BenchmarkListUsersScanReference) costs ten
// times more in the larger pool.
//
//	go test -run '^$' -bench 'ListUsersScale|ScanReference' -benchtime 20000x ./internal/store/sqlite
func BenchmarkListUsersScale(b *testing.B) {
	for _, n := range []int{10_000, benchUsers} {
		b.Run(fmt.Sprintf("email-equal/users=%d", n), func(b *testing.B) {
			listBench(b, loadN(b, n), store.Page{Limit: 60}, func(r *rand.Rand) store.UserQuery {
				return store.UserQuery{Attr: "email", Op: store.OpEqual, Value: fmt.Sprintf("user%06d@example.com", r.IntN(n))}
			}, func(k int) bool { return k == 1 })
		})
		b.Run(fmt.Sprintf("email-prefix/users=%d", n), func(b *testing.B) {
			// "user00012" … : ten users share the prefix, whatever n.
			listBench(b, loadN(b, n), store.Page{Limit: 60}, func(r *rand.Rand) store.UserQuery {
				return store.UserQuery{Attr: "email", Op: store.OpPrefix, Value: fmt.Sprintf("user%05d", r.IntN(n/10))}
			}, func(k int) bool { return k == 10 })
		})
		b.Run(fmt.Sprintf("given-name-equal/users=%d", n), func(b *testing.B) {
			// n/10 users match; the first page of 60 is read.
			listBench(b, loadN(b, n), store.Page{Limit: 60}, func(r *rand.Rand) store.UserQuery {
				return store.UserQuery{Attr: "given_name", Op: store.OpEqual, Value: givenNames[r.IntN(len(givenNames))]}
			}, func(k int) bool { return k == 60 })
		})
	}
}

// BenchmarkListUsersScanReference is what a search without an index costs
// on the same pools: one email found by reading every user's document. It
// is not a query of the store; it is here to show what "no full scan" saves
// and that its cost grows with the pool.
func BenchmarkListUsersScanReference(b *testing.B) {
	for _, n := range []int{10_000, benchUsers} {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			s := loadN(b, n)
			ctx := benchContext(b)
			r := rand.New(rand.NewPCG(5, 6))
			var lat []time.Duration
			for b.Loop() {
				pattern := fmt.Sprintf(`%%"email":"user%06d@example.com"%%`, r.IntN(n))
				// The document is a BLOB; LIKE compares text.
				start := time.Now()
				var k int
				if err := s.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE pool_id = ? AND CAST(doc AS TEXT) LIKE ?`, benchPool, pattern).Scan(&k); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
				if k != 1 {
					b.Fatalf("%s: %d users", pattern, k)
				}
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
		})
	}
}

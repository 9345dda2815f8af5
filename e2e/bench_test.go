package e2e

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitod/cognitod/internal/testserver"
)

// benchClient returns a client for the server under measure: the one named by
// BENCH_ENDPOINT (moto, cognito-local or a running cognitod, for side-by-side
// figures: scripts/bench-compare.sh), else an in-process cognitod on SQLite.
func benchClient(b *testing.B) *cip.Client {
	if ep := os.Getenv("BENCH_ENDPOINT"); ep != "" {
		return testserver.ClientFor(ep, "us-east-1", nil)
	}
	return testserver.Start(b).Client()
}

// BenchmarkDescribeUserPool measures one read of a pool through the SDK over
// loopback HTTP: protocol, validation, store read, encoding.
func BenchmarkDescribeUserPool(b *testing.B) {
	c := benchClient(b)
	ctx := context.Background()
	out, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("bench")})
	if err != nil {
		b.Fatal(err)
	}
	in := &cip.DescribeUserPoolInput{UserPoolId: out.UserPool.Id}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.DescribeUserPool(ctx, in); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkCreateUserPoolClient measures one write (a new app client) through
// the SDK over loopback HTTP.
func BenchmarkCreateUserPoolClient(b *testing.B) {
	c := benchClient(b)
	ctx := context.Background()
	out, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("bench")})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i > 0 && i%900 == 0 {
			// A pool holds at most 1,000 clients.
			b.StopTimer()
			if out, err = c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("bench")}); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		if _, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
			UserPoolId: out.UserPool.Id, ClientName: aws.String(fmt.Sprintf("c%d", i)),
		}); err != nil {
			b.Fatal(err)
		}
	}
}

// benchUserPool creates a pool and n users in it (user-0000000@example.com
// …, the email as username and attribute, as cognitod-bench makes them),
// from 32 callers at once, outside the timer.
func benchUserPool(b *testing.B, c *cip.Client, n int) string {
	b.Helper()
	ctx := context.Background()
	out, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("bench-users")})
	if err != nil {
		b.Fatal(err)
	}
	pool := aws.ToString(out.UserPool.Id)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				if err := benchCreate(ctx, c, pool, i); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	return pool
}

func benchEmail(i int) string { return fmt.Sprintf("user-%07d@example.com", i) }

func benchCreate(ctx context.Context, c *cip.Client, pool string, i int) error {
	_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String(benchEmail(i)),
		TemporaryPassword: aws.String("Bench-Passw0rd!"), MessageAction: types.MessageActionTypeSuppress,
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(benchEmail(i))}}})
	return err
}

// benchUsers is the size of the pools that the user benchmarks read:
// BENCH_USERS, default 10,000 (the filters cost the same at 100,000, see
// internal/store/sqlite's BenchmarkListUsersScale; seeding takes longer).
func benchUsers(b *testing.B) int {
	if v := os.Getenv("BENCH_USERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 100 {
			b.Fatalf("BENCH_USERS=%q: want a number of at least 100", v)
		}
		return n
	}
	return 10_000
}

// The user benchmarks run 8 callers on 2 cores, as cognitod-bench's
// concurrency 8 does, in one process with the server: with -cpuprofile they
// profile the server's side of each operation (and the SDK's).
//
//	go test -run '^$' -bench 'AdminGetUser|AdminCreateUser|ListUsersFilter' -cpuprofile /tmp/cpu.out ./e2e
//	go tool pprof -top /tmp/cpu.out

// BenchmarkAdminCreateUser creates a new user per call in one pool.
func BenchmarkAdminCreateUser(b *testing.B) {
	c := benchClient(b)
	pool := benchUserPool(b, c, 1)
	var next atomic.Int64
	next.Store(1)
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			if err := benchCreate(ctx, c, pool, int(next.Add(1)-1)); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkAdminGetUser reads existing users of a pool round-robin.
func BenchmarkAdminGetUser(b *testing.B) {
	c := benchClient(b)
	n := min(benchUsers(b), 1000)
	pool := benchUserPool(b, c, n)
	var next atomic.Int64
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			i := int(next.Add(1)-1) % n
			out, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String(benchEmail(i))})
			if err != nil {
				b.Error(err)
				return
			}
			if aws.ToString(out.Username) != benchEmail(i) {
				b.Errorf("user %d: %s", i, aws.ToString(out.Username))
				return
			}
		}
	})
}

// BenchmarkListUsersFilter runs ListUsers with an equality filter (one
// user) and a prefix filter (100 users, Limit 10), alternately, on a pool
// of BENCH_USERS users, and reports the median latency per call.
func BenchmarkListUsersFilter(b *testing.B) {
	c := benchClient(b)
	n := benchUsers(b)
	pool := benchUserPool(b, c, n)
	var next atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		var mine []time.Duration
		for pb.Next() {
			k := next.Add(1) - 1
			i := int((k / 2 * 7919) % int64(n))
			in := &cip.ListUsersInput{UserPoolId: aws.String(pool), Limit: aws.Int32(10),
				Filter: aws.String(fmt.Sprintf("email = %q", benchEmail(i)))}
			want := 1
			if k%2 == 1 {
				in.Filter = aws.String(fmt.Sprintf("email ^= %q", benchEmail(i)[:len("user-00000")]))
				want = min(10, n-i/100*100)
			}
			start := time.Now()
			out, err := c.ListUsers(ctx, in)
			mine = append(mine, time.Since(start))
			if err != nil {
				b.Error(err)
				return
			}
			if len(out.Users) != want {
				b.Errorf("%s: %d users, want %d", aws.ToString(in.Filter), len(out.Users), want)
				return
			}
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	}
}

package e2e

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

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

package e2e

import (
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/cognitod/cognitod/internal/app"
	"github.com/cognitod/cognitod/internal/testserver"
)

// TestResetEmptiesState: a test suite's reset between tests leaves nothing.
func TestResetEmptiesState(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	p, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("before-reset")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: p.UserPool.Id, ClientName: aws.String("c")}); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(srv.URL+"/_cognitod/reset", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("reset: %d", resp.StatusCode)
	}
	list, err := c.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(60)})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.UserPools) != 0 {
		t.Fatalf("after reset %d pools remain", len(list.UserPools))
	}
	if _, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: p.UserPool.Id}); err == nil {
		t.Fatal("the pool is still there after reset")
	}
	// The server is still usable.
	if _, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("after-reset")}); err != nil {
		t.Fatal(err)
	}
}

func TestResetOffInStrictMode(t *testing.T) {
	srv := testserver.Start(t, testserver.WithConfig(func(c *app.Config) { c.Strict = true }))
	resp, err := http.Post(srv.URL+"/_cognitod/reset", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("reset in strict mode: %d", resp.StatusCode)
	}
}

// TestMemoryStore: --db memory serves like the file store.
func TestMemoryStore(t *testing.T) {
	srv := testserver.Start(t, testserver.WithConfig(func(c *app.Config) { c.DB = "memory" }))
	c, ctx := srv.Client(), testserver.Ctx(t)
	p, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("mem")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: p.UserPool.Id}); err != nil {
		t.Fatal(err)
	}
}

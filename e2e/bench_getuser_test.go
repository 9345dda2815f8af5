package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitod/cognitod/internal/crypto/srp"
	"github.com/cognitod/cognitod/internal/testserver"
)

// BenchmarkGetUserHTTP sends GetUser over HTTP with a plain client (no SDK),
// 8 callers, so that a CPU profile shows the server's whole path:
//
//	go test -run '^$' -bench GetUserHTTP -cpuprofile /tmp/cpu.out ./e2e
func BenchmarkGetUserHTTP(b *testing.B) {
	srv := testserver.Start(b)
	c, ctx := srv.Client(), context.Background()
	pool, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("bench")})
	if err != nil {
		b.Fatal(err)
	}
	client, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pool.UserPool.Id, ClientName: aws.String("bench"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: pool.UserPool.Id, Username: aws.String("ada"),
		MessageAction: types.MessageActionTypeSuppress}); err != nil {
		b.Fatal(err)
	}
	if _, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: pool.UserPool.Id, Username: aws.String("ada"),
		Password: aws.String("Passw0rd!"), Permanent: true}); err != nil {
		b.Fatal(err)
	}
	out, err := c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: pool.UserPool.Id, ClientId: client.UserPoolClient.ClientId,
		AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "ada", "PASSWORD": "Passw0rd!"}})
	if err != nil {
		b.Fatal(err)
	}
	body, _ := json.Marshal(map[string]string{"AccessToken": aws.ToString(out.AuthenticationResult.AccessToken)})
	hc := srv.HTTPClient()
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.GetUser")
			resp, err := hc.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("GetUser: HTTP %d", resp.StatusCode)
				return
			}
		}
	})
}

// BenchmarkPasswordAuthHTTP sends InitiateAuth USER_PASSWORD_AUTH over HTTP
// with a plain client, 8 callers, for profiles of a whole sign-in.
func BenchmarkPasswordAuthHTTP(b *testing.B) {
	srv := testserver.Start(b)
	c, ctx := srv.Client(), context.Background()
	pool, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("bench")})
	if err != nil {
		b.Fatal(err)
	}
	client, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pool.UserPool.Id, ClientName: aws.String("bench"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: pool.UserPool.Id, Username: aws.String("ada"),
		MessageAction: types.MessageActionTypeSuppress}); err != nil {
		b.Fatal(err)
	}
	if _, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: pool.UserPool.Id, Username: aws.String("ada"),
		Password: aws.String("Passw0rd!"), Permanent: true}); err != nil {
		b.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"ClientId": aws.ToString(client.UserPoolClient.ClientId), "AuthFlow": "USER_PASSWORD_AUTH",
		"AuthParameters": map[string]string{"USERNAME": "ada", "PASSWORD": "Passw0rd!"}})
	hc := srv.HTTPClient()
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.InitiateAuth")
			resp, err := hc.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("InitiateAuth: HTTP %d", resp.StatusCode)
				return
			}
		}
	})
}

// BenchmarkSRPAuthHTTP runs whole USER_SRP_AUTH sign-ins over HTTP with a
// plain client and the project's Go SRP client, 8 callers, for profiles of
// the server's side (the client's exponentiations are in the profile too,
// under srp.Client).
func BenchmarkSRPAuthHTTP(b *testing.B) {
	srv := testserver.Start(b)
	c, ctx := srv.Client(), context.Background()
	pool, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("bench")})
	if err != nil {
		b.Fatal(err)
	}
	poolID := aws.ToString(pool.UserPool.Id)
	client, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pool.UserPool.Id, ClientName: aws.String("bench"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		b.Fatal(err)
	}
	clientID := aws.ToString(client.UserPoolClient.ClientId)
	if _, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: pool.UserPool.Id, Username: aws.String("ada"),
		MessageAction: types.MessageActionTypeSuppress}); err != nil {
		b.Fatal(err)
	}
	if _, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: pool.UserPool.Id, Username: aws.String("ada"),
		Password: aws.String("Passw0rd!"), Permanent: true}); err != nil {
		b.Fatal(err)
	}
	hc := srv.HTTPClient()
	call := func(op string, in any, out any) error {
		body, _ := json.Marshal(in)
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s: HTTP %d %s", op, resp.StatusCode, raw)
		}
		return json.Unmarshal(raw, out)
	}
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			cl, err := srp.NewClient(srp.PoolName(poolID), rand.Reader)
			if err != nil {
				b.Error(err)
				return
			}
			var ch struct{ ChallengeParameters map[string]string }
			if err := call("InitiateAuth", map[string]any{"ClientId": clientID, "AuthFlow": "USER_SRP_AUTH",
				"AuthParameters": map[string]string{"USERNAME": "ada", "SRP_A": cl.AHex()}}, &ch); err != nil {
				b.Error(err)
				return
			}
			answers, err := cl.RespondPasswordVerifier(ch.ChallengeParameters, "Passw0rd!", time.Now())
			if err != nil {
				b.Error(err)
				return
			}
			var done struct{ AuthenticationResult struct{ AccessToken string } }
			if err := call("RespondToAuthChallenge", map[string]any{"ClientId": clientID, "ChallengeName": "PASSWORD_VERIFIER",
				"ChallengeResponses": answers}, &done); err != nil || done.AuthenticationResult.AccessToken == "" {
				b.Errorf("PASSWORD_VERIFIER: %v", err)
				return
			}
		}
	})
}

package idp_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/crypto/seal"
	"github.com/cognitod/cognitod/internal/crypto/srp"
	"github.com/cognitod/cognitod/internal/idp"
	"github.com/cognitod/cognitod/internal/store/sqlite"
)

// benchService is a service on a SQLite file, as cognitod runs by default.
func benchService(b *testing.B) (*idp.Service, string) {
	b.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	box, _ := seal.New([]byte("benchmark key 0123456789abcdef"), rand.Reader)
	svc := &idp.Service{Config: idp.Config{Region: "us-east-1", AccountID: "123456789012"}, Store: st, Seal: box}
	out, err := svc.CreateUserPool(ctx, &api.CreateUserPoolRequest{PoolName: api.String("bench")})
	if err != nil {
		b.Fatal(err)
	}
	return svc, api.ToString(out.UserPool.Id)
}

// BenchmarkAdminGetUser measures the service's side of AdminGetUser (no
// HTTP): the figure to compare with the load tool's.
func BenchmarkAdminGetUser(b *testing.B) {
	svc, pool := benchService(b)
	ctx := context.Background()
	for i := range 100 {
		_, err := svc.AdminCreateUser(ctx, &api.AdminCreateUserRequest{UserPoolId: api.String(pool), Username: api.String(fmt.Sprintf("user%d", i)),
			MessageAction:  api.MessageActionTypeSuppress,
			UserAttributes: []api.AttributeType{{Name: api.String("email"), Value: api.String(fmt.Sprintf("user%d@example.com", i))}}})
		if err != nil {
			b.Fatal(err)
		}
	}
	var n atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1) % 100
			if _, err := svc.AdminGetUser(ctx, &api.AdminGetUserRequest{UserPoolId: api.String(pool), Username: api.String(fmt.Sprintf("user%d", i))}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkAdminCreateUser measures creating users with a generated
// temporary password and no message.
func BenchmarkAdminCreateUser(b *testing.B) {
	svc, pool := benchService(b)
	ctx := context.Background()
	var n atomic.Int64
	b.ReportAllocs()
	// Eight callers, as the load tool sends: writes are committed in groups.
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			_, err := svc.AdminCreateUser(ctx, &api.AdminCreateUserRequest{UserPoolId: api.String(pool), Username: api.String(fmt.Sprintf("user%d", i)),
				MessageAction:  api.MessageActionTypeSuppress,
				UserAttributes: []api.AttributeType{{Name: api.String("email"), Value: api.String(fmt.Sprintf("user%d@example.com", i))}}})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkGetUser measures the service's side of GetUser with an access
// token: the signature check, the session and the user.
func BenchmarkGetUser(b *testing.B) {
	svc, pool := benchService(b)
	ctx := context.Background()
	c, err := svc.CreateUserPoolClient(ctx, &api.CreateUserPoolClientRequest{UserPoolId: api.String(pool), ClientName: api.String("bench"),
		ExplicitAuthFlows: []api.ExplicitAuthFlowsType{api.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth, api.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.AdminCreateUser(ctx, &api.AdminCreateUserRequest{UserPoolId: api.String(pool), Username: api.String("ada"),
		MessageAction: api.MessageActionTypeSuppress}); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.AdminSetUserPassword(ctx, &api.AdminSetUserPasswordRequest{UserPoolId: api.String(pool), Username: api.String("ada"),
		Password: api.String("Passw0rd!"), Permanent: api.Bool(true)}); err != nil {
		b.Fatal(err)
	}
	out, err := svc.AdminInitiateAuth(ctx, &api.AdminInitiateAuthRequest{UserPoolId: api.String(pool), ClientId: c.UserPoolClient.ClientId,
		AuthFlow: api.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "ada", "PASSWORD": "Passw0rd!"}})
	if err != nil {
		b.Fatal(err)
	}
	tok := out.AuthenticationResult.AccessToken
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := svc.GetUser(ctx, &api.GetUserRequest{AccessToken: tok}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkPasswordSignIn measures ADMIN_USER_PASSWORD_AUTH end to end in the
// service: the verifier, two RSA signatures, the session's write.
func BenchmarkPasswordSignIn(b *testing.B) {
	svc, pool := benchService(b)
	ctx := context.Background()
	c, err := svc.CreateUserPoolClient(ctx, &api.CreateUserPoolClientRequest{UserPoolId: api.String(pool), ClientName: api.String("bench"),
		ExplicitAuthFlows: []api.ExplicitAuthFlowsType{api.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth, api.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.AdminCreateUser(ctx, &api.AdminCreateUserRequest{UserPoolId: api.String(pool), Username: api.String("ada"),
		MessageAction: api.MessageActionTypeSuppress}); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.AdminSetUserPassword(ctx, &api.AdminSetUserPasswordRequest{UserPoolId: api.String(pool), Username: api.String("ada"),
		Password: api.String("Passw0rd!"), Permanent: api.Bool(true)}); err != nil {
		b.Fatal(err)
	}
	in := &api.AdminInitiateAuthRequest{UserPoolId: api.String(pool), ClientId: c.UserPoolClient.ClientId,
		AuthFlow: api.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "ada", "PASSWORD": "Passw0rd!"}}
	if _, err := svc.AdminInitiateAuth(ctx, in); err != nil { // makes the keys
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := svc.AdminInitiateAuth(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSRPSignIn measures the server's side of a USER_SRP_AUTH sign-in:
// InitiateAuth and the PASSWORD_VERIFIER answer (the client's side, in Go,
// is outside the timer).
func BenchmarkSRPSignIn(b *testing.B) {
	svc, pool := benchService(b)
	ctx := context.Background()
	c, err := svc.CreateUserPoolClient(ctx, &api.CreateUserPoolClientRequest{UserPoolId: api.String(pool), ClientName: api.String("bench"),
		ExplicitAuthFlows: []api.ExplicitAuthFlowsType{api.ExplicitAuthFlowsTypeAllowUserSrpAuth, api.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.AdminCreateUser(ctx, &api.AdminCreateUserRequest{UserPoolId: api.String(pool), Username: api.String("ada"),
		MessageAction: api.MessageActionTypeSuppress}); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.AdminSetUserPassword(ctx, &api.AdminSetUserPasswordRequest{UserPoolId: api.String(pool), Username: api.String("ada"),
		Password: api.String("Passw0rd!"), Permanent: api.Bool(true)}); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.JWKS(ctx, pool); err != nil { // makes the keys
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		cl, err := srp.NewClient(srp.PoolName(pool), rand.Reader)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		ch, err := svc.InitiateAuth(ctx, &api.InitiateAuthRequest{ClientId: c.UserPoolClient.ClientId, AuthFlow: api.AuthFlowTypeUserSrpAuth,
			AuthParameters: map[string]string{"USERNAME": "ada", "SRP_A": cl.AHex()}})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		answers, err := cl.RespondPasswordVerifier(ch.ChallengeParameters, "Passw0rd!", time.Now())
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := svc.RespondToAuthChallenge(ctx, &api.RespondToAuthChallengeRequest{ClientId: c.UserPoolClient.ClientId,
			ChallengeName: api.ChallengeNameTypePasswordVerifier, ChallengeResponses: answers}); err != nil {
			b.Fatal(err)
		}
	}
}

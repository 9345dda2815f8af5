package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitod/cognitod/internal/app"
	"github.com/cognitod/cognitod/internal/store/postgres/pgtest"
	"github.com/cognitod/cognitod/internal/testserver"
)

// Multi-node end-to-end tests (issue 6): two cognitod servers on one
// PostgreSQL database, with the same secret key and the same public URL (so
// their tokens carry the same issuer), behave as one Cognito.

const mnPassword = "Passw0rd!"

// mnNodes starts a throw-away cluster (skipping loudly where the PostgreSQL
// binaries are absent, as the store tests do), makes one database on it and
// starts two cognitod servers on that database.
func mnNodes(t *testing.T) (a, b *testserver.Server) {
	t.Helper()
	c, err := pgtest.Start(t.Context())
	if errors.Is(err, pgtest.ErrUnavailable) {
		t.Skip("SKIPPING PostgreSQL multi-node test: " + err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	// Registered before the servers' own cleanups, so it runs after them:
	// the servers close their connections before the cluster stops.
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Errorf("stopping the cluster: %v", err)
		}
	})
	name, err := c.NewDatabase(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	dsn := c.DSN(name)
	cfg := testserver.WithConfig(func(cfg *app.Config) {
		cfg.DB = dsn
		cfg.SecretKey = "multi-node-shared-secret-key-0123456789"
		cfg.PublicURL = "http://cognitod.multinode.test"
	})
	return testserver.Start(t, cfg), testserver.Start(t, cfg)
}

// mnPool creates a pool (e-mail confirmation) and an app client with the
// password flows and refresh on node c.
func mnPool(t *testing.T, ctx context.Context, c *cip.Client, name string) (poolID, clientID string) {
	t.Helper()
	p, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{
		PoolName:               aws.String(name),
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
	})
	if err != nil {
		t.Fatalf("CreateUserPool: %v", err)
	}
	poolID = aws.ToString(p.UserPool.Id)
	cl, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(poolID),
		ClientName: aws.String("app"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{
			types.ExplicitAuthFlowsTypeAllowUserPasswordAuth,
			types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth,
		},
	})
	if err != nil {
		t.Fatalf("CreateUserPoolClient: %v", err)
	}
	return poolID, aws.ToString(cl.UserPoolClient.ClientId)
}

func mnSignUp(ctx context.Context, c *cip.Client, clientID, username string) error {
	_, err := c.SignUp(ctx, &cip.SignUpInput{
		ClientId: aws.String(clientID),
		Username: aws.String(username),
		Password: aws.String(mnPassword),
		UserAttributes: []types.AttributeType{
			{Name: aws.String("email"), Value: aws.String(username + "@example.com")},
		},
	})
	return err
}

func mnSignIn(ctx context.Context, c *cip.Client, clientID, username string) (*types.AuthenticationResultType, error) {
	out, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId:       aws.String(clientID),
		AuthFlow:       types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": username, "PASSWORD": mnPassword},
	})
	if err != nil {
		return nil, err
	}
	if out.AuthenticationResult == nil {
		return nil, fmt.Errorf("sign-in: challenge %s instead of tokens", out.ChallengeName)
	}
	return out.AuthenticationResult, nil
}

func mnRefresh(ctx context.Context, c *cip.Client, clientID, refresh string) error {
	_, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId:       aws.String(clientID),
		AuthFlow:       types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": refresh},
	})
	return err
}

// mnConfirmedUser signs username up through one node, confirms with the code
// read from the other node's outbox, and returns.
func mnConfirmedUser(t *testing.T, ctx context.Context, up, other *testserver.Server, poolID, clientID, username string) {
	t.Helper()
	if err := mnSignUp(ctx, up.Client(), clientID, username); err != nil {
		t.Fatalf("SignUp through %s: %v", up.URL, err)
	}
	code, err := other.Outbox().LatestCode(ctx, poolID, username)
	if err != nil {
		t.Fatalf("the code from the other node's outbox: %v", err)
	}
	if _, err := up.Client().ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{
		ClientId: aws.String(clientID), Username: aws.String(username), ConfirmationCode: aws.String(code),
	}); err != nil {
		t.Fatalf("ConfirmSignUp: %v", err)
	}
}

func mnWantNotAuthorized(t *testing.T, what string, err error) {
	t.Helper()
	var na *types.NotAuthorizedException
	if !errors.As(err, &na) {
		t.Fatalf("%s: want NotAuthorizedException, got %v", what, err)
	}
}

// mnKids is the set of key ids in node s's JWKS for pool.
func mnKids(t *testing.T, ctx context.Context, s *testserver.Server, poolID string) map[string]bool {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/"+poolID+"/.well-known/jwks.json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := s.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("JWKS of %s: status %d", s.URL, resp.StatusCode)
	}
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	kids := map[string]bool{}
	for _, k := range set.Keys {
		kids[k.Kid] = true
	}
	return kids
}

// mnRotate rotates pool's keys through node s and returns the kids it
// reports.
func mnRotate(t *testing.T, ctx context.Context, s *testserver.Server, poolID string) map[string]bool {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/_cognitod/rotate-keys?userPoolId="+url.QueryEscape(poolID), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := s.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("rotate-keys: status %d", resp.StatusCode)
	}
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	kids := map[string]bool{}
	for _, k := range set.Keys {
		kids[k.Kid] = true
	}
	return kids
}

func TestMultiNode(t *testing.T) {
	a, b := mnNodes(t)
	ctx := testserver.Ctx(t)
	ca, cb := a.Client(), b.Client()

	t.Run("SignUpOnASignInOnB", func(t *testing.T) {
		poolID, clientID := mnPool(t, ctx, ca, "mn-signup")
		mnConfirmedUser(t, ctx, a, b, poolID, clientID, "alice")
		res, err := mnSignIn(ctx, cb, clientID, "alice")
		if err != nil {
			t.Fatalf("sign-in through B: %v", err)
		}
		// Tokens of one node are good on the other.
		if _, err := ca.GetUser(ctx, &cip.GetUserInput{AccessToken: res.AccessToken}); err != nil {
			t.Fatalf("GetUser through A with B's token: %v", err)
		}
		if err := mnRefresh(ctx, ca, clientID, aws.ToString(res.RefreshToken)); err != nil {
			t.Fatalf("refresh through A with B's token: %v", err)
		}
	})

	t.Run("GlobalSignOutOnARefusedOnB", func(t *testing.T) {
		poolID, clientID := mnPool(t, ctx, ca, "mn-signout")
		mnConfirmedUser(t, ctx, b, a, poolID, clientID, "bob")
		res, err := mnSignIn(ctx, ca, clientID, "bob")
		if err != nil {
			t.Fatal(err)
		}
		// B has seen (and may have cached) the token as good.
		if _, err := cb.GetUser(ctx, &cip.GetUserInput{AccessToken: res.AccessToken}); err != nil {
			t.Fatalf("GetUser through B before sign-out: %v", err)
		}
		if _, err := ca.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: res.AccessToken}); err != nil {
			t.Fatalf("GlobalSignOut through A: %v", err)
		}
		_, err = cb.GetUser(ctx, &cip.GetUserInput{AccessToken: res.AccessToken})
		mnWantNotAuthorized(t, "GetUser through B after sign-out on A", err)
		mnWantNotAuthorized(t, "refresh through B after sign-out on A", mnRefresh(ctx, cb, clientID, aws.ToString(res.RefreshToken)))
	})

	t.Run("RevokeTokenOnARefusedOnB", func(t *testing.T) {
		poolID, clientID := mnPool(t, ctx, ca, "mn-revoke")
		mnConfirmedUser(t, ctx, a, b, poolID, clientID, "carol")
		res, err := mnSignIn(ctx, cb, clientID, "carol")
		if err != nil {
			t.Fatal(err)
		}
		if err := mnRefresh(ctx, cb, clientID, aws.ToString(res.RefreshToken)); err != nil {
			t.Fatalf("refresh through B before revocation: %v", err)
		}
		if _, err := ca.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: aws.String(clientID), Token: res.RefreshToken}); err != nil {
			t.Fatalf("RevokeToken through A: %v", err)
		}
		mnWantNotAuthorized(t, "refresh through B after revocation on A", mnRefresh(ctx, cb, clientID, aws.ToString(res.RefreshToken)))
		_, err = cb.GetUser(ctx, &cip.GetUserInput{AccessToken: res.AccessToken})
		mnWantNotAuthorized(t, "GetUser through B with an access token of a revoked refresh token", err)
	})

	t.Run("ClientChangedOnBEnforcedOnA", func(t *testing.T) {
		poolID, clientID := mnPool(t, ctx, ca, "mn-client")
		mnConfirmedUser(t, ctx, a, b, poolID, clientID, "dave")
		// A signs in once: whatever A caches of the pool and the client is warm.
		if _, err := mnSignIn(ctx, ca, clientID, "dave"); err != nil {
			t.Fatalf("sign-in through A before the change: %v", err)
		}
		if _, err := cb.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{
			UserPoolId:        aws.String(poolID),
			ClientId:          aws.String(clientID),
			ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth, types.ExplicitAuthFlowsTypeAllowUserSrpAuth},
		}); err != nil {
			t.Fatalf("UpdateUserPoolClient through B: %v", err)
		}
		d, err := ca.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(poolID), ClientId: aws.String(clientID)})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range d.UserPoolClient.ExplicitAuthFlows {
			if f == types.ExplicitAuthFlowsTypeAllowUserPasswordAuth {
				t.Fatalf("A describes the old client: %v", d.UserPoolClient.ExplicitAuthFlows)
			}
		}
		_, err = mnSignIn(ctx, ca, clientID, "dave")
		var ip *types.InvalidParameterException
		if !errors.As(err, &ip) {
			t.Fatalf("USER_PASSWORD_AUTH through A after B removed it: want InvalidParameterException, got %v", err)
		}
	})

	t.Run("KeyRotationOnASeenOnB", func(t *testing.T) {
		poolID, clientID := mnPool(t, ctx, ca, "mn-keys")
		mnConfirmedUser(t, ctx, a, b, poolID, clientID, "erin")
		old, err := mnSignIn(ctx, cb, clientID, "erin")
		if err != nil {
			t.Fatal(err)
		}
		before := mnKids(t, ctx, b, poolID) // B's view, possibly cached
		rotated := mnRotate(t, ctx, a, poolID)
		after := mnKids(t, ctx, b, poolID)
		var fresh int
		for k := range rotated {
			if !after[k] {
				t.Errorf("B's JWKS lacks kid %s that A published after rotation (B has %v)", k, after)
			}
			if !before[k] {
				fresh++
			}
		}
		if fresh == 0 {
			t.Fatalf("rotation on A published no new kid: before %v, after %v", before, rotated)
		}
		// Tokens signed on B after the rotation verify on A, and the
		// old ones still verify on both (the retired keys are still published).
		res, err := mnSignIn(ctx, cb, clientID, "erin")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ca.GetUser(ctx, &cip.GetUserInput{AccessToken: res.AccessToken}); err != nil {
			t.Fatalf("GetUser through A with a token B signed after rotation: %v", err)
		}
		if _, err := cb.GetUser(ctx, &cip.GetUserInput{AccessToken: old.AccessToken}); err != nil {
			t.Fatalf("GetUser through B with a token signed before rotation: %v", err)
		}
	})

	// Lockout counters are in the database: wrong passwords alternating
	// between the nodes lock the user out on both.
	t.Run("LockoutAcrossNodes", func(t *testing.T) {
		poolID, clientID := mnPool(t, ctx, ca, "mn-lockout")
		mnConfirmedUser(t, ctx, a, b, poolID, clientID, "lena")
		for i := range 5 {
			c := ca
			if i%2 == 1 {
				c = cb
			}
			_, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
				AuthParameters: map[string]string{"USERNAME": "lena", "PASSWORD": "Wrong-Passw0rd!"}})
			mnWantNotAuthorized(t, fmt.Sprintf("wrong password %d", i+1), err)
		}
		for _, c := range []*cip.Client{ca, cb} {
			_, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
				AuthParameters: map[string]string{"USERNAME": "lena", "PASSWORD": mnPassword}})
			var na *types.NotAuthorizedException
			if !errors.As(err, &na) || aws.ToString(na.Message) != "Password attempts exceeded" {
				t.Errorf("the right password during the lockout: %v", err)
			}
		}
	})

	// A challenge's Session is single-use across nodes: answered on B, it
	// cannot be answered again on A.
	t.Run("ChallengeSessionAcrossNodes", func(t *testing.T) {
		poolID, clientID := mnPool(t, ctx, ca, "mn-challenge")
		if _, err := ca.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(poolID), Username: aws.String("nico"),
			TemporaryPassword: aws.String(mnPassword), MessageAction: types.MessageActionTypeSuppress}); err != nil {
			t.Fatal(err)
		}
		out, err := ca.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "nico", "PASSWORD": mnPassword}})
		if err != nil || out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
			t.Fatalf("sign-in through A: %v", err)
		}
		answer := &cip.RespondToAuthChallengeInput{ClientId: aws.String(clientID), ChallengeName: types.ChallengeNameTypeNewPasswordRequired,
			Session: out.Session, ChallengeResponses: map[string]string{"USERNAME": "nico", "NEW_PASSWORD": "New-" + mnPassword}}
		if done, err := cb.RespondToAuthChallenge(ctx, answer); err != nil || done.AuthenticationResult == nil {
			t.Fatalf("the answer through B: %v", err)
		}
		_, err = ca.RespondToAuthChallenge(ctx, answer)
		mnWantNotAuthorized(t, "the same Session again through A", err)
	})

	t.Run("ConcurrentSignUpOneUser", func(t *testing.T) {
		poolID, clientID := mnPool(t, ctx, ca, "mn-race")
		const n = 200
		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			ok       int
			exists   int
			failures []error
		)
		for i := range n {
			c := ca
			if i%2 == 1 {
				c = cb
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := mnSignUp(ctx, c, clientID, "zed")
				var ue *types.UsernameExistsException
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case errors.As(err, &ue):
					exists++
				default:
					failures = append(failures, err)
				}
			}()
		}
		wg.Wait()
		for i, err := range failures {
			if i == 5 {
				t.Errorf("… %d more", len(failures)-5)
				break
			}
			t.Errorf("SignUp: %v", err)
		}
		if ok != 1 || exists != n-1 {
			t.Errorf("%d sign-ups succeeded and %d got UsernameExistsException; want 1 and %d", ok, exists, n-1)
		}
		for _, c := range []*cip.Client{ca, cb} {
			out, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(poolID)})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Users) != 1 {
				t.Errorf("ListUsers: %d users, want 1", len(out.Users))
			}
		}
	})
}

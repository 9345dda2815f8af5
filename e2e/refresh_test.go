package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/cognitod/cognitod/internal/testserver"
)

// Refresh tokens and the end of sessions, through aws-sdk-go-v2:
// REFRESH_TOKEN_AUTH, GetTokensFromRefreshToken, refresh-token rotation and
// its grace period, RevokeToken, GlobalSignOut, AdminUserGlobalSignOut, and
// the sweep of expired sessions. Time moves with a test clock, never sleep.

const rtPassword = "Passw0rd!refresh"

// rtEnv is one server with a pool, an app client and a signed-up user.
type rtEnv struct {
	srv    *testserver.Server
	c      *cip.Client
	ctx    context.Context
	clock  *testserver.Clock
	pool   string
	client string
	secret string
}

// rtStart starts a server on a test clock with a pool and an app client that
// allows admin password sign-in and refresh; edit changes the client request.
func rtStart(t *testing.T, edit func(*cip.CreateUserPoolClientInput)) *rtEnv {
	t.Helper()
	clock := testserver.NewClock(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	srv := testserver.Start(t, testserver.WithClock(clock))
	e := &rtEnv{srv: srv, c: srv.Client(), ctx: testserver.Ctx(t), clock: clock}
	e.pool = userPool(t, e.c, e.ctx, &cip.CreateUserPoolInput{})
	e.client, e.secret = e.newClient(t, edit)
	rtUser(t, e, "alice")
	return e
}

// newClient adds an app client to the pool.
func (e *rtEnv) newClient(t *testing.T, edit func(*cip.CreateUserPoolClientInput)) (id, secret string) {
	t.Helper()
	return appClient(t, e.c, e.ctx, e.pool, func(in *cip.CreateUserPoolClientInput) {
		in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{
			types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}
		if edit != nil {
			edit(in)
		}
	})
}

// rtUser creates a confirmed user with rtPassword.
func rtUser(t *testing.T, e *rtEnv, name string) {
	t.Helper()
	if _, err := e.c.AdminCreateUser(e.ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(e.pool), Username: aws.String(name),
		MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatalf("AdminCreateUser %s: %v", name, err)
	}
	if _, err := e.c.AdminSetUserPassword(e.ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(e.pool), Username: aws.String(name),
		Password: aws.String(rtPassword), Permanent: true}); err != nil {
		t.Fatalf("AdminSetUserPassword %s: %v", name, err)
	}
}

// rtSignIn signs name in with ADMIN_USER_PASSWORD_AUTH on the env's client.
func rtSignIn(t *testing.T, e *rtEnv, name string) *types.AuthenticationResultType {
	t.Helper()
	return rtSignInWith(t, e, e.client, e.secret, name)
}

func rtSignInWith(t *testing.T, e *rtEnv, client, secret, name string) *types.AuthenticationResultType {
	t.Helper()
	params := map[string]string{"USERNAME": name, "PASSWORD": rtPassword}
	if secret != "" {
		params["SECRET_HASH"] = secretHash(secret, name, client)
	}
	out, err := e.c.AdminInitiateAuth(e.ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(e.pool), ClientId: aws.String(client),
		AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: params})
	if err != nil {
		t.Fatalf("AdminInitiateAuth %s: %v", name, err)
	}
	r := out.AuthenticationResult
	if r == nil || aws.ToString(r.AccessToken) == "" || aws.ToString(r.IdToken) == "" || aws.ToString(r.RefreshToken) == "" {
		t.Fatalf("AdminInitiateAuth %s: tokens missing in %+v", name, r)
	}
	return r
}

// rtInitiate refreshes with InitiateAuth (flow REFRESH_TOKEN_AUTH unless
// given) on the env's client; extra are more AuthParameters.
func rtInitiate(e *rtEnv, refresh string, flow types.AuthFlowType, extra map[string]string) (*types.AuthenticationResultType, error) {
	if flow == "" {
		flow = types.AuthFlowTypeRefreshTokenAuth
	}
	params := map[string]string{"REFRESH_TOKEN": refresh}
	for k, v := range extra {
		params[k] = v
	}
	out, err := e.c.InitiateAuth(e.ctx, &cip.InitiateAuthInput{ClientId: aws.String(e.client), AuthFlow: flow, AuthParameters: params})
	if err != nil {
		return nil, err
	}
	return out.AuthenticationResult, nil
}

// rtGetTokens calls GetTokensFromRefreshToken on client with secret.
func rtGetTokens(e *rtEnv, client, secret, refresh string) (*types.AuthenticationResultType, error) {
	in := &cip.GetTokensFromRefreshTokenInput{ClientId: aws.String(client), RefreshToken: aws.String(refresh)}
	if secret != "" {
		in.ClientSecret = aws.String(secret)
	}
	out, err := e.c.GetTokensFromRefreshToken(e.ctx, in)
	if err != nil {
		return nil, err
	}
	return out.AuthenticationResult, nil
}

// rtRevoke calls RevokeToken.
func rtRevoke(e *rtEnv, client, secret, token string) error {
	in := &cip.RevokeTokenInput{ClientId: aws.String(client), Token: aws.String(token)}
	if secret != "" {
		in.ClientSecret = aws.String(secret)
	}
	_, err := e.c.RevokeToken(e.ctx, in)
	return err
}

// rtGetUser calls GetUser with an access token.
func rtGetUser(e *rtEnv, access string) error {
	_, err := e.c.GetUser(e.ctx, &cip.GetUserInput{AccessToken: aws.String(access)})
	return err
}

// rtWant checks an error by its type and message.
func rtWant(t *testing.T, what string, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code || ae.ErrorMessage() != msg {
		t.Fatalf("%s: error %v, want %s %q", what, err, code, msg)
	}
}

// rtWantFlowOff checks the answer to a flow the client does not allow; its
// exact words belong to the sign-in flows (auth_test.go checks them).
func rtWantFlowOff(t *testing.T, what string, err error) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterException" || !strings.Contains(ae.ErrorMessage(), "flow not enabled for this client") {
		t.Fatalf("%s: error %v, want InvalidParameterException \"... flow not enabled for this client\"", what, err)
	}
}

func rtOK(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// rtClaims reads a JWT's claims without checking it (tokens_test.go checks
// signatures against the JWKS).
func rtClaims(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", jwt)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// rtFresh checks that refreshed tokens belong to the session of first:
// same auth_time and origin_jti, new jti, issued at now.
func rtFresh(t *testing.T, e *rtEnv, first, got *types.AuthenticationResultType) {
	t.Helper()
	if got == nil || aws.ToString(got.AccessToken) == "" || aws.ToString(got.IdToken) == "" {
		t.Fatalf("refresh answered no tokens: %+v", got)
	}
	pairs := [][2]string{{aws.ToString(first.IdToken), aws.ToString(got.IdToken)}, {aws.ToString(first.AccessToken), aws.ToString(got.AccessToken)}}
	for _, p := range pairs {
		a, b := rtClaims(t, p[0]), rtClaims(t, p[1])
		if a["token_use"] != b["token_use"] {
			t.Fatalf("token_use %v, want %v", b["token_use"], a["token_use"])
		}
		use := a["token_use"]
		for _, k := range []string{"auth_time", "origin_jti", "sub"} {
			if b[k] == nil || a[k] != b[k] {
				t.Errorf("%v token %s = %v after refresh, want %v (carried over)", use, k, b[k], a[k])
			}
		}
		if b["jti"] == nil || a["jti"] == b["jti"] {
			t.Errorf("%v token jti %v after refresh: want a new one (was %v)", use, b["jti"], a["jti"])
		}
		if iat, _ := b["iat"].(float64); int64(iat) != e.clock.Now().Unix() {
			t.Errorf("%v token iat %v, want %d", use, b["iat"], e.clock.Now().Unix())
		}
	}
	if aws.ToString(got.TokenType) != "Bearer" || got.ExpiresIn != 3600 {
		t.Errorf("TokenType %q ExpiresIn %d, want Bearer 3600", aws.ToString(got.TokenType), got.ExpiresIn)
	}
}

func rtRotating(grace int32) func(*cip.CreateUserPoolClientInput) {
	return func(in *cip.CreateUserPoolClientInput) {
		in.RefreshTokenRotation = &types.RefreshTokenRotationType{Feature: types.FeatureTypeEnabled, RetryGracePeriodSeconds: aws.Int32(grace)}
		in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth}
	}
}

func TestRefreshTokenAuth(t *testing.T) {
	e := rtStart(t, nil)
	first := rtSignIn(t, e, "alice")
	e.clock.Advance(10 * time.Minute)

	got, err := rtInitiate(e, aws.ToString(first.RefreshToken), "", nil)
	rtOK(t, "REFRESH_TOKEN_AUTH", err)
	rtFresh(t, e, first, got)
	if got.RefreshToken != nil {
		t.Errorf("REFRESH_TOKEN_AUTH answered a refresh token %q on a client without rotation", aws.ToString(got.RefreshToken))
	}
	rtOK(t, "GetUser with the refreshed access token", rtGetUser(e, aws.ToString(got.AccessToken)))

	// The older name, through AdminInitiateAuth; the same token again.
	e.clock.Advance(time.Minute)
	out, err := e.c.AdminInitiateAuth(e.ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(e.pool), ClientId: aws.String(e.client),
		AuthFlow: types.AuthFlowTypeRefreshToken, AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(first.RefreshToken)}})
	rtOK(t, "AdminInitiateAuth REFRESH_TOKEN", err)
	rtFresh(t, e, first, out.AuthenticationResult)
	if out.AuthenticationResult.RefreshToken != nil || out.ChallengeName != "" {
		t.Errorf("AdminInitiateAuth REFRESH_TOKEN: refresh token %v, challenge %q", out.AuthenticationResult.RefreshToken, out.ChallengeName)
	}

	// GetTokensFromRefreshToken on a client without rotation: the same.
	e.clock.Advance(time.Minute)
	got, err = rtGetTokens(e, e.client, "", aws.ToString(first.RefreshToken))
	rtOK(t, "GetTokensFromRefreshToken", err)
	rtFresh(t, e, first, got)
	if got.RefreshToken != nil {
		t.Errorf("GetTokensFromRefreshToken answered a refresh token on a client without rotation")
	}

	// A second sign-in is another session: another origin_jti.
	second := rtSignIn(t, e, "alice")
	if rtClaims(t, aws.ToString(second.AccessToken))["origin_jti"] == rtClaims(t, aws.ToString(first.AccessToken))["origin_jti"] {
		t.Error("two sign-ins share an origin_jti")
	}

	_, err = rtInitiate(e, "", "", nil)
	rtWant(t, "no REFRESH_TOKEN", err, "InvalidParameterException", "Missing required parameter REFRESH_TOKEN")
}

func TestRefreshTokenSecretHash(t *testing.T) {
	e := rtStart(t, func(in *cip.CreateUserPoolClientInput) { in.GenerateSecret = true })
	first := rtSignIn(t, e, "alice")
	tok := aws.ToString(first.RefreshToken)

	_, err := rtInitiate(e, tok, "", nil)
	rtWant(t, "no SECRET_HASH", err, "NotAuthorizedException", "Client "+e.client+" is configured for secret but secret was not received")
	_, err = rtInitiate(e, tok, "", map[string]string{"SECRET_HASH": secretHash(e.secret, "bob", e.client)})
	rtWant(t, "SECRET_HASH of another user", err, "NotAuthorizedException", "Unable to verify secret hash for client "+e.client)
	got, err := rtInitiate(e, tok, "", map[string]string{"SECRET_HASH": secretHash(e.secret, "alice", e.client)})
	rtOK(t, "REFRESH_TOKEN_AUTH with SECRET_HASH", err)
	rtFresh(t, e, first, got)

	// GetTokensFromRefreshToken takes the secret itself.
	_, err = rtGetTokens(e, e.client, "", tok)
	rtWant(t, "GetTokensFromRefreshToken without ClientSecret", err, "NotAuthorizedException", "Client "+e.client+" is configured for secret but secret was not received")
	_, err = rtGetTokens(e, e.client, strings.Repeat("x", 40), tok)
	rtWant(t, "GetTokensFromRefreshToken with a wrong ClientSecret", err, "NotAuthorizedException", "Unable to verify secret for client "+e.client)
	got, err = rtGetTokens(e, e.client, e.secret, tok)
	rtOK(t, "GetTokensFromRefreshToken with ClientSecret", err)
	rtFresh(t, e, first, got)
}

func TestRefreshTokenInvalid(t *testing.T) {
	e := rtStart(t, nil)
	tok := aws.ToString(rtSignIn(t, e, "alice").RefreshToken)

	// A token of another client of the same pool.
	other, _ := e.newClient(t, nil)
	otherTok := aws.ToString(rtSignInWith(t, e, other, "", "alice").RefreshToken)
	_, err := rtInitiate(e, otherTok, "", nil)
	rtWant(t, "another client's token", err, "NotAuthorizedException", "Invalid Refresh Token")
	_, err = rtGetTokens(e, e.client, "", otherTok)
	rtWant(t, "another client's token (GetTokensFromRefreshToken)", err, "NotAuthorizedException", "Invalid Refresh Token")

	// A token of another pool.
	e2 := &rtEnv{srv: e.srv, c: e.c, ctx: e.ctx, clock: e.clock}
	e2.pool = userPool(t, e.c, e.ctx, &cip.CreateUserPoolInput{PoolName: aws.String("other")})
	e2.client, _ = e2.newClient(t, nil)
	rtUser(t, e2, "alice")
	_, err = rtInitiate(e, aws.ToString(rtSignIn(t, e2, "alice").RefreshToken), "", nil)
	rtWant(t, "another pool's token", err, "NotAuthorizedException", "Invalid Refresh Token")

	// Garbled tokens, including one changed by a single character.
	flipped := []byte(tok)
	i := len(flipped) - 10
	if flipped[i] == 'A' {
		flipped[i] = 'B'
	} else {
		flipped[i] = 'A'
	}
	for _, bad := range []string{"garbage", "a.b", "eyJjdHkiOiJKV1QifQ.x.y.z", tok[:len(tok)-4], string(flipped), tok + "A"} {
		_, err = rtInitiate(e, bad, "", nil)
		rtWant(t, "garbled token "+bad, err, "NotAuthorizedException", "Invalid Refresh Token")
		_, err = rtGetTokens(e, e.client, "", bad)
		rtWant(t, "garbled token (GetTokensFromRefreshToken) "+bad, err, "NotAuthorizedException", "Invalid Refresh Token")
	}

	// The real one still works after all that.
	_, err = rtInitiate(e, tok, "", nil)
	rtOK(t, "the real token", err)
}

func TestRefreshTokenExpires(t *testing.T) {
	e := rtStart(t, func(in *cip.CreateUserPoolClientInput) {
		in.RefreshTokenValidity = 60
		in.TokenValidityUnits = &types.TokenValidityUnitsType{RefreshToken: types.TimeUnitsTypeMinutes}
	})
	tok := aws.ToString(rtSignIn(t, e, "alice").RefreshToken)
	e.clock.Advance(59*time.Minute + 59*time.Second)
	_, err := rtInitiate(e, tok, "", nil)
	rtOK(t, "refresh a second before expiry", err)
	e.clock.Advance(time.Second)
	_, err = rtInitiate(e, tok, "", nil)
	rtWant(t, "refresh at expiry", err, "NotAuthorizedException", "Refresh Token has expired")
	_, err = rtGetTokens(e, e.client, "", tok)
	rtWant(t, "GetTokensFromRefreshToken at expiry", err, "NotAuthorizedException", "Refresh Token has expired")
}

func TestRefreshTokenDisabledAndDeletedUser(t *testing.T) {
	e := rtStart(t, nil)
	tok := aws.ToString(rtSignIn(t, e, "alice").RefreshToken)
	user := &cip.AdminDisableUserInput{UserPoolId: aws.String(e.pool), Username: aws.String("alice")}
	_, err := e.c.AdminDisableUser(e.ctx, user)
	rtOK(t, "AdminDisableUser", err)
	_, err = rtInitiate(e, tok, "", nil)
	rtWant(t, "refresh of a disabled user", err, "NotAuthorizedException", "User is disabled.")
	_, err = rtGetTokens(e, e.client, "", tok)
	rtWant(t, "GetTokensFromRefreshToken of a disabled user", err, "NotAuthorizedException", "User is disabled.")

	_, err = e.c.AdminEnableUser(e.ctx, &cip.AdminEnableUserInput{UserPoolId: user.UserPoolId, Username: user.Username})
	rtOK(t, "AdminEnableUser", err)
	_, err = rtInitiate(e, tok, "", nil)
	rtOK(t, "refresh once enabled again", err)

	_, err = e.c.AdminDeleteUser(e.ctx, &cip.AdminDeleteUserInput{UserPoolId: user.UserPoolId, Username: user.Username})
	rtOK(t, "AdminDeleteUser", err)
	// Deleting the user deleted its sessions: the token names nothing.
	_, err = rtInitiate(e, tok, "", nil)
	rtWant(t, "refresh of a deleted user", err, "NotAuthorizedException", "Invalid Refresh Token")
	// A new user of the same name does not inherit the old sessions.
	rtUser(t, e, "alice")
	_, err = rtInitiate(e, tok, "", nil)
	rtWant(t, "refresh after the name was reused", err, "NotAuthorizedException", "Invalid Refresh Token")
}

func TestRefreshTokenRotation(t *testing.T) {
	e := rtStart(t, rtRotating(0))
	first := rtSignIn(t, e, "alice")
	r0 := aws.ToString(first.RefreshToken)

	e.clock.Advance(time.Minute)
	got, err := rtGetTokens(e, e.client, "", r0)
	rtOK(t, "GetTokensFromRefreshToken", err)
	rtFresh(t, e, first, got)
	r1 := aws.ToString(got.RefreshToken)
	if r1 == "" || r1 == r0 {
		t.Fatalf("rotation answered refresh token %q (was %q): want a new one", r1, r0)
	}
	// Without a grace period the replaced token stops at once.
	_, err = rtGetTokens(e, e.client, "", r0)
	rtWant(t, "replaced token", err, "RefreshTokenReuseException", "Refresh token has already been used and is no longer valid.")

	got, err = rtGetTokens(e, e.client, "", r1)
	rtOK(t, "the new token", err)
	rtFresh(t, e, first, got)
	r2 := aws.ToString(got.RefreshToken)
	if r2 == "" || r2 == r1 || r2 == r0 {
		t.Fatalf("second rotation answered %q", r2)
	}
	_, err = rtGetTokens(e, e.client, "", r1)
	rtWant(t, "second replaced token", err, "RefreshTokenReuseException", "Refresh token has already been used and is no longer valid.")
	// Access tokens from every generation are of the same session.
	rtOK(t, "GetUser with the first access token", rtGetUser(e, aws.ToString(first.AccessToken)))

	// REFRESH_TOKEN_AUTH is not available on a rotating client, even when
	// its ExplicitAuthFlows name it.
	_, err = rtInitiate(e, r2, "", nil)
	rtWantFlowOff(t, "REFRESH_TOKEN_AUTH on a rotating client", err)
	listing, _ := e.newClient(t, func(in *cip.CreateUserPoolClientInput) {
		rtRotating(0)(in)
		in.ExplicitAuthFlows = append(in.ExplicitAuthFlows, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth)
	})
	_, err = e.c.InitiateAuth(e.ctx, &cip.InitiateAuthInput{ClientId: aws.String(listing), AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(rtSignInWith(t, e, listing, "", "alice").RefreshToken)}})
	rtWantFlowOff(t, "REFRESH_TOKEN_AUTH on a rotating client that lists it", err)

	// The rotated tokens keep the session's end: the original's.
	e.clock.Advance(30 * 24 * time.Hour)
	_, err = rtGetTokens(e, e.client, "", r2)
	rtWant(t, "rotated token past the session's end", err, "NotAuthorizedException", "Refresh Token has expired")
}

func TestRefreshTokenRotationGracePeriod(t *testing.T) {
	e := rtStart(t, rtRotating(30))
	r0 := aws.ToString(rtSignIn(t, e, "alice").RefreshToken)
	next := func(what, tok string) string {
		t.Helper()
		got, err := rtGetTokens(e, e.client, "", tok)
		rtOK(t, what, err)
		if aws.ToString(got.RefreshToken) == "" || aws.ToString(got.RefreshToken) == tok {
			t.Fatalf("%s: refresh token %q, want a new one", what, aws.ToString(got.RefreshToken))
		}
		return aws.ToString(got.RefreshToken)
	}
	reused := func(what, tok string) {
		t.Helper()
		_, err := rtGetTokens(e, e.client, "", tok)
		rtWant(t, what, err, "RefreshTokenReuseException", "Refresh token has already been used and is no longer valid.")
	}

	// Each token used is kept 30 seconds past its replacement, however
	// often it is used in the meantime.
	r1 := next("r0 at 0s", r0) // r0 until 30s
	e.clock.Advance(10 * time.Second)
	r2 := next("r0 retried at 10s", r0) // r1 until 40s
	e.clock.Advance(19 * time.Second)
	next("r0 at 29s", r0) // r2 until 59s
	e.clock.Advance(time.Second)
	reused("r0 at 30s", r0)
	next("r1 at 30s", r1) // r3 until 60s
	e.clock.Advance(10 * time.Second)
	reused("r1 at 40s", r1)
	r5 := next("r2 at 40s", r2) // r4 until 70s
	e.clock.Advance(30 * time.Second)
	reused("r2 at 70s", r2)
	r6 := next("r5 at 70s", r5)
	reused("r1 still at 70s", r1)
	next("r6", r6)
}

func TestRefreshTokenRotationConcurrent(t *testing.T) {
	e := rtStart(t, rtRotating(0))
	tok := aws.ToString(rtSignIn(t, e, "alice").RefreshToken)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = rtGetTokens(e, e.client, "", tok)
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
			continue
		}
		rtWant(t, "concurrent refresh", err, "RefreshTokenReuseException", "Refresh token has already been used and is no longer valid.")
	}
	if won != 1 {
		t.Fatalf("%d of %d concurrent refreshes with one token succeeded, want exactly 1", won, n)
	}
}

func TestRevokeToken(t *testing.T) {
	e := rtStart(t, nil)
	s1, s2 := rtSignIn(t, e, "alice"), rtSignIn(t, e, "alice")
	// An access token refreshed from s1 before the revocation: of the same
	// session, so revoked with it.
	refreshed, err := rtInitiate(e, aws.ToString(s1.RefreshToken), "", nil)
	rtOK(t, "refresh s1", err)

	rtOK(t, "RevokeToken", rtRevoke(e, e.client, "", aws.ToString(s1.RefreshToken)))
	_, err = rtInitiate(e, aws.ToString(s1.RefreshToken), "", nil)
	rtWant(t, "refresh after RevokeToken", err, "NotAuthorizedException", "Refresh Token has been revoked")
	_, err = rtGetTokens(e, e.client, "", aws.ToString(s1.RefreshToken))
	rtWant(t, "GetTokensFromRefreshToken after RevokeToken", err, "NotAuthorizedException", "Refresh Token has been revoked")
	for _, at := range []string{aws.ToString(s1.AccessToken), aws.ToString(refreshed.AccessToken)} {
		rtWant(t, "GetUser after RevokeToken", rtGetUser(e, at), "NotAuthorizedException", "Access Token has been revoked")
	}
	// The other session lives on.
	rtOK(t, "GetUser of the other session", rtGetUser(e, aws.ToString(s2.AccessToken)))
	_, err = rtInitiate(e, aws.ToString(s2.RefreshToken), "", nil)
	rtOK(t, "refresh of the other session", err)

	// Revoking again, or a token that is not one, is no error; an access
	// token is not a token RevokeToken takes.
	rtOK(t, "RevokeToken again", rtRevoke(e, e.client, "", aws.ToString(s1.RefreshToken)))
	rtOK(t, "RevokeToken of garbage", rtRevoke(e, e.client, "", "garbage.token"))
	rtWant(t, "RevokeToken of an access token", rtRevoke(e, e.client, "", aws.ToString(s2.AccessToken)),
		"UnsupportedTokenTypeException", "Unsupported token type.")

	// Only the client the token was issued to may revoke it.
	other, _ := e.newClient(t, nil)
	rtWant(t, "RevokeToken by another client", rtRevoke(e, other, "", aws.ToString(s2.RefreshToken)),
		"UnauthorizedException", "The token was not issued to client "+other+".")
	_, err = rtInitiate(e, aws.ToString(s2.RefreshToken), "", nil)
	rtOK(t, "refresh after another client's attempt", err)
	rtWant(t, "RevokeToken by an unknown client", rtRevoke(e, "nosuchclient", "", aws.ToString(s2.RefreshToken)),
		"UnauthorizedException", "Client nosuchclient does not exist.")
}

func TestRevokeTokenNeedsRevocationEnabled(t *testing.T) {
	e := rtStart(t, func(in *cip.CreateUserPoolClientInput) { in.EnableTokenRevocation = aws.Bool(false) })
	s := rtSignIn(t, e, "alice")
	rtWant(t, "RevokeToken without EnableTokenRevocation", rtRevoke(e, e.client, "", aws.ToString(s.RefreshToken)),
		"UnsupportedOperationException", "Token revocation is not enabled for this client.")
	_, err := rtInitiate(e, aws.ToString(s.RefreshToken), "", nil)
	rtOK(t, "refresh after the refused revocation", err)
}

func TestRevokeTokenClientSecret(t *testing.T) {
	e := rtStart(t, func(in *cip.CreateUserPoolClientInput) { in.GenerateSecret = true })
	s := rtSignIn(t, e, "alice")
	tok := aws.ToString(s.RefreshToken)
	rtWant(t, "RevokeToken without ClientSecret", rtRevoke(e, e.client, "", tok),
		"UnauthorizedException", "Client "+e.client+" is configured for secret but secret was not received")
	rtWant(t, "RevokeToken with a wrong ClientSecret", rtRevoke(e, e.client, strings.Repeat("y", 40), tok),
		"UnauthorizedException", "Unable to verify secret for client "+e.client)
	rtOK(t, "GetUser before the revocation", rtGetUser(e, aws.ToString(s.AccessToken)))
	rtOK(t, "RevokeToken with ClientSecret", rtRevoke(e, e.client, e.secret, tok))
	rtWant(t, "GetUser after RevokeToken", rtGetUser(e, aws.ToString(s.AccessToken)), "NotAuthorizedException", "Access Token has been revoked")
	_, err := rtGetTokens(e, e.client, e.secret, tok)
	rtWant(t, "refresh after RevokeToken", err, "NotAuthorizedException", "Refresh Token has been revoked")
}

func TestRevokeTokenOfRotatedSession(t *testing.T) {
	e := rtStart(t, rtRotating(0))
	s := rtSignIn(t, e, "alice")
	got, err := rtGetTokens(e, e.client, "", aws.ToString(s.RefreshToken))
	rtOK(t, "rotate", err)
	// The replaced token can still end the session (never extend it).
	rtOK(t, "RevokeToken with the replaced token", rtRevoke(e, e.client, "", aws.ToString(s.RefreshToken)))
	_, err = rtGetTokens(e, e.client, "", aws.ToString(got.RefreshToken))
	rtWant(t, "current token after the revocation", err, "NotAuthorizedException", "Refresh Token has been revoked")
	rtWant(t, "GetUser after the revocation", rtGetUser(e, aws.ToString(got.AccessToken)), "NotAuthorizedException", "Access Token has been revoked")
}

// rtSignOutCheck signs alice in twice, runs signOut, and checks both
// sessions ended and a later one works.
func rtSignOutCheck(t *testing.T, e *rtEnv, signOut func(s1 *types.AuthenticationResultType) error) {
	t.Helper()
	s1, s2 := rtSignIn(t, e, "alice"), rtSignIn(t, e, "alice")
	bob := rtSignIn(t, e, "bob")
	rtOK(t, "sign-out", signOut(s1))
	for _, s := range []*types.AuthenticationResultType{s1, s2} {
		_, err := rtInitiate(e, aws.ToString(s.RefreshToken), "", nil)
		rtWant(t, "refresh after sign-out", err, "NotAuthorizedException", "Refresh Token has been revoked")
		rtWant(t, "GetUser after sign-out", rtGetUser(e, aws.ToString(s.AccessToken)), "NotAuthorizedException", "Access Token has been revoked")
	}
	// Another user's sessions are untouched.
	rtOK(t, "GetUser of another user", rtGetUser(e, aws.ToString(bob.AccessToken)))
	// A session started afterwards works.
	e.clock.Advance(time.Second)
	s3 := rtSignIn(t, e, "alice")
	rtOK(t, "GetUser of a new session", rtGetUser(e, aws.ToString(s3.AccessToken)))
	_, err := rtInitiate(e, aws.ToString(s3.RefreshToken), "", nil)
	rtOK(t, "refresh of a new session", err)
}

func TestRefreshAfterGlobalSignOut(t *testing.T) {
	e := rtStart(t, nil)
	rtUser(t, e, "bob")
	rtSignOutCheck(t, e, func(s1 *types.AuthenticationResultType) error {
		_, err := e.c.GlobalSignOut(e.ctx, &cip.GlobalSignOutInput{AccessToken: s1.AccessToken})
		return err
	})
}

func TestRefreshAfterAdminUserGlobalSignOut(t *testing.T) {
	e := rtStart(t, nil)
	rtUser(t, e, "bob")
	rtSignOutCheck(t, e, func(*types.AuthenticationResultType) error {
		_, err := e.c.AdminUserGlobalSignOut(e.ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: aws.String(e.pool), Username: aws.String("alice")})
		return err
	})
}

func TestRefreshSessionsSweptAfterExpiry(t *testing.T) {
	e := rtStart(t, func(in *cip.CreateUserPoolClientInput) {
		in.RefreshTokenValidity = 60
		in.AccessTokenValidity = aws.Int32(24)
		in.TokenValidityUnits = &types.TokenValidityUnitsType{RefreshToken: types.TimeUnitsTypeMinutes, AccessToken: types.TimeUnitsTypeHours}
	})
	svc := e.srv.App.Service
	old := rtSignIn(t, e, "alice")
	e.clock.Advance(59 * time.Minute)
	// Refreshed a minute before the refresh token expires, this access
	// token lives a day past it.
	late, err := rtInitiate(e, aws.ToString(old.RefreshToken), "", nil)
	rtOK(t, "refresh before expiry", err)
	fresh := rtSignIn(t, e, "alice")

	e.clock.Advance(2 * time.Minute)
	n, err := svc.SweepExpired(e.ctx)
	if err != nil || n != 0 {
		t.Fatalf("SweepExpired just after expiry: %d, %v; want 0 (its access tokens live on)", n, err)
	}
	rtOK(t, "GetUser with an access token of an expired session", rtGetUser(e, aws.ToString(late.AccessToken)))

	e.clock.Advance(24 * time.Hour)
	n, err = svc.SweepExpired(e.ctx)
	if err != nil || n != 1 {
		t.Fatalf("SweepExpired a day after expiry: %d, %v; want 1", n, err)
	}
	_, err = rtInitiate(e, aws.ToString(old.RefreshToken), "", nil)
	rtWant(t, "refresh of a swept session", err, "NotAuthorizedException", "Invalid Refresh Token")
	// The session signed in 59 minutes later expired, but less than a day
	// ago: it is still known, so its token is expired rather than unknown.
	_, err = rtInitiate(e, aws.ToString(fresh.RefreshToken), "", nil)
	rtWant(t, "refresh of the later session", err, "NotAuthorizedException", "Refresh Token has expired")
}

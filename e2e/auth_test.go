package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitod/cognitod/internal/testserver"
)

// Tests of the password sign-in flows (USER_PASSWORD_AUTH,
// ADMIN_USER_PASSWORD_AUTH, ADMIN_NO_SRP_AUTH), NEW_PASSWORD_REQUIRED, the
// challenge Session and the lockout, through aws-sdk-go-v2. Time moves with
// a testserver.Clock: nothing here sleeps.

const (
	authPassword2 = "N3w-Passw0rd!"
	authTempPass  = "Temp0rary!"
)

// authPasswordFlows is a client that allows every password flow.
func authPasswordFlows(in *cip.CreateUserPoolClientInput) {
	in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{
		types.ExplicitAuthFlowsTypeAllowUserPasswordAuth,
		types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth,
		types.ExplicitAuthFlowsTypeAllowUserSrpAuth,
		types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth,
	}
}

// authClient is an app client with every password flow; edit, when not
// nil, changes the request after that.
func authClient(t *testing.T, c *cip.Client, ctx context.Context, pool string, edit func(*cip.CreateUserPoolClientInput)) (id, secret string) {
	t.Helper()
	return appClient(t, c, ctx, pool, func(in *cip.CreateUserPoolClientInput) {
		authPasswordFlows(in)
		if edit != nil {
			edit(in)
		}
	})
}

// authSetup starts a server (with the given options), a pool and a client
// with every password flow.
func authSetup(t *testing.T, pool *cip.CreateUserPoolInput, opts ...testserver.Option) (srv *testserver.Server, c *cip.Client, ctx context.Context, poolID, clientID string) {
	t.Helper()
	srv = testserver.Start(t, opts...)
	c, ctx = srv.Client(), testserver.Ctx(t)
	if pool == nil {
		pool = &cip.CreateUserPoolInput{}
	}
	poolID = userPool(t, c, ctx, pool)
	clientID, _ = authClient(t, c, ctx, poolID, nil)
	return srv, c, ctx, poolID, clientID
}

// authUser creates a CONFIRMED user with password pw and the given
// attributes (name, value pairs).
func authUser(t *testing.T, c *cip.Client, ctx context.Context, pool, username, pw string, attrs ...string) {
	t.Helper()
	uaCreate(t, ctx, c, pool, username, attrs...)
	authSetPassword(t, c, ctx, pool, username, pw, true)
}

func authSetPassword(t *testing.T, c *cip.Client, ctx context.Context, pool, username, pw string, permanent bool) {
	t.Helper()
	_, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(pool),
		Username: aws.String(username), Password: aws.String(pw), Permanent: permanent})
	if err != nil {
		t.Fatalf("AdminSetUserPassword %s: %v", username, err)
	}
}

// authInvite creates a user as an administrator does, with a temporary
// password (FORCE_CHANGE_PASSWORD).
func authInvite(t *testing.T, c *cip.Client, ctx context.Context, pool, username, temp string, attrs ...string) {
	t.Helper()
	_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String(username),
		TemporaryPassword: aws.String(temp), UserAttributes: uaAttrs(attrs...), MessageAction: types.MessageActionTypeSuppress})
	if err != nil {
		t.Fatalf("AdminCreateUser %s: %v", username, err)
	}
}

// authParams makes AuthParameters / ChallengeResponses from name, value
// pairs.
func authParams(kv ...string) map[string]string {
	m := make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// authUserPassword is InitiateAuth with USER_PASSWORD_AUTH; extra adds
// parameters (SECRET_HASH).
func authUserPassword(c *cip.Client, ctx context.Context, clientID, username, pw string, extra ...string) (*cip.InitiateAuthOutput, error) {
	return c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: authParams(append([]string{"USERNAME", username, "PASSWORD", pw}, extra...)...)})
}

// authAdminPassword is AdminInitiateAuth with a password flow.
func authAdminPassword(c *cip.Client, ctx context.Context, pool, clientID string, flow types.AuthFlowType, username, pw string, extra ...string) (*cip.AdminInitiateAuthOutput, error) {
	return c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(pool), ClientId: aws.String(clientID), AuthFlow: flow,
		AuthParameters: authParams(append([]string{"USERNAME", username, "PASSWORD", pw}, extra...)...)})
}

// authSignIn signs in with USER_PASSWORD_AUTH and wants tokens.
func authSignIn(t *testing.T, c *cip.Client, ctx context.Context, clientID, username, pw string) *types.AuthenticationResultType {
	t.Helper()
	out, err := authUserPassword(c, ctx, clientID, username, pw)
	if err != nil {
		t.Fatalf("USER_PASSWORD_AUTH %s: %v", username, err)
	}
	if out.AuthenticationResult == nil {
		t.Fatalf("USER_PASSWORD_AUTH %s: no tokens (challenge %q)", username, out.ChallengeName)
	}
	return out.AuthenticationResult
}

// authClaims decodes a JWT's payload. The signature is the token tests'
// business; these tests only read who the token is for.
func authClaims(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not a JWT", jwt)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("token payload: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("token payload: %v", err)
	}
	return m
}

// authWantTokens checks an AuthenticationResult: three tokens, Bearer,
// ExpiresIn the access token's lifetime, and both tokens for the user
// stored as username from the client.
func authWantTokens(t *testing.T, res *types.AuthenticationResultType, clientID, username string, expiresIn int32) {
	t.Helper()
	if res == nil {
		t.Fatal("no AuthenticationResult")
	}
	if aws.ToString(res.AccessToken) == "" || aws.ToString(res.IdToken) == "" || aws.ToString(res.RefreshToken) == "" {
		t.Fatalf("tokens missing: access %t id %t refresh %t", res.AccessToken != nil, res.IdToken != nil, res.RefreshToken != nil)
	}
	if aws.ToString(res.TokenType) != "Bearer" {
		t.Errorf("TokenType %q, want Bearer", aws.ToString(res.TokenType))
	}
	if res.ExpiresIn != expiresIn {
		t.Errorf("ExpiresIn %d, want %d", res.ExpiresIn, expiresIn)
	}
	access, id := authClaims(t, aws.ToString(res.AccessToken)), authClaims(t, aws.ToString(res.IdToken))
	if access["token_use"] != "access" || access["client_id"] != clientID || access["username"] != username {
		t.Errorf("access token claims token_use %v client_id %v username %v, want access %s %s", access["token_use"], access["client_id"], access["username"], clientID, username)
	}
	if id["token_use"] != "id" || id["aud"] != clientID || id["cognito:username"] != username {
		t.Errorf("ID token claims token_use %v aud %v cognito:username %v, want id %s %s", id["token_use"], id["aud"], id["cognito:username"], clientID, username)
	}
	if exp, iat := access["exp"].(float64), access["iat"].(float64); int32(exp-iat) != expiresIn {
		t.Errorf("access token lives %v s, want %d", exp-iat, expiresIn)
	}
}

// authWantNotAuthorized wants NotAuthorizedException with msg.
func authWantNotAuthorized(t *testing.T, what string, err error, msg string) {
	t.Helper()
	var e *types.NotAuthorizedException
	if !errors.As(err, &e) {
		t.Fatalf("%s: error %v (%T), want NotAuthorizedException %q", what, err, err, msg)
	}
	if e.ErrorMessage() != msg {
		t.Errorf("%s: message\n got %q\nwant %q", what, e.ErrorMessage(), msg)
	}
}

func authWantInvalidParameter(t *testing.T, what string, err error, msg string) {
	t.Helper()
	var e *types.InvalidParameterException
	if !errors.As(err, &e) {
		t.Fatalf("%s: error %v (%T), want InvalidParameterException %q", what, err, err, msg)
	}
	if e.ErrorMessage() != msg {
		t.Errorf("%s: message\n got %q\nwant %q", what, e.ErrorMessage(), msg)
	}
}

const authIncorrect = "Incorrect username or password."

var authAdminFlows = []types.AuthFlowType{types.AuthFlowTypeAdminUserPasswordAuth, types.AuthFlowTypeAdminNoSrpAuth}

func TestAuthPasswordFlowsIssueTokens(t *testing.T) {
	_, c, ctx, pool, clientID := authSetup(t, nil)
	authUser(t, c, ctx, pool, "alice", signUpPassword, "email", "alice@example.com")

	// Cognito's default access token lives an hour.
	authWantTokens(t, authSignIn(t, c, ctx, clientID, "alice", signUpPassword), clientID, "alice", 3600)
	for _, flow := range authAdminFlows {
		out, err := authAdminPassword(c, ctx, pool, clientID, flow, "alice", signUpPassword)
		if err != nil {
			t.Fatalf("%s: %v", flow, err)
		}
		if out.ChallengeName != "" || out.Session != nil {
			t.Errorf("%s: challenge %q session %v, want none", flow, out.ChallengeName, out.Session)
		}
		authWantTokens(t, out.AuthenticationResult, clientID, "alice", 3600)
	}

	// ExpiresIn follows the client's AccessTokenValidity in its unit.
	short, _ := authClient(t, c, ctx, pool, func(in *cip.CreateUserPoolClientInput) {
		in.AccessTokenValidity = aws.Int32(30)
		in.TokenValidityUnits = &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeMinutes}
	})
	authWantTokens(t, authSignIn(t, c, ctx, short, "alice", signUpPassword), short, "alice", 1800)
	out, err := authAdminPassword(c, ctx, pool, short, types.AuthFlowTypeAdminUserPasswordAuth, "alice", signUpPassword)
	if err != nil {
		t.Fatal(err)
	}
	authWantTokens(t, out.AuthenticationResult, short, "alice", 1800)
}

func TestAuthFlowRefusals(t *testing.T) {
	_, c, ctx, pool, clientID := authSetup(t, nil)
	authUser(t, c, ctx, pool, "alice", signUpPassword)

	// The admin flows belong to AdminInitiateAuth, USER_PASSWORD_AUTH to
	// InitiateAuth, whatever the client allows.
	for _, flow := range authAdminFlows {
		_, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(clientID), AuthFlow: flow,
			AuthParameters: authParams("USERNAME", "alice", "PASSWORD", signUpPassword)})
		authWantInvalidParameter(t, "InitiateAuth "+string(flow), err, "Initiate Auth method not supported.")
	}
	_, err := authAdminPassword(c, ctx, pool, clientID, types.AuthFlowTypeUserPasswordAuth, "alice", signUpPassword)
	authWantInvalidParameter(t, "AdminInitiateAuth USER_PASSWORD_AUTH", err, "Initiate Auth method not supported.")

	// A client created without ExplicitAuthFlows allows SRP, refresh and
	// custom auth only.
	plain, _ := appClient(t, c, ctx, pool, nil)
	_, err = authUserPassword(c, ctx, plain, "alice", signUpPassword)
	authWantInvalidParameter(t, "USER_PASSWORD_AUTH on a default client", err, "USER_PASSWORD_AUTH flow not enabled for this client")
	for _, flow := range authAdminFlows {
		_, err = authAdminPassword(c, ctx, pool, plain, flow, "alice", signUpPassword)
		authWantInvalidParameter(t, string(flow)+" on a default client", err, "Auth flow not enabled for this client")
	}

	// Each ALLOW_ name opens its own flow only.
	userOnly, _ := appClient(t, c, ctx, pool, func(in *cip.CreateUserPoolClientInput) {
		in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}
	})
	authSignIn(t, c, ctx, userOnly, "alice", signUpPassword)
	_, err = authAdminPassword(c, ctx, pool, userOnly, types.AuthFlowTypeAdminUserPasswordAuth, "alice", signUpPassword)
	authWantInvalidParameter(t, "admin flow on a USER_PASSWORD_AUTH client", err, "Auth flow not enabled for this client")
	adminOnly, _ := appClient(t, c, ctx, pool, func(in *cip.CreateUserPoolClientInput) {
		in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}
	})
	_, err = authUserPassword(c, ctx, adminOnly, "alice", signUpPassword)
	authWantInvalidParameter(t, "USER_PASSWORD_AUTH on an admin client", err, "USER_PASSWORD_AUTH flow not enabled for this client")
	for _, flow := range authAdminFlows {
		if _, err := authAdminPassword(c, ctx, pool, adminOnly, flow, "alice", signUpPassword); err != nil {
			t.Errorf("%s on ALLOW_ADMIN_USER_PASSWORD_AUTH: %v", flow, err)
		}
	}

	// The legacy names still work: ADMIN_NO_SRP_AUTH opens both admin
	// flows, USER_PASSWORD_AUTH the user one.
	legacyAdmin, _ := appClient(t, c, ctx, pool, func(in *cip.CreateUserPoolClientInput) {
		in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAdminNoSrpAuth}
	})
	for _, flow := range authAdminFlows {
		if _, err := authAdminPassword(c, ctx, pool, legacyAdmin, flow, "alice", signUpPassword); err != nil {
			t.Errorf("%s on legacy ADMIN_NO_SRP_AUTH: %v", flow, err)
		}
	}
	_, err = authUserPassword(c, ctx, legacyAdmin, "alice", signUpPassword)
	authWantInvalidParameter(t, "USER_PASSWORD_AUTH on legacy ADMIN_NO_SRP_AUTH", err, "USER_PASSWORD_AUTH flow not enabled for this client")
	legacyUser, _ := appClient(t, c, ctx, pool, func(in *cip.CreateUserPoolClientInput) {
		in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeUserPasswordAuth}
	})
	authSignIn(t, c, ctx, legacyUser, "alice", signUpPassword)

	// Missing parameters, in Cognito's words.
	for _, tc := range []struct {
		params map[string]string
		msg    string
	}{
		{authParams("PASSWORD", signUpPassword), "Missing required parameter USERNAME"},
		{authParams("USERNAME", "alice"), "Missing required parameter PASSWORD"},
		{nil, "Missing required parameter USERNAME"},
	} {
		_, err := c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth, AuthParameters: tc.params})
		authWantInvalidParameter(t, fmt.Sprintf("InitiateAuth %v", tc.params), err, tc.msg)
		_, err = c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(pool), ClientId: aws.String(clientID),
			AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: tc.params})
		authWantInvalidParameter(t, fmt.Sprintf("AdminInitiateAuth %v", tc.params), err, tc.msg)
	}

	// An unknown client, or a client of another pool.
	_, err = authUserPassword(c, ctx, "nosuchclient0000000000000", "alice", signUpPassword)
	wantErr[*types.ResourceNotFoundException](t, err, "")
	other := userPool(t, c, ctx, &cip.CreateUserPoolInput{PoolName: aws.String("other")})
	_, err = authAdminPassword(c, ctx, other, clientID, types.AuthFlowTypeAdminUserPasswordAuth, "alice", signUpPassword)
	wantErr[*types.ResourceNotFoundException](t, err, "")
}

func TestAuthPasswordErrors(t *testing.T) {
	srv, c, ctx, pool, clientID := authSetup(t, &cip.CreateUserPoolInput{AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}})
	hiding, _ := authClient(t, c, ctx, pool, hidingUsers)
	authUser(t, c, ctx, pool, "alice", signUpPassword, "email", "alice@example.com", "email_verified", "true")

	// signIn tries both the public and the admin flow with each client.
	signIn := func(client, username, pw string) []error {
		_, e1 := authUserPassword(c, ctx, client, username, pw)
		_, e2 := authAdminPassword(c, ctx, pool, client, types.AuthFlowTypeAdminUserPasswordAuth, username, pw)
		return []error{e1, e2}
	}
	for _, client := range []string{clientID, hiding} {
		for _, err := range signIn(client, "alice", "Wr0ng-password") {
			authWantNotAuthorized(t, "wrong password", err, authIncorrect)
		}
	}

	// An unknown user: UserNotFoundException, unless the client hides
	// which users exist.
	for _, err := range signIn(clientID, "nobody", signUpPassword) {
		wantErr[*types.UserNotFoundException](t, err, "User does not exist.")
	}
	for _, err := range signIn(hiding, "nobody", signUpPassword) {
		authWantNotAuthorized(t, "unknown user, hiding client", err, authIncorrect)
	}

	// A disabled user, whatever the password.
	authUser(t, c, ctx, pool, "dora", signUpPassword)
	if _, err := c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(pool), Username: aws.String("dora")}); err != nil {
		t.Fatal(err)
	}
	for _, err := range signIn(clientID, "dora", signUpPassword) {
		authWantNotAuthorized(t, "disabled user", err, "User is disabled.")
	}
	if _, err := c.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: aws.String(pool), Username: aws.String("dora")}); err != nil {
		t.Fatal(err)
	}
	authSignIn(t, c, ctx, clientID, "dora", signUpPassword)

	// An unconfirmed user (signed up, no code yet) is told so; once
	// confirmed, the password SignUp set signs in.
	signUp(t, c, ctx, clientID, "una", "una@example.com")
	for _, err := range signIn(clientID, "una", signUpPassword) {
		wantErr[*types.UserNotConfirmedException](t, err, "User is not confirmed.")
	}
	if err := confirmSignUp(c, ctx, clientID, "una", latestCode(t, srv, ctx, pool, "una")); err != nil {
		t.Fatal(err)
	}
	authWantTokens(t, authSignIn(t, c, ctx, clientID, "una", signUpPassword), clientID, "una", 3600)

	// After AdminResetUserPassword the user must reset it.
	if _, err := c.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	for _, err := range signIn(clientID, "alice", signUpPassword) {
		wantErr[*types.PasswordResetRequiredException](t, err, "Password reset required for the user")
	}
	code := latestCode(t, srv, ctx, pool, "alice")
	if err := confirmForgot(c, ctx, clientID, "alice", code, authPassword2); err != nil {
		t.Fatal(err)
	}
	authSignIn(t, c, ctx, clientID, "alice", authPassword2)
}

func TestAuthSecretHash(t *testing.T) {
	_, c, ctx, pool, _ := authSetup(t, nil)
	clientID, secret := authClient(t, c, ctx, pool, func(in *cip.CreateUserPoolClientInput) { in.GenerateSecret = true })
	authUser(t, c, ctx, pool, "alice", signUpPassword, "email", "alice@example.com", "email_verified", "true")

	_, err := authUserPassword(c, ctx, clientID, "alice", signUpPassword)
	authWantNotAuthorized(t, "no SECRET_HASH", err, "Client "+clientID+" is configured for secret but secret was not received")
	_, err = authAdminPassword(c, ctx, pool, clientID, types.AuthFlowTypeAdminUserPasswordAuth, "alice", signUpPassword)
	authWantNotAuthorized(t, "no SECRET_HASH (admin)", err, "Client "+clientID+" is configured for secret but secret was not received")

	bad := []string{
		secretHash(secret, "bob", clientID),       // another user's
		secretHash(secret+"x", "alice", clientID), // another secret
		secretHash(secret, "alice", clientID+"x"), // another client id
		"not base64 at all",                       // garbage
	}
	for _, h := range bad {
		_, err = authUserPassword(c, ctx, clientID, "alice", signUpPassword, "SECRET_HASH", h)
		authWantNotAuthorized(t, "wrong SECRET_HASH", err, "Unable to verify secret hash for client "+clientID)
		_, err = authAdminPassword(c, ctx, pool, clientID, types.AuthFlowTypeAdminNoSrpAuth, "alice", signUpPassword, "SECRET_HASH", h)
		authWantNotAuthorized(t, "wrong SECRET_HASH (admin)", err, "Unable to verify secret hash for client "+clientID)
	}

	// The hash is of the name the caller signs in with.
	out, err := authUserPassword(c, ctx, clientID, "alice", signUpPassword, "SECRET_HASH", secretHash(secret, "alice", clientID))
	if err != nil {
		t.Fatal(err)
	}
	authWantTokens(t, out.AuthenticationResult, clientID, "alice", 3600)
	aout, err := authAdminPassword(c, ctx, pool, clientID, types.AuthFlowTypeAdminUserPasswordAuth, "alice", signUpPassword, "SECRET_HASH", secretHash(secret, "alice", clientID))
	if err != nil {
		t.Fatal(err)
	}
	authWantTokens(t, aout.AuthenticationResult, clientID, "alice", 3600)

	// The secret is checked before the user is looked for: an unknown user
	// without a hash learns nothing.
	_, err = authUserPassword(c, ctx, clientID, "nobody", signUpPassword)
	authWantNotAuthorized(t, "unknown user without SECRET_HASH", err, "Client "+clientID+" is configured for secret but secret was not received")

	// A challenge answer needs its SECRET_HASH too.
	authInvite(t, c, ctx, pool, "ivan", authTempPass)
	start, err := authUserPassword(c, ctx, clientID, "ivan", authTempPass, "SECRET_HASH", secretHash(secret, "ivan", clientID))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(clientID), ChallengeName: types.ChallengeNameTypeNewPasswordRequired,
		Session: start.Session, ChallengeResponses: authParams("USERNAME", "ivan", "NEW_PASSWORD", authPassword2)})
	authWantNotAuthorized(t, "challenge answer without SECRET_HASH", err, "Client "+clientID+" is configured for secret but secret was not received")
	start, err = authUserPassword(c, ctx, clientID, "ivan", authTempPass, "SECRET_HASH", secretHash(secret, "ivan", clientID))
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(clientID), ChallengeName: types.ChallengeNameTypeNewPasswordRequired,
		Session: start.Session, ChallengeResponses: authParams("USERNAME", "ivan", "NEW_PASSWORD", authPassword2, "SECRET_HASH", secretHash(secret, "ivan", clientID))})
	if err != nil {
		t.Fatal(err)
	}
	authWantTokens(t, res.AuthenticationResult, clientID, "ivan", 3600)
}

// authRequiredNamePool is a pool whose users must have a name.
func authRequiredNamePool() *cip.CreateUserPoolInput {
	return &cip.CreateUserPoolInput{Schema: []types.SchemaAttributeType{{Name: aws.String("name"), AttributeDataType: types.AttributeDataTypeString, Required: aws.Bool(true), Mutable: aws.Bool(true)}}}
}

// authNewPassword answers NEW_PASSWORD_REQUIRED from an app.
func authNewPassword(c *cip.Client, ctx context.Context, clientID string, session *string, kv ...string) (*cip.RespondToAuthChallengeOutput, error) {
	return c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(clientID), ChallengeName: types.ChallengeNameTypeNewPasswordRequired,
		Session: session, ChallengeResponses: authParams(kv...)})
}

// authStartNewPassword signs in with the temporary password and wants the
// NEW_PASSWORD_REQUIRED challenge.
func authStartNewPassword(t *testing.T, c *cip.Client, ctx context.Context, clientID, username, temp string) *cip.InitiateAuthOutput {
	t.Helper()
	out, err := authUserPassword(c, ctx, clientID, username, temp)
	if err != nil {
		t.Fatalf("sign-in of %s with the temporary password: %v", username, err)
	}
	if out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired || aws.ToString(out.Session) == "" || out.AuthenticationResult != nil {
		t.Fatalf("sign-in of %s: challenge %q session %q tokens %v, want NEW_PASSWORD_REQUIRED with a session and no tokens",
			username, out.ChallengeName, aws.ToString(out.Session), out.AuthenticationResult != nil)
	}
	return out
}

func TestAuthNewPasswordRequired(t *testing.T) {
	_, c, ctx, pool, clientID := authSetup(t, authRequiredNamePool())
	authInvite(t, c, ctx, pool, "ivan", authTempPass, "name", "Ivan", "email", "ivan@example.com", "email_verified", "true")

	out := authStartNewPassword(t, c, ctx, clientID, "ivan", authTempPass)
	p := out.ChallengeParameters
	if p["USER_ID_FOR_SRP"] != "ivan" {
		t.Errorf("USER_ID_FOR_SRP %q, want ivan", p["USER_ID_FOR_SRP"])
	}
	if p["requiredAttributes"] != "[]" {
		t.Errorf("requiredAttributes %q, want [] (the user has a name)", p["requiredAttributes"])
	}
	var attrs map[string]string
	if err := json.Unmarshal([]byte(p["userAttributes"]), &attrs); err != nil {
		t.Fatalf("userAttributes %q: %v", p["userAttributes"], err)
	}
	if attrs["email"] != "ivan@example.com" || attrs["email_verified"] != "true" || attrs["name"] != "Ivan" {
		t.Errorf("userAttributes %v, want the user's attributes", attrs)
	}
	if _, ok := attrs["sub"]; ok {
		t.Errorf("userAttributes %v carry the sub", attrs)
	}
	// A wrong temporary password is a wrong password.
	_, err := authUserPassword(c, ctx, clientID, "ivan", "Wr0ng-temp!")
	authWantNotAuthorized(t, "wrong temporary password", err, authIncorrect)

	// A required attribute that has a value may not be sent again, not
	// even unchanged.
	for _, v := range []string{"Ivan", "Ivan the Second", ""} {
		_, err = authNewPassword(c, ctx, clientID, out.Session, "USERNAME", "ivan", "NEW_PASSWORD", authPassword2, "userAttributes.name", v)
		authWantNotAuthorized(t, fmt.Sprintf("name %q again", v), err, "Cannot modify an already provided name")
		out = authStartNewPassword(t, c, ctx, clientID, "ivan", authTempPass)
	}
	// A public client may not vouch for an address.
	_, err = authNewPassword(c, ctx, clientID, out.Session, "USERNAME", "ivan", "NEW_PASSWORD", authPassword2, "userAttributes.email_verified", "true")
	wantErr[*types.NotAuthorizedException](t, err, "")
	out = authStartNewPassword(t, c, ctx, clientID, "ivan", authTempPass)
	// An attribute outside the schema.
	_, err = authNewPassword(c, ctx, clientID, out.Session, "USERNAME", "ivan", "NEW_PASSWORD", authPassword2, "userAttributes.nickname2", "x")
	wantErr[*types.InvalidParameterException](t, err, "")

	// The new password follows the pool's policy, in this operation's words.
	out = authStartNewPassword(t, c, ctx, clientID, "ivan", authTempPass)
	_, err = authNewPassword(c, ctx, clientID, out.Session, "USERNAME", "ivan", "NEW_PASSWORD", "Sh0rt!")
	wantErr[*types.InvalidPasswordException](t, err, "Password does not conform to policy: Password not long enough")
	out = authStartNewPassword(t, c, ctx, clientID, "ivan", authTempPass)
	_, err = authNewPassword(c, ctx, clientID, out.Session, "USERNAME", "ivan", "NEW_PASSWORD", "alllowercase1!")
	wantErr[*types.InvalidPasswordException](t, err, "Password does not conform to policy: Password must have uppercase characters")
	out = authStartNewPassword(t, c, ctx, clientID, "ivan", authTempPass)
	_, err = authNewPassword(c, ctx, clientID, out.Session, "USERNAME", "ivan")
	authWantInvalidParameter(t, "no NEW_PASSWORD", err, "Missing required parameter NEW_PASSWORD")
	out = authStartNewPassword(t, c, ctx, clientID, "ivan", authTempPass)
	_, err = authNewPassword(c, ctx, clientID, out.Session, "NEW_PASSWORD", authPassword2)
	authWantInvalidParameter(t, "no USERNAME", err, "Missing required parameter USERNAME")

	if v := getUser(t, c, ctx, pool, "ivan"); v.status != types.UserStatusTypeForceChangePassword {
		t.Fatalf("status after refused answers %s, want FORCE_CHANGE_PASSWORD", v.status)
	}

	// Attributes that are not required may be set with the answer.
	out = authStartNewPassword(t, c, ctx, clientID, "ivan", authTempPass)
	res, err := authNewPassword(c, ctx, clientID, out.Session, "USERNAME", "ivan", "NEW_PASSWORD", authPassword2, "userAttributes.given_name", "Ivan", "userAttributes.email", "ivan@example.org")
	if err != nil {
		t.Fatal(err)
	}
	authWantTokens(t, res.AuthenticationResult, clientID, "ivan", 3600)
	if id := authClaims(t, aws.ToString(res.AuthenticationResult.IdToken)); id["given_name"] != "Ivan" {
		t.Errorf("ID token given_name %v, want the attribute set with the answer", id["given_name"])
	}
	v := getUser(t, c, ctx, pool, "ivan")
	if v.status != types.UserStatusTypeConfirmed || v.attrs["given_name"] != "Ivan" || v.attrs["email"] != "ivan@example.org" || v.attrs["email_verified"] != "false" {
		t.Errorf("after the new password: status %s attributes %v, want CONFIRMED, given_name Ivan, the new email unverified", v.status, v.attrs)
	}
	authSignIn(t, c, ctx, clientID, "ivan", authPassword2)
	_, err = authUserPassword(c, ctx, clientID, "ivan", authTempPass)
	authWantNotAuthorized(t, "temporary password after the change", err, authIncorrect)
}

func TestAuthNewPasswordRequiredAttributes(t *testing.T) {
	_, c, ctx, pool, clientID := authSetup(t, authRequiredNamePool())
	// Cognito lets an administrator invite a user without the required
	// attributes (only passwordless users must have them all, says the
	// API reference); the user gives them with the new password.
	_, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("ivan"),
		TemporaryPassword: aws.String(authTempPass), MessageAction: types.MessageActionTypeSuppress})
	if err != nil {
		t.Fatalf("AdminCreateUser without the required name: %v", err)
	}
	out := authStartNewPassword(t, c, ctx, clientID, "ivan", authTempPass)
	var required []string
	if err := json.Unmarshal([]byte(out.ChallengeParameters["requiredAttributes"]), &required); err != nil || len(required) != 1 || required[0] != "userAttributes.name" {
		t.Errorf("requiredAttributes %q (%v), want [\"userAttributes.name\"]", out.ChallengeParameters["requiredAttributes"], err)
	}
	_, err = authNewPassword(c, ctx, clientID, out.Session, "USERNAME", "ivan", "NEW_PASSWORD", authPassword2)
	authWantInvalidParameter(t, "no name", err, "Invalid attributes given, name is missing")
	out = authStartNewPassword(t, c, ctx, clientID, "ivan", authTempPass)
	_, err = authNewPassword(c, ctx, clientID, out.Session, "USERNAME", "ivan", "NEW_PASSWORD", authPassword2, "userAttributes.name", "")
	authWantInvalidParameter(t, "empty name", err, "Invalid attributes given, name is missing")
	out = authStartNewPassword(t, c, ctx, clientID, "ivan", authTempPass)
	res, err := authNewPassword(c, ctx, clientID, out.Session, "USERNAME", "ivan", "NEW_PASSWORD", authPassword2, "userAttributes.name", "Ivan")
	if err != nil {
		t.Fatal(err)
	}
	if id := authClaims(t, aws.ToString(res.AuthenticationResult.IdToken)); id["name"] != "Ivan" {
		t.Errorf("ID token name %v, want the attribute set with the answer", id["name"])
	}
	if v := getUser(t, c, ctx, pool, "ivan"); v.status != types.UserStatusTypeConfirmed || v.attrs["name"] != "Ivan" {
		t.Errorf("status %s name %q, want CONFIRMED Ivan", v.status, v.attrs["name"])
	}
}

func TestAuthNewPasswordRequiredAdmin(t *testing.T) {
	_, c, ctx, pool, clientID := authSetup(t, nil)
	authInvite(t, c, ctx, pool, "ivan", authTempPass, "email", "ivan@example.com")

	for i, flow := range authAdminFlows {
		if i > 0 {
			authSetPassword(t, c, ctx, pool, "ivan", authTempPass, false)
		}
		out, err := authAdminPassword(c, ctx, pool, clientID, flow, "ivan", authTempPass)
		if err != nil {
			t.Fatalf("%s: %v", flow, err)
		}
		if out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired || out.ChallengeParameters["requiredAttributes"] != "[]" {
			t.Fatalf("%s: challenge %q parameters %v, want NEW_PASSWORD_REQUIRED with no required attribute", flow, out.ChallengeName, out.ChallengeParameters)
		}
		newPW := fmt.Sprintf("%s%d", authPassword2, i)
		res, err := c.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{UserPoolId: aws.String(pool), ClientId: aws.String(clientID),
			ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: out.Session,
			ChallengeResponses: authParams("USERNAME", "ivan", "NEW_PASSWORD", newPW, "userAttributes.given_name", "Ivan")})
		if err != nil {
			t.Fatalf("AdminRespondToAuthChallenge after %s: %v", flow, err)
		}
		authWantTokens(t, res.AuthenticationResult, clientID, "ivan", 3600)
		v := getUser(t, c, ctx, pool, "ivan")
		if v.status != types.UserStatusTypeConfirmed || v.attrs["given_name"] != "Ivan" {
			t.Errorf("after %s: status %s given_name %q", flow, v.status, v.attrs["given_name"])
		}
		if _, err := authAdminPassword(c, ctx, pool, clientID, flow, "ivan", newPW); err != nil {
			t.Errorf("%s with the new password: %v", flow, err)
		}
		_, err = authAdminPassword(c, ctx, pool, clientID, flow, "ivan", authTempPass)
		authWantNotAuthorized(t, "temporary password after the change", err, authIncorrect)
	}
}

func TestAuthTemporaryPasswordExpires(t *testing.T) {
	clock := testserver.NewClock(time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC))
	_, c, ctx, pool, clientID := authSetup(t, &cip.CreateUserPoolInput{Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{
		MinimumLength: aws.Int32(8), RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true,
		TemporaryPasswordValidityDays: 2,
	}}}, testserver.WithClock(clock))
	authInvite(t, c, ctx, pool, "ivan", authTempPass)

	clock.Advance(48*time.Hour - time.Minute)
	authStartNewPassword(t, c, ctx, clientID, "ivan", authTempPass)
	clock.Advance(2 * time.Minute)
	const expired = "Temporary password has expired and must be reset by an administrator."
	_, err := authUserPassword(c, ctx, clientID, "ivan", authTempPass)
	authWantNotAuthorized(t, "expired temporary password", err, expired)
	_, err = authAdminPassword(c, ctx, pool, clientID, types.AuthFlowTypeAdminUserPasswordAuth, "ivan", authTempPass)
	authWantNotAuthorized(t, "expired temporary password (admin)", err, expired)
	// A wrong password is still only wrong.
	_, err = authUserPassword(c, ctx, clientID, "ivan", "Wr0ng-temp!")
	authWantNotAuthorized(t, "wrong password after expiry", err, authIncorrect)

	// An administrator's new temporary password starts its own validity.
	const fresh = "Fresh-Temp0"
	authSetPassword(t, c, ctx, pool, "ivan", fresh, false)
	_, err = authUserPassword(c, ctx, clientID, "ivan", authTempPass)
	authWantNotAuthorized(t, "the replaced temporary password", err, authIncorrect)
	clock.Advance(47 * time.Hour)
	out := authStartNewPassword(t, c, ctx, clientID, "ivan", fresh)
	res, err := authNewPassword(c, ctx, clientID, out.Session, "USERNAME", "ivan", "NEW_PASSWORD", authPassword2)
	if err != nil {
		t.Fatal(err)
	}
	authWantTokens(t, res.AuthenticationResult, clientID, "ivan", 3600)
	// A permanent password never expires that way.
	clock.Advance(30 * 24 * time.Hour)
	authSignIn(t, c, ctx, clientID, "ivan", authPassword2)

	// A confirmed user given a temporary password must change it again,
	// and the permanent one no longer signs in.
	authSetPassword(t, c, ctx, pool, "ivan", fresh, false)
	_, err = authUserPassword(c, ctx, clientID, "ivan", authPassword2)
	authWantNotAuthorized(t, "permanent password under a temporary one", err, authIncorrect)
	authStartNewPassword(t, c, ctx, clientID, "ivan", fresh)
}

func TestAuthChallengeSession(t *testing.T) {
	clock := testserver.NewClock(time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC))
	_, c, ctx, pool, clientID := authSetup(t, nil, testserver.WithClock(clock))
	otherClient, _ := authClient(t, c, ctx, pool, nil)
	longClient, _ := authClient(t, c, ctx, pool, func(in *cip.CreateUserPoolClientInput) { in.AuthSessionValidity = aws.Int32(10) })
	authInvite(t, c, ctx, pool, "ivan", authTempPass)
	authInvite(t, c, ctx, pool, "jane", authTempPass)
	answer := func(client string, session *string, user, pw string) error {
		_, err := authNewPassword(c, ctx, client, session, "USERNAME", user, "NEW_PASSWORD", pw)
		return err
	}
	const expiredMsg = "Invalid session for the user, session is expired."

	// The session is opaque: it names neither the user nor the pool in
	// the clear.
	out := authStartNewPassword(t, c, ctx, clientID, "ivan", authTempPass)
	s := aws.ToString(out.Session)
	for _, leak := range []string{"ivan", authTempPass, clientID} {
		if strings.Contains(s, leak) {
			t.Errorf("session %q contains %q", s, leak)
		}
	}
	// Garbage, a truncated session, and a session answered by another
	// client of the pool or for another user are refused.
	for _, bad := range []string{strings.Repeat("garbage", 4), s[:len(s)-4] + "AAAA", strings.Repeat("x", 40) + "." + s} {
		authWantNotAuthorized(t, "forged session", answer(clientID, aws.String(bad), "ivan", authPassword2), expiredMsg)
	}
	authWantNotAuthorized(t, "another client's session", answer(otherClient, out.Session, "ivan", authPassword2), expiredMsg)
	authWantNotAuthorized(t, "another user's session", answer(clientID, out.Session, "jane", authPassword2), expiredMsg)
	if v := getUser(t, c, ctx, pool, "jane"); v.status != types.UserStatusTypeForceChangePassword {
		t.Errorf("jane %s after an answer with ivan's session", v.status)
	}

	// A session is answered once: the second answer fails even when the
	// first did not sign in.
	out = authStartNewPassword(t, c, ctx, clientID, "ivan", authTempPass)
	if err := answer(clientID, out.Session, "ivan", authPassword2); err != nil {
		t.Fatal(err)
	}
	authWantNotAuthorized(t, "second answer", answer(clientID, out.Session, "ivan", authPassword2+"x"), "Invalid session for the user, session can only be used once.")
	authSignIn(t, c, ctx, clientID, "ivan", authPassword2)

	// The session lasts the client's AuthSessionValidity: 3 minutes by
	// default, 10 on longClient.
	out = authStartNewPassword(t, c, ctx, clientID, "jane", authTempPass)
	long := authStartNewPassword(t, c, ctx, longClient, "jane", authTempPass)
	clock.Advance(3*time.Minute + time.Second)
	authWantNotAuthorized(t, "expired session", answer(clientID, out.Session, "jane", authPassword2), expiredMsg)
	clock.Advance(6 * time.Minute)
	if err := answer(longClient, long.Session, "jane", authPassword2); err != nil {
		t.Fatalf("answer within the 10 minutes of the client: %v", err)
	}
	authInvite(t, c, ctx, pool, "kim", authTempPass)
	long = authStartNewPassword(t, c, ctx, longClient, "kim", authTempPass)
	clock.Advance(10*time.Minute + time.Second)
	authWantNotAuthorized(t, "expired session (10 minutes)", answer(longClient, long.Session, "kim", authPassword2), expiredMsg)

	// The session names its challenge.
	out = authStartNewPassword(t, c, ctx, clientID, "kim", authTempPass)
	_, err := c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(clientID), ChallengeName: types.ChallengeNameTypePasswordVerifier,
		Session: out.Session, ChallengeResponses: authParams("USERNAME", "kim", "PASSWORD_CLAIM_SECRET_BLOCK", base64.StdEncoding.EncodeToString([]byte(aws.ToString(out.Session))),
			"PASSWORD_CLAIM_SIGNATURE", "c2ln", "TIMESTAMP", "Tue Jan 1 12:00:00 UTC 2030")})
	authWantInvalidParameter(t, "session of another challenge", err, "Incorrect challenge name for the session")

	// A session from AdminInitiateAuth is answered by
	// AdminRespondToAuthChallenge of the same pool only.
	aout, err := authAdminPassword(c, ctx, pool, clientID, types.AuthFlowTypeAdminUserPasswordAuth, "kim", authTempPass)
	if err != nil {
		t.Fatal(err)
	}
	other := userPool(t, c, ctx, &cip.CreateUserPoolInput{PoolName: aws.String("other")})
	_, err = c.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{UserPoolId: aws.String(other), ClientId: aws.String(clientID),
		ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: aout.Session, ChallengeResponses: authParams("USERNAME", "kim", "NEW_PASSWORD", authPassword2)})
	wantErr[*types.ResourceNotFoundException](t, err, "")
	_, err = c.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{UserPoolId: aws.String(pool), ClientId: aws.String(clientID),
		ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: aout.Session, ChallengeResponses: authParams("USERNAME", "kim", "NEW_PASSWORD", authPassword2)})
	if err != nil {
		t.Fatal(err)
	}
}

// authLockout drives failures and answers against one user.
type authLockout struct {
	t                *testing.T
	c                *cip.Client
	ctx              context.Context
	pool, client, pw string
	user             string
	n                int // attempts made, to alternate flows
}

// try signs in with pw, alternating USER_PASSWORD_AUTH and the admin
// flows so that every flow is shown to count.
func (l *authLockout) try(pw string) error {
	l.n++
	switch l.n % 3 {
	case 0:
		_, err := authUserPassword(l.c, l.ctx, l.client, l.user, pw)
		return err
	case 1:
		_, err := authAdminPassword(l.c, l.ctx, l.pool, l.client, types.AuthFlowTypeAdminUserPasswordAuth, l.user, pw)
		return err
	default:
		_, err := authAdminPassword(l.c, l.ctx, l.pool, l.client, types.AuthFlowTypeAdminNoSrpAuth, l.user, pw)
		return err
	}
}

// fail makes a wrong attempt that must be answered as a wrong password.
func (l *authLockout) fail(what string) {
	l.t.Helper()
	authWantNotAuthorized(l.t, what, l.try("Wr0ng-password!"), authIncorrect)
}

// locked wants the lockout answer, for a wrong and for the right password.
func (l *authLockout) locked(what string) {
	l.t.Helper()
	authWantNotAuthorized(l.t, what+" (wrong password)", l.try("Wr0ng-password!"), "Password attempts exceeded")
	authWantNotAuthorized(l.t, what+" (right password)", l.try(l.pw), "Password attempts exceeded")
}

func (l *authLockout) succeed(what string) {
	l.t.Helper()
	if err := l.try(l.pw); err != nil {
		l.t.Fatalf("%s: %v", what, err)
	}
}

func TestAuthLockout(t *testing.T) {
	clock := testserver.NewClock(time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC))
	_, c, ctx, pool, clientID := authSetup(t, nil, testserver.WithClock(clock))
	authUser(t, c, ctx, pool, "alice", signUpPassword)
	l := &authLockout{t: t, c: c, ctx: ctx, pool: pool, client: clientID, pw: signUpPassword, user: "alice"}

	// Five failures are answered as wrong passwords; the fifth locks the
	// user out for 2^(5-5) = 1 s.
	for i := 1; i <= 5; i++ {
		l.fail(fmt.Sprintf("failure %d", i))
	}
	l.locked("after the fifth failure")
	clock.Advance(999 * time.Millisecond)
	l.locked("999 ms after the fifth failure")
	clock.Advance(time.Millisecond)
	// The nth failure locks for 2^(n-5) s; attempts while locked out do
	// not count, or the doubling would run ahead of this.
	for n := 6; n <= 14; n++ {
		l.fail(fmt.Sprintf("failure %d", n))
		d := time.Duration(1<<(n-5)) * time.Second
		l.locked(fmt.Sprintf("right after failure %d", n))
		clock.Advance(d - time.Millisecond)
		l.locked(fmt.Sprintf("%v after failure %d", d-time.Millisecond, n))
		clock.Advance(time.Millisecond)
	}
	// 2^(15-5) s is more than the 15 minutes the lockout lasts at most.
	l.fail("failure 15")
	clock.Advance(15*time.Minute - time.Millisecond)
	l.locked("just under 15 minutes after failure 15")
	clock.Advance(time.Millisecond)
	// A success after the lockout resets the count: five more free
	// failures.
	l.succeed("sign-in after the lockout")
	for i := 1; i <= 5; i++ {
		l.fail(fmt.Sprintf("failure %d after a success", i))
	}
	l.locked("after five failures following a success")

	// Fifteen minutes without attempts reset the count too.
	clock.Advance(15*time.Minute + time.Second)
	for i := 1; i <= 5; i++ {
		l.fail(fmt.Sprintf("failure %d after 15 quiet minutes", i))
	}
	l.locked("five failures after 15 quiet minutes")
	clock.Advance(time.Second)
	l.succeed("sign-in after the 1 s lockout")

	// The lockout is the user's, not the client's: another client meets
	// it too, and another user does not.
	authUser(t, c, ctx, pool, "bob", signUpPassword)
	other, _ := authClient(t, c, ctx, pool, nil)
	for i := 1; i <= 5; i++ {
		l.fail(fmt.Sprintf("alice failure %d", i))
	}
	_, err := authUserPassword(c, ctx, other, "alice", signUpPassword)
	authWantNotAuthorized(t, "alice through another client", err, "Password attempts exceeded")
	authSignIn(t, c, ctx, clientID, "bob", signUpPassword)

	// Once the lockout is over, the user's status answers again.
	clock.Advance(time.Second)
	if _, err := c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(pool), Username: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	authWantNotAuthorized(t, "disabled", l.try(l.pw), "User is disabled.")
}

func TestAuthLockoutDuringNewPassword(t *testing.T) {
	clock := testserver.NewClock(time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC))
	_, c, ctx, pool, clientID := authSetup(t, nil, testserver.WithClock(clock))
	authInvite(t, c, ctx, pool, "ivan", authTempPass)
	l := &authLockout{t: t, c: c, ctx: ctx, pool: pool, client: clientID, pw: authTempPass, user: "ivan"}
	// Wrong temporary passwords count as wrong passwords.
	for i := 1; i <= 5; i++ {
		l.fail(fmt.Sprintf("failure %d", i))
	}
	l.locked("after five wrong temporary passwords")
	clock.Advance(time.Second)
	// Choosing the new password ends the count.
	out := authStartNewPassword(t, c, ctx, clientID, "ivan", authTempPass)
	if _, err := authNewPassword(c, ctx, clientID, out.Session, "USERNAME", "ivan", "NEW_PASSWORD", authPassword2); err != nil {
		t.Fatal(err)
	}
	l.pw = authPassword2
	for i := 1; i <= 5; i++ {
		l.fail(fmt.Sprintf("failure %d after the new password", i))
	}
	l.locked("five failures after the new password")
}

func TestAuthAliases(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)

	t.Run("AliasAttributes", func(t *testing.T) {
		pool := userPool(t, c, ctx, &cip.CreateUserPoolInput{
			AliasAttributes:        []types.AliasAttributeType{types.AliasAttributeTypeEmail, types.AliasAttributeTypePhoneNumber, types.AliasAttributeTypePreferredUsername},
			AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		})
		clientID, _ := authClient(t, c, ctx, pool, nil)
		authUser(t, c, ctx, pool, "alice", signUpPassword, "email", "alice@example.com", "email_verified", "true",
			"phone_number", "+15555550100", "phone_number_verified", "true", "preferred_username", "ally")
		for _, name := range []string{"alice", "alice@example.com", "ALICE@Example.COM", "+15555550100", "ally"} {
			authWantTokens(t, authSignIn(t, c, ctx, clientID, name, signUpPassword), clientID, "alice", 3600)
			out, err := authAdminPassword(c, ctx, pool, clientID, types.AuthFlowTypeAdminUserPasswordAuth, name, signUpPassword)
			if err != nil {
				t.Fatalf("admin sign-in as %s: %v", name, err)
			}
			authWantTokens(t, out.AuthenticationResult, clientID, "alice", 3600)
			_, err = authUserPassword(c, ctx, clientID, name, "Wr0ng-password!")
			authWantNotAuthorized(t, "wrong password as "+name, err, authIncorrect)
		}
		// The pool is case-sensitive: preferred_username and the username
		// keep their case.
		for _, name := range []string{"Alice", "ALLY"} {
			_, err := authUserPassword(c, ctx, clientID, name, signUpPassword)
			wantErr[*types.UserNotFoundException](t, err, "User does not exist.")
		}
		// An unverified email is no alias.
		authUser(t, c, ctx, pool, "bob", signUpPassword, "email", "bob@example.com")
		_, err := authUserPassword(c, ctx, clientID, "bob@example.com", signUpPassword)
		wantErr[*types.UserNotFoundException](t, err, "User does not exist.")
		authSignIn(t, c, ctx, clientID, "bob", signUpPassword)

		// Failures by alias count for the user.
		authSignIn(t, c, ctx, clientID, "alice", signUpPassword)
		for i := 0; i < 5; i++ {
			name := []string{"alice", "alice@example.com", "ally", "+15555550100", "ALICE@example.com"}[i]
			_, err := authUserPassword(c, ctx, clientID, name, "Wr0ng-password!")
			authWantNotAuthorized(t, "failure as "+name, err, authIncorrect)
		}
		_, err = authUserPassword(c, ctx, clientID, "alice", signUpPassword)
		authWantNotAuthorized(t, "locked out through aliases", err, "Password attempts exceeded")

		// SECRET_HASH is computed over the name given.
		secretClient, secret := authClient(t, c, ctx, pool, func(in *cip.CreateUserPoolClientInput) { in.GenerateSecret = true })
		if _, err := authUserPassword(c, ctx, secretClient, "bob", signUpPassword, "SECRET_HASH", secretHash(secret, "bob", secretClient)); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("EmailAsUsername", func(t *testing.T) {
		pool := userPool(t, c, ctx, &cip.CreateUserPoolInput{
			UsernameAttributes:     []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
			AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		})
		clientID, _ := authClient(t, c, ctx, pool, nil)
		out := signUp(t, c, ctx, clientID, "carol@example.com", "carol@example.com")
		sub := aws.ToString(out.UserSub)
		code, err := srv.Outbox().LatestCode(ctx, pool, sub)
		if err != nil {
			t.Fatal(err)
		}
		if err := confirmSignUp(c, ctx, clientID, "carol@example.com", code); err != nil {
			t.Fatal(err)
		}
		// The stored username is the sub; the email signs in, in any case.
		for _, name := range []string{"carol@example.com", "Carol@Example.com"} {
			authWantTokens(t, authSignIn(t, c, ctx, clientID, name, signUpPassword), clientID, sub, 3600)
		}
		// An invited user of such a pool gets the sub as USER_ID_FOR_SRP.
		authInvite(t, c, ctx, pool, "dave@example.com", authTempPass)
		start := authStartNewPassword(t, c, ctx, clientID, "dave@example.com", authTempPass)
		daveSub := start.ChallengeParameters["USER_ID_FOR_SRP"]
		if daveSub == "" || daveSub == "dave@example.com" {
			t.Errorf("USER_ID_FOR_SRP %q, want the sub", daveSub)
		}
		res, err := authNewPassword(c, ctx, clientID, start.Session, "USERNAME", "dave@example.com", "NEW_PASSWORD", authPassword2)
		if err != nil {
			t.Fatal(err)
		}
		authWantTokens(t, res.AuthenticationResult, clientID, daveSub, 3600)
		authSignIn(t, c, ctx, clientID, "dave@example.com", authPassword2)
		// Clients answer with USER_ID_FOR_SRP as USERNAME too.
		authInvite(t, c, ctx, pool, "erin@example.com", authTempPass)
		start = authStartNewPassword(t, c, ctx, clientID, "erin@example.com", authTempPass)
		if _, err := authNewPassword(c, ctx, clientID, start.Session, "USERNAME", start.ChallengeParameters["USER_ID_FOR_SRP"], "NEW_PASSWORD", authPassword2); err != nil {
			t.Fatalf("answer naming USER_ID_FOR_SRP: %v", err)
		}
		_, err = authUserPassword(c, ctx, clientID, "nobody@example.com", signUpPassword)
		wantErr[*types.UserNotFoundException](t, err, "User does not exist.")
	})

	t.Run("CaseInsensitive", func(t *testing.T) {
		pool := userPool(t, c, ctx, &cip.CreateUserPoolInput{UsernameConfiguration: &types.UsernameConfigurationType{CaseSensitive: aws.Bool(false)}})
		clientID, _ := authClient(t, c, ctx, pool, nil)
		authUser(t, c, ctx, pool, "Frank", signUpPassword)
		for _, name := range []string{"frank", "FRANK", "Frank"} {
			res := authSignIn(t, c, ctx, clientID, name, signUpPassword)
			if u := authClaims(t, aws.ToString(res.AccessToken))["username"]; !strings.EqualFold(fmt.Sprint(u), "frank") {
				t.Errorf("signed in as %s: username claim %v", name, u)
			}
		}
		authInvite(t, c, ctx, pool, "Gina", authTempPass)
		start := authStartNewPassword(t, c, ctx, clientID, "GINA", authTempPass)
		if _, err := authNewPassword(c, ctx, clientID, start.Session, "USERNAME", "gina", "NEW_PASSWORD", authPassword2); err != nil {
			t.Fatal(err)
		}
		authSignIn(t, c, ctx, clientID, "gInA", authPassword2)
	})

	t.Run("CaseSensitive", func(t *testing.T) {
		pool := userPool(t, c, ctx, &cip.CreateUserPoolInput{UsernameConfiguration: &types.UsernameConfigurationType{CaseSensitive: aws.Bool(true)}})
		clientID, _ := authClient(t, c, ctx, pool, nil)
		authUser(t, c, ctx, pool, "Frank", signUpPassword)
		authSignIn(t, c, ctx, clientID, "Frank", signUpPassword)
		_, err := authUserPassword(c, ctx, clientID, "frank", signUpPassword)
		wantErr[*types.UserNotFoundException](t, err, "User does not exist.")
	})
}

func TestAuthAfterPasswordChanges(t *testing.T) {
	srv, c, ctx, pool, clientID := authSetup(t, &cip.CreateUserPoolInput{AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}})

	// SignUp's password, once confirmed.
	signUp(t, c, ctx, clientID, "alice", "alice@example.com")
	if err := confirmSignUp(c, ctx, clientID, "alice", latestCode(t, srv, ctx, pool, "alice")); err != nil {
		t.Fatal(err)
	}
	authSignIn(t, c, ctx, clientID, "alice", signUpPassword)

	// ConfirmForgotPassword replaces it.
	if _, err := forgotPassword(c, ctx, clientID, "alice"); err != nil {
		t.Fatal(err)
	}
	// Until the code is used, the old password still signs in.
	authSignIn(t, c, ctx, clientID, "alice", signUpPassword)
	if err := confirmForgot(c, ctx, clientID, "alice", latestCode(t, srv, ctx, pool, "alice"), authPassword2); err != nil {
		t.Fatal(err)
	}
	authSignIn(t, c, ctx, clientID, "alice", authPassword2)
	_, err := authUserPassword(c, ctx, clientID, "alice", signUpPassword)
	authWantNotAuthorized(t, "old password after ConfirmForgotPassword", err, authIncorrect)

	// AdminSetUserPassword (permanent) replaces it.
	const third = "Th1rd-Passw0rd!"
	authSetPassword(t, c, ctx, pool, "alice", third, true)
	out, err := authAdminPassword(c, ctx, pool, clientID, types.AuthFlowTypeAdminUserPasswordAuth, "alice", third)
	if err != nil {
		t.Fatal(err)
	}
	authWantTokens(t, out.AuthenticationResult, clientID, "alice", 3600)
	for _, old := range []string{signUpPassword, authPassword2} {
		_, err = authUserPassword(c, ctx, clientID, "alice", old)
		authWantNotAuthorized(t, "old password after AdminSetUserPassword", err, authIncorrect)
	}

	// A permanent password set on an invited user confirms them: no
	// challenge.
	authInvite(t, c, ctx, pool, "ivan", authTempPass)
	authSetPassword(t, c, ctx, pool, "ivan", third, true)
	authSignIn(t, c, ctx, clientID, "ivan", third)
	_, err = authUserPassword(c, ctx, clientID, "ivan", authTempPass)
	authWantNotAuthorized(t, "temporary password after a permanent one", err, authIncorrect)
}

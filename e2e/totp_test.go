package e2e

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	"github.com/pquerna/otp"
	pqtotp "github.com/pquerna/otp/totp"

	"github.com/cognitod/cognitod/internal/testserver"
)

// The software-token tests compute codes as an authenticator app would, with
// pquerna/otp from the SecretCode alone, at the server's clock: the clock is
// stopped, so a test decides which 30-second step it is in and never sleeps.

const (
	ttPassword = "Correct-horse-1"
	ttMismatch = "Code mismatch and fail enable Software Token MFA"
	ttNoToken  = "Software Token MFA does not exist for the user."
	ttStep     = 30 * time.Second
)

// ttEnv is a running cognitod with a stopped clock, a pool and a client
// that allows ADMIN_USER_PASSWORD_AUTH.
type ttEnv struct {
	clock    *testserver.Clock
	c        *cip.Client
	ctx      context.Context
	pool     string
	clientID string
}

func ttSetup(t *testing.T) *ttEnv {
	t.Helper()
	// Ten seconds into a step, so that neither the test's nor the server's
	// arithmetic sits on a step boundary.
	clock := testserver.NewClock(time.Date(2030, 1, 1, 12, 0, 10, 0, time.UTC))
	srv := testserver.Start(t, testserver.WithClock(clock))
	e := &ttEnv{clock: clock, c: srv.Client(), ctx: testserver.Ctx(t)}
	p, err := e.c.CreateUserPool(e.ctx, &cip.CreateUserPoolInput{PoolName: aws.String("totp")})
	if err != nil {
		t.Fatal(err)
	}
	e.pool = aws.ToString(p.UserPool.Id)
	cl, err := e.c.CreateUserPoolClient(e.ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(e.pool),
		ClientName: aws.String("app"), ExplicitAuthFlows: []types.ExplicitAuthFlowsType{
			types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		t.Fatal(err)
	}
	e.clientID = aws.ToString(cl.UserPoolClient.ClientId)
	return e
}

// ttSignIn makes a user with a permanent password and signs them in,
// returning their access token.
func (e *ttEnv) ttSignIn(t *testing.T, username string) string {
	t.Helper()
	if _, err := e.c.AdminCreateUser(e.ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(e.pool),
		Username: aws.String(username), MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.AdminSetUserPassword(e.ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(e.pool),
		Username: aws.String(username), Password: aws.String(ttPassword), Permanent: true}); err != nil {
		t.Fatal(err)
	}
	out, err := e.c.AdminInitiateAuth(e.ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(e.pool),
		ClientId: aws.String(e.clientID), AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": username, "PASSWORD": ttPassword}})
	if err != nil {
		t.Fatalf("sign-in: %v", err)
	}
	if out.AuthenticationResult == nil {
		t.Fatalf("sign-in: no tokens (challenge %q)", out.ChallengeName)
	}
	return aws.ToString(out.AuthenticationResult.AccessToken)
}

var ttSecretPattern = regexp.MustCompile(`^[A-Z2-7]{32}$`)

// ttAssociate asks for a new secret and checks its form: 160 bits in
// base32, 32 characters, no padding.
func (e *ttEnv) ttAssociate(t *testing.T, access string) string {
	t.Helper()
	out, err := e.c.AssociateSoftwareToken(e.ctx, &cip.AssociateSoftwareTokenInput{AccessToken: aws.String(access)})
	if err != nil {
		t.Fatalf("AssociateSoftwareToken: %v", err)
	}
	secret := aws.ToString(out.SecretCode)
	if !ttSecretPattern.MatchString(secret) {
		t.Fatalf("SecretCode %q is not 32 base32 characters", secret)
	}
	if out.Session != nil {
		t.Errorf("AssociateSoftwareToken by access token answered a Session")
	}
	return secret
}

// ttCode is the code of secret steps time steps from the server's now.
func (e *ttEnv) ttCode(t *testing.T, secret string, steps int) string {
	t.Helper()
	code, err := pqtotp.GenerateCodeCustom(secret, e.clock.Now().Add(time.Duration(steps)*ttStep), pqtotp.ValidateOpts{
		Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func (e *ttEnv) ttVerify(access, code, name string) (*cip.VerifySoftwareTokenOutput, error) {
	in := &cip.VerifySoftwareTokenInput{AccessToken: aws.String(access), UserCode: aws.String(code)}
	if name != "" {
		in.FriendlyDeviceName = aws.String(name)
	}
	return e.c.VerifySoftwareToken(e.ctx, in)
}

// ttWantSuccess wants Status SUCCESS and no Session.
func ttWantSuccess(t *testing.T, what string, out *cip.VerifySoftwareTokenOutput, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if out.Status != types.VerifySoftwareTokenResponseTypeSuccess || out.Session != nil {
		t.Fatalf("%s: Status %q, Session %v", what, out.Status, out.Session)
	}
}

// ttWantError wants the AWS error code and message.
func ttWantError(t *testing.T, what string, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("%s: error %v, want %s %q", what, err, code, msg)
	}
	if ae.ErrorCode() != code || ae.ErrorMessage() != msg {
		t.Errorf("%s:\n got %s %q\nwant %s %q", what, ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
}

func TestTOTPAssociateAndVerify(t *testing.T) {
	e := ttSetup(t)
	access := e.ttSignIn(t, "ada")
	secret := e.ttAssociate(t, access)
	code := e.ttCode(t, secret, 0)
	out, err := e.ttVerify(access, code, "Ada's phone")
	ttWantSuccess(t, "verify", out, err)

	// The same code again: the pending secret is now the user's token,
	// and nothing waits for verification.
	_, err = e.ttVerify(access, code, "")
	ttWantError(t, "replayed verification", err, "SoftwareTokenMFANotFoundException", ttNoToken)

	// The verified token lets the user turn TOTP on; a new association
	// does not take it away until the new secret is verified.
	e.ttAssociate(t, access)
	if _, err := e.c.SetUserMFAPreference(e.ctx, &cip.SetUserMFAPreferenceInput{AccessToken: aws.String(access),
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: true}}); err != nil {
		t.Errorf("SetUserMFAPreference with a verified token and a pending one: %v", err)
	}
}

func TestTOTPWrongCode(t *testing.T) {
	e := ttSetup(t)
	access := e.ttSignIn(t, "ada")
	secret := e.ttAssociate(t, access)
	right := e.ttCode(t, secret, 0)
	wrong := "000000"
	if wrong == right {
		wrong = "000001"
	}
	_, err := e.ttVerify(access, wrong, "")
	ttWantError(t, "wrong code", err, "EnableSoftwareTokenMFAException", ttMismatch)

	// A wrong code leaves the pending secret in place.
	out, err := e.ttVerify(access, right, "")
	ttWantSuccess(t, "right code after a wrong one", out, err)
}

func TestTOTPNothingToVerify(t *testing.T) {
	e := ttSetup(t)
	access := e.ttSignIn(t, "ada")
	_, err := e.ttVerify(access, "123456", "")
	ttWantError(t, "no association", err, "SoftwareTokenMFANotFoundException", ttNoToken)
}

// TestTOTPSkew: a code one step early or late is accepted, two steps not.
// Each case starts from a new association, which replaces the last pending
// secret.
func TestTOTPSkew(t *testing.T) {
	e := ttSetup(t)
	access := e.ttSignIn(t, "ada")
	for _, tc := range []struct {
		name  string
		steps int
		ok    bool
	}{
		{"two steps late", -2, false},
		{"one step late", -1, true},
		{"current step", 0, true},
		{"one step early", +1, true},
		{"two steps early", +2, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			secret := e.ttAssociate(t, access)
			out, err := e.ttVerify(access, e.ttCode(t, secret, tc.steps), "")
			if tc.ok {
				ttWantSuccess(t, tc.name, out, err)
			} else {
				ttWantError(t, tc.name, err, "EnableSoftwareTokenMFAException", ttMismatch)
			}
		})
	}

	// The steps are the server's: moved on two steps, the code of the
	// step the secret was handed out in no longer works.
	secret := e.ttAssociate(t, access)
	old := e.ttCode(t, secret, 0)
	e.clock.Advance(2 * ttStep)
	if old != e.ttCode(t, secret, 0) && old != e.ttCode(t, secret, -1) && old != e.ttCode(t, secret, 1) {
		_, err := e.ttVerify(access, old, "")
		ttWantError(t, "code of two steps ago", err, "EnableSoftwareTokenMFAException", ttMismatch)
	}
	out, err := e.ttVerify(access, e.ttCode(t, secret, 0), "")
	ttWantSuccess(t, "code of the new step", out, err)
}

// TestTOTPSecondAssociation: only the secret handed out last can be
// verified.
func TestTOTPSecondAssociation(t *testing.T) {
	e := ttSetup(t)
	access := e.ttSignIn(t, "ada")
	first := e.ttAssociate(t, access)
	second := e.ttAssociate(t, access)
	if first == second {
		t.Fatal("two associations handed out the same secret")
	}
	firstCode, secondCode := e.ttCode(t, first, 0), e.ttCode(t, second, 0)
	if firstCode != secondCode {
		_, err := e.ttVerify(access, firstCode, "")
		ttWantError(t, "code of the replaced secret", err, "EnableSoftwareTokenMFAException", ttMismatch)
	}
	out, err := e.ttVerify(access, secondCode, "")
	ttWantSuccess(t, "code of the second secret", out, err)
}

// TestTOTPUsers: each user has their own secret; one's code does not
// verify another's.
func TestTOTPUsers(t *testing.T) {
	e := ttSetup(t)
	ada, bob := e.ttSignIn(t, "ada"), e.ttSignIn(t, "bob")
	adaSecret, bobSecret := e.ttAssociate(t, ada), e.ttAssociate(t, bob)
	if adaSecret == bobSecret {
		t.Fatal("two users got the same secret")
	}
	if a, b := e.ttCode(t, adaSecret, 0), e.ttCode(t, bobSecret, 0); a != b {
		_, err := e.ttVerify(bob, a, "")
		ttWantError(t, "another user's code", err, "EnableSoftwareTokenMFAException", ttMismatch)
	}
	out, err := e.ttVerify(bob, e.ttCode(t, bobSecret, 0), "")
	ttWantSuccess(t, "bob's code", out, err)
}

func TestTOTPBadAccessTokens(t *testing.T) {
	e := ttSetup(t)
	access := e.ttSignIn(t, "ada")
	signedOut := e.ttSignIn(t, "bob")
	if _, err := e.c.GlobalSignOut(e.ctx, &cip.GlobalSignOutInput{AccessToken: aws.String(signedOut)}); err != nil {
		t.Fatal(err)
	}
	associate := func(tok string) error {
		_, err := e.c.AssociateSoftwareToken(e.ctx, &cip.AssociateSoftwareTokenInput{AccessToken: aws.String(tok)})
		return err
	}
	verify := func(tok string) error {
		_, err := e.ttVerify(tok, "123456", "")
		return err
	}
	for _, tc := range []struct {
		name, token, msg string
	}{
		{"not a JWT", "not-a-token", "Invalid Access Token"},
		{"signature changed", access[:len(access)-4] + "AAAA", "Invalid Access Token"},
		{"signed out", signedOut, "Access Token has been revoked"},
	} {
		ttWantError(t, "associate, "+tc.name, associate(tc.token), "NotAuthorizedException", tc.msg)
		ttWantError(t, "verify, "+tc.name, verify(tc.token), "NotAuthorizedException", tc.msg)
	}

	// A Session that no MFA_SETUP challenge gave is refused (the real
	// path is in mfasignin_test.go); neither operation takes both forms at
	// once, nor neither.
	const session = "0123456789abcdefghijklmnopqrstuvwxyz"
	_, err := e.c.AssociateSoftwareToken(e.ctx, &cip.AssociateSoftwareTokenInput{Session: aws.String(session)})
	ttWantError(t, "associate by Session", err, "NotAuthorizedException", "Invalid session for the user, session is expired.")
	_, err = e.c.VerifySoftwareToken(e.ctx, &cip.VerifySoftwareTokenInput{Session: aws.String(session), UserCode: aws.String("123456")})
	ttWantError(t, "verify by Session", err, "NotAuthorizedException", "Invalid session for the user, session is expired.")
	_, err = e.c.AssociateSoftwareToken(e.ctx, &cip.AssociateSoftwareTokenInput{AccessToken: aws.String(access), Session: aws.String(session)})
	ttWantError(t, "associate with both", err, "InvalidParameterException", "Only one of AccessToken or Session may be provided.")
	_, err = e.c.AssociateSoftwareToken(e.ctx, &cip.AssociateSoftwareTokenInput{})
	ttWantError(t, "associate with neither", err, "InvalidParameterException", "Either AccessToken or Session must be provided.")
	_, err = e.c.VerifySoftwareToken(e.ctx, &cip.VerifySoftwareTokenInput{UserCode: aws.String("123456")})
	ttWantError(t, "verify with neither", err, "InvalidParameterException", "Either AccessToken or Session must be provided.")

	// An expired token: access tokens last an hour by default.
	e.clock.Advance(61 * time.Minute)
	ttWantError(t, "associate, expired", associate(access), "NotAuthorizedException", "Access Token has expired")
	ttWantError(t, "verify, expired", verify(access), "NotAuthorizedException", "Access Token has expired")
}

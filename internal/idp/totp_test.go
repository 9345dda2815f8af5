package idp

import (
	"bytes"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/crypto/totp"
)

// totpSignedIn makes a pool, a client and a user, signs the user in and
// returns the pool id, the user's sub and an access token.
func totpSignedIn(t *testing.T, e *poolsEnv) (poolID, sub, access string) {
	t.Helper()
	poolID = api.ToString(e.create(t, nil).Id)
	c, err := e.svc.CreateUserPoolClient(e.ctx, &api.CreateUserPoolClientRequest{UserPoolId: api.String(poolID),
		ClientName: api.String("app"), ExplicitAuthFlows: []api.ExplicitAuthFlowsType{"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
	if err != nil {
		t.Fatal(err)
	}
	u, err := e.svc.AdminCreateUser(e.ctx, &api.AdminCreateUserRequest{UserPoolId: api.String(poolID),
		Username: api.String("ada"), MessageAction: "SUPPRESS"})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range u.User.Attributes {
		if api.ToString(a.Name) == "sub" {
			sub = api.ToString(a.Value)
		}
	}
	const pw = "Correct-horse-1"
	if _, err := e.svc.AdminSetUserPassword(e.ctx, &api.AdminSetUserPasswordRequest{UserPoolId: api.String(poolID),
		Username: api.String("ada"), Password: api.String(pw), Permanent: api.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	out, err := e.svc.AdminInitiateAuth(e.ctx, &api.AdminInitiateAuthRequest{UserPoolId: api.String(poolID),
		ClientId: c.UserPoolClient.ClientId, AuthFlow: api.AuthFlowTypeAdminUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "ada", "PASSWORD": pw}})
	if err != nil {
		t.Fatal(err)
	}
	return poolID, sub, api.ToString(out.AuthenticationResult.AccessToken)
}

// TestTOTPSeedSealed looks at the stored user document, through the store,
// after an association and a verification: the seed must be nowhere in it,
// in any of the forms it could be written in.
func TestTOTPSeedSealed(t *testing.T) {
	e := newPoolsEnv(t)
	poolID, sub, access := totpSignedIn(t, e)
	stored := func() []byte {
		rec, err := e.svc.Store.GetUserBySub(e.ctx, poolID, sub)
		if err != nil {
			t.Fatal(err)
		}
		return rec.Doc
	}
	noSeed := func(when, secret string) {
		t.Helper()
		seed, err := totp.ParseSecretCode(secret)
		if err != nil {
			t.Fatal(err)
		}
		doc := stored()
		for _, form := range []string{
			secret, strings.ToLower(secret),
			base32.StdEncoding.EncodeToString(seed),
			base64.StdEncoding.EncodeToString(seed), base64.RawStdEncoding.EncodeToString(seed),
			base64.URLEncoding.EncodeToString(seed), base64.RawURLEncoding.EncodeToString(seed),
			hex.EncodeToString(seed),
		} {
			if bytes.Contains(doc, []byte(form)) {
				t.Errorf("%s: the stored user document holds the seed as %q: %s", when, form, doc)
			}
		}
		if bytes.Contains(doc, seed) {
			t.Errorf("%s: the stored user document holds the seed's bytes", when)
		}
	}

	assoc, err := e.svc.AssociateSoftwareToken(e.ctx, &api.AssociateSoftwareTokenRequest{AccessToken: api.String(access)})
	if err != nil {
		t.Fatal(err)
	}
	secret := api.ToString(assoc.SecretCode)
	if len(secret) != 32 {
		t.Fatalf("SecretCode %q", secret)
	}
	noSeed("pending", secret)
	if !bytes.Contains(stored(), []byte(`"totpPending"`)) {
		t.Fatalf("no pending seed stored: %s", stored())
	}

	seed, _ := totp.ParseSecretCode(secret)
	code, err := totp.Code(seed, e.now)
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.svc.VerifySoftwareToken(e.ctx, &api.VerifySoftwareTokenRequest{AccessToken: api.String(access),
		UserCode: api.String(code), FriendlyDeviceName: api.String("phone")})
	if err != nil || v.Status != api.VerifySoftwareTokenResponseTypeSuccess {
		t.Fatalf("VerifySoftwareToken = %+v, %v", v, err)
	}
	noSeed("verified", secret)
	doc := stored()
	if !bytes.Contains(doc, []byte(`"totpSeed"`)) || bytes.Contains(doc, []byte(`"totpPending"`)) {
		t.Fatalf("the verified seed is not where it belongs: %s", doc)
	}

	// A seed sealed for one user does not open as another's: the
	// associated data binds it to the pool and the sub.
	rec, err := e.svc.Store.GetUserBySub(e.ctx, poolID, sub)
	if err != nil {
		t.Fatal(err)
	}
	u, err := newUser(rec)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.openTOTPSeed(poolID, "00000000-0000-4000-8000-000000000000", u.doc.MFA.TOTPSeed); err == nil {
		t.Error("a seed opened for another user")
	}
}

// TestCheckTOTP is the sign-in check: the verified seed, one step of skew,
// no step twice, and no seed at all.
func TestCheckTOTP(t *testing.T) {
	e := newPoolsEnv(t)
	poolID, sub, access := totpSignedIn(t, e)
	load := func() *user {
		rec, err := e.svc.Store.GetUserBySub(e.ctx, poolID, sub)
		if err != nil {
			t.Fatal(err)
		}
		u, err := newUser(rec)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	if _, _, err := e.svc.checkTOTP(poolID, load(), "123456"); !totpIsAPIError(err, api.CodeSoftwareTokenMFANotFound) {
		t.Fatalf("no token: %v", err)
	}
	assoc, err := e.svc.AssociateSoftwareToken(e.ctx, &api.AssociateSoftwareTokenRequest{AccessToken: api.String(access)})
	if err != nil {
		t.Fatal(err)
	}
	seed, _ := totp.ParseSecretCode(api.ToString(assoc.SecretCode))
	if _, _, err := e.svc.checkTOTP(poolID, load(), "123456"); !totpIsAPIError(err, api.CodeSoftwareTokenMFANotFound) {
		t.Fatalf("only a pending token: %v", err)
	}
	verifiedAt := totp.Step(e.now)
	code := func(step int64) string {
		c, err := totp.CodeAt(seed, step)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if _, err := e.svc.VerifySoftwareToken(e.ctx, &api.VerifySoftwareTokenRequest{AccessToken: api.String(access),
		UserCode: api.String(code(verifiedAt))}); err != nil {
		t.Fatal(err)
	}
	u := load()
	if u.doc.MFA.TOTPLastStep != verifiedAt {
		t.Fatalf("TOTPLastStep = %d, want %d", u.doc.MFA.TOTPLastStep, verifiedAt)
	}
	e.now = e.now.Add(2 * totp.Period)
	now := totp.Step(e.now)
	for _, tc := range []struct {
		name string
		code string
		ok   bool
		step int64
	}{
		{"the verification code again", code(verifiedAt), false, 0},
		{"two steps late", code(now - 2), false, 0},
		{"one step late", code(now - 1), true, now - 1},
		{"current", code(now), true, now},
		{"one step early", code(now + 1), true, now + 1},
		{"two steps early", code(now + 2), false, 0},
		{"not digits", "abcdef", false, 0},
	} {
		step, ok, err := e.svc.checkTOTP(poolID, u, tc.code)
		if err != nil || ok != tc.ok || step != tc.step {
			t.Errorf("%s: checkTOTP = %d, %v, %v; want %d, %v", tc.name, step, ok, err, tc.step, tc.ok)
		}
	}
	// With the current step recorded, neither it nor the one before is
	// accepted again; the next one is.
	u.doc.MFA.TOTPLastStep = now
	for _, s := range []int64{now - 1, now} {
		if _, ok, _ := e.svc.checkTOTP(poolID, u, code(s)); ok {
			t.Errorf("step %d accepted after step %d", s, now)
		}
	}
	if step, ok, _ := e.svc.checkTOTP(poolID, u, code(now+1)); !ok || step != now+1 {
		t.Errorf("next step: %d, %v", step, ok)
	}
}

func totpIsAPIError(err error, code string) bool {
	var ae *api.Error
	return asAPIError(err, &ae) && ae.Type == code
}

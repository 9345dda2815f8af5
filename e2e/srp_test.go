package e2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"maps"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitod/cognitod/internal/crypto/srp"
	"github.com/cognitod/cognitod/internal/testserver"
)

// USER_SRP_AUTH end to end through aws-sdk-go-v2, with the project's own SRP
// client (internal/crypto/srp, checked against amazon-cognito-identity-js's
// math) on the client side: InitiateAuth → PASSWORD_VERIFIER →
// RespondToAuthChallenge → tokens, and the ways it must fail.

// srpFlows is what the SRP tests' clients allow: SRP, and the admin password
// flow so that a test can mix flows (lockout counts them all).
var srpFlows = []types.ExplicitAuthFlowsType{
	types.ExplicitAuthFlowsTypeAllowUserSrpAuth,
	types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth,
	types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth,
}

// srpApp is one app client of one pool, as a sign-in sees it.
type srpApp struct {
	c              *cip.Client
	pool, client   string
	secret         string // empty for a client without a secret
	now            func() time.Time
	admin          bool // sign in through the Admin* operations
	usernameForSRP func(string) string
}

// srpSetup creates a pool (edited by pool) and an SRP client (edited by
// client).
func srpSetup(t *testing.T, srv *testserver.Server, pool func(*cip.CreateUserPoolInput), client func(*cip.CreateUserPoolClientInput)) *srpApp {
	t.Helper()
	c, ctx := srv.Client(), testserver.Ctx(t)
	in := &cip.CreateUserPoolInput{}
	if pool != nil {
		pool(in)
	}
	poolID := userPool(t, c, ctx, in)
	id, secret := appClient(t, c, ctx, poolID, func(in *cip.CreateUserPoolClientInput) {
		in.ExplicitAuthFlows = srpFlows
		if client != nil {
			client(in)
		}
	})
	return &srpApp{c: c, pool: poolID, client: id, secret: secret, now: time.Now}
}

// srpChallenge is the first step's answer.
type srpChallenge struct {
	name    types.ChallengeNameType
	params  map[string]string
	session *string
	client  *srp.Client
}

// srpInitiate starts USER_SRP_AUTH for username with a fresh client secret a.
// extra adds or replaces authentication parameters (SRP_A among them).
func (a *srpApp) srpInitiate(ctx context.Context, username string, extra map[string]string) (*srpChallenge, error) {
	sc, err := srp.NewClient(srp.PoolName(a.pool), rand.Reader)
	if err != nil {
		return nil, err
	}
	params := map[string]string{"USERNAME": username, "SRP_A": sc.AHex()}
	if a.secret != "" {
		params["SECRET_HASH"] = secretHash(a.secret, username, a.client)
	}
	maps.Copy(params, extra)
	for k, v := range params {
		if v == "" {
			delete(params, k)
		}
	}
	ch := &srpChallenge{client: sc}
	if a.admin {
		out, err := a.c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(a.pool), ClientId: aws.String(a.client),
			AuthFlow: types.AuthFlowTypeUserSrpAuth, AuthParameters: params})
		if err != nil {
			return nil, err
		}
		ch.name, ch.params, ch.session = out.ChallengeName, out.ChallengeParameters, out.Session
	} else {
		out, err := a.c.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(a.client),
			AuthFlow: types.AuthFlowTypeUserSrpAuth, AuthParameters: params})
		if err != nil {
			return nil, err
		}
		ch.name, ch.params, ch.session = out.ChallengeName, out.ChallengeParameters, out.Session
	}
	return ch, nil
}

// srpAnswer computes the PASSWORD_VERIFIER answer for password, with
// SECRET_HASH over the USERNAME it answers with (USER_ID_FOR_SRP).
func (a *srpApp) srpAnswer(ch *srpChallenge, password string) (map[string]string, error) {
	resp, err := ch.client.RespondPasswordVerifier(ch.params, password, a.now())
	if err != nil {
		return nil, err
	}
	if a.secret != "" {
		resp["SECRET_HASH"] = secretHash(a.secret, resp["USERNAME"], a.client)
	}
	return resp, nil
}

// srpRespond sends a challenge answer.
func (a *srpApp) srpRespond(ctx context.Context, name types.ChallengeNameType, session *string, resp map[string]string) (*cip.RespondToAuthChallengeOutput, error) {
	if a.admin {
		out, err := a.c.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{UserPoolId: aws.String(a.pool),
			ClientId: aws.String(a.client), ChallengeName: name, Session: session, ChallengeResponses: resp})
		if err != nil {
			return nil, err
		}
		return &cip.RespondToAuthChallengeOutput{ChallengeName: out.ChallengeName, ChallengeParameters: out.ChallengeParameters,
			Session: out.Session, AuthenticationResult: out.AuthenticationResult}, nil
	}
	return a.c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(a.client),
		ChallengeName: name, Session: session, ChallengeResponses: resp})
}

// srpSignIn runs both steps and returns the second step's answer.
func (a *srpApp) srpSignIn(ctx context.Context, username, password string) (*cip.RespondToAuthChallengeOutput, error) {
	ch, err := a.srpInitiate(ctx, username, nil)
	if err != nil {
		return nil, err
	}
	if ch.name != types.ChallengeNameTypePasswordVerifier {
		return nil, &unexpectedChallenge{ch.name}
	}
	resp, err := a.srpAnswer(ch, password)
	if err != nil {
		return nil, err
	}
	return a.srpRespond(ctx, types.ChallengeNameTypePasswordVerifier, ch.session, resp)
}

type unexpectedChallenge struct{ name types.ChallengeNameType }

func (e *unexpectedChallenge) Error() string { return "unexpected challenge " + string(e.name) }

var (
	srpHexRE  = regexp.MustCompile(`^[0-9a-f]+$`)
	srpUUIDRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
)

// srpCheckChallenge checks a PASSWORD_VERIFIER challenge's shape: exactly
// Cognito's five parameters, USERNAME and USER_ID_FOR_SRP both userID.
func srpCheckChallenge(t *testing.T, ch *srpChallenge, userID string) {
	t.Helper()
	if ch.name != types.ChallengeNameTypePasswordVerifier {
		t.Fatalf("ChallengeName = %q, want PASSWORD_VERIFIER", ch.name)
	}
	keys := slices.Sorted(maps.Keys(ch.params))
	if want := []string{"SALT", "SECRET_BLOCK", "SRP_B", "USERNAME", "USER_ID_FOR_SRP"}; !slices.Equal(keys, want) {
		t.Fatalf("challenge parameters %v, want %v", keys, want)
	}
	if ch.params["USER_ID_FOR_SRP"] != userID || ch.params["USERNAME"] != userID {
		t.Errorf("USERNAME %q, USER_ID_FOR_SRP %q, want both %q", ch.params["USERNAME"], ch.params["USER_ID_FOR_SRP"], userID)
	}
	for _, name := range []string{"SALT", "SRP_B"} {
		if !srpHexRE.MatchString(ch.params[name]) {
			t.Errorf("%s = %q, want lower-case hex", name, ch.params[name])
		}
	}
	B, err := srp.ParseHex(ch.params["SRP_B"])
	if err != nil || B.Sign() <= 0 || B.Cmp(srp.Prime()) >= 0 {
		t.Errorf("SRP_B is not in 1..N-1")
	}
	if _, err := base64.StdEncoding.DecodeString(ch.params["SECRET_BLOCK"]); err != nil {
		t.Errorf("SECRET_BLOCK is not base64: %v", err)
	}
}

// srpClaims decodes a JWT's payload (the signature is tokens' tests' to
// check).
func srpClaims(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not a JWS", jwt)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("token payload: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatalf("token payload: %v", err)
	}
	return claims
}

// srpCheckTokens checks that a sign-in ended with tokens for the user whose
// username (cognito:username) and sub are given.
func srpCheckTokens(t *testing.T, a *srpApp, out *cip.RespondToAuthChallengeOutput, username, sub string) {
	t.Helper()
	r := out.AuthenticationResult
	if r == nil {
		t.Fatalf("no AuthenticationResult (challenge %q)", out.ChallengeName)
	}
	if out.ChallengeName != "" || out.Session != nil {
		t.Errorf("tokens came with challenge %q / session %v", out.ChallengeName, out.Session)
	}
	if aws.ToString(r.TokenType) != "Bearer" || r.ExpiresIn != 3600 || aws.ToString(r.RefreshToken) == "" {
		t.Errorf("TokenType %q, ExpiresIn %d, refresh token %t", aws.ToString(r.TokenType), r.ExpiresIn, aws.ToString(r.RefreshToken) != "")
	}
	id, access := srpClaims(t, aws.ToString(r.IdToken)), srpClaims(t, aws.ToString(r.AccessToken))
	if id["token_use"] != "id" || id["cognito:username"] != username || id["aud"] != a.client {
		t.Errorf("ID token claims: token_use %v, cognito:username %v (want %s), aud %v", id["token_use"], id["cognito:username"], username, id["aud"])
	}
	if access["token_use"] != "access" || access["username"] != username || access["client_id"] != a.client {
		t.Errorf("access token claims: token_use %v, username %v (want %s), client_id %v", access["token_use"], access["username"], username, access["client_id"])
	}
	if sub != "" && (id["sub"] != sub || access["sub"] != sub) {
		t.Errorf("sub: ID %v, access %v, want %s", id["sub"], access["sub"], sub)
	}
	// The access token works where access tokens are taken.
	got, err := a.c.GetUser(context.Background(), &cip.GetUserInput{AccessToken: r.AccessToken})
	if err != nil {
		t.Fatalf("GetUser with the SRP sign-in's access token: %v", err)
	}
	if aws.ToString(got.Username) != username {
		t.Errorf("GetUser: Username %q, want %q", aws.ToString(got.Username), username)
	}
}

func srpSub(t *testing.T, a *srpApp, username string) string {
	t.Helper()
	return getUser(t, a.c, context.Background(), a.pool, username).attrs["sub"]
}

func TestSRPSignIn(t *testing.T) {
	srv := testserver.Start(t)
	for _, admin := range []bool{false, true} {
		name := map[bool]string{false: "InitiateAuth", true: "AdminInitiateAuth"}[admin]
		t.Run(name, func(t *testing.T) {
			ctx := testserver.Ctx(t)
			a := srpSetup(t, srv, nil, nil)
			a.admin = admin
			adminUserWith(t, a.c, ctx, a.pool, "alice", "email", "alice@example.com")
			sub := srpSub(t, a, "alice")

			ch, err := a.srpInitiate(ctx, "alice", nil)
			if err != nil {
				t.Fatalf("initiate: %v", err)
			}
			srpCheckChallenge(t, ch, "alice")
			resp, err := a.srpAnswer(ch, signUpPassword)
			if err != nil {
				t.Fatal(err)
			}
			out, err := a.srpRespond(ctx, types.ChallengeNameTypePasswordVerifier, ch.session, resp)
			if err != nil {
				t.Fatalf("respond: %v", err)
			}
			srpCheckTokens(t, a, out, "alice", sub)

			// The salt is the user's: the same in every challenge; B is
			// drawn anew each time.
			again, err := a.srpInitiate(ctx, "alice", nil)
			if err != nil {
				t.Fatal(err)
			}
			if again.params["SALT"] != ch.params["SALT"] || again.params["SRP_B"] == ch.params["SRP_B"] ||
				again.params["SECRET_BLOCK"] == ch.params["SECRET_BLOCK"] {
				t.Error("a second challenge should keep the salt and change SRP_B and SECRET_BLOCK")
			}

			// The answer's parameters are required.
			for _, missing := range []string{"PASSWORD_CLAIM_SIGNATURE", "PASSWORD_CLAIM_SECRET_BLOCK", "TIMESTAMP", "USERNAME"} {
				resp, err := a.srpAnswer(again, signUpPassword)
				if err != nil {
					t.Fatal(err)
				}
				delete(resp, missing)
				_, err = a.srpRespond(ctx, types.ChallengeNameTypePasswordVerifier, again.session, resp)
				wantErr[*types.InvalidParameterException](t, err, "Missing required parameter "+missing)
			}
			// A TIMESTAMP not in Cognito's form.
			resp, err = a.srpAnswer(again, signUpPassword)
			if err != nil {
				t.Fatal(err)
			}
			resp["TIMESTAMP"] = "2024-01-01T00:00:00Z"
			_, err = a.srpRespond(ctx, types.ChallengeNameTypePasswordVerifier, again.session, resp)
			wantErr[*types.InvalidParameterException](t, err, "")
			// None of these malformed answers used the secret block up.
			out, err = a.srpSignInWith(ctx, again, signUpPassword)
			if err != nil {
				t.Fatalf("a correct answer after malformed ones: %v", err)
			}
			srpCheckTokens(t, a, out, "alice", sub)
		})
	}
}

func TestSRPWrongPasswordAndLockout(t *testing.T) {
	clock := testserver.NewClock(time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC))
	srv := testserver.Start(t, testserver.WithClock(clock))
	ctx := testserver.Ctx(t)
	a := srpSetup(t, srv, nil, nil)
	a.now = clock.Now
	adminUserWith(t, a.c, ctx, a.pool, "bob")

	// Four wrong SRP answers, then a wrong password through the admin
	// password flow: the fifth failure in a row, whatever the flow, locks.
	for i := range 4 {
		_, err := a.srpSignIn(ctx, "bob", "Wrong-"+signUpPassword)
		wantErr[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
		if t.Failed() {
			t.Fatalf("failure %d", i+1)
		}
	}
	_, err := a.c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(a.pool), ClientId: aws.String(a.client),
		AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "bob", "PASSWORD": "nope"}})
	wantErr[*types.NotAuthorizedException](t, err, "Incorrect username or password.")

	// Locked for 2^0 s: SRP refuses at once, even the right password.
	_, err = a.srpInitiate(ctx, "bob", nil)
	wantErr[*types.NotAuthorizedException](t, err, "Password attempts exceeded")

	// A challenge taken before the lockout and answered during it is refused
	// too, and does not count.
	clock.Advance(2 * time.Second)
	ch, err := a.srpInitiate(ctx, "bob", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := a.srpAnswer(ch, "Wrong-"+signUpPassword)
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.srpRespond(ctx, types.ChallengeNameTypePasswordVerifier, ch.session, resp) // sixth failure: 2 s
	wantErr[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
	ch, err = a.srpInitiate(ctx, "bob", nil)
	wantErr[*types.NotAuthorizedException](t, err, "Password attempts exceeded")

	clock.Advance(3 * time.Second)
	ch, err = a.srpInitiate(ctx, "bob", nil)
	if err != nil {
		t.Fatal(err)
	}
	// Another wrong answer locks again (seventh: 4 s) …
	resp, err = a.srpAnswer(ch, "Wrong-"+signUpPassword)
	if err != nil {
		t.Fatal(err)
	}
	ch2, err := a.srpInitiate(ctx, "bob", nil) // taken before the failure
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.srpRespond(ctx, types.ChallengeNameTypePasswordVerifier, ch.session, resp)
	wantErr[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
	// … and the right answer to a challenge taken before it is refused
	// while the lockout lasts.
	resp2, err := a.srpAnswer(ch2, signUpPassword)
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.srpRespond(ctx, types.ChallengeNameTypePasswordVerifier, ch2.session, resp2)
	wantErr[*types.NotAuthorizedException](t, err, "Password attempts exceeded")

	// After the lockout the right password signs in and the count restarts:
	// four more failures do not lock.
	clock.Advance(5 * time.Second)
	out, err := a.srpSignIn(ctx, "bob", signUpPassword)
	if err != nil {
		t.Fatalf("sign-in after the lockout: %v", err)
	}
	srpCheckTokens(t, a, out, "bob", "")
	for range 4 {
		_, err := a.srpSignIn(ctx, "bob", "Wrong-"+signUpPassword)
		wantErr[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
	}
	if _, err := a.srpSignIn(ctx, "bob", signUpPassword); err != nil {
		t.Fatalf("four failures after a success locked: %v", err)
	}
}

func TestSRPInvalidA(t *testing.T) {
	srv := testserver.Start(t)
	ctx := testserver.Ctx(t)
	a := srpSetup(t, srv, nil, nil)
	adminUserWith(t, a.c, ctx, a.pool, "carol")
	N := srp.Prime()
	for name, A := range map[string]string{
		"zero":               "0",
		"zeros":              "0000",
		"N":                  N.Text(16),
		"2N":                 new(big.Int).Lsh(N, 1).Text(16),
		"N upper-case":       strings.ToUpper(N.Text(16)),
		"N+1 (not below N)":  new(big.Int).Add(N, big.NewInt(1)).Text(16),
		"not hex":            "xyz",
		"negative":           "-5",
		"0x prefix":          "0x" + N.Text(16)[:10],
		"far too long for N": strings.Repeat("1", 4000),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := a.srpInitiate(ctx, "carol", map[string]string{"SRP_A": A})
			wantErr[*types.InvalidParameterException](t, err, "")
		})
	}
	_, err := a.srpInitiate(ctx, "carol", map[string]string{"SRP_A": ""})
	wantErr[*types.InvalidParameterException](t, err, "Missing required parameter SRP_A")
	_, err = a.srpInitiate(ctx, "", nil)
	wantErr[*types.InvalidParameterException](t, err, "Missing required parameter USERNAME")
	// None of it counted as a failed password.
	if _, err := a.srpSignIn(ctx, "carol", signUpPassword); err != nil {
		t.Fatal(err)
	}
}

func TestSRPSecretBlockSingleUseAndExpiry(t *testing.T) {
	clock := testserver.NewClock(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
	srv := testserver.Start(t, testserver.WithClock(clock))
	ctx := testserver.Ctx(t)
	a := srpSetup(t, srv, nil, func(in *cip.CreateUserPoolClientInput) { in.AuthSessionValidity = aws.Int32(5) })
	a.now = clock.Now
	adminUserWith(t, a.c, ctx, a.pool, "dave")

	t.Run("replayed answer", func(t *testing.T) {
		ch, err := a.srpInitiate(ctx, "dave", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := a.srpAnswer(ch, signUpPassword)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.srpRespond(ctx, types.ChallengeNameTypePasswordVerifier, ch.session, resp); err != nil {
			t.Fatal(err)
		}
		_, err = a.srpRespond(ctx, types.ChallengeNameTypePasswordVerifier, ch.session, resp)
		wantErr[*types.NotAuthorizedException](t, err, "Invalid session for the user, session can only be used once.")
		// The same through the Admin operation.
		a.admin = true
		defer func() { a.admin = false }()
		_, err = a.srpRespond(ctx, types.ChallengeNameTypePasswordVerifier, ch.session, resp)
		wantErr[*types.NotAuthorizedException](t, err, "Invalid session for the user, session can only be used once.")
	})

	t.Run("a wrong answer uses the block up", func(t *testing.T) {
		ch, err := a.srpInitiate(ctx, "dave", nil)
		if err != nil {
			t.Fatal(err)
		}
		wrong, err := a.srpAnswer(ch, "Wrong-"+signUpPassword)
		if err != nil {
			t.Fatal(err)
		}
		_, err = a.srpRespond(ctx, types.ChallengeNameTypePasswordVerifier, ch.session, wrong)
		wantErr[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
		right, err := a.srpAnswer(ch, signUpPassword)
		if err != nil {
			t.Fatal(err)
		}
		_, err = a.srpRespond(ctx, types.ChallengeNameTypePasswordVerifier, ch.session, right)
		wantErr[*types.NotAuthorizedException](t, err, "Invalid session for the user, session can only be used once.")
	})

	t.Run("a changed block or another client", func(t *testing.T) {
		ch, err := a.srpInitiate(ctx, "dave", nil)
		if err != nil {
			t.Fatal(err)
		}
		// The signature covers the block: a client cannot swap in another
		// block (here: one for the same user, taken by a second sign-in).
		other, err := a.srpInitiate(ctx, "dave", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := a.srpAnswer(ch, signUpPassword)
		if err != nil {
			t.Fatal(err)
		}
		swapped := maps.Clone(resp)
		swapped["PASSWORD_CLAIM_SECRET_BLOCK"] = other.params["SECRET_BLOCK"]
		_, err = a.srpRespond(ctx, types.ChallengeNameTypePasswordVerifier, ch.session, swapped)
		wantErr[*types.NotAuthorizedException](t, err, "")
		// Garbage is an expired session, not a server error.
		garbage := maps.Clone(resp)
		garbage["PASSWORD_CLAIM_SECRET_BLOCK"] = base64.StdEncoding.EncodeToString([]byte("not a block"))
		_, err = a.srpRespond(ctx, types.ChallengeNameTypePasswordVerifier, ch.session, garbage)
		wantErr[*types.NotAuthorizedException](t, err, "Invalid session for the user, session is expired.")
		garbage["PASSWORD_CLAIM_SECRET_BLOCK"] = "%%%"
		_, err = a.srpRespond(ctx, types.ChallengeNameTypePasswordVerifier, ch.session, garbage)
		wantErr[*types.NotAuthorizedException](t, err, "Invalid session for the user, session is expired.")

		// Another client of the same pool may not answer it.
		id, _ := appClient(t, a.c, ctx, a.pool, func(in *cip.CreateUserPoolClientInput) { in.ExplicitAuthFlows = srpFlows })
		b := *a
		b.client = id
		_, err = b.srpRespond(ctx, types.ChallengeNameTypePasswordVerifier, ch.session, resp)
		wantErr[*types.NotAuthorizedException](t, err, "Invalid session for the user, session is expired.")
	})

	t.Run("expiry", func(t *testing.T) {
		// AuthSessionValidity is 5 minutes: an answer at 4:59 is in time …
		ch, err := a.srpInitiate(ctx, "dave", nil)
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(4*time.Minute + 59*time.Second)
		out, err := a.srpSignInWith(ctx, ch, signUpPassword)
		if err != nil {
			t.Fatalf("answer within AuthSessionValidity: %v", err)
		}
		srpCheckTokens(t, a, out, "dave", "")
		// … one at 5:01 is not, whatever the password.
		ch, err = a.srpInitiate(ctx, "dave", nil)
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(5*time.Minute + time.Second)
		_, err = a.srpSignInWith(ctx, ch, signUpPassword)
		wantErr[*types.NotAuthorizedException](t, err, "Invalid session for the user, session is expired.")
		// An expired answer is not a wrong password: five of them lock no one.
		for range 5 {
			ch, err := a.srpInitiate(ctx, "dave", nil)
			if err != nil {
				t.Fatal(err)
			}
			clock.Advance(6 * time.Minute)
			_, err = a.srpSignInWith(ctx, ch, "Wrong-"+signUpPassword)
			wantErr[*types.NotAuthorizedException](t, err, "Invalid session for the user, session is expired.")
		}
		if _, err := a.srpSignIn(ctx, "dave", signUpPassword); err != nil {
			t.Fatal(err)
		}
	})
}

// srpSignInWith answers an already started challenge.
func (a *srpApp) srpSignInWith(ctx context.Context, ch *srpChallenge, password string) (*cip.RespondToAuthChallengeOutput, error) {
	resp, err := a.srpAnswer(ch, password)
	if err != nil {
		return nil, err
	}
	return a.srpRespond(ctx, types.ChallengeNameTypePasswordVerifier, ch.session, resp)
}

func TestSRPSecretHash(t *testing.T) {
	srv := testserver.Start(t)
	ctx := testserver.Ctx(t)
	withSecret := func(in *cip.CreateUserPoolClientInput) { in.GenerateSecret = true }

	t.Run("username pool", func(t *testing.T) {
		a := srpSetup(t, srv, nil, withSecret)
		if a.secret == "" {
			t.Fatal("the client has no secret")
		}
		adminUserWith(t, a.c, ctx, a.pool, "erin")
		notReceived := "Client " + a.client + " is configured for secret but secret was not received"
		unverified := "Unable to verify secret hash for client " + a.client

		_, err := a.srpInitiate(ctx, "erin", map[string]string{"SECRET_HASH": ""})
		wantErr[*types.NotAuthorizedException](t, err, notReceived)
		_, err = a.srpInitiate(ctx, "erin", map[string]string{"SECRET_HASH": secretHash(a.secret, "other", a.client)})
		wantErr[*types.NotAuthorizedException](t, err, unverified)
		_, err = a.srpInitiate(ctx, "erin", map[string]string{"SECRET_HASH": secretHash("wrong secret", "erin", a.client)})
		wantErr[*types.NotAuthorizedException](t, err, unverified)

		// The answer needs it too.
		ch, err := a.srpInitiate(ctx, "erin", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := a.srpAnswer(ch, signUpPassword)
		if err != nil {
			t.Fatal(err)
		}
		without := maps.Clone(resp)
		delete(without, "SECRET_HASH")
		_, err = a.srpRespond(ctx, types.ChallengeNameTypePasswordVerifier, ch.session, without)
		wantErr[*types.NotAuthorizedException](t, err, notReceived)
		ch, err = a.srpInitiate(ctx, "erin", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err = a.srpAnswer(ch, signUpPassword)
		if err != nil {
			t.Fatal(err)
		}
		bad := maps.Clone(resp)
		bad["SECRET_HASH"] = secretHash(a.secret, "someone", a.client)
		_, err = a.srpRespond(ctx, types.ChallengeNameTypePasswordVerifier, ch.session, bad)
		wantErr[*types.NotAuthorizedException](t, err, unverified)

		for _, admin := range []bool{false, true} {
			a.admin = admin
			out, err := a.srpSignIn(ctx, "erin", signUpPassword)
			if err != nil {
				t.Fatalf("admin %t: %v", admin, err)
			}
			srpCheckTokens(t, a, out, "erin", "")
		}
	})

	t.Run("email as username", func(t *testing.T) {
		// USER_ID_FOR_SRP is the sub there: the first step's hash is over
		// the e-mail address sent, the answer's over the USERNAME it sends.
		a := srpSetup(t, srv, func(in *cip.CreateUserPoolInput) {
			in.UsernameAttributes = []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}
		}, withSecret)
		adminUserWith(t, a.c, ctx, a.pool, "frank@example.com")
		sub := srpSub(t, a, "frank@example.com")
		ch, err := a.srpInitiate(ctx, "frank@example.com", nil)
		if err != nil {
			t.Fatal(err)
		}
		srpCheckChallenge(t, ch, sub)
		out, err := a.srpSignInWith(ctx, ch, signUpPassword)
		if err != nil {
			t.Fatal(err)
		}
		srpCheckTokens(t, a, out, sub, sub)
	})
}

func TestSRPSignInNames(t *testing.T) {
	srv := testserver.Start(t)
	ctx := testserver.Ctx(t)

	t.Run("alias", func(t *testing.T) {
		a := srpSetup(t, srv, func(in *cip.CreateUserPoolInput) {
			in.AliasAttributes = []types.AliasAttributeType{types.AliasAttributeTypeEmail, types.AliasAttributeTypePreferredUsername}
		}, nil)
		adminUserWith(t, a.c, ctx, a.pool, "gina", "email", "gina@example.com", "email_verified", "true", "preferred_username", "gigi")
		sub := srpSub(t, a, "gina")
		for _, name := range []string{"gina", "gina@example.com", "gigi", sub} {
			ch, err := a.srpInitiate(ctx, name, nil)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			// The verifier is the username's, whatever name signed in.
			srpCheckChallenge(t, ch, "gina")
			out, err := a.srpSignInWith(ctx, ch, signUpPassword)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			srpCheckTokens(t, a, out, "gina", sub)
		}
		// An unverified address is no alias.
		adminUserWith(t, a.c, ctx, a.pool, "hank", "email", "hank@example.com")
		_, err := a.srpInitiate(ctx, "hank@example.com", nil)
		wantErr[*types.UserNotFoundException](t, err, "User does not exist.")
	})

	t.Run("email as username", func(t *testing.T) {
		a := srpSetup(t, srv, func(in *cip.CreateUserPoolInput) {
			in.UsernameAttributes = []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}
		}, nil)
		adminUserWith(t, a.c, ctx, a.pool, "ivy@example.com")
		sub := srpSub(t, a, "ivy@example.com")
		if !srpUUIDRE.MatchString(sub) {
			t.Fatalf("sub %q", sub)
		}
		for _, admin := range []bool{false, true} {
			a.admin = admin
			ch, err := a.srpInitiate(ctx, "ivy@example.com", nil)
			if err != nil {
				t.Fatal(err)
			}
			srpCheckChallenge(t, ch, sub)
			out, err := a.srpSignInWith(ctx, ch, signUpPassword)
			if err != nil {
				t.Fatal(err)
			}
			srpCheckTokens(t, a, out, sub, sub)
		}
	})

	t.Run("case-insensitive usernames", func(t *testing.T) {
		a := srpSetup(t, srv, func(in *cip.CreateUserPoolInput) {
			in.UsernameConfiguration = &types.UsernameConfigurationType{CaseSensitive: aws.Bool(false)}
		}, nil)
		adminUserWith(t, a.c, ctx, a.pool, "Jack")
		for _, name := range []string{"Jack", "JACK", "jack"} {
			ch, err := a.srpInitiate(ctx, name, nil)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			srpCheckChallenge(t, ch, "Jack")
			out, err := a.srpSignInWith(ctx, ch, signUpPassword)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			srpCheckTokens(t, a, out, "Jack", "")
		}
	})

	t.Run("case-sensitive usernames", func(t *testing.T) {
		a := srpSetup(t, srv, func(in *cip.CreateUserPoolInput) {
			in.UsernameConfiguration = &types.UsernameConfigurationType{CaseSensitive: aws.Bool(true)}
		}, nil)
		adminUserWith(t, a.c, ctx, a.pool, "Kim")
		_, err := a.srpInitiate(ctx, "kim", nil)
		wantErr[*types.UserNotFoundException](t, err, "User does not exist.")
	})
}

func TestSRPNewPasswordRequired(t *testing.T) {
	clock := testserver.NewClock(time.Date(2025, 9, 1, 8, 0, 0, 0, time.UTC))
	srv := testserver.Start(t, testserver.WithClock(clock))
	ctx := testserver.Ctx(t)
	const temp, chosen = "Temp0rary!", "Ch0sen-Passw0rd"
	for _, admin := range []bool{false, true} {
		t.Run(map[bool]string{false: "InitiateAuth", true: "AdminInitiateAuth"}[admin], func(t *testing.T) {
			a := srpSetup(t, srv, nil, nil)
			a.admin, a.now = admin, clock.Now
			if _, err := a.c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(a.pool), Username: aws.String("lena"),
				TemporaryPassword: aws.String(temp), MessageAction: types.MessageActionTypeSuppress,
				UserAttributes: luAttrs("email", "lena@example.com")}); err != nil {
				t.Fatal(err)
			}
			// A wrong temporary password is a wrong password.
			_, err := a.srpSignIn(ctx, "lena", "Wrong-"+temp)
			wantErr[*types.NotAuthorizedException](t, err, "Incorrect username or password.")

			ch, err := a.srpInitiate(ctx, "lena", nil)
			if err != nil {
				t.Fatal(err)
			}
			srpCheckChallenge(t, ch, "lena")
			out, err := a.srpSignInWith(ctx, ch, temp)
			if err != nil {
				t.Fatal(err)
			}
			if out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired || out.AuthenticationResult != nil || aws.ToString(out.Session) == "" {
				t.Fatalf("answer: challenge %q, session %t, tokens %t", out.ChallengeName, out.Session != nil, out.AuthenticationResult != nil)
			}
			p := out.ChallengeParameters
			if p["USER_ID_FOR_SRP"] != "lena" || p["requiredAttributes"] != "[]" {
				t.Errorf("challenge parameters %v", p)
			}
			var attrs map[string]string
			if err := json.Unmarshal([]byte(p["userAttributes"]), &attrs); err != nil || attrs["email"] != "lena@example.com" {
				t.Errorf("userAttributes %q (%v)", p["userAttributes"], err)
			}
			done, err := a.srpRespond(ctx, types.ChallengeNameTypeNewPasswordRequired, out.Session,
				map[string]string{"USERNAME": "lena", "NEW_PASSWORD": chosen})
			if err != nil {
				t.Fatal(err)
			}
			srpCheckTokens(t, a, done, "lena", "")
			if st := getUser(t, a.c, ctx, a.pool, "lena").status; st != types.UserStatusTypeConfirmed {
				t.Errorf("status %s after the new password", st)
			}
			// From now on the chosen password, by SRP, and not the temporary one.
			if _, err := a.srpSignIn(ctx, "lena", chosen); err != nil {
				t.Fatal(err)
			}
			_, err = a.srpSignIn(ctx, "lena", temp)
			wantErr[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
		})
	}

	t.Run("expired temporary password", func(t *testing.T) {
		a := srpSetup(t, srv, func(in *cip.CreateUserPoolInput) {
			in.Policies = &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(8), TemporaryPasswordValidityDays: 1}}
		}, nil)
		a.now = clock.Now
		if _, err := a.c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(a.pool), Username: aws.String("max"),
			TemporaryPassword: aws.String(temp), MessageAction: types.MessageActionTypeSuppress}); err != nil {
			t.Fatal(err)
		}
		clock.Advance(25 * time.Hour)
		_, err := a.srpSignIn(ctx, "max", temp)
		wantErr[*types.NotAuthorizedException](t, err, "Temporary password has expired and must be reset by an administrator.")
	})
}

func TestSRPUserStates(t *testing.T) {
	srv := testserver.Start(t)
	ctx := testserver.Ctx(t)
	a := srpSetup(t, srv, nil, nil)

	adminUserWith(t, a.c, ctx, a.pool, "nina")
	if _, err := a.c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(a.pool), Username: aws.String("nina")}); err != nil {
		t.Fatal(err)
	}
	_, err := a.srpInitiate(ctx, "nina", nil)
	wantErr[*types.NotAuthorizedException](t, err, "User is disabled.")

	// A user signed up but not confirmed.
	if _, err := a.c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(a.client), Username: aws.String("oscar"),
		Password: aws.String(signUpPassword)}); err != nil {
		t.Fatal(err)
	}
	_, err = a.srpInitiate(ctx, "oscar", nil)
	wantErr[*types.UserNotConfirmedException](t, err, "User is not confirmed.")

	// A user disabled between the two steps.
	adminUserWith(t, a.c, ctx, a.pool, "pia")
	ch, err := a.srpInitiate(ctx, "pia", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(a.pool), Username: aws.String("pia")}); err != nil {
		t.Fatal(err)
	}
	_, err = a.srpSignInWith(ctx, ch, signUpPassword)
	wantErr[*types.NotAuthorizedException](t, err, "User is disabled.")

	// A user deleted between the two steps.
	adminUserWith(t, a.c, ctx, a.pool, "quinn")
	ch, err = a.srpInitiate(ctx, "quinn", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(a.pool), Username: aws.String("quinn")}); err != nil {
		t.Fatal(err)
	}
	_, err = a.srpSignInWith(ctx, ch, signUpPassword)
	wantErr[*types.NotAuthorizedException](t, err, "")

	// A user whose password changed between the two steps: the old password
	// no longer proves anything.
	adminUserWith(t, a.c, ctx, a.pool, "rex")
	ch, err = a.srpInitiate(ctx, "rex", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(a.pool), Username: aws.String("rex"),
		Password: aws.String("An0ther-Passw0rd"), Permanent: true}); err != nil {
		t.Fatal(err)
	}
	_, err = a.srpSignInWith(ctx, ch, signUpPassword)
	wantErr[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
}

func TestSRPUnknownUser(t *testing.T) {
	srv := testserver.Start(t)
	ctx := testserver.Ctx(t)

	t.Run("legacy client", func(t *testing.T) {
		a := srpSetup(t, srv, nil, nil)
		_, err := a.srpInitiate(ctx, "nobody", nil)
		wantErr[*types.UserNotFoundException](t, err, "User does not exist.")
	})

	for _, tc := range []struct {
		name     string
		pool     func(*cip.CreateUserPoolInput)
		real     string // the existing user
		unknown  string // a name no user has
		uuidUser bool   // USER_ID_FOR_SRP is a sub
	}{
		{name: "username pool", real: "sam", unknown: "nobody"},
		{name: "email as username", pool: func(in *cip.CreateUserPoolInput) {
			in.UsernameAttributes = []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}
		}, real: "sam@example.com", unknown: "nobody@example.com", uuidUser: true},
	} {
		t.Run("hiding client, "+tc.name, func(t *testing.T) {
			a := srpSetup(t, srv, tc.pool, hidingUsers)
			adminUserWith(t, a.c, ctx, a.pool, tc.real)
			realCh, err := a.srpInitiate(ctx, tc.real, nil)
			if err != nil {
				t.Fatal(err)
			}
			fake, err := a.srpInitiate(ctx, tc.unknown, nil)
			if err != nil {
				t.Fatalf("unknown user: %v, want a challenge", err)
			}
			// The same shape as a real user's challenge.
			want := tc.unknown
			if tc.uuidUser {
				want = fake.params["USER_ID_FOR_SRP"]
				if !srpUUIDRE.MatchString(want) {
					t.Errorf("USER_ID_FOR_SRP %q of an unknown user; a real user's is a sub (%s)", want, realCh.params["USER_ID_FOR_SRP"])
				}
			}
			srpCheckChallenge(t, fake, want)
			if len(fake.params["SALT"]) != len(realCh.params["SALT"]) {
				t.Errorf("SALT %d hex digits, a real user's %d", len(fake.params["SALT"]), len(realCh.params["SALT"]))
			}
			// Asked twice, an unknown user keeps its salt (and user id),
			// as a real one does.
			again, err := a.srpInitiate(ctx, tc.unknown, nil)
			if err != nil {
				t.Fatal(err)
			}
			if again.params["SALT"] != fake.params["SALT"] || again.params["USER_ID_FOR_SRP"] != fake.params["USER_ID_FOR_SRP"] {
				t.Errorf("an unknown user's SALT / USER_ID_FOR_SRP changed between two challenges: %s %s / %s %s",
					fake.params["SALT"], again.params["SALT"], fake.params["USER_ID_FOR_SRP"], again.params["USER_ID_FOR_SRP"])
			}
			// Every answer is a wrong password, the empty one included.
			for _, pw := range []string{signUpPassword, ""} {
				ch, err := a.srpInitiate(ctx, tc.unknown, nil)
				if err != nil {
					t.Fatal(err)
				}
				_, err = a.srpSignInWith(ctx, ch, pw)
				wantErr[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
			}
			// A real user's wrong password looks the same.
			_, err = a.srpSignInWith(ctx, realCh, "Wrong-"+signUpPassword)
			wantErr[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
		})
	}
}

func TestSRPExplicitAuthFlows(t *testing.T) {
	srv := testserver.Start(t)
	ctx := testserver.Ctx(t)
	a := srpSetup(t, srv, nil, func(in *cip.CreateUserPoolClientInput) {
		in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth,
			types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}
	})
	adminUserWith(t, a.c, ctx, a.pool, "tom")
	for _, admin := range []bool{false, true} {
		a.admin = admin
		_, err := a.srpInitiate(ctx, "tom", nil)
		wantErr[*types.InvalidParameterException](t, err, "")
		if err == nil || !strings.Contains(err.Error(), "USER_SRP_AUTH") {
			t.Errorf("error %v does not name the flow", err)
		}
	}

	// A client created without ExplicitAuthFlows allows SRP, as Cognito's
	// default (ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH, ALLOW_CUSTOM_AUTH).
	id, _ := appClient(t, a.c, ctx, a.pool, nil)
	b := &srpApp{c: a.c, pool: a.pool, client: id, now: time.Now}
	for _, admin := range []bool{false, true} {
		b.admin = admin
		out, err := b.srpSignIn(ctx, "tom", signUpPassword)
		if err != nil {
			t.Fatalf("default client, admin %t: %v", admin, err)
		}
		srpCheckTokens(t, b, out, "tom", "")
	}

	// A client answering a challenge it did not start: see
	// TestSRPSecretBlockSingleUseAndExpiry. A client of another pool cannot
	// even name the pool's user.
	other := srpSetup(t, srv, nil, nil)
	_, err := other.srpInitiate(ctx, "tom", nil)
	wantErr[*types.UserNotFoundException](t, err, "")
}

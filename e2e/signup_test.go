package e2e

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitod/cognitod/internal/outbox"
	"github.com/cognitod/cognitod/internal/testserver"
)

// Tests of the public user operations (SignUp, ConfirmSignUp,
// ResendConfirmationCode) through aws-sdk-go-v2, with codes read from the
// outbox as a developer would read them.

const signUpPassword = "Passw0rd!"

var sixDigits = regexp.MustCompile(`^[0-9]{6}$`)

// userPool creates a pool from in (PoolName filled in when empty).
func userPool(t *testing.T, c *cip.Client, ctx context.Context, in *cip.CreateUserPoolInput) string {
	t.Helper()
	if in.PoolName == nil {
		in.PoolName = aws.String(strings.ReplaceAll(t.Name(), "/", "-"))
	}
	out, err := c.CreateUserPool(ctx, in)
	if err != nil {
		t.Fatalf("CreateUserPool: %v", err)
	}
	return aws.ToString(out.UserPool.Id)
}

// emailPool is a pool that confirms sign-ups by e-mail.
func emailPool(t *testing.T, c *cip.Client, ctx context.Context) string {
	t.Helper()
	return userPool(t, c, ctx, &cip.CreateUserPoolInput{AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}})
}

// appClient creates an app client; edit changes the request first.
func appClient(t *testing.T, c *cip.Client, ctx context.Context, poolID string, edit func(*cip.CreateUserPoolClientInput)) (id, secret string) {
	t.Helper()
	in := &cip.CreateUserPoolClientInput{UserPoolId: aws.String(poolID), ClientName: aws.String("app")}
	if edit != nil {
		edit(in)
	}
	out, err := c.CreateUserPoolClient(ctx, in)
	if err != nil {
		t.Fatalf("CreateUserPoolClient: %v", err)
	}
	return aws.ToString(out.UserPoolClient.ClientId), aws.ToString(out.UserPoolClient.ClientSecret)
}

func hidingUsers(in *cip.CreateUserPoolClientInput) {
	in.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypesEnabled
}

// secretHash is SECRET_HASH as a client computes it.
func secretHash(secret, username, clientID string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(username + clientID))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func emailAttrs(email string) []types.AttributeType {
	return []types.AttributeType{{Name: aws.String("email"), Value: aws.String(email)}}
}

// signUp signs a user up with an e-mail address and the usual password.
func signUp(t *testing.T, c *cip.Client, ctx context.Context, clientID, username, email string) *cip.SignUpOutput {
	t.Helper()
	out, err := c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(clientID), Username: aws.String(username),
		Password: aws.String(signUpPassword), UserAttributes: emailAttrs(email)})
	if err != nil {
		t.Fatalf("SignUp %s: %v", username, err)
	}
	return out
}

func latestCode(t *testing.T, srv *testserver.Server, ctx context.Context, poolID, username string) string {
	t.Helper()
	code, err := srv.Outbox().LatestCode(ctx, poolID, username)
	if err != nil {
		t.Fatalf("LatestCode: %v", err)
	}
	if !sixDigits.MatchString(code) {
		t.Fatalf("code %q is not six digits", code)
	}
	return code
}

// otherCode is a six-digit code that is not code.
func otherCode(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

func confirmSignUp(c *cip.Client, ctx context.Context, clientID, username, code string) error {
	_, err := c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(clientID), Username: aws.String(username), ConfirmationCode: aws.String(code)})
	return err
}

type userView struct {
	status  types.UserStatusType
	enabled bool
	attrs   map[string]string
}

func getUser(t *testing.T, c *cip.Client, ctx context.Context, poolID, username string) userView {
	t.Helper()
	out, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(poolID), Username: aws.String(username)})
	if err != nil {
		t.Fatalf("AdminGetUser %s: %v", username, err)
	}
	v := userView{status: out.UserStatus, enabled: out.Enabled, attrs: map[string]string{}}
	for _, a := range out.UserAttributes {
		v.attrs[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	return v
}

func wantDelivery(t *testing.T, d *types.CodeDeliveryDetailsType, medium types.DeliveryMediumType, attr, dest string) {
	t.Helper()
	if d == nil {
		t.Fatal("no CodeDeliveryDetails")
	}
	if d.DeliveryMedium != medium || aws.ToString(d.AttributeName) != attr || aws.ToString(d.Destination) != dest {
		t.Errorf("CodeDeliveryDetails %s %s %s, want %s %s %s", d.DeliveryMedium, aws.ToString(d.AttributeName), aws.ToString(d.Destination), medium, attr, dest)
	}
}

func TestSignUpConfirmWithCodeFromOutbox(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	poolID := emailPool(t, c, ctx)
	clientID, _ := appClient(t, c, ctx, poolID, nil)

	out, err := c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(clientID), Username: aws.String("alice"),
		Password: aws.String(signUpPassword), UserAttributes: emailAttrs("alice@example.com"),
		ValidationData: []types.AttributeType{{Name: aws.String("invite"), Value: aws.String("x")}},
		ClientMetadata: map[string]string{"source": "test"}})
	if err != nil {
		t.Fatal(err)
	}
	if out.UserConfirmed || len(aws.ToString(out.UserSub)) != 36 {
		t.Errorf("SignUp answered confirmed=%v sub=%q", out.UserConfirmed, aws.ToString(out.UserSub))
	}
	wantDelivery(t, out.CodeDeliveryDetails, types.DeliveryMediumTypeEmail, "email", "a***@e***")

	msgs, err := srv.Outbox().ListAll(ctx, outbox.Query{UserPoolID: poolID, Username: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 {
		t.Fatalf("outbox holds %d messages, want 1: %+v", len(msgs), msgs)
	}
	m := msgs[0]
	if m.Kind != "SIGN_UP_CODE" || m.Medium != "EMAIL" || m.Destination != "alice@example.com" ||
		m.Subject != "Your verification code" || m.Body != "Your verification code is "+m.Code+". " || !sixDigits.MatchString(m.Code) {
		t.Errorf("message %+v", m)
	}

	u := getUser(t, c, ctx, poolID, "alice")
	if u.status != types.UserStatusTypeUnconfirmed || u.attrs["sub"] != aws.ToString(out.UserSub) || u.attrs["email_verified"] == "true" {
		t.Errorf("before confirmation: %+v", u)
	}

	err = confirmSignUp(c, ctx, clientID, "alice", otherCode(m.Code))
	wantErr[*types.CodeMismatchException](t, err, "Invalid verification code provided, please try again.")

	if err := confirmSignUp(c, ctx, clientID, "alice", m.Code); err != nil {
		t.Fatal(err)
	}
	u = getUser(t, c, ctx, poolID, "alice")
	if u.status != types.UserStatusTypeConfirmed || u.attrs["email_verified"] != "true" {
		t.Errorf("after confirmation: %+v", u)
	}

	err = confirmSignUp(c, ctx, clientID, "alice", m.Code)
	wantErr[*types.NotAuthorizedException](t, err, "User cannot be confirmed. Current status is CONFIRMED")
	_, err = c.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(clientID), Username: aws.String("alice")})
	wantErr[*types.InvalidParameterException](t, err, "User is already confirmed.")
}

func TestSignUpWithoutAutoVerification(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	poolID := userPool(t, c, ctx, &cip.CreateUserPoolInput{})
	clientID, _ := appClient(t, c, ctx, poolID, nil)

	out := signUp(t, c, ctx, clientID, "bob", "bob@example.com")
	if out.CodeDeliveryDetails != nil || out.UserConfirmed {
		t.Errorf("SignUp answered %+v", out)
	}
	if msgs, err := srv.Outbox().ListAll(ctx, outbox.Query{UserPoolID: poolID}); err != nil || len(msgs) != 0 {
		t.Errorf("outbox: %v, %+v", err, msgs)
	}
	_, err := c.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(clientID), Username: aws.String("bob")})
	wantErr[*types.InvalidParameterException](t, err, "Cannot resend codes. Auto verification not turned on.")
}

func TestSignUpSecretHash(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	poolID := emailPool(t, c, ctx)
	clientID, secret := appClient(t, c, ctx, poolID, func(in *cip.CreateUserPoolClientInput) { in.GenerateSecret = true })

	in := func(username, hash string) *cip.SignUpInput {
		in := &cip.SignUpInput{ClientId: aws.String(clientID), Username: aws.String(username), Password: aws.String(signUpPassword),
			UserAttributes: emailAttrs(username + "@example.com")}
		if hash != "" {
			in.SecretHash = aws.String(hash)
		}
		return in
	}
	_, err := c.SignUp(ctx, in("carol", ""))
	wantErr[*types.NotAuthorizedException](t, err, "Client "+clientID+" is configured for secret but secret was not received")
	_, err = c.SignUp(ctx, in("carol", secretHash(secret, "someone-else", clientID)))
	wantErr[*types.NotAuthorizedException](t, err, "Unable to verify secret hash for client "+clientID)
	_, err = c.SignUp(ctx, in("carol", secretHash("not the secret", "carol", clientID)))
	wantErr[*types.NotAuthorizedException](t, err, "Unable to verify secret hash for client "+clientID)
	if _, err := c.SignUp(ctx, in("carol", secretHash(secret, "carol", clientID))); err != nil {
		t.Fatal(err)
	}

	// During a rotation both secrets work.
	added, err := c.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: aws.String(poolID), ClientId: aws.String(clientID)})
	if err != nil {
		t.Fatal(err)
	}
	second := aws.ToString(added.ClientSecretDescriptor.ClientSecretValue)
	if _, err := c.SignUp(ctx, in("dave", secretHash(second, "dave", clientID))); err != nil {
		t.Fatalf("SignUp with the second secret: %v", err)
	}
	if _, err := c.SignUp(ctx, in("erin", secretHash(secret, "erin", clientID))); err != nil {
		t.Fatalf("SignUp with the first secret after adding one: %v", err)
	}

	// The other public operations check it too.
	code := latestCode(t, srv, ctx, poolID, "carol")
	err = confirmSignUp(c, ctx, clientID, "carol", code)
	wantErr[*types.NotAuthorizedException](t, err, "Client "+clientID+" is configured for secret but secret was not received")
	_, err = c.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(clientID), Username: aws.String("carol"),
		SecretHash: aws.String(secretHash(secret, "dave", clientID))})
	wantErr[*types.NotAuthorizedException](t, err, "Unable to verify secret hash for client "+clientID)
	if _, err := c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(clientID), Username: aws.String("carol"),
		ConfirmationCode: aws.String(code), SecretHash: aws.String(secretHash(second, "carol", clientID))}); err != nil {
		t.Fatal(err)
	}
	if u := getUser(t, c, ctx, poolID, "carol"); u.status != types.UserStatusTypeConfirmed {
		t.Errorf("carol is %s", u.status)
	}
}

func TestSignUpUnknownClient(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	_, err := c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String("1example23456789"), Username: aws.String("x"), Password: aws.String(signUpPassword)})
	wantErr[*types.ResourceNotFoundException](t, err, "")
}

func TestSignUpDuplicates(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)

	t.Run("username", func(t *testing.T) {
		poolID := emailPool(t, c, ctx)
		clientID, _ := appClient(t, c, ctx, poolID, nil)
		signUp(t, c, ctx, clientID, "frank", "frank@example.com")
		_, err := c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(clientID), Username: aws.String("frank"), Password: aws.String(signUpPassword)})
		wantErr[*types.UsernameExistsException](t, err, "User already exists")
		// A pool created without UsernameConfiguration is case-sensitive.
		signUp(t, c, ctx, clientID, "Frank", "frank2@example.com")
	})
	t.Run("case-insensitive", func(t *testing.T) {
		poolID := userPool(t, c, ctx, &cip.CreateUserPoolInput{UsernameConfiguration: &types.UsernameConfigurationType{CaseSensitive: aws.Bool(false)}})
		clientID, _ := appClient(t, c, ctx, poolID, nil)
		signUp(t, c, ctx, clientID, "grace", "grace@example.com")
		_, err := c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(clientID), Username: aws.String("GRACE"), Password: aws.String(signUpPassword)})
		wantErr[*types.UsernameExistsException](t, err, "User already exists")
	})
	t.Run("email as username", func(t *testing.T) {
		poolID := userPool(t, c, ctx, &cip.CreateUserPoolInput{UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail},
			AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}})
		clientID, _ := appClient(t, c, ctx, poolID, nil)
		out, err := c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(clientID), Username: aws.String("heidi@example.com"), Password: aws.String(signUpPassword)})
		if err != nil {
			t.Fatal(err)
		}
		wantDelivery(t, out.CodeDeliveryDetails, types.DeliveryMediumTypeEmail, "email", "h***@e***")
		for _, again := range []string{"heidi@example.com", "Heidi@Example.com"} {
			_, err = c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(clientID), Username: aws.String(again), Password: aws.String(signUpPassword)})
			wantErr[*types.UsernameExistsException](t, err, "An account with the given email already exists.")
		}
		_, err = c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(clientID), Username: aws.String("heidi"), Password: aws.String(signUpPassword)})
		wantErr[*types.InvalidParameterException](t, err, "Username should be an email.")

		// The user is found by the address and confirmed with the code.
		u := getUser(t, c, ctx, poolID, "heidi@example.com")
		if u.attrs["email"] != "heidi@example.com" || u.attrs["sub"] != aws.ToString(out.UserSub) {
			t.Errorf("user %+v", u)
		}
		msgs, err := srv.Outbox().ListAll(ctx, outbox.Query{UserPoolID: poolID, Destination: "heidi@example.com"})
		if err != nil || len(msgs) != 1 {
			t.Fatalf("outbox: %v %+v", err, msgs)
		}
		if err := confirmSignUp(c, ctx, clientID, "heidi@example.com", msgs[0].Code); err != nil {
			t.Fatal(err)
		}
		if u := getUser(t, c, ctx, poolID, "heidi@example.com"); u.status != types.UserStatusTypeConfirmed || u.attrs["email_verified"] != "true" {
			t.Errorf("after confirmation %+v", u)
		}
	})
}

func TestSignUpAttributeRules(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	poolID := userPool(t, c, ctx, &cip.CreateUserPoolInput{
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		Schema: []types.SchemaAttributeType{
			{Name: aws.String("name"), AttributeDataType: types.AttributeDataTypeString, Required: aws.Bool(true), Mutable: aws.Bool(true)},
			{Name: aws.String("team"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true)},
		},
	})
	clientID, _ := appClient(t, c, ctx, poolID, nil)
	limited, _ := appClient(t, c, ctx, poolID, func(in *cip.CreateUserPoolClientInput) {
		in.WriteAttributes = []string{"email", "name"}
	})
	signUpWith := func(client string, attrs ...string) error {
		in := &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("ivan"), Password: aws.String(signUpPassword)}
		for i := 0; i+1 < len(attrs); i += 2 {
			in.UserAttributes = append(in.UserAttributes, types.AttributeType{Name: aws.String(attrs[i]), Value: aws.String(attrs[i+1])})
		}
		_, err := c.SignUp(ctx, in)
		return err
	}

	err := signUpWith(clientID, "email", "ivan@example.com")
	wantErr[*types.InvalidParameterException](t, err, "Attributes did not conform to the schema: name: The attribute is required")
	err = signUpWith(clientID, "email", "ivan@example.com", "name", "Ivan", "nickname_typo", "x")
	wantErr[*types.InvalidParameterException](t, err, "Attributes did not conform to the schema: Type for attribute {nickname_typo} could not be determined")
	err = signUpWith(clientID, "email", "not an address", "name", "Ivan")
	wantErr[*types.InvalidParameterException](t, err, "Invalid email address format.")
	err = signUpWith(limited, "email", "ivan@example.com", "name", "Ivan", "custom:team", "blue")
	wantErr[*types.NotAuthorizedException](t, err, "A client attempted to write unauthorized attribute")
	if err := signUpWith(limited, "email", "ivan@example.com", "name", "Ivan"); err != nil {
		t.Fatalf("SignUp with the attributes the client may write: %v", err)
	}
	if u := getUser(t, c, ctx, poolID, "ivan"); u.attrs["name"] != "Ivan" || u.attrs["email"] != "ivan@example.com" {
		t.Errorf("user %+v", u)
	}
	// No client may have the user vouch for the address: that would skip the
	// confirmation.
	for _, client := range []string{clientID, limited} {
		for _, attr := range []string{"email_verified", "phone_number_verified"} {
			_, err := c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(client), Username: aws.String("judy"), Password: aws.String(signUpPassword),
				UserAttributes: []types.AttributeType{{Name: aws.String("name"), Value: aws.String("Judy")}, {Name: aws.String(attr), Value: aws.String("true")}}})
			wantErr[*types.NotAuthorizedException](t, err, "A client attempted to write unauthorized attribute")
		}
	}
}

func TestSignUpPasswordPolicy(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	poolID := userPool(t, c, ctx, &cip.CreateUserPoolInput{Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{
		MinimumLength: aws.Int32(10), RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: true}}})
	clientID, _ := appClient(t, c, ctx, poolID, nil)
	for _, tc := range []struct{ pw, msg string }{
		{"Sh0rt!", "Password did not conform with policy: Password not long enough"},
		{"alllower0!x", "Password did not conform with policy: Password must have uppercase characters"},
		{"ALLUPPER0!X", "Password did not conform with policy: Password must have lowercase characters"},
		{"NoNumbers!!x", "Password did not conform with policy: Password must have numeric characters"},
		{"NoSymbols00x", "Password did not conform with policy: Password must have symbol characters"},
	} {
		_, err := c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(clientID), Username: aws.String("ken"), Password: aws.String(tc.pw)})
		wantErr[*types.InvalidPasswordException](t, err, tc.msg)
	}
	if _, err := c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(clientID), Username: aws.String("ken"), Password: aws.String("Long3nough^")}); err != nil {
		t.Fatal(err)
	}
	if u := getUser(t, c, ctx, poolID, "ken"); u.status != types.UserStatusTypeUnconfirmed {
		t.Errorf("ken is %s", u.status)
	}
}

func TestSignUpCodeExpiresAfterADay(t *testing.T) {
	clk := testserver.NewClock(time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC))
	srv := testserver.Start(t, testserver.WithClock(clk))
	c, ctx := srv.Client(), testserver.Ctx(t)
	poolID := emailPool(t, c, ctx)
	clientID, _ := appClient(t, c, ctx, poolID, nil)

	signUp(t, c, ctx, clientID, "leo", "leo@example.com")
	first := latestCode(t, srv, ctx, poolID, "leo")
	clk.Advance(24*time.Hour + time.Minute)
	err := confirmSignUp(c, ctx, clientID, "leo", first)
	wantErr[*types.ExpiredCodeException](t, err, "Invalid code provided, please request a code again.")

	out, err := c.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(clientID), Username: aws.String("leo")})
	if err != nil {
		t.Fatal(err)
	}
	wantDelivery(t, out.CodeDeliveryDetails, types.DeliveryMediumTypeEmail, "email", "l***@e***")
	second := latestCode(t, srv, ctx, poolID, "leo")
	if second != first {
		// The replaced code no longer works (unless chance repeated it).
		err = confirmSignUp(c, ctx, clientID, "leo", first)
		wantErr[*types.CodeMismatchException](t, err, "Invalid verification code provided, please try again.")
	}
	clk.Advance(23 * time.Hour)
	if err := confirmSignUp(c, ctx, clientID, "leo", second); err != nil {
		t.Fatalf("a code 23 hours old: %v", err)
	}
}

func TestSignUpConfirmAttemptsAreLimited(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	poolID := emailPool(t, c, ctx)
	clientID, _ := appClient(t, c, ctx, poolID, nil)
	signUp(t, c, ctx, clientID, "mia", "mia@example.com")
	code := latestCode(t, srv, ctx, poolID, "mia")

	failures := 0
	for ; failures < 20; failures++ {
		err := confirmSignUp(c, ctx, clientID, "mia", otherCode(code))
		var tooMany *types.TooManyFailedAttemptsException
		if errors.As(err, &tooMany) {
			break
		}
		wantErr[*types.CodeMismatchException](t, err, "Invalid verification code provided, please try again.")
	}
	if failures == 0 || failures == 20 {
		t.Fatalf("TooManyFailedAttemptsException after %d wrong codes", failures)
	}
	// Now even the right code is refused, until a new one is sent.
	err := confirmSignUp(c, ctx, clientID, "mia", code)
	wantErr[*types.TooManyFailedAttemptsException](t, err, "")
	if _, err := c.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(clientID), Username: aws.String("mia")}); err != nil {
		t.Fatal(err)
	}
	if err := confirmSignUp(c, ctx, clientID, "mia", latestCode(t, srv, ctx, poolID, "mia")); err != nil {
		t.Fatal(err)
	}
}

// Concurrent wrong guesses must not get more attempts than one caller gets.
func TestSignUpConfirmAttemptsUnderConcurrency(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	poolID := emailPool(t, c, ctx)
	clientID, _ := appClient(t, c, ctx, poolID, nil)
	signUp(t, c, ctx, clientID, "nina", "nina@example.com")
	code := latestCode(t, srv, ctx, poolID, "nina")

	var mu sync.Mutex
	mismatches := 0
	var wg sync.WaitGroup
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := confirmSignUp(c, ctx, clientID, "nina", otherCode(code))
			var mm *types.CodeMismatchException
			if errors.As(err, &mm) {
				mu.Lock()
				mismatches++
				mu.Unlock()
			} else if !errors.As(err, new(*types.TooManyFailedAttemptsException)) {
				t.Errorf("wrong code: %v", err)
			}
		}()
	}
	wg.Wait()
	err := confirmSignUp(c, ctx, clientID, "nina", otherCode(code))
	wantErr[*types.TooManyFailedAttemptsException](t, err, "")
	if mismatches == 0 || mismatches > 5 {
		t.Errorf("%d concurrent wrong codes were judged before the limit", mismatches)
	}
}

func TestSignUpForceAliasCreation(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	poolID := userPool(t, c, ctx, &cip.CreateUserPoolInput{
		AliasAttributes:        []types.AliasAttributeType{types.AliasAttributeTypeEmail},
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
	})
	clientID, _ := appClient(t, c, ctx, poolID, nil)

	_, err := c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(clientID), Username: aws.String("olga@example.com"), Password: aws.String(signUpPassword)})
	wantErr[*types.InvalidParameterException](t, err, "Username cannot be of email format, since user pool is configured for email alias.")

	signUp(t, c, ctx, clientID, "olga", "shared@example.com")
	if err := confirmSignUp(c, ctx, clientID, "olga", latestCode(t, srv, ctx, poolID, "olga")); err != nil {
		t.Fatal(err)
	}
	// The address is olga's alias now: it finds her.
	if u := getUser(t, c, ctx, poolID, "shared@example.com"); u.attrs["sub"] == "" || u.attrs["email_verified"] != "true" {
		t.Fatalf("by alias: %+v", u)
	}

	// An unverified address is no alias, so peter may sign up with it …
	signUp(t, c, ctx, clientID, "peter", "shared@example.com")
	code := latestCode(t, srv, ctx, poolID, "peter")
	// … but confirming would verify it while olga holds it.
	err = confirmSignUp(c, ctx, clientID, "peter", code)
	wantErr[*types.AliasExistsException](t, err, "An account with the given email already exists.")
	if u := getUser(t, c, ctx, poolID, "peter"); u.status != types.UserStatusTypeUnconfirmed {
		t.Errorf("peter is %s after the refused confirmation", u.status)
	}

	// The refusal did not spend the code: ForceAliasCreation moves the alias.
	if _, err := c.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: aws.String(clientID), Username: aws.String("peter"),
		ConfirmationCode: aws.String(code), ForceAliasCreation: true}); err != nil {
		t.Fatal(err)
	}
	peter, olga := getUser(t, c, ctx, poolID, "peter"), getUser(t, c, ctx, poolID, "olga")
	if peter.status != types.UserStatusTypeConfirmed || peter.attrs["email_verified"] != "true" {
		t.Errorf("peter %+v", peter)
	}
	if olga.attrs["email_verified"] != "false" || olga.attrs["email"] != "shared@example.com" {
		t.Errorf("olga %+v", olga)
	}
	if u := getUser(t, c, ctx, poolID, "shared@example.com"); u.attrs["sub"] != peter.attrs["sub"] {
		t.Errorf("the alias finds %s, want peter %s", u.attrs["sub"], peter.attrs["sub"])
	}
}

func TestSignUpBySMS(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	poolID := userPool(t, c, ctx, &cip.CreateUserPoolInput{
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypePhoneNumber, types.VerifiedAttributeTypeEmail},
		SmsVerificationMessage: aws.String("{username}, your code is {####}"),
	})
	clientID, _ := appClient(t, c, ctx, poolID, nil)
	out, err := c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(clientID), Username: aws.String("quinn"), Password: aws.String(signUpPassword),
		UserAttributes: []types.AttributeType{
			{Name: aws.String("email"), Value: aws.String("quinn@example.com")},
			{Name: aws.String("phone_number"), Value: aws.String("+15555551234")},
		}})
	if err != nil {
		t.Fatal(err)
	}
	// With both, Cognito texts the phone.
	wantDelivery(t, out.CodeDeliveryDetails, types.DeliveryMediumTypeSms, "phone_number", "+*******1234")
	msgs, err := srv.Outbox().ListAll(ctx, outbox.Query{UserPoolID: poolID, Destination: "+15555551234"})
	if err != nil || len(msgs) != 1 {
		t.Fatalf("outbox: %v %+v", err, msgs)
	}
	if m := msgs[0]; m.Medium != "SMS" || m.Subject != "" || m.Body != "quinn, your code is "+m.Code || m.Kind != "SIGN_UP_CODE" {
		t.Errorf("message %+v", m)
	}
	if err := confirmSignUp(c, ctx, clientID, "quinn", msgs[0].Code); err != nil {
		t.Fatal(err)
	}
	u := getUser(t, c, ctx, poolID, "quinn")
	if u.attrs["phone_number_verified"] != "true" || u.attrs["email_verified"] == "true" {
		t.Errorf("the code went by SMS, so only the phone is verified: %+v", u)
	}
}

func TestSignUpMessageTemplates(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)

	t.Run("code", func(t *testing.T) {
		poolID := userPool(t, c, ctx, &cip.CreateUserPoolInput{
			AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
			VerificationMessageTemplate: &types.VerificationMessageTemplateType{
				EmailSubject: aws.String("Welcome {username}"),
				EmailMessage: aws.String("Hello {username}, enter {####} to finish."),
			},
		})
		clientID, _ := appClient(t, c, ctx, poolID, nil)
		signUp(t, c, ctx, clientID, "rita", "rita@example.com")
		msgs, err := srv.Outbox().ListAll(ctx, outbox.Query{UserPoolID: poolID, Username: "rita"})
		if err != nil || len(msgs) != 1 {
			t.Fatalf("outbox: %v %+v", err, msgs)
		}
		m := msgs[0]
		// Cognito fills {username} in the message; the subject is sent as written.
		if m.Body != "Hello rita, enter "+m.Code+" to finish." {
			t.Errorf("body %q", m.Body)
		}
		if m.Subject != "Welcome {username}" && m.Subject != "Welcome rita" {
			t.Errorf("subject %q", m.Subject)
		}
	})
	t.Run("link", func(t *testing.T) {
		poolID := userPool(t, c, ctx, &cip.CreateUserPoolInput{
			AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
			VerificationMessageTemplate: &types.VerificationMessageTemplateType{
				DefaultEmailOption: types.DefaultEmailOptionTypeConfirmWithLink,
				EmailSubjectByLink: aws.String("Confirm your account"),
				EmailMessageByLink: aws.String("Hi {username}: {##Click here##} to confirm."),
			},
		})
		clientID, _ := appClient(t, c, ctx, poolID, nil)
		signUp(t, c, ctx, clientID, "sam+1", "sam@example.com")
		msgs, err := srv.Outbox().ListAll(ctx, outbox.Query{UserPoolID: poolID, Username: "sam+1"})
		if err != nil || len(msgs) != 1 {
			t.Fatalf("outbox: %v %+v", err, msgs)
		}
		m := msgs[0]
		if m.Subject != "Confirm your account" || !strings.HasPrefix(m.Body, "Hi sam+1: <a href=\"") || !strings.HasSuffix(m.Body, "\">Click here</a> to confirm.") {
			t.Fatalf("message %+v", m)
		}
		href := strings.TrimSuffix(strings.TrimPrefix(m.Body, "Hi sam+1: <a href=\""), "\">Click here</a> to confirm.")
		link, err := url.Parse(strings.ReplaceAll(href, "&amp;", "&"))
		if err != nil {
			t.Fatal(err)
		}
		q := link.Query()
		if q.Get("client_id") != clientID || q.Get("user_name") != "sam+1" || q.Get("confirmation_code") != m.Code || !sixDigits.MatchString(m.Code) {
			t.Errorf("link %s (code %s)", href, m.Code)
		}
		// The code of the link confirms through the API too.
		if err := confirmSignUp(c, ctx, clientID, "sam+1", q.Get("confirmation_code")); err != nil {
			t.Fatal(err)
		}
	})
}

func TestSignUpPreventUserExistenceErrors(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	poolID := emailPool(t, c, ctx)
	legacy, _ := appClient(t, c, ctx, poolID, nil)
	hiding, _ := appClient(t, c, ctx, poolID, hidingUsers)
	signUp(t, c, ctx, legacy, "tom", "tom@example.com")

	// A client without the setting names unknown users.
	err := confirmSignUp(c, ctx, legacy, "nobody", "123456")
	wantErr[*types.UserNotFoundException](t, err, "Username/client id combination not found.")
	_, err = c.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(legacy), Username: aws.String("nobody")})
	wantErr[*types.UserNotFoundException](t, err, "Username/client id combination not found.")

	// One with it answers as for a known user with a wrong code.
	err = confirmSignUp(c, ctx, hiding, "nobody", "123456")
	wantErr[*types.CodeMismatchException](t, err, "Invalid verification code provided, please try again.")
	err = confirmSignUp(c, ctx, hiding, "tom", otherCode(latestCode(t, srv, ctx, poolID, "tom")))
	wantErr[*types.CodeMismatchException](t, err, "Invalid verification code provided, please try again.")

	known, err := c.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(hiding), Username: aws.String("tom")})
	if err != nil {
		t.Fatal(err)
	}
	wantDelivery(t, known.CodeDeliveryDetails, types.DeliveryMediumTypeEmail, "email", "t***@e***")
	unknown, err := c.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(hiding), Username: aws.String("tim")})
	if err != nil {
		t.Fatal(err)
	}
	wantDelivery(t, unknown.CodeDeliveryDetails, types.DeliveryMediumTypeEmail, "email", "t***@t***")
	// Nothing is sent for the unknown user.
	if msgs, err := srv.Outbox().ListAll(ctx, outbox.Query{UserPoolID: poolID, Username: "tim"}); err != nil || len(msgs) != 0 {
		t.Errorf("outbox for an unknown user: %v %+v", err, msgs)
	}

	// A disabled user is answered as an unknown one: no code is sent.
	if _, err := c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(poolID), Username: aws.String("tom")}); err != nil {
		t.Fatal(err)
	}
	before, err := srv.Outbox().ListAll(ctx, outbox.Query{UserPoolID: poolID, Username: "tom"})
	if err != nil {
		t.Fatal(err)
	}
	disabled, err := c.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(hiding), Username: aws.String("tom")})
	if err != nil {
		t.Fatalf("ResendConfirmationCode of a disabled user: %v", err)
	}
	wantDelivery(t, disabled.CodeDeliveryDetails, types.DeliveryMediumTypeEmail, "email", "t***@t***")
	if after, err := srv.Outbox().ListAll(ctx, outbox.Query{UserPoolID: poolID, Username: "tom"}); err != nil || len(after) != len(before) {
		t.Errorf("a code went to a disabled user: %v %d → %d", err, len(before), len(after))
	}
	_, err = c.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: aws.String(legacy), Username: aws.String("tom")})
	wantErr[*types.NotAuthorizedException](t, err, "User is disabled.")
}

func TestSignUpAllowAdminCreateUserOnly(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	poolID := userPool(t, c, ctx, &cip.CreateUserPoolInput{AdminCreateUserConfig: &types.AdminCreateUserConfigType{AllowAdminCreateUserOnly: true}})
	clientID, _ := appClient(t, c, ctx, poolID, nil)
	_, err := c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(clientID), Username: aws.String("uma"), Password: aws.String(signUpPassword)})
	wantErr[*types.NotAuthorizedException](t, err, "SignUp is not permitted for this user pool")
}

// The race: 200 sign-ups of one username at once make exactly one
// user.
func TestSignUpConcurrentSameUsername(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	poolID := emailPool(t, c, ctx)
	clientID, _ := appClient(t, c, ctx, poolID, nil)

	const n = 200
	errs := make([]error, n)
	subs := make([]string, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out, err := c.SignUp(ctx, &cip.SignUpInput{ClientId: aws.String(clientID), Username: aws.String("victor"),
				Password: aws.String(signUpPassword), UserAttributes: emailAttrs(fmt.Sprintf("victor%d@example.com", i))})
			errs[i] = err
			if err == nil {
				subs[i] = aws.ToString(out.UserSub)
			}
		}()
	}
	close(start)
	wg.Wait()

	ok, exists := 0, 0
	winner := ""
	for i, err := range errs {
		var ue *types.UsernameExistsException
		switch {
		case err == nil:
			ok++
			winner = subs[i]
		case errors.As(err, &ue) && aws.ToString(ue.Message) == "User already exists":
			exists++
		default:
			t.Errorf("call %d: %v", i, err)
		}
	}
	if ok != 1 || exists != n-1 {
		t.Fatalf("%d successes and %d UsernameExistsException, want 1 and %d", ok, exists, n-1)
	}
	list, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(poolID)})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Users) != 1 || aws.ToString(list.Users[0].Username) != "victor" {
		t.Fatalf("ListUsers shows %d users: %+v", len(list.Users), list.Users)
	}
	if u := getUser(t, c, ctx, poolID, "victor"); u.attrs["sub"] != winner {
		t.Errorf("stored sub %s, the successful SignUp answered %s", u.attrs["sub"], winner)
	}
	// Only the winner's code was sent.
	msgs, err := srv.Outbox().ListAll(ctx, outbox.Query{UserPoolID: poolID})
	if err != nil || len(msgs) != 1 {
		t.Errorf("outbox: %v, %d messages", err, len(msgs))
	}
}

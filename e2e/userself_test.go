package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitod/cognitod/internal/outbox"
	"github.com/cognitod/cognitod/internal/testserver"
)

// The operations a signed-in user calls with an access token, end to end
// through aws-sdk-go-v2. Users are made by an administrator (AdminCreateUser,
// AdminSetUserPassword Permanent) and signed in with ADMIN_USER_PASSWORD_AUTH.

const (
	selfPassword = "Passw0rd!"
	selfNewPass  = "N3w-Passw0rd"
)

// selfEnv is one server with one pool.
type selfEnv struct {
	srv  *testserver.Server
	c    *cip.Client
	ctx  context.Context
	pool string
}

// selfStart starts a server (with opts) and creates a pool from in.
func selfStart(t *testing.T, in *cip.CreateUserPoolInput, opts ...testserver.Option) *selfEnv {
	t.Helper()
	srv := testserver.Start(t, opts...)
	e := &selfEnv{srv: srv, c: srv.Client(), ctx: testserver.Ctx(t)}
	if in == nil {
		in = &cip.CreateUserPoolInput{}
	}
	e.pool = userPool(t, e.c, e.ctx, in)
	return e
}

// selfClient creates an app client that allows ADMIN_USER_PASSWORD_AUTH;
// edit changes the request first.
func (e *selfEnv) selfClient(t *testing.T, edit func(*cip.CreateUserPoolClientInput)) string {
	t.Helper()
	id, _ := appClient(t, e.c, e.ctx, e.pool, func(in *cip.CreateUserPoolClientInput) {
		in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}
		if edit != nil {
			edit(in)
		}
	})
	return id
}

// selfUser creates a confirmed user with selfPassword and attributes given as
// name, value pairs.
func (e *selfEnv) selfUser(t *testing.T, username string, kv ...string) {
	t.Helper()
	_, err := e.c.AdminCreateUser(e.ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(e.pool), Username: aws.String(username),
		UserAttributes: uaAttrs(kv...), MessageAction: types.MessageActionTypeSuppress})
	if err != nil {
		t.Fatalf("AdminCreateUser %s: %v", username, err)
	}
	_, err = e.c.AdminSetUserPassword(e.ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(e.pool), Username: aws.String(username),
		Password: aws.String(selfPassword), Permanent: true})
	if err != nil {
		t.Fatalf("AdminSetUserPassword %s: %v", username, err)
	}
}

// selfTrySignIn signs in with ADMIN_USER_PASSWORD_AUTH and returns the
// access token.
func (e *selfEnv) selfTrySignIn(client, username, pw string) (string, error) {
	out, err := e.c.AdminInitiateAuth(e.ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(e.pool), ClientId: aws.String(client),
		AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": username, "PASSWORD": pw}})
	if err != nil {
		return "", err
	}
	if out.AuthenticationResult == nil {
		return "", &types.InternalErrorException{Message: aws.String("no AuthenticationResult (challenge " + string(out.ChallengeName) + ")")}
	}
	return aws.ToString(out.AuthenticationResult.AccessToken), nil
}

func (e *selfEnv) selfSignIn(t *testing.T, client, username, pw string) string {
	t.Helper()
	tok, err := e.selfTrySignIn(client, username, pw)
	if err != nil {
		t.Fatalf("sign-in of %s: %v", username, err)
	}
	return tok
}

// selfGet is GetUser's attributes as a map.
func (e *selfEnv) selfGet(t *testing.T, tok string) map[string]string {
	t.Helper()
	out, err := e.c.GetUser(e.ctx, &cip.GetUserInput{AccessToken: aws.String(tok)})
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	return uaAttrMap(out.UserAttributes)
}

func (e *selfEnv) selfUpdate(tok string, kv ...string) (*cip.UpdateUserAttributesOutput, error) {
	return e.c.UpdateUserAttributes(e.ctx, &cip.UpdateUserAttributesInput{AccessToken: aws.String(tok), UserAttributes: uaAttrs(kv...)})
}

func (e *selfEnv) selfSendCode(tok, attr string) (*cip.GetUserAttributeVerificationCodeOutput, error) {
	return e.c.GetUserAttributeVerificationCode(e.ctx, &cip.GetUserAttributeVerificationCodeInput{AccessToken: aws.String(tok), AttributeName: aws.String(attr)})
}

func (e *selfEnv) selfVerify(tok, attr, code string) error {
	_, err := e.c.VerifyUserAttribute(e.ctx, &cip.VerifyUserAttributeInput{AccessToken: aws.String(tok), AttributeName: aws.String(attr), Code: aws.String(code)})
	return err
}

func (e *selfEnv) selfChange(tok, prev, proposed string) error {
	_, err := e.c.ChangePassword(e.ctx, &cip.ChangePasswordInput{AccessToken: aws.String(tok), PreviousPassword: aws.String(prev), ProposedPassword: aws.String(proposed)})
	return err
}

// selfLastMessage is the newest message sent to dest.
func (e *selfEnv) selfLastMessage(t *testing.T, dest string) outbox.Message {
	t.Helper()
	ms, err := e.srv.Outbox().ListAll(e.ctx, outbox.Query{UserPoolID: e.pool, Destination: dest})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 {
		t.Fatalf("no message to %s", dest)
	}
	return ms[len(ms)-1]
}

func (e *selfEnv) selfMessageCount(t *testing.T, dest string) int {
	t.Helper()
	ms, err := e.srv.Outbox().ListAll(e.ctx, outbox.Query{UserPoolID: e.pool, Destination: dest})
	if err != nil {
		t.Fatal(err)
	}
	return len(ms)
}

// selfWant checks attribute values; "" wants the attribute absent.
func selfWant(t *testing.T, got map[string]string, kv ...string) {
	t.Helper()
	for i := 0; i+1 < len(kv); i += 2 {
		v, ok := got[kv[i]]
		switch {
		case kv[i+1] == "" && ok:
			t.Errorf("%s = %q, want it absent", kv[i], v)
		case kv[i+1] != "" && v != kv[i+1]:
			t.Errorf("%s = %q, want %q", kv[i], v, kv[i+1])
		}
	}
}

func TestSelfGetUser(t *testing.T) {
	e := selfStart(t, nil)
	limited := e.selfClient(t, func(in *cip.CreateUserPoolClientInput) {
		in.ReadAttributes = []string{"email", "name"}
	})
	open := e.selfClient(t, nil)
	e.selfUser(t, "gus", "email", "gus@example.com", "name", "Gus", "family_name", "Grey")

	// A client that names ReadAttributes sees those, and the sub always.
	tok := e.selfSignIn(t, limited, "gus", selfPassword)
	out, err := e.c.GetUser(e.ctx, &cip.GetUserInput{AccessToken: aws.String(tok)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Username) != "gus" {
		t.Errorf("Username %q", aws.ToString(out.Username))
	}
	got := uaAttrMap(out.UserAttributes)
	if len(got) != 3 || got["sub"] == "" || got["email"] != "gus@example.com" || got["name"] != "Gus" {
		t.Errorf("limited client reads %v, want sub, email and name", got)
	}

	// A client without ReadAttributes reads everything.
	got = e.selfGet(t, e.selfSignIn(t, open, "gus", selfPassword))
	selfWant(t, got, "email", "gus@example.com", "name", "Gus", "family_name", "Grey")
	if got["sub"] == "" {
		t.Error("no sub")
	}

	// Members with nothing to report are not on the wire at all.
	status, raw := uaRaw(t, e.srv, "GetUser", map[string]string{"AccessToken": tok})
	if status != 200 {
		t.Fatalf("GetUser answered %d: %v", status, raw)
	}
	for _, m := range []string{"MFAOptions", "PreferredMfaSetting", "UserMFASettingList"} {
		if _, ok := raw[m]; ok {
			t.Errorf("GetUser sent %s: %v", m, raw[m])
		}
	}
}

func TestSelfUpdateUserAttributes(t *testing.T) {
	e := selfStart(t, &cip.CreateUserPoolInput{
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		Schema: []types.SchemaAttributeType{
			{Name: aws.String("tier"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(false)},
			{Name: aws.String("secret"), AttributeDataType: types.AttributeDataTypeString, DeveloperOnlyAttribute: aws.Bool(true)},
			{Name: aws.String("email"), AttributeDataType: types.AttributeDataTypeString, Required: aws.Bool(true), Mutable: aws.Bool(true)},
		},
	})
	writer := e.selfClient(t, func(in *cip.CreateUserPoolClientInput) {
		in.WriteAttributes = []string{"name", "email"}
	})
	open := e.selfClient(t, nil)
	e.selfUser(t, "uma", "email", "uma@example.com", "email_verified", "true", "custom:tier", "gold")
	tok := e.selfSignIn(t, writer, "uma", selfPassword)
	before := uaSnap(t, e.ctx, e.c, e.pool, "uma")

	// Refusals change nothing.
	_, err := e.selfUpdate(tok, "family_name", "Ure")
	wantErr[*types.NotAuthorizedException](t, err, "A client attempted to write unauthorized attribute")
	_, err = e.selfUpdate(tok, "name", "Uma", "family_name", "Ure")
	wantErr[*types.NotAuthorizedException](t, err, "A client attempted to write unauthorized attribute")
	openTok := e.selfSignIn(t, open, "uma", selfPassword)
	for _, attr := range []string{"email_verified", "phone_number_verified"} {
		// Not even a client that may write anything marks its own
		// address verified.
		_, err = e.selfUpdate(openTok, attr, "true")
		wantErr[*types.NotAuthorizedException](t, err, "A client attempted to write unauthorized attribute")
	}
	// A developer-only attribute is for administrators.
	_, err = e.selfUpdate(openTok, "dev:custom:secret", "x")
	wantErr[*types.NotAuthorizedException](t, err, "A client attempted to write unauthorized attribute")
	_, err = e.selfUpdate(openTok, "custom:nope", "x")
	wantErr[*types.InvalidParameterException](t, err, "Attributes did not conform to the schema: Type for attribute {custom:nope} could not be determined")
	_, err = e.selfUpdate(openTok, "custom:tier", "silver")
	wantErr[*types.InvalidParameterException](t, err, "user.custom:tier: Attribute cannot be updated.")
	_, err = e.selfUpdate(openTok, "sub", "x")
	wantErr[*types.InvalidParameterException](t, err, "user.sub: Attribute cannot be updated.")
	_, err = e.selfUpdate(openTok, "email", "")
	wantErr[*types.InvalidParameterException](t, err, "user.email: Required attribute cannot be deleted.")
	_, err = e.selfUpdate(openTok, "email", "not-an-address")
	wantErr[*types.InvalidParameterException](t, err, "Invalid email address format.")
	uaUnchanged(t, e.ctx, e.c, e.pool, "uma", before)

	// A plain attribute: no code.
	out, err := e.selfUpdate(tok, "name", "Uma")
	if err != nil {
		t.Fatal(err)
	}
	if len(out.CodeDeliveryDetailsList) != 0 {
		t.Errorf("codes sent for a name: %+v", out.CodeDeliveryDetailsList)
	}
	selfWant(t, e.selfGet(t, tok), "name", "Uma", "email", "uma@example.com", "email_verified", "true")

	// The same email again: nothing to verify.
	out, err = e.selfUpdate(tok, "email", "uma@example.com")
	if err != nil || len(out.CodeDeliveryDetailsList) != 0 {
		t.Fatalf("the same email: %v, %+v", err, out)
	}
	selfWant(t, e.selfGet(t, tok), "email_verified", "true")

	// A new email is unverified and gets a code (the pool auto-verifies).
	out, err = e.selfUpdate(tok, "email", "uma@new.example")
	if err != nil {
		t.Fatal(err)
	}
	if len(out.CodeDeliveryDetailsList) != 1 {
		t.Fatalf("CodeDeliveryDetailsList %+v", out.CodeDeliveryDetailsList)
	}
	wantDelivery(t, &out.CodeDeliveryDetailsList[0], types.DeliveryMediumTypeEmail, "email", "u***@n***")
	selfWant(t, e.selfGet(t, tok), "email", "uma@new.example", "email_verified", "false")
	m := e.selfLastMessage(t, "uma@new.example")
	if m.Kind != "VERIFY_ATTRIBUTE_CODE" || !sixDigits.MatchString(m.Code) {
		t.Fatalf("message %+v", m)
	}
	if err := e.selfVerify(tok, "email", m.Code); err != nil {
		t.Fatal(err)
	}
	selfWant(t, e.selfGet(t, tok), "email", "uma@new.example", "email_verified", "true")

	// The answer is on the wire as CodeDeliveryDetailsList, and empty
	// lists stay off it.
	status, raw := uaRaw(t, e.srv, "UpdateUserAttributes", map[string]any{"AccessToken": tok,
		"UserAttributes": []map[string]string{{"Name": "name", "Value": "U."}}})
	if status != 200 || len(raw) != 0 {
		t.Errorf("a name change answered %d %v, want {}", status, raw)
	}
}

// A pool without auto-verification takes the new address unverified and
// sends nothing: the user asks for a code.
func TestSelfUpdateWithoutAutoVerify(t *testing.T) {
	e := selfStart(t, nil)
	client := e.selfClient(t, nil)
	e.selfUser(t, "vic", "email", "vic@example.com", "email_verified", "true")
	tok := e.selfSignIn(t, client, "vic", selfPassword)
	out, err := e.selfUpdate(tok, "email", "vic@new.example", "phone_number", "+15550100")
	if err != nil {
		t.Fatal(err)
	}
	if len(out.CodeDeliveryDetailsList) != 0 || e.selfMessageCount(t, "vic@new.example") != 0 {
		t.Errorf("codes sent without AutoVerifiedAttributes: %+v", out.CodeDeliveryDetailsList)
	}
	selfWant(t, e.selfGet(t, tok), "email", "vic@new.example", "email_verified", "false", "phone_number", "+15550100", "phone_number_verified", "false")

	sent, err := e.selfSendCode(tok, "phone_number")
	if err != nil {
		t.Fatal(err)
	}
	wantDelivery(t, sent.CodeDeliveryDetails, types.DeliveryMediumTypeSms, "phone_number", "+****0100")
	m := e.selfLastMessage(t, "+15550100")
	if m.Medium != "SMS" || m.Kind != "VERIFY_ATTRIBUTE_CODE" {
		t.Fatalf("message %+v", m)
	}
	if err := e.selfVerify(tok, "phone_number", m.Code); err != nil {
		t.Fatal(err)
	}
	selfWant(t, e.selfGet(t, tok), "phone_number_verified", "true", "email_verified", "false")
}

// AttributesRequireVerificationBeforeUpdate: the verified address stays until
// the new one is verified, and signs the user in meanwhile.
func TestSelfKeepOriginalUntilVerified(t *testing.T) {
	e := selfStart(t, &cip.CreateUserPoolInput{
		AliasAttributes:        []types.AliasAttributeType{types.AliasAttributeTypeEmail},
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		UserAttributeUpdateSettings: &types.UserAttributeUpdateSettingsType{
			AttributesRequireVerificationBeforeUpdate: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
		},
	})
	client := e.selfClient(t, nil)
	e.selfUser(t, "kim", "email", "kim@old.example", "email_verified", "true")
	tok := e.selfSignIn(t, client, "kim", selfPassword)

	out, err := e.selfUpdate(tok, "email", "kim@new.example", "name", "Kim")
	if err != nil {
		t.Fatal(err)
	}
	if len(out.CodeDeliveryDetailsList) != 1 {
		t.Fatalf("CodeDeliveryDetailsList %+v", out.CodeDeliveryDetailsList)
	}
	wantDelivery(t, &out.CodeDeliveryDetailsList[0], types.DeliveryMediumTypeEmail, "email", "k***@n***")
	first := e.selfLastMessage(t, "kim@new.example").Code
	// The other attributes of the request apply at once; the email waits.
	selfWant(t, e.selfGet(t, tok), "email", "kim@old.example", "email_verified", "true", "name", "Kim")
	e.selfSignIn(t, client, "kim@old.example", selfPassword)
	if _, err := e.selfTrySignIn(client, "kim@new.example", selfPassword); err == nil {
		t.Error("the unverified address signs in")
	}

	// A new code goes to the waiting address and replaces the first.
	sent, err := e.selfSendCode(tok, "email")
	if err != nil {
		t.Fatal(err)
	}
	wantDelivery(t, sent.CodeDeliveryDetails, types.DeliveryMediumTypeEmail, "email", "k***@n***")
	if n := e.selfMessageCount(t, "kim@old.example"); n != 0 {
		t.Errorf("%d messages to the old address", n)
	}
	second := e.selfLastMessage(t, "kim@new.example").Code
	if first != second {
		// The first code is now just a wrong one.
		wantErr[*types.CodeMismatchException](t, e.selfVerify(tok, "email", first), "Invalid verification code provided, please try again.")
	}
	wantErr[*types.CodeMismatchException](t, e.selfVerify(tok, "email", otherCode(second)), "Invalid verification code provided, please try again.")
	selfWant(t, e.selfGet(t, tok), "email", "kim@old.example")

	if err := e.selfVerify(tok, "email", second); err != nil {
		t.Fatal(err)
	}
	selfWant(t, e.selfGet(t, tok), "email", "kim@new.example", "email_verified", "true")
	e.selfSignIn(t, client, "kim@new.example", selfPassword)
	_, err = e.selfTrySignIn(client, "kim@old.example", selfPassword)
	wantErr[*types.UserNotFoundException](t, err, "User does not exist.")
	// The code is spent.
	wantErr[*types.ExpiredCodeException](t, e.selfVerify(tok, "email", second), "Invalid code provided, please request a code again.")
}

func TestSelfVerifyUserAttribute(t *testing.T) {
	clock := testserver.NewClock(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	e := selfStart(t, nil, testserver.WithClock(clock))
	client := e.selfClient(t, nil)
	e.selfUser(t, "ava", "email", "ava@example.com")
	tok := e.selfSignIn(t, client, "ava", selfPassword)

	_, err := e.selfSendCode(tok, "name")
	wantErr[*types.InvalidParameterException](t, err, "Invalid attribute name. Only phone_number and email can be verified.")
	wantErr[*types.InvalidParameterException](t, e.selfVerify(tok, "name", "123456"), "Invalid attribute name. Only phone_number and email can be verified.")
	_, err = e.selfSendCode(tok, "phone_number")
	wantErr[*types.InvalidParameterException](t, err, "User does not have a valid registered phone number")
	wantErr[*types.InvalidParameterException](t, e.selfVerify(tok, "phone_number", "123456"), "Unable to verify attribute: phone_number no value set to verify")
	// No code was sent yet.
	wantErr[*types.ExpiredCodeException](t, e.selfVerify(tok, "email", "123456"), "Invalid code provided, please request a code again.")

	before := uaSnap(t, e.ctx, e.c, e.pool, "ava")
	sent, err := e.selfSendCode(tok, "email")
	if err != nil {
		t.Fatal(err)
	}
	wantDelivery(t, sent.CodeDeliveryDetails, types.DeliveryMediumTypeEmail, "email", "a***@e***")
	code := e.selfLastMessage(t, "ava@example.com").Code

	// Five wrong codes are answered as wrong; then the code is spent for
	// good, the right one included, until a new one is sent.
	for i := 0; i < 5; i++ {
		wantErr[*types.CodeMismatchException](t, e.selfVerify(tok, "email", otherCode(code)), "Invalid verification code provided, please try again.")
	}
	wantErr[*types.LimitExceededException](t, e.selfVerify(tok, "email", code), "Attempt limit exceeded, please try after some time.")
	// Neither the code nor the wrong guesses show on the user.
	uaUnchanged(t, e.ctx, e.c, e.pool, "ava", before)

	if _, err := e.selfSendCode(tok, "email"); err != nil {
		t.Fatal(err)
	}
	code = e.selfLastMessage(t, "ava@example.com").Code
	if err := e.selfVerify(tok, "email", code); err != nil {
		t.Fatal(err)
	}
	selfWant(t, e.selfGet(t, tok), "email", "ava@example.com", "email_verified", "true")

	// A code lives 24 hours. The access token does not: sign in again.
	if _, err := e.selfSendCode(tok, "email"); err != nil {
		t.Fatal(err)
	}
	code = e.selfLastMessage(t, "ava@example.com").Code
	clock.Advance(24*time.Hour + time.Second)
	tok = e.selfSignIn(t, client, "ava", selfPassword)
	wantErr[*types.ExpiredCodeException](t, e.selfVerify(tok, "email", code), "Invalid code provided, please request a code again.")
}

// Verifying an address makes it a sign-in alias; another user's verified
// copy refuses that, and the code stays good for later.
func TestSelfVerifyAliasExists(t *testing.T) {
	e := selfStart(t, &cip.CreateUserPoolInput{AliasAttributes: []types.AliasAttributeType{types.AliasAttributeTypeEmail}})
	client := e.selfClient(t, nil)
	e.selfUser(t, "ann", "email", "shared@example.com", "email_verified", "true")
	e.selfUser(t, "bob", "email", "shared@example.com")
	tok := e.selfSignIn(t, client, "bob", selfPassword)
	if _, err := e.selfSendCode(tok, "email"); err != nil {
		t.Fatal(err)
	}
	code, err := e.srv.Outbox().LatestCode(e.ctx, e.pool, "bob")
	if err != nil {
		t.Fatal(err)
	}
	wantErr[*types.AliasExistsException](t, e.selfVerify(tok, "email", code), "An account with the given email already exists.")
	if v := e.selfGet(t, tok)["email_verified"]; v == "true" {
		t.Error("bob's copy was verified")
	}
	if g := uaGet(t, e.ctx, e.c, e.pool, "shared@example.com"); aws.ToString(g.Username) != "ann" {
		t.Errorf("the email finds %s", aws.ToString(g.Username))
	}

	// Once ann gives the address up, bob's code verifies it.
	if _, err := e.c.AdminUpdateUserAttributes(e.ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: aws.String(e.pool), Username: aws.String("ann"),
		UserAttributes: uaAttrs("email", "ann@example.com")}); err != nil {
		t.Fatal(err)
	}
	if err := e.selfVerify(tok, "email", code); err != nil {
		t.Fatal(err)
	}
	selfWant(t, e.selfGet(t, tok), "email_verified", "true")
	e.selfSignIn(t, client, "shared@example.com", selfPassword)
	if g := uaGet(t, e.ctx, e.c, e.pool, "shared@example.com"); aws.ToString(g.Username) != "bob" {
		t.Errorf("the email finds %s", aws.ToString(g.Username))
	}
}

// In a pool that signs users in by email, the email is unique whether
// verified or not: taking another user's is refused at once.
func TestSelfUpdateEmailUsername(t *testing.T) {
	e := selfStart(t, &cip.CreateUserPoolInput{UsernameAttributes: []types.UsernameAttributeType{types.UsernameAttributeTypeEmail}})
	client := e.selfClient(t, nil)
	e.selfUser(t, "cat@example.com", "email", "cat@example.com")
	e.selfUser(t, "dan@example.com", "email", "dan@example.com")
	tok := e.selfSignIn(t, client, "dan@example.com", selfPassword)
	_, err := e.selfUpdate(tok, "email", "CAT@example.com")
	uaWantCode(t, "AliasExistsException", err, "An account with the given email already exists.")
	selfWant(t, e.selfGet(t, tok), "email", "dan@example.com")
}

func TestSelfDeleteUserAttributes(t *testing.T) {
	e := selfStart(t, &cip.CreateUserPoolInput{
		Schema: []types.SchemaAttributeType{
			{Name: aws.String("badge"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(false)},
			{Name: aws.String("team"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true)},
			{Name: aws.String("email"), AttributeDataType: types.AttributeDataTypeString, Required: aws.Bool(true), Mutable: aws.Bool(true)},
		},
	})
	writer := e.selfClient(t, func(in *cip.CreateUserPoolClientInput) {
		// A client must be able to write the required attributes.
		in.WriteAttributes = []string{"email", "name", "custom:team"}
	})
	open := e.selfClient(t, nil)
	e.selfUser(t, "dee", "email", "dee@example.com", "name", "Dee", "family_name", "Dale", "custom:team", "red", "custom:badge", "b1")
	tok := e.selfSignIn(t, writer, "dee", selfPassword)
	openTok := e.selfSignIn(t, open, "dee", selfPassword)
	del := func(tok string, names ...string) error {
		_, err := e.c.DeleteUserAttributes(e.ctx, &cip.DeleteUserAttributesInput{AccessToken: aws.String(tok), UserAttributeNames: names})
		return err
	}

	before := uaSnap(t, e.ctx, e.c, e.pool, "dee")
	wantErr[*types.NotAuthorizedException](t, del(tok, "family_name"), "A client attempted to write unauthorized attribute")
	wantErr[*types.NotAuthorizedException](t, del(tok, "name", "family_name"), "A client attempted to write unauthorized attribute")
	wantErr[*types.InvalidParameterException](t, del(openTok, "email"), "user.email: Required attribute cannot be deleted.")
	wantErr[*types.InvalidParameterException](t, del(openTok, "custom:badge"), "user.custom:badge: Attribute cannot be updated.")
	wantErr[*types.InvalidParameterException](t, del(openTok, "sub"), "user.sub: Attribute cannot be updated.")
	wantErr[*types.InvalidParameterException](t, del(openTok, "custom:nope"), "Attributes did not conform to the schema: Type for attribute {custom:nope} could not be determined")
	uaUnchanged(t, e.ctx, e.c, e.pool, "dee", before)

	if err := del(tok, "name", "custom:team"); err != nil {
		t.Fatal(err)
	}
	selfWant(t, e.selfGet(t, tok), "name", "", "custom:team", "", "family_name", "Dale", "email", "dee@example.com", "custom:badge", "b1")
	// Removing what is not there is no error.
	if err := del(tok, "name"); err != nil {
		t.Fatal(err)
	}
}

func TestSelfDeleteUser(t *testing.T) {
	e := selfStart(t, nil)
	client := e.selfClient(t, nil)
	e.selfUser(t, "eve", "email", "eve@example.com")
	e.selfUser(t, "fay")
	tok := e.selfSignIn(t, client, "eve", selfPassword)
	other := e.selfSignIn(t, client, "fay", selfPassword)

	if _, err := e.c.DeleteUser(e.ctx, &cip.DeleteUserInput{AccessToken: aws.String(tok)}); err != nil {
		t.Fatal(err)
	}
	_, err := e.c.AdminGetUser(e.ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(e.pool), Username: aws.String("eve")})
	wantErr[*types.UserNotFoundException](t, err, "User does not exist.")
	// The deleted user's sessions went with it. Which words Cognito uses
	// for that token is not pinned down here (cognitod: "Access Token has
	// been revoked"); that it is refused is.
	_, err = e.c.GetUser(e.ctx, &cip.GetUserInput{AccessToken: aws.String(tok)})
	wantErr[*types.NotAuthorizedException](t, err, "")
	_, err = e.c.DeleteUser(e.ctx, &cip.DeleteUserInput{AccessToken: aws.String(tok)})
	wantErr[*types.NotAuthorizedException](t, err, "")
	_, err = e.selfTrySignIn(client, "eve", selfPassword)
	wantErr[*types.UserNotFoundException](t, err, "User does not exist.")
	// Nobody else is touched.
	if g := e.selfGet(t, other); g["sub"] == "" {
		t.Error("fay has no sub")
	}
}

func TestSelfChangePassword(t *testing.T) {
	clock := testserver.NewClock(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	e := selfStart(t, &cip.CreateUserPoolInput{Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{
		MinimumLength: aws.Int32(8), RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, PasswordHistorySize: aws.Int32(2),
	}}}, testserver.WithClock(clock))
	client := e.selfClient(t, nil)
	e.selfUser(t, "hal")
	tok := e.selfSignIn(t, client, "hal", selfPassword)

	wantErr[*types.NotAuthorizedException](t, e.selfChange(tok, "Wr0ng-pass", selfNewPass), "Incorrect username or password.")
	wantErr[*types.InvalidPasswordException](t, e.selfChange(tok, selfPassword, "Sh0rt"), "Password does not conform to policy: Password not long enough")
	wantErr[*types.InvalidPasswordException](t, e.selfChange(tok, selfPassword, "n0uppercase"), "Password does not conform to policy: Password must have uppercase characters")
	wantErr[*types.PasswordHistoryPolicyViolationException](t, e.selfChange(tok, selfPassword, selfPassword), "")

	if err := e.selfChange(tok, selfPassword, selfNewPass); err != nil {
		t.Fatal(err)
	}
	_, err := e.selfTrySignIn(client, "hal", selfPassword)
	wantErr[*types.NotAuthorizedException](t, err, "Incorrect username or password.")
	tok2 := e.selfSignIn(t, client, "hal", selfNewPass)
	// Changing the password signs nobody out.
	e.selfGet(t, tok)
	// The previous password is now history (PasswordHistorySize 2: the
	// current one and one before).
	wantErr[*types.PasswordHistoryPolicyViolationException](t, e.selfChange(tok2, selfNewPass, selfPassword), "")
	wantErr[*types.NotAuthorizedException](t, e.selfChange(tok2, selfPassword, "Th1rd-pass"), "Incorrect username or password.")

	// Wrong previous passwords count towards the sign-in lockout: the
	// fifth failure in a row (the one above was the first) locks the user
	// out for a second, ChangePassword answers LimitExceededException
	// meanwhile, the right password included, and sign-in is refused.
	for i := 0; i < 4; i++ {
		wantErr[*types.NotAuthorizedException](t, e.selfChange(tok2, "Wr0ng-pass", "Th1rd-pass"), "Incorrect username or password.")
	}
	wantErr[*types.LimitExceededException](t, e.selfChange(tok2, selfNewPass, "Th1rd-pass"), "Attempt limit exceeded, please try after some time.")
	_, err = e.selfTrySignIn(client, "hal", selfNewPass)
	wantErr[*types.NotAuthorizedException](t, err, "Password attempts exceeded")
	clock.Advance(2 * time.Second)
	if err := e.selfChange(tok2, selfNewPass, "Th1rd-pass"); err != nil {
		t.Fatal(err)
	}
	e.selfSignIn(t, client, "hal", "Th1rd-pass")
}

// Every access-token operation refuses a token it cannot trust, in the same
// words.
func TestSelfBadTokens(t *testing.T) {
	clock := testserver.NewClock(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	e := selfStart(t, nil, testserver.WithClock(clock))
	client := e.selfClient(t, nil)
	e.selfUser(t, "ian", "email", "ian@example.com")
	before := uaSnap(t, e.ctx, e.c, e.pool, "ian")

	ops := map[string]func(tok string) error{
		"GetUser": func(tok string) error {
			_, err := e.c.GetUser(e.ctx, &cip.GetUserInput{AccessToken: aws.String(tok)})
			return err
		},
		"UpdateUserAttributes": func(tok string) error {
			_, err := e.selfUpdate(tok, "name", "Ian")
			return err
		},
		"DeleteUserAttributes": func(tok string) error {
			_, err := e.c.DeleteUserAttributes(e.ctx, &cip.DeleteUserAttributesInput{AccessToken: aws.String(tok), UserAttributeNames: []string{"email"}})
			return err
		},
		"DeleteUser": func(tok string) error {
			_, err := e.c.DeleteUser(e.ctx, &cip.DeleteUserInput{AccessToken: aws.String(tok)})
			return err
		},
		"GetUserAttributeVerificationCode": func(tok string) error {
			_, err := e.selfSendCode(tok, "email")
			return err
		},
		"VerifyUserAttribute": func(tok string) error { return e.selfVerify(tok, "email", "123456") },
		"ChangePassword":      func(tok string) error { return e.selfChange(tok, selfPassword, selfNewPass) },
		"GlobalSignOut": func(tok string) error {
			_, err := e.c.GlobalSignOut(e.ctx, &cip.GlobalSignOutInput{AccessToken: aws.String(tok)})
			return err
		},
	}
	each := func(what, tok, msg string) {
		t.Helper()
		for name, op := range ops {
			err := op(tok)
			if err == nil {
				t.Fatalf("%s with %s: no error", name, what)
			}
			var na *types.NotAuthorizedException
			if !errors.As(err, &na) || na.ErrorMessage() != msg {
				t.Errorf("%s with %s: %v, want NotAuthorizedException %q", name, what, err, msg)
			}
		}
	}

	tok := e.selfSignIn(t, client, "ian", selfPassword)
	each("a garbled token", "abc.def.ghi", "Invalid Access Token")
	each("a token with a broken signature", selfBreakSignature(tok), "Invalid Access Token")
	each("a token with a changed payload", selfChangeClaim(t, tok, "username", "someone"), "Invalid Access Token")
	out, err := e.c.AdminInitiateAuth(e.ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(e.pool), ClientId: aws.String(client),
		AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "ian", "PASSWORD": selfPassword}})
	if err != nil {
		t.Fatal(err)
	}
	each("an ID token", aws.ToString(out.AuthenticationResult.IdToken), "Invalid Access Token")

	// An hour later (the default AccessTokenValidity) the token has expired.
	clock.Advance(time.Hour + time.Second)
	each("an expired token", tok, "Access Token has expired")

	// After GlobalSignOut every token of the user is revoked, the one that
	// signed out included.
	tok = e.selfSignIn(t, client, "ian", selfPassword)
	other := e.selfSignIn(t, client, "ian", selfPassword)
	if _, err := e.c.GlobalSignOut(e.ctx, &cip.GlobalSignOutInput{AccessToken: aws.String(tok)}); err != nil {
		t.Fatal(err)
	}
	each("a token after GlobalSignOut", tok, "Access Token has been revoked")
	each("another session's token after GlobalSignOut", other, "Access Token has been revoked")

	// None of it touched the user, who still signs in with the password.
	uaUnchanged(t, e.ctx, e.c, e.pool, "ian", before)
	e.selfSignIn(t, client, "ian", selfPassword)
}

// selfBreakSignature changes one character in the middle of a token's
// signature (the last one may carry only padding bits).
func selfBreakSignature(tok string) string {
	i := strings.LastIndexByte(tok, '.') + 10
	b := []byte(tok)
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// selfChangeClaim rewrites one claim of a token's payload, keeping its
// signature.
func selfChangeClaim(t *testing.T, tok, claim, value string) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(payload, &m); err != nil {
		t.Fatal(err)
	}
	m[claim] = value
	payload, err = json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	parts[1] = base64.RawURLEncoding.EncodeToString(payload)
	return strings.Join(parts, ".")
}

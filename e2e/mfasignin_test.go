package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/cognitod/cognitod/internal/outbox"
	"github.com/cognitod/cognitod/internal/testserver"
)

const msPassword = "Mfa-Passw0rd!"

// msPool makes a pool with MFA in mode, every factor configured (SMS, TOTP,
// email), and a client that signs in with passwords.
func msPool(t *testing.T, c *cip.Client, ctx context.Context, mode types.UserPoolMfaType) (pool, client string) {
	t.Helper()
	out, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("mfa-sign-in"), MfaConfiguration: mode,
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypePhoneNumber},
		SmsConfiguration:       poolSMS,
		EmailConfiguration: &types.EmailConfigurationType{EmailSendingAccount: types.EmailSendingAccountTypeDeveloper,
			SourceArn: aws.String("arn:aws:ses:us-east-1:123456789012:identity/no-reply@example.com")}})
	if err != nil {
		t.Fatal(err)
	}
	pool = aws.ToString(out.UserPool.Id)
	if _, err := c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(pool), MfaConfiguration: mode,
		SmsMfaConfiguration:           &types.SmsMfaConfigType{SmsAuthenticationMessage: aws.String("Your code: {####}."), SmsConfiguration: poolSMS},
		SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true},
		EmailMfaConfiguration:         &types.EmailMfaConfigType{Message: aws.String("Your email code: {####}"), Subject: aws.String("Sign-in code")},
	}); err != nil {
		t.Fatal(err)
	}
	cl, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(pool), ClientName: aws.String("app"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth,
			types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}})
	if err != nil {
		t.Fatal(err)
	}
	return pool, aws.ToString(cl.UserPoolClient.ClientId)
}

// msUser makes a confirmed user with a phone number and an email address.
func msUser(t *testing.T, c *cip.Client, ctx context.Context, pool, name string) {
	t.Helper()
	if _, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String(name),
		MessageAction: types.MessageActionTypeSuppress, UserAttributes: []types.AttributeType{
			{Name: aws.String("phone_number"), Value: aws.String("+15555550142")},
			{Name: aws.String("email"), Value: aws.String(name + "@example.com")},
			{Name: aws.String("email_verified"), Value: aws.String("true")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String(name),
		Password: aws.String(msPassword), Permanent: true}); err != nil {
		t.Fatal(err)
	}
}

func msSignIn(c *cip.Client, ctx context.Context, pool, client, name string) (*cip.AdminInitiateAuthOutput, error) {
	return c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(pool), ClientId: aws.String(client),
		AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": name, "PASSWORD": msPassword}})
}

func msRespond(c *cip.Client, ctx context.Context, client string, name types.ChallengeNameType, session string, resp map[string]string) (*cip.RespondToAuthChallengeOutput, error) {
	return c.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: aws.String(client), ChallengeName: name,
		Session: aws.String(session), ChallengeResponses: resp})
}

// msCode is the newest MFA code the outbox holds for the user.
func msCode(t *testing.T, srv *testserver.Server, ctx context.Context, pool, name string) outbox.Message {
	t.Helper()
	all, err := srv.Outbox().ListAll(ctx, outbox.Query{UserPoolID: pool, Username: name})
	if err != nil {
		t.Fatal(err)
	}
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Kind == "MFA_CODE" {
			return all[i]
		}
	}
	t.Fatalf("no MFA_CODE message to %s", name)
	return outbox.Message{}
}

// A pool that requires MFA sends a user with a phone number an SMS code; a
// wrong code leaves the Session usable, the right one signs in, once.
func TestMFASignInSMSRequired(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool, client := msPool(t, c, ctx, types.UserPoolMfaTypeOn)
	msUser(t, c, ctx, pool, "sam")

	out, err := msSignIn(c, ctx, pool, client, "sam")
	if err != nil {
		t.Fatal(err)
	}
	if out.ChallengeName != types.ChallengeNameTypeSmsMfa || out.AuthenticationResult != nil ||
		out.ChallengeParameters["CODE_DELIVERY_DELIVERY_MEDIUM"] != "SMS" || out.ChallengeParameters["CODE_DELIVERY_DESTINATION"] != "+*******0142" {
		t.Fatalf("sign-in answered %s %v", out.ChallengeName, out.ChallengeParameters)
	}
	m := msCode(t, srv, ctx, pool, "sam")
	if m.Medium != "SMS" || m.Destination != "+15555550142" || m.Body != "Your code: "+m.Code+"." {
		t.Errorf("MFA message %+v", m)
	}
	session := aws.ToString(out.Session)
	_, err = msRespond(c, ctx, client, types.ChallengeNameTypeSmsMfa, session, map[string]string{"USERNAME": "sam", "SMS_MFA_CODE": otherCode(m.Code)})
	var cm *types.CodeMismatchException
	if !errors.As(err, &cm) {
		t.Fatalf("wrong code: %v", err)
	}
	done, err := msRespond(c, ctx, client, types.ChallengeNameTypeSmsMfa, session, map[string]string{"USERNAME": "sam", "SMS_MFA_CODE": m.Code})
	if err != nil || done.AuthenticationResult == nil || aws.ToString(done.AuthenticationResult.AccessToken) == "" {
		t.Fatalf("right code: %v", err)
	}
	_, err = msRespond(c, ctx, client, types.ChallengeNameTypeSmsMfa, session, map[string]string{"USERNAME": "sam", "SMS_MFA_CODE": m.Code})
	var na *types.NotAuthorizedException
	if !errors.As(err, &na) {
		t.Errorf("the Session answered twice: %v", err)
	}
}

// In an OPTIONAL pool a user without factors signs in at once; once the user
// enables email MFA, sign-in asks for the emailed code.
func TestMFASignInOptionalEmail(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool, client := msPool(t, c, ctx, types.UserPoolMfaTypeOptional)
	msUser(t, c, ctx, pool, "emma")
	out, err := msSignIn(c, ctx, pool, client, "emma")
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("no factor, OPTIONAL: %v %+v", err, out)
	}
	if _, err := c.AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{UserPoolId: aws.String(pool), Username: aws.String("emma"),
		EmailMfaSettings: &types.EmailMfaSettingsType{Enabled: true, PreferredMfa: true}}); err != nil {
		t.Fatal(err)
	}
	out, err = msSignIn(c, ctx, pool, client, "emma")
	if err != nil || out.ChallengeName != types.ChallengeNameTypeEmailOtp || out.ChallengeParameters["CODE_DELIVERY_DELIVERY_MEDIUM"] != "EMAIL" ||
		out.ChallengeParameters["CODE_DELIVERY_DESTINATION"] != "e***@e***" {
		t.Fatalf("email MFA: %v %s %v", err, out.ChallengeName, out.ChallengeParameters)
	}
	m := msCode(t, srv, ctx, pool, "emma")
	if m.Medium != "EMAIL" || m.Subject != "Sign-in code" || m.Body != "Your email code: "+m.Code {
		t.Errorf("email MFA message %+v", m)
	}
	done, err := msRespond(c, ctx, client, types.ChallengeNameTypeEmailOtp, aws.ToString(out.Session), map[string]string{"USERNAME": "emma", "EMAIL_OTP_CODE": m.Code})
	if err != nil || done.AuthenticationResult == nil {
		t.Fatalf("email code: %v", err)
	}
}

// Several factors and no preference: SELECT_MFA_TYPE, then the chosen one.
func TestMFASignInSelect(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool, client := msPool(t, c, ctx, types.UserPoolMfaTypeOptional)
	msUser(t, c, ctx, pool, "sid")
	if _, err := c.AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{UserPoolId: aws.String(pool), Username: aws.String("sid"),
		SMSMfaSettings: &types.SMSMfaSettingsType{Enabled: true}, EmailMfaSettings: &types.EmailMfaSettingsType{Enabled: true}}); err != nil {
		t.Fatal(err)
	}
	out, err := msSignIn(c, ctx, pool, client, "sid")
	if err != nil || out.ChallengeName != types.ChallengeNameTypeSelectMfaType {
		t.Fatalf("two factors, none preferred: %v %s", err, out.ChallengeName)
	}
	var can []string
	if err := json.Unmarshal([]byte(out.ChallengeParameters["MFAS_CAN_CHOOSE"]), &can); err != nil || len(can) != 2 || can[0] != "SMS_MFA" || can[1] != "EMAIL_OTP" {
		t.Errorf("MFAS_CAN_CHOOSE %q", out.ChallengeParameters["MFAS_CAN_CHOOSE"])
	}
	sel, err := msRespond(c, ctx, client, types.ChallengeNameTypeSelectMfaType, aws.ToString(out.Session), map[string]string{"USERNAME": "sid", "ANSWER": "SMS_MFA"})
	if err != nil || sel.ChallengeName != types.ChallengeNameTypeSmsMfa {
		t.Fatalf("select SMS_MFA: %v %s", err, sel.ChallengeName)
	}
	m := msCode(t, srv, ctx, pool, "sid")
	done, err := msRespond(c, ctx, client, types.ChallengeNameTypeSmsMfa, aws.ToString(sel.Session), map[string]string{"USERNAME": "sid", "SMS_MFA_CODE": m.Code})
	if err != nil || done.AuthenticationResult == nil {
		t.Fatalf("SMS code after select: %v", err)
	}
}

// A pool that requires MFA asks a user with no factor and no phone number
// to set one up.
func TestMFASignInSetupRequired(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool, client := msPool(t, c, ctx, types.UserPoolMfaTypeOn)
	if _, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("nia"),
		MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String("nia"),
		Password: aws.String(msPassword), Permanent: true}); err != nil {
		t.Fatal(err)
	}
	out, err := msSignIn(c, ctx, pool, client, "nia")
	if err != nil || out.ChallengeName != types.ChallengeNameTypeMfaSetup || out.Session == nil {
		t.Fatalf("no factor, MFA ON: %v %s", err, out.ChallengeName)
	}
	var can []string
	if err := json.Unmarshal([]byte(out.ChallengeParameters["MFAS_CAN_SETUP"]), &can); err != nil || len(can) == 0 || can[0] != "SOFTWARE_TOKEN_MFA" {
		t.Errorf("MFAS_CAN_SETUP %q", out.ChallengeParameters["MFAS_CAN_SETUP"])
	}
}

// Wrong MFA codes count toward the same lockout as wrong passwords.
func TestMFASignInWrongCodesLockOut(t *testing.T) {
	clk := testserver.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	srv := testserver.Start(t, testserver.WithClock(clk))
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool, client := msPool(t, c, ctx, types.UserPoolMfaTypeOn)
	msUser(t, c, ctx, pool, "lou")
	out, err := msSignIn(c, ctx, pool, client, "lou")
	if err != nil {
		t.Fatal(err)
	}
	m := msCode(t, srv, ctx, pool, "lou")
	for i := range 5 {
		_, err := msRespond(c, ctx, client, types.ChallengeNameTypeSmsMfa, aws.ToString(out.Session), map[string]string{"USERNAME": "lou", "SMS_MFA_CODE": otherCode(m.Code)})
		var cm *types.CodeMismatchException
		if !errors.As(err, &cm) {
			t.Fatalf("wrong code %d: %v", i+1, err)
		}
	}
	_, err = msRespond(c, ctx, client, types.ChallengeNameTypeSmsMfa, aws.ToString(out.Session), map[string]string{"USERNAME": "lou", "SMS_MFA_CODE": m.Code})
	var na *types.NotAuthorizedException
	if !errors.As(err, &na) || aws.ToString(na.Message) != "Password attempts exceeded" {
		t.Fatalf("after five wrong codes: %v", err)
	}
	clk.Advance(2 * time.Second)
	done, err := msRespond(c, ctx, client, types.ChallengeNameTypeSmsMfa, aws.ToString(out.Session), map[string]string{"USERNAME": "lou", "SMS_MFA_CODE": m.Code})
	if err != nil || done.AuthenticationResult == nil {
		t.Fatalf("after the lockout: %v", err)
	}
}

// A verified software token, preferred: SOFTWARE_TOKEN_MFA with the
// authenticator's code; the same code cannot be used twice.
func TestMFASignInSoftwareToken(t *testing.T) {
	clk := testserver.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	srv := testserver.Start(t, testserver.WithClock(clk))
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool, client := msPool(t, c, ctx, types.UserPoolMfaTypeOptional)
	msUser(t, c, ctx, pool, "tia")
	first, err := msSignIn(c, ctx, pool, client, "tia")
	if err != nil || first.AuthenticationResult == nil {
		t.Fatalf("first sign-in: %v", err)
	}
	access := first.AuthenticationResult.AccessToken
	assoc, err := c.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: access})
	if err != nil {
		t.Fatal(err)
	}
	code := func() string {
		t.Helper()
		v, err := totp.GenerateCodeCustom(aws.ToString(assoc.SecretCode), clk.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if _, err := c.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: access, UserCode: aws.String(code())}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: access,
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: true}}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(30 * time.Second) // a new code: the one used to verify is spent
	out, err := msSignIn(c, ctx, pool, client, "tia")
	if err != nil || out.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
		t.Fatalf("sign-in with a software token: %v %s", err, out.ChallengeName)
	}
	now := code()
	done, err := msRespond(c, ctx, client, types.ChallengeNameTypeSoftwareTokenMfa, aws.ToString(out.Session), map[string]string{"USERNAME": "tia", "SOFTWARE_TOKEN_MFA_CODE": now})
	if err != nil || done.AuthenticationResult == nil {
		t.Fatalf("the authenticator's code: %v", err)
	}
	again, err := msSignIn(c, ctx, pool, client, "tia")
	if err != nil {
		t.Fatal(err)
	}
	_, err = msRespond(c, ctx, client, types.ChallengeNameTypeSoftwareTokenMfa, aws.ToString(again.Session), map[string]string{"USERNAME": "tia", "SOFTWARE_TOKEN_MFA_CODE": now})
	var cm *types.CodeMismatchException
	if !errors.As(err, &cm) {
		t.Errorf("the same code twice: %v", err)
	}
}

// MFA_SETUP to the end: the Session of the challenge associates a software
// token, the next verifies it, the last signs in; afterwards the token is the
// user's preferred factor. Each Session works once.
func TestMFASignInSetupSoftwareToken(t *testing.T) {
	clk := testserver.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	srv := testserver.Start(t, testserver.WithClock(clk))
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool, client := msPool(t, c, ctx, types.UserPoolMfaTypeOn)
	if _, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(pool), Username: aws.String("ola"),
		MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(pool), Username: aws.String("ola"),
		Password: aws.String(msPassword), Permanent: true}); err != nil {
		t.Fatal(err)
	}
	out, err := msSignIn(c, ctx, pool, client, "ola")
	if err != nil || out.ChallengeName != types.ChallengeNameTypeMfaSetup {
		t.Fatalf("sign-in: %v %s", err, out.ChallengeName)
	}
	// Finishing before the token is verified is refused.
	_, err = msRespond(c, ctx, client, types.ChallengeNameTypeMfaSetup, aws.ToString(out.Session), map[string]string{"USERNAME": "ola"})
	var ip *types.InvalidParameterException
	if !errors.As(err, &ip) {
		t.Fatalf("MFA_SETUP answered before a token: %v", err)
	}
	assoc, err := c.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{Session: out.Session})
	if err != nil || assoc.Session == nil || aws.ToString(assoc.SecretCode) == "" {
		t.Fatalf("AssociateSoftwareToken with the Session: %v", err)
	}
	if _, err := c.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{Session: out.Session}); err == nil {
		t.Error("the challenge's Session associated twice")
	}
	code, err := totp.GenerateCodeCustom(aws.ToString(assoc.SecretCode), clk.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{Session: assoc.Session, UserCode: aws.String(otherCode(code))})
	var em *types.EnableSoftwareTokenMFAException
	if !errors.As(err, &em) {
		t.Fatalf("wrong code: %v", err)
	}
	// The wrong code used the Session up: the user starts over.
	out, err = msSignIn(c, ctx, pool, client, "ola")
	if err != nil || out.ChallengeName != types.ChallengeNameTypeMfaSetup {
		t.Fatalf("sign-in again: %v", err)
	}
	assoc, err = c.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{Session: out.Session})
	if err != nil {
		t.Fatal(err)
	}
	code, _ = totp.GenerateCodeCustom(aws.ToString(assoc.SecretCode), clk.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	ver, err := c.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{Session: assoc.Session, UserCode: aws.String(code), FriendlyDeviceName: aws.String("phone")})
	if err != nil || ver.Status != types.VerifySoftwareTokenResponseTypeSuccess || ver.Session == nil {
		t.Fatalf("VerifySoftwareToken with the Session: %v %+v", err, ver)
	}
	done, err := msRespond(c, ctx, client, types.ChallengeNameTypeMfaSetup, aws.ToString(ver.Session), map[string]string{"USERNAME": "ola"})
	if err != nil || done.AuthenticationResult == nil {
		t.Fatalf("MFA_SETUP answered: %v", err)
	}
	u, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(pool), Username: aws.String("ola")})
	if err != nil || aws.ToString(u.PreferredMfaSetting) != "SOFTWARE_TOKEN_MFA" {
		t.Fatalf("after setup: %v %v", err, aws.ToString(u.PreferredMfaSetting))
	}
	clk.Advance(30 * time.Second)
	next, err := msSignIn(c, ctx, pool, client, "ola")
	if err != nil || next.ChallengeName != types.ChallengeNameTypeSoftwareTokenMfa {
		t.Fatalf("the next sign-in asks for the token: %v %s", err, next.ChallengeName)
	}
}

// An MFA challenge's Session expires after the client's AuthSessionValidity
// (3 minutes by default), the code with it.
func TestMFASignInSessionExpires(t *testing.T) {
	clk := testserver.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	srv := testserver.Start(t, testserver.WithClock(clk))
	c, ctx := srv.Client(), testserver.Ctx(t)
	pool, client := msPool(t, c, ctx, types.UserPoolMfaTypeOn)
	msUser(t, c, ctx, pool, "eve")
	out, err := msSignIn(c, ctx, pool, client, "eve")
	if err != nil {
		t.Fatal(err)
	}
	m := msCode(t, srv, ctx, pool, "eve")
	clk.Advance(3*time.Minute + time.Second)
	_, err = msRespond(c, ctx, client, types.ChallengeNameTypeSmsMfa, aws.ToString(out.Session), map[string]string{"USERNAME": "eve", "SMS_MFA_CODE": m.Code})
	var na *types.NotAuthorizedException
	if !errors.As(err, &na) || aws.ToString(na.Message) != "Invalid session for the user, session is expired." {
		t.Fatalf("after 3 minutes: %v", err)
	}
}

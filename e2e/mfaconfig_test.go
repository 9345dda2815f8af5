package e2e

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitod/cognitod/internal/testserver"
)

// mfaJSON is an MFA configuration as comparable text.
func mfaJSON(out *cip.GetUserPoolMfaConfigOutput) string {
	b, _ := json.Marshal(struct {
		Sms      *types.SmsMfaConfigType
		Totp     *types.SoftwareTokenMfaConfigType
		Email    *types.EmailMfaConfigType
		Mode     types.UserPoolMfaType
		WebAuthn *types.WebAuthnConfigurationType
	}{out.SmsMfaConfiguration, out.SoftwareTokenMfaConfiguration, out.EmailMfaConfiguration, out.MfaConfiguration, out.WebAuthnConfiguration})
	return string(b)
}

func TestUserPoolMfaConfig(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	out, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("mfa"),
		EmailConfiguration: &types.EmailConfigurationType{EmailSendingAccount: types.EmailSendingAccountTypeDeveloper,
			SourceArn: aws.String("arn:aws:ses:us-east-1:123456789012:identity/no-reply@example.com")}})
	if err != nil {
		t.Fatal(err)
	}
	id := out.UserPool.Id
	get := func() *cip.GetUserPoolMfaConfigOutput {
		t.Helper()
		g, err := c.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: id})
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	if g := get(); g.MfaConfiguration != types.UserPoolMfaTypeOff || g.SmsMfaConfiguration != nil || g.SoftwareTokenMfaConfiguration != nil ||
		g.EmailMfaConfiguration != nil || g.WebAuthnConfiguration != nil {
		t.Errorf("new pool: %s", mfaJSON(g))
	}

	// Every factor at once, and passkeys.
	set := &cip.SetUserPoolMfaConfigInput{UserPoolId: id, MfaConfiguration: types.UserPoolMfaTypeOptional,
		SmsMfaConfiguration:           &types.SmsMfaConfigType{SmsAuthenticationMessage: aws.String("Your OTP: {####}."), SmsConfiguration: poolSMS},
		SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true},
		EmailMfaConfiguration:         &types.EmailMfaConfigType{Message: aws.String("Your OTP: {####}"), Subject: aws.String("OTP")},
		WebAuthnConfiguration:         &types.WebAuthnConfigurationType{RelyingPartyId: aws.String("auth.example.com"), UserVerification: types.UserVerificationTypePreferred},
	}
	setOut, err := c.SetUserPoolMfaConfig(ctx, set)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Sms":{"SmsAuthenticationMessage":"Your OTP: {####}.","SmsConfiguration":{"SnsCallerArn":"arn:aws:iam::123456789012:role/cognito-sms","ExternalId":"ext-42","SnsRegion":"us-east-1"}},` +
		`"Totp":{"Enabled":true},"Email":{"Message":"Your OTP: {####}","Subject":"OTP"},"Mode":"OPTIONAL",` +
		`"WebAuthn":{"FactorConfiguration":"","RelyingPartyId":"auth.example.com","UserVerification":"preferred"}}`
	setView := &cip.GetUserPoolMfaConfigOutput{SmsMfaConfiguration: setOut.SmsMfaConfiguration, SoftwareTokenMfaConfiguration: setOut.SoftwareTokenMfaConfiguration,
		EmailMfaConfiguration: setOut.EmailMfaConfiguration, MfaConfiguration: setOut.MfaConfiguration, WebAuthnConfiguration: setOut.WebAuthnConfiguration}
	if got := mfaJSON(setView); got != want {
		t.Errorf("set answered\n%s\nwant\n%s", got, want)
	}
	if got := mfaJSON(get()); got != want {
		t.Errorf("get answers\n%s\nwant\n%s", got, want)
	}
	// DescribeUserPool shows the same mode and SMS settings.
	d, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: id})
	if err != nil {
		t.Fatal(err)
	}
	if d.UserPool.MfaConfiguration != types.UserPoolMfaTypeOptional || aws.ToString(d.UserPool.SmsAuthenticationMessage) != "Your OTP: {####}." ||
		aws.ToString(d.UserPool.SmsConfiguration.ExternalId) != "ext-42" {
		t.Errorf("describe: %v %v %+v", d.UserPool.MfaConfiguration, aws.ToString(d.UserPool.SmsAuthenticationMessage), d.UserPool.SmsConfiguration)
	}

	refusals := []struct {
		name string
		in   *cip.SetUserPoolMfaConfigInput
		msg  string
	}{
		{"off with a factor", &cip.SetUserPoolMfaConfigInput{MfaConfiguration: types.UserPoolMfaTypeOff,
			SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true}},
			"Invalid MFA configuration given, can't turn off MFA and configure an MFA together."},
		{"on with no factor", &cip.SetUserPoolMfaConfigInput{MfaConfiguration: types.UserPoolMfaTypeOn,
			SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: false}},
			"Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration."},
		{"SMS dropped while the pool sends SMS", &cip.SetUserPoolMfaConfigInput{MfaConfiguration: types.UserPoolMfaTypeOn,
			SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true}},
			"Can't turn off SMS_MFA when SMS configuration is set for the user pool."},
		{"message without code", &cip.SetUserPoolMfaConfigInput{MfaConfiguration: types.UserPoolMfaTypeOn,
			SmsMfaConfiguration: &types.SmsMfaConfigType{SmsAuthenticationMessage: aws.String("no code")}},
			"1 validation error detected: Value 'no code' at 'smsMfaConfiguration.smsAuthenticationMessage' failed to satisfy constraint: Member must satisfy regular expression pattern: .*\\{####\\}.*"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.UserPoolId = id
			var ip *types.InvalidParameterException
			_, err := c.SetUserPoolMfaConfig(ctx, tc.in)
			if !errors.As(err, &ip) {
				t.Fatalf("error %v", err)
			}
			if aws.ToString(ip.Message) != tc.msg {
				t.Errorf("message\n got %q\nwant %q", aws.ToString(ip.Message), tc.msg)
			}
			if got := mfaJSON(get()); got != want {
				t.Errorf("a refused request changed the configuration: %s", got)
			}
		})
	}

	// Turning MFA off drops the factors; the SMS settings stay (they also
	// serve verification messages).
	if _, err := c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: id, MfaConfiguration: types.UserPoolMfaTypeOff}); err != nil {
		t.Fatal(err)
	}
	g := get()
	if g.MfaConfiguration != "OFF" || g.SoftwareTokenMfaConfiguration != nil || g.EmailMfaConfiguration != nil || g.WebAuthnConfiguration != nil ||
		g.SmsMfaConfiguration == nil || aws.ToString(g.SmsMfaConfiguration.SmsConfiguration.ExternalId) != "ext-42" {
		t.Errorf("after turning MFA off: %s", mfaJSON(g))
	}
}

// TestMfaLikeTerraform follows the calls Terraform's AWS provider makes for a
// pool with TOTP MFA: create with MFA off, SetUserPoolMfaConfig, then an
// UpdateUserPool that repeats the mode.
func TestMfaLikeTerraform(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	out, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("tf")})
	if err != nil {
		t.Fatal(err)
	}
	id := out.UserPool.Id
	if _, err := c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: id, MfaConfiguration: types.UserPoolMfaTypeOn,
		SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: id, MfaConfiguration: types.UserPoolMfaTypeOn,
		DeletionProtection: types.DeletionProtectionTypeInactive}); err != nil {
		t.Fatal(err)
	}
	g, err := c.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: id})
	if err != nil {
		t.Fatal(err)
	}
	if g.MfaConfiguration != "ON" || g.SoftwareTokenMfaConfiguration == nil || !g.SoftwareTokenMfaConfiguration.Enabled {
		t.Errorf("after update: %s", mfaJSON(g))
	}
	d, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: id})
	if err != nil || d.UserPool.MfaConfiguration != "ON" {
		t.Errorf("describe: %v %v", d, err)
	}
}

package idp

import (
	"reflect"
	"testing"

	"github.com/cognitod/cognitod/internal/api"
)

func TestGetUserPoolMfaConfigDefaults(t *testing.T) {
	e := newPoolsEnv(t)
	p := e.create(t, nil)
	got := e.mfa(t, api.ToString(p.Id))
	if !reflect.DeepEqual(got, &api.GetUserPoolMfaConfigResponse{MfaConfiguration: api.UserPoolMfaTypeOff}) {
		t.Errorf("fresh pool: %+v", got)
	}
	_, err := e.svc.GetUserPoolMfaConfig(e.ctx, &api.GetUserPoolMfaConfigRequest{UserPoolId: api.String("eu-west-3_nothere12")})
	wantAPIError(t, err, poolsNotFound, "User pool eu-west-3_nothere12 does not exist.")
	_, err = e.svc.SetUserPoolMfaConfig(e.ctx, &api.SetUserPoolMfaConfigRequest{UserPoolId: api.String("eu-west-3_nothere12")})
	wantAPIError(t, err, poolsNotFound, "User pool eu-west-3_nothere12 does not exist.")
}

func TestSetUserPoolMfaConfig(t *testing.T) {
	totpOn := &api.SoftwareTokenMfaConfigType{Enabled: api.Bool(true)}
	developerEmail := func(in *api.CreateUserPoolRequest) {
		in.EmailConfiguration = &api.EmailConfigurationType{EmailSendingAccount: api.EmailSendingAccountTypeDeveloper,
			SourceArn: api.String("arn:aws:ses:eu-west-3:210987654321:identity/no-reply@example.com")}
	}
	withSMS := func(in *api.CreateUserPoolRequest) { in.SmsConfiguration = poolsSMSConfig }
	tests := []struct {
		name   string
		create func(*api.CreateUserPoolRequest)
		set    api.SetUserPoolMfaConfigRequest
		want   *api.GetUserPoolMfaConfigResponse // nil with err
		code   string
		err    string
	}{
		{name: "TOTP optional", set: api.SetUserPoolMfaConfigRequest{MfaConfiguration: "OPTIONAL", SoftwareTokenMfaConfiguration: totpOn},
			want: &api.GetUserPoolMfaConfigResponse{MfaConfiguration: "OPTIONAL", SoftwareTokenMfaConfiguration: totpOn}},
		{name: "TOTP required", set: api.SetUserPoolMfaConfigRequest{MfaConfiguration: "ON", SoftwareTokenMfaConfiguration: totpOn},
			want: &api.GetUserPoolMfaConfigResponse{MfaConfiguration: "ON", SoftwareTokenMfaConfiguration: totpOn}},
		{name: "SMS with its configuration", set: api.SetUserPoolMfaConfigRequest{MfaConfiguration: "ON",
			SmsMfaConfiguration: &api.SmsMfaConfigType{SmsAuthenticationMessage: api.String("Code: {####}"), SmsConfiguration: poolsSMSConfig}},
			want: &api.GetUserPoolMfaConfigResponse{MfaConfiguration: "ON",
				SmsMfaConfiguration: &api.SmsMfaConfigType{SmsAuthenticationMessage: api.String("Code: {####}"), SmsConfiguration: poolsSMSConfig}}},
		{name: "SMS using the pool's configuration", create: withSMS, set: api.SetUserPoolMfaConfigRequest{MfaConfiguration: "OPTIONAL",
			SmsMfaConfiguration: &api.SmsMfaConfigType{}},
			want: &api.GetUserPoolMfaConfigResponse{MfaConfiguration: "OPTIONAL", SmsMfaConfiguration: &api.SmsMfaConfigType{SmsConfiguration: poolsSMSConfig}}},
		{name: "email with SES", create: developerEmail, set: api.SetUserPoolMfaConfigRequest{MfaConfiguration: "OPTIONAL",
			EmailMfaConfiguration: &api.EmailMfaConfigType{Message: api.String("Mail code {####}"), Subject: api.String("Code")}},
			want: &api.GetUserPoolMfaConfigResponse{MfaConfiguration: "OPTIONAL",
				EmailMfaConfiguration: &api.EmailMfaConfigType{Message: api.String("Mail code {####}"), Subject: api.String("Code")}}},
		{name: "WebAuthn with MFA off", set: api.SetUserPoolMfaConfigRequest{MfaConfiguration: "OFF",
			WebAuthnConfiguration: &api.WebAuthnConfigurationType{RelyingPartyId: api.String("auth.example.com"), UserVerification: "required"}},
			want: &api.GetUserPoolMfaConfigResponse{MfaConfiguration: "OFF",
				WebAuthnConfiguration: &api.WebAuthnConfigurationType{RelyingPartyId: api.String("auth.example.com"), UserVerification: "required"}}},
		{name: "off with a factor", set: api.SetUserPoolMfaConfigRequest{MfaConfiguration: "OFF", SoftwareTokenMfaConfiguration: totpOn},
			code: poolsInvalidParam, err: msgMfaOffWithFactor},
		{name: "mode left out keeps OFF", set: api.SetUserPoolMfaConfigRequest{SoftwareTokenMfaConfiguration: totpOn},
			code: poolsInvalidParam, err: msgMfaOffWithFactor},
		{name: "on without a factor", set: api.SetUserPoolMfaConfigRequest{MfaConfiguration: "ON"},
			code: poolsInvalidParam, err: msgMfaNoFactor},
		{name: "optional with TOTP disabled", set: api.SetUserPoolMfaConfigRequest{MfaConfiguration: "OPTIONAL",
			SoftwareTokenMfaConfiguration: &api.SoftwareTokenMfaConfigType{Enabled: api.Bool(false)}},
			code: poolsInvalidParam, err: msgMfaNoFactor},
		{name: "SMS without any SMS configuration", set: api.SetUserPoolMfaConfigRequest{MfaConfiguration: "ON",
			SmsMfaConfiguration: &api.SmsMfaConfigType{SmsAuthenticationMessage: api.String("Code: {####}")}},
			code: poolsInvalidParam, err: "~SmsConfiguration"},
		{name: "TOTP only while the pool sends SMS", create: withSMS, set: api.SetUserPoolMfaConfigRequest{MfaConfiguration: "OPTIONAL",
			SoftwareTokenMfaConfiguration: totpOn}, code: poolsInvalidParam, err: msgMfaSmsStillSet},
		{name: "email without SES", set: api.SetUserPoolMfaConfigRequest{MfaConfiguration: "OPTIONAL",
			EmailMfaConfiguration: &api.EmailMfaConfigType{}}, code: poolsInvalidParam, err: "~DEVELOPER"},
		{name: "email on LITE", create: func(in *api.CreateUserPoolRequest) { developerEmail(in); in.UserPoolTier = "LITE" },
			set:  api.SetUserPoolMfaConfigRequest{MfaConfiguration: "OPTIONAL", EmailMfaConfiguration: &api.EmailMfaConfigType{}},
			code: "FeatureUnavailableInTierException"},
		{name: "SMS required with phone recovery", create: func(in *api.CreateUserPoolRequest) {
			in.AccountRecoverySetting = &api.AccountRecoverySettingType{RecoveryMechanisms: []api.RecoveryOptionType{
				{Name: api.RecoveryOptionNameTypeVerifiedPhoneNumber, Priority: api.Int32(1)}}}
		}, set: api.SetUserPoolMfaConfigRequest{MfaConfiguration: "ON", SmsMfaConfiguration: &api.SmsMfaConfigType{SmsConfiguration: poolsSMSConfig}},
			code: poolsInvalidParam, err: msgRecoveryPhoneMfa},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newPoolsEnv(t)
			p := e.create(t, tc.create)
			set := tc.set
			set.UserPoolId = p.Id
			out, err := e.svc.SetUserPoolMfaConfig(e.ctx, &set)
			if tc.want == nil {
				wantAPIError(t, err, tc.code, tc.err)
				if got := e.mfa(t, api.ToString(p.Id)); got.MfaConfiguration != "OFF" || got.SoftwareTokenMfaConfiguration != nil {
					t.Errorf("a refused request changed the configuration: %+v", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			setOut := &api.GetUserPoolMfaConfigResponse{SmsMfaConfiguration: out.SmsMfaConfiguration,
				SoftwareTokenMfaConfiguration: out.SoftwareTokenMfaConfiguration, EmailMfaConfiguration: out.EmailMfaConfiguration,
				MfaConfiguration: out.MfaConfiguration, WebAuthnConfiguration: out.WebAuthnConfiguration}
			if !reflect.DeepEqual(setOut, tc.want) {
				t.Errorf("set answered %+v, want %+v", setOut, tc.want)
			}
			if got := e.mfa(t, api.ToString(p.Id)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("get answers %+v, want %+v", got, tc.want)
			}
			// DescribeUserPool shows the same mode and SMS settings.
			d := e.describe(t, api.ToString(p.Id))
			if d.MfaConfiguration != tc.want.MfaConfiguration {
				t.Errorf("describe mode %s", d.MfaConfiguration)
			}
			if s := tc.want.SmsMfaConfiguration; s != nil &&
				(!reflect.DeepEqual(d.SmsConfiguration, s.SmsConfiguration) || !reflect.DeepEqual(d.SmsAuthenticationMessage, s.SmsAuthenticationMessage)) {
				t.Errorf("describe SMS %+v %v", d.SmsConfiguration, d.SmsAuthenticationMessage)
			}
		})
	}
}

// TestMfaThroughPoolOperations: the MFA members of CreateUserPool and
// UpdateUserPool and SetUserPoolMfaConfig change one configuration.
func TestMfaThroughPoolOperations(t *testing.T) {
	e := newPoolsEnv(t)
	p := e.create(t, func(in *api.CreateUserPoolRequest) {
		in.MfaConfiguration = "OPTIONAL"
		in.SmsConfiguration = poolsSMSConfig
		in.AutoVerifiedAttributes = []api.VerifiedAttributeType{"phone_number"}
		in.SmsAuthenticationMessage = api.String("Your code {####}")
	})
	id := api.ToString(p.Id)
	want := &api.GetUserPoolMfaConfigResponse{MfaConfiguration: "OPTIONAL",
		SmsMfaConfiguration: &api.SmsMfaConfigType{SmsAuthenticationMessage: api.String("Your code {####}"), SmsConfiguration: poolsSMSConfig}}
	if got := e.mfa(t, id); !reflect.DeepEqual(got, want) {
		t.Fatalf("after create: %+v", got)
	}

	// Add TOTP next to SMS (as Terraform does after creating a pool).
	if _, err := e.svc.SetUserPoolMfaConfig(e.ctx, &api.SetUserPoolMfaConfigRequest{UserPoolId: p.Id, MfaConfiguration: "ON",
		SmsMfaConfiguration:           &api.SmsMfaConfigType{SmsAuthenticationMessage: api.String("Your code {####}")},
		SoftwareTokenMfaConfiguration: &api.SoftwareTokenMfaConfigType{Enabled: api.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	// UpdateUserPool keeping MFA on and dropping SMS: TOTP is still a factor.
	if err := e.update(id, func(in *api.UpdateUserPoolRequest) { in.MfaConfiguration = "ON" }); err != nil {
		t.Fatal(err)
	}
	got := e.mfa(t, id)
	if got.MfaConfiguration != "ON" || got.SmsMfaConfiguration != nil || !api.ToBool(got.SoftwareTokenMfaConfiguration.Enabled) {
		t.Errorf("after update: %+v", got)
	}
	if d := e.describe(t, id); d.SmsConfiguration != nil || d.SmsAuthenticationMessage != nil || d.MfaConfiguration != "ON" {
		t.Errorf("describe after update: %+v %v %v", d.SmsConfiguration, d.SmsAuthenticationMessage, d.MfaConfiguration)
	}
	// An update that leaves MfaConfiguration out turns MFA off.
	if err := e.update(id, nil); err != nil {
		t.Fatal(err)
	}
	if got := e.mfa(t, id); got.MfaConfiguration != "OFF" {
		t.Errorf("after an update without MFA: %+v", got)
	}
	// UpdateUserPool cannot make MFA required...
	wantAPIError(t, e.update(id, func(in *api.UpdateUserPoolRequest) { in.MfaConfiguration = "ON" }), poolsInvalidParam, msgMfaTurnOnLater)
	// ...and optional MFA needs a factor.
	if _, err := e.svc.SetUserPoolMfaConfig(e.ctx, &api.SetUserPoolMfaConfigRequest{UserPoolId: p.Id, MfaConfiguration: "OFF"}); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, e.update(id, func(in *api.UpdateUserPoolRequest) { in.MfaConfiguration = "OPTIONAL" }), poolsInvalidParam, msgMfaNoFactor)
	if err := e.update(id, func(in *api.UpdateUserPoolRequest) {
		in.MfaConfiguration = "OPTIONAL"
		in.SmsConfiguration = poolsSMSConfig
	}); err != nil {
		t.Fatal(err)
	}
	if got := e.mfa(t, id); got.MfaConfiguration != "OPTIONAL" || got.SmsMfaConfiguration == nil {
		t.Errorf("optional SMS through update: %+v", got)
	}
}

// TestEmailMfaPrerequisitesStay: while email MFA is on, UpdateUserPool cannot
// take away Amazon SES sending or move the pool to a plan without email MFA.
func TestEmailMfaPrerequisitesStay(t *testing.T) {
	e := newPoolsEnv(t)
	ses := &api.EmailConfigurationType{EmailSendingAccount: api.EmailSendingAccountTypeDeveloper,
		SourceArn: api.String("arn:aws:ses:eu-west-3:210987654321:identity/no-reply@example.com")}
	p := e.create(t, func(in *api.CreateUserPoolRequest) { in.EmailConfiguration = ses })
	id := api.ToString(p.Id)
	if _, err := e.svc.SetUserPoolMfaConfig(e.ctx, &api.SetUserPoolMfaConfigRequest{UserPoolId: p.Id, MfaConfiguration: "OPTIONAL",
		EmailMfaConfiguration: &api.EmailMfaConfigType{}}); err != nil {
		t.Fatal(err)
	}
	keep := func(in *api.UpdateUserPoolRequest) { in.MfaConfiguration = "OPTIONAL"; in.EmailConfiguration = ses }
	if err := e.update(id, keep); err != nil {
		t.Fatalf("update keeping SES: %v", err)
	}
	wantAPIError(t, e.update(id, func(in *api.UpdateUserPoolRequest) { in.MfaConfiguration = "OPTIONAL" }), poolsInvalidParam, "~DEVELOPER")
	wantAPIError(t, e.update(id, func(in *api.UpdateUserPoolRequest) { keep(in); in.UserPoolTier = "LITE" }), "TierChangeNotAllowedException", "")
	if got := e.mfa(t, id); got.MfaConfiguration != "OPTIONAL" || got.EmailMfaConfiguration == nil {
		t.Errorf("refused updates changed MFA: %+v", got)
	}
	// With email MFA off, the same updates go through.
	if _, err := e.svc.SetUserPoolMfaConfig(e.ctx, &api.SetUserPoolMfaConfigRequest{UserPoolId: p.Id, MfaConfiguration: "OFF"}); err != nil {
		t.Fatal(err)
	}
	if err := e.update(id, func(in *api.UpdateUserPoolRequest) { in.UserPoolTier = "LITE" }); err != nil {
		t.Fatal(err)
	}
}

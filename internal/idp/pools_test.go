package idp

import (
	"fmt"
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/store"
)

func TestCreateUserPoolDefaults(t *testing.T) {
	e := newPoolsEnv(t)
	p := e.create(t, nil)

	if !regexp.MustCompile(`^eu-west-3_[0-9A-Za-z]{9}$`).MatchString(api.ToString(p.Id)) {
		t.Errorf("id %q", api.ToString(p.Id))
	}
	if want := "arn:aws:cognito-idp:eu-west-3:210987654321:userpool/" + api.ToString(p.Id); api.ToString(p.Arn) != want {
		t.Errorf("arn %q, want %q", api.ToString(p.Arn), want)
	}
	wantTime := e.now.Truncate(time.Millisecond)
	if p.CreationDate == nil || !p.CreationDate.Time().Equal(wantTime) || p.LastModifiedDate == nil || !p.LastModifiedDate.Time().Equal(wantTime) {
		t.Errorf("dates %v %v, want %v", p.CreationDate, p.LastModifiedDate, wantTime)
	}
	if p.Status != "" {
		t.Errorf("Status %q: Cognito no longer reports it", p.Status)
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"name", api.ToString(p.Name), "pool"},
		{"password policy", *p.Policies.PasswordPolicy, api.PasswordPolicyType{
			MinimumLength: api.Int32(8), RequireUppercase: api.Bool(true), RequireLowercase: api.Bool(true),
			RequireNumbers: api.Bool(true), RequireSymbols: api.Bool(true), TemporaryPasswordValidityDays: api.Int32(7)}},
		{"sign-in policy", p.Policies.SignInPolicy.AllowedFirstAuthFactors, []api.AuthFactorType{api.AuthFactorTypePassword}},
		{"deletion protection", p.DeletionProtection, api.DeletionProtectionTypeInactive},
		{"lambda config", *p.LambdaConfig, api.LambdaConfigType{}},
		{"mfa", p.MfaConfiguration, api.UserPoolMfaTypeOff},
		{"template", *p.VerificationMessageTemplate, api.VerificationMessageTemplateType{
			SmsMessage: api.String("Your verification code is {####}. "), EmailMessage: api.String("Your verification code is {####}. "),
			EmailSubject: api.String("Your verification code"), DefaultEmailOption: api.DefaultEmailOptionTypeConfirmWithCode}},
		{"legacy sms message", api.ToString(p.SmsVerificationMessage), "Your verification code is {####}. "},
		{"legacy email message", api.ToString(p.EmailVerificationMessage), "Your verification code is {####}. "},
		{"legacy email subject", api.ToString(p.EmailVerificationSubject), "Your verification code"},
		{"sms authentication message", p.SmsAuthenticationMessage, (*string)(nil)},
		{"email configuration", *p.EmailConfiguration, api.EmailConfigurationType{EmailSendingAccount: api.EmailSendingAccountTypeCognitoDefault}},
		{"admin create user config", *p.AdminCreateUserConfig, api.AdminCreateUserConfigType{
			AllowAdminCreateUserOnly: api.Bool(false), UnusedAccountValidityDays: api.Int32(7)}},
		{"account recovery", *p.AccountRecoverySetting, api.AccountRecoverySettingType{}},
		{"attribute update settings", p.UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate, []api.VerifiedAttributeType{}},
		{"tags", p.UserPoolTags, map[string]string{}},
		{"tier", p.UserPoolTier, api.UserPoolTierTypeEssentials},
		{"users", api.ToInt32(p.EstimatedNumberOfUsers), int32(0)},
		{"device configuration", p.DeviceConfiguration, (*api.DeviceConfigurationType)(nil)},
		{"sms configuration", p.SmsConfiguration, (*api.SmsConfigurationType)(nil)},
		{"username configuration", p.UsernameConfiguration, (*api.UsernameConfigurationType)(nil)},
		{"add-ons", p.UserPoolAddOns, (*api.UserPoolAddOnsType)(nil)},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %+v, want %+v", c.what, c.got, c.want)
		}
	}

	names := make([]string, len(p.SchemaAttributes))
	for i, a := range p.SchemaAttributes {
		names[i] = api.ToString(a.Name)
	}
	wantNames := []string{"sub", "name", "given_name", "family_name", "middle_name", "nickname", "preferred_username",
		"profile", "picture", "website", "email", "email_verified", "gender", "birthdate", "zoneinfo", "locale",
		"phone_number", "phone_number_verified", "address", "updated_at", "identities"}
	if !reflect.DeepEqual(names, wantNames) {
		t.Fatalf("schema names %v", names)
	}
	str := func(name string, mutable, required bool, lo, hi string) api.SchemaAttributeType {
		return api.SchemaAttributeType{Name: api.String(name), AttributeDataType: api.AttributeDataTypeString,
			DeveloperOnlyAttribute: api.Bool(false), Mutable: api.Bool(mutable), Required: api.Bool(required),
			StringAttributeConstraints: &api.StringAttributeConstraintsType{MinLength: api.String(lo), MaxLength: api.String(hi)}}
	}
	boolean := func(name string) api.SchemaAttributeType {
		return api.SchemaAttributeType{Name: api.String(name), AttributeDataType: api.AttributeDataTypeBoolean,
			DeveloperOnlyAttribute: api.Bool(false), Mutable: api.Bool(true), Required: api.Bool(false)}
	}
	for _, want := range []api.SchemaAttributeType{
		str("sub", false, true, "1", "2048"),
		str("email", true, false, "0", "2048"),
		str("birthdate", true, false, "10", "10"),
		boolean("email_verified"),
		boolean("phone_number_verified"),
		{Name: api.String("updated_at"), AttributeDataType: api.AttributeDataTypeNumber, DeveloperOnlyAttribute: api.Bool(false),
			Mutable: api.Bool(true), Required: api.Bool(false), NumberAttributeConstraints: &api.NumberAttributeConstraintsType{MinValue: api.String("0")}},
		{Name: api.String("identities"), AttributeDataType: api.AttributeDataTypeString, DeveloperOnlyAttribute: api.Bool(false),
			Mutable: api.Bool(true), Required: api.Bool(false), StringAttributeConstraints: &api.StringAttributeConstraintsType{}},
	} {
		if got := schemaByName(t, p, api.ToString(want.Name)); !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %s\nwant %s", api.ToString(want.Name), showAttr(got), showAttr(want))
		}
	}

	// Describe reports exactly what Create answered.
	if d := e.describe(t, api.ToString(p.Id)); !reflect.DeepEqual(d, p) {
		t.Errorf("describe differs from create:\n%+v\n%+v", d, p)
	}
}

func showAttr(a api.SchemaAttributeType) string {
	s := fmt.Sprintf("%s %s dev=%v mut=%v req=%v", api.ToString(a.Name), a.AttributeDataType,
		api.ToBool(a.DeveloperOnlyAttribute), api.ToBool(a.Mutable), api.ToBool(a.Required))
	if c := a.StringAttributeConstraints; c != nil {
		s += fmt.Sprintf(" str[%v,%v]", api.ToString(c.MinLength), api.ToString(c.MaxLength))
	}
	if c := a.NumberAttributeConstraints; c != nil {
		s += fmt.Sprintf(" num[%v,%v]", api.ToString(c.MinValue), api.ToString(c.MaxValue))
	}
	return s
}

func TestCreateUserPoolSchema(t *testing.T) {
	s := func(name string, typ api.AttributeDataType) api.SchemaAttributeType {
		return api.SchemaAttributeType{Name: api.String(name), AttributeDataType: typ}
	}
	tests := []struct {
		name   string
		schema []api.SchemaAttributeType
		check  map[string]string // attribute → showAttr
		err    string            // message, or "~substring"
	}{
		{name: "required email becomes immutable unless said", schema: []api.SchemaAttributeType{
			{Name: api.String("email"), AttributeDataType: api.AttributeDataTypeString, Required: api.Bool(true)}},
			check: map[string]string{"email": "email String dev=false mut=false req=true str[0,2048]"}},
		{name: "standard attribute with new constraints", schema: []api.SchemaAttributeType{
			{Name: api.String("name"), Required: api.Bool(true), Mutable: api.Bool(true),
				StringAttributeConstraints: &api.StringAttributeConstraintsType{MinLength: api.String("1"), MaxLength: api.String("256")}}},
			check: map[string]string{"name": "name String dev=false mut=true req=true str[1,256]"}},
		{name: "sub restated as it is", schema: []api.SchemaAttributeType{
			{Name: api.String("sub"), AttributeDataType: api.AttributeDataTypeString, Required: api.Bool(true), Mutable: api.Bool(false),
				StringAttributeConstraints: &api.StringAttributeConstraintsType{MinLength: api.String("1"), MaxLength: api.String("2048")}}},
			check: map[string]string{"sub": "sub String dev=false mut=false req=true str[1,2048]"}},
		{name: "custom string without constraints", schema: []api.SchemaAttributeType{s("team", api.AttributeDataTypeString)},
			check: map[string]string{"custom:team": "custom:team String dev=false mut=false req=false str[,]"}},
		{name: "custom number with constraints, mutable", schema: []api.SchemaAttributeType{
			{Name: api.String("age"), AttributeDataType: api.AttributeDataTypeNumber, Mutable: api.Bool(true),
				NumberAttributeConstraints: &api.NumberAttributeConstraintsType{MinValue: api.String("0"), MaxValue: api.String("150")}}},
			check: map[string]string{"custom:age": "custom:age Number dev=false mut=true req=false num[0,150]"}},
		{name: "developer-only", schema: []api.SchemaAttributeType{
			{Name: api.String("secret"), AttributeDataType: api.AttributeDataTypeString, DeveloperOnlyAttribute: api.Bool(true), Mutable: api.Bool(true)}},
			check: map[string]string{"dev:custom:secret": "dev:custom:secret String dev=true mut=true req=false str[,]"}},
		{name: "custom number without constraints", schema: []api.SchemaAttributeType{s("score", api.AttributeDataTypeNumber)},
			check: map[string]string{"custom:score": "custom:score Number dev=false mut=false req=false num[,]"}},
		{name: "constraints of the other type are dropped", schema: []api.SchemaAttributeType{{Name: api.String("team"),
			AttributeDataType: api.AttributeDataTypeString, NumberAttributeConstraints: &api.NumberAttributeConstraintsType{MinValue: api.String("1")}}},
			check: map[string]string{"custom:team": "custom:team String dev=false mut=false req=false str[,]"}},
		{name: "custom boolean and datetime have no constraints", schema: []api.SchemaAttributeType{
			s("flag", api.AttributeDataTypeBoolean), s("seen", api.AttributeDataTypeDatetime)},
			check: map[string]string{"custom:flag": "custom:flag Boolean dev=false mut=false req=false",
				"custom:seen": "custom:seen DateTime dev=false mut=false req=false"}},
		{name: "custom without a type", schema: []api.SchemaAttributeType{{Name: api.String("x")}},
			err: "Invalid AttributeDataType input, consider using the provided AttributeDataType enum."},
		{name: "required custom", schema: []api.SchemaAttributeType{{Name: api.String("x"), AttributeDataType: api.AttributeDataTypeString, Required: api.Bool(true)}},
			err: "Required custom attributes are not supported currently."},
		{name: "standard type change", schema: []api.SchemaAttributeType{s("email", api.AttributeDataTypeNumber)},
			err: "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute email"},
		{name: "standard developer-only", schema: []api.SchemaAttributeType{{Name: api.String("email"), DeveloperOnlyAttribute: api.Bool(true)}},
			err: "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute email"},
		{name: "sub made optional", schema: []api.SchemaAttributeType{{Name: api.String("sub"), Required: api.Bool(false)}}, err: "~sub"},
		{name: "duplicate names", schema: []api.SchemaAttributeType{s("team", api.AttributeDataTypeString), s("team", api.AttributeDataTypeNumber)},
			err: "~Duplicate schema attribute name team"},
		{name: "nameless entry", schema: []api.SchemaAttributeType{{AttributeDataType: api.AttributeDataTypeString}}, err: "~name"},
		{name: "string longer than 2048", schema: []api.SchemaAttributeType{{Name: api.String("x"), AttributeDataType: api.AttributeDataTypeString,
			StringAttributeConstraints: &api.StringAttributeConstraintsType{MaxLength: api.String("4096")}}},
			err: "user.custom:x: String attributes cannot have a length of more than 2048"},
		{name: "min above max", schema: []api.SchemaAttributeType{{Name: api.String("x"), AttributeDataType: api.AttributeDataTypeString,
			StringAttributeConstraints: &api.StringAttributeConstraintsType{MinLength: api.String("9"), MaxLength: api.String("3")}}},
			err: "user.custom:x: Max length cannot be less than min length."},
		{name: "number min above max", schema: []api.SchemaAttributeType{{Name: api.String("n"), AttributeDataType: api.AttributeDataTypeNumber,
			NumberAttributeConstraints: &api.NumberAttributeConstraintsType{MinValue: api.String("10"), MaxValue: api.String("1")}}},
			err: "user.custom:n: Max value cannot be less than min value."},
		{name: "length not a number", schema: []api.SchemaAttributeType{{Name: api.String("x"), AttributeDataType: api.AttributeDataTypeString,
			StringAttributeConstraints: &api.StringAttributeConstraintsType{MaxLength: api.String("ten")}}},
			err: "Invalid StringAttributeConstraints for schema attribute custom:x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newPoolsEnv(t)
			p, err := e.tryCreate(func(in *api.CreateUserPoolRequest) { in.Schema = tc.schema })
			if tc.err != "" {
				wantAPIError(t, err, poolsInvalidParam, tc.err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for name, want := range tc.check {
				if got := showAttr(schemaByName(t, p, name)); got != want {
					t.Errorf("got  %s\nwant %s", got, want)
				}
			}
			// Custom attributes follow the 21 standard ones.
			if got := len(p.SchemaAttributes) - len(standardAttributes); got != countCustom(p.SchemaAttributes) {
				t.Errorf("%d attributes beyond the standard ones, %d custom", got, countCustom(p.SchemaAttributes))
			}
		})
	}
}

func TestCreateUserPoolRefusals(t *testing.T) {
	tests := []struct {
		name string
		edit func(*api.CreateUserPoolRequest)
		code string
		msg  string
	}{
		{"alias and username attributes", func(in *api.CreateUserPoolRequest) {
			in.AliasAttributes = []api.AliasAttributeType{api.AliasAttributeTypeEmail}
			in.UsernameAttributes = []api.UsernameAttributeType{api.UsernameAttributeTypeEmail}
		}, poolsInvalidParam, "Only one of AliasAttributes or UsernameAttributes can be set in a User Pool."},
		{"MFA on without SMS", func(in *api.CreateUserPoolRequest) { in.MfaConfiguration = api.UserPoolMfaTypeOn },
			poolsInvalidParam, "SMS configuration and Auto verification for phone_number are required when MFA is required/optional"},
		{"MFA optional with SMS but no phone verification", func(in *api.CreateUserPoolRequest) {
			in.MfaConfiguration = api.UserPoolMfaTypeOptional
			in.SmsConfiguration = poolsSMSConfig
		}, poolsInvalidParam, "SMS configuration and Auto verification for phone_number are required when MFA is required/optional"},
		{"verification before update of an attribute not verified", func(in *api.CreateUserPoolRequest) {
			in.UserAttributeUpdateSettings = &api.UserAttributeUpdateSettingsType{
				AttributesRequireVerificationBeforeUpdate: []api.VerifiedAttributeType{api.VerifiedAttributeTypeEmail}}
		}, poolsInvalidParam, "All attributes in AttributesRequireVerificationBeforeUpdate must exist in AutoVerifiedAttributes"},
		{"two temporary password lengths", func(in *api.CreateUserPoolRequest) {
			in.Policies = &api.UserPoolPolicyType{PasswordPolicy: &api.PasswordPolicyType{TemporaryPasswordValidityDays: api.Int32(3)}}
			in.AdminCreateUserConfig = &api.AdminCreateUserConfigType{UnusedAccountValidityDays: api.Int32(5)}
		}, poolsInvalidParam, "Please use TemporaryPasswordValidityDays in PasswordPolicy instead of UnusedAccountValidityDays"},
		{"developer email without source", func(in *api.CreateUserPoolRequest) {
			in.EmailConfiguration = &api.EmailConfigurationType{EmailSendingAccount: api.EmailSendingAccountTypeDeveloper}
		}, poolsInvalidParam, "~SourceArn"},
		{"admin_only with another recovery", func(in *api.CreateUserPoolRequest) {
			in.AccountRecoverySetting = &api.AccountRecoverySettingType{RecoveryMechanisms: []api.RecoveryOptionType{
				{Name: api.RecoveryOptionNameTypeAdminOnly, Priority: api.Int32(1)},
				{Name: api.RecoveryOptionNameTypeVerifiedEmail, Priority: api.Int32(2)}}}
		}, poolsInvalidParam, "~admin_only"},
		{"recovery option twice", func(in *api.CreateUserPoolRequest) {
			in.AccountRecoverySetting = &api.AccountRecoverySettingType{RecoveryMechanisms: []api.RecoveryOptionType{
				{Name: api.RecoveryOptionNameTypeVerifiedEmail, Priority: api.Int32(1)},
				{Name: api.RecoveryOptionNameTypeVerifiedEmail, Priority: api.Int32(2)}}}
		}, poolsInvalidParam, "~more than once"},
		{"SMS MFA required and phone recovery", func(in *api.CreateUserPoolRequest) {
			in.MfaConfiguration = api.UserPoolMfaTypeOn
			in.SmsConfiguration = poolsSMSConfig
			in.AutoVerifiedAttributes = []api.VerifiedAttributeType{api.VerifiedAttributeTypePhoneNumber}
			in.AccountRecoverySetting = &api.AccountRecoverySettingType{RecoveryMechanisms: []api.RecoveryOptionType{
				{Name: api.RecoveryOptionNameTypeVerifiedPhoneNumber, Priority: api.Int32(1)}}}
		}, poolsInvalidParam, msgRecoveryPhoneMfa},
		{"pre token generation ARNs differ", func(in *api.CreateUserPoolRequest) {
			in.LambdaConfig = &api.LambdaConfigType{PreTokenGeneration: api.String("arn:aws:lambda:eu-west-3:210987654321:function:a"),
				PreTokenGenerationConfig: &api.PreTokenGenerationVersionConfigType{LambdaArn: api.String("arn:aws:lambda:eu-west-3:210987654321:function:b"),
					LambdaVersion: api.PreTokenGenerationLambdaVersionTypeV20}}
		}, poolsInvalidParam, "~PreTokenGeneration"},
		{"custom sender without a KMS key", func(in *api.CreateUserPoolRequest) {
			in.LambdaConfig = &api.LambdaConfigType{CustomEmailSender: &api.CustomEmailLambdaVersionConfigType{
				LambdaArn: api.String("arn:aws:lambda:eu-west-3:210987654321:function:mail"), LambdaVersion: "V1_0"}}
		}, poolsInvalidParam, "~KMSKeyID"},
		{"threat protection outside PLUS", func(in *api.CreateUserPoolRequest) {
			in.UserPoolAddOns = &api.UserPoolAddOnsType{AdvancedSecurityMode: api.AdvancedSecurityModeTypeEnforced}
		}, "FeatureUnavailableInTierException", ""},
		{"passwordless sign-in on LITE", func(in *api.CreateUserPoolRequest) {
			in.UserPoolTier = api.UserPoolTierTypeLite
			in.Policies = &api.UserPoolPolicyType{SignInPolicy: &api.SignInPolicyType{
				AllowedFirstAuthFactors: []api.AuthFactorType{api.AuthFactorTypePassword, api.AuthFactorTypeEmailOtp}}}
		}, "FeatureUnavailableInTierException", ""},
		{"51 tags", func(in *api.CreateUserPoolRequest) {
			in.UserPoolTags = map[string]string{}
			for i := range 51 {
				in.UserPoolTags[fmt.Sprint("k", i)] = "v"
			}
		}, poolsInvalidParam, "A user pool can have at most 50 tags."},
		{"51 custom attributes", func(in *api.CreateUserPoolRequest) {
			for i := range 51 {
				in.Schema = append(in.Schema, api.SchemaAttributeType{Name: api.String(fmt.Sprint("a", i)), AttributeDataType: api.AttributeDataTypeString})
			}
		}, poolsInvalidParam, "A user pool can have at most 50 custom attributes."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newPoolsEnv(t)
			_, err := e.tryCreate(tc.edit)
			wantAPIError(t, err, tc.code, tc.msg)
		})
	}
}

func TestCreateUserPoolSettings(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*api.CreateUserPoolRequest)
		check func(t *testing.T, p *api.UserPoolType)
	}{
		{"lists are sets", func(in *api.CreateUserPoolRequest) {
			in.AutoVerifiedAttributes = []api.VerifiedAttributeType{"email", "email"}
			in.AliasAttributes = []api.AliasAttributeType{"email", "preferred_username", "email"}
			in.UserAttributeUpdateSettings = &api.UserAttributeUpdateSettingsType{
				AttributesRequireVerificationBeforeUpdate: []api.VerifiedAttributeType{"email", "email"}}
		}, func(t *testing.T, p *api.UserPoolType) {
			if !reflect.DeepEqual(p.AutoVerifiedAttributes, []api.VerifiedAttributeType{"email"}) ||
				!reflect.DeepEqual(p.AliasAttributes, []api.AliasAttributeType{"email", "preferred_username"}) ||
				!reflect.DeepEqual(p.UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate, []api.VerifiedAttributeType{"email"}) {
				t.Errorf("%v %v %v", p.AutoVerifiedAttributes, p.AliasAttributes, p.UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate)
			}
		}},
		{"legacy unused-account days set both", func(in *api.CreateUserPoolRequest) {
			in.AdminCreateUserConfig = &api.AdminCreateUserConfigType{UnusedAccountValidityDays: api.Int32(3), AllowAdminCreateUserOnly: api.Bool(true)}
		}, func(t *testing.T, p *api.UserPoolType) {
			if api.ToInt32(p.Policies.PasswordPolicy.TemporaryPasswordValidityDays) != 3 || api.ToInt32(p.AdminCreateUserConfig.UnusedAccountValidityDays) != 3 ||
				!api.ToBool(p.AdminCreateUserConfig.AllowAdminCreateUserOnly) {
				t.Errorf("%+v %+v", p.Policies.PasswordPolicy, p.AdminCreateUserConfig)
			}
		}},
		{"partial password policy", func(in *api.CreateUserPoolRequest) {
			in.Policies = &api.UserPoolPolicyType{PasswordPolicy: &api.PasswordPolicyType{MinimumLength: api.Int32(12), RequireNumbers: api.Bool(true),
				PasswordHistorySize: api.Int32(5)}}
		}, func(t *testing.T, p *api.UserPoolType) {
			want := api.PasswordPolicyType{MinimumLength: api.Int32(12), RequireUppercase: api.Bool(false), RequireLowercase: api.Bool(false),
				RequireNumbers: api.Bool(true), RequireSymbols: api.Bool(false), PasswordHistorySize: api.Int32(5), TemporaryPasswordValidityDays: api.Int32(7)}
			if !reflect.DeepEqual(*p.Policies.PasswordPolicy, want) {
				t.Errorf("%+v", *p.Policies.PasswordPolicy)
			}
			if p.Policies.SignInPolicy == nil {
				t.Error("no sign-in policy")
			}
		}},
		{"legacy messages fill the template", func(in *api.CreateUserPoolRequest) {
			in.SmsVerificationMessage = api.String("SMS code {####}")
			in.EmailVerificationSubject = api.String("Hello")
			in.VerificationMessageTemplate = &api.VerificationMessageTemplateType{EmailMessage: api.String("Mail code {####}")}
		}, func(t *testing.T, p *api.UserPoolType) {
			tm := p.VerificationMessageTemplate
			if api.ToString(tm.SmsMessage) != "SMS code {####}" || api.ToString(tm.EmailMessage) != "Mail code {####}" ||
				api.ToString(tm.EmailSubject) != "Hello" || api.ToString(p.EmailVerificationMessage) != "Mail code {####}" ||
				api.ToString(p.SmsVerificationMessage) != "SMS code {####}" {
				t.Errorf("%+v", tm)
			}
		}},
		{"link option gets link defaults", func(in *api.CreateUserPoolRequest) {
			in.VerificationMessageTemplate = &api.VerificationMessageTemplateType{DefaultEmailOption: api.DefaultEmailOptionTypeConfirmWithLink}
		}, func(t *testing.T, p *api.UserPoolType) {
			if p.VerificationMessageTemplate.EmailMessageByLink == nil || p.VerificationMessageTemplate.EmailSubjectByLink == nil {
				t.Errorf("%+v", p.VerificationMessageTemplate)
			}
		}},
		{"pre token generation legacy ARN fills the config", func(in *api.CreateUserPoolRequest) {
			in.LambdaConfig = &api.LambdaConfigType{PreTokenGeneration: api.String("arn:aws:lambda:eu-west-3:210987654321:function:a")}
		}, func(t *testing.T, p *api.UserPoolType) {
			c := p.LambdaConfig.PreTokenGenerationConfig
			if c == nil || api.ToString(c.LambdaArn) != "arn:aws:lambda:eu-west-3:210987654321:function:a" || c.LambdaVersion != "V1_0" {
				t.Errorf("%+v", c)
			}
		}},
		{"MFA optional with SMS", func(in *api.CreateUserPoolRequest) {
			in.MfaConfiguration = api.UserPoolMfaTypeOptional
			in.SmsConfiguration = poolsSMSConfig
			in.AutoVerifiedAttributes = []api.VerifiedAttributeType{"phone_number"}
			in.SmsAuthenticationMessage = api.String("Sign-in code {####}")
		}, func(t *testing.T, p *api.UserPoolType) {
			if p.MfaConfiguration != "OPTIONAL" || !reflect.DeepEqual(p.SmsConfiguration, poolsSMSConfig) {
				t.Errorf("%v %+v", p.MfaConfiguration, p.SmsConfiguration)
			}
		}},
		{"tier and tags", func(in *api.CreateUserPoolRequest) {
			in.UserPoolTier = api.UserPoolTierTypePlus
			in.UserPoolTags = map[string]string{"team": "id"}
			in.UserPoolAddOns = &api.UserPoolAddOnsType{AdvancedSecurityMode: api.AdvancedSecurityModeTypeAudit}
		}, func(t *testing.T, p *api.UserPoolType) {
			if p.UserPoolTier != "PLUS" || p.UserPoolTags["team"] != "id" || p.UserPoolAddOns.AdvancedSecurityMode != "AUDIT" ||
				p.UserPoolAddOns.AdvancedSecurityAdditionalFlows == nil {
				t.Errorf("%v %v %+v", p.UserPoolTier, p.UserPoolTags, p.UserPoolAddOns)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newPoolsEnv(t)
			p := e.create(t, tc.edit)
			tc.check(t, p)
			tc.check(t, e.describe(t, api.ToString(p.Id)))
		})
	}
}

func TestUpdateUserPoolReplacesSettings(t *testing.T) {
	e := newPoolsEnv(t)
	p := e.create(t, func(in *api.CreateUserPoolRequest) {
		in.PoolName = api.String("first")
		in.DeletionProtection = api.DeletionProtectionTypeActive
		in.AliasAttributes = []api.AliasAttributeType{"email"}
		in.AutoVerifiedAttributes = []api.VerifiedAttributeType{"email"}
		in.UsernameConfiguration = &api.UsernameConfigurationType{CaseSensitive: api.Bool(false)}
		in.Schema = []api.SchemaAttributeType{{Name: api.String("team"), AttributeDataType: api.AttributeDataTypeString}}
		in.DeviceConfiguration = &api.DeviceConfigurationType{ChallengeRequiredOnNewDevice: api.Bool(true)}
		in.LambdaConfig = &api.LambdaConfigType{PreSignUp: api.String("arn:aws:lambda:eu-west-3:210987654321:function:pre")}
		in.UserPoolTags = map[string]string{"keep": "me"}
		in.UserPoolTier = api.UserPoolTierTypePlus
		in.SmsAuthenticationMessage = api.String("code {####}")
	})
	id := api.ToString(p.Id)
	e.now = e.now.Add(time.Hour)
	if err := e.update(id, func(in *api.UpdateUserPoolRequest) {
		in.Policies = &api.UserPoolPolicyType{PasswordPolicy: &api.PasswordPolicyType{MinimumLength: api.Int32(10)}}
	}); err != nil {
		t.Fatal(err)
	}
	got := e.describe(t, id)
	// Reset to defaults.
	if got.DeletionProtection != "INACTIVE" || got.DeviceConfiguration != nil || got.AutoVerifiedAttributes != nil ||
		!reflect.DeepEqual(*got.LambdaConfig, api.LambdaConfigType{}) || got.SmsAuthenticationMessage != nil {
		t.Errorf("omitted members not reset: %v %+v %v %+v %v", got.DeletionProtection, got.DeviceConfiguration,
			got.AutoVerifiedAttributes, got.LambdaConfig, got.SmsAuthenticationMessage)
	}
	if api.ToInt32(got.Policies.PasswordPolicy.MinimumLength) != 10 || api.ToBool(got.Policies.PasswordPolicy.RequireSymbols) {
		t.Errorf("policy %+v", got.Policies.PasswordPolicy)
	}
	// Kept: what UpdateUserPool does not take, and what it keeps when left out.
	if api.ToString(got.Name) != "first" || got.UserPoolTier != "PLUS" || got.UserPoolTags["keep"] != "me" ||
		!reflect.DeepEqual(got.AliasAttributes, []api.AliasAttributeType{"email"}) ||
		got.UsernameConfiguration == nil || countCustom(got.SchemaAttributes) != 1 ||
		!got.CreationDate.Time().Equal(p.CreationDate.Time()) {
		t.Errorf("kept members changed: %+v", got)
	}
	if !got.LastModifiedDate.Time().Equal(e.now.Truncate(time.Millisecond)) {
		t.Errorf("last modified %v", got.LastModifiedDate.Time())
	}

	// Name, tags and tier change when given.
	if err := e.update(id, func(in *api.UpdateUserPoolRequest) {
		in.PoolName = api.String("second")
		in.UserPoolTags = map[string]string{"new": "tag"}
		in.UserPoolTier = api.UserPoolTierTypeLite
	}); err != nil {
		t.Fatal(err)
	}
	got = e.describe(t, id)
	if api.ToString(got.Name) != "second" || !reflect.DeepEqual(got.UserPoolTags, map[string]string{"new": "tag"}) || got.UserPoolTier != "LITE" {
		t.Errorf("%v %v %v", api.ToString(got.Name), got.UserPoolTags, got.UserPoolTier)
	}

	// A refused update changes nothing.
	err := e.update(id, func(in *api.UpdateUserPoolRequest) {
		in.DeletionProtection = api.DeletionProtectionTypeActive
		in.UserAttributeUpdateSettings = &api.UserAttributeUpdateSettingsType{
			AttributesRequireVerificationBeforeUpdate: []api.VerifiedAttributeType{"email"}}
	})
	wantAPIError(t, err, poolsInvalidParam, "All attributes in AttributesRequireVerificationBeforeUpdate must exist in AutoVerifiedAttributes")
	if e.describe(t, id).DeletionProtection != "INACTIVE" {
		t.Error("a refused update was applied")
	}

	err = e.update("eu-west-3_nothere12", nil)
	wantAPIError(t, err, poolsNotFound, "User pool eu-west-3_nothere12 does not exist.")
}

func TestDeleteUserPool(t *testing.T) {
	e := newPoolsEnv(t)
	p := e.create(t, func(in *api.CreateUserPoolRequest) { in.DeletionProtection = api.DeletionProtectionTypeActive })
	id := api.ToString(p.Id)
	err := e.svc.DeleteUserPool(e.ctx, &api.DeleteUserPoolRequest{UserPoolId: p.Id})
	wantAPIError(t, err, poolsInvalidParam,
		"The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.")
	if err := e.update(id, func(in *api.UpdateUserPoolRequest) { in.DeletionProtection = api.DeletionProtectionTypeInactive }); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeleteUserPool(e.ctx, &api.DeleteUserPoolRequest{UserPoolId: p.Id}); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.DescribeUserPool(e.ctx, &api.DescribeUserPoolRequest{UserPoolId: p.Id})
	wantAPIError(t, err, poolsNotFound, "User pool "+id+" does not exist.")
	err = e.svc.DeleteUserPool(e.ctx, &api.DeleteUserPoolRequest{UserPoolId: p.Id})
	wantAPIError(t, err, poolsNotFound, "User pool "+id+" does not exist.")
}

func TestListUserPools(t *testing.T) {
	e := newPoolsEnv(t)
	var ids []string
	for i := range 5 {
		p := e.create(t, func(in *api.CreateUserPoolRequest) { in.PoolName = api.String(fmt.Sprint("p", i)) })
		ids = append(ids, api.ToString(p.Id))
	}
	var got []string
	var token *string
	pages := 0
	for {
		out, err := e.svc.ListUserPools(e.ctx, &api.ListUserPoolsRequest{MaxResults: api.Int32(2), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, d := range out.UserPools {
			got = append(got, api.ToString(d.Id))
			if d.LambdaConfig == nil || d.CreationDate == nil || d.LastModifiedDate == nil || d.Status != "" {
				t.Errorf("description %+v", d)
			}
		}
		if out.NextToken == nil {
			break
		}
		token = out.NextToken
	}
	if !reflect.DeepEqual(got, ids) || pages != 3 {
		t.Errorf("listed %v in %d pages, want %v in 3", got, pages, ids)
	}
	for _, bad := range []string{"nope", "v1:AAAA", *must(e.svc.sealPageToken(poolsPageScope, "x")) + "A", *must(e.svc.sealPageToken("ListGroups\x00x", "MQ"))} {
		_, err := e.svc.ListUserPools(e.ctx, &api.ListUserPoolsRequest{MaxResults: api.Int32(2), NextToken: api.String(bad)})
		wantAPIError(t, err, poolsInvalidParam, "")
	}
	for _, n := range []int32{0, 61} {
		_, err := e.svc.ListUserPools(e.ctx, &api.ListUserPoolsRequest{MaxResults: api.Int32(n)})
		wantAPIError(t, err, poolsInvalidParam, "")
	}
}

func must(s string, err error) *string {
	if err != nil {
		panic(err)
	}
	return &s
}

func TestAddCustomAttributes(t *testing.T) {
	e := newPoolsEnv(t)
	p := e.create(t, func(in *api.CreateUserPoolRequest) {
		in.Schema = []api.SchemaAttributeType{{Name: api.String("team"), AttributeDataType: api.AttributeDataTypeString}}
	})
	add := func(attrs ...api.SchemaAttributeType) error {
		_, err := e.svc.AddCustomAttributes(e.ctx, &api.AddCustomAttributesRequest{UserPoolId: p.Id, CustomAttributes: attrs})
		return err
	}
	if err := add(
		api.SchemaAttributeType{Name: api.String("level"), AttributeDataType: api.AttributeDataTypeNumber, Mutable: api.Bool(true),
			NumberAttributeConstraints: &api.NumberAttributeConstraintsType{MinValue: api.String("1"), MaxValue: api.String("9")}},
		api.SchemaAttributeType{Name: api.String("note"), AttributeDataType: api.AttributeDataTypeString, DeveloperOnlyAttribute: api.Bool(true),
			StringAttributeConstraints: &api.StringAttributeConstraintsType{MaxLength: api.String("100")}},
	); err != nil {
		t.Fatal(err)
	}
	got := e.describe(t, api.ToString(p.Id))
	if s := showAttr(schemaByName(t, got, "custom:level")); s != "custom:level Number dev=false mut=true req=false num[1,9]" {
		t.Error(s)
	}
	if s := showAttr(schemaByName(t, got, "dev:custom:note")); s != "dev:custom:note String dev=true mut=false req=false str[,100]" {
		t.Error(s)
	}
	if n := len(got.SchemaAttributes); n != len(standardAttributes)+3 {
		t.Errorf("%d attributes", n)
	}

	wantAPIError(t, add(api.SchemaAttributeType{Name: api.String("team"), AttributeDataType: api.AttributeDataTypeNumber}),
		poolsInvalidParam, "custom:team: Existing attribute already has name custom:team.")
	wantAPIError(t, add(api.SchemaAttributeType{Name: api.String("note"), AttributeDataType: api.AttributeDataTypeString}),
		poolsInvalidParam, "custom:note: Existing attribute already has name dev:custom:note.")
	wantAPIError(t, add(api.SchemaAttributeType{Name: api.String("x")}), poolsInvalidParam, msgInvalidDataType)
	wantAPIError(t, add(api.SchemaAttributeType{Name: api.String("x"), AttributeDataType: api.AttributeDataTypeString, Required: api.Bool(true)}),
		poolsInvalidParam, "Required custom attributes are not supported currently.")
	wantAPIError(t, add(api.SchemaAttributeType{Name: api.String("y"), AttributeDataType: api.AttributeDataTypeString},
		api.SchemaAttributeType{Name: api.String("y"), AttributeDataType: api.AttributeDataTypeString}),
		poolsInvalidParam, "custom:y: Existing attribute already has name custom:y.")

	// Up to 50 custom attributes: 3 exist, 47 more fit, the 51st does not.
	var more []api.SchemaAttributeType
	for i := range 47 {
		more = append(more, api.SchemaAttributeType{Name: api.String(fmt.Sprint("m", i)), AttributeDataType: api.AttributeDataTypeString})
	}
	if err := add(more[:25]...); err != nil {
		t.Fatal(err)
	}
	if err := add(more[25:]...); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, add(api.SchemaAttributeType{Name: api.String("over"), AttributeDataType: api.AttributeDataTypeString}),
		poolsInvalidParam, "A user pool can have at most 50 custom attributes.")

	_, err := e.svc.AddCustomAttributes(e.ctx, &api.AddCustomAttributesRequest{UserPoolId: api.String("eu-west-3_nothere12"),
		CustomAttributes: []api.SchemaAttributeType{{Name: api.String("z"), AttributeDataType: api.AttributeDataTypeString}}})
	wantAPIError(t, err, poolsNotFound, "User pool eu-west-3_nothere12 does not exist.")
}

// TestPoolOperationsTakeEmptyRequests: requests with every member missing
// (which the protocol layer refuses, but callers inside the process can
// send) answer errors, never panics.
func TestPoolOperationsTakeEmptyRequests(t *testing.T) {
	e := newPoolsEnv(t)
	p := e.create(t, nil)
	calls := map[string]func() error{
		"CreateUserPool": func() error { _, err := e.svc.CreateUserPool(e.ctx, &api.CreateUserPoolRequest{}); return err },
		"DescribeUserPool": func() error {
			_, err := e.svc.DescribeUserPool(e.ctx, &api.DescribeUserPoolRequest{})
			return err
		},
		"UpdateUserPool": func() error { _, err := e.svc.UpdateUserPool(e.ctx, &api.UpdateUserPoolRequest{}); return err },
		"DeleteUserPool": func() error { return e.svc.DeleteUserPool(e.ctx, &api.DeleteUserPoolRequest{}) },
		"ListUserPools":  func() error { _, err := e.svc.ListUserPools(e.ctx, &api.ListUserPoolsRequest{}); return err },
		"AddCustomAttributes": func() error {
			_, err := e.svc.AddCustomAttributes(e.ctx, &api.AddCustomAttributesRequest{})
			return err
		},
		"TagResource":   func() error { _, err := e.svc.TagResource(e.ctx, &api.TagResourceRequest{}); return err },
		"UntagResource": func() error { _, err := e.svc.UntagResource(e.ctx, &api.UntagResourceRequest{}); return err },
		"ListTagsForResource": func() error {
			_, err := e.svc.ListTagsForResource(e.ctx, &api.ListTagsForResourceRequest{})
			return err
		},
		"GetUserPoolMfaConfig": func() error {
			_, err := e.svc.GetUserPoolMfaConfig(e.ctx, &api.GetUserPoolMfaConfigRequest{})
			return err
		},
		"SetUserPoolMfaConfig": func() error {
			_, err := e.svc.SetUserPoolMfaConfig(e.ctx, &api.SetUserPoolMfaConfigRequest{})
			return err
		},
		"GetSigningCertificate": func() error {
			_, err := e.svc.GetSigningCertificate(e.ctx, &api.GetSigningCertificateRequest{})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			var ae *api.Error
			if err := call(); err == nil || !asAPIError(err, &ae) {
				t.Fatalf("error %v, want an API error", err)
			}
		})
	}
	// Every optional struct present but empty: defaults fill them in.
	empty := &api.CreateUserPoolRequest{
		PoolName: api.String("empty"), Policies: &api.UserPoolPolicyType{PasswordPolicy: &api.PasswordPolicyType{}, SignInPolicy: &api.SignInPolicyType{}},
		LambdaConfig:                &api.LambdaConfigType{PreTokenGenerationConfig: &api.PreTokenGenerationVersionConfigType{}},
		VerificationMessageTemplate: &api.VerificationMessageTemplateType{}, UserAttributeUpdateSettings: &api.UserAttributeUpdateSettingsType{},
		DeviceConfiguration: &api.DeviceConfigurationType{}, EmailConfiguration: &api.EmailConfigurationType{},
		AdminCreateUserConfig: &api.AdminCreateUserConfigType{InviteMessageTemplate: &api.MessageTemplateType{}},
		UserPoolAddOns:        &api.UserPoolAddOnsType{}, UsernameConfiguration: &api.UsernameConfigurationType{},
		AccountRecoverySetting: &api.AccountRecoverySettingType{RecoveryMechanisms: []api.RecoveryOptionType{{}}},
		Schema:                 []api.SchemaAttributeType{{Name: api.String("email")}, {Name: api.String("c"), AttributeDataType: "String", StringAttributeConstraints: &api.StringAttributeConstraintsType{}, NumberAttributeConstraints: &api.NumberAttributeConstraintsType{}}},
		UserPoolTags:           map[string]string{},
	}
	out, err := e.svc.CreateUserPool(e.ctx, empty)
	if err != nil {
		t.Fatal(err)
	}
	if out.UserPool.Policies.PasswordPolicy.MinimumLength == nil || out.UserPool.VerificationMessageTemplate.SmsMessage == nil {
		t.Errorf("defaults missing: %+v", out.UserPool)
	}
	upd := &api.UpdateUserPoolRequest{UserPoolId: p.Id, Policies: &api.UserPoolPolicyType{}, LambdaConfig: &api.LambdaConfigType{},
		VerificationMessageTemplate: &api.VerificationMessageTemplateType{}, EmailConfiguration: &api.EmailConfigurationType{},
		AdminCreateUserConfig: &api.AdminCreateUserConfigType{}, AccountRecoverySetting: &api.AccountRecoverySettingType{}}
	if _, err := e.svc.UpdateUserPool(e.ctx, upd); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetUserPoolMfaConfig(e.ctx, &api.SetUserPoolMfaConfigRequest{UserPoolId: p.Id,
		SoftwareTokenMfaConfiguration: &api.SoftwareTokenMfaConfigType{}, WebAuthnConfiguration: &api.WebAuthnConfigurationType{}}); err != nil {
		t.Fatal(err)
	}
}

func asAPIError(err error, target **api.Error) bool {
	ae, ok := err.(*api.Error)
	if ok {
		*target = ae
	}
	return ok
}

// TestUpdateKeepsAttributeUpdateSettings: UpdateUserPool changes
// AttributesRequireVerificationBeforeUpdate only when given, so an update
// that leaves out AutoVerifiedAttributes of a pool that requires verification
// before updates is refused, as in Cognito.
func TestUpdateKeepsAttributeUpdateSettings(t *testing.T) {
	e := newPoolsEnv(t)
	p := e.create(t, func(in *api.CreateUserPoolRequest) {
		in.AutoVerifiedAttributes = []api.VerifiedAttributeType{"email"}
		in.UserAttributeUpdateSettings = &api.UserAttributeUpdateSettingsType{
			AttributesRequireVerificationBeforeUpdate: []api.VerifiedAttributeType{"email"}}
	})
	id := api.ToString(p.Id)
	wantAPIError(t, e.update(id, func(in *api.UpdateUserPoolRequest) { in.DeletionProtection = "ACTIVE" }),
		poolsInvalidParam, "All attributes in AttributesRequireVerificationBeforeUpdate must exist in AutoVerifiedAttributes")
	if err := e.update(id, func(in *api.UpdateUserPoolRequest) { in.AutoVerifiedAttributes = []api.VerifiedAttributeType{"email"} }); err != nil {
		t.Fatal(err)
	}
	if got := e.describe(t, id).UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate; !reflect.DeepEqual(got, []api.VerifiedAttributeType{"email"}) {
		t.Errorf("settings not kept: %v", got)
	}
	if err := e.update(id, func(in *api.UpdateUserPoolRequest) {
		in.UserAttributeUpdateSettings = &api.UserAttributeUpdateSettingsType{AttributesRequireVerificationBeforeUpdate: []api.VerifiedAttributeType{}}
	}); err != nil {
		t.Fatal(err)
	}
	if got := e.describe(t, id).UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate; got == nil || len(got) != 0 {
		t.Errorf("settings not cleared: %v", got)
	}
}

// Auto-verified phone numbers without an SMS configuration are accepted at
// creation, as Cognito accepts them.
func TestCreateUserPoolPhoneVerificationWithoutSMS(t *testing.T) {
	e := newPoolsEnv(t)
	p := e.create(t, func(in *api.CreateUserPoolRequest) {
		in.AutoVerifiedAttributes = []api.VerifiedAttributeType{api.VerifiedAttributeTypePhoneNumber}
	})
	if got := e.describe(t, api.ToString(p.Id)).AutoVerifiedAttributes; len(got) != 1 || got[0] != api.VerifiedAttributeTypePhoneNumber {
		t.Fatalf("AutoVerifiedAttributes = %v", got)
	}
}

// DescribeUserPool's EstimatedNumberOfUsers counts the pool's users.
func TestDescribeUserPoolCountsUsers(t *testing.T) {
	e := newPoolsEnv(t)
	id := api.ToString(e.create(t, nil).Id)
	if n := api.ToInt32(e.describe(t, id).EstimatedNumberOfUsers); n != 0 {
		t.Fatalf("new pool reports %d users", n)
	}
	for i, sub := range []string{"11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"} {
		name := []string{"ann", "bob"}[i]
		if err := e.svc.Store.CreateUser(e.ctx, store.User{PoolID: id, Sub: sub, Username: name, UsernameKey: name,
			Status: "CONFIRMED", Enabled: true, Created: e.now, Modified: e.now, Doc: []byte("{}")}); err != nil {
			t.Fatal(err)
		}
	}
	if n := api.ToInt32(e.describe(t, id).EstimatedNumberOfUsers); n != 2 {
		t.Fatalf("pool with 2 users reports %d", n)
	}
}

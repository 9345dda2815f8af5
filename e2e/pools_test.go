package e2e

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitod/cognitod/internal/testserver"
)

const lambdaARN = "arn:aws:lambda:us-east-1:123456789012:function:"

var poolSMS = &types.SmsConfigurationType{
	SnsCallerArn: aws.String("arn:aws:iam::123456789012:role/cognito-sms"),
	ExternalId:   aws.String("ext-42"),
	SnsRegion:    aws.String("us-east-1"),
}

// fullPoolInput sets (nearly) every member CreateUserPool takes.
func fullPoolInput() *cip.CreateUserPoolInput {
	return &cip.CreateUserPoolInput{
		PoolName: aws.String("everything"),
		Policies: &types.UserPoolPolicyType{
			PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(12), RequireLowercase: true, RequireNumbers: true,
				RequireUppercase: true, PasswordHistorySize: aws.Int32(5), TemporaryPasswordValidityDays: 3},
			SignInPolicy: &types.SignInPolicyType{AllowedFirstAuthFactors: []types.AuthFactorType{"PASSWORD", "EMAIL_OTP", "PASSWORD"}},
		},
		DeletionProtection: types.DeletionProtectionTypeActive,
		LambdaConfig: &types.LambdaConfigType{
			PreSignUp: aws.String(lambdaARN + "pre-sign-up"), CustomMessage: aws.String(lambdaARN + "custom-message"),
			PostConfirmation: aws.String(lambdaARN + "post-confirmation"), PreAuthentication: aws.String(lambdaARN + "pre-auth"),
			PostAuthentication: aws.String(lambdaARN + "post-auth"), DefineAuthChallenge: aws.String(lambdaARN + "define"),
			CreateAuthChallenge: aws.String(lambdaARN + "create"), VerifyAuthChallengeResponse: aws.String(lambdaARN + "verify"),
			UserMigration: aws.String(lambdaARN + "migrate"),
			PreTokenGenerationConfig: &types.PreTokenGenerationVersionConfigType{LambdaArn: aws.String(lambdaARN + "pre-token"),
				LambdaVersion: types.PreTokenGenerationLambdaVersionTypeV20},
			CustomSMSSender:   &types.CustomSMSLambdaVersionConfigType{LambdaArn: aws.String(lambdaARN + "sms"), LambdaVersion: "V1_0"},
			CustomEmailSender: &types.CustomEmailLambdaVersionConfigType{LambdaArn: aws.String(lambdaARN + "email"), LambdaVersion: "V1_0"},
			KMSKeyID:          aws.String("arn:aws:kms:us-east-1:123456789012:key/0b5d1a87-a3f9-4a43-a3e1-0a2f7b0c7e11"),
		},
		AutoVerifiedAttributes: []types.VerifiedAttributeType{"email", "phone_number", "email"},
		UsernameAttributes:     []types.UsernameAttributeType{"email", "email"},
		VerificationMessageTemplate: &types.VerificationMessageTemplateType{
			SmsMessage: aws.String("Your code is {####}"), EmailMessage: aws.String("Mail code {####}"), EmailSubject: aws.String("Your code"),
			EmailMessageByLink: aws.String("Click {##here##} to verify"), EmailSubjectByLink: aws.String("Verify your address"),
			DefaultEmailOption: types.DefaultEmailOptionTypeConfirmWithLink,
		},
		SmsAuthenticationMessage: aws.String("Sign-in code {####}"),
		MfaConfiguration:         types.UserPoolMfaTypeOptional,
		UserAttributeUpdateSettings: &types.UserAttributeUpdateSettingsType{
			AttributesRequireVerificationBeforeUpdate: []types.VerifiedAttributeType{"email"}},
		DeviceConfiguration: &types.DeviceConfigurationType{ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true},
		EmailConfiguration: &types.EmailConfigurationType{
			SourceArn: aws.String("arn:aws:ses:us-east-1:123456789012:identity/no-reply@example.com"), ReplyToEmailAddress: aws.String("help@example.com"),
			EmailSendingAccount: types.EmailSendingAccountTypeDeveloper, From: aws.String("Example <no-reply@example.com>"), ConfigurationSet: aws.String("cfg-set"),
		},
		SmsConfiguration: poolSMS,
		UserPoolTags:     map[string]string{"env": "test", "owner": "identity"},
		AdminCreateUserConfig: &types.AdminCreateUserConfigType{AllowAdminCreateUserOnly: true,
			InviteMessageTemplate: &types.MessageTemplateType{SMSMessage: aws.String("Hi {username}, password {####}"),
				EmailMessage: aws.String("Hello {username}, your password is {####}"), EmailSubject: aws.String("Welcome")}},
		Schema: []types.SchemaAttributeType{
			{Name: aws.String("email"), AttributeDataType: types.AttributeDataTypeString, Required: aws.Bool(true), Mutable: aws.Bool(true)},
			{Name: aws.String("team"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true),
				StringAttributeConstraints: &types.StringAttributeConstraintsType{MinLength: aws.String("1"), MaxLength: aws.String("64")}},
			{Name: aws.String("level"), AttributeDataType: types.AttributeDataTypeNumber, Mutable: aws.Bool(false),
				NumberAttributeConstraints: &types.NumberAttributeConstraintsType{MinValue: aws.String("1"), MaxValue: aws.String("10")}},
			{Name: aws.String("flag"), AttributeDataType: types.AttributeDataTypeBoolean, DeveloperOnlyAttribute: aws.Bool(true)},
		},
		UserPoolAddOns: &types.UserPoolAddOnsType{AdvancedSecurityMode: types.AdvancedSecurityModeTypeEnforced,
			AdvancedSecurityAdditionalFlows: &types.AdvancedSecurityAdditionalFlowsType{CustomAuthMode: types.AdvancedSecurityEnabledModeTypeAudit}},
		UsernameConfiguration: &types.UsernameConfigurationType{CaseSensitive: aws.Bool(false)},
		AccountRecoverySetting: &types.AccountRecoverySettingType{RecoveryMechanisms: []types.RecoveryOptionType{
			{Name: types.RecoveryOptionNameTypeVerifiedEmail, Priority: aws.Int32(1)},
			{Name: types.RecoveryOptionNameTypeVerifiedPhoneNumber, Priority: aws.Int32(2)}}},
		UserPoolTier: types.UserPoolTierTypePlus,
	}
}

// fullPoolWant is what DescribeUserPool reports for fullPoolInput, but for
// the members only the server knows (id, ARN, dates, schema).
func fullPoolWant(in *cip.CreateUserPoolInput) types.UserPoolType {
	lambda := *in.LambdaConfig
	lambda.PreTokenGeneration = aws.String(lambdaARN + "pre-token") // kept in step with PreTokenGenerationConfig
	tmpl := *in.VerificationMessageTemplate
	return types.UserPoolType{
		Name: in.PoolName,
		Policies: &types.UserPoolPolicyType{
			PasswordPolicy: in.Policies.PasswordPolicy,
			SignInPolicy:   &types.SignInPolicyType{AllowedFirstAuthFactors: []types.AuthFactorType{"PASSWORD", "EMAIL_OTP"}},
		},
		DeletionProtection:          types.DeletionProtectionTypeActive,
		LambdaConfig:                &lambda,
		AutoVerifiedAttributes:      []types.VerifiedAttributeType{"email", "phone_number"},
		UsernameAttributes:          []types.UsernameAttributeType{"email"},
		SmsVerificationMessage:      tmpl.SmsMessage,
		EmailVerificationMessage:    tmpl.EmailMessage,
		EmailVerificationSubject:    tmpl.EmailSubject,
		VerificationMessageTemplate: &tmpl,
		SmsAuthenticationMessage:    in.SmsAuthenticationMessage,
		UserAttributeUpdateSettings: in.UserAttributeUpdateSettings,
		MfaConfiguration:            types.UserPoolMfaTypeOptional,
		DeviceConfiguration:         in.DeviceConfiguration,
		EmailConfiguration:          in.EmailConfiguration,
		SmsConfiguration:            in.SmsConfiguration,
		UserPoolTags:                in.UserPoolTags,
		AdminCreateUserConfig: &types.AdminCreateUserConfigType{AllowAdminCreateUserOnly: true, UnusedAccountValidityDays: 3,
			InviteMessageTemplate: in.AdminCreateUserConfig.InviteMessageTemplate},
		UserPoolAddOns:         in.UserPoolAddOns,
		UsernameConfiguration:  in.UsernameConfiguration,
		AccountRecoverySetting: in.AccountRecoverySetting,
		UserPoolTier:           types.UserPoolTierTypePlus,
	}
}

// samePool compares two pools through their JSON form, which shows where
// they differ.
func samePool(t *testing.T, what string, got, want types.UserPoolType) {
	t.Helper()
	g, _ := json.MarshalIndent(got, "", " ")
	w, _ := json.MarshalIndent(want, "", " ")
	if string(g) != string(w) {
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

func TestUserPoolRoundTrip(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	in := fullPoolInput()
	before := time.Now().Add(-time.Second)
	out, err := c.CreateUserPool(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	created := *out.UserPool
	id := aws.ToString(created.Id)
	if !regexp.MustCompile(`^us-east-1_[0-9A-Za-z]{9}$`).MatchString(id) {
		t.Errorf("id %q", id)
	}
	if aws.ToString(created.Arn) != "arn:aws:cognito-idp:us-east-1:123456789012:userpool/"+id {
		t.Errorf("arn %q", aws.ToString(created.Arn))
	}
	if created.CreationDate == nil || created.CreationDate.Before(before) || !created.CreationDate.Equal(*created.LastModifiedDate) {
		t.Errorf("dates %v %v", created.CreationDate, created.LastModifiedDate)
	}

	schema := map[string]types.SchemaAttributeType{}
	var order []string
	for _, a := range created.SchemaAttributes {
		schema[aws.ToString(a.Name)] = a
		order = append(order, aws.ToString(a.Name))
	}
	if len(order) != 24 || order[0] != "sub" || order[20] != "identities" ||
		!reflect.DeepEqual(order[21:], []string{"custom:team", "custom:level", "dev:custom:flag"}) {
		t.Errorf("schema order %v", order)
	}
	wantSchema := map[string]types.SchemaAttributeType{
		"email": {Name: aws.String("email"), AttributeDataType: "String", DeveloperOnlyAttribute: aws.Bool(false), Mutable: aws.Bool(true),
			Required: aws.Bool(true), StringAttributeConstraints: &types.StringAttributeConstraintsType{MinLength: aws.String("0"), MaxLength: aws.String("2048")}},
		"custom:team": {Name: aws.String("custom:team"), AttributeDataType: "String", DeveloperOnlyAttribute: aws.Bool(false), Mutable: aws.Bool(true),
			Required: aws.Bool(false), StringAttributeConstraints: &types.StringAttributeConstraintsType{MinLength: aws.String("1"), MaxLength: aws.String("64")}},
		"custom:level": {Name: aws.String("custom:level"), AttributeDataType: "Number", DeveloperOnlyAttribute: aws.Bool(false), Mutable: aws.Bool(false),
			Required: aws.Bool(false), NumberAttributeConstraints: &types.NumberAttributeConstraintsType{MinValue: aws.String("1"), MaxValue: aws.String("10")}},
		"dev:custom:flag": {Name: aws.String("dev:custom:flag"), AttributeDataType: "Boolean", DeveloperOnlyAttribute: aws.Bool(true), Mutable: aws.Bool(false),
			Required: aws.Bool(false)},
	}
	for name, want := range wantSchema {
		if got := schema[name]; !reflect.DeepEqual(got, want) {
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			t.Errorf("%s:\n got %s\nwant %s", name, g, w)
		}
	}

	want := fullPoolWant(in)
	want.Id, want.Arn, want.CreationDate, want.LastModifiedDate, want.SchemaAttributes = created.Id, created.Arn, created.CreationDate, created.LastModifiedDate, created.SchemaAttributes
	samePool(t, "CreateUserPool", created, want)

	d, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: created.Id})
	if err != nil {
		t.Fatal(err)
	}
	samePool(t, "DescribeUserPool", *d.UserPool, want)

	// The MFA view of the same pool.
	mfa, err := c.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: created.Id})
	if err != nil {
		t.Fatal(err)
	}
	if mfa.MfaConfiguration != types.UserPoolMfaTypeOptional || mfa.SmsMfaConfiguration == nil ||
		aws.ToString(mfa.SmsMfaConfiguration.SmsAuthenticationMessage) != "Sign-in code {####}" ||
		!reflect.DeepEqual(mfa.SmsMfaConfiguration.SmsConfiguration, poolSMS) {
		t.Errorf("MFA configuration %+v", mfa)
	}
}

func TestUserPoolDefaultsThroughSDK(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	out, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("defaults")})
	if err != nil {
		t.Fatal(err)
	}
	p := out.UserPool
	// What Terraform's provider dereferences without a nil check.
	if p.Policies == nil || p.Policies.PasswordPolicy == nil || p.LambdaConfig == nil || p.AdminCreateUserConfig == nil ||
		p.AccountRecoverySetting == nil || p.EmailConfiguration == nil || p.VerificationMessageTemplate == nil ||
		p.UserAttributeUpdateSettings == nil || p.CreationDate == nil || p.LastModifiedDate == nil || p.UserPoolTags == nil {
		t.Fatalf("a nested structure is missing: %+v", p)
	}
	pp := p.Policies.PasswordPolicy
	if aws.ToInt32(pp.MinimumLength) != 8 || !pp.RequireUppercase || !pp.RequireLowercase || !pp.RequireNumbers || !pp.RequireSymbols ||
		pp.TemporaryPasswordValidityDays != 7 {
		t.Errorf("password policy %+v", pp)
	}
	if p.DeletionProtection != "INACTIVE" || p.MfaConfiguration != "OFF" || p.UserPoolTier != "ESSENTIALS" || p.EstimatedNumberOfUsers != 0 ||
		p.EmailConfiguration.EmailSendingAccount != "COGNITO_DEFAULT" || p.AdminCreateUserConfig.AllowAdminCreateUserOnly ||
		p.AdminCreateUserConfig.UnusedAccountValidityDays != 7 || p.VerificationMessageTemplate.DefaultEmailOption != "CONFIRM_WITH_CODE" ||
		aws.ToString(p.VerificationMessageTemplate.SmsMessage) != "Your verification code is {####}. " || p.Status != "" {
		t.Errorf("defaults %+v", p)
	}
	if len(p.SchemaAttributes) != 21 {
		t.Errorf("%d schema attributes", len(p.SchemaAttributes))
	}
	for _, a := range p.SchemaAttributes {
		switch aws.ToString(a.Name) {
		case "sub":
			if aws.ToBool(a.Mutable) || !aws.ToBool(a.Required) || aws.ToString(a.StringAttributeConstraints.MinLength) != "1" {
				t.Errorf("sub %+v", a)
			}
		case "updated_at":
			if a.AttributeDataType != "Number" || aws.ToString(a.NumberAttributeConstraints.MinValue) != "0" {
				t.Errorf("updated_at %+v", a)
			}
		case "email_verified", "phone_number_verified":
			if a.AttributeDataType != "Boolean" || a.StringAttributeConstraints != nil {
				t.Errorf("%s %+v", aws.ToString(a.Name), a)
			}
		}
	}
}

func TestUpdateUserPool(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	in := fullPoolInput()
	out, err := c.CreateUserPool(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	id := out.UserPool.Id

	// An update that passes the pool's settings again changes nothing.
	upd := &cip.UpdateUserPoolInput{UserPoolId: id,
		Policies: in.Policies, DeletionProtection: in.DeletionProtection, LambdaConfig: in.LambdaConfig,
		AutoVerifiedAttributes: in.AutoVerifiedAttributes, VerificationMessageTemplate: in.VerificationMessageTemplate,
		SmsAuthenticationMessage: in.SmsAuthenticationMessage, UserAttributeUpdateSettings: in.UserAttributeUpdateSettings,
		MfaConfiguration: in.MfaConfiguration, DeviceConfiguration: in.DeviceConfiguration, EmailConfiguration: in.EmailConfiguration,
		SmsConfiguration: in.SmsConfiguration, AdminCreateUserConfig: in.AdminCreateUserConfig, UserPoolAddOns: in.UserPoolAddOns,
		AccountRecoverySetting: in.AccountRecoverySetting,
	}
	time.Sleep(5 * time.Millisecond)
	if _, err := c.UpdateUserPool(ctx, upd); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: id})
	if err != nil {
		t.Fatal(err)
	}
	if !d.UserPool.LastModifiedDate.After(*d.UserPool.CreationDate) {
		t.Errorf("LastModifiedDate %v not after CreationDate %v", d.UserPool.LastModifiedDate, d.UserPool.CreationDate)
	}
	want := fullPoolWant(in)
	want.Id, want.Arn, want.CreationDate, want.LastModifiedDate, want.SchemaAttributes = d.UserPool.Id, d.UserPool.Arn, d.UserPool.CreationDate, d.UserPool.LastModifiedDate, d.UserPool.SchemaAttributes
	samePool(t, "after a full update", *d.UserPool, want)

	// An update with little in it resets the rest to defaults; what
	// UpdateUserPool does not take stays.
	if _, err := c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: id, PoolName: aws.String("renamed"),
		AutoVerifiedAttributes: []types.VerifiedAttributeType{"email"}}); err != nil {
		t.Fatal(err)
	}
	d, err = c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: id})
	if err != nil {
		t.Fatal(err)
	}
	p := d.UserPool
	if aws.ToString(p.Name) != "renamed" || p.DeletionProtection != "INACTIVE" || p.MfaConfiguration != "OFF" || p.SmsConfiguration != nil ||
		p.DeviceConfiguration != nil || p.SmsAuthenticationMessage != nil || p.UserPoolAddOns != nil || p.LambdaConfig.PreSignUp != nil ||
		aws.ToInt32(p.Policies.PasswordPolicy.MinimumLength) != 8 || p.EmailConfiguration.EmailSendingAccount != "COGNITO_DEFAULT" ||
		p.AdminCreateUserConfig.AllowAdminCreateUserOnly || p.AdminCreateUserConfig.InviteMessageTemplate != nil ||
		len(p.AccountRecoverySetting.RecoveryMechanisms) != 0 || aws.ToString(p.VerificationMessageTemplate.SmsMessage) != "Your verification code is {####}. " ||
		!reflect.DeepEqual(p.UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate, []types.VerifiedAttributeType{"email"}) {
		j, _ := json.MarshalIndent(p, "", " ")
		t.Errorf("not reset to defaults: %s", j)
	}
	// (AttributesRequireVerificationBeforeUpdate stays when left out, unlike
	// the rest.)
	if len(p.SchemaAttributes) != 24 || !reflect.DeepEqual(p.UsernameAttributes, []types.UsernameAttributeType{"email"}) ||
		aws.ToBool(p.UsernameConfiguration.CaseSensitive) || p.UserPoolTier != "PLUS" || p.UserPoolTags["owner"] != "identity" {
		t.Errorf("members UpdateUserPool does not take changed: %+v", p)
	}

	var nf *types.ResourceNotFoundException
	_, err = c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String("us-east-1_nothere12")})
	if !errors.As(err, &nf) || aws.ToString(nf.Message) != "User pool us-east-1_nothere12 does not exist." {
		t.Errorf("update of a missing pool: %v", err)
	}
	var ip *types.InvalidParameterException
	_, err = c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: id, MfaConfiguration: types.UserPoolMfaTypeOn,
		AutoVerifiedAttributes: []types.VerifiedAttributeType{"email"}})
	if !errors.As(err, &ip) || aws.ToString(ip.Message) != "Cannot turn MFA functionality ON, once the user pool has been created." {
		t.Errorf("turning MFA on by update: %v", err)
	}
}

func TestDeleteUserPool(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	out, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("protected"), DeletionProtection: types.DeletionProtectionTypeActive})
	if err != nil {
		t.Fatal(err)
	}
	id := out.UserPool.Id
	var ip *types.InvalidParameterException
	_, err = c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: id})
	if !errors.As(err, &ip) || aws.ToString(ip.Message) !=
		"The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first." {
		t.Fatalf("delete of a protected pool: %v", err)
	}
	if _, err := c.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: id, DeletionProtection: types.DeletionProtectionTypeInactive}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: id}); err != nil {
		t.Fatal(err)
	}
	var nf *types.ResourceNotFoundException
	if _, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: id}); !errors.As(err, &nf) {
		t.Errorf("describe after delete: %v", err)
	}
	if _, err := c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: id}); !errors.As(err, &nf) {
		t.Errorf("second delete: %v", err)
	}
}

func TestListUserPoolsPaginator(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	var want []string
	for i := range 7 {
		out, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String(fmt.Sprintf("pool-%d", i)),
			LambdaConfig: &types.LambdaConfigType{PreSignUp: aws.String(lambdaARN + "pre")}})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, aws.ToString(out.UserPool.Id))
	}
	pager := cip.NewListUserPoolsPaginator(c, &cip.ListUserPoolsInput{MaxResults: aws.Int32(3)})
	var got []string
	pages := 0
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(page.UserPools) > 3 {
			t.Errorf("page of %d", len(page.UserPools))
		}
		for i, d := range page.UserPools {
			got = append(got, aws.ToString(d.Id))
			if aws.ToString(d.Name) != fmt.Sprintf("pool-%d", len(got)-1) || d.LambdaConfig == nil ||
				aws.ToString(d.LambdaConfig.PreSignUp) != lambdaARN+"pre" || d.CreationDate == nil || d.LastModifiedDate == nil {
				t.Errorf("page %d entry %d: %+v", pages, i, d)
			}
		}
	}
	if !reflect.DeepEqual(got, want) || pages != 3 {
		t.Errorf("listed %v in %d pages, want %v in 3", got, pages, want)
	}

	var ip *types.InvalidParameterException
	_, err := c.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(3), NextToken: aws.String("made-up-token")})
	if !errors.As(err, &ip) {
		t.Errorf("a token cognitod did not make: %v", err)
	}
	_, err = c.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(61)})
	if !errors.As(err, &ip) {
		t.Errorf("MaxResults 61: %v", err)
	}
}

func TestAddCustomAttributesThroughSDK(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	out, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("custom")})
	if err != nil {
		t.Fatal(err)
	}
	id := out.UserPool.Id
	if _, err := c.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: id, CustomAttributes: []types.SchemaAttributeType{
		{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true),
			StringAttributeConstraints: &types.StringAttributeConstraintsType{MaxLength: aws.String("36")}},
		{Name: aws.String("score"), AttributeDataType: types.AttributeDataTypeNumber, DeveloperOnlyAttribute: aws.Bool(true)},
	}}); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: id})
	if err != nil {
		t.Fatal(err)
	}
	attrs := d.UserPool.SchemaAttributes
	if len(attrs) != 23 {
		t.Fatalf("%d attributes", len(attrs))
	}
	tenant, score := attrs[21], attrs[22]
	if aws.ToString(tenant.Name) != "custom:tenant" || !aws.ToBool(tenant.Mutable) || aws.ToString(tenant.StringAttributeConstraints.MaxLength) != "36" ||
		tenant.StringAttributeConstraints.MinLength != nil {
		t.Errorf("tenant %+v %+v", tenant, tenant.StringAttributeConstraints)
	}
	if aws.ToString(score.Name) != "dev:custom:score" || !aws.ToBool(score.DeveloperOnlyAttribute) || score.AttributeDataType != "Number" ||
		score.NumberAttributeConstraints == nil || score.NumberAttributeConstraints.MinValue != nil {
		t.Errorf("score %+v", score)
	}

	var ip *types.InvalidParameterException
	_, err = c.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: id, CustomAttributes: []types.SchemaAttributeType{
		{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString}}})
	if !errors.As(err, &ip) || aws.ToString(ip.Message) != "custom:tenant: Existing attribute already has name custom:tenant." {
		t.Errorf("existing name: %v", err)
	}
	_, err = c.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: id, CustomAttributes: []types.SchemaAttributeType{
		{Name: aws.String("untyped")}}})
	if !errors.As(err, &ip) || aws.ToString(ip.Message) != "Invalid AttributeDataType input, consider using the provided AttributeDataType enum." {
		t.Errorf("no type: %v", err)
	}
	var nf *types.ResourceNotFoundException
	_, err = c.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: aws.String("us-east-1_nothere12"), CustomAttributes: []types.SchemaAttributeType{
		{Name: aws.String("x"), AttributeDataType: types.AttributeDataTypeString}}})
	if !errors.As(err, &nf) {
		t.Errorf("missing pool: %v", err)
	}
}

// TestUserPoolErrorsThroughSDK: every pool operation answers a missing pool
// with ResourceNotFoundException, and bad input with InvalidParameterException,
// as typed errors the SDK decodes.
func TestUserPoolErrorsThroughSDK(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	missing := aws.String("us-east-1_nothere12")
	missingARN := aws.String("arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_nothere12")
	notFound := map[string]func(context.Context) error{
		"DescribeUserPool": func(ctx context.Context) error {
			_, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: missing})
			return err
		},
		"DeleteUserPool": func(ctx context.Context) error {
			_, err := c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: missing})
			return err
		},
		"GetUserPoolMfaConfig": func(ctx context.Context) error {
			_, err := c.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: missing})
			return err
		},
		"SetUserPoolMfaConfig": func(ctx context.Context) error {
			_, err := c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: missing, MfaConfiguration: "OFF"})
			return err
		},
		"GetSigningCertificate": func(ctx context.Context) error {
			_, err := c.GetSigningCertificate(ctx, &cip.GetSigningCertificateInput{UserPoolId: missing})
			return err
		},
		"ListTagsForResource": func(ctx context.Context) error {
			_, err := c.ListTagsForResource(ctx, &cip.ListTagsForResourceInput{ResourceArn: missingARN})
			return err
		},
		"TagResource": func(ctx context.Context) error {
			_, err := c.TagResource(ctx, &cip.TagResourceInput{ResourceArn: missingARN, Tags: map[string]string{"a": "b"}})
			return err
		},
		"UntagResource": func(ctx context.Context) error {
			_, err := c.UntagResource(ctx, &cip.UntagResourceInput{ResourceArn: missingARN, TagKeys: []string{"a"}})
			return err
		},
	}
	for name, call := range notFound {
		t.Run(name, func(t *testing.T) {
			var nf *types.ResourceNotFoundException
			if err := call(ctx); !errors.As(err, &nf) {
				t.Fatalf("error %v", err)
			}
			if name != "ListTagsForResource" && name != "TagResource" && name != "UntagResource" &&
				aws.ToString(nf.Message) != "User pool us-east-1_nothere12 does not exist." {
				t.Errorf("message %q", aws.ToString(nf.Message))
			}
		})
	}

	invalid := []struct {
		name string
		in   *cip.CreateUserPoolInput
		msg  string
	}{
		{"alias and username attributes", &cip.CreateUserPoolInput{PoolName: aws.String("x"),
			AliasAttributes: []types.AliasAttributeType{"email"}, UsernameAttributes: []types.UsernameAttributeType{"phone_number"}},
			"Only one of AliasAttributes or UsernameAttributes can be set in a User Pool."},
		{"message without code", &cip.CreateUserPoolInput{PoolName: aws.String("x"), SmsAuthenticationMessage: aws.String("no code here")},
			"1 validation error detected: Value 'no code here' at 'smsAuthenticationMessage' failed to satisfy constraint: Member must satisfy regular expression pattern: .*\\{####\\}.*"},
		{"short password minimum", &cip.CreateUserPoolInput{PoolName: aws.String("x"),
			Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{MinimumLength: aws.Int32(5)}}},
			"1 validation error detected: Value '5' at 'policies.passwordPolicy.minimumLength' failed to satisfy constraint: Member must have value greater than or equal to 6"},
		{"required custom attribute", &cip.CreateUserPoolInput{PoolName: aws.String("x"), Schema: []types.SchemaAttributeType{
			{Name: aws.String("c"), AttributeDataType: types.AttributeDataTypeString, Required: aws.Bool(true)}}},
			"Required custom attributes are not supported currently."},
		{"standard attribute retyped", &cip.CreateUserPoolInput{PoolName: aws.String("x"), Schema: []types.SchemaAttributeType{
			{Name: aws.String("birthdate"), AttributeDataType: types.AttributeDataTypeDatetime}}},
			"You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute birthdate"},
		{"MFA on at creation without SMS", &cip.CreateUserPoolInput{PoolName: aws.String("x"), MfaConfiguration: types.UserPoolMfaTypeOn},
			"SMS configuration and Auto verification for phone_number are required when MFA is required/optional"},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			var ip *types.InvalidParameterException
			_, err := c.CreateUserPool(ctx, tc.in)
			if !errors.As(err, &ip) {
				t.Fatalf("error %v", err)
			}
			if aws.ToString(ip.Message) != tc.msg {
				t.Errorf("message\n got %q\nwant %q", aws.ToString(ip.Message), tc.msg)
			}
		})
	}
}

func TestGetSigningCertificateThroughSDK(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	out, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("saml")})
	if err != nil {
		t.Fatal(err)
	}
	first, err := c.GetSigningCertificate(ctx, &cip.GetSigningCertificateInput{UserPoolId: out.UserPool.Id})
	if err != nil {
		t.Fatal(err)
	}
	cert := parseCertificate(t, aws.ToString(first.Certificate))
	if cert.Subject.CommonName != aws.ToString(out.UserPool.Id) {
		t.Errorf("subject %v", cert.Subject)
	}
	second, err := c.GetSigningCertificate(ctx, &cip.GetSigningCertificateInput{UserPoolId: out.UserPool.Id})
	if err != nil || aws.ToString(second.Certificate) != aws.ToString(first.Certificate) {
		t.Errorf("second call answered another certificate (%v)", err)
	}
}

// TestUserPoolsSurviveRestart: pools, their tags, MFA configuration and
// signing certificate are in the database, not in the process.
func TestUserPoolsSurviveRestart(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	out, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("durable"), UserPoolTags: map[string]string{"a": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	id, arn := out.UserPool.Id, out.UserPool.Arn
	if _, err := c.TagResource(ctx, &cip.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"b": "2"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: id, MfaConfiguration: types.UserPoolMfaTypeOptional,
		SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true}}); err != nil {
		t.Fatal(err)
	}
	certBefore, err := c.GetSigningCertificate(ctx, &cip.GetSigningCertificateInput{UserPoolId: id})
	if err != nil {
		t.Fatal(err)
	}
	before, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: id})
	if err != nil {
		t.Fatal(err)
	}

	srv.Restart()
	c = srv.Client()

	after, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: id})
	if err != nil {
		t.Fatal(err)
	}
	samePool(t, "after restart", *after.UserPool, *before.UserPool)
	tags, err := c.ListTagsForResource(ctx, &cip.ListTagsForResourceInput{ResourceArn: arn})
	if err != nil || !reflect.DeepEqual(tags.Tags, map[string]string{"a": "1", "b": "2"}) {
		t.Errorf("tags after restart: %v %v", tags, err)
	}
	mfa, err := c.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: id})
	if err != nil || mfa.MfaConfiguration != "OPTIONAL" || mfa.SoftwareTokenMfaConfiguration == nil || !mfa.SoftwareTokenMfaConfiguration.Enabled {
		t.Errorf("MFA after restart: %+v %v", mfa, err)
	}
	certAfter, err := c.GetSigningCertificate(ctx, &cip.GetSigningCertificateInput{UserPoolId: id})
	if err != nil || aws.ToString(certAfter.Certificate) != aws.ToString(certBefore.Certificate) {
		t.Errorf("certificate after restart changed (%v)", err)
	}
	list, err := c.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(10)})
	if err != nil || len(list.UserPools) != 1 || aws.ToString(list.UserPools[0].Id) != aws.ToString(id) {
		t.Errorf("list after restart: %+v %v", list, err)
	}
}

// parseCertificate reads a base64 DER certificate of an RSA-2048 key.
func parseCertificate(t *testing.T, b64 string) *x509.Certificate {
	t.Helper()
	der, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatalf("certificate is not base64: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if k, ok := cert.PublicKey.(*rsa.PublicKey); !ok || k.N.BitLen() != 2048 {
		t.Fatalf("public key %T", cert.PublicKey)
	}
	return cert
}

package idp

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/cognitod/cognitod/internal/api"
)

// FuzzPoolRequests sends pool requests decoded from arbitrary JSON straight to
// the service, without the protocol layer's validation: whatever they hold,
// the answer is a pool or an *api.Error, never a panic or another error.
func FuzzPoolRequests(f *testing.F) {
	for _, seed := range []string{
		`{}`,
		`{"PoolName":"p"}`,
		`{"PoolName":"p","Schema":[{"Name":"email","Required":true},{"Name":"c","AttributeDataType":"Number","NumberAttributeConstraints":{"MinValue":"x"}}]}`,
		`{"PoolName":"p","Policies":{"PasswordPolicy":{},"SignInPolicy":{}},"LambdaConfig":{"PreTokenGenerationConfig":{}},"AccountRecoverySetting":{"RecoveryMechanisms":[{},{}]}}`,
		`{"PoolName":"p","MfaConfiguration":"ON","SmsConfiguration":{},"AutoVerifiedAttributes":["phone_number"],"AdminCreateUserConfig":{"UnusedAccountValidityDays":-1}}`,
		`{"PoolName":"p","EmailConfiguration":{"EmailSendingAccount":"DEVELOPER","SourceArn":"a"},"UserPoolAddOns":{},"UserPoolTier":"BOGUS"}`,
	} {
		f.Add([]byte(seed), []byte(`{"MfaConfiguration":"OPTIONAL","SoftwareTokenMfaConfiguration":{"Enabled":true},"SmsMfaConfiguration":{}}`))
	}
	f.Fuzz(func(t *testing.T, create, mfa []byte) {
		var in api.CreateUserPoolRequest
		if json.Unmarshal(create, &in) != nil {
			return
		}
		e := newPoolsEnv(t)
		out, err := e.svc.CreateUserPool(e.ctx, &in)
		if err != nil {
			var ae *api.Error
			if !errors.As(err, &ae) {
				t.Fatalf("CreateUserPool: %v (%T)", err, err)
			}
			return
		}
		id := out.UserPool.Id
		var upd api.UpdateUserPoolRequest
		if json.Unmarshal(create, &upd) == nil {
			upd.UserPoolId = id
			if _, err := e.svc.UpdateUserPool(e.ctx, &upd); err != nil {
				var ae *api.Error
				if !errors.As(err, &ae) {
					t.Fatalf("UpdateUserPool: %v (%T)", err, err)
				}
			}
		}
		var set api.SetUserPoolMfaConfigRequest
		if json.Unmarshal(mfa, &set) == nil {
			set.UserPoolId = id
			if _, err := e.svc.SetUserPoolMfaConfig(e.ctx, &set); err != nil {
				var ae *api.Error
				if !errors.As(err, &ae) {
					t.Fatalf("SetUserPoolMfaConfig: %v (%T)", err, err)
				}
			}
		}
		if _, err := e.svc.DescribeUserPool(e.ctx, &api.DescribeUserPoolRequest{UserPoolId: id}); err != nil {
			t.Fatalf("DescribeUserPool: %v", err)
		}
		if _, err := e.svc.GetUserPoolMfaConfig(e.ctx, &api.GetUserPoolMfaConfigRequest{UserPoolId: id}); err != nil {
			t.Fatalf("GetUserPoolMfaConfig: %v", err)
		}
	})
}

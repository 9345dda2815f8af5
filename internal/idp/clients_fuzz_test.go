package idp

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/cognitod/cognitod/internal/api"
)

// FuzzClientSettings feeds arbitrary CreateUserPoolClient bodies to the
// service, without the model validation the wire applies first, then the same
// settings as an update of a confidential client. Every answer must be a
// client or an API error: no panic, no internal error.
func FuzzClientSettings(f *testing.F) {
	seeds := []string{
		`{}`,
		`{"ClientName":"a","GenerateSecret":true,"AccessTokenValidity":-5,"TokenValidityUnits":{"AccessToken":"days"}}`,
		`{"ClientName":"a","RefreshTokenValidity":2147483647,"IdTokenValidity":-2147483648}`,
		`{"ClientName":"a","ExplicitAuthFlows":["","ALLOW_USER_AUTH"],"RefreshTokenRotation":{"Feature":"ENABLED","RetryGracePeriodSeconds":-1}}`,
		`{"ClientName":"a","CallbackURLs":["","::","http://[::1","https://x#"],"DefaultRedirectURI":""}`,
		`{"ClientName":"a","AllowedOAuthFlowsUserPoolClient":true,"AllowedOAuthFlows":["client_credentials",""],"AllowedOAuthScopes":[""]}`,
		`{"ClientName":"a","ReadAttributes":[""],"WriteAttributes":["sub",""],"SupportedIdentityProviders":[""]}`,
		`{"ClientName":"a","AnalyticsConfiguration":{},"AuthSessionValidity":0,"ClientSecret":""}`,
		`{"ClientName":"a","ClientSecret":"ééééééééééééééééééééééééééééé"}`,
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var in api.CreateUserPoolClientRequest
		if json.Unmarshal([]byte(body), &in) != nil {
			return
		}
		e := newClientsEnv(t)
		in.UserPoolId = api.String(e.poolID)
		out, err := e.svc.CreateUserPoolClient(e.ctx, &in)
		checkFuzzAnswer(t, "create", err)
		if err == nil {
			e.describe(t, api.ToString(out.UserPoolClient.ClientId))
		}
		conf := e.create(t, func(r *api.CreateUserPoolClientRequest) { r.GenerateSecret = api.Bool(true) })
		var up api.UpdateUserPoolClientRequest
		if json.Unmarshal([]byte(body), &up) != nil {
			return
		}
		up.UserPoolId, up.ClientId = api.String(e.poolID), conf.ClientId
		_, err = e.svc.UpdateUserPoolClient(e.ctx, &up)
		checkFuzzAnswer(t, "update", err)
		e.describe(t, api.ToString(conf.ClientId))
	})
}

func checkFuzzAnswer(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var ae *api.Error
	if !errors.As(err, &ae) || api.IsFault(ae.Type) {
		t.Fatalf("%s: %v is not a client error", what, err)
	}
}

package idp

import (
	"slices"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/api"
)

func TestClientDefaultsReportedAndEffective(t *testing.T) {
	e := newClientsEnv(t)
	got := e.create(t, nil)

	// Reported: only Cognito's echoed defaults, nothing the request left out.
	if api.ToInt32(got.RefreshTokenValidity) != 30 || api.ToInt32(got.AuthSessionValidity) != 3 ||
		!api.ToBool(got.EnableTokenRevocation) || got.AllowedOAuthFlowsUserPoolClient == nil || *got.AllowedOAuthFlowsUserPoolClient ||
		got.EnablePropagateAdditionalUserContextData == nil || *got.EnablePropagateAdditionalUserContextData {
		t.Errorf("echoed defaults wrong: %+v", got)
	}
	if got.AccessTokenValidity != nil || got.IdTokenValidity != nil || got.TokenValidityUnits != nil ||
		got.PreventUserExistenceErrors != "" || got.ExplicitAuthFlows != nil || got.ClientSecret != nil ||
		got.ReadAttributes != nil || got.WriteAttributes != nil || got.AllowedOAuthFlows != nil ||
		got.CallbackURLs != nil || got.SupportedIdentityProviders != nil || got.AnalyticsConfiguration != nil ||
		got.RefreshTokenRotation != nil || got.DefaultRedirectURI != nil {
		t.Errorf("reports members the request did not set: %+v", got)
	}
	if id := api.ToString(got.ClientId); len(id) != 26 || !isLowerAlnum(id) {
		t.Errorf("client id %q is not 26 lowercase alphanumerics", id)
	}

	// Behaviour: every default applies.
	c := e.load(t, api.ToString(got.ClientId))
	checks := []struct {
		name      string
		got, want time.Duration
	}{
		{"access", c.AccessTokenValidity(), time.Hour},
		{"id", c.IDTokenValidity(), time.Hour},
		{"refresh", c.RefreshTokenValidity(), 30 * 24 * time.Hour},
		{"auth session", c.AuthSessionValidity(), 3 * time.Minute},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s validity %v, want %v", ck.name, ck.got, ck.want)
		}
	}
	if c.PreventUserExistenceErrors() != api.PreventUserExistenceErrorTypesLegacy || c.HidesUserExistence() {
		t.Errorf("PreventUserExistenceErrors %s, want LEGACY", c.PreventUserExistenceErrors())
	}
	if !c.TokenRevocationEnabled() || c.HasSecret() || c.OAuthEnabled() || c.PropagatesUserContextData() {
		t.Errorf("default behaviour flags wrong")
	}
	for flow, want := range map[api.AuthFlowType]bool{
		api.AuthFlowTypeUserSrpAuth: true, api.AuthFlowTypeRefreshTokenAuth: true, api.AuthFlowTypeRefreshToken: true,
		api.AuthFlowTypeCustomAuth: true, api.AuthFlowTypeUserPasswordAuth: false, api.AuthFlowTypeAdminUserPasswordAuth: false,
		api.AuthFlowTypeAdminNoSrpAuth: false, api.AuthFlowTypeUserAuth: false, "NONSENSE": false,
	} {
		if c.AllowsAuthFlow(flow) != want {
			t.Errorf("AllowsAuthFlow(%s) = %v, want %v", flow, !want, want)
		}
	}
}

func isLowerAlnum(s string) bool {
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

func TestClientTokenValidity(t *testing.T) {
	units := func(a, i, r api.TimeUnitsType) *api.TokenValidityUnitsType {
		return &api.TokenValidityUnitsType{AccessToken: a, IdToken: i, RefreshToken: r}
	}
	tests := []struct {
		name                   string
		access, id, refresh    *int32
		units                  *api.TokenValidityUnitsType
		wantErr                bool
		wantAccess, wantID     time.Duration
		wantRefresh            time.Duration
		wantReportedRefresh    int32
		wantReportedAccessNil  bool
		wantReportedIDNil      bool
		wantReportedUnitsUnset bool
	}{
		{name: "default units are hours and days", access: api.Int32(1), id: api.Int32(24), refresh: api.Int32(3650),
			wantAccess: time.Hour, wantID: 24 * time.Hour, wantRefresh: 3650 * 24 * time.Hour, wantReportedRefresh: 3650, wantReportedUnitsUnset: true},
		{name: "minutes at the lower bound", access: api.Int32(5), id: api.Int32(5), refresh: api.Int32(60), units: units("minutes", "minutes", "minutes"),
			wantAccess: 5 * time.Minute, wantID: 5 * time.Minute, wantRefresh: time.Hour, wantReportedRefresh: 60},
		{name: "seconds at the upper bound", access: api.Int32(86400), id: api.Int32(300), units: units("seconds", "seconds", ""),
			wantAccess: 24 * time.Hour, wantID: 5 * time.Minute, wantRefresh: 30 * 24 * time.Hour, wantReportedRefresh: 30},
		{name: "refresh 0 means 30 days", refresh: api.Int32(0),
			wantAccess: time.Hour, wantID: time.Hour, wantRefresh: 30 * 24 * time.Hour, wantReportedRefresh: 30,
			wantReportedAccessNil: true, wantReportedIDNil: true, wantReportedUnitsUnset: true},
		{name: "default refresh shown in its unit", units: units("", "", "hours"),
			wantAccess: time.Hour, wantID: time.Hour, wantRefresh: 30 * 24 * time.Hour, wantReportedRefresh: 720,
			wantReportedAccessNil: true, wantReportedIDNil: true},
		{name: "units without values keep the defaults", units: units("days", "days", "days"),
			wantAccess: time.Hour, wantID: time.Hour, wantRefresh: 30 * 24 * time.Hour, wantReportedRefresh: 30,
			wantReportedAccessNil: true, wantReportedIDNil: true},
		{name: "access 4 minutes", access: api.Int32(4), units: units("minutes", "", ""), wantErr: true},
		{name: "access 2 days", access: api.Int32(2), units: units("days", "", ""), wantErr: true},
		{name: "access 25 hours", access: api.Int32(25), wantErr: true},
		{name: "id 299 seconds", id: api.Int32(299), units: units("", "seconds", ""), wantErr: true},
		{name: "id 0", id: api.Int32(0), wantErr: true},
		{name: "refresh 59 minutes", refresh: api.Int32(59), units: units("", "", "minutes"), wantErr: true},
		{name: "refresh 3651 days", refresh: api.Int32(3651), wantErr: true},
		{name: "refresh huge in days does not overflow", refresh: api.Int32(315360000), wantErr: true},
		{name: "negative refresh", refresh: api.Int32(-1), wantErr: true},
		{name: "unknown unit", access: api.Int32(1), units: units("weeks", "", ""), wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newClientsEnv(t)
			got, err := e.tryCreate(func(in *api.CreateUserPoolClientRequest) {
				in.AccessTokenValidity, in.IdTokenValidity, in.RefreshTokenValidity, in.TokenValidityUnits = tc.access, tc.id, tc.refresh, tc.units
			})
			if tc.wantErr {
				msg := "Invalid range for token validity."
				if tc.name == "unknown unit" {
					msg = ""
				}
				wantAPIError(t, err, api.CodeInvalidParameter, msg)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c := e.load(t, api.ToString(got.ClientId))
			if c.AccessTokenValidity() != tc.wantAccess || c.IDTokenValidity() != tc.wantID || c.RefreshTokenValidity() != tc.wantRefresh {
				t.Errorf("effective %v/%v/%v, want %v/%v/%v", c.AccessTokenValidity(), c.IDTokenValidity(), c.RefreshTokenValidity(),
					tc.wantAccess, tc.wantID, tc.wantRefresh)
			}
			if api.ToInt32(got.RefreshTokenValidity) != tc.wantReportedRefresh {
				t.Errorf("reported refresh %d, want %d", api.ToInt32(got.RefreshTokenValidity), tc.wantReportedRefresh)
			}
			if (got.AccessTokenValidity == nil) != tc.wantReportedAccessNil || (got.IdTokenValidity == nil) != tc.wantReportedIDNil {
				t.Errorf("reported access/id %v/%v", got.AccessTokenValidity, got.IdTokenValidity)
			}
			if tc.access != nil && api.ToInt32(got.AccessTokenValidity) != *tc.access {
				t.Errorf("reported access %d, want %d as sent", api.ToInt32(got.AccessTokenValidity), *tc.access)
			}
			if (got.TokenValidityUnits == nil) != tc.wantReportedUnitsUnset {
				t.Errorf("reported units %+v", got.TokenValidityUnits)
			}
			if tc.units != nil && *got.TokenValidityUnits != *tc.units {
				t.Errorf("reported units %+v, want %+v as sent", *got.TokenValidityUnits, *tc.units)
			}
		})
	}
}

func TestClientExplicitAuthFlows(t *testing.T) {
	A := func(f ...api.ExplicitAuthFlowsType) []api.ExplicitAuthFlowsType { return f }
	tests := []struct {
		name     string
		flows    []api.ExplicitAuthFlowsType
		rotation bool
		errMsg   string // "" when accepted
		allowed  []api.AuthFlowType
		denied   []api.AuthFlowType
	}{
		{name: "empty list is the default", flows: A(),
			allowed: []api.AuthFlowType{"USER_SRP_AUTH", "REFRESH_TOKEN_AUTH", "CUSTOM_AUTH"},
			denied:  []api.AuthFlowType{"USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH"}},
		{name: "legacy admin keeps srp and refresh", flows: A("ADMIN_NO_SRP_AUTH"),
			allowed: []api.AuthFlowType{"ADMIN_NO_SRP_AUTH", "ADMIN_USER_PASSWORD_AUTH", "USER_SRP_AUTH", "REFRESH_TOKEN_AUTH", "CUSTOM_AUTH"},
			denied:  []api.AuthFlowType{"USER_PASSWORD_AUTH", "USER_AUTH"}},
		{name: "all legacy names", flows: A("ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH"),
			allowed: []api.AuthFlowType{"ADMIN_NO_SRP_AUTH", "USER_PASSWORD_AUTH", "USER_SRP_AUTH", "REFRESH_TOKEN", "CUSTOM_AUTH"}},
		{name: "allow names are exact", flows: A("ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"),
			allowed: []api.AuthFlowType{"USER_PASSWORD_AUTH", "REFRESH_TOKEN_AUTH"},
			denied:  []api.AuthFlowType{"USER_SRP_AUTH", "CUSTOM_AUTH", "ADMIN_USER_PASSWORD_AUTH", "USER_AUTH"}},
		{name: "user auth", flows: A("ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"),
			allowed: []api.AuthFlowType{"USER_AUTH"}, denied: []api.AuthFlowType{"USER_SRP_AUTH"}},
		{name: "mixing legacy and allow", flows: A("ADMIN_NO_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"),
			errMsg: "~cannot mix the legacy values"},
		{name: "allow list without refresh", flows: A("ALLOW_USER_SRP_AUTH"), errMsg: "REFRESH_TOKEN_AUTH should always be allowed."},
		{name: "without refresh when rotating", flows: A("ALLOW_USER_SRP_AUTH"), rotation: true,
			allowed: []api.AuthFlowType{"USER_SRP_AUTH"}, denied: []api.AuthFlowType{"REFRESH_TOKEN_AUTH"}},
		{name: "unknown value", flows: A("ALLOW_EVERYTHING", "ALLOW_REFRESH_TOKEN_AUTH"), errMsg: "~ALLOW_EVERYTHING"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newClientsEnv(t)
			got, err := e.tryCreate(func(in *api.CreateUserPoolClientRequest) {
				in.ExplicitAuthFlows = tc.flows
				if tc.rotation {
					in.RefreshTokenRotation = &api.RefreshTokenRotationType{Feature: api.FeatureTypeEnabled}
				}
			})
			if tc.errMsg != "" {
				wantAPIError(t, err, api.CodeInvalidParameter, tc.errMsg)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(tc.flows) == 0 && got.ExplicitAuthFlows != nil {
				t.Errorf("reported %v for an empty list", got.ExplicitAuthFlows)
			}
			if len(tc.flows) > 0 && !slices.Equal(got.ExplicitAuthFlows, tc.flows) {
				t.Errorf("reported %v, want %v as sent", got.ExplicitAuthFlows, tc.flows)
			}
			c := e.load(t, api.ToString(got.ClientId))
			for _, f := range tc.allowed {
				if !c.AllowsAuthFlow(f) {
					t.Errorf("%s not allowed", f)
				}
			}
			for _, f := range tc.denied {
				if c.AllowsAuthFlow(f) {
					t.Errorf("%s allowed", f)
				}
			}
		})
	}
}

func TestClientAttributes(t *testing.T) {
	tests := []struct {
		name        string
		read, write []string
		update      bool
		errMsg      string
	}{
		{name: "known attributes", read: []string{"email", "custom:tier", "email_verified", "sub"}, write: []string{"email", "custom:tier"}},
		{name: "unknown read", read: []string{"email", "shoe_size"}, errMsg: "Invalid read attributes specified while creating a client"},
		{name: "unknown read on update", update: true, read: []string{"custom:nope"}, errMsg: "Invalid read attributes specified while updating a client"},
		{name: "unknown write", write: []string{"custom:nope"}, errMsg: "Invalid write attributes specified while creating a client"},
		{name: "write sub", write: []string{"email", "sub"}, errMsg: "Invalid write attributes specified while creating a client"},
		{name: "write email_verified", write: []string{"email", "email_verified"}, errMsg: "Invalid write attributes specified while creating a client"},
		{name: "write immutable custom", write: []string{"custom:fixed"}, errMsg: "Invalid write attributes specified while creating a client"},
		{name: "write immutable on update", update: true, write: []string{"custom:fixed"}, errMsg: "Invalid write attributes specified while updating a client"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newClientsEnv(t)
			var err error
			var got *api.UserPoolClientType
			if tc.update {
				id := api.ToString(e.create(t, nil).ClientId)
				var out *api.UpdateUserPoolClientResponse
				out, err = e.svc.UpdateUserPoolClient(e.ctx, &api.UpdateUserPoolClientRequest{UserPoolId: api.String(e.poolID),
					ClientId: api.String(id), ReadAttributes: tc.read, WriteAttributes: tc.write})
				if err == nil {
					got = out.UserPoolClient
				}
			} else {
				got, err = e.tryCreate(func(in *api.CreateUserPoolClientRequest) { in.ReadAttributes, in.WriteAttributes = tc.read, tc.write })
			}
			if tc.errMsg != "" {
				wantAPIError(t, err, api.CodeInvalidParameter, tc.errMsg)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.ReadAttributes, tc.read) || !slices.Equal(got.WriteAttributes, tc.write) {
				t.Errorf("reported %v / %v", got.ReadAttributes, got.WriteAttributes)
			}
			c := e.load(t, api.ToString(got.ClientId))
			if !slices.Equal(c.ReadAttributes(), tc.read) || !slices.Equal(c.WriteAttributes(), tc.write) {
				t.Errorf("helpers answer %v / %v", c.ReadAttributes(), c.WriteAttributes())
			}
		})
	}
}

func TestClientWriteAttributesMustCoverRequired(t *testing.T) {
	e := newClientsEnv(t)
	schema := append(testSchema(), schemaAttr("given_name", true, true))
	e.addPool(t, "us-east-1_Required1", schema)
	e.poolID = "us-east-1_Required1"
	_, err := e.tryCreate(func(in *api.CreateUserPoolClientRequest) { in.WriteAttributes = []string{"email"} })
	wantAPIError(t, err, api.CodeInvalidParameter, "Invalid write attributes specified while creating a client")
	// Listing the required attribute is enough; leaving WriteAttributes out too.
	e.create(t, func(in *api.CreateUserPoolClientRequest) { in.WriteAttributes = []string{"email", "given_name"} })
	e.create(t, nil)
}

func TestClientOAuthSettings(t *testing.T) {
	type req = api.CreateUserPoolClientRequest
	oauth := func(in *req) {
		in.AllowedOAuthFlowsUserPoolClient = api.Bool(true)
		in.AllowedOAuthFlows = []api.OAuthFlowType{"code"}
		in.AllowedOAuthScopes = []string{"openid", "email"}
		in.CallbackURLs = []string{"https://app.example.com/cb"}
	}
	with := func(edits ...func(*req)) func(*req) {
		return func(in *req) {
			for _, f := range edits {
				f(in)
			}
		}
	}
	tests := []struct {
		name   string
		edit   func(*req)
		code   string
		errMsg string
	}{
		{name: "code flow", edit: oauth},
		{name: "localhost over http", edit: with(oauth, func(in *req) {
			in.CallbackURLs = []string{"http://localhost:3000/cb", "http://127.0.0.1/x", "http://[::1]:8080/", "myapp://done"}
			in.LogoutURLs = []string{"http://localhost/bye"}
			in.DefaultRedirectURI = api.String("myapp://done")
		})},
		{name: "flows without scopes", edit: with(oauth, func(in *req) { in.AllowedOAuthScopes = nil }),
			code: api.CodeInvalidParameter, errMsg: "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows."},
		{name: "oauth without flows", edit: func(in *req) { in.AllowedOAuthFlowsUserPoolClient = api.Bool(true) },
			code: api.CodeInvalidParameter, errMsg: "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows."},
		{name: "code without callback", edit: with(oauth, func(in *req) { in.CallbackURLs = nil }),
			code: api.CodeInvalidOAuthFlow, errMsg: "CallbackUrls can not be empty when code flow or implicit flow is selected"},
		{name: "client credentials with code", edit: with(oauth, func(in *req) {
			in.GenerateSecret = api.Bool(true)
			in.AllowedOAuthFlows = []api.OAuthFlowType{"code", "client_credentials"}
		}), code: api.CodeInvalidOAuthFlow, errMsg: "client_credentials flow can not be selected along with code flow or implicit flow."},
		{name: "client credentials without secret", edit: with(oauth, func(in *req) {
			in.AllowedOAuthFlows = []api.OAuthFlowType{"client_credentials"}
		}), code: api.CodeInvalidOAuthFlow, errMsg: "client_credentials flow can not be selected if client does not have a client secret."},
		{name: "client credentials with secret", edit: with(oauth, func(in *req) {
			in.GenerateSecret = api.Bool(true)
			in.AllowedOAuthFlows = []api.OAuthFlowType{"client_credentials"}
		})},
		{name: "unknown scope", edit: with(oauth, func(in *req) { in.AllowedOAuthScopes = []string{"openid", "orders/read"} }),
			code: api.CodeScopeDoesNotExist, errMsg: "Invalid scope requested: orders/read"},
		{name: "plain http", edit: with(oauth, func(in *req) { in.CallbackURLs = []string{"http://localhost.com/"} }),
			code: api.CodeInvalidParameter, errMsg: "http://localhost.com/ cannot use the HTTP protocol."},
		{name: "http logout", edit: func(in *req) { in.LogoutURLs = []string{"http://example.com/bye"} },
			code: api.CodeInvalidParameter, errMsg: "http://example.com/bye cannot use the HTTP protocol."},
		{name: "fragment", edit: with(oauth, func(in *req) { in.CallbackURLs = []string{"https://app.example.com/cb#x"} }),
			code: api.CodeInvalidParameter, errMsg: "~must not contain a fragment"},
		{name: "relative url", edit: with(oauth, func(in *req) { in.CallbackURLs = []string{"/cb"} }),
			code: api.CodeInvalidParameter, errMsg: "~not a valid absolute URL"},
		{name: "default redirect not a callback", edit: with(oauth, func(in *req) { in.DefaultRedirectURI = api.String("https://other.example.com/") }),
			code: api.CodeInvalidParameter, errMsg: "~must be one of the CallbackURLs"},
		{name: "cognito provider", edit: with(oauth, func(in *req) { in.SupportedIdentityProviders = []string{"COGNITO"} })},
		{name: "unknown provider", edit: with(oauth, func(in *req) { in.SupportedIdentityProviders = []string{"COGNITO", "Google"} }),
			code: api.CodeInvalidParameter, errMsg: "The provider Google does not exist for User Pool " + testPoolID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newClientsEnv(t)
			in := &req{}
			tc.edit(in)
			got, err := e.tryCreate(tc.edit)
			if tc.code != "" {
				wantAPIError(t, err, tc.code, tc.errMsg)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.CallbackURLs, in.CallbackURLs) || !slices.Equal(got.AllowedOAuthFlows, in.AllowedOAuthFlows) ||
				!slices.Equal(got.AllowedOAuthScopes, in.AllowedOAuthScopes) || !slices.Equal(got.LogoutURLs, in.LogoutURLs) ||
				!slices.Equal(got.SupportedIdentityProviders, in.SupportedIdentityProviders) ||
				api.ToString(got.DefaultRedirectURI) != api.ToString(in.DefaultRedirectURI) ||
				api.ToBool(got.AllowedOAuthFlowsUserPoolClient) != api.ToBool(in.AllowedOAuthFlowsUserPoolClient) {
				t.Errorf("stored settings differ from the request: %+v", got)
			}
			c := e.load(t, api.ToString(got.ClientId))
			if !c.OAuthEnabled() || !c.AllowsOAuthFlow(in.AllowedOAuthFlows[0]) || !c.AllowsOAuthScope(in.AllowedOAuthScopes[0]) ||
				!c.AllowsCallbackURL(in.CallbackURLs[0]) || c.AllowsCallbackURL("https://evil.example.com/") {
				t.Errorf("OAuth helpers disagree with the settings")
			}
		})
	}
}

func TestClientOtherSettings(t *testing.T) {
	e := newClientsEnv(t)
	got := e.create(t, func(in *api.CreateUserPoolClientRequest) {
		in.GenerateSecret = api.Bool(true)
		in.PreventUserExistenceErrors = api.PreventUserExistenceErrorTypesEnabled
		in.EnableTokenRevocation = api.Bool(false)
		in.EnablePropagateAdditionalUserContextData = api.Bool(true)
		in.AuthSessionValidity = api.Int32(15)
		in.RefreshTokenRotation = &api.RefreshTokenRotationType{Feature: api.FeatureTypeEnabled, RetryGracePeriodSeconds: api.Int32(60)}
		in.AnalyticsConfiguration = &api.AnalyticsConfigurationType{ApplicationArn: api.String("arn:aws:mobiletargeting:us-east-1:123456789012:apps/abc")}
	})
	if got.PreventUserExistenceErrors != "ENABLED" || api.ToBool(got.EnableTokenRevocation) || !api.ToBool(got.EnablePropagateAdditionalUserContextData) ||
		api.ToInt32(got.AuthSessionValidity) != 15 || got.RefreshTokenRotation == nil || got.RefreshTokenRotation.Feature != "ENABLED" ||
		api.ToInt32(got.RefreshTokenRotation.RetryGracePeriodSeconds) != 60 {
		t.Errorf("reported %+v", got)
	}
	a := got.AnalyticsConfiguration
	if a == nil || api.ToString(a.RoleArn) != "arn:aws:iam::123456789012:role/aws-service-role/cognito-idp.amazonaws.com/AWSServiceRoleForAmazonCognitoIdp" ||
		a.UserDataShared == nil || *a.UserDataShared {
		t.Errorf("analytics reported %+v", a)
	}
	c := e.load(t, api.ToString(got.ClientId))
	rot, grace := c.RefreshTokenRotation()
	if !c.HidesUserExistence() || c.TokenRevocationEnabled() || !c.PropagatesUserContextData() ||
		c.AuthSessionValidity() != 15*time.Minute || !rot || grace != time.Minute {
		t.Errorf("behaviour disagrees with the settings")
	}

	// A rotation setting without a grace period reports a grace of 0.
	got = e.create(t, func(in *api.CreateUserPoolClientRequest) {
		in.RefreshTokenRotation = &api.RefreshTokenRotationType{Feature: api.FeatureTypeDisabled}
	})
	if r := got.RefreshTokenRotation; r == nil || r.Feature != "DISABLED" || r.RetryGracePeriodSeconds == nil || *r.RetryGracePeriodSeconds != 0 {
		t.Errorf("rotation reported %+v", r)
	}

	bad := []struct {
		name string
		edit func(*api.CreateUserPoolClientRequest)
	}{
		{"context data needs a secret", func(in *api.CreateUserPoolClientRequest) {
			in.EnablePropagateAdditionalUserContextData = api.Bool(true)
		}},
		{"auth session 2", func(in *api.CreateUserPoolClientRequest) { in.AuthSessionValidity = api.Int32(2) }},
		{"auth session 16", func(in *api.CreateUserPoolClientRequest) { in.AuthSessionValidity = api.Int32(16) }},
		{"grace 61", func(in *api.CreateUserPoolClientRequest) {
			in.RefreshTokenRotation = &api.RefreshTokenRotationType{Feature: "ENABLED", RetryGracePeriodSeconds: api.Int32(61)}
		}},
		{"rotation without feature", func(in *api.CreateUserPoolClientRequest) {
			in.RefreshTokenRotation = &api.RefreshTokenRotationType{}
		}},
		{"prevent errors value", func(in *api.CreateUserPoolClientRequest) { in.PreventUserExistenceErrors = "SOMETIMES" }},
		{"analytics without application", func(in *api.CreateUserPoolClientRequest) {
			in.AnalyticsConfiguration = &api.AnalyticsConfigurationType{RoleArn: api.String("arn:aws:iam::123456789012:role/x")}
		}},
		{"secret and generate", func(in *api.CreateUserPoolClientRequest) {
			in.GenerateSecret = api.Bool(true)
			in.ClientSecret = api.String("abcdefghijklmnopqrstuvwxyz0123")
		}},
		{"short custom secret", func(in *api.CreateUserPoolClientRequest) { in.ClientSecret = api.String("tooshort") }},
		{"custom secret with a dash", func(in *api.CreateUserPoolClientRequest) {
			in.ClientSecret = api.String("abcdefghijklmnopqrstuvwxyz-0123")
		}},
		{"no name", func(in *api.CreateUserPoolClientRequest) { in.ClientName = nil }},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.tryCreate(tc.edit)
			wantAPIError(t, err, api.CodeInvalidParameter, "")
		})
	}
}

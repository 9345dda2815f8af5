package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognitod/cognitod/internal/testserver"
)

// newPool creates a pool with nothing but a name and returns its id.
func newPool(t *testing.T, c *cip.Client, ctx context.Context, name string) string {
	t.Helper()
	out, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String(name)})
	if err != nil {
		t.Fatalf("CreateUserPool: %v", err)
	}
	return aws.ToString(out.UserPool.Id)
}

// wantErr checks that err is of the SDK's typed exception E and, when msg is
// not empty, that its message is msg.
func wantErr[E interface {
	error
	ErrorMessage() string
}](t *testing.T, err error, msg string) {
	t.Helper()
	var target E
	if !errors.As(err, &target) {
		t.Fatalf("error %v (%T), want %T", err, err, target)
	}
	if msg != "" && target.ErrorMessage() != msg {
		t.Errorf("message\n got %q\nwant %q", target.ErrorMessage(), msg)
	}
}

func fullClientInput(poolID string) *cip.CreateUserPoolClientInput {
	return &cip.CreateUserPoolClientInput{
		UserPoolId:           aws.String(poolID),
		ClientName:           aws.String("web app"),
		GenerateSecret:       true,
		AccessTokenValidity:  aws.Int32(30),
		IdTokenValidity:      aws.Int32(2),
		RefreshTokenValidity: 90,
		TokenValidityUnits: &types.TokenValidityUnitsType{
			AccessToken: types.TimeUnitsTypeMinutes, IdToken: types.TimeUnitsTypeHours, RefreshToken: types.TimeUnitsTypeDays,
		},
		ReadAttributes:  []string{"email", "email_verified", "name"},
		WriteAttributes: []string{"email", "name"},
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{
			types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth,
		},
		SupportedIdentityProviders:      []string{"COGNITO"},
		CallbackURLs:                    []string{"https://app.example.com/callback", "http://localhost:3000/callback"},
		LogoutURLs:                      []string{"https://app.example.com/"},
		DefaultRedirectURI:              aws.String("https://app.example.com/callback"),
		AllowedOAuthFlows:               []types.OAuthFlowType{types.OAuthFlowTypeCode},
		AllowedOAuthScopes:              []string{"openid", "email", "profile"},
		AllowedOAuthFlowsUserPoolClient: true,
		PreventUserExistenceErrors:      types.PreventUserExistenceErrorTypesEnabled,
		EnableTokenRevocation:           aws.Bool(true),
		AuthSessionValidity:             aws.Int32(5),
		RefreshTokenRotation: &types.RefreshTokenRotationType{
			Feature: types.FeatureTypeDisabled, RetryGracePeriodSeconds: aws.Int32(30),
		},
		AnalyticsConfiguration: &types.AnalyticsConfigurationType{
			ApplicationId: aws.String("0123456789abcdef"), RoleArn: aws.String("arn:aws:iam::123456789012:role/analytics"),
			ExternalId: aws.String("ext-1"), UserDataShared: true,
		},
	}
}

// TestCreateUserPoolClientMatchesDescribe: what Create answers is exactly what
// Describe answers afterwards (Terraform reads one and compares the other).
func TestCreateUserPoolClientMatchesDescribe(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	poolID := newPool(t, c, ctx, "clients")

	inputs := map[string]*cip.CreateUserPoolClientInput{
		"minimal": {UserPoolId: aws.String(poolID), ClientName: aws.String("minimal")},
		"full":    fullClientInput(poolID),
		"legacy flows": {UserPoolId: aws.String(poolID), ClientName: aws.String("legacy"),
			ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH"}},
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			created, err := c.CreateUserPoolClient(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			described, err := c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(poolID), ClientId: created.UserPoolClient.ClientId})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(created.UserPoolClient, described.UserPoolClient) {
				a, _ := json.MarshalIndent(created.UserPoolClient, "", " ")
				b, _ := json.MarshalIndent(described.UserPoolClient, "", " ")
				t.Fatalf("Create answered\n%s\nDescribe answers\n%s", a, b)
			}
			got := described.UserPoolClient
			if !slices.Equal(got.ExplicitAuthFlows, in.ExplicitAuthFlows) {
				t.Errorf("ExplicitAuthFlows %v, want %v as sent", got.ExplicitAuthFlows, in.ExplicitAuthFlows)
			}
			if aws.ToString(got.UserPoolId) != poolID || aws.ToString(got.ClientName) != aws.ToString(in.ClientName) {
				t.Errorf("identity %s/%s", aws.ToString(got.UserPoolId), aws.ToString(got.ClientName))
			}
		})
	}

	// The full client reports back what it was given.
	in := fullClientInput(poolID)
	created, err := c.CreateUserPoolClient(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	got := created.UserPoolClient
	if aws.ToInt32(got.AccessTokenValidity) != 30 || aws.ToInt32(got.IdTokenValidity) != 2 || got.RefreshTokenValidity != 90 ||
		!reflect.DeepEqual(got.TokenValidityUnits, in.TokenValidityUnits) || !slices.Equal(got.ReadAttributes, in.ReadAttributes) ||
		!slices.Equal(got.WriteAttributes, in.WriteAttributes) || !slices.Equal(got.CallbackURLs, in.CallbackURLs) ||
		!slices.Equal(got.LogoutURLs, in.LogoutURLs) || aws.ToString(got.DefaultRedirectURI) != aws.ToString(in.DefaultRedirectURI) ||
		!slices.Equal(got.AllowedOAuthFlows, in.AllowedOAuthFlows) || !slices.Equal(got.AllowedOAuthScopes, in.AllowedOAuthScopes) ||
		!aws.ToBool(got.AllowedOAuthFlowsUserPoolClient) || got.PreventUserExistenceErrors != types.PreventUserExistenceErrorTypesEnabled ||
		aws.ToInt32(got.AuthSessionValidity) != 5 || !reflect.DeepEqual(got.RefreshTokenRotation, in.RefreshTokenRotation) ||
		!reflect.DeepEqual(got.AnalyticsConfiguration, in.AnalyticsConfiguration) || !slices.Equal(got.SupportedIdentityProviders, []string{"COGNITO"}) {
		b, _ := json.MarshalIndent(got, "", " ")
		t.Errorf("full client reported\n%s", b)
	}
	if id := aws.ToString(got.ClientId); len(id) != 26 || strings.ToLower(id) != id {
		t.Errorf("client id %q", id)
	}
	if s := aws.ToString(got.ClientSecret); len(s) != 51 || strings.ToLower(s) != s {
		t.Errorf("client secret %q", s)
	}
	if got.CreationDate == nil || got.LastModifiedDate == nil || !got.CreationDate.Equal(*got.LastModifiedDate) ||
		time.Since(*got.CreationDate) > time.Minute {
		t.Errorf("dates %v %v", got.CreationDate, got.LastModifiedDate)
	}
}

// TestUserPoolClientReportsOnlyWhatWasSet looks at the JSON on the wire: a
// minimal client carries Cognito's echoed defaults and nothing else.
func TestUserPoolClientReportsOnlyWhatWasSet(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	poolID := newPool(t, c, ctx, "report")
	created, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(poolID), ClientName: aws.String("bare")})
	if err != nil {
		t.Fatal(err)
	}
	a := post(t, srv.URL, target+"DescribeUserPoolClient", "application/x-amz-json-1.1",
		fmt.Sprintf(`{"UserPoolId":%q,"ClientId":%q}`, poolID, aws.ToString(created.UserPoolClient.ClientId)))
	if a.status != 200 {
		t.Fatalf("status %d: %v", a.status, a.body)
	}
	client, _ := a.body["UserPoolClient"].(map[string]any)
	want := map[string]any{
		"UserPoolId": poolID, "ClientName": "bare", "ClientId": aws.ToString(created.UserPoolClient.ClientId),
		"RefreshTokenValidity": 30.0, "AuthSessionValidity": 3.0, "EnableTokenRevocation": true,
		"AllowedOAuthFlowsUserPoolClient": false, "EnablePropagateAdditionalUserContextData": false,
	}
	for k, v := range want {
		if client[k] != v {
			t.Errorf("%s = %v, want %v", k, client[k], v)
		}
	}
	var extra []string
	for k := range client {
		if _, ok := want[k]; !ok && k != "CreationDate" && k != "LastModifiedDate" {
			extra = append(extra, k)
		}
	}
	if len(extra) > 0 {
		t.Errorf("members the request did not set are reported: %v (%v)", extra, client)
	}
}

func TestUserPoolClientValidation(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	poolID := newPool(t, c, ctx, "validation")
	base := func(edit func(in *cip.CreateUserPoolClientInput)) *cip.CreateUserPoolClientInput {
		in := &cip.CreateUserPoolClientInput{UserPoolId: aws.String(poolID), ClientName: aws.String("v")}
		edit(in)
		return in
	}
	oauth := func(in *cip.CreateUserPoolClientInput) {
		in.AllowedOAuthFlowsUserPoolClient = true
		in.AllowedOAuthFlows = []types.OAuthFlowType{types.OAuthFlowTypeCode}
		in.AllowedOAuthScopes = []string{"openid"}
		in.CallbackURLs = []string{"https://app.example.com/cb"}
	}
	invalid := func(t *testing.T, err error, msg string) { wantErr[*types.InvalidParameterException](t, err, msg) }
	oauthFlow := func(t *testing.T, err error, msg string) { wantErr[*types.InvalidOAuthFlowException](t, err, msg) }
	tests := []struct {
		name  string
		in    *cip.CreateUserPoolClientInput
		check func(*testing.T, error, string)
		msg   string
	}{
		{"access token 25 hours", base(func(in *cip.CreateUserPoolClientInput) { in.AccessTokenValidity = aws.Int32(25) }),
			invalid, "Invalid range for token validity."},
		{"id token 4 minutes", base(func(in *cip.CreateUserPoolClientInput) {
			in.IdTokenValidity = aws.Int32(4)
			in.TokenValidityUnits = &types.TokenValidityUnitsType{IdToken: types.TimeUnitsTypeMinutes}
		}), invalid, "Invalid range for token validity."},
		{"refresh token 3651 days", base(func(in *cip.CreateUserPoolClientInput) { in.RefreshTokenValidity = 3651 }),
			invalid, "Invalid range for token validity."},
		{"refresh token 30 minutes", base(func(in *cip.CreateUserPoolClientInput) {
			in.RefreshTokenValidity = 30
			in.TokenValidityUnits = &types.TokenValidityUnitsType{RefreshToken: types.TimeUnitsTypeMinutes}
		}), invalid, "Invalid range for token validity."},
		{"unknown read attribute", base(func(in *cip.CreateUserPoolClientInput) { in.ReadAttributes = []string{"email", "custom:nope"} }),
			invalid, "Invalid read attributes specified while creating a client"},
		{"write sub", base(func(in *cip.CreateUserPoolClientInput) { in.WriteAttributes = []string{"sub"} }),
			invalid, "Invalid write attributes specified while creating a client"},
		{"legacy and allow mixed", base(func(in *cip.CreateUserPoolClientInput) {
			in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{"USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
		}), invalid, ""},
		{"auth session 16 minutes", base(func(in *cip.CreateUserPoolClientInput) { in.AuthSessionValidity = aws.Int32(16) }), invalid, ""},
		{"unknown identity provider", base(func(in *cip.CreateUserPoolClientInput) { in.SupportedIdentityProviders = []string{"Facebook"} }),
			invalid, "The provider Facebook does not exist for User Pool " + poolID},
		{"oauth without scopes", base(func(in *cip.CreateUserPoolClientInput) { oauth(in); in.AllowedOAuthScopes = nil }),
			invalid, "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows."},
		{"http callback", base(func(in *cip.CreateUserPoolClientInput) {
			oauth(in)
			in.CallbackURLs = []string{"http://app.example.com/cb"}
		}),
			invalid, "http://app.example.com/cb cannot use the HTTP protocol."},
		{"default redirect not a callback", base(func(in *cip.CreateUserPoolClientInput) {
			oauth(in)
			in.DefaultRedirectURI = aws.String("https://elsewhere.example.com/")
		}), invalid, ""},
		{"code without callbacks", base(func(in *cip.CreateUserPoolClientInput) { oauth(in); in.CallbackURLs = nil }),
			oauthFlow, "CallbackUrls can not be empty when code flow or implicit flow is selected"},
		{"client credentials and code", base(func(in *cip.CreateUserPoolClientInput) {
			oauth(in)
			in.GenerateSecret = true
			in.AllowedOAuthFlows = []types.OAuthFlowType{types.OAuthFlowTypeCode, types.OAuthFlowTypeClientCredentials}
		}), oauthFlow, "client_credentials flow can not be selected along with code flow or implicit flow."},
		{"client credentials without secret", base(func(in *cip.CreateUserPoolClientInput) {
			oauth(in)
			in.AllowedOAuthFlows = []types.OAuthFlowType{types.OAuthFlowTypeClientCredentials}
		}), oauthFlow, "client_credentials flow can not be selected if client does not have a client secret."},
		{"unknown scope", base(func(in *cip.CreateUserPoolClientInput) { oauth(in); in.AllowedOAuthScopes = []string{"orders/read"} }),
			func(t *testing.T, err error, msg string) { wantErr[*types.ScopeDoesNotExistException](t, err, msg) },
			"Invalid scope requested: orders/read"},
		{"secret and generate", base(func(in *cip.CreateUserPoolClientInput) {
			in.GenerateSecret = true
			in.ClientSecret = aws.String("abcdefghijklmnopqrstuvwxyz")
		}), invalid, ""},
		{"unknown pool", &cip.CreateUserPoolClientInput{UserPoolId: aws.String("us-east-1_nopool123"), ClientName: aws.String("x")},
			func(t *testing.T, err error, msg string) { wantErr[*types.ResourceNotFoundException](t, err, msg) },
			"User pool us-east-1_nopool123 does not exist."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateUserPoolClient(ctx, tc.in)
			tc.check(t, err, tc.msg)
		})
	}
	list, err := c.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: aws.String(poolID)})
	if err != nil || len(list.UserPoolClients) != 0 {
		t.Errorf("refused requests left clients behind: %+v %v", list, err)
	}
}

func TestUpdateUserPoolClient(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	poolID := newPool(t, c, ctx, "update")
	created, err := c.CreateUserPoolClient(ctx, fullClientInput(poolID))
	if err != nil {
		t.Fatal(err)
	}
	orig := created.UserPoolClient
	time.Sleep(5 * time.Millisecond)

	// An update naming little resets the rest to Cognito's defaults.
	up, err := c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{
		UserPoolId: aws.String(poolID), ClientId: orig.ClientId, ClientName: aws.String("renamed"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ADMIN_NO_SRP_AUTH"},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := up.UserPoolClient
	if aws.ToString(got.ClientId) != aws.ToString(orig.ClientId) || aws.ToString(got.ClientSecret) != aws.ToString(orig.ClientSecret) ||
		!got.CreationDate.Equal(*orig.CreationDate) || !got.LastModifiedDate.After(*orig.LastModifiedDate) ||
		aws.ToString(got.ClientName) != "renamed" {
		t.Errorf("identity after update: %+v", got)
	}
	if got.AccessTokenValidity != nil || got.IdTokenValidity != nil || got.TokenValidityUnits != nil || got.RefreshTokenValidity != 30 ||
		got.ReadAttributes != nil || got.WriteAttributes != nil || got.CallbackURLs != nil || got.AllowedOAuthFlows != nil ||
		aws.ToBool(got.AllowedOAuthFlowsUserPoolClient) || got.PreventUserExistenceErrors != "" || aws.ToInt32(got.AuthSessionValidity) != 3 ||
		got.RefreshTokenRotation != nil || got.AnalyticsConfiguration != nil || got.DefaultRedirectURI != nil ||
		!slices.Equal(got.ExplicitAuthFlows, []types.ExplicitAuthFlowsType{"ADMIN_NO_SRP_AUTH"}) {
		b, _ := json.MarshalIndent(got, "", " ")
		t.Errorf("update did not reset omitted members:\n%s", b)
	}
	described, err := c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(poolID), ClientId: orig.ClientId})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, described.UserPoolClient) {
		t.Error("Update answered something other than what Describe answers")
	}

	_, err = c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: aws.String(poolID), ClientId: orig.ClientId,
		ReadAttributes: []string{"custom:missing"}})
	wantErr[*types.InvalidParameterException](t, err, "Invalid read attributes specified while updating a client")
	_, err = c.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: aws.String(poolID), ClientId: aws.String("nosuchclient000000000000000")})
	wantErr[*types.ResourceNotFoundException](t, err, "User pool client nosuchclient000000000000000 does not exist.")
}

func TestUserPoolClientNotFound(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	poolA, poolB := newPool(t, c, ctx, "a"), newPool(t, c, ctx, "b")
	created, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(poolA), ClientName: aws.String("in-a")})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(created.UserPoolClient.ClientId)

	_, err = c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(poolB), ClientId: aws.String(id)})
	wantErr[*types.ResourceNotFoundException](t, err, "User pool client "+id+" does not exist.")
	err = deleteClient(ctx, c, poolB, id)
	wantErr[*types.ResourceNotFoundException](t, err, "User pool client "+id+" does not exist.")
	_, err = c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String("us-east-1_gone0000"), ClientId: aws.String(id)})
	wantErr[*types.ResourceNotFoundException](t, err, "User pool us-east-1_gone0000 does not exist.")
	_, err = c.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: aws.String("us-east-1_gone0000")})
	wantErr[*types.ResourceNotFoundException](t, err, "User pool us-east-1_gone0000 does not exist.")

	if err := deleteClient(ctx, c, poolA, id); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(poolA), ClientId: aws.String(id)})
	wantErr[*types.ResourceNotFoundException](t, err, "User pool client "+id+" does not exist.")
	err = deleteClient(ctx, c, poolA, id)
	wantErr[*types.ResourceNotFoundException](t, err, "User pool client "+id+" does not exist.")
}

func deleteClient(ctx context.Context, c *cip.Client, poolID, clientID string) error {
	_, err := c.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: aws.String(poolID), ClientId: aws.String(clientID)})
	return err
}

func TestListUserPoolClientsPaginator(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	poolID := newPool(t, c, ctx, "list")
	other := newPool(t, c, ctx, "other")
	if _, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(other), ClientName: aws.String("elsewhere")}); err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range 11 {
		out, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(poolID), ClientName: aws.String(fmt.Sprintf("c%02d", i))})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, aws.ToString(out.UserPoolClient.ClientId))
	}

	p := cip.NewListUserPoolClientsPaginator(c, &cip.ListUserPoolClientsInput{UserPoolId: aws.String(poolID), MaxResults: aws.Int32(4)})
	var got []string
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(page.UserPoolClients) > 4 {
			t.Errorf("page of %d", len(page.UserPoolClients))
		}
		for _, d := range page.UserPoolClients {
			if aws.ToString(d.UserPoolId) != poolID || aws.ToString(d.ClientName) != fmt.Sprintf("c%02d", len(got)) {
				t.Errorf("description %+v", d)
			}
			got = append(got, aws.ToString(d.ClientId))
		}
	}
	if pages != 3 || !slices.Equal(got, want) {
		t.Errorf("%d pages, %v, want %v", pages, got, want)
	}

	all, err := c.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: aws.String(poolID)})
	if err != nil || len(all.UserPoolClients) != 11 || all.NextToken != nil {
		t.Errorf("without MaxResults: %d clients, token %v, %v", len(all.UserPoolClients), all.NextToken, err)
	}
	_, err = c.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: aws.String(poolID), NextToken: aws.String("bm90LW91cnM")})
	wantErr[*types.InvalidParameterException](t, err, "")
	_, err = c.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: aws.String(poolID), MaxResults: aws.Int32(61)})
	wantErr[*types.InvalidParameterException](t, err, "")
}

// TestUserPoolClientSurvivesRestart: clients and their secrets are on disk,
// and the secret opens again after a restart.
func TestUserPoolClientSurvivesRestart(t *testing.T) {
	srv := testserver.Start(t)
	c, ctx := srv.Client(), testserver.Ctx(t)
	poolID := newPool(t, c, ctx, "durable")
	created, err := c.CreateUserPoolClient(ctx, fullClientInput(poolID))
	if err != nil {
		t.Fatal(err)
	}
	added, err := c.AddUserPoolClientSecret(ctx, &cip.AddUserPoolClientSecretInput{UserPoolId: aws.String(poolID), ClientId: created.UserPoolClient.ClientId})
	if err != nil {
		t.Fatal(err)
	}
	srv.Restart()
	c = srv.Client()
	described, err := c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(poolID), ClientId: created.UserPoolClient.ClientId})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(created.UserPoolClient, described.UserPoolClient) {
		t.Errorf("after a restart Describe answers\n%+v\nnot\n%+v", described.UserPoolClient, created.UserPoolClient)
	}
	list, err := c.ListUserPoolClientSecrets(ctx, &cip.ListUserPoolClientSecretsInput{UserPoolId: aws.String(poolID), ClientId: created.UserPoolClient.ClientId})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.ClientSecrets) != 2 || aws.ToString(list.ClientSecrets[1].ClientSecretId) != aws.ToString(added.ClientSecretDescriptor.ClientSecretId) {
		t.Errorf("secrets after restart: %+v", list.ClientSecrets)
	}
}

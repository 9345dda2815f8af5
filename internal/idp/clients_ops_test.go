package idp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/api"
)

func TestCreateResponseIsDescribeResponse(t *testing.T) {
	e := newClientsEnv(t)
	edits := map[string]func(*api.CreateUserPoolClientRequest){
		"minimal": nil,
		"everything": func(in *api.CreateUserPoolClientRequest) {
			in.GenerateSecret = api.Bool(true)
			in.AccessTokenValidity, in.IdTokenValidity, in.RefreshTokenValidity = api.Int32(30), api.Int32(45), api.Int32(7)
			in.TokenValidityUnits = &api.TokenValidityUnitsType{AccessToken: "minutes", IdToken: "minutes", RefreshToken: "days"}
			in.ReadAttributes, in.WriteAttributes = []string{"email", "name"}, []string{"name"}
			in.ExplicitAuthFlows = []api.ExplicitAuthFlowsType{"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
			in.SupportedIdentityProviders = []string{"COGNITO"}
			in.CallbackURLs, in.LogoutURLs = []string{"https://a.example.com/cb"}, []string{"https://a.example.com/out"}
			in.DefaultRedirectURI = api.String("https://a.example.com/cb")
			in.AllowedOAuthFlows, in.AllowedOAuthScopes = []api.OAuthFlowType{"code", "implicit"}, []string{"openid", "profile"}
			in.AllowedOAuthFlowsUserPoolClient = api.Bool(true)
			in.PreventUserExistenceErrors = "ENABLED"
			in.AuthSessionValidity = api.Int32(7)
			in.RefreshTokenRotation = &api.RefreshTokenRotationType{Feature: "DISABLED", RetryGracePeriodSeconds: api.Int32(10)}
			in.AnalyticsConfiguration = &api.AnalyticsConfigurationType{ApplicationId: api.String("abc123"), RoleArn: api.String("arn:aws:iam::123456789012:role/pinpoint"),
				ExternalId: api.String("ext"), UserDataShared: api.Bool(true)}
		},
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			created := e.create(t, edit)
			described := e.describe(t, api.ToString(created.ClientId))
			if !reflect.DeepEqual(created, described) {
				t.Errorf("Create answered\n%+v\nDescribe answers\n%+v", created, described)
			}
			a, _ := json.Marshal(created)
			b, _ := json.Marshal(described)
			if !bytes.Equal(a, b) {
				t.Errorf("wire forms differ:\n%s\n%s", a, b)
			}
			if !created.CreationDate.Time().Equal(e.clock.Now().Truncate(time.Millisecond)) ||
				!created.LastModifiedDate.Time().Equal(created.CreationDate.Time()) {
				t.Errorf("dates %v / %v", created.CreationDate.Time(), created.LastModifiedDate.Time())
			}
		})
	}
}

func TestClientSecretAtCreation(t *testing.T) {
	e := newClientsEnv(t)
	got := e.create(t, func(in *api.CreateUserPoolClientRequest) { in.GenerateSecret = api.Bool(true) })
	secret := api.ToString(got.ClientSecret)
	if len(secret) != 51 || !isLowerAlnum(secret) {
		t.Fatalf("generated secret %q is not 51 lowercase alphanumerics", secret)
	}
	id := api.ToString(got.ClientId)
	rec, err := e.svc.Store.GetClient(e.ctx, e.poolID, id)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(rec.Doc, []byte(secret)) {
		t.Fatal("the stored document holds the secret in the clear")
	}
	c := e.load(t, id)
	vals, err := e.svc.secretValues(c)
	if err != nil || !slices.Equal(vals, []string{secret}) || !c.HasSecret() {
		t.Fatalf("secretValues = %v, %v", vals, err)
	}

	custom := "my_Own+Secret_0123456789abcdef"
	got = e.create(t, func(in *api.CreateUserPoolClientRequest) { in.ClientSecret = api.String(custom) })
	if api.ToString(got.ClientSecret) != custom {
		t.Errorf("custom secret reported as %q", api.ToString(got.ClientSecret))
	}
}

func TestUpdateUserPoolClientReplacesSettings(t *testing.T) {
	e := newClientsEnv(t)
	created := e.create(t, func(in *api.CreateUserPoolClientRequest) {
		in.GenerateSecret = api.Bool(true)
		in.AccessTokenValidity = api.Int32(2)
		in.ReadAttributes = []string{"email"}
		in.PreventUserExistenceErrors = "ENABLED"
		in.EnableTokenRevocation = api.Bool(false)
		in.AuthSessionValidity = api.Int32(10)
		in.ExplicitAuthFlows = []api.ExplicitAuthFlowsType{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
	})
	id := api.ToString(created.ClientId)
	e.clock.Advance(90 * time.Second)

	out, err := e.svc.UpdateUserPoolClient(e.ctx, &api.UpdateUserPoolClientRequest{
		UserPoolId: api.String(e.poolID), ClientId: api.String(id), IdTokenValidity: api.Int32(3),
	})
	if err != nil {
		t.Fatal(err)
	}
	got := out.UserPoolClient
	if api.ToString(got.ClientName) != "app" || api.ToString(got.ClientSecret) != api.ToString(created.ClientSecret) ||
		!got.CreationDate.Time().Equal(created.CreationDate.Time()) ||
		got.LastModifiedDate.Time().Sub(created.LastModifiedDate.Time()) != 90*time.Second {
		t.Errorf("identity, secret or dates changed: %+v", got)
	}
	if got.AccessTokenValidity != nil || api.ToInt32(got.IdTokenValidity) != 3 || got.ReadAttributes != nil ||
		got.PreventUserExistenceErrors != "" || !api.ToBool(got.EnableTokenRevocation) || api.ToInt32(got.AuthSessionValidity) != 3 ||
		got.ExplicitAuthFlows != nil {
		t.Errorf("omitted members were not reset: %+v", got)
	}
	if !reflect.DeepEqual(got, e.describe(t, id)) {
		t.Error("Update's answer differs from Describe")
	}
	c := e.load(t, id)
	if c.AccessTokenValidity() != time.Hour || c.IDTokenValidity() != 3*time.Hour || c.HidesUserExistence() ||
		c.AllowsAuthFlow("USER_PASSWORD_AUTH") || !c.AllowsAuthFlow("USER_SRP_AUTH") {
		t.Error("behaviour was not reset")
	}

	out, err = e.svc.UpdateUserPoolClient(e.ctx, &api.UpdateUserPoolClientRequest{
		UserPoolId: api.String(e.poolID), ClientId: api.String(id), ClientName: api.String("renamed"),
		AllowedOAuthFlowsUserPoolClient: api.Bool(true), AllowedOAuthFlows: []api.OAuthFlowType{"client_credentials"},
		AllowedOAuthScopes: []string{"openid"},
	})
	if err != nil {
		t.Fatalf("client_credentials on a client with a secret: %v", err)
	}
	if api.ToString(out.UserPoolClient.ClientName) != "renamed" {
		t.Errorf("name %q", api.ToString(out.UserPoolClient.ClientName))
	}
	list, err := e.svc.ListUserPoolClients(e.ctx, &api.ListUserPoolClientsRequest{UserPoolId: api.String(e.poolID)})
	if err != nil || len(list.UserPoolClients) != 1 || api.ToString(list.UserPoolClients[0].ClientName) != "renamed" {
		t.Errorf("list after rename: %+v %v", list, err)
	}

	// A public client cannot be given client_credentials by an update.
	pub := api.ToString(e.create(t, nil).ClientId)
	_, err = e.svc.UpdateUserPoolClient(e.ctx, &api.UpdateUserPoolClientRequest{
		UserPoolId: api.String(e.poolID), ClientId: api.String(pub),
		AllowedOAuthFlowsUserPoolClient: api.Bool(true), AllowedOAuthFlows: []api.OAuthFlowType{"client_credentials"},
		AllowedOAuthScopes: []string{"openid"},
	})
	wantAPIError(t, err, api.CodeInvalidOAuthFlow, "client_credentials flow can not be selected if client does not have a client secret.")
	_, err = e.svc.UpdateUserPoolClient(e.ctx, &api.UpdateUserPoolClientRequest{
		UserPoolId: api.String(e.poolID), ClientId: api.String(pub), EnablePropagateAdditionalUserContextData: api.Bool(true),
	})
	wantAPIError(t, err, api.CodeInvalidParameter, "")
}

func TestClientNotFound(t *testing.T) {
	e := newClientsEnv(t)
	id := api.ToString(e.create(t, nil).ClientId)
	e.addPool(t, "us-east-1_OtherPool", testSchema())
	const missingPool = "us-east-1_NoSuchPool"
	const missingClient = "nosuchclient0000000000000"

	type call func(pool, client string) error
	calls := map[string]call{
		"Describe": func(p, c string) error {
			_, err := e.svc.DescribeUserPoolClient(e.ctx, &api.DescribeUserPoolClientRequest{UserPoolId: &p, ClientId: &c})
			return err
		},
		"Update": func(p, c string) error {
			_, err := e.svc.UpdateUserPoolClient(e.ctx, &api.UpdateUserPoolClientRequest{UserPoolId: &p, ClientId: &c})
			return err
		},
		"Delete": func(p, c string) error {
			return e.svc.DeleteUserPoolClient(e.ctx, &api.DeleteUserPoolClientRequest{UserPoolId: &p, ClientId: &c})
		},
		"AddSecret": func(p, c string) error {
			_, err := e.svc.AddUserPoolClientSecret(e.ctx, &api.AddUserPoolClientSecretRequest{UserPoolId: &p, ClientId: &c})
			return err
		},
		"ListSecrets": func(p, c string) error {
			_, err := e.svc.ListUserPoolClientSecrets(e.ctx, &api.ListUserPoolClientSecretsRequest{UserPoolId: &p, ClientId: &c})
			return err
		},
		"DeleteSecret": func(p, c string) error {
			_, err := e.svc.DeleteUserPoolClientSecret(e.ctx, &api.DeleteUserPoolClientSecretRequest{UserPoolId: &p, ClientId: &c, ClientSecretId: api.String(c + "--1")})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			wantAPIError(t, call(missingPool, id), api.CodeResourceNotFound, "User pool "+missingPool+" does not exist.")
			wantAPIError(t, call(e.poolID, missingClient), api.CodeResourceNotFound, "User pool client "+missingClient+" does not exist.")
			wantAPIError(t, call("us-east-1_OtherPool", id), api.CodeResourceNotFound, "User pool client "+id+" does not exist.")
		})
	}
	_, err := e.svc.CreateUserPoolClient(e.ctx, &api.CreateUserPoolClientRequest{UserPoolId: api.String(missingPool), ClientName: api.String("x")})
	wantAPIError(t, err, api.CodeResourceNotFound, "User pool "+missingPool+" does not exist.")
	_, err = e.svc.ListUserPoolClients(e.ctx, &api.ListUserPoolClientsRequest{UserPoolId: api.String(missingPool)})
	wantAPIError(t, err, api.CodeResourceNotFound, "User pool "+missingPool+" does not exist.")
	// The client is untouched by all of that.
	e.describe(t, id)
}

func TestDeleteUserPoolClient(t *testing.T) {
	e := newClientsEnv(t)
	id := api.ToString(e.create(t, nil).ClientId)
	keep := api.ToString(e.create(t, nil).ClientId)
	if err := e.svc.DeleteUserPoolClient(e.ctx, &api.DeleteUserPoolClientRequest{UserPoolId: api.String(e.poolID), ClientId: api.String(id)}); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.DescribeUserPoolClient(e.ctx, &api.DescribeUserPoolClientRequest{UserPoolId: api.String(e.poolID), ClientId: api.String(id)})
	wantAPIError(t, err, api.CodeResourceNotFound, "User pool client "+id+" does not exist.")
	err = e.svc.DeleteUserPoolClient(e.ctx, &api.DeleteUserPoolClientRequest{UserPoolId: api.String(e.poolID), ClientId: api.String(id)})
	wantAPIError(t, err, api.CodeResourceNotFound, "User pool client "+id+" does not exist.")
	e.describe(t, keep)
}

func TestListUserPoolClientsPages(t *testing.T) {
	e := newClientsEnv(t)
	var want []string
	for i := range 7 {
		c := e.create(t, func(in *api.CreateUserPoolClientRequest) { in.ClientName = api.String(fmt.Sprintf("app-%d", i)) })
		want = append(want, api.ToString(c.ClientId))
	}
	e.addPool(t, "us-east-1_OtherPool", testSchema())

	var got []string
	var token *string
	pages := 0
	for {
		out, err := e.svc.ListUserPoolClients(e.ctx, &api.ListUserPoolClientsRequest{UserPoolId: api.String(e.poolID), MaxResults: api.Int32(3), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for i, d := range out.UserPoolClients {
			if api.ToString(d.UserPoolId) != e.poolID || api.ToString(d.ClientName) != fmt.Sprintf("app-%d", len(got)+i) {
				t.Errorf("description %+v", d)
			}
		}
		for _, d := range out.UserPoolClients {
			got = append(got, api.ToString(d.ClientId))
		}
		if out.NextToken == nil {
			break
		}
		// A token of this pool means nothing to another pool.
		_, err = e.svc.ListUserPoolClients(e.ctx, &api.ListUserPoolClientsRequest{UserPoolId: api.String("us-east-1_OtherPool"), NextToken: out.NextToken})
		wantAPIError(t, err, api.CodeInvalidParameter, "")
		token = out.NextToken
	}
	if pages != 3 || !slices.Equal(got, want) {
		t.Errorf("%d pages, clients %v, want %v", pages, got, want)
	}

	all, err := e.svc.ListUserPoolClients(e.ctx, &api.ListUserPoolClientsRequest{UserPoolId: api.String(e.poolID)})
	if err != nil || len(all.UserPoolClients) != 7 || all.NextToken != nil {
		t.Errorf("default page: %+v %v", all, err)
	}
	empty, err := e.svc.ListUserPoolClients(e.ctx, &api.ListUserPoolClientsRequest{UserPoolId: api.String("us-east-1_OtherPool")})
	if err != nil || len(empty.UserPoolClients) != 0 || empty.NextToken != nil {
		t.Errorf("empty pool: %+v %v", empty, err)
	}
	for _, bad := range []string{"garbage", "Y2xpZW50cy52MS4", "MTI", *must(e.svc.sealPageToken(clientsPageScope(e.poolID), "not-a-cursor!")), *must(e.svc.sealPageToken(clientsPageScope("us-east-1_OtherPool"), "MQ"))} {
		_, err := e.svc.ListUserPoolClients(e.ctx, &api.ListUserPoolClientsRequest{UserPoolId: api.String(e.poolID), NextToken: api.String(bad)})
		wantAPIError(t, err, api.CodeInvalidParameter, "")
	}
	for _, n := range []int32{0, 61, -1} {
		_, err := e.svc.ListUserPoolClients(e.ctx, &api.ListUserPoolClientsRequest{UserPoolId: api.String(e.poolID), MaxResults: api.Int32(n)})
		wantAPIError(t, err, api.CodeInvalidParameter, "")
	}
}

// Every operation takes empty and half-empty requests without panicking.
func TestClientOperationsTakeEmptyRequests(t *testing.T) {
	e := newClientsEnv(t)
	id := api.ToString(e.create(t, func(in *api.CreateUserPoolClientRequest) { in.GenerateSecret = api.Bool(true) }).ClientId)
	p := api.String(e.poolID)
	calls := []func() error{
		func() error {
			_, err := e.svc.CreateUserPoolClient(e.ctx, &api.CreateUserPoolClientRequest{})
			return err
		},
		func() error {
			_, err := e.svc.CreateUserPoolClient(e.ctx, &api.CreateUserPoolClientRequest{UserPoolId: p})
			return err
		},
		func() error {
			_, err := e.svc.DescribeUserPoolClient(e.ctx, &api.DescribeUserPoolClientRequest{})
			return err
		},
		func() error {
			_, err := e.svc.DescribeUserPoolClient(e.ctx, &api.DescribeUserPoolClientRequest{UserPoolId: p})
			return err
		},
		func() error {
			_, err := e.svc.UpdateUserPoolClient(e.ctx, &api.UpdateUserPoolClientRequest{})
			return err
		},
		func() error { return e.svc.DeleteUserPoolClient(e.ctx, &api.DeleteUserPoolClientRequest{}) },
		func() error {
			_, err := e.svc.ListUserPoolClients(e.ctx, &api.ListUserPoolClientsRequest{})
			return err
		},
		func() error {
			_, err := e.svc.AddUserPoolClientSecret(e.ctx, &api.AddUserPoolClientSecretRequest{})
			return err
		},
		func() error {
			_, err := e.svc.ListUserPoolClientSecrets(e.ctx, &api.ListUserPoolClientSecretsRequest{})
			return err
		},
		func() error {
			_, err := e.svc.DeleteUserPoolClientSecret(e.ctx, &api.DeleteUserPoolClientSecretRequest{})
			return err
		},
		func() error {
			_, err := e.svc.DeleteUserPoolClientSecret(e.ctx, &api.DeleteUserPoolClientSecretRequest{UserPoolId: p, ClientId: api.String(id)})
			return err
		},
		func() error {
			_, err := e.svc.UpdateUserPoolClient(e.ctx, &api.UpdateUserPoolClientRequest{UserPoolId: p, ClientId: api.String(id),
				TokenValidityUnits: &api.TokenValidityUnitsType{}, AnalyticsConfiguration: &api.AnalyticsConfigurationType{ApplicationId: api.String("ab")},
				RefreshTokenRotation: &api.RefreshTokenRotationType{Feature: "ENABLED"}, ExplicitAuthFlows: []api.ExplicitAuthFlowsType{}})
			return err
		},
	}
	for i, call := range calls {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("call %d panicked: %v", i, r)
				}
			}()
			if err := call(); err != nil {
				var ae *api.Error
				if !errors.As(err, &ae) {
					t.Errorf("call %d: %v is not an API error", i, err)
				}
			}
		}()
	}
}

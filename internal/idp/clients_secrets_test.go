package idp

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/api"
)

func (e *clientsEnv) listSecrets(t *testing.T, clientID string) []api.ClientSecretDescriptorType {
	t.Helper()
	out, err := e.svc.ListUserPoolClientSecrets(e.ctx, &api.ListUserPoolClientSecretsRequest{UserPoolId: api.String(e.poolID), ClientId: api.String(clientID)})
	if err != nil {
		t.Fatalf("ListUserPoolClientSecrets: %v", err)
	}
	if out.NextToken != nil {
		t.Errorf("ListUserPoolClientSecrets answered a NextToken")
	}
	return out.ClientSecrets
}

func (e *clientsEnv) addSecret(clientID string, value *string) (*api.ClientSecretDescriptorType, error) {
	out, err := e.svc.AddUserPoolClientSecret(e.ctx, &api.AddUserPoolClientSecretRequest{UserPoolId: api.String(e.poolID), ClientId: api.String(clientID), ClientSecret: value})
	if err != nil {
		return nil, err
	}
	return out.ClientSecretDescriptor, nil
}

func (e *clientsEnv) deleteSecret(clientID, secretID string) error {
	_, err := e.svc.DeleteUserPoolClientSecret(e.ctx, &api.DeleteUserPoolClientSecretRequest{UserPoolId: api.String(e.poolID), ClientId: api.String(clientID), ClientSecretId: api.String(secretID)})
	return err
}

func TestClientSecretRotation(t *testing.T) {
	e := newClientsEnv(t)
	created := e.create(t, func(in *api.CreateUserPoolClientRequest) { in.GenerateSecret = api.Bool(true) })
	id, first := api.ToString(created.ClientId), api.ToString(created.ClientSecret)

	list := e.listSecrets(t, id)
	if len(list) != 1 {
		t.Fatalf("%d secrets after creation, want 1", len(list))
	}
	firstID := api.ToString(list[0].ClientSecretId)
	if firstID != id+"--"+strconv.FormatInt(created.CreationDate.Time().UnixMilli(), 10) || list[0].ClientSecretValue != nil ||
		!list[0].ClientSecretCreateDate.Time().Equal(created.CreationDate.Time()) {
		t.Errorf("descriptor of the creation secret: %+v", list[0])
	}

	// A generated second secret comes back once, with its value.
	e.clock.Advance(time.Minute)
	added, err := e.addSecret(id, nil)
	if err != nil {
		t.Fatal(err)
	}
	second := api.ToString(added.ClientSecretValue)
	if len(second) != 51 || second == first || !strings.HasPrefix(api.ToString(added.ClientSecretId), id+"--") ||
		!added.ClientSecretCreateDate.Time().Equal(e.clock.Now().Truncate(time.Millisecond)) {
		t.Errorf("added descriptor %+v", added)
	}
	list = e.listSecrets(t, id)
	if len(list) != 2 || api.ToString(list[1].ClientSecretId) != api.ToString(added.ClientSecretId) || list[1].ClientSecretValue != nil {
		t.Errorf("list after add: %+v", list)
	}
	// Both secrets work; Describe keeps showing the primary one.
	vals, err := e.svc.secretValues(e.load(t, id))
	if err != nil || !slices.Equal(vals, []string{first, second}) {
		t.Errorf("secretValues %v %v", vals, err)
	}
	if got := api.ToString(e.describe(t, id).ClientSecret); got != first {
		t.Errorf("Describe shows %q, want the primary secret", got)
	}
	rec, _ := e.svc.Store.GetClient(e.ctx, e.poolID, id)
	if bytes.Contains(rec.Doc, []byte(second)) {
		t.Error("the added secret is stored in the clear")
	}

	// A third is refused.
	_, err = e.addSecret(id, nil)
	wantAPIError(t, err, api.CodeLimitExceeded, "")

	// Deleting the primary makes the other one primary.
	if err := e.deleteSecret(id, firstID); err != nil {
		t.Fatal(err)
	}
	if got := api.ToString(e.describe(t, id).ClientSecret); got != second {
		t.Errorf("Describe shows %q after the primary was deleted, want the remaining secret", got)
	}
	// The last one stays.
	err = e.deleteSecret(id, api.ToString(added.ClientSecretId))
	wantAPIError(t, err, api.CodeInvalidParameter, "")
	err = e.deleteSecret(id, firstID)
	wantAPIError(t, err, api.CodeResourceNotFound, "")

	// A chosen secret is not echoed back.
	mine := "chosen_secret_value_1234567890"
	added, err = e.addSecret(id, &mine)
	if err != nil {
		t.Fatal(err)
	}
	if added.ClientSecretValue != nil {
		t.Errorf("a chosen secret was echoed: %+v", added)
	}
	vals, _ = e.svc.secretValues(e.load(t, id))
	if !slices.Equal(vals, []string{second, mine}) {
		t.Errorf("secrets %v", vals)
	}
}

func TestClientSecretRefusals(t *testing.T) {
	e := newClientsEnv(t)
	public := api.ToString(e.create(t, nil).ClientId)
	_, err := e.addSecret(public, nil)
	wantAPIError(t, err, api.CodeInvalidParameter, "")
	if l := e.listSecrets(t, public); len(l) != 0 {
		t.Errorf("a public client lists %v", l)
	}
	if c := e.describe(t, public); c.ClientSecret != nil {
		t.Error("a public client reports a secret")
	}

	custom := "custom_secret_for_client_abc"
	conf := api.ToString(e.create(t, func(in *api.CreateUserPoolClientRequest) { in.ClientSecret = api.String(custom) }).ClientId)
	for _, bad := range []string{"short", strings.Repeat("a", 65), "has spaces in the middle of it ok", custom} {
		_, err := e.addSecret(conf, api.String(bad))
		wantAPIError(t, err, api.CodeInvalidParameter, "")
	}
	_, err = e.svc.ListUserPoolClientSecrets(e.ctx, &api.ListUserPoolClientSecretsRequest{UserPoolId: api.String(e.poolID), ClientId: api.String(conf), NextToken: api.String("x")})
	wantAPIError(t, err, api.CodeInvalidParameter, "")

	// Two secrets added in the same millisecond get distinct ids.
	other := api.ToString(e.create(t, func(in *api.CreateUserPoolClientRequest) { in.GenerateSecret = api.Bool(true) }).ClientId)
	added, err := e.addSecret(other, nil)
	if err != nil {
		t.Fatal(err)
	}
	list := e.listSecrets(t, other)
	if len(list) != 2 || api.ToString(list[0].ClientSecretId) == api.ToString(added.ClientSecretId) {
		t.Errorf("ids collide: %+v", list)
	}
}

package idp_test

import (
	"context"
	"crypto/rand"
	"errors"
	"path/filepath"
	"testing"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/crypto/seal"
	"github.com/cognitod/cognitod/internal/idp"
	"github.com/cognitod/cognitod/internal/store/sqlite"
)

// Two services on one database file stand for two cognitod processes. One
// caches a pool; the other changes it; the first must create users under the
// new settings, never the cached ones.
func TestCachedPoolFollowsOtherProcess(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	key := []byte("shared key of both processes 0123")
	open := func() *idp.Service {
		st, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		box, err := seal.New(key, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return &idp.Service{Config: idp.Config{Region: "us-east-1", AccountID: "123456789012"}, Store: st, Seal: box}
	}
	a, b := open(), open()
	out, err := a.CreateUserPool(ctx, &api.CreateUserPoolRequest{PoolName: api.String("shared")})
	if err != nil {
		t.Fatal(err)
	}
	pool := out.UserPool.Id
	create := func(name, password string, attrs ...api.AttributeType) error {
		_, err := a.AdminCreateUser(ctx, &api.AdminCreateUserRequest{UserPoolId: pool, Username: api.String(name),
			TemporaryPassword: api.String(password), MessageAction: api.MessageActionTypeSuppress, UserAttributes: attrs})
		return err
	}
	// a reads (and caches) the pool.
	if err := create("first", "Passw0rd!"); err != nil {
		t.Fatal(err)
	}

	// b adds a custom attribute: a accepts it at once.
	if _, err := b.AddCustomAttributes(ctx, &api.AddCustomAttributesRequest{UserPoolId: pool,
		CustomAttributes: []api.SchemaAttributeType{{Name: api.String("team"), AttributeDataType: api.AttributeDataTypeString, Mutable: api.Bool(true)}}}); err != nil {
		t.Fatal(err)
	}
	if err := create("second", "Passw0rd!", api.AttributeType{Name: api.String("custom:team"), Value: api.String("blue")}); err != nil {
		t.Fatalf("attribute another process added: %v", err)
	}

	// b tightens the password policy: a enforces it at once.
	if _, err := b.UpdateUserPool(ctx, &api.UpdateUserPoolRequest{UserPoolId: pool, Policies: &api.UserPoolPolicyType{
		PasswordPolicy: &api.PasswordPolicyType{MinimumLength: api.Int32(12)}}}); err != nil {
		t.Fatal(err)
	}
	var ae *api.Error
	if err := create("third", "Passw0rd!"); !errors.As(err, &ae) || ae.Type != api.CodeInvalidPassword {
		t.Fatalf("password the new policy refuses: %v", err)
	}
	if err := create("fourth", "long enough password"); err != nil {
		t.Fatalf("password the new policy accepts (the old one refused it): %v", err)
	}

	// b deletes the pool: a answers that it does not exist.
	if err := b.DeleteUserPool(ctx, &api.DeleteUserPoolRequest{UserPoolId: pool}); err != nil {
		t.Fatal(err)
	}
	if err := create("fifth", "long enough password"); !errors.As(err, &ae) || ae.Type != api.CodeResourceNotFound {
		t.Fatalf("pool another process deleted: %v", err)
	}
}

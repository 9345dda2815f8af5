package idp

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/crypto/seal"
	"github.com/cognitod/cognitod/internal/store/sqlite"
)

// poolsEnv is a Service on a fresh in-memory SQLite store with a clock the
// test sets.
type poolsEnv struct {
	svc *Service
	ctx context.Context
	now time.Time
}

func newPoolsEnv(t *testing.T) *poolsEnv {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.OpenMemory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	box, err := seal.New([]byte("unit test key for user pools 0123456"), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	e := &poolsEnv{ctx: ctx, now: time.Date(2026, 5, 4, 3, 2, 1, 987_654_321, time.UTC)}
	e.svc = &Service{
		Config: Config{Region: "eu-west-3", AccountID: "210987654321"},
		Store:  st, Seal: box, Now: func() time.Time { return e.now },
	}
	return e
}

// create makes a pool from a minimal request that edit changes.
func (e *poolsEnv) create(t *testing.T, edit func(*api.CreateUserPoolRequest)) *api.UserPoolType {
	t.Helper()
	p, err := e.tryCreate(edit)
	if err != nil {
		t.Fatalf("CreateUserPool: %v", err)
	}
	return p
}

func (e *poolsEnv) tryCreate(edit func(*api.CreateUserPoolRequest)) (*api.UserPoolType, error) {
	in := &api.CreateUserPoolRequest{PoolName: api.String("pool")}
	if edit != nil {
		edit(in)
	}
	out, err := e.svc.CreateUserPool(e.ctx, in)
	if err != nil {
		return nil, err
	}
	return out.UserPool, nil
}

func (e *poolsEnv) describe(t *testing.T, id string) *api.UserPoolType {
	t.Helper()
	out, err := e.svc.DescribeUserPool(e.ctx, &api.DescribeUserPoolRequest{UserPoolId: api.String(id)})
	if err != nil {
		t.Fatalf("DescribeUserPool: %v", err)
	}
	return out.UserPool
}

func (e *poolsEnv) update(id string, edit func(*api.UpdateUserPoolRequest)) error {
	in := &api.UpdateUserPoolRequest{UserPoolId: api.String(id)}
	if edit != nil {
		edit(in)
	}
	_, err := e.svc.UpdateUserPool(e.ctx, in)
	return err
}

func (e *poolsEnv) mfa(t *testing.T, id string) *api.GetUserPoolMfaConfigResponse {
	t.Helper()
	out, err := e.svc.GetUserPoolMfaConfig(e.ctx, &api.GetUserPoolMfaConfigRequest{UserPoolId: api.String(id)})
	if err != nil {
		t.Fatalf("GetUserPoolMfaConfig: %v", err)
	}
	return out
}

func schemaByName(t *testing.T, p *api.UserPoolType, name string) api.SchemaAttributeType {
	t.Helper()
	for _, a := range p.SchemaAttributes {
		if api.ToString(a.Name) == name {
			return a
		}
	}
	t.Fatalf("no attribute %s in the schema", name)
	return api.SchemaAttributeType{}
}

var poolsSMSConfig = &api.SmsConfigurationType{
	SnsCallerArn: api.String("arn:aws:iam::210987654321:role/sms"),
	ExternalId:   api.String("ext-1"),
	SnsRegion:    api.String("eu-west-3"),
}

const (
	poolsInvalidParam = "InvalidParameterException"
	poolsNotFound     = "ResourceNotFoundException"
)

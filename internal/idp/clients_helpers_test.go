package idp

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/crypto/seal"
	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/store/sqlite"
)

// testClock is a clock tests move by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// clientsEnv is a Service on a fresh in-memory SQLite store, with a pool put
// straight into the store (the pool operations are another file's business).
type clientsEnv struct {
	svc    *Service
	clock  *testClock
	poolID string
	ctx    context.Context
}

const testPoolID = "us-east-1_TestPool1"

func newClientsEnv(t *testing.T) *clientsEnv {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.OpenMemory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	box, err := seal.New([]byte("unit test key for app clients 0123"), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{now: time.Date(2026, 3, 14, 15, 9, 26, 535_897_932, time.UTC)}
	svc := &Service{
		Config: Config{Region: "us-east-1", AccountID: "123456789012"},
		Store:  st, Seal: box, Now: clock.Now,
	}
	e := &clientsEnv{svc: svc, clock: clock, poolID: testPoolID, ctx: ctx}
	e.addPool(t, testPoolID, testSchema())
	return e
}

func schemaAttr(name string, mutable, required bool) api.SchemaAttributeType {
	return api.SchemaAttributeType{Name: api.String(name), AttributeDataType: api.AttributeDataTypeString,
		Mutable: api.Bool(mutable), Required: api.Bool(required)}
}

// testSchema is a small pool schema: sub is required and immutable, the rest
// are optional, custom:fixed cannot change after sign-up.
func testSchema() []api.SchemaAttributeType {
	return []api.SchemaAttributeType{
		schemaAttr("sub", false, true),
		schemaAttr("name", true, false),
		schemaAttr("email", true, false),
		schemaAttr("email_verified", true, false),
		schemaAttr("phone_number", true, false),
		schemaAttr("phone_number_verified", true, false),
		schemaAttr("custom:tier", true, false),
		schemaAttr("custom:fixed", false, false),
	}
}

func (e *clientsEnv) addPool(t *testing.T, id string, schema []api.SchemaAttributeType) {
	t.Helper()
	doc, err := encodePool(&pool{Type: api.UserPoolType{Id: api.String(id), Name: api.String("pool " + id), SchemaAttributes: schema}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Store.CreateUserPool(e.ctx, store.UserPool{ID: id, Name: "pool " + id, Created: e.clock.Now(), Doc: doc}); err != nil {
		t.Fatal(err)
	}
}

// create makes a client named "app" in the test pool with edit applied to the
// request, and fails the test on an error.
func (e *clientsEnv) create(t *testing.T, edit func(*api.CreateUserPoolClientRequest)) *api.UserPoolClientType {
	t.Helper()
	out, err := e.tryCreate(edit)
	if err != nil {
		t.Fatalf("CreateUserPoolClient: %v", err)
	}
	return out
}

func (e *clientsEnv) tryCreate(edit func(*api.CreateUserPoolClientRequest)) (*api.UserPoolClientType, error) {
	in := &api.CreateUserPoolClientRequest{UserPoolId: api.String(e.poolID), ClientName: api.String("app")}
	if edit != nil {
		edit(in)
	}
	out, err := e.svc.CreateUserPoolClient(e.ctx, in)
	if err != nil {
		return nil, err
	}
	return out.UserPoolClient, nil
}

func (e *clientsEnv) describe(t *testing.T, clientID string) *api.UserPoolClientType {
	t.Helper()
	out, err := e.svc.DescribeUserPoolClient(e.ctx, &api.DescribeUserPoolClientRequest{UserPoolId: api.String(e.poolID), ClientId: api.String(clientID)})
	if err != nil {
		t.Fatalf("DescribeUserPoolClient: %v", err)
	}
	return out.UserPoolClient
}

func (e *clientsEnv) load(t *testing.T, clientID string) *appClient {
	t.Helper()
	c, err := e.svc.getClient(e.ctx, e.poolID, clientID)
	if err != nil {
		t.Fatalf("getClient: %v", err)
	}
	return c
}

// wantAPIError checks err is an *api.Error of type code whose message is msg
// (exactly, or containing it when msg starts with "~").
func wantAPIError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae *api.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T), want %s", err, err, code)
	}
	if ae.Type != code {
		t.Fatalf("error type %s (%s), want %s", ae.Type, ae.Message, code)
	}
	if sub, ok := strings.CutPrefix(msg, "~"); ok {
		if !strings.Contains(ae.Message, sub) {
			t.Errorf("message %q does not contain %q", ae.Message, sub)
		}
	} else if msg != "" && ae.Message != msg {
		t.Errorf("message\n got %q\nwant %q", ae.Message, msg)
	}
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// clientsPerPool is how many app clients create-user-pool-client puts in one
// pool before it opens the next: a pool holds at most 1,000.
const clientsPerPool = 900

// benchPassword meets Cognito's default password policy (8 characters,
// upper and lower case, a digit, a symbol).
const benchPassword = "Bench-Passw0rd!"

// allScenarios lists every scenario, the default ones first in the order they
// run: reads before writes, so the writes' growing state does not weigh on
// the reads of the same run.
func allScenarios() []Scenario {
	return []Scenario{
		{
			Name: "describe-user-pool", Op: "DescribeUserPool", Default: true,
			Summary: "DescribeUserPool of one pool (setup: CreateUserPool)",
			Setup: func(ctx context.Context, env *Env) (*Workload, error) {
				return onePoolRead(ctx, env, "DescribeUserPool")
			},
		},
		{
			Name: "get-user-pool-mfa-config", Op: "GetUserPoolMfaConfig", Default: true,
			Summary: "GetUserPoolMfaConfig of one pool (setup: CreateUserPool)",
			Setup: func(ctx context.Context, env *Env) (*Workload, error) {
				return onePoolRead(ctx, env, "GetUserPoolMfaConfig")
			},
		},
		{
			Name: "list-user-pools", Op: "ListUserPools", Default: true,
			Summary: "ListUserPools, first page of 10 (setup: 10 × CreateUserPool, so the page is full)",
			Setup:   listUserPools,
		},
		{
			Name: "admin-get-user", Op: "AdminGetUser", Default: true, DefaultUsers: 1000,
			Summary: "AdminGetUser round-robin over N existing users (setup: CreateUserPool, N × AdminCreateUser with MessageAction SUPPRESS; N from --users, default 1,000)",
			Setup:   adminGetUser,
		},
		{
			Name: "create-user-pool-client", Op: "CreateUserPoolClient", Default: true,
			Summary: fmt.Sprintf("CreateUserPoolClient, a new client each time (setup: CreateUserPool; a new pool every %d clients, timed as CreateUserPool)", clientsPerPool),
			Setup:   createUserPoolClient,
		},
		{
			Name: "admin-create-user", Op: "AdminCreateUser", Default: true,
			Summary: "AdminCreateUser of a new user each time, with email and temporary password, MessageAction SUPPRESS (setup: CreateUserPool)",
			Setup:   adminCreateUser,
		},
		{
			Name: "user-password-auth", Op: "InitiateAuth", DefaultUsers: 1000,
			Summary: "InitiateAuth USER_PASSWORD_AUTH round-robin over N users (setup: CreateUserPool, CreateUserPoolClient, N × AdminCreateUser + AdminSetUserPassword Permanent)",
			Setup:   userPasswordAuth,
		},
		{
			Name: "srp-auth", Op: "RespondToAuthChallenge", DefaultUsers: 1000,
			Summary: "a whole USER_SRP_AUTH sign-in: InitiateAuth, then RespondToAuthChallenge PASSWORD_VERIFIER (the measured line); the client's SRP runs in the load tool (setup as user-password-auth)",
			Setup:   srpAuth,
		},
		{
			Name: "get-user", Op: "GetUser", DefaultUsers: 1000,
			Summary: "GetUser with the access tokens of N signed-in users, round-robin (setup as user-password-auth, then N sign-ins)",
			Setup:   getUser,
		},
		{
			// Not in the default set: its setup creates 100,000 users (about
			// 30 s on cognitod, far longer on moto).
			Name: "list-users-filter", Op: "ListUsers", DefaultUsers: 100000,
			Summary: `ListUsers with Filter, alternately email = "…" (one match) and email ^= "…" (100 matches, Limit 10) (setup: CreateUserPool, N × AdminCreateUser; N from --users, default 100,000)`,
			Setup:   listUsersFilter,
		},
	}
}

// decodeCheck makes a Workload.Check that decodes the answer into a T and
// asks ok about it.
func decodeCheck[T any](ok func(req Request, v *T) error) func(Request, []byte) error {
	return func(req Request, body []byte) error {
		var v T
		if err := json.Unmarshal(body, &v); err != nil {
			return fmt.Errorf("not the JSON expected: %v", err)
		}
		return ok(req, &v)
	}
}

func constant(req Request) Generator {
	return func(context.Context, *Worker) (Request, error) { return req, nil }
}

func poolName(env *Env, what string) string { return "bench-" + env.RunID + "-" + what }

// onePoolRead measures an operation whose only input is a pool id.
func onePoolRead(ctx context.Context, env *Env, op string) (*Workload, error) {
	id, err := env.createPool(ctx, nil, poolName(env, op))
	if err != nil {
		return nil, err
	}
	req := Request{Op: op, Body: mustJSON(map[string]any{"UserPoolId": id})}
	wl := &Workload{Next: constant(req), Sample: req, Setup: "1 pool",
		Check: decodeCheck(func(_ Request, v *map[string]any) error { return nil })}
	if op == "DescribeUserPool" {
		wl.Check = decodeCheck(func(_ Request, v *struct{ UserPool struct{ Id string } }) error {
			if v.UserPool.Id != id {
				return fmt.Errorf("UserPool.Id %q, want %q", v.UserPool.Id, id)
			}
			return nil
		})
	}
	return wl, nil
}

func listUserPools(ctx context.Context, env *Env) (*Workload, error) {
	const pools = 10
	for i := range pools {
		if _, err := env.createPool(ctx, nil, poolName(env, fmt.Sprintf("list-%d", i))); err != nil {
			return nil, err
		}
	}
	req := Request{Op: "ListUserPools", Body: mustJSON(map[string]any{"MaxResults": 10})}
	return &Workload{Next: constant(req), Sample: req, Setup: fmt.Sprintf("%d pools (more if the server had some)", pools),
		Check: decodeCheck(func(_ Request, v *struct{ UserPools []struct{ Id string } }) error {
			if n := len(v.UserPools); n < 1 || n > 10 {
				return fmt.Errorf("%d pools in a page of at most 10, with at least %d pools on the server", n, pools)
			}
			return nil
		})}, nil
}

// poolRotation hands out the pool for the n-th client: pool k holds clients
// k·per … (k+1)·per−1, and is created by the first worker that needs it.
type poolRotation struct {
	env   *Env
	per   int64
	mu    sync.Mutex
	pools atomic.Pointer[[]string]
}

func (p *poolRotation) pool(ctx context.Context, w *Worker, n int64) (string, error) {
	k := int(n / p.per)
	if ps := *p.pools.Load(); k < len(ps) {
		return ps[k], nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	ps := *p.pools.Load()
	for len(ps) <= k {
		id, err := p.env.createPool(ctx, w, poolName(p.env, fmt.Sprintf("clients-%d", len(ps))))
		if err != nil {
			return "", err
		}
		ps = append(ps[:len(ps):len(ps)], id)
		p.pools.Store(&ps)
	}
	return ps[k], nil
}

func createUserPoolClient(ctx context.Context, env *Env) (*Workload, error) {
	first, err := env.createPool(ctx, nil, poolName(env, "clients-0"))
	if err != nil {
		return nil, err
	}
	rot := &poolRotation{env: env, per: clientsPerPool}
	rot.pools.Store(&[]string{first})
	var seq atomic.Int64
	req := func(pool string, n int64) Request {
		return Request{Op: "CreateUserPoolClient", Body: mustJSON(map[string]any{
			"UserPoolId": pool, "ClientName": fmt.Sprintf("bench-%d", n),
		})}
	}
	next := func(ctx context.Context, w *Worker) (Request, error) {
		n := seq.Add(1) - 1
		pool, err := rot.pool(ctx, w, n)
		if err != nil {
			return Request{}, fmt.Errorf("opening the next pool: %w", err)
		}
		return req(pool, n), nil
	}
	return &Workload{Next: next, Sample: req(first, 0),
		Setup: fmt.Sprintf("1 pool, then one more every %d clients", clientsPerPool),
		Check: decodeCheck(func(_ Request, v *struct{ UserPoolClient struct{ ClientId string } }) error {
			if v.UserPoolClient.ClientId == "" {
				return errors.New("no UserPoolClient.ClientId")
			}
			return nil
		})}, nil
}

// userEmail is the email of the i-th user, and userName its username: the
// same string, since cognito-local gives every pool UsernameAttributes
// [email] unless told otherwise (AWS and cognitod take an email-shaped
// username in a pool without username attributes as any other name).
func userEmail(i int) string { return fmt.Sprintf("user-%07d@example.com", i) }
func userName(i int) string  { return userEmail(i) }

func adminCreateUserRequest(pool string, i int) Request {
	return Request{Op: "AdminCreateUser", Body: mustJSON(map[string]any{
		"UserPoolId":        pool,
		"Username":          userName(i),
		"MessageAction":     "SUPPRESS",
		"TemporaryPassword": benchPassword,
		"UserAttributes":    []map[string]string{{"Name": "email", "Value": userEmail(i)}},
	})}
}

// poolWithUsers creates a pool and env.Users users in it, env.Concurrency at
// a time. The first failure stops it: on a server without AdminCreateUser
// that is the first call, a NotImplementedException.
func poolWithUsers(ctx context.Context, env *Env, what string) (string, error) {
	pool, err := env.createPool(ctx, nil, poolName(env, what))
	if err != nil {
		return "", err
	}
	env.Logger.Info("setup", "step", "AdminCreateUser", "users", env.Users, "pool", pool)
	if _, err := env.call(ctx, adminCreateUserRequest(pool, 0)); err != nil {
		return "", err
	}
	err = env.parallel(ctx, "AdminCreateUser", env.Users-1, func(ctx context.Context, w *Worker, i int) error {
		_, err := w.Call(ctx, adminCreateUserRequest(pool, i+1))
		return err
	})
	return pool, err
}

func adminCreateUser(ctx context.Context, env *Env) (*Workload, error) {
	pool, err := env.createPool(ctx, nil, poolName(env, "create-users"))
	if err != nil {
		return nil, err
	}
	var seq atomic.Int64
	next := func(context.Context, *Worker) (Request, error) {
		return adminCreateUserRequest(pool, int(seq.Add(1)-1)), nil
	}
	return &Workload{Next: next, Sample: adminCreateUserRequest(pool, 0), Setup: "1 pool",
		Check: decodeCheck(func(_ Request, v *struct{ User struct{ Username string } }) error {
			if v.User.Username == "" {
				return errors.New("no User.Username")
			}
			return nil
		})}, nil
}

func adminGetUser(ctx context.Context, env *Env) (*Workload, error) {
	pool, err := poolWithUsers(ctx, env, "get-user")
	if err != nil {
		return nil, err
	}
	req := func(i int) Request {
		return Request{Op: "AdminGetUser", Body: mustJSON(map[string]any{"UserPoolId": pool, "Username": userName(i)})}
	}
	var seq atomic.Int64
	next := func(context.Context, *Worker) (Request, error) {
		return req(int(seq.Add(1)-1) % env.Users), nil
	}
	return &Workload{Next: next, Sample: req(0), Setup: fmt.Sprintf("1 pool, %d users", env.Users),
		Check: decodeCheck(func(req Request, v *struct {
			Username       string
			UserAttributes []struct{ Name, Value string }
		}) error {
			var in struct{ Username string }
			_ = json.Unmarshal(req.Body, &in)
			for _, a := range v.UserAttributes {
				if a.Name == "email" && a.Value == in.Username { // the username is the email
					return nil
				}
			}
			return fmt.Errorf("no email %s in UserAttributes of user %q", in.Username, v.Username)
		})}, nil
}

func listUsersFilter(ctx context.Context, env *Env) (*Workload, error) {
	pool, err := poolWithUsers(ctx, env, "list-users")
	if err != nil {
		return nil, err
	}
	eq := func(i int) Request {
		return Request{Op: "ListUsers", Label: "ListUsers email =", Body: mustJSON(map[string]any{
			"UserPoolId": pool, "Filter": fmt.Sprintf("email = %q", userEmail(i)), "Limit": 10,
		})}
	}
	prefix := func(i int) Request {
		p := userEmail(i)[:len("user-0000")+1] // user-00001 … : 100 users share it
		return Request{Op: "ListUsers", Label: "ListUsers email ^=", Body: mustJSON(map[string]any{
			"UserPoolId": pool, "Filter": fmt.Sprintf("email ^= %q", p), "Limit": 10,
		})}
	}
	var seq atomic.Int64
	next := func(context.Context, *Worker) (Request, error) {
		n := seq.Add(1) - 1
		// A multiplicative step spreads the users looked up over the pool.
		i := int((n / 2 * 7919) % int64(env.Users))
		if n%2 == 0 {
			return eq(i), nil
		}
		return prefix(i), nil
	}
	type users struct{ Users []struct{ Username string } }
	return &Workload{Next: next, Sample: eq(0), Setup: fmt.Sprintf("1 pool, %d users", env.Users),
		Check: decodeCheck(func(req Request, v *users) error {
			n := len(v.Users)
			if req.Label == eq(0).Label && n != 1 {
				return fmt.Errorf("%s: %d users, want exactly 1", req.Body, n)
			}
			if n < 1 || n > 10 {
				return fmt.Errorf("%s: %d users, want 1 to 10", req.Body, n)
			}
			return nil
		})}, nil
}

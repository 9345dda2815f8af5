package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cognitod/cognitod/internal/crypto/srp"
)

// The sign-in scenarios: a pool, an app client that allows the flows, and N
// confirmed users with a permanent password.

// signInPool makes the pool, the client and env.Users users that can sign in.
func signInPool(ctx context.Context, env *Env, what string) (pool, client string, err error) {
	pool, err = env.createPool(ctx, nil, poolName(env, what))
	if err != nil {
		return "", "", err
	}
	body, err := env.call(ctx, Request{Op: "CreateUserPoolClient", Body: mustJSON(map[string]any{
		"UserPoolId": pool, "ClientName": "bench",
		"ExplicitAuthFlows": []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
	})})
	if err != nil {
		return "", "", err
	}
	var out struct{ UserPoolClient struct{ ClientId string } }
	if err := json.Unmarshal(body, &out); err != nil || out.UserPoolClient.ClientId == "" {
		return "", "", fmt.Errorf("CreateUserPoolClient answered %s", body)
	}
	env.Logger.Info("setup", "step", "AdminCreateUser + AdminSetUserPassword", "users", env.Users, "pool", pool)
	err = env.parallel(ctx, "AdminCreateUser + AdminSetUserPassword", env.Users, func(ctx context.Context, w *Worker, i int) error {
		if _, err := w.Call(ctx, adminCreateUserRequest(pool, i)); err != nil {
			return err
		}
		_, err := w.Call(ctx, Request{Op: "AdminSetUserPassword", Body: mustJSON(map[string]any{
			"UserPoolId": pool, "Username": userName(i), "Password": benchPassword, "Permanent": true})})
		return err
	})
	return pool, out.UserPoolClient.ClientId, err
}

type authResult struct {
	AuthenticationResult struct {
		AccessToken, IdToken, RefreshToken string
	}
	ChallengeName       string
	ChallengeParameters map[string]string
}

func checkTokens(_ Request, v *authResult) error {
	if v.AuthenticationResult.AccessToken == "" || v.AuthenticationResult.IdToken == "" {
		return errors.New("no AccessToken or IdToken in AuthenticationResult")
	}
	return nil
}

func userPasswordAuthRequest(client string, i int) Request {
	return Request{Op: "InitiateAuth", Label: "InitiateAuth USER_PASSWORD_AUTH", Body: mustJSON(map[string]any{
		"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
		"AuthParameters": map[string]string{"USERNAME": userName(i), "PASSWORD": benchPassword},
	})}
}

// userPasswordAuth measures InitiateAuth USER_PASSWORD_AUTH, round-robin
// over the users.
func userPasswordAuth(ctx context.Context, env *Env) (*Workload, error) {
	_, client, err := signInPool(ctx, env, "password-auth")
	if err != nil {
		return nil, err
	}
	var seq atomic.Int64
	next := func(context.Context, *Worker) (Request, error) {
		return userPasswordAuthRequest(client, int(seq.Add(1)-1)%env.Users), nil
	}
	return &Workload{Next: next, Sample: userPasswordAuthRequest(client, 0), Setup: fmt.Sprintf("1 pool, 1 client, %d users", env.Users),
		Check: decodeCheck(checkTokens)}, nil
}

// srpAuth measures a whole USER_SRP_AUTH sign-in: InitiateAuth (recorded as
// its own line) then RespondToAuthChallenge PASSWORD_VERIFIER, the measured
// operation. The load tool does the client's side of SRP, three 3072-bit
// exponentiations per sign-in, on the same cores as the server: its CPU line
// shows what that costs.
func srpAuth(ctx context.Context, env *Env) (*Workload, error) {
	pool, client, err := signInPool(ctx, env, "srp-auth")
	if err != nil {
		return nil, err
	}
	poolName := srp.PoolName(pool)
	var seq atomic.Int64
	var mu sync.Mutex
	var sample Request
	var clients sync.Map // *Worker → func() (*srp.Client, error)
	next := func(ctx context.Context, w *Worker) (Request, error) {
		i := int(seq.Add(1)-1) % env.Users
		// Each worker keeps one client secret a for all its sign-ins, so
		// A = g^a is computed once per worker: the server cannot tell (it
		// sees a valid A), and the tool's exponentiations per sign-in drop
		// from three to two, leaving the cores to the server.
		cv, _ := clients.LoadOrStore(w, sync.OnceValues(func() (*srp.Client, error) { return srp.NewClient(poolName, shortSecret{}) }))
		c, err := cv.(func() (*srp.Client, error))()
		if err != nil {
			return Request{}, err
		}
		resp, err := w.Call(ctx, Request{Op: "InitiateAuth", Label: "InitiateAuth USER_SRP_AUTH", Body: mustJSON(map[string]any{
			"ClientId": client, "AuthFlow": "USER_SRP_AUTH",
			"AuthParameters": map[string]string{"USERNAME": userName(i), "SRP_A": c.AHex()},
		})})
		if err != nil {
			return Request{}, err
		}
		var ch authResult
		if err := json.Unmarshal(resp.Body, &ch); err != nil || ch.ChallengeName != "PASSWORD_VERIFIER" {
			return Request{}, fmt.Errorf("InitiateAuth USER_SRP_AUTH answered %s", resp.Body)
		}
		answers, err := c.RespondPasswordVerifier(ch.ChallengeParameters, benchPassword, time.Now())
		if err != nil {
			return Request{}, err
		}
		req := Request{Op: "RespondToAuthChallenge", Label: "RespondToAuthChallenge PASSWORD_VERIFIER", Body: mustJSON(map[string]any{
			"ClientId": client, "ChallengeName": "PASSWORD_VERIFIER", "ChallengeResponses": answers,
		})}
		mu.Lock()
		if sample.Op == "" {
			sample = req
		}
		mu.Unlock()
		return req, nil
	}
	// The ceiling is sent one answer over and over (the server would refuse
	// a replay; the ceiling server does not care).
	w := newWorker(-1, env.Client)
	first, err := next(ctx, w)
	if err != nil {
		return nil, err
	}
	return &Workload{Next: next, Sample: first, Setup: fmt.Sprintf("1 pool, 1 client, %d users", env.Users),
		Check: decodeCheck(checkTokens)}, nil
}

// shortSecret feeds srp.NewClient a 256-bit secret a (96 zero bytes, then 32
// random ones) instead of the 1024-bit one Amplify draws. The server cannot
// tell (it only sees A = g^a), and the client's exponentiations, which run
// on the same two cores as the server, cost a quarter as much: the figure is
// then more the server's.
type shortSecret struct{}

func (shortSecret) Read(p []byte) (int, error) {
	const zeros = 96
	n := copy(p, make([]byte, min(len(p), zeros)))
	if len(p) > n {
		if _, err := rand.Read(p[n:]); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// getUser measures GetUser with access tokens of signed-in users.
func getUser(ctx context.Context, env *Env) (*Workload, error) {
	_, client, err := signInPool(ctx, env, "get-user-token")
	if err != nil {
		return nil, err
	}
	tokens := make([]string, env.Users)
	err = env.parallel(ctx, "InitiateAuth USER_PASSWORD_AUTH", env.Users, func(ctx context.Context, w *Worker, i int) error {
		resp, err := w.Call(ctx, userPasswordAuthRequest(client, i))
		if err != nil {
			return err
		}
		var v authResult
		if err := json.Unmarshal(resp.Body, &v); err != nil || v.AuthenticationResult.AccessToken == "" {
			return fmt.Errorf("InitiateAuth answered %s", resp.Body)
		}
		tokens[i] = v.AuthenticationResult.AccessToken
		return nil
	})
	if err != nil {
		return nil, err
	}
	req := func(i int) Request {
		return Request{Op: "GetUser", Body: mustJSON(map[string]any{"AccessToken": tokens[i]})}
	}
	var seq atomic.Int64
	next := func(context.Context, *Worker) (Request, error) {
		return req(int(seq.Add(1)-1) % env.Users), nil
	}
	return &Workload{Next: next, Sample: req(0), Setup: fmt.Sprintf("1 pool, 1 client, %d users signed in", env.Users),
		Check: decodeCheck(func(_ Request, v *struct{ Username string }) error {
			if v.Username == "" {
				return errors.New("no Username")
			}
			return nil
		})}, nil
}

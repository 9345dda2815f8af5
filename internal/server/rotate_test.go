package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/token"
)

type fakeRotator struct{ calls []string }

func (f *fakeRotator) RotateSigningKeys(_ context.Context, poolID string) (token.JWKS, error) {
	if poolID == "us-east-1_missing" {
		return token.JWKS{}, api.ResourceNotFound("User pool %s does not exist.", poolID)
	}
	f.calls = append(f.calls, poolID)
	return token.JWKS{Keys: []token.JWK{{Kid: "k"}}}, nil
}

// The rotate-keys route is an operator's: loopback only, off in strict mode.
func TestRotateKeysRoute(t *testing.T) {
	for _, tc := range []struct {
		name   string
		strict bool
		remote string
		query  string
		status int
		calls  int
	}{
		{"loopback", false, "127.0.0.1:5555", "?userPoolId=us-east-1_abc", 200, 1},
		{"loopback v6", false, "[::1]:5555", "?userPoolId=us-east-1_abc", 200, 1},
		{"remote", false, "192.0.2.7:5555", "?userPoolId=us-east-1_abc", 403, 0},
		{"strict", true, "127.0.0.1:5555", "?userPoolId=us-east-1_abc", 403, 0},
		{"no pool", false, "127.0.0.1:5555", "", 400, 0},
		{"unknown pool", false, "127.0.0.1:5555", "?userPoolId=us-east-1_missing", 404, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rot := &fakeRotator{}
			s := &Server{Strict: tc.strict, Rotator: rot}
			req := httptest.NewRequest(http.MethodPost, "/_cognitod/rotate-keys"+tc.query, nil)
			req.RemoteAddr = tc.remote
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			if rec.Code != tc.status || len(rot.calls) != tc.calls {
				t.Errorf("status %d, calls %v: %s", rec.Code, rot.calls, rec.Body)
			}
		})
	}
}

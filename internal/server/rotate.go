package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/token"
)

// KeyRotator replaces a pool's token signing keys (the idp.Service).
type KeyRotator interface {
	RotateSigningKeys(ctx context.Context, poolID string) (token.JWKS, error)
}

// rotateResponse is the answer of POST /_cognitod/rotate-keys: the pool and
// its key set as published after the rotation (the new keys and the retired
// ones that still verify older tokens).
type rotateResponse struct {
	UserPoolID string      `json:"userPoolId"`
	Keys       []token.JWK `json:"keys"`
}

// rotateKeys serves POST /_cognitod/rotate-keys?userPoolId=…. Cognito has no
// such operation (AWS rotates its keys itself), so it is an operator route:
// like the reset endpoint it answers only loopback and is off in strict mode,
// where an operator would rather not let a local process churn keys.
func (s *Server) rotateKeys(w http.ResponseWriter, r *http.Request) {
	switch {
	case s.Strict || s.Rotator == nil:
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "key rotation is off in strict mode"})
		return
	case !fromLoopback(r):
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "key rotation is only accepted from loopback"})
		return
	}
	poolID := r.URL.Query().Get("userPoolId")
	if poolID == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "userPoolId is required"})
		return
	}
	set, err := s.Rotator.RotateSigningKeys(r.Context(), poolID)
	var ae *api.Error
	switch {
	case errors.As(err, &ae) && ae.Type == api.CodeResourceNotFound:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": ae.Message})
		return
	case err != nil:
		s.logger().ErrorContext(r.Context(), "rotating signing keys failed", "pool", poolID, "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "rotating signing keys failed"})
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, rotateResponse{UserPoolID: poolID, Keys: set.Keys})
}

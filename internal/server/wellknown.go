package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/idp"
	"github.com/cognitod/cognitod/internal/token"
)

// KeyPublisher serves what relying parties fetch to verify a pool's tokens
// (the idp.Service).
type KeyPublisher interface {
	JWKS(ctx context.Context, poolID string) (token.JWKS, error)
	OpenIDConfiguration(ctx context.Context, poolID string) (idp.Discovery, error)
}

// jwks serves GET /{pool}/.well-known/jwks.json.
func (s *Server) jwks(w http.ResponseWriter, r *http.Request) {
	set, err := s.Keys.JWKS(r.Context(), r.PathValue("pool"))
	s.wellKnown(w, r, set, err)
}

// openIDConfiguration serves GET /{pool}/.well-known/openid-configuration.
func (s *Server) openIDConfiguration(w http.ResponseWriter, r *http.Request) {
	d, err := s.Keys.OpenIDConfiguration(r.Context(), r.PathValue("pool"))
	s.wellKnown(w, r, d, err)
}

func (s *Server) wellKnown(w http.ResponseWriter, r *http.Request, v any, err error) {
	var ae *api.Error
	switch {
	case errors.As(err, &ae) && ae.Type == api.CodeResourceNotFound:
		writeJSON(w, http.StatusNotFound, map[string]string{"message": ae.Message})
		return
	case err != nil:
		s.logger().ErrorContext(r.Context(), "serving a well-known document failed", "path", r.URL.Path, "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"message": "internal error"})
		return
	}
	// Relying parties cache keys; a short lifetime lets rotation show.
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	writeJSON(w, http.StatusOK, v)
}

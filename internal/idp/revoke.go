package idp

import (
	"context"
	"errors"
	"time"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/store"
)

// Ending sessions: RevokeToken ends the session of one refresh token (its
// refresh token stops working, the access tokens issued in it are refused);
// GlobalSignOut and AdminUserGlobalSignOut (userself.go) end all of a user's.
// Expired sessions are forgotten by SweepExpired.

// RevokeToken revokes a refresh token and the session it stands for.
func (s *Service) RevokeToken(ctx context.Context, in *api.RevokeTokenRequest) (*api.RevokeTokenResponse, error) {
	clientID := api.ToString(in.ClientId)
	// RevokeToken declares neither ResourceNotFoundException nor
	// NotAuthorizedException: a client that cannot be authenticated, unknown
	// or with the wrong secret, is UnauthorizedException (OAuth's
	// invalid_client on the revocation endpoint).
	rec, err := s.Store.FindClient(ctx, clientID)
	if isNotFound(err) {
		return nil, api.Unauthorized("Client %s does not exist.", clientID)
	}
	if err != nil {
		return nil, err
	}
	c, err := newAppClient(rec)
	if err != nil {
		return nil, err
	}
	if err := s.checkClientSecret(c, in.ClientSecret, api.Unauthorized); err != nil {
		return nil, err
	}
	if !c.TokenRevocationEnabled() {
		return nil, api.UnsupportedOperation("Token revocation is not enabled for this client.")
	}
	tok := api.ToString(in.Token)
	sess, _, _, err := s.openRefreshToken(ctx, tok)
	if errors.Is(err, errBadRefresh) {
		// Only refresh tokens can be revoked; an ID or access token is
		// recognisable by its form.
		if _, jwt := unverifiedPool(tok); jwt {
			return nil, api.UnsupportedTokenType("Unsupported token type.")
		}
		// As RFC 7009 has it for the revocation endpoint, a token that is
		// not (or no longer) valid is not an error: its holder could do
		// nothing about it, and it grants nothing anyway.
		return &api.RevokeTokenResponse{}, nil
	}
	if err != nil {
		return nil, err
	}
	if sess.PoolID != c.PoolID || sess.ClientID != c.ClientID {
		return nil, api.Unauthorized("The token was not issued to client %s.", c.ClientID)
	}
	// Any genuine token of the session revokes it, also one that rotation
	// replaced: whoever holds it may end the session, never extend it.
	_, err = s.Store.UpdateSession(ctx, sess.PoolID, sess.ID, func(cur store.Session) (store.Session, error) {
		cur.Revoked = true
		return cur, nil
	})
	if err != nil && !isNotFound(err) {
		return nil, err
	}
	return &api.RevokeTokenResponse{}, nil
}

// sessionKeep is how long a session is kept after its refresh token
// expired: access tokens name their session (origin_jti) and are refused
// once it is gone, and one issued just before the refresh token expired
// lives up to the longest access token validity after that.
const sessionKeep = maxAccessTokenSeconds * time.Second

// SweepExpired forgets sessions whose refresh token expired (and whose
// access tokens all have) and single-use values past their expiry, and
// returns how many sessions. The running server calls it periodically
// (app.Serve); it reads the service's clock.
func (s *Service) SweepExpired(ctx context.Context) (int, error) {
	return s.Store.DeleteExpiredSessions(ctx, s.now().Add(-sessionKeep))
}

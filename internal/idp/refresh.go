package idp

import (
	"context"
	"errors"

	"github.com/cognitod/cognitod/internal/api"
)

// REFRESH_TOKEN_AUTH: new ID and access tokens for a session, in exchange for
// its refresh token. The session keeps its id (origin_jti) and auth_time.

func errInvalidRefresh() *api.Error { return api.NotAuthorized("Invalid Refresh Token") }

// refreshAuth is InitiateAuth / AdminInitiateAuth with REFRESH_TOKEN_AUTH.
func (s *Service) refreshAuth(ctx context.Context, call authCall, params map[string]string) (*authStep, error) {
	tok := params["REFRESH_TOKEN"]
	if tok == "" {
		return nil, missingParameter("REFRESH_TOKEN")
	}
	sess, d, err := s.openRefreshToken(ctx, tok)
	if errors.Is(err, errBadRefresh) {
		return nil, errInvalidRefresh()
	}
	if err != nil {
		return nil, err
	}
	if sess.PoolID != call.poolID || sess.ClientID != call.c.ClientID {
		return nil, errInvalidRefresh()
	}
	if sess.Revoked {
		return nil, api.NotAuthorized("Refresh Token has been revoked")
	}
	if s.now().After(sess.Expires) {
		return nil, api.NotAuthorized("Refresh Token has expired")
	}
	rec, err := s.Store.GetUserBySub(ctx, call.poolID, sess.Sub)
	if isNotFound(err) {
		return nil, api.NotAuthorized("User does not exist.")
	}
	if err != nil {
		return nil, err
	}
	u, err := newUser(rec)
	if err != nil {
		return nil, err
	}
	if call.c.HasSecret() {
		// The hash is of the username the client knows: the stored one,
		// which is the sub in pools that sign in with email or phone.
		if err := s.checkSecretHash(call.c, u.rec.Username, params["SECRET_HASH"]); err != nil {
			if err2 := s.checkSecretHash(call.c, params["USERNAME"], params["SECRET_HASH"]); params["USERNAME"] == "" || err2 != nil {
				return nil, err
			}
		}
	}
	if !u.rec.Enabled {
		return nil, api.NotAuthorized("User is disabled.")
	}
	res, err := s.issueTokens(ctx, grant{p: call.p, poolID: call.poolID, c: call.c, u: u,
		authTime: unixTime(d.AuthTime), session: sess.ID, deviceKey: d.DeviceKey})
	if err != nil {
		return nil, err
	}
	return &authStep{AuthenticationResult: res, ChallengeParameters: map[string]string{}}, nil
}

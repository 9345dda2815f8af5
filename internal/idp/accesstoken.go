package idp

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/token"
)

// Access-token operations (GetUser, ChangePassword, UpdateUserAttributes …)
// name the user by the token alone. accessUser checks the token as Cognito
// does: signed by the pool's access-token key, an access token, not expired,
// its session not revoked, its user still there and enabled.

func errInvalidAccessToken() *api.Error { return api.NotAuthorized("Invalid Access Token") }

// accessContext is a checked access token with what it names.
type accessContext struct {
	p      *pool
	poolID string
	u      *user
	claims accessClaims
}

func (s *Service) accessUser(ctx context.Context, tok string) (*accessContext, error) {
	poolID, ok := unverifiedPool(tok)
	if !ok {
		return nil, errInvalidAccessToken()
	}
	p, err := s.poolView(ctx, poolID)
	if err != nil {
		return nil, errInvalidAccessToken()
	}
	var c accessClaims
	err = token.Verify(tok, func(kid string) (*rsa.PublicKey, bool) {
		for _, k := range p.Keys {
			if k.Kid == kid && k.Use == keyUseAccess {
				return s.verificationKey(p, kid)
			}
		}
		return nil, false
	}, &c)
	if err != nil || c.TokenUse != "access" || c.Iss != s.issuer(poolID) {
		return nil, errInvalidAccessToken()
	}
	if s.now().Unix() >= c.Exp {
		return nil, api.NotAuthorized("Access Token has expired")
	}
	sess, err := s.Store.GetSession(ctx, poolID, c.OriginJti)
	switch {
	case isNotFound(err):
		return nil, api.NotAuthorized("Access Token has been revoked")
	case err != nil:
		return nil, err
	case sess.Revoked || sess.Sub != c.Sub || sess.ClientID != c.ClientID:
		return nil, api.NotAuthorized("Access Token has been revoked")
	}
	rec, err := s.Store.GetUserBySub(ctx, poolID, c.Sub)
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
	if !u.rec.Enabled {
		return nil, api.NotAuthorized("User is disabled.")
	}
	return &accessContext{p: p, poolID: poolID, u: u, claims: c}, nil
}

// unverifiedPool reads the pool id from a token's iss before the signature
// is checked: it only picks the keys to check it with.
func unverifiedPool(tok string) (string, bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return "", false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", false
	}
	var c struct {
		Iss string `json:"iss"`
	}
	if json.Unmarshal(payload, &c) != nil {
		return "", false
	}
	i := strings.LastIndexByte(c.Iss, '/')
	if i < 0 || i == len(c.Iss)-1 {
		return "", false
	}
	return c.Iss[i+1:], true
}

// revokeSessions ends every session of a user (GlobalSignOut,
// AdminUserGlobalSignOut): their refresh tokens stop working and their access
// tokens are refused.
func (s *Service) revokeSessions(ctx context.Context, poolID, sub string) error {
	_, err := s.Store.RevokeUserSessions(ctx, poolID, sub)
	return err
}

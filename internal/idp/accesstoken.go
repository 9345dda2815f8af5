package idp

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"sync"

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
	return s.checkAccessToken(ctx, tok, true)
}

// checkAccessToken is accessUser; withPool false leaves accessContext.p nil
// when the token's signature was checked before (GetUser needs no pool).
func (s *Service) checkAccessToken(ctx context.Context, tok string, withPool bool) (*accessContext, error) {
	poolID, ok := unverifiedPool(tok)
	if !ok {
		return nil, errInvalidAccessToken()
	}
	var p *pool
	c, known := s.verified.get(tok)
	if !known || withPool {
		var err error
		if p, err = s.poolView(ctx, poolID); err != nil {
			return nil, errInvalidAccessToken()
		}
	}
	if !known {
		err := token.Verify(tok, func(kid string) (*rsa.PublicKey, bool) {
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
		s.verified.put(tok, c)
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
	u, err := s.tokenUser(ctx, poolID, c.Sub)
	if err != nil {
		return nil, err
	}
	if !u.rec.Enabled {
		return nil, api.NotAuthorized("User is disabled.")
	}
	return &accessContext{p: p, poolID: poolID, u: u, claims: c}, nil
}

// verifiedTokens remembers access tokens whose signature checked out, by
// their SHA-256: apps send the same token with call after call, and the RSA
// check and decoding cost more than the rest of a GetUser. Only the
// signature is remembered; expiry, the session and the user are checked on
// every call. The key a token was signed with stays published at least as
// long as the token is valid (keys.go), so the answer cannot go stale.
type verifiedTokens struct {
	mu     sync.RWMutex
	tokens map[[sha256.Size]byte]accessClaims
}

// maxVerifiedTokens bounds the memory: past it the cache starts again.
const maxVerifiedTokens = 50000

func (v *verifiedTokens) get(tok string) (accessClaims, bool) {
	k := sha256.Sum256([]byte(tok))
	v.mu.RLock()
	defer v.mu.RUnlock()
	c, ok := v.tokens[k]
	return c, ok
}

func (v *verifiedTokens) put(tok string, c accessClaims) {
	k := sha256.Sum256([]byte(tok))
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.tokens == nil || len(v.tokens) >= maxVerifiedTokens {
		v.tokens = make(map[[sha256.Size]byte]accessClaims)
	}
	v.tokens[k] = c
}

// tokenUser loads the user a token (or its session) names; a user deleted
// since is NotAuthorizedException, as Cognito answers a token of one.
func (s *Service) tokenUser(ctx context.Context, poolID, sub string) (*user, error) {
	rec, err := s.Store.GetUserBySub(ctx, poolID, sub)
	if isNotFound(err) {
		return nil, api.NotAuthorized("User does not exist.")
	}
	if err != nil {
		return nil, err
	}
	return newUser(rec)
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

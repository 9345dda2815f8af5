package idp

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/token"
)

// Token signing keys. Every pool has two RSA keys, as Cognito's: one signs ID
// tokens, the other access tokens, so the two tokens' kid differ. They are
// made the first time a pool needs them (the first sign-in or JWKS request),
// because making two RSA keys takes a good fraction of a second and most
// pools in a test suite never sign anyone in. They live in the pool document,
// the private key sealed under the operator's key; a retired key stays
// published until the tokens it signed have expired.

// Key uses.
const (
	keyUseID     = "id"
	keyUseAccess = "access"
)

// storedKey is a signing key in the pool document.
type storedKey struct {
	Kid string `json:"kid"`
	Use string `json:"use"`
	// Sealed is the PKCS #8 private key, sealed with the kid as context.
	Sealed  string `json:"sealed"`
	Created int64  `json:"created"` // Unix milliseconds
	// Retired is when the key stopped signing (0: it signs); it stays in
	// the key set until RetiredUntil.
	Retired      int64 `json:"retired,omitempty"`
	RetiredUntil int64 `json:"retiredUntil,omitempty"`
	// N and E are the public key, for the key set without opening Sealed.
	N string `json:"n"`
	E int    `json:"e"`
}

func keyAD(poolID, kid string) string { return "signing-key:" + poolID + "/" + kid }

// keyCache holds parsed keys by kid: parsing and unsealing a key costs more
// than a signature's hashing, and a kid names one key for good.
type keyCache struct {
	mu      sync.RWMutex
	private map[string]*rsa.PrivateKey
	public  map[string]*rsa.PublicKey
}

// getPublic and putPublic cache public keys parsed from the pool document
// (a kid names one key for good; whether it is still published is read from
// the pool every time).
func (c *keyCache) getPublic(kid string) (*rsa.PublicKey, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	k, ok := c.public[kid]
	return k, ok
}

func (c *keyCache) putPublic(kid string, k *rsa.PublicKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.public == nil || len(c.public) >= 4*maxCachedPools {
		c.public = make(map[string]*rsa.PublicKey)
	}
	c.public[kid] = k
}

func (c *keyCache) get(kid string) (*rsa.PrivateKey, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	k, ok := c.private[kid]
	return k, ok
}

func (c *keyCache) put(kid string, k *rsa.PrivateKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.private == nil || len(c.private) >= 4*maxCachedPools {
		c.private = make(map[string]*rsa.PrivateKey)
	}
	c.private[kid] = k
}

// activeKey returns the key of a use that signs now, if the pool has one.
func (p *pool) activeKey(use string) (storedKey, bool) {
	for _, k := range p.Keys {
		if k.Use == use && k.Retired == 0 {
			return k, true
		}
	}
	return storedKey{}, false
}

// signingKeys returns the pool's ID-token and access-token keys, making them
// when the pool has none yet.
func (s *Service) signingKeys(ctx context.Context, poolID string) (idKey, accessKey *token.Key, err error) {
	p, err := s.poolView(ctx, poolID)
	if err != nil {
		return nil, nil, err
	}
	return s.poolSigningKeys(ctx, p, poolID)
}

// poolSigningKeys is signingKeys with the pool the request already read (a
// key that was rotated out meanwhile is still published, so signing with it
// is fine).
func (s *Service) poolSigningKeys(ctx context.Context, p *pool, poolID string) (idKey, accessKey *token.Key, err error) {
	idk, ok1 := p.activeKey(keyUseID)
	ak, ok2 := p.activeKey(keyUseAccess)
	if !ok1 || !ok2 {
		if p, err = s.makeKeys(ctx, poolID); err != nil {
			return nil, nil, err
		}
		idk, _ = p.activeKey(keyUseID)
		ak, _ = p.activeKey(keyUseAccess)
	}
	if idKey, err = s.openKey(poolID, idk); err != nil {
		return nil, nil, err
	}
	if accessKey, err = s.openKey(poolID, ak); err != nil {
		return nil, nil, err
	}
	return idKey, accessKey, nil
}

// makeKeys gives the pool the keys it lacks. Keys are made before the update
// (it may run more than once, and must be quick); when another request made
// them meanwhile, the pool keeps those.
func (s *Service) makeKeys(ctx context.Context, poolID string) (*pool, error) {
	// One maker at a time in this process: the first sign-ins of a pool
	// arrive together, and each would otherwise make two RSA keys (a good
	// fraction of a second of CPU) only to throw them away. After the wait,
	// the keys another caller made are used.
	s.keyMaking.Lock()
	defer s.keyMaking.Unlock()
	if p, err := s.poolView(ctx, poolID); err != nil {
		return nil, err
	} else if _, ok1 := p.activeKey(keyUseID); ok1 {
		if _, ok2 := p.activeKey(keyUseAccess); ok2 {
			return p, nil
		}
	}
	made, err := s.newStoredKeys(poolID)
	if err != nil {
		return nil, err
	}
	return s.updatePool(ctx, poolID, func(p *pool) error {
		for _, use := range []string{keyUseID, keyUseAccess} {
			if _, ok := p.activeKey(use); !ok {
				p.Keys = append(p.Keys, made[use])
			}
		}
		return nil
	})
}

// newStoredKeys makes a fresh ID-token key and access-token key, sealed for
// the pool document.
func (s *Service) newStoredKeys(poolID string) (map[string]storedKey, error) {
	made := map[string]storedKey{}
	for _, use := range []string{keyUseID, keyUseAccess} {
		k, err := token.NewKey(s.random())
		if err != nil {
			return nil, err
		}
		der, err := x509.MarshalPKCS8PrivateKey(k.Private)
		if err != nil {
			return nil, err
		}
		sealed, err := s.Seal.Seal(der, keyAD(poolID, k.ID))
		if err != nil {
			return nil, err
		}
		made[use] = storedKey{Kid: k.ID, Use: use, Sealed: sealed, Created: s.now().UnixMilli(),
			N: k.Private.N.Text(16), E: k.Private.E}
		s.keys.put(k.ID, k.Private)
	}
	return made, nil
}

// defaultRetirement is how long a retired key stays published when the pool
// has no clients to say how long their tokens live: a day, the longest an
// ID or access token may live on Cognito.
const defaultRetirement = 24 * time.Hour

// RotateSigningKeys replaces the pool's ID-token and access-token keys with
// new ones (an operator's action: POST /_cognitod/rotate-keys). The old keys
// stop signing at once but stay in the key set until every token they signed
// has expired — for the longest ID or access token lifetime of the pool's
// clients — so relying parties never meet a token they cannot verify. Keys
// retired by an earlier rotation whose time is up leave the pool document
// here. It returns the key set as published afterwards.
func (s *Service) RotateSigningKeys(ctx context.Context, poolID string) (token.JWKS, error) {
	if err := s.checkPoolExists(ctx, poolID); err != nil {
		return token.JWKS{}, err
	}
	keep, err := s.longestTokenLifetime(ctx, poolID)
	if err != nil {
		return token.JWKS{}, err
	}
	made, err := s.newStoredKeys(poolID)
	if err != nil {
		return token.JWKS{}, err
	}
	now := s.now()
	if _, err := s.updatePool(ctx, poolID, func(p *pool) error {
		kept := p.Keys[:0:0]
		for _, k := range p.Keys {
			if k.Retired == 0 {
				k.Retired = now.UnixMilli()
				k.RetiredUntil = now.Add(keep).UnixMilli()
			}
			if k.published(now) {
				kept = append(kept, k)
			}
		}
		p.Keys = append(kept, made[keyUseID], made[keyUseAccess])
		return nil
	}); err != nil {
		return token.JWKS{}, err
	}
	return s.JWKS(ctx, poolID)
}

// longestTokenLifetime is the longest ID or access token lifetime of the
// pool's clients, or defaultRetirement when it has none.
func (s *Service) longestTokenLifetime(ctx context.Context, poolID string) (time.Duration, error) {
	var longest time.Duration
	cursor := ""
	for {
		recs, next, err := s.Store.ListClients(ctx, poolID, store.Page{Cursor: cursor, Limit: 60})
		if err != nil {
			return 0, err
		}
		for _, rec := range recs {
			c, err := newAppClient(rec)
			if err != nil {
				return 0, err
			}
			longest = max(longest, c.AccessTokenValidity(), c.IDTokenValidity())
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if longest == 0 {
		return defaultRetirement, nil
	}
	return longest, nil
}

// openKey returns the private key of a stored key.
func (s *Service) openKey(poolID string, k storedKey) (*token.Key, error) {
	if priv, ok := s.keys.get(k.Kid); ok {
		return &token.Key{ID: k.Kid, Private: priv}, nil
	}
	der, err := s.Seal.Open(k.Sealed, keyAD(poolID, k.Kid))
	if err != nil {
		return nil, fmt.Errorf("user pool %s: signing key %s: %w", poolID, k.Kid, err)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("user pool %s: signing key %s: %w", poolID, k.Kid, err)
	}
	priv, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("user pool %s: signing key %s is not an RSA key", poolID, k.Kid)
	}
	s.keys.put(k.Kid, priv)
	return &token.Key{ID: k.Kid, Private: priv}, nil
}

// publicKey is a stored key's public half.
func (k storedKey) publicKey() (*rsa.PublicKey, error) {
	n, ok := new(big.Int).SetString(k.N, 16)
	if !ok {
		return nil, fmt.Errorf("signing key %s: bad modulus", k.Kid)
	}
	return &rsa.PublicKey{N: n, E: k.E}, nil
}

// published reports whether a key belongs in the key set at t.
func (k storedKey) published(t time.Time) bool {
	return k.Retired == 0 || t.UnixMilli() < k.RetiredUntil
}

// JWKS is the pool's JSON Web Key Set, served at
// /<pool id>/.well-known/jwks.json. A pool that has no keys yet gets them.
func (s *Service) JWKS(ctx context.Context, poolID string) (token.JWKS, error) {
	if _, _, err := s.signingKeys(ctx, poolID); err != nil {
		return token.JWKS{}, err
	}
	p, err := s.poolView(ctx, poolID)
	if err != nil {
		return token.JWKS{}, err
	}
	out := token.JWKS{Keys: []token.JWK{}}
	now := s.now()
	for _, k := range p.Keys {
		if !k.published(now) {
			continue
		}
		pub, err := k.publicKey()
		if err != nil {
			return token.JWKS{}, err
		}
		out.Keys = append(out.Keys, token.PublicJWK(k.Kid, pub))
	}
	return out, nil
}

// verificationKey finds the public key of a kid the pool publishes.
func (s *Service) verificationKey(p *pool, kid string) (*rsa.PublicKey, bool) {
	now := s.now()
	for _, k := range p.Keys {
		if k.Kid == kid && k.published(now) {
			if pub, ok := s.keys.getPublic(kid); ok {
				return pub, true
			}
			pub, err := k.publicKey()
			if err != nil {
				return nil, false
			}
			s.keys.putPublic(kid, pub)
			return pub, true
		}
	}
	return nil, false
}

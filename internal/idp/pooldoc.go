package idp

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/store"
)

// pool is the stored document of a user pool: the settings as DescribeUserPool
// reports them, plus what other operations keep beside them.
type pool struct {
	// Type is the pool as DescribeUserPool returns it, but for the members
	// computed on read (EstimatedNumberOfUsers, Domain, CustomDomain).
	Type api.UserPoolType `json:"pool"`
	// MFA factors that only SetUserPoolMfaConfig / GetUserPoolMfaConfig carry.
	SoftwareTokenMfa *api.SoftwareTokenMfaConfigType `json:"softwareTokenMfa,omitempty"`
	EmailMfa         *api.EmailMfaConfigType         `json:"emailMfa,omitempty"`
	WebAuthn         *api.WebAuthnConfigurationType  `json:"webAuthn,omitempty"`
	// SigningCertificate is the pool's X.509 certificate (base64 DER) and
	// SigningKey its private key, sealed. Made on first use.
	SigningCertificate string `json:"signingCertificate,omitempty"`
	SigningKey         string `json:"signingKey,omitempty"`
	// Keys are the token signing keys (keys.go).
	Keys []storedKey `json:"keys,omitempty"`
}

func decodePool(rec store.UserPool) (*pool, error) {
	var p pool
	if err := json.Unmarshal(rec.Doc, &p); err != nil {
		return nil, fmt.Errorf("user pool %s: stored document: %w", rec.ID, err)
	}
	return &p, nil
}

func encodePool(p *pool) ([]byte, error) { return json.Marshal(p) }

// getPool loads a pool, or answers Cognito's ResourceNotFoundException.
func (s *Service) getPool(ctx context.Context, id string) (*pool, error) {
	rec, err := s.Store.GetUserPool(ctx, id)
	if isNotFound(err) {
		return nil, poolNotFound(id)
	}
	if err != nil {
		return nil, err
	}
	return decodePool(rec)
}

// updatePool applies fn to the stored pool in one compare-and-swap. fn may run
// more than once; it must only change p.
func (s *Service) updatePool(ctx context.Context, id string, fn func(p *pool) error) (*pool, error) {
	var out *pool
	_, err := s.Store.UpdateUserPool(ctx, id, func(rec store.UserPool) (store.UserPool, error) {
		p, err := decodePool(rec)
		if err != nil {
			return rec, err
		}
		if err := fn(p); err != nil {
			return rec, err
		}
		doc, err := encodePool(p)
		if err != nil {
			return rec, err
		}
		rec.Doc = doc
		rec.Name = api.ToString(p.Type.Name)
		out = p
		return rec, nil
	})
	if isNotFound(err) {
		return nil, poolNotFound(id)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// attributeNames lists the pool's attribute names as clients name them in
// ReadAttributes / WriteAttributes (standard names and custom:x).
func (p *pool) attributeNames() map[string]bool {
	out := make(map[string]bool, len(p.Type.SchemaAttributes))
	for _, a := range p.Type.SchemaAttributes {
		name := api.ToString(a.Name)
		out[name] = true
	}
	return out
}

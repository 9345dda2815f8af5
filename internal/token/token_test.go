package token_test

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/cognitod/cognitod/internal/token"
)

type claims struct {
	Sub      string `json:"sub"`
	TokenUse string `json:"token_use"`
	Exp      int64  `json:"exp"`
}

func TestSignVerify(t *testing.T) {
	k, err := token.NewKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	other, err := token.NewKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	if k.ID == other.ID || len(k.ID) != 44 {
		t.Fatalf("key ids %q and %q", k.ID, other.ID)
	}
	tok, err := token.Sign(k, claims{Sub: "abc", TokenUse: "access", Exp: 42})
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]*rsa.PublicKey{k.ID: &k.Private.PublicKey}
	lookup := func(kid string) (*rsa.PublicKey, bool) { p, ok := keys[kid]; return p, ok }

	var got claims
	if err := token.Verify(tok, lookup, &got); err != nil || got != (claims{"abc", "access", 42}) {
		t.Fatalf("Verify: %v %+v", err, got)
	}

	// The header is Cognito's: kid and alg only.
	head, _, _ := strings.Cut(tok, ".")
	obj, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil || obj.Signatures[0].Header.KeyID != k.ID {
		t.Fatalf("header %s: %v", head, err)
	}

	parts := strings.Split(tok, ".")
	tests := []struct {
		name string
		tok  string
		keys func(string) (*rsa.PublicKey, bool)
		want error
	}{
		{"garbage", "not a token", lookup, token.ErrMalformed},
		{"unknown key", tok, func(string) (*rsa.PublicKey, bool) { return nil, false }, token.ErrUnknownKey},
		{"wrong key", tok, func(string) (*rsa.PublicKey, bool) { return &other.Private.PublicKey, true }, token.ErrSignature},
		{"payload changed", parts[0] + "." + parts[1] + "x." + parts[2], lookup, token.ErrSignature},
		{"signature changed", parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2])), lookup, token.ErrSignature},
		{"alg none", parts[0][:0] + "eyJhbGciOiJub25lIn0." + parts[1] + ".", lookup, token.ErrMalformed},
		{"alg HS256", base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","kid":"`+k.ID+`"}`)) + "." + parts[1] + "." + parts[2], lookup, token.ErrMalformed},
		{"no kid", base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256"}`)) + "." + parts[1] + "." + parts[2], lookup, token.ErrMalformed},
		{"four parts", tok + ".x", lookup, token.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c claims
			if err := token.Verify(tt.tok, tt.keys, &c); !errors.Is(err, tt.want) {
				t.Errorf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

// The published key set reads back, with go-jose, as the key that signs.
func TestPublicJWK(t *testing.T) {
	k, err := token.NewKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(token.JWKS{Keys: []token.JWK{token.PublicJWK(k.ID, &k.Private.PublicKey)}})
	if err != nil {
		t.Fatal(err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(raw, &set); err != nil {
		t.Fatal(err)
	}
	got := set.Key(k.ID)
	if len(got) != 1 || got[0].Algorithm != "RS256" || got[0].Use != "sig" {
		t.Fatalf("key set %s", raw)
	}
	pub, ok := got[0].Key.(*rsa.PublicKey)
	if !ok || !pub.Equal(&k.Private.PublicKey) {
		t.Fatalf("published key differs: %s", raw)
	}
}

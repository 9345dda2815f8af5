package idp

import (
	"encoding/base64"
	"github.com/cognitod/cognitod/internal/api"
	"strings"
)

// Page tokens wrap the store's cursor so that callers cannot forge or reuse
// them elsewhere: sealed (encrypted and authenticated) under the service key
// with the scope as associated data, the scope naming the operation and what
// the listing is bound to (a pool, later a filter). A token made for another
// scope does not open. Every List operation uses this one mechanism.

// sealPageToken makes the NextToken for cursor in scope.
func (s *Service) sealPageToken(scope, cursor string) (string, error) {
	if s.Seal == nil {
		// Only unit tests build a Service without a key; keep the scope
		// binding so they see the same refusals.
		return base64.RawURLEncoding.EncodeToString([]byte(scope + "\x00" + cursor)), nil
	}
	return s.Seal.Seal([]byte(cursor), "page-token:"+scope)
}

// openPageToken returns the cursor inside a token made by sealPageToken for
// the same scope, or false.
func (s *Service) openPageToken(scope, tok string) (string, bool) {
	if s.Seal == nil {
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil {
			return "", false
		}
		c, ok := strings.CutPrefix(string(raw), scope+"\x00")
		return c, ok && c != ""
	}
	b, err := s.Seal.Open(tok, "page-token:"+scope)
	if err != nil || len(b) == 0 {
		return "", false
	}
	return string(b), true
}

// pageCursor is the store cursor of a request's page token (nil: the first
// page). A token that does not open for scope is answered with bad().
func (s *Service) pageCursor(scope string, tok *string, bad func() *api.Error) (string, error) {
	if tok == nil {
		return "", nil
	}
	c, ok := s.openPageToken(scope, *tok)
	if !ok {
		return "", bad()
	}
	return c, nil
}

// nextPageToken is the token of the page after this one: nil on the last
// page, else the store's cursor sealed for scope.
func (s *Service) nextPageToken(scope, next string) (*string, error) {
	if next == "" {
		return nil, nil
	}
	tok, err := s.sealPageToken(scope, next)
	if err != nil {
		return nil, err
	}
	return &tok, nil
}

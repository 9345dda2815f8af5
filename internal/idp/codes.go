package idp

import (
	"context"
	"crypto/subtle"
	"fmt"
	"strings"
	"time"

	"github.com/cognitod/cognitod/internal/api"
)

// One-time codes: six digits, sealed in the user's document with their
// purpose, expiry and failed attempts.

// The purposes of codes; a user has at most one code per purpose.
const (
	purposeSignUp = "signup"
	purposeForgot = "forgot"
	// purposeVerify is followed by the attribute: "verify:email".
	purposeVerify = "verify:"
)

// How long codes live, as on Cognito: a day to confirm a sign-up or an
// attribute, an hour to reset a password.
const (
	signUpCodeTTL = 24 * time.Hour
	verifyCodeTTL = 24 * time.Hour
	forgotCodeTTL = time.Hour
)

// maxCodeAttempts is how many wrong codes a code survives: the next attempt
// answers TooManyFailedAttemptsException until a new code is sent.
const maxCodeAttempts = 5

// codeState is an outstanding code.
type codeState struct {
	Sealed   string `json:"c"`
	Expires  int64  `json:"exp"` // Unix milliseconds
	Failures int    `json:"f,omitempty"`
	// Attr is the attribute the code was sent to: confirming a sign-up
	// verifies it.
	Attr string `json:"a,omitempty"`
}

func codeAD(poolID, sub, purpose string) string {
	return "user-code:" + poolID + "/" + sub + "/" + purpose
}

// issuedCode is a code made for a user, ready to be stored and sent.
type issuedCode struct {
	purpose string
	code    string
	state   codeState
}

// issueCode makes a new code. Store it with (issuedCode).apply inside the
// update that goes with it.
func (s *Service) issueCode(poolID, sub, purpose string, ttl time.Duration) (issuedCode, error) {
	return s.issueCodeTo(poolID, sub, purpose, "", ttl)
}

// issueCodeTo is issueCode for a code sent to attr.
func (s *Service) issueCodeTo(poolID, sub, purpose, attr string, ttl time.Duration) (issuedCode, error) {
	code, err := s.randomString("0123456789", 6)
	if err != nil {
		return issuedCode{}, err
	}
	sealed, err := s.Seal.Seal([]byte(code), codeAD(poolID, sub, purpose))
	if err != nil {
		return issuedCode{}, err
	}
	return issuedCode{purpose: purpose, code: code, state: codeState{Sealed: sealed, Expires: s.now().Add(ttl).UnixMilli(), Attr: attr}}, nil
}

func (c issuedCode) apply(d *userDoc) {
	if d.Codes == nil {
		d.Codes = make(map[string]*codeState, 1)
	}
	st := c.state
	d.Codes[c.purpose] = &st
}

// codeSend is a code to make, keep with the user and send.
type codeSend struct {
	purpose, attr, dest, kind string
	ttl                       time.Duration
	// byLink lets an e-mail use the pool's CONFIRM_WITH_LINK message.
	byLink bool
}

// sendNewCode makes a code, stores it with the user in one update (with
// change, when given, applied in the same update), sends it, and returns
// where it went. Without change the update is bookkeeping no reader of the
// user sees, so UserLastModifiedDate stays.
func (s *Service) sendNewCode(ctx context.Context, p *pool, poolID, clientID, sub string, cs codeSend, change func(u *user)) (*api.CodeDeliveryDetailsType, error) {
	code, err := s.issueCodeTo(poolID, sub, cs.purpose, cs.attr, cs.ttl)
	if err != nil {
		return nil, err
	}
	u, err := s.updateUser(ctx, p, poolID, sub, func(u *user) error {
		code.apply(u.doc)
		if change != nil {
			change(u)
		} else {
			u.keepModified = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.sendCode(ctx, p, poolID, clientID, u, cs.kind, cs.attr, cs.dest, code.code, cs.byLink); err != nil {
		return nil, err
	}
	return deliveryDetails(mediumOf(cs.attr), cs.attr, cs.dest), nil
}

// codeCheck is the outcome of comparing a code.
type codeCheck int

const (
	codeOK codeCheck = iota
	codeMismatch
	codeExpired
	codeExhausted
	codeMissing
)

// checkCode compares a code with the user's code for purpose. It changes
// nothing: callers record a failure (recordFailure) or use the code
// (d.Codes delete) in their update.
func (s *Service) checkCode(poolID string, u *user, purpose, code string) (codeCheck, error) {
	st := u.doc.Codes[purpose]
	if st == nil {
		return codeMissing, nil
	}
	if st.Failures >= maxCodeAttempts {
		return codeExhausted, nil
	}
	want, err := s.Seal.Open(st.Sealed, codeAD(poolID, u.rec.Sub, purpose))
	if err != nil {
		return 0, fmt.Errorf("user %s of user pool %s: code: %w", u.rec.Sub, poolID, err)
	}
	if subtle.ConstantTimeCompare(want, []byte(code)) != 1 {
		return codeMismatch, nil
	}
	if s.now().UnixMilli() > st.Expires {
		return codeExpired, nil
	}
	return codeOK, nil
}

// recordFailure counts a wrong code.
func recordFailure(d *userDoc, purpose string) {
	if st := d.Codes[purpose]; st != nil {
		st.Failures++
	}
}

// useCode removes a code once it has served.
func useCode(d *userDoc, purpose string) {
	delete(d.Codes, purpose)
	if len(d.Codes) == 0 {
		d.Codes = nil
	}
}

func errCodeMismatch() *api.Error {
	return api.CodeMismatch("Invalid verification code provided, please try again.")
}

func errCodeExpired() *api.Error {
	return api.ExpiredCode("Invalid code provided, please request a code again.")
}

func errTooManyFailures() *api.Error {
	return api.TooManyFailedAttempts("Too many failed attempts with this code, please request a code again.")
}

// maskDestination hides most of an address as Cognito does in
// CodeDeliveryDetails: "a***@e***" for an e-mail address, "+*******1234" for a
// phone number.
func maskDestination(medium api.DeliveryMediumType, dest string) string {
	if medium == api.DeliveryMediumTypeEmail {
		local, domain, ok := strings.Cut(dest, "@")
		if !ok || local == "" || domain == "" {
			return "***"
		}
		return firstRune(local) + "***@" + firstRune(domain) + "***"
	}
	head, body := "", dest
	if strings.HasPrefix(dest, "+") {
		head, body = "+", dest[1:]
	}
	// A number too short to keep four digits back is hidden whole, rather
	// than shown whole.
	if len(body) <= 4 {
		return head + strings.Repeat("*", len(body))
	}
	return head + strings.Repeat("*", len(body)-4) + body[len(body)-4:]
}

func firstRune(s string) string {
	for _, r := range s {
		return string(r)
	}
	return ""
}

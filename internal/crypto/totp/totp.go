// Package totp is the software-token factor of Cognito's MFA: RFC 6238
// time-based one-time passwords with the parameters every authenticator app
// assumes when it reads a bare secret (HMAC-SHA-1, 6 digits, 30-second
// steps). The code arithmetic is github.com/pquerna/otp's; this package fixes
// the parameters, the seed size and the skew, and reports which time step a
// code matched so that callers can refuse a code used before.
//
// Time is always passed in: the service's clock is injected so that tests
// can move it.
package totp

import (
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
)

const (
	// SeedSize is the seed length: 160 bits, the HMAC-SHA-1 output size
	// RFC 4226 recommends, which Cognito's 32-character SecretCode carries.
	SeedSize = 20
	// Period is the length of one time step.
	Period = 30 * time.Second
	// Digits is the length of a code.
	Digits = 6
	// Skew is how many steps a code may be early or late: one either side
	// tolerates a phone clock a little off and a code typed at the end of
	// its step, as RFC 6238 section 5.2 suggests.
	Skew = 1
)

// encoding is base32 without padding, the form of Cognito's SecretCode and
// of the secret parameter of otpauth:// URIs.
var encoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewSeed reads a new random seed from r.
func NewSeed(r io.Reader) ([]byte, error) {
	seed := make([]byte, SeedSize)
	if _, err := io.ReadFull(r, seed); err != nil {
		return nil, fmt.Errorf("totp: seed: %w", err)
	}
	return seed, nil
}

// SecretCode is the seed as AssociateSoftwareToken returns it: upper-case
// base32 without padding, what authenticator apps accept typed or in a QR
// code.
func SecretCode(seed []byte) string { return encoding.EncodeToString(seed) }

// ParseSecretCode is SecretCode's inverse.
func ParseSecretCode(code string) ([]byte, error) {
	seed, err := encoding.DecodeString(code)
	if err != nil {
		return nil, fmt.Errorf("totp: secret code: %w", err)
	}
	return seed, nil
}

// Step is the RFC 6238 time step of t: whole periods since the Unix epoch.
// Times before the epoch have negative steps, for which no code is defined.
func Step(t time.Time) int64 {
	sec := t.Unix()
	p := int64(Period / time.Second)
	if sec < 0 {
		return (sec - p + 1) / p // floor, not truncation toward zero
	}
	return sec / p
}

var errNegativeStep = errors.New("totp: no code before the Unix epoch")

// CodeAt is the code of seed for time step step.
func CodeAt(seed []byte, step int64) (string, error) {
	if step < 0 {
		return "", errNegativeStep
	}
	return hotp.GenerateCodeCustom(SecretCode(seed), uint64(step), hotp.ValidateOpts{
		Digits:    otp.DigitsSix,
		Algorithm: otp.AlgorithmSHA1,
	})
}

// Code is the code of seed at time t.
func Code(seed []byte, t time.Time) (string, error) { return CodeAt(seed, Step(t)) }

// Check reports whether code is a code of seed at time t, allowing Skew
// steps either side, and the step it matched. Steps up to and including
// after are not considered: pass the step of the last code accepted from this
// seed (or -1 for none), and a code is never accepted twice. Among the
// candidate steps the current one is tried first, then the past one before
// the future one, so a code that happens to match two steps (odds of one in a
// million) counts for the likeliest.
//
// code must be exactly Digits ASCII digits: pquerna/otp trims white space,
// which Cognito's pattern for codes does not allow.
func Check(seed []byte, code string, t time.Time, after int64) (step int64, ok bool) {
	if len(code) != Digits {
		return 0, false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return 0, false
		}
	}
	now := Step(t)
	for i := 0; i <= 2*Skew; i++ {
		// 0, -1, +1, -2, +2 …
		d := int64((i + 1) / 2)
		if i%2 == 1 {
			d = -d
		}
		s := now + d
		if s <= after || s < 0 {
			continue
		}
		// ValidateCustom compares in constant time, so the time of a
		// refusal tells nothing of how many digits were right.
		match, err := hotp.ValidateCustom(code, uint64(s), SecretCode(seed), hotp.ValidateOpts{
			Digits:    otp.DigitsSix,
			Algorithm: otp.AlgorithmSHA1,
		})
		if err == nil && match {
			return s, true
		}
	}
	return 0, false
}

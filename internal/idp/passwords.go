package idp

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/crypto/password"
	"github.com/cognitod/cognitod/internal/crypto/srp"
)

// Passwords are never stored. A permanent password becomes its SRP salt and
// verifier (v = g^x mod N, what USER_SRP_AUTH needs), sealed under the
// operator's key and bound to the pool and the user; USER_PASSWORD_AUTH checks
// a password by computing v again with the stored salt. A temporary password
// must be sent in the invitation and may be sent again (MessageAction RESEND
// without a new one), so it is sealed rather than hashed.

// passwordPolicy is the pool's policy in the password package's terms.
func (p *pool) passwordPolicy() password.Policy {
	pp := p.Type.Policies
	if pp == nil || pp.PasswordPolicy == nil {
		return password.DefaultPolicy()
	}
	q := pp.PasswordPolicy
	return password.Policy{
		MinimumLength:    int(api.ToInt32(q.MinimumLength)),
		RequireUppercase: api.ToBool(q.RequireUppercase),
		RequireLowercase: api.ToBool(q.RequireLowercase),
		RequireNumbers:   api.ToBool(q.RequireNumbers),
		RequireSymbols:   api.ToBool(q.RequireSymbols),
	}
}

// historySize is PasswordHistorySize: how many of the user's latest
// passwords, the current one included, a new password may not repeat.
func (p *pool) historySize() int {
	if pp := p.Type.Policies; pp != nil && pp.PasswordPolicy != nil {
		return int(api.ToInt32(pp.PasswordPolicy.PasswordHistorySize))
	}
	return 0
}

// temporaryValidity is how long a temporary password may be used.
func (p *pool) temporaryValidity() time.Duration {
	days := int32(defaultTemporaryPasswordDays)
	if pp := p.Type.Policies; pp != nil && pp.PasswordPolicy != nil && pp.PasswordPolicy.TemporaryPasswordValidityDays != nil {
		days = *pp.PasswordPolicy.TemporaryPasswordValidityDays
	}
	return time.Duration(days) * 24 * time.Hour
}

// checkPasswordPolicy answers InvalidPasswordException in the operation's
// words when pw breaks the pool's policy.
func (p *pool) checkPasswordPolicy(op, pw string) error {
	if err := password.Check(p.passwordPolicy(), pw); err != nil {
		var pe *password.Error
		if errors.As(err, &pe) {
			return api.InvalidPassword("%s", pe.Message(op))
		}
		return err
	}
	return nil
}

func passwordAD(poolID, sub, what string) string { return "user-" + what + ":" + poolID + "/" + sub }

// sealVerifier makes the sealed salt and verifier of pw for the user named
// username (the USER_ID_FOR_SRP of the pool). It costs one 3072-bit modular
// exponentiation: call it before a store update, never inside one.
func (s *Service) sealVerifier(poolID, sub, username, pw string) (string, error) {
	salt, err := srp.NewSalt(s.random())
	if err != nil {
		return "", err
	}
	v := srp.Verifier(srp.PoolName(poolID), username, pw, salt)
	blob := append(salt, v.Bytes()...)
	return s.Seal.Seal(blob, passwordAD(poolID, sub, "password"))
}

// openVerifier returns the salt and verifier of a sealed password.
func (s *Service) openVerifier(poolID, sub, sealed string) ([]byte, *big.Int, error) {
	blob, err := s.Seal.Open(sealed, passwordAD(poolID, sub, "password"))
	if err != nil {
		return nil, nil, fmt.Errorf("user %s of user pool %s: password record: %w", sub, poolID, err)
	}
	if len(blob) <= srp.SaltSize {
		return nil, nil, fmt.Errorf("user %s of user pool %s: password record too short", sub, poolID)
	}
	return blob[:srp.SaltSize], new(big.Int).SetBytes(blob[srp.SaltSize:]), nil
}

// verifierMatches reports whether pw is the password sealed in sealed.
func (s *Service) verifierMatches(poolID, sub, username, sealed, pw string) (bool, error) {
	salt, v, err := s.openVerifier(poolID, sub, sealed)
	if err != nil {
		return false, err
	}
	got := srp.Verifier(srp.PoolName(poolID), username, pw, salt)
	return subtle.ConstantTimeCompare(got.Bytes(), v.Bytes()) == 1, nil
}

// passwordMatches reports whether pw is the user's permanent password.
func (s *Service) passwordMatches(poolID string, u *user, pw string) (bool, error) {
	if u.doc.Password == "" {
		return false, nil
	}
	return s.verifierMatches(poolID, u.rec.Sub, u.rec.Username, u.doc.Password, pw)
}

// temporaryMatches reports whether pw is the user's temporary password and
// whether that has expired.
func (s *Service) temporaryMatches(poolID string, u *user, pw string) (match, expired bool, err error) {
	if u.doc.Temporary == "" {
		return false, false, nil
	}
	plain, err := s.Seal.Open(u.doc.Temporary, passwordAD(poolID, u.rec.Sub, "temporary"))
	if err != nil {
		return false, false, fmt.Errorf("user %s of user pool %s: temporary password: %w", u.rec.Sub, poolID, err)
	}
	match = subtle.ConstantTimeCompare(plain, []byte(pw)) == 1
	expired = u.doc.TemporaryExpires > 0 && s.now().UnixMilli() > u.doc.TemporaryExpires
	return match, expired, nil
}

// newPassword is a permanent password made ready for a store update.
type newPassword struct {
	sealed string
}

// preparePassword checks pw against the policy (in the words of op) and the
// password history, and seals its verifier.
func (s *Service) preparePassword(p *pool, poolID string, u *user, op, pw string) (newPassword, error) {
	if err := p.checkPasswordPolicy(op, pw); err != nil {
		return newPassword{}, err
	}
	if n := p.historySize(); n > 0 {
		previous := make([]string, 0, n)
		if u.doc.Password != "" {
			previous = append(previous, u.doc.Password)
		}
		previous = append(previous, u.doc.History...)
		if len(previous) > n {
			previous = previous[:n]
		}
		for _, sealed := range previous {
			used, err := s.verifierMatches(poolID, u.rec.Sub, u.rec.Username, sealed, pw)
			if err != nil {
				return newPassword{}, err
			}
			if used {
				return newPassword{}, api.PasswordHistoryPolicyViolation("The password has been used recently. Choose a different password.")
			}
		}
	}
	sealed, err := s.sealVerifier(poolID, u.rec.Sub, u.rec.Username, pw)
	if err != nil {
		return newPassword{}, err
	}
	return newPassword{sealed: sealed}, nil
}

// apply stores the new password on d, moving the old one into the history
// the pool keeps, and drops any temporary password.
func (np newPassword) apply(p *pool, d *userDoc) {
	if n := p.historySize(); n > 1 && d.Password != "" {
		d.History = append([]string{d.Password}, d.History...)
		if len(d.History) > n-1 {
			d.History = d.History[:n-1]
		}
	} else if n <= 1 {
		d.History = nil
	}
	d.Password = np.sealed
	d.Temporary, d.TemporaryExpires = "", 0
}

// sealTemporary seals a temporary password for the user.
func (s *Service) sealTemporary(poolID, sub, pw string) (string, error) {
	return s.Seal.Seal([]byte(pw), passwordAD(poolID, sub, "temporary"))
}

// openTemporary returns the user's temporary password.
func (s *Service) openTemporary(poolID string, u *user) (string, error) {
	b, err := s.Seal.Open(u.doc.Temporary, passwordAD(poolID, u.rec.Sub, "temporary"))
	if err != nil {
		return "", fmt.Errorf("user %s of user pool %s: temporary password: %w", u.rec.Sub, poolID, err)
	}
	return string(b), nil
}

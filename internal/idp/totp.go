package idp

import (
	"context"
	"fmt"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/crypto/totp"
)

// Software tokens (TOTP). AssociateSoftwareToken hands the user a new seed
// and keeps it, sealed, as the pending one; VerifySoftwareToken checks a code
// of the pending seed and makes it the user's software token. Until then the
// verified seed, if any, stays in force: a user who starts to replace their
// authenticator and gives up keeps the old one. Seeds are sealed under the
// operator's key and bound to the pool and the user, as passwords are, so a
// copy of the database gives nobody codes.
//
// Every code accepted from the verified seed records its time step
// (userMFA.TOTPLastStep), and a code of that step or an earlier one is
// refused: a code seen over someone's shoulder, or replayed from a log,
// cannot be used again within its minute and a half of validity.

// totpAD is the associated data of a user's sealed seeds, pending or
// verified: the same for both, so that verification moves the sealed value
// without opening and sealing it again.
func totpAD(poolID, sub string) string { return passwordAD(poolID, sub, "totp") }

// totpCaller checks that a request names its user in one way only, as the
// API reference asks ("an access token or a session string, but not both").
func totpCaller(accessToken, session *string) error {
	switch {
	case accessToken != nil && session != nil:
		return api.InvalidParameter("Only one of AccessToken or Session may be provided.")
	case accessToken == nil && session == nil:
		return api.InvalidParameter("Either AccessToken or Session must be provided.")
	}
	return nil
}

func errTOTPMismatch() *api.Error {
	return api.EnableSoftwareTokenMFA("Code mismatch and fail enable Software Token MFA")
}

func errNoSoftwareToken() *api.Error {
	return api.SoftwareTokenMFANotFound("Software Token MFA does not exist for the user.")
}

// AssociateSoftwareToken gives a signed-in user a new TOTP seed.
func (s *Service) AssociateSoftwareToken(ctx context.Context, in *api.AssociateSoftwareTokenRequest) (*api.AssociateSoftwareTokenResponse, error) {
	if err := totpCaller(in.AccessToken, in.Session); err != nil {
		return nil, err
	}
	if in.Session != nil {
		return s.associateInSetup(ctx, *in.Session)
	}
	ac, err := s.accessUser(ctx, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	seed, err := totp.NewSeed(s.random())
	if err != nil {
		return nil, err
	}
	sealed, err := s.Seal.Seal(seed, totpAD(ac.poolID, ac.u.rec.Sub))
	if err != nil {
		return nil, err
	}
	_, err = s.updateUser(ctx, ac.p, ac.poolID, ac.u.rec.Sub, func(u *user) error {
		// A second association replaces the first: only the secret
		// handed out last can be verified.
		u.doc.mfa().TOTPPending = sealed
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &api.AssociateSoftwareTokenResponse{SecretCode: api.String(totp.SecretCode(seed))}, nil
}

// VerifySoftwareToken makes the pending seed the user's software token once
// they show a code of it.
func (s *Service) VerifySoftwareToken(ctx context.Context, in *api.VerifySoftwareTokenRequest) (*api.VerifySoftwareTokenResponse, error) {
	if err := totpCaller(in.AccessToken, in.Session); err != nil {
		return nil, err
	}
	if in.Session != nil {
		return s.verifyInSetup(ctx, *in.Session, api.ToString(in.UserCode), api.ToString(in.FriendlyDeviceName))
	}
	ac, err := s.accessUser(ctx, *in.AccessToken)
	if err != nil {
		return nil, err
	}
	code, name := api.ToString(in.UserCode), api.ToString(in.FriendlyDeviceName)
	_, err = s.updateUser(ctx, ac.p, ac.poolID, ac.u.rec.Sub, s.verifyPending(ac.poolID, code, name))
	if err != nil {
		return nil, err
	}
	return &api.VerifySoftwareTokenResponse{Status: api.VerifySoftwareTokenResponseTypeSuccess}, nil
}

// verifyPending is the update that makes the pending seed the user's
// software token when code is one of its codes. It checks inside the update,
// on the user as stored now: two verifications racing with one code cannot
// both succeed, and a seed replaced meanwhile is not verified with the old
// one's code.
func (s *Service) verifyPending(poolID, code, name string) func(u *user) error {
	return func(u *user) error {
		m := u.doc.MFA
		if m == nil || m.TOTPPending == "" {
			return errNoSoftwareToken()
		}
		seed, err := s.openTOTPSeed(poolID, u.rec.Sub, m.TOTPPending)
		if err != nil {
			return err
		}
		// No code of a pending seed was ever accepted, so every step
		// within the skew counts; the step it matched then guards the
		// seed against the same code at sign-in.
		step, ok := totp.Check(seed, code, s.now(), -1)
		if !ok {
			return errTOTPMismatch()
		}
		m.TOTPSeed, m.TOTPPending = m.TOTPPending, ""
		m.TOTPName, m.TOTPLastStep = name, step
		return nil
	}
}

// openTOTPSeed opens a sealed seed of the user.
func (s *Service) openTOTPSeed(poolID, sub, sealed string) ([]byte, error) {
	seed, err := s.Seal.Open(sealed, totpAD(poolID, sub))
	if err != nil {
		return nil, fmt.Errorf("user %s of user pool %s: software token: %w", sub, poolID, err)
	}
	return seed, nil
}

// checkTOTP checks a sign-in code (the SOFTWARE_TOKEN_MFA challenge) against
// the user's verified software token: ok when it is a code of the seed
// within one step of now, of a step after the last code accepted. The caller
// records the step in TOTPLastStep, in the same store update that completes
// the sign-in, so that the code cannot be used again; it checks again there
// (step > TOTPLastStep) when the user may have changed since u was read. A
// user without a verified token gets errNoSoftwareToken.
func (s *Service) checkTOTP(poolID string, u *user, code string) (step int64, ok bool, err error) {
	m := u.doc.MFA
	if m == nil || m.TOTPSeed == "" {
		return 0, false, errNoSoftwareToken()
	}
	seed, err := s.openTOTPSeed(poolID, u.rec.Sub, m.TOTPSeed)
	if err != nil {
		return 0, false, err
	}
	step, ok = totp.Check(seed, code, s.now(), m.TOTPLastStep)
	return step, ok, nil
}

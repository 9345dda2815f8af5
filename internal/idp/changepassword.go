package idp

import (
	"context"

	"github.com/cognitod/cognitod/internal/api"
)

// ChangePassword replaces the signed-in user's password. The previous
// password is checked like a sign-in's: a wrong one counts towards the
// lockout (a stolen access token must not be a way to guess the password
// without limit), and while the user is locked out the operation answers
// Cognito's LimitExceededException. The new password meets the policy and
// the history. Sessions stay signed in, as on Cognito.
func (s *Service) ChangePassword(ctx context.Context, in *api.ChangePasswordRequest) (*api.ChangePasswordResponse, error) {
	ac, err := s.accessUser(ctx, api.ToString(in.AccessToken))
	if err != nil {
		return nil, err
	}
	c, err := s.tokenClient(ctx, ac)
	if err != nil {
		return nil, err
	}
	previous, proposed := api.ToString(in.PreviousPassword), api.ToString(in.ProposedPassword)
	if s.now().UnixMilli() < ac.u.doc.LockedUntil {
		return nil, errAttemptLimit()
	}
	// The policy costs nothing to check and tells nothing about the
	// password: refuse a bad proposal before spending an exponentiation.
	if err := ac.p.checkPasswordPolicy("ChangePassword", proposed); err != nil {
		return nil, err
	}
	match, err := s.passwordMatches(ac.poolID, ac.u, previous)
	if err != nil {
		return nil, err
	}
	if !match {
		return nil, s.passwordFailed(ctx, authCall{c: c, p: ac.p, poolID: ac.poolID}, ac.u)
	}
	np, err := s.preparePassword(ac.p, ac.poolID, ac.u, "ChangePassword", proposed)
	if err != nil {
		return nil, err
	}
	checked := ac.u.doc.Password
	_, err = s.updateUser(ctx, ac.p, ac.poolID, ac.u.rec.Sub, func(u *user) error {
		// The previous password was checked against this record: if it
		// has changed since (another ChangePassword, a reset), the check
		// no longer holds.
		if u.doc.Password != checked {
			return errIncorrect()
		}
		np.apply(ac.p, u.doc)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &api.ChangePasswordResponse{}, nil
}

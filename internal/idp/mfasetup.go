package idp

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/crypto/totp"
)

// MFA_SETUP: a pool requires MFA and the user has no factor. The sign-in
// answers MFA_SETUP with a Session; the app calls AssociateSoftwareToken with
// it (a seed, and a new Session), VerifySoftwareToken with the next one (the
// token is verified, and a new Session), and RespondToAuthChallenge
// MFA_SETUP with the last one to get tokens. Each Session is single-use and
// carries how far the setup has come.

// setupCall rebuilds the sign-in a setup Session belongs to: the operations
// that carry it name no client.
func (s *Service) setupCall(ctx context.Context, session, step string) (authCall, challengeState, error) {
	head, _, ok := strings.Cut(session, ".")
	if !ok {
		return authCall{}, challengeState{}, errSessionExpired()
	}
	poolID, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return authCall{}, challengeState{}, errSessionExpired()
	}
	var st challengeState
	plain, err := s.Seal.Open(session[len(head)+1:], challengeAD(string(poolID)))
	if err != nil || json.Unmarshal(plain, &st) != nil || st.Pool != string(poolID) {
		return authCall{}, challengeState{}, errSessionExpired()
	}
	if st.Name != string(api.ChallengeNameTypeMfaSetup) || st.Step != step || s.now().UnixMilli() > st.Expires {
		return authCall{}, challengeState{}, errSessionExpired()
	}
	c, err := s.getClient(ctx, st.Pool, st.Client)
	if err != nil {
		return authCall{}, challengeState{}, errSessionExpired()
	}
	p, err := s.poolView(ctx, st.Pool)
	if err != nil {
		return authCall{}, challengeState{}, err
	}
	if err := s.useChallenge(ctx, st); err != nil {
		return authCall{}, challengeState{}, err
	}
	return authCall{c: c, p: p, poolID: st.Pool}, st, nil
}

// nextSetupSession is the Session of the setup's next step.
func (s *Service) nextSetupSession(call authCall, st challengeState, step string) (*string, error) {
	next, err := s.sealChallenge(call, challengeState{Sub: st.Sub, Username: st.Username, Name: string(api.ChallengeNameTypeMfaSetup), Step: step})
	if err != nil {
		return nil, err
	}
	return api.String(next), nil
}

// associateInSetup is AssociateSoftwareToken with an MFA_SETUP Session.
func (s *Service) associateInSetup(ctx context.Context, session string) (*api.AssociateSoftwareTokenResponse, error) {
	call, st, err := s.setupCall(ctx, session, "")
	if err != nil {
		return nil, err
	}
	seed, err := totp.NewSeed(s.random())
	if err != nil {
		return nil, err
	}
	sealed, err := s.Seal.Seal(seed, totpAD(call.poolID, st.Sub))
	if err != nil {
		return nil, err
	}
	if _, err := s.updateUser(ctx, call.p, call.poolID, st.Sub, func(u *user) error {
		u.doc.mfa().TOTPPending = sealed
		return nil
	}); err != nil {
		return nil, err
	}
	next, err := s.nextSetupSession(call, st, "associated")
	if err != nil {
		return nil, err
	}
	return &api.AssociateSoftwareTokenResponse{SecretCode: api.String(totp.SecretCode(seed)), Session: next}, nil
}

// verifyInSetup is VerifySoftwareToken with the Session AssociateSoftwareToken
// gave during MFA_SETUP.
func (s *Service) verifyInSetup(ctx context.Context, session, code, name string) (*api.VerifySoftwareTokenResponse, error) {
	call, st, err := s.setupCall(ctx, session, "associated")
	if err != nil {
		return nil, err
	}
	_, err = s.updateUser(ctx, call.p, call.poolID, st.Sub, s.verifyPending(call.poolID, code, name))
	if err != nil {
		return nil, err
	}
	next, err := s.nextSetupSession(call, st, "verified")
	if err != nil {
		return nil, err
	}
	return &api.VerifySoftwareTokenResponse{Status: api.VerifySoftwareTokenResponseTypeSuccess, Session: next}, nil
}

// respondMFASetup finishes an MFA_SETUP: the verified software token becomes
// the user's preferred factor, and the user is signed in.
func (s *Service) respondMFASetup(ctx context.Context, call authCall, session string, resp map[string]string) (*authStep, error) {
	st, err := s.peekChallenge(call.c, api.ChallengeNameTypeMfaSetup, session)
	if err != nil {
		return nil, err
	}
	if st.Step != "verified" {
		return nil, api.InvalidParameter("The software token has not been verified: call AssociateSoftwareToken and VerifySoftwareToken with the Session first.")
	}
	u, err := s.challengeUser(ctx, call, st, resp)
	if err != nil {
		return nil, err
	}
	if err := s.useChallenge(ctx, st); err != nil {
		return nil, err
	}
	u, err = s.updateUser(ctx, call.p, call.poolID, u.rec.Sub, func(u *user) error {
		m := u.doc.mfa()
		if m.TOTPSeed == "" {
			return errNoSoftwareToken()
		}
		m.TOTP = true
		m.Preferred = string(api.ChallengeNameTypeSoftwareTokenMfa)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.signedIn(ctx, call, u)
}

package idp

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/cognitod/cognitod/internal/api"
)

// NEW_PASSWORD_REQUIRED: a user created by an administrator signs in with the
// temporary password and must choose a password (and give the required
// attributes the user lacks) before getting tokens.

const attrPrefix = "userAttributes."

// newPasswordChallenge asks for the new password.
func (s *Service) newPasswordChallenge(ctx context.Context, call authCall, u *user) (*authStep, error) {
	session, err := s.sealChallenge(call, challengeState{Sub: u.rec.Sub, Username: u.rec.Username, Name: string(api.ChallengeNameTypeNewPasswordRequired)})
	if err != nil {
		return nil, err
	}
	current := map[string]string{}
	for _, a := range u.doc.Attrs {
		if a.Name == "sub" {
			continue
		}
		current[a.Name] = a.Value
	}
	var required []string
	for _, sa := range call.p.Type.SchemaAttributes {
		name := api.ToString(sa.Name)
		if api.ToBool(sa.Required) && name != "sub" {
			if v, ok := u.doc.get(name); !ok || v == "" {
				required = append(required, attrPrefix+name)
			}
		}
	}
	if required == nil {
		required = []string{}
	}
	userAttributes, err := json.Marshal(current)
	if err != nil {
		return nil, err
	}
	requiredAttributes, err := json.Marshal(required)
	if err != nil {
		return nil, err
	}
	return &authStep{
		ChallengeName: api.ChallengeNameTypeNewPasswordRequired,
		Session:       api.String(session),
		ChallengeParameters: map[string]string{
			"USER_ID_FOR_SRP":    u.rec.Username,
			"requiredAttributes": string(requiredAttributes),
			"userAttributes":     string(userAttributes),
		},
	}, nil
}

// respondNewPassword sets the new password and the attributes sent with it,
// confirms the user and signs them in.
func (s *Service) respondNewPassword(ctx context.Context, call authCall, session string, resp map[string]string) (*authStep, error) {
	st, err := s.openChallenge(ctx, call.c, api.ChallengeNameTypeNewPasswordRequired, session)
	if err != nil {
		return nil, err
	}
	u, err := s.challengeUser(ctx, call, st, resp)
	if err != nil {
		return nil, err
	}
	pw := resp["NEW_PASSWORD"]
	if pw == "" {
		return nil, missingParameter("NEW_PASSWORD")
	}
	var in []api.AttributeType
	for k, v := range resp {
		if name, ok := strings.CutPrefix(k, attrPrefix); ok {
			in = append(in, api.AttributeType{Name: api.String(name), Value: api.String(v)})
		}
	}
	attrs, err := call.p.checkAttributes(in, attrWrite{client: call.c, admin: call.admin})
	if err != nil {
		return nil, err
	}
	// Every required attribute must be there once the answer's are set.
	probe := &userDoc{Attrs: append([]userAttr(nil), u.doc.Attrs...)}
	for _, a := range attrs {
		probe.set(a.Name, a.Value)
	}
	for _, sa := range call.p.Type.SchemaAttributes {
		name := api.ToString(sa.Name)
		if api.ToBool(sa.Required) && name != "sub" {
			if v, ok := probe.get(name); !ok || v == "" {
				return nil, api.InvalidParameter("Invalid attributes given, %s is missing", name)
			}
		}
	}
	np, err := s.preparePassword(call.p, call.poolID, u, "RespondToAuthChallenge", pw)
	if err != nil {
		return nil, err
	}
	u, err = s.updateUser(ctx, call.p, call.poolID, u.rec.Sub, func(u *user) error {
		if u.status() != api.UserStatusTypeForceChangePassword {
			return errSessionExpired()
		}
		for _, a := range attrs {
			if a.Value == "" {
				u.doc.del(a.Name)
				continue
			}
			u.doc.set(a.Name, a.Value)
		}
		np.apply(call.p, u.doc)
		u.rec.Status = string(api.UserStatusTypeConfirmed)
		u.doc.Failures, u.doc.LockedUntil, u.doc.LastFailure = 0, 0, 0
		return nil
	})
	if err != nil {
		return nil, err
	}
	res, err := s.issueTokens(ctx, grant{p: call.p, poolID: call.poolID, c: call.c, u: u, authTime: s.now()})
	if err != nil {
		return nil, err
	}
	return &authStep{AuthenticationResult: res, ChallengeParameters: map[string]string{}}, nil
}

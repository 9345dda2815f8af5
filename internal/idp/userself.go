package idp

import (
	"context"

	"github.com/cognitod/cognitod/internal/api"
)

// The operations a signed-in user calls with their access token.

// GetUser returns the signed-in user, with the attributes the token's app
// client may read.
func (s *Service) GetUser(ctx context.Context, in *api.GetUserRequest) (*api.GetUserResponse, error) {
	ac, err := s.checkAccessToken(ctx, api.ToString(in.AccessToken), false)
	if err != nil {
		return nil, err
	}
	keep, err := s.readableBy(ctx, ac.poolID, ac.claims.ClientID)
	if err != nil {
		return nil, err
	}
	options, preferred, enabled := ac.u.mfaSettings()
	return &api.GetUserResponse{Username: api.String(ac.u.rec.Username), UserAttributes: ac.u.attributes(keep),
		MFAOptions: options, PreferredMfaSetting: preferred, UserMFASettingList: enabled}, nil
}

// tokenClient loads the app client an access token was issued to. A token
// outlives nothing: once its client is deleted it no longer works.
func (s *Service) tokenClient(ctx context.Context, ac *accessContext) (*appClient, error) {
	c, err := s.getClient(ctx, ac.poolID, ac.claims.ClientID)
	if isNotFound(err) {
		return nil, errInvalidAccessToken()
	}
	return c, err
}

// readableBy is the filter of a client's ReadAttributes (nil: every
// attribute). sub is always readable.
func (s *Service) readableBy(ctx context.Context, poolID, clientID string) (func(string) bool, error) {
	c, err := s.getClient(ctx, poolID, clientID)
	if isNotFound(err) {
		return nil, errInvalidAccessToken()
	}
	if err != nil {
		return nil, err
	}
	read := c.ReadAttributes()
	if len(read) == 0 {
		return nil, nil
	}
	return func(name string) bool { return name == "sub" || containsString(read, name) }, nil
}

// GlobalSignOut ends every session of the signed-in user.
func (s *Service) GlobalSignOut(ctx context.Context, in *api.GlobalSignOutRequest) (*api.GlobalSignOutResponse, error) {
	ac, err := s.accessUser(ctx, api.ToString(in.AccessToken))
	if err != nil {
		return nil, err
	}
	if err := s.revokeSessions(ctx, ac.poolID, ac.u.rec.Sub); err != nil {
		return nil, err
	}
	return &api.GlobalSignOutResponse{}, nil
}

// AdminUserGlobalSignOut ends every session of a user.
func (s *Service) AdminUserGlobalSignOut(ctx context.Context, in *api.AdminUserGlobalSignOutRequest) (*api.AdminUserGlobalSignOutResponse, error) {
	poolID := api.ToString(in.UserPoolId)
	_, u, err := s.namedUser(ctx, poolID, api.ToString(in.Username))
	if err != nil {
		return nil, err
	}
	if err := s.revokeSessions(ctx, poolID, u.rec.Sub); err != nil {
		return nil, err
	}
	return &api.AdminUserGlobalSignOutResponse{}, nil
}

// UpdateUserAttributes changes the signed-in user's attributes with the rules
// of the administrator's update, less its privileges: only what the token's
// client may write, never developer-only attributes or *_verified. A new
// email or phone number is verified by a code (see changeAttributes), and the
// answer says where each code went.
func (s *Service) UpdateUserAttributes(ctx context.Context, in *api.UpdateUserAttributesRequest) (*api.UpdateUserAttributesResponse, error) {
	ac, err := s.accessUser(ctx, api.ToString(in.AccessToken))
	if err != nil {
		return nil, err
	}
	c, err := s.tokenClient(ctx, ac)
	if err != nil {
		return nil, err
	}
	attrs, err := ac.p.checkAttributes(in.UserAttributes, attrWrite{client: c})
	if err != nil {
		return nil, err
	}
	sent, err := s.changeAttributes(ctx, ac.p, ac.poolID, ac.u, attrs, c.ClientID)
	if err != nil {
		return nil, err
	}
	return &api.UpdateUserAttributesResponse{CodeDeliveryDetailsList: sent}, nil
}

// DeleteUserAttributes removes attributes from the signed-in user: those the
// token's client may write, and never required or immutable ones.
func (s *Service) DeleteUserAttributes(ctx context.Context, in *api.DeleteUserAttributesRequest) (*api.DeleteUserAttributesResponse, error) {
	ac, err := s.accessUser(ctx, api.ToString(in.AccessToken))
	if err != nil {
		return nil, err
	}
	c, err := s.tokenClient(ctx, ac)
	if err != nil {
		return nil, err
	}
	if err := ac.p.checkDeletable(in.UserAttributeNames, attrWrite{client: c}); err != nil {
		return nil, err
	}
	_, err = s.updateUser(ctx, ac.p, ac.poolID, ac.u.rec.Sub, func(u *user) error {
		for _, name := range in.UserAttributeNames {
			u.doc.del(name)
			// A code or a value waiting for verification must not bring
			// back what was removed.
			dropVerification(u.doc, name)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &api.DeleteUserAttributesResponse{}, nil
}

// DeleteUser deletes the signed-in user. The store takes the user's sessions
// along, so the token that asked no longer works.
func (s *Service) DeleteUser(ctx context.Context, in *api.DeleteUserRequest) error {
	ac, err := s.accessUser(ctx, api.ToString(in.AccessToken))
	if err != nil {
		return err
	}
	if err := s.Store.DeleteUser(ctx, ac.poolID, ac.u.rec.Sub); err != nil {
		if isNotFound(err) {
			return userNotFound()
		}
		return err
	}
	return nil
}

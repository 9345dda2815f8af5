package idp

import (
	"context"

	"github.com/cognitod/cognitod/internal/api"
)

// The operations a signed-in user calls with their access token.

// GetUser returns the signed-in user, with the attributes the token's app
// client may read.
func (s *Service) GetUser(ctx context.Context, in *api.GetUserRequest) (*api.GetUserResponse, error) {
	ac, err := s.accessUser(ctx, api.ToString(in.AccessToken))
	if err != nil {
		return nil, err
	}
	keep, err := s.readableBy(ctx, ac.poolID, ac.claims.ClientID)
	if err != nil {
		return nil, err
	}
	return &api.GetUserResponse{Username: api.String(ac.u.rec.Username), UserAttributes: ac.u.attributes(keep)}, nil
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

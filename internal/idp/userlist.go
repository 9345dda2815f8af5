package idp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/store"
	"github.com/cognitod/cognitod/internal/userfilter"
)

// maxListUsers is the largest (and default) page of ListUsers and
// ListUsersInGroup.
const maxListUsers = 60

// pageLimit reads a Limit member: absent or 0 is the default.
func pageLimit(l *int32, max int) (int, error) {
	if l == nil || *l == 0 {
		return max, nil
	}
	if *l < 0 || int(*l) > max {
		return 0, api.InvalidParameter("Limit must be between 1 and %d.", max)
	}
	return int(*l), nil
}

// invalidPagingMarker is Cognito's answer to a ListUsers token that belongs
// to another filter (or was not made by ListUsers).
func invalidPagingMarker() *api.Error {
	return api.InvalidParameter("Paging Marker is Invalid for Request")
}

// ListUsers lists a pool's users, optionally filtered on one searchable
// attribute. Filters run on the store's index, and a page token is bound to
// the pool and the filter that made it.
func (s *Service) ListUsers(ctx context.Context, in *api.ListUsersRequest) (*api.ListUsersResponse, error) {
	poolID := api.ToString(in.UserPoolId)
	limit, err := pageLimit(in.Limit, maxListUsers)
	if err != nil {
		return nil, err
	}
	f, err := userfilter.Parse(api.ToString(in.Filter))
	if err != nil {
		var fe *userfilter.Error
		if errors.As(err, &fe) {
			return nil, api.InvalidParameter("%s", fe.Message)
		}
		return nil, err
	}
	// A filter needs only the pool's naming settings (a username filter
	// follows its case sensitivity), which namingPool keeps decoded without
	// reading the store: reading and comparing the pool's document was a
	// third of a filtered ListUsers. The whole pool is read only for
	// AttributesToGet, which is checked against the schema. namingPool does
	// not prove that the pool still exists; an empty page checks it below.
	var p *pool
	if len(in.AttributesToGet) > 0 {
		p, err = s.poolView(ctx, poolID)
	} else {
		p, err = s.namingPool(ctx, poolID)
	}
	if err != nil {
		return nil, err
	}
	keep, err := p.attributesToGet(in.AttributesToGet)
	if err != nil {
		return nil, err
	}
	q := store.UserQuery{}
	if !f.IsZero() {
		q = store.UserQuery{Attr: f.Attr, Op: string(f.Op), Value: filterValue(p, f)}
	}
	scope := "ListUsers:" + poolID + "\x00" + f.String()
	cursor, err := s.pageCursor(scope, in.PaginationToken, invalidPagingMarker)
	if err != nil {
		return nil, err
	}
	recs, next, err := s.Store.ListUsers(ctx, poolID, q, store.Page{Cursor: cursor, Limit: limit})
	if errors.Is(err, store.ErrBadCursor) {
		return nil, invalidPagingMarker()
	}
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 && len(in.AttributesToGet) == 0 {
		// Users are deleted with their pool, so a page with users proves
		// the pool; an empty one may be a deleted pool's.
		if err := s.checkPoolExists(ctx, poolID); err != nil {
			return nil, err
		}
	}
	out := &api.ListUsersResponse{}
	if out.Users, err = userTypes(recs, keep); err != nil {
		return nil, err
	}
	if out.PaginationToken, err = s.nextPageToken(scope, next); err != nil {
		return nil, err
	}
	return out, nil
}

// filterValue is the value of a filter in the form the search index holds
// it (pool.searchValue). Cognito finds a sub whatever the case of the
// filter's hex digits; subs are made in lower case (newSub) and indexed as
// they are, so the filter's value is lower-cased to match.
func filterValue(p *pool, f userfilter.Filter) string {
	if f.Attr == "sub" {
		return strings.ToLower(f.Value)
	}
	return p.searchValue(f.Attr, f.Value)
}

// attributesToGet turns ListUsers' AttributesToGet into a filter of
// attributes; none (or an empty list) keeps every attribute.
func (p *pool) attributesToGet(names []string) (func(string) bool, error) {
	if len(names) == 0 {
		return nil, nil
	}
	for _, n := range names {
		if _, ok := p.schemaAttr(n); !ok {
			return nil, api.InvalidParameter("One or more requested attributes do not exist.")
		}
	}
	return func(name string) bool { return slices.Contains(names, name) }, nil
}

// listedDoc is the part of a user's document that a list shows: its
// attributes. Decoding only them skips building the rest (codes, password
// history, pending values), which a page of 60 users would decode for
// nothing.
type listedDoc struct {
	Attrs []userAttr `json:"attrs"`
}

func userTypes(recs []store.User, keep func(string) bool) ([]api.UserType, error) {
	out := make([]api.UserType, 0, len(recs))
	for _, rec := range recs {
		var d listedDoc
		if len(rec.Doc) > 0 {
			if err := json.Unmarshal(rec.Doc, &d); err != nil {
				return nil, fmt.Errorf("user %s of user pool %s: stored document: %w", rec.Sub, rec.PoolID, err)
			}
		}
		u := &user{rec: rec, doc: &userDoc{Attrs: d.Attrs}}
		out = append(out, u.userType(keep))
	}
	return out, nil
}

// ListUsersInGroup lists a group's members in the order they were created.
func (s *Service) ListUsersInGroup(ctx context.Context, in *api.ListUsersInGroupRequest) (*api.ListUsersInGroupResponse, error) {
	poolID, group := api.ToString(in.UserPoolId), api.ToString(in.GroupName)
	limit, err := pageLimit(in.Limit, maxListUsers)
	if err != nil {
		return nil, err
	}
	if err := s.checkPoolExists(ctx, poolID); err != nil {
		return nil, err
	}
	scope := "ListUsersInGroup:" + poolID + "\x00" + group
	cursor, err := s.pageCursor(scope, in.NextToken, invalidPagingMarker)
	if err != nil {
		return nil, err
	}
	recs, next, err := s.Store.ListUsersInGroup(ctx, poolID, group, store.Page{Cursor: cursor, Limit: limit})
	if errors.Is(err, store.ErrBadCursor) {
		return nil, invalidPagingMarker()
	}
	if err != nil {
		return nil, groupStoreError(poolID, err)
	}
	out := &api.ListUsersInGroupResponse{}
	if out.Users, err = userTypes(recs, nil); err != nil {
		return nil, err
	}
	if out.NextToken, err = s.nextPageToken(scope, next); err != nil {
		return nil, err
	}
	return out, nil
}

// AdminAddUserToGroup makes a user a member of a group; a member stays one.
func (s *Service) AdminAddUserToGroup(ctx context.Context, in *api.AdminAddUserToGroupRequest) error {
	poolID := api.ToString(in.UserPoolId)
	_, u, err := s.namedUser(ctx, poolID, api.ToString(in.Username))
	if err != nil {
		return err
	}
	return membershipError(poolID, s.Store.AddUserToGroup(ctx, poolID, api.ToString(in.GroupName), u.rec.Sub))
}

// AdminRemoveUserFromGroup ends a membership.
func (s *Service) AdminRemoveUserFromGroup(ctx context.Context, in *api.AdminRemoveUserFromGroupRequest) error {
	poolID := api.ToString(in.UserPoolId)
	_, u, err := s.namedUser(ctx, poolID, api.ToString(in.Username))
	if err != nil {
		return err
	}
	return membershipError(poolID, s.Store.RemoveUserFromGroup(ctx, poolID, api.ToString(in.GroupName), u.rec.Sub))
}

func membershipError(poolID string, err error) error {
	var nf *store.NotFoundError
	if errors.As(err, &nf) && nf.What == "user" {
		return userNotFound()
	}
	if err != nil {
		return groupStoreError(poolID, err)
	}
	return nil
}

// AdminListGroupsForUser lists the groups a user belongs to.
func (s *Service) AdminListGroupsForUser(ctx context.Context, in *api.AdminListGroupsForUserRequest) (*api.AdminListGroupsForUserResponse, error) {
	poolID := api.ToString(in.UserPoolId)
	limit, err := pageLimit(in.Limit, maxListGroups)
	if err != nil {
		return nil, err
	}
	_, u, err := s.namedUser(ctx, poolID, api.ToString(in.Username))
	if err != nil {
		return nil, err
	}
	scope := "AdminListGroupsForUser:" + poolID + "\x00" + u.rec.Sub
	cursor, err := s.pageCursor(scope, in.NextToken, invalidPagingMarker)
	if err != nil {
		return nil, err
	}
	recs, next, err := s.Store.ListGroupsForUser(ctx, poolID, u.rec.Sub, store.Page{Cursor: cursor, Limit: limit})
	if errors.Is(err, store.ErrBadCursor) {
		return nil, invalidPagingMarker()
	}
	if err != nil {
		return nil, membershipError(poolID, err)
	}
	out := &api.AdminListGroupsForUserResponse{Groups: make([]api.GroupType, 0, len(recs))}
	for _, rec := range recs {
		g, err := groupType(rec)
		if err != nil {
			return nil, err
		}
		out.Groups = append(out.Groups, g)
	}
	if out.NextToken, err = s.nextPageToken(scope, next); err != nil {
		return nil, err
	}
	return out, nil
}

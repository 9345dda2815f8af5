package idp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/store"
)

const (
	// maxGroupsPerPool is Cognito's quota of groups in one user pool.
	maxGroupsPerPool = 10000
	// defaultListGroups and maxListGroups bound ListGroups' Limit.
	defaultListGroups = 60
	maxListGroups     = 60
)

// groupDoc is the stored document of a group: the members GroupType carries
// beside the keys and dates, which the store record holds.
type groupDoc struct {
	Description *string `json:"description,omitempty"`
	RoleArn     *string `json:"roleArn,omitempty"`
	Precedence  *int32  `json:"precedence,omitempty"`
}

func decodeGroup(rec store.Group) (*groupDoc, error) {
	var d groupDoc
	if len(rec.Doc) == 0 {
		return &d, nil
	}
	if err := json.Unmarshal(rec.Doc, &d); err != nil {
		return nil, fmt.Errorf("group %s of user pool %s: stored document: %w", rec.Name, rec.PoolID, err)
	}
	return &d, nil
}

// groupType is the group as Cognito returns it; members not set are left out.
func groupType(rec store.Group) (api.GroupType, error) {
	d, err := decodeGroup(rec)
	if err != nil {
		return api.GroupType{}, err
	}
	return api.GroupType{
		GroupName:        api.String(rec.Name),
		UserPoolId:       api.String(rec.PoolID),
		Description:      d.Description,
		RoleArn:          d.RoleArn,
		Precedence:       d.Precedence,
		LastModifiedDate: api.NewTimestamp(rec.Modified),
		CreationDate:     api.NewTimestamp(rec.Created),
	}, nil
}

func groupNotFound() *api.Error { return api.ResourceNotFound("Group not found.") }

func groupExists(name string) *api.Error {
	return api.GroupExists("A group with the name %s already exists.", name)
}

// checkPoolExists answers Cognito's ResourceNotFoundException for an unknown
// pool without decoding the pool's document.
func (s *Service) checkPoolExists(ctx context.Context, id string) error {
	_, err := s.Store.GetUserPool(ctx, id)
	if isNotFound(err) {
		return poolNotFound(id)
	}
	return err
}

// groupStoreError turns the store's errors about a group into Cognito's.
func groupStoreError(poolID string, err error) error {
	var nf *store.NotFoundError
	if errors.As(err, &nf) && nf.What == "pool" {
		return poolNotFound(poolID)
	}
	if isNotFound(err) {
		return groupNotFound()
	}
	return err
}

func copyInt32(p *int32) *int32 {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// CreateGroup makes a group in a pool, up to Cognito's quota per pool.
func (s *Service) CreateGroup(ctx context.Context, in *api.CreateGroupRequest) (*api.CreateGroupResponse, error) {
	poolID := api.ToString(in.UserPoolId)
	name := api.ToString(in.GroupName)
	if err := s.checkPoolExists(ctx, poolID); err != nil {
		return nil, err
	}
	// The count and the insert are two steps: concurrent creations at the
	// quota may pass it by a few, which a quota of this size tolerates.
	n, err := s.Store.CountGroups(ctx, poolID)
	if err != nil {
		return nil, err
	}
	if n >= maxGroupsPerPool {
		return nil, api.LimitExceeded("The user pool %s already has the maximum number of groups (%d).", poolID, maxGroupsPerPool)
	}
	doc, err := json.Marshal(groupDoc{
		Description: poolCopyString(in.Description),
		RoleArn:     poolCopyString(in.RoleArn),
		Precedence:  copyInt32(in.Precedence),
	})
	if err != nil {
		return nil, err
	}
	now := s.now()
	rec := store.Group{PoolID: poolID, Name: name, Created: now, Modified: now, Doc: doc}
	if err := s.Store.CreateGroup(ctx, rec); err != nil {
		var ce *store.ConflictError
		if errors.As(err, &ce) || errors.Is(err, store.ErrAlreadyExists) {
			return nil, groupExists(name)
		}
		return nil, groupStoreError(poolID, err)
	}
	g, err := groupType(rec)
	if err != nil {
		return nil, err
	}
	return &api.CreateGroupResponse{Group: &g}, nil
}

// GetGroup returns one group.
func (s *Service) GetGroup(ctx context.Context, in *api.GetGroupRequest) (*api.GetGroupResponse, error) {
	poolID := api.ToString(in.UserPoolId)
	if err := s.checkPoolExists(ctx, poolID); err != nil {
		return nil, err
	}
	rec, err := s.Store.GetGroup(ctx, poolID, api.ToString(in.GroupName))
	if err != nil {
		return nil, groupStoreError(poolID, err)
	}
	g, err := groupType(rec)
	if err != nil {
		return nil, err
	}
	return &api.GetGroupResponse{Group: &g}, nil
}

// UpdateGroup changes the members the request gives (description, role,
// precedence); the ones it leaves out keep their values. The operation's
// documentation says it "updates any of the properties", and Cognito's own
// example updates the description and precedence of a group whose role ARN
// stays in the answer.
func (s *Service) UpdateGroup(ctx context.Context, in *api.UpdateGroupRequest) (*api.UpdateGroupResponse, error) {
	poolID := api.ToString(in.UserPoolId)
	if err := s.checkPoolExists(ctx, poolID); err != nil {
		return nil, err
	}
	now := s.now()
	rec, err := s.Store.UpdateGroup(ctx, poolID, api.ToString(in.GroupName), func(g store.Group) (store.Group, error) {
		d, err := decodeGroup(g)
		if err != nil {
			return g, err
		}
		if in.Description != nil {
			d.Description = poolCopyString(in.Description)
		}
		if in.RoleArn != nil {
			d.RoleArn = poolCopyString(in.RoleArn)
		}
		if in.Precedence != nil {
			d.Precedence = copyInt32(in.Precedence)
		}
		doc, err := json.Marshal(d)
		if err != nil {
			return g, err
		}
		g.Doc = doc
		g.Modified = now
		return g, nil
	})
	if err != nil {
		return nil, groupStoreError(poolID, err)
	}
	g, err := groupType(rec)
	if err != nil {
		return nil, err
	}
	return &api.UpdateGroupResponse{Group: &g}, nil
}

// DeleteGroup removes a group and its memberships.
func (s *Service) DeleteGroup(ctx context.Context, in *api.DeleteGroupRequest) error {
	poolID := api.ToString(in.UserPoolId)
	if err := s.checkPoolExists(ctx, poolID); err != nil {
		return err
	}
	if err := s.Store.DeleteGroup(ctx, poolID, api.ToString(in.GroupName)); err != nil {
		return groupStoreError(poolID, err)
	}
	return nil
}

// ListGroups lists a pool's groups in creation order, Limit at a time.
func (s *Service) ListGroups(ctx context.Context, in *api.ListGroupsRequest) (*api.ListGroupsResponse, error) {
	poolID := api.ToString(in.UserPoolId)
	limit := int32(defaultListGroups)
	if in.Limit != nil {
		limit = *in.Limit
		if limit < 1 || limit > maxListGroups {
			return nil, api.InvalidParameter("Limit must be between 1 and %d.", maxListGroups)
		}
	}
	if err := s.checkPoolExists(ctx, poolID); err != nil {
		return nil, err
	}
	cursor, err := s.pageCursor(groupsPageScope(poolID), in.NextToken, invalidGroupsPageToken)
	if err != nil {
		return nil, err
	}
	recs, next, err := s.Store.ListGroups(ctx, poolID, store.Page{Cursor: cursor, Limit: int(limit)})
	if errors.Is(err, store.ErrBadCursor) {
		return nil, invalidGroupsPageToken()
	}
	if err != nil {
		return nil, err
	}
	out := &api.ListGroupsResponse{Groups: make([]api.GroupType, 0, len(recs))}
	for _, rec := range recs {
		g, err := groupType(rec)
		if err != nil {
			return nil, err
		}
		out.Groups = append(out.Groups, g)
	}
	if out.NextToken, err = s.nextPageToken(groupsPageScope(poolID), next); err != nil {
		return nil, err
	}
	return out, nil
}

// groupsPageScope binds ListGroups page tokens to their pool.
func groupsPageScope(poolID string) string { return "ListGroups\x00" + poolID }

func invalidGroupsPageToken() *api.Error {
	return api.InvalidParameter("The pagination token is not valid: pass the NextToken of a previous ListGroups response for this user pool.")
}

package idp

import (
	"context"
	"errors"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/store"
)

// newUserRecord builds the record of a user that AdminCreateUser or SignUp
// creates: the username model of the pool applied, the sub made, and, with
// requireAll, the required attributes checked (SignUp; an administrator may
// leave them to the user, who then gives them with the new password). The
// caller adds passwords and codes, then calls createUser.
func (s *Service) newUserRecord(p *pool, poolID, username string, attrs []userAttr, status api.UserStatusType, requireAll bool) (store.User, *userDoc, error) {
	sub, err := s.newSub()
	if err != nil {
		return store.User{}, nil, err
	}
	stored := username
	if kinds := p.usernameAttributes(); len(kinds) > 0 {
		kind := ""
		switch {
		case p.hasUsernameAttribute("email") && emailPattern.MatchString(username):
			kind = "email"
		case p.hasUsernameAttribute("phone_number") && phonePattern.MatchString(username):
			kind = "phone_number"
		}
		if kind == "" {
			switch {
			case len(kinds) == 2:
				return store.User{}, nil, api.InvalidParameter("Username should be either an email or a phone number.")
			case kinds[0] == "email":
				return store.User{}, nil, api.InvalidParameter("Username should be an email.")
			default:
				return store.User{}, nil, api.InvalidParameter("Username should be a phone number.")
			}
		}
		// The username becomes the attribute; the stored username is the sub.
		attrs = append(withoutAttr(attrs, kind), userAttr{Name: kind, Value: username})
		stored = sub
	} else {
		if p.hasAlias("email") && emailPattern.MatchString(username) {
			return store.User{}, nil, api.InvalidParameter("Username cannot be of email format, since user pool is configured for email alias.")
		}
		if p.hasAlias("phone_number") && phonePattern.MatchString(username) {
			return store.User{}, nil, api.InvalidParameter("Username cannot be of phone number format, since user pool is configured for phone number alias.")
		}
	}
	d := &userDoc{Attrs: make([]userAttr, 0, len(attrs)+1)}
	d.Attrs = append(d.Attrs, userAttr{Name: "sub", Value: sub})
	for _, a := range attrs {
		d.set(a.Name, a.Value)
	}
	if requireAll {
		if err := p.missingRequired(d); err != nil {
			return store.User{}, nil, err
		}
	}
	now := userTime(s.now())
	rec := store.User{
		PoolID:      poolID,
		Sub:         sub,
		Username:    stored,
		UsernameKey: p.userKey(stored),
		Status:      string(status),
		Enabled:     true,
		Created:     now,
		Modified:    now,
	}
	return rec, d, nil
}

func withoutAttr(attrs []userAttr, name string) []userAttr {
	out := attrs[:0:0]
	for _, a := range attrs {
		if a.Name != name {
			out = append(out, a)
		}
	}
	return out
}

// storeNewUser encodes and stores a new user. A taken username answers
// UsernameExistsException with usernameTaken; in a pool whose users sign in
// with email or phone_number a taken address is a taken username too. With
// forceAlias, a verified alias another user holds moves to the new user (the
// other user's address becomes unverified), as ForceAliasCreation asks.
func (s *Service) storeNewUser(ctx context.Context, p *pool, rec store.User, d *userDoc, usernameTaken string, forceAlias bool) (*user, error) {
	for attempt := 0; ; attempt++ {
		doc, err := encodeUser(d)
		if err != nil {
			return nil, err
		}
		rec.Doc = doc
		p.index(&rec, d)
		err = s.Store.CreateUser(ctx, rec)
		if err == nil {
			return &user{rec: rec, doc: d}, nil
		}
		var ce *store.ConflictError
		var nf *store.NotFoundError
		switch {
		case errors.As(err, &nf) && nf.What == "pool":
			return nil, poolNotFound(rec.PoolID)
		case !errors.As(err, &ce):
			return nil, err
		case ce.Field == "username" || ce.Field == "sub":
			return nil, api.UsernameExists("%s", usernameTaken)
		}
		kind, _ := cutAliasField(ce.Field)
		if p.hasUsernameAttribute(kind) {
			return nil, api.UsernameExists("An account with the given %s already exists.", kind)
		}
		if !forceAlias || kind == "preferred_username" || attempt > 2 {
			return nil, aliasExists(kind)
		}
		if err := s.releaseAlias(ctx, p, rec.PoolID, kind, p.aliasKey(kind, mustGet(d, kind))); err != nil {
			return nil, err
		}
	}
}

func mustGet(d *userDoc, name string) string {
	v, _ := d.get(name)
	return v
}

// releaseAlias takes a verified email or phone number away from the user who
// holds it as an alias by marking it unverified there.
func (s *Service) releaseAlias(ctx context.Context, p *pool, poolID, kind, key string) error {
	holder, err := s.Store.FindUserByAlias(ctx, poolID, kind, key)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = s.updateUser(ctx, p, poolID, holder.Sub, func(u *user) error {
		u.doc.set(kind+"_verified", "false")
		return nil
	})
	var ae *api.Error
	if errors.As(err, &ae) && ae.Type == api.CodeUserNotFound {
		return nil
	}
	return err
}

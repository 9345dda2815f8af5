package idp

import (
	"context"

	"github.com/cognitod/cognitod/internal/api"
)

// changeAttributes applies checked attribute writes to a user, with Cognito's
// rules for contact addresses:
//   - a new email or phone_number is unverified, unless the same request
//     marks it verified (administrators may);
//   - when the pool auto-verifies the attribute, a code is sent to the new
//     address;
//   - when the pool also keeps the original until the new one is verified
//     (AttributesRequireVerificationBeforeUpdate) and the original was
//     verified, the new value waits aside and the user keeps signing in with
//     the old one.
//
// clientID names the app client for the message's link ("" for
// administrators). It returns where codes were sent.
func (s *Service) changeAttributes(ctx context.Context, p *pool, poolID string, u *user, attrs []userAttr, clientID string) ([]api.CodeDeliveryDetailsType, error) {
	markedVerified := func(attr string) bool {
		for _, a := range attrs {
			if a.Name == attr+"_verified" {
				return a.Value == "true"
			}
		}
		return false
	}
	type verify struct {
		attr, dest string
		code       issuedCode
	}
	var codes []verify
	pendingAttrs := map[string]bool{}
	for _, a := range attrs {
		if a.Name != "email" && a.Name != "phone_number" || a.Value == "" {
			continue
		}
		if cur, ok := u.doc.get(a.Name); ok && cur == a.Value {
			continue
		}
		if markedVerified(a.Name) || !p.autoVerifies(a.Name) {
			continue
		}
		if cur, ok := u.doc.get(a.Name); ok && cur != "" && p.keepsOriginalUntilVerified(a.Name) && u.doc.verified(a.Name) {
			pendingAttrs[a.Name] = true
		}
		c, err := s.issueCode(poolID, u.rec.Sub, purposeVerify+a.Name, verifyCodeTTL)
		if err != nil {
			return nil, err
		}
		codes = append(codes, verify{attr: a.Name, dest: a.Value, code: c})
	}
	updated, err := s.updateUser(ctx, p, poolID, u.rec.Sub, func(u *user) error {
		for _, a := range attrs {
			switch {
			case a.Value == "":
				u.doc.del(a.Name)
				dropVerification(u.doc, a.Name)
			case pendingAttrs[a.Name]:
				u.doc.setPending(a.Name, a.Value)
			case a.Name == "email" || a.Name == "phone_number":
				// Any write of the address settles it: a value waiting
				// for verification and the code sent to it are stale
				// (a code issued by this request is applied below).
				dropVerification(u.doc, a.Name)
				if cur, ok := u.doc.get(a.Name); ok && cur == a.Value {
					continue
				}
				u.doc.set(a.Name, a.Value)
				if !markedVerified(a.Name) {
					u.doc.set(a.Name+"_verified", "false")
				}
			default:
				u.doc.set(a.Name, a.Value)
			}
		}
		for _, c := range codes {
			c.code.apply(u.doc)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []api.CodeDeliveryDetailsType
	for _, c := range codes {
		if err := s.sendCode(ctx, p, poolID, clientID, updated, kindVerifyAttr, c.attr, c.dest, c.code.code, false); err != nil {
			return nil, err
		}
		out = append(out, *deliveryDetails(mediumOf(c.attr), c.attr, c.dest))
	}
	return out, nil
}

// dropVerification forgets a value of attr waiting for verification and the
// code sent to verify attr. Without this, a code sent to an address that an
// administrator has since replaced or removed would still verify it later.
func dropVerification(d *userDoc, attr string) {
	d.clearPending(attr)
	useCode(d, purposeVerify+attr)
}

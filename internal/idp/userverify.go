package idp

import (
	"context"
	"errors"

	"github.com/cognitod/cognitod/internal/api"
)

// The signed-in user verifies an email address or phone number:
// GetUserAttributeVerificationCode sends a code, VerifyUserAttribute redeems
// it. A value waiting for verification (AttributesRequireVerificationBeforeUpdate)
// is the one verified, and replaces the current one when the code is right.

// verifiableAttr refuses attributes that have no *_verified companion.
func verifiableAttr(attr string) error {
	if attr != "email" && attr != "phone_number" {
		return api.InvalidParameter("Invalid attribute name. Only phone_number and email can be verified.")
	}
	return nil
}

// verifyTarget is the value a verification code for attr goes to: the one
// waiting for verification, else the current one.
func verifyTarget(d *userDoc, attr string) (string, bool) {
	if v, ok := d.pending(attr); ok && v != "" {
		return v, true
	}
	if v, ok := d.get(attr); ok && v != "" {
		return v, true
	}
	return "", false
}

func noAddress(attr string) *api.Error {
	if attr == "phone_number" {
		return api.InvalidParameter("User does not have a valid registered phone number")
	}
	return api.InvalidParameter("User does not have a valid registered email")
}

// GetUserAttributeVerificationCode sends the signed-in user a code that
// verifies their email address or phone number. A new code replaces the one
// sent before, with a fresh count of attempts.
func (s *Service) GetUserAttributeVerificationCode(ctx context.Context, in *api.GetUserAttributeVerificationCodeRequest) (*api.GetUserAttributeVerificationCodeResponse, error) {
	ac, err := s.accessUser(ctx, api.ToString(in.AccessToken))
	if err != nil {
		return nil, err
	}
	attr := api.ToString(in.AttributeName)
	if err := verifiableAttr(attr); err != nil {
		return nil, err
	}
	if _, ok := verifyTarget(ac.u.doc, attr); !ok {
		return nil, noAddress(attr)
	}
	code, err := s.issueCode(ac.poolID, ac.u.rec.Sub, purposeVerify+attr, verifyCodeTTL)
	if err != nil {
		return nil, err
	}
	var dest string
	updated, err := s.updateUser(ctx, ac.p, ac.poolID, ac.u.rec.Sub, func(u *user) error {
		// The address is read again in the write: the code must go to the
		// value it will verify, even if the user changed it meanwhile.
		v, ok := verifyTarget(u.doc, attr)
		if !ok {
			return noAddress(attr)
		}
		dest = v
		code.apply(u.doc)
		// Sending a code changes nothing a reader of the user sees.
		u.keepModified = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.sendCode(ctx, ac.p, ac.poolID, ac.claims.ClientID, updated, kindVerifyAttr, attr, dest, code.code, false); err != nil {
		return nil, err
	}
	return &api.GetUserAttributeVerificationCodeResponse{CodeDeliveryDetails: deliveryDetails(mediumOf(attr), attr, dest)}, nil
}

// VerifyUserAttribute redeems a code GetUserAttributeVerificationCode or
// UpdateUserAttributes sent: the attribute becomes verified, a value waiting
// for verification replaces the current one, and — the value now verified —
// it becomes a sign-in alias where the pool has one (AliasExistsException
// when another user holds it; the code then stays unspent).
func (s *Service) VerifyUserAttribute(ctx context.Context, in *api.VerifyUserAttributeRequest) (*api.VerifyUserAttributeResponse, error) {
	ac, err := s.accessUser(ctx, api.ToString(in.AccessToken))
	if err != nil {
		return nil, err
	}
	attr := api.ToString(in.AttributeName)
	if err := verifiableAttr(attr); err != nil {
		return nil, err
	}
	noValue := api.InvalidParameter("Unable to verify attribute: %s no value set to verify", attr)
	if _, ok := verifyTarget(ac.u.doc, attr); !ok {
		return nil, noValue
	}
	// No outstanding code (never sent, already used, or dropped because
	// the address changed) is answered as a code to request again.
	err = s.redeemCode(ctx, ac.p, ac.poolID, ac.u.rec.Sub, purposeVerify+attr, api.ToString(in.Code), errCodeExpired(),
		func(u *user, _ codeState) error {
			if v, ok := u.doc.pending(attr); ok {
				u.doc.clearPending(attr)
				u.doc.set(attr, v)
			}
			if v, ok := u.doc.get(attr); !ok || v == "" {
				return noValue
			}
			u.doc.set(attr+"_verified", "true")
			return nil
		})
	var ae *api.Error
	if errors.As(err, &ae) && ae.Type == api.CodeTooManyFailedAttempts {
		// VerifyUserAttribute has no TooManyFailedAttemptsException in
		// its model; Cognito limits it with LimitExceededException.
		return nil, errAttemptLimit()
	}
	if err != nil {
		return nil, err
	}
	return &api.VerifyUserAttributeResponse{}, nil
}

// errAttemptLimit is Cognito's answer to an operation called too often for
// one user: wrong codes past the limit, ChangePassword while locked out.
func errAttemptLimit() *api.Error {
	return api.LimitExceeded("Attempt limit exceeded, please try after some time.")
}

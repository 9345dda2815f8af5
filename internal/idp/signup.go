package idp

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"

	"github.com/cognitod/cognitod/internal/api"
)

// publicClient loads the app client a public operation names and checks its
// SECRET_HASH: HMAC-SHA256 of username + client id keyed by any of the
// client's secrets, in base64.
func (s *Service) publicClient(ctx context.Context, clientID, username string, secretHash *string) (*appClient, *pool, error) {
	c, err := s.findClient(ctx, clientID)
	if err != nil {
		return nil, nil, err
	}
	if c.HasSecret() {
		if secretHash == nil || *secretHash == "" {
			return nil, nil, api.NotAuthorized("Client %s is configured for secret but secret was not received", clientID)
		}
		secrets, err := s.secretValues(c)
		if err != nil {
			return nil, nil, err
		}
		ok := false
		for _, sec := range secrets {
			if hmac.Equal([]byte(secretHashOf(sec, username, clientID)), []byte(*secretHash)) {
				ok = true
			}
		}
		if !ok {
			return nil, nil, api.NotAuthorized("Unable to verify secret hash for client %s", clientID)
		}
	}
	p, err := s.poolView(ctx, c.PoolID)
	if err != nil {
		return nil, nil, err
	}
	return c, p, nil
}

// secretHashOf computes a SECRET_HASH.
func secretHashOf(secret, username, clientID string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(username + clientID))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// publicUserNotFound is how public operations name an unknown user when the
// client does not hide that users exist.
func publicUserNotFound() *api.Error {
	return api.UserNotFound("Username/client id combination not found.")
}

// confirmationTarget picks where a sign-up code goes: the phone number when
// the pool auto-verifies it and the user has one, else the email.
func (p *pool) confirmationTarget(d *userDoc) (attr, dest string, ok bool) {
	for _, a := range []string{"phone_number", "email"} {
		if !p.autoVerifies(a) {
			continue
		}
		if v, has := d.get(a); has && v != "" {
			return a, v, true
		}
	}
	return "", "", false
}

// SignUp registers a user, UNCONFIRMED, and sends a confirmation code when the
// pool auto-verifies one of the user's addresses.
func (s *Service) SignUp(ctx context.Context, in *api.SignUpRequest) (*api.SignUpResponse, error) {
	clientID, username, pw := api.ToString(in.ClientId), api.ToString(in.Username), api.ToString(in.Password)
	c, p, err := s.publicClient(ctx, clientID, username, in.SecretHash)
	if err != nil {
		return nil, err
	}
	if cfg := p.Type.AdminCreateUserConfig; cfg != nil && api.ToBool(cfg.AllowAdminCreateUserOnly) {
		return nil, api.NotAuthorized("SignUp is not permitted for this user pool")
	}
	attrs, err := p.checkAttributes(in.UserAttributes, attrWrite{creating: true, client: c})
	if err != nil {
		return nil, err
	}
	if pw == "" {
		return nil, api.InvalidParameter("Password is required.")
	}
	if err := p.checkPasswordPolicy("SignUp", pw); err != nil {
		return nil, err
	}
	rec, d, err := s.newUserRecord(p, c.PoolID, username, attrs, api.UserStatusTypeUnconfirmed)
	if err != nil {
		return nil, err
	}
	if d.Password, err = s.sealVerifier(c.PoolID, rec.Sub, rec.Username, pw); err != nil {
		return nil, err
	}
	attr, dest, send := p.confirmationTarget(d)
	var code issuedCode
	if send {
		if code, err = s.issueCodeTo(c.PoolID, rec.Sub, purposeSignUp, attr, signUpCodeTTL); err != nil {
			return nil, err
		}
		code.apply(d)
	}
	u, err := s.storeNewUser(ctx, p, rec, d, "User already exists", false)
	if err != nil {
		return nil, err
	}
	out := &api.SignUpResponse{UserConfirmed: api.Bool(false), UserSub: api.String(rec.Sub)}
	if send {
		if err := s.sendCode(ctx, p, c.PoolID, clientID, u, kindSignUpCode, attr, dest, code.code, true); err != nil {
			return nil, err
		}
		out.CodeDeliveryDetails = deliveryDetails(mediumOf(attr), attr, dest)
	}
	return out, nil
}

// ConfirmSignUp confirms a user with the code SignUp sent; the address the
// code went to becomes verified.
func (s *Service) ConfirmSignUp(ctx context.Context, in *api.ConfirmSignUpRequest) (*api.ConfirmSignUpResponse, error) {
	clientID, username := api.ToString(in.ClientId), api.ToString(in.Username)
	c, p, err := s.publicClient(ctx, clientID, username, in.SecretHash)
	if err != nil {
		return nil, err
	}
	found, err := s.lookupUser(ctx, p, c.PoolID, username)
	if errors.Is(err, errNoUser) {
		if c.HidesUserExistence() {
			return nil, errCodeMismatch()
		}
		return nil, publicUserNotFound()
	}
	if err != nil {
		return nil, err
	}
	if found.status() != api.UserStatusTypeUnconfirmed {
		return nil, cannotConfirm(found.status())
	}
	if err := s.spendCode(ctx, p, c.PoolID, found, purposeSignUp, api.ToString(in.ConfirmationCode)); err != nil {
		return nil, err
	}
	attr := ""
	if st := found.doc.Codes[purposeSignUp]; st != nil {
		attr = st.Attr
	}
	confirm := func(u *user) error {
		if u.status() != api.UserStatusTypeUnconfirmed {
			return cannotConfirm(u.status())
		}
		u.rec.Status = string(api.UserStatusTypeConfirmed)
		useCode(u.doc, purposeSignUp)
		if attr != "" {
			u.doc.set(attr+"_verified", "true")
		}
		return nil
	}
	_, err = s.updateUser(ctx, p, c.PoolID, found.rec.Sub, confirm)
	var ae *api.Error
	if errors.As(err, &ae) && ae.Type == api.CodeAliasExists && api.ToBool(in.ForceAliasCreation) && attr != "" {
		value, _ := found.doc.get(attr)
		if err := s.releaseAlias(ctx, p, c.PoolID, attr, p.aliasKey(attr, value)); err != nil {
			return nil, err
		}
		_, err = s.updateUser(ctx, p, c.PoolID, found.rec.Sub, confirm)
	}
	if err != nil {
		return nil, err
	}
	return &api.ConfirmSignUpResponse{}, nil
}

// spendCode checks a code; a wrong one is counted against the code (in its
// own update, so that the count sticks while the request fails).
func (s *Service) spendCode(ctx context.Context, p *pool, poolID string, u *user, purpose, code string) error {
	res, err := s.checkCode(poolID, u, purpose, code)
	if err != nil {
		return err
	}
	switch res {
	case codeOK:
		return nil
	case codeExpired:
		return errCodeExpired()
	case codeExhausted:
		return errTooManyFailures()
	case codeMissing:
		return errCodeMismatch()
	}
	if _, err := s.updateUser(ctx, p, poolID, u.rec.Sub, func(u *user) error {
		recordFailure(u.doc, purpose)
		return nil
	}); err != nil {
		return err
	}
	return errCodeMismatch()
}

// ResendConfirmationCode sends a new sign-up code.
func (s *Service) ResendConfirmationCode(ctx context.Context, in *api.ResendConfirmationCodeRequest) (*api.ResendConfirmationCodeResponse, error) {
	clientID, username := api.ToString(in.ClientId), api.ToString(in.Username)
	c, p, err := s.publicClient(ctx, clientID, username, in.SecretHash)
	if err != nil {
		return nil, err
	}
	found, err := s.lookupUser(ctx, p, c.PoolID, username)
	if errors.Is(err, errNoUser) {
		if c.HidesUserExistence() {
			return &api.ResendConfirmationCodeResponse{CodeDeliveryDetails: simulatedDelivery(username)}, nil
		}
		return nil, publicUserNotFound()
	}
	if err != nil {
		return nil, err
	}
	if found.status() != api.UserStatusTypeUnconfirmed {
		return nil, api.InvalidParameter("User is already confirmed.")
	}
	attr, dest, ok := p.confirmationTarget(found.doc)
	if !ok {
		return nil, api.InvalidParameter("Cannot resend codes. Auto verification not turned on.")
	}
	code, err := s.issueCodeTo(c.PoolID, found.rec.Sub, purposeSignUp, attr, signUpCodeTTL)
	if err != nil {
		return nil, err
	}
	u, err := s.updateUser(ctx, p, c.PoolID, found.rec.Sub, func(u *user) error {
		code.apply(u.doc)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.sendCode(ctx, p, c.PoolID, clientID, u, kindSignUpCode, attr, dest, code.code, true); err != nil {
		return nil, err
	}
	return &api.ResendConfirmationCodeResponse{CodeDeliveryDetails: deliveryDetails(mediumOf(attr), attr, dest)}, nil
}

// simulatedDelivery is the CodeDeliveryDetails a client that hides user
// existence answers for a user who does not exist: shaped like a real one, so
// that the answer tells nothing.
func simulatedDelivery(username string) *api.CodeDeliveryDetailsType {
	if phonePattern.MatchString(username) {
		return deliveryDetails(api.DeliveryMediumTypeSms, "phone_number", username)
	}
	dest := username
	if !emailPattern.MatchString(dest) {
		dest = username + "@" + username
	}
	return deliveryDetails(api.DeliveryMediumTypeEmail, "email", dest)
}

// ForgotPassword sends a code to reset the password to the user's verified
// address that AccountRecoverySetting picks.
func (s *Service) ForgotPassword(ctx context.Context, in *api.ForgotPasswordRequest) (*api.ForgotPasswordResponse, error) {
	clientID, username := api.ToString(in.ClientId), api.ToString(in.Username)
	c, p, err := s.publicClient(ctx, clientID, username, in.SecretHash)
	if err != nil {
		return nil, err
	}
	found, err := s.lookupUser(ctx, p, c.PoolID, username)
	if errors.Is(err, errNoUser) {
		if c.HidesUserExistence() {
			return &api.ForgotPasswordResponse{CodeDeliveryDetails: simulatedDelivery(username)}, nil
		}
		return nil, publicUserNotFound()
	}
	if err != nil {
		return nil, err
	}
	if !found.rec.Enabled {
		return nil, api.NotAuthorized("User is disabled.")
	}
	switch found.status() {
	case api.UserStatusTypeConfirmed, api.UserStatusTypeResetRequired:
	default:
		return nil, api.NotAuthorized("User password cannot be reset in the current state.")
	}
	attr, dest, ok := p.recoveryDestination(found.doc)
	if !ok {
		return nil, api.InvalidParameter("Cannot reset password for the user as there is no registered/verified email or phone_number")
	}
	code, err := s.issueCodeTo(c.PoolID, found.rec.Sub, purposeForgot, attr, forgotCodeTTL)
	if err != nil {
		return nil, err
	}
	u, err := s.updateUser(ctx, p, c.PoolID, found.rec.Sub, func(u *user) error {
		code.apply(u.doc)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.sendCode(ctx, p, c.PoolID, clientID, u, kindForgotPassword, attr, dest, code.code, false); err != nil {
		return nil, err
	}
	return &api.ForgotPasswordResponse{CodeDeliveryDetails: deliveryDetails(mediumOf(attr), attr, dest)}, nil
}

// ConfirmForgotPassword sets a new password with the code ForgotPassword (or
// AdminResetUserPassword) sent.
func (s *Service) ConfirmForgotPassword(ctx context.Context, in *api.ConfirmForgotPasswordRequest) (*api.ConfirmForgotPasswordResponse, error) {
	clientID, username, pw := api.ToString(in.ClientId), api.ToString(in.Username), api.ToString(in.Password)
	c, p, err := s.publicClient(ctx, clientID, username, in.SecretHash)
	if err != nil {
		return nil, err
	}
	found, err := s.lookupUser(ctx, p, c.PoolID, username)
	if errors.Is(err, errNoUser) {
		if c.HidesUserExistence() {
			return nil, errCodeMismatch()
		}
		return nil, publicUserNotFound()
	}
	if err != nil {
		return nil, err
	}
	if err := s.spendCode(ctx, p, c.PoolID, found, purposeForgot, api.ToString(in.ConfirmationCode)); err != nil {
		return nil, err
	}
	np, err := s.preparePassword(p, c.PoolID, found, "ConfirmForgotPassword", pw)
	if err != nil {
		return nil, err
	}
	_, err = s.updateUser(ctx, p, c.PoolID, found.rec.Sub, func(u *user) error {
		if u.doc.Codes[purposeForgot] == nil {
			// Used by a concurrent request meanwhile.
			return errCodeMismatch()
		}
		np.apply(p, u.doc)
		useCode(u.doc, purposeForgot)
		u.rec.Status = string(api.UserStatusTypeConfirmed)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &api.ConfirmForgotPasswordResponse{}, nil
}

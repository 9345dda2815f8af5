package idp

import (
	"context"

	"github.com/cognitod/cognitod/internal/api"
)

// A user's MFA preferences: AdminSetUserMFAPreference and
// SetUserMFAPreference (the factors), AdminSetUserSettings and
// SetUserSettings (the legacy MFAOptions, which only know SMS). What they
// set is reported by AdminGetUser and GetUser (mfa.go) and read by sign-in.

// Cognito's words for preferences it refuses. A factor needs somewhere to
// deliver codes: Cognito words the TOTP case "User does not have delivery
// config set to turn on SOFTWARE_TOKEN_MFA" (aws/aws-sdk-js-v3#4645), and
// the other factors follow the same pattern with their own names.
const (
	msgMfaNoDelivery     = "User does not have delivery config set to turn on %s"
	msgMfaOnePreferred   = "Only one MFA method can be set as preferred."
	msgMfaPreferDisabled = "%s cannot be set as the preferred MFA method while it is disabled."
	msgMfaEmailOff       = "Email MFA is not enabled for this user pool."
	msgMfaWebAuthnAlone  = "Passkey MFA needs another MFA method (SMS, TOTP or email) to be enabled for the user."
	msgMfaOptionsOnlySMS = "MFAOptions can only set SMS delivery to phone_number."
	msgUserNotConfirmed  = "User is not confirmed."
	msgUserResetRequired = "Password reset required for the user"
)

// mfaFactorSetting is one factor's part of a preference request
// ({Enabled, PreferredMfa}); nil members are false, as Cognito reads them.
type mfaFactorSetting struct {
	factor             string
	enabled, preferred *bool
}

// mfaRequest gathers the factor settings a request carries, in a fixed
// order. The four request types share no Go type, so each operation passes
// its members here.
func mfaRequest(sms *api.SMSMfaSettingsType, totp *api.SoftwareTokenMfaSettingsType, email *api.EmailMfaSettingsType) []mfaFactorSetting {
	var out []mfaFactorSetting
	if sms != nil {
		out = append(out, mfaFactorSetting{mfaSMS, sms.Enabled, sms.PreferredMfa})
	}
	if totp != nil {
		out = append(out, mfaFactorSetting{mfaTOTP, totp.Enabled, totp.PreferredMfa})
	}
	if email != nil {
		out = append(out, mfaFactorSetting{mfaEmail, email.Enabled, email.PreferredMfa})
	}
	return out
}

// checkMfaRequest refuses what is wrong with a request whatever the user:
// two preferred factors, or a factor preferred and disabled in one breath.
func checkMfaRequest(settings []mfaFactorSetting) error {
	preferred := 0
	for _, st := range settings {
		if !api.ToBool(st.preferred) {
			continue
		}
		preferred++
		if st.enabled != nil && !*st.enabled {
			return api.InvalidParameter(msgMfaPreferDisabled, st.factor)
		}
	}
	if preferred > 1 {
		return api.InvalidParameter(msgMfaOnePreferred)
	}
	return nil
}

// checkMfaUserState answers the states in which Cognito does not let a user's
// MFA settings change: not confirmed yet, or waiting for a password reset.
func checkMfaUserState(u *user) error {
	switch u.status() {
	case api.UserStatusTypeUnconfirmed:
		return api.UserNotConfirmed(msgUserNotConfirmed)
	case api.UserStatusTypeResetRequired:
		return api.PasswordResetRequired(msgUserResetRequired)
	}
	return nil
}

// canEnableFactor checks that the user and the pool can use factor: SMS needs
// a phone number (verified or not: codes go to it either way), email an email
// address and a pool with email MFA configured, TOTP a verified software
// token (VerifySoftwareToken, not only AssociateSoftwareToken).
func (p *pool) canEnableFactor(d *userDoc, factor string) error {
	has := func(attr string) bool { v, ok := d.get(attr); return ok && v != "" }
	switch factor {
	case mfaSMS:
		if !has("phone_number") {
			return api.InvalidParameter(msgMfaNoDelivery, factor)
		}
	case mfaTOTP:
		if d.MFA == nil || d.MFA.TOTPSeed == "" {
			return api.InvalidParameter(msgMfaNoDelivery, factor)
		}
	case mfaEmail:
		if !p.emailMfaOn() {
			return api.InvalidParameter(msgMfaEmailOff)
		}
		if !has("email") {
			return api.InvalidParameter(msgMfaNoDelivery, factor)
		}
	}
	return nil
}

// applyMfaPreference applies checked factor settings to the user's
// document. A setting given replaces that factor's state: Enabled, or
// PreferredMfa (a preferred factor is enabled with it); PreferredMfa true
// makes it the preferred factor in place of any other, false drops the
// preference if it was this one. Factors the request leaves out keep their
// state.
func (p *pool) applyMfaPreference(d *userDoc, settings []mfaFactorSetting, webAuthn *api.WebAuthnMfaSettingsType) error {
	m := d.mfa()
	for _, st := range settings {
		on := api.ToBool(st.enabled) || api.ToBool(st.preferred)
		if on {
			if err := p.canEnableFactor(d, st.factor); err != nil {
				return err
			}
		}
		m.setEnabled(st.factor, on)
		switch {
		case api.ToBool(st.preferred):
			m.Preferred = st.factor
		case m.Preferred == st.factor:
			m.Preferred = ""
		}
	}
	if webAuthn != nil {
		m.WebAuthn = api.ToBool(webAuthn.Enabled)
	}
	// Passkey MFA is only a stronger first factor: without another factor
	// to fall back on the user could be locked out (the model's words).
	if m.WebAuthn && len(m.enabledFactors()) == 0 {
		return api.InvalidParameter(msgMfaWebAuthnAlone)
	}
	return nil
}

// setMfaPreference is both preference operations once the user is found.
// A request that sets nothing writes nothing.
func (s *Service) setMfaPreference(ctx context.Context, p *pool, poolID string, u *user, settings []mfaFactorSetting, webAuthn *api.WebAuthnMfaSettingsType) error {
	if err := checkMfaRequest(settings); err != nil {
		return err
	}
	if err := checkMfaUserState(u); err != nil {
		return err
	}
	if len(settings) == 0 && webAuthn == nil {
		return nil
	}
	_, err := s.updateUser(ctx, p, poolID, u.rec.Sub, func(u *user) error {
		// The user as stored now: the state may have changed since the
		// lookup.
		if err := checkMfaUserState(u); err != nil {
			return err
		}
		return p.applyMfaPreference(u.doc, settings, webAuthn)
	})
	return err
}

// AdminSetUserMFAPreference sets which MFA factors a user has turned on and
// which one is preferred.
func (s *Service) AdminSetUserMFAPreference(ctx context.Context, in *api.AdminSetUserMFAPreferenceRequest) (*api.AdminSetUserMFAPreferenceResponse, error) {
	poolID := api.ToString(in.UserPoolId)
	p, u, err := s.adminUser(ctx, poolID, api.ToString(in.Username))
	if err != nil {
		return nil, err
	}
	settings := mfaRequest(in.SMSMfaSettings, in.SoftwareTokenMfaSettings, in.EmailMfaSettings)
	if err := s.setMfaPreference(ctx, p, poolID, u, settings, in.WebAuthnMfaSettings); err != nil {
		return nil, err
	}
	return &api.AdminSetUserMFAPreferenceResponse{}, nil
}

// SetUserMFAPreference is AdminSetUserMFAPreference for the signed-in user.
func (s *Service) SetUserMFAPreference(ctx context.Context, in *api.SetUserMFAPreferenceRequest) (*api.SetUserMFAPreferenceResponse, error) {
	ac, err := s.accessUser(ctx, api.ToString(in.AccessToken))
	if err != nil {
		return nil, err
	}
	settings := mfaRequest(in.SMSMfaSettings, in.SoftwareTokenMfaSettings, in.EmailMfaSettings)
	if err := s.setMfaPreference(ctx, ac.p, ac.poolID, ac.u, settings, in.WebAuthnMfaSettings); err != nil {
		return nil, err
	}
	return &api.SetUserMFAPreferenceResponse{}, nil
}

// legacySMS reads legacy MFAOptions: the only option they can set is SMS
// codes to phone_number, so the answer is whether SMS MFA is on. An empty
// list turns it off.
func legacySMS(opts []api.MFAOptionType) (bool, error) {
	for _, o := range opts {
		if o.DeliveryMedium != api.DeliveryMediumTypeSms || api.ToString(o.AttributeName) != "phone_number" {
			return false, api.InvalidParameter(msgMfaOptionsOnlySMS)
		}
	}
	return len(opts) > 0, nil
}

// setUserSettings is both legacy operations once the user is found: SMS MFA
// on or off, as SMSMfaSettings {Enabled} would set it.
func (s *Service) setUserSettings(ctx context.Context, p *pool, poolID string, u *user, opts []api.MFAOptionType, checkState bool) error {
	on, err := legacySMS(opts)
	if err != nil {
		return err
	}
	if checkState {
		if err := checkMfaUserState(u); err != nil {
			return err
		}
	}
	_, err = s.updateUser(ctx, p, poolID, u.rec.Sub, func(u *user) error {
		if on {
			if err := p.canEnableFactor(u.doc, mfaSMS); err != nil {
				return err
			}
		}
		u.doc.mfa().setEnabled(mfaSMS, on)
		return nil
	})
	return err
}

// AdminSetUserSettings sets a user's legacy MFAOptions (SMS MFA only).
func (s *Service) AdminSetUserSettings(ctx context.Context, in *api.AdminSetUserSettingsRequest) (*api.AdminSetUserSettingsResponse, error) {
	poolID := api.ToString(in.UserPoolId)
	p, u, err := s.adminUser(ctx, poolID, api.ToString(in.Username))
	if err != nil {
		return nil, err
	}
	// The operation's errors have no user-state refusals, unlike
	// SetUserSettings'.
	if err := s.setUserSettings(ctx, p, poolID, u, in.MFAOptions, false); err != nil {
		return nil, err
	}
	return &api.AdminSetUserSettingsResponse{}, nil
}

// SetUserSettings is AdminSetUserSettings for the signed-in user.
func (s *Service) SetUserSettings(ctx context.Context, in *api.SetUserSettingsRequest) (*api.SetUserSettingsResponse, error) {
	ac, err := s.accessUser(ctx, api.ToString(in.AccessToken))
	if err != nil {
		return nil, err
	}
	if err := s.setUserSettings(ctx, ac.p, ac.poolID, ac.u, in.MFAOptions, true); err != nil {
		return nil, err
	}
	return &api.SetUserSettingsResponse{}, nil
}

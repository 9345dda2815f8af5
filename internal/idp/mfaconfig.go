package idp

import (
	"context"
	"slices"

	"github.com/cognitod/cognitod/internal/api"
)

// How MFA settings live in a pool. One set of stored values serves
// CreateUserPool/UpdateUserPool/DescribeUserPool and
// SetUserPoolMfaConfig/GetUserPoolMfaConfig, so the two views always agree:
//
//   - the mode is Type.MfaConfiguration;
//   - SMS MFA uses Type.SmsConfiguration and Type.SmsAuthenticationMessage
//     (the SMS configuration also serves verification messages): SMS is an
//     active factor whenever MFA is not OFF and the pool can send SMS;
//   - TOTP, email and WebAuthn settings only SetUserPoolMfaConfig carries.

// Cognito's words for MFA settings it refuses.
const (
	msgMfaOffWithFactor = "Invalid MFA configuration given, can't turn off MFA and configure an MFA together."
	msgMfaNoFactor      = "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration."
	msgMfaSmsStillSet   = "Can't turn off SMS_MFA when SMS configuration is set for the user pool."
	msgMfaTurnOnLater   = "Cannot turn MFA functionality ON, once the user pool has been created."
	msgRecoveryPhoneMfa = "Invalid account recovery setting parameter. Account Recovery Setting cannot use verified_phone_number as a recovery mechanism when SMS MFA is configured."
)

func (p *pool) mfaMode() api.UserPoolMfaType {
	if p.Type.MfaConfiguration == "" {
		return api.UserPoolMfaTypeOff
	}
	return p.Type.MfaConfiguration
}

// smsMfaOn reports SMS as an active second factor.
func (p *pool) smsMfaOn() bool {
	return p.mfaMode() != api.UserPoolMfaTypeOff && p.Type.SmsConfiguration != nil
}

// totpMfaOn reports TOTP (authenticator apps) as an enabled factor.
func (p *pool) totpMfaOn() bool {
	return p.SoftwareTokenMfa != nil && api.ToBool(p.SoftwareTokenMfa.Enabled)
}

// emailMfaOn reports email codes as an enabled factor.
func (p *pool) emailMfaOn() bool { return p.EmailMfa != nil }

// mfaConfig is the pool's MFA configuration as GetUserPoolMfaConfig reports
// it: only what is set.
func (p *pool) mfaConfig() *api.GetUserPoolMfaConfigResponse {
	out := &api.GetUserPoolMfaConfigResponse{
		MfaConfiguration:              p.mfaMode(),
		SoftwareTokenMfaConfiguration: poolClone(p.SoftwareTokenMfa),
		EmailMfaConfiguration:         poolClone(p.EmailMfa),
		WebAuthnConfiguration:         poolClone(p.WebAuthn),
	}
	if p.Type.SmsAuthenticationMessage != nil || p.Type.SmsConfiguration != nil {
		out.SmsMfaConfiguration = &api.SmsMfaConfigType{
			SmsAuthenticationMessage: poolCopyString(p.Type.SmsAuthenticationMessage),
			SmsConfiguration:         poolClone(p.Type.SmsConfiguration),
		}
	}
	return out
}

// checkUpdateMfa checks the MFA mode an UpdateUserPool request leaves the pool
// in. UpdateUserPool cannot make MFA required (only SetUserPoolMfaConfig
// can), and MFA that is on needs a factor to be on with it.
func checkUpdateMfa(before api.UserPoolMfaType, next *pool) error {
	mode := next.mfaMode()
	if mode == api.UserPoolMfaTypeOn && before != api.UserPoolMfaTypeOn {
		return api.InvalidParameter(msgMfaTurnOnLater)
	}
	if mode != api.UserPoolMfaTypeOff && !next.smsMfaOn() && !next.totpMfaOn() && !next.emailMfaOn() {
		return api.InvalidParameter(msgMfaNoFactor)
	}
	return nil
}

// checkEmailMfaPrerequisites keeps what email MFA needs in place while it is
// on: Amazon SES sending and a feature plan that includes it.
func checkEmailMfaPrerequisites(next *pool, tierChanged bool) error {
	if !next.emailMfaOn() {
		return nil
	}
	if next.Type.UserPoolTier == api.UserPoolTierTypeLite {
		if tierChanged {
			return api.TierChangeNotAllowed("The user pool uses email MFA, which the LITE feature plan does not include: turn it off first.")
		}
		return api.FeatureUnavailableInTier("Email MFA requires the ESSENTIALS or PLUS feature plan; this user pool is on LITE.")
	}
	if next.Type.EmailConfiguration == nil || next.Type.EmailConfiguration.EmailSendingAccount != api.EmailSendingAccountTypeDeveloper {
		return api.InvalidParameter("The user pool uses email MFA, which needs EmailConfiguration.EmailSendingAccount DEVELOPER: turn email MFA off first.")
	}
	return nil
}

// checkRecoveryAgainstMfa refuses password recovery by SMS to the phone that
// is also every user's required second factor.
func checkRecoveryAgainstMfa(p *pool) error {
	if p.mfaMode() != api.UserPoolMfaTypeOn || !p.smsMfaOn() || p.Type.AccountRecoverySetting == nil {
		return nil
	}
	if slices.ContainsFunc(p.Type.AccountRecoverySetting.RecoveryMechanisms, func(m api.RecoveryOptionType) bool {
		return m.Name == api.RecoveryOptionNameTypeVerifiedPhoneNumber
	}) {
		return api.InvalidParameter(msgRecoveryPhoneMfa)
	}
	return nil
}

// GetUserPoolMfaConfig reports a pool's MFA and WebAuthn configuration.
func (s *Service) GetUserPoolMfaConfig(ctx context.Context, in *api.GetUserPoolMfaConfigRequest) (*api.GetUserPoolMfaConfigResponse, error) {
	p, err := s.getPool(ctx, api.ToString(in.UserPoolId))
	if err != nil {
		return nil, err
	}
	return p.mfaConfig(), nil
}

// SetUserPoolMfaConfig replaces a pool's MFA configuration: the factors the
// request leaves out are turned off, and a request without MfaConfiguration
// keeps the current mode. The SMS configuration is shared with verification
// messages, so it stays when SMS MFA is not part of the request.
func (s *Service) SetUserPoolMfaConfig(ctx context.Context, in *api.SetUserPoolMfaConfigRequest) (*api.SetUserPoolMfaConfigResponse, error) {
	id := api.ToString(in.UserPoolId)
	now := s.now()
	p, err := s.updatePool(ctx, id, func(p *pool) error {
		mode := in.MfaConfiguration
		if mode == "" {
			mode = p.mfaMode()
		}
		sms := in.SmsMfaConfiguration
		totp := in.SoftwareTokenMfaConfiguration != nil && api.ToBool(in.SoftwareTokenMfaConfiguration.Enabled)
		email := in.EmailMfaConfiguration

		if mode == api.UserPoolMfaTypeOff && (sms != nil || totp || email != nil) {
			return api.InvalidParameter(msgMfaOffWithFactor)
		}
		smsConfig := p.Type.SmsConfiguration
		if sms != nil {
			if sms.SmsConfiguration != nil {
				smsConfig = sms.SmsConfiguration
			}
			if smsConfig == nil {
				return api.InvalidParameter("SMS MFA needs an SmsConfiguration: give one in SmsMfaConfiguration or in the user pool.")
			}
		}
		if email != nil {
			if p.Type.UserPoolTier == api.UserPoolTierTypeLite {
				return api.FeatureUnavailableInTier("Email MFA requires the ESSENTIALS or PLUS feature plan; this user pool is on LITE.")
			}
			if p.Type.EmailConfiguration == nil || p.Type.EmailConfiguration.EmailSendingAccount != api.EmailSendingAccountTypeDeveloper {
				return api.InvalidParameter("Email MFA needs the user pool to send email with Amazon SES: set EmailConfiguration.EmailSendingAccount to DEVELOPER first.")
			}
		}
		if mode != api.UserPoolMfaTypeOff {
			if sms == nil && !totp && email == nil {
				return api.InvalidParameter(msgMfaNoFactor)
			}
			if sms == nil && p.Type.SmsConfiguration != nil {
				return api.InvalidParameter(msgMfaSmsStillSet)
			}
		}

		p.Type.MfaConfiguration = mode
		if sms != nil {
			p.Type.SmsAuthenticationMessage = poolCopyString(sms.SmsAuthenticationMessage)
			p.Type.SmsConfiguration = poolClone(smsConfig)
		}
		p.SoftwareTokenMfa = poolClone(in.SoftwareTokenMfaConfiguration)
		if p.SoftwareTokenMfa != nil {
			p.SoftwareTokenMfa.Enabled = api.Bool(totp)
		}
		p.EmailMfa = poolClone(in.EmailMfaConfiguration)
		p.WebAuthn = poolClone(in.WebAuthnConfiguration)
		if err := checkRecoveryAgainstMfa(p); err != nil {
			return err
		}
		p.Type.LastModifiedDate = api.NewTimestamp(now)
		return nil
	})
	if err != nil {
		return nil, err
	}
	c := p.mfaConfig()
	return &api.SetUserPoolMfaConfigResponse{
		SmsMfaConfiguration:           c.SmsMfaConfiguration,
		SoftwareTokenMfaConfiguration: c.SoftwareTokenMfaConfiguration,
		EmailMfaConfiguration:         c.EmailMfaConfiguration,
		MfaConfiguration:              c.MfaConfiguration,
		WebAuthnConfiguration:         c.WebAuthnConfiguration,
	}, nil
}

package idp

import "github.com/cognitod/cognitod/internal/api"

// The MFA factors as UserMFASettingList, PreferredMfaSetting and the
// challenges name them.
const (
	mfaSMS   = "SMS_MFA"
	mfaTOTP  = "SOFTWARE_TOKEN_MFA"
	mfaEmail = "EMAIL_OTP"
)

// enabledFactors lists the factors the user turned on, in a fixed order
// (SMS, TOTP, email) so that answers do not change from call to call; nil
// for none. A nil *userMFA has none.
func (m *userMFA) enabledFactors() []string {
	if m == nil {
		return nil
	}
	var out []string
	if m.SMS {
		out = append(out, mfaSMS)
	}
	if m.TOTP {
		out = append(out, mfaTOTP)
	}
	if m.Email {
		out = append(out, mfaEmail)
	}
	return out
}

// enabled reports whether factor is turned on.
func (m *userMFA) enabled(factor string) bool {
	if m == nil {
		return false
	}
	switch factor {
	case mfaSMS:
		return m.SMS
	case mfaTOTP:
		return m.TOTP
	case mfaEmail:
		return m.Email
	}
	return false
}

// setEnabled turns factor on or off. Turning off the preferred factor drops
// the preference with it: a preference is only ever for an enabled factor.
// SMS keeps the legacy MFAOptions in step, because Cognito reports an SMS
// factor turned on by either API in both places.
func (m *userMFA) setEnabled(factor string, on bool) {
	switch factor {
	case mfaSMS:
		m.SMS = on
		if on {
			m.Options = []mfaOption{{DeliveryMedium: string(api.DeliveryMediumTypeSms), AttributeName: "phone_number"}}
		} else {
			m.Options = nil
		}
	case mfaTOTP:
		m.TOTP = on
	case mfaEmail:
		m.Email = on
	}
	if !on && m.Preferred == factor {
		m.Preferred = ""
	}
}

// mfaSettings is what AdminGetUser and GetUser report about the user's MFA:
// the legacy MFAOptions, the preferred factor and the enabled factors. Each
// is nil when there is nothing to report, so the member stays out of the
// answer as on Cognito.
func (u *user) mfaSettings() (options []api.MFAOptionType, preferred *string, enabled []string) {
	m := u.doc.MFA
	if m == nil {
		return nil, nil, nil
	}
	for _, o := range m.Options {
		options = append(options, api.MFAOptionType{DeliveryMedium: api.DeliveryMediumType(o.DeliveryMedium), AttributeName: api.String(o.AttributeName)})
	}
	if m.Preferred != "" {
		preferred = api.String(m.Preferred)
	}
	return options, preferred, m.enabledFactors()
}

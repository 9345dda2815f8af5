package srp

import (
	"errors"
	"time"
)

// TimestampLayout is the TIMESTAMP of a PASSWORD_VERIFIER answer in Go's
// layout: Java's "EEE MMM d HH:mm:ss z yyyy" in UTC, English names, the day
// of the month without padding ("Mon Jan 1 09:05:03 UTC 2024").
const TimestampLayout = "Mon Jan 2 15:04:05 UTC 2006"

// FormatTimestamp formats t (in UTC) as clients send TIMESTAMP.
func FormatTimestamp(t time.Time) string {
	return t.UTC().Format(TimestampLayout)
}

// ErrTimestamp means a TIMESTAMP is not in Cognito's form, or too far from
// the server's clock.
var ErrTimestamp = errors.New("srp: invalid timestamp")

// ParseTimestamp reads a TIMESTAMP in Cognito's form. It accepts a
// zero-padded day of the month too. The signature covers the text as sent,
// so verify with the original string, not a reformatted one.
func ParseTimestamp(s string) (time.Time, error) {
	t, err := time.Parse(TimestampLayout, s)
	if err != nil {
		return time.Time{}, ErrTimestamp
	}
	return t, nil
}

// CheckTimestamp returns nil when s is a TIMESTAMP in Cognito's form within
// maxSkew of now (either side), and ErrTimestamp otherwise.
func CheckTimestamp(s string, now time.Time, maxSkew time.Duration) error {
	t, err := ParseTimestamp(s)
	if err != nil {
		return err
	}
	d := now.Sub(t)
	if d < -maxSkew || d > maxSkew {
		return ErrTimestamp
	}
	return nil
}

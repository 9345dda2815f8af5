package srp

import (
	"errors"
	"testing"
	"time"
)

func TestFormatTimestamp(t *testing.T) {
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2024, time.January, 1, 0, 0, 0, 0, time.UTC), "Mon Jan 1 00:00:00 UTC 2024"},
		{time.Date(2024, time.January, 1, 9, 5, 3, 0, time.UTC), "Mon Jan 1 09:05:03 UTC 2024"},
		{time.Date(2024, time.February, 29, 23, 59, 59, 999999999, time.UTC), "Thu Feb 29 23:59:59 UTC 2024"},
		{time.Date(2023, time.December, 31, 12, 0, 0, 0, time.UTC), "Sun Dec 31 12:00:00 UTC 2023"},
		{time.Date(2025, time.July, 9, 14, 30, 0, 0, time.UTC), "Wed Jul 9 14:30:00 UTC 2025"},
		{time.Date(2025, time.October, 10, 10, 10, 10, 0, time.UTC), "Fri Oct 10 10:10:10 UTC 2025"},
		{time.Date(2026, time.September, 5, 6, 7, 8, 0, time.UTC), "Sat Sep 5 06:07:08 UTC 2026"},
		{time.Date(2026, time.November, 17, 1, 2, 3, 0, time.UTC), "Tue Nov 17 01:02:03 UTC 2026"},
		// Other zones are converted to UTC first.
		{time.Date(2024, time.January, 1, 1, 30, 0, 0, time.FixedZone("CET", 3600)), "Mon Jan 1 00:30:00 UTC 2024"},
		{time.Date(2024, time.March, 31, 20, 0, 0, 0, time.FixedZone("EST", -5*3600)), "Mon Apr 1 01:00:00 UTC 2024"},
	}
	for _, tc := range tests {
		got := FormatTimestamp(tc.in)
		if got != tc.want {
			t.Errorf("FormatTimestamp(%v) = %q, want %q", tc.in, got, tc.want)
			continue
		}
		back, err := ParseTimestamp(got)
		if err != nil || !back.Equal(tc.in.Truncate(time.Second)) {
			t.Errorf("ParseTimestamp(%q) = %v, %v", got, back, err)
		}
	}
}

func TestParseTimestamp(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time // zero for an error
	}{
		{"Mon Jan 1 00:00:00 UTC 2024", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"Mon Jan 01 00:00:00 UTC 2024", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"Thu Feb 29 23:59:59 UTC 2024", time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC)},
		{"", time.Time{}},
		{"2024-01-01T00:00:00Z", time.Time{}},
		{"Mon Jan 1 00:00:00 GMT 2024", time.Time{}},
		{"Mon Jan 1 24:00:00 UTC 2024", time.Time{}},
		{"Mon Jan 32 00:00:00 UTC 2024", time.Time{}},
		{"Xyz Jan 1 00:00:00 UTC 2024", time.Time{}},
		{"Mon Jan 1 00:00:00 UTC 2024 ", time.Time{}},
	}
	for _, tc := range tests {
		got, err := ParseTimestamp(tc.in)
		if tc.want.IsZero() {
			if !errors.Is(err, ErrTimestamp) {
				t.Errorf("ParseTimestamp(%q) = %v, %v; want ErrTimestamp", tc.in, got, err)
			}
			continue
		}
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("ParseTimestamp(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestCheckTimestamp(t *testing.T) {
	now := time.Date(2024, time.June, 15, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in string
		ok bool
	}{
		{"Sat Jun 15 12:00:00 UTC 2024", true},
		{"Sat Jun 15 12:04:59 UTC 2024", true},
		{"Sat Jun 15 11:55:00 UTC 2024", true},
		{"Sat Jun 15 12:05:01 UTC 2024", false},
		{"Sat Jun 15 11:54:59 UTC 2024", false},
		{"Sat Jun 15 12:00:00 UTC 2023", false},
		{"not a time", false},
	}
	for _, tc := range tests {
		if err := CheckTimestamp(tc.in, now, 5*time.Minute); tc.ok != (err == nil) {
			t.Errorf("CheckTimestamp(%q) = %v, want ok=%v", tc.in, err, tc.ok)
		}
	}
}

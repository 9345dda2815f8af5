package api

import (
	"math"
	"strconv"
	"time"
)

// Timestamp is a point in time that AWS JSON 1.1 carries as epoch seconds,
// with milliseconds as a fraction.
type Timestamp time.Time

// NewTimestamp returns a pointer to t as a Timestamp as the wire carries it:
// milliseconds, UTC, no monotonic reading (so a value equals its decoded copy).
func NewTimestamp(t time.Time) *Timestamp {
	ts := Timestamp(t.Round(0).Truncate(time.Millisecond).UTC())
	return &ts
}

func (t Timestamp) Time() time.Time { return time.Time(t) }

func (t Timestamp) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	return strconv.AppendFloat(nil, float64(ms)/1000, 'f', -1, 64), nil
}

func (t *Timestamp) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return Serialization("Expected a number of epoch seconds for a timestamp")
	}
	// Milliseconds are what the wire carries; rounding undoes the binary
	// fraction (1700000000.123 is 1700000000.12299990654 as a float64).
	*t = Timestamp(time.UnixMilli(int64(math.Round(f * 1000))).UTC())
	return nil
}

package api

import "context"

type contextT = context.Context

// String returns a pointer to s, for building shapes.
func String(s string) *string { return &s }

// Int32 returns a pointer to n.
func Int32(n int32) *int32 { return &n }

// Bool returns a pointer to b.
func Bool(b bool) *bool { return &b }

// ToString returns *s, or "" for nil.
func ToString(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// ToInt32 returns *n, or 0 for nil.
func ToInt32(n *int32) int32 {
	if n == nil {
		return 0
	}
	return *n
}

// ToBool returns *b, or false for nil.
func ToBool(b *bool) bool {
	if b == nil {
		return false
	}
	return *b
}

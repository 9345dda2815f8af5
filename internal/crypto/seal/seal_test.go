package seal

import (
	"bytes"
	"crypto/rand"
	"testing"
)

func TestSealRoundTrip(t *testing.T) {
	b, err := New([]byte("0123456789abcdef-test-key"), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := New([]byte("another key of enough length"), rand.Reader)
	s, err := b.Seal([]byte("secret"), "client:abc")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		box    *Box
		sealed string
		ad     string
		ok     bool
	}{
		{"same key and context", b, s, "client:abc", true},
		{"other context", b, s, "client:xyz", false},
		{"other key", other, s, "client:abc", false},
		{"damaged", b, s[:len(s)-2] + "AA", "client:abc", false},
		{"not sealed", b, "secret", "client:abc", false},
		{"empty", b, "", "client:abc", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.box.Open(tc.sealed, tc.ad)
			if tc.ok != (err == nil) {
				t.Fatalf("Open error = %v, want ok=%v", err, tc.ok)
			}
			if tc.ok && string(got) != "secret" {
				t.Fatalf("Open = %q", got)
			}
		})
	}
	if _, err := New([]byte("short"), rand.Reader); err == nil {
		t.Fatal("a short key was accepted")
	}
}

// Derive gives the same key for the same operator key and label, in any
// process, and different keys for other labels or operator keys.
func TestDerive(t *testing.T) {
	a1, _ := New([]byte("operator key number one"), rand.Reader)
	a2, _ := New([]byte("operator key number one"), rand.Reader)
	b, _ := New([]byte("operator key number two"), rand.Reader)
	if !bytes.Equal(a1.Derive("x"), a2.Derive("x")) {
		t.Error("the same key and label derive different keys")
	}
	if bytes.Equal(a1.Derive("x"), a1.Derive("y")) || bytes.Equal(a1.Derive("x"), b.Derive("x")) {
		t.Error("another label or key derives the same key")
	}
	if len(a1.Derive("x")) != 32 {
		t.Error("not 32 bytes")
	}
}

// Package seal encrypts the secrets cognitod must be able to read back (client
// secrets, TOTP seeds, private signing keys) with AES-256-GCM under a key the
// operator configures. Every node of a multi-node deployment needs the same key.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
)

// Box seals and opens values. It is safe for concurrent use.
type Box struct {
	aead cipher.AEAD
	rand io.Reader
	// derive keys Derive; it is not the encryption key.
	derive []byte
}

// version prefixes every sealed value so that the format can change later.
const version = "v1:"

// ErrOpen means a sealed value was altered or sealed under another key.
var ErrOpen = errors.New("seal: cannot open value (wrong key or damaged data)")

// New returns a Box keyed by the SHA-256 of key: any secret string of enough
// entropy works as the operator's key. random supplies the nonces.
func New(key []byte, random io.Reader) (*Box, error) {
	if len(key) < 16 {
		return nil, errors.New("seal: the key must be at least 16 bytes")
	}
	k := sha256.Sum256(key)
	block, err := aes.NewCipher(k[:])
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, k[:])
	m.Write([]byte("cognitod derivation key"))
	return &Box{aead: aead, rand: random, derive: m.Sum(nil)}, nil
}

// Derive returns a 32-byte key for label, made from the operator's key: the
// same on every node and across restarts, different for every label, and
// telling nothing of the encryption key.
func (b *Box) Derive(label string) []byte {
	m := hmac.New(sha256.New, b.derive)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// Seal encrypts plaintext; ad binds the result to its context (for example the
// record id), so a sealed value copied elsewhere does not open.
func (b *Box) Seal(plaintext []byte, ad string) (string, error) {
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := io.ReadFull(b.rand, nonce); err != nil {
		return "", err
	}
	out := b.aead.Seal(nonce, nonce, plaintext, []byte(ad))
	return version + base64.RawStdEncoding.EncodeToString(out), nil
}

// Open decrypts what Seal returned for the same ad.
func (b *Box) Open(sealed, ad string) ([]byte, error) {
	if len(sealed) < len(version) || sealed[:len(version)] != version {
		return nil, ErrOpen
	}
	raw, err := base64.RawStdEncoding.DecodeString(sealed[len(version):])
	if err != nil || len(raw) < b.aead.NonceSize() {
		return nil, ErrOpen
	}
	n := b.aead.NonceSize()
	out, err := b.aead.Open(nil, raw[:n], raw[n:], []byte(ad))
	if err != nil {
		return nil, ErrOpen
	}
	return out, nil
}

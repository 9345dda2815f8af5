package idp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"math/big"
	"time"

	"github.com/cognitod/cognitod/internal/api"
)

// signingCertValidity is how long a pool's SAML signing certificate lasts:
// Cognito issues them for ten years.
const signingCertValidity = 10 * 365 * 24 * time.Hour

// signingKeyAD binds a pool's sealed signing key to the pool.
func signingKeyAD(poolID string) string { return "signing-key:" + poolID }

// GetSigningCertificate returns the certificate a pool signs SAML requests
// with: a self-signed X.509 certificate for an RSA-2048 key, made on first
// use and kept in the pool document.
func (s *Service) GetSigningCertificate(ctx context.Context, in *api.GetSigningCertificateRequest) (*api.GetSigningCertificateResponse, error) {
	id := api.ToString(in.UserPoolId)
	p, err := s.getPool(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.SigningCertificate != "" {
		return &api.GetSigningCertificateResponse{Certificate: api.String(p.SigningCertificate)}, nil
	}
	// Make the key outside the compare-and-swap (it is slow and random), then
	// store it only if no one stored one meanwhile: concurrent first callers
	// all end up with the certificate that won.
	cert, sealedKey, err := s.newSigningCertificate(id)
	if err != nil {
		return nil, err
	}
	p, err = s.updatePool(ctx, id, func(p *pool) error {
		if p.SigningCertificate == "" {
			p.SigningCertificate = cert
			p.SigningKey = sealedKey
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &api.GetSigningCertificateResponse{Certificate: api.String(p.SigningCertificate)}, nil
}

// newSigningCertificate makes a key and its certificate: the certificate as
// base64 DER, the key as PKCS#8 PEM sealed for the pool.
func (s *Service) newSigningCertificate(poolID string) (cert, sealedKey string, err error) {
	if s.Seal == nil {
		return "", "", errors.New("idp: no seal configured for signing keys")
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", "", err
	}
	serial, err := rand.Int(s.random(), new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return "", "", err
	}
	now := s.now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{
			CommonName:   poolID,
			Organization: []string{"cognitod"},
		},
		NotBefore:             now.Add(-time.Minute),
		NotAfter:              now.Add(signingCertValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return "", "", err
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", err
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})
	sealedKey, err = s.Seal.Seal(pemBytes, signingKeyAD(poolID))
	if err != nil {
		return "", "", err
	}
	return base64.StdEncoding.EncodeToString(der), sealedKey, nil
}

// signingKey opens a pool's SAML signing key (for the SAML flows).
func (s *Service) signingKey(p *pool) (*rsa.PrivateKey, error) {
	if p.SigningKey == "" || s.Seal == nil {
		return nil, errors.New("idp: the pool has no signing key")
	}
	pemBytes, err := s.Seal.Open(p.SigningKey, signingKeyAD(api.ToString(p.Type.Id)))
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("idp: the signing key is not PEM")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("idp: the signing key is not RSA")
	}
	return rk, nil
}

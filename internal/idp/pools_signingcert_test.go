package idp

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"sync"
	"testing"
	"time"

	"github.com/cognitod/cognitod/internal/api"
)

func TestGetSigningCertificate(t *testing.T) {
	e := newPoolsEnv(t)
	p := e.create(t, nil)
	id := api.ToString(p.Id)

	// Concurrent first callers all get the one certificate that was stored.
	const callers = 4
	certs := make([]string, callers)
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := e.svc.GetSigningCertificate(e.ctx, &api.GetSigningCertificateRequest{UserPoolId: p.Id})
			if err == nil {
				certs[i] = api.ToString(out.Certificate)
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i := range callers {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if certs[i] != certs[0] {
			t.Fatalf("caller %d got another certificate", i)
		}
	}
	again, err := e.svc.GetSigningCertificate(e.ctx, &api.GetSigningCertificateRequest{UserPoolId: p.Id})
	if err != nil || api.ToString(again.Certificate) != certs[0] {
		t.Fatalf("second call: %v", err)
	}

	der, err := base64.StdEncoding.DecodeString(certs[0])
	if err != nil {
		t.Fatalf("certificate is not base64: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok || pub.N.BitLen() != 2048 {
		t.Fatalf("public key %T", cert.PublicKey)
	}
	if cert.Subject.CommonName != id {
		t.Errorf("subject %v", cert.Subject)
	}
	if err := cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature); err != nil {
		t.Errorf("not self-signed: %v", err)
	}
	if d := cert.NotAfter.Sub(e.now); d < 9*365*24*time.Hour {
		t.Errorf("valid for %v only", d)
	}

	// The stored key is sealed for this pool and matches the certificate.
	stored, err := e.svc.getPool(e.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	key, err := e.svc.signingKey(stored)
	if err != nil {
		t.Fatal(err)
	}
	if !key.PublicKey.Equal(pub) {
		t.Error("the stored key is not the certificate's")
	}
	if _, err := e.svc.Seal.Open(stored.SigningKey, "signing-key:another-pool"); err == nil {
		t.Error("the sealed key opens for another pool")
	}

	_, err = e.svc.GetSigningCertificate(e.ctx, &api.GetSigningCertificateRequest{UserPoolId: api.String("eu-west-3_nothere12")})
	wantAPIError(t, err, poolsNotFound, "User pool eu-west-3_nothere12 does not exist.")
}

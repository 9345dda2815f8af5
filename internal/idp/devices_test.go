package idp

import (
	"encoding/base64"
	"fmt"
	"math/big"
	"testing"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/crypto/srp"
)

// Unconfirmed devices beyond maxUnconfirmedDevices go, oldest first;
// confirmed ones stay whatever their number.
func TestAddDevicePrunesUnconfirmed(t *testing.T) {
	var d userDoc
	d.addDevice(storedDevice{Key: "confirmed-0", Verifier: "sealed"})
	for i := range maxUnconfirmedDevices + 3 {
		d.addDevice(storedDevice{Key: fmt.Sprintf("new-%d", i)})
	}
	if d.device("confirmed-0") == nil {
		t.Error("the confirmed device was pruned")
	}
	for i := range 3 {
		if d.device(fmt.Sprintf("new-%d", i)) != nil {
			t.Errorf("new-%d kept", i)
		}
	}
	if d.device(fmt.Sprintf("new-%d", maxUnconfirmedDevices+2)) == nil {
		t.Error("the newest device was pruned")
	}
	if len(d.Devices) != maxUnconfirmedDevices+1 {
		t.Errorf("%d devices, want %d", len(d.Devices), maxUnconfirmedDevices+1)
	}
}

// A verifier must be a group element: 0 or N would let anyone sign in as
// the device.
func TestDecodeDeviceSecret(t *testing.T) {
	b64 := func(n *big.Int) *string { return api.String(base64.StdEncoding.EncodeToString(n.Bytes())) }
	salt := api.String(base64.StdEncoding.EncodeToString([]byte{0x80, 1, 2}))
	good := srp.Verifier("-group", "us-east-1_key", "pw", []byte{0x80, 1, 2})
	for name, tc := range map[string]struct {
		cfg *api.DeviceSecretVerifierConfigType
		ok  bool
	}{
		"good":      {&api.DeviceSecretVerifierConfigType{PasswordVerifier: b64(good), Salt: salt}, true},
		"zero":      {&api.DeviceSecretVerifierConfigType{PasswordVerifier: api.String("AA=="), Salt: salt}, false},
		"N":         {&api.DeviceSecretVerifierConfigType{PasswordVerifier: b64(srp.Prime()), Salt: salt}, false},
		"no salt":   {&api.DeviceSecretVerifierConfigType{PasswordVerifier: b64(good)}, false},
		"not b64":   {&api.DeviceSecretVerifierConfigType{PasswordVerifier: api.String("!!"), Salt: salt}, false},
		"no config": {nil, false},
	} {
		_, v, err := decodeDeviceSecret(tc.cfg)
		if (err == nil) != tc.ok {
			t.Errorf("%s: error %v, want ok %t", name, err, tc.ok)
		}
		if tc.ok && v.Cmp(good) != 0 {
			t.Errorf("%s: verifier changed", name)
		}
	}
}

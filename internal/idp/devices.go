package idp

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/crypto/srp"
	"github.com/cognitod/cognitod/internal/reqctx"
	"github.com/cognitod/cognitod/internal/store"
)

// Remembered devices. In a pool with a DeviceConfiguration, a sign-in that
// does not come from a known device answers NewDeviceMetadata (a device key
// and its group key); the app then registers the device with ConfirmDevice,
// giving an SRP verifier of a random device password it keeps. A remembered
// device later signs in with DEVICE_SRP_AUTH instead of the MFA step
// (devicesrp.go). Devices live in the user's document: a user has few, and
// every operation on them names the user anyway.

// storedDevice is one device of a user (userDoc.Devices).
type storedDevice struct {
	Key      string `json:"k"`
	GroupKey string `json:"g"`
	Name     string `json:"n,omitempty"`
	// Verifier is the sealed salt and SRP verifier ConfirmDevice gave;
	// empty while the device is not confirmed.
	Verifier string `json:"v,omitempty"`
	// Status is "remembered" or "not_remembered" once confirmed.
	Status   string `json:"st,omitempty"`
	Created  int64  `json:"c"` // Unix milliseconds, as the dates below
	Modified int64  `json:"m"`
	LastAuth int64  `json:"a,omitempty"`
	LastIP   string `json:"ip,omitempty"`
}

func (d *storedDevice) confirmed() bool { return d.Verifier != "" }

func (d *storedDevice) remembered() bool {
	return d.confirmed() && d.Status == string(api.DeviceRememberedStatusTypeRemembered)
}

// maxUnconfirmedDevices bounds the devices a user keeps that were handed out
// by a sign-in and never confirmed: back ends that sign in with
// AdminInitiateAuth in a pool that tracks devices get a new one every time,
// and the document must not grow with each. The oldest go first.
const maxUnconfirmedDevices = 10

// device returns the user's device with this key, nil when none.
func (d *userDoc) device(key string) *storedDevice {
	for i := range d.Devices {
		if d.Devices[i].Key == key {
			return &d.Devices[i]
		}
	}
	return nil
}

// addDevice records a new, unconfirmed device, forgetting the oldest
// unconfirmed ones beyond maxUnconfirmedDevices.
func (d *userDoc) addDevice(dev storedDevice) {
	d.Devices = append(d.Devices, dev)
	n := 0
	for i := len(d.Devices) - 1; i >= 0; i-- {
		if d.Devices[i].confirmed() {
			continue
		}
		if n++; n > maxUnconfirmedDevices {
			d.Devices = slices.Delete(d.Devices, i, i+1)
		}
	}
}

// tracksDevices reports whether the pool remembers devices: a
// DeviceConfiguration with either flag on. Both off is the console's "Don't
// remember".
func (p *pool) tracksDevices() bool {
	c := p.Type.DeviceConfiguration
	return c != nil && (api.ToBool(c.ChallengeRequiredOnNewDevice) || api.ToBool(c.DeviceOnlyRememberedOnUserPrompt))
}

// deviceReplacesMFA reports ChallengeRequiredOnNewDevice: a remembered
// device's proof then takes the place of the MFA step.
func (p *pool) deviceReplacesMFA() bool {
	c := p.Type.DeviceConfiguration
	return c != nil && api.ToBool(c.ChallengeRequiredOnNewDevice)
}

// rememberOnPrompt reports DeviceOnlyRememberedOnUserPrompt: a confirmed
// device stays not_remembered until the user says otherwise.
func (p *pool) rememberOnPrompt() bool {
	c := p.Type.DeviceConfiguration
	return c != nil && api.ToBool(c.DeviceOnlyRememberedOnUserPrompt)
}

func errNoDevice() *api.Error { return api.ResourceNotFound("Device does not exist.") }

// newDeviceKeys draws a device key ("<region>_<uuid>", as Cognito's) and a
// group key.
func (s *Service) newDeviceKeys() (key, group string, err error) {
	id, err := s.newSub()
	if err != nil {
		return "", "", err
	}
	group, err = s.randomString("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 9)
	if err != nil {
		return "", "", err
	}
	return s.Config.Region + "_" + id, "-" + group, nil
}

// signInDevice decides the device of a sign-in that is about to get tokens:
// the user's confirmed device named by deviceKey (its last sign-in is
// recorded), or, in a pool that tracks devices, a new unconfirmed one,
// returned as NewDeviceMetadata. The key returned goes into the tokens and
// the session. u is updated in place when the document changes.
func (s *Service) signInDevice(ctx context.Context, g *grant) (*api.NewDeviceMetadataType, error) {
	if !g.p.tracksDevices() {
		return nil, nil
	}
	now := s.now().UnixMilli()
	ip := reqctx.From(ctx).ClientIP
	if g.deviceKey != "" {
		if d := g.u.doc.device(g.deviceKey); d != nil && d.confirmed() {
			key := g.deviceKey
			u, err := s.updateUser(ctx, g.p, g.poolID, g.u.rec.Sub, func(u *user) error {
				if d := u.doc.device(key); d != nil {
					d.LastAuth = now
					if ip != "" {
						d.LastIP = ip
					}
				}
				u.keepModified = true
				return nil
			})
			if err != nil {
				return nil, err
			}
			g.u = u
			return nil, nil
		}
	}
	key, group, err := s.newDeviceKeys()
	if err != nil {
		return nil, err
	}
	u, err := s.updateUser(ctx, g.p, g.poolID, g.u.rec.Sub, func(u *user) error {
		u.doc.addDevice(storedDevice{Key: key, GroupKey: group, Created: now, Modified: now, LastAuth: now, LastIP: ip})
		u.keepModified = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	g.u, g.deviceKey, g.newDevice = u, key, true
	return &api.NewDeviceMetadataType{DeviceKey: api.String(key), DeviceGroupKey: api.String(group)}, nil
}

func deviceAD(poolID, sub, key string) string {
	return "device-verifier:" + poolID + "/" + sub + "/" + key
}

// openDeviceVerifier returns the salt and verifier of a confirmed device.
func (s *Service) openDeviceVerifier(poolID, sub string, d *storedDevice) ([]byte, *big.Int, error) {
	blob, err := s.Seal.Open(d.Verifier, deviceAD(poolID, sub, d.Key))
	if err != nil {
		return nil, nil, fmt.Errorf("device %s of user %s: verifier: %w", d.Key, sub, err)
	}
	var v struct {
		Salt     []byte `json:"s"`
		Verifier []byte `json:"v"`
	}
	if err := json.Unmarshal(blob, &v); err != nil {
		return nil, nil, fmt.Errorf("device %s of user %s: verifier: %w", d.Key, sub, err)
	}
	return v.Salt, new(big.Int).SetBytes(v.Verifier), nil
}

// decodeDeviceSecret reads DeviceSecretVerifierConfig: the verifier and the
// salt, each base64 of big-endian bytes (amazon-cognito-identity-js sends
// the bytes of its hex strings).
func decodeDeviceSecret(c *api.DeviceSecretVerifierConfigType) (salt []byte, v *big.Int, err error) {
	if c == nil || api.ToString(c.PasswordVerifier) == "" || api.ToString(c.Salt) == "" {
		return nil, nil, api.InvalidParameter("DeviceSecretVerifierConfig must have a PasswordVerifier and a Salt.")
	}
	vb, err := base64.StdEncoding.DecodeString(api.ToString(c.PasswordVerifier))
	if err != nil {
		return nil, nil, api.InvalidParameter("Invalid PasswordVerifier: not base64.")
	}
	salt, err = base64.StdEncoding.DecodeString(api.ToString(c.Salt))
	if err != nil || len(salt) == 0 {
		return nil, nil, api.InvalidParameter("Invalid Salt: not base64.")
	}
	v = new(big.Int).SetBytes(vb)
	// A verifier that is not a group element would let anyone sign in
	// as the device (v = 0 makes the shared secret 0).
	if v.Sign() <= 0 || v.Cmp(srp.Prime()) >= 0 {
		return nil, nil, api.InvalidParameter("Invalid PasswordVerifier.")
	}
	return salt, v, nil
}

// ConfirmDevice registers the device a sign-in handed out, with the verifier
// of its device password.
func (s *Service) ConfirmDevice(ctx context.Context, in *api.ConfirmDeviceRequest) (*api.ConfirmDeviceResponse, error) {
	ac, err := s.accessUser(ctx, api.ToString(in.AccessToken))
	if err != nil {
		return nil, err
	}
	key := api.ToString(in.DeviceKey)
	if ac.u.doc.device(key) == nil {
		return nil, errNoDevice()
	}
	salt, v, err := decodeDeviceSecret(in.DeviceSecretVerifierConfig)
	if err != nil {
		return nil, err
	}
	blob, err := json.Marshal(struct {
		Salt     []byte `json:"s"`
		Verifier []byte `json:"v"`
	}{salt, v.Bytes()})
	if err != nil {
		return nil, err
	}
	sealed, err := s.Seal.Seal(blob, deviceAD(ac.poolID, ac.u.rec.Sub, key))
	if err != nil {
		return nil, err
	}
	prompt := ac.p.rememberOnPrompt()
	status := api.DeviceRememberedStatusTypeRemembered
	if prompt {
		status = api.DeviceRememberedStatusTypeNotRemembered
	}
	now := s.now().UnixMilli()
	_, err = s.updateUser(ctx, ac.p, ac.poolID, ac.u.rec.Sub, func(u *user) error {
		d := u.doc.device(key)
		if d == nil {
			return errNoDevice()
		}
		// Confirming again replaces the verifier (an app that lost its
		// device password registers a new one) and keeps the status.
		if !d.confirmed() {
			d.Status = string(status)
		}
		d.Verifier, d.Modified = sealed, now
		if name := api.ToString(in.DeviceName); name != "" {
			d.Name = name
		}
		u.keepModified = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	if ac.claims.DeviceKey == key {
		// The session that was handed the device now holds a confirmed
		// one: forgetting it must end the session's refresh token.
		_, err := s.Store.UpdateSession(ctx, ac.poolID, ac.claims.OriginJti, func(cur store.Session) (store.Session, error) {
			d, err := decodeSessionDoc(cur)
			if err != nil || !d.DeviceNew || d.DeviceKey != key {
				return cur, err
			}
			d.DeviceNew = false
			cur.Doc, err = json.Marshal(d)
			return cur, err
		})
		if err != nil && !isNotFound(err) {
			return nil, err
		}
	}
	return &api.ConfirmDeviceResponse{UserConfirmationNecessary: api.Bool(prompt)}, nil
}

// deviceType is a device as GetDevice and ListDevices answer it.
func deviceType(d *storedDevice) api.DeviceType {
	attrs := []api.AttributeType{
		{Name: api.String("device_status"), Value: api.String("valid")},
		{Name: api.String("dev:device_remembered_status"), Value: api.String(d.Status)},
	}
	if d.Name != "" {
		attrs = append(attrs, api.AttributeType{Name: api.String("device_name"), Value: api.String(d.Name)})
	}
	if d.LastIP != "" {
		attrs = append(attrs, api.AttributeType{Name: api.String("last_ip_used"), Value: api.String(d.LastIP)})
	}
	out := api.DeviceType{
		DeviceKey:              api.String(d.Key),
		DeviceAttributes:       attrs,
		DeviceCreateDate:       api.NewTimestamp(time.UnixMilli(d.Created)),
		DeviceLastModifiedDate: api.NewTimestamp(time.UnixMilli(d.Modified)),
	}
	if d.LastAuth > 0 {
		out.DeviceLastAuthenticatedDate = api.NewTimestamp(time.UnixMilli(d.LastAuth))
	}
	return out
}

// confirmedDevice is the user's confirmed device with this key: devices a
// sign-in handed out and nobody confirmed are not the user's yet.
func confirmedDevice(u *user, key string) (*storedDevice, error) {
	d := u.doc.device(key)
	if d == nil || !d.confirmed() {
		return nil, errNoDevice()
	}
	return d, nil
}

// GetDevice describes a device of the signed-in user.
func (s *Service) GetDevice(ctx context.Context, in *api.GetDeviceRequest) (*api.GetDeviceResponse, error) {
	ac, err := s.checkAccessToken(ctx, api.ToString(in.AccessToken), false)
	if err != nil {
		return nil, err
	}
	d, err := confirmedDevice(ac.u, api.ToString(in.DeviceKey))
	if err != nil {
		return nil, err
	}
	dt := deviceType(d)
	return &api.GetDeviceResponse{Device: &dt}, nil
}

// AdminGetDevice describes a device of a user.
func (s *Service) AdminGetDevice(ctx context.Context, in *api.AdminGetDeviceRequest) (*api.AdminGetDeviceResponse, error) {
	_, u, err := s.namedUser(ctx, api.ToString(in.UserPoolId), api.ToString(in.Username))
	if err != nil {
		return nil, err
	}
	d, err := confirmedDevice(u, api.ToString(in.DeviceKey))
	if err != nil {
		return nil, err
	}
	dt := deviceType(d)
	return &api.AdminGetDeviceResponse{Device: &dt}, nil
}

// defaultDeviceLimit is ListDevices' page size when Limit is not given
// (the model allows 0..60).
const defaultDeviceLimit = 60

// listDevices pages the user's confirmed devices, oldest first. The page
// token is the key of the last device listed, sealed to the user: devices
// forgotten between two pages do not shift the next one.
func (s *Service) listDevices(poolID string, u *user, limit *int32, tok *string) ([]api.DeviceType, *string, error) {
	scope := "devices:" + poolID + "/" + u.rec.Sub
	after, err := s.pageCursor(scope, tok, func() *api.Error {
		return api.InvalidParameter("Invalid pagination token.")
	})
	if err != nil {
		return nil, nil, err
	}
	n := defaultDeviceLimit
	if limit != nil && *limit > 0 {
		n = int(*limit)
	}
	var all []*storedDevice
	for i := range u.doc.Devices {
		if u.doc.Devices[i].confirmed() {
			all = append(all, &u.doc.Devices[i])
		}
	}
	slices.SortStableFunc(all, func(a, b *storedDevice) int {
		return cmp.Or(cmp.Compare(a.Created, b.Created), strings.Compare(a.Key, b.Key))
	})
	start := 0
	if after != "" {
		var createdMS int64
		var key string
		if _, err := fmt.Sscanf(after, "%d/%s", &createdMS, &key); err != nil {
			return nil, nil, api.InvalidParameter("Invalid pagination token.")
		}
		start = len(all)
		for i, d := range all {
			if d.Created > createdMS || d.Created == createdMS && d.Key > key {
				start = i
				break
			}
		}
	}
	out := []api.DeviceType{}
	end := min(start+n, len(all))
	for _, d := range all[start:end] {
		out = append(out, deviceType(d))
	}
	next := ""
	if end < len(all) {
		last := all[end-1]
		next = fmt.Sprintf("%d/%s", last.Created, last.Key)
	}
	pt, err := s.nextPageToken(scope, next)
	return out, pt, err
}

// ListDevices lists the signed-in user's devices.
func (s *Service) ListDevices(ctx context.Context, in *api.ListDevicesRequest) (*api.ListDevicesResponse, error) {
	ac, err := s.checkAccessToken(ctx, api.ToString(in.AccessToken), false)
	if err != nil {
		return nil, err
	}
	devs, next, err := s.listDevices(ac.poolID, ac.u, in.Limit, in.PaginationToken)
	if err != nil {
		return nil, err
	}
	return &api.ListDevicesResponse{Devices: devs, PaginationToken: next}, nil
}

// AdminListDevices lists a user's devices.
func (s *Service) AdminListDevices(ctx context.Context, in *api.AdminListDevicesRequest) (*api.AdminListDevicesResponse, error) {
	poolID := api.ToString(in.UserPoolId)
	_, u, err := s.namedUser(ctx, poolID, api.ToString(in.Username))
	if err != nil {
		return nil, err
	}
	devs, next, err := s.listDevices(poolID, u, in.Limit, in.PaginationToken)
	if err != nil {
		return nil, err
	}
	return &api.AdminListDevicesResponse{Devices: devs, PaginationToken: next}, nil
}

// setDeviceStatus changes whether a device is remembered (the
// DeviceRememberedStatus of UpdateDeviceStatus; none means not_remembered).
func (s *Service) setDeviceStatus(ctx context.Context, p *pool, poolID, sub, key string, status api.DeviceRememberedStatusType) error {
	if status == "" {
		status = api.DeviceRememberedStatusTypeNotRemembered
	}
	now := s.now().UnixMilli()
	_, err := s.updateUser(ctx, p, poolID, sub, func(u *user) error {
		d, err := confirmedDevice(u, key)
		if err != nil {
			return err
		}
		d.Status, d.Modified = string(status), now
		u.keepModified = true
		return nil
	})
	return err
}

// UpdateDeviceStatus remembers or stops remembering a device of the
// signed-in user.
func (s *Service) UpdateDeviceStatus(ctx context.Context, in *api.UpdateDeviceStatusRequest) (*api.UpdateDeviceStatusResponse, error) {
	ac, err := s.accessUser(ctx, api.ToString(in.AccessToken))
	if err != nil {
		return nil, err
	}
	err = s.setDeviceStatus(ctx, ac.p, ac.poolID, ac.u.rec.Sub, api.ToString(in.DeviceKey), in.DeviceRememberedStatus)
	if err != nil {
		return nil, err
	}
	return &api.UpdateDeviceStatusResponse{}, nil
}

// AdminUpdateDeviceStatus is UpdateDeviceStatus for a user named by an
// administrator.
func (s *Service) AdminUpdateDeviceStatus(ctx context.Context, in *api.AdminUpdateDeviceStatusRequest) (*api.AdminUpdateDeviceStatusResponse, error) {
	poolID := api.ToString(in.UserPoolId)
	p, u, err := s.namedUser(ctx, poolID, api.ToString(in.Username))
	if err != nil {
		return nil, err
	}
	if err := s.setDeviceStatus(ctx, p, poolID, u.rec.Sub, api.ToString(in.DeviceKey), in.DeviceRememberedStatus); err != nil {
		return nil, err
	}
	return &api.AdminUpdateDeviceStatusResponse{}, nil
}

// forgetDevice removes a device; the sessions signed in from it lose their
// refresh tokens (refresh.go checks the device is still there).
func (s *Service) forgetDevice(ctx context.Context, p *pool, poolID, sub, key string) error {
	_, err := s.updateUser(ctx, p, poolID, sub, func(u *user) error {
		i := slices.IndexFunc(u.doc.Devices, func(d storedDevice) bool { return d.Key == key })
		if i < 0 {
			return errNoDevice()
		}
		u.doc.Devices = slices.Delete(u.doc.Devices, i, i+1)
		if len(u.doc.Devices) == 0 {
			u.doc.Devices = nil
		}
		u.keepModified = true
		return nil
	})
	return err
}

// ForgetDevice forgets a device of the signed-in user.
func (s *Service) ForgetDevice(ctx context.Context, in *api.ForgetDeviceRequest) error {
	ac, err := s.accessUser(ctx, api.ToString(in.AccessToken))
	if err != nil {
		return err
	}
	key := api.ToString(in.DeviceKey)
	if key == "" {
		// The model leaves DeviceKey optional here: the device is then
		// the one the access token was issued to.
		key = ac.claims.DeviceKey
	}
	return s.forgetDevice(ctx, ac.p, ac.poolID, ac.u.rec.Sub, key)
}

// AdminForgetDevice forgets a device of a user.
func (s *Service) AdminForgetDevice(ctx context.Context, in *api.AdminForgetDeviceRequest) error {
	poolID := api.ToString(in.UserPoolId)
	p, u, err := s.namedUser(ctx, poolID, api.ToString(in.Username))
	if err != nil {
		return err
	}
	return s.forgetDevice(ctx, p, poolID, u.rec.Sub, api.ToString(in.DeviceKey))
}

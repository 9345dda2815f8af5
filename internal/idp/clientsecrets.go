package idp

import (
	"context"
	"slices"
	"strconv"
	"unicode/utf16"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/store"
)

// maxClientSecrets is how many secrets a confidential client holds at once:
// two, so that a new one can be rolled out before the old one is deleted.
const maxClientSecrets = 2

// Bounds of a client secret someone chooses (ClientSecretType).
const (
	minClientSecretLen = 24
	maxClientSecretLen = 64
)

// secretAD binds a sealed secret to its client, so that a sealed value
// copied into another client's document does not open there.
func secretAD(clientID string) string { return "client-secret:" + clientID }

// secretID names a secret as Cognito does: the client id, two dashes, and
// the creation time since the epoch (here in milliseconds).
func secretID(clientID string, ms int64) string {
	return clientID + "--" + strconv.FormatInt(ms, 10)
}

// newStoredSecret seals value for clientID. Its id carries createdMS, moved
// on by a millisecond while an existing secret already has that id.
func (s *Service) newStoredSecret(clientID, value string, createdMS int64, existing []storedSecret) (storedSecret, error) {
	sealed, err := s.Seal.Seal([]byte(value), secretAD(clientID))
	if err != nil {
		return storedSecret{}, err
	}
	sec := storedSecret{Sealed: sealed}
	sec.CreatedMS, sec.ID = uniqueSecretID(clientID, createdMS, existing)
	return sec, nil
}

func uniqueSecretID(clientID string, ms int64, existing []storedSecret) (int64, string) {
	for {
		id := secretID(clientID, ms)
		if !slices.ContainsFunc(existing, func(e storedSecret) bool { return e.ID == id }) {
			return ms, id
		}
		ms++
	}
}

func (s *Service) openSecret(clientID string, sec storedSecret) (string, error) {
	v, err := s.Seal.Open(sec.Sealed, secretAD(clientID))
	if err != nil {
		return "", err
	}
	return string(v), nil
}

// checkClientSecretValue applies ClientSecretType's constraints to a secret
// a caller chose: 24 to 64 word characters or plus signs.
func checkClientSecretValue(v string) error {
	n := len(utf16.Encode([]rune(v)))
	if n < minClientSecretLen || n > maxClientSecretLen {
		return api.InvalidParameter("A client secret must be %d to %d characters long.", minClientSecretLen, maxClientSecretLen)
	}
	for _, r := range v {
		word := r == '_' || r == '+' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !word {
			return api.InvalidParameter("A client secret may hold only letters, digits, underscores and plus signs.")
		}
	}
	return nil
}

func secretDescriptor(sec storedSecret) api.ClientSecretDescriptorType {
	return api.ClientSecretDescriptorType{
		ClientSecretId:         api.String(sec.ID),
		ClientSecretCreateDate: api.NewTimestamp(clientMSTime(sec.CreatedMS)),
	}
}

// AddUserPoolClientSecret gives a confidential client a further secret, the
// caller's or a generated one. A public client (one created without a secret)
// cannot be given one: it would turn confidential under its users' feet.
func (s *Service) AddUserPoolClientSecret(ctx context.Context, in *api.AddUserPoolClientSecretRequest) (*api.AddUserPoolClientSecretResponse, error) {
	poolID, clientID := api.ToString(in.UserPoolId), api.ToString(in.ClientId)
	c, err := s.getClient(ctx, poolID, clientID)
	if err != nil {
		return nil, err
	}
	if !c.HasSecret() {
		return nil, api.InvalidParameter("The app client %s has no client secret; secrets can only be added to a client created with one.", clientID)
	}
	if len(c.doc.Secrets) >= maxClientSecrets {
		return nil, tooManySecrets(clientID)
	}
	value, generated := "", false
	if in.ClientSecret != nil {
		value = *in.ClientSecret
		if err := checkClientSecretValue(value); err != nil {
			return nil, err
		}
		existing, err := s.secretValues(c)
		if err != nil {
			return nil, err
		}
		if slices.Contains(existing, value) {
			return nil, api.InvalidParameter("The app client %s already has this client secret.", clientID)
		}
	} else {
		if value, err = s.newClientSecret(); err != nil {
			return nil, err
		}
		generated = true
	}
	// Seal before the compare-and-swap: the update function may run twice and
	// must not draw randomness.
	sealed, err := s.Seal.Seal([]byte(value), secretAD(clientID))
	if err != nil {
		return nil, err
	}
	nowMS := s.now().UnixMilli()
	var added storedSecret
	_, err = s.Store.UpdateClient(ctx, poolID, clientID, func(rec store.Client) (store.Client, error) {
		d, err := decodeClient(rec)
		if err != nil {
			return rec, err
		}
		if len(d.Secrets) >= maxClientSecrets {
			return rec, tooManySecrets(clientID)
		}
		added = storedSecret{Sealed: sealed}
		added.CreatedMS, added.ID = uniqueSecretID(clientID, nowMS, d.Secrets)
		d.Secrets = append(d.Secrets, added)
		raw, err := encodeClient(d)
		if err != nil {
			return rec, err
		}
		rec.Doc = raw
		return rec, nil
	})
	if isNotFound(err) {
		return nil, clientNotFound(clientID)
	}
	if err != nil {
		return nil, err
	}
	desc := secretDescriptor(added)
	if generated {
		desc.ClientSecretValue = api.String(value)
	}
	return &api.AddUserPoolClientSecretResponse{ClientSecretDescriptor: &desc}, nil
}

func tooManySecrets(clientID string) *api.Error {
	return api.LimitExceeded("The app client %s already has %d client secrets; delete one before adding another.", clientID, maxClientSecrets)
}

// ListUserPoolClientSecrets describes a client's secrets, oldest first,
// without their values. There are never more than fit one page.
func (s *Service) ListUserPoolClientSecrets(ctx context.Context, in *api.ListUserPoolClientSecretsRequest) (*api.ListUserPoolClientSecretsResponse, error) {
	c, err := s.getClient(ctx, api.ToString(in.UserPoolId), api.ToString(in.ClientId))
	if err != nil {
		return nil, err
	}
	if in.NextToken != nil {
		// This operation never hands out a token, so none can be ours.
		return nil, badClientsPageToken()
	}
	out := &api.ListUserPoolClientSecretsResponse{ClientSecrets: make([]api.ClientSecretDescriptorType, 0, len(c.doc.Secrets))}
	for _, sec := range c.doc.Secrets {
		out.ClientSecrets = append(out.ClientSecrets, secretDescriptor(sec))
	}
	return out, nil
}

// DeleteUserPoolClientSecret removes one secret of a client; its last secret
// cannot go. When the primary secret goes, the remaining one becomes the
// ClientSecret that DescribeUserPoolClient reports.
func (s *Service) DeleteUserPoolClientSecret(ctx context.Context, in *api.DeleteUserPoolClientSecretRequest) (*api.DeleteUserPoolClientSecretResponse, error) {
	poolID, clientID := api.ToString(in.UserPoolId), api.ToString(in.ClientId)
	wantID := api.ToString(in.ClientSecretId)
	if _, err := s.getClient(ctx, poolID, clientID); err != nil {
		return nil, err
	}
	_, err := s.Store.UpdateClient(ctx, poolID, clientID, func(rec store.Client) (store.Client, error) {
		d, err := decodeClient(rec)
		if err != nil {
			return rec, err
		}
		i := slices.IndexFunc(d.Secrets, func(e storedSecret) bool { return e.ID == wantID })
		if i < 0 {
			return rec, api.ResourceNotFound("Client secret %s does not exist for the app client %s.", wantID, clientID)
		}
		if len(d.Secrets) == 1 {
			return rec, api.InvalidParameter("The client secret %s is the last secret of the app client %s and cannot be deleted.", wantID, clientID)
		}
		d.Secrets = slices.Delete(d.Secrets, i, i+1)
		raw, err := encodeClient(d)
		if err != nil {
			return rec, err
		}
		rec.Doc = raw
		return rec, nil
	})
	if isNotFound(err) {
		return nil, clientNotFound(clientID)
	}
	if err != nil {
		return nil, err
	}
	return &api.DeleteUserPoolClientSecretResponse{}, nil
}

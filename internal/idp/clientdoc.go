package idp

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/cognitod/cognitod/internal/api"
	"github.com/cognitod/cognitod/internal/store"
)

// clientDoc is the stored document of one app client. It keeps two views of
// the same settings apart, because Cognito keeps them apart:
//
//   - Reported is what DescribeUserPoolClient answers: only the members the
//     request set, plus the few defaults Cognito always echoes (refresh token
//     validity, auth session validity, token revocation, the two booleans).
//   - Effective is how the client behaves: every default filled in, token
//     lifetimes converted to seconds, legacy auth-flow names mapped to the
//     ALLOW_ names they stand for.
//
// Secrets are kept sealed, never in the clear; the first one is the client's
// primary secret, the one DescribeUserPoolClient reports as ClientSecret.
type clientDoc struct {
	// Reported has no ClientId, UserPoolId, ClientSecret or dates: those come
	// from the record and the members below when the client is read.
	Reported  api.UserPoolClientType `json:"reported"`
	Effective clientBehaviour        `json:"effective"`
	Secrets   []storedSecret         `json:"secrets,omitempty"`
	// Dates in epoch milliseconds, so that what Create answers and what a
	// later Describe answers are the same instant to the millisecond.
	CreatedMS  int64 `json:"createdMs"`
	ModifiedMS int64 `json:"modifiedMs"`
}

// clientBehaviour is the settings as sign-in and token issuance apply them.
type clientBehaviour struct {
	AccessTokenSeconds  int64 `json:"accessTokenSeconds"`
	IDTokenSeconds      int64 `json:"idTokenSeconds"`
	RefreshTokenSeconds int64 `json:"refreshTokenSeconds"`
	AuthSessionMinutes  int32 `json:"authSessionMinutes"`
	// AuthFlows holds ALLOW_ names only, legacy names already translated.
	AuthFlows                  []api.ExplicitAuthFlowsType        `json:"authFlows"`
	PreventUserExistenceErrors api.PreventUserExistenceErrorTypes `json:"preventUserExistenceErrors"`
	TokenRevocation            bool                               `json:"tokenRevocation"`
	PropagateUserContextData   bool                               `json:"propagateUserContextData"`
	// OAuth is true when AllowedOAuthFlowsUserPoolClient is: only then do the
	// OAuth flows, scopes and URLs take effect.
	OAuth                   bool  `json:"oauth"`
	RefreshTokenRotation    bool  `json:"refreshTokenRotation"`
	RetryGracePeriodSeconds int32 `json:"retryGracePeriodSeconds"`
}

// storedSecret is one client secret at rest.
type storedSecret struct {
	ID        string `json:"id"`
	Sealed    string `json:"sealed"`
	CreatedMS int64  `json:"createdMs"`
}

func decodeClient(rec store.Client) (*clientDoc, error) {
	var d clientDoc
	if err := json.Unmarshal(rec.Doc, &d); err != nil {
		return nil, fmt.Errorf("app client %s: stored document: %w", rec.ClientID, err)
	}
	return &d, nil
}

func encodeClient(d *clientDoc) ([]byte, error) { return json.Marshal(d) }

func clientMSTime(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// appClient is a loaded app client: its record and its document. Sign-in,
// token and hosted-UI code take one from getClient or findClient and ask it
// the questions below rather than reading the document.
type appClient struct {
	PoolID   string
	ClientID string
	Name     string
	doc      *clientDoc
}

func newAppClient(rec store.Client) (*appClient, error) {
	d, err := decodeClient(rec)
	if err != nil {
		return nil, err
	}
	return &appClient{PoolID: rec.PoolID, ClientID: rec.ClientID, Name: rec.Name, doc: d}, nil
}

// getClient loads a client of a pool, answering Cognito's ResourceNotFound
// for a missing pool or for a client that is missing or in another pool.
func (s *Service) getClient(ctx context.Context, poolID, clientID string) (*appClient, error) {
	rec, err := s.Store.GetClient(ctx, poolID, clientID)
	if isNotFound(err) {
		// Which is missing decides the message.
		if err := s.checkPoolExists(ctx, poolID); err != nil {
			return nil, err
		}
		return nil, clientNotFound(clientID)
	}
	if err != nil {
		return nil, err
	}
	return s.clientView(rec)
}

// findClient loads a client by its id alone, as the public (unsigned)
// operations name it. A missing client is ResourceNotFound; the caller
// decides whether its operation answers that or something else.
func (s *Service) findClient(ctx context.Context, clientID string) (*appClient, error) {
	rec, err := s.Store.FindClient(ctx, clientID)
	if isNotFound(err) {
		return nil, clientNotFound(clientID)
	}
	if err != nil {
		return nil, err
	}
	return s.clientView(rec)
}

// AccessTokenValidity is how long access tokens the client gets stay valid.
func (c *appClient) AccessTokenValidity() time.Duration {
	return time.Duration(c.doc.Effective.AccessTokenSeconds) * time.Second
}

// IDTokenValidity is how long ID tokens the client gets stay valid.
func (c *appClient) IDTokenValidity() time.Duration {
	return time.Duration(c.doc.Effective.IDTokenSeconds) * time.Second
}

// RefreshTokenValidity is how long refresh tokens the client gets stay valid.
func (c *appClient) RefreshTokenValidity() time.Duration {
	return time.Duration(c.doc.Effective.RefreshTokenSeconds) * time.Second
}

// AuthSessionValidity is how long the Session of an authentication flow on
// this client lasts between two challenge answers.
func (c *appClient) AuthSessionValidity() time.Duration {
	return time.Duration(c.doc.Effective.AuthSessionMinutes) * time.Minute
}

// AllowsAuthFlow says whether InitiateAuth / AdminInitiateAuth may run flow
// on this client. Legacy ExplicitAuthFlows names were mapped when the client
// was stored, so ADMIN_NO_SRP_AUTH and ADMIN_USER_PASSWORD_AUTH are both
// covered by ALLOW_ADMIN_USER_PASSWORD_AUTH.
func (c *appClient) AllowsAuthFlow(flow api.AuthFlowType) bool {
	var need api.ExplicitAuthFlowsType
	switch flow {
	case api.AuthFlowTypeUserSrpAuth:
		need = api.ExplicitAuthFlowsTypeAllowUserSrpAuth
	case api.AuthFlowTypeRefreshTokenAuth, api.AuthFlowTypeRefreshToken:
		need = api.ExplicitAuthFlowsTypeAllowRefreshTokenAuth
	case api.AuthFlowTypeCustomAuth:
		need = api.ExplicitAuthFlowsTypeAllowCustomAuth
	case api.AuthFlowTypeAdminNoSrpAuth, api.AuthFlowTypeAdminUserPasswordAuth:
		need = api.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth
	case api.AuthFlowTypeUserPasswordAuth:
		need = api.ExplicitAuthFlowsTypeAllowUserPasswordAuth
	case api.AuthFlowTypeUserAuth:
		need = api.ExplicitAuthFlowsTypeAllowUserAuth
	default:
		return false
	}
	return slices.Contains(c.doc.Effective.AuthFlows, need)
}

// PreventUserExistenceErrors is the effective setting: LEGACY unless the
// client was configured with ENABLED.
func (c *appClient) PreventUserExistenceErrors() api.PreventUserExistenceErrorTypes {
	if c.doc.Effective.PreventUserExistenceErrors == api.PreventUserExistenceErrorTypesEnabled {
		return api.PreventUserExistenceErrorTypesEnabled
	}
	return api.PreventUserExistenceErrorTypesLegacy
}

// HidesUserExistence is PreventUserExistenceErrors() == ENABLED.
func (c *appClient) HidesUserExistence() bool {
	return c.PreventUserExistenceErrors() == api.PreventUserExistenceErrorTypesEnabled
}

// TokenRevocationEnabled says whether RevokeToken works for this client's
// refresh tokens (and access tokens carry an origin_jti).
func (c *appClient) TokenRevocationEnabled() bool { return c.doc.Effective.TokenRevocation }

// PropagatesUserContextData says whether the client may send the caller's
// IP address in UserContextData.
func (c *appClient) PropagatesUserContextData() bool {
	return c.doc.Effective.PropagateUserContextData
}

// HasSecret says whether the client is confidential: every call naming it
// must then carry a SECRET_HASH (or the secret itself on the token endpoint).
func (c *appClient) HasSecret() bool { return len(c.doc.Secrets) > 0 }

// RefreshTokenRotation says whether refreshing issues a new refresh token,
// and how long the replaced one stays usable.
func (c *appClient) RefreshTokenRotation() (enabled bool, grace time.Duration) {
	return c.doc.Effective.RefreshTokenRotation,
		time.Duration(c.doc.Effective.RetryGracePeriodSeconds) * time.Second
}

// OAuthEnabled says whether the OAuth 2.0 endpoints serve this client
// (AllowedOAuthFlowsUserPoolClient).
func (c *appClient) OAuthEnabled() bool { return c.doc.Effective.OAuth }

// AllowsOAuthFlow says whether the client may use the given OAuth grant.
func (c *appClient) AllowsOAuthFlow(flow api.OAuthFlowType) bool {
	return c.OAuthEnabled() && slices.Contains(c.doc.Reported.AllowedOAuthFlows, flow)
}

// AllowsOAuthScope says whether the client may be granted scope.
func (c *appClient) AllowsOAuthScope(scope string) bool {
	return c.OAuthEnabled() && slices.Contains(c.doc.Reported.AllowedOAuthScopes, scope)
}

// AllowsCallbackURL says whether redirect_uri is one of the callback URLs;
// Cognito compares them exactly.
func (c *appClient) AllowsCallbackURL(u string) bool {
	return slices.Contains(c.doc.Reported.CallbackURLs, u)
}

// AllowsLogoutURL says whether logout_uri is one of the sign-out URLs.
func (c *appClient) AllowsLogoutURL(u string) bool {
	return slices.Contains(c.doc.Reported.LogoutURLs, u)
}

// DefaultRedirectURI is the redirect URI used when a request names none.
func (c *appClient) DefaultRedirectURI() string {
	return api.ToString(c.doc.Reported.DefaultRedirectURI)
}

// ReadAttributes lists the attributes the client was limited to reading, or
// nil when it reads the pool's defaults.
func (c *appClient) ReadAttributes() []string { return slices.Clone(c.doc.Reported.ReadAttributes) }

// WriteAttributes lists the attributes the client was limited to writing,
// or nil when it writes the pool's defaults.
func (c *appClient) WriteAttributes() []string {
	return slices.Clone(c.doc.Reported.WriteAttributes)
}

// secretValues opens the client's secrets, primary first. A SECRET_HASH is
// valid when it matches any of them: that is what makes rotation work.
func (s *Service) secretValues(c *appClient) ([]string, error) {
	out := make([]string, 0, len(c.doc.Secrets))
	for _, sec := range c.doc.Secrets {
		v, err := s.openSecret(c.ClientID, sec)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// describe builds the UserPoolClientType that Create, Describe and Update
// answer, with the primary secret opened.
func (s *Service) describe(c *appClient) (*api.UserPoolClientType, error) {
	t := c.doc.Reported
	t.UserPoolId = api.String(c.PoolID)
	t.ClientId = api.String(c.ClientID)
	t.ClientName = api.String(c.Name)
	t.CreationDate = api.NewTimestamp(clientMSTime(c.doc.CreatedMS))
	t.LastModifiedDate = api.NewTimestamp(clientMSTime(c.doc.ModifiedMS))
	t.ClientSecret = nil
	if len(c.doc.Secrets) > 0 {
		v, err := s.openSecret(c.ClientID, c.doc.Secrets[0])
		if err != nil {
			return nil, err
		}
		t.ClientSecret = api.String(v)
	}
	return &t, nil
}

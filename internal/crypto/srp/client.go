package srp

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"time"
)

// clientSecretSize is the size of a client's secret a: 128 bytes, as
// amazon-cognito-identity-js draws it.
const clientSecretSize = 128

// Client is the client side of a sign-in, as amazon-cognito-identity-js does
// it, for tests: NewClient gives A (SRP_A), then Signature or
// RespondPasswordVerifier answer the PASSWORD_VERIFIER challenge.
type Client struct {
	poolName string
	a, bigA  *big.Int
}

// NewClient starts a sign-in to the pool named poolName (PoolName of the pool
// id; the device group key for devices). It reads 128 bytes from random as
// the secret a, read as an unsigned big-endian number, so a fixed reader
// gives a fixed a.
func NewClient(poolName string, random io.Reader) (*Client, error) {
	buf := make([]byte, clientSecretSize)
	if _, err := io.ReadFull(random, buf); err != nil {
		return nil, err
	}
	a := new(big.Int).SetBytes(buf)
	if a.Sign() == 0 {
		return nil, errors.New("srp: the random source gave a zero secret")
	}
	return &Client{poolName: poolName, a: a, bigA: new(big.Int).Exp(groupG, a, groupN)}, nil
}

// A returns a copy of the client's public value.
func (c *Client) A() *big.Int { return new(big.Int).Set(c.bigA) }

// AHex returns A as the SRP_A parameter: lower-case hex, unpadded, as the
// JavaScript library sends it.
func (c *Client) AHex() string { return c.bigA.Text(16) }

// Key derives the session key K from the server's B and the user's salt and
// password. It refuses a B that is zero mod N, and a zero u.
func (c *Client) Key(userIDForSRP, password string, salt []byte, B *big.Int) ([]byte, error) {
	if B == nil || B.Sign() < 0 || new(big.Int).Mod(B, groupN).Sign() == 0 {
		return nil, ErrPublicValue
	}
	u := scramble(c.bigA, B)
	if u.Sign() == 0 {
		return nil, ErrPublicValue
	}
	x := privateKey(c.poolName, userIDForSRP, password, salt)
	// S = (B − k·g^x)^(a + u·x) mod N
	base := new(big.Int).Exp(groupG, x, groupN)
	base.Mul(base, groupK).Sub(B, base).Mod(base, groupN)
	exp := new(big.Int).Mul(u, x)
	exp.Add(exp, c.a)
	S := new(big.Int).Exp(base, exp, groupN)
	return sessionKey(S, u), nil
}

// Signature is the PASSWORD_CLAIM_SIGNATURE (base64) for the challenge's
// B, salt and secret block (decoded), at the given TIMESTAMP text.
func (c *Client) Signature(userIDForSRP, password string, salt []byte, B *big.Int, secretBlock []byte, timestamp string) (string, error) {
	key, err := c.Key(userIDForSRP, password, salt, B)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(claim(key, c.poolName, userIDForSRP, secretBlock, timestamp)), nil
}

// RespondPasswordVerifier answers a PASSWORD_VERIFIER challenge the way
// amazon-cognito-identity-js does: from the challenge parameters (SRP_B, SALT,
// SECRET_BLOCK, USER_ID_FOR_SRP) it returns the challenge responses USERNAME
// (the USER_ID_FOR_SRP), PASSWORD_CLAIM_SECRET_BLOCK, PASSWORD_CLAIM_SIGNATURE
// and TIMESTAMP (now, formatted by FormatTimestamp).
func (c *Client) RespondPasswordVerifier(params map[string]string, password string, now time.Time) (map[string]string, error) {
	for _, name := range []string{"SRP_B", "SALT", "SECRET_BLOCK", "USER_ID_FOR_SRP"} {
		if params[name] == "" {
			return nil, fmt.Errorf("srp: the challenge has no %s", name)
		}
	}
	B, err := ParseHex(params["SRP_B"])
	if err != nil {
		return nil, fmt.Errorf("srp: SRP_B: %w", err)
	}
	salt, err := ParseHex(params["SALT"])
	if err != nil {
		return nil, fmt.Errorf("srp: SALT: %w", err)
	}
	block, err := base64.StdEncoding.DecodeString(params["SECRET_BLOCK"])
	if err != nil {
		return nil, fmt.Errorf("srp: SECRET_BLOCK: %w", err)
	}
	user := params["USER_ID_FOR_SRP"]
	ts := FormatTimestamp(now)
	sig, err := c.Signature(user, password, salt.Bytes(), B, block, ts)
	if err != nil {
		return nil, err
	}
	return map[string]string{
		"USERNAME":                    user,
		"PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"],
		"PASSWORD_CLAIM_SIGNATURE":    sig,
		"TIMESTAMP":                   ts,
	}, nil
}

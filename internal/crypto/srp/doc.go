// Package srp is the Secure Remote Password protocol (SRP-6a) in the variant
// that Amazon Cognito user pools speak in the USER_SRP_AUTH and
// DEVICE_SRP_AUTH flows: the server side that cognitod runs, and a Go client
// for tests. It is pure: no storage, no HTTP, randomness comes in as an
// io.Reader and time as a value.
//
// The variant, as amazon-cognito-identity-js (AuthenticationHelper,
// CognitoUser, DateHelper) computes it and so as every Cognito client does:
//
//	N, g      the 3072-bit group of RFC 5054 (the RFC 3526 MODP prime), g = 2
//	H         SHA-256
//	PAD(n)    the minimal two's-complement big-endian bytes of n, the way
//	          Java's BigInteger.toByteArray gives them: a leading 0x00 when
//	          the top bit is set, 0x00 for zero (PadHex is its hex form)
//	k         H(PAD(N) | PAD(g))
//	x         H(PAD(salt) | H(poolName | userIDForSRP | ":" | password)),
//	          salt read as an unsigned integer, so leading zero bytes drop
//	v         g^x mod N                  (the verifier the server stores)
//	A         g^a mod N, a = 128 random bytes (client)
//	B         (k·v + g^b) mod N          (server)
//	u         H(PAD(A) | PAD(B)), refused when zero
//	S         (A·v^u)^b mod N = (B − k·g^x)^(a + u·x) mod N
//	K         HKDF-SHA256(ikm = PAD(S), salt = PAD(u),
//	          info = "Caldera Derived Key", 16 bytes)
//	signature base64(HMAC-SHA256(K, poolName | userIDForSRP |
//	          secretBlock | timestamp))
//
// poolName is the part of the pool id after the underscore ("us-east-1_AbC"
// gives "AbC"; see PoolName), userIDForSRP the USER_ID_FOR_SRP challenge
// parameter, secretBlock the decoded SECRET_BLOCK and timestamp the TIMESTAMP
// response, in the form "Mon Jan 2 15:04:05 UTC 2006" (FormatTimestamp).
// For devices the same computation runs with the device group key in place of
// poolName and the device key in place of userIDForSRP.
//
// A server keeps a ServerSession between InitiateAuth (which sends B) and
// RespondToAuthChallenge (which checks the signature), possibly on another
// node: MarshalBinary and RestoreServerSession carry its state (b and B).
// That state is secret: a holder of b and the stored verifier can forge a
// sign-in, so it travels sealed or stays server-side.
//
// The arithmetic is math/big, which is not constant-time; the signature
// comparison is.
package srp

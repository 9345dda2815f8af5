// jwt-verify.js — verifies cognitod's tokens with aws-jwt-verify, the library
// AWS publishes for checking Cognito JWTs, the way an app does: the key set
// is supplied (cacheJwks, as an app that cannot reach cognito-idp.*.amazonaws.com
// would), everything else is the library's own checks (signature, kid, alg,
// expiry, issuer, token_use, client id, groups, scope).
//
// Input (stdin, JSON):
//   {"checks": [{
//     "verifier": "cognito" | "generic",  // CognitoJwtVerifier or JwtVerifier
//     "userPoolId": "...",                 // cognito
//     "issuer": "...", "jwksUri": "...",   // generic (the issuer is checked)
//     "tokenUse": "id" | "access", "clientId": "...",
//     "groups": "admins",                  // optional, cognito only
//     "jwks": {"keys": [...]},
//     "token": "..."}]}
// Output (stdout, JSON):
//   {"library": {"name", "version"}, "results": [{"ok": true, "payload": {...}}
//                                              | {"ok": false, "error": "Name: message"}]}
"use strict";

const { CognitoJwtVerifier, JwtVerifier } = require("aws-jwt-verify");
const path = require("path");
// The package's exports hide its package.json; read it from disk for the version.
const pkg = require(path.join(__dirname, "node_modules", "aws-jwt-verify", "package.json"));

async function check(c) {
  let verifier;
  if (c.verifier === "cognito") {
    const props = { userPoolId: c.userPoolId, tokenUse: c.tokenUse, clientId: c.clientId };
    if (c.groups) props.groups = c.groups;
    verifier = CognitoJwtVerifier.create(props);
    verifier.cacheJwks(c.jwks);
  } else {
    verifier = JwtVerifier.create({
      issuer: c.issuer,
      jwksUri: c.jwksUri,
      audience: c.tokenUse === "id" ? c.clientId : null,
    });
    verifier.cacheJwks(c.jwks);
  }
  try {
    const payload = await verifier.verify(c.token);
    return { ok: true, payload };
  } catch (err) {
    // The library's errors are classes whose name property stays "Error".
    return { ok: false, error: `${err.constructor.name}: ${err.message}` };
  }
}

async function main() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const input = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  const results = [];
  for (const c of input.checks) results.push(await check(c));
  process.stdout.write(JSON.stringify({ library: { name: pkg.name, version: pkg.version }, results }) + "\n");
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + "\n");
  process.exit(1);
});

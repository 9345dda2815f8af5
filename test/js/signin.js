#!/usr/bin/env node
// signin.js signs users in against a running cognitod with the real
// amazon-cognito-identity-js (the library under Amplify's Cognito sign-in):
// CognitoUser.authenticateUser, which runs USER_SRP_AUTH (InitiateAuth, then
// the PASSWORD_VERIFIER answer), over HTTP to the endpoint given. The Go test
// e2e/js_signin_test.go creates the pools and users and checks the output.
//
// Environment:
//   COGNITOD_ENDPOINT  the cognitod URL, e.g. http://127.0.0.1:9229 (required)
//   SIGNIN_CASES       a JSON array of cases (required), each:
//     name             a label, echoed in the output
//     poolId, clientId the user pool and its app client
//     username         what the user signs in with (username, alias, e-mail)
//     password         the password to sign in with
//     newPassword      when set, the sign-in must ask for a new password
//                      (NEW_PASSWORD_REQUIRED); the library's
//                      completeNewPasswordChallenge answers with this one,
//                      then the user signs in again with it
//     expectError      when set, the sign-in must fail with this error code
//                      (e.g. NotAuthorizedException)
//
// Output: one JSON object per case on its own line:
//   { name, ok, error?: {code, message}, tokens?: {idToken, accessToken,
//     refreshToken}, id?: payload, access?: payload, attributes?: {…},
//     newPasswordChallenge?: {userAttributes, requiredAttributes},
//     signInAgain?: bool, problems: [strings] }
// ok is true when the case went as expected and every check the script makes
// on the session passed; problems lists what did not. The exit status is 0
// when the script ran (whatever the cases' results), 1 when it could not.
'use strict';

const lib = require('amazon-cognito-identity-js');

function fail(msg) {
	process.stderr.write(`signin.js: ${msg}\n`);
	process.exit(1);
}

const endpoint = process.env.COGNITOD_ENDPOINT;
if (!endpoint) {
	fail('COGNITOD_ENDPOINT is not set');
}
let cases;
try {
	cases = JSON.parse(process.env.SIGNIN_CASES || '');
} catch (e) {
	fail(`SIGNIN_CASES is not a JSON array: ${e.message}`);
}

// errorOf keeps what an app would look at in the library's error.
function errorOf(err) {
	if (!err) {
		return { code: '', message: 'no error object' };
	}
	return { code: err.code || err.name || '', message: err.message || String(err) };
}

// authenticate runs authenticateUser and resolves with what happened: the
// session, a new-password request (with the user and the callbacks' data),
// or an error. Any other challenge is an error for these tests.
function authenticate(c, password) {
	const pool = new lib.CognitoUserPool({ UserPoolId: c.poolId, ClientId: c.clientId, endpoint });
	const user = new lib.CognitoUser({ Username: c.username, Pool: pool });
	const details = new lib.AuthenticationDetails({ Username: c.username, Password: password });
	return new Promise(resolve => {
		const other = name => () => resolve({ user, error: { code: 'UnexpectedChallenge', message: name } });
		user.authenticateUser(details, {
			onSuccess: session => resolve({ user, session }),
			onFailure: err => resolve({ user, error: errorOf(err) }),
			newPasswordRequired: (userAttributes, requiredAttributes) =>
				resolve({ user, newPassword: { userAttributes, requiredAttributes } }),
			mfaRequired: other('SMS_MFA'),
			totpRequired: other('SOFTWARE_TOKEN_MFA'),
			customChallenge: other('CUSTOM_CHALLENGE'),
			selectMFAType: other('SELECT_MFA_TYPE'),
			mfaSetup: other('MFA_SETUP'),
		});
	});
}

function completeNewPassword(user, newPassword) {
	return new Promise(resolve => {
		user.completeNewPasswordChallenge(newPassword, {}, {
			onSuccess: session => resolve({ session }),
			onFailure: err => resolve({ error: errorOf(err) }),
			mfaRequired: () => resolve({ error: { code: 'UnexpectedChallenge', message: 'SMS_MFA' } }),
			totpRequired: () => resolve({ error: { code: 'UnexpectedChallenge', message: 'SOFTWARE_TOKEN_MFA' } }),
		});
	});
}

// attributesOf reads the user's attributes with the session's access token
// (GetUser), as an app does after signing in.
function attributesOf(user) {
	return new Promise(resolve => {
		user.getUserAttributes((err, attrs) => {
			if (err) {
				resolve({ error: errorOf(err) });
				return;
			}
			const out = {};
			for (const a of attrs) {
				out[a.getName()] = a.getValue();
			}
			resolve({ attributes: out });
		});
	});
}

// checkSession checks what the library made of the tokens, and reports them.
async function checkSession(c, user, session, res) {
	const problems = res.problems;
	if (!session || !session.isValid()) {
		problems.push('the session is not valid');
		return;
	}
	const id = session.getIdToken();
	const access = session.getAccessToken();
	const refresh = session.getRefreshToken();
	res.tokens = { idToken: id.getJwtToken(), accessToken: access.getJwtToken(), refreshToken: refresh.getToken() };
	res.id = id.decodePayload();
	res.access = access.decodePayload();
	if (res.id.token_use !== 'id') problems.push(`ID token token_use ${res.id.token_use}`);
	if (res.access.token_use !== 'access') problems.push(`access token token_use ${res.access.token_use}`);
	if (res.id.aud !== c.clientId) problems.push(`ID token aud ${res.id.aud}, want ${c.clientId}`);
	if (res.access.client_id !== c.clientId) problems.push(`access token client_id ${res.access.client_id}`);
	if (!res.tokens.refreshToken) problems.push('no refresh token');
	// The library signs the user in under USER_ID_FOR_SRP: the username the
	// tokens name.
	if (user.getUsername() !== res.id['cognito:username']) {
		problems.push(`library username ${user.getUsername()}, ID token cognito:username ${res.id['cognito:username']}`);
	}
	if (res.access.username !== res.id['cognito:username']) {
		problems.push(`access token username ${res.access.username}, ID token ${res.id['cognito:username']}`);
	}
	const now = Math.floor(Date.now() / 1000);
	if (!(id.getExpiration() > now && access.getExpiration() > now)) problems.push('tokens already expired');
	if (Math.abs(id.getIssuedAt() - now) > 300) problems.push(`ID token iat ${id.getIssuedAt()} is not now (${now})`);
	const got = await attributesOf(user);
	if (got.error) {
		problems.push(`getUserAttributes: ${got.error.code}: ${got.error.message}`);
	} else {
		res.attributes = got.attributes;
		if (got.attributes.sub !== res.id.sub) problems.push(`GetUser sub ${got.attributes.sub}, ID token sub ${res.id.sub}`);
	}
}

async function runCase(c) {
	const res = { name: c.name, ok: false, problems: [] };
	const first = await authenticate(c, c.password);
	if (c.expectError) {
		if (!first.error) {
			res.problems.push(`signed in, want ${c.expectError}`);
		} else {
			res.error = first.error;
			if (first.error.code !== c.expectError) res.problems.push(`error ${first.error.code}, want ${c.expectError}`);
		}
	} else if (c.newPassword) {
		if (!first.newPassword) {
			res.problems.push(`no new-password request: ${JSON.stringify(first.error || 'signed in')}`);
		} else {
			res.newPasswordChallenge = first.newPassword;
			const done = await completeNewPassword(first.user, c.newPassword);
			if (done.error) {
				res.error = done.error;
				res.problems.push(`completeNewPasswordChallenge: ${done.error.code}: ${done.error.message}`);
			} else {
				await checkSession(c, first.user, done.session, res);
				// The new password is the user's from now on.
				const again = await authenticate(c, c.newPassword);
				res.signInAgain = !!again.session;
				if (!again.session) res.problems.push(`sign-in with the new password: ${JSON.stringify(again.error || again.newPassword)}`);
			}
		}
	} else if (first.error) {
		res.error = first.error;
		res.problems.push(`sign-in failed: ${first.error.code}: ${first.error.message}`);
	} else if (first.newPassword) {
		res.problems.push('asked for a new password');
	} else {
		await checkSession(c, first.user, first.session, res);
	}
	res.ok = res.problems.length === 0;
	return res;
}

async function main() {
	if (!Array.isArray(cases)) {
		fail('SIGNIN_CASES is not a JSON array');
	}
	for (const c of cases) {
		process.stdout.write(JSON.stringify(await runCase(c)) + '\n');
	}
}

main().catch(err => fail(err && err.stack ? err.stack : String(err)));

#!/usr/bin/env node
// mfa.js drives multi-factor sign-in against a running cognitod with the real
// amazon-cognito-identity-js, as Amplify apps use it: authenticateUser
// (USER_SRP_AUTH) and the callbacks it hands challenges to (mfaRequired,
// totpRequired, selectMFAType), sendMFACode, sendMFASelectionAnswer,
// associateSoftwareToken, verifySoftwareToken and setUserMfaPreference. The
// Go test e2e/js_mfa_test.go creates the pools and users and checks the
// output.
//
// SMS codes are read from cognitod's outbox (GET /_cognitod/messages, kind
// MFA_CODE), as a developer reads them instead of a phone. TOTP codes are
// computed here (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps) from the
// SecretCode and the real clock.
//
// Environment:
//   COGNITOD_ENDPOINT  the cognitod URL, e.g. http://127.0.0.1:9229 (required)
//   MFA_CASES          a JSON array of cases (required), each:
//     name             a label, echoed in the output
//     kind             what to do:
//       sms            sign in → mfaRequired → the outbox's code → sendMFACode
//       smsWrongCode   as sms, but a wrong code first (onFailure with
//                      CodeMismatchException), then the right one
//       totp           sign in (no MFA) → associateSoftwareToken →
//                      verifySoftwareToken → setUserMfaPreference (TOTP
//                      preferred) → sign in → totpRequired → the code used at
//                      verification again (refused: no replay) → a fresh code
//                      → sendMFACode(…, 'SOFTWARE_TOKEN_MFA')
//       select         sign in (no MFA) → TOTP set up as above →
//                      setUserMfaPreference (SMS and TOTP enabled, neither
//                      preferred) → sign in → selectMFAType →
//                      sendMFASelectionAnswer('SMS_MFA') → mfaRequired → the
//                      outbox's code → sendMFACode; then again choosing
//                      SOFTWARE_TOKEN_MFA → totpRequired → sendMFACode
//       mfaSetup       sign in (the pool requires MFA, the user has none) →
//                      mfaSetup → associateSoftwareToken (with the Session)
//                      → verifySoftwareToken (the library then answers
//                      MFA_SETUP: a session) → sign in → totpRequired →
//                      sendMFACode(…, 'SOFTWARE_TOKEN_MFA')
//       device         (a pool that tracks devices) sign in → mfaRequired →
//                      sendMFACode (the library confirms the new device) →
//                      setDeviceStatusRemembered, getDevice, listDevices →
//                      sign in again: DEVICE_SRP_AUTH, no MFA → forgetDevice
//                      → sign in: mfaRequired again
//     poolId, clientId the user pool and its app client
//     username         what the user signs in with
//     password         the user's password
//
// Output: one JSON object per case on its own line:
//   { name, ok, steps: [ {step, …what the library handed over} ],
//     sessions: [ {accessToken, idToken, refreshToken, id, access} ],
//     errors: [ {step, code, message} ], secretCode?, userData?,
//     device?: {key, groupKey, userConfirmationNecessary, get, list},
//     problems: [strings] }
// ok is true when the case went as expected; problems lists what did not.
// The exit status is 0 when the script ran (whatever the cases' results), 1
// when it could not.
'use strict';

const crypto = require('crypto');
const lib = require('amazon-cognito-identity-js');

function fail(msg) {
	process.stderr.write(`mfa.js: ${msg}\n`);
	process.exit(1);
}

const endpoint = process.env.COGNITOD_ENDPOINT;
if (!endpoint) {
	fail('COGNITOD_ENDPOINT is not set');
}
let cases;
try {
	cases = JSON.parse(process.env.MFA_CASES || '');
} catch (e) {
	fail(`MFA_CASES is not a JSON array: ${e.message}`);
}

function errorOf(err) {
	if (!err) {
		return { code: '', message: 'no error object' };
	}
	return { code: err.code || err.name || '', message: err.message || String(err) };
}

// ---- TOTP (RFC 6238 over RFC 4226) ----

const STEP_SECONDS = 30;

function base32Decode(s) {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
	let bits = 0;
	let value = 0;
	const out = [];
	for (const ch of s.replace(/=+$/, '').toUpperCase()) {
		const i = alphabet.indexOf(ch);
		if (i < 0) throw new Error(`SecretCode is not base32: ${JSON.stringify(ch)}`);
		value = (value << 5) | i;
		bits += 5;
		if (bits >= 8) {
			out.push((value >>> (bits - 8)) & 0xff);
			bits -= 8;
		}
	}
	return Buffer.from(out);
}

function totpAt(secret, step) {
	const msg = Buffer.alloc(8);
	msg.writeBigUInt64BE(BigInt(step));
	const mac = crypto.createHmac('sha1', base32Decode(secret)).update(msg).digest();
	const off = mac[mac.length - 1] & 0x0f;
	const n = (mac.readUInt32BE(off) & 0x7fffffff) % 1000000;
	return String(n).padStart(6, '0');
}

function stepNow() {
	return Math.floor(Date.now() / 1000 / STEP_SECONDS);
}

// nextTOTP is the code an authenticator app shows next after the code of
// step last was used: the current step's code when the clock has moved past
// last, else the next step's, which the server accepts as one step of skew
// (rather than waiting up to 30 s for the clock to get there).
function nextTOTP(secret, last) {
	const step = Math.max(stepNow(), last + 1);
	return { step, code: totpAt(secret, step) };
}

// A self-check against RFC 6238's SHA-1 vectors (the 20-byte ASCII seed
// "12345678901234567890"; 8 digits there, the last 6 here).
{
	const seed = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
	for (const [t, want] of [[59, '287082'], [1111111109, '081804'], [1234567890, '005924'], [2000000000, '279037']]) {
		const got = totpAt(seed, Math.floor(t / STEP_SECONDS));
		if (got !== want) fail(`TOTP self-check at ${t}: ${got}, want ${want}`);
	}
}

// ---- the outbox ----

async function outbox(c, after) {
	const q = new URLSearchParams({ userPoolId: c.poolId, username: c.username, after: String(after) });
	const res = await fetch(`${endpoint}/_cognitod/messages?${q}`);
	const body = await res.json();
	if (!res.ok) throw new Error(`GET /_cognitod/messages: ${res.status} ${JSON.stringify(body)}`);
	return body.messages;
}

async function lastSeq(c) {
	let seq = 0;
	for (;;) {
		const msgs = await outbox(c, seq);
		if (msgs.length === 0) return seq;
		seq = msgs[msgs.length - 1].seq;
	}
}

// smsCode is the newest MFA_CODE message sent after seq.
async function smsCode(c, after) {
	const msgs = (await outbox(c, after)).filter(m => m.kind === 'MFA_CODE');
	if (msgs.length === 0) throw new Error(`no MFA_CODE message to ${c.username} after seq ${after}`);
	return msgs[msgs.length - 1];
}

function otherCode(code) {
	return code.split('').map(d => String((Number(d) + 1) % 10)).join('');
}

// ---- the library, promised ----

// The callbacks of authenticateUser and of the challenge answers: each
// resolves with {kind, …what the library handed over}.
function callbacks(user, resolve) {
	return {
		onSuccess: (session, userConfirmationNecessary) => resolve({ kind: 'session', user, session, userConfirmationNecessary }),
		onFailure: err => resolve({ kind: 'error', user, error: errorOf(err) }),
		newPasswordRequired: () => resolve({ kind: 'NEW_PASSWORD_REQUIRED', user }),
		mfaRequired: (challengeName, challengeParameters) => resolve({ kind: 'mfaRequired', user, challengeName, challengeParameters }),
		totpRequired: (challengeName, challengeParameters) => resolve({ kind: 'totpRequired', user, challengeName, challengeParameters }),
		selectMFAType: (challengeName, challengeParameters) => resolve({ kind: 'selectMFAType', user, challengeName, challengeParameters }),
		mfaSetup: (challengeName, challengeParameters) => resolve({ kind: 'mfaSetup', user, challengeName, challengeParameters }),
		customChallenge: challengeParameters => resolve({ kind: 'customChallenge', user, challengeParameters }),
	};
}

function signIn(c) {
	const pool = new lib.CognitoUserPool({ UserPoolId: c.poolId, ClientId: c.clientId, endpoint });
	const user = new lib.CognitoUser({ Username: c.username, Pool: pool });
	const details = new lib.AuthenticationDetails({ Username: c.username, Password: c.password });
	return new Promise(resolve => user.authenticateUser(details, callbacks(user, resolve)));
}

function sendMFACode(user, code, mfaType) {
	return new Promise(resolve => user.sendMFACode(code, callbacks(user, resolve), mfaType));
}

function sendMFASelectionAnswer(user, answer) {
	return new Promise(resolve => user.sendMFASelectionAnswer(answer, callbacks(user, resolve)));
}

function associateSoftwareToken(user) {
	return new Promise(resolve => user.associateSoftwareToken({
		associateSecretCode: secretCode => resolve({ kind: 'associateSecretCode', secretCode }),
		onFailure: err => resolve({ kind: 'error', error: errorOf(err) }),
	}));
}

function verifySoftwareToken(user, code, friendlyName) {
	return new Promise(resolve => user.verifySoftwareToken(code, friendlyName, {
		onSuccess: data => resolve({ kind: 'verified', data }),
		onFailure: err => resolve({ kind: 'error', error: errorOf(err) }),
	}));
}

function setUserMfaPreference(user, sms, totp) {
	return new Promise(resolve => user.setUserMfaPreference(sms, totp, (err, result) =>
		resolve(err ? { kind: 'error', error: errorOf(err) } : { kind: 'preference', result })));
}

function getUserData(user) {
	return new Promise(resolve => user.getUserData((err, data) =>
		resolve(err ? { kind: 'error', error: errorOf(err) } : { kind: 'userData', data }), { bypassCache: true }));
}

// ---- the cases ----

class Run {
	constructor(c) {
		this.c = c;
		this.res = { name: c.name, ok: false, steps: [], sessions: [], errors: [], problems: [] };
	}

	// want records a step's outcome and checks it is of the kind expected;
	// a step of another kind ends the case (thrown, caught in runCase).
	want(step, got, kind) {
		const rec = { step, kind: got.kind };
		if (got.challengeName !== undefined) rec.challengeName = got.challengeName;
		if (got.challengeParameters !== undefined) rec.challengeParameters = got.challengeParameters;
		if (got.error) {
			rec.error = got.error;
			this.res.errors.push({ step, ...got.error });
		}
		this.res.steps.push(rec);
		if (got.kind !== kind) {
			throw new Error(`${step}: ${got.kind}${got.error ? ` ${got.error.code}: ${got.error.message}` : ''}, want ${kind}`);
		}
		if (got.kind === 'session') this.session(step, got.user, got.session);
		return got;
	}

	session(step, user, session) {
		const problems = this.res.problems;
		if (!session || !session.isValid()) {
			problems.push(`${step}: the session is not valid`);
			return;
		}
		const id = session.getIdToken();
		const access = session.getAccessToken();
		const s = {
			step,
			idToken: id.getJwtToken(),
			accessToken: access.getJwtToken(),
			refreshToken: session.getRefreshToken().getToken(),
			id: id.decodePayload(),
			access: access.decodePayload(),
		};
		this.res.sessions.push(s);
		if (s.id.token_use !== 'id' || s.access.token_use !== 'access') problems.push(`${step}: token_use ${s.id.token_use}/${s.access.token_use}`);
		if (s.id.aud !== this.c.clientId || s.access.client_id !== this.c.clientId) problems.push(`${step}: aud ${s.id.aud}, client_id ${s.access.client_id}`);
		if (!s.refreshToken) problems.push(`${step}: no refresh token`);
		if (user.getUsername() !== s.id['cognito:username']) problems.push(`${step}: library username ${user.getUsername()}, token ${s.id['cognito:username']}`);
	}

	// sms answers an mfaRequired with the code from the outbox.
	async answerSMS(step, got, after) {
		const m = await smsCode(this.c, after);
		this.res.steps.push({ step: `${step}: outbox`, kind: 'message', medium: m.medium, destination: m.destination, body: m.body });
		return this.want(step, await sendMFACode(got.user, m.code), 'session');
	}

	// setUpTOTP signs in (no MFA yet), associates and verifies a software
	// token, and returns the secret and the step of the code used.
	async setUpTOTP() {
		const first = this.want('sign-in before MFA', await signIn(this.c), 'session');
		const assoc = this.want('associateSoftwareToken', await associateSoftwareToken(first.user), 'associateSecretCode');
		this.res.secretCode = assoc.secretCode;
		const { step, code } = nextTOTP(assoc.secretCode, -1);
		const ver = this.want('verifySoftwareToken', await verifySoftwareToken(first.user, code, 'My authenticator'), 'verified');
		this.res.steps[this.res.steps.length - 1].data = ver.data;
		if (!ver.data || ver.data.Status !== 'SUCCESS') this.res.problems.push(`verifySoftwareToken answered ${JSON.stringify(ver.data)}`);
		return { user: first.user, secret: assoc.secretCode, step, code };
	}

	async sms() {
		const after = await lastSeq(this.c);
		const got = this.want('sign-in', await signIn(this.c), 'mfaRequired');
		await this.answerSMS('sendMFACode', got, after);
	}

	async smsWrongCode() {
		const after = await lastSeq(this.c);
		const got = this.want('sign-in', await signIn(this.c), 'mfaRequired');
		const m = await smsCode(this.c, after);
		this.res.steps.push({ step: 'outbox', kind: 'message', medium: m.medium, destination: m.destination, body: m.body });
		const bad = this.want('sendMFACode (wrong code)', await sendMFACode(got.user, otherCode(m.code)), 'error');
		if (bad.error.code !== 'CodeMismatchException') this.res.problems.push(`wrong code: ${bad.error.code}, want CodeMismatchException`);
		this.want('sendMFACode (right code)', await sendMFACode(got.user, m.code), 'session');
	}

	async totp() {
		const t = await this.setUpTOTP();
		const pref = this.want('setUserMfaPreference', await setUserMfaPreference(t.user, null, { PreferredMfa: true, Enabled: true }), 'preference');
		if (pref.result !== 'SUCCESS') this.res.problems.push(`setUserMfaPreference: ${pref.result}`);
		const data = this.want('getUserData', await getUserData(t.user), 'userData').data;
		this.res.userData = { PreferredMfaSetting: data.PreferredMfaSetting, UserMFASettingList: data.UserMFASettingList };
		const got = this.want('sign-in with MFA', await signIn(this.c), 'totpRequired');
		// The code that verified the token is spent.
		this.want('sendMFACode (replayed code)', await sendMFACode(got.user, t.code, 'SOFTWARE_TOKEN_MFA'), 'error');
		const next = nextTOTP(t.secret, t.step);
		this.want('sendMFACode', await sendMFACode(got.user, next.code, 'SOFTWARE_TOKEN_MFA'), 'session');
	}

	async select() {
		const t = await this.setUpTOTP();
		this.want('setUserMfaPreference', await setUserMfaPreference(t.user,
			{ PreferredMfa: false, Enabled: true }, { PreferredMfa: false, Enabled: true }), 'preference');
		let after = await lastSeq(this.c);
		let got = this.want('sign-in (choose SMS)', await signIn(this.c), 'selectMFAType');
		got = this.want('sendMFASelectionAnswer SMS_MFA', await sendMFASelectionAnswer(got.user, 'SMS_MFA'), 'mfaRequired');
		await this.answerSMS('sendMFACode (SMS)', got, after);

		after = await lastSeq(this.c);
		got = this.want('sign-in (choose TOTP)', await signIn(this.c), 'selectMFAType');
		got = this.want('sendMFASelectionAnswer SOFTWARE_TOKEN_MFA', await sendMFASelectionAnswer(got.user, 'SOFTWARE_TOKEN_MFA'), 'totpRequired');
		const next = nextTOTP(t.secret, t.step);
		this.want('sendMFACode (TOTP)', await sendMFACode(got.user, next.code, 'SOFTWARE_TOKEN_MFA'), 'session');
		if ((await outbox(this.c, after)).some(m => m.kind === 'MFA_CODE')) this.res.problems.push('an SMS code was sent though TOTP was chosen');
	}

	async mfaSetup() {
		const got = this.want('sign-in', await signIn(this.c), 'mfaSetup');
		const assoc = this.want('associateSoftwareToken', await associateSoftwareToken(got.user), 'associateSecretCode');
		this.res.secretCode = assoc.secretCode;
		const first = nextTOTP(assoc.secretCode, -1);
		// With the challenge's Session the library verifies, then answers
		// MFA_SETUP itself and hands over the session.
		const v = this.want('verifySoftwareToken', await verifySoftwareToken(got.user, first.code, 'My authenticator'), 'verified');
		this.session('verifySoftwareToken', got.user, v.data);
		const next = nextTOTP(assoc.secretCode, first.step);
		const again = this.want('sign-in with MFA', await signIn(this.c), 'totpRequired');
		this.want('sendMFACode', await sendMFACode(again.user, next.code, 'SOFTWARE_TOKEN_MFA'), 'session');
	}

	async device() {
		let after = await lastSeq(this.c);
		let got = this.want('sign-in', await signIn(this.c), 'mfaRequired');
		const done = await this.answerSMS('sendMFACode', got, after);
		// The library confirmed the device the sign-in handed out
		// (ConfirmDevice) before calling onSuccess.
		const user = done.user;
		this.res.device = { key: user.deviceKey, groupKey: user.deviceGroupKey, userConfirmationNecessary: done.userConfirmationNecessary };
		if (!user.deviceKey) throw new Error('the library has no device key after the sign-in');
		const rem = this.want('setDeviceStatusRemembered', await deviceCall(user, 'setDeviceStatusRemembered'), 'ok');
		if (rem.data !== 'SUCCESS') this.res.problems.push(`setDeviceStatusRemembered: ${JSON.stringify(rem.data)}`);
		this.res.device.get = this.want('getDevice', await deviceCall(user, 'getDevice'), 'ok').data;
		this.res.device.list = this.want('listDevices', await deviceCall(user, 'listDevices', 10, null), 'ok').data;

		// A remembered device skips MFA: DEVICE_SRP_AUTH, answered by the
		// library from the device key and password it keeps.
		after = await lastSeq(this.c);
		got = this.want('sign-in on the remembered device', await signIn(this.c), 'session');
		if ((await outbox(this.c, after)).some(m => m.kind === 'MFA_CODE')) this.res.problems.push('an SMS code was sent to a remembered device');
		if (got.user.deviceKey !== user.deviceKey) this.res.problems.push(`device key ${got.user.deviceKey} on the second sign-in, want ${user.deviceKey}`);

		// Forgotten, the device no longer skips MFA.
		this.want('forgetDevice', await deviceCall(got.user, 'forgetDevice'), 'ok');
		after = await lastSeq(this.c);
		got = this.want('sign-in after forgetDevice', await signIn(this.c), 'mfaRequired');
		await this.answerSMS('sendMFACode after forgetDevice', got, after);
	}
}

// deviceCall runs one of the library's device methods, which take
// {onSuccess, onFailure} last.
function deviceCall(user, method, ...args) {
	return new Promise(resolve => user[method](...args, {
		onSuccess: data => resolve({ kind: 'ok', data }),
		onFailure: err => resolve({ kind: 'error', error: errorOf(err) }),
	}));
}

async function runCase(c) {
	const run = new Run(c);
	const kinds = { sms: 'sms', smsWrongCode: 'smsWrongCode', totp: 'totp', select: 'select', mfaSetup: 'mfaSetup', device: 'device' };
	try {
		if (!kinds[c.kind]) throw new Error(`unknown kind ${c.kind}`);
		await run[kinds[c.kind]]();
	} catch (e) {
		run.res.problems.push(e.message);
	}
	run.res.ok = run.res.problems.length === 0;
	return run.res;
}

async function main() {
	if (!Array.isArray(cases)) {
		fail('MFA_CASES is not a JSON array');
	}
	for (const c of cases) {
		process.stdout.write(JSON.stringify(await runCase(c)) + '\n');
	}
}

main().catch(err => fail(err && err.stack ? err.stack : String(err)));

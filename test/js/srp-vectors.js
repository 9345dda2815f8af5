#!/usr/bin/env node
// srp-vectors.js asks the real amazon-cognito-identity-js (the library that
// Amplify's Cognito clients are built on) what it computes for the SRP
// sign-in, so that internal/crypto/srp can be checked against it.
//
// It reads one JSON object on stdin and prints one JSON object on stdout.
//
// Input (every member optional unless said):
//   poolId        user pool id, "region_name" (required)
//   clientId      app client id (default "testclient")
//   username      what the user signs in with (required)
//   password      the password the library signs with (required)
//   challenge     what the server answers InitiateAuth with:
//                 { SRP_B, SALT, SECRET_BLOCK, USER_ID_FOR_SRP } (required
//                 for signIns and helper)
//   signIns       list of { smallA?: hex, now?: epoch ms }: each runs the
//                 library's CognitoUser.authenticateUser against a stubbed
//                 transport that answers InitiateAuth with the challenge and
//                 records the RespondToAuthChallenge request. smallA fixes
//                 the library's secret a, now fixes its clock; without them
//                 the library uses its own randomness and the real time.
//   helper        { smallA: hex }: AuthenticationHelper alone, for A, u and
//                 the HKDF key with that a.
//   padHex        list of signed hex numbers ("-ec", "80"): padHex of each.
//   dates         list of epoch ms: DateHelper.getNowString at each.
//   device        { groupKey, key }: generateHashDevice's salt, verifier
//                 and random password.
//
// Output: { library, N, g, k, padHex, dates, signIns, helper, device }, each
// present when asked for; numbers in the library's own hex.
'use strict';

const fs = require('fs');
const path = require('path');
const lib = require('amazon-cognito-identity-js');
// The library's own BigInteger (the one its classes use); it is not exported
// from the package root.
const BigInteger = require('amazon-cognito-identity-js/lib/BigInteger').default;

const RealDate = Date;

// withClock runs fn with `new Date()` (and Date.now) fixed at ms.
function withClock(ms, fn) {
	if (ms === undefined || ms === null) {
		return fn();
	}
	class FixedDate extends RealDate {
		constructor(...args) {
			if (args.length === 0) {
				super(ms);
			} else {
				super(...args);
			}
		}
		static now() {
			return ms;
		}
	}
	globalThis.Date = FixedDate;
	try {
		return fn();
	} finally {
		globalThis.Date = RealDate;
	}
}

// withSmallA makes every AuthenticationHelper created inside fn draw a as
// the given hex instead of random bytes.
function withSmallA(hex, fn) {
	if (!hex) {
		return fn();
	}
	const proto = lib.AuthenticationHelper.prototype;
	const original = proto.generateRandomSmallA;
	proto.generateRandomSmallA = () => new BigInteger(hex, 16);
	try {
		return fn();
	} finally {
		proto.generateRandomSmallA = original;
	}
}

// signIn runs CognitoUser.authenticateUser against a transport that answers
// InitiateAuth with the challenge and stops at RespondToAuthChallenge,
// returning both requests.
function signIn(input, run) {
	return new Promise((resolve, reject) => {
		const pool = new lib.CognitoUserPool({
			UserPoolId: input.poolId,
			ClientId: input.clientId || 'testclient',
		});
		const seen = {};
		pool.client.request = (operation, params, callback) => {
			if (operation === 'InitiateAuth') {
				seen.initiateAuth = params;
				callback(null, {
					ChallengeName: 'PASSWORD_VERIFIER',
					ChallengeParameters: Object.assign({ USERNAME: input.username }, input.challenge),
					Session: 'session-token',
				});
				return;
			}
			if (operation === 'RespondToAuthChallenge') {
				seen.respondToAuthChallenge = params;
				// Stop here: the signature is what the test wants.
				callback({ code: 'NotAuthorizedException', name: 'NotAuthorizedException', message: 'stop' }, null);
				return;
			}
			callback(new Error(`unexpected operation ${operation}`), null);
		};
		const user = new lib.CognitoUser({ Username: input.username, Pool: pool });
		const details = new lib.AuthenticationDetails({ Username: input.username, Password: input.password });
		const done = () => {
			if (!seen.respondToAuthChallenge) {
				reject(new Error('the library never answered the challenge'));
				return;
			}
			resolve({
				initiateAuth: seen.initiateAuth,
				respondToAuthChallenge: seen.respondToAuthChallenge,
			});
		};
		withSmallA(run.smallA, () =>
			withClock(run.now, () =>
				user.authenticateUser(details, {
					onSuccess: done,
					onFailure: err => (err && err.message === 'stop' ? done() : reject(err)),
					newPasswordRequired: done,
					mfaRequired: done,
					totpRequired: done,
					customChallenge: done,
					selectMFAType: done,
					mfaSetup: done,
				})
			)
		);
	});
}

// helperKey asks AuthenticationHelper alone for A, u and the HKDF key.
function helperKey(input, smallA) {
	return new Promise((resolve, reject) => {
		const poolName = input.poolId.split('_')[1];
		withSmallA(smallA, () => {
			const helper = new lib.AuthenticationHelper(poolName);
			helper.getLargeAValue((err, A) => {
				if (err) {
					reject(err);
					return;
				}
				const B = new BigInteger(input.challenge.SRP_B, 16);
				const salt = new BigInteger(input.challenge.SALT, 16);
				helper.getPasswordAuthenticationKey(
					input.challenge.USER_ID_FOR_SRP,
					input.password,
					B,
					salt,
					(err2, hkdf) => {
						if (err2) {
							reject(err2);
							return;
						}
						resolve({
							A: A.toString(16),
							u: helper.UValue.toString(16),
							key: Buffer.from(hkdf).toString('hex'),
						});
					}
				);
			});
		});
	});
}

function deviceVerifier(device) {
	return new Promise((resolve, reject) => {
		const helper = new lib.AuthenticationHelper('unused');
		helper.generateHashDevice(device.groupKey, device.key, err => {
			if (err) {
				reject(err);
				return;
			}
			resolve({
				salt: helper.getSaltDevices(),
				verifier: helper.getVerifierDevices(),
				password: helper.getRandomPassword(),
			});
		});
	});
}

async function main() {
	const input = JSON.parse(fs.readFileSync(0, 'utf8'));
	const pkg = JSON.parse(
		fs.readFileSync(path.join(path.dirname(require.resolve('amazon-cognito-identity-js')), '..', 'package.json'), 'utf8')
	);
	const out = { library: { name: pkg.name, version: pkg.version } };

	const group = new lib.AuthenticationHelper('unused');
	out.N = group.N.toString(16);
	out.g = group.g.toString(16);
	out.k = group.k.toString(16);

	if (input.padHex) {
		out.padHex = input.padHex.map(h => group.padHex(new BigInteger(h, 16)));
	}
	if (input.dates) {
		out.dates = input.dates.map(ms => withClock(ms, () => new lib.DateHelper().getNowString()));
	}
	if (input.signIns) {
		out.signIns = [];
		for (const run of input.signIns) {
			out.signIns.push(await signIn(input, run));
		}
	}
	if (input.helper) {
		out.helper = await helperKey(input, input.helper.smallA);
	}
	if (input.device) {
		out.device = await deviceVerifier(input.device);
	}
	process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch(err => {
	process.stderr.write(`srp-vectors: ${err && err.stack ? err.stack : err}\n`);
	process.exit(1);
});

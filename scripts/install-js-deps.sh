#!/usr/bin/env bash
# Installs the Node packages of test/js (amazon-cognito-identity-js, pinned in
# test/js/package.json and package-lock.json), which the cross-implementation
# tests run through node. Idempotent: it installs only when node_modules is
# missing or was installed from another package.json / package-lock.json.
# Exits non-zero when node or npm is missing and cannot be installed, or when
# the install fails. `make test` (and so CI) runs it through make deps.
set -euo pipefail
cd "$(dirname "$0")/../test/js"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
		echo "installing Node.js (Debian packages nodejs, npm)"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
	else
		echo "install-js-deps: node and npm are needed for test/js; install Node.js (nodejs, npm)" >&2
		exit 1
	fi
fi

# The stamp records what node_modules was installed from.
stamp=node_modules/.cognitod-install-stamp
want=$(cat package.json package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1)
if [ -d node_modules ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
	exit 0
fi

echo "installing test/js packages (npm, $(node --version))"
if [ -f package-lock.json ]; then
	npm ci --no-audit --no-fund --loglevel=error
else
	npm install --no-audit --no-fund --loglevel=error
	want=$(cat package.json package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1)
fi
echo "$want" >"$stamp"

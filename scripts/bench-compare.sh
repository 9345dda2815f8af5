#!/usr/bin/env bash
# Runs the e2e benchmarks (e2e/bench_test.go, through aws-sdk-go-v2 over
# loopback) against cognitod, moto and cognito-local, each as its own process,
# one after the other, and prints the figures side by side.
#
#   scripts/bench-compare.sh             # BENCHTIME=3s by default
#   BENCHTIME=10s scripts/bench-compare.sh
#   BENCH='ListUsersFilter' BENCH_USERS=1000 scripts/bench-compare.sh
#
# BENCH (a -test.bench pattern) leaves out BenchmarkListUsersFilter by
# default: its pool of BENCH_USERS users (10,000 by default) takes minutes to
# create on moto and hours on cognito-local, whose file store saves the whole
# pool on every new user.
#
# Needs: Go; moto_server (pip package moto[server]) for moto; Node.js and npm
# for cognito-local (installed here into .bench-tools/ on first use). A server
# that cannot be started is skipped with a message.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
BENCHTIME=${BENCHTIME:-3s}
BENCH=${BENCH:-'DescribeUserPool|CreateUserPoolClient|AdminGetUser|AdminCreateUser'}
tools=$root/.bench-tools
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

wait_port() {
	for _ in $(seq 1 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
		sleep 0.2
	done
	return 1
}

go build -o "$work/cognitod" ./cmd/cognitod
go test -c -o "$work/e2e.test" ./e2e

run_bench() {
	local name=$1 endpoint=$2
	echo "== $name ($endpoint)"
	BENCH_ENDPOINT=$endpoint "$work/e2e.test" -test.run '^$' -test.bench "$BENCH" -test.benchtime "$BENCHTIME" -test.benchmem |
		grep -E '^Benchmark' | sed "s/^/$name /" | tee -a "$work/results.txt" || true
}

"$work/cognitod" --addr 127.0.0.1:19229 --data "$work/cognitod-data" >"$work/cognitod.log" 2>&1 &
pids+=($!)
wait_port 19229 && run_bench cognitod http://127.0.0.1:19229

if command -v moto_server >/dev/null 2>&1; then
	moto_server -H 127.0.0.1 -p 15000 >"$work/moto.log" 2>&1 &
	pids+=($!)
	wait_port 15000 && run_bench moto http://127.0.0.1:15000
else
	echo "== moto: moto_server not found, skipped"
fi

if command -v npm >/dev/null 2>&1; then
	if [ ! -f "$tools/node_modules/cognito-local/lib/bin/start.js" ]; then
		npm install --prefix "$tools" --no-audit --no-fund --silent cognito-local@5.3.0
	fi
	(cd "$work" && PORT=19339 HOST=127.0.0.1 exec node "$tools/node_modules/cognito-local/lib/bin/start.js" >"$work/cognito-local.log" 2>&1) &
	pids+=($!)
	wait_port 19339 && run_bench cognito-local http://127.0.0.1:19339
else
	echo "== cognito-local: npm not found, skipped"
fi

echo
echo "== side by side (ns/op: lower is better)"
sort -k2,2 -k1,1 "$work/results.txt" | awk '{printf "%-14s %-40s %12s ns/op\n", $1, $2, $4}'

#!/usr/bin/env bash
# Runs the README's own commands as a reader would, on this checkout (after `npm ci`), and checks what
# they print: the quick start with the original example's values, curl and curl -I, the local gate
# runner's listing, and short runs of both benchmarks. Prints "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

passed=0
failed=0
check() {
  local name=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
    echo "PASS ${name}"
  else
    failed=$((failed + 1))
    echo "FAIL ${name}"
  fi
}

port=$((20000 + RANDOM % 20000))
log=$(mktemp)
trap 'rm -f "${log}"' EXIT

# README, "The endpoint": APP_VERSION=1.0 DESCRIPTION="PI technical example" LAST_COMMIT_SHA=abc57858585 npm start
# In a process group of its own (setsid), stopped as a whole below, as Ctrl-C stops it in a terminal: a
# signal to npm alone ends npm and the shell it started, and left the service running with no parent.
PORT=${port} APP_VERSION=1.0 DESCRIPTION="PI technical example" LAST_COMMIT_SHA=abc57858585 \
  setsid npm start >"${log}" 2>&1 &
server=$!
for _ in $(seq 1 300); do
  curl -sf "http://localhost:${port}/healthcheck" >/dev/null 2>&1 && break
  sleep 0.1
done
expected='{"myapplication":[{"version":"1.0","description":"PI technical example","lastcommitsha":"abc57858585"}]}'
check "npm start serves the contract (curl)" \
  test "$(curl -s "http://localhost:${port}/healthcheck")" = "${expected}"
check "curl -I shows HTTP/1.1 200 OK" \
  bash -c "curl -sI 'http://localhost:${port}/healthcheck' | head -n 1 | grep -q '^HTTP/1.1 200 OK'"
kill -TERM -- "-${server}" 2>/dev/null
wait "${server}" 2>/dev/null
check "npm start logs JSON lines" grep -q '"msg":"listening"' "${log}"
# Nothing of it is left: no process in its group, nothing listening on its port.
for _ in $(seq 1 50); do
  pgrep -g "${server}" >/dev/null || break
  sleep 0.1
done
check "the service stops with npm start (no process left behind)" bash -c "! pgrep -g '${server}' >/dev/null && ! curl -s 'http://localhost:${port}/healthcheck' >/dev/null"

check "npm run gates -- --list" bash -c 'npm run --silent gates -- --list | grep -q eslint'
check "npm run init-template -- --help" bash -c 'npm run --silent init-template -- --help | grep -q -- --registry'
check "deploy/cloudrun.sh --help" bash -c 'deploy/cloudrun.sh --help 2>&1 | grep -qi usage'
check "deploy/beanstalk.sh --help" bash -c 'deploy/beanstalk.sh --help 2>&1 | grep -qi usage'

# Short benchmark runs: they prove the commands work; the figures in bench/RESULTS.md come from full runs.
bench_copy=$(mktemp)
cp bench/RESULTS.md "${bench_copy}"
check "npm run bench (short run)" env BENCH_DURATION=1 BENCH_ROUNDS=1 BENCH_COLD_RUNS=3 BENCH_SOAK_REQUESTS=5000 \
  npm run --silent bench
cp "${bench_copy}" bench/RESULTS.md
rm -f "${bench_copy}"
check "npm run bench:hooks (short run)" npm run --silent bench:hooks -- 2

echo "${passed} passed, ${failed} failed"
[ "${failed}" -eq 0 ]

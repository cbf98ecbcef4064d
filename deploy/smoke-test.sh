#!/usr/bin/env bash
# Checks that a deployed service answers GET <url>/healthcheck with 200 and reports the expected commit,
# so a deploy that left the old revision serving (or serves someone else's build) fails.
set -euo pipefail

# shellcheck source=deploy/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'EOF'
Usage: deploy/smoke-test.sh <url> <expected-commit-sha>

  <url>                  base URL of the service, http(s)://host[:port][/path]
  <expected-commit-sha>  7 to 40 hex digits; /healthcheck's lastcommitsha must equal it
                         (or start with it, when it is abbreviated)

Environment:
  SMOKE_TEST_BEARER_TOKEN   sent as "Authorization: Bearer …" (a private Cloud Run service)
  SMOKE_TEST_RETRIES        curl retries on connection errors, timeouts, 408/429/5xx (default 6)
  SMOKE_TEST_RETRY_DELAY    seconds between retries (default 5)

Exit: 0 healthy and right commit, 1 failed, 2 bad arguments.
EOF
}

# A bearer token goes into curl's config on stdin; this character set cannot break out of its quotes.
readonly TOKEN_PATTERN='^[A-Za-z0-9._~+/=-]+$'

[ "$#" -eq 2 ] || usage_error "expected two arguments, got $#"
SMOKE_TEST_URL=$1
EXPECTED_COMMIT=$2
SMOKE_TEST_RETRIES=${SMOKE_TEST_RETRIES:-6}
SMOKE_TEST_RETRY_DELAY=${SMOKE_TEST_RETRY_DELAY:-5}
check SMOKE_TEST_URL '<url>' "${URL_PATTERN}" 'an http(s) URL without query or credentials'
check EXPECTED_COMMIT '<expected-commit-sha>' "${COMMIT_PATTERN}" '7 to 40 hexadecimal digits'
check SMOKE_TEST_RETRIES SMOKE_TEST_RETRIES "${SMALL_NUMBER_PATTERN}" 'a whole number below 1000'
check SMOKE_TEST_RETRY_DELAY SMOKE_TEST_RETRY_DELAY "${SMALL_NUMBER_PATTERN}" 'a whole number of seconds below 1000'
check_optional SMOKE_TEST_BEARER_TOKEN SMOKE_TEST_BEARER_TOKEN "${TOKEN_PATTERN}" 'a bearer token (base64url/JWT characters)'
finish_validation
require_commands curl

if command -v jq >/dev/null 2>&1; then
  json_parser=jq
elif command -v node >/dev/null 2>&1; then
  json_parser=node
else
  log 'neither jq nor node is installed: cannot read the health answer'
  exit 1
fi

health_url="${SMOKE_TEST_URL%/}/healthcheck"
expected=$(lowercase_hex "${EXPECTED_COMMIT}")
workdir=$(mktemp -d)
trap 'rm -rf "${workdir}"' EXIT
body_file="${workdir}/body"
curl_config="${workdir}/curl.config"
: >"${curl_config}"
if [ -n "${SMOKE_TEST_BEARER_TOKEN-}" ]; then
  # In a config file, not on the command line, where any process on the runner could read it.
  printf 'header = "Authorization: Bearer %s"\n' "${SMOKE_TEST_BEARER_TOKEN}" >"${curl_config}"
fi

log "GET ${health_url}"
curl_status=0
# No --location: a redirect is an answer to report, not one to follow. The body is capped: the health
# answer is tiny, and an unbounded read from a misconfigured endpoint would be a cheap denial of service.
http_code=$(curl --config "${curl_config}" \
  --silent --show-error \
  --proto '=http,https' \
  --connect-timeout 5 --max-time 15 \
  --retry "${SMOKE_TEST_RETRIES}" --retry-delay "${SMOKE_TEST_RETRY_DELAY}" --retry-connrefused \
  --max-filesize 65536 \
  --header 'Accept: application/json' \
  --output "${body_file}" --write-out '%{http_code}' \
  "${health_url}") || curl_status=$?

if [ "${curl_status}" -ne 0 ]; then
  log "FAILED: no answer from ${health_url} (curl exit ${curl_status})"
  exit 1
fi
if [ "${http_code}" != 200 ]; then
  log "FAILED: ${health_url} answered HTTP ${http_code}, expected 200"
  exit 1
fi

if [ "${json_parser}" = jq ]; then
  actual=$(jq -r 'if (.myapplication | type) == "array" then (.myapplication[0].lastcommitsha // "") else "" end | tostring' \
    <"${body_file}" 2>/dev/null) || actual=''
else
  actual=$(node -e '
    let text = "";
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (chunk) => (text += chunk));
    process.stdin.on("end", () => {
      try {
        const sha = JSON.parse(text)?.myapplication?.[0]?.lastcommitsha;
        process.stdout.write(typeof sha === "string" ? sha : "");
      } catch {
        process.stdout.write("");
      }
    });' <"${body_file}") || actual=''
fi
actual=$(lowercase_hex "${actual}")

# The answer comes from the network: only a plain hex value is ever written to the log, so a hostile
# endpoint cannot inject workflow commands (`::…::`) or terminal escapes into the run's output.
if ! [[ ${actual} =~ ^[0-9a-f]{7,64}$ ]]; then
  log "FAILED: ${health_url} did not report a lastcommitsha (checked with ${json_parser})"
  exit 1
fi
if [[ ${actual} != "${expected}"* ]]; then
  log "FAILED: ${health_url} reports lastcommitsha ${actual}, expected ${expected}"
  exit 1
fi
log "OK: ${health_url} answers 200 with lastcommitsha ${actual}"

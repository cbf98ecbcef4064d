#!/usr/bin/env bash
# Deploys a signed image to Cloud Run by digest, then smoke-tests the new revision. The image must carry
# a gate-results attestation from this repository's pipeline showing every gate passed; and Cloud Run
# itself admits it only with the Binary Authorization attestation publish made (--binary-authorization).
# Prints the service URL on stdout (everything else goes to stderr).
# The flag variables are assigned by parse_flags (printf -v), which shellcheck cannot follow.
# shellcheck disable=SC2153
set -euo pipefail

# shellcheck source=deploy/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  usage_header release
  cat <<'EOF'
  --project GCP_PROJECT_ID               Google Cloud project id
  --region CLOUDRUN_REGION               Cloud Run region, e.g. europe-west1
  --service CLOUDRUN_SERVICE             Cloud Run service name
  --repository ARTIFACT_REGISTRY_REPOSITORY
                                         optional: Artifact Registry remote repository (in the same region)
                                         that proxies ghcr.io; required when the image is on ghcr.io
  --public CLOUDRUN_PUBLIC               true: --allow-unauthenticated; false (default): --no-allow-unauthenticated

Runtime settings (src/service.json): each setting's value from the environment variable of its name, a
secret's only as a Secret Manager reference in <NAME>_SECRET (secret:version), passed with
--update-env-vars and --update-secrets (deploy/settings.mjs; docs/deploy.md). The container port is
src/service.json's.

The service is deployed with --binary-authorization=default: Cloud Run runs the image only if the
project's Binary Authorization policy admits it (docs/deploy.md, Binary Authorization).

Needs gcloud (authenticated), cosign, curl, node, and jq or node. Exit: 0 deployed and healthy, 1 failed
(Binary Authorization's refusal included), 2 bad arguments (nothing was called), 3 refused: no
gate-results attestation signed by this repository's pipeline for this commit and ref, 4 refused: the
attestation does not show every gate passed for this digest.
EOF
}

readonly CLOUDRUN_SERVICE_PATTERN='^[a-z]([a-z0-9-]{0,47}[a-z0-9])?$'
readonly BOOLEAN_PATTERN='^(true|false)$'
readonly RUN_APP_URL_PATTERN='^https://[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?/?$'
readonly IDENTITY_TOKEN_PATTERN='^[A-Za-z0-9._-]+$'

declare -A FLAGS=([--service]=CLOUDRUN_SERVICE [--public]=CLOUDRUN_PUBLIC)
parse_flags release cloudrun -- "$@"
CLOUDRUN_PUBLIC=${CLOUDRUN_PUBLIC:-false}
RELEASE_REF=${RELEASE_REF:-refs/heads/main}

check_groups release cloudrun
check CLOUDRUN_SERVICE --service "${CLOUDRUN_SERVICE_PATTERN}" 'a service name: lowercase letter first, up to 49 letters, digits, hyphens'
check CLOUDRUN_PUBLIC --public "${BOOLEAN_PATTERN}" 'true or false'
finish_validation
require_commands gcloud cosign node
# Before anything is called: a missing setting the service requires in production, or a secret passed
# as a value, stops the deploy here (exit 2, each named).
settings_output=$(node "${DEPLOY_DIR}/settings.mjs" cloudrun) || exit 2
setting_flags=()
while IFS= read -r flag; do [ -n "${flag}" ] && setting_flags+=("${flag}"); done <<<"${settings_output}"
container_port=$(node "${DEPLOY_DIR}/settings.mjs" port)

verify_release

# Same digest through the pull-through cache: the bytes Cloud Run runs are the bytes cosign verified.
deploy_image=$(release_cloudrun_image)
if [ "${CLOUDRUN_PUBLIC}" = true ]; then
  access_flag=--allow-unauthenticated
else
  access_flag=--no-allow-unauthenticated
fi
commit=$(lowercase_hex "${COMMIT_SHA}")

log "deploying ${deploy_image} to ${CLOUDRUN_SERVICE} in ${GCP_PROJECT_ID}/${CLOUDRUN_REGION}"
# --binary-authorization=default: the checks above are ours, and anyone holding the deploy role could skip
# them by calling gcloud directly; the project's policy is Google's, and refuses a digest that publish did
# not attest (deploy/binauthz-attest.sh) whoever deploys it.
gcloud run deploy "${CLOUDRUN_SERVICE}" \
  --image="${deploy_image}" \
  --project="${GCP_PROJECT_ID}" \
  --region="${CLOUDRUN_REGION}" \
  --platform=managed \
  --binary-authorization=default \
  --port="${container_port}" \
  "${access_flag}" \
  --update-labels="commit-sha=${commit}" \
  "${setting_flags[@]}" \
  --quiet >&2

url=$(gcloud run services describe "${CLOUDRUN_SERVICE}" \
  --project="${GCP_PROJECT_ID}" \
  --region="${CLOUDRUN_REGION}" \
  --platform=managed \
  --format='value(status.url)')
if ! [[ ${url} =~ ${RUN_APP_URL_PATTERN} ]]; then
  log 'FAILED: gcloud did not report an https URL for the service'
  exit 1
fi

if [ "${CLOUDRUN_PUBLIC}" = true ]; then
  "${DEPLOY_DIR}/smoke-test.sh" "${url}" "${commit}"
else
  # A private service answers 403 without an identity token whose audience is the service URL.
  token=$(gcloud auth print-identity-token --audiences="${url}")
  if ! [[ ${token} =~ ${IDENTITY_TOKEN_PATTERN} ]]; then
    log 'FAILED: gcloud did not print an identity token for the smoke test'
    exit 1
  fi
  SMOKE_TEST_BEARER_TOKEN=${token} "${DEPLOY_DIR}/smoke-test.sh" "${url}" "${commit}"
fi
printf '%s\n' "${url}"

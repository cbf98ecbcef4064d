#!/usr/bin/env bash
# Deploys a signed, gate-attested image (every gate passed: see lib.sh) to an Elastic Beanstalk Docker
# environment by digest: a Dockerrun.aws.json (v1) naming the digest, zipped and uploaded to S3,
# registered as an application version, rolled out, waited for, health-checked, then smoke-tested.
# Prints the environment's URL on stdout (the rest on stderr).
# The flag variables are assigned by parse_flags (printf -v), which shellcheck cannot follow.
# shellcheck disable=SC2153
set -euo pipefail

# shellcheck source=deploy/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  usage_header release
  cat <<'EOF'
  --region AWS_REGION                    AWS region, e.g. eu-west-1
  --application EB_APPLICATION           Elastic Beanstalk application name
  --environment EB_ENVIRONMENT           Elastic Beanstalk environment name
  --bucket EB_BUCKET                     S3 bucket for the source bundles
  --url EB_URL                           optional: URL to smoke-test (default http://<environment CNAME>)
  --container-port CONTAINER_PORT        optional: port the service listens on in the container
                                         (default: src/service.json's port)

Runtime settings (src/service.json): each setting's value from the environment variable of its name, a
secret's only as a Secrets Manager or Parameter Store ARN in <NAME>_SECRET, set as environment
properties and environment secrets of the environment (deploy/settings.mjs; docs/deploy.md).

Environment: BEANSTALK_HEALTH_ATTEMPTS (default 30) and BEANSTALK_HEALTH_INTERVAL (seconds, default 10)
bound the wait for Green health after the update.

Needs aws (authenticated), cosign, zip, curl, and jq or node. Exit: 0 deployed and healthy, 1 failed,
2 bad arguments (nothing was called), 3 refused: no gate-results attestation signed by
this repository's pipeline for this commit and ref, 4 refused: the attestation does not show every gate passed for this digest.
EOF
}

readonly AWS_REGION_PATTERN='^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}$'
readonly EB_APPLICATION_PATTERN='^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$'
readonly EB_ENVIRONMENT_PATTERN='^[A-Za-z0-9][A-Za-z0-9-]{2,38}[A-Za-z0-9]$'
readonly S3_BUCKET_PATTERN='^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$'
readonly PORT_PATTERN='^[1-9][0-9]{0,4}$'

declare -A FLAGS=(
  [--region]=AWS_REGION
  [--application]=EB_APPLICATION
  [--environment]=EB_ENVIRONMENT
  [--bucket]=EB_BUCKET
  [--url]=EB_URL
  [--container-port]=CONTAINER_PORT
)
parse_flags release -- "$@"
CONTAINER_PORT=${CONTAINER_PORT:-$(node "${DEPLOY_DIR}/settings.mjs" port)}
BEANSTALK_HEALTH_ATTEMPTS=${BEANSTALK_HEALTH_ATTEMPTS:-30}
BEANSTALK_HEALTH_INTERVAL=${BEANSTALK_HEALTH_INTERVAL:-10}
RELEASE_REF=${RELEASE_REF:-refs/heads/main}

check_groups release
check AWS_REGION --region "${AWS_REGION_PATTERN}" 'a region such as eu-west-1'
check EB_APPLICATION --application "${EB_APPLICATION_PATTERN}" 'up to 100 letters, digits, . _ -'
check EB_ENVIRONMENT --environment "${EB_ENVIRONMENT_PATTERN}" '4-40 letters, digits, hyphens, not starting or ending with one'
check EB_BUCKET --bucket "${S3_BUCKET_PATTERN}" 'an S3 bucket name: 3-63 lowercase letters, digits, dots, hyphens'
if [[ ${EB_BUCKET-} == *..* ]]; then
  VALIDATION_ERRORS+=('malformed --bucket (or EB_BUCKET): an S3 bucket name has no two adjacent dots')
fi
check_optional EB_URL --url "${URL_PATTERN}" 'an http(s) URL without query or credentials'
check CONTAINER_PORT --container-port "${PORT_PATTERN}" 'a port number'
check BEANSTALK_HEALTH_ATTEMPTS BEANSTALK_HEALTH_ATTEMPTS "${SMALL_NUMBER_PATTERN}" 'a whole number below 1000'
check BEANSTALK_HEALTH_INTERVAL BEANSTALK_HEALTH_INTERVAL "${SMALL_NUMBER_PATTERN}" 'a whole number of seconds below 1000'
if [[ ${CONTAINER_PORT} =~ ${PORT_PATTERN} ]] && [ "${CONTAINER_PORT}" -gt 65535 ]; then
  VALIDATION_ERRORS+=('malformed --container-port (or CONTAINER_PORT): a port number')
fi
finish_validation
require_commands aws cosign zip node
# Before anything is called: a missing setting the service requires in production, or a secret passed
# as a value, stops the deploy here (exit 2, each named).
option_settings=$(node "${DEPLOY_DIR}/settings.mjs" beanstalk) || exit 2

verify_release

commit=$(lowercase_hex "${COMMIT_SHA}")
digest_hex=${IMAGE##*@sha256:}
# The label names both the commit (for people) and the digest (for uniqueness): redeploying the same
# image reuses its version instead of failing on a duplicate label.
version_label="${commit:0:12}-${digest_hex:0:16}"
bundle_key="${EB_APPLICATION}/${version_label}.zip"

workdir=$(mktemp -d)
trap 'rm -rf "${workdir}"' EXIT
# "Update": "true" makes Beanstalk pull on deploy; with a digest that pull can only fetch these bytes.
cat >"${workdir}/Dockerrun.aws.json" <<EOF
{
  "AWSEBDockerrunVersion": "1",
  "Image": { "Name": "${IMAGE}", "Update": "true" },
  "Ports": [{ "ContainerPort": "${CONTAINER_PORT}" }]
}
EOF
(cd "${workdir}" && zip -q -X bundle.zip Dockerrun.aws.json)

existing_versions=$(aws elasticbeanstalk describe-application-versions \
  --application-name "${EB_APPLICATION}" \
  --version-labels "${version_label}" \
  --region "${AWS_REGION}" \
  --query 'length(ApplicationVersions)' \
  --output text)
if [ "${existing_versions}" = 0 ]; then
  log "uploading s3://${EB_BUCKET}/${bundle_key}"
  aws s3 cp "${workdir}/bundle.zip" "s3://${EB_BUCKET}/${bundle_key}" \
    --region "${AWS_REGION}" \
    --only-show-errors >&2
  log "creating application version ${version_label}"
  aws elasticbeanstalk create-application-version \
    --application-name "${EB_APPLICATION}" \
    --version-label "${version_label}" \
    --source-bundle "S3Bucket=${EB_BUCKET},S3Key=${bundle_key}" \
    --description "commit ${commit} image sha256:${digest_hex}" \
    --no-auto-create-application \
    --region "${AWS_REGION}" >&2
else
  log "application version ${version_label} exists: deploying it again"
fi

log "updating ${EB_ENVIRONMENT} to ${version_label}"
aws elasticbeanstalk update-environment \
  --application-name "${EB_APPLICATION}" \
  --environment-name "${EB_ENVIRONMENT}" \
  --version-label "${version_label}" \
  --option-settings "${option_settings}" \
  --region "${AWS_REGION}" >&2

aws elasticbeanstalk wait environment-updated \
  --application-name "${EB_APPLICATION}" \
  --environment-names "${EB_ENVIRONMENT}" \
  --region "${AWS_REGION}"

# Ready is not healthy: health settles after the update, and a failed rollout leaves the old version.
attempt=0
while :; do
  attempt=$((attempt + 1))
  read -r running_version status health health_status cname < <(aws elasticbeanstalk describe-environments \
    --application-name "${EB_APPLICATION}" \
    --environment-names "${EB_ENVIRONMENT}" \
    --region "${AWS_REGION}" \
    --query 'Environments[0].[VersionLabel,Status,Health,HealthStatus,CNAME]' \
    --output text) || true
  # Basic health reports no HealthStatus (text output "None"); enhanced health must say Ok.
  if [ "${running_version-}" = "${version_label}" ] && [ "${status-}" = Ready ] && [ "${health-}" = Green ] &&
    { [ "${health_status-}" = Ok ] || [ "${health_status-}" = None ]; }; then
    break
  fi
  if [ "${attempt}" -ge "${BEANSTALK_HEALTH_ATTEMPTS}" ]; then
    log "FAILED: ${EB_ENVIRONMENT} is not Green/Ok on ${version_label} (version ${running_version:-?}, status ${status:-?}, health ${health:-?}/${health_status:-?})"
    exit 1
  fi
  sleep "${BEANSTALK_HEALTH_INTERVAL}"
done
log "${EB_ENVIRONMENT} is Green/${health_status} on ${version_label}"

url=${EB_URL-}
if [ -z "${url}" ]; then
  if ! [[ ${cname-} =~ ${CNAME_PATTERN} ]]; then
    log 'FAILED: the environment reports no CNAME to smoke-test'
    exit 1
  fi
  url="http://${cname}"
fi
"${DEPLOY_DIR}/smoke-test.sh" "${url}" "${commit}"
printf '%s\n' "${url}"

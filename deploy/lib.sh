# shellcheck shell=bash
# Shared by the deploy scripts: flag parsing, validation, signature verification.
# Every value a script receives ends up in a cloud CLI's argument list or a URL, so each one is checked
# against a strict pattern before anything is called: a malformed value stops the script with exit 2
# and nothing has been touched.

# The patterns are read by the scripts that source this file.
# shellcheck disable=SC2034

# The script that sources this file names every message it prints; its folder holds the other scripts.
SCRIPT_NAME=${BASH_SOURCE[1]##*/}
DEPLOY_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# An image by digest on a named registry: the registry host has a dot (a bare first
# component would be read as a Docker Hub path), an optional port, every path
# component is a lowercase OCI name, and the digest is a full sha256. A tag is refused: tags move.
readonly IMAGE_PATTERN='^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:[0-9]{1,5})?(/[a-z0-9]+([._-]+[a-z0-9]+)*)+@sha256:[0-9a-f]{64}$'
readonly COMMIT_PATTERN='^[0-9a-fA-F]{7,40}$'
# A deploy compares the signing run's commit (the certificate's workflow SHA claim) in full: no prefix.
readonly FULL_COMMIT_PATTERN='^[0-9a-fA-F]{40}$'
# The ref whose pipeline run published the image: main, or a version tag.
readonly RELEASE_REF_PATTERN='^refs/(heads/main|tags/v[0-9A-Za-z._+-]{1,100})$'
# owner/name as GitHub spells it; it becomes part of the signer identity cosign insists on.
readonly GITHUB_REPOSITORY_PATTERN='^[A-Za-z0-9]([A-Za-z0-9-]{0,37}[A-Za-z0-9])?/[A-Za-z0-9._-]{1,100}$'
# A host name and optional port, as a URL names them or Elastic Beanstalk reports its CNAME.
readonly HOST_PORT_REGEX='[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?'
readonly CNAME_PATTERN="^${HOST_PORT_REGEX}$"
# An http(s) URL without query or credentials (smoke-test.sh's target, beanstalk.sh's --url).
readonly URL_PATTERN="^https?://${HOST_PORT_REGEX}(/[A-Za-z0-9._~/-]*)?$"
# A retry or attempt count, or a delay in seconds.
readonly SMALL_NUMBER_PATTERN='^[0-9]{1,3}$'
readonly SIGSTORE_GITHUB_ISSUER='https://token.actions.githubusercontent.com'
# The `name:` of .github/workflows/pipeline.yml: Fulcio records it as the certificate's workflow name claim.
readonly PIPELINE_WORKFLOW_NAME=pipeline

# Error lines gathered by `check` so one run reports every bad value at once.
VALIDATION_ERRORS=()

# check VARIABLE_NAME FLAG PATTERN DESCRIPTION: the variable must be set and match PATTERN.
check() {
  local name=$1 flag=$2 pattern=$3 description=$4
  local value=${!name-}
  if [ -z "${value}" ]; then
    VALIDATION_ERRORS+=("missing ${flag} (or ${name}): ${description}")
  elif ! [[ ${value} =~ ${pattern} ]]; then
    VALIDATION_ERRORS+=("malformed ${flag} (or ${name}): ${description}")
  fi
}

# check_optional: as check, but an empty value is allowed.
check_optional() {
  local name=$1
  if [ -n "${!name-}" ]; then
    check "$@"
  fi
}

# After all checks: print every error and the usage text on stderr, exit 2. Values are not echoed back:
# they may come from a workflow input, and a log line is no place to replay one.
finish_validation() {
  if [ "${#VALIDATION_ERRORS[@]}" -gt 0 ]; then
    local error
    for error in "${VALIDATION_ERRORS[@]}"; do
      printf '%s: %s\n' "${SCRIPT_NAME}" "${error}" >&2
    done
    printf '\n' >&2
    usage >&2
    exit 2
  fi
}

usage_error() {
  printf '%s: %s\n\n' "${SCRIPT_NAME}" "$1" >&2
  usage >&2
  exit 2
}

# parse_flags [GROUP...] -- ARGS...: sets the variable FLAGS[--flag] names for each `--flag VALUE` or
# `--flag=VALUE`. The caller declares the associative array FLAGS with its own flags; each GROUP's
# (GROUP_flags) are added to them. Flags override the environment.
parse_flags() {
  local flag value
  while [ "$#" -gt 0 ] && [ "$1" != -- ]; do
    "${1}_flags"
    shift
  done
  shift
  while [ "$#" -gt 0 ]; do
    case $1 in
      -h | --help)
        usage
        exit 0
        ;;
      --*=*)
        flag=${1%%=*}
        value=${1#*=}
        shift
        ;;
      --*)
        flag=$1
        [ "$#" -ge 2 ] || usage_error "${flag} needs a value"
        value=$2
        shift 2
        ;;
      *) usage_error "unexpected argument (flags only; see usage)" ;;
    esac
    [ -n "${FLAGS[${flag}]-}" ] || usage_error "unknown flag ${flag}"
    printf -v "${FLAGS[${flag}]}" '%s' "${value}"
  done
}

# usage_header [GROUP...]: the first lines of a flag-taking script's usage text, then each GROUP's flags
# as usage_GROUP_flags words them. Called with no group where a script words all its flags itself.
# shellcheck disable=SC2120
usage_header() {
  printf '%-36s   (each flag can also come from the environment variable shown)\n\n' "Usage: deploy/${SCRIPT_NAME} [flags]"
  local group
  for group in "$@"; do
    "usage_${group}_flags"
  done
}

# The flags naming a release: the image, the commit and repository whose pipeline signed and attested it,
# and the ref it ran for. Added to the caller's FLAGS; checked by check_release, verified by verify_release.
release_flags() {
  FLAGS+=([--image]=IMAGE [--commit]=COMMIT_SHA [--github-repository]=GITHUB_REPOSITORY [--ref]=RELEASE_REF)
}

# Their usage lines, as the deploy scripts word them (binauthz-attest.sh words its own).
usage_release_flags() {
  cat <<'EOF'
  --image IMAGE                          image by digest: registry/path@sha256:<64 hex>
  --commit COMMIT_SHA                    commit the image was built from (full 40 hex): the signing run's
                                         certificate must name it, and the smoke test expects it
  --github-repository GITHUB_REPOSITORY  owner/name whose pipeline.yml must have signed the image
  --ref RELEASE_REF                      the ref whose pipeline run published it: refs/heads/main (default)
                                         or refs/tags/v…; the gate-results certificate must name it
EOF
}

# check_groups GROUP...: the checks of each group's values (check_GROUP).
check_groups() {
  local group
  for group in "$@"; do
    "check_${group}"
  done
}

check_release() {
  check IMAGE --image "${IMAGE_PATTERN}" 'registry/path@sha256:<64 hex> (a digest, never a tag)'
  check COMMIT_SHA --commit "${FULL_COMMIT_PATTERN}" '40 hexadecimal digits (the certificate names the full commit)'
  check GITHUB_REPOSITORY --github-repository "${GITHUB_REPOSITORY_PATTERN}" 'owner/name'
  check RELEASE_REF --ref "${RELEASE_REF_PATTERN}" 'refs/heads/main or refs/tags/v…'
}

# The Cloud Run location's values are Google Cloud names.
readonly GCP_PROJECT_PATTERN='^[a-z][a-z0-9-]{4,28}[a-z0-9]$'
readonly GCP_REGION_PATTERN='^[a-z]+-[a-z]+[0-9]{1,2}$'
readonly ARTIFACT_REGISTRY_REPOSITORY_PATTERN='^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$'

# The flags naming where Cloud Run runs the image (the project, the region, the remote repository that
# proxies ghcr.io): cloudrun.sh deploys there and binauthz-attest.sh attests the path it gives Cloud Run.
cloudrun_flags() {
  FLAGS+=([--project]=GCP_PROJECT_ID [--region]=CLOUDRUN_REGION [--repository]=ARTIFACT_REGISTRY_REPOSITORY)
}

check_cloudrun() {
  check GCP_PROJECT_ID --project "${GCP_PROJECT_PATTERN}" 'a project id: 6-30 lowercase letters, digits, hyphens'
  check CLOUDRUN_REGION --region "${GCP_REGION_PATTERN}" 'a region such as europe-west1'
  check_optional ARTIFACT_REGISTRY_REPOSITORY --repository "${ARTIFACT_REGISTRY_REPOSITORY_PATTERN}" 'a repository name: lowercase letter first, letters, digits, hyphens'
  # Cloud Run cannot pull from ghcr.io itself: such an image must come through the remote repository; and
  # an attestation for a path Cloud Run is never given admits nothing.
  if [[ ${IMAGE-} == ghcr.io/* && -z ${ARTIFACT_REGISTRY_REPOSITORY-} ]]; then
    VALIDATION_ERRORS+=('missing --repository (or ARTIFACT_REGISTRY_REPOSITORY): Cloud Run pulls a ghcr.io image only through an Artifact Registry remote repository')
  fi
  if [[ -n ${ARTIFACT_REGISTRY_REPOSITORY-} && ${IMAGE-} != ghcr.io/* ]]; then
    VALIDATION_ERRORS+=('malformed --image (or IMAGE): with --repository the image must be on ghcr.io')
  fi
}

# A commit as the certificate and the health check spell it: lowercase hex.
lowercase_hex() {
  printf '%s' "$1" | tr 'A-F' 'a-f'
}

require_commands() {
  local command
  for command in "$@"; do
    if ! command -v "${command}" >/dev/null 2>&1; then
      printf '%s: %s is not installed\n' "${SCRIPT_NAME}" "${command}" >&2
      exit 1
    fi
  done
}

log() {
  printf '%s: %s\n' "${SCRIPT_NAME}" "$*" >&2
}

# The signer identity cosign must find in the signature's certificate: this repository's pipeline
# workflow, run from main or a version tag. Dots are escaped so `my.repo` cannot match `myXrepo`.
signer_identity_pattern() {
  local repository=${1//./\\.}
  printf '^https://github\\.com/%s/\\.github/workflows/pipeline\\.yml@refs/(heads/main|tags/v.*)$' "${repository}"
}

# The claims Fulcio copies from GitHub's OIDC token into the certificate, which cosign compares exactly
# (cosign v3.0.6 pkg/cosign/verify.go, validateCertExtensions): the repository the workflow ran in, the
# event that started it, and the commit it ran. The identity regexp alone accepts any run of pipeline.yml
# on main; these bind the signature to a push of this very commit, so a run started by hand, on a
# schedule or from another commit cannot vouch for it. Printed one argument a line.
workflow_claim_flags() {
  local repository=$1 commit=$2
  printf '%s\n' \
    --certificate-github-workflow-repository "${repository}" \
    --certificate-github-workflow-trigger push \
    --certificate-github-workflow-sha "$(lowercase_hex "${commit}")"
}

# Refuses any image the pipeline did not sign (keyless: Fulcio certificate + Rekor entry). Runs before
# any deploy command, so an unsigned or foreign image never reaches a platform.
verify_signature() {
  local image=$1 repository=$2 commit=$3
  local claims
  mapfile -t claims < <(workflow_claim_flags "${repository}" "${commit}")
  log "verifying the signature of ${image}"
  # cosign prints the verified payload on stdout; keep stdout for the script's own result.
  if ! cosign verify \
    --certificate-identity-regexp "$(signer_identity_pattern "${repository}")" \
    --certificate-oidc-issuer "${SIGSTORE_GITHUB_ISSUER}" \
    "${claims[@]}" \
    "${image}" >&2; then
    log "signature verification failed: refusing to deploy ${image}"
    exit 1
  fi
}

# The gate-results attestation (docs/gate-attestation.md): a SLSA Verification Summary the publish job
# signs with `cosign attest` after every gate passed. A signature says who built an image; this says the
# image passed the gates, each named with its verdict.
readonly GATE_PREDICATE_TYPE='https://slsa.dev/verification_summary/v1'
# Distinct exit codes, so an operator (or a calling workflow) tells "not ours or not attested" from
# "attested, but not every gate passed for this digest".
readonly EXIT_NO_GATE_ATTESTATION=3
readonly EXIT_GATES_NOT_PASSED=4
# The accepted findings as OpenVEX (docs/pipeline.md, "Accepted findings as signed VEX"): publish attests
# them with `cosign attest --type openvex`, which cosign v3.0.6 records as the predicate type
# https://openvex.dev/ns (cmd/cosign/cli/options/predicate.go). An image without it reaches whoever
# scans it with no word on the findings the gates accepted: refused with its own code.
readonly VEX_PREDICATE_TYPE=openvex
readonly EXIT_NO_VEX_ATTESTATION=5

# The checks beyond cosign's: every gate passed; and again that the statement is for this digest (cosign
# checks that too, but the property this function exists for is not left to one tool). Reads the
# DSSE envelopes `cosign verify-attestation` prints (one JSON object a line) on stdin; prints one line per
# problem. Gate names are reduced to [A-Za-z0-9_.-] before printing: a log line is no place for text
# that could carry a workflow command.
# shellcheck disable=SC2016 # a jq program: its $names are jq's, not the shell's
readonly GATE_ATTESTATION_JQ='
def clean: tostring | gsub("[^A-Za-z0-9_.-]"; "?");
[inputs] as $envelopes
| if ($envelopes | length) == 0 then "cosign printed no attestation"
  else $envelopes[]
  | if .payloadType != "application/vnd.in-toto+json" then "an envelope is not an in-toto statement"
    else (.payload | @base64d | fromjson) as $statement
    | ($statement.predicate // {}) as $predicate
    | ($predicate[$field]) as $gates
    | (if $statement.predicateType != $type then "predicate type is \($statement.predicateType | clean), not the gate-results type" else empty end),
      (if [$statement.subject[]? | select(.digest.sha256 == $digest)] | length == 0 then "the attestation is for another digest" else empty end),
      (if ($predicate.resourceUri // "" | endswith("@sha256:" + $digest)) | not then "resourceUri names another digest" else empty end),
      (if $predicate.verificationResult != "PASSED" then "verificationResult is \($predicate.verificationResult | clean), not PASSED" else empty end),
      (if ($gates | type) != "array" or ($gates | length) == 0 then "the attestation records no gates"
       else $gates[] | select(.verdict != "passed") | "gate \(.name | clean) did not pass (verdict \(.verdict | clean))" end)
    end
  end'

# The same checks for machines without jq (the scripts need jq or node).
# shellcheck disable=SC2016 # a JavaScript program: its ${} are template literals, not the shell's
readonly GATE_ATTESTATION_NODE='
const [type, digest, field] = process.argv.slice(1);
const clean = (value) => String(value).replace(/[^A-Za-z0-9_.-]/g, "?");
const lines = require("fs").readFileSync(0, "utf8").split("\n").filter((line) => line.trim() !== "");
const problems = [];
if (lines.length === 0) problems.push("cosign printed no attestation");
for (const line of lines) {
  const envelope = JSON.parse(line);
  if (envelope.payloadType !== "application/vnd.in-toto+json") {
    problems.push("an envelope is not an in-toto statement");
    continue;
  }
  const statement = JSON.parse(Buffer.from(envelope.payload, "base64").toString("utf8"));
  const predicate = statement.predicate ?? {};
  const gates = predicate[field];
  if (statement.predicateType !== type)
    problems.push(`predicate type is ${clean(statement.predicateType)}, not the gate-results type`);
  if (!(statement.subject ?? []).some((subject) => subject?.digest?.sha256 === digest))
    problems.push("the attestation is for another digest");
  if (!String(predicate.resourceUri ?? "").endsWith(`@sha256:${digest}`))
    problems.push("resourceUri names another digest");
  if (predicate.verificationResult !== "PASSED")
    problems.push(`verificationResult is ${clean(predicate.verificationResult)}, not PASSED`);
  if (!Array.isArray(gates) || gates.length === 0) problems.push("the attestation records no gates");
  else
    for (const gate of gates)
      if (gate?.verdict !== "passed")
        problems.push(`gate ${clean(gate?.name)} did not pass (verdict ${clean(gate?.verdict)})`);
}
console.log(problems.join("\n"));'

# What `cosign verify-attestation` is told to insist on for an attestation publish made: this repository's
# pipeline as signer, the signing run's claims, the workflow name `pipeline` and the release ref. Printed
# one argument a line.
pipeline_attestation_flags() {
  local repository=$1 commit=$2 ref=$3
  printf '%s\n' \
    --certificate-identity-regexp "$(signer_identity_pattern "${repository}")" \
    --certificate-oidc-issuer "${SIGSTORE_GITHUB_ISSUER}"
  workflow_claim_flags "${repository}" "${commit}"
  printf '%s\n' \
    --certificate-github-workflow-name "${PIPELINE_WORKFLOW_NAME}" \
    --certificate-github-workflow-ref "${ref}"
}

# Refuses any image without a gate-results attestation that this repository's pipeline signed (same
# identity as the signature) for this very digest with every gate passed. Runs before any deploy command.
# Beyond the signature's claims, the certificate must name the workflow that ran the gates (pipeline, whose
# security-gates.yml is called from the same commit) and the ref it ran for: an attestation made by
# another workflow of this repository, or by a run for another ref, is refused (docs/deploy.md, "The
# gates' own identity").
verify_gate_attestation() {
  local image=$1 repository=$2 commit=$3 ref=$4
  local digest=${image##*@sha256:}
  local field="https://github.com/${repository}/.github/workflows/security-gates.yml"
  local envelopes problems claims
  mapfile -t claims < <(pipeline_attestation_flags "${repository}" "${commit}" "${ref}")
  log "verifying the gate-results attestation of ${image}"
  # cosign checks the Fulcio certificate, the transparency log, the identity, the claims and the predicate
  # type, and prints only the attestations that pass; its own diagnostics go to stderr.
  if ! envelopes=$(cosign verify-attestation \
    --type "${GATE_PREDICATE_TYPE}" \
    "${claims[@]}" \
    "${image}"); then
    log "REFUSED: no gate-results attestation signed by ${repository}'s pipeline for ${image}"
    exit "${EXIT_NO_GATE_ATTESTATION}"
  fi
  if command -v jq >/dev/null 2>&1; then
    problems=$(printf '%s\n' "${envelopes}" |
      jq -rn --arg type "${GATE_PREDICATE_TYPE}" --arg digest "${digest}" --arg field "${field}" \
        "${GATE_ATTESTATION_JQ}") || problems='the attestation could not be read'
  elif command -v node >/dev/null 2>&1; then
    problems=$(printf '%s\n' "${envelopes}" |
      node -e "${GATE_ATTESTATION_NODE}" "${GATE_PREDICATE_TYPE}" "${digest}" "${field}") ||
      problems='the attestation could not be read'
  else
    log 'neither jq nor node is installed: cannot read the gate-results attestation'
    exit 1
  fi
  if [ -n "${problems}" ]; then
    while IFS= read -r problem; do
      log "gate-results attestation: ${problem}"
    done <<<"${problems}"
    log "REFUSED: the gate-results attestation does not show every gate passed for ${image}"
    exit "${EXIT_GATES_NOT_PASSED}"
  fi
  log "gate results verified: every gate passed for ${image}"
}

# Refuses any image without the OpenVEX attestation of its accepted findings, signed as the gate-results
# attestation is (same identity, claims, workflow and ref; cosign checks the statement is for this digest).
# The document may list no finding; it must be there, and be ours.
verify_vex_attestation() {
  local image=$1 repository=$2 commit=$3 ref=$4
  local claims envelopes
  mapfile -t claims < <(pipeline_attestation_flags "${repository}" "${commit}" "${ref}")
  log "verifying the accepted-findings (OpenVEX) attestation of ${image}"
  if ! envelopes=$(cosign verify-attestation \
    --type "${VEX_PREDICATE_TYPE}" \
    "${claims[@]}" \
    "${image}") || [ -z "${envelopes}" ]; then
    log "REFUSED: no accepted-findings (OpenVEX) attestation signed by ${repository}'s pipeline for ${image}"
    exit "${EXIT_NO_VEX_ATTESTATION}"
  fi
  log "accepted findings (OpenVEX) attestation verified for ${image}"
}

# Every check for the release the flags name: signed by its pipeline, every gate passed, and its
# accepted findings attested.
verify_release() {
  verify_signature "${IMAGE}" "${GITHUB_REPOSITORY}" "${COMMIT_SHA}"
  verify_gate_attestation "${IMAGE}" "${GITHUB_REPOSITORY}" "${COMMIT_SHA}" "${RELEASE_REF}"
  verify_vex_attestation "${IMAGE}" "${GITHUB_REPOSITORY}" "${COMMIT_SHA}" "${RELEASE_REF}"
}

# cloudrun_image for the release and location the flags name.
release_cloudrun_image() {
  cloudrun_image "${IMAGE}" "${CLOUDRUN_REGION}" "${GCP_PROJECT_ID}" "${ARTIFACT_REGISTRY_REPOSITORY-}"
}

# The image reference Cloud Run is given, and so the one Binary Authorization judges: an image on ghcr.io
# through the Artifact Registry remote repository in the service's region (same digest), any other as
# given. cloudrun.sh deploys it and binauthz-attest.sh attests it; an attestation for another path of the
# same digest would not admit it.
cloudrun_image() {
  local image=$1 region=$2 project=$3 repository=$4
  if [ -n "${repository}" ]; then
    printf '%s\n' "${region}-docker.pkg.dev/${project}/${repository}/${image#ghcr.io/}"
  else
    printf '%s\n' "${image}"
  fi
}

# shellcheck shell=bash
# Shared by the deploy scripts: flag parsing, validation, signature verification.
# Every value a script receives ends up in a cloud CLI's argument list or a URL, so each one is checked
# against a strict pattern before anything is called: a malformed value stops the script with exit 2
# and nothing has been touched.

# The patterns are read by the scripts that source this file.
# shellcheck disable=SC2034

# An image by digest on a named registry: the registry host has a dot (a bare first
# component would be read as a Docker Hub path), an optional port, every path
# component is a lowercase OCI name, and the digest is a full sha256. A tag is refused: tags move.
readonly IMAGE_PATTERN='^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:[0-9]{1,5})?(/[a-z0-9]+([._-]+[a-z0-9]+)*)+@sha256:[0-9a-f]{64}$'
readonly COMMIT_PATTERN='^[0-9a-fA-F]{7,40}$'
# owner/name as GitHub spells it; it becomes part of the signer identity cosign insists on.
readonly GITHUB_REPOSITORY_PATTERN='^[A-Za-z0-9]([A-Za-z0-9-]{0,37}[A-Za-z0-9])?/[A-Za-z0-9._-]{1,100}$'
readonly SIGSTORE_GITHUB_ISSUER='https://token.actions.githubusercontent.com'

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

# parse_flags ARGS...: sets the variable FLAGS[--flag] names for each `--flag VALUE` or `--flag=VALUE`.
# The caller declares the associative array FLAGS. Flags override the environment.
parse_flags() {
  local flag value
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

# Refuses any image the pipeline did not sign (keyless: Fulcio certificate + Rekor entry). Runs before
# any deploy command, so an unsigned or foreign image never reaches a platform.
verify_signature() {
  local image=$1 repository=$2
  log "verifying the signature of ${image}"
  # cosign prints the verified payload on stdout; keep stdout for the script's own result.
  if ! cosign verify \
    --certificate-identity-regexp "$(signer_identity_pattern "${repository}")" \
    --certificate-oidc-issuer "${SIGSTORE_GITHUB_ISSUER}" \
    "${image}" >&2; then
    log "signature verification failed: refusing to deploy ${image}"
    exit 1
  fi
}

#!/usr/bin/env bash
# Works out what a deploy workflow is about to release, and refuses anything malformed before any cloud
# is contacted: the image comes from the pipeline's `image-digest` artifact (digest.txt) or from the
# manual-dispatch input; the commit from the pipeline run's head or the dispatch input.
# Prints `image=…` and `commit-sha=…` lines, ready to append to $GITHUB_OUTPUT.
set -euo pipefail

# shellcheck source=deploy/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  usage_header
  cat <<'EOF'
  --image-file IMAGE_DIGEST_FILE  file holding one line: registry/path@sha256:<64 hex> (the pipeline's digest.txt)
  --image IMAGE                   the same reference given directly (manual dispatch); used when no file is given
  --commit COMMIT_SHA             the commit the image was built from (7-40 hex)

Prints "image=<reference>" and "commit-sha=<sha>" on stdout. Exit: 0, or 2 when a value is missing or malformed.
EOF
}

declare -A FLAGS=(
  [--image-file]=IMAGE_DIGEST_FILE
  [--image]=IMAGE
  [--commit]=COMMIT_SHA
)
parse_flags -- "$@"

if [ -n "${IMAGE_DIGEST_FILE-}" ]; then
  if [ ! -f "${IMAGE_DIGEST_FILE}" ] || [ ! -r "${IMAGE_DIGEST_FILE}" ]; then
    usage_error 'the image digest file (--image-file or IMAGE_DIGEST_FILE) is not a readable file'
  fi
  # A digest file is one short line; reading at most 1 KiB keeps a wrong file from flooding memory.
  IMAGE=$(head -c 1024 "${IMAGE_DIGEST_FILE}" | tr -d '\r')
fi
check IMAGE '--image/--image-file' "${IMAGE_PATTERN}" 'registry/path@sha256:<64 hex> (a digest, never a tag)'
check COMMIT_SHA --commit "${COMMIT_PATTERN}" '7 to 40 hexadecimal digits'
finish_validation

printf 'image=%s\ncommit-sha=%s\n' "${IMAGE}" "$(lowercase_hex "${COMMIT_SHA}")"

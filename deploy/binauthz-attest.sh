#!/usr/bin/env bash
# Creates the Binary Authorization attestation that lets Cloud Run run a published digest. The publish
# job calls it after the push and the gate-results attestation: it first verifies, exactly as a deploy
# does, that this repository's pipeline signed the digest and attested every gate passed for it (so a
# digest that did not pass is never attested, even if a step before it was changed), then signs the
# Cloud Run image reference with the attestor's Cloud KMS key. Prints that reference on stdout.
# The flag variables are assigned by parse_flags (printf -v), which shellcheck cannot follow.
# shellcheck disable=SC2153
set -euo pipefail

# shellcheck source=deploy/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  usage_header
  cat <<'EOF'
  --image IMAGE                          the pushed image by digest: registry/path@sha256:<64 hex>
  --commit COMMIT_SHA                    the commit the pipeline ran (full 40 hex)
  --github-repository GITHUB_REPOSITORY  owner/name whose pipeline.yml must have signed and attested it
  --ref RELEASE_REF                      the ref the pipeline ran for: refs/heads/main or refs/tags/v…
  --project GCP_PROJECT_ID               Google Cloud project of the Cloud Run service
  --region CLOUDRUN_REGION               Cloud Run region, e.g. europe-west1
  --repository ARTIFACT_REGISTRY_REPOSITORY
                                         optional: Artifact Registry remote repository that proxies ghcr.io,
                                         as cloudrun.sh is given it; required when the image is on ghcr.io
  --attestor BINAUTHZ_ATTESTOR           projects/<project>/attestors/<name>
  --keyversion BINAUTHZ_KEYVERSION       the attestor's Cloud KMS key version:
                                         projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>/cryptoKeyVersions/<n>

The attestation names the image as Cloud Run is given it (through the remote repository when one is
set), because Binary Authorization matches the full image path and digest. gcloud's --validate checks
the new attestation against the attestor before it is stored.

Needs gcloud (authenticated as an identity that may sign with the key and attach to the attestor's
note), cosign, and jq or node. Exit: 0 attested, 1 failed, 2 bad arguments (nothing was called),
3 refused: no gate-results attestation signed by this repository's pipeline for this commit and ref,
4 refused: the attestation does not show every gate passed for this digest.
EOF
}

readonly ATTESTOR_PATTERN='^projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/attestors/[A-Za-z0-9_-]{1,100}$'
readonly KEYVERSION_PATTERN='^projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/locations/[a-z0-9-]{1,63}/keyRings/[A-Za-z0-9_-]{1,63}/cryptoKeys/[A-Za-z0-9_-]{1,63}/cryptoKeyVersions/[0-9]{1,10}$'

declare -A FLAGS=([--attestor]=BINAUTHZ_ATTESTOR [--keyversion]=BINAUTHZ_KEYVERSION)
parse_flags release cloudrun -- "$@"

check_groups release cloudrun
check BINAUTHZ_ATTESTOR --attestor "${ATTESTOR_PATTERN}" 'projects/<project>/attestors/<name>'
check BINAUTHZ_KEYVERSION --keyversion "${KEYVERSION_PATTERN}" 'projects/…/locations/…/keyRings/…/cryptoKeys/…/cryptoKeyVersions/<n>'
finish_validation
require_commands gcloud cosign

verify_release

artifact_url=$(release_cloudrun_image)
log "attesting ${artifact_url} as ${BINAUTHZ_ATTESTOR}"
gcloud container binauthz attestations sign-and-create \
  --artifact-url="${artifact_url}" \
  --attestor="${BINAUTHZ_ATTESTOR}" \
  --keyversion="${BINAUTHZ_KEYVERSION}" \
  --project="${GCP_PROJECT_ID}" \
  --validate \
  --quiet >&2
printf '%s\n' "${artifact_url}"

#!/usr/bin/env bash
# Keeps the image's manifest digest fixed from build to registry. The build job writes an OCI archive
# (buildx `type=oci`), whose index.json names the one manifest by digest; that digest is what every
# gate scans and runs, and what publish must find in the registry after pushing. Nothing here rebuilds
# or re-compresses: skopeo copies the blobs and the manifest bytes as they are (--preserve-digests
# makes it fail rather than change them), and the registry's answer is hashed and compared.
#
#   digest  print the manifest digest the archive's index.json names (the build cross-checks buildx's)
#   unpack  verify the archive, unpack it as an OCI layout, print "<dir>@<digest>" (Trivy's `input`)
#   load    verify the archive, load it into the Docker daemon, check the daemon holds that config
#   push    verify the archive, push it to each tag, fail unless the registry serves the same digest
#   sbom    verify the archive and check that a CycloneDX SBOM describes its image (Trivy's ImageID)
set -euo pipefail

# shellcheck source=deploy/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly DIGEST_PATTERN='^sha256:[0-9a-f]{64}$'
readonly SHA256_PATTERN='^[0-9a-f]{64}$'
# A local name for the Docker daemon (no registry needed): lowercase path, a tag.
readonly LOCAL_REF_PATTERN='^[a-z0-9]+([._-]+[a-z0-9]+)*(/[a-z0-9]+([._-]+[a-z0-9]+)*)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'
# A tag to push to: an optional registry host (with a dot or a port), a lowercase path, a tag. These
# are docker/metadata-action's `tags` lines; Docker Hub ones come without a host (docker.io implied).
readonly TAG_REF_PATTERN='^([a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:[0-9]{1,5})?/)?[a-z0-9]+([._-]+[a-z0-9]+)*(/[a-z0-9]+([._-]+[a-z0-9]+)*)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'
readonly OCI_MANIFEST_TYPE='application/vnd.oci.image.manifest.v1+json'

usage() {
  cat <<'EOF'
Usage: deploy/oci-image.sh COMMAND [flags]   (each flag can also come from the environment variable shown)

  digest --archive ARCHIVE
  unpack --archive ARCHIVE --archive-sha256 ARCHIVE_SHA256 --digest IMAGE_DIGEST --dir LAYOUT_DIR
  load   --archive ARCHIVE --archive-sha256 ARCHIVE_SHA256 --digest IMAGE_DIGEST --image-ref IMAGE_REF
  push   --archive ARCHIVE --archive-sha256 ARCHIVE_SHA256 --digest IMAGE_DIGEST --tags TAGS
  sbom   --archive ARCHIVE --archive-sha256 ARCHIVE_SHA256 --digest IMAGE_DIGEST --sbom SBOM_FILE

  ARCHIVE         OCI image archive written by buildx (`outputs: type=oci,dest=...`)
  ARCHIVE_SHA256  the archive's SHA-256 as the build job recorded it (64 hex)
  IMAGE_DIGEST    the manifest digest the build job recorded (sha256:<64 hex>)
  LAYOUT_DIR      folder to unpack the OCI layout into (created; must not exist yet)
  IMAGE_REF       local name to load the image as (name:tag)
  TAGS            one [registry/]path:tag per line (docker/metadata-action's `tags` output)
  SBOM_FILE       CycloneDX JSON that Trivy wrote for the unpacked archive

digest prints "sha256:<hex>"; unpack prints "<dir>@<digest>"; push prints "digest=sha256:<hex>".
Exit: 0; 1 when the archive, the daemon or the registry does not hold the expected digest;
2 when a value is missing or malformed.
EOF
}

[ "$#" -ge 1 ] || usage_error 'a command is needed: digest, unpack, load, push or sbom'
COMMAND=$1
shift
case ${COMMAND} in
  digest) declare -A FLAGS=([--archive]=ARCHIVE) ;;
  unpack) declare -A FLAGS=([--archive]=ARCHIVE [--archive-sha256]=ARCHIVE_SHA256 [--digest]=IMAGE_DIGEST [--dir]=LAYOUT_DIR) ;;
  load) declare -A FLAGS=([--archive]=ARCHIVE [--archive-sha256]=ARCHIVE_SHA256 [--digest]=IMAGE_DIGEST [--image-ref]=IMAGE_REF) ;;
  push) declare -A FLAGS=([--archive]=ARCHIVE [--archive-sha256]=ARCHIVE_SHA256 [--digest]=IMAGE_DIGEST [--tags]=TAGS) ;;
  sbom) declare -A FLAGS=([--archive]=ARCHIVE [--archive-sha256]=ARCHIVE_SHA256 [--digest]=IMAGE_DIGEST [--sbom]=SBOM_FILE) ;;
  -h | --help)
    usage
    exit 0
    ;;
  *) usage_error 'unknown command (digest, unpack, load, push or sbom)' ;;
esac
parse_flags -- "$@"

if [[ ${ARCHIVE-} == *:* ]]; then
  # skopeo reads `oci-archive:PATH[:REFERENCE]` and cuts at the first ":" (containers/image
  # oci/archive/oci_transport.go ParseReference): such a path would name another file.
  VALIDATION_ERRORS+=('malformed --archive (or ARCHIVE): may not contain ":" (skopeo cuts oci-archive:PATH there)')
elif [ -n "${ARCHIVE-}" ] && { [ ! -f "${ARCHIVE}" ] || [ ! -r "${ARCHIVE}" ]; }; then
  VALIDATION_ERRORS+=('the archive (--archive or ARCHIVE) is not a readable file')
elif [ -z "${ARCHIVE-}" ]; then
  VALIDATION_ERRORS+=('missing --archive (or ARCHIVE): the OCI archive the build wrote')
fi
if [ "${COMMAND}" != digest ]; then
  check ARCHIVE_SHA256 --archive-sha256 "${SHA256_PATTERN}" '64 lowercase hexadecimal digits'
  check IMAGE_DIGEST --digest "${DIGEST_PATTERN}" 'sha256:<64 lowercase hex> (the manifest digest)'
fi
case ${COMMAND} in
  unpack)
    if [ -z "${LAYOUT_DIR-}" ]; then
      VALIDATION_ERRORS+=('missing --dir (or LAYOUT_DIR): the folder to unpack into')
    elif [[ ${LAYOUT_DIR} == *@* || ${LAYOUT_DIR} == *:* ]]; then
      # Trivy splits its `input` at the first "@" (else ":") to find the reference (trivy
      # pkg/fanal/image/oci.go, tryOCI): the folder's own name must hold neither.
      VALIDATION_ERRORS+=('malformed --dir (or LAYOUT_DIR): may not contain "@" or ":"')
    elif [ -e "${LAYOUT_DIR}" ]; then
      VALIDATION_ERRORS+=('--dir (or LAYOUT_DIR) already exists: unpack into a fresh folder')
    fi
    ;;
  load) check IMAGE_REF --image-ref "${LOCAL_REF_PATTERN}" 'a local name:tag' ;;
  sbom)
    if [ -z "${SBOM_FILE-}" ] || [ ! -f "${SBOM_FILE}" ] || [ ! -r "${SBOM_FILE}" ]; then
      VALIDATION_ERRORS+=('the SBOM (--sbom or SBOM_FILE) is not a readable file')
    fi
    ;;
  push)
    if [ -z "${TAGS-}" ] || [ -z "$(printf '%s' "${TAGS}" | tr -d '[:space:]')" ]; then
      VALIDATION_ERRORS+=('missing --tags (or TAGS): one [registry/]path:tag per line')
    else
      while IFS= read -r tag; do
        [ -n "${tag}" ] || continue
        [[ ${tag} =~ ${TAG_REF_PATTERN} ]] || VALIDATION_ERRORS+=('malformed --tags (or TAGS): each line must be [registry/]path:tag')
      done <<<"${TAGS}"
    fi
    ;;
esac
finish_validation

require_commands jq sha256sum tar

# The manifest digest index.json names. Exactly one image manifest: buildx writes one for a
# single-platform build without attestations (provenance: false, sbom: false); anything else (an index
# of platforms, attestation manifests) would make "the digest" ambiguous, so it is refused.
index_digest() {
  local index
  if ! index=$(tar -xOf "${ARCHIVE}" index.json 2>/dev/null); then
    log 'FAILED: the archive has no index.json: not an OCI archive (buildx outputs: type=oci)'
    exit 1
  fi
  if ! printf '%s' "${index}" | jq -e --arg type "${OCI_MANIFEST_TYPE}" \
    '(.manifests | length) == 1 and .manifests[0].mediaType == $type' >/dev/null 2>&1; then
    log "FAILED: index.json must name exactly one ${OCI_MANIFEST_TYPE}"
    exit 1
  fi
  local digest
  digest=$(printf '%s' "${index}" | jq -r '.manifests[0].digest')
  if ! [[ ${digest} =~ ${DIGEST_PATTERN} ]]; then
    log 'FAILED: index.json names a manifest without a sha256 digest'
    exit 1
  fi
  # The blob must hash to its name, or the index points at something other than what it claims. A
  # missing blob makes tar exit 2, which under pipefail would end the script here without a word.
  local actual
  if ! actual=$(tar -xOf "${ARCHIVE}" "blobs/sha256/${digest#sha256:}" 2>/dev/null | sha256sum | cut -d' ' -f1) ||
    [ "sha256:${actual}" != "${digest}" ]; then
    log "FAILED: the manifest blob for ${digest} is missing or does not hash to its name"
    exit 1
  fi
  printf '%s\n' "${digest}"
}

# The archive is the one the build recorded, and it holds the manifest the build recorded.
verify_archive() {
  if ! printf '%s  %s\n' "${ARCHIVE_SHA256}" "${ARCHIVE}" | sha256sum --check --strict --status; then
    log 'FAILED: the archive does not match the SHA-256 the build recorded'
    exit 1
  fi
  local found
  found=$(index_digest)
  if [ "${found}" != "${IMAGE_DIGEST}" ]; then
    log "FAILED: the archive holds ${found}, but the build recorded ${IMAGE_DIGEST}"
    exit 1
  fi
}

config_digest() {
  tar -xOf "${ARCHIVE}" "blobs/sha256/${IMAGE_DIGEST#sha256:}" | jq -r '.config.digest'
}

case ${COMMAND} in
  digest)
    index_digest
    ;;
  unpack)
    verify_archive
    # Entries are checked before extracting: an absolute or ".." path would write outside the folder.
    if tar -tf "${ARCHIVE}" | grep -Eq '(^/|(^|/)\.\.(/|$))'; then
      log 'FAILED: the archive has an entry outside its own folder'
      exit 1
    fi
    mkdir -p "${LAYOUT_DIR}"
    tar -xf "${ARCHIVE}" -C "${LAYOUT_DIR}"
    printf '%s@%s\n' "${LAYOUT_DIR}" "${IMAGE_DIGEST}"
    ;;
  load)
    require_commands skopeo docker
    verify_archive
    expected_config=$(config_digest)
    skopeo copy --quiet "oci-archive:${ARCHIVE}" "docker-daemon:${IMAGE_REF}" >&2
    # Docker names an image by its config's digest: the daemon must now hold exactly that config,
    # whose layer diff IDs are the ones the manifest's layers unpack to.
    loaded=$(docker image inspect --format '{{.Id}}' "${IMAGE_REF}")
    if [ "${loaded}" != "${expected_config}" ]; then
      log "FAILED: the daemon's ${IMAGE_REF} is ${loaded}, not the archive's config ${expected_config}"
      exit 1
    fi
    log "loaded ${IMAGE_REF} (manifest ${IMAGE_DIGEST}, config ${expected_config})"
    ;;
  push)
    require_commands skopeo
    verify_archive
    while IFS= read -r tag; do
      [ -n "${tag}" ] || continue
      log "pushing ${IMAGE_DIGEST} to ${tag}"
      skopeo copy --quiet --preserve-digests "oci-archive:${ARCHIVE}" "docker://${tag}" >&2
      # The registry's digest is the SHA-256 of the manifest bytes it serves for the tag: hashed here
      # rather than taken from a tool's summary, so nothing but the bytes decides.
      served=$(skopeo inspect --raw "docker://${tag}" | sha256sum | cut -d' ' -f1)
      if [ "sha256:${served}" != "${IMAGE_DIGEST}" ]; then
        log "FAILED: ${tag} serves sha256:${served}, but the gates scanned ${IMAGE_DIGEST}"
        exit 1
      fi
    done <<<"${TAGS}"
    printf 'digest=%s\n' "${IMAGE_DIGEST}"
    ;;
  sbom)
    verify_archive
    expected_config=$(config_digest)
    # Trivy records the image's config digest as the root component's property
    # aquasecurity:trivy:ImageID (aquasecurity/trivy pkg/sbom/io/encode.go, pkg/sbom/cyclonedx/marshal.go);
    # for an archive that is the config the manifest names (pkg/fanal/image/image.go, ID).
    described=$(jq -r '
      if .bomFormat == "CycloneDX" and .metadata.component.type == "container"
      then [.metadata.component.properties[]? | select(.name == "aquasecurity:trivy:ImageID") | .value] | if length == 1 then .[0] else "" end
      else "" end' "${SBOM_FILE}" 2>/dev/null || true)
    if [ "${described}" != "${expected_config}" ]; then
      # The SBOM's value is not echoed: it is the file's content, and a log line is no place to replay it.
      log "FAILED: the SBOM's aquasecurity:trivy:ImageID is not the manifest's config ${expected_config}"
      exit 1
    fi
    log "the SBOM describes ${IMAGE_DIGEST} (config ${expected_config})"
    ;;
esac

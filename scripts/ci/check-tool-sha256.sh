#!/usr/bin/env bash
# Usage: check-tool-sha256.sh TOOL
#
# Fails unless the TOOL on PATH is, byte for byte, the release whose SHA-256 security/tools.json keeps
# (tools.TOOL.release["<os>-<arch>"].sha256). An installer action checks what it downloads with its own
# means (a checksum file, a signature fetched beside the release); a release replaced together with its
# checksum file (Trivy, March 2026) passes such a check. This one compares with a hash committed here,
# after the installer ran, in the job that then uses the tool.
#
# Exit codes: 0 the hashes match; 1 they differ, or the tool or its hash is missing; 2 usage.
set -euo pipefail

if [ "$#" -ne 1 ] || ! [[ $1 =~ ^[a-z0-9-]+$ ]]; then
  echo 'usage: scripts/ci/check-tool-sha256.sh TOOL (a tool of security/tools.json)' >&2
  exit 2
fi
tool=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
pins="$root/security/tools.json"

# The platform as release assets name it (cosign-linux-amd64): GitHub's runners are linux x86_64.
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) platform=linux-amd64 ;;
  Linux-aarch64 | Linux-arm64) platform=linux-arm64 ;;
  *) platform="$(uname -s)-$(uname -m)" ;;
esac

expected=$(jq -r --arg t "$tool" --arg p "$platform" '.tools[$t].release[$p].sha256 // empty' "$pins")
if ! [[ $expected =~ ^[0-9a-f]{64}$ ]]; then
  echo "check-tool-sha256: security/tools.json keeps no SHA-256 for ${tool} on ${platform} (tools.${tool}.release[\"${platform}\"].sha256)" >&2
  exit 1
fi
binary=$(command -v "$tool" || true)
if [ -z "$binary" ]; then
  echo "check-tool-sha256: ${tool} is not on PATH" >&2
  exit 1
fi
actual=$(sha256sum "$binary" | cut -d' ' -f1)
if [ "$actual" != "$expected" ]; then
  echo "check-tool-sha256: ${binary} is not the ${tool} release security/tools.json pins: its SHA-256 is ${actual}, security/tools.json keeps ${expected} (${platform})" >&2
  exit 1
fi
echo "check-tool-sha256: ${binary} matches security/tools.json (${tool} ${platform}, sha256 ${actual})"

#!/usr/bin/env bash
# What trivy-action's "Set Trivy environment variables" step and entrypoint.sh do (aquasecurity/trivy-action
# @ed142fd0 action.yaml, entrypoint.sh): an input becomes TRIVY_<NAME> only when it is not the default,
# a SARIF run reports every severity, then `trivy <scan-type> <scan-ref>`.
set -euo pipefail
set_if() { if [ -n "$2" ] && [ "$2" != "$3" ]; then export "$1=$2"; fi; }
set_if TRIVY_INPUT "${INPUT_INPUT}" ""
set_if TRIVY_EXIT_CODE "${INPUT_EXIT_CODE}" ""
set_if TRIVY_SEVERITY "${INPUT_SEVERITY}" "UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL"
set_if TRIVY_FORMAT "${INPUT_FORMAT}" "table"
set_if TRIVY_OUTPUT "${INPUT_OUTPUT}" ""
set_if TRIVY_SCANNERS "${INPUT_SCANNERS}" ""
set_if TRIVY_CONFIG "${INPUT_TRIVY_CONFIG}" ""
scan_ref="${INPUT_SCAN_REF:-.}"
[ -z "${INPUT_IMAGE_REF}" ] || scan_ref="${INPUT_IMAGE_REF}"
if [ "${TRIVY_FORMAT:-}" = sarif ]; then unset TRIVY_SEVERITY; fi
# Offline, Trivy cannot download its vulnerability database (ghcr.io, public.ecr.aws, mirror.gcr.io are
# out of reach): the rehearsal turns the vulnerability scanner off, says so, and keeps every other scanner.
# A GitHub run is what scans for vulnerabilities; .ci/run's real-scanner steps do where a database exists.
if [ "${REHEARSAL_TRIVY_NO_DB:-}" = 1 ] && [ "${TRIVY_FORMAT:-}" != cyclonedx ] && [ "${TRIVY_FORMAT:-}" != spdx-json ]; then
  export TRIVY_SCANNERS=misconfig,secret
  echo "rehearsal: Trivy's vulnerability database cannot be downloaded offline; scanners here: ${TRIVY_SCANNERS} (vuln only on GitHub)"
fi
echo "Running Trivy with options: trivy ${INPUT_SCAN_TYPE:-image} ${scan_ref}"
exec trivy "${INPUT_SCAN_TYPE:-image}" "${scan_ref}"

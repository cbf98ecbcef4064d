#!/usr/bin/env bash
# The malicious-package and known-vulnerability gate: osv-scanner checks package-lock.json against OSV,
# whose npm data includes the malicious-package reports (MAL-*) next to GitHub's advisories, so a
# version published with a stealer in it fails here once OSV lists it, whatever its CVSS.
# Accepted findings live in osv-scanner.toml, each with a reason and an ignoreUntil (the workflow
# policy's osv-ignore rules hold them to it); osv-scanner stops honouring an entry on that date, and the
# finding then fails the gate again.
#
# osv-scanner's exit codes at v2.6.0 (cmd/osv-scanner/internal/cmd/run.go): 0 nothing found,
# 1 vulnerabilities found, 127 an error it logged (a database it could not download or read among
# them), 128 no packages found, 129 the OSV API query failed, 130 an invalid config file.
#
# Usage: osv-scanner-gate.sh. Environment: OSV_SCANNER (the binary; default `osv-scanner` on PATH),
# OSV_LOCKFILE (default package-lock.json), OSV_CONFIG (default osv-scanner.toml), OSV_SARIF (default
# reports/osv-scanner.sarif), OSV_LOCAL_DB (a folder holding osv-scalibr/npm/all.zip: scan offline
# against it instead of the OSV API). Appends findings=<n> or outage=<what> to $GITHUB_OUTPUT when set.
# Exit: 0 nothing found; 1 findings (a vulnerability or malicious package not accepted);
#       2 the gate is misconfigured (no packages read from the lockfile, an invalid config file);
#       3 osv-scanner could not check (an outage: nothing was found and nothing passed).
set -uo pipefail

output=${GITHUB_OUTPUT:-/dev/null}
scanner=${OSV_SCANNER:-osv-scanner}
lockfile=${OSV_LOCKFILE:-package-lock.json}
config=${OSV_CONFIG:-osv-scanner.toml}
sarif=${OSV_SARIF:-reports/osv-scanner.sarif}

outage() {
  echo "outage=osv-scanner: $1" >>"${output}"
  echo "::error title=Outage, not a finding::osv-scanner could not check ${lockfile} ($1). Nothing was found and nothing passed: rerun this job once OSV answers (https://osv.dev)."
  exit 3
}

if ! command -v "${scanner}" >/dev/null 2>&1; then
  outage "${scanner} is not installed (bash scripts/ci/install-tools.sh osv-scanner)"
fi

args=(scan source --lockfile "${lockfile}" --config "${config}" --format sarif --output-file "${sarif}")
# Offline: only the local matcher, on the database given; nothing is downloaded.
[ -n "${OSV_LOCAL_DB:-}" ] && args+=(--offline-vulnerabilities --local-db-path "${OSV_LOCAL_DB}")

mkdir -p "$(dirname "${sarif}")"
rm -f "${sarif}"
log=$(mktemp)
trap 'rm -f "${log}"' EXIT
"${scanner}" "${args[@]}" 2>"${log}"
code=$?
cat "${log}" >&2
# What osv-scanner said last, cut to characters that cannot form a workflow command or break a table.
said=$(grep -v '^\s*$' "${log}" | tail -n 1 | tr -cd 'A-Za-z0-9 ./:_()-' | cut -c1-160)

case "${code}" in
  0 | 1)
    if ! jq -e '.runs | type == "array"' "${sarif}" >/dev/null 2>&1; then
      outage "exit ${code} without a SARIF report (${said:-no message})"
    fi
    findings=$(jq '[.runs[].results[]?] | length' "${sarif}")
    echo "findings=${findings}" >>"${output}"
    if [ "${code}" -eq 0 ] && [ "${findings}" -eq 0 ]; then
      echo "osv-scanner: no known vulnerability or malicious package in ${lockfile}"
      exit 0
    fi
    # One line per finding for the log: the OSV id (MAL-* is a malicious package) and the package.
    jq -r '.runs[].results[]? | "\(.ruleId): \(.message.text | split("\n")[0])"' "${sarif}"
    ids=$(jq -r '[.runs[].results[]?.ruleId] | unique | join(" ")' "${sarif}" | tr -cd 'A-Za-z0-9 ._-')
    echo "::error title=Finding::osv-scanner: ${findings} findings in ${lockfile}: ${ids}"
    exit 1
    ;;
  128 | 130)
    echo "::error title=Gate misconfigured::osv-scanner exit ${code} ($([ "${code}" -eq 128 ] && echo "no packages read from ${lockfile}" || echo "${config} is invalid")): ${said}"
    exit 2
    ;;
  *)
    # 127 (a database it could not download or load, or another error it logged), 129 (the API query
    # failed), or a crash: it did not check.
    outage "exit ${code}: ${said:-no message}"
    ;;
esac

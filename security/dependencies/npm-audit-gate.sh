#!/usr/bin/env bash
# The dependency gate's `npm audit`, telling a finding from an outage. npm 11 answers an audit endpoint
# it cannot use (a 405 or 5xx from the registry, a DNS failure) by printing a JSON error object instead of
# a report and exiting 0 or 1 as for findings; read as a report, that is neither "clean" nor "found
# something". Here it is an outage: the gate fails closed, says what could not run and how to rerun.
#
# Usage: npm-audit-gate.sh [signatures]. Without an argument: `npm audit`; it writes npm-audit.json (the
# report) and npm-version.txt (the gate-results attestation reads both).
# Appends findings=<high + critical> or outage=<what> to $GITHUB_OUTPUT when set.
# Exit: 0 no advisory at high or critical; 1 advisories at high or critical (a finding);
#       3 the audit could not run (an outage: nothing was found and nothing passed).
set -uo pipefail

output=${GITHUB_OUTPUT:-/dev/null}

# `signatures`: npm audit signatures (registry signatures and provenance). It needs the registry's keys
# and Sigstore's TUF repository; a network error reaching them is an outage, a bad signature a finding.
if [ "${1:-}" = signatures ]; then
  log=$(mktemp)
  if npm audit signatures 2>&1 | tee "${log}"; then
    rm -f "${log}"
    exit 0
  fi
  if grep -Eq 'code (ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT)|network request to|(50[0-9]|429) [A-Za-z ]+ - GET' "${log}"; then
    reason=$(grep -Eo 'request to https://[A-Za-z0-9./_-]+|(50[0-9]|429) [A-Za-z ]+' "${log}" | head -n 1 | tr -cd 'A-Za-z0-9 ./:_-')
    rm -f "${log}"
    echo "outage=npm audit signatures: ${reason:-network error}" >>"${output}"
    echo "::error title=Outage, not a finding::npm audit signatures could not reach ${reason:-the registry or Sigstore}. Nothing was verified and nothing passed: rerun this job once they answer."
    exit 3
  fi
  rm -f "${log}"
  echo "::error title=Finding::npm audit signatures: a package's registry signature or provenance does not verify"
  exit 1
fi

npm audit --json >npm-audit.json
npm --version >npm-version.txt

if jq -e '.metadata.vulnerabilities | type == "object"' npm-audit.json >/dev/null 2>&1; then
  findings=$(jq '.metadata.vulnerabilities | (.high // 0) + (.critical // 0)' npm-audit.json)
  echo "findings=${findings}" >>"${output}"
  if [ "${findings}" -gt 0 ]; then
    # The human-readable list, for the job log.
    npm audit --audit-level=high
    echo "::error title=Finding::npm audit: ${findings} advisories at high or critical"
    exit 1
  fi
  echo "npm audit: no advisory at high or critical"
  exit 0
fi

# What npm said, cut to characters that cannot form a workflow command or break the summary's table.
reason=$(jq -r '(.message // .error.summary // "no report") | tostring' npm-audit.json 2>/dev/null | head -n 1 |
  tr -cd 'A-Za-z0-9 ./:_-' | cut -c1-160)
reason=${reason:-no report}
echo "outage=npm audit endpoint: ${reason}" >>"${output}"
echo "::error title=Outage, not a finding::npm audit could not run (${reason}). Nothing was found and nothing passed: rerun this job once the registry's audit endpoint answers (https://status.npmjs.org)."
exit 3

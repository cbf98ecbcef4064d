#!/usr/bin/env bash
# Runs after the real gate (security/dependencies/npm-audit-gate.sh) reported an outage (exit 3): the
# registry's audit endpoint does not answer on this machine (405 to the bulk advisory POST), so the
# rehearsal would stop at the dependency gate every time. The outage the real gate reported is recorded
# (the rehearsal checks it was reported as one), then a report shaped as npm 11's `audit --json`, with
# no advisories and a field saying it is a stand-in, lets the run go on to publish.
set -euo pipefail
echo "rehearsal: the real gate reported the audit endpoint's outage above; a stand-in report (no advisories) lets the rehearsal go on"
printf 'dependencies %s\n' "$(grep '^outage=' "${GITHUB_OUTPUT}" | tail -n 1)" >>"${REHEARSAL_OUTAGES:?}"
jq -n '{ auditReportVersion: 2, vulnerabilities: {}, "rehearsal-stand-in": "npm audit endpoint unreachable offline",
  metadata: { vulnerabilities: { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0 } } }' >npm-audit.json
echo 'findings=0' >>"${GITHUB_OUTPUT}"

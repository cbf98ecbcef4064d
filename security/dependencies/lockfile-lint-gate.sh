#!/usr/bin/env bash
# The lockfile policy is lockfile-lint's (the CLI, `npm run lint:lockfile`, its policy under package.json's
# "lockfile-lint" key). This judges one run of it, for CI's dependencies job and `npm run gates` alike.
# lockfile-lint 5.0.1 exits 0 without a word when its `path` matches no file (bin/lockfile-lint.js loops
# over the glob's matches and prints "No issues detected" once per lockfile it checked), so exit 0 alone
# would pass a repository whose lockfile is gone or whose policy names none: a pass needs that line too.
#
# Usage: lockfile-lint-gate.sh [LOG], in the repository. It runs `npm run lint:lockfile -- --format plain`;
# LOG (default: a temporary file) keeps that output.
# Appends findings=<count> or outage=<what> to $GITHUB_OUTPUT when set.
# Exit: 0 the lockfile passes; 1 a finding: it breaks the policy, an entry has no integrity, it cannot be
#       parsed, the policy is missing or malformed, or no lockfile was checked; 3 lockfile-lint could not
#       run at all (an outage: nothing was checked and nothing passed).
set -uo pipefail

output=${GITHUB_OUTPUT:-/dev/null}
log=${1:-$(mktemp)}
cli=node_modules/.bin/lockfile-lint

if [ ! -x "${cli}" ]; then
  echo "outage=lockfile-lint is not installed (npm ci)" >>"${output}"
  echo "::error title=Outage, not a finding::lockfile-lint is not installed (${cli}): run npm ci first. Nothing was checked and nothing passed."
  exit 3
fi

npm run --silent lint:lockfile -- --format plain >"${log}" 2>&1
status=$?
# Ours, because no tool checks it: lockfile-lint passes an entry with no integrity at all (lockfile-lint-api
# 5.9.2 ValidateIntegrity skips it: `if (!('integrity' in packageMetadata)) continue`), and npm ci installs
# such an entry unverified. A fetched entry (it has `resolved`) needs its hash, unless integrity-exclude
# names it. A lockfile that does not parse is left to lockfile-lint to report.
# shellcheck disable=SC2016 # the JavaScript's template literal, not a shell expansion
missing=$(node -e '
  const { readFileSync } = require("node:fs");
  const policy = JSON.parse(readFileSync("package.json", "utf8"))["lockfile-lint"] ?? {};
  let lock;
  try { lock = JSON.parse(readFileSync(policy.path ?? "package-lock.json", "utf8")); } catch { process.exit(0); }
  const excluded = policy["integrity-exclude"] ?? [];
  for (const [key, entry] of Object.entries(lock.packages ?? {})) {
    const name = key.replace(/^.*node_modules\//, "");
    if (entry.resolved && !entry.link && !entry.integrity && !excluded.includes(name))
      console.log(`detected missing integrity hash for package: ${name}@${entry.version}\n    expected: sha512\n    actual: none\n`);
  }' 2>/dev/null)
if [ -n "${missing}" ]; then
  printf '%s\n\n' "${missing}" >>"${log}"
  [ "${status}" -eq 0 ] && status=1
fi
cat "${log}"
# Each breach is one "detected … for package: NAME" paragraph (lockfile-lint-api's validators, and ours).
findings=$(grep -c '^detected ' "${log}")

if [ "${status}" -eq 0 ] && grep -q '^No issues detected' "${log}"; then
  echo "findings=0" >>"${output}"
  exit 0
fi
if [ "${status}" -eq 1 ] && [ "${findings}" -gt 0 ]; then
  echo "findings=${findings}" >>"${output}"
  echo "::error title=Finding::${findings} lockfile entries break the policy (package.json \"lockfile-lint\"; a missing integrity is checked here)"
  exit 1
fi
if [ "${status}" -eq 1 ] && grep -q '^ABORTING lockfile lint' "${log}"; then
  echo "findings=1" >>"${output}"
  echo "::error title=Finding::lockfile-lint cannot parse the lockfile: a lockfile nothing can read installs nothing that was reviewed"
  exit 1
fi
# yargs' usage text and its last line's reason: the policy is missing or names an option wrongly.
if [ "${status}" -eq 1 ] && grep -q '^Usage: lockfile-lint' "${log}"; then
  reason=$(tail -n 1 "${log}" | tr -cd 'A-Za-z0-9 ./:_"-' | cut -c1-160)
  echo "findings=1" >>"${output}"
  echo "::error title=Finding::lockfile-lint refused its policy (package.json \"lockfile-lint\"): ${reason}"
  exit 1
fi
if [ "${status}" -eq 0 ]; then
  echo "findings=1" >>"${output}"
  echo "::error title=Finding::lockfile-lint checked no lockfile: the \"path\" of package.json's \"lockfile-lint\" policy matches no file"
  exit 1
fi
# Anything else (a crash, a bad option, no Node) is lockfile-lint not running, not a verdict on the lockfile.
echo "outage=lockfile-lint exited ${status} without a verdict" >>"${output}"
echo "::error title=Outage, not a finding::lockfile-lint exited ${status} without a verdict (see its output above). Nothing was checked and nothing passed."
exit 3

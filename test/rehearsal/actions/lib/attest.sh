#!/usr/bin/env bash
# See ../attest-build-provenance/action.yml.
set -euo pipefail
if [ "${REHEARSAL_ATTESTATIONS:-}" = unavailable ]; then
  echo "::error::Failed to persist attestation: Feature not available for user-owned private repositories. (rehearsal: as GitHub answers for ${GITHUB_REPOSITORY})"
  exit 1
fi
[[ ${SUBJECT_DIGEST} =~ ^sha256:[0-9a-f]{64}$ ]] || { echo "::error::subject-digest must be sha256:<hex>"; exit 1; }
[ -n "${SUBJECT_NAME}" ] || { echo "::error::one of subject-path or subject-digest and subject-name must be provided"; exit 1; }
name=${SUBJECT_NAME,,}
work=$(mktemp -d "${RUNNER_TEMP}/XXXXXX")
server=${GITHUB_SERVER_URL:-https://github.com}
# The SLSA v1 predicate as actions/attest src/provenance.ts (via @actions/attest buildSLSAProvenancePredicate) fills it.
jq -n --arg server "${server}" --arg repo "${GITHUB_REPOSITORY}" --arg ref "${GITHUB_REF}" --arg sha "${GITHUB_SHA}" \
  --arg workflow "${GITHUB_WORKFLOW_REF:-${GITHUB_REPOSITORY}/.github/workflows/pipeline.yml@${GITHUB_REF}}" \
  --arg event "${GITHUB_EVENT_NAME}" --arg run "${GITHUB_RUN_ID}" '{
  buildDefinition: {
    buildType: "https://actions.github.io/buildtypes/workflow/v1",
    externalParameters: { workflow: { ref: $ref, repository: ($server + "/" + $repo), path: ".github/workflows/pipeline.yml" } },
    internalParameters: { github: { event_name: $event, runner_environment: "self-hosted" } },
    resolvedDependencies: [{ uri: ("git+" + $server + "/" + $repo + "@" + $ref), digest: { gitCommit: $sha } }]
  },
  runDetails: {
    builder: { id: ($server + "/" + $workflow) },
    metadata: { invocationId: ($server + "/" + $repo + "/actions/runs/" + $run + "/attempts/1") }
  }
}' > "${work}/predicate.json"
jq -n --arg name "${name}" --arg digest "${SUBJECT_DIGEST#sha256:}" --slurpfile predicate "${work}/predicate.json" \
  '{ _type: "https://in-toto.io/Statement/v1", subject: [{ name: $name, digest: { sha256: $digest } }],
     predicateType: "https://slsa.dev/provenance/v1", predicate: $predicate[0] }' > "${work}/statement.json"
cosign attest-blob --statement "${work}/statement.json" --bundle "${work}/bundle.json" --yes >&2
out=$(mktemp -d "${RUNNER_TEMP}/XXXXXX")
jq -c . "${work}/bundle.json" >> "${out}/attestation.json"
echo "${out}/attestation.json" >> "${RUNNER_TEMP}/created_attestation_paths.txt"
if [ "${PUSH}" = true ]; then
  cosign attest --yes --type slsaprovenance1 --predicate "${work}/predicate.json" "${name}@${SUBJECT_DIGEST}" >&2
fi
{
  echo "bundle-path=${out}/attestation.json"
  echo "attestation-id=rehearsal-${GITHUB_RUN_ID}"
  echo "attestation-url=${server}/${GITHUB_REPOSITORY}/attestations/rehearsal-${GITHUB_RUN_ID}"
} >> "${GITHUB_OUTPUT}"
echo "rehearsal stand-in: provenance for ${name}@${SUBJECT_DIGEST} signed with the rehearsal key; bundle ${out}/attestation.json"

/**
 * Publish contracts: the digest the gates scanned is the digest pushed, signed and attested. Each was
 * read from the tool's own source at the version we pin (docs/pipeline.md, "Publish and deploy tool
 * contracts"): build-push-action's `digest` is the OCI exporter's manifest digest only for a one-manifest
 * OCI archive (docker/actions-toolkit src/buildx/build.ts resolveDigest; moby/buildkit
 * exporter/oci/export.go); `skopeo copy --preserve-digests` refuses to re-encode the manifest
 * (containers/skopeo cmd/skopeo/copy.go); Trivy given `input:` scans the digest named after "@"
 * (aquasecurity/trivy pkg/fanal/image/oci.go); anchore/sbom-action v0.24.0 runs syft's install.sh from
 * its main branch (src/github/SyftGithubAction.ts). The scripts the workflows run (deploy/oci-image.sh)
 * and the lockfile's install scripts are checked in `../publish-files.ts`.
 */
import type { Json, StepScope } from '../rule.ts';
import { record, text } from '../rule.ts';

export const BUILD_WORKFLOW = '.github/workflows/security-gates.yml';
export const PUBLISH_WORKFLOW = '.github/workflows/pipeline.yml';

export const PULL_REQUEST_ONLY =
  /^\$\{\{\s*github\.event_name\s*==\s*'pull_request'\s*&&\s*'[^']*'\s*\|\|\s*''\s*\}\}$/;
export const DOCKER_REPUBLISH = /\bdocker\s+(?:load|push|tag|image\s+load|image\s+push|image\s+tag)\b/;
export const NPM_INSTALL = /\bnpm\s+(?:ci|install|i)\b[^\n]*/g;
export const SBOM_FORMATS = ['cyclonedx', 'spdx', 'spdx-json'];
export const SIGNER_IDENTITY = String.raw`^https://github\\.com/${'$'}{GITHUB_REPOSITORY//./\\.}/\\.github/workflows/pipeline\\.yml@refs/(heads/main|tags/v.*)\$`;
/** Every digest a gate saw, and the one pushed: the run summary shows them all. */
export const DIGEST_SOURCES = [
  'needs.gates.outputs.image-digest',
  'needs.gates.outputs.trivy-digest',
  'needs.gates.outputs.zap-digest',
  'needs.publish.outputs.digest',
];

export function holdsWrite(job: Json): boolean {
  const permissions = job.permissions;
  if (permissions === 'write-all') return true;
  // No permissions key: the job gets the workflow's, which the policy keeps at {} (permissions-top-level).
  return Object.values(record(permissions)).some((level) => text(level) === 'write');
}

/** Whether a script copies to a registry with skopeo without keeping the manifest's digest. */
export function skopeoCopiesWithoutPreserve(script: string): boolean {
  return script
    .split('\n')
    .filter((line) => /\bskopeo\s+copy\b/.test(line) && /docker:\/\//.test(line))
    .some((line) => !line.includes('--preserve-digests'));
}

// A step with `call: check` runs BuildKit's build checks and builds nothing.
export const isBuildStep = ({ action, file, inputs }: StepScope) =>
  action === 'docker/build-push-action' && file.path === BUILD_WORKFLOW && text(inputs.call) !== 'check';
export const ranBefore = (scope: StepScope, command: RegExp) =>
  scope.steps.slice(0, scope.index).some((step) => command.test(text(step.run)));

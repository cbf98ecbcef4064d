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
import type { Json, Report, StepScope, WorkflowRule } from '../rule.ts';
import { record, text } from '../rule.ts';

export const BUILD_WORKFLOW = '.github/workflows/security-gates.yml';
export const PUBLISH_WORKFLOW = '.github/workflows/pipeline.yml';

const PULL_REQUEST_ONLY =
  /^\$\{\{\s*github\.event_name\s*==\s*'pull_request'\s*&&\s*'[^']*'\s*\|\|\s*''\s*\}\}$/;
const DOCKER_REPUBLISH = /\bdocker\s+(?:load|push|tag|image\s+load|image\s+push|image\s+tag)\b/;
const NPM_INSTALL = /\bnpm\s+(?:ci|install|i)\b[^\n]*/g;
const SBOM_FORMATS = ['cyclonedx', 'spdx', 'spdx-json'];
const SIGNER_IDENTITY = String.raw`^https://github\\.com/${'$'}{GITHUB_REPOSITORY//./\\.}/\\.github/workflows/pipeline\\.yml@refs/(heads/main|tags/v.*)\$`;
/** Every digest a gate saw, and the one pushed: the run summary shows them all. */
const DIGEST_SOURCES = [
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
const isBuildStep = ({ action, file, inputs }: StepScope) =>
  action === 'docker/build-push-action' && file.path === BUILD_WORKFLOW && text(inputs.call) !== 'check';
const ranBefore = (scope: StepScope, command: RegExp) =>
  scope.steps.slice(0, scope.index).some((step) => command.test(text(step.run)));

export const PUBLISH_CONTRACT_RULES: readonly WorkflowRule[] = [
  {
    id: 'oci-build',
    level: 'step',
    description: `The build step of ${BUILD_WORKFLOW} writes one manifest into an OCI archive (type=oci, one platform, no provenance or SBOM manifests, no push), so its \`digest\` output is that manifest's digest.`,
    help: 'outputs: type=oci,dest=…; one platform; provenance and sbom false; push false.',
    check: (scope) => {
      if (!isBuildStep(scope)) return [];
      const { inputs } = scope;
      const oneManifest =
        /^type=oci,dest=/.test(text(inputs.outputs)) &&
        text(inputs.provenance) === 'false' &&
        text(inputs.sbom) === 'false' &&
        text(inputs.platforms) !== '' &&
        !text(inputs.platforms).includes(',') &&
        text(inputs.push) === 'false';
      return oneManifest
        ? []
        : [
            {
              message:
                'build one manifest into an OCI archive: outputs type=oci,dest=…, one platform, provenance and sbom false, push false',
            },
          ];
    },
  },
  {
    id: 'no-release-cache',
    level: 'step',
    description:
      "buildx's gha cache is read and written only on pull_request runs, so a run that can publish restores no cache entry.",
    help: "cache-from/cache-to: ${{ github.event_name == 'pull_request' && '…' || '' }}.",
    check: (scope) =>
      isBuildStep(scope)
        ? ['cache-from', 'cache-to']
            .filter(
              (key) => text(scope.inputs[key]) !== '' && !PULL_REQUEST_ONLY.test(text(scope.inputs[key])),
            )
            .map((key) => ({
              message: `${key} must be used on pull_request runs only: \${{ github.event_name == 'pull_request' && '…' || '' }}`,
              at: [...scope.stepPath, 'with', key],
            }))
        : [],
  },
  {
    id: 'digest-kept',
    level: 'step',
    description:
      'Nothing re-creates the manifest on its way to the registry: no `docker load`, `tag` or `push` of the image, and every `skopeo copy` to a registry says --preserve-digests.',
    help: 'Push with deploy/oci-image.sh push, which copies the archive with skopeo --preserve-digests and compares the digests.',
    check: ({ run }) => [
      ...(DOCKER_REPUBLISH.test(run)
        ? [
            {
              message:
                'docker load/tag/push re-creates the manifest, so the registry digest is not the scanned one; use deploy/oci-image.sh',
            },
          ]
        : []),
      ...(skopeoCopiesWithoutPreserve(run)
        ? [{ message: 'skopeo copy to a registry must say --preserve-digests' }]
        : []),
    ],
  },
  {
    id: 'scan-by-digest',
    level: 'step',
    description:
      'Trivy reads the image from the unpacked archive (`input:`), not from a daemon by name (`image-ref:`), so it scans the digest named after "@".',
    help: 'input: <dir>@<digest>, from deploy/oci-image.sh unpack.',
    check: ({ action, inputs }) =>
      action === 'aquasecurity/trivy-action' &&
      text(inputs['scan-type'] || 'image') === 'image' &&
      (text(inputs['image-ref']) !== '' || text(inputs.input) === '')
        ? [
            {
              message:
                'Trivy must read the unpacked archive by digest (input: <dir>@<digest>), not an image by name',
            },
          ]
        : [],
  },
  {
    id: 'no-install-scripts-with-write',
    level: 'step',
    description: 'A job holding any write permission runs no dependency install script.',
    help: '`npm ci` / `npm install` with --ignore-scripts where the token can write (package.json allowScripts lists what is skipped).',
    check: ({ job, run }) =>
      holdsWrite(job)
        ? (run.match(NPM_INSTALL) ?? [])
            .filter((command) => !command.includes('--ignore-scripts'))
            .map((command) => ({
              message: `the job holds a write permission: "${command.trim()}" must pass --ignore-scripts`,
            }))
        : [],
  },
  {
    id: 'sbom-read-only',
    level: 'step',
    description:
      "No anchore/sbom-action (v0.24.0 runs syft's install.sh from its main branch), and the SBOM is made in a job that holds no write permission.",
    help: 'Make the SBOM with the pinned Trivy in a read-only job, and hand it to publish as an artifact.',
    check: ({ action, inputs, job }): Report[] => {
      if (action === 'anchore/sbom-action') {
        return [
          {
            message:
              "anchore/sbom-action runs syft's install.sh from its main branch; make the SBOM with the pinned Trivy",
          },
        ];
      }
      const makesSbom = action === 'aquasecurity/trivy-action' && SBOM_FORMATS.includes(text(inputs.format));
      return makesSbom && holdsWrite(job)
        ? [{ message: 'the SBOM must be made in a job that holds no write permission' }]
        : [];
    },
  },
  {
    id: 'checked-before-signed',
    level: 'step',
    description:
      'In a job that signs, the push-and-compare (`deploy/oci-image.sh push`) comes before `cosign sign`, and the SBOM check (`deploy/oci-image.sh sbom`) before `cosign attest`.',
    help: 'Sign only a digest the registry was shown to serve, and attest only an SBOM shown to describe it.',
    check: (scope) => [
      ...(/\bcosign\s+sign\b/.test(scope.run) && !ranBefore(scope, /\bdeploy\/oci-image\.sh\s+push\b/)
        ? [
            {
              message:
                'cosign sign before deploy/oci-image.sh push has compared the registry digest with the build digest',
            },
          ]
        : []),
      ...(/\bcosign\s+attest\b/.test(scope.run) && !ranBefore(scope, /\bdeploy\/oci-image\.sh\s+sbom\b/)
        ? [
            {
              message:
                'cosign attest before deploy/oci-image.sh sbom has checked that the SBOM describes the image',
            },
          ]
        : []),
    ],
  },
  {
    id: 'verify-identity',
    level: 'step',
    description:
      "`cosign verify` pins this repository's pipeline on main or a v* tag, as deploy/lib.sh signer_identity_pattern does.",
    help: 'identity="^https://github\\.com/${GITHUB_REPOSITORY//./\\.}/\\.github/workflows/pipeline\\.yml@refs/(heads/main|tags/v.*)$" and --certificate-identity-regexp.',
    check: ({ run }) =>
      /\bcosign\s+verify\b/.test(run) &&
      !(
        run.includes(`identity="${SIGNER_IDENTITY}"`) &&
        run.includes("--certificate-identity-regexp '${identity}'")
      )
        ? [
            {
              message:
                "cosign verify must pin this repository's pipeline.yml on main or a v* tag (deploy/lib.sh)",
            },
          ]
        : [],
  },
  {
    id: 'digest-summary',
    level: 'workflow',
    description: `The run summary of ${PUBLISH_WORKFLOW} shows the digest built, scanned by Trivy, run under ZAP and pushed.`,
    help: 'Pass the gates outputs (GATE_OUTPUTS) and the publish digest to the summary job.',
    check: ({ file, workflow }) => {
      if (file.path !== PUBLISH_WORKFLOW) return [];
      const shown = JSON.stringify(record(record(workflow.jobs).summary).steps ?? []);
      // The summary script (security/gates/write-summary.ts) gets every gate output at once.
      const allGateOutputs = shown.includes('toJSON(needs.gates.outputs)');
      return DIGEST_SOURCES.filter(
        (source) => !shown.includes(source) && !(allGateOutputs && source.startsWith('needs.gates.outputs.')),
      ).map((source) => ({
        message: `the run summary does not show ${source}`,
        at: ['jobs', 'summary'],
      }));
    },
  },
];

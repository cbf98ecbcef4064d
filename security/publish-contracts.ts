/**
 * Contracts of the publish path, read from the tools' own sources at the versions we pin (see
 * docs/pipeline.md, "Publish and deploy tool contracts"), checked against the workflows so an edit that
 * breaks one fails `npm test`:
 *
 * - oci-build: the image is built as an OCI archive holding one manifest (buildx `type=oci`, one
 *   platform, no provenance/SBOM manifests), so build-push-action's `digest` output is that manifest's
 *   digest (docker/actions-toolkit src/buildx/build.ts resolveDigest reads `containerimage.digest`,
 *   which moby/buildkit exporter/oci/export.go sets to the exported descriptor's digest).
 * - digest-kept: nothing re-creates the manifest on the way to the registry: no `docker load`, `docker
 *   tag` or `docker push` of the image (the registry digest would be made at push time), and every
 *   `skopeo copy` to a registry says `--preserve-digests` (containers/skopeo cmd/skopeo/copy.go).
 * - scan-by-digest: Trivy reads the image from the unpacked archive (`input:`), not from a daemon
 *   by name (`image-ref:`), so it scans the digest named after "@" (aquasecurity/trivy
 *   pkg/fanal/image/oci.go).
 * - no-install-scripts-with-write: a job holding any write permission runs no dependency install
 *   script (`npm ci`/`npm install` only with `--ignore-scripts`).
 * - sbom-read-only: no anchore/sbom-action (at v0.24.0 it runs syft's install.sh from the main branch,
 *   src/github/SyftGithubAction.ts), and the job that makes the SBOM holds no write permission.
 * - no-release-cache: buildx's gha cache is read and written only on pull_request runs, so a run that
 *   can publish restores no cache entry.
 * - verify-identity: the run summary's `cosign verify` pins this repository's pipeline on main or a
 *   v* tag, as deploy/lib.sh signer_identity_pattern does.
 * - checked-before-signed: in a job that signs, the push-and-compare (`deploy/oci-image.sh push`)
 *   comes before `cosign sign`, and the SBOM check (`deploy/oci-image.sh sbom`) before `cosign attest`.
 * - digest-summary: the summary shows the digest built, scanned by Trivy, run under ZAP and pushed.
 * - install-scripts-reviewed: every package in package-lock.json that has an install script is named in
 *   package.json `allowScripts`, so `--ignore-scripts` in a write-holding job drops nothing unreviewed.
 */
import { parse } from 'yaml';
import type { Finding, WorkflowFile } from './workflow-policy';

type Json = Record<string, unknown>;

const record = (value: unknown): Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const text = (value: unknown): string =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
const actionOf = (step: Json): string => text(step.uses).split('@')[0] ?? '';

/** A script the workflows run, by path (e.g. deploy/oci-image.sh), checked for the same contracts. */
export interface ScriptFile {
  path: string;
  text: string;
}

const PULL_REQUEST_ONLY =
  /^\$\{\{\s*github\.event_name\s*==\s*'pull_request'\s*&&\s*'[^']*'\s*\|\|\s*''\s*\}\}$/;
const DOCKER_REPUBLISH = /\bdocker\s+(?:load|push|tag|image\s+load|image\s+push|image\s+tag)\b/;
const NPM_INSTALL = /\bnpm\s+(?:ci|install|i)\b[^\n]*/g;
const SBOM_FORMATS = ['cyclonedx', 'spdx', 'spdx-json'];
const SIGNER_IDENTITY = String.raw`^https://github\\.com/${'$'}{GITHUB_REPOSITORY//./\\.}/\\.github/workflows/pipeline\\.yml@refs/(heads/main|tags/v.*)\$`;

function holdsWrite(job: Json): boolean {
  const permissions = job.permissions;
  if (permissions === 'write-all') return true;
  // No permissions key: the job gets the workflow's, which our policy keeps at {} (checked elsewhere).
  return Object.values(record(permissions)).some((level) => text(level) === 'write');
}

function skopeoCopiesWithoutPreserve(script: string): boolean {
  return script
    .split('\n')
    .filter((line) => /\bskopeo\s+copy\b/.test(line) && /docker:\/\//.test(line))
    .some((line) => !line.includes('--preserve-digests'));
}

function checkWorkflowContracts(file: WorkflowFile): Finding[] {
  const findings: Finding[] = [];
  const jobs = record(record(parse(file.text)).jobs);
  const report = (rule: string, job: string, step: string, message: string): void => {
    findings.push({ rule, file: file.path, job, step, message });
  };
  for (const [jobId, rawJob] of Object.entries(jobs)) {
    const job = record(rawJob);
    let pushedAndCompared = false;
    let sbomChecked = false;
    list(job.steps).forEach((rawStep, index) => {
      const step = record(rawStep);
      const label = text(step.name) || text(step.uses) || `step ${index + 1}`;
      const action = actionOf(step);
      const inputs = record(step.with);
      const run = text(step.run);

      if (action === 'docker/build-push-action' && file.path.endsWith('security-gates.yml')) {
        const oneManifest =
          /^type=oci,dest=/.test(text(inputs.outputs)) &&
          text(inputs.provenance) === 'false' &&
          text(inputs.sbom) === 'false' &&
          text(inputs.platforms) !== '' &&
          !text(inputs.platforms).includes(',') &&
          text(inputs.push) === 'false';
        if (!oneManifest) {
          report(
            'oci-build',
            jobId,
            label,
            'build one manifest into an OCI archive: outputs type=oci,dest=…, one platform, provenance and sbom false, push false',
          );
        }
        for (const key of ['cache-from', 'cache-to']) {
          const value = text(inputs[key]);
          if (value !== '' && !PULL_REQUEST_ONLY.test(value)) {
            report(
              'no-release-cache',
              jobId,
              label,
              `${key} must be used on pull_request runs only: \${{ github.event_name == 'pull_request' && '…' || '' }}`,
            );
          }
        }
      }
      if (DOCKER_REPUBLISH.test(run)) {
        report(
          'digest-kept',
          jobId,
          label,
          'docker load/tag/push re-creates the manifest, so the registry digest is not the scanned one; use deploy/oci-image.sh',
        );
      }
      if (skopeoCopiesWithoutPreserve(run)) {
        report('digest-kept', jobId, label, 'skopeo copy to a registry must say --preserve-digests');
      }
      if (action === 'aquasecurity/trivy-action' && text(inputs['scan-type'] || 'image') === 'image') {
        if (text(inputs['image-ref']) !== '' || text(inputs.input) === '') {
          report(
            'scan-by-digest',
            jobId,
            label,
            'Trivy must read the unpacked archive by digest (input: <dir>@<digest>), not an image by name',
          );
        }
      }
      if (holdsWrite(job)) {
        for (const command of run.match(NPM_INSTALL) ?? []) {
          if (!command.includes('--ignore-scripts')) {
            report(
              'no-install-scripts-with-write',
              jobId,
              label,
              `the job holds a write permission: "${command.trim()}" must pass --ignore-scripts`,
            );
          }
        }
      }
      if (action === 'anchore/sbom-action') {
        report(
          'sbom-read-only',
          jobId,
          label,
          "anchore/sbom-action runs syft's install.sh from its main branch; make the SBOM with the pinned Trivy",
        );
      }
      const makesSbom = action === 'aquasecurity/trivy-action' && SBOM_FORMATS.includes(text(inputs.format));
      if (makesSbom && holdsWrite(job)) {
        report(
          'sbom-read-only',
          jobId,
          label,
          'the SBOM must be made in a job that holds no write permission',
        );
      }
      if (/\bcosign\s+sign\b/.test(run) && !pushedAndCompared) {
        report(
          'checked-before-signed',
          jobId,
          label,
          'cosign sign before deploy/oci-image.sh push has compared the registry digest with the build digest',
        );
      }
      if (/\bcosign\s+attest\b/.test(run) && !sbomChecked) {
        report(
          'checked-before-signed',
          jobId,
          label,
          'cosign attest before deploy/oci-image.sh sbom has checked that the SBOM describes the image',
        );
      }
      if (/\bdeploy\/oci-image\.sh\s+push\b/.test(run)) pushedAndCompared = true;
      if (/\bdeploy\/oci-image\.sh\s+sbom\b/.test(run)) sbomChecked = true;
      const verifiesIdentity =
        run.includes(`identity="${SIGNER_IDENTITY}"`) &&
        run.includes("--certificate-identity-regexp '${identity}'");
      if (/\bcosign\s+verify\b/.test(run) && !verifiesIdentity) {
        report(
          'verify-identity',
          jobId,
          label,
          "cosign verify must pin this repository's pipeline.yml on main or a v* tag (deploy/lib.sh)",
        );
      }
    });
  }
  return findings;
}

function checkScriptContracts(script: ScriptFile): Finding[] {
  const findings: Finding[] = [];
  if (skopeoCopiesWithoutPreserve(script.text)) {
    findings.push({
      rule: 'digest-kept',
      file: script.path,
      message: 'skopeo copy to a registry must say --preserve-digests',
    });
  }
  return findings;
}

const DIGEST_SOURCES = [
  'needs.gates.outputs.image-digest',
  'needs.gates.outputs.trivy-digest',
  'needs.gates.outputs.zap-digest',
  'needs.publish.outputs.digest',
];

/** pipeline.yml's summary job shows every digest a gate saw and the one pushed. */
function checkDigestSummary(workflows: WorkflowFile[]): Finding[] {
  const pipeline = workflows.find((file) => file.path.endsWith('/pipeline.yml'));
  if (!pipeline) return [];
  const summary = record(record(record(parse(pipeline.text)).jobs).summary);
  const shown = JSON.stringify(summary.steps ?? []);
  // The summary script (security/gates/write-summary.ts) gets every gate output at once.
  const allGateOutputs = shown.includes('toJSON(needs.gates.outputs)');
  const missing = (source: string) =>
    !shown.includes(source) && !(allGateOutputs && source.startsWith('needs.gates.outputs.'));
  return DIGEST_SOURCES.filter(missing).map((source) => ({
    rule: 'digest-summary',
    file: pipeline.path,
    job: 'summary',
    message: `the run summary does not show ${source}`,
  }));
}

/** Every publish-contract finding in the workflows and the scripts they run. */
export function checkPublishContracts(workflows: WorkflowFile[], scripts: ScriptFile[]): Finding[] {
  return [
    ...workflows.flatMap(checkWorkflowContracts),
    ...checkDigestSummary(workflows),
    ...scripts.flatMap(checkScriptContracts),
  ];
}

/**
 * Every lockfile package with an install script (`hasInstallScript`, as npm records it) is named in
 * package.json `allowScripts`: a reviewed decision, so installing without scripts where a token can
 * write skips only scripts someone has looked at.
 */
export function checkInstallScripts(lockfile: ScriptFile, packageJson: ScriptFile): Finding[] {
  const reviewed = record((JSON.parse(packageJson.text) as Json).allowScripts);
  const packages = record((JSON.parse(lockfile.text) as Json).packages);
  return Object.entries(packages)
    .filter(([, entry]) => record(entry).hasInstallScript === true)
    .map(([key]) => key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length))
    .filter((name) => !(name in reviewed))
    .map((name) => ({
      rule: 'install-scripts-reviewed',
      file: lockfile.path,
      message: `${name} has an install script that package.json allowScripts does not name`,
    }));
}

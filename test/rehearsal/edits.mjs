// The rehearsal's edits to its copies of the workflows, each an exact text replacement that must match
// exactly once (a workflow change that moves the text stops the rehearsal rather than silently running
// the original), each with the reason it is needed on this machine. Nothing else in the copies changes.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, parseDocument } from 'yaml';
import { toolsDir } from '../../security/gates/tools.ts';

const GATES = '.github/workflows/security-gates.yml';
const PIPELINE = '.github/workflows/pipeline.yml';
const TOOLS = 'security/tools.json';
const COSIGN_WORKFLOWS = [
  PIPELINE,
  '.github/workflows/deploy-cloudrun.yml',
  '.github/workflows/deploy-beanstalk.yml',
];
const HARNESS_ROOT = join(import.meta.dirname, '..', '..');

/**
 * The check after each cosign-installer step (scripts/ci/check-tool-sha256.sh cosign) against the
 * rehearsal's cosign: that one is built here from Go source (scripts/ci/install-tools.sh), so its bytes
 * are not the release asset's whose SHA-256 security/tools.json keeps. The copy's tools.json keeps this
 * build's hash instead, and the check hashes the real binary, not the stand-in installer's wrapper
 * (lib/cosign-bin/cosign) that PATH finds first. The real script runs, on the real comparison.
 */
function cosignHashEdits(cosign) {
  const pins = JSON.parse(readFileSync(join(HARNESS_ROOT, TOOLS), 'utf8'));
  const released = pins.tools.cosign.release['linux-amd64'].sha256;
  const built = createHash('sha256').update(readFileSync(cosign)).digest('hex');
  return [
    {
      file: TOOLS,
      from: `"sha256": "${released}"`,
      to: `"sha256": "${built}"`,
      reason: `cosign is built here from Go source, not downloaded: the check after cosign-installer compares with this build's SHA-256 (${built}), not the release's`,
    },
    ...COSIGN_WORKFLOWS.map((file) => ({
      file,
      all: true,
      from: '        run: scripts/ci/check-tool-sha256.sh cosign\n',
      to: '        run: PATH="$(dirname "${REHEARSAL_COSIGN}"):${PATH}" scripts/ci/check-tool-sha256.sh cosign\n',
      reason:
        "the cosign check hashes the real binary (REHEARSAL_COSIGN), not the stand-in installer's key-signing wrapper that PATH finds first",
    })),
  ];
}

// The machine's tool folder (scripts/ci/install-tools.sh), where .ci/run installed the pinned tools.
const TOOLS_DIR = toolsDir();

/** The edits, for a registry host standing in for ghcr.io and the real cosign binary the rehearsal runs. */
export function editsFor(registryHost, { cosign }) {
  return [
    ...cosignHashEdits(cosign),
    {
      file: PIPELINE,
      all: true,
      from: 'ghcr.io',
      to: registryHost,
      reason: `ghcr.io is the local docker-registry at ${registryHost} (no GHCR offline; skopeo and cosign talk to it as to GHCR)`,
    },
    ...['deploy-cloudrun', 'deploy-beanstalk'].map((name) => ({
      file: `.github/workflows/${name}.yml`,
      all: true,
      from: 'ghcr.io',
      to: registryHost,
      reason: `ghcr.io is the local docker-registry at ${registryHost}`,
    })),
    ...[GATES, PIPELINE].flatMap((file) => [
      {
        file,
        all: true,
        from: 'SHS_TOOLS_DIR="${RUNNER_TEMP}/tools" bash scripts/ci/install-tools.sh ',
        to: `SHS_TOOLS_DIR="${TOOLS_DIR}" bash scripts/ci/install-tools.sh `,
        reason:
          "the real installer runs against this machine's tool folder, where every tool a job installs (Checkov, zizmor, hadolint from PyPI; actionlint, gitleaks, osv-scanner, Trivy with go install) is already at its pin: neither PyPI nor the Go proxy answers here, and a fresh install into each run's temporary folder would fail",
      },
      {
        file,
        all: true,
        from: '"${RUNNER_TEMP}/tools/bin/',
        to: `"${TOOLS_DIR}/bin/`,
        reason: "the tools the installer steps above checked, in this machine's tool folder",
      },
    ]),
    // The workflow linters read the workflows as committed (REHEARSAL_COMMITTED, the tree before these
    // edits): the copies act runs hold this file's stand-in shell, which is not what a user pushes.
    {
      file: GATES,
      all: true,
      from: ' --offline --config .github/zizmor.yml --format sarif . > reports/zizmor.sarif',
      to: ' --offline --config .github/zizmor.yml --format sarif "${REHEARSAL_COMMITTED}" > reports/zizmor.sarif',
      reason: 'zizmor audits the workflows as committed, not the copies these edits make for act',
    },
    {
      file: GATES,
      from: " --offline --config .github/zizmor.yml --format plain .'",
      to: ' --offline --config .github/zizmor.yml --format plain "${REHEARSAL_COMMITTED}"\'',
      reason: 'zizmor audits the workflows as committed, not the copies these edits make for act',
    },
    {
      file: GATES,
      // In the committed tree itself: actionlint reads .github/actionlint.yaml from the directory it runs
      // in, and that file's ignores name paths relative to it.
      from: `          "${TOOLS_DIR}/bin/actionlint" -format '{{json .}}' > reports/actionlint.json`,
      to: `          (cd "\${REHEARSAL_COMMITTED}" && "${TOOLS_DIR}/bin/actionlint" -format '{{json .}}') > reports/actionlint.json`,
      reason: 'actionlint lints the workflows as committed, not the copies these edits make for act',
    },
    {
      file: GATES,
      from: '          OSV_SCANNER: ${{ runner.temp }}/tools/bin/osv-scanner\n',
      to: `          OSV_SCANNER: ${TOOLS_DIR}/bin/osv-scanner\n`,
      reason: "the osv-scanner the installer step above checked, in this machine's tool folder",
    },
    {
      file: GATES,
      from: '        run: security/dependencies/osv-scanner-gate.sh\n',
      to: '        run: security/dependencies/osv-scanner-gate.sh || { code=$?; [ "${code}" -eq 3 ] || exit "${code}"; printf \'osv-scanner %s\\n\' "$(grep \'^outage=\' "${GITHUB_OUTPUT}" | tail -n 1)" >> "${REHEARSAL_OUTAGES}"; echo "rehearsal - the OSV API is unreachable here, the gate reported the outage above; the same gate again, offline against the planted database (test/scanners/osv-db)"; OSV_LOCAL_DB="${REHEARSAL_OSV_DB}" security/dependencies/osv-scanner-gate.sh; }\n',
      reason:
        'the OSV API does not answer here: the real gate runs and reports the outage, then runs again offline against the planted database (the real osv-scanner, the real lockfile)',
    },
    {
      file: GATES,
      from: '          npm test -- --json --outputFile=reports/jest-results.json',
      to: '          echo "rehearsal: .ci/run runs npm test in full; here the unit project, for its report"\n          npx jest --selectProjects unit --json --outputFile=reports/jest-results.json',
      reason:
        "the test job runs jest's unit project only: .ci/run's `npm test` step runs the whole suite with coverage",
    },
    {
      file: GATES,
      from: '        run: npm run test:tooling\n',
      to: '        run: echo "rehearsal - .ci/run runs the tooling tests (npm run test:tooling) in full"\n',
      reason: "the tooling tests are .ci/run's own step, with the pinned gitleaks",
    },
    {
      file: GATES,
      from: '        run: security/dependencies/npm-audit-gate.sh\n',
      to: '        run: security/dependencies/npm-audit-gate.sh || { code=$?; [ "${code}" -eq 3 ] || exit "${code}"; "${REHEARSAL_ACTIONS}/lib/npm-audit-standin.sh"; }\n',
      reason:
        "npm audit's endpoint does not answer here: the real gate runs and reports the outage, then a stand-in report lets the run go on",
    },
    {
      file: GATES,
      from: '        run: security/dependencies/npm-audit-gate.sh signatures\n',
      to: '        run: security/dependencies/npm-audit-gate.sh signatures || { code=$?; [ "${code}" -eq 3 ] || exit "${code}"; printf \'dependencies %s\\n\' "$(grep \'^outage=\' "${GITHUB_OUTPUT}" | tail -n 1)" >> "${REHEARSAL_OUTAGES}"; echo "rehearsal - Sigstore\'s TUF repository is unreachable here, the gate reported the outage above, the run goes on"; }\n',
      reason:
        "npm audit signatures needs Sigstore's TUF repository, unreachable here: the real gate reports the outage, then the run goes on",
    },
    // ZAP: no Docker daemon to load and run the image in, and ZAP's image cannot be pulled.
    {
      file: GATES,
      all: true,
      from: '          deploy/oci-image.sh load\n',
      to: '          LAYOUT_DIR="${RUNNER_TEMP}/rehearsal-layout-$RANDOM" deploy/oci-image.sh unpack >/dev/null\n          echo "rehearsal: the archive is verified; not loaded: no Docker daemon here"\n',
      reason: 'the ZAP jobs verify the archive but do not load it: no Docker daemon here',
    },
    {
      file: GATES,
      all: true,
      from: '          docker run --detach --name service-under-scan \\\n            --read-only --cap-drop ALL --security-opt no-new-privileges \\\n            --user 65532:65532 --env-file="${RUNNER_TEMP}/service.env" \\\n            -p "127.0.0.1:${port}:${port}" "$IMAGE_REF"\n',
      to: '          echo "rehearsal: the service is not started for ZAP: no Docker daemon here (the container test runs it under podman)"\n',
      reason:
        "the ZAP jobs' service is not started: no Docker daemon here (.ci/run's container test runs the image)",
    },
    {
      file: GATES,
      all: true,
      from: '          for attempt in $(seq 1 60); do\n            status=$(docker inspect',
      to: '          echo "rehearsal: no container to wait for"; exit 0\n          for attempt in $(seq 1 60); do\n            status=$(docker inspect',
      reason: 'no container to wait for',
    },
    {
      file: GATES,
      from: '          docker run --rm --network host -v "${work}:/zap/wrk:rw" "${image}" \\\n            zap-api-scan.py',
      to: '          "${REHEARSAL_ACTIONS}/lib/zap-standin.sh" "${work}" \\\n            zap-api-scan.py',
      reason:
        "ZAP's image cannot be pulled: a stand-in writes an empty ZAP report and says so (docs/rehearsal.md)",
    },
  ];
}

/** Applies the edits in `repo`; returns one line per edit for the log. */
export function applyEdits(repo, edits) {
  const lines = [];
  for (const edit of edits) {
    const path = join(repo, edit.file);
    const text = readFileSync(path, 'utf8');
    const count = text.split(edit.from).length - 1;
    if (count === 0 || (!edit.all && count !== 1))
      throw new Error(
        `rehearsal edit for ${edit.file} matches ${count} times: ${JSON.stringify(edit.from.slice(0, 80))}`,
      );
    writeFileSync(path, text.split(edit.from).join(edit.to));
    lines.push(`${edit.file}: ${edit.reason}${count > 1 ? ` (${count} places)` : ''}`);
  }
  return lines;
}

/**
 * act v0.2.89 gives a reusable workflow's `outputs` a `jobs` context with each job's outputs but not its
 * `result` (nektos/act pkg/runner/expression.go, model.WorkflowCallResult has Outputs only), so every
 * `${{ jobs.<job>.result }}` is empty there, where GitHub has success/failure/cancelled/skipped. In the
 * rehearsal's copy each gate job reports `job.status` (which act does set) from a last step that always
 * runs, as the output `rehearsal-result`, and the workflow outputs read that instead. Returns the log line.
 */
export async function applyJobResults(repo) {
  const path = join(repo, GATES);
  const document = parseDocument(readFileSync(path, 'utf8'));
  const outputs = document.getIn(['on', 'workflow_call', 'outputs']);
  const jobs = new Set();
  for (const pair of outputs.items) {
    const value = String(pair.value.get('value') ?? '');
    const match = /^\$\{\{ jobs\.([a-z-]+)\.result \}\}$/.exec(value);
    if (!match) continue;
    jobs.add(match[1]);
    pair.value.set('value', `\${{ jobs.${match[1]}.outputs.rehearsal-result }}`);
  }
  for (const job of jobs) {
    if (!isMap(document.getIn(['jobs', job, 'outputs'])))
      document.setIn(['jobs', job, 'outputs'], document.createNode({}));
    document.setIn(
      ['jobs', job, 'outputs', 'rehearsal-result'],
      '${{ steps.rehearsal-result.outputs.result }}',
    );
    document.getIn(['jobs', job, 'steps']).add(
      document.createNode({
        name: 'Rehearsal: the job result for the workflow outputs (act has no jobs.<job>.result there)',
        id: 'rehearsal-result',
        if: '${{ always() }}',
        run: 'echo "result=${{ job.status }}" >> "$GITHUB_OUTPUT"',
      }),
    );
  }
  // Formatted as the repository formats YAML, or the copy's own lint job (Prettier) would fail on it.
  // Loaded here, not at the top: Jest loads this module (test/pipeline/rehearsal-edits.test.ts) as
  // CommonJS, where prettier's own dynamic import cannot run.
  const { default: prettier } = await import('prettier');
  const options = { ...(await prettier.resolveConfig(path)), filepath: path };
  writeFileSync(path, await prettier.format(document.toString({ lineWidth: 0 }), options));
  return `${GATES}: act v0.2.89 has no jobs.<job>.result in reusable-workflow outputs; ${jobs.size} gate jobs report job.status instead`;
}

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return --
   parsed YAML is untyped; the assertions below are the type check. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { GATE_JOBS as GATE_LIST, gateTable } from '../../security/gates/catalog.ts';
import { GATES as LOCAL_GATES } from '../../security/gates/local-gates.ts';
import { parseGateOutputs, summaryMarkdown } from '../../security/gates/summary.ts';
import { GATES, PIPELINE, ROOT, workflowFile } from './helpers.ts';
import { PINNED_BY_DIGEST } from '../../security/constants.ts';

// What the pipeline promises beyond the generic policy: which gates exist and how each one fails.
type Json = Record<string, any>;
const pipeline = parse(workflowFile(PIPELINE).text) as Json;
const gates = parse(workflowFile(GATES).text) as Json;
const steps = (job: string): Json[] => gates.jobs[job].steps as Json[];
const step = (job: string, uses: string): Json[] =>
  steps(job).filter((s) => String(s.uses ?? '').startsWith(`${uses}@`));
const GATE_JOBS = GATE_LIST.map((entry) => entry.job);

describe('pipeline.yml', () => {
  it('runs on pull requests, main, version tags, by hand (no inputs) and weekly', () => {
    expect(pipeline.on.push).toEqual({ branches: ['main'], tags: ['v*'] });
    expect(pipeline.on).toHaveProperty('pull_request');
    expect(pipeline.on.workflow_dispatch).toBeNull();
    expect(pipeline.on.schedule[0].cron).toMatch(/^\S+ \S+ \* \* \d$/);
  });
  it('cancels superseded pull request runs only', () => {
    expect(pipeline.concurrency['cancel-in-progress']).toBe(true);
    expect(pipeline.concurrency.group).toMatch(
      /github\.event_name == 'pull_request' && .*\|\| github\.run_id/,
    );
  });
  it('publishes the gated artifact by digest with SBOM, provenance and a keyless signature', () => {
    const publish = pipeline.jobs.publish as Json;
    expect(publish.needs).toEqual(['gates', 'sbom']);
    const uses = (publish.steps as Json[]).map((s) => String(s.uses ?? '').split('@')[0]);
    expect(uses).toEqual(
      expect.arrayContaining([
        'actions/download-artifact',
        'docker/metadata-action',
        'docker/login-action',
        'actions/attest-build-provenance',
        'sigstore/cosign-installer',
      ]),
    );
    const script = (publish.steps as Json[]).map((s) => String(s.run ?? '')).join('\n');
    // The archive's checksum and manifest digest are checked by deploy/oci-image.sh before it pushes.
    expect(script).toMatch(/deploy\/oci-image\.sh push/);
    expect(script).toMatch(/cosign sign --yes "\$\{IMAGE\}@\$\{DIGEST\}"/);
    const provenance = (publish.steps as Json[]).find((s) =>
      String(s.uses).startsWith('actions/attest-build-provenance@'),
    );
    expect(provenance?.with).toMatchObject({
      'push-to-registry': true,
      'subject-digest': '${{ steps.push.outputs.digest }}',
    });
    expect(publish.outputs.digest).toBe('${{ steps.push.outputs.digest }}');
    // The SBOM comes from a job that can write nothing, made from the scanned archive.
    const sbom = pipeline.jobs.sbom as Json;
    expect(sbom.permissions).toEqual({ contents: 'read' });
    const generator = (sbom.steps as Json[]).find((s) =>
      String(s.uses).startsWith('aquasecurity/trivy-action@'),
    );
    expect(generator?.with).toMatchObject({ format: 'cyclonedx', input: '${{ steps.image.outputs.input }}' });
  });
  it('summarises every gate with its result and findings count', () => {
    const table = (pipeline.jobs.summary.steps as Json[]).find((s) => s.name === 'Gate table');
    expect(table?.env.GATE_OUTPUTS).toBe('${{ toJSON(needs.gates.outputs) }}');
    const outputs: Record<string, string> = {};
    for (const gate of GATE_JOBS) {
      expect(gates.on.workflow_call.outputs[`${gate}-result`].value).toBe(`\${{ jobs.${gate}.result }}`);
      outputs[`${gate}-result`] = `result-of-${gate}`;
      if (gate !== 'build') {
        expect(gates.on.workflow_call.outputs[`${gate}-findings`].value).toBe(
          `\${{ jobs.${gate}.outputs.findings }}`,
        );
        outputs[`${gate}-findings`] = String(gate.length);
      }
    }
    const markdown = summaryMarkdown(outputs, {
      result: 'success',
      image: 'ghcr.io/o/r',
      digest: 'sha256:1',
    });
    const rows = markdown.split('\n').filter((line) => line.startsWith('| '));
    for (const gate of GATE_JOBS) {
      const findings = gate === 'build' ? '-' : String(gate.length);
      expect(rows.some((row) => row.startsWith(`| ${gate} | result-of-${gate} | ${findings} |`))).toBe(true);
    }
    expect(markdown).toContain('| publish | success | - | ghcr.io/o/r@sha256:1 |');
  });
  it('shows a gate that could not run as an outage, not as a finding or a pass', () => {
    const markdown = summaryMarkdown({
      'dependencies-result': 'failure',
      'dependencies-outage': 'npm audit endpoint: 405 Method Not Allowed',
      'trivy-result': 'failure',
      'trivy-findings': '3',
    });
    expect(markdown).toContain(
      '| dependencies | failure: OUTAGE, not a finding (npm audit endpoint: 405 Method Not Allowed); rerun the job | - |',
    );
    expect(markdown).toContain('| trivy | failure | 3 |');
    for (const gate of ['dependencies', 'trivy'])
      expect(gates.on.workflow_call.outputs[`${gate}-outage`].value).toBe(
        `\${{ jobs.${gate}.outputs.outage }}`,
      );
  });
});

describe('security-gates.yml', () => {
  it('is reusable and has every gate', () => {
    expect(Object.keys(gates.on)).toEqual(['workflow_call']);
    expect(Object.keys(gates.jobs)).toEqual(GATE_JOBS);
  });
  it('gates CodeQL on the SARIF it writes, since analyze never fails', () => {
    expect(step('codeql', 'github/codeql-action/analyze')[0]?.with.output).toBe('reports/codeql');
    expect(steps('codeql').at(-1)?.run).toBe(
      'node security/sarif-gate.mjs --fail-level error --fail-security-severity 7.0 reports/codeql',
    );
    expect(step('codeql', 'github/codeql-action/init')[0]?.with).toMatchObject({
      'build-mode': 'none',
      languages: 'javascript-typescript',
    });
  });
  it('runs Trivy twice: SARIF with exit code 0, then a HIGH/CRITICAL table that fails', () => {
    const [report, gate] = step('trivy', 'aquasecurity/trivy-action');
    expect(report?.with).toMatchObject({
      format: 'sarif',
      'exit-code': '0',
      'trivy-config': 'security/trivy/trivy.yaml',
    });
    expect(gate?.with).toMatchObject({
      format: 'table',
      'exit-code': '1',
      severity: 'HIGH,CRITICAL',
      'skip-setup-trivy': 'true',
    });
    expect(gates.jobs.trivy.env.TRIVY_DB_REPOSITORY).toMatch(/^public\.ecr\.aws\/aquasecurity\/trivy-db:2,/);
  });
  it('uploads SARIF with a category of its own per tool', () => {
    const categories = ['lint', 'trivy', 'checkov'].map(
      (job) => step(job, 'github/codeql-action/upload-sarif')[0]?.with.category,
    );
    expect(categories).toEqual(['eslint', 'trivy', 'checkov']);
    expect(step('checkov', 'github/codeql-action/upload-sarif')[0]?.with.sarif_file).toBe(
      'reports/checkov/results_sarif.sarif',
    );
  });
  it('scans the running container hardened, with ZAP failing the job and writing no issues', () => {
    const start = steps('zap').find((s) => String(s.run ?? '').includes('docker run'))?.run as string;
    for (const flag of [
      '--read-only',
      '--cap-drop ALL',
      '--security-opt no-new-privileges',
      // The port and the required settings' stand-ins are src/service.json's (test/deploy/settings.test.ts).
      'port=$(node deploy/settings.mjs port)',
      'node deploy/settings.mjs stand-ins >',
      '-p "127.0.0.1:${port}:${port}"',
    ]) {
      expect(start).toContain(flag);
    }
    expect(step('zap', 'zaproxy/action-baseline')[0]?.with).toMatchObject({
      target: 'http://localhost:${{ steps.service.outputs.port }}/healthcheck',
      rules_file_name: 'security/zap/rules.tsv',
      fail_action: true,
      allow_issue_writing: false,
    });
  });
  it('builds once, with version, description and commit as build args, into an artifact', () => {
    // The one that builds; the other runs BuildKit's checks (call: check).
    const build = step('build', 'docker/build-push-action').find((found) => found.with.outputs)?.with as Json;
    expect(build.push).toBe(false);
    expect(build.outputs).toBe('type=oci,dest=${{ runner.temp }}/image.tar');
    for (const arg of ['APP_VERSION', 'DESCRIPTION', 'LAST_COMMIT_SHA'])
      expect(build['build-args']).toContain(`${arg}=`);
    expect(step('build', 'actions/upload-artifact')[0]?.with.name).toBe('${{ inputs.image-artifact }}');
  });
});

describe('the one list of gates', () => {
  it('names every local gate of npm run gates in exactly one CI job, and only gates that exist', () => {
    // A local gate with a `ci` note (schemathesis, ZAP's API side where ZAP cannot run) is in no CI job.
    const local = LOCAL_GATES.filter((gate) => gate.ci === undefined)
      .map((gate) => gate.name)
      .sort();
    const listed = GATE_LIST.flatMap((entry) => entry.local).sort();
    expect(listed).toEqual(local);
    expect(LOCAL_GATES.filter((gate) => gate.ci !== undefined).map((gate) => gate.name)).toEqual([
      'schemathesis',
    ]);
  });

  it('is the gate table of docs/pipeline.md', () => {
    const docs = readFileSync(join(ROOT, 'docs', 'pipeline.md'), 'utf8');
    const table = /<!-- gate-table:start -->\n([\s\S]*?)\n<!-- gate-table:end -->/.exec(docs)?.[1];
    expect(table).toBe(gateTable());
  });
});

describe('the run summary', () => {
  it('shows the digest built, scanned, run and pushed, from the gates outputs', () => {
    const markdown = summaryMarkdown(
      { 'image-digest': 'sha256:b', 'trivy-digest': 'sha256:t', 'zap-digest': 'sha256:z' },
      { digest: 'sha256:p' },
    );
    for (const row of [
      '| built | sha256:b |',
      '| scanned by Trivy | sha256:t |',
      '| run under ZAP | sha256:z |',
      '| pushed | sha256:p |',
    ])
      expect(markdown).toContain(row);
  });
});

describe('nothing the build or the deploy runs is fetched by a moving name', () => {
  it('runs BuildKit from an image pinned by digest', () => {
    const buildx = step('build', 'docker/setup-buildx-action')[0]?.with as Json;
    expect(buildx['driver-opts']).toMatch(/^image=moby\/buildkit:[\w.-]+@/);
    expect(buildx['driver-opts']).toMatch(PINNED_BY_DIGEST);
  });
  it('uses the runner’s own gcloud rather than downloading the latest', () => {
    const deploy = parse(workflowFile('.github/workflows/deploy-cloudrun.yml').text) as Json;
    const setups = Object.values(deploy.jobs as Json)
      .flatMap((job) => (job as Json).steps as Json[])
      .filter((s) => String(s.uses ?? '').startsWith('google-github-actions/setup-gcloud@'));
    expect(setups.length).toBeGreaterThan(0);
    for (const setup of setups) expect(setup.with).toMatchObject({ skip_install: true });
  });
});

describe('the gates outputs the summary and the attestation read (GATE_OUTPUTS)', () => {
  it('reads an object of strings, and keeps a cell from breaking the table', () => {
    const outputs = parseGateOutputs('{"lint-result":"success","lint-findings":3,"test-result":null}');
    expect(outputs).toEqual({ 'lint-result': 'success', 'lint-findings': '3', 'test-result': '' });
    const markdown = summaryMarkdown({ ...outputs, 'trivy-result': 'fail|ure\nx' });
    expect(markdown).toContain('| trivy | fail ure x |');
    expect(markdown).toContain('| test | unknown |');
    expect(markdown).toContain('| publish | unknown | - | nothing pushed |');
  });

  it.each([
    [undefined, 'GATE_OUTPUTS is not set'],
    ['  ', 'GATE_OUTPUTS is not set'],
    ['["lint-result"]', 'GATE_OUTPUTS is not a JSON object'],
    ['null', 'GATE_OUTPUTS is not a JSON object'],
    ['"success"', 'GATE_OUTPUTS is not a JSON object'],
  ])('refuses %p by name', (json, message) => {
    expect(() => parseGateOutputs(json)).toThrow(message);
  });
});

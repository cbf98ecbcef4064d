/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return --
   parsed YAML is untyped; the assertions below are the type check. */
import { parse } from 'yaml';
import { GATES, PIPELINE, workflowFile } from './helpers';

// What the pipeline promises beyond the generic policy: which gates exist and how each one fails.
type Json = Record<string, any>;
const pipeline = parse(workflowFile(PIPELINE).text) as Json;
const gates = parse(workflowFile(GATES).text) as Json;
const steps = (job: string): Json[] => gates.jobs[job].steps as Json[];
const step = (job: string, uses: string): Json[] =>
  steps(job).filter((s) => String(s.uses ?? '').startsWith(`${uses}@`));
const GATE_JOBS = [
  'lint',
  'test',
  'dependencies',
  'codeql',
  'build',
  'trivy',
  'checkov',
  'zap',
  'secrets-history',
];
// A job id may hold "-"; the summary's environment variable has "_" in its place.
const envName = (gate: string): string => gate.toUpperCase().replace(/-/g, '_');

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
    expect(publish.needs).toEqual(['gates']);
    const uses = (publish.steps as Json[]).map((s) => String(s.uses ?? '').split('@')[0]);
    expect(uses).toEqual(
      expect.arrayContaining([
        'actions/download-artifact',
        'docker/metadata-action',
        'docker/login-action',
        'anchore/sbom-action',
        'actions/attest-build-provenance',
        'sigstore/cosign-installer',
      ]),
    );
    const script = (publish.steps as Json[]).map((s) => String(s.run ?? '')).join('\n');
    expect(script).toMatch(/sha256sum --check/);
    expect(script).toMatch(/cosign sign --yes "\$\{IMAGE\}@\$\{DIGEST\}"/);
    const provenance = (publish.steps as Json[]).find((s) =>
      String(s.uses).startsWith('actions/attest-build-provenance@'),
    );
    expect(provenance?.with).toMatchObject({
      'push-to-registry': true,
      'subject-digest': '${{ steps.push.outputs.digest }}',
    });
    expect(publish.outputs.digest).toBe('${{ steps.push.outputs.digest }}');
  });
  it('summarises every gate with its result and findings count', () => {
    const env = (pipeline.jobs.summary.steps as Json[])[1]?.env as Json;
    for (const gate of GATE_JOBS) {
      expect(env[envName(gate)]).toContain(`needs.gates.outputs.${gate}-result`);
      expect(gates.on.workflow_call.outputs[`${gate}-result`].value).toBe(`\${{ jobs.${gate}.result }}`);
      if (gate !== 'build')
        expect(gates.on.workflow_call.outputs[`${gate}-findings`].value).toBe(
          `\${{ jobs.${gate}.outputs.findings }}`,
        );
    }
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
      'node security/sarif-gate.mjs --fail-level error reports/codeql',
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
    const categories = ['lint', 'trivy', 'checkov', 'secrets-history'].map(
      (job) => step(job, 'github/codeql-action/upload-sarif')[0]?.with.category,
    );
    expect(categories).toEqual(['eslint', 'trivy', 'checkov', 'secrets-history']);
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
      '-p 127.0.0.1:5000:5000',
    ]) {
      expect(start).toContain(flag);
    }
    expect(step('zap', 'zaproxy/action-baseline')[0]?.with).toMatchObject({
      target: 'http://localhost:5000/healthcheck',
      rules_file_name: 'security/zap/rules.tsv',
      fail_action: true,
      allow_issue_writing: false,
    });
  });
  it('builds once, with version, description and commit as build args, into an artifact', () => {
    const build = step('build', 'docker/build-push-action')[0]?.with as Json;
    expect(build.push).toBe(false);
    expect(build.outputs).toBe('type=docker,dest=${{ runner.temp }}/image.tar');
    for (const arg of ['APP_VERSION', 'DESCRIPTION', 'LAST_COMMIT_SHA'])
      expect(build['build-args']).toContain(`${arg}=`);
    expect(step('build', 'actions/upload-artifact')[0]?.with.name).toBe('${{ inputs.image-artifact }}');
  });
  it('scans every commit a push or pull request adds, from the full history, into SARIF', () => {
    expect(step('secrets-history', 'actions/checkout')[0]?.with).toMatchObject({
      'fetch-depth': 0,
      'persist-credentials': false,
    });
    const scan = steps('secrets-history').find((s) => String(s.run ?? '').includes('secrets-history.mjs'));
    expect(scan?.run).toBe(
      'node security/secrets-history.mjs --base "$BASE_SHA" --head "$HEAD_SHA" --sarif reports/secrets-history.sarif',
    );
    expect(scan?.env).toEqual({
      BASE_SHA:
        "${{ github.event_name == 'pull_request' && github.event.pull_request.base.sha || github.event.before }}",
      HEAD_SHA:
        "${{ github.event_name == 'pull_request' && github.event.pull_request.head.sha || github.sha }}",
    });
    expect(step('secrets-history', 'github/codeql-action/upload-sarif')[0]?.with.sarif_file).toBe(
      'reports/secrets-history.sarif',
    );
  });
});

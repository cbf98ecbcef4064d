/**
 * The gate self-test workflow follows the workflow rules, and its flawed variants can neither reach a
 * real gate nor be taken for real code. (Whether the scanners bite on GitHub is what the workflow
 * itself proves when triggered; here we check what can be checked without them.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { checkovArguments } from '../../security/gates/containers.ts';
import { ROOT } from './gate-sandbox.ts';
import { COMMIT_SHA, PINNED_BY_DIGEST } from '../../security/constants.ts';
import { expectZapApiSetup } from './zap-api-job.ts';

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  'continue-on-error'?: unknown;
}
interface Job {
  'timeout-minutes'?: number;
  permissions?: Record<string, string>;
  'continue-on-error'?: unknown;
  steps: Step[];
}

const TEXT = readFileSync(join(ROOT, '.github', 'workflows', 'gate-self-test.yml'), 'utf8');
const workflow = parse(TEXT) as {
  name: string;
  on: Record<string, unknown>;
  permissions: unknown;
  jobs: Record<string, Job>;
};
const jobs = Object.entries(workflow.jobs);
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

test('is triggered by hand only, with no inputs, and starts from no permissions', () => {
  expect(workflow.name).toBe('gate self-test');
  expect(workflow.on).toEqual({ workflow_dispatch: null });
  expect(workflow.permissions).toEqual({});
  expect(jobs.map(([name]) => name).sort()).toEqual(['checkov', 'codeql', 'trivy', 'zap', 'zap-api']);
});

test.each(jobs)(
  'job %s: timeout, least privilege, harden-runner first, no credentials kept',
  (_name, job) => {
    expect(job['timeout-minutes']).toBeGreaterThan(0);
    expect(job.permissions?.contents).toBe('read');
    expect(Object.values(job.permissions ?? {}).every((level) => level === 'read')).toBe(true);
    expect(job.steps[0]?.uses).toMatch(/^step-security\/harden-runner@/);
    const checkout = job.steps.find((step) => step.uses?.startsWith('actions/checkout@'));
    expect(checkout?.with?.['persist-credentials']).toBe(false);
    // Inverted by asserting exit codes and reports. A step that tolerates failure (CI's own action, run
    // as CI runs it) must have an id whose outcome a later step asserts to be failure.
    expect(job['continue-on-error']).toBeUndefined();
    job.steps.forEach((step, index) => {
      if (step['continue-on-error'] === undefined) return;
      expect(step.id).toBeDefined();
      const later = JSON.stringify(job.steps.slice(index + 1));
      expect(later).toContain(`steps.${step.id}.outcome`);
      expect(later).toContain('!= failure');
    });
    // No expression is expanded into a shell script (injection); values come in through env.
    expect(job.steps.filter((step) => step.run?.includes('${{'))).toEqual([]);
  },
);

test('every action is pinned by full commit SHA with its version beside it', () => {
  const uses = TEXT.split('\n').filter((line) => /^\s*(- )?uses:/.test(line));
  expect(uses.length).toBeGreaterThanOrEqual(8);
  for (const line of uses) {
    const pin = /uses: [\w.-]+\/[\w./-]+@(\S+) # v\d+\.\d+\.\d+$/.exec(line);
    expect(pin?.[1]).toMatch(COMMIT_SHA);
  }
});

test('each job asserts a failure of its gate: a non-zero exit or a named finding', () => {
  const runs = (name: string) => (workflow.jobs[name]?.steps ?? []).map((step) => step.run ?? '').join('\n');
  expect(runs('codeql')).toContain('js/command-line-injection');
  expect(runs('checkov')).toMatch(/set \+e\n[\s\S]*code=\$\?\n\s*set -e/);
  // Trivy and the ZAP baseline run through CI's own actions (test/pipeline/self-test-paths.test.ts):
  // the step's outcome must be failure and the report must hold findings.
  for (const name of ['trivy', 'zap']) {
    expect(runs(name)).toMatch(/if \[ "\$\{OUTCOME\}" != failure \] \|\| \[ "\$\{found\}" -lt 1 \]; then/);
  }
  // Checkov is the PyPI release security/tools.json pins, installed as the real gate installs it.
  expect(runs('checkov')).toContain('bash scripts/ci/install-tools.sh checkov');
  // The API scan: the baseline's ZAP image, the real rules, the variant's description, and the
  // active rule 40012 named (an exit code alone could come from a passive rule).
  const api = runs('zap-api');
  expect(api).toMatch(/set \+e\n[\s\S]*code=\$\?\n\s*set -e/);
  expectZapApiSetup(api, 'security/self-test/zap-api/openapi.yaml');
  expect(api).toContain('select(.pluginid == "40012")');
  expect(api).toContain('[ "${code}" -ne 1 ]');
});

test('the scanner images the self-test and npm run gates use are pinned by digest', () => {
  const images = JSON.parse(read('security/gates/images.json')) as Record<string, { reference?: string }>;
  for (const name of ['trivy', 'zap']) {
    expect(images[name]?.reference).toMatch(PINNED_BY_DIGEST);
  }
  // No Checkov image: no digest is known for the pinned release, which comes from PyPI, hash-locked.
  expect(images.checkov).toBeUndefined();
});

test('the flawed variants are marked as such and kept out of the real gates and the image', () => {
  for (const file of [
    'codeql/injectable.ts',
    'trivy/Dockerfile',
    'checkov/root-user.Containerfile',
    'zap/server.mjs',
    'zap-api/server.mjs',
    'zap-api/openapi.yaml',
  ]) {
    expect(read(`security/self-test/${file}`)).toContain('SELF-TEST VARIANT');
  }
  expect(read('eslint.config.mjs')).toContain("'security/self-test/'");
  expect(read('.prettierignore').split('\n')).toContain('security/self-test/');
  expect(read('.secretlintignore').split('\n')).toContain('security/self-test/');
  expect((JSON.parse(read('tsconfig.json')) as { exclude?: string[] }).exclude).toContain(
    'security/self-test',
  );
  // The image's build context is an allow-list that names no self-test path.
  expect(read('.dockerignore')).not.toMatch(/^!.*self-test/m);
});

describe('the real gate scripts run on the scanners’ real output', () => {
  const GATES_TEXT = read('.github/workflows/security-gates.yml');
  const gates = parse(GATES_TEXT) as { jobs: Record<string, Job> };
  const runs = (name: string) => (workflow.jobs[name]?.steps ?? []).map((step) => step.run ?? '').join('\n');

  it('CodeQL: the gate script, with the CI gate step’s own arguments, must exit 1 on the SARIF', () => {
    const ciGate = (gates.jobs.codeql?.steps ?? []).find((step) => step.run?.includes('sarif-gate.mjs'))?.run;
    const ciArguments = /sarif-gate\.mjs (.*) reports\/codeql/.exec(ciGate ?? '')?.[1];
    expect(ciArguments).toContain('--fail-security-severity 7.0');
    expect(runs('codeql')).toContain(`node security/sarif-gate.mjs ${ciArguments} "\${SARIF_DIR}"`);
    expect(runs('codeql')).toMatch(/code=\$\?[\s\S]*if \[ "\$\{code\}" -ne 1 \]/);
  });

  it.each(['trivy', 'checkov'])('%s: the CI count script must count the SARIF the scanner wrote', (name) => {
    expect(runs(name)).toMatch(
      /node security\/sarif-gate\.mjs --count-only (?:"\$\{(?:RUNNER_TEMP\}\/trivy\.sarif|sarif)\}?"|reports\/trivy\.sarif)/,
    );
    expect(runs(name)).toContain('::error::security/sarif-gate.mjs counted');
  });

  it('Checkov: the SARIF is read from the file --output-file-path names for it (one file per --output)', () => {
    const written = /--output-file-path console,"\$\{RUNNER_TEMP\}\/report\/([^"\s]+)"/.exec(
      runs('checkov'),
    )?.[1];
    expect(written).toBe('results_sarif.sarif');
    expect(runs('checkov')).toContain('sarif="${RUNNER_TEMP}/report/results_sarif.sarif"');
  });

  it('ZAP: the count step’s filter from security-gates.yml is checked on the real report', () => {
    const ciCount = (gates.jobs.zap?.steps ?? []).find((step) => step.name === 'Count ZAP alerts')?.run;
    const filter = /jq '([^']+)' report_json\.json/.exec(ciCount ?? '')?.[1];
    expect(filter).toBeDefined();
    // The self-test runs action-baseline as CI does, which writes report_json.json in the workspace.
    expect(runs('zap')).toContain(`jq '${filter}' report_json.json`);
  });
});

test('the local runner reads Checkov’s SARIF from the file its --output-file-path names', () => {
  // Checkov maps a comma list in --output-file-path to the --output values by position, each a FILE
  // (checkov common/runners/runner_registry.py print_reports, save_output_to_file at 3.3.13).
  const args = checkovArguments('.', '/reports/results_sarif.sarif');
  const outputs = args.flatMap((arg, i) => (arg === '--output' ? [args[i + 1]] : []));
  const paths = args[args.indexOf('--output-file-path') + 1]?.split(',');
  expect(outputs).toEqual(['cli', 'sarif']);
  expect(paths).toEqual(['console', '/reports/results_sarif.sarif']);
  const source = read('security/gates/containers.ts');
  expect(source).toContain("join(out, 'results_sarif.sarif')");
  expect(source).toContain("'/reports/results_sarif.sarif'");
});

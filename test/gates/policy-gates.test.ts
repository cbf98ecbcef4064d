/**
 * The project's own policies as gates (security/gates/policies.ts), and the generated blocks
 * (security/gates/generated-files.ts), each on a scratch repository: the real policy code on files made to
 * break it, and the real generated files of this repository copied and edited.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { GateContext } from '../../security/gates/gate.ts';
import { GATES_WORKFLOW } from '../../security/gates/catalog.ts';
import { main, regenerate, stalePaths } from '../../security/gates/generated-files.ts';
import {
  runDockerfilePolicy,
  runWorkflowPolicy,
  WORKFLOW_POLICY_MODULE,
} from '../../security/gates/policies.ts';
import { readSarifResults } from '../../security/gates/sarif.ts';

const ROOT = join(import.meta.dirname, '..', '..');

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'policy-gates-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  jest.restoreAllMocks();
});

const put = (path: string, text: string) => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
};
const copy = (path: string) => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  copyFileSync(join(ROOT, path), join(root, path));
};
const context = () => ({ root, reportsDir: join(root, 'reports') }) as unknown as GateContext;

describe('the dockerfile gate', () => {
  it('passes this repository’s Dockerfile and writes an empty SARIF', async () => {
    copy('Dockerfile');
    await expect(runDockerfilePolicy(context())).resolves.toEqual({ status: 'passed', findings: 0 });
    expect(readSarifResults(join(root, 'reports', 'dockerfile-policy.sarif'))).toEqual([]);
  });

  it('fails a Dockerfile that breaks the policy, one line per finding in the Dockerfile', async () => {
    put('Dockerfile', 'FROM node:latest\nUSER root\nCMD ["node", "dist/server.js"]\n');
    const outcome = await runDockerfilePolicy(context());
    expect(outcome.status).toBe('failed');
    expect(outcome.findings).toBeGreaterThan(0);
    expect(outcome.details?.length).toBe(outcome.findings);
    for (const line of outcome.details ?? []) expect(line).toMatch(/^Dockerfile[: ]/);
  });
});

describe('the workflows gate', () => {
  it('is "not run" when the repository’s policy module has no checkRepository', async () => {
    put(WORKFLOW_POLICY_MODULE, 'export const WORKFLOW_RULES = {};\n');
    await expect(runWorkflowPolicy(context())).resolves.toEqual({
      status: 'not run',
      reason: 'security/workflow-policy.ts does not export checkRepository(root)',
      howTo: 'restore the module from the template',
    });
  });

  it('runs the repository’s own policy: a job breaking it fails, placed at its job', async () => {
    // The real policy, loaded from the scratch repository as the gate loads any repository's.
    put(
      WORKFLOW_POLICY_MODULE,
      `export { checkRepository, WORKFLOW_RULES } from '${join(ROOT, WORKFLOW_POLICY_MODULE)}';\n`,
    );
    copy('security/actions-inputs.json');
    put(
      '.github/workflows/ci.yml',
      'name: ci\non: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - name: Check out\n        uses: actions/checkout@v4\n',
    );
    const outcome = await runWorkflowPolicy(context());
    expect(outcome.status).toBe('failed');
    // The policy's first words on a job with no harden-runner step and no timeout, and a repository
    // with no Dependabot configuration (a finding of the policy files, with no line).
    expect(outcome.details).toEqual(
      expect.arrayContaining([
        '.github/workflows/ci.yml:5 timeout job build: job has no timeout-minutes',
        expect.stringMatching(/^\.github\/workflows\/ci\.yml:8 harden-runner-first job build: /),
        '.github/dependabot.yml dependabot missing',
      ]),
    );
    expect(outcome.details?.length).toBe(outcome.findings);
  });

  it('a policy without a rule table still writes its findings, lines or none', async () => {
    put(
      WORKFLOW_POLICY_MODULE,
      "export function checkRepository() { return [{ rule: 'r', file: 'a.yml', message: 'm' }, { rule: 's', file: 'b.yml', line: 3, job: 'j', step: 'st', message: 'n' }]; }\n",
    );
    const outcome = await runWorkflowPolicy(context());
    expect(outcome).toEqual({
      status: 'failed',
      findings: 2,
      details: ['a.yml r m', 'b.yml:3 s job j: step "st": n'],
    });
  });
});

describe('the generated blocks', () => {
  const FILES = ['docs/pipeline.md', 'docs/workflow-rules.md', GATES_WORKFLOW];
  beforeEach(() => FILES.forEach(copy));

  it('this repository’s files are what the code renders', () => {
    expect(stalePaths(root)).toEqual([]);
    expect(main(root, true)).toBe(0);
  });

  it('a file with no generated block is left as it is', () => {
    expect(regenerate('README.md', 'text\n')).toBe('text\n');
  });

  it('an edited block is stale: --check fails, generate rewrites it back', () => {
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const original = readFileSync(join(root, 'docs/pipeline.md'), 'utf8');
    const edited = original.replace(/(<!-- gate-table:start -->\n)/, '$1| made | up |\n');
    expect(edited).not.toBe(original);
    writeFileSync(join(root, 'docs/pipeline.md'), edited);
    expect(stalePaths(root)).toEqual(['docs/pipeline.md']);
    expect(main(root, true)).toBe(1);
    expect(error.mock.calls.join('\n')).toMatch(/docs\/pipeline\.md is not what .* run npm run generate/);
    expect(readFileSync(join(root, 'docs/pipeline.md'), 'utf8')).toBe(edited);
    expect(main(root, false)).toBe(0);
    expect(log.mock.calls.join('\n')).toBe('generate: rewrote docs/pipeline.md');
    expect(readFileSync(join(root, 'docs/pipeline.md'), 'utf8')).toBe(original);
  });

  it('a file whose markers are gone is an error, not a silent pass', () => {
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const workflow = readFileSync(join(root, GATES_WORKFLOW), 'utf8');
    writeFileSync(join(root, GATES_WORKFLOW), workflow.replace(/# gate-outputs:end/, '# gone'));
    expect(() => regenerate(GATES_WORKFLOW, readFileSync(join(root, GATES_WORKFLOW), 'utf8'))).toThrow(
      /has no .*gate-outputs:start .* markers/,
    );
    expect(main(root, true)).toBe(1);
    expect(error.mock.calls.join('\n')).toMatch(/^generate: .*security-gates\.yml has no/);
  });
});

/**
 * Every gate that can run here is shown to bite: a defect planted in a throw-away copy of the
 * repository makes the gate fail with a finding that names the defect. The same gate on the same copy
 * without the defect passes (cli.test.ts), so the failure is the defect's doing.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Gate } from '../../security/gates/gate.ts';
import { GATES } from '../../security/gates/local-gates.ts';
import { selectTool } from '../../security/gates/tools.ts';
import { makeSandbox, runQuietly, type Sandbox } from './gate-sandbox.ts';
import { sarifErrors } from './sarif-schema.ts';

jest.setTimeout(300_000);

const ROOT = join(import.meta.dirname, '..', '..');

const gate = (name: string): Gate => {
  const found = GATES.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no gate ${name}`);
  return found;
};

let sandbox: Sandbox | undefined;
afterEach(() => {
  sandbox?.remove();
  sandbox = undefined;
});

async function plantAndRun(
  name: string,
  plant: (copy: Sandbox) => void,
  testFiles?: string[],
  include?: (path: string) => boolean,
) {
  sandbox = makeSandbox(include);
  plant(sandbox);
  const summary = await runQuietly(sandbox.root, [gate(name)], testFiles ? { testFiles } : {});
  const [result] = summary.results;
  if (result === undefined) throw new Error('no result');
  return {
    ...result,
    details: (result.details ?? []).join('\n'),
    exitCode: summary.exitCode,
    root: sandbox.root,
  };
}

// The ESLint gate lints its whole copy with the type-aware rules: over a copy of the repository that
// took most of this file's time (115 s of 184 s on two busy cores). The defect is planted in src/, so
// the copy holds what the gate needs to lint src/ as the real tree does: the root files (the ESLint
// config, its .gitignore, package.json, tsconfig.json), src/ and scripts/lint-sarif.mjs (the gate's
// command). Every finding must be the planted one: the smaller copy is otherwise clean, so the failure
// is the defect's doing. `npm test` lints the whole tree.
const ESLINT_BITE_FILES = (path: string): boolean =>
  !path.includes('/') || path.startsWith('src/') || path === 'scripts/lint-sarif.mjs';

test('ESLint fails on a planted eval, naming the file and the rule, and writes valid SARIF', async () => {
  const result = await plantAndRun(
    'eslint',
    (copy) =>
      copy.write('src/planted-eval.ts', 'export const evaluate = (input: string): unknown => eval(input);\n'),
    undefined,
    ESLINT_BITE_FILES,
  );
  expect(result.status).toBe('failed');
  expect(result.exitCode).toBe(2);
  expect(result.findings).toBeGreaterThanOrEqual(1);
  expect(result.details).toMatch(/src\/planted-eval\.ts:1 (no-eval|security\/detect-eval-with-expression)/);
  const others = result.details
    .split('\n')
    .filter((line) => line !== '' && !/src\/planted-eval\.ts:1 /.test(line));
  expect(others).toEqual([]);
  expect(sarifErrors(join(result.root, 'reports', 'eslint.sarif'))).toEqual([]);
});

// The tests gate builds and runs Jest in its copy, the slowest bite: both defects are planted in one
// copy and the gate runs once on both test files; each test below checks that its defect is named.
describe('the tests gate', () => {
  let run: Awaited<ReturnType<typeof plantAndRun>>;
  beforeAll(async () => {
    run = await plantAndRun(
      'tests',
      (copy) => {
        copy.write(
          'test/unit/planted-failure.test.ts',
          "test('planted defect: one plus one', () => {\n  expect(1 + 1).toBe(3);\n});\n",
        );
        copy.replace('src/security-headers.ts', "  ['Cache-Control', 'no-store'],\n", '');
      },
      ['test/unit/planted-failure.test.ts', 'test/integration/app.test.ts'],
    );
    // plantAndRun's copy is removed after each test; this one serves the whole block.
    sandbox = undefined;
  });
  afterAll(() => rmSync(run.root, { recursive: true, force: true }));

  test('fails on a planted failing test, naming it', () => {
    expect(run.status).toBe('failed');
    expect(run.details).toContain('test/unit/planted-failure.test.ts: planted defect: one plus one');
    expect(run.details.match(/planted-failure\.test\.ts: /g)).toHaveLength(1);
  });

  test('fails when a security header is removed from src/security-headers.ts, naming the header test', () => {
    expect(run.status).toBe('failed');
    // The planted failure above is one finding; the header tests are at least one more.
    expect(run.findings).toBeGreaterThanOrEqual(2);
    expect(run.details).toMatch(/test\/integration\/app\.test\.ts: .*header/i);
  });
});

test('the lockfile policy fails on an http:// registry entry, naming the package and the rule', async () => {
  const result = await plantAndRun('lockfile', (copy) =>
    copy.replace(
      'package-lock.json',
      '"resolved": "https://registry.npmjs.org/',
      '"resolved": "http://registry.npmjs.org/',
    ),
  );
  expect(result.status).toBe('failed');
  expect(result.findings).toBe(1);
  // lockfile-lint's own words, one "detected …" paragraph per finding.
  expect(result.details).toMatch(
    /^detected invalid protocol for package: \S+ expected: https: actual: http:$/m,
  );
  expect(readFileSync(join(result.root, 'reports', 'lockfile-lint.txt'), 'utf8')).toContain(
    'Error: security issues detected!',
  );
});

test('the Dockerfile policy fails on a root user and a base by tag, naming both rules', async () => {
  const result = await plantAndRun('dockerfile', (copy) => {
    copy.replace('Dockerfile', 'USER 65532:65532', 'USER root');
    copy.replace('Dockerfile', /^FROM \S+ AS npm-base$/m, 'FROM node:latest AS npm-base');
  });
  expect(result.status).toBe('failed');
  expect(result.details).toMatch(/^Dockerfile:\d+ user-numeric-nonroot USER root/m);
  expect(result.details).toMatch(/^Dockerfile:\d+ base-pinned-by-digest FROM node:latest is not pinned/m);
  expect(sarifErrors(join(result.root, 'reports', 'dockerfile-policy.sarif'))).toEqual([]);
});

const PLANTED_AWS_KEY = ['AKIA', 'QX3V', 'N7TD', 'K2LM', 'R5WZ'].join('');
const PLANTED_AWS_SECRET = ['wJalrXUtnFEMI', 'K7MDENGbPxRfiCY', 'PLANTEDKEY9q'].join('/');

test('the secret scan fails on a planted AWS key, naming the file and the rule', async () => {
  const result = await plantAndRun('secrets', (copy) =>
    copy.write(
      'src/planted-credentials.ts',
      `export const awsAccessKeyId = '${PLANTED_AWS_KEY}';\nexport const awsSecretAccessKey = '${PLANTED_AWS_SECRET}';\n`,
    ),
  );
  expect(result.status).toBe('failed');
  expect(result.details).toMatch(/src\/planted-credentials\.ts:\d+ @secretlint\/secretlint-rule-aws/);
  expect(sarifErrors(join(result.root, 'reports', 'secretlint.sarif'))).toEqual([]);
});

const PLANTED_WORKFLOW = `name: planted
on: pull_request_target
permissions: write-all
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: \${{ github.event.pull_request.head.sha }}
      - run: echo "\${{ github.event.pull_request.title }}"
`;

test('the workflow policy fails on an unpinned action and pull_request_target, naming the file', async () => {
  const result = await plantAndRun('workflows', (copy) =>
    copy.write('.github/workflows/planted.yml', PLANTED_WORKFLOW),
  );
  expect(result.status).toBe('failed');
  expect(result.findings).toBeGreaterThanOrEqual(2);
  expect(result.details).toMatch(/^\.github\/workflows\/planted\.yml[: ]/m);
  expect(sarifErrors(join(result.root, 'reports', 'workflow-policy.sarif'))).toEqual([]);
});

// The sandbox copy has no history of its own: it gets one, in which a secret is added and then deleted.
function commitAll(root: string, message: string): string {
  const git = (...args: string[]): string => {
    const result = spawnSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
    });
    if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
    return result.stdout.trim();
  };
  if (spawnSync('git', ['rev-parse', '--git-dir'], { cwd: root }).status !== 0) {
    git('init', '-q', '-b', 'main');
    git('config', 'user.name', 'Gate Test');
    git('config', 'user.email', 'gate-test@example.invalid');
  }
  git('add', '-A');
  git('commit', '-q', '--no-verify', '--allow-empty', '-m', message);
  return git('rev-parse', 'HEAD');
}

test('the history scan fails on a secret added and deleted again before the push, naming commit and file', async () => {
  const gitleaksInstalled = await selectTool({ root: ROOT, tool: 'gitleaks', engine: undefined }).then(
    (selection) => (selection.kind === 'native' ? selection.path : undefined),
  );
  let leaked = '';
  const result = await plantAndRun('secrets-history', (copy) => {
    commitAll(copy.root, 'Project');
    // Google's API key shape (AIza + 35), random: nothing secret-looking is stored in this file.
    const key = `AIza${randomBytes(40).toString('base64url').slice(0, 35)}`;
    copy.write('src/maps-key.ts', `export const mapsKey = '${key}';\n`);
    leaked = commitAll(copy.root, 'Add a key');
    copy.write('src/maps-key.ts', 'export const mapsKey = process.env.MAPS_KEY;\n');
    commitAll(copy.root, 'Remove the key');
  });
  // gitleaks is its only engine: where the pinned one is not installed, the gate says so and runs nothing.
  if (gitleaksInstalled === undefined) {
    expect(result).toMatchObject({ status: 'not run', exitCode: 3 });
    expect(result.howTo).toContain('install-tools.sh gitleaks');
    return;
  }
  expect(result.status).toBe('failed');
  expect(result.exitCode).toBe(2);
  expect(result.findings).toBe(1);
  expect(result.via).toMatch(/^native v8\./);
  expect(result.details).toContain('src/maps-key.ts:1 gcp-api-key');
  expect(result.details).toContain(`at commit ${leaked}`);
  expect(sarifErrors(join(result.root, 'reports', 'secrets-history.sarif'))).toEqual([]);
});

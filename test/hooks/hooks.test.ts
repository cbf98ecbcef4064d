// The hooks as a developer meets them: a copy of the project in its own repository, hooks installed by
// the prepare script, then real `git commit` and `git push` runs against planted defects.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  createProjectCopy,
  mustRun,
  removeTempDir,
  run as runInSandbox,
  withoutGitleaks,
} from './hook-sandbox.ts';

// These cases test the hook's mechanics with the secret scan's fallback engine (secretlint), whose rule
// names they check, whether or not this machine has gitleaks; secret-scan.test.ts tests both engines.
const run = (command: string, args: string[], cwd: string, env: Record<string, string> = {}) =>
  runInSandbox(command, args, cwd, { ...withoutGitleaks(), ...env });

jest.setTimeout(240_000);

let root: string | undefined;
let repository = '';

function head(): string {
  return mustRun('git', ['rev-parse', 'HEAD'], repository).trim();
}

function stage(path: string, content: string): void {
  const fullPath = join(repository, path);
  mkdirSync(dirname(fullPath), { recursive: true });
  writeFileSync(fullPath, content);
  mustRun('git', ['add', '--', path], repository);
}

function discardUncommitted(): void {
  mustRun('git', ['reset', '-q', '--hard'], repository);
  mustRun('git', ['clean', '-fdq'], repository);
}

function randomFrom(alphabet: string, length: number): string {
  return Array.from(randomBytes(length), (byte) => alphabet.charAt(byte % alphabet.length)).join('');
}

// Fake credentials are made at run time so that this file carries none for the secret scan to find.
// secretlint skips AWS's documented example pair (AKIAIOSFODNN7EXAMPLE), so these are random.
function fakeAwsCredentials(last: string): string {
  const keyId = 'AK' + 'IA' + randomFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16);
  const secretKey = randomFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+', 39) + last;
  return `${JSON.stringify({ aws_access_key_id: keyId, aws_secret_access_key: secretKey }, null, 2)}\n`;
}

function fakePemPrivateKey(): string {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  }).privateKey;
}

beforeAll(() => {
  ({ root, repository } = createProjectCopy());
  const prepare = mustRun('npm', ['run', 'prepare'], repository);
  expect(prepare).not.toMatch(/not installed/);
  expect(mustRun('git', ['config', 'core.hooksPath'], repository).trim()).toBe('.husky/_');
});

afterAll(() => removeTempDir(root));

afterEach(() => {
  if (repository !== '') discardUncommitted();
});

describe('pre-commit hook', () => {
  const codeDefects: { name: string; path: string; rule: string; source: string }[] = [
    {
      name: 'eval of input',
      path: 'src/run-script.ts',
      rule: 'security/detect-eval-with-expression',
      source: 'export function runScript(input: string): unknown {\n  return eval(input);\n}\n',
    },
    {
      name: 'child_process exec with a non-literal command',
      path: 'src/run-command.ts',
      rule: 'security/detect-child-process',
      source:
        "import { exec } from 'node:child_process';\n\n" +
        'export function runCommand(command: string): void {\n  exec(command);\n}\n',
    },
    {
      name: 'a RegExp built from input',
      path: 'src/search.ts',
      rule: 'security/detect-non-literal-regexp',
      source: 'export function matcher(pattern: string): RegExp {\n  return new RegExp(pattern);\n}\n',
    },
    {
      name: 'an fs path from input',
      path: 'src/read-upload.ts',
      rule: 'security/detect-non-literal-fs-filename',
      source:
        "import { readFileSync } from 'node:fs';\n\n" +
        "export function readUpload(name: string): string {\n  return readFileSync(name, 'utf8');\n}\n",
    },
  ];

  it.each(codeDefects)('refuses $name, naming the file and $rule', ({ path, rule, source }) => {
    const before = head();
    stage(path, source);
    const commit = run('git', ['commit', '-m', 'Planted defect'], repository);
    expect(commit.status).not.toBe(0);
    expect(commit.output).toContain(rule);
    expect(commit.output).toContain(path);
    // The resident ESLint answered: the slow fallback is for a broken daemon only.
    expect(commit.output).not.toContain('plain ESLint');
    expect(head()).toBe(before);
  });

  // A key ending in + or / is the case secretlint's AWSSecretAccessKey pattern misses (it ends in \b,
  // preset-recommend 13.x; about 1 key in 32): the fallback's secret-assignment pattern must report it.
  it.each(['+', '/', 'Q'])(
    'refuses an AWS access key and secret pair ending in %s in a JSON file, naming the file and the line',
    (last) => {
      const before = head();
      stage('config/deploy-credentials.json', fakeAwsCredentials(last));
      const commit = run('git', ['commit', '-m', 'Planted AWS keys'], repository);
      expect(commit.status).not.toBe(0);
      expect(commit.output).toContain('@secretlint/secretlint-rule-aws');
      expect(commit.output).toContain('AWSAccessKeyID');
      // Line 3 holds aws_secret_access_key.
      expect(commit.output).toContain('config/deploy-credentials.json:3 ');
      expect(head()).toBe(before);
    },
  );

  it('refuses a PEM private key, naming the file and the rule', () => {
    const before = head();
    stage('deploy/signing-key.pem', fakePemPrivateKey());
    const commit = run('git', ['commit', '-m', 'Planted private key'], repository);
    expect(commit.status).not.toBe(0);
    expect(commit.output).toContain('@secretlint/secretlint-rule-privatekey');
    expect(commit.output).toContain('deploy/signing-key.pem');
    expect(head()).toBe(before);
  });

  it('scans a file forced past .gitignore, since it is committed all the same', () => {
    const before = head();
    writeFileSync(join(repository, '.gitignore'), 'node_modules/\n*.pem\n');
    mustRun('git', ['commit', '-q', '--no-verify', '-am', 'Ignore keys'], repository);
    const ignoredBefore = head();
    writeFileSync(join(repository, 'forced.pem'), fakePemPrivateKey());
    mustRun('git', ['add', '-f', 'forced.pem'], repository);
    const commit = run('git', ['commit', '-m', 'Forced key'], repository);
    expect(commit.status).not.toBe(0);
    expect(commit.output).toContain('@secretlint/secretlint-rule-privatekey');
    expect(head()).toBe(ignoredBefore);
    mustRun('git', ['reset', '-q', '--hard', before], repository);
  });

  it('scans a symlink replaced by a regular file (a type change, which git lists apart from modifications)', () => {
    const before = head();
    symlinkSync('README.md', join(repository, 'deploy-key.pem'));
    mustRun('git', ['add', 'deploy-key.pem'], repository);
    mustRun('git', ['commit', '-q', '--no-verify', '-m', 'A link'], repository);
    const linked = head();
    rmSync(join(repository, 'deploy-key.pem'));
    writeFileSync(join(repository, 'deploy-key.pem'), fakePemPrivateKey());
    mustRun('git', ['add', 'deploy-key.pem'], repository);
    expect(mustRun('git', ['status', '--porcelain', '--', 'deploy-key.pem'], repository)).toMatch(/^T /);
    const commit = run('git', ['commit', '-m', 'The link becomes a key'], repository);
    expect(commit.status).not.toBe(0);
    expect(commit.output).toContain('@secretlint/secretlint-rule-privatekey');
    expect(commit.output).toContain('deploy-key.pem');
    expect(head()).toBe(linked);
    mustRun('git', ['reset', '-q', '--hard', before], repository);
  });

  it('refuses a staged file Prettier would reformat, naming the file', () => {
    const before = head();
    stage('src/untidy.ts', 'export const untidy = {a:1,   b:2}\n');
    const commit = run('git', ['commit', '-m', 'Untidy'], repository);
    expect(commit.status).not.toBe(0);
    expect(commit.output).toContain('src/untidy.ts');
    expect(commit.output).toMatch(/prettier --check/);
    expect(head()).toBe(before);
  });

  it('commits a clean change', () => {
    const before = head();
    stage(
      'src/greeting.ts',
      'export function greeting(name: string): string {\n  return `Hello, ${name}`;\n}\n',
    );
    stage('docs/notes.md', '# Notes\n\nNothing secret here.\n');
    const commit = run('git', ['commit', '-m', 'Clean change'], repository);
    expect(commit.output).not.toMatch(/✖/);
    expect(commit.status).toBe(0);
    expect(head()).not.toBe(before);
    expect(mustRun('git', ['show', '--name-only', '--format=', 'HEAD'], repository).split('\n')).toEqual(
      expect.arrayContaining(['src/greeting.ts', 'docs/notes.md']),
    );
  });

  it('commits a file whose eslint-disable names a type-aware rule the hook does not run', () => {
    const before = head();
    stage(
      'src/parse-json.ts',
      '// eslint-disable-next-line @typescript-eslint/no-unsafe-return -- JSON.parse is untyped by design\n' +
        'export const parseJson = (text: string): unknown => JSON.parse(text);\n',
    );
    const commit = run('git', ['commit', '-m', 'Type-aware directive'], repository);
    expect(commit.output).not.toMatch(/Unused eslint-disable/);
    expect(commit.status).toBe(0);
    expect(head()).not.toBe(before);
  });

  describe('a partially staged file (git add, then more edits)', () => {
    const evalLine = '  return eval(input);\n';
    const cleanSource = 'export function runScript(input: string): unknown {\n  return input;\n}\n';

    it('is refused for a defect in its staged part, and its unstaged edits stay in the working tree', () => {
      const before = head();
      stage('src/run-script.ts', cleanSource.replace('  return input;\n', evalLine));
      const withUnstagedEdit = `${readFileSync(join(repository, 'src/run-script.ts'), 'utf8')}// unstaged note\n`;
      writeFileSync(join(repository, 'src/run-script.ts'), withUnstagedEdit);
      const commit = run('git', ['commit', '-m', 'Planted defect, partially staged'], repository);
      expect(commit.status).not.toBe(0);
      expect(commit.output).toContain('src/run-script.ts:2:10 error security/detect-eval-with-expression');
      expect(head()).toBe(before);
      // lint-staged hid the unstaged edit while the checks ran; a failed check must not leave it hidden.
      expect(readFileSync(join(repository, 'src/run-script.ts'), 'utf8')).toBe(withUnstagedEdit);
      expect(mustRun('git', ['status', '--porcelain', '--', 'src/run-script.ts'], repository)).toMatch(
        /^AM src\/run-script\.ts/,
      );
    });

    it('commits the staged part only when the defect is in the unstaged part, which stays unstaged', () => {
      const before = head();
      stage('src/run-script.ts', cleanSource);
      const withUnstagedDefect = cleanSource.replace('  return input;\n', evalLine);
      writeFileSync(join(repository, 'src/run-script.ts'), withUnstagedDefect);
      const commit = run('git', ['commit', '-m', 'Clean staged part'], repository);
      expect(commit.output).not.toMatch(/✖/);
      expect(commit.status).toBe(0);
      expect(head()).not.toBe(before);
      // mustRun's output is stdout, a newline, then stderr (empty here).
      expect(mustRun('git', ['show', 'HEAD:src/run-script.ts'], repository)).toBe(`${cleanSource}\n`);
      expect(readFileSync(join(repository, 'src/run-script.ts'), 'utf8')).toBe(withUnstagedDefect);
      mustRun('git', ['reset', '-q', '--hard', before], repository);
    });
  });

  it("runs a template user's own lint-staged entry: a glob and a shell command, given the staged files", () => {
    const before = head();
    // A check of the kind a team adds: a small script, run by lint-staged as its own process with the
    // matched files' paths appended.
    stage(
      'scripts/no-todo.mjs',
      "import { readFileSync } from 'node:fs';\n\n" +
        'const unfinished = process.argv\n' +
        '  .slice(2)\n' +
        '  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the staged files lint-staged passes\n' +
        "  .filter((file) => readFileSync(file, 'utf8').includes('TODO'));\n" +
        'for (const file of unfinished) console.error(`${file}: a TODO is left`);\n' +
        'process.exitCode = unfinished.length > 0 ? 1 : 0;\n',
    );
    const config = readFileSync(join(repository, 'lint-staged.config.mjs'), 'utf8');
    const extended = config.replace(
      'export default {\n',
      "export default {\n  '*.txt': 'node scripts/no-todo.mjs',\n",
    );
    expect(extended).not.toBe(config);
    stage('lint-staged.config.mjs', extended);
    mustRun('git', ['commit', '-q', '--no-verify', '-m', 'A check of our own'], repository);

    stage('notes/plan.txt', 'TODO: write the plan\n');
    const refused = run('git', ['commit', '-m', 'Unfinished plan'], repository);
    expect(refused.status).not.toBe(0);
    expect(refused.output).toMatch(/notes\/plan\.txt: a TODO is left/);

    stage('notes/plan.txt', 'The plan: ship it.\n');
    const committed = run('git', ['commit', '-m', 'Finished plan'], repository);
    expect(committed.status).toBe(0);
    expect(mustRun('git', ['show', '--name-only', '--format=', 'HEAD'], repository).trim()).toBe(
      'notes/plan.txt',
    );
    mustRun('git', ['reset', '-q', '--hard', before], repository);
  });

  it("stops with the Node-line guard's one line on another Node line, when node_modules/.bin/node is missing", () => {
    const before = head();
    // The Node running this test stands for "another line": the copy's package.json pins Node 99, and its
    // node_modules is moved away, so node_modules/.bin/node is missing as after `npm ci --omit=optional`.
    const manifestPath = join(repository, 'package.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, Record<string, string>>;
    for (const name of Object.keys(manifest.optionalDependencies ?? {})) {
      manifest.optionalDependencies![name] = '99.1.2';
    }
    writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
    stage('src/greeting.ts', "export const greeting = 'Hello';\n");
    renameSync(join(repository, 'node_modules'), join(repository, 'node_modules.away'));
    let commit;
    try {
      commit = run('git', ['commit', '-m', 'On another Node'], repository);
    } finally {
      renameSync(join(repository, 'node_modules.away'), join(repository, 'node_modules'));
    }
    expect(commit.status).not.toBe(0);
    expect(head()).toBe(before);
    const lines = commit.output.split('\n').filter((line) => line.trim() !== '');
    expect(lines).toEqual([
      `This project runs on Node 99 (package.json pins 99.1.2); this is Node ${process.versions.node} (${process.execPath}): node_modules/.bin/node is missing: run \`npm ci\` (an install with --omit=optional leaves it out), or put Node 99 first on PATH.`,
      'husky - pre-commit script failed (code 1)',
    ]);
  });

  it('is skipped with HUSKY=0', () => {
    const before = head();
    stage(
      'src/run-script.ts',
      'export function runScript(input: string): unknown {\n  return eval(input);\n}\n',
    );
    const commit = run('git', ['commit', '-m', 'Hooks off'], repository, { HUSKY: '0' });
    expect(commit.status).toBe(0);
    expect(head()).not.toBe(before);
    mustRun('git', ['reset', '-q', '--hard', before], repository);
  });
});

describe('pre-push hook', () => {
  const remoteHead = (remote: string): string =>
    mustRun('git', ['ls-remote', remote, 'refs/heads/main'], repository).trim().split('\t')[0] ?? '';

  it('blocks a push whose unit tests fail, and lets a passing state through', () => {
    const remote = join(root ?? '', 'remote.git');
    mustRun('git', ['init', '-q', '--bare', remote], repository);
    const testPath = 'test/unit/planted.test.ts';
    const plantedTest = (expected: number): string =>
      `it('adds two and two', () => {\n  expect(2 + 2).toBe(${String(expected)});\n});\n`;

    stage(testPath, plantedTest(5));
    mustRun('git', ['commit', '-q', '-m', 'Failing test'], repository);
    const refused = run('git', ['push', remote, 'main'], repository);
    expect(refused.status).not.toBe(0);
    expect(refused.output).toContain('adds two and two');
    expect(refused.output).toContain('husky - pre-push script failed');
    expect(remoteHead(remote)).toBe('');

    stage(testPath, plantedTest(4));
    mustRun('git', ['commit', '-q', '-m', 'Fix the test'], repository);
    const pushed = run('git', ['push', remote, 'main'], repository);
    expect(pushed.status).toBe(0);
    expect(remoteHead(remote)).toBe(head());
  });

  it('blocks a push that fails the type check', () => {
    const remote = join(root ?? '', 'remote-typecheck.git');
    mustRun('git', ['init', '-q', '--bare', remote], repository);
    stage('test/unit/planted.test.ts', "it('holds', () => {\n  expect(1).toBe(1);\n});\n");
    stage('src/wrong-type.ts', "export const port: number = 'five thousand';\n");
    mustRun('git', ['commit', '-q', '-m', 'Wrong type'], repository);
    const refused = run('git', ['push', remote, 'main'], repository);
    expect(refused.status).not.toBe(0);
    expect(refused.output).toContain('src/wrong-type.ts');
    expect(refused.output).toMatch(/TS2322/);
    expect(remoteHead(remote)).toBe('');
  });
});

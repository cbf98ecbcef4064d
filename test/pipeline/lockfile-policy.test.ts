import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './helpers.ts';

// lockfile-lint itself (`npm run lint:lockfile`, the policy under package.json's "lockfile-lint" key), as
// CI's dependencies job and the local `lockfile` gate both judge it (security/dependencies/
// lockfile-lint-gate.sh), on the real lockfile and on copies with one planted defect each.
const GATE = join(ROOT, 'security', 'dependencies', 'lockfile-lint-gate.sh');
const manifest = readFileSync(join(ROOT, 'package.json'), 'utf8');
const lockfile = readFileSync(join(ROOT, 'package-lock.json'), 'utf8');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lockfile-policy-'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function lint(lock: string | undefined, packageJson = manifest) {
  rmSync(join(dir, 'package-lock.json'), { force: true });
  if (lock !== undefined) writeFileSync(join(dir, 'package-lock.json'), lock);
  writeFileSync(join(dir, 'package.json'), packageJson);
  const outputs = join(dir, 'github-output');
  writeFileSync(outputs, '');
  const result = spawnSync('bash', [GATE], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, GITHUB_OUTPUT: outputs },
  });
  return {
    status: result.status,
    output: `${result.stdout}${result.stderr}`,
    outputs: readFileSync(outputs, 'utf8'),
  };
}
const STRIP_ANSI = 'https://registry.npmjs.org/strip-ansi/-/strip-ansi-6.0.1.tgz';

describe('lockfile policy (lockfile-lint, judged by lockfile-lint-gate.sh)', () => {
  it('passes the committed lockfile, which records every resolved URL', () => {
    expect(lockfile).toContain(`"resolved": "${STRIP_ANSI}"`);
    expect(lint(lockfile)).toMatchObject({ status: 0, outputs: 'findings=0\n' });
  });

  it.each([
    [
      'plain http',
      lockfile.replace(STRIP_ANSI, 'http://registry.npmjs.org/strip-ansi/-/strip-ansi-6.0.1.tgz'),
      /^detected invalid protocol for package: strip-ansi@6\.0\.1/m,
    ],
    [
      'another host',
      lockfile.replace(STRIP_ANSI, 'https://registry.evil.example/strip-ansi/-/strip-ansi-6.0.1.tgz'),
      /^detected invalid host\(s\) for package: strip-ansi@6\.0\.1/m,
    ],
    [
      'a weak integrity hash',
      lockfile.replace(/"integrity": "sha512-[^"]+"/, '"integrity": "sha1-2jmXgKIvrj/gRrEaVNjC2gqfj0I="'),
      /^detected invalid integrity hash type for package: /m,
    ],
    [
      'a resolved URL with another name',
      lockfile.replace(STRIP_ANSI, 'https://registry.npmjs.org/not-strip-ansi/-/not-strip-ansi-6.0.1.tgz'),
      /^detected resolved URL for package with a different name: strip-ansi\n/m,
    ],
  ])('fails a lockfile with %s, with the CLI naming the package', (_case, planted, said) => {
    expect(planted).not.toEqual(lockfile);
    const result = lint(planted);
    expect(result.status).toBe(1);
    expect(result.output).toMatch(said);
    expect(result.outputs).toMatch(/^findings=[1-9]\d*\n$/);
  });

  it('fails an entry without integrity, which lockfile-lint itself passes (the check of our own)', () => {
    const lock = JSON.parse(lockfile) as { packages: Record<string, { integrity?: string }> };
    const entry = lock.packages['node_modules/strip-ansi'];
    expect(entry?.integrity).toMatch(/^sha512-/);
    delete entry?.integrity;
    const planted = `${JSON.stringify(lock, null, 2)}\n`;
    const result = lint(planted);
    expect(result.status).toBe(1);
    expect(result.output).toMatch(/^detected missing integrity hash for package: strip-ansi@\S+$/m);
    // The CLI alone: "No issues detected", exit 0. When that changes, our check has done its time.
    const cli = spawnSync('npm', ['run', '--silent', 'lint:lockfile', '--', '--format', 'plain'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect({ status: cli.status, output: cli.stdout.trim() }).toEqual({
      status: 0,
      output: 'No issues detected',
    });
  });

  it('fails a lockfile the CLI cannot parse, a missing lockfile and a missing policy: none is a pass', () => {
    expect(lint('not json')).toMatchObject({ status: 1, outputs: 'findings=1\n' });
    // lockfile-lint itself exits 0 here, silently: its path matched no file.
    const missing = lint(undefined);
    expect(missing.status).toBe(1);
    expect(missing.output).toContain('lockfile-lint checked no lockfile');
    const unconfigured = lint(lockfile, '{"scripts":{"lint:lockfile":"lockfile-lint"}}');
    expect(unconfigured.status).toBe(1);
    expect(unconfigured.output).toContain('Missing required argument: path');
  });

  it('is an outage, not a pass, when lockfile-lint is not installed', () => {
    rmSync(join(dir, 'node_modules'));
    try {
      const result = lint(lockfile);
      expect(result.status).toBe(3);
      expect(result.outputs).toMatch(/^outage=lockfile-lint is not installed/);
    } finally {
      symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    }
  });
});

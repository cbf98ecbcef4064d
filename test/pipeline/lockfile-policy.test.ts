import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkLockfile, LOCKFILE_POLICY_KEY } from '../../security/gates/policies.ts';
import { ROOT } from './helpers.ts';

// lockfile-lint itself, with the project's policy (package.json's "lockfile-lint" key, the first place
// its cosmiconfig search looks), on the real lockfile and on copies with one planted defect each. The
// local gate applies the same policy through lockfile-lint-api: both must agree on every case.
const CLI = require.resolve('lockfile-lint/bin/lockfile-lint.js', { paths: [ROOT] });
const policy = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>)[
  LOCKFILE_POLICY_KEY
] as Parameters<typeof checkLockfile>[0];
const lockfile = readFileSync(join(ROOT, 'package-lock.json'), 'utf8');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lockfile-policy-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function lint(lock: string): number | null {
  writeFileSync(join(dir, 'package-lock.json'), lock);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ [LOCKFILE_POLICY_KEY]: policy }));
  return spawnSync(process.execPath, [CLI], { cwd: dir, encoding: 'utf8' }).status;
}
const STRIP_ANSI = 'https://registry.npmjs.org/strip-ansi/-/strip-ansi-6.0.1.tgz';

describe('lockfile policy (npm run lint:lockfile)', () => {
  it('passes the committed lockfile, which records every resolved URL', () => {
    expect(lockfile).toContain(`"resolved": "${STRIP_ANSI}"`);
    expect(lint(lockfile)).toBe(0);
    expect(checkLockfile(policy, lockfile)).toEqual([]);
  });
  it.each([
    [
      'plain http',
      lockfile.replace(STRIP_ANSI, 'http://registry.npmjs.org/strip-ansi/-/strip-ansi-6.0.1.tgz'),
      'lockfile-https',
    ],
    [
      'another host',
      lockfile.replace(STRIP_ANSI, 'https://registry.evil.example/strip-ansi/-/strip-ansi-6.0.1.tgz'),
      'lockfile-allowed-hosts',
    ],
    [
      'a weak integrity hash',
      lockfile.replace(/"integrity": "sha512-[^"]+"/, '"integrity": "sha1-2jmXgKIvrj/gRrEaVNjC2gqfj0I="'),
      'lockfile-integrity',
    ],
  ])('fails a lockfile with %s, in the CLI and in the gate alike', (_case, planted, rule) => {
    expect(planted).not.toEqual(lockfile);
    expect(lint(planted)).toBe(1);
    expect(checkLockfile(policy, planted).map((finding) => finding.rule)).toContain(rule);
  });

  it('names the package, the rule and the lockfile line; refuses a policy key it does not apply', () => {
    const planted = lockfile.replace(
      STRIP_ANSI,
      'https://registry.npmjs.org/not-strip-ansi/-/not-strip-ansi-6.0.1.tgz',
    );
    const [finding] = checkLockfile(policy, planted).filter((f) => f.rule === 'lockfile-package-name');
    expect(finding?.message).toMatch(
      /^strip-ansi: resolved URL with a different name \(expected: strip-ansi, actual: not-strip-ansi\)$/,
    );
    expect(planted.split('\n')[(finding?.line ?? 0) - 1]).toContain('"node_modules/strip-ansi"');
    expect(checkLockfile({ ...policy, 'allowed-urls': ['x'] } as typeof policy, lockfile)).toEqual([
      expect.objectContaining({
        rule: 'lockfile-policy',
        message: expect.stringMatching(/does not apply allowed-urls/),
      }),
    ]);
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './helpers';

// lockfile-lint itself, with the project's policy (.lockfile-lintrc.json), on the real lockfile and on
// copies with one planted defect each.
const CLI = require.resolve('lockfile-lint/bin/lockfile-lint.js', { paths: [ROOT] });
const policy = JSON.parse(readFileSync(join(ROOT, '.lockfile-lintrc.json'), 'utf8')) as Record<
  string,
  unknown
>;
const lockfile = readFileSync(join(ROOT, 'package-lock.json'), 'utf8');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lockfile-policy-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function lint(lock: string): number | null {
  writeFileSync(join(dir, 'package-lock.json'), lock);
  writeFileSync(join(dir, '.lockfile-lintrc.json'), JSON.stringify(policy));
  return spawnSync(process.execPath, [CLI], { cwd: dir, encoding: 'utf8' }).status;
}
const STRIP_ANSI = 'https://registry.npmjs.org/strip-ansi/-/strip-ansi-6.0.1.tgz';

describe('lockfile policy (npm run lint:lockfile)', () => {
  it('passes the committed lockfile, which records every resolved URL', () => {
    expect(lockfile).toContain(`"resolved": "${STRIP_ANSI}"`);
    expect(lint(lockfile)).toBe(0);
  });
  it.each([
    [
      'plain http',
      lockfile.replace(STRIP_ANSI, 'http://registry.npmjs.org/strip-ansi/-/strip-ansi-6.0.1.tgz'),
    ],
    [
      'another host',
      lockfile.replace(STRIP_ANSI, 'https://registry.evil.example/strip-ansi/-/strip-ansi-6.0.1.tgz'),
    ],
    [
      'a weak integrity hash',
      lockfile.replace(/"integrity": "sha512-[^"]+"/, '"integrity": "sha1-2jmXgKIvrj/gRrEaVNjC2gqfj0I="'),
    ],
  ])('fails a lockfile with %s', (_case, planted) => {
    expect(planted).not.toEqual(lockfile);
    expect(lint(planted)).toBe(1);
  });
});

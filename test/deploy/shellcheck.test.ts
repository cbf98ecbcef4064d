import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEPLOY_DIR, REPO_ROOT, makeSandbox } from './support.ts';

const available = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' }).status === 0;
const inCi = process.env.CI === 'true';

// Off CI a developer may lack shellcheck: the test is skipped, and says so. On CI (.ci/run installs it)
// a missing shellcheck is a failure, never a silent pass.
if (!available && !inCi) {
  console.warn(
    'shellcheck is not installed: the deploy scripts were NOT linted (apt-get install shellcheck)',
  );
}
const testIfLintable = available || inCi ? test : test.skip;

const scripts = readdirSync(DEPLOY_DIR)
  .filter((name) => name.endsWith('.sh'))
  .map((name) => path.join('deploy', name));

describe('shellcheck on deploy/*.sh', () => {
  test('finds the scripts', () => {
    expect(scripts).toEqual(
      expect.arrayContaining([
        'deploy/beanstalk.sh',
        'deploy/cloudrun.sh',
        'deploy/lib.sh',
        'deploy/resolve-release.sh',
        'deploy/smoke-test.sh',
      ]),
    );
  });

  testIfLintable('is installed (CI installs it)', () => {
    expect(available).toBe(true);
  });

  testIfLintable('reports nothing on the deploy scripts', () => {
    const result = spawnSync('shellcheck', ['--external-sources', ...scripts], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  testIfLintable('bites: an unquoted expansion is reported', () => {
    const sandbox = makeSandbox();
    try {
      const planted = path.join(sandbox.dir, 'planted.sh');
      writeFileSync(planted, '#!/usr/bin/env bash\nset -euo pipefail\nrm -rf $1/cache\n');
      const result = spawnSync('shellcheck', [planted], { encoding: 'utf8' });
      expect(result.status).not.toBe(0);
      expect(result.stdout).toContain('SC2086');
    } finally {
      sandbox.cleanup();
    }
  });
});

/**
 * The install cooldown (.npmrc `min-release-age`) is the one Dependabot waits before proposing a version
 * (.github/dependabot.yml `cooldown.default-days` of the npm ecosystem), and npm really reads it from the
 * project's .npmrc: a version younger than that is refused by `npm install` and by `npm ci` alike.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './helpers.ts';

interface Update {
  'package-ecosystem': string;
  cooldown?: { 'default-days'?: number };
}

const dependabot = parse(readFileSync(join(ROOT, '.github', 'dependabot.yml'), 'utf8')) as {
  updates: Update[];
};

test('npm’s install cooldown equals Dependabot’s npm cooldown', () => {
  const npmUpdate = dependabot.updates.find((update) => update['package-ecosystem'] === 'npm');
  const days = npmUpdate?.cooldown?.['default-days'];
  expect(days).toBeGreaterThan(0);
  const npmrc = readFileSync(join(ROOT, '.npmrc'), 'utf8');
  expect(/^min-release-age=(\d+)$/m.exec(npmrc)?.[1]).toBe(String(days));
});

test('npm reads the cooldown from the project’s .npmrc', () => {
  const value = execFileSync('npm', ['config', 'get', 'min-release-age', '--location=project'], {
    cwd: ROOT,
    encoding: 'utf8',
  }).trim();
  const npmUpdate = dependabot.updates.find((update) => update['package-ecosystem'] === 'npm');
  expect(value).toBe(String(npmUpdate?.cooldown?.['default-days']));
});

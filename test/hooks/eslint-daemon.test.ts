/**
 * The resident ESLint the pre-commit hook starts must not outlive the commits by long (issue 24: it was
 * left running for eslint_d's default fifteen idle minutes). The hook starts it through eslint_d's
 * client with ESLINT_D_IDLE, which the client passes to the daemon it launches (eslint_d 15
 * lib/launcher.js, getIDLE); a stand-in client records what it was given.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hookedProjectCopy, isolatedEnv, mustRun, removeTempDir } from './hook-sandbox.ts';

let root: string | undefined;
let repository = '';
beforeAll(() => {
  ({ root, repository } = hookedProjectCopy());
});
afterAll(() => removeTempDir(root));

function commitWithClient(env: NodeJS.ProcessEnv): string {
  const seen = join(root ?? '', 'idle.txt');
  const client = join(root ?? '', 'recording-eslint_d.mjs');
  // Records the idle time it was asked for, then fails to start: the hook falls back to plain ESLint.
  writeFileSync(
    client,
    `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(seen)}, process.env.ESLINT_D_IDLE ?? 'unset');\nprocess.exitCode = 1;\n`,
  );
  writeFileSync(
    join(repository, 'src', 'sum.ts'),
    'export const sum = (a: number, b: number): number => a + b;\n',
  );
  mustRun('git', ['add', 'src/sum.ts'], repository);
  const commit = spawnSync('git', ['commit', '-qm', 'A file'], {
    cwd: repository,
    env: { ...env, PRECOMMIT_ESLINT_D: client },
    encoding: 'utf8',
  });
  expect(`${commit.status} ${commit.stderr}`).toMatch(/^0 /);
  mustRun('git', ['reset', '-q', '--hard', 'HEAD~1'], repository);
  return readFileSync(seen, 'utf8');
}

test('the daemon the hook starts stops after two idle minutes, unless the developer says otherwise', () => {
  const env = isolatedEnv();
  delete env.ESLINT_D_IDLE;
  expect(commitWithClient(env)).toBe('2');
  expect(commitWithClient({ ...env, ESLINT_D_IDLE: '30' })).toBe('30');
});

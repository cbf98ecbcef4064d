// Runs Jest as `npm test` does (the arguments after this script's name), and keeps its result for the
// tree it ran on (security/gates/test-result.ts): `npm run gates` then reuses it instead of running the
// suite again. A result is kept only when Jest passed and no file changed while it ran.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_RESULT_DIR, TEST_RESULT_FILE, workingTree } from '../security/gates/test-result.ts';

const root = process.cwd();
const report = `${TEST_RESULT_DIR}/jest.json`;
rmSync(join(root, TEST_RESULT_FILE), { force: true });
mkdirSync(join(root, TEST_RESULT_DIR), { recursive: true });
const before = workingTree(root);
const jest = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const run = spawnSync(process.execPath, [jest, ...process.argv.slice(2), '--json', '--outputFile', report], {
  stdio: 'inherit',
});
const status = run.status ?? 1;
if (status === 0 && before !== undefined && workingTree(root) === before) {
  writeFileSync(join(root, TEST_RESULT_FILE), `${JSON.stringify({ tree: before, report })}\n`);
}
process.exit(status);

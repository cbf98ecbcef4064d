/**
 * scripts/test-checks.mjs, the checks `npm test` makes before Jest, run on a project whose five npm
 * scripts are stand-ins: each records when it starts and ends in marker files, so the tests see which
 * checks ran side by side and in what order without measuring time.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './helpers.ts';

// Under load a stand-in may wait long for its lane-mates; a sequential runner makes each give up (20 s).
jest.setTimeout(120_000);

const CHECKS = ['lint', 'secrets', 'build', 'format:check', 'typecheck'] as const;
type Check = (typeof CHECKS)[number];
// The checks that start at once, one per lane; the build follows the secret scan in its lane.
const FIRST_IN_LANE: readonly Check[] = ['lint', 'secrets', 'format:check', 'typecheck'];

// A stand-in check: prints a line, waits (for its lane-mates to start, or for the secret scan to end),
// prints a second line and exits with the status FAIL_<name> asks for.
const STAND_IN = `
import { existsSync, writeFileSync } from 'node:fs';
const name = process.argv[2];
const marker = (what, check) => \`\${what}-\${check.replace(':', '-')}\`;
writeFileSync(marker('started', name), '');
console.log(\`\${name}: first line\`);
const waitFor = (paths) => {
  const until = Date.now() + 20000;
  while (!paths.every((path) => existsSync(path))) {
    if (Date.now() > until) { console.log(\`\${name}: gave up waiting for \${paths.join(' ')}\`); process.exit(9); }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
};
if (name === 'build') {
  console.log(\`build: secrets ended before it started: \${existsSync(marker('ended', 'secrets'))}\`);
} else {
  waitFor(${JSON.stringify(FIRST_IN_LANE)}.map((check) => marker('started', check)));
}
console.log(\`\${name}: second line, args \${JSON.stringify(process.argv.slice(3))}\`);
const status = Number(process.env[\`FAIL_\${name.replace(':', '_')}\`] ?? 0);
if (status !== 0) console.error(\`\${name}: planted failure\`);
writeFileSync(marker('ended', name), '');
process.exit(status);
`;

let project = '';
beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), 'test-checks-'));
  writeFileSync(join(project, 'check.mjs'), STAND_IN);
  const scripts = Object.fromEntries(CHECKS.map((check) => [check, `node check.mjs ${check}`]));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'stand-in', private: true, scripts }));
});
afterEach(() => rmSync(project, { recursive: true, force: true }));

function runChecks(failing: Partial<Record<Check, number>> = {}) {
  const env = { ...process.env };
  for (const [check, status] of Object.entries(failing))
    env[`FAIL_${check.replace(':', '_')}`] = String(status);
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'test-checks.mjs')], {
    cwd: project,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** What a check printed: the block from its header to the next one. */
function block(stdout: string, check: Check): string {
  const start = stdout.indexOf(`> npm run ${check}:`);
  if (start < 0) return '';
  const next = stdout.indexOf('\n> npm run ', start + 1);
  return stdout.slice(start, next < 0 ? undefined : next);
}

test('runs the four lanes at once and the build after the secret scan, each output whole, and passes', () => {
  const run = runChecks();
  expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
  for (const check of CHECKS) {
    const printed = block(run.stdout, check);
    const [header, first] = printed.split('\n');
    expect(header).toMatch(/^> npm run [a-z:]+: passed in \d+\.\d s$/);
    expect([header?.startsWith(`> npm run ${check}: `), first]).toEqual([true, `${check}: first line`]);
    expect(printed).toContain(`${check}: second line`);
    expect(printed).not.toContain('gave up waiting');
  }
  expect(block(run.stdout, 'build')).toContain('build: secrets ended before it started: true');
  // The caches npm test keeps: ESLint's and Prettier's, passed to their scripts.
  expect(block(run.stdout, 'lint')).toContain('"--cache","--cache-strategy","content"');
  expect(block(run.stdout, 'format:check')).toContain('"--cache","--cache-location"');
});

test('fails when any check fails, naming each one that did, with its output', () => {
  const run = runChecks({ 'format:check': 1, typecheck: 2 });
  expect(run.status).toBe(1);
  expect(block(run.stdout, 'format:check')).toMatch(/^> npm run format:check: FAILED \(exit 1\)/);
  expect(block(run.stdout, 'format:check')).toContain('format:check: planted failure');
  expect(block(run.stdout, 'typecheck')).toMatch(/^> npm run typecheck: FAILED \(exit 2\)/);
  expect(block(run.stdout, 'lint')).toMatch(/^> npm run lint: passed/);
  expect(run.stderr.trim()).toBe('npm test: failed: format:check, typecheck');
});

test('a failed secret scan leaves the build unrun, and says so', () => {
  const run = runChecks({ secrets: 1 });
  expect(run.status).toBe(1);
  expect(run.stderr.trim()).toBe('npm test: failed: secrets; not run after it: build');
  expect(block(run.stdout, 'build')).toBe('');
  expect(existsSync(join(project, 'started-build'))).toBe(false);
});

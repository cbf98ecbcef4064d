/**
 * The local osv-scanner gate (`npm run gates --only osv-scanner`): the CI job's own script with the
 * native osv-scanner security/tools.json pins. Without the binary the gate is "not run" with how to
 * install it. With it (.ci/run installs it before the tests), offline against the planted database of
 * test/scanners/osv-db: the lockfile passes, a lockfile resolving the planted malicious version fails
 * naming the MAL- id, and a missing database is "not run" (an outage), never a pass.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { toolsDir } from '../../security/gates/tools.ts';
import { makeSandbox, ROOT, type Sandbox } from './gate-sandbox.ts';

jest.setTimeout(180_000);

const installedTools = toolsDir();
const whenInstalled = existsSync(join(installedTools, 'bin', 'osv-scanner')) ? it : it.skip;

let sandbox: Sandbox;
let work: string;
let database: string;
beforeAll(() => {
  sandbox = makeSandbox();
  work = mkdtempSync(join(tmpdir(), 'osv-gate-'));
  // The builder is an ES module run as a script (jest loads test files as CommonJS).
  const built = spawnSync(
    process.execPath,
    [join(ROOT, 'test/scanners/osv-db/make-osv-db.mjs'), join(work, 'db')],
    {
      encoding: 'utf8',
    },
  );
  if (built.status !== 0) throw new Error(`build.mjs: ${built.stderr}`);
  database = built.stdout.trim();
});
afterAll(() => {
  sandbox.remove();
  rmSync(work, { recursive: true, force: true });
});

function gate(env: NodeJS.ProcessEnv) {
  const result = spawnSync(
    process.execPath,
    ['security/gates/run.ts', '--only', 'osv-scanner', '--verbose'],
    {
      cwd: sandbox.root,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, ...env },
      timeout: 170_000,
    },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const row = (stdout: string) =>
  stdout
    .split('\n')
    .find((line) => line.startsWith('| osv-scanner '))
    ?.replace(/ +/g, ' ');

it('is "not run" with how to install it where osv-scanner is not installed', () => {
  const run = gate({ SHS_TOOLS_DIR: work, OSV_LOCAL_DB: database });
  expect(row(run.stdout)).toMatch(/^\| osv-scanner \| not run \| - \|/);
  expect(run.stdout).toContain('osv-scanner not run: osv-scanner v2.6.0 is not installed natively');
  expect(run.stdout).toContain('bash scripts/ci/install-tools.sh osv-scanner');
});

describe('with the installed osv-scanner, offline against the planted database', () => {
  whenInstalled('passes the repository lockfile: no finding, SARIF written', () => {
    const run = gate({ SHS_TOOLS_DIR: installedTools, OSV_LOCAL_DB: database });
    expect(row(run.stdout)).toMatch(
      /^\| osv-scanner \| passed \| 0 \| [\d.]+ s \| native v2\.6\.0, offline: OSV_LOCAL_DB=\S+, not api\.osv\.dev \|$/,
    );
    const sarif = JSON.parse(readFileSync(join(sandbox.root, 'reports', 'osv-scanner.sarif'), 'utf8')) as {
      runs: { tool: { driver: { name: string; version: string } }; results: unknown[] }[];
    };
    expect(sarif.runs[0]?.tool.driver).toMatchObject({ name: 'osv-scanner', version: '2.6.0' });
    expect(sarif.runs.flatMap((run) => run.results)).toEqual([]);
  });

  whenInstalled(
    'fails a lockfile that resolves debug to the planted malicious 4.4.2, naming MAL-2099-0001',
    () => {
      const original = sandbox.read('package-lock.json');
      const lock = JSON.parse(original) as { packages: Record<string, { version: string }> };
      const debug = lock.packages['node_modules/debug'];
      if (debug === undefined) throw new Error('package-lock.json has no debug');
      debug.version = '4.4.2';
      sandbox.write('package-lock.json', JSON.stringify(lock, null, 2));
      try {
        const run = gate({ SHS_TOOLS_DIR: installedTools, OSV_LOCAL_DB: database });
        expect(row(run.stdout)).toMatch(/^\| osv-scanner \| failed \| 1 \|/);
        expect(run.stdout).toMatch(/MAL-2099-0001/);
        expect(run.status).not.toBe(0);
      } finally {
        sandbox.write('package-lock.json', original);
      }
    },
  );

  whenInstalled('is "not run" (an outage) when the database is missing, never passed', () => {
    const run = gate({ SHS_TOOLS_DIR: installedTools, OSV_LOCAL_DB: join(work, 'no-db') });
    expect(row(run.stdout)).toMatch(/^\| osv-scanner \| not run \| - \|/);
    expect(run.stdout).toContain('osv-scanner could not check the lockfile (an outage)');
    expect(run.stdout).toContain('no offline version of the OSV database is available');
  });
});

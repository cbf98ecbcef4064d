/**
 * The gates of security/gates/gates.ts that read what their tool wrote, fed in process with output the
 * real tool wrote (test/fixtures/gate-outputs/), so every branch is reached on a machine with none of the
 * tools installed. How each fixture was made (2026-12-02, on this repository's pins):
 *
 * - secrets-history-leak.sarif: gitleaks 8.30.1 (install-tools.sh's copy, passed as $GITLEAKS) under `node
 *   security/secrets-history.mjs --base '' --head HEAD --sarif …` in a scratch repository with this
 *   .gitleaks.toml, whose second commit added a GitHub token (`ghp_` and 36 characters) and whose third
 *   deleted it; exit 1, stdout as in SECRETS_HISTORY_LEAK_STDOUT. gitleaks redacted the secret itself. Its
 *   tool.driver.rules is cut to the one rule the result names: with gitleaks' whole catalog in the file, the
 *   keyword of its rule for one vendor's 40-hex-digit tokens is there too, so the scratch commit's SHA read
 *   as such a token to the repository's own history scan (bites.test.ts). The gate reads results only.
 * - secrets-history-clean.sarif: the same with --base at HEAD's own branch tip (no commit to scan); exit 0.
 * - secrets-history-outage.stderr.txt: the same with `--head no-such-ref`; exit 2.
 * - lockfile-*.log.txt / lockfile-*.stdout.txt: `bash security/dependencies/lockfile-lint-gate.sh LOG` with
 *   lockfile-lint 5.0.1 (node_modules) and this package.json's policy, in a scratch repository whose lockfile
 *   had an http: entry on another host with a sha1 integrity plus an entry with no integrity (bad, exit 1),
 *   one registry.npmjs.org sha512 entry (good, exit 0), or `{not json` (abort, exit 1); outage: the script
 *   in a folder with no node_modules (exit 3, no log).
 * - eslint-findings.sarif: eslint 10.15.0 as scripts/lint-sarif.mjs runs it (`--max-warnings=0 --format
 *   @microsoft/eslint-formatter-sarif`) on a scratch src/__probe/probe.ts returning `table[key] ?? eval("0")`
 *   (exit 1: no-eval and @typescript-eslint/no-unsafe-return).
 * - jest-*.json: jest 30.5.2 `--ci --json --outputFile` in a scratch folder (RECORDED_ROOT): failing has a
 *   suite with one failed test, one passing suite and one that does not parse (exit 1); passing one suite
 *   (exit 0); floor one passing test under `--coverage --coverageThreshold '{"global":{"branches":90}}'`
 *   that covers 50 % (exit 1, stderr in jest-floor.stderr.txt).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { ProcessResult } from '../../security/gates/engine.ts';
import type { GateContext, GateOutcome, RunOptions } from '../../security/gates/gate.ts';
import { GATES } from '../../security/gates/local-gates.ts';
import { TEST_RESULT_DIR, TEST_RESULT_FILE, workingTree } from '../../security/gates/test-result.ts';
import type { ToolSelection } from '../../security/gates/tools.ts';
import { COMMIT_SHA } from '../../security/constants.ts';
import { folderPerTest } from '../support/scratch.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'gate-outputs');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const RECORDED_ROOT = '/tmp/tmp.fsRI1hEYkd';
const GITLEAKS_BIN = join(process.env.HOME ?? '/root', '.cache', 'shs-tools', 'bin', 'gitleaks');

interface Call {
  readonly command: string;
  readonly args: readonly string[];
  readonly options?: RunOptions;
}

type Answer = (call: Call) => ProcessResult;

const scratch = folderPerTest('gate-outputs-');
let root: string;
let reportsDir: string;
beforeEach(() => {
  root = scratch();
  reportsDir = join(root, 'reports');
});

/** Runs one gate of GATES with `answer` standing in for the commands it starts; returns what it ran. */
async function runGate(
  name: string,
  answer: Answer,
  extra: Partial<Pick<GateContext, 'testFiles'>> & { shared?: Map<string, unknown> } = {},
): Promise<{ outcome: GateOutcome; calls: Call[] }> {
  const gate = GATES.find((candidate) => candidate.name === name);
  if (gate === undefined) throw new Error(`no gate ${name}`);
  const calls: Call[] = [];
  const context: GateContext = {
    root,
    reportsDir,
    engine: undefined,
    earlier: new Map(),
    shared: extra.shared ?? new Map(),
    cleanups: [],
    testFiles: extra.testFiles,
    run: (command, args, options) => {
      const call = { command, args, options };
      calls.push(call);
      return Promise.resolve(answer(call));
    },
  };
  return { outcome: await gate.run(context), calls };
}

const argAfter = (args: readonly string[], flag: string) => {
  const at = args.indexOf(flag);
  if (at < 0) throw new Error(`no ${flag} in ${args.join(' ')}`);
  return args[at + 1] as string;
};

describe('secrets-history (gitleaks over the commits not yet pushed)', () => {
  const SECRETS_HISTORY_LEAK_STDOUT =
    'b999f2d0e41b4d9137243e168581546960a23f52 leak.ts:1 github-pat: github-pat has detected secret for file leak.ts at commit b999f2d0e41b4d9137243e168581546960a23f52.\n';
  const native: ToolSelection = { kind: 'native', path: GITLEAKS_BIN, version: '8.30.1' };
  const withGitleaks = () => new Map<string, unknown>([['tool:gitleaks', native]]);
  // git rev-parse --verify --quiet @{upstream} on a branch with no upstream: exit 1, nothing written.
  const noUpstream: ProcessResult = { status: 1, stdout: '', stderr: '' };

  const script =
    (upstream: ProcessResult, status: number, sarif: string | undefined, stdout = '', stderr = ''): Answer =>
    ({ command, args }) => {
      if (command === 'git') return upstream;
      if (sarif !== undefined) {
        const path = argAfter(args, '--sarif');
        mkdirSync(join(path, '..'), { recursive: true });
        copyFileSync(join(FIXTURES, sarif), path);
      }
      return { status, stdout, stderr };
    };

  it('fails on a secret committed and deleted again, naming the file, rule and commit', async () => {
    const { outcome, calls } = await runGate(
      'secrets-history',
      script(noUpstream, 1, 'secrets-history-leak.sarif', SECRETS_HISTORY_LEAK_STDOUT),
      { shared: withGitleaks() },
    );
    expect(outcome).toMatchObject({ status: 'failed', findings: 1, via: 'native 8.30.1' });
    expect(outcome.details?.[0]).toMatch(/^leak\.ts:1 github-pat .*b999f2d0e41b/);
    // No upstream: an empty base, which the script takes as "a new branch".
    const scan = calls[1];
    expect(scan?.command).toBe(process.execPath);
    expect(argAfter(scan?.args ?? [], '--base')).toBe('');
    expect(scan?.options?.env).toEqual({ GITLEAKS: GITLEAKS_BIN });
  });

  it('passes with no finding, scanning from the upstream when the branch has one', async () => {
    const upstream = { status: 0, stdout: '5372f3e0c1d2a3b4c5d6e7f8091a2b3c4d5e6f70\n', stderr: '' };
    const { outcome, calls } = await runGate(
      'secrets-history',
      script(upstream, 0, 'secrets-history-clean.sarif', ''),
      { shared: withGitleaks() },
    );
    expect(outcome).toMatchObject({ status: 'passed', findings: 0, via: 'native 8.30.1' });
    expect(argAfter(calls[1]?.args ?? [], '--base')).toBe('5372f3e0c1d2a3b4c5d6e7f8091a2b3c4d5e6f70');
  });

  it('is "not run" when the script says gitleaks did not scan (exit 2), quoting it', async () => {
    const stderr = fixture('secrets-history-outage.stderr.txt');
    const { outcome } = await runGate('secrets-history', script(noUpstream, 2, undefined, '', stderr), {
      shared: withGitleaks(),
    });
    expect(outcome).toEqual({
      status: 'not run',
      reason: 'secrets-history: outage, nothing scanned: --head no-such-ref is not a commit in this clone',
      howTo: expect.stringMatching(/gitleaks runs/),
      via: 'native 8.30.1',
    });
  });

  it('with no SARIF written is judged by the exit code alone', async () => {
    const { outcome } = await runGate('secrets-history', script(noUpstream, 1, undefined, 'boom\n'), {
      shared: withGitleaks(),
    });
    expect(outcome).toMatchObject({ status: 'failed', reason: 'exit code 1', details: ['boom'] });
  });

  it('refuses to run before its requirement chose gitleaks', async () => {
    await expect(runGate('secrets-history', script(noUpstream, 0, undefined))).rejects.toThrow(
      /needsGitleaks did not run/,
    );
  });

  const needsGitleaks = () => {
    const gate = GATES.find((candidate) => candidate.name === 'secrets-history');
    return gate?.needs.at(-1);
  };
  const contextAt = (at: string, shared: Map<string, unknown>) =>
    ({ root: at, reportsDir: join(at, 'reports'), shared }) as unknown as GateContext;

  it('needs gitleaks at its pin: a repository that pins none cannot run the scan, and says so', async () => {
    const shared = new Map<string, unknown>();
    const unmet = await needsGitleaks()?.(contextAt(root, shared));
    expect(unmet).toEqual({ reason: 'it has no pinned image', howTo: '' });
    expect(shared.get('tool:gitleaks')).toMatchObject({ kind: 'not run' });
  });

  // Extra, not counted on for coverage: the requirement against the real installed binary.
  (existsSync(GITLEAKS_BIN) ? it : it.skip)(
    'chooses the installed gitleaks at the pinned version',
    async () => {
      const shared = new Map<string, unknown>();
      await expect(
        needsGitleaks()?.(contextAt(join(import.meta.dirname, '..', '..'), shared)),
      ).resolves.toBeUndefined();
      expect(shared.get('tool:gitleaks')).toMatchObject({ kind: 'native' });
    },
  );
});

describe('lockfile (lockfile-lint, judged by security/dependencies/lockfile-lint-gate.sh)', () => {
  const script =
    (status: number, name: string | undefined): Answer =>
    ({ args }) => {
      if (name !== undefined) writeFileSync(args[1] as string, fixture(`lockfile-${name}.log.txt`));
      return { status, stdout: fixture(`lockfile-${name ?? 'outage'}.stdout.txt`), stderr: '' };
    };

  it('names each "detected …" paragraph, lockfile-lint’s and the missing-integrity check’s', async () => {
    const { outcome, calls } = await runGate('lockfile', script(1, 'bad'));
    expect(calls[0]?.command).toBe('bash');
    expect(calls[0]?.args[0]).toBe(join(root, 'security/dependencies/lockfile-lint-gate.sh'));
    expect(outcome).toMatchObject({ status: 'failed', findings: 4 });
    expect(outcome.details).toEqual([
      'detected invalid host(s) for package: left-pad@1.3.0-8ea9d1c386020fd4ead6eaca95b28fc4cab0310d expected: registry.npmjs.org actual: evil.example.com',
      'detected invalid protocol for package: left-pad@1.3.0-8ea9d1c386020fd4ead6eaca95b28fc4cab0310d expected: https: actual: http:',
      'detected invalid integrity hash type for package: left-pad@1.3.0-8ea9d1c386020fd4ead6eaca95b28fc4cab0310d expected: sha512 actual: sha1-W3ThjpL9ax6/WpOUmCWeH1b0mHc=',
      'detected missing integrity hash for package: no-hash@2.0.0 expected: sha512 actual: none',
    ]);
  });

  it('passes a clean lockfile with no finding', async () => {
    const { outcome } = await runGate('lockfile', script(0, 'good'));
    expect(outcome).toEqual({ status: 'passed', findings: 0, details: [] });
  });

  it('a lockfile that does not parse is one finding, named by the script', async () => {
    const { outcome } = await runGate('lockfile', script(1, 'abort'));
    expect(outcome).toEqual({
      status: 'failed',
      findings: 1,
      reason: undefined,
      details: [
        'lockfile-lint cannot parse the lockfile: a lockfile nothing can read installs nothing that was reviewed',
      ],
    });
  });

  it('lockfile-lint not installed (exit 3) is "not run", never a pass', async () => {
    const { outcome } = await runGate('lockfile', script(3, undefined));
    expect(outcome).toEqual({
      status: 'not run',
      reason: expect.stringMatching(/lockfile-lint is not installed .*Nothing was checked/),
      howTo: 'npm ci',
    });
  });

  it('a failure the script names no finding for keeps its words', async () => {
    const { outcome } = await runGate('lockfile', () => ({ status: 1, stdout: 'odd\n', stderr: '' }));
    expect(outcome).toMatchObject({ status: 'failed', findings: 1, details: ['odd'] });
  });
});

describe('tests (build, then jest with the floor)', () => {
  const built: ProcessResult = { status: 0, stdout: '', stderr: '' };
  const jestWriting =
    (report: string | undefined, status: number, stderr = ''): Answer =>
    ({ command, args }) => {
      if (command === 'npm') return built;
      if (report !== undefined) {
        mkdirSync(reportsDir, { recursive: true });
        writeFileSync(argAfter(args, '--outputFile'), fixture(report).replaceAll(RECORDED_ROOT, root));
      }
      return { status, stdout: '', stderr };
    };

  it('names each failed test and the suite that did not run, file by file', async () => {
    const { outcome, calls } = await runGate('tests', jestWriting('jest-failing.json', 1));
    expect(calls.map((call) => call.command)).toEqual(['npm', process.execPath]);
    // The whole suite: with the floor, but not the runner's own project (it would run this runner), nor
    // the real-scanner and tooling tests npm test leaves out.
    const args = calls[1]?.args ?? [];
    expect(args).toEqual(expect.arrayContaining(['--coverage']));
    expect(args.slice(args.indexOf('--ignoreProjects'), args.indexOf('--ignoreProjects') + 4)).toEqual([
      '--ignoreProjects',
      'gates',
      'scanners',
      'tooling',
    ]);
    expect(calls[1]?.options?.env).toEqual({ CI: 'true' });
    expect(outcome).toMatchObject({ status: 'failed', findings: 2 });
    expect(outcome.details).toEqual(['sum.test.js: subtracts', expect.stringMatching(/^broken\.test\.js: /)]);
  });

  it('runs only the files it is given, and passes when they pass', async () => {
    const { outcome, calls } = await runGate('tests', jestWriting('jest-passing.json', 0), {
      testFiles: ['fine.test.js'],
    });
    expect(calls[1]?.args).toEqual(expect.arrayContaining(['--runTestsByPath', 'fine.test.js']));
    expect(calls[1]?.args).not.toContain('--coverage');
    expect(outcome).toEqual({ status: 'passed', findings: 0, details: [] });
  });

  it('every test passing but jest failing is the coverage floor, quoted', async () => {
    const { outcome } = await runGate(
      'tests',
      jestWriting('jest-floor.json', 1, fixture('jest-floor.stderr.txt')),
    );
    expect(outcome).toMatchObject({
      status: 'failed',
      findings: 0,
      reason: 'coverage below the floor in jest.config.js',
    });
    expect(outcome.details).toEqual([
      'Jest: Coverage for branches (50%) does not meet "global" threshold (90%)',
    ]);
  });

  it('a floor failure jest names no threshold for keeps its last words', async () => {
    const { outcome } = await runGate('tests', jestWriting('jest-passing.json', 1, 'a\nb\n'));
    expect(outcome).toMatchObject({
      reason: 'coverage below the floor in jest.config.js',
      details: ['a\nb'],
    });
  });

  it('jest that writes no report is judged by its exit code', async () => {
    const { outcome } = await runGate('tests', jestWriting(undefined, 1, 'Error: Cannot find module'));
    expect(outcome).toMatchObject({ status: 'failed', reason: 'exit code 1' });
  });

  it('reuses the result npm test kept for this very tree instead of running again', async () => {
    const git = (...args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8' });
    git('init', '-q');
    writeFileSync(join(root, '.gitignore'), 'reports/\n');
    writeFileSync(join(root, 'a.txt'), 'tested\n');
    mkdirSync(join(root, TEST_RESULT_DIR), { recursive: true });
    const report = `${TEST_RESULT_DIR}/jest.json`;
    writeFileSync(join(root, report), fixture('jest-passing.json'));
    const tree = workingTree(root);
    expect(tree).toMatch(COMMIT_SHA);
    writeFileSync(join(root, TEST_RESULT_FILE), JSON.stringify({ tree, report }));
    const { outcome, calls } = await runGate('tests', () => {
      throw new Error('ran a command');
    });
    expect(calls).toEqual([]);
    expect(outcome).toEqual({
      status: 'passed',
      findings: 0,
      details: [`reused the result of npm test on this tree (${tree?.slice(0, 12)}), not run again`],
    });
    expect(readFileSync(join(reportsDir, 'jest.json'), 'utf8')).toBe(fixture('jest-passing.json'));
    // Edited since: the kept result is of another tree, so the suite runs.
    writeFileSync(join(root, 'a.txt'), 'edited\n');
    const again = await runGate('tests', jestWriting('jest-passing.json', 0));
    expect(again.calls).toHaveLength(2);
  });
});

describe('eslint, audit and secrets: the parts plumbing.test.ts leaves', () => {
  it('eslint: one finding per SARIF result, with file, line and rule', async () => {
    const { outcome, calls } = await runGate('eslint', () => {
      mkdirSync(reportsDir, { recursive: true });
      copyFileSync(join(FIXTURES, 'eslint-findings.sarif'), join(reportsDir, 'eslint.sarif'));
      return { status: 1, stdout: 'SARIF written to reports/eslint.sarif\n', stderr: '' };
    });
    expect(calls[0]?.args).toEqual(['run', '--silent', 'lint:sarif']);
    expect(outcome).toMatchObject({ status: 'failed', findings: 2 });
    expect(outcome.details?.join('\n')).toMatch(/src\/__probe\/probe\.ts:2 no-eval /);
  });

  it('audit: counts critical with high, and an entry without a range still names the package', async () => {
    const stdout = JSON.stringify({
      auditReportVersion: 2,
      vulnerabilities: {
        'form-data': { name: 'form-data', severity: 'critical', via: [] },
        debug: { name: 'debug', severity: 'low', via: [], range: '<2.6.9' },
      },
      metadata: { vulnerabilities: { info: 0, low: 1, moderate: 0, critical: 1, total: 2 } },
    });
    const { outcome } = await runGate('audit', () => ({ status: 1, stdout, stderr: '' }));
    expect(outcome).toEqual({
      status: 'failed',
      findings: 1,
      reason: undefined,
      details: ['form-data : critical (npm audit fix / npm update)'],
    });
  });

  it('audit: counts with no vulnerability entries pass', async () => {
    const stdout = JSON.stringify({ metadata: { vulnerabilities: { total: 0 } } });
    const { outcome } = await runGate('audit', () => ({ status: 0, stdout, stderr: '' }));
    expect(outcome).toEqual({ status: 'passed', findings: 0, details: [] });
  });

  it('audit: npm’s own warning is quoted when the registry answered without data', async () => {
    const stderr =
      'npm warn audit 404 Not Found - POST https://registry.example/-/npm/v1/security/advisories/bulk\n';
    const { outcome } = await runGate('audit', () => ({
      status: 1,
      stdout: '{"message":"Not Found"}',
      stderr,
    }));
    expect(outcome).toMatchObject({
      status: 'not run',
      reason: expect.stringMatching(/no answer .*: npm warn audit 404 Not Found/),
      howTo: expect.stringMatching(/audit endpoint/),
    });
  });

  it('secrets: keeps a path outside the repository whole, and a finding with no line', async () => {
    const stdout = `Scanning…\n${JSON.stringify([
      { filePath: '/elsewhere/key.ts', messages: [{ ruleId: 'r', message: 'found a key' }] },
      { filePath: join(root, 'clean.ts'), messages: [] },
    ])}`;
    const { outcome } = await runGate('secrets', () => ({ status: 1, stdout, stderr: '' }));
    expect(outcome).toMatchObject({ status: 'failed', findings: 1 });
    expect(outcome.details).toEqual([expect.stringMatching(/^\/elsewhere\/key\.ts r found a key/)]);
  });
});

describe('the requirements of the gates', () => {
  const needsOf = (name: string) => GATES.find((gate) => gate.name === name)?.needs ?? [];
  const at = () => ({ root }) as unknown as GateContext;

  it('a script requirement reads package.json, and a missing or broken one has no scripts', async () => {
    const [needsLintSarif] = needsOf('eslint');
    expect(await needsLintSarif?.(at())).toEqual({
      reason: 'package.json has no "lint:sarif" script',
      howTo: 'scripts/lint-sarif.mjs',
    });
    writeFileSync(join(root, 'package.json'), '{ broken');
    expect(await needsLintSarif?.(at())).toMatchObject({ reason: 'package.json has no "lint:sarif" script' });
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'x' }));
    expect(await needsLintSarif?.(at())).toMatchObject({ reason: 'package.json has no "lint:sarif" script' });
    writeFileSync(join(root, 'package.json'), JSON.stringify({ scripts: { 'lint:sarif': 'node x' } }));
    expect(await needsLintSarif?.(at())).toBeUndefined();
  });

  it('a file requirement is met by the file alone', async () => {
    const [needsGate] = needsOf('lockfile');
    expect(await needsGate?.(at())).toEqual({
      reason: 'security/dependencies/lockfile-lint-gate.sh is missing',
      howTo: 'the dependency gate script comes with the CI pipeline',
    });
    mkdirSync(join(root, 'security', 'dependencies'), { recursive: true });
    writeFileSync(join(root, 'security', 'dependencies', 'lockfile-lint-gate.sh'), '');
    expect(await needsGate?.(at())).toBeUndefined();
  });
});

/**
 * The gate runner's plumbing, in process: commands and their results, waiting for a service, the exit
 * code rule of a gate, the command line, and the gates that read a tool's output (fed here with output
 * shaped as the tool writes it). The CLI end to end runs in cli.test.ts; planted defects in bites.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listGates, main, parseCli } from '../../security/gates/cli.ts';
import {
  ensureImage,
  execute,
  freePort,
  waitUntilAnswering,
  type ContainerEngine,
  type ProcessResult,
} from '../../security/gates/engine.ts';
import { byExitCode, lastLines, type GateContext } from '../../security/gates/gate.ts';
import { GATES } from '../../security/gates/local-gates.ts';
import { describeResults } from '../../security/gates/sarif.ts';
import { checkRepository } from '../../security/workflow-policy.ts';
import { EXIT } from '../../security/gates/runner.ts';
import { folderPerTest } from '../support/scratch.ts';

describe('execute', () => {
  it('captures the exit status and both streams', async () => {
    const result = await execute(process.execPath, [
      '-e',
      "process.stdout.write('out'); process.stderr.write('err'); process.exit(3)",
    ]);
    expect(result).toEqual({ status: 3, stdout: 'out', stderr: 'err' });
  });

  it('says a command is not installed instead of throwing', async () => {
    const result = await execute('no-such-command-here', []);
    expect(result).toMatchObject({ status: null, error: 'no-such-command-here: command not found' });
  });

  it('ends a command that runs past its timeout', async () => {
    const result = await execute(process.execPath, ['-e', 'setTimeout(() => {}, 10_000)'], {
      timeoutMs: 200,
    });
    expect(result.error).toMatch(/did not finish within 0 s$/);
    expect(result.status).toBeNull();
  });
});

describe('waitUntilAnswering', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('is true once anything answers, whatever the status', async () => {
    server = createServer((_req, res) => res.writeHead(503).end());
    const port = await freePort();
    await new Promise<void>((resolve) => server?.listen(port, '127.0.0.1', resolve));
    await expect(waitUntilAnswering(`http://127.0.0.1:${port}/`, 5_000)).resolves.toBe(true);
  });

  it('gives up at once when the service is no longer starting', async () => {
    const port = await freePort();
    const started = Date.now();
    await expect(waitUntilAnswering(`http://127.0.0.1:${port}/`, 10_000, () => false)).resolves.toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('gives up at the timeout when nothing answers', async () => {
    const port = await freePort();
    await expect(waitUntilAnswering(`http://127.0.0.1:${port}/`, 300)).resolves.toBe(false);
  });
});

describe('byExitCode and lastLines', () => {
  const result = (over: Partial<ProcessResult>): ProcessResult => ({
    status: 0,
    stdout: '',
    stderr: '',
    ...over,
  });

  it('passes on exit 0 with the count found', () => {
    expect(byExitCode(result({}), 2, ['a'])).toEqual({ status: 'passed', findings: 2, details: ['a'] });
    expect(byExitCode(result({}), undefined)).toEqual({ status: 'passed', findings: 0, details: [] });
  });

  it('fails on any other exit, with the exit code when no finding says why', () => {
    expect(byExitCode(result({ status: 1, stdout: 'x\n\ny' }), 0)).toEqual({
      status: 'failed',
      findings: 0,
      reason: 'exit code 1',
      details: ['x\ny'],
    });
    expect(byExitCode(result({ status: 1 }), 3, ['f'])).toEqual({
      status: 'failed',
      findings: 3,
      reason: undefined,
      details: ['f'],
    });
  });

  it('fails a command that could not run, whatever its output', () => {
    expect(byExitCode(result({ status: null, error: 'boom', stderr: 'last' }), 0)).toEqual({
      status: 'failed',
      reason: 'boom',
      details: ['last'],
    });
  });

  it('keeps the last non-empty lines', () => {
    expect(lastLines('a\n\nb  \nc\n', 2)).toBe('b\nc');
  });
});

describe('the command line', () => {
  const output = (spy: jest.SpyInstance) => spy.mock.calls.map((call) => String(call[0])).join('\n');
  let log: jest.SpyInstance;
  let error: jest.SpyInstance;
  beforeEach(() => {
    log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('refuses an unknown option, an unknown gate, an empty --only and a selection of nothing', () => {
    expect(parseCli(['--fast'])).toMatchObject({ kind: 'usage', message: expect.stringMatching(/fast/) });
    expect(parseCli(['--only', 'lint'])).toMatchObject({
      kind: 'usage',
      message: expect.stringMatching(/^unknown gate lint \(known: eslint, /),
    });
    expect(parseCli(['--only', ','])).toEqual({
      kind: 'usage',
      message: '--only needs at least one gate name',
    });
    expect(parseCli(['--skip', GATES.map((gate) => gate.name).join(',')])).toEqual({
      kind: 'usage',
      message: 'no gate left to run',
    });
  });

  it('lists every gate with where CI runs it', () => {
    const listing = listGates();
    for (const gate of GATES) expect(listing).toContain(`${gate.name.padEnd(11)} ${gate.description}`);
    expect(listing).toContain('writes reports/eslint.sarif');
  });

  it('answers --help and --list with 0, bad usage with 64 and the usage text', async () => {
    await expect(main(['--help'])).resolves.toBe(EXIT.passed);
    expect(output(log)).toMatch(/^Usage: npm run gates/);
    await expect(main(['--list'])).resolves.toBe(EXIT.passed);
    expect(output(log)).toContain('zap');
    await expect(main(['--bogus'])).resolves.toBe(EXIT.usage);
    expect(output(error)).toMatch(/^gates: .*bogus[\s\S]*Usage: npm run gates/);
  });
});

describe('gates that read a tool’s output', () => {
  const reportsDir = folderPerTest('gates-plumbing-');

  const runGate = (name: string, answer: ProcessResult) => {
    const gate = GATES.find((candidate) => candidate.name === name);
    if (gate === undefined) throw new Error(`no gate ${name}`);
    const context: GateContext = {
      root: reportsDir(),
      reportsDir: reportsDir(),
      engine: undefined,
      earlier: new Map(),
      shared: new Map(),
      cleanups: [],
      run: () => Promise.resolve(answer),
    };
    return gate.run(context);
  };

  // npm audit --json (npm 10/11): metadata.vulnerabilities counts, vulnerabilities keyed by package.
  const auditReport = (high: number) =>
    JSON.stringify({
      auditReportVersion: 2,
      vulnerabilities:
        high === 0 ? {} : { 'left-pad': { name: 'left-pad', severity: 'high', via: [], range: '<1.3.1' } },
      metadata: { vulnerabilities: { info: 0, low: 1, moderate: 0, high, critical: 0, total: high + 1 } },
    });

  it('audit: fails on a high advisory, naming the package, and keeps npm’s JSON', async () => {
    const outcome = await runGate('audit', { status: 1, stdout: auditReport(1), stderr: '' });
    expect(outcome).toMatchObject({
      status: 'failed',
      findings: 1,
      details: ['left-pad <1.3.1: high (npm audit fix / npm update)'],
    });
    expect(JSON.parse(readFileSync(join(reportsDir(), 'npm-audit.json'), 'utf8'))).toMatchObject({
      auditReportVersion: 2,
    });
  });

  it('audit: passes with only low advisories', async () => {
    await expect(runGate('audit', { status: 0, stdout: auditReport(0), stderr: '' })).resolves.toMatchObject({
      status: 'passed',
      findings: 0,
    });
  });

  it('prettier: names each unformatted file', async () => {
    // prettier --check: "[warn] FILE" per file, then "[warn] Code style issues found in … Run Prettier with --write to fix."
    const stderr =
      '[warn] src/app.ts\n[warn] Code style issues found in the above file. Run Prettier with --write to fix.\n';
    await expect(
      runGate('prettier', { status: 1, stdout: 'Checking formatting...\n', stderr }),
    ).resolves.toEqual({
      status: 'failed',
      findings: 1,
      reason: undefined,
      details: ['src/app.ts is not formatted (prettier --write)'],
    });
  });

  it('secrets: turns secretlint’s JSON into SARIF findings with file and line', async () => {
    // secretlint --format json: one entry per file, its messages with ruleId, message and loc.
    const stdout = JSON.stringify([
      {
        filePath: join(reportsDir(), 'src', 'key.ts'),
        messages: [
          {
            ruleId: '@secretlint/secretlint-rule-aws',
            message: 'found AWS Secret Access Key: ****',
            loc: { start: { line: 3, column: 1 } },
          },
        ],
      },
    ]);
    const outcome = await runGate('secrets', { status: 1, stdout, stderr: '' });
    expect(outcome).toMatchObject({ status: 'failed', findings: 1 });
    expect(outcome.details?.[0]).toMatch(/^src\/key\.ts:3 @secretlint\/secretlint-rule-aws /);
  });

  it('secrets, eslint: output they cannot read is judged by the exit code alone', async () => {
    await expect(runGate('secrets', { status: 2, stdout: 'crash', stderr: '' })).resolves.toMatchObject({
      status: 'failed',
      reason: 'exit code 2',
    });
    await expect(runGate('eslint', { status: 2, stdout: '', stderr: 'no config' })).resolves.toMatchObject({
      status: 'failed',
      reason: 'exit code 2',
    });
  });

  it('tests: a build that fails stops the gate before Jest', async () => {
    await expect(runGate('tests', { status: 1, stdout: '', stderr: 'TS2322' })).resolves.toMatchObject({
      status: 'failed',
      reason: 'npm run build failed',
    });
  });

  it('audit: no vulnerability data is "not run", saying why', async () => {
    const offline = JSON.stringify({ error: { code: 'ENOTFOUND', summary: 'request to registry failed' } });
    await expect(runGate('audit', { status: 1, stdout: offline, stderr: '' })).resolves.toMatchObject({
      status: 'not run',
      reason: expect.stringMatching(/no answer .*request to registry failed/),
      howTo: expect.stringMatching(/reachable/),
    });
    await expect(runGate('audit', { status: 1, stdout: 'not json', stderr: '' })).resolves.toMatchObject({
      status: 'not run',
      howTo: expect.stringMatching(/audit endpoint/),
    });
  });

  it('typecheck: counts the compiler’s errors', async () => {
    const stdout = "src/app.ts(1,7): error TS2322: Type 'number' is not assignable to type 'string'.\n";
    await expect(runGate('typecheck', { status: 2, stdout, stderr: '' })).resolves.toMatchObject({
      status: 'failed',
      findings: 1,
      details: [stdout.trim()],
    });
  });
});

describe('ensureImage', () => {
  // Stands in for an engine: answers `image inspect` and `pull` as told, records nothing else.
  const engineAnswering = (inspect: ProcessResult, pull: ProcessResult): ContainerEngine => ({
    name: 'podman',
    globalArgs: [],
    exec: (args) => Promise.resolve(args[0] === 'pull' ? pull : inspect),
  });
  const ok: ProcessResult = { status: 0, stdout: '', stderr: '' };
  const missing: ProcessResult = { status: 125, stdout: '', stderr: 'no such image' };

  it('is available when in the store, or once pulled', async () => {
    await expect(ensureImage(engineAnswering(ok, missing), 'x')).resolves.toEqual({ available: true });
    await expect(ensureImage(engineAnswering(missing, ok), 'x')).resolves.toEqual({ available: true });
  });

  it('quotes the pull’s last words, or its error, when it fails', async () => {
    const failedPull = {
      status: 125,
      stdout: '',
      stderr: 'Trying to pull x...\nError: dial tcp: lookup x\n',
    };
    await expect(ensureImage(engineAnswering(missing, failedPull), 'x')).resolves.toEqual({
      available: false,
      reason: 'not in the local image store, and the pull failed: Error: dial tcp: lookup x',
    });
    const timedOut = { status: null, stdout: '', stderr: '', error: 'podman did not finish within 300 s' };
    await expect(ensureImage(engineAnswering(missing, timedOut), 'x')).resolves.toMatchObject({
      reason: 'not in the local image store, and the pull failed: podman did not finish within 300 s',
    });
    const silent = { status: 1, stdout: '', stderr: '' };
    await expect(ensureImage(engineAnswering(missing, silent), 'x')).resolves.toMatchObject({
      reason: 'not in the local image store, and the pull failed: no output',
    });
  });
});

describe('describeResults (the lines shown under the gate table)', () => {
  const result = (uri: string | undefined, line: number | undefined, ruleId: string) => ({
    ruleId,
    message: { text: `finding of ${ruleId}` },
    ...(uri === undefined
      ? {}
      : {
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri },
                ...(line === undefined ? {} : { region: { startLine: line } }),
              },
            },
          ],
        }),
  });

  it('names file and line where the result has them, and says how many more there are', () => {
    const results = [
      result('src/a.ts', 3, 'r1'),
      result('src/b.ts', undefined, 'r2'),
      result(undefined, 9, 'r3'),
    ];
    expect(describeResults(results, 2)).toEqual([
      'src/a.ts:3 r1 finding of r1',
      'src/b.ts r2 finding of r2',
      '… and 1 more',
    ]);
    expect(describeResults(results).at(-1)).toBe('? r3 finding of r3');
  });
});

describe('checkRepository on a repository without workflows', () => {
  it('reports that there are none, rather than passing', () => {
    const root = mkdtempSync(join(tmpdir(), 'no-workflows-'));
    try {
      expect(checkRepository(root, { actions: {} })).toEqual([
        { rule: 'no-workflows', file: '.github/workflows', message: 'no workflow files' },
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

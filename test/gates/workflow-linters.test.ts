/**
 * The zizmor and actionlint gates of `npm run gates`, in process: how each judges what its tool wrote.
 * The tool's answers are outputs the real tools wrote here, kept in test/fixtures/workflow-linters/:
 *
 *   zizmor-clean.sarif               zizmor 1.32.0 --offline --config .github/zizmor.yml --format sarif .
 *                                    (this repository; the plain run exits 0)
 *   zizmor-template-injection.sarif  the same in test/scanners/workflow-flaws on template-injection.yml
 *                                    (the plain run exits 14: a high-severity finding)
 *   zizmor-template-injection.json   the same with --format json-v1 (the scanner test's reader)
 *   zizmor-bad-config.stderr         --config /nonexistent.yml: exit 1, "fatal: no audit was performed"
 *   actionlint-syntax.json           actionlint v1.7.12 -format '{{json .}}' syntax.yml (exit 1)
 *
 * The same tools run for real on every flaw in test/pipeline/retired-rules.test.ts when installed;
 * these tests hold the judging to those outputs whether or not they are.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GateContext } from '../../security/gates/gate.ts';
import type { ProcessResult } from '../../security/gates/engine.ts';
import { GATES } from '../../security/gates/local-gates.ts';
import { readSarifResults } from '../../security/gates/sarif.ts';
import {
  parseZizmor,
  runActionlint,
  runZizmor,
  type WorkflowLinter,
} from '../../security/gates/workflow-linters.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'workflow-linters');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

let reportsDir: string;
beforeEach(() => {
  reportsDir = mkdtempSync(join(tmpdir(), 'workflow-linters-'));
});
afterEach(() => rmSync(reportsDir, { recursive: true, force: true }));

/** A context in which `tool` was found natively at its pin and each run answers by its --format. */
function contextFor(
  tool: WorkflowLinter,
  answer: (args: readonly string[]) => ProcessResult,
  calls: (readonly string[])[] = [],
): GateContext {
  const shared = new Map<string, unknown>([
    [
      `tool:${tool}`,
      { kind: 'native', path: `/tools/bin/${tool}`, version: tool === 'zizmor' ? '1.32.0' : 'v1.7.12' },
    ],
  ]);
  return {
    root: ROOT,
    reportsDir,
    engine: undefined,
    earlier: new Map(),
    shared,
    cleanups: [],
    run: (command, args) => {
      calls.push([command, ...args]);
      return Promise.resolve(answer(args));
    },
  };
}

const format = (args: readonly string[]) => args[args.indexOf('--format') + 1];

describe('zizmor gate', () => {
  test('passes on a clean SARIF run and a clean plain run, keeping the SARIF as its report', async () => {
    const calls: (readonly string[])[] = [];
    const outcome = await runZizmor(
      contextFor(
        'zizmor',
        (args) => ({
          status: 0,
          stdout: format(args) === 'sarif' ? fixture('zizmor-clean.sarif') : '',
          stderr: '',
        }),
        calls,
      ),
    );
    expect(outcome).toEqual({ status: 'passed', findings: 0, via: 'native 1.32.0' });
    expect(calls.map((call) => format(call))).toEqual(['sarif', 'plain']);
    expect(calls[0]).toEqual(expect.arrayContaining(['--offline', '--config', '.github/zizmor.yml']));
    expect(readSarifResults(join(reportsDir, 'zizmor.sarif'))).toEqual([]);
  });

  test('fails on a finding, naming the audit, file and line', async () => {
    const outcome = await runZizmor(
      contextFor('zizmor', (args) =>
        format(args) === 'sarif'
          ? { status: 0, stdout: fixture('zizmor-template-injection.sarif'), stderr: '' }
          : {
              status: 14,
              stdout: 'error[template-injection]: code injection via template expansion',
              stderr: '',
            },
      ),
    );
    expect(outcome).toMatchObject({ status: 'failed', findings: 1, via: 'native 1.32.0' });
    expect(outcome.details?.join('\n')).toMatch(/template-injection\.yml:\d+.*template-injection/);
  });

  test('fails on a non-zero plain run even when the SARIF run reported nothing', async () => {
    const outcome = await runZizmor(
      contextFor('zizmor', (args) =>
        format(args) === 'sarif'
          ? { status: 0, stdout: fixture('zizmor-clean.sarif'), stderr: '' }
          : { status: 13, stdout: '', stderr: 'error[excessive-permissions]: overly broad permissions' },
      ),
    );
    expect(outcome).toMatchObject({ status: 'failed', findings: 0, reason: 'exit code 13' });
    expect(outcome.details?.join('\n')).toContain('excessive-permissions');
  });

  test('a zizmor that could not audit is an outage, never a pass or a finding', async () => {
    const badConfig = await runZizmor(
      contextFor('zizmor', () => ({ status: 1, stdout: '', stderr: fixture('zizmor-bad-config.stderr') })),
    );
    expect(badConfig.status).toBe('not run');
    expect(badConfig.reason).toMatch(
      /^zizmor could not lint the workflows \(an outage, not a finding\): exit code 1/,
    );
    expect(badConfig.howTo).toContain('--only zizmor');
    expect(badConfig.findings).toBeUndefined();

    const noSarif = await runZizmor(
      contextFor('zizmor', () => ({ status: 0, stdout: 'not json', stderr: '' })),
    );
    expect(noSarif).toMatchObject({ status: 'not run' });
    expect(noSarif.reason).toContain('it wrote no readable SARIF');

    const missing = await runZizmor(
      contextFor('zizmor', () => ({
        status: null,
        stdout: '',
        stderr: '',
        error: 'zizmor: command not found',
      })),
    );
    expect(missing).toMatchObject({ status: 'not run' });
    expect(missing.reason).toContain('zizmor: command not found');
  });
});

describe("zizmor's JSON", () => {
  test('each finding at its primary location, 1-based, as the flaw fixture marks it', () => {
    const marked = readFileSync(
      join(ROOT, 'test', 'scanners', 'workflow-flaws', 'template-injection.yml'),
      'utf8',
    )
      .split('\n')
      .flatMap((line, index) => (/expect: zizmor template-injection/.test(line) ? [index + 1] : []));
    expect(marked).not.toHaveLength(0);
    expect(parseZizmor(fixture('zizmor-template-injection.json'))).toEqual(
      marked.map((line) => ({ ident: 'template-injection', file: 'template-injection.yml', line })),
    );
    expect(() => parseZizmor('{"ident":"x"}')).toThrow('zizmor wrote no JSON array');
  });
});

describe('actionlint gate', () => {
  test('passes on an empty JSON array and writes an empty SARIF with the pinned version', async () => {
    const outcome = await runActionlint(
      contextFor('actionlint', () => ({ status: 0, stdout: '[]\n', stderr: '' })),
    );
    expect(outcome).toEqual({ status: 'passed', findings: 0, via: 'native v1.7.12' });
    const sarif = JSON.parse(readFileSync(join(reportsDir, 'actionlint.sarif'), 'utf8')) as {
      runs: { tool: { driver: { name: string; version: string } }; results: unknown[] }[];
    };
    expect(sarif.runs[0]?.tool.driver).toMatchObject({ name: 'actionlint', version: 'v1.7.12' });
    expect(sarif.runs[0]?.results).toEqual([]);
  });

  test('fails on each error, one line per error with its kind, and records them as SARIF', async () => {
    const outcome = await runActionlint(
      contextFor('actionlint', () => ({ status: 1, stdout: fixture('actionlint-syntax.json'), stderr: '' })),
    );
    expect(outcome).toMatchObject({ status: 'failed', findings: 2 });
    expect(outcome.details).toEqual([
      expect.stringMatching(/^syntax\.yml:9 syntax-check unexpected key "timeout-minute"/),
      expect.stringMatching(/^syntax\.yml:\d+ job-needs job "second" needs job "no-such-job"/),
    ]);
    const results = readSarifResults(join(reportsDir, 'actionlint.sarif')) ?? [];
    expect(results.map((result) => result.ruleId)).toEqual(['syntax-check', 'job-needs']);
  });

  test('a non-zero exit with an empty array still fails (actionlint exits 1 only with errors)', async () => {
    const outcome = await runActionlint(
      contextFor('actionlint', () => ({ status: 1, stdout: '[]', stderr: 'x' })),
    );
    expect(outcome).toMatchObject({ status: 'failed', findings: 0, reason: 'exit code 1' });
  });

  test('output that is not its JSON array is an outage', async () => {
    for (const stdout of ['', 'panic: runtime error', '{"message":"not an array"}']) {
      const outcome = await runActionlint(
        contextFor('actionlint', () => ({
          status: 3,
          stdout,
          stderr: 'could not read .github/actionlint.yaml',
        })),
      );
      expect(outcome.status).toBe('not run');
      expect(outcome.reason).toContain('actionlint could not lint the workflows');
      expect(outcome.reason).toContain('could not read .github/actionlint.yaml');
    }
  });
});

describe('the two gates in npm run gates', () => {
  test.each(['zizmor', 'actionlint'] as const)(
    '%s needs its policy file and the native tool at its pin',
    async (name) => {
      const gate = GATES.find((candidate) => candidate.name === name);
      expect(gate?.tool).toBe(name);
      const context = contextFor(name, () => ({ status: 0, stdout: '', stderr: '' }));
      const saved = process.env.SHS_TOOLS_DIR;
      const savedPath = process.env.PATH;
      process.env.SHS_TOOLS_DIR = join(reportsDir, 'no-tools');
      process.env.PATH = '/nonexistent';
      try {
        const unmet = [];
        for (const need of gate?.needs ?? []) unmet.push(await need(context));
        expect(unmet[0]).toBeUndefined(); // the policy file is in the repository
        expect(unmet.at(-1)).toMatchObject({ howTo: expect.stringContaining(`install-tools.sh ${name}`) });
      } finally {
        process.env.SHS_TOOLS_DIR = saved;
        process.env.PATH = savedPath;
        if (saved === undefined) delete process.env.SHS_TOOLS_DIR;
      }
    },
  );
});

describe('security/gates/actionlint-sarif.ts (the CI job converter)', () => {
  const node = join(ROOT, 'node_modules', '.bin', 'node');
  // As security-gates.yml runs it: plain `node`, the package being ES modules.
  const convert = (...args: string[]) =>
    spawnSync(node, [join(ROOT, 'security', 'gates', 'actionlint-sarif.ts'), ...args], {
      cwd: ROOT,
      encoding: 'utf8',
    });

  test("turns actionlint's JSON into SARIF with the pinned version", () => {
    const out = join(reportsDir, 'actionlint.sarif');
    const run = convert(join(FIXTURES, 'actionlint-syntax.json'), out);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`2 errors in ${out}`);
    expect(readSarifResults(out)?.map((result) => result.ruleId)).toEqual(['syntax-check', 'job-needs']);
  });

  test('exits 2 with one line on input that is not its JSON, or on a missing argument', () => {
    const bad = join(reportsDir, 'bad.json');
    writeFileSync(bad, 'panic');
    for (const run of [convert(bad, join(reportsDir, 'x.sarif')), convert()]) {
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/^actionlint-sarif: .+\n$/);
    }
  });
});

import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execute } from '../../security/gates/engine.ts';
import type { GateContext } from '../../security/gates/gate.ts';
import {
  actionlintArguments,
  parseActionlint,
  needsLinter,
  parseZizmor,
  runActionlint,
  runZizmor,
  zizmorArguments,
  type WorkflowLinter,
} from '../../security/gates/workflow-linters.ts';
import { candidatePaths, INSTALLER, reportsVersion, toolPin } from '../../security/gates/tools.ts';
import { ROOT } from './helpers.ts';

// The flaws our own workflow rules used to catch (pin-sha, no-pull-request-target, permissions-job,
// expression-in-run, checkout-credentials, and GitHub's parser's syntax findings), now left to zizmor and
// actionlint: each fixture marks every line a tool must report with "# expect: TOOL RULE[, TOOL RULE]",
// and the real tool at security/tools.json's pin must report exactly those, nothing more, nothing less.
// .ci/run installs both (scripts/ci/install-tools.sh) before `npm test`; where one is missing, its
// cases are skipped, and their names say how to install it.
const FLAWS = 'test/scanners/workflow-flaws';
const fixtures = readdirSync(join(ROOT, FLAWS))
  .filter((name) => name.endsWith('.yml'))
  .sort();

/** The native tool at its pin, or undefined. */
function installed(tool: WorkflowLinter): string | undefined {
  const pin = toolPin(ROOT, tool);
  if (pin === undefined) throw new Error(`security/tools.json pins no ${tool}`);
  return candidatePaths(pin).find((path) => {
    const answer = spawnSync(path, pin.versionArgs, { encoding: 'utf8', timeout: 60_000 });
    return reportsVersion(`${answer.stdout}\n${answer.stderr}`, pin.version);
  });
}

/** "line rule" for each "# expect: TOOL RULE" mark of `tool` in a fixture. */
function marks(text: string, tool: WorkflowLinter): string[] {
  return text.split('\n').flatMap((line, index) =>
    (/# .*expect: (.+)$/.exec(line)?.[1] ?? '')
      .split(/,\s*/)
      .map((entry) => entry.trim().split(/\s+/))
      .filter(([name, rule]) => name === tool && rule !== undefined)
      .map(([, rule]) => `${index + 1} ${rule}`),
  );
}

function reported(tool: WorkflowLinter, path: string, file: string): string[] {
  if (tool === 'zizmor') {
    const run = spawnSync(path, zizmorArguments(file, 'json-v1'), { cwd: ROOT, encoding: 'utf8' });
    // 0 clean, 10 and above by the worst finding's severity; anything else is zizmor failing to run.
    if (run.status !== 0 && (run.status ?? 0) < 10)
      throw new Error(`zizmor exit ${run.status}: ${run.stderr}`);
    return parseZizmor(run.stdout).map((finding) => `${finding.line} ${finding.ident}`);
  }
  const run = spawnSync(path, actionlintArguments(file), { cwd: ROOT, encoding: 'utf8' });
  if (run.status !== 0 && run.status !== 1) throw new Error(`actionlint exit ${run.status}: ${run.stderr}`);
  return parseActionlint(run.stdout).map((error) => `${error.line} ${error.kind}`);
}

describe.each(['zizmor', 'actionlint'] as const)('%s on the flaws our rules used to catch', (tool) => {
  const path = installed(tool);
  const cases = fixtures.map((name) => [name, readFileSync(join(ROOT, FLAWS, name), 'utf8')] as const);
  const run = path === undefined ? it.skip : it;
  const suffix = path === undefined ? ` — skipped: ${tool} is not installed (bash ${INSTALLER} ${tool})` : '';

  run.each(cases)(`reports exactly the lines %s marks for it${suffix}`, (name, text) => {
    const expected = marks(text, tool).sort();
    expect(reported(tool, path ?? '', `${FLAWS}/${name}`).sort()).toEqual(expected);
  });

  it('has a flaw to catch in some fixture', () => {
    expect(cases.flatMap(([, text]) => marks(text, tool)).length).toBeGreaterThan(0);
  });
});

// The two local gates (npm run gates) in process, with the real tool: a repository whose one workflow has
// a flaw fails, with its SARIF report written; the same repository with a clean workflow passes.
/** A gate's context in a throw-away repository, with no earlier gates. */
function gateContext(root: string, run: GateContext['run']): GateContext {
  return {
    root,
    reportsDir: join(root, 'reports'),
    engine: undefined,
    earlier: new Map(),
    shared: new Map(),
    cleanups: [],
    run,
  };
}

const CLEAN = `name: clean
on: push
permissions: {}
jobs:
  hello:
    runs-on: ubuntu-latest
    steps:
      - run: echo hello
`;

describe.each([
  ['zizmor', runZizmor, 'unpinned-uses.yml'],
  ['actionlint', runActionlint, 'syntax.yml'],
] as const)('the %s gate', (tool, runGate, flawed) => {
  const present = installed(tool) !== undefined;
  const run = present ? it : it.skip;
  const suffix = present ? '' : ` — skipped: ${tool} is not installed (bash ${INSTALLER} ${tool})`;
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), `${tool}-gate-`));
    // actionlint looks for its project from the enclosing git repository.
    spawnSync('git', ['init', '--quiet', root]);
    mkdirSync(join(root, '.github', 'workflows'), { recursive: true });
    for (const config of ['.github/zizmor.yml', '.github/actionlint.yaml'])
      if (existsSync(join(ROOT, config))) cpSync(join(ROOT, config), join(root, config));
    // The tools read security/tools.json's pin through the gate's selection.
    mkdirSync(join(root, 'security'));
    cpSync(join(ROOT, 'security', 'tools.json'), join(root, 'security', 'tools.json'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const context = () =>
    gateContext(root, (command, args) => execute(command, args, { cwd: root, timeoutMs: 120_000 }));

  async function gate(workflow: string) {
    writeFileSync(join(root, '.github', 'workflows', 'ci.yml'), workflow);
    const given = context();
    await expect(needsLinter(tool)(given)).resolves.toBeUndefined();
    const outcome = await runGate(given);
    const sarif = JSON.parse(readFileSync(join(root, 'reports', `${tool}.sarif`), 'utf8'));
    return { outcome, sarif };
  }

  run(`fails a flawed workflow and writes its SARIF${suffix}`, async () => {
    const { outcome, sarif } = await gate(readFileSync(join(ROOT, FLAWS, flawed), 'utf8'));
    expect(outcome).toMatchObject({ status: 'failed', findings: expect.any(Number) });
    expect(outcome.status === 'failed' && outcome.findings).toBeGreaterThan(0);
    expect(sarif.runs[0].results.length).toBeGreaterThan(0);
  });

  run(`passes a clean workflow${suffix}`, async () => {
    const { outcome, sarif } = await gate(CLEAN);
    expect(outcome).toMatchObject({ status: 'passed', findings: 0 });
    expect(sarif.runs[0].results).toEqual([]);
  });
});

describe("the linters' output, read strictly", () => {
  test('actionlint: no output or anything but a JSON array is an outage, never a pass', () => {
    expect(() => parseActionlint('')).toThrow('no JSON array');
    expect(() => parseActionlint('{"message": "x"}')).toThrow('no JSON array');
    expect(parseActionlint('[]\n')).toEqual([]);
  });

  test('zizmor: anything but a JSON array is an outage; only primary locations count', () => {
    expect(() => parseZizmor('{}')).toThrow('no JSON array');
    const location = (kind: string, row: number, path?: string) => ({
      symbolic: { kind, key: path === undefined ? { Remote: {} } : { Local: { verbatim_path: path } } },
      concrete: { location: { start_point: { row } } },
    });
    const findings = [
      { ident: 'artipacked', locations: [location('Primary', 4, 'a.yml'), location('Related', 9, 'a.yml')] },
      { ident: 'unpinned-uses', locations: [location('Primary', 0)] },
    ];
    expect(parseZizmor(JSON.stringify(findings))).toEqual([
      { ident: 'artipacked', file: 'a.yml', line: 5 },
      { ident: 'unpinned-uses', file: '', line: 1 },
    ]);
  });
});

describe('needsLinter', () => {
  test('a repository without the pin does not run the linter, and says how to install it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'linter-unpinned-'));
    try {
      const context = gateContext(root, () =>
        Promise.reject(new Error('no command runs without the linter')),
      );
      await expect(needsLinter('zizmor')(context)).resolves.toMatchObject({ reason: expect.any(String) });
      await expect(runZizmor(context)).rejects.toThrow("needsLinter('zizmor') did not find zizmor");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

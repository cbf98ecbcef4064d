/**
 * A new gate is its catalog entry and its job, nothing else by hand: in a throw-away copy, a gate
 * "example" (Checkov's entry and job under another id) is added to security/gates/catalog.ts and to the
 * gates workflow; before `npm run generate` the workflow policy refuses the copy (the gate's outputs are
 * missing), after it the policy finds nothing, the run summary has the gate's row, and every other change
 * the generator made lies between its markers.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GATE_OUTPUTS_MARKERS, GATES_WORKFLOW } from '../../security/gates/catalog.ts';
import { stalePaths } from '../../security/gates/generated-files.ts';
import { makeSandbox, ROOT, type Sandbox } from './gate-sandbox.ts';

const NODE = join(ROOT, 'node_modules', '.bin', 'node');
const CATALOG = 'security/gates/catalog.ts';

/** The text from `  <job>:` to the next job of the workflow (or its end). */
function jobBlock(workflow: string, job: string): string {
  const start = workflow.indexOf(`\n  ${job}:\n`);
  if (start < 0) throw new Error(`no job ${job}`);
  const next = workflow.slice(start + 1).search(/\n {2}[a-z0-9-]+:\n/);
  return next < 0 ? workflow.slice(start + 1) : workflow.slice(start + 1, start + 1 + next + 1);
}

/** The catalog entry of `job`, from its `{` to its `},`. */
function entryBlock(catalog: string, job: string): string {
  const at = catalog.indexOf(`    job: '${job}',`);
  const from = catalog.lastIndexOf('  {\n', at);
  const to = catalog.indexOf('\n  },\n', at) + '\n  },\n'.length;
  return catalog.slice(from, to);
}

function policyFindings(root: string): { rule: string; message: string }[] {
  const script = `const m = await import(${JSON.stringify(join(root, 'security/workflow-policy.ts'))});
process.stdout.write(JSON.stringify(m.checkRepository(${JSON.stringify(root)})));`;
  const result = spawnSync(NODE, ['--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as { rule: string; message: string }[];
}

/** `npm run generate --check` in the copy, with the copy's own catalog: the files it names as stale. */
function staleInCopy(root: string): string[] {
  const result = spawnSync(NODE, ['scripts/generate.ts', '--check'], {
    cwd: root,
    encoding: 'utf8',
  });
  return [...result.stderr.matchAll(/^generate: (\S+) is not what/gm)].map((match) => match[1] ?? '');
}

/** `after` with every line between `start` and `end` markers dropped, to compare with `before` likewise. */
function outside(text: string, start: string, end: string): string {
  const from = text.indexOf(start);
  const to = text.indexOf(end, from);
  return from < 0 || to < 0 ? text : `${text.slice(0, from)}${text.slice(to)}`;
}

let sandbox: Sandbox;
let handWritten: Record<string, string>;

beforeAll(() => {
  sandbox = makeSandbox();
  const workflow = sandbox.read(GATES_WORKFLOW);
  const job = jobBlock(workflow, 'checkov')
    .replace('  checkov:\n', '  example:\n')
    .replace(/^ {4}name: .*$/m, '    name: Example gate (a throw-away copy of Checkov)')
    .replace('name: gate-report-checkov', 'name: gate-report-example')
    .replace('category: checkov', 'category: example');
  sandbox.write(GATES_WORKFLOW, `${workflow.trimEnd()}\n\n${job.trimEnd()}\n`);
  const catalog = sandbox.read(CATALOG);
  const entry = entryBlock(catalog, 'checkov')
    .replace("job: 'checkov'", "job: 'example'")
    .replace(/title: '[^']*'/, "title: 'Example gate (a throw-away copy of Checkov)'")
    .replace("local: ['checkov']", 'local: []');
  sandbox.replace(
    CATALOG,
    '\n];\n\n/** The CI job that runs',
    `\n${entry.trimEnd()}\n];\n\n/** The CI job that runs`,
  );
  handWritten = { [GATES_WORKFLOW]: sandbox.read(GATES_WORKFLOW), [CATALOG]: sandbox.read(CATALOG) };
});

afterAll(() => sandbox.remove());

test('the copy starts as the repository: nothing generated is stale there', () => {
  expect(stalePaths(ROOT)).toEqual([]);
});

test('the entry and the job alone are refused: the gate’s outputs are generated, not written', () => {
  const findings = policyFindings(sandbox.root);
  expect(
    findings.filter((finding) => finding.rule === 'gate-jobs').map((finding) => finding.message),
  ).toEqual([
    'output example-result must be ${{ jobs.example.result }}',
    'output example-findings must be ${{ jobs.example.outputs.findings }}',
  ]);
  expect(staleInCopy(sandbox.root).sort()).toEqual([GATES_WORKFLOW, 'docs/pipeline.md'].sort());
});

describe('after npm run generate', () => {
  beforeAll(() => {
    const generated = spawnSync(NODE, ['scripts/generate.ts'], {
      cwd: sandbox.root,
      encoding: 'utf8',
    });
    if (generated.status !== 0) throw new Error(generated.stderr);
  });

  it('the workflow policy finds nothing, and nothing generated is stale', () => {
    expect(policyFindings(sandbox.root)).toEqual([]);
    expect(staleInCopy(sandbox.root)).toEqual([]);
  });

  it('changed only the generated blocks: the outputs, the gate table and the required checks of docs/pipeline.md', () => {
    const workflow = sandbox.read(GATES_WORKFLOW);
    expect(workflow).toContain('      example-result:\n        value: ${{ jobs.example.result }}');
    expect(outside(workflow, GATE_OUTPUTS_MARKERS.start, GATE_OUTPUTS_MARKERS.end)).toBe(
      outside(handWritten[GATES_WORKFLOW] ?? '', GATE_OUTPUTS_MARKERS.start, GATE_OUTPUTS_MARKERS.end),
    );
    expect(sandbox.read(CATALOG)).toBe(handWritten[CATALOG]);
    const docs = sandbox.read('docs/pipeline.md');
    const original = readFileSync(join(ROOT, 'docs/pipeline.md'), 'utf8');
    expect(docs).toContain('| `example` | Gates / Example gate (a throw-away copy of Checkov) |');
    expect(docs).toContain('   - `Gates / Example gate (a throw-away copy of Checkov)`\n');
    const handEdited = (text: string) =>
      outside(
        outside(text, '<!-- gate-table:start -->', '<!-- gate-table:end -->'),
        '<!-- required-checks:start -->',
        '<!-- required-checks:end -->',
      );
    expect(handEdited(docs)).toBe(handEdited(original));
  });

  it('the run summary has the gate’s row, from the outputs alone', () => {
    const summary = spawnSync(NODE, ['security/gates/write-summary.ts'], {
      cwd: sandbox.root,
      encoding: 'utf8',
      env: {
        ...process.env,
        GITHUB_STEP_SUMMARY: '',
        GATE_OUTPUTS: JSON.stringify({ 'example-result': 'failure', 'example-findings': '3' }),
      },
    });
    expect(summary.status).toBe(0);
    expect(summary.stdout).toContain('| example | failure | 3 | failed checks |');
  });
});

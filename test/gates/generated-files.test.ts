import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { GATE_OUTPUTS_MARKERS, GATES_WORKFLOW } from '../../security/gates/catalog.ts';
import { main, regenerate, stalePaths } from '../../security/gates/generated-files.ts';
import { ROOT } from './gate-sandbox.ts';

// npm run generate in process, on a copy of the generated files: --check fails on a block that differs
// from what the code renders and names the file; without --check it rewrites the block; a file that
// lost its markers stops the run before anything is written.
const GENERATED = ['docs/pipeline.md', 'docs/workflow-rules.md', GATES_WORKFLOW];

describe('npm run generate (security/gates/generated-files.ts)', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'generated-files-'));
    for (const path of GENERATED) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      cpSync(join(ROOT, path), join(root, path));
    }
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const quiet = () => {
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  };
  afterEach(() => jest.restoreAllMocks());

  test('the committed files are what the code renders', () => {
    expect(stalePaths(root)).toEqual([]);
    expect(main(root, true)).toBe(0);
  });

  test('--check fails on a stale block, and a run without it rewrites the block', () => {
    quiet();
    const workflow = join(root, GATES_WORKFLOW);
    const fresh = readFileSync(workflow, 'utf8');
    const stale = fresh.replace(
      `${GATE_OUTPUTS_MARKERS.start}\n`,
      `${GATE_OUTPUTS_MARKERS.start}\n      stale: true\n`,
    );
    writeFileSync(workflow, stale);
    expect(stalePaths(root)).toEqual([GATES_WORKFLOW]);
    expect(main(root, true)).toBe(1);
    expect(readFileSync(workflow, 'utf8')).toBe(stale);
    expect(main(root, false)).toBe(0);
    expect(readFileSync(workflow, 'utf8')).toBe(fresh);
    expect(main(root, true)).toBe(0);
  });

  test('a file without its markers stops the run before any file is written', () => {
    quiet();
    const docs = join(root, 'docs/pipeline.md');
    writeFileSync(docs, 'no markers here\n');
    // The workflow's block is stale too, and must stay so: nothing is written when a file is broken.
    const workflow = join(root, GATES_WORKFLOW);
    const stale = readFileSync(workflow, 'utf8').replace(
      `${GATE_OUTPUTS_MARKERS.start}\n`,
      `${GATE_OUTPUTS_MARKERS.start}\n      stale: true\n`,
    );
    writeFileSync(workflow, stale);
    expect(main(root, false)).toBe(1);
    expect(readFileSync(docs, 'utf8')).toBe('no markers here\n');
    expect(readFileSync(workflow, 'utf8')).toBe(stale);
    expect(() => regenerate('docs/pipeline.md', 'no markers here\n')).toThrow('has no');
  });

  test('a file it does not generate is left as it is', () => {
    expect(regenerate('README.md', 'anything\n')).toBe('anything\n');
  });
});

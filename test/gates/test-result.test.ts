/**
 * `npm run gates` right after `npm test` reuses the result kept for the same tree instead of running
 * the suite again (issue 24), and runs it when anything in the tree differs.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GateContext } from '../../security/gates/gate.ts';
import { GATES } from '../../security/gates/local-gates.ts';
import {
  reusableTestResult,
  TEST_RESULT_DIR,
  TEST_RESULT_FILE,
  workingTree,
} from '../../security/gates/test-result.ts';
import { COMMIT_SHA } from '../../security/constants.ts';

let root: string;
const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });
// The shape of Jest's --json report (@jest/test-result AggregatedResult), the fields the gate reads.
const REPORT = { numFailedTests: 0, numRuntimeErrorTestSuites: 0, numPassedTests: 3, testResults: [] };

function keep(tree: string | undefined) {
  mkdirSync(join(root, TEST_RESULT_DIR), { recursive: true });
  writeFileSync(join(root, TEST_RESULT_DIR, 'jest.json'), JSON.stringify(REPORT));
  writeFileSync(
    join(root, TEST_RESULT_FILE),
    JSON.stringify({ tree, report: `${TEST_RESULT_DIR}/jest.json` }),
  );
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'test-result-'));
  git('init', '-q');
  writeFileSync(join(root, '.gitignore'), 'reports/\n');
  writeFileSync(join(root, 'a.txt'), 'a\n');
  git('add', '-A');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('the kept test result', () => {
  it('is keyed by the whole working tree: an edit or a new file changes the key, the real index stays', () => {
    const first = workingTree(root);
    expect(first).toMatch(COMMIT_SHA);
    expect(workingTree(root)).toBe(first);
    writeFileSync(join(root, 'a.txt'), 'b\n');
    const edited = workingTree(root);
    expect(edited).not.toBe(first);
    writeFileSync(join(root, 'new.txt'), 'new\n');
    expect(workingTree(root)).not.toBe(edited);
    expect(git('status', '--porcelain')).toContain('?? new.txt');
  });

  it('is reused for the same tree only', () => {
    keep(workingTree(root));
    expect(reusableTestResult(root)?.tree).toBe(workingTree(root));
    writeFileSync(join(root, 'a.txt'), 'changed\n');
    expect(reusableTestResult(root)).toBeUndefined();
  });

  it('spares the tests gate a second run: no build, no jest, the kept report copied', async () => {
    keep(workingTree(root));
    const gate = GATES.find((each) => each.name === 'tests');
    const ran: string[] = [];
    const reportsDir = join(root, 'reports');
    const context = {
      root,
      reportsDir,
      engine: undefined,
      earlier: new Map(),
      shared: new Map(),
      cleanups: [],
      run: (command: string, args: readonly string[]) => {
        ran.push([command, ...args].join(' '));
        return Promise.resolve({ status: 1, stdout: '', stderr: 'not expected to run' });
      },
    } as unknown as GateContext;
    const outcome = await gate?.run(context);
    expect(ran).toEqual([]);
    expect(outcome).toMatchObject({ status: 'passed', findings: 0 });
    expect(outcome?.details?.[0]).toMatch(/^reused the result of npm test on this tree/);

    // Another tree: the suite runs (here: the stand-in build fails, and says so).
    writeFileSync(join(root, 'a.txt'), 'changed\n');
    const again = await gate?.run(context);
    expect(ran[0]).toBe('npm run --silent build');
    expect(again?.status).toBe('failed');
  });
});

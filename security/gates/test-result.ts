/**
 * The result of `npm test`, kept for the tree it ran on, so `npm run gates` right after it does not run
 * the whole suite a second time (issue 24). The key is the tree git would commit now, tracked and new
 * files alike (a temporary index: the real one is left alone), taken before the tests start and checked
 * again after them: a file edited while they ran leaves no result to reuse.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TEST_RESULT_DIR = 'reports/npm-test';
export const TEST_RESULT_FILE = `${TEST_RESULT_DIR}/result.json`;

export interface TestResult {
  /** The tree the tests ran on. */
  readonly tree: string;
  /** Jest's --json report of that run, which passed (the floor included). */
  readonly report: string;
}

/** The tree of the working copy as `git add -A` would stage it; undefined outside a git checkout. */
export function workingTree(root: string): string | undefined {
  const git = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
    spawnSync('git', args, { cwd: root, encoding: 'utf8', env });
  const inCheckout = git(['rev-parse', '--git-dir']);
  if (inCheckout.status !== 0) return undefined;
  const scratch = mkdtempSync(join(tmpdir(), 'test-tree-'));
  try {
    const index = join(scratch, 'index');
    // A fresh index, not a copy of the real one: a copied stat cache can call a file edited within the
    // same timestamp tick unchanged (racy git), which would reuse a result for a tree that was not tested.
    // Hashing the tracked and untracked files afresh costs a fraction of a second.
    const env = { ...process.env, GIT_INDEX_FILE: index };
    if (git(['add', '-A'], env).status !== 0) return undefined;
    const tree = git(['write-tree'], env);
    return tree.status === 0 ? tree.stdout.trim() : undefined;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The kept result when it is of this very tree, else undefined (then the suite runs). */
export function reusableTestResult(root: string): TestResult | undefined {
  const file = join(root, TEST_RESULT_FILE);
  if (!existsSync(file)) return undefined;
  let kept: TestResult;
  try {
    kept = JSON.parse(readFileSync(file, 'utf8')) as TestResult;
  } catch {
    return undefined;
  }
  const tree = workingTree(root);
  return tree !== undefined && kept.tree === tree && existsSync(join(root, kept.report)) ? kept : undefined;
}

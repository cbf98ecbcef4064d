/**
 * A throw-away copy of the repository (its tracked files, plus whatever the working tree adds that git
 * does not ignore) with node_modules linked, so a test can plant a defect and run a gate on it
 * without touching the real tree.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { EngineDetector } from '../../security/gates/engine.ts';
import type { Gate } from '../../security/gates/gate.ts';
import { runGates, type RunSummary } from '../../security/gates/runner.ts';
import { copyRepository, PROJECT_ROOT } from '../support/repository.ts';

export const ROOT = PROJECT_ROOT;

export interface Sandbox {
  readonly root: string;
  read(path: string): string;
  write(path: string, text: string): void;
  /** Replaces text that must be there, so a planted defect can never silently miss. */
  replace(path: string, search: string | RegExp, replacement: string): void;
  remove(): void;
}

/** A sandbox of the whole repository, or of the files `include` keeps (a gate that reads only those). */
export function makeSandbox(include?: (path: string) => boolean): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'gates-sandbox-'));
  copyRepository(root, include);
  return {
    root,
    read: (path) => readFileSync(join(root, path), 'utf8'),
    write: (path, text) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    },
    replace(path, search, replacement) {
      const before = this.read(path);
      const after = before.replace(search, replacement);
      if (after === before) throw new Error(`nothing to replace in ${path}: ${String(search)}`);
      this.write(path, after);
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

export const noEngine: EngineDetector = () => Promise.resolve(undefined);

/** Runs gates on a sandbox quietly, keeping what they printed for the assertions. */
export async function runQuietly(
  root: string,
  gates: readonly Gate[],
  extra: { testFiles?: readonly string[]; allowMissing?: boolean; detectEngine?: EngineDetector } = {},
): Promise<RunSummary & { printed: string }> {
  let printed = '';
  const summary = await runGates({
    root,
    gates,
    detectEngine: extra.detectEngine ?? noEngine,
    ...(extra.testFiles ? { testFiles: extra.testFiles } : {}),
    ...(extra.allowMissing ? { allowMissing: true } : {}),
    write: (text) => {
      printed += text;
    },
  });
  return { ...summary, printed };
}

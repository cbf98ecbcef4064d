/**
 * A fresh empty folder for each test of the describe block (or file) that calls it, removed after the
 * test: what a test writes there cannot leak into the next one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function folderPerTest(prefix: string): () => string {
  let folder: string | undefined;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), prefix));
  });
  afterEach(() => {
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
    folder = undefined;
  });
  return () => {
    if (folder === undefined) throw new Error(`${prefix}: the folder exists only during a test`);
    return folder;
  };
}

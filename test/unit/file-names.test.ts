/**
 * One meaning per file name (issue 23): two files of the same name in the tree must mean the same kind of
 * thing, or a reader who knows one misreads the other. The names below are shared on purpose, each with
 * the one meaning every file of that name has; any other name that appears twice fails here.
 */
import { basename } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { projectFiles } from '../support/repository.ts';

export const SHARED_NAMES: Readonly<Record<string, string>> = {
  'action.yml': "a GitHub action's definition (the rehearsal's stand-in actions, one folder each)",
  Dockerfile: 'an image build (the service; the Trivy self-test target)',
  'README.md': 'the guide to the folder it sits in',
  'run.mjs': "a suite's entry point, the script its `npm run` command starts",
  'server.mjs': "a self-test target service, started by its folder's workflow job",
  'openapi.yaml': 'the OpenAPI description of the service in its folder (ours; the ZAP API self-test target)',
};

/** The names that appear more than once and are not shared on purpose, with their paths. */
export function collidingNames(paths: readonly string[]): Record<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const path of paths) {
    const name = basename(path);
    byName.set(name, [...(byName.get(name) ?? []), path]);
  }
  return Object.fromEntries(
    [...byName].filter(([name, all]) => all.length > 1 && !Object.hasOwn(SHARED_NAMES, name)),
  );
}

describe('one meaning per file name', () => {
  it('no two files of the tree share a name, except the names shared on purpose', () => {
    expect(collidingNames(projectFiles())).toEqual({});
  });

  it('every name shared on purpose is still shared (a stale entry would hide the next collision)', () => {
    const counts = new Map<string, number>();
    for (const path of projectFiles()) counts.set(basename(path), (counts.get(basename(path)) ?? 0) + 1);
    const unshared = Object.keys(SHARED_NAMES).filter((name) => (counts.get(name) ?? 0) < 2);
    expect(unshared).toEqual([]);
  });

  it('names two files of one name in different folders, and only those', () => {
    expect(
      collidingNames([
        'test/gates/sandbox.ts',
        'test/hooks/sandbox.ts',
        'src/app.ts',
        'a/run.mjs',
        'b/run.mjs',
      ]),
    ).toEqual({ 'sandbox.ts': ['test/gates/sandbox.ts', 'test/hooks/sandbox.ts'] });
  });
});

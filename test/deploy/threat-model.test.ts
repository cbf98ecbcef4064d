/**
 * docs/threat-model.md names, for each threat, the test that shows its control holds. A table that names
 * a test file that was renamed or never written promises what nothing checks: every test path it names
 * must exist, and the deploy rows must name the tests of their controls.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './support.ts';

const TABLE = readFileSync(path.join(REPO_ROOT, 'docs', 'threat-model.md'), 'utf8')
  .split('\n')
  .filter((line) => line.startsWith('|'));
const testPaths = (line: string) =>
  [...line.matchAll(/`(test\/[^`]+\.test\.ts)`/g)].map((match) => match[1] ?? '');
const row = (threat: string) => {
  const found = TABLE.find((line) => line.startsWith(`| ${threat}`));
  if (found === undefined) throw new Error(`docs/threat-model.md has no row for "${threat}"`);
  return found;
};

describe('docs/threat-model.md', () => {
  test('every test file the table names exists', () => {
    const named = TABLE.flatMap(testPaths);
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((file) => !existsSync(path.join(REPO_ROOT, file)))).toEqual([]);
  });

  test.each([
    [
      'Deploy identity',
      [
        'test/deploy/binauthz-attest.test.ts',
        'test/deploy/cloudrun.test.ts',
        'test/deploy/aws-policies.test.ts',
      ],
    ],
    ['A weakened gate', ['test/deploy/cloudrun.test.ts']],
  ])('the row "%s" names the tests of its controls', (threat, files) => {
    expect(testPaths(row(threat))).toEqual(expect.arrayContaining(files));
  });
});

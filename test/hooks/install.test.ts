// The prepare script runs on every `npm install` / `npm ci`: it may set up hooks, but it must never
// fail an install — not in an image build, not in CI, not outside a git checkout, not with HUSKY=0.
import { cpSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { initRepository, makeTempDir, projectRoot, removeTempDir, run } from './hook-sandbox.ts';

jest.setTimeout(180_000);

const temporaryDirectories: string[] = [];

afterAll(() => temporaryDirectories.forEach(removeTempDir));

// package.json, the lockfile, .npmrc and the prepare script: what an install reads and runs.
function installableCopy(options: { withGit: boolean; linkNodeModules: boolean }): string {
  const directory = makeTempDir('hooks-install-');
  temporaryDirectories.push(directory);
  for (const file of ['package.json', 'package-lock.json', '.npmrc', 'scripts/prepare.mjs']) {
    cpSync(join(projectRoot, file), join(directory, file));
  }
  mkdirSync(join(directory, '.husky'));
  cpSync(join(projectRoot, '.husky', 'pre-commit'), join(directory, '.husky', 'pre-commit'));
  if (options.linkNodeModules) {
    symlinkSync(join(projectRoot, 'node_modules'), join(directory, 'node_modules'), 'dir');
  }
  if (options.withGit) initRepository(directory);
  return directory;
}

function hooksPath(directory: string): string {
  return run('git', ['config', '--get', 'core.hooksPath'], directory).output.trim();
}

describe('prepare script', () => {
  it('installs the hooks in a git checkout with husky present', () => {
    const directory = installableCopy({ withGit: true, linkNodeModules: true });
    const prepare = run('node', ['scripts/prepare.mjs'], directory);
    expect(prepare.status).toBe(0);
    expect(hooksPath(directory)).toBe('.husky/_');
    expect(existsSync(join(directory, '.husky', '_', 'pre-commit'))).toBe(true);
  });

  it('exits 0 without a .git folder, and installs nothing', () => {
    const directory = installableCopy({ withGit: false, linkNodeModules: true });
    const prepare = run('node', ['scripts/prepare.mjs'], directory);
    expect(prepare.status).toBe(0);
    expect(prepare.output).toContain('no .git here');
    expect(existsSync(join(directory, '.husky', '_'))).toBe(false);
  });

  it('exits 0 with HUSKY=0, and installs nothing', () => {
    const directory = installableCopy({ withGit: true, linkNodeModules: true });
    const prepare = run('node', ['scripts/prepare.mjs'], directory, { HUSKY: '0' });
    expect(prepare.status).toBe(0);
    expect(prepare.output).toContain('HUSKY=0');
    expect(hooksPath(directory)).toBe('');
  });

  it('exits 0 in CI, and installs nothing', () => {
    const directory = installableCopy({ withGit: true, linkNodeModules: true });
    const prepare = run('node', ['scripts/prepare.mjs'], directory, { CI: 'true' });
    expect(prepare.status).toBe(0);
    expect(prepare.output).toContain('running in CI');
    expect(hooksPath(directory)).toBe('');
  });

  // The image build's install: no devDependencies (so no husky) and no scripts. Then the case that
  // broke installs before (husky#914): the prepare script running where husky is absent.
  it('survives a production install without husky: `npm ci --omit=dev --omit=optional --ignore-scripts`, then prepare', () => {
    const directory = installableCopy({ withGit: true, linkNodeModules: false });
    // --offline: served from the npm cache the project's own `npm ci` filled, so no network is used.
    const install = run(
      'npm',
      ['ci', '--omit=dev', '--omit=optional', '--ignore-scripts', '--offline', '--no-audit', '--no-fund'],
      directory,
    );
    expect(install.status).toBe(0);
    expect(existsSync(join(directory, 'node_modules', 'express'))).toBe(true);
    expect(existsSync(join(directory, 'node_modules', 'husky'))).toBe(false);
    // The pinned Node is for npm scripts: the image's production install carries none.
    expect(existsSync(join(directory, 'node_modules', '.bin', 'node'))).toBe(false);
    expect(hooksPath(directory)).toBe('');

    const prepare = run('npm', ['run', 'prepare'], directory);
    expect(prepare.status).toBe(0);
    expect(prepare.output).toContain('husky is absent');
    expect(hooksPath(directory)).toBe('');
  });
});

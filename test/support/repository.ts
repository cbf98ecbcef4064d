/**
 * A throw-away copy of this project for tests that must change files or run git in it (the hooks, the
 * gate runner, init-template) without touching the real tree: the files as git would commit them now,
 * with node_modules linked rather than installed (a fresh install would take minutes).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const PROJECT_ROOT = resolve(import.meta.dirname, '..', '..');

/** Tracked files and new ones git does not ignore, as they are in the working tree (deleted ones left out). */
export function projectFiles(): string[] {
  const listing = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
  });
  if (listing.status !== 0) throw new Error(`git ls-files failed: ${listing.stderr}`);
  return listing.stdout.split('\0').filter((path) => path !== '' && existsSync(join(PROJECT_ROOT, path)));
}

/**
 * Copies the project's files (those `include` keeps) into `destination`, and links each entry of
 * node_modules but its .cache: the caches the tools keep there (ESLint's, Prettier's, tsc's build info,
 * Jest's) stay the copy's own, warm from one run in the copy to the next, and never written into
 * the real tree's from a copy.
 */
export function copyRepository(destination: string, include: (path: string) => boolean = () => true): void {
  for (const path of projectFiles().filter(include)) {
    mkdirSync(dirname(join(destination, path)), { recursive: true });
    copyFileSync(join(PROJECT_ROOT, path), join(destination, path));
  }
  const modules = join(destination, 'node_modules');
  mkdirSync(modules);
  for (const entry of readdirSync(join(PROJECT_ROOT, 'node_modules'))) {
    if (entry !== '.cache') symlinkSync(join(PROJECT_ROOT, 'node_modules', entry), join(modules, entry));
  }
}

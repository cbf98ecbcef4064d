// A throw-away copy of this project as its own git repository, with the hooks installed the way a
// developer gets them (`npm install` runs the prepare script), so the hooks are tested as they run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findGitleaks } from '../../security/gitleaks.mjs';
import { copyRepository, PROJECT_ROOT } from '../support/repository.ts';

export const projectRoot = PROJECT_ROOT;

export interface RunResult {
  status: number | null;
  output: string;
}

// The child sees the Node running this test first on its PATH (the hooks run whatever `node` is on
// PATH), none of the caller's git, husky or CI settings, and no global or system git configuration.
export function isolatedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    const leaksIntoChild =
      name.startsWith('GIT_') ||
      name.startsWith('JEST_') ||
      name.startsWith('npm_') ||
      ['HUSKY', 'CI', 'GITHUB_ACTIONS', 'NODE_ENV'].includes(name);
    if (!leaksIntoChild) env[name] = value;
  }
  return {
    ...env,
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    // A resident ESLint the hooks start from a test stops after one idle minute, not fifteen: it must not
    // outlive the test run by long (a daemon already running is reused as it is).
    ESLINT_D_IDLE: '1',
    ...extra,
  };
}

export function run(
  command: string,
  args: string[],
  cwd: string,
  extraEnv: Record<string, string> = {},
): RunResult {
  const result = spawnSync(command, args, {
    cwd,
    env: isolatedEnv(extraEnv),
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

export function mustRun(
  command: string,
  args: string[],
  cwd: string,
  extraEnv: Record<string, string> = {},
): string {
  const result = run(command, args, cwd, extraEnv);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${String(result.status)}:\n${result.output}`);
  }
  return result.output;
}

export function makeTempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function initRepository(directory: string): void {
  mustRun('git', ['init', '-q', '-b', 'main'], directory);
  mustRun('git', ['config', 'user.name', 'Hook Test'], directory);
  mustRun('git', ['config', 'user.email', 'hook-test@example.invalid'], directory);
  mustRun('git', ['config', 'commit.gpgsign', 'false'], directory);
}

export function createProjectCopy(): { root: string; repository: string } {
  const root = makeTempDir('hooks-test-');
  const repository = join(root, 'work');
  mkdirSync(repository);
  // The project's own test suites are left out: the pre-push hook in the copy must run only the tests
  // a case plants.
  // test/support/ comes along: jest.config.js names files there (the transformer that loads tests as
  // CommonJS, docs/decisions.md; the deploy project's setup file), and it holds no test suites.
  copyRepository(repository, (path) => !path.startsWith('test/') || path.startsWith('test/support/'));
  initRepository(repository);
  mustRun('git', ['add', '-A'], repository);
  mustRun('git', ['commit', '-q', '--no-verify', '-m', 'Project copy'], repository);
  return { root, repository };
}

/** A project copy with the hooks installed (`npm run prepare`), as a clone has them after `npm ci`. */
export function hookedProjectCopy(): { root: string; repository: string } {
  const copy = createProjectCopy();
  mustRun('npm', ['run', 'prepare'], copy.repository);
  return copy;
}

export function removeTempDir(directory: string | undefined): void {
  if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
}

/**
 * The gitleaks binary the secret-scan tests use, found as the hook finds it (security/gitleaks.mjs,
 * findGitleaks). SECRET_SCAN_REQUIRE_GITLEAKS=1 (CI's tooling step) makes its absence an error, so that
 * the gitleaks-backed tests can never be skipped there unnoticed.
 */
export function gitleaksBinary(): string | undefined {
  const found = findGitleaks();
  if (found === undefined && process.env.SECRET_SCAN_REQUIRE_GITLEAKS === '1') {
    throw new Error('SECRET_SCAN_REQUIRE_GITLEAKS=1 but no gitleaks binary: set GITLEAKS or PATH');
  }
  return found;
}

/** What a child needs to see no gitleaks, so that the hook and the history scan take the fallback. */
export function withoutGitleaks(): Record<string, string> {
  const path = [dirname(process.execPath), ...(process.env.PATH ?? '').split(':')]
    .filter((directory) => directory !== '' && !existsSync(join(directory, 'gitleaks')))
    .join(':');
  // SHS_TOOLS_DIR: the history scan also looks where scripts/ci/install-tools.sh installs gitleaks.
  return {
    PATH: path,
    GITLEAKS: '',
    GOPATH: join(tmpdir(), 'no-gitleaks-here'),
    SHS_TOOLS_DIR: join(tmpdir(), 'no-gitleaks-here'),
  };
}

/** What a child needs to use this gitleaks binary. */
export const withGitleaks = (binary: string): Record<string, string> => ({ GITLEAKS: binary });

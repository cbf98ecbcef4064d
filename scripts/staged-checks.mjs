// The pre-commit checks as lint-staged function tasks (lint-staged.config.mjs): ESLint, the secret scan
// and Prettier, each on the STAGED content of the files lint-staged hands it, in the hook's own process.
//
// The staged blobs are read from the index (`git cat-file --batch`), never from the working tree: what is
// checked is exactly what the commit will hold, however lint-staged was told to treat unstaged changes
// (scripts/pre-commit.mjs explains the options it passes).
//
// ESLint is the expensive one (loading TypeScript): it runs in eslint_d, a resident ESLint that uses the
// project's own ESLint and config. The check fails closed: if the daemon cannot start or answers with
// something that is not ESLint's report, the same check runs in this process with plain ESLint.
// Every check here also runs over the whole tree in `npm test` and CI, which catch a bypassed hook.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { connect } from 'node:net';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findGitleaks, GITLEAKS_CONFIG, INSTALL_HINT, scanStaged } from '../security/gitleaks.mjs';

// The type-aware rules need the whole program (seconds per cold start); the hook runs the fast set of the
// same policy (eslint.config.mjs), and `npm run lint` adds the type-aware rules before a merge.
process.env.ESLINT_FAST = '1';

/** The project (where eslint.config.mjs, .secretlintrc.json and the Prettier config live). */
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = nodeModule.createRequire(import.meta.url);

/** The path as git and the policies' ignore files name it: relative to the project, with `/`. */
const projectPath = (file) => relative(root, file).split(sep).join('/');

function git(args, input) {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      args,
      { cwd: root, encoding: 'buffer', maxBuffer: 1024 * 1024 * 1024 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`git ${args.join(' ')}: ${stderr.toString().trim()}`)) : resolve(stdout),
    );
    child.stdin.on('error', reject);
    child.stdin.end(input);
  });
}

/**
 * The staged content of each file: the index entry (`:./path`, relative to the project) through one
 * `git cat-file --batch`. A name with a newline cannot go through the batch's line protocol; it is read
 * on its own. A path with no blob in the index throws: a check never passes a file it could not read.
 * @param {string[]} files absolute paths, as lint-staged passes them
 * @returns {Promise<{ path: string, content: Buffer }[]>}
 */
async function readStaged(files) {
  const paths = files.map(projectPath);
  const batched = paths.filter((path) => !path.includes('\n'));
  const contents = new Map();
  if (batched.length > 0) {
    const output = await git(['cat-file', '--batch'], batched.map((path) => `:./${path}\n`).join(''));
    let offset = 0;
    for (const path of batched) {
      const headerEnd = output.indexOf(0x0a, offset);
      const header = output.subarray(offset, headerEnd).toString('utf8').split(' ');
      if (header.length !== 3 || header[1] !== 'blob') {
        throw new Error(`pre-commit: cannot read the staged content of ${path} (${header.join(' ')})`);
      }
      const size = Number(header[2]);
      contents.set(path, output.subarray(headerEnd + 1, headerEnd + 1 + size));
      offset = headerEnd + 1 + size + 1;
    }
  }
  for (const path of paths.filter((name) => name.includes('\n'))) {
    contents.set(path, await git(['cat-file', 'blob', `:./${path}`], ''));
  }
  return paths.map((path) => ({ path, content: contents.get(path) }));
}

// The checks run side by side and mostly ask for the same files: each file's staged content is read once.
const stagedReads = new Map();
async function stagedContent(files) {
  const unread = files.filter((file) => !stagedReads.has(file));
  if (unread.length > 0) {
    const reading = readStaged(unread);
    unread.forEach((file, index) =>
      stagedReads.set(
        file,
        reading.then((staged) => staged[index]),
      ),
    );
  }
  return Promise.all(files.map((file) => stagedReads.get(file)));
}

/** The promise, with its failure left to whoever awaits it (a task that never runs must not crash the hook). */
const quietly = (promise) => {
  promise.catch(() => {});
  return promise;
};

// The secret scan's engine is gitleaks with .gitleaks.toml, as in CI's history scan (security/gitleaks.mjs).
// Where it is not installed the hook falls back to secretlint (.secretlintrc.json), which refuses fewer
// kinds (docs/secrets.md lists them), and says so once per commit. Finding the binary starts no process.
let gitleaksBinary;
try {
  gitleaksBinary = findGitleaks();
} catch (error) {
  gitleaksBinary = error;
}
// Loading secretlint (with its config, which it validates) is most of the fallback's CPU: it starts as
// soon as this module is loaded (scripts/pre-commit.mjs loads the config early), overlapping lint-staged's
// git calls, and only when it is the engine.
const secretScanning =
  gitleaksBinary === undefined
    ? quietly(
        import('../security/secret-scan.mjs').then(async ({ createSecretScanner, looksBinary }) => ({
          scanner: await createSecretScanner(root),
          looksBinary,
        })),
      )
    : undefined;
const prettierLoading = quietly(import('prettier'));

class ChecksFailed extends Error {}

/** Prints one block per failed check and fails the lint-staged task, which then blocks the commit. */
function report(name, findings) {
  if (findings.length === 0) return;
  console.error(
    [`✖ ${name}: ${findings.length} problem(s)`, ...findings.map((line) => `  ${line}`)].join('\n'),
  );
  throw new ChecksFailed(`${name}: ${findings.length} problem(s)`);
}

/**
 * lint-staged keeps a function task's error to itself (getFunctionTask.js: it becomes the `cause` of a
 * bare "[FAILED]"), and the hook runs it quiet: a check that could not run (a broken policy file, git
 * failing) says why here, and still fails the commit.
 */
const task = (name, check) => async (files) => {
  try {
    await check(files);
  } catch (error) {
    if (!(error instanceof ChecksFailed)) console.error(`✖ ${name} could not run: ${error?.stack ?? error}`);
    throw error;
  }
};

async function secretlintFindings(files) {
  const [staged, { scanner, looksBinary }] = await Promise.all([stagedContent(files), secretScanning]);
  const findings = [];
  for (const { path, content } of staged) {
    if (scanner.isIgnored(path) || looksBinary(content)) continue;
    for (const finding of await scanner.scan(path, content.toString('utf8'))) {
      findings.push(`${path}:${finding.line ?? 1} ${finding.rule} ${finding.kind ?? ''}: ${finding.message}`);
    }
  }
  return findings;
}

let stagedScan;
export const secretScan = task('secret scan', async (files) => {
  if (gitleaksBinary instanceof Error) throw gitleaksBinary;
  if (gitleaksBinary === undefined) {
    console.error(
      `pre-commit: gitleaks is not installed; the secret scan falls back to secretlint (.secretlintrc.json), ` +
        `which misses kinds that CI's history scan refuses. Install it: ${INSTALL_HINT}`,
    );
    report('secret scan (secretlint fallback, .secretlintrc.json)', await secretlintFindings(files));
    return;
  }
  // gitleaks reads the index itself: one scan of the whole staged diff, whose findings are shared out
  // among lint-staged's chunks of files (it splits a long list of files into several calls).
  stagedScan ??= scanStaged(gitleaksBinary, root);
  const paths = new Set(files.map(projectPath));
  const findings = (await stagedScan).filter((finding) => paths.has(finding.File));
  report(
    `secret scan (gitleaks, ${GITLEAKS_CONFIG})`,
    findings.map(
      (finding) => `${finding.File}:${finding.StartLine || 1} ${finding.RuleID}: ${finding.Description}`,
    ),
  );
});

export const prettierCheck = task('Prettier', async (files) => {
  const [staged, prettier] = await Promise.all([stagedContent(files), prettierLoading]);
  const findings = [];
  for (const { path, content } of staged) {
    const absolute = join(root, path);
    // The CLI's defaults: .gitignore and .prettierignore decide what is ignored; unknown types are skipped.
    const info = await prettier.getFileInfo(absolute, {
      ignorePath: ['.gitignore', '.prettierignore'].map((name) => join(root, name)),
    });
    if (info.ignored || info.inferredParser === null) continue;
    const options = { ...(await prettier.resolveConfig(absolute)), filepath: absolute };
    if (!(await prettier.check(content.toString('utf8'), options))) {
      findings.push(
        `${path} prettier --check: not formatted (npx prettier --write ${path}, then git add it)`,
      );
    }
  }
  report('Prettier', findings);
});

function describeEslint(results, path) {
  return results.flatMap((result) =>
    result.messages.map(
      (message) =>
        `${path}:${message.line ?? 0}:${message.column ?? 0} ${message.severity === 2 ? 'error' : 'warning'} ${message.ruleId ?? 'eslint'} ${message.message}`,
    ),
  );
}

const ESLINT_ARGS = ['--no-warn-ignored', '--format', 'json'];

/** ESLint's JSON report out of the daemon's answer (ESLint's output, then `EXIT` and a 3-digit code). */
function parseReport(answer) {
  const exit = /EXIT(\d{3})$/.exec(answer);
  if (exit === null || !['000', '001'].includes(exit[1])) return undefined;
  try {
    const report = JSON.parse(answer.slice(0, exit.index));
    return Array.isArray(report) ? report : undefined;
  } catch {
    return undefined;
  }
}

// eslint_d's client is a Node process of its own (~0.1-0.2 s to start here); when its daemon already
// runs, the hook speaks to it directly, with the request its client sends (eslint_d 15
// lib/forwarder.js: `[token, 'ESLINT_D_LINT', colour, cwd, argv, DEBUG]`, a newline, then the text;
// the answer ends in `EXIT` and ESLint's exit code). Anything unexpected lands in the fallbacks.
function lintWithRunningDaemon(path, content) {
  const eslintBase = dirname(require.resolve('eslint/package.json', { paths: [root] }));
  let token, port, daemonDependencies;
  try {
    [token, port, , daemonDependencies] = readFileSync(join(eslintBase, '.eslint_d'), 'utf8').split(' ');
  } catch {
    return Promise.resolve(undefined);
  }
  // The daemon was started for these dependencies (eslint_d lib/hash.js): else its client restarts it.
  const project = join(eslintBase, '..', '..');
  const digest = createHash('md5');
  for (const name of [
    'package.json',
    'package-lock.json',
    'npm-shrinkwrap.json',
    'yarn.lock',
    'pnpm-lock.yaml',
  ]) {
    try {
      digest.update(readFileSync(join(project, name)));
    } catch {
      // absent files are left out of eslint_d's hash too
    }
  }
  if (digest.digest('base64') !== daemonDependencies) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1');
    let answer = '';
    socket.setEncoding('utf8');
    socket.setTimeout(30_000, () => socket.destroy());
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('error', () => resolve(undefined));
    socket.on('close', () => resolve(parseReport(answer)));
    socket.on('connect', () => {
      const argv = [
        process.execPath,
        'eslint_d',
        '--stdin',
        '--stdin-filename',
        join(root, path),
        ...ESLINT_ARGS,
      ];
      socket.end(`${JSON.stringify([token, 'ESLINT_D_LINT', 0, root, argv, ''])}\n${content}`);
    });
  });
}

export const HOOK_DAEMON_IDLE_MINUTES = '2';

/** ESLint's report through eslint_d's own client, which starts (or restarts) the daemon as needed. */
function lintWithDaemonClient(path, content) {
  const client =
    process.env.PRECOMMIT_ESLINT_D ??
    join(dirname(require.resolve('eslint_d/package.json')), 'bin', 'eslint_d.js');
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [client, '--stdin', '--stdin-filename', join(root, path), ...ESLINT_ARGS],
      {
        cwd: root,
        // The daemon the hook starts stops itself after two idle minutes (eslint_d's default is fifteen):
        // a burst of commits reuses it, and none is left running long after (issue 24). A developer who
        // wants it longer sets ESLINT_D_IDLE; `npx eslint_d stop` ends it at once.
        env: {
          ...process.env,
          ESLINT_D_MISS: 'fail',
          ESLINT_D_IDLE: process.env.ESLINT_D_IDLE ?? HOOK_DAEMON_IDLE_MINUTES,
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.resume();
    child.on('error', () => resolve(undefined));
    child.on('close', (code) => {
      resolve(code === 0 || code === 1 ? parseReport(`${stdout}EXIT00${code}`) : undefined);
    });
    child.stdin.on('error', () => {});
    child.stdin.end(content);
  });
}

let plainEslint;
async function lintInProcess(path, content) {
  if (plainEslint === undefined) {
    const { ESLint } = await import('eslint');
    plainEslint = new ESLint({ cwd: root });
  }
  return plainEslint.lintText(content, { filePath: join(root, path), warnIgnored: false });
}

export const eslintCheck = task('ESLint', async (files) => {
  const findings = [];
  for (const { path, content } of await stagedContent(files)) {
    const text = content.toString('utf8');
    // PRECOMMIT_ESLINT_D names another eslint_d client (the tests use a broken one); the running daemon
    // is then left alone, so the fallback is what gets exercised.
    let results =
      (process.env.PRECOMMIT_ESLINT_D === undefined ? await lintWithRunningDaemon(path, text) : undefined) ??
      (await lintWithDaemonClient(path, text));
    if (results === undefined) {
      console.error(`pre-commit: eslint_d gave no report for ${path}; checking it with plain ESLint instead`);
      results = await lintInProcess(path, text);
    }
    // --max-warnings=0: a warning blocks the commit as an error does.
    findings.push(...describeEslint(results, path));
  }
  report('ESLint (eslint.config.mjs, security rules)', findings);
});

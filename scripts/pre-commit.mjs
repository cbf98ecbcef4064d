// The pre-commit gate: ESLint, Prettier and the secret scan on exactly what is staged, in one Node
// process, so a one-file commit answers in well under a second (bench/precommit.mjs).
//
// Why not lint-staged: its backup stash, its git calls and one process per tool (each loading its tool
// from scratch) cost more than the checks themselves. Reading the staged blobs from the index gives
// the same guarantee as lint-staged's stash (the staged content is checked, not the working tree) without
// touching the working tree at all.
//
// ESLint is the expensive one (loading TypeScript): it runs in eslint_d, a resident ESLint that uses the
// project's own ESLint and config. The hook fails closed: if the daemon cannot start or answers
// with something that is not ESLint's report, the same check runs in this process with plain ESLint.
// Every check here also runs over the whole tree in `npm test` and CI, which catch a bypassed hook.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';

// The type-aware rules need the whole program (seconds per cold start); the hook runs the fast set of the
// same policy (eslint.config.mjs), and `npm run lint` adds the type-aware rules before a merge.
process.env.ESLINT_FAST = '1';

// Node keeps the compiled code of secretlint, Prettier and this script in its cache directory between
// commits (about a third of their load time here); the tools are imported after this line for that reason.
// Node 20 has no compile cache; the hook still runs there, only slower.
nodeModule.enableCompileCache?.();

const root = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();
const require = nodeModule.createRequire(import.meta.url);
const LINTED = /\.(?:ts|mts|cts|js|mjs|cjs)$/;

/** Staged regular files and their staged blobs (deletions, symlinks and submodules carry no content). */
function stagedFiles() {
  const raw = execFileSync(
    'git',
    ['diff', '--cached', '--raw', '-z', '--no-renames', '--diff-filter=ACMT', '--no-ext-diff'],
    { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  const fields = raw.split('\0');
  const files = [];
  for (let index = 0; index + 1 < fields.length; index += 2) {
    const [, newMode, , blob] = fields[index].split(' ');
    if (newMode === '100644' || newMode === '100755') {
      const content = execFileSync('git', ['cat-file', 'blob', blob], {
        cwd: root,
        maxBuffer: 256 * 1024 * 1024,
      });
      files.push({ path: fields[index + 1], content });
    }
  }
  return files;
}

async function secretFindings(files) {
  const { createSecretScanner, looksBinary } = await import('../security/secret-scan.mjs');
  const scanner = await createSecretScanner(root);
  const findings = [];
  for (const { path, content } of files) {
    if (scanner.isIgnored(path) || looksBinary(content)) continue;
    for (const finding of await scanner.scan(path, content.toString('utf8'))) {
      findings.push(`${path}:${finding.line ?? 1} ${finding.rule} ${finding.kind ?? ''}: ${finding.message}`);
    }
  }
  return findings;
}

async function prettierFindings(files) {
  const prettier = await import('prettier');
  const findings = [];
  for (const { path, content } of files) {
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
  return findings;
}

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
        env: { ...process.env, ESLINT_D_MISS: 'fail' },
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

async function eslintFindings(files) {
  const findings = [];
  for (const { path, content } of files.filter((file) => LINTED.test(file.path))) {
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
  return findings;
}

const files = stagedFiles();
const checks = [
  ['ESLint (eslint.config.mjs, security rules)', eslintFindings(files)],
  ['secret scan (secretlint, .secretlintrc.json)', secretFindings(files)],
  ['Prettier', prettierFindings(files)],
];
let failed = false;
for (const [name, pending] of checks) {
  const findings = await pending;
  if (findings.length === 0) continue;
  failed = true;
  console.error(`✖ ${name}: ${findings.length} problem(s)`);
  for (const line of findings) console.error(`  ${line}`);
}
if (failed) {
  console.error('pre-commit: commit refused. Fix the staged files, git add them, and commit again.');
  process.exitCode = 1;
}

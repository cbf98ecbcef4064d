// The secret scan over history: `gitleaks git` with .gitleaks.toml (the pre-commit hook's rules) over every
// commit a push or pull request adds, not only the final tree. A secret committed and then deleted in a
// later commit of the same push is still public in the repository's history, so it fails just the same.
//
// What is ours here is only what gitleaks' options do not give: the range, and the outage. gitleaks takes
// a range (--log-opts) but not "a new branch": an empty or all-zero base (a new branch), or one not in the
// clone (a force push dropped it), means every commit of head that no other branch or tag of the clone
// holds, so a repository's first push scans all of its history. And gitleaks exits 0, "no leaks found",
// when git itself failed (an unknown revision is an ERR line, then 0 commits scanned; seen with 8.30.1):
// head and base are resolved first, and an ERR line is an outage, never a pass.
//
// Usage:
//   node security/secrets-history.mjs --base <sha> --head <sha> [--sarif <file>]
//     push:          --base "${{ github.event.before }}" --head "${{ github.sha }}"
//     pull request:  --base "${{ github.event.pull_request.base.sha }}" --head "${{ github.event.pull_request.head.sha }}"
//   The checkout needs the history: actions/checkout with fetch-depth: 0. gitleaks is $GITLEAKS, else
//   scripts/ci/install-tools.sh's copy, else the first on PATH.
// Exit codes: 0 clean, 1 secrets found, 2 the scan could not run (an outage: gitleaks missing or failing,
// git failing, bad arguments): nothing was found and nothing passed.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { binaryPathResults, findGitleaks, reportArgs, run } from './gitleaks.mjs';

// gitleaks' own exit code for "leaks found" is --exit-code; 1 is its failures (log.Fatal), so leaks get
// another number and anything else is gitleaks not having scanned.
const LEAKS_EXIT = 99;
const INSTALL = 'bash scripts/ci/install-tools.sh gitleaks (security/tools.json pins the version)';
const ZERO_SHA = /^0+$/;

class Outage extends Error {}

function git(root, args) {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function commitOf(root, revision) {
  try {
    return git(root, ['rev-parse', '--verify', '--quiet', `${revision}^{commit}`]).trim();
  } catch {
    return undefined;
  }
}

/** What the push or pull request adds, as git log arguments: its head, then `--not` what to leave out. */
export function revisionsToScan(root, base, head) {
  const headSha = commitOf(root, head);
  if (headSha === undefined) throw new Outage(`--head ${head} is not a commit in this clone`);
  const baseSha = base && !ZERO_SHA.test(base) ? commitOf(root, base) : undefined;
  if (baseSha !== undefined) return [headSha, '--not', baseSha];
  // New branch or vanished base: whatever no other ref of the clone already holds. The refs that point at
  // head itself (the pushed branch, a tag on it) must not exclude it; an annotated tag's own object is not
  // its commit, so tags are compared by the commit they peel to.
  const refs = git(root, [
    'for-each-ref',
    '--format=%(refname) %(objectname) %(*objectname)',
    'refs/heads',
    'refs/remotes',
    'refs/tags',
  ])
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' '));
  const others = refs
    .filter(([name, object, peeled]) => (peeled || object) !== headSha && !name.endsWith('/HEAD'))
    .map(([name]) => name);
  return [headSha, ...(others.length > 0 ? ['--not', ...others] : [])];
}

function gitleaksBinary(env = process.env) {
  try {
    return findGitleaks(env);
  } catch (err) {
    throw new Outage(err.message);
  }
}

function runGitleaks(binary, root, revisions, report) {
  const args = [
    'git',
    '--log-opts',
    revisions.join(' '),
    ...reportArgs(root, LEAKS_EXIT, 'sarif', report),
    root,
  ];
  return run(binary, args, root);
}

async function main(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      base: { type: 'string', default: '' },
      head: { type: 'string' },
      sarif: { type: 'string' },
      root: { type: 'string' },
    },
    strict: true,
  });
  if (!values.head) throw new Outage('--head <commit> is required (the pushed or pull request head)');
  const root = resolve(values.root ?? process.cwd());
  /* eslint-disable security/detect-non-literal-fs-filename -- the report path CI passes on its command line */
  // A report from an earlier run must not stand for this one if this one cannot scan.
  if (values.sarif) rmSync(values.sarif, { force: true });
  const binary = gitleaksBinary();
  if (binary === undefined) throw new Outage(`gitleaks is not installed: ${INSTALL}`);
  const revisions = revisionsToScan(root, values.base, values.head);
  const commits = Number(git(root, ['rev-list', '--count', ...revisions]).trim());

  const scratch = mkdtempSync(join(tmpdir(), 'secrets-history-'));
  let log;
  try {
    const report = join(scratch, 'gitleaks.sarif');
    const result = await runGitleaks(binary, root, revisions, report);
    const errors = result.stderr.split('\n').filter((line) => /\b(ERR|FTL)\b/.test(line));
    if ((result.code !== 0 && result.code !== LEAKS_EXIT) || errors.length > 0) {
      throw new Outage(
        `gitleaks could not scan (exit ${result.code}): ${(errors.join('\n') || result.stderr || result.error?.message || '').trim()}`,
      );
    }
    log = JSON.parse(readFileSync(report, 'utf8'));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const sarifRun = log.runs[0];
  // gitleaks writes endColumn 0 for a match that ends at a line break (a PEM block): SARIF 2.1.0 wants
  // columns from 1, and code scanning rejects the file otherwise. The start line is what matters.
  for (const result of sarifRun.results ?? []) {
    for (const location of result.locations ?? []) {
      const region = location.physicalLocation?.region;
      if (region && !(region.endColumn >= 1)) delete region.endColumn;
      if (region && !(region.startColumn >= 1)) delete region.startColumn;
    }
  }
  // gitleaks names every release v8.0.0 in its SARIF (report/constants.go at 8.30.1); the gate-results
  // attestation reads the version from there, so it gets the binary's own.
  sarifRun.tool.driver.semanticVersion = execFileSync(binary, ['version'], { encoding: 'utf8' }).trim();
  sarifRun.results = [...(sarifRun.results ?? []), ...(await binaryPathResults(binary, root, revisions))];
  sarifRun.properties = { ...sarifRun.properties, commitsScanned: commits };

  for (const result of sarifRun.results) {
    const location = result.locations?.[0]?.physicalLocation;
    console.log(
      `${result.partialFingerprints?.commitSha ?? ''} ${location?.artifactLocation?.uri ?? ''}:${location?.region?.startLine ?? 1} ${result.ruleId}: ${result.message?.text ?? ''}`,
    );
  }
  if (values.sarif) {
    mkdirSync(dirname(resolve(values.sarif)), { recursive: true });
    writeFileSync(values.sarif, `${JSON.stringify(log, null, 2)}\n`);
  }
  /* eslint-enable security/detect-non-literal-fs-filename */
  console.log(
    `secrets-history: ${sarifRun.results.length} finding(s) in ${commits} commit(s) (gitleaks, .gitleaks.toml)`,
  );
  if (sarifRun.results.length > 0) {
    console.log(
      'A secret in any pushed commit is public even if a later commit deleted it: rotate it first, ' +
        'then rewrite the history (docs/secrets.md: "When a real secret was committed").',
    );
  }
  return sarifRun.results.length > 0 ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      const known = error instanceof Outage || error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION';
      console.error(
        `secrets-history: outage, nothing scanned: ${known ? error.message : (error.stack ?? error)}`,
      );
      process.exitCode = 2;
    },
  );
}

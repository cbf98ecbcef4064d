// The secret scan over history: every change that any commit of a push or pull request makes, not only
// the final tree. A secret committed and then deleted in a later commit of the same push is still public
// in the repository's history, so it fails this scan just the same.
//
// The engine is gitleaks with .gitleaks.toml, the pre-commit hook's own (security/gitleaks.mjs): CI passes
// --engine gitleaks, so that a missing binary is an outage, not a weaker scan. Without it (`auto` on a
// machine with no gitleaks) the scan runs secretlint's rules (.secretlintrc.json), the hook's fallback.
//
// Usage:
//   node security/secrets-history.mjs --base <sha> --head <sha> [--sarif <file>] [--engine gitleaks|secretlint|auto]
//     push:          --base "${{ github.event.before }}" --head "${{ github.sha }}"
//     pull request:  --base "${{ github.event.pull_request.base.sha }}" --head "${{ github.event.pull_request.head.sha }}"
//   A base that is empty, all zeros (a new branch) or not in the clone (a force push replaced it) means
//   "every commit of head that no other branch of the clone holds"; a repository's first push therefore
//   scans all of its history. The checkout needs the history: actions/checkout with fetch-depth: 0.
// Exit codes: 0 clean, 1 secrets found, 2 the scan could not run (bad arguments, git failed).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { findGitleaks, INSTALL_HINT, scanCommits } from './gitleaks.mjs';
import { createSecretScanner, looksBinary, SECRETLINT_URI } from './secret-scan.mjs';

// The engine's version goes into the SARIF, so a report (and the gate-results attestation) names it.
const SECRETLINT_VERSION = createRequire(import.meta.url)('@secretlint/core/package.json').version;

const ZERO_SHA = /^0+$/;
// Blobs above this are release artefacts or data, not configuration; they are named, never skipped silently.
const MAX_BLOB_BYTES = 5 * 1024 * 1024;

class UsageError extends Error {}

function git(root, args, options = {}) {
  return execFileSync('git', args, {
    cwd: root,
    maxBuffer: 1024 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options,
  });
}

function isCommit(root, revision) {
  try {
    git(root, ['cat-file', '-e', `${revision}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}

/** What the push or pull request adds, as git log arguments: its head, then `--not` what to leave out. */
export function revisionsToScan(root, base, head) {
  if (!isCommit(root, head)) throw new UsageError(`--head ${head} is not a commit in this clone`);
  const headSha = git(root, ['rev-parse', `${head}^{commit}`], { encoding: 'utf8' }).trim();
  let exclusions;
  if (base && !ZERO_SHA.test(base) && isCommit(root, base)) {
    exclusions = [base];
  } else {
    // New branch or vanished base: whatever no other ref of the clone already holds.
    const refs = git(
      root,
      [
        'for-each-ref',
        '--format=%(refname) %(objectname) %(*objectname)',
        'refs/heads',
        'refs/remotes',
        'refs/tags',
      ],
      { encoding: 'utf8' },
    )
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' '));
    // The refs that point at head itself (the pushed branch, a tag on it) must not exclude it; an annotated
    // tag's own object is not its commit, so tags are compared by the commit they peel to.
    exclusions = refs
      .filter(([name, object, peeled]) => (peeled || object) !== headSha && !name.endsWith('/HEAD'))
      .map(([name]) => name);
  }
  return [headSha, ...(exclusions.length > 0 ? ['--not', ...exclusions] : [])];
}

/** The commits `revisions` (git log arguments) name, oldest first. */
function commitsOf(root, revisions) {
  const listing = git(root, ['rev-list', '--reverse', ...revisions], { encoding: 'utf8' });
  return listing.split('\n').filter(Boolean);
}

/** The commits the push or pull request adds, oldest first. */
export function commitsToScan(root, base, head) {
  return commitsOf(root, revisionsToScan(root, base, head));
}

/** The gitleaks scan of the same commits: its SARIF log, and one finding per result. */
export async function scanHistoryWithGitleaks({ root, base, head, binary }) {
  const revisions = revisionsToScan(root, base, head);
  const commits = commitsOf(root, revisions);
  const sarif = await scanCommits(binary, root, revisions);
  const run = sarif.runs[0];
  run.properties = { ...run.properties, commitsScanned: commits.length };
  const findings = (run.results ?? []).map((result) => {
    const location = result.locations?.[0]?.physicalLocation;
    return {
      commit: result.partialFingerprints?.commitSha ?? '',
      path: location?.artifactLocation?.uri ?? '',
      line: location?.region?.startLine,
      rule: result.ruleId,
      message: result.message?.text ?? '',
    };
  });
  return { commits, findings, skipped: [], sarif };
}

/** Blobs a commit adds or changes (against each parent, so a merge's resolutions count), with paths. */
function changedBlobs(root, commit) {
  const raw = git(
    root,
    ['diff-tree', '-r', '-z', '-m', '--root', '--no-commit-id', '--no-renames', '--diff-filter=AMT', commit],
    {
      encoding: 'utf8',
    },
  );
  const fields = raw.split('\0');
  const blobs = [];
  for (let index = 0; index + 1 < fields.length; index += 2) {
    const [, newMode, , newSha] = fields[index].split(' ');
    const path = fields[index + 1];
    // Regular files only: a symlink's blob is a path, a gitlink (160000) is another repository's commit.
    if (newMode === '100644' || newMode === '100755') blobs.push({ sha: newSha, path });
  }
  return blobs;
}

function toSarif(findings, commitsScanned) {
  const ruleIds = [...new Set(findings.map((finding) => finding.rule))];
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'secretlint-history',
            version: SECRETLINT_VERSION,
            informationUri: SECRETLINT_URI,
            rules: ruleIds.map((id) => ({
              id,
              shortDescription: { text: id },
              fullDescription: {
                text: `secretlint rule ${id} (.secretlintrc.json), applied to every commit pushed`,
              },
              defaultConfiguration: { level: 'error' },
              help: {
                text: 'Rotate the credential first (it is public from the moment it was pushed), then remove it from history (git filter-repo) and force-push.',
              },
            })),
          },
        },
        properties: { commitsScanned },
        results: findings.map((finding) => ({
          ruleId: finding.rule,
          ruleIndex: ruleIds.indexOf(finding.rule),
          level: 'error',
          message: { text: `${finding.message} (commit ${finding.commit}, ${finding.path})` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: finding.path, uriBaseId: '%SRCROOT%' },
                region: { startLine: Math.max(1, finding.line ?? 1) },
              },
            },
          ],
          // Same secret in the same file and commit: one alert, however often the scan reruns.
          partialFingerprints: { commitPathLine: `${finding.commit}:${finding.path}:${finding.line ?? 0}` },
          properties: { commit: finding.commit },
        })),
      },
    ],
  };
}

export async function scanHistory({ root, base, head }) {
  const commits = commitsToScan(root, base, head);
  const scanner = await createSecretScanner(root);
  const seen = new Set();
  const findings = [];
  const skipped = [];
  for (const commit of commits) {
    for (const { sha, path } of changedBlobs(root, commit)) {
      // A blob is scanned once, at the first commit that adds it; its path decides the policy.
      const key = `${sha}:${path}`;
      if (seen.has(key) || scanner.isIgnored(path)) continue;
      seen.add(key);
      const content = git(root, ['cat-file', 'blob', sha]);
      if (content.length > MAX_BLOB_BYTES) {
        skipped.push(`${commit.slice(0, 12)} ${path}: ${content.length} bytes, above ${MAX_BLOB_BYTES}`);
        continue;
      }
      if (looksBinary(content)) continue;
      for (const finding of await scanner.scan(path, content.toString('utf8')))
        findings.push({ ...finding, commit });
    }
  }
  return { commits, findings, skipped };
}

async function main(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      base: { type: 'string', default: '' },
      head: { type: 'string' },
      sarif: { type: 'string' },
      root: { type: 'string' },
      engine: { type: 'string', default: 'auto' },
    },
    strict: true,
  });
  if (!values.head) throw new UsageError('--head <commit> is required (the pushed or pull request head)');
  if (!['auto', 'gitleaks', 'secretlint'].includes(values.engine)) {
    throw new UsageError(`--engine ${values.engine}: gitleaks, secretlint or auto`);
  }
  const root = resolve(values.root ?? process.cwd());
  const binary = values.engine === 'secretlint' ? undefined : findGitleaks();
  if (binary === undefined && values.engine === 'gitleaks') {
    throw new UsageError(`--engine gitleaks: gitleaks is not installed (${INSTALL_HINT})`);
  }
  if (binary === undefined && values.engine === 'auto') {
    console.log(
      `secrets-history: gitleaks is not installed; scanning with secretlint (.secretlintrc.json), the hook's fallback, which misses kinds gitleaks refuses. Install it: ${INSTALL_HINT}`,
    );
  }
  const scan = binary
    ? await scanHistoryWithGitleaks({ root, base: values.base, head: values.head, binary })
    : await scanHistory({ root, base: values.base, head: values.head });
  const { commits, findings, skipped } = scan;
  for (const line of skipped) console.log(`not scanned (too large): ${line}`);
  for (const finding of findings) {
    console.log(
      `${finding.commit} ${finding.path}:${finding.line ?? 1} ${finding.rule}${finding.kind ? ` ${finding.kind}` : ''}: ${finding.message}`,
    );
  }
  if (values.sarif) {
    /* eslint-disable security/detect-non-literal-fs-filename -- the report path CI passes on its command line */
    mkdirSync(dirname(resolve(values.sarif)), { recursive: true });
    const log = scan.sarif ?? toSarif(findings, commits.length);
    writeFileSync(values.sarif, `${JSON.stringify(log, null, 2)}\n`);
    /* eslint-enable security/detect-non-literal-fs-filename */
  }
  console.log(
    `secrets-history: ${findings.length} finding(s) in ${commits.length} commit(s) (${binary ? 'gitleaks, .gitleaks.toml' : 'secretlint, .secretlintrc.json'})`,
  );
  if (findings.length > 0) {
    console.log(
      'A secret in any pushed commit is public even if a later commit deleted it: rotate it first, ' +
        'then rewrite the history (docs/secrets.md: "When a real secret was committed").',
    );
  }
  return findings.length > 0 ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      console.error(
        `secrets-history: ${error instanceof UsageError || error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? error.message : (error.stack ?? error)}`,
      );
      process.exitCode = 2;
    },
  );
}

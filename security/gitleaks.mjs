// gitleaks as the secret-scan engine of the pre-commit hook (scripts/staged-checks.mjs) and of CI's history
// scan (security/secrets-history.mjs, which runs `gitleaks git` itself): one binary, one rule file (.gitleaks.toml, which extends gitleaks'
// default rules), so that the two judge alike. Why gitleaks, with the figures: docs/decisions.md.
//
// gitleaks is a Go binary, not an npm package: `npm ci` does not fetch it. Where it is not installed the
// callers fall back to secretlint (.secretlintrc.json) and say so.
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { COMMIT_SHA } from './constants.ts';

export const GITLEAKS_CONFIG = '.gitleaks.toml';
export const INSTALL_HINT =
  'bash scripts/ci/install-tools.sh gitleaks, or go install github.com/zricethezav/gitleaks/v8@v8.30.1 (docs/secrets.md)';

/**
 * The gitleaks binary to use: $GITLEAKS when set (an explicit choice: it must exist), else the one
 * scripts/ci/install-tools.sh installed at security/tools.json's pin (SHS_TOOLS_DIR/bin, by default
 * ~/.cache/shs-tools/bin), else the first on PATH, else where `go install` puts it (~/go/bin). The hook and
 * the history scan both find it here. No process is started to find it.
 * @returns {string | undefined}
 */
export function findGitleaks(env = process.env) {
  const executable = (path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (env.GITLEAKS) {
    if (!executable(env.GITLEAKS)) throw new Error(`GITLEAKS=${env.GITLEAKS} is not an executable file`);
    return env.GITLEAKS;
  }
  const candidates = [
    join(env.SHS_TOOLS_DIR ?? join(homedir(), '.cache', 'shs-tools'), 'bin'),
    ...(env.PATH ?? '').split(delimiter).filter(Boolean),
    join(env.GOPATH ?? join(homedir(), 'go'), 'bin'),
  ].map((directory) => join(directory, 'gitleaks'));
  return candidates.find(executable);
}

/** Runs a command to its end: its exit code (-1 when it could not start), output and error. */
export function run(command, args, cwd) {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : -1) : 0,
          stdout,
          stderr,
          error,
        }),
    );
  });
}

/**
 * The options every gitleaks run here takes: our rules, our accepted findings, redacted, quiet but for
 * errors, and the report. `exitCode` is what leaks make gitleaks exit with.
 */
export function reportArgs(root, exitCode, format, report) {
  return [
    '--config',
    join(root, GITLEAKS_CONFIG),
    // .gitleaksignore at the repository's root: accepted findings, one fingerprint a line.
    '--gitleaks-ignore-path',
    root,
    '--redact',
    '--no-banner',
    '--no-color',
    '--log-level',
    'error',
    '--exit-code',
    String(exitCode),
    '--report-format',
    format,
    '--report-path',
    report,
  ];
}

/**
 * Runs gitleaks with a JSON or SARIF report and returns the report. Leaks do not make it fail (exit code 0
 * is asked for); any other failure (bad config, git error) throws: a scan that could not run is an outage.
 */
async function gitleaks(binary, root, args, format = 'json') {
  const directory = mkdtempSync(join(tmpdir(), 'gitleaks-report-'));
  const report = join(directory, `report.${format}`);
  try {
    const result = await run(binary, [...args, ...reportArgs(root, 0, format, report)], root);
    if (result.code !== 0) {
      throw new Error(
        `gitleaks ${args[0]} could not run (exit ${result.code}): ${(result.stderr || result.error?.message || '').trim()}`,
      );
    }
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the report gitleaks wrote into our own temporary folder
    return JSON.parse(readFileSync(report, 'utf8'));
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/**
 * gitleaks' git mode skips binary files, so its rules that judge a path alone (pkcs12-file: *.p12, *.pfx)
 * never see them there. Its directory mode does: it is run on a scratch folder holding one placeholder
 * byte at each binary path, and the findings are mapped back to the paths.
 * @param {{ path: string, commit?: string }[]} files
 */
async function pathRuleFindings(binary, root, files, format) {
  if (files.length === 0) return [];
  const scratch = mkdtempSync(join(tmpdir(), 'gitleaks-paths-'));
  try {
    for (const path of new Set(files.map((file) => file.path))) {
      const target = join(scratch, path);
      /* eslint-disable security/detect-non-literal-fs-filename -- placeholders inside our own temporary folder, at the paths git names */
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, '\n');
      /* eslint-enable security/detect-non-literal-fs-filename */
    }
    const report = await gitleaks(binary, root, ['dir', scratch], 'json');
    // The same path may be binary in several commits: each gets its finding.
    return report.flatMap((finding) => {
      const path = finding.File.startsWith(`${scratch}/`)
        ? finding.File.slice(scratch.length + 1)
        : finding.File;
      return files
        .filter((file) => file.path === path)
        .map(({ commit = '' }) =>
          format === 'json'
            ? { ...finding, File: path, Commit: commit }
            : {
                ruleId: finding.RuleID,
                message: {
                  text: `${finding.RuleID} has detected secret for file ${path} at commit ${commit}.`,
                },
                locations: [
                  { physicalLocation: { artifactLocation: { uri: path }, region: { startLine: 1 } } },
                ],
                partialFingerprints: { commitSha: commit },
              },
        );
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Binary files among `git diff --numstat -z` output ("-\t-\tpath\0"). */
function binaryPaths(numstat) {
  return numstat
    .split('\0')
    .filter((entry) => entry.startsWith('-\t-\t'))
    .map((entry) => entry.slice(4));
}

/**
 * The staged changes' findings, as the commit would add them (gitleaks git --pre-commit --staged).
 * @returns {Promise<{ File: string, StartLine: number, RuleID: string, Description: string }[]>}
 */
export async function scanStaged(binary, root) {
  const [report, numstat] = await Promise.all([
    gitleaks(binary, root, ['git', '--pre-commit', '--staged', root]),
    run('git', ['diff', '--cached', '--numstat', '-z', '--no-renames', '--diff-filter=ACMRT'], root),
  ]);
  if (numstat.code !== 0) throw new Error(`git diff --cached: ${numstat.stderr.trim()}`);
  const binaries = binaryPaths(numstat.stdout).map((path) => ({ path }));
  return [...report, ...(await pathRuleFindings(binary, root, binaries, 'json'))];
}

/**
 * The path-rule results (SARIF) for the binary files that the commits of `revisions` (git log arguments)
 * add or change, which `gitleaks git` skips: the history scan adds them to gitleaks' own report.
 */
export async function binaryPathResults(binary, root, revisions) {
  const log = await run(
    'git',
    ['log', '--format=%x00%H', '--numstat', '-z', '--no-renames', '--diff-filter=ACMRT', ...revisions],
    root,
  );
  if (log.code !== 0) throw new Error(`git log: ${log.stderr.trim()}`);
  const files = [];
  let commit = '';
  for (const field of log.stdout.split('\0')) {
    const entry = field.replace(/^\n/, '');
    if (COMMIT_SHA.test(entry)) commit = entry;
    else if (entry.startsWith('-\t-\t')) files.push({ path: entry.slice(4), commit });
  }
  return pathRuleFindings(binary, root, files, 'sarif');
}

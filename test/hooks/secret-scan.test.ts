// The secret scan as a developer and CI meet it: the pre-commit hook in a real repository, and the
// history scan CI runs over every commit a push adds, with each engine this machine has: gitleaks with
// .gitleaks.toml (the engine; CI's gitleaks step sets SECRET_SCAN_REQUIRE_GITLEAKS=1, so it cannot be
// skipped there) and the secretlint fallback (always), which is held to its own measured set.
// The corpus is generated fresh for each run (test/hooks/secret-corpus.ts): one sample per rule of the
// pinned gitleaks, real openssl and ssh-keygen keys, random values of each vendor's shape.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Log } from 'sarif';
import { sarifErrors } from '../gates/sarif-schema.ts';
import { GITLEAKS_RULES, GITLEAKS_VERSION } from './gitleaks-rules.ts';
import { type CorpusItem, lookAlikeCorpus, secretCorpus } from './secret-corpus.ts';
import {
  createProjectCopy,
  gitleaksBinary,
  initRepository,
  makeTempDir,
  mustRun,
  projectRoot,
  removeTempDir,
  run,
  withGitleaks,
  withoutGitleaks,
} from './hook-sandbox.ts';

jest.setTimeout(900_000);

const HISTORY_SCAN = join(projectRoot, 'security', 'secrets-history.mjs');
const FALLBACK_NOTICE = 'gitleaks is not installed; the secret scan falls back to secretlint';

/**
 * What the secretlint fallback misses of the corpus, measured (docs/secrets.md has the list and why):
 * the sample of each of these gitleaks rules. A miss outside this set fails the fallback's test.
 * Values without a letter and a digit (or both cases and a symbol), or shorter than 16 characters, under
 * a name the fallback does not know: it has no entropy test to tell them from ordinary settings.
 */
const FALLBACK_MISSES = new Set([
  'asana-client-id', // 16 digits
  'discord-client-id', // 18 digits
  'dropbox-api-token', // 15 characters
  'facebook-access-token', // digits|value: the | splits it
  'generic-api-key', // under `auth`, a name the fallback does not know
  'huggingface-organization-api-token', // api_org_ and lower-case letters only
  'linkedin-client-id', // 14 characters
  'pkcs12-file', // a binary file: secretlint reads text
  'sidekiq-secret', // 8hex:8hex
  'slack-legacy-workspace-token', // as short as 13 characters
  'sumologic-access-id', // 14 characters
  'telegram-bot-api-token', // digits:value, the : splits it
]);

const gitleaks = gitleaksBinary();
const secrets = secretCorpus();
const lookAlikes = lookAlikeCorpus();

const engines: [string, Record<string, string>][] = [
  ['the secretlint fallback', withoutGitleaks()],
  ...(gitleaks ? [['gitleaks', withGitleaks(gitleaks)] as [string, Record<string, string>]] : []),
];

function write(repository: string, items: readonly CorpusItem[]): void {
  for (const { path, content } of items) {
    mkdirSync(dirname(join(repository, path)), { recursive: true });
    writeFileSync(join(repository, path), content);
  }
}

function head(repository: string): string {
  return mustRun('git', ['rev-parse', 'HEAD'], repository).trim();
}

const describeItem = (item: CorpusItem) => `${item.name} (${item.path}${item.rule ? `, ${item.rule}` : ''})`;

/** The corpus items that a report missed; `refused(item)` says whether the report names the item. */
function missedBy(refused: (item: CorpusItem) => boolean, engine: string): string[] {
  return secrets
    .filter((item) => !refused(item))
    .filter((item) => !(engine !== 'gitleaks' && item.rule !== undefined && FALLBACK_MISSES.has(item.rule)))
    .map(describeItem);
}

/** The secret key of the corpus's AWS credentials file (its last line: `aws_secret_access_key = …`). */
const awsSecretOf = (item: CorpusItem | undefined) =>
  String(item?.content).trim().split('\n').at(-1)?.split(' = ')[1] ?? 'missing';

/**
 * Whether a finding's rule is the item's: the rule itself, or one of .gitleaks.toml's that covers a case
 * the default rule misses and is named after it (openai-api-key-trailing-dash for openai-api-key).
 */
const sameRule = (found: string | undefined, rule: string | undefined) =>
  found !== undefined && rule !== undefined && (found === rule || found.startsWith(`${rule}-`));

/** .gitleaks.toml's own rules (its [[rules]] ids), which the corpus must cover as well. */
function configuredRuleIds(): string[] {
  const config = readFileSync(join(projectRoot, '.gitleaks.toml'), 'utf8');
  return [...config.matchAll(/^\[\[rules\]\]\nid = "([^"]+)"/gm)].map((match) => match[1] ?? '');
}

describe('the corpus', () => {
  it('has a sample, in its own file, for every rule of the table and of .gitleaks.toml', () => {
    expect(new Set(secrets.map((item) => item.path)).size).toBe(secrets.length);
    const sampled = new Set(secrets.map((item) => item.rule));
    const rules = [...Object.keys(GITLEAKS_RULES), ...configuredRuleIds()];
    expect(rules.length).toBeGreaterThan(220);
    expect(rules.filter((id) => !sampled.has(id))).toEqual([]);
  });

  it('holds the kinds issue 25 found missing, and the AWS secret keys ending in + and /', () => {
    const names = secrets.map((item) => item.name).join('\n');
    for (const kind of [
      /PyPI upload token/,
      /Terraform Cloud token/,
      /age secret key/,
      /JWT signing secret assigned in TypeScript/,
      /Kubernetes Secret manifest, data:/,
      /Kubernetes Secret manifest, stringData:/,
      /password in a YAML config/,
      /PuTTY private key/,
      /AWS secret access key ending in \+/,
      /AWS secret access key ending in \//,
      /ssh-keygen ed25519 OpenSSH with passphrase/,
      /inside a service-account JSON/,
    ]) {
      expect(names).toMatch(kind);
    }
  });

  // The rule ids of the default configuration compiled into the binary (config/gitleaks.toml, embedded
  // with go:embed): a gitleaks with a rule the table has no shape for fails here, naming the rule.
  (gitleaks ? it : it.skip)(`has a shape for every default rule of the installed gitleaks`, () => {
    const binary = readFileSync(gitleaks ?? '').toString('latin1');
    const embedded = [...binary.matchAll(/\[\[rules\]\]\nid = "([^"]+)"/g)].map((match) => match[1] ?? '');
    expect(embedded.length).toBeGreaterThan(200);
    expect(embedded.filter((id) => !(id in GITLEAKS_RULES))).toEqual([]);
  });

  it('was written for the gitleaks version security/tools.json pins', () => {
    let pins: { tools?: Record<string, { version?: string }> } | undefined;
    try {
      pins = JSON.parse(readFileSync(join(projectRoot, 'security', 'tools.json'), 'utf8')) as typeof pins;
    } catch {
      // security/tools.json comes with the tool pins (scripts/ci/install-tools.sh); until then the
      // workflow's history-scan job names the same version.
      pins = undefined;
    }
    const pinned = pins?.tools?.gitleaks?.version;
    const workflow = readFileSync(join(projectRoot, '.github', 'workflows', 'security-gates.yml'), 'utf8');
    expect(pinned ?? GITLEAKS_VERSION).toBe(GITLEAKS_VERSION);
    expect(workflow).toContain("jq -r '.tools.gitleaks.version' security/tools.json");
    expect(workflow).toContain('node security/secrets-history.mjs --base "$BASE_SHA" --head "$HEAD_SHA"');
  });
});

describe('pre-commit hook', () => {
  let root: string | undefined;
  let repository = '';

  beforeAll(() => {
    ({ root, repository } = createProjectCopy());
    mustRun('npm', ['run', 'prepare'], repository);
  });
  afterAll(() => removeTempDir(root));
  afterEach(() => {
    mustRun('git', ['reset', '-q', '--hard'], repository);
    mustRun('git', ['clean', '-fdq'], repository);
  });

  describe.each(engines)('with %s', (engine, env) => {
    it('refuses every secret of the corpus, naming each file (and, with gitleaks, its rule)', () => {
      const before = head(repository);
      write(repository, secrets);
      mustRun('git', ['add', '-f', '--', ...secrets.map((item) => item.path)], repository);
      const commit = run('git', ['commit', '-m', 'Planted secrets'], repository, env);
      expect(commit.status).not.toBe(0);
      expect(head(repository)).toBe(before);
      const section = commit.output.slice(commit.output.indexOf('✖ secret scan'));
      const findingLines = section.split('\n').filter((line) => /^ {2}\S+:\d+ /.test(line));
      const linesOf = (item: CorpusItem) => findingLines.filter((line) => line.startsWith(`  ${item.path}:`));
      expect(missedBy((item) => linesOf(item).length > 0, engine)).toEqual([]);
      if (engine === 'gitleaks') {
        const wrongRule = secrets.filter(
          (item) =>
            item.rule !== undefined &&
            !linesOf(item).some((line) => sameRule(line.trim().split(' ')[1]?.replace(/:$/, ''), item.rule)),
        );
        expect(wrongRule.map(describeItem)).toEqual([]);
        expect(commit.output).not.toContain(FALLBACK_NOTICE);
      } else {
        // Said once per commit, not once per file.
        expect(commit.output.split(FALLBACK_NOTICE).length - 1).toBe(1);
      }
      // The finding names the kind of secret, never the secret.
      const awsItem = secrets.find((item) => item.path === 'config/aws-credentials');
      const awsSecret = awsSecretOf(awsItem);
      expect(commit.output).not.toContain(awsSecret);
    });

    it('commits the look-alikes: references, digests, UUIDs, commit SHAs, documented examples', () => {
      const before = head(repository);
      write(repository, lookAlikes);
      // Formatted first, so that Prettier's part of the hook has nothing to say and only the scan decides.
      const paths = lookAlikes.map((item) => item.path);
      mustRun(
        process.execPath,
        [
          join(repository, 'node_modules', 'prettier', 'bin', 'prettier.cjs'),
          '--write',
          '--ignore-unknown',
          ...paths,
        ],
        repository,
      );
      mustRun('git', ['add', '-f', '--', ...paths], repository);
      const commit = run('git', ['commit', '-m', 'Look-alikes'], repository, env);
      expect(commit.output).not.toMatch(/✖/);
      // With the output, so that a refusal says why.
      expect({ status: commit.status, output: commit.output }).toEqual({ status: 0, output: commit.output });
      expect(head(repository)).not.toBe(before);
      // The next engine commits the same files again.
      mustRun('git', ['reset', '-q', '--hard', before], repository);
    });
  });

  describe('fails closed when the resident ESLint cannot serve', () => {
    const evalSource = 'export function runScript(input: string): unknown {\n  return eval(input);\n}\n';
    const brokenClients: [string, string][] = [
      [
        'cannot start',
        "console.error('eslint_d: Failed to start daemon - No config');\nprocess.exitCode = 1;\n",
      ],
      ['answers with something that is not a report', "console.log('Daemon lost its mind');\n"],
      ['crashes', "throw new Error('daemon crashed');\n"],
    ];

    it.each(brokenClients)('still refuses a bad file when the daemon %s', (_, clientSource) => {
      const client = join(root ?? '', 'broken-eslint_d.mjs');
      writeFileSync(client, clientSource);
      const before = head(repository);
      write(repository, [{ name: 'eval', path: 'src/run-script.ts', content: evalSource }]);
      mustRun('git', ['add', 'src/run-script.ts'], repository);
      const commit = run('git', ['commit', '-m', 'Planted eval'], repository, { PRECOMMIT_ESLINT_D: client });
      expect(commit.status).not.toBe(0);
      expect(commit.output).toContain('checking it with plain ESLint instead');
      expect(commit.output).toContain('src/run-script.ts:2:10 error security/detect-eval-with-expression');
      expect(head(repository)).toBe(before);
    });
  });

  it('fails closed when GITLEAKS names no executable', () => {
    const before = head(repository);
    write(repository, [{ name: 'note', path: 'notes.txt', content: 'nothing secret\n' }]);
    mustRun('git', ['add', 'notes.txt'], repository);
    const commit = run('git', ['commit', '-m', 'A note'], repository, { GITLEAKS: '/nonexistent/gitleaks' });
    expect(commit.status).not.toBe(0);
    expect(commit.output).toContain('GITLEAKS=/nonexistent/gitleaks is not an executable file');
    expect(head(repository)).toBe(before);
  });
});

// gitleaks is the history scan's only engine: without it the scan is an outage (the tests below the block).
(gitleaks ? describe : describe.skip)(
  'history scan (security/secrets-history.mjs, as CI runs it: gitleaks git over the range)',
  () => {
    let root = '';
    let origin = '';
    let work = '';
    const engine = 'gitleaks';
    const env = withGitleaks(gitleaks ?? '');

    const scan = (cwd: string, base: string, headRef: string, sarif?: string) =>
      run(
        process.execPath,
        [HISTORY_SCAN, '--base', base, '--head', headRef, ...(sarif ? ['--sarif', sarif] : [])],
        cwd,
        env,
      );

    beforeAll(() => {
      root = makeTempDir('secrets-history-');
      origin = join(root, 'origin.git');
      work = join(root, 'work');
      mkdirSync(work);
      initRepository(work);
      for (const file of ['.gitleaks.toml']) {
        writeFileSync(join(work, file), readFileSync(join(projectRoot, file)));
      }
      writeFileSync(join(work, 'README.md'), '# Service\n');
      mustRun('git', ['add', '-A'], work);
      mustRun('git', ['commit', '-q', '-m', 'Start'], work);
      mustRun('git', ['init', '-q', '--bare', origin], root);
      mustRun('git', ['push', '-q', origin, 'main'], work);
    });
    afterAll(() => removeTempDir(root));

    // A push whose secrets sit only in an earlier commit: added, then deleted before the push's last commit.
    function pushAddedThenDeleted(
      branch: string,
      items: readonly CorpusItem[],
    ): { before: string; added: string; after: string } {
      mustRun('git', ['checkout', '-q', '-B', branch, 'main'], work);
      const before = head(work);
      write(work, items);
      mustRun('git', ['add', '-f', '--', ...items.map((item) => item.path)], work);
      mustRun('git', ['commit', '-q', '--no-verify', '-m', `Add ${branch}`], work);
      const added = head(work);
      mustRun('git', ['rm', '-q', '-r', '--', ...items.map((item) => item.path)], work);
      mustRun('git', ['commit', '-q', '--no-verify', '-m', `Remove ${branch}`], work);
      mustRun('git', ['push', '-q', '-f', origin, branch], work);
      return { before, added, after: head(work) };
    }

    // What actions/checkout with fetch-depth: 0 leaves: every branch of the remote, under refs/remotes/origin.
    function ciClone(): string {
      const clone = makeTempDir('secrets-history-ci-');
      mustRun('git', ['clone', '-q', origin, clone], root);
      mustRun('git', ['checkout', '-q', 'origin/main'], clone);
      return clone;
    }

    it('fails on every secret of the corpus added and deleted within one push, naming commit and path', () => {
      const { before, added, after } = pushAddedThenDeleted('feature', secrets);
      const clone = ciClone();
      try {
        const sarif = join(clone, 'reports', 'secrets-history.sarif');
        const result = scan(clone, before, after, sarif);
        expect(result.status).toBe(1);
        expect(mustRun('git', ['ls-tree', '-r', '--name-only', after], clone)).not.toContain('keys/');
        const log = JSON.parse(readFileSync(sarif, 'utf8')) as Log;
        const results = log.runs[0]?.results ?? [];
        const commitOf = (finding: (typeof results)[number]) =>
          finding.partialFingerprints?.commitSha ?? (finding.properties?.commit as string | undefined);
        const named = (item: CorpusItem) =>
          results.some(
            (finding) =>
              finding.locations?.[0]?.physicalLocation?.artifactLocation?.uri === item.path &&
              commitOf(finding) === added &&
              (finding.message.text ?? '').includes(added),
          );
        expect(missedBy(named, engine)).toEqual([]);
        // The hook and the history scan judge alike: the same files, by the same rules.
        const wrongRule = secrets.filter(
          (item) =>
            item.rule !== undefined &&
            !results.some(
              (finding) =>
                sameRule(finding.ruleId, item.rule) &&
                finding.locations?.[0]?.physicalLocation?.artifactLocation?.uri === item.path,
            ),
        );
        expect(wrongRule.map(describeItem)).toEqual([]);
        expect(result.output).toContain(`${added} keys/`);
        expect(result.output).toMatch(/rotate it first, then rewrite the history/);
        expect(sarifErrors(sarif)).toEqual([]);
        // Redacted: the finding names the kind of secret, never the secret.
        const awsItem = secrets.find((item) => item.path === 'config/aws-credentials');
        const awsSecret = awsSecretOf(awsItem);
        expect(readFileSync(sarif, 'utf8')).not.toContain(awsSecret);
        expect(result.output).not.toContain(awsSecret);
      } finally {
        removeTempDir(clone);
      }
    });

    it('passes a push of look-alikes added then deleted', () => {
      const { before, after } = pushAddedThenDeleted('look-alikes', lookAlikes);
      const clone = ciClone();
      try {
        const sarif = join(clone, 'reports', 'secrets-history.sarif');
        const result = scan(clone, before, after, sarif);
        expect(result.output).toContain('0 finding(s) in 2 commit(s)');
        expect(result.status).toBe(0);
        expect((JSON.parse(readFileSync(sarif, 'utf8')) as Log).runs[0]?.results).toEqual([]);
      } finally {
        removeTempDir(clone);
      }
    });

    it('treats an all-zero base (a new branch) as every commit no other branch holds', () => {
      const { added, after } = pushAddedThenDeleted('new-branch', secrets.slice(0, 3));
      // A release tag on the pushed head is another ref holding it: it must not hide the head's commits.
      mustRun('git', ['tag', '-a', 'v9.9.9', '-m', 'Release', after], work);
      mustRun('git', ['push', '-q', origin, 'v9.9.9'], work);
      const clone = ciClone();
      try {
        const result = scan(clone, '0'.repeat(40), after);
        expect(result.status).toBe(1);
        expect(result.output).toContain(added);
        // main's own commit is on another branch: not re-scanned, so the count is this branch's two.
        expect(result.output).toContain('in 2 commit(s)');
      } finally {
        removeTempDir(clone);
      }
    });

    it('after a force push, scans what the new head adds even when the old head is gone', () => {
      const first = pushAddedThenDeleted('forced', lookAlikes);
      const { added, after } = pushAddedThenDeleted('forced', secrets.slice(-3));
      const clone = ciClone();
      try {
        const result = scan(clone, first.after, after);
        expect(result.status).toBe(1);
        expect(result.output).toContain(added);
      } finally {
        removeTempDir(clone);
      }
    });

    it('passes a clean range: commits that add no secret', () => {
      mustRun('git', ['checkout', '-q', '-B', 'clean', 'main'], work);
      const before = head(work);
      writeFileSync(join(work, 'NOTES.md'), '# Notes\n\nNothing secret.\n');
      mustRun('git', ['add', 'NOTES.md'], work);
      mustRun('git', ['commit', '-q', '--no-verify', '-m', 'Notes'], work);
      const result = scan(work, before, head(work));
      expect(result.output).toContain('0 finding(s) in 1 commit(s)');
      expect(result.status).toBe(0);
    });

    it('stops with a clear error (exit 2) on a head that is not in the clone', () => {
      const result = scan(work, '', 'f'.repeat(40));
      expect(result.status).toBe(2);
      expect(result.output).toContain(`--head ${'f'.repeat(40)} is not a commit in this clone`);
    });

    it('is an outage (exit 2, no report), not a pass, when gitleaks fails on a broken .gitleaks.toml', () => {
      const clone = ciClone();
      try {
        writeFileSync(join(clone, '.gitleaks.toml'), '[[rules]\nid = \n');
        const sarif = join(clone, 'reports', 'secrets-history.sarif');
        mkdirSync(dirname(sarif), { recursive: true });
        writeFileSync(sarif, 'a report of an earlier run');
        const result = scan(clone, '', 'HEAD', sarif);
        expect(result.status).toBe(2);
        expect(result.output).toMatch(/outage, nothing scanned: gitleaks could not scan \(exit 1\)/);
        expect(existsSync(sarif)).toBe(false);
      } finally {
        removeTempDir(clone);
      }
    });
  },
);

it('without gitleaks the history scan is an outage (exit 2, no report), not a pass and not a weaker scan', () => {
  const root = makeTempDir('secrets-history-none-');
  try {
    const sarif = join(root, 'history.sarif');
    writeFileSync(sarif, 'a report of an earlier run');
    const result = run(
      process.execPath,
      [HISTORY_SCAN, '--head', 'HEAD', '--sarif', sarif],
      projectRoot,
      withoutGitleaks(),
    );
    expect(result.status).toBe(2);
    expect(result.output).toContain('outage, nothing scanned: gitleaks is not installed');
    expect(existsSync(sarif)).toBe(false);
  } finally {
    removeTempDir(root);
  }
});

// gitleaks: the last 50 commits, its accepted findings in .gitleaksignore.
(gitleaks ? it : it.skip)("scans this repository's own history clean over its last commits", () => {
  const depth = Number(mustRun('git', ['rev-list', '--count', 'HEAD'], projectRoot).trim());
  const base = depth > 50 ? 'HEAD~50' : '';
  const result = run(
    process.execPath,
    [HISTORY_SCAN, '--base', base, '--head', 'HEAD'],
    projectRoot,
    withGitleaks(gitleaks ?? ''),
  );
  expect(result.output).toMatch(/ 0 finding\(s\) in \d+ commit\(s\)/);
  expect(result.status).toBe(0);
});

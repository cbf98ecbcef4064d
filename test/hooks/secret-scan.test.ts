// The secret scan as a developer and CI meet it: the pre-commit hook in a real repository, and the
// history scan CI runs over every commit a push adds. The corpus is generated fresh for each run
// (test/hooks/secret-corpus.ts): real openssl and ssh-keygen keys, random tokens of each vendor's shape.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Log } from 'sarif';
import { sarifErrors } from '../gates/sarif-schema';
import { type CorpusItem, lookAlikeCorpus, secretCorpus } from './secret-corpus';
import {
  createProjectCopy,
  initRepository,
  makeTempDir,
  mustRun,
  projectRoot,
  removeTempDir,
  run,
} from './sandbox';

jest.setTimeout(600_000);

const HISTORY_SCAN = join(projectRoot, 'security', 'secrets-history.mjs');

const secrets = secretCorpus();
const lookAlikes = lookAlikeCorpus();

function write(repository: string, items: readonly CorpusItem[]): void {
  for (const { path, content } of items) {
    mkdirSync(dirname(join(repository, path)), { recursive: true });
    writeFileSync(join(repository, path), content);
  }
}

function head(repository: string): string {
  return mustRun('git', ['rev-parse', 'HEAD'], repository).trim();
}

it('the corpus holds every kind the policy promises, one file per item', () => {
  expect(new Set(secrets.map((item) => item.path)).size).toBe(secrets.length);
  const names = secrets.map((item) => item.name).join('\n');
  for (const kind of [
    /rsa PKCS#1\b/,
    /rsa PKCS#1 encrypted/,
    /dsa PKCS#8/,
    /ec-p256 SEC1/,
    /ec-p384 PKCS#8 encrypted/,
    /ed25519 PKCS#8 in a key file/,
    /ed448 PKCS#8 encrypted/,
    /ssh-keygen ed25519 OpenSSH with passphrase/,
    /inside a service-account JSON/,
    /pasted into source/,
    /AWS session token/,
    /Google Cloud API key/,
    /Azure storage connection string/,
    /Azure AD client secret/,
    /GitHub fine-grained/,
    /Slack incoming webhook/,
    /Stripe restricted/,
    /Twilio/,
    /Mailgun/,
    /Anthropic/,
    /Datadog/,
    /Sentry DSN/,
    /JWT signing secret/,
    /redis URL/,
    /amqp URL/,
    /\.env \*_API_KEY/,
  ]) {
    expect(names).toMatch(kind);
  }
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

  it('refuses every secret of the corpus, naming each file with a finding', () => {
    const before = head(repository);
    write(repository, secrets);
    mustRun('git', ['add', '-f', '--', ...secrets.map((item) => item.path)], repository);
    const commit = run('git', ['commit', '-m', 'Planted secrets'], repository);
    expect(commit.status).not.toBe(0);
    expect(head(repository)).toBe(before);
    const secretSection = commit.output.slice(commit.output.indexOf('✖ secret scan'));
    const findingLines = secretSection.split('\n').filter((line) => line.includes(' @secretlint/'));
    const missed = secrets.filter(({ path }) => !findingLines.some((line) => line.startsWith(`  ${path}:`)));
    expect(missed.map((item) => `${item.name} (${item.path})`)).toEqual([]);
    // The finding names the kind of secret, never the secret.
    const awsItem = secrets.find((item) => item.path === 'config/aws-credentials');
    const awsSecret = /aws_secret_access_key = (\S+)/.exec(awsItem?.content ?? '')?.[1] ?? 'missing';
    expect(commit.output).toContain('AWSSecretAccessKey');
    expect(commit.output).not.toContain(awsSecret);
  });

  it('commits the look-alikes: digests, UUIDs, integrity hashes, base64 data, documented examples', () => {
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
    mustRun('git', ['add', '-f', '--', ...lookAlikes.map((item) => item.path)], repository);
    const commit = run('git', ['commit', '-m', 'Look-alikes'], repository);
    expect(commit.output).not.toMatch(/✖/);
    expect(commit.status).toBe(0);
    expect(head(repository)).not.toBe(before);
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
});

describe('history scan (security/secrets-history.mjs, as CI runs it)', () => {
  let root = '';
  let origin = '';
  let work = '';

  const scan = (cwd: string, base: string, headRef: string, sarif?: string) =>
    run(
      process.execPath,
      [HISTORY_SCAN, '--base', base, '--head', headRef, ...(sarif ? ['--sarif', sarif] : [])],
      cwd,
    );

  beforeAll(() => {
    root = makeTempDir('secrets-history-');
    origin = join(root, 'origin.git');
    work = join(root, 'work');
    mkdirSync(work);
    initRepository(work);
    for (const file of ['.secretlintrc.json', '.secretlintignore']) {
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
    // As `npm ci` would: the policy's rules are packages.
    symlinkSync(join(projectRoot, 'node_modules'), join(clone, 'node_modules'), 'dir');
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
      const missed = secrets.filter(
        ({ path }) =>
          !results.some(
            (finding) =>
              finding.locations?.[0]?.physicalLocation?.artifactLocation?.uri === path &&
              finding.message.text?.includes(`commit ${added}, ${path}`),
          ),
      );
      expect(missed.map((item) => `${item.name} (${item.path})`)).toEqual([]);
      expect(result.output).toContain(`${added} keys/`);
      expect(result.output).toMatch(/rotate it first, then rewrite the history/);
      expect(sarifErrors(sarif)).toEqual([]);
      // Masked: the finding names the kind of secret, never the secret.
      const awsItem = secrets.find((item) => item.path === 'config/aws-credentials');
      const awsSecret = /aws_secret_access_key = (\S+)/.exec(awsItem?.content ?? '')?.[1] ?? 'missing';
      expect(readFileSync(sarif, 'utf8')).not.toContain(awsSecret);
      expect(result.output).not.toContain(awsSecret);
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

  it('stops with a clear error (exit 2) on a head that is not in the clone', () => {
    const result = scan(work, '', 'f'.repeat(40));
    expect(result.status).toBe(2);
    expect(result.output).toContain(`--head ${'f'.repeat(40)} is not a commit in this clone`);
  });
});

it("scans this repository's own history clean over its last commits", () => {
  const depth = mustRun('git', ['rev-list', '--count', 'HEAD'], projectRoot).trim();
  const base = Number(depth) > 50 ? 'HEAD~50' : '';
  const result = run(process.execPath, [HISTORY_SCAN, '--base', base, '--head', 'HEAD'], projectRoot);
  expect(result.output).toMatch(/ 0 finding\(s\) in \d+ commit\(s\)/);
  expect(result.status).toBe(0);
});

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyRepository, PROJECT_ROOT as ROOT } from '../support/repository.ts';

const SCRIPT = join(ROOT, 'scripts', 'init-template.mjs');

/** A fresh copy of the tracked files as a git repository, sharing this checkout's node_modules. */
function freshCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'init-template-'));
  copyRepository(dir);
  execFileSync('git', ['init', '-q'], { cwd: dir });
  execFileSync('git', ['add', '-A'], { cwd: dir });
  execFileSync(
    'git',
    ['-c', 'user.email=t@example.invalid', '-c', 'user.name=t', 'commit', '-qm', 'template'],
    {
      cwd: dir,
    },
  );
  return dir;
}

function run(dir: string, args: string[]) {
  return spawnSync(process.execPath, [SCRIPT, '--root', dir, ...args], { cwd: dir, encoding: 'utf8' });
}

const ADOPTION = [
  '--name',
  'payments-api',
  '--description',
  "Pays the bills, it's fine",
  '--repo',
  'acme/payments-api',
  '--owner',
  '@acme/platform',
];

// The template's identity, as the checkout says it (never repeated here as literals).
const TEMPLATE_PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  repository: { url: string };
};
const TEMPLATE_SERVICE = JSON.parse(readFileSync(join(ROOT, 'src', 'service.json'), 'utf8')) as {
  name: string;
  description: string;
};
const TEMPLATE_REPO = /github\.com\/(.+?)(?:\.git)?$/.exec(TEMPLATE_PACKAGE.repository.url)?.[1] ?? '';
const TEMPLATE_TITLE = /^ {2}title: (.*)$/m.exec(
  readFileSync(join(ROOT, 'docs', 'openapi.yaml'), 'utf8'),
)?.[1];

const changedFiles = (dir: string) =>
  execFileSync('git', ['status', '--porcelain'], { cwd: dir }).toString().trim().split('\n').filter(Boolean);

describe('npm run init-template', () => {
  let dir: string;
  beforeAll(() => {
    dir = freshCopy();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('turns the copy into the named service', () => {
    const result = run(dir, ADOPTION);
    expect(result.status).toBe(0);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg).toMatchObject({ name: 'payments-api', description: "Pays the bills, it's fine" });
    const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as {
      name: string;
      packages: Record<string, { name?: string }>;
    };
    expect(lock.name).toBe('payments-api');
    expect(lock.packages['']?.name).toBe('payments-api');
    expect(pkg).toMatchObject({ repository: { url: 'https://github.com/acme/payments-api.git' } });
    expect(readFileSync(join(dir, 'Dockerfile'), 'utf8')).toContain(
      'org.opencontainers.image.title="payments-api"',
    );
    // The service's log field and default DESCRIPTION, which the service and the tests read from here.
    expect(JSON.parse(readFileSync(join(dir, 'src', 'service.json'), 'utf8'))).toMatchObject({
      name: 'payments-api',
      description: "Pays the bills, it's fine",
    });
    expect(readFileSync(join(dir, 'docs', 'openapi.yaml'), 'utf8')).toMatch(/^ {2}title: payments-api$/m);
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    expect(readme).toContain('github.com/acme/payments-api/badge');
    expect(readme).toContain("Pays the bills, it's fine");
    expect(readFileSync(join(dir, 'README.md'), 'utf8').split('\n')[0]).toBe('# payments-api');
    const owners = readFileSync(join(dir, '.github', 'CODEOWNERS'), 'utf8');
    expect(owners).toContain('@acme/platform');
    expect(owners).not.toContain('@OWNER');
  });

  it("leaves none of the template's identity anywhere in the copy", () => {
    expect(TEMPLATE_REPO).toMatch(/\//);
    const identity = [
      TEMPLATE_PACKAGE.name,
      TEMPLATE_SERVICE.name,
      TEMPLATE_SERVICE.description,
      TEMPLATE_REPO,
      TEMPLATE_TITLE ?? '',
      '@OWNER',
      'OWNER/REPO',
    ];
    const grep = spawnSync(
      'git',
      [
        'grep',
        '-n',
        '-I',
        '-F',
        ...identity.flatMap((text) => ['-e', text]),
        '--',
        '.',
        // This test and the script name the placeholders they replace; the first-day script and CI's
        // adoption step name the identity they adopt (in an adopted copy, that is the checkout's own).
        ':!test/template',
        ':!scripts/init-template.mjs',
        ':!scripts/ci/first-day.mjs',
        ':!.ci/run',
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(grep.stdout).toBe('');
    expect(grep.status).toBe(1);
  });

  it('is idempotent: a second run changes nothing', () => {
    execFileSync('git', ['add', '-A'], { cwd: dir });
    const result = run(dir, ADOPTION);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('nothing to change');
    expect(execFileSync('git', ['diff', '--stat'], { cwd: dir }).toString()).toBe('');
  });

  it('leaves the copy formatted as the project requires', () => {
    // What init-template wrote (the copy was committed before it ran); the rest is the template as
    // npm test's own format check passed it. --ignore-unknown: prettier has no parser for some of them.
    const listed = (args: string[]) =>
      execFileSync('git', args, { cwd: dir }).toString().split('\n').filter(Boolean);
    const written = [
      ...listed(['diff', '--name-only', '--diff-filter=d', 'HEAD']),
      ...listed(['ls-files', '--others', '--exclude-standard']),
    ];
    expect(written.length).toBeGreaterThan(0);
    const prettier = join(ROOT, 'node_modules', 'prettier', 'bin', 'prettier.cjs');
    const check = spawnSync(process.execPath, [prettier, '--check', '--ignore-unknown', ...written], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});

describe('init-template refuses bad arguments and writes nothing', () => {
  let dir: string;
  beforeAll(() => {
    dir = freshCopy();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    [['--description', 'x'], '--name is required'],
    [['--name', 'svc'], '--description is required'],
    [['--name', 'Payments', '--description', 'x'], 'not a valid npm package name'],
    [['--name', '@acme/payments', '--description', 'x'], 'not a valid image name'],
    [['--name', 'pay ments', '--description', 'x'], 'not a valid npm package name'],
    [['--name', 'payments-', '--description', 'x'], 'not a valid image name'],
    [['--name', 'node_modules', '--description', 'x'], 'not a valid npm package name'],
    [['--name', 'svc', '--description', 'two\nlines'], '--description must be'],
    [['--name', 'svc', '--description', 'd'.repeat(201)], '--description must be'],
    [['--name', 'svc', '--description', 'x', '--registry', 'quay'], '--registry must be one of'],
    [['--name', 'svc', '--description', 'x', '--owner', 'alice'], '--owner must look like'],
    [['--name', 'svc', '--description', 'x', '--repo', 'acme'], '--repo must look like owner/name'],
    [['--name', 'svc', '--description', 'x', '--repo', 'acme/svc/extra'], '--repo must look like owner/name'],
    [['--name', 'svc', '--description', 'x', '--colour', 'red'], "Unknown option '--colour'"],
  ])('%j', (args, message) => {
    const result = run(dir, args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('usage: npm run init-template');
    expect(changedFiles(dir)).toEqual([]);
  });

  it('prints the Docker Hub settings to make with --registry dockerhub, and writes no credential', () => {
    const result = run(dir, [
      '--name',
      'svc',
      '--description',
      'x',
      '--owner',
      '@acme/platform',
      '--registry',
      'dockerhub',
    ]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('gh variable set DOCKERHUB_IMAGE --body acme/svc');
    expect(result.stdout).toContain('gh secret set DOCKERHUB_TOKEN');
    execFileSync('git', ['checkout', '--', '.'], { cwd: dir });
  });

  it('prints its usage with --help', () => {
    const result = run(dir, ['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('--registry');
  });
});

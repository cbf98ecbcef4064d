/**
 * scripts/ci/check-tool-sha256.sh: the cosign a job installed is the release security/tools.json keeps
 * the SHA-256 of, or the job fails naming both hashes. Run as the workflows run it (from the checkout, on
 * a PATH where `cosign` is whatever the installer put there), with a stand-in cosign whose bytes we choose.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { ROOT } from './helpers.ts';

const SCRIPT = 'scripts/ci/check-tool-sha256.sh';
const sha256 = (bytes: string | Buffer) => createHash('sha256').update(bytes).digest('hex');
const tools = JSON.parse(readFileSync(join(ROOT, 'security/tools.json'), 'utf8')) as {
  tools: Record<string, { release?: Record<string, { sha256: string }> }>;
};
const PINNED = tools.tools.cosign?.release?.['linux-amd64']?.sha256 ?? '';
const onLinuxAmd64 = platform() === 'linux' && arch() === 'x64';

let work: string;
let repo: string;
let bin: string;
const FAKE_COSIGN = '#!/bin/sh\necho "stand-in cosign"\n';

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'tool-sha256-'));
  // A copy of the script and of the pin file, so a test may change the kept hash without touching ours.
  repo = join(work, 'repo');
  mkdirSync(join(repo, 'scripts/ci'), { recursive: true });
  mkdirSync(join(repo, 'security'));
  cpSync(join(ROOT, SCRIPT), join(repo, SCRIPT));
  cpSync(join(ROOT, 'security/tools.json'), join(repo, 'security/tools.json'));
  bin = join(work, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'cosign'), FAKE_COSIGN);
  chmodSync(join(bin, 'cosign'), 0o755);
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

/** Keeps `hash` as cosign's linux-amd64 SHA-256 in the copy's tools.json. */
function keep(hash: string | undefined) {
  const path = join(repo, 'security/tools.json');
  const pins = JSON.parse(readFileSync(path, 'utf8')) as typeof tools;
  const cosign = pins.tools.cosign ?? {};
  cosign.release = hash === undefined ? {} : { 'linux-amd64': { sha256: hash } };
  writeFileSync(path, JSON.stringify(pins));
}

const check = (...args: string[]) =>
  spawnSync('bash', [join(repo, SCRIPT), ...args], {
    encoding: 'utf8',
    env: { PATH: `${bin}:${process.env.PATH ?? ''}`, LANG: 'C' },
  });

it('tools.json keeps a SHA-256 for the cosign release the workflows install', () => {
  expect(PINNED).toMatch(/^[0-9a-f]{64}$/);
});

(onLinuxAmd64 ? describe : describe.skip)('on linux-amd64, as GitHub runs it', () => {
  it('passes when the cosign on PATH is the release tools.json keeps', () => {
    keep(sha256(FAKE_COSIGN));
    const result = check('cosign');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(
      `matches security/tools.json (cosign linux-amd64, sha256 ${sha256(FAKE_COSIGN)})`,
    );
  });

  it('fails naming both hashes when it is another binary (the real pin against a stand-in)', () => {
    const result = check('cosign');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`its SHA-256 is ${sha256(FAKE_COSIGN)}`);
    expect(result.stderr).toContain(`security/tools.json keeps ${PINNED}`);
  });

  it('fails when one byte of the binary changed', () => {
    keep(sha256(FAKE_COSIGN));
    writeFileSync(join(bin, 'cosign'), FAKE_COSIGN.replace('stand-in', 'stand-In'));
    expect(check('cosign').status).toBe(1);
  });

  it('fails when tools.json keeps no hash for the platform', () => {
    keep(undefined);
    const result = check('cosign');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('keeps no SHA-256 for cosign on linux-amd64');
  });
});

it('fails when the tool is not on PATH', () => {
  keep(sha256(FAKE_COSIGN));
  rmSync(join(bin, 'cosign'));
  const result = spawnSync('bash', [join(repo, SCRIPT), 'cosign'], {
    encoding: 'utf8',
    env: { PATH: `${bin}:/usr/bin:/bin`, LANG: 'C' },
  });
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(/cosign is not on PATH|keeps no SHA-256/);
});

it.each([[[]], [['cosign', 'trivy']], [['../cosign']]])('refuses the arguments %j (exit 2)', (args) => {
  expect(check(...args).status).toBe(2);
});

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { FULL_SHA, GHCR_IMAGE, makeSandbox, runScript, script, type Sandbox } from './support.ts';

const RESOLVE = script('resolve-release.sh');

let sandbox: Sandbox;
beforeEach(() => (sandbox = makeSandbox()));
afterEach(() => sandbox.cleanup());

const digestFile = (content: string): string => {
  const file = path.join(sandbox.dir, 'digest.txt');
  writeFileSync(file, content);
  return file;
};
const resolve = (env: Record<string, string>, args: string[] = []) =>
  runScript(RESOLVE, args, env, sandbox.bin);

describe('resolve-release.sh', () => {
  test('reads the image from the pipeline artifact and prints GITHUB_OUTPUT lines', async () => {
    const result = await resolve({ IMAGE_DIGEST_FILE: digestFile(`${GHCR_IMAGE}\n`), COMMIT_SHA: FULL_SHA });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`image=${GHCR_IMAGE}\ncommit-sha=${FULL_SHA}\n`);
  });

  test('tolerates a CRLF line end and lower-cases the commit', async () => {
    const result = await resolve({
      IMAGE_DIGEST_FILE: digestFile(`${GHCR_IMAGE}\r\n`),
      COMMIT_SHA: FULL_SHA.toUpperCase(),
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`image=${GHCR_IMAGE}\ncommit-sha=${FULL_SHA}\n`);
  });

  test('takes the dispatch input when no file is given (flags too)', async () => {
    const result = await resolve({}, ['--image', GHCR_IMAGE, `--commit=${FULL_SHA}`]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`image=${GHCR_IMAGE}\ncommit-sha=${FULL_SHA}\n`);
  });

  test.each<[string, () => Record<string, string>]>([
    ['nothing given', () => ({ COMMIT_SHA: FULL_SHA })],
    [
      'a missing digest file',
      () => ({ IMAGE_DIGEST_FILE: path.join(sandbox.dir, 'absent.txt'), COMMIT_SHA: FULL_SHA }),
    ],
    [
      'a digest file with a tag',
      () => ({ IMAGE_DIGEST_FILE: digestFile('ghcr.io/acme/svc:latest\n'), COMMIT_SHA: FULL_SHA }),
    ],
    [
      'a digest file with a second line (it would forge another output)',
      () => ({
        IMAGE_DIGEST_FILE: digestFile(`${GHCR_IMAGE}\ncommit-sha=${FULL_SHA}\n`),
        COMMIT_SHA: FULL_SHA,
      }),
    ],
    [
      'an input with an injected output line',
      () => ({ IMAGE: `${GHCR_IMAGE}\nurl=https://evil.example`, COMMIT_SHA: FULL_SHA }),
    ],
    [
      'a bare digest',
      () => ({ IMAGE: `sha256:${GHCR_IMAGE.split(':').at(-1) ?? ''}`, COMMIT_SHA: FULL_SHA }),
    ],
    ['no commit', () => ({ IMAGE: GHCR_IMAGE })],
    ['a branch name as commit', () => ({ IMAGE: GHCR_IMAGE, COMMIT_SHA: 'main' })],
  ])('refuses %s with exit 2 and the usage', async (_case, env) => {
    const result = await resolve(env());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: deploy/resolve-release.sh');
    expect(result.stdout).toBe('');
  });
});

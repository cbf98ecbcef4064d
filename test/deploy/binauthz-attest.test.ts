/**
 * deploy/binauthz-attest.sh, which publish runs after the push: it attests a digest for Binary
 * Authorization only once the gate-results attestation verifies as a deploy verifies it, and for the
 * image path Cloud Run is given. The stand-in gcloud keeps what it attested, so the last test deploys
 * with cloudrun.sh against the same store: what publish attests, Cloud Run admits, and nothing else.
 */
import { writeFileSync } from 'node:fs';
import {
  DIGEST_HEX,
  GHCR_IMAGE,
  GITHUB_REPOSITORY,
  verifyCalls,
  expectSucceeded,
  gateAttestationLine,
  vexAttestationLine,
  runScript,
  script,
  withOverrides,
  type Sandbox,
} from './support.ts';
import {
  CLOUD_RUN,
  CLOUD_RUN_IMAGE,
  INVALID_RELEASE_PARAMETERS,
  missing,
  type DeployRun,
  type InvalidParameters,
} from './targets.ts';

const ATTEST = script('binauthz-attest.sh');
const ATTESTOR = 'projects/my-project-1/attestors/gates-passed';
const KEYVERSION =
  'projects/my-project-1/locations/global/keyRings/binauthz/cryptoKeys/gates-passed/cryptoKeyVersions/1';

let deploy: DeployRun;
let sandbox: Sandbox;
beforeEach(async () => {
  deploy = await CLOUD_RUN.setUp();
  sandbox = deploy.sandbox;
  // Nothing attested yet: that is this script's job.
  writeFileSync(sandbox.binauthz, '');
});
afterEach(() => deploy.tearDown());

const attestEnv = (): Record<string, string> => ({
  ...deploy.env(),
  RELEASE_REF: 'refs/heads/main',
  BINAUTHZ_ATTESTOR: ATTESTOR,
  BINAUTHZ_KEYVERSION: KEYVERSION,
});
const attest = (env: Record<string, string>, args: string[] = []) =>
  runScript(ATTEST, args, env, sandbox.bin);

const signAndCreate = (artifact: string) => [
  'gcloud',
  'container',
  'binauthz',
  'attestations',
  'sign-and-create',
  `--artifact-url=${artifact}`,
  `--attestor=${ATTESTOR}`,
  `--keyversion=${KEYVERSION}`,
  '--project=my-project-1',
  '--validate',
  '--quiet',
];

describe('binauthz-attest.sh', () => {
  test('verifies as a deploy does, then attests the path Cloud Run is given', async () => {
    expectSucceeded(
      await attest(attestEnv()),
      'gate results verified: every gate passed',
      `${CLOUD_RUN_IMAGE}\n`,
    );
    expect(sandbox.calls()).toEqual([...verifyCalls(GHCR_IMAGE), signAndCreate(CLOUD_RUN_IMAGE)]);
    expect(sandbox.binauthzAttested()).toEqual([CLOUD_RUN_IMAGE]);
  });

  test('attests an image already in Artifact Registry as given', async () => {
    const env = withOverrides(attestEnv(), {
      IMAGE: CLOUD_RUN_IMAGE,
      ARTIFACT_REGISTRY_REPOSITORY: undefined,
    });
    const result = await attest(env);
    expect(result.code).toBe(0);
    expect(sandbox.calls().at(-1)).toEqual(signAndCreate(CLOUD_RUN_IMAGE));
  });

  test('attests nothing when the digest has no gate-results attestation (exit 3)', async () => {
    sandbox.attest();
    const result = await attest(attestEnv());
    expect(result.code).toBe(3);
    expect(sandbox.calls().map((call) => call[0])).toEqual(['cosign', 'cosign']);
    expect(sandbox.binauthzAttested()).toEqual([]);
  });

  test('attests nothing when a gate did not pass (exit 4)', async () => {
    sandbox.attest(gateAttestationLine({ results: { zap: 'failure' } }));
    const result = await attest(attestEnv());
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('gate zap did not pass');
    expect(sandbox.binauthzAttested()).toEqual([]);
  });

  test('attests nothing for a run of another commit (exit 1, at the signature)', async () => {
    const result = await attest({ ...attestEnv(), FAKE_CERT_SHA: 'f'.repeat(40) });
    expect(result.code).toBe(1);
    expect(sandbox.binauthzAttested()).toEqual([]);
  });

  test('what publish attests, Cloud Run admits; another digest it refuses', async () => {
    expect((await attest(attestEnv())).code).toBe(0);
    const deployed = await deploy.run(deploy.env());
    expect(deployed.code).toBe(0);

    // Every check of ours passes for another digest too (its own gate-results attestation), but
    // publish attested only the first: Google refuses the second.
    const other = 'e'.repeat(64);
    sandbox.attest(gateAttestationLine({ digestHex: other }), vexAttestationLine({ digestHex: other }));
    const refused = await deploy.run({ ...deploy.env(), IMAGE: GHCR_IMAGE.replace(DIGEST_HEX, other) });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('gate results verified: every gate passed');
    expect(refused.stderr).toContain('is not authorized by policy');
    // Three script runs: Jest's default 5 s is too short on a loaded machine.
  }, 30_000);
});

describe('binauthz-attest.sh refuses bad parameters before calling anything (exit 2)', () => {
  test.each([
    ...missing('BINAUTHZ_ATTESTOR', 'BINAUTHZ_KEYVERSION'),
    ['an attestor that is not a resource name', { BINAUTHZ_ATTESTOR: 'gates-passed' }],
    ['a key, not a key version', { BINAUTHZ_KEYVERSION: KEYVERSION.replace(/\/cryptoKeyVersions\/1$/, '') }],
    ['a ghcr.io image without a remote repository', { ARTIFACT_REGISTRY_REPOSITORY: undefined }],
    ...INVALID_RELEASE_PARAMETERS,
  ] as InvalidParameters[])('%s', async (_case, overrides) => {
    const result = await attest(withOverrides(attestEnv(), overrides));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: deploy/binauthz-attest.sh');
    expect(sandbox.recordExists()).toBe(false);
  });

  test('takes every parameter as a flag too', async () => {
    const env = withOverrides(attestEnv(), { GITHUB_REPOSITORY: undefined, BINAUTHZ_ATTESTOR: undefined });
    const result = await attest(env, [`--github-repository=${GITHUB_REPOSITORY}`, '--attestor', ATTESTOR]);
    expect(result.code).toBe(0);
  });

  test('--help prints the usage on stdout and exits 0', async () => {
    const result = await attest({}, ['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: deploy/binauthz-attest.sh');
  });
});

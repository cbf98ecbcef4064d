import {
  COSIGN_VERIFY,
  DIGEST_HEX,
  FULL_SHA,
  GHCR_IMAGE,
  GITHUB_REPOSITORY,
  type HealthServer,
  type Sandbox,
} from './support';
import { CLOUD_RUN, CLOUDRUN_TOKEN, cloudRunTlsMaterial, type DeployRun } from './targets';

const TOKEN = CLOUDRUN_TOKEN;
const AR_IMAGE = `europe-west1-docker.pkg.dev/my-project-1/ghcr-remote/acme/svc.api@sha256:${DIGEST_HEX}`;

let deploy: DeployRun;
let sandbox: Sandbox;
let server: HealthServer;
const tls = cloudRunTlsMaterial();

beforeEach(async () => {
  deploy = await CLOUD_RUN.setUp();
  ({ sandbox, server } = deploy);
});
afterEach(() => deploy.tearDown());

const baseEnv = () => deploy.env();
const cloudrun = (env: Record<string, string>, args: string[] = []) => deploy.run(env, args);

const deployCall = (image: string, access: string) => [
  'gcloud',
  'run',
  'deploy',
  'healthcheck',
  `--image=${image}`,
  '--project=my-project-1',
  '--region=europe-west1',
  '--platform=managed',
  access,
  `--update-labels=commit-sha=${FULL_SHA}`,
  '--quiet',
];
const describeCall = [
  'gcloud',
  'run',
  'services',
  'describe',
  'healthcheck',
  '--project=my-project-1',
  '--region=europe-west1',
  '--platform=managed',
  '--format=value(status.url)',
];

describe('cloudrun.sh', () => {
  test('verifies, deploys the digest through the remote repository, smoke-tests with an identity token', async () => {
    const result = await cloudrun(baseEnv());
    expect(result.stderr).toContain('OK:');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${server.url}\n`);
    expect(sandbox.calls()).toEqual([
      [...COSIGN_VERIFY, GHCR_IMAGE],
      deployCall(AR_IMAGE, '--no-allow-unauthenticated'),
      describeCall,
      ['gcloud', 'auth', 'print-identity-token', `--audiences=${server.url}`],
    ]);
    expect(server.requests).toEqual([{ authorization: `Bearer ${TOKEN}` }]);
  });

  test('allows unauthenticated calls only when asked, and then sends no token', async () => {
    server.requiredToken = undefined;
    const result = await cloudrun({ ...baseEnv(), CLOUDRUN_PUBLIC: 'true' });
    expect(result.code).toBe(0);
    expect(sandbox.calls()).toEqual([
      [...COSIGN_VERIFY, GHCR_IMAGE],
      deployCall(AR_IMAGE, '--allow-unauthenticated'),
      describeCall,
    ]);
    expect(server.requests).toEqual([{ authorization: undefined }]);
  });

  test('CLOUDRUN_PUBLIC=false is the same as unset', async () => {
    const result = await cloudrun({ ...baseEnv(), CLOUDRUN_PUBLIC: 'false' });
    expect(result.code).toBe(0);
    expect(sandbox.calls()[1]).toEqual(deployCall(AR_IMAGE, '--no-allow-unauthenticated'));
  });

  test('deploys an image already in Artifact Registry as given', async () => {
    const env: Record<string, string> = { ...baseEnv(), IMAGE: AR_IMAGE };
    delete env.ARTIFACT_REGISTRY_REPOSITORY;
    const result = await cloudrun(env);
    expect(result.code).toBe(0);
    expect(sandbox.calls().slice(0, 2)).toEqual([
      [...COSIGN_VERIFY, AR_IMAGE],
      deployCall(AR_IMAGE, '--no-allow-unauthenticated'),
    ]);
  });

  test('takes every parameter as a flag too, flags winning over the environment', async () => {
    const result = await cloudrun(
      {
        IMAGE: 'not-an-image',
        FAKE_RECORD: sandbox.record,
        FAKE_GCLOUD_URL: server.url,
        FAKE_GCLOUD_TOKEN: TOKEN,
        CURL_CA_BUNDLE: tls.certFile,
      },
      [
        `--image=${GHCR_IMAGE}`,
        '--commit',
        FULL_SHA,
        '--github-repository',
        GITHUB_REPOSITORY,
        '--project=my-project-1',
        '--region',
        'europe-west1',
        '--service=healthcheck',
        '--repository',
        'ghcr-remote',
        '--public=false',
      ],
    );
    expect(result.stderr).toContain('OK:');
    expect(result.code).toBe(0);
    expect(sandbox.calls()[1]).toEqual(deployCall(AR_IMAGE, '--no-allow-unauthenticated'));
  });

  test('fails when gcloud reports no https URL', async () => {
    const result = await cloudrun({ ...baseEnv(), FAKE_GCLOUD_URL: 'http://plain.example' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('did not report an https URL');
    expect(server.requests).toHaveLength(0);
  });

  test('fails when no identity token comes back for a private service', async () => {
    const result = await cloudrun({ ...baseEnv(), FAKE_GCLOUD_TOKEN: '' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('did not print an identity token');
    expect(server.requests).toHaveLength(0);
  });
});

describe('cloudrun.sh refuses missing parameters (the other refusals: contract.test.ts)', () => {
  test('names every bad value at once', async () => {
    const result = await cloudrun({ FAKE_RECORD: sandbox.record });
    expect(result.code).toBe(2);
    for (const flag of ['--image', '--commit', '--github-repository', '--project', '--region', '--service']) {
      expect(result.stderr).toContain(`missing ${flag}`);
    }
    expect(sandbox.recordExists()).toBe(false);
  });

  test('--help prints the usage on stdout and exits 0', async () => {
    const result = await cloudrun({}, ['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: deploy/cloudrun.sh');
  });
});

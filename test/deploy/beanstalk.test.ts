import { execFileSync } from 'node:child_process';
import path from 'node:path';
import {
  COSIGN_VERIFY,
  DIGEST_HEX,
  FULL_SHA,
  GHCR_IMAGE,
  GITHUB_REPOSITORY,
  OTHER_SHA,
  PIPELINE_IDENTITY,
  cosignVerifyAttestation,
  gateAttestationLine,
  healthBody,
  makeSandbox,
  runScript,
  script,
  startHealthServer,
  type HealthServer,
  type Sandbox,
  withOverrides,
} from './support';

const BEANSTALK = script('beanstalk.sh');
const LABEL = `${FULL_SHA.slice(0, 12)}-${DIGEST_HEX.slice(0, 16)}`;
const KEY = `healthcheck-app/${LABEL}.zip`;
const REGION = ['--region', 'eu-west-1'];

let sandbox: Sandbox;
let server: HealthServer;
let bundleCopy: string;

beforeEach(async () => {
  sandbox = makeSandbox();
  sandbox.attest(gateAttestationLine());
  server = await startHealthServer();
  bundleCopy = path.join(sandbox.dir, 'uploaded-bundle.zip');
});
afterEach(async () => {
  await server.close();
  sandbox.cleanup();
});

/**
 * describe-environments in `--output text`: VersionLabel, Status, Health, HealthStatus, CNAME. The CNAME
 * is the health server's host:port, known only once it listens, so rows carry a placeholder until then.
 */
const CNAME = '{cname}';
const environmentRow = (version: string, status: string, health: string, healthStatus: string) =>
  [version, status, health, healthStatus, CNAME].join('\t');
const withCname = (row: string) => row.replace(CNAME, server.url.replace('http://', ''));

const baseEnv = (): Record<string, string> => ({
  IMAGE: GHCR_IMAGE,
  COMMIT_SHA: FULL_SHA,
  GITHUB_REPOSITORY,
  AWS_REGION: 'eu-west-1',
  EB_APPLICATION: 'healthcheck-app',
  EB_ENVIRONMENT: 'healthcheck-prod',
  EB_BUCKET: 'acme-eb-bundles',
  FAKE_RECORD: sandbox.record,
  FAKE_ATTESTATIONS: sandbox.attestations,
  FAKE_ATTESTATION_SIGNER: PIPELINE_IDENTITY,
  FAKE_S3_COPY: bundleCopy,
  FAKE_AWS_ENVIRONMENT: withCname(environmentRow(LABEL, 'Ready', 'Green', 'Ok')),
  BEANSTALK_HEALTH_ATTEMPTS: '2',
  BEANSTALK_HEALTH_INTERVAL: '0',
  SMOKE_TEST_RETRIES: '0',
});

const beanstalk = (env: Record<string, string>, args: string[] = []) =>
  runScript(BEANSTALK, args, env, sandbox.bin);

const versionsCall = [
  'aws',
  'elasticbeanstalk',
  'describe-application-versions',
  '--application-name',
  'healthcheck-app',
  '--version-labels',
  LABEL,
  ...REGION,
  '--query',
  'length(ApplicationVersions)',
  '--output',
  'text',
];
const createCall = [
  'aws',
  'elasticbeanstalk',
  'create-application-version',
  '--application-name',
  'healthcheck-app',
  '--version-label',
  LABEL,
  '--source-bundle',
  `S3Bucket=acme-eb-bundles,S3Key=${KEY}`,
  '--description',
  `commit ${FULL_SHA} image sha256:${DIGEST_HEX}`,
  '--no-auto-create-application',
  ...REGION,
];
const updateCall = [
  'aws',
  'elasticbeanstalk',
  'update-environment',
  '--application-name',
  'healthcheck-app',
  '--environment-name',
  'healthcheck-prod',
  '--version-label',
  LABEL,
  ...REGION,
];
const waitCall = [
  'aws',
  'elasticbeanstalk',
  'wait',
  'environment-updated',
  '--application-name',
  'healthcheck-app',
  '--environment-names',
  'healthcheck-prod',
  ...REGION,
];
const describeCall = [
  'aws',
  'elasticbeanstalk',
  'describe-environments',
  '--application-name',
  'healthcheck-app',
  '--environment-names',
  'healthcheck-prod',
  ...REGION,
  '--query',
  'Environments[0].[VersionLabel,Status,Health,HealthStatus,CNAME]',
  '--output',
  'text',
];

describe('beanstalk.sh', () => {
  test('verifies, uploads a Dockerrun naming the digest, rolls out, waits, checks health, smoke-tests', async () => {
    const result = await beanstalk(baseEnv());
    expect(result.stderr).toContain('OK:');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${server.url}\n`);

    const calls = sandbox.calls();
    expect(calls).toHaveLength(8);
    expect(calls[0]).toEqual([...COSIGN_VERIFY, GHCR_IMAGE]);
    expect(calls[1]).toEqual(cosignVerifyAttestation(GHCR_IMAGE));
    expect(calls[2]).toEqual(versionsCall);
    expect(calls[3]).toEqual([
      'aws',
      's3',
      'cp',
      expect.stringMatching(/\/bundle\.zip$/),
      `s3://acme-eb-bundles/${KEY}`,
      ...REGION,
      '--only-show-errors',
    ]);
    expect(calls.slice(4)).toEqual([createCall, updateCall, waitCall, describeCall]);
    expect(server.requests).toHaveLength(1);

    const listing = execFileSync('unzip', ['-Z1', bundleCopy], { encoding: 'utf8' });
    expect(listing.trim().split('\n')).toEqual(['Dockerrun.aws.json']);
    const dockerrun: unknown = JSON.parse(
      execFileSync('unzip', ['-p', bundleCopy, 'Dockerrun.aws.json'], { encoding: 'utf8' }),
    );
    expect(dockerrun).toEqual({
      AWSEBDockerrunVersion: '1',
      Image: { Name: GHCR_IMAGE, Update: 'true' },
      Ports: [{ ContainerPort: '5000' }],
    });
  });

  test('redeploying an image whose version exists skips the upload and the new version', async () => {
    const result = await beanstalk({ ...baseEnv(), FAKE_AWS_VERSION_COUNT: '1' });
    expect(result.code).toBe(0);
    expect(sandbox.calls().slice(2)).toEqual([versionsCall, updateCall, waitCall, describeCall]);
  });

  test('accepts basic health, which reports no HealthStatus', async () => {
    const result = await beanstalk({
      ...baseEnv(),
      FAKE_AWS_ENVIRONMENT: withCname(environmentRow(LABEL, 'Ready', 'Green', 'None')),
    });
    expect(result.code).toBe(0);
  });

  test.each([
    ['Red health', environmentRow(LABEL, 'Ready', 'Red', 'Severe')],
    ['Green but Warning', environmentRow(LABEL, 'Ready', 'Green', 'Warning')],
    ['the old version still running (rolled back)', environmentRow('older-label', 'Ready', 'Green', 'Ok')],
    ['still updating', environmentRow(LABEL, 'Updating', 'Grey', 'Pending')],
    ['no answer', ''],
  ])('fails on %s, after the bounded number of health checks, without a smoke test', async (_case, row) => {
    const result = await beanstalk({ ...baseEnv(), FAKE_AWS_ENVIRONMENT: withCname(row) });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`is not Green/Ok on ${LABEL}`);
    expect(sandbox.calls().filter((call) => call[2] === 'describe-environments')).toHaveLength(2);
    expect(server.requests).toHaveLength(0);
  });

  test('smoke-tests EB_URL when given, instead of the CNAME', async () => {
    const row = environmentRow(LABEL, 'Ready', 'Green', 'Ok').replace(CNAME, 'unreachable.invalid');
    const result = await beanstalk({ ...baseEnv(), FAKE_AWS_ENVIRONMENT: row, EB_URL: `${server.url}/` });
    expect(result.code).toBe(0);
    expect(server.requests).toHaveLength(1);
  });

  test('sets the container port the Dockerrun exposes', async () => {
    const result = await beanstalk(baseEnv(), ['--container-port', '8080']);
    expect(result.code).toBe(0);
    const dockerrun = JSON.parse(
      execFileSync('unzip', ['-p', bundleCopy, 'Dockerrun.aws.json'], { encoding: 'utf8' }),
    ) as { Ports: unknown };
    expect(dockerrun.Ports).toEqual([{ ContainerPort: '8080' }]);
  });

  test('a failing signature check stops everything before any AWS call', async () => {
    const result = await beanstalk({ ...baseEnv(), FAKE_COSIGN_EXIT: '1' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('signature verification failed: refusing to deploy');
    expect(sandbox.calls()).toEqual([[...COSIGN_VERIFY, GHCR_IMAGE]]);
  });

  describe('deploys only what passed every gate (gate-results attestation)', () => {
    const refusedBeforeAws = () =>
      expect(sandbox.calls()).toEqual([[...COSIGN_VERIFY, GHCR_IMAGE], cosignVerifyAttestation(GHCR_IMAGE)]);

    test('refuses an image with no attestation (exit 3), before any AWS call', async () => {
      sandbox.attest();
      const result = await beanstalk(baseEnv());
      expect(result.code).toBe(3);
      expect(result.stderr).toContain('REFUSED: no gate-results attestation signed by');
      refusedBeforeAws();
    });

    test("refuses an attestation signed by another repository's pipeline (exit 3)", async () => {
      const signer = 'https://github.com/Evil/svc.api/.github/workflows/pipeline.yml@refs/heads/main';
      const result = await beanstalk({ ...baseEnv(), FAKE_ATTESTATION_SIGNER: signer });
      expect(result.code).toBe(3);
      expect(result.stderr).toContain('none of the expected identities matched');
      refusedBeforeAws();
    });

    test('refuses when a gate failed (exit 4)', async () => {
      sandbox.attest(gateAttestationLine({ results: { checkov: 'failure' } }));
      const result = await beanstalk(baseEnv());
      expect(result.code).toBe(4);
      expect(result.stderr).toContain('gate checkov did not pass (verdict failed)');
      refusedBeforeAws();
    });

    test('refuses an attestation for another digest (exit 4)', async () => {
      sandbox.attest(gateAttestationLine({ digestHex: '0'.repeat(64) }));
      const result = await beanstalk(baseEnv());
      expect(result.code).toBe(4);
      expect(result.stderr).toContain('the attestation is for another digest');
      refusedBeforeAws();
    });
  });

  test('fails when the environment serves another commit', async () => {
    server.answer = { status: 200, body: healthBody(OTHER_SHA) };
    const result = await beanstalk(baseEnv());
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`expected ${FULL_SHA}`);
  });

  test('fails when the environment answers an error', async () => {
    server.answer = { status: 502, body: '' };
    const result = await beanstalk(baseEnv());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('answered HTTP 502');
  });
});

describe('beanstalk.sh refuses missing or malformed parameters before calling anything', () => {
  const cases: [string, Record<string, string | undefined>, string[]?][] = [
    ['no image', { IMAGE: undefined }],
    ['an image by tag', { IMAGE: 'ghcr.io/acme/svc.api:v1' }],
    ['an image digest of the wrong algorithm', { IMAGE: `ghcr.io/acme/svc.api@sha512:${DIGEST_HEX}` }],
    ['quotes in the image (it is written into JSON)', { IMAGE: `ghcr.io/acme/x"y@sha256:${DIGEST_HEX}` }],
    ['no commit', { COMMIT_SHA: undefined }],
    ['a 41-digit commit', { COMMIT_SHA: `${FULL_SHA}a` }],
    ['no GitHub repository', { GITHUB_REPOSITORY: undefined }],
    ['no region', { AWS_REGION: undefined }],
    ['a malformed region', { AWS_REGION: 'eu-west' }],
    ['no application', { EB_APPLICATION: undefined }],
    ['an application with a slash', { EB_APPLICATION: 'a/b' }],
    ['no environment', { EB_ENVIRONMENT: undefined }],
    ['a too short environment', { EB_ENVIRONMENT: 'abc' }],
    ['an environment ending with a hyphen', { EB_ENVIRONMENT: 'prod-env-' }],
    ['no bucket', { EB_BUCKET: undefined }],
    ['an upper-case bucket', { EB_BUCKET: 'Acme-Bundles' }],
    ['a bucket with adjacent dots', { EB_BUCKET: 'acme..bundles' }],
    ['a URL with a query', { EB_URL: 'https://example.com/?x=1' }],
    ['a zero port', { CONTAINER_PORT: '0' }],
    ['a port above 65535', { CONTAINER_PORT: '70000' }],
    ['a non-numeric health attempt count', { BEANSTALK_HEALTH_ATTEMPTS: 'lots' }],
    ['an unknown flag', {}, ['--force']],
    ['a flag without its value', {}, ['--bucket']],
  ];

  test.each(cases)('%s', async (_case, overrides, args = []) => {
    const result = await beanstalk(withOverrides(baseEnv(), overrides), args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: deploy/beanstalk.sh');
    expect(result.stdout).toBe('');
    expect(sandbox.recordExists()).toBe(false);
  });
});

import { readServiceDescription } from '../../security/gates/service-description.ts';
import { PROJECT_ROOT } from '../support/repository.ts';
import { execFileSync } from 'node:child_process';
import {
  COSIGN_VERIFY,
  cosignVerifyAttestation,
  cosignVerifyVexAttestation,
  DIGEST_HEX,
  expectSucceeded,
  FULL_SHA,
  gateAttestationLine,
  GHCR_IMAGE,
  type HealthServer,
  type Sandbox,
} from './support.ts';
import {
  BEANSTALK,
  BEANSTALK_LABEL,
  BEANSTALK_SECRET,
  requiredSettings,
  settingFlags,
  bundleCopyIn,
  CNAME,
  environmentRow,
  withCname as withServerCname,
  type DeployRun,
} from './targets.ts';

const LABEL = BEANSTALK_LABEL;
const KEY = `healthcheck-app/${LABEL}.zip`;
const REGION = ['--region', 'eu-west-1'];

let deploy: DeployRun;
let sandbox: Sandbox;
let server: HealthServer;
let bundleCopy: string;

beforeEach(async () => {
  deploy = await BEANSTALK.setUp();
  ({ sandbox, server } = deploy);
  bundleCopy = bundleCopyIn(sandbox);
});
afterEach(() => deploy.tearDown());

const withCname = (row: string) => withServerCname(row, server);
const baseEnv = () => deploy.env();
const beanstalk = (env: Record<string, string>, args: string[] = []) => deploy.run(env, args);

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
  '--option-settings',
  ...settingFlags('beanstalk', requiredSettings(BEANSTALK_SECRET)),
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
    expectSucceeded(await beanstalk(baseEnv()), 'OK:', `${server.url}\n`);
    const calls = sandbox.calls();
    expect(calls).toHaveLength(9);
    expect(calls[0]).toEqual([...COSIGN_VERIFY, GHCR_IMAGE]);
    expect(calls[1]).toEqual(cosignVerifyAttestation(GHCR_IMAGE));
    expect(calls[2]).toEqual(cosignVerifyVexAttestation(GHCR_IMAGE));
    expect(calls[3]).toEqual(versionsCall);
    expect(calls[4]).toEqual([
      'aws',
      's3',
      'cp',
      expect.stringMatching(/\/bundle\.zip$/),
      `s3://acme-eb-bundles/${KEY}`,
      ...REGION,
      '--only-show-errors',
    ]);
    expect(calls.slice(5)).toEqual([createCall, updateCall, waitCall, describeCall]);
    expect(server.requests).toHaveLength(1);

    const listing = execFileSync('unzip', ['-Z1', bundleCopy], { encoding: 'utf8' });
    expect(listing.trim().split('\n')).toEqual(['Dockerrun.aws.json']);
    const dockerrun: unknown = JSON.parse(
      execFileSync('unzip', ['-p', bundleCopy, 'Dockerrun.aws.json'], { encoding: 'utf8' }),
    );
    expect(dockerrun).toEqual({
      AWSEBDockerrunVersion: '1',
      Image: { Name: GHCR_IMAGE, Update: 'true' },
      Ports: [{ ContainerPort: String(readServiceDescription(PROJECT_ROOT).port) }],
    });
  });

  test('redeploying an image whose version exists skips the upload and the new version', async () => {
    const result = await beanstalk({ ...baseEnv(), FAKE_AWS_VERSION_COUNT: '1' });
    expect(result.code).toBe(0);
    expect(sandbox.calls().slice(3)).toEqual([versionsCall, updateCall, waitCall, describeCall]);
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
});

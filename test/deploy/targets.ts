/**
 * The two deploy targets as the tests drive them: each starts its stand-in service and a sandbox of
 * fake cloud CLIs, and knows the environment a valid run needs. The contract both scripts keep is
 * tested once over both (contract.test.ts); what only one does stays in its own test file.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import { readServiceDescription } from '../../security/gates/service-description.ts';
import { PROJECT_ROOT } from '../support/repository.ts';
import {
  DIGEST_HEX,
  FULL_SHA,
  GHCR_IMAGE,
  GITHUB_REPOSITORY,
  gateAttestationLine,
  vexAttestationLine,
  makeSandbox,
  PIPELINE_CLAIMS,
  PIPELINE_IDENTITY,
  makeTlsMaterial,
  runScript,
  script,
  startHealthServer,
  type HealthServer,
  type RunResult,
  type Sandbox,
  type TlsMaterial,
} from './support.ts';

export interface DeployRun {
  readonly sandbox: Sandbox;
  readonly server: HealthServer;
  /** Everything a valid run needs. */
  env(): Record<string, string>;
  run(env: Record<string, string>, args?: string[]): Promise<RunResult>;
  tearDown(): Promise<void>;
}

/** A parameter case the script must refuse (exit 2, usage, nothing called): environment changes, flags. */
export type InvalidParameters = [string, Record<string, string | undefined>, string[]?];

/** Each variable a run cannot do without, left out: the script must refuse to start. */
export const missing = (...variables: string[]): InvalidParameters[] =>
  variables.map((variable) => [`no ${variable}`, { [variable]: undefined }]);

/**
 * The release values every script that deploys or attests a release refuses (lib.sh's check_release,
 * which they share): tested over each of them, whatever else it takes.
 */
export const INVALID_RELEASE_PARAMETERS: readonly InvalidParameters[] = [
  ...missing('IMAGE', 'COMMIT_SHA', 'GITHUB_REPOSITORY'),
  ['an image by tag', { IMAGE: 'ghcr.io/acme/svc.api:latest' }],
  ['an image with tag and digest', { IMAGE: `ghcr.io/acme/svc.api:1.0@sha256:${DIGEST_HEX}` }],
  ['an image without a registry host', { IMAGE: `acme/svc.api@sha256:${DIGEST_HEX}` }],
  ['a short digest', { IMAGE: `ghcr.io/acme/svc.api@sha256:${DIGEST_HEX.slice(1)}` }],
  ['an upper-case digest', { IMAGE: `ghcr.io/acme/svc.api@sha256:${DIGEST_HEX.toUpperCase()}` }],
  ['an image digest of the wrong algorithm', { IMAGE: `ghcr.io/acme/svc.api@sha512:${DIGEST_HEX}` }],
  ['shell syntax in the image', { IMAGE: `ghcr.io/acme/$(id)@sha256:${DIGEST_HEX}` }],
  [
    'quotes in the image (beanstalk.sh writes it into JSON)',
    { IMAGE: `ghcr.io/acme/x"y@sha256:${DIGEST_HEX}` },
  ],
  ['a newline in the image', { IMAGE: `${GHCR_IMAGE}\nextra=1` }],
  ['a non-hex commit', { COMMIT_SHA: 'main' }],
  ['a 41-digit commit', { COMMIT_SHA: `${FULL_SHA}a` }],
  ['an abbreviated commit (the certificate names the full one)', { COMMIT_SHA: FULL_SHA.slice(0, 12) }],
  ['a ref other than main or a v* tag', { RELEASE_REF: 'refs/heads/feature' }],
  ['a ref that is not a ref', { RELEASE_REF: 'main' }],
  ['a GitHub repository without owner', { GITHUB_REPOSITORY: 'svc.api' }],
];

export interface DeployTarget {
  readonly name: string;
  readonly script: string;
  setUp(): Promise<DeployRun>;
  readonly invalidParameters: readonly InvalidParameters[];
}

/**
 * The deploy workflows' SERVICE_SETTINGS for a valid run: each setting src/service.json requires, as
 * its stand-in, and each required secret as a reference of the platform's shape (an adopted copy with
 * a setting required in production deploys in these tests as its workflows would).
 */
export function requiredSettings(secretReference: (name: string) => string): string {
  const service = readServiceDescription(PROJECT_ROOT);
  return Object.entries(service.settings)
    .filter(([, setting]) => setting.required !== 'never')
    .map(([name, setting]) =>
      setting.secret ? `${name}_SECRET=${secretReference(name)}` : `${name}=${setting.standIn ?? ''}`,
    )
    .join('\n');
}
export const CLOUD_RUN_SECRET = (name: string) => `${name.toLowerCase().replaceAll('_', '-')}:1`;
export const BEANSTALK_SECRET = (name: string) =>
  `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name.toLowerCase().replaceAll('_', '-')}`;

/** The flags deploy/settings.mjs gives for those settings (its own logic: test/deploy/settings.test.ts). */
export function settingFlags(platform: 'cloudrun' | 'beanstalk', serviceSettings: string): string[] {
  const result = spawnSync(process.execPath, [join(PROJECT_ROOT, 'deploy', 'settings.mjs'), platform], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', SERVICE_SETTINGS: serviceSettings },
  });
  return result.stdout.split('\n').filter(Boolean);
}

async function deployRun(
  scriptName: string,
  tls: TlsMaterial | undefined,
  env: (sandbox: Sandbox, server: HealthServer) => Record<string, string>,
): Promise<DeployRun> {
  const sandbox = makeSandbox();
  // A valid run's image passed every gate and has its accepted findings attested: the stand-in registry
  // holds this pipeline's two attestations.
  sandbox.attest(gateAttestationLine(), vexAttestationLine());
  const server = await startHealthServer(tls);
  return {
    sandbox,
    server,
    env: () => ({
      ...env(sandbox, server),
      FAKE_ATTESTATIONS: sandbox.attestations,
      FAKE_ATTESTATION_SIGNER: PIPELINE_IDENTITY,
      FAKE_BINAUTHZ_ATTESTATIONS: sandbox.binauthz,
      ...PIPELINE_CLAIMS,
    }),
    run: (runEnv, args = []) => runScript(script(scriptName), args, runEnv, sandbox.bin),
    tearDown: async () => {
      await server.close();
      sandbox.cleanup();
    },
  };
}

// ---- Cloud Run ------------------------------------------------------------------------------------
/** GHCR_IMAGE as a valid run gives it to Cloud Run: through the remote repository, same digest. */
export const CLOUD_RUN_IMAGE = `europe-west1-docker.pkg.dev/my-project-1/ghcr-remote/acme/svc.api@sha256:${DIGEST_HEX}`;
// A JWT-shaped stand-in for the metadata server's identity token, signed by nothing.
export const CLOUDRUN_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ0ZXN0In0.c2lnbmF0dXJl'; // gitleaks:allow secretlint-disable-line -- made up

// Cloud Run serves HTTPS only, and the script insists on an https URL: so does the stand-in service.
// One certificate serves every test of the process; it lives in a temporary folder removed at exit.
let cloudRunTls: TlsMaterial | undefined;
export function cloudRunTlsMaterial(): TlsMaterial {
  if (cloudRunTls === undefined) {
    const dir = mkdtempSync(path.join(tmpdir(), 'deploy-tls-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    cloudRunTls = makeTlsMaterial(dir);
  }
  return cloudRunTls;
}

export const CLOUD_RUN: DeployTarget = {
  name: 'Cloud Run',
  script: 'cloudrun.sh',
  async setUp() {
    const tls = cloudRunTlsMaterial();
    const run = await deployRun('cloudrun.sh', tls, (sandbox, server) => ({
      IMAGE: GHCR_IMAGE,
      COMMIT_SHA: FULL_SHA,
      GITHUB_REPOSITORY,
      GCP_PROJECT_ID: 'my-project-1',
      CLOUDRUN_REGION: 'europe-west1',
      CLOUDRUN_SERVICE: 'healthcheck',
      ARTIFACT_REGISTRY_REPOSITORY: 'ghcr-remote',
      SERVICE_SETTINGS: requiredSettings(CLOUD_RUN_SECRET),
      FAKE_RECORD: sandbox.record,
      FAKE_GCLOUD_URL: server.url,
      FAKE_GCLOUD_TOKEN: CLOUDRUN_TOKEN,
      CURL_CA_BUNDLE: tls.certFile,
      SMOKE_TEST_RETRIES: '0',
    }));
    run.server.requiredToken = CLOUDRUN_TOKEN;
    // A valid run's digest was attested by publish for the path Cloud Run is given (binauthz-attest.sh).
    writeFileSync(run.sandbox.binauthz, `${CLOUD_RUN_IMAGE}\n`);
    return run;
  },
  invalidParameters: [
    ...missing('GCP_PROJECT_ID', 'CLOUDRUN_REGION', 'CLOUDRUN_SERVICE'),
    ...INVALID_RELEASE_PARAMETERS,
    ['an upper-case project', { GCP_PROJECT_ID: 'My-Project-1' }],
    ['a too short project', { GCP_PROJECT_ID: 'abc' }],
    ['a malformed region', { CLOUDRUN_REGION: 'europe west1' }],
    ['a service starting with a digit', { CLOUDRUN_SERVICE: '1health' }],
    ['a service ending with a hyphen', { CLOUDRUN_SERVICE: 'health-' }],
    ['a malformed repository', { ARTIFACT_REGISTRY_REPOSITORY: 'Ghcr_Remote' }],
    ['a ghcr.io image without a remote repository', { ARTIFACT_REGISTRY_REPOSITORY: undefined }],
    [
      'a remote repository with an image not on ghcr.io',
      { IMAGE: `docker.io/acme/svc@sha256:${DIGEST_HEX}`, ARTIFACT_REGISTRY_REPOSITORY: 'ghcr-remote' },
    ],
    ['CLOUDRUN_PUBLIC=yes', { CLOUDRUN_PUBLIC: 'yes' }],
    ['an unknown flag', {}, ['--force']],
    ['a positional argument', {}, ['healthcheck']],
    ['a flag without its value', {}, ['--image']],
  ],
};

// ---- Elastic Beanstalk ----------------------------------------------------------------------------
export const BEANSTALK_LABEL = `${FULL_SHA.slice(0, 12)}-${DIGEST_HEX.slice(0, 16)}`;

/**
 * describe-environments in `--output text`: VersionLabel, Status, Health, HealthStatus, CNAME. The CNAME
 * is the health server's host:port, known only once it listens, so rows carry a placeholder until then.
 */
export const CNAME = '{cname}';
export const environmentRow = (version: string, status: string, health: string, healthStatus: string) =>
  [version, status, health, healthStatus, CNAME].join('\t');
export const withCname = (row: string, server: HealthServer) =>
  row.replace(CNAME, server.url.replace('http://', ''));
/** Where the fake `aws s3 cp` leaves the uploaded bundle. */
export const bundleCopyIn = (sandbox: Sandbox) => path.join(sandbox.dir, 'uploaded-bundle.zip');

export const BEANSTALK: DeployTarget = {
  name: 'Elastic Beanstalk',
  script: 'beanstalk.sh',
  setUp: () =>
    deployRun('beanstalk.sh', undefined, (sandbox, server) => ({
      IMAGE: GHCR_IMAGE,
      COMMIT_SHA: FULL_SHA,
      GITHUB_REPOSITORY,
      AWS_REGION: 'eu-west-1',
      EB_APPLICATION: 'healthcheck-app',
      EB_ENVIRONMENT: 'healthcheck-prod',
      EB_BUCKET: 'acme-eb-bundles',
      SERVICE_SETTINGS: requiredSettings(BEANSTALK_SECRET),
      FAKE_RECORD: sandbox.record,
      FAKE_S3_COPY: bundleCopyIn(sandbox),
      FAKE_AWS_ENVIRONMENT: withCname(environmentRow(BEANSTALK_LABEL, 'Ready', 'Green', 'Ok'), server),
      BEANSTALK_HEALTH_ATTEMPTS: '2',
      BEANSTALK_HEALTH_INTERVAL: '0',
      SMOKE_TEST_RETRIES: '0',
    })),
  invalidParameters: [
    ...missing('AWS_REGION', 'EB_APPLICATION', 'EB_ENVIRONMENT', 'EB_BUCKET'),
    ...INVALID_RELEASE_PARAMETERS,
    ['a malformed region', { AWS_REGION: 'eu-west' }],
    ['an application with a slash', { EB_APPLICATION: 'a/b' }],
    ['a too short environment', { EB_ENVIRONMENT: 'abc' }],
    ['an environment ending with a hyphen', { EB_ENVIRONMENT: 'prod-env-' }],
    ['an upper-case bucket', { EB_BUCKET: 'Acme-Bundles' }],
    ['a bucket with adjacent dots', { EB_BUCKET: 'acme..bundles' }],
    ['a URL with a query', { EB_URL: 'https://example.com/?x=1' }],
    ['a zero port', { CONTAINER_PORT: '0' }],
    ['a port above 65535', { CONTAINER_PORT: '70000' }],
    ['a non-numeric health attempt count', { BEANSTALK_HEALTH_ATTEMPTS: 'lots' }],
    ['an unknown flag', {}, ['--force']],
    ['a flag without its value', {}, ['--bucket']],
  ],
};

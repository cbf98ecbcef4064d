import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readServiceDescription } from '../../security/gates/service-description.ts';
import { PROJECT_ROOT } from '../support/repository.ts';
import {
  COSIGN_VERIFY,
  FULL_SHA,
  GHCR_IMAGE,
  GITHUB_REPOSITORY,
  OTHER_SHA,
  PIPELINE_CLAIMS,
  PIPELINE_IDENTITY,
  PIPELINE_WORKFLOW_NAME,
  cosignVerifyAttestation,
  verifyCalls,
  expectSucceeded,
  gateAttestationLine,
  restrictedBin,
  runScript,
  script,
  type HealthServer,
  type Sandbox,
} from './support.ts';
import {
  CLOUD_RUN,
  CLOUD_RUN_IMAGE,
  CLOUD_RUN_SECRET,
  CLOUDRUN_TOKEN,
  cloudRunTlsMaterial,
  requiredSettings,
  settingFlags,
  type DeployRun,
} from './targets.ts';

const TOKEN = CLOUDRUN_TOKEN;
const CLOUDRUN = script('cloudrun.sh');
const AR_IMAGE = CLOUD_RUN_IMAGE;

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
  '--binary-authorization=default',
  `--port=${readServiceDescription(PROJECT_ROOT).port}`,
  access,
  `--update-labels=commit-sha=${FULL_SHA}`,
  ...settingFlags('cloudrun', requiredSettings(CLOUD_RUN_SECRET)),
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
    expectSucceeded(result, 'OK:', `${server.url}\n`);
    expect(sandbox.calls()).toEqual([
      ...verifyCalls(GHCR_IMAGE),
      deployCall(AR_IMAGE, '--no-allow-unauthenticated'),
      describeCall,
      ['gcloud', 'auth', 'print-identity-token', `--audiences=${server.url}`],
    ]);
    expect(result.stderr).toContain('gate results verified: every gate passed');
    expect(server.requests).toEqual([{ authorization: `Bearer ${TOKEN}` }]);
  });

  test('allows unauthenticated calls only when asked, and then sends no token', async () => {
    server.requiredToken = undefined;
    const result = await cloudrun({ ...baseEnv(), CLOUDRUN_PUBLIC: 'true' });
    expect(result.code).toBe(0);
    expect(sandbox.calls()).toEqual([
      ...verifyCalls(GHCR_IMAGE),
      deployCall(AR_IMAGE, '--allow-unauthenticated'),
      describeCall,
    ]);
    expect(server.requests).toEqual([{ authorization: undefined }]);
  });

  test('CLOUDRUN_PUBLIC=false is the same as unset', async () => {
    const result = await cloudrun({ ...baseEnv(), CLOUDRUN_PUBLIC: 'false' });
    expect(result.code).toBe(0);
    expect(sandbox.calls()[3]).toEqual(deployCall(AR_IMAGE, '--no-allow-unauthenticated'));
  });

  test('deploys an image already in Artifact Registry as given', async () => {
    const env: Record<string, string> = { ...baseEnv(), IMAGE: AR_IMAGE };
    delete env.ARTIFACT_REGISTRY_REPOSITORY;
    const result = await cloudrun(env);
    expect(result.code).toBe(0);
    expect(sandbox.calls().slice(0, 4)).toEqual([
      ...verifyCalls(AR_IMAGE),
      deployCall(AR_IMAGE, '--no-allow-unauthenticated'),
    ]);
  });

  test('takes every parameter as a flag too, flags winning over the environment', async () => {
    const result = await cloudrun(
      {
        IMAGE: 'not-an-image',
        // The settings src/service.json requires (none in the template; an adopted copy may add some).
        SERVICE_SETTINGS: requiredSettings(CLOUD_RUN_SECRET),
        FAKE_RECORD: sandbox.record,
        FAKE_ATTESTATIONS: sandbox.attestations,
        FAKE_ATTESTATION_SIGNER: PIPELINE_IDENTITY,
        FAKE_BINAUTHZ_ATTESTATIONS: sandbox.binauthz,
        ...PIPELINE_CLAIMS,
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
    expect(sandbox.calls()[3]).toEqual(deployCall(AR_IMAGE, '--no-allow-unauthenticated'));
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

describe('cloudrun.sh deploys only what passed every gate (gate-results attestation)', () => {
  const refusedBeforeDeploy = (result: { code: number | null; stdout: string }) => {
    expect(result.stdout).toBe('');
    expect(sandbox.calls()).toEqual([[...COSIGN_VERIFY, GHCR_IMAGE], cosignVerifyAttestation(GHCR_IMAGE)]);
    expect(server.requests).toHaveLength(0);
  };

  test('refuses an image with no attestation (exit 3)', async () => {
    sandbox.attest();
    const result = await cloudrun(baseEnv());
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('no valid bundles exist in registry');
    expect(result.stderr).toContain(
      `REFUSED: no gate-results attestation signed by ${GITHUB_REPOSITORY}'s pipeline for ${GHCR_IMAGE}`,
    );
    refusedBeforeDeploy(result);
  });

  test.each([
    ['another repository', 'https://github.com/Evil/svc.api/.github/workflows/pipeline.yml@refs/heads/main'],
    [
      'a look-alike repository',
      'https://github.com/Acme/svcXapi/.github/workflows/pipeline.yml@refs/heads/main',
    ],
    [
      'another workflow of this repository',
      'https://github.com/Acme/svc.api/.github/workflows/other.yml@refs/heads/main',
    ],
    [
      'a branch other than main',
      'https://github.com/Acme/svc.api/.github/workflows/pipeline.yml@refs/heads/feature',
    ],
  ])('refuses an attestation signed by %s (exit 3)', async (_case, signer) => {
    const result = await cloudrun({ ...baseEnv(), FAKE_ATTESTATION_SIGNER: signer });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('none of the expected identities matched');
    refusedBeforeDeploy(result);
  });

  test('accepts an attestation from a version tag run, given that tag as the release ref', async () => {
    const signer = 'https://github.com/Acme/svc.api/.github/workflows/pipeline.yml@refs/tags/v1.2.3';
    const env = { ...baseEnv(), FAKE_ATTESTATION_SIGNER: signer, FAKE_CERT_REF: 'refs/tags/v1.2.3' };
    const result = await cloudrun({ ...env, RELEASE_REF: 'refs/tags/v1.2.3' });
    expect(result.code).toBe(0);
    expect(sandbox.calls()[1]).toEqual(cosignVerifyAttestation(GHCR_IMAGE, 'refs/tags/v1.2.3'));
  }, 30_000);

  const unreadable = JSON.stringify({
    payload: Buffer.from('not json').toString('base64'),
    payloadType: 'application/vnd.in-toto+json',
    signatures: [],
  });
  // What the registry holds, and what the refusal must say.
  test.each([
    [
      'a failed gate, naming it',
      [gateAttestationLine({ results: { trivy: 'failure' } })],
      [
        'gate trivy did not pass (verdict failed)',
        'verificationResult is FAILED, not PASSED',
        'REFUSED: the gate-results attestation does not show every gate passed',
      ],
    ],
    [
      'an attestation for another digest',
      [gateAttestationLine({ digestHex: 'f'.repeat(64) })],
      ['the attestation is for another digest', 'resourceUri names another digest'],
    ],
    [
      'any one of several attestations showing a failed gate',
      [gateAttestationLine(), gateAttestationLine({ results: { zap: 'failure' } })],
      ['gate zap did not pass'],
    ],
    [
      'an attestation of another repository, whose gates field it does not know',
      [gateAttestationLine({ repository: 'Evil/svc.api' })],
      ['the attestation records no gates'],
    ],
  ])('refuses %s (exit 4)', async (_case, lines, messages) => {
    sandbox.attest(...lines);
    const result = await cloudrun(baseEnv());
    expect(result.code).toBe(4);
    for (const message of messages) expect(result.stderr).toContain(message);
    refusedBeforeDeploy(result);
  });

  // cosign itself prints only the statements of the type asked for, and stops at one it cannot read
  // (verify_attestation.go, AttestationToPayloadJSON): both are "none from this pipeline" (exit 3). The
  // predicate-type and readability checks of deploy/lib.sh stay, should a cosign ever print such a line.
  test.each([
    [
      'a statement of another predicate type only',
      [gateAttestationLine({ predicateType: 'https://cyclonedx.org/bom' })],
      'none of the attestations matched the predicate type: https://slsa.dev/verification_summary/v1, found: https://cyclonedx.org/bom',
    ],
    [
      'an envelope whose statement cannot be read',
      [unreadable],
      'converting to consumable policy validation: unmarshal in-toto statement',
    ],
  ])('refuses %s (exit 3, refused by cosign)', async (_case, lines, message) => {
    sandbox.attest(...lines);
    const result = await cloudrun(baseEnv());
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(message);
    refusedBeforeDeploy(result);
  });

  // Several processes per run (node reads the attestation and the settings): slow on a loaded machine.
  test('checks with node when jq is absent, with the same verdicts', async () => {
    const bin = restrictedBin(sandbox.dir, ['bash', 'dirname', 'mktemp', 'rm', 'tr', 'cat', 'curl', 'node']);
    const env = { ...baseEnv(), PATH: `${sandbox.bin}:${bin}` };
    const passing = await runScript(CLOUDRUN, [], env, sandbox.bin);
    expect(passing.stderr).toContain('gate results verified: every gate passed');
    expect(passing.code).toBe(0);

    sandbox.attest(gateAttestationLine({ results: { codeql: 'failure' } }));
    const failed = await runScript(CLOUDRUN, [], env, sandbox.bin);
    expect(failed.code).toBe(4);
    expect(failed.stderr).toContain('gate codeql did not pass (verdict failed)');

    sandbox.attest(gateAttestationLine({ digestHex: 'f'.repeat(64) }));
    const otherDigest = await runScript(CLOUDRUN, [], env, sandbox.bin);
    expect(otherDigest.code).toBe(4);
    expect(otherDigest.stderr).toContain('the attestation is for another digest');
  }, 30_000);
});

// The identity regexp accepts any run of pipeline.yml on main or a v* tag. The claims Fulcio copies from
// GitHub's token narrow it to the run that published this commit: each is compared, and each test fails
// if cloudrun.sh stops passing its flag (the stand-in, as cosign, checks only the claims it is asked for).
describe("cloudrun.sh checks the signing run's own claims (the gates' identity)", () => {
  const signatureClaims = [
    ['repository', 'FAKE_CERT_REPOSITORY', 'Acme/other', 'Repository'],
    ['trigger (a run by hand, not a push)', 'FAKE_CERT_TRIGGER', 'workflow_dispatch', 'Trigger'],
    ['commit', 'FAKE_CERT_SHA', OTHER_SHA, 'SHA'],
  ];
  test.each(signatureClaims)(
    'refuses a signature whose certificate names another %s (exit 1)',
    async (_claim, variable, value, label) => {
      const result = await cloudrun({ ...baseEnv(), [variable]: value });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`expected GitHub Workflow ${label} not found in certificate`);
      expect(sandbox.calls()).toEqual([[...COSIGN_VERIFY, GHCR_IMAGE]]);
      expect(server.requests).toHaveLength(0);
    },
  );

  test.each([
    ...signatureClaims,
    [
      'workflow (another workflow of this repository ran the gates)',
      'FAKE_ATTESTATION_CERT_NAME',
      'gates-lite',
      'Name',
    ],
    ['ref (a run for another tag)', 'FAKE_ATTESTATION_CERT_REF', 'refs/tags/v0.0.1', 'Ref'],
  ])(
    'refuses a gate-results attestation whose certificate names another %s (exit 3)',
    async (_claim, variable, value, label) => {
      const attestationVariable = variable.replace('FAKE_CERT_', 'FAKE_ATTESTATION_CERT_');
      const result = await cloudrun({ ...baseEnv(), [attestationVariable]: value });
      expect(result.code).toBe(3);
      expect(result.stderr).toContain(`expected GitHub Workflow ${label} not found in certificate`);
      expect(result.stderr).toContain('REFUSED: no gate-results attestation');
      expect(sandbox.calls()).toEqual([[...COSIGN_VERIFY, GHCR_IMAGE], cosignVerifyAttestation(GHCR_IMAGE)]);
      expect(server.requests).toHaveLength(0);
    },
  );

  test("asks for pipeline.yml's own workflow name", () => {
    const workflow = readFileSync(join(PROJECT_ROOT, '.github', 'workflows', 'pipeline.yml'), 'utf8');
    expect(workflow.split('\n')).toContain(`name: ${PIPELINE_WORKFLOW_NAME}`);
  });
});

// Our checks run in our script; anyone with the deploy role can call gcloud without them. Binary
// Authorization is Google's: the stand-in gcloud refuses, as the policy does, a deploy of a digest that
// publish did not attest, so this fails if cloudrun.sh stops asking for the policy.
describe('cloudrun.sh deploys under Binary Authorization', () => {
  test('Cloud Run refuses a digest without a Binary Authorization attestation, though our checks passed', async () => {
    writeFileSync(sandbox.binauthz, '');
    const result = await cloudrun(baseEnv());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('gate results verified: every gate passed');
    expect(result.stderr).toContain(`Container image '${AR_IMAGE}' is not authorized by policy`);
    expect(sandbox.calls().at(-1)).toEqual(deployCall(AR_IMAGE, '--no-allow-unauthenticated'));
    expect(server.requests).toHaveLength(0);
  });

  test('an attestation for the ghcr.io path does not admit the path Cloud Run is given', async () => {
    writeFileSync(sandbox.binauthz, `${GHCR_IMAGE}\n`);
    const result = await cloudrun(baseEnv());
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is not authorized by policy');
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

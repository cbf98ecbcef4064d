/**
 * The deploy workflows' own contract: what triggers them, what they may do, and how they reach the
 * clouds. (The repository-wide workflow policy — pinning, permissions, timeouts — is checked for every
 * workflow by the pipeline tests; the checks here are the ones specific to deploying.)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from './support.ts';

interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  if?: string;
  'timeout-minutes'?: number;
  environment?: { name?: string };
  permissions?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  name: string;
  on: {
    workflow_run?: { workflows: string[]; types: string[]; branches: string[] };
    workflow_dispatch?: { inputs: Record<string, { required: boolean; type: string }> };
  };
  permissions: unknown;
  jobs: Record<string, Job>;
}

const load = (file: string) => {
  const text = readFileSync(path.join(REPO_ROOT, '.github', 'workflows', file), 'utf8');
  return { text, workflow: parse(text) as Workflow };
};

const FLOWS = [
  { file: 'deploy-cloudrun.yml', script: 'deploy/cloudrun.sh', auth: 'google-github-actions/auth@' },
  {
    file: 'deploy-beanstalk.yml',
    script: 'deploy/beanstalk.sh',
    auth: 'aws-actions/configure-aws-credentials@',
  },
];

describe.each(FLOWS)('$file', ({ file, script, auth }) => {
  const { text, workflow } = load(file);
  const job = workflow.jobs.deploy as Job;
  const uses = (prefix: string) => job.steps.findIndex((step) => step.uses?.startsWith(prefix) ?? false);
  const deployIndex = job.steps.findIndex((step) => step.run?.includes(script) ?? false);

  test('runs after a successful "pipeline" on main, or by hand with a digest, a commit and its ref', () => {
    expect(workflow.on.workflow_run).toEqual({
      workflows: ['pipeline'],
      types: ['completed'],
      branches: ['main'],
    });
    expect(job.if).toContain("github.event.workflow_run.conclusion == 'success'");
    expect(job.if).toContain("github.event.workflow_run.event == 'push'");
    expect(job.if).toContain('github.event.workflow_run.head_repository.full_name == github.repository');
    expect(Object.keys(workflow.on.workflow_dispatch?.inputs ?? {})).toEqual([
      'image-digest',
      'commit-sha',
      'release-ref',
    ]);
  });

  // packages: read: cosign reads the signature and attestations from GHCR, where a new package is private.
  test('starts with no permissions; the job asks for exactly OIDC, checkout, artifact download and package read', () => {
    expect(workflow.permissions).toEqual({});
    expect(job.permissions).toEqual({
      contents: 'read',
      'id-token': 'write',
      actions: 'read',
      packages: 'read',
    });
    expect(job.environment?.name).toBe('production');
    expect(job['timeout-minutes']).toBeGreaterThan(0);
  });

  test('hardens the runner first and keeps no git credentials', () => {
    expect(job.steps[0]?.uses).toMatch(/^step-security\/harden-runner@[0-9a-f]{40}$/);
    // The job holds id-token: write, so egress is blocked but for its listed endpoints (policy egress-block).
    expect(job.steps[0]?.with?.['egress-policy']).toBe('block');
    expect(String(job.steps[0]?.with?.['allowed-endpoints']).split(' ')).toEqual(
      expect.arrayContaining(['ghcr.io:443', 'fulcio.sigstore.dev:443', 'rekor.sigstore.dev:443']),
    );
    const checkout = job.steps.find((step) => step.uses?.startsWith('actions/checkout@'));
    expect(checkout?.with?.['persist-credentials']).toBe(false);
  });

  // Found by the rehearsal: anonymous, cosign gets 401 from a private package and the deploy refuses.
  test('logs in to GHCR (read) before the deploy script verifies from there', () => {
    const login = job.steps.findIndex((step) => step.uses?.startsWith('docker/login-action@'));
    const verify = job.steps.findIndex((step) => step.id === 'deploy');
    expect(login).toBeGreaterThan(-1);
    expect(login).toBeLessThan(verify);
    expect(job.steps[login]?.with).toEqual({
      registry: 'ghcr.io',
      username: '${{ github.actor }}',
      password: '${{ github.token }}',
    });
  });

  test('pins every action by full commit SHA with its version beside it', () => {
    const lines = text.split('\n').filter((line) => /^[\s-]*uses:/.test(line));
    expect(lines.length).toBe(job.steps.filter((step) => step.uses).length);
    for (const line of lines) expect(line).toMatch(/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
  });

  test('downloads the digest artifact from the triggering run only', () => {
    const download = job.steps.find((step) => step.uses?.startsWith('actions/download-artifact@'));
    expect(download?.if).toBe("github.event_name == 'workflow_run'");
    expect(download?.with).toMatchObject({
      name: 'image-digest',
      'run-id': '${{ github.event.workflow_run.id }}',
    });
  });

  test('validates the release before authenticating, and authenticates before deploying', () => {
    const resolveIndex = job.steps.findIndex(
      (step) => step.run?.includes('deploy/resolve-release.sh') ?? false,
    );
    expect(resolveIndex).toBeGreaterThan(0);
    expect(resolveIndex).toBeLessThan(uses(auth));
    expect(uses(auth)).toBeLessThan(deployIndex);
    expect(uses('sigstore/cosign-installer@')).toBeLessThan(deployIndex);
  });

  test('authenticates by OIDC only: no key, secret or password anywhere', () => {
    expect(text).not.toMatch(/credentials_json|aws-access-key-id|aws-secret-access-key|secrets\./);
    const authStep = job.steps[uses(auth)];
    expect(Object.keys(authStep?.with ?? {})).toEqual(
      expect.arrayContaining(
        auth.startsWith('google')
          ? ['workload_identity_provider', 'service_account']
          : ['role-to-assume', 'aws-region'],
      ),
    );
  });

  test('interpolates nothing into run: scripts (values travel through env)', () => {
    for (const step of job.steps) {
      if (step.run !== undefined) expect(step.run).not.toContain('${{');
    }
  });
});

import { isSeq, parse } from 'yaml';
import {
  checkRepository,
  checkWorkflow,
  loadReviewedActions,
  readWorkflows,
} from '../../security/workflow-policy';
import type { WorkflowFile } from '../../security/workflow-policy';
import { edited, GATES, mutated, PIPELINE, ROOT, rules, workflowFile } from './helpers';

const actions = loadReviewedActions(ROOT);
const check = (file: WorkflowFile) => rules(checkWorkflow(ROOT, file, { actions }));
const HARDEN = 'step-security/harden-runner@b09bb98e06d4d774595224525879c09bc6e98c40';

describe('the repository as committed', () => {
  it('has the pipeline and the reusable gates, and no policy finding in any workflow or policy file', () => {
    const paths = readWorkflows(ROOT).map((file) => file.path);
    expect(paths).toEqual(expect.arrayContaining([PIPELINE, GATES]));
    expect(checkRepository(ROOT)).toEqual([]);
  });

  it('hands the deploy workflows the pushed digest as the image-digest artifact', () => {
    const publish = (parse(workflowFile(PIPELINE).text) as { jobs: Record<string, { steps: Step[] }> }).jobs
      .publish;
    const upload = publish?.steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.with).toMatchObject({
      name: 'image-digest',
      path: '${{ runner.temp }}/image-digest/digest.txt',
    });
    const record = publish?.steps.find((step) => step.run?.includes('digest.txt'));
    expect(record?.run).toContain('"$IMAGE" "$DIGEST"');
  });
});

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}

// Each case plants one violation in an in-memory copy and expects exactly that rule to report it.
describe('each policy bites on a planted violation', () => {
  const cases: [rule: string, file: () => WorkflowFile][] = [
    [
      'pin-sha',
      () =>
        edited(GATES, (t) => t.replace(`${HARDEN} # v2.20.1`, 'step-security/harden-runner@v2 # v2.20.1')),
    ],
    ['pin-comment', () => edited(GATES, (t) => t.replace(`${HARDEN} # v2.20.1`, HARDEN))],
    [
      'pin-reviewed',
      () => edited(GATES, (t) => t.replace(HARDEN, `step-security/harden-runner@${'a'.repeat(40)}`)),
    ],
    [
      'action-unreviewed',
      () =>
        mutated(GATES, (d) => {
          const steps = d.getIn(['jobs', 'test', 'steps']);
          if (isSeq(steps)) steps.add(d.createNode({ uses: `someone/untrusted-action@${'b'.repeat(40)}` }));
        }),
    ],
    [
      'action-input',
      () => mutated(GATES, (d) => d.setIn(['jobs', 'trivy', 'steps', 5, 'with', 'severities'], 'HIGH')),
    ],
    ['permissions-top-level', () => mutated(PIPELINE, (d) => d.set('permissions', 'read-all'))],
    ['permissions-job', () => mutated(GATES, (d) => d.deleteIn(['jobs', 'test', 'permissions']))],
    ['permissions-job', () => mutated(GATES, (d) => d.setIn(['jobs', 'test', 'permissions'], 'write-all'))],
    [
      'permissions-write',
      () => mutated(GATES, (d) => d.setIn(['jobs', 'lint', 'permissions', 'contents'], 'write')),
    ],
    [
      'permissions-write',
      () => mutated(GATES, (d) => d.setIn(['jobs', 'build', 'permissions', 'packages'], 'write')),
    ],
    [
      'permissions-write',
      () => mutated(GATES, (d) => d.setIn(['jobs', 'test', 'permissions', 'security-events'], 'write')),
    ],
    [
      'permissions-write',
      () => mutated(PIPELINE, (d) => d.setIn(['jobs', 'summary', 'permissions', 'id-token'], 'write')),
    ],
    [
      'sarif-permission',
      () => mutated(GATES, (d) => d.deleteIn(['jobs', 'codeql', 'permissions', 'security-events'])),
    ],
    [
      'permissions-reusable',
      () => mutated(PIPELINE, (d) => d.deleteIn(['jobs', 'gates', 'permissions', 'security-events'])),
    ],
    ['timeout', () => mutated(GATES, (d) => d.deleteIn(['jobs', 'zap', 'timeout-minutes']))],
    [
      'harden-runner-first',
      () =>
        mutated(GATES, (d) => {
          const steps = d.getIn(['jobs', 'checkov', 'steps']);
          if (isSeq(steps)) steps.items.reverse();
        }),
    ],
    [
      'harden-runner-first',
      () => mutated(PIPELINE, (d) => d.deleteIn(['jobs', 'publish', 'steps', 0, 'with'])),
    ],
    [
      'expression-in-run',
      () =>
        mutated(GATES, (d) =>
          d.setIn(['jobs', 'test', 'steps', 4, 'run'], 'echo "${{ github.event.pull_request.title }}"'),
        ),
    ],
    [
      'expression-in-run',
      () =>
        mutated(PIPELINE, (d) =>
          d.setIn(['jobs', 'publish', 'steps', 2, 'run'], 'docker load -i ${{ inputs.x }}'),
        ),
    ],
    [
      'checkout-credentials',
      () => mutated(GATES, (d) => d.deleteIn(['jobs', 'lint', 'steps', 1, 'with', 'persist-credentials'])),
    ],
    [
      'continue-on-error',
      () => mutated(GATES, (d) => d.setIn(['jobs', 'trivy', 'steps', 7, 'continue-on-error'], true)),
    ],
    ['continue-on-error', () => mutated(GATES, (d) => d.setIn(['jobs', 'zap', 'continue-on-error'], true))],
    [
      'build-once',
      () =>
        mutated(GATES, (d) =>
          d.setIn(['jobs', 'trivy', 'steps', 3, 'run'], 'docker build -t service:candidate .'),
        ),
    ],
    ['scan-uses-artifact', () => mutated(GATES, (d) => d.deleteIn(['jobs', 'zap', 'steps', 2]))],
    [
      'sarif-fork-guard',
      () => mutated(GATES, (d) => d.setIn(['jobs', 'checkov', 'steps', 4, 'if'], '${{ always() }}')),
    ],
    [
      'sarif-fork-guard',
      () => mutated(GATES, (d) => d.setIn(['jobs', 'codeql', 'steps', 3, 'with', 'upload'], 'always')),
    ],
    ['no-pull-request-target', () => mutated(PIPELINE, (d) => d.setIn(['on', 'pull_request_target'], null))],
    [
      'dispatch-inputs',
      () =>
        mutated(PIPELINE, (d) =>
          d.setIn(['on', 'workflow_dispatch'], { inputs: { tag: { type: 'string' } } }),
        ),
    ],
    [
      'publish-needs-gates',
      () =>
        mutated(PIPELINE, (d) => {
          d.setIn(
            ['jobs', 'extra-gate'],
            d.createNode({ uses: './.github/workflows/security-gates.yml', permissions: {} }),
          );
        }),
    ],
    ['publish-not-on-pull-request', () => mutated(PIPELINE, (d) => d.deleteIn(['jobs', 'publish', 'if']))],
    [
      'config-missing',
      () =>
        mutated(GATES, (d) =>
          d.setIn(['jobs', 'zap', 'steps', 6, 'with', 'rules_file_name'], 'security/zap/nope.tsv'),
        ),
    ],
    ['yaml', () => ({ path: GATES, text: 'jobs: [unclosed' })],
  ];

  it.each(cases)('%s', (rule, file) => {
    expect(check(workflowFile(GATES))).toEqual([]);
    expect(check(workflowFile(PIPELINE))).toEqual([]);
    expect(check(file())).toContain(rule);
  });
});

describe('the exceptions table', () => {
  const DEPLOY = '.github/workflows/deploy-cloudrun.yml';
  const SELF_TEST = '.github/workflows/gate-self-test.yml';

  it('lets a deploy workflow take dispatch inputs, and nothing more', () => {
    expect(check(workflowFile(DEPLOY))).toEqual([]);
    expect(check(mutated(DEPLOY, (d) => d.setIn(['on', 'pull_request_target'], null)))).toEqual([
      'no-pull-request-target',
    ]);
    expect(check(mutated(DEPLOY, (d) => d.set('permissions', 'write-all')))).toContain(
      'permissions-top-level',
    );
  });

  it('does not extend a workflow exception to another workflow', () => {
    const renamed = { ...workflowFile(DEPLOY), path: '.github/workflows/deploy-elsewhere.yml' };
    expect(check(renamed)).toEqual(['dispatch-inputs']);
  });

  it('lets the gate self-test build its flawed variants, but still holds it to the other rules', () => {
    expect(check(workflowFile(SELF_TEST))).toEqual([]);
    expect(check(edited(SELF_TEST, (t) => t.replace(`${HARDEN} # v2.20.1`, `${HARDEN}`)))).toContain(
      'pin-comment',
    );
  });

  it('treats a CodeQL analysis with upload: never as no SARIF upload', () => {
    const uploading = mutated(SELF_TEST, (d) => {
      const steps = d.getIn(['jobs', 'codeql', 'steps']);
      if (!isSeq(steps)) throw new Error('no codeql steps');
      for (const step of steps.items) {
        const item = step as { getIn(path: string[]): unknown; setIn(path: string[], value: unknown): void };
        if (item.getIn(['with', 'upload']) === 'never') item.setIn(['with', 'upload'], 'always');
      }
    });
    expect(check(uploading)).toEqual(expect.arrayContaining(['sarif-permission', 'sarif-fork-guard']));
  });
});

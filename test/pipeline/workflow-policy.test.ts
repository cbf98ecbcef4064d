import { isSeq } from 'yaml';
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
});

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
      () => mutated(GATES, (d) => d.setIn(['jobs', 'trivy', 'steps', 4, 'with', 'severities'], 'HIGH')),
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

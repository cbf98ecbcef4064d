/** Job hygiene: a gate cannot fail silently, cannot hang, and runs on a runner that audits its egress. */
import type { WorkflowRule } from '../rule.ts';
import { actionName, record, text } from '../rule.ts';

const failsSilently = (value: unknown) => value !== undefined && value !== false;

export const JOB_HYGIENE_RULES: readonly WorkflowRule[] = [
  {
    id: 'continue-on-error',
    level: 'job',
    description: 'No job sets `continue-on-error`.',
    help: 'A gate that may fail silently is no gate: fix or skip the check explicitly, with a reason, in its policy file.',
    check: ({ job, path }) =>
      failsSilently(job['continue-on-error'])
        ? [{ message: 'a gate that may fail silently is no gate', at: [...path, 'continue-on-error'] }]
        : [],
  },
  {
    id: 'continue-on-error',
    level: 'step',
    description: 'No step sets `continue-on-error`.',
    help: 'Use `if: ${{ !cancelled() }}` on the steps that must run after a failure instead.',
    check: ({ step, stepPath }) =>
      failsSilently(step['continue-on-error'])
        ? [{ message: 'step may fail silently', at: [...stepPath, 'continue-on-error'] }]
        : [],
  },
  {
    id: 'timeout',
    level: 'job',
    description: 'Every job that runs steps sets `timeout-minutes`.',
    help: "GitHub's default is six hours: a hung scanner would hold a runner (and a merge) that long.",
    check: ({ job }) =>
      job['runs-on'] !== undefined && job['timeout-minutes'] === undefined
        ? [{ message: 'job has no timeout-minutes' }]
        : [],
  },
  {
    id: 'harden-runner-first',
    level: 'job',
    description: "Every job's first step is step-security/harden-runner with an egress policy.",
    help: 'It records (audit) or blocks (block) every outbound connection, so an exfiltrating step shows up.',
    check: ({ job, steps, path }) => {
      if (job['runs-on'] === undefined) return [];
      const first = steps[0];
      const egress = text(record(first?.with)['egress-policy']);
      return first &&
        actionName(text(first.uses)) === 'step-security/harden-runner' &&
        ['audit', 'block'].includes(egress)
        ? []
        : [
            {
              message: 'the first step must be step-security/harden-runner with an egress-policy',
              at: first ? [...path, 'steps', 0] : path,
            },
          ];
    },
  },
];

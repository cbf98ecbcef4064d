/** The `continue-on-error` invariant (job hygiene); its helpers are in ../helpers/job-hygiene.ts. */
import type { WorkflowRule } from '../rule.ts';
import { failsSilently } from '../helpers/job-hygiene.ts';

export const CONTINUE_ON_ERROR: readonly WorkflowRule[] = [
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
];

/** The `timeout` invariant (job hygiene). */
import type { WorkflowRule } from '../rule.ts';
import { defineRule } from '../rule.ts';

export const TIMEOUT: WorkflowRule = defineRule('timeout', 'job', {
  description: 'Every job that runs steps sets `timeout-minutes`.',
  help: "GitHub's default is six hours: a hung scanner would hold a runner (and a merge) that long.",
  check: ({ job }) =>
    job['runs-on'] !== undefined && job['timeout-minutes'] === undefined
      ? [{ message: 'job has no timeout-minutes' }]
      : [],
});

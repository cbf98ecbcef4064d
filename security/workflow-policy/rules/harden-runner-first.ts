/** The `harden-runner-first` invariant (job hygiene). */
import type { WorkflowRule } from '../rule.ts';
import { defineRule, actionName, record, text } from '../rule.ts';

export const HARDEN_RUNNER_FIRST: WorkflowRule = defineRule('harden-runner-first', 'job', {
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
});

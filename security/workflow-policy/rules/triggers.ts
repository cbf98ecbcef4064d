/** Triggers: no event that hands fork code a write token, no free-form input on a manual run. */
import type { WorkflowRule } from '../rule.ts';
import { isRecord, list, record, text } from '../rule.ts';

function triggerMap(on: unknown): Record<string, unknown> {
  if (typeof on === 'string') return { [on]: null };
  if (Array.isArray(on)) return Object.fromEntries(list(on).map((trigger) => [text(trigger), null]));
  return record(on);
}

export const TRIGGER_RULES: readonly WorkflowRule[] = [
  {
    id: 'no-pull-request-target',
    level: 'workflow',
    description: 'No workflow runs on `pull_request_target`.',
    help: 'pull_request_target runs with a write token and secrets while a fork controls the code it may check out; use pull_request.',
    check: ({ workflow }) =>
      'pull_request_target' in triggerMap(workflow.on)
        ? [
            {
              message: 'pull_request_target runs fork code with a write token and secrets',
              at: ['on', 'pull_request_target'],
            },
          ]
        : [],
  },
  {
    id: 'dispatch-inputs',
    level: 'workflow',
    description:
      '`workflow_dispatch` takes no inputs (Checkov CKV_GHA_7), unless the exceptions table allows it.',
    help: 'An input is a value anyone with write access can inject into the run; derive what the run needs from the repository instead.',
    check: ({ workflow }) => {
      const dispatch = triggerMap(workflow.on).workflow_dispatch;
      return isRecord(dispatch) && dispatch.inputs !== undefined
        ? [
            {
              message: 'workflow_dispatch must have no inputs (Checkov CKV_GHA_7)',
              at: ['on', 'workflow_dispatch', 'inputs'],
            },
          ]
        : [];
    },
  },
];

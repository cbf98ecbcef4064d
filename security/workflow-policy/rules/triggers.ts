/**
 * Triggers: no free-form input on a manual run. An event that hands fork code a write token
 * (pull_request_target, workflow_run) is zizmor's dangerous-triggers (the zizmor gate).
 */
import type { WorkflowRule } from '../rule.ts';
import { isRecord, list, record, text } from '../rule.ts';

function triggerMap(on: unknown): Record<string, unknown> {
  if (typeof on === 'string') return { [on]: null };
  if (Array.isArray(on)) return Object.fromEntries(list(on).map((trigger) => [text(trigger), null]));
  return record(on);
}

export const TRIGGER_RULES: readonly WorkflowRule[] = [
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

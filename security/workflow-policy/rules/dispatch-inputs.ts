/** The `dispatch-inputs` invariant (triggers); its helpers are in ../helpers/triggers.ts. */
import type { WorkflowRule } from '../rule.ts';
import { defineRule, isRecord } from '../rule.ts';
import { triggerMap } from '../helpers/triggers.ts';

export const DISPATCH_INPUTS: WorkflowRule = defineRule('dispatch-inputs', 'workflow', {
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
});

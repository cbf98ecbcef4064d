/** The `permissions-top-level` invariant (permissions). */
import type { WorkflowRule } from '../rule.ts';
import { defineRule, isRecord } from '../rule.ts';

export const PERMISSIONS_TOP_LEVEL: WorkflowRule = defineRule('permissions-top-level', 'workflow', {
  description: 'The workflow-wide `permissions` is `{}`.',
  help: 'Start from nothing so a new job holds no scope by accident; each job lists what it needs.',
  check: ({ workflow }) => {
    const top = workflow.permissions;
    return isRecord(top) && Object.keys(top).length === 0
      ? []
      : [
          {
            message: 'top-level permissions must be {}: each job asks for what it needs',
            at: top === undefined ? [] : ['permissions'],
          },
        ];
  },
});

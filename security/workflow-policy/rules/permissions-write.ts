/** The `permissions-write` invariant (permissions); its helpers are in ../helpers/permissions.ts. */
import type { WorkflowRule } from '../rule.ts';
import { defineRule } from '../rule.ts';
import { needlessWrites, writesBeyondCallee } from '../helpers/permissions.ts';

export const PERMISSIONS_WRITE: WorkflowRule = defineRule('permissions-write', 'job', {
  description:
    'A write scope is held only where needed: `security-events` by SARIF uploaders, the rest by the jobs in WRITE_PERMISSIONS.',
  help: 'Every write scope is something a compromised step could use; grant it to the one job whose step needs it.',
  check: (scope) => [...needlessWrites(scope), ...writesBeyondCallee(scope)],
});

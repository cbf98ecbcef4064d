/** The `sarif-permission` invariant (sarif uploads); its helpers are in ../helpers/sarif-uploads.ts. */
import type { WorkflowRule } from '../rule.ts';
import { defineRule, uploadsSarif } from '../rule.ts';
import { callsLocalWorkflow, scopes } from '../helpers/permissions.ts';

export const SARIF_PERMISSION: WorkflowRule = defineRule('sarif-permission', 'job', {
  description: 'A job that uploads SARIF holds `security-events: write`.',
  help: 'Without it the upload fails and the findings never reach code scanning.',
  check: (scope) => {
    const permissions = scopes(scope);
    return permissions &&
      !callsLocalWorkflow(scope) &&
      uploadsSarif(scope.job) &&
      permissions.get('security-events') !== 'write'
      ? [{ message: 'uploads SARIF without security-events: write', at: [...scope.path, 'permissions'] }]
      : [];
  },
});

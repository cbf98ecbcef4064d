/** The `permissions-reusable` invariant (permissions); its helpers are in ../helpers/permissions.ts. */
import type { WorkflowRule } from '../rule.ts';
import { defineRule, text } from '../rule.ts';
import { calleePermissions, scopes, callsLocalWorkflow } from '../helpers/permissions.ts';

export const PERMISSIONS_REUSABLE: WorkflowRule = defineRule('permissions-reusable', 'job', {
  description: 'A job calling a local reusable workflow grants every scope the called jobs ask for.',
  help: 'GitHub refuses to start a run whose called job asks for more than its caller grants.',
  check: (scope) => {
    const permissions = scopes(scope);
    if (!permissions || !callsLocalWorkflow(scope)) return [];
    const uses = text(scope.job.uses);
    const needed = calleePermissions(scope.root, uses);
    if (!needed) return [];
    return [...needed].flatMap(([name, level]) => {
      const granted = permissions.get(name);
      return granted === level || (level === 'read' && granted === 'write')
        ? []
        : [
            {
              message: `${uses} has a job asking for ${name}: ${level}; the caller grants ${granted ?? 'none'}, so the run would not start`,
              at: [...scope.path, 'permissions'],
            },
          ];
    });
  },
});

/**
 * SARIF uploads: a job that uploads findings can, and a fork's pull request (whose token is read-only)
 * skips the upload instead of failing, while its gates still run.
 */
import type { WorkflowRule } from '../rule.ts';
import { stepUploadsSarif, text, uploadsSarif } from '../rule.ts';
import { callsLocalWorkflow, scopes } from './permissions.ts';

const FORK_GUARD = /github\.event\.pull_request\.head\.repo\.full_name\s*==\s*github\.repository/;

export const SARIF_UPLOAD_RULES: readonly WorkflowRule[] = [
  {
    id: 'sarif-permission',
    level: 'job',
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
  },
  {
    id: 'sarif-fork-guard',
    level: 'step',
    description: "Every SARIF upload is skipped on a fork's pull request.",
    help: 'A fork pull request gets a read-only token: guard the upload with `github.event.pull_request.head.repo.full_name == github.repository` (in `if:`, or in `upload:` for CodeQL analyze).',
    check: ({ step, action, inputs, stepPath }) => {
      if (!stepUploadsSarif(step)) return [];
      const guarded =
        action === 'github/codeql-action/analyze'
          ? FORK_GUARD.test(text(inputs.upload))
          : FORK_GUARD.test(text(step.if));
      return guarded
        ? []
        : [
            {
              message:
                'SARIF upload must be skipped on fork pull requests (read-only token): guard it with github.event.pull_request.head.repo.full_name == github.repository',
              at: stepPath,
            },
          ];
    },
  },
];

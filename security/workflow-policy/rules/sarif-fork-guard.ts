/** The `sarif-fork-guard` invariant (sarif uploads); its helpers are in ../helpers/sarif-uploads.ts. */
import type { WorkflowRule } from '../rule.ts';
import { defineRule, stepUploadsSarif, text } from '../rule.ts';
import { FORK_GUARD } from '../helpers/sarif-uploads.ts';

export const SARIF_FORK_GUARD: WorkflowRule = defineRule('sarif-fork-guard', 'step', {
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
});

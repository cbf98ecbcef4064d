/** The `no-release-cache` invariant (publish contracts); its helpers are in ../helpers/publish-contracts.ts. */
import type { WorkflowRule } from '../rule.ts';
import { defineRule, text } from '../rule.ts';
import { PULL_REQUEST_ONLY, isBuildStep } from '../helpers/publish-contracts.ts';

export const NO_RELEASE_CACHE: WorkflowRule = defineRule('no-release-cache', 'step', {
  description:
    "buildx's gha cache is read and written only on pull_request runs, so a run that can publish restores no cache entry.",
  help: "cache-from/cache-to: ${{ github.event_name == 'pull_request' && '…' || '' }}.",
  check: (scope) =>
    isBuildStep(scope)
      ? ['cache-from', 'cache-to']
          .filter((key) => text(scope.inputs[key]) !== '' && !PULL_REQUEST_ONLY.test(text(scope.inputs[key])))
          .map((key) => ({
            message: `${key} must be used on pull_request runs only: \${{ github.event_name == 'pull_request' && '…' || '' }}`,
            at: [...scope.stepPath, 'with', key],
          }))
      : [],
});
